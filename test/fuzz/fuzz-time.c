/* SPDX-License-Identifier: MIT */
/* fuzz-time.c: libFuzzer harness for the ISO 8601 / RFC 3339 parser
 * (lib/util/time.c) and the callers that read times through it: the
 * data time column, the audit time filters, S3 credential expirations */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/data.h"
#include "mmp/registry.h"
#include "remote/s3-internal.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the flags that admit a form; each keeps every input it is added to */
static const unsigned admit = MMP_TIME_DATE | MMP_TIME_SPACE |
	MMP_TIME_NO_SECONDS | MMP_TIME_ZONE_OPTIONAL | MMP_TIME_UTC_WORD |
	MMP_TIME_BASIC_OFFSET | MMP_TIME_COMMA;

/* 0000-01-01T00:00:00-23:59 to 9999-12-31T23:59:60+23:59 */
#define MIN_SEC (-62167219200LL - 86400)
#define MAX_SEC (253402300800LL + 86400)

/* the first two bytes are the flags; the rest, not NUL-ended, the time */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 2;
	size_t len = size >= 2 ? size - 2 : 0;
	unsigned flags;
	mmp_time_stamp t, u;
	char *s, out[32];
	double d;
	int64_t ms;
	int err;

	if (size < 2)
		return 0;
	flags = (data[0] | (unsigned)data[1] << 8) & 0x1ff;
	err = mmp_time_parse(&t, text, len, flags);
	if (err && (err != MMP_EINVALID || t.sec || t.nsec))
		abort();
	if (!err) {
		if (t.nsec < 0 || t.nsec > 999999999 || t.sec < MIN_SEC ||
		    t.sec > MAX_SEC)
			abort();
		/* more forms admitted: still read, and to the same time */
		if (mmp_time_parse(&u, text, len, flags | admit) ||
		    u.sec != t.sec || u.nsec != t.nsec)
			abort();
		/* what mmp writes, it reads back (from year 0: an offset
		 * can move 0000-01-01 into year -1, which has no form) */
		if (t.sec >= -62167219200LL) {
			mmp_time_iso8601(out, t.sec * 1000);
			if (mmp_time_parse_str(&u, out, 0) || u.sec != t.sec ||
			    u.nsec)
				abort();
		}
	}
	/* the callers, each on the same bytes */
	(void)mmp_parse_timestamp(&d, text, len);
	s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, text, len);
	s[len] = '\0';
	(void)mmp_registry_parse_time(&ms, s);
	mmp_error_clear();
	(void)mmp_s3__iso8601(s);
	free(s);
	return 0;
}
