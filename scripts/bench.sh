#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: measurements that take many boots, written to bench/report.md
# with the commands, the machine and the raw figures (bench/data/).  Speed and
# noisy counts belong here, as medians and ranges over several boots, never in
# the pass/fail tests.
#
# Sections (run all, or those named):
#   array   the ALUA array of the kernel's SCSI target (tests/boot, sde.array=):
#           failed READs on the standby paths at 16, 64 and 128 LUNs, without
#           a handler, with scsi-dh-early, and with the kernel's best (the
#           handler modprobed by hand right before the first scan)
#
# Environment: BENCH_ARRAY_LUNS (default "16 64 128"), BENCH_ARRAY_BOOTS
# (boots per mode and size, default "16:3 64:3 128:1"), BENCH_OUT (default
# bench), and the boot harness's (SDE_BOOT_WORK, ...: see tests/boot/lib.sh).
# Boots take the machine-wide lock /tmp/sde-qemu.lock one at a time.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/..
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${BENCH_OUT:-bench}
all_sections="array"
modes=(without with best)

usage() {
	cat <<USAGE
Usage: ${0##*/} [--report-only | --resume] [SECTION...]

Run the benchmark sections (default: all; sections: array) and write
$out/report.md.  --report-only: write the report from the figures already
in $out/data without booting.  --resume: keep the figures in $out/data and
boot only what they lack (an interrupted run, or more boots asked for).
USAGE
}

report_only=no
resume=no
sections=()
for a in "$@"; do
	case $a in
	-h | --help)
		usage
		exit 0
		;;
	--report-only) report_only=yes ;;
	--resume) resume=yes ;;
	array) sections+=("$a") ;;  # one case per section of $all_sections
	*)
		printf "%s: unknown argument '%s'\nTry '%s --help'.\n" "${0##*/}" "$a" "${0##*/}" >&2
		exit 2
		;;
	esac
done
[ "${#sections[@]}" -gt 0 ] || sections=(array)
mkdir -p "$out/data"

# ---- section array --------------------------------------------------------

# One boot: run.sh in a subshell (the scenarios read SDE_ARRAY_LUNS when they
# are declared), under the machine-wide QEMU lock; the figures of its report
# appended to the data file as one TSV line.
array_boot() {
	local n=$1 mode=$2 run=$3 data=$4 log rc=0 rep secs stats status
	log=$(mktemp)
	rep=$out/data/array-$n-$mode-$run.report
	# the report is copied while the lock is held: another boot of the same
	# scenario (make demo) would replace it
	# shellcheck disable=SC2016  # expanded by the inner shell
	flock /tmp/sde-qemu.lock env SDE_ARRAY_LUNS="$n" \
		SDE_BOOT_TIMEOUT="${SDE_BOOT_TIMEOUT:-1200}" bash -c '
		rc=0
		tests/boot/run.sh "array-$1" || rc=$?
		cp "${SDE_BOOT_WORK:-/var/cache/scsi-dh-early/boot}/logs/array-$1/report-pre-mount.txt" \
			"$2" 2>/dev/null || :
		exit "$rc"' bench "$mode" "$rep" >"$log" 2>&1 || rc=$?
	secs=$(sed -n "s/^# boot array-$mode: \([0-9.]*\) s$/\1/p" "$log")
	# a boot whose array was built and measured counts even if one of the
	# scenario's checks failed (status "check-failed", listed in the report)
	if [ ! -s "$rep" ] || ! grep -qx 'array|built|yes' "$rep"; then
		echo "bench: array $n LUNs $mode #$run: boot failed (exit $rc)" >&2
		sed 's/^/  /' "$log" | tail -n 30 >&2
		rm -f "$log" "$rep"
		printf '%s\t%s\t%s\tfailed\n' "$n" "$mode" "$run" >>"$data"
		return 0
	fi
	status=ok
	if [ "$rc" -ne 0 ]; then
		status=check-failed
		grep -E '^# +FAIL' "$log" | sed "s/^/bench: array $n LUNs $mode #$run: /" >&2 || :
	fi
	rm -f "$log"
	gzip -f "$rep"
	rep=$rep.gz
	# shellcheck source=tests/boot/array.sh
	. "$top/tests/boot/array.sh"
	stats=$(boot_array_stats <(zcat "$rep"))
	get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$stats"; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$mode" "$run" "$status" \
		"$(get b_reads_failed)" "$(get b_cmds_failed)" "$(get b_ioerr)" \
		"$(get b_touched)" "$(get ioerr_lines)" "$(get suppressed_blk)" \
		"$(get b_lio_in_cmds)" "$(get settle_ms)" "${secs:-0}" "$(get b_dh)" >>"$data"
	echo "bench: array $n LUNs $mode #$run: $(get b_reads_failed) failed READs on standby paths"
}

array_header="luns	mode	run	status	b_reads_failed	b_cmds_failed	b_ioerr	b_touched	ioerr_lines	suppressed_blk	b_lio_in_cmds	settle_ms	boot_s	b_dh"

# Each boot's line is appended at once: an interrupted run keeps what it
# measured, and --report-only reports it.
array_run() {
	local data=$out/data/array.tsv n boots spec run mode
	local max=1
	if [ "$resume" = no ] || [ ! -s "$data" ]; then
		printf '%s\n' "$array_header" >"$data"
	fi
	for spec in ${BENCH_ARRAY_BOOTS:-16:3 64:3 128:1}; do
		[ "${spec#*:}" -gt "$max" ] && max=${spec#*:}
	done
	# Rounds: every size once before any size twice, and within a size the
	# modes take turns, so that a slow spell of the machine hits all alike.
	for run in $(seq 1 "$max"); do
		for n in ${BENCH_ARRAY_LUNS:-16 64 128}; do
			boots=1
			for spec in ${BENCH_ARRAY_BOOTS:-16:3 64:3 128:1}; do
				[ "${spec%%:*}" = "$n" ] && boots=${spec#*:}
			done
			[ "$run" -le "$boots" ] || continue
			for mode in "${modes[@]}"; do
				# --resume: a boot already measured is not booted again
				if [ "$resume" = yes ] && awk -F'\t' -v n="$n" -v m="$mode" -v r="$run" \
					'$1 == n && $2 == m && $3 == r && $4 != "failed" { f = 1 } END { exit !f }' \
					"$data"; then
					continue
				fi
				array_boot "$n" "$mode" "$run" "$data"
			done
		done
	done
}

# median and range of column COL for LUNS and MODE, from the boots that
# succeeded: "median min max count"
array_summary() {
	awk -F'\t' -v n="$2" -v m="$3" -v c="$4" '
		$1 == n && $2 == m && $4 != "failed" { v[++k] = $c + 0 }
		END {
			if (!k) { print "- - - 0"; exit }
			for (i = 1; i <= k; i++)
				for (j = i + 1; j <= k; j++)
					if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			med = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
			print med, v[1], v[k], k
		}' "$1"
}

# the LUN counts of the data file, ascending
array_sizes() {
	awk -F'\t' 'NR > 1 { print $1 }' "$1" | sort -un
}

array_col() {
	awk -F'\t' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) print i }' \
		<<<"$array_header"
}

# "median (min-max)", the range left out for a single boot
array_cell() {
	local med lo hi k
	read -r med lo hi k < <(array_summary "$1" "$2" "$3" "$(array_col "$4")")
	if [ "$k" = 0 ]; then
		echo "-"
	elif [ "$lo" = "$hi" ]; then
		echo "$med"
	else
		echo "$med ($lo–$hi)"
	fi
}

array_report() {
	local data=$out/data/array.tsv n mode label k med_with med_best ratio
	[ -s "$data" ] || {
		echo "bench: no figures in $data: run '${0##*/} array' first" >&2
		return 1
	}
	cat <<'TEXT'
## ALUA array with standby paths: failed READs at boot

The array of `tests/boot` (`sde.array=standby`, `modules.d/99sde-test/sde-array.sh`):
LIO RAM disks behind two `tcm_loop` hosts, two paths per LUN, implicit ALUA; path A
active/optimized, path B in standby when it is scanned.  Built at pre-mount; the figures are
taken after `udevadm settle`.  Modes: **without** (an image without scsi-dh-early: no handler),
**with** (the image with scsi-dh-early as `make install` builds it: nothing loaded by hand),
**best** (the kernel's best: `modprobe scsi_dh_alua` by hand right before the first LUN is
linked).  Median over the boots, range in brackets.

Columns: *failed READs* = READ commands on B paths that completed with an error (the
kernel's `scsi:scsi_dispatch_cmd_done` trace events); *failed cmds* = every failed command on
B paths by the same events (READs, TEST UNIT READY, ...), and *ioerr_cnt* the sum of the B
devices' own `ioerr_cnt`, an independent count of the same thing; *I/O error lines* = the
kernel's `I/O error, dev` lines printed + those `blk_print_req_error` suppressed;
*B LUNs hit* = B paths with at least one failed READ; *settle* = first LUN link to the end of
`udevadm settle`, in seconds of the guest (QEMU without KVM: noise of several seconds, a
figure of the emulator more than of the kernel).

TEXT
	printf '| LUNs | mode | boots | failed READs | failed cmds | ioerr_cnt | I/O error lines | B LUNs hit | settle (s) |\n'
	printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|\n'
	for n in $(array_sizes "$data"); do
		for mode in "${modes[@]}"; do
			k=$(awk -F'\t' -v n="$n" -v m="$mode" '$1 == n && $2 == m && $4 != "failed"' "$data" |
				wc -l)
			label=$mode
			[ "$mode" = best ] && label="kernel's best"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$label" "$k" \
				"$(array_cell "$data" "$n" "$mode" b_reads_failed)" \
				"$(array_cell "$data" "$n" "$mode" b_cmds_failed)" \
				"$(array_cell "$data" "$n" "$mode" b_ioerr)" \
				"$(array_cell "$data" "$n" "$mode" ioerr_lines)+$(array_cell "$data" "$n" "$mode" suppressed_blk)" \
				"$(array_cell "$data" "$n" "$mode" b_touched)" \
				"$(array_settle "$data" "$n" "$mode")"
		done
	done
	echo
	echo "The goal: the module's median within 1.1× of the kernel's best."
	echo
	printf '| LUNs | with / kernel'"'"'s best (medians of failed READs) | within 1.1× |\n|---:|---|---|\n'
	for n in $(array_sizes "$data"); do
		read -r med_with _ < <(array_summary "$data" "$n" with "$(array_col b_reads_failed)")
		read -r med_best _ < <(array_summary "$data" "$n" best "$(array_col b_reads_failed)")
		ratio=$(awk -v a="$med_with" -v b="$med_best" 'BEGIN {
			if (a == "-" || b == "-") print "-"
			else if (b == 0) print (a == 0 ? "0/0" : "inf")
			else printf "%.2f", a / b }')
		printf '| %s | %s / %s%s | %s |\n' "$n" "$med_with" "$med_best" \
			"$([ "$ratio" = 0/0 ] || echo " = $ratio")" \
			"$(awk -v r="$ratio" 'BEGIN {
			if (r == "-") print "-"
			else if (r == "0/0") print "yes (none in either)"
			else print ((r == "inf" || r > 1.1) ? "no" : "yes") }')"
	done
	echo
	if array_plot "$data"; then
		echo '![failed READs on standby paths](array-reads.svg)'
		echo
		echo "Failed READs on the standby paths, median and range."
	fi
	echo
	echo "Boots that failed (no figures, left out above): $(awk -F'\t' '$4 == "failed"' "$data" | wc -l)." \
		"Boots with figures but a failed scenario check (counted above):" \
		"$(awk -F'\t' '$4 == "check-failed"' "$data" | wc -l)."
	echo "Raw figures, one boot a line: [data/array.tsv](data/array.tsv)."
}

array_settle() {
	local med lo hi k
	read -r med lo hi k < <(array_summary "$1" "$2" "$3" "$(array_col settle_ms)")
	if [ "$k" = 0 ]; then
		echo -
	else
		awk -v a="$med" -v b="$lo" -v c="$hi" -v k="$k" 'BEGIN {
			if (k == 1) printf "%.1f", a / 1000
			else printf "%.1f (%.1f–%.1f)", a / 1000, b / 1000, c / 1000 }'
	fi
}

# gnuplot: failed READs (median, range) against the LUN count, one line a mode
array_plot() {
	local data=$1 pts=$out/data/array-plot.dat mode n col
	command -v gnuplot >/dev/null || {
		echo "bench: gnuplot not found: no plot" >&2
		return 1
	}
	col=$(array_col b_reads_failed)
	: >"$pts"
	for mode in "${modes[@]}"; do
		echo "# $mode" >>"$pts"
		for n in $(array_sizes "$data"); do
			read -r med lo hi k < <(array_summary "$data" "$n" "$mode" "$col")
			[ "$k" = 0 ] || printf '%s %s %s %s\n' "$n" "$med" "$lo" "$hi" >>"$pts"
		done
		printf '\n\n' >>"$pts"
	done
	gnuplot <<GNUPLOT
set terminal svg size 720,420 dynamic font "sans,12"
set output "$out/array-reads.svg"
set title "READs failed on standby paths at boot (LIO ALUA array, 2 paths per LUN)"
set xlabel "LUNs"
set ylabel "failed READs (median, range)"
set yrange [0:*]
set offsets 8, 8, 0, 0
set xtics (16, 64, 128)
set key top left
set grid ytics
plot "$pts" index 0 using 1:2:3:4 with yerrorlines title "without a handler", \
     "$pts" index 1 using 1:2:3:4 with yerrorlines title "with scsi-dh-early", \
     "$pts" index 2 using 1:2:3:4 with yerrorlines title "kernel's best (modprobe by hand)"
GNUPLOT
}

# ---- the report -------------------------------------------------------------

machine() {
	echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
		"$(nproc) cores; memory $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- host: $(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- QEMU: $(${SDE_QEMU:-qemu-system-x86_64} --version | head -n1), TCG (no KVM), 1 vCPU, 1 GiB"
	echo "- guest kernel: $(. /var/cache/scsi-dh-early/kernel.env 2>/dev/null && echo "$PKG" || echo "?")"
	echo "- dracut: $(dracut --version 2>/dev/null | head -n1)"
}

if [ "$report_only" = no ]; then
	for s in "${sections[@]}"; do
		"${s}_run"
	done
fi

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (\`scripts/bench.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "make bench            # = scripts/bench.sh: boots, then this report"
	echo "BENCH_ARRAY_LUNS=\"${BENCH_ARRAY_LUNS:-16 64 128}\" BENCH_ARRAY_BOOTS=\"${BENCH_ARRAY_BOOTS:-16:3 64:3 128:1}\" scripts/bench.sh array"
	echo "scripts/bench.sh --resume array  # boot only what bench/data lacks (an interrupted run)"
	echo "scripts/bench.sh --report-only   # the report again from bench/data"
	echo '```'
	echo
	echo "The machine:"
	echo
	machine
	echo
	for s in $all_sections; do
		[ -s "$out/data/$s.tsv" ] && "${s}_report"
	done
} >"$out/report.md.tmp"
mv "$out/report.md.tmp" "$out/report.md"
echo "bench: wrote $out/report.md"
