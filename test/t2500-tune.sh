#!/bin/sh
# t2500-tune: mmp tune end to end: the study and its trials in the store,
# child runs, show/list, extending a study, --retrain, the same params
# for --jobs 1 and 2, --jobs by default, and pruning of a bad region

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"

test_expect_success 'set up a project and a small search' '
	mmp init -q proj &&
	bc_tune_recipe bc tuning >proj/recipes/bc.yaml <<-\EOF
	    eta: 0.3
	  num_boost_round: 30
	  early_stopping_rounds: 5
	tune:
	  trials: 16
	  cv_folds: 3
	  seed: 3
	  pruner_startup_trials: 3
	  pruner_warmup_steps: 3
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	    min_child_weight: {type: float, low: 0.5, high: 1000, log: true}
	    subsample: {type: float, low: 0.6, high: 1.0, step: 0.1}
	    grow_policy: [depthwise, lossguide]
	EOF
'

DB=proj/.mmp/mmp.db

# same_num A B: two numbers equal to 12 decimals (SQLite prints 15 digits)
same_num() {
	awk -v a="$1" -v b="$2" "BEGIN { d = a - b; exit !(d < 1e-12 && d > -1e-12) }"
}

test_expect_success JQ 'a study runs its trials and reports the best' '
	(cd proj && mmp tune --recipe recipes/bc.yaml --json >../t1.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get t1.json .status)" = FINISHED &&
	test "$(json_get t1.json .study)" = bc &&
	test "$(json_get t1.json .metric)" = roc_auc &&
	test "$(json_get t1.json .direction)" = maximize &&
	test "$(json_get t1.json .created)" = true &&
	test "$(json_get t1.json ".counts | [.total, .target, .running] | @csv")" = "16,16,0" &&
	test "$(json_get t1.json ".counts.complete + .counts.pruned + .counts.failed")" = 16 &&
	test "$(json_get t1.json .session.trials)" = 16 &&
	cores=$(getconf _NPROCESSORS_ONLN) &&
	test "$(json_get t1.json .session.jobs)" = $((cores < 2 ? cores : 2)) &&
	json_get t1.json ".best.value > 0.95" | grep -x true &&
	test "$(json_get t1.json "[.best.params | keys_unsorted[]] | join(\",\")")" = \
		"max_depth,min_child_weight,subsample,grow_policy" &&
	json_get t1.json .run_id | grep -E "^[0-9a-f]{32}$"
'

test_expect_success SQLITE3,JQ 'the store holds the study, trials, params and steps' '
	test "$(sql $DB "SELECT name || \" \" || metric || \" \" || direction || \" \" || n_trials || \" \" || seed FROM studies")" = \
		"bc roc_auc maximize 16 3" &&
	test "$(sql $DB "SELECT count(*) FROM trials")" = 16 &&
	test "$(sql $DB "SELECT min(number) || \"-\" || max(number) FROM trials")" = 0-15 &&
	test "$(sql $DB "SELECT count(*) FROM trial_params")" = 64 &&
	test "$(sql $DB "SELECT count(*) FROM trials WHERE state = \"COMPLETE\" AND value IS NULL")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM trials WHERE state = \"PRUNED\" AND value IS NOT NULL")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM trial_params WHERE name = \"subsample\" AND CAST(value AS REAL) * 10 <> round(CAST(value AS REAL) * 10)")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM trial_params WHERE name = \"max_depth\" AND value NOT IN (\"2\", \"3\", \"4\")")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM trial_params WHERE name = \"grow_policy\" AND value NOT IN (\"depthwise\", \"lossguide\")")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM trial_values WHERE step >= 90")" = 0 &&
	test "$(sql $DB "SELECT count(DISTINCT number) FROM trial_values")" = 16
'

test_expect_success SQLITE3,JQ 'each trial is a child run of the session run' '
	parent=$(json_get t1.json .run_id) &&
	test "$(sql $DB "SELECT kind || \" \" || status || \" \" || name FROM runs WHERE run_uuid = \"$parent\"")" = \
		"tune FINISHED bc" &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE parent_run_id = \"$parent\" AND kind = \"trial\" AND status = \"FINISHED\"")" = 16 &&
	test "$(sql $DB "SELECT count(*) FROM tags WHERE key = \"mlflow.parentRunId\" AND value = \"$parent\"")" = 16 &&
	test "$(sql $DB "SELECT count(*) FROM trials t JOIN runs r ON r.run_uuid = t.run_uuid WHERE r.parent_run_id = \"$parent\"")" = 16 &&
	best=$(json_get t1.json .best.run_id) &&
	test "$(sql $DB "SELECT value FROM params WHERE run_uuid = \"$best\" AND key = \"max_depth\"")" = \
		"$(json_get t1.json .best.params.max_depth)" &&
	test "$(sql $DB "SELECT value FROM params WHERE run_uuid = \"$best\" AND key = \"eta\"")" = 0.3 &&
	same_num "$(sql $DB "SELECT value FROM latest_metrics WHERE run_uuid = \"$best\" AND key = \"roc_auc\"")" \
		"$(json_get t1.json .best.value)" &&
	test "$(sql $DB "SELECT value FROM tags WHERE run_uuid = \"$best\" AND key = \"mmp.tune.state\"")" = COMPLETE &&
	same_num "$(sql $DB "SELECT value FROM metrics WHERE run_uuid = \"$parent\" AND key = \"best_value\"")" \
		"$(json_get t1.json .best.value)" &&
	test "$(sql $DB "SELECT value FROM tags WHERE run_uuid = \"$parent\" AND key = \"mmp.tune.best_trial\"")" = \
		"$(json_get t1.json .best.number)"
'

test_expect_success JQ 'mmp runs sees the trials with --kind trial' '
	(cd proj && mmp runs list --kind trial --experiment tuning --filter "tags.mmp.tune.study = \"bc\" and attributes.status = \"FINISHED\"" --json >../runs.json) &&
	test "$(jq "[.runs[] | select(.kind == \"trial\")] | length" runs.json)" = 16 &&
	test "$(jq "[.runs[] | select(.kind != \"trial\")] | length" runs.json)" = 0 &&
	(cd proj && mmp runs list --experiment tuning --json >../runs.json) &&
	test "$(jq -r "[.runs[].kind] | unique | join(\",\")" runs.json)" = tune
'

test_expect_success JQ 'pruning stops the trials of the bad region early' '
	jq -r ".trials" t1.json >/dev/null &&
	(cd proj && mmp tune show bc --json >../show.json) &&
	jq -e "[.trials[] | select(.params.min_child_weight | tonumber > 100) | select(.number >= 7)] | length > 0" show.json &&
	jq -e "[.trials[] | select(.params.min_child_weight | tonumber > 100) | select(.number >= 7) | .state] | all(. == \"PRUNED\")" show.json &&
	jq -e "[.trials[] | select(.state == \"PRUNED\") | .value] | all(. == null)" show.json &&
	jq -e "[.trials[] | select(.state == \"PRUNED\") | .steps] | all(. < 30)" show.json
'

test_expect_success JQ 'show --json: the best, importance and the best value by trial' '
	test "$(json_get show.json .study)" = bc &&
	test "$(json_get show.json .best.number)" = "$(json_get t1.json .best.number)" &&
	test "$(json_get show.json ".trials | length")" = 16 &&
	test "$(json_get show.json ".best_by_trial | length")" = 16 &&
	test "$(json_get show.json ".best_by_trial[-1]")" = "$(json_get t1.json .best.value)" &&
	jq -e "[.best_by_trial[] | select(. != null)] as \$b | [range(1; \$b | length) | \$b[.] >= \$b[. - 1]] | all" show.json &&
	test "$(json_get show.json "[.importance[]] | add | . * 1000 | round")" = 1000 &&
	test "$(json_get show.json "[.importance | keys[]] | join(\",\")")" = \
		"grow_policy,max_depth,min_child_weight,subsample" &&
	json_get show.json .space | grep -x "  min_child_weight: float \[0.5, 1000\] log" &&
	json_get show.json .space | grep -x "  subsample: float \[0.6, 1\] step 0.1" &&
	json_get show.json .space | grep -x "validation: 3-fold cross-validation"
'

test_expect_success 'show prints the table, the best trial and a plot' '
	(cd proj && mmp tune show bc >../show.txt) &&
	test_grep "^study bc" show.txt &&
	test_grep "^trials: 16 of 16" show.txt &&
	test_grep "^best trial #" show.txt &&
	test_grep "^parameter importance" show.txt &&
	test_grep "^best roc_auc by trial:" show.txt &&
	test_grep "|\*" show.txt &&
	test "$(grep -c "COMPLETE\|PRUNED" show.txt)" = 16
'

test_expect_success JQ 'running again extends the study' '
	(cd proj && mmp tune --recipe recipes/bc.yaml --trials 4 --json >../t2.json) &&
	test "$(json_get t2.json .created)" = false &&
	test "$(json_get t2.json ".counts | [.total, .target] | @csv")" = "20,20" &&
	test "$(json_get t2.json .session.trials)" = 4 &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE kind = \"tune\"")" = 2 &&
	test "$(sql $DB "SELECT min(number) FROM trials t JOIN runs r ON r.run_uuid = t.run_uuid WHERE r.parent_run_id = \"$(json_get t2.json .run_id)\"")" = 16
'

test_expect_success JQ 'list shows every study' '
	(cd proj && mmp tune list --json >../list.json && mmp tune list >../list.txt) &&
	test "$(json_get list.json ".studies | length")" = 1 &&
	test "$(json_get list.json ".studies[0].counts.total")" = 20 &&
	test_grep "^bc .* 20 trials" list.txt
'

test_expect_success JQ '--jobs 2 gives the same trials as --jobs 1' '
	(cd proj && mmp tune --recipe recipes/bc.yaml --study j1 --jobs 1 --json >../j1.json &&
	 mmp tune --recipe recipes/bc.yaml --study j2 --jobs 2 --json >../j2.json) &&
	test "$(json_get j2.json .session.jobs)" = 2 &&
	test "$(json_get j2.json .session.threads_per_job)" -ge 1 &&
	(cd proj && mmp tune show j1 --json >../s1.json && mmp tune show j2 --json >../s2.json) &&
	jq -c "[.trials[] | [.number, .params]]" s1.json >p1 &&
	jq -c "[.trials[] | [.number, .params]]" s2.json >p2 &&
	test_cmp p1 p2 &&
	jq -c "[.trials[] | [.number, .state, .value]]" s1.json >v1 &&
	jq -c "[.trials[] | [.number, .state, .value]]" s2.json >v2 &&
	test_cmp v1 v2 &&
	jq -c "[.trials[] | [.number, .params]] | .[0:16]" show.json >p0 &&
	jq -c "[.trials[] | [.number, .params]] | .[0:16]" s1.json >p1b &&
	test_cmp p0 p1b
'

test_expect_success JQ 'without --jobs: a trial per thread on small data, at most W' '
	(cd proj && mmp tune --recipe recipes/bc.yaml --study d1 --trials 2 \
		--threads 1 --json >../d1.json &&
	 mmp tune --recipe recipes/bc.yaml --study d2 --trials 2 \
		--threads 2 --json >../d2.json &&
	 mmp tune --recipe recipes/bc.yaml --study d3 --trials 2 \
		--threads 3 --json >../d3.json) &&
	test "$(json_get d1.json "[.session.jobs, .session.threads_per_job] | @csv")" = "1,1" &&
	test "$(json_get d2.json "[.session.jobs, .session.threads_per_job] | @csv")" = "2,1" &&
	test "$(json_get d3.json "[.session.jobs, .session.threads_per_job] | @csv")" = "2,1"
'

test_expect_success JQ 'the random sampler and no pruner' '
	sed -e "s/^  seed: 3/  seed: 3\n  sampler: random\n  pruner: none/" proj/recipes/bc.yaml >proj/recipes/rnd.yaml &&
	(cd proj && mmp tune --recipe recipes/rnd.yaml --study rnd --trials 6 --json >../rnd.json) &&
	test "$(json_get rnd.json ".counts | [.complete, .pruned] | @csv")" = "6,0" &&
	(cd proj && mmp tune show rnd --json >../rs.json) &&
	test "$(json_get rs.json .sampler)" = random &&
	test "$(json_get rs.json .pruner)" = none
'

test_expect_success JQ 'the validation set instead of folds; minimising rmse' '
	cat >proj/recipes/reg.yaml <<-EOF &&
	task: regression
	data:
	  source: $SRC_DIR/recipes/data/diabetes.csv
	  interface: {target_column: target}
	model:
	  params: {objective: "reg:squarederror"}
	  num_boost_round: 20
	tune:
	  trials: 5
	  cv_folds: 0
	  params:
	    max_depth: {type: int, low: 1, high: 3}
	EOF
	(cd proj && mmp tune --recipe recipes/reg.yaml --json >../reg.json) &&
	test "$(json_get reg.json .study)" = reg &&
	test "$(json_get reg.json .metric)" = rmse &&
	test "$(json_get reg.json .direction)" = minimize &&
	(cd proj && mmp tune show reg --json >../regs.json) &&
	jq -e "[.trials[] | select(.state == \"COMPLETE\") | .value] | min == $(json_get reg.json .best.value)" regs.json &&
	json_get regs.json .space | grep -x "validation: the recipe.s validation set"
'

test_expect_success JQ '--retrain trains and records the best params' '
	(cd proj && mmp tune --recipe recipes/reg.yaml --trials 1 --retrain --json >../rt.json) &&
	id=$(json_get rt.json .retrain_run_id) &&
	echo "$id" | grep -E "^[0-9a-f]{32}$" &&
	test "$(sql $DB "SELECT kind || \" \" || status || \" \" || name FROM runs WHERE run_uuid = \"$id\"")" = \
		"train FINISHED reg-best" &&
	test "$(sql $DB "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"max_depth\"")" = \
		"$(json_get rt.json .best.params.max_depth)" &&
	test "$(sql $DB "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.tune.study\"")" = reg &&
	test "$(sql $DB "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.tune.trial\"")" = \
		"$(json_get rt.json .best.number)"
'

test_expect_success 'human output names the study and the best trial' '
	(cd proj && mmp tune --recipe recipes/reg.yaml --trials 1 >../h.txt) &&
	test_grep "^study .reg.: 7 trials" h.txt &&
	test_grep "^best trial #[0-9]*: rmse " h.txt &&
	test_grep "^  max_depth = [123]$" h.txt
'

test_expect_success '--progress draws trials, the best value and the ETA' '
	(cd proj && mmp tune --recipe recipes/bc.yaml --study prog --trials 12 --progress >/dev/null 2>../perr) &&
	tr "\r" "\n" <perr >plines &&
	test_grep "^.*tuning: trials [0-9]*/12" plines &&
	test_grep "best 0\.[0-9]* .#[0-9]*." plines &&
	test_grep "eta [0-9]*s" plines &&
	(cd proj && mmp tune --recipe recipes/bc.yaml --study prog --trials 2 >/dev/null 2>../perr2) &&
	test_must_be_empty perr2
'

test_done
