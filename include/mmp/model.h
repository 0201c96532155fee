/* SPDX-License-Identifier: MIT */
/* model.h: XGBoost training, prediction and the MLflow model directory */
#ifndef INCLUDE_mmp_model_h__
#define INCLUDE_mmp_model_h__

#include "common.h"
#include "buf.h"
#include "metrics.h"

MMP_BEGIN_DECL

/** A trained or loaded XGBoost model plus its schema. */
typedef struct mmp_model mmp_model;

/** A column's type as a user sends it (the MLflow signature type). */
typedef enum {
	MMP_COLUMN_DOUBLE = 0,    /**< "double" */
	MMP_COLUMN_LONG,          /**< "long": integer-looking numbers */
	MMP_COLUMN_STRING         /**< "string" */
} mmp_column_type;

/** One model input. */
typedef struct {
	char *name;
	mmp_feature_kind kind;
	mmp_column_type type;
	char **categories;        /**< categorical: code i is categories[i] */
	size_t ncategories;
} mmp_model_feature;

/**
 * What prediction needs besides the trees: the task, the target column,
 * the class labels (code i is classes[i]), the features in column
 * order and the entity columns carried through predictions. Build one
 * with mmp_model_schema_new() and the _add functions; every string is
 * copied and owned by the schema. The fields are read-only for callers.
 */
typedef struct {
	mmp_task task;
	char *target;
	char **classes;
	size_t nclasses;
	mmp_model_feature *features;
	size_t nfeatures;
	char **entities;
	size_t nentities;
} mmp_model_schema;

/**
 * A new, empty schema for `task` and `target` column into `*out`
 * (free with mmp_model_schema_free()). Returns 0, or MMP_EINVALID for
 * an unknown task or an empty target name.
 */
MMP_EXTERN(int) mmp_model_schema_new(mmp_model_schema **out,
	mmp_task task, const char *target);

/**
 * Append a feature. `categories` (ncategories strings, may be 0) are
 * copied. Returns 0, or MMP_EINVALID for an empty or duplicate name,
 * or categories given for a numeric feature.
 */
MMP_EXTERN(int) mmp_model_schema_add_feature(mmp_model_schema *s,
	const char *name, mmp_feature_kind kind, mmp_column_type type,
	const char *const *categories, size_t ncategories);

/** Append a class label (copied). Returns 0 or MMP_EINVALID (empty). */
MMP_EXTERN(int) mmp_model_schema_add_class(mmp_model_schema *s,
	const char *label);

/** Append an entity column (copied). Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_model_schema_add_entity(mmp_model_schema *s,
	const char *name);

/** A deep copy of `s` into `*out`. Returns 0. */
MMP_EXTERN(int) mmp_model_schema_dup(mmp_model_schema **out,
	const mmp_model_schema *s);

/**
 * Serialise `s` as mmp-schema.json text into `out` (appended).
 * Returns 0.
 */
MMP_EXTERN(int) mmp_model_schema_to_json(mmp_buf *out,
	const mmp_model_schema *s);

/**
 * Parse mmp-schema.json text (`len` bytes) into `*out`. `origin` names
 * the source in messages. Returns 0, or MMP_EINVALID naming the origin
 * and the field that is missing or wrong, or MMP_EVERSION for a schema
 * written by a newer mmp.
 */
MMP_EXTERN(int) mmp_model_schema_from_json(mmp_model_schema **out,
	const char *text, size_t len, const char *origin);

/** Free a schema; accepts NULL. */
MMP_EXTERN(void) mmp_model_schema_free(mmp_model_schema *s);

/** One XGBoost parameter, both strings, in recipe order. */
typedef struct {
	const char *key;
	const char *value;
} mmp_model_param;

/** What the per-round callback sees. */
typedef struct {
	int round;                /**< 0-based boosting round */
	int num_boost_round;      /**< the most rounds that will run */
	const char *metric;       /**< the metric early stopping tracks */
	double train_value;       /**< on the training rows */
	double valid_value;       /**< on the holdout rows (NaN: none) */
	int best_iteration;       /**< best round so far */
	double best_score;
	double elapsed;           /**< seconds since training started */
} mmp_model_progress;

/** Return non-zero to stop training with MMP_EINTERRUPTED. */
typedef int (*mmp_model_progress_cb)(const mmp_model_progress *p, void *payload);

/**
 * Training input. Matrices are dense, row-major float32, NaN for a
 * missing cell, `ncols` columns; borrowed for the duration of the call.
 */
typedef struct {
	unsigned int version;
	mmp_task task;
	size_t num_class;             /**< multiclass: the number of classes */
	const float *train_x;
	const float *train_y;         /**< labels: class codes or values */
	size_t train_rows;
	const float *valid_x;         /**< holdout rows; NULL for none */
	const float *valid_y;
	size_t valid_rows;
	size_t ncols;
	const char *const *feature_names;   /**< ncols names */
	const mmp_feature_kind *feature_kinds; /**< ncols; NULL: numeric */
	const mmp_model_param *params;
	size_t nparams;
	int num_boost_round;          /**< > 0 */
	int early_stopping_rounds;    /**< 0: off; needs holdout rows */
	/** the eval metric early stopping tracks; NULL: the last one
	 * evaluated, as XGBoost's Python package does */
	const char *early_stopping_metric;
	/** 0: the recipe's nthread param, else every core (one core
	 * for under a million training cells) */
	int nthread;
	/** copied into the model for mmp_model_save_dir(); may be NULL */
	const mmp_model_schema *schema;
	mmp_model_progress_cb progress;
	void *payload;
	/**
	 * Called once the XGBoost matrices are built, before boosting: from
	 * then on train_x, train_y, valid_x and valid_y are no longer read,
	 * and the caller may free or shrink them to lower the peak memory.
	 * May be NULL.
	 */
	void (*inputs_built)(void *payload);
	/**
	 * Matrices built ahead by mmp_model_data_new() for these rows;
	 * NULL: build them for this call. Borrowed: the caller frees them
	 * after the model is trained (the model does not keep them).
	 */
	const struct mmp_model_data *data;
	/**
	 * 1: evaluate only the holdout rows each round (the series'
	 * training values stay NaN), which saves a metric pass over the
	 * training rows when only the holdout decides; 0: both.
	 */
	int holdout_only;
	/**
	 * Called with `payload` before every boosting round: the threads
	 * to train that round on, or 0 to keep the current count. Lets a
	 * caller running several trainings at once hand the threads of one
	 * that ended to those still running. XGBoost's CPU tree methods
	 * build the same trees on any number of threads, so the model does
	 * not depend on the counts returned. May be NULL.
	 */
	int (*round_threads)(void *payload);
	/**
	 * When not NULL (and there are holdout rows): valid_rows floats,
	 * times num_class for multiclass, to receive the holdout rows'
	 * scores by the trees the model keeps, as
	 * mmp_model_predict_scores() gives them, copied from XGBoost's
	 * prediction cache at the kept round rather than predicted again
	 * after training. The result's holdout_scored says whether they
	 * were (gbtree boosters only).
	 */
	float *holdout_scores;
} mmp_model_train_options;

#define MMP_MODEL_TRAIN_OPTIONS_VERSION 1
#define MMP_MODEL_TRAIN_OPTIONS_INIT { MMP_MODEL_TRAIN_OPTIONS_VERSION, \
	MMP_TASK_REGRESSION, 0, NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL, \
	NULL, 0, 100, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

/** Fill `o` with the defaults of `version`. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_model_train_options_init(mmp_model_train_options *o,
	unsigned int version);

/**
 * XGBoost's matrices of one training set and its holdout rows, built
 * once and trained on many times (tuning trials, folds): with
 * tree_method hist and numeric features the training rows are quantised
 * once, for the max_bin the options give. Immutable once built, so that
 * concurrent mmp_model_train() calls may share a quantised one (see
 * mmp_model_data_shareable()).
 */
typedef struct mmp_model_data mmp_model_data;

/**
 * Build the matrices of the rows, labels, features and matrix-shaping
 * params (tree_method, max_bin) of `o` into `*out` (free with
 * mmp_model_data_free()), after the checks mmp_model_train() makes.
 * The data is copied: `o`'s arrays may be freed afterwards. Returns 0,
 * or as mmp_model_train() for bad options and XGBoost failures.
 */
MMP_EXTERN(int) mmp_model_data_new(mmp_model_data **out,
	const mmp_model_train_options *o);

/**
 * 1 when `d` holds the matrices `o` needs: the same numbers of rows and
 * columns, the same quantised form and max_bin; else 0. Params that
 * shape no matrix (depth, eta, subsample, ...) may differ freely.
 */
MMP_EXTERN(int) mmp_model_data_fits(const mmp_model_data *d,
	const mmp_model_train_options *o);

/**
 * 1 when concurrent mmp_model_train() calls may use `d` at once (its
 * training matrix is quantised up front, so XGBoost builds nothing in
 * it lazily); 0 when each thread needs its own.
 */
MMP_EXTERN(int) mmp_model_data_shareable(const mmp_model_data *d);

/** Free the matrices; accepts NULL. Not while a training uses them. */
MMP_EXTERN(void) mmp_model_data_free(mmp_model_data *d);

/** One evaluation metric per round (step = round). */
typedef struct {
	char *name;               /**< "logloss", "auc", "ndcg@5" */
	double *train;            /**< [nrounds] */
	double *valid;            /**< [nrounds]; NaN without holdout */
} mmp_model_series;

/** What training did. Release with mmp_model_train_result_release(). */
typedef struct {
	int nrounds;              /**< rounds trained */
	int best_iteration;       /**< 0-based; the model keeps rounds
	                               0..best_iteration */
	double best_score;        /**< NaN without holdout */
	int stopped_early;        /**< 1 when early stopping ended it */
	size_t nmetrics;
	mmp_model_series *metrics;
	size_t stop_metric;       /**< index of the tracked metric */
	double seconds;           /**< wall time of the boosting loop */
	int holdout_scored;       /**< the options' holdout_scores are filled */
} mmp_model_train_result;

#define MMP_MODEL_TRAIN_RESULT_INIT { 0, 0, 0.0, 0, 0, NULL, 0, 0.0, 0 }

/** Free the contents of `r` and reset it; accepts a zeroed result. */
MMP_EXTERN(void) mmp_model_train_result_release(mmp_model_train_result *r);

/**
 * Train a booster. Builds the DMatrices (NaN = missing), sets labels,
 * feature names and types on them and on the booster, the caller's
 * params (plus validate_parameters=1, nthread, the default objective
 * of the task and num_class when not given), evaluates train and
 * holdout every round, and stops after early_stopping_rounds rounds
 * without improvement of the tracked holdout metric (auc, aucpr, map
 * and ndcg maximise; others minimise). The booster is then cut to
 * rounds 0..best_iteration (XGBoosterSlice), so the model holds exactly
 * the trees that were evaluated and that every reader of the saved file
 * predicts with; the attributes best_iteration (its last round),
 * best_score and best_ntree_limit are set. Without early stopping every
 * round is kept. The same data, params and seed give a byte-identical
 * model file.
 *
 * On success `*out` owns the model (mmp_model_free()) and `result`
 * (may be NULL) is filled; the caller releases it. Returns 0, or
 * MMP_EINVALID (bad options, unknown XGBoost parameters, named, or
 * a parameter value XGBoost rejects, with its message, or a bad
 * MMP_PREDICTOR value),
 * MMP_EINTERRUPTED (the callback returned non-zero), MMP_ERROR (other
 * XGBoost failures).
 */
MMP_EXTERN(int) mmp_model_train(mmp_model **out, const mmp_model_train_options *o,
	mmp_model_train_result *result);

/** The number of outputs per row: num_class for multi:softprob, else 1. */
MMP_EXTERN(size_t) mmp_model_noutputs(const mmp_model *m);

/** The number of input columns the model expects. */
MMP_EXTERN(size_t) mmp_model_nfeatures(const mmp_model *m);

/** The task; from the schema, else from the objective. */
MMP_EXTERN(mmp_task) mmp_model_task_of(const mmp_model *m);

/** The round prediction stops after (best_iteration), 0-based. */
MMP_EXTERN(int) mmp_model_best_iteration(const mmp_model *m);

/**
 * Predict `nrows` rows of `ncols` float32 values (NaN = missing) into
 * the caller's `out` (nrows * mmp_model_noutputs() floats): XGBoost's
 * output for the objective (probabilities for binary:logistic and
 * multi:softprob), from mmp's compiled trees or XGBoost's predictor
 * (mmp_model_predictor()), on the model's threads (large inputs only).
 * Safe to call from many threads at once on one model (XGBoost's calls
 * borrow a proxy matrix from a pool). Returns 0, or MMP_EINVALID
 * when ncols differs from the model, MMP_ERROR for XGBoost failures.
 */
MMP_EXTERN(int) mmp_model_predict(const mmp_model *m, const float *rows,
	size_t nrows, size_t ncols, float *out);

/**
 * Probabilities for evaluation: binary n (class 1), multiclass
 * n x num_class, regression the predictions; applies the sigmoid or
 * softmax for binary:logitraw and multi:softmax. `out` needs
 * nrows * (multiclass ? num_class : 1) floats. Returns as
 * mmp_model_predict().
 */
MMP_EXTERN(int) mmp_model_predict_scores(const mmp_model *m,
	const float *rows, size_t nrows, size_t ncols, float *out);

/**
 * Predict `rows` and compute the task's metrics against `y_true`
 * (see mmp_metrics_compute()). Returns as the two calls.
 */
MMP_EXTERN(int) mmp_model_evaluate(mmp_metric_list *out, const mmp_model *m,
	const float *rows, size_t nrows, size_t ncols, const float *y_true);

/** The code that predicts with a model. */
typedef enum {
	MMP_PREDICTOR_MMP = 0,    /**< mmp's own compiled trees */
	MMP_PREDICTOR_XGBOOST     /**< XGBoost's predictor */
} mmp_predictor;

/**
 * The predictor that mmp_model_predict() and the functions built on it
 * use. A model that is trained or loaded is compiled into mmp's own
 * tree predictor, which gives bit-identical results, at its first
 * prediction or at this call, whichever comes first (once, under a
 * lock: threads may race to it). XGBoost predicts
 * instead when the environment sets MMP_PREDICTOR=xgboost, when the
 * model uses something the compiler does not handle (a gblinear or
 * dart booster, an objective it does not know, vector leaves), or after
 * mmp_model_set_predictor(). With XGBoost, `*why` (may be NULL) is set
 * to the reason, borrowed; with mmp's predictor, to NULL.
 */
MMP_EXTERN(mmp_predictor) mmp_model_predictor(const mmp_model *m,
	const char **why);

/**
 * Append "mmp forest, N trees" or "xgboost (REASON)" to `out`: what
 * `--verbose` prints.
 */
MMP_EXTERN(void) mmp_model_predictor_describe(mmp_buf *out,
	const mmp_model *m);

/**
 * Choose the predictor: MMP_PREDICTOR_XGBOOST drops the compiled trees,
 * MMP_PREDICTOR_MMP compiles them again. Not safe while another thread
 * uses the model. Returns 0, or MMP_EINVALID naming what mmp's
 * predictor does not handle, MMP_ERROR.
 */
MMP_EXTERN(int) mmp_model_set_predictor(mmp_model *m, mmp_predictor p);

/**
 * Set the prediction thread count (0: all cores). Not safe while
 * another thread uses the model; afterwards threads may share it: the
 * first prediction compiles the trees, or lets XGBoost configure
 * itself, alone. Returns 0 or MMP_ERROR.
 */
MMP_EXTERN(int) mmp_model_set_nthread(mmp_model *m, int nthread);

/**
 * Feature importance by gain (XGBoost's average gain per split) into
 * the caller's `out`, one value per feature in column order; features
 * no tree uses get 0, as does every feature of a linear (gblinear)
 * model, which has no splits. Returns 0 or MMP_ERROR.
 */
MMP_EXTERN(int) mmp_model_importance(double *out, size_t nfeatures,
	const mmp_model *m);

/** The schema of the model; borrowed; NULL if it has none. */
MMP_EXTERN(const mmp_model_schema *) mmp_model_schema_of(const mmp_model *m);

/**
 * Give the model a copy of `s` (replacing any schema it had).
 * Returns 0, or MMP_EINVALID when the feature count differs.
 */
MMP_EXTERN(int) mmp_model_set_schema(mmp_model *m,
	const mmp_model_schema *s);

/** A model attribute (e.g. "best_iteration") into `out`
 * (appended). Returns 0 or MMP_ENOTFOUND. */
MMP_EXTERN(int) mmp_model_attr(mmp_buf *out, const mmp_model *m,
	const char *key);

/** What the model directory records besides the model. */
typedef struct {
	unsigned int version;
	const char *run_id;           /**< 32 hex digits; required */
	const char *model_uuid;       /**< NULL: a random one */
	int64_t created_ms;           /**< 0: now */
	const char *mlflow_version;   /**< NULL: "2.10.2" */
	const char *python_version;   /**< NULL: "3.11.2" */
	const char *artifact_path;    /**< NULL: "model" */
} mmp_model_dir_info;

#define MMP_MODEL_DIR_INFO_VERSION 1
#define MMP_MODEL_DIR_INFO_INIT { MMP_MODEL_DIR_INFO_VERSION, NULL, NULL, \
	0, NULL, NULL, NULL }

/**
 * Write the model directory into `dir` (created if missing; the caller
 * renames it into place): MLmodel (xgboost and python_function flavors,
 * signature from the schema with the target excluded), model.ubj (cut
 * to the rounds up to best_iteration when it holds more, with feature
 * names, types and the attribute best_iteration; no run id, so
 * that it is byte-identical for the same training), mmp-schema.json, conda.yaml, python_env.yaml and
 * requirements.txt. The model needs a schema. Not safe while another
 * thread predicts with `m`. Returns 0, or MMP_EINVALID (no schema, no
 * run id), MMP_ERROR (file system or XGBoost failure).
 */
MMP_EXTERN(int) mmp_model_save_dir(mmp_model *m, const char *dir,
	const mmp_model_dir_info *info);

/**
 * mmp_model_load_dir() with the schema in the file `schema_file`
 * (NULL: as mmp_model_load_dir()): mmp-schema.json text, or a JSON list
 * of MLflow column specs ([{"type": "double", "name": "age"}, ...], as
 * in an MLmodel signature). For a directory MLflow's Python xgboost
 * flavor wrote, it replaces the signature or feature names; for mmp's
 * own, its schema. MMP_EINVALID names the file and what is wrong, or
 * the counts when the booster has another number of features.
 */
MMP_EXTERN(int) mmp_model_load_dir_schema(mmp_model **out, const char *dir,
	const char *schema_file);

/**
 * Load a model directory written by mmp_model_save_dir() into `*out`
 * (free with mmp_model_free()), ready for shared prediction with
 * nthread 0, for mmp's predictor (see mmp_model_predictor()); the trees
 * compile at the first prediction, so a load that never predicts pays
 * nothing for them.
 * Returns 0, or MMP_ENOTFOUND (no such directory or file, named),
 * MMP_EINVALID (a corrupt model or schema, named, or a bad
 * MMP_PREDICTOR value), MMP_ERROR.
 */
MMP_EXTERN(int) mmp_model_load_dir(mmp_model **out, const char *dir);

/**
 * The run that trained a model loaded by mmp_model_load_dir() (from its
 * MLmodel file), borrowed; NULL when unknown.
 */
MMP_EXTERN(const char *) mmp_model_run_id(const mmp_model *m);

/**
 * The loader module that the python_function flavor of the model's
 * MLmodel file names, i.e. what `mlflow models serve` runs for the
 * directory: "mmp_pyfunc" for a directory mmp wrote, "mlflow.xgboost"
 * for one MLflow's xgboost flavor logged. Borrowed; NULL when the model
 * was not loaded from a directory or its MLmodel names none.
 */
MMP_EXTERN(const char *) mmp_model_pyfunc_loader(const mmp_model *m);

/** Free a model; accepts NULL. */
MMP_EXTERN(void) mmp_model_free(mmp_model *m);

MMP_END_DECL

#endif
