#!/bin/sh
# t2540-tune-reuse: tuning builds each fold's XGBoost matrices once per
# session and reuses them across trials (one quantised matrix per
# max_bin); the trials' values and curves are those recorded when every
# trial built its own, and a pruned trial stops at the round the pruner
# decides, recording exactly the rounds it ran; threads handed between
# trials (--jobs 2 on 3 threads) change no value

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"

if /usr/bin/python3 -c 'import sqlite3' >/dev/null 2>&1; then
	test_set_prereq PY3
fi

test_expect_success 'set up three searches' '
	mmp init -q proj &&
	cp "$SRC_DIR/recipes/data/penguins.csv" proj/recipes/data/ &&
	bc_tune_recipe folds >proj/recipes/folds.yaml <<-\EOF &&
	  num_boost_round: 20
	  early_stopping_rounds: 5
	tune:
	  trials: 10
	  cv_folds: 3
	  seed: 11
	  pruner_startup_trials: 3
	  pruner_warmup_steps: 4
	  params:
	    max_depth: {type: int, low: 2, high: 6}
	    eta: {type: float, low: 0.05, high: 0.5, log: true}
	    subsample: {type: float, low: 0.5, high: 1.0}
	    max_bin: [16, 64, 256]
	EOF
	cat >proj/recipes/cats.yaml <<-\EOF &&
	name: cats
	task: multiclass_classification
	data:
	  source: data/penguins.csv
	  interface:
	    target_column: species
	    feature_columns: [island, bill_length_mm, bill_depth_mm,
	                      flipper_length_mm, body_mass_g, sex, year]
	  split: {test_size: 0.25, seed: 7, stratify: true}
	model:
	  params:
	    objective: multi:softprob
	    eval_metric: mlogloss
	    tree_method: hist
	    max_cat_to_onehot: 4
	  num_boost_round: 20
	  early_stopping_rounds: 5
	tune:
	  trials: 8
	  cv_folds: 0
	  metric: logloss
	  seed: 4
	  params:
	    max_depth: {type: int, low: 2, high: 5}
	    eta: {type: float, low: 0.05, high: 0.5, log: true}
	    colsample_bytree: {type: float, low: 0.5, high: 1.0}
	EOF
	bc_tune_recipe prune >proj/recipes/prune.yaml <<-\EOF &&
	  num_boost_round: 40
	tune:
	  trials: 14
	  cv_folds: 0
	  seed: 2
	  pruner_startup_trials: 2
	  pruner_warmup_steps: 3
	  params:
	    max_depth: {type: int, low: 1, high: 4}
	    eta: {type: float, low: 0.005, high: 0.5, log: true}
	    min_child_weight: {type: float, low: 0.5, high: 50, log: true}
	EOF
	true
'

DB=proj/.mmp/mmp.db

# each trial: study, number, state, value, the count and the sum of its
# recorded steps, values to 16 digits
trials_of() {
	sql $DB "SELECT s.name || \" \" || t.number || \" \" || t.state ||
		\" \" || ifnull(printf(\"%.17g\", t.value), \"-\") || \" \" ||
		(SELECT count(*) FROM trial_values v WHERE
		 v.study_id = t.study_id AND v.number = t.number) || \" \" ||
		(SELECT printf(\"%.17g\", sum(v.value)) FROM trial_values v
		 WHERE v.study_id = t.study_id AND v.number = t.number)
		FROM trials t JOIN studies s USING (study_id)
		WHERE s.name = \"$1\" ORDER BY t.number"
}

test_expect_success SQLITE3 'k folds, max_bin searched: the recorded trials' '
	(cd proj && mmp tune --recipe recipes/folds.yaml -q) &&
	cat >expect <<-\EOF &&
	folds 0 COMPLETE 0.9866772193641999 60 10.29696391973747
	folds 1 COMPLETE 0.986961922349734 58 11.68724600270968
	folds 2 COMPLETE 0.9865519060809919 60 11.38813802025635
	folds 3 COMPLETE 0.9833300356153541 60 20.44474187092196
	folds 4 PRUNED 0 5 2.174243482123864
	folds 5 PRUNED 0 5 2.829874839241567
	folds 6 COMPLETE 0.9921910038253528 59 9.185671931625426
	folds 7 COMPLETE 0.9864436310073428 60 10.75258268310911
	folds 8 PRUNED 0 5 2.589542195789123
	folds 9 PRUNED 0 5 2.502664733285966
	EOF
	trials_of folds >actual &&
	test_cmp expect actual
'

test_expect_success SQLITE3 'categorical features, multiclass: the recorded trials' '
	(cd proj && mmp tune --recipe recipes/cats.yaml -q) &&
	cat >expect <<-\EOF &&
	cats 0 COMPLETE 0.1797024669489241 20 8.722746345572748
	cats 1 COMPLETE 0.05773694765256989 20 5.655088610553109
	cats 2 COMPLETE 0.02729903604183953 20 3.6607283359089
	cats 3 COMPLETE 0.02076887513625395 20 2.835953468452386
	cats 4 COMPLETE 0.04871630223086003 20 4.640345726923371
	cats 5 COMPLETE 0.1548436409516204 20 8.307305868428487
	cats 6 COMPLETE 0.01920940762674122 20 2.050005337729369
	cats 7 COMPLETE 0.03781028549850586 20 4.241664281634327
	EOF
	trials_of cats >actual &&
	test_cmp expect actual
'

test_expect_success SQLITE3 'the holdout with pruning: the recorded trials' '
	(cd proj && mmp tune --recipe recipes/prune.yaml -q) &&
	cat >expect <<-\EOF &&
	prune 0 COMPLETE 0.9202786377708978 40 23.29422125711545
	prune 1 COMPLETE 0.9912280701754385 40 9.081523553007741
	prune 2 COMPLETE 0.9932920536635706 40 5.221792018008953
	prune 3 PRUNED 0 4 2.720876814244867
	prune 4 PRUNED 0 4 2.626081681513524
	prune 5 PRUNED 0 4 2.205135048090756
	prune 6 PRUNED 0 4 2.206531483720947
	prune 7 PRUNED 0 4 2.061262891842768
	prune 8 PRUNED 0 4 2.573520535296136
	prune 9 PRUNED 0 4 2.707637616566249
	prune 10 COMPLETE 0.9917440660474716 40 5.939920246580636
	prune 11 COMPLETE 0.9932920536635706 40 5.274052208058432
	prune 12 COMPLETE 0.9922600619195046 40 5.796031524958139
	prune 13 COMPLETE 0.9938080495356037 40 4.796482801496544
	EOF
	trials_of prune >actual &&
	test_cmp expect actual
'

test_expect_success SQLITE3 '--jobs 2 shares the matrices and gives the same trials' '
	(cd proj && mmp tune --recipe recipes/folds.yaml --study folds2 \
		--jobs 2 -q) &&
	trials_of folds2 | sed "s/^folds2 /folds /" >actual &&
	trials_of folds >expect &&
	test_cmp expect actual
'

test_expect_success SQLITE3,JQ '--jobs 2 on 3 threads gives the same trials' '
	(cd proj && mmp tune --recipe recipes/prune.yaml --study prune3 \
		--jobs 2 --threads 3 --json >../prune3.json) &&
	test "$(json_get prune3.json .session.jobs)" = 2 &&
	test "$(json_get prune3.json .session.threads_per_job)" = 1 &&
	trials_of prune3 | sed "s/^prune3 /prune /" >actual &&
	trials_of prune >expect &&
	test_cmp expect actual
'

# prune-check DB STUDY WARMUP STARTUP: every pruned trial recorded the
# steps 0..s without a gap, where s is the first step from WARMUP on at
# which its best value so far (lowest logloss) was worse than the median
# of the complete trials it could see (those numbered below it by the
# default max_parallel of 2 at least; STARTUP of them at least);
# complete trials never met that
cat >prune-check.py <<-\EOF
import sqlite3, statistics, sys
db, study, warmup, startup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
sid = c.execute("SELECT study_id FROM studies WHERE name = ?", (study,)).fetchone()[0]
trials = c.execute("SELECT number, state FROM trials WHERE study_id = ? ORDER BY number", (sid,)).fetchall()
steps = {}
for n, s, v in c.execute("SELECT number, step, value FROM trial_values WHERE study_id = ?", (sid,)):
    steps.setdefault(n, {})[s] = v
def first_prune(n):
    done = [m for m, st in trials if m < n - 1 and st == "COMPLETE"]
    if len(done) < startup:
        return None
    best = None
    for s in sorted(steps[n]):
        v = steps[n][s]
        best = v if best is None else min(best, v)
        at = [steps[m][s] for m in done if s in steps[m]]
        if s >= warmup and at and best > statistics.median(at):
            return s
    return None
pruned = 0
for n, state in trials:
    s = first_prune(n)
    if state == "PRUNED":
        pruned += 1
        assert s is not None, "trial %d: pruned without cause" % n
        assert sorted(steps[n]) == list(range(s + 1)), \
            "trial %d: steps %s, pruned at %d" % (n, sorted(steps[n]), s)
    else:
        assert s is None, "trial %d: complete, but prunable at %d" % (n, s)
print(pruned)
EOF

test_expect_success SQLITE3,PY3 'pruned trials stop at the round the pruner decides' '
	/usr/bin/python3 prune-check.py $DB prune 3 2 >pruned &&
	test "$(cat pruned)" -ge 3 &&
	/usr/bin/python3 prune-check.py $DB folds 4 3 >pruned &&
	test "$(cat pruned)" -ge 2
'

test_expect_success SQLITE3 'a pruned trial run records the rounds it ran' '
	sql $DB "SELECT t.number || \" \" || (SELECT count(*) FROM metrics m
		WHERE m.run_uuid = t.run_uuid AND m.key = \"valid-logloss\")
		FROM trials t JOIN studies s USING (study_id)
		WHERE s.name = \"prune\" AND t.state = \"PRUNED\"
		ORDER BY t.number" >actual &&
	sql $DB "SELECT t.number || \" \" || count(*) FROM trial_values v
		JOIN trials t USING (study_id, number)
		JOIN studies s USING (study_id)
		WHERE s.name = \"prune\" AND t.state = \"PRUNED\"
		GROUP BY t.number ORDER BY t.number" >expect &&
	test_cmp expect actual &&
	test $(wc -l <actual) -ge 3
'

test_done
