#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sde.array=standby|unavailable: build an ALUA array from the kernel's own
# SCSI target (LIO) inside the guest, and measure what its passive paths cost.
#
#   rd_mcp RAM disks, one per LUN (sde.array.luns=N, default 16), each exported
#   through two tcm_loop targets: two SCSI hosts, two paths per LUN.  Path A's
#   ports sit in target port group "a" (id 1, active/optimized); path B's ports
#   stay in the device's default_tg_pt_gp (id 0), switched to standby (or
#   unavailable) before B's LUN symlink is made.  Implicit ALUA only.
#
# Why this order (drivers/target/loopback/tcm_loop.c, tcm_loop_port_link):
# linking a LUN into a tcm_loop TPG calls scsi_add_device() at once, so the
# LUN is scanned when its symlink appears, and a new LUN port starts in the
# device's default port group (target_core_alua.c, target_attach_tg_pt_gp from
# core_tpg_add_lun).  LIO then rejects READs on a standby port with NOT READY,
# "asymmetric access state standby" (core_alua_state_standby).
#
# sde.array.best=1: "the kernel's best": modprobe scsi_dh_alua by hand right
# before the first LUN link.  sde.array.order=a-first: every A path, then
# every B path (default: interleaved, A and B of each LUN in turn).
# sde.array.hold=1: sd bound to each B path by hand once its port state is
# known (sde_array_bind).
#
# Measured, written to /run/sde-array.out as "array|..." records (sde-report
# prints them): per path the handler state, ioerr_cnt, failed commands and
# failed READs seen by the scsi trace events, LIO's per-port in_cmds and
# read_mbytes; the kernel's I/O error lines and "callbacks suppressed" counts;
# the time from the first LUN link to udev settle; alua's port group lines per
# path, detaches, dm-multipath's failed paths; with multipathd in the image
# (dracut's multipath module), the time until every LUN has its map of two
# paths, and each map, path and path group as multipathd shows them.
# Run by sde-pre-mount before its report: udev runs, coldplug is over, the
# project's preload (cmdline) and sweep (pre-mount 05) have run, so the LUNs
# arrive as they do when an HBA is loaded during the boot: scanned at once,
# probed by sd, read by the partition scan and udev's blkid.

# shellcheck disable=SC1091  # the initramfs's: dracut's, or initramfs-tools'
# stand-in of the test hook
if ! type getarg > /dev/null 2>&1; then
    if [ -f /lib/dracut-lib.sh ]; then
        . /lib/dracut-lib.sh
    else
        . /lib/sde-test-lib.sh
    fi
fi
# shellcheck source=sde-mpath.sh
. /lib/sde-mpath.sh

# sde_array_w VALUE FILE: one configfs write; a failure is logged and fatal
# for the array (the report says so)
sde_array_w() {
    if ! echo "$1" > "$2"; then
        echo "<3>sde-array: cannot write '$1' to $2" > /dev/kmsg
        return 1
    fi
}

# uptime in milliseconds (the kernel gives hundredths; "08" is no octal)
sde_array_ms() {
    read -r _up _ < /proc/uptime
    _cs=${_up#*.}
    echo $((${_up%.*} * 1000 + ${_cs#0} * 10))
}

# sde_array_bind HCTL: bind sd to a held B path once alua's first REPORT
# TARGET PORT GROUPS has told its port state, that is once access_state has
# left the active/optimized its port group starts with (alua_alloc_pg), 5 s
# at most: what holding the probe could give at best, were the hold told
# when the RTPG is done
sde_array_bind() {
    _j=0
    while [ "$_j" -lt 500 ]; do
        _s=
        read -r _s < "/sys/class/scsi_device/$1/device/access_state" 2> /dev/null
        [ -n "$_s" ] && [ "$_s" != active/optimized ] && break
        sleep 0.01
        _j=$((_j + 1))
    done
    echo "array|hold_ms|$1|$((_j * 10))"
    sde_array_w "$1" /sys/bus/scsi/drivers/sd/bind
}

sde_array_build() {
    _state=$1 _luns=$2 _best=$3 _order=$4 _hold=$5
    case $_state in
    standby) _code=2 ;;
    unavailable) _code=3 ;;
    *)
        echo "<3>sde-array: unknown state '$_state'" > /dev/kmsg
        return 1
        ;;
    esac
    modprobe configfs
    [ -d /sys/kernel/config/target ] || mount -t configfs none /sys/kernel/config 2> /dev/null
    modprobe target_core_mod || return 1
    modprobe tcm_loop || return 1
    _t=/sys/kernel/config/target
    [ -d "$_t/loopback" ] || mkdir "$_t/loopback" || return 1

    # the scsi trace events, before anything is scanned
    _tr=/sys/kernel/tracing
    [ -e "$_tr/trace" ] || mount -t tracefs nodev "$_tr" 2> /dev/null
    sde_array_w 16384 "$_tr/buffer_size_kb"
    sde_array_w 1 "$_tr/events/scsi/scsi_dispatch_cmd_done/enable"

    # the two initiator-side SCSI hosts (tcm_loop_make_scsi_hba registers the
    # host, tcm_loop_make_nexus the I_T nexus); no LUNs yet
    for _p in a b; do
        _w=$_t/loopback/naa.50014050000000${_p}0
        mkdir "$_w" "$_w/tpgt_1" || return 1
        sde_array_w "naa.50014050000000${_p}1" "$_w/tpgt_1/nexus" || return 1
    done
    _wa=$_t/loopback/naa.50014050000000a0/tpgt_1
    _wb=$_t/loopback/naa.50014050000000b0/tpgt_1

    # the backstores: 1 MiB RAM disks; their directories, the LUN directories
    # of both TPGs and the port groups "a" first, one mkdir each (forks are
    # slow under emulation; a LUN directory alone scans nothing)
    _i=0 _dirs='' _luns_a='' _luns_b='' _gps=''
    while [ "$_i" -lt "$_luns" ]; do
        _dirs="$_dirs $_t/core/rd_mcp_0/lun$_i"
        _luns_a="$_luns_a $_wa/lun/lun_$_i"
        _luns_b="$_luns_b $_wb/lun/lun_$_i"
        _gps="$_gps $_t/core/rd_mcp_0/lun$_i/alua/a"
        _i=$((_i + 1))
    done
    # shellcheck disable=SC2086  # word splitting on purpose: paths without blanks
    mkdir -p $_dirs && mkdir $_luns_a $_luns_b || return 1
    _i=0
    while [ "$_i" -lt "$_luns" ]; do
        _d=$_t/core/rd_mcp_0/lun$_i
        sde_array_w rd_pages=256 "$_d/control" || return 1
        # a unit serial, or LIO lists no VPD pages (spc_emulate_evpd_00) and
        # the initiator never sees the port group of VPD page 0x83
        # (scsi_dh_alua: "No target port descriptors found").  Its first hex
        # digits make the LUN's NAA designator (spc_gen_naa_6h_vendor_specific):
        # the LUN number goes first, or every LUN would share one designator
        # and scsi_dh_alua one port group for all of them.
        _s=000$_i
        _s=${_s#"${_s%????}"}
        sde_array_w "${_s}c3d4-0000-4000-8000-00000000a1b2" "$_d/wwn/vpd_unit_serial" ||
            return 1
        sde_array_w 1 "$_d/enable" || return 1
        sde_array_w 1 "$_d/alua/default_tg_pt_gp/alua_access_type" || return 1
        _i=$((_i + 1))
    done
    # shellcheck disable=SC2086
    mkdir $_gps || return 1
    _i=0
    while [ "$_i" -lt "$_luns" ]; do
        _d=$_t/core/rd_mcp_0/lun$_i
        sde_array_w 1 "$_d/alua/a/tg_pt_gp_id" || return 1
        sde_array_w 1 "$_d/alua/a/alua_access_type" || return 1
        _i=$((_i + 1))
    done

    # path A's SCSI host: tcm_loop made it first, the lower number
    _ha=
    for _h in $(cd /sys/class/scsi_host && for _x in host*; do echo "${_x#host}"; done | sort -n); do
        read -r _pn < "/sys/class/scsi_host/host$_h/proc_name"
        [ "$_pn" = tcm_loopback ] && _ha=$_h && break
    done
    [ -n "$_ha" ] || return 1
    _hb=
    for _h in $(cd /sys/class/scsi_host && for _x in host*; do echo "${_x#host}"; done | sort -n); do
        [ "$_h" -gt "$_ha" ] || continue
        read -r _pn < "/sys/class/scsi_host/host$_h/proc_name"
        [ "$_pn" = tcm_loopback ] && _hb=$_h && break
    done
    [ -n "$_hb" ] || return 1

    [ "$_best" = 1 ] && modprobe scsi_dh_alua
    # sde.array.hold=1: no driver binds to a new SCSI device by itself
    # (drivers_autoprobe of the scsi bus, drivers/base/bus.c), so sd does not
    # probe it, read its partition table or announce a disk to udev, until
    # sde_array_bind binds it
    # (sd itself loaded first: udev would load it for the first disk, but
    # only when that uevent is handled, after the first bind)
    if [ "$_hold" = 1 ]; then
        modprobe sd_mod || return 1
        sde_array_w 0 /sys/bus/scsi/drivers_autoprobe || return 1
    fi
    _t0=$(sde_array_ms)
    # path A: scanned in the default group (active/optimized), then moved to
    # group "a" and rescanned, so that the initiator's VPD page 0x83 and
    # scsi_dh_alua's port group (alua_rescan) name group 1, as they would had
    # A been in "a" from the start; only then the default group goes standby,
    # for B.  (Without the rescan A keeps group 0 and shares B's state.)
    # scsi_add_device(host, 0, tpgt 1, lun).  Interleaved (A and B of one LUN,
    # then the next), or with sde.array.order=a-first every A path first, then
    # every B path, as an HBA whose first port sees the whole array before
    # its second port does.
    _i=0
    while [ "$_i" -lt "$_luns" ]; do
        _d=$_t/core/rd_mcp_0/lun$_i
        ln -s "$_d" "$_wa/lun/lun_$_i/port" || return 1
        sde_array_w a "$_wa/lun/lun_$_i/alua_tg_pt_gp" || return 1
        sde_array_w 1 "/sys/class/scsi_device/$_ha:0:1:$_i/device/rescan" || return 1
        [ "$_hold" = 1 ] && { sde_array_w "$_ha:0:1:$_i" /sys/bus/scsi/drivers/sd/bind || return 1; }
        if [ "$_order" != a-first ]; then
            sde_array_w "$_code" "$_d/alua/default_tg_pt_gp/alua_access_state" || return 1
            ln -s "$_d" "$_wb/lun/lun_$_i/port" || return 1
            [ "$_hold" = 1 ] && { sde_array_bind "$_hb:0:1:$_i" || return 1; }
        fi
        _i=$((_i + 1))
    done
    _i=0
    while [ "$_order" = a-first ] && [ "$_i" -lt "$_luns" ]; do
        _d=$_t/core/rd_mcp_0/lun$_i
        sde_array_w "$_code" "$_d/alua/default_tg_pt_gp/alua_access_state" || return 1
        ln -s "$_d" "$_wb/lun/lun_$_i/port" || return 1
        [ "$_hold" = 1 ] && { sde_array_bind "$_hb:0:1:$_i" || return 1; }
        _i=$((_i + 1))
    done
    [ "$_hold" = 1 ] && { sde_array_w 1 /sys/bus/scsi/drivers_autoprobe || return 1; }
    udevadm settle --timeout=600 > /dev/null 2>&1
    _t1=$(sde_array_ms)
    echo "array|settle_ms|$((_t1 - _t0))"
    # with multipathd (dracut's multipath module): its maps come from the
    # uevents, after udev settles; wait until every LUN has a map of 2 paths
    if sde_array_mpathd; then
        _i=0
        while [ "$_i" -lt 1200 ]; do
            _n=$(multipathd show maps raw format "%N" 2> /dev/null | awk '$1 == 2' | wc -l)
            [ "$_n" -ge "$_luns" ] && break
            sleep 0.1
            _i=$((_i + 1))
        done
        udevadm settle --timeout=120 > /dev/null 2>&1
        echo "array|mpath_ms|$(($(sde_array_ms) - _t0))"
    fi
    sde_array_w 0 "$_tr/events/scsi/scsi_dispatch_cmd_done/enable"
    return 0
}

sde_array_report() {
    _state=$1 _luns=$2 _best=$3 _order=$4 _hold=$5
    _t=/sys/kernel/config/target
    echo "array|state|$_state"
    echo "array|order|$_order"
    echo "array|hold|$_hold"
    echo "array|luns|$_luns"
    echo "array|best|$_best"
    for _p in a b; do
        _w=$_t/loopback/naa.50014050000000${_p}0/tpgt_1
        # scsi_add_device(sh, 0, tpgt, lun): the target id is the TPG tag (1)
        _i=0
        while [ "$_i" -lt "$_luns" ]; do
            _s=$_w/lun/lun_$_i/statistics/scsi_tgt_port
            _in=- _mb=- _gp=-
            read -r _in < "$_s/in_cmds"
            read -r _mb < "$_s/read_mbytes"
            read -r _ _ _ _gp < "$_w/lun/lun_$_i/alua_tg_pt_gp"
            echo "array|lio|$_p|$_i|$_in|$_mb|$_gp"
            _i=$((_i + 1))
        done
    done
    # which host is which path: host numbers grow in creation order (a first)
    _p=a
    for _h in $(cd /sys/class/scsi_host && for _x in host*; do echo "${_x#host}"; done | sort -n); do
        [ "$(cat "/sys/class/scsi_host/host$_h/proc_name" 2> /dev/null)" = tcm_loopback ] || continue
        echo "array|host|$_p|$_h"
        _p=b
    done
    for _dev in /sys/class/scsi_device/*/device; do
        [ -e "$_dev/ioerr_cnt" ] || continue
        _hctl=${_dev%/device}
        _hctl=${_hctl##*/}
        _blk=-
        for _b in "$_dev"/block/*; do
            [ -e "$_b" ] && _blk=${_b##*/}
        done
        # the kernel prints these counters in hex
        read -r _e < "$_dev/ioerr_cnt"
        read -r _n < "$_dev/iodone_cnt"
        echo "array|dev|$_hctl|$_blk|$((_e))|$((_n))"
    done
    # one record per path with failed commands, from the trace buffer:
    # hctl, failed READs, all failed commands
    awk '/scsi_dispatch_cmd_done:/ {
        h = ""; op = ""; bad = 0
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^host_no=/) { sub(/^host_no=/, "", $i); h = $i }
            else if ($i ~ /^channel=/) { sub(/^channel=/, "", $i); h = h ":" $i }
            else if ($i ~ /^id=/) { sub(/^id=/, "", $i); h = h ":" $i }
            else if ($i ~ /^lun=/) { sub(/^lun=/, "", $i); h = h ":" $i }
            else if ($i ~ /^cmnd=\(/) { op = substr($i, 7) }
            else if ($i ~ /^host=/ && $i != "host=DID_OK") bad = 1
            else if ($i ~ /^status=/ && $i != "status=SAM_STAT_GOOD)") bad = 1
        }
        n[h]++
        if (bad) { f[h]++; fo[op]++; if (op ~ /^READ_(6|10|12|16)$/) r[h]++ }
    }
    END {
        for (h in n) printf "array|trace|%s|%d|%d|%d\n", h, n[h], f[h], r[h]
        for (o in fo) printf "array|trace_failed_op|%s|%d\n", o, fo[o]
    }' \
        /sys/kernel/tracing/trace
    echo "array|trace_overrun|$(sed -n 's/^overrun: //p' /sys/kernel/tracing/per_cpu/cpu0/stats)"
    echo "array|trace_format|$(grep -m1 -o 'result=([^)]*)' /sys/kernel/tracing/trace)"
    dmesg > /tmp/sde-array.dmesg 2>&1
    echo "array|ioerr_lines|$(grep -c 'I/O error, dev' /tmp/sde-array.dmesg)"
    echo "array|buferr_lines|$(grep -c 'Buffer I/O error' /tmp/sde-array.dmesg)"
    echo "array|failed_lines|$(grep -c 'FAILED Result' /tmp/sde-array.dmesg)"
    # the sense LIO returns, as the kernel decodes it (asc/ascq 04/0b, 04/0c)
    echo "array|sense_standby|$(grep -c 'target port in standby state' /tmp/sde-array.dmesg)"
    echo "array|sense_unavailable|$(grep -c 'target port in unavailable state' /tmp/sde-array.dmesg)"
    sed -n 's/^.*\] \([A-Za-z0-9_]*\): \([0-9]*\) callbacks suppressed$/array|suppressed|\1|\2/p' \
        /tmp/sde-array.dmesg
    # who touched the handlers: alua's port group line, printed by every
    # REPORT TARGET PORT GROUPS that completes (alua_rtpg), per path; any
    # detach (scsi_dh_handler_detach); dm-multipath failing a path
    sed -n 's/^.*\] sd \([0-9:]*\): alua: port group .* state .*/\1/p' /tmp/sde-array.dmesg |
        sort | uniq -c | awk '{ print "array|tpgs|" $2 "|" $1 }'
    # the paths' block devices, as dm-multipath's tables and multipathd name them
    for _b in /sys/bus/scsi/devices/*:*:*:*/block/*/dev; do
        [ -e "$_b" ] || continue
        _h=${_b#/sys/bus/scsi/devices/}
        _n=${_b%/dev}
        echo "array|blk|${_h%%/*}|$(cat "$_b")|${_n##*/}"
    done
    echo "array|dh_detached_lines|$(grep -c ': Detached$' /tmp/sde-array.dmesg)"
    echo "array|dm_mpath_fail_lines|$(grep -c 'multipath: .*Failing path' /tmp/sde-array.dmesg)"
    # each failed path with the kernel lines before it: why it failed
    # (an I/O error dm-mpath saw, multipath_end_io; or multipathd's checker,
    # the "fail_path" message)
    grep -B4 'multipath: .*Failing path' /tmp/sde-array.dmesg | sed 's/^/array|dm_mpath_fail|/'
    sde_array_mpath_report
}

_sde_array=$(getarg sde.array=)
if [ -n "$_sde_array" ]; then
    _sde_luns=$(getarg sde.array.luns=)
    _sde_best=$(getarg sde.array.best=)
    _sde_order=$(getarg sde.array.order=)
    _sde_hold=$(getarg sde.array.hold=)
    echo "<6>sde-array: building a $_sde_array array of ${_sde_luns:-16} LUNs x 2 paths" > /dev/kmsg
    {
        if sde_array_build "$_sde_array" "${_sde_luns:-16}" "${_sde_best:-0}" \
            "${_sde_order:-interleaved}" "${_sde_hold:-0}"; then
            echo "array|built|yes"
        else
            echo "array|built|no"
        fi
        sde_array_report "$_sde_array" "${_sde_luns:-16}" "${_sde_best:-0}" \
            "${_sde_order:-interleaved}" "${_sde_hold:-0}"
    } > /run/sde-array.out 2>&1
    echo "<6>sde-array: done" > /dev/kmsg
fi
unset _sde_array _sde_luns _sde_best _sde_order _sde_hold
