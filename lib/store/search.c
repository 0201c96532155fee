/* SPDX-License-Identifier: MIT */
/* search.c: searching runs with filters and orderings; metric history */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* MMP_ENOTFOUND naming the experiment and the closest existing name */
static int unknown_experiment(mmp_store *s, const char *name)
{
	static const char sql[] = "SELECT name FROM experiments ORDER BY name";
	const char **names = NULL;
	const char *best;
	size_t nr = 0, alloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(names, nr + 1, alloc);
		names[nr++] = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	best = mmp_str_closest(name, names, nr);
	if (rc >= 0)
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no experiment named '%s'%s%s%s", name,
			best ? "; did you mean '" : "", best ? best : "",
			best ? "'?" : "");
	for (i = 0; i < nr; i++)
		free((char *)names[i]);
	free(names);
	return rc;
}

static int experiment_id(mmp_store *s, const char *name, int64_t *out)
{
	static const char sql[] =
		"SELECT experiment_id FROM experiments WHERE name = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW)
		return unknown_experiment(s, name);
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* move the text and values of `from` to the end of `to` */
static void sql_append(struct mmp_filter__sql *to,
	struct mmp_filter__sql *from)
{
	size_t i;

	mmp_buf_put(&to->sql, from->sql.ptr, from->sql.size);
	for (i = 0; i < from->binds_nr; i++) {
		MMP_ALLOC_GROW(to->binds, to->binds_nr + 1, to->binds_alloc);
		to->binds[to->binds_nr++] = from->binds[i];
	}
	from->binds_nr = 0;
	mmp_filter__sql_release(from);
}

/* the query of `o`; with `count`, only how many runs match; `offset`
 * skips that many (with a limit) */
static int build_query_at(struct mmp_filter__sql *q, mmp_store *s,
	const mmp_run_query *o, int count, size_t offset)
{
	struct mmp_filter__sql ord = MMP_FILTER_SQL_INIT;
	size_t i;
	int err;

	mmp_buf_puts(&q->sql, count ? "SELECT count(*) FROM runs r WHERE " :
		"SELECT r.run_uuid FROM runs r WHERE ");
	if (!o->include_deleted)
		mmp_buf_puts(&q->sql, "r.lifecycle_stage = 'active' AND ");
	if (o->experiments_nr) {
		mmp_buf_puts(&q->sql, "r.experiment_id IN (");
		for (i = 0; i < o->experiments_nr; i++) {
			int64_t id = 0;
			err = experiment_id(s, o->experiments[i], &id);
			if (err < 0)
				return err;
			mmp_buf_puts(&q->sql, i ? ", ?" : "?");
			mmp_filter__bind_int(q, id);
		}
		mmp_buf_puts(&q->sql, ") AND ");
	}
	if (o->origin == MMP_RUNS_LOCAL)
		mmp_buf_puts(&q->sql, "r.origin IS NULL AND ");
	else if (o->origin == MMP_RUNS_REMOTE)
		mmp_buf_puts(&q->sql, "r.origin IS NOT NULL AND ");
	if (o->kinds_nr) {
		mmp_buf_puts(&q->sql, "r.kind IN (");
		for (i = 0; i < o->kinds_nr; i++) {
			mmp_buf_puts(&q->sql, i ? ", ?" : "?");
			mmp_filter__bind_text(q, o->kinds[i],
				strlen(o->kinds[i]));
		}
		mmp_buf_puts(&q->sql, ") AND ");
	}
	if ((err = mmp_filter__compile(q, o->filter)) < 0)
		return err;
	if (count)
		return 0;
	for (i = 0; i < o->order_by_nr; i++)
		if ((err = mmp_filter__order_by(&ord, o->order_by[i])) < 0) {
			mmp_filter__sql_release(&ord);
			return err;
		}
	mmp_buf_puts(&q->sql, " ORDER BY ");
	if (ord.sql.size) {
		sql_append(q, &ord);
		mmp_buf_puts(&q->sql, ", ");
	}
	mmp_filter__sql_release(&ord);
	mmp_buf_puts(&q->sql, "r.start_time DESC, r.run_uuid");
	if (o->max_results) {
		mmp_buf_puts(&q->sql, " LIMIT ?");
		mmp_filter__bind_int(q, o->max_results > INT64_MAX ?
			INT64_MAX : (int64_t)o->max_results);
		if (offset) {
			mmp_buf_puts(&q->sql, " OFFSET ?");
			mmp_filter__bind_int(q, offset > INT64_MAX ?
				INT64_MAX : (int64_t)offset);
		}
	}
	return 0;
}

static int build_query(struct mmp_filter__sql *q, mmp_store *s,
	const mmp_run_query *o)
{
	return build_query_at(q, s, o, 0, 0);
}

/* run the id query `sql` and load each run it finds into `*out` */
static int load_ids(mmp_run_list **out, mmp_store *s,
	const struct mmp_filter__sql *sql)
{
	mmp_run_list *l = mmp__calloc(1, sizeof(*l));
	sqlite3_stmt *st = NULL;
	size_t alloc = 0, i;
	int err, rc;

	if ((err = mmp_store__prepare_once(s, &st, sql->sql.ptr)) < 0)
		goto done;
	if ((err = mmp_filter__bind_all(sql, st)) < 0)
		goto done;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_run *r = mmp__calloc(1, sizeof(*r));
		memcpy(r->run_id, sqlite3_column_text(st, 0), 33);
		r->run_id[32] = '\0';
		MMP_ALLOC_GROW(l->runs, l->count + 1, alloc);
		l->runs[l->count++] = r;
	}
	if (rc < 0) {
		err = rc;
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (i = 0; i < l->count; i++)
		if ((err = mmp_store__run_load(s, l->runs[i], 0)) < 0)
			goto done;
	err = 0;
done:
	sqlite3_finalize(st);
	if (err < 0) {
		mmp_run_list_free(l);
		return err;
	}
	*out = l;
	return 0;
}

int mmp_runs_search(mmp_run_list **out, mmp_store *s, const mmp_run_query *q)
{
	mmp_run_query def = MMP_RUN_QUERY_INIT;
	struct mmp_filter__sql sql = MMP_FILTER_SQL_INIT;
	int err;

	*out = NULL;
	if (!q)
		q = &def;
	if (q->version != MMP_RUN_QUERY_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported run query version %u", q->version);
	if ((err = build_query(&sql, s, q)) == 0)
		err = load_ids(out, s, &sql);
	mmp_filter__sql_release(&sql);
	return err;
}

int mmp_runs_search_page(mmp_run_list **out, size_t *total, mmp_store *s,
	const mmp_run_query *q, size_t offset, size_t limit)
{
	mmp_run_query def = MMP_RUN_QUERY_INIT, o;
	struct mmp_filter__sql sql = MMP_FILTER_SQL_INIT;
	sqlite3_stmt *st = NULL;
	int err, rc;

	*out = NULL;
	*total = 0;
	o = q ? *q : def;
	if (o.version != MMP_RUN_QUERY_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported run query version %u", o.version);
	if ((err = build_query_at(&sql, s, &o, 1, 0)) < 0 ||
	    (err = mmp_store__prepare_once(s, &st, sql.sql.ptr)) < 0 ||
	    (err = mmp_filter__bind_all(&sql, st)) < 0)
		goto done;
	if ((rc = mmp_store__step(s, st)) < 0) {
		err = rc;
		goto done;
	}
	*total = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	st = NULL;
	mmp_filter__sql_release(&sql);
	if (offset >= *total) {
		*out = mmp__calloc(1, sizeof(**out));
		err = 0;
		goto done;
	}
	if (!limit)
		limit = SIZE_MAX;
	o.max_results = limit;
	if ((err = build_query_at(&sql, s, &o, 0, offset)) < 0)
		goto done;
	err = load_ids(out, s, &sql);
done:
	sqlite3_finalize(st);
	mmp_filter__sql_release(&sql);
	return err;
}

void mmp_run_list_free(mmp_run_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		mmp_run_free(l->runs[i]);
	free(l->runs);
	free(l);
}

static int unknown_metric(mmp_store *s, const char *run, const char *key)
{
	static const char sql[] =
		"SELECT key FROM latest_metrics WHERE run_uuid = ?1"
		" ORDER BY key";
	const char **keys = NULL;
	const char *best;
	size_t nr = 0, alloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(keys, nr + 1, alloc);
		keys[nr++] = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	best = mmp_str_closest(key, keys, nr);
	if (rc >= 0)
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"run '%s' has no metric '%s'%s%s%s", run, key,
			best ? "; did you mean '" : "", best ? best : "",
			best ? "'?" : "");
	for (i = 0; i < nr; i++)
		free((char *)keys[i]);
	free(keys);
	return rc;
}

int mmp_run_metric_history(mmp_metric_history **out, mmp_store *s,
	const char *run, const char *key)
{
	static const char sql[] =
		"SELECT value, is_nan, step, timestamp FROM metrics"
		" WHERE run_uuid = ?1 AND key = ?2"
		" ORDER BY step, timestamp, rowid";
	mmp_metric_history *l;
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__run_exists(s, run)) < 0)
		return rc;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	l = mmp__calloc(1, sizeof(*l));
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_run_metric *m;
		MMP_ALLOC_GROW(l->items, l->count + 1, alloc);
		m = &l->items[l->count++];
		m->key = mmp__strdup(key);
		m->value = sqlite3_column_int(st, 1) ||
			sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN
			: sqlite3_column_double(st, 0);
		m->step = sqlite3_column_int64(st, 2);
		m->timestamp = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc >= 0 && !l->count)
		rc = unknown_metric(s, run, key);
	if (rc < 0) {
		mmp_metric_history_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void mmp_metric_history_free(mmp_metric_history *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		free((char *)l->items[i].key);
	free(l->items);
	free(l);
}
