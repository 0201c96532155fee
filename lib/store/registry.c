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
	const char *stage, int64_t *out)
{
	static const char sql[] =
		"SELECT max(version) FROM model_versions"
		" WHERE name = ?1 AND current_stage = ?2";

	return query_version(s, sql, name, stage, out);
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

int mmp_store__reg_version_brief(mmp_store *s, const char *name,
	int64_t version, char run_id[33], char stage[MMP_STORE_STAGE_MAX],
	char **source)
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
	id = sqlite3_column_text(st, 1);
	snprintf(stage, MMP_STORE_STAGE_MAX, "%s", id ? (const char *)id : "");
	*source = mmp_store__column_strdup(st, 2);
	sqlite3_reset(st);
	return 0;
}

/* --- full records --- */

static const char approval_cols[] =
	"SELECT id, name, version, decision, reason, actor, manual, notes,"
	" policy, evidence, time FROM model_approvals";

static mmp_decision decision_from_text(const char *t)
{
	if (!t)
		return MMP_DECISION_NONE;
	if (!strcmp(t, "APPROVED"))
		return MMP_DECISION_APPROVED;
	if (!strcmp(t, "NEEDS_REVIEW"))
		return MMP_DECISION_NEEDS_REVIEW;
	if (!strcmp(t, "REJECTED"))
		return MMP_DECISION_REJECTED;
	return MMP_DECISION_NONE;
}

static mmp_approval *approval_row(sqlite3_stmt *st)
{
	mmp_approval *a = mmp__calloc(1, sizeof(*a));

	a->id = sqlite3_column_int64(st, 0);
	a->name = mmp_store__column_strdup(st, 1);
	a->version = sqlite3_column_int64(st, 2);
	a->decision = decision_from_text(
		(const char *)sqlite3_column_text(st, 3));
	a->reason = mmp_store__column_strdup(st, 4);
	a->actor = mmp_store__column_strdup(st, 5);
	a->manual = sqlite3_column_int(st, 6);
	a->notes = mmp_store__column_strdup(st, 7);
	a->policy = mmp_store__column_strdup(st, 8);
	a->evidence = mmp_store__column_strdup(st, 9);
	a->time = sqlite3_column_int64(st, 10);
	return a;
}

int mmp_store__reg_latest_approval(mmp_store *s, const char *name,
	int64_t version, mmp_approval **out)
{
	static const char sql[] =
		"SELECT id, name, version, decision, reason, actor, manual,"
		" notes, policy, evidence, time FROM model_approvals"
		" WHERE name = ?1 AND version = ?2 ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		*out = approval_row(st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__reg_approvals(mmp_store *s, const char *name, int pending,
	mmp_approval_list *out)
{
	mmp_buf sql = MMP_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc;

	mmp_buf_puts(&sql, approval_cols);
	mmp_buf_puts(&sql, " a WHERE (?1 IS NULL OR name = ?1)");
	if (pending)
		mmp_buf_puts(&sql, " AND decision = 'NEEDS_REVIEW' AND id ="
			" (SELECT max(id) FROM model_approvals b"
			"  WHERE b.name = a.name AND b.version = a.version)");
	mmp_buf_puts(&sql, " ORDER BY id");
	if ((rc = mmp_store__prepare_once(s, &st, sql.ptr)) < 0)
		goto done;
	mmp_store__bind_text(st, 1, name);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(out->items, out->count + 1, alloc);
		out->items[out->count++] = approval_row(st);
	}
done:
	sqlite3_finalize(st);
	mmp_buf_dispose(&sql);
	return rc < 0 ? rc : 0;
}

static int load_version_extras(mmp_store *s, mmp_model_version *v)
{
	static const char tags[] =
		"SELECT key, value FROM model_version_tags"
		" WHERE name = ?1 AND version = ?2 ORDER BY key";
	static const char aliases[] =
		"SELECT alias FROM registered_model_aliases"
		" WHERE name = ?1 AND version = ?2 ORDER BY alias";
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, tags)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, v->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, v->version);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(v->tags, v->tags_nr + 1, alloc);
		v->tags[v->tags_nr].key = mmp_store__column_strdup(st, 0);
		v->tags[v->tags_nr++].value = mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	alloc = 0;
	if ((rc = mmp_store__prepare(s, &st, aliases)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, v->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, v->version);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(v->aliases, v->aliases_nr + 1, alloc);
		v->aliases[v->aliases_nr++] = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return mmp_store__reg_latest_approval(s, v->name, v->version,
		&v->approval);
}

static const char version_cols[] =
	"SELECT name, version, creation_time, last_updated_time,"
	" description, user_id, current_stage, source, run_id, status"
	" FROM model_versions";

static mmp_model_version *version_row(mmp_store *s, sqlite3_stmt *st,
	mmp_store__stage_decode decode)
{
	mmp_model_version *v = mmp__calloc(1, sizeof(*v));
	const unsigned char *id;
	mmp_buf dir = MMP_BUF_INIT;

	v->name = mmp_store__column_strdup(st, 0);
	v->version = sqlite3_column_int64(st, 1);
	v->creation_time = sqlite3_column_int64(st, 2);
	v->last_updated_time = sqlite3_column_int64(st, 3);
	v->description = mmp_store__column_strdup(st, 4);
	v->user_id = mmp_store__column_strdup(st, 5);
	v->stage = decode((const char *)sqlite3_column_text(st, 6));
	v->source = mmp_store__column_strdup(st, 7);
	id = sqlite3_column_text(st, 8);
	snprintf(v->run_id, sizeof(v->run_id), "%s",
		id ? (const char *)id : "");
	v->status = mmp_store__column_strdup(st, 9);
	mmp_path_join(&dir, mmp_store_dir(s), v->source ? v->source : "");
	v->model_dir = mmp_buf_detach(&dir);
	return v;
}

int mmp_store__reg_version_load(mmp_store *s, const char *name,
	int64_t version, mmp_store__stage_decode decode,
	mmp_model_version **out)
{
	static const char sql[] =
		"SELECT name, version, creation_time, last_updated_time,"
		" description, user_id, current_stage, source, run_id, status"
		" FROM model_versions WHERE name = ?1 AND version = ?2";
	sqlite3_stmt *st;
	mmp_model_version *v = NULL;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		v = version_row(s, st, decode);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (!v)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no version %lld", name,
			(long long)version);
	if ((rc = load_version_extras(s, v)) < 0) {
		mmp_model_version_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int mmp_store__reg_model_load(mmp_store *s, const char *name,
	mmp_store__stage_decode decode, mmp_registered_model **out)
{
	static const char sql[] =
		"SELECT name, description, creation_time, last_updated_time,"
		" last_version FROM registered_models WHERE name = ?1";
	mmp_buf vsql = MMP_BUF_INIT;
	sqlite3_stmt *st, *vs = NULL;
	mmp_registered_model *m = NULL;
	size_t alloc = 0, i;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		m = mmp__calloc(1, sizeof(*m));
		m->name = mmp_store__column_strdup(st, 0);
		m->description = mmp_store__column_strdup(st, 1);
		m->creation_time = sqlite3_column_int64(st, 2);
		m->last_updated_time = sqlite3_column_int64(st, 3);
		m->last_version = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (!m)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"no model '%s'", name);
	mmp_buf_printf(&vsql, "%s WHERE name = ?1 ORDER BY version",
		version_cols);
	if ((rc = mmp_store__prepare_once(s, &vs, vsql.ptr)) < 0)
		goto done;
	sqlite3_bind_text(vs, 1, name, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, vs)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(m->versions, m->versions_nr + 1, alloc);
		m->versions[m->versions_nr++] = version_row(s, vs, decode);
	}
	if (rc < 0)
		goto done;
	sqlite3_finalize(vs);
	vs = NULL;
	for (i = 0; i < m->versions_nr; i++)
		if ((rc = load_version_extras(s, m->versions[i])) < 0)
			goto done;
	rc = mmp_store__reg_model_tags(s, name, &m->tags, &m->tags_nr);
done:
	sqlite3_finalize(vs);
	mmp_buf_dispose(&vsql);
	if (rc < 0)
		mmp_registered_model_free(m);
	else
		*out = m;
	return rc < 0 ? rc : 0;
}

/* --- the audit log --- */

static void audit_row(sqlite3_stmt *st, mmp_audit_entry *e)
{
	const unsigned char *t;

	e->seq = sqlite3_column_int64(st, 0);
	e->time = sqlite3_column_int64(st, 1);
	e->actor = mmp_store__column_strdup(st, 2);
	e->action = mmp_store__column_strdup(st, 3);
	e->name = mmp_store__column_strdup(st, 4);
	e->version = sqlite3_column_int64(st, 5);
	e->subject = mmp_store__column_strdup(st, 6);
	e->before = mmp_store__column_strdup(st, 7);
	e->after = mmp_store__column_strdup(st, 8);
	e->notes = mmp_store__column_strdup(st, 9);
	t = sqlite3_column_text(st, 10);
	snprintf(e->prev_hash, sizeof(e->prev_hash), "%s",
		t ? (const char *)t : "");
	t = sqlite3_column_text(st, 11);
	snprintf(e->hash, sizeof(e->hash), "%s", t ? (const char *)t : "");
}

static void audit_entry_release(mmp_audit_entry *e)
{
	free(e->actor);
	free(e->action);
	free(e->name);
	free(e->subject);
	free(e->before);
	free(e->after);
	free(e->notes);
	memset(e, 0, sizeof(*e));
}

int mmp_store__reg_audit_list(mmp_store *s, const char *name,
	int64_t since, int64_t until, mmp_audit_list *out)
{
	static const char sql[] =
		"SELECT seq, time, actor, action, name, version, subject,"
		" before, after, notes, prev_hash, hash FROM registry_audit"
		" WHERE (?1 IS NULL OR name = ?1) AND time >= ?2"
		" AND (?3 = 0 OR time < ?3) ORDER BY seq";
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	mmp_store__bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(out->items, out->count + 1, alloc);
		memset(&out->items[out->count], 0, sizeof(out->items[0]));
		audit_row(st, &out->items[out->count++]);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int head_get(mmp_store *s, int64_t *seq, char hash[65])
{
	static const char sql[] =
		"SELECT seq, hash FROM registry_audit_head WHERE id = 1";
	sqlite3_stmt *st;
	const unsigned char *t;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		t = sqlite3_column_text(st, 1);
		snprintf(hash, 65, "%s", t ? (const char *)t : "");
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc != SQLITE_ROW)
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"the audit log has lost its head record");
	return 0;
}

int mmp_store__reg_audit_head(mmp_store *s, int64_t *seq, char hash[65])
{
	return head_get(s, seq, hash);
}

#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

int mmp_store__reg_audit_verify(mmp_store *s, int64_t *out_rows)
{
	static const char sql[] =
		"SELECT seq, time, actor, action, name, version, subject,"
		" before, after, notes, prev_hash, hash FROM registry_audit"
		" ORDER BY seq";
	sqlite3_stmt *st = NULL;
	mmp_audit_entry e;
	char prev[65] = ZERO_HASH, want[65], head_hash[65];
	int64_t prev_seq = 0, rows = 0, head_seq = 0;
	int rc, err = 0;

	memset(&e, 0, sizeof(e));
	if (out_rows)
		*out_rows = 0;
	if ((rc = mmp_store__prepare_once(s, &st, sql)) < 0)
		return rc;
	while (!err && (rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		audit_row(st, &e);
		rows++;
		if (strcmp(e.prev_hash, prev))
			err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
				"audit row %lld does not follow row %lld: a "
				"row before it was deleted or changed",
				(long long)e.seq, (long long)prev_seq);
		else if (mmp_store__reg_audit_hash(want, &e),
		    strcmp(want, e.hash))
			err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
				"audit row %lld was changed: its hash does "
				"not match its contents", (long long)e.seq);
		memcpy(prev, e.hash, sizeof(prev));
		prev_seq = e.seq;
		audit_entry_release(&e);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if (err)
		return err;
	if ((rc = head_get(s, &head_seq, head_hash)) < 0)
		return rc;
	if (head_seq != prev_seq || strcmp(head_hash, prev))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"the audit log ends at row %lld but its head names "
			"row %lld: rows at the end were deleted or changed",
			(long long)prev_seq, (long long)head_seq);
	if (out_rows)
		*out_rows = rows;
	return 0;
}
