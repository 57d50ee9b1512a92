#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sweeps that overlap, and LUNs that come back: at most one detach per LUN and
# boot (before 4.3 each detach write drops one reference: scsi_dh_handler_detach()
# is a kref_put(), and a second one would drop dm-multipath's), a late sweep
# that waits for the boot's sweep (run/scsi-dh-early/sweep.lock), a seen set
# keyed by address and sysfs inode, and a dry run that reads it. Each test here
# failed before its fix. Every run is bounded by `timeout`.

RHEL7=3.10.0-1160.el7.x86_64

setup() {
	load helpers
	_common_setup
	LOG=$ROOT/var/log/fake-kernel.log
	RUN=$ROOT/run/scsi-dh-early
	# two owned DGC LUNs on a kernel that takes a detach, and a holder
	# (dm-multipath) that keeps the handler after the first write
	fx kernel "$RHEL7" can_detach=yes kmsg module-installed emcp extra/emcp.ko host 1 lpfc \
		lun 1:0:0:1 vendor=DGC model=VRAID dh=emc \
		lun 1:0:0:2 vendor=DGC model=VRAID dh=emc
	conf <<-'EOF'
	[owner powerpath]
	driver = emcp
	vendor = DGC
	EOF
	mkdir -p "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
	export FAKE_KERNEL=pre43 FAKE_DETACH_STICKY=1
}

detaches() {
	[ -e "$LOG" ] || { echo 0; return; }
	grep -c "^write $1 detach" "$LOG" || true
}

writes() {
	[ -e "$LOG" ] || { echo 0; return; }
	grep -c "^write $1 " "$LOG" || true
}

dh() {
	cat "$ROOT/sys/class/scsi_device/$1/device/dh_state"
}

ino() {
	stat -c %i "$ROOT/sys/class/scsi_device/$1/device/"
}

# wait (at most 10 s) until the file exists
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "overlap: a late sweep during the boot's sweep waits for it: one detach per owned LUN" {
	export FAKE_WRITE_DELAY_MS=400
	timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply >/dev/null 2>&1 &
	bg=$!
	wait_for "$RUN/swept"
	fx lun 1:0:1:0 vendor=HP model=HSV100
	run timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	wait "$bg" || true
	[ "$(detaches 1:0:0:1)" -eq 1 ]
	[ "$(detaches 1:0:0:2)" -eq 1 ]
	# the late sweep took the new LUN only
	[ "$(dh 1:0:1:0)" = hp_sw ]
	[ "$(writes 1:0:1:0)" -eq 1 ]
	assert_line --partial "1 LUN: 1 ok; attached 1"
}

@test "overlap: two late sweeps at once: one detach per owned LUN" {
	fx remove 1:0:0:1 remove 1:0:0:2
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	fx lun 1:0:0:1 vendor=DGC model=VRAID dh=emc lun 1:0:0:2 vendor=DGC model=VRAID dh=emc
	export FAKE_WRITE_DELAY_MS=400
	timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late >/dev/null 2>&1 &
	bg=$!
	sleep 0.1
	run timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	wait "$bg" || true
	[ "$(detaches 1:0:0:1)" -eq 1 ]
	[ "$(detaches 1:0:0:2)" -eq 1 ]
}

@test "detach record: the real root's sweep writes no second detach to a held LUN" {
	run -1 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	assert_line --partial "detach emc: held by another user"
	# the real root (no initrd-release): a full sweep again, the holder still there
	rm "$ROOT/etc/initrd-release"
	run -1 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --json
	[ "$(detaches 1:0:0:1)" -eq 1 ]
	[ "$(detaches 1:0:0:2)" -eq 1 ]
	jq -e '[.actions[].action] == ["none","none"]' <<<"$output"
	jq -e '.actions[0].reason | test("detached once this boot already")' <<<"$output"
	jq -e '.summary | endswith("failed 0, held 2")' <<<"$output"
	run -0 cat "$RUN/detached"
	assert_output "$(printf '1:0:0:1 %s\n1:0:0:2 %s' "$(ino 1:0:0:1)" "$(ino 1:0:0:2)")"
	# a dry run says the same
	run -1 timeout 20 "$BIN" --sysroot "$ROOT" apply --dry-run --json
	jq -e '[.actions[].action] == ["none","none"]' <<<"$output"
	run -0 timeout 20 "$BIN" --sysroot "$ROOT" status --json
	jq -e '.devices[1].reason | test("detached once this boot already")' <<<"$output"
	# an explicit request is an administrator's: it is written (the holder gone)
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply 1:0:0:1
	assert_line --partial "detach emc: done"
	[ "$(detaches 1:0:0:1)" -eq 2 ]
}

@test "detach record: a LUN added again at its address is a new LUN, detached once" {
	unset FAKE_DETACH_STICKY
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[ "$(dh 1:0:0:1)" = detached ]
	# removed, and back with its handler (the old inode still held: a new one)
	exec 9<"$ROOT/sys/class/scsi_device/1:0:0:1/device/"
	fx remove 1:0:0:1 lun 1:0:0:1 vendor=DGC model=VRAID dh=emc
	exec 9<&-
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	[ "$(detaches 1:0:0:1)" -eq 2 ]
	[ "$(dh 1:0:0:1)" = detached ]
	run -0 cat "$RUN/detached"
	assert_output "$(printf '1:0:0:1 %s\n1:0:0:2 %s' "$(ino 1:0:0:1)" "$(ino 1:0:0:2)")"
}

@test "sweep lock: held by another for longer than the wait: said, attaches, no detach, not seen" {
	printf 'modprobe_timeout = 0.2\n[owner powerpath]\ndriver = emcp\nvendor = DGC\n' | conf
	fx remove 1:0:0:1 remove 1:0:0:2
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	run stat -c %a "$RUN/sweep.lock"
	assert_output 600
	fx lun 1:0:0:1 vendor=DGC model=VRAID dh=emc lun 1:0:1:0 vendor=HP model=HSV100
	flock "$RUN/sweep.lock" sleep 4 &
	holder=$!
	sleep 0.2
	run --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	[[ $stderr == *'sweep.lock": another sweep held it all the time it was waited for; going on without it: no detach in this sweep'* ]] ||
		fail "$stderr"
	[ "$(detaches 1:0:0:1)" -eq 0 ]
	[ "$(dh 1:0:1:0)" = hp_sw ]
	run -0 cat "$RUN/seen"
	refute_line --partial 1:0:0:1
	assert_line "1:0:1:0 $(ino 1:0:1:0)"
	wait "$holder"
	# the lock free: the next late sweep takes the owned LUN
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	[ "$(detaches 1:0:0:1)" -eq 1 ]
	[ "$(writes 1:0:1:0)" -eq 1 ]
}

@test "sweep lock: a symlink in its place is not followed; then no detach" {
	mkdir -p "$RUN"
	echo precious >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$RUN/sweep.lock"
	run --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[[ $stderr == *'cannot lock "'*'/run/scsi-dh-early/sweep.lock": not a regular file of its own; no detach in this sweep'* ]] ||
		fail "$stderr"
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = precious ]
	[ "$(detaches 1:0:0:1)" -eq 0 ]
}

@test "seen: a LUN removed and added again at the same H:C:T:L is looked at again" {
	fx lun 1:0:1:0 vendor=HP model=HSV100 dh=hp_sw
	run -1 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	# gone (FC after dev_loss_tmo), back at the same address without its handler
	exec 9<"$ROOT/sys/class/scsi_device/1:0:1:0/device/"
	fx remove 1:0:1:0 lun 1:0:1:0 vendor=HP model=HSV100
	exec 9<&-
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late
	[ "$(writes 1:0:1:0)" -eq 1 ]
	[ "$(dh 1:0:1:0)" = hp_sw ]
	assert_line --partial "1 LUN: 1 ok; attached 1"
	run -0 cat "$RUN/seen"
	assert_line "1:0:1:0 $(ino 1:0:1:0)"
	# a seen set of an older helper (addresses alone) still counts
	printf '1:0:0:1\n1:0:0:2\n1:0:1:0\n' >"$RUN/seen"
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late --json
	jq -e '.actions == []' <<<"$output"
}

@test "apply --late --dry-run reports only the LUNs a real --late takes, and changes nothing" {
	run -1 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	fx lun 1:0:1:0 vendor=HP model=HSV100
	sum=$(tree_sum)
	run -0 timeout 20 "$BIN" --sysroot "$ROOT" apply --late --dry-run --json
	jq -e '[.actions[].hctl] == ["1:0:1:0"]' <<<"$output"
	jq -e '.actions[0].action == "attach"' <<<"$output"
	[ "$(tree_sum)" = "$sum" ]
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply --late --json
	jq -e '[.actions[].hctl] == ["1:0:1:0"]' <<<"$output"
}

@test "sweep lock: held by the sweep, never by a write's child (one stuck in the kernel would keep it)" {
	export FAKE_WRITE_DELAY_MS=3000
	timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply >/dev/null 2>&1 &
	bg=$!
	wait_for "$RUN/swept"
	# the helper: the child of timeout and env's exec
	sweep=$(pgrep -P "$bg" | head -1)
	kids=()
	for ((i = 0; i < 100; i++)); do
		mapfile -t kids < <(pgrep -P "$sweep")
		[ "${#kids[@]}" -gt 0 ] && break
		sleep 0.05
	done
	[ "${#kids[@]}" -gt 0 ]
	run ls -l "/proc/$sweep/fd"
	assert_output --partial "sweep.lock"
	for k in "${kids[@]}"; do
		run ls -l "/proc/$k/fd"
		refute_output --partial "sweep.lock"
	done
	wait "$bg" || true
}
