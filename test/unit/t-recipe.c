/* SPDX-License-Identifier: MIT */
/* t-recipe.c: recipe loading, defaults, --set overrides, located errors */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/recipe.h"
#include "util/util.h"
#include "tap.h"

static char fixtures[512];

static const char *fixture(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	return path;
}

/* load `name` from the fixtures with overrides; keep the problems */
static int load(mmp_recipe **r, mmp_diag_list **d, const char *name,
	const char *const *ov, size_t nov)
{
	mmp_recipe_options o = MMP_RECIPE_OPTIONS_INIT;

	o.overrides = ov;
	o.noverrides = nov;
	*r = NULL;
	return mmp_recipe_load(r, d, fixture(name), &o);
}

/* problem i without the fixture directory in front */
static const char *diag_at(const mmp_diag_list *d, size_t i)
{
	const mmp_diag *x = mmp_diag_list_get(d, i);
	size_t n = strlen(fixtures);

	if (!x)
		return "(none)";
	if (!strncmp(x->message, fixtures, n) && x->message[n] == '/')
		return x->message + n + 1;
	return x->message;
}

static void test_full(void)
{
	mmp_recipe *r;
	mmp_buf want = MMP_BUF_INIT, raw = MMP_BUF_INIT;
	char sha[65];

	is_int(load(&r, NULL, "churn.yaml", NULL, 0), 0, "churn.yaml loads");
	if (!r)
		return;
	is_str(r->name, "churn", "name");
	is_int(r->task, MMP_TASK_BINARY, "task alias 'binary classification'");
	is_str(mmp_task_name(r->task), "binary_classification", "task name");
	is_str(r->experiment, "churn-exp", "experiment");
	mmp_path_absolute(&want, fixture("churn.yaml"));
	is_str(r->path, want.ptr, "absolute path");
	mmp_buf_clear(&want);
	mmp_path_absolute(&want, fixture("../data/churn.csv"));
	is_str(r->data.source, "../data/churn.csv", "source as written");
	is_str(r->data.source_abs, want.ptr, "source beside the recipe");
	is_int(r->data.delimiter, ';', "delimiter");
	is_int((long long)r->data.n_na_values, 2, "two na values");
	is_str(r->data.na_values[1], "?", "na value");
	is_str(r->data.target_column, "churned", "target");
	is_int((long long)r->data.n_entity_columns, 1, "one entity column");
	is_str(r->data.entity_columns[0], "customer_id", "entity column");
	is_int((long long)r->data.n_feature_columns, 3, "three features");
	is_str(r->data.feature_columns[2], "monthly_charges", "feature order");
	is_str(r->data.timestamp_column, "signup_ts", "timestamp column");
	is_double(r->split.test_size, 0.25, 1e-12, "test_size");
	is_int(r->split.seed, 7, "seed");
	ok(r->split.stratify, "stratify");
	is_int(r->split.method, MMP_SPLIT_RANDOM, "random split");
	is_int((long long)r->model.n_params, 7, "seven params");
	if (r->model.n_params == 7) {
		is_str(r->model.params[0].key, "objective", "order kept");
		is_str(r->model.params[1].value, "logloss", "eval_metric 1");
		is_str(r->model.params[2].value, "auc", "eval_metric 2");
		is_str(r->model.params[3].key, "max_depth", "max_depth");
		is_str(r->model.params[4].key, "learning_rate", "alias kept");
		is_str(r->model.params[4].value, "0.1", "number as text");
		is_str(r->model.params[5].value, "1", "true as 1");
		is_str(r->model.params[6].value, "(1,0,-1)",
			"monotone constraints in XGBoost syntax");
	}
	is_str(mmp_recipe_param_get(r, "max_depth"), "6", "param_get");
	ok(mmp_recipe_param_get(r, "gamma") == NULL, "param_get absent");
	is_int(r->model.num_boost_round, 50, "num_boost_round");
	is_int(r->model.early_stopping_rounds, 5, "early stopping");
	is_int((long long)r->evaluation.n_metrics, 3, "three metrics");
	is_str(r->evaluation.metrics[1], "roc_auc", "metric order");
	mmp_file_read(&raw, fixture("churn.yaml"), 0);
	is_int((long long)r->raw_len, (long long)raw.size, "raw length");
	ok(r->raw && !memcmp(r->raw, raw.ptr, raw.size), "raw verbatim");
	mmp_sha256_buf_hex(sha, raw.ptr, raw.size);
	is_str(r->sha256, sha, "sha256 of the raw text");
	mmp_recipe_free(r);
	mmp_recipe_free(NULL);
	mmp_buf_dispose(&want);
	mmp_buf_dispose(&raw);
}

static void test_defaults(void)
{
	mmp_recipe *r;

	is_int(load(&r, NULL, "minimal.yaml", NULL, 0), 0, "minimal loads");
	if (!r)
		return;
	is_str(r->name, "minimal", "name from the file name");
	is_int(r->task, MMP_TASK_MULTICLASS, "multiclass");
	ok(r->experiment == NULL, "no experiment");
	is_int(r->data.delimiter, ',', "default delimiter");
	is_int((long long)r->data.n_na_values, 4, "default na values");
	is_int((long long)r->data.n_feature_columns, 0, "all other columns");
	ok(r->data.timestamp_column == NULL, "no timestamp column");
	is_double(r->split.test_size, 0.2, 1e-12, "default test_size");
	is_int(r->split.seed, 42, "default seed");
	ok(r->split.stratify, "classification stratifies by default");
	is_int((long long)r->model.n_params, 1, "only the objective");
	is_str(mmp_recipe_param_get(r, "objective"), "multi:softprob",
		"default objective for the task");
	is_int(r->model.num_boost_round, 100, "default rounds");
	is_int(r->model.early_stopping_rounds, 0, "no early stopping");
	is_int((long long)r->evaluation.n_metrics, 5, "default metrics");
	is_str(r->evaluation.metrics[1], "precision_macro",
		"multiclass default metrics");
	mmp_recipe_free(r);
}

static void test_config_defaults(void)
{
	const char *ov[] = { "data.delimiter=|", "data.na_values=[x]" };
	mmp_config_options co = MMP_CONFIG_OPTIONS_INIT;
	mmp_recipe_options o = MMP_RECIPE_OPTIONS_INIT;
	mmp_config *cfg = NULL;
	mmp_recipe *r = NULL;

	co.project_dir = tap_tmpdir();
	co.overrides = ov;
	co.noverrides = 2;
	co.no_system = true;
	is_int(mmp_config_load(&cfg, NULL, &co), 0, "config for recipes");
	o.config = cfg;
	is_int(mmp_recipe_load(&r, NULL, fixture("minimal.yaml"), &o), 0,
		"recipe with a config");
	if (r) {
		is_int(r->data.delimiter, '|', "delimiter from the config");
		is_int((long long)r->data.n_na_values, 1, "na from config");
		is_str(r->data.na_values[0], "x", "na value from config");
	}
	mmp_recipe_free(r);
	mmp_config_free(cfg);
}

static void test_overrides(void)
{
	const char *good[] = { "model.params.max_depth=8",
		"evaluation.metrics=[f1]", "data.split.test_size=0.3",
		"model.params.booster=dart" };
	const char *bad[] = { "model.params.max_depth=abc", "modle.x=1",
		"foo", "model.params.max_dept=3", "data.na_values=[a" };
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	is_int(load(&r, NULL, "churn.yaml", good, 4), 0, "--set applies");
	if (r) {
		is_str(mmp_recipe_param_get(r, "max_depth"), "8",
			"--set replaces a param");
		is_str(mmp_recipe_param_get(r, "booster"), "dart",
			"--set adds a param at the end");
		is_str(r->model.params[r->model.n_params - 1].key, "booster",
			"added last");
		is_int((long long)r->evaluation.n_metrics, 1, "--set a list");
		is_double(r->split.test_size, 0.3, 1e-12, "--set a number");
	}
	mmp_recipe_free(r);

	is_int(load(&r, &d, "churn.yaml", bad, 5), MMP_EINVALID,
		"bad --set fails");
	is_int((long long)mmp_diag_list_count(d), 5, "five problems");
	is_str(diag_at(d, 0), "--set foo: expected <key>=<value>",
		"--set without =");
	is_str(diag_at(d, 1), "--set data.na_values=[a: cannot parse the "
		"value '[a': did not find expected ',' or ']'",
		"--set malformed value");
	is_str(diag_at(d, 2), "--set modle.x=1: unknown key 'modle'; did you "
		"mean 'model'?", "--set unknown key");
	is_str(diag_at(d, 3), "--set model.params.max_depth=abc: "
		"model.params.max_depth: expected an integer >= 0, got 'abc'",
		"--set bad value names the override");
	is_str(diag_at(d, 4), "--set model.params.max_dept=3: model.params: "
		"unknown XGBoost parameter 'max_dept'; did you mean "
		"'max_depth'?", "--set unknown param");
	mmp_diag_list_free(d);
}

static void test_malformed(void)
{
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	is_int(load(&r, &d, "malformed.yaml", NULL, 0), MMP_EINVALID,
		"malformed YAML fails");
	is_str(diag_at(d, 0), "malformed.yaml:5:18: could not find expected "
		"':'; line 4 has no ':' after 'interface' (write 'key: value', "
		"or 'key:' before a nested block)",
		"libyaml's problem with file:line:column, and its cause");
	ok(strstr(mmp_error_last()->message, "could not find expected ':'") &&
		mmp_error_last()->klass == MMP_ERROR_RECIPE,
		"last error: %s", mmp_error_last()->message);
	mmp_diag_list_free(d);

	is_int(load(&r, NULL, "no-such.yaml", NULL, 0), MMP_ENOTFOUND,
		"missing file");
	ok(strstr(mmp_error_last()->message, "cannot read recipe") != NULL,
		"missing file message: %s", mmp_error_last()->message);
}

static void test_keys(void)
{
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	is_int(load(&r, &d, "bad-keys.yaml", NULL, 0), MMP_EINVALID,
		"unknown keys fail");
	is_int((long long)mmp_diag_list_count(d), 2, "both reported");
	is_str(diag_at(d, 0), "bad-keys.yaml:2:1: unknown key 'modle'; did "
		"you mean 'model'?", "top-level did you mean");
	is_str(diag_at(d, 1), "bad-keys.yaml:9:5: data.split: unknown key "
		"'tst_size'; did you mean 'test_size'?", "nested did you mean");
	ok(mmp_str_ends_with(mmp_error_last()->message, "(and 1 more error)"),
		"count in the last error: %s", mmp_error_last()->message);
	mmp_diag_list_free(d);
}

static void test_types(void)
{
	static const char *const want[] = {
		"bad-types.yaml:3:11: data.source: expected a string, got a "
		"list",
		"bad-types.yaml:7:16: data.split.test_size: expected a number "
		"between 0 and 1, got 'abc'",
		"bad-types.yaml:8:11: data.split.seed: expected an integer "
		"between 0 and 4294967295, got '-1'",
		"bad-types.yaml:9:15: data.split.stratify: expected true or "
		"false, got 'maybe'",
		"bad-types.yaml:11:20: model.num_boost_round: expected an "
		"integer between 1 and 1000000, got '0'",
		"bad-types.yaml:12:11: model.params: expected a mapping, got a "
		"string",
		"bad-types.yaml:14:12: evaluation.metrics: expected a list of "
		"strings, got a mapping",
	};
	mmp_recipe *r;
	mmp_diag_list *d = NULL;
	size_t i;

	is_int(load(&r, &d, "bad-types.yaml", NULL, 0), MMP_EINVALID,
		"wrong types fail");
	is_int((long long)mmp_diag_list_count(d), (long long)ARRAY_SIZE(want),
		"every type error reported");
	for (i = 0; i < ARRAY_SIZE(want); i++)
		is_str(diag_at(d, i), want[i], "type error %zu", i + 1);
	mmp_diag_list_free(d);
}

static void test_missing(void)
{
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	is_int(load(&r, &d, "bad-missing.yaml", NULL, 0), MMP_EINVALID,
		"missing keys fail");
	is_int((long long)mmp_diag_list_count(d), 3, "three missing keys");
	is_str(diag_at(d, 0), "bad-missing.yaml:1:1: missing required key "
		"'task'", "missing top-level key");
	is_str(diag_at(d, 1), "bad-missing.yaml:2:1: data: missing required "
		"key 'source'", "names the parent's location");
	is_str(diag_at(d, 2), "bad-missing.yaml:3:3: data.interface: missing "
		"required key 'target_column'", "nested parent location");
	mmp_diag_list_free(d);
}

static void test_variables(void)
{
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	unsetenv("MMP_T_DATA_DIR");
	unsetenv("MMP_T_TARGET");
	is_int(load(&r, &d, "bad-var.yaml", NULL, 0), MMP_EINVALID,
		"undefined variable fails");
	is_int((long long)mmp_diag_list_count(d), 1, "one problem");
	is_str(diag_at(d, 0), "bad-var.yaml:3:11: data.source: undefined "
		"variable 'MMP_T_DATA_DIR' (set it, or write "
		"${MMP_T_DATA_DIR:-default})", "names file, line and variable");
	mmp_diag_list_free(d);

	setenv("MMP_T_DATA_DIR", "/srv/data", 1);
	is_int(load(&r, NULL, "bad-var.yaml", NULL, 0), 0, "defined: loads");
	if (r) {
		is_str(r->data.source, "/srv/data/x.csv", "${VAR} expanded");
		is_str(r->data.source_abs, "/srv/data/x.csv",
			"absolute source kept");
		is_str(r->data.target_column, "y", "${VAR:-default}");
	}
	mmp_recipe_free(r);
	setenv("MMP_T_TARGET", "label", 1);
	load(&r, NULL, "bad-var.yaml", NULL, 0);
	if (r)
		is_str(r->data.target_column, "label", "set variable wins");
	mmp_recipe_free(r);
	unsetenv("MMP_T_DATA_DIR");
	unsetenv("MMP_T_TARGET");
}

static void test_model(void)
{
	static const char *const want[] = {
		"bad-model.yaml:8:16: model.params.objective: objective "
		"'multi:softprob' does not fit task binary_classification (use "
		"binary:logistic, binary:logitraw or binary:hinge)",
		"bad-model.yaml:9:5: model.params: unknown XGBoost parameter "
		"'max_dept'; did you mean 'max_depth'?",
		"bad-model.yaml:10:10: model.params.eta: expected a number "
		"between 0 and 1, got '2'",
		"bad-model.yaml:11:5: model.params.learning_rate: the same "
		"parameter as 'eta', given already",
		"bad-model.yaml:12:5: model.params: parameter 'quantile_alpha' "
		"is not in XGBoost 1.7, which mmp uses",
		"bad-model.yaml:13:5: model.params.num_class: num_class is "
		"only for multiclass_classification",
		"bad-model.yaml:14:18: model.params.tree_method: expected one "
		"of auto, exact, approx, hist, gpu_hist, got 'histo'; did you "
		"mean 'hist'?",
		"bad-model.yaml:16:23: evaluation.metrics: metric 'rmse' is "
		"not available for binary_classification (choose from "
		"accuracy, precision, recall, f1, roc_auc, logloss, pr_auc, "
		"brier, balanced_accuracy, mcc, precision_macro, "
		"precision_weighted, recall_macro, recall_weighted, f1_macro, "
		"f1_weighted)",
	};
	mmp_recipe *r;
	mmp_diag_list *d = NULL;
	size_t i;

	is_int(load(&r, &d, "bad-model.yaml", NULL, 0), MMP_EINVALID,
		"bad model section fails");
	is_int((long long)mmp_diag_list_count(d), (long long)ARRAY_SIZE(want),
		"every model problem reported");
	for (i = 0; i < ARRAY_SIZE(want); i++)
		is_str(diag_at(d, i), want[i], "model problem %zu", i + 1);
	mmp_diag_list_free(d);
}

static void test_regression(void)
{
	static const char *const want[] = {
		"bad-regression.yaml:10:16: data.split.test_size: expected a "
		"number between 0 and 1, got '1'",
		"bad-regression.yaml:12:19: evaluation.metrics: metric "
		"'roc_auc' is not available for regression (choose from "
		"rmse, mae, r2, mape, median_ae)",
		"bad-regression.yaml:6:26: data.interface.feature_columns: the "
		"target column 'y' cannot be a feature",
		"bad-regression.yaml:6:29: data.interface.feature_columns: "
		"column 'a' is listed twice",
		"bad-regression.yaml:8:13: data.split.method: a time split "
		"needs data.interface.timestamp_column",
		"bad-regression.yaml:9:15: data.split.stratify: a time split "
		"cannot be stratified",
	};
	const char *ov[] = { "data.split.method=random",
		"data.split.test_size=0.5", "evaluation.metrics=[rmse, f1]",
		"data.interface.feature_columns=[a]" };
	mmp_recipe *r;
	mmp_diag_list *d = NULL;
	size_t i;

	is_int(load(&r, &d, "bad-regression.yaml", NULL, 0), MMP_EINVALID,
		"bad regression recipe fails");
	is_int((long long)mmp_diag_list_count(d), (long long)ARRAY_SIZE(want),
		"every problem reported");
	for (i = 0; i < ARRAY_SIZE(want); i++)
		is_str(diag_at(d, i), want[i], "regression problem %zu", i + 1);
	mmp_diag_list_free(d);

	d = NULL;
	load(&r, &d, "bad-regression.yaml", ov, 4);
	is_str(diag_at(d, 0), "--set evaluation.metrics=[rmse, f1]: "
		"evaluation.metrics: metric 'f1' is not available for "
		"regression (choose from rmse, mae, r2, mape, median_ae)",
		"no far-fetched suggestion");
	is_str(diag_at(d, 1), "bad-regression.yaml:9:15: data.split.stratify: "
		"stratification needs a classification task",
		"regression cannot stratify");
	mmp_diag_list_free(d);
}

static void test_metric_aliases(void)
{
	const char *ov[] = { "evaluation.metrics=[f1, precision, accuracy]" };
	mmp_recipe *r;

	is_int(load(&r, NULL, "minimal.yaml", ov, 1), 0,
		"multiclass metric aliases load");
	if (r && r->evaluation.n_metrics == 3) {
		is_str(r->evaluation.metrics[0], "f1_macro", "f1 is f1_macro");
		is_str(r->evaluation.metrics[1], "precision_macro",
			"precision is precision_macro");
	}
	mmp_recipe_free(r);
	ok(mmp_task_has_metric(MMP_TASK_REGRESSION, "r2"), "r2 regression");
	ok(!mmp_task_has_metric(MMP_TASK_BINARY, "r2"), "no r2 for binary");
	ok(mmp_task_has_metric(MMP_TASK_MULTICLASS, "f1_weighted"),
		"f1_weighted multiclass");
}

static void test_examples(void)
{
	static const char *const names[] = {
		"breast-cancer.yaml", "diabetes.yaml", "penguins.yaml"
	};
	const char *src = getenv("MMP_SRC_DIR");
	char path[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		mmp_recipe *r = NULL;
		mmp_diag_list *d = NULL;

		snprintf(path, sizeof(path), "%s/recipes/%s", src ? src : ".",
			names[i]);
		is_int(mmp_recipe_load(&r, &d, path, NULL), 0,
			"example %s loads", names[i]);
		if (mmp_diag_list_count(d))
			diag("%s", mmp_diag_list_get(d, 0)->message);
		mmp_recipe_free(r);
		mmp_diag_list_free(d);
	}
}

static void test_options(void)
{
	mmp_recipe_options o;
	mmp_recipe *r = NULL;

	is_int(mmp_recipe_options_init(&o, MMP_RECIPE_OPTIONS_VERSION), 0,
		"options init");
	is_int(mmp_recipe_options_init(&o, 7), MMP_EINVALID, "bad version");
	o.version = 7;
	is_int(mmp_recipe_load(&r, NULL, fixture("minimal.yaml"), &o),
		MMP_EINVALID, "load refuses a bad version");
}

static void test_sources(void)
{
	static const char *const pg[] = {
		"data.source=postgresql://alice@db/shop",
		"data.query=SELECT * FROM orders" };
	static const char *const pgtable[] = {
		"data.source=postgres://db/shop", "data.table=sales.orders" };
	static const char *const none[] = { "data.source=sqlite:///a.db" };
	static const char *const both[] = {
		"data.source=postgresql://db/shop", "data.query=SELECT 1",
		"data.table=t" };
	static const char *const fileq[] = { "data.query=SELECT 1" };
	static const char *const filet[] = { "data.table=t" };
	static const char *const empty[] = {
		"data.source=postgresql://db/shop", "data.query=''" };
	mmp_recipe *r;
	mmp_diag_list *d = NULL;

	is_int(load(&r, NULL, "minimal.yaml", pg, 2), 0, "a query source");
	if (r) {
		is_str(r->data.source_abs, "postgresql://alice@db/shop",
			"a URI is not a path");
		is_str(r->data.query, "SELECT * FROM orders", "the query");
		ok(!r->data.table, "no table");
	}
	mmp_recipe_free(r);
	is_int(load(&r, NULL, "minimal.yaml", pgtable, 2), 0,
		"a table source");
	if (r)
		is_str(r->data.table, "sales.orders", "the table");
	mmp_recipe_free(r);
	is_int(load(&r, NULL, "minimal.yaml", NULL, 0), 0, "a file");
	if (r)
		ok(!r->data.query && !r->data.table, "no query or table");
	mmp_recipe_free(r);

	is_int(load(&r, &d, "minimal.yaml", none, 1), MMP_EINVALID,
		"a database without a query or table");
	is_str(diag_at(d, 0), "--set data.source=sqlite:///a.db: data.source: "
		"a sqlite source needs data.query or data.table", "says so");
	mmp_diag_list_free(d);
	is_int(load(&r, &d, "minimal.yaml", both, 3), MMP_EINVALID,
		"a query and a table");
	is_str(diag_at(d, 0), "--set data.table=t: data.table: give "
		"data.query or data.table, not both", "says so");
	mmp_diag_list_free(d);
	is_int(load(&r, &d, "minimal.yaml", fileq, 1), MMP_EINVALID,
		"a query on a file");
	is_str(diag_at(d, 0), "--set data.query=SELECT 1: data.query: a query "
		"needs a database source (postgresql:// or sqlite://), not a "
		"file", "says so");
	mmp_diag_list_free(d);
	is_int(load(&r, &d, "minimal.yaml", filet, 1), MMP_EINVALID,
		"a table on a file");
	mmp_diag_list_free(d);
	is_int(load(&r, &d, "minimal.yaml", empty, 2), MMP_EINVALID,
		"an empty query");
	is_str(diag_at(d, 0), "--set data.query='': data.query: the query is "
		"empty", "says so");
	mmp_diag_list_free(d);
}

int main(void)
{
	const char *src = getenv("MMP_SRC_DIR");

	snprintf(fixtures, sizeof(fixtures), "%s/test/fixtures/recipes",
		src ? src : ".");
	setenv("MMP_CONFIG_NOSYSTEM", "1", 1);
	test_full();
	test_defaults();
	test_config_defaults();
	test_overrides();
	test_malformed();
	test_keys();
	test_types();
	test_missing();
	test_variables();
	test_model();
	test_regression();
	test_metric_aliases();
	test_examples();
	test_options();
	test_sources();
	return done_testing();
}
