/* SPDX-License-Identifier: MIT */
/* metrics.c: lock-free request counters and the Prometheus text format */
#include <stdio.h>
#include <string.h>

#include "serve-internal.h"

static const int statuses[SERVE_NSTATUS] = {
	200, 400, 401, 404, 405, 413, 414, 415, 422, 431, 500, 503, 0, 0
};

/* upper bounds in seconds; the last bucket is +Inf */
static const double bounds[SERVE_NBUCKETS - 1] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1.0
};

static const char *const route_names[ROUTE__COUNT] = {
	"/health", "/ping", "/version", "/predict", "/invocations",
	"/openapi.json", "/docs", "/metrics", "other"
};

const char *mmp_serve__route_name(enum serve_route route)
{
	return route_names[route];
}

static size_t status_index(int status)
{
	size_t i;

	for (i = 0; i < SERVE_NSTATUS && statuses[i]; i++)
		if (statuses[i] == status)
			return i;
	return SERVE_NSTATUS - 2;     /* any other status */
}

void mmp_serve__metrics_record(struct serve_metrics *m,
	enum serve_route route, int status, double seconds)
{
	size_t b = 0;

	while (b < SERVE_NBUCKETS - 1 && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&m->requests[route][status_index(status)],
		1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->buckets[route][b], 1,
		memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_us[route],
		(uint64_t)(seconds * 1e6 + 0.5), memory_order_relaxed);
}

static uint64_t load(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void mmp_serve__label_value(mmp_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			mmp_buf_putc(out, '\\');
		if (*s == '\n')
			mmp_buf_puts(out, "\\n");
		else
			mmp_buf_putc(out, *s);
	}
}

void mmp_serve__metrics_render(mmp_server *s, const struct serve_model *sm,
	mmp_buf *out)
{
	struct serve_metrics *m = &s->metrics;
	size_t r, i;

	mmp_buf_puts(out, "# HELP mmp_http_requests_total HTTP requests "
		"answered, by route and status.\n"
		"# TYPE mmp_http_requests_total counter\n");
	for (r = 0; r < ROUTE__COUNT; r++) {
		for (i = 0; i < SERVE_NSTATUS; i++) {
			uint64_t n = load(&m->requests[r][i]);
			char code[8];

			if (!n)
				continue;
			if (i == SERVE_NSTATUS - 2)
				snprintf(code, sizeof(code), "other");
			else
				snprintf(code, sizeof(code), "%d",
					statuses[i]);
			mmp_buf_printf(out, "mmp_http_requests_total{route=\""
				"%s\",status=\"%s\"} %llu\n", route_names[r],
				code, (unsigned long long)n);
		}
	}
	mmp_buf_puts(out, "# HELP mmp_http_request_duration_seconds Time "
		"from the request's arrival to its response, by route.\n"
		"# TYPE mmp_http_request_duration_seconds histogram\n");
	for (r = 0; r < ROUTE__COUNT; r++) {
		uint64_t cum = 0;

		for (i = 0; i < SERVE_NBUCKETS; i++)
			cum += load(&m->buckets[r][i]);
		if (!cum)
			continue;
		cum = 0;
		for (i = 0; i < SERVE_NBUCKETS; i++) {
			char le[32];

			cum += load(&m->buckets[r][i]);
			if (i < SERVE_NBUCKETS - 1)
				mmp_fmt_double(le, bounds[i]);
			else
				snprintf(le, sizeof(le), "+Inf");
			mmp_buf_printf(out, "mmp_http_request_duration_seconds"
				"_bucket{route=\"%s\",le=\"%s\"} %llu\n",
				route_names[r], le, (unsigned long long)cum);
		}
		mmp_buf_printf(out, "mmp_http_request_duration_seconds_sum"
			"{route=\"%s\"} %.6f\n", route_names[r],
			(double)load(&m->latency_us[r]) / 1e6);
		mmp_buf_printf(out, "mmp_http_request_duration_seconds_count"
			"{route=\"%s\"} %llu\n", route_names[r],
			(unsigned long long)cum);
	}
	mmp_buf_printf(out, "# HELP mmp_predictions_total Rows predicted.\n"
		"# TYPE mmp_predictions_total counter\n"
		"mmp_predictions_total %llu\n"
		"# HELP mmp_rejected_rows_total Rows in requests rejected for "
		"invalid fields.\n"
		"# TYPE mmp_rejected_rows_total counter\n"
		"mmp_rejected_rows_total %llu\n"
		"# HELP mmp_request_timeouts_total Connections closed because "
		"no whole request arrived within the request timeout.\n"
		"# TYPE mmp_request_timeouts_total counter\n"
		"mmp_request_timeouts_total %llu\n",
		(unsigned long long)load(&m->rows),
		(unsigned long long)load(&m->rows_rejected),
		(unsigned long long)load(&m->timeouts));
	mmp_buf_printf(out, "# HELP mmp_requests_in_flight Requests received "
		"and not yet answered.\n"
		"# TYPE mmp_requests_in_flight gauge\n"
		"mmp_requests_in_flight %u\n"
		"# HELP mmp_uptime_seconds Seconds since the server started.\n"
		"# TYPE mmp_uptime_seconds gauge\n"
		"mmp_uptime_seconds %.3f\n",
		atomic_load_explicit(&s->inflight, memory_order_relaxed),
		mmp_time_mono() - s->started);
	mmp_buf_puts(out, "# HELP mmp_model_info The model being served.\n"
		"# TYPE mmp_model_info gauge\n");
	if (!sm) {
		mmp_buf_puts(out, "mmp_model_info{state=\"loading\"} 0\n");
		return;
	}
	mmp_buf_puts(out, "mmp_model_info{name=\"");
	mmp_serve__label_value(out, sm->name);
	mmp_buf_puts(out, "\",version=\"");
	mmp_serve__label_value(out, sm->version ? sm->version : "");
	mmp_buf_puts(out, "\",run_id=\"");
	mmp_serve__label_value(out, sm->run_id);
	mmp_buf_printf(out, "\",task=\"%s\",features=\"%zu\"} 1\n",
		mmp_model_task_name(sm->task), sm->nfeatures);
	mmp_serve__live_metrics(atomic_load_explicit(
		&((struct serve_model *)sm)->live, memory_order_acquire), out);
}
