/* SPDX-License-Identifier: MIT */
/* model-internal.h: what lib/model offers the rest of libmmp */
#ifndef LIB_model_model_internal_h__
#define LIB_model_model_internal_h__

#include <stddef.h>

/* register XGBoost's log callback; called by mmp_global_init() */
int mmp_model__global_init(void);
/* free the pooled prediction matrices; by mmp_global_shutdown() */
void mmp_model__global_shutdown(void);
/* the linked XGBoost version as "1.7.4" */
void mmp_model__xgb_version(char *out, size_t outlen);

#endif
