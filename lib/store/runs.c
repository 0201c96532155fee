/* SPDX-License-Identifier: MIT */
/* runs.c: experiments and runs: start, log, end, resolve, read, reap */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"

#define KEY_MAX 250
#define NAME_MAX_LEN 500
#define PARAM_VALUE_MAX 6000
#define TAG_VALUE_MAX 8000

/* --- validation --- */

int mmp_store__check_key(const char *what, const char *key)
{
	const char *p;

	if (!key || !*key)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid %s key: the key is empty", what);
	if (strlen(key) > KEY_MAX)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid %s key '%.40s...': longer than %d characters",
			what, key, KEY_MAX);
	for (p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-. /", *p))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"invalid %s key '%s': keys may only contain "
				"letters, digits, '_', '-', '.', ' ' and '/'",
				what, key);
	if (key[0] == '/' || strstr(key, "..") || strstr(key, "//"))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid %s key '%s': not a relative path without "
			"'..'", what, key);
	return 0;
}

static int check_name(const char *what, const char *name)
{
	mmp_buf b = MMP_BUF_INIT;
	int err;

	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the %s name is empty", what);
	if (strlen(name) > NAME_MAX_LEN)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the %s name '%.40s...' is longer than %d characters",
			what, name, NAME_MAX_LEN);
	mmp_buf_printf(&b, "%s name", what);
	err = mmp_str_check_name(b.ptr, name);
	mmp_buf_dispose(&b);
	return err;
}

static int is_hex_id(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return s[len] == '\0';
}

int mmp_store__run_exists(mmp_store *s, const char *run)
{
	static const char sql[] = "SELECT 1 FROM runs WHERE run_uuid = ?1";
	sqlite3_stmt *st;
	int rc;

	if (!run || !*run)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no run id given");
	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	rc = mmp_store__step(s, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc != SQLITE_ROW)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", run);
	return 0;
}

/* --- process liveness --- */

int64_t mmp_store__pid_start(int64_t pid)
{
	char path[64];
	mmp_buf b = MMP_BUF_INIT;
	const char *p;
	int64_t v = 0;
	int field;

	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	if (mmp_file_read(&b, path, 4096) < 0) {
		mmp_error_clear();
		goto done;
	}
	/* the name may hold spaces and ')': fields follow the last ')' */
	p = strrchr(b.ptr, ')');
	if (!p)
		goto done;
	/* field 3 (state) follows; starttime is field 22 */
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	v = strtoll(p, NULL, 10);
done:
	mmp_buf_dispose(&b);
	return v;
}

int mmp_store__run_is_dead(const mmp_store *s, int64_t pid,
	int64_t pid_start, const char *host, int64_t heartbeat, int64_t now)
{
	if (host && !strcmp(host, s->hostname) && pid > 0) {
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			return 1;
		/* the pid may have been reused by another process */
		if (pid_start) {
			int64_t cur = mmp_store__pid_start(pid);
			if (cur && cur != pid_start)
				return 1;
		}
		return 0;
	}
	return heartbeat > 0 && now - heartbeat > MMP_RUN_HEARTBEAT_TIMEOUT_MS;
}

/* --- experiments --- */

int mmp_experiment_ensure(mmp_store *s, const char *name, int64_t *out_id)
{
	static const char sel[] =
		"SELECT experiment_id, lifecycle_stage = 'deleted'"
		" FROM experiments WHERE name = ?1";
	static const char ins[] =
		"INSERT INTO experiments (name, artifact_location,"
		" creation_time, last_update_time) VALUES (?1, '', ?2, ?2)";
	static const char loc[] =
		"UPDATE experiments SET artifact_location = 'artifacts/' ||"
		" experiment_id WHERE experiment_id = ?1";
	sqlite3_stmt *st;
	int err, rc;

	if ((err = check_name("experiment", name)) < 0)
		return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sel)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = err = mmp_store__step(s, st)) < 0)
		goto done;
	err = 0;
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int(st, 1))
			err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
				"experiment '%s' is deleted: restore it with "
				"'mmp experiments restore' first", name);
		sqlite3_reset(st);
		goto done;
	}
	if ((err = mmp_store__prepare(s, &st, ins)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, mmp_time_ms());
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	*out_id = sqlite3_last_insert_rowid(s->db);
	if ((err = mmp_store__prepare(s, &st, loc)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, *out_id);
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	err = 0;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

/* --- starting runs --- */

/* `name`, or the first of "name-2", "name-3"... no run has; in a tx */
static int free_run_name(mmp_store *s, mmp_buf *out, const char *name)
{
	static const char sql[] = "SELECT 1 FROM runs WHERE name = ?1";
	sqlite3_stmt *st;
	int rc, n;

	mmp_buf_clear(out);
	mmp_buf_puts(out, name);
	for (n = 2;; n++) {
		if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
			return rc;
		sqlite3_bind_text(st, 1, out->ptr, -1, SQLITE_TRANSIENT);
		rc = mmp_store__step(s, st);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
		if (rc != SQLITE_ROW)
			return 0;
		mmp_buf_clear(out);
		mmp_buf_printf(out, "%s-%d", name, n);
	}
}

static const char *default_user(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u && *u)
		return u;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

static int insert_tag(mmp_store *s, const char *run, const char *key,
	const char *value)
{
	static const char sql[] =
		"INSERT INTO tags (run_uuid, key, value) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (run_uuid, key) DO UPDATE SET value = ?3";
	sqlite3_stmt *st;
	int err;

	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
	err = mmp_store__step(s, st);
	return err < 0 ? err : 0;
}

int mmp_run_start(mmp_store *s, const mmp_run_start_options *o,
	char out_run_id[33])
{
	static const char ins[] =
		"INSERT INTO runs (run_uuid, experiment_id, name, status,"
		" start_time, user_id, source_name, source_type,"
		" artifact_uri, parent_run_id, kind, pid, pid_start,"
		" hostname, heartbeat_time)"
		" VALUES (?1, ?2, ?3, 'RUNNING', ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, ?12, ?13, ?14)";
	mmp_run_start_options def = MMP_RUN_START_OPTIONS_INIT;
	char id[33], parent[33], name_buf[16];
	const char *name, *user, *stype, *kind, *exp;
	mmp_buf uri = MMP_BUF_INIT, uniq = MMP_BUF_INIT;
	sqlite3_stmt *st;
	int64_t exp_id, now = mmp_time_ms(), start;
	int err;

	if (!o)
		o = &def;
	if (o->version != MMP_RUN_START_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported run start options version %u",
			o->version);
	exp = o->experiment ? o->experiment : "Default";
	user = o->user ? o->user : default_user();
	stype = o->source_type ? o->source_type : "LOCAL";
	kind = o->kind ? o->kind : "train";
	start = o->start_time ? o->start_time : now;
	if (o->run_name && (err = check_name("run", o->run_name)) < 0)
		return err;
	if ((err = check_name("run kind", kind)) < 0)
		return err;
	if (o->parent_run_id &&
	    (err = mmp_run_resolve(s, o->parent_run_id, parent)) < 0) {
		mmp_error_prefix("parent run");
		return err;
	}
	if ((err = mmp_uuid_hex(id)) < 0)
		return err;
	snprintf(name_buf, sizeof(name_buf), "run-%.8s", id);
	name = o->run_name ? o->run_name : name_buf;

	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_experiment_ensure(s, exp, &exp_id)) < 0)
		goto done;
	if (o->unique_name) {
		if ((err = free_run_name(s, &uniq, name)) < 0)
			goto done;
		name = uniq.ptr;
	}
	mmp_buf_printf(&uri, "artifacts/%lld/%s/artifacts",
		(long long)exp_id, id);
	if ((err = mmp_store__prepare(s, &st, ins)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, exp_id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, start);
	sqlite3_bind_text(st, 5, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, o->source_name ? o->source_name : "", -1,
		SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, stype, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, uri.ptr, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 9, o->parent_run_id ? parent : NULL);
	sqlite3_bind_text(st, 10, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, (int64_t)getpid());
	sqlite3_bind_int64(st, 12, mmp_store__pid_start((int64_t)getpid()));
	sqlite3_bind_text(st, 13, s->hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 14, now);
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	if ((err = insert_tag(s, id, "mlflow.runName", name)) < 0 ||
	    (err = insert_tag(s, id, "mlflow.user", user)) < 0 ||
	    (err = insert_tag(s, id, "mlflow.source.type", stype)) < 0)
		goto done;
	if (o->source_name && (err = insert_tag(s, id, "mlflow.source.name",
			o->source_name)) < 0)
		goto done;
	if (o->parent_run_id && (err = insert_tag(s, id,
			"mlflow.parentRunId", parent)) < 0)
		goto done;
	err = mmp_store__commit(s);
	if (!err)
		memcpy(out_run_id, id, 33);
done:
	if (err < 0)
		mmp_store__rollback(s);
	mmp_buf_dispose(&uri);
	mmp_buf_dispose(&uniq);
	return err;
}

/* --- logging --- */

int mmp_run_log_params(mmp_store *s, const char *run, const mmp_kv *kv,
	size_t n)
{
	static const char sel[] =
		"SELECT value FROM params WHERE run_uuid = ?1 AND key = ?2";
	static const char ins[] =
		"INSERT INTO params (run_uuid, key, value) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st;
	size_t i;
	int err, rc;

	for (i = 0; i < n; i++) {
		if ((err = mmp_store__check_key("param", kv[i].key)) < 0)
			return err;
		if (!kv[i].value)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"param '%s' has no value", kv[i].key);
		if (strlen(kv[i].value) > PARAM_VALUE_MAX)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the value of param '%s' is longer than %d "
				"bytes", kv[i].key, PARAM_VALUE_MAX);
	}
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__run_exists(s, run)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, sel)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kv[i].key, -1, SQLITE_TRANSIENT);
		if ((rc = err = mmp_store__step(s, st)) < 0)
			goto done;
		if (rc == SQLITE_ROW) {
			const char *old = (const char *)
				sqlite3_column_text(st, 0);
			if (strcmp(old, kv[i].value)) {
				err = mmp_error_ret(MMP_ECONFLICT,
					MMP_ERROR_STORE, "param '%s' of run "
					"'%s' is already '%s'; params are "
					"write-once, cannot change it to '%s'",
					kv[i].key, run, old, kv[i].value);
				sqlite3_reset(st);
				goto done;
			}
			sqlite3_reset(st);
			continue;
		}
		if ((err = mmp_store__prepare(s, &st, ins)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kv[i].key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, kv[i].value, -1, SQLITE_TRANSIENT);
		if ((err = mmp_store__step(s, st)) < 0)
			goto done;
	}
	err = 0;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

static void bind_metric_value(sqlite3_stmt *st, int i, int nan_i, double v)
{
	if (isnan(v)) {
		sqlite3_bind_null(st, i);
		sqlite3_bind_int(st, nan_i, 1);
	} else {
		sqlite3_bind_double(st, i, v);
		sqlite3_bind_int(st, nan_i, 0);
	}
}

int mmp_store__put_metrics(mmp_store *s, const char *run,
	const mmp_run_metric *m, size_t n, int64_t now)
{
	static const char ins[] =
		"INSERT INTO metrics (run_uuid, key, value, is_nan, step,"
		" timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char latest[] =
		"INSERT INTO latest_metrics (run_uuid, key, value, is_nan,"
		" step, timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (run_uuid, key) DO UPDATE SET value = ?3,"
		" is_nan = ?4, step = ?5, timestamp = ?6"
		" WHERE ?5 > step OR (?5 = step AND ?6 >= timestamp)";
	const char *sqls[2] = { ins, latest };
	sqlite3_stmt *st;
	size_t i, j;
	int err;

	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			if ((err = mmp_store__prepare(s, &st, sqls[j])) < 0)
				return err;
			sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, m[i].key, -1,
				SQLITE_TRANSIENT);
			bind_metric_value(st, 3, 4, m[i].value);
			sqlite3_bind_int64(st, 5, m[i].step);
			sqlite3_bind_int64(st, 6, m[i].timestamp ?
				m[i].timestamp : now);
			if ((err = mmp_store__step(s, st)) < 0)
				return err;
		}
	return 0;
}

int mmp_run_log_metrics(mmp_store *s, const char *run, const mmp_run_metric *m,
	size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		if ((err = mmp_store__check_key("metric", m[i].key)) < 0)
			return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__run_exists(s, run)) < 0 ||
	    (err = mmp_store__put_metrics(s, run, m, n, mmp_time_ms())) < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_run_set_tags(mmp_store *s, const char *run, const mmp_kv *kv,
	size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if ((err = mmp_store__check_key("tag", kv[i].key)) < 0)
			return err;
		if (!kv[i].value)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"tag '%s' has no value", kv[i].key);
		if (strlen(kv[i].value) > TAG_VALUE_MAX)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the value of tag '%s' is longer than %d "
				"bytes", kv[i].key, TAG_VALUE_MAX);
	}
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__run_exists(s, run)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((err = insert_tag(s, run, kv[i].key, kv[i].value)) < 0)
			goto done;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

static int check_json_schema(mmp_store *s, const char *schema)
{
	static const char sql[] =
		"SELECT CASE WHEN json_valid(?1) THEN"
		" json_type(?1) IN ('object', 'array') ELSE 0 END";
	sqlite3_stmt *st;
	int err, valid;

	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, schema, -1, SQLITE_TRANSIENT);
	if ((err = mmp_store__step(s, st)) < 0)
		return err;
	valid = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return valid;
}

int mmp_run_log_dataset(mmp_store *s, const char *run,
	const mmp_dataset_input *d)
{
	static const char sql[] =
		"INSERT INTO dataset_inputs (run_uuid, name, digest, source,"
		" source_type, num_rows, num_columns, schema, context)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT (run_uuid, name, digest, context) DO UPDATE SET"
		" source = ?4, source_type = ?5, num_rows = ?6,"
		" num_columns = ?7, schema = ?8";
	sqlite3_stmt *st;
	int err;

	if (!d || !d->name || !*d->name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the dataset has no name");
	if (!d->digest || !*d->digest)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"dataset '%s' has no digest", d->name);
	if (d->schema) {
		if ((err = check_json_schema(s, d->schema)) < 0)
			return err;
		if (!err)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the schema of dataset '%s' is not a JSON "
				"object or array", d->name);
	}
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__run_exists(s, run)) < 0)
		goto done;
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d->digest, -1, SQLITE_TRANSIENT);
	mmp_store__bind_text(st, 4, d->source);
	mmp_store__bind_text(st, 5, d->source_type);
	if (d->rows >= 0)
		sqlite3_bind_int64(st, 6, d->rows);
	if (d->columns >= 0)
		sqlite3_bind_int64(st, 7, d->columns);
	mmp_store__bind_text(st, 8, d->schema);
	sqlite3_bind_text(st, 9, d->context ? d->context : "", -1,
		SQLITE_TRANSIENT);
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	err = 0;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

static int check_artifact(const mmp_artifact *a)
{
	const char *p = a->path;

	if (!p || !*p)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"an artifact has an empty path");
	if (p[0] == '/')
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"artifact path '%s' is absolute", p);
	while (*p) {
		size_t len = strcspn(p, "/");
		if ((len == 2 && !strncmp(p, "..", 2)) || len == 0)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"artifact path '%s' has an empty or '..' "
				"component", a->path);
		p += len;
		if (*p)
			p++;
	}
	if (a->size < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"artifact '%s' has a negative size", a->path);
	if (!a->sha256 || strlen(a->sha256) != 64 || !is_hex_id(a->sha256, 64))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"artifact '%s' has no valid sha256 (64 lowercase hex "
			"digits)", a->path);
	return 0;
}

int mmp_run_log_artifacts(mmp_store *s, const char *run,
	const mmp_artifact *a, size_t n)
{
	static const char sql[] =
		"INSERT INTO artifacts (run_uuid, path, size, sha256)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (run_uuid, path)"
		" DO UPDATE SET size = ?3, sha256 = ?4";
	sqlite3_stmt *st;
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		if ((err = check_artifact(&a[i])) < 0)
			return err;
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__run_exists(s, run)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if ((err = mmp_store__prepare(s, &st, sql)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, a[i].path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, a[i].size);
		sqlite3_bind_text(st, 4, a[i].sha256, -1, SQLITE_TRANSIENT);
		if ((err = mmp_store__step(s, st)) < 0)
			goto done;
	}
	err = 0;
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_run_heartbeat(mmp_store *s, const char *run)
{
	static const char sql[] =
		"UPDATE runs SET heartbeat_time = ?2 WHERE run_uuid = ?1";
	sqlite3_stmt *st;
	int err;

	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, mmp_time_ms());
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	err = sqlite3_changes(s->db) ? 0 : mmp_error_ret(MMP_ENOTFOUND,
		MMP_ERROR_STORE, "no run '%s'", run);
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

int mmp_run_end(mmp_store *s, const char *run, const char *status,
	const char *error_message)
{
	static const char sel[] = "SELECT status FROM runs WHERE run_uuid = ?1";
	static const char upd[] =
		"UPDATE runs SET status = ?2, end_time = ?3,"
		" heartbeat_time = ?3"
		" WHERE run_uuid = ?1";
	sqlite3_stmt *st;
	int err, rc;

	if (!status || (strcmp(status, "FINISHED") && strcmp(status, "FAILED")
	    && strcmp(status, "KILLED")))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid final run status '%s': expected FINISHED, "
			"FAILED or KILLED", status ? status : "");
	if ((err = mmp_store__begin(s)) < 0)
		return err;
	if ((err = mmp_store__prepare(s, &st, sel)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	if ((rc = err = mmp_store__step(s, st)) < 0)
		goto done;
	if (rc != SQLITE_ROW) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", run);
		goto done;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), "RUNNING") &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "SCHEDULED")) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"run '%s' has already ended (%s)", run,
			(const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		goto done;
	}
	sqlite3_reset(st);
	if ((err = mmp_store__prepare(s, &st, upd)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, mmp_time_ms());
	if ((err = mmp_store__step(s, st)) < 0)
		goto done;
	err = 0;
	if (error_message)
		err = insert_tag(s, run, "mmp.error", error_message);
done:
	if (err < 0) {
		mmp_store__rollback(s);
		return err;
	}
	return mmp_store__commit(s);
}

/* --- directories --- */

int mmp_run_artifact_dir(mmp_buf *out, mmp_store *s, const char *run)
{
	static const char sql[] =
		"SELECT artifact_uri FROM runs WHERE run_uuid = ?1";
	sqlite3_stmt *st;
	mmp_buf p = MMP_BUF_INIT;
	int err;

	if ((err = mmp_store__prepare(s, &st, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	if ((err = mmp_store__step(s, st)) < 0)
		return err;
	if (err != SQLITE_ROW)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", run);
	mmp_path_join(&p, s->dir, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	err = mmp_mkdir_p(p.ptr, 0777);
	if (!err) {
		mmp_buf_clear(out);
		mmp_buf_puts(out, p.ptr);
	}
	mmp_buf_dispose(&p);
	return err;
}

int mmp_run_tmp_dir(mmp_buf *out, mmp_store *s, const char *run)
{
	mmp_buf p = MMP_BUF_INIT;
	int err;

	if ((err = mmp_store__run_exists(s, run)) < 0)
		return err;
	mmp_path_join(&p, s->dir, "tmp");
	if ((err = mmp_mkdir_p(p.ptr, 0777)) < 0)
		goto done;
	mmp_buf_printf(&p, "/%s-XXXXXX", run);
	if (!mkdtemp(p.ptr)) {
		err = mmp_error_set_os("cannot create a directory in '%s/tmp'",
			s->dir);
		goto done;
	}
	mmp_buf_clear(out);
	mmp_buf_puts(out, p.ptr);
done:
	mmp_buf_dispose(&p);
	return err;
}

/* --- resolving --- */

static int ambiguous(mmp_store *s, sqlite3_stmt *st, const char *what,
	const char *given)
{
	mmp_buf list = MMP_BUF_INIT;
	int n = 0, rc;

	sqlite3_reset(st);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		if (n++ == 10) {
			mmp_buf_puts(&list, "\n  ...");
			break;
		}
		mmp_buf_printf(&list, "\n  %s %s",
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc < 0) {
		mmp_buf_dispose(&list);
		return rc;
	}
	rc = mmp_error_ret(MMP_EAMBIGUOUS, MMP_ERROR_STORE,
		"%s '%s' is ambiguous; the candidates are:%s", what, given,
		list.ptr);
	mmp_buf_dispose(&list);
	return rc;
}

int mmp_run_resolve(mmp_store *s, const char *prefix, char out[33])
{
	static const char by_id[] =
		"SELECT run_uuid, name FROM runs WHERE run_uuid >= ?1 AND"
		" run_uuid < ?1 || 'g' ORDER BY run_uuid LIMIT 12";
	static const char by_name[] =
		"SELECT run_uuid, name FROM runs WHERE name = ?1"
		" ORDER BY start_time DESC LIMIT 12";
	char low[33];
	size_t len, i;
	sqlite3_stmt *st;
	int rc, hex;

	if (!prefix || !*prefix)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no run id given");
	len = strlen(prefix);
	hex = len <= 32;
	for (i = 0; hex && i < len; i++) {
		if (!isxdigit((unsigned char)prefix[i]))
			hex = 0;
		else
			low[i] = (char)tolower((unsigned char)prefix[i]);
	}
	if (hex) {
		low[len] = '\0';
		if ((rc = mmp_store__prepare(s, &st, by_id)) < 0)
			return rc;
		sqlite3_bind_text(st, 1, low, -1, SQLITE_TRANSIENT);
		if ((rc = mmp_store__step(s, st)) < 0)
			return rc;
		if (rc == SQLITE_ROW && len < 4 && len < 32) {
			sqlite3_reset(st);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"run id prefix '%s' is too short: give at "
				"least 4 hex digits", prefix);
		}
		if (rc == SQLITE_ROW) {
			memcpy(out, sqlite3_column_text(st, 0), 33);
			out[32] = '\0';
			rc = mmp_store__step(s, st);
			if (rc == SQLITE_ROW)
				return ambiguous(s, st, "run id prefix",
					prefix);
			sqlite3_reset(st);
			return rc < 0 ? rc : 0;
		}
		sqlite3_reset(st);
	}
	if ((rc = mmp_store__prepare(s, &st, by_name)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc == SQLITE_ROW) {
		memcpy(out, sqlite3_column_text(st, 0), 33);
		out[32] = '\0';
		rc = mmp_store__step(s, st);
		if (rc == SQLITE_ROW)
			return ambiguous(s, st, "run name", prefix);
		sqlite3_reset(st);
		return rc < 0 ? rc : 0;
	}
	sqlite3_reset(st);
	return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
		"no run '%s' (neither a run id prefix nor a run name)", prefix);
}

/* --- reading --- */

static int load_kv(mmp_store *s, const char *sql, const char *run,
	mmp_kv **items, size_t *nr)
{
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		MMP_ALLOC_GROW(*items, *nr + 1, alloc);
		(*items)[*nr].key = mmp_store__column_strdup(st, 0);
		(*items)[(*nr)++].value = mmp_store__column_strdup(st, 1);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static double column_metric(sqlite3_stmt *st, int value_col, int nan_col)
{
	if (sqlite3_column_int(st, nan_col) ||
	    sqlite3_column_type(st, value_col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, value_col);
}

static int load_metrics(mmp_store *s, mmp_run *r)
{
	static const char sql[] =
		"SELECT key, value, is_nan, step, timestamp FROM latest_metrics"
		" WHERE run_uuid = ?1 ORDER BY key";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_run_metric *m;
		MMP_ALLOC_GROW(r->metrics, r->metrics_nr + 1, alloc);
		m = &r->metrics[r->metrics_nr++];
		m->key = mmp_store__column_strdup(st, 0);
		m->value = column_metric(st, 1, 2);
		m->step = sqlite3_column_int64(st, 3);
		m->timestamp = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int64_t column_int_or(sqlite3_stmt *st, int i, int64_t def)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? def
		: sqlite3_column_int64(st, i);
}

static int load_datasets(mmp_store *s, mmp_run *r)
{
	static const char sql[] =
		"SELECT name, digest, source, source_type, num_rows,"
		" num_columns, schema, context FROM dataset_inputs"
		" WHERE run_uuid = ?1 ORDER BY id";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_dataset_input *d;
		MMP_ALLOC_GROW(r->datasets, r->datasets_nr + 1, alloc);
		d = &r->datasets[r->datasets_nr++];
		d->name = mmp_store__column_strdup(st, 0);
		d->digest = mmp_store__column_strdup(st, 1);
		d->source = mmp_store__column_strdup(st, 2);
		d->source_type = mmp_store__column_strdup(st, 3);
		d->rows = column_int_or(st, 4, -1);
		d->columns = column_int_or(st, 5, -1);
		d->schema = mmp_store__column_strdup(st, 6);
		d->context = mmp_store__column_strdup(st, 7);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int load_artifacts(mmp_store *s, mmp_run *r)
{
	static const char sql[] =
		"SELECT path, size, sha256 FROM artifacts WHERE run_uuid = ?1"
		" ORDER BY path";
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_TRANSIENT);
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		mmp_artifact *a;
		MMP_ALLOC_GROW(r->artifacts, r->artifacts_nr + 1, alloc);
		a = &r->artifacts[r->artifacts_nr++];
		a->path = mmp_store__column_strdup(st, 0);
		a->size = sqlite3_column_int64(st, 1);
		a->sha256 = mmp_store__column_strdup(st, 2);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__run_load(mmp_store *s, mmp_run *r, int with_details)
{
	static const char sql[] =
		"SELECT r.experiment_id, e.name, r.name, r.status,"
		" r.start_time, r.end_time, r.user_id, r.source_name,"
		" r.source_type, r.artifact_uri, r.lifecycle_stage,"
		" r.parent_run_id, r.kind, r.pid, r.pid_start, r.hostname,"
		" r.heartbeat_time, r.origin, r.remote_run_id,"
		" r.mirror_artifacts_error"
		" FROM runs r JOIN experiments e USING (experiment_id)"
		" WHERE r.run_uuid = ?1";
	static const char params[] =
		"SELECT key, value FROM params WHERE run_uuid = ?1"
		" ORDER BY key";
	static const char tags[] =
		"SELECT key, value FROM tags WHERE run_uuid = ?1 ORDER BY key";
	sqlite3_stmt *st;
	int64_t pid_start;
	int rc;

	if ((rc = mmp_store__prepare(s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_TRANSIENT);
	if ((rc = mmp_store__step(s, st)) < 0)
		return rc;
	if (rc != SQLITE_ROW)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", r->run_id);
	r->experiment_id = sqlite3_column_int64(st, 0);
	r->experiment_name = mmp_store__column_strdup(st, 1);
	r->name = mmp_store__column_strdup(st, 2);
	r->status = mmp_store__column_strdup(st, 3);
	r->start_time = sqlite3_column_int64(st, 4);
	r->end_time = column_int_or(st, 5, 0);
	r->user_id = mmp_store__column_strdup(st, 6);
	r->source_name = mmp_store__column_strdup(st, 7);
	r->source_type = mmp_store__column_strdup(st, 8);
	r->artifact_uri = mmp_store__column_strdup(st, 9);
	r->lifecycle_stage = mmp_store__column_strdup(st, 10);
	r->parent_run_id = mmp_store__column_strdup(st, 11);
	r->kind = mmp_store__column_strdup(st, 12);
	r->pid = column_int_or(st, 13, 0);
	pid_start = column_int_or(st, 14, 0);
	r->hostname = mmp_store__column_strdup(st, 15);
	r->heartbeat_time = column_int_or(st, 16, 0);
	r->origin = mmp_store__column_strdup(st, 17);
	r->remote_run_id = mmp_store__column_strdup(st, 18);
	r->artifacts_unknown = mmp_store__column_strdup(st, 19);
	sqlite3_reset(st);
	if (!strcmp(r->status, "RUNNING") && !r->origin)
		r->dead = mmp_store__run_is_dead(s, r->pid, pid_start,
			r->hostname, r->heartbeat_time, mmp_time_ms());

	if ((rc = load_kv(s, params, r->run_id, &r->params,
			&r->params_nr)) < 0 ||
	    (rc = load_metrics(s, r)) < 0 ||
	    (rc = load_kv(s, tags, r->run_id, &r->tags, &r->tags_nr)) < 0)
		return rc;
	if (with_details && ((rc = load_datasets(s, r)) < 0 ||
	    (rc = load_artifacts(s, r)) < 0))
		return rc;
	return 0;
}

int mmp_run_get(mmp_run **out, mmp_store *s, const char *run_id)
{
	mmp_run *r;
	int err;

	*out = NULL;
	if (!run_id || strlen(run_id) != 32)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no run '%s'", run_id ? run_id : "");
	r = mmp__calloc(1, sizeof(*r));
	memcpy(r->run_id, run_id, 33);
	if ((err = mmp_store__run_load(s, r, 1)) < 0) {
		mmp_run_free(r);
		return err;
	}
	*out = r;
	return 0;
}

static void free_kv(mmp_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

void mmp_run_free(mmp_run *r)
{
	size_t i;

	if (!r)
		return;
	free(r->experiment_name);
	free(r->name);
	free(r->status);
	free(r->user_id);
	free(r->source_name);
	free(r->source_type);
	free(r->artifact_uri);
	free(r->lifecycle_stage);
	free(r->parent_run_id);
	free(r->kind);
	free(r->hostname);
	free(r->origin);
	free(r->remote_run_id);
	free(r->artifacts_unknown);
	free_kv(r->params, r->params_nr);
	free_kv(r->tags, r->tags_nr);
	for (i = 0; i < r->metrics_nr; i++)
		free((char *)r->metrics[i].key);
	free(r->metrics);
	for (i = 0; i < r->datasets_nr; i++) {
		mmp_dataset_input *d = &r->datasets[i];
		free((char *)d->name);
		free((char *)d->digest);
		free((char *)d->source);
		free((char *)d->source_type);
		free((char *)d->schema);
		free((char *)d->context);
	}
	free(r->datasets);
	for (i = 0; i < r->artifacts_nr; i++) {
		free((char *)r->artifacts[i].path);
		free((char *)r->artifacts[i].sha256);
	}
	free(r->artifacts);
	free(r);
}

/* --- reaping dead runs --- */

struct dead_run {
	char id[33];
	int64_t pid, end_time;
	char *host;
};

static void remove_tmp_dirs(mmp_store *s, const char *run)
{
	mmp_buf dir = MMP_BUF_INIT, p = MMP_BUF_INIT;
	struct dirent *e;
	DIR *d;

	mmp_path_join(&dir, s->dir, "tmp");
	if (!(d = opendir(dir.ptr)))
		goto done;
	while ((e = readdir(d)))
		if (mmp_str_starts_with(e->d_name, run)) {
			mmp_buf_clear(&p);
			mmp_path_join(&p, dir.ptr, e->d_name);
			/* best effort: the run is marked failed either way */
			if (mmp_rm_rf(p.ptr) < 0)
				mmp_error_clear();
		}
	closedir(d);
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&p);
}

int mmp_store_reap_dead_runs(mmp_store *s, size_t *out_count)
{
	static const char sel[] =
		"SELECT run_uuid, pid, pid_start, hostname, heartbeat_time,"
		" start_time FROM runs WHERE status = 'RUNNING'"
		" AND origin IS NULL";
	static const char upd[] =
		"UPDATE runs SET status = 'FAILED', end_time = ?2"
		" WHERE run_uuid = ?1 AND status = 'RUNNING'";
	struct dead_run *dead = NULL;
	size_t nr = 0, alloc = 0, reaped = 0, i;
	int64_t now = mmp_time_ms();
	mmp_buf msg = MMP_BUF_INIT;
	sqlite3_stmt *st;
	int err, rc;

	if (out_count)
		*out_count = 0;
	if ((err = mmp_store__prepare(s, &st, sel)) < 0)
		return err;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		int64_t pid = column_int_or(st, 1, 0);
		int64_t hb = column_int_or(st, 4, 0);
		const char *host = (const char *)sqlite3_column_text(st, 3);

		if (!mmp_store__run_is_dead(s, pid, column_int_or(st, 2, 0),
				host, hb, now))
			continue;
		MMP_ALLOC_GROW(dead, nr + 1, alloc);
		memcpy(dead[nr].id, sqlite3_column_text(st, 0), 33);
		dead[nr].id[32] = '\0';
		dead[nr].pid = pid;
		dead[nr].end_time = hb ? hb : sqlite3_column_int64(st, 5);
		dead[nr++].host = mmp__strdup(host ? host : "?");
	}
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto out;
	}
	if (!nr)
		goto out;
	if ((err = mmp_store__begin(s)) < 0)
		goto out;
	for (i = 0; i < nr; i++) {
		if ((err = mmp_store__prepare(s, &st, upd)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, dead[i].id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, dead[i].end_time);
		if ((err = mmp_store__step(s, st)) < 0)
			goto done;
		err = 0;
		if (!sqlite3_changes(s->db))
			continue;   /* someone else ended or reaped it */
		mmp_buf_clear(&msg);
		mmp_buf_printf(&msg, "process %lld on %s died",
			(long long)dead[i].pid, dead[i].host);
		if ((err = insert_tag(s, dead[i].id, "mmp.error", msg.ptr)) < 0)
			goto done;
		reaped++;
	}
done:
	if (err < 0) {
		mmp_store__rollback(s);
		goto out;
	}
	if ((err = mmp_store__commit(s)) < 0)
		goto out;
	for (i = 0; i < nr; i++)
		remove_tmp_dirs(s, dead[i].id);
	if (out_count)
		*out_count = reaped;
out:
	for (i = 0; i < nr; i++)
		free(dead[i].host);
	free(dead);
	mmp_buf_dispose(&msg);
	return err;
}
