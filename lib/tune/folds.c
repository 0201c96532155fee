/* SPDX-License-Identifier: MIT */
/* folds.c: k-fold and stratified k-fold assignment of rows */
#include <stdlib.h>

#include "tune-internal.h"

static void shuffle(size_t *a, size_t n, mmp_rng *rng)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)mmp_rng_below(rng, i), t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

void mmp_tune__folds(int *out, size_t n, int k, const float *codes,
	size_t nclass, uint64_t seed)
{
	size_t *idx = mmp__calloc(n ? n : 1, sizeof(size_t));
	size_t i, m, deal = 0, c;
	mmp_rng rng;

	mmp_rng_seed(&rng, seed);
	if (!codes || nclass < 2) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		shuffle(idx, n, &rng);
		for (i = 0; i < n; i++)
			out[idx[i]] = (int)(i % (size_t)k);
		free(idx);
		return;
	}
	/* class by class, in code order, dealing on where the last
	 * class stopped so that the fold sizes differ by one at most */
	for (c = 0; c < nclass; c++) {
		m = 0;
		for (i = 0; i < n; i++)
			if ((size_t)codes[i] == c)
				idx[m++] = i;
		shuffle(idx, m, &rng);
		for (i = 0; i < m; i++)
			out[idx[i]] = (int)(deal++ % (size_t)k);
	}
	free(idx);
}
