/* SPDX-License-Identifier: MIT */
/* tune-section.c: the recipe's tune section, the study's settings and
 * search space, checked with file:line:column */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recipe-internal.h"

static const char *const sampler_v[] = { "tpe", "random", NULL };
static const char *const pruner_v[] = {
	"median", "percentile", "successive_halving", "threshold", "none",
	NULL
};
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
	  "median, percentile, successive_halving, threshold or none" },
	{ "tune.pruner_percentile", MMP_CONFIG_FLOAT, MINMAX, NULL, 0, 100,
	  NULL, NULL, "percentile: the percentile of the complete trials "
	  "a trial must reach (median: 50)" },
	{ "tune.pruner_startup_trials", MMP_CONFIG_INT, MINMAX, NULL, 0,
	  1000000, NULL, NULL, "complete trials before pruning starts" },
	{ "tune.pruner_warmup_steps", MMP_CONFIG_INT, MINMAX, NULL, 0,
	  100000000, NULL, NULL, "steps of a trial before it can be pruned" },
	{ "tune.pruner_interval_steps", MMP_CONFIG_INT, MINMAX, NULL, 1,
	  100000000, NULL, NULL, "steps between pruning checks, after the "
	  "warm-up" },
	{ "tune.pruner_min_resource", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL,
	  NULL, "successive halving: steps of the first rung, or auto" },
	{ "tune.pruner_reduction_factor", MMP_CONFIG_INT, MINMAX, NULL, 2,
	  1000000, NULL, NULL, "successive halving: 1 in this many trials "
	  "goes on at each rung" },
	{ "tune.pruner_min_early_stopping_rate", MMP_CONFIG_INT, MINMAX,
	  NULL, 0, 1000, NULL, NULL, "successive halving: rungs skipped at "
	  "the start" },
	{ "tune.pruner_lower", MMP_CONFIG_FLOAT, 0, NULL, 0, 0, NULL, NULL,
	  "threshold: prune a trial that reports less" },
	{ "tune.pruner_upper", MMP_CONFIG_FLOAT, 0, NULL, 0, 0, NULL, NULL,
	  "threshold: prune a trial that reports more" },
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

bool mmp_recipe__metric_maximize(const char *m)
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

void mmp_recipe__tune_number(mmp_buf *b, int type, double v)
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

static void check_param(struct mmp_recipe__tune_param *out, const char *name,
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
		if (!strcmp(mmp_recipe__param_canonical(name), fixed[j]))
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
	mmp_recipe__tune_number(&text, out->type, low);
	check_xgb(name, text.ptr, f.node[P_LOW], n, task, key.ptr, diags,
		true);
	mmp_buf_clear(&text);
	mmp_recipe__tune_number(&text, out->type, high);
	check_xgb(name, text.ptr, f.node[P_HIGH], n, task, key.ptr, diags,
		false);
done:
	*errors += mmp_diag_list_count(diags) - before;
	for (i = 0; i < P_NKEYS; i++)
		mmp_config__cvalue_release(&f.val[i]);
	mmp_buf_dispose(&key);
	mmp_buf_dispose(&text);
}

static void param_release(struct mmp_recipe__tune_param *p)
{
	size_t i;

	for (i = 0; i < p->nchoices; i++)
		free(p->choices[i]);
	free(p->choices);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void mmp_recipe__tune_release(struct mmp_recipe__tune *s)
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

static double float_or(const struct found *f, const char *path, double def)
{
	const char *s = text_of(f, path);
	double v = def;

	if (s)
		mmp_parse_double(s, &v);
	return v;
}

/* the pruner keys and the pruners they belong to */
static const struct {
	const char *key;
	unsigned pruners;
} pruner_keys[] = {
#define P(x) (1u << MMP_TUNE_PRUNE_##x)
	{ "tune.pruner_percentile", P(PERCENTILE) },
	{ "tune.pruner_startup_trials", P(MEDIAN) | P(PERCENTILE) },
	{ "tune.pruner_warmup_steps", P(MEDIAN) | P(PERCENTILE) |
	  P(THRESHOLD) },
	{ "tune.pruner_interval_steps", P(MEDIAN) | P(PERCENTILE) |
	  P(THRESHOLD) },
	{ "tune.pruner_min_resource", P(HALVING) },
	{ "tune.pruner_reduction_factor", P(HALVING) },
	{ "tune.pruner_min_early_stopping_rate", P(HALVING) },
	{ "tune.pruner_lower", P(THRESHOLD) },
	{ "tune.pruner_upper", P(THRESHOLD) },
#undef P
};

/*
 * Read the pruner and its settings into `spec`: a key of another
 * pruner is an error (with pruner: none every pruner key is kept
 * but unused, so pruning goes off in one line), as is a percentile
 * pruner without its percentile or a threshold one without a bound.
 */
static void check_pruner(struct mmp_recipe__tune *spec,
	const struct found *f, const mmp_ynode *tune, mmp_diag_list *diags)
{
	static const char *const names[] = {
		"none", "median", "percentile", "successive_halving",
		"threshold"
	};
	const char *name = text_of(f, "tune.pruner"), *mr;
	const mmp_ynode *at = f->node[idx("tune.pruner")];
	size_t i;

	if (!name)
		name = "median";
	spec->pruner = !strcmp(name, "percentile") ?
		MMP_TUNE_PRUNE_PERCENTILE :
		!strcmp(name, "successive_halving") ? MMP_TUNE_PRUNE_HALVING :
		!strcmp(name, "threshold") ? MMP_TUNE_PRUNE_THRESHOLD :
		!strcmp(name, "none") ? MMP_TUNE_PRUNE_NONE :
		MMP_TUNE_PRUNE_MEDIAN;
	spec->pruner_name = spec->pruner == MMP_TUNE_PRUNE_PERCENTILE ?
		"percentile" : spec->pruner == MMP_TUNE_PRUNE_HALVING ?
		"successive_halving" : spec->pruner ==
		MMP_TUNE_PRUNE_THRESHOLD ? "threshold" : spec->pruner ==
		MMP_TUNE_PRUNE_NONE ? "none" : "median";
	if (spec->pruner != MMP_TUNE_PRUNE_NONE)
		for (i = 0; i < ARRAY_SIZE(pruner_keys); i++) {
			const mmp_ynode *k =
				f->node[idx(pruner_keys[i].key)];
			mmp_buf to = MMP_BUF_INIT;
			size_t j;

			if (!k || (pruner_keys[i].pruners &
			    (1u << spec->pruner)))
				continue;
			for (j = 1; j < ARRAY_SIZE(names); j++)
				if (pruner_keys[i].pruners & (1u << j))
					mmp_buf_printf(&to, "%s%s", to.size ?
						", " : "", names[j]);
			mmp_config__diag_node(diags, k, true,
				pruner_keys[i].key, "not a setting of the %s "
				"pruner (it is for %s)", spec->pruner_name,
				to.ptr);
			mmp_buf_dispose(&to);
		}
	spec->pruner_percentile = spec->pruner == MMP_TUNE_PRUNE_PERCENTILE ?
		float_or(f, "tune.pruner_percentile", NAN) : 50;
	if (isnan(spec->pruner_percentile) &&
	    !mmp_config__ynode_get(tune, "pruner_percentile"))
		mmp_config__diag_node(diags, at, false, "tune.pruner",
			"the percentile pruner needs "
			"tune.pruner_percentile (0-100)");
	spec->pruner_startup_trials = int_or(f, "tune.pruner_startup_trials",
		5);
	spec->pruner_warmup_steps = int_or(f, "tune.pruner_warmup_steps", -1);
	spec->pruner_interval_steps = int_or(f, "tune.pruner_interval_steps",
		1);
	spec->pruner_min_resource = 0;
	mr = text_of(f, "tune.pruner_min_resource");
	if (mr && strcmp(mr, "auto") && (mmp_parse_int64(mr,
	    &spec->pruner_min_resource) < 0 ||
	    spec->pruner_min_resource < 1 ||
	    spec->pruner_min_resource > 100000000))
		mmp_config__diag_node(diags,
			f->node[idx("tune.pruner_min_resource")], false,
			"tune.pruner_min_resource", "expected auto or a whole "
			"number of steps from 1 to 100000000, got '%s'", mr);
	spec->pruner_reduction_factor = int_or(f,
		"tune.pruner_reduction_factor", 4);
	spec->pruner_min_early_stopping_rate = int_or(f,
		"tune.pruner_min_early_stopping_rate", 0);
	spec->pruner_lower = float_or(f, "tune.pruner_lower", -INFINITY);
	spec->pruner_upper = float_or(f, "tune.pruner_upper", INFINITY);
	if (spec->pruner == MMP_TUNE_PRUNE_THRESHOLD &&
	    !mmp_config__ynode_get(tune, "pruner_lower") &&
	    !mmp_config__ynode_get(tune, "pruner_upper"))
		mmp_config__diag_node(diags, at, false, "tune.pruner",
			"the threshold pruner needs tune.pruner_lower, "
			"tune.pruner_upper or both");
	if (spec->pruner_lower > spec->pruner_upper)
		mmp_config__diag_node(diags,
			f->node[idx("tune.pruner_lower")], false,
			"tune.pruner_lower", "lower (%s) is greater than "
			"upper (%s)", text_of(f, "tune.pruner_lower"),
			text_of(f, "tune.pruner_upper"));
}


void mmp_recipe__tune_check(struct mmp_recipe__tune *out,
	const mmp_ynode *tune, int task, int64_t split_seed,
	mmp_diag_list *diags)
{
	struct found *f;
	const mmp_ynode *params, *at;
	struct mmp_recipe__tune spec;
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
	spec.maximize = mmp_recipe__metric_maximize(metric);
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
	check_pruner(&spec, f, tune, diags);
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
				if (!strcmp(mmp_recipe__param_canonical(
				    params->keys[j]),
				    mmp_recipe__param_canonical(name)))
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
	mmp_recipe__tune_release(&spec);
	for (i = 0; i < NKEYS; i++)
		mmp_config__cvalue_release(&f->val[i]);
	free(f);
}
