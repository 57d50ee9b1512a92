#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A kernel built without CONFIG_SCSI_DH (Debian's cloud kernel): scsi_sysfs.c
# has no dh_state attribute then (sdev_show_dh_state() is under #ifdef
# CONFIG_SCSI_DH) and drivers/scsi/device_handler/Kconfig has no handler to
# offer, so nothing the tool does can help.  It says so once, in check, in
# the image build and in the boot's summary, and does nothing else.

CLOUD=6.1.0-57-cloud-amd64

setup() {
	load helpers
	_common_setup
	fx kernel "$CLOUD" dh=no kmsg loaded scsi_mod \
		lun 0:0:0:1 vendor=NETAPP model="LUN C-Mode" tpgs=1 dh=none \
		lun 0:0:0:2 vendor=HP model=HSV100 dh=none \
		lun 0:0:0:3 vendor=DGC model="RAID 5" dh=none wwid=naa.60060160a1b2c3d4
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$ROOT
	: >"$FAKE_MODPROBE_LOG"
}

@test "no CONFIG_SCSI_DH: check says it once, no warning per handler module, exit 1" {
	run -1 --separate-stderr sde check
	assert_equal "$(grep -c 'no device handlers' <<<"$output")" 1
	assert_output --partial "no device handlers: kernel $CLOUD is built without them (no scsi_dh_attach in modules.symbols)"
	refute_output --partial "no module"
	[ -z "$stderr" ]
	# the same from the kernel's own config where the build host has it
	mkdir -p "$ROOT/boot"
	printf 'CONFIG_SCSI=m\n# CONFIG_SCSI_DH is not set\n' >"$ROOT/boot/config-$CLOUD"
	run -1 sde check
	assert_output --partial "built without them (CONFIG_SCSI_DH is not set)"
}

@test "no CONFIG_SCSI_DH: an owner rule gets no 'cannot detach' warning either" {
	conf <<-'EOF2'
	[owner powerpath]
	driver = scsi_mod
	vendor = DGC
	EOF2
	run -1 --separate-stderr sde check
	[ -z "$stderr" ]
	run -0 sde status --json
	jq -e '.devices[] | select(.hctl == "0:0:0:3") | .verdict == "owned"' <<<"$output"
}

@test "no CONFIG_SCSI_DH: every LUN none, nothing expected, nothing written" {
	run -0 sde status --json
	jq -e '[.devices[] | .verdict == "none" and .expected == null] | all' <<<"$output"
	jq -e '[.devices[] | .reason | test("no device handlers")] | all' <<<"$output"
	run -0 sde_dyn apply
	assert_output --partial "3 LUNs: 3 none; attached 0"
	assert_output --partial "; kernel $CLOUD has no device handlers (no scsi_dh_attach in modules.symbols): none can attach"
	# one line in the kernel log, the summary
	assert_equal "$(grep -c 'scsi-dh-early' "$ROOT/dev/kmsg")" 1
	grep -q 'has no device handlers' "$ROOT/dev/kmsg"
}

@test "no CONFIG_SCSI_DH: preload runs no modprobe and logs no warning" {
	run -0 sde preload
	assert_output "preload: nothing to load"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
	run grep -c '^<[0-4]>' "$ROOT/dev/kmsg"
	assert_output 0
}

@test "no CONFIG_SCSI_DH: the image gets no softdep, no handler module, no late rule; one warning" {
	run -0 --separate-stderr sde --kver "$CLOUD" softdeps
	refute_output --partial softdep
	assert_output --partial "nothing to load"
	[ -z "$stderr" ]
	run -0 --separate-stderr sde --kver "$CLOUD" modules
	[ -z "$output" ]
	assert_equal "$(grep -c 'has no SCSI device handlers' <<<"$stderr")" 1
	[[ $stderr != *"no module"* ]]
	run -0 sde --kver "$CLOUD" rules
	run grep -c '^[^#]' <<<"$output"
	assert_output 0
}

@test "a kernel with handlers is not taken for one without" {
	# the four handlers in modules.dep, scsi_dh_attach in modules.symbols
	rm -rf "$ROOT"
	fx kernel "$KVER" lun 0:0:0:1 tpgs=1
	run -0 sde check
	refute_output --partial "no device handlers"
	run -0 sde status --json
	jq -e '.devices[0].verdict == "missing"' <<<"$output"
	# scsi_mod built in, no handler module in the image: the layout still says 4.3+
	rm -rf "$ROOT"
	fx kernel "$KVER" can_detach=unknown builtin scsi_mod lun 0:0:0:1 tpgs=1
	run -0 sde status --json
	jq -e '.devices[0].verdict == "missing"' <<<"$output"
}
