/* SPDX-License-Identifier: MIT */
/* t-store.c: the store API: open, log, read back, NaN, conflicts, reaping */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/store.h"

static char db[512];

static mmp_store *open_store(unsigned int flags)
{
	mmp_store *s = NULL;
	int err = mmp_store_open(&s, db, flags);

	if (err < 0)
		diag("open: %s", mmp_error_last()->message);
	return s;
}

static void test_logging(void)
{
	mmp_store *s = open_store(MMP_STORE_CREATE);
	mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
	mmp_kv params[] = { { "lr", "0.1" }, { "depth", "6" } };
	mmp_kv clash = { "lr", "0.2" };
	mmp_run_metric m[] = {
		{ "auc", 0.8, 1, 1000 }, { "auc", 0.9, 2, 900 },
		{ "auc", 0.7, 1, 5000 }, { "loss", NAN, 0, 1000 },
		{ "up", INFINITY, 0, 1000 }, { "down", -INFINITY, 0, 1000 },
	};
	mmp_metric_history *h = NULL;
	mmp_run *r = NULL;
	char id[33], child[33];
	int64_t eid = -1;

	ok(s != NULL, "a new store opens");
	if (!s)
		return;
	is_int(mmp_store_schema_version(s),
		mmp_store_schema_version_supported(), "schema is current");
	ok(strstr(mmp_store_path(s), "/store/.mmp/mmp.db") != NULL, "path");
	ok(strstr(mmp_store_dir(s), "/store/.mmp") != NULL, "dir");
	is_int(mmp_experiment_ensure(s, "Default", &eid), 0, "Default exists");
	is_int(eid, 0, "Default is experiment 0");
	is_int(mmp_experiment_ensure(s, "", &eid), MMP_EINVALID,
		"empty experiment name");

	o.experiment = "exp";
	o.run_name = "first";
	o.start_time = 1000;
	is_int(mmp_run_start(s, &o, id), 0, "start a run");
	is_int((long long)strlen(id), 32, "32-hex id");
	is_int(mmp_run_log_params(s, id, params, 2), 0, "log params");
	is_int(mmp_run_log_params(s, id, params, 2), 0, "same values again");
	is_int(mmp_run_log_params(s, id, &clash, 1), MMP_ECONFLICT,
		"a different value conflicts");
	ok(strstr(mmp_error_last()->message, "'lr'") &&
	   strstr(mmp_error_last()->message, "'0.1'") &&
	   strstr(mmp_error_last()->message, "'0.2'"),
		"the conflict names key, old and new value");
	is_int(mmp_run_log_metrics(s, id, m, 6), 0, "log metrics");

	o.run_name = NULL;
	o.parent_run_id = "first";
	is_int(mmp_run_start(s, &o, child), 0, "start a child by name");
	o.parent_run_id = "ffffffff";
	is_int(mmp_run_start(s, &o, child), MMP_ENOTFOUND, "unknown parent");

	is_int(mmp_run_get(&r, s, id), 0, "read the run back");
	if (r) {
		is_str(r->name, "first", "name");
		is_str(r->experiment_name, "exp", "experiment");
		is_str(r->status, "RUNNING", "status");
		is_int(r->dead, 0, "our own run is alive");
		is_int((long long)r->params_nr, 2, "two params");
		is_str(r->params[0].key, "depth", "params sorted");
		is_int((long long)r->metrics_nr, 4, "four latest metrics");
		is_str(r->metrics[0].key, "auc", "auc first");
		is_double(r->metrics[0].value, 0.9, 0,
			"latest = highest step, not latest time");
		is_str(r->metrics[1].key, "down", "down");
		ok(isinf(r->metrics[1].value) && r->metrics[1].value < 0,
			"-Inf round-trips");
		ok(isnan(r->metrics[2].value), "NaN round-trips");
		ok(isinf(r->metrics[3].value) && r->metrics[3].value > 0,
			"+Inf round-trips");
		mmp_run_free(r);
		r = NULL;
	}
	is_int(mmp_run_metric_history(&h, s, id, "auc"), 0, "history");
	if (h) {
		is_int((long long)h->count, 3, "three auc values");
		is_double(h->items[0].value, 0.8, 0, "step 1, t 1000 first");
		is_double(h->items[1].value, 0.7, 0, "step 1, t 5000 next");
		is_int(h->items[2].step, 2, "step 2 last");
	}
	mmp_metric_history_free(h);
	is_int(mmp_run_metric_history(&h, s, id, "acu"), MMP_ENOTFOUND,
		"unknown metric");
	ok(strstr(mmp_error_last()->message, "did you mean 'auc'?") != NULL,
		"unknown metric suggests the closest");

	is_int(mmp_run_end(s, id, "FINISHED", NULL), 0, "end");
	is_int(mmp_run_end(s, id, "FAILED", NULL), MMP_ECONFLICT,
		"end twice");
	is_int(mmp_run_heartbeat(s, "0123"), MMP_ENOTFOUND,
		"heartbeat of nothing");
	mmp_store_free(s);
}

static void test_dead_run(void)
{
	mmp_store *s;
	mmp_run *r = NULL;
	char id[33] = "";
	int fds[2], status;
	size_t n = 99;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		mmp_store *cs = NULL;
		char cid[33];
		mmp_buf tmp = MMP_BUF_INIT;
		if (mmp_store_open(&cs, db, 0) < 0 ||
		    mmp_run_start(cs, NULL, cid) < 0 ||
		    mmp_run_tmp_dir(&tmp, cs, cid) < 0)
			_exit(1);
		if (write(fds[1], cid, 33) != 33)
			_exit(1);
		_exit(0);  /* dies without ending the run */
	}
	close(fds[1]);
	if (read(fds[0], id, 33) != 33)
		id[0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && id[0],
		"a child started a run and died");

	s = open_store(MMP_STORE_NO_REAP);
	if (!s)
		return;
	is_int(mmp_run_get(&r, s, id), 0, "read the dead run");
	if (r) {
		is_str(r->status, "RUNNING", "still RUNNING");
		is_int(r->dead, 1, "flagged dead");
		mmp_run_free(r);
		r = NULL;
	}
	is_int(mmp_store_reap_dead_runs(s, &n), 0, "reap");
	is_int((long long)n, 1, "one run reaped");
	is_int(mmp_run_get(&r, s, id), 0, "read it again");
	if (r) {
		is_str(r->status, "FAILED", "now FAILED");
		is_int(r->end_time, r->heartbeat_time, "ended at heartbeat");
		ok(r->tags_nr && !strcmp(r->tags[r->tags_nr - 1].key,
			"mmp.error"), "mmp.error tag set");
		mmp_run_free(r);
	}
	is_int(mmp_store_reap_dead_runs(s, &n), 0, "reap again");
	is_int((long long)n, 0, "nothing left");
	mmp_store_free(s);
}

static void test_search(void)
{
	mmp_store *s = open_store(0);
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	const char *exps[] = { "nope" };
	mmp_run_list *l = NULL;

	if (!s)
		return;
	is_int(mmp_runs_search(&l, s, NULL), 0, "search everything");
	is_int(l ? (long long)l->count : -1, 3, "three runs");
	mmp_run_list_free(l);
	q.filter = "params.lr = '0.1' and metrics.auc >= 0.9";
	is_int(mmp_runs_search(&l, s, &q), 0, "search with a filter");
	is_int(l ? (long long)l->count : -1, 1, "one match");
	mmp_run_list_free(l);
	q.filter = "metrics.loss != 1";
	is_int(mmp_runs_search(&l, s, &q), 0, "NaN != 1");
	is_int(l ? (long long)l->count : -1, 1, "NaN is unequal");
	mmp_run_list_free(l);
	q.filter = NULL;
	q.experiments = exps;
	q.experiments_nr = 1;
	is_int(mmp_runs_search(&l, s, &q), MMP_ENOTFOUND, "unknown exp");
	ok(l == NULL, "no list on error");
	mmp_store_free(s);
}

static void test_search_page(void)
{
	mmp_store *s = open_store(0);
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	mmp_run_list *all = NULL, *l = NULL;
	size_t total = 99;

	if (!s)
		return;
	is_int(mmp_runs_search(&all, s, NULL), 0, "the whole list");
	is_int(mmp_runs_search_page(&l, &total, s, NULL, 1, 1), 0,
		"the second run alone");
	is_int((long long)total, 3, "three in all");
	is_int(l ? (long long)l->count : -1, 1, "one on the page");
	if (l && all && l->count == 1 && all->count == 3)
		is_str(l->runs[0]->run_id, all->runs[1]->run_id,
			"in the list's order");
	ok(l && l->count == 1 && l->runs[0]->name, "loaded");
	mmp_run_list_free(l);
	is_int(mmp_runs_search_page(&l, &total, s, NULL, 2, 0), 0,
		"the rest from the third");
	is_int(l ? (long long)l->count : -1, 1, "one left");
	mmp_run_list_free(l);
	is_int(mmp_runs_search_page(&l, &total, s, NULL, 5, 10), 0,
		"past the end");
	is_int(l ? (long long)l->count : -1, 0, "an empty page");
	is_int((long long)total, 3, "still three in all");
	mmp_run_list_free(l);
	q.filter = "params.lr = '0.1' and metrics.auc >= 0.9";
	is_int(mmp_runs_search_page(&l, &total, s, &q, 0, 10), 0,
		"a filtered page");
	is_int((long long)total, 1, "one match in all");
	mmp_run_list_free(l);
	l = NULL;
	q.filter = "metrics.auc >";
	is_int(mmp_runs_search_page(&l, &total, s, &q, 0, 10),
		MMP_EINVALID, "a bad filter");
	ok(l == NULL, "no page on error");
	mmp_run_list_free(all);
	mmp_store_free(s);
}

int main(void)
{
	snprintf(db, sizeof(db), "%s/store/.mmp/mmp.db", tap_tmpdir());
	test_logging();
	test_dead_run();
	test_search();
	test_search_page();
	return done_testing();
}
