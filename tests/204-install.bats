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
	echo usr/lib/systemd/system/scsi-dh-early.service.d/third-party.conf
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

@test "the installed unit: late, before the third-party services, off with rd.scsi_dh=0" {
	local unit=$TOP/dist/systemd/scsi-dh-early.service
	run grep -E '^(After|Before|Condition[A-Za-z]+|ExecStart)=' "$unit"
	assert_line 'After=systemd-modules-load.service systemd-udev-trigger.service multipathd.service'
	assert_line 'ConditionKernelCommandLine=!rd.scsi_dh=0'
	assert_line 'ConditionPathExists=!/run/scsi-dh-early/disabled'
	assert_line 'ExecStart=-/usr/sbin/scsi-dh-early apply'
	run grep -E '^Before=' "$TOP/dist/systemd/scsi-dh-early.service.d/third-party.conf"
	assert_line 'Before=PowerPath.service'
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$BATS_TEST_TMPDIR/units"
		cp "$unit" "$BATS_TEST_TMPDIR/units/"
		run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/units/scsi-dh-early.service"
		refute_output --partial 'scsi-dh-early.service:'
	fi
}

@test "every unit that runs the helper has an outer start timeout" {
	for u in "$TOP"/modules.d/50scsi-dh-early/*.service "$TOP"/dist/systemd/scsi-dh-early.service; do
		run grep -x 'TimeoutStartSec=[0-9]\+min' "$u"
		assert_success
	done
}
