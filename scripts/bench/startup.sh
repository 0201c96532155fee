#!/bin/bash
# SPDX-License-Identifier: MIT
# startup.sh: how long mmp's everyday commands take from exec to exit
# on a store with 50 runs (the read-only ones open none of XGBoost,
# libgit2, libcurl and libmicrohttpd; approve re-scores with XGBoost),
# next to the floor of the Python stack: a bare python3 start, and
# python3 importing xgboost (MLflow's CLI imports far more; it is not
# installable here).
# Medians of interleaved rounds, printed with mmp / peer ratios.
# A benchmark, not a test.
#
#   scripts/bench/startup.sh [ROUNDS]      (default 30)
#   MMP_BASELINE=/path/to/older/mmp scripts/bench/startup.sh
#       also time another mmp binary on the same commands
set -eu

cd "$(dirname "$0")/../.."
SRC=$PWD
ROUNDS=${1:-30}
MMP=$SRC/cmd/mmp
PY=/usr/bin/python3
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mmp-bench-startup.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

test -x "$MMP" || make -j2 >/dev/null
"$MMP" init -q "$DIR/p"
cd "$DIR/p"
for i in $(seq 50); do
	"$MMP" train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=$((10 + i)) >"$DIR/last"
done
RUN=$(cat "$DIR/last")
"$MMP" register "$RUN" --name cancer >/dev/null

# the timing loop: spawn each command in turn, round after round, and
# keep the wall time from spawn to exit (python's own start is not in it)
"$PY" - "$ROUNDS" "$MMP" "${MMP_BASELINE:-}" "$RUN" "$PY" <<'PYEOF'
import os, statistics, subprocess, sys, time

rounds, mmp, base, run, py = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5]
cmds = [
    ("--version", ["--version"]),
    ("runs list", ["runs", "list"]),
    ("runs show", ["runs", "show", run]),
    ("models show", ["models", "show", "cancer"]),
    ("audit", ["audit"]),
    ("config list", ["config", "list"]),
    ("runs list --filter", ["runs", "list", "--filter",
        "metrics.roc_auc>0.99", "--order-by", "metrics.logloss"]),
    ("approve", ["approve", "cancer", "v1", "--json"]),
    ("doctor store+config", ["doctor", "--check", "store", "--check",
        "config"]),
]
peers = [
    ("python3 (bare)", [py, "-c", "pass"]),
    ("python3 -c 'import xgboost'", [py, "-c", "import xgboost"]),
]
have = subprocess.run([py, "-c", "import xgboost"], capture_output=True)
if have.returncode:
    peers = peers[:1]
jobs = [("mmp " + n, [mmp] + a) for n, a in cmds]
if base:
    jobs += [("baseline " + n, [base] + a) for n, a in cmds]
jobs += peers
times = {name: [] for name, _ in jobs}
null = open(os.devnull, "wb")
for _ in range(rounds):
    for name, argv in jobs:
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=null, stderr=null, check=False)
        times[name].append((time.perf_counter() - t0) * 1000)
med = {k: statistics.median(v) for k, v in times.items()}
floor = med["python3 (bare)"]
imp = med.get("python3 -c 'import xgboost'")
print("%-32s %10s %14s %14s" % ("command", "median ms", "python3 / mmp",
      "import / mmp"))
for name, _ in jobs:
    m = med[name]
    r1 = "%.1fx" % (floor / m)
    r2 = "%.1fx" % (imp / m) if imp else "-"
    print("%-32s %10.2f %14s %14s" % (name, m, r1, r2))
if base:
    print()
    for n, _ in cmds:
        print("baseline / mmp, %-14s %6.1fx" %
              (n + ":", med["baseline " + n] / med["mmp " + n]))
PYEOF
