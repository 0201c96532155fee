/* SPDX-License-Identifier: MIT */
/* runs.c: mmp runs list/show/compare/history/mark-failed */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "output.h"
#include "runs-manage.h"
#include "mmp/store.h"

#define RUNS_LIST_DEFAULT_MAX 100
#define LIST_METRIC_COLUMNS 3

static const char *const runs_usage[] = {
	"mmp runs list [--experiment <name>] [--kind <kind>]... "
	"[--filter <expr>]",
	"    [--order-by <key>]... [--max <n>] [--all] [--deleted]",
	"    [--local | --remote] [--columns <list>] [--json]",
	"mmp runs show <run> [--json]",
	"mmp runs compare <run> <run>... [--all] [--json | --md]",
	"mmp runs history <run> <key> [--json]",
	"mmp runs mark-failed <run>",
	"mmp runs delete <run>... [--json]",
	"mmp runs restore <run>... [--json]",
	"mmp runs tag <run> [<key>=<value>...] [--unset <key>]...",
	"mmp runs note <run> <text>",
	"mmp runs rename <run> <name>",
	NULL
};

static const char *const list_usage[] = {
	"mmp runs list [--experiment <name>] [--kind <kind>]... "
	"[--filter <expr>]",
	"    [--order-by <key>]... [--max <n>] [--all] [--deleted]",
	"    [--local | --remote] [--columns <list>] [--json]",
	NULL
};

static const char *const show_usage[] = {
	"mmp runs show <run> [--json]",
	NULL
};

static const char *const compare_usage[] = {
	"mmp runs compare <run> <run>... [--all] [--json | --md]",
	NULL
};

static const char *const history_usage[] = {
	"mmp runs history <run> <key> [--json]",
	NULL
};

static const char *const mark_failed_usage[] = {
	"mmp runs mark-failed <run>",
	NULL
};

/* --- formatting --- */

/* ISO 8601 in UTC, "2026-11-23T18:34:52Z", or "-" */
static void fmt_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "-");
}

static void fmt_duration(char out[32], const mmp_run *r)
{
	int64_t ms, s;

	if (!r->end_time) {
		snprintf(out, 32, "-");
		return;
	}
	ms = r->end_time - r->start_time;
	if (ms < 0)
		ms = 0;
	s = ms / 1000;
	if (ms < 1000)
		snprintf(out, 32, "%lldms", (long long)ms);
	else if (s < 60)
		snprintf(out, 32, "%.1fs", (double)ms / 1000.0);
	else if (s < 3600)
		snprintf(out, 32, "%lldm%02llds", (long long)(s / 60),
			(long long)(s % 60));
	else
		snprintf(out, 32, "%lldh%02lldm", (long long)(s / 3600),
			(long long)(s % 3600 / 60));
}

static const char *status_text(const mmp_run *r, char buf[32])
{
	if (r->dead) {
		snprintf(buf, 32, "%s (dead)", r->status);
		return buf;
	}
	if (r->lifecycle_stage && !strcmp(r->lifecycle_stage, "deleted")) {
		snprintf(buf, 32, "%s (deleted)", r->status);
		return buf;
	}
	return r->status;
}

/* the shortest abbreviation (at least 8) that keeps `ids` unique */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int abbrev_len(const mmp_run_list *l)
{
	const char **ids;
	size_t i;
	int len = 8;

	if (l->count < 2)
		return len;
	ids = calloc(l->count, sizeof(*ids));
	if (!ids)
		die("out of memory");
	for (i = 0; i < l->count; i++)
		ids[i] = l->runs[i]->run_id;
	qsort(ids, l->count, sizeof(*ids), cmp_str);
	for (i = 1; i < l->count; i++) {
		int k = 0;
		while (k < 32 && ids[i][k] == ids[i - 1][k])
			k++;
		if (k + 1 > len)
			len = k + 1;
	}
	free(ids);
	return len > 32 ? 32 : len;
}

static const mmp_run_metric *find_metric(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key))
			return &r->metrics[i];
	return NULL;
}

static const char *find_kv(const mmp_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

/*
 * A metric for a human table: whole numbers (counts, rounds) as
 * integers, others with 4 decimals; --json keeps full precision.
 */
static void fmt_metric(char out[32], double v)
{
	if (!isfinite(v))
		mmp_fmt_double(out, v);
	else if (v == trunc(v) && fabs(v) < 1e15)
		snprintf(out, 32, "%.0f", v);
	else
		snprintf(out, 32, "%.4f", v);
}

/* --- JSON --- */

static cJSON *number_item(double v)
{
	if (isnan(v))
		return cJSON_CreateString("NaN");
	if (isinf(v))
		return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
	return cJSON_CreateNumber(v);
}

static void add_int_or_null(cJSON *o, const char *key, int64_t v)
{
	if (v)
		cJSON_AddNumberToObject(o, key, (double)v);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *run_json(const mmp_run *r, int details)
{
	cJSON *o = cJSON_CreateObject(), *p, *m;
	size_t i;

	cJSON_AddStringToObject(o, "run_id", r->run_id);
	cJSON_AddStringToObject(o, "run_name", r->name);
	cJSON_AddNumberToObject(o, "experiment_id", (double)r->experiment_id);
	cJSON_AddStringToObject(o, "experiment_name", r->experiment_name);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddBoolToObject(o, "dead", r->dead);
	cJSON_AddStringToObject(o, "lifecycle_stage", r->lifecycle_stage);
	cJSON_AddStringToObject(o, "kind", r->kind);
	cJSON_AddNumberToObject(o, "start_time", (double)r->start_time);
	add_int_or_null(o, "end_time", r->end_time);
	if (r->end_time)
		cJSON_AddNumberToObject(o, "duration_ms",
			(double)(r->end_time - r->start_time));
	else
		cJSON_AddNullToObject(o, "duration_ms");
	cJSON_AddStringToObject(o, "user_id", r->user_id);
	cJSON_AddStringToObject(o, "source_name", r->source_name);
	cJSON_AddStringToObject(o, "source_type", r->source_type);
	cJSON_AddStringToObject(o, "artifact_uri", r->artifact_uri);
	add_str_or_null(o, "parent_run_id", r->parent_run_id);
	add_int_or_null(o, "pid", r->pid);
	add_str_or_null(o, "hostname", r->hostname);
	add_int_or_null(o, "heartbeat_time", r->heartbeat_time);
	cJSON_AddBoolToObject(o, "remote", r->origin != NULL);
	add_str_or_null(o, "origin", r->origin);
	add_str_or_null(o, "remote_run_id", r->remote_run_id);
	add_str_or_null(o, "artifacts_unknown", r->artifacts_unknown);

	p = cJSON_AddObjectToObject(o, "params");
	for (i = 0; i < r->params_nr; i++)
		cJSON_AddStringToObject(p, r->params[i].key,
			r->params[i].value);
	p = cJSON_AddObjectToObject(o, "metrics");
	for (i = 0; i < r->metrics_nr; i++) {
		m = cJSON_AddObjectToObject(p, r->metrics[i].key);
		json_add_number(m, "value", r->metrics[i].value);
		cJSON_AddNumberToObject(m, "step", (double)r->metrics[i].step);
		cJSON_AddNumberToObject(m, "timestamp",
			(double)r->metrics[i].timestamp);
	}
	p = cJSON_AddObjectToObject(o, "tags");
	for (i = 0; i < r->tags_nr; i++)
		cJSON_AddStringToObject(p, r->tags[i].key, r->tags[i].value);
	if (!details)
		return o;

	p = cJSON_AddArrayToObject(o, "datasets");
	for (i = 0; i < r->datasets_nr; i++) {
		const mmp_dataset_input *d = &r->datasets[i];
		cJSON *schema = d->schema ? cJSON_Parse(d->schema) : NULL;
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "name", d->name);
		cJSON_AddStringToObject(m, "digest", d->digest);
		add_str_or_null(m, "source", d->source);
		add_str_or_null(m, "source_type", d->source_type);
		if (d->rows >= 0)
			cJSON_AddNumberToObject(m, "rows", (double)d->rows);
		else
			cJSON_AddNullToObject(m, "rows");
		if (d->columns >= 0)
			cJSON_AddNumberToObject(m, "columns",
				(double)d->columns);
		else
			cJSON_AddNullToObject(m, "columns");
		if (schema)
			cJSON_AddItemToObject(m, "schema", schema);
		else
			cJSON_AddNullToObject(m, "schema");
		cJSON_AddStringToObject(m, "context", d->context);
		cJSON_AddItemToArray(p, m);
	}
	p = cJSON_AddArrayToObject(o, "artifacts");
	for (i = 0; i < r->artifacts_nr; i++) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "path", r->artifacts[i].path);
		cJSON_AddNumberToObject(m, "size",
			(double)r->artifacts[i].size);
		cJSON_AddStringToObject(m, "sha256", r->artifacts[i].sha256);
		cJSON_AddItemToArray(p, m);
	}
	return o;
}

/* resolve a user's run argument or print the error; returns 0 or -1 */
static int resolve(mmp_store *s, const char *arg, char out[33])
{
	if (!*arg) {
		/* an empty argument is a usage error, like a missing one */
		error("a run must be given as an id, a prefix or a name, "
			"not an empty string");
		exit(EXIT_USAGE);
	}
	if (mmp_run_resolve(s, arg, out) < 0) {
		error("%s", mmp_error_last()->message);
		return -1;
	}
	return 0;
}

/* --- list --- */

struct key_count {
	const char *key;
	size_t n;
};

static int cmp_key_count(const void *a, const void *b)
{
	const struct key_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* "<metric>_ci_low" / "<metric>_ci_high": a bootstrap interval's ends,
 * shown beside the metric rather than as metrics of their own */
static size_t interval_base(const char *key)
{
	size_t n = strlen(key);

	if (n > 7 && !strcmp(key + n - 7, "_ci_low"))
		return n - 7;
	if (n > 8 && !strcmp(key + n - 8, "_ci_high"))
		return n - 8;
	return 0;
}

static const mmp_run_metric *interval_end(const mmp_run *r,
	const char *metric, const char *end)
{
	char key[256];

	snprintf(key, sizeof(key), "%s_ci_%s", metric, end);
	return find_metric(r, key);
}

/* the metric columns: ordered-by metrics first, then the most common */
static size_t pick_metrics(const mmp_run_list *l,
	const struct string_list *order, const char **out, size_t max)
{
	struct key_count *kc = NULL;
	size_t nr = 0, alloc = 0, n = 0, i, j, k;

	for (i = 0; i < order->nr && n < max; i++) {
		const char *o = order->items[i], *dot = strchr(o, '.');
		char *key;
		size_t len;
		if (!dot || (strncmp(o, "metrics.", 8) &&
		    strncmp(o, "metric.", 7)))
			continue;
		len = strcspn(dot + 1, " ");
		key = strndup(dot + 1, len);
		for (j = 0; j < l->count && key; j++) {
			const mmp_run_metric *m = find_metric(l->runs[j], key);
			if (m) {
				out[n++] = m->key;
				break;
			}
		}
		free(key);
	}
	for (i = 0; i < l->count; i++)
		for (j = 0; j < l->runs[i]->metrics_nr; j++) {
			const char *key = l->runs[i]->metrics[j].key;
			if (interval_base(key))
				continue;
			for (k = 0; k < nr; k++)
				if (!strcmp(kc[k].key, key))
					break;
			if (k == nr) {
				if (nr == alloc) {
					alloc = alloc ? alloc * 2 : 16;
					kc = realloc(kc, alloc * sizeof(*kc));
					if (!kc)
						die("out of memory");
				}
				kc[nr].key = key;
				kc[nr++].n = 0;
			}
			kc[k].n++;
		}
	if (nr)
		qsort(kc, nr, sizeof(*kc), cmp_key_count);
	for (k = 0; k < nr && n < max; k++) {
		for (j = 0; j < n; j++)
			if (!strcmp(out[j], kc[k].key))
				break;
		if (j == n)
			out[n++] = kc[k].key;
	}
	free(kc);
	return n;
}

static int is_trial_of(const mmp_run *t, const mmp_run *study)
{
	return !strcmp(t->kind, "trial") && !strcmp(study->kind, "tune") &&
		t->parent_run_id && !strcmp(t->parent_run_id, study->run_id);
}

/*
 * Put every trial whose study is listed right after that study, in the
 * list's order; `nested[i]` (returned, malloc'd) marks those trials.
 */
static unsigned char *nest_trials(mmp_run_list *l)
{
	size_t n = l->count, i, j, k = 0;
	mmp_run **out = calloc(n ? n : 1, sizeof(*out));
	unsigned char *inner = calloc(n ? n : 1, 1);
	unsigned char *nested = calloc(n ? n : 1, 1);

	if (!out || !inner || !nested)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (!strcmp(l->runs[i]->kind, "tune"))
			for (j = 0; j < n; j++)
				if (is_trial_of(l->runs[j], l->runs[i]))
					inner[j] = 1;
	for (i = 0; i < n; i++) {
		if (inner[i])
			continue;
		out[k++] = l->runs[i];
		if (strcmp(l->runs[i]->kind, "tune"))
			continue;
		for (j = 0; j < n; j++)
			if (inner[j] && is_trial_of(l->runs[j], l->runs[i])) {
				nested[k] = 1;
				out[k++] = l->runs[j];
			}
	}
	if (n)   /* an empty list may have no array at all */
		memcpy(l->runs, out, n * sizeof(*out));
	free(out);
	free(inner);
	return nested;
}

/* --columns names the fixed columns, or metrics (picked even when they
 * are not among the most common) */
static const char *const list_fixed[] = { "RUN", "NAME", "EXPERIMENT",
	"KIND", "STATUS", "START", "DURATION" };
#define LIST_FIXED (sizeof(list_fixed) / sizeof(list_fixed[0]))

static size_t columns_metrics(const mmp_run_list *l, const char *spec,
	const char **out, size_t max, char ***owned)
{
	size_t n = 0, i, j;
	const char *p = spec;

	*owned = calloc(max + 1, sizeof(**owned));
	if (!*owned)
		die("out of memory");
	while (*p && n < max) {
		size_t len = strcspn(p, ",");
		int fixed = 0;

		for (j = 0; j < LIST_FIXED; j++)
			if (strlen(list_fixed[j]) == len &&
			    !strncasecmp(list_fixed[j], p, len))
				fixed = 1;
		for (i = 0; !fixed && len && i < l->count; i++)
			for (j = 0; j < l->runs[i]->metrics_nr; j++) {
				const char *k = l->runs[i]->metrics[j].key;
				if (strlen(k) == len && !strncmp(k, p, len))
					goto found;
			}
		p += len + (p[len] == ',');
		continue;
found:
		(*owned)[n] = strndup(p, len);
		if (!(*owned)[n])
			die("out of memory");
		out[n] = (*owned)[n];
		n++;
		p += len + (p[len] == ',');
	}
	return n;
}

static int print_list(const mmp_run_list *l, const struct string_list *order,
	const unsigned char *nested, const char *columns, struct mmp_ctx *ctx)
{
	/* RUN, KIND, STATUS, START and DURATION are never cut */
	static const size_t keep[] = { 0, 3, 4, 5, 6 };
	const char *headers[LIST_FIXED + LIST_METRIC_COLUMNS];
	const char *mkeys[LIST_METRIC_COLUMNS];
	char **owned = NULL;
	size_t nm, i, j;
	int ab = abbrev_len(l), ret = 0;
	struct table t;

	if (columns)
		nm = columns_metrics(l, columns, mkeys, LIST_METRIC_COLUMNS,
			&owned);
	else
		nm = pick_metrics(l, order, mkeys, LIST_METRIC_COLUMNS);
	for (j = 0; j < LIST_FIXED; j++)
		headers[j] = list_fixed[j];
	for (j = 0; j < nm; j++)
		headers[LIST_FIXED + j] = mkeys[j];
	table_init(&t, LIST_FIXED + nm, headers);
	table_keep(&t, keep, sizeof(keep) / sizeof(keep[0]));
	if (table_select(&t, columns) < 0) {
		ret = EXIT_USAGE;
		goto done;
	}
	for (j = 0; j < nm; j++)
		t.right[LIST_FIXED + j] = 1;
	for (i = 0; i < l->count; i++) {
		const mmp_run *r = l->runs[i];
		char when[32], dur[32], st[32];

		fmt_time(when, r->start_time);
		fmt_duration(dur, r);
		table_addf(&t, 0, "%.*s", ab, r->run_id);
		/* a trial listed with its study sits under it */
		table_addf(&t, 1, "%s%s", nested[i] ? "  " : "",
			r->name);
		table_addf(&t, 2, "%s", r->experiment_name);
		table_addf(&t, 3, "%s%s", r->kind, r->origin ? " (remote)" :
			"");
		table_addf(&t, 4, "%s", status_text(r, st));
		table_addf(&t, 5, "%s", when);
		table_addf(&t, 6, "%s", dur);
		for (j = 0; j < nm; j++) {
			const mmp_run_metric *m = find_metric(r, mkeys[j]);
			char v[32];
			if (m)
				fmt_metric(v, m->value);
			table_addf(&t, LIST_FIXED + j, "%s", m ? v : "-");
		}
	}
	table_print(&t, stdout, ctx);
done:
	table_release(&t);
	for (j = 0; owned && owned[j]; j++)
		free(owned[j]);
	free(owned);
	return ret;
}

/* the kinds of run mmp records; train and tune are listed by default */
static const char *const run_kinds[] = {
	"train", "tune", "trial", "batch-inference", "monitor", NULL
};

/* does the filter name the kind attribute itself? */
static int filter_names_kind(const char *f)
{
	const char *p;

	for (p = f; p && (p = strcasestr(p, "kind")); p += 4) {
		const char *q = p + 4;

		if (p > f && (p[-1] == '.' || p[-1] == '`' || p[-1] == '"') &&
		    (!*q || !(isalnum((unsigned char)*q) || *q == '_')))
			return 1;
	}
	return 0;
}

/*
 * The kinds to list into `out` (borrowed strings; none: every kind):
 * --kind (all: every kind), else train runs and studies unless the
 * filter chooses kinds itself.
 */
static size_t pick_kinds(const char **out, const struct string_list *kinds,
	const char *filter)
{
	size_t i;

	for (i = 0; i < kinds->nr; i++)
		if (!strcmp(kinds->items[i], "all"))
			return 0;
	for (i = 0; i < kinds->nr; i++)
		out[i] = kinds->items[i];
	if (kinds->nr || (filter && filter_names_kind(filter)))
		return kinds->nr;
	out[0] = "train";
	out[1] = "tune";
	return 2;
}

static int runs_list(int argc, const char **argv, struct mmp_ctx *ctx)
{
	struct string_list exps = STRING_LIST_INIT, order = STRING_LIST_INIT;
	struct string_list kinds = STRING_LIST_INIT;
	const char **kind_list = NULL;
	unsigned char *nested = NULL;
	const char *filter = NULL, *columns = NULL;
	int max = -1, all = 0, deleted = 0, json = 0, ret = 0;
	int local = 0, remote = 0;
	const struct option opts[] = {
		OPT_STRING_LIST(0, "experiment", &exps, "<name>",
			"only runs of this experiment (repeatable)"),
		OPT_STRING_LIST(0, "kind", &kinds, "<kind>",
			"train, tune, trial, batch-inference, monitor or "
			"all (repeatable; default: train and tune)"),
		OPT_STRING(0, "filter", &filter, "<expr>",
			"an MLflow filter, e.g. \"metrics.auc > 0.9\""),
		OPT_STRING_LIST(0, "order-by", &order, "<key>",
			"e.g. \"metrics.auc DESC\" (repeatable)"),
		OPT_INTEGER(0, "max", &max, "<n>",
			"show at most <n> runs (default 100)"),
		OPT_BOOL(0, "all", &all,
			"no default limit, and include deleted runs"),
		OPT_BOOL(0, "deleted", &deleted, "include deleted runs"),
		OPT_BOOL(0, "local", &local, "only this store's own runs"),
		OPT_BOOL(0, "remote", &remote,
			"only runs mirrored by 'mmp sync --pull'"),
		OPT_STRING(0, "columns", &columns, "<list>", COLUMNS_HELP),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	mmp_run_list *l = NULL;
	size_t i;

	argc = parse_options(argc, argv, opts, list_usage, 0);
	if (argc)
		usage_msg_opt("'mmp runs list' takes no arguments", list_usage,
			opts);
	if (max != -1 && max <= 0)
		usage_msg_opt("option '--max' expects a positive number",
			list_usage, opts);
	if (local && remote)
		usage_msg_opt("--local and --remote cannot be combined",
			list_usage, opts);
	for (i = 0; i < kinds.nr; i++) {
		const char *k = kinds.items[i];
		size_t j;

		for (j = 0; run_kinds[j] && strcmp(k, run_kinds[j]); j++)
			;
		if (run_kinds[j] || !strcmp(k, "all"))
			continue;
		usage_msg_opt("option '--kind' expects train, tune, trial, "
			"batch-inference, monitor or all", list_usage, opts);
	}
	kind_list = calloc(kinds.nr + 2, sizeof(*kind_list));
	if (!kind_list)
		die("out of memory");
	q.kinds = kind_list;
	q.kinds_nr = pick_kinds(kind_list, &kinds, filter);
	q.experiments = exps.items;
	q.experiments_nr = exps.nr;
	q.filter = filter;
	q.order_by = order.items;
	q.order_by_nr = order.nr;
	q.max_results = max > 0 ? (size_t)max
		: all ? 0 : RUNS_LIST_DEFAULT_MAX;
	q.include_deleted = all || deleted;
	q.origin = local ? MMP_RUNS_LOCAL : remote ? MMP_RUNS_REMOTE :
		MMP_RUNS_ALL;
	if (mmp_runs_search(&l, ctx_store_read(ctx), &q) < 0) {
		error("%s", mmp_error_last()->message);
		ret = EXIT_FAIL;
		goto done;
	}
	nested = nest_trials(l);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "runs");
		for (i = 0; i < l->count; i++)
			cJSON_AddItemToArray(arr, run_json(l->runs[i], 0));
		json_print(doc);
	} else if (l->count) {
		ret = print_list(l, &order, nested, columns, ctx);
	}
done:
	free(nested);
	mmp_run_list_free(l);
	free(kind_list);
	string_list_release(&exps);
	string_list_release(&order);
	string_list_release(&kinds);
	return ret;
}

/* --- show --- */

static void show_human(const mmp_run *r)
{
	char a[32], b[32], st[32];
	size_t i;

	printf("%-12s %s\n", "run", r->run_id);
	printf("%-12s %s\n", "name", tsafe(r->name));
	printf("%-12s %s (%lld)\n", "experiment", tsafe(r->experiment_name),
		(long long)r->experiment_id);
	printf("%-12s %s\n", "status", status_text(r, st));
	printf("%-12s %s\n", "kind", r->kind);
	if (r->origin)
		printf("%-12s %s, run %s (read-only mirror)\n", "remote",
			tsafe(r->origin), tsafe(r->remote_run_id));
	if (r->artifacts_unknown)
		printf("%-12s unknown: %s\n", "artifacts",
			tsafe(r->artifacts_unknown));
	printf("%-12s %s\n", "user", tsafe(r->user_id));
	if (*r->source_name)
		printf("%-12s %s (%s)\n", "source", tsafe(r->source_name),
			r->source_type);
	fmt_time(a, r->start_time);
	fmt_time(b, r->end_time);
	printf("%-12s %s\n", "start", a);
	printf("%-12s %s\n", "end", b);
	fmt_duration(a, r);
	printf("%-12s %s\n", "duration", a);
	if (r->parent_run_id)
		printf("%-12s %s\n", "parent", tsafe(r->parent_run_id));
	if (r->hostname)
		printf("%-12s %s (pid %lld)\n", "host", tsafe(r->hostname),
			(long long)r->pid);
	printf("%-12s %s\n", "artifacts", tsafe(r->artifact_uri));

	if (r->params_nr)
		printf("\nparams:\n");
	for (i = 0; i < r->params_nr; i++)
		printf("  %-24s %s\n", tsafe(r->params[i].key),
			tsafe(r->params[i].value));
	if (r->metrics_nr)
		printf("\nmetrics:\n");
	for (i = 0; i < r->metrics_nr; i++) {
		const char *key = r->metrics[i].key;
		const mmp_run_metric *lo = interval_end(r, key, "low");
		const mmp_run_metric *hi = interval_end(r, key, "high");
		size_t base = interval_base(key);
		char l[32], h[32];

		if (base) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)base, key);
			if (find_metric(r, name))
				continue;
		}
		fmt_metric(a, r->metrics[i].value);
		if (lo && hi) {
			fmt_metric(l, lo->value);
			fmt_metric(h, hi->value);
			printf("  %-24s %s [%s, %s] (step %lld)\n", tsafe(key),
				a, l, h, (long long)r->metrics[i].step);
		} else {
			printf("  %-24s %s (step %lld)\n", tsafe(key), a,
				(long long)r->metrics[i].step);
		}
	}
	if (r->tags_nr)
		printf("\ntags:\n");
	for (i = 0; i < r->tags_nr; i++)
		printf("  %-24s %s\n", tsafe(r->tags[i].key),
			tsafe(r->tags[i].value));
	if (r->datasets_nr)
		printf("\ndatasets:\n");
	for (i = 0; i < r->datasets_nr; i++) {
		const mmp_dataset_input *d = &r->datasets[i];
		printf("  %s (%s) digest %s, %lld rows x %lld columns",
			tsafe(d->name), *d->context ? tsafe(d->context) :
			"no context",
			d->digest, (long long)d->rows, (long long)d->columns);
		if (d->source)
			printf(", from %s", tsafe(d->source));
		putchar('\n');
	}
	if (r->artifacts_nr)
		printf("\nartifacts:\n");
	for (i = 0; i < r->artifacts_nr; i++)
		printf("  %-32s %10lld  %.12s\n", r->artifacts[i].path,
			(long long)r->artifacts[i].size,
			r->artifacts[i].sha256);
}

static int runs_show(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_store *s;
	mmp_run *r;
	char id[33];

	argc = parse_options(argc, argv, opts, show_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp runs show' takes one run", show_usage,
			opts);
	s = ctx_store_read(ctx);
	if (resolve(s, argv[0], id) < 0)
		return EXIT_FAIL;
	if (mmp_run_get(&r, s, id) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddItemToObject(doc, "run", run_json(r, 1));
		json_print(doc);
	} else {
		show_human(r);
	}
	mmp_run_free(r);
	return 0;
}

/* --- compare --- */

struct row {
	char *key;          /* "params.x" or "metrics.y" */
	int metric;
	const char *name;   /* the key without its prefix */
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->metric != y->metric)
		return x->metric - y->metric;
	return strcmp(x->name, y->name);
}

static void add_row(struct row **rows, size_t *nr, size_t *alloc,
	const char *name, int metric)
{
	size_t i;
	struct row *r;

	for (i = 0; i < *nr; i++)
		if ((*rows)[i].metric == metric && !strcmp((*rows)[i].name,
				name))
			return;
	if (*nr == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		*rows = realloc(*rows, *alloc * sizeof(**rows));
		if (!*rows)
			die("out of memory");
	}
	r = &(*rows)[(*nr)++];
	r->metric = metric;
	r->name = name;
	if (asprintf(&r->key, "%s.%s", metric ? "metrics" : "params",
			name) < 0)
		die("out of memory");
}

/* the text of a cell; `delta` gets the difference to the first run */
static const char *cell(const mmp_run *r, const struct row *row,
	char buf[32], const double **mv)
{
	const mmp_run_metric *m;

	*mv = NULL;
	if (!row->metric)
		return find_kv(r->params, r->params_nr, row->name);
	m = find_metric(r, row->name);
	if (!m)
		return NULL;
	*mv = &m->value;
	mmp_fmt_double(buf, m->value);
	return buf;
}

static int row_differs(mmp_run **runs, size_t n, const struct row *row)
{
	char a[32], b[32];
	const double *mv;
	const char *first = cell(runs[0], row, a, &mv);
	size_t i;

	for (i = 1; i < n; i++) {
		const char *v = cell(runs[i], row, b, &mv);
		if (!first || !v || strcmp(first, v))
			return 1;
	}
	return 0;
}

static void md_escape(mmp_buf *b, const char *s)
{
	for (s = tsafe(s); *s; s++) {
		if (*s == '|')
			mmp_buf_putc(b, '\\');
		mmp_buf_putc(b, *s == '\n' ? ' ' : *s);
	}
}

static void fmt_cell(mmp_buf *b, mmp_run **runs, size_t i,
	const struct row *row)
{
	char buf[32], b0[32];
	const double *mv, *mv0;
	const char *v = cell(runs[i], row, buf, &mv);

	if (!v) {
		mmp_buf_puts(b, "-");
		return;
	}
	if (mv) {
		fmt_metric(buf, *mv);
		v = buf;
	}
	mmp_buf_puts(b, v);
	if (i && mv) {
		cell(runs[0], row, b0, &mv0);
		if (mv0 && isfinite(*mv) && isfinite(*mv0))
			mmp_buf_printf(b, " (%+.4f)", *mv - *mv0);
	}
}

static void compare_json(mmp_run **runs, size_t n, struct row *rows,
	size_t nrows, int all)
{
	cJSON *doc = json_doc_new(), *arr, *o, *vals, *deltas;
	size_t i, j;

	arr = cJSON_AddArrayToObject(doc, "runs");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "run_id", runs[i]->run_id);
		cJSON_AddStringToObject(o, "run_name", runs[i]->name);
		cJSON_AddBoolToObject(o, "remote", runs[i]->origin != NULL);
		add_str_or_null(o, "origin", runs[i]->origin);
		add_str_or_null(o, "remote_run_id", runs[i]->remote_run_id);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(doc, "rows");
	for (j = 0; j < nrows; j++) {
		int differs = row_differs(runs, n, &rows[j]);
		if (!differs && !all)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", rows[j].key);
		cJSON_AddStringToObject(o, "type",
			rows[j].metric ? "metric" : "param");
		cJSON_AddBoolToObject(o, "differs", differs);
		vals = cJSON_AddArrayToObject(o, "values");
		deltas = rows[j].metric ? cJSON_AddArrayToObject(o, "deltas")
			: NULL;
		for (i = 0; i < n; i++) {
			char buf[32];
			const double *mv, *mv0;
			const char *v = cell(runs[i], &rows[j], buf, &mv);
			if (!v)
				cJSON_AddItemToArray(vals, cJSON_CreateNull());
			else if (mv)
				cJSON_AddItemToArray(vals, number_item(*mv));
			else
				cJSON_AddItemToArray(vals,
					cJSON_CreateString(v));
			if (!deltas)
				continue;
			cell(runs[0], &rows[j], buf, &mv0);
			if (mv && mv0 && isfinite(*mv) && isfinite(*mv0))
				cJSON_AddItemToArray(deltas,
					cJSON_CreateNumber(*mv - *mv0));
			else
				cJSON_AddItemToArray(deltas,
					cJSON_CreateNull());
		}
		cJSON_AddItemToArray(arr, o);
	}
	json_print(doc);
}

static void compare_text(mmp_run **runs, size_t n, struct row *rows,
	size_t nrows, int all, int md, struct mmp_ctx *ctx)
{
	const char **headers = calloc(n + 1, sizeof(*headers));
	char **heads = calloc(n, sizeof(*heads));
	mmp_buf b = MMP_BUF_INIT;
	struct table t;
	size_t i, j, shown = 0;

	if (!headers || !heads)
		die("out of memory");
	headers[0] = "KEY";
	for (i = 0; i < n; i++) {
		if (asprintf(&heads[i], "%.8s %s%s", runs[i]->run_id,
				runs[i]->name, runs[i]->origin ? " (remote)" :
				"") < 0)
			die("out of memory");
		headers[i + 1] = heads[i];
	}
	if (md) {
		mmp_buf_puts(&b, "| key |");
		for (i = 0; i < n; i++) {
			mmp_buf_putc(&b, ' ');
			md_escape(&b, heads[i]);
			mmp_buf_puts(&b, " |");
		}
		mmp_buf_puts(&b, "\n|---|");
		for (i = 0; i < n; i++)
			mmp_buf_puts(&b, "---|");
		mmp_buf_putc(&b, '\n');
	}
	table_init(&t, n + 1, headers);
	for (j = 0; j < nrows; j++) {
		if (!all && !row_differs(runs, n, &rows[j]))
			continue;
		shown++;
		if (md) {
			mmp_buf_puts(&b, "| ");
			md_escape(&b, rows[j].key);
			mmp_buf_puts(&b, " |");
		} else {
			table_addf(&t, 0, "%s", rows[j].key);
		}
		for (i = 0; i < n; i++) {
			mmp_buf c = MMP_BUF_INIT;
			fmt_cell(&c, runs, i, &rows[j]);
			if (md) {
				mmp_buf_putc(&b, ' ');
				md_escape(&b, c.ptr);
				mmp_buf_puts(&b, " |");
			} else {
				table_addf(&t, i + 1, "%s", c.ptr);
			}
			mmp_buf_dispose(&c);
		}
		if (md)
			mmp_buf_putc(&b, '\n');
	}
	if (md)
		fputs(b.ptr, stdout);
	else if (shown)
		table_print(&t, stdout, ctx);
	if (!shown)
		info(ctx, "the runs have the same params and metrics%s",
			all ? "" : " (use --all to list them)");
	table_release(&t);
	mmp_buf_dispose(&b);
	for (i = 0; i < n; i++)
		free(heads[i]);
	free(heads);
	free(headers);
}

static int runs_compare(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int all = 0, json = 0, md = 0, ret = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "all", &all, "also the rows that do not differ"),
		OPT__JSON(&json),
		OPT_BOOL(0, "md", &md, "print a Markdown table"),
		OPT_END()
	};
	mmp_run **runs;
	struct row *rows = NULL;
	size_t nrows = 0, alloc = 0, n, i, j;
	mmp_store *s;

	argc = parse_options(argc, argv, opts, compare_usage, 0);
	if (argc < 2)
		usage_msg_opt("'mmp runs compare' needs at least two runs",
			compare_usage, opts);
	if (json && md)
		usage_msg_opt("options '--json' and '--md' cannot be used "
			"together", compare_usage, opts);
	s = ctx_store_read(ctx);
	n = (size_t)argc;
	runs = calloc(n, sizeof(*runs));
	if (!runs)
		die("out of memory");
	for (i = 0; i < n; i++) {
		char id[33];
		if (resolve(s, argv[i], id) < 0 ||
		    (mmp_run_get(&runs[i], s, id) < 0 &&
		     error("%s", mmp_error_last()->message))) {
			ret = EXIT_FAIL;
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < runs[i]->params_nr; j++)
			add_row(&rows, &nrows, &alloc,
				runs[i]->params[j].key, 0);
		for (j = 0; j < runs[i]->metrics_nr; j++)
			add_row(&rows, &nrows, &alloc,
				runs[i]->metrics[j].key, 1);
	}
	if (nrows)
		qsort(rows, nrows, sizeof(*rows), cmp_row);
	if (json)
		compare_json(runs, n, rows, nrows, all);
	else
		compare_text(runs, n, rows, nrows, all, md, ctx);
done:
	for (i = 0; i < nrows; i++)
		free(rows[i].key);
	free(rows);
	for (i = 0; i < n; i++)
		mmp_run_free(runs[i]);
	free(runs);
	return ret;
}

/* --- history --- */

static int runs_history(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	const char *headers[] = { "STEP", "VALUE", "TIMESTAMP" };
	mmp_metric_history *l;
	mmp_store *s;
	char id[33];
	size_t i;

	argc = parse_options(argc, argv, opts, history_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp runs history' takes a run and a metric "
			"key", history_usage, opts);
	s = ctx_store_read(ctx);
	if (resolve(s, argv[0], id) < 0)
		return EXIT_FAIL;
	if (mmp_run_metric_history(&l, s, id, argv[1]) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	if (json) {
		cJSON *doc = json_doc_new(), *arr, *o;
		cJSON_AddStringToObject(doc, "run_id", id);
		cJSON_AddStringToObject(doc, "key", argv[1]);
		arr = cJSON_AddArrayToObject(doc, "history");
		for (i = 0; i < l->count; i++) {
			o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "step",
				(double)l->items[i].step);
			json_add_number(o, "value", l->items[i].value);
			cJSON_AddNumberToObject(o, "timestamp",
				(double)l->items[i].timestamp);
			cJSON_AddItemToArray(arr, o);
		}
		json_print(doc);
	} else {
		struct table t;
		table_init(&t, 3, headers);
		t.right[0] = t.right[1] = 1;
		for (i = 0; i < l->count; i++) {
			char v[32], when[32];
			fmt_metric(v, l->items[i].value);
			fmt_time(when, l->items[i].timestamp);
			table_addf(&t, 0, "%lld", (long long)l->items[i].step);
			table_addf(&t, 1, "%s", v);
			table_addf(&t, 2, "%s", when);
		}
		table_print(&t, stdout, ctx);
		table_release(&t);
	}
	mmp_metric_history_free(l);
	return 0;
}

/* --- mark-failed --- */

static int runs_mark_failed(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = { OPT_END() };
	mmp_store *s;
	mmp_run *r;
	char id[33];
	int ret = 0;

	argc = parse_options(argc, argv, opts, mark_failed_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp runs mark-failed' takes one run",
			mark_failed_usage, opts);
	s = ctx_store(ctx);
	if (resolve(s, argv[0], id) < 0)
		return EXIT_FAIL;
	if (mmp_run_get(&r, s, id) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	if (strcmp(r->status, "RUNNING")) {
		error("run '%s' is not running (it is %s)", id, r->status);
		ret = EXIT_FAIL;
	} else if (mmp_run_end(s, id, "FAILED", "marked failed with "
			"'mmp runs mark-failed'") < 0) {
		error("%s", mmp_error_last()->message);
		ret = EXIT_FAIL;
	} else {
		info(ctx, "marked run %s FAILED", id);
	}
	mmp_run_free(r);
	return ret;
}

int cmd_runs(int argc, const char **argv, struct mmp_ctx *ctx)
{
	static const struct mmp_subcmd subs[] = {
		{ "compare", runs_compare },
		{ "delete", runs_delete },
		{ "history", runs_history },
		{ "list", runs_list },
		{ "mark-failed", runs_mark_failed },
		{ "note", runs_note },
		{ "rename", runs_rename },
		{ "restore", runs_restore },
		{ "show", runs_show },
		{ "tag", runs_tag },
		{ NULL, NULL }
	};
	const struct option opts[] = { OPT_END() };

	return run_subcommand(argc, argv, ctx, subs, runs_usage, opts);
}
