#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The boot record: the initramfs's sweep writes status.{json,txt}, which
# status --boot shows for the rest of the boot; a later sweep in the real root
# (scsi-dh-early.service, an administrator) writes status-root.{json,txt}
# beside it instead of replacing it.

setup() {
	load helpers
	_common_setup
	fx kernel "$KVER" kmsg \
		lun 1:0:0:0 vendor=HP model=HSV100 dh=hp_sw \
		lun 1:0:1:0 vendor=QEMU model="QEMU HARDDISK"
}

@test "the initramfs's sweep writes the boot record, a second one there replaces it" {
	mkdir -p "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
	run -0 sde_dyn apply
	run -0 sde status --boot
	assert_line "2 LUNs: 1 ok, 1 none; attached 0, detached 0, refused 0, failed 0"
	fx lun 1:0:2:0 vendor=HP model=HSV100 dh=hp_sw
	run -0 sde_dyn apply
	run -0 sde status --boot
	assert_line --regexp '^3 LUNs: '
	[ ! -e "$ROOT/run/scsi-dh-early/status-root.json" ]
}

# mkinitramfs puts /conf/initramfs.conf in every image and no initrd-release
@test "in an initramfs-tools image (/conf/initramfs.conf) a second sweep replaces the record too" {
	mkdir -p "$ROOT/conf"
	: >"$ROOT/conf/initramfs.conf"
	run -0 sde_dyn apply
	fx lun 1:0:2:0 vendor=HP model=HSV100 dh=hp_sw
	run -0 sde_dyn apply
	run -0 sde status --boot
	assert_line --regexp '^3 LUNs: '
	[ ! -e "$ROOT/run/scsi-dh-early/status-root.json" ]
	# switch_root: /run moved into the real root, which has no /conf
	rm -r "$ROOT/conf"
	fx lun 1:0:3:0 vendor=HP model=HSV100 dh=hp_sw
	run -0 sde_dyn apply
	run -0 sde status --boot
	assert_line --regexp '^3 LUNs: '
	run -0 jq -r .summary "$ROOT/run/scsi-dh-early/status-root.json"
	assert_output --regexp '^4 LUNs: '
}

@test "the real root's sweep keeps the initramfs's record and writes status-root beside it" {
	mkdir -p "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
	run -0 sde_dyn apply
	cp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/initrd.json"
	# switch_root: the same /run, no initrd-release
	rm "$ROOT/etc/initrd-release"
	fx lun 1:0:2:0 vendor=HP model=HSV100 dh=hp_sw
	run -0 sde_dyn apply
	cmp "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/initrd.json"
	run -0 sde status --boot
	assert_line --regexp '^2 LUNs: '
	run -0 jq -r .summary "$ROOT/run/scsi-dh-early/status-root.json"
	assert_output --regexp '^3 LUNs: '
	run -0 grep -c '^3 LUNs: ' "$ROOT/run/scsi-dh-early/status-root.txt"
	assert_output 1
}

@test "without an initramfs record the real root's sweep is the boot record" {
	run -0 sde_dyn apply
	run -0 sde status --boot
	assert_line --regexp '^2 LUNs: '
	[ ! -e "$ROOT/run/scsi-dh-early/status-root.json" ]
}
