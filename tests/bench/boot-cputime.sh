#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# boot-cputime.sh LUNS - the boot of `make bench` (section boot): the classic
# image of tests/boot with the module and the bench-only module
# tests/bench/modules.d/99sde-cputime (each run of the helper writes its CPU
# time to the report port), LUNS TPGS LUNs of scsi_debug on 4 targets.  The
# caller holds /tmp/sde-qemu.lock; logs in $SDE_BOOT_WORK/logs/bench-cputime.
set -euo pipefail

luns=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/boot/lib.sh
. "$top/tests/boot/lib.sh"
# shellcheck source=tests/boot/scenarios.sh
. "$top/tests/boot/scenarios.sh"

image bench-cputime SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --classic \
	--module-dir "$top/tests/bench/modules.d/99sde-cputime" \
	--add "scsi-dh-early sde-cputime"
scenario bench-cputime image=bench-cputime timeout="${SDE_BOOT_TIMEOUT:-1200}" \
	cmdline="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0
		scsi_debug.num_tgts=4 scsi_debug.max_luns=$((luns / 4))" \
	luns="$luns" "expect=count host=scsi_debug $luns" "expect=line sde-cputime:"
why=$(boot_missing)
if [ -n "$why" ]; then
	echo "boot skipped: $why" >&2
	exit 77
fi
boot_scenario bench-cputime
