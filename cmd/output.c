/* SPDX-License-Identifier: MIT */
/* output.c: colour, aligned tables and --json documents */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

static int want_color(const char *when, int fd)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	if (when && !strcmp(when, "always"))
		return 1;
	if (when && !strcmp(when, "never"))
		return 0;
	if (no_color && *no_color)
		return 0;
	if (!isatty(fd))
		return 0;
	return !term || strcmp(term, "dumb");
}

void output_setup_color(struct mmp_ctx *ctx, const char *when)
{
	ctx->color_stdout = want_color(when, 1);
	ctx->color_stderr = want_color(when, 2);
}

const char *color(const struct mmp_ctx *ctx, const char *code)
{
	return ctx->color_stdout ? code : "";
}

const char *color_err(const struct mmp_ctx *ctx, const char *code)
{
	return ctx->color_stderr ? code : "";
}

cJSON *json_doc_new(void)
{
	cJSON *doc = cJSON_CreateObject();

	if (!doc)
		die("out of memory");
	cJSON_AddNumberToObject(doc, "schema_version", 1);
	return doc;
}

void json_print(cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);

	if (!s)
		die("out of memory");
	fputs(s, stdout);
	fputc('\n', stdout);
	cJSON_free(s);
	cJSON_Delete(doc);
}

cJSON *json_add_number(cJSON *obj, const char *key, double v)
{
	if (isnan(v))
		return cJSON_AddStringToObject(obj, key, "NaN");
	if (isinf(v))
		return cJSON_AddStringToObject(obj, key,
			v > 0 ? "Infinity" : "-Infinity");
	return cJSON_AddNumberToObject(obj, key, v);
}

void table_init(struct table *t, size_t ncols, const char **headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	t->right = calloc(ncols, sizeof(*t->right));
	if (!t->right)
		die("out of memory");
}

static char **new_row(struct table *t)
{
	if (t->nrows == t->alloc) {
		size_t n = t->alloc ? t->alloc * 2 : 16;
		char **cells = realloc(t->cells, n * t->ncols * sizeof(*cells));
		if (!cells)
			die("out of memory");
		t->cells = cells;
		t->alloc = n;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(char *));
	return &t->cells[t->nrows++ * t->ncols];
}

void table_add(struct table *t, const char **cells)
{
	char **row = new_row(t);
	size_t i;

	for (i = 0; i < t->ncols; i++)
		row[i] = strdup(cells[i] ? cells[i] : "");
}

void table_addf(struct table *t, size_t col, const char *fmt, ...)
{
	char **row;
	va_list ap;
	char *s = NULL;

	if (col == 0)
		new_row(t);
	row = &t->cells[(t->nrows - 1) * t->ncols];
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	free(row[col]);
	row[col] = s;
}

/* columns a code point takes on a terminal: 2 for East Asian wide and
 * full-width characters, 0 for combining marks, else 1 */
static size_t cp_width(unsigned long c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f))
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* display width of a UTF-8 string, so that table columns line up */
static size_t width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		unsigned long c = *p;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

		if (more)
			c &= 0x3fu >> more;
		p++;
		while (more-- > 0 && (*p & 0xc0) == 0x80)
			c = (c << 6) | (*p++ & 0x3f);
		n += cp_width(c);
	}
	return n;
}

void table_print(struct table *t, FILE *out, const struct mmp_ctx *ctx)
{
	size_t *w = calloc(t->ncols, sizeof(*w)), r, c;

	if (!w)
		die("out of memory");
	for (c = 0; c < t->ncols; c++)
		w[c] = width(t->headers[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t x = width(s ? s : "");
			if (x > w[c])
				w[c] = x;
		}
	fputs(color(ctx, COLOR_BOLD), out);
	for (c = 0; c < t->ncols; c++) {
		int last = c + 1 == t->ncols;
		fprintf(out, "%s%-*s", c ? "  " : "",
			last ? 0 : (int)w[c], t->headers[c]);
	}
	fprintf(out, "%s\n", color(ctx, COLOR_RESET));
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int last = c + 1 == t->ncols;
			size_t pad;
			if (!s)
				s = "";
			pad = w[c] - width(s);
			if (c)
				fputs("  ", out);
			if (t->right[c])
				fprintf(out, "%*s%s", (int)pad, "", s);
			else
				fprintf(out, "%s%*s", s, last ? 0 : (int)pad, "");
		}
		fputc('\n', out);
	}
	free(w);
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	memset(t, 0, sizeof(*t));
}

size_t cmd_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *row = calloc(lb + 1, sizeof(*row));

	if (!row)
		die("out of memory");
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	d = row[lb];
	free(row);
	return d;
}
