#!/bin/sh
# t4400-serve-monitor: serve-api profiles what it predicts against the
# model's reference profile: /metrics drift gauges for a known shift,
# windows and logged predictions in the store after SIGTERM, a restart
# appending, memory flat under a million predictions and 120000 requests

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

if /usr/bin/python3 -c "import json, bisect, math, struct" 2>/dev/null; then
	test_set_prereq PY3
fi

# monitor_config [KEY: VALUE]...: configs/base.yaml with serve.monitor
monitor_config() {
	mkdir -p configs &&
	{ printf "serve:\n  monitor:\n" &&
	  for kv in "$@"; do printf "    %s\n" "$kv"; done; } >configs/base.yaml
}

# post_file NAME PATH FILE: POST a JSON file, prints the status
post_file() {
	req "$1" POST "$2" -H "Content-Type: application/json" \
		--data-binary "@$3"
}

# gauge SERIES: the value of one series of /metrics (in `out`)
gauge() {
	awk -v s="$1" '$1 == s { print $2 }' out
}

# psi_of PROFILE RECORDS FEATURE: the PSI of a feature's values in the
# records against the profile's deciles (its 20 quantile bins in pairs),
# computed apart from mmp (values as the float32 the model reads)
psi_of() {
	/usr/bin/python3 - "$@" <<-\EOF
	import bisect, json, math, struct, sys
	prof = json.load(open(sys.argv[1]))
	rows = json.load(open(sys.argv[2]))
	f = [x for x in prof["features"] if x["name"] == sys.argv[3]][0]
	live = [0] * len(f["counts"])
	for r in rows:
	    v = struct.unpack("f", struct.pack("f", r[sys.argv[3]]))[0]
	    live[bisect.bisect_left(f["edges"], v)] += 1
	pair = lambda v: [sum(v[i:i + 2]) for i in range(0, len(v), 2)]
	ref, live = pair(f["counts"]), pair(live)
	ne, na = sum(ref), sum(live)
	psi = 0.0
	for c, l in zip(ref, live):
	    e, a = max(c / ne, 1e-4), max(l / na, 1e-4)
	    psi += (a - e) * math.log(a / e)
	print("%.6f" % psi)
	EOF
}

test_expect_success 'a store, a model with a reference profile, one without' '
	$W "$DB" create &&
	mkmodel synth m 4 4000 20 3 --profile --entity id &&
	test -f m/profile.json &&
	mkmodel synth bare 4 500 5 3 --entity id &&
	! test -e bare/profile.json &&
	mkmodel synth-records 4 2000 7 --entity id >same.json &&
	mkmodel synth-records 4 2000 8 --entity id --shift 1 1.0 >shifted.json
'

test_expect_success 'no profile.json: monitoring is off, said once' '
	serve_start a --model-dir bare &&
	test "$(req a GET /metrics)" = 200 &&
	grep "^mmp_monitor_enabled 0$" out &&
	! grep mmp_drift_psi out &&
	serve_stop a &&
	test "$(grep -c "drift monitoring is off: the model directory has no profile.json" a.err)" = 1
'

test_expect_success 'serve.monitor.enabled false: off, and said' '
	monitor_config "enabled: false" &&
	serve_start b --model-dir m &&
	test "$(req b GET /metrics)" = 200 &&
	grep "^mmp_monitor_enabled 0$" out &&
	serve_stop b &&
	grep "drift monitoring is off (serve.monitor.enabled is false)" b.err
'

test_expect_success 'an id field that is not an entity column stops the server' '
	monitor_config "id_field: customer" &&
	test_expect_code 1 mmp serve-api --model-dir m --port 0 2>err &&
	grep "^error: cannot monitor the model: the id field .customer. is not an entity column of the model (its entity columns: .id.)$" err &&
	! grep "^serving model" err
'

test_expect_success JQ 'the same distribution: every gauge near 0' '
	monitor_config "id_field: id" "flush_interval: 1" &&
	serve_start s --model-dir m &&
	test "$(post_file s /predict same.json)" = 200 &&
	test "$(req s GET /metrics)" = 200 &&
	grep "^mmp_monitor_enabled 1$" out &&
	test "$(gauge mmp_monitor_window_rows)" = 2000 &&
	for f in f00 f01 f02 f03
	do
		v=$(gauge "mmp_drift_psi{feature=\"$f\"}") &&
		test -n "$v" && awk -v v="$v" "BEGIN { exit !(v >= 0 && v < 0.05) }" ||
		return 1
	done &&
	v=$(gauge "mmp_prediction_drift_psi{output=\"prediction\"}") &&
	awk -v v="$v" "BEGIN { exit !(v >= 0 && v < 0.05) }"
'

test_expect_success PY3 'the gauges are the PSI of the rows sent' '
	for f in f00 f01
	do
		want=$(psi_of m/profile.json same.json $f) &&
		got=$(gauge "mmp_drift_psi{feature=\"$f\"}") &&
		awk -v a="$want" -v b="$got" "BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }" ||
		return 1
	done
'

test_expect_success 'SIGTERM saves the window and the logged predictions' '
	serve_stop s &&
	grep "^shutting down" s.err && ! grep Sanitizer s.err &&
	test "$(sql "$DB" "SELECT count(*), sum(rows), min(source), min(version)
		FROM monitor_windows WHERE model = \"m\"")" = "1|2000|serve|0" &&
	test "$(sql "$DB" "SELECT count(*), count(DISTINCT entity_id)
		FROM prediction_log WHERE model = \"m\"")" = "2000|2000" &&
	test "$(sql "$DB" "SELECT length(pred) FROM prediction_log
		WHERE entity_id = \"r7-1999\"")" = 4
'

test_expect_success PY3 'a logged prediction is the one answered' '
	serve_start s2 --model-dir m &&
	test "$(post s2 /predict "{\"id\": \"one\", \"f00\": 0.5, \"f01\": -0.25, \"f02\": 0.1, \"f03\": 0.9}")" = 200 &&
	json_get out ".predictions[0].probabilities[\"1\"]" >answered &&
	serve_stop s2 &&
	sql "$DB" "SELECT hex(pred) FROM prediction_log WHERE entity_id = \"one\"" >hex &&
	/usr/bin/python3 -c "import struct,sys; print(repr(struct.unpack(\"<f\", bytes.fromhex(sys.argv[1]))[0]))" "$(cat hex)" >logged &&
	/usr/bin/python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-7)" "$(cat answered)" "$(cat logged)"
'

test_expect_success 'a mean shift in one feature moves that gauge only' '
	serve_start t --model-dir m &&
	test "$(post_file t /predict shifted.json)" = 200 &&
	test "$(req t GET /metrics)" = 200 &&
	v=$(gauge "mmp_drift_psi{feature=\"f01\"}") &&
	awk -v v="$v" "BEGIN { exit !(v > 1) }" &&
	v=$(gauge "mmp_drift_ks{feature=\"f01\"}") &&
	awk -v v="$v" "BEGIN { exit !(v > 0.4 && v < 0.6) }" &&
	for f in f00 f02 f03
	do
		v=$(gauge "mmp_drift_psi{feature=\"$f\"}") &&
		awk -v v="$v" "BEGIN { exit !(v < 0.05) }" || return 1
	done &&
	v=$(gauge "mmp_prediction_drift_psi{output=\"prediction\"}") &&
	awk -v v="$v" "BEGIN { exit !(v > 0.1) }"
'

test_expect_success PY3 'the shifted gauge is the PSI of the rows sent' '
	want=$(psi_of m/profile.json shifted.json f01) &&
	got=$(gauge "mmp_drift_psi{feature=\"f01\"}") &&
	awk -v a="$want" -v b="$got" "BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }"
'

test_expect_success 'a restarted server appends a window of its own' '
	serve_stop t &&
	! grep Sanitizer t.err &&
	test "$(sql "$DB" "SELECT count(*), count(DISTINCT instance), sum(rows)
		FROM monitor_windows WHERE model = \"m\"")" = "3|3|4001" &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log
		WHERE entity_id LIKE \"r8-%\"")" = 2000
'

# rss PID: the resident set of a process, in kB
rss() {
	awk "/^VmRSS/ { print \$2 }" /proc/$1/status
}

# settle PORT ROWS: wait (up to 30 s) until every prediction of ROWS rows
# is written to the store or counted as dropped; /metrics goes to `out`
settle() {
	i=0
	while :
	do
		curl -s -m 20 -o out "http://127.0.0.1:$1/metrics" &&
		w=$(gauge mmp_prediction_log_written_total) &&
		d=$(gauge mmp_prediction_log_dropped_total) &&
		test $((w + d)) = "$2" && return 0
		i=$((i + 1)) && test $i -lt 300 || return 1
		sleep 0.1
	done
}

# ASan's quarantine holds freed memory: RSS says nothing under it. The
# load is 1.22 million predictions: 1.1 million in requests of 100 rows
# and 120000 requests of one row, every one logged by its id. After the
# warm-up the resident set may grow by less than 1 MiB over each half
# of the load and 2 MiB over all of it (the store's page cache included).
test_expect_success NOT_SANITIZED 'memory stays flat over a million predictions' '
	mkmodel synth-records 4 100 9 --entity id >hundred.json &&
	mkmodel synth-records 4 1 10 --entity id >one.json &&
	logged0=$(sql "$DB" "SELECT count(*) FROM prediction_log") &&
	serve_start mem --model-dir m --threads 2 &&
	port=$(serve_port mem) && pid=$(cat mem.pid) &&
	hammer "$port" 2 500 /predict hundred.json >warm1.out &&
	hammer "$port" 4 5000 /predict one.json >warm2.out &&
	rss0=$(rss $pid) &&
	hammer "$port" 4 1250 /predict hundred.json >load1.out &&
	rss1=$(rss $pid) &&
	hammer "$port" 4 25000 /predict one.json >load2.out &&
	rss2=$(rss $pid) &&
	hammer "$port" 4 1250 /predict hundred.json >load3.out &&
	rss3=$(rss $pid) &&
	grep "answered 1000 " warm1.out && grep "answered 20000 " warm2.out &&
	grep "answered 5000 " load1.out && grep "answered 100000 " load2.out &&
	grep "answered 5000 " load3.out &&
	echo "VmRSS kB: $rss0 after 120000 predictions, $rss1 after" \
		"620000, $rss2 after 720000 (100000 requests of one row)," \
		"$rss3 after 1220000" &&
	test $((rss2 - rss1)) -lt 1024 &&
	test $((rss3 - rss1)) -lt 1024 &&
	test $((rss3 - rss0)) -lt 2048 &&
	settle "$port" 1220000 &&
	test "$(gauge mmp_monitor_rows_total)" = 1220000 &&
	written=$(gauge mmp_prediction_log_written_total) &&
	test "$written" -gt 0 &&
	serve_stop mem &&
	test "$(cat mem.rc)" = 0 &&
	test "$(sql "$DB" "SELECT sum(rows) FROM monitor_windows
		WHERE instance = (SELECT instance FROM monitor_windows
		ORDER BY id DESC LIMIT 1)")" = 1220000 &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log")" = \
		$((logged0 + written))
'

test_done
