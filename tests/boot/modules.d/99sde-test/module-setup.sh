#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Test-only dracut module for the QEMU boot tests: reports the SCSI devices and
# their device handlers on a serial port between markers, then powers off.
# Never part of a real image: include it with "--add sde-test".
#
# Classic init: early-load.sh at cmdline 00 (its name sorts before every other
# cmdline 00 hook), the report at pre-mount 99.  systemd initramfs: the same
# scripts run from units, the report after dracut-pre-mount.service and
# scsi-dh-early's sweep, early-load before scsi-dh-early's preload.

# shellcheck disable=SC2154  # moddir, systemdsystemunitdir and SYSTEMCTL are set by dracut

# called by dracut
check() {
    # only when asked for
    return 255
}

# called by dracut
depends() {
    return 0
}

# called by dracut
installkernel() {
    # brd gives /dev/ram0 as a root= that is there at once; scsi_debug is the
    # second HBA of the tests.
    hostonly='' instmods brd scsi_debug
    # the ALUA array of sde-array.sh: LIO with RAM-disk backstores, tcm_loop,
    # configfs; scsi_dh_alua for its "kernel's best" mode in images without
    # the project's module
    hostonly='' instmods configfs target_core_mod tcm_loop scsi_dh_alua
}

# called by dracut
install() {
    inst_multiple grep sed sleep awk sort ls uniq wc
    inst_multiple -o dmesg udevadm journalctl
    inst_script "$moddir/sde-report.sh" /sbin/sde-report
    inst_script "$moddir/early-load.sh" /sbin/sde-early-load
    inst_script "$moddir/sde-pre-mount.sh" /sbin/sde-pre-mount
    inst_script "$moddir/sde-array.sh" /sbin/sde-array
    inst_simple "$moddir/sde-mpath.sh" /lib/sde-mpath.sh
    inst_script "$moddir/sde-slow-hba.sh" /sbin/sde-slow-hba
    inst_rules "$moddir/05-sde-slow-hba.rules"
    # every run of the project's helper (the sweep, late sweeps, the report's
    # status) leaves its arguments in /run/sde-helper.log: a wrapper takes
    # its place (this module installs after 50scsi-dh-early)
    if [[ -x $initdir/usr/sbin/scsi-dh-early && ! -e $initdir/usr/sbin/scsi-dh-early.real ]]; then
        mv "$initdir/usr/sbin/scsi-dh-early" "$initdir/usr/sbin/scsi-dh-early.real"
        inst_script "$moddir/helper-count.sh" /usr/sbin/scsi-dh-early
    fi
    if dracut_module_included systemd; then
        inst_simple "$moddir/sde-early-load.service" \
            "$systemdsystemunitdir/sde-early-load.service"
        inst_simple "$moddir/sde-report.service" "$systemdsystemunitdir/sde-report.service"
        $SYSTEMCTL -q --root "$initdir" enable sde-early-load.service sde-report.service
    else
        inst_hook cmdline 00 "$moddir/early-load.sh"
        inst_hook pre-mount 99 "$moddir/sde-pre-mount.sh"
    fi
}
