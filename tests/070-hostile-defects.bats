#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Defects found by feeding the helper what a hostile or broken boot could: each
# test here failed before its fix. Every run is bounded by `timeout`.

setup() {
	load helpers
	_common_setup
	LOG=$ROOT/var/log/fake-kernel.log
}

dh() {
	cat "$ROOT/sys/class/scsi_device/$1/device/dh_state"
}

writes() {
	grep -c "^write $1\$\|^write $1 " "$LOG" 2>/dev/null || true
}

# N LUNs 2:0:0:0... that came up without their expected handler (alua)
tpgs_tree() {
	local i args=()
	for ((i = 0; i < $1; i++)); do
		args+=(lun "2:0:$((i / 100)):$((i % 100))" vendor=Linux model=scsi_debug tpgs=1)
	done
	fx kernel "$KVER" kmsg "${args[@]}"
}

# --- the kernel command line: the kill switch wins whatever the length or count

@test "cmdline: a /proc/cmdline of 8 KiB still carries rd.scsi_dh=0" {
	fx kernel "$KVER"
	fx cmdline "$(printf 'x%.0s' $(seq 8192)) rd.scsi_dh=0"
	run -0 timeout 10 "$BIN" --sysroot "$ROOT" check
	assert_line "enabled: no (rd.scsi_dh=0)"
}

@test "cmdline: an /etc/cmdline.d file of 4 KiB and more is read whole" {
	fx kernel "$KVER"
	mkdir -p "$ROOT/etc/cmdline.d"
	{ printf 'y%.0s' $(seq 5000); printf ' rd.scsi_dh=0\n'; } >"$ROOT/etc/cmdline.d/90-long.conf"
	run -0 timeout 10 "$BIN" --sysroot "$ROOT" check
	assert_line "enabled: no (rd.scsi_dh=0)"
}

@test "cmdline: one of our arguments over 4 KiB is an error, not cut; the kill switch still wins" {
	fx kernel "$KVER"
	fx cmdline "rd.scsi_dh.preload=alua,$(printf 'e%.0s' $(seq 5000))"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" check
	[[ "$stderr" == *"kernel command line: argument \"rd.scsi_dh.preload=alua,eee"*"of 5024 bytes is longer than 4095"* ]] ||
		fail "$stderr"
	# an argument of 1100 bytes is read whole (it was cut at 1023)
	fx cmdline "rd.scsi_dh.preload=$(printf 'alua,%.0s' $(seq 220))emc"
	run -0 timeout 10 "$BIN" --sysroot "$ROOT" check
	assert_line "preload: alua emc"
	fx cmdline "rd.scsi_dh.preload=$(printf 'e%.0s' $(seq 5000)) rd.scsi_dh=0"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" preload
	assert_output "disabled by rd.scsi_dh=0"
}

@test "cmdline: more /etc/cmdline.d files than are sorted: an error, and the kill switch in any of them wins" {
	fx kernel "$KVER"
	mkdir -p "$ROOT/etc/cmdline.d"
	for i in $(seq -w 1 300); do
		echo "rd.scsi_dh.detach=1" >"$ROOT/etc/cmdline.d/$i.conf"
	done
	echo "rd.scsi_dh=0" >"$ROOT/etc/cmdline.d/299.conf"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" preload
	assert_output "disabled by rd.scsi_dh=0"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" check
	[[ "$stderr" == *"$ROOT/etc/cmdline.d: more than 256 files"* ]] || fail "$stderr"
	# 40 files are all read, in order (32 were read, in directory order)
	rm -f "$ROOT"/etc/cmdline.d/*
	for i in $(seq -w 1 40); do
		echo "rd.scsi_dh.late_attach=1" >"$ROOT/etc/cmdline.d/$i.conf"
	done
	echo "rd.scsi_dh.late_attach=0" >"$ROOT/etc/cmdline.d/40.conf"
	run -0 timeout 10 "$BIN" --sysroot "$ROOT" check
	assert_line "late_attach: no"
}

# --- the stack

@test "stack: preload = parses with a 64 KiB stack" {
	fx kernel "$KVER"
	printf 'preload = alua emc\n' | conf
	# shellcheck disable=SC2016  # expanded by that bash
	run -0 bash -c 'ulimit -s 64 && exec "$@"' - "$BIN" --sysroot "$ROOT" check
	assert_line "preload: alua emc"
}

# --- names that select what is written

@test "device names: a 52-byte H:C:T:L is not cut to another device's name" {
	long=4294967295:4294967295:4294967295:1844674407370955161
	short=4294967295:4294967295:4294967295:18446744073709
	fx kernel "$KVER" lun "$long" vendor=Linux model=scsi_debug tpgs=1 \
		lun "$short" vendor=QEMU model="QEMU HARDDISK"
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[ "$(dh "$short")" = detached ] || fail "$short written: $(dh "$short")"
	[ "$(writes "$short")" -eq 0 ]
	[ "$(dh "$long")" = alua ]
}

# --- reads that could block

@test "a FIFO as the configuration file: an error naming it, exit 2, at once" {
	fx kernel "$KVER"
	mkfifo "$ROOT/etc/scsi-dh-early.conf"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" check
	[[ "$stderr" == *"$ROOT/etc/scsi-dh-early.conf: cannot read: not a regular file"* ]] ||
		fail "$stderr"
	rm "$ROOT/etc/scsi-dh-early.conf"
	mkfifo "$BATS_TEST_TMPDIR/c.conf"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" --config "$BATS_TEST_TMPDIR/c.conf" check
	[[ "$stderr" == *"c.conf: cannot read: not a regular file"* ]] || fail "$stderr"
}

@test "a FIFO as /proc/cmdline or an /etc/cmdline.d file: an error, the safe reading, at once" {
	fx kernel "$KVER"
	rm -f "$ROOT/proc/cmdline"
	mkfifo "$ROOT/proc/cmdline"
	run -2 --separate-stderr timeout 10 "$BIN" --sysroot "$ROOT" check
	[[ "$stderr" == *"$ROOT/proc/cmdline: cannot read: not a regular file"* ]] || fail "$stderr"
}

@test "a FIFO as a sysfs attribute: the sweep does not hang" {
	tpgs_tree 2
	rm "$ROOT/sys/class/scsi_device/2:0:0:1/device/vendor"
	mkfifo "$ROOT/sys/class/scsi_device/2:0:0:1/device/vendor"
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" status --json
	[ "$status" -ne 124 ] || fail "hung"
	jq -e '.devices | length == 2' <<<"$output"
	rm "$ROOT/sys/class/scsi_device/2:0:0:1/device/vendor" \
		"$ROOT/sys/class/scsi_device/2:0:0:1/device/dh_state"
	mkfifo "$ROOT/sys/class/scsi_device/2:0:0:1/device/dh_state"
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" status --json
	[ "$status" -ne 124 ] || fail "hung"
}

# --- files under run/scsi-dh-early

@test "run/: a symlinked swept marker is not followed, its target untouched" {
	tpgs_tree 1
	mkdir -p "$ROOT/run/scsi-dh-early"
	echo precious >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$ROOT/run/scsi-dh-early/swept"
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = precious ]
	[ "$(dh 2:0:0:0)" = alua ]
}

@test "run/: a symlinked status directory is refused, the boot record not written through it" {
	tpgs_tree 1
	mkdir -p "$ROOT/run" "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$ROOT/run/scsi-dh-early"
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[[ "$stderr" == *"$ROOT/run/scsi-dh-early: not a directory of its own, not writing the boot record"* ]] ||
		fail "$stderr"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/elsewhere")" ]
	[ "$(dh 2:0:0:0)" = alua ]
}

@test "run/: a status directory others may write to is refused" {
	tpgs_tree 1
	mkdir -p "$ROOT/run/scsi-dh-early"
	chmod 0777 "$ROOT/run/scsi-dh-early"
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[[ "$stderr" == *"not a directory of its own"* ]] || fail "$stderr"
	[ ! -e "$ROOT/run/scsi-dh-early/status.json" ]
}

@test "run/: a link where the temporary file goes is neither followed nor truncated (O_EXCL)" {
	tpgs_tree 1
	mkdir -p "$ROOT/run/scsi-dh-early"
	echo precious >"$BATS_TEST_TMPDIR/target"
	# the helper's own pid: bash execs it
	# shellcheck disable=SC2016  # expanded by that bash
	run timeout 20 env LD_PRELOAD="$SHIM" bash -c \
		'ln "$1" "$2/status.json.$$.tmp" && ln -s "$1" "$2/status.txt.$$.tmp" && shift 2 && exec "$@"' \
		- "$BATS_TEST_TMPDIR/target" "$ROOT/run/scsi-dh-early" "$DYN" --sysroot "$ROOT" apply
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = precious ]
	jq -e '.devices | length == 1' "$ROOT/run/scsi-dh-early/status.json"
}

@test "run/: temporary files a killed run left are removed" {
	tpgs_tree 1
	mkdir -p "$ROOT/run/scsi-dh-early"
	# pid 4194304 is above pid_max: no such process
	echo '{"torn' >"$ROOT/run/scsi-dh-early/status.json.4194304.tmp"
	echo 'torn' >"$ROOT/run/scsi-dh-early/status.txt.4194304.tmp"
	run timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	run ls "$ROOT/run/scsi-dh-early"
	assert_output "$(printf 'seen\nstatus.json\nstatus.txt\nsweep.lock\nswept')"
}

# --- standard output

@test "a closed pipe on stdout: the sweep, its summary and the boot record finish" {
	tpgs_tree 300
	rc=$BATS_TEST_TMPDIR/rc
	(timeout 60 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" --kmsg apply && echo 0 >"$rc" ||
		echo $? >"$rc") | true
	# exit 1: the write error on stdout, said on stderr
	[ "$(cat "$rc")" -eq 1 ]
	run grep -c '^<6>scsi-dh-early: 300 LUNs: 300 ok; attached 300,' "$ROOT/dev/kmsg"
	assert_output 1
	jq -e '.devices | length == 300' "$ROOT/run/scsi-dh-early/status.json"
	[ "$(dh 2:0:2:99)" = alua ]
}

@test "a closed stdout: nothing the helper opens takes its place" {
	tpgs_tree 3
	# shellcheck disable=SC2016  # expanded by that bash
	run timeout 20 env LD_PRELOAD="$SHIM" bash -c 'exec >&- && exec "$@"' - \
		"$DYN" --sysroot "$ROOT" --kmsg apply
	jq -e '.devices | length == 3' "$ROOT/run/scsi-dh-early/status.json"
	run grep -c 'attach alua' "$ROOT/dev/kmsg"
	assert_output 0
	run grep -c '^<6>scsi-dh-early: 3 LUNs: 3 ok; attached 3, detached 0, refused 0, failed 0$' "$ROOT/dev/kmsg"
	assert_output 1
}

# --- modprobe

modprobe_setup() {
	fx kernel "$KVER" kmsg loaded scsi_mod
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log
	export FAKE_SYSROOT=$ROOT
	: >"$FAKE_MODPROBE_LOG"
}

@test "modprobe: a relative PATH entry is not searched" {
	modprobe_setup
	mkdir -p "$BATS_TEST_TMPDIR/cwd"
	printf '#!/bin/sh\ntouch %s/ran\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/cwd/modprobe"
	chmod +x "$BATS_TEST_TMPDIR/cwd/modprobe"
	cd "$BATS_TEST_TMPDIR/cwd"
	run -1 env PATH=.:bin:/nonexistent "$BIN" --sysroot "$ROOT" preload
	assert_output --partial "(no modprobe found)"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "modprobe: the fallbacks are taken under --sysroot" {
	modprobe_setup
	mkdir -p "$ROOT/sbin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$ROOT/sbin/modprobe"
	run -0 env PATH=/nonexistent "$BIN" --sysroot "$ROOT" preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	run cat "$FAKE_MODPROBE_LOG"
	assert_output "modprobe -a -b -- scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
}

@test "modprobe: runs with a minimal environment" {
	modprobe_setup
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	run -0 env PATH="$BATS_TEST_TMPDIR/bin:$PATH" MODPROBE_OPTIONS=--dry-run LD_LIBRARY_PATH=/x \
		"$BIN" --sysroot "$ROOT" preload
	run cat "$FAKE_MODPROBE_LOG.env"
	assert_output "$(printf 'LANG=C\nPATH=/usr/sbin:/usr/bin:/sbin:/bin')"
}

# --- concurrent runs

@test "concurrent runs on one LUN: one writes, one counts it" {
	tpgs_tree 1
	export FAKE_WRITE_DELAY_MS=200
	pids=()
	for i in $(seq 8); do
		LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" --kmsg apply 2:0:0:0 >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	[ "$(dh 2:0:0:0)" = alua ]
	[ "$(writes 2:0:0:0)" -eq 1 ]
	run grep -c 'attached 1,' "$ROOT/dev/kmsg"
	assert_output 1
	# the 7 others changed nothing and found nothing wrong: no line of theirs
	run grep -c 'scsi-dh-early' "$ROOT/dev/kmsg"
	assert_output 1
}

# --- undefined behaviour

@test "no devices at all: no qsort on a null array (UBSan build)" {
	[ -x "$TOP/build/scsi-dh-early-san" ] || skip "build/scsi-dh-early-san not built (make san)"
	fx kernel "$KVER"
	mkdir -p "$ROOT/sys/class/scsi_device"
	run -0 env UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=0 \
		"$TOP/build/scsi-dh-early-san" --sysroot "$ROOT" status
	assert_line "0 LUNs; attached 0, detached 0, refused 0, failed 0"
}
