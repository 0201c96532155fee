/* SPDX-License-Identifier: MIT */
/*
 * json.c: print a cJSON tree with every number exact
 *
 * cJSON prints a double with 15 significant digits and keeps that text
 * when it reads back within an epsilon of the value, so 0.28836946908319205
 * comes out as 0.288369469083192: a different double. Every JSON text mmp
 * writes (--json documents, requests to a tracking server, files in a
 * model directory, serving answers) goes through this printer instead,
 * which writes the shortest text that reads back as the same bits. The
 * layout is cJSON's own, compact or formatted, so that the texts differ
 * from cJSON's only where cJSON would have lost a value.
 */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util.h"

static void put_number(mmp_buf *b, double v)
{
	char num[32];

	/* JSON has no NaN or infinity: null, as cJSON writes them */
	if (!isfinite(v)) {
		mmp_buf_puts(b, "null");
		return;
	}
	/* "-0" reads back as the integer 0 in Python: keep the sign */
	if (v == 0 && signbit(v)) {
		mmp_buf_puts(b, "-0.0");
		return;
	}
	mmp_fmt_double(num, v);
	mmp_buf_puts(b, num);
}

/* a string as cJSON escapes it: '"', '\\', the named controls, \u00XX */
static void put_string(mmp_buf *b, const char *s)
{
	const unsigned char *p;

	mmp_buf_putc(b, '"');
	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': mmp_buf_puts(b, "\\\""); break;
		case '\\': mmp_buf_puts(b, "\\\\"); break;
		case '\b': mmp_buf_puts(b, "\\b"); break;
		case '\f': mmp_buf_puts(b, "\\f"); break;
		case '\n': mmp_buf_puts(b, "\\n"); break;
		case '\r': mmp_buf_puts(b, "\\r"); break;
		case '\t': mmp_buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				mmp_buf_printf(b, "\\u%04x", *p);
			else
				mmp_buf_putc(b, *p);
		}
	}
	mmp_buf_putc(b, '"');
}

static void indent(mmp_buf *b, int depth)
{
	while (depth-- > 0)
		mmp_buf_putc(b, '\t');
}

static int put_value(mmp_buf *b, const cJSON *it, int pretty, int depth)
{
	const cJSON *c;

	switch (it->type & 0xff) {
	case cJSON_NULL:
		mmp_buf_puts(b, "null");
		return 0;
	case cJSON_False:
		mmp_buf_puts(b, "false");
		return 0;
	case cJSON_True:
		mmp_buf_puts(b, "true");
		return 0;
	case cJSON_Number:
		put_number(b, it->valuedouble);
		return 0;
	case cJSON_String:
		put_string(b, it->valuestring);
		return 0;
	case cJSON_Raw:
		if (!it->valuestring)
			return -1;
		mmp_buf_puts(b, it->valuestring);
		return 0;
	case cJSON_Array:
		mmp_buf_putc(b, '[');
		for (c = it->child; c; c = c->next) {
			if (put_value(b, c, pretty, depth) < 0)
				return -1;
			if (c->next)
				mmp_buf_puts(b, pretty ? ", " : ",");
		}
		mmp_buf_putc(b, ']');
		return 0;
	case cJSON_Object:
		mmp_buf_putc(b, '{');
		if (pretty)
			mmp_buf_putc(b, '\n');
		for (c = it->child; c; c = c->next) {
			if (pretty)
				indent(b, depth + 1);
			put_string(b, c->string);
			mmp_buf_putc(b, ':');
			if (pretty)
				mmp_buf_putc(b, '\t');
			if (put_value(b, c, pretty, depth + 1) < 0)
				return -1;
			if (c->next)
				mmp_buf_putc(b, ',');
			if (pretty)
				mmp_buf_putc(b, '\n');
		}
		if (pretty)
			indent(b, depth);
		mmp_buf_putc(b, '}');
		return 0;
	default:
		return -1;
	}
}

int mmp_buf_put_json(mmp_buf *b, const struct cJSON *item, int pretty)
{
	size_t start = b->size;

	if (!item || put_value(b, item, pretty, 0) < 0) {
		mmp_buf_truncate(b, start);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"cannot print an invalid JSON value");
	}
	return 0;
}

char *mmp_json_print(const struct cJSON *item, int pretty)
{
	mmp_buf b = MMP_BUF_INIT;

	if (mmp_buf_put_json(&b, item, pretty) < 0) {
		mmp_buf_dispose(&b);
		return NULL;
	}
	return mmp_buf_detach(&b);
}
