/* SPDX-License-Identifier: MIT */
/* sync.c: mmp sync: push runs and the registry to an MLflow server */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "output.h"
#include "mmp/url.h"
#include "mmp/sync.h"

static const char *const sync_usage[] = {
	"mmp sync [--dry-run] [--run <run>] [--tracking-uri <uri>]",
	"    [--retries <n>] [--json] [-v | -q]",
	"mmp sync --pull [--experiment <name>]... [--full] [--dry-run]",
	"    [--tracking-uri <uri>] [--retries <n>] [--json] [-v | -q]",
	"mmp sync status [--tracking-uri <uri>] [--json]",
	NULL
};

static const char *const status_usage[] = {
	"mmp sync status [--tracking-uri <uri>] [--json]",
	NULL
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

const char *ctx_tracking_uri(struct mmp_ctx *ctx, const char *given)
{
	const char *v = NULL;

	if (given && *given)
		return given;
	if (mmp_config_get_string(&v, ctx_config(ctx), "tracking.uri") < 0 ||
	    !v || !*v) {
		error("no tracking server: set tracking.uri (mmp config, "
			"-c tracking.uri=<uri>), MLFLOW_TRACKING_URI or "
			"--tracking-uri");
		return NULL;
	}
	return v;
}

static void fmt_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "never");
}

static void add_counts(cJSON *o, const mmp_sync_counts *c)
{
	cJSON_AddNumberToObject(o, "experiments", (double)c->experiments);
	cJSON_AddNumberToObject(o, "runs", (double)c->runs);
	cJSON_AddNumberToObject(o, "runs_completed",
		(double)c->runs_completed);
	cJSON_AddNumberToObject(o, "params", (double)c->params);
	cJSON_AddNumberToObject(o, "tags", (double)c->tags);
	cJSON_AddNumberToObject(o, "metrics", (double)c->metrics);
	cJSON_AddNumberToObject(o, "artifacts", (double)c->artifacts);
	cJSON_AddNumberToObject(o, "artifact_bytes",
		(double)c->artifact_bytes);
	cJSON_AddNumberToObject(o, "models", (double)c->models);
	cJSON_AddNumberToObject(o, "versions", (double)c->versions);
	cJSON_AddNumberToObject(o, "stages", (double)c->stages);
	cJSON_AddNumberToObject(o, "aliases", (double)c->aliases);
	cJSON_AddNumberToObject(o, "version_tags", (double)c->version_tags);
	cJSON_AddNumberToObject(o, "lifecycle", (double)c->lifecycle);
	cJSON_AddNumberToObject(o, "renames", (double)c->renames);
	cJSON_AddNumberToObject(o, "tags_removed", (double)c->tags_removed);
	cJSON_AddNumberToObject(o, "model_updates",
		(double)c->model_updates);
}

/* "what N" rows of a human summary, non-zero ones only */
static void print_counts(const mmp_sync_counts *c, const char *indent,
	int done)
{
	const struct {
		const char *name;
		uint64_t n;
	} rows[] = {
		{ "experiments", c->experiments },
		{ done ? "runs created" : "runs to create", c->runs },
		{ done ? "runs completed" : "runs to complete",
		  c->runs_completed },
		{ "params", c->params },
		{ "tags", c->tags },
		{ "metric values", c->metrics },
		{ "artifact files", c->artifacts },
		{ "artifact bytes", c->artifact_bytes },
		{ "registered models", c->models },
		{ "model versions", c->versions },
		{ "stage changes", c->stages },
		{ "aliases", c->aliases },
		{ "version tags", c->version_tags },
		{ "deleted/restored", c->lifecycle },
		{ "renames", c->renames },
		{ "tags removed", c->tags_removed },
		{ "model updates", c->model_updates },
	};
	size_t i;
	int any = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!rows[i].n)
			continue;
		printf("%s%-18s %llu\n", indent, rows[i].name,
			(unsigned long long)rows[i].n);
		any = 1;
	}
	if (!any)
		printf("%snothing\n", indent);
}

static int on_event(const mmp_sync_event *e, void *payload)
{
	struct mmp_ctx *ctx = payload;

	if (interrupted)
		return 1;
	if (ctx->verbosity > 0 && !strcmp(e->what, "run"))
		fprintf(stderr, "pushed run %s (%s) as %s\n", e->run_id,
			tsafe(e->detail), tsafe(e->remote_run_id));
	else if (ctx->verbosity > 1 && !strcmp(e->what, "artifact"))
		fprintf(stderr, "  uploaded %s\n", tsafe(e->detail));
	return 0;
}

static void print_push_json(const mmp_sync_result *r, int dry, int err)
{
	cJSON *doc = json_doc_new();

	cJSON_AddStringToObject(doc, "remote", r->remote ? r->remote : "");
	cJSON_AddBoolToObject(doc, "dry_run", dry);
	cJSON_AddStringToObject(doc, "status", err ? "failed" : "ok");
	if (err) {
		cJSON_AddStringToObject(doc, "error",
			mmp_error_last()->message);
		cJSON_AddStringToObject(doc, "error_class", r->error_class ?
			r->error_class : "local");
	}
	cJSON_AddNumberToObject(doc, "runs_seen", (double)r->runs_seen);
	cJSON_AddNumberToObject(doc, "runs_up_to_date",
		(double)r->runs_up_to_date);
	cJSON_AddNumberToObject(doc, "runs_running", (double)r->runs_running);
	add_counts(cJSON_AddObjectToObject(doc, dry ? "pending" : "sent"),
		&r->sent);
	cJSON_AddNumberToObject(doc, "requests", (double)r->requests);
	cJSON_AddNumberToObject(doc, "retries", (double)r->retries);
	cJSON_AddNumberToObject(doc, "log_batch_calls",
		(double)r->log_batch_calls);
	json_print(doc);
}

static int on_pull_event(const mmp_sync_event *e, void *payload)
{
	struct mmp_ctx *ctx = payload;

	if (interrupted)
		return 1;
	if (ctx->verbosity > 0 && !strcmp(e->what, "run"))
		fprintf(stderr, "mirrored run %s\n", tsafe(e->remote_run_id));
	return 0;
}

static void add_pull_counts(cJSON *o, const mmp_sync_pull_experiment *e)
{
	cJSON_AddNumberToObject(o, "pages", (double)e->pages);
	cJSON_AddNumberToObject(o, "runs_seen", (double)e->runs_seen);
	cJSON_AddNumberToObject(o, "runs_new", (double)e->runs_new);
	cJSON_AddNumberToObject(o, "runs_updated", (double)e->runs_updated);
	cJSON_AddNumberToObject(o, "runs_unchanged",
		(double)e->runs_unchanged);
	cJSON_AddNumberToObject(o, "runs_deleted", (double)e->runs_deleted);
	cJSON_AddNumberToObject(o, "runs_own", (double)e->runs_own);
	cJSON_AddNumberToObject(o, "runs_gone", (double)e->runs_gone);
	cJSON_AddNumberToObject(o, "params", (double)e->params);
	cJSON_AddNumberToObject(o, "tags", (double)e->tags);
	cJSON_AddNumberToObject(o, "metrics", (double)e->metrics);
	cJSON_AddNumberToObject(o, "artifacts", (double)e->artifacts);
	cJSON_AddNumberToObject(o, "runs_reread", (double)e->runs_reread);
	cJSON_AddNumberToObject(o, "runs_artifacts_unknown",
		(double)e->runs_artifacts_unknown);
	cJSON_AddBoolToObject(o, "resumed", e->resumed);
}

static void print_pull_json(const mmp_sync_pull_result *r, int dry, int err)
{
	cJSON *doc = json_doc_new(), *list;
	size_t i;

	cJSON_AddStringToObject(doc, "remote", r->remote ? r->remote : "");
	cJSON_AddBoolToObject(doc, "dry_run", dry);
	cJSON_AddStringToObject(doc, "status", err ? "failed" :
		r->unknown_nr ? "partial" : "ok");
	if (err) {
		cJSON_AddStringToObject(doc, "error",
			mmp_error_last()->message);
		cJSON_AddStringToObject(doc, "error_class", r->error_class ?
			r->error_class : "local");
	}
	list = cJSON_AddArrayToObject(doc, "experiments");
	for (i = 0; i < r->experiments_nr; i++) {
		const mmp_sync_pull_experiment *e = &r->experiments[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", e->name ? e->name : "");
		cJSON_AddStringToObject(o, "remote_id",
			e->remote_id ? e->remote_id : "");
		add_pull_counts(o, e);
		cJSON_AddItemToArray(list, o);
	}
	add_pull_counts(cJSON_AddObjectToObject(doc, "total"), &r->total);
	list = cJSON_AddArrayToObject(doc, "artifacts_unknown");
	for (i = 0; i < r->unknown_nr; i++) {
		const mmp_sync_pull_unknown *u = &r->unknown[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "experiment", u->experiment);
		cJSON_AddStringToObject(o, "remote_run_id", u->remote_run_id);
		cJSON_AddStringToObject(o, "run_id", u->run_id);
		if (u->name)
			cJSON_AddStringToObject(o, "run_name", u->name);
		else
			cJSON_AddNullToObject(o, "run_name");
		cJSON_AddStringToObject(o, "error", u->error);
		cJSON_AddStringToObject(o, "error_class", u->error_class);
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(doc, "requests", (double)r->requests);
	cJSON_AddNumberToObject(doc, "retries", (double)r->retries);
	json_print(doc);
}

static int sync_pull(const char *uri, const struct string_list *exps,
	int dry, int full, int retries, int json, struct mmp_ctx *ctx)
{
	mmp_sync_pull_options o = MMP_SYNC_PULL_OPTIONS_INIT;
	mmp_http_options http = MMP_HTTP_OPTIONS_INIT;
	mmp_sync_pull_result r;
	const mmp_sync_pull_experiment *t = &r.total;
	struct sigaction sa;
	size_t i;
	int err, ret = EXIT_OK;

	if (!(o.tracking_uri = ctx_tracking_uri(ctx, uri)))
		return EXIT_FAIL;
	mmp_http_options_from_env(&http);
	o.http = &http;
	o.experiments = (const char *const *)exps->items;
	o.experiments_nr = exps->nr;
	o.dry_run = dry;
	o.full = full;
	o.max_attempts = retries >= 0 ? retries + 1 : 0;
	o.progress = on_pull_event;
	o.payload = ctx;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = mmp_sync_pull(&r, ctx_store(ctx), &o);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	if (json)
		print_pull_json(&r, dry, err < 0);
	for (i = 0; i < r.unknown_nr; i++)
		warning("run %s (%s) of experiment '%s': its artifact list "
			"is unknown, the next pull reads it again: %s",
			r.unknown[i].remote_run_id, r.unknown[i].name ?
			r.unknown[i].name : "no name", r.unknown[i].experiment,
			r.unknown[i].error);
	if (err < 0) {
		mmp_buf shown = MMP_BUF_INIT;

		mmp_url_redact(&shown, r.remote ? r.remote : o.tracking_uri);
		error("cannot pull from '%s': %s", shown.ptr,
			mmp_error_last()->message);
		mmp_buf_dispose(&shown);
		ret = err == MMP_EINTERRUPTED ? EXIT_INTERRUPTED : EXIT_FAIL;
	} else if (!json && ctx->verbosity >= 0) {
		printf("%s %s: %zu runs in %zu experiments\n",
			dry ? "would pull from" : "pulled from",
			tsafe(r.remote),
			t->runs_seen, r.experiments_nr);
		printf("  %-16s %zu\n", dry ? "new" : "mirrored", t->runs_new);
		printf("  %-16s %zu\n", dry ? "changed" : "updated",
			t->runs_updated);
		printf("  %-16s %zu\n", "unchanged", t->runs_unchanged);
		if (t->runs_reread)
			printf("  %-16s %zu\n", dry ? "to read again" :
				"read again", t->runs_reread);
		if (t->runs_artifacts_unknown)
			printf("  %-16s %zu\n", "artifacts unknown",
				t->runs_artifacts_unknown);
		if (t->runs_deleted)
			printf("  %-16s %zu\n", "deleted there",
				t->runs_deleted);
		if (t->runs_gone)
			printf("  %-16s %zu\n", "gone from there",
				t->runs_gone);
		if (t->runs_own)
			printf("  %-16s %zu\n", "pushed from here",
				t->runs_own);
		if (!dry && (t->runs_new || t->runs_updated))
			printf("  %zu params, %zu tags, %zu metric values, "
				"%zu artifact files listed\n", t->params,
				t->tags, t->metrics, t->artifacts);
	}
	if (!err && r.unknown_nr)
		ret = EXIT_PARTIAL;
	mmp_sync_pull_result_release(&r);
	return ret;
}

static int sync_push(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *uri = NULL, *run = NULL;
	struct string_list exps = STRING_LIST_INIT;
	int json = 0, dry = 0, retries = -1, pull = 0, all = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "pull", &pull,
			"mirror the server's runs into the store"),
		OPT_STRING_LIST(0, "experiment", &exps, "<name>",
			"with --pull: only this experiment (repeatable)"),
		OPT_BOOL(0, "full", &all,
			"with --pull: read every run again, histories and "
			"artifact lists"),
		OPT_BOOL('n', "dry-run", &dry,
			"count what would be pushed; send nothing"),
		OPT_STRING(0, "run", &run, "<run>",
			"push only this run (id, prefix or name)"),
		OPT_STRING(0, "tracking-uri", &uri, "<uri>",
			"the MLflow server (default: tracking.uri)"),
		OPT_INTEGER(0, "retries", &retries, "<n>",
			"retries of a failed request (default 4)"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	mmp_sync_options o = MMP_SYNC_OPTIONS_INIT;
	mmp_http_options http = MMP_HTTP_OPTIONS_INIT;
	mmp_sync_result r;
	struct sigaction sa;
	mmp_store *store;
	char full[33];
	int err, ret = EXIT_OK;

	argc = parse_options(argc, argv, opts, sync_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", sync_usage, opts);
	if (retries < -1 || retries > 100)
		usage_msg_opt("--retries must be between 0 and 100",
			sync_usage, opts);
	if (exps.nr && !pull)
		usage_msg_opt("--experiment needs --pull", sync_usage, opts);
	if (all && !pull)
		usage_msg_opt("--full needs --pull", sync_usage, opts);
	if (pull && run)
		usage_msg_opt("--run and --pull cannot be combined",
			sync_usage, opts);
	if (pull) {
		ret = sync_pull(uri, &exps, dry, all, retries, json, ctx);
		string_list_release(&exps);
		return ret;
	}
	store = ctx_store(ctx);
	if (!(o.tracking_uri = ctx_tracking_uri(ctx, uri)))
		return EXIT_FAIL;
	if (run) {
		if (mmp_run_resolve(store, run, full) < 0)
			return error_lib("cannot push run '%s'", run);
		o.run_id = full;
	}
	mmp_http_options_from_env(&http);
	o.http = &http;
	o.dry_run = dry;
	o.max_attempts = retries >= 0 ? retries + 1 : 0;
	o.progress = on_event;
	o.payload = ctx;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = mmp_sync_push(&r, store, &o);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	if (json)
		print_push_json(&r, dry, err < 0);
	if (err < 0) {
		mmp_buf shown = MMP_BUF_INIT;

		mmp_url_redact(&shown, r.remote ? r.remote :
			o.tracking_uri ? o.tracking_uri : "");
		error("cannot push to '%s': %s", shown.ptr,
			mmp_error_last()->message);
		mmp_buf_dispose(&shown);
		ret = err == MMP_EINTERRUPTED ? EXIT_INTERRUPTED : EXIT_FAIL;
	} else if (!json && ctx->verbosity >= 0) {
		if (dry) {
			printf("would push to %s (%zu of %zu ended runs have "
				"something to send):\n", tsafe(r.remote),
				r.runs_seen - r.runs_up_to_date, r.runs_seen);
			print_counts(&r.sent, "  ", 0);
		} else {
			printf("pushed to %s: %zu ended runs, %zu already up "
				"to date; %zu requests, %zu retries\n",
				tsafe(r.remote), r.runs_seen, r.runs_up_to_date,
				r.requests, r.retries);
			print_counts(&r.sent, "  ", 1);
		}
		if (r.runs_running)
			printf("%zu running runs wait until they end\n",
				r.runs_running);
	}
	mmp_sync_result_release(&r);
	return ret;
}

static int sync_status(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *uri = NULL;
	int json = 0;
	const struct option opts[] = {
		OPT_STRING(0, "tracking-uri", &uri, "<uri>",
			"the MLflow server (default: tracking.uri)"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_sync_status st;
	char when[32];
	cJSON *doc, *pull;

	argc = parse_options(argc, argv, opts, status_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", status_usage, opts);
	if (!(uri = ctx_tracking_uri(ctx, uri)))
		return EXIT_FAIL;
	if (mmp_sync_status_get(&st, ctx_store(ctx), uri) < 0) {
		mmp_sync_status_release(&st);
		return error_lib("cannot read the push state of '%s'", uri);
	}
	if (json) {
		doc = json_doc_new();
		cJSON_AddStringToObject(doc, "remote", st.remote);
		cJSON_AddBoolToObject(doc, "known", st.known);
		cJSON_AddNumberToObject(doc, "runs_ended",
			(double)st.runs_ended);
		cJSON_AddNumberToObject(doc, "runs_pending",
			(double)st.runs_pending);
		cJSON_AddNumberToObject(doc, "runs_running",
			(double)st.runs_running);
		add_counts(cJSON_AddObjectToObject(doc, "pending"),
			&st.pending);
		cJSON_AddNumberToObject(doc, "last_push_time",
			(double)st.last_push_time);
		cJSON_AddNumberToObject(doc, "last_attempt_time",
			(double)st.last_attempt_time);
		if (st.last_error) {
			cJSON_AddStringToObject(doc, "last_error",
				st.last_error);
			cJSON_AddStringToObject(doc, "last_error_class",
				st.last_error_class ? st.last_error_class :
				"");
			cJSON_AddNumberToObject(doc, "last_error_time",
				(double)st.last_error_time);
		} else {
			cJSON_AddNullToObject(doc, "last_error");
		}
		pull = cJSON_AddObjectToObject(doc, "pull");
		cJSON_AddBoolToObject(pull, "known", st.pulled);
		cJSON_AddNumberToObject(pull, "last_pull_time",
			(double)st.last_pull_time);
		cJSON_AddNumberToObject(pull, "experiments",
			(double)st.pull_experiments);
		cJSON_AddNumberToObject(pull, "experiments_partway",
			(double)st.pull_partway);
		cJSON_AddNumberToObject(pull, "runs_mirrored",
			(double)st.runs_mirrored);
		cJSON_AddNumberToObject(pull, "runs_deleted",
			(double)st.runs_mirrored_deleted);
		cJSON_AddNumberToObject(pull, "runs_artifacts_unknown",
			(double)st.runs_artifacts_unknown);
		json_print(doc);
	} else {
		printf("remote: %s\n", tsafe(st.remote));
		fmt_time(when, st.last_push_time);
		printf("last complete push: %s\n", when);
		if (st.last_error) {
			fmt_time(when, st.last_error_time);
			printf("last error (%s, %s): %s\n",
				tsafe(st.last_error_class), when,
				tsafe(st.last_error));
		}
		printf("pending (%zu of %zu ended runs):\n", st.runs_pending,
			st.runs_ended);
		print_counts(&st.pending, "  ", 0);
		if (st.runs_running)
			printf("%zu running runs wait until they end\n",
				st.runs_running);
		fmt_time(when, st.last_pull_time);
		printf("last complete pull: %s\n", when);
		if (st.pulled) {
			printf("mirrored: %zu runs (%zu deleted there) of %zu "
				"experiments\n", st.runs_mirrored,
				st.runs_mirrored_deleted, st.pull_experiments);
			if (st.pull_partway)
				printf("stopped part-way: %zu experiments (the "
					"next pull goes on)\n",
					st.pull_partway);
			if (st.runs_artifacts_unknown)
				printf("artifact lists unknown: %zu runs (the "
					"next pull reads them again)\n",
					st.runs_artifacts_unknown);
		}
	}
	mmp_sync_status_release(&st);
	return EXIT_OK;
}

int cmd_sync(int argc, const char **argv, struct mmp_ctx *ctx)
{
	if (argc > 1 && !strcmp(argv[1], "status"))
		return sync_status(argc - 1, argv + 1, ctx);
	return sync_push(argc, argv, ctx);
}
