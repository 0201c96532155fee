/* SPDX-License-Identifier: MIT */
/* registry.c: the store's reads of the model registry: lookups by
 * stage, alias and version */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "registry-internal.h"

int mmp_store__reg_model_exists(mmp_store *s, const char *name)
{
	static const char sql[] =
		"SELECT 1 FROM registered_models WHERE name = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return rc == SQLITE_ROW;
}

static int load_names(mmp_store *s, const char *sql, const char *arg,
	char ***out, size_t *out_nr)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t nr = 0, alloc = 0;
	int rc;

	*out = NULL;
	*out_nr = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(v, nr + 1, alloc);
		v[nr++] = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		while (nr)
			free(v[--nr]);
		free(v);
		return rc;
	}
	*out = v;
	*out_nr = nr;
	return 0;
}

int mmp_store__reg_model_names(mmp_store *s, char ***out, size_t *out_nr)
{
	static const char sql[] =
		"SELECT name FROM registered_models ORDER BY name";

	return load_names(s, sql, NULL, out, out_nr);
}

int mmp_store__reg_alias_names(mmp_store *s, const char *name,
	char ***out, size_t *out_nr)
{
	static const char sql[] =
		"SELECT alias FROM registered_model_aliases WHERE name = ?1"
		" ORDER BY alias";

	return load_names(s, sql, name, out, out_nr);
}

/* one integer from a query binding (name, text); 0 when no row */
static int query_version(mmp_store *s, const char *sql, const char *name,
	const char *arg, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (arg)
		sqlite3_bind_text(st, 2, arg, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__reg_stage_version(mmp_store *s, const char *name,
	mmp_stage stage, int64_t *out)
{
	static const char sql[] =
		"SELECT max(version) FROM model_versions"
		" WHERE name = ?1 AND current_stage = ?2";

	return query_version(s, sql, name, mmp_stage_name(stage), out);
}

int mmp_store__reg_alias_version(mmp_store *s, const char *name,
	const char *alias, int64_t *out)
{
	static const char sql[] =
		"SELECT version FROM registered_model_aliases"
		" WHERE name = ?1 AND alias = ?2";

	return query_version(s, sql, name, alias, out);
}

int mmp_store__reg_latest_version(mmp_store *s, const char *name,
	int64_t *out)
{
	static const char sql[] =
		"SELECT max(version) FROM model_versions WHERE name = ?1";

	return query_version(s, sql, name, NULL, out);
}

static mmp_stage stage_from_text(const char *t)
{
	mmp_stage st;

	if (t && mmp_stage_parse(&st, t) == 0)
		return st;
	mmp_error_clear();
	return MMP_STAGE_NONE;
}

int mmp_store__reg_version_brief(mmp_store *s, const char *name,
	int64_t version, char run_id[33], mmp_stage *stage, char **source)
{
	static const char sql[] =
		"SELECT run_id, current_stage, source FROM model_versions"
		" WHERE name = ?1 AND version = ?2";
	sqlite3_stmt *st;
	const unsigned char *id;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no version %lld", name,
			(long long)version);
	}
	id = sqlite3_column_text(st, 0);
	snprintf(run_id, 33, "%s", id ? (const char *)id : "");
	*stage = stage_from_text((const char *)sqlite3_column_text(st, 1));
	*source = mmp_store__column_strdup(st, 2);
	sqlite3_reset(st);
	return 0;
}
