#!/bin/bash
# SPDX-License-Identifier: MIT
# train.sh: mmp train against the Python pipeline it replaces
# (pandas.read_csv + xgboost.train + scikit-learn metrics + save_model) on
# a seeded 1,000,000 x 28 CSV, then on the bundled breast-cancer example.
# Prints load, train and total seconds (as each side measures itself),
# the whole process's wall time and peak RSS for both, medians of
# interleaved rounds, and the ratios. A benchmark, not a test.
#
#   scripts/bench/train.sh [ROWS] [ROUNDS]     (defaults 1000000 and 3)
#   MMP_BENCH_DIR=DIR keeps the generated data (default $TMPDIR)
set -eu

cd "$(dirname "$0")/../.."
SRC=$PWD
ROWS=${1:-1000000}
ROUNDS=${2:-3}
SEED=42
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-csv}
CSV="$DIR/gen-$ROWS-$SEED.csv"
PY=/usr/bin/python3
MMP=$SRC/cmd/mmp
CC=${CC:-cc}

. scripts/bench/lib/pipeline.sh

mkdir -p "$DIR"
test -x "$MMP" || make -j2 >/dev/null
bench_csv

# the same job on both sides: 80/20 split, 100 rounds of depth 6 (hist),
# train and holdout evaluated every round, six holdout metrics, the model
# saved
cat >"$DIR/bench.yaml" <<RECIPE
task: binary_classification
data:
  source: $CSV
  interface: {target_column: target}
  split: {test_size: 0.2, seed: 42, stratify: false}
model:
  params: {objective: "binary:logistic", eval_metric: logloss, max_depth: 6,
           eta: 0.3, tree_method: hist, seed: 42}
  num_boost_round: 100
evaluation:
  metrics: [accuracy, precision, recall, f1, roc_auc, logloss]
RECIPE

cat >"$DIR/bench.py" <<'PYTHON'
import json, sys, time
t0 = time.time()
import numpy as np, pandas as pd, xgboost as xgb
from sklearn import metrics as M
t_import = time.time()
path, target, rounds, depth, eta, test_size, out = sys.argv[1:8]
df = pd.read_csv(path)
y = df.pop(target).values
t_load = time.time()
rng = np.random.default_rng(42)
idx = rng.permutation(len(df))
ntest = int(np.ceil(float(test_size) * len(df)))
te, tr = np.sort(idx[:ntest]), np.sort(idx[ntest:])
dtr = xgb.DMatrix(df.iloc[tr], label=y[tr])
dte = xgb.DMatrix(df.iloc[te], label=y[te])
params = {"objective": "binary:logistic", "eval_metric": "logloss",
          "max_depth": int(depth), "eta": float(eta), "tree_method": "hist",
          "seed": 42}
t_dm = time.time()
b = xgb.train(params, dtr, int(rounds), evals=[(dtr, "train"), (dte, "valid")],
              verbose_eval=False)
t_train = time.time()
p = b.predict(dte)
yt = y[te]
m = {"accuracy": M.accuracy_score(yt, p > 0.5),
     "precision": M.precision_score(yt, p > 0.5),
     "recall": M.recall_score(yt, p > 0.5), "f1": M.f1_score(yt, p > 0.5),
     "roc_auc": M.roc_auc_score(yt, p), "logloss": M.log_loss(yt, p)}
b.save_model(out)
t_end = time.time()
print(json.dumps({"import": t_import - t0, "load": t_load - t_import,
                  "train": t_train - t_dm, "total": t_end - t0,
                  "metrics": m}))
PYTHON

have_py=0
if "$PY" -c 'import pandas, xgboost, sklearn' 2>/dev/null; then
	have_py=1
else
	echo "note: python3 with pandas, xgboost and scikit-learn is missing;" \
		"printing mmp's figures only"
fi

# run_mmp RECIPE: one training in a fresh store
run_mmp() { bench_mmp_train "$1" load train total; }

# run_py CSV TARGET ROUNDS DEPTH ETA
run_py() {
	bench_py load train total import -- "$DIR/bench.py" "$@" 0.2 \
		"$DIR/py-model.ubj"
}

bench() {
	local title=$1 recipe=$2 csv=$3 target=$4 rounds=$5 depth=$6 eta=$7 i
	rm -f "$DIR"/mmp.* "$DIR"/py.*
	for i in $(seq "$ROUNDS"); do
		run_mmp "$recipe"
		if [ "$have_py" = 1 ]; then
			run_py "$csv" "$target" "$rounds" "$depth" "$eta"
		fi
	done
	echo "$title: medians of $ROUNDS interleaved rounds"
	printf "  %-10s %12s %12s %12s\n" "" "mmp" "python" "python/mmp"
	bench_report load
	bench_report train
	bench_report total
	bench_report wall
	bench_report peak_mb
	if [ "$have_py" = 1 ]; then
		echo "  python's total includes $(median <"$DIR/py.import") s" \
			"of imports"
	fi
	awk -v t="$(median <"$DIR/mmp.total")" -v x="$(median <"$DIR/mmp.train")" \
		'BEGIN { printf "  mmp around XGBoost (parse, split, evaluation, " \
			"store, artifacts): %.3f s, %.1f%% of training\n", t - x,
			100 * (t - x) / x }'
}

# both sides get passive OpenMP waits, so that only the pipelines differ
export OMP_WAIT_POLICY=PASSIVE
bench "$ROWS x 28, 100 rounds of depth 6" "$DIR/bench.yaml" "$CSV" target \
	100 6 0.3
bench "breast cancer example (200 rounds, early stopping)" \
	"$SRC/recipes/breast-cancer.yaml" "$SRC/recipes/data/breast_cancer.csv" \
	target 200 4 0.1
