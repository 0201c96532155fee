/* SPDX-License-Identifier: MIT */
/* t-sqlfile.c: the store's cursor over a foreign SQLite file: read-only
 * opening, one statement, writes refused, quoting, values and binding */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmp.h"
#include "store/sqlfile.h"
#include "tap.h"

static char path[512];

static int count(mmp_sqlfile *f, const char *table)
{
	mmp_buf sql = MMP_BUF_INIT;
	mmp_sqlcursor *c = NULL;
	int n = -1;

	mmp_buf_puts(&sql, "SELECT count(*) FROM ");
	mmp_store__sqlfile_quote(&sql, table);
	if (!mmp_store__sqlcursor_open(&c, f, sql.ptr, true) &&
	    mmp_store__sqlcursor_step(c) == 1)
		n = (int)mmp_store__sqlcursor_int(c, 0);
	mmp_store__sqlcursor_free(c);
	mmp_buf_dispose(&sql);
	return n;
}

static void test_write_then_read(void)
{
	mmp_sqlfile *f = NULL;
	mmp_sqlcursor *c = NULL;
	mmp_buf q = MMP_BUF_INIT;
	const char *odd = "we\"ird; DROP TABLE t; --";
	size_t len;
	struct stat st;

	snprintf(path, sizeof(path), "%s/a b?c#d%%.db", tap_tmpdir());
	is_int(mmp_store__sqlfile_open(&f, path, MMP_SQLFILE_READ),
		MMP_ENOTFOUND, "reading a missing file: not found");
	ok(stat(path, &st) < 0, "and the file is not created");
	is_int(mmp_store__sqlfile_open(&f, path, MMP_SQLFILE_WRITE), 0,
		"writing creates it, whatever the characters in its name");
	ok(stat(path, &st) == 0, "at that very name");
	mmp_store__sqlfile_quote(&q, odd);
	is_str(q.ptr, "\"we\"\"ird; DROP TABLE t; --\"", "quotes doubled");
	mmp_buf_clear(&q);
	mmp_buf_puts(&q, "CREATE TABLE t (a INTEGER, b REAL, c TEXT, d);"
		"CREATE TABLE ");
	mmp_store__sqlfile_quote(&q, odd);
	mmp_buf_puts(&q, " (x)");
	is_int(mmp_store__sqlfile_exec(f, q.ptr), 0, "exec runs DDL");
	is_int(mmp_store__sqlcursor_open(&c, f,
		"INSERT INTO t VALUES (?, ?, ?, ?)", false), 0,
		"an insert is prepared for writing");
	is_int(mmp_store__sqlcursor_bind_double(c, 1, 7), 0, "bind a number");
	mmp_store__sqlcursor_bind_double(c, 2, 0.5);
	is_int(mmp_store__sqlcursor_bind_text(c, 3, "hi\0x", 4), 0,
		"bind text with its length");
	mmp_store__sqlcursor_bind_null(c, 4);
	is_int(mmp_store__sqlcursor_step(c), 0, "the insert runs");
	mmp_store__sqlcursor_free(c);
	c = NULL;
	mmp_store__sqlfile_close(f);
	f = NULL;

	is_int(mmp_store__sqlfile_open(&f, path, MMP_SQLFILE_READ), 0,
		"open read-only");
	is_int(count(f, odd), 0, "an odd table name is one identifier");
	is_int(mmp_store__sqlcursor_open(&c, f, "SELECT a, b, c, d, a + 1 "
		"FROM t", true), 0, "a reading query");
	is_int((int)mmp_store__sqlcursor_ncolumns(c), 5, "five columns");
	is_str(mmp_store__sqlcursor_decltype(c, 0), "INTEGER", "declared");
	ok(!mmp_store__sqlcursor_decltype(c, 4), "an expression has none");
	is_int(mmp_store__sqlcursor_step(c), 1, "one row");
	is_int(mmp_store__sqlcursor_type(c, 0), MMP_SQLVAL_INTEGER,
		"7 stored as an integer (affinity)");
	is_double(mmp_store__sqlcursor_double(c, 1), 0.5, 0, "0.5");
	is_int(mmp_store__sqlcursor_type(c, 2), MMP_SQLVAL_TEXT, "text");
	mmp_store__sqlcursor_text(c, 2, &len);
	is_int((int)len, 4, "text keeps its length");
	is_int(mmp_store__sqlcursor_type(c, 3), MMP_SQLVAL_NULL, "NULL");
	is_int(mmp_store__sqlcursor_step(c), 0, "then the end");
	mmp_store__sqlcursor_free(c);
	c = NULL;

	is_int(mmp_store__sqlcursor_open(&c, f, "DELETE FROM t", true),
		MMP_EINVALID, "a write is refused where reading is asked");
	ok(strstr(mmp_error_last()->message, "would change the database") &&
		strstr(mmp_error_last()->message, path),
		"naming the file: %s", mmp_error_last()->message);
	is_int(mmp_store__sqlcursor_open(&c, f, "SELECT 1; SELECT 2", true),
		MMP_EINVALID, "two statements are refused");
	is_int(mmp_store__sqlcursor_open(&c, f, "SELECT 1; -- done\n;",
		true), 0, "a trailing comment is not a statement");
	mmp_store__sqlcursor_free(c);
	c = NULL;
	is_int(mmp_store__sqlcursor_open(&c, f, "ATTACH 'x.db' AS x", true),
		0, "ATTACH prepares (it reads) ...");
	ok(mmp_store__sqlcursor_step(c) < 0, "... but cannot run");
	mmp_store__sqlcursor_free(c);
	c = NULL;
	is_int(mmp_store__sqlcursor_open(&c, f, "SELEC 1", true),
		MMP_EINVALID, "bad SQL");
	ok(strstr(mmp_error_last()->message, "syntax error") != NULL,
		"with SQLite's reason: %s", mmp_error_last()->message);
	is_int(mmp_store__sqlfile_exec(f, "INSERT INTO t VALUES (1,2,3,4)"),
		MMP_ERROR, "a read-only file is not written");
	is_int(count(f, "t"), 1, "the row count is unchanged");
	mmp_store__sqlfile_close(f);
	mmp_buf_dispose(&q);
}

static void test_not_a_database(void)
{
	mmp_sqlfile *f = NULL;
	mmp_sqlcursor *c = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/text.db", tap_tmpdir());
	fp = fopen(path, "w");
	fputs("this is not a database, only text that is long enough\n",
		fp);
	fclose(fp);
	is_int(mmp_store__sqlfile_open(&f, path, MMP_SQLFILE_READ), 0,
		"a text file opens ...");
	is_int(mmp_store__sqlcursor_open(&c, f, "SELECT * FROM t", true),
		MMP_EINVALID, "... and fails at the first statement");
	ok(strstr(mmp_error_last()->message, "is not an SQLite database")
		!= NULL, "%s", mmp_error_last()->message);
	mmp_store__sqlfile_close(f);
	is_int(mmp_store__sqlfile_open(&f, tap_tmpdir(), MMP_SQLFILE_READ),
		MMP_EINVALID, "a directory is refused");
	ok(!strncmp(mmp_store__sqlfile_version(), "SQLite 3.", 9),
		"the library version: %s", mmp_store__sqlfile_version());
}

int main(void)
{
	mmp_global_init();
	test_write_then_read();
	test_not_a_database();
	return done_testing();
}
