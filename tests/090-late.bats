#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# LUNs that arrive after the boot's sweep: apply --late sweeps only the LUNs
# no sweep has seen (run/scsi-dh-early/seen), adds them to the boot record and
# is silent in the kernel log when it changed nothing; scsi-dh-late coalesces
# the udev rule's kicks into few sweeps and never loses one.

setup() {
	load helpers
	_common_setup
	LOG=$ROOT/var/log/fake-kernel.log
	LATE=$TOP/modules.d/50scsi-dh-early/scsi-dh-late
	fx kernel "$KVER" kmsg \
		lun 1:0:0:0 vendor=HP model=HSV100 dh=hp_sw \
		lun 1:0:1:0 vendor=QEMU model="QEMU HARDDISK"
	mkdir -p "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
}

writes() {
	grep -c "^write $1" "$LOG" 2>/dev/null || true
}

# the addresses of the seen set (each line "H:C:T:L INODE")
seen() {
	cut -d' ' -f1 "$ROOT/run/scsi-dh-early/seen"
}

kmsg_lines() {
	grep -c 'scsi-dh-early' "$ROOT/dev/kmsg" || true
}

@test "apply --late: only the LUNs no sweep has seen; the record gains them" {
	run -0 sde_dyn apply
	[ "$(kmsg_lines)" -eq 1 ]
	run -0 seen
	assert_output $'1:0:0:0\n1:0:1:0'
	run -0 cat "$ROOT/run/scsi-dh-early/seen"
	assert_line "1:0:1:0 $(stat -c %i "$ROOT/sys/class/scsi_device/1:0:1:0/device/")"
	# the sweep's LUN loses its handler (the same device): not the late sweep's to repair
	echo detached >"$ROOT/sys/class/scsi_device/1:0:0:0/device/dh_state"
	fx lun 2:0:0:1 vendor=HP model=HSV100 dh=hp_sw \
		lun 2:0:0:2 vendor=HP model=HSV100 dh=hp_sw \
		lun 2:0:0:3 vendor=HP model=HSV100
	run -0 sde_dyn apply --late
	[ "$(writes 1:0:0:0)" -eq 0 ]
	[ "$(writes 2:0:0:1)" -eq 0 ]
	[ "$(writes 2:0:0:3)" -eq 1 ]
	[ "$(cat "$ROOT/sys/class/scsi_device/2:0:0:3/device/dh_state")" = hp_sw ]
	# one line for the sweep that attached, none per LUN
	[ "$(kmsg_lines)" -eq 2 ]
	grep -qx '<6>scsi-dh-early: late: 3 LUNs: 3 ok; attached 1, detached 0, refused 0, failed 0' \
		"$ROOT/dev/kmsg"
	run -0 sde status --boot
	assert_line --regexp '^2:0:0:3 .* hp_sw +hp_sw +- +ok$'
	assert_line --regexp '^5 LUNs: .*; late: 3 LUNs: 3 ok; attached 1'
	run -0 sde status --boot --json
	jq -e '[.devices[].hctl] == ["1:0:0:0","1:0:1:0","2:0:0:1","2:0:0:2","2:0:0:3"]' <<<"$output"
	run -0 seen
	assert_output $'1:0:0:0\n1:0:1:0\n2:0:0:1\n2:0:0:2\n2:0:0:3'
	# nothing new: nothing written, the record stays as it is
	cp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/before.json"
	run -0 sde_dyn apply --late
	cmp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/before.json"
	[ "$(writes 1:0:0:0)" -eq 0 ]
	[ "$(kmsg_lines)" -eq 2 ]
}

@test "apply --late that changed nothing and found nothing wrong: debug level only" {
	run -0 sde_dyn apply
	fx lun 2:0:0:1 vendor=HP model=HSV100 dh=hp_sw lun 2:0:0:2 vendor=QEMU model=DISK
	run -0 sde_dyn apply --late
	[ "$(kmsg_lines)" -eq 1 ]
	run -0 sde status --boot
	assert_line --regexp '^4 LUNs: 2 ok, 2 none; late: 2 LUNs: 1 ok, 1 none; attached 0'
	fx lun 2:0:0:3 vendor=HP model=HSV100 dh=hp_sw cmdline "rd.scsi_dh.debug"
	run -0 sde_dyn apply --late
	grep -qx '<7>scsi-dh-early: late: 1 LUN: 1 ok; attached 0, detached 0, refused 0, failed 0' \
		"$ROOT/dev/kmsg"
	# the same for a run on one device
	fx cmdline ""
	: >"$ROOT/dev/kmsg"
	run -0 sde_dyn apply 2:0:0:3
	[ "$(kmsg_lines)" -eq 0 ]
	# something wrong is said at once: an owned LUN whose handler stays (6.1)
	fx module-installed emcp extra/emcp.ko lun 2:0:0:4 vendor=DGC model=VRAID dh=emc
	conf <<-'EOF2'
	[owner powerpath]
	driver = emcp
	vendor = DGC
	EOF2
	run -1 sde_dyn apply --late
	grep -q '^<4>scsi-dh-early: late: 1 LUN: 1 owned-attached' "$ROOT/dev/kmsg"
}

@test "apply --late: the seen set keeps only present LUNs; a broken one means every LUN" {
	run -0 sde_dyn apply
	fx remove 1:0:1:0 lun 2:0:0:1 vendor=HP model=HSV100 dh=hp_sw
	run -0 sde_dyn apply --late
	run -0 seen
	assert_output $'1:0:0:0\n2:0:0:1'
	printf '1:0:0:0\nnot a device\n' >"$ROOT/run/scsi-dh-early/seen"
	fx lun 1:0:0:0 vendor=HP model=HSV100 dh=detached
	run -0 --separate-stderr sde_dyn -v apply --late
	[[ $stderr == *'run/scsi-dh-early/seen":2: not a list of H:C:T:L, taking every device'* ]]
	[ "$(writes 1:0:0:0)" -eq 1 ]
	run -0 seen
	assert_output $'1:0:0:0\n2:0:0:1'
	# a symlink in its place is not followed
	rm "$ROOT/run/scsi-dh-early/seen"
	ln -s /etc/passwd "$ROOT/run/scsi-dh-early/seen"
	run -0 sde_dyn apply --late
	[ ! -L "$ROOT/run/scsi-dh-early/seen" ]
}

@test "apply --late: usage" {
	run -2 sde apply --late 1:0:0:0
	assert_output --partial "--late takes no device: '1:0:0:0'"
	run -2 sde status --late
	assert_output --partial "--late is for apply, not status"
}

# ---- scsi-dh-late: kick and run ----

# A fake helper: each sweep appends a line to $SWEEPS; the first waits until
# $GATE exists, so that kicks arrive while it runs.
late_env() {
	RUNDIR=$BATS_TEST_TMPDIR/run
	SWEEPS=$BATS_TEST_TMPDIR/sweeps
	GATE=$BATS_TEST_TMPDIR/gate
	mkdir -p "$RUNDIR" "$BATS_TEST_TMPDIR/bin"
	: >"$SWEEPS"
	cat >"$BATS_TEST_TMPDIR/bin/helper" <<-EOF2
	#!/bin/sh
	echo "\$*" >>"$SWEEPS"
	if [ "\$(wc -l <"$SWEEPS")" -eq 1 ]; then
		i=0
		while [ ! -e "$GATE" ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
	fi
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/helper"
	export SCSI_DH_LATE_DIR=$RUNDIR SCSI_DH_LATE_HELPER=$BATS_TEST_TMPDIR/bin/helper
	export SCSI_DH_LATE_SYSTEMD=0 SCSI_DH_LATE_QUIET=0
}

sweeps() {
	wc -l <"$SWEEPS"
}

# until no runner holds the lock (10 s at most)
late_wait() {
	local i
	for i in $(seq 100); do
		[ -d "$RUNDIR/late-lock" ] || return 0
		sleep 0.1
	done
	return 1
}

@test "scsi-dh-late: a burst of 100 kicks during a sweep costs one more sweep, not 100" {
	late_env
	"$LATE" kick
	for i in $(seq 50); do
		[ "$(sweeps)" -ge 1 ] && break
		sleep 0.1
	done
	[ "$(sweeps)" -eq 1 ]
	for i in $(seq 100); do
		"$LATE" kick
	done
	[ -d "$RUNDIR/late-pending" ]
	: >"$GATE"
	late_wait
	[ "$(sweeps)" -eq 2 ]
	[ ! -e "$RUNDIR/late-pending" ]
	run -0 cat "$SWEEPS"
	assert_output $'-q apply --late\n-q apply --late'
	# the runner is gone: the next kick starts another
	"$LATE" kick
	late_wait
	[ "$(sweeps)" -eq 3 ]
}

@test "scsi-dh-late: a kick while the runner lets go of the lock gets one more sweep" {
	late_env
	: >"$GATE"
	# rmdir of the lock: a kick comes in just before it (its mkdir of the
	# lock fails, so it relies on the runner looking once more)
	cat >"$BATS_TEST_TMPDIR/bin/rmdir" <<-EOF2
	#!/bin/sh
	if [ "\$1" = "$RUNDIR/late-lock" ] && [ ! -e "$BATS_TEST_TMPDIR/raced" ]; then
		: >"$BATS_TEST_TMPDIR/raced"
		SCSI_DH_LATE_DIR=$RUNDIR "$LATE" kick
	fi
	exec /bin/rmdir "\$@"
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/rmdir"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH "$LATE" kick
	sleep 0.2
	late_wait
	[ -e "$BATS_TEST_TMPDIR/raced" ]
	[ "$(sweeps)" -eq 2 ]
	[ ! -e "$RUNDIR/late-pending" ]
}

@test "scsi-dh-late: under systemd one unit per runner, named by the event; none while one runs" {
	late_env
	export SCSI_DH_LATE_SYSTEMD=1
	cat >"$BATS_TEST_TMPDIR/bin/systemctl" <<-EOF2
	#!/bin/sh
	echo "\$*" >>"$BATS_TEST_TMPDIR/systemctl.log"
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/systemctl"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4711 "$LATE" kick
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4712 "$LATE" kick
	run -0 cat "$BATS_TEST_TMPDIR/systemctl.log"
	assert_output "--no-block start scsi-dh-early-late@4711.service"
	# the unit's runner takes over the kick's lock
	: >"$GATE"
	"$LATE" run
	[ "$(sweeps)" -eq 1 ]
	[ ! -e "$RUNDIR/late-lock" ]
	[ ! -e "$RUNDIR/late-pending" ]
	# systemctl fails: the lock is let go, the next kick tries again
	printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/systemctl"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4713 "$LATE" kick
	[ ! -e "$RUNDIR/late-lock" ]
}

@test "scsi-dh-late: a lock left by a dead runner is taken over; no sweep before the sweep" {
	late_env
	: >"$GATE"
	mkdir "$RUNDIR/late-lock"
	sleep 0 & dead=$!
	wait "$dead"
	echo "$dead" >"$RUNDIR/late-lock/pid"
	"$LATE" kick
	sleep 0.2
	late_wait
	[ "$(sweeps)" -eq 1 ]
	# no status directory: the boot has not swept yet (or rd.scsi_dh=0)
	rm -rf "$RUNDIR"
	"$LATE" kick
	sleep 0.2
	[ "$(sweeps)" -eq 1 ]
	[ ! -e "$RUNDIR" ]
	run -2 "$LATE" bogus
}
