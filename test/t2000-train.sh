#!/bin/sh
# t2000-train: mmp train end to end: each task, what the run records,
# the artifacts, metrics checked independently, determinism, lineage

. "$(dirname "$0")/test-lib.sh"

RECIPES="$SRC_DIR/recipes"
if /usr/bin/python3 -c 'import sklearn, xgboost, numpy' 2>/dev/null; then
	test_set_prereq PYSK
fi

test_expect_success 'set up a project' '
	mmp init -q proj &&
	test -f proj/.mmp/mmp.db
'

test_expect_success JQ 'binary: train the bundled example' '
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --json >../bc.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get bc.json .status)" = FINISHED &&
	test "$(json_get bc.json .task)" = binary_classification &&
	test "$(json_get bc.json ".rows | [.total, .train, .validation, .test] | @csv")" = "569,364,91,114" &&
	test "$(json_get bc.json .features)" = 30 &&
	test "$(json_get bc.json "[.metrics | keys_unsorted[]] | join(\",\")")" = \
		"$(for m in accuracy precision recall f1 roc_auc logloss; do
			printf "%s,%s_ci_low,%s_ci_high," $m $m $m; done |
			sed "s/,\$//")" &&
	json_get bc.json .run_id | grep -E "^[0-9a-f]{32}$"
'

test_expect_success JQ 'binary: the metrics make sense and agree with the confusion matrix' '
	json_get bc.json ".metrics.accuracy > 0.9 and .metrics.roc_auc > 0.95" | grep -x true &&
	test "$(json_get bc.json "[.confusion_matrix.matrix[][]] | add")" = 114 &&
	test "$(json_get bc.json ".confusion_matrix.labels | join(\",\")")" = "0,1" &&
	json_get bc.json "(.confusion_matrix.matrix[0][0] + .confusion_matrix.matrix[1][1]) / 114 - .metrics.accuracy | fabs < 1e-12" | grep -x true
'

test_expect_success JQ 'binary: the artifacts are in place' '
	dir=$(json_get bc.json .artifact_dir) &&
	test "$(json_get bc.json .model_dir)" = "$dir/model" &&
	for f in model/MLmodel model/model.ubj model/mmp-schema.json model/profile.json \
		model/conda.yaml model/python_env.yaml model/requirements.txt \
		model/code/mmp_pyfunc.py \
		recipe.yaml metrics.json confusion_matrix.json \
		feature_importance.json
	do
		test -s "$dir/$f" || { echo "missing $f" >&2; return 1; }
	done &&
	cmp "$dir/recipe.yaml" proj/recipes/breast-cancer.yaml &&
	grep "^  xgboost:" "$dir/model/MLmodel" &&
	grep "^  python_function:" "$dir/model/MLmodel" &&
	! grep -q "\"name\": \"target\"" "$dir/model/MLmodel" &&
	test "$(jq ".features | length" "$dir/feature_importance.json")" = 30 &&
	test "$(jq -r .best_iteration "$dir/metrics.json")" = "$(json_get bc.json .best_iteration)" &&
	test -z "$(ls proj/.mmp/tmp 2>/dev/null)"
'

test_expect_success SQLITE3,JQ 'binary: the store holds params, metrics, tags, dataset and artifacts' '
	id=$(json_get bc.json .run_id) &&
	db=proj/.mmp/mmp.db &&
	test "$(sql $db "SELECT status FROM runs WHERE run_uuid = \"$id\"")" = FINISHED &&
	test "$(sql $db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"max_depth\"")" = 4 &&
	test "$(sql $db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"split.test_size\"")" = 0.2 &&
	test "$(sql $db "SELECT value FROM params WHERE run_uuid = \"$id\" AND key = \"num_boost_round\"")" = 200 &&
	test "$(sql $db "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mlflow.source.type\"")" = LOCAL &&
	test "$(sql $db "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.recipe.sha256\"")" = \
		"$(sha256sum proj/recipes/breast-cancer.yaml | cut -d" " -f1)" &&
	test "$(sql $db "SELECT value FROM tags WHERE run_uuid = \"$id\" AND key = \"mmp.xgboost.version\"")" = 1.7.4 &&
	test "$(sql $db "SELECT digest || \" \" || num_rows || \" \" || num_columns || \" \" || context FROM dataset_inputs WHERE run_uuid = \"$id\"")" = \
		"$(sha256sum proj/recipes/data/breast_cancer.csv | cut -d" " -f1) 569 31 training" &&
	rounds=$(json_get bc.json .rounds) &&
	test "$(sql $db "SELECT count(*) FROM metrics WHERE run_uuid = \"$id\" AND key = \"valid-logloss\"")" = "$rounds" &&
	test "$(sql $db "SELECT count(*) FROM artifacts WHERE run_uuid = \"$id\"")" = 12 &&
	test "$(sql $db "SELECT count(*) FROM artifacts WHERE run_uuid = \"$id\" AND path = \"model/code/mmp_pyfunc.py\"")" = 1
'

test_expect_success JQ 'multiclass with categoricals and missing values' '
	(cd proj && mmp train --recipe "$RECIPES/penguins.yaml" --json >../pg.json) &&
	test "$(json_get pg.json .status)" = FINISHED &&
	test "$(json_get pg.json ".confusion_matrix.labels | join(\",\")")" = "Adelie,Chinstrap,Gentoo" &&
	test "$(json_get pg.json ".rows.test")" = 86 &&
	json_get pg.json ".metrics.accuracy > 0.9" | grep -x true &&
	schema="$(json_get pg.json .model_dir)/mmp-schema.json" &&
	jq -c ".features[] | select(.name == \"island\") | .categories" "$schema" >cats &&
	echo "[\"Biscoe\",\"Dream\",\"Torgersen\"]" >expect &&
	test_cmp expect cats
'

test_expect_success JQ 'regression' '
	(cd proj && mmp train --recipe "$RECIPES/diabetes.yaml" --json >../db.json) &&
	test "$(json_get db.json .status)" = FINISHED &&
	test "$(json_get db.json "[.metrics | keys_unsorted[]] | join(\",\")")" = \
		"rmse,rmse_ci_low,rmse_ci_high,mae,mae_ci_low,mae_ci_high,r2,r2_ci_low,r2_ci_high" &&
	json_get db.json ".metrics.r2 > 0.3 and .confusion_matrix == null" | grep -x true
'

# a time-based split makes the holdout the last rows, so an outside
# program can recompute every metric from the saved model
test_expect_success 'set up a time-split recipe' '
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next} {print \$0, NR-1}" \
		"$RECIPES/data/breast_cancer.csv" >proj/bc-time.csv &&
	cat >proj/bc-time.yaml <<-\EOF
	task: binary_classification
	data:
	  source: bc-time.csv
	  interface:
	    target_column: target
	    timestamp_column: ts
	  split:
	    method: time
	    test_size: 0.2
	model:
	  params: {objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 1}
	  num_boost_round: 40
	  early_stopping_rounds: 5
	evaluation:
	  metrics: [accuracy, precision, recall, f1, roc_auc, logloss]
	EOF
'

test_expect_success PYSK,JQ 'metrics equal scikit-learn on the saved model' '
	(cd proj && mmp train --recipe bc-time.yaml --json >../bt.json) &&
	test "$(json_get bt.json .rows.test)" = 114 &&
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
	p = b.inplace_predict(X, iteration_range=(0, res["best_iteration"] + 1))
	want = {"accuracy": M.accuracy_score(y, p > 0.5),
	        "precision": M.precision_score(y, p > 0.5),
	        "recall": M.recall_score(y, p > 0.5),
	        "f1": M.f1_score(y, p > 0.5),
	        "roc_auc": M.roc_auc_score(y, p),
	        "logloss": M.log_loss(y, p)}
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-9 * max(1, abs(v))]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 check.py bt.json proj/bc-time.csv
'

test_expect_success PYSK,JQ 'regression metrics equal scikit-learn on the saved model' '
	awk -F, "BEGIN{OFS=\",\"} NR==1{print \$0, \"ts\"; next} {print \$0, NR-1}" \
		"$RECIPES/data/diabetes.csv" >proj/db-time.csv &&
	cat >proj/db-time.yaml <<-\EOF &&
	task: regression
	data:
	  source: db-time.csv
	  interface: {target_column: target, timestamp_column: ts}
	  split: {method: time, test_size: 0.25}
	model:
	  params: {objective: "reg:squarederror", max_depth: 3, eta: 0.1, seed: 2}
	  num_boost_round: 60
	evaluation:
	  metrics: [rmse, mae, r2]
	EOF
	(cd proj && mmp train --recipe db-time.yaml --json >../rt.json) &&
	test "$(json_get rt.json .rows.test)" = 111 &&
	cat >rcheck.py <<-\EOF &&
	import json, sys
	import numpy as np, xgboost as xgb
	from sklearn import metrics as M
	res = json.load(open(sys.argv[1]))
	data = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
	cols = [c for c in data.dtype.names if c not in ("target", "ts")]
	test = data[-111:]
	X = np.column_stack([test[c] for c in cols]).astype(np.float32)
	y = test["target"].astype(np.float32)
	b = xgb.Booster(model_file=res["model_dir"] + "/model.ubj")
	p = b.inplace_predict(X, iteration_range=(0, res["best_iteration"] + 1))
	want = {"rmse": M.mean_squared_error(y, p) ** 0.5,
	        "mae": M.mean_absolute_error(y, p), "r2": M.r2_score(y, p)}
	bad = [(k, v, res["metrics"][k]) for k, v in want.items()
	       if abs(v - res["metrics"][k]) > 1e-5 * max(1, abs(v))]
	print(bad)
	sys.exit(1 if bad else 0)
	EOF
	/usr/bin/python3 rcheck.py rt.json proj/db-time.csv
'

test_expect_success JQ 'the same recipe, data and seed give a byte-identical model' '
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --json >../bc2.json) &&
	cmp "$(json_get bc.json .model_dir)/model.ubj" "$(json_get bc2.json .model_dir)/model.ubj" &&
	test "$(json_get bc.json .metrics)" = "$(json_get bc2.json .metrics)"
'

test_expect_success JQ '--set, --experiment, --run-name, --data and -q' '
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml -q \
		--set model.params.max_depth=2 --set model.num_boost_round=7 \
		--experiment other --run-name tiny --data bc-time.csv >../id) &&
	grep -E "^[0-9a-f]{32}$" id &&
	(cd proj && mmp runs show "$(cat ../id)" --json >../show.json) &&
	test "$(json_get show.json .run.run_name)" = tiny &&
	test "$(json_get show.json .run.experiment_name)" = other &&
	test "$(json_get show.json ".run.params.max_depth")" = 2 &&
	test "$(json_get show.json ".run.params.num_boost_round")" = 7 &&
	test "$(json_get show.json ".run.datasets[0].name")" = bc-time.csv
'

test_expect_success SQLITE3,JQ 'git lineage is recorded, with the dirty flag' '
	git init -q -b main proj &&
	(cd proj && git add recipes configs bc-time.yaml && git commit -q -m init &&
	 git remote add origin https://alice:hunter2@example.com/ml/proj.git &&
	 mmp train --recipe recipes/breast-cancer.yaml --json >../g1.json &&
	 echo "# note" >>recipes/breast-cancer.yaml &&
	 mmp train --recipe recipes/breast-cancer.yaml --json >../g2.json) &&
	db=proj/.mmp/mmp.db &&
	tag() { sql $db "SELECT value FROM tags WHERE run_uuid = \"$(json_get $1 .run_id)\" AND key = \"$2\""; } &&
	test "$(tag g1.json mlflow.source.git.commit)" = "$(git -C proj rev-parse HEAD)" &&
	test "$(tag g1.json mlflow.source.git.branch)" = main &&
	test "$(tag g1.json mlflow.source.git.repoURL)" = https://example.com/ml/proj.git &&
	test "$(tag g1.json mmp.git.dirty)" = false &&
	test "$(tag g2.json mmp.git.dirty)" = true &&
	tag g2.json mmp.git.diff_sha256 | grep -E "^[0-9a-f]{64}$" &&
	! sql $db "SELECT value FROM tags" | grep hunter2 &&
	git -C proj checkout -q recipes/breast-cancer.yaml
'

test_expect_success 'a relative -C survives the restart for passive OpenMP waits' '
	mmp -C proj train -q --recipe recipes/breast-cancer.yaml >id &&
	grep -E "^[0-9a-f]{32}$" id &&
	env -u OMP_WAIT_POLICY mmp -C proj -C recipes train -q --recipe breast-cancer.yaml >id2 &&
	grep -E "^[0-9a-f]{32}$" id2
'

test_expect_success 'nothing is printed on stderr without a terminal' '
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml >out 2>err) &&
	test_must_be_empty proj/err &&
	grep "^run [0-9a-f]\{32\}" proj/out
'

test_expect_success '--progress forces the meter; --json stays clean' '
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --progress --json >out 2>err) &&
	grep "round" proj/err &&
	jq -e .run_id proj/out
'

test_expect_success 'colour: on a terminal by default, never with NO_COLOR or --color=never' '
	esc=$(printf "\033") &&
	(cd proj && mmp --color=always runs list >../c-always &&
	 mmp runs list >../c-pipe) &&
	grep -q "$esc" c-always &&
	! grep -q "$esc" c-pipe &&
	if command -v script >/dev/null 2>&1
	then
		(cd proj && TERM=xterm script -qec "mmp runs list" /dev/null >../c-tty &&
		 TERM=xterm NO_COLOR=1 script -qec "mmp runs list" /dev/null >../c-nocolor &&
		 TERM=xterm script -qec "mmp --color=never runs list" /dev/null >../c-never) &&
		grep -q "$esc" c-tty &&
		! grep -q "$esc" c-nocolor &&
		! grep -q "$esc" c-never
	fi
'

test_done
