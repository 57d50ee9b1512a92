# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The boot scenarios, as data (see lib.sh for the vocabulary).  One image
# serves several scenarios through the kernel command line.

files=$BOOT_DIR/files
dh_drivers="scsi_dh_alua scsi_dh_hp_sw scsi_dh_emc scsi_dh_rdac"

# ---- images ----

image base-classic --classic
image base-systemd --systemd
# The mechanism with no project code: a softdep in the image's modprobe.d.
image softdep-classic --classic --add-drivers "$dh_drivers" \
	--include "$files/scsi-dh-softdep.conf" /etc/modprobe.d/scsi-dh-softdep.conf
image softdep-systemd --systemd --conf "$files/dh-drivers.conf" \
	--include "$files/scsi-dh-softdep.conf" /etc/modprobe.d/scsi-dh-softdep.conf

# The project's module, with the helper from build/ and a configuration
# from this tree.
image proj-classic SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --classic --add scsi-dh-early
image proj-systemd SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --systemd --add scsi-dh-early
image proj-broken SCSI_DH_EARLY_SYSCONFDIR="$files/conf-broken" --classic --add scsi-dh-early
image proj-owner SCSI_DH_EARLY_SYSCONFDIR="$files/conf-owner" --classic --add scsi-dh-early
# dracut's busybox module links its applets, modprobe too, over the tools.
image proj-busybox SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --classic \
	--add "scsi-dh-early busybox"

# ---- disks ----

# virtio-scsi LUNs named after entries of the kernel's scsi_dh table, and one
# that matches nothing.  The wwn gives the DGC LUN a wwid "naa.6006016...".
disks std "HP:HSV100" "HP:HSV100" "DGC:RAID 5:wwn=0x6006016000000001" "IBM:1814" ":"
# Only LUNs whose handler can attach under QEMU: emc and rdac fail to attach
# there ("emc: Attach failed (8)"): QEMU lacks the vendor INQUIRY pages they read.
disks hp "HP:HSV100" "HP:HSV100" ":"
# One LUN that wants no handler.
disks plain ":"

# scsi_debug as the second HBA, loaded by dracut's rd.driver.pre (before udev);
# vpd_use_hostno=0 makes its LUNs report TPGS, so the kernel wants alua.
sdebug="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=2"

# ---- scenarios ----

baseline_expect=(
	"expect=count host=scsi_debug 2"
	"expect=count host=virtio_scsi 5"
	"expect=dh all detached"
	"expect=access all unreadable"
	"expect=!mod scsi_dh_alua"
	"expect=!mod scsi_dh_hp_sw"
	"expect=status absent"
)
scenario baseline-classic image=base-classic disks=std cmdline="$sdebug" luns=7 \
	"${baseline_expect[@]}"
scenario baseline-systemd image=base-systemd disks=std cmdline="$sdebug" luns=7 \
	"${baseline_expect[@]}"

# emc and rdac were there at scan time, but fail to attach to QEMU's disks.
softdep_expect=(
	"expect=count all 7"
	"expect=dh host=scsi_debug alua"
	"expect=access host=scsi_debug active/optimized"
	"expect=dh model=HSV100 hp_sw"
	"expect=dh vendor=QEMU detached"
	"expect=access vendor=QEMU unreadable"
	"expect=dh vendor=DGC detached"
	"expect=console emc: Attach failed"
	"expect=console rdac: Attach failed"
	"expect=mod scsi_dh_alua"
	"expect=mod scsi_dh_hp_sw"
	"expect=mod scsi_dh_emc"
	"expect=mod scsi_dh_rdac"
)
scenario softdep-classic image=softdep-classic disks=std cmdline="$sdebug" luns=7 \
	"${softdep_expect[@]}"
scenario softdep-systemd image=softdep-systemd disks=std cmdline="$sdebug" luns=7 \
	"${softdep_expect[@]}"

# The test hook sde.early= loads scsi_debug ahead of everything, ignoring
# modprobe.d: its LUNs are scanned before any handler is there.
# (Also shows that kmod applies "softdep scsi_mod post:" when a later modprobe
# of virtio_scsi finds scsi_mod already loaded: the HSV100 LUNs get hp_sw.)
scenario early-hba-softdep image=softdep-classic disks=std luns=7 tier=extra \
	cmdline="sde.early=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=2" \
	"expect=dh host=scsi_debug detached" \
	"expect=dh model=HSV100 hp_sw"

# ---- with the project's module ----

project=(needs=build/scsi-dh-early needs=modules.d/50scsi-dh-early/module-setup.sh)
project_expect=(
	"expect=count all 5"
	"expect=dh host=scsi_debug alua"
	"expect=access host=scsi_debug active/optimized"
	"expect=dh model=HSV100 hp_sw"
	"expect=dh vendor=QEMU detached"
	"expect=status 0"
	"expect=kmsg scsi-dh-early: preload: "
	"expect=kmsg scsi-dh-early: 5 LUNs: "
	"expect=!kmsg can't detach handler"
	"expect=json \"verdict\": *\"ok\""
	# one preload line and one summary line: one helper run each, and no
	# helper run per LUN (every run writes exactly one such line)
	"expect=consolecount 2 \\] scsi-dh-early: (preload: |[0-9]+ LUNs?)"
	"expect=consolecount 1 \\] scsi-dh-early: 5 LUNs: 4 ok, 1 none; attached 0, detached 0, refused 0, failed 0$"
)
scenario proj-classic image=proj-classic disks=hp cmdline="$sdebug" luns=5 \
	"${project[@]}" "${project_expect[@]}"
scenario proj-systemd image=proj-systemd disks=hp cmdline="$sdebug" luns=5 \
	"${project[@]}" "${project_expect[@]}"

# rd.scsi_dh=0: nothing loaded, nothing changed.
scenario proj-off image=proj-classic disks=hp cmdline="$sdebug rd.scsi_dh=0" luns=5 \
	"${project[@]}" \
	"expect=dh all detached" \
	"expect=!mod scsi_dh_alua" \
	"expect=kmsg scsi-dh-early: disabled by rd.scsi_dh=0"

# scsi_debug loaded ahead of the preload (sde.early=, no softdep): its LUNs
# come up without a handler and the sweep attaches alua late.  (On 6.1 the
# access_state file is always there; it reads EINVAL until a handler is
# attached, early or late.)
scenario proj-late-attach image=proj-classic disks=hp luns=5 \
	cmdline="sde.early=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=2" \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=access host=scsi_debug active/optimized" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=kmsg scsi-dh-early: 5 LUNs: .*attached 2"

# An owner rule on the scsi_debug LUNs, on 6.1 which cannot detach: the
# helper knows and writes no detach, so the kernel logs no refusal.
scenario proj-owner image=proj-owner disks=hp cmdline="$sdebug" luns=5 \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=status 0" \
	"expect=json \"host_driver\":\"scsi_debug\".*\"owner\":\"sdebug\",\"verdict\":\"owned-attached\"" \
	"expect=!json \"host_driver\":\"scsi_debug\".*\"verdict\":\"(ok|none|missing|mismatch|owned)\"" \
	"expect=kmsg scsi-dh-early: 5 LUNs: 2 ok, 1 none, 2 owned-attached; attached 0, detached 0, refused 2, failed 0" \
	"expect=!kmsg can't detach handler" \
	"expect=!console can't detach handler"

# 64 LUNs that arrive after the sweep (4 hot-added scsi_debug hosts of 16),
# each with its handler from the scan: the udev rule starts nothing for them,
# no late sweep runs and the kernel log has the preload and sweep lines only.
# ("helper|" lines: one per run of the helper, see sde-report.sh.)
late_cmdline="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=16 sde.hotplug=4"
scenario proj-late-luns image=proj-classic disks=hp luns=19 timeout=400 \
	cmdline="$late_cmdline sde.luns_after=83" \
	"${project[@]}" \
	"expect=count host=scsi_debug 80" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=linecount = 1 ^helper\\|-q apply$" \
	"expect=linecount = 0 ^helper\\|.*--late" \
	"expect=linecount = 2 ^kmsg\\|.*\\] scsi-dh-early: " \
	"expect=line ^bootjson\\|.*\"summary\":\"19 LUNs: 18 ok, 1 none; attached 0, detached 0, refused 0, failed 0\"" \
	"expect=consolecount 2 \\] scsi-dh-early: (preload: |[0-9]+ LUNs?)"

# The same 64 late LUNs, this time HP HSV100 without TPGS, scanned after
# scsi_dh_hp_sw has been unloaded: each comes up without the hp_sw the
# kernel's table wants.  The rule kicks for each; the kicks become a few late
# sweeps, which attach hp_sw to every one and add them to the boot record,
# with one kernel log line per sweep that changed something, none per LUN.
scenario proj-late-work image=proj-classic disks=plain luns=17 timeout=400 \
	cmdline="$late_cmdline sde.hotplug.hp=1 sde.luns_after=81" \
	"${project[@]}" \
	"expect=count host=scsi_debug 80" \
	"expect=count model=HSV100 64" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=dh vendor=Linux alua" \
	"expect=mod scsi_dh_hp_sw" \
	"expect=kmsg scsi-dh-early: 17 LUNs: 16 ok, 1 none; attached 0" \
	"expect=linecount = 1 ^helper\\|-q apply$" \
	"expect=linecount >= 1 ^helper\\|-q apply --late$" \
	"expect=linecount <= 6 ^helper\\|-q apply --late$" \
	"expect=linecount <= 8 ^kmsg\\|.*\\] scsi-dh-early: " \
	"expect=kmsg scsi-dh-early: late: [0-9]+ LUNs: .*attached [1-9]" \
	"expect=!kmsg scsi-dh-early: .*failed [1-9]" \
	"expect=line ^bootjson\\|.*\"summary\":\"81 LUNs: 80 ok, 1 none; late: " \
	"expect=!json \"verdict\":\"missing\""

# A broken configuration: the default handlers preloaded, nothing changed,
# the error logged.
scenario proj-broken-config image=proj-broken disks=hp cmdline="$sdebug" luns=5 \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=kmsg scsi-dh-early: .*scsi-dh-early.conf:[0-9]+: "

# 256 scsi_debug LUNs (4 targets x 64) and one sweep over all of them.
scenario proj-many-luns image=proj-classic disks=hp luns=259 timeout=400 \
	cmdline="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.num_tgts=4 scsi_debug.max_luns=64" \
	"${project[@]}" \
	"expect=count host=scsi_debug 256" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=kmsg scsi-dh-early: 259 LUNs: 258 ok, 1 none" \
	"expect=consolecount 2 \\] scsi-dh-early: (preload: |[0-9]+ LUNs?)"

# After switch_root into a busybox root with the helper: the handlers stay,
# and the boot's status survives in /run.
scenario proj-switch-root image=proj-classic disks=hp cmdline="$sdebug" luns=5 \
	root=busybox rootfile=build/scsi-dh-early:/usr/sbin/scsi-dh-early \
	rootfile=tests/boot/files/conf-default/scsi-dh-early.conf:/etc/scsi-dh-early.conf \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=@root dh host=scsi_debug alua" \
	"expect=@root dh model=HSV100 hp_sw" \
	"expect=@root status 0" \
	"expect=@root line ^bootjson\\|.*\"summary\":\"5 LUNs: "

# The same through a systemd initramfs (initrd-switch-root.service).
scenario switch-root-systemd image=softdep-systemd disks=hp cmdline="$sdebug" luns=5 \
	root=busybox tier=extra \
	"expect=@root dh host=scsi_debug alua" \
	"expect=@root dh model=HSV100 hp_sw"

# With dracut's busybox module: busybox's modprobe knows no softdep; the
# image must still load the handlers with kmod's.
scenario proj-busybox image=proj-busybox disks=hp cmdline="$sdebug" luns=5 \
	"${project[@]}" "${project_expect[@]}"

# The late attach through a systemd initramfs (sde-early-load.service runs
# before scsi-dh-early-preload.service).
scenario proj-late-attach-systemd image=proj-systemd disks=hp luns=5 tier=extra \
	cmdline="sde.early=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=2" \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=kmsg scsi-dh-early: 5 LUNs: .*attached 2"

# ---- the ALUA array of the kernel's SCSI target (sde-array.sh) ----

# LIO with RAM disks behind two tcm_loop hosts, path B in standby when it is
# scanned; built at pre-mount, measured after udev settle.  Three modes on
# the same array: no handler, the project's image as built (nothing loaded
# by hand), and "the kernel's best": scsi_dh_alua modprobed by hand right
# before the first LUN link.  log_buf_len: every kernel line counted stays
# in the ring buffer.  SDE_ARRAY_LUNS: the array's size (default 16; make
# bench sets it).  tier=array: booted by boot.bats, make demo and make bench,
# not by a plain run.sh.
array_cmdline="log_buf_len=8M sde.array.luns=${SDE_ARRAY_LUNS:-16}"
# under TCG on a busy machine a 16-LUN array boots in 2 to 4 minutes, and the
# time grows with the LUNs; the limit only catches a hung boot
array_timeout="timeout=$((600 + ${SDE_ARRAY_LUNS:-16} * 15))"
scenario array-without image=base-classic tier=array "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" \
	"expect=array built = yes" \
	"expect=array a_dh = detached" \
	"expect=array b_dh = detached" \
	"expect=array b_access = unreadable" \
	"expect=array b_reads_failed > 0" \
	"expect=array b_ioerr = @b_cmds_failed" \
	"expect=array sense_standby > 0" \
	"expect=array b_lio_read_mbytes = 0" \
	"expect=array trace_overrun = 0"
scenario array-with image=proj-classic tier=array "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" \
	"${project[@]}" \
	"expect=array built = yes" \
	"expect=array a_dh = alua" \
	"expect=array b_dh = alua" \
	"expect=linecount <= 4 ^helper\\|-q apply --late$" \
	"expect=array a_access = active/optimized" \
	"expect=array b_access = standby" \
	"expect=array b_lio_read_mbytes = 0" \
	"expect=array b_ioerr = @b_cmds_failed" \
	"expect=array trace_overrun = 0"
scenario array-best image=base-classic tier=array "$array_timeout" \
	cmdline="sde.array=standby sde.array.best=1 $array_cmdline" \
	"expect=array built = yes" \
	"expect=array a_dh = alua" \
	"expect=array b_dh = alua" \
	"expect=array b_access = standby" \
	"expect=array trace_overrun = 0"
# unavailable: the handler knows the state, but an unavailable path serves
# nothing either way
scenario array-unavailable-without image=base-classic tier=array "$array_timeout" \
	cmdline="sde.array=unavailable $array_cmdline" \
	"expect=array built = yes" \
	"expect=array b_dh = detached" \
	"expect=array sense_unavailable > 0"
scenario array-unavailable-with image=proj-classic tier=array "$array_timeout" \
	cmdline="sde.array=unavailable $array_cmdline" \
	"${project[@]}" \
	"expect=array built = yes" \
	"expect=array b_dh = alua" \
	"expect=array b_access = unavailable"

# The kernel's best is not the limit: every A path scanned first, then every
# B path (sde.array.order=a-first), 64 LUNs.  Without a handler, with the
# kernel's best, with the project, and with the kernel's best plus sd held off
# each B path until alua's first RTPG has told its state (sde.array.hold=1).
# For make bench and by hand (run.sh NAME); boot.bats boots none of them.
afirst_luns=${SDE_AFIRST_LUNS:-64}
afirst_cmdline="log_buf_len=8M sde.array=standby sde.array.order=a-first sde.array.luns=$afirst_luns"
afirst_timeout="timeout=$((600 + afirst_luns * 15))"
scenario afirst-without image=base-classic tier=extra "$afirst_timeout" \
	cmdline="$afirst_cmdline" \
	"expect=array built = yes" \
	"expect=array b_dh = detached" \
	"expect=array b_reads_failed > 0"
scenario afirst-best image=base-classic tier=extra "$afirst_timeout" \
	cmdline="$afirst_cmdline sde.array.best=1" \
	"expect=array built = yes" \
	"expect=array b_dh = alua" \
	"expect=array b_access = standby"
scenario afirst-with image=proj-classic tier=extra "$afirst_timeout" \
	cmdline="$afirst_cmdline" "${project[@]}" \
	"expect=array built = yes" \
	"expect=array b_dh = alua" \
	"expect=array b_access = standby"
scenario afirst-hold image=base-classic tier=extra "$afirst_timeout" \
	cmdline="$afirst_cmdline sde.array.best=1 sde.array.hold=1" \
	"expect=array built = yes" \
	"expect=array b_dh = alua" \
	"expect=array b_access = standby"

# ---- dm-multipath: multipathd and dracut's multipath module on the array ----

# dracut's multipath module (90multipath) with multipath-tools' multipathd,
# on the standby array (mpath_luns below): a map per LUN once its second path comes.
# Debian 12 keeps multipathd's checkers and prioritizers in /lib/multipath,
# where dracut 059 does not look (inst_libdir_file "multipath/*" searches
# /lib64 and the linker's directories): without them multipathd stops
# ("Checker 'tur' not found"); the images install them by name.
mpath_plugins=$(echo /lib/multipath/*.so)
mpath_image=(--include "$files/multipath.conf" /etc/multipath.conf --install "$mpath_plugins")
image mpath-classic SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --classic \
	--add "scsi-dh-early multipath" "${mpath_image[@]}"
image mpath-systemd SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --systemd \
	--add "scsi-dh-early multipath" "${mpath_image[@]}"
# the peer: dracut's multipath module as distributions ship it, no-hostonly,
# alone; the handlers are in the image (its installkernel), nothing loads
# them before the scan, dm-multipath attaches alua when it loads a map
image mpath-dracut --classic --add multipath "${mpath_image[@]}"
image mpath-dracut-systemd --systemd --add multipath "${mpath_image[@]}"
# the same with the handler loaded before udev starts, the three ways the
# multipath stack offers: what 90multipath's install() writes with
# hostonly_cmdline=yes on a host where scsi_dh_alua is loaded (its cmdline()
# greps /proc/modules; the build host need not have one, so the file is
# given: /etc/cmdline.d/90multipath.conf, "rd.driver.pre=scsi_dh_alua ");
# rd.driver.pre= by hand on the kernel's command line (the mpath-dracut
# image); and systemd-modules-load with scsi_dh_alua in modules-load.d, as
# multipath-tools lists dm-multipath there
image mpath-dracut-cmdline --systemd --add multipath "${mpath_image[@]}" \
	--include "$files/90multipath-cmdline.conf" /etc/cmdline.d/90multipath.conf
image mpath-dracut-mload --systemd --add "multipath systemd-modules-load" "${mpath_image[@]}" \
	--include "$files/modules-load-alua.conf" /etc/modules-load.d/scsi_dh_alua.conf

# make check's size: at 32 LUNs udev settles in about 2 minutes under TCG, at
# 64 in over 4 (SDE_MPATH_LUNS=64 for the figures of README's table)
mpath_luns=${SDE_MPATH_LUNS:-32}
mpath_cmdline="log_buf_len=8M sde.array=standby sde.array.luns=$mpath_luns"
mpath_timeout="timeout=$((600 + mpath_luns * 20))"
mpath_needs=(needs=/sbin/multipathd needs=/lib/multipath/libchecktur.so)
# every map with both paths and alua, path A in the active group with the
# alua prioritizer's 50, B (standby, "ghost") in the enabled group with 1;
# no path failed at the end. dm-multipath's "Failing path" lines are a
# figure, not an expectation: 2 of 15 boots of make bench's mpath section
# had one, one without the project and one with it, every path up again by
# the end; the report keeps the kernel lines before each (array|dm_mpath_fail)
mpath_expect=(
	"expect=array built = yes"
	"expect=array mpath_daemon = running"
	"expect=array mpath_maps = @luns"
	"expect=array mpath_maps_2paths = @luns"
	"expect=array mpath_hwhandler = 1 alua"
	"expect=array mpath_path_lines = @paths"
	"expect=array mpath_paths_bad = 0"
	"expect=array a_mpath_group = active"
	"expect=array a_mpath_prio = 50"
	"expect=array b_mpath_group = enabled"
	"expect=array b_mpath_prio = 1"
	"expect=array a_dh = alua"
	"expect=array b_dh = alua"
	"expect=array a_access = active/optimized"
	"expect=array b_access = standby"
	"expect=array dh_detached_lines = 0"
	"expect=array b_lio_read_mbytes = 0"
	"expect=array trace_overrun = 0"
)
# with the project: nothing attached, detached or failed by any of its runs
# (the handlers were there at scan), the status table agrees with multipathd
mpath_with_expect=(
	"${mpath_expect[@]}"
	"expect=array mpath_agree = @paths"
	"expect=status 0"
	"expect=!kmsg scsi-dh-early: .*(attached|detached|refused|failed) [1-9]"
	"expect=!json \"verdict\":\"(missing|mismatch)\""
)
scenario mpath-array-with image=mpath-classic tier=array "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${project[@]}" "${mpath_needs[@]}" "${mpath_with_expect[@]}"
scenario mpath-array-with-systemd image=mpath-systemd tier=array "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${project[@]}" "${mpath_needs[@]}" "${mpath_with_expect[@]}" \
	"expect=array mpath_log_warnings = 0"
scenario mpath-array-dracut image=mpath-dracut tier=extra "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${mpath_needs[@]}" "${mpath_expect[@]}" \
	"expect=array b_reads_failed > 0"
scenario mpath-array-dracut-systemd image=mpath-dracut-systemd tier=array "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${mpath_needs[@]}" "${mpath_expect[@]}" \
	"expect=array b_reads_failed > 0"
# the peers that load the handler before udev starts (make bench's mpath
# section; by hand with run.sh NAME): the handler is on every path, so
# nothing is left for dm-multipath to attach
mpath_pre_expect=("${mpath_needs[@]}" "${mpath_expect[@]}" "expect=array mpath_first_split = @luns")
scenario mpath-array-dracut-cmdline image=mpath-dracut-cmdline tier=extra "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${mpath_pre_expect[@]}"
scenario mpath-array-dracut-pre image=mpath-dracut-systemd tier=extra "$mpath_timeout" \
	cmdline="$mpath_cmdline rd.driver.pre=scsi_dh_alua" "${mpath_pre_expect[@]}"
scenario mpath-array-dracut-mload image=mpath-dracut-mload tier=extra "$mpath_timeout" \
	cmdline="$mpath_cmdline" "${mpath_pre_expect[@]}"

# ---- a real root: Debian with systemd and the project's package ----

# shellcheck source-path=SCRIPTDIR source=scenarios-realroot.sh
. "$BOOT_DIR/scenarios-realroot.sh"

# ---- the kernel matrix ----

k612=linux-image-6.12-amd64
# HP's MSA1000 and DEC's HSG80 (hp_sw in the kernel's table), QEMU's own disk,
# and 32 scsi_debug LUNs with TPGS.
disks matrix "COMPAQ:MSA1000 VOLUME" "DEC:HSG80" ":"
matrix_cmdline="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=32"
matrix_expect=(
	"expect=count all 35"
	"expect=count host=scsi_debug 32"
	"expect=dh host=scsi_debug alua"
	"expect=access host=scsi_debug active/optimized"
	"expect=dh vendor=QEMU detached"
	"expect=status 0"
	"expect=kmsg scsi-dh-early: 35 LUNs: "
	"expect=consolecount 1 \\] scsi-dh-early: 35 LUNs: "
	"expect=!json \"verdict\":\"missing\""
)
# The systemd initramfs starts the sweep once udev's coldplug is triggered,
# not done: with the virtio-scsi HBA's event held 40 s after the sweep's unit
# starts (sde.slowhba, a slow HBA or machine), its 3 LUNs come after a
# settle bounded at 30 s, and the sweep counted 32 LUNs: no "35 LUNs" line,
# 3 LUNs missing from the boot's record.  The sweep now waits for the
# coldplug (rd.scsi_dh.settle=, 120 s).  Then 64 scsi_debug LUNs hot-added
# after the sweep come up with alua: no late sweep.  scsi_debug answers
# REPORT TARGET PORT GROUPS with the state host_no % 3 (resp_report_tgtpgs):
# host 5's LUNs are standby, and on 6.1 alua says so (kdh-builtin: host 2);
# 6.12 sends no RTPG at attach (see k612-array-with), and they stay at the
# active/optimized a port group starts with.
scenario k612-systemd image=proj-systemd kernel=$k612 disks=matrix luns=35 timeout=500 \
	cmdline="$matrix_cmdline sde.slowhba=40 sde.hotplug=2 sde.luns_after=99" \
	"${project[@]}" \
	"expect=count all 99" \
	"expect=count host=scsi_debug 96" \
	"expect=dh host=scsi_debug alua" \
	"expect=access host=scsi_debug,hctl=0:* active/optimized" \
	"expect=access host=scsi_debug,hctl=5:* active/optimized" \
	"expect=dh model=MSA1000* hp_sw" \
	"expect=dh vendor=QEMU detached" \
	"expect=status 0" \
	"expect=console sde-test: the virtio-scsi HBA goes on" \
	"expect=consolecount 1 \\] scsi-dh-early: 35 LUNs: 34 ok, 1 none; attached 0, detached 0, refused 0, failed 0" \
	"expect=line ^bootjson\\|.*\"summary\":\"35 LUNs: 34 ok, 1 none; " \
	"expect=linecount = 1 ^helper\\|-q apply$" \
	"expect=linecount = 0 ^helper\\|.*--late" \
	"expect=mod scsi_dh_alua" \
	"expect=!json \"verdict\":\"missing\""
# The classic init, scsi_debug loaded ahead of the preload (sde.early=): its
# 32 LUNs come up without a handler and the sweep attaches alua to each.
scenario k612-classic image=proj-classic kernel=$k612 disks=matrix luns=35 \
	cmdline="sde.early=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=32" \
	"${project[@]}" \
	"expect=count all 35" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=MSA1000* hp_sw" \
	"expect=dh vendor=QEMU detached" \
	"expect=status 0" \
	"expect=console sde-test: early load of scsi_debug" \
	"expect=consolecount 1 \\] scsi-dh-early: 35 LUNs: 34 ok, 1 none; attached 32, detached 0, refused 0, failed 0" \
	"expect=!json \"verdict\":\"missing\""
# An owner rule on the scsi_debug LUNs: 6.12 refuses detach as 6.1 does
# (scsi_sysfs.c, store_dh_state: only attach or activate), so the helper
# writes none and says why per LUN.
scenario k612-owner image=proj-owner kernel=$k612 disks=matrix luns=35 \
	cmdline="$matrix_cmdline" "${project[@]}" \
	"expect=count all 35" \
	"expect=dh host=scsi_debug alua" \
	"expect=dh model=MSA1000* hp_sw" \
	"expect=status 0" \
	"expect=json \"host_driver\":\"scsi_debug\".*\"owner\":\"sdebug\",\"verdict\":\"owned-attached\"" \
	"expect=!json \"host_driver\":\"scsi_debug\".*\"verdict\":\"(ok|none|missing|mismatch|owned)\"" \
	"expect=consolecount 1 \\] scsi-dh-early: 35 LUNs: 2 ok, 1 none, 32 owned-attached; attached 0, detached 0, refused 32, failed 0" \
	"expect=!kmsg can't detach handler"

# Debian's cloud kernel: built without CONFIG_SCSI_DH, so no dh_state and no
# handler at all.  The image says so at build time and carries neither the
# late path nor softdeps; the boot's summary says it once, nothing warns.
kcloud=linux-image-cloud-amd64
scenario kcloud-systemd image=proj-systemd kernel=$kcloud disks=matrix luns=35 \
	cmdline="$matrix_cmdline" "${project[@]}" \
	"expect=count all 35" \
	"expect=access all -" \
	"expect=!mod scsi_dh_alua" \
	"expect=status 0" \
	"expect=kmsg scsi-dh-early: preload: nothing to load" \
	"expect=consolecount 1 scsi-dh-early: 35 LUNs: 35 none; .*has no device handlers" \
	"expect=!kmsg scsi-dh-early: .*(warning|cannot|failed [1-9]|error|no module)" \
	"expect=!console scsi-dh-early.*(cannot|failed [1-9]|no module|warning)" \
	"expect=!json \"verdict\":\"missing\""
# The classic init on the same kernel, with the owner rule on the scsi_debug
# LUNs and 64 more hot-added after the sweep: the owned LUNs are "owned" (no
# handler can be on them), and the image has no late rule, so no late run.
scenario kcloud-classic image=proj-owner kernel=$kcloud disks=matrix luns=35 timeout=400 \
	cmdline="$matrix_cmdline sde.hotplug=2 sde.luns_after=99" "${project[@]}" \
	"expect=count all 99" \
	"expect=access all -" \
	"expect=status 0" \
	"expect=json \"host_driver\":\"scsi_debug\".*\"owner\":\"sdebug\",\"verdict\":\"owned\"" \
	"expect=consolecount 1 scsi-dh-early: 35 LUNs: 3 none, 32 owned; .*has no device handlers" \
	"expect=linecount = 1 ^helper\\|-q apply$" \
	"expect=linecount = 0 ^helper\\|.*--late" \
	"expect=!kmsg scsi-dh-early: .*(warning|cannot|failed [1-9]|error|no module)"

# Kernels built here from linux-source-6.1 (scripts/build-kernel.sh), the
# shapes Debian does not ship.  RHEL 8 and 9: scsi_mod and all four handlers
# built in, registered before any HBA probes: the kernel attaches at scan
# whatever the preload does, and the preload says it loads nothing.
kdh=sde-dh-builtin
# the matrix, and 64 more scsi_debug LUNs hot-added after the sweep, on hosts
# 2 and 3 (no ata here): scsi_debug's port state is host_no % 3
# (resp_report_tgtpgs), so host 2's LUNs are standby, and alua's first RTPG,
# queued at attach on 6.1, says so
kbuilt_expect=(
	"expect=count all 99"
	"expect=count host=scsi_debug 96"
	"expect=dh host=scsi_debug alua"
	"expect=access host=scsi_debug,hctl=0:* active/optimized"
	"expect=access host=scsi_debug,hctl=2:* standby"
	"expect=dh model=MSA1000* hp_sw"
	"expect=dh vendor=QEMU detached"
	"expect=status 0"
	"expect=consolecount 1 \\] scsi-dh-early: 35 LUNs: 34 ok, 1 none; attached 0, detached 0, refused 0, failed 0"
	"expect=linecount = 1 ^helper\\|-q apply$"
	"expect=linecount = 0 ^helper\\|.*--late"
	"expect=!json \"verdict\":\"missing\""
)
# 64 LUNs hot-added after the sweep come up with alua too: the rule starts
# no late sweep for them.
scenario kdh-builtin image=proj-systemd kernel=$kdh disks=matrix luns=35 timeout=400 \
	cmdline="$matrix_cmdline sde.hotplug=2 sde.luns_after=99" "${project[@]}" \
	"${kbuilt_expect[@]}" \
	"expect=kmsg scsi-dh-early: preload: alua builtin, emc builtin, rdac builtin, hp_sw builtin" \
	"expect=json \"builtin_handlers\":\\[\"alua\",\"emc\",\"rdac\",\"hp_sw\"\\]" \
	"expect=!mod scsi_dh_alua"
# The lever check names for owned LUNs on such a kernel: initcall_blacklist=
# keeps alua and emc from registering, so the owned scsi_debug LUNs come up
# without a handler, and every other LUN that wanted alua would lose it too
# (here none: the others are hp_sw's, which stays).
scenario kdh-blacklist image=proj-owner kernel=$kdh disks=matrix luns=35 \
	cmdline="$matrix_cmdline initcall_blacklist=alua_init,clariion_init" "${project[@]}" \
	"expect=count all 35" \
	"expect=dh host=scsi_debug detached" \
	"expect=dh model=MSA1000* hp_sw" \
	"expect=status 0" \
	"expect=json \"host_driver\":\"scsi_debug\".*\"owner\":\"sdebug\",\"verdict\":\"owned\"" \
	"expect=!json \"host_driver\":\"scsi_debug\".*\"verdict\":\"(ok|none|missing|mismatch|owned-attached)\"" \
	"expect=kmsg scsi-dh-early: 35 LUNs: .*32 owned; attached 0, detached 0, refused 0, failed 0" \
	"expect=!kmsg can't detach handler"
# Ubuntu: scsi_mod built in, the handlers modules.  No "softdep scsi_mod
# post:" can fire; the image's "softdep HBA pre:" lines and the preload load
# the handlers before virtio_scsi and scsi_debug scan, and 64 LUNs
# hot-added after the sweep come up with alua: no late sweep.
kscsi=sde-scsi-builtin
scenario kscsi-builtin image=proj-classic kernel=$kscsi disks=matrix luns=35 timeout=400 \
	cmdline="$matrix_cmdline sde.hotplug=2 sde.luns_after=99" "${project[@]}" \
	"${kbuilt_expect[@]}" \
	"expect=mod scsi_dh_alua" \
	"expect=mod scsi_dh_hp_sw" \
	"expect=kmsg scsi-dh-early: preload: alua loaded"
# The same with the preload off: only the image's softdeps order the
# handlers before the HBA modules, and they still attach at scan.
scenario kscsi-softdep image=proj-systemd kernel=$kscsi disks=matrix luns=35 \
	cmdline="$matrix_cmdline rd.scsi_dh.preload=" "${project[@]}" "${matrix_expect[@]}" \
	"expect=dh model=MSA1000* hp_sw" \
	"expect=mod scsi_dh_alua" \
	"expect=kmsg scsi-dh-early: preload: nothing to load"
# The standby array on each kernel of the matrix that has LIO (16 LUNs x 2
# paths, B standby when scanned, as array-with on 6.1).
#
# 6.12: alua is on every path from the scan, and still B's access_state stays
# the active/optimized a port group starts with (alua_alloc_pg), and READs go
# to the standby paths and fail there.  6.12's alua_rtpg_queue() queues an
# RTPG only when sdev->handler_data already points at the port group, and
# alua_bus_attach() sets handler_data after alua_initialize() has called it:
# the RTPG of the attach is never sent (drivers/scsi/device_handler/
# scsi_dh_alua.c, Debian's 6.12.118; 6.1's alua_rtpg_queue has no such test).
# A's paths get theirs from the rescan that moves them to port group "a";
# nothing sends one to B (LIO's standby sense, NOT READY 04/0b, is not one
# alua_check_sense() acts on).  What this kernel does, checked as such: the
# handler is there and the project has nothing left to attach.
scenario k612-array-with image=proj-classic kernel=$k612 "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" \
	"${project[@]}" \
	"expect=array built = yes" \
	"expect=array a_dh = alua" \
	"expect=array b_dh = alua" \
	"expect=array a_access = active/optimized" \
	"expect=array b_access = active/optimized" \
	"expect=array b_reads_failed > 0" \
	"expect=array b_lio_read_mbytes = 0" \
	"expect=array trace_overrun = 0" \
	"expect=linecount = 0 ^helper\\|.*--late"
# Handlers built in: registered before tcm_loop's hosts scan, alua's first
# RTPG tells B's state at attach (6.1), and no READ data reaches B.
array_with_expect=(
	"expect=array built = yes"
	"expect=array a_dh = alua"
	"expect=array b_dh = alua"
	"expect=array a_access = active/optimized"
	"expect=array b_access = standby"
	"expect=array b_lio_read_mbytes = 0"
	"expect=array b_ioerr = @b_cmds_failed"
	"expect=array trace_overrun = 0"
)
scenario kdh-array image=proj-classic kernel=$kdh "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" "${project[@]}" \
	"${array_with_expect[@]}" \
	"expect=kmsg scsi-dh-early: preload: alua builtin" \
	"expect=!mod scsi_dh_alua"
# scsi_mod built in, alua a module: the preload loads it before tcm_loop.
scenario kscsi-array image=proj-classic kernel=$kscsi "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" "${project[@]}" \
	"${array_with_expect[@]}" \
	"expect=mod scsi_dh_alua"
# No CONFIG_SCSI_DH: no handler can be on any path, READs fail on B with the
# project as without it, and the sweep says why once.
scenario kcloud-array image=proj-classic kernel=$kcloud "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" "${project[@]}" \
	"expect=array built = yes" \
	"expect=array a_dh = -" \
	"expect=array b_dh = -" \
	"expect=array b_reads_failed > 0" \
	"expect=array b_lio_read_mbytes = 0" \
	"expect=array trace_overrun = 0" \
	"expect=consolecount 1 scsi-dh-early: [0-9]+ LUNs[:;] .*has no device handlers" \
	"expect=!kmsg scsi-dh-early: .*(warning|cannot|failed [1-9]|error|no module)"

# ---- initramfs-tools ----

# Debian's default generator: mkinitramfs with the project's hook and scripts
# (dist/initramfs-tools), the test hook beside them.  scsi_debug comes from the
# image's modules file, which the init loads after init-top (the preload and
# udev's coldplug); virtio_scsi from the coldplug, after the preload.
image itools-proj SCSI_DH_EARLY_SYSCONFDIR="$files/conf-default" --initramfs-tools \
	--modules scsi_debug
image itools-owner SCSI_DH_EARLY_SYSCONFDIR="$files/conf-owner" --initramfs-tools \
	--modules scsi_debug
itools_sdebug="scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=2"
# The coldplug loads virtio_scsi first, so scsi_debug is host 1, and its LUNs
# report their port group active/non-optimized (scsi_debug's
# resp_report_tgtpgs: the state is the host number modulo 3).  Until a LUN's
# first REPORT TARGET PORT GROUPS succeeds, alua shows the active/optimized
# its port group starts with (alua_alloc_pg); when that RTPG meets
# scsi_debug's power-on Unit Attention, alua_rtpg_work retries it 2 s later
# (ALUA_RTPG_RETRY_DELAY, drivers/scsi/device_handler/scsi_dh_alua.c), and
# the report, taken right after udev settles, can come first.
itools_expect=()
for e in "${project_expect[@]}"; do
	case $e in
	"expect=access host=scsi_debug "*) itools_expect+=("expect=access host=scsi_debug active/non-optimized|active/optimized") ;;
	*) itools_expect+=("$e") ;;
	esac
done
scenario itools-proj image=itools-proj disks=hp cmdline="$itools_sdebug" luns=5 \
	"${project[@]}" "${itools_expect[@]}" \
	"expect=line ^bootjson\\|.*\"summary\":\"5 LUNs: 4 ok, 1 none; "
# scsi_debug loaded before the preload and udev (sde.early=, no softdep): its
# LUNs come up without a handler, and the init-premount sweep attaches alua.
scenario itools-late-attach image=itools-proj disks=hp luns=5 \
	cmdline="sde.early=scsi_debug $itools_sdebug" \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=access host=scsi_debug active/optimized" \
	"expect=dh model=HSV100 hp_sw" \
	"expect=kmsg scsi-dh-early: 5 LUNs: .*attached 2"
# rd.scsi_dh=0: nothing loaded, nothing changed, the marker for the real root
scenario itools-off image=itools-proj disks=hp cmdline="$itools_sdebug rd.scsi_dh=0" luns=5 \
	"${project[@]}" \
	"expect=dh all detached" \
	"expect=!mod scsi_dh_alua" \
	"expect=linecount = 0 ^helper\\|" \
	"expect=kmsg scsi-dh-early: disabled by rd.scsi_dh=0"
# the standby array, as array-with on the dracut image
scenario itools-array-with image=itools-proj tier=array "$array_timeout" \
	cmdline="sde.array=standby $array_cmdline" \
	"${project[@]}" \
	"expect=array built = yes" \
	"expect=array a_dh = alua" \
	"expect=array b_dh = alua" \
	"expect=array a_access = active/optimized" \
	"expect=array b_access = standby" \
	"expect=array b_lio_read_mbytes = 0" \
	"expect=array b_ioerr = @b_cmds_failed" \
	"expect=array trace_overrun = 0"
# an owner rule on the scsi_debug LUNs, as proj-owner: 6.1 refuses detach, the
# helper knows and writes none
scenario itools-owner image=itools-owner disks=hp cmdline="$itools_sdebug" luns=5 \
	"${project[@]}" \
	"expect=dh host=scsi_debug alua" \
	"expect=json \"host_driver\":\"scsi_debug\".*\"owner\":\"sdebug\",\"verdict\":\"owned-attached\"" \
	"expect=kmsg scsi-dh-early: 5 LUNs: 2 ok, 1 none, 2 owned-attached; attached 0, detached 0, refused 2, failed 0" \
	"expect=!kmsg can't detach handler"
