/* SPDX-License-Identifier: MIT */
/* tpe.c: the TPE sampler as Optuna's TPESampler defines it (independent
 * sampling), Optuna's truncated normal, and the random sampler */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tune-internal.h"

#define EPS 1e-12
#define PRIOR_WEIGHT 1.0

static const double norm_pdf_logc = 0.91893853320467274178; /* log sqrt 2pi */

/* ---- Optuna's _truncnorm ---- */

static double ndtr(double a)
{
	double x = a / M_SQRT2;

	if (x < -M_SQRT1_2)
		return 0.5 * erfc(-x);
	if (x < M_SQRT1_2)
		return 0.5 + 0.5 * erf(x);
	return 1.0 - 0.5 * erfc(x);
}

double mmp_tune__log_ndtr(double a)
{
	double log_lhs, last = 0.0, rhs = 1.0, num = 1.0, denom = 1.0;
	double cons;
	int sign = 1, i = 0;

	if (a > 6)
		return -ndtr(-a);
	if (a > -20)
		return log(ndtr(a));
	/* the asymptotic series of the left tail */
	log_lhs = -0.5 * a * a - log(-a) - 0.5 * log(2 * M_PI);
	cons = 1 / (a * a);
	while (fabs(last - rhs) > DBL_EPSILON) {
		i++;
		last = rhs;
		sign = -sign;
		denom *= cons;
		num *= 2 * i - 1;
		rhs += sign * num * denom;
	}
	return log_lhs + log(rhs);
}

static double log_diff(double lp, double lq)
{
	return lp + log1p(-exp(lq - lp));
}

static double log_add(double a, double b)
{
	double m = a > b ? a : b;

	if (isinf(m) && m < 0)
		return m;
	return m + log(exp(a - m) + exp(b - m));
}

/* log of the standard normal mass in [a, b], in the stable tail */
double mmp_tune__log_gauss_mass(double a, double b)
{
	if (b <= 0)
		return log_diff(mmp_tune__log_ndtr(b), mmp_tune__log_ndtr(a));
	if (a > 0)
		return log_diff(mmp_tune__log_ndtr(-a),
			mmp_tune__log_ndtr(-b));
	return log1p(-ndtr(a) - ndtr(-b));
}

/* x with log_ndtr(x) = y, by Newton's method from Optuna's guess */
static double ndtri_exp(double y)
{
	int flipped = y > -1e-2, i;
	double z = flipped ? log(-expm1(y)) : y, x, dx;

	if (z < -5)
		x = -sqrt(-2.0 * (z + norm_pdf_logc));
	else
		x = -(sqrt(3) / M_PI) * log(expm1(-z));
	for (i = 0; i < 100; i++) {
		double lx = mmp_tune__log_ndtr(x);
		double lpdf = -0.5 * x * x - norm_pdf_logc;
		dx = (lx - z) * exp(lx - lpdf);
		x -= dx;
		if (fabs(dx) < 1e-8 * fabs(x))
			break;
	}
	return flipped ? -x : x;
}

double mmp_tune__truncnorm_ppf(double q, double a, double b)
{
	double log_mass;

	if (a == b)
		return NAN;
	if (q == 1)
		return b;
	if (q == 0)
		return a;
	log_mass = mmp_tune__log_gauss_mass(a, b);
	if (a < 0)
		return ndtri_exp(log_add(mmp_tune__log_ndtr(a),
			log(q) + log_mass));
	return -ndtri_exp(log_add(mmp_tune__log_ndtr(-b),
		log1p(-q) + log_mass));
}

double mmp_tune__truncnorm_log_pdf(double x, double a, double b,
	double loc, double scale)
{
	double z = (x - loc) / scale;

	if (a == b)
		return NAN;
	if (z < a || z > b)
		return -INFINITY;
	return -z * z / 2.0 - norm_pdf_logc - mmp_tune__log_gauss_mass(a, b)
		- log(scale);
}

/* ---- gamma and weights ---- */

int mmp_tune__gamma(int n)
{
	int g = (int)ceil(0.1 * n);

	return g < 25 ? g : 25;
}

void mmp_tune__weights(double *out, int n)
{
	int i, nramp;

	if (n < 25) {
		for (i = 0; i < n; i++)
			out[i] = 1.0;
		return;
	}
	/* numpy.linspace(1 / n, 1, n - 25), then 25 ones */
	nramp = n - 25;
	for (i = 0; i < nramp; i++) {
		if (nramp == 1)
			out[i] = 1.0 / n;
		else if (i == nramp - 1)
			out[i] = 1.0;
		else
			out[i] = 1.0 / n + i * ((1.0 - 1.0 / n) / (nramp - 1));
	}
	for (i = nramp; i < n; i++)
		out[i] = 1.0;
}

/* ---- the Parzen estimator ---- */

static void domain(const struct mmp_recipe__tune_param *p, double *lo,
	double *hi)
{
	*lo = p->low;
	*hi = p->high;
	if (p->step > 0) {
		*lo -= p->step / 2;
		*hi += p->step / 2;
	}
	if (p->log) {
		*lo = log(*lo);
		*hi = log(*hi);
	}
}

struct ix {
	double v;
	size_t i;
};

static int cmp_ix(const void *a, const void *b)
{
	const struct ix *x = a, *y = b;

	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	/* numpy's argsort (quicksort) is not stable; ties keep index
	 * order here, which gives the same sigmas */
	return x->i < y->i ? -1 : x->i > y->i;
}

static void numerical(struct mmp_tune__parzen *pe, const double *obs,
	size_t nobs)
{
	const struct mmp_recipe__tune_param *p = pe->p;
	double lo, hi, minsigma, maxsigma;
	size_t m = nobs + 1, i;
	struct ix *sorted = mmp__calloc(m, sizeof(*sorted));
	double *ends = mmp__calloc(m + 2, sizeof(double));
	double *ssig = mmp__calloc(m, sizeof(double));

	domain(p, &lo, &hi);
	pe->lo = lo;
	pe->hi = hi;
	pe->mus = mmp__calloc(m, sizeof(double));
	pe->sigmas = mmp__calloc(m, sizeof(double));
	for (i = 0; i < nobs; i++)
		pe->mus[i] = p->log ? log(obs[i]) : obs[i];
	pe->mus[nobs] = 0.5 * (lo + hi);

	/* each kernel's width: the larger gap to its sorted neighbours,
	 * the domain's ends counting as neighbours */
	for (i = 0; i < m; i++)
		sorted[i] = (struct ix){ pe->mus[i], i };
	qsort(sorted, m, sizeof(*sorted), cmp_ix);
	ends[0] = lo;
	for (i = 0; i < m; i++)
		ends[i + 1] = sorted[i].v;
	ends[m + 1] = hi;
	for (i = 0; i < m; i++) {
		double left = ends[i + 1] - ends[i];
		double right = ends[i + 2] - ends[i + 1];
		ssig[i] = left > right ? left : right;
	}
	if (m + 2 >= 4) {
		/* consider_endpoints=False */
		ssig[0] = ends[2] - ends[1];
		ssig[m - 1] = ends[m] - ends[m - 1];
	}
	maxsigma = hi - lo;
	/* magic clip: n_kernels counts the prior */
	minsigma = (hi - lo) / fmin(100.0, 1.0 + (double)(nobs + 1));
	for (i = 0; i < m; i++) {
		double s = ssig[i];
		if (s < minsigma)
			s = minsigma;
		if (s > maxsigma)
			s = maxsigma;
		pe->sigmas[sorted[i].i] = s;
	}
	/* the prior: centred, as wide as the domain */
	pe->sigmas[nobs] = hi - lo;
	free(sorted);
	free(ends);
	free(ssig);
}

static void categorical(struct mmp_tune__parzen *pe, const double *obs,
	size_t nobs)
{
	size_t k = pe->p->nchoices, n = pe->n, i, c;

	pe->cat = mmp__calloc(n * k, sizeof(double));
	if (!nobs) {
		for (c = 0; c < k; c++)
			pe->cat[c] = 1.0 / (double)k;
		return;
	}
	for (i = 0; i < n; i++) {
		double sum = 0;
		for (c = 0; c < k; c++)
			pe->cat[i * k + c] = PRIOR_WEIGHT / (double)n;
		if (i < nobs)
			pe->cat[i * k + (size_t)obs[i]] += 1;
		for (c = 0; c < k; c++)
			sum += pe->cat[i * k + c];
		for (c = 0; c < k; c++)
			pe->cat[i * k + c] /= sum ? sum : 1;
	}
}

static double mmp__log_mass(const struct mmp_tune__parzen *pe, double mu,
	double sg)
{
	return mmp_tune__log_gauss_mass((pe->lo - mu) / sg,
		(pe->hi - mu) / sg);
}

void mmp_tune__parzen_build(struct mmp_tune__parzen *pe,
	const struct mmp_recipe__tune_param *p, const double *obs, size_t nobs)
{
	double sum = 0;
	size_t i;

	memset(pe, 0, sizeof(*pe));
	pe->p = p;
	pe->n = nobs + 1;
	pe->weights = mmp__calloc(pe->n, sizeof(double));
	if (nobs) {
		mmp_tune__weights(pe->weights, (int)nobs);
		pe->weights[nobs] = PRIOR_WEIGHT;
	} else {
		pe->weights[0] = 1.0;
	}
	for (i = 0; i < pe->n; i++)
		sum += pe->weights[i];
	for (i = 0; i < pe->n; i++)
		pe->weights[i] /= sum;
	if (p->type == MMP_TUNE_CATEGORICAL)
		categorical(pe, obs, nobs);
	else
		numerical(pe, obs, nobs);
	/* what log_pdf needs per kernel that does not depend on x: the
	 * log weight, less (numerical) the log of the truncated mass */
	pe->logc = mmp__calloc(pe->n, sizeof(double));
	pe->scratch = mmp__calloc(pe->n, sizeof(double));
	for (i = 0; i < pe->n; i++) {
		pe->logc[i] = log(pe->weights[i]);
		if (p->type != MMP_TUNE_CATEGORICAL) {
			double mu = pe->mus[i], sg = pe->sigmas[i];
			pe->logc[i] -= mmp__log_mass(pe, mu, sg);
			if (p->step <= 0)
				pe->logc[i] -= log(sg) + norm_pdf_logc;
		}
	}
}

void mmp_tune__parzen_release(struct mmp_tune__parzen *pe)
{
	free(pe->weights);
	free(pe->mus);
	free(pe->sigmas);
	free(pe->cat);
	free(pe->logc);
	free(pe->scratch);
	memset(pe, 0, sizeof(*pe));
}

double mmp_tune__parzen_log_pdf(const struct mmp_tune__parzen *pe, double x)
{
	const struct mmp_recipe__tune_param *p = pe->p;
	double *lp = pe->scratch, m = -INFINITY, s = 0;
	double xt = 0, left = 0, right = 0;
	size_t i;

	if (p->type != MMP_TUNE_CATEGORICAL) {
		xt = p->log ? log(x) : x;
		left = p->log ? log(x - p->step / 2) : x - p->step / 2;
		right = p->log ? log(x + p->step / 2) : x + p->step / 2;
	}
	for (i = 0; i < pe->n; i++) {
		double v;

		if (p->type == MMP_TUNE_CATEGORICAL) {
			v = log(pe->cat[i * p->nchoices + (size_t)x]);
		} else if (p->step > 0) {
			double mu = pe->mus[i], sg = pe->sigmas[i];
			v = mmp_tune__log_gauss_mass((left - mu) / sg,
				(right - mu) / sg);
		} else if (xt < pe->lo || xt > pe->hi) {
			v = -INFINITY;
		} else {
			double z = (xt - pe->mus[i]) / pe->sigmas[i];
			v = -z * z / 2.0;
		}
		lp[i] = v + pe->logc[i];
		if (lp[i] > m)
			m = lp[i];
	}
	if (isinf(m) && m < 0)
		m = 0;
	for (i = 0; i < pe->n; i++)
		s += exp(lp[i] - m);
	return log(s) + m;
}

static size_t pick(const double *w, size_t n, double u)
{
	double cum = 0;
	size_t i;

	/* numpy's choice: the first index whose cumulative sum exceeds u */
	for (i = 0; i + 1 < n; i++) {
		cum += w[i];
		if (u < cum)
			return i;
	}
	return n - 1;
}

static double to_step(const struct mmp_recipe__tune_param *p, double x)
{
	double v = p->low + nearbyint((x - p->low) / p->step) * p->step;

	if (v < p->low)
		v = p->low;
	if (v > p->high)
		v = p->high;
	return v;
}

double mmp_tune__parzen_sample(const struct mmp_tune__parzen *pe,
	mmp_rng *rng)
{
	const struct mmp_recipe__tune_param *p = pe->p;
	size_t k = pick(pe->weights, pe->n, mmp_rng_uniform(rng));
	double mu, sg, x;

	if (p->type == MMP_TUNE_CATEGORICAL)
		return (double)pick(pe->cat + k * p->nchoices, p->nchoices,
			mmp_rng_uniform(rng));
	mu = pe->mus[k];
	sg = pe->sigmas[k];
	x = mmp_tune__truncnorm_ppf(mmp_rng_uniform(rng), (pe->lo - mu) / sg,
		(pe->hi - mu) / sg) * sg + mu;
	if (p->log)
		x = exp(x);
	if (p->step > 0)
		x = to_step(p, x);
	return x;
}

/* ---- the samplers ---- */

double mmp_tune__sample_random(const struct mmp_recipe__tune_param *p,
	mmp_rng *rng)
{
	double lo = p->low, hi = p->high, x;

	if (p->type == MMP_TUNE_CATEGORICAL)
		return (double)mmp_rng_below(rng, p->nchoices);
	/* Optuna's _SearchSpaceTransform: uniform over the adapted domain,
	 * then back to the grid */
	if (p->step > 0) {
		lo -= p->step / 2;
		hi += p->step / 2;
	}
	if (p->log) {
		lo = log(lo);
		hi = log(hi);
	}
	x = lo + (hi - lo) * mmp_rng_uniform(rng);
	if (p->log)
		x = exp(x);
	if (p->step > 0)
		return to_step(p, x);
	if (x < p->low)
		x = p->low;
	if (x > p->high)
		x = p->high;
	return x;
}

/* sort keys of Optuna's _split_trials; lower is better */
struct ranked {
	const struct mmp_tune__obs *o;
	double key1, key2;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key1 != y->key1)
		return x->key1 < y->key1 ? -1 : 1;
	if (x->key2 != y->key2)
		return x->key2 < y->key2 ? -1 : 1;
	/* Python's sort is stable: history order (by number) */
	return x->o->number < y->o->number ? -1 : 1;
}

static int cmp_by_number(const void *a, const void *b)
{
	const struct mmp_tune__obs *x = *(const struct mmp_tune__obs *const *)a;
	const struct mmp_tune__obs *y = *(const struct mmp_tune__obs *const *)b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/*
 * Split the history into the best gamma(n) trials ("below") and the
 * rest, each sorted by number: complete trials by value first, then
 * pruned ones by (the later step, the better value there).
 */
static void split(const struct mmp_tune__obs **below, size_t *nb,
	const struct mmp_tune__obs **above, size_t *na,
	const struct mmp_recipe__tune *spec,
	const struct mmp_tune__obs *hist, size_t n)
{
	struct ranked *c = mmp__calloc(n ? n : 1, sizeof(*c));
	struct ranked *pr = mmp__calloc(n ? n : 1, sizeof(*pr));
	size_t nc = 0, np = 0, want = (size_t)mmp_tune__gamma((int)n), i;

	for (i = 0; i < n; i++) {
		const struct mmp_tune__obs *o = &hist[i];
		if (o->state == MMP_TRIAL_COMPLETE) {
			double v = spec->maximize ? -o->value : o->value;
			c[nc++] = (struct ranked){ o, isnan(v) ? INFINITY : v,
				0 };
		} else {
			double k1 = 1, k2 = 0;
			if (o->last_step >= 0) {
				k1 = -(double)o->last_step;
				k2 = isnan(o->last_value) ? INFINITY :
					(o->last_maximize ? -o->last_value :
					 o->last_value);
			}
			pr[np++] = (struct ranked){ o, k1, k2 };
		}
	}
	qsort(c, nc, sizeof(*c), cmp_ranked);
	qsort(pr, np, sizeof(*pr), cmp_ranked);
	*nb = *na = 0;
	for (i = 0; i < nc; i++)
		if (*nb < want)
			below[(*nb)++] = c[i].o;
		else
			above[(*na)++] = c[i].o;
	for (i = 0; i < np; i++)
		if (*nb < want)
			below[(*nb)++] = pr[i].o;
		else
			above[(*na)++] = pr[i].o;
	qsort(below, *nb, sizeof(*below), cmp_by_number);
	qsort(above, *na, sizeof(*above), cmp_by_number);
	free(c);
	free(pr);
}

static double tpe_one(const struct mmp_recipe__tune_param *p, size_t idx,
	const struct mmp_recipe__tune *spec,
	const struct mmp_tune__obs *const *below, size_t nb,
	const struct mmp_tune__obs *const *above, size_t na, mmp_rng *rng)
{
	struct mmp_tune__parzen l, g;
	double *ob = mmp__calloc(nb + 1, sizeof(double));
	double *oa = mmp__calloc(na + 1, sizeof(double));
	double q, best_x = NAN, best = -INFINITY;
	size_t i, nc = (size_t)spec->tpe_ei_candidates;
	double *xs = mmp__calloc(nc, sizeof(double));
	double *acqs = mmp__calloc(nc, sizeof(double));

	for (i = 0; i < nb; i++)
		ob[i] = below[i]->x[idx];
	for (i = 0; i < na; i++)
		oa[i] = above[i]->x[idx];
	mmp_tune__parzen_build(&l, p, ob, nb);
	mmp_tune__parzen_build(&g, p, oa, na);
	q = (double)nb / (double)(nb + na ? nb + na : 1);
	for (i = 0; i < nc; i++) {
		double x = mmp_tune__parzen_sample(&l, rng), acq;
		size_t j;

		/* grid values repeat: score each one once */
		for (j = 0; j < i; j++)
			if (xs[j] == x)
				break;
		if (j < i) {
			acq = acqs[j];
		} else {
			double ll = mmp_tune__parzen_log_pdf(&l, x);
			double lg = mmp_tune__parzen_log_pdf(&g, x);
			/* Optuna's acquisition: -log(q + (1 - q) g / l) */
			acq = -log_add(log(q + EPS),
				log(1.0 - q + EPS) + lg - ll);
		}
		xs[i] = x;
		acqs[i] = acq;
		if (i == 0 || acq > best) {
			best = acq;
			best_x = x;
		}
	}
	mmp_tune__parzen_release(&l);
	mmp_tune__parzen_release(&g);
	free(xs);
	free(acqs);
	free(ob);
	free(oa);
	return best_x;
}

void mmp_tune__sample(double *out, const struct mmp_recipe__tune *spec,
	const struct mmp_tune__obs *hist, size_t nhist, int64_t number)
{
	const struct mmp_tune__obs **below, **above;
	size_t nb, na, i;
	mmp_rng rng;

	mmp_rng_seed(&rng, mmp_rng_derive((uint64_t)spec->seed,
		(uint64_t)number));
	if (spec->sampler == MMP_TUNE_RANDOM ||
	    nhist < (size_t)spec->tpe_startup_trials) {
		for (i = 0; i < spec->nparams; i++)
			out[i] = mmp_tune__sample_random(&spec->params[i],
				&rng);
		return;
	}
	below = mmp__calloc(nhist, sizeof(*below));
	above = mmp__calloc(nhist, sizeof(*above));
	split(below, &nb, above, &na, spec, hist, nhist);
	for (i = 0; i < spec->nparams; i++)
		out[i] = tpe_one(&spec->params[i], i, spec, below, nb, above,
			na, &rng);
	free(below);
	free(above);
}
