#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What the dracut module asks the helper when it builds an image:
# softdeps, modules and resolve, for a kernel that need not be running.

setup() {
	load helpers
	_common_setup
	fx kernel "$KVER"
}

@test "softdeps: scsi_mod post: and one pre: line per SCSI HBA module" {
	run -0 --separate-stderr sde softdeps
	handlers="scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
	assert_line "softdep scsi_mod post: $handlers"
	for m in virtio_scsi qla2xxx lpfc mpt3sas megaraid_sas hpsa iscsi_tcp; do
		assert_line "softdep $m pre: $handlers"
	done
	# upper-level drivers and the handlers themselves get none
	for m in sd_mod sr_mod st sg ses ch scsi_dh_alua scsi_mod; do
		refute_line --regexp "^softdep $m pre:"
	done
	# every line parses as modprobe.d(5) softdep or a comment
	run grep -vE '^(#.*|softdep [a-z0-9_]+ (pre|post):( scsi_dh_[a-z0-9_]+)+)$' <<<"$output"
	assert_output ""
}

@test "softdeps: scsi_mod built in: no post: line, the pre: lines carry it" {
	fx builtin scsi_mod
	run -0 sde softdeps
	refute_line --partial "softdep scsi_mod"
	assert_line "# scsi_mod is built in: each HBA module loads the handlers first"
	# nothing depends on a built-in scsi_mod: the HBAs are known by their directory
	for m in virtio_scsi qla2xxx lpfc mpt3sas megaraid_sas hpsa; do
		assert_line "softdep $m pre: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
	done
	refute_line --regexp "^softdep (sd_mod|sg|scsi_dh_alua) pre:"
}

@test "built-in handlers are left out; missing ones are warned about" {
	fx builtin scsi_dh_emc
	printf 'preload = alua emc rdac hp_sw nosuch\n' | conf
	run -0 --separate-stderr sde modules
	assert_output $'scsi_dh_alua\nscsi_dh_rdac\nscsi_dh_hp_sw'
	[[ "$stderr" == *"handler nosuch: no module scsi_dh_nosuch for $KVER"* ]]
	run -0 --separate-stderr sde softdeps
	assert_line "softdep scsi_mod post: scsi_dh_alua scsi_dh_rdac scsi_dh_hp_sw"
}

@test "no handler modules at all: softdeps writes only its comment" {
	printf 'preload =\n' | conf
	run -0 sde softdeps
	refute_output --partial "softdep "
	run -0 sde modules
	assert_output ""
}

@test "the build host's kernel command line does not leak into an image" {
	fx cmdline "rd.scsi_dh.preload=alua rd.scsi_dh=0"
	run -0 sde modules
	assert_output $'scsi_dh_alua\nscsi_dh_emc\nscsi_dh_rdac\nscsi_dh_hp_sw'
	run -0 sde resolve
	assert_line "preload = alua emc rdac hp_sw"
}

@test "--kver and --moddir: another kernel, another module tree" {
	mkdir -p "$BATS_TEST_TMPDIR/mods"
	printf 'kernel/drivers/scsi/device_handler/scsi_dh_rdac.ko.xz: kernel/drivers/scsi/scsi_mod.ko.xz\nkernel/drivers/scsi/scsi_mod.ko.xz:\nkernel/drivers/scsi/hpsa.ko.xz: kernel/drivers/scsi/scsi_mod.ko.xz\n' \
		>"$BATS_TEST_TMPDIR/mods/modules.dep"
	run -0 --separate-stderr sde --kver 9.9.9 --moddir "$BATS_TEST_TMPDIR/mods" modules
	assert_output "scsi_dh_rdac"
	[[ "$stderr" == *"handler alua: no module scsi_dh_alua for 9.9.9"* ]]
	run -0 --separate-stderr sde --kver 9.9.9 --moddir "$BATS_TEST_TMPDIR/mods" softdeps
	assert_line "softdep scsi_mod post: scsi_dh_rdac"
	assert_line "softdep hpsa pre: scsi_dh_rdac"
}

@test "resolve: owner rules decided for the kernel, in the helper's own syntax" {
	conf <<-'EOF'
	preload = alua emc
	modprobe_timeout = 2.5
	write_jobs = 3
	[owner powerpath]
	driver = emcp
	vendor = DGC EMC
	model = "RAID 5" *
	[owner hdlm]
	driver = sddlmfdrv
	vendor = HITACHI
	[owner any]
	wwid = naa.6000*
	EOF
	fx module-installed emcp extra/emcp.ko
	run -0 sde resolve
	out=$output
	assert_line "preload = alua emc"
	assert_line "modprobe_timeout = 2.500"
	assert_line "write_jobs = 3"
	assert_line "[owner powerpath]"
	assert_line 'model = "RAID 5" *'
	assert_line "# [owner hdlm]"
	assert_line "[owner any]"
	refute_line --partial "driver ="
	assert_line --partial "inactive (driver sddlmfdrv not installed for $KVER)"
	# what resolve writes reads back: the image sees the active rules, always on
	printf '%s\n' "$out" >"$BATS_TEST_TMPDIR/resolved.conf"
	# (exit 1: this kernel cannot detach, check warns about the active rules)
	run -1 sde --config "$BATS_TEST_TMPDIR/resolved.conf" check
	assert_line --partial "owner powerpath ($BATS_TEST_TMPDIR/resolved.conf:"
	assert_line --partial "owner any ("
	refute_line --partial "owner hdlm"
	assert_line "preload: alua emc"
	assert_line "modprobe_timeout: 2.500 s"
	assert_line "write_jobs: 3"
}

@test "resolve on a broken configuration: the error, exit 2, nothing on stdout" {
	printf 'preload = alua\n[owner pp]\n' | conf
	run -2 --separate-stderr sde resolve
	assert_output ""
	[[ "$stderr" == *"scsi-dh-early.conf:2: [owner pp]: no vendor, model, wwid or host key"* ]]
}

@test "softdeps and modules on a broken configuration: the defaults, and exit 2" {
	printf 'preload = alua\nbogus = 1\n' | conf
	run -2 --separate-stderr sde modules
	assert_output $'scsi_dh_alua\nscsi_dh_emc\nscsi_dh_rdac\nscsi_dh_hp_sw'
	[[ "$stderr" == *"scsi-dh-early.conf:2: unknown key \"bogus\""* ]]
	run -2 --separate-stderr sde softdeps
	assert_line "softdep scsi_mod post: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
}
