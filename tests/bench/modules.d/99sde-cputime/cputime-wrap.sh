#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /usr/sbin/scsi-dh-early of a bench image: run the helper, then write one
# line "sde-cputime: CHILDREN-USER CHILDREN-SYSTEM ARGS" (the shell's `times`,
# in clock ticks of 10 ms) to the port named by sde.out= (else /dev/kmsg),
# and exit with the helper's status.
rc=0
/usr/sbin/scsi-dh-early.real "$@" || rc=$?
out=/dev/kmsg
read -r cmdline </proc/cmdline || cmdline=
for arg in $cmdline; do
    case $arg in
    sde.out=*) out=${arg#sde.out=} ;;
    esac
done
# `times` in this shell (not in a subshell, which has no children): its own
# user and system time, then its children's
t=
if times >"/run/sde-cputime.$$" 2>/dev/null; then
    { read -r _ && read -r t; } <"/run/sde-cputime.$$" || :
    rm -f "/run/sde-cputime.$$"
fi
printf 'sde-cputime: %s %s\n' "${t:-? ?}" "$*" >>"$out" 2>/dev/null || :
exit "$rc"
