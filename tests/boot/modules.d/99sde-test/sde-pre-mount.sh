#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# At the end of pre-mount: wait until the SCSI devices the test expects are
# there (sde.luns=N), report them (sde-report), then power off, unless
# sde.stop=none lets the boot go on.  Sourced at pre-mount 99 by the classic
# init, run by sde-report.service in a systemd initramfs.

# shellcheck disable=SC1091  # dracut-lib.sh is the initramfs's
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

echo "<6>sde-test: pre-mount report" > /dev/kmsg
_sde_want=$(getarg sde.luns=)
_sde_n=unknown
if [ -n "$_sde_want" ]; then
    _sde_i=0
    while :; do
        _sde_n=0
        for _sde_d in /sys/class/scsi_device/*; do
            [ -e "$_sde_d" ] && _sde_n=$((_sde_n + 1))
        done
        [ "$_sde_n" -ge "$_sde_want" ] && break
        # 0.1 s steps, 120 s at most
        _sde_i=$((_sde_i + 1))
        if [ "$_sde_i" -gt 1200 ]; then
            warn "sde-test: $_sde_n SCSI devices, expected $_sde_want"
            break
        fi
        sleep 0.1
    done
fi
echo "<6>sde-test: $_sde_n SCSI devices, settling udev" > /dev/kmsg
udevadm settle --timeout=60 > /dev/null 2>&1

/sbin/sde-report pre-mount
echo "<6>sde-test: pre-mount report done" > /dev/kmsg

if [ "$(getarg sde.stop=)" != none ]; then
    echo o > /proc/sysrq-trigger
    # the power-off is asynchronous: keep init from going on meanwhile
    sleep 30
fi
unset _sde_want _sde_i _sde_n _sde_d
