#!/bin/sh
# t4530-predictor: batch-inference, serve-api and training's evaluation
# predict with mmp's compiled trees, and the numbers are XGBoost's bit for
# bit (MMP_PREDICTOR=xgboost makes XGBoost predict): every bundled
# recipe's model and random models of every objective mmp trains, with
# categories, NaNs, extreme values and values on every split threshold.
# A model the compiler does not handle falls back to XGBoost, and -v says
# which predictor runs and why.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

RECIPES="$SRC_DIR/recipes"

# same_batch DIR NAME: batch-inference with each predictor on NAME.csv
# writes the same bytes; -v names the predictor in NAME.err
same_batch() {
	mmp batch-inference -v --model-dir "$1" --input "$2.csv" \
		--output "$2.mmp" --format jsonl --proba 2>"$2.err" &&
	MMP_PREDICTOR=xgboost mmp batch-inference -v --model-dir "$1" \
		--input "$2.csv" --output "$2.xgb" --format jsonl --proba \
		2>"$2.xgb.err" &&
	test_cmp "$2.xgb" "$2.mmp" &&
	grep "^predictor: xgboost (MMP_PREDICTOR=xgboost)$" "$2.xgb.err"
}

# same_served DIR NAME: /predict with each predictor answers the same
# bytes for NAME.csv's rows (unseen categories, which serve-api rejects,
# made missing); -v names the predictor in NAME-s.err
same_served() {
	sed "s/unseen[^,]*//g" "$2.csv" >"$2.srv.csv" &&
	mkmodel records "$2.srv.csv" >"$2.req" &&
	serve_start "$2-s" -v --model-dir "$1" &&
	(MMP_PREDICTOR=xgboost && export MMP_PREDICTOR &&
	 serve_start "$2-x" -v --model-dir "$1") &&
	test "$(post "$2-s" /predict @"$2.req")" = 200 &&
	mv out "$2.served" &&
	test "$(post "$2-x" /predict @"$2.req")" = 200 &&
	test_cmp out "$2.served" &&
	grep "^predictor: xgboost (MMP_PREDICTOR=xgboost)$" "$2-x.err" &&
	serve_stop "$2-s" &&
	serve_stop "$2-x"
}

test_expect_success 'set up the bundled recipes' '
	mmp init -q proj &&
	cp "$RECIPES/diabetes.yaml" "$RECIPES/penguins.yaml" proj/recipes/ &&
	cp "$RECIPES/data/diabetes.csv" "$RECIPES/data/penguins.csv" \
		proj/recipes/data/
'

seed=0
for r in breast-cancer diabetes penguins
do
	seed=$((seed + 1))
	test_expect_success JQ "$r: training evaluates the same with both predictors" '
		(cd proj && mmp train --recipe recipes/$r.yaml -q --json) \
			>$r.json &&
		(cd proj && MMP_PREDICTOR=xgboost mmp train \
			--recipe recipes/$r.yaml -q --json) >$r.xgb.json &&
		jq -S .metrics $r.json >$r.metrics &&
		jq -S .metrics $r.xgb.json >$r.xgb.metrics &&
		test_cmp $r.xgb.metrics $r.metrics &&
		test "$(jq ".metrics | length" $r.json)" -gt 2
	'

	test_expect_success JQ "$r: batch-inference is XGBoost's, bit for bit" '
		dir=$(json_get $r.json .model_dir) &&
		forestcheck "$dir" 2000 $seed >$r.check &&
		test "$(json_get $r.check .mismatches)" = 0 &&
		forestcheck --csv "$dir" 2000 $seed >$r.csv &&
		test_line_count = 2001 $r.csv &&
		same_batch "$dir" $r &&
		echo "predictor: mmp forest, $(json_get $r.check .trees) trees" \
			>expect &&
		grep "^predictor:" $r.err >actual &&
		test_cmp expect actual
	'

	test_expect_success JQ "$r: serve-api answers XGBoost's numbers" '
		same_served "$(json_get $r.json .model_dir)" $r &&
		grep "^predictor: mmp forest, [1-9][0-9]* trees$" $r-s.err
	'
done

# seeds 0 to 12 train one model for each objective mmp trains
for seed in 0 1 2 3 4 5 6 7 8 9 10 11 12
do
	test_expect_success JQ "random model $seed: every path agrees" '
		mkmodel random rnd$seed $seed >rnd$seed.what &&
		forestcheck rnd$seed 20000 $seed >rnd$seed.check &&
		test "$(json_get rnd$seed.check .mismatches)" = 0 &&
		if grep -q "multi:softmax" rnd$seed.what
		then
			# class codes: batch-inference and serve-api take
			# multi:softprob models only
			return 0
		fi &&
		forestcheck --csv rnd$seed 1000 $seed >rnd$seed.csv &&
		same_batch rnd$seed rnd$seed &&
		grep "^predictor: mmp forest" rnd$seed.err &&
		same_served rnd$seed rnd$seed
	'
done

test_expect_success JQ 'the random models cover every objective' '
	cat rnd*.what | sed "s/^gbtree \([^,]*\),.*/\1/" | sort -u >objs &&
	test_line_count = 13 objs &&
	cat rnd*.what | grep "([1-9] categorical)"
'

test_expect_success 'a dart model falls back to XGBoost and says why' '
	mkmodel random dart 5 dart >dart.what &&
	grep "^dart " dart.what &&
	forestcheck --csv dart 500 5 >dart.csv &&
	same_batch dart dart &&
	echo "predictor: xgboost (booster '"'"'dart'"'"' is not handled)" \
		>expect &&
	grep "^predictor:" dart.err >actual &&
	test_cmp expect actual &&
	same_served dart dart &&
	grep "^predictor:" dart-s.err >actual &&
	test_cmp expect actual
'

# linpy.py MODEL_DIR CSV JSONL: Python's xgboost on model.ubj gives the
# float32 numbers batch-inference wrote, row by row (NaN equals NaN)
cat >linpy.py <<\EOF
import json, sys
import numpy as np, xgboost as xgb
d, csv, out = sys.argv[1:4]
schema = json.load(open(d + "/mmp-schema.json"))
x = np.genfromtxt(csv, delimiter=",", skip_header=1, dtype=np.float64)
x = np.atleast_2d(x).astype(np.float32)
b = xgb.Booster(model_file=d + "/model.ubj")
p = b.predict(xgb.DMatrix(x, missing=np.nan,
    feature_names=[f["name"] for f in schema["features"]]))
rows = [json.loads(l) for l in open(out)]
assert len(rows) == len(p), (len(rows), len(p))
bad = 0
for r, q in zip(rows, p):
    if schema["task"] == "regression":
        got, want = [r["prediction"]], [q]
    elif schema["task"] == "binary":
        got, want = [r["probabilities"][schema["classes"][1]]], [q]
    else:
        got = [r["probabilities"][c] for c in schema["classes"]]
        want = list(q)
    for g, w in zip(got, want):
        g, w = np.float32(float(g)), np.float32(w)
        bad += not (g == w or (np.isnan(g) and np.isnan(w)))
print(len(p), bad)
sys.exit(bad != 0)
EOF
if /usr/bin/python3 -c 'import xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYXGB
fi

# binary:logistic, multi:softprob, reg:squarederror, count:poisson
for seed in 0 3 5 12
do
	test_expect_success "gblinear model $seed: trains, loads and predicts through XGBoost" '
		mkmodel random lin$seed $seed gblinear >lin$seed.what &&
		grep "^gblinear " lin$seed.what &&
		forestcheck --csv lin$seed 300 $seed >lin$seed.csv &&
		test_line_count = 301 lin$seed.csv &&
		same_batch lin$seed lin$seed &&
		test_line_count = 300 lin$seed.mmp &&
		echo "predictor: xgboost (booster '"'"'gblinear'"'"' is not handled)" \
			>expect &&
		grep "^predictor:" lin$seed.err >actual &&
		test_cmp expect actual
	'

	test_expect_success PYXGB "gblinear model $seed: the numbers are Python xgboost's" '
		/usr/bin/python3 linpy.py lin$seed lin$seed.csv lin$seed.mmp >out &&
		echo "300 0" >expect &&
		test_cmp expect out
	'
done

test_expect_success JQ 'mmp train fits, evaluates and saves a gblinear model' '
	cat >proj/recipes/lin.yaml <<-\EOF &&
	name: lin
	task: binary_classification
	data:
	  source: data/breast_cancer.csv
	  interface: {target_column: target}
	  split: {test_size: 0.2, seed: 42}
	model:
	  params: {objective: "binary:logistic", booster: gblinear}
	  num_boost_round: 20
	EOF
	(cd proj && mmp train --recipe recipes/lin.yaml -q --json) >lin.json &&
	test "$(json_get lin.json .status)" = FINISHED &&
	json_get lin.json ".metrics.roc_auc > 0.95" | grep -x true &&
	json_get lin.json "[.feature_importance[].gain] | max == 0" |
		grep -x true &&
	dir=$(json_get lin.json .model_dir) &&
	sed 1d "$SRC_DIR/recipes/data/breast_cancer.csv" |
		cut -d, -f1-30 >lintrain.body &&
	{ head -n 1 "$SRC_DIR/recipes/data/breast_cancer.csv" |
		cut -d, -f1-30 && cat lintrain.body; } >lintrain.csv &&
	mmp batch-inference --model-dir "$dir" --input lintrain.csv \
		--output lintrain.mmp --format jsonl --proba -q &&
	test_line_count = 569 lintrain.mmp
'

test_expect_success PYXGB 'mmp train'"'"'s gblinear model predicts Python xgboost'"'"'s numbers' '
	dir=$(json_get lin.json .model_dir) &&
	/usr/bin/python3 linpy.py "$dir" lintrain.csv lintrain.mmp >out &&
	echo "569 0" >expect &&
	test_cmp expect out
'

test_expect_success 'a gblinear model serves its numbers' '
	same_served lin3 lin3 &&
	echo "predictor: xgboost (booster '"'"'gblinear'"'"' is not handled)" \
		>expect &&
	grep "^predictor:" lin3-s.err >actual &&
	test_cmp expect actual
'

test_expect_success 'without -v no predictor line is printed' '
	mmp batch-inference --model-dir rnd0 --input rnd0.csv \
		--output quiet.out 2>quiet.err &&
	! grep predictor quiet.err
'

test_expect_success 'a bad MMP_PREDICTOR is an error naming it' '
	test_expect_code 1 env MMP_PREDICTOR=fast mmp batch-inference \
		--model-dir rnd0 --input rnd0.csv --output bad.out 2>err &&
	grep "^error: .*MMP_PREDICTOR is '"'"'fast'"'"'; expected '"'"'mmp'"'"' or '"'"'xgboost'"'"'" err &&
	! test -e bad.out &&
	MMP_PREDICTOR=mmp mmp batch-inference -v --model-dir rnd0 \
		--input rnd0.csv --output ok.out 2>err &&
	grep "^predictor: mmp forest" err
'

test_done
