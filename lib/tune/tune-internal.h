/* SPDX-License-Identifier: MIT */
/* tune-internal.h: search spaces, the TPE and random samplers, the
 * pruners and cross-validation folds */
#ifndef LIB_tune_tune_internal_h__
#define LIB_tune_tune_internal_h__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config-internal.h"
#include "recipe/recipe-internal.h"
#include "mmp/recipe.h"
#include "mmp/tune.h"
#include "util/util.h"

/* --- the study's settings and search space (space.c) --- */

/*
 * Read the `tune` section of a loaded recipe (from its text, so with
 * the same ${VAR}s) into `out`. MMP_EINVALID with the problems in
 * `*diags` (when not NULL) for a recipe without a tune section, with
 * an empty tune.params, or an invalid one.
 */
int mmp_tune__spec_load(struct mmp_recipe__tune *out, mmp_diag_list **diags,
	const mmp_recipe *r, const char *const *overrides, size_t noverrides);

/*
 * The canonical text of the settings, the space and what of the recipe
 * decides a trial's value (rounds, split, fixed params): stored with the
 * study, which a later session must match.
 */
void mmp_tune__spec_text(mmp_buf *out, const struct mmp_recipe__tune *s,
	const mmp_recipe *r);

/* the value as XGBoost takes it: "6", "0.031", "hist" */
void mmp_tune__format(mmp_buf *out, const struct mmp_recipe__tune_param *p,
	double internal);

/* --- samplers (tpe.c) --- */

/* Optuna's default_gamma: min(ceil(0.1 n), 25) */
int mmp_tune__gamma(int n);
/* Optuna's default_weights: 1 each, below 25; else a ramp from 1/n to 1
 * over the n - 25 oldest, then 25 ones */
void mmp_tune__weights(double *out, int n);

/* one finished trial as the samplers see it */
struct mmp_tune__obs {
	int64_t number;
	mmp_trial_state state;   /* COMPLETE or PRUNED */
	double value;            /* COMPLETE: the objective */
	const double *x;         /* the internal value of each parameter */
	int64_t last_step;       /* PRUNED: the last reported step, or -1 */
	double last_value;       /* PRUNED: the value reported there */
	bool last_maximize;      /* PRUNED: that value's direction */
};

/* a one-dimensional Parzen estimator in Optuna's internal space */
struct mmp_tune__parzen {
	const struct mmp_recipe__tune_param *p;
	size_t n;                /* kernels: observations, then the prior */
	double *weights;         /* n, normalised */
	double *mus, *sigmas;    /* numerical: transformed (log) space */
	double lo, hi;           /* numerical: the adapted domain there */
	double *cat;             /* categorical: n x nchoices */
	double *logc;            /* per kernel: log weight - log mass ... */
	double *scratch;         /* n doubles for log_pdf */
};

/*
 * Build the estimator of `nobs` observations (internal values, oldest
 * trial first) with the prior (weight 1), magic clip and no endpoints,
 * as Optuna's _ParzenEstimator with TPESampler's defaults.
 */
void mmp_tune__parzen_build(struct mmp_tune__parzen *pe,
	const struct mmp_recipe__tune_param *p, const double *obs, size_t nobs);
double mmp_tune__parzen_log_pdf(const struct mmp_tune__parzen *pe,
	double x);
double mmp_tune__parzen_sample(const struct mmp_tune__parzen *pe,
	mmp_rng *rng);
void mmp_tune__parzen_release(struct mmp_tune__parzen *pe);

/* truncated normal pieces, as Optuna's _truncnorm */
double mmp_tune__log_ndtr(double a);
double mmp_tune__log_gauss_mass(double a, double b);
double mmp_tune__truncnorm_ppf(double q, double a, double b);
double mmp_tune__truncnorm_log_pdf(double x, double a, double b,
	double loc, double scale);

/* a uniform draw of `p`, as Optuna's RandomSampler */
double mmp_tune__sample_random(const struct mmp_recipe__tune_param *p,
	mmp_rng *rng);

/*
 * Choose the internal values of every parameter of trial `number`
 * (into out[nparams]) from the history `hist` (COMPLETE and PRUNED
 * trials only), with randomness from mmp_rng_derive(seed, number):
 * random while fewer than tpe_startup_trials are known (or with the
 * random sampler), else TPE's independent sampling.
 */
void mmp_tune__sample(double *out, const struct mmp_recipe__tune *spec,
	const struct mmp_tune__obs *hist, size_t nhist, int64_t number);

/* --- the pruners (pruner.c) --- */

/*
 * The `q`th percentile of the values at `step` among `n` completed
 * trials (curves[i] has ncurve[i] steps, NaN where not reported), as
 * numpy's nanpercentile; NaN when no trial reported that step.
 */
double mmp_tune__percentile_at(const double *const *curves,
	const size_t *ncurve, size_t n, size_t step, double q);

/* the values trials reported at each rung of successive halving, by
 * trial number, oldest first */
struct mmp_tune__rung {
	int64_t *number;
	double *value;
	size_t n, alloc;
};
struct mmp_tune__rungs {
	struct mmp_tune__rung *rung;
	size_t nrungs;
};

/*
 * What the pruner of a trial may see: the trials numbered `upto` (its
 * number - W) and below, COMPLETE or PRUNED; never a trial still
 * running, so a decision does not depend on timing.
 */
struct mmp_tune__seen {
	const double *const *curves;  /* the COMPLETE ones' steps */
	const size_t *ncurve;
	size_t ncurves;
	size_t ncomplete;
	const struct mmp_tune__rungs *rungs;  /* may hold later trials */
	int64_t upto;
};

/* a trial's own pruning state, from mmp_tune__pstate_init() */
struct mmp_tune__pstate {
	int64_t prev_step;   /* the step reported before, -1: none */
	double best;         /* the best value reported, NaN: none */
	int64_t rung;        /* successive halving: rungs passed */
};

void mmp_tune__pstate_init(struct mmp_tune__pstate *st);

/*
 * Optuna's should_prune() of spec->pruner for a trial that reported
 * `value` (NaN allowed) at `step`, in the direction `maximize` of the
 * intermediate values; updates `st`. The rung values a successive
 * halving trial reports are added to `record` (may be NULL) under
 * `number`.
 */
bool mmp_tune__prune(const struct mmp_recipe__tune *s,
	const struct mmp_tune__seen *seen, struct mmp_tune__pstate *st,
	int64_t step, double value, bool maximize,
	struct mmp_tune__rungs *record, int64_t number);

/*
 * Add the rung values of finished trial `number` to `r`, from its
 * stored steps (NaN: not reported), replaying its decisions against
 * the trials it could see (those of `r` numbered number - W and
 * below): call it for each COMPLETE or PRUNED trial in number order.
 * Nothing for a pruner other than successive halving.
 */
void mmp_tune__rungs_replay(struct mmp_tune__rungs *r,
	const struct mmp_recipe__tune *s, int64_t number,
	int64_t max_parallel, const double *steps, size_t nsteps,
	bool maximize);
void mmp_tune__rungs_release(struct mmp_tune__rungs *r);

/* --- the session (study.c) --- */

/*
 * The trials a session runs at once when --jobs is not given: one per
 * XGBoost thread of the budget (at most max_parallel) while a fold's
 * training matrix has at most MMP_TUNE__SMALL_CELLS cells, where
 * XGBoost's own threads split a round poorly; else 1, on larger data,
 * where they scale and each concurrent trial's per-row buffers add up.
 */
#define MMP_TUNE__SMALL_CELLS 16000000.0
size_t mmp_tune__default_jobs(double cells, int budget, int64_t max_parallel);

/* --- cross-validation folds (folds.c) --- */

/*
 * Assign each of `n` rows a fold in [0, k): a seeded shuffle dealt
 * round-robin; with `codes` (class codes 0..nclass-1) each class is
 * shuffled and dealt on in turn, so each fold keeps the class shares.
 */
void mmp_tune__folds(int *out, size_t n, int k, const float *codes,
	size_t nclass, uint64_t seed);

#endif
