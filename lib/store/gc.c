/* SPDX-License-Identifier: MIT */
/* gc.c: remove deleted runs and experiments, rows and artifacts, for good */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"
#include "sync-internal.h"


/* why deleted run `g` must stay, or leave g->refused NULL */
static int check_run(mmp_store *s, mmp_gc_run *g)
{
	static const char versions[] =
		"SELECT name, version FROM model_versions WHERE run_id = ?1"
		" ORDER BY name, version LIMIT 1";
	static const char children[] =
		"SELECT run_uuid FROM runs WHERE parent_run_id = ?1"
		" AND lifecycle_stage = 'active' LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, versions)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, g->run_id, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		mmp_buf b = MMP_BUF_INIT;
		mmp_buf_printf(&b, "model '%s' version %lld was registered "
			"from it", (const char *)sqlite3_column_text(st, 0),
			(long long)sqlite3_column_int64(st, 1));
		g->refused = mmp_buf_detach(&b);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if ((rc = mmp_store__prepare(s, &st, children)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, g->run_id, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		mmp_buf b = MMP_BUF_INIT;
		mmp_buf_printf(&b, "its child run %.8s is not deleted",
			(const char *)sqlite3_column_text(st, 0));
		g->refused = mmp_buf_detach(&b);
	}
	sqlite3_reset(st);
	return 0;
}

static int collect(mmp_gc_result *out, mmp_store *s)
{
	static const char runs[] =
		"SELECT r.run_uuid, r.name, e.name, r.artifact_uri,"
		" r.experiment_id,"
		" (SELECT COALESCE(SUM(size), 0) FROM artifacts a"
		"  WHERE a.run_uuid = r.run_uuid)"
		" FROM runs r JOIN experiments e USING (experiment_id)"
		" WHERE r.lifecycle_stage = 'deleted'"
		" ORDER BY r.start_time, r.run_uuid";
	static const char exps[] =
		"SELECT e.experiment_id, e.name FROM experiments e"
		" WHERE e.lifecycle_stage = 'deleted' ORDER BY e.name";
	static const char left[] =
		"SELECT COUNT(*) FROM runs WHERE experiment_id = ?1";
	sqlite3_stmt *st;
	size_t alloc = 0, i, j;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, runs)) < 0)
		return rc;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_gc_run *g;
		MMP_ALLOC_GROW(out->runs, out->runs_nr + 1, alloc);
		g = &out->runs[out->runs_nr++];
		memset(g, 0, sizeof(*g));
		memcpy(g->run_id, sqlite3_column_text(st, 0), 32);
		g->run_id[32] = '\0';
		g->name = mmp_store__column_strdup(st, 1);
		g->experiment = mmp_store__column_strdup(st, 2);
		g->artifact_uri = mmp_store__column_strdup(st, 3);
		g->experiment_id = sqlite3_column_int64(st, 4);
		g->bytes = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	for (i = 0; i < out->runs_nr; i++) {
		if ((rc = check_run(s, &out->runs[i])) < 0)
			return rc;
		if (out->runs[i].refused) {
			out->refused++;
		} else {
			out->removed++;
			out->bytes += out->runs[i].bytes;
		}
	}

	alloc = 0;
	if ((rc = mmp_store__prepare(s, &st, exps)) < 0)
		return rc;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(out->experiments, out->experiments_nr + 1,
			alloc);
		out->experiments[out->experiments_nr].id =
			sqlite3_column_int64(st, 0);
		out->experiments[out->experiments_nr++].name =
			mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* an experiment goes only when none of its runs stays */
	for (i = 0; i < out->experiments_nr; i++) {
		mmp_gc_experiment *e = &out->experiments[i];
		int64_t n, going = 0;
		if ((rc = mmp_store__prepare(s, &st, left)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, e->id);
		if ((rc = mmp_store__step(s, st)) < 0)
			return rc;
		n = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		for (j = 0; j < out->runs_nr; j++)
			if (!out->runs[j].refused &&
			    out->runs[j].experiment_id == e->id)
				going++;
		e->refused = n != going || e->id == 0;
	}
	return 0;
}

static int remove_rows(mmp_store *s, const mmp_gc_result *r)
{
	static const char trials[] =
		"UPDATE trials SET run_uuid = NULL WHERE run_uuid = ?1";
	static const char run[] = "DELETE FROM runs WHERE run_uuid = ?1";
	static const char exp[] =
		"DELETE FROM experiments WHERE experiment_id = ?1";
	sqlite3_stmt *st;
	char num[32];
	size_t i;
	int err;

	/* parents and children go together: check the keys at commit */
	if ((err = mmp_store__exec(s, "PRAGMA defer_foreign_keys = ON")) < 0)
		return err;
	for (i = 0; i < r->runs_nr; i++) {
		if (r->runs[i].refused)
			continue;
		if ((err = mmp_store__prepare(s, &st, trials)) < 0)
			return err;
		sqlite3_bind_text(st, 1, r->runs[i].run_id, -1,
			SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0)
			return err;
		if ((err = mmp_store__prepare(s, &st, run)) < 0)
			return err;
		sqlite3_bind_text(st, 1, r->runs[i].run_id, -1,
			SQLITE_TRANSIENT);
		if ((err = mmp_store__step_done(s, st)) < 0 ||
		    (err = mmp_store__sync_forget_subject(s,
		    r->runs[i].run_id)) < 0)
			return err;
	}
	for (i = 0; i < r->experiments_nr; i++) {
		if (r->experiments[i].refused)
			continue;
		if ((err = mmp_store__prepare(s, &st, exp)) < 0)
			return err;
		sqlite3_bind_int64(st, 1, r->experiments[i].id);
		snprintf(num, sizeof(num), "%lld",
			(long long)r->experiments[i].id);
		if ((err = mmp_store__step_done(s, st)) < 0 ||
		    (err = mmp_store__sync_forget_subject(s, num)) < 0)
			return err;
	}
	return 0;
}

/* the run's directory: artifact_uri less its last component */
static void remove_files(mmp_store *s, const mmp_gc_result *r)
{
	mmp_buf dir = MMP_BUF_INIT, up = MMP_BUF_INIT;
	char num[32];
	size_t i;

	for (i = 0; i < r->runs_nr; i++) {
		const char *u = r->runs[i].artifact_uri;
		if (r->runs[i].refused || !u || !*u)
			continue;
		mmp_buf_clear(&dir);
		mmp_path_join(&dir, mmp_store_dir(s), u);
		mmp_buf_clear(&up);
		mmp_path_dirname(&up, dir.ptr);
		/* only ever below <store>/artifacts/<exp>/<this run id> */
		if (mmp_str_ends_with(up.ptr, r->runs[i].run_id) &&
		    mmp_rm_rf(up.ptr) < 0)
			mmp_error_clear();
	}
	for (i = 0; i < r->experiments_nr; i++) {
		if (r->experiments[i].refused)
			continue;
		snprintf(num, sizeof(num), "artifacts/%lld",
			(long long)r->experiments[i].id);
		mmp_buf_clear(&dir);
		mmp_path_join(&dir, mmp_store_dir(s), num);
		(void)rmdir(dir.ptr);
	}
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&up);
}

int mmp_store_gc(mmp_gc_result *out, mmp_store *s, int dry_run)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	err = collect(out, s);
	if (err < 0) {
		mmp_store__rollback(s);
		mmp_gc_result_release(out);
		return err;
	}
	if (!dry_run && (out->removed || out->experiments_nr) &&
	    (err = remove_rows(s, out)) < 0) {
		mmp_store__rollback(s);
		mmp_gc_result_release(out);
		return err;
	}
	if ((err = mmp_store__commit(s)) < 0) {
		mmp_gc_result_release(out);
		return err;
	}
	if (!dry_run)
		remove_files(s, out);
	return 0;
}

void mmp_gc_result_release(mmp_gc_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->runs_nr; i++) {
		free(r->runs[i].name);
		free(r->runs[i].experiment);
		free(r->runs[i].artifact_uri);
		free(r->runs[i].refused);
	}
	free(r->runs);
	for (i = 0; i < r->experiments_nr; i++)
		free(r->experiments[i].name);
	free(r->experiments);
	memset(r, 0, sizeof(*r));
}
