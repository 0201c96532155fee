/* SPDX-License-Identifier: MIT */
/* recipe-internal.h: the XGBoost parameter table and the tune section,
 * shared by the recipe files and read by lib/tune */
#ifndef LIB_recipe_recipe_internal_h__
#define LIB_recipe_recipe_internal_h__

#include <stdbool.h>
#include <stdint.h>

#include "config/config-internal.h"
#include "mmp/recipe.h"

/* one checked model parameter, as XGBoost wants it */
struct mmp_recipe__param {
	char *key;
	char *value;
	const mmp_ynode *node;   /* where it was written */
};

struct mmp_recipe__params {
	struct mmp_recipe__param *items;
	size_t nr, alloc;
};

/*
 * Check the model.params mapping `map` (may be NULL) for a recipe of task
 * `task` (0 when the task itself is invalid): known XGBoost 1.7
 * parameters, value types and ranges, the objective against the task.
 * Adds problems to `diags`; appends the parameters in order to `out`,
 * with the task's default objective first when none is given.
 */
void mmp_recipe__check_params(struct mmp_recipe__params *out,
	const mmp_ynode *map, int task, mmp_diag_list *diags);
void mmp_recipe__params_release(struct mmp_recipe__params *p);
/* XGBoost's name of a parameter given by an alias ("learning_rate" is
 * "eta"); any other name as it is */
const char *mmp_recipe__param_canonical(const char *name);

/* --- the tune section (tune-section.c) --- */

enum {
	MMP_TUNE_INT = 1,
	MMP_TUNE_FLOAT,
	MMP_TUNE_CATEGORICAL
};

enum {
	MMP_TUNE_TPE = 1,
	MMP_TUNE_RANDOM
};

/* the pruners, as Optuna's: median is percentile 50 */
enum {
	MMP_TUNE_PRUNE_NONE = 0,
	MMP_TUNE_PRUNE_MEDIAN,
	MMP_TUNE_PRUNE_PERCENTILE,
	MMP_TUNE_PRUNE_HALVING,
	MMP_TUNE_PRUNE_THRESHOLD
};

/* one searched parameter, as Optuna's Int/Float/CategoricalDistribution */
struct mmp_recipe__tune_param {
	char *name;
	int type;
	double low, high;
	double step;          /* 0: continuous (floats only) */
	bool log;
	char **choices;       /* categorical */
	size_t nchoices;
};

/* the study's settings and search space */
struct mmp_recipe__tune {
	int64_t trials;
	double timeout;               /* seconds; 0: none */
	char *metric;
	bool maximize;
	int64_t cv_folds;             /* 0: the recipe's holdout */
	int sampler;
	int pruner;                   /* MMP_TUNE_PRUNE_* */
	const char *pruner_name;      /* static: "median", "none", ... */
	double pruner_percentile;     /* percentile: 0-100; median: 50 */
	int64_t pruner_startup_trials;
	int64_t pruner_warmup_steps;  /* -1 until the recipe is known */
	int64_t pruner_interval_steps;
	int64_t pruner_min_resource;  /* 0 ("auto") until the recipe is
				       * known */
	int64_t pruner_reduction_factor;
	int64_t pruner_min_early_stopping_rate;
	double pruner_lower, pruner_upper;  /* threshold: +-inf: none */
	int64_t tpe_startup_trials;
	int64_t tpe_ei_candidates;
	int64_t seed;
	int64_t max_parallel;
	struct mmp_recipe__tune_param *params;
	size_t nparams;
	bool default_space;           /* no tune.params: lib/tune's own */
};

/*
 * Check the recipe's `tune` mapping `tune` (may be NULL: nothing to
 * check) for a recipe of task `task` (0 when the task is invalid),
 * adding every problem to `diags` with its location. When `out` is not
 * NULL and there was no problem, fill it (release with
 * mmp_recipe__tune_release()); `split_seed` is the default seed.
 */
void mmp_recipe__tune_check(struct mmp_recipe__tune *out,
	const mmp_ynode *tune, int task, int64_t split_seed,
	mmp_diag_list *diags);
void mmp_recipe__tune_release(struct mmp_recipe__tune *s);
/* a number of a parameter of type `type` as XGBoost takes it: "6",
 * "1000", "0.031" */
void mmp_recipe__tune_number(mmp_buf *b, int type, double v);
/* is the metric `name` (canonical) better when larger? */
bool mmp_recipe__metric_maximize(const char *name);

#endif
