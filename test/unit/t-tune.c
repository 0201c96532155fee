/* SPDX-License-Identifier: MIT */
/* t-tune.c: the TPE pieces, the pruners and the folds against
 * values worked out by hand (with the normal CDF) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tune/tune-internal.h"

static struct mmp_recipe__tune_param num(int type, double lo, double hi,
	double step, bool lg)
{
	struct mmp_recipe__tune_param p;

	memset(&p, 0, sizeof(p));
	p.name = "x";
	p.type = type;
	p.low = lo;
	p.high = hi;
	p.step = step;
	p.log = lg;
	return p;
}

static void test_gamma_weights(void)
{
	double w[40];

	is_int(mmp_tune__gamma(0), 0, "gamma(0)");
	is_int(mmp_tune__gamma(1), 1, "gamma(1) = ceil(0.1)");
	is_int(mmp_tune__gamma(10), 1, "gamma(10)");
	is_int(mmp_tune__gamma(11), 2, "gamma(11)");
	is_int(mmp_tune__gamma(100), 10, "gamma(100)");
	is_int(mmp_tune__gamma(1000), 25, "gamma is capped at 25");

	mmp_tune__weights(w, 3);
	ok(w[0] == 1 && w[1] == 1 && w[2] == 1, "below 25: ones");
	mmp_tune__weights(w, 25);
	ok(w[0] == 1 && w[24] == 1, "25: still ones");
	mmp_tune__weights(w, 30);
	is_double(w[0], 1.0 / 30, 1e-15, "ramp starts at 1/n");
	is_double(w[1], 0.275, 1e-15, "ramp: linspace(1/30, 1, 5)[1]");
	is_double(w[2], 0.5166666666666667, 1e-15, "ramp [2]");
	is_double(w[3], 0.7583333333333333, 1e-15, "ramp [3]");
	is_double(w[4], 1.0, 0, "ramp ends at 1");
	ok(w[5] == 1 && w[29] == 1, "then the 25 newest weigh 1");
}

static void test_truncnorm(void)
{
	is_double(mmp_tune__truncnorm_ppf(0.5, -1, 1), 0, 1e-9,
		"ppf of a symmetric interval at 0.5");
	is_double(mmp_tune__truncnorm_ppf(0.3, -2, 1), -0.6178760730114089,
		1e-8, "ppf(0.3) on [-2, 1]");
	is_double(mmp_tune__truncnorm_ppf(0.7, 3, 8), 3.3493757211570725,
		1e-8, "ppf in the right tail");
	is_double(mmp_tune__truncnorm_ppf(0, -2, 1), -2, 0, "ppf(0) = a");
	is_double(mmp_tune__truncnorm_ppf(1, -2, 1), 1, 0, "ppf(1) = b");
	is_double(mmp_tune__log_gauss_mass(-2, 1), -0.20016629432446262,
		1e-12, "log mass of [-2, 1]");
	is_double(mmp_tune__log_gauss_mass(-5, -3), -6.607938594596878,
		1e-10, "log mass in the left tail");
	is_double(mmp_tune__log_gauss_mass(3, 5), -6.607938594596878, 1e-10,
		"log mass in the right tail, by symmetry");
	ok(isinf(mmp_tune__truncnorm_log_pdf(2, -1, 1, 0, 1)),
		"outside the interval the density is 0");
	ok(!isnan(mmp_tune__log_ndtr(-40)) && mmp_tune__log_ndtr(-40) <
		-800, "log_ndtr far in the tail stays finite");
}

static void test_parzen(void)
{
	struct mmp_recipe__tune_param fp = num(MMP_TUNE_FLOAT, 0, 10, 0, false);
	struct mmp_recipe__tune_param ip = num(MMP_TUNE_INT, 1, 3, 1, false);
	struct mmp_recipe__tune_param lp = num(MMP_TUNE_FLOAT, 1, 100, 0, true);
	struct mmp_recipe__tune_param cp;
	char *choices[] = { "a", "b", "c" };
	double fobs[] = { 2, 6 }, iobs[] = { 2 }, lobs[] = { 10 };
	double cobs[] = { 0, 0, 2 };
	struct mmp_tune__parzen pe;

	/* float [0, 10], observations 2 and 6: kernels (2, 3), (6, 2.5:
	 * 1 clipped up to 10 / 4), prior (5, 10), each weighing 1/3 */
	mmp_tune__parzen_build(&pe, &fp, fobs, 2);
	is_int((long long)pe.n, 3, "two observations and the prior");
	is_double(pe.sigmas[0], 3, 1e-12, "sigma of 2: the larger gap");
	is_double(pe.sigmas[1], 2.5, 1e-12, "sigma of 6: magic clip");
	is_double(pe.sigmas[2], 10, 1e-12, "the prior spans the range");
	is_double(pe.mus[2], 5, 1e-12, "the prior sits in the middle");
	is_double(pe.weights[0], 1.0 / 3, 1e-12, "equal weights");
	is_double(mmp_tune__parzen_log_pdf(&pe, 4), -2.091474819177876,
		1e-10, "log density at 4");
	is_double(mmp_tune__parzen_log_pdf(&pe, 0.5), -2.4187499629515834,
		1e-10, "log density at 0.5");
	is_double(mmp_tune__parzen_log_pdf(&pe, 9), -2.7550220926046767,
		1e-10, "log density at 9");
	mmp_tune__parzen_release(&pe);

	/* int [1, 3], one observation 2: the cells [x - 0.5, x + 0.5] of
	 * (2, 1) and the prior (2, 3) on [0.5, 3.5] */
	mmp_tune__parzen_build(&pe, &ip, iobs, 1);
	is_double(pe.sigmas[0], 1, 1e-12, "int: sigma clipped to 3 / 3");
	is_double(mmp_tune__parzen_log_pdf(&pe, 2), -0.9318422450957352,
		1e-10, "int: log mass of 2");
	is_double(mmp_tune__parzen_log_pdf(&pe, 1), -1.1937378850182974,
		1e-10, "int: log mass of 1");
	is_double(mmp_tune__parzen_log_pdf(&pe, 3), -1.1937378850182974,
		1e-10, "int: symmetric at 3");
	mmp_tune__parzen_release(&pe);

	/* log [1, 100], one observation 10: in log space, (log 10,
	 * log(100) / 3) and the prior (log 10, log 100) */
	mmp_tune__parzen_build(&pe, &lp, lobs, 1);
	is_double(pe.mus[0], log(10), 1e-12, "log: the kernel at log 10");
	is_double(pe.sigmas[0], log(100) / 3, 1e-12, "log: clipped sigma");
	is_double(mmp_tune__parzen_log_pdf(&pe, 10), -1.3352250211231185,
		1e-10, "log: density at 10");
	is_double(mmp_tune__parzen_log_pdf(&pe, 2), -1.6451730176252806,
		1e-10, "log: density at 2");
	mmp_tune__parzen_release(&pe);

	memset(&cp, 0, sizeof(cp));
	cp.name = "c";
	cp.type = MMP_TUNE_CATEGORICAL;
	cp.choices = choices;
	cp.nchoices = 3;
	cp.high = 2;
	mmp_tune__parzen_build(&pe, &cp, cobs, 3);
	is_double(pe.cat[0], 1.25 / 1.75, 1e-12,
		"categorical: prior 1/4 spread, +1 on the choice");
	is_double(pe.cat[3 * 3 + 0], 1.0 / 3, 1e-12,
		"categorical: the prior row is uniform");
	is_double(mmp_tune__parzen_log_pdf(&pe, 0), -0.7419373447293776,
		1e-10, "categorical: log p(a)");
	is_double(mmp_tune__parzen_log_pdf(&pe, 1), -1.6582280766035324,
		1e-10, "categorical: log p(b)");
	mmp_tune__parzen_release(&pe);

	/* no observation: the prior alone */
	mmp_tune__parzen_build(&pe, &fp, NULL, 0);
	is_int((long long)pe.n, 1, "empty history: the prior only");
	is_double(pe.weights[0], 1, 0, "with all the weight");
	mmp_tune__parzen_release(&pe);
}

static void test_random(void)
{
	struct mmp_recipe__tune_param lp = num(MMP_TUNE_FLOAT, 1, 10000, 0, true);
	struct mmp_recipe__tune_param sp = num(MMP_TUNE_FLOAT, 0.5, 1, 0.1, false);
	struct mmp_recipe__tune_param ip = num(MMP_TUNE_INT, 2, 5, 1, false);
	size_t below = 0, i, bad = 0, hist[4] = { 0 };
	mmp_rng rng;

	mmp_rng_seed(&rng, 1);
	for (i = 0; i < 20000; i++) {
		double v = mmp_tune__sample_random(&lp, &rng);
		double s = mmp_tune__sample_random(&sp, &rng);
		double k = mmp_tune__sample_random(&ip, &rng);
		below += v < 100;
		if (v < 1 || v > 10000 || s < 0.5 || s > 1 ||
		    fabs(s * 10 - nearbyint(s * 10)) > 1e-9 || k != floor(k))
			bad++;
		if (k >= 2 && k <= 5)
			hist[(int)k - 2]++;
	}
	ok(!bad, "draws stay in range and on the grid");
	ok(below > 9600 && below < 10400, "log-uniform: half below the "
		"geometric mean (%zu)", below);
	ok(hist[0] > 4600 && hist[3] > 4600 && hist[0] < 5400 &&
		hist[3] < 5400, "int ends are as likely as the middle");
}

static void test_sample(void)
{
	struct mmp_recipe__tune_param ps[2];
	struct mmp_recipe__tune spec;
	struct mmp_tune__obs hist[20];
	double xs[20][2], a[2], b[2], c[2];
	size_t i, near = 0;

	ps[0] = num(MMP_TUNE_FLOAT, 0, 1, 0, false);
	ps[1] = num(MMP_TUNE_INT, 1, 20, 1, false);
	memset(&spec, 0, sizeof(spec));
	spec.sampler = MMP_TUNE_TPE;
	spec.tpe_startup_trials = 10;
	spec.tpe_ei_candidates = 24;
	spec.seed = 42;
	spec.params = ps;
	spec.nparams = 2;
	spec.maximize = false;
	/* the objective is (x - 0.2)^2: the best trials sit near 0.2 */
	for (i = 0; i < 20; i++) {
		xs[i][0] = (double)i / 19;
		xs[i][1] = (double)(i % 20 + 1);
		memset(&hist[i], 0, sizeof(hist[i]));
		hist[i].number = (int64_t)i;
		hist[i].state = MMP_TRIAL_COMPLETE;
		hist[i].value = (xs[i][0] - 0.2) * (xs[i][0] - 0.2);
		hist[i].x = xs[i];
		hist[i].last_step = -1;
	}
	mmp_tune__sample(a, &spec, hist, 20, 20);
	mmp_tune__sample(b, &spec, hist, 20, 20);
	ok(a[0] == b[0] && a[1] == b[1], "same seed, number and history: "
		"same params");
	mmp_tune__sample(c, &spec, hist, 5, 20);
	ok(c[0] >= 0 && c[0] <= 1 && c[1] >= 1 && c[1] <= 20 &&
		c[1] == floor(c[1]), "random start while the history is "
		"short");
	for (i = 0; i < 40; i++) {
		mmp_tune__sample(c, &spec, hist, 20, (int64_t)(100 + i));
		near += fabs(c[0] - 0.2) < 0.15;
	}
	ok(near >= 30, "TPE proposes near the good region (%zu of 40)",
		near);
	spec.sampler = MMP_TUNE_RANDOM;
	mmp_tune__sample(c, &spec, hist, 20, 20);
	ok(c[0] != a[0], "the random sampler ignores the history");
}

static void spec_init(struct mmp_recipe__tune *s, int pruner)
{
	memset(s, 0, sizeof(*s));
	s->pruner = pruner;
	s->pruner_percentile = 50;
	s->pruner_startup_trials = 5;
	s->pruner_interval_steps = 1;
	s->pruner_min_resource = 1;
	s->pruner_reduction_factor = 4;
	s->pruner_lower = -INFINITY;
	s->pruner_upper = INFINITY;
}

/* one decision of a trial that reported only `value` before `step` */
static bool decide(const struct mmp_recipe__tune *s,
	const struct mmp_tune__seen *seen, int64_t prev, double best,
	int64_t step, double value, bool maximize)
{
	struct mmp_tune__pstate st;

	mmp_tune__pstate_init(&st);
	st.prev_step = prev;
	st.best = best;
	return mmp_tune__prune(s, seen, &st, step, value, maximize, NULL, 0);
}

static void test_percentile(void)
{
	double t1[] = { 1, 2, 3 }, t2[] = { 2, NAN, 5 }, t3[] = { 3, 4 };
	double t4[] = { 4, 6, 7 };
	const double *curves[] = { t1, t2, t3, t4 };
	size_t n[] = { 3, 3, 2, 3 };
	struct mmp_recipe__tune s;
	struct mmp_tune__seen seen;
	struct mmp_tune__pstate st;
	int64_t i;
	int checks = 0;

	is_double(mmp_tune__percentile_at(curves, n, 4, 0, 50), 2.5, 1e-12,
		"median of 1 2 3 4 interpolates");
	is_double(mmp_tune__percentile_at(curves, n, 4, 0, 25), 1.75, 1e-12,
		"25th percentile of 1 2 3 4: 1.75, as numpy");
	is_double(mmp_tune__percentile_at(curves, n, 4, 0, 100), 4, 0,
		"100th percentile: the largest");
	is_double(mmp_tune__percentile_at(curves, n, 4, 0, 0), 1, 0,
		"0th percentile: the smallest");
	is_double(mmp_tune__percentile_at(curves, n, 4, 1, 50), 4, 1e-12,
		"NaN is left out: median of 2 4 6");
	is_double(mmp_tune__percentile_at(curves, n, 4, 2, 50), 5, 1e-12,
		"a trial that stopped early is left out");
	ok(isnan(mmp_tune__percentile_at(curves, n, 4, 9, 50)),
		"no trial reached the step: NaN");

	spec_init(&s, MMP_TUNE_PRUNE_MEDIAN);
	memset(&seen, 0, sizeof(seen));
	seen.curves = curves;
	seen.ncurve = n;
	seen.ncurves = 4;
	seen.ncomplete = 4;
	ok(!decide(&s, &seen, 2, NAN, 3, 9, false),
		"fewer complete trials than startup: keep");
	s.pruner_startup_trials = 4;
	ok(decide(&s, &seen, -1, NAN, 0, 2.6, false),
		"median: worse than 2.5 when minimising: prune");
	ok(!decide(&s, &seen, -1, NAN, 0, 2.4, false),
		"median: better than 2.5: keep");
	ok(!decide(&s, &seen, -1, 2.4, 0, 2.6, false),
		"the best value so far counts, not the last");
	ok(decide(&s, &seen, -1, NAN, 0, 2.4, true),
		"maximising: below the median is worse");
	ok(decide(&s, &seen, 0, NAN, 1, NAN, true),
		"only NaN reported: prune, as Optuna");
	ok(!decide(&s, &seen, 8, NAN, 9, 100, false),
		"nothing to compare with at the step: keep");
	s.pruner_warmup_steps = 1;
	ok(!decide(&s, &seen, -1, NAN, 0, 9, false),
		"during the warm-up: keep");

	s.pruner = MMP_TUNE_PRUNE_PERCENTILE;
	s.pruner_warmup_steps = 0;
	s.pruner_percentile = 25;
	ok(decide(&s, &seen, -1, NAN, 0, 1.8, false),
		"25th percentile, minimising: 1.8 is above 1.75: prune");
	ok(!decide(&s, &seen, -1, NAN, 0, 1.7, false),
		"25th percentile, minimising: 1.7 is kept");
	ok(decide(&s, &seen, -1, NAN, 0, 3.2, true),
		"25th percentile, maximising: below the 75th (3.25): prune");
	ok(!decide(&s, &seen, -1, NAN, 0, 3.3, true),
		"25th percentile, maximising: 3.3 is kept");

	/* interval 3 after a warm-up of 2: checks at steps 2, 5, 8 */
	s.pruner_warmup_steps = 2;
	s.pruner_interval_steps = 3;
	s.pruner_percentile = 0;
	seen.ncurves = 0;
	seen.ncomplete = 5;
	s.pruner = MMP_TUNE_PRUNE_THRESHOLD;
	s.pruner_upper = 0;
	mmp_tune__pstate_init(&st);
	for (i = 0; i < 10; i++)
		if (mmp_tune__prune(&s, &seen, &st, i, 1, false, NULL, 0))
			checks |= 1 << i;
	is_int(checks, (1 << 2) | (1 << 5) | (1 << 8),
		"interval 3 after warm-up 2: steps 2, 5 and 8 are checked");
	ok(decide(&s, &seen, 3, NAN, 6, 1, false),
		"a step after a gap past a check is checked (Optuna)");
	ok(!decide(&s, &seen, 5, NAN, 7, 1, false),
		"the step after a checked one is not");
}

static void test_threshold(void)
{
	struct mmp_recipe__tune s;
	struct mmp_tune__seen seen;

	spec_init(&s, MMP_TUNE_PRUNE_THRESHOLD);
	memset(&seen, 0, sizeof(seen));
	s.pruner_lower = 0.2;
	s.pruner_upper = 0.8;
	s.pruner_warmup_steps = 1;
	ok(!decide(&s, &seen, -1, NAN, 0, 0.9, false),
		"threshold: above upper during the warm-up: keep");
	ok(decide(&s, &seen, 0, NAN, 1, 0.9, false),
		"threshold: above upper: prune");
	ok(decide(&s, &seen, 0, NAN, 1, 0.1, true),
		"threshold: below lower: prune, whatever the direction");
	ok(!decide(&s, &seen, 0, 0.1, 1, 0.5, false),
		"threshold: the last value counts, not the best");
	ok(!decide(&s, &seen, 0, NAN, 1, 0.8, false),
		"threshold: on the bound: keep");
	ok(decide(&s, &seen, 0, NAN, 1, NAN, false),
		"threshold: NaN: prune");
	s.pruner_upper = INFINITY;
	ok(!decide(&s, &seen, 0, NAN, 1, 1e300, false),
		"threshold: no upper bound: keep");
}

/* the step at which `curve` is pruned, or -1, replaying into `r` */
static int64_t run_halving(const struct mmp_recipe__tune *s,
	struct mmp_tune__rungs *r, int64_t number, int64_t w,
	const double *curve, size_t n, bool maximize)
{
	struct mmp_tune__seen seen;
	struct mmp_tune__pstate st;
	size_t i;

	memset(&seen, 0, sizeof(seen));
	seen.rungs = r;
	seen.upto = number - w;
	mmp_tune__pstate_init(&st);
	for (i = 0; i < n; i++)
		if (mmp_tune__prune(s, &seen, &st, (int64_t)i, curve[i],
		    maximize, NULL, number))
			return (int64_t)i;
	return -1;
}

static void test_halving(void)
{
	double c0[] = { 9, 4, 3, 2, 1 }, c1[] = { 9, 5, 2, 2, 2 };
	double c2[] = { 9, 3, 2.5, 2, 0.5 }, c3[] = { 9, 3.5, 2.8, 1, 1 };
	double c4[] = { 9, NAN, NAN, NAN, 0.2 }, c5[] = { 9, NAN, 1 };
	double c6[] = { 9, 3.5 }, c7[] = { 9, 4.5 };
	struct mmp_recipe__tune s;
	struct mmp_tune__rungs r, m;

	spec_init(&s, MMP_TUNE_PRUNE_HALVING);
	s.pruner_reduction_factor = 2;   /* rungs at steps 1, 2, 4, 8 */
	memset(&r, 0, sizeof(r));
	is_int(run_halving(&s, &r, 0, 1, c0, 5, false), -1,
		"the first trial passes every rung alone");
	mmp_tune__rungs_replay(&r, &s, 0, 1, c0, 5, false);
	ok(r.nrungs == 3 && r.rung[0].n == 1 && r.rung[0].value[0] == 4 &&
		r.rung[1].value[0] == 3 && r.rung[2].value[0] == 1,
		"its rung values: 4 at step 1, 3 at 2, 1 at 4");
	is_int(run_halving(&s, &r, 1, 1, c1, 5, false), 1,
		"5 is not in the best half of 4 and 5: pruned at step 1");
	mmp_tune__rungs_replay(&r, &s, 1, 1, c1, 2, false);
	ok(r.rung[0].n == 2 && r.rung[0].value[1] == 5 && r.rung[1].n == 1,
		"a pruned trial keeps the value of the rung it failed");
	is_int(run_halving(&s, &r, 2, 1, c2, 5, false), -1,
		"3 of 3 4 5 is best; 2.5 of 2.5 3; 0.5 of 0.5 1: kept");
	mmp_tune__rungs_replay(&r, &s, 2, 1, c2, 5, false);
	is_int(run_halving(&s, &r, 3, 1, c3, 5, false), 2,
		"3.5 is 2nd of 4 (kept), 2.8 of 2.5 2.8 3 is not: step 2");
	is_int(run_halving(&s, &r, 3, 2, c3, 5, false), -1,
		"with W = 2 trial 3 does not see trial 2: kept");
	{
		/* steps 1-3 not reported (a fold that stopped early) */
		struct mmp_tune__seen seen;
		struct mmp_tune__pstate st;

		memset(&seen, 0, sizeof(seen));
		seen.rungs = &r;
		seen.upto = 2;
		mmp_tune__pstate_init(&st);
		ok(!mmp_tune__prune(&s, &seen, &st, 0, c4[0], false, NULL,
			3) && !mmp_tune__prune(&s, &seen, &st, 4, c4[4], false,
			NULL, 3) && st.rung == 3,
			"one report past three rungs passes each in turn");
		st.rung = 0;
		ok(mmp_tune__prune(&s, &seen, &st, 4, 2.8, false, NULL, 3) &&
			st.rung == 2, "and is pruned at the first it fails");
	}
	is_int(run_halving(&s, &r, 3, 1, c5, 3, false), 1,
		"NaN reported at a rung: pruned");
	is_int(run_halving(&s, &r, 1, 1, c6, 2, true), 1,
		"maximising: 3.5 is not the larger of 4 and 3.5: pruned");
	is_int(run_halving(&s, &r, 1, 1, c7, 2, true), -1,
		"maximising: 4.5 is the larger of 4 and 4.5: kept");
	mmp_tune__rungs_release(&r);

	/* the table replayed against what each trial saw */
	memset(&m, 0, sizeof(m));
	mmp_tune__rungs_replay(&m, &s, 0, 1, c0, 5, false);
	mmp_tune__rungs_replay(&m, &s, 1, 1, c1, 5, false);
	ok(m.rung[0].n == 2 && m.nrungs == 3 && m.rung[1].n == 1,
		"a replay stops where the trial was pruned");
	mmp_tune__rungs_release(&m);

	s.pruner_min_resource = 2;
	s.pruner_min_early_stopping_rate = 1;
	memset(&r, 0, sizeof(r));
	is_int(run_halving(&s, &r, 0, 1, c0, 5, false), -1,
		"min_resource 2, rate 1: the first rung is at step 4");
	mmp_tune__rungs_replay(&r, &s, 0, 1, c0, 5, false);
	ok(r.nrungs == 1 && r.rung[0].value[0] == 1,
		"and its value is the one reported there");
	mmp_tune__rungs_release(&r);
}

static void test_folds(void)
{
	float codes[100];
	int f[100], g[100];
	size_t count[3][2] = { { 0 } }, i;

	for (i = 0; i < 100; i++)
		codes[i] = i < 30 ? 0.0f : 1.0f;
	mmp_tune__folds(f, 100, 3, codes, 2, 7);
	for (i = 0; i < 100; i++)
		count[f[i]][(int)codes[i]]++;
	ok(count[0][0] == 10 && count[1][0] == 10 && count[2][0] == 10,
		"stratified: 10 of the 30 zeros in each fold");
	ok(count[0][1] + count[0][0] >= 33 && count[2][1] + count[2][0] <= 34,
		"fold sizes differ by one at most");
	mmp_tune__folds(g, 100, 3, codes, 2, 7);
	ok(!memcmp(f, g, sizeof(f)), "the same seed deals the same folds");
	mmp_tune__folds(g, 100, 3, NULL, 0, 8);
	ok(memcmp(f, g, sizeof(f)), "plain k-fold with another seed differs");
}

static void test_default_jobs(void)
{
	/* 100k x 28 with a 20% holdout: a trial per thread */
	is_int((long long)mmp_tune__default_jobs(64000.0 * 28, 2, 2), 2,
		"small data, 2 threads, W 2: 2 jobs");
	is_int((long long)mmp_tune__default_jobs(64000.0 * 28, 8, 2), 2,
		"8 threads: capped at W");
	is_int((long long)mmp_tune__default_jobs(64000.0 * 28, 3, 4), 3,
		"3 threads, W 4: 3 jobs");
	is_int((long long)mmp_tune__default_jobs(569.0 * 30, 1, 2), 1,
		"one thread: 1 job");
	is_int((long long)mmp_tune__default_jobs(569.0 * 30, 2, 1), 1,
		"W 1: 1 job");
	is_int((long long)mmp_tune__default_jobs(MMP_TUNE__SMALL_CELLS, 2, 2),
		2, "at the limit: still small");
	is_int((long long)mmp_tune__default_jobs(MMP_TUNE__SMALL_CELLS + 1, 2,
		2), 1, "above it: 1 job, XGBoost's threads split each round");
}

int main(void)
{
	test_gamma_weights();
	test_truncnorm();
	test_parzen();
	test_random();
	test_sample();
	test_percentile();
	test_threshold();
	test_halving();
	test_folds();
	test_default_jobs();
	return done_testing();
}
