/* SPDX-License-Identifier: MIT */
/* sync.c: the SQL of the push state: remotes, remote ids, what was sent */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "sync-internal.h"

int mmp_store__sync_remote(mmp_store *s, const char *uri, int create,
	int64_t *out)
{
	static const char sel[] =
		"SELECT remote_id FROM sync_remotes WHERE uri = ?1";
	static const char ins[] =
		"INSERT INTO sync_remotes (uri, created_time) VALUES (?1, ?2)"
		" ON CONFLICT (uri) DO NOTHING";
	sqlite3_stmt *st;
	int rc, pass;

	for (pass = 0; pass < 2; pass++) {
		if ((rc = mmp_store__prepare(s, &st, sel)) < 0)
			return rc;
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
		rc = mmp_store__step(s, st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			return 0;
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
		if (!create || pass)
			break;
		if ((rc = mmp_store__prepare(s, &st, ins)) < 0)
			return rc;
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, mmp_time_ms());
		if ((rc = mmp_store__step_done(s, st)) < 0)
			return rc;
	}
	return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
		"nothing was ever pushed to '%s'", uri);
}

int mmp_store__sync_remote_result(mmp_store *s, int64_t remote,
	const char *error_class, const char *error)
{
	static const char ok[] =
		"UPDATE sync_remotes SET last_push_time = ?2,"
		" last_attempt_time = ?2, last_error = NULL,"
		" last_error_class = NULL, last_error_time = NULL"
		" WHERE remote_id = ?1";
	static const char bad[] =
		"UPDATE sync_remotes SET last_attempt_time = ?2,"
		" last_error = ?3, last_error_class = ?4,"
		" last_error_time = ?2 WHERE remote_id = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, error ? bad : ok)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_int64(st, 2, mmp_time_ms());
	if (error) {
		sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
		mmp_store__bind_text(st, 4, error_class);
	}
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_remote_info(struct mmp_store__sync_remote_info *out,
	mmp_store *s, int64_t remote)
{
	static const char sql[] =
		"SELECT last_push_time, last_attempt_time, last_error,"
		" last_error_class, last_error_time,"
		" last_attempt_time IS NOT NULL"
		" OR EXISTS (SELECT 1 FROM sync_experiments"
		"  WHERE remote_id = ?1)"
		" OR EXISTS (SELECT 1 FROM sync_runs WHERE remote_id = ?1)"
		" OR EXISTS (SELECT 1 FROM sync_models WHERE remote_id = ?1)"
		" FROM sync_remotes WHERE remote_id = ?1";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		out->last_push_time = sqlite3_column_int64(st, 0);
		out->last_attempt_time = sqlite3_column_int64(st, 1);
		out->last_error = mmp_store__column_strdup(st, 2);
		out->last_error_class = mmp_store__column_strdup(st, 3);
		out->last_error_time = sqlite3_column_int64(st, 4);
		out->pushed = sqlite3_column_int(st, 5);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc != SQLITE_ROW)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no remote %lld", (long long)remote);
	return 0;
}

void mmp_store__sync_remote_info_release(
	struct mmp_store__sync_remote_info *i)
{
	if (!i)
		return;
	free(i->last_error);
	free(i->last_error_class);
	memset(i, 0, sizeof(*i));
}

int mmp_store__sync_experiment_get(char **out, mmp_store *s, int64_t remote,
	int64_t experiment_id)
{
	static const char sql[] =
		"SELECT remote_experiment_id FROM sync_experiments"
		" WHERE remote_id = ?1 AND experiment_id = ?2";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_int64(st, 2, experiment_id);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		*out = mmp_store__column_strdup(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (!*out)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"experiment %lld was not pushed",
			(long long)experiment_id);
	return 0;
}

int mmp_store__sync_experiment_set(mmp_store *s, int64_t remote,
	int64_t experiment_id, const char *remote_id)
{
	static const char sql[] =
		"INSERT INTO sync_experiments (remote_id, experiment_id,"
		" remote_experiment_id) VALUES (?1, ?2, ?3)"
		" ON CONFLICT DO UPDATE SET remote_experiment_id = ?3";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_int64(st, 2, experiment_id);
	sqlite3_bind_text(st, 3, remote_id, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_experiment_tags(mmp_kv **out, size_t *n, mmp_store *s,
	int64_t experiment_id)
{
	static const char sql[] =
		"SELECT key, value FROM experiment_tags"
		" WHERE experiment_id = ?1 ORDER BY key";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, experiment_id);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[*n].key = mmp_store__column_strdup(st, 0);
		(*out)[(*n)++].value = mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		mmp_store__sync_kv_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

void mmp_store__sync_kv_free(mmp_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; kv && i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

int mmp_store__sync_run_get(struct mmp_store__sync_run *out, mmp_store *s,
	int64_t remote, const char *run)
{
	static const char sql[] =
		"SELECT remote_run_id, remote_artifact_uri, params_sent,"
		" tags_digest, metrics_rowid, metrics_inflight, status_sent"
		" FROM sync_runs WHERE remote_id = ?1 AND run_uuid = ?2";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		out->known = 1;
		out->remote_run_id = mmp_store__column_strdup(st, 0);
		out->remote_artifact_uri = mmp_store__column_strdup(st, 1);
		out->params_sent = sqlite3_column_int64(st, 2);
		out->tags_digest = mmp_store__column_strdup(st, 3);
		out->metrics_rowid = sqlite3_column_int64(st, 4);
		out->metrics_inflight = sqlite3_column_int64(st, 5);
		out->status_sent = mmp_store__column_strdup(st, 6);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

void mmp_store__sync_run_release(struct mmp_store__sync_run *r)
{
	if (!r)
		return;
	free(r->remote_run_id);
	free(r->remote_artifact_uri);
	free(r->tags_digest);
	free(r->status_sent);
	memset(r, 0, sizeof(*r));
}

int mmp_store__sync_runs_ended(char (**out)[33], size_t *n, mmp_store *s,
	const char *only)
{
	static const char sql[] =
		"SELECT run_uuid FROM runs WHERE status IN ('FINISHED',"
		" 'FAILED', 'KILLED') AND lifecycle_stage = 'active'"
		" AND origin IS NULL AND (?1 IS NULL OR run_uuid = ?1)"
		" ORDER BY start_time, run_uuid";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	mmp_store__bind_text(st, 1, only);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		snprintf((*out)[(*n)++], 33, "%s", t ? (const char *)t : "");
	}
	sqlite3_reset(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

int mmp_store__sync_run_creating(mmp_store *s, int64_t remote,
	const char *run)
{
	static const char sql[] =
		"INSERT INTO sync_runs (remote_id, run_uuid, create_time)"
		" VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_run_created(mmp_store *s, int64_t remote,
	const char *run, const char *remote_run_id, const char *artifact_uri)
{
	static const char sql[] =
		"UPDATE sync_runs SET remote_run_id = ?3,"
		" remote_artifact_uri = ?4"
		" WHERE remote_id = ?1 AND run_uuid = ?2";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, remote_run_id, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 4, artifact_uri);
	return mmp_store__step_done(s, st);
}

/* UPDATE sync_runs SET <one column> = ?3 for (remote, run) */
static int set_column(mmp_store *s, const char *sql, int64_t remote,
	const char *run, const char *text, int64_t num)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	if (text)
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	else if (num)
		sqlite3_bind_int64(st, 3, num);
	else
		sqlite3_bind_null(st, 3);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_run_params_sent(mmp_store *s, int64_t remote,
	const char *run, int64_t n)
{
	static const char sql[] =
		"UPDATE sync_runs SET params_sent = coalesce(?3, 0)"
		" WHERE remote_id = ?1 AND run_uuid = ?2";

	return set_column(s, sql, remote, run, NULL, n);
}

int mmp_store__sync_run_tags_sent(mmp_store *s, int64_t remote,
	const char *run, const char *digest)
{
	static const char sql[] =
		"UPDATE sync_runs SET tags_digest = ?3"
		" WHERE remote_id = ?1 AND run_uuid = ?2";

	return set_column(s, sql, remote, run, digest, 0);
}

int mmp_store__sync_run_metrics_inflight(mmp_store *s, int64_t remote,
	const char *run, int64_t rowid)
{
	static const char sql[] =
		"UPDATE sync_runs SET metrics_inflight = ?3"
		" WHERE remote_id = ?1 AND run_uuid = ?2";

	return set_column(s, sql, remote, run, NULL, rowid);
}

int mmp_store__sync_run_metrics_sent(mmp_store *s, int64_t remote,
	const char *run, int64_t rowid)
{
	static const char sql[] =
		"UPDATE sync_runs SET metrics_rowid = coalesce(?3, 0),"
		" metrics_inflight = NULL"
		" WHERE remote_id = ?1 AND run_uuid = ?2";

	return set_column(s, sql, remote, run, NULL, rowid);
}

int mmp_store__sync_run_status_sent(mmp_store *s, int64_t remote,
	const char *run, const char *status)
{
	static const char sql[] =
		"UPDATE sync_runs SET status_sent = ?3"
		" WHERE remote_id = ?1 AND run_uuid = ?2";

	return set_column(s, sql, remote, run, status, 0);
}

int mmp_store__sync_metrics(struct mmp_store__sync_metric **out, size_t *n,
	mmp_store *s, const char *run, int64_t after, int64_t upto,
	size_t limit)
{
	static const char sql[] =
		"SELECT rowid, key, value, is_nan, step, timestamp"
		" FROM metrics WHERE run_uuid = ?1 AND rowid > ?2"
		" AND (?3 = 0 OR rowid <= ?3) ORDER BY rowid LIMIT ?4";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, upto);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		struct mmp_store__sync_metric *m;
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		m = &(*out)[(*n)++];
		m->rowid = sqlite3_column_int64(st, 0);
		m->key = mmp_store__column_strdup(st, 1);
		if (sqlite3_column_int(st, 3) ||
		    sqlite3_column_type(st, 2) == SQLITE_NULL)
			m->value = NAN;
		else
			m->value = sqlite3_column_double(st, 2);
		m->step = sqlite3_column_int64(st, 4);
		m->timestamp = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		mmp_store__sync_metrics_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

void mmp_store__sync_metrics_free(struct mmp_store__sync_metric *m,
	size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		free(m[i].key);
	free(m);
}

int mmp_store__sync_metrics_count(int64_t *out, mmp_store *s,
	const char *run, int64_t after)
{
	static const char sql[] =
		"SELECT count(*) FROM metrics WHERE run_uuid = ?1"
		" AND rowid > ?2";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_artifact_is_sent(int *out, mmp_store *s, int64_t remote,
	const char *run, const char *path, const char *sha256)
{
	static const char sql[] =
		"SELECT 1 FROM sync_artifacts WHERE remote_id = ?1"
		" AND run_uuid = ?2 AND path = ?3 AND sha256 = ?4";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, sha256, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_artifact_sent(mmp_store *s, int64_t remote,
	const char *run, const char *path, const char *sha256)
{
	static const char sql[] =
		"INSERT INTO sync_artifacts (remote_id, run_uuid, path, sha256)"
		" VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT DO UPDATE SET sha256 = ?4";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, sha256, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_runs_running(size_t *out, mmp_store *s)
{
	static const char sql[] =
		"SELECT count(*) FROM runs WHERE status IN ('RUNNING',"
		" 'SCHEDULED') AND lifecycle_stage = 'active'"
		" AND origin IS NULL";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		*out = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
