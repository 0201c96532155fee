/* SPDX-License-Identifier: MIT */
/* t-serve-live.c: live profiles in the server: setup errors, /metrics
 * gauges for a known shift, windows and logged predictions in the
 * store after shutdown, a restart appending windows of its own */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/model.h"
#include "mmp/monitor.h"
#include "mmp/serve.h"
#include "mmp/store.h"
#include "serve/serve-internal.h"
#include "serve-model.h"
#include "tap.h"

#define NROWS SERVE_ROWS

static float train_x[NROWS * 2];
static char db[512], profile[512], other_profile[512], nowhere[512];

/* the reference profile of the training rows, as training writes it */
static int write_profile(const mmp_model *m, const char *path, size_t nf)
{
	float pred[NROWS];
	mmp_profile *p = NULL;
	mmp_buf json = MMP_BUF_INIT;
	FILE *f;
	int err;

	if (mmp_model_predict_scores(m, train_x, NROWS, 2, pred) < 0)
		return -1;
	if (nf == 2) {
		err = mmp_profile_build(&p, mmp_model_schema_of(m), train_x,
			NROWS, pred, 1);
	} else {
		/* a profile of another model: one feature only */
		mmp_model_schema *s = NULL;
		mmp_model_schema_new(&s, MMP_TASK_BINARY, "y");
		mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
			MMP_COLUMN_DOUBLE, NULL, 0);
		err = mmp_profile_build(&p, s, pred, NROWS, pred, 1);
		mmp_model_schema_free(s);
	}
	if (err < 0)
		return err;
	mmp_profile_to_json(p, &json);
	mmp_profile_free(p);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(json.ptr, 1, json.size, f);
	fclose(f);
	mmp_buf_dispose(&json);
	return 0;
}

static int handle(mmp_server *s, const char *method, const char *path,
	const char *body, mmp_buf *out)
{
	struct serve_request req = { method, path, "application/json", NULL,
		body, body ? strlen(body) : 0 };
	struct serve_response resp = SERVE_RESPONSE_INIT;
	int status;

	mmp_serve__handle(s, &req, mmp_serve__route(path), &resp);
	mmp_buf_clear(out);
	mmp_buf_puts(out, resp.body.ptr);
	status = resp.status;
	mmp_buf_dispose(&resp.body);
	return status;
}

/* the training rows as /predict records, x moved by `shift`, ids from
 * `first` */
static void records(mmp_buf *b, float shift, int first)
{
	int i;

	mmp_buf_clear(b);
	mmp_buf_putc(b, '[');
	for (i = 0; i < NROWS; i++)
		mmp_buf_printf(b, "%s{\"id\":\"e%d\",\"x\":%.9g,"
			"\"colour\":\"%s\"}", i ? "," : "", first + i,
			(double)(train_x[i * 2] + shift),
			serve_colours[(int)train_x[i * 2 + 1]]);
	mmp_buf_putc(b, ']');
}

/* a gauge's value from /metrics text, or NAN */
static double gauge(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;

	/* at the start of a line and followed by the value */
	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return NAN;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static mmp_server *start(mmp_model *m)
{
	mmp_serve_options o;
	mmp_server *s = NULL;

	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	o.port = 0;
	o.threads = 2;
	if (mmp_server_start(&s, &o) < 0 ||
	    mmp_server_set_model(s, m, NULL) < 0) {
		diag("start: %s", mmp_error_last()->message);
		mmp_server_free(s);
		return NULL;
	}
	return s;
}

struct tally {
	int windows;
	int64_t rows;
	int parsed;
	char instances[4][320];
	int ninstances;
};

static int count_window(const mmp_monitor_window *w, void *payload)
{
	struct tally *t = payload;
	mmp_profile *p = NULL;
	int i;

	t->windows++;
	t->rows += w->rows;
	if (mmp_profile_from_json(&p, w->profile, strlen(w->profile),
	    "window") == 0 && mmp_profile_rows(p) == w->rows)
		t->parsed++;
	mmp_profile_free(p);
	for (i = 0; i < t->ninstances; i++)
		if (!strcmp(t->instances[i], w->instance))
			return 0;
	if (t->ninstances < 4)
		snprintf(t->instances[t->ninstances++], 320, "%s",
			w->instance);
	return 0;
}

struct ids {
	int n;
	int first_ok;
};

static int count_log(const mmp_prediction_log_item *it, void *payload)
{
	struct ids *c = payload;

	if (c->n++ == 0)
		c->first_ok = it->npred == 1 && it->pred[0] > 0.0f &&
			it->pred[0] < 1.0f && it->entity_id[0] == 'e' &&
			!strcmp(it->source, "serve") && it->version == 7;
	return 0;
}

static void test_setup_errors(mmp_model *m)
{
	mmp_serve_monitor_options mo = MMP_SERVE_MONITOR_OPTIONS_INIT;
	mmp_server *s = start(m);
	mmp_buf out = MMP_BUF_INIT;

	if (!s)
		return;
	handle(s, "GET", "/metrics", NULL, &out);
	ok(strstr(out.ptr, "mmp_monitor_enabled 0\n") != NULL,
		"/metrics says monitoring is off");
	ok(!strstr(out.ptr, "mmp_drift_psi"), "and shows no drift");
	mo.store_path = db;
	mo.profile_path = nowhere;
	is_int(mmp_server_monitor(s, &mo), MMP_ENOTFOUND,
		"no profile.json: not found");
	mo.profile_path = other_profile;
	is_int(mmp_server_monitor(s, &mo), MMP_EINVALID,
		"a profile of another model");
	ok(strstr(mmp_error_last()->message, "profiles 1 features, the "
		"model has 2") != NULL, "says what does not fit");
	mo.profile_path = profile;
	mo.id_field = "customer";
	is_int(mmp_server_monitor(s, &mo), MMP_EINVALID,
		"an id field that is not an entity column");
	ok(strstr(mmp_error_last()->message, "the id field 'customer' is not "
		"an entity column of the model (its entity columns: 'id')") !=
		NULL, "names it and the entity columns");
	mo.id_field = NULL;
	mo.version = 9;
	is_int(mmp_server_monitor(s, &mo), MMP_EINVALID,
		"an unknown options version");
	mo.version = MMP_SERVE_MONITOR_OPTIONS_VERSION;
	is_int(mmp_server_monitor(s, &mo), 0, "monitoring starts");
	is_int(mmp_server_monitor(s, &mo), MMP_EINVALID, "but only once");
	mmp_server_free(s);
	mmp_buf_dispose(&out);
}

static void test_live(mmp_model *m)
{
	mmp_serve_monitor_options mo = MMP_SERVE_MONITOR_OPTIONS_INIT;
	mmp_prediction_log_query q = MMP_PREDICTION_LOG_QUERY_INIT;
	mmp_server *s = start(m);
	mmp_buf out = MMP_BUF_INIT, body = MMP_BUF_INIT;
	mmp_store *st = NULL;
	struct tally t;
	struct ids c;
	double logged, dropped;

	if (!s)
		return;
	mo.store_path = db;
	mo.profile_path = profile;
	mo.id_field = "id";
	mo.model = "churn";
	mo.model_version = 7;
	mo.window = 3600;
	mo.flush_interval = 3600;
	is_int(mmp_server_monitor(s, &mo), 0, "monitor with a prediction log");

	records(&body, 0.0f, 0);
	is_int(handle(s, "POST", "/predict", body.ptr, &out), 200,
		"predict the training rows");
	handle(s, "GET", "/metrics", NULL, &out);
	ok(strstr(out.ptr, "mmp_monitor_enabled 1\n") != NULL,
		"/metrics says monitoring is on");
	is_double(gauge(out.ptr, "mmp_drift_psi{feature=\"x\"}"), 0, 1e-12,
		"the training rows: PSI of x is 0");
	is_double(gauge(out.ptr, "mmp_drift_psi{feature=\"colour\"}"), 0,
		1e-12, "PSI of colour is 0");
	is_double(gauge(out.ptr, "mmp_drift_ks{feature=\"x\"}"), 0, 1e-12,
		"KS of x is 0");
	is_double(gauge(out.ptr, "mmp_prediction_drift_psi{output="
		"\"prediction\"}"), 0, 1e-6, "prediction PSI is 0");
	is_double(gauge(out.ptr, "mmp_monitor_window_rows"), NROWS, 0,
		"the window has the rows");

	records(&body, 3.0f, NROWS);
	is_int(handle(s, "POST", "/predict", body.ptr, &out), 200,
		"predict rows with x moved up by 3");
	handle(s, "GET", "/metrics", NULL, &out);
	ok(gauge(out.ptr, "mmp_drift_psi{feature=\"x\"}") > 0.5,
		"the shift moves x's PSI past 0.5 (%g)",
		gauge(out.ptr, "mmp_drift_psi{feature=\"x\"}"));
	is_double(gauge(out.ptr, "mmp_drift_ks{feature=\"x\"}"), 0.375,
		0.03, "and its KS to 0.375 (a quarter of x is above 1 in the "
		"reference, none of the first half of the rows, all of the "
		"second half)");
	is_double(gauge(out.ptr, "mmp_drift_psi{feature=\"colour\"}"), 0,
		1e-12, "colour's PSI stays 0");
	ok(gauge(out.ptr, "mmp_drift_js{feature=\"colour\"}") < 1e-12,
		"and its Jensen-Shannon divergence");
	ok(isnan(gauge(out.ptr, "mmp_drift_js{feature=\"x\"}")),
		"no JS gauge for a numeric feature");
	is_double(gauge(out.ptr, "mmp_monitor_window_rows"), 2 * NROWS, 0,
		"both requests' rows in the window");
	is_double(gauge(out.ptr, "mmp_monitor_rows_total"), 2 * NROWS, 0,
		"rows counted");
	is_int(handle(s, "POST", "/invocations",
		"{\"dataframe_records\": [{\"id\": 5, \"x\": 0.5, "
		"\"colour\": \"red\"}]}", &out), 200,
		"an MLflow request is profiled too");
	handle(s, "GET", "/metrics", NULL, &out);
	is_double(gauge(out.ptr, "mmp_monitor_rows_total"), 2 * NROWS + 1,
		0, "its row counted");
	mmp_server_free(s);

	mmp_store_open(&st, db, 0);
	memset(&t, 0, sizeof(t));
	is_int(mmp_store_monitor_windows(st, "churn", 7, "serve", 0,
		count_window, &t), 0, "read the windows back");
	is_int(t.windows, 1, "shutdown saved the open window");
	is_int(t.rows, 2 * NROWS + 1, "with every row");
	is_int(t.parsed, 1, "as a profile that reads back");
	q.model = "churn";
	memset(&c, 0, sizeof(c));
	mmp_store_prediction_log_get(st, &q, count_log, &c);
	is_int(c.n, 2 * NROWS, "every /predict prediction was logged by id "
		"(MLflow's formats carry no entity column)");
	ok(c.first_ok, "with its score, source and version");
	mmp_store_free(st);

	/* a restart appends; a tiny queue drops and counts */
	s = start(m);
	if (!s)
		return;
	mo.log_queue = 2;
	is_int(mmp_server_monitor(s, &mo), 0, "monitor again after a restart");
	records(&body, 0.0f, 5000);
	handle(s, "POST", "/predict", body.ptr, &out);
	handle(s, "GET", "/metrics", NULL, &out);
	logged = gauge(out.ptr, "mmp_prediction_log_written_total");
	dropped = gauge(out.ptr, "mmp_prediction_log_dropped_total");
	ok(dropped > 0, "a queue of 2 drops predictions (%g)", dropped);
	mmp_server_free(s);
	mmp_store_open(&st, db, 0);
	memset(&t, 0, sizeof(t));
	mmp_store_monitor_windows(st, "churn", 7, NULL, 0, count_window, &t);
	is_int(t.windows, 2, "the restarted server added a window");
	is_int(t.ninstances, 2, "of its own instance");
	is_int(t.rows, 3 * NROWS + 1, "the rows of both");
	memset(&c, 0, sizeof(c));
	mmp_store_prediction_log_get(st, &q, count_log, &c);
	ok(c.n > 2 * NROWS && c.n < 3 * NROWS,
		"some of the second server's predictions were logged");
	ok(logged <= c.n - 2 * NROWS, "no more than it said before "
		"shutting down");
	is_int(c.n - 2 * NROWS + (long long)dropped, NROWS,
		"logged and dropped add up to the rows sent");
	mmp_store_free(st);
	mmp_buf_dispose(&out);
	mmp_buf_dispose(&body);
}

/* the exact HELP line of a series in /metrics text */
static int has_help(const char *text, const char *name, const char *help)
{
	char line[512];

	snprintf(line, sizeof(line), "# HELP %s %s\n", name, help);
	return strstr(text, line) != NULL;
}

/* an unknown category: /predict refuses the row and profiles the value
 * as unseen, /invocations predicts it as missing and profiles it so;
 * the HELP lines say which */
static void test_unseen(mmp_model *m)
{
	mmp_serve_monitor_options mo = MMP_SERVE_MONITOR_OPTIONS_INIT;
	mmp_server *s = start(m);
	mmp_buf out = MMP_BUF_INIT, body = MMP_BUF_INIT;

	if (!s)
		return;
	mo.store_path = db;
	mo.profile_path = profile;
	mo.model = "unseen";
	mo.window = 3600;
	mo.flush_interval = 3600;
	is_int(mmp_server_monitor(s, &mo), 0, "monitor for unseen values");
	records(&body, 0.0f, 0);
	is_int(handle(s, "POST", "/predict", body.ptr, &out), 200,
		"predict the training rows");
	is_int(handle(s, "POST", "/predict", "{\"x\": 0.5, \"colour\": "
		"\"purple\"}", &out), 422, "/predict refuses purple");
	is_int(handle(s, "POST", "/invocations", "{\"dataframe_records\": "
		"[{\"x\": 0.5, \"colour\": \"purple\"}]}", &out), 200,
		"/invocations predicts purple");
	handle(s, "GET", "/metrics", NULL, &out);
	is_double(gauge(out.ptr, "mmp_monitor_rows_total"), NROWS + 2, 0,
		"all three requests' rows are profiled");
	is_double(gauge(out.ptr, "mmp_monitor_refused_rows_total"), 1, 0,
		"one of them refused");
	is_double(gauge(out.ptr, "mmp_drift_unseen_share{feature=\"colour\"}"),
		1.0 / (NROWS + 1), 1e-12,
		"unseen: the refused value among the non-missing ones");
	is_double(gauge(out.ptr, "mmp_drift_missing_rate{feature=\"colour\"}"),
		1.0 / (NROWS + 2), 1e-12,
		"missing: the value /invocations predicted");
	ok(has_help(out.ptr, "mmp_drift_unseen_share", "Share of a "
		"categorical feature's non-missing values in the current "
		"window that the model has no category for: values of "
		"/predict requests refused only for them (/invocations reads "
		"them as missing)."), "the unseen share's HELP says so");
	ok(has_help(out.ptr, "mmp_drift_missing_rate", "Share of missing "
		"values of a feature in the current window (unknown categories "
		"sent to /invocations count as missing)."),
		"the missing rate's HELP says so");
	ok(has_help(out.ptr, "mmp_monitor_refused_rows_total", "Rows of "
		"/predict requests refused only for categories the model does "
		"not know, counted into live profiles without predictions."),
		"the refused rows' HELP says so");
	mmp_server_free(s);
	mmp_buf_dispose(&out);
	mmp_buf_dispose(&body);
}

static void test_windows(mmp_model *m)
{
	mmp_serve_monitor_options mo = MMP_SERVE_MONITOR_OPTIONS_INIT;
	mmp_server *s = start(m);
	mmp_buf out = MMP_BUF_INIT, body = MMP_BUF_INIT;
	mmp_store *st = NULL;
	struct tally t;
	int64_t t0;
	int i;

	if (!s)
		return;
	mo.store_path = db;
	mo.profile_path = profile;
	mo.model = "short";
	mo.window = 1;
	mo.flush_interval = 1;
	is_int(mmp_server_monitor(s, &mo), 0, "windows of one second");
	records(&body, 0.0f, 0);
	/* the first request in the first half of a second */
	t0 = now_ms();
	usleep((useconds_t)(1000 - t0 % 1000) * 1000 + 100000);
	handle(s, "POST", "/predict", body.ptr, &out);
	/* the window closes within a second; wait up to 20 s for it */
	mmp_store_open(&st, db, 0);
	for (i = 0; i < 200; i++) {
		memset(&t, 0, sizeof(t));
		mmp_store_monitor_windows(st, "short", 0, NULL, 0,
			count_window, &t);
		if (t.windows)
			break;
		usleep(100000);
	}
	is_int(t.windows, 1, "a closed window is saved while serving");
	is_int(t.rows, NROWS, "with its rows");
	mmp_store_free(st);
	handle(s, "POST", "/predict", body.ptr, &out);
	handle(s, "GET", "/metrics", NULL, &out);
	ok(gauge(out.ptr, "mmp_monitor_windows_total") >= 1,
		"windows saved are counted");
	mmp_server_free(s);
	mmp_store_open(&st, db, 0);
	memset(&t, 0, sizeof(t));
	mmp_store_monitor_windows(st, "short", 0, NULL, 0, count_window, &t);
	is_int(t.windows, 2, "the next window is another row");
	is_int(t.rows, 2 * NROWS, "each with its rows");
	mmp_store_free(st);
	mmp_buf_dispose(&out);
	mmp_buf_dispose(&body);
}

int main(void)
{
	mmp_store *st = NULL;
	mmp_model *m = serve_model_train(train_x);

	snprintf(db, sizeof(db), "%s/.mmp/mmp.db", tap_tmpdir());
	snprintf(profile, sizeof(profile), "%s/profile.json", tap_tmpdir());
	snprintf(other_profile, sizeof(other_profile), "%s/other.json",
		tap_tmpdir());
	snprintf(nowhere, sizeof(nowhere), "%s/none.json", tap_tmpdir());
	ok(m != NULL, "train a model");
	if (!m)
		return done_testing();
	is_int(mmp_store_open(&st, db, MMP_STORE_CREATE), 0, "a store");
	mmp_store_free(st);
	is_int(write_profile(m, profile, 2), 0, "its reference profile");
	is_int(write_profile(m, other_profile, 1), 0, "another profile");
	test_setup_errors(m);
	test_live(m);
	test_unseen(m);
	test_windows(m);
	mmp_model_free(m);
	return done_testing();
}
