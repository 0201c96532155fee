/* SPDX-License-Identifier: MIT */
/* curves.c: metric curves per step, one chart per metric name */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

/* "train-auc" and "valid-auc" are drawn together as "auc" */
static const char *const set_prefixes[] = {
	"train-", "valid-", "validation-", "eval-", "test-",
};

/* the chart a key belongs to, and the series name within it */
static const char *curve_group(const char *key, mmp_buf *series)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(set_prefixes); i++) {
		n = strlen(set_prefixes[i]);
		if (!strncmp(key, set_prefixes[i], n) && key[n]) {
			mmp_buf_put(series, key, n - 1);
			return key + n;
		}
	}
	mmp_buf_puts(series, key);
	return key;
}

struct curve {
	const char *group;
	char *series;
	double *x, *y;
	size_t n;
};

static int by_group(const void *a, const void *b)
{
	const struct curve *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->series, y->series);
}

void ui_run_curves(struct ui_ctx *c, const mmp_run *r, int64_t xmin,
	int64_t xmax)
{
	struct curve *cv = NULL;
	struct ui_series *s = NULL;
	size_t ncv = 0, alloc = 0, i, j, k, nchart = 0;
	mmp_buf *b = c->out;

	for (i = 0; i < r->metrics_nr; i++) {
		mmp_metric_history *h = NULL;
		mmp_buf series = MMP_BUF_INIT;
		struct curve *v;

		if (mmp_run_metric_history(&h, c->store, r->run_id,
		    r->metrics[i].key) < 0 || h->count < 2) {
			mmp_metric_history_free(h);
			continue;
		}
		MMP_ALLOC_GROW(cv, ncv + 1, alloc);
		v = &cv[ncv++];
		v->group = curve_group(r->metrics[i].key, &series);
		v->series = mmp_buf_detach(&series);
		v->x = mmp__calloc(h->count, sizeof(double));
		v->y = mmp__calloc(h->count, sizeof(double));
		v->n = 0;
		for (j = 0; j < h->count; j++) {
			if (h->items[j].step < xmin || h->items[j].step > xmax)
				continue;
			v->x[v->n] = (double)h->items[j].step;
			v->y[v->n++] = h->items[j].value;
		}
		mmp_metric_history_free(h);
	}
	if (!ncv)
		goto done;
	qsort(cv, ncv, sizeof(*cv), by_group);
	mmp_buf_puts(b, "<section aria-labelledby=\"curves\"><h2 "
		"id=\"curves\">Curves</h2><form class=\"zoom\" method=\"get\">"
		"<label for=\"from\">Steps from</label><input id=\"from\" "
		"name=\"from\" type=\"number\" value=\"");
	if (xmin != INT64_MIN)
		mmp_buf_printf(b, "%lld", (long long)xmin);
	mmp_buf_puts(b, "\"><label for=\"to\">to</label><input id=\"to\" "
		"name=\"to\" type=\"number\" value=\"");
	if (xmax != INT64_MAX)
		mmp_buf_printf(b, "%lld", (long long)xmax);
	mmp_buf_printf(b, "\"><button type=\"submit\">Zoom</button> <a "
		"href=\"/runs/%s\">All steps</a></form>", r->run_id);
	s = mmp__calloc(ncv, sizeof(*s));
	for (i = 0; i < ncv; i = j) {
		mmp_buf id = MMP_BUF_INIT, title = MMP_BUF_INIT;

		for (j = i; j < ncv && !strcmp(cv[j].group, cv[i].group); j++) {
			s[j - i].name = cv[j].series;
			s[j - i].x = cv[j].x;
			s[j - i].y = cv[j].y;
			s[j - i].n = cv[j].n;
		}
		mmp_buf_printf(&id, "curve-%zu", nchart++);
		mmp_buf_puts(&title, cv[i].group);
		mmp_buf_puts(&title, " by step");
		ui_line_chart(b, id.ptr, title.ptr, "step", s, j - i);
		mmp_buf_dispose(&id);
		mmp_buf_dispose(&title);
	}
	mmp_buf_puts(b, "</section>\n");
done:
	for (k = 0; k < ncv; k++) {
		free(cv[k].series);
		free(cv[k].x);
		free(cv[k].y);
	}
	free(cv);
	free(s);
}
