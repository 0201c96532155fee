#!/bin/sh
# t4540-batch-evaluate: batch-inference on rows a model never saw in
# training (categories it does not know, missing values, numbers near
# the ends of a 32-bit float, subnormals, wrong labels) predicts what
# Python's xgboost and the model directory's pyfunc predict, bit for
# bit, and --evaluate scores them as scikit-learn does

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import sklearn, xgboost, numpy, pandas' 2>/dev/null; then
	test_set_prereq PYSK
fi

# hard.py IN OUT: IN with every kind of awkward cell, at fixed rows
cat >hard.py <<\EOF
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, out = rows[0], [rows[0]]
col = {c: i for i, c in enumerate(head)}
def put(r, name, v):
    if name in col:
        r[col[name]] = v
species = ["Adelie", "Chinstrap", "Gentoo"]
for i, r in enumerate(rows[1:]):
    r = list(r)
    if i % 7 == 0 and "species" in col:
        r[col["species"]] = species[(species.index(r[col["species"]]) + 1) % 3]
    if i % 11 == 0:
        put(r, "island", "Atlantis")
    if i % 13 == 0 and "species" in col:
        put(r, "sex", "unknown")
    if i % 17 == 0:
        put(r, "bill_length_mm", "1e30")
        put(r, "bmi", "1e30")
    if i % 19 == 0:
        put(r, "flipper_length_mm", "-3.4e38")
        put(r, "bp", "-3.4e38")
    if i % 23 == 0:
        put(r, "body_mass_g", "NA")
        put(r, "s1", "")
    if i % 29 == 0:
        put(r, "bill_depth_mm", "1e-40")
        put(r, "s2", "1e-40")
    out.append(r)
csv.writer(open(sys.argv[2], "w", newline="")).writerows(out)
EOF

# check.py MODEL_DIR CSV BATCH_CSV BATCH_JSON: Python's xgboost, the
# pyfunc and scikit-learn against mmp's predictions and metrics
cp "$TEST_DIRECTORY/helpers/pyfunc_load.py" .
cat >check.py <<\EOF
import csv, json, os, sys, warnings
import pyfunc_load
import numpy as np, pandas as pd, xgboost as xgb
from sklearn import metrics as M
d, path, out_csv, out_json = sys.argv[1:5]
schema = json.load(open(d + "/mmp-schema.json"))
feats, task, classes = schema["features"], schema["task"], schema["classes"]
target = schema["target"]
rows = list(csv.DictReader(open(path, newline="")))
X = np.full((len(rows), len(feats)), np.nan, dtype=np.float32)
unseen = 0
for i, r in enumerate(rows):
    for j, f in enumerate(feats):
        v = r[f["name"]]
        if v in ("", "NA"):
            continue
        if f["kind"] != "categorical":
            X[i, j] = np.float32(float(v))
        elif v in f["categories"]:
            X[i, j] = f["categories"].index(v)
        else:
            unseen += 1
dm = xgb.DMatrix(X, missing=np.nan, feature_names=[f["name"] for f in feats],
                 feature_types=["c" if f["kind"] == "categorical" else "q"
                                for f in feats], enable_categorical=True)
P = xgb.Booster(model_file=d + "/model.ubj").predict(dm)
bi = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
if task == "regression":
    got = np.array([np.float32(float(v)) for v in bi["prediction"]])
else:
    got = np.array([[np.float32(float(v)) for v in bi[c]] for c in classes]).T
bad = []
if not np.array_equal(got, P):
    bad.append(("python xgboost", float(np.abs(got - P).max())))

model = pyfunc_load.load(d)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    py = model.predict(pd.read_csv(path))
py = py["prediction"].to_numpy() if task == "regression" else py[classes].to_numpy()
if not np.array_equal(py.astype(np.float32), P):
    bad.append("pyfunc")

res = json.load(open(out_json))
if res["unseen_categories"]["total"] != unseen:
    bad.append(("unseen", res["unseen_categories"]["total"], unseen))
P = P.astype(np.float64)
if task == "regression":
    y = np.array([np.float32(float(r[target])) for r in rows], dtype=np.float64)
    want = {"rmse": M.mean_squared_error(y, P) ** 0.5,
            "mae": M.mean_absolute_error(y, P), "r2": M.r2_score(y, P),
            "mape": M.mean_absolute_percentage_error(y, P),
            "median_ae": M.median_absolute_error(y, P)}
else:
    y = np.array([classes.index(r[target]) for r in rows])
    h = P.argmax(1)
    k = len(classes)
    want = {"accuracy": M.accuracy_score(y, h),
            "logloss": M.log_loss(y, P, labels=range(k)),
            "roc_auc_ovr": M.roc_auc_score(y, P, multi_class="ovr"),
            "balanced_accuracy": M.balanced_accuracy_score(y, h),
            "mcc": M.matthews_corrcoef(y, h),
            "brier": np.mean(np.sum((P - np.eye(k)[y]) ** 2, 1))}
    for a in ("macro", "weighted"):
        want["precision_" + a] = M.precision_score(y, h, average=a, zero_division=0)
        want["recall_" + a] = M.recall_score(y, h, average=a, zero_division=0)
        want["f1_" + a] = M.f1_score(y, h, average=a, zero_division=0)
    for c in range(k):
        want["logloss_class_%d" % c] = M.log_loss(y[y == c], P[y == c], labels=range(k))
bad += [(m, v, res["metrics"].get(m)) for m, v in want.items()
        if m not in res["metrics"] or abs(v - res["metrics"][m]) > 1e-12 * max(1, abs(v))]
print(len(rows), "rows", unseen, "unseen", bad)
sys.exit(1 if bad else 0)
EOF

test_expect_success 'set up a project' '
	mmp init -q proj &&
	cp "$RECIPES/penguins.yaml" "$RECIPES/diabetes.yaml" proj/recipes/ &&
	cp "$RECIPES/data/penguins.csv" "$RECIPES/data/diabetes.csv" \
		proj/recipes/data/
'

for r in penguins diabetes
do
	test_expect_success PYSK,JQ "$r: awkward rows predicted and scored as Python does" '
		(cd proj && mmp train -q --recipe recipes/$r.yaml --json >../$r.json) &&
		/usr/bin/python3 hard.py proj/recipes/data/$r.csv $r-hard.csv &&
		mmp batch-inference --model-dir "$(json_get $r.json .model_dir)" \
			--input $r-hard.csv --output $r-out.csv --proba --evaluate \
			--json >$r-out.json &&
		test "$(json_get $r-out.json .rows.skipped)" = 0 &&
		/usr/bin/python3 check.py "$(json_get $r.json .model_dir)" \
			$r-hard.csv $r-out.csv $r-out.json
	'
done

test_expect_success PYSK,JQ 'the awkward penguins are scored worse than the clean ones' '
	jq -e ".metrics.accuracy < 0.9 and .unseen_categories.total > 0" penguins-out.json
'

test_done
