/* SPDX-License-Identifier: MIT */
/* t-split.c: random, stratified and time-based holdout splits */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "util/util.h"
#include "train/split.h"
#include "train/dataset.h"
#include "tap.h"

/* a recipe by hand: only what mmp_split_rows() and the loader read */
static void recipe_init(mmp_recipe *r, mmp_task task, const char *src)
{
	memset(r, 0, sizeof(*r));
	r->task = task;
	r->data.source_abs = src;
	r->data.target_column = "y";
	r->split.method = MMP_SPLIT_RANDOM;
	r->split.test_size = 0.2;
	r->split.validation_size = 0.25;
	r->split.seed = 42;
	r->split.stratify = task != MMP_TASK_REGRESSION;
	r->data.positive_class = "b";
}

static mmp_frame *load(const mmp_recipe *r)
{
	mmp_frame *f = NULL;

	if (mmp_train__load_data(&f, NULL, r, r->data.source_abs, 1) < 0)
		diag("load: %s", mmp_error_last()->message);
	return f;
}

/* every row in exactly one of the three sets, each ascending */
static int three_way(const mmp_split *s, size_t n)
{
	unsigned char *seen = calloc(n, 1);
	const size_t *sets[3] = { s->train, s->valid, s->test };
	size_t sizes[3] = { s->ntrain, s->nvalid, s->ntest }, k, i;
	int good = s->ntrain + s->nvalid + s->ntest == n;

	for (k = 0; good && k < 3; k++)
		for (i = 0; good && i < sizes[k]; i++)
			good = sets[k][i] < n && !seen[sets[k][i]]++ &&
				(i == 0 || sets[k][i] > sets[k][i - 1]);
	free(seen);
	return good;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static void three_way_tests(void)
{
	char csv[512], tcsv[512], small[512];
	mmp_buf text = MMP_BUF_INIT;
	mmp_recipe r;
	mmp_frame *f;
	mmp_split a, b;
	size_t i, pos;

	snprintf(csv, sizeof(csv), "%s/c.csv", tap_tmpdir());
	snprintf(tcsv, sizeof(tcsv), "%s/t.csv", tap_tmpdir());
	snprintf(small, sizeof(small), "%s/s.csv", tap_tmpdir());
	/* 200 rows, 60 of class b; time = reversed row order */
	mmp_buf_puts(&text, "x,t,y\n");
	for (i = 0; i < 200; i++)
		mmp_buf_printf(&text, "%zu,%zu,%s\n", i, 1000 - i,
			i % 10 < 3 ? "b" : "a");
	write_file(csv, text.ptr);
	write_file(tcsv, text.ptr);

	recipe_init(&r, MMP_TASK_BINARY, csv);
	f = load(&r);
	is_int(mmp_split_rows(&a, &r, f), 0, "three-way stratified split");
	is_int((long long)a.ntest, 40, "test: ceil(0.2 * 200)");
	is_int((long long)a.nvalid, 40, "validation: ceil(0.25 * 160)");
	is_int((long long)a.ntrain, 120, "train: the rest");
	ok(three_way(&a, 200), "disjoint, complete, in file order");
	for (pos = 0, i = 0; i < a.nvalid; i++)
		pos += mmp_frame_target(f)[a.valid[i]] == 1.0f;
	is_int((long long)pos, 12, "validation keeps the class shares");
	ok(strlen(a.test_sha256) == 64 && strcmp(a.test_sha256,
		a.valid_sha256), "each set has its digest");
	is_int(mmp_split_rows(&b, &r, f), 0, "again");
	ok(!memcmp(a.valid, b.valid, a.nvalid * sizeof(size_t)) &&
		!strcmp(a.train_sha256, b.train_sha256),
		"the same seed rebuilds the same sets");
	mmp_split_release(&b);
	{
		/* the digest is the sha256 of "i\n" per row index */
		mmp_buf d = MMP_BUF_INIT;
		char hex[65];

		for (i = 0; i < a.ntest; i++)
			mmp_buf_printf(&d, "%zu\n", a.test[i]);
		mmp_sha256_buf_hex(hex, d.ptr, d.size);
		is_str(a.test_sha256, hex, "test digest as documented");
		mmp_buf_dispose(&d);
	}
	{
		/* the test set is the one the two-way split makes */
		mmp_split two;

		mmp_split_stratified(&two, mmp_frame_target(f), 200, 2, 0.2,
			42);
		ok(two.ntest == a.ntest && !memcmp(two.test, a.test,
			a.ntest * sizeof(size_t)), "test rows as before the "
			"validation set existed");
		mmp_split_release(&two);
	}
	r.split.seed = 7;
	mmp_split_rows(&b, &r, f);
	ok(memcmp(a.test, b.test, a.ntest * sizeof(size_t)),
		"another seed, another split");
	mmp_split_release(&a);
	mmp_split_release(&b);
	mmp_frame_free(f);

	/* time: test = latest, validation = latest before them */
	recipe_init(&r, MMP_TASK_REGRESSION, tcsv);
	r.task = MMP_TASK_BINARY;
	r.split.method = MMP_SPLIT_TIME;
	r.split.stratify = false;
	r.data.timestamp_column = "t";
	f = load(&r);
	is_int(mmp_split_rows(&a, &r, f), 0, "time split");
	ok(a.test[0] == 0 && a.test[a.ntest - 1] == 39,
		"test: the 40 latest rows (the first in the file)");
	ok(a.valid[0] == 40 && a.valid[a.nvalid - 1] == 79,
		"validation: the 40 latest before them");
	ok(a.train[0] == 80 && three_way(&a, 200), "train: the oldest");
	mmp_split_release(&a);
	mmp_frame_free(f);

	/* ties grow the test set until no validation row is left: the
	 * message gives the sizes the ties made */
	write_file(small, "x,t,y\n1,1,a\n2,3,b\n3,3,a\n4,3,b\n5,3,a\n");
	recipe_init(&r, MMP_TASK_BINARY, small);
	r.split.method = MMP_SPLIT_TIME;
	r.split.stratify = false;
	r.data.timestamp_column = "t";
	f = load(&r);
	is_int(mmp_split_rows(&a, &r, f), MMP_EINVALID,
		"a tie leaves one row before the test set: an error");
	is_str(mmp_error_last()->message, "cannot split 5 rows into train, "
		"validation and test sets with test_size 0.2 and "
		"validation_size 0.25: that gives 0 train, 1 validation and "
		"4 test rows (rows sharing the timestamp at the cut all go to "
		"the test set), and each set needs at least one",
		"the message gives the sizes the tie made");
	mmp_frame_free(f);

	/* too small */
	write_file(small, "x,y\n1,a\n2,b\n");
	recipe_init(&r, MMP_TASK_BINARY, small);
	r.split.stratify = false;
	f = load(&r);
	is_int(mmp_split_rows(&a, &r, f), MMP_EINVALID, "2 rows: an error");
	is_str(mmp_error_last()->message, "cannot split 2 rows into train, "
		"validation and test sets with test_size 0.2 and "
		"validation_size 0.25: that gives 0 train, 1 validation and "
		"1 test rows, and each set needs at least one",
		"the message names the sizes");
	mmp_frame_free(f);
	write_file(small, "x,y\n1,a\n2,b\n3,a\n4,a\n5,a\n6,b\n7,a\n");
	recipe_init(&r, MMP_TASK_BINARY, small);
	f = load(&r);
	is_int(mmp_split_rows(&a, &r, f), MMP_EINVALID,
		"stratified, a class too small for three sets");
	ok(strstr(mmp_error_last()->message, "class 'b' has 2 rows") != NULL,
		"the message names the class and its rows: %s",
		mmp_error_last()->message);
	r.split.stratify = false;
	is_int(mmp_split_rows(&a, &r, f), 0, "not stratified, it splits");
	ok(three_way(&a, 7), "into three sets");
	mmp_split_release(&a);
	r.split.validation_size = 1;
	is_int(mmp_split_rows(&a, &r, f), MMP_EINVALID,
		"validation_size 1 is refused");
	mmp_frame_free(f);
	mmp_buf_dispose(&text);
}

static int disjoint_and_complete(const mmp_split *s, size_t n)
{
	unsigned char *seen = calloc(n, 1);
	size_t i;
	int good = s->ntrain + s->ntest == n;

	for (i = 0; good && i < s->ntrain; i++)
		good = s->train[i] < n && !seen[s->train[i]]++ &&
			(i == 0 || s->train[i] > s->train[i - 1]);
	for (i = 0; good && i < s->ntest; i++)
		good = s->test[i] < n && !seen[s->test[i]]++ &&
			(i == 0 || s->test[i] > s->test[i - 1]);
	free(seen);
	return good;
}

int main(void)
{
	mmp_split a, b;
	float codes[100];
	double ts[10] = { 5, 1, 9, 3, 7, 2, 8, 4, 6, 0 };
	size_t i, pos;

	is_int(mmp_split_random(&a, 569, 0.2, 42), 0, "random split");
	is_int((long long)a.ntest, 114, "holdout is ceil(0.2 * 569)");
	ok(disjoint_and_complete(&a, 569), "sides are disjoint, complete, "
		"in file order");
	is_int(mmp_split_random(&b, 569, 0.2, 42), 0, "same seed again");
	ok(!memcmp(a.test, b.test, a.ntest * sizeof(size_t)),
		"the same seed gives the same holdout");
	mmp_split_release(&b);
	mmp_split_random(&b, 569, 0.2, 43);
	ok(memcmp(a.test, b.test, a.ntest * sizeof(size_t)),
		"another seed gives another holdout");
	mmp_split_release(&a);
	mmp_split_release(&b);

	/* 70 of class 0, 30 of class 1 */
	for (i = 0; i < 100; i++)
		codes[i] = i % 10 < 7 ? 0.0f : 1.0f;
	is_int(mmp_split_stratified(&a, codes, 100, 2, 0.2, 1), 0,
		"stratified split");
	is_int((long long)a.ntest, 20, "holdout of 20");
	for (pos = 0, i = 0; i < a.ntest; i++)
		pos += codes[a.test[i]] == 1.0f;
	is_int((long long)pos, 6, "class shares kept: 6 of 20 are class 1");
	ok(disjoint_and_complete(&a, 100), "stratified sides are complete");
	mmp_split_release(&a);
	codes[3] = NAN;
	is_int(mmp_split_stratified(&a, codes, 100, 2, 0.2, 1), MMP_EINVALID,
		"a row with no class is an error");
	is_str(mmp_error_last()->message, "row 4 has no valid class for a "
		"stratified split", "the message names the row");

	is_int(mmp_split_time(&a, ts, 10, 0.3), 0, "time split");
	is_int((long long)a.ntest, 3, "three latest rows");
	ok(a.test[0] == 2 && a.test[1] == 4 && a.test[2] == 6,
		"the holdout holds timestamps 9, 7 and 8");
	mmp_split_release(&a);

	{
		/* a tie across the cut: the timestamp 2 rows all go to
		 * the holdout, none to the rows before it */
		static const double tied[10] = { 3, 0, 2, 1, 2, 0, 3, 1, 2, 1 };
		static const double flat[4] = { 5, 5, 5, 5 };

		is_int(mmp_split_time(&a, tied, 10, 0.3), 0,
			"time split with tied timestamps");
		is_int((long long)a.ntest, 5, "three rows grow to five");
		ok(a.ntest == 5 && a.test[0] == 0 && a.test[1] == 2 &&
		   a.test[2] == 4 && a.test[3] == 6 && a.test[4] == 8,
			"the holdout is every row at timestamp 2 or later");
		ok(a.ntrain == 5 && a.train[0] == 1 && a.train[4] == 9,
			"the rest is every row before timestamp 2");
		mmp_split_release(&a);
		is_int(mmp_split_time(&a, tied, 10, 0.2), 0,
			"no tie across the cut");
		is_int((long long)a.ntest, 2, "two rows, as the share says");
		mmp_split_release(&a);
		is_int(mmp_split_time(&a, flat, 4, 0.25), MMP_EINVALID,
			"one timestamp for every row cannot be split by time");
		is_str(mmp_error_last()->message, "cannot split 4 rows by "
			"time with a held-out share of 0.25: the earliest 4 "
			"rows share one timestamp with the held-out rows, and "
			"rows of one timestamp stay together, so no earlier "
			"row is left", "the message says why");
	}

	is_int(mmp_split_random(&a, 10, 1.5, 1), MMP_EINVALID,
		"test_size outside (0, 1) is an error");
	is_int(mmp_split_random(&a, 1, 0.5, 1), MMP_EINVALID,
		"one row cannot be split");
	ok(strstr(mmp_error_last()->message, "each side needs at least one "
		"row") != NULL, "the message says why");
	three_way_tests();
	return done_testing();
}
