#!/bin/sh
# t0040-fuzz: a smoke run of each libFuzzer harness (test/fuzz) when clang
# can build them: the CSV reader, the recipe and config loader, the filter
# compiler, serve-api's request decoding, profile.json, the S3 client's
# parsers, data source locations, model schemas and ISO 8601 times.
# MMP_FUZZ_SECONDS sets the time per harness (default 60);
# test/fuzz/run.sh runs one for longer.

. "$(dirname "$0")/test-lib.sh"

SECS=${MMP_FUZZ_SECONDS:-60}

printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >probe.c
if command -v clang >/dev/null 2>&1 &&
   clang -fsanitize=fuzzer,address -o probe probe.c >/dev/null 2>&1
then
	test_set_prereq LIBFUZZER
fi

test_expect_success LIBFUZZER,NOT_SANITIZED 'make fuzz builds the harnesses' '
	make -s -C "$SRC_DIR" -j2 fuzz >build.log 2>&1 ||
	{ tail -n 20 build.log; false; } &&
	for t in csv filter recipe serve profile forest s3 location schema \
		time
	do
		test -x "$SRC_DIR/test/fuzz/build/fuzz-$t" || return 1
	done
'

# fuzz T: run harness T for $SECS seconds in the directory T
fuzz() {
	mkdir -p "$1" &&
	"$SRC_DIR/test/fuzz/run.sh" "$1" "$SECS" "$PWD/$1" >"$1.log" 2>&1
	rc=$?
	if test $rc != 0 || ls "$1" | grep -q "^crash-\|^leak-\|^timeout-\|^oom-"
	then
		tail -n 40 "$1.log"
		return 1
	fi
	grep "^stat::number_of_executed_units" "$1.log"
}

# two at a time; each pair is waited for, whatever the outcome
test_expect_success LIBFUZZER,NOT_SANITIZED 'the harnesses run clean from the seeds' '
	fuzz csv >csv.res & pid=$!
	fuzz filter >filter.res; a=$?
	wait $pid; b=$?
	fuzz recipe >recipe.res & pid=$!
	fuzz serve >serve.res; c=$?
	wait $pid; d=$?
	fuzz profile >profile.res & pid=$!
	fuzz forest >forest.res; e=$?
	wait $pid; f=$?
	fuzz s3 >s3.res & pid=$!
	fuzz location >location.res; g=$?
	wait $pid; h=$?
	fuzz schema >schema.res & pid=$!
	fuzz time >time.res; i=$?
	wait $pid; j=$?
	cat csv.res filter.res recipe.res serve.res profile.res forest.res \
		s3.res location.res schema.res time.res &&
	test "$a$b$c$d$e$f$g$h$i$j" = 0000000000
'

test_done
