/* SPDX-License-Identifier: MIT */
/* split.c: reproducible train/validation/test splits */
#include <math.h>
#include <stdio.h>
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
		size_t k;
		if (isnan(codes[i]) || codes[i] < 0 ||
		    codes[i] >= (float)nclass) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"row %zu has no valid class for a stratified "
				"split", i + 1);
			goto done;
		}
		k = (size_t)codes[i];
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
	size_t ntest, cut, i;
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
	/* rows of one timestamp stay on one side: a tie across the cut
	 * goes whole to the later rows, so no earlier row shares a time
	 * with a held-out one */
	cut = n - ntest;
	while (cut > 0 && v[cut - 1].ts == v[cut].ts)
		cut--;
	if (cut == 0) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"cannot split %zu rows by time with a held-out share "
			"of %g: the earliest %zu rows share one timestamp with "
			"the held-out rows, and rows of one timestamp stay "
			"together, so no earlier row is left", n, test_size,
			n - ntest + 1);
		goto done;
	}
	for (i = cut; i < n; i++)
		mask[v[i].row] = 1;
	from_mask(out, mask, n, n - cut);
done:
	free(v);
	free(mask);
	return err;
}

void mmp_split_release(mmp_split *s)
{
	free(s->train);
	free(s->test);
	free(s->valid);
	memset(s, 0, sizeof(*s));
}

/* the seed stream of the validation carve, apart from the test's */
#define VALID_STREAM 1

static void digest(char out[65], const size_t *idx, size_t n)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	char num[32];
	size_t i;

	mmp_sha256_init(&c);
	for (i = 0; i < n; i++) {
		int len = snprintf(num, sizeof(num), "%zu\n", idx[i]);
		mmp_sha256_update(&c, num, (size_t)len);
	}
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out, d);
}

/* `held` test rows (0: as test_size gives them; a time split holds
 * more when a timestamp spans the cut) */
static int sizes_error(size_t n, const mmp_recipe *r, size_t held)
{
	double t = held ? (double)held : ceil(r->split.test_size * (double)n);
	double rest = (double)n - t;
	double v = rest > 0 ? ceil(r->split.validation_size * rest) : 0;
	double tr = rest - v;

	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
		"cannot split %zu rows into train, validation and test sets "
		"with test_size %g and validation_size %g: that gives %.0f "
		"train, %.0f validation and %.0f test rows%s, and each set "
		"needs at least one", n, r->split.test_size,
		r->split.validation_size, tr < 0 ? 0 : tr, v < 0 ? 0 : v,
		t > (double)n ? (double)n : t,
		held && (double)held != ceil(r->split.test_size * (double)n) ?
		" (rows sharing the timestamp at the cut all go to the test "
		"set)" : "");
}

/* two-way split of `n` rows by the recipe's method, `size` held out */
static int carve(mmp_split *out, const mmp_recipe *r, const float *codes,
	size_t nclass, const double *ts, size_t n, double size,
	uint64_t seed)
{
	if (r->split.method == MMP_SPLIT_TIME)
		return mmp_split_time(out, ts, n, size);
	if (r->task != MMP_TASK_REGRESSION && r->split.stratify)
		return mmp_split_stratified(out, codes, n, nclass, size, seed);
	return mmp_split_random(out, n, size, seed);
}

/* stratified: every class needs a row in every set */
static int check_classes(const mmp_split *s, const float *codes,
	const mmp_category_table *t, size_t nclass)
{
	size_t *cnt = mmp__calloc(3 * (nclass ? nclass : 1), sizeof(*cnt));
	size_t i, c;
	int err = 0;

	for (i = 0; i < s->ntrain; i++)
		cnt[3 * (size_t)codes[s->train[i]]]++;
	for (i = 0; i < s->nvalid; i++)
		cnt[3 * (size_t)codes[s->valid[i]] + 1]++;
	for (i = 0; i < s->ntest; i++)
		cnt[3 * (size_t)codes[s->test[i]] + 2]++;
	for (c = 0; c < nclass && !err; c++) {
		size_t *k = cnt + 3 * c;
		if (k[0] && k[1] && k[2])
			continue;
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"class '%s' has %zu rows, too few for a stratified "
			"split into train, validation and test sets (it got "
			"%zu train, %zu validation, %zu test rows); add rows "
			"of that class, raise test_size or validation_size, "
			"or set data.split.stratify: false",
			t ? mmp_category_table_string(t, c) : "?",
			k[0] + k[1] + k[2], k[0], k[1], k[2]);
	}
	free(cnt);
	return err;
}

int mmp_split_rows(mmp_split *out, const mmp_recipe *r, const mmp_frame *f)
{
	size_t n = mmp_frame_nrows(f), m, i;
	const float *codes = mmp_frame_target(f);
	const double *ts = mmp_frame_timestamps(f);
	const mmp_category_table *t = mmp_frame_classes(f);
	size_t nclass = t ? mmp_category_table_count(t) : 0;
	uint64_t seed = (uint64_t)r->split.seed;
	int stratified = r->split.method != MMP_SPLIT_TIME &&
		r->task != MMP_TASK_REGRESSION && r->split.stratify;
	float *sub_codes = NULL;
	double *sub_ts = NULL;
	mmp_split first, second;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&second, 0, sizeof(second));
	if (!(r->split.validation_size > 0 && r->split.validation_size < 1))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"validation_size must be between 0 and 1, got %g",
			r->split.validation_size);
	if (!(r->split.test_size > 0 && r->split.test_size < 1))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"test_size must be between 0 and 1, got %g",
			r->split.test_size);
	if (n < 3 || ceil(r->split.test_size * (double)n) >= (double)n - 1)
		return sizes_error(n, r, 0);
	if ((err = carve(&first, r, codes, nclass, ts, n,
			r->split.test_size, seed)) < 0)
		return err;
	m = first.ntrain;
	if (ceil(r->split.validation_size * (double)m) >= (double)m) {
		size_t held = first.ntest;

		mmp_split_release(&first);
		return sizes_error(n, r, held);
	}
	/* the non-test rows, renumbered 0..m-1, carved again */
	if (codes) {
		sub_codes = mmp__calloc(m, sizeof(*sub_codes));
		for (i = 0; i < m; i++)
			sub_codes[i] = codes[first.train[i]];
	}
	if (ts) {
		sub_ts = mmp__calloc(m, sizeof(*sub_ts));
		for (i = 0; i < m; i++)
			sub_ts[i] = ts[first.train[i]];
	}
	err = carve(&second, r, sub_codes, nclass, sub_ts, m,
		r->split.validation_size, mmp_rng_derive(seed, VALID_STREAM));
	free(sub_codes);
	free(sub_ts);
	if (err < 0) {
		mmp_split_release(&first);
		return err;
	}
	out->test = first.test;
	out->ntest = first.ntest;
	first.test = NULL;
	out->ntrain = second.ntrain;
	out->nvalid = second.ntest;
	out->train = mmp__calloc(out->ntrain, sizeof(size_t));
	out->valid = mmp__calloc(out->nvalid, sizeof(size_t));
	for (i = 0; i < second.ntrain; i++)
		out->train[i] = first.train[second.train[i]];
	for (i = 0; i < second.ntest; i++)
		out->valid[i] = first.train[second.test[i]];
	mmp_split_release(&first);
	mmp_split_release(&second);
	if (stratified && (err = check_classes(out, codes, t, nclass)) < 0) {
		mmp_split_release(out);
		return err;
	}
	digest(out->train_sha256, out->train, out->ntrain);
	digest(out->valid_sha256, out->valid, out->nvalid);
	digest(out->test_sha256, out->test, out->ntest);
	return 0;
}
