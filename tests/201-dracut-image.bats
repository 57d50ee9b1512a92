#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The dracut module in real images: Debian's kernel (scripts/fetch-kernel.sh),
# the system's dracut run by scripts/build-initrd.sh, the module enabled by the
# drop-in dracut.conf.d/50-scsi-dh-early.conf alone, one systemd and one
# classic (shell init) image with dracut's default module set, built once in
# setup_file and inspected with lsinitrd.

setup_file() {
	load helpers
	_image_setup_file

	# A configuration with two owner rules: one whose driver this kernel has
	# (qla2xxx), one whose driver it lacks (emcp, PowerPath's).
	export SCSI_DH_EARLY_SYSCONFDIR=$BATS_FILE_TMPDIR/etc
	mkdir -p "$SCSI_DH_EARLY_SYSCONFDIR/scsi-dh-early.conf.d"
	cat >"$SCSI_DH_EARLY_SYSCONFDIR/scsi-dh-early.conf" <<-'EOF'
		preload = alua emc rdac hp_sw
		[owner fc-array]
		driver = qla2xxx
		vendor = HP
	EOF
	cat >"$SCSI_DH_EARLY_SYSCONFDIR/scsi-dh-early.conf.d/50-powerpath.conf" <<-'EOF'
		[owner powerpath]
		driver = emcp
		vendor = DGC
	EOF

	local style pids=() rc=0 pid
	for style in systemd classic; do
		"$TOP/scripts/build-initrd.sh" -o "$BATS_FILE_TMPDIR/$style.img" --"$style" \
			--conf "$TOP/dracut.conf.d/50-scsi-dh-early.conf" \
			>"$BATS_FILE_TMPDIR/$style.log" 2>&1 &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	if [ "$rc" -ne 0 ]; then
		cat "$BATS_FILE_TMPDIR"/*.log >&3
		return 1
	fi
	for style in systemd classic; do
		lsinitrd "$BATS_FILE_TMPDIR/$style.img" >"$BATS_FILE_TMPDIR/$style.list"
		grep -h 'build-initrd.sh: built' "$BATS_FILE_TMPDIR/$style.log" >&3 || :
	done
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
}

# The listing of an image: listing STYLE
listing() {
	cat "$BATS_FILE_TMPDIR/$1.list"
}

# A file of an image: image_file STYLE PATH
image_file() {
	lsinitrd -f "$2" "$BATS_FILE_TMPDIR/$1.img"
}

check_common() {
	local style=$1 h

	run listing "$style"
	# lsinitrd's list of the image's dracut modules.
	assert_line 'scsi-dh-early'
	# The static helper, where the hooks, units and rule expect it.
	assert_line --regexp '^-rwxr-xr-x .* usr/sbin/scsi-dh-early$'
	# The four handlers, as modules of this kernel.
	for h in alua emc rdac hp_sw; do
		assert_line --regexp " usr/lib/modules/$KVER/kernel/drivers/scsi/device_handler/scsi_dh_$h\\.ko(\\.[a-z]+)?\$"
	done
	# The configuration, resolved; the softdeps; the rule.
	assert_line --regexp ' etc/scsi-dh-early\.conf$'
	assert_line --regexp ' etc/modprobe\.d/scsi-dh-early\.conf$'
	assert_line --regexp ' etc/udev/rules\.d/66-scsi-dh-early\.rules$'
	# kmod's modprobe (busybox's ignores softdep).
	assert_line --regexp ' usr/sbin/modprobe -> \.\./bin/kmod$'
	assert_line --regexp ' usr/lib/dracut/hooks/cmdline/00-parse-scsi-dh\.sh$'
}

check_config() {
	run image_file "$1" etc/scsi-dh-early.conf
	assert_success
	assert_line "# scsi-dh-early: configuration resolved for kernel $KVER"
	assert_line 'preload = alua emc rdac hp_sw'
	# qla2xxx is a module of this kernel: the rule is active, without its driver key.
	assert_line '[owner fc-array]'
	assert_line 'vendor = HP'
	refute_line 'driver = qla2xxx'
	# emcp is not: commented out, with the real file named.
	assert_line '# [owner powerpath]'
	assert_line --regexp "^# $SCSI_DH_EARLY_SYSCONFDIR/scsi-dh-early\\.conf\\.d/50-powerpath\\.conf:1: "
	refute_output --partial "$BATS_FILE_TMPDIR/dracut"
	# No conf.d in the image: the resolved file has it all.
	run listing "$1"
	refute_line --partial 'etc/scsi-dh-early.conf.d'
}

check_softdeps() {
	local hba all='scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw'

	run image_file "$1" etc/modprobe.d/scsi-dh-early.conf
	assert_success
	assert_line "softdep scsi_mod post: $all"
	for hba in virtio_scsi qla2xxx lpfc mpt3sas megaraid_sas hpsa; do
		assert_line "softdep $hba pre: $all"
	done
	# Handlers and upper-level drivers get none.
	refute_line --regexp '^softdep (scsi_dh_[a-z_]+|sd_mod|sr_mod|st|sg|ses|ch) '
}

check_rule() {
	run image_file "$1" etc/udev/rules.d/66-scsi-dh-early.rules
	assert_success
	# One process per hot-added LUN only: nothing before the sweep, nothing
	# for coldplug replays.
	assert_line 'ACTION!="add", GOTO="scsi_dh_early_end"'
	assert_line 'SUBSYSTEM!="scsi", GOTO="scsi_dh_early_end"'
	assert_line 'ENV{DEVTYPE}!="scsi_device", GOTO="scsi_dh_early_end"'
	assert_line 'ENV{SYNTH_UUID}=="?*", GOTO="scsi_dh_early_end"'
	assert_line 'TEST!="/run/scsi-dh-early/swept", GOTO="scsi_dh_early_end"'
	assert_line 'TEST=="/run/scsi-dh-early/disabled", GOTO="scsi_dh_early_end"'
	# Made from the resolved policy: a LUN without a handler, or one of the
	# active owner rule's (emcp is no module of this kernel: powerpath is not)
	assert_line 'ATTR{dh_state}=="detached", GOTO="scsi_dh_early_late"'
	assert_line '# owner fc-array'
	assert_line 'ATTR{vendor}=="HP", GOTO="scsi_dh_early_late"'
	refute_line --partial 'owner powerpath'
	assert_line 'RUN+="/usr/lib/scsi-dh-early/scsi-dh-late kick"'
	run grep -c 'RUN' <<<"$output"
	assert_output 1
	run listing "$1"
	assert_line --regexp '^-rwxr-xr-x .* usr/lib/scsi-dh-early/scsi-dh-late$'
	# and what it runs: its lock is flock(1)'s
	for c in flock mkdir rmdir rm sleep udevadm; do
		assert_line --regexp " (usr/)?s?bin/$c( -> .*)?$"
	done
	if [ "$1" = systemd ]; then
		assert_line --regexp ' usr/lib/systemd/system/scsi-dh-early-late@\.service$'
	else
		refute_line --partial 'scsi-dh-early-late@'
	fi
}

@test "dracut includes the module through the drop-in alone" {
	local style
	for style in systemd classic; do
		run cat "$BATS_FILE_TMPDIR/$style.log"
		assert_line --partial '*** Including module: scsi-dh-early ***'
		refute_line --partial 'scsi-dh-early: '
	done
}

@test "systemd image: helper, handlers, configuration, softdeps, rule, kmod's modprobe" {
	check_common systemd
}

@test "classic image: helper, handlers, configuration, softdeps, rule, kmod's modprobe" {
	check_common classic
}

@test "systemd image: the configuration has its owner rules resolved for the kernel" {
	check_config systemd
}

@test "classic image: the configuration has its owner rules resolved for the kernel" {
	check_config classic
}

@test "systemd image: softdeps for scsi_mod and every HBA driver" {
	check_softdeps systemd
}

@test "classic image: softdeps for scsi_mod and every HBA driver" {
	check_softdeps classic
}

@test "systemd image: the udev rule runs only for LUNs added after the sweep" {
	check_rule systemd
}

@test "classic image: the udev rule runs only for LUNs added after the sweep" {
	check_rule classic
}

@test "classic image: preload at cmdline 00, before rd.driver.pre= (cmdline 01); sweep at pre-mount" {
	run listing classic
	assert_line --regexp ' usr/lib/dracut/hooks/cmdline/00-scsi-dh-preload\.sh$'
	assert_line --regexp ' usr/lib/dracut/hooks/pre-mount/05-scsi-dh-apply\.sh$'
	refute_line --partial 'scsi-dh-early-preload.service'
	refute_line --partial 'scsi-dh-early-apply.service'
	# The order init sources them in (a glob, sorted): parse, preload, then
	# 90kernel-modules' rd.driver.pre= loader.
	run bash -c "grep -o 'hooks/cmdline/[^ ]*' '$BATS_FILE_TMPDIR/classic.list' | LC_ALL=C sort"
	assert_line --index 0 'hooks/cmdline/00-parse-scsi-dh.sh'
	assert_line --index 1 'hooks/cmdline/00-scsi-dh-preload.sh'
	assert_line 'hooks/cmdline/01-parse-kernel.sh'
}

@test "systemd image: preload and sweep units, enabled, ordered around the module loaders and udev" {
	run listing systemd
	assert_line --regexp ' usr/lib/systemd/system/scsi-dh-early-preload\.service$'
	assert_line --regexp ' usr/lib/systemd/system/scsi-dh-early-apply\.service$'
	assert_line --regexp ' etc/systemd/system/sysinit\.target\.wants/scsi-dh-early-preload\.service -> '
	assert_line --regexp ' etc/systemd/system/initrd\.target\.wants/scsi-dh-early-apply\.service -> '
	assert_line --regexp ' usr/lib/scsi-dh-early/scsi-dh-preload\.sh$'
	assert_line --regexp ' usr/lib/scsi-dh-early/scsi-dh-apply\.sh$'
	# The classic hooks would run a second time in dracut-cmdline/pre-mount.
	refute_line --partial 'hooks/cmdline/00-scsi-dh-preload.sh'
	refute_line --partial 'hooks/pre-mount/05-scsi-dh-apply.sh'
	# dracut-pre-udev.service loads rd.driver.pre= here.
	refute_line --partial 'hooks/cmdline/01-parse-kernel.sh'

	run image_file systemd usr/lib/systemd/system/scsi-dh-early-preload.service
	assert_line 'Before=systemd-modules-load.service systemd-udevd.service dracut-pre-udev.service'
	# The script reads rd.scsi_dh (and drops the softdeps on 0).
	refute_line --partial 'ConditionKernelCommandLine='
	assert_line "ExecStart=-/bin/sh -c '. /usr/lib/scsi-dh-early/scsi-dh-preload.sh'"
	run image_file systemd usr/lib/systemd/system/scsi-dh-early-apply.service
	assert_line 'After=systemd-journald.socket systemd-udev-trigger.service dracut-initqueue.service'
	assert_line 'Before=sysroot.mount initrd.target shutdown.target'
	assert_line "ExecStart=-/bin/sh -c '. /usr/lib/scsi-dh-early/scsi-dh-apply.sh'"
}

@test "systemd image: the sweep comes before the real root is mounted, as the classic pre-mount hook" {
	local before
	# dracut's own pre-mount unit, which runs the classic hooks there
	run image_file systemd usr/lib/systemd/system/dracut-pre-mount.service
	assert_line --regexp '^Before=.*\<sysroot\.mount\>'
	# a root on a LUN that a third-party driver owns is mounted after the detach
	run image_file systemd usr/lib/systemd/system/scsi-dh-early-apply.service
	before=$(printf '%s\n' "${lines[@]}" | sed -n 's/^Before=//p' | tr ' ' '\n')
	run grep -x 'sysroot.mount' <<<"$before"
	assert_success
	run grep -x 'initrd.target' <<<"$before"
	assert_success
}

@test "systemd image: rd.scsi_dh, last one wins: the units start on 'rd.scsi_dh=0 ... rd.scsi_dh=1' and leave the word to the scripts" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	load helpers # cmdline_lets_start (its KVER is not this suite's: this test needs none)
	local u
	for u in scsi-dh-early-preload.service scsi-dh-early-apply.service; do
		image_file systemd "usr/lib/systemd/system/$u" >"$BATS_TEST_TMPDIR/$u"
		# 203-dracut-hooks.bats runs the scripts with both orders
		cmdline_lets_start "$BATS_TEST_TMPDIR/$u" 'root=/dev/sda rd.scsi_dh=0 quiet rd.scsi_dh=1'
		cmdline_lets_start "$BATS_TEST_TMPDIR/$u" 'root=/dev/sda rd.scsi_dh=1 quiet rd.scsi_dh=0'
	done
}

@test "the hooks in both images are the module's, and POSIX sh" {
	local style f sh
	for style in systemd classic; do
		for f in usr/lib/dracut/hooks/cmdline/00-parse-scsi-dh.sh \
			usr/lib/dracut/hooks/cmdline/00-scsi-dh-preload.sh \
			usr/lib/dracut/hooks/pre-mount/05-scsi-dh-apply.sh \
			usr/lib/scsi-dh-early/scsi-dh-preload.sh usr/lib/scsi-dh-early/scsi-dh-apply.sh; do
			grep -q " $f\$" "$BATS_FILE_TMPDIR/$style.list" || continue
			image_file "$style" "$f" >"$BATS_TEST_TMPDIR/hook.sh"
			run cmp "$BATS_TEST_TMPDIR/hook.sh" "$TOP/modules.d/50scsi-dh-early/$(basename "${f#*/[0-9][0-9]-}")"
			assert_success
			for sh in dash 'bash --posix'; do
				command -v "${sh%% *}" >/dev/null || continue
				run $sh -n "$BATS_TEST_TMPDIR/hook.sh"
				assert_success
			done
		done
	done
}
