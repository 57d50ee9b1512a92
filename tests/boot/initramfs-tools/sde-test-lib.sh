# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# What the test scripts of 99sde-test take from dracut-lib.sh, for an
# initramfs-tools image: getarg KEY= (the value of the last KEY=VALUE on the
# kernel command line) and warn MESSAGE (to the kernel log).

getarg() {
    _sde_key=${1%=}
    _sde_val=
    _sde_found=1
    read -r _sde_cl < /proc/cmdline
    for _sde_a in $_sde_cl; do
        case $_sde_a in
        "$_sde_key="*) _sde_val=${_sde_a#"$_sde_key="} _sde_found=0 ;;
        esac
    done
    [ "$_sde_found" = 0 ] && printf '%s\n' "$_sde_val"
}

warn() {
    echo "<4>$*" > /dev/kmsg
}
