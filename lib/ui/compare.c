/* SPDX-License-Identifier: MIT */
/* compare.c: 2 to 100 runs side by side: diff, curves, coordinates */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

#define COMPARE_MAX 100
#define AXES_PARAMS 8
#define AXES_METRICS 4

static const char *kv_get(const mmp_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static const mmp_run_metric *metric_get(const mmp_run *r, const char *key)
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

/* the sorted, distinct keys of every run's params (0) or metrics (1) */
static const char **keys_of(mmp_run **runs, size_t n, int metrics,
	size_t *count)
{
	const char **k = NULL;
	size_t nr = 0, alloc = 0, i, j, out = 0;

	for (i = 0; i < n; i++) {
		size_t m = metrics ? runs[i]->metrics_nr : runs[i]->params_nr;
		for (j = 0; j < m; j++) {
			MMP_ALLOC_GROW(k, nr + 1, alloc);
			k[nr++] = metrics ? runs[i]->metrics[j].key :
				runs[i]->params[j].key;
		}
	}
	if (nr)
		qsort(k, nr, sizeof(*k), cmp_str);
	for (i = 0; i < nr; i++)
		if (!out || strcmp(k[out - 1], k[i]))
			k[out++] = k[i];
	*count = out;
	return k;
}

static const char *run_label(const mmp_run *r)
{
	return r->name && *r->name ? r->name : r->run_id;
}

/* does the value differ between the runs (a missing one differs)? */
static int param_differs(mmp_run **runs, size_t n, const char *key)
{
	const char *first = kv_get(runs[0]->params, runs[0]->params_nr, key);
	size_t i;

	for (i = 1; i < n; i++) {
		const char *v = kv_get(runs[i]->params, runs[i]->params_nr,
			key);
		if (!v != !first || (v && strcmp(v, first)))
			return 1;
	}
	return 0;
}

static int metric_differs(mmp_run **runs, size_t n, const char *key)
{
	const mmp_run_metric *first = metric_get(runs[0], key);
	size_t i;

	for (i = 1; i < n; i++) {
		const mmp_run_metric *m = metric_get(runs[i], key);
		if (!m != !first)
			return 1;
		if (m && !(m->value == first->value ||
		    (isnan(m->value) && isnan(first->value))))
			return 1;
	}
	return 0;
}

static void diff_rows(mmp_buf *b, mmp_run **runs, size_t n,
	const char **keys, size_t nk, int metrics, int only_diff)
{
	size_t i, j;

	for (i = 0; i < nk; i++) {
		int d = metrics ? metric_differs(runs, n, keys[i]) :
			param_differs(runs, n, keys[i]);

		if (only_diff && !d)
			continue;
		mmp_buf_printf(b, "<tr%s><th scope=\"row\"><span "
			"class=\"dim\">%s</span>", d ? " class=\"differs\"" :
			"", metrics ? "metrics." : "params.");
		ui_h(b, keys[i]);
		mmp_buf_printf(b, "%s</th>", d ? " <span class=\"vh\">"
			"(differs)</span>" : "");
		for (j = 0; j < n; j++) {
			if (metrics) {
				const mmp_run_metric *m = metric_get(runs[j],
					keys[i]);
				mmp_buf_puts(b, "<td class=\"num\">");
				if (m)
					ui_num(b, m->value);
			} else {
				mmp_buf_puts(b, "<td>");
				ui_h(b, kv_get(runs[j]->params,
					runs[j]->params_nr, keys[i]));
			}
			mmp_buf_puts(b, "</td>");
		}
		mmp_buf_puts(b, "</tr>\n");
	}
}

static void diff_table(struct ui_ctx *c, mmp_run **runs, size_t n,
	int only_diff)
{
	mmp_buf *b = c->out;
	const char **pk, **mk;
	size_t npk, nmk, i;

	pk = keys_of(runs, n, 0, &npk);
	mk = keys_of(runs, n, 1, &nmk);
	mmp_buf_puts(b, "<section aria-labelledby=\"diff\"><h2 id=\"diff\">"
		"Parameters and metrics</h2><p>");
	mmp_buf_puts(b, only_diff ? "Only the values that differ. <a "
		"href=\"?" : "Rows whose values differ are highlighted. <a "
		"href=\"?");
	for (i = 0; i < n; i++)
		mmp_buf_printf(b, "%srun=%s", i ? "&amp;" : "",
			runs[i]->run_id);
	mmp_buf_puts(b, only_diff ? "\">Show all</a>" :
		"&amp;only=diff\">Show only differences</a>");
	mmp_buf_puts(b, "</p><div class=\"scroll\"><table class=\"diff\" "
		"id=\"diff-table\"><caption>Values by run</caption><thead><tr>"
		"<th scope=\"col\">Key</th>");
	for (i = 0; i < n; i++) {
		mmp_buf_printf(b, "<th scope=\"col\"><a href=\"/runs/%s\">",
			runs[i]->run_id);
		ui_h(b, run_label(runs[i]));
		mmp_buf_puts(b, "</a></th>");
	}
	mmp_buf_puts(b, "</tr></thead><tbody>\n<tr><th scope=\"row\">"
		"Status</th>");
	for (i = 0; i < n; i++)
		mmp_buf_printf(b, "<td><span class=\"status %s\">%s</span>"
			"</td>", runs[i]->status, runs[i]->status);
	mmp_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Experiment</th>");
	for (i = 0; i < n; i++) {
		mmp_buf_puts(b, "<td>");
		ui_h(b, runs[i]->experiment_name);
		mmp_buf_puts(b, "</td>");
	}
	mmp_buf_puts(b, "</tr>\n");
	diff_rows(b, runs, n, pk, npk, 0, only_diff);
	diff_rows(b, runs, n, mk, nmk, 1, only_diff);
	mmp_buf_puts(b, "</tbody></table></div></section>\n");
	free(pk);
	free(mk);
}

/* one chart per metric with a history, a series per run */
static void curves(struct ui_ctx *c, mmp_run **runs, size_t n,
	int64_t xmin, int64_t xmax)
{
	const char **mk;
	size_t nmk, i, j, k, nchart = 0;
	struct ui_series *s = mmp__calloc(n, sizeof(*s));
	double **xs = mmp__calloc(n, sizeof(*xs));
	double **ys = mmp__calloc(n, sizeof(*ys));
	mmp_buf *b = c->out;
	int opened = 0;

	mk = keys_of(runs, n, 1, &nmk);
	for (i = 0; i < nmk; i++) {
		size_t ns = 0;

		for (j = 0; j < n; j++) {
			const mmp_run_metric *m = metric_get(runs[j], mk[i]);
			mmp_metric_history *h = NULL;

			/* a metric logged once has its only value at step 0 */
			if (!m || m->step == 0)
				continue;
			if (mmp_run_metric_history(&h, c->store,
			    runs[j]->run_id, mk[i]) < 0 || h->count < 2) {
				mmp_metric_history_free(h);
				continue;
			}
			xs[ns] = mmp__calloc(h->count, sizeof(double));
			ys[ns] = mmp__calloc(h->count, sizeof(double));
			s[ns].n = 0;
			for (k = 0; k < h->count; k++) {
				if (h->items[k].step < xmin ||
				    h->items[k].step > xmax)
					continue;
				xs[ns][s[ns].n] = (double)h->items[k].step;
				ys[ns][s[ns].n++] = h->items[k].value;
			}
			s[ns].name = run_label(runs[j]);
			s[ns].x = xs[ns];
			s[ns].y = ys[ns];
			s[ns].dots = 0;
			s[ns].cls = NULL;
			ns++;
			mmp_metric_history_free(h);
		}
		if (ns) {
			mmp_buf id = MMP_BUF_INIT, title = MMP_BUF_INIT;

			if (!opened)
				mmp_buf_puts(b, "<section aria-labelledby="
					"\"curves\"><h2 id=\"curves\">Curves"
					"</h2>");
			opened = 1;
			mmp_buf_printf(&id, "curve-%zu", nchart++);
			mmp_buf_printf(&title, "%s by step", mk[i]);
			ui_line_chart(b, id.ptr, title.ptr, "step", s, ns);
			mmp_buf_dispose(&id);
			mmp_buf_dispose(&title);
		}
		for (j = 0; j < ns; j++) {
			free(xs[j]);
			free(ys[j]);
		}
	}
	if (opened)
		mmp_buf_puts(b, "</section>\n");
	free(mk);
	free(s);
	free(xs);
	free(ys);
}

/* the numeric params and metrics that vary, as parallel coordinates */
static void coordinates(struct ui_ctx *c, mmp_run **runs, size_t n)
{
	const char **pk, **mk, **axes, **names;
	size_t npk, nmk, na = 0, i, j;
	double *v;
	mmp_buf *labels;

	pk = keys_of(runs, n, 0, &npk);
	mk = keys_of(runs, n, 1, &nmk);
	axes = mmp__calloc(AXES_PARAMS + AXES_METRICS, sizeof(*axes));
	labels = mmp__calloc(AXES_PARAMS + AXES_METRICS, sizeof(*labels));
	for (i = 0; i < AXES_PARAMS + AXES_METRICS; i++)
		mmp_buf_init(&labels[i], 0);
	for (i = 0; i < npk && na < AXES_PARAMS; i++) {
		int numeric = 1;

		for (j = 0; j < n && numeric; j++) {
			const char *s = kv_get(runs[j]->params,
				runs[j]->params_nr, pk[i]);
			double d;
			numeric = !s || mmp_parse_double(s, &d) == 0;
		}
		if (numeric && param_differs(runs, n, pk[i])) {
			mmp_buf_printf(&labels[na], "%s", pk[i]);
			axes[na++] = pk[i];
		}
	}
	for (i = 0, j = na; i < nmk && na < j + AXES_METRICS; i++)
		if (metric_differs(runs, n, mk[i])) {
			mmp_buf_printf(&labels[na], "%s", mk[i]);
			axes[na++] = mk[i];
		}
	if (na < 2)
		goto done;
	v = mmp__calloc(n * na, sizeof(*v));
	names = mmp__calloc(n, sizeof(*names));
	for (j = 0; j < n; j++) {
		names[j] = run_label(runs[j]);
		for (i = 0; i < na; i++) {
			const char *s;
			const mmp_run_metric *m;
			double d = NAN;

			if ((s = kv_get(runs[j]->params, runs[j]->params_nr,
			    axes[i])) && mmp_parse_double(s, &d) == 0)
				;
			else if ((m = metric_get(runs[j], axes[i])))
				d = m->value;
			else
				d = NAN;
			v[j * na + i] = d;
		}
	}
	for (i = 0; i < na; i++)
		axes[i] = labels[i].ptr;
	mmp_buf_puts(c->out, "<section aria-labelledby=\"pc\"><h2 id=\"pc\">"
		"Parallel coordinates</h2>");
	ui_parallel(c->out, "parallel", "Parameters and metrics that vary, "
		"one line per run", axes, na, v, n, names);
	mmp_buf_puts(c->out, "</section>\n");
	free(v);
	free(names);
done:
	for (i = 0; i < AXES_PARAMS + AXES_METRICS; i++)
		mmp_buf_dispose(&labels[i]);
	free(labels);
	free(axes);
	free(pk);
	free(mk);
}

static int64_t query_i64(const mmp_serve_request *req, const char *key,
	int64_t def)
{
	const char *v = mmp_serve_request_query(req, key);
	int64_t n;

	return v && *v && mmp_parse_int64(v, &n) == 0 ? n : def;
}

void ui_page_compare(struct ui_ctx *c)
{
	const char *args[COMPARE_MAX + 1];
	mmp_run *runs[COMPARE_MAX];
	size_t n, i, got = 0;
	const char *only;

	n = mmp_serve_request_query_all(c->req, "run", args,
		COMPARE_MAX + 1);
	if (n < 2 || n > COMPARE_MAX) {
		ui_error(c, 400, "choose 2 to %d runs to compare (%zu given)",
			COMPARE_MAX, n);
		return;
	}
	for (i = 0; i < n; i++) {
		char id[33];
		size_t j;

		if (!*args[i] || mmp_run_resolve(c->store, args[i], id) < 0 ||
		    mmp_run_get(&runs[got], c->store, id) < 0) {
			ui_error(c, 404, "no run '%s'", args[i]);
			goto done;
		}
		for (j = 0; j < got; j++)
			if (!strcmp(runs[j]->run_id, id))
				break;
		if (j < got) {
			mmp_run_free(runs[got]);
			continue;
		}
		got++;
	}
	if (got < 2) {
		ui_error(c, 400, "choose 2 to %d different runs to compare",
			COMPARE_MAX);
		goto done;
	}
	only = mmp_serve_request_query(c->req, "only");
	ui_page_begin(c, "Compare runs", 0);
	mmp_buf_printf(c->out, "<h1>Compare %zu runs</h1>", got);
	diff_table(c, runs, got, only && !strcmp(only, "diff"));
	curves(c, runs, got, query_i64(c->req, "from", INT64_MIN),
		query_i64(c->req, "to", INT64_MAX));
	coordinates(c, runs, got);
	ui_page_end(c);
done:
	for (i = 0; i < got; i++)
		mmp_run_free(runs[i]);
}
