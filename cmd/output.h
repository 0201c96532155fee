/* SPDX-License-Identifier: MIT */
/* output.h: human tables, colour and --json documents for the commands */
#ifndef CMD_output_h__
#define CMD_output_h__

#include <stdio.h>
#include <cjson/cJSON.h>

#include "mmp/buf.h"

#include "cmd.h"

/* resolve --color (NULL: auto) and NO_COLOR into ctx->color_* */
void output_setup_color(struct mmp_ctx *ctx, const char *when);

#define COLOR_RESET "\033[m"
#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_BLUE "\033[34m"
#define COLOR_BOLD "\033[1m"
#define COLOR_DIM "\033[2m"
/* `code` when colour is on for stdout, else "" */
const char *color(const struct mmp_ctx *ctx, const char *code);
const char *color_err(const struct mmp_ctx *ctx, const char *code);

/* a --json document: an object holding "schema_version": 1 */
cJSON *json_doc_new(void);
/* print compactly with a newline on stdout, then free it */
void json_print(cJSON *doc);
/* add a number that may be NaN or infinite (as the strings MLflow uses) */
cJSON *json_add_number(cJSON *obj, const char *key, double v);

/*
 * Free text (names, descriptions, notes, tag values, who did what) made
 * safe for a terminal: control characters (C0, DEL, C1) are written as
 * \n, \t, \r or \xHH / \u00HH, bytes that are not UTF-8 as \xHH, so
 * that no text can move the cursor, colour the screen or fake a line.
 * Returns `s` itself when nothing needs escaping, else a copy that
 * stays valid for the next 15 calls. NULL gives "".
 */
const char *tsafe(const char *s);
/* the same into `out` (appended) */
void term_escape(mmp_buf *out, const char *s);

/*
 * An aligned text table. table_print() fits it to the terminal: the
 * width is $COLUMNS, else that of the terminal on `out`, else unlimited
 * (a pipe gets whole values). The widest left-aligned text columns are
 * narrowed first; a cut value ends with an ellipsis. Right-aligned
 * (numeric) columns and those marked `keep` (ids, times, states) are
 * never cut. Cells are escaped with term_escape().
 */
struct table {
	size_t ncols, nrows, alloc;
	const char **headers;
	char **cells;          /* nrows * ncols, owned */
	int *right;            /* per column: right-align */
	int *keep;             /* per column: never cut */
	size_t *show;          /* columns to print, in order (NULL: all) */
	size_t nshow;
};
void table_init(struct table *t, size_t ncols, const char **headers);
/* mark the columns named in `cols` (n of them) as never cut */
void table_keep(struct table *t, const size_t *cols, size_t n);
/* add a row of ncols strings (copied; NULL prints as "") */
void table_add(struct table *t, const char **cells);
void table_addf(struct table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * --columns: print only the columns named in the comma-separated
 * `spec` (headers, case-insensitive), in that order. Returns 0, or -1
 * after an error naming the unknown column and the known ones.
 */
int table_select(struct table *t, const char *spec);
void table_print(struct table *t, FILE *out, const struct mmp_ctx *ctx);
void table_release(struct table *t);
/* the width tables are fitted to on `out`; 0 when unlimited */
size_t output_width(FILE *out);
/* the help text of every --columns option */
#define COLUMNS_HELP "print only these columns, e.g. name,status"

#endif
