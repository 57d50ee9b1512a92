#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# check: the configuration, the command line and what the kernel offers.

setup() {
	load helpers
	_common_setup
	fx kernel "$KVER"
	CONF=$ROOT/etc/scsi-dh-early.conf
}

# check_error TEXT MESSAGE: the config TEXT makes check fail with MESSAGE, exit 2
check_error() {
	printf '%s' "$1" | conf
	run -2 --separate-stderr sde check
	[[ "$stderr" == *"$CONF:$2"* ]] || fail "want '$CONF:$2', got: $stderr"
	assert_equal "$output" ""
}

@test "a clean configuration: exit 0 and the effective policy" {
	conf <<-'EOF'
	preload = alua scsi_dh_rdac
	late_attach = no
	modprobe_timeout = 3
	write_jobs = 4
	EOF
	run -0 sde check
	assert_line "configuration: $CONF"
	assert_line "preload: alua rdac"
	assert_line "late_attach: no"
	assert_line "detach: yes"
	assert_line "modprobe_timeout: 3.000 s"
	assert_line "write_jobs: 4"
	assert_line "  scsi_dh_alua: module"
	assert_line "  scsi_dh_rdac: module"
	assert_line --partial "  can detach handlers: no (4.3 or later)"
	assert_line --partial "kernel table: Linux 6.1"
}

@test "no configuration at all: the defaults" {
	run -0 sde check
	assert_line "configuration: none (defaults)"
	assert_line "preload: alua emc rdac hp_sw"
	assert_line "late_attach: yes"
}

@test "an unknown key" {
	check_error $'detach = yes\nfrobnicate = 1\n' '2: unknown key "frobnicate"'
}

@test "an unknown section" {
	check_error $'# x\n[lun 1]\n' '2: unknown section "[lun]"'
}

@test "a boolean that is not one" {
	check_error $'late_attach = maybe\n' '1: late_attach: "maybe" is not a boolean'
}

@test "handler names outside [a-z0-9_]+ never reach modprobe or sysfs" {
	check_error $'preload = alua ../x\n' '1: preload: invalid handler name "../x"'
	check_error $'preload = "alua;reboot"\n' '1: preload: invalid handler name "alua;reboot"'
	check_error $'preload = alua;reboot\n' '1: preload: invalid handler name "alua;reboot"'
}

@test "an [owner] section with no match key" {
	check_error $'detach = yes\n\n[owner powerpath]\ndriver = emcp\n' \
		'3: [owner powerpath]: no vendor, model, wwid or host key: it would own every LUN'
}

@test "the same owner name twice, also across files" {
	check_error $'[owner pp]\nvendor = DGC\n\n[owner pp]\nvendor = EMC\n' \
		"4: [owner pp] defined twice (first in $CONF:1)"
	printf '[owner pp]\nvendor = DGC\n' | conf
	printf '# more\n[owner pp]\nvendor = EMC\n' | conf 10-more
	run -2 --separate-stderr sde check
	[[ "$stderr" == *"$ROOT/etc/scsi-dh-early.conf.d/10-more.conf:2: [owner pp] defined twice (first in $CONF:1)"* ]]
}

@test "a timeout that is not a positive number" {
	check_error $'modprobe_timeout = 0\n' '1: modprobe_timeout: "0" is not a positive number'
	check_error $'modprobe_timeout = -3\n' '1: modprobe_timeout: "-3" is not a positive number'
	check_error $'modprobe_timeout = soon\n' '1: modprobe_timeout: "soon" is not a positive number'
}

@test "write_jobs: a whole number from 1 to 64, 8 by default" {
	run -0 sde check
	assert_line "write_jobs: 8"
	check_error $'write_jobs = 0\n' '1: write_jobs: "0" is not a whole number from 1 to 64'
	check_error $'# many\nwrite_jobs = 65\n' '2: write_jobs: "65" is not a whole number from 1 to 64'
	check_error $'write_jobs = eight\n' '1: write_jobs: "eight" is not a whole number from 1 to 64'
}

@test "every error is reported, not just the first" {
	printf 'a = 1\nb = 2\ndetach = perhaps\n' | conf
	run -2 --separate-stderr sde check
	[[ "$stderr" == *"$CONF:1: unknown key \"a\""* ]]
	[[ "$stderr" == *"$CONF:2: unknown key \"b\""* ]]
	[[ "$stderr" == *"$CONF:3: detach: \"perhaps\" is not a boolean"* ]]
}

@test "conf.d files are read in lexical order after the main file, .conf only" {
	printf 'preload = alua\n' | conf
	printf 'preload = rdac\n' | conf 20-b
	printf 'preload = emc\n' | conf 10-a
	printf 'preload = bogus!\n' >"$ROOT/etc/scsi-dh-early.conf.d/30-c.conf.disabled"
	run -0 sde check
	assert_line "preload: rdac"
	assert_line "configuration: $CONF $ROOT/etc/scsi-dh-early.conf.d/10-a.conf $ROOT/etc/scsi-dh-early.conf.d/20-b.conf"
}

@test "--config reads that file alone; a missing one is an error" {
	printf 'preload = alua\n' | conf
	printf 'preload = hp_sw\n' >"$BATS_TEST_TMPDIR/other.conf"
	run -0 sde --config "$BATS_TEST_TMPDIR/other.conf" check
	assert_line "preload: hp_sw"
	run -2 --separate-stderr sde --config "$BATS_TEST_TMPDIR/nope.conf" check
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/nope.conf: cannot read: No such file or directory"* ]]
}

@test "the kernel command line overrides the files; its errors are errors too" {
	printf 'preload = alua emc\nlate_attach = yes\n' | conf
	fx cmdline "ro rd.scsi_dh.preload=rdac rd.scsi_dh.late_attach=0 rd.scsi_dh.debug"
	run -0 sde check
	assert_line "preload: rdac"
	assert_line "late_attach: no"
	assert_line "debug: yes"
	fx cmdline "rd.scsi_dh.preload=alua,../../x"
	run -2 --separate-stderr sde check
	[[ "$stderr" == *'kernel command line: preload: invalid handler name "../../x"'* ]]
}

@test "warnings, exit 1: a handler the kernel lacks, an owner it cannot honour" {
	printf 'preload = alua foo\n[owner pp]\ndriver = emcp\nvendor = DGC\n' | conf
	fx module-installed emcp extra/emcp.ko
	run -1 --separate-stderr sde check
	assert_line "  scsi_dh_foo: missing"
	assert_line --partial "owner pp ($CONF:2): active (driver emcp installed for $KVER)"
	[[ "$stderr" == *"handler foo: no module scsi_dh_foo for $KVER"* ]]
	[[ "$stderr" == *"$CONF:2: [owner pp]: kernel $KVER cannot detach handlers"* ]]
}

@test "an owner whose driver is not installed is inactive: no warning" {
	printf '[owner pp]\ndriver = emcp\nvendor = DGC\n' | conf
	run -0 sde check
	assert_line --partial "owner pp ($CONF:1): inactive (driver emcp not installed for $KVER)"
}

@test "a built-in handler is reported as built in" {
	fx builtin scsi_dh_alua
	run -0 sde check
	assert_line "  scsi_dh_alua: built in"
}

@test "rd.scsi_dh* from the image's /etc/cmdline.d too; /proc/cmdline wins" {
	mkdir -p "$ROOT/etc/cmdline.d"
	echo "rd.scsi_dh.preload=alua rd.scsi_dh.detach=0" >"$ROOT/etc/cmdline.d/50-a.conf"
	echo "rd.scsi_dh.late_attach=0" >"$ROOT/etc/cmdline.d/60-b.conf"
	fx cmdline "ro rd.scsi_dh.preload=rdac"
	run -0 sde check
	assert_line "preload: rdac"
	assert_line "late_attach: no"
	assert_line "detach: no"
}

@test "check names the symbol list that told whether the kernel can detach" {
	run -0 sde check
	assert_line "  can detach handlers: no (4.3 or later), from modules.symbols"
	fx kernel "$KVER" can_detach=unknown
	run -0 sde check
	assert_line "  can detach handlers: unknown"
}
