#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input, each with its exact outcome: no crash, a clear message, the
# documented exit status (2 for bad input, nothing changed), no partial file.
# `timeout` only guards against a hang; no test here measures speed.

setup() {
	load helpers
	_common_setup
	CONF=$ROOT/etc/scsi-dh-early.conf
	LOG=$ROOT/var/log/fake-kernel.log
}

dh() {
	cat "$ROOT/sys/class/scsi_device/$1/device/dh_state"
}

# check must fail with exit 2 and MESSAGE on stderr, nothing on stdout
check_fails() {
	run -2 --separate-stderr timeout 20 "$BIN" --sysroot "$ROOT" check
	[[ "$stderr" == *"$1"* ]] || fail "want '$1', got: ${stderr:0:400}"
	assert_equal "$output" ""
}

# --- configuration

@test "config: a 1 MiB line is a file too large; a 20 KiB line is a line too long" {
	fx kernel "$KVER"
	head -c 1048576 /dev/zero | tr '\0' 'a' >"$CONF"
	check_fails "$CONF: cannot read: file too large"
	{ printf 'vendor = '; head -c 20480 /dev/zero | tr '\0' 'a'; printf '\ndetach = maybe\n'; } >"$CONF"
	check_fails "$CONF:1: line too long"
	[[ "$stderr" == *"$CONF:2: detach: \"maybe\" is not a boolean"* ]]
}

@test "config: NUL bytes are binary data, refused whole" {
	fx kernel "$KVER"
	printf 'preload = alua\0emc\n' >"$CONF"
	check_fails "$CONF: binary data in a configuration file"
}

@test "config: invalid UTF-8 is named in the error; JSON stays valid" {
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1
	printf '\xff\xfe = 1\n' >"$CONF"
	check_fails "$CONF:1: unknown key \"$(printf '\xff\xfe')\""
	run -2 --separate-stderr "$BIN" --sysroot "$ROOT" status --json
	jq -e '.policy.fallback == true and (.policy.errors[0] | endswith("unknown key \"\ufffd\ufffd\" (preload, late_attach, detach, modprobe_timeout, write_jobs, metrics_textfile_dir)"))' <<<"$output"
	# the error's exact bytes, for a reader that wants them
	jq -e '.policy.errors_hex[0] | contains("756e6b6e6f776e206b65792022fffe22")' <<<"$output"
}

@test "config: 10,000 owner sections: the first 64 kept, 16 errors shown and the rest counted" {
	fx kernel "$KVER"
	for i in $(seq 10000); do
		printf '[owner o%d]\nhost = %d\n' "$i" "$i"
	done >"$CONF"
	check_fails "$CONF:129: too many [owner] sections (at most 64)"
	[[ "$stderr" == *"scsi-dh-early: 9920 more errors"* ]] || fail "${stderr: -200}"
	[ "$(grep -c 'too many \[owner\] sections' <<<"$stderr")" -eq 16 ]
}

@test "config: a 4 KiB glob is refused, not cut" {
	fx kernel "$KVER"
	printf '[owner a]\nvendor = %s\n' "$(head -c 4096 /dev/zero | tr '\0' '*')" >"$CONF"
	check_fails "$CONF:2: vendor: value too long: \"****************************************...\""
}

@test "config: a directory, a FIFO, a symlink loop, an unreadable conf.d" {
	fx kernel "$KVER"
	mkdir -p "$CONF"
	check_fails "$CONF: cannot read: not a regular file"
	rmdir "$CONF"
	mkfifo "$CONF"
	check_fails "$CONF: cannot read: not a regular file"
	rm "$CONF"
	ln -s loop-b "$ROOT/etc/loop-a"
	ln -s loop-a "$ROOT/etc/loop-b"
	ln -s loop-a "$CONF"
	# ELOOP: glibc and musl word it differently
	check_fails "$CONF: cannot read: "
	[[ "$stderr" =~ cannot\ read:\ (Too many levels of symbolic links|Symbolic link loop) ]]
	rm "$CONF"
	ln -s loop-a "$ROOT/etc/scsi-dh-early.conf.d"
	check_fails "$ROOT/etc/scsi-dh-early.conf.d: cannot read: "
	[[ "$stderr" =~ cannot\ read:\ (Too many levels of symbolic links|Symbolic link loop) ]]
}

@test "config at boot: whatever is wrong, the defaults are preloaded and nothing else changes" {
	fx kernel "$KVER" kmsg lun 2:0:0:0 vendor=HP model=HSV100
	printf 'preload = alua\0\n' >"$CONF"
	run -2 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" --kmsg apply
	[ "$(dh 2:0:0:0)" = detached ]
	[ ! -e "$LOG" ]
	grep -q '^<3>scsi-dh-early: .*binary data in a configuration file; changing nothing$' "$ROOT/dev/kmsg"
	jq -e '.policy.fallback == true' "$ROOT/run/scsi-dh-early/status.json"
}

# --- the kernel command line

@test "cmdline: 10,000 repeats: read whole, the last one wins" {
	fx kernel "$KVER"
	for i in $(seq 5000); do
		printf 'rd.scsi_dh=0 rd.scsi_dh.preload=alua,emc '
	done >"$ROOT/proc/cmdline"
	echo "rd.scsi_dh=1" >>"$ROOT/proc/cmdline"
	run -0 timeout 20 "$BIN" --sysroot "$ROOT" check
	assert_line "enabled: yes"
	assert_line "preload: alua emc"
}

@test "cmdline: shell metacharacters, slashes, .. and % in names reach neither modprobe nor sysfs" {
	fx kernel "$KVER" loaded scsi_mod
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$ROOT
	# shellcheck disable=SC2016  # kept literal on purpose
	for bad in '$(touch${IFS}/tmp/pwned)' '`id`;reboot' 'alua/../../x' '..' '%s%n%s%n' 'a|b&c'; do
		fx cmdline "rd.scsi_dh.preload=$bad"
		rm -rf "$ROOT"/sys/module/scsi_dh_*
		run -2 --separate-stderr env PATH="$BATS_TEST_TMPDIR/bin:$PATH" \
			timeout 20 "$BIN" --sysroot "$ROOT" preload
		[[ "$stderr" == *"kernel command line: preload: invalid handler name \"$bad\""* ]] ||
			fail "$bad: $stderr"
		# the error falls back to the default handlers, never the bad name
		assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	done
	run grep -c -e pwned -e '\.\.' -e '%' -e '`' "$FAKE_MODPROBE_LOG"
	assert_output 0
	[ ! -e /tmp/pwned ]
}

# --- sysfs attributes

@test "sysfs: empty, 1 MiB, missing, a directory, a FIFO: each device read or refused whole" {
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1 \
		lun 1:0:0:1 vendor=Linux model=scsi_debug tpgs=1 \
		lun 1:0:0:2 vendor=Linux model=scsi_debug tpgs=1 \
		lun 1:0:0:3 vendor=Linux model=scsi_debug tpgs=1 \
		lun 1:0:0:4 vendor=Linux model=scsi_debug tpgs=1
	d=$ROOT/sys/class/scsi_device
	: >"$d/1:0:0:0/device/vendor"
	head -c 1048576 /dev/zero | tr '\0' 'v' >"$d/1:0:0:1/device/model"
	rm "$d/1:0:0:2/device/vendor" "$d/1:0:0:2/device/model"
	rm "$d/1:0:0:3/device/model" && mkdir "$d/1:0:0:3/device/model"
	rm "$d/1:0:0:4/device/wwid" 2>/dev/null || true
	mkfifo "$d/1:0:0:4/device/wwid"
	run -0 --separate-stderr timeout 20 "$BIN" --sysroot "$ROOT" status --json
	[[ "$stderr" == *"1:0:0:1: an attribute longer than it can be, not looked at"* ]] || fail "$stderr"
	jq -e '[.devices[].hctl] == ["1:0:0:0","1:0:0:2","1:0:0:3","1:0:0:4"]' <<<"$output"
	jq -e '[.devices[].vendor] == ["","","Linux","Linux"] and [.devices[].model] == ["scsi_debug","","","scsi_debug"]' <<<"$output"
	# apply the refused one by name: said, nothing written
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply 1:0:0:1
	[[ "$stderr" == *"1:0:0:1: an attribute longer than it can be, ignoring"* ]] || fail "$stderr"
	[ "$(dh 1:0:0:1)" = detached ]
}

@test "sysfs: a symlink loop for a device is a device that is not there" {
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1 \
		lun 1:0:0:1 vendor=Linux model=scsi_debug tpgs=1
	d=$ROOT/sys/class/scsi_device/1:0:0:1
	rm "$d/device"
	ln -s device2 "$d/device" && ln -s device "$d/device2"
	run -0 timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	assert_line "1 LUN: 1 ok; attached 1, detached 0, refused 0, failed 0"
}

@test "sysfs: devices vanishing during a sweep: vanished or done, never failed" {
	args=()
	for i in $(seq 0 39); do
		args+=(lun "3:0:0:$i" vendor=Linux model=scsi_debug tpgs=1)
	done
	fx kernel "$KVER" kmsg "${args[@]}"
	export FAKE_WRITE_DELAY_MS=20
	LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" --kmsg apply --json >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	sleep 0.3
	for i in $(seq 1 2 39); do
		fx remove "3:0:0:$i"
	done
	wait "$pid"
	jq -e '[.actions[].result] | all(. == "done" or . == "vanished")' "$BATS_TEST_TMPDIR/out"
	done_n=$(jq '[.actions[] | select(.result == "done")] | length' "$BATS_TEST_TMPDIR/out")
	grep -q "; attached $done_n, detached 0, refused 0, failed 0" "$ROOT/dev/kmsg"
	for i in $(seq 0 2 38); do
		[ "$(dh "3:0:0:$i")" = alua ]
	done
	jq -e '.devices | length >= 20' "$ROOT/run/scsi-dh-early/status.json"
}

# --- the kernel log and run/

@test "kmsg missing or a FIFO without a reader: said once, the work done" {
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1
	rm -f "$ROOT/dev/kmsg"
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" --kmsg apply
	[[ "$stderr" == *"cannot open /dev/kmsg, ignoring"* ]]
	mkdir -p "$ROOT/dev" && mkfifo "$ROOT/dev/kmsg"
	fx remove 1:0:0:0
	fx lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" --kmsg apply
	[[ "$stderr" == *"cannot open /dev/kmsg, ignoring"* ]]
	[ "$(dh 1:0:0:0)" = alua ]
}

@test "run/ not writable: the work done, the boot record said to be missing" {
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1
	rm -rf "$ROOT/run"
	echo 'not a directory' >"$ROOT/run"
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" "$DYN" --sysroot "$ROOT" apply
	[[ "$stderr" == *"$ROOT/run/scsi-dh-early: Not a directory, not writing the boot record"* ]] ||
		fail "$stderr"
	assert_output --partial "attached 1,"
	[ "$(cat "$ROOT/run")" = 'not a directory' ]
}

@test "run/ a read-only mount: the work done, the boot record said to be missing" {
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	fx kernel "$KVER" lun 1:0:0:0 vendor=Linux model=scsi_debug tpgs=1
	mkdir -p "$ROOT/run"
	# shellcheck disable=SC2016  # expanded by that sh
	run -0 --separate-stderr timeout 20 env LD_PRELOAD="$SHIM" unshare -m sh -c \
		'mount --bind "$1/run" "$1/run" && mount -o remount,bind,ro "$1/run" && shift &&
		exec "$@"' - "$ROOT" "$DYN" --sysroot "$ROOT" apply
	[[ "$stderr" == *"$ROOT/run/scsi-dh-early: Read-only file system, not writing the boot record"* ]] ||
		fail "$stderr"
	assert_output --partial "attached 1,"
	[ -z "$(ls -A "$ROOT/run")" ]
	[ "$(dh 1:0:0:0)" = alua ]
}

# --- modprobe

modprobe_tree() {
	fx kernel "$KVER" kmsg loaded scsi_mod
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$ROOT
}

@test "modprobe missing: said, exit 1" {
	fx kernel "$KVER" loaded scsi_mod
	run -1 timeout 20 env PATH=/nonexistent "$BIN" --sysroot "$ROOT" preload
	assert_output "preload: alua failed, emc failed, rdac failed, hp_sw failed (no modprobe found)"
}

@test "modprobe printing megabytes: its first lines passed on, the rest counted, ours intact" {
	modprobe_tree
	export FAKE_MODPROBE_MODE=noisy
	run -0 --separate-stderr timeout 20 "$BIN" --sysroot "$ROOT" preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	[[ "$stderr" == *"(modprobe said 8386561 bytes more)"* ]] || fail "${stderr: -300}"
	[ "${#stderr}" -lt 4096 ]
}

@test "modprobe leaving a child behind: it holds neither our stdout nor our stderr" {
	modprobe_tree
	export FAKE_MODPROBE_MODE=escape
	timeout 20 "$BIN" --sysroot "$ROOT" preload >"$BATS_TEST_TMPDIR/out" 2>&1
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	pid=$(cat "$FAKE_MODPROBE_LOG.escaped")
	out=$(readlink "/proc/$pid/fd/1")
	err=$(readlink "/proc/$pid/fd/2")
	kill "$pid"
	# a caller reading the helper's output to its end would wait for that child
	[ "$out" = /dev/null ] || fail "its stdout: $out"
	[[ "$err" == pipe:* ]] || fail "its stderr: $err"
}

@test "modprobe failing or hanging: the documented result, within modprobe_timeout" {
	modprobe_tree
	printf 'modprobe_timeout = 0.5\n' >"$CONF"
	FAKE_MODPROBE_MODE=fail run -1 --separate-stderr timeout 20 "$BIN" --sysroot "$ROOT" preload
	assert_output "preload: alua failed, emc failed, rdac failed, hp_sw failed"
	[[ "$stderr" == *"modprobe: FATAL: Module scsi_dh_alua not found in directory"* ]]
	FAKE_MODPROBE_MODE=hang run -1 timeout 20 "$BIN" --sysroot "$ROOT" preload
	assert_output --partial "preload: alua timeout, emc timeout, rdac timeout, hp_sw timeout"
	assert_output --partial "killed after 500 ms"
}
