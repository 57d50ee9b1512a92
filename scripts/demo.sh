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
# the multipath screen's array: small, multipathd's maps take their time
export SDE_MPATH_LUNS=${SDE_MPATH_LUNS:-8}
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

# demo_boot SCENARIO WHAT: boot it, its log shown only when it fails
demo_boot() {
	local log
	echo "booting $2..."
	log=$(mktemp)
	if ! boot_scenario "$1" 2>"$log"; then
		cat "$log" >&2
		rm -f "$log"
		echo "demo: the boot '$2' failed" >&2
		exit 1
	fi
	rm -f "$log"
}

for run in without with best; do
	demo_boot "array-$run" "$run"
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

# ---- the second screen: dm-multipath on the same array ----
if ! command -v multipathd >/dev/null 2>&1 || [ ! -e /lib/multipath/libchecktur.so ]; then
	echo
	echo "demo: multipath-tools is not installed here: no multipath screen" >&2
	exit 0
fi
cat <<INTRO2

Now the stack most SAN hosts run: dm-multipath, multipathd started in the
initramfs by dracut's own multipath module, on the same array ($SDE_MPATH_LUNS LUNs).
dm-multipath attaches alua itself, but only when it loads a LUN's map, after
udev has probed both paths.  Two boots:
  dracut     dracut's multipath module alone, as distributions ship it
  with       the same with scsi-dh-early

INTRO2
for run in dracut with; do
	demo_boot "mpath-array-$run-systemd" "multipath $run"
done
mrep() {
	printf '%s\n' "$BOOT_WORK/logs/mpath-array-$1-systemd/report-pre-mount.txt"
}
echo
echo "multipathd's maps after the boot (multipathd show paths/topology):"
printf '%-4s  %-32s  %-32s  %s\n' "" "PATH A (group, prio, checker)" \
	"PATH B (group, prio, checker)" "FAILED READs ON B"
printf '%-4s  %-15s %-16s  %-15s %-16s  %s\n' LUN dracut with dracut with dracut/with
awk -F'|' '
	FNR == 1 { run++ }
	$1 == "array" && $2 == "host" { host[run, $3] = $4 }
	$1 == "array" && $2 == "luns" { luns = $3 }
	$1 == "array" && $2 == "trace" { split($3, h, ":"); rd[run, h[1], h[4]] = $6 }
	$1 == "array" && $2 == "mpath_path" { split($3, h, ":"); chk[run, h[1], h[4]] = $7 }
	$1 == "array" && $2 == "mpath_pg" {
		split($3, h, ":")
		pg[run, h[1], h[4]] = $5 "," $4
	}
	function st(r, p, l,   n) {
		n = host[r, p]
		if (!((r, n, l) in pg)) return "no map"
		return pg[r, n, l] "," chk[r, n, l]
	}
	END {
		for (l = 0; l < luns; l++)
			printf "%-4s  %-15s %-16s  %-15s %-16s  %d/%d\n", l,
				st(1, "a", l), st(2, "a", l), st(1, "b", l), st(2, "b", l),
				rd[1, host[1, "b"], l], rd[2, host[2, "b"], l]
	}' "$(mrep dracut)" "$(mrep with)"
mfig() {
	boot_array_get "$(mrep "$1")" "$2"
}
echo
printf 'READs failed on standby paths: dracut alone %s, with scsi-dh-early %s\n' \
	"$(mfig dracut b_reads_failed)" "$(mfig with b_reads_failed)"
for run in dracut with; do
	printf '  %-8s I/O error lines %s printed, %s suppressed; maps with 2 paths %s of %s\n' \
		"$run:" "$(mfig "$run" ioerr_lines)" "$(mfig "$run" suppressed_blk)" \
		"$(mfig "$run" mpath_maps_2paths)" "$SDE_MPATH_LUNS"
done
cat <<'OUTRO2'

Both end with the same maps: A in the active group (alua prio 50, "ready"), B in
the enabled group (prio 1, "ghost").  The difference is before the maps: with
dracut alone nothing knows B is standby until multipathd loads the map, so the
partition scan's and udev's READs of B fail first.  Medians over several boots,
and the other ways to load the handler early (rd.driver.pre=, modules-load.d):
bench/report.md.
OUTRO2
echo "Logs: $BOOT_WORK/logs/mpath-array-dracut-systemd, mpath-array-with-systemd"
