#!/bin/bash
# SPDX-License-Identifier: MIT
# serve.sh: benchmark `mmp serve-api` with wrk: POST /predict, one row per
# request, on a 28-feature binary model (100 trees, depth 6). When Debian's
# python3-fastapi, python3-uvicorn and python3-xgboost are installed, the
# same model behind FastAPI + uvicorn is measured the same way. mmp runs
# twice: with its own tree predictor and with XGBoost's (MMP_PREDICTOR).
# Then the cost of drift monitoring: the same model with its reference
# profile, served with monitoring off, on, and on with every prediction
# logged by id, in interleaved rounds; the medians are compared.
#
#   scripts/bench/serve.sh            (BENCH_DURATION=15s, BENCH_CONNS=32,
#                                      BENCH_ROUNDS=5, BENCH_MON_DURATION=5s)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNS:-32}
ROUNDS=${BENCH_ROUNDS:-5}
MON_DURATION=${BENCH_MON_DURATION:-5s}
THREADS=2
PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || PY=python3

command -v wrk >/dev/null 2>&1 || {
	echo "serve.sh: wrk is not installed (scripts/install-deps.sh)" >&2
	exit 1
}
make -C "$ROOT" -s all test/helpers/bin/mkmodel >/dev/null

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmp-bench-serve.XXXXXX")
SERVER=
cleanup() {
	if test -n "$SERVER"; then kill -9 "$SERVER" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait up to 60 s for GET /ping to answer 200
wait_ready() {
	for _ in $(seq 600); do
		if curl -s -o /dev/null -w '%{http_code}' \
			"http://127.0.0.1:$1/ping" 2>/dev/null | grep -q 200; then
			return 0
		fi
		kill -0 "$SERVER" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

echo "building the model (28 features, 100 trees, depth 6)..."
"$ROOT/test/helpers/bin/mkmodel" synth "$TMP/model" 28 20000 100 6

# one row, the same for every request
{
	printf '{'
	for i in $(seq 0 27); do
		printf '"f%02d": %s' "$i" "0.$(( (i * 7919) % 1000 ))"
		test "$i" = 27 || printf ', '
	done
	printf '}'
} >"$TMP/row.json"

cat >"$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$TMP/row.json", "rb")
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %.0f %.3f %.3f %d %d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		e.connect + e.read + e.write + e.timeout, e.status))
end
LUA

# run_wrk PORT NAME: prints one line, sets RPS
run_wrk() {
	local out
	# a short warm-up, then the measured run
	wrk -t"$THREADS" -c"$CONNS" -d2s -s "$TMP/post.lua" \
		"http://127.0.0.1:$1/predict" >/dev/null
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$TMP/post.lua" \
		"http://127.0.0.1:$1/predict" | sed -n 's/^RESULT //p')
	set -- $out "$2"
	printf '%-18s %9s req/s  p50 %7s ms  p99 %7s ms  errors %s (non-2xx %s)\n' \
		"$7" "$2" "$3" "$4" "$5" "$6"
	RPS=$2
	LAST_P99=$4
}

# serve_mmp NAME PREDICTOR: serve the model with MMP_PREDICTOR=PREDICTOR
# and run wrk against it; sets RPS and P99
serve_mmp() {
	local rss0 rss1
	PORT=$(free_port)
	MMP_PREDICTOR=$2 "$ROOT/cmd/mmp" serve-api -v \
		--model-dir "$TMP/model" --port "$PORT" \
		--log-file "$TMP/access.log" 2>"$TMP/serve.err" &
	SERVER=$!
	wait_ready "$PORT" || { cat "$TMP/serve.err" >&2; exit 1; }
	curl -s -H 'Content-Type: application/json' \
		--data-binary @"$TMP/row.json" \
		"http://127.0.0.1:$PORT/predict" >"$TMP/$2.out"
	rss0=$(rss_kib "$SERVER")
	run_wrk "$PORT" "$1"
	P99=$LAST_P99
	rss1=$(rss_kib "$SERVER")
	echo "$1: $(grep '^predictor:' "$TMP/serve.err");" \
		"RSS $rss0 KiB before, $rss1 KiB after the run"
	kill -TERM "$SERVER"
	wait "$SERVER" || {
		echo "serve.sh: mmp serve-api did not exit 0" >&2
		exit 1
	}
	SERVER=
}

echo "wrk -t$THREADS -c$CONNS -d$DURATION, POST /predict, one row"
serve_mmp "mmp serve-api" mmp
MMP_RPS=$RPS
MMP_P99=$P99
serve_mmp "mmp (xgboost)" xgboost
cmp -s "$TMP/mmp.out" "$TMP/xgboost.out" || {
	echo "serve.sh: the predictors answer differently" >&2
	exit 1
}
awk -v a="$MMP_RPS" -v b="$RPS" -v c="$MMP_P99" -v d="$P99" \
	'BEGIN { printf "mmp forest / xgboost predictor: throughput %.2fx, " \
	"p99 %.2f ms / %.2f ms = %.2f\n", a / b, c, d, c / d }'

# --- drift monitoring: off, on, on with the prediction log ---
echo "drift monitoring: $ROUNDS interleaved rounds of $MON_DURATION each"
"$ROOT/cmd/mmp" init -q "$TMP/proj" >/dev/null
"$ROOT/test/helpers/bin/mkmodel" synth "$TMP/proj/mon" 28 20000 100 6 \
	--profile --entity id
sed 's/^{/{"id": "c-1", /' "$TMP/row.json" >"$TMP/proj/row.json"
sed "s|$TMP/row.json|$TMP/proj/row.json|" "$TMP/post.lua" >"$TMP/mon.lua"

# mon_run MODE: one measured run of the monitored model; sets RPS
mon_run() {
	local port out cfg
	case $1 in
	off) cfg="-c serve.monitor.enabled=false" ;;
	on) cfg="" ;;
	log) cfg="-c serve.monitor.id_field=id" ;;
	esac
	port=$(free_port)
	# shellcheck disable=SC2086
	(cd "$TMP/proj" && exec "$ROOT/cmd/mmp" $cfg serve-api \
		--model-dir mon --port "$port" --log-file "$TMP/mon.log") \
		2>"$TMP/mon.err" &
	SERVER=$!
	wait_ready "$port" || { cat "$TMP/mon.err" >&2; exit 1; }
	wrk -t"$THREADS" -c"$CONNS" -d1s -s "$TMP/mon.lua" \
		"http://127.0.0.1:$port/predict" >/dev/null
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$MON_DURATION" \
		-s "$TMP/mon.lua" "http://127.0.0.1:$port/predict" |
		sed -n 's/^RESULT //p')
	set -- $out
	RPS=$2
	kill -TERM "$SERVER"
	wait "$SERVER" || { echo "serve.sh: serve-api did not exit 0" >&2
		exit 1; }
	SERVER=
}

median() {
	sort -n | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: >"$TMP/off" ; : >"$TMP/on" ; : >"$TMP/log"
for r in $(seq "$ROUNDS"); do
	# alternate the order so no mode always runs on a warmer machine
	if test $((r % 2)) = 1; then order="off on log"; else order="log on off"; fi
	for mode in $order; do
		mon_run "$mode"
		echo "$RPS" >>"$TMP/$mode"
	done
	printf 'round %d: off %s  on %s  on+log %s req/s\n' "$r" \
		"$(tail -1 "$TMP/off")" "$(tail -1 "$TMP/on")" \
		"$(tail -1 "$TMP/log")"
done
OFF=$(median <"$TMP/off"); ON=$(median <"$TMP/on"); LOG=$(median <"$TMP/log")
awk -v off="$OFF" -v on="$ON" -v lg="$LOG" 'BEGIN {
	printf "medians: off %.0f, on %.0f, on+log %.0f req/s\n", off, on, lg
	printf "monitoring on / off: %.3fx (%.1f%% cost)\n", on / off,
		100 * (1 - on / off)
	printf "monitoring + prediction log / off: %.3fx (%.1f%% cost)\n",
		lg / off, 100 * (1 - lg / off) }'
WINDOWS=$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*), sum(rows) FROM monitor_windows").fetchone())' "$TMP/proj/.mmp/mmp.db")
echo "windows saved (count, rows): $WINDOWS"

if ! "$PY" -c 'import fastapi, uvicorn, xgboost, numpy' 2>/dev/null; then
	echo "FastAPI comparison skipped: install python3-fastapi," \
		"python3-uvicorn and python3-xgboost"
	exit 0
fi

# the equivalent FastAPI app: a pydantic model built from the schema,
# booster.inplace_predict on one row
cat >"$TMP/app.py" <<PYAPP
import json
import numpy as np
import xgboost as xgb
from fastapi import FastAPI
from pydantic import create_model

schema = json.load(open("$TMP/model/mmp-schema.json"))
names = [f["name"] for f in schema["features"]]
Row = create_model("Row", **{n: (float, ...) for n in names})
booster = xgb.Booster()
booster.load_model("$TMP/model/model.ubj")
booster.set_param({"nthread": 1})
app = FastAPI()

@app.post("/predict")
def predict(row: Row):
    x = np.array([[getattr(row, n) for n in names]], dtype=np.float32)
    p = float(booster.inplace_predict(x)[0])
    return {"predictions": [{"prediction": "1" if p > 0.5 else "0",
        "probabilities": {"0": 1.0 - p, "1": p}}]}

@app.get("/ping")
def ping():
    return {}
PYAPP
PORT=$(free_port)
(cd "$TMP" && exec "$PY" -m uvicorn app:app --host 127.0.0.1 --port "$PORT" \
	--workers "$(nproc)" --log-level warning --no-access-log) \
	2>"$TMP/uvicorn.err" &
SERVER=$!
wait_ready "$PORT" || { cat "$TMP/uvicorn.err" >&2; exit 1; }
run_wrk "$PORT" "FastAPI+uvicorn"
FASTAPI_RPS=$RPS
kill -TERM "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
SERVER=
awk -v a="$MMP_RPS" -v b="$FASTAPI_RPS" \
	'BEGIN { printf "mmp serve-api / FastAPI throughput: %.1fx\n", a / b }'
