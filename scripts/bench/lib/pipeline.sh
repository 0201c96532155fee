# SPDX-License-Identifier: MIT
# pipeline.sh: what the training benchmarks (train.sh, postgres.sh)
# share: the seeded CSV, one timed mmp train in a fresh store, one timed
# Python run, and the medians and ratios of interleaved rounds. Sourced
# from the repository's root with DIR, ROWS, SEED, CSV, CC, MMP and PY
# set; each run appends one line per figure to $DIR/<side>.<figure>.

# bench_csv: the seeded ROWS x 28 CSV in $CSV, generated once
bench_csv() {
	"$CC" -O2 -o "$DIR/gencsv" scripts/bench/gencsv.c -lm
	if ! test -s "$CSV"; then
		echo "generating $ROWS rows in $CSV"
		"$DIR/gencsv" -n "$ROWS" -s "$SEED" -o "$CSV.tmp"
		mv "$CSV.tmp" "$CSV"
	fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# jfield NAME < json: the first number after "NAME":
jfield() { sed -n "s/.*\"$1\": *\([0-9.e+-]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }'; }

# bench_time SIDE: the wall time and peak RSS /usr/bin/time wrote
bench_time() {
	awk '{ print $1 }' "$DIR/time.txt" >>"$DIR/$1.wall"
	awk '{ print $2 / 1024 }' "$DIR/time.txt" >>"$DIR/$1.peak_mb"
}

# bench_mmp_train RECIPE FIGURE...: one mmp train of RECIPE in a fresh
# store; each FIGURE of its "seconds" (load, train, total) is kept
bench_mmp_train() {
	local recipe=$1 d f
	shift
	d=$(mktemp -d "$DIR/store.XXXXXX")
	"$MMP" init -q "$d"
	/usr/bin/time -f "%e %M" -o "$DIR/time.txt" \
		"$MMP" -C "$d" train --recipe "$recipe" --json >"$DIR/mmp.json"
	sed -n 's/.*"seconds":{\(.*\)}}$/\1/p' "$DIR/mmp.json" >"$DIR/secs"
	for f in "$@"; do
		jfield "$f" <"$DIR/secs" >>"$DIR/mmp.$f"
	done
	bench_time mmp
	rm -rf "$d"
}

# bench_py FIGURE... -- SCRIPT ARGS...: one run of the Python SCRIPT,
# which prints its figures as JSON; each FIGURE is kept
bench_py() {
	local figures=() f
	while [ "$1" != -- ]; do
		figures+=("$1")
		shift
	done
	shift
	/usr/bin/time -f "%e %M" -o "$DIR/time.txt" \
		"$PY" "$@" >"$DIR/py.json"
	for f in "${figures[@]}"; do
		jfield "$f" <"$DIR/py.json" >>"$DIR/py.$f"
	done
	bench_time py
}

# bench_report FIGURE: one row, mmp's median, Python's and their ratio
# (mmp's alone when have_py is not 1)
bench_report() {
	local what=$1 m p
	m=$(median <"$DIR/mmp.$what")
	if [ "$have_py" = 1 ]; then
		p=$(median <"$DIR/py.$what")
		printf "  %-10s %12.4f %12.4f %12s\n" "$what" "$m" "$p" \
			"$(ratio "$m" "$p")"
	else
		printf "  %-10s %12.4f\n" "$what" "$m"
	fi
}
