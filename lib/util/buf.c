/* SPDX-License-Identifier: MIT */
/* buf.c: growable string buffer */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "util.h"

char mmp_buf__initbuf[1];

void mmp_buf_init(mmp_buf *b, size_t hint)
{
	b->ptr = mmp_buf__initbuf;
	b->asize = 0;
	b->size = 0;
	if (hint)
		mmp_buf_grow(b, hint);
}

void mmp_buf_grow(mmp_buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->size - 1)
		want = SIZE_MAX;
	else
		want = b->size + extra + 1;
	if (want <= b->asize)
		return;
	if (want < b->asize + b->asize / 2)
		want = b->asize + b->asize / 2;
	if (want < 64)
		want = 64;
	if (!b->asize) {
		b->ptr = mmp__malloc(want);
		b->ptr[0] = '\0';
	} else {
		b->ptr = mmp__realloc(b->ptr, want);
	}
	b->asize = want;
}

void mmp_buf_put(mmp_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	mmp_buf_grow(b, len);
	memcpy(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
}

void mmp_buf_puts(mmp_buf *b, const char *s)
{
	mmp_buf_put(b, s, strlen(s));
}

void mmp_buf_putc(mmp_buf *b, int c)
{
	mmp_buf_grow(b, 1);
	b->ptr[b->size++] = (char)c;
	b->ptr[b->size] = '\0';
}

void mmp_buf_vprintf(mmp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int len;

	va_copy(cp, ap);
	len = vsnprintf(b->ptr + b->size, b->asize ? b->asize - b->size : 0,
		fmt, cp);
	va_end(cp);
	if (len < 0)
		return;
	if ((size_t)len >= (b->asize ? b->asize - b->size : 0)) {
		mmp_buf_grow(b, (size_t)len);
		len = vsnprintf(b->ptr + b->size, b->asize - b->size, fmt, ap);
		if (len < 0)
			return;
	}
	b->size += (size_t)len;
}

void mmp_buf_printf(mmp_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mmp_buf_truncate(mmp_buf *b, size_t len)
{
	if (len < b->size) {
		b->size = len;
		b->ptr[len] = '\0';
	}
}

void mmp_buf_clear(mmp_buf *b)
{
	mmp_buf_truncate(b, 0);
}

void mmp_buf_dispose(mmp_buf *b)
{
	if (b->asize)
		free(b->ptr);
	mmp_buf_init(b, 0);
}

char *mmp_buf_detach(mmp_buf *b)
{
	char *s = b->asize ? b->ptr : mmp__strdup("");

	mmp_buf_init(b, 0);
	return s;
}

void mmp_buf_rtrim(mmp_buf *b)
{
	while (b->size && isspace((unsigned char)b->ptr[b->size - 1]))
		b->size--;
	if (b->asize)
		b->ptr[b->size] = '\0';
}

void mmp_buf_put_json_string(mmp_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	mmp_buf_putc(b, '"');
	for (; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		mmp_buf_put(b, run, (size_t)(p - run));
		switch (*p) {
		case '"': mmp_buf_puts(b, "\\\""); break;
		case '\\': mmp_buf_puts(b, "\\\\"); break;
		case '\n': mmp_buf_puts(b, "\\n"); break;
		case '\r': mmp_buf_puts(b, "\\r"); break;
		case '\t': mmp_buf_puts(b, "\\t"); break;
		default: mmp_buf_printf(b, "\\u%04x", *p); break;
		}
		run = p + 1;
	}
	mmp_buf_put(b, run, (size_t)(p - run));
	mmp_buf_putc(b, '"');
}
