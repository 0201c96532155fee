#!/bin/sh
# t4510-batch-errors: bad rows in both --on-error modes, missing columns,
# the atomic output, interruption and usage errors of mmp batch-inference

. "$(dirname "$0")/test-lib.sh"

F="$FIXTURES/serve"

# wait_sigint_handler PID: until the process catches SIGINT (up to 20 s)
wait_sigint_handler() {
	i=0
	while test $i -lt 200; do
		mask=$(sed -n "s/^SigCgt:[^0-9a-f]*//p" /proc/$1/status \
			2>/dev/null) &&
		test -n "$mask" &&
		test $(( 0x$mask & 2 )) -ne 0 && return 0
		i=$((i + 1))
		sleep 0.1
	done
	echo "process $1 never caught SIGINT" >&2
	return 1
}

test_expect_success 'setup: a model and its clean output' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output clean.csv --proba -q &&
	awk -F, -v OFS=, "NR == 5 { print \$1, \$2, \$3; next }
		NR == 9 { \$2 = \"abc\" } { print }" "$F/churn.csv" >bad.csv
'

test_expect_success '--on-error fail (the default) names the file and line' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input bad.csv --output out.csv 2>err &&
	test_grep "^error: bad.csv:5: " err &&
	! test -e out.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input bad.csv --output out.csv --on-error fail 2>err &&
	test_grep "^error: bad.csv:5: " err
'

test_expect_success 'a non-numeric value fails naming its line and column' '
	sed 5d bad.csv >bad9.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input bad9.csv --output out.csv 2>err &&
	test_grep "^error: bad9.csv:8:2: column .tenure.: expected a number, got .abc." err &&
	! test -e out.csv
'

test_expect_success JQ '--on-error skip leaves the rows out and lists them' '
	mmp batch-inference --model-dir churn --input bad.csv \
		--output skip.csv --proba --on-error skip --json >sum.json &&
	test "$(json_get sum.json .rows.in)" = 300 &&
	test "$(json_get sum.json .rows.out)" = 298 &&
	test "$(json_get sum.json .rows.skipped)" = 2 &&
	json_get sum.json ".skipped_rows[].line" >lines &&
	printf "5\n9\n" >expect &&
	test_cmp expect lines &&
	json_get sum.json ".skipped_rows[1].reason" | grep tenure &&
	sed -e 5d -e 9d clean.csv >expect &&
	test_cmp expect skip.csv
'

test_expect_success 'skipped rows are listed in the human summary' '
	mmp batch-inference --model-dir churn --input bad.csv \
		--output skip2.csv --on-error skip 2>err &&
	test_grep "^300 rows in, 298 out, 2 skipped, 0 unseen categories" err &&
	test_grep "^  skipped line 5: " err &&
	test_grep "^  skipped line 9: " err
'

test_expect_success 'a missing feature column fails before any output' '
	cut -d, -f1,3- "$F/churn.csv" >notenure.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input notenure.csv --output out.csv 2>err &&
	test_grep "^error: notenure.csv: unknown column .tenure." err &&
	! test -e out.csv &&
	sed "1s/tenure/tenur/" "$F/churn.csv" >typo.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input typo.csv --output - >out 2>err &&
	test_grep "unknown column .tenure.; did you mean .tenur.?" err &&
	test_must_be_empty out
'

test_expect_success 'a failed job leaves the old output and no temporary file' '
	mkdir dir &&
	echo "old contents" >dir/keep.csv &&
	awk -F, -v OFS=, "NR == 290 { \$3 = \"oops\" } { print }" \
		"$F/churn.csv" >late.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input late.csv --output dir/keep.csv --chunk-rows 10 \
		--threads 2 2>err &&
	test_grep "late.csv:290:3: column .charges." err &&
	echo "old contents" >expect &&
	test_cmp expect dir/keep.csv &&
	ls -A dir >actual &&
	echo keep.csv >expect &&
	test_cmp expect actual &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output dir/keep.csv --proba -q &&
	test_cmp clean.csv dir/keep.csv &&
	ls -A dir >actual &&
	test_cmp expect actual
'

test_expect_success 'input, model and output problems are named' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input nope.csv --output out.csv 2>err &&
	test_grep "^error: cannot open .nope.csv." err &&
	test_expect_code 1 mmp batch-inference --model-dir nomodel \
		--input "$F/churn.csv" --output out.csv 2>err &&
	test_grep "^error: cannot load the model in .nomodel." err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output nodir/out.csv 2>err &&
	test_grep "^error: cannot create the output .nodir/out.csv." err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output dir 2>err &&
	test_grep "^error: output .dir. is a directory" err &&
	cp "$F/churn.csv" same.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input same.csv --output same.csv 2>err &&
	test_grep "^error: the output .same.csv. is the input" err &&
	test_cmp "$F/churn.csv" same.csv &&
	! test -e out.csv
'

test_expect_success 'an empty input (a header only) gives a header only' '
	head -n 1 "$F/churn.csv" >empty.csv &&
	mmp batch-inference --model-dir churn --input empty.csv \
		--output empty.out --proba -q &&
	echo "customer_id,prediction,no,yes" >expect &&
	test_cmp expect empty.out &&
	: >zero.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input zero.csv --output zero.out 2>err &&
	test_grep "zero.csv: file is empty" err &&
	! test -e zero.out
'

test_expect_success 'usage errors exit 129' '
	test_expect_code 129 mmp batch-inference --input a --output b &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--run abcd --input a --output b &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--output b &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output b --format xml 2>err &&
	test_grep "unknown output format .xml." err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output b --on-error ignore 2>err &&
	test_grep "on-error takes skip or fail" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output - --json 2>err &&
	test_grep "json prints on standard output" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output b --threads -1 &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output b extra &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input a --output b --bogus
'

test_expect_success 'SIGINT stops the job: exit 130, no output file' '
	{
		head -n 1 "$F/churn.csv" &&
		i=0 &&
		while test $i -lt 100
		do
			sed 1d "$F/churn.csv"
			i=$((i + 1))
		done
	} >int.csv || return 1
	{ head -n 50 int.csv; sleep 3; sed 1,50d int.csv; } |
	mmp batch-inference --model-dir churn --input - --output int.out \
		--chunk-rows 100 2>err &
	pid=$! &&
	wait_sigint_handler $pid &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc = 130 &&
	test_grep "interrupted after [0-9]* rows; no output was written" err &&
	! test -e int.out &&
	ls -A | grep "int.out" >tmps || true &&
	test_must_be_empty tmps
'

test_done
