#!/bin/sh
# t4550-batch-monitor: batch-inference records its input's profile as a
# monitoring window and logs predictions by --id

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

if /usr/bin/python3 -c "import json, bisect, struct" 2>/dev/null; then
	test_set_prereq PY3
fi

test_expect_success 'a store, a model with a reference profile, inputs' '
	$W "$DB" create &&
	mkmodel synth m 4 4000 20 3 --profile --entity id &&
	mkmodel synth bare 4 500 5 3 --entity id &&
	mkmodel synth-records 4 3000 11 --entity id --csv >in.csv &&
	mkmodel synth-records 4 500 12 --entity key --csv >keyed.csv
'

test_expect_success JQ 'the input profile becomes a window of the job' '
	mmp batch-inference --model-dir m --input in.csv --output out.csv \
		--json >r.json &&
	run=$(json_get r.json .run_id) && test -n "$run" &&
	test "$(json_get r.json .monitoring.profiled)" = true &&
	test "$(json_get r.json .monitoring.logged)" = 0 &&
	test "$(sql "$DB" "SELECT model, version, source, rows
		FROM monitor_windows")" = "m|0|batch:$run|3000" &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log")" = 0 &&
	test "$(sql "$DB" "SELECT start_ms <= end_ms FROM monitor_windows")" = 1
'

test_expect_success PY3 'the window counts the rows with the reference bins' '
	sql "$DB" "SELECT profile FROM monitor_windows" >window.json &&
	/usr/bin/python3 - <<-\EOF
	import bisect, csv, json, struct
	ref = json.load(open("m/profile.json"))
	win = json.load(open("window.json"))
	rows = list(csv.DictReader(open("in.csv")))
	assert win["rows"] == len(rows) == 3000, win["rows"]
	for rf, wf in zip(ref["features"], win["features"]):
	    assert rf["name"] == wf["name"] and rf["edges"] == wf["edges"]
	    want = [0] * len(rf["counts"])
	    for r in rows:
	        v = struct.unpack("f", struct.pack("f", float(r[rf["name"]])))[0]
	        want[bisect.bisect_left(rf["edges"], v)] += 1
	    assert wf["counts"] == want, (rf["name"], wf["counts"], want)
	assert sum(win["predictions"][0]["counts"]) == 3000
	EOF
'

test_expect_success JQ '--id logs every prediction by its entity id' '
	mmp batch-inference --model-dir m --input in.csv --output out2.csv \
		--id id --proba --json >r2.json &&
	run=$(json_get r2.json .run_id) &&
	test "$(json_get r2.json .monitoring.logged)" = 3000 &&
	test "$(sql "$DB" "SELECT count(*), count(DISTINCT entity_id),
		min(source), max(source) FROM prediction_log")" = \
		"3000|3000|batch:$run|batch:$run" &&
	test "$(sql "$DB" "SELECT count(*) FROM monitor_windows")" = 2
'

test_expect_success PY3 'a logged score is the probability written' '
	sql "$DB" "SELECT entity_id, hex(pred) FROM prediction_log" >log.txt &&
	/usr/bin/python3 - <<-\EOF
	import csv, struct
	out = {r["id"]: r["1"] for r in csv.DictReader(open("out2.csv"))}
	n = 0
	for line in open("log.txt"):
	    ident, h = line.strip().split("|")
	    got = struct.unpack("<f", bytes.fromhex(h))[0]
	    want = struct.unpack("f", struct.pack("f", float(out[ident])))[0]
	    assert got == want, (ident, got, want)
	    n += 1
	assert n == 3000
	EOF
'

test_expect_success '--id takes a column the model does not know' '
	mmp -q batch-inference --model-dir m --input keyed.csv \
		--output keyed.out --id key &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log
		WHERE entity_id LIKE \"r12-%\"")" = 500 &&
	test "$(head -1 keyed.out)" = prediction
'

test_expect_success '--id of a kept column: written once and logged' '
	before=$(sql "$DB" "SELECT count(*) FROM prediction_log") &&
	mmp -q batch-inference --model-dir m --input keyed.csv \
		--output kept.out --keep key --id key &&
	test "$(head -1 kept.out)" = key,prediction &&
	test "$(wc -l <kept.out)" = 501 &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log")" = \
		$((before + 500)) &&
	sed -n 2p kept.out | cut -d, -f1 >first &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log
		WHERE entity_id = \"$(cat first)\"")" = 2
'

test_expect_success '--id of a column the input lacks: error, nothing logged' '
	before=$(sql "$DB" "SELECT count(*) FROM prediction_log") &&
	test_expect_code 1 mmp batch-inference --model-dir m --input in.csv \
		--output none.csv --id customer 2>err &&
	grep "customer" err && grep "in.csv" err &&
	! test -e none.csv &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log")" = "$before" &&
	test "$(sql "$DB" "SELECT count(*) FROM monitor_windows")" = 4
'

test_expect_success 'a job that fails late forgets what it logged' '
	cp in.csv bad.csv && echo "r11-bad,1,oops,2,3" >>bad.csv &&
	before=$(sql "$DB" "SELECT count(*) FROM prediction_log") &&
	test_expect_code 1 mmp batch-inference --model-dir m --input bad.csv \
		--output bad.out --id id --chunk-rows 500 --threads 1 2>err &&
	grep "bad.csv" err &&
	test "$(sql "$DB" "SELECT status FROM runs
		ORDER BY start_time DESC, rowid DESC LIMIT 1")" = FAILED &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log")" = "$before" &&
	test "$(sql "$DB" "SELECT count(*) FROM monitor_windows")" = 4
'

test_expect_success JQ 'no profile.json: no window, predictions still logged' '
	mmp batch-inference --model-dir bare --input in.csv --output b.csv \
		--id id --json >r3.json &&
	test "$(json_get r3.json .monitoring.profiled)" = false &&
	test "$(json_get r3.json .monitoring.logged)" = 3000 &&
	test "$(sql "$DB" "SELECT count(*) FROM monitor_windows
		WHERE model = \"bare\"")" = 0 &&
	test "$(sql "$DB" "SELECT count(*) FROM prediction_log
		WHERE model = \"bare\"")" = 3000
'

test_expect_success 'a profile that does not fit the model fails the job' '
	mkdir -p other && cp -r bare/. other/ &&
	mkmodel synth three 3 500 5 3 --profile &&
	cp three/profile.json other/profile.json &&
	test_expect_code 1 mmp batch-inference --model-dir other \
		--input in.csv --output o.csv 2>err &&
	grep "profiles 3 features and 1 outputs, the model has 4 and 1" err &&
	! test -e o.csv
'

test_expect_success '--id without a store is refused' '
	test_expect_code 1 mmp --store "$TRASH_DIRECTORY/nowhere" \
		batch-inference --model-dir m --input in.csv --output o.csv \
		--id id 2>err &&
	grep "error: --id logs predictions in the store, and there is none" err &&
	! test -e o.csv
'

test_done
