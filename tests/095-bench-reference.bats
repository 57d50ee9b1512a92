#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell reference of `make bench` (tests/bench/reference.sh) reaches the
# helper's decisions: owner, expected handler, verdict, action and handler per
# LUN, as `status --json` and `apply --dry-run --json` give them, on the bench
# tree and on trees that reach the plan's other branches.

setup() {
	load helpers
	_common_setup
	REF=$TOP/tests/bench/reference.sh
}

# the helper's decisions, one line a LUN, as the reference prints them
helper_decisions() {
	sde status --json >"$BATS_TEST_TMPDIR/status.json"
	sde apply --dry-run --json >"$BATS_TEST_TMPDIR/apply.json"
	jq -r -n --slurpfile s "$BATS_TEST_TMPDIR/status.json" \
		--slurpfile a "$BATS_TEST_TMPDIR/apply.json" '
		($a[0].actions | map({ (.hctl): . }) | add) as $act
		| $s[0].devices[] | . as $d | $act[$d.hctl] as $x
		| "\($d.hctl) \($d.owner // "-") \($d.expected // "-") \($d.verdict) \($x.action)"
		  + " \(if $x.action == "none" then "-" else $x.handler end)"' | sort
}

# compare: both sorted by HCTL; the reference's arguments follow
same_decisions() {
	helper_decisions >"$BATS_TEST_TMPDIR/helper"
	"$REF" -r "$ROOT" "$@" | sort >"$BATS_TEST_TMPDIR/ref"
	[ -s "$BATS_TEST_TMPDIR/helper" ] || fail "the helper listed no LUN"
	run diff -u "$BATS_TEST_TMPDIR/helper" "$BATS_TEST_TMPDIR/ref"
	assert_success
	# every LUN of the tree decided
	run wc -l <"$BATS_TEST_TMPDIR/ref"
	assert_output "$(find "$ROOT/sys/class/scsi_device" -mindepth 1 -maxdepth 1 | wc -l)"
}

@test "reference: the bench tree of 192 LUNs (every kind of its mix)" {
	"$TOP/tests/bench/mktree.sh" "$ROOT" 192
	same_decisions -o "$ROOT/rules"
	# the mix reaches attach, detach, ok, none, mismatch and owned-attached
	for w in "missing attach" "owned-attached detach" "ok none" "none none" "mismatch none"; do
		grep -q " $w " "$BATS_TEST_TMPDIR/ref" || fail "no LUN with '$w'"
	done
}

@test "reference: an attach tree (every LUN an attach)" {
	"$TOP/tests/bench/mktree.sh" "$ROOT" 40 attach
	same_decisions -o "$ROOT/rules"
	run grep -vc ' missing attach alua$' "$BATS_TEST_TMPDIR/ref"
	assert_output 0
}

@test "reference: owner rules on vendor, model, wwid and host globs; rule order" {
	fx kernel "$KVER" host 0 qla2xxx host 1 lpfc host 2 virtio_scsi \
		lun 0:0:0:1 vendor=DGC model="RAID 5" dh=emc \
		lun 0:0:0:2 vendor=DGC model=VRAID \
		lun 0:0:0:3 tpgs=1 wwid=naa.6001405bb dh=alua \
		lun 1:0:0:1 vendor=HITACHI model=OPEN-V tpgs=1 wwid=naa.60060e80 dh=alua \
		lun 1:0:0:2 vendor=HITACHI model=DF600F tpgs=1 wwid=naa.60060e81 \
		lun 1:0:0:3 vendor=HITACHI model=OPEN-V tpgs=1 \
		lun 2:0:0:1 tpgs=1 wwid=naa.6001405aa dh=alua \
		lun 2:0:0:2 tpgs=1 wwid=eui.0011 \
		lun 2:0:0:3 vendor=HP model=HSV100 dh=hp_sw \
		lun 2:0:0:4 vendor="COMPAQ" model="MSA1000 VOLUME"
	conf <<-'EOF'
	[owner powerpath]
	vendor = DGC EMC
	model = *
	host = qla2xxx lpfc
	[owner hdlm]
	vendor = HITACHI
	model = "OPEN-*" "DF600F*"
	wwid = naa.60060e8*
	[owner lio]
	wwid = naa.6001405*
	host = virtio*
	[owner msa]
	vendor = COMPAQ
	model = "MSA1000 VOLUME"
	[owner all-qla]
	host = qla2xxx
	EOF
	cat >"$ROOT/rules" <<-'EOF'
	powerpath|DGC,EMC|*||qla2xxx,lpfc
	hdlm|HITACHI|OPEN-*,DF600F*|naa.60060e8*|
	lio|||naa.6001405*|virtio*
	msa|COMPAQ|MSA1000 VOLUME||
	all-qla||||qla2xxx
	EOF
	same_decisions -o "$ROOT/rules"
	run grep -E '^(0:0:0:1|0:0:0:3|1:0:0:1|2:0:0:1) ' "$BATS_TEST_TMPDIR/ref"
	assert_line --partial "0:0:0:1 powerpath emc owned-attached detach emc"
	assert_line --partial "0:0:0:3 all-qla alua owned-attached detach alua"
	assert_line --partial "1:0:0:1 hdlm alua owned-attached detach alua"
	assert_line --partial "2:0:0:1 lio alua owned-attached detach alua"
}

@test "reference: detach off, late attach off, a preload list without emc" {
	fx kernel "$KVER" host 0 qla2xxx \
		lun 0:0:0:1 vendor=DGC model="RAID 5" \
		lun 0:0:0:2 vendor=IBM model=1722-600 \
		lun 0:0:0:3 tpgs=3 wwid=naa.61 dh=alua \
		lun 0:0:0:4 tpgs=1 wwid=naa.62
	conf <<-'EOF'
	preload = alua rdac
	late_attach = no
	detach = no
	[owner any-alua]
	wwid = naa.61
	EOF
	echo 'any-alua|||naa.61|' >"$ROOT/rules"
	same_decisions -o "$ROOT/rules" -p "alua rdac" -l no -d no
	conf <<-'EOF'
	preload = alua rdac
	EOF
	same_decisions -p "alua rdac"
	run grep -E '^0:0:0:1 ' "$BATS_TEST_TMPDIR/ref"
	assert_output "0:0:0:1 - emc missing none -"
}

@test "reference: no inquiry, a short inquiry, no dh_state, enclosures, odd VPD pages" {
	fx kernel "$KVER" host 0 mpt3sas \
		lun 0:0:0:1 noinquiry dh=alua \
		lun 0:0:0:2 noinquiry vendor=DGC model=RAID dh=rdac \
		lun 0:0:0:3 noinquiry vendor=DGC model=RAID dh=emc \
		lun 0:0:0:4 shortinquiry \
		lun 0:0:0:5 tpgs=1 type=13 \
		lun 0:0:0:6 tpgs=1 type=12 dh=alua \
		lun 0:0:0:7 tpgs=2 vpd83=naa:6001,relport:1 \
		lun 0:0:0:8 tpgs=2 vpd83=naa:6002,tpg:3,len:200 \
		lun 0:0:0:9 tpgs=2 vpd83=none \
		lun 0:0:0:10 tpgs=2 vpd83=raw:00830008,tpg:1 \
		lun 0:0:0:11 tpgs=1 type=5 \
		lun 0:0:0:12 vendor=SGI model=IS500
	rm "$ROOT/sys/class/scsi_device/0:0:0:12/device/dh_state"
	same_decisions
	for v in unknown mismatch ok none missing; do
		grep -q " $v " "$BATS_TEST_TMPDIR/ref" || fail "no LUN with verdict $v"
	done
}
