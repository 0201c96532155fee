/* SPDX-License-Identifier: MIT */
/* sqlfile.h: a small, generic cursor over a foreign SQLite file (a
 * user's database, not the store): open, prepare, bind, step, columns */
#ifndef LIB_store_sqlfile_h__
#define LIB_store_sqlfile_h__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmp/buf.h"

/*
 * This knows nothing of frames or runs: callers (lib/data) build their
 * SQL from the user's query and quoted identifiers (see
 * mmp_store__sqlfile_quote()) and read values. Every error message names
 * the file as given to mmp_store__sqlfile_open(), and the SQLite reason.
 */
typedef struct mmp_sqlfile mmp_sqlfile;
typedef struct mmp_sqlcursor mmp_sqlcursor;

enum {
	MMP_SQLFILE_READ = 0,        /* read-only (mode=ro) */
	MMP_SQLFILE_IMMUTABLE = 1,   /* read-only, and the file never changes
					(immutable=1: no locks at all) */
	MMP_SQLFILE_WRITE = 2        /* read-write, created when missing */
};

/* the type of a value, as SQLite stored it */
typedef enum {
	MMP_SQLVAL_NULL = 0,
	MMP_SQLVAL_INTEGER,
	MMP_SQLVAL_FLOAT,
	MMP_SQLVAL_TEXT,
	MMP_SQLVAL_BLOB
} mmp_sqlval_type;

/*
 * Open the SQLite file at `path` (a file name, not a URI). Reading never
 * creates or changes the file: a missing file is MMP_ENOTFOUND, a file
 * that is not a database MMP_EINVALID (the latter found at the first
 * statement). ATTACH is refused on the connection.
 */
int mmp_store__sqlfile_open(mmp_sqlfile **out, const char *path, int mode);
void mmp_store__sqlfile_close(mmp_sqlfile *f);
/* "SQLite 3.40.1" */
const char *mmp_store__sqlfile_version(void);
/* append `name` as an SQL identifier: "..." with inner quotes doubled */
void mmp_store__sqlfile_quote(mmp_buf *out, const char *name);

/*
 * Run statements that return no rows (DDL, BEGIN, COMMIT ...).
 * Errors: MMP_ELOCKED (busy past the timeout), MMP_EINVALID (bad SQL,
 * not a database), MMP_ERROR.
 */
int mmp_store__sqlfile_exec(mmp_sqlfile *f, const char *sql);

/*
 * Prepare one statement. With `readonly`, a statement that would write
 * is refused (MMP_EINVALID). Text after the statement other than blanks,
 * comments and semicolons is refused: one statement only.
 */
int mmp_store__sqlcursor_open(mmp_sqlcursor **out, mmp_sqlfile *f,
	const char *sql, bool readonly);
void mmp_store__sqlcursor_free(mmp_sqlcursor *c);
/* 1 with a row, 0 at the end, < 0 an error */
int mmp_store__sqlcursor_step(mmp_sqlcursor *c);
/* back to before the first row, bindings kept */
void mmp_store__sqlcursor_reset(mmp_sqlcursor *c);

size_t mmp_store__sqlcursor_ncolumns(const mmp_sqlcursor *c);
const char *mmp_store__sqlcursor_name(const mmp_sqlcursor *c, size_t i);
/* the declared type of a result column, or NULL (an expression) */
const char *mmp_store__sqlcursor_decltype(const mmp_sqlcursor *c, size_t i);

/* the current row's value i; text is valid until the next step */
mmp_sqlval_type mmp_store__sqlcursor_type(const mmp_sqlcursor *c, size_t i);
int64_t mmp_store__sqlcursor_int(const mmp_sqlcursor *c, size_t i);
double mmp_store__sqlcursor_double(const mmp_sqlcursor *c, size_t i);
const char *mmp_store__sqlcursor_text(const mmp_sqlcursor *c, size_t i,
	size_t *len);

/* bind parameter i (1-based); text is copied */
int mmp_store__sqlcursor_bind_text(mmp_sqlcursor *c, int i, const char *s,
	size_t len);
int mmp_store__sqlcursor_bind_double(mmp_sqlcursor *c, int i, double v);
int mmp_store__sqlcursor_bind_null(mmp_sqlcursor *c, int i);

#endif
