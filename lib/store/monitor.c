/* SPDX-License-Identifier: MIT */
/* monitor.c: live profile windows and the prediction log, with their
 * retention */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define DAY_MS INT64_C(86400000)
#define ENTITY_ID_MAX 256
#define NPRED_MAX 4096

void mmp_store_set_monitor_retention(mmp_store *s,
	const mmp_monitor_retention *r)
{
	s->monitor_retention = *r;
}

/* "serve" or "batch:" followed by something */
static int check_source(const char *what, const char *source)
{
	if (source && (!strcmp(source, "serve") ||
	    (!strncmp(source, "batch:", 6) && source[6])))
		return 0;
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"%s: source must be 'serve' or 'batch:<run id>'", what);
}

/* the cutoff (ms) before which data `days` old goes, or 0: no limit */
static int64_t cutoff(int days, int64_t now)
{
	return days > 0 ? now - (int64_t)days * DAY_MS : 0;
}

static int prune_windows(mmp_store *s, int64_t now, int64_t *removed)
{
	static const char del[] =
		"DELETE FROM monitor_windows WHERE end_ms < ?1";
	sqlite3_stmt *st;
	int64_t before = cutoff(s->monitor_retention.window_days, now);
	int err;

	*removed = 0;
	if (!before)
		return 0;
	if ((err = mmp_store__prepare(s, &st, del)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, before);
	if ((err = mmp_store__step_done(s, st)) < 0)
		return err;
	*removed = sqlite3_changes(s->db);
	return 0;
}

/*
 * Rowids only grow, so the newest `log_rows` rows are those with an id
 * above max(id) - log_rows: both bounds are index lookups.
 */
static int prune_log(mmp_store *s, int64_t now, int64_t *removed)
{
	static const char by_age[] =
		"DELETE FROM prediction_log WHERE ts_ms < ?1";
	static const char by_rows[] =
		"DELETE FROM prediction_log WHERE id <="
		" (SELECT max(id) FROM prediction_log) - ?1";
	const mmp_monitor_retention *r = &s->monitor_retention;
	int64_t before = cutoff(r->log_days, now);
	sqlite3_stmt *st;
	int err;

	*removed = 0;
	if (before) {
		if ((err = mmp_store__prepare(s, &st, by_age)) < 0)
			return err;
		sqlite3_bind_int64(st, 1, before);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
		*removed += sqlite3_changes(s->db);
	}
	if (r->log_rows > 0) {
		if ((err = mmp_store__prepare(s, &st, by_rows)) < 0)
			return err;
		sqlite3_bind_int64(st, 1, r->log_rows);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
		*removed += sqlite3_changes(s->db);
	}
	return 0;
}

static int count(mmp_store *s, const char *sql, int64_t a, int64_t b,
	int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}

int mmp_store_monitor_prune(mmp_monitor_prune_result *out, mmp_store *s,
	int dry_run)
{
	static const char n_windows[] =
		"SELECT count(*) FROM monitor_windows WHERE end_ms < ?1";
	static const char n_log[] =
		"SELECT count(*) FROM prediction_log WHERE ts_ms < ?1 OR"
		" id <= (SELECT max(id) FROM prediction_log) - ?2";
	const mmp_monitor_retention *r = &s->monitor_retention;
	int64_t now = mmp_time_ms();
	int64_t wcut = cutoff(r->window_days, now);
	int64_t lcut = cutoff(r->log_days, now);
	int err;

	memset(out, 0, sizeof(*out));
	if (dry_run) {
		if (wcut && (err = count(s, n_windows, wcut, 0,
		    &out->windows)) < 0)
			return err;
		/* no limit: a cutoff before every time, a bound above ids */
		return count(s, n_log, lcut ? lcut : INT64_MIN,
			r->log_rows > 0 ? r->log_rows : INT64_MAX,
			&out->predictions);
	}
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = prune_windows(s, now, &out->windows)) < 0 ||
	    (err = prune_log(s, now, &out->predictions)) < 0) {
		mmp_store__rollback(s);
		memset(out, 0, sizeof(*out));
		return err;
	}
	return mmp_store__commit(s);
}

static int check_window(const mmp_monitor_window *w)
{
	const char *what = "monitor window";

	if (!w->model || !*w->model)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: model name is empty", what);
	if (w->version < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: version %lld is negative", what,
			(long long)w->version);
	if (check_source(what, w->source) < 0)
		return MMP_EINVALID;
	if (w->end_ms < w->start_ms)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: end %lld is before start %lld", what,
			(long long)w->end_ms, (long long)w->start_ms);
	if (w->rows < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: rows %lld is negative", what,
			(long long)w->rows);
	if (!w->profile || !*w->profile)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: profile is empty", what);
	return 0;
}

int mmp_store_monitor_window_put(mmp_store *s, const mmp_monitor_window *w)
{
	static const char put[] =
		"INSERT INTO monitor_windows (model, version, source,"
		" instance, start_ms, end_ms, rows, profile, written_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT (model, version, source, instance, start_ms)"
		" DO UPDATE SET end_ms = excluded.end_ms,"
		" rows = excluded.rows, profile = excluded.profile,"
		" written_ms = excluded.written_ms";
	sqlite3_stmt *st;
	int64_t now = mmp_time_ms(), pruned;
	int err;

	if ((err = check_window(w)) < 0)
		return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, put)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, w->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, w->version);
	sqlite3_bind_text(st, 3, w->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, w->instance ? w->instance : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, w->start_ms);
	sqlite3_bind_int64(st, 6, w->end_ms);
	sqlite3_bind_int64(st, 7, w->rows);
	sqlite3_bind_text(st, 8, w->profile, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, now);
	if ((err = mmp_store__step_done(s, st)) < 0 ||
	    (err = prune_windows(s, now, &pruned)) < 0)
		goto done;
	err = mmp_store__commit(s);
done:
	if (err < 0)
		mmp_store__rollback(s);
	return err;
}

int mmp_store_monitor_windows(mmp_store *s, const char *model,
	int64_t version, const char *source, int64_t since_ms,
	mmp_monitor_window_cb cb, void *payload)
{
	static const char get[] =
		"SELECT id, model, version, source, instance, start_ms,"
		" end_ms, rows, profile, written_ms FROM monitor_windows"
		" WHERE model = ?1 AND (?2 = 0 OR version = ?2)"
		" AND (?3 = 0 OR end_ms > ?3)"
		" AND (?4 IS NULL OR source = ?4 OR"
		"  (?4 = 'batch:' AND substr(source, 1, 6) = 'batch:'))"
		" ORDER BY start_ms, id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (!model || !*model)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"monitor windows: model name is empty");
	if ((rc = mmp_store__prepare_once(s, &st, get)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, since_ms);
	mmp_store__bind_text(st, 4, source);
	while (!stop && (rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_monitor_window w;
		w.id = sqlite3_column_int64(st, 0);
		w.model = (const char *)sqlite3_column_text(st, 1);
		w.version = sqlite3_column_int64(st, 2);
		w.source = (const char *)sqlite3_column_text(st, 3);
		w.instance = (const char *)sqlite3_column_text(st, 4);
		w.start_ms = sqlite3_column_int64(st, 5);
		w.end_ms = sqlite3_column_int64(st, 6);
		w.rows = sqlite3_column_int64(st, 7);
		w.profile = (const char *)sqlite3_column_text(st, 8);
		w.written_ms = sqlite3_column_int64(st, 9);
		stop = cb(&w, payload);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

/* --- the prediction log --- */

static void encode_floats(unsigned char *out, const float *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		out[4 * i] = (unsigned char)u;
		out[4 * i + 1] = (unsigned char)(u >> 8);
		out[4 * i + 2] = (unsigned char)(u >> 16);
		out[4 * i + 3] = (unsigned char)(u >> 24);
	}
}

static void decode_floats(float *out, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u = (uint32_t)b[4 * i] |
			(uint32_t)b[4 * i + 1] << 8 |
			(uint32_t)b[4 * i + 2] << 16 |
			(uint32_t)b[4 * i + 3] << 24;
		memcpy(&out[i], &u, 4);
	}
}

static int check_item(const mmp_prediction_log_item *it, size_t i)
{
	char what[64];
	size_t len;

	snprintf(what, sizeof(what), "prediction log item %zu", i + 1);
	if (check_source(what, it->source) < 0)
		return MMP_EINVALID;
	if (!it->entity_id || !*it->entity_id)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: entity id is empty", what);
	len = strlen(it->entity_id);
	if (len > ENTITY_ID_MAX)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: entity id is %zu bytes long (at most %d)",
			what, len, ENTITY_ID_MAX);
	if (!it->pred || it->npred < 1 || it->npred > NPRED_MAX)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: %zu scores (1 to %d)", what,
			it->pred ? it->npred : 0, NPRED_MAX);
	return 0;
}

int mmp_store_prediction_log_put_many(mmp_store *s, const char *model,
	int64_t version, const mmp_prediction_log_item *items, size_t n)
{
	static const char put[] =
		"INSERT INTO prediction_log (model, version, source,"
		" entity_id, ts_ms, pred) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	unsigned char blob[4 * NPRED_MAX];
	int64_t now = mmp_time_ms(), pruned;
	sqlite3_stmt *st;
	size_t i;
	int err;

	if (!model || !*model)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"prediction log: model name is empty");
	if (version < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"prediction log: version %lld is negative",
			(long long)version);
	for (i = 0; i < n; i++)
		if ((err = check_item(&items[i], i)) < 0)
			return err;
	if (!n)
		return 0;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	/*
	 * One statement for every row; the values are bound in place, not
	 * copied (a log write is the cost of monitoring that grows with
	 * traffic), and unbound before they go out of scope.
	 */
	if ((err = mmp_store__prepare(s, &st, put)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	for (i = 0; i < n; i++) {
		const mmp_prediction_log_item *it = &items[i];

		encode_floats(blob, it->pred, it->npred);
		sqlite3_bind_text(st, 3, it->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, it->entity_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, it->ts_ms ? it->ts_ms : now);
		sqlite3_bind_blob(st, 6, blob, (int)(4 * it->npred),
			SQLITE_STATIC);
		if ((err = mmp_store__step_done(s, st)) < 0)
			break;
	}
	sqlite3_clear_bindings(st);
	if (err < 0)
		goto done;
	if ((err = prune_log(s, now, &pruned)) < 0)
		goto done;
	err = mmp_store__commit(s);
done:
	if (err < 0)
		mmp_store__rollback(s);
	return err;
}

int mmp_store_prediction_log_put(mmp_store *s, const char *model,
	int64_t version, const char *source, const char *entity_id,
	int64_t ts_ms, const float *pred, size_t npred)
{
	mmp_prediction_log_item it;

	memset(&it, 0, sizeof(it));
	it.source = source;
	it.entity_id = entity_id;
	it.ts_ms = ts_ms;
	it.pred = pred;
	it.npred = npred;
	return mmp_store_prediction_log_put_many(s, model, version, &it, 1);
}

int mmp_store_prediction_log_forget(mmp_store *s, const char *source,
	int64_t *out_removed)
{
	static const char del[] =
		"DELETE FROM prediction_log WHERE source = ?1";
	sqlite3_stmt *st;
	int err;

	if (out_removed)
		*out_removed = 0;
	if (check_source("prediction log", source) < 0)
		return MMP_EINVALID;
	if ((err = mmp_store__prepare(s, &st, del)) < 0)
		return err;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	if ((err = mmp_store__step_done(s, st)) < 0)
		return err;
	if (out_removed)
		*out_removed = sqlite3_changes(s->db);
	return 0;
}

/* call `cb` for each row of `st` (stepped to the end and reset) */
static int log_rows(mmp_store *s, sqlite3_stmt *st, float **buf,
	mmp_prediction_log_cb cb, void *payload)
{
	int rc, stop = 0;

	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_prediction_log_item it;
		size_t bytes = (size_t)sqlite3_column_bytes(st, 6);
		const void *b = sqlite3_column_blob(st, 6);

		it.npred = bytes / 4;
		if (!b || !it.npred || it.npred > NPRED_MAX)
			continue;  /* not written by mmp: skipped */
		decode_floats(*buf, b, it.npred);
		it.id = sqlite3_column_int64(st, 0);
		it.model = (const char *)sqlite3_column_text(st, 1);
		it.version = sqlite3_column_int64(st, 2);
		it.source = (const char *)sqlite3_column_text(st, 3);
		it.entity_id = (const char *)sqlite3_column_text(st, 4);
		it.ts_ms = sqlite3_column_int64(st, 5);
		it.pred = *buf;
		if ((stop = cb(&it, payload)) != 0)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

int mmp_store_prediction_log_get(mmp_store *s,
	const mmp_prediction_log_query *q, mmp_prediction_log_cb cb,
	void *payload)
{
#define LOG_COLUMNS "SELECT id, model, version, source, entity_id, ts_ms," \
	" pred FROM prediction_log WHERE model = ?1" \
	" AND (?2 = 0 OR version = ?2) AND (?3 = 0 OR ts_ms >= ?3)" \
	" AND (?4 = 0 OR ts_ms < ?4)"
	static const char by_id[] = LOG_COLUMNS
		" AND entity_id = ?5 ORDER BY ts_ms, id";
	static const char by_time[] = LOG_COLUMNS " ORDER BY ts_ms, id";
#undef LOG_COLUMNS
	float *buf;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (!q->model || !*q->model)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"prediction log: model name is empty");
	buf = mmp__malloc(sizeof(float) * NPRED_MAX);
	if (!q->ids) {
		if ((rc = mmp_store__prepare_once(s, &st, by_time)) < 0)
			goto done;
	} else if ((rc = mmp_store__prepare_once(s, &st, by_id)) < 0) {
		goto done;
	}
	sqlite3_bind_text(st, 1, q->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, q->model_version);
	sqlite3_bind_int64(st, 3, q->since_ms);
	sqlite3_bind_int64(st, 4, q->until_ms);
	if (!q->ids) {
		rc = log_rows(s, st, &buf, cb, payload);
		goto done;
	}
	for (i = 0; i < q->ids_nr && !rc; i++) {
		if (!q->ids[i])
			continue;
		sqlite3_bind_text(st, 5, q->ids[i], -1, SQLITE_TRANSIENT);
		rc = log_rows(s, st, &buf, cb, payload);
	}
done:
	sqlite3_finalize(st);
	free(buf);
	return rc;
}
