#!/bin/sh
# t2550-tune-pruners-optuna: the same intermediate curves through mmp's
# pruners (test/helpers/tune-prune, trial after trial as a study with
# max_parallel 1 runs them) and through Optuna's, with the same
# settings: every trial must end in the same state at the same step

. "$(dirname "$0")/test-lib.sh"

if /usr/bin/python3 -c 'import optuna, numpy' >/dev/null 2>&1; then
	test_set_prereq OPTUNA
fi

# 40 trials of 60 steps: noisy falling curves, a few NaN values and a
# few steps not reported ("-"), as a fold that stopped early leaves
test_expect_success OPTUNA 'make the curves' '
	/usr/bin/python3 - >curves <<-\EOF
	import numpy as np
	rng = np.random.default_rng(7)
	for t in range(40):
	    level, rate = rng.uniform(0.2, 1.0), rng.uniform(0.01, 0.1)
	    out = []
	    for s in range(60):
	        v = level + 0.5 * np.exp(-rate * s) + rng.normal(0, 0.02)
	        u = rng.uniform()
	        out.append("nan" if u < 0.01 else "-" if u < 0.04 else
	                   repr(round(v, 6)))
	    print(" ".join(out))
	EOF
	test $(wc -l <curves) = 40
'


# same PRUNER KEY=VALUE...: both sides decide alike, and some trials are
# pruned and some are not (else the comparison says little)
same() {
	tune-prune "$@" <curves >mmp.out &&
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/optuna-prune.py" "$@" \
		<curves >optuna.out &&
	test_cmp optuna.out mmp.out &&
	grep -q PRUNED mmp.out &&
	grep -q COMPLETE mmp.out
}

test_expect_success OPTUNA 'median, as MedianPruner' '
	same median startup=5 warmup=10
'

test_expect_success OPTUNA 'median with an interval, maximising' '
	same median startup=3 warmup=4 interval=5 maximize=1
'

test_expect_success OPTUNA 'percentile 25, as PercentilePruner' '
	same percentile percentile=25 startup=4 warmup=6
'

test_expect_success OPTUNA 'percentile 80 with an interval, maximising' '
	same percentile percentile=80 startup=2 warmup=3 interval=7 maximize=1
'

test_expect_success OPTUNA 'percentile 0 and 100' '
	same percentile percentile=0 startup=1 warmup=0 &&
	tune-prune percentile percentile=100 startup=1 <curves >mmp.out &&
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/optuna-prune.py" \
		percentile percentile=100 startup=1 <curves >optuna.out &&
	test_cmp optuna.out mmp.out
'

test_expect_success OPTUNA 'successive halving with the defaults' '
	same successive_halving min_resource=1
'

test_expect_success OPTUNA 'successive halving, factor 2, maximising' '
	same successive_halving min_resource=2 reduction_factor=2 maximize=1
'

test_expect_success OPTUNA 'successive halving, factor 3, rate 1' '
	same successive_halving min_resource=1 reduction_factor=3 \
		min_early_stopping_rate=1
'

test_expect_success OPTUNA 'threshold, both bounds, warm-up and interval' '
	same threshold lower=0.4 upper=1.3 warmup=2 interval=3
'

test_expect_success OPTUNA 'threshold, upper only' '
	same threshold upper=0.9
'

test_done
