/* SPDX-License-Identifier: MIT */
/* space.c: the recipe's tune section: settings and search space, checked
 * with file:line:column, and its canonical text */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/recipe-internal.h"
#include "tune-internal.h"

/* the largest recipe file read back for its tune section */
#define RECIPE_MAX_BYTES (4 * 1024 * 1024)

static const char *const sampler_v[] = { "tpe", "random", NULL };
static const char *const pruner_v[] = { "median", "none", NULL };
static const char *const direction_v[] = { "minimize", "maximize", NULL };
static const char *const direction_aliases[] = {
	"min", "minimize", "max", "maximize", NULL
};
static const char *const type_v[] = { "int", "float", "categorical", NULL };
static const char *const type_aliases[] = {
	"integer", "int", "uniform", "float", "double", "float",
	"choice", "categorical", NULL
};

#define MINMAX (MMP_SKEY_MIN | MMP_SKEY_MAX)

static const struct mmp_skey tune_schema[] = {
	{ "tune.trials", MMP_CONFIG_INT, MINMAX, NULL, 1, 1000000, NULL, NULL,
	  "trials of a new study (default 50)" },
	{ "tune.timeout", MMP_CONFIG_FLOAT, MMP_SKEY_MIN, NULL, 0, 0, NULL,
	  NULL, "start no trial after this many seconds (0: no limit)" },
	{ "tune.metric", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "the validation metric to optimise" },
	{ "tune.direction", MMP_CONFIG_ENUM, 0, NULL, 0, 0, direction_v,
	  direction_aliases, "minimize or maximize (default: the metric's)" },
	{ "tune.cv_folds", MMP_CONFIG_INT, MINMAX, NULL, 0, 100, NULL, NULL,
	  "k of k-fold cross-validation; 0: the recipe's validation set" },
	{ "tune.sampler", MMP_CONFIG_ENUM, 0, NULL, 0, 0, sampler_v, NULL,
	  "tpe or random" },
	{ "tune.pruner", MMP_CONFIG_ENUM, 0, NULL, 0, 0, pruner_v, NULL,
	  "median or none" },
	{ "tune.pruner_startup_trials", MMP_CONFIG_INT, MINMAX, NULL, 0,
	  1000000, NULL, NULL, "complete trials before pruning starts" },
	{ "tune.pruner_warmup_steps", MMP_CONFIG_INT, MINMAX, NULL, 0,
	  100000000, NULL, NULL, "steps of a trial before it can be pruned" },
	{ "tune.tpe_startup_trials", MMP_CONFIG_INT, MINMAX, NULL, 0,
	  1000000, NULL, NULL, "random trials before TPE starts" },
	{ "tune.tpe_ei_candidates", MMP_CONFIG_INT, MINMAX, NULL, 1, 100000,
	  NULL, NULL, "candidates TPE compares per parameter" },
	{ "tune.seed", MMP_CONFIG_INT, MINMAX, NULL, 0, 4294967295.0, NULL,
	  NULL, "seed of the samplers and folds" },
	{ "tune.max_parallel", MMP_CONFIG_INT, MINMAX, NULL, 1, 1024, NULL,
	  NULL, "trials that may run at once (W)" },
	{ "tune.params", MMP_SKEY_MAP, 0, NULL, 0, 0, NULL, NULL,
	  "the search space: one entry per XGBoost parameter" },
};

#define NKEYS ARRAY_SIZE(tune_schema)

/* parameters a study cannot search */
static const char *const fixed[] = {
	"objective", "eval_metric", "num_class", "nthread", "seed",
	"verbosity", "validate_parameters", "disable_default_eval_metric",
	"gpu_id", "predictor", NULL
};

/* XGBoost's aliases, to catch a parameter searched under two names */
static const char *const aliases[] = {
	"learning_rate", "eta", "min_split_loss", "gamma",
	"reg_lambda", "lambda", "reg_alpha", "alpha", NULL
};

struct found {
	const mmp_ynode *node[NKEYS];
	struct mmp_cvalue val[NKEYS];
};

static void on_value(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct found *f = payload;
	size_t i = (size_t)(k - tune_schema);

	f->node[i] = n;
	mmp_config__cvalue_release(&f->val[i]);
	f->val[i] = *v;
	memset(v, 0, sizeof(*v));
}

static size_t idx(const char *path)
{
	return (size_t)(mmp_config__skey_find(tune_schema, NKEYS, path) -
		tune_schema);
}

static const char *text_of(const struct found *f, const char *path)
{
	return f->val[idx(path)].text;
}

bool mmp_tune__metric_maximize(const char *m)
{
	static const char *const up[] = {
		"accuracy", "precision", "recall", "f1", "roc_auc",
		"precision_macro", "precision_weighted", "recall_macro",
		"recall_weighted", "f1_macro", "f1_weighted", "roc_auc_ovr",
		"r2", "pr_auc", "balanced_accuracy", "mcc", NULL
	};
	size_t i;

	for (i = 0; up[i]; i++)
		if (!strcmp(up[i], m))
			return true;
	return false;
}

static const char *default_metric(int task)
{
	switch (task) {
	case MMP_TASK_BINARY: return "roc_auc";
	case MMP_TASK_MULTICLASS: return "logloss";
	default: return "rmse";
	}
}

static const char *canonical(const char *name)
{
	size_t i;

	for (i = 0; aliases[i]; i += 2)
		if (!strcmp(aliases[i], name))
			return aliases[i + 1];
	return name;
}

/* ---- one parameter of the space ---- */

enum { P_TYPE, P_LOW, P_HIGH, P_STEP, P_LOG, P_CHOICES, P_NKEYS };
static const char *const pkeys[] = {
	"type", "low", "high", "step", "log", "choices"
};

struct pfound {
	const mmp_ynode *node[P_NKEYS];
	struct mmp_cvalue val[P_NKEYS];
	const struct mmp_skey *schema;
};

static void on_pvalue(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct pfound *f = payload;
	size_t i = (size_t)(k - f->schema);

	f->node[i] = n;
	mmp_config__cvalue_release(&f->val[i]);
	f->val[i] = *v;
	memset(v, 0, sizeof(*v));
}

/*
 * Check `value` for XGBoost parameter `name` with the recipe's own table
 * (known names with "did you mean", types, ranges); report problems at
 * `at` under the key `key`.
 */
static size_t check_xgb(const char *name, const char *value,
	const mmp_ynode *at, const mmp_ynode *key_at, int task,
	const char *key, mmp_diag_list *diags, bool name_too)
{
	mmp_ynode *map = mmp_config__ynode_new(MMP_YNODE_MAP, at->file,
		at->line, at->col);
	mmp_ynode *v = mmp_config__ynode_new(MMP_YNODE_SCALAR, at->file,
		at->line, at->col);
	mmp_diag_list *tmp = mmp_config__diags_new();
	struct mmp_recipe__params out = { NULL, 0, 0 };
	size_t i, n;

	v->value = mmp__strdup(value);
	v->key_line = key_at->key_line;
	v->key_col = key_at->key_col;
	map->keys = mmp__calloc(1, sizeof(char *));
	map->kids = mmp__calloc(1, sizeof(mmp_ynode *));
	map->keys[0] = mmp__strdup(name);
	map->kids[0] = v;
	map->nr = map->alloc = 1;
	mmp_recipe__check_params(&out, map, task, tmp);
	n = mmp_diag_list_count(tmp);
	for (i = 0; i < n; i++) {
		const mmp_diag *d = mmp_diag_list_get(tmp, i);
		bool about_name = d->line == v->key_line &&
			d->column == v->key_col && (d->line != v->line ||
			d->column != v->col);
		if (about_name && !name_too)
			continue;
		mmp_config__diag_add(diags, d->file, d->line, d->column, key,
			"%s", d->text);
	}
	mmp_recipe__params_release(&out);
	mmp_diag_list_free(tmp);
	mmp_config__ynode_free(map);
	return n;
}

static void fmt_number(mmp_buf *b, int type, double v)
{
	char s[32];

	if (type == MMP_TUNE_INT) {
		mmp_buf_printf(b, "%lld", (long long)llround(v));
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		/* "1000", not "1e+03" */
		mmp_buf_printf(b, "%.0f", v);
		return;
	}
	mmp_fmt_double(s, v);
	mmp_buf_puts(b, s);
}

static void check_param(struct mmp_tune__param *out, const char *name,
	const mmp_ynode *n, int task, mmp_diag_list *diags, size_t *errors)
{
	static const int ptypes[P_NKEYS] = {
		MMP_CONFIG_ENUM, MMP_CONFIG_FLOAT, MMP_CONFIG_FLOAT,
		MMP_CONFIG_FLOAT, MMP_CONFIG_BOOL, MMP_CONFIG_STRLIST
	};
	struct mmp_skey schema[P_NKEYS];
	mmp_buf path[P_NKEYS], key = MMP_BUF_INIT, text = MMP_BUF_INIT;
	struct pfound f;
	const char *t;
	size_t before = mmp_diag_list_count(diags), i, j;
	double low = 0, high = 0, step = 0;

	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	out->name = mmp__strdup(name);
	mmp_buf_printf(&key, "tune.params.%s", name);
	if (n->type == MMP_YNODE_SEQ) {
		/* shorthand: a list of choices */
		struct mmp_skey k = { key.ptr, MMP_CONFIG_STRLIST, 0, NULL, 0,
			0, NULL, NULL, NULL };
		mmp_buf why = MMP_BUF_INIT;
		if (mmp_config__convert(&f.val[P_CHOICES], &k, n, &why) < 0)
			mmp_config__diag_node(diags, n, false, key.ptr, "%s",
				why.ptr);
		else
			f.node[P_CHOICES] = n;
		mmp_buf_dispose(&why);
		out->type = MMP_TUNE_CATEGORICAL;
	} else if (n->type != MMP_YNODE_MAP) {
		mmp_config__diag_node(diags, n, false, key.ptr, "expected a "
			"mapping (type, low, high, step, log, choices) or a "
			"list of choices, got %s", mmp_config__ynode_kind(n));
		goto done;
	} else {
		mmp_ynode wrap;
		char *wkey = key.ptr;
		mmp_ynode *kid = (mmp_ynode *)n;

		for (i = 0; i < P_NKEYS; i++) {
			mmp_buf_init(&path[i], 0);
			mmp_buf_printf(&path[i], "%s.%s", key.ptr, pkeys[i]);
			schema[i] = (struct mmp_skey){ path[i].ptr, ptypes[i],
				0, NULL, 0, 0, NULL, NULL, NULL };
		}
		schema[P_TYPE].values = type_v;
		schema[P_TYPE].aliases = type_aliases;
		schema[P_STEP].flags = MMP_SKEY_MIN | MMP_SKEY_MIN_OPEN;
		f.schema = schema;
		memset(&wrap, 0, sizeof(wrap));
		wrap.type = MMP_YNODE_MAP;
		wrap.file = n->file;
		wrap.keys = &wkey;
		wrap.kids = &kid;
		wrap.nr = 1;
		mmp_config__validate(&wrap, schema, P_NKEYS, diags, on_pvalue,
			&f);
		for (i = 0; i < P_NKEYS; i++)
			mmp_buf_dispose(&path[i]);
		t = f.val[P_TYPE].text;
		if (!t && f.node[P_CHOICES])
			t = "categorical";
		if (!t) {
			if (!f.node[P_TYPE])
				mmp_config__diag_node(diags, n, true, key.ptr,
					"a type is required: int, float or "
					"categorical");
			goto done;
		}
		out->type = !strcmp(t, "int") ? MMP_TUNE_INT :
			!strcmp(t, "float") ? MMP_TUNE_FLOAT :
			MMP_TUNE_CATEGORICAL;
	}

	for (j = 0; fixed[j]; j++)
		if (!strcmp(canonical(name), fixed[j]))
			mmp_config__diag_node(diags, n, true, key.ptr,
				"'%s' cannot be searched; set it in "
				"model.params", name);

	if (out->type == MMP_TUNE_CATEGORICAL) {
		struct mmp_cvalue *c = &f.val[P_CHOICES];
		for (i = P_LOW; i <= P_LOG; i++)
			if (f.node[i])
				mmp_config__diag_node(diags, f.node[i], true,
					key.ptr, "'%s' is not for categorical "
					"parameters", pkeys[i]);
		if (!f.node[P_CHOICES]) {
			if (mmp_diag_list_count(diags) == before)
				mmp_config__diag_node(diags, n, true, key.ptr,
					"a categorical parameter needs "
					"'choices'");
			goto done;
		}
		if (!c->nitems) {
			mmp_config__diag_node(diags, f.node[P_CHOICES], false,
				key.ptr, "'choices' is empty: give at least "
				"one value");
			goto done;
		}
		for (i = 0; i < c->nitems; i++) {
			const mmp_ynode *at = f.node[P_CHOICES];
			if (at->type == MMP_YNODE_SEQ && i < at->nr)
				at = at->kids[i];
			for (j = 0; j < i; j++)
				if (!strcmp(c->items[j], c->items[i]))
					break;
			if (j < i)
				mmp_config__diag_node(diags, at, false,
					key.ptr, "choice '%s' is listed twice",
					c->items[i]);
			else
				check_xgb(name, c->items[i], at, n, task,
					key.ptr, diags, i == 0);
		}
		out->choices = mmp__calloc(c->nitems, sizeof(char *));
		for (i = 0; i < c->nitems; i++)
			out->choices[i] = mmp__strdup(c->items[i]);
		out->nchoices = c->nitems;
		out->low = 0;
		out->high = (double)c->nitems - 1;
		goto done;
	}

	/* numbers */
	if (f.node[P_CHOICES])
		mmp_config__diag_node(diags, f.node[P_CHOICES], true, key.ptr,
			"'choices' is only for categorical parameters");
	if (!f.val[P_LOW].text || !f.val[P_HIGH].text) {
		if (!f.node[P_LOW] && !f.node[P_HIGH])
			mmp_config__diag_node(diags, n, true, key.ptr,
				"'low' and 'high' are required");
		else if (!f.node[P_LOW] || !f.node[P_HIGH])
			mmp_config__diag_node(diags, n, true, key.ptr,
				"'%s' is required", f.node[P_LOW] ? "high" :
				"low");
		goto done;
	}
	mmp_parse_double(f.val[P_LOW].text, &low);
	mmp_parse_double(f.val[P_HIGH].text, &high);
	if (f.val[P_STEP].text)
		mmp_parse_double(f.val[P_STEP].text, &step);
	out->log = f.val[P_LOG].text && !strcmp(f.val[P_LOG].text, "true");
	if (out->type == MMP_TUNE_INT) {
		if (low != floor(low))
			mmp_config__diag_node(diags, f.node[P_LOW], false,
				key.ptr, "low of an int parameter must be a "
				"whole number, got %s", f.val[P_LOW].text);
		if (high != floor(high))
			mmp_config__diag_node(diags, f.node[P_HIGH], false,
				key.ptr, "high of an int parameter must be a "
				"whole number, got %s", f.val[P_HIGH].text);
		if (!f.val[P_STEP].text)
			step = 1;
		else if (step != floor(step))
			mmp_config__diag_node(diags, f.node[P_STEP], false,
				key.ptr, "step of an int parameter must be a "
				"whole number, got %s", f.val[P_STEP].text);
		if (out->log && step != 1)
			mmp_config__diag_node(diags, f.node[P_STEP], false,
				key.ptr, "an int parameter with log: true "
				"needs step 1, got %s", f.val[P_STEP].text);
	} else if (out->log && f.val[P_STEP].text) {
		mmp_config__diag_node(diags, f.node[P_STEP], true, key.ptr,
			"log: true and a step cannot be combined (as in "
			"Optuna's FloatDistribution)");
	}
	if (low > high) {
		mmp_config__diag_node(diags, f.node[P_LOW], false, key.ptr,
			"low (%s) is greater than high (%s)",
			f.val[P_LOW].text, f.val[P_HIGH].text);
		goto done;
	}
	if (out->log && low <= 0) {
		mmp_config__diag_node(diags, f.node[P_LOW], false, key.ptr,
			"log: true needs low > 0, got %s", f.val[P_LOW].text);
		goto done;
	}
	if (step > 0 && out->type == MMP_TUNE_FLOAT) {
		double r = (high - low) / step;
		if (fabs(r - nearbyint(r)) > 1e-8 * (1 + fabs(r)))
			mmp_config__diag_node(diags, f.node[P_STEP], false,
				key.ptr, "high - low (%g) is not a multiple "
				"of step (%s)", high - low,
				f.val[P_STEP].text);
	}
	out->low = low;
	out->high = high;
	out->step = step;
	if (mmp_diag_list_count(diags) != before)
		goto done;
	/* both ends must be values XGBoost takes */
	fmt_number(&text, out->type, low);
	check_xgb(name, text.ptr, f.node[P_LOW], n, task, key.ptr, diags,
		true);
	mmp_buf_clear(&text);
	fmt_number(&text, out->type, high);
	check_xgb(name, text.ptr, f.node[P_HIGH], n, task, key.ptr, diags,
		false);
done:
	*errors += mmp_diag_list_count(diags) - before;
	for (i = 0; i < P_NKEYS; i++)
		mmp_config__cvalue_release(&f.val[i]);
	mmp_buf_dispose(&key);
	mmp_buf_dispose(&text);
}

static void param_release(struct mmp_tune__param *p)
{
	size_t i;

	for (i = 0; i < p->nchoices; i++)
		free(p->choices[i]);
	free(p->choices);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void mmp_tune__spec_release(struct mmp_tune__spec *s)
{
	size_t i;

	for (i = 0; i < s->nparams; i++)
		param_release(&s->params[i]);
	free(s->params);
	free(s->metric);
	memset(s, 0, sizeof(*s));
}

static int64_t int_or(const struct found *f, const char *path, int64_t def)
{
	const char *s = text_of(f, path);
	int64_t v = def;

	if (s)
		mmp_parse_int64(s, &v);
	return v;
}

void mmp_tune__check(struct mmp_tune__spec *out, const mmp_ynode *tune,
	int task, int64_t split_seed, mmp_diag_list *diags)
{
	struct found *f;
	const mmp_ynode *params, *at;
	struct mmp_tune__spec spec;
	mmp_ynode wrap;
	char *wkey = "tune";
	mmp_ynode *kid = (mmp_ynode *)tune;
	size_t before = mmp_diag_list_count(diags), errors = 0, i, j;
	const char *metric, *dir;

	if (!tune)
		return;
	if (tune->type != MMP_YNODE_MAP)
		return;   /* the recipe's validator reported it */
	f = mmp__calloc(1, sizeof(*f));
	memset(&spec, 0, sizeof(spec));
	memset(&wrap, 0, sizeof(wrap));
	wrap.type = MMP_YNODE_MAP;
	wrap.file = tune->file;
	wrap.keys = &wkey;
	wrap.kids = &kid;
	wrap.nr = 1;
	mmp_config__validate(&wrap, tune_schema, NKEYS, diags, on_value, f);

	metric = text_of(f, "tune.metric");
	at = f->node[idx("tune.metric")];
	if (metric && task && !mmp_task_has_metric((mmp_task)task, metric)) {
		mmp_config__diag_node(diags, at, false, "tune.metric",
			"metric '%s' is not computed for %s", metric,
			mmp_task_name((mmp_task)task));
		metric = NULL;
	}
	if (!metric)
		metric = default_metric(task);
	spec.metric = mmp__strdup(metric);
	spec.maximize = mmp_tune__metric_maximize(metric);
	dir = text_of(f, "tune.direction");
	if (dir && !strcmp(dir, "maximize") != spec.maximize)
		mmp_config__diag_node(diags, f->node[idx("tune.direction")],
			false, "tune.direction", "'%s' is %s, not %sd",
			metric, spec.maximize ? "maximized" : "minimized",
			dir);
	spec.trials = int_or(f, "tune.trials", 50);
	spec.timeout = 0;
	if (text_of(f, "tune.timeout"))
		mmp_parse_double(text_of(f, "tune.timeout"), &spec.timeout);
	spec.cv_folds = int_or(f, "tune.cv_folds", 3);
	if (spec.cv_folds == 1)
		mmp_config__diag_node(diags, f->node[idx("tune.cv_folds")],
			false, "tune.cv_folds", "1 fold cannot validate: use "
			"0 (the recipe's validation set) or at least 2");
	dir = text_of(f, "tune.sampler");
	spec.sampler = dir && !strcmp(dir, "random") ? MMP_TUNE_RANDOM :
		MMP_TUNE_TPE;
	dir = text_of(f, "tune.pruner");
	spec.prune = !dir || !strcmp(dir, "median");
	spec.pruner_startup_trials = int_or(f, "tune.pruner_startup_trials",
		5);
	spec.pruner_warmup_steps = int_or(f, "tune.pruner_warmup_steps", -1);
	spec.tpe_startup_trials = int_or(f, "tune.tpe_startup_trials", 10);
	spec.tpe_ei_candidates = int_or(f, "tune.tpe_ei_candidates", 24);
	spec.seed = int_or(f, "tune.seed", split_seed);
	spec.max_parallel = int_or(f, "tune.max_parallel", 2);

	params = f->node[idx("tune.params")];
	if (params) {
		spec.params = mmp__calloc(params->nr ? params->nr : 1,
			sizeof(*spec.params));
		for (i = 0; i < params->nr; i++) {
			const char *name = params->keys[i];
			for (j = 0; j < i; j++)
				if (!strcmp(canonical(params->keys[j]),
				    canonical(name)))
					break;
			if (j < i) {
				mmp_buf k = MMP_BUF_INIT;
				mmp_buf_printf(&k, "tune.params.%s", name);
				mmp_config__diag_node(diags, params->kids[i],
					true, k.ptr, "'%s' is the same "
					"parameter as '%s', searched already",
					name, params->keys[j]);
				mmp_buf_dispose(&k);
				continue;
			}
			check_param(&spec.params[spec.nparams++], name,
				params->kids[i], task, diags, &errors);
		}
	}
	if (out && mmp_diag_list_count(diags) == before) {
		*out = spec;
		memset(&spec, 0, sizeof(spec));
	}
	mmp_tune__spec_release(&spec);
	for (i = 0; i < NKEYS; i++)
		mmp_config__cvalue_release(&f->val[i]);
	free(f);
}

/*
 * The space searched when the recipe names none (documented in
 * mmp-tune(1)): XGBoost's usual knobs over ranges that hold for most
 * tabular data. Classification leaves weigh p(1-p) <= 0.25 per row in
 * the hessian, regression leaves 1 per row, so min_child_weight ranges
 * differ by task; a multiclass round grows one tree per class, so its
 * trees stay shallower.
 */
struct default_param {
	const char *name;
	int type;
	double low, high;
	bool log;
};

static const struct default_param default_space[] = {
	{ "max_depth", MMP_TUNE_INT, 3, 10, false },
	{ "eta", MMP_TUNE_FLOAT, 0.01, 0.3, true },
	{ "subsample", MMP_TUNE_FLOAT, 0.5, 1.0, false },
	{ "colsample_bytree", MMP_TUNE_FLOAT, 0.5, 1.0, false },
	{ "min_child_weight", MMP_TUNE_FLOAT, 0.1, 10, true },
	{ "lambda", MMP_TUNE_FLOAT, 0.001, 10, true },
	{ "alpha", MMP_TUNE_FLOAT, 0.001, 10, true },
	{ "gamma", MMP_TUNE_FLOAT, 0.001, 5, true },
};

static void use_default_space(struct mmp_tune__spec *s, int task)
{
	size_t i, n = ARRAY_SIZE(default_space);

	s->params = mmp__calloc(n, sizeof(*s->params));
	for (i = 0; i < n; i++) {
		struct mmp_tune__param *p = &s->params[i];
		const struct default_param *d = &default_space[i];
		p->name = mmp__strdup(d->name);
		p->type = d->type;
		p->low = d->low;
		p->high = d->high;
		p->step = d->type == MMP_TUNE_INT ? 1 : 0;
		p->log = d->log;
		if (!strcmp(d->name, "max_depth") &&
		    task == MMP_TASK_MULTICLASS)
			p->high = 8;
		if (!strcmp(d->name, "min_child_weight") &&
		    task == MMP_TASK_REGRESSION) {
			p->low = 1;
			p->high = 30;
		}
	}
	s->nparams = n;
	s->default_space = true;
}

/* --set overrides apply to the tune section too; the recipe's loader
 * has reported any malformed one already */
static void apply_overrides(mmp_ynode *root, const char *const *ov,
	size_t n)
{
	mmp_diag_list *quiet = mmp_config__diags_new();
	size_t i;

	for (i = 0; i < n; i++) {
		const char *eq = strchr(ov[i], '=');
		mmp_ynode *v = NULL;
		char *path;

		if (!eq || eq == ov[i] || strncmp(ov[i], "tune.", 5))
			continue;
		path = mmp__strndup(ov[i], (size_t)(eq - ov[i]));
		if (path[strlen(path) - 1] != '.' && !strstr(path, "..") &&
		    mmp_config__yaml_value(&v, "--set", eq + 1, quiet) == 0)
			mmp_config__ynode_set_path(root, path, v);
		free(path);
	}
	mmp_diag_list_free(quiet);
}

int mmp_tune__spec_load(struct mmp_tune__spec *out, mmp_diag_list **diags_out,
	const mmp_recipe *r, const char *const *overrides, size_t noverrides)
{
	static const char empty[] = "{}";
	mmp_diag_list *diags = mmp_config__diags_new();
	mmp_ynode *root = NULL;
	const mmp_ynode *tune;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (diags_out)
		*diags_out = NULL;
	if (mmp_config__yaml_load(&root, r->path, r->raw, r->raw_len,
	    MMP_YAML_INTERPOLATE, diags) < 0)
		goto invalid;
	if (root->type == MMP_YNODE_MAP)
		apply_overrides(root, overrides, noverrides);
	tune = root->type == MMP_YNODE_MAP ?
		mmp_config__ynode_get(root, "tune") : NULL;
	if (tune && tune->type != MMP_YNODE_MAP) {
		mmp_config__diag_add(diags, r->path, 0, 0, "tune",
			"the tune section must be a mapping (see mmp-tune(1))");
		goto invalid;
	}
	if (!tune) {
		/* no tune section: every setting at its default */
		mmp_ynode *e = NULL;
		if (mmp_config__yaml_load(&e, r->path, empty,
		    sizeof(empty) - 1, 0, diags) < 0)
			goto invalid;
		mmp_tune__check(out, e, (int)r->task, r->split.seed, diags);
		mmp_config__ynode_free(e);
	} else {
		mmp_tune__check(out, tune, (int)r->task, r->split.seed,
			diags);
	}
	if (diags->nr)
		goto invalid;
	if (out->pruner_warmup_steps < 0) {
		/* round 0 says little: low learning rates start slow */
		int64_t w = r->model.num_boost_round / 10;
		out->pruner_warmup_steps = w > 10 ? w : 10;
	}
	if (!out->nparams) {
		const mmp_ynode *p = tune ?
			mmp_config__ynode_get(tune, "params") : NULL;
		if (p) {
			mmp_config__diag_node(diags, p, true, "tune.params",
				"give at least one parameter to search, or "
				"leave tune.params out to search the default "
				"space");
			mmp_tune__spec_release(out);
			goto invalid;
		}
		use_default_space(out, (int)r->task);
	}
	goto done;
invalid:
	err = mmp_config__diags_error(diags, MMP_ERROR_RECIPE);
	if (diags_out) {
		*diags_out = diags;
		diags = NULL;
	}
done:
	mmp_config__ynode_free(root);
	mmp_diag_list_free(diags);
	return err;
}

void mmp_tune__format(mmp_buf *out, const struct mmp_tune__param *p,
	double internal)
{
	if (p->type == MMP_TUNE_CATEGORICAL) {
		size_t i = (size_t)internal;
		mmp_buf_puts(out, p->choices[i < p->nchoices ? i : 0]);
		return;
	}
	fmt_number(out, p->type, internal);
}

void mmp_tune__spec_text(mmp_buf *out, const struct mmp_tune__spec *s,
	const mmp_recipe *r)
{
	char num[32];
	size_t i, c;

	mmp_buf_printf(out, "metric: %s\ndirection: %s\n", s->metric,
		s->maximize ? "maximize" : "minimize");
	if (s->cv_folds)
		mmp_buf_printf(out, "validation: %lld-fold cross-validation\n",
			(long long)s->cv_folds);
	else
		mmp_buf_puts(out, "validation: the recipe's validation set\n");
	if (s->sampler == MMP_TUNE_TPE)
		mmp_buf_printf(out, "sampler: tpe (startup %lld, candidates "
			"%lld)\n", (long long)s->tpe_startup_trials,
			(long long)s->tpe_ei_candidates);
	else
		mmp_buf_puts(out, "sampler: random\n");
	if (s->prune)
		mmp_buf_printf(out, "pruner: median (startup %lld, warmup "
			"%lld)\n", (long long)s->pruner_startup_trials,
			(long long)s->pruner_warmup_steps);
	else
		mmp_buf_puts(out, "pruner: none\n");
	mmp_buf_printf(out, "seed: %lld\nmax_parallel: %lld\n",
		(long long)s->seed, (long long)s->max_parallel);
	mmp_buf_printf(out, "rounds: %lld, early stopping %lld\n",
		(long long)r->model.num_boost_round,
		(long long)r->model.early_stopping_rounds);
	mmp_fmt_double(num, r->split.test_size);
	mmp_buf_printf(out, "split: %s, test_size %s, seed %lld%s\n",
		r->split.method == MMP_SPLIT_TIME ? "time" : "random", num,
		(long long)r->split.seed, r->split.stratify ?
		", stratified" : "");
	mmp_buf_puts(out, "fixed:");
	for (i = 0; i < r->model.n_params; i++) {
		for (c = 0; c < s->nparams; c++)
			if (!strcmp(canonical(s->params[c].name),
			    canonical(r->model.params[i].key)))
				break;
		if (c == s->nparams)
			mmp_buf_printf(out, " %s=%s", r->model.params[i].key,
				r->model.params[i].value);
	}
	mmp_buf_printf(out, "\nparams%s:\n", s->default_space ?
		" (mmp's default space)" : "");
	for (i = 0; i < s->nparams; i++) {
		const struct mmp_tune__param *p = &s->params[i];
		mmp_buf_printf(out, "  %s: ", p->name);
		if (p->type == MMP_TUNE_CATEGORICAL) {
			mmp_buf_puts(out, "categorical [");
			for (c = 0; c < p->nchoices; c++)
				mmp_buf_printf(out, "%s%s", c ? ", " : "",
					p->choices[c]);
			mmp_buf_puts(out, "]\n");
			continue;
		}
		mmp_buf_printf(out, "%s [", p->type == MMP_TUNE_INT ? "int"
			: "float");
		fmt_number(out, p->type, p->low);
		mmp_buf_puts(out, ", ");
		fmt_number(out, p->type, p->high);
		mmp_buf_putc(out, ']');
		if (p->step > 0 && !(p->type == MMP_TUNE_INT && p->step == 1)) {
			mmp_fmt_double(num, p->step);
			mmp_buf_printf(out, " step %s", num);
		}
		if (p->log)
			mmp_buf_puts(out, " log");
		mmp_buf_putc(out, '\n');
	}
}
