/* SPDX-License-Identifier: MIT */
/* xgb-internal.h: shared internals of lib/model (XGBoost lives here) */
#ifndef LIB_model_xgb_internal_h__
#define LIB_model_xgb_internal_h__

#include <pthread.h>
#include <stdatomic.h>

#include "xgb-load.h"

#include "mmp/model.h"
#include "util/util.h"
#include "model-internal.h"

struct mmp_forest;

struct mmp_model {
	BoosterHandle booster;
	mmp_task task;
	size_t nfeatures;
	size_t noutputs;          /* floats per row from XGBoost */
	size_t num_class;         /* multiclass: K; else 0 */
	int best_iteration;       /* -1: use all trees */
	char *objective;
	mmp_model_schema *schema;
	char *run_id;             /* from MLmodel when loaded; else NULL */
	char *pyfunc_loader;      /* MLmodel's python_function loader */
	struct mmp_forest *forest; /* mmp's compiled trees; NULL: XGBoost */
	char *predictor_why;      /* why forest is NULL */
	int nthread;              /* prediction threads (0: every core) */
	int linear;               /* gblinear: no in-place prediction */
	/*
	 * The trees compile, and XGBoost configures itself, at the first
	 * prediction that needs them, not at every load or training:
	 * most trained models (tuning trials, cross-validation folds)
	 * predict once or never. Each flag goes from 0 to 1 once, under
	 * `lock`; gblinear predictions also hold it.
	 */
	atomic_int compiled;      /* forest or predictor_why is final */
	atomic_int warmed;        /* XGBoost has predicted once */
	pthread_mutex_t lock;
};

/* a zeroed model with its lock; free with mmp_model_free() */
mmp_model *mmp_model__new(void);

/* set the error from XGBGetLastError()'s first line; returns code */
int mmp_model__xgb_error(int code, const char *what);

/* read objective, num_class, best_iteration, feature count back from
 * the booster after training or loading */
int mmp_model__refresh(mmp_model *m);

/* keep only the rounds up to best_iteration (XGBoosterSlice), so that
 * the booster holds exactly the trees mmp predicts with */
int mmp_model__cut_to_best(mmp_model *m);

/* choose the predictor once the booster holds its final trees: XGBoost
 * when MMP_PREDICTOR=xgboost (recorded as the reason), else mmp's
 * trees, compiled at the first prediction (which falls back to XGBoost,
 * with the reason, when the compiler does not handle the model).
 * Returns 0, or MMP_EINVALID for a bad MMP_PREDICTOR value */
int mmp_model__compile(mmp_model *m);

/*
 * Load into the empty `m` a model directory written by MLflow's Python
 * xgboost flavor (mlflow-dir.c): the booster file its MLmodel names,
 * the schema from `schema_text` (see mmp_model__schema_from_text(); NULL:
 * none given), else the MLmodel signature, else the booster's feature
 * names. MMP_EINVALID names the flavors when there is no xgboost one,
 * and the column of an input mmp cannot take.
 */
int mmp_model__load_mlflow_dir(mmp_model *m, const char *dir,
	const char *schema_text, size_t schema_len, const char *schema_origin);

/*
 * A schema from `len` bytes of text: mmp-schema.json (an object), or a
 * list of MLflow column specs [{"type", "name"}] for a model of `task`
 * with `nclasses` class codes. MMP_EINVALID names `origin`.
 */
int mmp_model__schema_from_text(mmp_model_schema **out, mmp_task task,
	size_t nclasses, const char *text, size_t len, const char *origin);

/* the source of mmp_pyfunc.py, MLflow's loader module for a model
 * directory (embedded; `*len` bytes, not NUL-terminated) */
const char *mmp_model__pyfunc_source(size_t *len);

#endif
