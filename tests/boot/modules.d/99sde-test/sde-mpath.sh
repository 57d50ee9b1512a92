#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What multipathd and dm-multipath made of the array, as "array|mpath_..."
# records (tests/boot/array.sh reads them).  A library of POSIX sh functions
# with nothing of dracut's: sde-array.sh sources it in the initramfs, and the
# real root's report (tests/boot/realroot.sh) in the real root, where
# multipathd.service has taken the maps over.

# multipathd runs and answers
sde_array_mpathd() {
    command -v multipathd > /dev/null 2>&1 && multipathd show daemon > /dev/null 2>&1
}

# what multipathd and dm-multipath made of the array: one record per map,
# per path, and per path its path group's priority and status as
# "multipathd show topology" (multipath -ll) prints them
sde_array_mpath_report() {
    sde_array_mpathd || {
        echo "array|mpath_daemon|none"
        return 0
    }
    echo "array|mpath_daemon|running"
    multipathd show maps raw format "%w|%N|%h|%t" 2> /dev/null |
        sed 's/ *| */|/g; s/^ *//; s/ *$//; s/^/array|mpath_map|/'
    multipathd show paths raw format "%i|%w|%t|%o|%T|%p" 2> /dev/null |
        sed 's/ *| */|/g; s/^ *//; s/ *$//; s/^/array|mpath_path|/'
    multipathd show topology 2> /dev/null | awk '
        /policy=.*prio=/ {
            prio = $0; sub(/.*prio=/, "", prio); sub(/ .*/, "", prio)
            st = $0; sub(/.*status=/, "", st); sub(/ .*/, "", st)
            next
        }
        match($0, /[0-9]+:[0-9]+:[0-9]+:[0-9]+/) {
            print "array|mpath_pg|" substr($0, RSTART, RLENGTH) "|" prio "|" st
        }'
    # multipathd's own log, where a journal keeps it (a systemd initramfs)
    if command -v journalctl > /dev/null 2>&1; then
        journalctl -b -q --no-pager -o cat -p warning -u multipathd.service 2> /dev/null |
            sed 's/^/array|mpath_log|/'
        journalctl -b -q --no-pager -o short-monotonic -p warning -u systemd-udevd.service \
            2> /dev/null | sed 's/^/array|udev_log|/'
        # the tables multipathd loaded, in order ("WWID: addmap [0 SIZE
        # multipath PARAMS]", libmultipath's dm_addmap, verbosity 2), and
        # each priority it computed ("sdX: sysfs prio = 1", get_prio,
        # verbosity 3): sysfs is access_state, alua its own RTPG
        journalctl -b -q --no-pager -o cat -u multipathd.service 2> /dev/null | sed -n \
            -e 's/^\(.*: \(addmap\|reload\) \[0 [0-9]* multipath .*\)$/array|mpath_table|\1/p' \
            -e 's/^\([a-z0-9]*\): \([a-z0-9_]*\) prio = \([0-9]*\)$/array|mpath_prio|\1|\2|\3/p' \
            -e 's/^\(.*\(checker failed\|mark as failed\|reinstat\|path .* down\).*\)$/array|mpath_down|\1/p'
    fi
}
