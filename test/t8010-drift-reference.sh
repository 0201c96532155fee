#!/bin/sh
# t8010-drift-reference: the reference profile and the drift figures
# recomputed from the raw rows alone: numpy's quantiles of the training
# rows, the PSI over their deciles, and the prediction PSI over Python
# xgboost's predictions on the test rows

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYXGB
fi

# a time split: the train rows are the file's first 364, the test rows
# its last 114
test_expect_success 'set up a project, a time-split model and a shifted input' '
	mmp init -q proj &&
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\", \"id\"; next}
		{print \$0, NR-1, \"p\" NR-1}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc.csv &&
	cat >proj/bc.yaml <<-\EOF &&
	task: binary_classification
	data:
	  source: bc.csv
	  interface: {target_column: target, timestamp_column: ts, entity_columns: [id]}
	  split: {method: time, test_size: 0.2}
	model:
	  params: {objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 1}
	  num_boost_round: 40
	  early_stopping_rounds: 5
	evaluation:
	  metrics: [accuracy, roc_auc, logloss, f1, brier]
	  bootstrap: 0
	EOF
	(cd proj && mmp train --recipe bc.yaml --json >../t.json) &&
	test "$(json_get t.json ".rows | [.train, .test] | @csv")" = "364,114" &&
	mmp -C proj register "$(json_get t.json .run_id)" --name bc -q &&
	awk -F, "BEGIN{OFS=\",\"} NR>1{\$1 = \$1 * 1.3; \$4 = \$4 * 0.6} {print}" \
		proj/bc.csv >shift.csv
'

test_expect_success PYXGB,JQ 'profile.json: the quantile bins and counts of the training rows, as numpy has them' '
	cat >prof.py <<-\EOF &&
	import json, sys
	import numpy as np
	prof = json.load(open(sys.argv[1]))
	data = np.genfromtxt(sys.argv[2], delimiter=",", names=True, dtype=None,
	                     encoding="ascii")[:int(sys.argv[3])]
	bad = []
	for f in prof["features"]:
	    v = data[f["name"]].astype(np.float32).astype(np.float64)
	    q = np.quantile(v, [k / 20 for k in range(1, 20)], method="inverted_cdf")
	    edges = np.unique(q)
	    counts = np.bincount(np.searchsorted(edges, v, side="left"),
	                         minlength=len(edges) + 1)
	    if f["edges"] != edges.tolist() or f["counts"] != counts.tolist():
	        bad.append(f["name"])
	print(len(prof["features"]), "features", bad)
	sys.exit(1 if bad or len(prof["features"]) != 30 else 0)
	EOF
	/usr/bin/python3 prof.py "$(json_get t.json .model_dir)/profile.json" proj/bc.csv 364
'

# refit: the saved model learnt from train+validation, the file's first
# 455 rows, and its reference is those rows
test_expect_success PYXGB,JQ 'refit: the reference is the train and validation rows' '
	(cd proj && mmp train --recipe bc.yaml --set model.refit=true --json >../r.json) &&
	test "$(jq .features[0].count "$(json_get r.json .model_dir)/profile.json")" = 455 &&
	/usr/bin/python3 prof.py "$(json_get r.json .model_dir)/profile.json" proj/bc.csv 455
'

test_expect_success PYXGB,JQ 'psi of every feature and of the predictions, recomputed from the rows' '
	(cd proj && test_expect_code 3 mmp monitor bc@v1 --input ../shift.csv \
		--no-record --json >../m.json) &&
	cat >psi.py <<-\EOF &&
	import json, sys
	import numpy as np, xgboost as xgb
	res, mon = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
	data = np.genfromtxt(sys.argv[3], delimiter=",", names=True, dtype=None, encoding="ascii")
	live = np.genfromtxt(sys.argv[4], delimiter=",", names=True, dtype=None, encoding="ascii")
	def psi(ref, cur):
	    edges = np.quantile(ref, [k / 10 for k in range(1, 10)],
	                        method="inverted_cdf")
	    e = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=10) / len(ref)
	    a = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=10) / len(cur)
	    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
	    return float(np.sum((a - e) * np.log(a / e)))
	f32 = lambda v: v.astype(np.float32).astype(np.float64)
	bad = [(f["name"], f["psi"]) for f in mon["features"]
	       if abs(psi(f32(data[f["name"]][:364]), f32(live[f["name"]])) - f["psi"]) > 1e-12]
	cols = [c for c in data.dtype.names if c not in ("target", "ts", "id")]
	X = lambda d: np.column_stack([d[c] for c in cols]).astype(np.float32)
	b = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	want = psi(b.inplace_predict(X(data[-114:])).astype(np.float64),
	           b.inplace_predict(X(live)).astype(np.float64))
	if abs(want - mon["predictions"][0]["psi"]) > 1e-12:
	    bad.append(("prediction", want, mon["predictions"][0]["psi"]))
	drifted = [f["name"] for f in mon["features"] if f["psi"] >= 0.25]
	print(drifted, bad)
	sys.exit(1 if bad or len(mon["features"]) != 30 or
	         not {"mean_radius", "mean_area"} <= set(drifted) else 0)
	EOF
	/usr/bin/python3 psi.py t.json m.json proj/bc.csv shift.csv
'

# labels for every third row, in another order than the input's: each
# joins its own row by id, and the live metrics are scikit-learn's on
# the labelled rows
test_expect_success PYXGB,JQ 'labelled live metrics: joined by id, scored as scikit-learn does' '
	echo id,target >labels.csv &&
	awk -F, "NR > 1 && NR % 3 == 0 { print \$33 \",\" \$31 }" shift.csv |
		sort -t, -k1,1 -r >>labels.csv &&
	(cd proj && test_expect_code 3 mmp monitor bc@v1 --input ../shift.csv \
		--labels ../labels.csv --no-record --json >../ml.json) &&
	test "$(json_get ml.json .labelled_rows)" = 190 &&
	cat >live.py <<-\EOF &&
	import csv, json, sys
	import numpy as np, xgboost as xgb
	from sklearn import metrics as M
	res, mon = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
	rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[3]))}
	labels = list(csv.DictReader(open(sys.argv[4])))
	cols = [c for c in next(iter(rows.values())) if c not in ("target", "ts", "id")]
	X = np.array([[float(rows[l["id"]][c]) for c in cols] for l in labels], dtype=np.float32)
	y = np.array([int(l["target"]) for l in labels])
	p = xgb.Booster(model_file=res["model_dir"] + "/model.ubj").inplace_predict(X)
	p = p.astype(np.float64)
	want = {"accuracy": M.accuracy_score(y, p > 0.5), "roc_auc": M.roc_auc_score(y, p),
	        "logloss": M.log_loss(y, p), "f1": M.f1_score(y, p > 0.5),
	        "brier": M.brier_score_loss(y, p)}
	got = {m["name"]: m["live"] for m in mon["metrics"]}
	bad = [(k, v, got.get(k)) for k, v in want.items()
	       if k not in got or abs(v - got[k]) > 1e-12 * max(1, abs(v))]
	print(len(y), "labelled", bad)
	sys.exit(1 if bad or len(got) != 5 else 0)
	EOF
	/usr/bin/python3 live.py t.json ml.json shift.csv labels.csv
'

test_done
