/* SPDX-License-Identifier: MIT */
/* metrics.h: evaluation metrics mmp computes on the holdout rows */
#ifndef INCLUDE_mmp_metrics_h__
#define INCLUDE_mmp_metrics_h__

#include "common.h"
#include "types.h"

MMP_BEGIN_DECL

/** "binary", "multiclass", "regression" (NULL for an unknown value). */
MMP_EXTERN(const char *) mmp_model_task_name(mmp_task task);

/**
 * Parse "binary", "multiclass" or "regression" into `out`.
 * Returns 0, or MMP_EINVALID naming the word.
 */
MMP_EXTERN(int) mmp_model_task_parse(mmp_task *out, const char *s);

/** One metric value. `name` is a static string owned by libmmp. */
typedef struct {
	const char *name;
	double value;
} mmp_metric;

#define MMP_METRICS_MAX 64

/** All the metrics of one evaluation, in a fixed order per task. */
typedef struct {
	size_t count;
	mmp_metric items[MMP_METRICS_MAX];
} mmp_metric_list;

/**
 * Compute every metric of `task` for `n` rows:
 *
 * - binary: accuracy, precision, recall, f1 (positive class = code 1,
 *   predicted positive when the probability is > 0.5, as XGBoost's
 *   classifier does), roc_auc (exact, tied scores averaged as in
 *   scikit-learn), logloss (probabilities clipped to [1e-15, 1-1e-15]).
 *   `scores` holds n probabilities of class 1.
 * - multiclass: accuracy, precision_macro, precision_weighted,
 *   recall_macro, recall_weighted, f1_macro, f1_weighted (scikit-learn's
 *   definitions with zero_division=0; macro averages over the classes
 *   that occur in y_true or in the predictions, as scikit-learn does),
 *   logloss (rows renormalised then clipped, as scikit-learn),
 *   roc_auc_ovr (macro one-vs-rest; NaN when a class has no positive
 *   or no negative row). `scores` is n x nclasses row-major.
 * - regression: rmse, mae, r2. `scores` holds n predictions.
 *
 * `y_true` holds class codes (0..K-1) or target values. A metric that
 * is undefined on the data (roc_auc with one class only) is NaN; r2
 * with a constant target is 1 when predicted exactly, else 0 (as
 * scikit-learn's force_finite). Returns 0, or MMP_EINVALID when n is 0,
 * nclasses < 2 for multiclass, a class code is out of range, or a
 * value is NaN.
 */
MMP_EXTERN(int) mmp_metrics_compute(mmp_metric_list *out,
	mmp_task task, size_t nclasses, const float *y_true,
	const float *scores, size_t n);

/**
 * The value of metric `name` in `list` into `out`. Returns 0, or
 * MMP_ENOTFOUND when the list has no such metric.
 */
MMP_EXTERN(int) mmp_metrics_get(double *out, const mmp_metric_list *list,
	const char *name);

/**
 * Fill the caller's `out` (k x k, row-major, rows = true class,
 * columns = predicted class) from the same inputs as
 * mmp_metrics_compute() (binary: k is 2, threshold 0.5; multiclass:
 * arg max, first maximum wins). Returns 0, or MMP_EINVALID for a
 * regression task, k < 2 or a code out of range.
 */
MMP_EXTERN(int) mmp_confusion_matrix(uint64_t *out, size_t k,
	mmp_task task, const float *y_true, const float *scores,
	size_t n);

MMP_END_DECL

#endif
