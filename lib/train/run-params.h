/* SPDX-License-Identifier: MIT */
/* run-params.h: a model's XGBoost parameters as a run records them */
#ifndef LIB_train_run_params_h__
#define LIB_train_run_params_h__

#include "mmp/buf.h"
#include "mmp/model.h"
#include "mmp/store.h"

/*
 * The `n` parameters `p` as run params, one per key, in the order of
 * their first appearance: a key given more than once (eval_metric:
 * [auc, logloss] passes eval_metric twice, and XGBoost evaluates both)
 * becomes one param whose value is the values joined by ',' in order.
 * Fills `out` (room for n entries) and returns how many it holds; keys
 * and single values are `p`'s, joined values live in `text`, which the
 * caller disposes of after logging.
 */
size_t mmp_train__run_params(mmp_kv *out, mmp_buf *text,
	const mmp_model_param *p, size_t n);

#endif
