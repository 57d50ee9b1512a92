#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build an initramfs with the system's initramfs-tools (mkinitramfs) for the
# cached test kernel (see fetch-kernel.sh), with this project's hook and
# scripts (dist/initramfs-tools) and any extra configuration directories.
# The system's /etc/initramfs-tools is never read: mkinitramfs runs with a
# private confdir.  mkinitramfs reads the kernel's modules from
# /lib/modules/KVER and its config from /boot: both are bind-mounted from
# the cache in a mount namespace of its own, so the host's stay untouched.

set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

usage() {
	cat <<USAGE
Usage: $prog -o OUT [--add-dir DIR]... [--modules "MODS"] [--no-project-module]

Build an initramfs OUT with mkinitramfs for the kernel cached by
fetch-kernel.sh (SDE_KERNEL_META), from a private confdir: an
initramfs.conf with MODULES=list, BUSYBOX=y and COMPRESS=zstd, the modules
file MODS (one a line), this tree's dist/initramfs-tools hook and scripts,
and the hooks/ and scripts/ of every DIR.

Options:
  -o, --output OUT     the image to write (required)
  --add-dir DIR        a directory with hooks/ and scripts/PHASE/ to add to the
                       confdir; repeatable
  --modules "MODS"     modules for the confdir's modules file (loaded by the
                       init after init-top)
  --no-project-module  leave out dist/initramfs-tools
  -h, --help           show this help

Environment (passed on to mkinitramfs and the hooks unchanged):
  SDE_CACHE, SDE_KERNEL_META   see fetch-kernel.sh
  SCSI_DH_EARLY_BIN, SCSI_DH_EARLY_SYSCONFDIR, SCSI_DH_EARLY_LIBDIR,
  SCSI_DH_EARLY_RULE           see dist/initramfs-tools/hooks/scsi-dh-early
USAGE
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

bad_usage() {
	printf "%s: %s\nTry '%s --help'.\n" "$prog" "$*" "$prog" >&2
	exit 2
}

out=
project_module=yes
dirs=()
modules=()
while [ $# -gt 0 ]; do
	case $1 in
	-o | --output | --add-dir | --modules)
		[ $# -ge 2 ] || bad_usage "option '$1' needs an argument"
		case $1 in
		--add-dir) dirs+=("$2") ;;
		--modules) modules+=("$2") ;;
		*) out=$2 ;;
		esac
		shift
		;;
	--no-project-module) project_module=no ;;
	-h | --help)
		usage
		exit 0
		;;
	*) bad_usage "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$out" ] || bad_usage "no output image given (-o OUT)"
command -v mkinitramfs >/dev/null || die "mkinitramfs not found (install initramfs-tools)"
command -v unshare >/dev/null || die "unshare not found (install util-linux)"

KVER='' KROOT=''
eval "$("$here/fetch-kernel.sh")"
[ -s "$KROOT/lib/modules/$KVER/modules.dep" ] || die "no modules.dep for kernel $KVER"
[ -f "$KROOT/boot/config-$KVER" ] || die "no config-$KVER in $KROOT/boot"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sde-itools.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/conf
mkdir -p "$conf/hooks" "$conf/scripts" "$conf/conf.d"
cat >"$conf/initramfs.conf" <<CONF
MODULES=list
BUSYBOX=y
COMPRESS=zstd
RUNSIZE=10%
FSTYPE=auto
CONF
printf '%s\n' ${modules[@]+${modules[@]}} >"$conf/modules"

add_dir() {
	[ -d "$1" ] || die "no directory '$1'"
	[ -d "$1/hooks" ] && cp -RL "$1/hooks/." "$conf/hooks/"
	[ -d "$1/scripts" ] && cp -RL "$1/scripts/." "$conf/scripts/"
	return 0
}
[ "$project_module" = yes ] && add_dir "$top/dist/initramfs-tools"
for d in ${dirs[@]+"${dirs[@]}"}; do
	add_dir "$d"
done

mkdir -p "$(dirname "$out")"
start=$(date +%s%N)
# the namespace's /lib/modules and /boot are the cache's; mkinitramfs cannot
# be told another module directory
# shellcheck disable=SC2016  # the inner shell expands them
unshare -m --propagation private /bin/sh -ec '
	mkdir -p /lib/modules /boot
	mount --bind "$1/lib/modules" /lib/modules
	mount --bind "$1/boot" /boot
	shift
	exec mkinitramfs "$@"
' sh "$KROOT" -d "$conf" -o "$out" "$KVER" || die "mkinitramfs failed for kernel $KVER"
end=$(date +%s%N)
printf '%s: built %s (initramfs-tools, kernel %s) in %d.%03d s\n' "$prog" "$out" "$KVER" \
	$(((end - start) / 1000000000)) $(((end - start) / 1000000 % 1000)) >&2
