#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: boot one QEMU machine with an ALUA array of the kernel's own SCSI
# target (LIO, two paths per LUN, one of them in standby) three times: with an
# initramfs built by dracut without scsi-dh-early, with it, and with the
# handler modprobed by hand right before the array is scanned (the kernel's
# best).  Shows which handler each path got and how many READs failed on the
# standby paths.  Run by "make demo", which installs the packages and builds
# the helper first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/boot/lib.sh
. tests/boot/lib.sh
# shellcheck source=tests/boot/scenarios.sh
. tests/boot/scenarios.sh

why=$(boot_missing)
if [ -n "$why" ]; then
	echo "demo: cannot boot here: $why" >&2
	exit 1
fi

luns=${SDE_ARRAY_LUNS:-16}
cat <<INTRO
The machine: Debian's 6.1 kernel in QEMU, and in it an ALUA storage array made
from the kernel's own SCSI target (LIO, tcm_loop): $luns LUNs, each seen through
two SCSI hosts, path A active/optimized, path B in standby, as a SAN array's
passive controller.  The array rejects READs on a standby path (NOT READY).
A handler attaches to a LUN only if its module is loaded when the LUN is scanned;
with the alua handler the kernel learns the path's state and stops sending I/O
there, without it every partition scan and udev probe of a B path fails.

Three boots of the same array (image builds and boots take a few minutes):
  without    an initramfs by dracut without scsi-dh-early
  with       the same with scsi-dh-early, as an admin builds it
  best       without scsi-dh-early, scsi_dh_alua loaded by hand right before
             the array is scanned: the best the kernel can do

INTRO

for run in without with best; do
	echo "booting ${run}..."
	log=$(mktemp)
	if ! boot_scenario "array-$run" 2>"$log"; then
		cat "$log" >&2
		rm -f "$log"
		echo "demo: the boot '$run' failed" >&2
		exit 1
	fi
	rm -f "$log"
done

rep() {
	printf '%s\n' "$BOOT_WORK/logs/array-$1/report-pre-mount.txt"
}
fig() {
	boot_array_get "$(rep "$1")" "$2"
}

# the handler table: one row a LUN, path A and path B, without and with
echo
printf '%-4s  %-28s  %-28s  %s\n' "" "PATH A (handler, state)" "PATH B (handler, state)" \
	"FAILED READs ON B"
printf '%-4s  %-13s %-14s  %-13s %-14s  %s\n' LUN without with without with \
	"without/with/best"
awk -F'|' '
	FNR == 1 { run++ }
	# the dev records come before the host records: keep them by host number
	$1 == "dev" {
		split($2, h, ":")
		dh[run, h[1], h[4]] = $6
		acc[run, h[1], h[4]] = $7
	}
	$1 == "array" && $2 == "trace" { split($3, h, ":"); rd[run, h[1], h[4]] = $6 }
	$1 == "array" && $2 == "host" { host[run, $3] = $4 }
	$1 == "array" && $2 == "luns" { luns = $3 }
	function st(r, p, l,   n) {
		n = host[r, p]
		if (!((r, n, l) in dh)) return "?"
		return acc[r, n, l] == "unreadable" ? dh[r, n, l] : dh[r, n, l] "," acc[r, n, l]
	}
	function reads(r, l) { return rd[r, host[r, "b"], l] + 0 }
	END {
		for (l = 0; l < luns; l++)
			printf "%-4s  %-13s %-14s  %-13s %-14s  %d/%d/%d\n", l,
				st(1, "a", l), st(2, "a", l), st(1, "b", l), st(2, "b", l),
				reads(1, l), reads(2, l), reads(3, l)
	}' "$(rep without)" "$(rep with)" "$(rep best)" |
	sed 's/active\/optimized/active\/opt/g'

echo
printf "READs failed on standby paths: without %s, with %s (kernel's best %s)\n" \
	"$(fig without b_reads_failed)" "$(fig with b_reads_failed)" "$(fig best b_reads_failed)"
for run in without with best; do
	printf '  %-8s I/O error lines in the kernel log: %s printed, %s suppressed;' \
		"$run:" "$(fig "$run" ioerr_lines)" "$(fig "$run" suppressed_blk)"
	printf ' standby LUNs hit: %s of %s\n' "$(fig "$run" b_touched)" "$luns"
done
echo "  counted twice: failed commands on B paths by the scsi trace events" \
	"$(fig without b_cmds_failed)/$(fig with b_cmds_failed)/$(fig best b_cmds_failed)," \
	"by the devices' ioerr_cnt $(fig without b_ioerr)/$(fig with b_ioerr)/$(fig best b_ioerr)"
echo
cat <<'OUTRO'
detached = no handler: the kernel does not know B is standby and sends it the
partition scan's and udev's READs, which fail.  alua = the handler read the
path's state (RTPG) and fails I/O to standby paths itself, quietly.  Even with
the handler loaded in time, READs can reach a standby path before the
handler's first RTPG has answered (it runs on a workqueue after the LUN is
attached; sd's partition scan may come first: README).  That is a race:
medians over many boots at 16, 64 and 128 LUNs are in bench/report.md (make
bench).  Boot times are left out: under QEMU without KVM their noise is larger
than any difference.
OUTRO
echo "Logs: $BOOT_WORK/logs/array-without, array-with, array-best"
