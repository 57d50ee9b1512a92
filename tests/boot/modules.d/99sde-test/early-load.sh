#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sde.early=MOD[,MOD...]: load these modules before anything else in the
# initramfs, ignoring every modprobe.d file (so no softdep applies), the way a
# driver built into the kernel or loaded by an earlier hook would come first.
# Module options still come from the kernel command line (MOD.param=value).
# Sourced as a cmdline hook by the classic init, run by sde-early-load.service
# in a systemd initramfs.

read -r _sde_cmdline < /proc/cmdline
for _sde_arg in $_sde_cmdline; do
    case $_sde_arg in
    sde.early=*)
        (
            IFS=,
            for _sde_mod in ${_sde_arg#sde.early=}; do
                echo "<6>sde-test: early load of $_sde_mod, without modprobe.d" > /dev/kmsg
                modprobe -C /dev/null "$_sde_mod" > /dev/kmsg 2>&1
            done
        )
        ;;
    esac
done
unset _sde_cmdline _sde_arg
