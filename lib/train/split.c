/* SPDX-License-Identifier: MIT */
/* split.c: reproducible train/holdout splits */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "split.h"

static int holdout_size(size_t *out, size_t n, double test_size)
{
	double t = ceil(test_size * (double)n);

	if (!(test_size > 0 && test_size < 1))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"test_size must be between 0 and 1, got %g", test_size);
	if (n < 2 || t < 1 || t >= (double)n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"cannot split %zu rows with test_size %g: each side "
			"needs at least one row", n, test_size);
	*out = (size_t)t;
	return 0;
}

static void shuffle(size_t *v, size_t n, mmp_rng *r)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)mmp_rng_below(r, i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}


/* fill `out` from a 0/1 membership mask (1 = holdout) */
static void from_mask(mmp_split *out, const unsigned char *mask, size_t n,
	size_t ntest)
{
	size_t i, a = 0, b = 0;

	out->ntest = ntest;
	out->ntrain = n - ntest;
	out->test = mmp__calloc(ntest, sizeof(size_t));
	out->train = mmp__calloc(n - ntest, sizeof(size_t));
	for (i = 0; i < n; i++) {
		if (mask[i])
			out->test[a++] = i;
		else
			out->train[b++] = i;
	}
}

int mmp_split_random(mmp_split *out, size_t n, double test_size,
	uint64_t seed)
{
	size_t ntest, i, *idx;
	unsigned char *mask;
	mmp_rng r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = holdout_size(&ntest, n, test_size)) < 0)
		return err;
	idx = mmp__calloc(n, sizeof(*idx));
	mask = mmp__calloc(n, 1);
	for (i = 0; i < n; i++)
		idx[i] = i;
	mmp_rng_seed(&r, seed);
	shuffle(idx, n, &r);
	for (i = 0; i < ntest; i++)
		mask[idx[i]] = 1;
	from_mask(out, mask, n, ntest);
	free(idx);
	free(mask);
	return 0;
}

int mmp_split_stratified(mmp_split *out, const float *codes, size_t n,
	size_t nclass, double test_size, uint64_t seed)
{
	size_t ntest, i, c, given = 0, *count, *take, **members, *fill;
	double *frac;
	unsigned char *mask;
	mmp_rng r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = holdout_size(&ntest, n, test_size)) < 0)
		return err;
	count = mmp__calloc(nclass, sizeof(*count));
	take = mmp__calloc(nclass, sizeof(*take));
	fill = mmp__calloc(nclass, sizeof(*fill));
	frac = mmp__calloc(nclass, sizeof(*frac));
	members = mmp__calloc(nclass, sizeof(*members));
	mask = mmp__calloc(n, 1);
	for (i = 0; i < n; i++) {
		size_t k = (size_t)codes[i];
		if (isnan(codes[i]) || codes[i] < 0 || k >= nclass) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"row %zu has no valid class for a stratified "
				"split", i + 1);
			goto done;
		}
		count[k]++;
	}
	/* each class gets floor(share); the rest go to the largest
	 * remainders, lower class codes first on ties */
	for (c = 0; c < nclass; c++) {
		double want = (double)count[c] * (double)ntest / (double)n;
		take[c] = (size_t)floor(want);
		frac[c] = want - floor(want);
		given += take[c];
	}
	while (given < ntest) {
		size_t best = nclass;
		for (c = 0; c < nclass; c++)
			if (take[c] < count[c] &&
			    (best == nclass || frac[c] > frac[best]))
				best = c;
		if (best == nclass)
			break;
		take[best]++;
		frac[best] = -1;
		given++;
	}
	for (c = 0; c < nclass; c++)
		members[c] = mmp__calloc(count[c] ? count[c] : 1,
			sizeof(size_t));
	for (i = 0; i < n; i++) {
		size_t k = (size_t)codes[i];
		members[k][fill[k]++] = i;
	}
	mmp_rng_seed(&r, seed);
	for (c = 0; c < nclass; c++) {
		shuffle(members[c], count[c], &r);
		for (i = 0; i < take[c]; i++)
			mask[members[c][i]] = 1;
	}
	from_mask(out, mask, n, given);
done:
	for (c = 0; c < nclass; c++)
		free(members[c]);
	free(members);
	free(count);
	free(take);
	free(fill);
	free(frac);
	free(mask);
	return err;
}

struct ts_row {
	double ts;
	size_t row;
};

static int cmp_ts(const void *a, const void *b)
{
	const struct ts_row *x = a, *y = b;

	if (x->ts < y->ts)
		return -1;
	if (x->ts > y->ts)
		return 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

int mmp_split_time(mmp_split *out, const double *ts, size_t n,
	double test_size)
{
	size_t ntest, i;
	struct ts_row *v;
	unsigned char *mask;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = holdout_size(&ntest, n, test_size)) < 0)
		return err;
	for (i = 0; i < n; i++)
		if (isnan(ts[i]))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"row %zu has no timestamp for a time-based "
				"split", i + 1);
	v = mmp__calloc(n, sizeof(*v));
	mask = mmp__calloc(n, 1);
	for (i = 0; i < n; i++) {
		v[i].ts = ts[i];
		v[i].row = i;
	}
	qsort(v, n, sizeof(*v), cmp_ts);
	for (i = n - ntest; i < n; i++)
		mask[v[i].row] = 1;
	from_mask(out, mask, n, ntest);
	free(v);
	free(mask);
	return 0;
}

void mmp_split_release(mmp_split *s)
{
	free(s->train);
	free(s->test);
	memset(s, 0, sizeof(*s));
}
