#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The udev rule for LUNs added after the sweep, as "scsi-dh-early rules" makes
# it from a resolved policy, run by the real udev ("udevadm test") against
# fixture devices: it must start work for every LUN the helper would act on
# or find owned, for each owner key, and nothing for a LUN that needs nothing.
# udevadm test reads /sys: the fixture is bind-mounted there in a mount
# namespace of the test's own, and tests/lib/sysfsmagic.c makes it pass for
# sysfs.

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace)"
	command -v udevadm >/dev/null || skip "udevadm not installed"
	command -v unshare >/dev/null || skip "unshare not installed"
	[ -f "$BATS_TEST_DIRNAME/../build/sysfsmagic.so" ] || skip "build/sysfsmagic.so not built"
	unshare -m true 2>/dev/null || skip "no mount namespace here"
}

setup() {
	load helpers
	_common_setup
	MAGIC=$TOP/build/sysfsmagic.so
}

# give every fixture LUN what udev needs to see a scsi_device: its subsystem
# link and a uevent with DEVTYPE
udev_ready() {
	local d
	mkdir -p "$ROOT/sys/bus/scsi/devices"
	for d in "$ROOT"/sys/class/scsi_device/*/device; do
		d=$(cd "$d" && pwd -P)
		ln -sfn "$(realpath --relative-to="$d" "$ROOT/sys/bus/scsi")" "$d/subsystem"
		printf 'DEVTYPE=scsi_device\n' >"$d/uevent"
	done
}

# for every LUN: "H:C:T:L yes|no", whether udev runs the kick for its "add"
udev_kicks() {
	local rule=$1
	udev_ready
	# shellcheck disable=SC2016  # expanded by the inner bash
	unshare -m bash -c '
		set -e
		root=$1 rule=$2 magic=$3
		for x in devices bus class; do mount --bind "$root/sys/$x" "/sys/$x"; done
		mount -t tmpfs tmpfs /run
		mkdir -p /run/scsi-dh-early /run/udev
		: >/run/scsi-dh-early/swept
		for d in /etc/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
			[ -d "$d" ] && ! mountpoint -q "$d" && mount -t tmpfs tmpfs "$d"
		done
		cp "$rule" /usr/lib/udev/rules.d/66-scsi-dh-early.rules
		for c in /sys/class/scsi_device/*; do
			p=$(cd "$c/device" && pwd -P)
			if LD_PRELOAD=$magic udevadm test --action=add "$p" 2>&1 |
				grep -q "^run: '\''/usr/lib/scsi-dh-early/scsi-dh-late kick'\''$"; then
				echo "${c##*/} yes"
			else
				echo "${c##*/} no"
			fi
		done
	' - "$ROOT" "$rule" "$MAGIC"
}

# for every LUN: "H:C:T:L yes|no", whether the helper acts on it or finds it owned
helper_wants() {
	sde --kver "$KVER" status --json | jq -r '.devices[] |
		"\(.hctl) \(if .owner != null or .verdict == "missing" then "yes" else "no" end)"'
}

@test "the rule starts work for every LUN the helper wants, for each owner key" {
	fx kernel "$KVER" can_detach=no \
		host 1 lpfc host 2 qla2xxx host 3 virtio_scsi \
		lun 1:0:0:1 vendor=DGC model=VRAID dh=emc \
		lun 1:0:0:2 vendor=HITACHI model=OPEN-V tpgs=1 dh=alua \
		lun 1:0:0:3 vendor=NETAPP model=LUN tpgs=1 dh=alua wwid=naa.60060e8000000001 \
		lun 1:0:0:4 vendor=NETAPP model=LUN tpgs=1 dh=alua wwid=naa.600a0b8000000002 \
		lun 1:0:0:5 vendor=HP model=HSV100 \
		lun 1:0:0:6 vendor=HP model=HSV100 dh=hp_sw wwid=naa.6001438000000006 \
		lun 1:0:0:7 vendor=QEMU model="QEMU HARDDISK" \
		lun 1:0:0:8 vendor=NETAPP model=LUN tpgs=1 dh=alua \
			vpd83=naa:60060e8000000009,tpg:1,relport:1 \
		lun 2:0:0:1 vendor=IBM model=1814 dh=rdac \
		lun 3:0:0:1 vendor=IBM model=1814 dh=rdac
	# (1:0:0:8 has no wwid attribute, as before 3.15: the helper derives it
	# from vpd_pg83; 6.1 shows the attribute on every LUN)
	conf <<-'EOF2'
	[owner by-vendor]
	vendor = DGC
	[owner by-model]
	model = OPEN-V*
	[owner by-wwid]
	wwid = naa.60060e8*
	[owner by-host]
	vendor = IBM
	host = qla2xxx
	EOF2
	sde --kver "$KVER" rules >"$BATS_TEST_TMPDIR/rule"
	run -0 udev_kicks "$BATS_TEST_TMPDIR/rule"
	kicks=$output
	run -0 helper_wants
	wants=$output
	# every LUN the helper wants gets the kick
	while read -r hctl want; do
		[ "$want" = no ] || grep -qx "$hctl yes" <<<"$kicks" || {
			echo "no kick for $hctl, which the helper wants"
			false
		}
	done <<<"$wants"
	# the helper's answers, to make sure the fixture says what it should
	assert_line '1:0:0:1 yes'
	assert_line '1:0:0:2 yes'
	assert_line '1:0:0:3 yes'
	assert_line '1:0:0:5 yes'
	assert_line '1:0:0:8 yes'
	assert_line '2:0:0:1 yes'
	assert_line '3:0:0:1 no'
	# a handler attached and no owner: nothing runs
	grep -qx '1:0:0:4 no' <<<"$kicks"
	grep -qx '1:0:0:6 no' <<<"$kicks"
	# wider than the helper where udev cannot see as it does: no handler and
	# none expected (TPGS, the kernel's table), an owner's host key
	grep -qx '1:0:0:7 yes' <<<"$kicks"
	grep -qx '3:0:0:1 yes' <<<"$kicks"
}

@test "late_attach = no, no owner rule: nothing for a LUN with its handler" {
	fx kernel "$KVER" lun 1:0:0:5 vendor=HP model=HSV100 lun 1:0:0:6 vendor=HP model=HSV100 dh=hp_sw
	conf <<<'late_attach = no'
	sde --kver "$KVER" rules >"$BATS_TEST_TMPDIR/rule"
	run -0 udev_kicks "$BATS_TEST_TMPDIR/rule"
	# no handler: the runner decides (rd.scsi_dh.late_attach=1 may turn it on)
	assert_output $'1:0:0:5 yes\n1:0:0:6 no'
	# the one place that runs anything
	run grep -c "^RUN" "$BATS_TEST_TMPDIR/rule"
	assert_output 1
}

@test "a glob udev cannot say is left out (wider); a broken configuration starts nothing" {
	fx kernel "$KVER"
	conf <<-'EOF2'
	[owner odd]
	vendor = A|B
	model = X*
	EOF2
	run -0 sde --kver "$KVER" rules
	assert_line 'ATTR{model}=="X*", GOTO="scsi_dh_early_late"'
	refute_output --partial 'A|B'
	conf <<<'late_attach = maybe'
	run -2 --separate-stderr sde --kver "$KVER" rules
	assert_line '# errors in the configuration: the sweeps change nothing'
}

@test "the package's rule is the default policy's" {
	mkdir -p "$ROOT/etc"
	run -0 sde --kver "$KVER" rules
	diff -u "$TOP/modules.d/50scsi-dh-early/66-scsi-dh-early.rules" - <<<"$output"
}

# Issue 18, item 4: the command line overrides the configuration (the last
# occurrence of rd.scsi_dh.late_attach= wins, scsi-dh-early(8)), and the rule is
# made before any command line is known: when the image is built, and in the
# real root by a unit that reads no command line.  The runner's "apply --late"
# reads the policy with the command line; the rule must not decide for it.
@test "late_attach = no, rd.scsi_dh.late_attach=1 on the command line: the rule starts the sweep that attaches" {
	fx kernel "$KVER" lun 1:0:0:5 vendor=HP model=HSV100 \
		lun 1:0:0:6 vendor=HP model=HSV100 dh=hp_sw \
		cmdline "ro rd.scsi_dh.late_attach=1"
	conf <<<'late_attach = no'
	# what the runner does with that command line: attach hp_sw (scsi_dh.c's table)
	run -0 sde --kver "$KVER" apply --late --dry-run
	assert_line '1:0:0:5 (HP:HSV100) dh_state=detached: attach hp_sw: would be done'
	# the rule, made as module-setup.sh makes it: a root with no proc/cmdline
	mkdir -p "$BATS_TEST_TMPDIR/build"
	ln -s "$ROOT/etc" "$BATS_TEST_TMPDIR/build/etc"
	"$BIN" --sysroot "$BATS_TEST_TMPDIR/build" --kver "$KVER" --no-kmsg rules \
		>"$BATS_TEST_TMPDIR/rule-image"
	# and as scsi-dh-early.service makes it, on the target
	sde --kver "$KVER" rules >"$BATS_TEST_TMPDIR/rule-root"
	for r in image root; do
		run -0 udev_kicks "$BATS_TEST_TMPDIR/rule-$r"
		assert_output $'1:0:0:5 yes\n1:0:0:6 no'
	done
}

# Issue 18, item 5: udev 252 (src/udev/udev-rules.c, rule_line_add_token())
# turns "a|b" into a NUL-separated list first and only then decides, from the
# last character of what strlen() sees (the FIRST glob), whether
# token_match_attr() strips the trailing blanks of the sysfs value for every
# glob of the list.  "HP      |DGC" keeps them, and "DGC     " matches no glob.
# The helper trims the value and matches each glob on its own: so must the
# rule, one match per line.
@test "a list of globs: udev matches each glob as the helper does, whatever the first one ends with" {
	fx kernel "$KVER" \
		lun 1:0:0:1 vendor=DGC model=VRAID dh=emc \
		lun 1:0:0:2 vendor=HP model=HSV100 dh=hp_sw \
		lun 1:0:0:3 vendor=IBM model=1814 dh=rdac wwid=iqn.2001-05.com.example:storage.lun16 \
		lun 1:0:0:4 vendor=IBM model=1814 dh=rdac wwid=iqn.2001-05.com.example:storage.lun17 \
		lun 1:0:0:5 vendor=NETAPP model=LUN tpgs=1 dh=alua \
		lun 1:0:0:6 vendor=NETAPP model=INF-01-00 tpgs=1 dh=alua \
		lun 1:0:0:7 vendor=LSI model=LUN tpgs=1 dh=alua \
		lun 1:0:0:8 vendor=LSI model=OTHER tpgs=1 dh=alua
	{
		printf '[owner pp]\nvendor = "HP      " DGC\n'
		printf '[owner iscsi]\nvendor = IBM\nwwid ='
		for i in $(seq 16); do printf ' iqn.2001-05.com.example:storage.lun%d' "$i"; done
		printf '\n[owner both]\nvendor = LSI NETAPP\nmodel = INF-* LUN\n'
	} | conf
	sde --kver "$KVER" rules >"$BATS_TEST_TMPDIR/rule"
	run -0 udev_kicks "$BATS_TEST_TMPDIR/rule"
	kicks=$output
	run -0 helper_wants
	assert_output - <<-'EOF2'
	1:0:0:1 yes
	1:0:0:2 no
	1:0:0:3 yes
	1:0:0:4 no
	1:0:0:5 yes
	1:0:0:6 yes
	1:0:0:7 yes
	1:0:0:8 no
	EOF2
	while read -r hctl want; do
		[ "$want" = no ] || grep -qx "$hctl yes" <<<"$kicks" || {
			echo "no kick for $hctl, which the helper wants; the rule:"
			cat "$BATS_TEST_TMPDIR/rule"
			false
		}
	done <<<"$output"
	# where the helper wants nothing: a wwid not listed, a model not listed
	grep -qx '1:0:0:4 no' <<<"$kicks"
	grep -qx '1:0:0:8 no' <<<"$kicks"
}
