/* SPDX-License-Identifier: MIT */
/* fuzz-s3.c: libFuzzer harness for what the S3 client parses: shared
 * credentials files, and the XML answers of a server */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remote/s3-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void wipe_free(char *s)
{
	free(s);
}

/* the first byte picks the parser; the rest is its input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	char *a = NULL, *b = NULL, *c = NULL;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		int err = mmp_s3__credentials_parse(&a, &b, &c, text, len,
			"credentials", data[0] & 4 ? "team" : "default");
		if (!err && (!a || !b))
			abort();
		if (err && (a || b || c))
			abort();
		wipe_free(a);
		wipe_free(b);
		wipe_free(c);
		break;
	}
	case 1: {
		mmp_s3_object *o = NULL;
		size_t n = 0, alloc = 0, i;
		int truncated;
		char *next = NULL;

		if (mmp_s3__list_parse(&o, &n, &alloc, &truncated, &next,
		    text, len, data[0] & 4 ? "p/" : "") == 0) {
			for (i = 0; i < n; i++)
				if (!o[i].key || strlen(o[i].etag) >= 80)
					abort();
			if (truncated && !next)
				abort();
		}
		free(next);
		mmp_s3_objects_free(o, n);
		break;
	}
	case 2:
		mmp_s3__error_parse(&a, &b, text, len);
		free(a);
		free(b);
		break;
	default: {
		char *s = malloc(len + 1);

		memcpy(s, text, len);
		s[len] = '\0';
		(void)mmp_s3__http_date(s);
		free(s);
		break;
	}
	}
	return 0;
}
