/* SPDX-License-Identifier: MIT */
/* t-sqlite-source.c: the sqlite:// reader: locations, column types,
 * values into a frame, the CSV export, and the table writer */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/data.h"
#include "data/data-internal.h"
#include "store/sqlfile.h"

static char db[512], loc[600];

static void make_db(void)
{
	mmp_sqlfile *f = NULL;

	snprintf(db, sizeof(db), "%s/s 1.db", tap_tmpdir());
	snprintf(loc, sizeof(loc), "sqlite://%s/s%%201.db", tap_tmpdir());
	if (mmp_store__sqlfile_open(&f, db, MMP_SQLFILE_WRITE) < 0 ||
	    mmp_store__sqlfile_exec(f, "CREATE TABLE t (i INT, r REAL, "
	    "s TEXT, d DATE, u);"
	    "INSERT INTO t VALUES (1, 0.1, 'a,b', '2024-01-02', 5);"
	    "INSERT INTO t VALUES (NULL, 2.5, '', NULL, 'x\"y');"
	    "INSERT INTO t VALUES (-3, NULL, NULL, '2024-01-03', NULL);") < 0)
		diag("setup: %s", mmp_error_last()->message);
	mmp_store__sqlfile_close(f);
}

static void test_locations(void)
{
	mmp_buf p = MMP_BUF_INIT;
	char *table = NULL;
	int imm;

	is_int(mmp_data__sqlite_location(&p, &imm, NULL,
		"sqlite:///a/b%20c.db?immutable=1"), 0, "absolute, encoded");
	is_str(p.ptr, "/a/b c.db", "the path is decoded");
	is_int(imm, 1, "immutable asked");
	is_int(mmp_data__sqlite_location(&p, &imm, &table,
		"sqlite:rel/x.db?table=out"), 0, "relative, with a table");
	is_str(p.ptr, "rel/x.db", "relative path");
	is_str(table, "out", "the table parameter");
	free(table);
	is_int(mmp_data__sqlite_location(&p, &imm, NULL,
		"sqlite:///x.db?table=out"), MMP_EINVALID,
		"no table parameter where only reading");
	is_int(mmp_data__sqlite_location(&p, &imm, NULL,
		"sqlite://host/x.db"), MMP_EINVALID, "a host is refused");
	is_int(mmp_data__sqlite_location(&p, &imm, NULL, "sqlite://"),
		MMP_EINVALID, "no file");
	mmp_buf_dispose(&p);
}

static void test_header_and_load(void)
{
	mmp_source src = MMP_SOURCE_INIT;
	mmp_source_info info = { 0 };
	mmp_csv_header *h = NULL;
	mmp_csv_column cols[] = {
		{ "i", MMP_CSV_NUMERIC, NULL }, { "r", MMP_CSV_NUMERIC, NULL },
		{ "s", MMP_CSV_ENTITY, NULL },
	};
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_frame *f = NULL;
	const float *x;

	src.location = loc;
	src.table = "t";
	is_int(mmp_source_header(&h, &src, NULL), 0, "header");
	is_int((int)mmp_csv_header_count(h), 5, "five columns");
	is_int(mmp_csv_header_type(h, 0), MMP_CSV_TYPE_INTEGER, "INT");
	is_int(mmp_csv_header_type(h, 1), MMP_CSV_TYPE_NUMBER, "REAL");
	is_int(mmp_csv_header_type(h, 2), MMP_CSV_TYPE_STRING, "TEXT");
	is_int(mmp_csv_header_type(h, 3), MMP_CSV_TYPE_STRING, "DATE");
	is_int(mmp_csv_header_type(h, 4), MMP_CSV_TYPE_STRING,
		"undeclared: text when any value is text");
	mmp_csv_header_free(h);

	spec.columns = cols;
	spec.ncolumns = 3;
	is_int(mmp_source_load(&f, &info, &src, &spec, NULL), 0, "load");
	is_int((int)mmp_frame_nrows(f), 3, "three rows");
	x = mmp_frame_features(f);
	ok(x && x[0] == 1.0f && x[1] == 0.1f, "row 1: 1, 0.1");
	ok(x && isnan(x[2]) && x[3] == 2.5f, "row 2: NULL is NaN, 2.5");
	ok(x && x[4] == -3.0f && isnan(x[5]), "row 3: -3, NULL");
	is_str(mmp_frame_entity(f, 0, 0), "a,b", "text kept exactly");
	is_str(info.query, "SELECT * FROM \"t\"", "the query that ran");
	ok(!strncmp(info.server_version, "SQLite 3.", 9), "the version");
	is_int((int)info.rows, 3, "rows counted");
	mmp_frame_free(f);
	mmp_source_info_release(&info);
}

static void test_export(void)
{
	mmp_source src = MMP_SOURCE_INIT;
	mmp_buf got = MMP_BUF_INIT;
	char out[600];
	int fd;

	src.location = loc;
	src.query = "SELECT i, r, s, d, u, r * 3 AS e FROM t";
	snprintf(out, sizeof(out), "%s/export.csv", tap_tmpdir());
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	is_int(mmp_source_export_csv(NULL, &src, fd), 0, "export");
	close(fd);
	mmp_file_read(&got, out, 1 << 20);
	is_str(got.ptr,
		"i,r,s,d,u,e\n"
		"1,0.1,\"a,b\",2024-01-02,5,0.30000000000000004\n"
		",2.5,\"\",,\"x\"\"y\",7.5\n"
		"-3,,,2024-01-03,,\n",
		"NULL empty, '' quoted, shortest exact numbers");
	mmp_buf_dispose(&got);
}

static void test_write(void)
{
	const char *num[] = { "p" };
	char csv[600], dest[700];
	mmp_source src = MMP_SOURCE_INIT;
	mmp_buf got = MMP_BUF_INIT;
	FILE *fp;
	int fd;

	snprintf(csv, sizeof(csv), "%s/rows.csv", tap_tmpdir());
	fp = fopen(csv, "w");
	fputs("id,p\nA,0.25\n\"B,1\",\nC,1e3\n", fp);
	fclose(fp);
	snprintf(dest, sizeof(dest), "%s?table=o%%22ut", loc);
	is_int(mmp_sink_write_csv(dest, csv, num, 1, MMP_SINK_REPLACE), 0,
		"replace into a new table");
	is_int(mmp_sink_write_csv(dest, csv, num, 1, MMP_SINK_APPEND), 0,
		"append to it");
	src.location = loc;
	src.query = "SELECT id, p, typeof(p) FROM \"o\"\"ut\" ORDER BY rowid";
	snprintf(csv, sizeof(csv), "%s/back.csv", tap_tmpdir());
	fd = open(csv, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	is_int(mmp_source_export_csv(NULL, &src, fd), 0, "read it back");
	close(fd);
	mmp_file_read(&got, csv, 1 << 20);
	is_str(got.ptr,
		"id,p,typeof(p)\n"
		"A,0.25,real\n\"B,1\",,null\nC,1000,real\n"
		"A,0.25,real\n\"B,1\",,null\nC,1000,real\n",
		"numbers REAL, an empty number NULL, the table name decoded");
	is_int(mmp_sink_write_csv(loc, csv, num, 1, MMP_SINK_REPLACE),
		MMP_EINVALID, "no table named");
	is_int(mmp_sink_write_csv("postgresqlx://h/x", csv, num, 1,
		MMP_SINK_REPLACE), MMP_ENOTFOUND, "a file is no table");
	mmp_buf_dispose(&got);
}

int main(void)
{
	mmp_global_init();
	make_db();
	test_locations();
	test_header_and_load();
	test_export();
	test_write();
	return done_testing();
}
