#!/bin/bash
# SPDX-License-Identifier: MIT
# csv.sh: time mmp's CSV load against pandas.read_csv on a seeded
# 1,000,000 x 28 numeric CSV (plus a binary target): wall time, CPU time
# (user + sys: what holds on a machine others load; pandas' includes
# importing it) and peak RSS, medians of interleaved rounds, with the
# load average. A benchmark, not a test.
#
#   scripts/bench/csv.sh [ROWS] [ROUNDS]     (defaults 1000000 and 5)
#   MMP_BENCH_DIR=DIR keeps the generated data (default $TMPDIR)
set -eu

cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
ROUNDS=${2:-5}
SEED=42
DIR=${MMP_BENCH_DIR:-${TMPDIR:-/tmp}/mmp-bench-csv}
CSV="$DIR/gen-$ROWS-$SEED.csv"
PY=/usr/bin/python3
CC=${CC:-cc}

mkdir -p "$DIR"
make -s -j2 lib/libmmp.a >/dev/null

"$CC" -O2 -o "$DIR/gencsv" scripts/bench/gencsv.c -lm
if ! test -s "$CSV"; then
	echo "generating $ROWS rows in $CSV"
	"$DIR/gencsv" -n "$ROWS" -s "$SEED" -o "$CSV.tmp"
	mv "$CSV.tmp" "$CSV"
fi

# the loader as train uses it: target + every other column a feature
cat >"$DIR/csvload.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* csvload.c: load a CSV with libmmp as training does; print its shape */
#include <stdio.h>
#include <stdlib.h>
#include "mmp/data.h"
#include "mmp/errors.h"

int main(int argc, char **argv)
{
	mmp_csv_column cols[] = { { "target", MMP_CSV_TARGET, NULL } };
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	mmp_frame *f;

	if (argc < 2)
		return 129;
	o.nthreads = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
	spec.columns = cols;
	spec.ncolumns = 1;
	spec.others = MMP_CSV_FEATURE;
	spec.task = MMP_TASK_BINARY;
	if (mmp_csv_load(&f, argv[1], &spec, &o) < 0) {
		fprintf(stderr, "error: %s\n", mmp_error_last()->message);
		return 1;
	}
	printf("%zu x %zu %s\n", mmp_frame_nrows(f), mmp_frame_nfeatures(f),
		mmp_frame_digest(f));
	mmp_frame_free(f);
	return 0;
}
EOF
# linked as mmp is: the Makefile's DEPS (zlib and zstd read compressed
# CSV); the libraries libmmp opens on first use (XGBoost, libgit2,
# libcurl, libmicrohttpd, libcrypto) are not linked
# shellcheck disable=SC2046
"$CC" -O2 -Iinclude -o "$DIR/csvload" "$DIR/csvload.c" lib/libmmp.a \
	$(pkg-config --libs yaml-0.1 libcjson sqlite3 zlib libzstd \
		2>/dev/null) \
	-ldl -lpthread -lm

have_pandas=1
if ! "$PY" -c 'import pandas' 2>/dev/null; then
	have_pandas=0
	echo "note: pandas is not installed for $PY: skipping it" \
		"(scripts/install-deps.sh installs python3-pandas)"
fi

# run CMD...: append "wall_seconds peak_kb cpu_seconds" to the file
# named by $OUT
measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$DIR/time.out" "$@" \
		>"$DIR/run.out"
	awk '{ print $1, $2, $3 + $4 }' "$DIR/time.out" >"$DIR/time.cpu"
	cat "$DIR/time.cpu" >>"$OUT"
}

: >"$DIR/mmp2.txt"; : >"$DIR/mmp1.txt"; : >"$DIR/pandas.txt"
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
for r in $(seq "$ROUNDS"); do
	OUT="$DIR/mmp2.txt" measure "$DIR/csvload" "$CSV" 2
	OUT="$DIR/mmp1.txt" measure "$DIR/csvload" "$CSV" 1
	if test $have_pandas = 1; then
		OUT="$DIR/pandas.txt" measure "$PY" -c '
import sys, pandas
df = pandas.read_csv(sys.argv[1])
print(df.shape)' "$CSV"
	fi
	echo "round $r done"
done

median() { # FILE COLUMN
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
		END { if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bytes=$(wc -c <"$CSV")
printf '\n%s: %s rows x 28 features + target, %.0f MB, %s rounds\n' \
	"$(basename "$CSV")" "$ROWS" "$(echo "$bytes / 1000000" | bc -l)" \
	"$ROUNDS"
echo "load average (1, 5, 15 min) at the start: $LOAD0, at the end:" \
	"$(cut -d" " -f1-3 /proc/loadavg)"
printf '%-26s %10s %10s %12s\n' "loader" "wall (s)" "CPU (s)" \
	"peak RSS (MB)"
for n in mmp2 mmp1 pandas; do
	test -s "$DIR/$n.txt" || continue
	case $n in
	mmp2) label="mmp_csv_load, 2 threads" ;;
	mmp1) label="mmp_csv_load, 1 thread" ;;
	pandas) label="pandas.read_csv" ;;
	esac
	printf '%-26s %10.3f %10.3f %12.1f\n' "$label" \
		"$(median "$DIR/$n.txt" 1)" "$(median "$DIR/$n.txt" 3)" \
		"$(echo "$(median "$DIR/$n.txt" 2) / 1024" | bc -l)"
done
if test $have_pandas = 1; then
	pt=$(median "$DIR/pandas.txt" 1); pm=$(median "$DIR/pandas.txt" 2)
	pc=$(median "$DIR/pandas.txt" 3)
	mt=$(median "$DIR/mmp2.txt" 1); mm=$(median "$DIR/mmp2.txt" 2)
	mc=$(median "$DIR/mmp2.txt" 3)
	printf 'pandas / mmp (2 threads): %.1fx wall time, %.1fx CPU time, ' \
		"$(echo "$pt / $mt" | bc -l)" "$(echo "$pc / $mc" | bc -l)"
	printf '%.1fx peak RSS\n' "$(echo "$pm / $mm" | bc -l)"
fi
