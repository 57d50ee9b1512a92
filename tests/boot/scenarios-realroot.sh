# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2154  # project=(...) is scenarios.sh's
#
# Boot scenarios with a real root: Debian with systemd as PID 1 and the
# project's Debian package installed (root=debian, realroot.sh).  Sourced by
# scenarios.sh.

# One scsi_debug LUN at boot, one more hot-added in the initramfs after its
# sweep (sde.hotplug), one more hot-added in the real root (sde.real_hotplug):
# the initramfs's sweep sees 4 LUNs, the real root's sweep 5, the end 6.
realroot_cmdline="rd.driver.pre=scsi_debug scsi_debug.vpd_use_hostno=0 scsi_debug.max_luns=1
	sde.hotplug=1 sde.luns_after=5 sde.real_hotplug=1 sde.real_luns=6"

# In one boot: scsi-dh-early.service runs after the module loaders and
# multipathd (multipath-tools is in the root, its unit enabled as Debian
# installs it) and before the third-party service; the real root's coldplug
# replay fires no helper run (2 runs before the real root's hot-add: the
# initramfs's sweep and the real root's; a replay would add one per LUN); the
# LUNs hot-added in the initramfs and in the real root come up with alua and
# start nothing; status --boot shows the initramfs's record (4 LUNs); the real
# root's sweep (5) wrote the rule for late LUNs into /run/udev/rules.d; a kick
# by hand starts a runner unit, whose late sweep takes the LUN hot-added in
# the real root, adds it to status-root.txt (6 LUNs) without a log line, and
# lets go of the lock.
scenario realroot-systemd image=proj-classic disks=hp luns=4 root=debian timeout=600 \
	cmdline="$realroot_cmdline" \
	"${project[@]}" \
	"expect=kmsg scsi-dh-early: 4 LUNs: 3 ok, 1 none; attached 0, detached 0, refused 0, failed 0" \
	"expect=@real line ^order\\|systemd-modules-load\\.service<scsi-dh-early\\.service\\|yes$" \
	"expect=@real line ^order\\|systemd-udev-trigger\\.service<scsi-dh-early\\.service\\|yes$" \
	"expect=@real line ^order\\|scsi-dh-early\\.service<PowerPath\\.service\\|yes$" \
	"expect=@real line ^order\\|multipathd\\.service<scsi-dh-early\\.service\\|yes$" \
	"expect=@real line ^unit\\|multipathd\\.service\\|success\\|0$" \
	"expect=@real line ^powerpath\\|started=[0-9.]+ scsi-dh-early=active$" \
	"expect=@real line ^unit\\|scsi-dh-early\\.service\\|success\\|0$" \
	"expect=@real line ^enabled\\|enabled$" \
	"expect=@real line ^journal\\|5 LUNs: 4 ok, 1 none; attached 0, detached 0, refused 0, failed 0$" \
	"expect=@real line ^unit\\|PowerPath\\.service\\|success\\|0$" \
	"expect=@real line ^late\\|free$" \
	"expect=@real line ^latejournal\\|Finished scsi-dh-early-late@4242\\.service " \
	"expect=@real line ^rule\\|1$" \
	"expect=@real line ^runs\\|coldplug\\|2$" \
	"expect=@real line ^runs\\|hotplug\\|2$" \
	"expect=@real line ^kmsgrun\\|5 LUNs: 4 ok, 1 none; attached 0, detached 0, refused 0, failed 0$" \
	"expect=@real !line ^kmsgrun\\|.*failed [1-9]" \
	"expect=@real line ^statusboot\\|4 LUNs: 3 ok, 1 none; attached 0, detached 0, refused 0, failed 0$" \
	"expect=@real line ^statusroot\\|6 LUNs: 5 ok, 1 none; late: 1 LUN: 1 ok; attached 0, detached 0, refused 0, failed 0$" \
	"expect=@root count host=scsi_debug 3" \
	"expect=@root dh host=scsi_debug alua" \
	"expect=@root dh model=HSV100 hp_sw" \
	"expect=@root status 0" \
	"expect=consolecount 0 \\] scsi-dh-early: (late: )?1 LUN: "

# dm-multipath in the real root: the standby array built in a classic
# initramfs with dracut's multipath module and the project (as
# mpath-array-with), then Debian's multipathd.service takes the maps over in
# the real root, and scsi-dh-early.service sweeps once it is up.  In one
# boot: the initramfs's checks at pre-mount; the same again in the real root
# (@root: multipathd's maps, groups and priorities there, the real root's
# status table agreeing per path, no attach, detach or failure by any run,
# no warning in multipathd's journal); and the units' order.  16 LUNs: the
# 64-LUN pairs are mpath.bats's initramfs boots.
realroot_mpath_luns=${SDE_REALROOT_MPATH_LUNS:-16}
# in the real root, what it sees itself (the array's own counts stay the
# initramfs's)
realroot_mpath_expect=()
for _rr_e in "${mpath_with_expect[@]}"; do
	case $_rr_e in
	*" built "* | *dh_detached_lines* | *lio_read_mbytes* | *trace_overrun*) ;;
	*) realroot_mpath_expect+=("expect=@root ${_rr_e#expect=}") ;;
	esac
done
unset _rr_e
scenario realroot-mpath image=mpath-classic root=debian tier=array \
	"timeout=$((900 + realroot_mpath_luns * 20))" \
	cmdline="log_buf_len=8M sde.array=standby sde.array.luns=$realroot_mpath_luns" \
	"${project[@]}" "${mpath_needs[@]}" "${mpath_with_expect[@]}" \
	"${realroot_mpath_expect[@]}" \
	"expect=@root array mpath_log_warnings = 0" \
	"expect=@real line ^order\\|multipathd\\.service<scsi-dh-early\\.service\\|yes$" \
	"expect=@real line ^order\\|systemd-udev-trigger\\.service<scsi-dh-early\\.service\\|yes$" \
	"expect=@real line ^order\\|scsi-dh-early\\.service<PowerPath\\.service\\|yes$" \
	"expect=@real line ^unit\\|multipathd\\.service\\|success\\|0$" \
	"expect=@real line ^unit\\|scsi-dh-early\\.service\\|success\\|0$"
