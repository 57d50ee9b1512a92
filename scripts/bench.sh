#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: what the helper costs, measured from outside, written to
# bench/report.md with the commands, the machine and the raw figures
# (bench/data/).  Speed and noisy counts belong here, as medians and ratios of
# paired runs, never in the pass/fail tests.  Nothing here passes or fails.
#
# Sections (run all, or those named):
#   sweep        fake trees (tests/bench/mktree.sh) of 16 to 16384 LUNs:
#                `status --json` and `apply --dry-run` against a process that
#                only reads the same attributes: wall time, syscalls, peak RSS
#   alternatives the same trees up to 4096 LUNs: the POSIX shell reference
#                (tests/bench/reference.sh), one helper process per LUN (the
#                udev RUN+= model), a static no-op exec'ed per LUN
#   attach       trees where every LUN needs an attach, the dh_state shim
#                (tests/lib/dhshim.c) taking 1 ms or 20 ms a write: wall time
#                against latency x LUNs / write_jobs + the dry run
#   boot         one QEMU boot with 256 scsi_debug LUNs: the helper's CPU time
#                summed over the boot
#   footprint    the stripped static helper; the bytes the dracut module adds
#                to an initramfs, handler modules apart
#   array        the ALUA array of the kernel's SCSI target (tests/boot, sde.array=):
#                failed READs on the standby paths at 16, 64 and 128 LUNs, without
#                a handler, with scsi-dh-early, and with the kernel's best (the
#                handler modprobed by hand right before the first scan)
#
# Environment: BENCH_SWEEP_SIZES (default "16 256 1024 4096 16384"),
# BENCH_ALT_SIZES (alternatives, default "16 256 1024 4096"), BENCH_RUNS
# (paired runs, default 5), BENCH_ATTACH_CASES (LUNS:MS, default "256:1
# 1024:1 4096:1 256:20 1024:20"; add 4096:20 for the long one),
# BENCH_BOOT_LUNS (default 256, a multiple of 4), BENCH_WORK
# (the fake trees, default /dev/shm/sde-bench-UID), BENCH_ARRAY_LUNS (default
# "16 64 128"), BENCH_ARRAY_BOOTS (boots per mode and size, default "16:3
# 64:3 128:1"), BENCH_OUT (default bench), and the boot harness's
# (SDE_BOOT_WORK, ...: see tests/boot/lib.sh).  Boots take the machine-wide
# lock /tmp/sde-qemu.lock one at a time.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/..
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${BENCH_OUT:-bench}
all_sections="sweep alternatives attach boot footprint array"
modes=(without with best)

usage() {
	cat <<USAGE
Usage: ${0##*/} [--report-only | --resume] [SECTION...]

Run the benchmark sections (default: all; sections: $all_sections)
and write $out/report.md.  --report-only: write the report from the figures
already in $out/data without running anything.  --resume (array): keep the
figures in $out/data and boot only what they lack.
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
	sweep | alternatives | attach | boot | footprint | array) sections+=("$a") ;;
	*)
		printf "%s: unknown argument '%s'\nTry '%s --help'.\n" "${0##*/}" "$a" "${0##*/}" >&2
		exit 2
		;;
	esac
done
[ "${#sections[@]}" -gt 0 ] || read -r -a sections <<<"$all_sections"
mkdir -p "$out/data"

# ---- shared by the sections on fake trees ----------------------------------

bin=$top/build/scsi-dh-early
dyn=$top/build/scsi-dh-early-dyn
shim=$top/build/dhshim.so
noop=$top/build/bench-noop
floor=$top/build/bench-readfloor
runs=${BENCH_RUNS:-5}
if [ -z "${BENCH_WORK:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	BENCH_WORK=/dev/shm/sde-bench-$(id -u)
fi
work=${BENCH_WORK:-/var/tmp/sde-bench-$(id -u)}

need_programs() {
	local p
	for p in "$bin" "$dyn" "$shim" "$noop" "$floor"; do
		[ -e "$p" ] || {
			echo "bench: $p missing: run 'make bench-programs' first" >&2
			exit 1
		}
	done
	for p in strace /usr/bin/time jq; do
		command -v "$p" >/dev/null || {
			echo "bench: $p not found: run 'make deps' first" >&2
			exit 1
		}
	done
}

# A tree of N LUNs of KIND (sweep or attach: tests/bench/mktree.sh) in the
# work directory, built once and kept while its recipe is the same.  Sets REPLY.
tree() {
	local n=$1 kind=$2 dir stamp
	dir=$work/$kind-$n
	stamp=$(cat tests/bench/mktree.sh tests/lib/mkfixture | sha256sum | cut -c1-16)
	if [ ! -d "$dir" ] || [ "$(cat "$dir.stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "bench: building a $kind tree of $n LUNs in $dir" >&2
		rm -rf "$dir"
		mkdir -p "$work"
		tests/bench/mktree.sh "$dir" "$n" "$kind" >/dev/null
		echo "$stamp" >"$dir.stamp"
	fi
	REPLY=$dir
}

# wall seconds of a command (a function too), its output thrown away; a
# command that fails is said once on standard error, and timed all the same
wall() {
	local t0 t1 rc=0
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	[ "$rc" -eq 0 ] || echo "bench: exit $rc: $*" >&2
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }'
}

# syscalls of a command, its children counted: strace -c -f, the total
syscalls() {
	local f
	f=$(mktemp)
	strace -c -f -o "$f" "$@" >/dev/null 2>&1 || :
	awk '$NF == "total" { print $4 }' "$f"
	rm -f "$f"
}

# peak RSS in KiB of a command (GNU time's %M)
peak_rss() {
	local f
	f=$(mktemp)
	/usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || :
	tail -n 1 "$f"
	rm -f "$f"
}

# the variants, each a command line on the tree $R (hctls: its LUNs)
# v_words VARIANT: the words of a one-process variant (for strace and time;
# no word has a blank)
v_words() {
	case $1 in
	status) echo "$bin --sysroot $R --no-kmsg status --json" ;;
	dryrun) echo "$bin --sysroot $R --no-kmsg apply --dry-run" ;;
	floor) echo "$floor $R" ;;
	esac
}
v_status() { "$bin" --sysroot "$R" --no-kmsg status --json; }
v_dryrun() { "$bin" --sysroot "$R" --no-kmsg apply --dry-run; }
v_floor() { "$floor" "$R"; }
v_reference() { sh tests/bench/reference.sh -r "$R" -o "$R/rules"; }
v_perlun() {
	local h
	for h in "${hctls[@]}"; do
		"$bin" --sysroot "$R" --no-kmsg apply --dry-run "$h" || :
	done
}
v_noop() {
	local h
	for h in "${hctls[@]}"; do
		"$noop" "$h"
	done
}

# Paired runs: run r measures every variant once, the order turned by one at
# each run, so that a slow spell of the machine hits all alike.  Appends
# "luns variant run seconds" to DATA.
paired_runs() {
	local n=$1 data=$2 r i k
	shift 2
	local vs=("$@")
	k=${#vs[@]}
	# one run of each first, not counted: the caches warm alike for all
	for i in "${vs[@]}"; do
		wall "v_$i" >/dev/null
	done
	for r in $(seq 1 "$runs"); do
		for i in $(seq 0 $((k - 1))); do
			local v=${vs[$(((i + r) % k))]}
			printf '%s\t%s\t%s\t%s\n' "$n" "$v" "$r" "$(wall "v_$v")" >>"$data"
		done
	done
}

# median of column 4 of DATA for LUNS and VARIANT (empty if none)
median() {
	awk -F'\t' -v n="$2" -v v="$3" '
		$1 == n && $2 == v { x[++k] = $4 + 0 }
		END {
			if (!k) exit
			for (i = 1; i <= k; i++)
				for (j = i + 1; j <= k; j++)
					if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			printf "%.6f\n", (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
		}' "$1"
}

# median over the runs of A's time / B's time in the same run (paired ratio)
paired_ratio() {
	awk -F'\t' -v n="$2" -v a="$3" -v b="$4" '
		$1 == n && $2 == a { x[$3] = $4 }
		$1 == n && $2 == b { y[$3] = $4 }
		END {
			for (r in x) if ((r in y) && y[r] > 0) q[++k] = x[r] / y[r]
			if (!k) exit
			for (i = 1; i <= k; i++)
				for (j = i + 1; j <= k; j++)
					if (q[j] < q[i]) { t = q[i]; q[i] = q[j]; q[j] = t }
			printf "%.2f\n", (k % 2) ? q[(k + 1) / 2] : (q[k / 2] + q[k / 2 + 1]) / 2
		}' "$1"
}

# sizes of column 1 of a data file (header apart), ascending
sizes_of() {
	awk -F'\t' 'NR > 1 { print $1 }' "$1" | sort -un
}

# "12.3 ms (45 µs/LUN)" from seconds and LUNs
ms_per_lun() {
	[ -n "$1" ] || {
		echo -
		return
	}
	awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f ms (%.0f µs/LUN)", s * 1000, s * 1e6 / n }'
}

# value of column NAME of a "luns variant ..." counts file
count_of() {
	awk -F'\t' -v n="$2" -v v="$3" -v c="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
		$1 == n && $2 == v { print $col; exit }' "$1"
}

# ---- section sweep ---------------------------------------------------------

sweep_sizes=${BENCH_SWEEP_SIZES:-16 256 1024 4096 16384}

sweep_run() {
	local data=$out/data/sweep.tsv counts=$out/data/sweep-counts.tsv n v calls rss words
	need_programs
	printf 'luns\tvariant\trun\tseconds\n' >"$data"
	printf 'luns\tvariant\tsyscalls\tpeak_rss_kib\n' >"$counts"
	for n in $sweep_sizes; do
		tree "$n" sweep
		R=$REPLY
		echo "bench: sweep $n LUNs: $runs paired runs"
		paired_runs "$n" "$data" status dryrun floor
		for v in status dryrun floor; do
			read -r -a words <<<"$(v_words "$v")"
			calls=$(syscalls "${words[@]}")
			rss=$(peak_rss "${words[@]}")
			printf '%s\t%s\t%s\t%s\n' "$n" "$v" "$calls" "$rss" >>"$counts"
		done
	done
}

sweep_report() {
	local data=$out/data/sweep.tsv counts=$out/data/sweep-counts.tsv n v med
	cat <<TEXT
## Sweep: \`status --json\` and \`apply --dry-run\` on fake trees

The trees of \`tests/bench/mktree.sh\` (\`tests/lib/mkfixture\`, read with \`--sysroot\`):
one host per 128 LUNs (at least 2), of every 12 LUNs 4 without a handler, 6 TPGS disks with
alua (one in 8 without), 1 from the kernel's vendor table (DGC under an owner rule, IBM 1814,
HP HSV100), 1 odd (a TPGS enclosure, a TPGS disk whose VPD page 0x83 has no target port group,
...).  The static helper (\`build/scsi-dh-early\`, --no-kmsg) against the read-only floor
(\`tests/bench/readfloor.c\`, static: one process that reads, of every LUN, what
\`apply --dry-run\` reads (vendor, model, dh_state, inquiry, vpd_pg83 where inquiry has TPGS
bits, type), deciding nothing; one \`openat\`, \`read\` and \`close\` an attribute).  Wall time:
median of $(awk -F'\t' 'NR > 1 { print $3 }' "$data" | sort -un | wc -l) paired runs (each run measures the three, in turns, after one
run of each not counted); *dry-run ÷ floor* the median of the paired ratios.  Syscalls:
\`strace -c -f\`, all calls ÷ LUNs.  Peak RSS: GNU time's %M.  The machine is shared: the
load average at the start of the section is in the line above.

| LUNs | status --json | apply --dry-run | read-only floor | dry-run ÷ floor | syscalls/LUN status / dry-run / floor | peak RSS KiB status / dry-run / floor |
|---:|---:|---:|---:|---:|---:|---:|
TEXT
	for n in $(sizes_of "$data"); do
		local cells=() sc=() rs=()
		for v in status dryrun floor; do
			med=$(median "$data" "$n" "$v")
			cells+=("$(ms_per_lun "$med" "$n")")
			sc+=("$(awk -v c="$(count_of "$counts" "$n" "$v" syscalls)" -v n="$n" \
				'BEGIN { if (c == "") print "-"; else printf "%.1f", c / n }')")
			rs+=("$(count_of "$counts" "$n" "$v" peak_rss_kib)")
		done
		printf '| %s | %s | %s | %s | %s | %s / %s / %s | %s / %s / %s |\n' "$n" \
			"${cells[@]}" "$(paired_ratio "$data" "$n" dryrun floor)" "${sc[@]}" "${rs[@]}"
	done
	echo
	if sweep_plot; then
		echo '![time per LUN](sweep-per-lun.svg)'
		echo
		echo "Time per LUN against the tree's size (medians; the alternatives where measured)."
		echo
	fi
	echo "Raw figures: [data/sweep.tsv](data/sweep.tsv) (one run a line),"
	echo "[data/sweep-counts.tsv](data/sweep-counts.tsv)."
	echo
}

# gnuplot: µs per LUN against LUNs, one line a variant, log-log
sweep_plot() {
	local pts=$out/data/sweep-plot.dat v n med f labels=()
	command -v gnuplot >/dev/null || {
		echo "bench: gnuplot not found: no plot" >&2
		return 1
	}
	: >"$pts"
	local plot=''
	local idx=0
	for v in status dryrun floor reference perlun noop; do
		f=$out/data/sweep.tsv
		case $v in reference | perlun | noop) f=$out/data/alternatives.tsv ;; esac
		[ -s "$f" ] || continue
		local any=no
		echo "# $v" >>"$pts"
		for n in $(sizes_of "$f"); do
			med=$(median "$f" "$n" "$v")
			[ -n "$med" ] || continue
			awk -v s="$med" -v n="$n" 'BEGIN { printf "%d %.3f\n", n, s * 1e6 / n }' >>"$pts"
			any=yes
		done
		printf '\n\n' >>"$pts"
		[ "$any" = yes ] || continue
		case $v in
		status) labels=("status --json") ;;
		dryrun) labels=("apply --dry-run") ;;
		floor) labels=("read-only floor") ;;
		reference) labels=("POSIX shell reference") ;;
		perlun) labels=("one helper process per LUN") ;;
		noop) labels=("no-op static exec per LUN") ;;
		esac
		plot+="${plot:+, }\"$pts\" index $idx using 1:2 with linespoints title \"${labels[0]}\""
		idx=$((idx + 1))
	done
	# the indexes count the blocks written, some of which may be empty: rewrite
	# without the empty ones
	awk 'BEGIN { RS = ""; ORS = "\n\n\n" } /\n[0-9]/ { print }' "$pts" >"$pts.tmp"
	mv "$pts.tmp" "$pts"
	gnuplot <<GNUPLOT
set terminal svg size 720,460 dynamic font "sans,12"
set output "$out/sweep-per-lun.svg"
set title "Time per LUN of one sweep (fake trees, medians)"
set xlabel "LUNs"
set ylabel "µs per LUN"
set logscale xy
set xtics (16, 256, 1024, 4096, 16384)
set key top right
set grid
plot $plot
GNUPLOT
}

# ---- section alternatives --------------------------------------------------

alt_sizes=${BENCH_ALT_SIZES:-16 256 1024 4096}

alternatives_run() {
	local data=$out/data/alternatives.tsv agree=$out/data/alternatives-agree.tsv n
	need_programs
	printf 'luns\tvariant\trun\tseconds\n' >"$data"
	printf 'luns\tsame_decisions\n' >"$agree"
	for n in $alt_sizes; do
		tree "$n" sweep
		R=$REPLY
		mapfile -t hctls < <(ls "$R/sys/class/scsi_device")
		echo "bench: alternatives $n LUNs: $runs paired runs"
		paired_runs "$n" "$data" dryrun floor reference perlun noop
		printf '%s\t%s\n' "$n" "$(same_decisions "$R")" >>"$agree"
	done
}

# Do the reference and the helper decide alike on tree R (as
# tests/095-bench-reference.bats checks on its trees)?  "yes", or how many
# LUNs differ.
same_decisions() {
	local d diff
	d=$(mktemp -d)
	"$bin" --sysroot "$1" --no-kmsg status --json >"$d/status.json" || :
	"$bin" --sysroot "$1" --no-kmsg apply --dry-run --json >"$d/apply.json" || :
	jq -r -n --slurpfile s "$d/status.json" --slurpfile a "$d/apply.json" '
		($a[0].actions | map({ (.hctl): . }) | add) as $act
		| $s[0].devices[] | . as $x | $act[$x.hctl] as $y
		| "\($x.hctl) \($x.owner // "-") \($x.expected // "-") \($x.verdict) \($y.action)"
		  + " \(if $y.action == "none" then "-" else $y.handler end)"' | sort >"$d/helper"
	sh tests/bench/reference.sh -r "$1" -o "$1/rules" | sort >"$d/ref"
	diff=$(comm -3 "$d/helper" "$d/ref" | wc -l)
	if [ "$diff" -eq 0 ] && [ -s "$d/ref" ]; then
		echo yes
	else
		echo "no: $diff lines differ"
	fi
	rm -rf "$d"
}

alternatives_report() {
	local data=$out/data/alternatives.tsv n
	cat <<TEXT
## Alternatives: a shell loop, a process per LUN, and the floors

The same trees and paired runs as above, five ways: the helper's one \`apply --dry-run\`;
the read-only floor; the POSIX shell reference \`tests/bench/reference.sh\` run by
\`sh\` ($(readlink -f /bin/sh)): the same decisions per LUN (owner, expected handler,
verdict, action; checked against the helper's by \`tests/095-bench-reference.bats\`), with
\`read\` for the text attributes and \`od\` for the binary ones; one helper process per LUN
(\`apply --dry-run H:C:T:L\` from a shell loop: the udev \`RUN+=\` model); and its floor, a
static no-op program (\`tests/bench/noop.c\`) exec'ed per LUN from the same loop.  Median
wall time; ratios are medians of paired ratios.

| LUNs | apply --dry-run | read-only floor | shell reference | helper per LUN | no-op per LUN | shell ÷ dry-run | per LUN ÷ dry-run |
|---:|---:|---:|---:|---:|---:|---:|---:|
TEXT
	for n in $(sizes_of "$data"); do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
			"$(ms_per_lun "$(median "$data" "$n" dryrun)" "$n")" \
			"$(ms_per_lun "$(median "$data" "$n" floor)" "$n")" \
			"$(ms_per_lun "$(median "$data" "$n" reference)" "$n")" \
			"$(ms_per_lun "$(median "$data" "$n" perlun)" "$n")" \
			"$(ms_per_lun "$(median "$data" "$n" noop)" "$n")" \
			"$(paired_ratio "$data" "$n" reference dryrun)" \
			"$(paired_ratio "$data" "$n" perlun dryrun)"
	done
	echo
	if [ -s "$out/data/alternatives-agree.tsv" ]; then
		echo "The reference and the helper decide alike (owner, expected, verdict, action and"
		echo "handler of every LUN) on each tree measured:" \
			"$(awk -F'\t' 'NR > 1 { printf "%s%s LUNs %s", sep, $1, $2; sep = ", " }' \
				"$out/data/alternatives-agree.tsv")."
		echo
	fi
	echo "Raw figures: [data/alternatives.tsv](data/alternatives.tsv)."
	echo
}

# ---- section attach ----------------------------------------------------------

attach_cases=${BENCH_ATTACH_CASES:-256:1 1024:1 4096:1 256:20 1024:20}

# the write concurrency the helper says it uses (check: "write_jobs: N"), else 1
write_jobs() {
	local j
	j=$("$bin" --sysroot "$1" --no-kmsg check 2>/dev/null | sed -n 's/^write_jobs: *\([0-9]*\).*/\1/p')
	echo "${j:-1}"
}

attach_run() {
	local data=$out/data/attach.tsv c n ms s jobs dry secs done_
	need_programs
	printf 'luns\twrite_ms\twrite_jobs\tdry_run_s\tseconds\tattached\n' >"$data"
	for c in $attach_cases; do
		n=${c%%:*} ms=${c#*:}
		tree "$n" attach
		s=$work/attach-scratch
		rm -rf "$s"
		cp -a "$REPLY" "$s"
		jobs=$(write_jobs "$s")
		echo "bench: attach $n LUNs, writes of $ms ms, write_jobs $jobs"
		dry=$(wall env LD_PRELOAD="$shim" "$dyn" --sysroot "$s" --no-kmsg apply --dry-run)
		secs=$(wall env LD_PRELOAD="$shim" FAKE_WRITE_DELAY_MS="$ms" "$dyn" --sysroot "$s" \
			--no-kmsg apply)
		done_=$("$bin" --sysroot "$s" status --json |
			jq '[.devices[] | select(.attached == "alua")] | length')
		[ "$done_" = "$n" ] || echo "bench: attach $n LUNs: only $done_ attached" >&2
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$ms" "$jobs" "$dry" "$secs" "$done_" >>"$data"
		rm -rf "$s"
	done
}

# "ideal ratio" of a line of attach.tsv
attach_ideal() {
	awk -F'\t' -v n="$1" -v ms="$2" '$1 == n && $2 == ms {
		ideal = ms / 1000 * n / $3 + $4
		printf "%.3f %.2f\n", ideal, $5 / ideal; exit }' "$out/data/attach.tsv"
}

attach_report() {
	local data=$out/data/attach.tsv ideal ratio
	cat <<'TEXT'
## Late attach: every LUN needs one

Trees of TPGS disks without a handler (`tests/bench/mktree.sh N attach`, a fresh copy for each
case); `apply` of the dynamic build (`build/scsi-dh-early-dyn`) with the `dh_state` shim
(`tests/lib/dhshim.c`, `FAKE_WRITE_DELAY_MS`: the time a write takes before the kernel's
answer).  The concurrency is what `scsi-dh-early check` says (`write_jobs: N`; 1 where it
says nothing).  The ideal: write time × LUNs ÷ write_jobs + the dry run on the same tree.
One run per case.

| LUNs | write | write_jobs | dry run (s) | apply (s) | ideal (s) | apply ÷ ideal | ms per attach | attached |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
TEXT
	awk -F'\t' 'NR > 1 { print $1, $2, $3, $4, $5, $6 }' "$data" |
		while read -r n ms jobs dry secs att; do
			read -r ideal ratio < <(attach_ideal "$n" "$ms")
			printf '| %s | %s ms | %s | %.3f | %.2f | %.2f | %s | %.1f | %s |\n' "$n" "$ms" \
				"$jobs" "$dry" "$secs" "$ideal" "$ratio" \
				"$(awk -v s="$secs" -v n="$n" 'BEGIN { print s * 1000 / n }')" "$att"
		done
	echo
	if attach_plot; then
		echo '![late attach against the ideal](attach.svg)'
		echo
	fi
	echo "Raw figures: [data/attach.tsv](data/attach.tsv)."
	echo
}

attach_plot() {
	local pts=$out/data/attach-plot.dat
	command -v gnuplot >/dev/null || return 1
	awk -F'\t' 'NR > 1 {
		printf "\"%d×%dms\" %.3f %.3f\n", $1, $2, $5, $2 / 1000 * $1 / $3 + $4 }' \
		"$out/data/attach.tsv" >"$pts"
	gnuplot <<GNUPLOT
set terminal svg size 720,420 dynamic font "sans,12"
set output "$out/attach.svg"
set title "Late attach: apply against the ideal (LUNs × emulated write time)"
set ylabel "seconds"
set logscale y
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set key top left
set grid ytics
plot "$pts" using 2:xtic(1) title "apply", "" using 3 title "ideal"
GNUPLOT
}

# ---- section boot ------------------------------------------------------------

boot_luns=${BENCH_BOOT_LUNS:-256}

# One boot (tests/bench/boot-cputime.sh) under the machine-wide QEMU lock, in
# the bench's own boot work directory; the CPU time of each run of the helper
# taken from the report port's log.
boot_run() {
	local data=$out/data/boot.tsv log rc=0 dir
	[ -x "$bin" ] || need_programs
	export SDE_BOOT_WORK=${SDE_BOOT_WORK:-/var/cache/scsi-dh-early/boot-bench}
	log=$(mktemp)
	echo "bench: boot with $boot_luns scsi_debug LUNs (one boot, under /tmp/sde-qemu.lock)"
	flock /tmp/sde-qemu.lock tests/bench/boot-cputime.sh "$boot_luns" >"$log" 2>&1 || rc=$?
	dir=$SDE_BOOT_WORK/logs/bench-cputime
	if [ ! -s "$dir/report.log" ] || ! grep -q '^sde-cputime: ' "$dir/report.log"; then
		echo "bench: boot failed (exit $rc), no CPU times" >&2
		tail -n 30 "$log" >&2
		rm -f "$log"
		return 0
	fi
	[ "$rc" -eq 0 ] || grep -E '^# +FAIL|^boot:' "$log" | sed 's/^/bench: boot: /' >&2 || :
	printf 'user_s\tsystem_s\targs\n' >"$data"
	# "0m0.120000s 0m0.040000s ARGS" (dash) or "0m0.120s ..." (bash)
	sed -n 's/\r$//; s/^sde-cputime: //p' "$dir/report.log" | awk '{
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		a = $3; for (i = 4; i <= NF; i++) a = a " " $i
		printf "%.3f\t%.3f\t%s\n", u[1] * 60 + u[2], s[1] * 60 + s[2], a }' >>"$data"
	{
		printf 'boot_exit\t%s\n' "$rc"
		printf 'boot_seconds\t%s\n' "$(sed -n 's/^# boot bench-cputime: \([0-9.]*\) s$/\1/p' "$log")"
		printf 'scsi_devices\t%s\n' "$(grep -c '^dev|' "$dir/report-pre-mount.txt" 2>/dev/null || :)"
		printf 'with_alua\t%s\n' "$(awk -F'|' '$1 == "dev" && $6 == "alua"' \
			"$dir/report-pre-mount.txt" 2>/dev/null | wc -l)"
		printf 'kmsg_summary\t%s\n' "$(grep -o 'scsi-dh-early: [0-9]* LUNs.*' "$dir/console.log" | head -n 1)"
	} >"$out/data/boot-facts.tsv"
	rm -f "$log"
}

boot_report() {
	local data=$out/data/boot.tsv facts=$out/data/boot-facts.tsv
	get() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$facts" 2>/dev/null; }
	cat <<TEXT
## At boot: the helper's CPU time over one boot

One boot in QEMU (TCG, no KVM) of the classic image of \`tests/boot\` with the module
(\`conf-default\`), $boot_luns LUNs of \`scsi_debug\` (4 targets, \`vpd_use_hostno=0\`: TPGS,
so alua) loaded by \`rd.driver.pre=\`, and the bench-only dracut module
\`tests/bench/modules.d/99sde-cputime\`: a wrapper in place of \`/usr/sbin/scsi-dh-early\`
that runs the helper and writes its user and system time (the shell's \`times\`, clock ticks
of 10 ms) to the report port.  Every run of the helper up to the pre-mount report counts:
the preload, the sweep, and any run of the udev rule; the harness's own \`status --json\`
for its report is listed but not summed.  Guest time under emulation: a
figure of QEMU's TCG more than of a real CPU, to compare between builds, not with the
sweep's figures.

| runs of the helper | user (s) | system (s) | CPU, summed (s) | ms of CPU per LUN |
|---:|---:|---:|---:|---:|
TEXT
	awk -F'\t' -v n="$boot_luns" 'NR > 1 && $3 !~ /^status/ { k++; u += $1; s += $2 }
		END { printf "| %d | %.2f | %.2f | %.2f | %.2f |\n", k, u, s, u + s, (u + s) * 1000 / n }' "$data"
	echo
	echo "Each run:"
	echo
	echo "| user (s) | system (s) | command |"
	echo "|---:|---:|---|"
	awk -F'\t' 'NR > 1 { printf "| %s | %s | `%s` |\n", $1, $2, $3 }' "$data" | head -n 20
	echo
	echo "SCSI devices at the report: $(get scsi_devices), with alua: $(get with_alua);" \
		"the boot's summary line:" \
		"\`$(get kmsg_summary)\`; boot $(get boot_seconds) s, harness exit $(get boot_exit)."
	echo "Raw figures: [data/boot.tsv](data/boot.tsv), [data/boot-facts.tsv](data/boot-facts.tsv)."
	echo
}

# ---- section footprint -------------------------------------------------------

# the regular files of an uncompressed cpio image: "size path" a line
cpio_files() {
	local d
	d=$(mktemp -d)
	(cd "$d" && cpio -id --quiet --no-absolute-filenames <"$1" 2>/dev/null) || :
	(cd "$d" && find . -type f -printf '%s %P\n' | sort -k2)
	rm -rf "$d"
}

footprint_run() {
	local data=$out/data/footprint.tsv files=$out/data/footprint-files.tsv style
	local d without with
	[ -x "$bin" ] || need_programs
	d=$(mktemp -d)
	cp "$bin" "$d/helper"
	strip "$d/helper"
	printf 'key\tvalue\n' >"$data"
	printf 'helper_stripped_bytes\t%s\n' "$(stat -c %s "$d/helper")" >>"$data"
	printf 'helper_cc\t%s\n' "$(command -v musl-gcc >/dev/null && echo musl-gcc || echo gcc) -static, $(file -b "$bin" | grep -o 'statically linked' || echo 'not static')" >>"$data"
	printf 'style\tpath\tbytes\n' >"$files"
	for style in systemd classic; do
		echo "bench: footprint: two $style images"
		scripts/build-initrd.sh -o "$d/without.img" --"$style" --no-project-module \
			-- --no-compress --no-early-microcode >"$d/log" 2>&1 ||
			{ tail -n 20 "$d/log" >&2; continue; }
		SCSI_DH_EARLY_BIN=$bin scripts/build-initrd.sh -o "$d/with.img" --"$style" \
			--add scsi-dh-early -- --no-compress --no-early-microcode >"$d/log" 2>&1 ||
			{ tail -n 20 "$d/log" >&2; continue; }
		cpio_files "$d/without.img" >"$d/without.lst"
		cpio_files "$d/with.img" >"$d/with.lst"
		without=$(awk '{ s += $1 } END { print s + 0 }' "$d/without.lst")
		with=$(awk '{ s += $1 } END { print s + 0 }' "$d/with.lst")
		{
			printf '%s_image_without_bytes\t%s\n' "$style" "$(stat -c %s "$d/without.img")"
			printf '%s_image_with_bytes\t%s\n' "$style" "$(stat -c %s "$d/with.img")"
			printf '%s_files_without_bytes\t%s\n' "$style" "$without"
			printf '%s_files_with_bytes\t%s\n' "$style" "$with"
		} >>"$data"
		# what the image with the module has and the other lacks, or has larger
		awk -v s="$style" 'NR == FNR { w[$2] = $1; next }
			!($2 in w) || w[$2] != $1 { printf "%s\t%s\t%d\n", s, $2, $1 - ($2 in w ? w[$2] : 0) }' \
			"$d/without.lst" "$d/with.lst" >>"$files"
	done
	rm -rf "$d"
}

footprint_report() {
	local data=$out/data/footprint.tsv files=$out/data/footprint-files.tsv style
	get() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$data"; }
	cat <<TEXT
## Footprint

The static helper, stripped: **$(get helper_stripped_bytes) bytes** ($(awk -v b="$(get helper_stripped_bytes)" 'BEGIN { printf "%.1f KiB", b / 1024 }'); $(get helper_cc)).

Two initramfs images per init style, built by \`scripts/build-initrd.sh\` (dracut, the cached
test kernel, \`--no-compress --no-early-microcode\`), without and with the module
(\`--add scsi-dh-early\`); the sizes of the regular files of each cpio archive, summed.
The handler modules (\`scsi_dh_*.ko\`) the module puts in the image are counted apart.

| init | image without | image with | files without | files with | added | of which scsi_dh_*.ko | added, handlers apart |
|---|---:|---:|---:|---:|---:|---:|---:|
TEXT
	for style in systemd classic; do
		[ -n "$(get "${style}_files_with_bytes")" ] || continue
		local ko added
		ko=$(awk -F'\t' -v s="$style" '$1 == s && $2 ~ /\/scsi_dh_[a-z_]*\.ko/ { k += $3 } END { print k + 0 }' "$files")
		added=$(($(get "${style}_files_with_bytes") - $(get "${style}_files_without_bytes")))
		printf '| %s | %s | %s | %s | %s | %s | %s | **%s** |\n' "$style" \
			"$(get "${style}_image_without_bytes")" "$(get "${style}_image_with_bytes")" \
			"$(get "${style}_files_without_bytes")" "$(get "${style}_files_with_bytes")" \
			"$added" "$ko" "$((added - ko))"
	done
	echo
	echo "The files the module adds or changes, per image: [data/footprint-files.tsv](data/footprint-files.tsv)."
	echo
}

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

# ---- the summary of the issue's targets ---------------------------------------

# met TEST: "met" or "missed" by awk's verdict on the figure, "-" without one
met() {
	if [ -z "$1" ] || [ "$1" = - ]; then
		echo -
		return
	fi
	if awk -v x="$1" "BEGIN { exit !($2) }"; then echo met; else echo missed; fi
}

# "1.23×", or "-" for no figure
times_x() {
	if [ -z "$1" ] || [ "$1" = - ]; then echo -; else echo "$1×"; fi
}

unit() {
	if [ -z "$1" ] || [ "$1" = - ]; then echo -; else echo "$1 $2"; fi
}

summary() {
	local sw=$out/data/sweep.tsv cnt=$out/data/sweep-counts.tsv alt=$out/data/alternatives.tsv
	local fp=$out/data/footprint.tsv r v a b
	printf '| target | where it should land | measured | |\n|---|---|---|---|\n'
	r=-
	[ -s "$sw" ] && r=$(paired_ratio "$sw" 4096 dryrun floor)
	printf '| apply --dry-run ÷ read-only floor, 4096 LUNs | ≤ 1.3× | %s | %s |\n' "$(times_x "${r:--}")" \
		"$(met "${r:--}" 'x <= 1.3')"
	v=-
	[ -s "$cnt" ] && v=$(awk -v c="$(count_of "$cnt" 4096 dryrun syscalls)" \
		'BEGIN { if (c != "") printf "%.1f", c / 4096; else print "-" }')
	printf '| syscalls per LUN, apply --dry-run, 4096 LUNs | ≤ 22 | %s | %s |\n' "$v" \
		"$(met "$v" 'x <= 22')"
	r=-
	[ -s "$alt" ] && r=$(paired_ratio "$alt" 4096 reference dryrun)
	printf '| shell reference ÷ apply --dry-run, 4096 LUNs | ≥ 50× | %s | %s |\n' "$(times_x "${r:--}")" \
		"$(met "${r:--}" 'x >= 50')"
	r=-
	if [ -s "$out/data/attach.tsv" ]; then
		read -r _ r < <(attach_ideal 1024 20) || r=-
	fi
	printf '| late attach, 1024 LUNs × 20 ms writes ÷ ideal | ≤ 1.5× | %s | %s |\n' "$(times_x "${r:--}")" \
		"$(met "${r:--}" 'x <= 1.5')"
	v=-
	if [ -s "$cnt" ]; then
		a=$(count_of "$cnt" 16384 status peak_rss_kib)
		b=$(count_of "$cnt" 16384 dryrun peak_rss_kib)
		[ -z "$a$b" ] || v=$(awk -v a="${a:-0}" -v b="${b:-0}" \
			'BEGIN { printf "%.2f", (a > b ? a : b) / 1024 }')
	fi
	printf '| peak RSS at 16384 LUNs (status, dry run) | ≤ 4 MiB | %s | %s |\n' "$(unit "$v" MiB)" \
		"$(met "$v" 'x <= 4')"
	r=-
	if [ -s "$sw" ]; then
		a=$(median "$sw" 256 dryrun)
		b=$(median "$sw" 16384 dryrun)
		[ -z "$a" ] || [ -z "$b" ] ||
			r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b / 16384) / (a / 256) }')
	fi
	printf '| time per LUN, 16384 ÷ 256 LUNs (dry run) | flat (≤ 1.25×) | %s | %s |\n' \
		"$(times_x "$r")" "$(met "$r" 'x <= 1.25')"
	v=-
	[ -s "$fp" ] && v=$(awk -F'\t' '$1 == "helper_stripped_bytes" { printf "%.1f", $2 / 1024 }' "$fp")
	printf '| static helper, stripped | ≤ 100 KiB | %s | %s |\n' "$(unit "${v:--}" KiB)" \
		"$(met "${v:--}" 'x <= 100')"
}

# date, load and build of a section's run, kept beside its figures
stamp() {
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
		# the sources: changes under bench/ (this script's own output) do not count
		echo "tree: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(
			git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' with changes')"
		echo "helper: $("$bin" --version 2>/dev/null | head -n1)"
	} >"$out/data/$1.meta"
}

# the stamp as a line of the report
stamp_line() {
	[ -s "$out/data/$1.meta" ] || return 0
	printf 'Measured %s (%s; %s; %s).\n' \
		"$(sed -n 's/^date: //p' "$out/data/$1.meta")" \
		"$(sed -n 's/^load average at start: /load average at start /p' "$out/data/$1.meta")" \
		"$(sed -n 's/^tree: /tree /p' "$out/data/$1.meta")" \
		"$(sed -n 's/^helper: //p' "$out/data/$1.meta")"
}

# a section's report with its stamp line after its title
stamp_after_title() {
	local line first=yes
	while IFS= read -r line; do
		printf '%s\n' "$line"
		if [ "$first" = yes ] && [ "${line#\#\# }" != "$line" ]; then
			first=no
			echo
			stamp_line "$1"
			# what the stamp cannot say (figures kept from an earlier run)
			if [ -s "$out/data/$1.notes" ]; then
				echo
				cat "$out/data/$1.notes"
			fi
		fi
	done
}

# ---- the report -------------------------------------------------------------

machine() {
	echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
		"$(nproc) cores; memory $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- host: $(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- QEMU: $(${SDE_QEMU:-qemu-system-x86_64} --version | head -n1), TCG (no KVM), 1 vCPU, 1 GiB"
	# shellcheck source=/dev/null  # the kernel cache, made at run time
	echo "- guest kernel: $(. /var/cache/scsi-dh-early/kernel.env 2>/dev/null && echo "$PKG" || echo "?")"
	echo "- dracut: $(dracut --version 2>/dev/null | head -n1)"
}

if [ "$report_only" = no ]; then
	for s in "${sections[@]}"; do
		stamp "$s"
		"${s}_run"
	done
fi

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (\`scripts/bench.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo "Where issue 9 wants the helper to land, and where it is (each a ratio or a count"
	echo "from one run of its section; *flat* read as within 1.25×; nothing here passes or"
	echo "fails a build):"
	echo
	summary
	# why a target is missed, where the figures alone do not say
	if [ -s "$out/data/summary.notes" ]; then
		echo
		cat "$out/data/summary.notes"
	fi
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "make bench            # = make deps bench-programs; scripts/bench.sh (every section)"
	echo "scripts/bench.sh sweep alternatives attach   # sections by name"
	echo "BENCH_RUNS=${runs} BENCH_SWEEP_SIZES=\"$sweep_sizes\" BENCH_ALT_SIZES=\"$alt_sizes\" scripts/bench.sh sweep alternatives"
	echo "BENCH_ATTACH_CASES=\"$attach_cases\" scripts/bench.sh attach"
	echo "BENCH_BOOT_LUNS=$boot_luns SDE_BOOT_WORK=/var/cache/scsi-dh-early/boot-bench scripts/bench.sh boot"
	echo "scripts/bench.sh footprint"
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
		[ -s "$out/data/$s.tsv" ] || continue
		"${s}_report" | stamp_after_title "$s"
	done
} >"$out/report.md.tmp"
mv "$out/report.md.tmp" "$out/report.md"
echo "bench: wrote $out/report.md"
echo
summary
