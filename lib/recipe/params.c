/* SPDX-License-Identifier: MIT */
/* params.c: XGBoost 1.7 parameters of model.params: names, types, ranges */
#include <stdlib.h>
#include <string.h>

#include "recipe-internal.h"

static const char *const booster_v[] = { "gbtree", "gblinear", "dart", NULL };
static const char *const objective_v[] = {
	"binary:logistic", "binary:logitraw", "binary:hinge",
	"multi:softprob", "multi:softmax",
	"reg:squarederror", "reg:squaredlogerror", "reg:logistic",
	"reg:pseudohubererror", "reg:absoluteerror", "reg:gamma",
	"reg:tweedie", "reg:linear", "count:poisson",
	"survival:cox", "survival:aft", "rank:pairwise", "rank:ndcg",
	"rank:map", NULL
};
static const char *const sampling_v[] = {
	"uniform", "gradient_based", NULL
};
static const char *const tree_method_v[] = {
	"auto", "exact", "approx", "hist", "gpu_hist", NULL
};
static const char *const process_v[] = { "default", "update", NULL };
static const char *const grow_v[] = { "depthwise", "lossguide", NULL };
static const char *const predictor_v[] = {
	"auto", "cpu_predictor", "gpu_predictor", NULL
};
static const char *const sample_type_v[] = { "uniform", "weighted", NULL };
static const char *const normalize_v[] = { "tree", "forest", NULL };
static const char *const selector_v[] = {
	"cyclic", "shuffle", "random", "greedy", "thrifty", NULL
};
static const char *const aft_v[] = { "normal", "logistic", "extreme", NULL };

#define S MMP_CONFIG_STRING
#define I MMP_CONFIG_INT
#define F MMP_CONFIG_FLOAT
#define B MMP_CONFIG_BOOL
#define E MMP_CONFIG_ENUM
#define GE0 MMP_SKEY_MIN
#define GT0 (MMP_SKEY_MIN | MMP_SKEY_MIN_OPEN)
#define IN01 (MMP_SKEY_MIN | MMP_SKEY_MAX)
#define OPEN01 (IN01 | MMP_SKEY_MIN_OPEN | MMP_SKEY_MAX_OPEN)
#define HALF01 (IN01 | MMP_SKEY_MIN_OPEN)

/* XGBoost 1.7 learner, tree, dart, linear and objective parameters */
static const struct mmp_skey xgb_params[] = {
	/* general and learning task */
	{ "booster", E, 0, NULL, 0, 0, booster_v, NULL, NULL },
	{ "verbosity", I, IN01, NULL, 0, 3, NULL, NULL, NULL },
	{ "validate_parameters", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "nthread", I, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "disable_default_eval_metric", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "num_feature", I, GT0, NULL, 0, 0, NULL, NULL, NULL },
	{ "gpu_id", I, MMP_SKEY_MIN, NULL, -1, 0, NULL, NULL, NULL },
	{ "seed", I, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "seed_per_iteration", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "objective", E, 0, NULL, 0, 0, objective_v, NULL, NULL },
	{ "base_score", F, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "eval_metric", S, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "num_class", I, MMP_SKEY_MIN, NULL, 2, 0, NULL, NULL, NULL },
	/* tree booster */
	{ "eta", F, IN01, NULL, 0, 1, NULL, NULL, NULL },
	{ "gamma", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "max_depth", I, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "min_child_weight", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "max_delta_step", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "subsample", F, HALF01, NULL, 0, 1, NULL, NULL, NULL },
	{ "sampling_method", E, 0, NULL, 0, 0, sampling_v, NULL, NULL },
	{ "colsample_bytree", F, HALF01, NULL, 0, 1, NULL, NULL, NULL },
	{ "colsample_bylevel", F, HALF01, NULL, 0, 1, NULL, NULL, NULL },
	{ "colsample_bynode", F, HALF01, NULL, 0, 1, NULL, NULL, NULL },
	{ "lambda", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "alpha", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "tree_method", E, 0, NULL, 0, 0, tree_method_v, NULL, NULL },
	{ "sketch_eps", F, OPEN01, NULL, 0, 1, NULL, NULL, NULL },
	{ "scale_pos_weight", F, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "updater", S, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "refresh_leaf", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "process_type", E, 0, NULL, 0, 0, process_v, NULL, NULL },
	{ "grow_policy", E, 0, NULL, 0, 0, grow_v, NULL, NULL },
	{ "max_leaves", I, GE0, NULL, 0, 0, NULL, NULL, NULL },
	{ "max_bin", I, MMP_SKEY_MIN, NULL, 2, 0, NULL, NULL, NULL },
	{ "predictor", E, 0, NULL, 0, 0, predictor_v, NULL, NULL },
	{ "num_parallel_tree", I, MMP_SKEY_MIN, NULL, 1, 0, NULL, NULL, NULL },
	{ "monotone_constraints", S, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "interaction_constraints", S, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "max_cat_to_onehot", I, MMP_SKEY_MIN, NULL, 1, 0, NULL, NULL, NULL },
	{ "max_cat_threshold", I, MMP_SKEY_MIN, NULL, 1, 0, NULL, NULL, NULL },
	{ "single_precision_histogram", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "deterministic_histogram", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	/* dart booster */
	{ "sample_type", E, 0, NULL, 0, 0, sample_type_v, NULL, NULL },
	{ "normalize_type", E, 0, NULL, 0, 0, normalize_v, NULL, NULL },
	{ "rate_drop", F, IN01, NULL, 0, 1, NULL, NULL, NULL },
	{ "one_drop", B, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "skip_drop", F, IN01, NULL, 0, 1, NULL, NULL, NULL },
	/* linear booster */
	{ "feature_selector", E, 0, NULL, 0, 0, selector_v, NULL, NULL },
	{ "top_k", I, GE0, NULL, 0, 0, NULL, NULL, NULL },
	/* objective parameters */
	{ "tweedie_variance_power", F, OPEN01, NULL, 1, 2, NULL, NULL, NULL },
	{ "huber_slope", F, GT0, NULL, 0, 0, NULL, NULL, NULL },
	{ "aft_loss_distribution", E, 0, NULL, 0, 0, aft_v, NULL, NULL },
	{ "aft_loss_distribution_scale", F, GT0, NULL, 0, 0, NULL, NULL,
	  NULL },
};

/* alias, parameter */
static const char *const aliases[] = {
	"learning_rate", "eta",
	"min_split_loss", "gamma",
	"reg_lambda", "lambda",
	"reg_alpha", "alpha",
	NULL
};

const char *mmp_recipe__param_canonical(const char *name)
{
	size_t i;

	for (i = 0; aliases[i]; i += 2)
		if (!strcmp(aliases[i], name))
			return aliases[i + 1];
	return name;
}

/* parameters of later XGBoost releases, not understood by 1.7 */
static const char *const newer[] = {
	"device", "multi_strategy", "quantile_alpha", "max_cached_hist_node",
	"lambdarank_pair_method", "lambdarank_num_pair_per_sample",
	"lambdarank_unbiased", "lambdarank_bias_norm", "ndcg_exp_gain",
	NULL
};

/* eval_metric names of XGBoost 1.7 ("@t" and "-" suffixes allowed) */
static const char *const eval_metrics[] = {
	"rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "merror",
	"mlogloss", "auc", "aucpr", "ndcg", "map", "poisson-nloglik",
	"gamma-nloglik", "cox-nloglik", "gamma-deviance", "tweedie-nloglik",
	"aft-nloglik", "interval-regression-accuracy", NULL
};

static const char *const binary_obj[] = {
	"binary:logistic", "binary:logitraw", "binary:hinge", NULL
};
static const char *const multi_obj[] = {
	"multi:softprob", "multi:softmax", NULL
};
static const char *const reg_obj[] = {
	"reg:squarederror", "reg:squaredlogerror", "reg:logistic",
	"reg:pseudohubererror", "reg:absoluteerror", "reg:gamma",
	"reg:tweedie", "reg:linear", "count:poisson", NULL
};

static const char *const *task_objectives(int task)
{
	switch (task) {
	case MMP_TASK_BINARY: return binary_obj;
	case MMP_TASK_MULTICLASS: return multi_obj;
	case MMP_TASK_REGRESSION: return reg_obj;
	}
	return NULL;
}

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static void add_param(struct mmp_recipe__params *p, const char *key,
	const char *value, const mmp_ynode *node)
{
	MMP_ALLOC_GROW(p->items, p->nr + 1, p->alloc);
	p->items[p->nr].key = mmp__strdup(key);
	p->items[p->nr].value = mmp__strdup(value);
	p->items[p->nr].node = node;
	p->nr++;
}

void mmp_recipe__params_release(struct mmp_recipe__params *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->items[i].key);
		free(p->items[i].value);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static const struct mmp_skey *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xgb_params); i++)
		if (!strcmp(xgb_params[i].path, name))
			return &xgb_params[i];
	return NULL;
}

static void unknown_param(mmp_diag_list *diags, const mmp_ynode *n,
	const char *name)
{
	const char *names[ARRAY_SIZE(xgb_params) + 8];
	const char *best;
	size_t i, nr = 0;

	if (in_list(newer, name)) {
		mmp_config__diag_node(diags, n, true, "model.params",
			"parameter '%s' is not in XGBoost 1.7, which mmp uses",
			name);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(xgb_params); i++)
		names[nr++] = xgb_params[i].path;
	for (i = 0; aliases[i]; i += 2)
		names[nr++] = aliases[i];
	best = mmp_str_closest(name, names, nr);
	if (best)
		mmp_config__diag_node(diags, n, true, "model.params",
			"unknown XGBoost parameter '%s'; did you mean '%s'?",
			name, best);
	else
		mmp_config__diag_node(diags, n, true, "model.params",
			"unknown XGBoost parameter '%s'", name);
}

static bool valid_eval_metric(const char *m)
{
	mmp_buf base = MMP_BUF_INIT;
	const char *at = strchr(m, '@');
	bool ok;

	mmp_buf_put(&base, m, at ? (size_t)(at - m) : strlen(m));
	if (!at && base.size > 1 && base.ptr[base.size - 1] == '-' &&
	    (mmp_str_starts_with(m, "ndcg") || mmp_str_starts_with(m, "map")))
		mmp_buf_truncate(&base, base.size - 1);
	ok = in_list(eval_metrics, base.ptr);
	mmp_buf_dispose(&base);
	return ok;
}

static void check_eval_metric(struct mmp_recipe__params *out,
	const mmp_ynode *n, mmp_diag_list *diags)
{
	const mmp_ynode *const *items = (const mmp_ynode *const *)&n;
	size_t i, nr = 1;

	if (n->type == MMP_YNODE_SEQ) {
		items = (const mmp_ynode *const *)n->kids;
		nr = n->nr;
	} else if (n->type != MMP_YNODE_SCALAR) {
		mmp_config__diag_node(diags, n, false,
			"model.params.eval_metric",
			"expected a metric name or a list of them, got %s",
			mmp_config__ynode_kind(n));
		return;
	}
	for (i = 0; i < nr; i++) {
		const mmp_ynode *it = items[i];
		const char *best;

		if (it->type != MMP_YNODE_SCALAR) {
			mmp_config__diag_node(diags, it, false,
				"model.params.eval_metric",
				"expected a metric name, got %s",
				mmp_config__ynode_kind(it));
			continue;
		}
		if (valid_eval_metric(it->value)) {
			add_param(out, "eval_metric", it->value, it);
			continue;
		}
		best = mmp_str_closest(it->value, eval_metrics,
			ARRAY_SIZE(eval_metrics) - 1);
		if (best)
			mmp_config__diag_node(diags, it, false,
				"model.params.eval_metric", "unknown XGBoost "
				"eval_metric '%s'; did you mean '%s'?",
				it->value, best);
		else
			mmp_config__diag_node(diags, it, false,
				"model.params.eval_metric",
				"unknown XGBoost eval_metric '%s'", it->value);
	}
}

/* [1, -1, 0] -> "(1,-1,0)"; [[0, 1], [2]] -> "[[0,1],[2]]" */
static int constraint_text(mmp_buf *out, const mmp_ynode *n, bool nested,
	mmp_diag_list *diags, const char *path)
{
	size_t i, j;

	if (!nested) {
		mmp_buf_putc(out, '(');
		for (i = 0; i < n->nr; i++) {
			const mmp_ynode *it = n->kids[i];
			int64_t v;
			if (it->type != MMP_YNODE_SCALAR ||
			    mmp_parse_int64(it->value, &v) < 0 || v < -1 ||
			    v > 1) {
				bool sc = it->type == MMP_YNODE_SCALAR;
				mmp_config__diag_node(diags, it, false, path,
					"expected -1, 0 or 1, got %s%s%s",
					sc ? "'" : "", sc ? it->value :
					mmp_config__ynode_kind(it),
					sc ? "'" : "");
				return -1;
			}
			mmp_buf_printf(out, "%s%lld", i ? "," : "",
				(long long)v);
		}
		mmp_buf_putc(out, ')');
		return 0;
	}
	mmp_buf_putc(out, '[');
	for (i = 0; i < n->nr; i++) {
		const mmp_ynode *grp = n->kids[i];
		if (grp->type != MMP_YNODE_SEQ) {
			mmp_config__diag_node(diags, grp, false, path,
				"expected a list of feature indices, got %s",
				mmp_config__ynode_kind(grp));
			return -1;
		}
		mmp_buf_puts(out, i ? ",[" : "[");
		for (j = 0; j < grp->nr; j++) {
			const mmp_ynode *it = grp->kids[j];
			int64_t v;
			if (it->type != MMP_YNODE_SCALAR ||
			    mmp_parse_int64(it->value, &v) < 0 || v < 0) {
				mmp_config__diag_node(diags, it, false, path,
					"expected a feature index, got %s",
					mmp_config__ynode_kind(it));
				return -1;
			}
			mmp_buf_printf(out, "%s%lld", j ? "," : "",
				(long long)v);
		}
		mmp_buf_putc(out, ']');
	}
	mmp_buf_putc(out, ']');
	return 0;
}

static void check_objective(const mmp_ynode *n, const char *objective,
	int task, mmp_diag_list *diags)
{
	const char *const *fit = task_objectives(task);
	mmp_buf list = MMP_BUF_INIT;
	size_t i;

	if (!fit || in_list(fit, objective))
		return;
	for (i = 0; fit[i]; i++)
		mmp_buf_printf(&list, "%s%s", i ? (fit[i + 1] ? ", " : " or ")
			: "", fit[i]);
	mmp_config__diag_node(diags, n, false, "model.params.objective",
		"objective '%s' does not fit task %s (use %s)", objective,
		mmp_task_name((mmp_task)task), list.ptr);
	mmp_buf_dispose(&list);
}

void mmp_recipe__check_params(struct mmp_recipe__params *out,
	const mmp_ynode *map, int task, mmp_diag_list *diags)
{
	mmp_buf path = MMP_BUF_INIT, why = MMP_BUF_INIT, text = MMP_BUF_INIT;
	const char *seen[ARRAY_SIZE(xgb_params)] = { NULL };
	bool has_objective = false;
	size_t i;

	for (i = 0; map && i < map->nr; i++) {
		const char *name = map->keys[i], *canon = name;
		const mmp_ynode *n = map->kids[i];
		const struct mmp_skey *k;
		struct mmp_cvalue cv;

		canon = mmp_recipe__param_canonical(name);
		k = find_param(canon);
		if (!k) {
			unknown_param(diags, n, name);
			continue;
		}
		mmp_buf_clear(&path);
		mmp_buf_printf(&path, "model.params.%s", name);
		if (seen[k - xgb_params]) {
			mmp_config__diag_node(diags, n, true, path.ptr,
				"the same parameter as '%s', given already",
				seen[k - xgb_params]);
			continue;
		}
		seen[k - xgb_params] = name;
		if (n->type == MMP_YNODE_SCALAR && n->is_null) {
			mmp_config__diag_node(diags, n, true, path.ptr,
				"a value is required");
			continue;
		}
		if (!strcmp(canon, "eval_metric")) {
			check_eval_metric(out, n, diags);
			continue;
		}
		if ((!strcmp(canon, "monotone_constraints") ||
		     !strcmp(canon, "interaction_constraints")) &&
		    n->type == MMP_YNODE_SEQ) {
			mmp_buf_clear(&text);
			if (constraint_text(&text, n, canon[0] == 'i', diags,
			    path.ptr) == 0)
				add_param(out, name, text.ptr, n);
			continue;
		}
		mmp_buf_clear(&why);
		if (mmp_config__convert(&cv, k, n, &why) < 0) {
			mmp_config__diag_node(diags, n, false, path.ptr, "%s",
				why.ptr);
			continue;
		}
		if (k->type == MMP_CONFIG_BOOL)
			add_param(out, name, !strcmp(cv.text, "true") ? "1" :
				"0", n);
		else
			add_param(out, name, cv.text, n);
		if (!strcmp(canon, "objective")) {
			has_objective = true;
			check_objective(n, cv.text, task, diags);
		}
		if (!strcmp(canon, "num_class") && task &&
		    task != MMP_TASK_MULTICLASS)
			mmp_config__diag_node(diags, n, true, path.ptr,
				"num_class is only for "
				"multiclass_classification");
		mmp_config__cvalue_release(&cv);
	}
	if (!has_objective && task_objectives(task)) {
		/* the task's default objective goes first */
		add_param(out, "objective", task_objectives(task)[0], map);
		if (out->nr > 1) {
			struct mmp_recipe__param p = out->items[out->nr - 1];
			memmove(out->items + 1, out->items,
				(out->nr - 1) * sizeof(*out->items));
			out->items[0] = p;
		}
	}
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&why);
	mmp_buf_dispose(&text);
}
