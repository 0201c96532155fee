#!/bin/bash
# SPDX-License-Identifier: MIT
# batch.sh: time mmp batch-inference against the Python equivalent
# (pandas.read_csv + Booster.inplace_predict + DataFrame.to_csv) on the
# seeded 1,000,000 x 28 CSV through a 100-tree depth-6 binary model:
# median wall time, CPU time, rows/s and peak RSS of interleaved rounds,
# the ratios, the scaling of --threads, and the CPU the rows digest costs
# (made only for --json or a recorded job). A benchmark, not a test.
#
#   scripts/bench/batch.sh [ROWS] [ROUNDS]     (defaults 1000000 and 3)
#   MMP_BENCH_DIR=DIR keeps the generated data (default $TMPDIR)
set -eu

cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${1:-1000000}
ROUNDS=${2:-3}
SEED=42
TRAIN_ROWS=200000
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-csv}
CSV="$DIR/gen-$ROWS-$SEED.csv"
MODEL="$DIR/batch-model"
PY=/usr/bin/python3
CC=${CC:-cc}
MMP="$ROOT/cmd/mmp"
NCPU=$(nproc)

mkdir -p "$DIR"
make -s -j2 cmd/mmp test/helpers/bin/mkmodel >/dev/null

"$CC" -O2 -o "$DIR/gencsv" scripts/bench/gencsv.c -lm
if ! test -s "$CSV"; then
	echo "generating $ROWS rows in $CSV"
	"$DIR/gencsv" -n "$ROWS" -s "$SEED" -o "$CSV.tmp"
	mv "$CSV.tmp" "$CSV"
fi
# 100 trees of depth 6 on the first rows (the same seed: the same model)
if ! test -s "$MODEL/model.ubj"; then
	echo "training 100 trees of depth 6 on $TRAIN_ROWS rows"
	head -n $((TRAIN_ROWS + 1)) "$CSV" >"$DIR/train.csv"
	rm -rf "$MODEL"
	test/helpers/bin/mkmodel train "$MODEL" "$DIR/train.csv" binary \
		target --rounds 100 --depth 6
	rm -f "$DIR/train.csv"
fi

have_py=1
if ! "$PY" -c 'import pandas, xgboost' 2>/dev/null; then
	have_py=0
	echo "note: pandas or xgboost is not installed for $PY: skipping" \
		"the Python path"
fi
cat >"$DIR/batch.py" <<'EOF'
# the Python equivalent: the whole file in memory, labels and probabilities
import json, sys
import numpy as np, pandas as pd, xgboost as xgb
model_dir, src, dst = sys.argv[1:4]
schema = json.load(open(model_dir + "/mmp-schema.json"))
names = [f["name"] for f in schema["features"]]
classes = schema["classes"]
booster = xgb.Booster(model_file=model_dir + "/model.ubj")
booster.set_param({"nthread": int(sys.argv[4])})
df = pd.read_csv(src)
p = booster.inplace_predict(df[names])
out = pd.DataFrame({"prediction": np.where(p > 0.5, classes[1], classes[0]),
    classes[0]: (1 - p).astype(np.float32), classes[1]: p})
out.to_csv(dst, index=False)
EOF

# run NAME CMD...: append "wall_seconds peak_kb cpu_seconds" to
# $DIR/NAME.txt
run() {
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$DIR/time.out" "$@" >/dev/null
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$DIR/time.out" \
		>"$DIR/time.sum"
	mv "$DIR/time.sum" "$DIR/time.out"
	cat "$DIR/time.out" >>"$DIR/$name.txt"
}

NAMES="mmp mmpjson mmp1 mmp2 mmplabel py"
for n in $NAMES; do : >"$DIR/$n.txt"; done
for r in $(seq "$ROUNDS"); do
	run mmp "$MMP" batch-inference --model-dir "$MODEL" --input "$CSV" \
		--output "$DIR/out-mmp.csv" --proba -q
	run mmpjson "$MMP" batch-inference --model-dir "$MODEL" \
		--input "$CSV" --output "$DIR/out-json.csv" --proba --json
	run mmp1 "$MMP" batch-inference --model-dir "$MODEL" --input "$CSV" \
		--output "$DIR/out-mmp1.csv" --proba --threads 1 -q
	run mmp2 "$MMP" batch-inference --model-dir "$MODEL" --input "$CSV" \
		--output "$DIR/out-mmp2.csv" --proba --threads 2 -q
	run mmplabel "$MMP" batch-inference --model-dir "$MODEL" \
		--input "$CSV" --output "$DIR/out-label.csv" -q
	if test $have_py = 1; then
		run py "$PY" "$DIR/batch.py" "$MODEL" "$CSV" \
			"$DIR/out-py.csv" "$NCPU"
	fi
	echo "round $r done"
done

median() { # FILE COLUMN
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
		END { if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

if test $have_py = 1; then
	# the same labels; probabilities equal as float32 values
	"$PY" - "$DIR/out-mmp.csv" "$DIR/out-py.csv" <<'EOF'
import sys, numpy as np, pandas as pd
a = pd.read_csv(sys.argv[1], dtype={"prediction": str})
b = pd.read_csv(sys.argv[2], dtype={"prediction": str})
assert (a["prediction"] == b["prediction"]).all(), "labels differ"
for c in a.columns[1:]:
    assert (a[c].astype(np.float32) == b[c].astype(np.float32)).all(), c
print("outputs agree: %d rows, same labels and float32 probabilities"
      % len(a))
EOF
fi

printf '\n%s: %s rows x 28 features, %.0f MB; %s cores; %s rounds\n' \
	"$(basename "$CSV")" "$ROWS" \
	"$(echo "$(wc -c <"$CSV") / 1000000" | bc -l)" "$NCPU" "$ROUNDS"
printf '%-44s %9s %9s %12s %10s\n' "job" "wall (s)" "CPU (s)" "rows/s" \
	"peak MB"
for n in $NAMES; do
	test -s "$DIR/$n.txt" || continue
	case $n in
	mmp) label="mmp, --proba, default threads ($NCPU)" ;;
	mmpjson) label="mmp, --proba, --json (rows digest)" ;;
	mmp1) label="mmp, --proba, --threads 1" ;;
	mmp2) label="mmp, --proba, --threads 2" ;;
	mmplabel) label="mmp, labels only, default threads" ;;
	py) label="pandas + inplace_predict + to_csv" ;;
	esac
	t=$(median "$DIR/$n.txt" 1)
	printf '%-44s %9.3f %9.2f %12.0f %10.1f\n' "$label" "$t" \
		"$(median "$DIR/$n.txt" 3)" "$(echo "$ROWS / $t" | bc -l)" \
		"$(echo "$(median "$DIR/$n.txt" 2) / 1024" | bc -l)"
done
t1=$(median "$DIR/mmp1.txt" 1); t2=$(median "$DIR/mmp2.txt" 1)
printf -- '--threads 2 vs 1: %.2fx\n' "$(echo "$t1 / $t2" | bc -l)"
c0=$(median "$DIR/mmp.txt" 3); cj=$(median "$DIR/mmpjson.txt" 3)
printf 'rows digest (--json) / none: %.2fx CPU time\n' \
	"$(echo "$cj / $c0" | bc -l)"
if test $have_py = 1; then
	pt=$(median "$DIR/py.txt" 1); pm=$(median "$DIR/py.txt" 2)
	mt=$(median "$DIR/mmp.txt" 1); mm=$(median "$DIR/mmp.txt" 2)
	printf 'Python / mmp: %.1fx wall time, %.1fx peak RSS\n' \
		"$(echo "$pt / $mt" | bc -l)" "$(echo "$pm / $mm" | bc -l)"
fi
