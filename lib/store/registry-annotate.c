/* SPDX-License-Identifier: MIT */
/* registry-annotate.c: descriptions and tags of models and versions, as
 * the registry changes them after registration */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "registry-internal.h"

/* version 0: the model itself */
int mmp_store__reg_description(mmp_store *s, const char *name,
	int64_t version, const char *text, char **old)
{
	static const char get_m[] =
		"SELECT description FROM registered_models WHERE name = ?1";
	static const char get_v[] =
		"SELECT description FROM model_versions"
		" WHERE name = ?1 AND version = ?2";
	static const char put_m[] =
		"UPDATE registered_models SET description = ?3,"
		" last_updated_time = ?4 WHERE name = ?1 AND ?2 = 0";
	static const char put_v[] =
		"UPDATE model_versions SET description = ?3,"
		" last_updated_time = ?4 WHERE name = ?1 AND version = ?2";
	sqlite3_stmt *st;
	int rc;

	*old = NULL;
	if ((rc = mmp_store__prepare(s, &st, version ? get_v : get_m)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (version)
		sqlite3_bind_int64(st, 2, version);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return version ? mmp_error_ret(MMP_ENOTFOUND,
				MMP_ERROR_REGISTRY, "model '%s' has no version "
				"%lld", name, (long long)version) :
			mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
				"no model '%s'", name);
	}
	*old = mmp_store__column_strdup(st, 0);
	sqlite3_reset(st);
	if ((rc = mmp_store__prepare(s, &st, version ? put_v : put_m)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

int mmp_store__reg_tag_get(mmp_store *s, const char *name, int64_t version,
	const char *key, char **out)
{
	static const char get_m[] =
		"SELECT value FROM registered_model_tags"
		" WHERE name = ?1 AND key = ?3 AND ?2 = 0";
	static const char get_v[] =
		"SELECT value FROM model_version_tags"
		" WHERE name = ?1 AND version = ?2 AND key = ?3";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, version ? get_v : get_m)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW)
		*out = mmp_store__column_strdup(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* value NULL removes the tag */
int mmp_store__reg_tag_put(mmp_store *s, const char *name, int64_t version,
	const char *key, const char *value)
{
	static const char put_m[] =
		"INSERT INTO registered_model_tags (name, key, value)"
		" VALUES (?1, ?2, ?3) ON CONFLICT (name, key)"
		" DO UPDATE SET value = excluded.value";
	static const char del_m[] =
		"DELETE FROM registered_model_tags WHERE name = ?1"
		" AND key = ?2";
	static const char del_v[] =
		"DELETE FROM model_version_tags WHERE name = ?1"
		" AND version = ?3 AND key = ?2";
	sqlite3_stmt *st;
	int rc;

	if (version && value)
		return mmp_store__reg_version_tag(s, name, version, key,
			value);
	if ((rc = mmp_store__prepare(s, &st, value ? put_m :
			version ? del_v : del_m)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	if (value)
		sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
	else if (version)
		sqlite3_bind_int64(st, 3, version);
	return mmp_store__step_done(s, st);
}

int mmp_store__reg_model_tags(mmp_store *s, const char *name, mmp_kv **out,
	size_t *out_nr)
{
	static const char sql[] =
		"SELECT key, value FROM registered_model_tags WHERE name = ?1"
		" ORDER BY key";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*out_nr = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*out, *out_nr + 1, alloc);
		(*out)[*out_nr].key = mmp_store__column_strdup(st, 0);
		(*out)[(*out_nr)++].value = mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
