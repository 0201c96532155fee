/* SPDX-License-Identifier: MIT */
/* bootstrap.c: percentile bootstrap intervals, single and paired */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/bootstrap.h"
#include "util/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double mmp_quantile(double *v, size_t n, double q)
{
	double pos, frac;
	size_t lo;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	if (q <= 0)
		return v[0];
	if (q >= 1)
		return v[n - 1];
	pos = q * (double)(n - 1);
	lo = (size_t)floor(pos);
	frac = pos - (double)lo;
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

static int check_options(mmp_bootstrap_options *o,
	const mmp_bootstrap_options *given)
{
	mmp_bootstrap_options def = MMP_BOOTSTRAP_OPTIONS_INIT;

	*o = given ? *given : def;
	if (o->version != MMP_BOOTSTRAP_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid bootstrap options");
	if (!o->resamples)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a bootstrap needs at least one resample");
	if (!(o->confidence > 0 && o->confidence < 1))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"bootstrap confidence must be between 0 and 1, got %g",
			o->confidence);
	return 0;
}

/* one bootstrap sample: draw n rows, copy their labels and scores */
struct sampler {
	mmp_rng rng;
	size_t n, per;
	const float *y;
	float *ys, *sa, *sb;
};

static void draw(struct sampler *s, const float *a, const float *b)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		size_t r = (size_t)mmp_rng_below(&s->rng, s->n);

		s->ys[i] = s->y[r];
		memcpy(s->sa + i * s->per, a + r * s->per,
			s->per * sizeof(float));
		if (b)
			memcpy(s->sb + i * s->per, b + r * s->per,
				s->per * sizeof(float));
	}
}

static void sampler_init(struct sampler *s, mmp_task task, size_t k,
	const float *y, size_t n, uint64_t seed, int paired)
{
	s->n = n;
	s->per = task == MMP_TASK_MULTICLASS ? k : 1;
	s->y = y;
	s->ys = mmp__calloc(n, sizeof(float));
	s->sa = mmp__calloc(n * s->per, sizeof(float));
	s->sb = paired ? mmp__calloc(n * s->per, sizeof(float)) : NULL;
	mmp_rng_seed(&s->rng, seed);
}

static void sampler_release(struct sampler *s)
{
	free(s->ys);
	free(s->sa);
	free(s->sb);
}

/* the interval of the finite values among `v` (m of them, reordered) */
static unsigned int interval(double *low, double *high, double *v,
	size_t m, double confidence)
{
	size_t i, k = 0;
	double tail = (1 - confidence) / 2;

	for (i = 0; i < m; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	*low = mmp_quantile(v, k, tail);
	*high = mmp_quantile(v, k, 1 - tail);
	return (unsigned int)k;
}

int mmp_metrics_bootstrap(mmp_metric_ci_list *out, mmp_task task,
	size_t nclasses, const float *y_true, const float *scores, size_t n,
	const mmp_bootstrap_options *given)
{
	mmp_bootstrap_options o;
	mmp_metric_list full, one;
	struct sampler s;
	double *vals, *col;
	size_t m, c, r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = check_options(&o, given)) < 0)
		return err;
	if ((err = mmp_metrics_compute(&full, task, nclasses, y_true, scores,
			n)) < 0)
		return err;
	m = full.count;
	out->count = m;
	out->resamples = o.resamples;
	out->confidence = o.confidence;
	vals = mmp__calloc((size_t)o.resamples * (m ? m : 1),
		sizeof(double));
	col = mmp__calloc(o.resamples, sizeof(double));
	sampler_init(&s, task, nclasses, y_true, n, o.seed, 0);
	for (r = 0; r < o.resamples; r++) {
		draw(&s, scores, NULL);
		if ((err = mmp_metrics_compute(&one, task, nclasses, s.ys,
				s.sa, n)) < 0)
			goto done;
		for (c = 0; c < m; c++)
			vals[r * m + c] = one.items[c].value;
	}
	for (c = 0; c < m; c++) {
		mmp_metric_ci *it = &out->items[c];

		it->name = full.items[c].name;
		it->value = full.items[c].value;
		for (r = 0; r < o.resamples; r++)
			col[r] = vals[r * m + c];
		it->valid = interval(&it->low, &it->high, col, o.resamples,
			o.confidence);
	}
done:
	sampler_release(&s);
	free(vals);
	free(col);
	if (err < 0)
		memset(out, 0, sizeof(*out));
	return err;
}

int mmp_metrics_bootstrap_paired(mmp_metric_paired_list *out,
	mmp_task task, size_t nclasses, const float *y_true,
	const float *scores_a, const float *scores_b, size_t n,
	const mmp_bootstrap_options *given)
{
	mmp_bootstrap_options o;
	mmp_metric_list fa, fb, oa, ob;
	struct sampler s;
	double *va, *vb, *col;
	size_t m, c, r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = check_options(&o, given)) < 0)
		return err;
	if ((err = mmp_metrics_compute(&fa, task, nclasses, y_true, scores_a,
			n)) < 0 ||
	    (err = mmp_metrics_compute(&fb, task, nclasses, y_true, scores_b,
			n)) < 0)
		return err;
	m = fa.count;
	out->count = m;
	out->rows = n;
	out->resamples = o.resamples;
	out->confidence = o.confidence;
	va = mmp__calloc((size_t)o.resamples * (m ? m : 1), sizeof(double));
	vb = mmp__calloc((size_t)o.resamples * (m ? m : 1), sizeof(double));
	col = mmp__calloc(o.resamples, sizeof(double));
	sampler_init(&s, task, nclasses, y_true, n, o.seed, 1);
	for (r = 0; r < o.resamples; r++) {
		draw(&s, scores_a, scores_b);
		if ((err = mmp_metrics_compute(&oa, task, nclasses, s.ys,
				s.sa, n)) < 0 ||
		    (err = mmp_metrics_compute(&ob, task, nclasses, s.ys,
				s.sb, n)) < 0)
			goto done;
		for (c = 0; c < m; c++) {
			va[r * m + c] = oa.items[c].value;
			vb[r * m + c] = ob.items[c].value;
		}
	}
	for (c = 0; c < m; c++) {
		mmp_metric_paired *it = &out->items[c];

		it->name = fa.items[c].name;
		it->a = fa.items[c].value;
		it->b = fb.items[c].value;
		it->diff = it->a - it->b;
		for (r = 0; r < o.resamples; r++)
			col[r] = va[r * m + c];
		interval(&it->a_low, &it->a_high, col, o.resamples,
			o.confidence);
		for (r = 0; r < o.resamples; r++)
			col[r] = vb[r * m + c];
		interval(&it->b_low, &it->b_high, col, o.resamples,
			o.confidence);
		/* a sample counts for the difference when both are defined */
		for (r = 0; r < o.resamples; r++)
			col[r] = va[r * m + c] - vb[r * m + c];
		it->valid = interval(&it->diff_low, &it->diff_high, col,
			o.resamples, o.confidence);
	}
done:
	sampler_release(&s);
	free(va);
	free(vb);
	free(col);
	if (err < 0)
		memset(out, 0, sizeof(*out));
	return err;
}

const mmp_metric_ci *mmp_metric_ci_get(const mmp_metric_ci_list *list,
	const char *name)
{
	size_t i;

	for (i = 0; list && name && i < list->count; i++)
		if (!strcmp(list->items[i].name, name))
			return &list->items[i];
	return NULL;
}

const mmp_metric_paired *mmp_metric_paired_get(
	const mmp_metric_paired_list *list, const char *name)
{
	size_t i;

	for (i = 0; list && name && i < list->count; i++)
		if (!strcmp(list->items[i].name, name))
			return &list->items[i];
	return NULL;
}
