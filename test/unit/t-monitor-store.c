/* SPDX-License-Identifier: MIT */
/* t-monitor-store.c: live profile windows and the prediction log in the
 * store: validation, replacing an open window, reading back exactly,
 * retention on write and by prune, the index each query on the log
 * uses, migration of an older store */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/store.h"
#include "store/store-internal.h"

#define DAY INT64_C(86400000)

static char db[512];

static mmp_store *open_store(void)
{
	mmp_store *s = NULL;

	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0)
		diag("open: %s", mmp_error_last()->message);
	return s;
}

static long long sql_count(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

/* the first column of the first row of `sql` as text ("" for none) */
static const char *sql_text(const char *sql)
{
	static char out[512];
	sqlite3 *h;
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return out;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0))
			snprintf(out, sizeof(out), "%s",
				(const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return out;
}

static int sql_exec(const char *sql)
{
	sqlite3 *h;
	int rc;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

static int has_msg(const char *needle)
{
	return strstr(mmp_error_last()->message, needle) != NULL;
}

/* what the window reader saw */
struct seen {
	int n;
	int stop_at;           /* stop (return 7) at this window; 0: never */
	char text[1024];       /* "source/instance/start/end/rows/profile;" */
};

static int see_window(const mmp_monitor_window *w, void *payload)
{
	struct seen *s = payload;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len,
		"%s/%lld/%s/%s/%lld/%lld/%lld/%s;", w->model,
		(long long)w->version, w->source, w->instance,
		(long long)w->start_ms, (long long)w->end_ms,
		(long long)w->rows, w->profile);
	if (++s->n == s->stop_at)
		return 7;
	return 0;
}

static mmp_monitor_window window(const char *source, const char *instance,
	int64_t start, int64_t end, int64_t rows, const char *profile)
{
	mmp_monitor_window w;

	memset(&w, 0, sizeof(w));
	w.model = "churn";
	w.version = 2;
	w.source = source;
	w.instance = instance;
	w.start_ms = start;
	w.end_ms = end;
	w.rows = rows;
	w.profile = profile;
	return w;
}

static void test_windows(void)
{
	mmp_store *s = open_store();
	int64_t now = (int64_t)time(NULL) * 1000;
	int64_t h0 = now - now % 3600000;
	struct seen seen;
	mmp_monitor_window w;
	char expect[1024];

	ok(s != NULL, "a new store opens");
	if (!s)
		return;
	is_int(mmp_store_schema_version(s),
		mmp_store_schema_version_supported(), "schema is current");

	w = window("serve", "h:1:1", h0, h0 + 60000, 10, "{\"a\":1}");
	is_int(mmp_store_monitor_window_put(s, &w), 0, "put a window");
	w.end_ms = h0 + 120000;
	w.rows = 25;
	w.profile = "{\"a\":2}";
	is_int(mmp_store_monitor_window_put(s, &w), 0,
		"put the same window again, grown");
	is_int(sql_count("SELECT count(*) FROM monitor_windows"), 1,
		"the open window is replaced, not added");
	w = window("serve", "h:2:5", h0 + 30000, h0 + 90000, 3, "{\"b\":1}");
	is_int(mmp_store_monitor_window_put(s, &w), 0,
		"a restarted server's window");
	w = window("batch:0123abcd", NULL, h0 - 7200000, h0 - 7100000, 500,
		"{\"c\":1}");
	is_int(mmp_store_monitor_window_put(s, &w), 0, "a batch job's window");
	w.version = 3;
	w.source = "serve";
	w.profile = "{\"v3\":1}";
	is_int(mmp_store_monitor_window_put(s, &w), 0, "another version");

	memset(&seen, 0, sizeof(seen));
	is_int(mmp_store_monitor_windows(s, "churn", 2, NULL, 0, see_window,
		&seen), 0, "read version 2's windows");
	snprintf(expect, sizeof(expect),
		"churn/2/batch:0123abcd//%lld/%lld/500/{\"c\":1};"
		"churn/2/serve/h:1:1/%lld/%lld/25/{\"a\":2};"
		"churn/2/serve/h:2:5/%lld/%lld/3/{\"b\":1};",
		(long long)(h0 - 7200000), (long long)(h0 - 7100000),
		(long long)h0, (long long)(h0 + 120000),
		(long long)(h0 + 30000), (long long)(h0 + 90000));
	is_str(seen.text, expect, "every field back, oldest first");

	memset(&seen, 0, sizeof(seen));
	mmp_store_monitor_windows(s, "churn", 0, NULL, 0, see_window, &seen);
	is_int(seen.n, 4, "version 0 reads every version");
	memset(&seen, 0, sizeof(seen));
	mmp_store_monitor_windows(s, "churn", 2, "batch:", 0, see_window,
		&seen);
	is_int(seen.n, 1, "'batch:' reads any batch job");
	memset(&seen, 0, sizeof(seen));
	mmp_store_monitor_windows(s, "churn", 2, "serve", h0 + 100000,
		see_window, &seen);
	is_int(seen.n, 1, "since: only windows ending after it");
	ok(strstr(seen.text, "h:1:1") != NULL, "the one still open then");
	memset(&seen, 0, sizeof(seen));
	mmp_store_monitor_windows(s, "other", 0, NULL, 0, see_window, &seen);
	is_int(seen.n, 0, "another model has none");
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 2;
	is_int(mmp_store_monitor_windows(s, "churn", 0, NULL, 0, see_window,
		&seen), 7, "the callback's value stops the reading");
	is_int(seen.n, 2, "no window after the stop");

	/* bad windows: a clear error, and nothing written */
	w = window("serve", "", h0, h0, 1, "{}");
	w.model = "";
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"an empty model name");
	ok(has_msg("model name is empty"), "names the model");
	w = window("cron", "", h0, h0, 1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"an unknown source");
	ok(has_msg("source must be 'serve' or 'batch:<run id>'"),
		"names the source");
	w = window("batch:", "", h0, h0, 1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"a batch source without its run");
	w = window("serve", "", h0, h0 - 1, 1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"an end before the start");
	ok(has_msg("is before start"), "names the end");
	w = window("serve", "", h0, h0, -1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"negative rows");
	ok(has_msg("rows -1 is negative"), "names the rows");
	w = window("serve", "", h0, h0, 1, "");
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"an empty profile");
	ok(has_msg("profile is empty"), "names the profile");
	w = window("serve", "", h0, h0, 1, "{}");
	w.version = -2;
	is_int(mmp_store_monitor_window_put(s, &w), MMP_EINVALID,
		"a negative version");
	is_int(mmp_store_monitor_windows(s, "", 0, NULL, 0, see_window,
		&seen), MMP_EINVALID, "reading needs a model");
	is_int(sql_count("SELECT count(*) FROM monitor_windows"), 4,
		"the windows before are all still there");
	mmp_store_free(s);

	s = open_store();
	memset(&seen, 0, sizeof(seen));
	mmp_store_monitor_windows(s, "churn", 0, NULL, 0, see_window, &seen);
	is_int(seen.n, 4, "windows survive closing and reopening the store");
	mmp_store_free(s);
}

struct logged {
	int n;
	char text[2048];
	float last[8];
	size_t last_n;
};

static int see_pred(const mmp_prediction_log_item *it, void *payload)
{
	struct logged *l = payload;
	size_t len = strlen(l->text), i;

	snprintf(l->text + len, sizeof(l->text) - len, "%s@%lld/%s/v%lld/%zu;",
		it->entity_id, (long long)it->ts_ms, it->source,
		(long long)it->version, it->npred);
	l->last_n = it->npred < 8 ? it->npred : 8;
	for (i = 0; i < l->last_n; i++)
		l->last[i] = it->pred[i];
	l->n++;
	return 0;
}

static void test_log(void)
{
	mmp_store *s = open_store();
	float p1[] = { 0.1f, 0.7f, 0.2f }, p2[] = { -0.0f }, p3[] = { 1e-30f };
	float nan1[] = { NAN };
	mmp_prediction_log_item items[3];
	mmp_prediction_log_query q = MMP_PREDICTION_LOG_QUERY_INIT;
	const char *ids[] = { "c", "a", "zz" };
	struct logged l;
	char longid[300];
	int64_t t = INT64_C(1700000000000);

	if (!s)
		return;
	/* fixed times from 2023: no age limit for this part */
	mmp_store_set_monitor_retention(s, &(mmp_monitor_retention){ 0, 0, 0 });
	memset(items, 0, sizeof(items));
	items[0].source = "serve";
	items[0].entity_id = "a";
	items[0].ts_ms = t + 10;
	items[0].pred = p1;
	items[0].npred = 3;
	items[1] = items[0];
	items[1].entity_id = "b";
	items[1].ts_ms = t + 20;
	items[1].pred = p2;
	items[1].npred = 1;
	items[2] = items[0];
	items[2].entity_id = "a";
	items[2].ts_ms = t + 5;
	items[2].source = "batch:feedbeef";
	items[2].pred = p3;
	items[2].npred = 1;
	is_int(mmp_store_prediction_log_put_many(s, "churn", 2, items, 3), 0,
		"log three predictions");
	is_int(mmp_store_prediction_log_put(s, "churn", 3, "serve", "c",
		t + 30, nan1, 1), 0, "log one more, another version");

	q.model = "churn";
	memset(&l, 0, sizeof(l));
	is_int(mmp_store_prediction_log_get(s, &q, see_pred, &l), 0,
		"read them all");
	is_str(l.text, "a@1700000000005/batch:feedbeef/v2/1;"
		"a@1700000000010/serve/v2/3;b@1700000000020/serve/v2/1;"
		"c@1700000000030/serve/v3/1;", "all of them, by time");
	ok(l.last_n == 1 && isnan(l.last[0]), "NaN is kept");

	q.ids = ids;
	q.ids_nr = 3;
	memset(&l, 0, sizeof(l));
	is_int(mmp_store_prediction_log_get(s, &q, see_pred, &l), 0,
		"read by entity id");
	is_str(l.text, "c@1700000000030/serve/v3/1;"
		"a@1700000000005/batch:feedbeef/v2/1;"
		"a@1700000000010/serve/v2/3;", "in the ids' order, each by time");
	ok(l.last_n == 3 && !memcmp(l.last, p1, sizeof(p1)),
		"the scores come back bit for bit");

	q.ids = NULL;
	q.model_version = 2;
	q.since_ms = t + 6;
	q.until_ms = t + 20;
	memset(&l, 0, sizeof(l));
	mmp_store_prediction_log_get(s, &q, see_pred, &l);
	is_str(l.text, "a@1700000000010/serve/v2/3;",
		"a version and a time range [since, until)");

	q.since_ms = t + 15;
	q.until_ms = 0;
	memset(&l, 0, sizeof(l));
	mmp_store_prediction_log_get(s, &q, see_pred, &l);
	ok(l.n == 1 && l.last_n == 1 && signbit(l.last[0]) &&
	   l.last[0] == 0.0f, "-0.0 keeps its sign");

	/* all or none: a bad item in the middle stores nothing */
	items[1].entity_id = "";
	is_int(mmp_store_prediction_log_put_many(s, "churn", 2, items, 3),
		MMP_EINVALID, "an empty entity id");
	ok(has_msg("prediction log item 2: entity id is empty"),
		"names the item and the field");
	memset(longid, 'x', 257);
	longid[257] = '\0';
	items[1].entity_id = longid;
	is_int(mmp_store_prediction_log_put_many(s, "churn", 2, items, 3),
		MMP_EINVALID, "an entity id of 257 bytes");
	ok(has_msg("257 bytes long (at most 256)"), "says the limit");
	longid[256] = '\0';
	items[1].entity_id = "b";
	items[1].npred = 0;
	is_int(mmp_store_prediction_log_put_many(s, "churn", 2, items, 3),
		MMP_EINVALID, "no scores");
	ok(has_msg("item 2: 0 scores (1 to 4096)"), "names the scores");
	items[1].npred = 1;
	items[2].source = "web";
	is_int(mmp_store_prediction_log_put_many(s, "churn", 2, items, 3),
		MMP_EINVALID, "a bad source");
	ok(has_msg("item 3: source"), "names the third item");
	is_int(mmp_store_prediction_log_put(s, "", 1, "serve", "a", t, p1, 1),
		MMP_EINVALID, "an empty model");
	is_int(sql_count("SELECT count(*) FROM prediction_log"), 4,
		"nothing of the refused writes was stored");
	is_int(mmp_store_prediction_log_put(s, "churn", 2, "serve", longid,
		t + 40, p1, 1), 0, "an entity id of 256 bytes is fine");
	{
		int64_t gone = -1;
		is_int(mmp_store_prediction_log_forget(s, "batch:feedbeef",
			&gone), 0, "forget a batch job's predictions");
		is_int(gone, 1, "its one prediction");
		is_int(sql_count("SELECT count(*) FROM prediction_log"), 4,
			"the others stay");
		is_int(mmp_store_prediction_log_forget(s, "nightly", NULL),
			MMP_EINVALID, "forget needs a source");
	}
	mmp_store_free(s);
}

static void test_retention(void)
{
	mmp_store *s = open_store();
	mmp_monitor_retention r = MMP_MONITOR_RETENTION_INIT;
	mmp_monitor_prune_result pr;
	mmp_monitor_window w;
	int64_t now = (int64_t)time(NULL) * 1000;
	float p[] = { 0.5f };
	char id[16];
	int i;

	if (!s)
		return;
	is_int(r.window_days, 90, "windows are kept 90 days by default");
	is_int(r.log_days, 30, "predictions 30 days");
	is_int(r.log_rows, 10000000, "and at most 10 million of them");
	sql_exec("DELETE FROM prediction_log; DELETE FROM monitor_windows");

	/* on write: an old window goes when the next one is written */
	w = window("serve", "old", now - 100 * DAY, now - 99 * DAY, 1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), 0,
		"a window past 90 days is written...");
	w = window("serve", "new", now - DAY, now, 1, "{}");
	is_int(mmp_store_monitor_window_put(s, &w), 0, "...then a new one");
	is_int(sql_count("SELECT count(*) FROM monitor_windows"), 1,
		"and the old one was pruned on write");

	r.log_rows = 5;
	mmp_store_set_monitor_retention(s, &r);
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		mmp_store_prediction_log_put(s, "churn", 1, "serve", id,
			now, p, 1);
	}
	is_int(sql_count("SELECT count(*) FROM prediction_log"), 5,
		"a row bound keeps that many predictions");
	is_int(sql_count("SELECT count(*) FROM prediction_log"
		" WHERE entity_id IN ('e3', 'e4', 'e5', 'e6', 'e7')"), 5,
		"the newest ones");
	mmp_store_prediction_log_put(s, "churn", 1, "serve", "ancient",
		now - 31 * DAY, p, 1);
	is_int(sql_count("SELECT count(*) FROM prediction_log"
		" WHERE entity_id = 'ancient'"), 0,
		"a prediction older than 30 days does not stay");

	/* by prune: tighter bounds, dry first */
	r.log_rows = 2;
	r.window_days = 0;
	mmp_store_set_monitor_retention(s, &r);
	w = window("serve", "x", now - 200 * DAY, now - 200 * DAY, 1, "{}");
	mmp_store_monitor_window_put(s, &w);
	is_int(sql_count("SELECT count(*) FROM monitor_windows"), 2,
		"window_days 0 keeps windows of any age");
	r.window_days = 1;
	mmp_store_set_monitor_retention(s, &r);
	is_int(mmp_store_monitor_prune(&pr, s, 1), 0, "a dry prune");
	is_int(pr.windows, 1, "one window would go");
	is_int(pr.predictions, 3, "three predictions would go");
	is_int(sql_count("SELECT count(*) FROM prediction_log"), 5,
		"the dry prune removed nothing");
	is_int(mmp_store_monitor_prune(&pr, s, 0), 0, "prune");
	is_int(pr.windows, 1, "one window went");
	is_int(pr.predictions, 3, "three predictions went");
	is_int(sql_count("SELECT count(*) FROM prediction_log"), 2,
		"two predictions are left");
	is_int(sql_count("SELECT count(*) FROM prediction_log"
		" WHERE entity_id IN ('e6', 'e7')"), 2, "the newest two");
	is_int(sql_count("SELECT count(*) FROM monitor_windows"), 1,
		"one window is left");
	r.log_rows = 0;
	r.log_days = 0;
	r.window_days = 0;
	mmp_store_set_monitor_retention(s, &r);
	is_int(mmp_store_monitor_prune(&pr, s, 1), 0, "no bounds at all");
	ok(pr.windows == 0 && pr.predictions == 0, "nothing would go");
	mmp_store_free(s);
}

/* the SQL of each distinct statement run on prediction_log */
struct traced {
	char *sql[32];
	int n;
};

static int on_stmt(unsigned int type, void *ctx, void *p, void *x)
{
	struct traced *t = ctx;
	const char *sql = sqlite3_sql(p);
	int i;

	(void)type;
	(void)x;
	if (!sql || !strstr(sql, "prediction_log"))
		return 0;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->sql[i], sql))
			return 0;
	if (t->n < 32)
		t->sql[t->n++] = strdup(sql);
	return 0;
}

/* the plan of the traced statement holding `what`, its steps joined by
 * "; ", or "" when no statement held it */
static void plan_of(const struct traced *t, const char *what, char *out,
	size_t size)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char q[2048];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < t->n && !strstr(t->sql[i], what); i++)
		;
	if (i == t->n || sqlite3_open(db, &h) != SQLITE_OK)
		return;
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", t->sql[i]);
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s",
				len ? "; " : "",
				(const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
}

/*
 * Every query mmp runs on the prediction log, traced as the store runs
 * it, and the plan SQLite makes for it: each logged prediction pays for
 * every index, so each index must serve a query
 */
static void test_plans(void)
{
	mmp_store *s = open_store();
	mmp_monitor_retention r = MMP_MONITOR_RETENTION_INIT;
	mmp_prediction_log_query q = MMP_PREDICTION_LOG_QUERY_INIT;
	mmp_monitor_prune_result pr;
	const char *ids[] = { "a" };
	float p[] = { 0.5f };
	struct traced t;
	struct logged l;
	char plan[1024];
	int i;

	if (!s)
		return;
	memset(&t, 0, sizeof(t));
	sqlite3_trace_v2(s->db, SQLITE_TRACE_STMT, on_stmt, &t);
	mmp_store_set_monitor_retention(s, &r);
	mmp_store_prediction_log_put(s, "churn", 1, "serve", "a", 0, p, 1);
	mmp_store_monitor_prune(&pr, s, 1);
	mmp_store_monitor_prune(&pr, s, 0);
	q.model = "churn";
	memset(&l, 0, sizeof(l));
	mmp_store_prediction_log_get(s, &q, see_pred, &l);
	q.ids = ids;
	q.ids_nr = 1;
	mmp_store_prediction_log_get(s, &q, see_pred, &l);
	mmp_store_prediction_log_forget(s, "batch:feedbeef", NULL);
	sqlite3_trace_v2(s->db, 0, NULL, NULL);
	mmp_store_free(s);
	ok(t.n == 7, "seven statements on the log (%d)", t.n);
	plan_of(&t, "entity_id = ?5", plan, sizeof(plan));
	ok(strstr(plan, "USING INDEX prediction_log_by_entity (model=? AND "
		"entity_id=?)") && !strstr(plan, "TEMP B-TREE"),
		"the label join by id: by_entity, in order (%s)", plan);
	plan_of(&t, "DELETE FROM prediction_log WHERE ts_ms", plan,
		sizeof(plan));
	ok(strstr(plan, "USING INDEX prediction_log_by_age (ts_ms<?)") !=
		NULL, "pruning by age: by_age (%s)", plan);
	plan_of(&t, "DELETE FROM prediction_log WHERE id", plan,
		sizeof(plan));
	ok(strstr(plan, "USING INTEGER PRIMARY KEY (rowid<?)") != NULL,
		"pruning by count: the rowid (%s)", plan);
	plan_of(&t, "SELECT count(*) FROM prediction_log", plan,
		sizeof(plan));
	ok(strstr(plan, "COVERING INDEX prediction_log_by_age (ts_ms<?)") &&
		strstr(plan, "USING INTEGER PRIMARY KEY (rowid<?)"),
		"counting what a prune removes: both (%s)", plan);
	plan_of(&t, "ts_ms < ?4) ORDER BY", plan, sizeof(plan));
	ok(strstr(plan, "USING INDEX prediction_log_by_entity (model=?)") !=
		NULL, "a model's predictions by time: by_entity's model, "
		"sorted (%s)", plan);
	plan_of(&t, "WHERE source = ?1", plan, sizeof(plan));
	ok(strstr(plan, "SCAN prediction_log") != NULL,
		"forgetting a failed job's predictions scans (%s)", plan);
	is_str(sql_text("SELECT group_concat(name, ',') FROM (SELECT name"
		" FROM sqlite_master WHERE type = 'index' AND"
		" tbl_name = 'prediction_log' ORDER BY name)"),
		"prediction_log_by_age,prediction_log_by_entity",
		"the log has the indexes these use and no other");
	for (i = 0; i < t.n; i++)
		free(t.sql[i]);
}

static void test_migration(void)
{
	mmp_store *s;

	/* the store as the release before monitoring left it (without
	 * the later steps too) */
	is_int(sql_exec("DROP TABLE monitor_windows; DROP TABLE prediction_log;"
		" DROP TABLE sync_pull; DROP INDEX runs_by_origin;"
		" ALTER TABLE runs DROP COLUMN mirror_artifacts_error;"
		" ALTER TABLE runs DROP COLUMN mirror_content;"
		" ALTER TABLE runs DROP COLUMN mirror_digest;"
		" ALTER TABLE runs DROP COLUMN remote_run_id;"
		" ALTER TABLE runs DROP COLUMN origin;"
		" PRAGMA user_version = 5"), 0, "make a store of schema 5");
	s = open_store();
	ok(s != NULL, "it opens");
	if (!s)
		return;
	is_int(mmp_store_schema_version(s),
		mmp_store_schema_version_supported(), "it is migrated to the "
		"newest schema");
	is_int(mmp_store_prediction_log_put(s, "m", 0, "serve", "a", 0,
		(const float[]){ 1.0f }, 1), 0, "the prediction log works");
	is_int(sql_count("SELECT count(*) FROM experiments WHERE"
		" experiment_id = 0"), 1, "and what was there stays");
	mmp_store_free(s);

	/* the store as schema 7 left it: the log with its by-time index
	 * and predictions in it, without the later mirror columns */
	is_int(sql_exec("CREATE INDEX prediction_log_by_time ON prediction_log"
		" (model, ts_ms);"
		" ALTER TABLE runs DROP COLUMN mirror_artifacts_error;"
		" ALTER TABLE runs DROP COLUMN mirror_content;"
		" PRAGMA user_version = 7"), 0,
		"make a store of schema 7");
	s = open_store();
	ok(s != NULL, "it opens");
	if (!s)
		return;
	is_int(mmp_store_schema_version(s),
		mmp_store_schema_version_supported(), "it is migrated");
	is_int(sql_count("SELECT count(*) FROM sqlite_master WHERE"
		" name = 'prediction_log_by_time'"), 0,
		"without the by-time index");
	is_int(sql_count("SELECT count(*) FROM prediction_log WHERE"
		" model = 'm' AND entity_id = 'a'"), 1,
		"the logged prediction stays");
	mmp_store_free(s);
}

int main(void)
{
	snprintf(db, sizeof(db), "%s/store/.mmp/mmp.db", tap_tmpdir());
	test_windows();
	test_log();
	test_retention();
	test_plans();
	test_migration();
	return done_testing();
}
