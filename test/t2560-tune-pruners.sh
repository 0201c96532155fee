#!/bin/sh
# t2560-tune-pruners: studies with the percentile, successive halving
# and threshold pruners end to end: the pruner and its settings stored
# on the study and shown, the trials' stored states and steps those
# Optuna's pruners decide on the same curves, a resumed study keeping
# its pruner, and a store of the previous schema upgraded with its
# studies kept

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"

SQ="'"

if /usr/bin/python3 -c 'import optuna, numpy' >/dev/null 2>&1; then
	test_set_prereq OPTUNA
fi

# recipe NAME: the search every study here runs, one trial at a time
# (max_parallel 1, so each trial's pruner sees every older trial, as
# Optuna's sequential study does), with the tune lines from stdin
recipe() {
	bc_tune_recipe "$1" >proj/recipes/$1.yaml <<-\EOF &&
	  num_boost_round: 40
	tune:
	  trials: 14
	  cv_folds: 0
	  seed: 2
	  max_parallel: 1
	  params:
	    max_depth: {type: int, low: 1, high: 4}
	    eta: {type: float, low: 0.005, high: 0.5, log: true}
	    min_child_weight: {type: float, low: 0.5, high: 50, log: true}
	EOF
	sed "s/^/  /" >>proj/recipes/$1.yaml
}

test_expect_success 'set up the studies' '
	mmp init -q proj &&
	recipe pct <<-\EOF &&
	pruner: percentile
	pruner_percentile: 25
	pruner_startup_trials: 2
	pruner_warmup_steps: 3
	pruner_interval_steps: 2
	EOF
	recipe sha <<-\EOF &&
	pruner: successive_halving
	pruner_min_resource: 2
	pruner_reduction_factor: 3
	EOF
	recipe shauto <<-\EOF &&
	pruner: successive_halving
	EOF
	recipe thr <<-\EOF
	pruner: threshold
	pruner_upper: 0.45
	pruner_warmup_steps: 5
	EOF
'

DB=proj/.mmp/mmp.db

# curves STUDY: the stored steps of each trial, a line each ("-" for a
# step not stored), and each trial's state and last stored step
curves() {
	sql $DB "SELECT v.number, v.step, v.value FROM trial_values v
		JOIN studies s USING (study_id) WHERE s.name = \"$1\"
		ORDER BY v.number, v.step" >rows &&
	/usr/bin/python3 -c "
import sys
c = {}
for line in open(\"rows\"):
    n, s, v = line.strip().split(\"|\")
    c.setdefault(int(n), {})[int(s)] = v
for n in sorted(c):
    print(\" \".join(c[n].get(s, \"-\") for s in range(max(c[n]) + 1)))
" >curves &&
	sql $DB "SELECT t.number || \" \" || t.state || \" \" || max(v.step)
		FROM trials t JOIN studies s USING (study_id)
		JOIN trial_values v USING (study_id, number)
		WHERE s.name = \"$1\" GROUP BY t.number
		ORDER BY t.number" >stored
}

test_expect_success JQ 'percentile: a study runs, its pruner is stored and shown' '
	mmp -C proj tune --recipe recipes/pct.yaml --json >pct.json &&
	test "$(json_get pct.json .status)" = FINISHED &&
	test "$(json_get pct.json ".counts.complete + .counts.pruned")" = 14 &&
	test "$(json_get pct.json .counts.pruned)" -ge 2 &&
	mmp -C proj tune show pct --json >show.json &&
	test "$(json_get show.json .pruner)" = percentile &&
	json_get show.json .space | grep -x "pruner: percentile 25 (startup 2, warmup 3, interval 2)"
'

test_expect_success SQLITE3 'the study row names its pruner' '
	sql $DB "SELECT pruner FROM studies WHERE name = \"pct\"" >actual &&
	echo percentile >expect &&
	test_cmp expect actual
'

test_expect_success JQ 'successive halving: the settings, auto resolved' '
	mmp -C proj tune --recipe recipes/sha.yaml --json >sha.json &&
	test "$(json_get sha.json .counts.pruned)" -ge 2 &&
	mmp -C proj tune show sha --json >show.json &&
	test "$(json_get show.json .pruner)" = successive_halving &&
	json_get show.json .space | grep -x "pruner: successive_halving (min_resource 2, reduction_factor 3, min_early_stopping_rate 0)" &&
	mmp -C proj tune --recipe recipes/shauto.yaml --trials 3 -q &&
	mmp -C proj tune show shauto --json >show.json &&
	json_get show.json .space | grep -x "pruner: successive_halving (min_resource 1, reduction_factor 4, min_early_stopping_rate 0)"
'

test_expect_success SQLITE3,JQ 'threshold: the settings; a pruned trial left the bound' '
	mmp -C proj tune --recipe recipes/thr.yaml --json >thr.json &&
	test "$(json_get thr.json .counts.pruned)" -ge 1 &&
	test "$(json_get thr.json .counts.complete)" -ge 1 &&
	mmp -C proj tune show thr --json >show.json &&
	test "$(json_get show.json .pruner)" = threshold &&
	json_get show.json .space | grep -x "pruner: threshold (upper 0.45, warmup 5, interval 1)" &&
	curves thr &&
	grep PRUNED stored | while read n state last
	do
		test $last -ge 5 &&
		sed -n "$((n + 1))p" curves | awk "{ exit !(\$NF > 0.45) }" ||
		return 1
	done
'

test_expect_success OPTUNA,SQLITE3 'percentile: the stored fates are Optuna'"'"'s' '
	curves pct &&
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/optuna-prune.py" percentile \
		percentile=25 startup=2 warmup=3 interval=2 <curves >optuna &&
	test_cmp optuna stored
'

test_expect_success OPTUNA,SQLITE3 'successive halving: the stored fates are Optuna'"'"'s' '
	curves sha &&
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/optuna-prune.py" \
		successive_halving min_resource=2 reduction_factor=3 \
		<curves >optuna &&
	test_cmp optuna stored
'

test_expect_success OPTUNA,SQLITE3 'threshold: the stored fates are Optuna'"'"'s' '
	curves thr &&
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/optuna-prune.py" threshold \
		upper=0.45 warmup=5 <curves >optuna &&
	test_cmp optuna stored
'

test_expect_success JQ 'a study keeps its pruner: another one is refused' '
	sed "s/pruner_reduction_factor: 3/pruner_reduction_factor: 2/" \
		proj/recipes/sha.yaml >proj/recipes/sha2.yaml &&
	mmp -C proj tune show sha --json >before.json &&
	test_expect_code 1 mmp -C proj tune --recipe recipes/sha2.yaml \
		--study sha --trials 2 2>err &&
	grep "study ${SQ}sha${SQ} was made with other settings" err &&
	mmp -C proj tune show sha --json >after.json &&
	test_cmp before.json after.json
'

test_expect_success JQ 'the same pruner resumes: trials 14 and on' '
	mmp -C proj tune --recipe recipes/sha.yaml --trials 2 --json >more.json &&
	test "$(json_get more.json .counts.total)" = 16
'

# a store of schema 9, whose studies.pruner allowed median or none only
test_expect_success SQLITE3,JQ 'a store of the previous schema is upgraded, its studies kept' '
	mmp init -q old &&
	bc_tune_recipe old >old/recipes/old.yaml <<-\EOF &&
	  num_boost_round: 10
	tune:
	  trials: 3
	  cv_folds: 0
	  params:
	    max_depth: {type: int, low: 1, high: 4}
	EOF
	mmp -C old tune --recipe recipes/old.yaml -q &&
	mmp -C old tune show old --json >before.json &&
	sql old/.mmp/mmp.db "
		PRAGMA foreign_keys = OFF;
		BEGIN;
		CREATE TABLE s9 AS SELECT * FROM studies;
		DROP TABLE studies;
		CREATE TABLE studies (
		  study_id INTEGER PRIMARY KEY,
		  name TEXT NOT NULL UNIQUE,
		  recipe_path TEXT NOT NULL,
		  recipe_name TEXT NOT NULL,
		  metric TEXT NOT NULL,
		  direction TEXT NOT NULL
		    CHECK (direction IN (\"minimize\", \"maximize\")),
		  sampler TEXT NOT NULL CHECK (sampler IN (\"tpe\", \"random\")),
		  pruner TEXT NOT NULL CHECK (pruner IN (\"median\", \"none\")),
		  seed INTEGER NOT NULL,
		  max_parallel INTEGER NOT NULL CHECK (max_parallel >= 1),
		  n_trials INTEGER NOT NULL CHECK (n_trials >= 0),
		  space TEXT NOT NULL,
		  dataset_digest TEXT NOT NULL,
		  creation_time INTEGER NOT NULL,
		  last_update_time INTEGER NOT NULL);
		INSERT INTO studies SELECT * FROM s9;
		DROP TABLE s9;
		PRAGMA user_version = 9;
		COMMIT;" &&
	test_must_fail sql old/.mmp/mmp.db "UPDATE studies SET pruner = \"threshold\"" &&
	mmp -C old tune show old --json >after.json &&
	test_cmp before.json after.json &&
	test "$(sql old/.mmp/mmp.db "PRAGMA user_version")" = 10 &&
	test "$(sql old/.mmp/mmp.db "SELECT count(*) FROM trials")" = 3 &&
	test "$(sql old/.mmp/mmp.db "PRAGMA foreign_key_check")" = "" &&
	cp proj/recipes/thr.yaml old/recipes/thr.yaml &&
	mmp -C old tune --recipe recipes/thr.yaml --trials 2 -q &&
	test "$(sql old/.mmp/mmp.db "SELECT pruner FROM studies ORDER BY study_id" | paste -sd" ")" = "median threshold" &&
	mmp -C old tune --recipe recipes/old.yaml --trials 1 --json >old.json &&
	test "$(json_get old.json .counts.total)" = 4
'

test_done
