#!/bin/sh
# t2530-tune-defaults: a recipe without tune.params searches the default
# space, printed first; --seed and --set

. "$(dirname "$0")/test-lib.sh"

# the params section of a space text, or of stderr, one "name: range" a line
space_params() {
	sed -n "/params/,\$p" "$1" | grep -E "^ +[a-z_]+: " | sed "s/^ *//"
}

test_expect_success 'set up a project with the bundled recipes' '
	mmp init -q proj &&
	! grep -q "^tune:" proj/recipes/breast-cancer.yaml
'

test_expect_success JQ 'no tune section: the default space, printed first' '
	(cd proj && mmp tune --recipe recipes/breast-cancer.yaml --trials 3 \
		--seed 7 --set model.num_boost_round=5 --no-progress \
		>../out 2>../err) &&
	head -n 1 err | grep -x "the recipe has no tune.params: searching mmp.s default space (see mmp-tune(1))" &&
	space_params err >got &&
	cat >want <<-\EOF &&
	max_depth: int [3, 10]
	eta: float [0.01, 0.3] log
	subsample: float [0.5, 1]
	colsample_bytree: float [0.5, 1]
	min_child_weight: float [0.1, 10] log
	lambda: float [0.001, 10] log
	alpha: float [0.001, 10] log
	gamma: float [0.001, 5] log
	EOF
	test_cmp want got &&
	grep "^study .breast-cancer.: 3 trials" out
'

test_expect_success JQ 'every trial drew every parameter inside its range' '
	(cd proj && mmp tune show breast-cancer --json >../show.json) &&
	test "$(json_get show.json .seed)" = 7 &&
	test "$(json_get show.json ".trials | length")" = 3 &&
	json_get show.json ".trials[] | .params | keys | join(\",\")" | sort -u >keys &&
	echo "alpha,colsample_bytree,eta,gamma,lambda,max_depth,min_child_weight,subsample" >want &&
	test_cmp want keys &&
	json_get show.json "[.trials[].params | (.max_depth | tonumber) as \$d |
		(\$d >= 3 and \$d <= 10 and (\$d | floor) == \$d) and
		((.eta | tonumber) >= 0.01 and (.eta | tonumber) <= 0.3) and
		((.subsample | tonumber) >= 0.5 and (.subsample | tonumber) <= 1) and
		((.colsample_bytree | tonumber) >= 0.5 and (.colsample_bytree | tonumber) <= 1) and
		((.min_child_weight | tonumber) >= 0.1 and (.min_child_weight | tonumber) <= 10) and
		((.lambda | tonumber) >= 0.001 and (.lambda | tonumber) <= 10) and
		((.alpha | tonumber) >= 0.001 and (.alpha | tonumber) <= 10) and
		((.gamma | tonumber) >= 0.001 and (.gamma | tonumber) <= 5)] | all" | grep -x true &&
	json_get show.json .space | grep "^rounds: 5," &&
	json_get show.json .space | grep "^seed: 7$"
'

test_expect_success JQ '--seed: the same seed draws the same params, another does not' '
	(cd proj &&
	 mmp tune --recipe recipes/breast-cancer.yaml --study s7 --trials 2 \
		--seed 7 --set model.num_boost_round=5 -q >/dev/null 2>&1 &&
	 mmp tune --recipe recipes/breast-cancer.yaml --study s8 --trials 2 \
		--seed 8 --set model.num_boost_round=5 -q >/dev/null 2>&1 &&
	 mmp tune show s7 --json >../s7.json && mmp tune show s8 --json >../s8.json) &&
	test "$(json_get s7.json ".trials[0].params")" = "$(json_get show.json ".trials[0].params")" &&
	test "$(json_get s7.json ".trials[1].params")" = "$(json_get show.json ".trials[1].params")" &&
	test "$(json_get s8.json ".trials[0].params")" != "$(json_get s7.json ".trials[0].params")" &&
	test "$(json_get s8.json .seed)" = 8
'

test_expect_success JQ '--set reaches the tune section and the model' '
	cat >proj/recipes/t.yaml <<-\EOF &&
	name: t
	task: binary_classification
	data:
	  source: data/breast_cancer.csv
	  interface: {target_column: target}
	model:
	  num_boost_round: 50
	tune:
	  trials: 9
	  cv_folds: 0
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	EOF
	(cd proj && mmp tune --recipe recipes/t.yaml --set tune.trials=2 \
		--set model.num_boost_round=4 --no-progress >../t.out 2>../err) &&
	test_must_be_empty err &&
	(cd proj && mmp tune show t --json >../ts.json) &&
	test "$(json_get ts.json .counts.target)" = 2 &&
	test "$(json_get ts.json .counts.complete)" = 2 &&
	json_get ts.json .space | grep "^rounds: 4,"
'

test_expect_success 'the ranges follow the task' '
	(cd proj && mmp tune --recipe "$SRC_DIR/recipes/penguins.yaml" --trials 1 \
		--set model.num_boost_round=3 --no-progress >/dev/null 2>../err) &&
	grep -x "  max_depth: int \[3, 8\]" err &&
	grep -x "  min_child_weight: float \[0.1, 10\] log" err &&
	(cd proj && mmp tune --recipe "$SRC_DIR/recipes/diabetes.yaml" --trials 1 \
		--set model.num_boost_round=3 --no-progress >/dev/null 2>../err) &&
	grep -x "  max_depth: int \[3, 10\]" err &&
	grep -x "  min_child_weight: float \[1, 30\] log" err
'

test_expect_success '-q and --json do not print the space' '
	(cd proj && mmp tune --recipe recipes/breast-cancer.yaml --study q \
		--trials 1 --set model.num_boost_round=3 --json >../q.json 2>../err) &&
	! grep "default space" err
'

test_expect_success 'bad --seed and --set are refused, nothing recorded' '
	(cd proj && test_expect_code 129 mmp tune --recipe recipes/breast-cancer.yaml \
		--seed -3 2>../err) &&
	grep "seed must not be negative" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe recipes/breast-cancer.yaml \
		--seed x 2>../err) &&
	(cd proj && test_expect_code 1 mmp tune --recipe recipes/breast-cancer.yaml \
		--study bad --set tune.trials=abc 2>../err) &&
	grep "tune.trials" err &&
	(cd proj && test_must_fail mmp tune show bad 2>/dev/null)
'

test_expect_success JQ 'the README tune commands and the example recipe work' '
	cp "$SRC_DIR/recipes/diabetes-tune.yaml" proj/recipes/ &&
	cp "$SRC_DIR/recipes/data/diabetes.csv" proj/recipes/data/ &&
	grep "^mmp tune --recipe recipes/breast-cancer.yaml --trials 20 --seed 7$" "$SRC_DIR/README.md" &&
	grep "^mmp tune show breast-cancer$" "$SRC_DIR/README.md" &&
	grep "^mmp tune --recipe ../recipes/diabetes-tune.yaml --set tune.trials=10 --retrain$" "$SRC_DIR/README.md" &&
	(cd proj &&
	 mmp tune --recipe recipes/breast-cancer.yaml --study readme --trials 2 \
		--seed 7 --set model.num_boost_round=5 -q >/dev/null 2>&1 &&
	 mmp tune show readme >../readme.out &&
	 mmp tune --recipe recipes/diabetes-tune.yaml --set tune.trials=2 \
		--set model.num_boost_round=10 --retrain --json >../dt.json) &&
	grep "readme" readme.out &&
	test "$(json_get dt.json .counts.target)" = 2 &&
	json_get dt.json .retrain_run_id | grep -E "^[0-9a-f]{32}$"
'

test_expect_success JQ 'each --retrain gets a name of its own' '
	(cd proj && mmp tune --recipe recipes/diabetes-tune.yaml --trials 1 \
		--set model.num_boost_round=10 --retrain --json >../dt2.json &&
	 mmp runs show diabetes-tune-best --json >../b1.json &&
	 mmp runs show diabetes-tune-best-2 --json >../b2.json) &&
	test "$(json_get b1.json .run.run_id)" = "$(json_get dt.json .retrain_run_id)" &&
	test "$(json_get b2.json .run.run_id)" = "$(json_get dt2.json .retrain_run_id)"
'

test_expect_success JQ,SQLITE3 'an eval_metric list: each trial records it as one param' '
	(cd proj && mmp tune --recipe recipes/breast-cancer.yaml --study evals \
		--trials 2 --seed 7 --set model.num_boost_round=5 \
		--set "model.params.eval_metric=[auc, logloss]" \
		--json >../ev.json 2>../err) &&
	test "$(json_get ev.json .counts.complete)" = 2 &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM params p JOIN runs r
		ON r.run_uuid = p.run_uuid WHERE r.name LIKE \"evals-trial-%\"
		AND p.key = \"eval_metric\" AND p.value = \"auc,logloss\"")" = 2
'

# the retrain is the configuration that won: the session's --set
# options, then the best trial's parameters
test_expect_success JQ,SQLITE3 '--retrain trains the recipe the trials ran' '
	(cd proj && mmp tune --recipe recipes/breast-cancer.yaml --study sets \
		--trials 2 --seed 7 --set model.num_boost_round=5 \
		--set model.early_stopping_rounds=2 \
		--set "model.params.eval_metric=[auc, logloss]" --retrain \
		--json >../sets.json 2>../err) &&
	id=$(json_get sets.json .retrain_run_id) &&
	param() { sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"$1\""; } &&
	test "$(param num_boost_round)" = 5 &&
	test "$(param early_stopping_rounds)" = 2 &&
	test "$(param eval_metric)" = auc,logloss &&
	(cd proj && mmp tune show sets --json >../sets-show.json) &&
	best=$(json_get sets-show.json .best.number) &&
	json_get sets-show.json ".trials[] | select(.number == $best) | .params | to_entries[] | \"\(.key)=\(.value)\"" >drawn &&
	test_line_count = 8 drawn &&
	while IFS== read -r k v
	do
		test "$(param $k)" = "$v" || return 1
	done <drawn
'

test_expect_success JQ 'a time split with random folds: a warning, also in --json' '
	awk "BEGIN { FS = OFS = \",\" } NR == 1 { print \"ts\", \$0; next }
		{ print NR - 1, \$0 }" proj/recipes/data/breast_cancer.csv \
		>proj/recipes/data/bc-ts.csv &&
	(cd proj &&
	 mmp tune --recipe recipes/breast-cancer.yaml --study tw --trials 2 \
		--set data.source=data/bc-ts.csv \
		--set data.interface.timestamp_column=ts \
		--set data.split.method=time --set data.split.stratify=false \
		--set model.num_boost_round=5 --no-progress --json \
		>../tw.json 2>../tw.err) &&
	grep -x "warning: tune.cv_folds deals the train and validation rows into folds at random, not by time: .*(set tune.cv_folds: 0 to choose on the validation rows)" tw.err &&
	test "$(json_get tw.json ".warnings | length")" = 1 &&
	json_get tw.json ".warnings[0]" | grep "^tune.cv_folds deals" &&
	(cd proj &&
	 mmp tune --recipe recipes/breast-cancer.yaml --study tw0 --trials 2 \
		--set data.source=data/bc-ts.csv \
		--set data.interface.timestamp_column=ts \
		--set data.split.method=time --set data.split.stratify=false \
		--set model.num_boost_round=5 --set tune.cv_folds=0 \
		--no-progress --json >../tw0.json 2>../tw0.err) &&
	! grep "^warning:" tw0.err &&
	test "$(json_get tw0.json ".warnings | length")" = 0 &&
	(cd proj && mmp tune --recipe recipes/breast-cancer.yaml --study rw \
		--trials 2 --set model.num_boost_round=5 --no-progress \
		--json >../rw.json 2>../rw.err) &&
	! grep "^warning:" rw.err &&
	test "$(json_get rw.json ".warnings | length")" = 0
'

test_done
