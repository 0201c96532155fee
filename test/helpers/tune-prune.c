/* SPDX-License-Identifier: MIT */
/* tune-prune.c: test helper: run fixed intermediate curves through a
 * pruner the way a study does, trial after trial, and print each
 * trial's fate, for comparison with Optuna's pruners
 *
 *   tune-prune PRUNER [KEY=VALUE...] <CURVES
 *
 * PRUNER: median, percentile, successive_halving or threshold; keys:
 * percentile, startup, warmup, interval, min_resource, reduction_factor,
 * min_early_stopping_rate, lower, upper, max_parallel (W, default 1),
 * maximize (0 or 1). CURVES: one trial a line, the value reported at
 * each step ("nan" allowed, "-" for a step not reported). Prints one
 * line a trial: "NUMBER COMPLETE|PRUNED STEP", STEP the last reported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tune/tune-internal.h"

#define MAXSTEPS 4096

struct curve {
	double v[MAXSTEPS];       /* NaN: not reported or NaN */
	char given[MAXSTEPS];     /* reported */
	size_t n;
	int pruned;
};

static int die(const char *msg)
{
	fprintf(stderr, "tune-prune: %s\n", msg);
	return 2;
}

int main(int argc, char **argv)
{
	struct mmp_recipe__tune s;
	struct curve *c = NULL;
	size_t nc = 0, i, j;
	int64_t w = 1;
	bool maximize = false;
	char line[65536];
	struct mmp_tune__rungs rungs;
	int64_t replayed = 0;
	int a;

	if (argc < 2)
		return die("usage: tune-prune PRUNER [KEY=VALUE...] <CURVES");
	memset(&s, 0, sizeof(s));
	memset(&rungs, 0, sizeof(rungs));
	s.pruner = !strcmp(argv[1], "median") ? MMP_TUNE_PRUNE_MEDIAN :
		!strcmp(argv[1], "percentile") ? MMP_TUNE_PRUNE_PERCENTILE :
		!strcmp(argv[1], "successive_halving") ?
		MMP_TUNE_PRUNE_HALVING : !strcmp(argv[1], "threshold") ?
		MMP_TUNE_PRUNE_THRESHOLD : -1;
	if (s.pruner < 0)
		return die("unknown pruner");
	s.pruner_percentile = 50;
	s.pruner_startup_trials = 5;
	s.pruner_interval_steps = 1;
	s.pruner_min_resource = 1;
	s.pruner_reduction_factor = 4;
	s.pruner_lower = -INFINITY;
	s.pruner_upper = INFINITY;
	for (a = 2; a < argc; a++) {
		char *eq = strchr(argv[a], '=');
		double v;
		if (!eq)
			return die("expected KEY=VALUE");
		*eq = 0;
		v = strtod(eq + 1, NULL);
		if (!strcmp(argv[a], "percentile"))
			s.pruner_percentile = v;
		else if (!strcmp(argv[a], "startup"))
			s.pruner_startup_trials = (int64_t)v;
		else if (!strcmp(argv[a], "warmup"))
			s.pruner_warmup_steps = (int64_t)v;
		else if (!strcmp(argv[a], "interval"))
			s.pruner_interval_steps = (int64_t)v;
		else if (!strcmp(argv[a], "min_resource"))
			s.pruner_min_resource = (int64_t)v;
		else if (!strcmp(argv[a], "reduction_factor"))
			s.pruner_reduction_factor = (int64_t)v;
		else if (!strcmp(argv[a], "min_early_stopping_rate"))
			s.pruner_min_early_stopping_rate = (int64_t)v;
		else if (!strcmp(argv[a], "lower"))
			s.pruner_lower = v;
		else if (!strcmp(argv[a], "upper"))
			s.pruner_upper = v;
		else if (!strcmp(argv[a], "max_parallel"))
			w = (int64_t)v;
		else if (!strcmp(argv[a], "maximize"))
			maximize = v != 0;
		else
			return die("unknown key");
	}

	while (fgets(line, sizeof(line), stdin)) {
		char *tok, *save = NULL;
		struct curve *t;

		c = realloc(c, (nc + 1) * sizeof(*c));
		if (!c)
			return die("out of memory");
		t = &c[nc++];
		memset(t, 0, sizeof(*t));
		for (tok = strtok_r(line, " \t\n", &save); tok &&
		    t->n < MAXSTEPS; tok = strtok_r(NULL, " \t\n", &save)) {
			t->given[t->n] = strcmp(tok, "-") != 0;
			t->v[t->n] = t->given[t->n] ? strtod(tok, NULL) : NAN;
			t->n++;
		}
	}

	for (i = 0; i < nc; i++) {
		const double **curves = calloc(nc + 1, sizeof(*curves));
		size_t *ncurve = calloc(nc + 1, sizeof(*ncurve));
		struct mmp_tune__seen seen;
		struct mmp_tune__pstate st;
		int64_t upto = (int64_t)i - w, last = -1;
		size_t k;

		memset(&seen, 0, sizeof(seen));
		/* as study.c: complete trials' curves, the rungs of the
		 * trials numbered upto and below, replayed in order */
		for (j = 0; (int64_t)j <= upto; j++)
			if (!c[j].pruned) {
				curves[seen.ncurves] = c[j].v;
				ncurve[seen.ncurves++] = c[j].n;
			}
		seen.curves = curves;
		seen.ncurve = ncurve;
		seen.ncomplete = seen.ncurves;
		for (; replayed <= upto; replayed++)
			mmp_tune__rungs_replay(&rungs, &s, replayed, w,
				c[replayed].v, c[replayed].n, maximize);
		seen.rungs = &rungs;
		seen.upto = upto;
		mmp_tune__pstate_init(&st);
		for (k = 0; k < c[i].n; k++) {
			if (!c[i].given[k])
				continue;
			last = (int64_t)k;
			if (mmp_tune__prune(&s, &seen, &st, (int64_t)k,
			    c[i].v[k], maximize, NULL, (int64_t)i)) {
				c[i].pruned = 1;
				break;
			}
		}
		/* what the store keeps: the steps up to the last one */
		c[i].n = last + 1;
		printf("%zu %s %lld\n", i, c[i].pruned ? "PRUNED" : "COMPLETE",
			(long long)last);
		free(curves);
		free(ncurve);
	}
	mmp_tune__rungs_release(&rungs);
	free(c);
	return 0;
}
