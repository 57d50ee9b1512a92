#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test tools themselves: tests/lib/mkfixture (fake root tree),
# tests/lib/dhshim.c (dh_state write semantics), tests/lib/fake-modprobe.

# shellcheck disable=SC2016 # perl and sh -c code in single quotes is expanded there
# shellcheck disable=SC2030,SC2031 # every @test is its own subshell on purpose
# shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr

bats_require_minimum_version 1.5.0

setup_file() {
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export REPO
	local so=$REPO/build/dhshim.so
	if [[ ! -e $so || $REPO/tests/lib/dhshim.c -nt $so ]]; then
		mkdir -p "$REPO/build"
		gcc -shared -fPIC -O2 -o "$so.$$" "$REPO/tests/lib/dhshim.c" -ldl
		mv -f "$so.$$" "$so"
	fi
}

setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	MK=$REPO/tests/lib/mkfixture
	SHIM=$REPO/build/dhshim.so
	R=$BATS_TEST_TMPDIR/root
	KLOG=$R/var/log/fake-kernel.log
	DEVS=$R/sys/devices/platform
}

# dh_state of a device, by H:C:T:L, through the class link
dh() {
	printf '%s\n' "$R/sys/class/scsi_device/$1/device/dh_state"
}

# Write STRING to FILE with the shim the way dash does (open O_CREAT|O_TRUNC).
shwrite() {
	LD_PRELOAD=$SHIM sh -c 'printf %s "$2" > "$1"' sh "$1" "$2"
}

# Write STRING to FILE with the shim the way a C program does (open O_WRONLY,
# one write) and print the outcome with its errno text; exit 1 on error.
KWRITE='use Fcntl;
	sysopen(my $f, $ARGV[0], O_WRONLY) or do { print "open: $!\n"; exit 1 };
	my $n = syswrite($f, $ARGV[1]);
	defined($n) or do { print "write: $!\n"; exit 1 };
	print "wrote $n\n";'
kwrite() {
	LD_PRELOAD=$SHIM perl -e "$KWRITE" "$1" "$2"
}

# Bytes of a file as decimal numbers, one line.
bytes() {
	od -An -tu1 -v "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# --- mkfixture --------------------------------------------------------------

@test "mkfixture: --help lists every command" {
	run -0 "$MK" --help
	for c in host lun remove kernel builtin loaded module-installed cmdline kmsg conf; do
		assert_output --partial "  $c"
	done
	run -2 "$MK" "$R" nonsense
	assert_output --partial 'unknown command "nonsense"'
	run -2 "$MK" "$R" lun 1:2:3
	run -2 "$MK" "$R" lun 0:0:0:0 tpgs=4
}

@test "mkfixture: lun has the sysfs shape, links resolve both ways" {
	"$MK" "$R" host 3 qla2xxx lun 3:0:1:2 vendor=HP model=HSV100 rev=3000 wwid=naa.600508b4
	local dev=$DEVS/host3/target3:0:1/3:0:1:2
	[ -d "$dev" ]
	assert_equal "$(readlink "$R/sys/class/scsi_device/3:0:1:2")" \
		"../../devices/platform/host3/target3:0:1/3:0:1:2/scsi_device/3:0:1:2"
	assert_equal "$(readlink -f "$R/sys/class/scsi_device/3:0:1:2/device")" "$(readlink -f "$dev")"
	assert_equal "$(readlink "$R/sys/class/block/sda")" \
		"../../devices/platform/host3/target3:0:1/3:0:1:2/block/sda"
	assert_equal "$(readlink -f "$R/sys/class/block/sda/device")" "$(readlink -f "$dev")"
	assert_equal "$(readlink "$dev/block/sda/device")" "../../"
	assert_equal "$(readlink "$dev/scsi_device/3:0:1:2/device")" "../../"
	assert_equal "$(readlink -f "$dev/driver")" "$(readlink -f "$R/sys/bus/scsi/drivers/sd")"
	assert_equal "$(cat "$R/sys/class/scsi_host/host3/proc_name")" qla2xxx
	[ -L "$R/sys/class/scsi_host/host3" ]
	# padded exactly as "%.8s\n", "%.16s\n", "%.4s\n"
	assert_equal "$(od -An -c "$dev/vendor" | tr -d ' ')" 'HP\n'
	assert_equal "$(wc -c <"$dev/vendor")" 9
	run cat "$dev/vendor" "$dev/model" "$dev/rev" "$dev/type" "$dev/state" "$dev/dh_state" "$dev/wwid"
	assert_output "$(printf '%s\n' 'HP      ' 'HSV100          ' 3000 0 running detached naa.600508b4)"
	[ ! -e "$dev/access_state" ]
	[ ! -e "$dev/preferred_path" ]
}

@test "mkfixture: inquiry carries type, TPGS and the INQUIRY strings" {
	"$MK" "$R" lun 0:0:0:1 vendor=DGC model="RAID 5" rev=0531 tpgs=3 \
		lun 0:0:0:2 type=13 tpgs=1
	local inq=$DEVS/host0/target0:0:0/0:0:0:1/inquiry
	assert_equal "$(wc -c <"$inq")" 36
	run bytes "$inq"
	assert_output "0 0 5 2 31 48 0 2 $(printf 'DGC     RAID 5          0531' | od -An -tu1 -v | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
	run bytes "$DEVS/host0/target0:0:0/0:0:0:2/inquiry"
	assert_output --regexp '^13 0 5 2 31 16 '
	# the host was created with the default driver
	assert_equal "$(cat "$R/sys/class/scsi_host/host0/proc_name")" virtio_scsi
}

@test "mkfixture: access_state, dh, state, noinquiry, shortinquiry" {
	"$MK" "$R" lun 0:0:0:1 dh=alua tpgs=1 access=active/optimized preferred=1 \
		lun 0:0:0:2 noinquiry state=offline lun 0:0:0:3 shortinquiry
	local t=$DEVS/host0/target0:0:0
	assert_equal "$(cat "$t/0:0:0:1/dh_state" "$t/0:0:0:1/access_state" "$t/0:0:0:1/preferred_path")" \
		"$(printf 'alua\nactive/optimized\n1')"
	[ ! -e "$t/0:0:0:2/inquiry" ]
	assert_equal "$(cat "$t/0:0:0:2/state")" offline
	run bytes "$t/0:0:0:3/inquiry"
	assert_output "0 0 5 2"
}

@test "mkfixture: ioerr_cnt as the kernel writes it, any other value, or none" {
	"$MK" "$R" lun 0:0:0:1 lun 0:0:0:2 ioerr=0x1f lun 0:0:0:3 ioerr=none \
		lun 0:0:0:4 ioerr=$'12\n"x'
	local t=$DEVS/host0/target0:0:0
	assert_equal "$(cat "$t/0:0:0:1/ioerr_cnt")" 0x0
	assert_equal "$(cat "$t/0:0:0:2/ioerr_cnt")" 0x1f
	[ ! -e "$t/0:0:0:3/ioerr_cnt" ]
	assert_equal "$(cat "$t/0:0:0:4/ioerr_cnt")" $'12\n"x'
}

@test "mkfixture: vpd_pg83 pages, designator by designator" {
	"$MK" "$R" lun 0:0:0:1 tpgs=1 wwid=naa.6006016011111111 \
		lun 0:0:0:2 type=13 vpd83=eui:0011223344556677,t10:AB,name:iqn.x,tpg:258,relport:7 \
		lun 0:0:0:3 vpd83=raw:0103,len:40 lun 0:0:0:4 tpgs=1 vpd83=none lun 0:0:0:5
	# default for TPGS: the wwid's NAA, port group 1, relative port 1
	assert_equal "$(bytes "$DEVS/host0/target0:0:0/0:0:0:1/vpd_pg83")" \
		"0 131 0 28 1 3 0 8 96 6 1 96 17 17 17 17 1 21 0 4 0 0 0 1 1 20 0 4 0 0 0 1"
	# byte 0 is the peripheral type; the name string NUL padded to 4 bytes
	assert_equal "$(bytes "$DEVS/host0/target0:0:0/0:0:0:2/vpd_pg83")" \
		"13 131 0 46 1 2 0 8 0 17 34 51 68 85 102 119 2 1 0 2 65 66 3 8 0 8 105 113 110 46 120 0 0 0 1 21 0 4 0 0 1 2 1 20 0 4 0 0 0 7"
	assert_equal "$(bytes "$DEVS/host0/target0:0:0/0:0:0:3/vpd_pg83")" "0 131 0 40 1 3"
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:4/vpd_pg83" ]
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:5/vpd_pg83" ]
	run -2 "$MK" "$R" lun 0:0:0:6 vpd83=naa:123
	assert_output --partial 'bad hex'
	run -2 "$MK" "$R" lun 0:0:0:6 vpd83=frob:1
	assert_output --partial 'unknown designator'
}

@test "mkfixture: block names follow the kernel (sdz, sdaa, sr0, none)" {
	local args=() i
	for i in $(seq 0 26); do args+=(lun "0:0:$i:0"); done
	"$MK" "$R" "${args[@]}" lun 1:0:0:0 type=5 lun 1:0:0:1 type=13 lun 1:0:0:2 block=none \
		lun 1:0:0:3 block=sdq9
	assert_equal "$(readlink -f "$R/sys/class/block/sdz/device")" "$(readlink -f "$DEVS/host0/target0:0:25/0:0:25:0")"
	assert_equal "$(readlink -f "$R/sys/class/block/sdaa/device")" "$(readlink -f "$DEVS/host0/target0:0:26/0:0:26:0")"
	assert_equal "$(readlink -f "$R/sys/class/block/sr0/device")" "$(readlink -f "$DEVS/host1/target1:0:0/1:0:0:0")"
	assert_equal "$(readlink "$DEVS/host1/target1:0:0/1:0:0:0/driver")" ../../../../../bus/scsi/drivers/sr
	[ ! -e "$DEVS/host1/target1:0:0/1:0:0:1/block" ]
	[ ! -e "$DEVS/host1/target1:0:0/1:0:0:1/driver" ]
	[ ! -e "$DEVS/host1/target1:0:0/1:0:0:2/block" ]
	[ -L "$R/sys/class/block/sdq9" ]
	# a second call continues after the names in use
	"$MK" "$R" lun 2:0:0:0
	[ -L "$DEVS/host2/target2:0:0/2:0:0:0/block/sdab/device" ]
}

@test "mkfixture: remove and replace" {
	"$MK" "$R" lun 0:0:0:0 lun 0:0:0:1 lun 0:0:1:0
	"$MK" "$R" remove 0:0:0:0
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:0" ]
	[ ! -L "$R/sys/class/scsi_device/0:0:0:0" ]
	[ ! -L "$R/sys/class/block/sda" ]
	[ -L "$R/sys/class/block/sdb" ]
	# the lowest free name is reused, like the kernel's ida
	"$MK" "$R" lun 0:0:2:0
	[ -L "$DEVS/host0/target0:0:2/0:0:2:0/block/sda/device" ]
	# the last LUN of a target takes the target with it
	"$MK" "$R" remove 0:0:0:1
	[ ! -e "$DEVS/host0/target0:0:0" ]
	# lun on an existing device replaces it and keeps its block name
	"$MK" "$R" lun 0:0:1:0 vendor=IBM model=1722 dh=rdac
	assert_equal "$(cat "$R/sys/class/block/sdc/device/vendor")" "IBM     "
	assert_equal "$(cat "$R/sys/class/block/sdc/device/dh_state")" rdac
	run -2 "$MK" "$R" remove 0:0:9:9
}

@test "mkfixture: kernel writes osrelease, kallsyms and lib/modules" {
	"$MK" "$R" kernel 6.1.0-28-amd64 can_detach=no
	local md=$R/lib/modules/6.1.0-28-amd64
	assert_equal "$(cat "$R/proc/sys/kernel/osrelease")" 6.1.0-28-amd64
	run -1 grep scsi_dh_detach "$R/proc/kallsyms" "$md/modules.symbols"
	run -0 grep -x 'kernel/drivers/scsi/device_handler/scsi_dh_alua.ko.xz: kernel/drivers/scsi/scsi_mod.ko.xz kernel/drivers/scsi/scsi_common.ko.xz' "$md/modules.dep"
	for m in scsi_dh_emc scsi_dh_rdac scsi_dh_hp_sw scsi_mod sd_mod sr_mod st sg ses ch \
		virtio_scsi qla2xxx lpfc mpt3sas megaraid_sas hpsa iscsi_tcp libiscsi \
		scsi_transport_fc scsi_transport_sas scsi_transport_iscsi; do
		grep -q "/$m\.ko\.xz:" "$md/modules.dep"
	done
	run -0 grep '^kernel/drivers/scsi/qla2xxx/qla2xxx.ko.xz:' "$md/modules.dep"
	assert_output --partial scsi_transport_fc.ko.xz
	run -1 grep scsi_dh "$md/modules.builtin"

	"$MK" "$R" kernel 4.1.0 can_detach=yes
	run -0 grep -P '^[0-9a-f]{16} T scsi_dh_detach\t\[scsi_mod\]$' "$R/proc/kallsyms"
	run -0 grep -x 'alias symbol:scsi_dh_detach scsi_mod' "$R/lib/modules/4.1.0/modules.symbols"

	"$MK" "$R" kernel 5.14.0 can_detach=unknown
	[ ! -e "$R/proc/kallsyms" ]
	run -1 grep scsi_dh "$R/lib/modules/5.14.0/modules.symbols"

	"$MK" "$R" kernel 6.9.0 running=no
	assert_equal "$(cat "$R/proc/sys/kernel/osrelease")" 5.14.0
	[ -e "$R/lib/modules/6.9.0/modules.dep" ]
}

@test "mkfixture: builtin, module-installed, loaded" {
	"$MK" "$R" kernel 6.1.0 can_detach=yes kernel 6.9.0 running=no \
		builtin scsi_mod scsi_dh_alua module-installed emcp extra/emcp.ko \
		loaded scsi_dh_emc scsi-dh-rdac builtin -k 6.9.0 scsi_dh_hp_sw
	local md=$R/lib/modules/6.1.0
	run -1 grep -e 'scsi_mod.ko' -e 'scsi_dh_alua' "$md/modules.dep"
	run -0 grep -x 'kernel/drivers/scsi/device_handler/scsi_dh_emc.ko.xz: kernel/drivers/scsi/scsi_common.ko.xz' "$md/modules.dep"
	run -0 grep -x 'extra/emcp.ko:' "$md/modules.dep"
	run -0 grep -x -e kernel/drivers/scsi/scsi_mod.ko -e kernel/drivers/scsi/device_handler/scsi_dh_alua.ko "$md/modules.builtin"
	assert_equal "${#lines[@]}" 2
	run -1 grep ' scsi_mod$' "$md/modules.symbols"
	run -1 grep -F '[scsi_mod]' "$R/proc/kallsyms"
	[ -d "$R/sys/module/scsi_mod" ] && [ ! -e "$R/sys/module/scsi_mod/initstate" ]
	[ -d "$R/sys/module/scsi_dh_alua" ] && [ ! -e "$R/sys/module/scsi_dh_alua/initstate" ]
	assert_equal "$(cat "$R/sys/module/scsi_dh_emc/initstate" "$R/sys/module/scsi_dh_rdac/initstate")" "$(printf 'live\nlive')"
	run -0 grep -x kernel/drivers/scsi/device_handler/scsi_dh_hp_sw.ko "$R/lib/modules/6.9.0/modules.builtin"
	run -1 grep scsi_dh_hp_sw "$R/lib/modules/6.9.0/modules.dep"
	[ ! -e "$R/sys/module/scsi_dh_hp_sw" ]
}

@test "mkfixture: cmdline, kmsg, conf" {
	"$MK" "$R" cmdline "root=/dev/sda1 rd.scsi_dh.preload=alua,emc lun" kmsg
	assert_equal "$(cat "$R/proc/cmdline")" "root=/dev/sda1 rd.scsi_dh.preload=alua,emc lun"
	[ -f "$R/dev/kmsg" ] && [ ! -s "$R/dev/kmsg" ]
	printf 'preload = alua\n' | "$MK" "$R" conf
	printf '[owner powerpath]\ndriver = emcp\n' | "$MK" "$R" conf 50-powerpath
	assert_equal "$(cat "$R/etc/scsi-dh-early.conf")" "preload = alua"
	assert_equal "$(cat "$R/etc/scsi-dh-early.conf.d/50-powerpath.conf")" "$(printf '[owner powerpath]\ndriver = emcp')"
	[ -d "$R/run" ] && [ -d "$R/var/log" ]
}

@test "mkfixture: 300 LUNs in well under 10 s" {
	local args=(kernel 6.1.0) h t l
	for h in 0 1; do
		for t in $(seq 0 14); do
			for l in $(seq 0 9); do
				args+=(lun "$h:0:$t:$l" vendor=DGC model=VRAID tpgs=1 dh=alua
					access=active/optimized wwid="naa.6006016$h$t$l")
			done
		done
	done
	SECONDS=0
	"$MK" "$R" "${args[@]}"
	local took=$SECONDS
	run -0 find "$R/sys/class/scsi_device" "$R/sys/class/block" -mindepth 1
	assert_equal "${#lines[@]}" 600
	[ -L "$R/sys/class/block/sdkn" ]
	echo "# 300 LUNs: ${took}s" >&3
	[ "$took" -lt 10 ]
}

# --- dhshim -----------------------------------------------------------------

@test "dhshim: attach through a dash redirection (O_CREAT|O_TRUNC)" {
	"$MK" "$R" lun 0:0:0:1 tpgs=1 lun 0:0:0:2 vendor=DGC model="RAID 5"
	run -0 shwrite "$(dh 0:0:0:1)" alua
	assert_equal "$(cat "$(dh 0:0:0:1)")" alua
	# "emc\n" matches the registered name emc by prefix, as strncmp does
	run -0 shwrite "$(dh 0:0:0:2)" $'emc\n'
	assert_equal "$(cat "$(dh 0:0:0:2)")" emc
	run -0 cat "$KLOG"
	assert_output "$(printf '%s\n' 'write 0:0:0:1 alua' 'write 0:0:0:2 emc\n')"
	run -0 kwrite "$(dh 0:0:0:1)" activate
	assert_output "wrote 8"
	run -1 kwrite "$(dh 0:0:0:1)" rdac
	assert_output "write: Invalid argument"
	assert_equal "$(cat "$(dh 0:0:0:1)")" alua
}

@test "dhshim: unknown names are a futile module request and EINVAL" {
	"$MK" "$R" lun 0:0:0:1
	run -1 kwrite "$(dh 0:0:0:1)" detach
	assert_output "write: Invalid argument"
	run -1 kwrite "$(dh 0:0:0:1)" $'foo\n'
	assert_equal "$(cat "$(dh 0:0:0:1)")" detached
	run -0 grep request_module "$KLOG"
	assert_output "$(printf '%s\n' 'request_module scsi_dh_detach' 'request_module scsi_dh_foo\n')"
}

@test "dhshim: alua refuses devices without TPGS and non-disks" {
	"$MK" "$R" lun 0:0:0:1 tpgs=0 lun 0:0:0:2 type=13 tpgs=1 lun 0:0:0:3 tpgs=2 noinquiry
	run -1 kwrite "$(dh 0:0:0:1)" alua
	assert_output "write: No such device"
	run -1 kwrite "$(dh 0:0:0:2)" alua
	assert_output "write: No such device"
	FAKE_KERNEL=pre43 run -1 kwrite "$(dh 0:0:0:1)" alua
	assert_output "write: Invalid argument"
	assert_equal "$(cat "$(dh 0:0:0:1)" "$(dh 0:0:0:2)")" "$(printf 'detached\ndetached')"
	run -0 grep -F '<6>' "$KLOG"
	assert_line "<6>sd 0:0:0:1: alua: not supported"
	assert_line "<6>scsi 0:0:0:2: alua: disable for non-disk devices"
	# without an inquiry file nothing says no
	run -0 kwrite "$(dh 0:0:0:3)" alua
}

@test "dhshim: alua refuses TPGS disks without a port group in vpd_pg83 (alua_check_vpd)" {
	"$MK" "$R" lun 0:0:0:1 tpgs=1 vpd83=naa:6006016011111111,relport:1 \
		lun 0:0:0:2 tpgs=1 vpd83=none lun 0:0:0:3 tpgs=1 vpd83=tpg:5
	run -1 kwrite "$(dh 0:0:0:1)" alua
	assert_output "write: No such device"
	FAKE_KERNEL=pre43 run -1 kwrite "$(dh 0:0:0:2)" alua
	assert_output "write: Invalid argument"
	run -0 kwrite "$(dh 0:0:0:3)" alua
	run -0 grep -cF 'alua: No target port descriptors found' "$KLOG"
	assert_output 2
	# no "Attach failed" line: scsi_dh_handler_attach() is silent on -ENODEV
	run -1 grep -F 'Attach failed' "$KLOG"
}

@test "dhshim: post-4.3 detach is refused and logged like the kernel" {
	"$MK" "$R" kmsg lun 0:0:0:1 dh=alua tpgs=1 access=standby
	run -1 shwrite "$(dh 0:0:0:1)" detach
	run -1 kwrite "$(dh 0:0:0:1)" $'detach\n'
	assert_output "write: Invalid argument"
	assert_equal "$(cat "$(dh 0:0:0:1)")" alua
	[ -e "$DEVS/host0/target0:0:0/0:0:0:1/access_state" ]
	run -0 cat "$R/dev/kmsg"
	assert_output "$(printf "%s\n" "<4>sd 0:0:0:1: can't detach handler alua." "<4>sd 0:0:0:1: can't detach handler alua.")"
	run -0 grep -c "can't detach handler alua.$" "$KLOG"
	assert_output 2
	run -0 grep -c '^write 0:0:0:1 detach' "$KLOG"
	assert_output 2
}

@test "dhshim: pre-4.3 detach detaches, FAKE_DETACH_STICKY holds it first" {
	"$MK" "$R" kmsg lun 0:0:0:1 dh=emc access=active/optimized lun 0:0:0:2 dh=rdac
	FAKE_KERNEL=pre43 run -0 kwrite "$(dh 0:0:0:1)" detach
	assert_equal "$(cat "$(dh 0:0:0:1)")" detached
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:1/access_state" ]
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:1/preferred_path" ]
	[ ! -s "$R/dev/kmsg" ]
	run -0 grep -x '<5>sd 0:0:0:1: emc: Detached' "$KLOG"
	export FAKE_KERNEL=pre43 FAKE_DETACH_STICKY=2
	run -0 shwrite "$(dh 0:0:0:2)" detach
	run -0 shwrite "$(dh 0:0:0:2)" detach
	assert_equal "$(cat "$(dh 0:0:0:2)")" rdac
	run -0 shwrite "$(dh 0:0:0:2)" detach
	assert_equal "$(cat "$(dh 0:0:0:2)")" detached
}

@test "dhshim: missing files, vanished and deleted devices" {
	"$MK" "$R" lun 0:0:0:1 lun 0:0:0:2 state=deleted lun 0:0:0:3
	run -1 kwrite "$R/sys/class/scsi_device/0:0:9:9/device/dh_state" alua
	assert_output "open: No such file or directory"
	run -2 shwrite "$R/sys/class/scsi_device/0:0:9:9/device/dh_state" alua
	assert_output --partial "nonexistent"
	# a missing attribute of a present device: ENOENT, EACCES with O_CREAT
	rm "$DEVS/host0/target0:0:0/0:0:0:1/dh_state"
	run -1 kwrite "$DEVS/host0/target0:0:0/0:0:0:1/dh_state" alua
	assert_output "open: No such file or directory"
	run -2 shwrite "$DEVS/host0/target0:0:0/0:0:0:1/dh_state" alua
	assert_output --partial "Permission denied"
	[ ! -e "$DEVS/host0/target0:0:0/0:0:0:1/dh_state" ]
	run -1 kwrite "$(dh 0:0:0:2)" emc
	assert_output "write: No such device"
	# the device goes away between open and write
	local dev=$DEVS/host0/target0:0:0/0:0:0:3
	run -1 env LD_PRELOAD="$SHIM" perl -e '
		open(my $f, ">", "$ARGV[0]/dh_state") or die "open: $!\n";
		system("rm", "-rf", $ARGV[0]);
		defined(syswrite($f, "emc")) or do { print "write: $!\n"; exit 1 };' "$dev"
	assert_output "write: No such device"
}

@test "dhshim: other files and reads are untouched" {
	"$MK" "$R" lun 0:0:0:1
	LD_PRELOAD=$SHIM sh -c 'printf x > "$1/dh_state"; printf y > "$1/other"' sh "$BATS_TEST_TMPDIR"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/dh_state" "$BATS_TEST_TMPDIR/other")" xy
	run -0 env LD_PRELOAD="$SHIM" cat "$(dh 0:0:0:1)"
	assert_output detached
	[ ! -e "$KLOG" ] || [ ! -s "$KLOG" ]
}

@test "dhshim: 64 concurrent writers on one tree" {
	local args=() i
	for i in $(seq 0 63); do args+=(lun "0:0:$i:0" tpgs=1); done
	"$MK" "$R" "${args[@]}"
	for i in $(seq 0 63); do
		FAKE_WRITE_DELAY_MS=100 shwrite "$(dh "0:0:$i:0")" alua &
	done
	wait
	run -0 grep -c '^write 0:0:[0-9]*:0 alua$' "$KLOG"
	assert_output 64
	run -0 grep -c '' "$KLOG"
	assert_output 64
	run -0 sh -c 'cat "$1"/sys/class/scsi_device/*/device/dh_state | sort | uniq -c' sh "$R"
	assert_output --regexp '^ *64 alua$'
}

# --- fake-modprobe ----------------------------------------------------------

@test "fake-modprobe: ok loads, -a, builtin left alone, log" {
	"$MK" "$R" kernel 6.1.0 builtin scsi_dh_rdac
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$R
	run -0 "$REPO/tests/lib/fake-modprobe" -b -a -q -- scsi_dh_alua scsi-dh-emc scsi_dh_rdac
	assert_equal "$(cat "$R/sys/module/scsi_dh_alua/initstate" "$R/sys/module/scsi_dh_emc/initstate")" \
		"$(printf 'live\nlive')"
	[ ! -e "$R/sys/module/scsi_dh_rdac/initstate" ]
	# without -a the other names are parameters of the first
	run -0 "$REPO/tests/lib/fake-modprobe" -bq scsi_dh_hp_sw foo=1
	[ -e "$R/sys/module/scsi_dh_hp_sw/initstate" ]
	[ ! -e "$R/sys/module/foo=1" ]
	run -0 cat "$FAKE_MODPROBE_LOG"
	assert_output "$(printf '%s\n' 'modprobe -b -a -q -- scsi_dh_alua scsi-dh-emc scsi_dh_rdac' 'modprobe -bq scsi_dh_hp_sw foo=1')"
	unset FAKE_MODPROBE_LOG
	run -1 "$REPO/tests/lib/fake-modprobe" -a x
}

@test "fake-modprobe: fail, partial, hang" {
	export FAKE_MODPROBE_LOG=$BATS_TEST_TMPDIR/modprobe.log FAKE_SYSROOT=$R
	"$MK" "$R" kernel 6.1.0
	FAKE_MODPROBE_MODE=fail run -1 --separate-stderr "$REPO/tests/lib/fake-modprobe" -a -S 6.1.0 scsi_dh_alua
	assert_equal "$stderr" "modprobe: FATAL: Module scsi_dh_alua not found in directory $R/lib/modules/6.1.0"
	FAKE_MODPROBE_MODE=fail run -1 --separate-stderr "$REPO/tests/lib/fake-modprobe" -aq scsi_dh_alua
	assert_equal "$stderr" ""
	[ ! -e "$R/sys/module/scsi_dh_alua" ]
	FAKE_MODPROBE_MODE=partial FAKE_MODPROBE_FAIL="scsi_dh_emc,scsi_dh_rdac" \
		run -1 --separate-stderr "$REPO/tests/lib/fake-modprobe" -a scsi_dh_alua scsi_dh_emc scsi_dh_hp_sw
	assert_equal "$stderr" "modprobe: FATAL: Module scsi_dh_emc not found in directory $R/lib/modules/6.1.0"
	[ -e "$R/sys/module/scsi_dh_alua/initstate" ] && [ -e "$R/sys/module/scsi_dh_hp_sw/initstate" ]
	[ ! -e "$R/sys/module/scsi_dh_emc" ]
	SECONDS=0
	FAKE_MODPROBE_MODE=hang run -124 timeout 1 "$REPO/tests/lib/fake-modprobe" -a scsi_dh_alua
	[ "$SECONDS" -lt 5 ]
	FAKE_MODPROBE_MODE=hang run -137 timeout -s KILL 1 "$REPO/tests/lib/fake-modprobe" -a scsi_dh_alua
	run -0 grep -c '' "$FAKE_MODPROBE_LOG"
	assert_output 5
}

# --- the boot suite ---------------------------------------------------------

@test "the boot suites boot every scenario of the default tier" {
	local s missing=()
	run -0 "$REPO/tests/boot/run.sh" --list
	while read -r s; do
		grep -Eq "^[[:space:]]*boot $s\$" "$REPO/tests/boot/boot.bats" \
			"$REPO/tests/boot/mpath.bats" || missing+=("$s")
	done < <(grep -v ' (' <<<"$output")
	[ "${#missing[@]}" -eq 0 ] || fail "not booted by tests/boot/*.bats: ${missing[*]}"
}
