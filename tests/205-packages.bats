#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian and RPM packages, built once from make dist's tarball
# (scripts/build-packages.sh): what they hold, their maintainer scripts,
# lintian and rpmlint, and the Debian package installed into a Debian root
# where dracut then builds an image for the test kernel with the module in it.

bats_require_minimum_version 1.5.0

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export TOP
	local c
	for c in dpkg-buildpackage dh rpmbuild git; do
		command -v "$c" >/dev/null || skip "$c not installed (make deps)"
	done
	git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git work tree"
	PKG_LOG=$BATS_FILE_TMPDIR/build.log
	"$TOP/scripts/build-packages.sh" >"$BATS_FILE_TMPDIR/built" 2>"$PKG_LOG" || {
		cat "$PKG_LOG" >&3
		return 1
	}
	VERSION=$(make -s -C "$TOP" --no-print-directory version)
	DEB=$TOP/build/pkg/deb/scsi-dh-early_${VERSION}_$(dpkg --print-architecture).deb
	RPM=$(ls "$TOP"/build/pkg/rpm/RPMS/*/scsi-dh-early-"$VERSION"-*.rpm)
	export VERSION DEB RPM
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
}

# Every file of the package for this Debian release: units and udev rules
# where pkg-config says (/lib on bookworm, /usr/lib later).
deb_expected() {
	local unitdir udevdir f
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) ||
		unitdir=/lib/systemd/system
	udevdir=$(pkg-config --variable=udevdir udev 2>/dev/null) || udevdir=/lib/udev
	echo etc/scsi-dh-early.conf
	echo usr/sbin/scsi-dh-early
	for f in module-setup.sh parse-scsi-dh.sh scsi-dh-preload.sh scsi-dh-apply.sh \
		66-scsi-dh-early.rules scsi-dh-early-preload.service scsi-dh-early-apply.service \
		scsi-dh-late scsi-dh-early-late@.service; do
		echo "usr/lib/dracut/modules.d/50scsi-dh-early/$f"
	done
	echo usr/lib/dracut/dracut.conf.d/50-scsi-dh-early.conf
	echo usr/lib/scsi-dh-early/scsi-dh-late
	echo usr/share/initramfs-tools/hooks/scsi-dh-early
	echo usr/share/initramfs-tools/scripts/init-top/scsi-dh-early
	echo usr/share/initramfs-tools/scripts/init-premount/scsi-dh-early
	echo "${udevdir#/}/rules.d/66-scsi-dh-early.rules"
	echo "${unitdir#/}/scsi-dh-early.service"
	echo "${unitdir#/}/scsi-dh-early-late@.service"
	echo "${unitdir#/}/scsi-dh-early.service.d/third-party.conf"
	echo "${unitdir#/}/scsi-dh-early.service.d/hardening.conf"
	echo "${unitdir#/}/scsi-dh-early-late@.service.d/hardening.conf"
	echo "${unitdir#/}-preset/80-scsi-dh-early.preset"
	echo usr/share/doc/scsi-dh-early/changelog.gz
	echo usr/share/doc/scsi-dh-early/copyright
	echo usr/share/lintian/overrides/scsi-dh-early
	echo usr/share/man/man5/scsi-dh-early.conf.5.gz
	echo usr/share/man/man7/dracut.scsi-dh-early.7.gz
	echo usr/share/man/man8/scsi-dh-early.8.gz
}

@test "deb: every file where Debian expects it, the helper static and stripped" {
	run bash -c "dpkg-deb -c '$DEB' | awk '\$1 !~ /^d/ { sub(/^\\.\\//, \"\", \$6); print \$6 }' | LC_ALL=C sort"
	assert_success
	assert_output "$(deb_expected | LC_ALL=C sort)"
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	run file "$BATS_TEST_TMPDIR/x/usr/sbin/scsi-dh-early"
	assert_output --partial 'statically linked'
	assert_output --partial ', stripped'
	run "$BATS_TEST_TMPDIR/x/usr/sbin/scsi-dh-early" --version
	assert_output "scsi-dh-early $VERSION"
	run dpkg-deb -f "$DEB" Depends
	assert_output 'dracut | dracut-core | initramfs-tools, kmod, udev'
	run dpkg-deb -I "$DEB" conffiles
	assert_output '/etc/scsi-dh-early.conf'
}

@test "deb: the unit enabled by deb-systemd-helper, never started by the package" {
	run dpkg-deb -I "$DEB" postinst
	assert_success
	assert_line --partial "deb-systemd-helper enable 'scsi-dh-early.service'"
	refute_output --partial 'deb-systemd-invoke'
	refute_output --partial 'dracut'
	# initramfs-tools' images get the hook at the next update-initramfs
	run dpkg-deb -I "$DEB" triggers
	assert_line 'activate-noawait update-initramfs'
	run dpkg-deb -I "$DEB" postrm
	assert_line --partial "deb-systemd-helper purge 'scsi-dh-early.service'"
}

# A root with just enough for maintainer scripts and scriptlets: the build
# host's sh, rm and systemctl with their libraries, /dev/null.
mini_root() {
	local root=$1 p f lib
	mkdir -p "$root/bin" "$root/dev" "$root/tmp"
	for p in sh rm systemctl; do
		f=$(readlink -f "$(command -v "$p")")
		cp "$f" "$root/bin/$p"
		for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
			mkdir -p "$root${lib%/*}"
			cp -L "$lib" "$root$lib"
		done
	done
	mknod "$root/dev/null" c 1 3
}

# the rule the real root's unit writes for this boot, and one that is not ours
run_rules() {
	mkdir -p "$1/run/udev/rules.d"
	echo 'RUN+="/usr/lib/scsi-dh-early/scsi-dh-late kick"' >"$1/run/udev/rules.d/66-scsi-dh-early.rules"
	echo '# not ours' >"$1/run/udev/rules.d/70-other.rules"
}

@test "deb: postrm removes the rule in /run/udev/rules.d on remove and purge, not on upgrade" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (chroot, mknod)"
	local root=$BATS_TEST_TMPDIR/root a
	mini_root "$root"
	dpkg-deb -e "$DEB" "$root/tmp/control"
	for a in 'upgrade 0.1.0' 'failed-upgrade 0.1.0' 'disappear'; do
		run_rules "$root"
		# shellcheck disable=SC2086  # the arguments, split
		run chroot "$root" /bin/sh /tmp/control/postrm $a
		assert_success
		assert [ -e "$root/run/udev/rules.d/66-scsi-dh-early.rules" ]
	done
	for a in remove purge; do
		run_rules "$root"
		run chroot "$root" /bin/sh /tmp/control/postrm "$a"
		assert_success
		assert [ ! -e "$root/run/udev/rules.d/66-scsi-dh-early.rules" ]
		assert [ -e "$root/run/udev/rules.d/70-other.rules" ]
	done
}

# The RPM installed, upgraded and erased with rpm --root in a scratch root whose
# presets disable what they do not name, as Fedora's and RHEL's do: the
# package's scriptlets run there (%post's systemctl preset, %postun).
@test "rpm installed in an RPM root: the preset enables the unit; erase, not upgrade, removes the /run rule" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (rpm --root, mknod)"
	local root=$BATS_TEST_TMPDIR/root wants
	wants=$root/etc/systemd/system/sysinit.target.wants/scsi-dh-early.service
	mini_root "$root"
	mkdir -p "$root/usr/lib/systemd/system-preset"
	echo 'disable *' >"$root/usr/lib/systemd/system-preset/99-default-disable.preset"
	rpm --root "$root" --initdb
	run rpm --root "$root" --nodeps -i "$RPM"
	assert_success
	assert [ -L "$wants" ]
	run systemctl --root "$root" is-enabled scsi-dh-early.service
	assert_output enabled
	# the late runner is a template started by the rule: never enabled
	run systemctl --root "$root" is-enabled scsi-dh-early-late@.service
	refute_output enabled
	run_rules "$root"
	run rpm --root "$root" --nodeps -U --replacepkgs "$RPM"
	assert_success
	assert [ -e "$root/run/udev/rules.d/66-scsi-dh-early.rules" ]
	assert [ -L "$wants" ]
	run rpm --root "$root" --nodeps -e scsi-dh-early
	assert_success
	assert [ ! -e "$root/run/udev/rules.d/66-scsi-dh-early.rules" ]
	assert [ -e "$root/run/udev/rules.d/70-other.rules" ]
	assert [ ! -e "$wants" ]
}

@test "deb: lintian reports no error and no warning (overrides explained)" {
	command -v lintian >/dev/null || skip "lintian not installed"
	run lintian --fail-on error,warning "${DEB%/*}"/scsi-dh-early_"${VERSION}"_*.changes
	assert_success
	refute_output --regexp '^[EW]: '
	# each override has its reason above it
	run grep -c '^#' "$TOP/debian/scsi-dh-early.lintian-overrides"
	refute_output 0
}

@test "rpm: files in the FHS/Fedora places, config(noreplace), systemd scriptlets" {
	run rpm -qlp "$RPM"
	assert_success
	assert_line /usr/sbin/scsi-dh-early
	assert_line /usr/lib/systemd/system/scsi-dh-early.service
	assert_line /usr/lib/systemd/system/scsi-dh-early.service.d/third-party.conf
	assert_line /usr/lib/systemd/system/scsi-dh-early.service.d/hardening.conf
	assert_line /usr/lib/systemd/system/scsi-dh-early-late@.service.d/hardening.conf
	assert_line /usr/lib/systemd/system-preset/80-scsi-dh-early.preset
	assert_line /usr/lib/systemd/system/scsi-dh-early-late@.service
	assert_line /usr/lib/scsi-dh-early/scsi-dh-late
	assert_line /usr/lib/udev/rules.d/66-scsi-dh-early.rules
	assert_line /usr/lib/dracut/modules.d/50scsi-dh-early/module-setup.sh
	assert_line /usr/lib/dracut/dracut.conf.d/50-scsi-dh-early.conf
	assert_line --regexp '^/usr/share/man/man7/dracut\.scsi-dh-early\.7'
	run rpm -qp --configfiles "$RPM"
	assert_output /etc/scsi-dh-early.conf
	run rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM"
	assert_line 'cn /etc/scsi-dh-early.conf'
	run rpm -qp --scripts "$RPM"
	assert_line --partial 'systemctl --no-reload preset scsi-dh-early.service'
	assert_line --partial 'systemctl --no-reload disable --now scsi-dh-early.service'
	run rpm -qp --requires "$RPM"
	assert_line dracut
	assert_line kmod
	assert_line systemd-udev
	assert_line /usr/bin/flock
	run rpm -qp --qf '%{VERSION}' "$RPM"
	assert_output "$VERSION"
}

@test "rpm: rpmlint is clean on the spec and the package (filters explained)" {
	command -v rpmlint >/dev/null || skip "rpmlint not installed"
	run rpmlint -r "$TOP/scsi-dh-early.rpmlintrc" "$TOP/scsi-dh-early.spec" "$RPM"
	assert_success
	assert_output --partial '0 errors, 0 warnings'
}

# A scratch Debian root (scripts/fetch-root.sh), the package installed with
# dpkg in it, and dracut run there for the test kernel.
@test "deb installed in a Debian root: dracut -f for the test kernel puts the module in" {
	local base root kver kdir
	[ "$(id -u)" -eq 0 ] || skip "needs root (chroot)"
	base=$("$TOP/scripts/fetch-root.sh" --path)
	if [ ! -e "$base/.complete" ]; then
		[ "${SDE_SKIP_BOOT:-0}" != 1 ] || skip "no Debian root cached (scripts/fetch-root.sh)"
		"$TOP/scripts/fetch-root.sh" >/dev/null
	fi
	kver=$("$TOP/scripts/fetch-kernel.sh" --print KVER)
	kdir=$("$TOP/scripts/fetch-kernel.sh" --print KDIR)
	root=$BATS_TEST_TMPDIR/root
	cp -a "$base" "$root"
	mkdir -p "$root/lib/modules/$kver" "$root/proc"
	mount --bind -o ro "$kdir" "$root/lib/modules/$kver"
	mount -t proc proc "$root/proc"
	cp "$DEB" "$root/tmp/"
	run chroot "$root" dpkg -i "/tmp/${DEB##*/}"
	assert_success
	assert [ -L "$root/etc/systemd/system/sysinit.target.wants/scsi-dh-early.service" ]
	run chroot "$root" dracut -f --no-hostonly --no-compress -m 'base scsi-dh-early' \
		/tmp/initrd.img "$kver"
	local rc=$status
	assert_equal "$rc" 0
	run chroot "$root" lsinitrd -m /tmp/initrd.img
	assert_line scsi-dh-early
	run chroot "$root" lsinitrd /tmp/initrd.img
	assert_line --regexp ' usr/sbin/scsi-dh-early$'
	assert_line --regexp ' etc/modprobe.d/scsi-dh-early.conf$'
	assert_line --regexp '/scsi_dh_alua.ko$'
	assert_line --regexp ' usr/lib/dracut/hooks/cmdline/00-scsi-dh-preload.sh$'
	unmount_root
}

# the kernel's modules are bound read-only into the scratch root: unbind them
# before bats removes the test's directory
unmount_root() {
	local root=$BATS_TEST_TMPDIR/root m
	[ -d "$root" ] || return 0
	for m in "$root/proc" "$root"/lib/modules/*; do
		if mountpoint -q "$m"; then
			umount "$m" || umount -l "$m"
		fi
	done
	return 0
}

teardown() {
	unmount_root
}
