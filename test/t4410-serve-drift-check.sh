#!/bin/sh
# t4410-serve-drift-check: what serve-api sees, judged by mmp monitor end
# to end: a registered model served with its predictions logged by id,
# live profiles that survive SIGTERM, a restart and a crash after a
# save, outcomes joined to the logged predictions (a degradation exits
# 3), drift in the live stream flagged on the shifted feature alone, and
# categories the model does not know counted from the requests refused

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"
. "$TEST_DIRECTORY/helpers/drift-lib.sh"

if /usr/bin/python3 -c "import csv, struct" 2>/dev/null; then
	test_set_prereq PY3
fi

DB="$TRASH_DIRECTORY/proj/.mmp/mmp.db"

# post_file NAME FILE: POST a JSON file to /predict, prints the status
post_file() {
	req "$1" POST /predict -H "Content-Type: application/json" \
		--data-binary "@$2"
}

# check NAME ARGS...: mmp monitor drift@v1 ARGS --json into NAME.json, its
# exit code into NAME.rc
check() {
	name=$1
	shift
	mmp monitor drift@v1 "$@" --json >$name.json 2>$name.err
	echo $? >$name.rc
}

# gauge SERIES: the value of one series of /metrics (in `out`)
gauge() {
	awk -v s="$1" '$1 == s { print $2 }' out
}

# windows: count, distinct instances and rows of the live windows saved
windows() {
	sql "$DB" "SELECT count(*), count(DISTINCT instance), sum(rows)
		FROM monitor_windows WHERE model = 'drift' AND version = 1
		AND source = 'serve'"
}

test_expect_success 'set up: a model trained, registered, served by id' '
	mmp init -q proj &&
	drift_rows 3000 1 0 0 0 >proj/recipes/data/drift.csv &&
	drift_recipe >proj/recipes/drift.yaml <<-\EOF &&
	model:
	  params:
	    objective: binary:logistic
	    max_depth: 3
	    eta: 0.3
	    seed: 7
	  num_boost_round: 60
	evaluation:
	  metrics: [accuracy, roc_auc]
	  bootstrap: 200
	EOF
	(cd proj && mmp train --recipe recipes/drift.yaml --json >../t.json &&
	 mmp register "$(json_get ../t.json .run_id)" --name drift -q) &&
	sed -i -e "s/^    id_field: \"\"$/    id_field: id/" \
		-e "s/^    flush_interval: 60$/    flush_interval: 1/" \
		proj/configs/base.yaml &&
	grep "^    id_field: id$" proj/configs/base.yaml &&
	drift_rows 2000 2 0 0 100000 >stable.csv &&
	drift_records stable.csv 1 1000 >stable1.json &&
	drift_records stable.csv 1001 2000 >stable2.json &&
	drift_rows 2000 3 1.5 0 200000 >shift.csv &&
	drift_records shift.csv >shift.json &&
	drift_rows 2000 4 0 0.2 300000 >newcat.csv &&
	{ head -1 newcat.csv && grep -v ",d,[01]\$" newcat.csv | sed 1d; } >known.csv &&
	{ head -1 newcat.csv && grep ",d,[01]\$" newcat.csv; } >unknown.csv &&
	drift_records known.csv >known.json &&
	drift_records unknown.csv >unknown.json
'
test_subdir=proj

test_expect_success 'SIGTERM saves the live window and every logged prediction' '
	serve_start a --model drift@v1 &&
	test_grep "\* monitoring drift against .*, logging predictions by id$" ../a.err &&
	test "$(post_file a ../stable1.json)" = 200 &&
	serve_stop a &&
	test "$(cat ../a.rc)" = 0 &&
	test "$(windows)" = "1|1|1000" &&
	test "$(sql "$DB" "SELECT count(*), count(DISTINCT entity_id),
		min(entity_id), max(entity_id) FROM prediction_log
		WHERE model = '\''drift'\'' AND version = 1")" = \
		"1000|1000|id100000|id100999"
'

test_expect_success 'a restarted server adds a window; --since merges both' '
	serve_start b --model drift@v1 &&
	test "$(post_file b ../stable2.json)" = 200 &&
	serve_stop b &&
	test "$(windows)" = "2|2|2000" &&
	check live --since 1h --no-record &&
	test "$(cat live.rc)" = 0 &&
	test "$(json_get live.json .source)" = live &&
	test "$(json_get live.json .windows)" = 2 &&
	test "$(json_get live.json .rows)" = 2000 &&
	test "$(json_get live.json "[.features[], .predictions[] | .status] | unique | join(\",\")")" = ok
'

test_expect_success 'the live profile is the profile of the same rows read from a file' '
	check file --input ../stable.csv --no-record &&
	test "$(cat file.rc)" = 0 &&
	test "$(json_get live.json "[.features[] | .psi]")" = \
		"$(json_get file.json "[.features[] | .psi]")" &&
	test "$(json_get live.json "[.predictions[] | .psi]")" = \
		"$(json_get file.json "[.predictions[] | .psi]")"
'

test_expect_success 'outcomes joined to the logged predictions: ok, exit 0' '
	drift_labels ../stable.csv >good.csv &&
	check good --since 1h --labels good.csv --no-record &&
	test "$(cat good.rc)" = 0 &&
	test "$(json_get good.json .labelled_rows)" = 2000 &&
	test "$(json_get good.json "[.metrics[].name] | join(\",\")")" = \
		accuracy,roc_auc &&
	test "$(json_get good.json "[.metrics[].status] | unique | join(\",\")")" = ok &&
	check filegood --input ../stable.csv --labels good.csv --no-record &&
	test "$(json_get good.json "[.metrics[].live]")" = \
		"$(json_get filegood.json "[.metrics[].live]")"
'

test_expect_success PY3 'the live metrics are those of the logged scores' '
	sql "$DB" "SELECT entity_id, hex(pred) FROM prediction_log
		WHERE model = '\''drift'\'' AND version = 1" >log.txt &&
	json_get good.json "[.metrics[].live] | @tsv" >got &&
	/usr/bin/python3 - <<-\EOF
	import csv, struct
	y = {r["id"]: int(r["y"]) for r in csv.DictReader(open("good.csv"))}
	s = {}
	for line in open("log.txt"):
	    ident, h = line.strip().split("|")
	    s[ident] = struct.unpack("<f", bytes.fromhex(h))[0]
	assert len(s) == len(y) == 2000
	acc = sum((s[i] > 0.5) == (y[i] == 1) for i in y) / len(y)
	# ROC AUC as the Mann-Whitney statistic, ties counted half
	pos = [s[i] for i in y if y[i]]
	neg = [s[i] for i in y if not y[i]]
	ranked = sorted((v, 1 if i < len(pos) else 0)
	                for i, v in enumerate(pos + neg))
	rank, r, k = [0.0] * len(ranked), 0, 0
	while k < len(ranked):
	    j = k
	    while j < len(ranked) and ranked[j][0] == ranked[k][0]:
	        j += 1
	    for m in range(k, j):
	        rank[m] = (k + j + 1) / 2
	    k = j
	r = sum(rank[m] for m in range(len(ranked)) if ranked[m][1])
	auc = (r - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))
	got = [float(v) for v in open("got").read().split()]
	assert abs(got[0] - acc) < 1e-12, (got[0], acc)
	assert abs(got[1] - auc) < 1e-9, (got[1], auc)
	EOF
'

test_expect_success 'a labelled degradation of the served model exits 3, recorded' '
	drift_labels ../stable.csv flip >flipped.csv &&
	check bad --since 1h --labels flipped.csv &&
	test "$(cat bad.rc)" = 3 &&
	test "$(json_get bad.json .labelled_rows)" = 2000 &&
	test "$(json_get bad.json .drifted_features)" = 0 &&
	test "$(json_get bad.json "[.metrics[].status] | unique | join(\",\")")" = alert &&
	json_get bad.json ".metrics[0].live < 0.5" | grep -x true &&
	mmp models show drift 1 --json >show.json &&
	test "$(json_get show.json .model_version.monitor.status)" = alert &&
	test "$(json_get show.json .model_version.monitor.run_id)" = \
		"$(json_get bad.json .run_id)"
'

test_expect_success 'outcomes of ids never served: no verdict on metrics' '
	drift_labels ../shift.csv >unserved.csv &&
	check none --since 1h --labels unserved.csv --no-record &&
	test "$(json_get none.json .labelled_rows)" = 0 &&
	test "$(json_get none.json ".metrics | length")" = 0 &&
	test "$(cat none.rc)" = 0
'

test_expect_success 'a crash after a save keeps what was saved' '
	serve_start c --model drift@v1 &&
	test "$(post_file c ../shift.json)" = 200 &&
	i=0 &&
	while test "$(windows)" != "3|3|4000"
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	serve_stop c KILL &&
	test "$(windows)" = "3|3|4000"
'

test_expect_success 'drift in the served stream is flagged on the shifted feature alone' '
	check shifted --since 1h --no-record &&
	test "$(cat shifted.rc)" = 3 &&
	test "$(json_get shifted.json .rows)" = 4000 &&
	test "$(json_get shifted.json "[.features[] | select(.status != \"ok\") | .name] | join(\",\")")" = x2
'

test_expect_success 'refused rows of unknown categories are profiled as unseen' '
	mmp register "$(json_get ../t.json .run_id)" --name drift -q &&
	n=$(sed 1d ../unknown.csv | wc -l) && test "$n" -gt 300 &&
	serve_start d --model drift@v2 &&
	test "$(post_file d ../known.json)" = 200 &&
	test "$(post_file d ../unknown.json)" = 422 &&
	test "$(json_get out ".error.fields[0].problem")" = \
		"unknown category \"d\" (known: \"a\", \"b\", \"c\")" &&
	test "$(req d GET /metrics)" = 200 &&
	test "$(gauge mmp_monitor_rows_total)" = 2000 &&
	test "$(gauge mmp_monitor_refused_rows_total)" = "$n" &&
	test "$(gauge mmp_monitor_window_rows)" = 2000 &&
	v=$(gauge "mmp_drift_unseen_share{feature=\"c\"}") &&
	awk -v v="$v" -v n="$n" "BEGIN { d = v - n / 2000; exit !(d < 1e-12 && d > -1e-12) }" &&
	! grep "mmp_drift_unseen_share{feature=\"x1\"}" out &&
	serve_stop d &&
	test_expect_code 3 mmp monitor drift@v2 --since 1h --no-record \
		--json >unseen.json &&
	test "$(json_get unseen.json .rows)" = 2000 &&
	test "$(json_get unseen.json "[.features[] | select(.status != \"ok\") | .name] | join(\",\")")" = c &&
	test "$(json_get unseen.json ".features[3].unseen")" = "$n" &&
	test "$(json_get unseen.json ".features[3].unseen_values | map(\"\(.value)=\(.count)\") | join(\",\")")" = "d=$n" &&
	test "$(json_get unseen.json ".predictions[0].live_count")" = $((2000 - n))
'

test_expect_success 'the features of refused rows are profiled as from a file' '
	test_expect_code 3 mmp monitor drift@v2 --input ../newcat.csv \
		--no-record --json >file2.json &&
	test "$(json_get unseen.json "[.features[] | [.psi, .unseen, .missing_live]]")" = \
		"$(json_get file2.json "[.features[] | [.psi, .unseen, .missing_live]]")"
'

test_done
