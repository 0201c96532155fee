/* SPDX-License-Identifier: MIT */
/* mirror.c: the SQL of runs mirrored from a tracking server */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "mirror-internal.h"

void mmp_store__mirror_id(char out[33], const char *origin,
	const char *remote_run_id)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	char hex[65];

	mmp_sha256_init(&c);
	mmp_sha256_update(&c, "mmp.mirror\n", 11);
	mmp_sha256_update(&c, origin, strlen(origin) + 1);
	mmp_sha256_update(&c, remote_run_id, strlen(remote_run_id));
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(hex, d);
	memcpy(out, hex, 32);
	out[32] = '\0';
}

int mmp_store__mirror_digest(char **out, mmp_store *s, const char *origin,
	const char *remote_run_id)
{
	static const char sql[] =
		"SELECT mirror_digest FROM runs WHERE origin = ?1"
		" AND remote_run_id = ?2";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, remote_run_id, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) == SQLITE_ROW)
		*out = mmp__strdup(sqlite3_column_text(st, 0) ?
			(const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

void mmp_store__mirror_state_release(struct mmp_store__mirror_state *st)
{
	free(st->digest);
	free(st->content);
	free(st->artifacts_error);
	memset(st, 0, sizeof(*st));
}

int mmp_store__mirror_state_get(struct mmp_store__mirror_state *out,
	mmp_store *s, const char *origin, const char *remote_run_id)
{
	static const char sql[] =
		"SELECT mirror_digest, mirror_content, mirror_artifacts_error"
		" FROM runs WHERE origin = ?1 AND remote_run_id = ?2";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, remote_run_id, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		out->found = 1;
		out->digest = mmp_store__column_strdup(st, 0);
		out->content = mmp_store__column_strdup(st, 1);
		out->artifacts_error = mmp_store__column_strdup(st, 2);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__mirror_is_local(int *out, mmp_store *s, int64_t remote,
	const char *remote_run_id, const char *local_tag)
{
	static const char pushed[] =
		"SELECT 1 FROM sync_runs WHERE remote_id = ?1"
		" AND remote_run_id = ?2";
	static const char own[] =
		"SELECT 1 FROM runs WHERE run_uuid = ?1 AND origin IS NULL";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = mmp_store__prepare(s, &st, pushed)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, remote_run_id, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc == SQLITE_ROW || !local_tag) {
		*out = rc == SQLITE_ROW;
		return 0;
	}
	if ((rc = mmp_store__prepare(s, &st, own)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, local_tag, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	*out = rc == SQLITE_ROW;
	return 0;
}

/* the run's rows other than the run itself, gone; its artifact rows
 * too unless `keep_artifacts` */
static int clear_rows(mmp_store *s, const char *id, int keep_artifacts)
{
	static const char *const sqls[] = {
		"DELETE FROM params WHERE run_uuid = ?1",
		"DELETE FROM tags WHERE run_uuid = ?1",
		"DELETE FROM metrics WHERE run_uuid = ?1",
		"DELETE FROM latest_metrics WHERE run_uuid = ?1",
		"DELETE FROM artifacts WHERE run_uuid = ?1",
	};
	sqlite3_stmt *st;
	size_t i;
	int err;

	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]) - !!keep_artifacts;
	    i++) {
		if ((err = mmp_store__prepare(s, &st, sqls[i])) < 0)
			return err;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
	}
	return 0;
}

static int put_kv(mmp_store *s, const char *sql, const char *id,
	const mmp_kv *kv, size_t n)
{
	sqlite3_stmt *st;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kv[i].key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, kv[i].value ? kv[i].value : "", -1,
			SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
	}
	return 0;
}

static int put_artifacts(mmp_store *s, const char *id,
	const mmp_artifact *a, size_t n)
{
	static const char ins[] =
		"INSERT INTO artifacts (run_uuid, path, size, sha256)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (run_uuid, path)"
		" DO UPDATE SET"
		" size = ?3, sha256 = ?4";
	sqlite3_stmt *st;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, ins)) < 0)
			return err;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, a[i].path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, a[i].size);
		sqlite3_bind_text(st, 4, a[i].sha256 ? a[i].sha256 : "", -1,
			SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
	}
	return 0;
}

static const char *tag_of(const struct mmp_store__mirror_run *r,
	const char *key, const char *def)
{
	size_t i;

	for (i = 0; i < r->tags_nr; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return def;
}

int mmp_store__mirror_put(mmp_store *s, const struct mmp_store__mirror_run *r,
	int *created)
{
	static const char had[] = "SELECT origin, remote_run_id FROM runs"
		" WHERE run_uuid = ?1";
	static const char ins[] =
		"INSERT INTO runs (run_uuid, experiment_id, name, status,"
		" start_time, end_time, user_id, source_name, source_type,"
		" artifact_uri, lifecycle_stage, kind, origin, remote_run_id,"
		" mirror_digest, mirror_content, mirror_artifacts_error)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, 'train', ?12, ?13, ?14, ?15, ?16)"
		" ON CONFLICT (run_uuid) DO UPDATE SET experiment_id = ?2,"
		" name = ?3, status = ?4, start_time = ?5, end_time = ?6,"
		" user_id = ?7, source_name = ?8, source_type = ?9,"
		" artifact_uri = ?10, lifecycle_stage = ?11,"
		" mirror_digest = ?14, mirror_content = ?15,"
		" mirror_artifacts_error = ?16";
	static const char param[] =
		"INSERT INTO params (run_uuid, key, value) VALUES (?1, ?2, ?3)";
	static const char tag[] =
		"INSERT INTO tags (run_uuid, key, value) VALUES (?1, ?2, ?3)";
	mmp_buf uri = MMP_BUF_INIT;
	sqlite3_stmt *st;
	int64_t exp_id;
	char id[33];
	int err, rc, existed = 0;

	if (created)
		*created = 0;
	mmp_store__mirror_id(id, r->origin, r->remote_run_id);
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, had)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = err = mmp_store__step(s, st)) < 0)
		goto done;
	if (rc == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		const char *rid = (const char *)sqlite3_column_text(st, 1);
		existed = 1;
		if (!o || strcmp(o, r->origin) || !rid ||
		    strcmp(rid, r->remote_run_id)) {
			err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
				"run '%s' of the store is not the mirror of "
				"remote run '%s'", id, r->remote_run_id);
			sqlite3_reset(st);
			goto done;
		}
	}
	sqlite3_reset(st);
	if ((err = mmp_experiment_ensure(s, r->experiment, &exp_id)) < 0)
		goto done;
	mmp_buf_printf(&uri, "artifacts/%lld/%s/artifacts",
		(long long)exp_id, id);
	if ((err = mmp_store__prepare(s, &st, ins)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, exp_id);
	sqlite3_bind_text(st, 3, r->name ? r->name : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->start_time);
	if (r->end_time > 0)
		sqlite3_bind_int64(st, 6, r->end_time);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, r->user_id ? r->user_id : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, tag_of(r, "mlflow.source.name", ""), -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, tag_of(r, "mlflow.source.type", "UNKNOWN"),
		-1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, uri.ptr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, r->lifecycle_stage, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, r->origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, r->remote_run_id, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 14, r->digest);
	mmp_store__bind_text(st, 15, r->content);
	mmp_store__bind_text(st, 16, r->artifacts_error);
	if ((err = mmp_store__step_done(s, st)) < 0)
		goto done;
	if ((err = clear_rows(s, id, r->artifacts_error != NULL)) < 0 ||
	    (err = put_kv(s, param, id, r->params, r->params_nr)) < 0 ||
	    (err = put_kv(s, tag, id, r->tags, r->tags_nr)) < 0 ||
	    (err = mmp_store__put_metrics(s, id, r->metrics,
		    r->metrics_nr, 0)) < 0 ||
	    (!r->artifacts_error && (err = put_artifacts(s, id, r->artifacts,
		    r->artifacts_nr)) < 0))
		goto done;
	err = mmp_store__commit(s);
	if (!err && created)
		*created = !existed;
done:
	if (err < 0) {
		mmp_error_prefix("cannot mirror remote run '%s'",
			r->remote_run_id);
		mmp_store__rollback(s);
	}
	mmp_buf_dispose(&uri);
	return err;
}

static int cmp_str(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

int mmp_store__mirror_unseen(char ***out, size_t *n, mmp_store *s,
	const char *origin, const char *experiment, char *const *seen,
	size_t nseen)
{
	static const char sel[] =
		"SELECT r.remote_run_id FROM runs r"
		" JOIN experiments e USING (experiment_id)"
		" WHERE r.origin = ?1 AND e.name = ?2"
		" AND r.lifecycle_stage = 'active'";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mmp_store__prepare(s, &st, sel)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, experiment, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		const char *rid = (const char *)sqlite3_column_text(st, 0);
		if (!rid || (nseen && bsearch(rid, seen, nseen,
		    sizeof(*seen), cmp_str)))
			continue;
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = mmp__strdup(rid);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__mirror_gone(mmp_store *s, const char *origin,
	const char *remote_run_id)
{
	static const char upd[] =
		"UPDATE runs SET lifecycle_stage = 'deleted',"
		" mirror_digest = NULL"
		" WHERE origin = ?1 AND remote_run_id = ?2";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, upd)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, remote_run_id, -1, SQLITE_TRANSIENT);
	return mmp_store__step_done(s, st);
}

int mmp_store__pull_page_get(char **token, mmp_store *s, int64_t remote,
	const char *exp)
{
	static const char sql[] =
		"SELECT page_token FROM sync_pull WHERE remote_id = ?1"
		" AND remote_experiment_id = ?2";
	sqlite3_stmt *st;
	int rc;

	*token = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, exp, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) == SQLITE_ROW)
		*token = mmp_store__column_strdup(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__pull_page_set(mmp_store *s, int64_t remote, const char *exp,
	const char *name, const char *token)
{
	static const char sql[] =
		"INSERT INTO sync_pull (remote_id, remote_experiment_id, name,"
		" page_token, last_pull_time) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (remote_id, remote_experiment_id) DO UPDATE"
		" SET name = ?3, page_token = ?4,"
		" last_pull_time = coalesce(?5, last_pull_time)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, remote);
	sqlite3_bind_text(st, 2, exp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 4, token);
	if (token)
		sqlite3_bind_null(st, 5);
	else
		sqlite3_bind_int64(st, 5, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

int mmp_store__pull_info_get(struct mmp_store__pull_info *out, mmp_store *s,
	int64_t remote, const char *origin)
{
	static const char exps[] =
		"SELECT count(*), count(page_token),"
		" coalesce(max(last_pull_time), 0)"
		" FROM sync_pull WHERE remote_id = ?1";
	static const char runs[] =
		"SELECT count(*),"
		" count(CASE WHEN lifecycle_stage = 'deleted' THEN 1 END),"
		" count(mirror_artifacts_error)"
		" FROM runs WHERE origin = ?1";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (remote >= 0) {
		if ((rc = mmp_store__prepare(s, &st, exps)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, remote);
		if ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
			out->experiments = (size_t)sqlite3_column_int64(st, 0);
			out->experiments_partway =
				(size_t)sqlite3_column_int64(st, 1);
			out->last_pull_time = sqlite3_column_int64(st, 2);
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	if ((rc = mmp_store__prepare(s, &st, runs)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		out->runs = (size_t)sqlite3_column_int64(st, 0);
		out->runs_deleted = (size_t)sqlite3_column_int64(st, 1);
		out->runs_artifacts_unknown =
			(size_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
