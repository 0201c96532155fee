/* SPDX-License-Identifier: MIT */
/* output.h: human tables, colour and --json documents for the commands */
#ifndef CMD_output_h__
#define CMD_output_h__

#include <stdio.h>
#include <cjson/cJSON.h>

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

/* a simple aligned text table */
struct table {
	size_t ncols, nrows, alloc;
	const char **headers;
	char **cells;          /* nrows * ncols, owned */
	int *right;            /* per column: right-align */
};
void table_init(struct table *t, size_t ncols, const char **headers);
/* add a row of ncols strings (copied; NULL prints as "") */
void table_add(struct table *t, const char **cells);
void table_addf(struct table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void table_print(struct table *t, FILE *out, const struct mmp_ctx *ctx);
void table_release(struct table *t);

/* edit distance for "did you mean" in the front-end */
size_t cmd_distance(const char *a, const char *b);

#endif
