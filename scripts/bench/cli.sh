#!/bin/bash
# SPDX-License-Identifier: MIT
# cli.sh: how long mmp's everyday commands take from start to exit
# (runs, registry, approval, doctor) on a store with 50 runs, next to the
# floor of any command of the Python stack: starting python3 and
# importing pandas, xgboost and scikit-learn (MLflow's client imports
# more). Medians of interleaved rounds. A benchmark, not a test.
#
#   scripts/bench/cli.sh [ROUNDS]      (default 20)
set -eu

cd "$(dirname "$0")/../.."
SRC=$PWD
ROUNDS=${1:-20}
MMP=$SRC/cmd/mmp
PY=/usr/bin/python3
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mmp-bench-cli.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

test -x "$MMP" || make -j2 >/dev/null
"$MMP" init -q "$DIR/p"
cd "$DIR/p"
for i in $(seq 50); do
	"$MMP" train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=$((10 + i)) >"$DIR/last"
done
"$MMP" register "$(cat "$DIR/last")" --name cancer >/dev/null
export OMP_WAIT_POLICY=PASSIVE

# ms COMMAND...: wall milliseconds of one run
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A cmds=(
	[runs-list]="$MMP runs list"
	[runs-filter]="$MMP runs list --filter metrics.roc_auc>0.99 --order-by metrics.logloss"
	[models-show]="$MMP models show cancer"
	[approve]="$MMP approve cancer v1 --json"
	[doctor-store]="$MMP doctor --check store --check config"
	[version]="$MMP --version"
)
have_py=0
if "$PY" -c 'import pandas, xgboost, sklearn' 2>/dev/null; then
	have_py=1
fi

for r in $(seq "$ROUNDS"); do
	for k in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		ms ${cmds[$k]} >>"$DIR/t.$k"
	done
	if [ "$have_py" = 1 ]; then
		ms "$PY" -c 'import pandas, xgboost, sklearn' >>"$DIR/t.python"
	fi
done

printf "%-16s %12s\n" "command" "median ms"
for k in version runs-list runs-filter models-show approve doctor-store; do
	printf "%-16s %12.1f\n" "$k" "$(median <"$DIR/t.$k" | awk '{ print $1 / 1000 }')"
done
if [ "$have_py" = 1 ]; then
	py=$(median <"$DIR/t.python" | awk '{ print $1 / 1000 }')
	mm=$(median <"$DIR/t.runs-list" | awk '{ print $1 / 1000 }')
	printf "%-16s %12.1f   (python3 + import pandas, xgboost, sklearn)\n" \
		"python floor" "$py"
	awk -v p="$py" -v m="$mm" 'BEGIN { printf "python floor / mmp runs list: %.1fx\n", p / m }'
else
	echo "python3 with pandas, xgboost and scikit-learn is missing: no peer"
fi
