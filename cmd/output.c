/* SPDX-License-Identifier: MIT */
/* output.c: colour, aligned tables and --json documents */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
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
	char *s = mmp_json_print(doc, 0);
	const unsigned char *p;

	if (!s)
		die("out of memory");
	/* JSON is UTF-8: a byte that is not (a name stored by an older
	 * mmp, a file name) becomes U+FFFD, never invalid output */
	for (p = (const unsigned char *)s; *p;) {
		size_t n = mmp_utf8_seq_len(p);
		if (n)
			fwrite(p, 1, n, stdout);
		else
			fputs("\xef\xbf\xbd", stdout);
		p += n ? n : 1;
	}
	fputc('\n', stdout);
	free(s);
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
	t->keep = calloc(ncols, sizeof(*t->keep));
	if (!t->right || !t->keep)
		die("out of memory");
}

void table_keep(struct table *t, const size_t *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cols[i] < t->ncols)
			t->keep[cols[i]] = 1;
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

void term_escape(mmp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = mmp_utf8_seq_len(p);
		if (n == 1 && *p >= 0x20 && *p != 0x7f) {
			mmp_buf_putc(out, (char)*p);
		} else if (*p == '\n') {
			mmp_buf_puts(out, "\\n");
		} else if (*p == '\t') {
			mmp_buf_puts(out, "\\t");
		} else if (*p == '\r') {
			mmp_buf_puts(out, "\\r");
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			mmp_buf_printf(out, "\\u%04x", p[1]);
		} else if (n > 1) {
			mmp_buf_put(out, (const char *)p, n);
		} else {
			mmp_buf_printf(out, "\\x%02x", *p);
			n = 1;
		}
		p += n;
	}
}

const char *tsafe(const char *s)
{
	static mmp_buf ring[16];
	static size_t next;
	const unsigned char *p;
	mmp_buf *b;

	if (!s)
		return "";
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			break;
	if (!*p)
		return s;
	b = &ring[next++ % 16];
	if (!b->ptr)
		mmp_buf_init(b, 0);
	mmp_buf_clear(b);
	term_escape(b, s);
	return b->ptr;
}

void table_add(struct table *t, const char **cells)
{
	char **row = new_row(t);
	size_t i;

	for (i = 0; i < t->ncols; i++)
		row[i] = strdup(tsafe(cells[i]));
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
	row[col] = strdup(tsafe(s));
	free(s);
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

int table_select(struct table *t, const char *spec)
{
	const char *p = spec;
	size_t c;

	free(t->show);
	t->show = NULL;
	t->nshow = 0;
	if (!spec)
		return 0;
	t->show = calloc(strlen(spec) + 1, sizeof(*t->show));
	if (!t->show)
		die("out of memory");
	while (*p) {
		size_t len = strcspn(p, ",");

		if (!len) {
			p++;
			continue;
		}
		for (c = 0; c < t->ncols; c++)
			if (strlen(t->headers[c]) == len &&
			    !strncasecmp(t->headers[c], p, len))
				break;
		if (c == t->ncols) {
			mmp_buf known = MMP_BUF_INIT;

			for (c = 0; c < t->ncols; c++)
				mmp_buf_printf(&known, "%s%s", c ? ", " : "",
					t->headers[c]);
			error("option '--columns': no column '%.*s' (the "
				"columns are %s)", (int)len, p, known.ptr);
			mmp_buf_dispose(&known);
			return -1;
		}
		t->show[t->nshow++] = c;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!t->nshow)
		return error("option '--columns' names no column");
	return 0;
}

size_t output_width(FILE *out)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long v;

	if (env && *env) {
		v = strtol(env, &end, 10);
		if (!*end && v > 0 && v < 100000)
			return (size_t)v;
	}
	if (isatty(fileno(out)) && !ioctl(fileno(out), TIOCGWINSZ, &ws) &&
	    ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* bytes of `s` that fit in `cols` display columns */
static size_t fit_bytes(const char *s, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		const unsigned char *q = p;
		unsigned long c = *q;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		size_t w;

		if (more)
			c &= 0x3fu >> more;
		q++;
		while (more-- > 0 && (*q & 0xc0) == 0x80)
			c = (c << 6) | (*q++ & 0x3f);
		w = cp_width(c);
		if (n + w > cols)
			break;
		n += w;
		p = q;
	}
	return (size_t)(p - (const unsigned char *)s);
}

/* print `s` in `w` columns: cut with an ellipsis, padded unless last */
static void put_cell(FILE *out, const char *s, size_t w, int right, int last)
{
	size_t sw = width(s);

	if (sw > w) {
		size_t b = w ? fit_bytes(s, w - 1) : 0;
		fwrite(s, 1, b, out);
		if (w)
			fputs("\xe2\x80\xa6", out);   /* U+2026 … */
		sw = width(s) - width(s + b) + (w ? 1 : 0);
		if (!last && sw < w)
			fprintf(out, "%*s", (int)(w - sw), "");
		return;
	}
	if (right)
		fprintf(out, "%*s%s", (int)(w - sw), "", s);
	else
		fprintf(out, "%s%*s", s, last ? 0 : (int)(w - sw), "");
}

/* narrow the widest left-aligned columns until the table fits `limit` */
static void fit_widths(const struct table *t, char *const *heads,
	const size_t *cols, size_t n, size_t *w, size_t limit)
{
	size_t total = 0, k;

	for (k = 0; k < n; k++)
		total += w[k] + (k ? 2 : 0);
	while (total > limit) {
		size_t best = n;

		for (k = 0; k < n; k++) {
			size_t min = width(heads[k]);
			if (min < 5)
				min = 5;
			if (t->right[cols[k]] || t->keep[cols[k]] ||
			    w[k] <= min)
				continue;
			if (best == n || w[k] > w[best])
				best = k;
		}
		if (best == n)
			return;   /* as narrow as it gets: let the lines wrap */
		w[best]--;
		total--;
	}
}

void table_print(struct table *t, FILE *out, const struct mmp_ctx *ctx)
{
	size_t n = t->show ? t->nshow : t->ncols;
	size_t *cols = calloc(n + 1, sizeof(*cols));
	size_t *w = calloc(n + 1, sizeof(*w)), r, k, limit;
	char **heads;

	if (!w || !cols)
		die("out of memory");
	heads = calloc(n + 1, sizeof(*heads));
	if (!heads)
		die("out of memory");
	for (k = 0; k < n; k++) {
		cols[k] = t->show ? t->show[k] : k;
		/* headers name metrics, params and runs: user data too */
		heads[k] = strdup(tsafe(t->headers[cols[k]]));
		if (!heads[k])
			die("out of memory");
		w[k] = width(heads[k]);
	}
	for (r = 0; r < t->nrows; r++)
		for (k = 0; k < n; k++) {
			const char *s = t->cells[r * t->ncols + cols[k]];
			size_t x = width(s ? s : "");
			if (x > w[k])
				w[k] = x;
		}
	limit = output_width(out);
	if (limit)
		fit_widths(t, heads, cols, n, w, limit);
	fputs(color(ctx, COLOR_BOLD), out);
	for (k = 0; k < n; k++) {
		if (k)
			fputs("  ", out);
		put_cell(out, heads[k], w[k], 0, k + 1 == n);
	}
	fprintf(out, "%s\n", color(ctx, COLOR_RESET));
	for (r = 0; r < t->nrows; r++) {
		for (k = 0; k < n; k++) {
			const char *s = t->cells[r * t->ncols + cols[k]];
			if (k)
				fputs("  ", out);
			put_cell(out, s ? s : "", w[k], t->right[cols[k]],
				k + 1 == n);
		}
		fputc('\n', out);
	}
	for (k = 0; k < n; k++)
		free(heads[k]);
	free(heads);
	free(w);
	free(cols);
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t->keep);
	free(t->show);
	memset(t, 0, sizeof(*t));
}
