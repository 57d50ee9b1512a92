#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The three man pages: rendered by man-db at 80 columns without a warning,
# installed by make install in their sections, and with the sections an
# administrator looks for.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	_common_setup
	command -v man >/dev/null || skip "man (man-db) not installed"
}

# pages: scsi-dh-early(8), scsi-dh-early.conf(5), dracut.scsi-dh-early(7)
pages=(man/scsi-dh-early.8 man/scsi-dh-early.conf.5 man/dracut.scsi-dh-early.7)

@test "MANWIDTH=80 man --warnings -l is silent on each page" {
	local m
	for m in "${pages[@]}"; do
		assert [ -f "$TOP/$m" ]
		run --separate-stderr env MANWIDTH=80 man --warnings -l "$TOP/$m"
		assert_success
		assert_equal "$stderr" ''
		# and it did render: the page's name in its header
		assert_line --index 0 --regexp '^[A-Z.-]+\([578]\)'
	done
}

@test "a warning would be seen: a broken request makes man --warnings speak" {
	printf '.TH X 8\n.SH NAME\nx \\- y\n.BOGUS\n' >"$BATS_TEST_TMPDIR/x.8"
	run --separate-stderr env MANWIDTH=80 man --warnings -l "$BATS_TEST_TMPDIR/x.8"
	refute [ -z "$stderr" ]
}

@test "make install puts each page in its section" {
	run make -C "$TOP" --no-print-directory install DESTDIR="$BATS_TEST_TMPDIR/d"
	assert_success
	assert [ -f "$BATS_TEST_TMPDIR/d/usr/share/man/man8/scsi-dh-early.8" ]
	assert [ -f "$BATS_TEST_TMPDIR/d/usr/share/man/man5/scsi-dh-early.conf.5" ]
	assert [ -f "$BATS_TEST_TMPDIR/d/usr/share/man/man7/dracut.scsi-dh-early.7" ]
}

# sections SECTION...: each one is a .SH of the page in $page
has_sections() {
	local s
	for s in "$@"; do
		grep -qx "\.SH \"\?$s\"\?" "$TOP/$page" || {
			echo "$page: no section $s" >&2
			return 1
		}
	done
}

@test "scsi-dh-early(8): the boot summary line explained, EXAMPLES, FILES, ENVIRONMENT" {
	page=man/scsi-dh-early.8
	has_sections "THE BOOT SUMMARY LINE" EXAMPLES FILES ENVIRONMENT "EXIT STATUS"
	# every verdict and every action count of the summary line is explained
	run env MANWIDTH=80 man -l "$TOP/$page"
	local w
	for w in ok none missing mismatch owned owned-attached attached detached refused failed vanished; do
		assert_output --partial "$w"
	done
}

@test "scsi-dh-early.conf(5): PowerPath, HDLM and Veritas DMP, per kernel generation" {
	page=man/scsi-dh-early.conf.5
	has_sections "THIRD-PARTY MULTIPATH DRIVERS"
	run env MANWIDTH=80 man -l "$TOP/$page"
	assert_output --partial 'driver = emcp'
	assert_output --partial 'driver = sddlmfdrv'
	assert_output --partial 'driver = vxdmp'
	assert_output --partial 'Before Linux 4.3'
	assert_output --partial 'initcall_blacklist='
}

@test "scsi-dh-early.conf(5): its PowerPath, HDLM and DMP examples are valid configuration" {
	[ -x "$BIN" ] || skip "build/scsi-dh-early not built"
	# the .nf/.fi blocks of the section, as man prints them
	env MANWIDTH=200 man -l "$TOP/man/scsi-dh-early.conf.5" |
		awk '/^THIRD-PARTY MULTIPATH DRIVERS/ { on = 1 } /^SEE ALSO/ { on = 0 }
			on && /^ +(\[owner|[a-z_]+ = )/ { sub(/^ +/, ""); print }' >"$BATS_TEST_TMPDIR/conf"
	run grep -c '^\[owner' "$BATS_TEST_TMPDIR/conf"
	assert_output 3
	fx kernel "$KVER"
	run sde --config "$BATS_TEST_TMPDIR/conf" check
	refute_output --partial ': error'
	assert_line --regexp '^owner powerpath .*inactive'
	assert_line --regexp '^owner hdlm .*inactive'
	assert_line --regexp '^owner vxdmp .*inactive'
}

@test "dracut.scsi-dh-early(7): installs, hooks of both inits, options, checking, switching off" {
	page=man/dracut.scsi-dh-early.7
	has_sections "WHAT THE MODULE INSTALLS" HOOKS "KERNEL COMMAND LINE" "CHECKING THAT IT WORKED" \
		"SWITCHING IT OFF IN AN EMERGENCY"
	run env MANWIDTH=80 man -l "$TOP/$page"
	assert_output --partial 'Classic init'
	assert_output --partial 'systemd in the initramfs'
	assert_output --partial 'rd.scsi_dh=0'
}
