/* SPDX-License-Identifier: MIT */
/* db.c: locating, opening and migrating the store; SQLite helpers */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmp/version.h"
#include "store-internal.h"

#define STORE_DB_NAME "mmp.db"
#define STORE_DIR_NAME ".mmp"
#define STORE_APPLICATION_ID 1836871793   /* "mmp1" */
#define STORE_BUSY_TIMEOUT_MS 10000
#define STORE_BEGIN_RETRIES 3

/* --- errors --- */

int mmp_store__error(mmp_store *s, int rc, const char *what)
{
	const char *path = s ? s->path : "?";
	const char *msg = s && s->db ? sqlite3_errmsg(s->db)
		: sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return mmp_error_ret(MMP_ELOCKED, MMP_ERROR_STORE,
			"%s: the store '%s' stayed locked by another process "
			"for %d ms", what, path,
			s ? s->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS);
	case SQLITE_NOTADB:
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"'%s' is not an mmp store: file is not a database",
			path);
	case SQLITE_CORRUPT:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"the store '%s' is damaged (%s): %s", path, msg, what);
	case SQLITE_READONLY:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"%s: the store '%s' is read-only (%s)", what, path,
			msg);
	case SQLITE_FULL:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"%s: the disk holding '%s' is full", what, path);
	case SQLITE_CANTOPEN:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"cannot open the store '%s': %s", path, msg);
	default:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE, "%s: %s", what,
			msg);
	}
}

/* --- statements --- */

int mmp_store__prepare(mmp_store *s, sqlite3_stmt **out, const char *sql)
{
	size_t i;
	int rc;

	for (i = 0; i < s->stmts_nr; i++)
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].st);
			sqlite3_clear_bindings(s->stmts[i].st);
			*out = s->stmts[i].st;
			return 0;
		}
	MMP_ALLOC_GROW(s->stmts, s->stmts_nr + 1, s->stmts_alloc);
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
		out, NULL);
	if (rc != SQLITE_OK)
		return mmp_store__error(s, rc, "cannot prepare a query");
	s->stmts[s->stmts_nr].sql = sql;
	s->stmts[s->stmts_nr++].st = *out;
	return 0;
}

int mmp_store__prepare_once(mmp_store *s, sqlite3_stmt **out,
	const char *sql)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return mmp_store__error(s, rc, "cannot prepare a query");
	}
	return 0;
}

int mmp_store__step(mmp_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	rc = mmp_store__error(s, rc, "cannot query the store");
	sqlite3_reset(st);
	return rc;
}

int mmp_store__step_done(mmp_store *s, sqlite3_stmt *st)
{
	int rc = mmp_store__step(s, st);

	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int mmp_store__exec(mmp_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return mmp_store__error(s, rc, "cannot update the store");
	return 0;
}

char *mmp_store__column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	return mmp__strdup(t ? (const char *)t : "");
}

int mmp_store__bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* --- transactions --- */

int mmp_store__begin(mmp_store *s)
{
	int rc, tries;

	if (s->flags & MMP_STORE_READONLY)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"the store '%s' was opened read-only", s->path);
	if (s->tx_depth++ > 0)
		return 0;
	for (tries = 0; ; tries++) {
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY ||
		    tries + 1 >= STORE_BEGIN_RETRIES)
			break;
	}
	s->tx_depth = 0;
	return mmp_store__error(s, rc, "cannot start a transaction");
}

int mmp_store__commit(mmp_store *s)
{
	int rc, tries;

	if (s->tx_depth <= 0)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"the transaction on '%s' was rolled back", s->path);
	if (--s->tx_depth > 0)
		return 0;
	for (tries = 0; ; tries++) {
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY ||
		    tries + 1 >= STORE_BEGIN_RETRIES)
			break;
	}
	rc = mmp_store__error(s, rc, "cannot commit to the store");
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void mmp_store__rollback(mmp_store *s)
{
	if (s->tx_depth <= 0)
		return;
	s->tx_depth = 0;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* --- locating --- */

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* the db path for a --store / $MMP_STORE value */
static int locate_explicit(mmp_buf *out, const char *given, const char *from)
{
	mmp_buf abs = MMP_BUF_INIT, p = MMP_BUF_INIT;
	int err = 0;

	if (!*given) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"the store path from %s is empty", from);
		goto done;
	}
	if ((err = mmp_path_absolute(&abs, given)) < 0)
		goto done;
	if (mmp_path_is_dir(abs.ptr)) {
		mmp_path_join(&p, abs.ptr, STORE_DB_NAME);
		if (!is_file(p.ptr)) {
			mmp_buf dot = MMP_BUF_INIT;
			mmp_path_join(&dot, abs.ptr, STORE_DIR_NAME);
			if (mmp_path_is_dir(dot.ptr)) {
				mmp_buf_clear(&p);
				mmp_path_join(&p, dot.ptr, STORE_DB_NAME);
			}
			mmp_buf_dispose(&dot);
		}
	} else if (mmp_path_exists(abs.ptr) ||
		   mmp_str_ends_with(abs.ptr, ".db")) {
		mmp_buf_puts(&p, abs.ptr);
	} else {
		/* a directory to be: the db a new store there would get */
		mmp_path_join(&p, abs.ptr, STORE_DB_NAME);
	}
	mmp_buf_clear(out);
	mmp_buf_puts(out, p.ptr);
	if (!is_file(p.ptr))
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no mmp store at '%s' (from %s); run 'mmp init' to "
			"create one", p.ptr, from);
done:
	mmp_buf_dispose(&abs);
	mmp_buf_dispose(&p);
	return err;
}

int mmp_store_locate(mmp_buf *out, const char *explicit_path)
{
	const char *env = getenv("MMP_STORE");
	mmp_buf dir = MMP_BUF_INIT, p = MMP_BUF_INIT;
	int err = MMP_ENOTFOUND;

	if (explicit_path)
		return locate_explicit(out, explicit_path, "--store");
	if (env)
		return locate_explicit(out, env, "$MMP_STORE");
	if ((err = mmp_path_absolute(&dir, ".")) < 0)
		goto done;
	for (;;) {
		char *slash;

		mmp_buf_clear(&p);
		mmp_path_join(&p, dir.ptr, STORE_DIR_NAME);
		if (mmp_path_is_dir(p.ptr)) {
			mmp_buf_puts(&p, "/" STORE_DB_NAME);
			mmp_buf_clear(out);
			mmp_buf_puts(out, p.ptr);
			err = 0;
			goto done;
		}
		if (!strcmp(dir.ptr, "/"))
			break;
		slash = strrchr(dir.ptr, '/');
		mmp_buf_truncate(&dir, slash == dir.ptr ? 1
			: (size_t)(slash - dir.ptr));
	}
	err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
		"not an mmp store (or any of the parent directories): %s; "
		"run 'mmp init' to create one", STORE_DIR_NAME);
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&p);
	return err;
}

/* --- opening --- */

static int pragma_int(mmp_store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return mmp_store__error(s, rc, "cannot read the store");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		rc = mmp_store__error(s, rc, "cannot read the store");
	sqlite3_finalize(st);
	return rc;
}

static int check_kind(mmp_store *s, int version)
{
	int app_id = 0, tables = 0, err;

	if ((err = pragma_int(s, "PRAGMA application_id", &app_id)) < 0)
		return err;
	if (app_id != 0 && app_id != STORE_APPLICATION_ID)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"'%s' is not an mmp store: it is a database of "
			"another program (application id %d)", s->path, app_id);
	if (version == 0) {
		if ((err = pragma_int(s, "SELECT count(*) FROM sqlite_master",
				&tables)) < 0)
			return err;
		if (tables)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
				"'%s' is not an mmp store: it is a database "
				"of another program", s->path);
	} else if (app_id != STORE_APPLICATION_ID) {
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"'%s' is not an mmp store: it is a database of "
			"another program", s->path);
	}
	return 0;
}

static int newer_error(mmp_store *s, int version)
{
	return mmp_error_ret(MMP_EVERSION, MMP_ERROR_STORE,
		"the store '%s' has schema version %d, newer than the "
		"version %d this mmp %s knows; upgrade mmp", s->path, version,
		(int)mmp_store__migrations_nr, MMP_VERSION);
}

static int migrate(mmp_store *s)
{
	mmp_buf sql = MMP_BUF_INIT;
	int version = 0, err, rc;
	size_t i;

	rc = sqlite3_exec(s->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return mmp_store__error(s, rc, "cannot lock the store to "
			"upgrade it");
	/* another process may have migrated while we waited */
	if ((err = pragma_int(s, "PRAGMA user_version", &version)) < 0)
		goto done;
	if (version > (int)mmp_store__migrations_nr) {
		err = newer_error(s, version);
		goto done;
	}
	if ((err = check_kind(s, version)) < 0)
		goto done;
	for (i = (size_t)version; i < mmp_store__migrations_nr; i++) {
		rc = sqlite3_exec(s->db, mmp_store__migrations[i].sql, NULL,
			NULL, NULL);
		if (rc != SQLITE_OK) {
			err = mmp_store__error(s, rc,
				"cannot upgrade the store");
			mmp_error_prefix("schema step %zu (%s)", i + 1,
				mmp_store__migrations[i].what);
			goto done;
		}
		mmp_buf_clear(&sql);
		mmp_buf_printf(&sql, "PRAGMA user_version = %zu", i + 1);
		if ((err = mmp_store__exec(s, sql.ptr)) < 0)
			goto done;
	}
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		err = mmp_store__error(s, rc, "cannot upgrade the store");
done:
	if (err < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	mmp_buf_dispose(&sql);
	return err;
}

static int set_wal(mmp_store *s)
{
	sqlite3_stmt *st;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
		NULL);
	if (rc != SQLITE_OK)
		return mmp_store__error(s, rc, "cannot set the journal mode");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		err = mmp_store__error(s, rc, "cannot set the journal mode");
	else if (strcmp((const char *)sqlite3_column_text(st, 0), "wal"))
		err = mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
			"cannot put the store '%s' in WAL mode (it stays in "
			"'%s' mode)", s->path,
			(const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return err;
}

static int check_writable(mmp_store *s, int exists)
{
	if (access(s->dir, W_OK) < 0)
		return mmp_error_set_os("the store directory '%s' is not "
			"writable", s->dir);
	if (exists && access(s->path, W_OK) < 0)
		return mmp_error_set_os("the store '%s' is not writable",
			s->path);
	return 0;
}

/* whether the process can write both the directory and the file */
static int can_write(const mmp_store *s, int exists)
{
	return access(s->dir, W_OK) == 0 &&
		(!exists || access(s->path, W_OK) == 0);
}

/*
 * An empty database file is a new store, unless runs were stored next
 * to it: then the database was lost (truncated, or replaced by an
 * empty file) and making a new one would hide every run.
 */
static int check_not_lost(const mmp_store *s)
{
	static const char *const own[] = { "-wal", "-shm", "-journal" };
	const char *base = strrchr(s->path, '/') + 1;
	size_t blen = strlen(base), i;
	struct dirent *d;
	DIR *dh = opendir(s->dir);
	const char *other = NULL;

	if (!dh)
		return 0;
	while (!other && (d = readdir(dh))) {
		int mine = !strcmp(d->d_name, ".") ||
			!strcmp(d->d_name, "..") ||
			!strcmp(d->d_name, base);
		for (i = 0; !mine && i < ARRAY_SIZE(own); i++)
			mine = !strncmp(d->d_name, base, blen) &&
				!strcmp(d->d_name + blen, own[i]);
		if (!mine)
			other = d->d_name;
	}
	if (other) {
		mmp_error_set(MMP_ERROR_STORE, "the store '%s' is an empty "
			"file, but '%s/%s' holds what runs stored: the "
			"database was lost; restore it from a backup, or move "
			"'%s' away and run 'mmp init' to start over", s->path,
			s->dir, other, s->dir);
		closedir(dh);
		return MMP_ERROR;
	}
	closedir(dh);
	return 0;
}

/* "file:PATH?immutable=1", the path percent-encoded where URIs need it */
static void immutable_uri(mmp_buf *out, const char *path)
{
	const char *p;

	mmp_buf_puts(out, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			mmp_buf_printf(out, "%%%02X", (unsigned char)*p);
		else
			mmp_buf_putc(out, *p);
	}
	mmp_buf_puts(out, "?immutable=1");
}

static int create_file(mmp_store *s, unsigned int flags, int *exists)
{
	int fd;

	if (mmp_mkdir_p(s->dir, 0777) < 0)
		return MMP_ERROR;
	if (!(flags & MMP_STORE_EXCLUSIVE))
		return 0;
	/* claim the file so that exactly one creator wins */
	fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
			"a store exists already at '%s'", s->path);
	if (fd < 0)
		return mmp_error_set_os("cannot create '%s'", s->path);
	close(fd);
	*exists = 1;
	return 0;
}

int mmp_store_open(mmp_store **out, const char *db_path, unsigned int flags)
{
	mmp_store *s = mmp__calloc(1, sizeof(*s));
	mmp_buf abs = MMP_BUF_INIT, dir = MMP_BUF_INIT;
	struct stat st;
	int exists, err = 0, rc, version = 0, oflags;

	*out = NULL;
	s->flags = flags;
	s->busy_timeout_ms = STORE_BUSY_TIMEOUT_MS;
	s->monitor_retention =
		(mmp_monitor_retention)MMP_MONITOR_RETENTION_INIT;
	if (gethostname(s->hostname, sizeof(s->hostname) - 1) < 0)
		snprintf(s->hostname, sizeof(s->hostname), "localhost");
	if ((err = mmp_path_absolute(&abs, db_path)) < 0)
		goto done;
	mmp_path_dirname(&dir, abs.ptr);
	s->path = mmp_buf_detach(&abs);
	s->dir = mmp_buf_detach(&dir);

	exists = stat(s->path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
			"'%s' is a directory, not an mmp store", s->path);
		goto done;
	}
	if (exists && (flags & MMP_STORE_CREATE) &&
	    (flags & MMP_STORE_EXCLUSIVE)) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_STORE,
			"a store exists already at '%s'", s->path);
		goto done;
	}
	if (!exists && !(flags & MMP_STORE_CREATE)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no mmp store at '%s'; run 'mmp init' to create one",
			s->path);
		goto done;
	}
	if (exists && st.st_size == 0 && (err = check_not_lost(s)) < 0)
		goto done;
	if (!exists && (err = create_file(s, flags, &exists)) < 0)
		goto done;
	if ((flags & MMP_STORE_READ) && !(flags & MMP_STORE_CREATE) &&
	    !can_write(s, exists))
		flags |= MMP_STORE_READONLY;
	s->flags = flags;
	if (!(flags & MMP_STORE_READONLY) &&
	    (err = check_writable(s, exists)) < 0)
		goto done;

	oflags = (flags & MMP_STORE_READONLY) ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if ((flags & MMP_STORE_READONLY) && access(s->dir, W_OK) < 0) {
		/* no -shm can be made: nobody writes here, read it as is */
		mmp_buf uri = MMP_BUF_INIT;
		immutable_uri(&uri, s->path);
		rc = sqlite3_open_v2(uri.ptr, &s->db, oflags |
			SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
		mmp_buf_dispose(&uri);
	} else {
		rc = sqlite3_open_v2(s->path, &s->db, oflags |
			SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK) {
		err = mmp_store__error(s, rc, "cannot open the store");
		goto done;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms);

	if ((err = pragma_int(s, "PRAGMA user_version", &version)) < 0)
		goto done;
	if (version > (int)mmp_store__migrations_nr) {
		err = newer_error(s, version);
		goto done;
	}
	if ((err = check_kind(s, version)) < 0)
		goto done;
	if (version < (int)mmp_store__migrations_nr) {
		if (flags & MMP_STORE_READONLY) {
			err = mmp_error_ret(version ? MMP_EVERSION
				: MMP_EINVALID, MMP_ERROR_STORE,
				version ? "the store '%s' has the old schema "
				"version %d; open it for writing once to "
				"upgrade it" : "'%s' is not an mmp store: the "
				"database is empty", s->path, version);
			goto done;
		}
		if ((err = migrate(s)) < 0)
			goto done;
		version = (int)mmp_store__migrations_nr;
	}
	s->schema_version = version;
	if (!(flags & MMP_STORE_READONLY) && (err = set_wal(s)) < 0)
		goto done;
	if ((err = mmp_store__exec(s, "PRAGMA foreign_keys = ON;"
			"PRAGMA synchronous = NORMAL")) < 0)
		goto done;
	if (!(flags & (MMP_STORE_READONLY | MMP_STORE_NO_REAP)) &&
	    (err = mmp_store_reap_dead_runs(s, NULL)) < 0)
		goto done;
done:
	mmp_buf_dispose(&abs);
	mmp_buf_dispose(&dir);
	if (err < 0) {
		mmp_store_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void mmp_store_free(mmp_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->stmts_nr; i++)
		sqlite3_finalize(s->stmts[i].st);
	free(s->stmts);
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s->dir);
	free(s);
}

const char *mmp_store_path(const mmp_store *s)
{
	return s->path;
}

const char *mmp_store_dir(const mmp_store *s)
{
	return s->dir;
}

int mmp_store_schema_version(const mmp_store *s)
{
	return s->schema_version;
}

int mmp_store_schema_version_supported(void)
{
	return (int)mmp_store__migrations_nr;
}

void mmp_store_set_busy_timeout(mmp_store *s, int ms)
{
	s->busy_timeout_ms = ms < 0 ? 0 : ms;
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
}
