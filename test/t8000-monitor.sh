#!/bin/sh
# t8000-monitor: the reference profile training writes, and mmp monitor
# on synthetic shifts with known answers: a stable stream, a mean shift
# in one feature, a new category, labelled degradation, thresholds, the
# runs it records, the registry's status, and every bad input

. "$(dirname "$0")/test-lib.sh"

if /usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null; then
	test_set_prereq PYSCI
fi

. "$TEST_DIRECTORY/helpers/drift-lib.sh"

# monitor_json NAME ARGS...: run mmp monitor --json into NAME.json, the
# exit code into NAME.rc
monitor_json() {
	name=$1
	shift
	(cd proj && mmp monitor "$@" --json >../$name.json 2>../$name.err)
	echo $? >$name.rc
}

test_expect_success 'set up: a project, a model trained and registered' '
	mmp init -q proj &&
	drift_rows 3000 1 0 0 0 >proj/recipes/data/drift.csv &&
	drift_recipe >proj/recipes/drift.yaml <<-\EOF &&
	model:
	  params:
	    objective: binary:logistic
	    eval_metric: logloss
	    max_depth: 3
	    eta: 0.3
	    seed: 7
	  num_boost_round: 60
	  early_stopping_rounds: 10
	evaluation:
	  metrics: [accuracy, roc_auc, logloss]
	  bootstrap: 200
	EOF
	(cd proj && mmp train --recipe recipes/drift.yaml --json >../t.json &&
	 mmp register "$(json_get ../t.json .run_id)" --name drift -q) &&
	drift_rows 2000 2 0 0 100000 >stable.csv &&
	drift_rows 2000 3 1.5 0 200000 >shift.csv &&
	drift_rows 2000 4 0 0.2 300000 >newcat.csv
'

test_expect_success JQ 'training writes profile.json: features on the training rows, predictions on the test rows' '
	p="$(json_get t.json .model_dir)/profile.json" &&
	test "$(jq .format_version "$p")" = 1 &&
	test "$(jq .rows "$p")" = "$(json_get t.json .rows.train)" &&
	test "$(jq -c "[.features[] | [.name, .kind]]" "$p")" = \
		"[[\"x1\",\"numeric\"],[\"x2\",\"numeric\"],[\"x3\",\"numeric\"],[\"c\",\"categorical\"]]" &&
	test "$(jq "[.features[] | .counts | add] | unique" "$p" | jq -c .)" = \
		"[$(json_get t.json .rows.train)]" &&
	test "$(jq ".features[0].edges | length" "$p")" = 19 &&
	test "$(jq -c ".features[3].categories" "$p")" = "[\"a\",\"b\",\"c\"]" &&
	test "$(jq -c "[.predictions[] | .name, (.counts | add)]" "$p")" = \
		"[\"prediction\",$(json_get t.json .rows.test)]"
'

test_expect_success SQLITE3,JQ 'profile.json is an artifact of the run, and export carries it' '
	id=$(json_get t.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM artifacts WHERE run_uuid = \"$id\" AND path = \"model/profile.json\"")" = 1 &&
	(cd proj && mmp models export drift@latest ../exported) &&
	cmp "$(json_get t.json .model_dir)/profile.json" exported/profile.json
'

test_expect_success JQ 'a stable stream: exit 0, every feature ok' '
	monitor_json stable drift/1 --input ../stable.csv --no-record &&
	test "$(cat stable.rc)" = 0 &&
	test_must_be_empty stable.err &&
	test "$(json_get stable.json .status)" = ok &&
	test "$(json_get stable.json .rows)" = 2000 &&
	test "$(json_get stable.json .ref_rows)" = "$(json_get t.json .rows.train)" &&
	test "$(json_get stable.json .drifted_features)" = 0 &&
	test "$(json_get stable.json "[.features[], .predictions[] | .status] | unique | join(\",\")")" = ok &&
	json_get stable.json "[.features[] | .psi < 0.05] | all" | grep -x true &&
	test "$(json_get stable.json .run_id)" = null
'

test_expect_success JQ 'a mean shift in x2 alerts on x2 alone: exit 3' '
	monitor_json shift drift@latest --input ../shift.csv --no-record &&
	test "$(cat shift.rc)" = 3 &&
	test "$(json_get shift.json .status)" = alert &&
	test "$(json_get shift.json .drifted_features)" = 1 &&
	test "$(json_get shift.json "[.features[] | select(.status != \"ok\") | .name] | join(\",\")")" = x2 &&
	json_get shift.json ".features[1] | .psi > 0.25 and .ks > 0.4 and .ks_pvalue < 1e-10" | grep -x true
'

test_expect_success JQ 'a new category is reported as unseen, on c alone' '
	monitor_json newcat drift/1 --input ../newcat.csv --no-record &&
	test "$(cat newcat.rc)" = 3 &&
	n=$(grep -c ",d,[01]\$" newcat.csv) &&
	test "$(json_get newcat.json "[.features[] | select(.status != \"ok\") | .name] | join(\",\")")" = c &&
	test "$(json_get newcat.json ".features[3].unseen")" = "$n" &&
	test "$(json_get newcat.json ".features[3].unseen_values | map(\"\(.value)=\(.count)\") | join(\",\")")" = "d=$n" &&
	json_get newcat.json ".features[3].unseen_share - $n / 2000 | fabs < 1e-12" | grep -x true
'

test_expect_success PYSCI,JQ 'psi, ks and its p-value, js and chi-square agree with numpy and SciPy' '
	cat >check.py <<-\EOF &&
	import csv, json, sys
	import numpy as np
	from scipy import stats
	from scipy.spatial.distance import jensenshannon
	prof = json.load(open(sys.argv[1]))
	feats = {f["name"]: f for f in prof["features"]}
	def psi(e, a):
	    e = np.maximum(e / e.sum(), 1e-4)
	    a = np.maximum(a / a.sum(), 1e-4)
	    return float(np.sum((a - e) * np.log(a / e)))
	def numeric(path, name):
	    f = feats[name]
	    edges = np.array(f["edges"])
	    rows = list(csv.DictReader(open(path)))
	    v = np.array([float(r[name]) for r in rows], dtype=np.float32)
	    ref = np.array(f["counts"], dtype=float)
	    live = np.bincount(np.searchsorted(edges, v.astype(np.float64),
	                                       side="left"),
	                       minlength=len(ref)).astype(float)
	    pairs = list(range(0, len(ref), 2))
	    # the binned samples: each value replaced by its bin
	    b = np.arange(len(ref))
	    ks = stats.ks_2samp(np.repeat(b, ref.astype(int)),
	                        np.repeat(b, live.astype(int)))
	    n = ref.sum() * live.sum() / (ref.sum() + live.sum())
	    return [psi(np.add.reduceat(ref, pairs),
	                np.add.reduceat(live, pairs)),
	            ks.statistic, stats.kstwobign.sf(np.sqrt(n) * ks.statistic)]
	def categorical(path, name):
	    f = feats[name]
	    rows = list(csv.DictReader(open(path)))
	    cats = f["categories"]
	    ref = np.array(f["counts"] + [f["unseen"]], dtype=float)
	    live = np.array([sum(r[name] == c for r in rows) for c in cats] +
	                    [sum(r[name] not in cats for r in rows)], dtype=float)
	    k = len(cats)
	    chi = stats.chisquare(live[:k], ref[:k] / ref[:k].sum() * live[:k].sum())
	    return [psi(ref, live), jensenshannon(ref, live, base=2) ** 2,
	            chi.statistic, chi.pvalue]
	out = {"x2": numeric(sys.argv[2], "x2"), "x1": numeric(sys.argv[2], "x1"),
	       "c": categorical(sys.argv[3], "c")}
	print(json.dumps(out))
	EOF
	/usr/bin/python3 check.py "$(json_get t.json .model_dir)/profile.json" \
		shift.csv newcat.csv >py.json &&
	for f in x1 x2
	do
		i=$(json_get shift.json "[.features[].name] | index(\"$f\")") &&
		jq -n --slurpfile m shift.json --slurpfile p py.json "
			\$m[0].features[$i] as \$x | \$p[0].$f as \$y |
			(\$x.psi - \$y[0] | fabs) < 1e-9 and
			(\$x.ks - \$y[1] | fabs) < 1e-12 and
			(\$x.ks_pvalue - \$y[2] | fabs) < 1e-9" | grep -x true ||
		return 1
	done &&
	jq -n --slurpfile m newcat.json --slurpfile p py.json "
		\$m[0].features[3] as \$x | \$p[0].c as \$y |
		(\$x.psi - \$y[0] | fabs) < 1e-9 and
		(\$x.js - \$y[1] | fabs) < 1e-12 and
		(\$x.chi2 - \$y[2] | fabs) < 1e-9 and
		(\$x.chi2_pvalue - \$y[3] | fabs) < 1e-9 and \$x.chi2_df == 2" |
		grep -x true
'

test_expect_success JQ 'labels joined by id: the metrics hold on a stable stream' '
	awk -F, "NR > 1 && NR % 2 { print \$1 \",\" \$6 } NR == 1 { print \"id,y\" }" \
		stable.csv >labels.csv &&
	monitor_json labelled drift/1 --input ../stable.csv --labels ../labels.csv \
		--no-record &&
	test "$(cat labelled.rc)" = 0 &&
	test "$(json_get labelled.json .labelled_rows)" = 1000 &&
	test "$(json_get labelled.json "[.metrics[].name] | join(\",\")")" = \
		"accuracy,roc_auc,logloss" &&
	test "$(json_get labelled.json "[.metrics[].status] | unique | join(\",\")")" = ok &&
	test "$(json_get labelled.json ".metrics[0].test")" = \
		"$(json_get t.json .metrics.accuracy)" &&
	test "$(json_get labelled.json ".metrics[0].ci_low")" = \
		"$(json_get t.json .metrics.accuracy_ci_low)"
'

test_expect_success JQ 'a labelled degradation alerts: exit 3' '
	awk -F, "NR > 1 { print \$1 \",\" 1 - \$6 } NR == 1 { print \"id,y\" }" \
		stable.csv >flipped.csv &&
	monitor_json degraded drift/1 --input ../stable.csv --labels ../flipped.csv \
		--no-record &&
	test "$(cat degraded.rc)" = 3 &&
	test "$(json_get degraded.json .drifted_features)" = 0 &&
	test "$(json_get degraded.json "[.metrics[].status] | unique | join(\",\")")" = alert &&
	json_get degraded.json ".metrics[0] | .worse_by == .ci_low - .live and .live < 0.5" |
		grep -x true
'

test_expect_success JQ 'a check is recorded as a run of kind monitor; models show has the latest status' '
	(cd proj &&
	 mmp monitor drift/1 --input ../stable.csv >../rec-ok.out &&
	 test_expect_code 3 mmp monitor drift/1 --input ../shift.csv --json >../rec.json &&
	 mmp runs list --kind monitor --json >../runs.json &&
	 mmp runs show "$(json_get ../rec.json .run_id)" --json >../run.json &&
	 mmp models show drift --json >../show.json &&
	 mmp models show drift 1 >../show1.out) &&
	test_grep "^drift version 1: ok$" rec-ok.out &&
	test "$(json_get runs.json ".runs | length")" = 2 &&
	test "$(json_get runs.json "[.runs[].run_name] | join(\",\")")" = \
		"monitor-drift-v1-2,monitor-drift-v1" &&
	test "$(json_get run.json .run.kind)" = monitor &&
	test "$(json_get run.json ".run.tags[\"mmp.monitor.status\"]")" = alert &&
	test "$(json_get run.json ".run.params[\"model.version\"]")" = 1 &&
	test "$(json_get run.json ".run.metrics.status.value")" = 3 &&
	test "$(json_get run.json ".run.metrics.drifted_features.value")" = 1 &&
	test "$(json_get run.json ".run.metrics[\"psi/x2\"].value")" = \
		"$(json_get rec.json .features[1].psi)" &&
	test "$(json_get show.json ".model.versions[0].monitor.status")" = alert &&
	test "$(json_get show.json ".model.versions[0].monitor.run_id")" = \
		"$(json_get rec.json .run_id)" &&
	test_grep "^monitor: *alert \\(run $(json_get rec.json .run_id | cut -c1-8), " show1.out
'

test_expect_success JQ 'configs/monitor.yaml sets the thresholds; too few rows give no verdict' '
	test "$(json_get stable.json .thresholds)" = "$PWD/proj/configs/monitor.yaml" &&
	printf "psi:\n  warn: 0.001\n  alert: 0.002\n" >strict.yaml &&
	monitor_json strict drift/1 --input ../stable.csv --thresholds ../strict.yaml \
		--no-record &&
	test "$(cat strict.rc)" = 3 &&
	test "$(json_get strict.json .thresholds)" = ../strict.yaml &&
	head -n 51 shift.csv >few.csv &&
	monitor_json few drift/1 --input ../few.csv --no-record &&
	test "$(cat few.rc)" = 0 &&
	test "$(json_get few.json .enough_rows)" = false &&
	json_get few.json ".features[1].ks > 0.2" | grep -x true
'

test_expect_success 'bad thresholds files are named with file:line:column' '
	printf "psi:\n  warn: high\n" >t1.yaml &&
	printf "pis:\n  warn: 0.1\n" >t2.yaml &&
	printf "ks:\n  warn: 0.5\n  alert: 0.2\n" >t3.yaml &&
	(cd proj &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--thresholds ../t1.yaml 2>../e1 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--thresholds ../t2.yaml 2>../e2 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--thresholds ../t3.yaml 2>../e3 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--thresholds ../none.yaml 2>../e4) &&
	test_grep "^error: \.\./t1\.yaml:2:9: psi\.warn: " e1 &&
	test_grep "^error: \.\./t2\.yaml:1:1: .*unknown key .pis.; did you mean .psi.?" e2 &&
	test_grep "^error: \.\./t3\.yaml:3:10: ks\.alert: the alert level \(0\.2\) is below the warn level \(0\.5\)" e3 &&
	test_grep "no thresholds file .\.\./none\.yaml." e4
'

test_expect_success 'mmp doctor checks configs/monitor.yaml as thresholds' '
	(cd proj && mmp doctor --check config >../d1) &&
	test_grep "^ok +config" d1 &&
	cp proj/configs/monitor.yaml monitor.saved &&
	printf "psi:\n  warn: 0.3\n  alert: 0.2\n" >proj/configs/monitor.yaml &&
	(cd proj && test_expect_code 1 mmp doctor --check config >../d2) &&
	cp monitor.saved proj/configs/monitor.yaml &&
	test_grep "monitor\.yaml:3:10: psi\.alert: the alert level" d2
'

test_expect_success 'bad labels: a duplicate id, an unknown class, a missing column' '
	printf "id,y\nid100000,1\nid100001,0\nid100000,0\n" >dup.csv &&
	printf "id,y\nid100000,1\nid100001,maybe\n" >badclass.csv &&
	printf "id,outcome\nid100000,1\n" >nocol.csv &&
	(cd proj &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--labels ../dup.csv 2>../l1 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--labels ../badclass.csv 2>../l2 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../stable.csv \
		--labels ../nocol.csv 2>../l3) &&
	test_grep "\.\./dup\.csv:4: id .id100000. has an outcome already on line 2" l1 &&
	test_grep "\.\./badclass\.csv:3" l2 &&
	test_grep "\.\./nocol\.csv.*y" l3
'

test_expect_success JQ 'bad inputs fail clearly and record nothing' '
	(cd proj && mmp runs list --kind monitor --json >../before.json) &&
	cut -d, -f1-3,5,6 stable.csv >nox3.csv &&
	(cd proj &&
	 test_expect_code 1 mmp monitor nope@latest --input ../stable.csv 2>../b1 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../nox3.csv 2>../b2 &&
	 test_expect_code 1 mmp monitor drift/1 --input ../missing.csv 2>../b3 &&
	 test_expect_code 129 mmp monitor --input ../stable.csv 2>../b5 &&
	 mmp runs list --kind monitor --json >../after.json) &&
	test_grep "^error: cannot monitor .nope@latest.: no model .nope." b1 &&
	test_grep "nox3\.csv.*x3" b2 &&
	test_grep "missing\.csv" b3 &&
	test_grep "takes one model reference" b5 &&
	test_cmp before.json after.json
'

test_expect_success JQ 'a model trained without a profile: a clear message saying to retrain' '
	(cd proj && mmp train --recipe recipes/drift.yaml --json >../t2.json &&
	 mmp register "$(json_get ../t2.json .run_id)" --name drift -q) &&
	rm "$(json_get t2.json .model_dir)/profile.json" &&
	(cd proj && test_expect_code 1 mmp monitor drift/2 --input ../stable.csv 2>../np) &&
	test_grep "^error: cannot monitor .drift/2.: drift version 2 has no profile.json: .*retrain it" np
'


test_expect_success JQ 'live windows from the store: merged by --since, compared, judged' '
	p="$(json_get t.json .model_dir)/profile.json" &&
	db=proj/.mmp/mmp.db &&
	now=$(($(date +%s) * 1000)) &&
	"$HELPERS/monitor-writer" $db window drift 1 serve \
		$((now - 7200000)) $((now - 3600000)) 1800 "$p" &&
	"$HELPERS/monitor-writer" $db window drift 1 serve \
		$((now - 3600000)) $now 1800 "$p" &&
	monitor_json live drift/1 --since 3h --no-record &&
	test "$(cat live.rc)" = 0 &&
	test "$(json_get live.json .source)" = live &&
	test "$(json_get live.json .windows)" = 2 &&
	test "$(json_get live.json .rows)" = 3600 &&
	test "$(json_get live.json "[.features[], .predictions[] | .psi] | max")" = 0 &&
	jq ".features[1].counts |= (map(0) | .[-1] = 1800)" "$p" >shifted.json &&
	"$HELPERS/monitor-writer" $db window drift 1 batch:0123abcd \
		$((now - 600000)) $now 1800 shifted.json &&
	monitor_json live2 drift/1 --since 30m --no-record &&
	test "$(cat live2.rc)" = 3 &&
	test "$(json_get live2.json .windows)" = 2 &&
	test "$(json_get live2.json "[.features[] | select(.status != \"ok\") | .name] | join(\",\")")" = x2 &&
	monitor_json all drift/1 --no-record &&
	test "$(json_get all.json .windows)" = 3
'

test_expect_success JQ 'labels joined to the predictions logged by id; the latest prediction counts' '
	db=proj/.mmp/mmp.db &&
	now=$(($(date +%s) * 1000)) &&
	ids= && good="id,y" && bad="id,y" &&
	for i in $(seq 1 150)
	do
		ids="$ids u$i=0.$((i % 2 ? 9 : 1))" &&
		good="$good
u$i,$((i % 2))" &&
		bad="$bad
u$i,$((1 - i % 2))" || return 1
	done &&
	"$HELPERS/monitor-writer" $db log drift 1 $((now - 1000)) u1=0.1 u2=0.9 &&
	"$HELPERS/monitor-writer" $db log drift 1 $now $ids &&
	echo "$good" >good.csv && echo "$bad" >bad.csv &&
	monitor_json lg drift/1 --since 1h --labels ../good.csv --no-record &&
	test "$(json_get lg.json .labelled_rows)" = 150 &&
	test "$(json_get lg.json ".metrics[0] | [.name, .live] | @csv")" = "\"accuracy\",1" &&
	test "$(json_get lg.json "[.metrics[].status] | unique | join(\",\")")" = ok &&
	monitor_json lb drift/1 --since 1h --labels ../bad.csv --no-record &&
	test "$(cat lb.rc)" = 3 &&
	test "$(json_get lb.json ".metrics[0].live")" = 0 &&
	test "$(json_get lb.json ".metrics[0].status")" = alert
'

test_expect_success JQ 'a window of another reference, or a bad --since, fails clearly' '
	p="$(json_get t.json .model_dir)/profile.json" &&
	now=$(($(date +%s) * 1000)) &&
	jq "del(.features[0])" "$p" >other.json &&
	"$HELPERS/monitor-writer" proj/.mmp/mmp.db window drift 1 serve \
		$((now + 1000)) $((now + 2000)) 10 other.json &&
	(cd proj &&
	 test_expect_code 1 mmp monitor drift/1 --since 1h 2>../w1 &&
	 test_expect_code 129 mmp monitor drift/1 --since yesterday 2>../w2 &&
	 test_expect_code 129 mmp monitor drift/1 --since 1h \
		--input ../stable.csv 2>../w3) &&
	test_grep "^error: cannot monitor .drift/1.: live window [0-9]* \(serve, from monitor-writer\): the profiles differ: 4 features and 1 predictions against 3" w1 &&
	test_grep "invalid duration .yesterday." w2 &&
	test_grep "cannot be combined" w3
'

RETRAIN="$SRC_DIR/scripts/examples/retrain-on-drift.sh"

test_expect_success JQ 'retrain-on-drift.sh: ok does nothing; an alert retrains, approves and promotes' '
	mmp init -q cron &&
	cp proj/recipes/drift.yaml proj/recipes/data/drift.csv cron/recipes/ &&
	mv cron/recipes/drift.csv cron/recipes/data/ &&
	printf "thresholds:\n  accuracy:\n    min: 0.7\n" >cron/configs/approval.yaml &&
	drift_rows 3000 5 1.5 0 400000 >cron/recipes/data/recent.csv &&
	sed "s|data/drift.csv|data/recent.csv|" cron/recipes/drift.yaml \
		>cron/recipes/recent.yaml &&
	(cd cron && sh "$SRC_DIR/scripts/examples/ci-train-promote.sh" \
		recipes/drift.yaml churn 2>../ci.err) &&
	(cd cron && sh "$RETRAIN" churn recipes/recent.yaml ../stable.csv \
		2>../r0.err) &&
	test_grep "^monitor: churn v1 ok$" r0.err &&
	(cd cron && sh "$RETRAIN" churn recipes/recent.yaml ../shift.csv \
		2>../r1.err) &&
	test_grep "^monitor: churn v1 alert: x2 alert; retraining$" r1.err &&
	test_grep "^monitor: churn retrained: v2 is in Production$" r1.err &&
	(cd cron && mmp models show churn --json >../churn.json &&
	 mmp monitor churn@Production --input ../shift.csv --json >../after.json) &&
	test "$(json_get churn.json "[.model.versions[] | .stage] | join(\",\")")" = \
		"Archived,Production" &&
	test "$(json_get churn.json ".model.versions[0].monitor.status")" = alert &&
	test "$(json_get after.json .version)" = 2 &&
	test "$(json_get after.json .status)" = ok
'

test_expect_success 'retrain-on-drift.sh: a failed check retrains nothing, exit 1' '
	(cd cron && test_expect_code 1 sh "$RETRAIN" churn recipes/recent.yaml \
		../nope.csv 2>../r2.err) &&
	test_grep "^monitor: the check failed \(exit 1\)$" r2.err &&
	(cd cron && mmp models show churn --json >../churn2.json) &&
	test "$(json_get churn2.json ".model.versions | length")" = 2
'

test_done
