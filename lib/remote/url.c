/* SPDX-License-Identifier: MIT */
/* url.c: credentials in URLs, found by libcurl's URL parser: strip or redact */
#include <stdlib.h>
#include <string.h>

#include "curl-load.h"

#include "mmp/url.h"
#include "remote-internal.h"

/* characters that end a word of free text holding a URL */
static const char word_stop[] = " \t\r\n\"'`<>()[]{},;|\\";

/*
 * What libcurl makes of the URL `url`: 1 when it holds a user or a
 * password (with `need_password`, only a password counts: "bob@host"
 * without a scheme is a mail address), 0 when not, -1 when it does not
 * parse. A missing scheme is guessed, as curl's command line does.
 */
static int curl_has_credentials(const char *url, bool need_password)
{
	CURLU *u;
	char *user = NULL, *pass = NULL;
	int found = -1;

	/* without libcurl nothing is parsed: the caller hides it all */
	if (mmp_remote__curl_load() < 0 || !(u = curl_url()))
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME |
	    CURLU_GUESS_SCHEME | CURLU_PATH_AS_IS) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_USER, &user, 0);
		curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
		found = pass || (user && !need_password);
	}
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return found;
}

/*
 * In the word [w, w + n), the "user:password@" part of a URL: its
 * offset and length, or 0 when the word holds none. The URL starts at
 * its scheme ("tracking.uri=http://bob:pw@host" -> "http://...") or,
 * without one, after the last '=' before the first ':' (so that
 * "uri=bob:pw@host:1" is seen as the URL "bob:pw@host:1").
 */
static size_t word_userinfo(const char *w, size_t n, size_t *off)
{
	const char *end = w + n, *sep = NULL, *start, *auth, *aend, *at = NULL;
	const char *p;
	bool scheme;
	char *url;
	int verdict;

	for (p = w; p + 2 < end; p++)
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			sep = p;
			break;
		}
	scheme = sep != NULL;
	if (scheme) {
		start = sep;
		while (start > w && (strchr("+-.", start[-1]) ||
		    (start[-1] >= 'a' && start[-1] <= 'z') ||
		    (start[-1] >= 'A' && start[-1] <= 'Z') ||
		    (start[-1] >= '0' && start[-1] <= '9')))
			start--;
		auth = sep + 3;
	} else {
		const char *colon = memchr(w, ':', n);
		if (!colon)
			return 0;
		start = w;
		for (p = w; p < colon; p++)
			if (*p == '=')
				start = p + 1;
		auth = start;
	}
	for (aend = auth; aend < end && !strchr("/?#", *aend); aend++)
		if (*aend == '@')
			at = aend;
	if (!at || (!scheme && !memchr(auth, ':', (size_t)(at - auth))))
		return 0;
	url = mmp__strndup(start, (size_t)(end - start));
	verdict = curl_has_credentials(url, !scheme);
	free(url);
	/* what libcurl cannot parse but looks like credentials is hidden */
	if (verdict == 0)
		return 0;
	*off = (size_t)(auth - w);
	return (size_t)(at + 1 - auth);
}

void mmp_url_redact(mmp_buf *out, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t stop = strcspn(p, word_stop), off = 0, len;

		len = stop ? word_userinfo(p, stop, &off) : 0;
		if (len) {
			mmp_buf_put(out, p, off);
			mmp_buf_puts(out, "***@");
			mmp_buf_put(out, p + off + len, stop - off - len);
		} else {
			mmp_buf_put(out, p, stop);
		}
		p += stop;
		if (*p)
			mmp_buf_put(out, p++, 1);
	}
}

void mmp_url_strip_credentials(char *url)
{
	size_t off = 0, len = word_userinfo(url, strlen(url), &off);

	if (len)
		memmove(url + off, url + off + len,
			strlen(url + off + len) + 1);
}

