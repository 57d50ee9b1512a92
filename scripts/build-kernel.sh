#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a small kernel from Debian's linux-source-6.1 for the boot tests, in
# the shapes Debian's own kernels do not have, and cache it outside the
# repository in the layout of fetch-kernel.sh.  Idempotent: a second run
# only prints the result.

set -euo pipefail

prog=${0##*/}
cache=${SDE_CACHE:-/var/cache/scsi-dh-early}
src_tar=${SDE_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}

usage() {
	cat <<USAGE
Usage: $prog SHAPE

Build a kernel of SHAPE from $src_tar (package linux-source-6.1) into
CACHE/kernel-sde-SHAPE: boot/vmlinuz-KVER, boot/config-KVER,
boot/System.map-KVER and lib/modules/KVER, depmod run, and
CACHE/kernel-sde-SHAPE.env for fetch-kernel.sh, which is how the tests ask
for it (fetch-kernel.sh --meta sde-SHAPE).  Starts from tinyconfig plus what
the boot scenarios need (x86_64, serial console, ACPI power-off,
virtio-pci, udev's needs, brd); SCSI and the handlers by SHAPE:

  dh-builtin    scsi_mod, scsi_dh and all four handlers built in (=y), as
                RHEL 8 and 9 ship them
  scsi-builtin  scsi_mod built in, the handlers modules (=m), as Ubuntu
                ships them

HBA drivers (virtio_scsi, scsi_debug), sd_mod, LIO (target_core_mod,
tcm_loop) are modules in both.  The two share a build tree, so the second
costs a relink.  Does nothing when the kernel is already cached.

Environment:
  SDE_CACHE          cache directory (default /var/cache/scsi-dh-early)
  SDE_LINUX_SOURCE   the source tarball (default $src_tar)
  SDE_KBUILD_JOBS    make -j (default: the number of CPUs)
USAGE
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
esac
[ $# -le 1 ] || die "one SHAPE only (see --help)"
shape=${1:-}

case $shape in
dh-builtin) handlers=y ;;
scsi-builtin) handlers=m ;;
'') die "no SHAPE given (see --help)" ;;
*) die "unknown SHAPE '$shape': dh-builtin or scsi-builtin" ;;
esac

# What every shape has: tinyconfig's kernel made bootable under QEMU with a
# dracut image (udev wants netlink, unix sockets, inotify, signalfd, epoll,
# devtmpfs; systemd as the initramfs's init cgroups, fhandle and autofs; the
# tests power off with sysrq), kallsyms for the helper's symbol lookups, the
# trace events (tracefs) the standby array counts its commands with.
common_y=(64BIT PRINTK PRINTK_TIME BUG TTY SERIAL_8250 SERIAL_8250_CONSOLE
	BLK_DEV_INITRD BINFMT_ELF BINFMT_SCRIPT DEVTMPFS DEVTMPFS_MOUNT PROC_FS
	SYSFS TMPFS SHMEM MULTIUSER FUTEX EPOLL SIGNALFD TIMERFD EVENTFD
	INOTIFY_USER FHANDLE POSIX_TIMERS MAGIC_SYSRQ CGROUPS AUTOFS_FS TMPFS_XATTR SYSVIPC UNIX98_PTYS NET UNIX PACKET
	PCI ACPI VIRTIO_MENU VIRTIO VIRTIO_PCI BLOCK MODULES MODULE_UNLOAD
	KALLSYMS KALLSYMS_ALL CONFIGFS_FS SCSI SCSI_LOWLEVEL SCSI_DH
	TARGET_CORE_MENU FTRACE ENABLE_DEFAULT_TRACERS)
common_m=(BLK_DEV_RAM BLK_DEV_SD SCSI_VIRTIO SCSI_DEBUG TARGET_CORE
	LOOPBACK_TARGET)
common_n=(MODULE_SIG MODULE_COMPRESS_GZIP MODULE_COMPRESS_XZ DEBUG_INFO
	DEBUG_INFO_BTF WERROR)

src=$cache/linux-6.1
build=$cache/kbuild-6.1
root=$cache/kernel-sde-$shape
env_file=$root.env
cfg=$build/.config

args=(--file "$cfg" --set-str LOCALVERSION "-sde-$shape" --disable LOCALVERSION_AUTO)
for o in "${common_y[@]}"; do args+=(--enable "$o"); done
for o in "${common_m[@]}"; do args+=(--module "$o"); done
for o in "${common_n[@]}"; do args+=(--disable "$o"); done
for o in SCSI_DH_ALUA SCSI_DH_EMC SCSI_DH_RDAC SCSI_DH_HP_SW; do
	args+=("$([ "$handlers" = y ] && echo --enable || echo --module)" "$o")
done

# The cache holds what this configuration makes from this source: another
# one rebuilds.  One build at a time (the shapes share the build tree).
stamp=$(printf '%s\n' "${src_tar##*/}" "${args[@]}" | sha256sum | cut -c1-16)
mkdir -p "$cache"
exec 9>"$cache/.kbuild.lock"
flock 9

if [ -f "$env_file" ] && [ "$(cat "$root/.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

[ -f "$src_tar" ] || die "no $src_tar (apt-get install linux-source-6.1)"
for t in make gcc bc bison flex; do
	command -v "$t" >/dev/null || die "'$t' not found (make deps)"
done
if [ ! -f "$src/Makefile" ]; then
	echo "$prog: unpacking $src_tar" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$src_tar" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

mkdir -p "$build"
make -s -C "$src" O="$build" tinyconfig >/dev/null
"$src/scripts/config" "${args[@]}"
make -s -C "$src" O="$build" olddefconfig >/dev/null
# olddefconfig drops what a dependency refuses: check what the tests rely on
for o in SCSI SCSI_DH SERIAL_8250_CONSOLE VIRTIO_PCI ACPI KALLSYMS DEVTMPFS UNIX CGROUPS \
	EVENT_TRACING; do
	grep -qx "CONFIG_$o=y" "$cfg" || die "CONFIG_$o=y did not stick"
done
for o in SCSI_DH_ALUA SCSI_DH_EMC SCSI_DH_RDAC SCSI_DH_HP_SW; do
	grep -qx "CONFIG_$o=$handlers" "$cfg" || die "CONFIG_$o=$handlers did not stick"
done
for o in SCSI_VIRTIO SCSI_DEBUG LOOPBACK_TARGET BLK_DEV_RAM BLK_DEV_SD; do
	grep -qx "CONFIG_$o=m" "$cfg" || die "CONFIG_$o=m did not stick"
done

jobs=${SDE_KBUILD_JOBS:-$(nproc)}
echo "$prog: building $shape (make -j$jobs, a few minutes the first time)" >&2
start=$(date +%s)
make -s -C "$src" O="$build" -j"$jobs" bzImage modules >"$build/make.log" 2>&1 ||
	{ tail -30 "$build/make.log" >&2; die "kernel build failed (see $build/make.log)"; }
kver=$(make -s -C "$src" O="$build" kernelrelease)

rm -rf "$root" "$root.tmp"
mkdir -p "$root.tmp/boot"
make -s -C "$src" O="$build" INSTALL_MOD_PATH="$root.tmp" DEPMOD=/bin/true \
	modules_install >/dev/null
cp "$build/arch/x86/boot/bzImage" "$root.tmp/boot/vmlinuz-$kver"
cp "$build/System.map" "$root.tmp/boot/System.map-$kver"
cp "$cfg" "$root.tmp/boot/config-$kver"
rm -f "$root.tmp/lib/modules/$kver/build" "$root.tmp/lib/modules/$kver/source"
mv "$root.tmp" "$root"
depmod -b "$root" "$kver"
echo "$stamp" >"$root/.stamp"
cat >"$env_file" <<ENV
KVER=$kver
KROOT=$root
KDIR=$root/lib/modules/$kver
VMLINUZ=$root/boot/vmlinuz-$kver
ENV
echo "$prog: built $kver in $(($(date +%s) - start)) s in $root" >&2
