#!/bin/sh
# t7100-ui-registry: mmp ui's models and studies pages: versions,
# stages, aliases, lineage, approvals, the audit verdict, optimisation
# history, importance, slices and pruned trials

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"
. "$TEST_DIRECTORY/helpers/ui-lib.sh"

if /usr/bin/python3 -c 'import html.parser' 2>/dev/null; then
	test_set_prereq PY
fi

DB="$TRASH_DIRECTORY/.mmp/mmp.db"

test_expect_success 'a registry with two versions and a study' '
	mmp init -q &&
	bc_tune_recipe bc tuning >recipes/bc.yaml <<-\EOF &&
	    eta: 0.3
	  num_boost_round: 30
	  early_stopping_rounds: 5
	tune:
	  trials: 10
	  cv_folds: 3
	  seed: 3
	  pruner_startup_trials: 3
	  pruner_warmup_steps: 3
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	    min_child_weight: {type: float, low: 0.5, high: 1000, log: true}
	EOF
	mmp train --recipe recipes/breast-cancer.yaml -q --json >r1.json &&
	mmp train --recipe recipes/breast-cancer.yaml -q --json >r2.json &&
	R1=$(jq -r .run_id r1.json) && R2=$(jq -r .run_id r2.json) &&
	echo "R1=$R1 R2=$R2" >vars &&
	mmp register $R1 --name "churn" >/dev/null &&
	mmp register $R2 --name "churn" >/dev/null &&
	{ mmp approve churn 1 --json >policy.json; test $? -le 3; } &&
	mmp approve churn 1 --by alice --notes "looks right" >/dev/null &&
	mmp promote "churn" 1 Production --by alice >/dev/null &&
	mmp alias "churn" champion 2 --by bob >/dev/null &&
	mmp tune --recipe recipes/bc.yaml -q --json >tune.json
'
. ./vars 2>/dev/null

test_expect_success 'start the UI' '
	ui_start u
'

test_expect_success PY 'models: every model, where its versions stand' '
	test "$(get u /models)" = 200 &&
	test "$(hq text audit-verdict)" = "Audit log: 6 rows, the hash chain is intact." &&
	hq texts "table#models tbody tr" >rows &&
	test_line_count = 1 rows &&
	test_grep "^churn 2 v1 - @champion .* v2 [0-9-]+ [0-9:]+$" rows
'

test_expect_success PY 'a model: versions, stages, aliases, decisions' '
	test "$(get u "/models/churn")" = 200 &&
	test "$(hq text model-name)" = "churn" &&
	hq texts "table#versions tbody tr" >rows &&
	test_line_count = 2 rows &&
	sed -n 1p rows >row1 &&
	test_grep "^v2 None @champion - $(echo $R2 | cut -c1-8) [0-9-]+ [0-9:]+ " row1 &&
	sed -n 2p rows >row2 &&
	test_grep "^v1 Production APPROVED $(echo $R1 | cut -c1-8) " row2
'

test_expect_success PY 'a model: lineage version, run, data, recipe' '
	test "$(get u "/models/churn")" = 200 &&
	hq texts "table#lineage-table tbody tr" >rows &&
	digest=$(sqlite3 "$DB" "SELECT digest FROM dataset_inputs WHERE run_uuid = '\''$R1'\'' LIMIT 1") &&
	test -n "$digest" &&
	sed -n 2p rows >row &&
	test_grep "^v1 breast-cancer-.* $digest .*recipes/breast-cancer.yaml" row
'

test_expect_success PY 'a model: approval evidence and the audit log' '
	test "$(get u "/models/churn")" = 200 &&
	hq texts "table#approvals-table tbody tr" >rows &&
	test_grep "^.* v1 APPROVED alice \\(by hand\\) .*looks right" rows &&
	hq texts "table#audit-table tbody tr" >audit &&
	test_line_count = 6 audit &&
	cut -d" " -f1,5 audit | tr "\n" " " >seqs &&
	test "$(cat seqs)" = "1 register 2 register 3 approve 4 approve 5 promote 6 alias " &&
	test "$(hq text audit-verdict)" = "Audit log: 6 rows, the hash chain is intact."
'

test_expect_success PY 'a tampered audit log: the verdict says so' '
	sqlite3 "$DB" "DROP TRIGGER registry_audit_no_update;
		UPDATE registry_audit SET actor = '\''mallory'\'' WHERE seq = 2" &&
	test "$(get u /models)" = 200 &&
	test "$(hq text audit-verdict)" = "Audit log: audit row 2 was changed: its hash does not match its contents" &&
	test "$(hq attr "p#audit-verdict" role)" = alert
'

test_expect_success PY 'an unknown model is 404' '
	test "$(get u /models/nosuch)" = 404 &&
	test "$(hq text error)" = "no model '\''nosuch'\''"
'

test_expect_success PY 'studies: the list' '
	test "$(get u /studies)" = 200 &&
	hq texts "table#studies tbody tr" >rows &&
	test "$(cat rows)" = "bc $(jq -r .metric tune.json) (max) 10 $(jq -r ".counts | \"\\(.complete) \\(.pruned) \\(.failed)\"" tune.json) $(printf "%.6g" $(jq -r .best.value tune.json))"
'

test_expect_success PY 'a study: history with the running best, pruned marked' '
	test "$(get u /studies/bc)" = 200 &&
	test "$(hq text study-name)" = bc &&
	complete=$(jq .counts.complete tune.json) &&
	pruned=$(jq .counts.pruned tune.json) &&
	test $pruned -gt 0 &&
	test "$(hq count "figure#history-chart g.series circle")" = $((complete + pruned)) &&
	test "$(hq count "figure#history-chart g.best polyline")" = 1 &&
	test "$(hq attr "figure#history-chart svg" data-x0)" = "" &&
	test "$(hq count "figure#history-chart g.pruned circle")" = $pruned &&
	hq text best >bestline &&
	test_grep "^trial $(jq .best.number tune.json): " bestline
'

test_expect_success PY 'a study: importance, one slice per parameter, trials' '
	test "$(get u /studies/bc)" = 200 &&
	test "$(hq count "figure#param-importance rect.bar")" = 2 &&
	test "$(hq count "figure#slice-0")" = 1 &&
	test "$(hq count "figure#slice-1")" = 1 &&
	test "$(hq count "figure#slice-2")" = 0 &&
	test "$(hq count "table#trials-table tbody tr")" = 10
'

test_expect_success PY 'an unknown study is 404' '
	test "$(get u /studies/nosuch)" = 404 &&
	hq text error >msg &&
	test_grep "no study '\''nosuch'\''" msg
'

test_expect_success 'stop the UI' '
	ui_stop u
'

test_done
