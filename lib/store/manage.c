/* SPDX-License-Identifier: MIT */
/* manage.c: a user's changes to ended runs: delete, restore, tag, rename */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define NAME_MAX_LEN 500
#define TAG_VALUE_MAX 8000

/*
 * Every change here refuses a RUNNING run: its own process still writes
 * to it, and a tag or name changed under it would be overwritten or,
 * worse, a deleted run would keep growing. A dead run is reaped (marked
 * FAILED) when the store opens, so only live runs are refused.
 */
static int run_state(mmp_store *s, const char *run, char **stage,
	int64_t *exp_id)
{
	static const char sql[] =
		"SELECT status, lifecycle_stage, experiment_id, origin,"
		" remote_run_id FROM runs WHERE run_uuid = ?1";
	sqlite3_stmt *st;
	int rc, running;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", run);
	}
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		rc = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"run '%s' is a read-only mirror of run '%s' of %s: "
			"change it there, then 'mmp sync --pull'", run,
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 3));
		sqlite3_reset(st);
		return rc;
	}
	running = !strcmp((const char *)sqlite3_column_text(st, 0),
		"RUNNING");
	if (stage)
		*stage = mmp_store__column_strdup(st, 1);
	if (exp_id)
		*exp_id = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	if (running) {
		if (stage) {
			free(*stage);
			*stage = NULL;
		}
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"run '%s' is RUNNING: wait for it to end (or, when "
			"its process is gone, 'mmp runs mark-failed' it)",
			run);
	}
	return 0;
}

static int experiment_is_deleted(mmp_store *s, int64_t id, char **name)
{
	static const char sql[] =
		"SELECT name, lifecycle_stage = 'deleted' FROM experiments"
		" WHERE experiment_id = ?1";
	sqlite3_stmt *st;
	int rc, deleted = 0;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		deleted = sqlite3_column_int(st, 1);
		*name = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	return deleted;
}

static int set_lifecycle(int *out_changed, mmp_store *s, const char *run,
	int deleted)
{
	static const char sql[] =
		"UPDATE runs SET lifecycle_stage = ?2 WHERE run_uuid = ?1";
	const char *want = deleted ? "deleted" : "active";
	char *stage = NULL, *exp = NULL;
	sqlite3_stmt *st;
	int64_t exp_id = 0;
	int err;

	if (out_changed)
		*out_changed = 0;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = run_state(s, run, &stage, &exp_id)) < 0)
		goto done;
	if (!strcmp(stage, want))
		goto done;
	if (!deleted) {
		if ((err = experiment_is_deleted(s, exp_id, &exp)) < 0)
			goto done;
		if (err) {
			err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
				"run '%s' belongs to the deleted experiment "
				"'%s': restore the experiment first", run,
				exp);
			goto done;
		}
	}
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
	if ((err = mmp_store__step_done(s, st)) < 0)
		goto done;
	if (out_changed)
		*out_changed = 1;
done:
	free(stage);
	free(exp);
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_run_delete(int *out_changed, mmp_store *s, const char *run)
{
	return set_lifecycle(out_changed, s, run, 1);
}

int mmp_run_restore(int *out_changed, mmp_store *s, const char *run)
{
	return set_lifecycle(out_changed, s, run, 0);
}

/* keys a user may not set or unset by hand: they follow other state */
static int check_user_key(const char *key)
{
	static const char *const fixed[] = { "mlflow.runName", "mmp.run_id",
		"mlflow.parentRunId", NULL };
	size_t i;

	for (i = 0; fixed[i]; i++)
		if (!strcmp(key, fixed[i]))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"tag '%s' follows the run itself and cannot "
				"be changed by hand%s", key,
				i == 0 ? " (use 'mmp runs rename')" : "");
	return 0;
}

int mmp_run_edit_tags(mmp_store *s, const char *run, const mmp_kv *set,
	size_t nset, const char *const *unset, size_t nunset)
{
	static const char put[] =
		"INSERT INTO tags (run_uuid, key, value) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (run_uuid, key) DO UPDATE SET value = ?3";
	static const char del[] =
		"DELETE FROM tags WHERE run_uuid = ?1 AND key = ?2";
	sqlite3_stmt *st;
	size_t i;
	int err;

	for (i = 0; i < nset; i++) {
		if ((err = mmp_store__check_key("tag", set[i].key)) < 0 ||
		    (err = check_user_key(set[i].key)) < 0)
			return err;
		if (!set[i].value || strlen(set[i].value) > TAG_VALUE_MAX)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the value of tag '%s' is longer than %d "
				"bytes", set[i].key, TAG_VALUE_MAX);
	}
	for (i = 0; i < nunset; i++)
		if ((err = mmp_store__check_key("tag", unset[i])) < 0 ||
		    (err = check_user_key(unset[i])) < 0)
			return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = run_state(s, run, NULL, NULL)) < 0)
		goto done;
	for (i = 0; i < nunset; i++) {
		if ((err = mmp_store__prepare(s, &st, del)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, unset[i], -1, SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			goto done;
		if (!sqlite3_changes(s->db)) {
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
				"run '%s' has no tag '%s'", run, unset[i]);
			goto done;
		}
	}
	for (i = 0; i < nset; i++) {
		if ((err = mmp_store__prepare(s, &st, put)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, set[i].key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, set[i].value, -1, SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			goto done;
	}
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_run_rename(mmp_store *s, const char *run, const char *name)
{
	static const char taken[] =
		"SELECT run_uuid FROM runs WHERE name = ?1 AND run_uuid != ?2";
	static const char upd[] =
		"UPDATE runs SET name = ?2 WHERE run_uuid = ?1";
	static const char tag[] =
		"INSERT INTO tags (run_uuid, key, value)"
		" VALUES (?1, 'mlflow.runName', ?2)"
		" ON CONFLICT (run_uuid, key) DO UPDATE SET value = ?2";
	sqlite3_stmt *st;
	int err, rc;

	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the new run name is empty");
	if (strlen(name) > NAME_MAX_LEN)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the run name '%.40s...' is longer than %d "
			"characters", name, NAME_MAX_LEN);
	if ((err = mmp_str_check_name("run name", name)) < 0)
		return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = run_state(s, run, NULL, NULL)) < 0)
		goto done;
	if ((err = mmp_store__prepare(s, &st, taken)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, run, -1, SQLITE_TRANSIENT);
	if ((rc = err = mmp_store__step(s, st)) < 0)
		goto done;
	if (rc == SQLITE_ROW) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
			"run %.8s is already named '%s': two runs of one "
			"name make 'mmp runs show %s' ambiguous",
			(const char *)sqlite3_column_text(st, 0), name, name);
		sqlite3_reset(st);
		goto done;
	}
	sqlite3_reset(st);
	if ((err = mmp_store__prepare(s, &st, upd)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	if ((err = mmp_store__step_done(s, st)) < 0)
		goto done;
	if ((err = mmp_store__prepare(s, &st, tag)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	err = mmp_store__step_done(s, st);
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}
