#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU boots of Debian's kernel with initramfs images built by the real dracut:
# which SCSI devices come up with which device handler.  Scenarios are data in
# scenarios.sh (see lib.sh); each test here boots one of the default tier
# (tests/boot/run.sh --list; run.sh --all also boots the extras).  Logs of the
# last run: $SDE_BOOT_WORK/logs/SCENARIO/ (default
# /var/cache/scsi-dh-early/boot/logs).

# shellcheck source-path=SCRIPTDIR
load suite

@test "baseline, classic init: every LUN comes up without a handler" {
	boot baseline-classic
}

@test "baseline, systemd initramfs: every LUN comes up without a handler" {
	boot baseline-systemd
}

@test "softdep scsi_mod post: alone, classic: alua and hp_sw at scan time" {
	boot softdep-classic
}

@test "softdep scsi_mod post: alone, systemd: alua and hp_sw at scan time" {
	boot softdep-systemd
}

@test "scsi-dh-early, classic init: alua and hp_sw at scan time" {
	boot proj-classic
}

@test "scsi-dh-early, systemd initramfs: alua and hp_sw at scan time" {
	boot proj-systemd
}

@test "scsi-dh-early: rd.scsi_dh=0 loads nothing and changes nothing" {
	boot proj-off
}

@test "scsi-dh-early: the sweep attaches alua late to an HBA loaded first" {
	boot proj-late-attach
}

@test "scsi-dh-early: an owner rule on 6.1: owned-attached, refused, no detach written" {
	boot proj-owner
}

@test "scsi-dh-early: an image with dracut's busybox module preloads just the same" {
	boot proj-busybox
}

@test "scsi-dh-early: a broken configuration preloads the defaults" {
	boot proj-broken-config
}

@test "scsi-dh-early: 64 LUNs hot-added after the sweep with their handlers: no helper run, no log line" {
	boot proj-late-luns
}

@test "scsi-dh-early: 64 LUNs hot-added after the sweep without their handler: a few sweeps attach them all" {
	boot proj-late-work
}

@test "scsi-dh-early: 256 scsi_debug LUNs, one sweep" {
	boot proj-many-luns
}

@test "scsi-dh-early: after switch_root the handlers and the boot's status remain" {
	boot proj-switch-root
}

@test "real root (Debian, systemd, the package): unit order, no coldplug run, no run for a hot-added LUN that needs nothing, status --boot" {
	boot realroot-systemd
}

# The harm and its cure, on the ALUA array of the kernel's SCSI target (16 LUNs
# x 2 paths, path B standby when scanned; see modules.d/99sde-test/sde-array.sh):
# two boots of one array, the bound between them measured in the same run.
# Wide on purpose: how many READs slip through before alua's first RTPG is a
# race (see README, "The standby array"); medians go to make bench.
@test "ALUA array, standby paths: READs fail without a handler; with scsi-dh-early a third at most" {
	local without with
	boot array-without
	boot array-with
	without=$(boot_array_get "$BOOT_WORK/logs/array-without/report-pre-mount.txt" b_reads_failed)
	with=$(boot_array_get "$BOOT_WORK/logs/array-with/report-pre-mount.txt" b_reads_failed)
	echo "# READs failed on standby paths: without $without, with $with" >&3
	[ "$without" -gt 0 ]
	[ $((with * 3)) -le "$without" ]
}

@test "kernel matrix, Debian 6.12, systemd initramfs: the sweep waits for a slow HBA's coldplug (35 LUNs, one line), late LUNs need no sweep" {
	boot k612-systemd
}

@test "kernel matrix, Debian 6.12, classic init: an HBA loaded first, alua attached late to its 32 LUNs" {
	boot k612-classic
}

@test "kernel matrix, Debian 6.12: an owner rule, detach refused, none written" {
	boot k612-owner
}

@test "kernel matrix, Debian cloud 6.1 (no CONFIG_SCSI_DH): every LUN none, one line that says why, no warning" {
	boot kcloud-systemd
}

@test "kernel matrix, Debian cloud 6.1, classic init: owned LUNs, late LUNs, no late run" {
	boot kcloud-classic
}

@test "kernel matrix, handlers built in (RHEL 8/9 shape): attached at scan, preload says builtin, late LUNs need no sweep" {
	boot kdh-builtin
}

@test "kernel matrix, handlers built in: initcall_blacklist= keeps alua and emc off the owned LUNs" {
	boot kdh-blacklist
}

@test "kernel matrix, scsi_mod built in (Ubuntu shape): handlers before the HBAs, late LUNs need no sweep" {
	boot kscsi-builtin
}

@test "kernel matrix, scsi_mod built in, preload off: the image's HBA softdeps alone keep the order" {
	boot kscsi-softdep
}

# The standby array on the other kernels of the matrix (16 LUNs x 2 paths).
@test "kernel matrix, Debian 6.12, standby array: alua on every path, but 6.12 sends no RTPG at attach: B stays active/optimized and READs fail there" {
	boot k612-array-with
}

@test "kernel matrix, handlers built in, standby array: B standby from the scan, no READ data on B" {
	boot kdh-array
}

@test "kernel matrix, scsi_mod built in, standby array: alua preloaded before tcm_loop, B standby, no READ data on B" {
	boot kscsi-array
}

@test "kernel matrix, Debian cloud 6.1, standby array: no handler possible, READs fail on B, one line says why" {
	boot kcloud-array
}

@test "initramfs-tools (mkinitramfs, the project's hook): alua and hp_sw at scan time, one preload and one summary line" {
	boot itools-proj
}

@test "initramfs-tools: the init-premount sweep attaches alua late to an HBA loaded first" {
	boot itools-late-attach
}

@test "initramfs-tools: rd.scsi_dh=0 loads nothing, runs no helper and leaves the marker" {
	boot itools-off
}

@test "initramfs-tools: an owner rule on 6.1: owned-attached, refused, no detach written" {
	boot itools-owner
}

# The same array as the dracut image's test above, beside its figure from
# this run (booted here when that test has not run).
@test "initramfs-tools, ALUA array, standby paths: as the dracut image, a third of the failed READs at most" {
	local without with report=$BOOT_WORK/logs/array-without/report-pre-mount.txt
	[ -s "$report" ] && [ "$report" -nt "$BATS_RUN_TMPDIR" ] || boot array-without
	boot itools-array-with
	without=$(boot_array_get "$report" b_reads_failed)
	with=$(boot_array_get "$BOOT_WORK/logs/itools-array-with/report-pre-mount.txt" b_reads_failed)
	echo "# READs failed on standby paths: without $without, initramfs-tools image $with" >&3
	[ "$without" -gt 0 ]
	[ $((with * 3)) -le "$without" ]
}

