#!/bin/sh
# t4530-batch-keep: batch-inference --keep copies named input columns
# (plain, features, the target, quoted text) beside the prediction, in
# csv and jsonl; unknown, repeated and clashing names are errors

. "$(dirname "$0")/test-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'setup: a model, and an input with extra columns' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	awk -F, -v OFS=, "NR == 1 { print \$0, \"segment\", \"note\"; next }
		{ print \$0, \"s\" NR % 3, \"\\\"n, \" NR \"\\\"\" }" \
		"$F/churn.csv" >in.csv &&
	mmp batch-inference --model-dir churn --input in.csv \
		--output plain.csv --proba -q
'

test_expect_success 'kept columns sit between the entity and the prediction' '
	mmp batch-inference --model-dir churn --input in.csv \
		--output kept.csv --proba --keep segment,tenure,note -q &&
	echo "customer_id,segment,tenure,note,prediction,no,yes" >expect &&
	head -n 1 kept.csv >actual &&
	test_cmp expect actual &&
	awk -F, -v OFS=, "NR > 1 { print \$2, \$3, \$4 }" plain.csv >p.txt &&
	sed 1d kept.csv | sed "s/^[^,]*,[^,]*,[^,]*,\"[^\"]*\",//" >k.txt &&
	test_cmp p.txt k.txt &&
	sed -n 2p kept.csv | grep "^C1000,s2,32,\"n, 2\",yes," &&
	test_line_count = 301 kept.csv
'

test_expect_success 'the kept text is the input text: numbers are not reformatted' '
	sed "s/^\(C1000\),32,/\1,032.0,/" in.csv >odd.csv &&
	mmp batch-inference --model-dir churn --input odd.csv \
		--output odd.out --keep tenure -q &&
	sed -n 2p odd.out | grep "^C1000,032.0,yes$"
'

test_expect_success JQ 'jsonl: kept columns are strings beside the entity' '
	mmp batch-inference --model-dir churn --input in.csv \
		--output kept.jsonl --format jsonl --keep note,churned -q &&
	head -n 1 kept.jsonl >line &&
	test "$(jq -c "keys_unsorted" line)" = \
		"[\"customer_id\",\"note\",\"churned\",\"prediction\"]" &&
	test "$(jq -r .note line)" = "n, 2" &&
	test "$(jq -r .churned line)" = yes &&
	test "$(jq -s "length" kept.jsonl)" = 300
'

test_expect_success 'keeping the target while evaluating, and an entity once' '
	mmp batch-inference --model-dir churn --input in.csv \
		--output ev.csv --evaluate --keep churned,customer_id -q &&
	head -n 1 ev.csv >actual &&
	echo "customer_id,churned,prediction" >expect &&
	test_cmp expect actual &&
	sed 1d ev.csv | cut -d, -f2 >got &&
	sed 1d "$F/churn.csv" | cut -d, -f6 >want &&
	test_cmp want got
'

test_expect_success 'from standard input too' '
	mmp batch-inference --model-dir churn --input - \
		--output stdin.csv --proba --keep segment,tenure,note -q <in.csv &&
	test_cmp kept.csv stdin.csv
'

test_expect_success SQLITE3,JQ 'a recorded run lists the kept columns' '
	mmp init -q proj &&
	mmp -C proj batch-inference --model-dir ../churn --input ../in.csv \
		--output ../rec.csv --keep segment,note --json >rec.json &&
	id=$(json_get rec.json .run_id) &&
	test "$(sqlite3 proj/.mmp/mmp.db "SELECT value FROM params
		WHERE run_uuid = '\''$id'\'' AND key = '\''keep'\''")" = segment,note
'

test_expect_success 'an unknown column fails naming the input, nothing written' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep segmnt 2>err &&
	test_grep "^error: in.csv: unknown column .segmnt.; did you mean .segment.?" err &&
	! test -e bad.csv &&
	cp plain.csv old.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output old.csv --keep zzz_nothing_like 2>err &&
	test_grep "^error: in.csv: unknown column .zzz_nothing_like.$" err &&
	test_cmp plain.csv old.csv
'

test_expect_success 'repeated, clashing and empty names are refused' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep note,note 2>err &&
	test_grep "^error: column .note. is kept twice" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep prediction 2>err &&
	test_grep "^error: cannot keep column .prediction.: the output has a column of that name" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --proba --keep yes 2>err &&
	test_grep "cannot keep column .yes." err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep yes 2>err &&
	test_grep "unknown column .yes." err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep note,,tenure 2>err &&
	test_grep "keep takes column names separated by commas" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input in.csv --output bad.csv --keep "" 2>err &&
	! test -e bad.csv
'

test_done
