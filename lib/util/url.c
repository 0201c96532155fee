/* SPDX-License-Identifier: MIT */
/* url.c: credentials in URLs: strip or redact them */
#include <string.h>

#include "mmp/url.h"
#include "util.h"

/* the "user:password@" part of a URL: start and length, or NULL */
static const char *userinfo(const char *url, size_t *len)
{
	const char *scheme = strstr(url, "://"), *host, *at, *end;

	if (!scheme)
		return NULL;
	host = scheme + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (!at)
		return NULL;
	/* the last '@' before the path ends the user information */
	while (memchr(at + 1, '@', (size_t)(end - at - 1)))
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	*len = (size_t)(at + 1 - host);
	return host;
}

void mmp_url_strip_credentials(char *url)
{
	size_t len;
	char *u = (char *)userinfo(url, &len);

	if (u)
		memmove(u, u + len, strlen(u + len) + 1);
}

void mmp_url_redact(mmp_buf *out, const char *text)
{
	size_t len;
	const char *u = userinfo(text, &len);

	if (!u) {
		mmp_buf_puts(out, text);
		return;
	}
	mmp_buf_put(out, text, (size_t)(u - text));
	mmp_buf_puts(out, "***@");
	mmp_buf_puts(out, u + len);
}
