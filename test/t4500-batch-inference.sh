#!/bin/sh
# t4500-batch-inference: predictions equal to the library's and serve-api's,
# columns by name, unseen categories, pipes, chunking and threads

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'build binary, multiclass and regression models' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mkmodel train flowers "$F/flowers.csv" multiclass species \
		--entity id --cat colour &&
	mkmodel train houses "$F/houses.csv" regression price
'

test_expect_success JQ 'jsonl probabilities equal mmp_model_predict bit for bit' '
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output churn.jsonl --format jsonl --proba -q &&
	test_line_count = 300 churn.jsonl &&
	jq -s "{predictions: .}" churn.jsonl >resp.json &&
	mkmodel compare churn "$F/churn.csv" resp.json &&
	mmp batch-inference --model-dir flowers --input "$F/flowers.csv" \
		--output flowers.jsonl --format jsonl --proba -q &&
	jq -s "{predictions: .}" flowers.jsonl >resp.json &&
	mkmodel compare flowers "$F/flowers.csv" resp.json &&
	mmp batch-inference --model-dir houses --input "$F/houses.csv" \
		--output houses.jsonl --format jsonl -q &&
	jq -s "{predictions: .}" houses.jsonl >resp.json &&
	mkmodel compare houses "$F/houses.csv" resp.json
'

test_expect_success JQ 'the same rows through serve-api give the same text' '
	for m in churn flowers houses
	do
		serve_start $m --model-dir $m --log-file $m.log || return 1
	done &&
	mkmodel records "$F/churn.csv" --drop churned >churn.req &&
	test "$(post churn /predict @churn.req)" = 200 &&
	jq -c ".predictions[]" out >expect &&
	test_cmp expect churn.jsonl &&
	mkmodel records "$F/flowers.csv" --drop species >flowers.req &&
	test "$(post flowers /predict @flowers.req)" = 200 &&
	jq -c ".predictions[] | .id |= tostring" out >expect &&
	test_cmp expect flowers.jsonl &&
	mkmodel records "$F/houses.csv" --drop price >houses.req &&
	test "$(post houses /predict @houses.req)" = 200 &&
	jq -c ".predictions[]" out >expect &&
	test_cmp expect houses.jsonl &&
	serve_stop churn && serve_stop flowers && serve_stop houses
'

test_expect_success JQ 'csv output: header, entity, label, probabilities' '
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output churn.csv --proba -q &&
	echo "customer_id,prediction,no,yes" >expect &&
	jq -r "[.customer_id, .prediction, .probabilities.no,
		.probabilities.yes] | map(tostring) | join(\",\")" \
		churn.jsonl >>expect &&
	test_cmp expect churn.csv &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output plain.csv -q &&
	cut -d, -f1,2 churn.csv >expect &&
	test_cmp expect plain.csv
'

test_expect_success 'regression csv: the predicted value, no entity' '
	mmp batch-inference --model-dir houses --input "$F/houses.csv" \
		--output houses.csv -q &&
	{ echo prediction && sed "s/.*:\(.*\)}/\1/" houses.jsonl; } >expect &&
	test_cmp expect houses.csv
'

test_expect_success 'columns are matched by name, extra columns ignored' '
	awk -F, -v OFS=, "{ print \$5, \$3, \$6, \$1, \$4, \$2, \"x\" NR }" \
		"$F/churn.csv" >shuffled.csv &&
	head -n 1 shuffled.csv >hdr &&
	echo "region,charges,churned,customer_id,plan,tenure,x1" >expect &&
	test_cmp expect hdr &&
	mmp batch-inference --model-dir churn --input shuffled.csv \
		--output shuffled.out --proba -q &&
	test_cmp churn.csv shuffled.out
'

test_expect_success 'the target column is optional' '
	cut -d, -f1-5 "$F/churn.csv" >notarget.csv &&
	mmp batch-inference --model-dir churn --input notarget.csv \
		--output notarget.out --proba -q &&
	test_cmp churn.csv notarget.out
'

test_expect_success 'an entity column missing from a file is left out' '
	cut -d, -f2-6 "$F/churn.csv" >noid.csv &&
	mmp batch-inference --model-dir churn --input noid.csv \
		--output noid.out --proba -q &&
	cut -d, -f2- churn.csv >expect &&
	test_cmp expect noid.out
'

test_expect_success 'standard input to standard output' '
	cat "$F/churn.csv" | mmp batch-inference --model-dir churn \
		--input - --output - --proba -q >piped.csv &&
	test_cmp churn.csv piped.csv &&
	mmp batch-inference --model-dir churn --input - --output - \
		--format jsonl --proba -q <"$F/churn.csv" >piped.jsonl &&
	test_cmp churn.jsonl piped.jsonl
'

test_expect_success 'reading standard input, entity columns are required' '
	test_must_fail mmp batch-inference --model-dir churn --input - \
		--output - <noid.csv >out 2>err &&
	test_grep "<stdin>: unknown column .customer_id." err &&
	test_must_be_empty out
'

test_expect_success JQ 'unseen categories are missing values, counted per feature' '
	awk -F, -v OFS=, "NR >= 2 && NR <= 11 { \$4 = \"enterprise\" }
		NR >= 12 && NR <= 14 { \$5 = \"atlantis\" } { print }" \
		"$F/churn.csv" >unseen.csv &&
	test "$(grep -c enterprise unseen.csv)" = 10 &&
	mmp batch-inference --model-dir churn --input unseen.csv \
		--output unseen.jsonl --format jsonl --proba --json >sum.json &&
	test "$(json_get sum.json .unseen_categories.total)" = 13 &&
	test "$(json_get sum.json .unseen_categories.features.plan)" = 10 &&
	test "$(json_get sum.json .unseen_categories.features.region)" = 3 &&
	jq -s "{predictions: .}" unseen.jsonl >resp.json &&
	mkmodel compare churn unseen.csv resp.json &&
	mmp batch-inference --model-dir churn --input unseen.csv \
		--output unseen.csv.out 2>err &&
	test_grep "unseen categories in .plan.: 10" err
'

test_expect_success 'an input many times --chunk-rows gives the same output' '
	for t in 1 2 3
	do
		mmp batch-inference --model-dir churn --input "$F/churn.csv" \
			--output chunked$t.csv --proba --chunk-rows 7 \
			--threads $t -q &&
		test_cmp churn.csv chunked$t.csv || return 1
	done &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output one.csv --proba --chunk-rows 1 --threads 2 -q &&
	test_cmp churn.csv one.csv
'

test_expect_success JQ 'a large input in small chunks: every row, in order' '
	{
		head -n 1 "$F/churn.csv" &&
		i=0 &&
		while test $i -lt 200
		do
			sed 1d "$F/churn.csv" | sed "s/^C\([0-9]*\),/C\1-$i,/"
			i=$((i + 1))
		done
	} >big.csv &&
	test_line_count = 60001 big.csv &&
	mmp batch-inference --model-dir churn --input big.csv \
		--output big.out --chunk-rows 500 --threads 3 --json >sum.json &&
	test "$(json_get sum.json .rows.in)" = 60000 &&
	test "$(json_get sum.json .rows.out)" = 60000 &&
	test_line_count = 60001 big.out &&
	cut -d, -f1 big.csv | sed 1d >ids &&
	cut -d, -f1 big.out | sed 1d >out.ids &&
	test_cmp ids out.ids &&
	mmp batch-inference --model-dir churn --input big.csv \
		--output big1.out --chunk-rows 100000 --threads 1 -q &&
	test_cmp big1.out big.out
'

test_expect_success NOT_SANITIZED 'memory is bounded by the chunk size' '
	test -x /usr/bin/time || { echo "no /usr/bin/time" >&2; return 0; }
	head -n 6001 big.csv >small.csv &&
	for i in 1 2 3 4 5 6 7 8
	do
		sed 1d big.csv || return 1
	done >huge.body &&
	{ head -n 1 big.csv && cat huge.body; } >huge.csv &&
	test_line_count = 480001 huge.csv &&
	/usr/bin/time -f %M -o small.kb mmp batch-inference --model-dir churn \
		--input small.csv --output small.out --chunk-rows 1000 \
		--threads 2 -q &&
	/usr/bin/time -f %M -o huge.kb mmp batch-inference --model-dir churn \
		--input huge.csv --output huge.out --chunk-rows 1000 \
		--threads 2 -q &&
	test_line_count = 480001 huge.out &&
	small=$(tail -n 1 small.kb) && huge=$(tail -n 1 huge.kb) &&
	echo "peak RSS: $small kB for 6000 rows, $huge kB for 480000" &&
	test "$huge" -lt $((small + 8192))
'

test_expect_success 'multiclass csv: the label and one column per class' '
	mmp batch-inference --model-dir flowers --input "$F/flowers.csv" \
		--output flowers.csv --proba -q &&
	head -n 1 flowers.csv >hdr &&
	echo "id,prediction,setosa,versicolor,virginica" >expect &&
	test_cmp expect hdr &&
	test_line_count = 241 flowers.csv
'

test_done
