#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mktree.sh ROOT N [sweep|attach] - a fake root (tests/lib/mkfixture) of N LUNs
# for `make bench` and the reference's equivalence test.
#
# sweep (default): the mix of a SAN-attached server.  One host per 128 LUNs
# (at least 2), the LUNs dealt out host by host, 64 LUNs a target.  Of every
# 12 LUNs: 4 without a handler (QEMU disks, no TPGS), 6 TPGS disks with alua
# attached (one in 8 of them without), 1 from the vendor table (DGC VRAID with
# emc, claimed by the owner rule "powerpath"; IBM 1814 with rdac or without;
# HP HSV100 with hp_sw), 1 odd one (an enclosure with TPGS, a TPGS disk whose
# VPD page 0x83 has no target port group, a TPGS disk without a handler, a TPGS
# disk with rdac attached).
# attach: N TPGS disks without a handler, the same hosts: every one an attach.
#
# Writes ROOT/etc/scsi-dh-early.conf (sweep: the owner rule) and ROOT/rules,
# the same rule for tests/bench/reference.sh -o.
set -euo pipefail

root=$1 n=$2 mode=${3:-sweep}
top=$(cd "$(dirname "$0")/../.." && pwd)
drivers=(qla2xxx lpfc mpt3sas megaraid_sas)
nh=$(((n + 127) / 128))
[ "$nh" -ge 2 ] || nh=2
args=(kernel 6.1.0-28-amd64 kmsg loaded scsi_dh_alua scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw)
for ((h = 0; h < nh; h++)); do
	args+=(host "$h" "${drivers[h % ${#drivers[@]}]}")
done
for ((i = 0; i < n; i++)); do
	h=$((i * nh / n))
	k=$((i - (h * n + nh - 1) / nh))
	hctl=$h:0:$((k / 64)):$((k % 64))
	wwid=naa.6$(printf '%015x' "$i")
	tpgs=(tpgs=1 "wwid=$wwid")
	if [ "$mode" = attach ]; then
		args+=(lun "$hctl" "${tpgs[@]}")
		continue
	fi
	case $((i % 12)) in
	0 | 1 | 2 | 3) args+=(lun "$hctl") ;;
	10)
		case $((i / 12 % 4)) in
		0) args+=(lun "$hctl" vendor=DGC model=VRAID dh=emc) ;;
		1) args+=(lun "$hctl" vendor=IBM model=1814 dh=rdac) ;;
		2) args+=(lun "$hctl" vendor=IBM model=1814) ;;
		3) args+=(lun "$hctl" vendor=HP model=HSV100 dh=hp_sw) ;;
		esac
		;;
	11)
		case $((i / 12 % 4)) in
		0) args+=(lun "$hctl" "${tpgs[@]}" type=13 vendor=HP model="D2700 SAS AJ941A") ;;
		1) args+=(lun "$hctl" "${tpgs[@]}" vpd83="naa:6${wwid#naa.6}") ;;
		2) args+=(lun "$hctl" "${tpgs[@]}") ;;
		3) args+=(lun "$hctl" "${tpgs[@]}" dh=rdac) ;;
		esac
		;;
	*)
		if [ $((i % 96)) -eq 4 ]; then
			args+=(lun "$hctl" "${tpgs[@]}")
		else
			args+=(lun "$hctl" "${tpgs[@]}" dh=alua)
		fi
		;;
	esac
done
"$top/tests/lib/mkfixture" "$root" "${args[@]}"
if [ "$mode" = sweep ]; then
	printf '[owner powerpath]\nvendor = DGC\n' | "$top/tests/lib/mkfixture" "$root" conf
	echo 'powerpath|DGC|||' >"$root/rules"
else
	: >"$root/rules"
fi
