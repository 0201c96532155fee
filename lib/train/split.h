/* SPDX-License-Identifier: MIT */
/* split.h: train/validation/test splits: random, stratified and time-based */
#ifndef LIB_train_split_h__
#define LIB_train_split_h__

#include <stddef.h>
#include <stdint.h>

#include "mmp/data.h"
#include "mmp/recipe.h"

/*
 * Row indices (0-based, data rows of the file) of each set, in
 * ascending (file) order. The two-way functions below fill train and
 * test only; mmp_split_rows() fills all three and their digests: the
 * hex sha256 of the set's row indices, each as a decimal number
 * followed by a newline ("0\n3\n7\n"), so a recorded split can be
 * checked against a rebuilt one.
 */
typedef struct {
	size_t *train, ntrain;
	size_t *test, ntest;
	size_t *valid, nvalid;
	char train_sha256[65], valid_sha256[65], test_sha256[65];
} mmp_split;

/*
 * The split every mmp command uses (train, tune, approvals rebuilding a
 * run's test rows): the test set is carved from all rows as the
 * recipe's data.split says (method, test_size, seed, stratify, the
 * timestamp column); the validation set is then carved from the other
 * rows the same way with validation_size (a share of the non-test
 * rows): shuffled by a seed derived from data.split.seed, stratified
 * when the test set is, or the latest rows before the test rows for a
 * time split. `f` is the recipe's data as loaded for training (its
 * target codes and class table). Returns 0; MMP_EINVALID naming the
 * sizes when a set would be empty, or, stratified, when a class would
 * be missing from a set (naming the class and its row count).
 */
int mmp_split_rows(mmp_split *out, const mmp_recipe *r, const mmp_frame *f);

/* the holdout has ceil(test_size * n) rows, as scikit-learn's */
int mmp_split_random(mmp_split *out, size_t n, double test_size,
	uint64_t seed);
/* the same size, with each class's share kept; codes are 0..nclass-1 */
int mmp_split_stratified(mmp_split *out, const float *codes, size_t n,
	size_t nclass, double test_size, uint64_t seed);
/* the latest ceil(test_size * n) rows by timestamp are the holdout, and
 * with them every row sharing the earliest of their timestamps */
int mmp_split_time(mmp_split *out, const double *ts, size_t n,
	double test_size);
void mmp_split_release(mmp_split *s);

#endif
