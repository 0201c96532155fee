/* SPDX-License-Identifier: MIT */
/* recipe-internal.h: the XGBoost parameter table shared by recipe files */
#ifndef LIB_recipe_recipe_internal_h__
#define LIB_recipe_recipe_internal_h__

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

#endif
