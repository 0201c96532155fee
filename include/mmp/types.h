/* SPDX-License-Identifier: MIT */
/* types.h: the opaque handles of libmmp */
#ifndef INCLUDE_mmp_types_h__
#define INCLUDE_mmp_types_h__

#include "common.h"

MMP_BEGIN_DECL

/** An open store: one SQLite file plus its artifact root. */
typedef struct mmp_store mmp_store;
/** The effective, layered configuration with each value's origin. */
typedef struct mmp_config mmp_config;

/** What a model learns; decides the target's reading, metrics, outputs. */
typedef enum {
	MMP_TASK_BINARY = 1,       /**< two classes, codes 0 and 1 */
	MMP_TASK_MULTICLASS,       /**< K classes, codes 0..K-1 */
	MMP_TASK_REGRESSION        /**< a real value */
} mmp_task;

/** How a feature is fed to XGBoost. */
typedef enum {
	MMP_FEATURE_NUMERIC = 0,   /**< XGBoost type "q" */
	MMP_FEATURE_CATEGORICAL    /**< category codes, XGBoost type "c" */
} mmp_feature_kind;

MMP_END_DECL

#endif
