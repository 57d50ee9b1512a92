# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# QEMU boot harness: builds initramfs images with the real dracut
# (scripts/build-initrd.sh), boots them with Debian's kernel
# (scripts/fetch-kernel.sh) under qemu-system-x86_64 (TCG), and checks what the
# test dracut module (modules.d/99sde-test) reports at pre-mount.
#
# Scenarios are data, declared in scenarios.sh with three functions:
#
#   image NAME [VAR=VALUE]... BUILD-INITRD-ARGS...
#       an initramfs; the harness adds the test module, "--no-project-module"
#       unless the arguments say "--add scsi-dh-early", and --no-compress.
#       VAR=VALUE: environment of the build (SCSI_DH_EARLY_SYSCONFDIR=...).
#       Built once and cached by a hash of everything that goes into it.
#
#   disks NAME SPEC...
#       a set of virtio-scsi disks, SPEC = "VENDOR:PRODUCT[:QEMU-PROPS]"
#       (empty VENDOR or PRODUCT: QEMU's default; QEMU-PROPS e.g.
#       "wwn=0x6006016000000001").  Disk I is scsi-id I, lun 0.
#
#   scenario NAME KEY=VALUE...
#       image=IMAGE     (required)
#       disks=DISKS     (default: none)
#       cmdline=ARGS    kernel command line added to the harness's own
#       qemu=ARGS       extra QEMU arguments (split on blanks)
#       luns=N          SCSI devices to wait for before the report
#       needs=PATH      skip unless PATH (relative to the tree, or
#                       absolute: a file of the host) exists; repeatable
#       timeout=SEC     (default $SDE_BOOT_TIMEOUT or 180)
#       root=debian     a Debian root with systemd and the project's Debian
#                       package (realroot.sh); reports "pre-mount real root"
#       root=busybox    a root file system (busybox, ext4 on virtio-blk
#                       /dev/vda): the boot goes on after the pre-mount
#                       report, switches root, and its /sbin/init prints the
#                       report "root" and powers off
#       rootfile=SRC:DST  a file for that root (SRC relative to the tree);
#                       repeatable
#       rootcmd=CMD     a command its /sbin/init runs before the report;
#                       repeatable
#       tier=extra      not part of the default run (run.sh --all runs it)
#       kernel=META     boot Debian's kernel of metapackage META (default
#                       linux-image-amd64); the image is built for it
#       reports=NAMES   the reports the boot must print (default "pre-mount",
#                       with root=busybox "pre-mount root")
#       expect=[@REPORT ]CHECK  repeatable; checks report REPORT (default
#                       pre-mount), each CHECK one of:
#         dh SEL STATE      every device matching SEL (at least one) has
#                           dh_state STATE ("detached", "alua", ...)
#         access SEL VALUE  same for access_state ("unreadable": no handler,
#                           the kernel says EINVAL; "-": no such file);
#                           VALUE|VALUE...: any of them
#         count SEL N       exactly N devices match SEL
#         mod NAME          module NAME is loaded       (!mod: is not)
#         kmsg ERE          a kernel log line about scsi-dh-early or a
#                           refused detach matches      (!kmsg: none does)
#         json ERE          a line of "scsi-dh-early status --json" matches
#                           (!json: none does)
#         status N          scsi-dh-early status --json exited N ("absent"
#                           when the helper is not in the image)
#         line ERE          any report line matches     (!line: none does)
#         console ERE       a line of the serial console (kernel log, init
#                           messages) matches           (!console: none does)
#         consolecount N ERE  exactly N console lines match
#         linecount OP N ERE  the number of report lines that match ERE,
#                           compared with N by OP: = != < <= > >= (lines
#                           "helper|ARGS": one per run of the helper, "kmsg|":
#                           its kernel log lines, every level)
#         array KEY OP VALUE  a figure of the ALUA array (sde.array=, see
#                           array.sh) compared with OP: = != < <= > >=
#       SEL: "all", or comma-separated KEY=GLOB with KEY in hctl, host,
#       vendor, model (host is the HBA's proc_name: scsi_debug, virtio_scsi).
#
# Environment: SDE_CACHE (see fetch-kernel.sh), SDE_BOOT_WORK (images and
# logs, default $SDE_CACHE/boot), SDE_BOOT_TIMEOUT, SDE_BOOT_REBUILD=1 (ignore
# cached images), SDE_QEMU_LOCK (default /tmp/sde-qemu.lock: held while a
# QEMU runs, one at a time machine-wide), SDE_BOOT_COMPRESS (dracut --compress value instead of
# --no-compress), SDE_QEMU (default qemu-system-x86_64), SDE_BOOT_SMP (default
# 1: under TCG, 2 CPUs boot slower), SCSI_DH_EARLY_BIN (default
# build/scsi-dh-early when it exists).

BOOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BOOT_TOP=$(cd "$BOOT_DIR/../.." && pwd)
BOOT_CACHE=${SDE_CACHE:-/var/cache/scsi-dh-early}
BOOT_WORK=${SDE_BOOT_WORK:-$BOOT_CACHE/boot}
BOOT_TIMEOUT=${SDE_BOOT_TIMEOUT:-180}
BOOT_QEMU=${SDE_QEMU:-qemu-system-x86_64}
BOOT_SMP=${SDE_BOOT_SMP:-1}
BOOT_QEMU_LOCK=${SDE_QEMU_LOCK:-/tmp/sde-qemu.lock}
BOOT_TEST_MODULE=$BOOT_DIR/modules.d/99sde-test
BOOT_KMETA_DEFAULT=${SDE_KERNEL_META:-linux-image-amd64}
# shellcheck source=SCRIPTDIR/array.sh
. "$BOOT_DIR/array.sh"

# What every boot gets on its kernel command line: the serial console, no
# shell and a power-off on any failure, and the report on the second serial
# port.  Unless the scenario has a root file system, /dev/ram0 from brd is
# the root device: it is there at once, so the initramfs reaches pre-mount
# without waiting (and powers off there).
BOOT_CMDLINE="console=ttyS0 panic=1 rd.shell=0 rd.emergency=poweroff sde.out=/dev/ttyS1"
BOOT_RAMROOT="root=/dev/ram0 rd.driver.pre=brd brd.rd_nr=1 brd.rd_size=1024"
# With root=busybox: a root file system on a virtio disk, where the boot goes
# on after the pre-mount report.
BOOT_DISKROOT="root=/dev/vda rootfstype=ext4 rw sde.stop=none"

declare -gA BOOT_IMAGE_ARGS=() BOOT_IMAGE_ENV=() BOOT_DISKS=()
declare -gA SC_IMAGE=() SC_DISKS=() SC_CMDLINE=() SC_QEMU=() SC_LUNS=() SC_NEEDS=()
declare -gA SC_TIMEOUT=() SC_EXPECT=() SC_ROOT=() SC_ROOTFILES=() SC_ROOTCMDS=()
declare -gA SC_REPORTS=() SC_TIER=() SC_KERNEL=()
BOOT_SCENARIOS=()

boot_log() {
	printf '# %s\n' "$*" >&2
}

boot_fail() {
	printf 'boot: %s\n' "$*" >&2
	return 1
}

# ---- declarations --------------------------------------------------------

image() {
	local name=$1
	shift
	BOOT_IMAGE_ENV[$name]=
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		BOOT_IMAGE_ENV[$name]+="$(printf '%q' "$1") "
		shift
	done
	BOOT_IMAGE_ARGS[$name]=$(printf '%q ' "$@")
}

disks() {
	local name=$1
	shift
	BOOT_DISKS[$name]=$(printf '%q ' "$@")
}

scenario() {
	local name=$1 kv key val
	shift
	BOOT_SCENARIOS+=("$name")
	SC_EXPECT[$name]=
	SC_NEEDS[$name]=
	SC_ROOTFILES[$name]=
	SC_ROOTCMDS[$name]=
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		case $key in
		image) SC_IMAGE[$name]=$val ;;
		disks) SC_DISKS[$name]=$val ;;
		cmdline) SC_CMDLINE[$name]=$val ;;
		qemu) SC_QEMU[$name]=$val ;;
		luns) SC_LUNS[$name]=$val ;;
		timeout) SC_TIMEOUT[$name]=$val ;;
		root) SC_ROOT[$name]=$val ;;
		rootfile) SC_ROOTFILES[$name]+="$val"$'\n' ;;
		rootcmd) SC_ROOTCMDS[$name]+="$val"$'\n' ;;
		reports) SC_REPORTS[$name]=$val ;;
		tier) SC_TIER[$name]=$val ;;
		kernel) SC_KERNEL[$name]=$val ;;
		needs) SC_NEEDS[$name]+="$val"$'\n' ;;
		expect) SC_EXPECT[$name]+="$val"$'\n' ;;
		*)
			boot_fail "scenario $name: unknown key '$key'"
			return 1
			;;
		esac
	done
}

# The scenarios to run: boot_scenarios all|default, one name a line, with
# LIST=yes their tier too.
boot_scenarios() {
	local name
	for name in "${BOOT_SCENARIOS[@]}"; do
		[ "$1" = all ] || [ -z "${SC_TIER[$name]:-}" ] || continue
		printf '%s%s\n' "$name" "${LIST:+${SC_TIER[$name]:+ (${SC_TIER[$name]})}}"
	done
}

# ---- host checks ---------------------------------------------------------

# Prints why boots cannot run here, or nothing.
boot_missing() {
	local c
	for c in "$BOOT_QEMU" dracut lsinitrd timeout truncate sha256sum flock mke2fs busybox; do
		command -v "$c" >/dev/null || {
			echo "$c not found"
			return 0
		}
	done
}

# boot_kernel_env [META]: BOOT_KVER and BOOT_VMLINUZ of Debian's kernel
# metapackage META (default $SDE_KERNEL_META, or linux-image-amd64), fetched
# into the cache once; SDE_KERNEL_META is exported for build-initrd.sh.
boot_kernel_env() {
	local meta=${1:-${BOOT_KMETA_DEFAULT}} KVER='' VMLINUZ=''
	[ -n "${BOOT_VMLINUZ:-}" ] && [ "${BOOT_KMETA:-}" = "$meta" ] && return 0
	eval "$(SDE_KERNEL_META=$meta "$BOOT_TOP/scripts/fetch-kernel.sh")" || return 1
	[ -n "$KVER" ] || boot_fail "fetch-kernel.sh --meta $meta failed" || return
	BOOT_KMETA=$meta
	BOOT_KVER=$KVER
	BOOT_VMLINUZ=$VMLINUZ
	export SDE_KERNEL_META=$meta
}

# ---- images --------------------------------------------------------------

# Content hash of everything an image is built from: boot_image_key
# PROJECT(yes|no) [VAR=VALUE]... BUILD-ARGS...  Files and directories named
# by an argument count with their content; the project's module and the
# SCSI_DH_EARLY_* environment only for images that have the project's module.
boot_image_key() {
	local project=$1 arg v
	shift
	{
		printf '%s\n' "$BOOT_KVER" "$(dracut --version 2>/dev/null)"
		printf 'arg %s\n' "$@"
		for arg in "$@" "$BOOT_TEST_MODULE" "$BOOT_TOP/scripts/build-initrd.sh"; do
			boot_hash_path "$arg"
			case $arg in
			*=*) boot_hash_path "${arg#*=}" ;;
			esac
		done
		if [ "$project" = yes ]; then
			boot_hash_path "$BOOT_TOP/modules.d/50scsi-dh-early"
			# the environment its module-setup.sh looks at
			while IFS= read -r v; do
				printf 'env %s\n' "$v"
				boot_hash_path "${v#*=}"
			done < <(env | grep '^SCSI_DH_EARLY_' | sort)
		fi
	} | sha256sum | cut -c1-16
}

# The content of a file, or of every file under a directory, as checksums.
boot_hash_path() {
	if [ -d "$1" ]; then
		(cd "$1" && find . -type f -printf '%m %p\n' | sort &&
			find . -type f -print0 | sort -z | xargs -0r sha256sum)
	elif [ -f "$1" ]; then
		sha256sum <"$1"
	fi
}

# boot_image NAME: build (or reuse) the image, print its path.
boot_image() {
	local name=$1 key out args=() user=() extra=() envs=() a project=no seen=no
	[ -n "${BOOT_IMAGE_ARGS[$name]+set}" ] || boot_fail "unknown image '$name'" || return
	[ -n "${BOOT_KMETA:-}" ] || boot_kernel_env || return
	eval "user=(${BOOT_IMAGE_ARGS[$name]})"
	eval "envs=(${BOOT_IMAGE_ENV[$name]})"
	for a in ${user[@]+"${user[@]}"}; do
		if [ "$seen" = yes ]; then
			extra+=("$a")
		elif [ "$a" = -- ]; then
			seen=yes
		else
			args+=("$a")
		fi
	done
	local builder=$BOOT_TOP/scripts/build-initrd.sh itools=no
	case " ${args[*]} " in
	*" --initramfs-tools "*) itools=yes ;;
	esac
	if [ "$itools" = yes ]; then
		# initramfs-tools: the project's hook unless --no-project-module, the
		# test hook always; the late runner and the default rule from this tree
		builder=$BOOT_TOP/scripts/build-initrd-itools.sh
		project=yes
		local itargs=()
		for a in "${args[@]}"; do
			case $a in
			--initramfs-tools) ;;
			--no-project-module) project=no itargs+=("$a") ;;
			*) itargs+=("$a") ;;
			esac
		done
		args=(${itargs[@]+"${itargs[@]}"} --add-dir "$BOOT_DIR/initramfs-tools")
		envs+=("SDE_TEST_MODULE=$BOOT_TEST_MODULE" "SDE_TEST_ITOOLS=$BOOT_DIR/initramfs-tools"
			"SCSI_DH_EARLY_LIBDIR=$BOOT_TOP/modules.d/50scsi-dh-early"
			"SCSI_DH_EARLY_RULE=$BOOT_TOP/modules.d/50scsi-dh-early/66-scsi-dh-early.rules")
	fi
	case " ${args[*]} " in
	*" scsi-dh-early "*) project=yes ;;
	esac
	if [ "$project" = yes ] && [ -z "${SCSI_DH_EARLY_BIN:-}" ] &&
		[ -x "$BOOT_TOP/build/scsi-dh-early" ]; then
		envs=("SCSI_DH_EARLY_BIN=$BOOT_TOP/build/scsi-dh-early" ${envs[@]+"${envs[@]}"})
	fi
	if [ "$itools" = yes ]; then
		# the builder and the project's hook count with their content
		key=$(boot_image_key "$project" ${envs[@]+"${envs[@]}"} "${args[@]}" "$builder" \
			"$BOOT_TOP/dist/initramfs-tools" \
			"initramfs-tools $(dpkg-query -W -f='${Version}' initramfs-tools 2>/dev/null)")
		extra=()
	else
		[ "$project" = yes ] || args+=(--no-project-module)
		args+=(--module-dir "$BOOT_TEST_MODULE" --add sde-test)
		if [ -n "${SDE_BOOT_COMPRESS:-}" ]; then
			extra=(--compress "$SDE_BOOT_COMPRESS" ${extra[@]+"${extra[@]}"})
		else
			extra=(--no-compress ${extra[@]+"${extra[@]}"})
		fi
		key=$(boot_image_key "$project" ${envs[@]+"${envs[@]}"} "${args[@]}" -- "${extra[@]}")
	fi
	local stem=$name
	[ "$BOOT_KMETA" = linux-image-amd64 ] || stem=$name.$BOOT_KVER
	out=$BOOT_WORK/images/$stem-$key.img
	if [ -s "$out" ] && [ "${SDE_BOOT_REBUILD:-0}" != 1 ]; then
		boot_log "image $name: cached $out"
		printf '%s\n' "$out"
		return 0
	fi
	mkdir -p "$BOOT_WORK/images"
	rm -f "$BOOT_WORK/images/$stem"-*.img
	local start end log=$BOOT_WORK/images/$stem.log
	start=$(date +%s%N)
	if ! env ${envs[@]+"${envs[@]}"} "$builder" -o "$out.tmp" \
		"${args[@]}" ${extra[@]+-- "${extra[@]}"} >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		rm -f "$out.tmp"
		boot_fail "image $name: ${builder##*/} failed (log: $log)"
		return 1
	fi
	mv "$out.tmp" "$out"
	end=$(date +%s%N)
	boot_log "image $name: built in $(boot_secs "$start" "$end") s: $out"
	printf '%s\n' "$out"
}

boot_secs() {
	local ms=$((($2 - $1) / 1000000))
	printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100))
}

# ---- booting -------------------------------------------------------------

# boot_qemu_disks DIR SPEC...: create the backing files, print QEMU arguments
# one per line.
boot_qemu_disks() {
	local dir=$1 i=0 spec vendor product props dev
	shift
	echo -device
	echo virtio-scsi-pci,id=scsi0
	for spec in "$@"; do
		vendor=${spec%%:*}
		product=${spec#*:}
		props=
		case $product in
		*:*)
			props=,${product#*:}
			product=${product%%:*}
			;;
		esac
		truncate -s 1M "$dir/disk$i.raw"
		dev="scsi-hd,bus=scsi0.0,drive=disk$i,scsi-id=$i,lun=0"
		[ -n "$vendor" ] && dev+=",vendor=$vendor"
		[ -n "$product" ] && dev+=",product=$product"
		printf '%s\n' -drive "if=none,id=disk$i,format=raw,file=$dir/disk$i.raw" \
			-device "$dev$props"
		i=$((i + 1))
	done
}

# boot_qemu_lock_held: an open descriptor of this shell (inherited from the
# caller) is the machine-wide QEMU lock file
boot_qemu_lock_held() {
	local fd lock
	lock=$(readlink -f "$BOOT_QEMU_LOCK" 2>/dev/null) || return 1
	for fd in /proc/"$BASHPID"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$lock" ] && return 0
	done
	return 1
}

# boot_scenario NAME: boot it and check its expectations, one run at a time
# (runs share the image cache and the log directories).
boot_scenario() {
	mkdir -p "$BOOT_WORK"
	(
		flock 9 || exit 1
		boot_scenario_run "$1"
	) 9>"$BOOT_WORK/.lock"
}

# boot_scenario_run NAME: boot it and check its expectations.
# Logs go to $BOOT_WORK/logs/NAME/: console.log (ttyS0), report.log (ttyS1),
# report-REPORT.txt (each report, extracted), qemu.cmd.
# Returns 0 passed, 1 failed, 77 skipped.
boot_scenario_run() {
	local name=$1 img dir need rc start end secs timeout cmdline reports report
	local -a qemu diskspecs=() diskargs=() extra=()
	[ -n "${SC_IMAGE[$name]+set}" ] || boot_fail "unknown scenario '$name'" || return
	while IFS= read -r need; do
		[ -z "$need" ] && continue
		case $need in
		/*) ;;
		*) need=$BOOT_TOP/$need ;;
		esac
		if [ ! -e "$need" ]; then
			boot_log "scenario $name: skipped, $need does not exist"
			return 77
		fi
	done <<<"${SC_NEEDS[$name]}"
	boot_kernel_env "${SC_KERNEL[$name]:-}" || return 1
	img=$(boot_image "${SC_IMAGE[$name]}") || return 1

	dir=$BOOT_WORK/logs/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -n "${SC_DISKS[$name]:-}" ]; then
		[ -n "${BOOT_DISKS[${SC_DISKS[$name]}]+set}" ] ||
			boot_fail "scenario $name: unknown disks '${SC_DISKS[$name]}'" || return
		eval "diskspecs=(${BOOT_DISKS[${SC_DISKS[$name]}]})"
	fi
	case ${SC_ROOT[$name]:-} in
	'')
		cmdline="$BOOT_CMDLINE $BOOT_RAMROOT"
		reports=${SC_REPORTS[$name]:-pre-mount}
		;;
	busybox)
		boot_rootfs "$name" "$dir/root.img" || return 1
		cmdline="$BOOT_CMDLINE $BOOT_DISKROOT"
		diskargs=(-drive "if=none,id=root,format=raw,file=$dir/root.img"
			-device "virtio-blk-pci,drive=root")
		reports=${SC_REPORTS[$name]:-pre-mount root}
		;;
	debian)
		# realroot.sh: a Debian root with systemd and the package
		boot_rootfs_debian "$name" "$dir/root.img" || return
		cmdline="$BOOT_CMDLINE $BOOT_DISKROOT"
		diskargs=(-drive "if=none,id=root,format=raw,file=$dir/root.img"
			-device "virtio-blk-pci,drive=root")
		reports=${SC_REPORTS[$name]:-pre-mount real root}
		;;
	*)
		boot_fail "scenario $name: unknown root '${SC_ROOT[$name]}'"
		return 1
		;;
	esac
	cmdline+=" ${SC_CMDLINE[$name]:-}"
	[ -n "${SC_LUNS[$name]:-}" ] && cmdline+=" sde.luns=${SC_LUNS[$name]}"
	cmdline=$(printf '%s' "$cmdline" | tr -s ' \t\n' '   ')
	read -ra extra <<<"${SC_QEMU[$name]:-}"
	qemu=("$BOOT_QEMU" -accel tcg -nodefaults -no-reboot -display none -monitor none
		-m 1024 -smp "$BOOT_SMP"
		-serial "file:$dir/console.log" -serial "file:$dir/report.log"
		-kernel "$BOOT_VMLINUZ" -initrd "$img" -append "$cmdline")
	mapfile -t -O "${#qemu[@]}" qemu < <(boot_qemu_disks "$dir" ${diskspecs[@]+"${diskspecs[@]}"})
	qemu+=(${diskargs[@]+"${diskargs[@]}"} ${extra[@]+"${extra[@]}"})
	printf '%q ' "${qemu[@]}" >"$dir/qemu.cmd"
	echo >>"$dir/qemu.cmd"

	timeout=${SC_TIMEOUT[$name]:-$BOOT_TIMEOUT}
	rc=0
	# one QEMU at a time on the machine, whoever runs it (the boot suite of
	# any worktree, make bench): boots under TCG share the CPUs, and their
	# timing is part of what some scenarios measure.  A caller that holds the
	# lock already ("flock /tmp/sde-qemu.lock run.sh ...") passed us its
	# descriptor: locking again through a new one would wait for ever.
	if boot_qemu_lock_held; then
		start=$(date +%s%N)
		timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$dir/qemu.out" 2>&1 || rc=$?
		end=$(date +%s%N)
	else
		{
			flock 8 || boot_fail "cannot lock $BOOT_QEMU_LOCK" || return
			start=$(date +%s%N)
			timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$dir/qemu.out" 2>&1 || rc=$?
			end=$(date +%s%N)
		} 8>>"$BOOT_QEMU_LOCK"
	fi
	secs=$(boot_secs "$start" "$end")
	rm -f "$dir"/disk*.raw "$dir/root.img"

	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		boot_log "boot $name: TIMEOUT after $secs s"
		boot_tail "$dir"
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		boot_log "boot $name: qemu exited $rc after $secs s"
		cat "$dir/qemu.out" >&2
		boot_tail "$dir"
		return 1
	fi
	boot_log "boot $name: $secs s"
	for report in $reports; do
		if ! boot_extract "$dir/report.log" "$report" >"$dir/report-$report.txt"; then
			boot_log "boot $name: no complete report '$report' in $dir/report.log"
			boot_tail "$dir"
			return 1
		fi
	done
	boot_check "$name" "$dir" || {
		for report in $reports; do
			boot_log "report $report of $name:"
			sed 's/^/#   /' "$dir/report-$report.txt" >&2
		done
		return 1
	}
}

# boot_rootfs SCENARIO IMAGE: a small ext4 root file system with busybox, the
# report script, the scenario's files, and an /sbin/init that runs the
# scenario's commands, prints the report "root" and powers off.
boot_rootfs() {
	local name=$1 out=$2 root lib spec src dst app
	root=$(mktemp -d "${TMPDIR:-/tmp}/sde-root.XXXXXX")
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,usr/sbin,usr/bin}
	cp /bin/busybox "$root/bin/busybox"
	# busybox is dynamically linked on Debian: its libraries and loader
	while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd /bin/busybox | grep -o '/[^ ]*')
	for app in $(/bin/busybox --list); do
		[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
	done
	cp "$BOOT_TEST_MODULE/sde-report.sh" "$root/sbin/sde-report"
	printf 'NAME=sde-test\nID=sde-test\n' >"$root/etc/os-release"
	while IFS= read -r spec; do
		[ -z "$spec" ] && continue
		src=${spec%%:*}
		dst=${spec#*:}
		[ "${src#/}" != "$src" ] || src=$BOOT_TOP/$src
		mkdir -p "$root$(dirname "$dst")"
		cp -L "$src" "$root$dst"
	done <<<"${SC_ROOTFILES[$name]}"
	{
		echo '#!/bin/sh'
		echo '# the initramfs has moved /dev, /proc, /sys and /run here'
		echo 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin'
		echo 'echo "<6>sde-test: init of the root file system" > /dev/kmsg'
		printf '%s\n' "${SC_ROOTCMDS[$name]}"
		echo '/sbin/sde-report root'
		echo 'echo o > /proc/sysrq-trigger'
		echo 'sleep 30'
	} >"$root/sbin/init"
	chmod 755 "$root/sbin/init" "$root/sbin/sde-report"
	rm -f "$out"
	if ! mke2fs -q -t ext4 -O ^has_journal -d "$root" "$out" 32M >"$out.log" 2>&1; then
		cat "$out.log" >&2
		rm -rf "$root" "$out.log"
		boot_fail "scenario $name: mke2fs failed"
		return 1
	fi
	rm -f "$out.log"
	rm -rf "$root"
}

boot_tail() {
	boot_log "last console lines ($1/console.log):"
	tail -n 40 "$1/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/#   /' >&2
	if [ -s "$1/report.log" ]; then
		boot_log "report port ($1/report.log):"
		tr -d '\r' <"$1/report.log" | tail -n 40 | sed 's/^/#   /' >&2
	fi
}

# boot_extract FILE NAME: print the lines between the markers of report NAME;
# fails unless both markers are there.
boot_extract() {
	tr -d '\r' <"$1" | awk -v b="@@SDE-BEGIN $2@@" -v e="@@SDE-END $2@@" '
		$0 == b { on = 1; got = 1; next }
		$0 == e { if (on) done = 1; on = 0; next }
		on { print }
		END { exit !(got && done) }'
}

# ---- expectations --------------------------------------------------------

# boot_sel_match SEL HCTL HOST VENDOR MODEL
boot_sel_match() {
	local sel=$1 term key pat val
	[ "$sel" = all ] && return 0
	local IFS=,
	for term in $sel; do
		key=${term%%=*}
		pat=${term#*=}
		case $key in
		hctl) val=$2 ;;
		host) val=$3 ;;
		vendor) val=$4 ;;
		model) val=$5 ;;
		*)
			boot_fail "unknown selector key '$key'"
			return 2
			;;
		esac
		# shellcheck disable=SC2053  # the pattern is a glob on purpose
		[[ $val == $pat ]] || return 1
	done
	return 0
}

# boot_devices REPORT SEL FIELD: print "HCTL VALUE" for each matching device,
# FIELD 6 = dh_state, 7 = access_state.
boot_devices() {
	local tag hctl host vendor model dh access rc
	while IFS='|' read -r tag hctl host vendor model dh access; do
		[ "$tag" = dev ] || continue
		rc=0
		boot_sel_match "$2" "$hctl" "$host" "$vendor" "$model" || rc=$?
		[ "$rc" -eq 2 ] && return 2
		[ "$rc" -eq 0 ] || continue
		case $3 in
		6) printf '%s %s\n' "$hctl" "$dh" ;;
		7) printf '%s %s\n' "$hctl" "$access" ;;
		esac
	done <"$1"
}

# boot_grep REPORT TAG ERE: does a "TAG|..." line match ERE (after the tag)?
# (grep reads to the end: with -q an early match killed sed with SIGPIPE on a
# long report, and pipefail turned the match into a failure)
boot_grep() {
	sed -n "s/^$2|//p" "$1" | grep -E -- "$3" >/dev/null
}

boot_check_one() {
	local report=$1 check=$2 kind rest sel want devs n bad
	kind=${check%% *}
	rest=${check#* }
	case $kind in
	dh | access)
		want=${rest##* }
		sel=${rest% *}
		devs=$(boot_devices "$report" "$sel" "$([ "$kind" = dh ] && echo 6 || echo 7)") ||
			return 1
		[ -n "$devs" ] || {
			echo "no device matches '$sel'"
			return 1
		}
		# want: one value, or values joined by "|"
		bad=$(awk -v w="$want" 'BEGIN { n = split(w, v, "|") }
			{ for (i = 1; i <= n; i++) if ($2 == v[i]) next; print }' <<<"$devs")
		[ -z "$bad" ] || {
			echo "expected $want, got: $(tr '\n' ' ' <<<"$bad")"
			return 1
		}
		;;
	count)
		want=${rest##* }
		sel=${rest% *}
		devs=$(boot_devices "$report" "$sel" 6) || return 1
		n=0
		[ -n "$devs" ] && n=$(wc -l <<<"$devs")
		[ "$n" -eq "$want" ] || {
			echo "$n devices match"
			return 1
		}
		;;
	mod) grep -qx "mod|$rest" "$report" || return 1 ;;
	'!mod') ! grep -qx "mod|$rest" "$report" || return 1 ;;
	kmsg | json | line)
		if [ "$kind" = line ]; then
			grep -Eq -- "$rest" "$report"
		else
			boot_grep "$report" "$kind" "$rest"
		fi
		;;
	'!kmsg' | '!json' | '!line')
		if [ "$kind" = '!line' ]; then
			! grep -Eq -- "$rest" "$report"
		else
			! boot_grep "$report" "${kind#!}" "$rest"
		fi
		;;
	# grep without -q reads to the end: an early exit would kill tr with
	# SIGPIPE, and pipefail would turn a match into a failure (or, under !, a
	# match into a pass)
	console) tr -d '\r' <"${report%/*}/console.log" | grep -E -- "$rest" >/dev/null ;;
	consolecount)
		want=${rest%% *}
		rest=${rest#* }
		n=$(tr -d '\r' <"${report%/*}/console.log" | grep -cE -- "$rest" || :)
		[ "$n" -eq "$want" ] || {
			echo "$n console lines match, not $want"
			return 1
		}
		;;
	'!console') ! tr -d '\r' <"${report%/*}/console.log" | grep -E -- "$rest" >/dev/null ;;
	linecount)
		local op=${rest%% *}
		rest=${rest#* }
		want=${rest%% *}
		rest=${rest#* }
		n=$(grep -cE -- "$rest" "$report" || :)
		case $op in
		=) [ "$n" -eq "$want" ] ;;
		!=) [ "$n" -ne "$want" ] ;;
		\<) [ "$n" -lt "$want" ] ;;
		\<=) [ "$n" -le "$want" ] ;;
		\>) [ "$n" -gt "$want" ] ;;
		\>=) [ "$n" -ge "$want" ] ;;
		*) false ;;
		esac || {
			echo "$n lines match"
			return 1
		}
		;;
	array) boot_array_check "$report" "$rest" ;;
	status) grep -qx "status|$rest" "$report" || {
		echo "got $(sed -n 's/^status|//p' "$report")"
		return 1
	} ;;
	*)
		echo "unknown check"
		return 1
		;;
	esac
}

boot_check() {
	local name=$1 dir=$2 check report tag why failed=0
	while IFS= read -r check; do
		[ -z "$check" ] && continue
		report=pre-mount
		if [ "${check#@}" != "$check" ]; then
			report=${check%% *}
			report=${report#@}
			check=${check#* }
		fi
		tag=
		[ "$report" = pre-mount ] || tag="@$report "
		if [ ! -f "$dir/report-$report.txt" ]; then
			boot_log "  FAIL $tag$check: no report '$report' (see reports=)"
			failed=1
		elif why=$(boot_check_one "$dir/report-$report.txt" "$check"); then
			boot_log "  ok   $tag$check"
		else
			boot_log "  FAIL $tag$check${why:+: $why}"
			failed=1
		fi
	done <<<"${SC_EXPECT[$name]}"
	return "$failed"
}

# root=debian
# shellcheck source-path=SCRIPTDIR source=realroot.sh
. "$BOOT_DIR/realroot.sh"
