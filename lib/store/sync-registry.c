/* SPDX-License-Identifier: MIT */
/* sync-registry.c: the SQL of what of the registry was pushed where */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "sync-internal.h"

int mmp_store__sync_model_known(int *out, mmp_store *s, int64_t remote,
	const char *name)
{
	static const char sql[] =
		"SELECT 1 FROM sync_models WHERE remote_id = ?1 AND name = ?2";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__sync_model_set(mmp_store *s, int64_t remote,
	const char *name)
{
	static const char sql[] =
		"INSERT INTO sync_models (remote_id, name) VALUES (?1, ?2)"
		" ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_version_get(struct mmp_store__sync_version *out,
	mmp_store *s, int64_t remote, const char *name, int64_t version)
{
	static const char sql[] =
		"SELECT remote_version, digest, stage_sent FROM sync_versions"
		" WHERE remote_id = ?1 AND name = ?2 AND version = ?3";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, version);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		out->known = 1;
		out->remote_version = mmp_store__column_strdup(st, 0);
		out->digest = mmp_store__column_strdup(st, 1);
		out->stage_sent = mmp_store__column_strdup(st, 2);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

void mmp_store__sync_version_release(struct mmp_store__sync_version *v)
{
	if (!v)
		return;
	free(v->remote_version);
	free(v->digest);
	free(v->stage_sent);
	memset(v, 0, sizeof(*v));
}

/* run `sql` with (remote, name, version[, text]) */
static int version_exec(mmp_store *s, const char *sql, int64_t remote,
	const char *name, int64_t version, const char *text)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, version);
	mmp_store__bind_text(st, 4, text);
	return mmp_store__step_done(s, st);
}

int mmp_store__sync_version_creating(mmp_store *s, int64_t remote,
	const char *name, int64_t version)
{
	static const char sql[] =
		"INSERT INTO sync_versions (remote_id, name, version)"
		" VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

	return version_exec(s, sql, remote, name, version, NULL);
}

int mmp_store__sync_version_created(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *remote_version)
{
	static const char sql[] =
		"UPDATE sync_versions SET remote_version = ?4"
		" WHERE remote_id = ?1 AND name = ?2 AND version = ?3";

	return version_exec(s, sql, remote, name, version, remote_version);
}

int mmp_store__sync_version_digest(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *digest)
{
	static const char sql[] =
		"UPDATE sync_versions SET digest = ?4"
		" WHERE remote_id = ?1 AND name = ?2 AND version = ?3";

	return version_exec(s, sql, remote, name, version, digest);
}

int mmp_store__sync_version_stage(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *stage)
{
	static const char sql[] =
		"UPDATE sync_versions SET stage_sent = ?4"
		" WHERE remote_id = ?1 AND name = ?2 AND version = ?3";

	return version_exec(s, sql, remote, name, version, stage);
}

int mmp_store__sync_aliases(char ***aliases, int64_t **versions, size_t *n,
	mmp_store *s, int64_t remote, const char *name)
{
	static const char sql[] =
		"SELECT alias, version FROM sync_aliases"
		" WHERE remote_id = ?1 AND name = ?2 ORDER BY alias";
	size_t alloc = 0, valloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	*aliases = NULL;
	*versions = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*aliases, *n + 1, alloc);
		MMP_ALLOC_GROW(*versions, *n + 1, valloc);
		(*aliases)[*n] = mmp_store__column_strdup(st, 0);
		(*versions)[(*n)++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		for (i = 0; i < *n; i++)
			free((*aliases)[i]);
		free(*aliases);
		free(*versions);
		*aliases = NULL;
		*versions = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

int mmp_store__sync_alias_set(mmp_store *s, int64_t remote,
	const char *name, const char *alias, int64_t version)
{
	static const char set[] =
		"INSERT INTO sync_aliases (remote_id, name, alias, version)"
		" VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT DO UPDATE SET version = ?4";
	static const char del[] =
		"DELETE FROM sync_aliases"
		" WHERE remote_id = ?1 AND name = ?2 AND alias = ?3";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, version ? set : del)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, alias, -1, SQLITE_TRANSIENT);
	if (version)
		sqlite3_bind_int64(st, 4, version);
	return mmp_store__step_done(s, st);
}
