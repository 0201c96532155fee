/* SPDX-License-Identifier: MIT */
/* alloc.c: allocation wrappers that never return NULL */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void oom(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg),
		"fatal: out of memory, failed to allocate %zu bytes\n", n);

	if (len > 0 && write(2, msg, (size_t)len) < 0)
		abort();
	abort();
}

void *mmp__malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *mmp__calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *mmp__realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void *mmp__reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return mmp__realloc(p, nmemb * size);
}

char *mmp__strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = mmp__malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *mmp__strdup(const char *s)
{
	return mmp__strndup(s, strlen(s));
}

char *mmp__strdup_or_null(const char *s)
{
	return s ? mmp__strdup(s) : NULL;
}
