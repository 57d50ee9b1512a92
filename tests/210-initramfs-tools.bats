#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The initramfs-tools hook and scripts (dist/initramfs-tools) in images built
# by Debian's mkinitramfs for the test kernel (scripts/build-initrd-itools.sh):
# what goes in, in which order the scripts run, and what a broken
# configuration or a kernel without device handlers leaves out.  The boots
# are in tests/boot (scenarios itools-*).

bats_require_minimum_version 1.5.0

setup_file() {
	load helpers
	_image_setup_file
	command -v mkinitramfs >/dev/null || skip "initramfs-tools not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root (mkinitramfs in a mount namespace)"
	local d=$BATS_FILE_TMPDIR
	export SCSI_DH_EARLY_LIBDIR=$TOP/modules.d/50scsi-dh-early
	export SCSI_DH_EARLY_RULE=$TOP/modules.d/50scsi-dh-early/66-scsi-dh-early.rules
	mkdir -p "$d/empty/etc" "$d/broken/etc/scsi-dh-early.conf.d"
	printf 'preload = alua\n' >"$d/broken/etc/scsi-dh-early.conf"
	printf '# a typo\nlate_atach = yes\n' >"$d/broken/etc/scsi-dh-early.conf.d/10-typo.conf"

	local rc=0
	SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc "$TOP/scripts/build-initrd-itools.sh" \
		-o "$d/default.img" >"$d/default.log" 2>&1 || rc=1
	SCSI_DH_EARLY_SYSCONFDIR=$d/broken/etc "$TOP/scripts/build-initrd-itools.sh" \
		-o "$d/broken.img" >"$d/broken.log" 2>&1 || rc=1
	# Debian's cloud kernel, built without CONFIG_SCSI_DH
	SDE_KERNEL_META=linux-image-cloud-amd64 SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc \
		"$TOP/scripts/build-initrd-itools.sh" -o "$d/nodh.img" >"$d/nodh.log" 2>&1 || rc=1
	# the package's files without the helper: the hook adds nothing
	SCSI_DH_EARLY_BIN=$d/no-such-helper SCSI_DH_EARLY_SYSCONFDIR=$d/empty/etc \
		"$TOP/scripts/build-initrd-itools.sh" -o "$d/nobin.img" >"$d/nobin.log" 2>&1 || rc=1
	local img
	for img in default broken nodh nobin; do
		[ -s "$d/$img.img" ] || continue
		mkdir "$d/x-$img"
		unmkinitramfs "$d/$img.img" "$d/x-$img" >/dev/null 2>&1 || rc=1
	done
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$d"/*.log >&3
		return 1
	fi
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
}

@test "initramfs-tools: the helper, the resolved configuration, the handlers and the softdeps go in" {
	local x=$BATS_FILE_TMPDIR/x-default
	[ -x "$x/usr/sbin/scsi-dh-early" ]
	run cat "$x/etc/scsi-dh-early.conf"
	assert_line 'preload = alua emc rdac hp_sw'
	run find "$x" -name 'scsi_dh_*.ko*'
	assert_equal "${#lines[@]}" 4
	run cat "$x/etc/modprobe.d/scsi-dh-early.conf"
	assert_line 'softdep scsi_mod post: scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw'
	assert_line --regexp '^softdep virtio_scsi pre: scsi_dh_alua'
	# kmod's modprobe, which reads softdep, not busybox's
	run readlink "$x/sbin/modprobe"
	assert_output --regexp 'kmod$'
	run grep -c '^[^#]' "$x/lib/udev/rules.d/66-scsi-dh-early.rules"
	assert [ "$output" -gt 0 ]
	[ -x "$x/usr/lib/scsi-dh-early/scsi-dh-late" ]
	[ -x "$x/bin/flock" ] || [ -x "$x/usr/bin/flock" ]
	run cat "$BATS_FILE_TMPDIR/default.log"
	refute_output --partial 'scsi-dh-early'
}

# init-top: the preload before udev's coldplug; init-premount: the sweep
# (initramfs-tools' cache_run_scripts writes each phase's ORDER)
@test "initramfs-tools: the preload runs before udev's init-top script, the sweep at init-premount" {
	local x=$BATS_FILE_TMPDIR/x-default
	run grep -n -e '/scripts/init-top/scsi-dh-early ' -e '/scripts/init-top/udev ' \
		"$x/scripts/init-top/ORDER"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --partial 'init-top/scsi-dh-early'
	assert_line --index 1 --partial 'init-top/udev'
	run grep -c '/scripts/init-premount/scsi-dh-early ' "$x/scripts/init-premount/ORDER"
	assert_output 1
	run grep -c 'scsi-dh-early' "$x/scripts/init-bottom/ORDER"
	assert_output 0
}

@test "initramfs-tools: a broken configuration: one warning naming file and line, the files themselves, the default policy" {
	run cat "$BATS_FILE_TMPDIR/broken.log"
	assert_line --regexp '^W: scsi-dh-early: .*/broken/etc/scsi-dh-early\.conf\.d/10-typo\.conf:2: .*late_atach'
	assert_line --partial 'W: scsi-dh-early: errors in the configuration: the image preloads the default handlers'
	refute_output --partial "$BATS_FILE_TMPDIR/broken.img.tmp"
	local x=$BATS_FILE_TMPDIR/x-broken
	cmp "$x/etc/scsi-dh-early.conf" "$BATS_FILE_TMPDIR/broken/etc/scsi-dh-early.conf"
	[ -f "$x/etc/scsi-dh-early.conf.d/10-typo.conf" ]
	run find "$x" -name 'scsi_dh_*.ko*'
	assert_equal "${#lines[@]}" 4
}

@test "initramfs-tools: a kernel without CONFIG_SCSI_DH: one warning, no handler, softdep, rule or late path" {
	run cat "$BATS_FILE_TMPDIR/nodh.log"
	assert_equal "$(grep -c 'has no SCSI device handlers' <<<"$output")" 1
	refute_line --partial 'no module scsi_dh'
	local x=$BATS_FILE_TMPDIR/x-nodh
	[ -x "$x/usr/sbin/scsi-dh-early" ]
	[ -x "$x/scripts/init-premount/scsi-dh-early" ]
	run find "$x" -name 'scsi_dh_*' -o -name 'scsi-dh-late' -o -name '66-scsi-dh-early.rules' \
		-o -path '*/modprobe.d/scsi-dh-early.conf'
	assert_output ''
}

@test "initramfs-tools: without the helper the hook adds nothing and says nothing" {
	local x=$BATS_FILE_TMPDIR/x-nobin
	[ ! -e "$x/usr/sbin/scsi-dh-early" ]
	[ ! -e "$x/etc/scsi-dh-early.conf" ]
	run cat "$BATS_FILE_TMPDIR/nobin.log"
	refute_output --partial 'scsi-dh-early:'
}
