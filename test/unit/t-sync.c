/* SPDX-License-Identifier: MIT */
/* t-sync.c: the push state in the store, URI cleaning, dry runs, failures */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/sync.h"
#include "remote/remote-internal.h"
#include "store/sync-internal.h"

static void test_clean_uri(void)
{
	mmp_buf b = MMP_BUF_INIT;
	char *u = NULL, *p = NULL;

	is_int(mmp_remote__clean_uri(&b, &u, &p,
		"http://al%40ice:s3cret@mlflow.internal:5000/prefix/"), 0,
		"a URI with credentials");
	is_str(b.ptr, "http://mlflow.internal:5000/prefix", "cleaned");
	is_str(u, "al@ice", "user, decoded");
	is_str(p, "s3cret", "password");
	free(u);
	free(p);
	is_int(mmp_remote__clean_uri(&b, &u, &p, "HTTPS://h"), 0, "https");
	is_str(b.ptr, "https://h:443", "default port, scheme lowered");
	ok(!u && !p, "no credentials");
	is_int(mmp_remote__clean_uri(&b, &u, &p, "http://[::1]:5055"), 0,
		"IPv6");
	is_str(b.ptr, "http://[::1]:5055", "brackets kept");
	is_int(mmp_remote__clean_uri(&b, &u, &p, "ftp://x"), MMP_EINVALID,
		"ftp refused");
	ok(strstr(mmp_error_last()->message, "'ftp'") != NULL,
		"the message names the scheme");
	mmp_buf_dispose(&b);
}

static void test_options(mmp_store *s)
{
	mmp_sync_options o;
	mmp_sync_result r;
	mmp_sync_status st;

	is_int(mmp_sync_options_init(&o, 99), MMP_EINVALID, "bad version");
	is_int(mmp_sync_options_init(&o, MMP_SYNC_OPTIONS_VERSION), 0,
		"options init");
	is_int(mmp_sync_push(&r, s, &o), MMP_EINVALID, "no URI");
	ok(strstr(mmp_error_last()->message, "no tracking server") != NULL,
		"no URI: message");
	mmp_sync_result_release(&r);
	is_int(mmp_sync_push(&r, s, NULL), MMP_EINVALID, "no options");
	mmp_sync_result_release(&r);
	is_int(mmp_sync_status_get(&st, s, ""), MMP_EINVALID, "status, no URI");
	mmp_sync_status_release(&st);
}

static void test_state(mmp_store *s, const char *run)
{
	struct mmp_store__sync_metric *m = NULL;
	struct mmp_store__sync_run rs;
	struct mmp_store__sync_remote_info info;
	char (*ids)[33] = NULL;
	int64_t remote = -1, again = -1, n64 = 0;
	size_t n = 0;
	int sent = -1;
	char *rid = NULL;

	is_int(mmp_store__sync_remote(s, "http://a:1", 0, &remote),
		MMP_ENOTFOUND, "an unknown remote");
	is_int(mmp_store__sync_remote(s, "http://a:1", 1, &remote), 0,
		"created");
	is_int(mmp_store__sync_remote(s, "http://a:1", 1, &again), 0,
		"found again");
	is_int(again, remote, "same id");

	is_int(mmp_store__sync_runs_ended(&ids, &n, s, NULL), 0, "ended runs");
	is_int((long long)n, 1, "one ended run");
	if (n)
		is_str(ids[0], run, "the run");
	free(ids);

	is_int(mmp_store__sync_metrics(&m, &n, s, run, 0, 0, 2), 0,
		"first two metric rows");
	is_int((long long)n, 2, "limit honoured");
	if (n == 2) {
		is_str(m[0].key, "loss", "logging order");
		ok(isnan(m[1].value), "NaN read back as NaN");
		is_int(mmp_store__sync_metrics_count(&n64, s, run,
			m[1].rowid), 0, "count after");
		is_int(n64, 2, "two rows after the second");
		mmp_store__sync_metrics_free(m, n);
		is_int(mmp_store__sync_metrics(&m, &n, s, run, 0, 0, 100), 0,
			"all rows");
		is_int((long long)n, 4, "four rows");
		ok(isinf(m[2].value) && m[2].value > 0, "+inf kept");
		mmp_store__sync_metrics_free(m, n);
		is_int(mmp_store__sync_metrics(&m, &n, s, run, 1, 3, 100), 0,
			"a range");
		ok(n >= 1 && m[n - 1].rowid <= 3, "bounded above");
	}
	mmp_store__sync_metrics_free(m, n);

	is_int(mmp_store__sync_run_get(&rs, s, remote, run), 0, "no state");
	ok(!rs.known && !rs.remote_run_id, "unknown run");
	mmp_store__sync_run_release(&rs);
	is_int(mmp_store__sync_run_creating(s, remote, run), 0, "creating");
	is_int(mmp_store__sync_run_get(&rs, s, remote, run), 0, "state");
	ok(rs.known && !rs.remote_run_id, "a create in flight");
	mmp_store__sync_run_release(&rs);
	is_int(mmp_store__sync_run_created(s, remote, run, "abc",
		"mlflow-artifacts:/1/abc/artifacts"), 0, "created");
	is_int(mmp_store__sync_run_metrics_inflight(s, remote, run, 3), 0,
		"in flight");
	is_int(mmp_store__sync_run_get(&rs, s, remote, run), 0, "state");
	is_str(rs.remote_run_id, "abc", "remote id");
	is_int(rs.metrics_inflight, 3, "in flight mark");
	is_int(rs.metrics_rowid, 0, "nothing sent yet");
	mmp_store__sync_run_release(&rs);
	is_int(mmp_store__sync_run_metrics_sent(s, remote, run, 3), 0, "sent");
	is_int(mmp_store__sync_run_get(&rs, s, remote, run), 0, "state");
	is_int(rs.metrics_inflight, 0, "mark cleared");
	is_int(rs.metrics_rowid, 3, "high-water mark");
	mmp_store__sync_run_release(&rs);

	is_int(mmp_store__sync_artifact_is_sent(&sent, s, remote, run, "a",
		"00"), 0, "artifact lookup");
	is_int(sent, 0, "not sent");
	is_int(mmp_store__sync_artifact_sent(s, remote, run, "a", "00"), 0,
		"mark sent");
	is_int(mmp_store__sync_artifact_is_sent(&sent, s, remote, run, "a",
		"00"), 0, "artifact lookup");
	is_int(sent, 1, "sent");
	is_int(mmp_store__sync_artifact_is_sent(&sent, s, remote, run, "a",
		"11"), 0, "another content");
	is_int(sent, 0, "a changed file is not sent");

	is_int(mmp_store__sync_experiment_get(&rid, s, remote, 7),
		MMP_ENOTFOUND, "experiment not pushed");
	is_int(mmp_store__sync_experiment_set(s, remote, 0, "5"), 0, "map");
	is_int(mmp_store__sync_experiment_get(&rid, s, remote, 0), 0, "get");
	is_str(rid, "5", "remote experiment id");
	free(rid);

	is_int(mmp_store__sync_remote_result(s, remote, "auth", "http 401"),
		0, "record a failure");
	is_int(mmp_store__sync_remote_info(&info, s, remote), 0, "info");
	is_str(info.last_error, "http 401", "last error");
	is_str(info.last_error_class, "auth", "its class");
	ok(info.last_error_time > 0 && !info.last_push_time, "times");
	mmp_store__sync_remote_info_release(&info);
	is_int(mmp_store__sync_remote_result(s, remote, NULL, NULL), 0,
		"record a success");
	is_int(mmp_store__sync_remote_info(&info, s, remote), 0, "info");
	ok(!info.last_error && info.last_push_time > 0, "error cleared");
	mmp_store__sync_remote_info_release(&info);
}

static void test_dry_and_refused(mmp_store *s, const char *run)
{
	mmp_sync_options o = MMP_SYNC_OPTIONS_INIT;
	mmp_sync_result r;
	mmp_sync_status st;

	o.tracking_uri = "http://u:pw@127.0.0.1:1";
	o.dry_run = 1;
	is_int(mmp_sync_push(&r, s, &o), 0, "a dry run");
	is_str(r.remote, "http://127.0.0.1:1", "remote without credentials");
	is_int((long long)r.requests, 0, "no request");
	is_int((long long)r.sent.runs, 1, "one run to create");
	is_int((long long)r.sent.metrics, 4, "four metric values");
	is_int((long long)r.sent.params, 1, "one param");
	mmp_sync_result_release(&r);
	is_int(mmp_sync_status_get(&st, s, o.tracking_uri), 0, "status");
	is_int(st.known, 0, "a dry run records nothing");
	mmp_sync_status_release(&st);

	o.dry_run = 0;
	o.max_attempts = 2;
	o.backoff_ms = 1;
	o.run_id = run;
	is_int(mmp_sync_push(&r, s, &o), MMP_ENET, "nothing listens");
	is_str(r.error_class, "refused", "refused");
	is_int((long long)r.requests, 2, "tried twice");
	is_int((long long)r.retries, 1, "one retry");
	ok(!strstr(mmp_error_last()->message, "pw"), "no password shown");
	mmp_sync_result_release(&r);
	is_int(mmp_sync_status_get(&st, s, o.tracking_uri), 0, "status");
	is_int(st.known, 1, "the remote is known now");
	is_str(st.last_error_class, "refused", "last error class");
	is_int((long long)st.runs_pending, 1, "still pending");
	mmp_sync_status_release(&st);
}

int main(void)
{
	mmp_store *s = NULL;
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	mmp_kv param = { "depth", "4" };
	mmp_run_metric m[] = {
		{ "loss", 0.5, 0, 1000 }, { "loss", NAN, 1, 1001 },
		{ "up", INFINITY, 0, 1002 }, { "loss", 0.25, 2, 1003 },
	};
	char db[512], run[33];

	test_clean_uri();
	snprintf(db, sizeof(db), "%s/store/mmp.db", tap_tmpdir());
	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0) {
		diag("open: %s", mmp_error_last()->message);
		return done_testing();
	}
	test_options(s);
	so.experiment = "sync";
	is_int(mmp_run_start(s, &so, run), 0, "a run");
	is_int(mmp_run_log_params(s, run, &param, 1), 0, "a param");
	is_int(mmp_run_log_metrics(s, run, m, 4), 0, "metrics");
	is_int(mmp_run_end(s, run, "FINISHED", NULL), 0, "ended");
	test_dry_and_refused(s, run);
	test_state(s, run);
	mmp_store_free(s);
	return done_testing();
}
