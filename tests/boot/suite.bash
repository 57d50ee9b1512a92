# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# What the boot suites (boot.bats, mpath.bats) share: the harness and the
# scenarios in every test, and boot SCENARIO.

# shellcheck source-path=SCRIPTDIR

setup_file() {
	# shellcheck source=lib.sh
	. "$BATS_TEST_DIRNAME/lib.sh"
	local why
	why=$(boot_missing)
	[ -z "$why" ] || skip "$why"
}

setup() {
	# shellcheck source=lib.sh
	. "$BATS_TEST_DIRNAME/lib.sh"
	# shellcheck source=scenarios.sh
	. "$BATS_TEST_DIRNAME/scenarios.sh"
}

# Boot one scenario; its image build and boot times go to the TAP stream,
# the whole log to the test's output (shown when it fails).
boot() {
	local rc=0 log=$BATS_TEST_TMPDIR/boot.log
	boot_scenario "$1" 2>"$log" || rc=$?
	grep -E '^# (image|boot) ' "$log" >&3 || :
	cat "$log" >&2
	[ "$rc" -ne 77 ] || skip "$(grep -m1 'skipped' "$log" | sed 's/^# //')"
	return "$rc"
}
