/* SPDX-License-Identifier: MIT */
/* ui-internal.h: shared internals of lib/ui (pages, charts, HTML) */
#ifndef LIB_ui_ui_internal_h__
#define LIB_ui_ui_internal_h__

#include <pthread.h>

#include "mmp/registry.h"
#include "mmp/serve.h"
#include "mmp/store.h"
#include "mmp/tune.h"
#include "mmp/ui.h"
#include "util/util.h"

/* one read-only store connection; a worker holds it for one request */
struct ui_slot {
	pthread_mutex_t mu;
	mmp_store *store;
};

struct mmp_ui {
	mmp_server *server;
	char *token;             /* NULL: no token required */
	size_t token_len;
	struct ui_slot *slots;
	size_t nslots;
	char *artifact_root;     /* realpath of <store dir>/artifacts */
};

/* what every page gets */
struct ui_ctx {
	mmp_ui *ui;
	mmp_store *store;
	const mmp_serve_request *req;
	mmp_serve_reply *resp;
	mmp_buf *out;            /* the body */
};

/* html.c: escaping and formatting into HTML */
void ui_h(mmp_buf *b, const char *s);            /* text, escaped */
void ui_hn(mmp_buf *b, const char *s, size_t n);
void ui_u(mmp_buf *b, const char *s);            /* a URL component */
void ui_num(mmp_buf *b, double v);               /* 6 significant digits */
void ui_time(mmp_buf *b, int64_t ms);            /* UTC, to the second */
void ui_duration(mmp_buf *b, int64_t ms);
void ui_size(mmp_buf *b, int64_t bytes);
/* <!DOCTYPE ...><main>; `live` lets ui.js refresh the page */
void ui_page_begin(struct ui_ctx *c, const char *title, int live);
void ui_page_end(struct ui_ctx *c);
/* a whole error page with `status` */
void ui_error(struct ui_ctx *c, int status, const char *fmt, ...)
	MMP_FORMAT_PRINTF(3, 4);
/* a <table> of key/value pairs with a caption */
void ui_kv_table(mmp_buf *b, const char *caption, const mmp_kv *kv,
	size_t n);

/* chart.c: SVG drawn on the server */
struct ui_series {
	const char *name;
	const double *x, *y;
	size_t n;
	int dots;                /* points, not a line */
	const char *cls;         /* an extra CSS class; may be NULL */
};
/* pick at most `max` indices of (x, y) keeping the shape:
 * largest-triangle-three-buckets; returns how many are in `idx` */
size_t ui_lttb(const double *x, const double *y, size_t n, size_t max,
	size_t *idx);
#define UI_MAX_POINTS 2000
void ui_line_chart(mmp_buf *b, const char *id, const char *title,
	const char *xlabel, const struct ui_series *s, size_t ns);
/* horizontal bars, largest first as given */
void ui_bar_chart(mmp_buf *b, const char *id, const char *title,
	const char *const *labels, const double *v, size_t n);
/* a k x k matrix of counts as a table shaded by count */
void ui_heatmap(mmp_buf *b, const char *id, const char *title,
	const char *const *labels, const double *m, size_t k);
/* one polyline per row across `naxes` axes; NaN: missing */
void ui_parallel(mmp_buf *b, const char *id, const char *title,
	const char *const *axes, size_t naxes, const double *v, size_t nrows,
	const char *const *rownames);

/* the pages */
void ui_page_runs(struct ui_ctx *c);
void ui_page_run(struct ui_ctx *c, const char *rest);
void ui_page_compare(struct ui_ctx *c);
void ui_page_models(struct ui_ctx *c, const char *rest);
void ui_page_studies(struct ui_ctx *c, const char *rest);

/* run.c: the curves of a run, grouped ("train-auc", "valid-auc": auc) */
void ui_run_curves(struct ui_ctx *c, const mmp_run *r, int64_t xmin,
	int64_t xmax);

/* assets.c: the embedded stylesheet and script */
extern const char ui_css_start[], ui_css_end[];
extern const char ui_js_start[], ui_js_end[];

#endif
