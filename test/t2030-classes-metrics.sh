#!/bin/sh
# t2030-classes-metrics: the positive class of binary tasks, the class
# order in the model and the confusion matrix, every metric checked
# against scikit-learn on the bundled examples, and recipe errors found
# in the data's header reported before any run is recorded

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import sklearn, xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYSK
fi

runs() { sql proj/.mmp/mmp.db "SELECT count(*) FROM runs"; }

# breast cancer with its labels spelled out: 0 malignant, 1 benign
test_expect_success 'set up a project and labelled data' '
	mmp init -q proj &&
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next}
		{\$31 = \$31 == 1 ? \"benign\" : \"malignant\"; print \$0, NR-1}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc.csv &&
	cat >proj/bc.yaml <<-\EOF
	task: binary_classification
	data:
	  source: bc.csv
	  interface: {target_column: target, timestamp_column: ts}
	  split: {method: time, test_size: 0.2}
	model:
	  params: {objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 1}
	  num_boost_round: 40
	  early_stopping_rounds: 5
	evaluation:
	  metrics: [accuracy, precision, recall, f1, roc_auc, logloss, pr_auc,
	            brier, balanced_accuracy, mcc, precision_macro,
	            precision_weighted, recall_macro, recall_weighted, f1_macro,
	            f1_weighted]
	  bootstrap: 0
	EOF
'

test_expect_success JQ 'two labels and no positive_class: an error listing them' '
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml 2>../err) &&
	test_grep "which label of column .target. is the positive class, .benign. or .malignant.\? set data.interface.positive_class" err
'

test_expect_success JQ 'a positive_class that is not a label is named' '
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml \
		--set data.interface.positive_class=bad 2>../err) &&
	test_grep "positive_class .bad. is not a label of column .target., which holds .benign. and .malignant." err
'

test_expect_success JQ,SQLITE3 'positive_class orders the classes: negative, positive' '
	(cd proj && mmp train --recipe bc.yaml --set data.interface.positive_class=malignant \
		--json >../m.json) &&
	test "$(json_get m.json ".confusion_matrix.labels | join(\",\")")" = benign,malignant &&
	id=$(json_get m.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"data.positive_class\"")" = malignant &&
	jq -e ".classes == [\"benign\", \"malignant\"]" "$(json_get m.json .model_dir)/mmp-schema.json" &&
	(cd proj && mmp train --recipe bc.yaml --set data.interface.positive_class=malignant >../m.txt) &&
	test_grep "positive class .malignant." m.txt &&
	test_grep "^  benign  *[0-9]*  *[0-9]*$" m.txt
'

test_expect_success PYSK,JQ 'every binary metric equals scikit-learn, for the chosen positive class' '
	(cd proj && mmp train --recipe bc.yaml --set data.interface.positive_class=benign \
		--json >../b.json) &&
	test "$(json_get b.json ".confusion_matrix.labels | join(\",\")")" = malignant,benign &&
	cat >bin.py <<-\EOF &&
	import csv, json, sys
	import numpy as np, xgboost as xgb
	from sklearn import metrics as M
	res, path, pos = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
	rows = list(csv.reader(open(path)))
	head, rows = rows[0], rows[-114:]
	cols = [i for i, c in enumerate(head) if c not in ("target", "ts")]
	X = np.array([[float(r[i]) for i in cols] for r in rows], dtype=np.float32)
	y = np.array([1 if r[head.index("target")] == pos else 0 for r in rows])
	b = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	p = b.inplace_predict(X, iteration_range=(0, res["best_iteration"] + 1))
	h = p > 0.5
	want = {"accuracy": M.accuracy_score(y, h),
	        "precision": M.precision_score(y, h),
	        "recall": M.recall_score(y, h),
	        "f1": M.f1_score(y, h),
	        "roc_auc": M.roc_auc_score(y, p),
	        "logloss": M.log_loss(y, p),
	        "pr_auc": M.average_precision_score(y, p),
	        "brier": M.brier_score_loss(y, p),
	        "balanced_accuracy": M.balanced_accuracy_score(y, h),
	        "mcc": M.matthews_corrcoef(y, h)}
	for a in ("macro", "weighted"):
	    want["precision_" + a] = M.precision_score(y, h, average=a, zero_division=0)
	    want["recall_" + a] = M.recall_score(y, h, average=a, zero_division=0)
	    want["f1_" + a] = M.f1_score(y, h, average=a, zero_division=0)
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-6 * max(1, abs(v))]
	cm = M.confusion_matrix(y, h).tolist()
	if cm != res["confusion_matrix"]["matrix"]:
	    bad.append(("confusion", cm, res["confusion_matrix"]["matrix"]))
	print(bad)
	sys.exit(1 if bad or len(want) != 16 else 0)
	EOF
	/usr/bin/python3 bin.py b.json proj/bc.csv benign &&
	(cd proj && mmp train --recipe bc.yaml --set data.interface.positive_class=malignant \
		--json >../m2.json) &&
	/usr/bin/python3 bin.py m2.json proj/bc.csv malignant &&
	test "$(json_get m2.json .metrics.recall)" != "$(json_get b.json .metrics.recall)"
'

test_expect_success JQ 'yes/no labels: yes is positive without a setting' '
	printf "a,ts,y\n" >proj/yn.csv &&
	for i in $(seq 1 60); do echo "$i,$i,$(test $((i % 3)) = 0 && echo Yes || echo no)"; done >>proj/yn.csv &&
	(cd proj && mmp train --recipe bc.yaml --data yn.csv --set data.interface.target_column=y \
		--json >../yn.json 2>/dev/null) &&
	test "$(json_get yn.json ".confusion_matrix.labels | join(\",\")")" = no,Yes
'

# penguins: categoricals and missing values; shuffled (the file is
# sorted by species), the test rows are the last 86 once a row-number
# column is added
test_expect_success PYSK,JQ 'multiclass metrics equal scikit-learn on mmp'"'"'s own probabilities' '
	(head -n 1 "$RECIPES/data/penguins.csv" &&
	 awk "BEGIN{srand(3)} NR>1{printf \"%.9f\t%s\n\", rand(), \$0}" \
		"$RECIPES/data/penguins.csv" | sort | cut -f2-) |
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next} {print \$0, NR-1}" >proj/pg.csv &&
	sed -e "s|source: .*|source: pg.csv|" \
		-e "s|target_column: species|target_column: species\n    timestamp_column: ts|" \
		"$RECIPES/penguins.yaml" >proj/pg.yaml &&
	cat >>proj/pg.yaml <<-\EOF &&
	  bootstrap: 0
	EOF
	(cd proj && mmp train --recipe pg.yaml --set data.split.method=time --set data.split.stratify=false \
		--set evaluation.metrics="[accuracy, balanced_accuracy, mcc, brier, logloss, precision_macro, f1_weighted]" \
		--json >../pg.json) &&
	test "$(json_get pg.json .rows.test)" = 86 &&
	tail -n 86 proj/pg.csv | cut -d, -f1 >truth &&
	(head -n 1 proj/pg.csv; tail -n 86 proj/pg.csv) >proj/pg-test.csv &&
	mmp -C proj batch-inference --run "$(json_get pg.json .run_id)" --input pg-test.csv \
		--output probs.csv --proba -q &&
	cat >multi.py <<-\EOF &&
	import csv, json, sys
	import numpy as np
	from sklearn import metrics as M
	res = json.load(open(sys.argv[1]))
	labels = res["confusion_matrix"]["labels"]
	rows = list(csv.DictReader(open(sys.argv[2])))
	P = np.array([[float(r[l]) for l in labels] for r in rows])
	y = np.array([labels.index(t.strip()) for t in open(sys.argv[3])])
	h = P.argmax(1)
	want = {"accuracy": M.accuracy_score(y, h),
	        "balanced_accuracy": M.balanced_accuracy_score(y, h),
	        "mcc": M.matthews_corrcoef(y, h),
	        "brier": np.mean(np.sum((P - np.eye(len(labels))[y]) ** 2, 1)),
	        "logloss": M.log_loss(y, P, labels=range(len(labels))),
	        "precision_macro": M.precision_score(y, h, average="macro", zero_division=0),
	        "f1_weighted": M.f1_score(y, h, average="weighted", zero_division=0)}
	for k in range(len(labels)):
	    if (y == k).any():
	        want["logloss_class_%d" % k] = M.log_loss(y[y == k], P[y == k], labels=range(len(labels)))
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-5 * max(1, abs(v))]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 multi.py pg.json proj/probs.csv truth
'

test_expect_success PYSK,JQ 'regression metrics, mape and median_ae included, equal scikit-learn' '
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next} {print \$0, NR-1}" \
		"$RECIPES/data/diabetes.csv" >proj/db.csv &&
	cat >proj/db.yaml <<-\EOF &&
	task: regression
	data:
	  source: db.csv
	  interface: {target_column: target, timestamp_column: ts}
	  split: {method: time, test_size: 0.25}
	model:
	  params: {objective: "reg:squarederror", max_depth: 3, eta: 0.1, seed: 2}
	  num_boost_round: 60
	evaluation:
	  metrics: [rmse, mae, r2, mape, median_ae]
	  bootstrap: 0
	EOF
	(cd proj && mmp train --recipe db.yaml --json >../db.json) &&
	cat >reg.py <<-\EOF &&
	import json, sys
	import numpy as np, xgboost as xgb
	from sklearn import metrics as M
	res = json.load(open(sys.argv[1]))
	data = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
	cols = [c for c in data.dtype.names if c not in ("target", "ts")]
	test = data[-111:]
	X = np.column_stack([test[c] for c in cols]).astype(np.float32)
	y = test["target"].astype(np.float32).astype(np.float64)
	b = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	p = b.inplace_predict(X, iteration_range=(0, res["best_iteration"] + 1)).astype(np.float64)
	want = {"rmse": M.mean_squared_error(y, p) ** 0.5,
	        "mae": M.mean_absolute_error(y, p), "r2": M.r2_score(y, p),
	        "mape": M.mean_absolute_percentage_error(y, p),
	        "median_ae": M.median_absolute_error(y, p)}
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-6 * max(1, abs(v))]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 reg.py db.json proj/db.csv
'

test_expect_success SQLITE3 'an unknown column: an error before any run is recorded' '
	before=$(runs) &&
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml \
		--set data.interface.target_column=targte 2>../err) &&
	test_grep "bc.csv: unknown column .targte. \(data.interface.target_column\); did you mean .target.\?" err &&
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml \
		--set "data.interface.feature_columns=[mean_radius, nope]" 2>../err) &&
	test_grep "unknown column .nope. \(data.interface.feature_columns\)" err &&
	test "$(runs)" = "$before"
'

test_expect_success SQLITE3 'a text target for regression: an error naming the task that fits' '
	before=$(runs) &&
	(cd proj && test_expect_code 1 mmp train --recipe db.yaml --data bc.csv 2>../err) &&
	test_grep "target column .target. holds text, but a regression task predicts numbers; for labels use task: binary_classification \(two labels\) or multiclass_classification \(more\)" err &&
	test "$(runs)" = "$before"
'

test_done
