/* SPDX-License-Identifier: MIT */
/* model-internal.h: what lib/model offers the rest of libmmp */
#ifndef LIB_model_model_internal_h__
#define LIB_model_model_internal_h__

#include <stddef.h>

/* open libxgboost (once); 0, or -1 with the error set */
int mmp_model__xgb_load(void);
/* free the pooled prediction matrices; by mmp_global_shutdown() */
void mmp_model__global_shutdown(void);
/* the XGBoost version as "1.7.4", loading it; -1 with the error set
 * when it cannot be loaded */
int mmp_model__xgb_version(char *out, size_t outlen);
/* whether XGBoost's eval metric `metric` (as "auc", "map@3", "ndcg-")
 * improves upwards: auc, aucpr, pre, map and ndcg do, the rest (mape
 * too) downwards */
int mmp_model__metric_maximize(const char *metric);

struct cJSON;
/*
 * An MLmodel file's `len` bytes of YAML as a JSON object: plain scalars
 * typed as YAML reads them (null, booleans, numbers), everything else
 * text. `origin` names the file in errors. Returns 0, or MMP_EINVALID
 * naming the file and line of what is not well-formed YAML.
 */
int mmp_model__mlmodel_json(struct cJSON **out, const char *origin,
	const char *text, size_t len);
/* the loader_module of an MLmodel's python_function flavor (from
 * mmp_model__mlmodel_json()), a copy to free; NULL when it names none */
char *mmp_model__mlmodel_loader(const struct cJSON *ml);

#endif
