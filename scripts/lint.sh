#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make lint: the static checks of tests/000-lint.bats, as one command that
# says what it checked.  shellcheck on every shell file of the tree, POSIX sh
# for the hooks that run in the initramfs, cppcheck on the C, and the man
# pages rendered with warnings on.  Exit 0 clean, 1 findings, 2 a tool missing.

set -euo pipefail

cd "$(dirname "$0")/.."
rc=0

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || {
			echo "lint: $c not found (make deps)" >&2
			exit 2
		}
	done
}

# every tracked or new shell file (by name or by shebang), bats suites apart
shell_files() {
	local f
	git ls-files --cached --others --exclude-standard | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh | *.bash | *.bats) echo "$f" ;;
		*) head -c 64 "$f" | grep -qE '^#!.*(/|env )(ba)?sh' && echo "$f" ;;
		esac
	done
}

fail() {
	echo "lint: $*" >&2
	rc=1
}

# --shell-files: only the list (tests/000-lint.bats checks the same files)
if [ "${1:-}" = --shell-files ]; then
	shell_files
	exit 0
fi

need git shellcheck cppcheck bash groff
mapfile -t scripts < <(shell_files | grep -v '\.bats$')
mapfile -t suites < <(shell_files | grep '\.bats$')
echo "  shellcheck: ${#scripts[@]} scripts, ${#suites[@]} bats suites"
shellcheck -x "${scripts[@]}" || fail "shellcheck found problems in the scripts"
shellcheck -x -s bash -e SC2030,SC2031,SC2034,SC2154 "${suites[@]}" ||
	fail "shellcheck found problems in the bats suites"

# The hooks run under the initramfs's /bin/sh (dash or busybox): POSIX only,
# and sourced by dracut's init, so no "exit" of their own.
hooks=()
for f in modules.d/*/*.sh; do
	case $f in */module-setup.sh) continue ;; esac
	hooks+=("$f")
done
echo "  POSIX sh: ${#hooks[@]} initramfs hooks"
for f in "${hooks[@]}"; do
	bash --posix -n "$f" || fail "$f: not POSIX sh syntax"
	bash -n "$f" || fail "$f: syntax error"
	shellcheck -s sh "$f" || fail "$f: shellcheck -s sh"
	if grep -nE '\[\[|echo -n|^\s*exit\b' "$f"; then
		fail "$f: bashism or exit in a sourced hook (above)"
	fi
done
for f in modules.d/*/module-setup.sh; do
	bash -n "$f" || fail "$f: syntax error"
done

echo "  cppcheck: src tests/unit tests/lib tests/bench"
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--inline-suppr --std=c11 -D_GNU_SOURCE -Isrc src tests/unit tests/lib tests/bench ||
	fail "cppcheck found problems"

mans=(man/*.[0-9])
echo "  man: ${#mans[@]} pages"
for m in "${mans[@]}"; do
	out=$(groff -man -ww -z "$m" 2>&1) || fail "$m: groff failed"
	[ -z "$out" ] || fail "$m: groff warnings: $out"
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) || fail "$m: man failed"
		[ -z "$out" ] || fail "$m: man warnings: $out"
	fi
done

if [ "$rc" -eq 0 ]; then
	echo "lint: clean"
fi
exit "$rc"
