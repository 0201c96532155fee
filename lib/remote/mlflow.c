/* SPDX-License-Identifier: MIT */
/* mlflow.c: MLflow tracking REST calls with retries and backoff */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curl-load.h"

#include "remote-internal.h"

#define API "/api/2.0/mlflow"
#define ARTIFACTS_API "/api/2.0/mlflow-artifacts/artifacts"

int mmp_remote__clean_uri(mmp_buf *clean, char **user, char **password,
	const char *uri)
{
	CURLU *u;
	char *part = NULL;
	mmp_http_url parsed;
	int err;

	*user = *password = NULL;
	if ((err = mmp_http_url_parse(&parsed, uri)) < 0)
		return err;
	mmp_buf_clear(clean);
	if (strchr(parsed.host, ':'))
		mmp_buf_printf(clean, "%s://[%s]:%d%s", parsed.scheme,
			parsed.host, parsed.port, parsed.path);
	else
		mmp_buf_printf(clean, "%s://%s:%d%s", parsed.scheme,
			parsed.host, parsed.port, parsed.path);
	mmp_http_url_release(&parsed);
	if (!(u = curl_url()))
		return mmp_error_set(MMP_ERROR_NET, "cannot allocate a url");
	if (curl_url_set(u, CURLUPART_URL, uri, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_USER, &part, CURLU_URLDECODE) ==
		    CURLUE_OK && part && *part)
			*user = mmp__strdup(part);
		curl_free(part);
		part = NULL;
		if (curl_url_get(u, CURLUPART_PASSWORD, &part,
		    CURLU_URLDECODE) == CURLUE_OK && part && *part)
			*password = mmp__strdup(part);
		if (part)
			memset(part, 0, strlen(part));
		curl_free(part);
	}
	curl_url_cleanup(u);
	return 0;
}

static void wipe(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

int mmp_mlflow__open(struct mmp_mlflow *m, const char *uri,
	const mmp_http_options *opts)
{
	mmp_http_options o = MMP_HTTP_OPTIONS_INIT;
	mmp_buf base = MMP_BUF_INIT;
	char *user = NULL, *pass = NULL;
	int err;

	memset(m, 0, sizeof(*m));
	m->max_attempts = 5;
	m->backoff_ms = 250;
	m->backoff_max_ms = 8000;
	if (opts)
		o = *opts;
	if ((err = mmp_remote__clean_uri(&base, &user, &pass, uri)) < 0)
		goto done;
	if (!o.username && !o.token && user) {
		o.username = user;
		o.password = pass;
	}
	err = mmp_http_client_new(&m->http, base.ptr, &o);
done:
	wipe(user);
	wipe(pass);
	mmp_buf_dispose(&base);
	return err;
}

void mmp_mlflow__close(struct mmp_mlflow *m)
{
	mmp_s3_free(m->s3);
	mmp_http_client_free(m->http);
	free(m->fail_class);
	memset(m, 0, sizeof(*m));
}

static int retryable(const mmp_http_response *r)
{
	switch (r->transport) {
	case MMP_HTTP_RESPONSE:
		return r->status == 429 || r->status >= 500;
	case MMP_HTTP_EREFUSED:
	case MMP_HTTP_ETIMEOUT:
	case MMP_HTTP_ECONNECT:
	case MMP_HTTP_EEMPTY:
	case MMP_HTTP_EOTHER:
		return 1;
	default:
		return 0;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* what to do about a failure class, appended to the message */
static const char *hint_of(const struct mmp_mlflow *m,
	const mmp_http_response *r)
{
	if (r->transport == MMP_HTTP_EREFUSED)
		return "nothing listens there: start the tracking server or "
			"fix tracking.uri";
	if (r->transport == MMP_HTTP_EDNS)
		return "the host name does not resolve: fix tracking.uri";
	if (r->transport == MMP_HTTP_ETLS)
		return "check the server certificate "
			"(MLFLOW_TRACKING_SERVER_CERT_PATH, "
			"MLFLOW_TRACKING_INSECURE_TLS)";
	switch (r->klass) {
	case MMP_HTTP_CLASS_AUTH:
		return "set MLFLOW_TRACKING_USERNAME and "
			"MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN";
	case MMP_HTTP_CLASS_AIRPLAY:
		return "this is not MLflow (macOS AirPlay Receiver?): use "
			"another port";
	case MMP_HTTP_CLASS_HOST_POLICY:
		return "the server rejects the Host header: add it to "
			"--allowed-hosts";
	case MMP_HTTP_CLASS_PERMISSION:
		return m->reading ? "this user may not read it: ask for READ "
			"permission" : "this user may not write there: ask "
			"for EDIT permission";
	case MMP_HTTP_CLASS_FORBIDDEN:
		return "a proxy or gateway refused the request";
	case MMP_HTTP_CLASS_WRONG_BASE:
		return "no MLflow API at this base URL: put the path prefix "
			"into tracking.uri";
	default:
		return NULL;
	}
}

static void set_fail_class(struct mmp_mlflow *m, const mmp_http_response *r)
{
	free(m->fail_class);
	m->fail_class = mmp__strdup(r->transport != MMP_HTTP_RESPONSE ?
		mmp_http_transport_name(r->transport) :
		mmp_http_class_name(r->klass));
}

static int request(cJSON **out, struct mmp_mlflow *m, const char *method,
	const char *path, const char *ctype, const char *body, size_t len,
	const char *file, const char *what)
{
	mmp_http_response r;
	long wait = m->backoff_ms;
	int attempt, err = 0;

	if (out)
		*out = NULL;
	mmp_http_response_init(&r);
	for (attempt = 1;; attempt++) {
		m->requests++;
		if (file)
			err = mmp_http_request_file(&r, m->http, method, path,
				ctype, file);
		else
			err = mmp_http_request(&r, m->http, method, path,
				ctype, body, len);
		if (err < 0 && r.transport == MMP_HTTP_RESPONSE)
			goto done;  /* a local failure: bad file, arguments */
		if (!err && r.klass == MMP_HTTP_CLASS_OK)
			break;
		if (!retryable(&r) || attempt >= m->max_attempts)
			break;
		m->retries++;
		sleep_ms(wait);
		wait = wait * 2 > m->backoff_max_ms ? m->backoff_max_ms :
			wait * 2;
	}
	if (r.transport != MMP_HTTP_RESPONSE || r.klass != MMP_HTTP_CLASS_OK) {
		const char *hint = hint_of(m, &r);
		mmp_buf msg = MMP_BUF_INIT;
		int klass;

		set_fail_class(m, &r);
		m->answered = r.transport == MMP_HTTP_RESPONSE;
		err = mmp_http_response_error(&r, what);
		klass = mmp_error_last()->klass;
		mmp_buf_puts(&msg, mmp_error_last()->message);
		if (attempt > 1)
			mmp_buf_printf(&msg, " (after %d attempts)", attempt);
		if (hint)
			mmp_buf_printf(&msg, "; %s", hint);
		mmp_error_set(klass, "%s", msg.ptr);
		mmp_buf_dispose(&msg);
		goto done;
	}
	if (out) {
		*out = cJSON_ParseWithLength(r.body.ptr, r.body.size);
		if (!*out) {
			free(m->fail_class);
			m->fail_class = mmp__strdup("not-json");
			m->answered = 1;
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"%s: http %ld but the body is not JSON: is "
				"this an MLflow server?", what, r.status);
		}
	}
done:
	mmp_http_response_release(&r);
	return err;
}

int mmp_mlflow__download(struct mmp_mlflow *m, const char *path,
	const char *file, uint64_t max, uint64_t *written, const char *what)
{
	mmp_http_response r;
	long wait = m->backoff_ms;
	int attempt, err = 0;
	FILE *f;

	*written = 0;
	mmp_http_response_init(&r);
	for (attempt = 1;; attempt++) {
		if (!(f = fopen(file, "wb"))) {
			err = mmp_error_set_os("cannot create '%s'", file);
			goto done;
		}
		m->requests++;
		err = mmp_http_get_to_file(&r, written, m->http, path, f, max);
		if (fclose(f) != 0 && !err)
			err = mmp_error_set_os("cannot write '%s'", file);
		if (err < 0 && r.transport == MMP_HTTP_RESPONSE)
			goto done;  /* a local failure: the disk */
		if (!err && r.klass == MMP_HTTP_CLASS_OK)
			goto done;
		if (!retryable(&r) || attempt >= m->max_attempts)
			break;
		m->retries++;
		sleep_ms(wait);
		wait = wait * 2 > m->backoff_max_ms ? m->backoff_max_ms :
			wait * 2;
	}
	set_fail_class(m, &r);
	if (r.transport == MMP_HTTP_ETOOBIG)
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: the server "
			"sent more than the %llu bytes it listed", what,
			(unsigned long long)max);
	else
		err = mmp_http_response_error(&r, what);
	if (attempt > 1)
		mmp_error_prefix("after %d attempts", attempt);
done:
	mmp_http_response_release(&r);
	return err;
}

int mmp_mlflow__call(cJSON **out, struct mmp_mlflow *m, const char *method,
	const char *path, const cJSON *body, const char *what)
{
	char *text = body ? mmp_json_print(body, 0) : NULL;
	int err;

	if (body && !text)
		return mmp_error_set(MMP_ERROR_NOMEMORY,
			"cannot format a request");
	err = request(out, m, method, path, text ? "application/json" : NULL,
		text, text ? strlen(text) : 0, NULL, what);
	free(text);
	return err;
}

const char *mmp_mlflow__str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *kv_array(const mmp_kv *kv, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", kv[i].key);
		cJSON_AddStringToObject(o, "value", kv[i].value);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

int mmp_mlflow__experiment_ensure(char **out_id, struct mmp_mlflow *m,
	const char *name, const mmp_kv *tags, size_t ntags)
{
	mmp_buf path = MMP_BUF_INIT;
	cJSON *doc = NULL, *body = NULL;
	const char *id;
	int err, pass;

	*out_id = NULL;
	mmp_buf_puts(&path, API "/experiments/get-by-name?experiment_name=");
	mmp_http_escape(&path, name);
	for (pass = 0; pass < 2; pass++) {
		err = mmp_mlflow__call(&doc, m, "GET", path.ptr, NULL,
			"look up the experiment");
		if (!err) {
			id = mmp_mlflow__str(cJSON_GetObjectItemCaseSensitive(
				doc, "experiment"), "experiment_id");
			if (!id) {
				err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
					"experiments/get-by-name: no "
					"experiment_id in the answer");
				goto done;
			}
			*out_id = mmp__strdup(id);
			goto done;
		}
		if (err != MMP_ENOTFOUND || pass)
			goto done;
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "name", name);
		if (ntags)
			cJSON_AddItemToObject(body, "tags", kv_array(tags,
				ntags));
		err = mmp_mlflow__call(&doc, m, "POST",
			API "/experiments/create", body,
			"create the experiment");
		cJSON_Delete(body);
		body = NULL;
		if (!err) {
			id = mmp_mlflow__str(doc, "experiment_id");
			if (!id) {
				err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
					"experiments/create: no experiment_id "
					"in the answer");
				goto done;
			}
			*out_id = mmp__strdup(id);
			goto done;
		}
		/* created meanwhile by someone else: look it up again */
		if (err != MMP_EEXISTS)
			goto done;
	}
done:
	if (err < 0)
		mmp_error_prefix("experiment '%s'", name);
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	return err;
}

static int run_info_ids(char **out_id, char **out_uri, const cJSON *info,
	const char *what)
{
	const char *id = mmp_mlflow__str(info, "run_id");
	const char *uri = mmp_mlflow__str(info, "artifact_uri");

	if (!id)
		id = mmp_mlflow__str(info, "run_uuid");
	if (!id)
		return mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
			"%s: no run_id in the answer", what);
	*out_id = mmp__strdup(id);
	*out_uri = mmp__strdup_or_null(uri);
	return 0;
}

int mmp_mlflow__run_find(char **out_id, char **out_artifact_uri,
	struct mmp_mlflow *m, const char *experiment_id,
	const char *local_id)
{
	cJSON *body = cJSON_CreateObject(), *doc = NULL, *runs, *ids;
	mmp_buf filter = MMP_BUF_INIT;
	int err;

	*out_id = *out_artifact_uri = NULL;
	ids = cJSON_AddArrayToObject(body, "experiment_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(experiment_id));
	mmp_buf_printf(&filter, "tags.mmp.run_id = '%s'", local_id);
	cJSON_AddStringToObject(body, "filter", filter.ptr);
	cJSON_AddStringToObject(body, "run_view_type", "ALL");
	cJSON_AddNumberToObject(body, "max_results", 10);
	err = mmp_mlflow__call(&doc, m, "POST", API "/runs/search", body,
		"search the run");
	if (err < 0)
		goto done;
	runs = cJSON_GetObjectItemCaseSensitive(doc, "runs");
	if (!cJSON_GetArraySize(runs)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_HTTP,
			"no remote run of '%s'", local_id);
		goto done;
	}
	err = run_info_ids(out_id, out_artifact_uri,
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0),
		"info"), "runs/search");
done:
	mmp_buf_dispose(&filter);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return err;
}

int mmp_mlflow__run_create(char **out_id, char **out_artifact_uri,
	struct mmp_mlflow *m, const char *experiment_id, const mmp_run *r,
	const mmp_kv *tags, size_t ntags)
{
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	int err;

	*out_id = *out_artifact_uri = NULL;
	cJSON_AddStringToObject(body, "experiment_id", experiment_id);
	cJSON_AddNumberToObject(body, "start_time", (double)r->start_time);
	if (r->name && *r->name)
		cJSON_AddStringToObject(body, "run_name", r->name);
	if (r->user_id && *r->user_id)
		cJSON_AddStringToObject(body, "user_id", r->user_id);
	cJSON_AddItemToObject(body, "tags", kv_array(tags, ntags));
	err = mmp_mlflow__call(&doc, m, "POST", API "/runs/create", body,
		"create the run");
	if (!err)
		err = run_info_ids(out_id, out_artifact_uri,
			cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "run"), "info"),
			"runs/create");
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return err;
}

static int log_kv(struct mmp_mlflow *m, const char *run_id,
	const char *field, size_t limit, const mmp_kv *kv, size_t n,
	size_t *calls)
{
	size_t i, k;
	int err = 0;

	for (i = 0; i < n && !err; i += k) {
		cJSON *body = cJSON_CreateObject();
		k = n - i < limit ? n - i : limit;
		cJSON_AddStringToObject(body, "run_id", run_id);
		cJSON_AddItemToObject(body, field, kv_array(kv + i, k));
		err = mmp_mlflow__call(NULL, m, "POST", API "/runs/log-batch",
			body, !strcmp(field, "params") ? "log params" :
			"set tags");
		cJSON_Delete(body);
		if (calls)
			(*calls)++;
	}
	return err;
}

int mmp_mlflow__log_params(struct mmp_mlflow *m, const char *run_id,
	const mmp_kv *kv, size_t n, size_t *calls)
{
	return log_kv(m, run_id, "params", MMP_MLFLOW_MAX_PARAMS, kv, n,
		calls);
}

int mmp_mlflow__log_tags(struct mmp_mlflow *m, const char *run_id,
	const mmp_kv *kv, size_t n, size_t *calls)
{
	return log_kv(m, run_id, "tags", MMP_MLFLOW_MAX_TAGS, kv, n, calls);
}

/* a metric value: a number, or MLflow's strings for NaN and infinities */
static cJSON *metric_value(double v)
{
	if (isnan(v))
		return cJSON_CreateString("NaN");
	if (isinf(v))
		return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
	return cJSON_CreateNumber(v);
}

int mmp_mlflow__log_metrics(struct mmp_mlflow *m, const char *run_id,
	const mmp_run_metric *mv, size_t n)
{
	cJSON *body, *arr, *o;
	size_t i;
	int err;

	if (n > MMP_MLFLOW_MAX_METRICS)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%zu metrics in one batch: at most %d", n,
			MMP_MLFLOW_MAX_METRICS);
	if (!n)
		return 0;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "run_id", run_id);
	arr = cJSON_AddArrayToObject(body, "metrics");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", mv[i].key);
		cJSON_AddItemToObject(o, "value", metric_value(mv[i].value));
		cJSON_AddNumberToObject(o, "timestamp",
			(double)mv[i].timestamp);
		cJSON_AddNumberToObject(o, "step", (double)mv[i].step);
		cJSON_AddItemToArray(arr, o);
	}
	err = mmp_mlflow__call(NULL, m, "POST", API "/runs/log-batch", body,
		"log metrics");
	cJSON_Delete(body);
	return err;
}

static double json_metric_value(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "Infinity"))
			return INFINITY;
		if (!strcmp(v->valuestring, "-Infinity"))
			return -INFINITY;
	}
	return NAN;
}

int mmp_mlflow__metric_history(mmp_run_metric **out, size_t *n,
	struct mmp_mlflow *m, const char *run_id, const char *key)
{
	mmp_buf path = MMP_BUF_INIT;
	cJSON *doc = NULL, *it;
	char *token = NULL;
	size_t alloc = 0, pages = 0;
	int err;

	*out = NULL;
	*n = 0;
	/* a server that pages the history gives next_page_token */
	do {
		const char *next;

		mmp_buf_clear(&path);
		mmp_buf_puts(&path, API "/metrics/get-history?run_id=");
		mmp_http_escape(&path, run_id);
		mmp_buf_puts(&path, "&metric_key=");
		mmp_http_escape(&path, key);
		if (token) {
			mmp_buf_puts(&path, "&page_token=");
			mmp_http_escape(&path, token);
		}
		cJSON_Delete(doc);
		doc = NULL;
		err = mmp_mlflow__call(&doc, m, "GET", path.ptr, NULL,
			"read the metric history");
		if (err < 0)
			goto done;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc,
		    "metrics")) {
			mmp_run_metric *x;
			const cJSON *step = cJSON_GetObjectItemCaseSensitive(
				it, "step");
			const cJSON *ts = cJSON_GetObjectItemCaseSensitive(it,
				"timestamp");
			MMP_ALLOC_GROW(*out, *n + 1, alloc);
			x = &(*out)[(*n)++];
			x->key = mmp__strdup(key);
			x->value = json_metric_value(
				cJSON_GetObjectItemCaseSensitive(it, "value"));
			x->step = cJSON_IsNumber(step) ?
				(int64_t)step->valuedouble : 0;
			x->timestamp = cJSON_IsNumber(ts) ?
				(int64_t)ts->valuedouble : 0;
		}
		next = mmp_mlflow__str(doc, "next_page_token");
		free(token);
		token = next && *next ? mmp__strdup(next) : NULL;
		if (token && ++pages > 1000000) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"the history of metric '%s' of run %s never "
				"ends: the server keeps sending pages", key,
				run_id);
			goto done;
		}
	} while (token);
done:
	if (err < 0) {
		mmp_mlflow__history_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	free(token);
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	return err;
}

void mmp_mlflow__history_free(mmp_run_metric *h, size_t n)
{
	size_t i;

	for (i = 0; h && i < n; i++)
		free((char *)h[i].key);
	free(h);
}

int mmp_mlflow__run_update(struct mmp_mlflow *m, const char *run_id,
	const char *status, int64_t end_time)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "run_id", run_id);
	cJSON_AddStringToObject(body, "status", status);
	if (end_time > 0)
		cJSON_AddNumberToObject(body, "end_time", (double)end_time);
	err = mmp_mlflow__call(NULL, m, "POST", API "/runs/update", body,
		"update the run");
	cJSON_Delete(body);
	return err;
}

/* append a '/'-separated path with each segment escaped */
static void escape_path(mmp_buf *out, const char *p)
{
	mmp_buf seg = MMP_BUF_INIT;

	while (*p) {
		size_t n = strcspn(p, "/");
		mmp_buf_clear(&seg);
		mmp_buf_put(&seg, p, n);
		mmp_buf_putc(out, '/');
		mmp_http_escape(out, seg.ptr);
		p += n;
		while (*p == '/')
			p++;
	}
	mmp_buf_dispose(&seg);
}

int mmp_mlflow__s3(mmp_s3 **out, mmp_buf *key, struct mmp_mlflow *m,
	const char *uri, const char *rel)
{
	mmp_s3_options so = MMP_S3_OPTIONS_INIT;
	char *bucket = NULL, *k = NULL;
	mmp_buf root = MMP_BUF_INIT;
	int err;

	*out = NULL;
	if ((err = mmp_s3_uri_split(&bucket, &k, uri)) < 0)
		return err;
	mmp_buf_printf(&root, "s3://%s", bucket);
	if (m->s3 && strcmp(mmp_s3_location(m->s3), root.ptr)) {
		mmp_mlflow__s3_account(m, 0);
		mmp_s3_free(m->s3);
		m->s3 = NULL;
	}
	so.max_attempts = m->max_attempts;
	so.backoff_ms = m->backoff_ms;
	if (!m->s3 && (err = mmp_s3_open(&m->s3, root.ptr, &so)) < 0) {
		free(m->fail_class);
		m->fail_class = mmp__strdup(err == MMP_ENOTFOUND ?
			"s3-credentials" : "s3-config");
		goto done;
	}
	mmp_buf_clear(key);
	mmp_buf_puts(key, k);
	while (rel && *rel == '/')
		rel++;
	if (rel && *rel)
		mmp_buf_printf(key, "%s%s", key->size ? "/" : "", rel);
	*out = m->s3;
done:
	free(bucket);
	free(k);
	mmp_buf_dispose(&root);
	return err;
}

void mmp_mlflow__s3_account(struct mmp_mlflow *m, int failed)
{
	mmp_s3_stats st;

	if (!m->s3)
		return;
	mmp_s3_stats_get(m->s3, &st);
	m->requests += (size_t)st.requests - m->s3_requests;
	m->retries += (size_t)st.retries - m->s3_retries;
	m->s3_requests = (size_t)st.requests;
	m->s3_retries = (size_t)st.retries;
	if (failed) {
		free(m->fail_class);
		m->fail_class = mmp__strdup(st.last_code ? st.last_code :
			st.last_status ? "s3" : "s3-unreachable");
	}
}

static int artifact_put_s3(struct mmp_mlflow *m, const char *artifact_uri,
	const char *rel_path, const char *file_path, const char *data,
	size_t len)
{
	mmp_buf key = MMP_BUF_INIT;
	mmp_s3 *s3;
	int err;

	if ((err = mmp_mlflow__s3(&s3, &key, m, artifact_uri, rel_path)) < 0)
		goto done;
	if (file_path)
		err = mmp_s3_put_file(s3, key.ptr, file_path);
	else
		err = mmp_s3_put_data(s3, key.ptr, data, len);
	mmp_mlflow__s3_account(m, err < 0);
	if (err < 0)
		mmp_error_prefix("upload artifact '%s'", rel_path);
done:
	mmp_buf_dispose(&key);
	return err;
}

static int artifact_put(struct mmp_mlflow *m, const char *artifact_uri,
	const char *rel_path, const char *file_path, const char *data,
	size_t len)
{
	static const char scheme[] = "mlflow-artifacts:";
	mmp_buf path = MMP_BUF_INIT, what = MMP_BUF_INIT;
	const char *root;
	int err;

	if (artifact_uri && !strncmp(artifact_uri, "s3://", 5))
		return artifact_put_s3(m, artifact_uri, rel_path, file_path,
			data, len);
	if (!artifact_uri || strncmp(artifact_uri, scheme, strlen(scheme)))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"the server keeps artifacts at '%s', neither behind "
			"its artifact proxy nor in S3: start it with "
			"--serve-artifacts",
			artifact_uri ? artifact_uri : "");
	root = artifact_uri + strlen(scheme);
	while (*root == '/')
		root++;
	mmp_buf_puts(&path, ARTIFACTS_API);
	escape_path(&path, root);
	escape_path(&path, rel_path);
	mmp_buf_printf(&what, "upload artifact '%s'", rel_path);
	err = request(NULL, m, "PUT", path.ptr, "application/octet-stream",
		data, len, file_path, what.ptr);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_mlflow__artifact_put(struct mmp_mlflow *m, const char *artifact_uri,
	const char *rel_path, const char *file_path)
{
	return artifact_put(m, artifact_uri, rel_path, file_path, NULL, 0);
}

int mmp_mlflow__artifact_put_data(struct mmp_mlflow *m,
	const char *artifact_uri, const char *rel_path, const char *data,
	size_t len)
{
	return artifact_put(m, artifact_uri, rel_path, NULL, data, len);
}

int mmp_mlflow__run_tag(char **out, struct mmp_mlflow *m,
	const char *run_id, const char *key)
{
	mmp_buf path = MMP_BUF_INIT;
	cJSON *doc = NULL, *run, *data, *t;
	int err;

	*out = NULL;
	mmp_buf_puts(&path, API "/runs/get?run_id=");
	mmp_http_escape(&path, run_id);
	err = mmp_mlflow__call(&doc, m, "GET", path.ptr, NULL, "read the run");
	run = cJSON_GetObjectItemCaseSensitive(doc, "run");
	data = cJSON_GetObjectItemCaseSensitive(run, "data");
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data, "tags")) {
		const char *k = mmp_mlflow__str(t, "key");
		const char *v = mmp_mlflow__str(t, "value");
		if (k && v && !strcmp(k, key)) {
			*out = mmp__strdup(v);
			break;
		}
	}
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	return err;
}

int mmp_mlflow__log_model(struct mmp_mlflow *m, const char *run_id,
	const char *model_json)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "run_id", run_id);
	cJSON_AddStringToObject(body, "model_json", model_json);
	err = mmp_mlflow__call(NULL, m, "POST", API "/runs/log-model", body,
		"log the model");
	cJSON_Delete(body);
	return err;
}

int mmp_mlflow__log_inputs(struct mmp_mlflow *m, const char *run_id,
	const cJSON *datasets)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "run_id", run_id);
	cJSON_AddItemToObject(body, "datasets", cJSON_Duplicate(datasets, 1));
	err = mmp_mlflow__call(NULL, m, "POST", API "/runs/log-inputs", body,
		"log the dataset inputs");
	cJSON_Delete(body);
	return err;
}

/* ---- the model registry ---- */

int mmp_mlflow__model_create(struct mmp_mlflow *m, const char *name,
	const char *description)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "name", name);
	if (description && *description)
		cJSON_AddStringToObject(body, "description", description);
	err = mmp_mlflow__call(NULL, m, "POST",
		API "/registered-models/create", body,
		"create the registered model");
	cJSON_Delete(body);
	if (err == MMP_EEXISTS) {
		mmp_error_clear();
		err = 0;
	}
	if (err < 0)
		mmp_error_prefix("model '%s'", name);
	return err;
}

int mmp_mlflow__version_find(char **out, struct mmp_mlflow *m,
	const char *name, int64_t local_version)
{
	mmp_buf path = MMP_BUF_INIT, filter = MMP_BUF_INIT;
	cJSON *doc = NULL, *v, *t;
	char want[32];
	int err;

	*out = NULL;
	snprintf(want, sizeof(want), "%lld", (long long)local_version);
	mmp_buf_printf(&filter, "name='%s'", name);
	mmp_buf_puts(&path, API "/model-versions/search?filter=");
	mmp_http_escape(&path, filter.ptr);
	err = mmp_mlflow__call(&doc, m, "GET", path.ptr, NULL,
		"search the model versions");
	if (err < 0)
		goto done;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc,
	    "model_versions")) {
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(v,
		    "tags")) {
			const char *k = mmp_mlflow__str(t, "key");
			const char *val = mmp_mlflow__str(t, "value");
			if (k && val && !strcmp(k, "mmp.registry.version") &&
			    !strcmp(val, want) && mmp_mlflow__str(v,
			    "version")) {
				*out = mmp__strdup(mmp_mlflow__str(v,
					"version"));
				goto done;
			}
		}
	}
	err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_HTTP,
		"no remote version of '%s' v%s", name, want);
done:
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&filter);
	return err;
}

int mmp_mlflow__version_create(char **out, struct mmp_mlflow *m,
	const char *name, const char *source, const char *run_id,
	const char *description, const mmp_kv *tags, size_t ntags)
{
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	const char *v;
	int err;

	*out = NULL;
	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "source", source);
	cJSON_AddStringToObject(body, "run_id", run_id);
	if (description && *description)
		cJSON_AddStringToObject(body, "description", description);
	cJSON_AddItemToObject(body, "tags", kv_array(tags, ntags));
	err = mmp_mlflow__call(&doc, m, "POST", API "/model-versions/create",
		body, "create the model version");
	if (!err) {
		v = mmp_mlflow__str(cJSON_GetObjectItemCaseSensitive(doc,
			"model_version"), "version");
		if (v)
			*out = mmp__strdup(v);
		else
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"model-versions/create: no version in the "
				"answer");
	}
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return err;
}

int mmp_mlflow__version_update(struct mmp_mlflow *m, const char *name,
	const char *version, const char *description)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "version", version);
	cJSON_AddStringToObject(body, "description",
		description ? description : "");
	err = mmp_mlflow__call(NULL, m, "PATCH", API "/model-versions/update",
		body, "update the model version");
	cJSON_Delete(body);
	return err;
}

int mmp_mlflow__version_set_tag(struct mmp_mlflow *m, const char *name,
	const char *version, const char *key, const char *value)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "version", version);
	cJSON_AddStringToObject(body, "key", key);
	cJSON_AddStringToObject(body, "value", value);
	err = mmp_mlflow__call(NULL, m, "POST", API "/model-versions/set-tag",
		body, "set a model version tag");
	cJSON_Delete(body);
	return err;
}

int mmp_mlflow__version_stage(struct mmp_mlflow *m, const char *name,
	const char *version, const char *stage, int archive_existing)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "version", version);
	cJSON_AddStringToObject(body, "stage", stage);
	cJSON_AddBoolToObject(body, "archive_existing_versions",
		archive_existing);
	err = mmp_mlflow__call(NULL, m, "POST",
		API "/model-versions/transition-stage", body,
		"transition the model version");
	cJSON_Delete(body);
	return err;
}

int mmp_mlflow__alias(struct mmp_mlflow *m, const char *name,
	const char *alias, const char *version)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "alias", alias);
	if (version)
		cJSON_AddStringToObject(body, "version", version);
	/* DELETE takes a JSON body: MLflow ignores the query string */
	err = mmp_mlflow__call(NULL, m, version ? "POST" : "DELETE",
		API "/registered-models/alias", body, version ?
		"set the alias" : "delete the alias");
	cJSON_Delete(body);
	return err;
}
