#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Verdicts true to the kernel that runs: its generation's table, the handlers'
# own refusals, no wwid or inquiry attribute (RHEL 7), built-in handlers.

setup() {
	load helpers
	_common_setup
	LOG=$ROOT/var/log/fake-kernel.log
}

RHEL7=3.10.0-1160.el7.x86_64
RHEL8=4.18.0-553.el8_10.x86_64
K44=4.4.0-210-generic
NAA=60060160a1b2c3d4e5f6a7b8c9d0e1

# RHEL 7: 3.10 with every handler built in, scsi_dh_detach exported, no wwid
# attribute: the WWID is only in vpd_pg83
rhel7_tree() {
	fx kernel "$RHEL7" can_detach=yes \
		builtin scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw \
		module-installed emcp extra/emcp.ko host 1 lpfc \
		lun 1:0:0:1 vendor=DGC model="VRAID" dh=emc "vpd83=naa:${NAA}01,relport:1" \
		lun 1:0:0:2 vendor=DGC model="VRAID" dh=emc "vpd83=naa:${NAA}02,relport:2" \
		lun 1:0:1:1 vendor=DGC model="VRAID" dh=emc "vpd83=naa:60060160111111112222222233333301" \
		lun 1:0:2:1 vendor=NETAPP model="LUN C-Mode" tpgs=1 dh=alua \
			"vpd83=naa:600a098038303053453f463045727272,tpg:1,relport:3"
	conf <<-'EOF'
	[owner powerpath]
	driver = emcp
	wwid = naa.60060160a1*
	EOF
}

@test "6.1: TPGS LUNs of types 1, 12, 13 and 20 expect nothing: none, and no attach" {
	fx kernel "$KVER" \
		lun 0:0:0:1 type=1 vendor=IBM model=ULT3580 tpgs=1 \
		lun 0:0:0:2 type=12 vendor=NETAPP model="LUN C-Mode" tpgs=1 \
		lun 0:0:0:3 type=13 vendor=HP model="MSA ENCL" tpgs=3 \
		lun 0:0:0:4 type=20 vendor=ATA model="HM-SMR" tpgs=1 \
		lun 0:0:0:5 type=0 vendor=NETAPP model="LUN C-Mode" tpgs=1
	run -0 sde status --json
	jq -e '[.devices[0:4][] | .expected == null and .verdict == "none"] | all' <<<"$output"
	jq -e '.devices[0].reason | test("alua takes disks only")' <<<"$output"
	jq -e '.devices[4] | .expected == "alua" and .verdict == "missing"' <<<"$output"
	run -0 sde apply --dry-run --json
	jq -e '[.actions[0:4][] | .action == "none"] | all' <<<"$output"
	jq -e '.actions[4].action == "attach"' <<<"$output"
	# the shim agrees: alua refuses them (alua_check_tpgs()), without a word
	run -0 sde_dyn apply 0:0:0:3 0:0:0:5
	[ "$(grep -c '^write' "$LOG")" -eq 1 ]
	grep -q '^write 0:0:0:5 alua' "$LOG"
}

@test "RHEL 7: alua before 4.5 takes a TPGS enclosure, so it is expected and attached" {
	# alua_check_tpgs() of 3.10 and 4.4 looks at the TPGS bits alone; the
	# non-disk check came with 4.5 (commit db5a6a601ba9)
	fx kernel "$RHEL7" can_detach=yes builtin scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw \
		lun 0:0:0:3 type=13 vendor=HP model="MSA ENCL" tpgs=1
	run -0 sde status --json
	jq -e '.devices[0] | .expected == "alua" and .verdict == "missing"' <<<"$output"
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	[ "$(cat "$ROOT/sys/class/scsi_device/0:0:0:3/device/dh_state")" = alua ]
}

@test "4.4 takes a TPGS enclosure for alua; 4.5 and later refuse it" {
	fx kernel "$K44" lun 0:0:0:3 type=13 vendor=HP model="MSA ENCL" tpgs=1
	run -0 sde status --json
	jq -e '.devices[0] | .expected == "alua" and .verdict == "missing"' <<<"$output"
	run -0 sde check
	assert_line --partial "kernel generation: 4.3 to 4.8"
}

@test "4.5 refuses a TPGS enclosure for alua: none" {
	fx kernel 4.5.0-1-amd64 lun 0:0:0:3 type=13 vendor=HP model="MSA ENCL" tpgs=1
	run -0 sde status --json
	jq -e '.devices[0] | .expected == null and .verdict == "none"' <<<"$output"
}

@test "a TPGS disk whose VPD page 0x83 has no port group designator: none, no attach" {
	fx kernel "$KVER" \
		lun 0:0:0:1 tpgs=1 vpd83=naa:${NAA},relport:1 \
		lun 0:0:0:2 tpgs=1 vpd83=naa:${NAA},tpg:2,relport:1 \
		lun 0:0:0:3 tpgs=1 vpd83=naa:${NAA},len:40
	run -0 sde status --json
	jq -e '.devices[0] | .verdict == "none" and (.reason | test("no target port group"))' <<<"$output"
	jq -e '.devices[1] | .verdict == "missing" and .expected == "alua"' <<<"$output"
	# a page cut short is not judged
	jq -e '.devices[2] | .verdict == "missing"' <<<"$output"
	run -0 sde_dyn apply --json
	jq -e '.actions[0].action == "none" and .actions[1].result == "done"' <<<"$output"
	# alua_check_vpd() refuses what the page cannot show: reported, not a failure
	jq -e '.actions[2].result == "refused by the handler"' <<<"$output"
	grep -q 'alua: No target port descriptors found' "$LOG"
}

@test "6.1: check names the generation, the table and why" {
	fx kernel "$KVER"
	run -0 sde check
	assert_line "  kernel generation: 4.9 and later (6.1-like, RHEL 8/9), because release 6.1"
	assert_line "  kernel table: Linux 6.1 (drivers/scsi/scsi_dh.c, scsi_dh_blist)"
	run -0 sde status --json
	jq -e '.kernel | .generation == "4.9" and .builtin_handlers == []' <<<"$output"
}

@test "4.4: DGC is \"clariion\" in the table, which no handler is called: none" {
	fx kernel "$K44" \
		lun 0:0:0:1 vendor=DGC model="RAID 5" \
		lun 0:0:0:2 vendor=SGI model=TP9100 \
		lun 0:0:0:3 vendor=IBM model=3542 \
		lun 0:0:0:4 vendor=HP model=HSV100
	run -0 sde check
	assert_line "  kernel generation: 4.3 to 4.8 (4.4-like), because release 4.4"
	assert_line --partial "  kernel table: Linux 4.4 (drivers/scsi/scsi_dh.c"
	run -0 sde status --json
	jq -e '.kernel.generation == "4.3"' <<<"$output"
	jq -e '.devices[0] | .verdict == "none" and (.reason | test("clariion"))' <<<"$output"
	jq -e '.devices[1] | .expected == "rdac" and .verdict == "missing"' <<<"$output"
	jq -e '.devices[2] | .expected == null and .verdict == "none"' <<<"$output"
	jq -e '.devices[3] | .expected == "hp_sw" and .verdict == "missing"' <<<"$output"
	# the same LUNs under 6.1's table
	fx kernel "$KVER"
	run -0 sde status --json
	jq -e '[.devices[].expected] == ["emc", null, "rdac", "hp_sw"]' <<<"$output"
}

@test "RHEL 7: an owner rule by WWID claims the LUNs whose vpd_pg83 matches; detach planned" {
	rhel7_tree
	run -0 sde check
	assert_line "  kernel generation: before 4.3 (3.10-like, RHEL 7), because it exports scsi_dh_detach (modules.symbols)"
	assert_line "  built-in handlers: alua emc rdac hp_sw (preloading them has no effect)"
	assert_line --partial "  owned LUNs: detach is the lever"
	run -0 sde status --json
	jq -e '.kernel.builtin_handlers == ["alua","emc","rdac","hp_sw"]' <<<"$output"
	jq -e '.devices[0] | .wwid == "naa.'"$NAA"'01" and .wwid_source == "vpd_pg83"' <<<"$output"
	jq -e '[.devices[].verdict] == ["owned-attached","owned-attached","ok","ok"]' <<<"$output"
	jq -e '[.devices[].owner] == ["powerpath","powerpath",null,null]' <<<"$output"
	run -0 sde apply --dry-run --json
	jq -e '[.actions[].action] == ["detach","detach","none","none"]' <<<"$output"
	# and the kernel of that generation takes the detach
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply
	assert_line --partial "detached 2, refused 0, failed 0"
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:0:1/device/dh_state")" = detached ]
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:1:1/device/dh_state")" = emc ]
}

@test "RHEL 7: a holder keeps the handler after one detach write: held, never a second write" {
	rhel7_tree
	export FAKE_KERNEL=pre43 FAKE_DETACH_STICKY=1
	run -1 sde_dyn apply --json
	jq -e '[.actions[0:2][].result] == ["held by another user","held by another user"]' <<<"$output"
	jq -e '.summary | endswith("failed 0, held 2")' <<<"$output"
	[ "$(grep -c '^write 1:0:0:1 detach' "$LOG")" -eq 1 ]
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:0:1/device/dh_state")" = emc ]
}

@test "RHEL 7 without inquiry: TPGS unknown, the verdict says so, nothing attached" {
	fx kernel "$RHEL7" can_detach=yes builtin scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw \
		lun 0:0:0:1 vendor=IBM model=1746 noinquiry \
		lun 0:0:0:2 vendor=NETAPP model="LUN C-Mode" noinquiry \
		lun 0:0:0:3 vendor=IBM model=1746 noinquiry dh=rdac
	run -0 sde status
	assert_line --regexp '^0:0:0:1 .* \? +\? +- +- +unknown +0$'
	assert_line --regexp '^0:0:0:3 .* \? +rdac +rdac +- +ok +0$'
	run -0 sde status --json
	jq -e '.devices[1] | .verdict == "unknown" and (.reason | test("TPGS unknown"))' <<<"$output"
	run -0 sde apply --dry-run --json
	jq -e '[.actions[].action] | all(. == "none")' <<<"$output"
}

@test "before 4.3 a registered handler's EINVAL on attach is its refusal, not a failure" {
	fx kernel "$RHEL7" can_detach=yes builtin scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw \
		lun 0:0:0:1 tpgs=1 vpd83=none
	export FAKE_KERNEL=pre43
	run -0 sde_dyn apply --json
	jq -e '.actions[0].result == "refused by the handler" and .actions[0].error == "Invalid argument"' <<<"$output"
}

@test "RHEL 8: built-in handlers, no detach: check prints the initcall_blacklist= and who else loses it" {
	fx kernel "$RHEL8" can_detach=no builtin scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw \
		module-installed emcp extra/emcp.ko \
		lun 0:0:0:1 vendor=DGC model=VRAID dh=emc wwid=naa.${NAA} \
		lun 0:0:0:2 vendor=DGC model="RAID 5" dh=emc wwid=naa.6006016000000000 \
		lun 0:0:0:3 vendor=DGC model="RAID 5" wwid=naa.6006016000000001 \
		lun 0:0:0:4 vendor=NETAPP model="LUN C-Mode" tpgs=1 dh=alua
	conf <<-'EOF'
	[owner powerpath]
	driver = emcp
	wwid = naa.60060160a1*
	EOF
	run -1 sde check
	assert_line "  kernel generation: 4.9 and later (6.1-like, RHEL 8/9), because release 4.18"
	assert_line "  built-in handlers: alua emc rdac hp_sw (preloading them has no effect)"
	assert_line "    initcall_blacklist=clariion_init"
	assert_line "  that also takes 0:0:0:2 (DGC:RAID 5), 0:0:0:3 (DGC:RAID 5) from emc: 2 LUNs not owned"
	refute_output --partial "alua_init"
	run -0 sde status --json
	jq -e '.devices[0].reason | test("only initcall_blacklist=clariion_init keeps it off")' <<<"$output"
}

@test "README and the man pages name every verdict, apply result and init function of the code" {
	mapfile -t verdicts < <(sed -n 's/^\t\[V_[A-Z_]*\] = "\(.*\)",$/\1/p' "$TOP/src/plan.c")
	[ "${#verdicts[@]}" -eq 7 ]
	for v in "${verdicts[@]}"; do
		grep -qF "\`$v\`" "$TOP/README.md" || fail "README lacks verdict $v"
		grep -qxF ".B $v" "$TOP/man/scsi-dh-early.8" || fail "man page lacks verdict $v"
	done
	mapfile -t results < <(sed -n '/^const char \*apply_result_name/,/^}/s/^\t\treturn "\(.*\)";$/\1/p' \
		"$TOP/src/actions.c")
	[ "${#results[@]}" -ge 8 ]
	for r in "${results[@]}"; do
		case $r in nothing | planned) continue ;; esac
		tr '\n' ' ' <"$TOP/man/scsi-dh-early.8" | grep -qF "$r" || fail "man page lacks result $r"
	done
	for f in alua_init clariion_init rdac_init hp_sw_init; do
		grep -qF "\"$f\"" "$TOP/src/ktable.c" || fail "ktable.c lacks $f"
		grep -qF "\`$f\`" "$TOP/README.md" || fail "README lacks $f"
		grep -qF "$f" "$TOP/man/scsi-dh-early.8" || fail "man page lacks $f"
	done
	grep -q '^## Kernel compatibility$' "$TOP/README.md"
	run -1 grep -q 'only way to keep a handler off' "$TOP/README.md"
}

@test "a device being deleted answers ENODEV too: that is no handler's refusal" {
	fx kernel "$KVER" lun 0:0:0:1 tpgs=1 state=deleted
	run -1 sde_dyn apply --json
	jq -e '.actions[0].result == "failed" and .actions[0].error == "No such device"' <<<"$output"
}

@test "RHEL 7: preload says the handlers are built in and loads nothing" {
	rhel7_tree
	PATH=$TOP/tests/lib:$PATH run -0 sde preload --dry-run
	assert_output "preload: alua builtin, emc builtin, rdac builtin, hp_sw builtin"
}

@test "the generation from the release where no symbol list tells" {
	fx kernel 3.10.0-327.el7.x86_64 can_detach=unknown
	run -0 sde check
	assert_line "  kernel generation: before 4.3 (3.10-like, RHEL 7), because release 3.10"
	fx kernel 4.8.17 can_detach=unknown
	run -0 sde check
	assert_line "  kernel generation: 4.3 to 4.8 (4.4-like), because release 4.8"
	fx kernel 5.14.0-427.el9.x86_64 can_detach=unknown
	run -0 sde check
	assert_line "  kernel generation: 4.9 and later (6.1-like, RHEL 8/9), because release 5.14"
	# a 3.x release that refuses detach has the 4.3 core backported
	fx kernel 3.12.74-60.64-default can_detach=no
	run -0 sde check
	assert_line "  kernel generation: 4.9 and later (6.1-like, RHEL 8/9), because release 3.12, but no scsi_dh_detach: the 4.3 rework backported"
}

@test "6.1: a dry run says the kernel would refuse a detach, as the real run reports it" {
	fx kernel "$KVER" can_detach=no lun 0:0:0:1 vendor=DGC model=VRAID dh=emc
	printf '[owner pp]\nvendor = DGC\n' | conf
	run -0 sde apply --dry-run
	assert_line --partial "detach emc: the kernel would refuse it"
	run -0 sde apply --dry-run --json
	jq -e '.actions[0].reason | test("the kernel refuses detach: do not preload scsi_dh_emc")' <<<"$output"
	run -1 sde_dyn apply
	assert_line --partial "detach emc: refused"
	[ ! -e "$LOG" ] || run -1 grep -q '^write' "$LOG"
}
