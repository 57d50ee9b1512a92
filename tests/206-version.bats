#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One version: VERSION in the Makefile.  The helper's --version, the Debian
# changelog, the RPM spec and every man page say the same; make dist names
# its tarball after it and holds what a package build needs.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	_common_setup
	VERSION=$(make -s -C "$TOP" --no-print-directory version)
}

@test "the Makefile's VERSION is a version" {
	assert_regex "$VERSION" '^[0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the helper's --version is the Makefile's" {
	[ -x "$BIN" ] || skip "build/scsi-dh-early not built"
	run "$BIN" --version
	assert_success
	assert_output "scsi-dh-early $VERSION"
}

@test "debian/changelog's latest entry is the Makefile's version" {
	run dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version
	assert_success
	assert_output "$VERSION"
}

@test "the spec's Version and its latest changelog entry are the Makefile's" {
	run sed -n 's/^Version:[[:space:]]*//p' "$TOP/scsi-dh-early.spec"
	assert_output "$VERSION"
	run grep -m1 '^\* ' "$TOP/scsi-dh-early.spec"
	assert_output --regexp " - $VERSION-[0-9]+$"
	if command -v rpmspec >/dev/null; then
		run rpmspec -q --qf '%{VERSION}\n' "$TOP/scsi-dh-early.spec"
		assert_output "$VERSION"
	fi
}

@test "every man page says the Makefile's version" {
	local m n=0
	for m in "$TOP"/man/*.[0-9]; do
		run grep -m1 '^\.TH ' "$m"
		assert_output --partial "\"scsi-dh-early $VERSION\""
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "make dist: scsi-dh-early-VERSION.tar.gz with the sources, packaging and no build output" {
	git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git work tree"
	run make -C "$TOP" --no-print-directory dist
	assert_success
	local tarball=$TOP/build/scsi-dh-early-$VERSION.tar.gz
	run tar -tzf "$tarball"
	assert_success
	assert_line "scsi-dh-early-$VERSION/Makefile"
	assert_line "scsi-dh-early-$VERSION/src/main.c"
	assert_line "scsi-dh-early-$VERSION/debian/rules"
	assert_line "scsi-dh-early-$VERSION/scsi-dh-early.spec"
	assert_line "scsi-dh-early-$VERSION/man/dracut.scsi-dh-early.7"
	refute_line --regexp '/build/'
	refute_line --partial "scsi-dh-early-$VERSION/.git/"
	# every entry under the one top directory
	run bash -c "tar -tzf '$tarball' | grep -v '^scsi-dh-early-$VERSION/'"
	assert_output ''
	# it builds: the helper from the unpacked tarball says the same version
	tar -C "$BATS_TEST_TMPDIR" -xzf "$tarball"
	run make -C "$BATS_TEST_TMPDIR/scsi-dh-early-$VERSION" --no-print-directory
	assert_success
	run "$BATS_TEST_TMPDIR/scsi-dh-early-$VERSION/build/scsi-dh-early" --version
	assert_output "scsi-dh-early $VERSION"
}
