/* SPDX-License-Identifier: MIT */
/* project.h: create a project: the store plus example configs and recipes */
#ifndef INCLUDE_mmp_project_h__
#define INCLUDE_mmp_project_h__

#include "common.h"
#include "buf.h"

MMP_BEGIN_DECL

/** What mmp_project_init() created. */
typedef struct {
	char *store_path;     /**< the new store's database file */
	size_t files_written; /**< example files written */
	size_t files_kept;    /**< example files left as they were */
} mmp_project_init_result;

/**
 * Create a project in `dir` (created if missing): the store
 * `dir/.mmp/mmp.db` and, where no such file exists yet, the bundled
 * examples: configs/base.yaml, configs/dev.yaml, configs/prod.yaml,
 * recipes/breast-cancer.yaml and its data recipes/data/breast_cancer.csv.
 * Existing files are never overwritten.
 *
 * Returns 0 and fills `out` (release with
 * mmp_project_init_result_release()); MMP_EEXISTS when `dir` already
 * holds a store (nothing is changed); MMP_ERROR for file system
 * failures (named).
 */
MMP_EXTERN(int) mmp_project_init(mmp_project_init_result *out,
	const char *dir);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_project_init_result_release(mmp_project_init_result *r);

MMP_END_DECL

#endif
