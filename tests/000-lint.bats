#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Static checks: shellcheck on every shell file, POSIX hooks, cppcheck and clang-tidy on the C.

setup() {
	load helpers
	_common_setup
	cd "$TOP" || exit 1
}

# every tracked or new shell file of the project (by name or by shebang)
shell_files() {
	"$TOP/scripts/lint.sh" --shell-files
}

@test "shellcheck is clean on every shell file" {
	mapfile -t files < <(shell_files | grep -v '\.bats$')
	[ "${#files[@]}" -gt 3 ]
	run shellcheck -x "${files[@]}"
	assert_success
}

@test "shellcheck is clean on the bats suites" {
	mapfile -t files < <(shell_files | grep '\.bats$')
	run shellcheck -x -s bash -e SC2030,SC2031,SC2034,SC2154 "${files[@]}"
	assert_success
}

@test "hooks that run in the initramfs are POSIX sh" {
	shopt -s nullglob
	files=(modules.d/*/*.sh)
	[ "${#files[@]}" -gt 0 ] || skip "no dracut module yet"
	for f in "${files[@]}"; do
		case "$f" in */module-setup.sh) continue ;; esac
		run bash --posix -n "$f"
		assert_success
		run shellcheck -s sh "$f"
		assert_success
		run grep -nE '\[\[|echo -n|^\s*exit\b' "$f"
		assert_failure
	done
}

@test "cppcheck finds nothing in the C sources" {
	run cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -D_GNU_SOURCE -Isrc src tests/unit tests/lib tests/fuzz tests/bench
	assert_success
}

@test "clang-tidy (.clang-tidy: bugprone, CERT, the static analyzer) finds nothing" {
	command -v clang-tidy >/dev/null || skip "clang-tidy not installed"
	[ -f .clang-tidy ]
	run clang-tidy --quiet src/*.c tests/fuzz/*.c tests/bench/*.c -- -std=c11 -D_GNU_SOURCE \
		-DVERSION='"0"' -Isrc -Itests/fuzz
	assert_success
	refute_output --partial "warning:"
}

@test "the man pages render without warnings" {
	command -v groff >/dev/null || skip "groff not installed"
	for m in man/*.[0-9]; do
		run groff -man -ww -z "$m"
		assert_success
		assert_output ""
	done
}
