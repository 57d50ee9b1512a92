#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale: what the helper costs per LUN and per host on a tree of many LUNs over
# many hosts, counted (system calls, files opened, bytes), never timed.

N=1024
HOSTS=33

setup_file() {
	local i h t l args=()
	export SCALE_ROOT=$BATS_FILE_TMPDIR/root
	for ((h = 0; h < HOSTS; h++)); do
		args+=(host "$h" qla2xxx)
	done
	# a mix: TPGS LUNs with and without alua, CLARiiON LUNs, disks of no array
	for ((i = 0; i < N; i++)); do
		h=$((i % HOSTS)) t=$((i / HOSTS / 256)) l=$((i / HOSTS % 256))
		case $((i % 6)) in
		0 | 1 | 2) args+=(lun "$h:0:$t:$l" vendor=NETAPP model=LUN tpgs=1 dh=alua
			access=active/optimized "wwid=naa.6006016$(printf %09x "$i")") ;;
		3) args+=(lun "$h:0:$t:$l" vendor=DGC model="RAID 5" dh=emc) ;;
		4) args+=(lun "$h:0:$t:$l" vendor=QEMU) ;;
		5) args+=(lun "$h:0:$t:$l" vendor=NETAPP model=LUN tpgs=1) ;;
		esac
	done
	"$BATS_TEST_DIRNAME/lib/mkfixture" "$SCALE_ROOT" kernel 6.1.0-28-amd64 "${args[@]}"
}

setup() {
	load helpers
	_common_setup
	ROOT=$SCALE_ROOT
	command -v strace >/dev/null || skip "strace not installed (scripts/deps.sh)"
}

# system calls of one run of the static helper: the calls column of "strace -c"'s total
calls() {
	strace -f -c -o "$BATS_TEST_TMPDIR/calls" "$BIN" --sysroot "$ROOT" "$@" >/dev/null
	awk '$NF == "total" { print $4 }' "$BATS_TEST_TMPDIR/calls"
}

# the files one run opens, one path a line
opened() {
	strace -f -e trace=open,openat -o "$BATS_TEST_TMPDIR/opens" "$BIN" --sysroot "$ROOT" "$@" \
		>/dev/null 2>&1 || :
	sed -n 's/.*open[at]*(\(AT_FDCWD, \|[0-9]*, \)\{0,1\}"\([^"]*\)".*/\2/p' "$BATS_TEST_TMPDIR/opens"
}

@test "proc_name is read once per host, whatever order the LUNs come in" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	run -0 sh -c "ls -U '$ROOT/sys/class/scsi_device' | head -3"
	# directory order is not host order: LUNs of different hosts follow each other
	[ "${lines[0]%%:*}" != "${lines[1]%%:*}" ] || [ "${lines[1]%%:*}" != "${lines[2]%%:*}" ]
	opened status >"$BATS_TEST_TMPDIR/list"
	run grep -c '/proc_name$' "$BATS_TEST_TMPDIR/list"
	assert_output "$HOSTS"
	run sh -c "grep '/proc_name\$' '$BATS_TEST_TMPDIR/list' | sort | uniq -d"
	assert_output ""
}

@test "apply --dry-run: at most 22 system calls per LUN" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	local c
	c=$(calls apply --dry-run)
	echo "# apply --dry-run: $c calls for $N LUNs" >&3
	[ "$c" -gt "$N" ] || fail "implausibly few calls: $c"
	[ "$c" -le $((22 * N)) ] || fail "$c calls for $N LUNs: more than 22 a LUN"
}

# status --json shows every attribute there is: vendor, model, dh_state,
# access_state, wwid, inquiry, vpd_pg83, block/, ioerr_cnt and type, 10 files
# at openat, read and close each, and the directory: 32 for an alua LUN that has
# them all, 25 to 28 for the others of this mix (29.3 on average).
@test "status --json: at most 30 system calls per LUN on this mix" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	local c
	c=$(calls status --json)
	echo "# status --json: $c calls for $N LUNs" >&3
	[ "$c" -le $((30 * N)) ] || fail "$c calls for $N LUNs: more than 30 a LUN"
}

@test "apply --dry-run reads no attribute it neither shows nor decides with" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	opened apply --dry-run >"$BATS_TEST_TMPDIR/list"
	run grep -cE '(^|/)(rev|wwid|access_state|block)$' "$BATS_TEST_TMPDIR/list"
	assert_output 0
	# the record of a real sweep shows them: status --json reads them
	opened status --json >"$BATS_TEST_TMPDIR/list"
	run grep -cE '(^|/)wwid$' "$BATS_TEST_TMPDIR/list"
	[ "$output" -gt 0 ]
	# an owner rule that matches on wwid makes the dry run read it
	printf '[owner pp]\nwwid = naa.6006016*\n' | conf
	opened apply --dry-run >"$BATS_TEST_TMPDIR/list"
	rm -f "$ROOT/etc/scsi-dh-early.conf"
	run grep -cE '(^|/)wwid$' "$BATS_TEST_TMPDIR/list"
	[ "$output" -gt 0 ]
}

@test "access_state is not read on a detached LUN (the kernel hides it or says EINVAL)" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	opened status --json >"$BATS_TEST_TMPDIR/list"
	run grep -cE '(^|/)access_state$' "$BATS_TEST_TMPDIR/list"
	# the alua LUNs (3 of 6) and the emc ones (1 of 6) have a handler
	local with=0 i
	for ((i = 0; i < N; i++)); do
		case $((i % 6)) in 0 | 1 | 2 | 3) with=$((with + 1)) ;; esac
	done
	assert_output "$with"
}

@test "1024 LUNs named on the command line, each twice: the sweep's decisions, once each" {
	local args=() d
	for d in "$ROOT"/sys/class/scsi_device/*; do
		args+=("${d##*/}")
	done
	args+=("${args[@]}")
	run -0 --separate-stderr sde apply --dry-run --json "${args[@]}"
	jq -e ".actions | length == $N" <<<"$output"
	jq -c '[.actions[] | [.hctl, .action, .handler, .reason]] | sort' <<<"$output" \
		>"$BATS_TEST_TMPDIR/named"
	run -0 --separate-stderr sde apply --dry-run --json
	jq -c '[.actions[] | [.hctl, .action, .handler, .reason]] | sort' <<<"$output" \
		>"$BATS_TEST_TMPDIR/swept"
	cmp "$BATS_TEST_TMPDIR/named" "$BATS_TEST_TMPDIR/swept"
	run jq 'map(select(.[1] == "attach")) | length' "$BATS_TEST_TMPDIR/swept"
	[ "$output" -gt 0 ]
}

# The budget grows only with what the helper must do: the sweep lock, the
# detach record and the kernels without handlers took it from 124 KiB to 132,
# the metrics (the Prometheus text format, the textfile, ioerr_cnt) to 136.
@test "the stripped static helper: at most 136 KiB (161,360 bytes before)" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	local s
	cp "$BIN" "$BATS_TEST_TMPDIR/h"
	strip "$BATS_TEST_TMPDIR/h"
	s=$(stat -c %s "$BATS_TEST_TMPDIR/h")
	echo "# stripped: $s bytes" >&3
	[ "$s" -le $((136 * 1024)) ] || fail "$s bytes stripped"
}

@test "stdout goes out in large writes" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	local bytes writes
	strace -f -e trace=write,writev -o "$BATS_TEST_TMPDIR/w" "$BIN" --sysroot "$ROOT" \
		status --json >"$BATS_TEST_TMPDIR/out"
	bytes=$(stat -c %s "$BATS_TEST_TMPDIR/out")
	writes=$(grep -cE '^[0-9]+ +write(v)?\(1,' "$BATS_TEST_TMPDIR/w")
	echo "# status --json: $bytes bytes in $writes writes" >&3
	[ "$bytes" -gt $((64 * 1024)) ]
	[ "$writes" -le $((bytes / (16 * 1024) + 1)) ] || fail "$writes writes for $bytes bytes"
}

# a root of its own: a kernel whose modules.symbols says nothing of scsi_dh and
# whose kallsyms would answer, so that a read of it shows
kallsyms_root() {
	ROOT=$BATS_TEST_TMPDIR/k
	mkdir -p "$ROOT"
	fx kernel 6.1.0-28-amd64 can_detach=unknown lun 0:0:0:1 tpgs=1 "$@"
	printf 'ffffffff81000000 T _stext\nffffffffc0000100 T scsi_dh_attach\t[scsi_mod]\n' \
		>"$ROOT/proc/kallsyms"
}

@test "kallsyms: read by status only when nothing shorter says, never by commands without use for it" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	kallsyms_root
	# the last resort: modular scsi_mod, modules.symbols silent, no System.map
	opened status >"$BATS_TEST_TMPDIR/list"
	run grep -c '/proc/kallsyms$' "$BATS_TEST_TMPDIR/list"
	assert_output 1
	local c
	for c in "preload --dry-run" softdeps modules resolve "status --boot"; do
		# shellcheck disable=SC2086  # the command and its option, split
		opened $c >"$BATS_TEST_TMPDIR/list"
		run grep -c kallsyms "$BATS_TEST_TMPDIR/list"
		[ "$output" = 0 ] || fail "$c opened /proc/kallsyms"
	done
}

@test "kallsyms: scsi_mod built in, no scsi_dh module (4.3 on): not read, detach refused" {
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	kallsyms_root builtin scsi_mod
	local c
	for c in status "status --json" check "apply --dry-run"; do
		# shellcheck disable=SC2086  # the command and its option, split
		opened $c >"$BATS_TEST_TMPDIR/list"
		run grep -c kallsyms "$BATS_TEST_TMPDIR/list"
		[ "$output" = 0 ] || fail "$c opened /proc/kallsyms"
	done
	run -0 sde status --json
	jq -e '.kernel.can_detach == false' <<<"$output"
}
