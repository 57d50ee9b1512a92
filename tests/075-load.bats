#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Load: 256 concurrent `apply DEVICE...` runs and 2 sweeps on a 4096-LUN tree,
# every LUN named by two runs and both sweeps. Each LUN is written once, the
# summaries add up to the changes made, the boot record always parses.

setup_file() {
	local t l args=()
	export LOAD_ROOT=$BATS_FILE_TMPDIR/root
	for t in $(seq 0 63); do
		for l in $(seq 0 63); do
			args+=(lun "5:0:$t:$l" vendor=Linux model=scsi_debug tpgs=1)
		done
	done
	"$BATS_TEST_DIRNAME/lib/mkfixture" "$LOAD_ROOT" kernel 6.1.0-28-amd64 kmsg "${args[@]}"
}

setup() {
	load helpers
	_common_setup
	ROOT=$LOAD_ROOT
	LOG=$ROOT/var/log/fake-kernel.log
}

# the devices of run i: its own 16 and the next run's 16
devices_of() {
	local i=$1 j d
	for j in "$i" $(((i + 1) % 256)); do
		for ((d = j; d < 4096; d += 256)); do
			printf '5:0:%d:%d\n' $((d / 64)) $((d % 64))
		done
	done
}

@test "256 concurrent runs and 2 sweeps on 4096 LUNs: each LUN written once, counted once" {
	local i pids=() polls=0 bad=0
	for i in $(seq 0 255); do
		mapfile -t devs < <(devices_of "$i")
		LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" --kmsg apply "${devs[@]}" \
			>"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
		if [ "$i" -eq 64 ] || [ "$i" -eq 192 ]; then
			LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" --kmsg apply \
				>"$BATS_TEST_TMPDIR/sweep.$i" 2>&1 &
			pids+=($!)
		fi
	done
	# the boot record parses whenever it is there
	while kill -0 "${pids[@]}" 2>/dev/null; do
		if [ -e "$ROOT/run/scsi-dh-early/status.json" ]; then
			polls=$((polls + 1))
			jq -e '.devices | length == 4096' "$ROOT/run/scsi-dh-early/status.json" \
				>/dev/null || bad=$((bad + 1))
		fi
		sleep 1
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a run failed: $(cat "$BATS_TEST_TMPDIR"/out.* | grep -v ': done$' | head -5)"
	done
	[ "$bad" -eq 0 ] || fail "status.json did not parse $bad times of $polls"
	jq -e '.devices | length == 4096 and all(.[]; .attached == "alua")' \
		"$ROOT/run/scsi-dh-early/status.json" >/dev/null
	# every LUN written exactly once
	run sh -c "grep '^write ' '$LOG' | sort | uniq -c | awk '\$1 != 1' | head -3"
	assert_output ""
	run grep -c '^write ' "$LOG"
	assert_output 4096
	# the summaries add up to the 4096 attaches made: a run on named LUNs that
	# changed nothing (another run had attached them) says nothing, only the
	# 2 sweeps log a line whatever they did
	run grep -c 'scsi-dh-early: .* LUNs\{0,1\}: ' "$ROOT/dev/kmsg"
	[ "$output" -le 258 ]
	run grep -c 'scsi-dh-early: .* LUNs\{0,1\}: .*; attached 0,' "$ROOT/dev/kmsg"
	[ "$output" -le 2 ]
	run sh -c "sed -n 's/.*; attached \([0-9]*\),.*/\1/p' '$ROOT/dev/kmsg' | awk '{ s += \$1 } END { print s }'"
	assert_output 4096
	run sh -c "ls '$ROOT/run/scsi-dh-early' | grep -c tmp"
	assert_output 0
}
