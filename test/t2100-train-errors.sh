#!/bin/sh
# t2100-train-errors: every bad input of mmp train gives a clear error
# naming the file, line and field; failed runs are recorded, killed runs
# are cleaned up, and nothing stored before is lost

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'set up a project with one good run' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml >../good) &&
	cd proj &&
	cat >r.yaml <<-\EOF &&
	task: binary_classification
	data:
	  source: d.csv
	  interface:
	    target_column: y
	model:
	  params: {objective: "binary:logistic", max_depth: 2, seed: 3}
	  num_boost_round: 5
	EOF
	printf "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n11,12,1\n13,14,0\n15,16,1\n17,18,0\n19,20,1\n" >d.csv
'

runs() { sql proj/.mmp/mmp.db "SELECT count(*) FROM runs"; }
# train_fails FILE.csv: the run is recorded FAILED, exit 1, no artifacts
train_fails() {
	(cd proj && test_expect_code 1 mmp train --recipe r.yaml --data "$1" --json >../out.json 2>../err) &&
	test "$(json_get out.json .status)" = FAILED &&
	id=$(json_get out.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs WHERE run_uuid = \"$id\"")" = FAILED &&
	sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.error\"" >tag &&
	test -s tag &&
	! test -e proj/.mmp/artifacts/1/$id &&
	test -z "$(ls proj/.mmp/tmp 2>/dev/null)"
}

test_expect_success SQLITE3,JQ 'the minimal recipe trains' '
	(cd proj && mmp train --recipe r.yaml --json >../ok.json) &&
	test "$(json_get ok.json .status)" = FINISHED
'

test_expect_success SQLITE3 'malformed YAML: file:line:column, no run recorded' '
	before=$(runs) &&
	printf "task: [binary\nmodel: {\n" >proj/bad.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe bad.yaml 2>../err) &&
	test_grep "^error: bad.yaml:[0-9]+:[0-9]+: " err &&
	test "$(runs)" = "$before"
'

test_expect_success SQLITE3 'an unknown key gets a did-you-mean; every problem is listed' '
	before=$(runs) &&
	sed -e "s/^model:/modle:/" -e "s/test_size/test_sise/" proj/recipes/breast-cancer.yaml >proj/typo.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe typo.yaml 2>../err) &&
	test_grep "^error: typo.yaml:[0-9]+:1: unknown key .modle.; did you mean .model.\?" err &&
	test_grep "^error: typo.yaml:[0-9]+:[0-9]+: data.split: unknown key .test_sise.; did you mean .test_size.\?" err &&
	test "$(runs)" = "$before"
'

test_expect_success 'a wrong type names the key path' '
	sed "s/test_size: 0.2/test_size: lots/" proj/recipes/breast-cancer.yaml >proj/type.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe type.yaml 2>../err) &&
	test_grep "type.yaml:[0-9]+:[0-9]+: data.split.test_size: " err
'

test_expect_success 'an unknown XGBoost parameter is an error (XGBoost ignores it)' '
	sed "s/max_depth: 4/max_dpth: 4/" proj/recipes/breast-cancer.yaml >proj/param.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe param.yaml 2>../err) &&
	test_grep "param.yaml:[0-9]+:[0-9]+: model.params: unknown XGBoost parameter .max_dpth.; did you mean .max_depth.\?" err
'

test_expect_success 'a bad --set names the override' '
	(cd proj && test_expect_code 1 mmp train --recipe r.yaml \
		--set model.num_boost_round=many 2>../err) &&
	test_grep "--set model.num_boost_round=many" err
'

test_expect_success 'a missing recipe file' '
	(cd proj && test_expect_code 1 mmp train --recipe nope.yaml 2>../err) &&
	test_grep "nope.yaml" err
'

test_expect_success 'a missing --recipe is a usage error' '
	(cd proj && test_expect_code 129 mmp train 2>../err) &&
	test_grep "recipe is required" err
'

test_expect_success SQLITE3,JQ 'a ragged row names the file and line' '
	printf "a,b,y\n1,2,0\n3,4\n5,6,1\n" >proj/ragged.csv &&
	train_fails ragged.csv &&
	test_grep "ragged.csv:3: expected 3 fields, got 2" err &&
	test_grep "ragged.csv:3: expected 3 fields, got 2" tag
'

test_expect_success SQLITE3,JQ 'a non-numeric value in a numeric column names line and column' '
	awk "BEGIN { print \"a,b,y\"; for (i = 1; i <= 10000; i++) print i \",\" i \",\" i % 2;
		print \"x7,7,1\" }" >proj/text.csv &&
	train_fails text.csv &&
	test_grep "text.csv:10002:1: column .a.: expected a number, got .x7." err
'

test_expect_success SQLITE3,JQ 'inf or a value beyond float range names line and column' '
	printf "a,b,y\n1,2,0\n3,inf,1\n5,6,0\n7,8,1\n" >proj/inf.csv &&
	train_fails inf.csv &&
	test_grep "inf.csv:3:2: column .b.: .inf. is out of range \(a number is at most 3.40282347e\+38 in magnitude\)" err &&
	test_grep "inf.csv:3:2: column .b.: .inf. is out of range" tag &&
	printf "a,b,y\n1,2,0\n3,4,1\n-1e39,6,0\n7,8,1\n" >proj/big.csv &&
	train_fails big.csv &&
	test_grep "big.csv:4:1: column .a.: .-1e39. is out of range" err
'

test_expect_success SQLITE3,JQ 'a missing target value names the line' '
	printf "a,b,y\n1,2,0\n3,4,\n5,6,1\n7,8,0\n" >proj/notarget.csv &&
	train_fails notarget.csv &&
	test_grep "notarget.csv:3.*target.*y" err
'

test_expect_success SQLITE3,JQ 'an unknown column in the recipe is named, with a suggestion, and no run is recorded' '
	printf "a,b,yy\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n" >proj/cols.csv &&
	before=$(runs) &&
	(cd proj && test_expect_code 1 mmp train --recipe r.yaml --data cols.csv 2>../err) &&
	test_grep "cols.csv: unknown column .y. \(data.interface.target_column\); did you mean .yy.\?" err &&
	test "$(runs)" = "$before"
'

test_expect_success SQLITE3,JQ 'an empty file and a header without rows' '
	: >proj/empty.csv &&
	train_fails empty.csv &&
	test_grep "empty.csv: file is empty" err &&
	printf "a,b,y\n" >proj/header.csv &&
	train_fails header.csv &&
	test_grep "header.csv" err
'

test_expect_success SQLITE3,JQ 'a missing data file' '
	train_fails missing.csv &&
	test_grep "missing.csv" err
'

test_expect_success SQLITE3,JQ 'a binary task with three classes' '
	printf "a,b,y\n1,2,0\n3,4,1\n5,6,2\n7,8,0\n9,9,1\n" >proj/three.csv &&
	train_fails three.csv &&
	test_grep "binary_classification needs 2 classes in column .y., found 3: .0., .1., .2." err
'

test_expect_success SQLITE3 'the earlier runs are all still there' '
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs WHERE run_uuid = \"$(cat good)\"")" = FINISHED &&
	test -f proj/.mmp/artifacts/1/$(cat good)/artifacts/model/model.ubj
'

# a data set that takes seconds to train, to stop it half-way
test_expect_success 'set up a slow training' '
	awk "BEGIN { srand(7); print \"a,b,c,d,e,f,y\";
		for (i = 0; i < 60000; i++) {
			a = rand(); b = rand(); c = rand(); d = rand();
			printf \"%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n\", a, b, c, d,
				rand(), rand(), (a + b * c + rand() * 0.5 > 0.9) }
	}" >proj/slow.csv &&
	cat >proj/slow.yaml <<-\EOF
	task: binary_classification
	data:
	  source: slow.csv
	  interface: {target_column: y}
	model:
	  params: {objective: "binary:logistic", max_depth: 8, eta: 0.01, seed: 1}
	  num_boost_round: 100000
	EOF
'

# wait_running: until the store shows a RUNNING run (at most 30 s)
wait_running() {
	n=0
	while test $n -lt 300; do
		id=$(sql proj/.mmp/mmp.db "SELECT run_uuid FROM runs WHERE status = \"RUNNING\"")
		test -n "$id" && test -d proj/.mmp/tmp -o $n -gt 20 && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

test_expect_success SQLITE3 'SIGTERM stops training: KILLED, exit 130, no artifacts' '
	(cd proj && exec mmp train --recipe slow.yaml --threads 1 >../out 2>../err) &
	pid=$! &&
	wait_running &&
	sleep 0.5 &&
	kill -TERM $pid &&
	test_expect_code 130 wait $pid &&
	test_grep "was interrupted" err &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs WHERE run_uuid = \"$id\"")" = KILLED &&
	! test -e proj/.mmp/artifacts/1/$id &&
	test -z "$(ls proj/.mmp/tmp 2>/dev/null)"
'

test_expect_success SQLITE3 'kill -9: the next command marks the run FAILED' '
	(cd proj && exec mmp train --recipe slow.yaml --threads 1 >/dev/null 2>&1) &
	pid=$! &&
	wait_running &&
	kill -KILL $pid &&
	wait $pid;
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs WHERE run_uuid = \"$id\"")" = RUNNING &&
	(cd proj && mmp runs list >../list) &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs WHERE run_uuid = \"$id\"")" = FAILED &&
	sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.error\"" | grep "died" &&
	! test -e proj/.mmp/artifacts/1/$id &&
	test -z "$(ls proj/.mmp/tmp 2>/dev/null)"
'

test_done
