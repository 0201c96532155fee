/* SPDX-License-Identifier: MIT */
/* monitor.h: data profiles of a model's inputs and outputs, and drift */
#ifndef INCLUDE_mmp_monitor_h__
#define INCLUDE_mmp_monitor_h__

#include <stdint.h>

#include "common.h"
#include "buf.h"
#include "types.h"
#include "model.h"
#include "config.h"

MMP_BEGIN_DECL

/**
 * A profile summarises rows as a model sees them: for every feature and
 * for every prediction output, the counts that drift statistics need.
 *
 * - Numeric (features and predictions): fixed bins whose edges are the
 *   reference's quantiles k/20 (k = 1..19, duplicates dropped, so a
 *   feature with few distinct values gets one bin per value), a count
 *   per bin, the missing (NaN) count, min, max and mean. Bin i holds
 *   the values v with edges[i-1] < v <= edges[i]; the first bin is open
 *   below, the last open above. The Kolmogorov-Smirnov statistic is
 *   taken on these binned CDFs: it is the exact two-sample statistic
 *   of the data with each value replaced by its bin, i.e. the largest
 *   CDF gap at the edges; it can be below the statistic of the raw
 *   values by at most the largest single-bin share (5% of the
 *   reference, when the values are distinct), which is its resolution.
 * - Categorical: a count per reference category (the schema's codes),
 *   the missing count, an unseen count (values outside the categories)
 *   and the MMP_PROFILE_UNSEEN_MAX most frequent unseen values with
 *   their counts (space-saving: counts may be over-estimated by the
 *   smallest count kept, and the list is exact while it has room).
 * - Predictions: one numeric profile per output column: "prediction"
 *   (the probability of class 1 for binary, the value for regression)
 *   or, for multiclass probabilities, "prediction:<class label>".
 *
 * A reference profile is built once from the training rows; a live
 * profile starts empty with the reference's bins and categories, and
 * its memory is fixed at creation: adding rows never allocates. A live
 * profile is not thread-safe: keep one per thread and merge them.
 */
typedef struct mmp_profile mmp_profile;

/** Quantile bins of a numeric reference profile (at most; see above). */
#define MMP_PROFILE_BINS 20
/** Unseen category values remembered per categorical feature. */
#define MMP_PROFILE_UNSEEN_MAX 8
/** Bytes of an unseen value kept (longer values are cut on a UTF-8
 * boundary). */
#define MMP_PROFILE_UNSEEN_LEN 64
/** The code to put in a row for a categorical value that is not one of
 * the reference's categories (any code outside 0..n-1 counts as
 * unseen; NaN counts as missing). */
#define MMP_PROFILE_UNSEEN_CODE (-1.0f)

/**
 * Build the reference profile of `nrows` rows into `*out` (free with
 * mmp_profile_free()). `rows` is row-major, schema->nfeatures floats per
 * row, as the predictor sees them: NaN = missing, categoricals as the
 * schema's codes. `pred` holds `npred` floats per row (the model's
 * outputs: mmp_model_predict_scores()), or is NULL with npred 0.
 * Bin edges are computed on at most 200000 rows taken at an even
 * stride; the counts use every row. Returns 0, or MMP_EINVALID (no
 * rows, no features).
 */
MMP_EXTERN(int) mmp_profile_build(mmp_profile **out,
	const mmp_model_schema *schema, const float *rows, size_t nrows,
	const float *pred, size_t npred);

/**
 * Replace the prediction profiles of reference `p` with ones built from
 * `nrows` rows of `npred` outputs (bins from their quantiles), rows that
 * may differ from the feature rows: training profiles its features on
 * the training rows and its predictions on the held-out test rows, as
 * predictions on the rows a model learnt from are sharper than on any
 * new rows. Names as mmp_profile_build(). Returns 0, or MMP_EINVALID
 * (no rows or no outputs).
 */
MMP_EXTERN(int) mmp_profile_set_predictions(mmp_profile *p,
	const mmp_model_schema *schema, const float *pred, size_t nrows,
	size_t npred);

/**
 * Parse a profile written by mmp_profile_to_json(). `origin` names the
 * source in messages (a file name); may be NULL. Returns 0, or
 * MMP_EINVALID naming the origin and the field that is wrong, or
 * MMP_EVERSION for a profile written by a newer mmp.
 */
MMP_EXTERN(int) mmp_profile_from_json(mmp_profile **out, const char *json,
	size_t len, const char *origin);

/**
 * Append the profile as JSON (profile.json's format, version 1) to
 * `out`. Doubles are written with 17 significant digits, so a profile
 * read back compares equal. Returns 0.
 */
MMP_EXTERN(int) mmp_profile_to_json(const mmp_profile *p, mmp_buf *out);

/** Free a profile; accepts NULL. */
MMP_EXTERN(void) mmp_profile_free(mmp_profile *p);

/**
 * A new, empty live profile with the bins and categories of `ref` into
 * `*out`. All its memory is allocated here. Returns 0.
 */
MMP_EXTERN(int) mmp_profile_live_new(mmp_profile **out,
	const mmp_profile *ref);

/**
 * Count one row: `row` has mmp_profile_nfeatures() floats (as for
 * mmp_profile_build()), `pred` mmp_profile_npred() floats or NULL.
 * Never allocates, never fails.
 */
MMP_EXTERN(void) mmp_profile_add(mmp_profile *live, const float *row,
	const float *pred);

/**
 * Name an unseen value of categorical feature `feature`: the row given
 * to mmp_profile_add() carries MMP_PROFILE_UNSEEN_CODE in that cell
 * (which counts it), and this call remembers the value itself in the
 * bounded list. Does nothing for a numeric feature or an index out of
 * range. Never allocates.
 */
MMP_EXTERN(void) mmp_profile_add_unseen(mmp_profile *live, size_t feature,
	const char *value);

/**
 * Add the counts of `from` to `into`. Both must have the same shape
 * (the same reference): MMP_EINVALID otherwise, `into` unchanged.
 */
MMP_EXTERN(int) mmp_profile_merge(mmp_profile *into,
	const mmp_profile *from);

/** Zero every count of a profile, keeping its bins and categories. */
MMP_EXTERN(void) mmp_profile_reset(mmp_profile *live);

/** Rows counted. */
MMP_EXTERN(int64_t) mmp_profile_rows(const mmp_profile *p);
/** The number of features, and of prediction outputs. */
MMP_EXTERN(size_t) mmp_profile_nfeatures(const mmp_profile *p);
MMP_EXTERN(size_t) mmp_profile_npred(const mmp_profile *p);
/** A feature's name (borrowed), or NULL out of range. */
MMP_EXTERN(const char *) mmp_profile_feature_name(const mmp_profile *p,
	size_t i);

/** Drift of one feature or one prediction output. */
typedef struct {
	char *name;
	mmp_feature_kind kind;
	int64_t ref_count;        /**< non-missing reference values */
	int64_t live_count;       /**< non-missing live values (incl. unseen) */
	double psi;               /**< population stability index (below) */
	double ks;                /**< numeric: binned KS statistic; else NaN */
	double ks_pvalue;         /**< its asymptotic p-value; else NaN */
	double js;                /**< categorical: Jensen-Shannon divergence
	                               (base 2, in [0, 1]); else NaN */
	double chi2;              /**< categorical: Pearson chi-square;
	                               else NaN */
	double chi2_df;           /**< its degrees of freedom */
	double chi2_pvalue;       /**< its p-value; NaN when df is 0 */
	double missing_ref;       /**< missing rate in the reference */
	double missing_live;      /**< missing rate in the live rows */
	double unseen_share;      /**< categorical: unseen / non-missing live */
	int64_t unseen;           /**< categorical: unseen live values */
	size_t nunseen_values;    /**< the named unseen values, most frequent */
	char **unseen_values;     /**< first */
	int64_t *unseen_counts;
} mmp_drift_feature;

/** What mmp_profile_compare() finds; release with
 * mmp_drift_report_release(). */
typedef struct {
	int64_t ref_rows;
	int64_t live_rows;
	size_t nfeatures;
	mmp_drift_feature *features;
	size_t npred;
	mmp_drift_feature *pred;
} mmp_drift_report;

#define MMP_DRIFT_REPORT_INIT { 0, 0, 0, NULL, 0, NULL }

/** Free the contents of `r` and zero it; accepts a zeroed report. */
MMP_EXTERN(void) mmp_drift_report_release(mmp_drift_report *r);

/**
 * Compare `live` with `ref` (same shape, as mmp_profile_merge()) into
 * `out` (release it with mmp_drift_report_release()). Statistics are
 * on non-missing values; the missing rates are reported apart. With no
 * live values for a feature, its statistics are 0 and ks_pvalue 1.
 *
 * - psi = sum (a - e) ln(a / e) over the deciles (adjacent quantile
 *   bins taken in pairs: the scale PSI's usual 0.1 and 0.25 thresholds
 *   were set on, and half the noise of 20 bins on small samples;
 *   categorical: over the categories plus one unseen bucket), e and a
 *   the reference and live shares, each floored at 1e-4 so an empty
 *   bin stays finite.
 * - ks: the largest gap of the binned CDFs; ks_pvalue from the
 *   limiting Kolmogorov distribution at sqrt(n) ks, n = m_ref m_live /
 *   (m_ref + m_live) (SciPy's kstwobign; ties make it conservative).
 * - js: Jensen-Shannon divergence of the category shares (the unseen
 *   bucket included), base-2 logarithms.
 * - chi2: live counts against the reference shares over the categories
 *   the reference has (unseen values counted apart), df = that number
 *   of categories - 1.
 * Returns 0, or MMP_EINVALID for profiles of different shapes.
 */
MMP_EXTERN(int) mmp_profile_compare(const mmp_profile *ref,
	const mmp_profile *live, mmp_drift_report *out);

/*
 * The statistics on count vectors, exposed for tests and other
 * callers. `ref` and `live` hold `n` non-negative counts each.
 */
/** PSI with shares floored at 1e-4; 0 when either side is empty. */
MMP_EXTERN(double) mmp_stat_psi(const double *ref, const double *live,
	size_t n);
/** The largest gap between the two cumulative shares. */
MMP_EXTERN(double) mmp_stat_ks(const double *ref, const double *live,
	size_t n);
/** Asymptotic p-value of a two-sample KS statistic `d` (sizes n, m). */
MMP_EXTERN(double) mmp_stat_ks_pvalue(double d, double n, double m);
/** Jensen-Shannon divergence of the two share vectors, base 2. */
MMP_EXTERN(double) mmp_stat_js(const double *ref, const double *live,
	size_t n);
/**
 * Pearson chi-square of `live` counts against the shares of `ref`, over
 * the cells where ref > 0; `*df` (cells - 1) and `*pvalue` (NaN when
 * df is 0) may be NULL.
 */
MMP_EXTERN(double) mmp_stat_chi2(const double *ref, const double *live,
	size_t n, double *df, double *pvalue);
/** Upper tail of the chi-square distribution with `df` degrees. */
MMP_EXTERN(double) mmp_stat_chi2_sf(double x, double df);

/* --- checks: thresholds, status, runs of kind "monitor" --- */

/** A check's verdict; the values are `mmp monitor`'s exit codes. */
typedef enum {
	MMP_MONITOR_OK = 0,
	MMP_MONITOR_WARN = 2,
	MMP_MONITOR_ALERT = 3
} mmp_monitor_status;

/** "ok", "warn" or "alert". */
MMP_EXTERN(const char *) mmp_monitor_status_name(mmp_monitor_status s);

/** A statistic at or above `warn` warns, at or above `alert` alerts. */
typedef struct {
	double warn;
	double alert;
} mmp_monitor_limit;

/**
 * The thresholds of a check (configs/monitor.yaml). Degradation: a live
 * metric worse than the worse end of its approval-time interval (the
 * point value when training recorded none) by more than
 * degradation.warn warns, by more than degradation.alert alerts.
 */
typedef struct {
	mmp_monitor_limit psi;            /**< numeric and categorical */
	mmp_monitor_limit ks;             /**< numeric */
	mmp_monitor_limit js;             /**< categorical */
	mmp_monitor_limit missing_rate;   /**< absolute change */
	mmp_monitor_limit unseen_share;   /**< categorical */
	mmp_monitor_limit prediction_psi;
	mmp_monitor_limit degradation;
	int64_t min_rows;   /**< fewer live rows (or labelled rows): no
	                         verdict on them, status ok */
	char origin[512];   /**< the file, or "defaults" */
} mmp_monitor_thresholds;

/** The defaults, as the example configs/monitor.yaml has them. */
MMP_EXTERN(void) mmp_monitor_thresholds_default(mmp_monitor_thresholds *t);

/**
 * Read thresholds from YAML `path` (keys absent keep their defaults).
 * Returns 0, MMP_ENOTFOUND (no such file), or MMP_EINVALID with every
 * problem as "file:line:column: key: what" in `*diags` (the caller
 * frees it; may be NULL) and the first in the last error.
 */
MMP_EXTERN(int) mmp_monitor_thresholds_load(mmp_monitor_thresholds *out,
	mmp_diag_list **diags, const char *path);

/** One metric on labelled rows against its approval-time value. */
typedef struct {
	const char *name;         /**< static */
	double live;              /**< on the labelled rows */
	double test;              /**< the version's test metric */
	double ci_low, ci_high;   /**< its interval; NaN when none */
	double worse_by;          /**< how far past the worse end; 0: not */
	mmp_monitor_status status;
} mmp_monitor_metric;

/** What mmp_monitor_check() does; MMP_MONITOR_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	/** a CSV of rows to profile (the model's feature columns; other
	 * columns are ignored); NULL: the live windows in the store */
	const char *input;
	/** without `input`: the windows that end after this time (ms
	 * since the epoch; 0: every window) */
	int64_t since_ms;
	/** a CSV holding the model's entity column and its target column:
	 * the outcomes, joined by entity id to the rows of `input`, or
	 * to the predictions logged since `since_ms` */
	const char *labels;
	/** thresholds; NULL: <project>/configs/monitor.yaml when it
	 * exists, else the defaults */
	const char *thresholds;
	/** record the check as a run of kind "monitor" (0: do not) */
	int record;
	const char *experiment;   /**< of that run; NULL: "Default" */
} mmp_monitor_options;

#define MMP_MONITOR_OPTIONS_VERSION 1
#define MMP_MONITOR_OPTIONS_INIT { MMP_MONITOR_OPTIONS_VERSION, NULL, 0, \
	NULL, NULL, 1, NULL }

/**
 * The start of the last `text` ("30m", "24h", "7d", "2w", "3600s")
 * before `now_ms` into `*out`. Returns 0, or MMP_EINVALID naming the
 * text.
 */
MMP_EXTERN(int) mmp_monitor_parse_since(int64_t *out, const char *text,
	int64_t now_ms);

/** A check; release with mmp_monitor_result_release(). */
typedef struct {
	char run_id[33];                /**< the recorded run, or "" */
	char *model;
	int64_t version;
	char *model_dir;
	mmp_monitor_thresholds thresholds;
	mmp_drift_report drift;
	mmp_monitor_status *feature_status;   /**< drift.nfeatures */
	mmp_monitor_status *pred_status;      /**< drift.npred */
	size_t drifted;                 /**< features at warn or alert */
	int enough_rows;                /**< live rows >= min_rows */
	int64_t windows;                /**< live windows merged (no input) */
	int64_t labelled;               /**< input rows with an outcome */
	size_t nmetrics;
	mmp_monitor_metric *metrics;
	mmp_monitor_status status;      /**< the worst of all */
} mmp_monitor_result;

#define MMP_MONITOR_RESULT_INIT { "", NULL, 0, NULL, { { 0, 0 } }, \
	MMP_DRIFT_REPORT_INIT, NULL, NULL, 0, 0, 0, 0, 0, NULL, \
	MMP_MONITOR_OK }

MMP_EXTERN(void) mmp_monitor_result_release(mmp_monitor_result *r);

/**
 * Check model version `ref` ("churn@Production", "churn/3") against
 * the rows of `o->input`: profile them as the predictor sees them
 * (categorical values outside the model's categories are unseen),
 * predict them, compare with the version's profile.json and judge each
 * statistic by the thresholds. Without an input, the live profiles
 * serve-api and batch-inference recorded for the version (every source,
 * the windows ending after `o->since_ms`) are merged and compared
 * instead. With `o->labels`, compute the task's metrics on the
 * labelled rows (of the input, or the predictions logged by entity id
 * since `o->since_ms`, the latest per id) and judge them against the
 * version's test metrics and intervals. With `o->record`, the check becomes a
 * run of kind "monitor": params model.name, model.version, input,
 * labels, thresholds; metrics rows, drifted_features, status (0, 2, 3)
 * and per feature psi/<f>, ks/<f>, js/<f>, missing_change/<f>,
 * unseen_share/<f>, prediction_psi/<output>, live/<metric>; tags
 * mmp.monitor.model, mmp.monitor.version and mmp.monitor.status.
 *
 * Returns 0 (the verdict is in out->status), or MMP_ENOTFOUND (an
 * unknown model, a missing file or column, a model directory without
 * profile.json: "... has no profile.json: it was trained by an mmp
 * without drift monitoring; retrain it"), MMP_EINVALID (a bad row,
 * labels file or thresholds file, naming file and line), or a store
 * error.
 */
MMP_EXTERN(int) mmp_monitor_check(mmp_monitor_result *out,
	mmp_diag_list **diags, mmp_store *s, const char *ref,
	const mmp_monitor_options *o);

/** The latest monitor check of a model version. */
typedef struct {
	char run_id[33];
	int64_t time;                 /**< its start, ms since the epoch */
	mmp_monitor_status status;
} mmp_monitor_latest;

/**
 * The latest check recorded for `model` version `version` into `out`.
 * Returns 0, MMP_ENOTFOUND when the version was never checked, or a
 * store error.
 */
MMP_EXTERN(int) mmp_monitor_latest_status(mmp_monitor_latest *out,
	mmp_store *s, const char *model, int64_t version);

MMP_END_DECL

#endif
