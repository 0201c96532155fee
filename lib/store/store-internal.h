/* SPDX-License-Identifier: MIT */
/* store-internal.h: the store handle, statement and transaction helpers */
#ifndef LIB_store_store_internal_h__
#define LIB_store_store_internal_h__

#include <sqlite3.h>

#include "mmp/store.h"
#include "util/util.h"

/*
 * Every module of lib/store/ (runs, search, and later registry, studies,
 * sync) talks to SQLite through these helpers:
 *
 *	sqlite3_stmt *st;
 *	if ((err = mmp_store__begin(s)) < 0)
 *		return err;
 *	if ((err = mmp_store__prepare(s, &st, "INSERT ... VALUES (?1)")) < 0)
 *		goto done;
 *	sqlite3_bind_text(st, 1, value, -1, SQLITE_TRANSIENT);
 *	if ((err = mmp_store__step(s, st)) < 0)
 *		goto done;
 *	err = mmp_store__commit(s);
 * done:
 *	if (err < 0)
 *		mmp_store__rollback(s);
 *
 * mmp_store__prepare() caches statements per handle, keyed by the SQL
 * text pointer (use string literals), and hands them back reset with
 * their bindings cleared. Do not hold a cached statement across another
 * use of the same SQL.
 */

struct mmp_store__stmt {
	const char *sql;
	sqlite3_stmt *st;
};

struct mmp_store {
	sqlite3 *db;
	char *path;          /* absolute db file path */
	char *dir;           /* the store directory */
	unsigned int flags;
	int schema_version;
	int busy_timeout_ms;
	int tx_depth;        /* nesting of mmp_store__begin() */
	struct mmp_store__stmt *stmts;
	size_t stmts_nr, stmts_alloc;
	char hostname[256];
	mmp_monitor_retention monitor_retention;
};

/* one step of the schema: migrations[i] takes user_version i to i + 1 */
struct mmp_store__migration {
	const char *what;
	const char *sql;   /* one or more statements */
};
extern const struct mmp_store__migration mmp_store__migrations[];
/* the SQL of later steps, one file per concern (schema-<name>.c) */
extern const char mmp_store__sql_registry[];
extern const char mmp_store__sql_tune[];
extern const char mmp_store__sql_tune_pruners[];
extern const char mmp_store__sql_sync[];
extern const char mmp_store__sql_sync_sent[];
extern const char mmp_store__sql_monitor[];
extern const char mmp_store__sql_monitor_log_indexes[];
extern const char mmp_store__sql_sync_mirror[];
extern const char mmp_store__sql_sync_mirror_content[];
extern const size_t mmp_store__migrations_nr;

/* translate a SQLite result code into an mmp error set for `what` */
int mmp_store__error(mmp_store *s, int rc, const char *what);
/* a cached statement, reset, bindings cleared */
int mmp_store__prepare(mmp_store *s, sqlite3_stmt **out, const char *sql);
/* a statement owned by the caller (sqlite3_finalize), for dynamic SQL */
int mmp_store__prepare_once(mmp_store *s, sqlite3_stmt **out,
	const char *sql);
/* step once: SQLITE_ROW, SQLITE_DONE, or a negative mmp error */
int mmp_store__step(mmp_store *s, sqlite3_stmt *st);
/* run SQL without parameters (several statements allowed) */
int mmp_store__exec(mmp_store *s, const char *sql);
/* step a statement that returns no rows to the end and reset it; 0 or
 * the store error */
int mmp_store__step_done(mmp_store *s, sqlite3_stmt *st);
/* BEGIN IMMEDIATE (retried while busy); nests by counting */
int mmp_store__begin(mmp_store *s);
int mmp_store__commit(mmp_store *s);
void mmp_store__rollback(mmp_store *s);

/* a copy of column i as text, or NULL for SQL NULL (caller frees) */
char *mmp_store__column_strdup(sqlite3_stmt *st, int i);
/* bind a text value; NULL binds SQL NULL */
int mmp_store__bind_text(sqlite3_stmt *st, int i, const char *v);

/* check that `run` exists: MMP_ENOTFOUND "no run '%s'" */
int mmp_store__run_exists(mmp_store *s, const char *run);
/* metric rows of `run`, keeping latest_metrics, inside the caller's
 * transaction; a timestamp of 0 is `now` (runs.c) */
int mmp_store__put_metrics(mmp_store *s, const char *run,
	const mmp_run_metric *m, size_t n, int64_t now);
/* validate a param/metric/tag key as MLflow does; MMP_EINVALID naming it */
int mmp_store__check_key(const char *what, const char *key);
/* is a RUNNING run (pid, pid start, host, heartbeat) dead now? */
int mmp_store__run_is_dead(const mmp_store *s, int64_t pid,
	int64_t pid_start, const char *host, int64_t heartbeat, int64_t now);
/* the start time of process `pid` in clock ticks since boot, or 0 */
int64_t mmp_store__pid_start(int64_t pid);

/* --- the filter language (filter.c) --- */

enum mmp_filter__bind_type {
	MMP_FILTER_BIND_TEXT,
	MMP_FILTER_BIND_DOUBLE,
	MMP_FILTER_BIND_INT
};

struct mmp_filter__bind {
	enum mmp_filter__bind_type type;
	char *text;
	double d;
	int64_t i;
};

/* SQL text with `?` placeholders and their values, in order */
struct mmp_filter__sql {
	mmp_buf sql;
	struct mmp_filter__bind *binds;
	size_t binds_nr, binds_alloc;
};
#define MMP_FILTER_SQL_INIT { MMP_BUF_INIT, NULL, 0, 0 }

/*
 * Append a boolean SQL expression for `filter` over the runs table
 * aliased `r` (columns r.run_uuid, r.status...) to `out`; an empty or
 * NULL filter appends "1". MMP_EINVALID with the column and token.
 */
int mmp_filter__compile(struct mmp_filter__sql *out, const char *filter);
/* append ORDER BY terms (without "ORDER BY") for one order-by clause */
int mmp_filter__order_by(struct mmp_filter__sql *out, const char *clause);
void mmp_filter__bind_text(struct mmp_filter__sql *q, const char *s,
	size_t len);
void mmp_filter__bind_int(struct mmp_filter__sql *q, int64_t v);
void mmp_filter__sql_release(struct mmp_filter__sql *q);
/* bind every value of `q` to `st`, from parameter 1 */
int mmp_filter__bind_all(const struct mmp_filter__sql *q, sqlite3_stmt *st);

/* load everything of a run into `r` (run_id set); used by get/search */
int mmp_store__run_load(mmp_store *s, mmp_run *r, int with_details);

#endif
