/* SPDX-License-Identifier: MIT */
/* recipe.h: training recipes (YAML) loaded into typed, validated structs */
#ifndef INCLUDE_mmp_recipe_h__
#define INCLUDE_mmp_recipe_h__

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "config.h"
#include "types.h"

MMP_BEGIN_DECL

/** How the holdout set is chosen. */
typedef enum {
	MMP_SPLIT_RANDOM = 1,      /**< shuffled by `seed`; may be stratified */
	MMP_SPLIT_TIME             /**< the latest rows by timestamp_column */
} mmp_split_method;

/** One XGBoost parameter, both strings in XGBoost's own syntax. */
typedef struct {
	const char *key;
	const char *value;
} mmp_recipe_param;

/**
 * A loaded recipe. Read-only: every field and string is owned by the
 * recipe and lives until mmp_recipe_free(). Lists are arrays plus a
 * count; an empty list has a count of 0.
 */
typedef struct {
	const char *path;          /**< absolute path of the recipe file */
	const char *name;          /**< `name`, else the file name sans .yaml */
	mmp_task task;
	const char *experiment;    /**< `experiment`, or NULL when not given */

	struct {
		/** as written in the recipe (${VAR}s expanded): a CSV file
		 * or a database URI (see mmp_source_kind_of()) */
		const char *source;
		/** a file resolved from the recipe's dir; a URI as is */
		const char *source_abs;
		/** source_abs without credentials: for messages and
		 * records (see mmp_source_redact()) */
		const char *source_shown;
		/** database sources: exactly one of these, else NULL */
		const char *query;
		const char *table;
		char delimiter;          /**< recipe, else data.delimiter */
		/** recipe, else the data.na_values configuration */
		const char *const *na_values;
		size_t n_na_values;
		const char *target_column;
		const char *const *entity_columns;
		size_t n_entity_columns;
		/** explicit features; 0 means every other column */
		const char *const *feature_columns;
		size_t n_feature_columns;
		const char *timestamp_column;  /**< or NULL */
		/** binary: the label that is class 1, or NULL (then 1, true
		 * or yes when present) */
		const char *positive_class;
	} data;

	struct {
		mmp_split_method method;
		double test_size;        /**< in (0, 1) */
		/** in (0, 1): share of the non-test rows; default 0.2 */
		double validation_size;
		int64_t seed;
		bool stratify;           /**< default: classification */
	} split;

	struct {
		/** in recipe order; `objective` always present */
		const mmp_recipe_param *params;
		size_t n_params;
		int64_t num_boost_round;
		int64_t early_stopping_rounds;  /**< 0: no early stopping */
		/** retrain on train+validation for best_iteration+1 rounds */
		bool refit;
	} model;

	struct {
		/** canonical names, never empty */
		const char *const *metrics;
		size_t n_metrics;
		/** bootstrap resamples for test intervals; 0: none */
		int64_t bootstrap;
		/** folds of train+validation to cross-validate; 0: none */
		int64_t cv_folds;
	} evaluation;

	const char *raw;           /**< the file's bytes, verbatim */
	size_t raw_len;
	char sha256[65];           /**< hex sha256 of `raw` */
} mmp_recipe;

#define MMP_RECIPE_OPTIONS_VERSION 1

/** How to load a recipe. NULL options mean defaults. */
typedef struct {
	unsigned int version;        /**< MMP_RECIPE_OPTIONS_VERSION */
	/**
	 * "path=value" overrides (`--set`), applied in order after the file
	 * is read; the value is a YAML scalar or flow collection and is
	 * validated like the file; problems name "--set path=value".
	 */
	const char *const *overrides;
	size_t noverrides;
	/** defaults for data.delimiter and data.na_values; may be NULL */
	const mmp_config *config;
} mmp_recipe_options;

#define MMP_RECIPE_OPTIONS_INIT { MMP_RECIPE_OPTIONS_VERSION, NULL, 0, NULL }

/** Fill `o` with defaults; returns 0, or MMP_EINVALID on a bad version. */
MMP_EXTERN(int) mmp_recipe_options_init(mmp_recipe_options *o,
	unsigned int version);

/**
 * Load and validate the recipe at `path` into `*out` (owned by the
 * caller, free with mmp_recipe_free()).
 *
 * Every problem of the file is collected: malformed YAML, duplicate or
 * unknown keys (with "did you mean"), wrong types and ranges, missing
 * required keys, undefined ${VAR}s, unknown XGBoost parameters, an
 * objective or a metric that does not fit the task, bad overrides.
 * When `diags` is not NULL it receives NULL on success, or the list of
 * problems on MMP_EINVALID (owned by the caller, free with
 * mmp_diag_list_free()). The last error holds the first problem and a
 * count of the others.
 *
 * Returns 0; MMP_ENOTFOUND when the file does not exist; MMP_EINVALID
 * for any problem in the recipe or an override; MMP_ERROR when the
 * file cannot be read.
 */
MMP_EXTERN(int) mmp_recipe_load(mmp_recipe **out, mmp_diag_list **diags,
	const char *path, const mmp_recipe_options *o);

/** Free a recipe; accepts NULL. */
MMP_EXTERN(void) mmp_recipe_free(mmp_recipe *r);

/** "binary_classification", "multiclass_classification", "regression". */
MMP_EXTERN(const char *) mmp_task_name(mmp_task t);

/** Whether `metric` (a canonical name) is computed for `t`. */
MMP_EXTERN(bool) mmp_task_has_metric(mmp_task t, const char *metric);

/**
 * The value of parameter `key` in `r`'s model params (the last one when
 * repeated), borrowed from `r`, or NULL.
 */
MMP_EXTERN(const char *) mmp_recipe_param_get(const mmp_recipe *r,
	const char *key);

MMP_END_DECL

#endif
