/* SPDX-License-Identifier: MIT */
/* pg.c: PostgreSQL sources through libpq: connect, type columns by OID,
 * stream the rows through a cursor into the frame builder */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data-internal.h"
#include "pg-conn.h"

#define FETCH_ROWS 10000   /* rows per FETCH: libpq holds one batch */
#define CURSOR "mmp_rows"

/* built-in type OIDs (pg_type.dat; stable across releases) */
enum {
	OID_BOOL = 16, OID_CHAR = 18, OID_NAME = 19, OID_INT8 = 20,
	OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26,
	OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_BPCHAR = 1042,
	OID_VARCHAR = 1043, OID_DATE = 1082, OID_TIMESTAMP = 1114,
	OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700
};

/* how a column's text is read */
enum col_kind {
	K_BAD = 0,     /* a type mmp does not read */
	K_NUMBER,      /* decimal text */
	K_INTEGER,
	K_BOOL,        /* "t"/"f" read as 1/0 */
	K_TEXT,        /* categorical */
	K_TIME         /* ISO 8601 text (DateStyle ISO, UTC) */
};


/* ---- messages without passwords ---- */

static void add_secret(struct mmp_data__pg *pg, const char *s)
{
	size_t i;

	if (!s || !*s || pg->nsecrets >= ARRAY_SIZE(pg->secrets))
		return;
	for (i = 0; i < pg->nsecrets; i++)
		if (!strcmp(pg->secrets[i], s))
			return;
	pg->secrets[pg->nsecrets++] = mmp__strdup(s);
}

/* the password the location spells, raw and percent-encoded */
static void location_secrets(struct mmp_data__pg *pg, const char *location)
{
	PQconninfoOption *opts = PQconninfoParse(location, NULL), *o;
	const char *p, *auth, *end, *at = NULL, *colon;

	for (o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password"))
			add_secret(pg, o->val);
	PQconninfoFree(opts);
	/* the encoded form, as a parse error may quote the text */
	p = strstr(location, "://");
	if (!p)
		return;
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at && (colon = memchr(auth, ':', (size_t)(at - auth)))) {
		char *enc = mmp__strndup(colon + 1, (size_t)(at - colon - 1));
		add_secret(pg, enc);
		free(enc);
	}
}

/* `msg` with each secret replaced by "***", lines joined by "; " */
static void scrub(mmp_buf *out, const struct mmp_data__pg *pg, const char *msg)
{
	mmp_buf tmp = MMP_BUF_INIT;
	const char *p;
	size_t i, n;

	mmp_buf_puts(&tmp, msg ? msg : "");
	for (i = 0; i < pg->nsecrets; i++) {
		const char *s = pg->secrets[i], *hit;
		mmp_buf next = MMP_BUF_INIT;

		for (p = tmp.ptr; (hit = strstr(p, s)); p = hit + strlen(s)) {
			mmp_buf_put(&next, p, (size_t)(hit - p));
			mmp_buf_puts(&next, "***");
		}
		mmp_buf_puts(&next, p);
		mmp_buf_dispose(&tmp);
		tmp = next;
	}
	/* libpq's text is multi-line, with a final line break */
	n = tmp.size;
	while (n && (tmp.ptr[n - 1] == '\n' || tmp.ptr[n - 1] == ' '))
		n--;
	for (i = 0; i < n; i++) {
		if (tmp.ptr[i] != '\n') {
			mmp_buf_putc(out, tmp.ptr[i]);
			continue;
		}
		mmp_buf_puts(out, "; ");
		while (i + 1 < n && tmp.ptr[i + 1] == ' ')
			i++;
	}
	mmp_buf_dispose(&tmp);
}

int mmp_data__pg_error(const struct mmp_data__pg *pg, int code, int klass,
	const char *what, const char *detail)
{
	mmp_buf b = MMP_BUF_INIT;
	int err;

	scrub(&b, pg, detail);
	err = mmp_error_ret(code, klass, "%s: %s: %s", pg->where, what,
		b.ptr);
	mmp_buf_dispose(&b);
	return err;
}

/* ---- connecting ---- */

void mmp_data__pg_close(struct mmp_data__pg *pg)
{
	size_t i;

	if (pg->conn)
		PQfinish(pg->conn);
	free(pg->where);
	for (i = 0; i < pg->nsecrets; i++)
		free(pg->secrets[i]);
	memset(pg, 0, sizeof(*pg));
}

int mmp_data__pg_run(struct mmp_data__pg *pg, const char *sql, const char *what)
{
	PGresult *res = PQexec(pg->conn, sql);
	int err = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA, what,
			PQresultErrorMessage(res));
	PQclear(res);
	return err;
}

/* the connection parameters: the URI, expanded last, wins */
static void conn_params(const char *keys[4], const char *vals[4],
	const char *location)
{
	size_t n = 0;

	if (!getenv("PGCONNECT_TIMEOUT")) {
		keys[n] = "connect_timeout";
		vals[n++] = "10";
	}
	keys[n] = "application_name";
	vals[n++] = "mmp";
	keys[n] = "dbname";
	vals[n++] = location;
	keys[n] = NULL;
	vals[n] = NULL;
}

/* redact the location and load libpq; the secrets to scrub */
static int pg_prepare(struct mmp_data__pg *pg, const char *location)
{
	mmp_buf where = MMP_BUF_INIT;

	memset(pg, 0, sizeof(*pg));
	mmp_source_redact(&where, location);
	pg->where = mmp_buf_detach(&where);
	if (mmp_data__pq_load() < 0)
		return MMP_ERROR;
	location_secrets(pg, location);
	add_secret(pg, getenv("PGPASSWORD"));
	return 0;
}

int mmp_data__pg_open(struct mmp_data__pg *pg, const char *location)
{
	static const char *const session[] = {
		"SET DateStyle = ISO, YMD", "SET TimeZone = 'UTC'",
		"SET extra_float_digits = 3",
		/* libpq prints notices on stderr: keep only warnings */
		"SET client_min_messages = WARNING"
	};
	const char *keys[4], *vals[4];
	size_t i;
	int err;

	if ((err = pg_prepare(pg, location)) < 0)
		return err;
	conn_params(keys, vals, location);
	pg->conn = PQconnectdbParams(keys, vals, 1);
	if (!pg->conn)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_NOMEMORY,
			"%s: cannot connect: out of memory", pg->where);
	add_secret(pg, PQpass(pg->conn));
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return mmp_data__pg_error(pg, MMP_ENET, MMP_ERROR_NET,
			"cannot connect", PQerrorMessage(pg->conn));
	for (i = 0; i < ARRAY_SIZE(session) && !err; i++)
		err = mmp_data__pg_run(pg, session[i],
			"cannot set the session");
	return err;
}

static char *server_version(const struct mmp_data__pg *pg)
{
	const char *v = PQparameterStatus(pg->conn, "server_version");
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_printf(&b, "PostgreSQL %s", v ? v : "(unknown)");
	return mmp_buf_detach(&b);
}

/* ---- the SQL that runs ---- */

/* the table "schema.name" (split at the first dot) as quoted SQL */
static int table_sql(mmp_buf *out, const struct mmp_data__pg *pg,
	const char *table)
{
	const char *dot = strchr(table, '.');
	size_t i, nparts = dot ? 2 : 1;
	char *parts[2];
	int err = 0;

	parts[0] = dot ? mmp__strndup(table, (size_t)(dot - table)) :
		mmp__strdup(table);
	parts[1] = dot ? mmp__strdup(dot + 1) : NULL;
	mmp_buf_puts(out, "SELECT * FROM ");
	for (i = 0; i < nparts && !err; i++) {
		char *q;
		if (!*parts[i]) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s: table '%s': an empty name", pg->where,
				table);
			break;
		}
		q = PQescapeIdentifier(pg->conn, parts[i], strlen(parts[i]));
		if (!q) {
			err = mmp_data__pg_error(pg, MMP_EINVALID,
				MMP_ERROR_DATA,
				"cannot quote the table name",
				PQerrorMessage(pg->conn));
			break;
		}
		mmp_buf_printf(out, "%s%s", i ? "." : "", q);
		PQfreemem(q);
	}
	free(parts[0]);
	free(parts[1]);
	return err;
}

/* the SELECT of `src`: the query without trailing ';' and blanks */
static int source_sql(mmp_buf *out, const struct mmp_data__pg *pg,
	const mmp_source *src)
{
	size_t n;

	if (src->table)
		return table_sql(out, pg, src->table);
	n = strlen(src->query);
	while (n && strchr(" \t\r\n;", src->query[n - 1]))
		n--;
	if (!n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the query is empty", pg->where);
	mmp_buf_put(out, src->query, n);
	return 0;
}

/* ---- column types ---- */

struct cols {
	size_t n;
	char **names;
	Oid *oids;
	enum col_kind *kinds;
	mmp_csv_type *types;
	char **type_names;
};

static void cols_release(struct cols *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->type_names[i]);
	}
	free(c->names);
	free(c->oids);
	free(c->kinds);
	free(c->types);
	free(c->type_names);
	memset(c, 0, sizeof(*c));
}

static enum col_kind builtin_kind(Oid oid)
{
	switch (oid) {
	case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
		return K_INTEGER;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return K_NUMBER;
	case OID_BOOL:
		return K_BOOL;
	case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME:
	case OID_CHAR:
		return K_TEXT;
	case OID_DATE: case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
		return K_TIME;
	}
	return K_BAD;
}

/*
 * The kind and name of every column of `res`, from the catalog: a
 * domain reads as its base type, an enum or any string type (citext)
 * as text; everything else not built in is K_BAD.
 */
static int cols_from(struct cols *c, struct mmp_data__pg *pg,
	const PGresult *res)
{
	static const char sql[] =
		"SELECT t.oid, t.typtype, t.typcategory, "
		"format_type(t.oid, NULL), "
		"CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE 0 END "
		"FROM pg_catalog.pg_type t WHERE t.oid = ANY($1::oid[])";
	mmp_buf list = MMP_BUF_INIT;
	const char *param[1];
	PGresult *cat;
	size_t i;
	int r, err = 0;

	memset(c, 0, sizeof(*c));
	c->n = (size_t)PQnfields(res);
	c->names = mmp__calloc(c->n + 1, sizeof(*c->names));
	c->oids = mmp__calloc(c->n + 1, sizeof(*c->oids));
	c->kinds = mmp__calloc(c->n + 1, sizeof(*c->kinds));
	c->types = mmp__calloc(c->n + 1, sizeof(*c->types));
	c->type_names = mmp__calloc(c->n + 1, sizeof(*c->type_names));
	mmp_buf_putc(&list, '{');
	for (i = 0; i < c->n; i++) {
		c->names[i] = mmp__strdup(PQfname(res, (int)i));
		c->oids[i] = PQftype(res, (int)i);
		mmp_buf_printf(&list, "%s%u", i ? "," : "", c->oids[i]);
	}
	mmp_buf_putc(&list, '}');
	param[0] = list.ptr;
	cat = PQexecParams(pg->conn, sql, 1, NULL, param, NULL, NULL, 0);
	if (PQresultStatus(cat) != PGRES_TUPLES_OK) {
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"cannot read the column types",
			PQresultErrorMessage(cat));
		goto done;
	}
	for (i = 0; i < c->n; i++) {
		c->kinds[i] = builtin_kind(c->oids[i]);
		for (r = 0; r < PQntuples(cat); r++) {
			const char *typtype, *cat_;
			if ((Oid)strtoul(PQgetvalue(cat, r, 0), NULL, 10) !=
			    c->oids[i])
				continue;
			typtype = PQgetvalue(cat, r, 1);
			cat_ = PQgetvalue(cat, r, 2);
			c->type_names[i] = mmp__strdup(PQgetvalue(cat, r, 3));
			if (c->kinds[i] != K_BAD)
				break;
			if (*typtype == 'e' || *cat_ == 'S')
				c->kinds[i] = K_TEXT;
			else if (*typtype == 'd')
				c->kinds[i] = builtin_kind((Oid)strtoul(
					PQgetvalue(cat, r, 4), NULL, 10));
			break;
		}
		if (!c->type_names[i]) {
			char num[32];
			snprintf(num, sizeof(num), "oid %u", c->oids[i]);
			c->type_names[i] = mmp__strdup(num);
		}
		c->types[i] = c->kinds[i] == K_INTEGER ||
			c->kinds[i] == K_BOOL ? MMP_CSV_TYPE_INTEGER :
			c->kinds[i] == K_NUMBER ? MMP_CSV_TYPE_NUMBER :
			MMP_CSV_TYPE_STRING;
	}
done:
	PQclear(cat);
	mmp_buf_dispose(&list);
	return err;
}

static int bad_type(const struct mmp_data__pg *pg, const struct cols *c,
	size_t i)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
		"%s: column '%s' has type %s, which mmp cannot read (cast it "
		"in the query, e.g. to text or a number)", pg->where,
		c->names[i], c->type_names[i]);
}

/* ---- reading ---- */

/* the columns of the SELECT, described without running it */
static int describe(struct cols *c, struct mmp_data__pg *pg, const char *sql)
{
	PGresult *res = PQprepare(pg->conn, "", sql, 0, NULL);
	int err;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"the query failed", PQresultErrorMessage(res));
		PQclear(res);
		return err;
	}
	PQclear(res);
	res = PQdescribePrepared(pg->conn, "");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"the query failed", PQresultErrorMessage(res));
	else if (PQnfields(res) == 0)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the query returns no columns", pg->where);
	else
		err = cols_from(c, pg, res);
	PQclear(res);
	return err;
}

static int pg_header(mmp_csv_header **out, const mmp_source *src)
{
	struct mmp_data__pg pg;
	struct cols c = { 0 };
	mmp_buf sql = MMP_BUF_INIT;
	int err;

	*out = NULL;
	if (!(err = mmp_data__pg_open(&pg, src->location)) &&
	    !(err = source_sql(&sql, &pg, src)) &&
	    !(err = describe(&c, &pg, sql.ptr)))
		*out = mmp_data__header_new((const char *const *)c.names,
			c.types, c.n);
	cols_release(&c);
	mmp_buf_dispose(&sql);
	mmp_data__pg_close(&pg);
	return err;
}

/* each row of one FETCH as text values (NULL for SQL NULL) to `fn` */
static int each_row(const struct cols *c, const PGresult *res,
	const char **vals, size_t *lens,
	int (*fn)(void *payload, const char *const *vals, const size_t *lens),
	void *payload)
{
	int r, nr = PQntuples(res);
	size_t i;
	int err;

	for (r = 0; r < nr; r++) {
		for (i = 0; i < c->n; i++) {
			if (PQgetisnull(res, r, (int)i)) {
				vals[i] = NULL;
				lens[i] = 0;
				continue;
			}
			vals[i] = PQgetvalue(res, r, (int)i);
			lens[i] = (size_t)PQgetlength(res, r, (int)i);
			if (c->kinds[i] == K_BOOL) {
				vals[i] = *vals[i] == 't' ? "1" : "0";
				lens[i] = 1;
			}
		}
		if ((err = fn(payload, vals, lens)) < 0)
			return err;
	}
	return 0;
}

/*
 * Run `sql` through a cursor in a read-only transaction, FETCH_ROWS at
 * a time (libpq holds one batch), each row to `fn`; `batch` (if not
 * NULL) after each FETCH. Returns the rows read in `*rows`.
 */
static int cursor_rows(struct mmp_data__pg *pg, const struct cols *c,
	const char *sql,
	int (*fn)(void *payload, const char *const *vals, const size_t *lens),
	void (*batch)(void *payload, uint64_t rows), void *payload,
	uint64_t *rows)
{
	mmp_buf decl = MMP_BUF_INIT;
	PGresult *res = NULL;
	const char **vals;
	size_t *lens;
	char fetch[64];
	int err;

	*rows = 0;
	vals = mmp__calloc(c->n + 1, sizeof(*vals));
	lens = mmp__calloc(c->n + 1, sizeof(*lens));
	/* a read-only transaction: the cursor streams, nothing changes */
	if ((err = mmp_data__pg_run(pg, "BEGIN TRANSACTION READ ONLY",
		    "cannot start a transaction")) < 0)
		goto done;
	mmp_buf_printf(&decl, "DECLARE " CURSOR " NO SCROLL CURSOR FOR %s",
		sql);
	/* one statement only: the extended protocol refuses more */
	res = PQexecParams(pg->conn, decl.ptr, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		err = mmp_data__pg_error(pg, MMP_EINVALID, MMP_ERROR_DATA,
			"the query failed", PQresultErrorMessage(res));
		goto done;
	}
	snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM " CURSOR,
		FETCH_ROWS);
	for (;;) {
		PQclear(res);
		res = PQexec(pg->conn, fetch);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			err = mmp_data__pg_error(pg, MMP_EINVALID,
				MMP_ERROR_DATA,
				"the query failed", PQresultErrorMessage(res));
			goto done;
		}
		if (!PQntuples(res))
			break;
		if ((err = each_row(c, res, vals, lens, fn, payload)) < 0)
			goto done;
		*rows += (uint64_t)PQntuples(res);
		if (batch)
			batch(payload, *rows);
	}
	PQclear(res);
	res = NULL;
	err = mmp_data__pg_run(pg, "COMMIT", "cannot end the transaction");
done:
	PQclear(res);
	free(vals);
	free(lens);
	mmp_buf_dispose(&decl);
	return err;
}

/* the connection, the SQL, its columns: what load and scan share */
static int pg_begin(struct mmp_data__pg *pg, mmp_buf *sql, struct cols *c,
	mmp_source_info *info, const mmp_source *src)
{
	int err;

	if ((err = mmp_data__pg_open(pg, src->location)) < 0)
		return err;
	info->location = mmp__strdup(pg->where);
	info->server_version = server_version(pg);
	if ((err = source_sql(sql, pg, src)) < 0)
		return err;
	info->query = mmp__strdup(sql->ptr);
	return describe(c, pg, sql->ptr);
}

struct load {
	struct mmp_data__builder *b;
	const mmp_csv_options *opts;
};

static int load_row(void *payload, const char *const *vals,
	const size_t *lens)
{
	return mmp_data__builder_add(((struct load *)payload)->b, vals,
		lens);
}

static void load_batch(void *payload, uint64_t rows)
{
	const mmp_csv_options *opts = ((struct load *)payload)->opts;

	if (opts && opts->progress)
		opts->progress(rows, 0, opts->payload);
}

static int pg_load(mmp_frame **out, mmp_source_info *info,
	const mmp_source *src, const mmp_csv_spec *spec,
	const mmp_csv_options *opts)
{
	struct mmp_data__pg pg;
	struct cols c = { 0 };
	struct load l = { NULL, opts };
	mmp_buf sql = MMP_BUF_INIT;
	uint64_t rows;
	size_t i;
	int err;

	*out = NULL;
	if ((err = pg_begin(&pg, &sql, &c, info, src)) < 0)
		goto done;
	if ((err = mmp_data__builder_new(&l.b, pg.where,
		    (const char *const *)c.names, c.types, c.n, spec)) < 0)
		goto done;
	for (i = 0; i < c.n; i++)
		if (c.kinds[i] == K_BAD && mmp_data__builder_reads(l.b, i)) {
			err = bad_type(&pg, &c, i);
			goto done;
		}
	if ((err = cursor_rows(&pg, &c, sql.ptr, load_row, load_batch, &l,
	    &rows)) < 0)
		goto done;
	if (!rows && !(spec && spec->allow_empty)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the query returned no rows", pg.where);
		goto done;
	}
	err = mmp_data__builder_finish(l.b, out, true);
	if (!err)
		info->rows = mmp_frame_nrows(*out);
done:
	mmp_data__builder_free(l.b);
	cols_release(&c);
	mmp_buf_dispose(&sql);
	mmp_data__pg_close(&pg);
	return err;
}

/*
 * Every column of every row as text to `row`, as pg_load reads them:
 * numbers as the server prints them (floats exactly), booleans as 1/0,
 * times in ISO 8601 UTC, other types in their text form (the caller
 * decides which columns it reads).
 */
static int pg_scan(mmp_source_info *info, const mmp_source *src,
	int (*head)(void *payload, const char *const *names,
		const mmp_csv_type *types, size_t n),
	int (*row)(void *payload, const char *const *vals,
		const size_t *lens),
	void *payload)
{
	struct mmp_data__pg pg;
	struct cols c = { 0 };
	mmp_buf sql = MMP_BUF_INIT;
	uint64_t rows = 0;
	int err;

	if ((err = pg_begin(&pg, &sql, &c, info, src)) < 0 ||
	    (err = head(payload, (const char *const *)c.names, c.types,
	    c.n)) < 0 ||
	    (err = cursor_rows(&pg, &c, sql.ptr, row, NULL, payload,
	    &rows)) < 0)
		goto done;
	info->rows = rows;
done:
	cols_release(&c);
	mmp_buf_dispose(&sql);
	mmp_data__pg_close(&pg);
	return err;
}

static void check_failed(mmp_source_check_result *out,
	const struct mmp_data__pg *pg,
	const char *what, const char *detail)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_printf(&b, "%s: ", what);
	scrub(&b, pg, detail);
	out->error = mmp_buf_detach(&b);
}

static int pg_check(mmp_source_check_result *out, const mmp_source *src)
{
	const char *keys[4], *vals[4];
	struct mmp_data__pg pg;
	mmp_buf sql = MMP_BUF_INIT, ex = MMP_BUF_INIT;
	PGresult *res = NULL;
	PGPing ping;
	int err;

	if ((err = pg_prepare(&pg, src->location)) < 0)
		goto done;
	out->location = mmp__strdup(pg.where);
	conn_params(keys, vals, src->location);
	ping = PQpingParams(keys, vals, 1);
	out->reached = ping == PQPING_OK || ping == PQPING_REJECT;
	pg.conn = PQconnectdbParams(keys, vals, 1);
	if (!pg.conn) {
		out->error = mmp__strdup("cannot connect: out of memory");
		goto done;
	}
	add_secret(&pg, PQpass(pg.conn));
	if (PQstatus(pg.conn) != CONNECTION_OK) {
		check_failed(out, &pg, out->reached ? "cannot log in" :
			"cannot reach the server", PQerrorMessage(pg.conn));
		goto done;
	}
	out->reached = 1;
	out->authenticated = 1;
	out->server_version = server_version(&pg);
	if ((err = source_sql(&sql, &pg, src)) < 0) {
		out->error = mmp__strdup(mmp_error_last()->message);
		mmp_error_clear();
		err = 0;
		goto done;
	}
	mmp_buf_printf(&ex, "EXPLAIN %s", sql.ptr);
	res = PQexecParams(pg.conn, ex.ptr, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		out->parsed = 1;
	else
		check_failed(out, &pg, "the query does not parse",
			PQresultErrorMessage(res));
done:
	PQclear(res);
	mmp_buf_dispose(&sql);
	mmp_buf_dispose(&ex);
	mmp_data__pg_close(&pg);
	return err;
}

const struct mmp_data__reader mmp_data__pg_reader = {
	MMP_SOURCE_POSTGRESQL, pg_load, pg_header, pg_check, pg_scan
};
