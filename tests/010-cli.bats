#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: help, version, usage errors, the static build.

setup() {
	load helpers
	_common_setup
}

@test "the helper is statically linked" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	run file "$BIN"
	assert_output --partial "statically linked"
}

@test "the helper is built hardened: stack protector, RELRO bound now, no executable stack" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	for b in "$BIN" "$DYN"; do
		run readelf -lW "$b"
		assert_line --regexp 'GNU_RELRO'
		assert_line --regexp 'GNU_STACK +.* RW +0x'
		nm "$b" | grep -q '__stack_chk_fail' || fail "$b: no stack protector"
	done
	run readelf -dW "$DYN"
	assert_output --regexp 'FLAGS.*BIND_NOW'
}

@test "--help lists every command, option and exit status, on stdout, exit 0" {
	run -0 "$BIN" --help
	for w in status check preload apply softdeps modules resolve --sysroot --config \
		--kver --moddir --json --format --textfile --boot --dry-run --kmsg --no-kmsg \
		--verbose --quiet \
		--version "Exit status" rd.scsi_dh=0; do
		assert_output --partial -- "$w"
	done
}

@test "--version and -V" {
	run -0 "$BIN" --version
	assert_output --regexp '^scsi-dh-early [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 "$BIN" -V
	assert_output --regexp '^scsi-dh-early '
}

@test "usage errors: one line, a hint, exit 2" {
	run -2 --separate-stderr "$BIN"
	assert_equal "$output" ""
	[[ "$stderr" == *"no command given"* ]]
	[[ "$stderr" == *"Try 'scsi-dh-early --help'"* ]]
	run -2 --separate-stderr "$BIN" frobnicate
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	run -2 --separate-stderr "$BIN" --bogus status
	[[ "$stderr" == *"Try 'scsi-dh-early --help'"* ]]
	run -2 --separate-stderr "$BIN" check --json
	[[ "$stderr" == *"--json is for status and apply"* ]]
	run -2 --separate-stderr "$BIN" status --dry-run
	run -2 --separate-stderr "$BIN" preload --boot
	run -2 --separate-stderr "$BIN" status 0:0:0:0
	[[ "$stderr" == *"unexpected argument '0:0:0:0'"* ]]
	run -2 --separate-stderr "$BIN" --kver ../x status
	[[ "$stderr" == *"--kver: not a kernel release"* ]]
}

@test "options may follow the command" {
	fx kernel "$KVER" lun 0:0:0:1 vendor=HP model=HSV100
	run -0 "$BIN" status --json --sysroot "$ROOT"
	assert_output --partial '"expected":"hp_sw"'
}

@test "no kernel release anywhere is a clear error" {
	mkdir -p "$ROOT/sys"
	run -2 --separate-stderr sde status
	[[ "$stderr" == *"cannot tell the kernel release"* ]]
	run -0 sde --kver 6.1.0-28-amd64 status
}

@test "a write error on standard output is an error" {
	fx kernel "$KVER"
	[ -w /dev/full ] || skip "no /dev/full"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run -1 --separate-stderr bash -c '"$0" --sysroot "$1" status --json >/dev/full' "$BIN" "$ROOT"
	[[ "$stderr" == *"write error on standard output"* ]]
}
