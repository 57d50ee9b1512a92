#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind memcheck on the helper (the dynamic build) over a fake sysfs: every
# command a boot runs, with the kernel's dh_state semantics; no error, no leak.

setup() {
	load helpers
	_common_setup
	command -v valgrind >/dev/null || skip "valgrind not installed"
	VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all
		'--errors-for-leak-kinds=definite,indirect,possible' --track-origins=yes)
}

tree() {
	fx kernel "$KVER" can_detach=yes kmsg module-installed emcp extra/emcp.ko \
		host 1 qla2xxx \
		lun 1:0:0:1 vendor=DGC model="RAID 5" dh=emc access=active/optimized \
		lun 1:0:0:2 vendor=DGC model=VRAID dh=emc access=standby \
		lun 1:0:2:1 vendor=HP model=HSV100 \
		lun 1:0:2:2 vendor=NETAPP model=LUN tpgs=1 \
		lun 1:0:3:1 vendor=IBM model=1746 dh=rdac access=active/optimized \
		lun 1:0:4:0 vendor=QEMU model="QEMU HARDDISK" noinquiry
	printf '[owner powerpath]\ndriver = emcp\nvendor = DGC EMC\n' | conf
}

@test "memcheck: a sweep before 4.3 (detach, attach, boot record)" {
	tree
	run -0 env FAKE_KERNEL=pre43 LD_PRELOAD="$SHIM" "${VG[@]}" "$DYN" --sysroot "$ROOT" --kmsg apply
	assert_line "6 LUNs: 3 ok, 1 unknown, 2 owned; attached 2, detached 2, refused 0, failed 0"
	jq -e '.devices | length == 6' "$ROOT/run/scsi-dh-early/status.json"
}

@test "memcheck: a sweep on 4.3 or later, then status, status --boot, check, resolve" {
	tree
	run -1 --separate-stderr env FAKE_KERNEL=post43 LD_PRELOAD="$SHIM" "${VG[@]}" "$DYN" --sysroot "$ROOT" apply --json
	jq -e '.actions | length == 6' <<<"$output"
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" status --json
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" status --boot
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" check
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" --kver "$KVER" resolve
}

@test "memcheck: preload, softdeps and modules; a broken configuration" {
	tree
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$ROOT
	fx loaded scsi_mod
	run -0 env PATH="$BATS_TEST_TMPDIR/bin:$PATH" "${VG[@]}" "$DYN" --sysroot "$ROOT" preload
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" --kver "$KVER" softdeps
	run -0 "${VG[@]}" "$DYN" --sysroot "$ROOT" --kver "$KVER" modules
	printf 'preload = ../x\n[owner a]\n' | conf
	fx cmdline "rd.scsi_dh.preload=$(printf 'e%.0s' $(seq 5000))"
	run -2 env FAKE_KERNEL=pre43 LD_PRELOAD="$SHIM" "${VG[@]}" "$DYN" --sysroot "$ROOT" apply
}
