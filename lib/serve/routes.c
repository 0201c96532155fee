/* SPDX-License-Identifier: MIT */
/* routes.c: the server's routes, independent of the HTTP library */
#include <stdio.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmp/version.h"
#include "serve-internal.h"

static const struct {
	const char *path;
	enum serve_route route;
	int post;                 /* 1: POST only; 0: GET and HEAD */
} routes[] = {
	{ "/health", ROUTE_HEALTH, 0 },
	{ "/ping", ROUTE_PING, 0 },
	{ "/version", ROUTE_VERSION, 0 },
	{ "/predict", ROUTE_PREDICT, 1 },
	{ "/invocations", ROUTE_INVOCATIONS, 1 },
	{ "/openapi.json", ROUTE_OPENAPI, 0 },
	{ "/docs", ROUTE_DOCS, 0 },
	{ "/metrics", ROUTE_METRICS, 0 },
};

enum serve_route mmp_serve__route(const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(routes); i++)
		if (!strcmp(routes[i].path, path))
			return routes[i].route;
	return ROUTE_OTHER;
}

static void error_fields(struct serve_response *resp, int status,
	const char *fields, const char *fmt, ...) MMP_FORMAT_PRINTF(4, 5);

static void error_v(struct serve_response *resp, int status,
	const char *fields, const char *fmt, va_list ap)
{
	mmp_buf msg = MMP_BUF_INIT;

	mmp_buf_vprintf(&msg, fmt, ap);
	resp->status = status;
	resp->content_type = "application/json";
	mmp_buf_clear(&resp->body);
	mmp_buf_printf(&resp->body, "{\"error\":{\"code\":%d,\"message\":",
		status);
	/* messages quote paths, methods and types the client sent */
	mmp_serve__put_text(&resp->body, msg.ptr, 0);
	if (fields)
		mmp_buf_printf(&resp->body, ",\"fields\":[%s]", fields);
	mmp_buf_puts(&resp->body, "}}\n");
	mmp_buf_dispose(&msg);
}

static void error_fields(struct serve_response *resp, int status,
	const char *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(resp, status, fields, fmt, ap);
	va_end(ap);
}

void mmp_serve__error(struct serve_response *resp, int status,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(resp, status, NULL, fmt, ap);
	va_end(ap);
}

/* constant time in the length of the expected token */
static int token_ok(const mmp_server *s, const char *header)
{
	const char *given;
	size_t glen, i;
	unsigned char diff;

	if (!header || strncasecmp(header, "Bearer ", 7))
		return 0;
	given = header + 7;
	while (*given == ' ')
		given++;
	glen = strlen(given);
	diff = glen != s->token_len;
	for (i = 0; i < s->token_len; i++)
		diff |= (unsigned char)s->token[i] ^
			(unsigned char)(glen ? given[i % glen] : 0);
	return diff == 0;
}

static int is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct && !strncasecmp(ct, "application/json", n) &&
		(ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void model_json(mmp_buf *out, const struct serve_model *sm)
{
	mmp_buf_puts(out, "{\"name\":");
	mmp_buf_put_json_string(out, sm->name);
	mmp_buf_puts(out, ",\"version\":");
	if (sm->version)
		mmp_buf_put_json_string(out, sm->version);
	else
		mmp_buf_puts(out, "null");
	mmp_buf_puts(out, ",\"run_id\":");
	mmp_buf_put_json_string(out, sm->run_id);
	mmp_buf_puts(out, ",\"task\":");
	mmp_buf_put_json_string(out, mmp_model_task_name(sm->task));
	mmp_buf_putc(out, '}');
}

static void health(mmp_server *s, const struct serve_model *sm,
	struct serve_response *resp)
{
	double up = mmp_time_mono() - s->started;

	if (!sm) {
		resp->status = 503;
		mmp_buf_printf(&resp->body, "{\"status\":\"loading\","
			"\"uptime_seconds\":%.3f}\n", up);
		return;
	}
	mmp_buf_puts(&resp->body, "{\"status\":\"ready\",\"model\":");
	model_json(&resp->body, sm);
	mmp_buf_printf(&resp->body, ",\"uptime_seconds\":%.3f}\n", up);
}

static void version(const struct serve_model *sm, struct serve_response *resp)
{
	mmp_buf_puts(&resp->body, "{\"version\":");
	mmp_buf_put_json_string(&resp->body, mmp_version());
	if (sm) {
		mmp_buf_puts(&resp->body, ",\"model\":");
		model_json(&resp->body, sm);
	}
	mmp_buf_puts(&resp->body, "}\n");
}

static void entity_value(mmp_buf *out, const cJSON *v)
{
	char num[32];

	if (cJSON_IsString(v)) {
		mmp_serve__put_text(out, v->valuestring, 0);
	} else if (cJSON_IsNumber(v)) {
		mmp_fmt_double(num, v->valuedouble);
		mmp_buf_puts(out, num);
	} else if (cJSON_IsBool(v)) {
		mmp_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	} else if (v && !cJSON_IsNull(v)) {
		char *text = mmp_json_print(v, 0);

		/* cJSON copies the bytes of strings as they came */
		if (text)
			mmp_serve__utf8(out, text, 0);
		else
			mmp_buf_puts(out, "null");
		free(text);
	} else {
		mmp_buf_puts(out, "null");
	}
}

static void put_float(mmp_buf *out, float v)
{
	char num[32];

	mmp_fmt_float(num, v);
	if (isnan(v) || isinf(v))
		mmp_buf_printf(out, "\"%s\"", num);
	else
		mmp_buf_puts(out, num);
}

static void format_row(mmp_buf *out, const struct serve_model *sm,
	const float *y, const cJSON *const *ents)
{
	const mmp_model_schema *sc = sm->schema;
	size_t e, k, best;

	mmp_buf_putc(out, '{');
	for (e = 0; ents && e < sc->nentities; e++) {
		mmp_buf_put_json_string(out, sc->entities[e]);
		mmp_buf_putc(out, ':');
		entity_value(out, ents[e]);
		mmp_buf_putc(out, ',');
	}
	mmp_buf_puts(out, "\"prediction\":");
	if (sm->task == MMP_TASK_REGRESSION) {
		put_float(out, y[0]);
		mmp_buf_putc(out, '}');
		return;
	}
	if (sm->task == MMP_TASK_BINARY) {
		float p0 = 1.0f - y[0];

		mmp_buf_puts(out, sm->labels_json[y[0] > 0.5f]);
		mmp_buf_puts(out, ",\"probabilities\":{");
		mmp_buf_puts(out, sm->labels_json[0]);
		mmp_buf_putc(out, ':');
		put_float(out, p0);
		mmp_buf_putc(out, ',');
		mmp_buf_puts(out, sm->labels_json[1]);
		mmp_buf_putc(out, ':');
		put_float(out, y[0]);
		mmp_buf_puts(out, "}}");
		return;
	}
	for (best = 0, k = 1; k < sm->nlabels; k++)
		if (y[k] > y[best])
			best = k;
	mmp_buf_puts(out, sm->labels_json[best]);
	mmp_buf_puts(out, ",\"probabilities\":{");
	for (k = 0; k < sm->nlabels; k++) {
		if (k)
			mmp_buf_putc(out, ',');
		mmp_buf_puts(out, sm->labels_json[k]);
		mmp_buf_putc(out, ':');
		put_float(out, y[k]);
	}
	mmp_buf_puts(out, "}}");
}

static void parse_error(struct serve_response *resp, const char *body,
	size_t len, const char *end)
{
	size_t at = end && end >= body ? (size_t)(end - body) : 0;
	size_t line = 1, col = 1, i;

	if (!len) {
		mmp_serve__error(resp, 400, "malformed JSON: the body is "
			"empty");
		return;
	}
	for (i = 0; i < at && i < len; i++) {
		if (body[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	mmp_serve__error(resp, 400, "malformed JSON at line %zu, column "
		"%zu (byte %zu)", line, col, at);
}

static void predict(mmp_server *s, const struct serve_model *sm,
	const struct serve_request *req, struct serve_response *resp)
{
	struct serve_rows rows = SERVE_ROWS_INIT;
	struct serve_live *live;
	const cJSON *records;
	const char *end = NULL;
	cJSON *doc;
	float *y = NULL;
	size_t i, nent = sm->schema->nentities;

	doc = cJSON_ParseWithLengthOpts(req->body, req->len, &end, 0);
	if (!doc) {
		parse_error(resp, req->body, req->len, end);
		return;
	}
	records = doc;
	if (cJSON_IsObject(doc) &&
	    (records = cJSON_GetObjectItemCaseSensitive(doc, "records")) &&
	    !mmp_serve__lookup(sm, "records")) {
		if (!cJSON_IsArray(records) || cJSON_GetArraySize(doc) != 1) {
			mmp_serve__error(resp, 400, "expected {\"records\": "
				"[...]} with a list of objects and no other "
				"key");
			goto done;
		}
	} else {
		records = doc;
	}
	if (!cJSON_IsObject(records) && !cJSON_IsArray(records)) {
		mmp_serve__error(resp, 400, "expected a JSON object of "
			"fields, a list of them or {\"records\": [...]}");
		goto done;
	}
	mmp_serve__decode_records(sm, records, &rows);
	if (rows.problems.count) {
		mmp_buf more = MMP_BUF_INIT;

		live = atomic_load_explicit(&((struct serve_model *)sm)->live,
			memory_order_acquire);
		if (live && rows.problems.unseen == rows.problems.count)
			mmp_serve__live_refused(live, &rows);
		if (rows.problems.count > SERVE_PROBLEMS_MAX)
			mmp_buf_printf(&more, " (the first %d are listed)",
				SERVE_PROBLEMS_MAX);
		atomic_fetch_add_explicit(&s->metrics.rows_rejected,
			rows.nrows, memory_order_relaxed);
		error_fields(resp, 422, rows.problems.json.ptr,
			"%zu invalid field%s%s", rows.problems.count,
			rows.problems.count == 1 ? "" : "s", more.ptr);
		mmp_buf_dispose(&more);
		goto done;
	}
	y = mmp__reallocarray(NULL, rows.nrows ? rows.nrows * sm->noutputs : 1,
		sizeof(float));
	if (rows.nrows && mmp_model_predict(sm->model, rows.x, rows.nrows,
	    sm->nfeatures, y) < 0) {
		mmp_serve__error(resp, 500, "prediction failed: %s",
			mmp_error_last()->message);
		goto done;
	}
	resp->rows = rows.nrows;
	live = atomic_load_explicit(&((struct serve_model *)sm)->live,
		memory_order_acquire);
	if (live)
		mmp_serve__live_add(live, rows.x, rows.nrows, y,
			rows.entities);
	mmp_buf_grow(&resp->body, 64 + rows.nrows * (32 + 24 * sm->noutputs));
	mmp_buf_puts(&resp->body, "{\"predictions\":[");
	for (i = 0; i < rows.nrows; i++) {
		if (i)
			mmp_buf_putc(&resp->body, ',');
		format_row(&resp->body, sm, y + i * sm->noutputs,
			nent ? rows.entities + i * nent : NULL);
	}
	mmp_buf_puts(&resp->body, "],");
	mmp_buf_puts(&resp->body, sm->version_json);
	mmp_buf_puts(&resp->body, "}\n");
done:
	free(y);
	mmp_serve__rows_release(&rows);
	cJSON_Delete(doc);
}

static void handle(mmp_server *s, const struct serve_model *sm,
	const struct serve_request *req, enum serve_route route,
	struct serve_response *resp)
{
	size_t i;
	int post = 0;

	resp->status = 200;
	resp->content_type = "application/json";
	if (route == ROUTE_OTHER) {
		mmp_serve__error(resp, 404, "no route '%s' (the routes are "
			"/predict, /invocations, /health, /ping, /version, "
			"/openapi.json, /docs, /metrics)", req->path);
		return;
	}
	if (s->token && route != ROUTE_HEALTH && route != ROUTE_PING &&
	    !token_ok(s, req->authorization)) {
		resp->auth_challenge = 1;
		mmp_serve__error(resp, 401, req->authorization ?
			"the bearer token is not valid" :
			"this server needs 'Authorization: Bearer <token>'");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(routes); i++)
		if (routes[i].route == route)
			post = routes[i].post;
	if (post ? strcmp(req->method, "POST") :
	    strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		resp->allow = post ? "POST" : "GET, HEAD";
		mmp_serve__error(resp, 405, "method %s is not allowed on %s "
			"(allowed: %s)", req->method, req->path, resp->allow);
		return;
	}
	switch (route) {
	case ROUTE_HEALTH:
		health(s, sm, resp);
		return;
	case ROUTE_PING:
		resp->status = sm ? 200 : 503;
		mmp_buf_puts(&resp->body, "\n");
		return;
	case ROUTE_VERSION:
		version(sm, resp);
		return;
	case ROUTE_METRICS:
		resp->content_type = "text/plain; version=0.0.4";
		mmp_serve__metrics_render(s, sm, &resp->body);
		return;
	case ROUTE_DOCS:
		resp->content_type = "text/html; charset=utf-8";
		mmp_buf_puts(&resp->body, mmp_serve__docs_html);
		return;
	default:
		break;
	}
	if (!sm) {
		mmp_serve__error(resp, 503, "the model is still loading");
		return;
	}
	switch (route) {
	case ROUTE_OPENAPI:
		mmp_buf_put(&resp->body, sm->openapi, sm->openapi_len);
		return;
	case ROUTE_INVOCATIONS:
		mmp_serve__invocations(s, sm, req, resp);
		return;
	case ROUTE_PREDICT:
		if (req->content_type && !is_json_type(req->content_type)) {
			mmp_serve__error(resp, 415, "/predict takes "
				"'application/json', not '%s'",
				req->content_type);
			return;
		}
		predict(s, sm, req, resp);
		return;
	default:
		mmp_serve__error(resp, 404, "no route '%s'", req->path);
		return;
	}
}

void mmp_serve__handle(mmp_server *s, const struct serve_request *req,
	enum serve_route route, struct serve_response *resp)
{
	/* the request finishes on the model it started with, whatever a
	 * reload swaps in meanwhile */
	struct serve_model *sm = mmp_serve__model_acquire(s);

	handle(s, sm, req, route, resp);
	mmp_serve__model_release(sm);
}
