#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The dracut module where things are not as planned: a configuration with
# errors, a handler built into the kernel, an image with busybox, no drop-in,
# no helper.  Images leave out dracut's kernel-modules (and so the hundreds of
# drivers it adds): what is left of the handlers is the module's own doing.

bats_require_minimum_version 1.5.0

setup_file() {
	load helpers
	_image_setup_file
	local d=$BATS_FILE_TMPDIR lean='kernel-modules kernel-modules-extra kernel-network-modules'

	# broken: a configuration with an error in a drop-in, in a classic image
	# that also has busybox (whose modprobe ignores softdep).
	mkdir -p "$d/broken/etc/scsi-dh-early.conf.d"
	printf 'preload = alua\n' >"$d/broken/etc/scsi-dh-early.conf"
	printf '# a typo\ndetach = no\nlate_atach = yes\n' \
		>"$d/broken/etc/scsi-dh-early.conf.d/10-typo.conf"
	SCSI_DH_EARLY_SYSCONFDIR=$d/broken/etc "$TOP/scripts/build-initrd.sh" -o "$d/broken.img" \
		--classic --add "scsi-dh-early busybox" --omit "$lean" >"$d/broken.log" 2>&1 &
	local broken=$!

	# builtin: a copy of the kernel's module directory in which scsi_dh_emc is
	# built in (listed in modules.builtin, absent from modules.dep).  Hard
	# links where possible (dracut would copy symlinks as symlinks); depmod
	# writes only the new modules.* files.
	local fake=$d/kroot/lib/modules/$KVER
	mkdir -p "$fake"
	cp -al "$KDIR/kernel" "$fake/" 2>/dev/null || {
		rm -rf "$fake/kernel"
		cp -a "$KDIR/kernel" "$fake/"
	}
	cp "$KDIR/modules.builtin" "$KDIR/modules.order" "$fake/"
	rm -f "$fake"/kernel/drivers/scsi/device_handler/scsi_dh_emc.ko*
	echo "kernel/drivers/scsi/device_handler/scsi_dh_emc.ko" >>"$fake/modules.builtin"
	depmod -b "$d/kroot" "$KVER"
	export FAKE_KMODDIR=$fake
	mkdir -p "$d/empty/etc"
	SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc "$TOP/scripts/build-initrd.sh" -o "$d/builtin.img" \
		--systemd --add scsi-dh-early --omit "$lean" -- --kmoddir "$fake" >"$d/builtin.log" 2>&1 &
	local builtin=$!

	# nodh: Debian's cloud kernel, built without CONFIG_SCSI_DH (fetched into
	# the cache as the test kernel is).
	SDE_KERNEL_META=linux-image-cloud-amd64 SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc \
		"$TOP/scripts/build-initrd.sh" -o "$d/nodh.img" --classic --add scsi-dh-early \
		--omit "$lean" >"$d/nodh.log" 2>&1 &
	local nodh=$!

	# plain: dracut's default module set, without the drop-in or --add.
	SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc "$TOP/scripts/build-initrd.sh" -o "$d/plain.img" \
		--classic -- --no-kernel >"$d/plain.log" 2>&1

	local rc=0
	wait "$broken" || rc=1
	wait "$builtin" || rc=1
	wait "$nodh" || rc=1
	if [ "$rc" -ne 0 ]; then
		cat "$d"/*.log >&3
		return 1
	fi
	local img
	for img in broken builtin plain nodh; do
		lsinitrd "$d/$img.img" >"$d/$img.list"
		grep -h 'build-initrd.sh: built' "$d/$img.log" >&3 || :
	done
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
}

image_file() {
	lsinitrd -f "$2" "$BATS_FILE_TMPDIR/$1.img"
}

@test "a configuration error: dracut shows the helper's FILE:LINE: message and builds the image" {
	run cat "$BATS_FILE_TMPDIR/broken.log"
	assert_line "dracut: scsi-dh-early: $BATS_FILE_TMPDIR/broken/etc/scsi-dh-early.conf.d/10-typo.conf:3: unknown key \"late_atach\" (preload, late_attach, detach, modprobe_timeout, write_jobs, metrics_textfile_dir)"
	assert_line --partial 'dracut: scsi-dh-early: errors in the configuration: the image preloads the default handlers'
	assert_line --partial "built $BATS_FILE_TMPDIR/broken.img"
	# No path of dracut's temporary build root in the messages.
	refute_output --partial "$BATS_FILE_TMPDIR/sde-initrd"
	refute_output --regexp 'scsi-dh-early/(config|defaults)/etc'
}

@test "a configuration error: the image carries the files as they are, so that the boot reports it" {
	run image_file broken etc/scsi-dh-early.conf
	assert_output 'preload = alua'
	run image_file broken etc/scsi-dh-early.conf.d/10-typo.conf
	assert_output "$(cat "$BATS_FILE_TMPDIR/broken/etc/scsi-dh-early.conf.d/10-typo.conf")"

	# The image's helper on the image's configuration: the error, exit 2.
	local root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root"
	(cd "$root" && lsinitrd --unpack "$BATS_FILE_TMPDIR/broken.img" \
		usr/sbin/scsi-dh-early etc/scsi-dh-early.conf etc/scsi-dh-early.conf.d/10-typo.conf)
	run -2 "$root/usr/sbin/scsi-dh-early" --sysroot "$root" --kver "$KVER" --moddir "$KDIR" check
	assert_output --partial "$root/etc/scsi-dh-early.conf.d/10-typo.conf:3: unknown key \"late_atach\""
}

@test "a configuration error: the image has what the boot falls back to, the four default handlers" {
	local h all='scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw'
	run cat "$BATS_FILE_TMPDIR/broken.list"
	for h in alua emc rdac hp_sw; do
		assert_line --regexp " usr/lib/modules/$KVER/kernel/drivers/scsi/device_handler/scsi_dh_$h\\.ko(\\.[a-z]+)?\$"
	done
	run image_file broken etc/modprobe.d/scsi-dh-early.conf
	assert_line "softdep scsi_mod post: $all"
	assert_line "softdep qla2xxx pre: $all"
}

@test "busybox in the image: modprobe is kmod's all the same, the other applets stay busybox's" {
	run cat "$BATS_FILE_TMPDIR/broken.list"
	assert_line --regexp ' usr/bin/busybox$'
	assert_line --regexp ' usr/sbin/insmod -> \.\./bin/busybox$'
	assert_line --regexp ' usr/sbin/modprobe -> \.\./bin/kmod$'
	assert_line --regexp ' usr/bin/kmod$'
}

@test "a handler built into the kernel is not installed as a module, nor named in the softdeps" {
	local h
	run cat "$BATS_FILE_TMPDIR/builtin.log"
	assert_line --partial '*** Including module: scsi-dh-early ***'
	refute_line --partial 'scsi_dh_emc'
	run cat "$BATS_FILE_TMPDIR/builtin.list"
	for h in alua rdac hp_sw; do
		assert_line --regexp " usr/lib/modules/$KVER/kernel/drivers/scsi/device_handler/scsi_dh_$h\\.ko(\\.[a-z]+)?\$"
	done
	refute_line --partial 'scsi_dh_emc'
	run image_file builtin etc/modprobe.d/scsi-dh-early.conf
	assert_line 'softdep scsi_mod post: scsi_dh_alua scsi_dh_rdac scsi_dh_hp_sw'
	assert_line 'softdep virtio_scsi pre: scsi_dh_alua scsi_dh_rdac scsi_dh_hp_sw'
	refute_output --partial 'scsi_dh_emc'
	# Still preloaded by name (the helper reports it built in at boot).
	run image_file builtin etc/scsi-dh-early.conf
	assert_line 'preload = alua emc rdac hp_sw'
}

@test "a kernel without CONFIG_SCSI_DH: one warning, and only what says so at boot goes in" {
	run cat "$BATS_FILE_TMPDIR/nodh.log"
	assert_line --partial '*** Including module: scsi-dh-early ***'
	assert_equal "$(grep -c 'has no SCSI device handlers' <<<"$output")" 1
	refute_line --partial 'no module scsi_dh'
	run cat "$BATS_FILE_TMPDIR/nodh.list"
	assert_line --regexp ' usr/sbin/scsi-dh-early$'
	assert_line --regexp 'scsi-dh-apply\.sh$'
	refute_line --partial 'scsi_dh_'
	refute_line --partial 'scsi-dh-late'
	refute_line --partial '66-scsi-dh-early.rules'
	refute_line --partial 'modprobe.d/scsi-dh-early.conf'
}

@test "without the drop-in or --add, the module is not in the image" {
	run cat "$BATS_FILE_TMPDIR/plain.log"
	refute_line --partial 'Including module: scsi-dh-early'
	assert_line --partial "built $BATS_FILE_TMPDIR/plain.img"
	run cat "$BATS_FILE_TMPDIR/plain.list"
	# Neither in the module list nor any of its files.
	refute_line 'scsi-dh-early'
	refute_output --partial 'usr/sbin/scsi-dh-early'
	refute_output --partial 'scsi-dh-early.conf'
	refute_output --partial 'scsi-dh-early.rules'
	refute_output --partial 'scsi-dh-preload'
}

@test "with the drop-in but no helper, dracut names the missing command" {
	SCSI_DH_EARLY_BIN=$BATS_TEST_TMPDIR/nowhere/scsi-dh-early \
		run "$TOP/scripts/build-initrd.sh" -o "$BATS_TEST_TMPDIR/none.img" --classic \
		--conf "$TOP/dracut.conf.d/50-scsi-dh-early.conf" -- --no-kernel
	assert_failure
	assert_line --partial "dracut module 'scsi-dh-early' will not be installed, because command '$BATS_TEST_TMPDIR/nowhere/scsi-dh-early' could not be found!"
	assert [ ! -e "$BATS_TEST_TMPDIR/none.img" ]
}
