#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sde-report NAME: print what the boot test checks, between the lines
# "@@SDE-BEGIN NAME@@" and "@@SDE-END NAME@@", one record per line, fields
# separated by "|":
#   cmdline|<kernel command line>
#   dev|H:C:T:L|<host proc_name>|<vendor>|<model>|<dh_state>|<access_state>
#       (access_state: "-" no such file, "unreadable" no handler attached)
#   mod|<loaded module>
#   kmsg|<kernel log line about scsi-dh-early or a refused detach>
#   helper|<arguments of a run of the helper, before this report's own>
#   status|<exit status of scsi-dh-early status --json, or "absent">
#   json|<a line of its output>
#   bootjson|<a line of /run/scsi-dh-early/status.json>
#   array|...   what sde-array measured (sde.array=), see sde-array.sh; the
#               file is $SDE_ARRAY_OUT, default /run/sde-array.out
# Output goes to the device named by sde.out= on the kernel command line
# (the harness uses a second serial port, /dev/ttyS1), else to /dev/console.

name=${1:-report}
out=/dev/console
# sde-array's records; the real root's report gives its own (realroot.sh)
array_out=${SDE_ARRAY_OUT:-/run/sde-array.out}
read -r cmdline < /proc/cmdline
for arg in $cmdline; do
    case $arg in
    sde.out=*) out=${arg#sde.out=} ;;
    esac
done

# read one sysfs attribute, blanks at both ends chopped; "-" when there is no
# such file, "unreadable" when reading it fails (access_state of a device
# without a handler: EINVAL)
# (no process per attribute: forks are slow under emulation)
attr() {
    if [ ! -e "$1" ]; then
        echo -
    elif read -r _v < "$1" 2>/dev/null; then
        echo "$_v"
    else
        echo unreadable
    fi
}

prefix() {
    sed -e "s/^/$1|/"
}

report() {
    echo "@@SDE-BEGIN $name@@"
    echo "cmdline|$(cat /proc/cmdline)"
    for d in /sys/class/scsi_device/*; do
        [ -e "$d/device" ] || continue
        hctl=${d##*/}
        dev=$d/device
        host=$(attr "/sys/class/scsi_host/host${hctl%%:*}/proc_name")
        echo "dev|$hctl|$host|$(attr "$dev/vendor")|$(attr "$dev/model")|$(attr "$dev/dh_state")|$(attr "$dev/access_state")"
    done
    while read -r mod _; do
        echo "mod|$mod"
    done < /proc/modules
    dmesg 2>/dev/null | grep -E "scsi-dh-early|can't detach handler" | prefix kmsg
    [ -r /run/sde-helper.log ] && prefix helper < /run/sde-helper.log
    if [ -x /usr/sbin/scsi-dh-early ]; then
        /usr/sbin/scsi-dh-early status --json > /tmp/sde-status.json 2>&1
        echo "status|$?"
        prefix json < /tmp/sde-status.json
    else
        echo "status|absent"
    fi
    if [ -r /run/scsi-dh-early/status.json ]; then
        prefix bootjson < /run/scsi-dh-early/status.json
    fi
    if [ -r "$array_out" ]; then
        cat "$array_out"
    fi
    echo "@@SDE-END $name@@"
}

# One open and close: the last close of a serial port waits until the output
# has drained, so nothing is lost when the machine powers off right after.
report > "$out" 2>&1
