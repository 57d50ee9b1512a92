# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The figures of the ALUA array (modules.d/99sde-test/sde-array.sh) from a
# pre-mount report, for the "array" check of lib.sh, the demo and the bench.
#
# boot_array_stats REPORT prints "KEY VALUE" lines:
#   built state luns best       as the guest reports them
#   a_host b_host               the SCSI host of path A and of path B
#   a_dh b_dh                   the dh_state of every path A / B, distinct
#                               values joined with ","
#   a_access b_access           the same for access_state
#   b_reads_failed              READs on B paths that completed with an error
#                               (scsi_dispatch_cmd_done trace events)
#   b_cmds_failed a_cmds_failed every failed command on B / A paths (trace)
#   b_ioerr a_ioerr             the sum of the paths' ioerr_cnt
#   b_touched                   B paths with at least one failed READ
#   b_lio_in_cmds b_lio_read_mbytes  LIO's per-port statistics of the B ports
#                               (scsi_tgt_port: commands received, MB read)
#   ioerr_lines                 "I/O error, dev" lines in the kernel log
#   suppressed                  the sum of every "N callbacks suppressed"
#   suppressed_blk              those of blk_print_req_error alone
#   failed_lines buferr_lines   "FAILED Result" / "Buffer I/O error" lines
#   settle_ms                   first LUN link to udev settle, guest clock
#   trace_overrun               events lost by the trace buffer (must be 0)
#   paths                       SCSI devices on the array's two hosts
#   a_tpgs_lines b_tpgs_lines   alua's port group lines per path (one per
#                               completed RTPG), distinct values joined
#   hold_ms_max                 sde.array.hold=1: the longest wait for a B
#                               path's port state before sd was bound
#   dh_detached_lines dm_mpath_fail_lines  handler detaches, dm-multipath's
#                               "Failing path" lines
# With multipathd in the image (mpath_daemon running):
#   mpath_ms                    first LUN link until every LUN has its map
#   mpath_maps mpath_maps_2paths  maps, and those with 2 paths
#   mpath_hwhandler             the maps' hardware handlers, distinct
#   mpath_path_lines            paths multipathd shows
#   mpath_paths_bad             of those, not dm "active", not "running" or
#                               neither checker state "ready" nor "ghost"
#   a_mpath_group b_mpath_group the status of each path's path group, distinct
#   a_mpath_prio b_mpath_prio   its priority, distinct
#   mpath_agree                 paths where scsi-dh-early's status table
#                               (status --json) and multipathd agree: the
#                               same WWID, and the access state its checker
#                               and prioritizer show (active/optimized:
#                               ready, 50; active/non-optimized: ready, 10;
#                               standby: ghost, 1)
#   mpath_log_warnings          warnings and errors in multipathd's journal
#   mpath_tables mpath_first_split  maps whose first table multipathd
#                               loaded is in its journal (a systemd
#                               initramfs), and of those, maps whose first
#                               table already had two path groups: the port
#                               states were known to multipathd (the sysfs
#                               prioritizer's access_state, or the alua
#                               prioritizer's own RTPG) when it built the map
#   mpath_paths_sysfs           paths whose first priority multipathd took
#                               from the kernel's access_state (the sysfs
#                               prioritizer; without a handler it asks the
#                               array itself, the alua prioritizer)
#   mpath_prio_changed          paths whose first priority is not their last
#   mpath_first_known           maps whose first table was built from
#                               access_state on every path, and right: the
#                               kernel knew the port states
boot_array_stats() {
	awk -F'|' '
	function add(set, key, v) {
		if (index("," set[key] ",", "," v ",") == 0)
			set[key] = set[key] == "" ? v : set[key] "," v
	}
	$1 == "array" && $2 == "host" { host[$4] = $3; print $3 "_host " $4; next }
	$1 == "array" && $2 == "dev" {
		split($3, h, ":")
		ioerr[h[1]] += $5
		next
	}
	$1 == "array" && $2 == "trace" {
		split($3, h, ":")
		fails[h[1]] += $5
		reads[h[1]] += $6
		if ($6 > 0) touched[h[1]]++
		next
	}
	$1 == "array" && $2 == "lio" {
		lio_in[$3] += $5
		lio_mb[$3] += $6
		next
	}
	$1 == "array" && $2 == "suppressed" {
		sup += $4
		if ($3 == "blk_print_req_error") supblk += $4
		next
	}
	$1 == "array" && $2 == "tpgs" { tp[$3] = $4; next }
	$1 == "array" && $2 == "hold_ms" { if ($4 + 0 > hmax) hmax = $4 + 0; next }
	$1 == "array" && $2 == "mpath_map" {
		maps++
		if ($4 == 2) maps2++
		add(hw, "all", $5)
		next
	}
	$1 == "array" && $2 == "mpath_path" {
		np++
		mp_w[$3] = $4; mp_chk[$3] = $7; mp_pri[$3] = $8
		if ($5 != "active" || $6 != "running" || ($7 != "ready" && $7 != "ghost")) bad++
		next
	}
	$1 == "array" && $2 == "mpath_pg" { pg_prio[$3] = $4; pg_st[$3] = $5; next }
	$1 == "array" && $2 == "mpath_log" { logw++; next }
	# the first table of each map: FEATURES (count, words) HWHANDLER (count,
	# words) NR_PGS INIT_PG ... (drivers/md/dm-mpath.c, multipath_ctr)
	# WWID: addmap [0 SIZE multipath PARAMS]; the paths of its groups are
	# the words that look like MAJOR:MINOR
	$1 == "array" && $2 == "mpath_table" {
		nw = split($3, w, " ")
		if (w[1] in tab) next
		tab[w[1]] = 1
		for (i = 1; i <= nw && w[i] != "multipath"; i++) ;
		i++; i += w[i] + 1; i += w[i] + 1
		tables++
		if (w[i] + 0 >= 2) split1++
		tab_devs[++ntab] = ""
		for (; i <= nw; i++)
			if (w[i] ~ /^[0-9]+:[0-9]+$/) tab_devs[ntab] = tab_devs[ntab] " " w[i]
		next
	}
	$1 == "array" && $2 == "blk" { hcil_of[$4] = $3; hcil_of[$5] = $3; next }
	# the first priority multipathd computed for a path, and how
	$1 == "array" && $2 == "mpath_prio" {
		if (!($3 in prio1)) { prio1[$3] = $5; prio1_by[$3] = $4 }
		next
	}
	$1 == "array" && NF == 3 { v[$2] = $3; next }
	$1 == "dev" { split($2, h, ":"); devs[++nd] = $0 }
	$1 == "json" && match($0, /"hctl":"[^"]*"/) {
		hc = substr($0, RSTART + 8, RLENGTH - 9)
		if (match($0, /"access_state":"[^"]*"/))
			js_acc[hc] = substr($0, RSTART + 16, RLENGTH - 17)
		if (match($0, /"wwid":"[^"]*"/))
			js_w[hc] = substr($0, RSTART + 8, RLENGTH - 9)
	}
	END {
		want["active/optimized"] = "ready 50"
		want["active/non-optimized"] = "ready 10"
		want["standby"] = "ghost 1"
		for (i = 1; i <= nd; i++) {
			split(devs[i], f, "|")
			split(f[2], h, ":")
			p = host[h[1]]
			if (p == "") continue
			paths++
			add(dh, p, f[6])
			add(acc, p, f[7])
			if (f[2] in tp) add(tpl, p, tp[f[2]])
			else add(tpl, p, 0)
			if (f[2] in pg_st) {
				add(grp, p, pg_st[f[2]])
				add(gprio, p, pg_prio[f[2]])
			}
			# naa.X (the project, from VPD page 0x83) is 3X to multipathd
			if ((f[2] in mp_w) && (f[2] in js_acc) && ("naa." substr(mp_w[f[2]], 2)) == js_w[f[2]] &&
			    substr(mp_w[f[2]], 1, 1) == "3" &&
			    want[js_acc[f[2]]] == mp_chk[f[2]] " " mp_pri[f[2]] &&
			    mp_pri[f[2]] == pg_prio[f[2]])
				agree++
		}
		for (k in v) print k " " v[k]
		for (p in host) {
			q = host[p]
			print q "_dh " dh[q]
			print q "_access " acc[q]
			print q "_cmds_failed " fails[p] + 0
			print q "_reads_failed " reads[p] + 0
			print q "_ioerr " ioerr[p] + 0
			print q "_touched " touched[p] + 0
			print q "_lio_in_cmds " lio_in[q] + 0
			print q "_lio_read_mbytes " lio_mb[q] + 0
			print q "_tpgs_lines " tpl[q]
			if (v["mpath_daemon"] == "running") {
				print q "_mpath_group " grp[q]
				print q "_mpath_prio " gprio[q]
			}
		}
		print "paths " paths + 0
		print "hold_ms_max " hmax + 0
		if (v["mpath_daemon"] == "running") {
			print "mpath_maps " maps + 0
			print "mpath_maps_2paths " maps2 + 0
			print "mpath_hwhandler " hw["all"]
			print "mpath_path_lines " np + 0
			print "mpath_paths_bad " bad + 0
			print "mpath_agree " agree + 0
			print "mpath_log_warnings " logw + 0
			# per path: its first priority from access_state (sysfs), and
			# that priority the final one; a map is known if all its paths are
			for (d in prio1) {
				hc = hcil_of[d]
				if (prio1_by[d] == "sysfs") psys++
				if (hc in mp_pri && prio1[d] != mp_pri[hc]) pchanged++
				else if (hc in mp_pri && prio1_by[d] == "sysfs") pknown[hc] = 1
			}
			for (t = 1; t <= ntab; t++) {
				nd2 = split(tab_devs[t], d2, " ")
				ok = nd2 > 0
				for (j = 1; j <= nd2; j++)
					if (!(hcil_of[d2[j]] in pknown)) ok = 0
				if (ok) known_maps++
			}
			print "mpath_paths_sysfs " psys + 0
			print "mpath_prio_changed " pchanged + 0
			print "mpath_tables " tables + 0
			print "mpath_first_split " split1 + 0
			print "mpath_first_known " known_maps + 0
		}
		print "suppressed " sup + 0
		print "suppressed_blk " supblk + 0
	}' "$1" | sort
}

# boot_array_get REPORT KEY: one value of boot_array_stats
boot_array_get() {
	boot_array_stats "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; f = 1 }
		END { exit !f }'
}

# boot_array_check REPORT "KEY OP VALUE": OP one of = != (strings), < <= > >=
# (integers); VALUE "@KEY2" is the figure KEY2 of the same report
boot_array_check() {
	local key op want got
	read -r key op want <<<"$2"
	got=$(boot_array_get "$1" "$key") || {
		echo "no figure '$key' in the report"
		return 1
	}
	if [ "${want#@}" != "$want" ]; then
		want=$(boot_array_get "$1" "${want#@}") || {
			echo "no figure '${want#@}' in the report"
			return 1
		}
	fi
	case $op in
	=) [ "$got" = "$want" ] ;;
	!=) [ "$got" != "$want" ] ;;
	'<') [ "$got" -lt "$want" ] ;;
	'<=') [ "$got" -le "$want" ] ;;
	'>') [ "$got" -gt "$want" ] ;;
	'>=') [ "$got" -ge "$want" ] ;;
	*)
		echo "unknown operator '$op'"
		return 1
		;;
	esac || {
		echo "$key is $got, not $op $want"
		return 1
	}
}
