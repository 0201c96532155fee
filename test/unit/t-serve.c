/* SPDX-License-Identifier: MIT */
/* t-serve.c: the request decoder, routes, metrics and lifecycle of lib/serve */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/model.h"
#include "mmp/serve.h"
#include "serve/serve-internal.h"
#include "serve-model.h"
#include "tap.h"

static void test_format(void)
{
	static const float vals[] = { 0.1f, 1.0f / 3.0f, 0.9884897f, 1e-8f,
		123456.79f, -2.5f, 0.0f, 3.4028235e38f };
	mmp_buf b = MMP_BUF_INIT;
	char out[32];
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		mmp_fmt_float(out, vals[i]);
		if (strtof(out, NULL) != vals[i])
			all = 0;
	}
	ok(all, "floats read back as the same float");
	mmp_fmt_float(out, 0.1f);
	is_str(out, "0.1", "the shortest form");
	mmp_fmt_float(out, NAN);
	is_str(out, "NaN", "NaN");
	mmp_buf_put_json_string(&b, "a\"b\\c\n\x01");
	is_str(b.ptr, "\"a\\\"b\\\\c\\n\\u0001\"", "JSON string escapes");
	mmp_buf_dispose(&b);
}

static void test_routes(void)
{
	is_int(mmp_serve__route("/predict"), ROUTE_PREDICT, "/predict");
	is_int(mmp_serve__route("/invocations"), ROUTE_INVOCATIONS,
		"/invocations");
	is_int(mmp_serve__route("/predict/"), ROUTE_OTHER, "no prefixes");
	is_str(mmp_serve__route_name(ROUTE_OPENAPI), "/openapi.json",
		"route names for metrics");
}

static int handle(mmp_server *s, const char *method, const char *path,
	const char *ctype, const char *auth, const char *body,
	mmp_buf *out)
{
	struct serve_request req = { method, path, ctype, auth, body,
		body ? strlen(body) : 0 };
	struct serve_response resp = SERVE_RESPONSE_INIT;
	int status;

	mmp_serve__handle(s, &req, mmp_serve__route(path), &resp);
	mmp_buf_clear(out);
	mmp_buf_puts(out, resp.body.ptr);
	status = resp.status;
	mmp_buf_dispose(&resp.body);
	return status;
}

static void test_loading(mmp_server *s)
{
	mmp_buf out = MMP_BUF_INIT;

	is_int(handle(s, "GET", "/health", NULL, NULL, NULL, &out), 503,
		"/health is 503 before the model is set");
	ok(strstr(out.ptr, "\"status\":\"loading\"") != NULL,
		"and says loading");
	is_int(handle(s, "GET", "/ping", NULL, NULL, NULL, &out), 503,
		"/ping is 503 too");
	is_int(handle(s, "POST", "/predict", "application/json", NULL, "{}",
		&out), 503, "/predict is 503");
	is_int(handle(s, "GET", "/metrics", NULL, NULL, NULL, &out), 200,
		"/metrics answers while loading");
	ok(strstr(out.ptr, "mmp_model_info{state=\"loading\"} 0") != NULL,
		"metrics say loading");
	mmp_buf_dispose(&out);
}

static void test_predict(mmp_server *s, const mmp_model *m)
{
	mmp_buf out = MMP_BUF_INIT;
	float row[2] = { 1.5f, 0.0f }, y;
	char num[32], inv[32], want[256];

	is_int(handle(s, "GET", "/health", NULL, NULL, NULL, &out), 200,
		"/health is 200 once the model is set");
	mmp_model_predict(m, row, 1, 2, &y);
	mmp_fmt_float(num, y);
	/* /invocations writes it widened to a double, as MLflow does */
	mmp_fmt_double(inv, (double)y);
	is_int(handle(s, "POST", "/predict", "application/json", NULL,
		"{\"colour\": \"red\", \"x\": 1.5, \"id\": 7}", &out), 200,
		"predict one record");
	snprintf(want, sizeof(want), "\"probabilities\":{\"neg\":");
	ok(strstr(out.ptr, "{\"predictions\":[{\"id\":7,\"prediction\":\"pos\","
		"\"probabilities\":{\"neg\":") == out.ptr,
		"entity first, then the label: %s", out.ptr);
	snprintf(want, sizeof(want), "\"pos\":%s}}]", num);
	ok(strstr(out.ptr, want) != NULL, "the library's probability %s",
		num);
	is_int(handle(s, "POST", "/predict", NULL, NULL,
		"{\"colour\": \"red\", \"x\": 1.5}", &out), 200,
		"no content type is taken as JSON");
	is_int(handle(s, "POST", "/predict", "application/json", NULL,
		"{\"colour\": \"mauve\", \"x\": \"1\", \"y\": 1}", &out), 422,
		"three bad fields");
	ok(strstr(out.ptr, "\"message\":\"3 invalid fields\"") != NULL,
		"counted: %s", out.ptr);
	is_int(handle(s, "POST", "/invocations", "text/csv", NULL,
		"x,colour\n1.5,red\n,\n", &out), 200, "CSV, empty = missing");
	snprintf(want, sizeof(want), "{\"predictions\": [%s, ", inv);
	ok(strstr(out.ptr, want) == out.ptr, "CSV answer: %s", out.ptr);
	is_int(handle(s, "POST", "/invocations", "text/csv", NULL,
		"x,colour\n\"1.5,red\n", &out), 400, "unterminated quote");
	ok(strstr(out.ptr, "CSV line 2 has an unterminated quote") != NULL,
		"named: %s", out.ptr);
	is_int(handle(s, "POST", "/invocations", "text/csv", NULL, "", &out),
		400, "an empty CSV body");
	is_int(handle(s, "POST", "/invocations", "text/csv", NULL,
		"x,colour\n1,\"red\"x\n", &out), 400, "text after a quote");
	mmp_buf_dispose(&out);
}

/* thousands of requests through every path; ASan checks for leaks */
static void test_many(mmp_server *s)
{
	static const char *const bodies[] = {
		"[{\"colour\": \"blue\", \"x\": -1}, {\"colour\": null, \"x\": null}]",
		"{\"records\": [{\"colour\": \"green\", \"x\": 2}]}",
		"{\"colour\": 5, \"x\": [1], \"nope\": 1}",
		"{\"colour\": ",
	};
	static const char *const mlflow[] = {
		"{\"dataframe_split\": {\"columns\": [\"x\", \"colour\"], \"data\": [[1, \"red\"]]}}",
		"{\"inputs\": {\"x\": [1, 2], \"colour\": [\"red\", \"blue\"]}}",
		"{\"instances\": [[1, 2]]}",
		"{\"dataframe_records\": [{\"x\": \"a\", \"colour\": \"pink\"}]}",
		"[1]",
	};
	static const int want[] = { 200, 200, 422, 400 };
	static const int mwant[] = { 200, 200, 400, 400, 400 };
	mmp_buf out = MMP_BUF_INIT;
	int i, bad = 0;

	for (i = 0; i < 3000; i++) {
		size_t k = (size_t)i % 4, j = (size_t)i % 5;

		if (handle(s, "POST", "/predict", "application/json", NULL,
		    bodies[k], &out) != want[k])
			bad++;
		if (handle(s, "POST", "/invocations", "application/json",
		    NULL, mlflow[j], &out) != mwant[j])
			bad++;
	}
	is_int(bad, 0, "6000 requests, every status as expected");
	handle(s, "GET", "/metrics", NULL, NULL, NULL, &out);
	ok(strstr(out.ptr, "mmp_http_requests_total{") == NULL,
		"direct calls are not counted as HTTP requests");
	mmp_buf_dispose(&out);
}

static void test_token(mmp_model *m)
{
	mmp_serve_options o;
	mmp_server *s = NULL;
	mmp_buf path = MMP_BUF_INIT, out = MMP_BUF_INIT;
	FILE *f;

	mmp_buf_printf(&path, "%s/token", tap_tmpdir());
	f = fopen(path.ptr, "w");
	fputs("  abc123\n\n", f);
	fclose(f);
	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	o.port = 0;
	o.threads = 1;
	o.token_file = path.ptr;
	is_int(mmp_server_start(&s, &o), 0, "start with a token file");
	if (!s)
		goto done;
	mmp_server_set_model(s, m, NULL);
	is_int(handle(s, "GET", "/version", NULL, NULL, NULL, &out), 401,
		"no token: 401");
	is_int(handle(s, "GET", "/version", NULL, "Bearer abc12", NULL,
		&out), 401, "a prefix of the token: 401");
	is_int(handle(s, "GET", "/version", NULL, "Bearer abc1234", NULL,
		&out), 401, "a longer token: 401");
	is_int(handle(s, "GET", "/version", NULL, "Basic abc123", NULL,
		&out), 401, "another scheme: 401");
	is_int(handle(s, "GET", "/version", NULL, "Bearer abc123", NULL,
		&out), 200, "the token, trimmed: 200");
	is_int(handle(s, "GET", "/ping", NULL, NULL, NULL, &out), 200,
		"/ping needs no token");
done:
	mmp_server_free(s);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&out);
}

static void test_start_errors(mmp_server *running)
{
	mmp_serve_options o;
	mmp_server *s = NULL;
	mmp_buf comm = MMP_BUF_INIT;
	char want[128];
	int pid = 0;

	is_int(mmp_serve_options_init(&o, 99), MMP_EINVALID,
		"an unknown options version");
	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	is_int(o.port, 8000, "the default port is 8000");
	o.port = 70000;
	is_int(mmp_server_start(&s, &o), MMP_EINVALID, "port out of range");
	o.port = 0;
	o.request_timeout = 86401;
	is_int(mmp_server_start(&s, &o), MMP_EINVALID,
		"request timeout out of range");
	o.request_timeout = 0;
	o.port = mmp_server_port(running);
	is_int(mmp_server_start(&s, &o), MMP_EEXISTS, "port in use");
	snprintf(want, sizeof(want), "port %d on 127.0.0.1 is already in use "
		"(held by pid %d '", o.port, (int)getpid());
	ok(!strncmp(mmp_error_last()->message, want, strlen(want)),
		"names the holder: %s", mmp_error_last()->message);
	ok(s == NULL, "no server on failure");
	is_int(mmp_serve_port_holder(&pid, &comm, o.port), 0,
		"the port holder is found");
	is_int(pid, (int)getpid(), "it is this process");
	is_int(mmp_serve_port_holder(&pid, &comm, 1), MMP_ENOTFOUND,
		"nobody listens on port 1");
	mmp_buf_dispose(&comm);
}

/* client text echoed in answers: whole characters, valid UTF-8 */
static void test_utf8(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *out;
		int cut;
	} cases[] = {
		{ "plain", 0, "plain", 0 },
		{ "caf\xc3\xa9", 0, "caf\xc3\xa9", 0 },
		{ "caf\xc3\xa9", 4, "caf", 1 },      /* not half an e-acute */
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9", 0 },
		{ "\xe2\x82\xac" "1", 2, "", 1 },        /* a 3-byte euro sign */
		{ "\xf0\x9f\x99\x82", 0, "\xf0\x9f\x99\x82", 0 },
		{ "a\xff" "b", 0, "a\xef\xbf\xbd" "b", 0 },
		{ "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd", 0 }, /* overlong */
		{ "\xed\xa0\x80", 0,                     /* a surrogate */
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "\xf4\x90\x80\x80", 0,                /* past U+10FFFF */
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "x\xe2\x82", 0, "x\xef\xbf\xbd\xef\xbf\xbd", 0 }, /* cut short */
	};
	mmp_buf b = MMP_BUF_INIT;
	size_t i;
	int cut;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		mmp_buf_clear(&b);
		cut = mmp_serve__utf8(&b, cases[i].in, cases[i].max);
		is_str(b.ptr, cases[i].out, "utf8 case %zu", i);
		is_int(cut, cases[i].cut, "utf8 case %zu cut", i);
	}
	mmp_buf_clear(&b);
	mmp_serve__put_text(&b, "a\x01\"\xff", 0);
	is_str(b.ptr, "\"a\\u0001\\\"\xef\xbf\xbd\"", "put_text escapes");
	mmp_buf_dispose(&b);
}

int main(void)
{
	mmp_serve_options o;
	mmp_server *s = NULL;
	mmp_model *m;

	mmp_global_init();
	test_format();
	test_routes();
	test_utf8();
	m = serve_model_train(NULL);
	ok(m != NULL, "a model to serve");
	if (!m)
		return done_testing();
	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	o.port = 0;
	o.threads = 2;
	is_int(mmp_server_start(&s, &o), 0, "start on a free port");
	if (!s)
		return done_testing();
	ok(mmp_server_port(s) > 0, "the port is known");
	test_loading(s);
	is_int(mmp_server_set_model(s, m, NULL), 0, "set the model");
	is_int(mmp_server_set_model(s, m, NULL), MMP_EINVALID,
		"a second model is refused");
	is_int(mmp_server_load_model(s, "/nonexistent", NULL), MMP_EINVALID,
		"loading a second model is refused");
	test_predict(s, m);
	test_many(s);
	test_start_errors(s);
	is_int((int)mmp_server_inflight(s), 0, "nothing in flight");
	is_int(mmp_server_quiesce(s), 0, "quiesce");
	is_int(mmp_server_quiesce(s), 0, "quiesce twice is harmless");
	mmp_server_free(s);
	mmp_server_free(NULL);
	test_token(m);
	mmp_model_free(m);
	mmp_global_shutdown();
	return done_testing();
}
