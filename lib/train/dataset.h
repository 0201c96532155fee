/* SPDX-License-Identifier: MIT */
/* dataset.h: load the data a recipe names, as training and tuning read it */
#ifndef LIB_train_dataset_h__
#define LIB_train_dataset_h__

#include "mmp/data.h"
#include "mmp/recipe.h"

/*
 * Load `path` (the recipe's data.source_abs, or an override) with the
 * recipe's delimiter, missing-value spellings and data interface: the
 * target, entity and timestamp columns, then the named features or
 * every other column. With `header` not NULL, the sniffed header is
 * returned too (free with mmp_csv_header_free()). nthreads 0: all cores.
 */
int mmp_train__load_data(mmp_frame **out, mmp_csv_header **header,
	const mmp_recipe *r, const char *path, unsigned int nthreads);

#endif
