/* SPDX-License-Identifier: MIT */
/* show.c: reading a study back: counts, the best trial and parameter
 * importance */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/tune-internal.h"
#include "tune-internal.h"

#define IMPORTANCE_BINS 4

struct xv {
	double x, v;
};

static int cmp_xv(const void *a, const void *b)
{
	const struct xv *p = a, *q = b;

	return p->x < q->x ? -1 : p->x > q->x;
}

/*
 * The correlation ratio eta^2 of `n` (x, value) pairs: the variance of
 * the values explained by grouping them by x (its distinct values when
 * there are at most IMPORTANCE_BINS, else equal-count bins by rank).
 */
static double eta_squared(struct xv *p, size_t n)
{
	double mean = 0, total = 0, between = 0;
	size_t i, distinct = 0, g0, bins;

	for (i = 0; i < n; i++)
		mean += p[i].v;
	mean /= (double)n;
	for (i = 0; i < n; i++)
		total += (p[i].v - mean) * (p[i].v - mean);
	if (total <= 0)
		return 0;
	qsort(p, n, sizeof(*p), cmp_xv);
	for (i = 0; i < n; i++)
		if (!i || p[i].x != p[i - 1].x)
			distinct++;
	bins = distinct <= IMPORTANCE_BINS ? distinct : IMPORTANCE_BINS;
	for (i = 0, g0 = 0; i <= n; i++) {
		bool end;
		if (i == n)
			end = true;
		else if (distinct <= IMPORTANCE_BINS)
			end = i > g0 && p[i].x != p[i - 1].x;
		else
			end = i * bins / n != g0 * bins / n;
		if (end && i > g0) {
			double m = 0;
			size_t j;
			for (j = g0; j < i; j++)
				m += p[j].v;
			m /= (double)(i - g0);
			between += (double)(i - g0) * (m - mean) * (m - mean);
			g0 = i;
		}
	}
	return between / total;
}

static void importance(mmp_study *st)
{
	const mmp_trial *first = NULL;
	struct xv *p;
	double sum = 0;
	size_t i, j, n;

	for (i = 0; i < st->ntrials && !first; i++)
		if (st->trials[i].nparams)
			first = &st->trials[i];
	if (!first)
		return;
	st->nparams = first->nparams;
	st->param_names = mmp__calloc(st->nparams, sizeof(char *));
	st->importance = mmp__calloc(st->nparams, sizeof(double));
	for (j = 0; j < st->nparams; j++)
		st->param_names[j] = mmp__strdup(first->params[j].name);
	p = mmp__calloc(st->ntrials + 1, sizeof(*p));
	for (j = 0; j < st->nparams; j++) {
		n = 0;
		for (i = 0; i < st->ntrials; i++) {
			const mmp_trial *t = &st->trials[i];
			if (t->state != MMP_TRIAL_COMPLETE ||
			    !isfinite(t->value) || t->nparams != st->nparams)
				continue;
			p[n].x = t->params[j].internal;
			p[n++].v = t->value;
		}
		st->importance[j] = n >= 3 ? eta_squared(p, n) : 0;
		sum += st->importance[j];
	}
	for (j = 0; j < st->nparams && sum > 0; j++)
		st->importance[j] /= sum;
	free(p);
}

static const char *closest_study(mmp_store *s, const char *name,
	char ***names)
{
	size_t n = 0;

	if (mmp_store__study_names(s, names, &n) < 0) {
		mmp_error_clear();
		return NULL;
	}
	return mmp_str_closest(name, (const char *const *)*names, n);
}

int mmp_study_get(mmp_study **out, mmp_store *s, const char *name,
	int with_steps)
{
	mmp_study *st = NULL;
	size_t i;
	int err;

	*out = NULL;
	err = mmp_store__study_read(s, name, &st);
	if (err == MMP_ENOTFOUND) {
		char **names = NULL;
		const char *best = closest_study(s, name, &names);
		if (best)
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
				"no study '%s'; did you mean '%s'?", name,
				best);
		else
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
				"no study '%s'", name);
		mmp_study_names_free(names);
		return err;
	}
	if (err < 0)
		return err;
	if ((err = mmp_store__trials_read(s, st, 0, INT64_MAX, 1,
			with_steps)) < 0) {
		mmp_study_free(st);
		return err;
	}
	st->best = -1;
	for (i = 0; i < st->ntrials; i++) {
		const mmp_trial *t = &st->trials[i];
		switch (t->state) {
		case MMP_TRIAL_COMPLETE:
			st->ncomplete++;
			if (isnan(t->value))
				break;
			if (st->best < 0 || (st->maximize ?
			    t->value > st->trials[st->best].value :
			    t->value < st->trials[st->best].value))
				st->best = (long)i;
			break;
		case MMP_TRIAL_PRUNED:
			st->npruned++;
			break;
		case MMP_TRIAL_FAIL:
			st->nfail++;
			break;
		case MMP_TRIAL_RUNNING:
			st->nrunning++;
			break;
		}
	}
	importance(st);
	*out = st;
	return 0;
}

int mmp_study_names(char ***out, size_t *count, mmp_store *s)
{
	return mmp_store__study_names(s, out, count);
}
