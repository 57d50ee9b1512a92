#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# apply: detach from owned LUNs, attach late where missing, under the kernel's
# real dh_state semantics (tests/lib/dhshim.c) for kernels before and since 4.3.

setup() {
	load helpers
	_common_setup
	LOG=$ROOT/var/log/fake-kernel.log
}

# 3 LUNs of an active owner rule with a handler attached, 2 unowned LUNs that
# came up without their expected handler, 1 LUN that is fine, 1 with nothing expected
owner_tree() {
	fx kernel "$KVER" "can_detach=$1" kmsg module-installed emcp extra/emcp.ko \
		host 1 qla2xxx \
		lun 1:0:0:1 vendor=DGC model="RAID 5" dh=emc access=active/optimized \
		lun 1:0:0:2 vendor=DGC model=VRAID dh=emc access=standby \
		lun 1:0:1:1 vendor=DGC model="RAID 10" tpgs=1 dh=alua access=active/optimized \
		lun 1:0:2:1 vendor=HP model=HSV100 \
		lun 1:0:2:2 vendor=NETAPP model=LUN tpgs=1 \
		lun 1:0:3:1 vendor=IBM model=1746 dh=rdac access=active/optimized \
		lun 1:0:4:0 vendor=QEMU model="QEMU HARDDISK"
	conf <<-'EOF'
	[owner powerpath]
	driver = emcp
	vendor = DGC EMC
	EOF
}

writes() {
	grep -c "^write $1" "$LOG" 2>/dev/null || true
}

dh() {
	cat "$ROOT/sys/class/scsi_device/$1/device/dh_state"
}

@test "kernel before 4.3: the 3 owned LUNs are detached, the 2 missing attached, exit 0" {
	owner_tree yes
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	assert_line "1:0:0:1 (DGC:RAID 5) owner=powerpath dh_state=emc: detach emc: done"
	assert_line "1:0:2:1 (HP:HSV100) dh_state=detached: attach hp_sw: done"
	assert_line "7 LUNs: 3 ok, 1 none, 3 owned; attached 2, detached 3, refused 0, failed 0"
	for l in 1:0:0:1 1:0:0:2 1:0:1:1; do
		[ "$(dh "$l")" = detached ]
	done
	[ "$(dh 1:0:2:1)" = hp_sw ]
	[ "$(dh 1:0:2:2)" = alua ]
	[ "$(dh 1:0:3:1)" = rdac ]
	[ "$(dh 1:0:4:0)" = detached ]
	[ "$(writes 1:0:3:1)" -eq 0 ]
	[ "$(writes 1:0:4:0)" -eq 0 ]
	run -0 sde status --json
	jq -e '[.devices[].verdict] == ["owned","owned","owned","ok","ok","ok","none"]' <<<"$output"
}

@test "kernel 4.3 or later: no detach is written, 3 refused, the 2 attached, exit 1" {
	owner_tree no
	export FAKE_KERNEL=post43
	run -1 sde_dyn apply
	assert_line "1:0:0:1 (DGC:RAID 5) owner=powerpath dh_state=emc: detach emc: refused"
	assert_line "7 LUNs: 3 ok, 1 none, 3 owned-attached; attached 2, detached 0, refused 3, failed 0"
	run grep -c 'detach' "$LOG"
	assert_output 0
	run grep -c "can't detach" "$ROOT/dev/kmsg"
	assert_output 0
	[ "$(dh 1:0:2:1)" = hp_sw ]
	[ "$(dh 1:0:2:2)" = alua ]
	[ "$(dh 1:0:0:1)" = emc ]
}

@test "can_detach unknown, kernel refuses: one detach is tried, the refusal settles it" {
	owner_tree unknown
	export FAKE_KERNEL=post43
	run -1 sde_dyn apply
	assert_line --partial "refused 3, failed 0"
	run grep -c ' detach$' "$LOG"
	assert_output 1
	run grep -c "can't detach handler" "$ROOT/dev/kmsg"
	assert_output 1
}

@test "can_detach unknown, kernel detaches: done" {
	owner_tree unknown
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	assert_line --partial "attached 2, detached 3, refused 0, failed 0"
}

@test "before 4.3 a holder may keep the handler: one write, re-read, held" {
	# scsi_dh_handler_detach() of 3.10 is a kref_put(): dm-multipath's reference
	# keeps the handler, and a second write would drop that reference
	owner_tree yes
	export FAKE_KERNEL=pre43
	FAKE_DETACH_STICKY=1 run -1 sde_dyn apply 1:0:0:1
	assert_line --partial "detach emc: held by another user"
	assert_line --partial "held 1"
	[ "$(writes 1:0:0:1)" -eq 1 ]
	[ "$(dh 1:0:0:1)" = emc ]
	# the next run writes once more: the holder gone, the detach is done
	run -0 sde_dyn apply 1:0:0:1
	assert_line --partial "detach emc: done"
	[ "$(writes 1:0:0:1)" -eq 2 ]
}

@test "detach = no, late_attach = no: nothing is written" {
	owner_tree yes
	printf 'detach = no\nlate_attach = no\n[owner powerpath]\nvendor = DGC\n' | conf
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply --json
	jq -e '[.actions[].action] | all(. == "none")' <<<"$output"
	jq -e '.actions[0].reason == "owned by powerpath, emc attached, detach is off"' <<<"$output"
	jq -e '.actions[3].reason == "hp_sw missing, late attach is off"' <<<"$output"
	[ ! -s "$LOG" ]
}

@test "a handler left out of the preload list is not attached late" {
	owner_tree no
	fx cmdline "rd.scsi_dh.preload=alua"
	run -0 sde_dyn apply --json 1:0:2:1 1:0:2:2
	jq -e '.actions[0].action == "none" and .actions[0].reason == "hp_sw is not in the preload list"' <<<"$output"
	jq -e '.actions[1].action == "attach" and .actions[1].result == "done"' <<<"$output"
}

@test "a late attach the handler refuses (ENODEV) is reported, not a failure, not retried" {
	# no vpd_pg83 to judge by: alua is planned; alua_check_vpd() finds no port group
	fx kernel "$KVER" lun 0:0:0:0 tpgs=1 vpd83=none
	run -0 sde_dyn apply --json
	jq -e '.actions[0] | .action == "attach" and .result == "refused by the handler" and .error == "No such device"' <<<"$output"
	jq -e '.summary | endswith("failed 0, refused by the handler 1")' <<<"$output"
	[ "$(dh 0:0:0:0)" = detached ]
	[ "$(writes 0:0:0:0)" -eq 1 ]
}

@test "--dry-run: the plan, no result, and not one byte of the tree changes" {
	owner_tree yes
	export FAKE_KERNEL=pre43
	before=$(tree_sum)
	run -0 sde_dyn apply --dry-run --json
	jq -e '.dry_run == true' <<<"$output"
	jq -e '[.actions[] | select(.action != "none") | .hctl] == ["1:0:0:1","1:0:0:2","1:0:1:1","1:0:2:1","1:0:2:2"]' <<<"$output"
	jq -e '[.actions[] | has("result")] | any | not' <<<"$output"
	jq -e '.actions[0] | .action == "detach" and .handler == "emc" and .owner == "powerpath"' <<<"$output"
	run -0 sde_dyn apply --dry-run
	assert_line --partial "(dry run: nothing changed)"
	[ "$(tree_sum)" = "$before" ]
	[ ! -e "$LOG" ]
}

@test "apply twice: the second run changes nothing" {
	owner_tree yes
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	: >"$LOG"
	run -0 sde_dyn apply --json
	jq -e '[.actions[].action] | all(. == "none")' <<<"$output"
	jq -e '.summary | endswith("attached 0, detached 0, refused 0, failed 0")' <<<"$output"
	[ ! -s "$LOG" ]
}

@test "on 4.3+ the second run refuses again without writing" {
	owner_tree no
	run -1 sde_dyn apply
	: >"$LOG"
	run -1 sde_dyn apply
	assert_line --partial "attached 0, detached 0, refused 3, failed 0"
	[ ! -s "$LOG" ]
}

@test "DEVICE: H:C:T:L, a sysfs devpath, /dev/sdX; anything else is a usage error" {
	owner_tree no
	blk=$(ls "$ROOT/sys/class/scsi_device/1:0:2:2/device/block")
	run -0 sde_dyn apply --json 1:0:2:1 /devices/platform/host1/target1:0:2/1:0:2:1 "/dev/$blk"
	# named twice, acted on once
	jq -e '[.actions[].hctl] == ["1:0:2:1","1:0:2:2"]' <<<"$output"
	jq -e '[.actions[].result] == ["done","done"]' <<<"$output"
	run -2 --separate-stderr sde_dyn apply 1:0:2
	[[ "$stderr" == *"not a device (H:C:T:L, /devices/... or /dev/sdX): '1:0:2'"* ]]
	run -2 sde_dyn apply /dev/../etc/passwd
	run -0 sde_dyn apply --json 9:9:9:9
	jq -e '.actions[0] | .hctl == "9:9:9:9" and .result == "vanished"' <<<"$output"
	run -0 --separate-stderr sde_dyn apply /dev/sdzz
	[[ "$stderr" == *"/dev/sdzz: no such SCSI device, ignoring"* ]]
}

@test "kmsg: one summary line per run; per-device lines only with rd.scsi_dh.debug" {
	owner_tree yes
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	run grep -c 'scsi-dh-early' "$ROOT/dev/kmsg"
	assert_output 1
	grep -qx '<6>scsi-dh-early: 7 LUNs: 3 ok, 1 none, 3 owned; attached 2, detached 3, refused 0, failed 0' \
		"$ROOT/dev/kmsg"
	owner_tree no
	fx cmdline "rd.scsi_dh.debug"
	: >"$ROOT/dev/kmsg"
	run -1 sde_dyn apply
	grep -q '^<4>scsi-dh-early: 1:0:0:1 (DGC:RAID 5) owner=powerpath dh_state=emc: detach emc: refused' \
		"$ROOT/dev/kmsg"
	grep -q '^<7>scsi-dh-early: 1:0:4:0 (QEMU:QEMU HARDDISK) dh_state=detached: no handler expected' \
		"$ROOT/dev/kmsg"
	grep -q '^<4>scsi-dh-early: 7 LUNs: .*refused 3' "$ROOT/dev/kmsg"
}

@test "the sweep marks itself and leaves the boot record for status --boot" {
	owner_tree no
	run -1 sde_dyn apply
	[ -f "$ROOT/run/scsi-dh-early/swept" ]
	run -0 sde status --boot --json
	jq -e '.summary | endswith("refused 3, failed 0")' <<<"$output"
	jq -e '[.devices[].verdict] == ["owned-attached","owned-attached","owned-attached","ok","ok","ok","none"]' <<<"$output"
	run -0 sde status --boot
	assert_line --regexp '^1:0:2:1 .* hp_sw +hp_sw +- +ok +0$'
	assert_line "7 LUNs: 3 ok, 1 none, 3 owned-attached; attached 2, detached 0, refused 3, failed 0"
	ls "$ROOT/run/scsi-dh-early" >"$BATS_TEST_TMPDIR/ls"
	run grep -c tmp "$BATS_TEST_TMPDIR/ls"
	assert_output 0
	# a single-device run leaves the record alone
	cp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/before.json"
	run sde_dyn apply 1:0:0:1
	cmp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "status --boot without a boot record: a clear error" {
	fx kernel "$KVER"
	run -1 --separate-stderr sde status --boot
	[[ "$stderr" == *"no boot record"* ]]
}

@test "rd.scsi_dh=0: apply does nothing and says so" {
	owner_tree yes
	fx cmdline "rd.scsi_dh=0"
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	assert_output "disabled by rd.scsi_dh=0"
	[ ! -e "$LOG" ]
	[ ! -e "$ROOT/run/scsi-dh-early/swept" ]
}

@test "a broken configuration at boot: nothing changes, the error is logged, exit 2" {
	owner_tree yes
	printf '[owner powerpath]\nvendor = DGC\ndetach = yes\n' | conf
	export FAKE_KERNEL=pre43
	run -2 --separate-stderr sde_dyn apply
	[ ! -e "$LOG" ]
	grep -q '^<3>scsi-dh-early: .*scsi-dh-early.conf:3: unknown key "detach" in \[owner powerpath\].*; changing nothing$' \
		"$ROOT/dev/kmsg"
	run -0 sde status --boot --json
	jq -e '.policy.fallback == true and (.policy.errors | length) == 1' <<<"$output"
}

@test "64 parallel apply DEVICE runs on one tree: each device acted on once, nothing torn" {
	args=()
	for i in $(seq 0 63); do
		args+=(lun "4:0:$((i / 8)):$((i % 8))" vendor=Linux model=scsi_debug tpgs=1)
	done
	fx kernel "$KVER" kmsg "${args[@]}"
	export FAKE_WRITE_DELAY_MS=20
	pids=()
	for i in $(seq 0 63); do
		LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" --kmsg apply "4:0:$((i / 8)):$((i % 8))" \
			>"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	for i in $(seq 0 63); do
		h="4:0:$((i / 8)):$((i % 8))"
		[ "$(dh "$h")" = alua ] || fail "$h: $(dh "$h")"
		[ "$(writes "$h")" -eq 1 ] || fail "$h written $(writes "$h") times"
	done
	run grep -c '^<6>scsi-dh-early: 1 LUN: 1 ok; attached 1, detached 0, refused 0, failed 0$' \
		"$ROOT/dev/kmsg"
	assert_output 64
	[ "$(wc -l <"$ROOT/dev/kmsg")" -eq 64 ]
}

@test "writes that block are given up after modprobe_timeout; after 3, no more are tried" {
	args=()
	for i in 0 1 2 3 4 5; do
		args+=(lun "2:0:0:$i" vendor=HP model=HSV100)
	done
	fx kernel "$KVER" "${args[@]}"
	# one write at a time: exactly three are tried (tests/055-jobs.bats: in parallel)
	printf 'modprobe_timeout = 0.2\nwrite_jobs = 1\n' | conf
	export FAKE_WRITE_DELAY_MS=5000
	run -1 sde_dyn apply --json
	jq -e '[.actions[].result] | all(. == "failed")' <<<"$output"
	jq -e '[.actions[].error] | all(. == "Connection timed out")' <<<"$output"
	jq -e '[.actions[3,4,5].reason] | all(startswith("not tried: 3 writes timed out"))' <<<"$output"
	for i in 0 1 2 3 4 5; do
		[ "$(dh "2:0:0:$i")" = detached ]
	done
}
