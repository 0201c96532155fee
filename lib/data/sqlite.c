/* SPDX-License-Identifier: MIT */
/* sqlite.c: the reader of sqlite:// sources, read-only, on the store's
 * cursor over foreign SQLite files (no sqlite3 call lives here) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data-internal.h"
#include "store/sqlfile.h"

#define SNIFF_ROWS 10000        /* rows that may type undeclared columns */
#define PROGRESS_ROWS 65536

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' :
		tolower((unsigned char)c) - 'a' + 10;
}

void mmp_data__percent_decode(mmp_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			mmp_buf_putc(out, (char)(hexval(s[i + 1]) * 16 +
				hexval(s[i + 2])));
			i += 2;
		} else {
			mmp_buf_putc(out, s[i]);
		}
	}
}

int mmp_data__sqlite_location(mmp_buf *path, int *immutable, char **table,
	const char *location)
{
	const char *p = location, *q;
	mmp_buf loc = MMP_BUF_INIT;
	int err = 0;

	*immutable = 0;
	if (table)
		*table = NULL;
	mmp_source_redact(&loc, location);
	if (strncasecmp(p, "sqlite:", 7)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s' is not an sqlite: location", loc.ptr);
		goto done;
	}
	p += 7;
	if (!strncmp(p, "//", 2)) {
		/* sqlite:///abs/path: an empty authority, an absolute path */
		p += 2;
		if (*p != '/') {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"'%s': an SQLite file is local: write "
				"sqlite:///path/to/file.db (three slashes) or "
				"sqlite:relative/file.db", loc.ptr);
			goto done;
		}
	}
	q = strchr(p, '?');
	mmp_buf_clear(path);
	mmp_data__percent_decode(path, p, q ? (size_t)(q - p) : strlen(p));
	if (!path->size || memchr(path->ptr, '\0', path->size)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s': no SQLite file named", loc.ptr);
		goto done;
	}
	while (q && *q) {
		const char *kv = q + 1;
		size_t n = strcspn(kv, "&");

		if (n == 11 && !strncmp(kv, "immutable=1", 11)) {
			*immutable = 1;
		} else if (n == 11 && !strncmp(kv, "immutable=0", 11)) {
			*immutable = 0;
		} else if (n == 7 && !strncmp(kv, "mode=ro", 7)) {
			/* reading is always read-only */
		} else if (table && n > 6 && !strncmp(kv, "table=", 6)) {
			mmp_buf t = MMP_BUF_INIT;
			mmp_data__percent_decode(&t, kv + 6, n - 6);
			free(*table);
			*table = mmp_buf_detach(&t);
		} else {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"'%s': unknown parameter '%.*s' (known: "
				"immutable=1%s)", loc.ptr, (int)n, kv,
				table ? ", table=NAME" : "");
			goto done;
		}
		q = kv + n;
		if (!*q)
			break;
	}
done:
	mmp_buf_dispose(&loc);
	if (err < 0 && table) {
		free(*table);
		*table = NULL;
	}
	return err;
}

/* the SQL that reads the source: the user's query, or the whole table */
static int source_sql(mmp_buf *sql, const mmp_source *src)
{
	const char *dot;

	if (src->query) {
		mmp_buf_puts(sql, src->query);
		return 0;
	}
	if (!*src->table)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"the table name is empty");
	mmp_buf_puts(sql, "SELECT * FROM ");
	dot = strchr(src->table, '.');
	if (dot) {
		char *schema = mmp__strndup(src->table,
			(size_t)(dot - src->table));
		mmp_store__sqlfile_quote(sql, schema);
		free(schema);
		mmp_buf_putc(sql, '.');
		mmp_store__sqlfile_quote(sql, dot + 1);
	} else {
		mmp_store__sqlfile_quote(sql, src->table);
	}
	return 0;
}

/* a column's type from its declared type (SQLite's affinity rules, with
 * dates and times as text for the time column); -1: decided by values */
static int declared_type(mmp_csv_type *t, const char *decl)
{
	char up[64];
	size_t i;

	if (!decl || !*decl)
		return -1;
	for (i = 0; decl[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)decl[i]);
	up[i] = '\0';
	if (strstr(up, "INT") || strstr(up, "BOOL"))
		*t = MMP_CSV_TYPE_INTEGER;
	else if (strstr(up, "CHAR") || strstr(up, "CLOB") ||
	    strstr(up, "TEXT") || strstr(up, "DATE") || strstr(up, "TIME"))
		*t = MMP_CSV_TYPE_STRING;
	else if (strstr(up, "BLOB"))
		return -2;
	else
		*t = MMP_CSV_TYPE_NUMBER;
	return 0;
}

/* rows read while typing undeclared columns, replayed into the builder */
struct held {
	char **vals;     /* nrows x ncols, NULL for NULL */
	size_t *lens;
	size_t nrows, alloc;
};

struct rd {
	const char *name;         /* redacted location, for messages */
	mmp_sqlfile *f;
	mmp_sqlcursor *c;
	mmp_buf sql;
	size_t n;
	char **names;
	mmp_csv_type *types;
	bool *decided;
	struct held held;
	uint64_t rows;            /* rows stepped */
	bool done;                /* the cursor is at its end */
	/* the current row as text */
	const char **vals;
	size_t *lens;
	char (*num)[32];
};

static void rd_release(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->held.nrows * r->n; i++)
		free(r->held.vals[i]);
	free(r->held.vals);
	free(r->held.lens);
	for (i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
	free(r->types);
	free(r->decided);
	free(r->vals);
	free(r->lens);
	free(r->num);
	mmp_store__sqlcursor_free(r->c);
	mmp_store__sqlfile_close(r->f);
	mmp_buf_dispose(&r->sql);
}

static int rd_open(struct rd *r, const mmp_source *src)
{
	mmp_buf path = MMP_BUF_INIT;
	int immutable, err;
	size_t i;

	if ((err = mmp_data__sqlite_location(&path, &immutable, NULL,
	    src->location)) < 0)
		goto done;
	if ((err = mmp_store__sqlfile_open(&r->f, path.ptr, immutable ?
	    MMP_SQLFILE_IMMUTABLE : MMP_SQLFILE_READ)) < 0)
		goto done;
	if ((err = source_sql(&r->sql, src)) < 0 ||
	    (err = mmp_store__sqlcursor_open(&r->c, r->f, r->sql.ptr,
	    true)) < 0)
		goto done;
	r->n = mmp_store__sqlcursor_ncolumns(r->c);
	if (!r->n) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the query returns no columns", r->name);
		goto done;
	}
	r->names = mmp__calloc(r->n, sizeof(*r->names));
	r->types = mmp__calloc(r->n, sizeof(*r->types));
	r->decided = mmp__calloc(r->n, sizeof(*r->decided));
	r->vals = mmp__calloc(r->n, sizeof(*r->vals));
	r->lens = mmp__calloc(r->n, sizeof(*r->lens));
	r->num = mmp__calloc(r->n, sizeof(*r->num));
	for (i = 0; i < r->n; i++) {
		const char *nm = mmp_store__sqlcursor_name(r->c, i);
		int d = declared_type(&r->types[i],
			mmp_store__sqlcursor_decltype(r->c, i));

		r->names[i] = mmp__strdup(nm ? nm : "");
		if (d == -2) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s: column '%s' is a BLOB; mmp reads "
				"numbers and text", r->name, r->names[i]);
			goto done;
		}
		r->decided[i] = d == 0;
	}
done:
	mmp_buf_dispose(&path);
	return err;
}

/* the shortest of 15 to 17 digits that reads back as `v` (a class label
 * of 0.1 is "0.1", not "0.10000000000000001") */
static size_t fmt_double(char out[32], double v)
{
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

/* step one row into r->vals; 1 row, 0 end, < 0 error */
static int rd_step(struct rd *r)
{
	size_t i;
	int rc;

	/* never step past the end: that would run the query again */
	if (r->done)
		return 0;
	rc = mmp_store__sqlcursor_step(r->c);
	if (rc <= 0) {
		r->done = true;
		return rc;
	}
	r->rows++;
	for (i = 0; i < r->n; i++) {
		switch (mmp_store__sqlcursor_type(r->c, i)) {
		case MMP_SQLVAL_NULL:
			r->vals[i] = NULL;
			r->lens[i] = 0;
			break;
		case MMP_SQLVAL_INTEGER:
			r->lens[i] = (size_t)snprintf(r->num[i], 32, "%lld",
				(long long)mmp_store__sqlcursor_int(r->c, i));
			r->vals[i] = r->num[i];
			break;
		case MMP_SQLVAL_FLOAT:
			r->lens[i] = fmt_double(r->num[i],
				mmp_store__sqlcursor_double(r->c, i));
			r->vals[i] = r->num[i];
			break;
		case MMP_SQLVAL_TEXT:
			r->vals[i] = mmp_store__sqlcursor_text(r->c, i,
				&r->lens[i]);
			break;
		case MMP_SQLVAL_BLOB:
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s: row %llu: column '%s' holds a BLOB; mmp "
				"reads numbers and text", r->name,
				(unsigned long long)r->rows, r->names[i]);
		}
	}
	return 1;
}

/*
 * Type the undeclared columns by the values of the first rows, held for
 * the builder: text when any value is text, else a number (an integer
 * when every value is one); an all-NULL column is numeric.
 */
static int rd_sniff(struct rd *r, bool keep)
{
	bool *seen = mmp__calloc(r->n + 1, sizeof(*seen));
	size_t i, undecided = 0;
	int rc = 1;

	for (i = 0; i < r->n; i++)
		undecided += !r->decided[i];
	while (undecided && r->held.nrows < SNIFF_ROWS) {
		if ((rc = rd_step(r)) <= 0)
			break;
		for (i = 0; i < r->n; i++) {
			mmp_sqlval_type t;
			mmp_csv_type ct;
			if (r->decided[i])
				continue;
			t = mmp_store__sqlcursor_type(r->c, i);
			if (t == MMP_SQLVAL_NULL)
				continue;
			ct = t == MMP_SQLVAL_INTEGER ? MMP_CSV_TYPE_INTEGER :
				t == MMP_SQLVAL_FLOAT ? MMP_CSV_TYPE_NUMBER :
				MMP_CSV_TYPE_STRING;
			/* INTEGER < NUMBER < STRING: the widest seen wins */
			if (!seen[i] || ct > r->types[i])
				r->types[i] = ct;
			seen[i] = true;
		}
		if (!keep)
			continue;
		MMP_ALLOC_GROW(r->held.vals, (r->held.nrows + 1) * r->n,
			r->held.alloc);
		r->held.lens = mmp__reallocarray(r->held.lens, r->held.alloc,
			sizeof(*r->held.lens));
		for (i = 0; i < r->n; i++) {
			size_t k = r->held.nrows * r->n + i;
			r->held.vals[k] = r->vals[i] ?
				mmp__strndup(r->vals[i], r->lens[i]) : NULL;
			r->held.lens[k] = r->lens[i];
		}
		r->held.nrows++;
	}
	for (i = 0; i < r->n; i++)
		if (!r->decided[i] && !seen[i])
			r->types[i] = MMP_CSV_TYPE_EMPTY;
	free(seen);
	return rc < 0 ? rc : 0;
}

static int sqlite_header(mmp_csv_header **out, const mmp_source *src)
{
	mmp_buf name = MMP_BUF_INIT;
	struct rd r;
	int err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	mmp_source_redact(&name, src->location);
	r.name = name.ptr;
	if ((err = rd_open(&r, src)) == 0 && (err = rd_sniff(&r, false)) == 0)
		*out = mmp_data__header_new((const char *const *)r.names,
			r.types, r.n);
	rd_release(&r);
	mmp_buf_dispose(&name);
	return err;
}

static int sqlite_load(mmp_frame **out, mmp_source_info *info,
	const mmp_source *src, const mmp_csv_spec *spec,
	const mmp_csv_options *opts)
{
	mmp_buf name = MMP_BUF_INIT;
	struct mmp_data__builder *b = NULL;
	struct rd r;
	size_t i;
	int err, rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	mmp_source_redact(&name, src->location);
	r.name = name.ptr;
	info->location = mmp__strdup(name.ptr);
	info->server_version = mmp__strdup(mmp_store__sqlfile_version());
	if ((err = rd_open(&r, src)) < 0)
		goto done;
	info->query = mmp__strdup(r.sql.ptr);
	if ((err = rd_sniff(&r, true)) < 0 ||
	    (err = mmp_data__builder_new(&b, name.ptr,
	    (const char *const *)r.names, r.types, r.n, spec)) < 0)
		goto done;
	for (i = 0; i < r.held.nrows; i++)
		if ((err = mmp_data__builder_add(b, (const char *const *)
		    &r.held.vals[i * r.n], &r.held.lens[i * r.n])) < 0)
			goto done;
	/* the rows after the sniff come straight from the cursor */
	while ((rc = rd_step(&r)) > 0) {
		if ((err = mmp_data__builder_add(b, r.vals, r.lens)) < 0)
			goto done;
		if (opts && opts->progress && !(r.rows % PROGRESS_ROWS))
			opts->progress(r.rows, 0, opts->payload);
	}
	if ((err = rc) < 0)
		goto done;
	info->rows = mmp_data__builder_rows(b);
	err = mmp_data__builder_finish(b, out, spec && spec->allow_empty);
done:
	mmp_data__builder_free(b);
	rd_release(&r);
	mmp_buf_dispose(&name);
	return err;
}

static int sqlite_scan(mmp_source_info *info, const mmp_source *src,
	int (*head)(void *payload, const char *const *names,
		const mmp_csv_type *types, size_t n),
	int (*row)(void *payload, const char *const *vals,
		const size_t *lens),
	void *payload)
{
	mmp_buf name = MMP_BUF_INIT;
	struct rd r;
	size_t i;
	int err, rc;

	memset(&r, 0, sizeof(r));
	mmp_source_redact(&name, src->location);
	r.name = name.ptr;
	info->location = mmp__strdup(name.ptr);
	info->server_version = mmp__strdup(mmp_store__sqlfile_version());
	if ((err = rd_open(&r, src)) < 0)
		goto done;
	info->query = mmp__strdup(r.sql.ptr);
	if ((err = rd_sniff(&r, true)) < 0 ||
	    (err = head(payload, (const char *const *)r.names, r.types,
	    r.n)) < 0)
		goto done;
	for (i = 0; i < r.held.nrows; i++)
		if ((err = row(payload, (const char *const *)
		    &r.held.vals[i * r.n], &r.held.lens[i * r.n])) < 0)
			goto done;
	while ((rc = rd_step(&r)) > 0)
		if ((err = row(payload, r.vals, r.lens)) < 0)
			goto done;
	err = rc;
	info->rows = r.rows;
done:
	rd_release(&r);
	mmp_buf_dispose(&name);
	return err;
}

/* mmp doctor: the file opens read-only and the query compiles */
static int sqlite_check(mmp_source_check_result *out, const mmp_source *src)
{
	mmp_buf name = MMP_BUF_INIT, path = MMP_BUF_INIT, sql = MMP_BUF_INIT;
	mmp_sqlfile *f = NULL;
	mmp_sqlcursor *c = NULL;
	int immutable;

	mmp_source_redact(&name, src->location);
	out->location = mmp_buf_detach(&name);
	if (mmp_data__sqlite_location(&path, &immutable, NULL,
	    src->location) < 0 ||
	    mmp_store__sqlfile_open(&f, path.ptr, immutable ?
	    MMP_SQLFILE_IMMUTABLE : MMP_SQLFILE_READ) < 0)
		goto failed;
	out->reached = 1;
	out->authenticated = 1;
	out->server_version = mmp__strdup(mmp_store__sqlfile_version());
	if (source_sql(&sql, src) < 0 ||
	    mmp_store__sqlcursor_open(&c, f, sql.ptr, true) < 0)
		goto failed;
	out->parsed = 1;
	goto done;
failed:
	out->error = mmp__strdup(mmp_error_last()->message);
	mmp_error_clear();
done:
	mmp_store__sqlcursor_free(c);
	mmp_store__sqlfile_close(f);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&sql);
	return 0;
}

const struct mmp_data__reader mmp_data__sqlite_reader = {
	MMP_SOURCE_SQLITE, sqlite_load, sqlite_header, sqlite_check,
	sqlite_scan
};
