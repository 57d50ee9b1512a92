#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a small Debian root file system with systemd as PID 1 for the
# real-root boot tests (tests/boot, root=debian), with mmdebstrap from
# Debian's archive, and cache it as a directory outside the repository.
# Idempotent: a second run only prints the path.

set -euo pipefail

prog=${0##*/}
cache=${SDE_CACHE:-/var/cache/scsi-dh-early}
suite=${SDE_ROOT_SUITE:-bookworm}
# systemd as init and udev; what the package depends on (dracut-core, kmod);
# multipath-tools, whose multipathd.service the package's unit is ordered
# after; nothing else: every package here makes the boot slower under
# emulation.  The directory's name carries the list, so that a change of it
# builds a new root.
include=systemd-sysv,udev,kmod,dracut-core,multipath-tools
out=$cache/root/debian-$suite-$(printf '%s' "$include" | sha256sum | cut -c1-8)

usage() {
	cat <<USAGE
Usage: $prog [--print | --path]

Create the directory $out (a Debian $suite root:
minbase, $include) with mmdebstrap, unless it is there.  Prints its path.
The tests copy it before they change anything in it.  --path: print the
path only, build nothing.

Environment:
  SDE_CACHE        cache directory (default /var/cache/scsi-dh-early)
  SDE_ROOT_SUITE   Debian suite (default bookworm)
  SDE_ROOT_MIRROR  mirror URI (default: the host's apt sources)
USAGE
}

case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
--print | '') ;;
--path)
	printf '%s\n' "$out"
	exit 0
	;;
*)
	printf "%s: unknown option '%s'\n" "$prog" "$1" >&2
	exit 2
	;;
esac

if [ -e "$out/.complete" ]; then
	printf '%s\n' "$out"
	exit 0
fi
command -v mmdebstrap >/dev/null || {
	echo "$prog: mmdebstrap not found (apt-get install mmdebstrap)" >&2
	exit 1
}
mkdir -p "$cache/root"
# one build at a time: the package tests and the boot suite run side by side
exec 9>"$cache/root/.lock"
flock 9
if [ -e "$out/.complete" ]; then
	printf '%s\n' "$out"
	exit 0
fi
# The host's apt sources (deb822 .sources files, else sources.list), read by
# mmdebstrap from its standard input, unless SDE_ROOT_MIRROR names one.
sources() {
	local f found=no
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		cat "$f"
		echo
		found=yes
	done
	[ "$found" = yes ] || cat /etc/apt/sources.list
}
mirror=-
[ -z "${SDE_ROOT_MIRROR:-}" ] || mirror=$SDE_ROOT_MIRROR
rm -rf "$out.tmp" "$out"
trap 'rm -rf "$out.tmp"' EXIT
# three attempts, a minute and two apart: an archive that drops downloads
# now and then fails a whole mmdebstrap run (seen: "apt download failed",
# twice in a row 30 s apart)
# mmdebstrap hands apt a pipe on a descriptor of its own (APT::Keep-Fds,
# "cat >&11"); with descriptors inherited from the caller open (bats keeps
# several), apt's hook wrote to a closed one: "Sub-process cat >&11 returned
# an error code (2)", then "apt download failed", every time under make
# check and never by hand.  It gets 0, 1 and 2 only (and the lock, 9).
close_fds() {
	local fd n
	for fd in /proc/self/fd/*; do
		n=${fd##*/}
		case $n in 0 | 1 | 2 | 9) continue ;; esac
		[ -e "$fd" ] && eval "exec $n>&-"
	done
	return 0
}
for attempt in 1 2 3; do
	if (close_fds && sources | mmdebstrap --quiet --variant=minbase --include="$include" \
		--aptopt='Acquire::Retries "3"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$suite" "$out.tmp" "$mirror" >&2); then
		break
	fi
	rm -rf "$out.tmp"
	[ "$attempt" -lt 3 ] || exit 1
	echo "$prog: mmdebstrap failed, once more in $((attempt * 60)) s" >&2
	sleep $((attempt * 60))
done
touch "$out.tmp/.complete"
mv "$out.tmp" "$out"
trap - EXIT
printf '%s\n' "$out"
