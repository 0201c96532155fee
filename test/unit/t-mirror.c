/* SPDX-License-Identifier: MIT */
/* t-mirror.c: runs mirrored from a server: written whole, exact, found by
 * origin, read-only, never reaped, listed apart */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "store/mirror-internal.h"
#include "store/sync-internal.h"

#define ORIGIN "http://mlflow.internal:5000"

static const mmp_kv params[] = { { "depth", "4" }, { "eta", "0.3" } };
static const mmp_kv tags[] = { { "mlflow.source.name", "train.py" },
	{ "team", "fraud" } };
static const mmp_run_metric metrics[] = {
	{ "auc", 0.28836946908319205, 0, 1000 },
	{ "auc", NAN, 1, 1001 },
	{ "auc", 0.30000000000000004, 2, 1002 },
	{ "loss", 1e-300, 0, 1000 },
};
static const mmp_artifact arts[] = { { "model/MLmodel", 12, NULL } };

static void fill(struct mmp_store__mirror_run *m, const char *rid,
	const char *status, const char *digest)
{
	memset(m, 0, sizeof(*m));
	m->origin = ORIGIN;
	m->remote_run_id = rid;
	m->experiment = "team";
	m->name = "remote-1";
	m->status = status;
	m->user_id = "alice";
	m->lifecycle_stage = "active";
	m->start_time = 1795000000000;
	m->end_time = strcmp(status, "RUNNING") ? 1795000100000 : 0;
	m->digest = digest;
	m->params = params;
	m->params_nr = 2;
	m->tags = tags;
	m->tags_nr = 2;
	m->metrics = metrics;
	m->metrics_nr = 4;
	m->artifacts = arts;
	m->artifacts_nr = 1;
}

static void test_put(mmp_store *s, char id[33])
{
	struct mmp_store__mirror_run m;
	mmp_metric_history *h = NULL;
	mmp_run *r = NULL;
	char *d = NULL, again[33];
	int created = -1;

	mmp_store__mirror_id(id, ORIGIN, "abc");
	mmp_store__mirror_id(again, ORIGIN, "abc");
	is_str(id, again, "the local id is derived, the same each time");
	mmp_store__mirror_id(again, "http://other:5000", "abc");
	ok(strcmp(id, again) != 0, "another server, another id");
	is_int(mmp_store__mirror_digest(&d, s, ORIGIN, "abc"), 0, "lookup");
	ok(d == NULL, "not mirrored yet");

	fill(&m, "abc", "FINISHED", "d1");
	is_int(mmp_store__mirror_put(s, &m, &created), 0, "mirror a run");
	is_int(created, 1, "it is new");
	is_int(mmp_store__mirror_digest(&d, s, ORIGIN, "abc"), 0, "lookup");
	is_str(d, "d1", "its digest");
	free(d);

	is_int(mmp_run_get(&r, s, id), 0, "read it back");
	if (!r)
		return;
	is_str(r->origin, ORIGIN, "origin");
	is_str(r->remote_run_id, "abc", "remote id");
	is_str(r->experiment_name, "team", "its experiment");
	is_str(r->source_name, "train.py", "source from mlflow.source.name");
	is_int(r->end_time, 1795000100000, "end time");
	is_int(r->params_nr, 2, "params");
	is_int(r->artifacts_nr, 1, "artifacts");
	is_str(r->artifacts[0].sha256, "", "no checksum for a remote file");
	is_int(r->metrics_nr, 2, "latest metrics");
	ok(r->metrics[0].value == 0.30000000000000004 &&
		r->metrics[0].step == 2, "latest auc, exactly");
	mmp_run_free(r);
	is_int(mmp_run_metric_history(&h, s, id, "auc"), 0, "history");
	if (h) {
		is_int(h->count, 3, "every value");
		ok(h->items[0].value == 0.28836946908319205, "exact double");
		ok(isnan(h->items[1].value), "NaN stays NaN");
	}
	mmp_metric_history_free(h);

	/* a put replaces everything */
	fill(&m, "abc", "FINISHED", "d2");
	m.metrics_nr = 1;
	m.params_nr = 1;
	is_int(mmp_store__mirror_put(s, &m, &created), 0, "mirror it again");
	is_int(created, 0, "not new");
	is_int(mmp_run_get(&r, s, id), 0, "read it back");
	if (r) {
		is_int(r->params_nr, 1, "params replaced");
		is_int(r->metrics_nr, 1, "metrics replaced");
	}
	mmp_run_free(r);
	fill(&m, "abc", "DONE", "d3");
	ok(mmp_store__mirror_put(s, &m, NULL) < 0, "a bad status fails");
	is_int(mmp_store__mirror_digest(&d, s, ORIGIN, "abc"), 0, "lookup");
	is_str(d, "d2", "and nothing of it was written");
	free(d);
}

static void test_read_only(mmp_store *s, const char *id)
{
	mmp_kv kv = { "x", "1" };
	int changed;

	is_int(mmp_run_delete(&changed, s, id), MMP_ECONFLICT,
		"delete is refused");
	ok(strstr(mmp_error_last()->message, "read-only mirror") &&
		strstr(mmp_error_last()->message, ORIGIN) &&
		strstr(mmp_error_last()->message, "'abc'"),
		"naming the server and the remote run");
	is_int(mmp_run_edit_tags(s, id, &kv, 1, NULL, 0), MMP_ECONFLICT,
		"tags are refused");
	is_int(mmp_run_rename(s, id, "mine"), MMP_ECONFLICT,
		"rename is refused");
}

static void test_running_and_lists(mmp_store *s, const char *local)
{
	struct mmp_store__mirror_run m;
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	mmp_run_list *l = NULL;
	mmp_run *r = NULL;
	size_t reaped = 99;
	char id[33];

	fill(&m, "live", "RUNNING", "d");
	is_int(mmp_store__mirror_put(s, &m, NULL), 0, "a running remote run");
	mmp_store__mirror_id(id, ORIGIN, "live");
	is_int(mmp_store_reap_dead_runs(s, &reaped), 0, "reap");
	is_int(reaped, 0, "no process of ours: it is not reaped");
	is_int(mmp_run_get(&r, s, id), 0, "read it");
	if (r) {
		is_str(r->status, "RUNNING", "still RUNNING");
		is_int(r->dead, 0, "and not dead");
	}
	mmp_run_free(r);

	q.origin = MMP_RUNS_LOCAL;
	is_int(mmp_runs_search(&l, s, &q), 0, "local runs");
	if (l) {
		is_int(l->count, 1, "one");
		is_str(l->runs[0]->run_id, local, "ours");
	}
	mmp_run_list_free(l);
	q.origin = MMP_RUNS_REMOTE;
	is_int(mmp_runs_search(&l, s, &q), 0, "remote runs");
	if (l)
		is_int(l->count, 2, "two");
	mmp_run_list_free(l);
}

static void test_is_local(mmp_store *s, const char *local)
{
	int own = -1;

	is_int(mmp_store__mirror_is_local(&own, s, 1, "zzz", local), 0,
		"tagged with a run of ours");
	is_int(own, 1, "is ours");
	is_int(mmp_store__mirror_is_local(&own, s, 1, "zzz", NULL), 0,
		"untagged");
	is_int(own, 0, "is not");
	is_int(mmp_store__mirror_is_local(&own, s, 1, "zzz",
		"0123456789abcdef0123456789abcdef"), 0, "tagged elsewhere");
	is_int(own, 0, "is not");
}

static void test_unseen(mmp_store *s)
{
	char *seen[] = { (char *)"abc" };
	char **unseen = NULL;
	mmp_run *r = NULL;
	size_t n = 0, i;
	char id[33];

	is_int(mmp_store__mirror_unseen(&unseen, &n, s, ORIGIN, "team", seen,
		1), 0, "runs the listing left out");
	is_int(n, 1, "one");
	if (n)
		is_str(unseen[0], "live", "the running one");
	for (i = 0; i < n; i++)
		free(unseen[i]);
	free(unseen);
	is_int(mmp_store__mirror_unseen(&unseen, &n, s, ORIGIN, "other", NULL,
		0), 0, "another experiment");
	is_int(n, 0, "has none");
	free(unseen);
	is_int(mmp_store__mirror_gone(s, ORIGIN, "live"), 0, "mark it gone");
	mmp_store__mirror_id(id, ORIGIN, "live");
	is_int(mmp_run_get(&r, s, id), 0, "read it");
	if (r)
		is_str(r->lifecycle_stage, "deleted", "it is deleted");
	mmp_run_free(r);
	is_int(mmp_store__mirror_unseen(&unseen, &n, s, ORIGIN, "team", seen,
		1), 0, "again");
	is_int(n, 0, "a deleted run is not asked for again");
	free(unseen);
}

static void test_pages(mmp_store *s)
{
	int64_t remote = 0;
	char *tok = (char *)"x";

	is_int(mmp_store__sync_remote(s, ORIGIN, 1, &remote), 0,
		"a server");
	is_int(mmp_store__pull_page_get(&tok, s, remote, "1"), 0, "no page");
	ok(tok == NULL, "start from the first");
	is_int(mmp_store__pull_page_set(s, remote, "1", "team", "t2"), 0,
		"page 2 reached");
	is_int(mmp_store__pull_page_get(&tok, s, remote, "1"), 0, "read");
	is_str(tok, "t2", "go on from page 2");
	free(tok);
	is_int(mmp_store__pull_page_set(s, remote, "1", "team", NULL), 0,
		"read to the end");
	is_int(mmp_store__pull_page_get(&tok, s, remote, "1"), 0, "read");
	ok(tok == NULL, "the next pull starts from the first page");
}

/* a refused artifact list: the earlier list stays, the state says so */
static void test_artifacts_unknown(mmp_store *s)
{
	struct mmp_store__mirror_state st;
	struct mmp_store__mirror_run m;
	struct mmp_store__pull_info pi;
	int64_t remote = -1;
	mmp_run *r = NULL;
	char id[33];

	is_int(mmp_store__mirror_state_get(&st, s, ORIGIN, "art"), 0,
		"state of a run not mirrored");
	is_int(st.found, 0, "not found");
	mmp_store__mirror_state_release(&st);
	fill(&m, "art", "FINISHED", "d1");
	m.content = "c1";
	is_int(mmp_store__mirror_put(s, &m, NULL), 0, "with its artifacts");
	fill(&m, "art", "FINISHED", "d1");
	m.content = "c2";
	m.artifacts = NULL;
	m.artifacts_nr = 0;
	m.metrics_nr = 1;
	m.artifacts_error = "list the artifacts: http 403";
	is_int(mmp_store__mirror_put(s, &m, NULL), 0, "the list refused");
	is_int(mmp_store__mirror_state_get(&st, s, ORIGIN, "art"), 0,
		"state");
	is_int(st.found, 1, "found");
	is_str(st.digest, "d1", "the listing's digest");
	is_str(st.content, "c2", "the content's");
	is_str(st.artifacts_error, "list the artifacts: http 403",
		"why the list is unknown");
	mmp_store__mirror_state_release(&st);
	mmp_store__mirror_id(id, ORIGIN, "art");
	is_int(mmp_run_get(&r, s, id), 0, "read it");
	if (r) {
		is_int(r->artifacts_nr, 1, "the earlier list stays");
		is_int(r->metrics_nr, 1, "the rest is replaced");
		is_str(r->artifacts_unknown, "list the artifacts: http 403",
			"the run says its list is unknown");
	}
	mmp_run_free(r);
	is_int(mmp_store__sync_remote(s, ORIGIN, 0, &remote), 0, "the server");
	is_int(mmp_store__pull_info_get(&pi, s, remote, ORIGIN), 0,
		"what was pulled");
	is_int(pi.experiments, 1, "one experiment");
	is_int(pi.experiments_partway, 0, "read to the end");
	ok(pi.last_pull_time > 0, "at a time");
	is_int(pi.runs, 3, "three runs mirrored");
	is_int(pi.runs_deleted, 1, "one of them deleted there");
	is_int(pi.runs_artifacts_unknown, 1, "one with its list unknown");
	fill(&m, "art", "FINISHED", "d1");
	is_int(mmp_store__mirror_put(s, &m, NULL), 0, "listed again");
	is_int(mmp_store__pull_info_get(&pi, s, -1, ORIGIN), 0,
		"no server row: runs only");
	is_int(pi.experiments, 0, "no experiment");
	is_int(pi.runs_artifacts_unknown, 0, "every list known");
}

int main(void)
{
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	mmp_store *s = NULL;
	char db[512], id[33], local[33];

	snprintf(db, sizeof(db), "%s/store/mmp.db", tap_tmpdir());
	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0) {
		diag("open: %s", mmp_error_last()->message);
		return done_testing();
	}
	so.experiment = "mine";
	is_int(mmp_run_start(s, &so, local), 0, "a local run");
	is_int(mmp_run_end(s, local, "FINISHED", NULL), 0, "ended");
	test_put(s, id);
	test_read_only(s, id);
	test_running_and_lists(s, local);
	test_is_local(s, local);
	test_unseen(s);
	test_pages(s);
	test_artifacts_unknown(s);
	mmp_store_free(s);
	return done_testing();
}
