#!/bin/sh
# t2300-agreement: one model, one prediction. For every bundled recipe and
# every row of its data, mmp's batch-inference, serve-api (/predict and
# /invocations), Python's xgboost on model.ubj and the model directory's
# pyfunc loader give the same numbers, and mmp's recorded test metrics
# are the ones those predictions give on the test rows; a model refit on
# train+validation too.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import xgboost, numpy, pandas' 2>/dev/null; then
	test_set_prereq PYPD
fi

# requests.py CSV MODEL_DIR: the CSV's rows as /predict records and an
# /invocations dataframe_split, numbers written as the file has them
cat >requests.py <<\EOF
import csv, json, sys
path, model_dir = sys.argv[1:3]
schema = json.load(open(model_dir + "/mmp-schema.json"))
feats = [(f["name"], f["kind"]) for f in schema["features"]]
NA = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"}
def cell(v, kind):
    if v.strip() in NA:
        return "null"
    return json.dumps(v) if kind == "categorical" else v
rows = list(csv.DictReader(open(path, newline="")))
recs = ["{" + ",".join("%s:%s" % (json.dumps(n), cell(r[n], k))
                       for n, k in feats) + "}" for r in rows]
open("predict.json", "w").write("[" + ",\n".join(recs) + "]")
data = ["[" + ",".join(cell(r[n], k) for n, k in feats) + "]" for r in rows]
open("invocations.json", "w").write(
    '{"dataframe_split": {"columns": %s, "data": [%s]}}'
    % (json.dumps([n for n, _ in feats]), ",\n".join(data)))
EOF

cp "$TEST_DIRECTORY/helpers/pyfunc_load.py" .

# agree.py CSV MODEL_DIR: compare every consumer's predictions for all rows
cat >agree.py <<\EOF
import csv, json, os, sys
import pyfunc_load
import numpy as np, pandas as pd, xgboost as xgb
path, d = sys.argv[1:3]
schema = json.load(open(d + "/mmp-schema.json"))
task, classes = schema["task"], schema["classes"]
feats = schema["features"]
NA = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"}

# the inputs as mmp reads them: text -> correctly rounded double -> float32
rows = list(csv.DictReader(open(path, newline="")))
X = np.full((len(rows), len(feats)), np.nan, dtype=np.float32)
for i, r in enumerate(rows):
    for j, f in enumerate(feats):
        v = r[f["name"]]
        if v.strip() in NA:
            continue
        if f["kind"] == "categorical":
            X[i, j] = f["categories"].index(v)
        else:
            X[i, j] = np.float32(float(v))

def table(raw):
    """rows x K float32: the probability of each class, or the value"""
    raw = np.asarray(raw, dtype=np.float32)
    if task == "binary":
        p = raw.reshape(-1)
        return np.column_stack([np.float32(1) - p, p])
    return raw.reshape(len(rows), -1)

def f32(v):
    return np.float32(float(v))

got = {}
# Python's xgboost on model.ubj, all trees, default prediction
b = xgb.Booster(model_file=d + "/model.ubj")
assert b.num_boosted_rounds() == int(b.attr("best_iteration")) + 1
dm = xgb.DMatrix(X, missing=np.nan, feature_names=[f["name"] for f in feats],
                 feature_types=["c" if f["kind"] == "categorical" else "q"
                                for f in feats], enable_categorical=True)
got["python xgboost"] = table(b.predict(dm))

# batch-inference --proba (CSV)
bi = pd.read_csv("bi.csv", dtype=str, keep_default_na=False)
if task == "regression":
    got["batch-inference"] = table([f32(v) for v in bi["prediction"]])
else:
    got["batch-inference"] = np.array([[f32(v) for v in bi[c]]
                                       for c in classes]).T
labels = {"batch-inference": list(bi["prediction"])}

# serve-api /predict and /invocations
pr = json.load(open("predict.out"), parse_float=str)["predictions"]
if task == "regression":
    got["/predict"] = table([f32(p["prediction"]) for p in pr])
else:
    got["/predict"] = np.array([[f32(p["probabilities"][c]) for c in classes]
                                for p in pr])
    labels["/predict"] = [p["prediction"] for p in pr]
# /invocations answers the records of the directory's pyfunc loader
inv = json.load(open("invocations.out"), parse_float=str)["predictions"]
if task == "regression":
    got["/invocations"] = table([f32(r["prediction"]) for r in inv])
else:
    got["/invocations"] = np.array([[f32(r[c]) for c in classes]
                                    for r in inv])
    labels["/invocations"] = [r["prediction"] for r in inv]

# the model directory's pyfunc, through MLflow's loader contract, on the
# raw frame pandas reads (strings and NA)
model = pyfunc_load.load(d)
frame = pd.read_csv(path)
out = model.predict(frame)
if task == "regression":
    got["pyfunc"] = table(out["prediction"].to_numpy())
else:
    got["pyfunc"] = out[classes].to_numpy()
    labels["pyfunc"] = list(out["prediction"])
# where pandas parsed a number to another float than mmp, 1e-6 is enough
Xp = np.full_like(X, np.nan)
for j, f in enumerate(feats):
    if f["kind"] != "categorical":
        Xp[:, j] = frame[f["name"]].to_numpy(dtype=np.float64)
same = np.all((Xp == X) | (np.isnan(Xp) & np.isnan(X)) |
              np.array([f["kind"] == "categorical" for f in feats]), axis=1)

ref = got["python xgboost"]
bad = []
for name, y in got.items():
    if y.shape != ref.shape:
        bad.append("%s: shape %r, not %r" % (name, y.shape, ref.shape))
        continue
    diff = np.abs(y.astype(np.float64) - ref)
    exact = same if name == "pyfunc" else np.ones(len(rows), bool)
    n_exact = int(np.sum(np.any(diff[exact] != 0, axis=1)))
    if n_exact or diff.max() > 1e-6:
        bad.append("%s: %d rows differ, up to %g" % (name, n_exact,
                                                      diff.max()))
if task != "regression":
    want = [classes[int(k)] for k in
            (ref[:, 1] > np.float32(0.5) if task == "binary"
             else np.argmax(ref, axis=1))]
    for name, l in labels.items():
        if list(l) != want:
            bad.append("%s: %d labels differ" % (name, sum(
                a != b for a, b in zip(l, want))))
print("%d rows, %d consumers, %d rows parsed alike by pandas" %
      (len(rows), len(got), int(same.sum())))
for b_ in bad:
    print(b_)
sys.exit(1 if bad else 0)
EOF

# holdout.py RESULT_JSON CSV MODEL_DIR: the test rows are the ones with the
# latest `ts`; the run's recorded metrics are the pyfunc predictions' ones
cat >holdout.py <<\EOF
import json, os, sys
import pyfunc_load
import numpy as np, pandas as pd
res, path, d = sys.argv[1:4]
res = json.load(open(res))
schema = json.load(open(d + "/mmp-schema.json"))
model = pyfunc_load.load(d)
frame = pd.read_csv(path, float_precision="round_trip")
n = res["rows"]["test"]
test = frame.sort_values("ts", kind="stable").tail(n)
target = schema["target"]
out = model.predict(test)
m = res["metrics"]
got = {}
if schema["task"] == "regression":
    y = test[target].to_numpy(dtype=np.float64)
    p = out["prediction"].to_numpy().astype(np.float64)
    got["rmse"] = float(np.sqrt(np.mean((p - y) ** 2)))
    got["mae"] = float(np.mean(np.abs(p - y)))
else:
    classes = schema["classes"]
    y = np.array([classes.index(str(v)) for v in test[target]])
    P = out[classes].to_numpy().astype(np.float64)
    got["accuracy"] = float(np.mean(
        np.array([classes.index(l) for l in out["prediction"]]) == y))
    if schema["task"] == "binary":
        q = np.clip(P[:, 1], 1e-15, 1 - 1e-15)
        ll = np.where(y == 1, np.log(q), np.log(1 - q))
    else:
        C = np.clip(P, 1e-15, 1 - 1e-15)
        ll = np.log(C[np.arange(n), y] / C.sum(axis=1))
    got["logloss"] = float(-np.mean(ll))
bad = [(k, v, m[k]) for k, v in got.items() if k in m and
       abs(v - m[k]) > 1e-6 * max(1.0, abs(v))]
missing = [k for k in got if k not in m]
print(n, "test rows", got, bad, missing)
sys.exit(1 if bad or missing else 0)
EOF

test_expect_success 'set up the bundled recipes' '
	mmp init -q proj &&
	cp "$RECIPES/diabetes.yaml" "$RECIPES/penguins.yaml" proj/recipes/ &&
	cp "$RECIPES/data/diabetes.csv" "$RECIPES/data/penguins.csv" \
		proj/recipes/data/
'

# each recipe as it is, and penguins refit on train+validation: the model
# saved is the one retrained for best_iteration + 1 rounds, uncut
for case in breast-cancer diabetes penguins penguins+refit
do
	r=${case%+refit}
	extra=
	test "$case" = "$r" || extra="--set model.refit=true"
	csv=$(sed -n "s/^  source: //p" "$RECIPES/$r.yaml")

	test_expect_success JQ "$case: train, predict in batch and serve" '
		(cd proj && mmp train --recipe recipes/$r.yaml $extra --json) \
			>$r.json &&
		test "$(json_get $r.json .status)" = FINISHED &&
		if test -z "$extra"
		then
			test "$(json_get $r.json .refit)" = false
		else
			test "$(json_get $r.json .refit)" = true &&
			test "$(json_get $r.json .refit_rounds)" = \
				"$(($(json_get $r.json .best_iteration) + 1))" &&
			if test_have_prereq PYPD
			then
				/usr/bin/python3 -c "import sys, xgboost as x
print(x.Booster(model_file=sys.argv[1]).num_boosted_rounds())" \
				"$(json_get $r.json .model_dir)/model.ubj" >rounds &&
				json_get $r.json .refit_rounds >expect &&
				test_cmp expect rounds
			fi
		fi &&
		dir=$(json_get $r.json .model_dir) &&
		mmp batch-inference --model-dir "$dir" \
			--input proj/recipes/$csv --output bi.csv --proba -q &&
		/usr/bin/python3 requests.py proj/recipes/$csv "$dir" &&
		serve_start $r --model-dir "$dir" &&
		test "$(post $r /predict @predict.json)" = 200 &&
		mv out predict.out &&
		test "$(post $r /invocations @invocations.json)" = 200 &&
		mv out invocations.out &&
		serve_stop $r &&
		test "$(cat $r.rc)" = 0
	'

	test_expect_success PYPD,JQ "$case: every consumer agrees on every row" '
		/usr/bin/python3 agree.py proj/recipes/$csv \
			"$(json_get $r.json .model_dir)" >agree.out &&
		cat agree.out &&
		n=$(($(wc -l <proj/recipes/$csv) - 1)) &&
		grep "^$n rows, 5 consumers" agree.out
	'

	test_expect_success PYPD,JQ "$case: the recorded test metrics come from the same predictions" '
		/usr/bin/python3 -c "
import sys, pandas as pd
f = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
f[\"ts\"] = [(i * 7919) % len(f) for i in range(len(f))]
f.to_csv(sys.argv[2], index=False)
" proj/recipes/$csv proj/recipes/data/ts-$r.csv &&
		sed -e "s|^  source: .*|  source: data/ts-$r.csv|" \
		    -e "s|^    target_column: .*|&\n    timestamp_column: ts|" \
		    -e "s|^  split:|&\n    method: time|" \
		    -e "/^    stratify:/d" \
		    proj/recipes/$r.yaml >proj/recipes/ts-$r.yaml &&
		(cd proj && mmp train --recipe recipes/ts-$r.yaml $extra --json) \
			>ts-$r.json &&
		test "$(json_get ts-$r.json .status)" = FINISHED &&
		/usr/bin/python3 holdout.py ts-$r.json \
			proj/recipes/data/ts-$r.csv \
			"$(json_get ts-$r.json .model_dir)"
	'
done

test_done
