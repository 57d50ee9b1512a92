#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: boot one QEMU machine twice with Debian's kernel, once with an
# initramfs built by dracut without scsi-dh-early and once with it, and show
# which device handler each LUN got. Run by "make demo", which installs the
# packages and builds the helper first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/boot/lib.sh
. tests/boot/lib.sh
# shellcheck source=tests/boot/scenarios.sh
. tests/boot/scenarios.sh

why=$(boot_missing)
if [ -n "$why" ]; then
	echo "demo: cannot boot here: $why" >&2
	exit 1
fi

cat <<'INTRO'
The machine: Debian's 6.1 kernel in QEMU with two HBAs, loaded as usual:
  virtio_scsi (udev coldplug)  two "HP HSV100" LUNs (the kernel's table: hp_sw)
                               and one plain QEMU disk (no handler expected)
  scsi_debug (rd.driver.pre=)  two LUNs that report ALUA (TPGS: alua)
A handler attaches only if its module is loaded when the HBA scans the LUN.

INTRO

declare -A secs
for run in without with; do
	echo "booting the machine ${run} scsi-dh-early (image build and boot take a minute or two)..."
	log=$(mktemp)
	if ! boot_scenario "demo-$run" 2>"$log"; then
		cat "$log" >&2
		rm -f "$log"
		echo "demo: the boot ${run} scsi-dh-early failed" >&2
		exit 1
	fi
	secs[$run]=$(sed -n "s/^# boot demo-$run: \([0-9.]*\) s$/\1/p" "$log")
	rm -f "$log"
done

without=$BOOT_WORK/logs/demo-without/report-pre-mount.txt
with=$BOOT_WORK/logs/demo-with/report-pre-mount.txt
echo
printf '%-9s %-12s %-22s %-16s %s\n' LUN HBA "VENDOR MODEL" "WITHOUT MODULE" "WITH MODULE"
while IFS='|' read -r tag hctl host vendor model dh _; do
	[ "$tag" = dev ] || continue
	dh_with=$(awk -F'|' -v h="$hctl" '$1 == "dev" && $2 == h { print $6 }' "$with")
	printf '%-9s %-12s %-22s %-16s %s\n' "$hctl" "$host" "$vendor $model" "$dh" "${dh_with:-?}"
done <"$without"
echo
printf 'boot time: without %s s, with %s s (QEMU without KVM)\n' "${secs[without]}" "${secs[with]}"
echo "the kernel log of the boot with the module:"
sed -n 's/^kmsg|/  /p' "$with"
echo
echo "detached = no handler: passive paths get default sense handling, retries and errors."
echo "Logs: $BOOT_WORK/logs/demo-without, $BOOT_WORK/logs/demo-with"
