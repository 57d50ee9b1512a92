#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install / make uninstall into a DESTDIR: every file where the
# distribution expects it, the example configuration never overwritten, and
# nothing left behind.

bats_require_minimum_version 1.5.0

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export TOP
	[ -x "$TOP/build/scsi-dh-early" ] || skip "build/scsi-dh-early not built (make)"
	DRACUTMODULESDIR=$(pkg-config --variable=dracutmodulesdir dracut 2>/dev/null) ||
		DRACUTMODULESDIR=/usr/lib/dracut/modules.d
	[ -n "$DRACUTMODULESDIR" ] || DRACUTMODULESDIR=/usr/lib/dracut/modules.d
	export DRACUTMODULESDIR
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	load helpers
	DEST=$BATS_TEST_TMPDIR/dest
}

# Every file make install lays out for PREFIX=/usr, relative to DESTDIR.
expected_files() {
	local f
	echo usr/sbin/scsi-dh-early
	for f in module-setup.sh parse-scsi-dh.sh scsi-dh-preload.sh scsi-dh-apply.sh \
		66-scsi-dh-early.rules scsi-dh-early-preload.service scsi-dh-early-apply.service \
		scsi-dh-late scsi-dh-early-late@.service; do
		echo "${DRACUTMODULESDIR#/}/50scsi-dh-early/$f"
	done
	echo usr/lib/dracut/dracut.conf.d/50-scsi-dh-early.conf
	echo usr/lib/udev/rules.d/66-scsi-dh-early.rules
	echo usr/lib/systemd/system/scsi-dh-early.service
	echo usr/lib/systemd/system/scsi-dh-early-late@.service
	echo usr/lib/scsi-dh-early/scsi-dh-late
	echo usr/share/initramfs-tools/hooks/scsi-dh-early
	echo usr/share/initramfs-tools/scripts/init-top/scsi-dh-early
	echo usr/share/initramfs-tools/scripts/init-premount/scsi-dh-early
	echo usr/lib/systemd/system/scsi-dh-early.service.d/third-party.conf
	echo usr/lib/systemd/system/scsi-dh-early.service.d/hardening.conf
	echo usr/lib/systemd/system/scsi-dh-early-late@.service.d/hardening.conf
	echo usr/lib/systemd/system-preset/80-scsi-dh-early.preset
	echo etc/scsi-dh-early.conf
	for f in "$TOP"/man/*.8; do
		[ -e "$f" ] && echo "usr/share/man/man8/${f##*/}"
	done
	for f in "$TOP"/man/*.5; do
		[ -e "$f" ] && echo "usr/share/man/man5/${f##*/}"
	done
	for f in "$TOP"/man/*.7; do
		[ -e "$f" ] && echo "usr/share/man/man7/${f##*/}"
	done
}

@test "make install lays out every file where the distribution expects it" {
	run make -C "$TOP" --no-print-directory install DESTDIR="$DEST"
	assert_success
	run bash -c "cd '$DEST' && find . -type f -o -type l | sed 's|^\./||' | LC_ALL=C sort"
	assert_output "$(expected_files | LC_ALL=C sort)"

	# Modes: programs and the module's scripts executable, the rest not.
	run stat -c '%a %n' "$DEST/usr/sbin/scsi-dh-early" \
		"$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early/module-setup.sh" \
		"$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early/scsi-dh-preload.sh" \
		"$DEST/usr/lib/udev/rules.d/66-scsi-dh-early.rules" \
		"$DEST/usr/lib/systemd/system/scsi-dh-early.service" \
		"$DEST/etc/scsi-dh-early.conf"
	assert_line --index 0 --regexp '^755 '
	assert_line --index 1 --regexp '^755 '
	assert_line --index 2 --regexp '^755 '
	assert_line --index 3 --regexp '^644 '
	assert_line --index 4 --regexp '^644 '
	assert_line --index 5 --regexp '^644 '

	# Same contents as the tree.
	cmp "$TOP/build/scsi-dh-early" "$DEST/usr/sbin/scsi-dh-early"
	cmp "$TOP/modules.d/50scsi-dh-early/66-scsi-dh-early.rules" \
		"$DEST/usr/lib/udev/rules.d/66-scsi-dh-early.rules"
	cmp "$TOP/modules.d/50scsi-dh-early/module-setup.sh" \
		"$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early/module-setup.sh"
	cmp "$TOP/dist/systemd/scsi-dh-early.service" "$DEST/usr/lib/systemd/system/scsi-dh-early.service"
	cmp "$TOP/dist/etc/scsi-dh-early.conf" "$DEST/etc/scsi-dh-early.conf"
}

@test "make uninstall removes every file and the directories of its own" {
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	run make -C "$TOP" --no-print-directory uninstall DESTDIR="$DEST"
	assert_success
	run find "$DEST" -type f -o -type l
	assert_output ''
	assert [ ! -e "$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early" ]
	assert [ ! -e "$DEST/usr/lib/systemd/system/scsi-dh-early.service.d" ]
	assert [ ! -e "$DEST/usr/lib/scsi-dh-early" ]
}

@test "make install keeps an existing configuration, make uninstall a changed one" {
	mkdir -p "$DEST/etc"
	echo 'preload = alua' >"$DEST/etc/scsi-dh-early.conf"
	run make -C "$TOP" --no-print-directory install DESTDIR="$DEST"
	assert_success
	assert_line --partial "keeping $DEST/etc/scsi-dh-early.conf"
	run cat "$DEST/etc/scsi-dh-early.conf"
	assert_output 'preload = alua'
	run make -C "$TOP" --no-print-directory uninstall DESTDIR="$DEST"
	assert_success
	run cat "$DEST/etc/scsi-dh-early.conf"
	assert_output 'preload = alua'
	run find "$DEST" -type f
	assert_output "$DEST/etc/scsi-dh-early.conf"
}

@test "PREFIX=/usr/local: the helper there, and the real root's unit and rule name it there" {
	run make -C "$TOP" --no-print-directory install DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	assert [ -x "$DEST/usr/local/sbin/scsi-dh-early" ]
	assert [ ! -e "$DEST/usr/sbin/scsi-dh-early" ]
	run grep -h 'scsi-dh-early apply\|scsi-dh-early rules' \
		"$DEST/usr/lib/systemd/system/scsi-dh-early.service"
	assert_line 'ExecStart=-/usr/local/sbin/scsi-dh-early apply'
	assert_line --partial '&& /usr/local/sbin/scsi-dh-early rules > /run/udev/rules.d/'
	# scsi-dh-late stays where the rule the helper writes names it
	run grep -h 'RUN' "$DEST/usr/lib/udev/rules.d/66-scsi-dh-early.rules"
	assert_output 'RUN+="/usr/lib/scsi-dh-early/scsi-dh-late kick"'
	# shellcheck disable=SC2016  # the script's own line, literally
	run grep -c '^helper=${SCSI_DH_LATE_HELPER:-/usr/local/sbin/scsi-dh-early}$' \
		"$DEST/usr/lib/scsi-dh-early/scsi-dh-late"
	assert_output 1
	# The dracut module finds the helper there; the image keeps it in /usr/sbin.
	run grep -c 'SCSI_DH_EARLY_BIN:-/usr/local/sbin/scsi-dh-early}' \
		"$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early/module-setup.sh"
	refute_output 0
	run grep -h '/usr/sbin/scsi-dh-early' "$DEST/${DRACUTMODULESDIR#/}/50scsi-dh-early/scsi-dh-late"
	assert_success
	run make -C "$TOP" --no-print-directory uninstall DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	run find "$DEST" -type f -o -type l
	assert_output ''
}

@test "the installed unit: late, before the third-party services, off after the initramfs's rd.scsi_dh=0" {
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	local unit=$DEST/usr/lib/systemd/system/scsi-dh-early.service
	run grep -E '^(After|Before|Condition[A-Za-z]+|ExecStart)=' "$unit"
	assert_line 'After=systemd-modules-load.service systemd-udev-trigger.service multipathd.service'
	assert_line 'ConditionPathExists=!/run/scsi-dh-early/disabled'
	assert_line 'ExecStart=-/usr/sbin/scsi-dh-early apply'
	run grep -E '^Before=' "$DEST/usr/lib/systemd/system/scsi-dh-early.service.d/third-party.conf"
	assert_line 'Before=PowerPath.service'
	if command -v systemd-analyze >/dev/null; then
		run systemd-analyze verify --man=no --root="$DEST" scsi-dh-early.service
		refute_output --partial 'scsi-dh-early.service:'
	fi
}

@test "real root, rd.scsi_dh: the last one wins, 'rd.scsi_dh=0 ... rd.scsi_dh=1' sweeps, '1 ... 0' does not" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	local unit=$DEST/usr/lib/systemd/system/scsi-dh-early.service root=$BATS_TEST_TMPDIR/root
	run grep -x 'ExecStart=-/usr/sbin/scsi-dh-early apply' "$unit"
	assert_success
	# the unit starts on either command line, and leaves the word to the helper
	cmdline_lets_start "$unit" 'root=/dev/sda rd.scsi_dh=0 quiet rd.scsi_dh=1'
	cmdline_lets_start "$unit" 'root=/dev/sda rd.scsi_dh=1 quiet rd.scsi_dh=0'
	# what ExecStart= runs, on a fake root with that command line
	"$TOP/tests/lib/mkfixture" "$root" kernel 6.1.0-28-amd64 lun 0:0:0:0 \
		cmdline 'root=/dev/sda rd.scsi_dh=0 quiet rd.scsi_dh=1'
	run "$TOP/build/scsi-dh-early" --sysroot "$root" --no-kmsg apply
	refute_output --partial 'disabled'
	assert [ -e "$root/run/scsi-dh-early/swept" ]
	rm -rf "$root/run/scsi-dh-early"
	"$TOP/tests/lib/mkfixture" "$root" cmdline 'root=/dev/sda rd.scsi_dh=1 quiet rd.scsi_dh=0'
	run "$TOP/build/scsi-dh-early" --sysroot "$root" --no-kmsg apply
	assert_output 'disabled by rd.scsi_dh=0'
	assert [ ! -e "$root/run/scsi-dh-early/swept" ]
}

@test "real root: the udev rule from the policy is written before the sweep, not after it" {
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	local unit=$DEST/usr/lib/systemd/system/scsi-dh-early.service
	# a LUN added while the sweep runs meets the policy's rule, and a sweep
	# that times out (TimeoutStartSec=) still leaves it
	run grep -E '^ExecStart(Pre|Post)?=' "$unit"
	refute_line --partial 'ExecStartPost='
	assert_line --index 0 --regexp '^ExecStartPre=-\+?/bin/mkdir -p -m 0755 /run/scsi-dh-early /run/udev/rules\.d$'
	assert_line --index 1 --regexp '^ExecStartPre=-/bin/sh -c .* /usr/sbin/scsi-dh-early rules > /run/udev/rules\.d/\.66-scsi-dh-early\.rules\.tmp && mv -f /run/udev/rules\.d/\.66-scsi-dh-early\.rules\.tmp /run/udev/rules\.d/66-scsi-dh-early\.rules'"'"'$'
	assert_line --index 2 'ExecStart=-/usr/sbin/scsi-dh-early apply'
	assert_equal "${#lines[@]}" 3
}

@test "real root: both units sandboxed as far as the sweep allows, and they verify" {
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	local u d sysd=$DEST/usr/lib/systemd/system
	for u in scsi-dh-early.service scsi-dh-early-late@.service; do
		d=$sysd/$u.d/hardening.conf
		run grep -E '^[A-Za-z]+=' "$d"
		assert_line 'ProtectSystem=strict'
		assert_line 'ReadWritePaths=-/run/scsi-dh-early'
		assert_line 'ProtectHome=yes'
		assert_line 'NoNewPrivileges=yes'
		assert_line 'RestrictAddressFamilies=AF_UNIX'
		assert_line 'CapabilityBoundingSet=CAP_SYS_MODULE'
		# sysfs writes, /dev/kmsg, modprobe, and no wait for local-fs.target
		refute_line --regexp '^(ProtectKernelTunables|ProtectKernelModules|ProtectKernelLogs|PrivateDevices|ProtectClock|ProcSubset|PrivateTmp)='
	done
	run grep -x 'ReadWritePaths=-/run/udev/rules.d' "$sysd/scsi-dh-early.service"
	assert_success
	# the initramfs's units stay as they are: the drop-ins are the real root's
	run grep -l '^Protect\|^Private\|^NoNewPrivileges' "$TOP"/modules.d/50scsi-dh-early/*.service
	assert_output ''
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	for u in scsi-dh-early.service scsi-dh-early-late@1.service; do
		run systemd-analyze verify --man=no --root="$DEST" "$u"
		assert_success
		refute_output --partial 'scsi-dh-early'
		# the drop-in is read: systemd's own rating of the sandbox
		run systemd-analyze security --offline=yes --root="$DEST" "$u"
		assert_line --regexp "^→ Overall exposure level for $u: [0-5]\.[0-9] "
	done
}

@test "make install: the preset enables the real root's unit where presets disable the rest" {
	command -v systemctl >/dev/null || skip "systemctl not installed"
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	run cat "$DEST/usr/lib/systemd/system-preset/80-scsi-dh-early.preset"
	assert_line 'enable scsi-dh-early.service'
	# Fedora's and RHEL's default (90-default.preset, 99-default-disable.preset)
	echo 'disable *' >"$DEST/usr/lib/systemd/system-preset/99-default-disable.preset"
	run systemctl --root="$DEST" preset scsi-dh-early.service
	assert_success
	assert [ -L "$DEST/etc/systemd/system/sysinit.target.wants/scsi-dh-early.service" ]
}

@test "make uninstall: the rule written into /run/udev/rules.d goes too, other rules stay" {
	make -C "$TOP" --no-print-directory install DESTDIR="$DEST" >/dev/null
	mkdir -p "$DEST/run/udev/rules.d"
	echo 'RUN+="/usr/lib/scsi-dh-early/scsi-dh-late kick"' >"$DEST/run/udev/rules.d/66-scsi-dh-early.rules"
	echo '# not ours' >"$DEST/run/udev/rules.d/70-other.rules"
	run make -C "$TOP" --no-print-directory uninstall DESTDIR="$DEST"
	assert_success
	assert [ ! -e "$DEST/run/udev/rules.d/66-scsi-dh-early.rules" ]
	assert [ -e "$DEST/run/udev/rules.d/70-other.rules" ]
}

@test "every unit that runs the helper has an outer start timeout" {
	for u in "$TOP"/modules.d/50scsi-dh-early/*.service "$TOP"/dist/systemd/scsi-dh-early.service; do
		run grep -x 'TimeoutStartSec=[0-9]\+min' "$u"
		assert_success
	done
}
