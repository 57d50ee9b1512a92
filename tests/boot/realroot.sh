# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# root=debian for the boot harness (lib.sh): after the initramfs, a real
# Debian root with systemd as PID 1 and the project's Debian package
# installed with dpkg, as an administrator would.  The root comes from
# scripts/fetch-root.sh (mmdebstrap, cached), the package from
# scripts/build-packages.sh (rebuilt when the tree is newer).  Into a copy of
# the root go:
#
#   - the test kernel's SCSI and device-mapper modules and module indexes
#     (the real root's udev, the helper and multipathd look there);
#   - PowerPath.service, a stub of the third-party multipath service: ordered
#     against nothing but what the package's drop-in says, it records when it
#     started and whether scsi-dh-early.service had finished by then;
#   - sde-real.service, late in the boot: it waits for the LUNs, counts the
#     helper runs so far, hot-adds sde.real_hotplug=N scsi_debug hosts, waits
#     for sde.real_luns=M SCSI devices, counts again, prints the reports
#     "real" (what this file's checks read) and "root" (sde-report's), and
#     powers off.
#
# Report "real", one record a line, fields separated by "|":
#   order|A<B|yes or no   unit A's main process had exited before unit B
#                         started (systemd's monotonic timestamps); for
#                         multipathd.service, a daemon: it was up by then
#   powerpath|<what the stub recorded>
#   unit|NAME|<Result>|<ExecMainStatus>
#   late|free or locked   the runners' lock once scsi-dh-early-late@4242.service,
#                         started by a kick by hand after the hot-add, is done
#   latejournal|<a line of its journal> (the unit itself is gone once it has
#                         finished: systemd unloads an inactive instance)
#   rule|N                RUN lines of the rule the real root's sweep wrote to
#                         /run/udev/rules.d
#   runs|coldplug|N       helper runs seen in the kernel log before the hot-add
#   runs|hotplug|N        the same after it
#   statusboot|<line of scsi-dh-early status --boot>
#   statusroot|<line of /run/scsi-dh-early/status-root.txt>
#   kmsgrun|<a helper's summary line from the kernel log, in order>
#   enabled|<systemctl is-enabled scsi-dh-early.service>
#   journal|<a line of journalctl -b -u scsi-dh-early.service>

# boot_realroot_deb: print the path of the Debian package, built from the tree
# unless one newer than every source file is there.
boot_realroot_deb() {
	local version arch deb newer
	version=$(make -s -C "$BOOT_TOP" --no-print-directory version) || return 1
	arch=$(dpkg --print-architecture) || return 1
	deb=$BOOT_TOP/build/pkg/deb/scsi-dh-early_${version}_$arch.deb
	if [ -f "$deb" ]; then
		newer=$(cd "$BOOT_TOP" && find Makefile mk src modules.d dist dracut.conf.d debian man \
			-newer "$deb" -type f -print -quit)
		[ -z "$newer" ] || deb=
	fi
	if [ -z "$deb" ] || [ ! -f "$deb" ]; then
		boot_log "building the Debian package (scripts/build-packages.sh deb)"
		deb=$("$BOOT_TOP/scripts/build-packages.sh" deb | grep -v -- '-dbgsym_' | grep '\.deb$') ||
			return 1
	fi
	printf '%s\n' "$deb"
}

# boot_rootfs_debian SCENARIO IMAGE: the Debian root with the package, the
# stubs and the report service, as an ext4 image.  Returns 77 when this
# machine cannot make one.
boot_rootfs_debian() {
	local name=$1 out=$2 base root deb c m rc=0
	for c in mmdebstrap chroot dpkg dpkg-buildpackage; do
		command -v "$c" >/dev/null || {
			boot_log "scenario $name: skipped, $c not found"
			return 77
		}
	done
	[ "$(id -u)" -eq 0 ] || {
		boot_log "scenario $name: skipped, needs root (chroot, dpkg)"
		return 77
	}
	base=$("$BOOT_TOP/scripts/fetch-root.sh") || boot_fail "scenario $name: fetch-root.sh failed" ||
		return
	# the package tests may rebuild build/pkg meanwhile: take a copy under
	# scripts/build-packages.sh's lock
	deb=$BOOT_WORK/$name.deb
	mkdir -p "$BOOT_TOP/build"
	(
		flock 9 || exit 1
		d=$(SDE_PKG_LOCKED=1 boot_realroot_deb) && cp "$d" "$deb"
	) 9>"$BOOT_TOP/build/.pkg.lock" || boot_fail "scenario $name: no Debian package" || return
	root=$BOOT_WORK/rootfs.$name
	rm -rf "$root"
	cp -a "$base" "$root"
	rm -f "$root/.complete"

	# The kernel's SCSI and device-mapper modules and the indexes (enough for
	# the SCSI stack, the handlers, scsi_debug and multipathd's dm-multipath),
	# not the whole 400 MB tree.
	m=lib/modules/$BOOT_KVER
	mkdir -p "$root/$m/kernel/drivers"
	cp -a "$BOOT_CACHE/kernel/$m"/modules.* "$root/$m/"
	cp -a "$BOOT_CACHE/kernel/$m/kernel/drivers/scsi" "$BOOT_CACHE/kernel/$m/kernel/drivers/md" \
		"$root/$m/kernel/drivers/"

	mv "$deb" "$root/tmp/"
	if ! chroot "$root" dpkg -i "/tmp/${deb##*/}" >"$out.dpkg.log" 2>&1; then
		cat "$out.dpkg.log" >&2
		rm -rf "$root"
		boot_fail "scenario $name: dpkg -i failed in the root"
		return 1
	fi
	rm -f "$root/tmp/${deb##*/}" "$out.dpkg.log"

	boot_realroot_files "$root" "$name"
	rm -f "$out"
	mke2fs -q -t ext4 -O ^has_journal -d "$root" "$out" 640M >"$out.log" 2>&1 || rc=$?
	rm -rf "$root"
	if [ "$rc" -ne 0 ]; then
		cat "$out.log" >&2
		rm -f "$out.log"
		boot_fail "scenario $name: mke2fs failed"
		return 1
	fi
	rm -f "$out.log"
}

# boot_realroot_files ROOT SCENARIO: the stub, the report service and its
# script; for a scenario with the array (sde.array=), the boot suite's
# multipath.conf, as in its multipath images.
boot_realroot_files() {
	local root=$1 name=$2
	printf 'sde-test\n' >"$root/etc/hostname"
	# a root password is not needed: no login ever happens
	cp "$BOOT_TEST_MODULE/sde-report.sh" "$root/usr/local/sbin/sde-report"
	mkdir -p "$root/usr/local/lib"
	cp "$BOOT_TEST_MODULE/sde-mpath.sh" "$root/usr/local/lib/sde-mpath.sh"
	case ${SC_CMDLINE[$name]:-} in
	*sde.array=*) cp "$BOOT_DIR/files/multipath.conf" "$root/etc/multipath.conf" ;;
	esac
	cat >"$root/etc/systemd/system/PowerPath.service" <<-'UNIT'
	# Test stub of a third-party multipath service.  Like the real one it
	# starts early; only the package's drop-in orders scsi-dh-early before it.
	[Unit]
	Description=Test stub: a third-party multipath service
	DefaultDependencies=no
	After=systemd-modules-load.service
	Before=sysinit.target

	[Service]
	Type=oneshot
	RemainAfterExit=yes
	ExecStart=/bin/sh -c 'read -r up _ < /proc/uptime; echo "started=$up scsi-dh-early=$(systemctl is-active scsi-dh-early.service)" > /run/powerpath.started'

	[Install]
	WantedBy=sysinit.target
	UNIT
	cat >"$root/etc/systemd/system/sde-real.service" <<-'UNIT'
	[Unit]
	Description=Test: real-root report and power-off
	After=multi-user.target PowerPath.service scsi-dh-early.service

	[Service]
	Type=oneshot
	ExecStart=/bin/sh /usr/local/sbin/sde-real
	StandardOutput=journal+console

	[Install]
	WantedBy=multi-user.target
	UNIT
	ln -s /etc/systemd/system/PowerPath.service \
		"$root/etc/systemd/system/sysinit.target.wants/PowerPath.service"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -s /etc/systemd/system/sde-real.service \
		"$root/etc/systemd/system/multi-user.target.wants/sde-real.service"
	# nothing on the consoles but the kernel and the test
	systemctl --root "$root" mask -q serial-getty@ttyS0.service serial-getty@ttyS1.service \
		getty@tty1.service 2>/dev/null || :
	cat >"$root/usr/local/sbin/sde-real" <<-'SCRIPT'
	#!/bin/sh
	# SPDX-License-Identifier: GPL-2.0-or-later
	# Test only: see tests/boot/realroot.sh.
	out=/dev/console
	real_hot=0
	real_luns=
	luns=
	array_luns=
	read -r cmdline < /proc/cmdline
	for arg in $cmdline; do
		case $arg in
		sde.out=*) out=${arg#sde.out=} ;;
		sde.real_hotplug=*) real_hot=${arg#sde.real_hotplug=} ;;
		sde.real_luns=*) real_luns=${arg#sde.real_luns=} ;;
		sde.luns_after=*) luns=${arg#sde.luns_after=} ;;
		sde.array=*) array_luns=${array_luns:-16} ;;
		sde.array.luns=*) array_luns=${arg#sde.array.luns=} ;;
		esac
	done

	# wait N: until there are N SCSI devices (0.1 s steps, 120 s at most)
	wait_luns() {
		i=0
		while :; do
			n=0
			for d in /sys/class/scsi_device/*; do
				[ -e "$d" ] && n=$((n + 1))
			done
			[ "$n" -ge "$1" ] && return 0
			i=$((i + 1))
			[ "$i" -gt 1200 ] && return 1
			sleep 0.1
		done
	}

	# the helper's summary lines in the kernel log, one per run
	runs() {
		dmesg | grep -E '\] scsi-dh-early: [0-9]+ LUNs?:' | sed 's/^.*\] scsi-dh-early: //'
	}

	# no late work pending and no runner holding the flock(1) lock
	late_idle() {
		[ ! -e /run/scsi-dh-early/late-pending ] || return 1
		[ ! -e /run/scsi-dh-early/late-lock ] ||
			flock -n /run/scsi-dh-early/late-lock true 2>/dev/null
	}

	# before A B: unit A had finished before unit B started (A's main
	# process had exited: a oneshot that failed has no ActiveEnter time);
	# before A B ActiveEnter: A, a daemon, was up (had told systemd it is
	# ready) by then
	before() {
		a=$(systemctl show -P "${3:-ExecMainExit}TimestampMonotonic" "$1")
		b=$(systemctl show -P InactiveExitTimestampMonotonic "$2")
		if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -le "$b" ]; then
			echo "order|$1<$2|yes"
		else
			echo "order|$1<$2|no ($a, $b)"
		fi
	}

	[ -n "$luns" ] && wait_luns "$luns"
	udevadm settle --timeout=60
	coldplug=$(runs | wc -l)
	if [ "$real_hot" -gt 0 ]; then
		echo "$real_hot" > /sys/bus/pseudo/drivers/scsi_debug/add_host
		[ -n "$real_luns" ] && wait_luns "$real_luns"
		udevadm settle --timeout=60
	fi
	hotplug=$(runs | wc -l)
	# sde.array=: the array the initramfs built (sde-array.sh), now under
	# the real root's multipathd.service: once every LUN has its map of 2
	# paths (180 s at most), multipathd's view and the status table of the
	# real root beside the initramfs's figures (sde-mpath.sh, sde-report)
	if [ -n "$array_luns" ] && [ -r /run/sde-array.out ]; then
		i=0
		while [ "$i" -lt 360 ]; do
			n=$(multipathd show maps raw format "%N" 2>/dev/null | grep -c '^ *2 *$')
			[ "$n" -ge "$array_luns" ] && break
			i=$((i + 1))
			sleep 0.5
		done
		udevadm settle --timeout=60
		. /usr/local/lib/sde-mpath.sh
		{
			grep -v '^array|mpath_' /run/sde-array.out
			sde_array_mpath_report
		} > /run/sde-array-real.out 2>&1
		export SDE_ARRAY_OUT=/run/sde-array-real.out
	fi
	# a kick as the udev rule gives one, by hand: the runner unit it starts
	# sweeps (nothing new: silently) and lets go of the lock
	# (60 s at most: systemctl is slow under emulation)
	SEQNUM=4242 timeout 20 /usr/lib/scsi-dh-early/scsi-dh-late kick
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt "$end" ]; do
		late_idle && break
		sleep 1
	done
	{
		echo "@@SDE-BEGIN real@@"
		before systemd-modules-load.service scsi-dh-early.service
		before systemd-udev-trigger.service scsi-dh-early.service
		before scsi-dh-early.service PowerPath.service
		before multipathd.service scsi-dh-early.service ActiveEnter
		echo "powerpath|$(cat /run/powerpath.started 2>&1)"
		for u in scsi-dh-early.service PowerPath.service multipathd.service; do
			echo "unit|$u|$(systemctl show -P Result "$u")|$(systemctl show -P ExecMainStatus "$u")"
		done
		u=scsi-dh-early-late@4242.service
		echo "late|$(late_idle && echo free || echo locked)"
		journalctl -b -o cat -u "$u" 2>&1 | sed 's/^/latejournal|/'
		echo "rule|$(grep -c '^RUN+="/usr/lib/scsi-dh-early/scsi-dh-late kick"$' /run/udev/rules.d/66-scsi-dh-early.rules 2>&1)"
		echo "runs|coldplug|$coldplug"
		echo "runs|hotplug|$hotplug"
		runs | sed 's/^/kmsgrun|/'
		/usr/sbin/scsi-dh-early status --boot 2>&1 | sed 's/^/statusboot|/'
		sed 's/^/statusroot|/' /run/scsi-dh-early/status-root.txt 2>&1
		echo "enabled|$(systemctl is-enabled scsi-dh-early.service 2>&1)"
		journalctl -b -o cat -u scsi-dh-early.service 2>&1 | sed 's/^/journal|/'
		echo "@@SDE-END real@@"
	} > "$out" 2>&1
	/usr/local/sbin/sde-report root
	sync
	echo o > /proc/sysrq-trigger
	sleep 30
	SCRIPT
	chmod 755 "$root/usr/local/sbin/sde-real" "$root/usr/local/sbin/sde-report"
}
