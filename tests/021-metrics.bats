#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# status --format=prometheus, --textfile DIR and metrics_textfile_dir: the
# Prometheus text format, read back by a real parser (prometheus_client's,
# through tests/lib/prom2json) and held against the fake sysfs tree and
# against status --json, which reads the same assessment; the textfile
# replaced atomically; ioerr_cnt, in the table too, whatever the file holds.

setup() {
	load helpers
	_common_setup
	/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
		skip "python3-prometheus-client not installed (scripts/deps.sh)"
	M=$BATS_TEST_TMPDIR/m.json
	CONF=$ROOT/etc/scsi-dh-early.conf
}

# The text on standard input, parsed, into $M: one JSON object a line.
parse() {
	"$TOP/tests/lib/prom2json" >"$M"
}

# status --format=prometheus of the fake root, parsed into $M
metrics() {
	sde status --format=prometheus >"$BATS_TEST_TMPDIR/m.prom"
	parse <"$BATS_TEST_TMPDIR/m.prom"
}

# The samples of family $1 as one JSON array of {labels, value}, sorted by labels.
samples() {
	jq -sc --arg f "$1" '[.[] | select(.sample and .family == $f) | {labels, value}] |
		sort_by(.labels | tostring)' "$M"
}

# A mix: ok, none, missing, owned-attached, and an alua LUN in standby.
mixed_tree() {
	conf <<-'EOF'
	[owner powerpath]
	vendor = DGC
	EOF
	fx kernel "$KVER" host 1 qla2xxx \
		lun 1:0:0:1 vendor=HP model=HSV100 dh=hp_sw access=active ioerr=0x12 \
		lun 1:0:0:2 vendor=QEMU model="QEMU HARDDISK" \
		lun 1:0:0:3 vendor=HP model=HSV100 ioerr=0x2a \
		lun 1:0:0:4 vendor=DGC model="RAID 5" dh=emc wwid=naa.600601601234 \
		lun 1:0:1:0 vendor=NETAPP model=LUN tpgs=1 dh=alua access=standby \
		wwid=naa.6006016011111111 ioerr=0xffffffffffffffff
}

@test "--format=prometheus: every family with its type and help, as the parser reads them" {
	mixed_tree
	metrics
	run -0 jq -sc '[.[] | select(.type) | [.family, .type]]' "$M"
	assert_output "$(jq -c . <<-'EOF'
	[["scsi_dh_early_info","gauge"],["scsi_dh_early_enabled","gauge"],
	 ["scsi_dh_early_config_errors","gauge"],["scsi_dh_early_luns","gauge"],
	 ["scsi_dh_early_lun_info","gauge"],["scsi_dh_early_lun_access_state","gauge"],
	 ["scsi_dh_early_lun_io_errors","counter"],["scsi_dh_early_sweep_luns","gauge"],
	 ["scsi_dh_early_sweep_actions","gauge"],
	 ["scsi_dh_early_last_run_timestamp_seconds","gauge"]]
	EOF
	)"
	jq -se '[.[] | select(.type) | .help | length > 10] | all' "$M"
	# a counter's samples end in _total, as the naming conventions want
	jq -se '[.[] | select(.family == "scsi_dh_early_lun_io_errors" and .sample) |
		.sample == "scsi_dh_early_lun_io_errors_total"] | all and length == 5' "$M"
	run -0 samples scsi_dh_early_info
	assert_output "[{\"labels\":{\"version\":\"$("$BIN" --version | cut -d' ' -f2)\",\"kernel\":\"$KVER\",\"generation\":\"4.9\"},\"value\":1}]"
	run -0 samples scsi_dh_early_enabled
	assert_output '[{"labels":{},"value":1}]'
	run -0 samples scsi_dh_early_config_errors
	assert_output '[{"labels":{},"value":0}]'
	# no boot record: the families of the records have no sample
	run -0 jq -s '[.[] | select(.sample and (.family | test("sweep|last_run")))] | length' "$M"
	assert_output 0
}

@test "--format=prometheus: each LUN's labels are the assessment status --json and apply show" {
	mixed_tree
	metrics
	# what status --json says of each LUN, and the action apply --dry-run plans
	sde apply --dry-run --json | jq -c '[.actions[] | {hctl, action}]' >"$BATS_TEST_TMPDIR/actions"
	run -0 sde status --json
	jq -c --slurpfile a "$BATS_TEST_TMPDIR/actions" '[.devices[] | . as $d |
		{labels: ({hctl, block, vendor, model, host_driver, wwid, expected, attached, owner,
		  verdict, action: ($a[0][] | select(.hctl == $d.hctl) | .action)}
		  | with_entries(select(.value != null))), value: 1}] | sort_by(.labels | tostring)' \
		<<<"$output" \
		>"$BATS_TEST_TMPDIR/want"
	run -0 samples scsi_dh_early_lun_info
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	# and as the tree says: the verdicts, the owner, the wwid where there is one
	run -0 jq -r '.[].labels | "\(.hctl) \(.verdict) \(.owner // "-") \(.wwid // "-") \(.action)"' \
		"$BATS_TEST_TMPDIR/want"
	assert_output - <<-'EOF'
	1:0:0:1 ok - - none
	1:0:0:2 none - - none
	1:0:0:3 missing - - attach
	1:0:0:4 owned-attached powerpath naa.600601601234 detach
	1:0:1:0 ok - naa.6006016011111111 none
	EOF
	run -0 samples scsi_dh_early_lun_access_state
	assert_output '[{"labels":{"hctl":"1:0:0:1","state":"active"},"value":1},{"labels":{"hctl":"1:0:1:0","state":"standby"},"value":1}]'
	run -0 samples scsi_dh_early_lun_io_errors
	assert_output '[{"labels":{"hctl":"1:0:0:1"},"value":18},{"labels":{"hctl":"1:0:0:2"},"value":0},{"labels":{"hctl":"1:0:0:3"},"value":42},{"labels":{"hctl":"1:0:0:4"},"value":0},{"labels":{"hctl":"1:0:1:0"},"value":18446744073709552000}]'
	# the exact value in the text, not the parser's float
	grep -qx 'scsi_dh_early_lun_io_errors_total{hctl="1:0:1:0"} 18446744073709551615' \
		"$BATS_TEST_TMPDIR/m.prom"
	# every verdict, and the counts of the summary
	run -0 jq -sc '[.[] | select(.family == "scsi_dh_early_luns" and .sample) |
		[.labels.verdict, .value]]' "$M"
	assert_output '[["ok",2],["none",1],["missing",1],["mismatch",0],["unknown",0],["owned",0],["owned-attached",1]]'
	run -0 sde status
	assert_line "5 LUNs: 2 ok, 1 none, 1 missing, 1 owned-attached; attached 0, detached 0, refused 0, failed 0"
}

@test "--format=prometheus: quotes, backslashes, newlines and bad bytes in vendor and model" {
	local v1=$'Q"\\\nX' m1=$'M\\"o\nd\\n'
	fx kernel "$KVER" lun 0:0:0:1 "vendor=$v1" "model=$m1" \
		lun 0:0:0:2 vendor=$'V\xff\x01' model=$'ca\tf\xc3\xa9\xc2\x9b'
	metrics
	# one line a sample whatever the strings hold
	run -0 grep -c '^scsi_dh_early_lun_info{' "$BATS_TEST_TMPDIR/m.prom"
	assert_output 2
	# the parser gives back the exact strings
	run -0 jq -r 'select(.family == "scsi_dh_early_lun_info" and .labels.hctl == "0:0:0:1") |
		.labels.vendor, .labels.model' "$M"
	assert_equal "$output" "$v1"$'\n'"$m1"
	# each byte that is not UTF-8, and each control, as U+FFFD: the file stays UTF-8
	run -0 jq -c 'select(.family == "scsi_dh_early_lun_info" and .labels.hctl == "0:0:0:2") |
		[.labels.vendor, .labels.model]' "$M"
	assert_output '["V��","ca�fé�"]'
	iconv -f UTF-8 -t UTF-8 "$BATS_TEST_TMPDIR/m.prom" >/dev/null
	# the table and the JSON show them their own way
	run -0 sde status
	assert_line --regexp '^0:0:0:1 +sd[a-z] +virtio_scsi +Q"\\\?X +M\\"o\?d\\n +0 '
	run -0 sde status --json
	jq -e --arg v "$v1" '.devices[0].vendor == $v' <<<"$output"
}

@test "ioerr_cnt: missing, garbage, overflow, huge, a FIFO: unknown, never 0, and the LUN stays" {
	fx kernel "$KVER" lun 0:0:0:1 ioerr=none lun 0:0:0:2 ioerr=garbage \
		lun 0:0:0:3 ioerr=0x10000000000000000 lun 0:0:0:4 ioerr=0x1f lun 0:0:0:5 \
		lun 0:0:0:6 ioerr='0x12 ' lun 0:0:0:7 ioerr= lun 0:0:0:8 ioerr=-0x1 lun 0:0:0:9
	local d=$ROOT/sys/class/scsi_device
	# a huge file of digits, a NUL in the middle, a FIFO with no writer
	head -c 1048576 /dev/zero | tr '\0' 1 >"$d/0:0:0:5/device/ioerr_cnt"
	printf '0x1\0002\n' >"$d/0:0:0:8/device/ioerr_cnt"
	rm "$d/0:0:0:9/device/ioerr_cnt"
	mkfifo "$d/0:0:0:9/device/ioerr_cnt"
	run -0 --separate-stderr timeout 20 "$BIN" --sysroot "$ROOT" status --json
	assert_equal "$stderr" ""
	jq -e '[.devices[] | .ioerr_cnt] == [null,null,null,31,null,null,null,null,null]' <<<"$output"
	run -0 timeout 20 "$BIN" --sysroot "$ROOT" status
	assert_line --regexp '^0:0:0:4 .* +31$'
	run -0 grep -cE '^0:0:0:[1-9] .* \?$' <<<"$output"
	assert_output 8
	run -0 timeout 20 "$BIN" --sysroot "$ROOT" status --format=prometheus
	parse <<<"$output"
	run -0 samples scsi_dh_early_lun_io_errors
	assert_output '[{"labels":{"hctl":"0:0:0:4"},"value":31}]'
	run -0 jq -s '[.[] | select(.family == "scsi_dh_early_lun_info" and .sample)] | length' "$M"
	assert_output 9
}

@test "the records: each sweep's counts and time, the boot's and the real root's" {
	fx kernel "$KVER" kmsg lun 1:0:0:0 vendor=HP model=HSV100 lun 1:0:1:0 vendor=QEMU
	mkdir -p "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
	local t0 t1
	t0=$(date +%s)
	run -0 sde_dyn apply
	rm "$ROOT/etc/initrd-release"
	run -0 sde_dyn apply
	t1=$(date +%s)
	local run=$ROOT/run/scsi-dh-early
	# the record keeps the sweep's counts where a reader finds them first
	run -0 head -n 1 "$run/status.json"
	assert_output --regexp '^\{"version":"[^"]*","sweep":\{"luns":2,"attached":1,"detached":0,"refused":0,"failed":0,"refused_by_handler":0,"held":0,"vanished":0\},$'
	jq -e '.sweep.attached == 0 and .sweep.luns == 2' "$run/status-root.json"
	metrics
	run -0 samples scsi_dh_early_sweep_luns
	assert_output '[{"labels":{"record":"boot"},"value":2},{"labels":{"record":"root"},"value":2}]'
	run -0 jq -sc '[.[] | select(.family == "scsi_dh_early_sweep_actions" and .sample) |
		[.labels.record, .labels.result, .value]]' "$M"
	assert_output '[["boot","attached",1],["boot","detached",0],["boot","refused",0],["boot","failed",0],["boot","refused_by_handler",0],["boot","held",0],["boot","vanished",0],["root","attached",0],["root","detached",0],["root","refused",0],["root","failed",0],["root","refused_by_handler",0],["root","held",0],["root","vanished",0]]'
	run -0 samples scsi_dh_early_last_run_timestamp_seconds
	assert_output "[{\"labels\":{\"record\":\"boot\"},\"value\":$(stat -c %Y "$run/status.json")},{\"labels\":{\"record\":\"root\"},\"value\":$(stat -c %Y "$run/status-root.json")}]"
	jq -se --argjson t0 "$t0" --argjson t1 "$t1" '[.[] | select(.family ==
		"scsi_dh_early_last_run_timestamp_seconds" and .sample) | .value >= $t0 and .value <= $t1] |
		all and length == 2' "$M"
	# status --boot still shows the record itself
	run -0 sde status --boot --json
	jq -e '.sweep.attached == 1' <<<"$output"
}

@test "--textfile DIR: the same text in DIR/scsi_dh_early.prom, mode 0644, nothing else" {
	mixed_tree
	local d=$BATS_TEST_TMPDIR/textfile
	mkdir "$d"
	run -0 --separate-stderr sde status --textfile "$d"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	run -0 ls -A "$d"
	assert_output scsi_dh_early.prom
	[ "$(stat -c %a "$d/scsi_dh_early.prom")" = 644 ]
	sde status --format=prometheus | cmp - "$d/scsi_dh_early.prom"
	parse <"$d/scsi_dh_early.prom"
	run -0 samples scsi_dh_early_lun_io_errors
	assert_output --partial '{"labels":{"hctl":"1:0:0:3"},"value":42}'
	# --format=prometheus with it says the same
	run -0 sde status --format=prometheus --textfile "$d"
	assert_equal "$output" ""
}

@test "--textfile: a temporary file beside it, O_EXCL|O_NOFOLLOW, renamed over the old one" {
	# LeakSanitizer does not run under ptrace
	[ -z "${SDE_TEST_BIN:-}" ] || skip "another build under test: $SDE_TEST_BIN"
	command -v strace >/dev/null || skip "strace not installed (scripts/deps.sh)"
	mixed_tree
	local d=$BATS_TEST_TMPDIR/textfile ino
	mkdir "$d"
	echo old >"$d/scsi_dh_early.prom"
	ino=$(stat -c %i "$d/scsi_dh_early.prom")
	run -0 strace -f -e trace=open,openat,creat,rename,renameat,renameat2,truncate,ftruncate \
		-o "$BATS_TEST_TMPDIR/trace" "$BIN" --sysroot "$ROOT" status --textfile "$d"
	run -0 grep -E 'open(at)?\(.*"scsi_dh_early\.prom\.[0-9]+\.tmp"' "$BATS_TEST_TMPDIR/trace"
	assert_equal "${#lines[@]}" 1
	assert_output --partial O_CREAT
	assert_output --partial O_EXCL
	assert_output --partial O_NOFOLLOW
	grep -qE 'rename(at2?)?\(.*"scsi_dh_early\.prom\.[0-9]+\.tmp", .*"scsi_dh_early\.prom"' \
		"$BATS_TEST_TMPDIR/trace"
	# the file itself is never opened, truncated or written in place
	run grep -E '"scsi_dh_early\.prom"' "$BATS_TEST_TMPDIR/trace"
	refute_output --regexp 'open|truncate'
	# replaced: another inode, the new text, no temporary file left
	[ "$(stat -c %i "$d/scsi_dh_early.prom")" != "$ino" ]
	run -0 head -n 1 "$d/scsi_dh_early.prom"
	assert_output --regexp '^# HELP scsi_dh_early_info '
	run -0 ls -A "$d"
	assert_output scsi_dh_early.prom
}

@test "--textfile: a reader never sees a partial file while it is rewritten" {
	local i args=() d=$BATS_TEST_TMPDIR/textfile snap=$BATS_TEST_TMPDIR/snap reads=0
	for ((i = 0; i < 300; i++)); do
		args+=(lun "1:0:$((i / 100)):$((i % 100))" vendor=HP model=HSV100 dh=hp_sw
			access=active "ioerr=0x$i")
	done
	fx kernel "$KVER" "${args[@]}"
	mkdir "$d"
	sde status --textfile "$d"
	local last
	last=$(tail -n 1 "$d/scsi_dh_early.prom")
	# each write is many writes of the stream: in place, a reader would catch one
	[ "$(stat -c %s "$d/scsi_dh_early.prom")" -gt 65536 ]
	(for ((i = 0; i < 20; i++)); do sde status --textfile "$d"; done) &
	local writer=$!
	while kill -0 "$writer" 2>/dev/null; do
		cp "$d/scsi_dh_early.prom" "$snap"
		[ "$(tail -n 1 "$snap")" = "$last" ] || fail "a partial file: $(wc -c <"$snap") bytes"
		[ "$(grep -c '^scsi_dh_early_lun_info{' "$snap")" -eq 300 ] || fail "a partial file"
		reads=$((reads + 1))
	done
	wait "$writer"
	echo "# $reads reads while it was rewritten 20 times" >&3
	[ "$reads" -gt 0 ]
}

@test "--textfile: a symlink at the target is replaced, never followed" {
	fx kernel "$KVER" lun 0:0:0:1
	local d=$BATS_TEST_TMPDIR/textfile
	mkdir "$d"
	echo precious >"$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$d/scsi_dh_early.prom"
	run -0 sde status --textfile "$d"
	[ ! -L "$d/scsi_dh_early.prom" ] && [ -f "$d/scsi_dh_early.prom" ]
	assert_equal "$(cat "$BATS_TEST_TMPDIR/victim")" precious
	parse <"$d/scsi_dh_early.prom"
	# a dangling one: nothing is made where it points
	rm "$d/scsi_dh_early.prom"
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$d/scsi_dh_early.prom"
	run -0 sde status --textfile "$d"
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ] && [ ! -L "$d/scsi_dh_early.prom" ]
}

@test "--textfile: DIR missing or not a directory is exit 2 naming it; usage errors" {
	fx kernel "$KVER" lun 0:0:0:1
	local d=$BATS_TEST_TMPDIR/none
	run -2 --separate-stderr sde status --textfile "$d"
	assert_equal "$output" ""
	assert_equal "$stderr" "scsi-dh-early: --textfile: \"$d\": no such directory"
	: >"$BATS_TEST_TMPDIR/file"
	run -2 --separate-stderr sde status --textfile "$BATS_TEST_TMPDIR/file"
	assert_equal "$stderr" "scsi-dh-early: --textfile: \"$BATS_TEST_TMPDIR/file\": not a directory"
	[ ! -e "$d" ]
	# a symlink to a directory is that directory
	mkdir "$BATS_TEST_TMPDIR/real"
	ln -s real "$BATS_TEST_TMPDIR/link"
	run -0 sde status --textfile "$BATS_TEST_TMPDIR/link"
	[ -f "$BATS_TEST_TMPDIR/real/scsi_dh_early.prom" ]
	run -2 --separate-stderr sde status --textfile "$d" --json
	[[ "$stderr" == *"--textfile writes the Prometheus format, not JSON"* ]]
	run -2 --separate-stderr sde status --format=table --textfile "$d"
	[[ "$stderr" == *"--textfile writes the Prometheus format, not a table"* ]]
	run -2 --separate-stderr sde status --boot --format=prometheus
	[[ "$stderr" == *"--boot shows the record"* ]]
	run -2 --separate-stderr sde status --format=xml
	[[ "$stderr" == *"--format: 'xml' is not table, json or prometheus"* ]]
	run -2 --separate-stderr sde apply --format=json
	[[ "$stderr" == *"--format and --textfile are for status, not apply"* ]]
	run -2 --separate-stderr sde check --textfile "$d"
	# --format=json and --format=table are --json and the table
	run -0 sde status --format=json
	jq -e '.devices | length == 1' <<<"$output"
	run -0 sde status --json --format=table
	assert_line --regexp '^HCTL '
}

@test "metrics_textfile_dir: the real root's sweeps write it, the initramfs's does not" {
	local d=$ROOT/var/lib/prometheus/node-exporter
	printf 'metrics_textfile_dir = /var/lib/prometheus/node-exporter\n' | conf
	fx kernel "$KVER" kmsg lun 1:0:0:0 vendor=HP model=HSV100 lun 1:0:1:0 vendor=QEMU
	mkdir -p "$d" "$ROOT/etc"
	: >"$ROOT/etc/initrd-release"
	run -0 sde_dyn apply
	[ ! -e "$d/scsi_dh_early.prom" ]
	rm "$ROOT/etc/initrd-release"
	run -0 --separate-stderr sde_dyn apply
	assert_equal "$stderr" ""
	parse <"$d/scsi_dh_early.prom"
	# after its record: both records' counts, every LUN as it left them
	run -0 samples scsi_dh_early_sweep_luns
	assert_output '[{"labels":{"record":"boot"},"value":2},{"labels":{"record":"root"},"value":2}]'
	run -0 jq -sc '[.[] | select(.family == "scsi_dh_early_lun_info" and .sample) |
		[.labels.hctl, .labels.verdict]]' "$M"
	assert_output '[["1:0:0:0","ok"],["1:0:1:0","none"]]'
	sde status --format=prometheus | cmp - "$d/scsi_dh_early.prom"
	# a late sweep there writes it again, with the LUN that came late
	run -0 sde_dyn apply --late
	fx lun 2:0:0:1 vendor=HP model=HSV100
	run -0 sde_dyn apply --late
	parse <"$d/scsi_dh_early.prom"
	run -0 jq -sc '[.[] | select(.family == "scsi_dh_early_lun_info" and .sample) |
		[.labels.hctl, .labels.verdict]]' "$M"
	assert_output '[["1:0:0:0","ok"],["1:0:1:0","none"],["2:0:0:1","ok"]]'
	run -0 samples scsi_dh_early_sweep_luns
	assert_output '[{"labels":{"record":"boot"},"value":2},{"labels":{"record":"root"},"value":1}]'
	# neither a dry run nor a run on a named device writes it
	rm "$d/scsi_dh_early.prom"
	run -0 sde_dyn apply --dry-run
	run -0 sde_dyn apply 1:0:0:0
	[ ! -e "$d/scsi_dh_early.prom" ]
}

@test "metrics_textfile_dir: off by default; a configuration error is counted in the file" {
	local d=$ROOT/var/lib/prometheus/node-exporter
	fx kernel "$KVER" kmsg lun 1:0:0:0 vendor=HP model=HSV100
	mkdir -p "$d"
	run -0 sde_dyn apply
	run -0 find "$ROOT" -name '*.prom'
	assert_output ""
	# a broken configuration changes nothing, and the file says why
	fx lun 1:0:0:1 vendor=HP model=HSV100
	printf 'metrics_textfile_dir = /var/lib/prometheus/node-exporter\nlate_atach = no\n' | conf
	run -2 sde_dyn apply
	[ "$(cat "$ROOT/sys/class/scsi_device/1:0:0:1/device/dh_state")" = detached ]
	parse <"$d/scsi_dh_early.prom"
	run -0 samples scsi_dh_early_config_errors
	assert_output '[{"labels":{},"value":1}]'
}

@test "metrics_textfile_dir: a directory it cannot write is a warning, never the sweep's failure" {
	printf 'metrics_textfile_dir = /var/lib/prometheus/node-exporter\n' | conf
	fx kernel "$KVER" kmsg lun 1:0:0:0 vendor=HP model=HSV100 dh=hp_sw
	run -0 --separate-stderr sde_dyn apply
	[[ "$stderr" == *"metrics_textfile_dir: cannot write \"$ROOT/var/lib/prometheus/node-exporter/scsi_dh_early.prom\": No such file or directory, ignoring"* ]]
	# the sweep did the rest: its summary and its record
	grep -q '1 LUN: 1 ok' "$ROOT/dev/kmsg"
	jq -e '.sweep.luns == 1' "$ROOT/run/scsi-dh-early/status.json"
	# a file in its place
	mkdir -p "$ROOT/var/lib/prometheus"
	: >"$ROOT/var/lib/prometheus/node-exporter"
	run -0 --separate-stderr sde_dyn apply
	[[ "$stderr" == *"Not a directory, ignoring"* ]]
}

@test "metrics_textfile_dir: an absolute path, FILE:LINE errors and exit 2 for anything else" {
	fx kernel "$KVER"
	local bad
	for bad in 'var/lib/x' $'/a\x01b' 'x/' ''; do
		printf 'metrics_textfile_dir = "%s"\n' "$bad" | conf
		run -2 --separate-stderr sde check
		assert_equal "$stderr" "$CONF:1: metrics_textfile_dir: \"$bad\" is not one absolute path"
	done
	printf 'metrics_textfile_dir = /a /b\n' | conf
	run -2 --separate-stderr sde check
	assert_equal "$stderr" "$CONF:1: metrics_textfile_dir: \"/b\" is not one absolute path"
	bad=/$(printf 'x%.0s' {1..1023})
	printf 'metrics_textfile_dir = %s\n' "$bad" | conf
	run -2 --separate-stderr sde check
	assert_equal "$stderr" "$CONF:1: metrics_textfile_dir: \"${bad:0:40}...\" is longer than 1023 bytes"
	# 1023 bytes do
	printf 'metrics_textfile_dir = %s\n' "${bad:0:1023}" | conf
	run -0 sde check
	printf 'metrics_textfile_dir = "/var/lib/node exporter"\n' | conf
	run -0 sde check
	assert_line "metrics_textfile_dir: /var/lib/node exporter"
	run -0 sde resolve
	assert_line 'metrics_textfile_dir = "/var/lib/node exporter"'
	run -0 sde status --json
	jq -e '.policy.metrics_textfile_dir == "/var/lib/node exporter"' <<<"$output"
	# empty: none (a later file may switch it off)
	printf 'metrics_textfile_dir = /x\n' | conf
	printf 'metrics_textfile_dir =\n' | conf 50-off
	run -0 sde check
	assert_line "metrics_textfile_dir: none"
	run -0 sde resolve
	refute_output --partial metrics_textfile_dir
}

@test "scsi-dh-early(8) documents every family, its type and each label it has" {
	command -v man >/dev/null || skip "man (man-db) not installed"
	mixed_tree
	mkdir -p "$ROOT/run/scsi-dh-early"
	echo '{"version":"0","sweep":{"luns":1}}' >"$ROOT/run/scsi-dh-early/status.json"
	metrics
	MANWIDTH=200 man -l "$TOP/man/scsi-dh-early.8" |
		sed -n '/^METRICS/,/^LUNS ADDED AFTER THE SWEEP/p' >"$BATS_TEST_TMPDIR/man"
	local f t l
	while read -r f t; do
		grep -q "^       $f$" "$BATS_TEST_TMPDIR/man" || fail "$f: not in METRICS"
		sed -n "/^       $f$/,/^$/p" "$BATS_TEST_TMPDIR/man" >"$BATS_TEST_TMPDIR/entry"
		grep -qi "$t" "$BATS_TEST_TMPDIR/entry" || fail "$f: not said to be a $t"
		for l in $(jq -r --arg f "$f" 'select(.sample and (.sample == $f or .family == $f)) |
			.labels | keys[]' "$M" | sort -u); do
			grep -qw "$l" "$BATS_TEST_TMPDIR/entry" || fail "$f: label $l not documented"
		done
	done < <(grep '^# TYPE ' "$BATS_TEST_TMPDIR/m.prom" | cut -d' ' -f3,4)
}
