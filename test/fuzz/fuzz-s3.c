/* SPDX-License-Identifier: MIT */
/* fuzz-s3.c: libFuzzer harness for what the S3 client parses: the AWS
 * config and credentials files, credential_process command lines, the
 * credentials AWS services hand out (JSON, STS XML), and the XML answers
 * of a server */
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
	switch (data[0] % 8) {
	case 0: {
		int err = mmp_s3__credentials_parse(&a, &b, &c, text, len,
			"credentials", data[0] & 8 ? "team" : "default");
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
		    text, len, data[0] & 8 ? "p/" : "") == 0) {
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
	case 3: {
		char *s = malloc(len + 1);

		memcpy(s, text, len);
		s[len] = '\0';
		(void)mmp_s3__http_date(s);
		(void)mmp_s3__iso8601(s);
		free(s);
		break;
	}
	case 4: {
		mmp_s3__ini ini;
		size_t i;

		if (mmp_s3__ini_parse(&ini, text, len, "config") == 0) {
			for (i = 0; i < ini.n; i++)
				if (!ini.e[i].section || ini.e[i].line < 1 ||
				    (ini.e[i].key && !ini.e[i].value))
					abort();
			if (ini.n)
				(void)mmp_s3__ini_get(&ini, ini.e[0].section,
					"region");
			mmp_s3__ini_release(&ini);
		}
		break;
	}
	case 5: {
		char *s = malloc(len + 1), **argv = NULL;

		memcpy(s, text, len);
		s[len] = '\0';
		if (mmp_s3__split_command(&argv, s) == 0 && !argv[0])
			abort();
		mmp_s3__argv_free(argv);
		free(s);
		break;
	}
	case 6: {
		mmp_s3__creds cr;

		if (mmp_s3__creds_json(&cr, text, len, data[0] & 8, "p") ==
		    0 && (!cr.id || !cr.secret))
			abort();
		mmp_s3__creds_release(&cr);
		break;
	}
	default: {
		mmp_s3__creds cr;

		if ((data[0] & 8 ? mmp_s3__sso_parse(&cr, text, len, "sso") :
		    mmp_s3__sts_parse(&cr, text, len, "sts")) == 0 &&
		    (!cr.id || !cr.secret || !cr.token || cr.expires <= 0))
			abort();
		mmp_s3__creds_release(&cr);
		break;
	}
	}
	return 0;
}
