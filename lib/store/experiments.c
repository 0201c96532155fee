/* SPDX-License-Identifier: MIT */
/* experiments.c: list, create, rename, delete and restore experiments */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define NAME_MAX_LEN 500

static int check_name(const char *name)
{
	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the experiment name is empty");
	if (strlen(name) > NAME_MAX_LEN)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the experiment name '%.40s...' is longer than %d "
			"characters", name, NAME_MAX_LEN);
	return mmp_str_check_name("experiment name", name);
}

int mmp_experiments_list(mmp_experiment_list **out, mmp_store *s,
	int include_deleted)
{
	static const char sql[] =
		"SELECT e.experiment_id, e.name, e.lifecycle_stage,"
		" e.artifact_location, e.creation_time, e.last_update_time,"
		" (SELECT COUNT(*) FROM runs r WHERE r.experiment_id ="
		"  e.experiment_id AND r.lifecycle_stage = 'active'),"
		" (SELECT COUNT(*) FROM runs r WHERE r.experiment_id ="
		"  e.experiment_id AND r.lifecycle_stage = 'deleted')"
		" FROM experiments e"
		" WHERE ?1 OR e.lifecycle_stage = 'active'"
		" ORDER BY e.name";
	mmp_experiment_list *l = mmp__calloc(1, sizeof(*l));
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		goto fail;
	sqlite3_bind_int(st, 1, !!include_deleted);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_experiment *e;
		MMP_ALLOC_GROW(l->items, l->count + 1, alloc);
		e = &l->items[l->count++];
		e->id = sqlite3_column_int64(st, 0);
		e->name = mmp_store__column_strdup(st, 1);
		e->lifecycle_stage = mmp_store__column_strdup(st, 2);
		e->artifact_location = mmp_store__column_strdup(st, 3);
		e->creation_time = sqlite3_column_int64(st, 4);
		e->last_update_time = sqlite3_column_int64(st, 5);
		e->runs = sqlite3_column_int64(st, 6);
		e->deleted_runs = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	mmp_experiment_list_free(l);
	return rc;
}

void mmp_experiment_list_free(mmp_experiment_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].name);
		free(l->items[i].lifecycle_stage);
		free(l->items[i].artifact_location);
	}
	free(l->items);
	free(l);
}

static int not_found(mmp_store *s, const char *name)
{
	static const char sql[] = "SELECT name FROM experiments";
	char **names = NULL;
	const char *near;
	size_t n = 0, alloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(names, n + 1, alloc);
		names[n++] = mmp_store__column_strdup(st, 0);
	}
	sqlite3_reset(st);
	near = rc < 0 ? NULL :
		mmp_str_closest(name, (const char *const *)names, n);
	if (rc >= 0)
		rc = near ? mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
				"no experiment '%s'; did you mean '%s'?",
				name, near) :
			mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
				"no experiment '%s'", name);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int mmp_experiment_find(int64_t *out, mmp_store *s, const char *name)
{
	static const char by_name[] =
		"SELECT experiment_id FROM experiments WHERE name = ?1";
	static const char by_id[] =
		"SELECT experiment_id FROM experiments"
		" WHERE experiment_id = ?1";
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no experiment given");
	if ((rc = mmp_store__prepare(s, &st, by_name)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (mmp_parse_int64(name, &id) == 0) {
		if ((rc = mmp_store__prepare(s, &st, by_id)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		if ((rc = mmp_store__step(s, st)) < 0)
			return rc;
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) {
			*out = id;
			return 0;
		}
	}
	mmp_error_clear();
	return not_found(s, name);
}

int mmp_experiment_create(int64_t *out_id, mmp_store *s, const char *name)
{
	int64_t id;
	int err;

	if ((err = check_name(name)) < 0)
		return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if (mmp_experiment_find(&id, s, name) == 0) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
			"experiment '%s' already exists", name);
		goto done;
	}
	mmp_error_clear();
	if ((err = mmp_experiment_ensure(s, name, &id)) < 0)
		goto done;
	if (out_id)
		*out_id = id;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_experiment_rename(mmp_store *s, const char *name,
	const char *new_name)
{
	static const char sql[] =
		"UPDATE experiments SET name = ?2, last_update_time = ?3"
		" WHERE experiment_id = ?1";
	static const char taken[] =
		"SELECT 1 FROM experiments WHERE name = ?1";
	sqlite3_stmt *st;
	int64_t id;
	int err, rc;

	if ((err = check_name(new_name)) < 0)
		return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_experiment_find(&id, s, name)) < 0)
		goto done;
	if ((err = mmp_store__prepare(s, &st, taken)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, new_name, -1, SQLITE_TRANSIENT);
	rc = err = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (err < 0)
		goto done;
	if (rc == SQLITE_ROW) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
			"experiment '%s' already exists", new_name);
		goto done;
	}
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, new_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	err = mmp_store__step_done(s, st);
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

static int set_lifecycle(int64_t *out_runs, mmp_store *s, const char *name,
	int deleted)
{
	static const char running[] =
		"SELECT run_uuid FROM runs WHERE experiment_id = ?1"
		" AND status = 'RUNNING' LIMIT 1";
	static const char exp[] =
		"UPDATE experiments SET lifecycle_stage = ?2,"
		" last_update_time = ?3 WHERE experiment_id = ?1"
		" AND lifecycle_stage != ?2";
	static const char runs[] =
		"UPDATE runs SET lifecycle_stage = ?2 WHERE experiment_id = ?1"
		" AND lifecycle_stage != ?2";
	const char *want = deleted ? "deleted" : "active";
	sqlite3_stmt *st;
	int64_t id;
	int err, rc;

	if (out_runs)
		*out_runs = 0;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_experiment_find(&id, s, name)) < 0)
		goto done;
	if (deleted && id == 0) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"the Default experiment cannot be deleted");
		goto done;
	}
	if ((err = mmp_store__prepare(s, &st, running)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = err = mmp_store__step(s, st)) < 0)
		goto done;
	if (rc == SQLITE_ROW) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"run '%s' of experiment '%s' is RUNNING: wait for it "
			"to end", (const char *)sqlite3_column_text(st, 0),
			name);
		sqlite3_reset(st);
		goto done;
	}
	sqlite3_reset(st);
	if ((err = mmp_store__prepare(s, &st, exp)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	if ((err = mmp_store__step_done(s, st)) < 0)
		goto done;
	if (!sqlite3_changes(s->db)) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"experiment '%s' is %s already", name,
			deleted ? "deleted" : "active");
		goto done;
	}
	if ((err = mmp_store__prepare(s, &st, runs)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
	if ((err = mmp_store__step_done(s, st)) < 0)
		goto done;
	if (out_runs)
		*out_runs = sqlite3_changes(s->db);
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_experiment_delete(int64_t *out_runs, mmp_store *s, const char *name)
{
	return set_lifecycle(out_runs, s, name, 1);
}

int mmp_experiment_restore(int64_t *out_runs, mmp_store *s,
	const char *name)
{
	return set_lifecycle(out_runs, s, name, 0);
}
