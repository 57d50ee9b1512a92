#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The analysis of `make bench` (tests/bench/analyze.py): raw figures of a small,
# fixed benchmark in, the report's tables out; and the committed report is what
# it writes from the committed figures.

setup() {
	load helpers
	_common_setup
	command -v python3 >/dev/null || skip "python3 not installed"
	ANALYZE=$TOP/tests/bench/analyze.py
	OUT=$BATS_TEST_TMPDIR/bench
	mkdir -p "$OUT/data" "$BATS_TEST_TMPDIR/bin"
	# gnuplot: a stub that keeps the scripts it is given
	cat >"$BATS_TEST_TMPDIR/bin/gnuplot" <<-'EOF'
	#!/bin/sh
	cat >>"$GNUPLOT_LOG"
	exit "${GNUPLOT_EXIT:-0}"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/gnuplot"
	export GNUPLOT_LOG=$BATS_TEST_TMPDIR/gnuplot.log
	PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

# tsv NAME: standard input, the blanks between fields made tabs, into the figures
tsv() {
	tr -s ' ' '\t' >"$OUT/data/$1"
}

analyze() {
	python3 "$ANALYZE" --out "$OUT" "$@"
}

sweep_figures() {
	tsv sweep.tsv <<-'EOF'
	luns variant run seconds
	16 status 1 0.001600
	16 dryrun 1 0.001000
	16 floor 1 0.000800
	16 status 2 0.001800
	16 dryrun 2 0.001200
	16 floor 2 0.001000
	16 status 3 0.001700
	16 dryrun 3 0.001100
	16 floor 3 0.000900
	256 status 1 0.010000
	256 dryrun 1 0.008000
	256 floor 1 0.006000
	256 status 2 0.012200
	256 dryrun 2 0.008000
	256 floor 2 0.007000
	256 status 3 0.011000
	256 dryrun 3 0.009000
	256 floor 3 0.006000
	256 status 4 0.014000
	256 dryrun 4 0.010000
	256 floor 4 0.008000
	EOF
	# the floor's counts at 256 LUNs are missing
	tsv sweep-counts.tsv <<-'EOF'
	luns variant syscalls peak_rss_kib
	16 status 448 412
	16 dryrun 352 400
	16 floor 304 420
	256 status 6400 440
	256 dryrun 4864 436
	EOF
}

@test "analysis: the sweep's medians, paired ratios and counts per LUN" {
	sweep_figures
	run -0 analyze sections
	# medians of 3 runs (16 LUNs) and of 4 (256: the mean of the middle two); the
	# paired ratios' medians (16: 1.2, 1.22, 1.25; 256: 1.14, 1.25, 1.33, 1.5)
	assert_line "| 16 | 1.7 ms (106 µs/LUN) | 1.1 ms (69 µs/LUN) | 0.9 ms (56 µs/LUN) | 1.22 | 28.0 / 22.0 / 19.0 | 412 / 400 / 420 |"
	assert_line "| 256 | 11.6 ms (45 µs/LUN) | 8.5 ms (33 µs/LUN) | 6.5 ms (25 µs/LUN) | 1.29 | 25.0 / 19.0 / - | 440 / 436 /  |"
	assert_line --partial "median of 4 paired runs"
	# no figures measured, no section
	refute_line --partial "## Alternatives"
	refute_line --partial "## ALUA array"
	# the plot: µs per LUN of each variant
	assert_line "![time per LUN](sweep-per-lun.svg)"
	run -0 head -n 3 "$OUT/data/sweep-plot.dat"
	assert_output $'# status\n16 106.250\n256 45.312'
	run -0 grep '^plot ' "$GNUPLOT_LOG"
	assert_output --partial "\"$OUT/data/sweep-plot.dat\" index 0 using 1:2 with linespoints title \"status --json\", "
	assert_output --partial "index 2 using 1:2 with linespoints title \"read-only floor\""
	refute_output --partial "index 3"
}

@test "analysis: a plot gnuplot cannot make leaves its image out" {
	sweep_figures
	GNUPLOT_EXIT=1 run -0 analyze sections
	refute_line --partial "sweep-per-lun.svg"
	assert_line "Raw figures: [data/sweep.tsv](data/sweep.tsv) (one run a line),"
}

@test "analysis: the date and notes of a section follow its title" {
	sweep_figures
	printf '%s\n' "date: 2026-01-02 03:04 UTC" "load average at start: 0.5 0.4 0.3" \
		"tree: abc1234" "helper: scsi-dh-early 0.1.0" >"$OUT/data/sweep.meta"
	echo "Kept from an earlier run." >"$OUT/data/sweep.notes"
	run -0 analyze sections
	assert_equal "${lines[0]}" "## Sweep: \`status --json\` and \`apply --dry-run\` on fake trees"
	assert_equal "${lines[1]}" "Measured 2026-01-02 03:04 UTC (load average at start 0.5 0.4 0.3; tree abc1234; scsi-dh-early 0.1.0)."
	assert_equal "${lines[2]}" "Kept from an earlier run."
	assert_equal "${lines[3]}" "The trees of \`tests/bench/mktree.sh\` (\`tests/lib/mkfixture\`, read with \`--sysroot\`):"
}

@test "analysis: the array's medians and ranges, failed boots left out, against the kernel's best" {
	tsv array.tsv <<-'EOF'
	luns mode run status b_reads_failed b_cmds_failed b_ioerr b_touched ioerr_lines suppressed_blk b_lio_in_cmds settle_ms boot_s b_dh
	16 without 1 ok 100 150 150 16 10 90 0 12000 100 0
	16 without 2 ok 300 350 350 16 30 270 0 14000 100 0
	16 without 3 ok 200 250 250 16 20 180 0 13000 100 0
	16 without 4 failed
	16 with 1 ok 0 40 40 0 0 0 0 20000 100 16
	16 with 2 check-failed 2 42 42 1 0 2 0 21000 100 16
	16 best 1 ok 0 40 40 0 0 0 0 15500 100 16
	128 with 1 ok 11 60 60 3 1 10 0 30000 100 128
	128 best 1 ok 10 60 60 3 1 9 0 30000 100 128
	EOF
	run -0 analyze sections
	assert_line "| 16 | without | 3 | 200 (100–300) | 250 (150–350) | 250 (150–350) | 20 (10–30)+180 (90–270) | 16 | 13.0 (12.0–14.0) |"
	assert_line "| 16 | with | 2 | 1 (0–2) | 41 (40–42) | 41 (40–42) | 0+1 (0–2) | 0.5 (0–1) | 20.5 (20.0–21.0) |"
	assert_line "| 16 | kernel's best | 1 | 0 | 40 | 40 | 0+0 | 0 | 15.5 |"
	assert_line "| 128 | without | 0 | - | - | - | -+- | - | - |"
	# with ÷ best: failed READs where the best had none, and 1.10 (within 1.1×)
	assert_line "| 16 | 1 / 0 = inf | no |"
	assert_line "| 128 | 11 / 10 = 1.10 | yes |"
	assert_line "Boots that failed (no figures, left out above): 1. Boots with figures but a failed scenario check (counted above): 1."
	# the plot's points: LUNs, median, min, max of each mode
	run -0 cat "$OUT/data/array-plot.dat"
	assert_output $'# without\n16 200 100 300\n\n\n# with\n16 1 0 2\n128 11 11 11\n\n\n# best\n16 0 0 0\n128 10 10 10'
}

@test "analysis: the A-first and multipath modes, in their order, with ranges and the plot's points" {
	h="luns mode run status b_reads_failed b_cmds_failed b_ioerr b_touched ioerr_lines suppressed_blk b_lio_in_cmds settle_ms boot_s b_dh mpath_maps_2paths mpath_agree mpath_tables mpath_first_split mpath_first_known mpath_ms mpath_paths_bad dm_mpath_fail_lines hold_ms_max"
	tsv afirst.tsv <<-EOF
	$h
	64 hold 1 ok 0 0 0 0 0 0 0 90000 200 alua - - - - - - - 0 10
	64 hold 2 ok 0 2 2 0 0 0 0 92000 200 alua - - - - - - - 0 14
	64 without 1 ok 1593 1700 1700 64 166 1400 0 199540 228 detached - - - - - - - 0 0
	64 best 1 failed
	EOF
	tsv mpath.tsv <<-EOF
	$h
	16 with 1 ok 2 4 4 2 0 2 0 60000 120 alua 16 32 16 16 16 70000 0 0 0
	16 dracut 1 ok 40 60 60 9 10 30 0 58000 110 alua 16 0 16 12 0 69000 0 0 0
	16 dracut 2 ok 50 70 70 11 12 38 0 62000 115 alua 16 0 16 14 0 71000 0 0 0
	EOF
	# the array section's modes at the same size follow the multipath table
	tsv array.tsv <<-'EOF'
	luns mode run status b_reads_failed b_cmds_failed b_ioerr b_touched ioerr_lines suppressed_blk b_lio_in_cmds settle_ms boot_s b_dh
	64 without 1 ok 900 950 950 64 10 90 0 12000 100 detached
	16 best 1 ok 0 40 40 0 0 0 0 15000 100 alua
	16 without 1 ok 300 350 350 16 30 270 0 14000 100 detached
	EOF
	run -0 analyze sections
	assert_line "| 16 | without a handler | 1 | 300 | 30+270 | 16 | 14.0 |"
	assert_line "| 16 | the kernel's best | 1 | 0 | 0+0 | 0 | 15.0 |"
	refute_line --partial "| 64 | without a handler | 1 | 900 |"
	assert_line "| 64 | without a handler | 1 | 1593 | 1700 | 166+1400 | 64 | - | 199.5 |"
	assert_line "| 64 | the kernel's best, sd held | 2 | 0 | 1 (0–2) | 0+0 | 0 | 12 (10–14) | 91.0 (90.0–92.0) |"
	refute_line --partial "| 64 | the kernel's best |"
	assert_line "Raw figures, one boot a line: [data/afirst.tsv](data/afirst.tsv)."
	# dracut's module first, scsi-dh-early last, whatever the order of the boots
	assert_line "| 16 | dracut's multipath module alone | 2 | 45 (40–50) | 11 (10–12)+34 (30–38) | 10 (9–11) | 16 / 16 | 13 (12–14) | 0 | - | 0 | 60.0 (58.0–62.0) | 70.0 (69.0–71.0) |"
	assert_line "| 16 | + scsi-dh-early | 1 | 2 | 0+2 | 2 | 16 / 16 | 16 | 16 | 32 | 0 | 60.0 | 70.0 |"
	run -0 grep -E "^\| 16 \| (dracut's|\+ )" <<<"$output"
	assert_line --index 0 --partial "dracut's multipath module alone"
	assert_line --index 1 --partial "scsi-dh-early"
	# the plots' points: position, median, min, max of each mode that booted
	run -0 cat "$OUT/data/afirst-plot.dat"
	assert_output $'0 1593 1593 1593\n1 0 0 0'
	run -0 cat "$OUT/data/mpath-plot.dat"
	assert_output $'0 45 40 50\n1 2 2 2'
	run -0 grep -c 'boxerrorbars' "$GNUPLOT_LOG"
	assert_output 2
}

@test "analysis: the late attach against its ideal, the boot's CPU time, the footprint" {
	tsv attach.tsv <<-'EOF'
	luns write_ms write_jobs dry_run_s seconds attached
	1024 20 8 0.040000 3.300000 1024
	EOF
	printf 'user_s\tsystem_s\targs\n0.030\t0.010\t-q preload\n0.130\t0.330\t-q apply\n0.070\t0.200\tstatus --json\n' \
		>"$OUT/data/boot.tsv"
	printf 'boot_exit\t0\nboot_seconds\t99.5\nscsi_devices\t128\nwith_alua\t128\nkmsg_summary\tscsi-dh-early: 128 LUNs\n' \
		>"$OUT/data/boot-facts.tsv"
	printf 'key\tvalue\nhelper_stripped_bytes\t102400\nhelper_cc\tmusl-gcc -static\n' >"$OUT/data/footprint.tsv"
	printf 'systemd_%s\t%s\n' image_without_bytes 1000000 image_with_bytes 1300000 \
		files_without_bytes 900000 files_with_bytes 1150000 >>"$OUT/data/footprint.tsv"
	printf 'style\tpath\tbytes\nsystemd\tusr/lib/modules/k/scsi_dh_alua.ko\t30000\nsystemd\tusr/sbin/scsi-dh-early\t102400\n' \
		>"$OUT/data/footprint-files.tsv"
	run -0 analyze --boot-luns 128 sections
	# ideal: 20 ms × 1024 ÷ 8 + 0.04 s = 2.60 s; 3.30 ÷ 2.60 = 1.27
	assert_line "| 1024 | 20 ms | 8 | 0.040 | 3.30 | 2.60 | 1.27 | 3.2 | 1024 |"
	# the harness's status --json is listed, not summed
	assert_line "| 2 | 0.16 | 0.34 | 0.50 | 3.91 |"
	assert_line "| 0.070 | 0.200 | \`status --json\` |"
	assert_line --partial "(\`conf-default\`), 128 LUNs of \`scsi_debug\`"
	assert_line "SCSI devices at the report: 128, with alua: 128; the boot's summary line: \`scsi-dh-early: 128 LUNs\`; boot 99.5 s, harness exit 0."
	assert_line "The static helper, stripped: **102400 bytes** (100.0 KiB; musl-gcc -static)."
	assert_line "| systemd | 1000000 | 1300000 | 900000 | 1150000 | 250000 | 30000 | **220000** |"
	refute_line --partial "| classic |"
	run -0 analyze summary
	assert_line "| late attach, 1024 LUNs × 20 ms writes ÷ ideal | ≤ 1.5× | 1.27× | met |"
	assert_line "| static helper, stripped | ≤ 100 KiB | 100.0 KiB | met |"
	assert_line "| apply --dry-run ÷ read-only floor, 4096 LUNs | ≤ 1.3× | - | - |"
}

@test "analysis: the summary's targets from the sweep at 4096 and 16384 LUNs" {
	{
		echo "luns variant run seconds"
		for r in 1 2 3; do
			echo "256 dryrun $r 0.008000"
			echo "4096 dryrun $r 0.130000"
			echo "4096 floor $r 0.100000"
			echo "16384 dryrun $r 0.56$r"
		done
	} | tsv sweep.tsv
	tsv sweep-counts.tsv <<-'EOF'
	luns variant syscalls peak_rss_kib
	4096 dryrun 81920 1200
	16384 status 327680 3072
	16384 dryrun 311296 4608
	EOF
	run -0 analyze summary
	assert_line "| apply --dry-run ÷ read-only floor, 4096 LUNs | ≤ 1.3× | 1.30× | met |"
	assert_line "| syscalls per LUN, apply --dry-run, 4096 LUNs | ≤ 22 | 20.0 | met |"
	assert_line "| peak RSS at 16384 LUNs (status, dry run) | ≤ 4 MiB | 4.50 MiB | missed |"
	# (0.562 s ÷ 16384) ÷ (0.008 s ÷ 256)
	assert_line "| time per LUN, 16384 ÷ 256 LUNs (dry run) | flat (≤ 1.25×) | 1.10× | met |"
	assert_line "| shell reference ÷ apply --dry-run, 4096 LUNs | ≥ 50× | - | - |"
}

@test "analysis: the committed report is what the committed figures give" {
	[ -s "$TOP/bench/report.md" ] || skip "no bench/report.md"
	cp -a "$TOP/bench/data/." "$OUT/data/"
	sh=$(sed -n "s/^\`sh\` (\(.*\)): the same decisions.*/\1/p" "$TOP/bench/report.md")
	run -0 analyze --sh "${sh:-/bin/sh}" sections
	diff -u <(sed -n '/^## /,$p' "$TOP/bench/report.md") - <<<"$output"
	run -0 analyze summary
	diff -u <(sed -n '/^| target /,/^$/p' "$TOP/bench/report.md" | sed '$d') - <<<"$output"
}

@test "bench.sh --report-only: the machine and commands of the script, the tables of the analysis" {
	sweep_figures
	SDE_QEMU=true BENCH_OUT=$OUT run -0 "$TOP/scripts/bench.sh" --report-only
	assert_line "bench: wrote $OUT/report.md"
	# the summary, printed once more at the end
	assert_line "| apply --dry-run ÷ read-only floor, 4096 LUNs | ≤ 1.3× | - | - |"
	run -0 cat "$OUT/report.md"
	assert_equal "${lines[0]}" "# Benchmarks"
	assert_line "| static helper, stripped | ≤ 100 KiB | - | - |"
	assert_line "The machine:"
	assert_line "| 16 | 1.7 ms (106 µs/LUN) | 1.1 ms (69 µs/LUN) | 0.9 ms (56 µs/LUN) | 1.22 | 28.0 / 22.0 / 19.0 | 412 / 400 / 420 |"
	assert_line "[data/sweep-counts.tsv](data/sweep-counts.tsv)."
	refute_line --partial "## Late attach"
}
