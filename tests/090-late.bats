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
	assert_line --regexp '^2:0:0:3 .* hp_sw +hp_sw +- +ok +0$'
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

# whether a runner holds the lock of status directory $1 (an onlooker's
# flock(1): it holds the lock for an instant, which a runner waits out)
late_busy() {
	[ -e "$1/late-lock" ] && ! flock -n "$1/late-lock" true
}

# until no runner holds the lock of $1 (default $RUNDIR) and no work is
# pending, three looks in a row (10 s at most)
late_wait() {
	local d=${1:-$RUNDIR} i calm=0
	for i in $(seq 100); do
		if late_busy "$d" || [ -e "$d/late-pending" ]; then
			calm=0
		else
			calm=$((calm + 1))
			[ "$calm" -lt 3 ] || return 0
		fi
		sleep 0.1
	done
	return 1
}

# A fake helper for the overlap counts: "+" as a sweep starts, "-" as it ends
# (50 ms later), appended to $1/events.  Prints its path.
late_recorder() {
	cat >"$BATS_TEST_TMPDIR/bin/recorder" <<-'EOF2'
	#!/bin/sh
	echo + >>"$SCSI_DH_LATE_DIR/events"
	sleep 0.05
	echo - >>"$SCSI_DH_LATE_DIR/events"
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/recorder"
	echo "$BATS_TEST_TMPDIR/bin/recorder"
}

# the most sweeps that ran at once in $1/events
late_most() {
	awk '/^\+/ { n++; if (n > m) m = n } /^-/ { n-- } END { print m + 0 }' "$1/events"
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
	sleep 0.2
	late_wait
	[ "$(sweeps)" -eq 3 ]
}

@test "scsi-dh-late: a kick while the runner lets go of the lock gets one more sweep" {
	late_env
	: >"$GATE"
	# the runner's unlock: a kick comes in just before it (the lock is
	# taken, so it relies on the runner looking once more)
	cat >"$BATS_TEST_TMPDIR/bin/flock" <<-EOF2
	#!/bin/sh
	if [ "\$1" = -u ] && [ ! -e "$BATS_TEST_TMPDIR/raced" ]; then
		: >"$BATS_TEST_TMPDIR/raced"
		SCSI_DH_LATE_DIR=$RUNDIR "$LATE" kick
		[ -e "$RUNDIR/late-pending" ] && : >"$BATS_TEST_TMPDIR/marked"
	fi
	exec /usr/bin/flock "\$@"
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/flock"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH "$LATE" kick
	sleep 0.2
	late_wait
	[ -e "$BATS_TEST_TMPDIR/raced" ]
	[ -e "$BATS_TEST_TMPDIR/marked" ]
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
	run -0 cat "$BATS_TEST_TMPDIR/systemctl.log"
	assert_output "--no-block start scsi-dh-early-late@4711.service"
	# a runner holds the lock: no unit
	flock "$RUNDIR/late-lock" sh -c ": >'$BATS_TEST_TMPDIR/held'; sleep 1" &
	holder=$!
	for i in $(seq 50); do
		[ -e "$BATS_TEST_TMPDIR/held" ] && break
		sleep 0.05
	done
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4712 "$LATE" kick
	wait "$holder"
	run -0 cat "$BATS_TEST_TMPDIR/systemctl.log"
	assert_output "--no-block start scsi-dh-early-late@4711.service"
	# the unit's runner takes the lock and sweeps what the kicks marked
	: >"$GATE"
	"$LATE" run
	[ "$(sweeps)" -eq 1 ]
	run ! late_busy "$RUNDIR"
	[ ! -e "$RUNDIR/late-pending" ]
	# nothing pending: a runner started for a kick that another one served
	"$LATE" run
	[ "$(sweeps)" -eq 1 ]
	# systemctl fails: nothing is held, the next kick tries again
	printf '#!/bin/sh\necho "$*" >>"%s"\nexit 1\n' "$BATS_TEST_TMPDIR/systemctl.log" \
		>"$BATS_TEST_TMPDIR/bin/systemctl"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4713 "$LATE" kick
	run ! late_busy "$RUNDIR"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SEQNUM=4714 "$LATE" kick
	run -0 tail -n 2 "$BATS_TEST_TMPDIR/systemctl.log"
	assert_output $'--no-block start scsi-dh-early-late@4713.service\n--no-block start scsi-dh-early-late@4714.service'
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

# issue 18, 3: what a full /run or a dead runner left in the status directory
# (a lock without pid, an empty pid.tmp, a pid now another process's, a lock
# file with old content) never keeps the lock taken: every later kick sweeps
@test "scsi-dh-late: no leftover of a full /run or a dead runner keeps the lock taken" {
	late_env
	: >"$GATE"
	sleep 0 & dead=$!
	wait "$dead"
	n=0
	for leftover in nopid pidtmp reused file; do
		rm -rf "$RUNDIR/late-lock"
		case $leftover in
		nopid) mkdir "$RUNDIR/late-lock" ;;
		pidtmp) mkdir "$RUNDIR/late-lock" && : >"$RUNDIR/late-lock/pid.tmp" ;;
		reused) mkdir "$RUNDIR/late-lock" && echo "$$" >"$RUNDIR/late-lock/pid" ;;
		file) echo "$dead" >"$RUNDIR/late-lock" ;;
		esac
		for k in 1 2; do
			"$LATE" kick
			sleep 0.1
			late_wait
			n=$((n + 1))
			[ "$(sweeps)" -eq "$n" ] || {
				echo "$leftover: kick $k gave no sweep"
				false
			}
		done
	done
}

@test "scsi-dh-late: on a full /run (and a read-only one) later kicks still sweep" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace)"
	unshare -m true 2>/dev/null || skip "no mount namespace here"
	late_env
	: >"$GATE"
	# shellcheck disable=SC2016  # expanded by the inner bash
	run -0 unshare -m bash -c '
		late=$1 run=$2 sweeps=$3
		mount -t tmpfs -o size=64k tmpfs "$run"
		settle() {
			local i
			for i in $(seq 100); do
				sleep 0.1
				[ -e "$run/late-pending" ] && continue
				flock -n "$run/late-lock" true 2>/dev/null && return 0
			done
		}
		"$late" kick
		settle
		dd if=/dev/zero of="$run/fill" bs=4k 2>/dev/null
		echo "fill $(stat -c %s "$run/fill")"
		for k in 1 2 3; do
			"$late" kick
			settle
			echo "full $k $(wc -l <"$sweeps")"
		done
		mount -o remount,ro "$run"
		for k in 1 2; do
			"$late" kick
			settle
			echo "ro $k $(wc -l <"$sweeps")"
		done
	' - "$LATE" "$RUNDIR" "$SWEEPS"
	assert_line --regexp '^fill [1-9]'
	assert_line 'full 1 2'
	assert_line 'full 2 3'
	assert_line 'full 3 4'
	assert_line 'ro 1 5'
	assert_line 'ro 2 6'
}

# issue 18, 3: 4 kicks at once on a lock a dead runner left, 40 times: never
# two runners (sweeps) at once, and every trial sweeps.  Half the trials
# have the directory lock of earlier releases with a dead pid, half a lock
# file whose flock(1) holder was killed.
@test "scsi-dh-late: 4 kicks at once on a dead runner's lock never run two runners" {
	late_env
	export SCSI_DH_LATE_HELPER
	SCSI_DH_LATE_HELPER=$(late_recorder)
	sleep 0 & dead=$!
	wait "$dead"
	for t in $(seq 40); do
		d=$BATS_TEST_TMPDIR/t$t
		mkdir "$d"
		: >"$d/events"
		: >"$d/swept"
		if [ $((t % 2)) -eq 1 ]; then
			mkdir "$d/late-lock"
			echo "$dead" >"$d/late-lock/pid"
		else
			: >"$d/late-lock"
			{ sh -c 'exec 9<"$1"; flock 9; kill -9 $$' - "$d/late-lock"; } 2>/dev/null || true
		fi
		for k in 1 2 3 4; do
			SCSI_DH_LATE_DIR=$d "$LATE" kick &
		done
		wait
		late_wait "$d" || true
	done
	sleep 1
	bad=0
	for t in $(seq 40); do
		d=$BATS_TEST_TMPDIR/t$t
		most=$(late_most "$d")
		if [ "$most" -eq 0 ]; then
			echo "trial $t: no sweep"
			bad=$((bad + 1))
		elif [ "$most" -ne 1 ]; then
			echo "trial $t: $most sweeps at once"
			bad=$((bad + 1))
		elif [ -e "$d/late-pending" ]; then
			echo "trial $t: work left pending"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}

# issue 18, 10: udev logs what its programs print
@test "scsi-dh-late: a kick prints nothing, whatever it finds" {
	late_env
	: >"$GATE"
	export SCSI_DH_LATE_SYSTEMD
	sleep 0 & dead=$!
	wait "$dead"
	printf '#!/bin/sh\necho "Failed to connect to bus" >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/systemctl"
	chmod +x "$BATS_TEST_TMPDIR/bin/systemctl"
	for state in fresh nopid pidtmp dead-pid lock-file dangling busy no-dir systemctl-fails; do
		rm -rf "$RUNDIR"
		mkdir -p "$RUNDIR"
		SCSI_DH_LATE_SYSTEMD=0
		holder=
		case $state in
		nopid) mkdir "$RUNDIR/late-lock" ;;
		pidtmp) mkdir "$RUNDIR/late-lock" && : >"$RUNDIR/late-lock/pid.tmp" ;;
		dead-pid) mkdir "$RUNDIR/late-lock" && echo "$dead" >"$RUNDIR/late-lock/pid" ;;
		lock-file) echo junk >"$RUNDIR/late-lock" ;;
		dangling) ln -s "$BATS_TEST_TMPDIR/nowhere/lock" "$RUNDIR/late-lock" ;;
		busy)
			flock "$RUNDIR/late-lock" sleep 1 &
			holder=$!
			sleep 0.1
			;;
		no-dir) rm -rf "$RUNDIR" ;;
		systemctl-fails) SCSI_DH_LATE_SYSTEMD=1 ;;
		esac
		PATH=$BATS_TEST_TMPDIR/bin:$PATH "$LATE" kick >"$BATS_TEST_TMPDIR/out" 2>&1
		[ ! -s "$BATS_TEST_TMPDIR/out" ] || {
			echo "$state: the kick printed:"
			cat "$BATS_TEST_TMPDIR/out"
			false
		}
		[ -z "$holder" ] || wait "$holder"
		# no runner was started for these: the next one sweeps
		case $state in
		busy | systemctl-fails) SCSI_DH_LATE_SYSTEMD=0 "$LATE" run ;;
		esac
		case $state in
		# no lock, no sweep: nothing made through the symlink
		no-dir | dangling) ;;
		*) late_wait || {
			echo "$state: work left pending"
			false
		} ;;
		esac
	done
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
}

# issue 18, 10: devices still arriving after max_rounds sweeps in a row: the
# runner waits (backoff) and hands over to a new runner, instead of leaving
# the pending work to a kick that may never come
@test "scsi-dh-late: after the most sweeps in a row, pending work still gets its sweep" {
	late_env
	export SCSI_DH_LATE_ROUNDS=3 SCSI_DH_LATE_BACKOFF=0
	# the first five sweeps each see a device arrive whose kick found the
	# lock taken (the mark without a kick)
	cat >"$BATS_TEST_TMPDIR/bin/helper" <<-EOF2
	#!/bin/sh
	echo + >>"$RUNDIR/events"
	echo "\$*" >>"$SWEEPS"
	[ "\$(wc -l <"$SWEEPS")" -le 5 ] && mkdir "$RUNDIR/late-pending"
	echo - >>"$RUNDIR/events"
	EOF2
	"$LATE" kick
	sleep 0.2
	late_wait
	[ "$(sweeps)" -eq 6 ]
	[ ! -e "$RUNDIR/late-pending" ]
	[ "$(late_most "$RUNDIR")" -eq 1 ]
}

@test "scsi-dh-late: endless arrivals are throttled, a mark that cannot go ends the runner" {
	late_env
	export SCSI_DH_LATE_ROUNDS=2 SCSI_DH_LATE_BACKOFF=0.5
	# every sweep sees another device arrive, until $GATE
	cat >"$BATS_TEST_TMPDIR/bin/helper" <<-EOF2
	#!/bin/sh
	echo + >>"$RUNDIR/events"
	echo "\$*" >>"$SWEEPS"
	[ -e "$GATE" ] || mkdir "$RUNDIR/late-pending"
	echo - >>"$RUNDIR/events"
	EOF2
	"$LATE" kick
	sleep 2
	: >"$GATE"
	late_wait
	# 2 sweeps, then a pause of 0.5 s: in 2 s 5 pairs at most, and the one
	# sweep for the mark left as $GATE came (without the pauses, hundreds)
	n=$(sweeps)
	[ "$n" -ge 4 ] && [ "$n" -le 12 ] || {
		echo "$n sweeps in 2 s"
		false
	}
	[ ! -e "$RUNDIR/late-pending" ]
	[ "$(late_most "$RUNDIR")" -eq 1 ]
	# a mark that cannot be removed: one sweep, then the runner ends
	: >"$SWEEPS"
	printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/rmdir"
	printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/rm"
	chmod +x "$BATS_TEST_TMPDIR/bin/rmdir" "$BATS_TEST_TMPDIR/bin/rm"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH "$LATE" kick
	sleep 0.5
	for i in $(seq 50); do
		late_busy "$RUNDIR" || break
		sleep 0.1
	done
	run ! late_busy "$RUNDIR"
	[ "$(sweeps)" -eq 1 ]
}
