/* SPDX-License-Identifier: MIT */
/* train.h: mmp train: a recipe and its data to an evaluated, saved model
 * recorded as a run */
#ifndef INCLUDE_mmp_train_h__
#define INCLUDE_mmp_train_h__

#include "common.h"
#include "types.h"
#include "config.h"
#include "metrics.h"
#include "bootstrap.h"

MMP_BEGIN_DECL

/** A step of mmp_train(), reported to the progress callback. */
typedef enum {
	MMP_TRAIN_LOAD = 1,   /**< reading and parsing the data: once before,
				   then after each block with bytes_done */
	MMP_TRAIN_BOOST,      /**< one boosting round finished */
	MMP_TRAIN_EVALUATE,   /**< computing the test metrics */
	MMP_TRAIN_SAVE        /**< writing the artifacts */
} mmp_train_stage;

/** What the progress callback sees; borrowed for the call. */
typedef struct {
	mmp_train_stage stage;
	int round;             /**< BOOST: 0-based round */
	int num_boost_round;   /**< BOOST: the most rounds that will run */
	const char *metric;    /**< BOOST: the metric early stopping tracks */
	double train_value;    /**< BOOST: on the training rows */
	double valid_value;    /**< BOOST: on the validation rows */
	int best_iteration;    /**< BOOST: the best round so far */
	double elapsed;        /**< seconds since the stage started */
	uint64_t bytes_done;   /**< LOAD: bytes of the data parsed so far */
	uint64_t bytes_total;  /**< LOAD: the file's size (0: unknown) */
} mmp_train_event;

/** Return non-zero to stop the run; it is recorded as KILLED. */
typedef int (*mmp_train_event_cb)(const mmp_train_event *e, void *payload);

/** How to run mmp_train(). Strings are borrowed for the call. */
typedef struct {
	unsigned int version;
	const char *recipe_path;        /**< required */
	const char *const *overrides;   /**< --set "key.path=value", in order */
	size_t noverrides;
	const char *experiment;         /**< NULL: the recipe's, else the
					     config's experiment.name */
	const char *run_name;           /**< NULL: "<recipe>-<time>" */
	const char *data_path;          /**< NULL: the recipe's data.source */
	int nthread;                    /**< 0: the config, else all cores */
	const mmp_config *config;       /**< defaults; may be NULL */
	mmp_train_event_cb progress;
	void *payload;
	int unique_name;                /**< make `run_name` unique in the
					     store (-2, -3...), as the
					     generated names are */
} mmp_train_options;

#define MMP_TRAIN_OPTIONS_VERSION 1
#define MMP_TRAIN_OPTIONS_INIT { MMP_TRAIN_OPTIONS_VERSION, NULL, NULL, 0, \
	NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 }

/** What a training run produced. Release with mmp_train_result_release(). */
typedef struct {
	int recorded;            /**< a run exists in the store */
	char run_id[33];
	char *run_name;
	char *experiment;
	char *status;            /**< FINISHED, FAILED or KILLED */
	char *error;             /**< why it failed, or NULL */
	mmp_task task;
	char *target;
	char *data_path;         /**< absolute */
	char dataset_digest[65]; /**< sha256 of the data file */
	size_t rows, train_rows, test_rows, nfeatures;
	size_t valid_rows;       /**< the validation set */
	/** sha256 of each set's row indices (see mmp_train()) */
	char train_sha256[65], valid_sha256[65], test_sha256[65];
	int nrounds;             /**< rounds trained on the train set */
	int best_iteration;      /**< 0-based, chosen on the validation set */
	int stopped_early;
	int refit;               /**< the model was refit on train+validation */
	int refit_rounds;        /**< its rounds: best_iteration + 1 */
	mmp_metric_list metrics; /**< the recipe's metrics on the test set */
	/** bootstrap intervals of `metrics`, same order; count 0 when
	 * evaluation.bootstrap is 0 */
	mmp_metric_ci_list ci;
	/** evaluation.cv_folds: each recipe metric's mean and standard
	 * deviation (numpy's, ddof 0) over the folds of train+validation,
	 * each fold trained for cv_rounds (best_iteration + 1) rounds */
	int cv_folds, cv_rounds;
	mmp_metric_list cv_mean, cv_std;
	char **warnings;         /**< things a reviewer should know */
	size_t nwarnings;
	char **classes;          /**< classification: the labels */
	size_t nclasses;
	uint64_t *confusion;     /**< nclasses x nclasses, rows = true */
	char **features;         /**< feature names, matrix order */
	double *importance;      /**< gain per feature */
	char *artifact_dir;      /**< absolute */
	char *model_dir;         /**< absolute: artifact_dir/model */
	double load_seconds, train_seconds, eval_seconds, save_seconds;
	double total_seconds;
} mmp_train_result;

/**
 * Load and validate the recipe, check the data's header against it,
 * record a run, load the data, split it into train, validation and
 * test sets (lib/train/split.c, the one place splits are made), train
 * XGBoost on the train set with early stopping on the validation set
 * (and, with model.refit, again on train+validation for
 * best_iteration + 1 rounds), cross-validate on train+validation when
 * evaluation.cv_folds asks, evaluate once on the test set with
 * bootstrap intervals, save the model directory and the other
 * artifacts (written to a temporary directory and renamed into place),
 * and record params (the split's sizes and row digests among them),
 * metrics (with per-round history), tags, git lineage and the dataset.
 *
 * A recipe that does not validate, or names a column the data's header
 * lacks, or has a text target for regression, records no run:
 * MMP_EINVALID, with
 * every problem in `*diags` when `diags` is not NULL (free it with
 * mmp_diag_list_free()). Any later failure ends the run FAILED (or
 * KILLED when the callback stopped it: MMP_EINTERRUPTED) with the
 * error as the tag mmp.error, leaves no partial artifact, and returns
 * the negative code; `out->recorded` says whether a run exists.
 * `out` is filled in every case; release it with
 * mmp_train_result_release().
 */
MMP_EXTERN(int) mmp_train(mmp_train_result *out, mmp_diag_list **diags,
	mmp_store *store, const mmp_train_options *o);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_train_result_release(mmp_train_result *r);

MMP_END_DECL

#endif
