/* SPDX-License-Identifier: MIT */
/* serve.c: the serve check: a running serve-api answers, which model */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mmp/remote.h"
#include "doctor-internal.h"

#define PROBES 5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *str_field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "churn v3 (run 0123abcd, binary)" from /health's "model" object */
static void describe_model(mmp_buf *out, const mmp_http_response *resp)
{
	cJSON *doc = cJSON_ParseWithLength(resp->body.ptr, resp->body.size);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "model");
	const char *name, *ver, *run, *task;

	if (cJSON_IsString(m)) {
		mmp_buf_puts(out, m->valuestring);
	} else if (cJSON_IsObject(m) && (name = str_field(m, "name"))) {
		ver = str_field(m, "version");
		run = str_field(m, "run_id");
		task = str_field(m, "task");
		mmp_buf_puts(out, name);
		if (ver)
			mmp_buf_printf(out, " v%s", ver);
		if (run || task)
			mmp_buf_printf(out, " (%s%.12s%s%s)", run ? "run " :
				"", run ? run : "", run && task ? ", " : "",
				task ? task : "");
	}
	cJSON_Delete(doc);
}

void mmp_doctor__check_serve(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	mmp_http_options ho = MMP_HTTP_OPTIONS_INIT;
	mmp_http_client *c = NULL;
	mmp_http_response resp;
	mmp_buf s = MMP_BUF_INIT, model = MMP_BUF_INIT;
	double ms[PROBES];
	int i;

	MMP_UNUSED(p);
	mmp_http_response_init(&resp);
	if (!o->serve_url || !*o->serve_url) {
		mmp_doctor__summary(r, "not checked: give --serve-url to probe "
			"a running mmp serve-api");
		return;
	}
	ho.connect_timeout_ms = ho.timeout_ms = o->timeout_ms > 0 ?
		o->timeout_ms : DOCTOR_TIMEOUT_MS;
	ho.max_body = 1 << 20;
	if (mmp_http_client_new(&c, o->serve_url, &ho) < 0) {
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, mmp_error_last()->message,
			"give --serve-url as http://host:port, e.g. "
			"http://127.0.0.1:8000");
		mmp_error_clear();
		goto done;
	}
	if (mmp_http_get(&resp, c, "/health") < 0) {
		mmp_buf_printf(&s, "GET %s/health: %s", mmp_http_client_base(c),
			resp.error);
		mmp_error_clear();
		if (resp.transport == MMP_HTTP_EREFUSED)
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "nothing "
				"listens there: start it (mmp serve-api "
				"--model "
				"<name>@Production --port <port>) or fix "
				"--serve-url");
		else
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "check "
				"that "
				"the server runs and --serve-url is right");
		mmp_doctor__detail(r, "%s", s.ptr);
		goto done;
	}
	mmp_doctor__detail(r, "GET /health: http %ld in %.1f ms", resp.status,
		resp.total_ms);
	describe_model(&model, &resp);
	if (resp.status == 503) {
		mmp_buf_printf(&s, "%s answers 503: no model loaded yet",
			mmp_http_client_base(c));
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "wait for the "
			"model to load, or see the server's log for why it "
			"could not");
		goto done;
	}
	if (resp.klass != MMP_HTTP_CLASS_OK) {
		mmp_buf_printf(&s, "%s/health answers http %ld",
			mmp_http_client_base(c), resp.status);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "check that "
			"--serve-url points at mmp serve-api (or an MLflow "
			"scoring server) and not at another service");
		goto done;
	}
	mmp_doctor__detail(r, "model: %s", model.size ? model.ptr :
		"not reported by /health");
	for (i = 0; i < PROBES; i++) {
		if (mmp_http_get(&resp, c, "/health") < 0 ||
		    resp.klass != MMP_HTTP_CLASS_OK) {
			mmp_error_clear();
			mmp_buf_printf(&s, "the probe request GET /health "
				"failed (%s)", resp.error ? resp.error :
				"not http 200");
			mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "see the "
				"server's log");
			goto done;
		}
		ms[i] = resp.total_ms;
	}
	qsort(ms, PROBES, sizeof(ms[0]), cmp_double);
	mmp_doctor__detail(r, "latency of GET /health over %d probes: median "
		"%.2f ms, max %.2f ms", PROBES, ms[PROBES / 2], ms[PROBES - 1]);
	mmp_doctor__summary(r, "%s serves %s; probe latency %.2f ms",
		mmp_http_client_base(c), model.size ? model.ptr :
		"an unnamed model", ms[PROBES / 2]);
	if (ms[PROBES / 2] > 500.0)
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, "the server answers "
			"slowly (median over 500 ms for /health)", "the "
			"machine "
			"is overloaded or the server has too few threads");
done:
	mmp_http_response_release(&resp);
	mmp_http_client_free(c);
	mmp_buf_dispose(&s);
	mmp_buf_dispose(&model);
}
