#!/bin/bash
# SPDX-License-Identifier: MIT
# postgres.sh: mmp train reading a PostgreSQL table against the Python
# pipeline it replaces (pandas.read_sql through SQLAlchemy and psycopg2,
# then xgboost.train) on a seeded ROWS x 28 table in a private server.
# Prints load, total and wall seconds and peak RSS, medians of
# interleaved rounds, and the ratios. A benchmark, not a test.
#
#   scripts/bench/postgres.sh [ROWS] [ROUNDS]     (defaults 1000000 and 3)
#   MMP_BENCH_DIR=DIR keeps the generated CSV (default $TMPDIR)
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
PG_BIN=
for d in /usr/lib/postgresql/*/bin; do
	test -x "$d/initdb" && PG_BIN=$d
done
if [ -z "$PG_BIN" ]; then
	echo "postgres.sh: the PostgreSQL server is not installed" \
		"(scripts/install-deps.sh)" >&2
	exit 1
fi

. scripts/bench/lib/pipeline.sh

mkdir -p "$DIR"
test -x "$MMP" || make -j2 >/dev/null
bench_csv

# a private server: a Unix socket in its own directory, no TCP
PG=$(mktemp -d "$DIR/pg.XXXXXX")
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$PG" && runuser -u postgres -- "$@")
	else
		(cd "$PG" && "$@")
	fi
}
stop_server() {
	as_owner "$PG_BIN/pg_ctl" -D "$PG/data" -m fast -w stop \
		>/dev/null 2>&1 || :
	rm -rf "$PG"
}
trap stop_server EXIT
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$DIR" "$PG"
	chown postgres "$PG"
fi
as_owner "$PG_BIN/initdb" -D "$PG/data" -U postgres --auth=trust \
	--no-sync -E UTF8 --locale=C >/dev/null
as_owner "$PG_BIN/pg_ctl" -D "$PG/data" -w -l "$PG/server.log" \
	-o "-k $PG -p 5432 -c listen_addresses=''" start >/dev/null
psql_() {
	as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$PG" -p 5432 -U postgres \
		"$@"
}
psql_ -d postgres -c "CREATE DATABASE bench"
cols=$(head -n 1 "$CSV" | tr ',' '\n' |
	awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1,
		($1 == "target" ? "int4" : "float8") }')
echo "loading $ROWS rows into PostgreSQL"
psql_ -d bench -c "CREATE TABLE bench ($cols)"
psql_ -d bench -c "COPY bench FROM STDIN WITH (FORMAT csv, HEADER)" \
	<"$CSV"
psql_ -d bench -c "VACUUM ANALYZE bench"
URI="postgresql://postgres@/bench?host=$PG&port=5432"

# the same job on both sides: 80/20 split, 100 rounds of depth 6 (hist)
cat >"$DIR/pg-bench.yaml" <<RECIPE
task: binary_classification
data:
  source: "$URI"
  table: bench
  interface: {target_column: target}
  split: {test_size: 0.2, seed: 42, stratify: false}
model:
  params: {objective: "binary:logistic", eval_metric: logloss, max_depth: 6,
           eta: 0.3, tree_method: hist, seed: 42}
  num_boost_round: 100
evaluation:
  metrics: [accuracy, roc_auc, logloss]
  bootstrap: 0
RECIPE

cat >"$DIR/pg-bench.py" <<'PYTHON'
import json, sys, time
t0 = time.time()
import numpy as np, pandas as pd, xgboost as xgb, sqlalchemy
t_import = time.time()
uri, out = sys.argv[1:3]
engine = sqlalchemy.create_engine(uri.replace("postgresql://",
                                              "postgresql+psycopg2://", 1))
df = pd.read_sql("SELECT * FROM bench", engine)
y = df.pop("target").values
t_load = time.time()
rng = np.random.default_rng(42)
idx = rng.permutation(len(df))
ntest = int(np.ceil(0.2 * len(df)))
te, tr = np.sort(idx[:ntest]), np.sort(idx[ntest:])
dtr = xgb.DMatrix(df.iloc[tr], label=y[tr])
dte = xgb.DMatrix(df.iloc[te], label=y[te])
params = {"objective": "binary:logistic", "eval_metric": "logloss",
          "max_depth": 6, "eta": 0.3, "tree_method": "hist", "seed": 42}
b = xgb.train(params, dtr, 100, evals=[(dtr, "train"), (dte, "valid")],
              verbose_eval=False)
b.save_model(out)
t_end = time.time()
print(json.dumps({"load": t_load - t_import, "total": t_end - t0}))
PYTHON

have_py=0
if "$PY" -c 'import pandas, xgboost, sqlalchemy, psycopg2' 2>/dev/null; then
	have_py=1
else
	echo "note: python3 with pandas, xgboost, sqlalchemy and psycopg2 is" \
		"missing; printing mmp's figures only"
fi

run_mmp() { bench_mmp_train "$DIR/pg-bench.yaml" load total; }

run_py() {
	bench_py load total -- "$DIR/pg-bench.py" "$URI" "$DIR/py-model.ubj"
}

export OMP_WAIT_POLICY=PASSIVE
rm -f "$DIR"/mmp.* "$DIR"/py.*
for i in $(seq "$ROUNDS"); do
	run_mmp
	if [ "$have_py" = 1 ]; then
		run_py
	fi
done
echo "$ROWS x 28 from PostgreSQL, 100 rounds of depth 6:" \
	"medians of $ROUNDS interleaved rounds"
printf "  %-10s %12s %12s %12s\n" "" "mmp" "python" "python/mmp"
bench_report load
bench_report total
bench_report wall
bench_report peak_mb
