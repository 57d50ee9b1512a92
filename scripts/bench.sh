#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: what the helper costs, measured from outside, written to
# bench/report.md with the commands, the machine and the raw figures
# (bench/data/).  Speed and noisy counts belong here, as medians and ratios of
# paired runs, never in the pass/fail tests.  Nothing here passes or fails.
# This script measures; tests/bench/analyze.py turns the raw figures into the
# report's tables and plots.
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
#   afirst       the same array with every A path scanned before any B path
#                (sde.array.order=a-first), 64 LUNs: without, the kernel's best,
#                with, and the kernel's best with sd held off each B path until
#                its port state is known (sde.array.hold=1)
#   mpath        the standby array with dm-multipath (multipathd, dracut's
#                multipath module, systemd initramfs), 16 LUNs: the module
#                alone; with rd.driver.pre=scsi_dh_alua in the image (what it
#                writes with hostonly_cmdline=yes), on the kernel's command
#                line, or scsi_dh_alua in modules-load.d; with scsi-dh-early
#
# Environment: BENCH_SWEEP_SIZES (default "16 256 1024 4096 16384"),
# BENCH_ALT_SIZES (alternatives, default "16 256 1024 4096"), BENCH_RUNS
# (paired runs, default 5), BENCH_ATTACH_CASES (LUNS:MS, default "256:1
# 1024:1 4096:1 256:20 1024:20"; add 4096:20 for the long one),
# BENCH_BOOT_LUNS (default 256, a multiple of 4), BENCH_WORK
# (the fake trees, default /dev/shm/sde-bench-UID), BENCH_ARRAY_LUNS (default
# "16 64 128"), BENCH_ARRAY_BOOTS (boots per mode and size, default "16:3
# 64:3 128:1"), BENCH_AFIRST_LUNS (default 64), BENCH_AFIRST_BOOTS (default
# 3), BENCH_MPATH_LUNS (default 16), BENCH_MPATH_BOOTS (default 3),
# BENCH_OUT (default bench), and the boot harness's
# (SDE_BOOT_WORK, ...: see tests/boot/lib.sh).  Boots take the machine-wide
# lock /tmp/sde-qemu.lock one at a time.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/..
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${BENCH_OUT:-bench}
all_sections="sweep alternatives attach boot footprint array afirst mpath"
modes=(without with best)

usage() {
	cat <<USAGE
Usage: ${0##*/} [--report-only | --resume] [SECTION...]

Run the benchmark sections (default: all; sections: $all_sections)
and write $out/report.md.  --report-only: write the report from the figures
already in $out/data without running anything.  --resume (array, afirst, mpath): keep the
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
	sweep | alternatives | attach | boot | footprint | array | afirst | mpath) sections+=("$a") ;;
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

# ---- section array --------------------------------------------------------

# One boot: run.sh in a subshell (the scenarios read SDE_ARRAY_LUNS when they
# are declared), under the machine-wide QEMU lock; the figures of its report
# appended to the data file as one TSV line.
array_header="luns	mode	run	status	b_reads_failed	b_cmds_failed	b_ioerr	b_touched	ioerr_lines	suppressed_blk	b_lio_in_cmds	settle_ms	boot_s	b_dh"
peer_header="$array_header	mpath_maps_2paths	mpath_agree	mpath_tables	mpath_first_split	mpath_first_known	mpath_ms	mpath_paths_bad	dm_mpath_fail_lines	hold_ms_max"

# peer_boot SECTION SCENARIO LUNVAR N MODE RUN DATA: one boot of a scenario
# of tests/boot with LUNVAR=N (its LUN count), its figures appended to DATA
# as a line of $peer_header; a boot that built no array is a "failed" line
peer_boot() {
	local section=$1 scen=$2 var=$3 n=$4 mode=$5 run=$6 data=$7 log rc=0 rep secs stats status
	log=$(mktemp)
	rep=$out/data/$section-$n-$mode-$run.report
	# run.sh takes the machine-wide QEMU lock for each boot itself, after
	# its work directory's lock: taking the QEMU lock here, outside, would
	# deadlock against a boot suite that holds the work lock and waits
	# for the QEMU lock
	# shellcheck disable=SC2016  # expanded by the inner shell
	env "$var=$n" bash -c '
		rc=0
		tests/boot/run.sh "$1" || rc=$?
		cp "${SDE_BOOT_WORK:-/var/cache/scsi-dh-early/boot}/logs/$1/report-pre-mount.txt" \
			"$2" 2>/dev/null || :
		exit "$rc"' bench "$scen" "$rep" >"$log" 2>&1 || rc=$?
	secs=$(sed -n "s/^# boot $scen: \([0-9.]*\) s$/\1/p" "$log")
	if [ ! -s "$rep" ] || ! grep -qx 'array|built|yes' "$rep"; then
		echo "bench: $section $n LUNs $mode #$run: boot failed (exit $rc)" >&2
		sed 's/^/  /' "$log" | tail -n 30 >&2
		rm -f "$log" "$rep"
		printf '%s\t%s\t%s\tfailed\n' "$n" "$mode" "$run" >>"$data"
		return 0
	fi
	status=ok
	if [ "$rc" -ne 0 ]; then
		status=check-failed
		grep -E '^# +FAIL' "$log" | sed "s/^/bench: $section $n LUNs $mode #$run: /" >&2 || :
	fi
	rm -f "$log"
	gzip -f "$rep"
	rep=$rep.gz
	# shellcheck source=tests/boot/array.sh
	. "$top/tests/boot/array.sh"
	stats=$(boot_array_stats <(zcat "$rep"))
	get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$stats"; }
	local f line
	line="$n	$mode	$run	$status"
	for f in b_reads_failed b_cmds_failed b_ioerr b_touched ioerr_lines suppressed_blk \
		b_lio_in_cmds settle_ms; do
		line+="	$(get "$f")"
	done
	line+="	${secs:-0}	$(get b_dh)"
	for f in mpath_maps_2paths mpath_agree mpath_tables mpath_first_split mpath_first_known mpath_ms \
		mpath_paths_bad dm_mpath_fail_lines hold_ms_max; do
		line+="	$(get "$f")"
	done
	printf '%s\n' "$line" >>"$data"
	echo "bench: $section $n LUNs $mode #$run: $(get b_reads_failed) failed READs on standby paths"
}

# peer_run SECTION LUNVAR N BOOTS MODE:SCENARIO...: BOOTS rounds, every mode
# once a round (a slow spell of the machine hits all alike)
peer_run() {
	local section=$1 var=$2 n=$3 boots=$4 data=$out/data/$1.tsv run spec mode
	shift 4
	if [ "$resume" = no ] || [ ! -s "$data" ]; then
		printf '%s\n' "$peer_header" >"$data"
	fi
	for run in $(seq 1 "$boots"); do
		for spec in "$@"; do
			mode=${spec%%:*}
			if [ "$resume" = yes ] && awk -F'\t' -v n="$n" -v m="$mode" -v r="$run" \
				'$1 == n && $2 == m && $3 == r && $4 != "failed" { f = 1 } END { exit !f }' \
				"$data"; then
				continue
			fi
			peer_boot "$section" "${spec#*:}" "$var" "$n" "$mode" "$run" "$data"
		done
	done
}

# The A-first topology: every A path scanned first, then every B path
afirst_run() {
	peer_run afirst SDE_AFIRST_LUNS "${BENCH_AFIRST_LUNS:-64}" "${BENCH_AFIRST_BOOTS:-3}" \
		without:afirst-without best:afirst-best with:afirst-with hold:afirst-hold
}

# dm-multipath beside the standby array: dracut's multipath module alone, the
# ways it offers to load the handler first, and with scsi-dh-early
mpath_run() {
	peer_run mpath SDE_MPATH_LUNS "${BENCH_MPATH_LUNS:-16}" "${BENCH_MPATH_BOOTS:-3}" \
		dracut:mpath-array-dracut-systemd cmdline:mpath-array-dracut-cmdline \
		pre:mpath-array-dracut-pre mload:mpath-array-dracut-mload \
		with:mpath-array-with-systemd
}

# Each boot's line is appended at once: an interrupted run keeps what it
# measured, and --report-only reports it.
array_run() {
	local data=$out/data/array.tsv n boots spec run mode
	local max=1
	if [ "$resume" = no ] || [ ! -s "$data" ]; then
		printf '%s\n' "$peer_header" >"$data"
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
				peer_boot array "array-$mode" SDE_ARRAY_LUNS "$n" "$mode" "$run" "$data"
			done
		done
	done
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

# The figures into tables (medians, ranges, ratios) and plots: tests/bench/analyze.py
command -v python3 >/dev/null || {
	echo "bench: python3 not found: run 'make deps' first" >&2
	exit 1
}
analyze=(python3 tests/bench/analyze.py --out "$out")

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
	"${analyze[@]}" summary
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
	echo "BENCH_AFIRST_LUNS=${BENCH_AFIRST_LUNS:-64} BENCH_AFIRST_BOOTS=${BENCH_AFIRST_BOOTS:-3} scripts/bench.sh afirst"
	echo "BENCH_MPATH_LUNS=${BENCH_MPATH_LUNS:-16} BENCH_MPATH_BOOTS=${BENCH_MPATH_BOOTS:-3} scripts/bench.sh mpath"
	echo "scripts/bench.sh --resume array afirst mpath  # boot only what bench/data lacks (an interrupted run)"
	echo "scripts/bench.sh --report-only   # the report again from bench/data"
	echo '```'
	echo
	echo "The machine:"
	echo
	machine
	echo
	# every section with figures: its tables, its plots, when it was measured
	"${analyze[@]}" --boot-luns "$boot_luns" --sh "$(readlink -f /bin/sh)" sections
} >"$out/report.md.tmp"
mv "$out/report.md.tmp" "$out/report.md"
echo "bench: wrote $out/report.md"
echo
"${analyze[@]}" summary
