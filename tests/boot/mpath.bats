#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU boots with dm-multipath: dracut's multipath module and multipathd on
# the standby array of the boot suite (scenarios.sh, "dm-multipath"),
# SDE_MPATH_LUNS (32) x 2 paths.  A suite of its own so that make check can run it beside the
# rest of the boot suite (tests/run), with its own work directory and QEMU
# lock (SDE_BOOT_WORK, SDE_QEMU_LOCK).  Logs: $SDE_BOOT_WORK/logs/SCENARIO/.

# shellcheck source-path=SCRIPTDIR
load suite

# dm-multipath on the standby array (SDE_MPATH_LUNS x 2 paths): multipathd from
# dracut's multipath module, with the project and without it, in both inits.  Per path:
# both handlers' views agree, no path fails, nothing is attached twice or
# detached.  The peer: dracut's module alone, as distributions ship it, where
# READs fail on B until dm-multipath attaches alua with each map.
# mpath_pair PEER WITH, both booted: the READs failed on B a third of the
# peer's at most
mpath_pair() {
	local dracut with known_d known_w
	dracut=$(boot_array_get "$BOOT_WORK/logs/$1/report-pre-mount.txt" b_reads_failed)
	with=$(boot_array_get "$BOOT_WORK/logs/$2/report-pre-mount.txt" b_reads_failed)
	echo "# READs failed on standby paths: dracut's multipath module alone $dracut, with scsi-dh-early $with" >&3
	# the journal says how multipathd got each priority (systemd images only)
	if known_d=$(boot_array_get "$BOOT_WORK/logs/$1/report-pre-mount.txt" mpath_first_known) &&
		known_w=$(boot_array_get "$BOOT_WORK/logs/$2/report-pre-mount.txt" mpath_first_known); then
		echo "# maps built from the kernel's access_state on every path: alone $known_d, with $known_w" >&3
	fi
	[ "$dracut" -gt 0 ]
	[ $((with * 3)) -le "$dracut" ]
}

@test "dm-multipath (dracut's multipath module, multipathd), systemd: a map of 2 paths per LUN, alua, groups 50/1, the status table agrees; READs a third of the module alone's at most" {
	boot mpath-array-dracut-systemd
	boot mpath-array-with-systemd
	mpath_pair mpath-array-dracut-systemd mpath-array-with-systemd
}

# The classic image's peer (mpath-array-dracut, tier extra) is left to run.sh
# and make bench: the systemd pair above shows the harm, and make check's
# time goes to the coexistence in the classic init and in the real root.
@test "dm-multipath, classic initramfs (multipathd from the pre-trigger hook): the same maps, groups and agreement" {
	boot mpath-array-with
}

@test "dm-multipath in the real root: multipathd.service takes the initramfs's maps over, the same maps, groups and agreement there, scsi-dh-early.service after multipathd" {
	boot realroot-mpath
}
