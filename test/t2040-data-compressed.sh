#!/bin/sh
# t2040-data-compressed: .csv.gz and .csv.zst data read by streaming
# decompression for train, tune, approve's rebuilt rows and
# batch-inference; the same rows give the same model; truncated, corrupt
# and empty files fail naming the file and leave no run RUNNING

. "$(dirname "$0")/test-lib.sh"

if command -v gzip >/dev/null 2>&1 && command -v zstd >/dev/null 2>&1
then
	test_set_prereq COMPRESSORS
fi

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
DATA=$PWD/proj/recipes/data
F="$FIXTURES/serve"

# recipe SUFFIX: the breast-cancer recipe reading breast_cancer.SUFFIX
recipe() {
	sed "s#data/breast_cancer.csv#data/breast_cancer.$1#" \
		proj/recipes/breast-cancer.yaml >"proj/recipes/bc-$1.yaml"
}

# train_json SUFFIX OUT: train on breast_cancer.SUFFIX, --json into OUT
train_json() {
	(cd proj && mmp train -q --recipe "recipes/bc-$1.yaml" --json) >"$2"
}

# runs_with STATUS: how many runs of the store have that status
runs_with() {
	mmp runs list --json | jq "[.runs[] | select(.status == \"$1\")] | length"
}

test_expect_success COMPRESSORS 'set up: the same data as csv, gzip and zstd' '
	mmp init -q proj &&
	gzip -9 -c $DATA/breast_cancer.csv >$DATA/breast_cancer.csv.gz &&
	zstd -q -19 -c $DATA/breast_cancer.csv >$DATA/breast_cancer.csv.zst &&
	recipe csv && recipe csv.gz && recipe csv.zst
'

test_expect_success COMPRESSORS,JQ 'the three files train the same model' '
	train_json csv plain.json &&
	train_json csv.gz gz.json &&
	train_json csv.zst zst.json &&
	for j in gz zst
	do
		test "$(json_get $j.json .status)" = FINISHED &&
		test "$(json_get $j.json .rows.total)" = 569 &&
		test "$(json_get $j.json ".metrics | tojson")" = \
			"$(json_get plain.json ".metrics | tojson")" &&
		test "$(json_get $j.json ".split_sha256 | tojson")" = \
			"$(json_get plain.json ".split_sha256 | tojson")" &&
		test "$(json_get $j.json .best_iteration)" = \
			"$(json_get plain.json .best_iteration)" || return 1
	done &&
	cmp "$(json_get plain.json .model_dir)/model.ubj" \
		"$(json_get gz.json .model_dir)/model.ubj" &&
	cmp "$(json_get plain.json .model_dir)/model.ubj" \
		"$(json_get zst.json .model_dir)/model.ubj"
'

test_expect_success COMPRESSORS,JQ 'the digest is of the file as stored' '
	test "$(json_get gz.json .dataset.digest)" = \
		"$(sha256sum <$DATA/breast_cancer.csv.gz | cut -c1-64)" &&
	test "$(json_get zst.json .dataset.digest)" = \
		"$(sha256sum <$DATA/breast_cancer.csv.zst | cut -c1-64)" &&
	test "$(json_get gz.json .dataset.path)" = "$DATA/breast_cancer.csv.gz"
'

test_expect_success COMPRESSORS,JQ 'several gzip members and zstd frames read as one file' '
	head -n 300 $DATA/breast_cancer.csv | gzip -c >$DATA/multi.csv.gz &&
	sed 1,300d $DATA/breast_cancer.csv | gzip -c >>$DATA/multi.csv.gz &&
	head -n 300 $DATA/breast_cancer.csv | zstd -q -c >$DATA/multi.csv.zst &&
	sed 1,300d $DATA/breast_cancer.csv | zstd -q -c >>$DATA/multi.csv.zst &&
	for z in gz zst
	do
		sed "s#data/breast_cancer.csv#data/multi.csv.$z#" \
			proj/recipes/breast-cancer.yaml >proj/recipes/multi-$z.yaml &&
		(cd proj && mmp train -q --recipe recipes/multi-$z.yaml --json) \
			>multi-$z.json &&
		test "$(json_get multi-$z.json ".metrics | tojson")" = \
			"$(json_get plain.json ".metrics | tojson")" || return 1
	done
'

test_expect_success COMPRESSORS,JQ 'a zstd file larger than the read blocks streams whole' '
	awk -F, "NR == 1 { print; next }
		{ for (i = 0; i < 150; i++) print }" \
		$DATA/breast_cancer.csv >big.csv &&
	zstd -q -c big.csv >$DATA/big.csv.zst &&
	test $(wc -c <big.csv) -gt 16777216 &&
	sed "s#data/breast_cancer.csv#data/big.csv.zst#" \
		proj/recipes/breast-cancer.yaml >proj/recipes/big.yaml &&
	(cd proj && mmp train -q --recipe recipes/big.yaml \
		--set model.num_boost_round=2 --json) >big.json &&
	test "$(json_get big.json .rows.total)" = $((569 * 150))
'

test_expect_success COMPRESSORS,JQ 'tune reads a compressed file' '
	cat >>proj/recipes/bc-csv.zst.yaml <<-\EOF &&
	tune:
	  metric: logloss
	  trials: 2
	  cv_folds: 2
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	EOF
	(cd proj && mmp tune -q --recipe recipes/bc-csv.zst.yaml --json) \
		>tune.json &&
	test "$(json_get tune.json .counts.complete)" = 2
'

test_expect_success COMPRESSORS,JQ 'approve rebuilds the test rows from a compressed file' '
	(cd proj && mmp train -q --recipe recipes/bc-csv.gz.yaml \
		--set model.num_boost_round=3 --set model.params.max_depth=1 \
		--json) >weak.json &&
	mmp register "$(json_get weak.json .run_id)" --name bc >/dev/null &&
	mmp register "$(json_get zst.json .run_id)" --name bc >/dev/null &&
	echo "comparison: {metric: roc_auc}" >strict.yaml &&
	mmp approve bc 1 --policy strict.yaml >/dev/null &&
	mmp promote bc 1 Production >/dev/null &&
	mmp approve bc 2 --policy strict.yaml --json >a2.json &&
	C=".approval.evidence.comparison" &&
	test "$(json_get a2.json $C.outcome)" = improved &&
	test "$(json_get a2.json $C.rows.file)" = "$DATA/breast_cancer.csv.zst" &&
	test "$(json_get a2.json $C.rows.count)" = 114 &&
	test "$(json_get a2.json $C.rows.sha256)" = \
		"$(json_get zst.json .dataset.digest)"
'

test_expect_success COMPRESSORS 'batch-inference reads .csv.gz and .csv.zst' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	gzip -c "$F/churn.csv" >churn.csv.gz &&
	zstd -q -c "$F/churn.csv" >churn.csv.zst &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output plain.csv --proba -q &&
	mmp batch-inference --model-dir churn --input churn.csv.gz \
		--output gz.csv --proba -q --chunk-rows 7 &&
	mmp batch-inference --model-dir churn --input churn.csv.zst \
		--output zst.csv --proba -q &&
	test_line_count = 301 plain.csv &&
	test_cmp plain.csv gz.csv &&
	test_cmp plain.csv zst.csv
'

test_expect_success COMPRESSORS 'bad compressed files: truncated, corrupt, empty, not compressed' '
	f=$DATA/breast_cancer.csv &&
	gzip -c $f | head -c 3000 >$DATA/trunc.csv.gz &&
	zstd -q -c $f | head -c 3000 >$DATA/trunc.csv.zst &&
	gzip -c $f >$DATA/bad.csv.gz &&
	printf "\377\377\377\377" |
		dd of=$DATA/bad.csv.gz bs=1 seek=2000 conv=notrunc 2>/dev/null &&
	zstd -q -c $f >$DATA/bad.csv.zst &&
	printf "\377\377\377\377" |
		dd of=$DATA/bad.csv.zst bs=1 seek=2000 conv=notrunc 2>/dev/null &&
	: >$DATA/empty.csv.gz &&
	: >$DATA/empty.csv.zst &&
	cp $f $DATA/plain.csv.gz &&
	cp $f $DATA/plain.csv.zst &&
	for n in trunc.csv.gz trunc.csv.zst bad.csv.gz bad.csv.zst \
		empty.csv.gz empty.csv.zst plain.csv.gz plain.csv.zst
	do
		recipe_file=proj/recipes/x-$n.yaml &&
		sed "s#data/breast_cancer.csv#data/$n#" \
			proj/recipes/breast-cancer.yaml >$recipe_file &&
		test_expect_code 1 mmp -C proj train -q \
			--recipe recipes/x-$n.yaml 2>err-$n || return 1
	done &&
	test_grep "$DATA/trunc.csv.gz.: truncated gzip data" err-trunc.csv.gz &&
	test_grep "$DATA/trunc.csv.zst.: truncated zstd data" err-trunc.csv.zst &&
	test_grep "$DATA/bad.csv.gz.: corrupt gzip data after [0-9]* bytes of data: " err-bad.csv.gz &&
	test_grep "$DATA/bad.csv.zst.: corrupt zstd data after [0-9]* bytes of data: " err-bad.csv.zst &&
	test_grep "$DATA/empty.csv.gz.: truncated gzip data" err-empty.csv.gz &&
	test_grep "$DATA/empty.csv.zst.: truncated zstd data" err-empty.csv.zst &&
	test_grep "$DATA/plain.csv.gz.: corrupt gzip data after 0 bytes of data: incorrect header check" err-plain.csv.gz &&
	test_grep "$DATA/plain.csv.zst.: corrupt zstd data after 0 bytes of data: " err-plain.csv.zst
'

test_expect_success COMPRESSORS,JQ 'the failed runs are FAILED, none RUNNING, earlier runs kept' '
	test "$(runs_with RUNNING)" = 0 &&
	test "$(runs_with FAILED)" = 8 &&
	test "$(runs_with FINISHED)" -ge 7 &&
	mmp runs show "$(json_get gz.json .run_id)" --json >gzrun.json &&
	test "$(json_get gzrun.json .run.status)" = FINISHED
'

test_expect_success COMPRESSORS 'batch-inference on a truncated file keeps the old output' '
	gzip -c "$F/churn.csv" | head -c 2000 >trunc.csv.gz &&
	cp plain.csv out.csv &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input trunc.csv.gz --output out.csv -q 2>err &&
	test_grep "^error: .trunc.csv.gz.: truncated gzip data" err &&
	test_cmp plain.csv out.csv
'

test_done
