#!/bin/sh
# t2020-evaluation: the evaluation protocol of mmp train: three disjoint
# sets (train, validation, test), early stopping on validation only, the
# refit, recorded sizes and digests, bootstrap intervals, and errors for
# data too small to split

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import sklearn, xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYSK
fi

# a time split: the test rows are the file's last 114 rows, validation
# the 91 before them, so outside programs know every set
test_expect_success 'set up a project and a time-split recipe' '
	mmp init -q proj &&
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next} {print \$0, NR-1}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc.csv &&
	cat >proj/bc.yaml <<-\EOF
	task: binary_classification
	data:
	  source: bc.csv
	  interface:
	    target_column: target
	    timestamp_column: ts
	  split:
	    method: time
	    test_size: 0.2
	model:
	  params: {objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 1}
	  num_boost_round: 60
	  early_stopping_rounds: 5
	evaluation:
	  metrics: [accuracy, roc_auc, logloss]
	  bootstrap: 200
	EOF
'

test_expect_success JQ,SQLITE3 'three sets: sizes and digests recorded' '
	(cd proj && mmp train --recipe bc.yaml --json >../a.json) &&
	test "$(json_get a.json ".rows | [.total, .train, .validation, .test] | @csv")" = "569,364,91,114" &&
	id=$(json_get a.json .run_id) &&
	param() { sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"$1\""; } &&
	test "$(param split.train_rows)" = 364 &&
	test "$(param split.validation_rows)" = 91 &&
	test "$(param split.test_rows)" = 114 &&
	test "$(param split.validation_size)" = 0.2 &&
	test "$(param split.method)" = time &&
	test "$(param split.timestamp_column)" = ts &&
	test "$(param model.refit)" = false &&
	test "$(param evaluation.bootstrap)" = 200 &&
	# the digest: sha256 of the 0-based row indices, one per line
	test "$(param split.test_sha256)" = "$(seq 455 568 | sha256sum | cut -d" " -f1)" &&
	test "$(param split.validation_sha256)" = "$(seq 364 454 | sha256sum | cut -d" " -f1)" &&
	test "$(param split.train_sha256)" = "$(seq 0 363 | sha256sum | cut -d" " -f1)" &&
	test "$(json_get a.json .split_sha256.test)" = "$(param split.test_sha256)" &&
	jq -e ".validation_rows == 91 and .test_rows == 114 and .train_rows == 364" \
		"$(json_get a.json .artifact_dir)/metrics.json"
'

# rows of one timestamp stay on one side: with eight rows a day, the
# cuts at 114 test and 90 validation rows fall inside a day, and that
# whole day goes to the later set
test_expect_success JQ,SQLITE3 'time split: a day across a cut goes whole to the later set' '
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"day\"; next} {print \$0, int((NR-2)/8)}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc-day.csv &&
	(cd proj && mmp train --recipe bc.yaml --data bc-day.csv \
		--set data.interface.timestamp_column=day --json >../day.json) &&
	test "$(json_get day.json ".rows | [.total, .train, .validation, .test] | @csv")" = "569,352,96,121" &&
	test "$(json_get day.json .split_sha256.test)" = "$(seq 448 568 | sha256sum | cut -d" " -f1)" &&
	test "$(json_get day.json .split_sha256.validation)" = "$(seq 352 447 | sha256sum | cut -d" " -f1)" &&
	test "$(json_get day.json .split_sha256.train)" = "$(seq 0 351 | sha256sum | cut -d" " -f1)" &&
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"day\"; next} {print \$0, 7}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc-oneday.csv &&
	before=$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE status = \"FINISHED\"") &&
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml --data bc-oneday.csv \
		--set data.interface.timestamp_column=day 2>../err) &&
	test_grep "^error: run [0-9a-f]* failed: cannot split 569 rows by time with a held-out share of 0.2: the earliest 456 rows share one timestamp with the held-out rows" err &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE status = \"FINISHED\"")" = "$before"
'

# the leak the protocol closes: when early stopping watched the test
# rows, their labels chose the model. Now flipping every test label
# changes the test metrics and nothing else.
test_expect_success JQ 'leakage: the test rows do not choose the model' '
	awk -F, "BEGIN{OFS=\",\"} NR>456 && NR!=1 {\$31 = 1 - \$31} {print}" \
		proj/bc.csv >proj/bc-flipped.csv &&
	test "$(tail -n 114 proj/bc.csv | cut -d, -f31 | sort | uniq -c | tr -d " \n")" != \
		"$(tail -n 114 proj/bc-flipped.csv | cut -d, -f31 | sort | uniq -c | tr -d " \n")" &&
	test "$(head -n 456 proj/bc.csv | sha256sum)" = "$(head -n 456 proj/bc-flipped.csv | sha256sum)" &&
	(cd proj && mmp train --recipe bc.yaml --data bc-flipped.csv --json >../f.json) &&
	test "$(json_get f.json .best_iteration)" = "$(json_get a.json .best_iteration)" &&
	test "$(json_get f.json .rounds)" = "$(json_get a.json .rounds)" &&
	cmp "$(json_get a.json .model_dir)/model.ubj" "$(json_get f.json .model_dir)/model.ubj" &&
	jq -e ".metrics.accuracy < 0.2" f.json &&
	jq -e ".metrics.accuracy > 0.8" a.json
'

test_expect_success JQ 'the early-stopping patience alone does not move the test metric' '
	# the validation curve has its best round well inside both windows
	(cd proj && mmp train --recipe bc.yaml --set model.early_stopping_rounds=10 --json >../p10.json) &&
	(cd proj && mmp train --recipe bc.yaml --set model.early_stopping_rounds=20 --json >../p20.json) &&
	test "$(json_get p10.json .best_iteration)" = "$(json_get p20.json .best_iteration)" &&
	test "$(json_get p10.json .metrics.roc_auc)" = "$(json_get p20.json .metrics.roc_auc)" &&
	test "$(json_get p10.json .metrics.logloss)" = "$(json_get p20.json .metrics.logloss)"
'

test_expect_success PYSK,JQ 'test metrics equal scikit-learn on the saved model and the last 114 rows' '
	cat >check.py <<-\EOF &&
	import json, sys
	import numpy as np, xgboost as xgb
	from sklearn import metrics as M
	res = json.load(open(sys.argv[1]))
	data = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
	cols = [c for c in data.dtype.names if c not in ("target", "ts")]
	test = data[-114:]
	X = np.column_stack([test[c] for c in cols]).astype(np.float32)
	y = test["target"]
	b = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	n = res.get("refit_rounds") or res["best_iteration"] + 1
	p = b.inplace_predict(X, iteration_range=(0, n))
	want = {"accuracy": M.accuracy_score(y, p > 0.5),
	        "roc_auc": M.roc_auc_score(y, p),
	        "logloss": M.log_loss(y, p)}
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-9 * max(1, abs(v))]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 check.py a.json proj/bc.csv
'

# XGBoost evaluates every metric of an eval_metric list and stops on
# the last; Python's xgboost.train on the same train and validation rows
# must choose the same round from the same per-round history
test_expect_success PYSK,JQ,SQLITE3 'early stopping: Python xgboost.train on the same rows stops at the same round' '
	(cd proj && mmp train --recipe bc.yaml --json \
		--set "model.params.eval_metric=[auc, logloss]" \
		--set model.params.subsample=0.8 --set model.num_boost_round=200 \
		--set model.early_stopping_rounds=8 >../es.json) &&
	test "$(json_get es.json .stopped_early)" = true &&
	id=$(json_get es.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"eval_metric\"")" = auc,logloss &&
	cat >es.py <<-\EOF &&
	import json, sqlite3, sys
	import numpy as np, xgboost as xgb
	res = json.load(open(sys.argv[1]))
	data = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
	cols = [c for c in data.dtype.names if c not in ("target", "ts")]
	X = np.column_stack([data[c] for c in cols]).astype(np.float32)
	y = data["target"]
	a, b = 364, 364 + 91
	dm = lambda lo, hi: xgb.DMatrix(X[lo:hi], label=y[lo:hi], feature_names=cols)
	metrics = sys.argv[4].split(",")
	params = [("objective", "binary:logistic"), ("max_depth", 3), ("eta", 0.3),
	          ("seed", 1), ("subsample", 0.8)] + [("eval_metric", m) for m in metrics]
	hist = {}
	bst = xgb.train(params, dm(0, a), 200, evals=[(dm(a, b), "valid")],
	                early_stopping_rounds=int(sys.argv[5]), evals_result=hist,
	                verbose_eval=False)
	bad = []
	if (bst.best_iteration, bst.num_boosted_rounds()) != (res["best_iteration"], res["rounds"]):
	    bad.append(("rounds", bst.best_iteration, bst.num_boosted_rounds()))
	db = sqlite3.connect(sys.argv[3])
	for m in metrics:
	    got = [v for (v,) in db.execute("SELECT value FROM metrics WHERE run_uuid = ? "
	           "AND key = ? ORDER BY step", (res["run_id"], "valid-" + m))]
	    if got != hist["valid"][m]:
	        bad.append((m, got, hist["valid"][m]))
	test = xgb.DMatrix(X[b:], feature_names=cols)
	want = bst.predict(test, iteration_range=(0, bst.best_iteration + 1))
	saved = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	if not np.array_equal(want, saved.predict(test)):
	    bad.append("the saved model predicts otherwise")
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 es.py es.json proj/bc.csv proj/.mmp/mmp.db auc,logloss 8
'

# mean average precision improves upwards, with or without the "-"
# suffix (no relevant row scores 0): a minimised map- stopped at once
test_expect_success PYSK,JQ,SQLITE3 'early stopping on map- maximises it, as xgboost.train does' '
	(cd proj && mmp train --recipe bc.yaml --json \
		--set "model.params.eval_metric=map-" \
		--set model.params.subsample=0.8 --set model.num_boost_round=200 \
		--set model.early_stopping_rounds=5 >../map.json) &&
	test "$(json_get map.json .best_iteration)" -gt 0 &&
	/usr/bin/python3 es.py map.json proj/bc.csv proj/.mmp/mmp.db map- 5
'

test_expect_success PYSK,JQ,SQLITE3 'refit: train+validation, best_iteration+1 rounds, both recorded' '
	(cd proj && mmp train --recipe bc.yaml --set model.refit=true --json >../r.json) &&
	test "$(json_get r.json .refit)" = true &&
	test "$(json_get r.json .best_iteration)" = "$(json_get a.json .best_iteration)" &&
	test "$(json_get r.json .refit_rounds)" = $(( $(json_get a.json .best_iteration) + 1 )) &&
	id=$(json_get r.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM metrics WHERE run_uuid = \"$id\" AND key = \"refit_rounds\"")" = \
		"$(json_get r.json .refit_rounds).0" &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"model.refit\"")" = true &&
	/usr/bin/python3 -c "
import json, sys, xgboost as xgb
r = json.load(open(\"r.json\"))
b = xgb.Booster(model_file=r[\"model_dir\"] + \"/model.ubj\")
sys.exit(0 if b.num_boosted_rounds() == r[\"refit_rounds\"] else 1)" &&
	/usr/bin/python3 check.py r.json proj/bc.csv &&
	! cmp "$(json_get a.json .model_dir)/model.ubj" "$(json_get r.json .model_dir)/model.ubj"
'

test_expect_success JQ,SQLITE3 'bootstrap intervals: beside each metric, in the store, in runs show' '
	jq -e "[.metrics.accuracy_ci_low, .metrics.accuracy, .metrics.accuracy_ci_high] |
		.[0] <= .[1] and .[1] <= .[2] and .[0] < .[2]" a.json &&
	jq -e ".metrics.logloss_ci_low < .metrics.logloss and .bootstrap.resamples == 200 and .bootstrap.confidence == 0.95" a.json &&
	id=$(json_get a.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM metrics WHERE run_uuid = \"$id\" AND key LIKE \"%_ci_%\"")" = 6 &&
	mmp -C proj runs show $id --json >show.json &&
	test "$(json_get show.json .run.metrics.roc_auc_ci_low.value)" = "$(json_get a.json .metrics.roc_auc_ci_low)" &&
	mmp -C proj runs show $id >show.txt &&
	test_grep "^  roc_auc  *[0-9.]* \[[0-9.]*, [0-9.]*\]" show.txt &&
	! grep "^  roc_auc_ci_low" show.txt &&
	mmp -C proj runs list >list.txt &&
	! grep "_ci_" list.txt
'

test_expect_success JQ 'bootstrap: the same seed gives the same intervals; 0 turns it off' '
	(cd proj && mmp train --recipe bc.yaml --json >../b.json) &&
	test "$(jq -c .metrics a.json)" = "$(jq -c .metrics b.json)" &&
	(cd proj && mmp train --recipe bc.yaml --set data.split.seed=5 --set data.split.method=random \
		--set data.split.stratify=true --json >../s5.json) &&
	test "$(json_get s5.json .metrics.accuracy_ci_low)" != "$(json_get a.json .metrics.accuracy_ci_low)" &&
	(cd proj && mmp train --recipe bc.yaml --set evaluation.bootstrap=0 --json >../off.json) &&
	test "$(json_get off.json "[.metrics | keys[]] | join(\",\")")" = "accuracy,logloss,roc_auc" &&
	test "$(json_get off.json .bootstrap)" = null
'

test_expect_success JQ,SQLITE3 'cv_folds: mean and std over folds of train+validation, beside the test metrics' '
	(cd proj && mmp train --recipe bc.yaml --set evaluation.cv_folds=3 --json >../cv.json) &&
	test "$(json_get cv.json .cv.folds)" = 3 &&
	# bc.yaml splits by time; the folds do not
	test "$(json_get cv.json ".warnings | length")" = 1 &&
	test_grep "evaluation.cv_folds deals the train and validation rows into folds at random, not by time" cv.json &&
	(cd proj && mmp train --recipe bc.yaml --set evaluation.cv_folds=3 \
		--set data.split.method=random --json >../cv-random.json) &&
	test "$(json_get cv-random.json ".warnings | length")" = 0 &&
	test "$(json_get cv.json .cv.rounds)" = $(( $(json_get a.json .best_iteration) + 1 )) &&
	test "$(jq -c .metrics cv.json)" = "$(jq -c .metrics a.json)" &&
	cmp "$(json_get a.json .model_dir)/model.ubj" "$(json_get cv.json .model_dir)/model.ubj" &&
	id=$(json_get cv.json .run_id) &&
	sql proj/.mmp/mmp.db "SELECT step || \" \" || value FROM metrics WHERE run_uuid = \"$id\"
		AND key = \"cv_roc_auc\" ORDER BY step" >folds &&
	test "$(cut -d" " -f1 folds | tr "\n" ,)" = "0,1,2," &&
	mean=$(sql proj/.mmp/mmp.db "SELECT value FROM metrics WHERE run_uuid = \"$id\" AND key = \"cv_roc_auc_mean\"") &&
	std=$(sql proj/.mmp/mmp.db "SELECT value FROM metrics WHERE run_uuid = \"$id\" AND key = \"cv_roc_auc_std\"") &&
	awk -v m="$mean" -v s="$std" "{ v[NR] = \$2; t += \$2 }
		END { mu = t / NR; for (i = 1; i <= NR; i++) q += (v[i] - mu) ^ 2;
		      d1 = mu - m; d2 = sqrt(q / NR) - s;
		      exit !(d1 < 1e-9 && d1 > -1e-9 && d2 < 1e-9 && d2 > -1e-9) }" folds &&
	jq -e "(.cv.metrics.roc_auc.mean - $mean) | . * . < 1e-18" cv.json &&
	jq -e ".cv.metrics.accuracy.std >= 0" cv.json &&
	(cd proj && mmp train --recipe bc.yaml --set evaluation.cv_folds=3 --json >../cv2.json) &&
	test "$(jq -c .cv cv.json)" = "$(jq -c .cv cv2.json)"
'

test_expect_success JQ 'cv_folds larger than the rows: an error naming both' '
	awk "NR <= 41" proj/bc.csv >proj/tiny.csv &&
	(cd proj && test_expect_code 1 mmp train --recipe bc.yaml --data tiny.csv \
		--set evaluation.cv_folds=50 2>../err) &&
	test_grep "32 train and validation rows cannot make 50 folds \(evaluation.cv_folds\)" err
'

test_expect_success JQ 'too few rows for three sets: an error naming the sizes' '
	printf "a,y\n1,0\n2,1\n" >proj/two.csv &&
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml --data two.csv \
		--set data.interface.target_column=y --json >../two.json 2>../err) &&
	test_grep "cannot split 2 rows into train, validation and test sets with test_size 0.2 and validation_size 0.2: that gives 0 train, 1 validation and 1 test rows" err &&
	test "$(json_get two.json .status)" = FAILED
'

test_expect_success JQ 'stratified: a class too small for three sets is an error' '
	printf "a,y\n1,0\n2,1\n3,0\n4,0\n5,0\n6,1\n7,0\n8,0\n9,0\n10,0\n" >proj/rare.csv &&
	(cd proj && test_expect_code 1 mmp train --recipe recipes/breast-cancer.yaml --data rare.csv \
		--set data.interface.target_column=y 2>../err) &&
	test_grep "class .1. has 2 rows, too few for a stratified split into train, validation and test sets" err
'

test_expect_success JQ 'small sets train, with warnings on stderr and in --json' '
	awk "NR <= 41" "$RECIPES/data/breast_cancer.csv" >proj/small.csv &&
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --data small.csv --json >../sm.json 2>../err) &&
	test "$(json_get sm.json .status)" = FINISHED &&
	test_grep "^warning: the test set has only 8 rows" err &&
	test_grep "^warning: the validation set has only 7 rows" err &&
	jq -e "[.warnings[] | select(test(\"test set has only 8 rows\"))] | length == 1" sm.json &&
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --json >../big.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get big.json ".warnings | length")" = 0
'

test_expect_success JQ 'bad values of the new recipe keys are reported with their place' '
	cat >proj/bad.yaml <<-\EOF &&
	task: regression
	data:
	  source: bc.csv
	  interface: {target_column: target, positive_class: "1"}
	  split: {validation_size: 1.5}
	model:
	  params: {objective: "reg:squarederror"}
	  refit: maybe
	evaluation:
	  bootstrap: -1
	  cv_folds: 1
	EOF
	(cd proj && test_expect_code 1 mmp train --recipe bad.yaml 2>../err) &&
	test_grep "bad.yaml:4:.*positive_class.*binary_classification" err &&
	test_grep "bad.yaml:5:.*data.split.validation_size" err &&
	test_grep "bad.yaml:8:.*model.refit" err &&
	test_grep "bad.yaml:10:.*evaluation.bootstrap" err &&
	test_grep "bad.yaml:11:.*evaluation.cv_folds: cross-validation needs at least 2 folds" err
'

# mmp tune chooses on the validation rows too: its trials cannot see
# the test rows, so flipping their labels changes no trial
test_expect_success JQ 'tune: trials never see the test rows' '
	cat >proj/tb.yaml <<-\EOF &&
	task: binary_classification
	data:
	  source: bc.csv
	  interface: {target_column: target, timestamp_column: ts}
	  split: {method: time, test_size: 0.2}
	model:
	  params: {objective: "binary:logistic", eval_metric: logloss, seed: 1}
	  num_boost_round: 20
	evaluation:
	  metrics: [accuracy, logloss]
	  bootstrap: 0
	tune:
	  trials: 3
	  cv_folds: 0
	  metric: logloss
	  params:
	    max_depth: {type: int, low: 1, high: 4}
	EOF
	(cd proj && mmp tune --recipe tb.yaml --json >../t1.json) &&
	sed "s/bc.csv/bc-flipped.csv/" proj/tb.yaml >proj/tf.yaml &&
	(cd proj && mmp tune --recipe tf.yaml --json >../t2.json) &&
	test "$(json_get t2.json .study)" = tf &&
	test "$(json_get t1.json .best.value)" = "$(json_get t2.json .best.value)"
'

test_expect_success JQ,SQLITE3 'tune --retrain trains the best trial with the same protocol' '
	(cd proj && mmp tune --recipe tb.yaml --study tb-re --trials 2 --retrain --json >../re.json) &&
	id=$(json_get re.json .retrain_run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"split.validation_sha256\"")" = \
		"$(seq 364 454 | sha256sum | cut -d" " -f1)" &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"split.test_rows\"")" = 114
'

test_done
