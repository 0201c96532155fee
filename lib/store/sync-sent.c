/* SPDX-License-Identifier: MIT */
/* sync-sent.c: what a push sent that a later change can undo: names,
 * lifecycles, descriptions, tag keys (table sync_sent) */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "sync-internal.h"

int mmp_store__sync_sent_get(char **out, int *found, mmp_store *s,
	int64_t remote, const char *kind, const char *subject,
	const char *key)
{
	static const char sql[] =
		"SELECT value FROM sync_sent WHERE remote_id = ?1"
		" AND kind = ?2 AND subject = ?3 AND key = ?4";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*found = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, key ? key : "", -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		*found = 1;
		*out = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	return 0;
}

int mmp_store__sync_sent_set(mmp_store *s, int64_t remote, const char *kind,
	const char *subject, const char *key, const char *value, int forget)
{
	static const char put[] =
		"INSERT INTO sync_sent (remote_id, kind, subject, key, value)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (remote_id, kind,"
		" subject, key) DO UPDATE SET value = excluded.value";
	static const char del[] =
		"DELETE FROM sync_sent WHERE remote_id = ?1 AND kind = ?2"
		" AND subject = ?3 AND key = ?4";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, forget ? del : put)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, key ? key : "", -1, SQLITE_TRANSIENT);
	if (!forget)
		mmp_store__bind_text(st, 5, value);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_sent_list(mmp_kv **out, size_t *n, mmp_store *s,
	int64_t remote, const char *kind, const char *subject)
{
	static const char sql[] =
		"SELECT key, value FROM sync_sent WHERE remote_id = ?1"
		" AND kind = ?2 AND subject = ?3 ORDER BY key";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[*n].key = mmp_store__column_strdup(st, 0);
		(*out)[*n].value = mmp_store__column_strdup(st, 1);
		if (!(*out)[*n].value)
			(*out)[*n].value = mmp__strdup("");
		(*n)++;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_runs_deleted(char (**out)[33], size_t *n, mmp_store *s,
	int64_t remote)
{
	static const char sql[] =
		"SELECT r.run_uuid FROM runs r JOIN sync_runs y"
		" ON y.run_uuid = r.run_uuid AND y.remote_id = ?1"
		" WHERE r.lifecycle_stage = 'deleted'"
		" AND y.remote_run_id IS NOT NULL"
		" AND r.status NOT IN ('RUNNING', 'SCHEDULED')"
		" ORDER BY r.start_time, r.run_uuid";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		memcpy((*out)[*n], sqlite3_column_text(st, 0), 32);
		(*out)[(*n)++][32] = '\0';
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_experiments_pushed(int64_t **ids, char ***remote_ids,
	size_t *n, mmp_store *s, int64_t remote)
{
	static const char sql[] =
		"SELECT experiment_id, remote_experiment_id FROM"
		" sync_experiments WHERE remote_id = ?1 ORDER BY experiment_id";
	size_t alloc = 0, alloc2 = 0;
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*remote_ids = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*ids, *n + 1, alloc);
		MMP_ALLOC_GROW(*remote_ids, *n + 1, alloc2);
		(*ids)[*n] = sqlite3_column_int64(st, 0);
		(*remote_ids)[(*n)++] = mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_forget_subject(mmp_store *s, const char *subject)
{
	static const char sql[] = "DELETE FROM sync_sent WHERE subject = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}
