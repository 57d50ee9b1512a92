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
    # The classic init has settled already; a systemd initramfs has only
    # triggered the coldplug.  Bounded: a stuck event must not hold the boot.
    udevadm settle --timeout=30 > /dev/null 2>&1
    # -q: the helper logs its one summary line to /dev/kmsg itself; vinfo would
    # copy every line of its report there too.  Only errors come through.
    scsi-dh-early -q apply < /dev/null 2>&1 | vinfo
fi
