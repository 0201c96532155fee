/* SPDX-License-Identifier: MIT */
/* batch.h: streaming batch predictions over CSV files of any size */
#ifndef INCLUDE_mmp_batch_h__
#define INCLUDE_mmp_batch_h__

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "types.h"
#include "data.h"
#include "metrics.h"
#include "model.h"

MMP_BEGIN_DECL

/**
 * @file mmp/batch.h
 *
 * mmp_batch_run() reads a CSV in chunks of rows, predicts each chunk
 * with the model's in-place prediction, and writes one output row per
 * input row, in input order. Memory is bounded by the chunk size and
 * the thread count, never by the file size (except with `evaluate`,
 * which keeps 4 bytes per row and class for the metrics).
 *
 * Input columns are matched by name: every feature of the model's
 * schema must be present; categorical values are coded with the saved
 * tables (an unseen value is missing and counted); the model's entity
 * columns are copied to the output when the input has them (with
 * standard input, where the header cannot be looked at twice, they must
 * all be present); the target column and any other column are ignored
 * unless `evaluate` is set.
 *
 * The output holds the entity columns, the `keep` columns, "prediction"
 * (the class label
 * for classification, the value for regression) and, with `proba`, one
 * probability per class named by its label. Numbers are written as the
 * shortest text that reads back as the same float32, exactly as
 * serve-api writes them.
 */

/** The output format. */
typedef enum {
	MMP_BATCH_CSV = 0,   /**< a header row, then RFC 4180 rows */
	MMP_BATCH_JSONL      /**< one JSON object per line, as /predict */
} mmp_batch_format;

/** Parse "csv" or "jsonl". Returns 0 or MMP_EINVALID naming the word. */
MMP_EXTERN(int) mmp_batch_format_parse(mmp_batch_format *out,
	const char *s);

/** What the progress callback sees, after each chunk is written. */
typedef struct {
	uint64_t rows_in;     /**< data rows read, skipped ones included */
	uint64_t rows_out;    /**< rows written */
	uint64_t skipped;     /**< bad rows left out */
	uint64_t est_rows;    /**< estimated rows in the input; 0: unknown */
	double elapsed;       /**< seconds since the job started */
} mmp_batch_progress;

/** Return non-zero to stop the job with MMP_EINTERRUPTED. */
typedef int (*mmp_batch_progress_cb)(const mmp_batch_progress *p,
	void *payload);

/** How to run a batch job; MMP_BATCH_OPTIONS_INIT for the defaults. */
typedef struct {
	unsigned int version;
	const char *input;          /**< CSV path, "-" for standard input */
	/**
	 * Output path, "-" for standard output. A file is written to a
	 * temporary file in the same directory and renamed into place
	 * only when the job succeeds.
	 */
	const char *output;
	mmp_batch_format format;
	size_t chunk_rows;          /**< rows per chunk; 0: 16384 */
	unsigned int nthreads;      /**< predicting threads; 0: the cores */
	int proba;                  /**< add one probability per class */
	int evaluate;               /**< read the target, compute metrics */
	mmp_csv_bad_rows on_error;  /**< bad rows: fail (default) or skip */
	char delimiter;             /**< input delimiter; 0: ',' */
	/** record the job as a run of kind "batch-inference"; NULL: not */
	mmp_store *store;
	const char *experiment;     /**< NULL: "Default" */
	const char *run_name;       /**< NULL: generated */
	/** lineage of the model, recorded with the run; all may be NULL */
	const char *model_name;     /**< registered model name */
	int64_t model_version;      /**< registry version; 0: none */
	const char *model_run_id;   /**< NULL: the model's own run id */
	const char *model_dir;      /**< where the model was loaded from */
	mmp_batch_progress_cb progress;
	void *payload;
	/**
	 * Input columns copied to the output as text, after the model's
	 * entity columns and before the prediction (an entity column named
	 * here is written once). A column the input lacks, a name given
	 * twice or the name of an output column is an error.
	 */
	const char *const *keep;
	size_t nkeep;
	/**
	 * Log every prediction by the value of this input column (the
	 * entity id labels are joined by later); needs `store`. NULL: no
	 * log. A row whose id is empty is not logged.
	 */
	const char *id_column;
	/**
	 * A database `input` (sqlite:///file.db, postgresql://...) reads
	 * the rows of `query` or of `table` (exactly one; no rows is an
	 * error); a file input takes neither. The rows stream to a
	 * temporary CSV file first.
	 */
	const char *query;
	const char *table;
	/**
	 * A database `output` (sqlite:///file.db?table=NAME,
	 * postgresql://host/db/schema.table) gets the csv rows in one
	 * transaction (mmp_sink_write_csv()): a new table renamed over
	 * the old one, or appended rows.
	 */
	mmp_sink_mode mode;
	/**
	 * Do not compute the rows digest when nothing records it: with no
	 * `store`, `rows_digest` (and, for a database input, `digest`) is
	 * left "", and the rows are neither encoded nor spilled to a
	 * temporary file for it. A recorded job computes it anyway. 0 (the
	 * default): always computed.
	 */
	int skip_rows_digest;
} mmp_batch_options;

#define MMP_BATCH_OPTIONS_VERSION 1
#define MMP_BATCH_OPTIONS_INIT { MMP_BATCH_OPTIONS_VERSION, NULL, NULL, \
	MMP_BATCH_CSV, 0, 0, 0, 0, MMP_CSV_BAD_ROWS_FAIL, 0, NULL, NULL, \
	NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, \
	MMP_SINK_REPLACE, 0 }

/** Fill `o` with the defaults of `version`. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_batch_options_init(mmp_batch_options *o,
	unsigned int version);

/** At most this many skipped rows are listed (all are counted). */
#define MMP_BATCH_MAX_SKIPS 100

/** A bad row that was left out. */
typedef struct {
	int64_t line;         /**< 1-based line in the input */
	char *reason;
} mmp_batch_skip;

/** Unseen categories of one categorical feature. */
typedef struct {
	char *feature;
	uint64_t count;
} mmp_batch_unseen;

/** What a job did. Release with mmp_batch_result_release(). */
typedef struct {
	char run_id[33];          /**< the recorded run; "" when none */
	uint64_t rows_in;         /**< data rows read, skipped included */
	uint64_t rows_out;        /**< rows predicted and written */
	uint64_t skipped;         /**< bad rows left out */
	mmp_batch_skip *skips;    /**< the first MMP_BATCH_MAX_SKIPS */
	size_t nskips;
	uint64_t unseen;          /**< unseen category values, all features */
	mmp_batch_unseen *unseen_features;  /**< features with any */
	size_t nunseen_features;
	/** the input's digest as training records it: the sha256 of a
	 * CSV file, the rows digest of a database's rows ("" when
	 * `skip_rows_digest` left it out) */
	char digest[65];
	/** the rows digest (mmp_frame_rows_digest()) of the rows read:
	 * the model's features, the target with `evaluate`, the model's
	 * entity columns the input has; "" when no row was read, or when
	 * `skip_rows_digest` left it out */
	char rows_digest[65];
	size_t nfeatures;         /**< features of the model */
	size_t nentities;         /**< entity columns copied */
	double seconds;           /**< wall time of the job */
	double rows_per_sec;      /**< rows_in / seconds */
	int evaluated;            /**< metrics holds this batch's metrics */
	mmp_metric_list metrics;
	int profiled;             /**< the input's profile was recorded */
	uint64_t logged;          /**< predictions logged by id */
} mmp_batch_result;

/** Free the contents of `r` and zero it; accepts a zeroed result. */
MMP_EXTERN(void) mmp_batch_result_release(mmp_batch_result *r);

/**
 * Predict every row of `o->input` with `m` into `o->output`.
 *
 * The model needs a schema. Its prediction thread count is set to 1:
 * `o->nthreads` threads predict whole chunks in parallel while the
 * calling thread reads the input and writes the output in order. The
 * model must not be used by another thread during the call.
 *
 * Before any output exists the input's header is checked: a missing
 * feature column (or, with `evaluate`, a missing target) fails with
 * MMP_ENOTFOUND naming the file and the column. A bad row (ragged,
 * badly quoted, not a number in a numeric column, an unknown class
 * with `evaluate`) fails the job with MMP_EINVALID naming the file and
 * line, or with MMP_CSV_BAD_ROWS_SKIP is left out and listed in
 * `out`. When the job fails or is interrupted, the temporary output is
 * removed and an existing output file is left as it was.
 *
 * With `o->store` the job is recorded as a run of kind
 * "batch-inference": params (model lineage, input, output, options),
 * metrics (rows_in, rows_out, rows_skipped, unseen_categories, seconds,
 * rows_per_second and, with `evaluate`, the task's metrics) and the
 * input as a dataset with context "inference". The run ends FINISHED,
 * FAILED (with the error) or KILLED (interrupted).
 *
 * Recorded, and when `o->model_dir` holds profile.json (the model's
 * reference profile), the rows predicted are profiled with its bins and
 * the profile is saved as one monitoring window of source
 * "batch:<run id>" spanning the job (under the model's name, else its
 * run id, else the directory's name, and its registry version), for
 * `mmp monitor`. Unseen categories count as missing there, as they are
 * predicted. With `o->id_column` each prediction is also logged by that
 * column's value, chunk by chunk; a job that then fails forgets them.
 * A profile that does not fit the model fails the job (MMP_EINVALID).
 *
 * `out` is always filled as far as the job went (the caller releases
 * it). Returns 0, or MMP_EINVALID (bad options, a model without a
 * schema, a bad row), MMP_ENOTFOUND (no input file, a missing column),
 * MMP_EINTERRUPTED (the progress callback asked to stop), MMP_ERROR
 * (read or write failure, XGBoost failure), or a store error.
 */
MMP_EXTERN(int) mmp_batch_run(mmp_batch_result *out, mmp_model *m,
	const mmp_batch_options *o);

/** Options of mmp_batch_score(); MMP_BATCH_SCORE_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	char delimiter;                 /**< 0: ',' */
	const char *const *na_values;   /**< NULL: the CSV defaults */
	/** ascending 0-based data-row indices to score; NULL: every row */
	const size_t *rows;
	size_t nrows;
} mmp_batch_score_options;

#define MMP_BATCH_SCORE_OPTIONS_VERSION 1
#define MMP_BATCH_SCORE_OPTIONS_INIT { MMP_BATCH_SCORE_OPTIONS_VERSION, 0, \
	NULL, NULL, 0 }

/** A model's scores on labelled rows; mmp_batch_scores_release(). */
typedef struct {
	size_t n;            /**< rows scored */
	size_t per;          /**< scores per row: the classes for
				  multiclass, else 1 */
	float *y;            /**< n labels: class codes in the model's
				  class order, or target values */
	float *scores;       /**< n x per, laid out as
				  mmp_metrics_compute() takes them */
	uint64_t rows_in;    /**< data rows in the file */
	uint64_t unseen;     /**< unseen category values in the file */
	char digest[65];     /**< sha256 hex of the file */
} mmp_batch_scores;

/** Free the contents of `s` and zero it; accepts a zeroed one. */
MMP_EXTERN(void) mmp_batch_scores_release(mmp_batch_scores *s);

/**
 * Score rows of the labelled CSV `path` with `m`: columns are matched
 * by name and coded with the model's saved tables, exactly as
 * mmp_batch_run() reads them, the target column is read with the
 * model's classes, and mmp_model_predict_scores() predicts. With
 * `o->rows`, only those data rows (counted from 0, blank lines
 * excepted, as mmp_csv_load() counts them) are kept. The file is
 * streamed; memory holds only the rows kept.
 *
 * `out` is filled as far as it went; the caller releases it. Returns
 * 0, or MMP_ENOTFOUND (no file, a missing feature or target column),
 * MMP_EINVALID (a model without a schema, a bad row or an unknown
 * class label, named by file and line; row indices not ascending or
 * past the end of the file), MMP_ERROR (read or XGBoost failure).
 */
MMP_EXTERN(int) mmp_batch_score(mmp_batch_scores *out, const mmp_model *m,
	const char *path, const mmp_batch_score_options *o);

MMP_END_DECL

#endif
