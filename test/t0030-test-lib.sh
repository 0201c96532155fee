#!/bin/sh
# t0030-test-lib: a test script stops every server it started, whether its
# tests pass, fail or the script is killed

. "$(dirname "$0")/test-lib.sh"

# child NAME BODY...: a test script whose one test runs BODY after
# starting servers with start_bg, fake_start and serve-lib's start
# (a fake-tracking server stands in for serve-api); their pids go to
# NAME.pids
child() {
	name=$1
	shift
	cat >"$name.sh" <<-EOF_CHILD
	. "$TEST_DIRECTORY/test-lib.sh"
	. "$TEST_DIRECTORY/helpers/sync-lib.sh"
	test_expect_success 'start servers' '
		start_bg a fake-tracking --port 0 --max-seconds 120 &&
		fake_start b &&
		cat a.pid b.fakepid >"$PWD/$name.pids" &&
		echo "\$TRASH_DIRECTORY" >"$PWD/$name.trash" &&
		$*
	'
	test_done
	EOF_CHILD
}

# all_gone NAME: none of the pids in NAME.pids is alive (2 s at most)
all_gone() {
	test_line_count = 2 "$1.pids" &&
	i=0 &&
	for p in $(cat "$1.pids")
	do
		while kill -0 "$p" 2>/dev/null && test $i -lt 100
		do
			sleep 0.02; i=$((i + 1))
		done
		if kill -0 "$p" 2>/dev/null
		then
			echo "process $p still running" >&2
			kill -9 "$p"
			return 1
		fi
	done
}

test_expect_success 'servers stop when the script passes' '
	child pass true &&
	sh pass.sh >pass.out 2>&1 &&
	test_grep "^ok 1 - start servers" pass.out &&
	all_gone pass
'

test_expect_success 'servers stop when a test fails' '
	child fail false &&
	test_expect_code 1 sh fail.sh >fail.out 2>&1 &&
	test_grep "^not ok 1 - start servers" fail.out &&
	all_gone fail &&
	rm -rf "$(cat fail.trash)"
'

test_expect_success 'servers stop when the script is terminated' '
	child term "kill -TERM \$\$" &&
	test_expect_code 143 sh term.sh >term.out 2>&1 &&
	all_gone term &&
	rm -rf "$(cat term.trash)"
'

test_done
