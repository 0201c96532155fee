/* SPDX-License-Identifier: MIT */
/* pruner.c: the pruners, as Optuna's PercentilePruner (MedianPruner is
 * its 50th percentile), SuccessiveHalvingPruner and ThresholdPruner */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tune-internal.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double mmp_tune__percentile_at(const double *const *curves,
	const size_t *ncurve, size_t n, size_t step, double q)
{
	double *v = mmp__calloc(n ? n : 1, sizeof(double)), pos, p;
	size_t i, m = 0, lo;

	for (i = 0; i < n; i++)
		if (step < ncurve[i] && !isnan(curves[i][step]))
			v[m++] = curves[i][step];
	if (!m) {
		free(v);
		return NAN;
	}
	qsort(v, m, sizeof(double), cmp_double);
	/* numpy's linear interpolation */
	pos = q / 100.0 * (double)(m - 1);
	lo = (size_t)floor(pos);
	if (lo >= m)
		lo = m - 1;
	p = lo + 1 < m ? v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo])
		: v[lo];
	free(v);
	return p;
}

/*
 * Optuna's _is_first_in_interval_step: is `step` the first reported
 * step at or after the latest pruning step (warmup + k * interval)?
 * `prev` is the step reported before it, -1 for none.
 */
static bool first_in_interval(int64_t step, int64_t prev, int64_t warmup,
	int64_t interval)
{
	int64_t lower = (step - warmup) / interval * interval + warmup;

	return prev < lower;
}

static bool percentile_prune(const struct mmp_recipe__tune *s,
	const struct mmp_tune__seen *seen, const struct mmp_tune__pstate *st,
	int64_t step, bool maximize)
{
	double p, q = s->pruner_percentile;

	if (seen->ncomplete == 0 ||
	    seen->ncomplete < (size_t)s->pruner_startup_trials)
		return false;
	if (step < s->pruner_warmup_steps)
		return false;
	if (!first_in_interval(step, st->prev_step, s->pruner_warmup_steps,
	    s->pruner_interval_steps))
		return false;
	if (isnan(st->best))
		return true;
	p = mmp_tune__percentile_at(seen->curves, seen->ncurve,
		seen->ncurves, (size_t)step, maximize ? 100 - q : q);
	if (isnan(p))
		return false;
	return maximize ? st->best < p : st->best > p;
}

static bool threshold_prune(const struct mmp_recipe__tune *s,
	const struct mmp_tune__pstate *st, int64_t step, double value)
{
	if (step < s->pruner_warmup_steps)
		return false;
	if (!first_in_interval(step, st->prev_step, s->pruner_warmup_steps,
	    s->pruner_interval_steps))
		return false;
	return isnan(value) || value < s->pruner_lower ||
		value > s->pruner_upper;
}

/* the first step of rung `rung`: min_resource * factor^(rate + rung),
 * INT64_MAX when beyond */
static int64_t rung_step(const struct mmp_recipe__tune *s, int64_t rung)
{
	int64_t v = s->pruner_min_resource, k;

	for (k = 0; k < s->pruner_min_early_stopping_rate + rung; k++) {
		if (v > INT64_MAX / s->pruner_reduction_factor)
			return INT64_MAX;
		v *= s->pruner_reduction_factor;
	}
	return v;
}

static void rung_add(struct mmp_tune__rungs *r, int64_t rung,
	int64_t number, double value)
{
	struct mmp_tune__rung *g;

	if ((size_t)rung >= r->nrungs) {
		r->rung = mmp__realloc(r->rung, ((size_t)rung + 1) *
			sizeof(*r->rung));
		memset(r->rung + r->nrungs, 0, ((size_t)rung + 1 -
			r->nrungs) * sizeof(*r->rung));
		r->nrungs = (size_t)rung + 1;
	}
	g = &r->rung[rung];
	if (g->n == g->alloc) {
		g->alloc = g->alloc ? 2 * g->alloc : 8;
		g->number = mmp__realloc(g->number, g->alloc *
			sizeof(*g->number));
		g->value = mmp__realloc(g->value, g->alloc *
			sizeof(*g->value));
	}
	g->number[g->n] = number;
	g->value[g->n++] = value;
}

/*
 * Optuna's SuccessiveHalvingPruner: at the first step a trial reports
 * at or past its next rung, it goes on only when its value there is in
 * the best 1/reduction_factor of the values the trials it may see
 * reported at that rung, with its own; then it tries the next rung.
 */
static bool halving_prune(const struct mmp_recipe__tune *s,
	const struct mmp_tune__seen *seen, struct mmp_tune__pstate *st,
	int64_t step, double value, bool maximize,
	struct mmp_tune__rungs *record, int64_t number)
{
	const struct mmp_tune__rung *g;
	double *v;
	size_t n, i, k;
	bool keep;

	for (;;) {
		if (step < rung_step(s, st->rung))
			return false;
		if (isnan(value))
			return true;
		g = seen->rungs && (size_t)st->rung < seen->rungs->nrungs ?
			&seen->rungs->rung[st->rung] : NULL;
		v = mmp__calloc((g ? g->n : 0) + 1, sizeof(double));
		n = 0;
		for (i = 0; g && i < g->n; i++)
			if (g->number[i] <= seen->upto)
				v[n++] = g->value[i];
		v[n++] = value;
		if (record)
			rung_add(record, st->rung, number, value);
		st->rung++;
		qsort(v, n, sizeof(double), cmp_double);
		k = n / (size_t)s->pruner_reduction_factor;
		k = k ? k - 1 : 0;
		keep = maximize ? value >= v[n - 1 - k] : value <= v[k];
		free(v);
		if (!keep)
			return true;
	}
}

bool mmp_tune__prune(const struct mmp_recipe__tune *s,
	const struct mmp_tune__seen *seen, struct mmp_tune__pstate *st,
	int64_t step, double value, bool maximize,
	struct mmp_tune__rungs *record, int64_t number)
{
	bool prune = false;

	if (!isnan(value) && (isnan(st->best) || (maximize ?
	    value > st->best : value < st->best)))
		st->best = value;
	switch (s->pruner) {
	case MMP_TUNE_PRUNE_MEDIAN:
	case MMP_TUNE_PRUNE_PERCENTILE:
		prune = percentile_prune(s, seen, st, step, maximize);
		break;
	case MMP_TUNE_PRUNE_HALVING:
		prune = halving_prune(s, seen, st, step, value, maximize,
			record, number);
		break;
	case MMP_TUNE_PRUNE_THRESHOLD:
		prune = threshold_prune(s, st, step, value);
		break;
	}
	st->prev_step = step;
	return prune;
}

void mmp_tune__pstate_init(struct mmp_tune__pstate *st)
{
	st->prev_step = -1;
	st->best = NAN;
	st->rung = 0;
}

void mmp_tune__rungs_replay(struct mmp_tune__rungs *r,
	const struct mmp_recipe__tune *s, int64_t number,
	int64_t max_parallel, const double *steps, size_t nsteps,
	bool maximize)
{
	struct mmp_tune__seen seen;
	struct mmp_tune__pstate st;
	size_t i;

	if (s->pruner != MMP_TUNE_PRUNE_HALVING)
		return;
	memset(&seen, 0, sizeof(seen));
	seen.rungs = r;
	seen.upto = number - max_parallel;
	mmp_tune__pstate_init(&st);
	for (i = 0; i < nsteps; i++)
		if (!isnan(steps[i]) && mmp_tune__prune(s, &seen, &st,
		    (int64_t)i, steps[i], maximize, r, number))
			break;
}

void mmp_tune__rungs_release(struct mmp_tune__rungs *r)
{
	size_t i;

	for (i = 0; i < r->nrungs; i++) {
		free(r->rung[i].number);
		free(r->rung[i].value);
	}
	free(r->rung);
	memset(r, 0, sizeof(*r));
}
