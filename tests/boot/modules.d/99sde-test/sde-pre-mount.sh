#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# At the end of pre-mount: wait until the SCSI devices the test expects are
# there (sde.luns=N), report them (sde-report), then power off, unless
# sde.stop=none lets the boot go on.  With sde.hotplug=N, N scsi_debug hosts
# are added first, after the project's sweep.  Sourced at pre-mount 99 by the classic
# init, run by sde-report.service in a systemd initramfs.

# shellcheck disable=SC1091  # dracut-lib.sh is the initramfs's
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

# sde_wait N: until there are N SCSI devices, 0.1 s steps, 120 s at most;
# leaves the count in _sde_n
sde_wait() {
    _sde_i=0
    while :; do
        _sde_n=0
        for _sde_d in /sys/class/scsi_device/*; do
            [ -e "$_sde_d" ] && _sde_n=$((_sde_n + 1))
        done
        [ "$_sde_n" -ge "$1" ] && return 0
        _sde_i=$((_sde_i + 1))
        if [ "$_sde_i" -gt 1200 ]; then
            warn "sde-test: $_sde_n SCSI devices, expected $1"
            return 1
        fi
        sleep 0.1
    done
}

echo "<6>sde-test: pre-mount report" > /dev/kmsg
# sde.array=STATE: an ALUA array of the kernel's SCSI target comes up now
[ -n "$(getarg sde.array=)" ] && /sbin/sde-array
_sde_n=unknown
_sde_want=$(getarg sde.luns=)
[ -n "$_sde_want" ] && sde_wait "$_sde_want"
echo "<6>sde-test: $_sde_n SCSI devices, settling udev" > /dev/kmsg
udevadm settle --timeout=60 > /dev/null 2>&1

# sde.hotplug=N: after the sweep, N more scsi_debug hosts arrive as real
# hotplug events (sde.luns_after=M: the SCSI devices to wait for then).
_sde_hot=$(getarg sde.hotplug=)
if [ -n "$_sde_hot" ]; then
    echo "<6>sde-test: hot-adding $_sde_hot scsi_debug host(s)" > /dev/kmsg
    # sde.hotplug.hp=1: the new LUNs say HP HSV100 without TPGS: the kernel's
    # table wants hp_sw for them, and hp_sw is unloaded first (no LUN uses it
    # with disks=plain), as on an HBA that scans before the handler loads:
    # they come up without it, and only a late attach gives it to them
    if [ "$(getarg sde.hotplug.hp=)" = 1 ]; then
        rmmod scsi_dh_hp_sw || warn "sde-test: cannot unload scsi_dh_hp_sw"
        echo 1 > /sys/bus/pseudo/drivers/scsi_debug/vpd_use_hostno
        printf "HP      " > /sys/module/scsi_debug/parameters/inq_vendor
        printf "HSV100          " > /sys/module/scsi_debug/parameters/inq_product
    fi
    echo "$_sde_hot" > /sys/bus/pseudo/drivers/scsi_debug/add_host
    _sde_want=$(getarg sde.luns_after=)
    [ -n "$_sde_want" ] && sde_wait "$_sde_want"
    udevadm settle --timeout=60 > /dev/null 2>&1
fi

# LUNs added after the sweep: let scsi-dh-early's late sweeps end (60 s at most)
_sde_i=0
# (no work pending, and no runner holds the flock(1) lock; an onlooker's
# flock holds it for an instant, which a runner waits out)
sde_late_busy() {
    [ -e /run/scsi-dh-early/late-pending ] && return 0
    [ -e /run/scsi-dh-early/late-lock ] || return 1
    ! flock -n /run/scsi-dh-early/late-lock true 2> /dev/null
}
while sde_late_busy && [ "$_sde_i" -lt 600 ]; do
    sleep 0.1
    _sde_i=$((_sde_i + 1))
done
sde_late_busy && warn "sde-test: a late sweep still runs"

/sbin/sde-report pre-mount
echo "<6>sde-test: pre-mount report done" > /dev/kmsg

if [ "$(getarg sde.stop=)" != none ]; then
    echo o > /proc/sysrq-trigger
    # the power-off is asynchronous: keep init from going on meanwhile
    sleep 30
fi
unset _sde_want _sde_i _sde_n _sde_d _sde_hot
unset -f sde_wait
