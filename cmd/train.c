/* SPDX-License-Identifier: MIT */
/* train.c: mmp train --recipe <file>: train, evaluate, save, record */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"
#include "progress.h"
#include "mmp/recipe.h"
#include "mmp/store.h"
#include "mmp/sync.h"
#include "mmp/train.h"

static const char *const train_usage[] = {
	"mmp train --recipe <file> [--env <env>] [-c <key>=<value>]...",
	"    [--set <key>=<value>]... [--experiment <name>] [--run-name <name>]",
	"    [--data <path>] [--threads <n>] [--[no-]progress] [--push]",
	"    [--json] [-q]",
	NULL
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

struct train_state {
	struct mmp_ctx *ctx;
	struct progress *meter;
};

static int on_event(const mmp_train_event *e, void *payload)
{
	struct train_state *st = payload;
	char line[160];

	if (interrupted)
		return 1;
	if (!st->meter)
		return 0;
	switch (e->stage) {
	case MMP_TRAIN_LOAD:
		progress_title(st->meter, "loading data");
		if (e->bytes_done)
			progress_bytes(st->meter, e->bytes_done,
				e->bytes_total);
		break;
	case MMP_TRAIN_BOOST:
		progress_title(st->meter, "training");
		snprintf(line, sizeof(line), "round %d/%d  %s %.6g  "
			"best_iteration %d", e->round + 1, e->num_boost_round,
			e->metric ? e->metric : "", e->valid_value,
			e->best_iteration);
		progress_update(st->meter, (uint64_t)e->round + 1,
			(uint64_t)e->num_boost_round, line);
		break;
	case MMP_TRAIN_EVALUATE:
		progress_title(st->meter, "evaluating");
		break;
	case MMP_TRAIN_SAVE:
		progress_title(st->meter, "saving artifacts");
		break;
	}
	return 0;
}

static int on_push(const mmp_sync_event *e, void *payload)
{
	if (!strcmp(e->what, "run") && e->remote_run_id)
		snprintf(payload, 33, "%s", e->remote_run_id);
	return interrupted != 0;
}

/*
 * Push the run that just finished when --push is given or the config
 * says tracking.push: auto. `*doc` gets the "push" object of --json.
 * Returns -1 when an explicit --push failed.
 */
static int push_run(struct mmp_ctx *ctx, const mmp_config *cfg,
	const char *run_id, int forced, cJSON **doc)
{
	const char *mode = NULL, *uri = NULL;
	mmp_sync_options so = MMP_SYNC_OPTIONS_INIT;
	mmp_http_options http = MMP_HTTP_OPTIONS_INIT;
	mmp_sync_result sr;
	char remote_id[33] = "";
	int err;

	*doc = NULL;
	if (!forced && (mmp_config_get_string(&mode, cfg, "tracking.push") <
	    0 || strcmp(mode, "auto")))
		return 0;
	if (mmp_config_get_string(&uri, cfg, "tracking.uri") < 0)
		uri = NULL;
	mmp_http_options_from_env(&http);
	so.tracking_uri = uri;
	so.http = &http;
	so.run_id = run_id;
	so.progress = on_push;
	so.payload = remote_id;
	err = mmp_sync_push(&sr, ctx->store, &so);
	*doc = cJSON_CreateObject();
	cJSON_AddStringToObject(*doc, "status", err < 0 ? "failed" : "ok");
	cJSON_AddStringToObject(*doc, "remote", sr.remote ? sr.remote : "");
	if (err < 0) {
		cJSON_AddStringToObject(*doc, "error",
			mmp_error_last()->message);
		cJSON_AddStringToObject(*doc, "error_class", sr.error_class ?
			sr.error_class : "local");
		if (forced)
			error("cannot push run %s: %s", run_id,
				mmp_error_last()->message);
		else
			warning("cannot push run %s (it stays pending for "
				"mmp sync): %s", run_id,
				mmp_error_last()->message);
	} else {
		cJSON_AddStringToObject(*doc, "remote_run_id", remote_id);
		info(ctx, "pushed run %s to %s as %s", run_id, sr.remote,
			remote_id);
	}
	mmp_sync_result_release(&sr);
	return err < 0 && forced ? -1 : 0;
}

static void print_json(const mmp_train_result *r, cJSON *push)
{
	cJSON *doc = json_doc_new(), *m, *rows, *arr, *t;
	size_t i, c;

	cJSON_AddStringToObject(doc, "run_id", r->run_id);
	cJSON_AddStringToObject(doc, "run_name", r->run_name ? r->run_name
		: "");
	cJSON_AddStringToObject(doc, "experiment", r->experiment
		? r->experiment : "");
	cJSON_AddStringToObject(doc, "status", r->status ? r->status : "");
	if (r->error)
		cJSON_AddStringToObject(doc, "error", r->error);
	cJSON_AddStringToObject(doc, "task", mmp_task_name(r->task));
	cJSON_AddStringToObject(doc, "target", r->target ? r->target : "");
	rows = cJSON_AddObjectToObject(doc, "rows");
	cJSON_AddNumberToObject(rows, "total", (double)r->rows);
	cJSON_AddNumberToObject(rows, "train", (double)r->train_rows);
	cJSON_AddNumberToObject(rows, "validation", (double)r->valid_rows);
	cJSON_AddNumberToObject(rows, "test", (double)r->test_rows);
	if (r->train_sha256[0]) {
		t = cJSON_AddObjectToObject(doc, "split_sha256");
		cJSON_AddStringToObject(t, "train", r->train_sha256);
		cJSON_AddStringToObject(t, "validation", r->valid_sha256);
		cJSON_AddStringToObject(t, "test", r->test_sha256);
	}
	cJSON_AddNumberToObject(doc, "features", (double)r->nfeatures);
	cJSON_AddNumberToObject(doc, "rounds", r->nrounds);
	cJSON_AddNumberToObject(doc, "best_iteration", r->best_iteration);
	cJSON_AddBoolToObject(doc, "stopped_early", r->stopped_early);
	cJSON_AddBoolToObject(doc, "refit", r->refit);
	if (r->refit)
		cJSON_AddNumberToObject(doc, "refit_rounds", r->refit_rounds);
	m = cJSON_AddObjectToObject(doc, "metrics");
	for (i = 0; i < r->metrics.count; i++) {
		char key[160];

		json_add_number(m, r->metrics.items[i].name,
			r->metrics.items[i].value);
		if (i >= r->ci.count)
			continue;
		snprintf(key, sizeof(key), "%s_ci_low", r->ci.items[i].name);
		json_add_number(m, key, r->ci.items[i].low);
		snprintf(key, sizeof(key), "%s_ci_high", r->ci.items[i].name);
		json_add_number(m, key, r->ci.items[i].high);
	}
	if (r->ci.count) {
		t = cJSON_AddObjectToObject(doc, "bootstrap");
		cJSON_AddNumberToObject(t, "resamples", r->ci.resamples);
		cJSON_AddNumberToObject(t, "confidence", r->ci.confidence);
	}
	if (r->cv_folds) {
		cJSON *cv = cJSON_AddObjectToObject(doc, "cv");

		cJSON_AddNumberToObject(cv, "folds", r->cv_folds);
		cJSON_AddNumberToObject(cv, "rounds", r->cv_rounds);
		t = cJSON_AddObjectToObject(cv, "metrics");
		for (i = 0; i < r->cv_mean.count; i++) {
			cJSON *one = cJSON_AddObjectToObject(t,
				r->cv_mean.items[i].name);
			json_add_number(one, "mean", r->cv_mean.items[i].value);
			json_add_number(one, "std", r->cv_std.items[i].value);
		}
	}
	arr = cJSON_AddArrayToObject(doc, "warnings");
	for (i = 0; i < r->nwarnings; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->warnings[i]));
	if (r->confusion) {
		t = cJSON_AddObjectToObject(doc, "confusion_matrix");
		arr = cJSON_AddArrayToObject(t, "labels");
		for (i = 0; i < r->nclasses; i++)
			cJSON_AddItemToArray(arr,
				cJSON_CreateString(r->classes[i]));
		arr = cJSON_AddArrayToObject(t, "matrix");
		for (i = 0; i < r->nclasses; i++) {
			cJSON *row = cJSON_CreateArray();
			for (c = 0; c < r->nclasses; c++)
				cJSON_AddItemToArray(row, cJSON_CreateNumber(
					(double)r->confusion[i * r->nclasses +
					c]));
			cJSON_AddItemToArray(arr, row);
		}
	}
	if (r->importance) {
		arr = cJSON_AddArrayToObject(doc, "feature_importance");
		for (i = 0; i < r->nfeatures; i++) {
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "name", r->features[i]);
			json_add_number(f, "gain", r->importance[i]);
			cJSON_AddItemToArray(arr, f);
		}
	}
	t = cJSON_AddObjectToObject(doc, "dataset");
	cJSON_AddStringToObject(t, "path", r->data_path ? r->data_path : "");
	cJSON_AddStringToObject(t, "digest", r->dataset_digest);
	if (r->model_dir)
		cJSON_AddStringToObject(doc, "model_dir", r->model_dir);
	if (r->artifact_dir)
		cJSON_AddStringToObject(doc, "artifact_dir", r->artifact_dir);
	if (push)
		cJSON_AddItemToObject(doc, "push", push);
	t = cJSON_AddObjectToObject(doc, "seconds");
	cJSON_AddNumberToObject(t, "load", r->load_seconds);
	cJSON_AddNumberToObject(t, "train", r->train_seconds);
	cJSON_AddNumberToObject(t, "evaluate", r->eval_seconds);
	cJSON_AddNumberToObject(t, "save", r->save_seconds);
	cJSON_AddNumberToObject(t, "total", r->total_seconds);
	json_print(doc);
}

static void fmt4(char out[32], double v)
{
	if (isfinite(v))
		snprintf(out, 32, "%.4f", v);
	else
		mmp_fmt_double(out, v);
}

/* a label cut to `w` bytes, control characters shown as '?' */
static const char *label(char out[32], const char *s, size_t w)
{
	const unsigned char *p = (const unsigned char *)tsafe(s);
	size_t i = 0, n;

	/* escaped, then cut between whole UTF-8 sequences */
	while (p[i] && (n = mmp_utf8_seq_len(p + i)) && i + n <= w &&
	    i + n <= 31)
		i += n;
	memcpy(out, p, i);
	out[i] = 0;
	return out;
}

/* the test set's confusion matrix, labels in the model's class order */
static void print_confusion(const mmp_train_result *r)
{
	size_t i, c, w = 4;
	char num[32], lab[32];

	for (i = 0; i < r->nclasses; i++)
		if (strlen(r->classes[i]) > w)
			w = strlen(r->classes[i]);
	if (w > 24)
		w = 24;
	if (r->task == MMP_TASK_BINARY)
		printf("confusion matrix (rows: true, columns: predicted; "
			"positive class '%s'):\n", label(lab, r->classes[1],
			24));
	else
		printf("confusion matrix (rows: true, columns: "
			"predicted):\n");
	printf("  %-*s", (int)w, "");
	for (c = 0; c < r->nclasses; c++)
		printf(" %*s", (int)w, label(lab, r->classes[c], w));
	putchar('\n');
	for (i = 0; i < r->nclasses; i++) {
		printf("  %-*s", (int)w, label(lab, r->classes[i], w));
		for (c = 0; c < r->nclasses; c++) {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)
				r->confusion[i * r->nclasses + c]);
			printf(" %*s", (int)w, num);
		}
		putchar('\n');
	}
}

static void print_human(struct mmp_ctx *ctx, const mmp_train_result *r)
{
	size_t i;

	printf("%srun %s%s  %s  experiment '%s'\n", color(ctx, COLOR_BOLD),
		r->run_id, color(ctx, COLOR_RESET), tsafe(r->run_name),
		tsafe(r->experiment));
	printf("trained %d rounds (best_iteration %d%s) on %zu train rows "
		"x %zu features, validation %zu rows, test %zu rows, %.2fs\n",
		r->nrounds, r->best_iteration,
		r->stopped_early ? ", stopped early" : "", r->train_rows,
		r->nfeatures, r->valid_rows, r->test_rows, r->total_seconds);
	if (r->refit)
		printf("refit on train+validation for %d rounds\n",
			r->refit_rounds);
	if (r->ci.count)
		printf("test metrics, %g%% bootstrap intervals (%u "
			"resamples):\n", r->ci.confidence * 100,
			r->ci.resamples);
	else
		printf("test metrics:\n");
	for (i = 0; i < r->metrics.count; i++) {
		char v[32], lo[32], hi[32];

		fmt4(v, r->metrics.items[i].value);
		if (i < r->ci.count) {
			fmt4(lo, r->ci.items[i].low);
			fmt4(hi, r->ci.items[i].high);
			printf("  %-20s %s  [%s, %s]\n",
				r->metrics.items[i].name, v, lo, hi);
		} else {
			printf("  %-20s %s\n", r->metrics.items[i].name, v);
		}
	}
	if (r->cv_folds)
		printf("cross-validation, %d folds of train+validation, %d "
			"rounds each (mean, std):\n", r->cv_folds,
			r->cv_rounds);
	for (i = 0; i < r->cv_mean.count; i++) {
		char v[32], sd[32];

		fmt4(v, r->cv_mean.items[i].value);
		fmt4(sd, r->cv_std.items[i].value);
		printf("  %-20s %s  %s\n", r->cv_mean.items[i].name, v, sd);
	}
	if (r->confusion)
		print_confusion(r);
	printf("model: %s\n", tsafe(r->model_dir));
}

int cmd_train(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *recipe = NULL, *experiment = NULL, *run_name = NULL;
	const char *data = NULL;
	struct string_list sets = STRING_LIST_INIT;
	int json = 0, threads = -1, show_progress = -1, push = 0;
	const struct option opts[] = {
		OPT_STRING(0, "recipe", &recipe, "<file>",
			"the recipe to train"),
		OPT_STRING(0, "env", &ctx->env, "<env>",
			"overlay configs/<env>.yaml (or $MMP_ENV)"),
		OPT_STRING_LIST('c', NULL, &ctx->config_overrides,
			"<key>=<value>", "override a configuration value"),
		OPT_STRING_LIST(0, "set", &sets, "<key>=<value>",
			"override a recipe value, e.g. model.params.max_depth=8"),
		OPT_STRING(0, "experiment", &experiment, "<name>",
			"record the run in this experiment"),
		OPT_STRING(0, "run-name", &run_name, "<name>",
			"name the run"),
		OPT_STRING(0, "data", &data, "<path>",
			"train on this CSV instead of data.source"),
		OPT_INTEGER(0, "threads", &threads, "<n>",
			"XGBoost threads (0: all cores)"),
		OPT_BOOL(0, "progress", &show_progress,
			"show progress (default: on a terminal)"),
		OPT_BOOL(0, "push", &push,
			"push the run to the tracking server (mmp sync)"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	cJSON *pushdoc = NULL;
	mmp_train_options o = MMP_TRAIN_OPTIONS_INIT;
	mmp_train_result r;
	mmp_diag_list *diags = NULL;
	struct train_state st = { ctx, NULL };
	struct sigaction sa;
	mmp_store *store;
	int64_t cfg_threads = 0;
	int err, ret = EXIT_OK;
	size_t i;

	argc = parse_options(argc, argv, opts, train_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", train_usage, opts);
	if (!recipe)
		usage_msg_opt("--recipe is required", train_usage, opts);
	check_name_option("--run-name", "run name", run_name);
	check_name_option("--experiment", "experiment name", experiment);
	store = ctx_store(ctx);
	o.config = ctx_config(ctx);
	if (threads < 0 &&
	    !mmp_config_get_int(&cfg_threads, o.config, "train.threads"))
		threads = (int)cfg_threads;
	o.recipe_path = recipe;
	o.overrides = sets.items;
	o.noverrides = sets.nr;
	o.experiment = experiment;
	o.run_name = run_name;
	o.data_path = data;
	o.nthread = threads > 0 ? threads : 0;
	o.progress = on_event;
	o.payload = &st;
	if (show_progress < 0)
		show_progress = !json && ctx->verbosity >= 0 && isatty(2);
	if (show_progress)
		st.meter = progress_start("training");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = mmp_train(&r, &diags, store, &o);
	progress_stop(&st.meter);
	if (err < 0 && !r.recorded) {
		if (diags && mmp_diag_list_count(diags)) {
			for (i = 0; i < mmp_diag_list_count(diags); i++)
				error("%s", mmp_diag_list_get(diags,
					i)->message);
		} else {
			error("%s", mmp_error_last()->message);
		}
		ret = EXIT_FAIL;
	} else if (err < 0) {
		if (json)
			print_json(&r, NULL);
		error("run %s %s: %s", r.run_id,
			err == MMP_EINTERRUPTED ? "was interrupted"
			: "failed", r.error ? r.error
			: mmp_error_last()->message);
		ret = err == MMP_EINTERRUPTED ? EXIT_INTERRUPTED : EXIT_FAIL;
	} else {
		for (i = 0; i < r.nwarnings; i++)
			warning("%s", r.warnings[i]);
		if (push_run(ctx, o.config, r.run_id, push, &pushdoc) < 0)
			ret = EXIT_FAIL;
		if (json)
			print_json(&r, pushdoc);
		else if (ctx->verbosity >= 0)
			print_human(ctx, &r);
		else
			printf("%s\n", r.run_id);
		if (!json)
			cJSON_Delete(pushdoc);
	}
	mmp_diag_list_free(diags);
	mmp_train_result_release(&r);
	string_list_release(&sets);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return ret;
}
