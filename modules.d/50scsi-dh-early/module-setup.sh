#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154  # dracut sets kernel, srcmods, initdir, moddir, systemdsystemunitdir
#
# scsi-dh-early: load the SCSI device handlers (scsi_dh_alua, scsi_dh_emc,
# scsi_dh_rdac, scsi_dh_hp_sw) before any HBA driver scans its LUNs, and check
# every LUN once udev has settled.  See scsi-dh-early(8).
#
# The helper is taken from ${SCSI_DH_EARLY_BIN:-/usr/sbin/scsi-dh-early} and
# the configuration from ${SCSI_DH_EARLY_SYSCONFDIR:-/etc}, both under dracut's
# --sysroot; in the image they are always /usr/sbin/scsi-dh-early and
# /etc/scsi-dh-early.conf.

# Run the helper for the kernel being built: scsi_dh_early_helper COMMAND...
# It runs in a root of its own that holds only the configuration (etc, a link
# to the real one), with --moddir for the kernel's modules, so that the build
# host's /proc/cmdline, /sys and /dev/kmsg neither shape the image nor receive
# its log lines.  After scsi_dh_early_config has found the configuration
# broken, the root's etc is empty instead: the default policy, which is what
# the boot falls back to.  Prints the helper's stdout; its stderr goes to
# dracut's log as warnings.  File names in both are those of the real
# configuration.  Returns the helper's exit status.
scsi_dh_early_helper() {
    local _bin=${SCSI_DH_EARLY_BIN:-/usr/sbin/scsi-dh-early}
    local _etc=${SCSI_DH_EARLY_SYSCONFDIR:-$dracutsysrootdir/etc}
    local _dir=${DRACUT_TMPDIR:?}/scsi-dh-early
    local _root=$_dir/config _rc=0 _line

    if [[ ! -d $_dir/config ]]; then
        mkdir -p "$_dir/config" "$_dir/defaults/etc"
        ln -s "$_etc" "$_dir/config/etc"
    fi
    [[ -e $_dir/broken ]] && _root=$_dir/defaults

    "$dracutsysrootdir$_bin" --sysroot "$_root" --kver "$kernel" --moddir "${srcmods%/}" \
        --no-kmsg "$@" < /dev/null > "$_dir/stdout" 2> "$_dir/stderr" || _rc=$?
    while IFS= read -r _line || [[ $_line ]]; do
        printf '%s\n' "${_line//"$_root/etc"/"$_etc"}"
    done < "$_dir/stdout"
    while IFS= read -r _line || [[ $_line ]]; do
        _line=${_line//"$_root/etc"/"$_etc"}
        dwarn "scsi-dh-early: ${_line#scsi-dh-early: }"
    done < "$_dir/stderr"
    return "$_rc"
}

# Resolve the configuration for the kernel being built into FILE:
# scsi_dh_early_config FILE.  Returns 0 when FILE holds the resolved
# configuration; otherwise (errors in it, FILE:LINE: messages already in
# dracut's log) marks it broken, so that the helper runs with the defaults
# from then on, and returns 1.
scsi_dh_early_config() {
    local _dir=${DRACUT_TMPDIR:?}/scsi-dh-early _rc=0

    [[ -e $_dir/broken ]] && return 1
    mkdir -p "$_dir"
    scsi_dh_early_helper resolve > "$1" || _rc=$?
    ((_rc == 0)) && return 0
    : > "$_dir/broken"
    if ((_rc == 2)); then
        dwarn "scsi-dh-early: errors in the configuration: the image preloads the default handlers and changes nothing at boot"
    else
        dwarn "scsi-dh-early: 'scsi-dh-early resolve' failed (exit status $_rc): the image preloads the default handlers"
    fi
    return 1
}

# called by dracut
check() {
    require_binaries "${SCSI_DH_EARLY_BIN:-/usr/sbin/scsi-dh-early}" || return 1
    # Only when asked for: dracut.conf.d/50-scsi-dh-early.conf, --add scsi-dh-early.
    return 255
}

# called by dracut
depends() {
    return 0
}

# called by dracut
installkernel() {
    local _dir=${DRACUT_TMPDIR:?}/scsi-dh-early
    local -a _mods

    # install() has run first unless this is a --kernel-only build.
    [[ -e $_dir/resolved ]] || [[ -e $_dir/broken ]] \
        || { scsi_dh_early_config "$_dir/resolved.conf" && : > "$_dir/resolved"; }

    # The preload handlers that are modules of this kernel (built-in ones are
    # left out), also in host-only mode where the host has not loaded them.
    mapfile -t _mods < <(scsi_dh_early_helper modules)
    ((${#_mods[@]} > 0)) || return 0
    hostonly='' instmods "${_mods[@]}" \
        || dwarn "scsi-dh-early: could not install all of the handler modules ${_mods[*]}"
    return 0
}

# called by dracut
install() {
    local _etc=${SCSI_DH_EARLY_SYSCONFDIR:-$dracutsysrootdir/etc}
    local _dir=${DRACUT_TMPDIR:?}/scsi-dh-early
    local _f _kmod _modprobe _late

    inst_binary "${SCSI_DH_EARLY_BIN:-/usr/sbin/scsi-dh-early}" /usr/sbin/scsi-dh-early

    # The configuration with its owner rules resolved for this kernel.  When it
    # has errors, the files themselves: the boot then logs the errors and falls
    # back to preloading the default handlers without changing anything.
    mkdir -p "$initdir/etc"
    if scsi_dh_early_config "$_dir/resolved.conf"; then
        : > "$_dir/resolved"
        cp -- "$_dir/resolved.conf" "$initdir/etc/scsi-dh-early.conf"
    else
        [[ -f $_etc/scsi-dh-early.conf ]] \
            && cp -- "$_etc/scsi-dh-early.conf" "$initdir/etc/scsi-dh-early.conf"
        for _f in "$_etc"/scsi-dh-early.conf.d/*.conf; do
            [[ -f $_f ]] || continue
            mkdir -p "$initdir/etc/scsi-dh-early.conf.d"
            cp -- "$_f" "$initdir/etc/scsi-dh-early.conf.d/"
        done
    fi

    # The rule for LUNs added after the sweep, made from the policy; none at
    # all (comments only) for a kernel without device handlers (CONFIG_SCSI_DH
    # not set, "modules" has said so): then neither it, the late path nor the
    # softdeps go into the image, and the sweep only says why at boot.
    _late=1
    if scsi_dh_early_helper rules > "$_dir/66-scsi-dh-early.rules"; then
        grep -q '^[^#]' "$_dir/66-scsi-dh-early.rules" || _late=
    else
        dwarn "scsi-dh-early: 'scsi-dh-early rules' failed: the image has the default policy's rule for late LUNs"
        cp -- "$moddir/66-scsi-dh-early.rules" "$_dir/66-scsi-dh-early.rules"
    fi

    # softdep lines: whoever loads scsi_mod or an HBA driver (udev, rd.driver.pre=,
    # modules-load.d) loads the handlers first.
    if [[ $_late ]] && scsi_dh_early_helper softdeps > "$_dir/softdeps.conf"; then
        mkdir -p "$initdir/etc/modprobe.d"
        cp -- "$_dir/softdeps.conf" "$initdir/etc/modprobe.d/scsi-dh-early.conf"
    elif [[ $_late ]]; then
        dwarn "scsi-dh-early: no softdeps for kernel $kernel: HBA drivers loaded before the preload come up without handlers"
    fi

    # kmod's modprobe: busybox's ignores softdep.  The busybox module (05) links
    # its applets over whatever is there; put kmod back for modprobe.
    inst_multiple -o kmod
    if _kmod=$(find_binary kmod) && _modprobe=$(find_binary modprobe) \
        && [[ -L $initdir$_modprobe ]] && [[ $(readlink "$initdir$_modprobe") == *busybox ]]; then
        ln_r "$_kmod" "$_modprobe"
    fi

    inst_hook cmdline 00 "$moddir/parse-scsi-dh.sh"
    if dracut_module_included "systemd"; then
        # Units instead of hooks: the preload must come before
        # systemd-modules-load.service, which is not ordered after
        # dracut-cmdline.service, and the sweep after udev's coldplug, which
        # dracut-pre-mount.service is not ordered after.
        inst_simple "$moddir/scsi-dh-preload.sh" /usr/lib/scsi-dh-early/scsi-dh-preload.sh
        inst_simple "$moddir/scsi-dh-apply.sh" /usr/lib/scsi-dh-early/scsi-dh-apply.sh
        inst_simple "$moddir/scsi-dh-early-preload.service" \
            "$systemdsystemunitdir/scsi-dh-early-preload.service"
        inst_simple "$moddir/scsi-dh-early-apply.service" \
            "$systemdsystemunitdir/scsi-dh-early-apply.service"
        $SYSTEMCTL -q --root "$initdir" enable scsi-dh-early-preload.service \
            scsi-dh-early-apply.service
    else
        # cmdline 00 sorts after parse-scsi-dh.sh and before 90kernel-modules'
        # rd.driver.pre= (cmdline 01) and udev; pre-mount runs once, after the
        # initqueue has settled udev.
        inst_hook cmdline 00 "$moddir/scsi-dh-preload.sh"
        inst_hook pre-mount 05 "$moddir/scsi-dh-apply.sh"
    fi
    # LUNs added after the sweep: the rule made from the policy starts nothing
    # for a LUN that needs nothing; scsi-dh-late coalesces the rest into few
    # sweeps.  The rule of the module's directory (the default policy's)
    # stands in when the helper cannot make one.
    [[ $_late ]] || return 0
    # scsi-dh-late's commands; flock(1) holds its lock (util-linux's, or
    # busybox's: it asks for nothing but -n and -u on a descriptor)
    inst_multiple udevadm flock mkdir rmdir rm sleep
    inst_multiple -o timeout setsid
    inst_script "$moddir/scsi-dh-late" /usr/lib/scsi-dh-early/scsi-dh-late
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/scsi-dh-early-late@.service" \
            "$systemdsystemunitdir/scsi-dh-early-late@.service"
    fi
    inst_rules "$_dir/66-scsi-dh-early.rules"
}
