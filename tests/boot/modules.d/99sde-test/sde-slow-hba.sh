#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Test only, run by 05-sde-slow-hba.rules for the virtio-scsi HBA's coldplug
# event.  sde.slowhba=SECS: hold the event, so that the HBA's driver loads
# and its LUNs are scanned SECS seconds after scsi-dh-early's sweep has
# started (a systemd initramfs: once the sweep's unit is activating, 120 s at
# most; the classic init: SECS after the event).  Nothing without the option.

read -r _cmdline < /proc/cmdline
_secs=
for _arg in $_cmdline; do
    case $_arg in
    sde.slowhba=*) _secs=${_arg#sde.slowhba=} ;;
    esac
done
[ -n "$_secs" ] || exit 0
if command -v systemctl > /dev/null 2>&1; then
    _i=0
    while [ "$_i" -lt 600 ]; do
        case $(systemctl is-active scsi-dh-early-apply.service 2> /dev/null) in
        activating | active | failed) break ;;
        esac
        sleep 0.2
        _i=$((_i + 1))
    done
fi
echo "<6>sde-test: holding the virtio-scsi HBA for $_secs s" > /dev/kmsg
sleep "$_secs"
echo "<6>sde-test: the virtio-scsi HBA goes on" > /dev/kmsg
exit 0
