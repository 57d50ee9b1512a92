#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The sweep: one helper run over every SCSI device, once udev has settled.  It
# attaches the expected handler to LUNs that came up without one, detaches
# handlers from LUNs a third-party multipath driver owns, writes
# /run/scsi-dh-early/status.{json,txt} and one summary line to /dev/kmsg.  It
# creates /run/scsi-dh-early/swept first: from then on the udev rule handles
# LUNs added later, one by one.  Sourced at pre-mount by the classic init, and
# by scsi-dh-early-apply.service in a systemd initramfs.  Whatever the helper
# returns, the boot goes on.

# shellcheck disable=SC1091  # dracut-lib.sh is the initramfs's, not in this tree
type getargbool > /dev/null 2>&1 || . /lib/dracut-lib.sh

if getargbool 1 rd.scsi_dh; then
    # A systemd initramfs starts the sweep once the coldplug is triggered, not
    # done, and the classic init's initqueue stops waiting once the root is
    # there: an HBA whose event is still queued (its driver not loaded yet)
    # scans after a sweep that did not wait for it.  Bounded by
    # rd.scsi_dh.settle= (seconds, default 120, udevadm's own): a stuck event
    # must not hold the boot; when the bound is hit the log says so.
    _sde_settle=$(getarg rd.scsi_dh.settle=)
    # at most 240: the systemd unit's 5-minute bound leaves the helper a minute
    case $_sde_settle in
    '') _sde_settle=120 ;;
    *[!0-9]* | ????*)
        echo "<4>scsi-dh-early: rd.scsi_dh.settle=$_sde_settle: not a number of seconds (0-240); waiting 120 s at most" > /dev/kmsg
        _sde_settle=120
        ;;
    *)
        if [ "$_sde_settle" -gt 240 ]; then
            echo "<4>scsi-dh-early: rd.scsi_dh.settle=$_sde_settle: more than 240 s; waiting 240 s at most" > /dev/kmsg
            _sde_settle=240
        fi
        ;;
    esac
    if ! udevadm settle --timeout="$_sde_settle" > /dev/null 2>&1; then
        echo "<4>scsi-dh-early: udev has not settled in $_sde_settle s (rd.scsi_dh.settle=): the sweep takes the LUNs there now, the udev rule those that come later" > /dev/kmsg
    fi
    unset _sde_settle
    # -q: the helper logs its one summary line to /dev/kmsg itself; vinfo would
    # copy every line of its report there too.  Only errors come through.
    scsi-dh-early -q apply < /dev/null 2>&1 | vinfo
fi
