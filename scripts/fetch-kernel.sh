#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch Debian's amd64 kernel package for the boot tests and unpack it into a
# cache outside the repository.  Idempotent: a second run only prints the result.

set -euo pipefail

prog=${0##*/}
cache=${SDE_CACHE:-/var/cache/scsi-dh-early}
meta=${SDE_KERNEL_META:-linux-image-amd64}
mode=vars
key=

usage() {
	cat <<USAGE
Usage: $prog [--env | --print KEY] [--meta PACKAGE]

Download Debian's kernel image package (the one PACKAGE, default $meta,
depends on) with apt-get download, unpack it into CACHE/kernel (another
PACKAGE: CACHE/kernel-PACKAGE) with dpkg-deb -x and run depmod on it.  Does
nothing when the kernel is already cached.

Prints, for eval or sourcing:
  KVER=<kernel release>        KROOT=CACHE/kernel
  KDIR=KROOT/lib/modules/KVER  VMLINUZ=KROOT/boot/vmlinuz-KVER

Options:
  --env          print the lines as "export KEY=VALUE"
  --print KEY    print only the value of KEY
  --meta PKG     metapackage to resolve (default $meta)
                 (sde-dh-builtin, sde-scsi-builtin: a kernel built here
                 from linux-source-6.1 by build-kernel.sh)
  -h, --help     show this help

Environment:
  SDE_CACHE        cache directory (default /var/cache/scsi-dh-early, now $cache)
  SDE_KERNEL_META  the default of --meta (default linux-image-amd64)
USAGE
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--env) mode='env' ;;
	--print)
		[ $# -ge 2 ] || die "--print needs a KEY"
		mode=one key=$2
		shift
		;;
	--meta)
		[ $# -ge 2 ] || die "--meta needs a PACKAGE"
		meta=$2
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf "%s: unknown argument '%s'\nTry '%s --help'.\n" "$prog" "$1" "$prog" >&2
		exit 2
		;;
	esac
	shift
done

# Each metapackage has a cache of its own; the default keeps the plain names.
if [ "$meta" = linux-image-amd64 ]; then
	kname=kernel
else
	case $meta in
	*/* | .*) die "bad metapackage name '$meta'" ;;
	esac
	kname=kernel-$meta
fi
envfile=$cache/$kname.env

# Print the cached result in the requested form.
emit() {
	local KVER KROOT KDIR VMLINUZ
	# shellcheck source=/dev/null  # written by this script below
	. "$envfile"
	case $mode in
	vars | env)
		local prefix=
		[ "$mode" = env ] && prefix='export '
		printf '%sKVER=%q\n%sKROOT=%q\n%sKDIR=%q\n%sVMLINUZ=%q\n' \
			"$prefix" "$KVER" "$prefix" "$KROOT" "$prefix" "$KDIR" "$prefix" "$VMLINUZ"
		;;
	one)
		case $key in
		KVER | KROOT | KDIR | VMLINUZ) printf '%s\n' "${!key}" ;;
		*) die "unknown KEY '$key' (KVER, KROOT, KDIR, VMLINUZ)" ;;
		esac
		;;
	esac
}

# True when the cache holds a complete, depmod'ed kernel.
cached() {
	local KVER KROOT KDIR VMLINUZ
	[ -r "$envfile" ] || return 1
	# shellcheck source=/dev/null  # written by this script below
	. "$envfile"
	[ -r "$VMLINUZ" ] && [ -s "$KDIR/modules.dep" ]
}

# The versioned image package the metapackage depends on, from the apt cache.
resolve() {
	apt-cache depends --no-recommends --no-suggests "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

# The kernels built here, in shapes Debian does not ship: build-kernel.sh
# builds (once) and writes the same env file.
case $meta in
sde-*)
	"$(dirname "$0")/build-kernel.sh" "${meta#sde-}" >&2 || die "cannot build kernel $meta"
	emit
	exit 0
	;;
esac

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if cached; then
	emit
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (a Debian system is needed)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
command -v depmod >/dev/null || die "depmod not found (install kmod)"

pkg=$(resolve)
if [ -z "$pkg" ]; then
	printf '%s: %s not in the apt cache, running apt-get update\n' "$prog" "$meta" >&2
	apt-get update >&2 || die "apt-get update failed"
	pkg=$(resolve)
fi
[ -n "$pkg" ] || die "cannot resolve the image package $meta depends on"

work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf '%s: downloading %s %s\n' "$prog" "$meta" "$pkg" >&2
(
	cd "$work"
	# As root apt drops to _apt for downloads; the work dir may not be
	# reachable for that user, so download as the caller.
	apt-get -q -o APT::Sandbox::User=root download "$meta" "$pkg" >&2
) || die "apt-get download $meta $pkg failed"

mkdir "$work/root"
for deb in "$work"/*.deb; do
	dpkg-deb -x "$deb" "$work/root" || die "dpkg-deb -x '$deb' failed"
done

kvers=()
for d in "$work/root/lib/modules"/*/; do
	[ -d "$d" ] && kvers+=("$(basename "$d")")
done
[ "${#kvers[@]}" -eq 1 ] || die "expected one kernel in $pkg, found ${#kvers[@]}"
kver=${kvers[0]}
[ -r "$work/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"

depmod -b "$work/root" "$kver" || die "depmod -b '$work/root' $kver failed"

rm -rf "${cache:?}/$kname" "$envfile"
mv "$work/root" "$cache/$kname"
kroot=$cache/$kname
{
	printf 'KVER=%q\n' "$kver"
	printf 'KROOT=%q\n' "$kroot"
	printf 'KDIR=%q\n' "$kroot/lib/modules/$kver"
	printf 'VMLINUZ=%q\n' "$kroot/boot/vmlinuz-$kver"
	printf 'PKG=%q\n' "$pkg"
} >"$envfile.tmp"
mv "$envfile.tmp" "$envfile"
printf '%s: cached %s (%s) in %s\n' "$prog" "$pkg" "$kver" "$kroot" >&2

emit
