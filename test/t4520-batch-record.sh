#!/bin/sh
# t4520-batch-record: the job recorded as a run, --evaluate, --run and
# registry references in mmp batch-inference

. "$(dirname "$0")/test-lib.sh"

# wait_sigint_handler PID: until the process catches SIGINT (up to 20 s)
wait_sigint_handler() {
	i=0
	while test $i -lt 200; do
		mask=$(sed -n "s/^SigCgt:[^0-9a-f]*//p" /proc/$1/status \
			2>/dev/null) &&
		test -n "$mask" &&
		test $(( 0x$mask & 2 )) -ne 0 && return 0
		i=$((i + 1))
		sleep 0.1
	done
	echo "process $1 never caught SIGINT" >&2
	return 1
}

test_expect_success JQ 'setup: a project with a trained model' '
	mmp init proj >/dev/null &&
	cd proj &&
	mmp train --recipe recipes/breast-cancer.yaml --json >../train.json &&
	cd .. &&
	json_get train.json .run_id >model.run &&
	test_line_count = 1 model.run &&
	cp proj/recipes/data/breast_cancer.csv data.csv &&
	sha256sum data.csv | cut -d" " -f1 >data.sha
'

test_expect_success JQ,SQLITE3 'the job is a FINISHED run of kind batch-inference' '
	cd proj &&
	mmp batch-inference --run "$(cat ../model.run)" --input ../data.csv \
		--output ../pred.csv --experiment scoring --json >../sum.json &&
	cd .. &&
	run=$(json_get sum.json .run_id) &&
	test ${#run} = 32 &&
	test "$(json_get sum.json .model.run_id)" = "$(cat model.run)" &&
	test "$(json_get sum.json .digest)" = "$(cat data.sha)" &&
	db=proj/.mmp/mmp.db &&
	test "$(sql $db "SELECT kind || \" \" || status FROM runs
		WHERE run_uuid = \"$run\"")" = "batch-inference FINISHED" &&
	test "$(sql $db "SELECT e.name FROM runs r JOIN experiments e
		USING (experiment_id) WHERE run_uuid = \"$run\"")" = scoring &&
	test "$(sql $db "SELECT value FROM params WHERE run_uuid = \"$run\"
		AND key = \"model.run_id\"")" = "$(cat model.run)" &&
	test "$(sql $db "SELECT value FROM params WHERE run_uuid = \"$run\"
		AND key = \"input\"")" = ../data.csv &&
	test "$(sql $db "SELECT value FROM latest_metrics
		WHERE run_uuid = \"$run\" AND key = \"rows_out\"")" = 569.0 &&
	test "$(sql $db "SELECT value FROM latest_metrics
		WHERE run_uuid = \"$run\" AND key = \"rows_skipped\"")" = 0.0 &&
	test "$(sql $db "SELECT digest || \" \" || num_rows || \" \" ||
		context FROM dataset_inputs WHERE run_uuid = \"$run\"")" = \
		"$(cat data.sha) 569 inference"
'

test_expect_success JQ '--evaluate: metrics of this batch, from the output' '
	cd proj &&
	mmp batch-inference --run "$(cat ../model.run)" --input ../data.csv \
		--output ../eval.csv --evaluate --json >../eval.json &&
	cd .. &&
	col=$(head -n 1 data.csv | tr , "\n" | grep -n "^target$" |
		cut -d: -f1) &&
	cut -d, -f$col data.csv | sed 1d >truth &&
	sed 1d eval.csv | paste -d, truth - |
		awk -F, "{ n++; if (\$1 == \$2) ok++ }
			END { printf \"%.6f\n\", ok / n }" >expect &&
	json_get eval.json .metrics.accuracy |
		awk "{ printf \"%.6f\n\", \$1 }" >actual &&
	test_cmp expect actual &&
	json_get eval.json ".metrics | keys | join(\" \")" >keys &&
	echo "accuracy balanced_accuracy brier f1 f1_macro f1_weighted logloss mcc pr_auc precision precision_macro precision_weighted recall recall_macro recall_weighted roc_auc" >expect &&
	test_cmp expect keys &&
	run=$(json_get eval.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT round(value, 6) FROM
		latest_metrics WHERE run_uuid = \"$run\" AND
		key = \"accuracy\"")" = "$(cat actual | sed "s/0*$//")"
'

test_expect_success '--evaluate needs the target column' '
	col=$(head -n 1 data.csv | tr , "\n" | grep -n "^target$" |
		cut -d: -f1) &&
	cut -d, -f$col --complement data.csv >notarget.csv &&
	cd proj &&
	test_expect_code 1 mmp batch-inference --run "$(cat ../model.run)" \
		--input ../notarget.csv --output ../x.csv --evaluate 2>../err &&
	cd .. &&
	test_grep "unknown column .target." err &&
	! test -e x.csv
'

test_expect_success SQLITE3 'a failed job is a FAILED run with the error' '
	awk -F, -v OFS=, "NR == 100 { \$1 = \"x\" } { print }" data.csv >bad.csv &&
	cd proj &&
	test_expect_code 1 mmp batch-inference --run "$(cat ../model.run)" \
		--input ../bad.csv --output ../bad.out 2>../err &&
	cd .. &&
	test_grep "bad.csv:100:1: " err &&
	test "$(sql proj/.mmp/mmp.db "SELECT r.status FROM runs r
		WHERE kind = \"batch-inference\" ORDER BY start_time DESC,
		rowid DESC LIMIT 1")" = FAILED &&
	sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE key = \"mmp.error\"
		AND run_uuid IN (SELECT run_uuid FROM runs WHERE status =
		\"FAILED\")" >msg &&
	test_grep "bad.csv:100:1: " msg
'

test_expect_success JQ 'a registered version by reference: name and version recorded' '
	cd proj &&
	mmp register "$(cat ../model.run)" --name bc >/dev/null &&
	mmp batch-inference --model bc@v1 --input ../data.csv \
		--output ../reg.csv --json >../reg.json &&
	mmp batch-inference --model bc@latest --input ../data.csv \
		--output ../latest.csv -q &&
	cd .. &&
	test_cmp pred.csv reg.csv &&
	test_cmp pred.csv latest.csv &&
	test "$(json_get reg.json .model.name)" = bc &&
	test "$(json_get reg.json .model.version)" = 1 &&
	run=$(json_get reg.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT group_concat(key || \"=\" ||
		value, \" \") FROM params WHERE run_uuid = \"$run\" AND key
		IN (\"model.name\", \"model.version\")")" = \
		"model.name=bc model.version=1"
'

test_expect_success 'an unknown model or run is named' '
	cd proj &&
	test_expect_code 1 mmp batch-inference --model nope@Production \
		--input ../data.csv --output ../x.csv 2>../err &&
	test_expect_code 1 mmp batch-inference --run feedbeef \
		--input ../data.csv --output ../x.csv 2>../err2 &&
	cd .. &&
	test_grep "^error: cannot find model .nope@Production.: no model .nope." err &&
	test_line_count = 1 err &&
	test_grep "^error: cannot find run .feedbeef." err2 &&
	! test -e x.csv
'

test_expect_success JQ 'a model directory outside any store is not recorded' '
	mkdir outside &&
	cp -r "proj/.mmp/artifacts" outside/arts &&
	dir=$(find outside/arts -name MLmodel | head -n 1 | xargs dirname) &&
	cd outside &&
	mmp batch-inference --model-dir "../$dir" --input ../data.csv \
		--output ../outside.csv --json >../out.json &&
	cd .. &&
	test "$(json_get out.json .run_id)" = "" &&
	test_cmp pred.csv outside.csv
'

test_expect_success SQLITE3 'SIGINT marks the run KILLED' '
	{
		head -n 1 data.csv &&
		i=0 &&
		while test $i -lt 30
		do
			sed 1d data.csv
			i=$((i + 1))
		done
	} >many.csv &&
	cd proj || return 1
	{ head -n 50 ../many.csv; sleep 3; sed 1,50d ../many.csv; } |
	mmp batch-inference --run "$(cat ../model.run)" --input - \
		--output ../int.csv 2>../err &
	pid=$! &&
	wait_sigint_handler $pid &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	cd .. &&
	test $rc = 130 &&
	! test -e int.csv &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs
		WHERE kind = \"batch-inference\" ORDER BY start_time DESC,
		rowid DESC LIMIT 1")" = KILLED
'

test_done
