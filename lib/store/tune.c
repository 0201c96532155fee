/* SPDX-License-Identifier: MIT */
/* tune.c: studies and trials in the store: create, claim, record, read */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"
#include "tune-internal.h"

static const char *const state_names[] = {
	"RUNNING", "COMPLETE", "PRUNED", "FAIL"
};

const char *mmp_trial_state_name(mmp_trial_state st)
{
	return (unsigned)st < ARRAY_SIZE(state_names) ? state_names[st] :
		"UNKNOWN";
}

static mmp_trial_state parse_state(const char *s)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(state_names[i], s))
			return (mmp_trial_state)i;
	return MMP_TRIAL_FAIL;
}

static void bind_double(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

static double column_double(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, i);
}

int mmp_store__study_create(mmp_store *s,
	const struct mmp_store__study_new *n, int64_t *out_id)
{
	static const char sql[] =
		"INSERT INTO studies (name, recipe_path, recipe_name, metric,"
		" direction, sampler, pruner, seed, max_parallel, n_trials,"
		" space, dataset_digest, creation_time, last_update_time)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?13)";
	sqlite3_stmt *st;
	int err;

	if (!n->name || !*n->name || strlen(n->name) > 250)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"invalid study name '%s'", n->name ? n->name : "");
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, n->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, n->recipe_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, n->recipe_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, n->metric, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, n->maximize ? "maximize" : "minimize", -1,
		SQLITE_STATIC);
	sqlite3_bind_text(st, 6, n->sampler, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, n->pruner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, n->seed);
	sqlite3_bind_int64(st, 9, n->max_parallel);
	sqlite3_bind_int64(st, 10, n->target);
	sqlite3_bind_text(st, 11, n->space, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, n->dataset_digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 13, mmp_time_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = sqlite3_extended_errcode(s->db);
		sqlite3_reset(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE)
			err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
				"a study named '%s' exists already", n->name);
		else
			err = mmp_store__error(s, rc, "cannot create a study");
		goto done;
	}
	*out_id = sqlite3_last_insert_rowid(s->db);
	err = mmp_store__commit(s);
done:
	if (err < 0)
		mmp_store__rollback(s);
	return err;
}

int mmp_store__study_read(mmp_store *s, const char *name, mmp_study **out)
{
	static const char sql[] =
		"SELECT study_id, name, recipe_path, recipe_name, metric,"
		" direction, sampler, pruner, seed, max_parallel, n_trials,"
		" space, dataset_digest, creation_time FROM studies"
		" WHERE name = ?1";
	sqlite3_stmt *st;
	mmp_study *sd;
	char *digest;
	int err, rc;

	*out = NULL;
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no study '%s'", name);
	}
	sd = mmp__calloc(1, sizeof(*sd));
	sd->id = sqlite3_column_int64(st, 0);
	sd->name = mmp_store__column_strdup(st, 1);
	sd->recipe_path = mmp_store__column_strdup(st, 2);
	sd->recipe_name = mmp_store__column_strdup(st, 3);
	sd->metric = mmp_store__column_strdup(st, 4);
	sd->maximize = !strcmp((const char *)sqlite3_column_text(st, 5),
		"maximize");
	sd->sampler = mmp_store__column_strdup(st, 6);
	sd->pruner = mmp_store__column_strdup(st, 7);
	sd->seed = sqlite3_column_int64(st, 8);
	sd->max_parallel = sqlite3_column_int64(st, 9);
	sd->target = sqlite3_column_int64(st, 10);
	sd->space = mmp_store__column_strdup(st, 11);
	digest = mmp_store__column_strdup(st, 12);
	snprintf(sd->dataset_digest, sizeof(sd->dataset_digest), "%s",
		digest ? digest : "");
	free(digest);
	sd->creation_time = sqlite3_column_int64(st, 13);
	sd->best = -1;
	sqlite3_reset(st);
	*out = sd;
	return 0;
}

int mmp_store__study_add_target(mmp_store *s, int64_t study, int64_t add)
{
	static const char sql[] =
		"UPDATE studies SET n_trials = n_trials + ?2,"
		" last_update_time = ?3 WHERE study_id = ?1";
	sqlite3_stmt *st;
	int err;

	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, study);
	sqlite3_bind_int64(st, 2, add);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

static mmp_trial *find_trial(mmp_study *sd, size_t from, int64_t number)
{
	size_t i;

	for (i = from; i < sd->ntrials; i++)
		if (sd->trials[i].number == number)
			return &sd->trials[i];
	return NULL;
}

int mmp_store__trials_read(mmp_store *s, mmp_study *sd, int64_t lo,
	int64_t hi, int all, int with_steps)
{
	static const char trials[] =
		"SELECT number, state, value, run_uuid, start_time, end_time,"
		" duration, attempts, retry, error FROM trials"
		" WHERE study_id = ?1 AND number BETWEEN ?2 AND ?3"
		" AND (?4 OR state IN ('COMPLETE', 'PRUNED')"
		"  OR (state = 'FAIL' AND retry = 0))"
		" ORDER BY number";
	static const char params[] =
		"SELECT p.number, p.name, p.value, p.internal"
		" FROM trial_params p"
		" JOIN trials t USING (study_id, number)"
		" WHERE p.study_id = ?1 AND p.number BETWEEN ?2 AND ?3"
		" AND (?4 OR t.state IN ('COMPLETE', 'PRUNED')"
		"  OR (t.state = 'FAIL' AND t.retry = 0))"
		" ORDER BY p.number, p.idx";
	static const char values[] =
		"SELECT v.number, v.step, v.value FROM trial_values v"
		" JOIN trials t USING (study_id, number)"
		" WHERE v.study_id = ?1 AND v.number BETWEEN ?2 AND ?3"
		" AND (?4 OR t.state IN ('COMPLETE', 'PRUNED')"
		"  OR (t.state = 'FAIL' AND t.retry = 0))"
		" ORDER BY v.number, v.step";
	size_t alloc = sd->ntrials, first = sd->ntrials;
	sqlite3_stmt *st;
	mmp_trial *t = NULL;
	int err, rc;

	if ((err = mmp_store__prepare(s, &st, trials)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, sd->id);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int(st, 4, all);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		char *run;
		MMP_ALLOC_GROW(sd->trials, sd->ntrials + 1, alloc);
		t = &sd->trials[sd->ntrials++];
		memset(t, 0, sizeof(*t));
		t->number = sqlite3_column_int64(st, 0);
		t->state = parse_state((const char *)sqlite3_column_text(st,
			1));
		t->value = column_double(st, 2);
		run = mmp_store__column_strdup(st, 3);
		snprintf(t->run_id, sizeof(t->run_id), "%s", run ? run : "");
		free(run);
		t->start_time = sqlite3_column_int64(st, 4);
		t->end_time = sqlite3_column_int64(st, 5);
		t->duration = sqlite3_column_double(st, 6);
		t->attempts = sqlite3_column_int(st, 7);
		t->retry = sqlite3_column_int(st, 8);
		t->error = mmp_store__column_strdup(st, 9);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;

	if ((err = mmp_store__prepare(s, &st, params)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, sd->id);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int(st, 4, all);
	t = NULL;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		int64_t num = sqlite3_column_int64(st, 0);
		mmp_trial_param *p;
		if (!t || t->number != num)
			t = find_trial(sd, first, num);
		if (!t)
			continue;
		t->params = mmp__reallocarray(t->params, t->nparams + 1,
			sizeof(*t->params));
		p = &t->params[t->nparams++];
		p->name = mmp_store__column_strdup(st, 1);
		p->value = mmp_store__column_strdup(st, 2);
		p->internal = sqlite3_column_double(st, 3);
	}
	sqlite3_reset(st);
	if (rc < 0 || !with_steps)
		return rc < 0 ? rc : 0;

	if ((err = mmp_store__prepare(s, &st, values)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, sd->id);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int(st, 4, all);
	t = NULL;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		int64_t num = sqlite3_column_int64(st, 0);
		int64_t step = sqlite3_column_int64(st, 1);
		size_t i;
		if (!t || t->number != num)
			t = find_trial(sd, first, num);
		if (!t || step < 0 || step > 100000000)
			continue;
		if ((size_t)step >= t->nsteps) {
			t->steps = mmp__reallocarray(t->steps, (size_t)step + 1,
				sizeof(double));
			for (i = t->nsteps; i <= (size_t)step; i++)
				t->steps[i] = NAN;
			t->nsteps = (size_t)step + 1;
		}
		t->steps[step] = column_double(st, 2);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__trial_claim(mmp_store *s, int64_t study, int64_t target,
	int64_t window, int64_t *number, int *retried)
{
	static const char sel[] =
		"SELECT number, state, retry FROM trials WHERE study_id = ?1"
		" ORDER BY number";
	static const char ins[] =
		"INSERT INTO trials (study_id, number, state, start_time, pid,"
		" pid_start, hostname, heartbeat_time)"
		" VALUES (?1, ?2, 'RUNNING', ?3, ?4, ?5, ?6, ?3)";
	static const char upd[] =
		"UPDATE trials SET state = 'RUNNING', value = NULL,"
		" run_uuid = NULL, attempts = attempts + 1, retry = 0,"
		" error = NULL, start_time = ?3, end_time = NULL,"
		" duration = NULL, pid = ?4, pid_start = ?5, hostname = ?6,"
		" heartbeat_time = ?3 WHERE study_id = ?1 AND number = ?2";
	static const char del_p[] =
		"DELETE FROM trial_params WHERE study_id = ?1 AND number = ?2";
	static const char del_v[] =
		"DELETE FROM trial_values WHERE study_id = ?1 AND number = ?2";
	sqlite3_stmt *st;
	int64_t next = 0, cand = -1, min_running = -1;
	int err, rc, retry = 0, ret;

	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sel)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, study);
	/* the first gap, or the first trial whose process died */
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		int64_t num = sqlite3_column_int64(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		int r = sqlite3_column_int(st, 2);

		if (cand < 0 && num > next)
			cand = next;
		if (cand < 0 && !strcmp(state, "FAIL") && r) {
			cand = num;
			retry = 1;
		}
		if (!strcmp(state, "RUNNING") && min_running < 0)
			min_running = num;
		next = num + 1;
	}
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	if (cand < 0)
		cand = next;
	if (cand >= target) {
		ret = MMP_STORE_CLAIM_NONE;
		goto release;
	}
	/* trials numbered cand - window and below must be over (tune.h) */
	if (min_running >= 0 && min_running <= cand - window) {
		ret = MMP_STORE_CLAIM_WAIT;
		goto release;
	}
	if ((err = mmp_store__prepare(s, &st, retry ? upd : ins)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, study);
	sqlite3_bind_int64(st, 2, cand);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	sqlite3_bind_int64(st, 4, (int64_t)getpid());
	sqlite3_bind_int64(st, 5, mmp_store__pid_start((int64_t)getpid()));
	sqlite3_bind_text(st, 6, s->hostname, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	if (retry) {
		const char *dels[] = { del_p, del_v };
		size_t i;
		for (i = 0; i < 2; i++) {
			if ((err = mmp_store__prepare(s, &st, dels[i])) < 0)
				goto done;
			sqlite3_bind_int64(st, 1, study);
			sqlite3_bind_int64(st, 2, cand);
			rc = mmp_store__step(s, st);
			sqlite3_reset(st);
			if (rc < 0) {
				err = rc;
				goto done;
			}
		}
	}
	*number = cand;
	*retried = retry;
	ret = MMP_STORE_CLAIM_OK;
release:
	if ((err = mmp_store__commit(s)) < 0)
		goto done;
	return ret;
done:
	mmp_store__rollback(s);
	return err;
}

int mmp_store__trial_begin(mmp_store *s, int64_t study, int64_t number,
	const char *run_id, const mmp_trial_param *params, size_t n)
{
	static const char upd[] =
		"UPDATE trials SET run_uuid = ?3 WHERE study_id = ?1"
		" AND number = ?2";
	static const char ins[] =
		"INSERT INTO trial_params (study_id, number, idx, name, value,"
		" internal) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st;
	size_t i;
	int err, rc;

	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, upd)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, study);
	sqlite3_bind_int64(st, 2, number);
	mmp_store__bind_text(st, 3, run_id && *run_id ? run_id : NULL);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, ins)) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, study);
		sqlite3_bind_int64(st, 2, number);
		sqlite3_bind_int64(st, 3, (int64_t)i);
		sqlite3_bind_text(st, 4, params[i].name, -1,
			SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, params[i].value, -1,
			SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 6, params[i].internal);
		rc = mmp_store__step(s, st);
		sqlite3_reset(st);
		if (rc < 0) {
			err = rc;
			goto done;
		}
	}
	err = mmp_store__commit(s);
done:
	if (err < 0)
		mmp_store__rollback(s);
	return err;
}

int mmp_store__trial_heartbeat(mmp_store *s, int64_t study, int64_t number)
{
	static const char sql[] =
		"UPDATE trials SET heartbeat_time = ?3 WHERE study_id = ?1"
		" AND number = ?2";
	sqlite3_stmt *st;
	int err;

	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, study);
	sqlite3_bind_int64(st, 2, number);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	return mmp_store__step_done(s, st);
}

int mmp_store__trial_end(mmp_store *s, int64_t study, int64_t number,
	mmp_trial_state state, double value, const char *error, int retry,
	double duration, const double *steps, size_t nsteps)
{
	static const char upd[] =
		"UPDATE trials SET state = ?3, value = ?4, error = ?5,"
		" retry = ?6, end_time = ?7, duration = ?8"
		" WHERE study_id = ?1 AND number = ?2";
	static const char ins[] =
		"INSERT OR REPLACE INTO trial_values (study_id, number, step,"
		" value) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st;
	size_t i;
	int err, rc;

	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, upd)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, study);
	sqlite3_bind_int64(st, 2, number);
	sqlite3_bind_text(st, 3, mmp_trial_state_name(state), -1,
		SQLITE_STATIC);
	bind_double(st, 4, value);
	mmp_store__bind_text(st, 5, error);
	sqlite3_bind_int(st, 6, retry);
	sqlite3_bind_int64(st, 7, mmp_time_ms());
	sqlite3_bind_double(st, 8, duration);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	for (i = 0; i < nsteps; i++) {
		if (isnan(steps[i]))
			continue;
		if ((err = mmp_store__prepare(s, &st, ins)) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, study);
		sqlite3_bind_int64(st, 2, number);
		sqlite3_bind_int64(st, 3, (int64_t)i);
		sqlite3_bind_double(st, 4, steps[i]);
		rc = mmp_store__step(s, st);
		sqlite3_reset(st);
		if (rc < 0) {
			err = rc;
			goto done;
		}
	}
	err = mmp_store__commit(s);
done:
	if (err < 0)
		mmp_store__rollback(s);
	return err;
}

int mmp_store__trials_fail_dead(mmp_store *s, int64_t study, size_t *count)
{
	static const char sel[] =
		"SELECT number, pid, pid_start, hostname, heartbeat_time,"
		" run_uuid FROM trials WHERE study_id = ?1"
		" AND state = 'RUNNING'";
	static const char upd[] =
		"UPDATE trials SET state = 'FAIL', retry = 1, end_time = ?3,"
		" error = ?4 WHERE study_id = ?1 AND number = ?2"
		" AND state = 'RUNNING'";
	sqlite3_stmt *st;
	int64_t *dead = NULL, now = mmp_time_ms();
	char **runs = NULL;
	mmp_buf why = MMP_BUF_INIT;
	size_t n = 0, alloc = 0, i;
	int err, rc;

	*count = 0;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sel)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, study);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 3);
		if (!mmp_store__run_is_dead(s, sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), host,
		    sqlite3_column_int64(st, 4), now))
			continue;
		MMP_ALLOC_GROW(dead, n + 1, alloc);
		runs = mmp__reallocarray(runs, alloc, sizeof(char *));
		dead[n] = sqlite3_column_int64(st, 0);
		runs[n++] = mmp_store__column_strdup(st, 5);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, upd)) < 0)
			goto done;
		mmp_buf_clear(&why);
		mmp_buf_puts(&why, "the process running it died");
		sqlite3_bind_int64(st, 1, study);
		sqlite3_bind_int64(st, 2, dead[i]);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_text(st, 4, why.ptr, -1, SQLITE_TRANSIENT);
		rc = mmp_store__step(s, st);
		sqlite3_reset(st);
		if (rc < 0) {
			err = rc;
			goto done;
		}
	}
	err = mmp_store__commit(s);
	if (!err)
		*count = n;
done:
	if (err < 0)
		mmp_store__rollback(s);
	for (i = 0; i < n; i++)
		free(runs[i]);
	free(runs);
	free(dead);
	mmp_buf_dispose(&why);
	return err;
}

int mmp_store__tune_begin(mmp_store *s)
{
	return mmp_store__begin(s);
}

int mmp_store__tune_commit(mmp_store *s)
{
	return mmp_store__commit(s);
}

void mmp_store__tune_rollback(mmp_store *s)
{
	mmp_store__rollback(s);
}

int mmp_store__study_names(mmp_store *s, char ***out, size_t *count)
{
	static const char sql[] =
		"SELECT name FROM studies ORDER BY study_id";
	sqlite3_stmt *st;
	char **names = mmp__calloc(1, sizeof(char *));
	size_t n = 0;
	int err, rc;

	*out = NULL;
	*count = 0;
	if ((err = mmp_store__prepare(s, &st, sql)) < 0) {
		free(names);
		return err;
	}
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		names = mmp__reallocarray(names, n + 2, sizeof(char *));
		names[n++] = mmp_store__column_strdup(st, 0);
		names[n] = NULL;
	}
	sqlite3_reset(st);
	if (rc < 0) {
		mmp_study_names_free(names);
		return rc;
	}
	*out = names;
	*count = n;
	return 0;
}

void mmp_study_names_free(char **names)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

void mmp_study_free(mmp_study *sd)
{
	size_t i, j;

	if (!sd)
		return;
	for (i = 0; i < sd->ntrials; i++) {
		mmp_trial *t = &sd->trials[i];
		for (j = 0; j < t->nparams; j++) {
			free(t->params[j].name);
			free(t->params[j].value);
		}
		free(t->params);
		free(t->steps);
		free(t->error);
	}
	free(sd->trials);
	for (i = 0; i < sd->nparams; i++)
		free(sd->param_names[i]);
	free(sd->param_names);
	free(sd->importance);
	free(sd->name);
	free(sd->recipe_path);
	free(sd->recipe_name);
	free(sd->metric);
	free(sd->sampler);
	free(sd->pruner);
	free(sd->space);
	free(sd);
}
