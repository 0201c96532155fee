/* SPDX-License-Identifier: MIT */
/* pruner.c: the median pruner, as Optuna's MedianPruner */
#include <math.h>
#include <stdlib.h>

#include "tune-internal.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double mmp_tune__median_at(const double *const *curves, const size_t *ncurve,
	size_t n, size_t step)
{
	double *v = mmp__calloc(n ? n : 1, sizeof(double)), pos, med;
	size_t i, m = 0, lo;

	for (i = 0; i < n; i++)
		if (step < ncurve[i] && !isnan(curves[i][step]))
			v[m++] = curves[i][step];
	if (!m) {
		free(v);
		return NAN;
	}
	qsort(v, m, sizeof(double), cmp_double);
	/* numpy's linear interpolation at the 50th percentile */
	pos = 0.5 * (double)(m - 1);
	lo = (size_t)floor(pos);
	med = lo + 1 < m ? v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo])
		: v[lo];
	free(v);
	return med;
}

bool mmp_tune__should_prune(double best, double median, size_t ncomplete,
	int64_t step, int64_t startup, int64_t warmup, bool maximize)
{
	if (ncomplete == 0 || ncomplete < (size_t)startup)
		return false;
	if (step < warmup)
		return false;
	if (isnan(best))
		return true;
	if (isnan(median))
		return false;
	return maximize ? best < median : best > median;
}
