#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cmdline hook: rd.scsi_dh=0 switches scsi-dh-early off for this boot.  The
# other hooks and the initramfs units read rd.scsi_dh themselves (the preload
# may run before this hook); the marker left here tells the real root's
# scsi-dh-early.service, and with it the udev rule, to stay off too, even when
# the option came from /etc/cmdline.d rather than the kernel command line.

# shellcheck disable=SC1091  # dracut-lib.sh is the initramfs's, not in this tree
type getargbool > /dev/null 2>&1 || . /lib/dracut-lib.sh

if ! getargbool 1 rd.scsi_dh; then
    info "scsi-dh-early: disabled by rd.scsi_dh=$(getarg rd.scsi_dh)"
    mkdir -p /run/scsi-dh-early && : > /run/scsi-dh-early/disabled
fi
