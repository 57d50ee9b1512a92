#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The hooks at work, without a VM: a classic image (with busybox, so its
# /bin/sh is busybox's ash) is unpacked once, the helper, modprobe and udevadm
# in it are replaced by stubs that log their arguments, and the hooks run in a
# chroot the way init.sh runs them (dracut-lib.sh's source_hook) or the way
# the systemd units do (sh -c '. script').  With no /proc in the chroot,
# dracut-lib reads the command line from /etc/cmdline.d; /dev/kmsg is a plain
# file there, so dracut's last info line can be read back.

bats_require_minimum_version 1.5.0

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export TOP
	[ "$(id -u)" -eq 0 ] || skip "needs root (chroot)"
	[ -x "$TOP/build/scsi-dh-early" ] || skip "build/scsi-dh-early not built (make)"
	command -v dracut >/dev/null || skip "dracut not installed"
	command -v busybox >/dev/null || skip "busybox not installed"
	"$TOP/scripts/fetch-kernel.sh" >/dev/null || skip "no test kernel (scripts/fetch-kernel.sh)"

	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/etc"
	SCSI_DH_EARLY_BIN=$TOP/build/scsi-dh-early SCSI_DH_EARLY_SYSCONFDIR=$d/etc \
		"$TOP/scripts/build-initrd.sh" -o "$d/hooks.img" --classic \
		--add "scsi-dh-early busybox" -- --no-kernel >"$d/build.log" 2>&1 || {
		cat "$d/build.log" >&3
		return 1
	}
	grep -h 'build-initrd.sh: built' "$d/build.log" >&3 || :

	export ROOT=$d/root
	mkdir -p "$ROOT"
	(cd "$ROOT" && lsinitrd --unpack "$d/hooks.img")
	local stub
	for stub in usr/sbin/scsi-dh-early usr/sbin/modprobe usr/bin/udevadm; do
		rm -f "$ROOT/$stub"
		cat >"$ROOT/$stub" <<-'EOF'
			#!/bin/sh
			echo "${0##*/} $*" >>/tmp/calls.log
			[ -z "$STUB_STDERR" ] || echo "$STUB_STDERR" >&2
			exit "${STUB_RC:-0}"
		EOF
		chmod 0755 "$ROOT/$stub"
	done
	cp "$ROOT/etc/modprobe.d/scsi-dh-early.conf" "$d/softdeps.conf"
	# The systemd units' copies of the scripts.
	mkdir -p "$ROOT/usr/lib/scsi-dh-early"
	cp "$TOP/modules.d/50scsi-dh-early/scsi-dh-preload.sh" \
		"$TOP/modules.d/50scsi-dh-early/scsi-dh-apply.sh" "$ROOT/usr/lib/scsi-dh-early/"
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	rm -rf "${ROOT:?}/run" "${ROOT:?}/tmp" "${ROOT:?}/dev" "${ROOT:?}/etc/cmdline.d"
	mkdir -p "$ROOT/run" "$ROOT/tmp" "$ROOT/dev" "$ROOT/etc/cmdline.d"
	: >"$ROOT/dev/null"
	: >"$ROOT/dev/kmsg"
	: >"$ROOT/tmp/calls.log"
	cp "$BATS_FILE_TMPDIR/softdeps.conf" "$ROOT/etc/modprobe.d/scsi-dh-early.conf"
}

# The kernel command line of the next run: cmdline ARGS...
cmdline() {
	echo "$*" >"$ROOT/etc/cmdline.d/99-test.conf"
}

# Run a shell command in the image: in_image [VAR=value...] COMMAND
in_image() {
	local env=()
	while [ $# -gt 1 ]; do
		env+=("$1")
		shift
	done
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${env[@]}" /bin/sh -c "$1"
}

calls() {
	cat "$ROOT/tmp/calls.log"
}

@test "the image's /bin/sh is busybox's" {
	run readlink "$ROOT/usr/bin/sh"
	assert_output busybox
}

@test "cmdline stage: the preload comes before the rd.driver.pre= modules" {
	cmdline root=/dev/sda rd.driver.pre=qla2xxx
	run in_image '. /lib/dracut-lib.sh; source_hook cmdline; echo "cmdline done"'
	assert_success
	assert_line 'cmdline done'
	run calls
	assert_line --index 0 'scsi-dh-early -q preload'
	assert_line --index 1 'modprobe qla2xxx'
	assert_equal "${#lines[@]}" 2
	assert [ ! -e "$ROOT/run/scsi-dh-early" ]
}

@test "rd.scsi_dh=0: logged once, marked for the real root, no helper run, no softdeps" {
	cmdline root=/dev/sda rd.driver.pre=qla2xxx rd.scsi_dh=0
	run in_image '. /lib/dracut-lib.sh; source_hook cmdline; source_hook pre-mount; echo done'
	assert_success
	assert_line 'done'
	run calls
	assert_output 'modprobe qla2xxx'
	run cat "$ROOT/dev/kmsg"
	assert_output '<30>dracut: scsi-dh-early: disabled by rd.scsi_dh=0'
	assert [ -e "$ROOT/run/scsi-dh-early/disabled" ]
	# Else the softdeps would load the handlers with scsi_mod all the same.
	assert [ ! -e "$ROOT/etc/modprobe.d/scsi-dh-early.conf" ]
}

@test "rd.scsi_dh=no and off count as 0, rd.scsi_dh=1 does not" {
	local v
	for v in no off; do
		: >"$ROOT/tmp/calls.log"
		cmdline root=/dev/sda "rd.scsi_dh=$v"
		run in_image '. /lib/dracut-lib.sh; source_hook cmdline; source_hook pre-mount'
		assert_success
		run calls
		assert_output ''
	done
	rm -rf "$ROOT/run/scsi-dh-early"
	cmdline root=/dev/sda rd.scsi_dh=1
	run in_image '. /lib/dracut-lib.sh; source_hook cmdline'
	run calls
	assert_output 'scsi-dh-early -q preload'
	assert [ ! -e "$ROOT/run/scsi-dh-early/disabled" ]
}

@test "rd.scsi_dh given twice: the last one wins, in the hooks and in the units' scripts" {
	# '0 ... 1': on (dracut's getarg returns the last value; so does the helper)
	cmdline root=/dev/sda rd.scsi_dh=0 quiet rd.scsi_dh=1
	run in_image '. /lib/dracut-lib.sh; source_hook cmdline; source_hook pre-mount'
	assert_success
	run calls
	assert_line 'scsi-dh-early -q preload'
	assert_line 'scsi-dh-early -q apply'
	assert [ ! -e "$ROOT/run/scsi-dh-early/disabled" ]
	: >"$ROOT/tmp/calls.log"
	run in_image DRACUT_SYSTEMD=1 '. /usr/lib/scsi-dh-early/scsi-dh-preload.sh; . /usr/lib/scsi-dh-early/scsi-dh-apply.sh'
	assert_success
	run calls
	assert_line 'scsi-dh-early -q preload'
	assert_line 'scsi-dh-early -q apply'
	# '1 ... 0': off, and the real root's unit told so
	: >"$ROOT/tmp/calls.log"
	cmdline root=/dev/sda rd.scsi_dh=1 quiet rd.scsi_dh=0
	run in_image '. /lib/dracut-lib.sh; source_hook cmdline; source_hook pre-mount'
	assert_success
	run calls
	assert_output ''
	assert [ -e "$ROOT/run/scsi-dh-early/disabled" ]
	run in_image DRACUT_SYSTEMD=1 '. /usr/lib/scsi-dh-early/scsi-dh-preload.sh; . /usr/lib/scsi-dh-early/scsi-dh-apply.sh'
	assert_success
	run calls
	assert_output ''
}

@test "pre-mount stage: one sweep after a bounded udev settle (udevadm's 120 s)" {
	cmdline root=/dev/sda
	run in_image '. /lib/dracut-lib.sh; source_hook pre-mount; echo "pre-mount done"'
	assert_success
	assert_line 'pre-mount done'
	run calls
	assert_line --index 0 'udevadm settle --timeout=120'
	assert_line --index 1 'scsi-dh-early -q apply'
	assert_equal "${#lines[@]}" 2
}

# A systemd initramfs starts the sweep once the coldplug is triggered: the
# wait for udev is what keeps an HBA still being loaded inside the sweep
# (the boot suite's k612-systemd holds one 40 s).
@test "rd.scsi_dh.settle=: the sweep's wait for udev; a bad value or a wait that runs out is said in the kernel log" {
	local hook
	for hook in '. /lib/dracut-lib.sh; source_hook pre-mount' \
		'DRACUT_SYSTEMD=1 . /usr/lib/scsi-dh-early/scsi-dh-apply.sh'; do
		cmdline root=/dev/sda rd.scsi_dh.settle=5 rd.scsi_dh.settle=45
		: >"$ROOT/tmp/calls.log"
		: >"$ROOT/dev/kmsg"
		run in_image "$hook"
		assert_success
		run calls
		assert_line --index 0 'udevadm settle --timeout=45'
		assert_line --index 1 'scsi-dh-early -q apply'
		run cat "$ROOT/dev/kmsg"
		assert_output ''
		# not a number: the default, and one line that says so
		cmdline root=/dev/sda rd.scsi_dh.settle=2m
		: >"$ROOT/tmp/calls.log"
		run in_image "$hook"
		assert_success
		run calls
		assert_line --index 0 'udevadm settle --timeout=120'
		run cat "$ROOT/dev/kmsg"
		assert_output '<4>scsi-dh-early: rd.scsi_dh.settle=2m: not a number of seconds (0-240); waiting 120 s at most'
		# above the bound: the bound, said once
		cmdline root=/dev/sda rd.scsi_dh.settle=600
		: >"$ROOT/tmp/calls.log"
		run in_image "$hook"
		assert_success
		run calls
		assert_line --index 0 'udevadm settle --timeout=240'
		run cat "$ROOT/dev/kmsg"
		assert_output '<4>scsi-dh-early: rd.scsi_dh.settle=600: more than 240 s; waiting 240 s at most'
		# udev still busy when the wait ends (udevadm settle exits 1): the sweep
		# runs, and the log says what it leaves to the rule
		cmdline root=/dev/sda rd.scsi_dh.settle=0
		: >"$ROOT/tmp/calls.log"
		: >"$ROOT/dev/kmsg"
		run in_image STUB_RC=1 "$hook; echo 'went on'"
		assert_success
		assert_line 'went on'
		run calls
		assert_line --index 0 'udevadm settle --timeout=0'
		assert_line --index 1 'scsi-dh-early -q apply'
		run cat "$ROOT/dev/kmsg"
		assert_output '<4>scsi-dh-early: udev has not settled in 0 s (rd.scsi_dh.settle=): the sweep takes the LUNs there now, the udev rule those that come later'
	done
}

@test "whatever the helper returns, the boot goes on; its messages reach the kernel log" {
	local rc stage
	cmdline root=/dev/sda
	for rc in 1 2 127; do
		for stage in cmdline pre-mount; do
			: >"$ROOT/dev/kmsg"
			run in_image STUB_RC="$rc" STUB_STDERR="scsi-dh-early: $stage failed ($rc)" \
				". /lib/dracut-lib.sh; source_hook $stage; echo 'went on'"
			assert_success
			assert_line 'went on'
			# (A plain file here: each info line replaces the one before.)
			run cat "$ROOT/dev/kmsg"
			assert_output "<30>dracut: scsi-dh-early: $stage failed ($rc)"
		done
	done
}

@test "systemd units' way: sh -c '. script' with DRACUT_SYSTEMD=1, output on stdout for the journal" {
	cmdline root=/dev/sda
	run in_image DRACUT_SYSTEMD=1 STUB_STDERR='scsi-dh-early: preload: alua loaded' \
		'. /usr/lib/scsi-dh-early/scsi-dh-preload.sh'
	assert_success
	assert_output 'scsi-dh-early: preload: alua loaded'
	run in_image DRACUT_SYSTEMD=1 '. /usr/lib/scsi-dh-early/scsi-dh-apply.sh'
	assert_success
	run calls
	assert_line --index 0 'scsi-dh-early -q preload'
	assert_line --index 1 'udevadm settle --timeout=120'
	assert_line --index 2 'scsi-dh-early -q apply'
	# rd.scsi_dh=0 from /etc/cmdline.d (ConditionKernelCommandLine= sees only /proc/cmdline).
	: >"$ROOT/tmp/calls.log"
	cmdline root=/dev/sda rd.scsi_dh=0
	run in_image DRACUT_SYSTEMD=1 '. /usr/lib/scsi-dh-early/scsi-dh-preload.sh; . /usr/lib/scsi-dh-early/scsi-dh-apply.sh'
	assert_success
	run calls
	assert_output ''
}

@test "the hooks leave no variables of their own behind" {
	cmdline root=/dev/sda
	run in_image '. /lib/dracut-lib.sh; set > /tmp/before; . /lib/dracut/hooks/cmdline/00-parse-scsi-dh.sh; . /lib/dracut/hooks/cmdline/00-scsi-dh-preload.sh; . /lib/dracut/hooks/pre-mount/05-scsi-dh-apply.sh; set > /tmp/after'
	assert_success
	run diff "$ROOT/tmp/before" "$ROOT/tmp/after"
	assert_success
	assert_output ''
}
