/* SPDX-License-Identifier: MIT */
/* recipe.c: the recipe schema, loading, --set overrides and checks */
#include <stdlib.h>
#include <string.h>

#include "mmp/data.h"
#include "recipe-internal.h"

/* the largest recipe file read */
#define RECIPE_MAX_BYTES (4 * 1024 * 1024)

static const char *const task_v[] = {
	"binary_classification", "multiclass_classification", "regression",
	NULL
};
static const char *const task_aliases[] = {
	"binary", "binary_classification",
	"binary_classifier", "binary_classification",
	"multiclass", "multiclass_classification",
	"multi_class", "multiclass_classification",
	"multi_class_classification", "multiclass_classification",
	"multiclass_classifier", "multiclass_classification",
	"regressor", "regression",
	NULL
};
static const char *const method_v[] = { "random", "time", NULL };
static const char *const method_aliases[] = {
	"time_based", "time", "temporal", "time",
	"shuffle", "random", NULL
};

#define REQ MMP_SKEY_REQUIRED
#define ROUNDS (MMP_SKEY_MIN | MMP_SKEY_MAX)

/*
 * Every key of a recipe. New sections (tune:, approval:) are new rows;
 * model.params is checked against the XGBoost table in params.c.
 */
static const struct mmp_skey schema[] = {
	{ "name", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "name of the recipe (default: the file name)" },
	{ "task", MMP_CONFIG_ENUM, REQ, NULL, 0, 0, task_v, task_aliases,
	  "binary_classification, multiclass_classification or regression" },
	{ "experiment", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "experiment the runs go to" },
	{ "data.source", MMP_CONFIG_STRING, REQ, NULL, 0, 0, NULL, NULL,
	  "CSV file (relative to the recipe's directory), postgresql:// "
	  "or sqlite:// URI" },
	{ "data.query", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "database sources: the SQL whose rows are read" },
	{ "data.table", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "database sources: the table (or schema.table) read whole" },
	{ "data.delimiter", MMP_CONFIG_CHAR, 0, NULL, 0, 0, NULL, NULL,
	  "field delimiter" },
	{ "data.na_values", MMP_CONFIG_STRLIST, 0, NULL, 0, 0, NULL, NULL,
	  "cell texts read as missing" },
	{ "data.interface.target_column", MMP_CONFIG_STRING, REQ, NULL, 0, 0,
	  NULL, NULL, "the column to predict" },
	{ "data.interface.entity_columns", MMP_CONFIG_STRLIST, 0, NULL, 0, 0,
	  NULL, NULL, "identifier columns, never features" },
	{ "data.interface.feature_columns", MMP_CONFIG_STRLIST, 0, NULL, 0, 0,
	  NULL, NULL, "feature columns (default: all others)" },
	{ "data.interface.timestamp_column", MMP_CONFIG_STRING, 0, NULL, 0, 0,
	  NULL, NULL, "time of each row, for time-based splits" },
	{ "data.interface.positive_class", MMP_CONFIG_STRING, 0, NULL, 0, 0,
	  NULL, NULL, "binary tasks: the label that counts as positive" },
	{ "data.split.method", MMP_CONFIG_ENUM, 0, NULL, 0, 0, method_v,
	  method_aliases, "random or time" },
	{ "data.split.test_size", MMP_CONFIG_FLOAT, MMP_SKEY_MIN |
	  MMP_SKEY_MAX | MMP_SKEY_MIN_OPEN | MMP_SKEY_MAX_OPEN, NULL, 0, 1,
	  NULL, NULL, "share of rows held out as the test set" },
	{ "data.split.validation_size", MMP_CONFIG_FLOAT, MMP_SKEY_MIN |
	  MMP_SKEY_MAX | MMP_SKEY_MIN_OPEN | MMP_SKEY_MAX_OPEN, NULL, 0, 1,
	  NULL, NULL, "share of the non-test rows held out for validation" },
	{ "data.split.seed", MMP_CONFIG_INT, MMP_SKEY_MIN | MMP_SKEY_MAX, NULL,
	  0, 4294967295.0, NULL, NULL, "seed of the random split" },
	{ "data.split.stratify", MMP_CONFIG_BOOL, 0, NULL, 0, 0, NULL, NULL,
	  "keep class shares in both parts" },
	{ "model.params", MMP_SKEY_MAP, 0, NULL, 0, 0, NULL, NULL,
	  "XGBoost parameters" },
	{ "model.num_boost_round", MMP_CONFIG_INT, ROUNDS, NULL, 1, 1000000,
	  NULL, NULL, "boosting rounds" },
	{ "model.early_stopping_rounds", MMP_CONFIG_INT, ROUNDS, NULL, 1,
	  1000000, NULL, NULL, "stop after this many rounds without gain" },
	{ "model.refit", MMP_CONFIG_BOOL, 0, NULL, 0, 0, NULL, NULL,
	  "retrain on train+validation for the best number of rounds" },
	{ "evaluation.metrics", MMP_CONFIG_STRLIST, 0, NULL, 0, 0, NULL, NULL,
	  "metrics computed on the test set" },
	{ "evaluation.bootstrap", MMP_CONFIG_INT, MMP_SKEY_MIN | MMP_SKEY_MAX,
	  NULL, 0, 1000000, NULL, NULL,
	  "bootstrap resamples for 95% intervals of test metrics (0: off)" },
	{ "evaluation.cv_folds", MMP_CONFIG_INT, MMP_SKEY_MIN | MMP_SKEY_MAX,
	  NULL, 0, 100, NULL, NULL,
	  "also cross-validate on train+validation with this many folds" },
	{ "approval", MMP_SKEY_MAP, 0, NULL, 0, 0, NULL, NULL,
	  "approval policy, checked by mmp approve" },
	{ "tune", MMP_SKEY_MAP, 0, NULL, 0, 0, NULL, NULL,
	  "hyperparameter search of mmp tune (tune-section.c)" },
};

#define NKEYS ARRAY_SIZE(schema)

static const char *const binary_metrics[] = {
	"accuracy", "precision", "recall", "f1", "roc_auc", "logloss",
	"pr_auc", "brier", "balanced_accuracy", "mcc", "precision_macro",
	"precision_weighted", "recall_macro", "recall_weighted", "f1_macro",
	"f1_weighted", NULL
};
static const char *const multi_metrics[] = {
	"accuracy", "precision_macro", "precision_weighted", "recall_macro",
	"recall_weighted", "f1_macro", "f1_weighted", "logloss",
	"balanced_accuracy", "mcc", "brier", NULL
};
static const char *const multi_aliases[] = {
	"precision", "precision_macro", "recall", "recall_macro",
	"f1", "f1_macro", NULL
};
static const char *const reg_metrics[] = {
	"rmse", "mae", "r2", "mape", "median_ae", NULL
};
static const char *const reg_default[] = { "rmse", "mae", "r2", NULL };

static const char *const binary_default[] = {
	"accuracy", "precision", "recall", "f1", "roc_auc", "logloss", NULL
};
static const char *const multi_default[] = {
	"accuracy", "precision_macro", "recall_macro", "f1_macro", "logloss",
	NULL
};

static const char *const default_na[] = { "", "NA", "NaN", "null", NULL };

/* the recipe plus everything it owns */
struct recipe {
	mmp_recipe pub;
	void **owned;
	size_t nowned, aowned;
};

/* the valid values found by the validator, by schema index */
struct found {
	const mmp_ynode *node[NKEYS];
	struct mmp_cvalue val[NKEYS];
};

const char *mmp_task_name(mmp_task t)
{
	switch (t) {
	case MMP_TASK_BINARY: return "binary_classification";
	case MMP_TASK_MULTICLASS: return "multiclass_classification";
	case MMP_TASK_REGRESSION: return "regression";
	}
	return "unknown";
}

static const char *const *task_metrics(mmp_task t)
{
	switch (t) {
	case MMP_TASK_BINARY: return binary_metrics;
	case MMP_TASK_MULTICLASS: return multi_metrics;
	case MMP_TASK_REGRESSION: return reg_metrics;
	}
	return NULL;
}

static bool in_list(const char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

bool mmp_task_has_metric(mmp_task t, const char *metric)
{
	return in_list(task_metrics(t), metric);
}

int mmp_recipe_options_init(mmp_recipe_options *o, unsigned int version)
{
	mmp_recipe_options init = MMP_RECIPE_OPTIONS_INIT;

	if (version != MMP_RECIPE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"unsupported recipe options version %u", version);
	*o = init;
	return 0;
}

static void *keep(struct recipe *r, void *p)
{
	MMP_ALLOC_GROW(r->owned, r->nowned + 1, r->aowned);
	r->owned[r->nowned++] = p;
	return p;
}

static const char *keep_str(struct recipe *r, const char *s)
{
	return s ? keep(r, mmp__strdup(s)) : NULL;
}

static const char *const *keep_list(struct recipe *r, char **items,
	size_t n)
{
	const char **l = keep(r, mmp__calloc(n + 1, sizeof(char *)));
	size_t i;

	for (i = 0; i < n; i++)
		l[i] = keep_str(r, items[i]);
	return l;
}

void mmp_recipe_free(mmp_recipe *pub)
{
	struct recipe *r = (struct recipe *)pub;
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r);
}

const char *mmp_recipe_param_get(const mmp_recipe *r, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < r->model.n_params; i++)
		if (!strcmp(r->model.params[i].key, key))
			v = r->model.params[i].value;
	return v;
}

static size_t idx(const char *path)
{
	const struct mmp_skey *k = mmp_config__skey_find(schema, NKEYS, path);

	return (size_t)(k - schema);
}

static void on_value(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct found *f = payload;
	size_t i = (size_t)(k - schema);

	f->node[i] = n;
	mmp_config__cvalue_release(&f->val[i]);
	f->val[i] = *v;
	memset(v, 0, sizeof(*v));
}

static const char *text_of(const struct found *f, const char *path)
{
	return f->val[idx(path)].text;
}

static const mmp_ynode *node_of(const struct found *f, const char *path)
{
	return f->node[idx(path)];
}

/* apply "path=value" overrides to the tree */
/* whether a database location carries a password */
static bool has_credentials(const char *location)
{
	mmp_buf b = MMP_BUF_INIT;
	bool yes;

	if (mmp_source_kind_of(location) == MMP_SOURCE_FILE)
		return false;
	mmp_source_redact(&b, location);
	yes = strcmp(b.ptr, location) != 0;
	mmp_buf_dispose(&b);
	return yes;
}

static void apply_overrides(mmp_ynode *root, const mmp_recipe_options *o,
	mmp_diag_list *diags)
{
	mmp_buf where = MMP_BUF_INIT;
	size_t i;

	for (i = 0; i < o->noverrides; i++) {
		const char *ov = o->overrides[i], *eq = strchr(ov, '=');
		mmp_ynode *n = NULL;
		char *path;

		mmp_buf_clear(&where);
		mmp_buf_printf(&where, "--set %s", ov);
		if (!eq || eq == ov) {
			mmp_config__diag_add(diags, where.ptr, 0, 0, NULL,
				"expected <key>=<value>");
			continue;
		}
		path = mmp__strndup(ov, (size_t)(eq - ov));
		if (!strcmp(path, "data.source") && has_credentials(eq + 1)) {
			/* the overrides are recorded with the run */
			mmp_buf_clear(&where);
			mmp_buf_puts(&where, "--set data.source=");
			mmp_source_redact(&where, eq + 1);
			mmp_config__diag_add(diags, where.ptr, 0, 0, NULL,
				"a password on the command line would be "
				"recorded with the run; give it by PGPASSWORD "
				"or ~/.pgpass");
		} else if (path[0] == '.' || path[strlen(path) - 1] == '.' ||
		    strstr(path, "..")) {
			mmp_config__diag_add(diags, where.ptr, 0, 0, NULL,
				"invalid key path '%s'", path);
		} else if (mmp_config__yaml_value(&n, where.ptr, eq + 1,
		    diags) == 0) {
			mmp_config__ynode_set_path(root, path, n);
		}
		free(path);
	}
	mmp_buf_dispose(&where);
}

static void check_metrics(struct found *f, mmp_task task,
	mmp_diag_list *diags)
{
	const struct mmp_cvalue *v = &f->val[idx("evaluation.metrics")];
	const mmp_ynode *n = node_of(f, "evaluation.metrics");
	const char *const *allowed = task_metrics(task);
	size_t i, j, nallowed = 0;

	if (!n || !allowed)
		return;
	while (allowed[nallowed])
		nallowed++;
	for (i = 0; i < v->nitems; i++) {
		const mmp_ynode *at = n->type == MMP_YNODE_SEQ &&
			i < n->nr ? n->kids[i] : n;
		char *m = v->items[i];
		const char *best;

		if (task == MMP_TASK_MULTICLASS) {
			for (j = 0; multi_aliases[j]; j += 2)
				if (!strcmp(m, multi_aliases[j])) {
					free(m);
					m = v->items[i] = mmp__strdup(
						multi_aliases[j + 1]);
					break;
				}
		}
		for (j = 0; j < i; j++)
			if (!strcmp(v->items[j], m))
				break;
		if (j < i) {
			mmp_config__diag_node(diags, at, false,
				"evaluation.metrics", "metric '%s' is listed "
				"twice", m);
			continue;
		}
		if (in_list(allowed, m))
			continue;
		best = mmp_str_closest(m, allowed, nallowed);
		if (best && mmp_str_distance(m, best) > strlen(m) / 3 + 1)
			best = NULL;   /* "f1" is not a typo of "r2" */
		if (best)
			mmp_config__diag_node(diags, at, false,
				"evaluation.metrics", "metric '%s' is not "
				"available for %s; did you mean '%s'?", m,
				mmp_task_name(task), best);
		else {
			mmp_buf list = MMP_BUF_INIT;
			for (j = 0; allowed[j]; j++)
				mmp_buf_printf(&list, "%s%s", j ? ", " : "",
					allowed[j]);
			mmp_config__diag_node(diags, at, false,
				"evaluation.metrics", "metric '%s' is not "
				"available for %s (choose from %s)", m,
				mmp_task_name(task), list.ptr);
			mmp_buf_dispose(&list);
		}
	}
	if (n && !v->nitems)
		mmp_config__diag_node(diags, n, false, "evaluation.metrics",
			"at least one metric is required");
}

static void check_columns(struct found *f, mmp_diag_list *diags)
{
	const char *target = text_of(f, "data.interface.target_column");
	const char *ts = text_of(f, "data.interface.timestamp_column");
	const struct mmp_cvalue *feat =
		&f->val[idx("data.interface.feature_columns")];
	const struct mmp_cvalue *ent =
		&f->val[idx("data.interface.entity_columns")];
	const mmp_ynode *fn = node_of(f, "data.interface.feature_columns");
	size_t i, j;

	for (i = 0; i < feat->nitems; i++) {
		const char *c = feat->items[i];
		const mmp_ynode *at = fn->type == MMP_YNODE_SEQ &&
			i < fn->nr ? fn->kids[i] : fn;

		for (j = 0; j < i; j++)
			if (!strcmp(feat->items[j], c))
				break;
		if (j < i)
			mmp_config__diag_node(diags, at, false,
				"data.interface.feature_columns",
				"column '%s' is listed twice", c);
		else if (target && !strcmp(c, target))
			mmp_config__diag_node(diags, at, false,
				"data.interface.feature_columns",
				"the target column '%s' cannot be a feature",
				c);
		else if (ts && !strcmp(c, ts))
			mmp_config__diag_node(diags, at, false,
				"data.interface.feature_columns",
				"the timestamp column '%s' cannot be a feature",
				c);
		else {
			for (j = 0; j < ent->nitems; j++)
				if (!strcmp(ent->items[j], c))
					break;
			if (j < ent->nitems)
				mmp_config__diag_node(diags, at, false,
					"data.interface.feature_columns",
					"the entity column '%s' cannot be a "
					"feature", c);
		}
	}
	for (i = 0; target && i < ent->nitems; i++)
		if (!strcmp(ent->items[i], target))
			mmp_config__diag_node(diags,
				node_of(f, "data.interface.entity_columns"),
				false, "data.interface.entity_columns",
				"the target column '%s' cannot be an entity "
				"column", target);
}

/* a database source reads a query or a table; a file reads neither */
static void check_source(struct found *f, mmp_diag_list *diags,
	const char *raw)
{
	const char *src = text_of(f, "data.source");
	const char *q = text_of(f, "data.query");
	const char *t = text_of(f, "data.table");
	mmp_source_kind k;

	if (!src)
		return;
	k = mmp_source_kind_of(src);
	if (mmp_source_check_location(src) < 0) {
		/* not a path: resolved as one, it would be stored */
		mmp_config__diag_node(diags, node_of(f, "data.source"), false,
			"data.source", "%s", mmp_error_last()->message);
		mmp_error_clear();
		return;
	}
	if (k == MMP_SOURCE_FILE) {
		if (q || t)
			mmp_config__diag_node(diags, node_of(f, q ?
				"data.query" : "data.table"), false,
				q ? "data.query" : "data.table", "a %s needs a "
				"database source (postgresql:// or sqlite://), "
				"not a file", q ? "query" : "table");
		return;
	}
	/* the recipe is kept with every run: only ${VAR}s may hold one */
	if (has_credentials(src) && strstr(raw, src))
		mmp_config__diag_node(diags, node_of(f, "data.source"), false,
			"data.source", "a password written in the recipe is "
			"kept with every run (the recipe snapshot); use "
			"${VAR}, PGPASSWORD or ~/.pgpass");
	if (q && t)
		mmp_config__diag_node(diags, node_of(f, "data.table"), false,
			"data.table", "give data.query or data.table, not both");
	else if (!q && !t)
		mmp_config__diag_node(diags, node_of(f, "data.source"), false,
			"data.source", "a %s source needs data.query or "
			"data.table", mmp_source_kind_name(k));
	else if (q && !*q)
		mmp_config__diag_node(diags, node_of(f, "data.query"), false,
			"data.query", "the query is empty");
	else if (t && !*t)
		mmp_config__diag_node(diags, node_of(f, "data.table"), false,
			"data.table", "the table name is empty");
}

static void check_split(struct found *f, mmp_task task, mmp_diag_list *diags)
{
	const char *method = text_of(f, "data.split.method");
	const char *strat = text_of(f, "data.split.stratify");

	bool time_split = method && !strcmp(method, "time");

	if (time_split) {
		if (!text_of(f, "data.interface.timestamp_column"))
			mmp_config__diag_node(diags,
				node_of(f, "data.split.method"), false,
				"data.split.method", "a time split needs "
				"data.interface.timestamp_column");
		if (strat && !strcmp(strat, "true"))
			mmp_config__diag_node(diags,
				node_of(f, "data.split.stratify"), false,
				"data.split.stratify", "a time split cannot be "
				"stratified");
	}
	if (text_of(f, "evaluation.cv_folds") &&
	    !strcmp(text_of(f, "evaluation.cv_folds"), "1"))
		mmp_config__diag_node(diags, node_of(f, "evaluation.cv_folds"),
			false, "evaluation.cv_folds", "cross-validation needs "
			"at least 2 folds (0 turns it off)");
	if (text_of(f, "data.interface.positive_class") &&
	    task != MMP_TASK_BINARY && task)
		mmp_config__diag_node(diags,
			node_of(f, "data.interface.positive_class"), false,
			"data.interface.positive_class", "a positive class "
			"needs a binary_classification task");
	if (!time_split && task == MMP_TASK_REGRESSION && strat &&
	    !strcmp(strat, "true"))
		mmp_config__diag_node(diags, node_of(f, "data.split.stratify"),
			false, "data.split.stratify", "stratification needs "
			"a classification task");
}

static mmp_task parse_task(const char *t)
{
	if (!t)
		return (mmp_task)0;
	if (!strcmp(t, "binary_classification"))
		return MMP_TASK_BINARY;
	if (!strcmp(t, "multiclass_classification"))
		return MMP_TASK_MULTICLASS;
	return MMP_TASK_REGRESSION;
}

/* fill the public struct from the validated values */
static int build(struct recipe *r, struct found *f, mmp_task task,
	struct mmp_recipe__params *params, const char *abs_path,
	const mmp_recipe_options *o)
{
	mmp_recipe *p = &r->pub;
	mmp_buf dir = MMP_BUF_INIT, src = MMP_BUF_INIT, abs = MMP_BUF_INIT;
	const struct mmp_cvalue *v;
	const char *s, *base;
	mmp_recipe_param *pp;
	size_t i, n;
	int error = 0;

	p->path = keep_str(r, abs_path);
	p->task = task;
	if ((s = text_of(f, "name")))
		p->name = keep_str(r, s);
	else {
		base = strrchr(abs_path, '/');
		base = base ? base + 1 : abs_path;
		n = strlen(base);
		if (mmp_str_ends_with(base, ".yaml"))
			n -= 5;
		else if (mmp_str_ends_with(base, ".yml"))
			n -= 4;
		p->name = keep(r, mmp__strndup(base, n));
	}
	p->experiment = keep_str(r, text_of(f, "experiment"));

	p->data.source = keep_str(r, text_of(f, "data.source"));
	if (mmp_source_kind_of(p->data.source) == MMP_SOURCE_FILE) {
		mmp_path_dirname(&dir, abs_path);
		mmp_path_join(&src, dir.ptr, p->data.source);
		if ((error = mmp_path_absolute(&abs, src.ptr)) < 0)
			goto done;
		p->data.source_abs = keep_str(r, abs.ptr);
	} else {
		p->data.source_abs = p->data.source;
	}
	mmp_buf_clear(&src);
	mmp_source_redact(&src, p->data.source_abs);
	p->data.source_shown = keep_str(r, src.ptr);
	p->data.query = keep_str(r, text_of(f, "data.query"));
	p->data.table = keep_str(r, text_of(f, "data.table"));

	s = text_of(f, "data.delimiter");
	if (!s && o->config)
		mmp_config_get_string(&s, o->config, "data.delimiter");
	p->data.delimiter = s && *s ? s[0] : ',';

	v = &f->val[idx("data.na_values")];
	if (f->node[idx("data.na_values")]) {
		p->data.na_values = keep_list(r, v->items, v->nitems);
		p->data.n_na_values = v->nitems;
	} else {
		const char *const *items = default_na;
		size_t ni = ARRAY_SIZE(default_na) - 1;
		if (o->config && mmp_config_get_list(&items, &ni, o->config,
		    "data.na_values") < 0) {
			mmp_error_clear();
			items = default_na;
			ni = ARRAY_SIZE(default_na) - 1;
		}
		p->data.na_values = keep_list(r, (char **)items, ni);
		p->data.n_na_values = ni;
	}
	p->data.target_column = keep_str(r,
		text_of(f, "data.interface.target_column"));
	v = &f->val[idx("data.interface.entity_columns")];
	p->data.entity_columns = keep_list(r, v->items, v->nitems);
	p->data.n_entity_columns = v->nitems;
	v = &f->val[idx("data.interface.feature_columns")];
	p->data.feature_columns = keep_list(r, v->items, v->nitems);
	p->data.n_feature_columns = v->nitems;
	p->data.timestamp_column = keep_str(r,
		text_of(f, "data.interface.timestamp_column"));
	p->data.positive_class = keep_str(r,
		text_of(f, "data.interface.positive_class"));

	s = text_of(f, "data.split.method");
	p->split.method = s && !strcmp(s, "time") ? MMP_SPLIT_TIME :
		MMP_SPLIT_RANDOM;
	p->split.test_size = 0.2;
	if ((s = text_of(f, "data.split.test_size")))
		mmp_parse_double(s, &p->split.test_size);
	p->split.validation_size = 0.2;
	if ((s = text_of(f, "data.split.validation_size")))
		mmp_parse_double(s, &p->split.validation_size);
	p->split.seed = 42;
	if ((s = text_of(f, "data.split.seed")))
		mmp_parse_int64(s, &p->split.seed);
	s = text_of(f, "data.split.stratify");
	p->split.stratify = s ? !strcmp(s, "true") :
		(task != MMP_TASK_REGRESSION &&
		 p->split.method == MMP_SPLIT_RANDOM);

	pp = keep(r, mmp__calloc(params->nr + 1, sizeof(*pp)));
	for (i = 0; i < params->nr; i++) {
		pp[i].key = keep_str(r, params->items[i].key);
		pp[i].value = keep_str(r, params->items[i].value);
	}
	p->model.params = pp;
	p->model.n_params = params->nr;
	p->model.num_boost_round = 100;
	if ((s = text_of(f, "model.num_boost_round")))
		mmp_parse_int64(s, &p->model.num_boost_round);
	if ((s = text_of(f, "model.early_stopping_rounds")))
		mmp_parse_int64(s, &p->model.early_stopping_rounds);
	s = text_of(f, "model.refit");
	p->model.refit = s && !strcmp(s, "true");
	p->evaluation.bootstrap = 1000;
	if ((s = text_of(f, "evaluation.bootstrap")))
		mmp_parse_int64(s, &p->evaluation.bootstrap);
	if ((s = text_of(f, "evaluation.cv_folds")))
		mmp_parse_int64(s, &p->evaluation.cv_folds);

	v = &f->val[idx("evaluation.metrics")];
	if (v->nitems) {
		p->evaluation.metrics = keep_list(r, v->items, v->nitems);
		p->evaluation.n_metrics = v->nitems;
	} else {
		const char *const *d = task == MMP_TASK_BINARY ?
			binary_default : task == MMP_TASK_MULTICLASS ?
			multi_default : reg_default;
		for (n = 0; d[n]; n++)
			;
		p->evaluation.metrics = keep_list(r, (char **)d, n);
		p->evaluation.n_metrics = n;
	}
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&src);
	mmp_buf_dispose(&abs);
	return error;
}

int mmp_recipe_load(mmp_recipe **out, mmp_diag_list **diags_out,
	const char *path, const mmp_recipe_options *opts)
{
	mmp_recipe_options defaults = MMP_RECIPE_OPTIONS_INIT;
	const mmp_recipe_options *o = opts ? opts : &defaults;
	mmp_diag_list *diags = mmp_config__diags_new();
	mmp_buf text = MMP_BUF_INIT, abs = MMP_BUF_INIT;
	struct mmp_recipe__params params = { NULL, 0, 0 };
	struct found *f = mmp__calloc(1, sizeof(*f));
	struct recipe *r = NULL;
	mmp_ynode *root = NULL;
	mmp_task task;
	size_t i;
	int error;

	*out = NULL;
	if (diags_out)
		*diags_out = NULL;
	if (o->version != MMP_RECIPE_OPTIONS_VERSION) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"unsupported recipe options version %u", o->version);
		goto done;
	}
	if ((error = mmp_file_read(&text, path, RECIPE_MAX_BYTES)) < 0) {
		mmp_error_prefix("cannot read recipe");
		goto done;
	}
	if ((error = mmp_path_absolute(&abs, path)) < 0)
		goto done;
	if (mmp_config__yaml_load(&root, path, text.ptr, text.size,
	    MMP_YAML_INTERPOLATE, diags) < 0)
		goto invalid;
	if (root->type == MMP_YNODE_MAP)
		apply_overrides(root, o, diags);
	mmp_config__validate(root, schema, NKEYS, diags, on_value, f);

	task = parse_task(text_of(f, "task"));
	mmp_recipe__check_params(&params, node_of(f, "model.params"),
		(int)task, diags);
	check_metrics(f, task, diags);
	check_columns(f, diags);
	check_split(f, task, diags);
	check_source(f, diags, text.ptr);
	mmp_recipe__tune_check(NULL, node_of(f, "tune"), (int)task, 0, diags);
	if (diags->nr)
		goto invalid;

	r = mmp__calloc(1, sizeof(*r));
	if ((error = build(r, f, task, &params, abs.ptr, o)) < 0)
		goto done;
	r->pub.raw_len = text.size;
	mmp_sha256_buf_hex(r->pub.sha256, text.ptr, text.size);
	r->pub.raw = keep(r, mmp_buf_detach(&text));
	*out = &r->pub;
	r = NULL;
	error = 0;
	goto done;

invalid:
	error = mmp_config__diags_error(diags, MMP_ERROR_RECIPE);
	if (diags_out) {
		*diags_out = diags;
		diags = NULL;
	}
done:
	mmp_recipe_free(r ? &r->pub : NULL);
	for (i = 0; i < NKEYS; i++)
		mmp_config__cvalue_release(&f->val[i]);
	free(f);
	mmp_recipe__params_release(&params);
	mmp_config__ynode_free(root);
	mmp_diag_list_free(diags);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&abs);
	return error;
}
