/* SPDX-License-Identifier: MIT */
/* tune.c: mmp tune: hyperparameter studies; mmp tune show/list */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"
#include "progress.h"
#include "mmp/tune.h"

static const char *const tune_usage[] = {
	"mmp tune --recipe <file> [--study <name>] [--trials <n>] [--jobs <n>]",
	"    [--resume] [--retrain] [--timeout <seconds>] [--threads <n>]",
	"    [--seed <n>] [--set <key>=<value>]...",
	"    [--experiment <name>] [--env <env>] [-c <key>=<value>]...",
	"    [--[no-]progress] [--json] [-q]",
	"mmp tune show <study> [--json]",
	"mmp tune list [--json]",
	NULL
};

static const char *const show_usage[] = {
	"mmp tune show <study> [--json]",
	NULL
};

static const char *const list_usage[] = {
	"mmp tune list [--json]",
	NULL
};

#define PLOT_WIDTH 60
#define PLOT_HEIGHT 10

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void fmt_value(char out[32], double v)
{
	if (isnan(v))
		snprintf(out, 32, "-");
	else
		snprintf(out, 32, "%.6g", v);
}

/* ---- the session ---- */

struct session_ui {
	struct progress *meter;
	int print_space;      /* say what is searched before the first trial */
};

/* the "params..." part of a study's space text, indented, on stderr */
static void print_space(const mmp_tune_event *e)
{
	const char *p = e->space ? strstr(e->space, "\nparams") : NULL;

	if (!p)
		return;
	fprintf(stderr, "the recipe has no tune.params: searching mmp's "
		"default space (see mmp-tune(1))\n");
	p = strchr(p + 1, '\n');
	for (p = p ? p + 1 : ""; *p; ) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, "\n");
		fprintf(stderr, "  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static int on_event(const mmp_tune_event *e, void *payload)
{
	struct session_ui *ui = payload;
	struct progress *meter = ui->meter;
	char line[160], best[32];

	if (interrupted)
		return 1;
	if (e->stage == MMP_TUNE_SESSION_START) {
		/* a space the recipe does not show is said first */
		if (ui->print_space && e->default_space)
			print_space(e);
		return 0;
	}
	if (!meter)
		return 0;
	fmt_value(best, e->best_value);
	if (e->best_number >= 0)
		snprintf(line, sizeof(line),
			"trials %zu/%zu  best %s (#%lld)%s",
			e->done, e->total, best, (long long)e->best_number,
			e->stage == MMP_TUNE_TRIAL_START ? "  ." : "");
	else
		snprintf(line, sizeof(line), "trials %zu/%zu", e->done,
			e->total);
	if (!isnan(e->eta)) {
		size_t n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "  eta %.0fs", e->eta);
	}
	progress_update(meter, e->done, 0, line);
	return 0;
}

static cJSON *trial_json(const mmp_trial *t, int with_params)
{
	cJSON *o = cJSON_CreateObject(), *p;
	size_t i;

	cJSON_AddNumberToObject(o, "number", (double)t->number);
	cJSON_AddStringToObject(o, "state", mmp_trial_state_name(t->state));
	if (isnan(t->value))
		cJSON_AddNullToObject(o, "value");
	else
		json_add_number(o, "value", t->value);
	if (with_params) {
		p = cJSON_AddObjectToObject(o, "params");
		for (i = 0; i < t->nparams; i++)
			cJSON_AddStringToObject(p, t->params[i].name,
				t->params[i].value);
	}
	if (t->run_id[0])
		cJSON_AddStringToObject(o, "run_id", t->run_id);
	else
		cJSON_AddNullToObject(o, "run_id");
	return o;
}

static void add_counts(cJSON *doc, const mmp_study *st)
{
	cJSON *t = cJSON_AddObjectToObject(doc, "counts");

	cJSON_AddNumberToObject(t, "total", (double)st->ntrials);
	cJSON_AddNumberToObject(t, "target", (double)st->target);
	cJSON_AddNumberToObject(t, "complete", (double)st->ncomplete);
	cJSON_AddNumberToObject(t, "pruned", (double)st->npruned);
	cJSON_AddNumberToObject(t, "failed", (double)st->nfail);
	cJSON_AddNumberToObject(t, "running", (double)st->nrunning);
}

static void add_best(cJSON *doc, const mmp_study *st)
{
	if (st->best < 0)
		cJSON_AddNullToObject(doc, "best");
	else
		cJSON_AddItemToObject(doc, "best",
			trial_json(&st->trials[st->best], 1));
}

static void print_session_json(const mmp_tune_result *r, int err)
{
	cJSON *doc = json_doc_new(), *s;
	size_t i;
	const mmp_study *st = r->study;

	if (st) {
		cJSON_AddStringToObject(doc, "study", st->name);
		cJSON_AddStringToObject(doc, "metric", st->metric);
		cJSON_AddStringToObject(doc, "direction", st->maximize ?
			"maximize" : "minimize");
	}
	cJSON_AddStringToObject(doc, "status", err == 0 ? "FINISHED" :
		err == MMP_EINTERRUPTED ? "KILLED" : "FAILED");
	if (err < 0)
		cJSON_AddStringToObject(doc, "error",
			mmp_error_last()->message);
	cJSON_AddStringToObject(doc, "run_id", r->run_id);
	cJSON_AddBoolToObject(doc, "created", r->created);
	if (st) {
		add_counts(doc, st);
		add_best(doc, st);
	}
	s = cJSON_AddObjectToObject(doc, "session");
	cJSON_AddNumberToObject(s, "trials", (double)r->ran);
	cJSON_AddNumberToObject(s, "retried", (double)r->retried);
	cJSON_AddNumberToObject(s, "jobs", (double)r->jobs);
	cJSON_AddNumberToObject(s, "threads_per_job", r->nthread_per_job);
	cJSON_AddNumberToObject(s, "seconds", r->seconds);
	cJSON_AddNumberToObject(s, "sampler_seconds", r->sampler_seconds);
	cJSON_AddNumberToObject(s, "wait_seconds", r->wait_seconds);
	s = cJSON_AddArrayToObject(doc, "warnings");
	for (i = 0; i < r->nwarnings; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(r->warnings[i]));
	if (r->retrain_run_id[0])
		cJSON_AddStringToObject(doc, "retrain_run_id",
			r->retrain_run_id);
	json_print(doc);
}

static void print_best(struct mmp_ctx *ctx, const mmp_study *st)
{
	const mmp_trial *t;
	char v[32];
	size_t i;

	if (st->best < 0) {
		printf("no trial completed yet\n");
		return;
	}
	t = &st->trials[st->best];
	fmt_value(v, t->value);
	printf("%sbest trial #%lld%s: %s %s  (run %s)\n",
		color(ctx, COLOR_BOLD), (long long)t->number,
		color(ctx, COLOR_RESET), tsafe(st->metric), v, t->run_id);
	for (i = 0; i < t->nparams; i++)
		printf("  %s = %s\n", tsafe(t->params[i].name),
			tsafe(t->params[i].value));
}

static void print_session(struct mmp_ctx *ctx, const mmp_tune_result *r)
{
	const mmp_study *st = r->study;

	printf("study '%s': %zu trials (%zu complete, %zu pruned, %zu failed)"
		", this session %zu in %.1fs with %zu job%s\n",
		tsafe(st->name), st->ntrials, st->ncomplete, st->npruned,
		st->nfail, r->ran, r->seconds, r->jobs,
		r->jobs == 1 ? "" : "s");
	print_best(ctx, st);
	if (r->retrain_run_id[0])
		printf("retrained with the best params: run %s\n",
			r->retrain_run_id);
}

static int tune_run(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *recipe = NULL, *study = NULL, *experiment = NULL;
	int64_t trials = -1;     /* -1: not given, the recipe's tune.trials */
	int64_t seed = INT64_MIN;   /* not given: the recipe's tune.seed */
	struct string_list sets = STRING_LIST_INIT;
	struct session_ui ui = { NULL, 0 };
	int jobs = INT_MIN, resume = 0, retrain = 0, threads = 0, json = 0;
	int show_progress = -1;
	double timeout = -1;
	const struct option opts[] = {
		OPT_STRING(0, "recipe", &recipe, "<file>",
			"the recipe with a tune section"),
		OPT_STRING(0, "study", &study, "<name>",
			"the study to create or extend (default: the recipe's "
			"name)"),
		OPT_INT64(0, "trials", &trials, "<n>",
			"trials to add (default: tune.trials)"),
		OPT_INTEGER(0, "jobs", &jobs, "<n>",
			"trials run at once (default: by threads and data size)"),
		OPT_BOOL(0, "resume", &resume,
			"finish the trials the study still owes"),
		OPT_BOOL(0, "retrain", &retrain,
			"train and record a model with the best params"),
		OPT_DOUBLE(0, "timeout", &timeout, "<seconds>",
			"start no trial after this long"),
		OPT_INTEGER(0, "threads", &threads, "<n>",
			"XGBoost threads in all (0: all cores)"),
		OPT_INT64(0, "seed", &seed, "<n>",
			"the sampler's seed (default: tune.seed)"),
		OPT_STRING_LIST(0, "set", &sets, "<key>=<value>",
			"override a recipe value, e.g. tune.trials=20"),
		OPT_STRING(0, "experiment", &experiment, "<name>",
			"record the runs in this experiment"),
		OPT_STRING(0, "env", &ctx->env, "<env>",
			"overlay configs/<env>.yaml (or $MMP_ENV)"),
		OPT_STRING_LIST('c', NULL, &ctx->config_overrides,
			"<key>=<value>", "override a configuration value"),
		OPT_BOOL(0, "progress", &show_progress,
			"show progress (default: on a terminal)"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	mmp_tune_options o = MMP_TUNE_OPTIONS_INIT;
	mmp_tune_result r;
	mmp_diag_list *diags = NULL;
	struct progress *meter = NULL;
	struct sigaction sa;
	mmp_store *store;
	int err, ret = EXIT_OK;
	size_t i;

	argc = parse_options(argc, argv, opts, tune_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", tune_usage, opts);
	if (!recipe)
		usage_msg_opt("--recipe is required", tune_usage, opts);
	check_name_option("--experiment", "experiment name", experiment);
	if (jobs != INT_MIN && jobs < 1)
		usage_msg_opt("--jobs must be at least 1", tune_usage, opts);
	if (trials == 0 || trials < -1)
		usage_msg_opt("--trials must be at least 1", tune_usage,
			opts);
	if (resume && trials > 0)
		usage_msg_opt("--resume finishes the study's own trials; "
			"drop --trials", tune_usage, opts);
	if (threads < 0)
		usage_msg_opt("--threads must not be negative", tune_usage,
			opts);
	if (timeout < 0 && timeout != -1)
		usage_msg_opt("--timeout must not be negative", tune_usage,
			opts);
	if (seed != INT64_MIN && seed < 0)
		usage_msg_opt("--seed must not be negative", tune_usage,
			opts);
	store = ctx_store(ctx);
	o.config = ctx_config(ctx);
	o.recipe_path = recipe;
	o.study = study;
	o.trials = trials > 0 ? trials : 0;
	o.jobs = jobs == INT_MIN ? 0 : jobs;
	o.resume = resume;
	o.retrain = retrain;
	o.nthread = threads;
	o.timeout = timeout;
	o.experiment = experiment;
	o.seed = seed == INT64_MIN ? -1 : seed;
	o.overrides = sets.items;
	o.noverrides = sets.nr;
	if (show_progress < 0)
		show_progress = !json && ctx->verbosity >= 0 && isatty(2);
	if (show_progress)
		meter = progress_start("tuning");
	ui.meter = meter;
	ui.print_space = !json && ctx->verbosity >= 0;
	o.progress = on_event;
	o.payload = &ui;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = mmp_tune_run(&r, &diags, store, &o);
	progress_stop(&meter);
	for (i = 0; i < r.nwarnings; i++)
		warning("%s", r.warnings[i]);
	if (err < 0 && diags && mmp_diag_list_count(diags)) {
		for (i = 0; i < mmp_diag_list_count(diags); i++)
			error("%s", mmp_diag_list_get(diags, i)->message);
		ret = EXIT_FAIL;
	} else if (err < 0) {
		if (json)
			print_session_json(&r, err);
		error("%s", mmp_error_last()->message);
		ret = err == MMP_EINTERRUPTED ? EXIT_INTERRUPTED : EXIT_FAIL;
		if (err == MMP_EINTERRUPTED && r.study)
			info(ctx, "continue with: mmp tune --recipe %s "
				"--study %s --resume", recipe, r.study->name);
	} else if (json) {
		print_session_json(&r, 0);
		if (jobs != INT_MIN && r.jobs < (size_t)jobs && r.study &&
		    (size_t)r.study->max_parallel == r.jobs)
			info(ctx, "--jobs %d was capped at tune.max_parallel "
				"(%zu)", jobs, r.jobs);
	} else if (ctx->verbosity >= 0) {
		if (jobs != INT_MIN && r.jobs < (size_t)jobs && r.study &&
		    (size_t)r.study->max_parallel == r.jobs)
			info(ctx, "--jobs %d was capped at tune.max_parallel "
				"(%zu)", jobs, r.jobs);
		print_session(ctx, &r);
	} else if (r.study && r.study->best >= 0) {
		printf("%lld\n", (long long)r.study->trials[
			r.study->best].number);
	}
	mmp_diag_list_free(diags);
	mmp_tune_result_release(&r);
	string_list_release(&sets);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return ret;
}

/* ---- show ---- */

/* the best value after each trial, NaN before the first complete one */
static double *best_by_trial(const mmp_study *st)
{
	double *b = calloc(st->ntrials + 1, sizeof(double)), cur = NAN;
	size_t i;

	if (!b)
		die("out of memory");
	for (i = 0; i < st->ntrials; i++) {
		const mmp_trial *t = &st->trials[i];
		if (t->state == MMP_TRIAL_COMPLETE && !isnan(t->value) &&
		    (isnan(cur) || (st->maximize ? t->value > cur :
		     t->value < cur)))
			cur = t->value;
		b[i] = cur;
	}
	return b;
}

static void plot(const mmp_study *st, const double *best)
{
	char grid[PLOT_HEIGHT][PLOT_WIDTH + 1];
	double lo = INFINITY, hi = -INFINITY;
	size_t n = st->ntrials, w = n < PLOT_WIDTH ? n : PLOT_WIDTH, i, r;
	char lab[32];

	for (i = 0; i < n; i++)
		if (!isnan(best[i])) {
			lo = fmin(lo, best[i]);
			hi = fmax(hi, best[i]);
		}
	if (!w || isinf(lo))
		return;
	memset(grid, ' ', sizeof(grid));
	for (i = 0; i < n; i++) {
		size_t col = n == 1 ? 0 : i * (w - 1) / (n - 1), row;
		double f;
		if (isnan(best[i]))
			continue;
		f = hi > lo ? (best[i] - lo) / (hi - lo) : 0.5;
		if (!st->maximize)
			f = 1 - f;  /* better is up either way */
		row = (size_t)lround(f * (PLOT_HEIGHT - 1));
		grid[PLOT_HEIGHT - 1 - row][col] = '*';
	}
	printf("best %s by trial:\n", tsafe(st->metric));
	for (r = 0; r < PLOT_HEIGHT; r++) {
		grid[r][w] = '\0';
		lab[0] = '\0';
		if (r == 0)
			fmt_value(lab, st->maximize ? hi : lo);
		else if (r == PLOT_HEIGHT - 1)
			fmt_value(lab, st->maximize ? lo : hi);
		printf("  %10s |%s\n", lab, grid[r]);
	}
	printf("  %10s +", "");
	for (i = 0; i < w; i++)
		putchar('-');
	printf("\n  %10s  0%*zu\n", "", (int)(w > 1 ? w - 1 : 1), n - 1);
}

static void show_human(struct mmp_ctx *ctx, const mmp_study *st,
	const double *best)
{
	const char **headers;
	struct table t;
	char v[32], d[32];
	size_t i, j, np = st->nparams;

	printf("%sstudy %s%s  recipe %s\n", color(ctx, COLOR_BOLD),
		tsafe(st->name), color(ctx, COLOR_RESET),
		tsafe(st->recipe_path));
	printf("%s (%s), sampler %s, pruner %s, seed %lld, max_parallel "
		"%lld\n", tsafe(st->metric),
		st->maximize ? "maximize" : "minimize", st->sampler,
		st->pruner, (long long)st->seed, (long long)st->max_parallel);
	printf("trials: %zu of %lld (%zu complete, %zu pruned, %zu failed, "
		"%zu running)\n\n", st->ntrials, (long long)st->target,
		st->ncomplete, st->npruned, st->nfail, st->nrunning);

	headers = calloc(4 + np, sizeof(*headers));
	if (!headers)
		die("out of memory");
	headers[0] = "#";
	headers[1] = "state";
	headers[2] = st->metric;
	headers[3] = "seconds";
	for (j = 0; j < np; j++)
		headers[4 + j] = st->param_names[j];
	table_init(&t, 4 + np, headers);
	t.right[0] = t.right[2] = t.right[3] = 1;
	for (i = 0; i < st->ntrials; i++) {
		const mmp_trial *tr = &st->trials[i];
		fmt_value(v, tr->value);
		snprintf(d, sizeof(d), "%.2f", tr->duration);
		table_addf(&t, 0, "%lld", (long long)tr->number);
		table_addf(&t, 1, "%s%s", mmp_trial_state_name(tr->state),
			tr->retry ? " (retry)" : "");
		table_addf(&t, 2, "%s", v);
		table_addf(&t, 3, "%s", tr->state == MMP_TRIAL_RUNNING ? "-" :
			d);
		for (j = 0; j < np; j++) {
			const char *pv = j < tr->nparams ?
				tr->params[j].value : "";
			char *end;
			double num = strtod(pv, &end);
			if (*pv && !*end && strlen(pv) > 8)
				table_addf(&t, 4 + j, "%.6g", num);
			else
				table_addf(&t, 4 + j, "%s", pv);
		}
	}
	table_print(&t, stdout, ctx);
	table_release(&t);
	free(headers);
	putchar('\n');
	print_best(ctx, st);
	if (np) {
		printf("\nparameter importance (share of the value's "
			"variance):\n");
		for (j = 0; j < np; j++) {
			int bar = (int)lround(st->importance[j] * 40);
			printf("  %-20s %5.3f ", tsafe(st->param_names[j]),
				st->importance[j]);
			while (bar-- > 0)
				putchar('#');
			putchar('\n');
		}
	}
	putchar('\n');
	plot(st, best);
}

static void show_json(const mmp_study *st, const double *best)
{
	cJSON *doc = json_doc_new(), *a, *o;
	size_t i;

	cJSON_AddStringToObject(doc, "study", st->name);
	cJSON_AddStringToObject(doc, "recipe", st->recipe_path);
	cJSON_AddStringToObject(doc, "metric", st->metric);
	cJSON_AddStringToObject(doc, "direction", st->maximize ? "maximize" :
		"minimize");
	cJSON_AddStringToObject(doc, "sampler", st->sampler);
	cJSON_AddStringToObject(doc, "pruner", st->pruner);
	cJSON_AddNumberToObject(doc, "seed", (double)st->seed);
	cJSON_AddNumberToObject(doc, "max_parallel", (double)st->max_parallel);
	cJSON_AddStringToObject(doc, "dataset_digest", st->dataset_digest);
	cJSON_AddStringToObject(doc, "space", st->space);
	add_counts(doc, st);
	add_best(doc, st);
	o = cJSON_AddObjectToObject(doc, "importance");
	for (i = 0; i < st->nparams; i++)
		json_add_number(o, st->param_names[i], st->importance[i]);
	a = cJSON_AddArrayToObject(doc, "best_by_trial");
	for (i = 0; i < st->ntrials; i++)
		cJSON_AddItemToArray(a, isnan(best[i]) ? cJSON_CreateNull() :
			cJSON_CreateNumber(best[i]));
	a = cJSON_AddArrayToObject(doc, "trials");
	for (i = 0; i < st->ntrials; i++) {
		const mmp_trial *t = &st->trials[i];
		cJSON *j = trial_json(t, 1);
		cJSON_AddNumberToObject(j, "start_time",
			(double)t->start_time);
		cJSON_AddNumberToObject(j, "end_time", (double)t->end_time);
		cJSON_AddNumberToObject(j, "duration", t->duration);
		cJSON_AddNumberToObject(j, "attempts", t->attempts);
		cJSON_AddNumberToObject(j, "steps", (double)t->nsteps);
		if (t->error)
			cJSON_AddStringToObject(j, "error", t->error);
		cJSON_AddItemToArray(a, j);
	}
	json_print(doc);
}

static int tune_show(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_study *st = NULL;
	double *best;
	int err;

	argc = parse_options(argc, argv, opts, show_usage, 0);
	if (argc != 1)
		usage_msg_opt(argc ? "too many arguments" :
			"a study name is required", show_usage, opts);
	if ((err = mmp_study_get(&st, ctx_store(ctx), argv[0], 1)) < 0) {
		error("%s", mmp_error_last()->message);
		return EXIT_FAIL;
	}
	best = best_by_trial(st);
	if (json)
		show_json(st, best);
	else
		show_human(ctx, st, best);
	free(best);
	mmp_study_free(st);
	return EXIT_OK;
}

static int tune_list(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT_END()
	};
	char **names = NULL;
	size_t n = 0, i;
	cJSON *doc = NULL, *a = NULL;

	argc = parse_options(argc, argv, opts, list_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", list_usage, opts);
	if (mmp_study_names(&names, &n, ctx_store(ctx)) < 0)
		return error_lib("cannot list the studies");
	if (json) {
		doc = json_doc_new();
		a = cJSON_AddArrayToObject(doc, "studies");
	}
	for (i = 0; i < n; i++) {
		mmp_study *st = NULL;
		char v[32];

		if (mmp_study_get(&st, ctx_store(ctx), names[i], 0) < 0) {
			mmp_study_names_free(names);
			cJSON_Delete(doc);
			return error_lib("cannot read study '%s'", names[i]);
		}
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "study", st->name);
			cJSON_AddStringToObject(o, "metric", st->metric);
			add_counts(o, st);
			add_best(o, st);
			cJSON_AddItemToArray(a, o);
		} else {
			fmt_value(v, st->best >= 0 ?
				st->trials[st->best].value : NAN);
			printf("%-24s %4zu trials  best %s %s\n",
				tsafe(st->name), st->ntrials,
				tsafe(st->metric), v);
		}
		mmp_study_free(st);
	}
	if (json)
		json_print(doc);
	mmp_study_names_free(names);
	return EXIT_OK;
}

int cmd_tune(int argc, const char **argv, struct mmp_ctx *ctx)
{
	if (argc > 1 && !strcmp(argv[1], "show"))
		return tune_show(argc - 1, argv + 1, ctx);
	if (argc > 1 && !strcmp(argv[1], "list"))
		return tune_list(argc - 1, argv + 1, ctx);
	return tune_run(argc, argv, ctx);
}
