/* SPDX-License-Identifier: MIT */
/* space.c: the study's settings and search space from the recipe (with
 * mmp's default space), and their canonical text */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tune-internal.h"

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

static void use_default_space(struct mmp_recipe__tune *s, int task)
{
	size_t i, n = ARRAY_SIZE(default_space);

	s->params = mmp__calloc(n, sizeof(*s->params));
	for (i = 0; i < n; i++) {
		struct mmp_recipe__tune_param *p = &s->params[i];
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

int mmp_tune__spec_load(struct mmp_recipe__tune *out, mmp_diag_list **diags_out,
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
		mmp_recipe__tune_check(out, e, (int)r->task, r->split.seed,
			diags);
		mmp_config__ynode_free(e);
	} else {
		mmp_recipe__tune_check(out, tune, (int)r->task, r->split.seed,
			diags);
	}
	if (diags->nr)
		goto invalid;
	if (out->pruner_warmup_steps < 0) {
		/* round 0 says little: low learning rates start slow */
		int64_t w = r->model.num_boost_round / 10;
		out->pruner_warmup_steps = w > 10 ? w : 10;
	}
	if (!out->pruner_min_resource) {
		/*
		 * "auto", as Optuna's rule (the last step of a complete
		 * trial / 100, at least 1) on the last step a trial can
		 * report. Optuna reads it off the first trial to complete,
		 * which with parallel trials depends on timing.
		 */
		int64_t last = (out->cv_folds ? out->cv_folds : 1) *
			r->model.num_boost_round - 1;
		out->pruner_min_resource = last / 100 > 1 ? last / 100 : 1;
	}
	if (!out->nparams) {
		const mmp_ynode *p = tune ?
			mmp_config__ynode_get(tune, "params") : NULL;
		if (p) {
			mmp_config__diag_node(diags, p, true, "tune.params",
				"give at least one parameter to search, or "
				"leave tune.params out to search the default "
				"space");
			mmp_recipe__tune_release(out);
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

void mmp_tune__format(mmp_buf *out, const struct mmp_recipe__tune_param *p,
	double internal)
{
	if (p->type == MMP_TUNE_CATEGORICAL) {
		size_t i = (size_t)internal;
		mmp_buf_puts(out, p->choices[i < p->nchoices ? i : 0]);
		return;
	}
	mmp_recipe__tune_number(out, p->type, internal);
}

void mmp_tune__spec_text(mmp_buf *out, const struct mmp_recipe__tune *s,
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
	switch (s->pruner) {
	case MMP_TUNE_PRUNE_MEDIAN:
	case MMP_TUNE_PRUNE_PERCENTILE:
		mmp_buf_puts(out, "pruner: ");
		if (s->pruner == MMP_TUNE_PRUNE_PERCENTILE) {
			mmp_fmt_double(num, s->pruner_percentile);
			mmp_buf_printf(out, "percentile %s", num);
		} else {
			mmp_buf_puts(out, "median");
		}
		mmp_buf_printf(out, " (startup %lld, warmup %lld",
			(long long)s->pruner_startup_trials,
			(long long)s->pruner_warmup_steps);
		/* a median study's text from before intervals stays */
		if (s->pruner_interval_steps != 1)
			mmp_buf_printf(out, ", interval %lld",
				(long long)s->pruner_interval_steps);
		mmp_buf_puts(out, ")\n");
		break;
	case MMP_TUNE_PRUNE_HALVING:
		mmp_buf_printf(out, "pruner: successive_halving (min_resource "
			"%lld, reduction_factor %lld, "
			"min_early_stopping_rate %lld)\n",
			(long long)s->pruner_min_resource,
			(long long)s->pruner_reduction_factor,
			(long long)s->pruner_min_early_stopping_rate);
		break;
	case MMP_TUNE_PRUNE_THRESHOLD:
		mmp_buf_puts(out, "pruner: threshold (");
		if (isfinite(s->pruner_lower)) {
			mmp_fmt_double(num, s->pruner_lower);
			mmp_buf_printf(out, "lower %s, ", num);
		}
		if (isfinite(s->pruner_upper)) {
			mmp_fmt_double(num, s->pruner_upper);
			mmp_buf_printf(out, "upper %s, ", num);
		}
		mmp_buf_printf(out, "warmup %lld, interval %lld)\n",
			(long long)s->pruner_warmup_steps,
			(long long)s->pruner_interval_steps);
		break;
	default:
		mmp_buf_puts(out, "pruner: none\n");
	}
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
		const char *key =
			mmp_recipe__param_canonical(r->model.params[i].key);

		for (c = 0; c < s->nparams; c++)
			if (!strcmp(mmp_recipe__param_canonical(
			    s->params[c].name), key))
				break;
		if (c == s->nparams)
			mmp_buf_printf(out, " %s=%s", r->model.params[i].key,
				r->model.params[i].value);
	}
	mmp_buf_printf(out, "\nparams%s:\n", s->default_space ?
		" (mmp's default space)" : "");
	for (i = 0; i < s->nparams; i++) {
		const struct mmp_recipe__tune_param *p = &s->params[i];
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
		mmp_recipe__tune_number(out, p->type, p->low);
		mmp_buf_puts(out, ", ");
		mmp_recipe__tune_number(out, p->type, p->high);
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
