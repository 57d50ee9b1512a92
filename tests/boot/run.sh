#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the QEMU boot scenarios of scenarios.sh: all of them, or those named.
# Exit 0 all passed (or skipped), 1 some failed, 77 nothing can run here.

# shellcheck source-path=SCRIPTDIR

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=scenarios.sh
. "$here/scenarios.sh"

usage() {
	cat <<USAGE
Usage: ${0##*/} [-l|--list] [-a|--all] [SCENARIO...]

Boot each scenario in QEMU and check what it reports.  Default: every
scenario but those of tier=extra; --all: every one; --list: list them
(extras marked).
Logs: \$SDE_BOOT_WORK/logs/SCENARIO (default $BOOT_WORK/logs).
USAGE
}

all=no
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
-l | --list)
	LIST=yes boot_scenarios all
	exit 0
	;;
-a | --all)
	all=yes
	shift
	;;
-*)
	printf "%s: unknown option '%s'\nTry '%s --help'.\n" "${0##*/}" "$1" "${0##*/}" >&2
	exit 2
	;;
esac

why=$(boot_missing)
if [ -n "$why" ]; then
	echo "boot tests skipped: $why" >&2
	exit 77
fi

if [ $# -gt 0 ]; then
	names=("$@")
else
	mapfile -t names < <(boot_scenarios "$([ "$all" = yes ] && echo all || echo default)")
fi

passed=() failed=() skipped=()
start=$(date +%s%N)
for name in "${names[@]}"; do
	rc=0
	boot_scenario "$name" || rc=$?
	case $rc in
	0) passed+=("$name") ;;
	77) skipped+=("$name") ;;
	*) failed+=("$name") ;;
	esac
done
end=$(date +%s%N)

echo "boot tests: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped" \
	"in $(boot_secs "$start" "$end") s"
[ "${#failed[@]}" -eq 0 ] || {
	echo "failed: ${failed[*]}"
	exit 1
}
