#!/bin/sh
# run.sh: run one libFuzzer harness of test/fuzz for a while
#
#   test/fuzz/run.sh TARGET SECONDS [WORKDIR] [libFuzzer options...]
#
# TARGET is csv, filter, profile, recipe, serve, forest, s3, location,
# schema or time;
# `make fuzz` builds them. The
# corpus starts from the seeds in test/fuzz/seeds/TARGET and from the
# fixtures (CSV files, recipes, configs) and grows in WORKDIR/corpus-TARGET
# (default: a directory under $TMPDIR, kept). A crash leaves its input in
# WORKDIR and exits non-zero; replay it with
#   test/fuzz/build/fuzz-TARGET WORKDIR/crash-...
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
target=$1
secs=$2
shift 2
if test $# -gt 0; then
	work=$1
	shift
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/mmp-fuzz-$target.XXXXXX")
fi
bin="$top/test/fuzz/build/fuzz-$target"
test -x "$bin" || { echo "run.sh: no $bin; run 'make fuzz'" >&2; exit 2; }
corpus="$work/corpus-$target"
seeds="$work/seeds-$target"
mkdir -p "$corpus" "$seeds"

if test -d "$top/test/fuzz/seeds/$target"; then
	cp "$top/test/fuzz/seeds/$target"/* "$seeds"/
fi
case $target in
csv)
	# the first byte picks roles and threads: one seed per mode class
	n=0
	for f in "$top"/test/fixtures/csv/*.csv "$top"/test/fixtures/serve/*.csv
	do
		for m in A a q r e
		do
			n=$((n + 1))
			{ printf %s "$m"; head -n 40 "$f"; } >"$seeds/csv$n"
		done
	done
	# compressed inputs: 0x80 gzip, 0x90 zstd (see fuzz-csv.c)
	for f in "$top"/test/fixtures/serve/*.csv
	do
		n=$((n + 1))
		{ printf "\200"; head -n 40 "$f" | gzip -c; } >"$seeds/csv$n"
		if command -v zstd >/dev/null 2>&1; then
			{ printf "\220"; head -n 40 "$f" | zstd -q -c; } \
				>"$seeds/csv$n.zst"
		fi
	done
	;;
location)
	printf %s "postgresql://ml:pw@db.internal:5432/shop/analytics.scores?sslmode=require&password=x" >"$seeds/pg"
	printf %s "postgresql://alice@/shop/odd%%20%%22schema.t%%3F?host=/tmp&port=5432" >"$seeds/pgodd"
	printf %s "sqlite:///srv/app.db?table=scores&immutable=1" >"$seeds/sqlite"
	printf %s "sqlite:relative/file.db?table=a%%22b" >"$seeds/sqliterel"
	;;
recipe)
	for f in "$top"/test/fixtures/recipes/*.yaml "$top"/configs/*.yaml \
		"$top"/recipes/*.yaml
	do
		cp "$f" "$seeds/$(basename "$f")"
	done
	;;
esac

cd "$work"
exec "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
	-max_len=65536 -print_final_stats=1 "$@" "$corpus" "$seeds"
