#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# status: every LUN as the kernel sees it, the kernel's rule, the verdicts.

setup() {
	load helpers
	_common_setup
}

# one LUN per entry of the kernel's table (drivers/scsi/scsi_dh.c, Linux 6.1)
table_tree() {
	local i=0 args=() line vendor model handler
	while IFS='|' read -r vendor model handler; do
		args+=(lun "2:0:$i:0" "vendor=$vendor" "model=$model")
		expect+=("2:0:$i:0 $handler")
		i=$((i + 1))
	done <<-'TABLE'
	DGC|RAID 5|emc
	DGC|DISK|emc
	DGC|VRAID|emc
	COMPAQ|MSA1000 VOLUME|hp_sw
	COMPAQ|HSV110|hp_sw
	HP|HSV100|hp_sw
	DEC|HSG80|hp_sw
	IBM|1722-600|rdac
	IBM|1724|rdac
	IBM|1726|rdac
	IBM|1742|rdac
	IBM|1745|rdac
	IBM|1746|rdac
	IBM|1813|rdac
	IBM|1814|rdac
	IBM|1815|rdac
	IBM|1818|rdac
	IBM|3526|rdac
	IBM|3542|rdac
	IBM|3552|rdac
	SGI|TP9300|rdac
	SGI|TP9400|rdac
	SGI|TP9500|rdac
	SGI|TP9700|rdac
	SGI|IS4600|rdac
	STK|OPENstorage D280|rdac
	STK|FLEXLINE 380|rdac
	STK|BladeCtlr B210|rdac
	SUN|CSM200_R|rdac
	SUN|LCSM100_F|rdac
	SUN|STK6580_6780|rdac
	SUN|SUN_6180|rdac
	SUN|ArrayStorage|rdac
	DELL|MD32xx|rdac
	NETAPP|INF-01-00|rdac
	LSI|INF-01-00|rdac
	ENGENIO|INF-01-00|rdac
	LENOVO|DE_Series|rdac
	FUJITSU|ETERNUS_AHB|rdac
	HPE|HSV100|hp_sw
	HP|HSV10|null
	SGI|TP9100|null
	QEMU|QEMU HARDDISK|null
	dgc|RAID|null
	TABLE
	# TPGS LUNs: alua whatever the vendor
	args+=(lun 3:0:0:0 vendor=Linux model=scsi_debug tpgs=1)
	expect+=("3:0:0:0 alua")
	args+=(lun 3:0:0:1 vendor=DGC model=VRAID tpgs=3)
	expect+=("3:0:0:1 alua")
	fx kernel "$KVER" "${args[@]}"
}

@test "status --json: the kernel's expected handler for every family, TPGS and no match" {
	expect=()
	table_tree
	run -0 sde status --json
	json=$output
	for e in "${expect[@]}"; do
		hctl=${e% *}
		want=${e#* }
		got=$(jq -r --arg h "$hctl" '.devices[] | select(.hctl == $h) | .expected' <<<"$json")
		[ "$got" = "$want" ] || fail "$hctl: expected '$want', got '$got'"
	done
	[ "$(jq '.devices | length' <<<"$json")" -eq "${#expect[@]}" ]
	jq -e '.kernel.release == "6.1.0-28-amd64" and .kernel.can_detach == false' <<<"$json"
	jq -e '.policy.enabled and .policy.late_attach and .policy.detach' <<<"$json"
	jq -e '.policy.preload == ["alua","emc","rdac","hp_sw"]' <<<"$json"
	jq -e '.version | test("^[0-9]")' <<<"$json"
}

@test "status shows the same as a table" {
	expect=()
	table_tree
	run -0 sde status
	assert_line --partial "kernel 6.1.0-28-amd64: can detach handlers: no"
	assert_line --partial "policy: preload alua emc rdac hp_sw; late attach on; detach on"
	assert_line --regexp '^HCTL +BLOCK +HOST +VENDOR +MODEL +TPGS +EXPECTED +ATTACHED +OWNER +VERDICT +IOERR$'
	for e in "${expect[@]}"; do
		hctl=${e% *}
		want=${e#* }
		[ "$want" = null ] && want=-
		assert_line --regexp "^$hctl .* $want +- +- +(missing|none) +0$"
	done
	assert_line --regexp '^2:0:0:0 +sd[a-z]+ +virtio_scsi +DGC +RAID 5 +0 +emc +- +- +missing +0$'
	assert_line "46 LUNs: 4 none, 42 missing; attached 0, detached 0, refused 0, failed 0"
}

@test "every verdict: ok none missing mismatch owned owned-attached" {
	conf <<-'EOF'
	[owner powerpath]
	vendor = DGC
	EOF
	fx kernel "$KVER" \
		lun 0:0:0:1 vendor=HP model=HSV100 dh=hp_sw access=active \
		lun 0:0:0:2 vendor=QEMU model="QEMU HARDDISK" \
		lun 0:0:0:3 vendor=HP model=HSV100 \
		lun 0:0:0:4 vendor=IBM model=1722 dh=alua \
		lun 0:0:0:5 vendor=DGC model=VRAID \
		lun 0:0:0:6 vendor=DGC model="RAID 5" dh=emc
	run -0 sde status --json
	run jq -r '.devices[] | "\(.hctl) \(.verdict) \(.owner)"' <<<"$output"
	assert_output - <<-'EOF'
	0:0:0:1 ok null
	0:0:0:2 none null
	0:0:0:3 missing null
	0:0:0:4 mismatch null
	0:0:0:5 owned powerpath
	0:0:0:6 owned-attached powerpath
	EOF
}

@test "devices sort by H:C:T:L numerically" {
	fx kernel "$KVER" lun 10:0:0:0 lun 2:0:0:10 lun 2:0:0:9 lun 2:0:1:0 lun 0:0:0:0
	run -0 sde status --json
	run jq -r '.devices[].hctl' <<<"$output"
	assert_output - <<-'EOF'
	0:0:0:0
	2:0:0:9
	2:0:0:10
	2:0:1:0
	10:0:0:0
	EOF
}

@test "enclosures without a block device, missing and short attributes" {
	fx kernel "$KVER" \
		lun 0:0:0:0 type=13 vendor=HP model="MSA ENCL" block=none \
		lun 0:0:0:1 vendor=HP model=HSV100 noinquiry \
		lun 0:0:0:2 vendor=DGC model=RAID shortinquiry wwid=naa.600601 \
		lun 0:0:0:3 vendor=IBM model=1746
	rm "$ROOT/sys/class/scsi_device/0:0:0:3/device/dh_state"
	run -0 sde status --json
	json=$output
	jq -e '.devices[0] | .block == null and .type == 13 and .expected == null' <<<"$json"
	# no TPGS bits to read: alua or the table's handler, the verdict says unknown
	jq -e '.devices[1] | .tpgs == null and .expected == null and .verdict == "unknown" and .block != null' <<<"$json"
	jq -e '.devices[2] | .tpgs == null and .verdict == "unknown" and .wwid == "naa.600601"' <<<"$json"
	jq -e '.devices[3] | .attached == null and .expected == "rdac"' <<<"$json"
	run -0 sde status
	assert_line --regexp '^0:0:0:0 +- +virtio_scsi +HP +MSA ENCL +0 +- +- +- +none +0$'
	assert_line --regexp '^0:0:0:1 .* \? +\? +- +- +unknown +0$'
	assert_line --regexp '^0:0:0:3 .* rdac +\? +- +missing +0$'
}

@test "a device that vanishes is simply not there; no SCSI at all is fine" {
	fx kernel "$KVER" lun 0:0:0:1 lun 0:0:0:2
	fx remove 0:0:0:1
	run -0 sde status --json
	jq -e '[.devices[].hctl] == ["0:0:0:2"]' <<<"$output"
	rm -rf "${ROOT:?}/sys/class/scsi_device"
	run -0 sde status
	assert_line "no SCSI devices"
	assert_line "0 LUNs; attached 0, detached 0, refused 0, failed 0"
}

@test "JSON is valid whatever bytes sysfs holds" {
	fx kernel "$KVER" lun 0:0:0:1 vendor=HP model=HSV100
	dev=$ROOT/sys/class/scsi_device/0:0:0:1/device
	printf 'A"\\\001\377\303(  \n' >"$dev/model"
	printf 'naa.\t"x"\n' >"$dev/wwid"
	run -0 sde status --json
	# a byte that is not UTF-8 is U+FFFD, its exact bytes in model_hex
	jq -e '.devices[0].model == "A\"\\\u0001\ufffd\ufffd(" and .devices[0].model_hex == "41225c01ffc328"' <<<"$output"
	jq -e '.devices[0] | has("vendor_hex") | not' <<<"$output"
	jq -e '.devices[0].wwid == "naa.\t\"x\""' <<<"$output"
	run -0 sde status
	assert_line --partial 'A"\???('
}

@test "can_detach: kallsyms, System.map, modules.symbols, or null" {
	fx kernel "$KVER" can_detach=yes
	run -0 sde status --json
	jq -e '.kernel.can_detach == true' <<<"$output"
	fx kernel "$KVER" can_detach=no
	run -0 sde status --json
	jq -e '.kernel.can_detach == false' <<<"$output"
	fx kernel "$KVER" can_detach=unknown
	run -0 sde status --json
	jq -e '.kernel.can_detach == null' <<<"$output"
	run -0 sde status
	assert_line --partial "can detach handlers: unknown"
	# scsi_mod built in: modules.symbols knows nothing; where scsi_dh lives says.
	# 4.3 on: inside scsi_mod (no module of its own), whatever kallsyms holds
	fx kernel "$KVER" can_detach=yes builtin scsi_mod
	run grep -c scsi_dh "$ROOT/lib/modules/$KVER/modules.symbols"
	assert_output 0
	run -0 sde status --json
	jq -e '.kernel.can_detach == false' <<<"$output"
	# before 4.3: scsi_dh a module of its own (here built in beside scsi_mod)
	fx kernel 3.0.101-63-default can_detach=yes builtin scsi_mod scsi_dh
	run -0 sde status --json
	jq -e '.kernel.can_detach == true' <<<"$output"
	run -0 sde status
	assert_line --partial "scsi_dh_detach (modules.dep and modules.builtin)"
	# modular scsi_mod and modules.symbols silent: kallsyms, the last resort
	fx kernel "$KVER" can_detach=unknown
	printf 'ffffffffc0000000 T scsi_dh_detach\t[scsi_mod]\n' >"$ROOT/proc/kallsyms"
	run -0 sde status --json
	jq -e '.kernel.can_detach == true' <<<"$output"
	# another release: its System.map says
	mkdir -p "$ROOT/boot"
	printf 'ffffffff81000000 T scsi_dh_attach\nffffffff81000100 T scsi_dh_detach\n' \
		>"$ROOT/boot/System.map-3.10.0-1160.el7.x86_64"
	run -0 sde --kver 3.10.0-1160.el7.x86_64 status --json
	jq -e '.kernel.release == "3.10.0-1160.el7.x86_64" and .kernel.can_detach == true' <<<"$output"
}

@test "rd.scsi_dh=0: status says the tool is disabled by the kernel command line" {
	fx kernel "$KVER" lun 0:0:0:1 vendor=HP model=HSV100 cmdline "quiet rd.scsi_dh=0"
	run -0 sde status
	assert_line "disabled by the kernel command line (rd.scsi_dh=0)"
	run -0 sde status --json
	jq -e '.policy.enabled == false' <<<"$output"
}
