/* SPDX-License-Identifier: MIT */
/* models.c: mmp models list/show/lineage/compare/delete/export/pull */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "models-annotate.h"
#include "registry-common.h"

static const char *const models_usage[] = {
	"mmp models [list] [--columns <list>] [--json]",
	"mmp models show <model> [<version>] [--json]",
	"mmp models lineage <model>@<ref> [--json]",
	"mmp models compare <model> <version> <version> [--json]",
	"mmp models delete <model> <version> [--force] [--by <name>]",
	"mmp models export <model>@<ref> <dir> [--json]",
	"mmp models describe <model> [<version>] <text> [--by <name>]",
	"mmp models tag <model> [<version>] [<key>=<value>...] "
	"[--unset <key>]...",
	"    [--by <name>]",
	"mmp models dockerfile <model>@<ref> <dir> [--json]",
	"mmp models pull <models-uri> [--as <name>] [--tracking-uri <uri>]",
	"    [--retries <n>] [--json]",
	NULL
};

static const char *const list_usage[] = {
	"mmp models [list] [--columns <list>] [--json]", NULL
};
static const char *const show_usage[] = {
	"mmp models show <model> [<version>] [--json]", NULL
};
static const char *const lineage_usage[] = {
	"mmp models lineage <model>@<ref> [--json]", NULL
};
static const char *const compare_usage[] = {
	"mmp models compare <model> <version> <version> [--json]", NULL
};
static const char *const delete_usage[] = {
	"mmp models delete <model> <version> [--force] [--by <name>]", NULL
};
static const char *const export_usage[] = {
	"mmp models export <model>@<ref> <dir> [--json]", NULL
};
static const char *const pull_usage[] = {
	"mmp models pull <models-uri> [--as <name>] [--tracking-uri <uri>]",
	"    [--retries <n>] [--json]",
	NULL
};

static const char *decision_of(const mmp_model_version *v)
{
	return v->approval ? mmp_decision_name(v->approval->decision) : "-";
}

static void aliases_text(mmp_buf *b, const mmp_model_version *v)
{
	size_t i;

	for (i = 0; i < v->aliases_nr; i++)
		mmp_buf_printf(b, "%s%s", i ? "," : "", v->aliases[i]);
	if (!v->aliases_nr)
		mmp_buf_puts(b, "-");
}

static cJSON *model_json(const mmp_registered_model *m)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	size_t i;

	cJSON_AddStringToObject(o, "name", m->name);
	cJSON_AddStringToObject(o, "description", m->description);
	cJSON_AddNumberToObject(o, "creation_time", (double)m->creation_time);
	cJSON_AddNumberToObject(o, "last_updated_time",
		(double)m->last_updated_time);
	cJSON_AddNumberToObject(o, "latest_version", m->versions_nr ?
		(double)m->versions[m->versions_nr - 1]->version : 0);
	arr = cJSON_AddObjectToObject(o, "tags");
	for (i = 0; i < m->tags_nr; i++)
		cJSON_AddStringToObject(arr, m->tags[i].key, m->tags[i].value);
	arr = cJSON_AddArrayToObject(o, "versions");
	for (i = 0; i < m->versions_nr; i++)
		cJSON_AddItemToArray(arr, reg_version_json(m->versions[i]));
	return o;
}

static int models_list(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const char *columns = NULL;
	const struct option opts[] = {
		OPT_STRING(0, "columns", &columns, "<list>", COLUMNS_HELP),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_registered_model_list *l = NULL;
	struct table t;
	const char *h[] = { "MODEL", "VERSIONS", "LATEST", "PRODUCTION",
		"STAGING", "UPDATED" };
	size_t i, j;

	argc = parse_options(argc, argv, opts, list_usage, 0);
	if (argc)
		usage_msg_opt("'mmp models list' takes no arguments",
			list_usage, opts);
	table_init(&t, 6, h);
	{
		static const size_t keep[] = { 1, 2, 5 };  /* VERSIONS, LATEST,
							      UPDATED */
		table_keep(&t, keep, 3);
	}
	if (table_select(&t, columns) < 0) {
		table_release(&t);
		return EXIT_USAGE;
	}
	if (mmp_registry_list(&l, ctx_store_read(ctx)) < 0)
		{
		table_release(&t);
		return error_lib("cannot list models");
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "models");
		for (i = 0; i < l->count; i++)
			cJSON_AddItemToArray(arr, model_json(l->items[i]));
		json_print(doc);
		mmp_registered_model_list_free(l);
		table_release(&t);
		return 0;
	}
	for (i = 0; i < l->count; i++) {
		const mmp_registered_model *m = l->items[i];
		mmp_buf prod = MMP_BUF_INIT, stg = MMP_BUF_INIT;
		char when[32];

		for (j = 0; j < m->versions_nr; j++) {
			const mmp_model_version *v = m->versions[j];
			if (v->stage == MMP_STAGE_PRODUCTION)
				mmp_buf_printf(&prod, "v%lld",
					(long long)v->version);
			if (v->stage == MMP_STAGE_STAGING)
				mmp_buf_printf(&stg, "%sv%lld", stg.size ?
					"," : "", (long long)v->version);
		}
		reg_fmt_time(when, m->last_updated_time);
		table_addf(&t, 0, "%s", m->name);
		table_addf(&t, 1, "%zu", m->versions_nr);
		if (m->versions_nr)
			table_addf(&t, 2, "v%lld", (long long)
				m->versions[m->versions_nr - 1]->version);
		else
			table_addf(&t, 2, "-");
		table_addf(&t, 3, "%s", prod.size ? prod.ptr : "-");
		table_addf(&t, 4, "%s", stg.size ? stg.ptr : "-");
		table_addf(&t, 5, "%s", when);
		mmp_buf_dispose(&prod);
		mmp_buf_dispose(&stg);
	}
	if (l->count)
		table_print(&t, stdout, ctx);
	table_release(&t);
	mmp_registered_model_list_free(l);
	return 0;
}

static const mmp_run_metric *find_metric(const mmp_run *r, const char *k)
{
	size_t i;

	for (i = 0; r && i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, k))
			return &r->metrics[i];
	return NULL;
}

static const char *find_param(const mmp_run *r, const char *k)
{
	size_t i;

	for (i = 0; r && i < r->params_nr; i++)
		if (!strcmp(r->params[i].key, k))
			return r->params[i].value;
	return NULL;
}

/* the version's latest `mmp monitor` check: JSON, or NULL when none */
static cJSON *monitor_json(mmp_store *s, const char *name, int64_t version)
{
	mmp_monitor_latest l;
	cJSON *o;
	char when[32];

	if (mmp_monitor_latest_status(&l, s, name, version) < 0) {
		mmp_error_clear();
		return cJSON_CreateNull();
	}
	o = cJSON_CreateObject();
	reg_fmt_time(when, l.time);
	cJSON_AddStringToObject(o, "status", mmp_monitor_status_name(l.status));
	cJSON_AddStringToObject(o, "run_id", l.run_id);
	cJSON_AddNumberToObject(o, "time", (double)l.time);
	cJSON_AddStringToObject(o, "time_iso", when);
	return o;
}

/* the same as text: "alert (run 1a2b3c4d, <time>)", or "-" */
static void monitor_text(mmp_buf *out, mmp_store *s, const char *name,
	int64_t version, int brief)
{
	mmp_monitor_latest l;
	char when[32];

	if (mmp_monitor_latest_status(&l, s, name, version) < 0) {
		mmp_error_clear();
		mmp_buf_puts(out, "-");
		return;
	}
	reg_fmt_time(when, l.time);
	mmp_buf_puts(out, mmp_monitor_status_name(l.status));
	if (!brief)
		mmp_buf_printf(out, " (run %.8s, %s)", l.run_id, when);
}

static void show_version(const mmp_model_version *v, const mmp_run *r,
	mmp_store *s)
{
	mmp_buf al = MMP_BUF_INIT, mon = MMP_BUF_INIT;
	char when[32], num[32];
	size_t i;

	aliases_text(&al, v);
	reg_fmt_time(when, v->creation_time);
	printf("model:       %s\nversion:     %lld\nstage:       %s\n"
		"aliases:     %s\napproval:    %s\n", tsafe(v->name),
		(long long)v->version, mmp_stage_name(v->stage), al.ptr,
		decision_of(v));
	if (v->approval)
		printf("  reason:    %s\n  by:        %s\n",
			tsafe(v->approval->reason), tsafe(v->approval->actor));
	monitor_text(&mon, s, v->name, v->version, 0);
	printf("monitor:     %s\n", mon.ptr);
	mmp_buf_dispose(&mon);
	printf("run:         %s%s%s\nregistered:  %s by %s\n"
		"model dir:   %s\n", v->run_id, r ? " " : "",
		r ? tsafe(r->name) : "", when, tsafe(v->user_id),
		tsafe(v->model_dir));
	if (v->description && *v->description)
		printf("description: %s\n", tsafe(v->description));
	for (i = 0; i < v->tags_nr; i++)
		printf("tag:         %s=%s\n", tsafe(v->tags[i].key),
			tsafe(v->tags[i].value));
	if (r && r->metrics_nr) {
		printf("metrics:\n");
		for (i = 0; i < r->metrics_nr; i++) {
			mmp_fmt_double(num, r->metrics[i].value);
			printf("  %-18s %s\n", tsafe(r->metrics[i].key), num);
		}
	}
	mmp_buf_dispose(&al);
}

static cJSON *metrics_json(const mmp_run *r)
{
	cJSON *m = cJSON_CreateObject();
	size_t i;

	for (i = 0; r && i < r->metrics_nr; i++)
		json_add_number(m, r->metrics[i].key, r->metrics[i].value);
	return m;
}

static int models_show(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_registered_model *m = NULL;
	mmp_model_version *one = NULL;
	mmp_store *s;
	int64_t version = 0;
	size_t i;
	int ret = 0;

	argc = parse_options(argc, argv, opts, show_usage, 0);
	if (argc < 1 || argc > 2)
		usage_msg_opt("'mmp models show' takes a model and maybe a "
			"version", show_usage, opts);
	if (argc == 2 && reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	s = ctx_store_read(ctx);
	if (version) {
		mmp_run *r = NULL;

		if (mmp_registry_version_get(&one, s, argv[0], version) < 0)
			return error_lib("cannot show %s version %lld",
				argv[0], (long long)version);
		if (mmp_run_get(&r, s, one->run_id) < 0)
			mmp_error_clear();
		if (json) {
			cJSON *doc = json_doc_new();
			cJSON *v = reg_version_json(one);
			cJSON_AddItemToObject(v, "metrics", metrics_json(r));
			cJSON_AddItemToObject(v, "monitor", monitor_json(s,
				one->name, one->version));
			cJSON_AddItemToObject(doc, "model_version", v);
			json_print(doc);
		} else {
			show_version(one, r, s);
		}
		mmp_run_free(r);
		mmp_model_version_free(one);
		return 0;
	}
	if (mmp_registry_model_get(&m, s, argv[0]) < 0)
		return error_lib("cannot show model '%s'", argv[0]);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *mo = model_json(m);
		cJSON *arr = cJSON_GetObjectItem(mo, "versions");

		for (i = 0; i < m->versions_nr; i++) {
			mmp_run *r = NULL;
			if (mmp_run_get(&r, s, m->versions[i]->run_id) < 0)
				mmp_error_clear();
			cJSON_AddItemToObject(cJSON_GetArrayItem(arr, (int)i),
				"metrics", metrics_json(r));
			cJSON_AddItemToObject(cJSON_GetArrayItem(arr, (int)i),
				"monitor", monitor_json(s, m->name,
				m->versions[i]->version));
			mmp_run_free(r);
		}
		cJSON_AddItemToObject(doc, "model", mo);
		json_print(doc);
	} else {
		struct table t;
		const char *h[] = { "VERSION", "STAGE", "ALIASES", "APPROVAL",
			"RUN", "REGISTERED", "MONITOR" };

		printf("model: %s\n", tsafe(m->name));
		if (m->description && *m->description)
			printf("description: %s\n", tsafe(m->description));
		for (i = 0; i < m->tags_nr; i++)
			printf("tag:         %s=%s\n", tsafe(m->tags[i].key),
				tsafe(m->tags[i].value));
		table_init(&t, 7, h);
		for (i = 0; i < m->versions_nr; i++) {
			const mmp_model_version *v = m->versions[i];
			mmp_buf al = MMP_BUF_INIT;
			char when[32];

			aliases_text(&al, v);
			reg_fmt_time(when, v->creation_time);
			table_addf(&t, 0, "v%lld", (long long)v->version);
			table_addf(&t, 1, "%s", mmp_stage_name(v->stage));
			table_addf(&t, 2, "%s", al.ptr);
			table_addf(&t, 3, "%s", decision_of(v));
			table_addf(&t, 4, "%.8s", v->run_id);
			table_addf(&t, 5, "%s", when);
			mmp_buf_clear(&al);
			monitor_text(&al, s, v->name, v->version, 1);
			table_addf(&t, 6, "%s", al.ptr);
			mmp_buf_dispose(&al);
		}
		if (m->versions_nr)
			table_print(&t, stdout, ctx);
		table_release(&t);
	}
	mmp_registered_model_free(m);
	return ret;
}

static void add_opt_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int models_lineage(int argc, const char **argv,
	struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_model_lineage *l = NULL;
	const mmp_run *r;
	size_t i;

	argc = parse_options(argc, argv, opts, lineage_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp models lineage' takes one model reference",
			lineage_usage, opts);
	if (mmp_registry_lineage(&l, ctx_store_read(ctx), argv[0]) < 0)
		return error_lib("cannot trace '%s'", argv[0]);
	r = l->run;
	if (json) {
		cJSON *doc = json_doc_new(), *ds, *run, *git;

		cJSON_AddItemToObject(doc, "model_version",
			reg_version_json(l->version));
		run = cJSON_AddObjectToObject(doc, "run");
		cJSON_AddStringToObject(run, "run_id", r->run_id);
		cJSON_AddStringToObject(run, "run_name", r->name);
		cJSON_AddStringToObject(run, "experiment",
			r->experiment_name);
		cJSON_AddStringToObject(run, "status", r->status);
		ds = cJSON_AddArrayToObject(doc, "datasets");
		for (i = 0; i < r->datasets_nr; i++) {
			cJSON *d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "name", r->datasets[i].name);
			cJSON_AddStringToObject(d, "digest",
				r->datasets[i].digest);
			add_opt_str(d, "source", r->datasets[i].source);
			add_opt_str(d, "context", r->datasets[i].context);
			cJSON_AddItemToArray(ds, d);
		}
		add_opt_str(doc, "recipe_path", l->recipe_path);
		add_opt_str(doc, "recipe_sha256", l->recipe_sha256);
		git = cJSON_AddObjectToObject(doc, "git");
		add_opt_str(git, "commit", l->git_commit);
		add_opt_str(git, "branch", l->git_branch);
		if (l->git_dirty < 0)
			cJSON_AddNullToObject(git, "dirty");
		else
			cJSON_AddBoolToObject(git, "dirty", l->git_dirty);
		json_print(doc);
	} else {
		printf("model version: %s v%lld (%s)\n",
			tsafe(l->version->name),
			(long long)l->version->version,
			mmp_stage_name(l->version->stage));
		printf("run:           %s %s (%s, experiment %s)\n",
			r->run_id, tsafe(r->name), r->status,
			tsafe(r->experiment_name));
		for (i = 0; i < r->datasets_nr; i++)
			printf("dataset:       %s sha256:%s%s%s\n",
				tsafe(r->datasets[i].name),
				r->datasets[i].digest,
				r->datasets[i].context ? " " : "",
				r->datasets[i].context ?
				tsafe(r->datasets[i].context) : "");
		printf("recipe:        %s sha256:%s\n",
			l->recipe_path ? tsafe(l->recipe_path) : "-",
			l->recipe_sha256 ? l->recipe_sha256 : "-");
		printf("git commit:    %s%s\n",
			l->git_commit ? l->git_commit : "-",
			l->git_dirty > 0 ? " (dirty)" : l->git_dirty == 0 ?
			" (clean)" : "");
	}
	mmp_model_lineage_free(l);
	return 0;
}

/* one row of a comparison: a param or a metric of both runs */
static void compare_row(struct table *t, cJSON *arr, const char *kind,
	const char *key, const mmp_run *a, const mmp_run *b)
{
	cJSON *o = cJSON_CreateObject();
	char x[32] = "-", y[32] = "-", d[32] = "-";

	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "key", key);
	if (!strcmp(kind, "metric")) {
		const mmp_run_metric *ma = find_metric(a, key);
		const mmp_run_metric *mb = find_metric(b, key);

		if (ma) {
			mmp_fmt_double(x, ma->value);
			json_add_number(o, "a", ma->value);
		} else {
			cJSON_AddNullToObject(o, "a");
		}
		if (mb) {
			mmp_fmt_double(y, mb->value);
			json_add_number(o, "b", mb->value);
		} else {
			cJSON_AddNullToObject(o, "b");
		}
		if (ma && mb && isfinite(ma->value) && isfinite(mb->value)) {
			double delta = mb->value - ma->value;
			snprintf(d, sizeof(d), "%+.6g", delta);
			cJSON_AddNumberToObject(o, "delta", delta);
		} else {
			cJSON_AddNullToObject(o, "delta");
		}
	} else {
		const char *pa = find_param(a, key), *pb = find_param(b, key);

		snprintf(x, sizeof(x), "%.31s", pa ? pa : "-");
		snprintf(y, sizeof(y), "%.31s", pb ? pb : "-");
		add_opt_str(o, "a", pa);
		add_opt_str(o, "b", pb);
		cJSON_AddBoolToObject(o, "changed", !pa || !pb ||
			strcmp(pa, pb));
		snprintf(d, sizeof(d), "%s", pa && pb && !strcmp(pa, pb) ?
			"" : "changed");
	}
	cJSON_AddItemToArray(arr, o);
	table_addf(t, 0, "%s.%s", !strcmp(kind, "metric") ? "metrics" :
		"params", key);
	table_addf(t, 1, "%s", x);
	table_addf(t, 2, "%s", y);
	table_addf(t, 3, "%s", d);
}

static int has_key(const char *const *keys, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void compare_kind(struct table *t, cJSON *arr, const char *kind,
	const mmp_run *a, const mmp_run *b)
{
	const char **keys;
	size_t n = 0, i, cap;
	int metric = !strcmp(kind, "metric");

	cap = metric ? a->metrics_nr + b->metrics_nr :
		a->params_nr + b->params_nr;
	keys = calloc(cap ? cap : 1, sizeof(*keys));
	if (!keys)
		die("out of memory");
	for (i = 0; i < (metric ? a->metrics_nr : a->params_nr); i++) {
		const char *k = metric ? a->metrics[i].key : a->params[i].key;
		if (!has_key(keys, n, k))
			keys[n++] = k;
	}
	for (i = 0; i < (metric ? b->metrics_nr : b->params_nr); i++) {
		const char *k = metric ? b->metrics[i].key : b->params[i].key;
		if (!has_key(keys, n, k))
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	for (i = 0; i < n; i++)
		compare_row(t, arr, kind, keys[i], a, b);
	free(keys);
}

static int models_compare(int argc, const char **argv,
	struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_model_version *va = NULL, *vb = NULL;
	mmp_run *ra = NULL, *rb = NULL;
	int64_t a, b;
	mmp_store *s;
	struct table t;
	const char *h[4];
	char ha[32], hb[32];
	cJSON *doc, *rows;
	int ret = EXIT_FAIL;

	argc = parse_options(argc, argv, opts, compare_usage, 0);
	if (argc != 3)
		usage_msg_opt("'mmp models compare' takes a model and two "
			"versions", compare_usage, opts);
	if (reg_parse_version(&a, argv[1]) < 0 ||
	    reg_parse_version(&b, argv[2]) < 0)
		return EXIT_USAGE;
	s = ctx_store_read(ctx);
	if (mmp_registry_version_get(&va, s, argv[0], a) < 0 ||
	    mmp_registry_version_get(&vb, s, argv[0], b) < 0) {
		error_lib("cannot compare %s versions", argv[0]);
		goto done;
	}
	if (mmp_run_get(&ra, s, va->run_id) < 0 ||
	    mmp_run_get(&rb, s, vb->run_id) < 0) {
		error_lib("cannot read the source runs");
		goto done;
	}
	snprintf(ha, sizeof(ha), "V%lld", (long long)a);
	snprintf(hb, sizeof(hb), "V%lld", (long long)b);
	h[0] = "KEY";
	h[1] = ha;
	h[2] = hb;
	h[3] = "DELTA";
	table_init(&t, 4, h);
	doc = json_doc_new();
	cJSON_AddStringToObject(doc, "name", argv[0]);
	cJSON_AddNumberToObject(doc, "a", (double)a);
	cJSON_AddNumberToObject(doc, "b", (double)b);
	rows = cJSON_AddArrayToObject(doc, "rows");
	compare_kind(&t, rows, "metric", ra, rb);
	compare_kind(&t, rows, "param", ra, rb);
	if (json) {
		json_print(doc);
	} else {
		cJSON_Delete(doc);
		table_print(&t, stdout, ctx);
	}
	table_release(&t);
	ret = 0;
done:
	mmp_run_free(ra);
	mmp_run_free(rb);
	mmp_model_version_free(va);
	mmp_model_version_free(vb);
	return ret;
}

static int models_delete(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *by = NULL;
	int force = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "force", &force,
			"delete even while it holds a stage or an alias"),
		OPT_STRING(0, "by", &by, "<name>",
			"who deletes it ($MMP_USER, else the OS user)"),
		OPT_END()
	};
	int64_t version;

	argc = parse_options(argc, argv, opts, delete_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp models delete' takes a model and a "
			"version", delete_usage, opts);
	if (reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	if (mmp_registry_version_delete(ctx_store(ctx), argv[0], version,
			force, by) < 0)
		return error_lib("cannot delete %s version %lld", argv[0],
			(long long)version);
	printf("deleted %s version %lld\n", tsafe(argv[0]),
		(long long)version);
	return 0;
}

static int models_export(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_model_ref r;

	argc = parse_options(argc, argv, opts, export_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp models export' takes a model reference "
			"and a directory", export_usage, opts);
	if (mmp_registry_export(ctx_store(ctx), argv[0], argv[1]) < 0)
		return error_lib("cannot export '%s' to '%s'", argv[0],
			argv[1]);
	if (mmp_registry_resolve(&r, ctx_store(ctx), argv[0]) < 0) {
		mmp_model_ref_release(&r);
		return error_lib("cannot resolve '%s'", argv[0]);
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "name", r.name);
		cJSON_AddNumberToObject(doc, "version", (double)r.version);
		cJSON_AddStringToObject(doc, "stage", mmp_stage_name(r.stage));
		cJSON_AddStringToObject(doc, "dir", argv[1]);
		json_print(doc);
	} else {
		printf("exported %s version %lld to %s\n", tsafe(r.name),
			(long long)r.version, tsafe(argv[1]));
	}
	mmp_model_ref_release(&r);
	return 0;
}

static int models_pull(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *as = NULL, *uri = NULL;
	int json = 0, retries = -1;
	const struct option opts[] = {
		OPT_STRING(0, "as", &as, "<name>",
			"register it locally under this name"),
		OPT_STRING(0, "tracking-uri", &uri, "<uri>",
			"the MLflow server (default: tracking.uri)"),
		OPT_INTEGER(0, "retries", &retries, "<n>",
			"retries of a failed request (default 4)"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	mmp_pull_options o = MMP_PULL_OPTIONS_INIT;
	mmp_http_options http = MMP_HTTP_OPTIONS_INIT;
	mmp_pull_result r;
	int err;

	argc = parse_options(argc, argv, opts, pull_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp models pull' takes one models:/ URI",
			pull_usage, opts);
	if (retries < -1 || retries > 100)
		usage_msg_opt("--retries must be between 0 and 100",
			pull_usage, opts);
	if (!(o.tracking_uri = ctx_tracking_uri(ctx, uri)))
		return EXIT_FAIL;
	mmp_http_options_from_env(&http);
	o.http = &http;
	o.local_name = as;
	o.max_attempts = retries >= 0 ? retries + 1 : 0;
	err = mmp_models_pull(&r, ctx_store(ctx), argv[0], &o);
	if (err < 0) {
		mmp_pull_result_release(&r);
		return error_lib("cannot pull '%s'", argv[0]);
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "remote", r.remote);
		cJSON_AddStringToObject(doc, "name", r.name);
		cJSON_AddStringToObject(doc, "remote_version",
			r.remote_version);
		if (r.remote_run_id)
			cJSON_AddStringToObject(doc, "remote_run_id",
				r.remote_run_id);
		else
			cJSON_AddNullToObject(doc, "remote_run_id");
		if (r.source)
			cJSON_AddStringToObject(doc, "source", r.source);
		else
			cJSON_AddNullToObject(doc, "source");
		cJSON_AddStringToObject(doc, "local_name", r.local_name);
		cJSON_AddNumberToObject(doc, "version",
			(double)r.local_version);
		cJSON_AddStringToObject(doc, "run_id", r.run_id);
		cJSON_AddStringToObject(doc, "model_dir", r.model_dir);
		cJSON_AddBoolToObject(doc, "already_pulled", r.already);
		cJSON_AddNumberToObject(doc, "files", (double)r.files);
		cJSON_AddNumberToObject(doc, "bytes", (double)r.bytes);
		cJSON_AddNumberToObject(doc, "requests", (double)r.requests);
		json_print(doc);
	} else if (ctx->verbosity >= 0) {
		if (r.already)
			printf("%s version %s from %s is %s version %lld "
				"already; nothing transferred\n",
				tsafe(r.name), tsafe(r.remote_version),
				tsafe(r.remote), tsafe(r.local_name),
				(long long)r.local_version);
		else
			printf("pulled %s version %s from %s (%zu files, "
				"%llu bytes) as %s version %lld\n",
				tsafe(r.name), tsafe(r.remote_version),
				tsafe(r.remote), r.files,
				(unsigned long long)r.bytes,
				tsafe(r.local_name),
				(long long)r.local_version);
	}
	mmp_pull_result_release(&r);
	return 0;
}

int cmd_models(int argc, const char **argv, struct mmp_ctx *ctx)
{
	static const struct mmp_subcmd subs[] = {
		{ "compare", models_compare },
		{ "delete", models_delete },
		{ "describe", models_describe },
		{ "dockerfile", models_dockerfile },
		{ "export", models_export },
		{ "lineage", models_lineage },
		{ "list", models_list },
		{ "pull", models_pull },
		{ "show", models_show },
		{ "tag", models_tag },
		{ NULL, NULL }
	};
	const struct option opts[] = { OPT_END() };

	return run_subcommand_default(argc, argv, ctx, subs, "list",
		models_usage, opts);
}
