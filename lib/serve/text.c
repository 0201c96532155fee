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
