/* SPDX-License-Identifier: MIT */
/* sqlite-write.c: rows written into an SQLite table in one transaction,
 * through the store's cursor (no sqlite3 call lives here) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data-internal.h"
#include "store/sqlfile.h"

#define CHUNK_ROWS 8192

static bool is_numeric(const char *name, const char *const *numeric,
	size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, numeric[i]))
			return true;
	return false;
}

/* the column names of an existing table, in order (none: no table) */
static int table_columns(mmp_sqlfile *f, const char *table, char ***out,
	size_t *n)
{
	mmp_sqlcursor *c = NULL;
	size_t alloc = 0, len;
	int rc, err;

	*out = NULL;
	*n = 0;
	if ((err = mmp_store__sqlcursor_open(&c, f, "SELECT name FROM "
	    "pragma_table_info(?1)", true)) < 0 ||
	    (err = mmp_store__sqlcursor_bind_text(c, 1, table,
	    strlen(table))) < 0)
		goto done;
	while ((rc = mmp_store__sqlcursor_step(c)) > 0) {
		const char *s = mmp_store__sqlcursor_text(c, 0, &len);
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = mmp__strndup(s, len);
	}
	err = rc;
done:
	mmp_store__sqlcursor_free(c);
	return err;
}

/* CREATE TABLE "name" ("col" INTEGER|REAL|TEXT, ...) */
static void create_sql(mmp_buf *sql, const char *table,
	const mmp_csv_header *h, const mmp_csv_type *types)
{
	size_t i;

	mmp_buf_puts(sql, "CREATE TABLE ");
	mmp_store__sqlfile_quote(sql, table);
	mmp_buf_puts(sql, " (");
	for (i = 0; i < mmp_csv_header_count(h); i++) {
		const char *name = mmp_csv_header_name(h, i);
		if (i)
			mmp_buf_puts(sql, ", ");
		mmp_store__sqlfile_quote(sql, name);
		mmp_buf_puts(sql, types[i] == MMP_CSV_TYPE_INTEGER ?
			" INTEGER" : types[i] == MMP_CSV_TYPE_NUMBER ? " REAL" :
			" TEXT");
	}
	mmp_buf_putc(sql, ')');
}

/* an existing table takes the rows only with the same columns */
static int check_columns(const char *loc, const char *table,
	char **have, size_t nhave, const mmp_csv_header *h)
{
	size_t i, n = mmp_csv_header_count(h);
	mmp_buf a = MMP_BUF_INIT, b = MMP_BUF_INIT;
	int err = 0;

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
		"%s: table '%s' has the columns (%s); the rows to append "
		"have (%s)", loc, table, a.ptr, b.ptr);
	mmp_buf_dispose(&a);
	mmp_buf_dispose(&b);
	return err;
}

/* insert every row of the CSV reader through the prepared INSERT */
static int insert_rows(mmp_sqlcursor *ins, mmp_csv_reader *r,
	const bool *num, size_t ncols)
{
	mmp_frame *f = NULL;
	size_t i, k;
	int err;

	while ((err = mmp_csv_reader_next(&f, r, CHUNK_ROWS)) == 0) {
		for (i = 0; i < mmp_frame_nrows(f) && !err; i++) {
			for (k = 0; k < ncols && !err; k++) {
				const char *v = mmp_frame_entity(f, k, i);
				size_t len = strlen(v);
				double d;
				if (!len)
					err = mmp_store__sqlcursor_bind_null(
						ins, (int)k + 1);
				else if (num[k] &&
				    !mmp_parse_number(&d, v, len))
					err = mmp_store__sqlcursor_bind_double(
						ins, (int)k + 1, d);
				else
					err = mmp_store__sqlcursor_bind_text(
						ins, (int)k + 1, v, len);
			}
			if (!err)
				err = mmp_store__sqlcursor_step(ins);
			mmp_store__sqlcursor_reset(ins);
		}
		mmp_frame_free(f);
		f = NULL;
		if (err < 0)
			return err;
	}
	return err == MMP_ITEROVER ? 0 : err;
}

int mmp_data__sqlite_write(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, int append)
{
	static const char *const no_na[] = { NULL };
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_buf path = MMP_BUF_INIT, loc = MMP_BUF_INIT, sql = MMP_BUF_INIT;
	mmp_buf tmp = MMP_BUF_INIT;
	mmp_csv_header *h = NULL;
	mmp_csv_reader *r = NULL;
	mmp_csv_column *cols = NULL;
	mmp_csv_type *types = NULL;
	mmp_sqlfile *f = NULL;
	mmp_sqlcursor *ins = NULL;
	char *table = NULL, **have = NULL;
	bool *num = NULL, began = false;
	size_t i, n = 0, nhave = 0;
	int immutable, err;

	mmp_source_redact(&loc, location);
	if ((err = mmp_data__sqlite_location(&path, &immutable, &table,
	    location)) < 0)
		goto done;
	if (!table || !*table || immutable) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: name the table to write: "
			"sqlite:///path/to/file.db?table=NAME%s", loc.ptr,
			immutable ? " (and not immutable)" : "");
		goto done;
	}
	co.na_values = no_na;
	if ((err = mmp_csv_header_read(&h, csv, &co)) < 0)
		goto done;
	n = mmp_csv_header_count(h);
	cols = mmp__calloc(n + 1, sizeof(*cols));
	num = mmp__calloc(n + 1, sizeof(*num));
	for (i = 0; i < n; i++) {
		cols[i].name = mmp_csv_header_name(h, i);
		cols[i].role = MMP_CSV_ENTITY;
		num[i] = is_numeric(cols[i].name, numeric, nnumeric);
	}
	spec.columns = cols;
	spec.ncolumns = n;
	spec.allow_empty = 1;
	if ((err = mmp_data__column_types(&types, csv, numeric,
	    nnumeric)) < 0 ||
	    (err = mmp_csv_reader_open(&r, csv, &spec, &co)) < 0 ||
	    (err = mmp_store__sqlfile_open(&f, path.ptr,
	    MMP_SQLFILE_WRITE)) < 0)
		goto done;
	/* the write lock at once: nobody writes the table meanwhile */
	if ((err = mmp_store__sqlfile_exec(f, "BEGIN IMMEDIATE")) < 0)
		goto done;
	began = true;
	if ((err = table_columns(f, table, &have, &nhave)) < 0)
		goto done;
	if (append && nhave) {
		if ((err = check_columns(loc.ptr, table, have, nhave, h)) < 0)
			goto done;
		mmp_buf_puts(&tmp, table);
	} else {
		/* replace: a new table, renamed over the old one at the end */
		mmp_buf_printf(&tmp, "%s__mmp_new", table);
		mmp_buf_puts(&sql, "DROP TABLE IF EXISTS ");
		mmp_store__sqlfile_quote(&sql, tmp.ptr);
		if ((err = mmp_store__sqlfile_exec(f, sql.ptr)) < 0)
			goto done;
		mmp_buf_clear(&sql);
		create_sql(&sql, tmp.ptr, h, types);
		if ((err = mmp_store__sqlfile_exec(f, sql.ptr)) < 0)
			goto done;
	}
	mmp_buf_clear(&sql);
	mmp_buf_puts(&sql, "INSERT INTO ");
	mmp_store__sqlfile_quote(&sql, tmp.ptr);
	mmp_buf_puts(&sql, " VALUES (");
	for (i = 0; i < n; i++)
		mmp_buf_puts(&sql, i ? ", ?" : "?");
	mmp_buf_putc(&sql, ')');
	if ((err = mmp_store__sqlcursor_open(&ins, f, sql.ptr, false)) < 0 ||
	    (err = insert_rows(ins, r, num, n)) < 0)
		goto done;
	mmp_store__sqlcursor_free(ins);
	ins = NULL;
	if (strcmp(tmp.ptr, table)) {
		mmp_buf_clear(&sql);
		mmp_buf_puts(&sql, "DROP TABLE IF EXISTS ");
		mmp_store__sqlfile_quote(&sql, table);
		mmp_buf_puts(&sql, "; ALTER TABLE ");
		mmp_store__sqlfile_quote(&sql, tmp.ptr);
		mmp_buf_puts(&sql, " RENAME TO ");
		mmp_store__sqlfile_quote(&sql, table);
		if ((err = mmp_store__sqlfile_exec(f, sql.ptr)) < 0)
			goto done;
	}
	mmp_data__pause_before_commit();
	if ((err = mmp_store__sqlfile_exec(f, "COMMIT")) < 0)
		goto done;
	began = false;
done:
	mmp_store__sqlcursor_free(ins);
	if (began) {
		/* keep the first error, not the rollback's */
		const mmp_error *e = mmp_error_last();
		char *msg = mmp__strdup(e && e->message ? e->message : "");
		int klass = e ? e->klass : MMP_ERROR_DATA;

		mmp_store__sqlfile_exec(f, "ROLLBACK");
		mmp_error_set(klass, "%s", msg);
		free(msg);
	}
	mmp_store__sqlfile_close(f);
	mmp_csv_reader_free(r);
	mmp_csv_header_free(h);
	for (i = 0; i < nhave; i++)
		free(have[i]);
	free(have);
	free(cols);
	free(types);
	free(num);
	free(table);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&loc);
	mmp_buf_dispose(&sql);
	mmp_buf_dispose(&tmp);
	return err;
}
