/* SPDX-License-Identifier: MIT */
/* batch-inference.c: mmp batch-inference: stream a CSV through a model */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"
#include "progress.h"
#include "registry-common.h"
#include "mmp/batch.h"
#include "mmp/registry.h"
#include "mmp/store.h"

static const char *const batch_usage[] = {
	"mmp batch-inference (--model <name>@<stage> | --run <run> |",
	"    --model-dir <dir>) [--schema <file>] --input <file>|<db>",
	"    [--query <sql> | --table <table>] --output <file>|<db>",
	"    [--mode replace|append]",
	"    [--keep <column>,...] [--id <column>] [--format csv|jsonl]",
	"    [--threads <n>] [--chunk-rows <n>] [--proba] [--evaluate]",
	"    [--on-error skip|fail] [--experiment <name>] [--run-name <name>]",
	"    [--[no-]progress] [--json] [-q]",
	NULL
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

struct batch_state {
	struct progress *meter;
};

static int on_progress(const mmp_batch_progress *p, void *payload)
{
	struct batch_state *st = payload;
	char line[128];

	if (interrupted)
		return 1;
	if (!st->meter)
		return 0;
	snprintf(line, sizeof(line), "%llu rows (%llu skipped)",
		(unsigned long long)p->rows_in,
		(unsigned long long)p->skipped);
	progress_update(st->meter, p->rows_in, p->est_rows > p->rows_in ?
		p->est_rows : 0, line);
	return 0;
}

/* the model to load, and its lineage for the run record */
struct model_source {
	mmp_buf dir;
	mmp_model_ref ref;
	int from_registry;
	char run_id[33];
};

static int locate_model(struct model_source *src, struct mmp_ctx *ctx,
	const char *model, const char *run, const char *dir)
{
	if (model) {
		mmp_buf pulled = MMP_BUF_INIT;
		int err;

		/* a version of the tracking server's registry: into the
		 * store first, then used as any local version */
		if (!strncmp(model, "models:/", 8) &&
		    reg_pull_uri(ctx, model, &pulled)) {
			mmp_buf_dispose(&pulled);
			return EXIT_FAIL;
		}
		err = mmp_registry_resolve(&src->ref, ctx_store(ctx),
			pulled.size ? pulled.ptr : model);
		mmp_buf_dispose(&pulled);
		if (err < 0)
			return error_lib("cannot find model '%s'", model);
		src->from_registry = 1;
		mmp_buf_puts(&src->dir, src->ref.model_dir);
		memcpy(src->run_id, src->ref.run_id, sizeof(src->run_id));
		if (mmp_registry_verify_model(ctx_store(ctx), src->run_id,
		    src->dir.ptr, NULL) < 0)
			return error_lib("cannot use model '%s'", model);
		return 0;
	}
	if (run) {
		if (mmp_run_resolve(ctx_store(ctx), run, src->run_id) < 0)
			return error_lib("cannot find run '%s'", run);
		if (mmp_run_artifact_dir(&src->dir, ctx_store(ctx),
		    src->run_id) < 0)
			return error_lib("cannot find the artifacts of run "
				"'%s'", src->run_id);
		mmp_buf_puts(&src->dir, "/model");
		if (mmp_registry_verify_model(ctx_store(ctx), src->run_id,
		    src->dir.ptr, NULL) < 0)
			return error_lib("cannot use the model of run '%s'",
				src->run_id);
		return 0;
	}
	mmp_buf_puts(&src->dir, dir);
	return 0;
}

static void print_json(const mmp_batch_result *r, const mmp_batch_options *o,
	const struct model_source *src)
{
	cJSON *doc = json_doc_new(), *t, *arr;
	mmp_buf loc = MMP_BUF_INIT;
	size_t i;

	cJSON_AddStringToObject(doc, "run_id", r->run_id);
	t = cJSON_AddObjectToObject(doc, "model");
	cJSON_AddStringToObject(t, "dir", src->dir.ptr);
	if (src->from_registry) {
		cJSON_AddStringToObject(t, "name", src->ref.name);
		cJSON_AddNumberToObject(t, "version",
			(double)src->ref.version);
	}
	if (src->run_id[0])
		cJSON_AddStringToObject(t, "run_id", src->run_id);
	mmp_source_redact(&loc, o->input);
	cJSON_AddStringToObject(doc, "input", loc.ptr);
	if (o->query)
		cJSON_AddStringToObject(doc, "query", o->query);
	if (o->table)
		cJSON_AddStringToObject(doc, "table", o->table);
	mmp_buf_clear(&loc);
	mmp_source_redact(&loc, o->output);
	cJSON_AddStringToObject(doc, "output", loc.ptr);
	mmp_buf_dispose(&loc);
	if (mmp_source_kind_of(o->output) != MMP_SOURCE_FILE)
		cJSON_AddStringToObject(doc, "mode", o->mode ==
			MMP_SINK_APPEND ? "append" : "replace");
	cJSON_AddStringToObject(doc, "format", o->format == MMP_BATCH_JSONL
		? "jsonl" : "csv");
	t = cJSON_AddObjectToObject(doc, "rows");
	cJSON_AddNumberToObject(t, "in", (double)r->rows_in);
	cJSON_AddNumberToObject(t, "out", (double)r->rows_out);
	cJSON_AddNumberToObject(t, "skipped", (double)r->skipped);
	arr = cJSON_AddArrayToObject(doc, "skipped_rows");
	for (i = 0; i < r->nskips; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddNumberToObject(s, "line", (double)r->skips[i].line);
		cJSON_AddStringToObject(s, "reason", r->skips[i].reason);
		cJSON_AddItemToArray(arr, s);
	}
	t = cJSON_AddObjectToObject(doc, "unseen_categories");
	cJSON_AddNumberToObject(t, "total", (double)r->unseen);
	t = cJSON_AddObjectToObject(t, "features");
	for (i = 0; i < r->nunseen_features; i++)
		cJSON_AddNumberToObject(t, r->unseen_features[i].feature,
			(double)r->unseen_features[i].count);
	cJSON_AddStringToObject(doc, "digest", r->digest);
	if (r->rows_digest[0])
		cJSON_AddStringToObject(doc, "rows_digest", r->rows_digest);
	else
		cJSON_AddNullToObject(doc, "rows_digest");
	t = cJSON_AddObjectToObject(doc, "monitoring");
	cJSON_AddBoolToObject(t, "profiled", r->profiled);
	cJSON_AddNumberToObject(t, "logged", (double)r->logged);
	if (r->evaluated) {
		t = cJSON_AddObjectToObject(doc, "metrics");
		for (i = 0; i < r->metrics.count; i++)
			json_add_number(t, r->metrics.items[i].name,
				r->metrics.items[i].value);
	}
	cJSON_AddNumberToObject(doc, "seconds", r->seconds);
	cJSON_AddNumberToObject(doc, "rows_per_second", r->rows_per_sec);
	json_print(doc);
}

static void print_summary(const mmp_batch_result *r)
{
	size_t i;

	fprintf(stderr, "%llu rows in, %llu out, %llu skipped, %llu unseen "
		"categories, %.2f s, %.0f rows/s\n",
		(unsigned long long)r->rows_in,
		(unsigned long long)r->rows_out,
		(unsigned long long)r->skipped,
		(unsigned long long)r->unseen, r->seconds, r->rows_per_sec);
	for (i = 0; i < r->nskips; i++)
		fprintf(stderr, "  skipped line %lld: %s\n",
			(long long)r->skips[i].line, tsafe(r->skips[i].reason));
	if (r->skipped > r->nskips)
		fprintf(stderr, "  ... and %llu more skipped rows\n",
			(unsigned long long)(r->skipped - r->nskips));
	for (i = 0; i < r->nunseen_features; i++)
		fprintf(stderr, "  unseen categories in '%s': %llu\n",
			tsafe(r->unseen_features[i].feature),
			(unsigned long long)r->unseen_features[i].count);
	for (i = 0; r->evaluated && i < r->metrics.count; i++) {
		char v[32];

		mmp_fmt_double(v, r->metrics.items[i].value);
		if (!isnan(r->metrics.items[i].value))
			snprintf(v, sizeof(v), "%.4f",
				r->metrics.items[i].value);
		fprintf(stderr, "  %-20s %s\n", r->metrics.items[i].name, v);
	}
	if (r->run_id[0])
		fprintf(stderr, "run %s\n", r->run_id);
}

int cmd_batch_inference(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *model = NULL, *run = NULL, *dir = NULL, *format = "csv";
	const char *schema = NULL;
	const char *on_error = "fail", *keep = NULL, *mode = NULL;
	mmp_batch_options o = MMP_BATCH_OPTIONS_INIT;
	int json = 0, threads = 0, chunk = 0, show_progress = -1;
	int proba = 0, evaluate = 0;
	const struct option opts[] = {
		OPT_STRING(0, "model", &model, "<name>@<stage>",
			"predict with this registered model version"),
		OPT_STRING(0, "run", &run, "<run>",
			"predict with the model of this run"),
		OPT_STRING(0, "model-dir", &dir, "<dir>",
			"predict with the model directory <dir>"),
		OPT_STRING(0, "schema", &schema, "<file>",
			"the model's inputs (MLflow column specs)"),
		OPT_STRING(0, "input", &o.input, "<file>|<db>",
			"the CSV ('-': standard input) or database to predict"),
		OPT_STRING(0, "query", &o.query, "<sql>",
			"a database input: the rows of this query"),
		OPT_STRING(0, "table", &o.table, "<table>",
			"a database input: the rows of this table"),
		OPT_STRING(0, "output", &o.output, "<file>|<db>",
			"where to write ('-': standard output; a table)"),
		OPT_STRING(0, "mode", &mode, "replace|append",
			"a table output: replace it (default) or append"),
		OPT_STRING(0, "keep", &keep, "<column>,...",
			"copy these input columns to the output"),
		OPT_STRING(0, "format", &format, "csv|jsonl",
			"the output format (default csv)"),
		OPT_INTEGER(0, "threads", &threads, "<n>",
			"predicting threads (default: the cores)"),
		OPT_INTEGER(0, "chunk-rows", &chunk, "<n>",
			"rows read and predicted at a time (default 16384)"),
		OPT_BOOL(0, "proba", &proba,
			"add one probability column per class"),
		OPT_BOOL(0, "evaluate", &evaluate,
			"compute metrics against the target column"),
		OPT_STRING(0, "on-error", &on_error, "skip|fail",
			"what a bad row does (default fail)"),
		OPT_STRING(0, "experiment", &o.experiment, "<name>",
			"record the run in this experiment"),
		OPT_STRING(0, "run-name", &o.run_name, "<name>",
			"name the recorded run"),
		OPT_STRING(0, "id", &o.id_column, "<column>",
			"log each prediction by this column's value"),
		OPT_BOOL(0, "progress", &show_progress,
			"show progress (default: on a terminal)"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	struct model_source src = { MMP_BUF_INIT, { 0 }, 0, "" };
	struct batch_state st = { NULL };
	char *keep_list = NULL, **keep_cols = NULL;
	mmp_batch_result r;
	mmp_model *m = NULL;
	mmp_buf store_path = MMP_BUF_INIT;
	struct sigaction sa;
	int err, ret = EXIT_OK;

	argc = parse_options(argc, argv, opts, batch_usage, 0);
	check_name_option("--run-name", "run name", o.run_name);
	check_name_option("--experiment", "experiment name", o.experiment);
	if (argc)
		usage_msg_opt("too many arguments", batch_usage, opts);
	if (!!model + !!run + !!dir != 1)
		usage_msg_opt("give exactly one of --model, --run and "
			"--model-dir", batch_usage, opts);
	if (!o.input || !o.output)
		usage_msg_opt("--input and --output are required",
			batch_usage, opts);
	if (mmp_batch_format_parse(&o.format, format) < 0)
		usage_msg_opt(mmp_error_last()->message, batch_usage, opts);
	if (!strcmp(on_error, "skip"))
		o.on_error = MMP_CSV_BAD_ROWS_SKIP;
	else if (strcmp(on_error, "fail"))
		usage_msg_opt("--on-error takes skip or fail", batch_usage,
			opts);
	if (mode && !strcmp(mode, "append"))
		o.mode = MMP_SINK_APPEND;
	else if (mode && strcmp(mode, "replace"))
		usage_msg_opt("--mode takes replace or append", batch_usage,
			opts);
	if (mode && mmp_source_kind_of(o.output) == MMP_SOURCE_FILE)
		usage_msg_opt("--mode needs a database --output", batch_usage,
			opts);
	if (o.query && o.table)
		usage_msg_opt("give --query or --table, not both",
			batch_usage, opts);
	if (threads < 0 || chunk < 0)
		usage_msg_opt("--threads and --chunk-rows take a positive "
			"number", batch_usage, opts);
	if (json && !strcmp(o.output, "-"))
		usage_msg_opt("--json prints on standard output: write the "
			"predictions to a file", batch_usage, opts);
	if (keep) {
		/* "a,b,c": the column names, none empty */
		size_t n = 1;
		char *p;

		if (!(keep_list = strdup(keep)))
			die("out of memory");
		for (p = keep_list; *p; p++)
			n += *p == ',';
		if (!(keep_cols = calloc(n, sizeof(*keep_cols))))
			die("out of memory");
		for (p = keep_list; p; ) {
			char *comma = strchr(p, ',');
			if (comma)
				*comma = '\0';
			if (!*p)
				usage_msg_opt("--keep takes column names "
					"separated by commas", batch_usage,
					opts);
			keep_cols[o.nkeep++] = p;
			p = comma ? comma + 1 : NULL;
		}
		o.keep = (const char *const *)keep_cols;
	}
	o.nthreads = (unsigned int)threads;
	o.chunk_rows = (size_t)chunk;
	o.proba = proba;
	o.evaluate = evaluate;

	if (locate_model(&src, ctx, model, run, dir)) {
		ret = EXIT_FAIL;
		goto done;
	}
	/* a model directory is recorded when there is a store to do it */
	if (model || run || mmp_store_locate(&store_path,
	    ctx->store_path) == 0)
		o.store = ctx_store(ctx);
	mmp_error_clear();
	if (mmp_model_load_dir_schema(&m, src.dir.ptr, schema) < 0) {
		ret = error_lib("cannot load the model in '%s'", src.dir.ptr);
		goto done;
	}
	if (ctx->verbosity > 0) {
		mmp_buf what = MMP_BUF_INIT, esc = MMP_BUF_INIT;

		mmp_model_predictor_describe(&what, m);
		term_escape(&esc, what.ptr);
		fprintf(stderr, "predictor: %s\n", esc.ptr);
		mmp_buf_dispose(&what);
		mmp_buf_dispose(&esc);
	}
	o.model_dir = src.dir.ptr;
	if (src.from_registry) {
		o.model_name = src.ref.name;
		o.model_version = src.ref.version;
	}
	if (src.run_id[0])
		o.model_run_id = src.run_id;
	if (o.id_column && !o.store) {
		error("--id logs predictions in the store, and there is "
			"none: run 'mmp init' or give --store");
		ret = EXIT_FAIL;
		goto done;
	}
	/* the rows digest is printed with --json, recorded with a store */
	o.skip_rows_digest = !json;
	o.progress = on_progress;
	o.payload = &st;
	if (show_progress < 0)
		show_progress = ctx->verbosity >= 0 && isatty(2);
	if (show_progress)
		st.meter = progress_start("predicting");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = mmp_batch_run(&r, m, &o);
	progress_stop(&st.meter);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (err == MMP_EINTERRUPTED) {
		error("interrupted after %llu rows%s%s%s",
			(unsigned long long)(r.rows_out + r.skipped),
			strcmp(o.output, "-") ? "; no output was written" : "",
			r.run_id[0] ? "; run " : "", r.run_id);
		ret = EXIT_INTERRUPTED;
	} else if (err < 0) {
		error("%s", mmp_error_last()->message);
		ret = EXIT_FAIL;
	} else if (json) {
		print_json(&r, &o, &src);
	} else if (ctx->verbosity >= 0) {
		print_summary(&r);
	}
	mmp_batch_result_release(&r);
done:
	mmp_model_free(m);
	mmp_model_ref_release(&src.ref);
	mmp_buf_dispose(&src.dir);
	mmp_buf_dispose(&store_path);
	free(keep_cols);
	free(keep_list);
	return ret;
}
