/* SPDX-License-Identifier: MIT */
/* pg-conn.h: a PostgreSQL connection shared by the reader (pg.c) and
 * the writer (pg-write.c); messages never hold a password */
#ifndef LIB_data_pg_conn_h__
#define LIB_data_pg_conn_h__

#include "data-internal.h"
#include "pg-load.h"

/* one open connection and what is known of it */
struct mmp_data__pg {
	PGconn *conn;
	char *where;           /* redacted location, for messages */
	char *secrets[3];      /* passwords to keep out of messages */
	size_t nsecrets;
};

/*
 * Connect to `location` the way libpq does (URI, PG* variables,
 * ~/.pgpass, sslmode), then fix the session's text formats: ISO dates
 * in UTC, floats that read back exactly. Errors: MMP_ENET (cannot
 * connect or log in), MMP_EINVALID, MMP_ERROR (no libpq). Close `pg`
 * with mmp_data__pg_close() also after an error.
 */
int mmp_data__pg_open(struct mmp_data__pg *pg, const char *location);
void mmp_data__pg_close(struct mmp_data__pg *pg);
/* set the error "WHERE: WHAT: DETAIL" with the passwords scrubbed from
 * DETAIL (a libpq message); returns `code` */
int mmp_data__pg_error(const struct mmp_data__pg *pg, int code, int klass,
	const char *what, const char *detail);
/* run one statement that returns no rows; MMP_EINVALID naming `what` */
int mmp_data__pg_run(struct mmp_data__pg *pg, const char *sql,
	const char *what);

#endif
