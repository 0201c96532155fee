/* SPDX-License-Identifier: MIT */
/* t-split.c: random, stratified and time-based holdout splits */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "util/util.h"
#include "train/split.h"
#include "tap.h"

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

	is_int(mmp_split_random(&a, 10, 1.5, 1), MMP_EINVALID,
		"test_size outside (0, 1) is an error");
	is_int(mmp_split_random(&a, 1, 0.5, 1), MMP_EINVALID,
		"one row cannot be split");
	ok(strstr(mmp_error_last()->message, "each side needs at least one "
		"row") != NULL, "the message says why");
	return done_testing();
}
