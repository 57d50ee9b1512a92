#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the Debian and RPM packages from the release tarball (make dist), each
# in a directory of its own under build/pkg, as a distribution would:
# dpkg-buildpackage -us -uc -b in the unpacked tarball, rpmbuild -tb on the
# tarball.  Prints the paths of the packages built.

set -euo pipefail

prog=${0##*/}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/pkg
what=(deb rpm)

usage() {
	cat <<USAGE
Usage: $prog [deb|rpm]...

Build the packages named (default: both) into $out/{deb,rpm}.
Logs: $out/deb.log, $out/rpm.log.
USAGE
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

if [ $# -gt 0 ]; then
	case $1 in -h | --help)
		usage
		exit 0
		;;
	esac
	what=("$@")
fi

cd "$top"
# One build at a time: the package tests and the boot suite's real root may
# both want one.  A caller that holds the lock already says so.
mkdir -p build
if [ -z "${SDE_PKG_LOCKED:-}" ]; then
	exec 9>build/.pkg.lock
	flock 9
fi
version=$(make -s --no-print-directory version)
tarball=build/scsi-dh-early-$version.tar.gz
make -s --no-print-directory dist >&2
mkdir -p "$out"

build_deb() {
	command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage not found (make deps)"
	rm -rf "$out/deb"
	mkdir -p "$out/deb"
	tar -C "$out/deb" -xzf "$tarball"
	if ! (cd "$out/deb/scsi-dh-early-$version" && dpkg-buildpackage -us -uc -b) \
		>"$out/deb.log" 2>&1; then
		tail -n 30 "$out/deb.log" >&2
		die "dpkg-buildpackage failed (log: $out/deb.log)"
	fi
	ls "$out"/deb/*.deb
}

build_rpm() {
	command -v rpmbuild >/dev/null || die "rpmbuild not found (make deps)"
	local nodeps=()
	# Debian's rpm has an empty package database: the build dependencies are
	# Debian packages there (scripts/deps.sh), which rpm cannot see.
	[ -e /etc/debian_version ] && nodeps=(--nodeps)
	rm -rf "$out/rpm"
	mkdir -p "$out/rpm"
	if ! rpmbuild -tb ${nodeps[@]+"${nodeps[@]}"} --define "_topdir $out/rpm" "$tarball" \
		>"$out/rpm.log" 2>&1; then
		tail -n 30 "$out/rpm.log" >&2
		die "rpmbuild failed (log: $out/rpm.log)"
	fi
	ls "$out"/rpm/RPMS/*/*.rpm
}

for w in "${what[@]}"; do
	case $w in
	deb) build_deb ;;
	rpm) build_rpm ;;
	*) die "unknown package kind '$w' (deb, rpm)" ;;
	esac
done
