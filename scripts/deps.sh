#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages that building and testing scsi-dh-early need.
# Idempotent: does nothing when every package is there. Needs root to install.
set -euo pipefail

# dracut-core, not dracut: the latter conflicts with initramfs-tools, and
# the tests never need dracut to be the system's initramfs generator.
# clang and libclang-rt-14-dev: the ASan+UBSan builds and the libFuzzer harnesses.
# linux-source-6.1, bc, bison, flex, libelf-dev: the kernels the boot suite
# builds (scripts/build-kernel.sh).  initramfs-tools: its images (mkinitramfs;
# it does not conflict with dracut-core).  gnuplot-nox, strace, time, python3:
# make bench (python3 for its analysis, tests/bench/analyze.py).
# multipath-tools: dracut's multipath module and multipathd in the boot
# suite's multipath images (scripts/build-initrd.sh leaves the module out of
# every other image).
# python3-prometheus-client: a real parser of the Prometheus text format for the
# metrics suite (tests/021-metrics.bats).
packages=(
	gcc make libc6-dev musl-tools binutils file pkg-config
	bats bats-assert bats-support shellcheck cppcheck
	dracut-core kmod busybox udev cpio zstd xz-utils
	qemu-system-x86 e2fsprogs jq systemd
	debhelper lintian rpm rpmlint man-db groff-base mmdebstrap
	clang libclang-rt-14-dev clang-tidy valgrind
	gnuplot-nox strace time python3
	linux-source-6.1 bc bison flex libelf-dev
	initramfs-tools
	python3-prometheus-client
	multipath-tools
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
