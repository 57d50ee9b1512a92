#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# reference.sh - the per-LUN decisions of `scsi-dh-early apply --dry-run`
# written as a plain POSIX shell loop over sysfs, the way a site script would
# do it: the yardstick of `make bench` (section alternatives), and checked by
# tests/095-bench-reference.bats to reach the same owner, expected handler,
# verdict and action as the helper on every tree it is given.
#
# Usage: reference.sh [-r ROOT] [-p "alua emc rdac hp_sw"] [-l yes|no]
#                     [-d yes|no] [-o RULES]
#   -r ROOT   the root the sysfs tree is under (default /)
#   -p LIST   the preload list (default all four)
#   -l, -d    late attach, detach (default yes)
#   -o RULES  owner rules, one active rule a line:
#             NAME|VENDOR GLOBS|MODEL GLOBS|WWID GLOBS|HOST GLOBS
#             each glob list comma-separated, an empty one matches all
#
# Prints one line a LUN, in directory order:
#   HCTL OWNER EXPECTED VERDICT ACTION HANDLER    ("-" for none)
#
# What it covers: the kernel generation 4.9 and later (the 6.1 table of
# src/ktable.c, scsi_dh_find_driver() in drivers/scsi/scsi_dh.c), where
# scsi_dh_alua takes disks only (alua_check_tpgs()) and refuses a LUN whose VPD
# page 0x83 has no target port group designator (alua_check_vpd()).  WWIDs come
# from the wwid attribute only (not derived from vpd_pg83 as on RHEL 7); owner
# rules arrive resolved (the driver key already judged); a refused late attach
# recorded by an earlier run is not read.
set -eu

root=/
preload="alua emc rdac hp_sw"
late=yes
detach=yes
rules=
while getopts r:p:l:d:o: opt; do
	case $opt in
	r) root=$OPTARG ;;
	p) preload=$OPTARG ;;
	l) late=$OPTARG ;;
	d) detach=$OPTARG ;;
	o) rules=$OPTARG ;;
	*) exit 2 ;;
	esac
done
sys=${root%/}/sys

# the kernel's table: a prefix match of vendor, then of model (first wins)
table() {
	n=
	case $1 in
	DGC*) case $2 in RAID* | DISK* | VRAID*) n=emc ;; esac ;;
	COMPAQ*) case $2 in "MSA1000 VOLUME"* | HSV110*) n=hp_sw ;; esac ;;
	HP*) case $2 in HSV100*) n=hp_sw ;; esac ;;
	DEC*) case $2 in HSG80*) n=hp_sw ;; esac ;;
	IBM*)
		case $2 in
		1722* | 1724* | 1726* | 1742* | 1745* | 1746* | 1813* | 1814* | 1815* | 1818* | \
			3526* | 3542* | 3552*) n=rdac ;;
		esac
		;;
	SGI*) case $2 in TP9300* | TP9400* | TP9500* | TP9700* | IS*) n=rdac ;; esac ;;
	STK*) case $2 in OPENstorage* | "FLEXLINE 380"* | BladeCtlr*) n=rdac ;; esac ;;
	SUN*)
		case $2 in
		CSM* | LCSM100* | STK6580_6780* | SUN_6180* | ArrayStorage*) n=rdac ;;
		esac
		;;
	DELL*) case $2 in MD3*) n=rdac ;; esac ;;
	NETAPP* | LSI* | ENGENIO*) case $2 in INF-01-00*) n=rdac ;; esac ;;
	LENOVO*) case $2 in DE_Series*) n=rdac ;; esac ;;
	FUJITSU*) case $2 in ETERNUS_AHB*) n=rdac ;; esac ;;
	esac
}

# globs VALUE LIST: does a glob of the comma-separated LIST match (empty: yes)
globs() {
	[ -n "$2" ] || return 0
	_v=$1
	_old=$IFS
	IFS=,
	set -f
	# shellcheck disable=SC2086 # split on commas, no pathname expansion
	set -- $2
	set +f
	IFS=$_old
	for _g; do
		# shellcheck disable=SC2254 # the glob is the pattern
		case $_v in $_g) return 0 ;; esac
	done
	return 1
}

# owner: the name of the first rule that claims the LUN
owner_of() {
	owner=
	[ -n "$rules" ] || return 0
	while IFS='|' read -r o_name o_vendor o_model o_wwid o_host; do
		case $o_name in '' | '#'*) continue ;; esac
		if [ -n "$o_wwid" ] && [ -z "$wwid" ]; then
			continue
		fi
		if globs "$vendor_t" "$o_vendor" && globs "$model_t" "$o_model" &&
			globs "$wwid" "$o_wwid" && globs "$hostdrv" "$o_host"; then
			owner=$o_name
			return 0
		fi
	done <"$rules"
}

# attribute NAME: its first line (empty if missing); sets val and has
attr() {
	val=
	has=no
	if [ -f "$dev/$1" ]; then
		has=yes
		IFS= read -r val <"$dev/$1" || :
	fi
}

rtrim() {
	r=$1
	while :; do
		case $r in *' ' | *'	') r=${r%?} ;; *) break ;; esac
	done
}

# tpg_of: is there a target port group designator in vpd_pg83?  Sets vpd
# (yes: a page read whole, no TPG; tpg: one found; -: unreadable or cut short)
tpg_of() {
	vpd=-
	[ -f "$dev/vpd_pg83" ] || return 0
	# shellcheck disable=SC2046 # one positional parameter a byte
	set -- $(od -An -v -tu1 "$dev/vpd_pg83")
	len=$#
	[ "$len" -ge 4 ] && [ "$2" -eq 131 ] || return 0
	end=$((4 + $3 * 256 + $4))
	trunc=no
	if [ "$end" -gt "$len" ]; then
		trunc=yes
		end=$len
	fi
	off=4
	found=no
	while [ "$off" -lt "$end" ]; do
		if [ $((end - off)) -lt 4 ]; then
			trunc=yes
			break
		fi
		b1=0 b3=0
		eval "b1=\${$((off + 2))} b3=\${$((off + 4))}"
		if [ "$b3" -gt $((end - off - 4)) ]; then
			trunc=yes
			break
		fi
		if [ $((b1 & 15)) -eq 5 ] && [ "$b3" -ge 4 ]; then
			found=yes
		fi
		off=$((off + 4 + b3))
	done
	if [ "$found" = yes ]; then
		vpd=tpg
	elif [ "$trunc" = no ]; then
		vpd=yes
	fi
}

preloads() {
	case " $preload " in *" $1 "*) return 0 ;; esac
	return 1
}

for link in "$sys"/class/scsi_device/*; do
	[ -e "$link" ] || continue
	hctl=${link##*/}
	dev=$link/device
	attr type
	type=-1
	case $val in [0-9]*) type=${val%%[!0-9]*} ;; esac
	[ "$type" -le 31 ] || type=-1
	attr vendor
	vendor=$val
	rtrim "$vendor"
	vendor_t=$r
	attr model
	model=$val
	rtrim "$model"
	model_t=$r
	attr dh_state
	rtrim "$val"
	dh=$r
	dh_has=$has
	attr wwid
	rtrim "$val"
	wwid=$r
	# INQUIRY byte 5, bits 4-5 (scsi_device_tpgs())
	tpgs=-1
	if [ -f "$dev/inquiry" ]; then
		b=$(od -An -tu1 -j5 -N1 "$dev/inquiry" 2>/dev/null) || b=""
		b=${b##* }
		[ -z "$b" ] || tpgs=$(((b >> 4) & 3))
	fi
	h=${hctl%%:*}
	eval "hostdrv=\${host_$h-}"
	if [ -z "$hostdrv" ]; then
		hostdrv=-
		[ ! -f "$sys/class/scsi_host/host$h/proc_name" ] ||
			IFS= read -r hostdrv <"$sys/class/scsi_host/host$h/proc_name" || :
		eval "host_$h=\$hostdrv"
	fi
	att=
	case $dh in '' | detached) ;; *) att=$dh ;; esac

	owner_of
	exp=
	if [ "$tpgs" -gt 0 ]; then
		exp=alua
	elif [ "$tpgs" -eq 0 ]; then
		table "$vendor" "$model"
		exp=$n
	fi
	refused=
	if [ "$exp" = alua ]; then
		if [ "$type" -gt 0 ]; then
			refused=alua
		else
			tpg_of
			[ "$vpd" != yes ] || refused=alua
		fi
	fi

	expected=- verdict='' action=none handler=-
	if [ -n "$owner" ]; then
		[ -n "$refused" ] || expected=${exp:--}
		if [ -n "$att" ]; then
			verdict=owned-attached
			handler=$att
			[ "$detach" != yes ] || action=detach
		else
			verdict=owned
		fi
	elif [ "$tpgs" -lt 0 ]; then
		table "$vendor" "$model"
		if [ -n "$att" ] && { [ -z "$n" ] || [ "$att" = "$n" ]; }; then
			expected=$att verdict=ok
		elif [ -n "$att" ] && [ "$att" != alua ]; then
			expected=$n verdict=mismatch
		else
			verdict=unknown
		fi
	elif [ -n "$att" ]; then
		expected=$att verdict=ok
		if [ -n "$exp" ] && [ "$att" != "$exp" ]; then
			expected=$exp verdict=mismatch
		fi
	elif [ "$dh_has" = no ] || [ -z "$dh" ]; then
		verdict=none
		if [ -n "$exp" ] && [ -z "$refused" ]; then
			expected=$exp verdict=missing
		fi
	elif [ -z "$exp" ] || [ -n "$refused" ]; then
		verdict=none
	else
		expected=$exp verdict=missing handler=$exp
		if preloads "$exp" && [ "$late" = yes ]; then
			action=attach
		fi
	fi
	[ "$action" != none ] || handler=-
	echo "$hctl ${owner:--} $expected $verdict $action $handler"
done
