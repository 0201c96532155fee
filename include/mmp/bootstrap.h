/* SPDX-License-Identifier: MIT */
/* bootstrap.h: percentile bootstrap intervals for evaluation metrics */
#ifndef INCLUDE_mmp_bootstrap_h__
#define INCLUDE_mmp_bootstrap_h__

#include "common.h"
#include "types.h"
#include "metrics.h"

MMP_BEGIN_DECL

/*
 * The bootstrap draws `resamples` samples of n rows with replacement
 * (a seeded xoshiro256** stream, so the same seed gives the same
 * samples on every machine), computes every metric of the task with
 * mmp_metrics_compute() on each sample, and reports the percentile
 * interval: the (1 - confidence) / 2 and 1 - (1 - confidence) / 2
 * quantiles of the sample values, linearly interpolated between order
 * statistics (numpy.percentile's default). A sample on which a metric
 * is undefined (roc_auc with one class drawn) is left out of that
 * metric's interval; `valid` says how many samples count. With no
 * valid sample the bounds are NaN.
 */
typedef struct {
	unsigned int version;
	unsigned int resamples;   /**< samples to draw; >= 1 */
	double confidence;        /**< in (0, 1), e.g. 0.95 */
	uint64_t seed;            /**< the sample stream */
} mmp_bootstrap_options;

#define MMP_BOOTSTRAP_OPTIONS_VERSION 1
#define MMP_BOOTSTRAP_OPTIONS_INIT \
	{ MMP_BOOTSTRAP_OPTIONS_VERSION, 1000, 0.95, 0 }

/** One metric on all rows, with its interval. */
typedef struct {
	const char *name;   /**< static, owned by libmmp */
	double value;       /**< on the rows as given */
	double low, high;   /**< the interval; NaN without valid samples */
	unsigned int valid; /**< samples on which the metric was defined */
} mmp_metric_ci;

/** Every metric of one evaluation with intervals, in the order of
 * mmp_metrics_compute(). */
typedef struct {
	size_t count;
	unsigned int resamples;
	double confidence;
	mmp_metric_ci items[MMP_METRICS_MAX];
} mmp_metric_ci_list;

/**
 * Intervals for every metric of `task` on predictions `scores` of the
 * rows `y_true` (the same inputs as mmp_metrics_compute()). `o` NULL
 * means MMP_BOOTSTRAP_OPTIONS_INIT. Returns 0, or MMP_EINVALID for bad
 * options or inputs mmp_metrics_compute() refuses.
 */
MMP_EXTERN(int) mmp_metrics_bootstrap(mmp_metric_ci_list *out,
	mmp_task task, size_t nclasses, const float *y_true,
	const float *scores, size_t n, const mmp_bootstrap_options *o);

/** One metric of two models on the same rows. */
typedef struct {
	const char *name;           /**< static, owned by libmmp */
	double a, b;                /**< each model's value on all rows */
	double diff;                /**< a - b */
	double diff_low, diff_high; /**< interval of a - b */
	double a_low, a_high;       /**< interval of a */
	double b_low, b_high;       /**< interval of b */
	unsigned int valid;         /**< samples where both are defined */
} mmp_metric_paired;

typedef struct {
	size_t count;
	size_t rows;
	unsigned int resamples;
	double confidence;
	mmp_metric_paired items[MMP_METRICS_MAX];
} mmp_metric_paired_list;

/**
 * Paired bootstrap of two prediction vectors on the same rows: each
 * sample draws row indices once and scores both models on them, so the
 * interval of the difference accounts for the rows the models share.
 * `scores_a` and `scores_b` are laid out as mmp_metrics_compute()'s
 * `scores`. A difference whose interval lies wholly above 0 says model
 * A is better at that confidence for a metric where higher is better
 * (the caller knows which way a metric points). Returns as
 * mmp_metrics_bootstrap().
 */
MMP_EXTERN(int) mmp_metrics_bootstrap_paired(mmp_metric_paired_list *out,
	mmp_task task, size_t nclasses, const float *y_true,
	const float *scores_a, const float *scores_b, size_t n,
	const mmp_bootstrap_options *o);

/** The entry named `name`, borrowed from `list`, or NULL. */
MMP_EXTERN(const mmp_metric_ci *) mmp_metric_ci_get(
	const mmp_metric_ci_list *list, const char *name);
MMP_EXTERN(const mmp_metric_paired *) mmp_metric_paired_get(
	const mmp_metric_paired_list *list, const char *name);

/**
 * The q-quantile (0 <= q <= 1) of the `n` values in `v`, sorted in
 * place, with numpy.percentile's linear interpolation. NaN for n 0.
 */
MMP_EXTERN(double) mmp_quantile(double *v, size_t n, double q);

MMP_END_DECL

#endif
