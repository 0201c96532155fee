#!/bin/sh
# t2260-python-models: model directories written by MLflow's Python
# xgboost flavor (a booster saved as .json, .ubj or .xgb, an MLmodel
# with or without a signature) load and predict as Python's xgboost does;
# what mmp cannot serve is refused naming the flavor or the column

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

D="$TEST_DIRECTORY/../recipes/data"

# mlflow_dir DIR FILE FORMAT [SIGNATURE]: the MLmodel mlflow.xgboost
# writes for a Booster saved as DIR/FILE, with the signature's inputs
mlflow_dir() {
	{
		cat <<-EOF
		artifact_path: model
		flavors:
		  python_function:
		    data: $2
		    env:
		      conda: conda.yaml
		      virtualenv: python_env.yaml
		    loader_module: mlflow.xgboost
		    python_version: 3.11.2
		  xgboost:
		    code: null
		    data: $2
		    model_class: xgboost.core.Booster
		    model_format: $3
		    xgb_version: 1.7.4
		mlflow_version: 2.10.2
		model_uuid: 5d0d4ea3a3b04a7c8e0b1f6a7c2d9e11
		run_id: 0123456789abcdef0123456789abcdef
		EOF
		if test -n "$4"; then
			echo "signature:"
			echo "  inputs: '$4'"
			echo "  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1]}}]'"
			echo "  params: null"
		fi
		echo "utc_time_created: '2026-12-05 04:00:00.123456'"
	} >"$1/MLmodel"
}

# train NAME CSV TARGET OBJECTIVE FILE [nonames]: a booster trained by
# Python's xgboost, saved as NAME/FILE; NAME.want holds its predictions
# for the CSV's rows (repr of each float32), NAME.sig the signature
train() {
	mkdir -p "$1" &&
	/usr/bin/python3 - "$@" <<-\EOF
	import json, sys
	import numpy as np, xgboost as xgb
	name, csv, target, objective, file = sys.argv[1:6]
	named = len(sys.argv) < 7
	d = np.genfromtxt(csv, delimiter=",", names=True)
	cols = [n for n in d.dtype.names if n != target]
	X = np.column_stack([d[n] for n in cols])
	y = d[target]
	p = {"objective": objective, "max_depth": 3, "seed": 1}
	if objective.startswith("multi"):
	    p["num_class"] = int(y.max()) + 1
	fn = cols if named else None
	bst = xgb.train(p, xgb.DMatrix(X, label=y, feature_names=fn), 8)
	bst.save_model(name + "/" + file)
	pred = bst.predict(xgb.DMatrix(X, feature_names=fn))
	with open(name + ".want", "w") as f:
	    for r in pred:
	        f.write(json.dumps([float(v) for v in np.atleast_1d(r)]) + "\n")
	with open(name + ".sig", "w") as f:
	    f.write(json.dumps([{"type": "double", "name": c, "required": True}
	                        for c in cols]))
	EOF
}

# same NAME: mmp's probabilities (or values) equal Python's, as float32
same() {
	/usr/bin/python3 - "$1" <<-\EOF
	import json, sys
	import numpy as np
	name = sys.argv[1]
	want = [json.loads(l) for l in open(name + ".want")]
	got = []
	for l in open(name + ".jsonl"):
	    o = json.loads(l)
	    if "probabilities" in o:
	        p = o["probabilities"]
	        v = [p[k] for k in sorted(p, key=int)]
	        got.append(v[1:] if len(v) == 2 else v)
	    else:
	        got.append([o["prediction"]])
	if len(got) != len(want):
	    sys.exit("%d rows, want %d" % (len(got), len(want)))
	for i, (g, w) in enumerate(zip(got, want)):
	    if np.float32(g).tolist() != np.float32(w).tolist():
	        sys.exit("row %d: %r, want %r" % (i, g, w))
	EOF
}

test_expect_success PYXGB 'boosters saved by Python: .json, .ubj, .xgb' '
	train bin "$D/breast_cancer.csv" target binary:logistic model.json &&
	mlflow_dir bin model.json json "$(cat bin.sig)" &&
	train reg "$D/diabetes.csv" target reg:squarederror model.ubj &&
	mlflow_dir reg model.ubj ubj &&
	train old "$D/breast_cancer.csv" target binary:logistic model.xgb &&
	mlflow_dir old model.xgb xgb "$(cat old.sig)"
'

test_expect_success PYXGB 'with a signature: the probabilities of Python' '
	mmp batch-inference --model-dir bin --input "$D/breast_cancer.csv" \
		--output bin.jsonl --format jsonl --proba -q &&
	same bin &&
	mmp batch-inference --model-dir old --input "$D/breast_cancer.csv" \
		--output old.jsonl --format jsonl --proba -q &&
	same old
'

test_expect_success PYXGB 'without one: the booster'"'"'s feature names' '
	mmp batch-inference --model-dir reg --input "$D/diabetes.csv" \
		--output reg.jsonl --format jsonl -q &&
	same reg
'

test_expect_success PYXGB 'columns are taken by name, in any order' '
	/usr/bin/python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
w = csv.writer(open(\"rev.csv\", \"w\", newline=\"\"))
for r in rows:
    w.writerow(r[::-1])
" "$D/breast_cancer.csv" &&
	mmp batch-inference --model-dir bin --input rev.csv \
		--output rev.jsonl --format jsonl --proba -q &&
	test_cmp bin.jsonl rev.jsonl
'

test_expect_success PYXGB 'another flavor: an error naming the flavors' '
	mkdir skl &&
	printf "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\nrun_id: 0123456789abcdef0123456789abcdef\n" \
		>skl/MLmodel &&
	: >skl/model.pkl &&
	test_expect_code 1 mmp batch-inference --model-dir skl \
		--input "$D/breast_cancer.csv" --output skl.csv -q 2>err &&
	test_grep "skl/MLmodel: flavors python_function, sklearn: mmp serves the xgboost flavor only" err &&
	! test -e skl.csv
'

test_expect_success PYXGB 'a string column, a missing file, a wrong count' '
	mkdir str nofile few &&
	cp bin/model.json str/ &&
	mlflow_dir str model.json json \
		"$(sed "s/\"double\", \"name\": \"mean_area\"/\"string\", \"name\": \"mean_area\"/" bin.sig)" &&
	test_expect_code 1 mmp batch-inference --model-dir str \
		--input "$D/breast_cancer.csv" --output str.csv -q 2>err &&
	test_grep "signature: input 4 \(.mean_area.\): type .string.: mmp serves numeric" err &&
	mlflow_dir nofile model.json json "$(cat bin.sig)" &&
	test_expect_code 1 mmp batch-inference --model-dir nofile \
		--input "$D/breast_cancer.csv" --output nf.csv -q 2>err &&
	test_grep "data file .*nofile/model.json. does not exist" err &&
	cp bin/model.json few/ &&
	mlflow_dir few model.json json \
		"[{\"type\": \"double\", \"name\": \"mean_radius\"}]" &&
	test_expect_code 1 mmp batch-inference --model-dir few \
		--input "$D/breast_cancer.csv" --output few.csv -q 2>err &&
	test_grep "has 30 features but the signature lists 1" err
'

test_expect_success PYXGB 'no signature and no feature names: say --schema' '
	train bare "$D/breast_cancer.csv" target binary:logistic model.json \
		nonames &&
	mlflow_dir bare model.json json &&
	test_expect_code 1 mmp batch-inference --model-dir bare \
		--input "$D/breast_cancer.csv" --output bare.csv -q 2>err &&
	test_grep "no signature, and the booster keeps no feature names: log the model with a signature, or give its inputs with --schema FILE" err
'

test_expect_success PYXGB '--schema gives the columns: MLflow column specs' '
	mmp batch-inference --model-dir bare --schema bin.sig \
		--input "$D/breast_cancer.csv" --output bare.jsonl \
		--format jsonl --proba -q &&
	same bare &&
	echo "[{\"type\": \"double\", \"name\": \"mean_radius\"}]" >one.json &&
	test_expect_code 1 mmp batch-inference --model-dir bare \
		--schema one.json --input "$D/breast_cancer.csv" \
		--output x.csv -q 2>err &&
	test_grep "has 30 features but the schema lists 1" err &&
	test_expect_code 1 mmp batch-inference --model-dir bare \
		--schema nothere.json --input "$D/breast_cancer.csv" \
		--output x.csv -q 2>err &&
	test_grep "nothere.json" err &&
	echo "{\"not\": \"a schema\"}" >bad.json &&
	test_expect_code 1 mmp batch-inference --model-dir bare \
		--schema bad.json --input "$D/breast_cancer.csv" \
		--output x.csv -q 2>err &&
	test_grep "bad.json: field .format_version. must be a positive number" err &&
	! test -e x.csv
'

# bad_schema FILE MESSAGE: --schema FILE is refused with MESSAGE, by
# batch-inference and serve-api alike, and nothing is written
bad_schema() {
	test_expect_code 1 mmp batch-inference --model-dir bare \
		--schema "$1" --input "$D/breast_cancer.csv" \
		--output x.csv -q 2>err &&
	test_grep "$2" err &&
	! test -e x.csv &&
	test_expect_code 1 mmp serve-api --model-dir bare --schema "$1" \
		--port 0 2>err &&
	test_grep "$2" err
}

test_expect_success PYXGB 'a bad --schema file: its line, input or field' '
	printf "[\n  {\"type\": \"double\", \"name\": \"a\"},\n  {\"type\": }\n]\n" >syntax.json &&
	bad_schema syntax.json "syntax.json:3:12: malformed JSON" &&
	: >empty.json &&
	bad_schema empty.json "empty.json:1:1: malformed JSON: the file is empty" &&
	echo "[{\"type\": \"double\", \"name\": \"a\"}, {\"name\": \"b\"}]" >notype.json &&
	bad_schema notype.json "notype.json: input 2: field \"type\" is missing or not a string" &&
	echo "[{\"type\": \"double\"}]" >noname.json &&
	bad_schema noname.json "noname.json: input 1: field \"name\" is missing or empty" &&
	echo "[{\"type\": \"string\", \"name\": \"s\"}]" >str.json &&
	bad_schema str.json "str.json: input 1 \(.s.\): type .string.: mmp serves numeric inputs" &&
	echo "[{\"type\": \"tensor\", \"tensor-spec\": {}}]" >tensor.json &&
	bad_schema tensor.json "tensor.json: input 1 is a tensor" &&
	echo "[3]" >num.json &&
	bad_schema num.json "num.json: input 1 is not an object" &&
	echo "[]" >none.json &&
	bad_schema none.json "none.json: the inputs are not a JSON list of columns" &&
	sed "s/\"mean_area\"/\"mean_radius\"/" bin.sig >dup.json &&
	bad_schema dup.json "dup.json: input 4: column .mean_radius. appears twice in the schema" &&
	bad_schema one.json "has 30 features but the schema lists 1"
'

test_expect_success PYXGB,JQ 'serve-api serves it, with --schema too' '
	serve_start bin --model-dir bin &&
	mkmodel records "$D/breast_cancer.csv" --drop target >rows.req &&
	test "$(post bin /predict @rows.req)" = 200 &&
	jq -c ".predictions[]" out >served &&
	test_cmp bin.jsonl served &&
	serve_stop bin &&
	serve_start bare --model-dir bare --schema bin.sig &&
	test "$(post bare /predict @rows.req)" = 200 &&
	jq -c ".predictions[]" out >served &&
	test_cmp bare.jsonl served &&
	serve_stop bare
'

test_done
