#!/bin/bash
# SPDX-License-Identifier: MIT
# ui.sh: server time and bytes of `mmp ui` pages over a store of 100,000
# runs (20 params, 10 metrics and a 200-step curve each): the first runs
# page, the runs page sorted by a metric, a run page and a 100-run
# comparison. Medians of interleaved rounds, set against the aims. A
# benchmark, not a test.
#
#   scripts/bench/ui.sh [RUNS] [ROUNDS]     (defaults 100000 and 7)
#   MMP_BENCH_DIR=DIR keeps the filled store (default $TMPDIR)
set -eu

cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${1:-100000}
ROUNDS=${2:-7}
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-ui}
STORE="$DIR/store-$RUNS"
DB="$STORE/mmp.db"
MMP="$ROOT/cmd/mmp"
W="$ROOT/test/helpers/bin/store-writer"

make -s -j2 cmd/mmp test/helpers/bin/store-writer >/dev/null
mkdir -p "$DIR"

# the fill: plain SQL through the store's own schema, in one transaction;
# the big index is built once at the end rather than row by row
if ! test -s "$STORE/filled"; then
	rm -rf "$STORE"
	"$W" "$DB" create >/dev/null
	echo "filling $DB with $RUNS runs"
	t0=$(date +%s.%N)
	sqlite3 -batch "$DB" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
DROP INDEX metrics_by_run_key;
INSERT INTO experiments (experiment_id, name, artifact_location,
  creation_time, last_update_time)
  VALUES (1, 'bench', 'artifacts/1', 1700000000000, 1700000000000);
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s
  WHERE i < $RUNS - 1)
INSERT INTO runs (run_uuid, experiment_id, name, status, start_time,
  end_time, user_id, source_name, source_type, artifact_uri, kind)
  SELECT printf('%032x', i), 1, 'run-' || i, 'FINISHED',
    1700000000000 + i * 1000, 1700000000000 + i * 1000 + 60000, 'bench',
    'recipes/bench.yaml', 'LOCAL',
    'artifacts/1/' || printf('%032x', i) || '/artifacts', 'train'
  FROM s;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k
  WHERE j < 19)
INSERT INTO params (run_uuid, key, value)
  SELECT r.run_uuid, 'param_' || j,
    CAST(((r.rowid * 7919 + j * 104729) % 1000) / 1000.0 AS TEXT)
  FROM runs r, k;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k
  WHERE j < 9)
INSERT INTO latest_metrics (run_uuid, key, value, is_nan, step, timestamp)
  SELECT r.run_uuid, 'metric_' || j,
    ((r.rowid * 2654435761 + j * 40503) % 100000) / 100000.0, 0, 0,
    r.start_time
  FROM runs r, k;
INSERT INTO metrics (run_uuid, key, value, is_nan, step, timestamp)
  SELECT run_uuid, key, value, 0, 0, timestamp FROM latest_metrics;
WITH RECURSIVE st(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM st
  WHERE k < 199)
INSERT INTO metrics (run_uuid, key, value, is_nan, step, timestamp)
  SELECT r.run_uuid, 'loss',
    1.0 / (1 + k * 0.05) + ((r.rowid * 31 + k * 17) % 100) / 2000.0, 0, k,
    r.start_time + k
  FROM runs r, st;
INSERT INTO latest_metrics (run_uuid, key, value, is_nan, step, timestamp)
  SELECT run_uuid, 'loss', value, 0, 199, timestamp FROM metrics
  WHERE key = 'loss' AND step = 199;
CREATE INDEX metrics_by_run_key ON metrics
  (run_uuid, key, step, timestamp);
COMMIT;
ANALYZE;
SQL
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v s="$(du -h "$DB" | cut -f1)" \
		'BEGIN { printf "filled in %.1f s: %s\n", b - a, s }'
	echo "$RUNS" >"$STORE/filled"
fi

LOG="$DIR/ui-access.log"
: >"$LOG"
"$MMP" --store "$DB" ui --port 0 --log-file "$LOG" 2>"$DIR/ui.err" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 100); do
	grep -q "^serving the UI" "$DIR/ui.err" && break
	sleep 0.1
done
PORT=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$DIR/ui.err")
test -n "$PORT" || { cat "$DIR/ui.err"; exit 1; }
BASE="http://127.0.0.1:$PORT"

MID=$(printf '%032x' $((RUNS / 2)))
CMP=""
for i in $(seq 0 99); do
	CMP="$CMP&run=$(printf '%032x' $(( (i * 997) % RUNS )))"
done
CMP="/compare?${CMP#&}"

names=("runs page" "runs by metric" "run page" "compare 100")
paths=("/runs" "/runs?sort=metrics.metric_3%20DESC" "/runs/$MID" "$CMP")
aims_ms=(50 "" 20 300)
aims_kb=(200 "" "" "")

# warm the page cache once, then interleave the pages round by round
for p in "${paths[@]}"; do
	curl -s -o /dev/null "$BASE$p"
done
: >"$LOG"
for _ in $(seq "$ROUNDS"); do
	for p in "${paths[@]}"; do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$p")
		test "$code" = 200 || { echo "GET $p: $code"; exit 1; }
	done
done

# the access log: ... "GET /path" 200 BYTES 1.234ms, in request order
median() {
	sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
echo "mmp ui on $RUNS runs, median of $ROUNDS interleaved rounds" \
	"(server time from the access log)"
printf "%-16s %10s %10s %10s %12s\n" page "server ms" "aim ms" bytes \
	"ms / aim"
for k in "${!paths[@]}"; do
	lines=$(awk -v n=${#paths[@]} -v k="$k" '(NR - 1) % n == k' "$LOG")
	ms=$(echo "$lines" | awk '{ sub(/ms$/, "", $NF); print $NF }' |
		median)
	bytes=$(echo "$lines" | awk '{ print $(NF - 1) }' | median)
	ratio="-"
	if test -n "${aims_ms[$k]}"; then
		ratio=$(awk -v a="$ms" -v b="${aims_ms[$k]}" \
			'BEGIN { printf "%.2f", a / b }')
	fi
	printf "%-16s %10s %10s %10s %12s\n" "${names[$k]}" "$ms" \
		"${aims_ms[$k]:--}" "$bytes" "$ratio"
	if test -n "${aims_kb[$k]}"; then
		awk -v b="$bytes" -v a="${aims_kb[$k]}" 'BEGIN {
			printf "%-16s %10.1f KB of an aim of %d KB (%.2f)\n",
				"", b / 1024, a, b / 1024 / a }'
	fi
done
echo
echo "peer: MLflow's UI cannot run here (mlflow is not a Debian package" \
	"and there is no PyPI), so there is no figure beside these; its" \
	"issues 1517, 5653, 11260, 11927 and 21841 report minutes for" \
	"experiments of a few thousand runs."
