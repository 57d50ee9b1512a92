#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The figures the boot suite and make bench take from the standby array's
# report (tests/boot/array.sh, boot_array_stats): multipathd's maps, paths,
# path groups and first tables, from a small report of fixed records.

setup() {
	load helpers
	_common_setup
	REP=$BATS_TEST_TMPDIR/report.txt
	# two LUNs through hosts 2 (A) and 3 (B); map 1 has both paths, map 2
	# one, its A path failed; the tables as libmultipath's dm_addmap logs
	# them, the priorities as its get_prio does
	cat >"$REP" <<-'EOF'
	array|host|a|2
	array|host|b|3
	array|luns|2
	array|mpath_daemon|running
	dev|2:0:1:0|LIO-ORG|rd0|x|alua|active/optimized
	dev|3:0:1:0|LIO-ORG|rd0|x|alua|standby
	dev|2:0:1:1|LIO-ORG|rd1|x|alua|active/optimized
	dev|3:0:1:1|LIO-ORG|rd1|x|alua|standby
	json|{"hctl":"2:0:1:0","wwid":"naa.60014050","access_state":"active/optimized"}
	json|{"hctl":"3:0:1:0","wwid":"naa.60014050","access_state":"standby"}
	json|{"hctl":"2:0:1:1","wwid":"naa.60014051","access_state":"active/optimized"}
	array|mpath_map|360014050|2|1 alua|active
	array|mpath_map|360014051|1|1 alua|active
	array|mpath_path|2:0:1:0|360014050|active|running|ready|50
	array|mpath_path|3:0:1:0|360014050|active|running|ghost|1
	array|mpath_path|2:0:1:1|360014051|failed|running|faulty|50
	array|mpath_path|3:0:1:1|360014051|active|running|ghost|1
	array|mpath_pg|2:0:1:0|50|active
	array|mpath_pg|3:0:1:0|1|enabled
	array|mpath_pg|2:0:1:1|50|active
	array|blk|2:0:1:0|8:16|sdb
	array|blk|3:0:1:0|8:32|sdc
	array|blk|2:0:1:1|8:48|sdd
	array|blk|3:0:1:1|8:64|sde
	array|mpath_table|360014050: addmap [0 2048 multipath 1 retain_attached_hw_handler 1 alua 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1]
	array|mpath_table|360014051: addmap [0 2048 multipath 0 0 1 1 service-time 0 2 1 8:48 1 8:64 1]
	array|mpath_table|360014051: reload [0 2048 multipath 0 0 2 1 service-time 0 1 1 8:48 1 service-time 0 1 1 8:64 1]
	array|mpath_prio|sdb|sysfs|50
	array|mpath_prio|sdc|sysfs|1
	array|mpath_prio|sdd|sysfs|50
	array|mpath_prio|sde|sysfs|50
	array|mpath_prio|sde|sysfs|1
	array|mpath_log|360014051: sdd - tur checker reports path is down
	EOF
	. "$TOP/tests/boot/array.sh"
}

@test "array figures: multipathd's maps, paths, groups and agreement per path" {
	run -0 boot_array_stats "$REP"
	assert_line "mpath_maps 2"
	assert_line "mpath_maps_2paths 1"
	assert_line "mpath_hwhandler 1 alua"
	assert_line "mpath_path_lines 4"
	# the failed path, dm "failed" and checker "faulty"
	assert_line "mpath_paths_bad 1"
	assert_line "a_mpath_group active"
	assert_line "b_mpath_group enabled"
	assert_line "a_mpath_prio 50"
	assert_line "b_mpath_prio 1"
	# 2:0:1:1 is active/optimized in the status table, faulty to multipathd;
	# 3:0:1:1 has no line in the status table
	assert_line "mpath_agree 2"
	assert_line "mpath_log_warnings 1"
}

@test "array figures: a map's first table counts, its reloads do not (dm-mpath's multipath_ctr order)" {
	run -0 boot_array_stats "$REP"
	assert_line "mpath_tables 2"
	# map 1: features "1 retain_attached_hw_handler", handler "1 alua", then
	# 2 groups; map 2's first table had 1 group, its reload 2
	assert_line "mpath_first_split 1"
	run -0 boot_array_get "$REP" mpath_first_split
	assert_output 1
}

@test "array figures: a map was built knowing the port states if every path's first priority was access_state's, and right" {
	run -0 boot_array_stats "$REP"
	assert_line "mpath_paths_sysfs 4"
	# sde (B of map 2) was first read active/optimized (50), then standby (1)
	assert_line "mpath_prio_changed 1"
	assert_line "mpath_first_known 1"
	# the alua prioritizer (the array asked by multipathd) is not access_state
	sed -i 's/^array|mpath_prio|sdc|sysfs|1$/array|mpath_prio|sdc|alua|1/' "$REP"
	run -0 boot_array_stats "$REP"
	assert_line "mpath_paths_sysfs 3"
	assert_line "mpath_first_known 0"
	# a path whose device is not known is not known
	sed -i 's/^array|mpath_prio|sdc|alua|1$/array|mpath_prio|sdc|sysfs|1/; /^array|blk|3:0:1:0|/d' "$REP"
	run -0 boot_array_get "$REP" mpath_first_known
	assert_output 0
}

@test "array figures: without multipathd no multipath figure is made up" {
	sed -i '/|mpath_/d' "$REP"
	echo 'array|mpath_daemon|none' >>"$REP"
	run -0 boot_array_stats "$REP"
	refute_line --partial "mpath_maps"
	refute_line --partial "mpath_first_split"
	run -1 boot_array_get "$REP" mpath_tables
}
