#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The udev rule's text within what every udev reads whole, a WWID too long to
# read, and status.json for any bytes sysfs holds (issue 18, items 5, 6, 10d).
# The rule run by the real udev: tests/209-late-rules.bats.

setup() {
	load helpers
	_common_setup
	CONF=$ROOT/etc/scsi-dh-early.conf
}

# --- the rule's match values

# udev before v243 matches a list of globs in a copy of 1024 bytes
# (src/udev/udev-rules.c of v239, match_key(), GL_SPLIT_GLOB:
# "char value[UTIL_PATH_SIZE]; strscpy(value, sizeof(value), ...)", and
# UTIL_PATH_SIZE is 1024): what does not fit is silently cut, the globs at the
# end are lost.  RHEL 7 ships 219, RHEL 8 239.
@test "rules: 16 iSCSI-name wwid globs (1119 bytes) are 16 match values, each under udev's 1024-byte buffer" {
	fx kernel "$KVER"
	globs=()
	for i in $(seq 16); do
		# 69 bytes each, a glob ('*') as an array's target names are matched
		g=$(printf 'iqn.1992-04.com.example:storage.array-%02d.target-0123456789abcdef0123*' "$i")
		globs+=("$g")
	done
	[ "${#globs[0]}" -eq 69 ]
	joined=$(IFS='|' && echo "${globs[*]}")
	[ "${#joined}" -eq 1119 ]
	printf '[owner iscsi]\nwwid = %s\n' "${globs[*]}" | conf
	run -0 sde --kver "$KVER" rules
	rule=$output
	# every match value of every line, each shorter than 1024 bytes
	values=$(grep -o '=="[^"]*"' <<<"$rule" | sed 's/^=="//; s/"$//')
	while IFS= read -r v; do
		[ "${#v}" -lt 1024 ] || fail "a match value of ${#v} bytes: ${v:0:80}..."
	done <<<"$values"
	# and each glob is one whole match value: none cut, none lost
	for g in "${globs[@]}"; do
		grep -qxF "$g" <<<"$values" || fail "glob '$g' is not a match value of its own"
	done
}

# A single glob cannot reach the bound: the configuration refuses a value of
# GLOB_MAX (128) bytes or more, naming the file and line, and the image is
# then built with the configuration marked broken (a rule that starts nothing,
# a boot that changes nothing).
@test "rules: a glob too long for the configuration is an error naming file and line, exit 2" {
	fx kernel "$KVER"
	long=$(printf 'iqn.1992-04.com.example:%01100d' 0)
	printf '[owner iscsi]\nvendor = IBM\nwwid = %s\n' "$long" | conf
	run -2 --separate-stderr sde --kver "$KVER" rules
	[[ "$stderr" == *"$CONF:3: wwid: value too long: \"iqn.1992-04.com.example:0000000000000000...\""* ]] ||
		fail "$stderr"
	assert_line '# errors in the configuration: the sweeps change nothing'
	refute_output --partial "$long"
}
