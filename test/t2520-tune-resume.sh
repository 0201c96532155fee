#!/bin/sh
# t2520-tune-resume: a study killed with SIGKILL or stopped with SIGINT
# and then resumed ends with exactly the trials of one never interrupted

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"

test_expect_success 'set up a project and a reference study' '
	mmp init -q proj &&
	bc_tune_recipe slow >proj/recipes/slow.yaml <<-\EOF &&
	  num_boost_round: 80
	tune:
	  trials: 24
	  cv_folds: 3
	  seed: 11
	  pruner_startup_trials: 4
	  params:
	    max_depth: {type: int, low: 3, high: 8}
	    eta: {type: float, low: 0.01, high: 0.3, log: true}
	    colsample_bytree: {type: float, low: 0.5, high: 1, step: 0.25}
	EOF
	mmp -C proj tune -q --recipe recipes/slow.yaml --study ref --threads 1 >/dev/null &&
	mmp -C proj tune show ref --json >ref.json &&
	test "$(json_get ref.json .counts.total)" = 24
'

DB=proj/.mmp/mmp.db

# finished STUDY: how many of its trials are over
finished() {
	sql $DB "SELECT count(*) FROM trials t JOIN studies s USING (study_id) WHERE s.name = \"$1\" AND t.state <> \"RUNNING\""
}

# wait_finished STUDY N: until N trials of STUDY are over (10 s at most)
wait_finished() {
	i=0
	while test "$(finished "$1")" -lt "$2"
	do
		i=$((i + 1))
		test $i -lt 500 || return 1
		sleep 0.02
	done
}

# same_trials STUDY: its trials equal the reference study's
same_trials() {
	mmp -C proj tune show "$1" --json >got.json &&
	jq -c "[.trials[] | [.number, .state, .params, .value]]" ref.json >expect &&
	jq -c "[.trials[] | [.number, .state, .params, .value]]" got.json >actual &&
	test_cmp expect actual
}

test_expect_success SQLITE3,JQ 'kill -9 in the middle, then --resume' '
	mmp -C proj tune -q --recipe recipes/slow.yaml --study k --threads 1 >/dev/null 2>&1 &
	pid=$! &&
	wait_finished k 6 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	test "$(finished k)" -lt 24 &&
	running=$(sql $DB "SELECT count(*) FROM trials WHERE state = \"RUNNING\"") &&
	echo $running >running &&
	mmp -C proj tune --recipe recipes/slow.yaml --study k --resume --threads 1 --json >res.json &&
	test "$(json_get res.json .status)" = FINISHED &&
	test "$(json_get res.json .session.retried)" = "$running" &&
	test "$(json_get res.json ".counts | [.total, .running] | @csv")" = "24,0" &&
	same_trials k &&
	test "$(jq "[.trials[] | select(.attempts == 2)] | length" got.json)" = "$running"
'

test_expect_success SQLITE3 'the killed session and its trial runs are marked failed' '
	running=$(cat running) &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE status = \"RUNNING\"")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE kind = \"tune\" AND status = \"FAILED\"")" = 1 &&
	test "$(sql $DB "SELECT count(*) FROM runs r JOIN tags t USING (run_uuid) WHERE r.kind = \"trial\" AND r.status = \"FAILED\" AND t.key = \"mmp.tune.study\" AND t.value = \"k\"")" = "$running"
'

test_expect_success SQLITE3,JQ 'SIGINT stops with 130; --resume finishes the same trials' '
	mmp -C proj tune --recipe recipes/slow.yaml --study int --threads 1 --json >int.json 2>interr &
	pid=$! &&
	wait_finished int 4 &&
	kill -INT $pid &&
	{ wait $pid; echo $? >code; } &&
	test "$(cat code)" = 130 &&
	test "$(json_get int.json .status)" = KILLED &&
	test_grep "continue with: mmp tune --recipe recipes/slow.yaml --study int --resume" interr &&
	parent=$(json_get int.json .run_id) &&
	test "$(sql $DB "SELECT status FROM runs WHERE run_uuid = \"$parent\"")" = KILLED &&
	test "$(sql $DB "SELECT count(*) FROM trials t JOIN studies s USING (study_id) WHERE s.name = \"int\" AND t.state = \"RUNNING\"")" = 0 &&
	mmp -C proj tune --recipe recipes/slow.yaml --study int --resume --threads 1 --json >res2.json &&
	test "$(json_get res2.json .counts.total)" = 24 &&
	same_trials int
'

test_expect_success JQ '--resume of a finished study runs nothing' '
	mmp -C proj tune --recipe recipes/slow.yaml --study ref --resume --json >none.json &&
	test "$(json_get none.json .session.trials)" = 0 &&
	test "$(json_get none.json .counts.total)" = 24
'

test_expect_success SQLITE3,JQ 'a dead trial with two workers: --jobs 2 resumes it the same' '
	mmp -C proj tune -q --recipe recipes/slow.yaml --study k2 --jobs 2 >/dev/null 2>&1 &
	pid=$! &&
	wait_finished k2 5 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	mmp -C proj tune --recipe recipes/slow.yaml --study k2 --resume --jobs 2 --json >res3.json &&
	test "$(json_get res3.json .counts.total)" = 24 &&
	same_trials k2
'

test_done
