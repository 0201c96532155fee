#!/bin/sh
# t2120-source-urls: a URL that is not a source mmp reads (https://,
# s3://) is refused by name, never taken for a relative path: its
# credentials are never shown, stored or kept in a recorded run

. "$(dirname "$0")/test-lib.sh"

DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER
HTTPS='https://bob:HttpSecret1@127.0.0.1:1/x.csv'
S3='s3://AKIDEXAMPLE:S3Secret2@bucket/x.csv'

runs_count() {
	sql "$DB" "SELECT count(*) FROM runs"
}

test_expect_success SQLITE3 'setup: a model to score with' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=3 --json >../t.json) &&
	mmp register -q "$(json_get t.json .run_id)" --name bc &&
	mmp alias bc champ 1 >/dev/null &&
	runs_count >runs.before
'

test_expect_success SQLITE3 'a recipe with an https:// or s3:// source is invalid' '
	for url in "$HTTPS" "$S3"
	do
		sed "s#data/breast_cancer.csv#\"$url\"#" \
			proj/recipes/breast-cancer.yaml >proj/recipes/url.yaml &&
		(cd proj && test_expect_code 1 mmp train \
			--recipe recipes/url.yaml 2>../err) &&
		test_grep "^error: recipes/url.yaml:9:[0-9]+: data.source: .(https://bob@127.0.0.1:1/x.csv|s3://AKIDEXAMPLE@bucket/x.csv).: mmp does not read (https|s3):// locations" err || return 1
	done &&
	runs_count >runs.after &&
	test_cmp runs.before runs.after
'

test_expect_success SQLITE3 'train --data with a URL: refused, no run recorded' '
	(cd proj && test_expect_code 1 mmp train \
		--recipe recipes/breast-cancer.yaml --data "$HTTPS" 2>../err) &&
	echo "error: '\''https://bob@127.0.0.1:1/x.csv'\'': mmp does not read https:// locations; give a file path, sqlite:<path> or postgresql://..." >expect &&
	test_cmp expect err &&
	runs_count >runs.after &&
	test_cmp runs.before runs.after
'

test_expect_success 'batch-inference refuses a URL input or output by name' '
	test_expect_code 1 mmp batch-inference --model bc@champ \
		--input "$HTTPS" --output out.csv 2>err &&
	test_grep "^error: .https://bob@127.0.0.1:1/x.csv.: mmp does not read https://" err &&
	test_expect_code 1 mmp batch-inference --model bc@champ \
		--input proj/recipes/data/breast_cancer.csv --output "$S3" 2>err &&
	test_grep "^error: .s3://AKIDEXAMPLE@bucket/x.csv.: mmp does not read s3://" err &&
	! test -e out.csv
'

test_expect_success 'a file that cannot be opened is named without credentials' '
	test_expect_code 1 mmp monitor bc@champ --input "$HTTPS" 2>err &&
	test_grep "cannot open .https://bob@127.0.0.1:1/x.csv.: No such file" err
'

test_expect_success SQLITE3 'the credentials are nowhere in the store or the output' '
	! grep -r "HttpSecret1\|S3Secret2" proj/.mmp &&
	sql "$DB" ".dump" >dump &&
	! grep "HttpSecret1\|S3Secret2" dump err
'

test_done
