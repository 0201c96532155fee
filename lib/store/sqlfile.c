/* SPDX-License-Identifier: MIT */
/* sqlfile.c: a generic cursor over a foreign SQLite file (lib/data reads
 * users' databases and writes predictions into them through this) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "util/util.h"
#include "sqlfile.h"

#define BUSY_TIMEOUT_MS 10000

struct mmp_sqlfile {
	sqlite3 *db;
	char *path;
};

struct mmp_sqlcursor {
	mmp_sqlfile *f;
	sqlite3_stmt *st;
};

/* translate a SQLite failure once, naming the file */
static int fail(mmp_sqlfile *f, int rc, const char *what)
{
	const char *msg = f->db ? sqlite3_errmsg(f->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return mmp_error_ret(MMP_ELOCKED, MMP_ERROR_DATA,
			"'%s': %s: the database stayed locked by another "
			"process for %d ms", f->path, what, BUSY_TIMEOUT_MS);
	case SQLITE_NOTADB:
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s' is not an SQLite database", f->path);
	case SQLITE_ERROR:
	case SQLITE_AUTH:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_CONSTRAINT:
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s': %s: %s", f->path, what, msg);
	default:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_DATA,
			"'%s': %s: %s", f->path, what, msg);
	}
}

const char *mmp_store__sqlfile_version(void)
{
	static char v[64];

	if (!v[0])
		snprintf(v, sizeof(v), "SQLite %s", sqlite3_libversion());
	return v;
}

void mmp_store__sqlfile_quote(mmp_buf *out, const char *name)
{
	const char *p;

	mmp_buf_putc(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			mmp_buf_putc(out, '"');
		mmp_buf_putc(out, *p);
	}
	mmp_buf_putc(out, '"');
}

/* "file:" + the path percent-encoded, so '?', '#' and '%' stay path */
static void file_uri(mmp_buf *out, const char *path, int mode)
{
	const unsigned char *p;

	mmp_buf_puts(out, "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || strchr("/-._~", *p))
			mmp_buf_putc(out, (char)*p);
		else
			mmp_buf_printf(out, "%%%02X", *p);
	}
	if (mode == MMP_SQLFILE_IMMUTABLE)
		mmp_buf_puts(out, "?mode=ro&immutable=1");
	else if (mode == MMP_SQLFILE_READ)
		mmp_buf_puts(out, "?mode=ro");
	else
		mmp_buf_puts(out, "?mode=rwc");
}

int mmp_store__sqlfile_open(mmp_sqlfile **out, const char *path, int mode)
{
	mmp_buf uri = MMP_BUF_INIT;
	mmp_sqlfile *f;
	struct stat st;
	int rc, flags, err = 0;

	*out = NULL;
	if (!path || !*path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no SQLite file given");
	if (mode != MMP_SQLFILE_WRITE && stat(path, &st) < 0) {
		int code = errno == ENOENT ? MMP_ENOTFOUND : MMP_ERROR;
		mmp_error_set_os("cannot open '%s'", path);
		return code;
	}
	if (mode != MMP_SQLFILE_WRITE && S_ISDIR(st.st_mode))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s' is a directory, not an SQLite database", path);
	f = mmp__calloc(1, sizeof(*f));
	f->path = mmp__strdup(path);
	file_uri(&uri, path, mode);
	flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
		(mode == MMP_SQLFILE_WRITE ? SQLITE_OPEN_READWRITE |
		 SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
	rc = sqlite3_open_v2(uri.ptr, &f->db, flags, NULL);
	mmp_buf_dispose(&uri);
	if (rc != SQLITE_OK) {
		err = mmp_error_ret(rc == SQLITE_CANTOPEN ? MMP_ERROR :
			MMP_EINVALID, MMP_ERROR_DATA, "cannot open '%s': %s",
			path, f->db ? sqlite3_errmsg(f->db) :
			sqlite3_errstr(rc));
		mmp_store__sqlfile_close(f);
		return err;
	}
	sqlite3_extended_result_codes(f->db, 1);
	sqlite3_busy_timeout(f->db, BUSY_TIMEOUT_MS);
	/* a query reads this file only: no other files, no extensions */
	sqlite3_limit(f->db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_db_config(f->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
		NULL);
	sqlite3_db_config(f->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(f->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	*out = f;
	return 0;
}

void mmp_store__sqlfile_close(mmp_sqlfile *f)
{
	if (!f)
		return;
	sqlite3_close_v2(f->db);
	free(f->path);
	free(f);
}

int mmp_store__sqlfile_exec(mmp_sqlfile *f, const char *sql)
{
	int rc = sqlite3_exec(f->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(f, rc, "cannot run a statement");
}

/* whether the text after a statement holds only blanks, comments, ';' */
static bool only_trailer(const char *p)
{
	for (;;) {
		while (*p == ';' || isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e)
				return true;
			p = e + 2;
		} else {
			return !*p;
		}
	}
}

int mmp_store__sqlcursor_open(mmp_sqlcursor **out, mmp_sqlfile *f,
	const char *sql, bool readonly)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	mmp_sqlcursor *c;
	int rc;

	*out = NULL;
	rc = sqlite3_prepare_v2(f->db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK)
		return fail(f, rc, "cannot prepare the query");
	if (!st)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s': the query is empty", f->path);
	if (tail && !only_trailer(tail)) {
		sqlite3_finalize(st);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s': the query holds more than one statement",
			f->path);
	}
	if (readonly && !sqlite3_stmt_readonly(st)) {
		sqlite3_finalize(st);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s': the query would change the database; only "
			"reading queries are run", f->path);
	}
	c = mmp__calloc(1, sizeof(*c));
	c->f = f;
	c->st = st;
	*out = c;
	return 0;
}

void mmp_store__sqlcursor_free(mmp_sqlcursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	free(c);
}

int mmp_store__sqlcursor_step(mmp_sqlcursor *c)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return fail(c->f, rc, "cannot run the query");
}

void mmp_store__sqlcursor_reset(mmp_sqlcursor *c)
{
	sqlite3_reset(c->st);
}

size_t mmp_store__sqlcursor_ncolumns(const mmp_sqlcursor *c)
{
	return (size_t)sqlite3_column_count(c->st);
}

const char *mmp_store__sqlcursor_name(const mmp_sqlcursor *c, size_t i)
{
	return sqlite3_column_name(c->st, (int)i);
}

const char *mmp_store__sqlcursor_decltype(const mmp_sqlcursor *c, size_t i)
{
	return sqlite3_column_decltype(c->st, (int)i);
}

mmp_sqlval_type mmp_store__sqlcursor_type(const mmp_sqlcursor *c, size_t i)
{
	switch (sqlite3_column_type(c->st, (int)i)) {
	case SQLITE_INTEGER: return MMP_SQLVAL_INTEGER;
	case SQLITE_FLOAT: return MMP_SQLVAL_FLOAT;
	case SQLITE_TEXT: return MMP_SQLVAL_TEXT;
	case SQLITE_BLOB: return MMP_SQLVAL_BLOB;
	default: return MMP_SQLVAL_NULL;
	}
}

int64_t mmp_store__sqlcursor_int(const mmp_sqlcursor *c, size_t i)
{
	return sqlite3_column_int64(c->st, (int)i);
}

double mmp_store__sqlcursor_double(const mmp_sqlcursor *c, size_t i)
{
	return sqlite3_column_double(c->st, (int)i);
}

const char *mmp_store__sqlcursor_text(const mmp_sqlcursor *c, size_t i,
	size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(c->st, (int)i);

	*len = (size_t)sqlite3_column_bytes(c->st, (int)i);
	return s ? s : "";
}

int mmp_store__sqlcursor_bind_text(mmp_sqlcursor *c, int i, const char *s,
	size_t len)
{
	int rc = sqlite3_bind_text64(c->st, i, s, (sqlite3_uint64)len,
		SQLITE_TRANSIENT, SQLITE_UTF8);

	return rc == SQLITE_OK ? 0 : fail(c->f, rc, "cannot bind a value");
}

int mmp_store__sqlcursor_bind_double(mmp_sqlcursor *c, int i, double v)
{
	int rc = sqlite3_bind_double(c->st, i, v);

	return rc == SQLITE_OK ? 0 : fail(c->f, rc, "cannot bind a value");
}

int mmp_store__sqlcursor_bind_null(mmp_sqlcursor *c, int i)
{
	int rc = sqlite3_bind_null(c->st, i);

	return rc == SQLITE_OK ? 0 : fail(c->f, rc, "cannot bind a value");
}
