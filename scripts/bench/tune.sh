#!/bin/bash
# SPDX-License-Identifier: MIT
# tune.sh: mmp tune against Optuna's TPESampler + a pruner (MedianPruner
# unless PRUNER says otherwise, the same on both sides) over the same space, the same training and validation rows, the same rounds and
# early stopping: the best ROC AUC after 10, 25 and 50 trials (mean over
# seeds), the wall time, the sampler's own time per trial, how long
# mmp needs to reach Optuna's 20-trial best, and mmp's wall and CPU
# time (user + sys) over Optuna's as ratios of medians, with the load
# average: on a shared machine the CPU time is the figure that holds.
# A benchmark, not a test.
#
#   scripts/bench/tune.sh [TRIALS] [SEEDS] [ROWS]   (defaults 50, 3, 100000)
#   MMP_BENCH_DIR=DIR keeps the generated data (default $TMPDIR)
#   PRUNER=median|percentile|successive_halving|threshold|none, the pruner
#     of both sides (default median): median and percentile start after 5
#     complete trials and 10 warm-up rounds (PRUNER_PERCENTILE, default
#     25); successive_halving has Optuna's defaults (min_resource auto,
#     reduction factor 4); threshold prunes a holdout logloss above
#     PRUNER_UPPER (default 0.5) after 10 rounds
#
# Both tools train and validate on the same rows, mmp's time split by a
# row-index column: the latest 20% are test rows neither sees, the
# latest 20% of the rest validate, the others train; 50 rounds, early
# stopping after 10. With the same params the two train the same trees
# (the same AUC to 1e-16) at the same CPU cost per trial, so the ratios
# come from the samplers, the pruning, what runs around XGBoost and how
# the two cores are used: Optuna trains one trial at a time on two
# threads; mmp --jobs 2 (its default at this size) trains two trials on
# one thread each, a worker waiting for an older trial, or out of
# trials, handing its thread to the trial still training.
set -eu

cd "$(dirname "$0")/../.."
ROOT=$PWD
TRIALS=${1:-50}
NSEEDS=${2:-3}
ROWS=${3:-100000}
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-tune}
PRUNER=${PRUNER:-median}
PRUNER_PERCENTILE=${PRUNER_PERCENTILE:-25}
PRUNER_UPPER=${PRUNER_UPPER:-0.5}
case $PRUNER in
median|percentile|successive_halving|threshold|none) ;;
*) echo "tune.sh: PRUNER: median, percentile, successive_halving," \
	"threshold or none, not '$PRUNER'" >&2; exit 2 ;;
esac
PY=/usr/bin/python3
CC=${CC:-cc}
MMP="$ROOT/cmd/mmp"

mkdir -p "$DIR"
make -s -j2 cmd/mmp >/dev/null
"$CC" -O2 -o "$DIR/gencsv" scripts/bench/gencsv.c -lm

# a row index t for the time split, as the first column
add_index() {
	awk 'BEGIN { FS = OFS = "," } NR == 1 { print "t", $0; next }
		{ print NR - 1, $0 }' "$1" >"$2"
}
if ! test -s "$DIR/bc.csv"; then
	add_index recipes/data/breast_cancer.csv "$DIR/bc.csv"
fi
if ! test -s "$DIR/syn-$ROWS.csv"; then
	echo "generating $ROWS rows"
	"$DIR/gencsv" -n "$ROWS" -s 7 -o "$DIR/raw-$ROWS.csv"
	add_index "$DIR/raw-$ROWS.csv" "$DIR/syn-$ROWS.csv"
	rm -f "$DIR/raw-$ROWS.csv"
fi

recipe() {  # recipe NAME CSV SEED
	cat <<-EOF
	name: $1
	task: binary_classification
	data:
	  source: $2
	  interface: {target_column: target, timestamp_column: t}
	  split: {method: time, test_size: 0.2}
	model:
	  params: {objective: "binary:logistic", eval_metric: logloss,
	           tree_method: hist}
	  num_boost_round: 50
	  early_stopping_rounds: 10
	tune:
	  trials: $TRIALS
	  cv_folds: 0
	  metric: roc_auc
	  seed: $3
	  pruner: $PRUNER
	EOF
	case $PRUNER in
	percentile) printf '  pruner_percentile: %s\n' "$PRUNER_PERCENTILE" ;;
	threshold) printf '  pruner_upper: %s\n' "$PRUNER_UPPER" ;;
	esac
	case $PRUNER in
	median|percentile|threshold) printf '  pruner_warmup_steps: 10\n' ;;
	esac
	cat <<-EOF
	  params:
	    max_depth: {type: int, low: 3, high: 9}
	    eta: {type: float, low: 0.01, high: 0.3, log: true}
	    subsample: {type: float, low: 0.5, high: 1.0}
	    colsample_bytree: {type: float, low: 0.5, high: 1.0}
	    min_child_weight: {type: float, low: 0.5, high: 20, log: true}
	EOF
}

# both sides wait passively for OpenMP work, as mmp does on its own
export OMP_WAIT_POLICY=PASSIVE
HAVE_OPTUNA=0
if $PY -c 'import optuna, xgboost, sklearn' 2>/dev/null; then
	HAVE_OPTUNA=1
else
	echo "optuna: the peer is missing (scripts/install-deps.sh installs"
	echo "python3-optuna); only mmp's figures follow"
fi

cat >"$DIR/optuna_run.py" <<'EOF'
import json, sys, time
import numpy as np, optuna, xgboost as xgb
from sklearn.metrics import roc_auc_score
csv, trials, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
kind, pct, upper = sys.argv[5], float(sys.argv[6]), float(sys.argv[7])
d = np.loadtxt(csv, delimiter=",", skiprows=1)
header = open(csv).readline().strip().split(",")
y = d[:, header.index("target")]
x = np.delete(d, [header.index("t"), header.index("target")], axis=1)
# mmp's time split: the latest 20% by t are test rows, which tuning never
# sees; of the rest, the latest 20% validate and the others train
m = len(y) - int(np.ceil(0.2 * len(y)))
cut = m - int(np.ceil(0.2 * m))
dtr = xgb.DMatrix(x[:cut], label=y[:cut])
dva = xgb.DMatrix(x[cut:m], label=y[cut:m])
obj_time = [0.0]
class Prune(xgb.callback.TrainingCallback):
    # report -logloss: the study maximises, so the pruner then compares
    # holdout logloss the way mmp does
    def __init__(self, trial):
        self.trial = trial
    def after_iteration(self, model, epoch, evals_log):
        self.trial.report(-evals_log["valid"]["logloss"][-1], epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned()
        return False
def objective(trial):
    p = {"objective": "binary:logistic", "eval_metric": "logloss",
         "tree_method": "hist", "nthread": 2, "seed": 42,
         "max_depth": trial.suggest_int("max_depth", 3, 9),
         "eta": trial.suggest_float("eta", 0.01, 0.3, log=True),
         "subsample": trial.suggest_float("subsample", 0.5, 1.0),
         "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
         "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 20, log=True)}
    t = time.perf_counter()
    try:
        b = xgb.train(p, dtr, 50, evals=[(dva, "valid")],
                      early_stopping_rounds=10, verbose_eval=False,
                      callbacks=[Prune(trial)])
        s = b.predict(dva, iteration_range=(0, b.best_iteration + 1))
        return roc_auc_score(y[cut:m], s)
    finally:
        obj_time[0] += time.perf_counter() - t
optuna.logging.set_verbosity(optuna.logging.WARNING)
pruner = {
    "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=5,
                                                  n_warmup_steps=10),
    "percentile": lambda: optuna.pruners.PercentilePruner(
        pct, n_startup_trials=5, n_warmup_steps=10),
    "successive_halving": lambda: optuna.pruners.SuccessiveHalvingPruner(),
    # -logloss below -upper: logloss above upper
    "threshold": lambda: optuna.pruners.ThresholdPruner(lower=-upper,
                                                        n_warmup_steps=10),
    "none": lambda: optuna.pruners.NopPruner(),
}[kind]()
study = optuna.create_study(direction="maximize",
    sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
t0 = time.time()
c0 = time.process_time()   # every thread of the process
study.optimize(objective, n_trials=trials)
wall = time.time() - t0
cpu = time.process_time() - c0
vals = [t.value if t.state == optuna.trial.TrialState.COMPLETE else None
        for t in study.trials]
ends = [t.datetime_complete.timestamp() - t0 for t in study.trials]
json.dump({"values": vals, "ends": ends, "wall": wall, "cpu": cpu,
           "overhead": (wall - obj_time[0]) / trials}, open(out, "w"))
EOF

cat >"$DIR/summary.py" <<'EOF'
import json, math, sys
rows = {}
for path in sys.argv[1:]:
    r = json.load(open(path))
    rows.setdefault((r["data"], r["tool"]), []).append(r)
def best_at(vals, n):
    b = [v for v in vals[:n] if v is not None]
    return max(b) if b else float("nan")
def reach(r, target):
    cur = None
    for v, e in zip(r["values"], r["ends"]):
        if v is not None and (cur is None or v > cur):
            cur = v
        if cur is not None and cur >= target - 1e-12:
            return e
    return float("nan")
mean = lambda xs: sum(xs) / len(xs)
print("%-14s %-10s %5s %8s %8s %8s %8s %8s %10s %16s" % ("data", "tool",
      "seeds", "best@10", "best@25", "best@50", "pruned", "wall s",
      "sampler ms", "to opt@20 s"))
for (data, tool), rs in sorted(rows.items()):
    opt = rows.get((data, "optuna"))
    tgt = ""
    if opt and tool != "optuna" and len(opt[0]["ends"]) >= 20:
        ts = [reach(r, best_at(o["values"], 20)) for r, o in zip(rs, opt)]
        hit = [t for t in ts if not math.isnan(t)]
        ow = mean([o["ends"][19] for o in opt])
        tgt = "%d/%d %.1f/%.1f" % (len(hit), len(ts),
            mean(hit) if hit else float("nan"), ow)
    print("%-14s %-10s %5d %8.5f %8.5f %8.5f %8.1f %8.1f %10.4f %16s" % (
        data, tool, len(rs), mean([best_at(r["values"], 10) for r in rs]),
        mean([best_at(r["values"], 25) for r in rs]),
        mean([best_at(r["values"], 50) for r in rs]),
        mean([sum(v is None for v in r["values"]) for r in rs]),
        mean([r["wall"] for r in rs]), 1000 * mean([r["overhead"] for r in rs]),
        tgt))
print("to opt@20: seeds where mmp reached Optuna's 20-trial best, mmp's mean")
print("seconds to reach it / Optuna's seconds for its 20 trials")
def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
print("wall and CPU time (user + sys), mmp / Optuna (medians over seeds")
print("of interleaved runs; best value at equal trials, mmp - Optuna):")
for (data, tool), rs in sorted(rows.items()):
    opt = rows.get((data, "optuna"))
    if tool == "optuna" or not opt:
        continue
    n = min(len(r["values"]) for r in rs + opt)
    print("  %-5s %-8s wall %5.2fx   cpu %5.2fx   best@%d %+.5f" % (data,
        tool, median([r["wall"] for r in rs]) /
        median([o["wall"] for o in opt]),
        median([r["cpu"] for r in rs]) / median([o["cpu"] for o in opt]),
        n, median([best_at(r["values"], n) for r in rs]) -
        median([best_at(o["values"], n) for o in opt])))
EOF

run_mmp() {  # run_mmp DATA CSV SEED JOBS OUT
	local proj="$DIR/proj-$1-$3-$4"
	rm -rf "$proj"
	"$MMP" init -q "$proj" >/dev/null
	recipe "$1" "$2" "$3" >"$proj/r.yaml"
	# the CPU time of the whole mmp process, as its parent sees it
	$PY -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), check=True)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(u.ru_utime + u.ru_stime)' "$proj/session.json" \
		"$MMP" -C "$proj" tune --recipe r.yaml --jobs "$4" --threads 2 \
		--json >"$proj/cpu"
	"$MMP" -C "$proj" tune show "$1" --json >"$proj/show.json"
	$PY - "$proj" "$1" "$4" "$5" <<'EOF'
import json, sys
proj, data, jobs, out = sys.argv[1:5]
cpu = float(open(proj + "/cpu").read())
s = json.load(open(proj + "/session.json"))
t = json.load(open(proj + "/show.json"))["trials"]
t0 = min(x["start_time"] for x in t) / 1000
json.dump({"data": data, "tool": "mmp J=" + jobs,
    "values": [x["value"] if x["state"] == "COMPLETE" else None for x in t],
    "ends": [x["end_time"] / 1000 - t0 for x in t],
    "wall": s["session"]["seconds"], "cpu": cpu,
    "overhead": s["session"]["sampler_seconds"] / max(1, s["session"]["trials"])},
    open(out, "w"))
EOF
}

RESULTS=()
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
for data in bc syn; do
	csv="$DIR/bc.csv"
	test $data = syn && csv="$DIR/syn-$ROWS.csv"
	for s in $(seq 1 "$NSEEDS"); do
		for j in 1 2; do
			out="$DIR/res-$data-mmp$j-$s.json"
			run_mmp "$data" "$csv" "$s" "$j" "$out"
			RESULTS+=("$out")
		done
		if test $HAVE_OPTUNA = 1; then
			out="$DIR/res-$data-optuna-$s.json"
			$PY "$DIR/optuna_run.py" "$csv" "$TRIALS" "$s" "$out.raw" \
				"$PRUNER" "$PRUNER_PERCENTILE" "$PRUNER_UPPER"
			$PY -c "import json,sys; r=json.load(open(sys.argv[1])); r.update(data=sys.argv[2], tool='optuna'); json.dump(r, open(sys.argv[3], 'w'))" \
				"$out.raw" "$data" "$out"
			RESULTS+=("$out")
		fi
		echo "done: $data seed $s" >&2
	done
done
echo "== mmp tune vs Optuna, pruner $PRUNER: $TRIALS trials, $NSEEDS seeds, bc = breast cancer (569 rows), syn = $ROWS x 28"
echo "load average (1, 5, 15 min) at the start: $LOAD0, at the end: $(cut -d" " -f1-3 /proc/loadavg)"
$PY "$DIR/summary.py" "${RESULTS[@]}"
