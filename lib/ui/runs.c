/* SPDX-License-Identifier: MIT */
/* runs.c: the runs page: filter, sort, columns, paging, selection */
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

#define PER_DEFAULT 50
#define PER_MAX 500
#define MAX_COLS 40
#define AUTO_METRICS 6

static const char *const kinds[] = {
	"train", "tune", "trial", "batch-inference"
};
static const char *const statuses[] = {
	"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
};
/* where runs come from: this store's own, or mirrored from a server */
static const char *const sources[] = { "local", "remote" };

/* what the page was asked for */
struct runs_q {
	const char *filter, *experiment, *kind, *status, *source, *sort;
	const char *cols[MAX_COLS];
	size_t ncols;
	size_t page, per;
	int auto_cols;
};

/* the built-in columns and what they sort by */
static const struct {
	const char *name, *sort;
} fixed[] = {
	{ "Run", "attributes.run_name" },
	{ "Experiment", NULL },
	{ "Source", NULL },
	{ "Kind", "attributes.kind" },
	{ "Status", "attributes.status" },
	{ "Start", "attributes.start_time" },
	{ "Duration", NULL },
};

static int in_list(const char *v, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

static size_t query_size(const mmp_serve_request *req, const char *key,
	size_t def, size_t lo, size_t hi)
{
	const char *v = mmp_serve_request_query(req, key);
	int64_t n;

	if (!v || mmp_parse_int64(v, &n) < 0)
		return def;
	if (n < (int64_t)lo)
		return lo;
	if (n > (int64_t)hi)
		return hi;
	return (size_t)n;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* the page's address with `sort` and `page` replaced */
static void runs_url(mmp_buf *b, const struct runs_q *q, const char *sort,
	size_t page)
{
	size_t i;

	mmp_buf_puts(b, "/runs?");
	if (q->filter) {
		mmp_buf_puts(b, "filter=");
		ui_u(b, q->filter);
		mmp_buf_putc(b, '&');
	}
	if (q->experiment) {
		mmp_buf_puts(b, "experiment=");
		ui_u(b, q->experiment);
		mmp_buf_putc(b, '&');
	}
	if (q->kind)
		mmp_buf_printf(b, "kind=%s&", q->kind);
	if (q->status)
		mmp_buf_printf(b, "status=%s&", q->status);
	if (q->source)
		mmp_buf_printf(b, "source=%s&", q->source);
	if (!q->auto_cols)
		for (i = 0; i < q->ncols; i++) {
			mmp_buf_puts(b, "col=");
			ui_u(b, q->cols[i]);
			mmp_buf_putc(b, '&');
		}
	if (sort) {
		mmp_buf_puts(b, "sort=");
		ui_u(b, sort);
		mmp_buf_putc(b, '&');
	}
	if (q->per != PER_DEFAULT)
		mmp_buf_printf(b, "per=%zu&", q->per);
	mmp_buf_printf(b, "page=%zu", page);
}

/* the same URL as an HTML attribute value */
static void runs_href(mmp_buf *b, const struct runs_q *q, const char *sort,
	size_t page)
{
	mmp_buf u = MMP_BUF_INIT;

	runs_url(&u, q, sort, page);
	ui_h(b, u.ptr);
	mmp_buf_dispose(&u);
}

static void select_box(mmp_buf *b, const char *name, const char *label,
	const char *const *opts, size_t n, const char *cur)
{
	size_t i;

	mmp_buf_printf(b, "<label for=\"%s\">%s</label><select id=\"%s\" "
		"name=\"%s\"><option value=\"\">any</option>", name, label,
		name, name);
	for (i = 0; i < n; i++)
		mmp_buf_printf(b, "<option%s>%s</option>",
			cur && !strcmp(cur, opts[i]) ? " selected" : "",
			opts[i]);
	mmp_buf_puts(b, "</select>");
}

static void filter_form(mmp_buf *b, const struct runs_q *q,
	const char *err)
{
	mmp_buf_puts(b, "<form class=\"filters\" method=\"get\" "
		"action=\"/runs\" role=\"search\"><div class=\"row\">"
		"<label for=\"filter\">Filter</label><input id=\"filter\" "
		"name=\"filter\" size=\"60\" spellcheck=\"false\" "
		"placeholder=\"metrics.auc &gt; 0.9 and params.max_depth = "
		"&#39;6&#39;\" value=\"");
	ui_h(b, q->filter);
	mmp_buf_puts(b, "\"");
	if (err)
		mmp_buf_puts(b, " aria-invalid=\"true\" "
			"aria-describedby=\"filter-error\"");
	mmp_buf_puts(b, "><label for=\"experiment\">Experiment</label>"
		"<input id=\"experiment\" name=\"experiment\" size=\"16\" "
		"value=\"");
	ui_h(b, q->experiment);
	mmp_buf_puts(b, "\">");
	select_box(b, "kind", "Kind", kinds, ARRAY_SIZE(kinds), q->kind);
	select_box(b, "status", "Status", statuses, ARRAY_SIZE(statuses),
		q->status);
	select_box(b, "source", "Source", sources, ARRAY_SIZE(sources),
		q->source);
	mmp_buf_puts(b, "<label for=\"sort\">Sort</label><input id=\"sort\" "
		"name=\"sort\" size=\"24\" spellcheck=\"false\" value=\"");
	ui_h(b, q->sort);
	mmp_buf_printf(b, "\"><label for=\"per\">Per page</label><input "
		"id=\"per\" name=\"per\" type=\"number\" min=\"10\" "
		"max=\"%d\" value=\"%zu\">", PER_MAX, q->per);
	if (!q->auto_cols) {
		size_t i;
		for (i = 0; i < q->ncols; i++) {
			mmp_buf_puts(b, "<input type=\"hidden\" name=\"col\" "
				"value=\"");
			ui_h(b, q->cols[i]);
			mmp_buf_puts(b, "\">");
		}
	}
	mmp_buf_puts(b, "<button type=\"submit\">Apply</button></div>");
	if (err) {
		mmp_buf_puts(b, "<p role=\"alert\" class=\"error\" "
			"id=\"filter-error\">");
		ui_h(b, err);
		mmp_buf_puts(b, "</p>");
	}
	mmp_buf_puts(b, "</form>\n");
}

static const char *kv_find(const mmp_kv *kv, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(kv[mid].key, key);
		if (!c)
			return kv[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const mmp_run_metric *metric_find(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key))
			return &r->metrics[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the first few metric keys of the page's runs, as "metrics.<key>" */
static void auto_columns(struct runs_q *q, const mmp_run_list *l,
	char **owned)
{
	const char **keys = NULL;
	size_t n = 0, alloc = 0, i, j;

	for (i = 0; i < l->count; i++)
		for (j = 0; j < l->runs[i]->metrics_nr; j++) {
			MMP_ALLOC_GROW(keys, n + 1, alloc);
			keys[n++] = l->runs[i]->metrics[j].key;
		}
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_str);
	q->ncols = 0;
	for (i = 0; i < n && q->ncols < AUTO_METRICS; i++) {
		mmp_buf b = MMP_BUF_INIT;

		if (i && !strcmp(keys[i], keys[i - 1]))
			continue;
		mmp_buf_printf(&b, "metrics.%s", keys[i]);
		owned[q->ncols] = mmp_buf_detach(&b);
		q->cols[q->ncols] = owned[q->ncols];
		q->ncols++;
	}
	free(keys);
}

static void cell(mmp_buf *b, const mmp_run *r, const char *col)
{
	const char *v = NULL;

	if (mmp_str_starts_with(col, "metrics.")) {
		const mmp_run_metric *m = metric_find(r, col + 8);
		mmp_buf_puts(b, "<td class=\"num\">");
		if (m)
			ui_num(b, m->value);
		mmp_buf_puts(b, "</td>");
		return;
	}
	if (mmp_str_starts_with(col, "params."))
		v = kv_find(r->params, r->params_nr, col + 7);
	else if (mmp_str_starts_with(col, "tags."))
		v = kv_find(r->tags, r->tags_nr, col + 5);
	mmp_buf_puts(b, "<td>");
	ui_h(b, v);
	mmp_buf_puts(b, "</td>");
}

/* a sortable column header: a link that toggles the direction */
static void header(mmp_buf *b, const struct runs_q *q, const char *label,
	const char *key, const char *sortkey)
{
	mmp_buf asc = MMP_BUF_INIT, desc = MMP_BUF_INIT;
	const char *aria = NULL, *next;

	if (!sortkey) {
		mmp_buf_puts(b, "<th scope=\"col\">");
		ui_h(b, label);
		mmp_buf_puts(b, "</th>");
		return;
	}
	mmp_buf_printf(&asc, "%s ASC", sortkey);
	mmp_buf_printf(&desc, "%s DESC", sortkey);
	if (q->sort && (!strcmp(q->sort, asc.ptr) ||
	    !strcmp(q->sort, sortkey)))
		aria = "ascending";
	else if (q->sort && !strcmp(q->sort, desc.ptr))
		aria = "descending";
	next = aria && !strcmp(aria, "descending") ? asc.ptr : desc.ptr;
	mmp_buf_puts(b, "<th scope=\"col\"");
	if (aria)
		mmp_buf_printf(b, " aria-sort=\"%s\"", aria);
	mmp_buf_puts(b, "><a href=\"");
	runs_href(b, q, next, 1);
	mmp_buf_puts(b, "\">");
	if (key) {
		const char *dot = strchr(key, '.');
		mmp_buf_puts(b, "<span class=\"dim\">");
		ui_hn(b, key, (size_t)(dot - key) + 1);
		mmp_buf_puts(b, "</span>");
		ui_h(b, dot + 1);
	} else {
		ui_h(b, label);
	}
	mmp_buf_printf(b, "%s</a></th>", aria ? (!strcmp(aria, "ascending") ?
		" \xe2\x96\xb2" : " \xe2\x96\xbc") : "");
	mmp_buf_dispose(&asc);
	mmp_buf_dispose(&desc);
}

static void run_row(mmp_buf *b, const mmp_run *r, const struct runs_q *q)
{
	size_t i;

	mmp_buf_printf(b, "<tr><td><input type=\"checkbox\" name=\"run\" "
		"value=\"%s\" id=\"sel-%s\" aria-label=\"select ", r->run_id,
		r->run_id);
	ui_h(b, r->name);
	mmp_buf_printf(b, "\"></td><th scope=\"row\"><a href=\"/runs/%s\">",
		r->run_id);
	ui_h(b, r->name && *r->name ? r->name : r->run_id);
	mmp_buf_printf(b, "</a> <code class=\"id\">%.8s</code></th><td>",
		r->run_id);
	ui_h(b, r->experiment_name);
	mmp_buf_puts(b, "</td><td>");
	if (r->origin) {
		/* a mirror: marked, with the server it came from */
		mmp_buf_puts(b, "<span class=\"badge remote\" title=\"a "
			"read-only mirror of run ");
		ui_h(b, r->remote_run_id);
		mmp_buf_puts(b, "\">remote</span> <span class=\"origin\">");
		ui_h(b, r->origin);
		mmp_buf_puts(b, "</span>");
	} else {
		mmp_buf_puts(b, "local");
	}
	mmp_buf_puts(b, "</td><td>");
	ui_h(b, r->kind);
	mmp_buf_printf(b, "</td><td><span class=\"status %s\"%s>%s</span>"
		"</td><td>", r->dead ? "DEAD" : r->status, r->origin &&
		!strcmp(r->status, "RUNNING") ? " title=\"at the last pull\"" :
		"", r->dead ? "DEAD" : r->status);
	ui_time(b, r->start_time);
	mmp_buf_puts(b, "</td><td class=\"num\">");
	if (r->end_time)
		ui_duration(b, r->end_time - r->start_time);
	else if (!strcmp(r->status, "RUNNING") && r->heartbeat_time)
		ui_duration(b, r->heartbeat_time - r->start_time);
	mmp_buf_puts(b, "</td>");
	for (i = 0; i < q->ncols; i++)
		cell(b, r, q->cols[i]);
	mmp_buf_puts(b, "</tr>\n");
}

/* the column chooser: every key seen on this page */
static void column_form(mmp_buf *b, const struct runs_q *q,
	const mmp_run_list *l)
{
	const char **keys = NULL;
	size_t n = 0, alloc = 0, i, j, k;

	for (i = 0; i < l->count; i++) {
		const mmp_run *r = l->runs[i];
		for (j = 0; j < r->metrics_nr + r->params_nr; j++) {
			mmp_buf kb = MMP_BUF_INIT;
			if (j < r->metrics_nr)
				mmp_buf_printf(&kb, "metrics.%s",
					r->metrics[j].key);
			else
				mmp_buf_printf(&kb, "params.%s",
					r->params[j - r->metrics_nr].key);
			MMP_ALLOC_GROW(keys, n + 1, alloc);
			keys[n++] = mmp_buf_detach(&kb);
		}
	}
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_str);
	mmp_buf_puts(b, "<details class=\"columns\"><summary>Columns"
		"</summary><form method=\"get\" action=\"/runs\"><fieldset>"
		"<legend>Show these columns</legend>");
	for (i = 0, k = 0; i < n; i++) {
		int on = 0;

		if (i && !strcmp(keys[i], keys[i - 1]))
			continue;
		for (j = 0; j < q->ncols; j++)
			on |= !strcmp(q->cols[j], keys[i]);
		mmp_buf_printf(b, "<label><input type=\"checkbox\" "
			"name=\"col\" value=\"");
		ui_h(b, keys[i]);
		mmp_buf_printf(b, "\"%s> ", on ? " checked" : "");
		ui_h(b, keys[i]);
		mmp_buf_puts(b, "</label>");
		k++;
	}
	for (i = 0; i < n; i++)
		free((char *)keys[i]);
	free(keys);
	if (q->filter) {
		mmp_buf_puts(b, "<input type=\"hidden\" name=\"filter\" "
			"value=\"");
		ui_h(b, q->filter);
		mmp_buf_puts(b, "\">");
	}
	if (q->experiment) {
		mmp_buf_puts(b, "<input type=\"hidden\" name=\"experiment\" "
			"value=\"");
		ui_h(b, q->experiment);
		mmp_buf_puts(b, "\">");
	}
	if (q->kind)
		mmp_buf_printf(b, "<input type=\"hidden\" name=\"kind\" "
			"value=\"%s\">", q->kind);
	if (q->status)
		mmp_buf_printf(b, "<input type=\"hidden\" name=\"status\" "
			"value=\"%s\">", q->status);
	if (q->source)
		mmp_buf_printf(b, "<input type=\"hidden\" name=\"source\" "
			"value=\"%s\">", q->source);
	if (q->sort) {
		mmp_buf_puts(b, "<input type=\"hidden\" name=\"sort\" "
			"value=\"");
		ui_h(b, q->sort);
		mmp_buf_puts(b, "\">");
	}
	mmp_buf_puts(b, "</fieldset><button type=\"submit\">Show</button>"
		"</form></details>\n");
}

void ui_page_runs(struct ui_ctx *c)
{
	struct runs_q q;
	mmp_run_query rq = MMP_RUN_QUERY_INIT;
	mmp_buf full = MMP_BUF_INIT, *b = c->out;
	mmp_run_list *l = NULL;
	char *owned[MAX_COLS] = { NULL };
	const char *exps[1], *order[1], *err = NULL;
	size_t total = 0, i, pages, mirrored_running = 0;
	int live = 0;

	memset(&q, 0, sizeof(q));
	q.filter = nonempty(mmp_serve_request_query(c->req, "filter"));
	q.experiment = nonempty(mmp_serve_request_query(c->req,
		"experiment"));
	q.kind = nonempty(mmp_serve_request_query(c->req, "kind"));
	q.status = nonempty(mmp_serve_request_query(c->req, "status"));
	q.source = nonempty(mmp_serve_request_query(c->req, "source"));
	q.sort = nonempty(mmp_serve_request_query(c->req, "sort"));
	q.per = query_size(c->req, "per", PER_DEFAULT, 10, PER_MAX);
	q.page = query_size(c->req, "page", 1, 1, SIZE_MAX / PER_MAX);
	q.ncols = mmp_serve_request_query_all(c->req, "col", q.cols,
		MAX_COLS);
	if (q.ncols > MAX_COLS)
		q.ncols = MAX_COLS;
	for (i = 0; i < q.ncols; i++)
		if (!mmp_str_starts_with(q.cols[i], "metrics.") &&
		    !mmp_str_starts_with(q.cols[i], "params.") &&
		    !mmp_str_starts_with(q.cols[i], "tags.")) {
			ui_error(c, 400, "unknown column '%s': columns are "
				"metrics.<key>, params.<key> or tags.<key>",
				q.cols[i]);
			return;
		}
	q.auto_cols = q.ncols == 0;
	if (q.kind && !in_list(q.kind, kinds, ARRAY_SIZE(kinds))) {
		ui_error(c, 400, "unknown run kind '%s'", q.kind);
		return;
	}
	if (q.status && !in_list(q.status, statuses,
	    ARRAY_SIZE(statuses))) {
		ui_error(c, 400, "unknown run status '%s'", q.status);
		return;
	}
	if (q.source && !in_list(q.source, sources, ARRAY_SIZE(sources))) {
		ui_error(c, 400, "unknown run source '%s': local or remote",
			q.source);
		return;
	}

	/* the user's filter is checked alone, so errors name its columns */
	if (q.filter && mmp_filter_check(q.filter) < 0) {
		err = mmp_error_last()->message;
	} else {
		if (q.filter)
			mmp_buf_printf(&full, "(%s)", q.filter);
		if (q.kind)
			mmp_buf_printf(&full, "%sattributes.kind = '%s'",
				full.size ? " and " : "", q.kind);
		if (q.status)
			mmp_buf_printf(&full, "%sattributes.status = '%s'",
				full.size ? " and " : "", q.status);
		rq.filter = full.size ? full.ptr : NULL;
		if (q.source)
			rq.origin = !strcmp(q.source, "local") ?
				MMP_RUNS_LOCAL : MMP_RUNS_REMOTE;
		if (q.experiment) {
			exps[0] = q.experiment;
			rq.experiments = exps;
			rq.experiments_nr = 1;
		}
		if (q.sort) {
			order[0] = q.sort;
			rq.order_by = order;
			rq.order_by_nr = 1;
		}
		if (mmp_runs_search_page(&l, &total, c->store, &rq,
		    (q.page - 1) * q.per, q.per) < 0)
			err = mmp_error_last()->message;
	}
	if (err) {
		c->resp->status = 400;
		ui_page_begin(c, "Runs", 0);
		mmp_buf_puts(b, "<h1>Runs</h1>");
		filter_form(b, &q, err);
		ui_page_end(c);
		goto done;
	}
	if (q.auto_cols)
		auto_columns(&q, l, owned);
	/* only this store's runs change by themselves; a mirror changes
	 * with the next pull */
	for (i = 0; i < l->count; i++) {
		if (strcmp(l->runs[i]->status, "RUNNING") || l->runs[i]->dead)
			continue;
		if (l->runs[i]->origin)
			mirrored_running++;
		else
			live = 1;
	}
	ui_page_begin(c, "Runs", live);
	mmp_buf_puts(b, "<h1>Runs</h1>");
	filter_form(b, &q, NULL);
	if (mirrored_running)
		mmp_buf_printf(b, "<p class=\"note mirror\" id=\"mirror-"
			"running\" role=\"note\">%zu mirrored run%s %s "
			"RUNNING on %s server at the last pull; %s status "
			"changes here only with <code>mmp sync --pull</code>."
			"</p>", mirrored_running, mirrored_running == 1 ?
			"" : "s", mirrored_running == 1 ? "was" : "were",
			mirrored_running == 1 ? "its" : "their",
			mirrored_running == 1 ? "its" : "their");
	column_form(b, &q, l);
	pages = total ? (total + q.per - 1) / q.per : 1;
	mmp_buf_printf(b, "<form method=\"get\" action=\"/compare\">"
		"<div class=\"scroll\"><table class=\"runs\" id=\"runs\">"
		"<caption>Runs %zu to %zu "
		"of <span id=\"total\">%zu</span> (page %zu of %zu)"
		"</caption><thead><tr><th scope=\"col\"><span class=\"vh\">"
		"Select</span></th>", l->count ? (q.page - 1) * q.per + 1 : 0,
		(q.page - 1) * q.per + l->count, total, q.page, pages);
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		header(b, &q, fixed[i].name, NULL, fixed[i].sort);
	for (i = 0; i < q.ncols; i++)
		header(b, &q, q.cols[i], q.cols[i], q.cols[i]);
	mmp_buf_puts(b, "</tr></thead><tbody>\n");
	for (i = 0; i < l->count; i++)
		run_row(b, l->runs[i], &q);
	if (!l->count)
		mmp_buf_printf(b, "<tr><td colspan=\"%zu\">No runs match."
			"</td></tr>", ARRAY_SIZE(fixed) + 1 + q.ncols);
	mmp_buf_puts(b, "</tbody></table></div><p><button type=\"submit\">"
		"Compare selected runs</button></p></form>\n<nav "
		"class=\"pages\" aria-label=\"Pages\">");
	if (q.page > 1) {
		mmp_buf_puts(b, "<a rel=\"prev\" href=\"");
		runs_href(b, &q, q.sort, q.page - 1);
		mmp_buf_puts(b, "\">Previous</a> ");
	}
	if (q.page < pages) {
		mmp_buf_puts(b, "<a rel=\"next\" href=\"");
		runs_href(b, &q, q.sort, q.page + 1);
		mmp_buf_puts(b, "\">Next</a>");
	}
	mmp_buf_puts(b, "</nav>");
	ui_page_end(c);
done:
	for (i = 0; i < MAX_COLS; i++)
		free(owned[i]);
	mmp_buf_dispose(&full);
	mmp_run_list_free(l);
}
