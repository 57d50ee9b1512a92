#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build an initramfs with the system's dracut for the cached test kernel (see
# fetch-kernel.sh), adding this project's dracut module and any extra module
# directories.  The system's /usr/lib/dracut and /etc/dracut.conf.d are never
# touched or read: dracut runs from a private copy with a private confdir.

set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
sysdracut=${SDE_DRACUT_BASEDIR:-/usr/lib/dracut}

# The init styles.  Classic leaves out every module that makes systemd the
# initramfs's init, so dracut's shell init (99base) runs the hooks.
classic_omit="systemd systemd-initrd dracut-systemd systemd-ac-power systemd-ask-password
	systemd-coredump systemd-hostnamed systemd-integritysetup systemd-journald
	systemd-ldconfig systemd-modules-load systemd-pcrphase systemd-portabled systemd-pstore
	systemd-repart systemd-resolved systemd-rfkill systemd-sysctl systemd-sysext
	systemd-sysusers systemd-timedated systemd-timesyncd systemd-tmpfiles systemd-udevd
	systemd-veritysetup dbus-broker dbus-daemon dbus"

# Modules whose check() says yes with --no-hostonly as soon as the host has
# their tools (90multipath: multipath and kpartx): left out unless --add
# names them, so that an image holds the same whether or not the host has
# multipath-tools.
host_omit="multipath"

usage() {
	cat <<USAGE
Usage: $prog -o OUT [--kver K] [--systemd|--classic] [--add "MODS"] [--omit "MODS"]
       [--module-dir DIR]... [--conf FILE]... [--add-drivers "MODS"]
       [--install "FILES"] [--include SRC DST]... [-- EXTRA_DRACUT_ARGS]

Build an initramfs OUT with dracut for kernel K (default: the kernel cached by
fetch-kernel.sh), from a private copy of $sysdracut with the module
modules.d/50scsi-dh-early of this tree added (when present).  Runs dracut with
--no-hostonly --no-hostonly-cmdline --force and an empty configuration, so
the host's dracut configuration does not leak in.

Options:
  -o, --output OUT     the image to write (required)
  --kver K             kernel release (modules from the fetch-kernel.sh cache
                       when it holds K, else /lib/modules/K)
  --systemd            systemd as the initramfs's init (the default)
  --classic            dracut's shell init: omits every systemd module
  --add "MODS"         dracut modules to add (dracut --add); "multipath" is
                       left out unless named here, whatever the host has
  --omit "MODS"        dracut modules to omit (dracut --omit)
  --module-dir DIR     a dracut module directory (named NNname) to add to
                       modules.d; repeatable; does not add it to the image by
                       itself unless its check() says so: use --add too
  --conf FILE          a dracut.conf drop-in to use; repeatable
  --add-drivers "MODS" kernel modules to add (dracut --add-drivers)
  --install "FILES"    files to install (dracut --install)
  --include SRC DST    copy SRC to DST in the image (dracut --include);
                       repeatable
  --no-project-module  do not add modules.d/50scsi-dh-early
  -- ARGS              pass the remaining arguments to dracut
  -h, --help           show this help

Environment (passed on to dracut and its module-setup.sh scripts unchanged):
  SDE_CACHE            cache of fetch-kernel.sh
  SDE_DRACUT_BASEDIR   dracut to copy (default /usr/lib/dracut)
  DRACUT               dracut program (default dracut)
USAGE
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

bad_usage() {
	printf "%s: %s\nTry '%s --help'.\n" "$prog" "$*" "$prog" >&2
	exit 2
}

need_arg() {
	[ "$2" -ge 2 ] || bad_usage "option '$1' needs an argument"
}

out=
kver=
style=systemd
project_module=yes
add=()
omit=()
drivers=()
install=()
module_dirs=()
confs=()
includes=()
extra=()

while [ $# -gt 0 ]; do
	case $1 in
	-o | --output)
		need_arg "$1" $#
		out=$2
		shift
		;;
	--kver)
		need_arg "$1" $#
		kver=$2
		shift
		;;
	--systemd) style=systemd ;;
	--classic) style=classic ;;
	--add)
		need_arg "$1" $#
		add+=("$2")
		shift
		;;
	--omit)
		need_arg "$1" $#
		omit+=("$2")
		shift
		;;
	--module-dir)
		need_arg "$1" $#
		module_dirs+=("$2")
		shift
		;;
	--conf)
		need_arg "$1" $#
		confs+=("$2")
		shift
		;;
	--add-drivers)
		need_arg "$1" $#
		drivers+=("$2")
		shift
		;;
	--install)
		need_arg "$1" $#
		install+=("$2")
		shift
		;;
	--include)
		[ $# -ge 3 ] || bad_usage "option '--include' needs SRC and DST"
		includes+=("$2" "$3")
		shift 2
		;;
	--no-project-module) project_module=no ;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		extra=("$@")
		break
		;;
	*) bad_usage "unknown argument '$1'" ;;
	esac
	shift
done

[ -n "$out" ] || bad_usage "no output image given (-o OUT)"
[ -d "$sysdracut/modules.d" ] || die "no dracut in '$sysdracut'"
dracut=${DRACUT:-dracut}
command -v "$dracut" >/dev/null || die "'$dracut' not found (install dracut)"

# The kernel and its module directory.
KVER='' KROOT=''
eval "$("$here/fetch-kernel.sh")"
if [ -z "$kver" ]; then
	kver=$KVER
fi
if [ -d "$KROOT/lib/modules/$kver" ]; then
	kmoddir=$KROOT/lib/modules/$kver
else
	kmoddir=/lib/modules/$kver
fi
[ -s "$kmoddir/modules.dep" ] || die "no modules.dep in '$kmoddir'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sde-initrd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A private dracutbasedir: a copy of the system's (2 MB), plus our modules.
base=$tmp/dracut
cp -a "$sysdracut" "$base"

add_module_dir() {
	local src=$1 name
	[ -f "$src/module-setup.sh" ] || die "'$src' is not a dracut module (no module-setup.sh)"
	name=$(basename "$src")
	case $name in
	[0-9][0-9]?*) ;;
	*) die "dracut module directory '$src' must be named NNname" ;;
	esac
	rm -rf "${base:?}/modules.d/$name"
	cp -RL "$src" "$base/modules.d/$name"
}

if [ "$project_module" = yes ] && [ -d "$top/modules.d/50scsi-dh-early" ]; then
	add_module_dir "$top/modules.d/50scsi-dh-early"
fi
for d in ${module_dirs[@]+"${module_dirs[@]}"}; do
	add_module_dir "$d"
done

# A controlled configuration: an empty dracut.conf and only the drop-ins given.
conf=$tmp/dracut.conf
confdir=$tmp/dracut.conf.d
: >"$conf"
mkdir "$confdir"
n=0
for f in ${confs[@]+"${confs[@]}"}; do
	[ -r "$f" ] || die "cannot read '$f'"
	n=$((n + 1))
	# Keep the order given: dracut reads the drop-ins sorted by name.
	cp "$f" "$confdir/$(printf '%02d' "$n")-$(basename "${f%.conf}").conf"
done

args=(--kver "$kver" --kmoddir "$kmoddir" --no-hostonly --no-hostonly-cmdline --force
	--conf "$conf" --confdir "$confdir" --tmpdir "$tmp")
for m in $host_omit; do
	case " ${add[*]} " in
	*" $m "*) ;;
	*) omit+=("$m") ;;
	esac
done
if [ "$style" = classic ]; then
	omit+=("$classic_omit")
else
	add+=(systemd-initrd dracut-systemd)
fi
[ "${#add[@]}" -gt 0 ] && args+=(--add "${add[*]}")
[ "${#omit[@]}" -gt 0 ] && args+=(--omit "$(printf '%s ' "${omit[@]}" | tr -s ' \t\n' '   ')")
[ "${#drivers[@]}" -gt 0 ] && args+=(--add-drivers "${drivers[*]}")
[ "${#install[@]}" -gt 0 ] && args+=(--install "${install[*]}")
i=0
while [ "$i" -lt "${#includes[@]}" ]; do
	args+=(--include "${includes[$i]}" "${includes[$((i + 1))]}")
	i=$((i + 2))
done

mkdir -p "$(dirname "$out")"
export dracutbasedir=$base
start=$(date +%s%N)
"$dracut" "${args[@]}" ${extra[@]+"${extra[@]}"} "$out" ||
	die "dracut failed for kernel $kver"
end=$(date +%s%N)
printf '%s: built %s (%s, kernel %s) in %d.%03d s\n' "$prog" "$out" "$style" "$kver" \
	$(((end - start) / 1000000000)) $(((end - start) / 1000000 % 1000)) >&2
