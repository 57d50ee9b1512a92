#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The udev rule's text within what every udev reads whole, a WWID too long to
# read, and status.json for any bytes sysfs holds (issue 18, items 5, 6, 10d).
# The rule run by the real udev: tests/209-late-rules.bats.

setup() {
	load helpers
	_common_setup
	CONF=$ROOT/etc/scsi-dh-early.conf
}

# --- the rule's match values

# udev before v243 matches a list of globs in a copy of 1024 bytes
# (src/udev/udev-rules.c of v239, match_key(), GL_SPLIT_GLOB:
# "char value[UTIL_PATH_SIZE]; strscpy(value, sizeof(value), ...)", and
# UTIL_PATH_SIZE is 1024): what does not fit is silently cut, the globs at the
# end are lost.  RHEL 7 ships 219, RHEL 8 239.
@test "rules: 16 iSCSI-name wwid globs (1119 bytes) are 16 match values, each under udev's 1024-byte buffer" {
	fx kernel "$KVER"
	globs=()
	for i in $(seq 16); do
		# 69 bytes each, a glob ('*') as an array's target names are matched
		g=$(printf 'iqn.1992-04.com.example:storage.array-%02d.target-0123456789abcdef0123*' "$i")
		globs+=("$g")
	done
	[ "${#globs[0]}" -eq 69 ]
	joined=$(IFS='|' && echo "${globs[*]}")
	[ "${#joined}" -eq 1119 ]
	printf '[owner iscsi]\nwwid = %s\n' "${globs[*]}" | conf
	run -0 sde --kver "$KVER" rules
	rule=$output
	# every match value of every line, each shorter than 1024 bytes
	values=$(grep -o '=="[^"]*"' <<<"$rule" | sed 's/^=="//; s/"$//')
	while IFS= read -r v; do
		[ "${#v}" -lt 1024 ] || fail "a match value of ${#v} bytes: ${v:0:80}..."
	done <<<"$values"
	# and each glob is one whole match value: none cut, none lost
	for g in "${globs[@]}"; do
		grep -qxF "$g" <<<"$values" || fail "glob '$g' is not a match value of its own"
	done
}

# A single glob cannot reach the bound: the configuration refuses a value of
# GLOB_MAX (128) bytes or more, naming the file and line, and the image is
# then built with the configuration marked broken (a rule that starts nothing,
# a boot that changes nothing).
@test "rules: a glob too long for the configuration is an error naming file and line, exit 2" {
	fx kernel "$KVER"
	long=$(printf 'iqn.1992-04.com.example:%01100d' 0)
	printf '[owner iscsi]\nvendor = IBM\nwwid = %s\n' "$long" | conf
	run -2 --separate-stderr sde --kver "$KVER" rules
	[[ "$stderr" == *"$CONF:3: wwid: value too long: \"iqn.1992-04.com.example:0000000000000000...\""* ]] ||
		fail "$stderr"
	assert_line '# errors in the configuration: the sweeps change nothing'
	refute_output --partial "$long"
}

# --- a WWID too long to read

# sysfs "wwid" shows a T10 vendor designator as "t10.%*pE" (drivers/scsi/
# scsi_lib.c, scsi_vpd_lun_id(); lib/vsprintf.c escapes each non-printable
# byte as \ooo): 62 such bytes after "ACME    " make 260 characters, past the
# 255 the helper keeps.
long_wwid() {
	printf 't10.ACME    '
	for _ in $(seq 62); do printf '\\001'; done
}

@test "wwid over 255 bytes: the LUN is handled with its wwid unknown, and the boot's log says so" {
	long=$(long_wwid)
	[ "${#long}" -eq 260 ]
	fx kernel "$KVER" kmsg \
		lun 1:0:0:1 vendor=ACME model=X wwid="$long" \
		lun 1:0:0:2 vendor=ACME model=Y wwid="$long" \
		lun 1:0:0:3 vendor=HP model=HSV100 wwid="$long"
	conf <<-'EOF'
	[owner by-wwid]
	wwid = t10.ACME*
	[owner by-model]
	vendor = ACME
	model = Y
	EOF
	run -0 --separate-stderr sde -q status --json
	jq -e '[.devices[].hctl] == ["1:0:0:1","1:0:0:2","1:0:0:3"]' <<<"$output"
	jq -e '[.devices[] | .wwid, .wwid_too_long] == [null, true, null, true, null, true]' <<<"$output"
	# owner matching by wwid does not match; by vendor and model it does
	jq -e '[.devices[].owner] == [null, "by-model", null]' <<<"$output"
	jq -e '.devices[2].verdict == "missing"' <<<"$output"
	# the boot's sweep (-q, as scsi-dh-apply.sh runs it): the LUN is attached
	# and listed, and its one line in the kernel log says how many wwids were
	# too long
	run -0 sde_dyn -q apply
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:0:3/device/dh_state")" = hp_sw ]
	grep -q '^1:0:0:1 ' "$ROOT/run/scsi-dh-early/status.txt"
	grep -q '^1:0:0:3 .* hp_sw .* hp_sw .* ok  *0$' "$ROOT/run/scsi-dh-early/status.txt"
	run grep -c 'scsi-dh-early' "$ROOT/dev/kmsg"
	assert_output 1
	grep -qx '<6>scsi-dh-early: 3 LUNs: 1 ok, 1 none, 1 owned; attached 1, detached 0, refused 0, failed 0; wwid too long to read (taken as unknown): 3 LUNs' \
		"$ROOT/dev/kmsg"
	grep -qx '3 LUNs: 1 ok, 1 none, 1 owned; attached 1, detached 0, refused 0, failed 0; wwid too long to read (taken as unknown): 3 LUNs' \
		"$ROOT/run/scsi-dh-early/status.txt"
	# named on its own, the LUN is acted on too
	fx lun 1:0:0:3 vendor=HP model=HSV100 wwid="$long"
	run -0 sde_dyn -q apply 1:0:0:3
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:0:3/device/dh_state")" = hp_sw ]
}

@test "wwid from vpd_pg83 over 255 bytes (no wwid attribute): unknown, and said" {
	# designator: code set 2 (ASCII), LUN, type 1 (T10), 70 bytes: "ACME    " + 62 x 0x01
	hex=0201004641434d4520202020
	for _ in $(seq 62); do hex+=01; done
	fx kernel "$KVER" lun 1:0:0:1 vendor=ACME model=X vpd83="raw:$hex" \
		lun 1:0:0:2 vendor=ACME model=X vpd83=naa:600a0b8000000002
	run -0 sde status --json
	jq -e '[.devices[] | .wwid, .wwid_source, .wwid_too_long] ==
		[null, null, true, "naa.600a0b8000000002", "vpd_pg83", false]' <<<"$output"
	jq -e '.summary | endswith("; wwid too long to read (taken as unknown): 1 LUN")' <<<"$output"
}

# --- status.json for any bytes

# U+0080..U+009F are C1 controls (U+009B is CSI to xterm): escaped like C0.  A
# byte that is not UTF-8 becomes U+FFFD, and the member NAME gets a member
# NAME_hex with the exact bytes, so that byte 0xff and the character U+00FF
# (bytes c3 bf) stay two things for a JSON reader.
@test "status.json: C1 controls escaped; bytes that are not UTF-8 recoverable, never taken for characters" {
	fx kernel "$KVER" lun 1:0:0:1 vendor=HP model=HSV100 lun 1:0:0:2 vendor=HP model=HSV100
	d=$ROOT/sys/class/scsi_device
	printf 'X\302\233[2J\377\n' >"$d/1:0:0:1/device/model"
	printf 'X\302\233[2J\303\277\n' >"$d/1:0:0:2/device/model"
	run -0 sde_dyn -q apply
	sde status --json >"$BATS_TEST_TMPDIR/status.json"
	for f in "$ROOT/run/scsi-dh-early/status.json" "$BATS_TEST_TMPDIR/status.json"; do
		python3 - "$f" <<-'EOF'
		import json, sys
		raw = open(sys.argv[1], "rb").read()
		text = raw.decode("utf-8")          # the file itself is UTF-8
		c1 = [hex(ord(c)) for c in text if 0x80 <= ord(c) <= 0x9f]
		assert not c1, "raw C1 controls in the file: %s" % c1
		assert "\\u009b" in text, "U+009B not escaped"
		devs = {d["hctl"]: d for d in json.loads(text)["devices"]}

		def exact(d, key):
		    if key + "_hex" in d:
		        return bytes.fromhex(d[key + "_hex"])
		    return d[key].encode("utf-8")

		a, b = devs["1:0:0:1"], devs["1:0:0:2"]
		assert a["model"] == "X\x9b[2J\ufffd", repr(a["model"])
		assert exact(a, "model") == b"X\xc2\x9b[2J\xff", exact(a, "model")
		assert b["model"] == "X\x9b[2J\u00ff" and "model_hex" not in b, repr(b)
		assert exact(b, "model") == b"X\xc2\x9b[2J\xc3\xbf"
		assert "vendor_hex" not in a and a["vendor"] == "HP"
		EOF
	done
}
