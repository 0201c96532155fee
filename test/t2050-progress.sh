#!/bin/sh
# t2050-progress: the progress line names the phase that runs, and is
# redrawn only when it changes, at most 10 times a second

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/tune-lib.sh"

# the drawn lines of a progress log: one per "\r\033[K"
draws() {
	tr "\r" "\n" <"$1" | sed -e "s/$(printf "\033")\[K//" -e "/^$/d"
}

now() {
	date +%s.%N
}

test_expect_success 'setup' '
	mmp init -q proj &&
	bc_tune_recipe bc tuning >proj/recipes/bc.yaml <<-\EOF
	  num_boost_round: 30
	  early_stopping_rounds: 5
	tune:
	  trials: 12
	  cv_folds: 3
	  seed: 3
	  params:
	    max_depth: {type: int, low: 2, high: 4}
	EOF
'

test_expect_success 'train: each phase has its own label, never mixed' '
	(cd proj && mmp train --progress --recipe recipes/breast-cancer.yaml \
		>/dev/null 2>../err) &&
	draws err >lines &&
	sed "s/:.*//" lines | uniq >phases &&
	printf "loading data\ntraining\nevaluating\nsaving artifacts\n" >expect &&
	test_cmp expect phases &&
	grep "round [0-9]" lines >rounds &&
	! grep -v "^training: " rounds &&
	test_grep "^loading data: 100%  0\.1/0\.1 MB  [0-9.]+ MB/s$" lines &&
	! grep "^loading data: .*round" lines &&
	test_grep "^training: +[0-9]+%  round [0-9]+/200  logloss [0-9.]+  best_iteration [0-9]+" lines
'

test_expect_success 'tune: no line is drawn twice in a row, at most 10 a second' '
	start=$(now) &&
	(cd proj && mmp tune --progress --recipe recipes/bc.yaml >/dev/null 2>../err) &&
	end=$(now) &&
	draws err >lines &&
	test_grep "^tuning: trials [0-9]+/12" lines &&
	! uniq -d lines | grep . &&
	n=$(wc -l <lines) &&
	test "$n" -ge 2 &&
	awk -v n="$n" -v s="$start" -v e="$end" "BEGIN { exit !(n <= 10 * (e - s) + 2) }"
'

test_expect_success 'without --progress and off a terminal nothing is drawn' '
	(cd proj && mmp tune --study quiet --recipe recipes/bc.yaml >/dev/null 2>../err) &&
	! grep "$(printf "\r")" err
'

test_done
