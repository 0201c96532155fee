#!/bin/bash
# SPDX-License-Identifier: MIT
# predict.sh: mmp_model_predict() with mmp's compiled trees against
# XGBoost's own predictor (XGBoosterPredictFromDense) on a 100-tree
# depth-6 binary model over 28 features: ROWS rows in one batch on the
# same threads, and single-row calls; interleaved rounds, medians, the
# ratio. The predictions are checked bit for bit first. A benchmark,
# not a test.
#
#   scripts/bench/predict.sh [ROWS] [THREADS] [ROUNDS]
#                           (defaults 1000000, "1 2": one run each, and 3)
#   MMP_BENCH_DIR=DIR keeps the model (default $TMPDIR)
set -eu

cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
THREADS=${2:-"1 2"}
ROUNDS=${3:-3}
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-predict}
MODEL="$DIR/model-28x100x6"
CC=${CC:-cc}

mkdir -p "$DIR"
make -s -j2 lib/libmmp.a test/helpers/bin/mkmodel >/dev/null
if ! test -s "$MODEL/model.ubj"; then
	echo "training 100 trees of depth 6 on 50000 rows of 28 features"
	rm -rf "$MODEL"
	test/helpers/bin/mkmodel synth "$MODEL" 28 50000 100 6 >/dev/null
fi
DEP_LIBS="$(pkg-config --libs libgit2 yaml-0.1 libcjson libcurl sqlite3 \
	libmicrohttpd libcrypto zlib libzstd) -ldl"
"$CC" -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Ilib \
	$(pkg-config --cflags libcjson) -o "$DIR/predict" \
	scripts/bench/predict.c lib/libmmp.a $DEP_LIBS -lxgboost -lpthread -lm
for t in $THREADS
do
	OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} \
		"$DIR/predict" "$MODEL" "$ROWS" "$t" "$ROUNDS"
done
