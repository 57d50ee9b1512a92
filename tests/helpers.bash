# SPDX-License-Identifier: GPL-2.0-or-later
# Shared setup for the bats suites: each test gets its own fake root.
# shellcheck disable=SC2034  # the variables are used by the suites that load this file

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# SDE_TEST_BIN and SDE_TEST_DYN put other builds under test (tests/run: ASan+UBSan)
BIN=${SDE_TEST_BIN:-$TOP/build/scsi-dh-early}
DYN=${SDE_TEST_DYN:-$TOP/build/scsi-dh-early-dyn}
SHIM=$TOP/build/dhshim.so
KVER=6.1.0-28-amd64

_common_setup() {
	bats_require_minimum_version 1.5.0
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT"
}

# build or edit the fake root
fx() {
	"$TOP/tests/lib/mkfixture" "$ROOT" "$@"
}

# the static helper on the fake root
sde() {
	"$BIN" --sysroot "$ROOT" "$@"
}

# the dynamic build with the kernel's dh_state write semantics
sde_dyn() {
	LD_PRELOAD=$SHIM "$DYN" --sysroot "$ROOT" "$@"
}

# a file under the fake root, as one string
conf() {
	fx conf "$@"
}

# checksum of every file and link of the tree, to prove nothing changed
tree_sum() {
	(cd "$ROOT" && find . -printf '%p %y %l\n' | sort && find . -type f -print0 |
		sort -z | xargs -0 sha256sum) | sha256sum
}

# setup_file of the suites that build initramfs images: the helper, dracut's
# tools and the cached test kernel (scripts/fetch-kernel.sh). Exports TOP,
# KVER, KDIR and SCSI_DH_EARLY_BIN, where the dracut module takes the helper.
_image_setup_file() {
	local t
	[ -x "$BIN" ] || skip "build/scsi-dh-early not built (make)"
	for t in dracut lsinitrd depmod; do
		command -v "$t" >/dev/null || skip "$t not installed"
	done
	eval "$("$TOP/scripts/fetch-kernel.sh")" || skip "no test kernel (scripts/fetch-kernel.sh)"
	export TOP KVER KDIR
	export SCSI_DH_EARLY_BIN=$BIN
}

# Whether the kernel command line $2 lets systemd start the unit file $1: its
# ConditionKernelCommandLine= and AssertKernelCommandLine= lines, evaluated by
# systemd-analyze, which reads $SYSTEMD_PROC_CMDLINE in place of /proc/cmdline
# (systemd's src/basic/proc-cmdline.c, proc_cmdline()).  A unit without them
# leaves the command line to what it runs.
cmdline_lets_start() {
	local conds
	mapfile -t conds < <(grep -E '^(Condition|Assert)KernelCommandLine=' "$1")
	((${#conds[@]} == 0)) && return 0
	SYSTEMD_PROC_CMDLINE=$2 systemd-analyze condition "${conds[@]}" >/dev/null 2>&1
}
