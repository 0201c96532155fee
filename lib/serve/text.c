/* SPDX-License-Identifier: MIT */
/* text.c: client text made safe to echo in a JSON answer */
#include <string.h>

#include "serve-internal.h"

/*
 * The length of the well-formed UTF-8 character at `p` (at most `n`
 * bytes available), or 0 when the bytes there are not one: a stray
 * continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF or a sequence cut short.
 */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int mmp_serve__utf8(mmp_buf *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, len;

	while (at < n) {
		len = utf8_char(p + at, n - at);
		if (max && at + (len ? len : 1) > max)
			return 1;
		if (len) {
			mmp_buf_put(out, p + at, len);
			at += len;
		} else {
			/* U+FFFD REPLACEMENT CHARACTER for each bad byte */
			mmp_buf_puts(out, "\xef\xbf\xbd");
			at++;
		}
	}
	return 0;
}

int mmp_serve__put_text(mmp_buf *out, const char *s, size_t max)
{
	mmp_buf clean = MMP_BUF_INIT;
	int cut = mmp_serve__utf8(&clean, s, max);

	mmp_buf_put_json_string(out, clean.ptr);
	mmp_buf_dispose(&clean);
	return cut;
}

void mmp_serve__put_py_json(mmp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, len, i;
	unsigned int cp;

	mmp_buf_putc(out, '"');
	while (at < n) {
		unsigned char c = p[at];

		len = utf8_char(p + at, n - at);
		if (c == '"' || c == '\\') {
			mmp_buf_putc(out, '\\');
			mmp_buf_putc(out, (char)c);
		} else if (c == '\n') {
			mmp_buf_puts(out, "\\n");
		} else if (c == '\r') {
			mmp_buf_puts(out, "\\r");
		} else if (c == '\t') {
			mmp_buf_puts(out, "\\t");
		} else if (c == '\b') {
			mmp_buf_puts(out, "\\b");
		} else if (c == '\f') {
			mmp_buf_puts(out, "\\f");
		} else if (c >= 0x20 && c < 0x7f) {
			mmp_buf_putc(out, (char)c);
		} else {
			/* the code point, or U+FFFD for a bad byte */
			if (len <= 1) {
				cp = len ? c : 0xfffd;
			} else {
				cp = c & (0x7fu >> len);
				for (i = 1; i < len; i++)
					cp = cp << 6 | (p[at + i] & 0x3f);
			}
			if (cp > 0xffff) {
				cp -= 0x10000;
				mmp_buf_printf(out, "\\u%04x\\u%04x",
					0xd800 + (cp >> 10),
					0xdc00 + (cp & 0x3ff));
			} else {
				mmp_buf_printf(out, "\\u%04x", cp);
			}
		}
		at += len ? len : 1;
	}
	mmp_buf_putc(out, '"');
}
