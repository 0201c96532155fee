#!/bin/sh
# t4130-model-checksums: serve-api, batch-inference and models export
# refuse a model whose files changed since training recorded them

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

test_expect_success JQ 'train and register a model' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--json >../t.json) &&
	run=$(json_get t.json .run_id) &&
	echo "$run" >run &&
	json_get t.json .model_dir >mdir &&
	mmp register "$run" --name bc &&
	head -n 2 proj/recipes/data/breast_cancer.csv >rows.csv
'

test_expect_success 'an untouched model is served, exported and run' '
	serve_start ok --model bc@latest &&
	test "$(req ok GET /health)" = 200 &&
	serve_stop ok &&
	mmp models export bc@latest exp1 &&
	test -f exp1/model.ubj &&
	mmp batch-inference --run "$(cat run)" --input rows.csv \
		--output p1.csv -q &&
	test_line_count = 2 p1.csv
'

test_expect_success 'tamper with model.ubj (one byte, same size)' '
	m="$(cat mdir)/model.ubj" &&
	cp "$m" model.ubj.orig &&
	size=$(wc -c <"$m") &&
	printf "\377" | dd of="$m" bs=1 seek=$((size / 2)) conv=notrunc \
		2>/dev/null &&
	! cmp -s "$m" model.ubj.orig &&
	test "$(wc -c <"$m")" = "$size"
'

test_expect_success 'serve-api --model refuses it, naming the file' '
	test_expect_code 1 mmp serve-api --model bc@latest --port 0 2>err &&
	test_grep "^error: cannot serve model .bc@latest.: model file .*/model/model.ubj. changed since run $(cat run) trained it \(sha256 [0-9a-f]{12}, recorded [0-9a-f]{12}\); refusing to use it$" err &&
	test_line_count = 1 err
'

test_expect_success 'serve-api --run refuses it' '
	test_expect_code 1 mmp serve-api --run "$(cat run)" --port 0 2>err &&
	test_grep "^error: cannot serve the model of run .$(cat run).: model file .*model.ubj. changed" err
'

test_expect_success 'batch-inference --model and --run refuse it; no output' '
	test_expect_code 1 mmp batch-inference --model bc@latest \
		--input rows.csv --output p2.csv 2>err &&
	test_grep "^error: cannot use model .bc@latest.: model file .*model.ubj. changed" err &&
	test ! -e p2.csv &&
	test_expect_code 1 mmp batch-inference --run "$(cat run)" \
		--input rows.csv --output p2.csv 2>err &&
	test_grep "^error: cannot use the model of run .$(cat run).: model file .*model.ubj. changed" err &&
	test ! -e p2.csv
'

test_expect_success 'models export refuses it; nothing is written' '
	test_expect_code 1 mmp models export bc@latest exp2 2>err &&
	test_grep "model file .*model.ubj. changed since run" err &&
	test ! -e exp2 &&
	test -z "$(ls -d exp2.tmp-* 2>/dev/null)"
'

test_expect_success 'a deleted model file is refused as missing' '
	mv "$(cat mdir)/model.ubj" model.ubj.bad &&
	test_expect_code 1 mmp models export bc@latest exp3 2>err &&
	test_grep "model file .*model.ubj. is missing \(run $(cat run) recorded it with sha256 [0-9a-f]{12}\)" err
'

test_expect_success 'the file put back: everything works again' '
	cp model.ubj.orig "$(cat mdir)/model.ubj" &&
	mmp batch-inference --model bc@latest --input rows.csv \
		--output p3.csv -q &&
	test_cmp p1.csv p3.csv &&
	mmp models export bc@latest exp4 &&
	cmp exp4/model.ubj model.ubj.orig
'

test_expect_success '--model-dir has no record to check against: served' '
	serve_start md --model-dir "$(cat mdir)" &&
	serve_stop md
'

test_done
