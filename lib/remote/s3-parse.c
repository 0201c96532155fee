/* SPDX-License-Identifier: MIT */
/* s3-parse.c: what the S3 client reads: the shared credentials file,
 * the XML of a server's answers, HTTP dates, and keys as S3 signs them */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/util.h"
#include "s3-internal.h"

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static size_t trim_len(const char *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n;
}

int mmp_s3__credentials_parse(char **id, char **secret, char **token,
	const char *text, size_t len, const char *file, const char *profile)
{
	const char *p = text, *end = text + len;
	int line = 0, in = 0, found = 0, err = 0;

	*id = *secret = *token = NULL;
	while (p < end && !err) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s, *le = eol ? eol : end, *eq;
		size_t n;

		line++;
		s = skip_ws(p, le);
		p = eol ? eol + 1 : end;
		n = trim_len(s, (size_t)(le - s));
		if (!n || *s == '#' || *s == ';')
			continue;
		if (memchr(s, '\0', n)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s:%d: a NUL byte in the credentials file",
				file, line);
			break;
		}
		if (*s == '[') {
			const char *name = s + 1;
			size_t nl;

			if (s[n - 1] != ']') {
				err = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_CONFIG, "%s:%d: a section "
					"header must end with ']'", file,
					line);
				break;
			}
			name = skip_ws(name, s + n - 1);
			nl = trim_len(name, (size_t)(s + n - 1 - name));
			/* ~/.aws/config writes [profile NAME] */
			if (nl > 8 && !strncmp(name, "profile ", 8)) {
				name = skip_ws(name + 8, name + nl);
				nl = trim_len(name, (size_t)(s + n - 1 -
					name));
			}
			in = nl == strlen(profile) &&
				!strncmp(name, profile, nl);
			found |= in;
			continue;
		}
		if (!(eq = memchr(s, '=', n)) || eq == s) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s:%d: expected 'key = value' or '[profile]'",
				file, line);
			break;
		}
		if (!in)
			continue;
		{
			size_t kl = trim_len(s, (size_t)(eq - s));
			const char *v = skip_ws(eq + 1, s + n);
			size_t vl = trim_len(v, (size_t)(s + n - v));
			char **dst = NULL;

			if (kl == 17 && !strncasecmp(s, "aws_access_key_id",
			    17))
				dst = id;
			else if (kl == 21 && !strncasecmp(s,
			    "aws_secret_access_key", 21))
				dst = secret;
			else if (kl == 17 && !strncasecmp(s,
			    "aws_session_token", 17))
				dst = token;
			if (dst) {
				wipe_free(*dst);
				*dst = mmp__strndup(v, vl);
			}
		}
	}
	if (!err && !found)
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
			"%s has no profile '%s'", file, profile);
	if (!err && (!*id || !**id || !*secret || !**secret))
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"%s: profile '%s' needs both aws_access_key_id and "
			"aws_secret_access_key", file, profile);
	if (err < 0) {
		wipe_free(*id);
		wipe_free(*secret);
		wipe_free(*token);
		*id = *secret = *token = NULL;
	}
	return err;
}

static void xml_decode(mmp_buf *out, const char *p, const char *end)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' },
	};

	while (p < end) {
		size_t i;

		if (*p != '&') {
			mmp_buf_putc(out, *p++);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(ents); i++) {
			size_t n = strlen(ents[i].name);
			if ((size_t)(end - p - 1) >= n &&
			    !memcmp(p + 1, ents[i].name, n)) {
				mmp_buf_putc(out, ents[i].c);
				p += n + 1;
				break;
			}
		}
		if (i < ARRAY_SIZE(ents))
			continue;
		if (end - p > 3 && p[1] == '#') {
			const char *q = p + 2;
			unsigned long c = 0;
			int hex = *q == 'x', digits = 0;

			if (hex)
				q++;
			while (q < end && digits < 8 && (hex ?
			    isxdigit((unsigned char)*q) :
			    isdigit((unsigned char)*q))) {
				c = c * (hex ? 16 : 10) + (unsigned long)(
					isdigit((unsigned char)*q) ?
					*q - '0' :
					tolower((unsigned char)*q) - 'a' + 10);
				q++;
				digits++;
			}
			if (digits && q < end && *q == ';' && c > 0 &&
			    c < 0x80) {
				mmp_buf_putc(out, (int)c);
				p = q + 1;
				continue;
			}
		}
		mmp_buf_putc(out, *p++);
	}
}

const char *mmp_s3__find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; p && (size_t)(end - p) >= n; p++) {
		p = memchr(p, *s, (size_t)(end - p));
		if (!p || (size_t)(end - p) < n)
			return NULL;
		if (!memcmp(p, s, n))
			return p;
	}
	return NULL;
}

int mmp_s3__xml_next(mmp_buf *out, const char **pos, const char *end,
	const char *tag)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (!(a = mmp_s3__find(*pos, end, open)))
		return -1;
	a += strlen(open);
	if (!(b = mmp_s3__find(a, end, close)))
		return -1;
	mmp_buf_clear(out);
	xml_decode(out, a, b);
	*pos = b + strlen(close);
	return 0;
}

/* what a server says may reach a terminal: control characters as '?' */
static void no_controls(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void mmp_s3__error_parse(char **code, char **message, const char *xml,
	size_t len)
{
	mmp_buf v = MMP_BUF_INIT;
	const char *p = xml, *end = xml + len;
	const char *e = mmp_s3__find(xml, end, "<Error>");

	*code = *message = NULL;
	if (!e)
		return;
	p = e;
	if (mmp_s3__xml_next(&v, &p, end, "Code") == 0)
		*code = mmp__strdup(v.ptr);
	p = e;
	if (mmp_s3__xml_next(&v, &p, end, "Message") == 0)
		*message = mmp__strdup(v.ptr);
	mmp_buf_dispose(&v);
	no_controls(*code);
	no_controls(*message);
}

void mmp_s3__strip_quotes(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int mmp_s3__list_parse(mmp_s3_object **out, size_t *n, size_t *alloc,
	int *truncated, char **next, const char *xml, size_t len,
	const char *strip)
{
	const char *p = xml, *end = xml + len, *c;
	mmp_buf item = MMP_BUF_INIT, v = MMP_BUF_INIT;
	size_t sl = strip ? strlen(strip) : 0;
	int err = 0;

	*truncated = 0;
	*next = NULL;
	if (!mmp_s3__find(xml, end, "<ListBucketResult"))
		return mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "the server's "
			"answer to a listing is not a ListBucketResult");
	while ((c = mmp_s3__find(p, end, "<Contents>"))) {
		const char *ce = mmp_s3__find(c, end, "</Contents>"), *q;
		mmp_s3_object *o;
		int64_t size;

		if (!ce) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"listing entry is not closed");
			break;
		}
		q = c;
		if (mmp_s3__xml_next(&item, &q, ce, "Key") < 0) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"listing entry has no Key");
			break;
		}
		q = c;
		if (mmp_s3__xml_next(&v, &q, ce, "Size") < 0 ||
		    mmp_parse_int64(v.ptr, &size) < 0 || size < 0) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "the "
				"listing gives no size for a key");
			break;
		}
		p = ce + 11;
		if (item.size < sl || memcmp(item.ptr, strip, sl) ||
		    strlen(item.ptr) != item.size)
			continue;
		MMP_ALLOC_GROW(*out, *n + 1, *alloc);
		o = &(*out)[(*n)++];
		memset(o, 0, sizeof(*o));
		o->key = mmp__strdup(item.ptr + sl);
		o->size = (uint64_t)size;
		q = c;
		if (mmp_s3__xml_next(&v, &q, ce, "ETag") == 0)
			mmp_s3__strip_quotes(o->etag, sizeof(o->etag), v.ptr);
	}
	if (!err) {
		p = xml;
		if (mmp_s3__xml_next(&v, &p, end, "IsTruncated") == 0)
			*truncated = !strcmp(v.ptr, "true");
		p = xml;
		if (mmp_s3__xml_next(&v, &p, end, "NextContinuationToken") ==
		    0 && v.size)
			*next = mmp__strdup(v.ptr);
		if (*truncated && !*next)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"truncated listing without a continuation "
				"token");
	}
	mmp_buf_dispose(&item);
	mmp_buf_dispose(&v);
	return err;
}

int64_t mmp_s3__http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int d, y, h, mi, sec, n = 0;
	const char *m;
	struct tm tm;
	time_t t;

	if (!s || !(s = strchr(s, ',')))
		return 0;
	if (sscanf(s + 1, " %2d %3s %4d %2d:%2d:%2d GMT%n", &d, mon, &y, &h,
	    &mi, &sec, &n) != 6 || !n)
		return 0;
	if (strlen(mon) != 3 || !(m = strstr(months, mon)) ||
	    (m - months) % 3)
		return 0;
	if (d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 || sec > 60 ||
	    h < 0 || mi < 0 || sec < 0)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = d;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_year = y - 1900;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t;
}

void mmp_s3__escape_key(mmp_buf *out, const char *key)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~' || *p == '/') {
			mmp_buf_putc(out, *p);
		} else {
			mmp_buf_putc(out, '%');
			mmp_buf_putc(out, hex[*p >> 4]);
			mmp_buf_putc(out, hex[*p & 15]);
		}
	}
}
