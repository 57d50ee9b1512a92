#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Load the configured SCSI device handlers before any HBA driver scans its
# LUNs: a handler attaches at scan time only if its module is loaded by then.
# Sourced at cmdline 00 by the classic init (before 90kernel-modules loads the
# rd.driver.pre= modules at cmdline 01, and before udev starts), and by
# scsi-dh-early-preload.service in a systemd initramfs (before
# systemd-modules-load, systemd-udevd and dracut-pre-udev).  The helper has
# its own time limits and logs its summary line to /dev/kmsg; whatever it
# returns, the boot goes on.  With rd.scsi_dh=0 the softdeps go instead: they
# would load the handlers all the same.

# shellcheck disable=SC1091  # dracut-lib.sh is the initramfs's, not in this tree
type getargbool > /dev/null 2>&1 || . /lib/dracut-lib.sh

if getargbool 1 rd.scsi_dh; then
    # -q: the helper logs its summary line to /dev/kmsg itself; only errors here
    scsi-dh-early -q preload < /dev/null 2>&1 | vinfo
else
    rm -f /etc/modprobe.d/scsi-dh-early.conf
fi
