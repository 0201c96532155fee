/* SPDX-License-Identifier: MIT */
/* stats.c: drift statistics on count vectors (PSI, KS, JS, chi-square) */
#include <math.h>

#include "mmp/monitor.h"
#include "monitor-internal.h"

#define SHARE_FLOOR 1e-4

static double sum(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

double mmp_stat_psi(const double *ref, const double *live, size_t n)
{
	double sr = sum(ref, n), sl = sum(live, n), psi = 0;
	size_t i;

	if (sr <= 0 || sl <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		double e = ref[i] / sr, a = live[i] / sl;

		if (e < SHARE_FLOOR)
			e = SHARE_FLOOR;
		if (a < SHARE_FLOOR)
			a = SHARE_FLOOR;
		psi += (a - e) * log(a / e);
	}
	return psi;
}

double mmp_stat_ks(const double *ref, const double *live, size_t n)
{
	double sr = sum(ref, n), sl = sum(live, n), cr = 0, cl = 0, d = 0;
	size_t i;

	if (sr <= 0 || sl <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		double gap;

		cr += ref[i];
		cl += live[i];
		gap = fabs(cr / sr - cl / sl);
		if (gap > d)
			d = gap;
	}
	return d;
}

/*
 * The Kolmogorov distribution's upper tail at x: 2 sum (-1)^(k-1)
 * exp(-2 k^2 x^2), which converges fast for x >= 1; below that its
 * complement, the theta-function form sqrt(2 pi)/x sum exp(-(2k-1)^2
 * pi^2 / (8 x^2)), converges fast instead.
 */
static double kolmogorov_sf(double x)
{
	double s = 0;
	int k;

	if (x <= 0)
		return 1;
	if (x < 1) {
		double c = M_PI * M_PI / (8 * x * x);

		for (k = 1; k < 100; k++) {
			double t = exp(-(2.0 * k - 1) * (2.0 * k - 1) * c);

			s += t;
			if (t < 1e-17 * s)
				break;
		}
		s = 1 - sqrt(2 * M_PI) / x * s;
		return s < 0 ? 0 : s;
	}
	for (k = 1; k < 100; k++) {
		double t = exp(-2.0 * k * k * x * x);

		s += (k % 2 ? t : -t);
		if (t < 1e-17)
			break;
	}
	s *= 2;
	return s < 0 ? 0 : (s > 1 ? 1 : s);
}

double mmp_stat_ks_pvalue(double d, double n, double m)
{
	if (n <= 0 || m <= 0)
		return NAN;
	return kolmogorov_sf(sqrt(n * m / (n + m)) * d);
}

/* p ln(p / q) in base 2, 0 when p is 0 */
static double kl_term(double p, double q)
{
	return p > 0 ? p * log2(p / q) : 0;
}

double mmp_stat_js(const double *ref, const double *live, size_t n)
{
	double sr = sum(ref, n), sl = sum(live, n), js = 0;
	size_t i;

	if (sr <= 0 || sl <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		double p = ref[i] / sr, q = live[i] / sl, m = (p + q) / 2;

		js += 0.5 * kl_term(p, m) + 0.5 * kl_term(q, m);
	}
	/* rounding can leave a tiny negative or just over 1 */
	return js < 0 ? 0 : (js > 1 ? 1 : js);
}

/*
 * The regularised lower incomplete gamma P(a, x) by its power series
 * (for x < a + 1), and the upper Q(a, x) by its continued fraction
 * (modified Lentz) otherwise.
 */
static double gamma_p_series(double a, double x)
{
	double term = 1 / a, s = term, ap = a;
	int i;

	for (i = 0; i < 1000; i++) {
		ap += 1;
		term *= x / ap;
		s += term;
		if (fabs(term) < fabs(s) * 1e-16)
			break;
	}
	return s * exp(-x + a * log(x) - lgamma(a));
}

static double gamma_q_fraction(double a, double x)
{
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
	int i;

	for (i = 1; i < 1000; i++) {
		double an = -i * (i - a), delta;

		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < 1e-16)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

double mmp_stat_chi2_sf(double x, double df)
{
	double a = df / 2, hx = x / 2;

	if (df <= 0 || isnan(x))
		return NAN;
	if (x <= 0)
		return 1;
	if (hx < a + 1)
		return 1 - gamma_p_series(a, hx);
	return gamma_q_fraction(a, hx);
}

double mmp_stat_chi2(const double *ref, const double *live, size_t n,
	double *df, double *pvalue)
{
	double sr = 0, sl = 0, chi2 = 0;
	size_t i, cells = 0;

	for (i = 0; i < n; i++) {
		if (ref[i] > 0) {
			sr += ref[i];
			sl += live[i];
			cells++;
		}
	}
	if (df)
		*df = cells ? (double)(cells - 1) : 0;
	if (pvalue)
		*pvalue = NAN;
	if (sr <= 0 || sl <= 0) {
		if (pvalue && cells > 1)
			*pvalue = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		double e;

		if (ref[i] <= 0)
			continue;
		e = sl * ref[i] / sr;
		chi2 += (live[i] - e) * (live[i] - e) / e;
	}
	if (pvalue && cells > 1)
		*pvalue = mmp_stat_chi2_sf(chi2, (double)(cells - 1));
	return chi2;
}
