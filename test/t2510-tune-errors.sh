#!/bin/sh
# t2510-tune-errors: bad search spaces and settings are reported with
# file:line:column and the key; usage errors; unknown and changed studies

. "$(dirname "$0")/test-lib.sh"

SQ="'"

test_expect_success 'set up a project' '
	mmp init -q proj &&
	cat >proj/base.yaml <<-EOF
	task: binary_classification
	data:
	  source: $SRC_DIR/recipes/data/breast_cancer.csv
	  interface: {target_column: target}
	model:
	  params: {objective: "binary:logistic", max_depth: 3}
	  num_boost_round: 10
	EOF
'

# bad_space FILE-TAIL EXPECTED: the recipe made of base.yaml plus the
# given tune section fails with exactly the expected error lines
bad_space() {
	cp proj/base.yaml proj/r.yaml &&
	cat >>proj/r.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe r.yaml 2>../err) &&
	sed "s|^error: r.yaml|error: R|" err >actual &&
	test_cmp expect actual
}

test_expect_success 'low above high' '
	echo "error: R:10:33: tune.params.max_depth: low (9) is greater than high (2)" >expect &&
	bad_space <<-\EOF
	tune:
	  params:
	    max_depth: {type: int, low: 9, high: 2}
	EOF
'

test_expect_success 'log with low <= 0' '
	echo "error: R:10:40: tune.params.eta: log: true needs low > 0, got 0" >expect &&
	bad_space <<-\EOF
	tune:
	  params:
	    eta: {type: float, log: true, low: 0, high: 0.3}
	EOF
'

test_expect_success 'empty choices' '
	echo "error: R:10:28: tune.params.tree_method: ${SQ}choices${SQ} is empty: give at least one value" >expect &&
	bad_space <<-\EOF
	tune:
	  params:
	    tree_method: {choices: []}
	EOF
'

test_expect_success 'every problem is reported, each at its place' '
	cat >expect <<-EOF &&
	error: R:9:3: tune: unknown key ${SQ}trails${SQ}; did you mean ${SQ}trials${SQ}?
	error: R:11:11: tune.metric: metric ${SQ}rmse${SQ} is not computed for binary_classification
	error: R:10:13: tune.cv_folds: 1 fold cannot validate: use 0 (the recipe${SQ}s validation set) or at least 2
	error: R:13:5: tune.params.max_dept: unknown XGBoost parameter ${SQ}max_dept${SQ}; did you mean ${SQ}max_depth${SQ}?
	error: R:14:5: tune.params.eta: a type is required: int, float or categorical
	error: R:15:46: tune.params.subsample: expected a number between 0 and 1, got ${SQ}1.5${SQ}
	error: R:16:5: tune.params.objective: ${SQ}objective${SQ} cannot be searched; set it in model.params
	error: R:17:49: tune.params.gamma: high - low (1) is not a multiple of step (0.3)
	error: R:18:55: tune.params.lambda: log: true and a step cannot be combined (as in Optuna${SQ}s FloatDistribution)
	error: R:19:63: tune.params.max_bin: an int parameter with log: true needs step 1, got 2
	error: R:21:5: tune.params.reg_alpha: ${SQ}reg_alpha${SQ} is the same parameter as ${SQ}alpha${SQ}, searched already
	error: R:22:23: tune.params.booster: choice ${SQ}gbtree${SQ} is listed twice
	error: R:24:13: tune.params.max_leaves: high of an int parameter must be a whole number, got 2.5
	error: R:25:37: tune.params.colsample_bytree: ${SQ}choices${SQ} is only for categorical parameters
	error: R:25:5: tune.params.colsample_bytree: ${SQ}low${SQ} and ${SQ}high${SQ} are required
	EOF
	bad_space <<-\EOF
	tune:
	  trails: 5
	  cv_folds: 1
	  metric: rmse
	  params:
	    max_dept: {type: int, low: 2, high: 4}
	    eta: {low: 0.1, high: 0.2}
	    subsample: {type: float, low: 0.5, high: 1.5}
	    objective: [binary:logistic, binary:hinge]
	    gamma: {type: float, low: 0, high: 1, step: 0.3}
	    lambda: {type: float, low: 1, high: 2, log: true, step: 0.5}
	    max_bin: {type: int, low: 16, high: 256, log: true, step: 2}
	    alpha: {type: float, low: 0, high: 1}
	    reg_alpha: {type: float, low: 0, high: 1}
	    booster: [gbtree, gbtree]
	    max_leaves: {type: int, low: 0,
	      high: 2.5}
	    colsample_bytree: {type: float, choices: [0.5]}
	EOF
'

test_expect_success 'direction against the metric, values of the settings' '
	cat >expect <<-EOF &&
	error: R:10:11: tune.trials: expected an integer between 1 and 1000000, got ${SQ}0${SQ}
	error: R:11:12: tune.sampler: expected one of tpe, random, got ${SQ}grid${SQ}
	error: R:9:14: tune.direction: ${SQ}roc_auc${SQ} is maximized, not minimized
	EOF
	bad_space <<-\EOF
	tune:
	  direction: minimize
	  trials: 0
	  sampler: grid
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	EOF
'

test_expect_success 'mmp train checks the tune section too' '
	cp proj/r.yaml proj/t.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe t.yaml 2>../err) &&
	test_grep "tune.trials: expected an integer" err
'

test_expect_success 'pruner settings: types and ranges' '
	cat >expect <<-EOF &&
	error: R:9:11: tune.pruner: expected one of median, percentile, successive_halving, threshold, none, got ${SQ}hyperband${SQ}
	error: R:10:22: tune.pruner_percentile: expected a number between 0 and 100, got ${SQ}101${SQ}
	error: R:11:26: tune.pruner_startup_trials: expected an integer between 0 and 1000000, got ${SQ}-1${SQ}
	error: R:12:24: tune.pruner_warmup_steps: expected an integer between 0 and 100000000, got ${SQ}x${SQ}
	error: R:13:26: tune.pruner_interval_steps: expected an integer between 1 and 100000000, got ${SQ}0${SQ}
	error: R:14:28: tune.pruner_reduction_factor: expected an integer between 2 and 1000000, got ${SQ}1${SQ}
	error: R:15:35: tune.pruner_min_early_stopping_rate: expected an integer between 0 and 1000, got ${SQ}1.5${SQ}
	error: R:16:17: tune.pruner_lower: expected a number, got ${SQ}.nan${SQ}
	error: R:17:17: tune.pruner_upper: expected a number, got a list
	EOF
	bad_space <<-\EOF
	tune:
	  pruner: hyperband
	  pruner_percentile: 101
	  pruner_startup_trials: -1
	  pruner_warmup_steps: x
	  pruner_interval_steps: 0
	  pruner_reduction_factor: 1
	  pruner_min_early_stopping_rate: 1.5
	  pruner_lower: .nan
	  pruner_upper: [1]
	EOF
'

test_expect_success 'successive halving: min_resource is auto or a number' '
	cat >expect <<-EOF &&
	error: R:10:24: tune.pruner_min_resource: expected auto or a whole number of steps from 1 to 100000000, got ${SQ}0${SQ}
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: successive_halving
	  pruner_min_resource: 0
	EOF
	cat >expect <<-EOF &&
	error: R:10:24: tune.pruner_min_resource: expected auto or a whole number of steps from 1 to 100000000, got ${SQ}2.5${SQ}
	EOF
	bad_space <<-\EOF
	tune:
	  pruner: successive_halving
	  pruner_min_resource: 2.5
	EOF
'

test_expect_success 'a key of another pruner is refused, naming its pruner' '
	cat >expect <<-EOF &&
	error: R:10:3: tune.pruner_percentile: not a setting of the median pruner (it is for percentile)
	error: R:11:3: tune.pruner_lower: not a setting of the median pruner (it is for threshold)
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: median
	  pruner_percentile: 30
	  pruner_lower: 0
	EOF
	cat >expect <<-EOF &&
	error: R:11:3: tune.pruner_startup_trials: not a setting of the successive_halving pruner (it is for median, percentile)
	error: R:10:3: tune.pruner_warmup_steps: not a setting of the successive_halving pruner (it is for median, percentile, threshold)
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: successive_halving
	  pruner_warmup_steps: 3
	  pruner_startup_trials: 3
	EOF
	cat >expect <<-EOF &&
	error: R:12:3: tune.pruner_startup_trials: not a setting of the threshold pruner (it is for median, percentile)
	error: R:11:3: tune.pruner_min_resource: not a setting of the threshold pruner (it is for successive_halving)
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: threshold
	  pruner_upper: 1
	  pruner_min_resource: 3
	  pruner_startup_trials: 3
	EOF
	cat >expect <<-EOF &&
	error: R:9:3: tune.pruner_reduction_factor: not a setting of the median pruner (it is for successive_halving)
	EOF
	bad_space <<-\EOF
	tune:
	  pruner_reduction_factor: 3
	EOF
'

test_expect_success 'percentile needs its percentile, threshold a bound' '
	cat >expect <<-EOF &&
	error: R:9:11: tune.pruner: the percentile pruner needs tune.pruner_percentile (0-100)
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: percentile
	EOF
	cat >expect <<-EOF &&
	error: R:9:11: tune.pruner: the threshold pruner needs tune.pruner_lower, tune.pruner_upper or both
	EOF
	bad_space <<-\EOF &&
	tune:
	  pruner: threshold
	  pruner_warmup_steps: 2
	EOF
	cat >expect <<-EOF &&
	error: R:10:17: tune.pruner_lower: lower (2) is greater than upper (1.5)
	EOF
	bad_space <<-\EOF
	tune:
	  pruner: threshold
	  pruner_lower: 2
	  pruner_upper: 1.5
	EOF
'

test_expect_success SQLITE3 'a bad pruner setting stores nothing; none keeps the keys unused' '
	cp proj/base.yaml proj/n.yaml &&
	printf "tune:\n  trials: 2\n  pruner: none\n  pruner_percentile: 30\n  pruner_min_resource: 3\n  params:\n    max_depth: {type: int, low: 2, high: 3}\n" >>proj/n.yaml &&
	(cd proj && mmp tune --recipe n.yaml -q) &&
	before=$(sqlite3 proj/.mmp/mmp.db "SELECT count(*) FROM studies; SELECT count(*) FROM trials; SELECT count(*) FROM runs" | paste -sd" ") &&
	test "$before" = "1 2 3" &&
	sed "s/pruner: none/pruner: percentile/" proj/n.yaml >proj/n2.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe n2.yaml --study n 2>../err) &&
	test_grep "n2.yaml:12:3: tune.pruner_min_resource: not a setting of the percentile pruner" err &&
	after=$(sqlite3 proj/.mmp/mmp.db "SELECT count(*) FROM studies; SELECT count(*) FROM trials; SELECT count(*) FROM runs" | paste -sd" ") &&
	test "$before" = "$after"
'

test_expect_success 'an empty tune.params is an error, not the default space' '
	cp proj/base.yaml proj/e.yaml &&
	printf "tune:\n  trials: 3\n  params: {}\n" >>proj/e.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe e.yaml 2>../err) &&
	test_grep "e.yaml:10:3: tune.params: give at least one parameter to search, or leave tune.params out" err &&
	printf "tune: 3\n" >proj/s.yaml.tail && cat proj/base.yaml proj/s.yaml.tail >proj/s.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe s.yaml 2>../err) &&
	test_grep "s.yaml:.*tune" err
'

test_expect_success 'usage errors exit 129' '
	(cd proj && test_expect_code 129 mmp tune 2>../err) &&
	test_grep "error: --recipe is required" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe x.yaml --trials 0 2>../err) &&
	test_grep "trials must be at least 1" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe x.yaml --trials -2 2>../err) &&
	test_grep "trials must be at least 1" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe x.yaml --jobs 0 2>../err) &&
	test_grep "jobs must be at least 1" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe x.yaml --resume --trials 3 2>../err) &&
	test_grep "drop --trials" err &&
	(cd proj && test_expect_code 129 mmp tune --recipe x.yaml --bogus 2>../err) &&
	(cd proj && test_expect_code 129 mmp tune show 2>../err) &&
	test_grep "a study name is required" err &&
	(cd proj && test_expect_code 129 mmp tune show a b 2>../err) &&
	(cd proj && test_expect_code 129 mmp tune list x 2>../err)
'

test_expect_success 'a missing recipe' '
	(cd proj && test_expect_code 1 mmp tune --recipe nope.yaml 2>../err) &&
	test_grep "nope.yaml" err
'

test_expect_success 'good study, then show of unknown names suggests one' '
	cp proj/base.yaml proj/good.yaml &&
	cat >>proj/good.yaml <<-\EOF &&
	tune:
	  trials: 3
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	EOF
	(cd proj && mmp tune -q --recipe good.yaml >/dev/null) &&
	(cd proj && test_expect_code 1 mmp tune show goood 2>../err) &&
	echo "error: no study ${SQ}goood${SQ}; did you mean ${SQ}good${SQ}?" >expect &&
	test_cmp expect err &&
	(cd proj && test_expect_code 1 mmp tune show zzzzzzzzzz 2>../err) &&
	echo "error: no study ${SQ}zzzzzzzzzz${SQ}" >expect &&
	test_cmp expect err
'

test_expect_success '--resume of an unknown study' '
	(cd proj && test_expect_code 1 mmp tune --recipe good.yaml --study other --resume 2>../err) &&
	echo "error: no study ${SQ}other${SQ} to resume" >expect &&
	test_cmp expect err
'

test_expect_success 'a study cannot change its space or its data' '
	sed "s/high: 4/high: 5/" proj/good.yaml >proj/good2.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe good2.yaml --study good 2>../err) &&
	test_grep "study .good. was made with other settings, search space or recipe values" err &&
	head -100 "$SRC_DIR/recipes/data/breast_cancer.csv" >proj/small.csv &&
	sed "s|source: .*|source: small.csv|" proj/good.yaml >proj/good3.yaml &&
	(cd proj && test_expect_code 1 mmp tune --recipe good3.yaml --study good 2>../err) &&
	test_grep "study .good. was made on other data" err &&
	test "$(sql proj/.mmp/mmp.db "SELECT n_trials FROM studies WHERE name = \"good\"")" = 3
'

test_expect_success 'a trial XGBoost rejects ends FAIL; the study goes on' '
	cp proj/base.yaml proj/f.yaml &&
	cat >>proj/f.yaml <<-\EOF &&
	tune:
	  trials: 2
	  params:
	    max_depth: {type: int, low: 2, high: 3}
	    num_parallel_tree: [1]
	    updater: [no_such_updater]
	EOF
	(cd proj && mmp tune --recipe f.yaml --json >../f.json) &&
	test "$(json_get f.json ".counts.failed")" = 2 &&
	test "$(json_get f.json .best)" = null &&
	(cd proj && mmp tune show f --json >../fs.json) &&
	json_get fs.json ".trials[0].error" | grep -i "updater" &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE kind = \"trial\" AND status = \"FAILED\"")" = 2
'

test_done
