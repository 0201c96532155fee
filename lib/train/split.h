/* SPDX-License-Identifier: MIT */
/* split.h: train/holdout splits: random, stratified and time-based */
#ifndef LIB_train_split_h__
#define LIB_train_split_h__

#include <stddef.h>
#include <stdint.h>

/* row indices of each side, in ascending (file) order */
typedef struct {
	size_t *train, ntrain;
	size_t *test, ntest;
} mmp_split;

/* the holdout has ceil(test_size * n) rows, as scikit-learn's */
int mmp_split_random(mmp_split *out, size_t n, double test_size,
	uint64_t seed);
/* the same size, with each class's share kept; codes are 0..nclass-1 */
int mmp_split_stratified(mmp_split *out, const float *codes, size_t n,
	size_t nclass, double test_size, uint64_t seed);
/* the latest rows by timestamp are the holdout (ties keep file order) */
int mmp_split_time(mmp_split *out, const double *ts, size_t n,
	double test_size);
void mmp_split_release(mmp_split *s);

#endif
