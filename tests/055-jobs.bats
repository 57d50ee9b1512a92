#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# apply with write_jobs: dh_state writes to different LUNs in flight at once,
# children waited for with pidfd or, where pidfd_open() is missing (before
# Linux 5.3), with SIGCHLD. The shim (tests/lib/dhshim.c) counts the writes in
# flight (FAKE_INFLIGHT), checks each device's lock (FAKE_CHECK_LOCK) and can
# take pidfd_open away (FAKE_NO_PIDFD). Behaviour only: nothing here is timed.

setup() {
	load helpers
	_common_setup
	# shellcheck disable=SC2153  # ROOT comes from _common_setup
	LOG=$ROOT/var/log/fake-kernel.log
	INFLIGHT=$BATS_TEST_TMPDIR/inflight
	SYSLOG=$BATS_TEST_TMPDIR/syscalls
}

# N LUNs of an HP EVA that came up without hp_sw, on 2 hosts
hsv_tree() {
	local args=() i
	for ((i = 0; i < $1; i++)); do
		args+=(lun "$((2 + i % 2)):0:$((i / 16)):$((i % 16))" vendor=HP model=HSV100)
	done
	fx kernel "$KVER" kmsg "${args[@]}"
}

# the shim's count: most in flight at once, all begun, in flight now
inflight() {
	local pids
	read -r max total pids <"$INFLIGHT"
	cur=$(wc -w <<<"$pids")
}

dh() {
	cat "$ROOT/sys/class/scsi_device/$1/device/dh_state"
}

@test "write_jobs = 4, 32 LUNs to attach: more than one write in flight, never more than 4" {
	hsv_tree 32
	printf 'write_jobs = 4\n' | conf
	FAKE_INFLIGHT=$INFLIGHT FAKE_WRITE_DELAY_MS=50 run -0 sde_dyn apply
	assert_line "32 LUNs: 32 ok; attached 32, detached 0, refused 0, failed 0"
	inflight
	[ "$total" -eq 32 ] || fail "$total writes"
	[ "$max" -gt 1 ] || fail "at most $max in flight"
	[ "$max" -le 4 ] || fail "$max in flight"
	[ "$cur" -eq 0 ]
	[ "$(grep -c '^write ' "$LOG")" -eq 32 ]
}

@test "write_jobs = 1: one write at a time" {
	hsv_tree 32
	printf 'write_jobs = 1\n' | conf
	FAKE_INFLIGHT=$INFLIGHT FAKE_WRITE_DELAY_MS=10 run -0 sde_dyn apply
	assert_line "32 LUNs: 32 ok; attached 32, detached 0, refused 0, failed 0"
	inflight
	[ "$total" -eq 32 ] && [ "$max" -eq 1 ] && [ "$cur" -eq 0 ]
}

@test "each device's lock is held for the time of its write" {
	hsv_tree 32
	printf 'write_jobs = 8\n' | conf
	FAKE_CHECK_LOCK=1 FAKE_WRITE_DELAY_MS=20 run -0 sde_dyn apply
	[ "$(grep -c '^write ' "$LOG")" -eq 32 ]
	run grep -c '^unlocked' "$LOG"
	assert_output 0
	# the check itself: a write nobody locked is seen
	fx lun 4:0:0:0 vendor=HP model=HSV100
	printf hp_sw | LD_PRELOAD=$SHIM FAKE_CHECK_LOCK=1 \
		dd of="$ROOT/sys/class/scsi_device/4:0:0:0/device/dh_state" status=none
	grep -qx 'unlocked 4:0:0:0' "$LOG"
}

# Every outcome at once, for a kernel before 4.3 (detach taken, one detach held
# by a holder) or 4.3 on (detach refused): attach done, attach the handler
# refuses (no port group), already right, owned, nothing expected.
mixed_tree() {
	local args=() i
	for ((i = 0; i < 8; i++)); do
		args+=(lun "1:0:0:$i" vendor=DGC model="RAID 5" dh=emc access=active/optimized)
		args+=(lun "1:0:1:$i" vendor=HP model=HSV100)
		args+=(lun "1:0:2:$i" vendor=NETAPP model=LUN tpgs=1)
		args+=(lun "1:0:3:$i" vendor=NETAPP model=LUN tpgs=1 vpd83=none)
		args+=(lun "1:0:4:$i" vendor=IBM model=1746 dh=rdac access=active/optimized)
		args+=(lun "1:0:5:$i" vendor=QEMU model="QEMU HARDDISK")
	done
	fx kernel "$KVER" "can_detach=$1" kmsg module-installed emcp extra/emcp.ko \
		loaded scsi_dh_alua host 1 qla2xxx "${args[@]}"
	printf '[owner powerpath]\ndriver = emcp\nvendor = DGC\n' | conf
}

# run apply on a copy of the tree with write_jobs = $1; out/$1.{txt,json,dh,writes}
apply_copy() {
	local jobs=$1 root=$BATS_TEST_TMPDIR/root-$1 out=$BATS_TEST_TMPDIR/out
	shift
	rm -rf "$root"
	cp -a "$ROOT" "$root"
	mkdir -p "$root/etc/scsi-dh-early.conf.d"
	printf 'write_jobs = %s\n' "$jobs" >"$root/etc/scsi-dh-early.conf.d/jobs.conf"
	mkdir -p "$out"
	LD_PRELOAD=$SHIM "$DYN" --sysroot "$root" apply >"$out/$jobs.txt" 2>&1 && rc=0 || rc=$?
	echo "exit $rc" >>"$out/$jobs.txt"
	# the record of the second run is a real root's: compare the JSON of a third
	LD_PRELOAD=$SHIM "$DYN" --sysroot "$root" status --json | jq -S '.devices' >"$out/$jobs.json"
	(cd "$root/sys/class/scsi_device" && for d in *; do
		printf '%s %s\n' "$d" "$(cat "$d/device/dh_state")"
	done) >"$out/$jobs.dh"
	sort "$root/var/log/fake-kernel.log" >"$out/$jobs.writes"
	cp "$root/run/scsi-dh-early/status.json" "$out/$jobs.record"
	grep 'scsi-dh-early' "$root/dev/kmsg" >"$out/$jobs.kmsg"
}

same_as_serial() {
	local out=$BATS_TEST_TMPDIR/out f
	for f in txt json dh writes record kmsg; do
		diff -u "$out/1.$f" "$out/$1.$f" || fail "write_jobs = $1: $f differs"
	done
}

@test "before 4.3: results, report order, summary and writes as with one write at a time" {
	mixed_tree yes
	export FAKE_KERNEL=pre43 FAKE_DETACH_STICKY=1 FAKE_WRITE_DELAY_MS=10
	apply_copy 1
	apply_copy 8
	apply_copy 64
	out=$BATS_TEST_TMPDIR/out
	grep -qx '48 LUNs: 24 ok, 16 none, 8 owned-attached; attached 16, detached 0, refused 0, failed 0, refused by the handler 8, held 8' \
		"$out/1.txt"
	grep -qx 'exit 1' "$out/1.txt"
	same_as_serial 8
	same_as_serial 64
}

@test "4.3 on, can_detach unknown: one detach is written, the refusal settles it, as serial" {
	mixed_tree unknown
	export FAKE_KERNEL=post43 FAKE_WRITE_DELAY_MS=10
	apply_copy 1
	apply_copy 8
	out=$BATS_TEST_TMPDIR/out
	run grep -c ' detach$' "$out/8.writes"
	assert_output 1
	grep -qx '48 LUNs: 24 ok, 16 none, 8 owned-attached; attached 16, detached 0, refused 8, failed 0, refused by the handler 8' \
		"$out/1.txt"
	same_as_serial 8
}

@test "writes that hang: each is killed at its time limit; after 3 timeouts no more begin" {
	hsv_tree 32
	printf 'modprobe_timeout = 0.2\nwrite_jobs = 4\n' | conf
	FAKE_INFLIGHT=$INFLIGHT FAKE_WRITE_DELAY_MS=5000 run -1 sde_dyn apply --json
	inflight
	# at most 4 at once; a write begins only while fewer than 3 have timed out
	[ "$max" -le 4 ] || fail "$max in flight"
	[ "$total" -ge 3 ] && [ "$total" -le 6 ] || fail "$total writes began"
	tried=$(jq '[.actions[] | select(.reason | startswith("not tried") | not)] | length' <<<"$output")
	[ "$tried" -eq "$total" ] || fail "$tried tried, $total began"
	jq -e '[.actions[].result] | all(. == "failed")' <<<"$output"
	jq -e '[.actions[].error] | all(. == "Connection timed out")' <<<"$output"
	jq -e --argjson t "$total" '[.actions[$t:][].reason] | all(test("^not tried: [3-6] writes timed out before$"))' <<<"$output"
	# none finished: each was killed during its delay, before it changed anything
	[ ! -e "$LOG" ] || [ "$(grep -c '^write ' "$LOG")" -eq 0 ]
	for l in 2:0:0:0 3:0:0:1 2:0:1:14; do
		[ "$(dh "$l")" = detached ]
	done
}

@test "pidfd_open missing (before 5.3): SIGCHLD wakes the wait, same results" {
	hsv_tree 32
	# a wake-up lost would show as a write timed out
	printf 'modprobe_timeout = 60\nwrite_jobs = 4\n' | conf
	FAKE_NO_PIDFD=1 FAKE_SYSCALL_LOG=$SYSLOG FAKE_INFLIGHT=$INFLIGHT FAKE_WRITE_DELAY_MS=20 \
		run -0 --separate-stderr sde_dyn -vv apply
	assert_line "32 LUNs: 32 ok; attached 32, detached 0, refused 0, failed 0"
	[[ "$stderr" == *"pidfd_open: Function not implemented: waiting for children with SIGCHLD"* ]]
	grep -qx 'signalfd' "$SYSLOG"
	run grep -c '^pidfd_open ok' "$SYSLOG"
	assert_output 0
	inflight
	[ "$total" -eq 32 ] && [ "$max" -gt 1 ] && [ "$max" -le 4 ]
}

@test "pidfd_open there: one pidfd per child, no SIGCHLD" {
	hsv_tree 8
	FAKE_SYSCALL_LOG=$SYSLOG run -0 sde_dyn apply
	if grep -q '^pidfd_open failed' "$SYSLOG"; then
		skip "this kernel has no pidfd_open"
	fi
	# the probe, then one per write
	run grep -c '^pidfd_open ok' "$SYSLOG"
	assert_output 9
	run grep -c '^signalfd' "$SYSLOG"
	assert_output 0
}

@test "pidfd_open missing: a hanging write is still killed at its time limit" {
	hsv_tree 6
	printf 'modprobe_timeout = 0.2\nwrite_jobs = 1\n' | conf
	FAKE_NO_PIDFD=1 FAKE_SYSCALL_LOG=$SYSLOG FAKE_WRITE_DELAY_MS=5000 run -1 sde_dyn apply --json
	grep -qx 'signalfd' "$SYSLOG"
	jq -e '[.actions[].error] | all(. == "Connection timed out")' <<<"$output"
	jq -e '[.actions[3,4,5].reason] | all(startswith("not tried: 3 writes timed out"))' <<<"$output"
}

@test "pidfd_open missing: modprobe is waited for, and killed when it hangs" {
	# as in tests/040-preload.bats
	fx kernel "$KVER" kmsg loaded scsi_mod
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH" FAKE_SYSROOT=$ROOT
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_NO_PIDFD=1
	FAKE_SYSCALL_LOG=$SYSLOG run -0 sde_dyn preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	grep -qx 'signalfd' "$SYSLOG"
	printf 'modprobe_timeout = 1\n' | conf
	fx kernel "$KVER" kmsg loaded scsi_mod
	rm -rf "$ROOT"/sys/module/scsi_dh_*
	FAKE_MODPROBE_MODE=hang run -1 sde_dyn preload
	assert_output --partial "alua timeout, emc timeout, rdac timeout, hp_sw timeout"
	assert_output --partial "killed after 1000 ms"
}

@test "apply --dry-run with write_jobs: nothing forked, nothing written" {
	hsv_tree 8
	printf 'write_jobs = 2\n' | conf
	FAKE_SYSCALL_LOG=$SYSLOG FAKE_INFLIGHT=$INFLIGHT run -0 sde_dyn apply --dry-run
	assert_line "8 LUNs: 8 missing; attached 0, detached 0, refused 0, failed 0 (dry run: nothing changed)"
	[ ! -e "$INFLIGHT" ] && [ ! -e "$SYSLOG" ] && [ ! -e "$LOG" ]
}


@test "a LUN another run keeps locked: given up at the time limit, every other LUN done" {
	hsv_tree 16
	printf 'modprobe_timeout = 0.5\nwrite_jobs = 4\n' | conf
	dir=$ROOT/sys/class/scsi_device/2:0:0:4/device
	flock -x "$dir" -c "touch '$BATS_TEST_TMPDIR/held'; exec sleep 30" 3>&- &
	holder=$!
	while [ ! -e "$BATS_TEST_TMPDIR/held" ]; do sleep 0.05; done
	FAKE_CHECK_LOCK=1 FAKE_WRITE_DELAY_MS=20 run -1 sde_dyn apply --json
	kill "$holder"
	jq -e '[.actions[] | select(.hctl != "2:0:0:4") | .result] | all(. == "done")' <<<"$output"
	jq -e '.actions[] | select(.hctl == "2:0:0:4") | .result == "failed" and .reason == "cannot lock the device" and .error == "Connection timed out"' <<<"$output"
	[ "$(grep -c '^write ' "$LOG")" -eq 15 ]
	run grep -c '^unlocked' "$LOG"
	assert_output 0
}
