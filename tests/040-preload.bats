#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# preload: the handlers go in with one modprobe call, bounded in time.

setup() {
	load helpers
	_common_setup
	fx kernel "$KVER" kmsg loaded scsi_mod
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/modprobe"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log
	export FAKE_SYSROOT=$ROOT
	: >"$FAKE_MODPROBE_LOG"
}

kmsg_lines() {
	grep -c 'scsi-dh-early: ' "$ROOT/dev/kmsg" || true
}

@test "one modprobe call loads every handler, blacklists honoured (-b)" {
	run -0 sde preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	run cat "$FAKE_MODPROBE_LOG"
	assert_output "modprobe -a -b -- scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
	for m in alua emc rdac hp_sw; do
		[ -f "$ROOT/sys/module/scsi_dh_$m/initstate" ]
	done
}

@test "built-in and already loaded handlers are not asked for" {
	fx builtin scsi_dh_emc loaded scsi_dh_rdac
	run -0 sde preload
	assert_output "preload: alua loaded, emc builtin, rdac already, hp_sw loaded"
	run cat "$FAKE_MODPROBE_LOG"
	assert_output "modprobe -a -b -- scsi_dh_alua scsi_dh_hp_sw"
	fx loaded scsi_dh_alua scsi_dh_hp_sw
	: >"$FAKE_MODPROBE_LOG"
	run -0 sde preload
	assert_output "preload: alua already, emc builtin, rdac already, hp_sw already"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
}

@test "a failing modprobe: failed, exit 1; partial failures name the handler" {
	FAKE_MODPROBE_MODE=fail run -1 --separate-stderr sde preload
	assert_output "preload: alua failed, emc failed, rdac failed, hp_sw failed"
	[[ "$stderr" == *"Module scsi_dh_alua not found"* ]]
	FAKE_MODPROBE_MODE=partial FAKE_MODPROBE_FAIL=scsi_dh_rdac run -1 --separate-stderr sde preload
	assert_output "preload: alua loaded, emc loaded, rdac failed, hp_sw loaded"
}

@test "a hanging modprobe is killed after modprobe_timeout and reported" {
	printf 'modprobe_timeout = 1\n' | conf
	FAKE_MODPROBE_MODE=hang run -1 sde preload
	assert_output --partial "alua timeout, emc timeout, rdac timeout, hp_sw timeout"
	# the bound the boot relies on: each modprobe killed at modprobe_timeout
	assert_output --partial "killed after 1000 ms"
	grep -q '^<4>scsi-dh-early: preload: .*timeout' "$ROOT/dev/kmsg"
}

@test "an admin's blacklist is respected, not a failure" {
	mkdir -p "$ROOT/etc/modprobe.d"
	echo "blacklist scsi_dh_emc" >"$ROOT/etc/modprobe.d/local.conf"
	FAKE_MODPROBE_MODE=partial FAKE_MODPROBE_FAIL=scsi_dh_emc run -0 --separate-stderr sde preload
	assert_output "preload: alua loaded, emc blacklisted, rdac loaded, hp_sw loaded"
}

@test "scsi_mod a module not loaded yet, softdep in place: left to the softdep" {
	rm -rf "$ROOT/sys/module/scsi_mod"
	mkdir -p "$ROOT/etc/modprobe.d"
	echo "softdep scsi_mod post: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw" \
		>"$ROOT/etc/modprobe.d/scsi-dh-early.conf"
	run -0 sde preload
	assert_output --partial "preload: alua deferred, emc deferred, rdac deferred, hp_sw deferred"
	assert_output --partial "the softdep loads them with it"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
}

@test "no softdep, or busybox's modprobe (no softdeps): they are loaded now" {
	rm -rf "$ROOT/sys/module/scsi_mod"
	run -0 sde preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"

	mkdir -p "$ROOT/etc/modprobe.d"
	echo "softdep scsi_mod post: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw" \
		>"$ROOT/etc/modprobe.d/scsi-dh-early.conf"
	rm -rf "$ROOT"/sys/module/scsi_dh_*
	rm "$BATS_TEST_TMPDIR/bin/modprobe"
	# the helper knows busybox by the name the modprobe link resolves to
	cp "$TOP/tests/lib/fake-modprobe" "$BATS_TEST_TMPDIR/bin/busybox"
	ln -s busybox "$BATS_TEST_TMPDIR/bin/modprobe"
	: >"$FAKE_MODPROBE_LOG"
	run -0 sde preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	run cat "$FAKE_MODPROBE_LOG"
	assert_output "modprobe -a -- scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw"
}

@test "scsi_mod built in: loaded now whatever the softdep says" {
	fx builtin scsi_mod
	mkdir -p "$ROOT/etc/modprobe.d"
	echo "softdep scsi_mod post: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw" \
		>"$ROOT/etc/modprobe.d/scsi-dh-early.conf"
	run -0 sde preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
}

@test "kernel log: exactly one summary line per run; none with --no-kmsg" {
	run -0 sde preload
	[ "$(kmsg_lines)" -eq 1 ]
	grep -qx '<6>scsi-dh-early: preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded' \
		"$ROOT/dev/kmsg"
	run -0 sde preload
	[ "$(kmsg_lines)" -eq 2 ]
	run -0 sde --no-kmsg preload
	[ "$(kmsg_lines)" -eq 2 ]
}

@test "rd.scsi_dh=0: nothing loaded, and it says so" {
	fx cmdline "rd.scsi_dh=0"
	run -0 sde preload
	assert_output "disabled by rd.scsi_dh=0"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
	grep -qx '<6>scsi-dh-early: disabled by rd.scsi_dh=0' "$ROOT/dev/kmsg"
}

@test "rd.scsi_dh.preload= chooses the handlers; empty means none" {
	fx cmdline "rd.scsi_dh.preload=alua,scsi_dh_rdac"
	run -0 sde preload
	assert_output "preload: alua loaded, rdac loaded"
	fx cmdline "rd.scsi_dh.preload="
	: >"$FAKE_MODPROBE_LOG"
	run -0 sde preload
	assert_output "preload: nothing to load"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
}

@test "a broken configuration: the defaults are preloaded, the error logged, exit 2" {
	printf 'preload = alua\nbogus = 1\n' | conf
	run -2 --separate-stderr sde preload
	assert_output "preload: alua loaded, emc loaded, rdac loaded, hp_sw loaded"
	[[ "$stderr" == *"$ROOT/etc/scsi-dh-early.conf:2: unknown key \"bogus\""* ]]
	run grep -F "<3>scsi-dh-early: $ROOT/etc/scsi-dh-early.conf:2: unknown key \"bogus\"" \
		"$ROOT/dev/kmsg"
	assert_output --regexp '; preloading the default handlers$'
}

@test "--dry-run loads nothing and changes no file" {
	before=$(tree_sum)
	run -0 sde preload --dry-run
	assert_output "preload: alua planned, emc planned, rdac planned, hp_sw planned"
	[ ! -s "$FAKE_MODPROBE_LOG" ]
	[ "$(tree_sum)" = "$before" ]
}
