#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bench-only dracut module (make bench, section boot): puts a wrapper in place
# of /usr/sbin/scsi-dh-early that runs the helper and writes the CPU time it
# took (user and system, from the shell's `times`) to the report port of the
# boot harness.  Never part of a real image: include it with
# "--add sde-cputime", after scsi-dh-early (which installs the helper).

# shellcheck disable=SC2154  # initdir and moddir are set by dracut

# called by dracut
check() {
    return 255
}

# called by dracut
depends() {
    echo scsi-dh-early
    return 0
}

# called by dracut
install() {
    local helper=$initdir/usr/sbin/scsi-dh-early
    if [ ! -e "$helper" ] || [ -e "$helper.real" ]; then
        dfatal "sde-cputime: $helper missing, or wrapped already"
        return 1
    fi
    mv "$helper" "$helper.real"
    inst_script "$moddir/cputime-wrap.sh" /usr/sbin/scsi-dh-early
}
