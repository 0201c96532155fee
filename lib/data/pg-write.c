/* SPDX-License-Identifier: MIT */
/* pg-write.c: rows written into a PostgreSQL table in one transaction:
 * COPY into a new table renamed over the old one, or COPY appended */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pg-conn.h"
#include "pg-target.h"

#define CHUNK_ROWS 8192
#define COPY_BYTES ((size_t)1 << 20)   /* sent to the server at once */
#define NAME_MAX_BYTES 63              /* NAMEDATALEN - 1 */

void mmp_data__pg_target_release(struct mmp_data__pg_target *t)
{
	free(t->conninfo);
	free(t->schema);
	free(t->name);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

static int name_ok(const struct mmp_data__pg_target *t, const char *part,
	const char *what)
{
	if (!*part)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the %s name is empty", t->label, what);
	if (strlen(part) > NAME_MAX_BYTES)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the %s name '%s' is longer than PostgreSQL's %d "
			"bytes", t->label, what, part, NAME_MAX_BYTES);
	return 0;
}

int mmp_data__pg_target_parse(struct mmp_data__pg_target *t,
	const char *location)
{
	mmp_buf b = MMP_BUF_INIT;
	const char *auth, *path, *end, *last;
	char *dot;
	int err;

	memset(t, 0, sizeof(*t));
	mmp_source_redact(&b, location);
	t->label = mmp_buf_detach(&b);
	auth = strstr(location, "://");
	if (!auth)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: write postgresql://HOST/DATABASE/SCHEMA.TABLE",
			t->label);
	auth += 3;
	path = auth + strcspn(auth, "/?#");
	end = path + strcspn(path, "?#");
	last = end;
	while (last > path && last[-1] != '/')
		last--;
	if (*path != '/' || last - 1 == path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: name the table to write: "
			"postgresql://HOST/DATABASE/SCHEMA.TABLE", t->label);
	mmp_data__percent_decode(&b, last, (size_t)(end - last));
	if (memchr(b.ptr, '\0', b.size)) {
		mmp_buf_dispose(&b);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: a table name cannot hold a NUL byte", t->label);
	}
	if ((dot = strchr(b.ptr, '.'))) {
		t->schema = mmp__strndup(b.ptr, (size_t)(dot - b.ptr));
		t->name = mmp__strdup(dot + 1);
	} else {
		t->name = mmp__strdup(b.ptr);
	}
	mmp_buf_dispose(&b);
	if ((t->schema && (err = name_ok(t, t->schema, "schema")) < 0) ||
	    (err = name_ok(t, t->name, "table")) < 0)
		return err;
	mmp_buf_put(&b, location, (size_t)(last - 1 - location));
	mmp_buf_puts(&b, end);
	t->conninfo = mmp_buf_detach(&b);
	return 0;
}

/* one row's result of a query with text parameters; NULL on error */
static PGresult *query(struct mmp_data__pg *pg, const char *sql,
	const char *const *params, int n, const char *what, int *err)
{
	PGresult *res = PQexecParams(pg->conn, sql, n, NULL, params, NULL,
		NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	*err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA, what,
		PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

/* append `s` as a quoted identifier */
static int put_ident(mmp_buf *out, struct mmp_data__pg *pg, const char *s)
{
	char *q = PQescapeIdentifier(pg->conn, s, strlen(s));

	if (!q)
		return mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"cannot quote a name", PQerrorMessage(pg->conn));
	mmp_buf_puts(out, q);
	PQfreemem(q);
	return 0;
}

/* the column names of schema.name in order (none: no such table) */
static int table_columns(struct mmp_data__pg *pg, const char *schema,
	const char *name, char ***out, size_t *n)
{
	static const char sql[] =
		"SELECT a.attname FROM pg_catalog.pg_attribute a "
		"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
		"JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
		"WHERE s.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
		"AND NOT a.attisdropped ORDER BY a.attnum";
	const char *params[2] = { schema, name };
	PGresult *res;
	int i, err = 0;

	*out = NULL;
	*n = 0;
	if (!(res = query(pg, sql, params, 2, "cannot read the table's "
	    "columns", &err)))
		return err;
	*n = (size_t)PQntuples(res);
	*out = mmp__calloc(*n + 1, sizeof(**out));
	for (i = 0; i < PQntuples(res); i++)
		(*out)[i] = mmp__strdup(PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

/* an existing table takes the rows only with the same columns */
static int check_columns(const struct mmp_data__pg_target *t, char **have,
	size_t nhave, const mmp_csv_header *h)
{
	size_t i, n = mmp_csv_header_count(h);
	mmp_buf a = MMP_BUF_INIT, b = MMP_BUF_INIT;
	int err;

	for (i = 0; i < nhave && i < n; i++)
		if (strcmp(have[i], mmp_csv_header_name(h, i)))
			break;
	if (i == n && n == nhave)
		return 0;
	for (i = 0; i < nhave; i++)
		mmp_buf_printf(&a, "%s%s", i ? ", " : "", have[i]);
	for (i = 0; i < n; i++)
		mmp_buf_printf(&b, "%s%s", i ? ", " : "",
			mmp_csv_header_name(h, i));
	err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
		"%s: table '%s.%s' has the columns (%s); the rows to append "
		"have (%s)", t->label, t->schema, t->name, a.ptr, b.ptr);
	mmp_buf_dispose(&a);
	mmp_buf_dispose(&b);
	return err;
}

/* one field in COPY's text format: \N for NULL, backslash escapes */
static void put_copy_field(mmp_buf *out, const char *v, size_t len)
{
	size_t i;

	if (!len) {
		mmp_buf_puts(out, "\\N");
		return;
	}
	for (i = 0; i < len; i++) {
		switch (v[i]) {
		case '\\': mmp_buf_puts(out, "\\\\"); break;
		case '\t': mmp_buf_puts(out, "\\t"); break;
		case '\n': mmp_buf_puts(out, "\\n"); break;
		case '\r': mmp_buf_puts(out, "\\r"); break;
		default: mmp_buf_putc(out, v[i]);
		}
	}
}

static int send_copy(struct mmp_data__pg *pg, mmp_buf *data)
{
	if (data->size && PQputCopyData(pg->conn, data->ptr,
	    (int)data->size) != 1)
		return mmp_data__pg_error(pg, MMP_ENET, MMP_ERROR_NET,
			"cannot send the rows", PQerrorMessage(pg->conn));
	mmp_buf_clear(data);
	return 0;
}

/* COPY every row of the CSV reader into the quoted table `qtable` */
static int copy_rows(struct mmp_data__pg *pg, const char *qtable,
	mmp_csv_reader *r, const mmp_csv_header *h)
{
	size_t i, k, n = mmp_csv_header_count(h);
	mmp_buf sql = MMP_BUF_INIT, data = MMP_BUF_INIT;
	mmp_frame *f = NULL;
	PGresult *res;
	int err = 0;

	mmp_buf_printf(&sql, "COPY %s (", qtable);
	for (k = 0; k < n && !err; k++) {
		if (k)
			mmp_buf_puts(&sql, ", ");
		err = put_ident(&sql, pg, mmp_csv_header_name(h, k));
	}
	mmp_buf_puts(&sql, ") FROM STDIN");
	if (err < 0)
		goto done;
	res = PQexec(pg->conn, sql.ptr);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"cannot write the rows", PQresultErrorMessage(res));
		PQclear(res);
		goto done;
	}
	PQclear(res);
	/* an error below leaves the COPY open: the caller closes the
	 * connection, and the server rolls the transaction back */
	while ((err = mmp_csv_reader_next(&f, r, CHUNK_ROWS)) == 0) {
		for (i = 0; i < mmp_frame_nrows(f); i++) {
			for (k = 0; k < n; k++) {
				const char *v = mmp_frame_entity(f, k, i);
				if (k)
					mmp_buf_putc(&data, '\t');
				put_copy_field(&data, v, strlen(v));
			}
			mmp_buf_putc(&data, '\n');
		}
		mmp_frame_free(f);
		f = NULL;
		if (data.size >= COPY_BYTES && (err = send_copy(pg, &data)) < 0)
			goto done;
	}
	if (err != MMP_ITEROVER || (err = send_copy(pg, &data)) < 0)
		goto done;
	if (PQputCopyEnd(pg->conn, NULL) != 1) {
		err = mmp_data__pg_error(pg, MMP_ENET, MMP_ERROR_NET,
			"cannot send the rows", PQerrorMessage(pg->conn));
		goto done;
	}
	res = PQgetResult(pg->conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"cannot write the rows", PQresultErrorMessage(res));
	PQclear(res);
	while ((res = PQgetResult(pg->conn)))
		PQclear(res);
done:
	mmp_frame_free(f);
	mmp_buf_dispose(&sql);
	mmp_buf_dispose(&data);
	return err;
}

/* CREATE TABLE qtable ("col" bigint|double precision|text, ...) */
static int create_table(struct mmp_data__pg *pg, const char *qtable,
	const mmp_csv_header *h, const mmp_csv_type *types)
{
	mmp_buf sql = MMP_BUF_INIT;
	size_t i;
	int err = 0;

	mmp_buf_printf(&sql, "CREATE TABLE %s (", qtable);
	for (i = 0; i < mmp_csv_header_count(h) && !err; i++) {
		const char *name = mmp_csv_header_name(h, i);
		if (i)
			mmp_buf_puts(&sql, ", ");
		err = put_ident(&sql, pg, name);
		mmp_buf_puts(&sql, types[i] == MMP_CSV_TYPE_INTEGER ?
			" bigint" : types[i] == MMP_CSV_TYPE_NUMBER ?
			" double precision" : " text");
	}
	mmp_buf_putc(&sql, ')');
	if (!err)
		err = mmp_data__pg_run(pg, sql.ptr, "cannot create the table");
	mmp_buf_dispose(&sql);
	return err;
}

/* the session's schema, where an unqualified table lives */
static int current_schema(struct mmp_data__pg *pg,
	struct mmp_data__pg_target *t)
{
	PGresult *res;
	int err = 0;

	if (!(res = query(pg, "SELECT current_schema()", NULL, 0,
	    "cannot find the current schema", &err)))
		return err;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no schema of the search_path exists to hold "
			"table '%s': name it as SCHEMA.TABLE", t->label,
			t->name);
	else
		t->schema = mmp__strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return err;
}

/* a name for the new table that no other writer picks */
static void new_name(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, size, "mmp_new_%ld_%lx%lx", (long)getpid(),
		(unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec);
}

int mmp_data__pg_write(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, int append)
{
	struct mmp_data__pg pg = { 0 };
	struct mmp_data__pg_target t;
	mmp_buf qtarget = MMP_BUF_INIT, qnew = MMP_BUF_INIT;
	mmp_buf sql = MMP_BUF_INIT;
	mmp_csv_header *h = NULL;
	mmp_csv_reader *r = NULL;
	mmp_csv_type *types = NULL;
	char **have = NULL, tmp[64];
	size_t i, nhave = 0;
	int err;

	if ((err = mmp_data__pg_target_parse(&t, location)) < 0 ||
	    (err = mmp_data__column_types(&types, csv, numeric,
	    nnumeric)) < 0 ||
	    (err = mmp_data__open_rows(&r, &h, csv)) < 0 ||
	    (err = mmp_data__pg_open(&pg, t.conninfo)) < 0 ||
	    (err = mmp_data__pg_run(&pg, "BEGIN",
	    "cannot start a transaction")) < 0)
		goto done;
	if (!t.schema && (err = current_schema(&pg, &t)) < 0)
		goto done;
	if ((err = put_ident(&qtarget, &pg, t.schema)) < 0)
		goto done;
	mmp_buf_putc(&qtarget, '.');
	if ((err = put_ident(&qtarget, &pg, t.name)) < 0 ||
	    (err = table_columns(&pg, t.schema, t.name, &have, &nhave)) < 0)
		goto done;
	if (append) {
		if (nhave && (err = check_columns(&t, have, nhave, h)) < 0)
			goto done;
		if (!nhave && (err = create_table(&pg, qtarget.ptr, h,
		    types)) < 0)
			goto done;
		if ((err = copy_rows(&pg, qtarget.ptr, r, h)) < 0)
			goto done;
	} else {
		/* a new table, filled while readers still see the old one,
		 * then renamed over it: the DROP's lock is held only
		 * from here to the COMMIT */
		new_name(tmp, sizeof(tmp));
		if ((err = put_ident(&qnew, &pg, t.schema)) < 0)
			goto done;
		mmp_buf_putc(&qnew, '.');
		if ((err = put_ident(&qnew, &pg, tmp)) < 0 ||
		    (err = create_table(&pg, qnew.ptr, h, types)) < 0 ||
		    (err = copy_rows(&pg, qnew.ptr, r, h)) < 0)
			goto done;
		mmp_buf_printf(&sql, "DROP TABLE IF EXISTS %s", qtarget.ptr);
		if ((err = mmp_data__pg_run(&pg, sql.ptr,
		    "cannot replace the table")) < 0)
			goto done;
		mmp_buf_clear(&sql);
		mmp_buf_printf(&sql, "ALTER TABLE %s RENAME TO ", qnew.ptr);
		if ((err = put_ident(&sql, &pg, t.name)) < 0 ||
		    (err = mmp_data__pg_run(&pg, sql.ptr,
		    "cannot replace the table")) < 0)
			goto done;
	}
	mmp_data__pause_before_commit();
	err = mmp_data__pg_run(&pg, "COMMIT", "cannot commit the rows");
done:
	/* closing without COMMIT rolls everything back on the server */
	mmp_data__pg_close(&pg);
	mmp_csv_reader_free(r);
	mmp_csv_header_free(h);
	for (i = 0; i < nhave; i++)
		free(have[i]);
	free(have);
	free(types);
	mmp_buf_dispose(&qtarget);
	mmp_buf_dispose(&qnew);
	mmp_buf_dispose(&sql);
	mmp_data__pg_target_release(&t);
	return err;
}
