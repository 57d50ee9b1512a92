#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The boot tests' stand-in for /usr/sbin/scsi-dh-early: logs the arguments of
# each run to /run/sde-helper.log (one line, appended), then runs the helper.
echo "$*" >> /run/sde-helper.log 2> /dev/null
exec /usr/sbin/scsi-dh-early.real "$@"
