/* SPDX-License-Identifier: MIT */
/* registry-write.c: the store's changes to the model registry and the
 * hash-chained audit log they append to */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "registry-internal.h"

int mmp_store__reg_begin(mmp_store *s)
{
	return mmp_store__begin(s);
}

int mmp_store__reg_commit(mmp_store *s)
{
	return mmp_store__commit(s);
}

void mmp_store__reg_rollback(mmp_store *s)
{
	mmp_store__rollback(s);
}

/* run a statement binding (name, version) and maybe a third text */
static int exec3(mmp_store *s, const char *sql, const char *name,
	int64_t version, const char *text)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	if (text)
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

int mmp_store__reg_version_create(mmp_store *s, const char *name,
	const char *run_id, const char *source, const char *description,
	const char *user, int64_t *out)
{
	static const char model[] =
		"INSERT INTO registered_models (name, creation_time,"
		" last_updated_time) VALUES (?1, ?2, ?2)"
		" ON CONFLICT (name) DO NOTHING";
	static const char bump[] =
		"UPDATE registered_models SET last_version = last_version + 1,"
		" last_updated_time = ?2 WHERE name = ?1"
		" RETURNING last_version";
	static const char ins[] =
		"INSERT INTO model_versions (name, version, creation_time,"
		" last_updated_time, description, user_id, source, run_id)"
		" VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st;
	int64_t now = mmp_time_ms(), v = 0;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, model)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((rc = mmp_store__prepare(s, &st, bump)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW)
		rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((rc = mmp_store__prepare(s, &st, ins)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, v);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, description ? description : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, user ? user : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, run_id, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	*out = v;
	return 0;
}

int mmp_store__reg_version_tag(mmp_store *s, const char *name,
	int64_t version, const char *key, const char *value)
{
	static const char sql[] =
		"INSERT INTO model_version_tags (name, version, key, value)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name, version, key)"
		" DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, value, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}

int mmp_store__reg_set_stage(mmp_store *s, const char *name,
	int64_t version, const char *stage)
{
	static const char sql[] =
		"UPDATE model_versions SET current_stage = ?3,"
		" last_updated_time = ?4 WHERE name = ?1 AND version = ?2";

	return exec3(s, sql, name, version, stage);
}

int mmp_store__reg_alias_put(mmp_store *s, const char *name,
	const char *alias, int64_t version)
{
	static const char put[] =
		"INSERT INTO registered_model_aliases (name, version, alias)"
		" VALUES (?1, ?2, ?3) ON CONFLICT (name, alias)"
		" DO UPDATE SET version = excluded.version";
	static const char del[] =
		"DELETE FROM registered_model_aliases"
		" WHERE name = ?1 AND ?2 = 0 AND alias = ?3";

	return exec3(s, version ? put : del, name, version, alias);
}

int mmp_store__reg_version_remove(mmp_store *s, const char *name,
	int64_t version)
{
	static const char sql[] =
		"DELETE FROM model_versions WHERE name = ?1 AND version = ?2";
	static const char touch[] =
		"UPDATE registered_models SET last_updated_time = ?4"
		" WHERE name = ?1 AND ?2 > 0";
	int rc;

	if ((rc = exec3(s, sql, name, version, NULL)) < 0)
		return rc;
	return exec3(s, touch, name, version, NULL);
}

static const char *decision_text(mmp_decision d)
{
	return mmp_decision_name(d);
}

int mmp_store__reg_approval_add(mmp_store *s, mmp_approval *a)
{
	static const char sql[] =
		"INSERT INTO model_approvals (name, version, decision, reason,"
		" actor, manual, notes, policy, evidence, time)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	sqlite3_stmt *st;
	int rc;

	if (!a->time)
		a->time = mmp_time_ms();
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a->version);
	sqlite3_bind_text(st, 3, decision_text(a->decision), -1,
		SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->reason ? a->reason : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, a->actor ? a->actor : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, a->manual);
	mmp_store__bind_text(st, 7, a->notes);
	mmp_store__bind_text(st, 8, a->policy);
	sqlite3_bind_text(st, 9, a->evidence ? a->evidence : "{}", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, a->time);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	a->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* --- the audit chain --- */

static void hash_field(mmp_sha256_ctx *c, const char *v)
{
	/* length-prefixed, so that no two rows hash the same text */
	char len[32];

	if (!v) {
		mmp_sha256_update(c, "-\n", 2);
		return;
	}
	snprintf(len, sizeof(len), "%zu:", strlen(v));
	mmp_sha256_update(c, len, strlen(len));
	mmp_sha256_update(c, v, strlen(v));
	mmp_sha256_update(c, "\n", 1);
}

void mmp_store__reg_audit_hash(char out[65], const mmp_audit_entry *e)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	char num[64];

	mmp_sha256_init(&c);
	hash_field(&c, e->prev_hash);
	snprintf(num, sizeof(num), "%lld", (long long)e->seq);
	hash_field(&c, num);
	snprintf(num, sizeof(num), "%lld", (long long)e->time);
	hash_field(&c, num);
	hash_field(&c, e->actor);
	hash_field(&c, e->action);
	hash_field(&c, e->name);
	snprintf(num, sizeof(num), "%lld", (long long)e->version);
	hash_field(&c, num);
	hash_field(&c, e->subject);
	hash_field(&c, e->before);
	hash_field(&c, e->after);
	hash_field(&c, e->notes);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out, d);
}

int mmp_store__reg_audit_add(mmp_store *s, const char *actor,
	const char *action, const char *name, int64_t version,
	const char *subject, const char *before, const char *after,
	const char *notes)
{
	static const char ins[] =
		"INSERT INTO registry_audit (seq, time, actor, action, name,"
		" version, subject, before, after, notes, prev_hash, hash)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	static const char head[] =
		"UPDATE registry_audit_head SET seq = ?1, hash = ?2"
		" WHERE id = 1";
	mmp_audit_entry e;
	sqlite3_stmt *st;
	int64_t last = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((rc = mmp_store__reg_audit_head(s, &last, e.prev_hash)) < 0)
		return rc;
	e.seq = last + 1;
	e.time = mmp_time_ms();
	e.actor = (char *)actor;
	e.action = (char *)action;
	e.name = (char *)name;
	e.version = version;
	e.subject = (char *)(subject ? subject : "");
	e.before = (char *)before;
	e.after = (char *)after;
	e.notes = (char *)notes;
	mmp_store__reg_audit_hash(e.hash, &e);

	if ((rc = mmp_store__prepare(s, &st, ins)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_int64(st, 2, e.time);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, version);
	sqlite3_bind_text(st, 7, e.subject, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 8, before);
	mmp_store__bind_text(st, 9, after);
	mmp_store__bind_text(st, 10, notes);
	sqlite3_bind_text(st, 11, e.prev_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, e.hash, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((rc = mmp_store__prepare(s, &st, head)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_text(st, 2, e.hash, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}
