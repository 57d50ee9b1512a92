#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The analysis of `make bench`: raw figures in, report tables out.

scripts/bench.sh measures and writes the raw figures to OUT/data (TSV, one run
or one boot a line); this turns them into the medians, ranges and ratios of
bench/report.md:

  analyze.py [--out OUT] summary     the table of the issue's targets
  analyze.py [--out OUT] [--boot-luns N] [--sh PATH] sections
                                     every section that has figures, its plots
                                     (gnuplot, where installed) beside it

The figures are read and printed the way the report has always shown them:
medians printed to 6 decimals and read back, counts as they were measured,
numbers compared as numbers where both sides look like one.
"""

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
from fractions import Fraction

SECTIONS = ("sweep", "alternatives", "attach", "boot", "footprint", "array", "afirst", "mpath")
MODES = ("without", "with", "best")
AFIRST_MODES = (("without", "without a handler"), ("best", "the kernel's best"),
                ("with", "with scsi-dh-early"), ("hold", "the kernel's best, sd held"))
ARRAY_PLAIN_MODES = (("without", "without a handler"), ("best", "the kernel's best"),
                     ("with", "with scsi-dh-early"))
MPATH_MODES = (("dracut", "dracut's multipath module alone"),
               ("cmdline", "+ rd.driver.pre in the image (hostonly_cmdline)"),
               ("pre", "+ rd.driver.pre on the command line"),
               ("mload", "+ modules-load.d"),
               ("with", "+ scsi-dh-early"))
NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*\Z")
PREFIX = re.compile(r"\s*[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf(inity)?|nan)", re.I)
INT_MAX = 2147483647


# ---- figures as text, text as figures ------------------------------------------


def looks_numeric(s):
    return bool(NUMBER.match(s))


def num(s):
    """A field as a number: its leading number, 0 when it has none."""
    if isinstance(s, (int, float)):
        return float(s)
    m = PREFIX.match(s)
    if not m:
        return 0.0
    x = float(m.group(0))
    # strtod() keeps the sign of a NaN
    return -math.nan if math.isnan(x) and m.group(0).strip().startswith("-") else x


def same(a, b):
    """Equal as numbers when both look like one, else as text."""
    if looks_numeric(a) and looks_numeric(b):
        return num(a) == num(b)
    return a == b


def greater(a, b):
    if looks_numeric(a) and looks_numeric(b):
        return num(a) > num(b)
    return a > b


def compare(x, op, bound):
    """x op bound: as numbers when x looks like one, else as text."""
    a, b = (num(x), bound) if looks_numeric(x) else (x, text(bound))
    return a <= b if op == "<=" else a >= b


def div(a, b):
    """a / b, with infinities and NaN where the divisor is 0."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return -math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def fixed(x, prec):
    """printf's %.Nf."""
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return "%.*f" % (prec, x)


def fixed_shell(s, prec):
    """bash's printf %.Nf of a string: read as an x86 long double (64-bit significand)."""
    m = PREFIX.match(s)
    t = m.group(0).strip() if m else "0"
    if re.search(r"[in]", t, re.I):
        return fixed(float(t), prec)
    q = Fraction(t)
    sign = "-" if t.startswith("-") else ""
    q = abs(q)
    if q:
        shift = 63 - (q.numerator.bit_length() - q.denominator.bit_length())
        while not 2**63 <= q * Fraction(2) ** shift < 2**64:
            shift += 1 if q * Fraction(2) ** shift < 2**63 else -1
        q = round(q * Fraction(2) ** shift) / Fraction(2) ** shift
    digits = str(round(q * 10**prec)).rjust(prec + 1, "0")
    return sign + (digits[:-prec] + "." + digits[-prec:] if prec else digits)


def integer(x):
    """printf's %d of a number."""
    if math.isnan(x) or math.isinf(x):
        return str(-(2**63))
    return str(int(x))


def text(x):
    """A computed number as text: a whole number as one, else 6 significant digits."""
    if not math.isnan(x) and not math.isinf(x) and x == int(x) and abs(x) <= INT_MAX:
        return str(int(x))
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return "%.6g" % x


def chomp(s):
    return s[:-1] if s.endswith("\n") else s


def nonempty(path):
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def rows(path):
    """The lines of a TSV file as lists of fields; [] for a missing file."""
    try:
        # newline="": a carriage return is part of its field, as awk reads it
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
            data = f.read()
    except OSError:
        return []
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


def field(row, i):
    """Field i (1-based) of a row, "" past its end, the whole line for 0."""
    if i == 0:
        return "\t".join(row)
    return row[i - 1] if i <= len(row) else ""


def median_of(values):
    v = sorted(values)
    k = len(v)
    return v[(k + 1) // 2 - 1] if k % 2 else (v[k // 2 - 1] + v[k // 2]) / 2


def sizes_of(table):
    """The distinct values of column 1, the header apart, in ascending order."""
    seen = {}
    for row in table[1:]:
        key = num(field(row, 1))
        seen.setdefault(key, field(row, 1))
    return [seen[k] for k in sorted(seen)]


# ---- the sweep's figures ----------------------------------------------------------


def median(table, n, variant):
    """Median of the seconds of LUNS and VARIANT, to 6 decimals ("" if none)."""
    x = [num(field(r, 4)) for r in table if same(field(r, 1), n) and same(field(r, 2), variant)]
    return fixed(median_of(x), 6) if x else ""


def paired_ratio(table, n, a, b):
    """Median over the runs of A's time / B's time in the same run ("" if none)."""
    x, y = {}, {}
    for r in table:
        if same(field(r, 1), n) and same(field(r, 2), a):
            x[field(r, 3)] = field(r, 4)
        if same(field(r, 1), n) and same(field(r, 2), b):
            y[field(r, 3)] = field(r, 4)
    q = [div(num(x[run]), num(y[run])) for run in x if run in y and num(y[run]) > 0]
    return fixed(median_of(q), 2) if q else ""


def count_of(table, n, variant, name):
    """Column NAME of the first line for LUNS and VARIANT ("" if none)."""
    if not table:
        return ""
    col = 0
    for i, h in enumerate(table[0], 1):
        if h == name:
            col = i
    for r in table[1:]:
        if same(field(r, 1), n) and same(field(r, 2), variant):
            return field(r, col)
    return ""


def ms_per_lun(seconds, n):
    """ "12.3 ms (45 µs/LUN)" from seconds and LUNs."""
    if not seconds:
        return "-"
    s = num(seconds)
    return "%s ms (%s µs/LUN)" % (fixed(s * 1000, 1), fixed(div(s * 1e6, num(n)), 0))


def per_lun(count, n):
    if count == "":
        return "-"
    return fixed(div(num(count), num(n)), 1)


def attach_ideal(table, n, ms):
    """(ideal, apply ÷ ideal) of the attach case, or None."""
    for r in table:
        if same(field(r, 1), n) and same(field(r, 2), ms):
            ideal = div(num(ms) / 1000 * num(n), num(field(r, 3))) + num(field(r, 4))
            return fixed(ideal, 3), fixed(div(num(field(r, 5)), ideal), 2)
    return None


# ---- the array's figures ------------------------------------------------------------


def array_summary(table, n, mode, name):
    """(median, min, max, count) of column NAME over the boots that succeeded."""
    col = table[0].index(name) + 1 if table and name in table[0] else 0
    v = [
        num(field(r, col))
        for r in table
        if same(field(r, 1), n) and same(field(r, 2), mode) and field(r, 4) != "failed"
    ]
    if not v:
        return "-", "-", "-", "0"
    v.sort()
    return text(median_of(v)), text(v[0]), text(v[-1]), str(len(v))


def array_cell(table, n, mode, name):
    """ "median (min–max)", the range left out for a single value."""
    med, lo, hi, k = array_summary(table, n, mode, name)
    if k == "0":
        return "-"
    if lo == hi:
        return med
    return "%s (%s–%s)" % (med, lo, hi)


def array_settle(table, n, mode, name="settle_ms"):
    """ "median (min–max)" of a column of milliseconds, in seconds."""
    med, lo, hi, k = array_summary(table, n, mode, name)
    if k == "0":
        return "-"
    if num(k) == 1:
        return fixed(num(med) / 1000, 1)
    return "%s (%s–%s)" % (fixed(num(med) / 1000, 1), fixed(num(lo) / 1000, 1),
                           fixed(num(hi) / 1000, 1))


# ---- the report --------------------------------------------------------------------


class Report:
    def __init__(self, out, boot_luns="256", sh="/bin/sh"):
        self.out = out
        self.data = out + "/data"
        self.boot_luns = boot_luns
        self.sh = sh
        self.lines = []

    def say(self, *words):
        self.lines += " ".join(words).split("\n")

    def table(self, name):
        return rows("%s/%s" % (self.data, name))

    def plot(self, pts, points, svg, height, script):
        """Write the points to pts, then gnuplot script into OUT/svg (what gnuplot prints
        goes into the report); False when it fails."""
        with open(pts, "w", encoding="utf-8") as f:
            f.write(points)
        script = ('set terminal svg size 720,%d dynamic font "sans,12"\nset output "%s/%s"\n'
                  % (height, self.out, svg)) + script
        try:
            run = subprocess.run(["gnuplot"], input=script.encode(), stdout=subprocess.PIPE,
                                 check=False)
        except OSError:
            return False
        said = run.stdout.decode(errors="surrogateescape")
        if said:
            self.lines += chomp(said).split("\n")
        return run.returncode == 0

    def flush(self):
        """Out as UTF-8, whatever the locale, with any odd bytes of the figures as they were."""
        for line in self.lines:
            sys.stdout.buffer.write((line + "\n").encode("utf-8", "surrogateescape"))
        self.lines = []
        sys.stdout.buffer.flush()

    # -- summary --

    def summary(self):
        sw, cnt = self.table("sweep.tsv"), self.table("sweep-counts.tsv")
        alt, att, fp = self.table("alternatives.tsv"), self.table("attach.tsv"), self.table(
            "footprint.tsv")

        def met(x, op, bound):
            if x in ("", "-"):
                return "-"
            return "met" if compare(x, op, bound) else "missed"

        def times(x):
            return "-" if x in ("", "-") else x + "×"

        def unit(x, u):
            return "-" if x in ("", "-") else "%s %s" % (x, u)

        self.say("| target | where it should land | measured | |\n|---|---|---|---|")
        r = (paired_ratio(sw, "4096", "dryrun", "floor") if sw else "-") or "-"
        self.say("| apply --dry-run ÷ read-only floor, 4096 LUNs | ≤ 1.3× | %s | %s |"
                 % (times(r), met(r, "<=", 1.3)))
        v = "-"
        if cnt:
            v = per_lun(count_of(cnt, "4096", "dryrun", "syscalls"), 4096)
        self.say("| syscalls per LUN, apply --dry-run, 4096 LUNs | ≤ 22 | %s | %s |"
                 % (v, met(v, "<=", 22)))
        r = (paired_ratio(alt, "4096", "reference", "dryrun") if alt else "-") or "-"
        self.say("| shell reference ÷ apply --dry-run, 4096 LUNs | ≥ 50× | %s | %s |"
                 % (times(r), met(r, ">=", 50)))
        r = "-"
        if att:
            ideal = attach_ideal(att, "1024", "20")
            r = ideal[1] if ideal else "-"
        self.say("| late attach, 1024 LUNs × 20 ms writes ÷ ideal | ≤ 1.5× | %s | %s |"
                 % (times(r), met(r, "<=", 1.5)))
        v = "-"
        if cnt:
            a = count_of(cnt, "16384", "status", "peak_rss_kib")
            b = count_of(cnt, "16384", "dryrun", "peak_rss_kib")
            if a + b:
                a, b = a or "0", b or "0"
                v = fixed(num(a if greater(a, b) else b) / 1024, 2)
        self.say("| peak RSS at 16384 LUNs (status, dry run) | ≤ 4 MiB | %s | %s |"
                 % (unit(v, "MiB"), met(v, "<=", 4)))
        r = "-"
        if sw:
            a, b = median(sw, "256", "dryrun"), median(sw, "16384", "dryrun")
            if a and b:
                r = fixed(div(num(b) / 16384, num(a) / 256), 2)
        self.say("| time per LUN, 16384 ÷ 256 LUNs (dry run) | flat (≤ 1.25×) | %s | %s |"
                 % (times(r), met(r, "<=", 1.25)))
        v = "".join(fixed(num(field(row, 2)) / 1024, 1) for row in fp
                    if field(row, 1) == "helper_stripped_bytes") or "-"
        self.say("| static helper, stripped | ≤ 100 KiB | %s | %s |"
                 % (unit(v, "KiB"), met(v, "<=", 100)))
        self.flush()

    # -- sections --

    def sections(self):
        for s in SECTIONS:
            if not nonempty("%s/%s.tsv" % (self.data, s)):
                continue
            getattr(self, s)()
            self.stamp(s)
            self.flush()

    def stamp(self, s):
        """After the section's title: when it was measured, and its notes."""
        for i, line in enumerate(self.lines):
            if not line.startswith("## "):
                continue
            add = [""]
            meta = "%s/%s.meta" % (self.data, s)
            if nonempty(meta):
                with open(meta, encoding="utf-8", errors="surrogateescape", newline="") as f:
                    m = f.read().split("\n")

                def get(key, repl):
                    return "\n".join(repl + x[len(key):] for x in m if x.startswith(key))

                add.append("Measured %s (%s; %s; %s)." % (
                    get("date: ", ""), get("load average at start: ", "load average at start "),
                    get("tree: ", "tree "), get("helper: ", "")))
            notes = "%s/%s.notes" % (self.data, s)
            rest = self.lines[i + 1:]
            if nonempty(notes):
                with open(notes, encoding="utf-8", errors="surrogateescape", newline="") as f:
                    said = f.read()
                add += [""] + chomp(said).split("\n")
                if not said.endswith("\n") and rest:
                    # the notes' last line runs on into the section's next one
                    add[-1] += rest.pop(0)
            self.lines[i + 1:] = add + rest
            return

    def sweep(self):
        data, counts = self.table("sweep.tsv"), self.table("sweep-counts.tsv")
        nruns = len({num(field(r, 3)) for r in data[1:]})
        self.say(f"""## Sweep: `status --json` and `apply --dry-run` on fake trees

The trees of `tests/bench/mktree.sh` (`tests/lib/mkfixture`, read with `--sysroot`):
one host per 128 LUNs (at least 2), of every 12 LUNs 4 without a handler, 6 TPGS disks with
alua (one in 8 without), 1 from the kernel's vendor table (DGC under an owner rule, IBM 1814,
HP HSV100), 1 odd (a TPGS enclosure, a TPGS disk whose VPD page 0x83 has no target port group,
...).  The static helper (`build/scsi-dh-early`, --no-kmsg) against the read-only floor
(`tests/bench/readfloor.c`, static: one process that reads, of every LUN, what
`apply --dry-run` reads (vendor, model, dh_state, inquiry, vpd_pg83 where inquiry has TPGS
bits, type), deciding nothing; one `openat`, `read` and `close` an attribute).  Wall time:
median of {nruns} paired runs (each run measures the three, in turns, after one
run of each not counted); *dry-run ÷ floor* the median of the paired ratios.  Syscalls:
`strace -c -f`, all calls ÷ LUNs.  Peak RSS: GNU time's %M.  The machine is shared: the
load average at the start of the section is in the line above.

| LUNs | status --json | apply --dry-run | read-only floor | dry-run ÷ floor | syscalls/LUN status / dry-run / floor | peak RSS KiB status / dry-run / floor |
|---:|---:|---:|---:|---:|---:|---:|""")
        variants = ("status", "dryrun", "floor")
        for n in sizes_of(data):
            cells = [ms_per_lun(median(data, n, v), n) for v in variants]
            sc = [per_lun(count_of(counts, n, v, "syscalls"), n) for v in variants]
            rs = [count_of(counts, n, v, "peak_rss_kib") for v in variants]
            self.say("| %s | %s | %s | %s | %s | %s / %s / %s | %s / %s / %s |"
                     % (n, *cells, paired_ratio(data, n, "dryrun", "floor"), *sc, *rs))
        self.say("")
        if self.sweep_plot():
            self.say("![time per LUN](sweep-per-lun.svg)")
            self.say("")
            self.say("Time per LUN against the tree's size (medians; the alternatives where"
                     " measured).")
            self.say("")
        self.say("Raw figures: [data/sweep.tsv](data/sweep.tsv) (one run a line),")
        self.say("[data/sweep-counts.tsv](data/sweep-counts.tsv).")
        self.say("")

    def sweep_plot(self):
        """µs per LUN against LUNs, one line a variant, log-log."""
        if not shutil.which("gnuplot"):
            print("bench: gnuplot not found: no plot", file=sys.stderr)
            return False
        pts = self.data + "/sweep-plot.dat"
        labels = {"status": "status --json", "dryrun": "apply --dry-run",
                  "floor": "read-only floor", "reference": "POSIX shell reference",
                  "perlun": "one helper process per LUN", "noop": "no-op static exec per LUN"}
        blocks, plots = [], []
        for v, name in labels.items():
            f = "alternatives.tsv" if v in ("reference", "perlun", "noop") else "sweep.tsv"
            if not nonempty("%s/%s" % (self.data, f)):
                continue
            table = self.table(f)
            points = []
            for n in sizes_of(table):
                med = median(table, n, v)
                if med:
                    points.append("%s %s" % (integer(num(n)),
                                             fixed(div(num(med) * 1e6, num(n)), 3)))
            if not points:
                continue
            blocks.append("# %s\n%s\n\n\n" % (v, "\n".join(points)))
            plots.append('"%s" index %d using 1:2 with linespoints title "%s"'
                         % (pts, len(plots), name))
        return self.plot(pts, "".join(blocks), "sweep-per-lun.svg", 460, f"""\
set title "Time per LUN of one sweep (fake trees, medians)"
set xlabel "LUNs"
set ylabel "µs per LUN"
set logscale xy
set xtics (16, 256, 1024, 4096, 16384)
set key top right
set grid
plot {", ".join(plots)}
""")

    def alternatives(self):
        data = self.table("alternatives.tsv")
        self.say(f"""## Alternatives: a shell loop, a process per LUN, and the floors

The same trees and paired runs as above, five ways: the helper's one `apply --dry-run`;
the read-only floor; the POSIX shell reference `tests/bench/reference.sh` run by
`sh` ({self.sh}): the same decisions per LUN (owner, expected handler,
verdict, action; checked against the helper's by `tests/095-bench-reference.bats`), with
`read` for the text attributes and `od` for the binary ones; one helper process per LUN
(`apply --dry-run H:C:T:L` from a shell loop: the udev `RUN+=` model); and its floor, a
static no-op program (`tests/bench/noop.c`) exec'ed per LUN from the same loop.  Median
wall time; ratios are medians of paired ratios.

| LUNs | apply --dry-run | read-only floor | shell reference | helper per LUN | no-op per LUN | shell ÷ dry-run | per LUN ÷ dry-run |
|---:|---:|---:|---:|---:|---:|---:|---:|""")
        for n in sizes_of(data):
            cells = [ms_per_lun(median(data, n, v), n)
                     for v in ("dryrun", "floor", "reference", "perlun", "noop")]
            self.say("| %s | %s | %s | %s | %s | %s | %s | %s |"
                     % (n, *cells, paired_ratio(data, n, "reference", "dryrun"),
                        paired_ratio(data, n, "perlun", "dryrun")))
        self.say("")
        if nonempty(self.data + "/alternatives-agree.tsv"):
            agree = ", ".join("%s LUNs %s" % (field(r, 1), field(r, 2))
                              for r in self.table("alternatives-agree.tsv")[1:])
            self.say("The reference and the helper decide alike (owner, expected, verdict,"
                     " action and")
            self.say("handler of every LUN) on each tree measured:", agree + ".")
            self.say("")
        self.say("Raw figures: [data/alternatives.tsv](data/alternatives.tsv).")
        self.say("")

    def attach(self):
        data = self.table("attach.tsv")
        self.say("""## Late attach: every LUN needs one

Trees of TPGS disks without a handler (`tests/bench/mktree.sh N attach`, a fresh copy for each
case); `apply` of the dynamic build (`build/scsi-dh-early-dyn`) with the `dh_state` shim
(`tests/lib/dhshim.c`, `FAKE_WRITE_DELAY_MS`: the time a write takes before the kernel's
answer).  The concurrency is what `scsi-dh-early check` says (`write_jobs: N`; 1 where it
says nothing).  The ideal: write time × LUNs ÷ write_jobs + the dry run on the same tree.
One run per case.

| LUNs | write | write_jobs | dry run (s) | apply (s) | ideal (s) | apply ÷ ideal | ms per attach | attached |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|""")
        for row in data[1:]:
            words = " ".join(field(row, i) for i in range(1, 7)).split()
            words += [""] * (5 - min(5, len(words)))
            n, ms, jobs, dry, secs = words[:5]
            att = " ".join(words[5:])
            ideal, ratio = attach_ideal(data, n, ms) or ("", "")
            self.say("| %s | %s ms | %s | %s | %s | %s | %s | %s | %s |" % (
                n, ms, jobs, fixed_shell(dry, 3), fixed_shell(secs, 2), fixed_shell(ideal, 2),
                ratio, fixed_shell(text(div(num(secs) * 1000, num(n))), 1), att))
        self.say("")
        if self.attach_plot(data):
            self.say("![late attach against the ideal](attach.svg)")
            self.say("")
        self.say("Raw figures: [data/attach.tsv](data/attach.tsv).")
        self.say("")

    def attach_plot(self, data):
        if not shutil.which("gnuplot"):
            return False
        pts = self.data + "/attach-plot.dat"
        points = "".join(
            '"%s×%sms" %s %s\n' % (
                integer(num(field(r, 1))), integer(num(field(r, 2))), fixed(num(field(r, 5)), 3),
                fixed(div(num(field(r, 2)) / 1000 * num(field(r, 1)), num(field(r, 3)))
                      + num(field(r, 4)), 3))
            for r in data[1:])
        return self.plot(pts, points, "attach.svg", 420, f"""\
set title "Late attach: apply against the ideal (LUNs × emulated write time)"
set ylabel "seconds"
set logscale y
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set key top left
set grid ytics
plot "{pts}" using 2:xtic(1) title "apply", "" using 3 title "ideal"
""")

    def boot(self):
        data = self.table("boot.tsv")
        facts = self.table("boot-facts.tsv")

        def get(key):
            return "\n".join(field(r, 2) for r in facts if field(r, 1) == key)

        self.say(f"""## At boot: the helper's CPU time over one boot

One boot in QEMU (TCG, no KVM) of the classic image of `tests/boot` with the module
(`conf-default`), {self.boot_luns} LUNs of `scsi_debug` (4 targets, `vpd_use_hostno=0`: TPGS,
so alua) loaded by `rd.driver.pre=`, and the bench-only dracut module
`tests/bench/modules.d/99sde-cputime`: a wrapper in place of `/usr/sbin/scsi-dh-early`
that runs the helper and writes its user and system time (the shell's `times`, clock ticks
of 10 ms) to the report port.  Every run of the helper up to the pre-mount report counts:
the preload, the sweep, and any run of the udev rule; the harness's own `status --json`
for its report is listed but not summed.  Guest time under emulation: a
figure of QEMU's TCG more than of a real CPU, to compare between builds, not with the
sweep's figures.

| runs of the helper | user (s) | system (s) | CPU, summed (s) | ms of CPU per LUN |
|---:|---:|---:|---:|---:|""")
        summed = [r for r in data[1:] if not field(r, 3).startswith("status")]
        u = sum(num(field(r, 1)) for r in summed)
        s = sum(num(field(r, 2)) for r in summed)
        self.say("| %d | %s | %s | %s | %s |" % (len(summed), fixed(u, 2), fixed(s, 2),
                                                 fixed(u + s, 2),
                                                 fixed(div((u + s) * 1000,
                                                           num(self.boot_luns)), 2)))
        self.say("")
        self.say("Each run:")
        self.say("")
        self.say("| user (s) | system (s) | command |")
        self.say("|---:|---:|---|")
        for r in data[1:21]:
            self.say("| %s | %s | `%s` |" % (field(r, 1), field(r, 2), field(r, 3)))
        self.say("")
        self.say("SCSI devices at the report: %s, with alua: %s;" % (get("scsi_devices"),
                                                                    get("with_alua")),
                 "the boot's summary line:",
                 "`%s`; boot %s s, harness exit %s." % (get("kmsg_summary"),
                                                        get("boot_seconds"),
                                                        get("boot_exit")))
        self.say("Raw figures: [data/boot.tsv](data/boot.tsv),"
                 " [data/boot-facts.tsv](data/boot-facts.tsv).")
        self.say("")

    def footprint(self):
        data, files = self.table("footprint.tsv"), self.table("footprint-files.tsv")

        def get(key):
            return "\n".join(field(r, 2) for r in data if field(r, 1) == key)

        size = get("helper_stripped_bytes")
        self.say(f"""## Footprint

The static helper, stripped: **{size} bytes** ({fixed(num(size) / 1024, 1)} KiB; {get("helper_cc")}).

Two initramfs images per init style, built by `scripts/build-initrd.sh` (dracut, the cached
test kernel, `--no-compress --no-early-microcode`), without and with the module
(`--add scsi-dh-early`); the sizes of the regular files of each cpio archive, summed.
The handler modules (`scsi_dh_*.ko`) the module puts in the image are counted apart.

| init | image without | image with | files without | files with | added | of which scsi_dh_*.ko | added, handlers apart |
|---|---:|---:|---:|---:|---:|---:|---:|""")
        for style in ("systemd", "classic"):
            if not get(style + "_files_with_bytes"):
                continue
            ko = int(num(text(sum(num(field(r, 3)) for r in files
                                  if field(r, 1) == style
                                  and re.search(r"/scsi_dh_[a-z_]*\.ko", field(r, 2))))))
            added = int(num(get(style + "_files_with_bytes"))) - int(
                num(get(style + "_files_without_bytes")))
            self.say("| %s | %s | %s | %s | %s | %d | %d | **%d** |" % (
                style, get(style + "_image_without_bytes"), get(style + "_image_with_bytes"),
                get(style + "_files_without_bytes"), get(style + "_files_with_bytes"), added, ko,
                added - ko))
        self.say("")
        self.say("The files the module adds or changes, per image:"
                 " [data/footprint-files.tsv](data/footprint-files.tsv).")
        self.say("")

    def array(self):
        data = self.table("array.tsv")
        self.say("""## ALUA array with standby paths: failed READs at boot

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
""")
        self.say("| LUNs | mode | boots | failed READs | failed cmds | ioerr_cnt |"
                 " I/O error lines | B LUNs hit | settle (s) |")
        self.say("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes_of(data):
            for mode in MODES:
                k = sum(1 for r in data if same(field(r, 1), n) and same(field(r, 2), mode)
                        and field(r, 4) != "failed")
                label = "kernel's best" if mode == "best" else mode
                self.say("| %s | %s | %d | %s | %s | %s | %s+%s | %s | %s |" % (
                    n, label, k, array_cell(data, n, mode, "b_reads_failed"),
                    array_cell(data, n, mode, "b_cmds_failed"),
                    array_cell(data, n, mode, "b_ioerr"),
                    array_cell(data, n, mode, "ioerr_lines"),
                    array_cell(data, n, mode, "suppressed_blk"),
                    array_cell(data, n, mode, "b_touched"), array_settle(data, n, mode)))
        self.say("")
        self.say("The goal: the module's median within 1.1× of the kernel's best.")
        self.say("")
        self.say("| LUNs | with / kernel's best (medians of failed READs) | within 1.1× |")
        self.say("|---:|---|---|")
        for n in sizes_of(data):
            a = array_summary(data, n, "with", "b_reads_failed")[0]
            b = array_summary(data, n, "best", "b_reads_failed")[0]
            if "-" in (a, b):
                ratio = "-"
            elif same(b, "0"):
                ratio = "0/0" if same(a, "0") else "inf"
            else:
                ratio = fixed(div(num(a), num(b)), 2)
            if ratio == "-":
                within = "-"
            elif ratio == "0/0":
                within = "yes (none in either)"
            else:
                within = "no" if ratio == "inf" or greater(ratio, "1.1") else "yes"
            self.say("| %s | %s / %s%s | %s |"
                     % (n, a, b, "" if ratio == "0/0" else " = " + ratio, within))
        self.say("")
        if self.array_plot(data):
            self.say("![failed READs on standby paths](array-reads.svg)")
            self.say("")
            self.say("Failed READs on the standby paths, median and range.")
        self.say("")
        failed = sum(1 for r in data if field(r, 4) == "failed")
        checked = sum(1 for r in data if field(r, 4) == "check-failed")
        self.say("Boots that failed (no figures, left out above): %d." % failed,
                 "Boots with figures but a failed scenario check (counted above):",
                 "%d." % checked)
        self.say("Raw figures, one boot a line: [data/array.tsv](data/array.tsv).")

    def afirst(self):
        data = self.table("afirst.tsv")
        self.say("""## A first, then B: the kernel's best is not the limit

The same array with every A path scanned before any B path (`sde.array.order=a-first`):
when B is scanned its LUN is already known through A, so udev's probes of B start as
soon as sd binds, while alua's first RTPG for B is still pending (`alua_alloc_pg` sets a
new port group active/optimized; the RTPG runs on kaluad about 5 ms later).  Modes:
**without** a handler; **the kernel's best** (`modprobe scsi_dh_alua` right before the
first LUN link); **with** scsi-dh-early; **hold**: the kernel's best, and sd bound to each
B path by hand only once its `access_state` has left active/optimized
(`/sys/bus/scsi/drivers_autoprobe` = 0, then `drivers/sd/bind`; `sde.array.hold=1`,
*longest wait* the most it waited for a path).  Columns as in the section above.
""")
        def cells(mode, n):
            return [array_cell(data, n, mode, "b_reads_failed"),
                    array_cell(data, n, mode, "b_cmds_failed"),
                    array_cell(data, n, mode, "ioerr_lines") + "+"
                    + array_cell(data, n, mode, "suppressed_blk"),
                    array_cell(data, n, mode, "b_touched"),
                    array_cell(data, n, mode, "hold_ms_max") if mode == "hold" else "-",
                    array_settle(data, n, mode)]
        peer_table(self, data, AFIRST_MODES, "afirst",
                   ["failed READs", "failed cmds", "I/O error lines", "B LUNs hit",
                    "longest wait (ms)", "settle (s)"], cells,
                   "A paths first, then B: failed READs on standby paths",
                   "failed READs, A first")

    def mpath(self):
        data = self.table("mpath.tsv")
        self.say("""## dm-multipath beside the array: dracut's multipath module and its peers

The standby array of the first array section, with multipath-tools' multipathd started by
dracut's `multipath` module (Debian 12: multipath-tools 0.9.4, dracut 059; systemd
initramfs; `find_multipaths yes`, the rest its hardware table: group_by_prio,
`hardware_handler "1 alua"`).  Modes, each an image of `tests/boot/scenarios.sh`:
**dracut** (the module as distributions ship it, no-hostonly: the handlers are in the
image, nothing loads them before the scan; dm-multipath attaches alua when it loads a
map); **cmdline** (the same with `/etc/cmdline.d/90multipath.conf` =
`rd.driver.pre=scsi_dh_alua`, what the module's `install()` writes with
`hostonly_cmdline=yes` on a host where scsi_dh_alua is loaded); **pre**
(`rd.driver.pre=scsi_dh_alua` on the kernel's command line); **mload** (scsi_dh_alua in
`/etc/modules-load.d`, loaded by systemd-modules-load); **with** (scsi-dh-early added).

Columns: *failed READs*, *I/O error lines*, *B LUNs hit*, *settle* as above; *maps* = maps
with both paths at the end / LUNs; *first table split* = maps whose first table
(multipathd's `addmap` in its journal) already had two path groups, i.e. the port states
were known to multipathd when it built the map (by the sysfs prioritizer's `access_state`
or by the alua prioritizer's own RTPG); *kernel knew* = maps whose every path got its
first priority from the kernel's `access_state` (multipathd's `sysfs prio` line, verbosity
3) and kept it: the handler was attached and had its port state when multipathd first
looked; *agree* = paths where scsi-dh-early's status table and multipathd agree (with
only); *failing path lines* = dm-multipath's `Failing path` kernel lines; *maps ready* =
first LUN link until every LUN has its map of 2 paths.
""")
        def cells(mode, n):
            return [array_cell(data, n, mode, "b_reads_failed"),
                    array_cell(data, n, mode, "ioerr_lines") + "+"
                    + array_cell(data, n, mode, "suppressed_blk"),
                    array_cell(data, n, mode, "b_touched"),
                    "%s / %s" % (array_cell(data, n, mode, "mpath_maps_2paths"), n),
                    array_cell(data, n, mode, "mpath_first_split"),
                    array_cell(data, n, mode, "mpath_first_known"),
                    array_cell(data, n, mode, "mpath_agree") if mode == "with" else "-",
                    array_cell(data, n, mode, "dm_mpath_fail_lines"),
                    array_settle(data, n, mode), array_settle(data, n, mode, "mpath_ms")]
        peer_table(self, data, MPATH_MODES, "mpath",
                   ["failed READs", "I/O error lines", "B LUNs hit", "maps",
                    "first table split", "kernel knew", "agree", "failing path lines",
                    "settle (s)", "maps ready (s)"], cells,
                   "dm-multipath on the standby array: failed READs on B paths",
                   "failed READs with dm-multipath")
        # the same array at the same sizes without multipathd: the array section's modes
        base = self.table("array.tsv")
        sizes = set(sizes_of(data))
        plain = [r for r in peer_rows(base, ARRAY_PLAIN_MODES) if r[3] in sizes]
        if plain:
            self.say("")
            self.say("The same array and size without multipathd (the first array section):")
            self.say("")
            self.say("| LUNs | mode | boots | failed READs | I/O error lines | B LUNs hit |"
                     " settle (s) |")
            self.say("|---:|---|---:|---:|---:|---:|---:|")
            for mode, label, k, n in plain:
                self.say("| %s | %s | %d | %s | %s+%s | %s | %s |" % (
                    n, label, k, array_cell(base, n, mode, "b_reads_failed"),
                    array_cell(base, n, mode, "ioerr_lines"),
                    array_cell(base, n, mode, "suppressed_blk"),
                    array_cell(base, n, mode, "b_touched"), array_settle(base, n, mode)))
            self.say("")
            self.say("Raw figures: [data/array.tsv](data/array.tsv).")

    def array_plot(self, data):
        """Failed READs (median, range) against the LUN count, one line a mode."""
        if not shutil.which("gnuplot"):
            print("bench: gnuplot not found: no plot", file=sys.stderr)
            return False
        pts = self.data + "/array-plot.dat"
        blocks = []
        for mode in MODES:
            block = "# %s\n" % mode
            for n in sizes_of(data):
                med, lo, hi, k = array_summary(data, n, mode, "b_reads_failed")
                if k != "0":
                    block += "%s %s %s %s\n" % (n, med, lo, hi)
            blocks.append(block + "\n\n")
        return self.plot(pts, "".join(blocks), "array-reads.svg", 420, f"""\
set title "READs failed on standby paths at boot (LIO ALUA array, 2 paths per LUN)"
set xlabel "LUNs"
set ylabel "failed READs (median, range)"
set yrange [0:*]
set offsets 8, 8, 0, 0
set xtics (16, 64, 128)
set key top left
set grid ytics
plot "{pts}" index 0 using 1:2:3:4 with yerrorlines title "without a handler", \\
     "{pts}" index 1 using 1:2:3:4 with yerrorlines title "with scsi-dh-early", \\
     "{pts}" index 2 using 1:2:3:4 with yerrorlines title "kernel's best (modprobe by hand)"
""")


def peer_rows(table, modes):
    """(mode, label, boots, n) for each mode with a boot that has figures."""
    out = []
    for n in sizes_of(table):
        for mode, label in modes:
            k = sum(1 for r in table[1:] if same(field(r, 1), n) and same(field(r, 2), mode)
                    and field(r, 4) != "failed")
            if k:
                out.append((mode, label, k, n))
    return out


def peer_plot(report, table, modes, name, title):
    """Failed READs per mode as boxes (median) with the range."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found: no plot", file=sys.stderr)
        return False
    pts = "%s/%s-plot.dat" % (report.data, name)
    lines, tics = "", []
    for i, (mode, label, _, n) in enumerate(peer_rows(table, modes)):
        med, lo, hi, _ = array_summary(table, n, mode, "b_reads_failed")
        lines += "%d %s %s %s\n" % (i, med, lo, hi)
        tics.append('"%s" %d' % (mode, i))
    if not lines:
        return False
    return report.plot(pts, lines, name + "-reads.svg", 380, f"""\
set title "{title}"
set ylabel "failed READs on B paths (median, range)"
set yrange [0:*]
set xrange [-0.6:{len(tics) - 0.4}]
set xtics ({", ".join(tics)})
set style fill solid 0.5
set grid ytics
unset key
# x:y:ylow:yhigh:xdelta (with four columns the fourth would be the width)
plot "{pts}" using 1:2:3:4:(0.6) with boxerrorbars lc rgb "#4477aa"
""")


def peer_table(report, table, modes, name, heads, cells, title, alt):
    """One row a mode (LUNs, mode, boots, then cells(mode, n)), the plot, the footer."""
    report.say("| LUNs | mode | boots | " + " | ".join(heads) + " |")
    report.say("|---:|---|---:|" + "---:|" * len(heads))
    for mode, label, k, n in peer_rows(table, modes):
        report.say("| %s | %s | %d | %s |" % (n, label, k, " | ".join(cells(mode, n))))
    report.say("")
    if peer_plot(report, table, modes, name, title):
        report.say("![%s](%s-reads.svg)" % (alt, name))
        report.say("")
    peer_footer(report, table, name)


def peer_footer(report, table, name):
    failed = sum(1 for r in table[1:] if field(r, 4) == "failed")
    checked = sum(1 for r in table[1:] if field(r, 4) == "check-failed")
    report.say("Boots that failed (no figures, left out above): %d." % failed,
               "Boots with figures but a failed scenario check (counted above):",
               "%d." % checked)
    report.say("Raw figures, one boot a line: [data/%s.tsv](data/%s.tsv)." % (name, name))


def main():
    ap = argparse.ArgumentParser(prog="analyze.py",
                                 description="The benchmark's figures as report tables.")
    ap.add_argument("--out", default="bench", help="the report's directory, figures in OUT/data")
    ap.add_argument("--boot-luns", default="256", help="LUNs of the boot section's boot")
    ap.add_argument("--sh", default="/bin/sh", help="the shell that ran the reference")
    ap.add_argument("what", choices=("summary", "sections"))
    args = ap.parse_args()
    report = Report(args.out, args.boot_luns, args.sh)
    if args.what == "summary":
        report.summary()
    else:
        report.sections()
    return 0


if __name__ == "__main__":
    sys.exit(main())
