/* SPDX-License-Identifier: MIT */
/* t-time.c: the ISO 8601 / RFC 3339 parser of lib/util/time.c, against a
 * table whose values Python computed (time-table.py) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "util/util.h"
#include "tap.h"
#include "time-table.h"

static const char *src_dir(void)
{
	const char *src = getenv("MMP_SRC_DIR");

	return src && *src ? src : ".";
}

/* every row: valid ones to Python's value, invalid ones refused with a
 * zeroed stamp */
static void test_table(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(time_rows); i++) {
		const struct time_row *r = &time_rows[i];
		mmp_time_stamp t = { 12345, 678 };
		int err = mmp_time_parse(&t, r->s, r->len, r->flags);

		if (r->valid) {
			is_int(err, 0, "'%s' (flags %#x) parses", r->s,
				r->flags);
			is_int(t.sec, r->sec, "'%s': seconds", r->s);
			is_int(t.nsec, r->nsec, "'%s': nanoseconds", r->s);
		} else {
			is_int(err, MMP_EINVALID, "row %zu '%.*s' (flags %#x) "
				"is refused", i, (int)strlen(r->s), r->s,
				r->flags);
			ok(t.sec == 0 && t.nsec == 0, "row %zu: zeroed", i);
		}
	}
}

/* the callers read the rows of their flags the same way */
static void test_callers(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(time_rows); i++) {
		const struct time_row *r = &time_rows[i];
		double d = -1;
		int64_t ms = -1;

		if (r->flags == TIME_DATA) {
			is_int(mmp_parse_timestamp(&d, r->s, r->len),
				r->valid ? 0 : MMP_EINVALID,
				"row %zu: the time column agrees", i);
			if (r->valid)
				is_double(d, (double)r->sec + r->nsec / 1e9,
					0, "row %zu: to the same value", i);
		} else if (r->flags == TIME_AUDIT && strlen(r->s) == r->len) {
			is_int(mmp_registry_parse_time(&ms, r->s),
				r->valid ? 0 : MMP_EINVALID,
				"row %zu: the audit filter agrees", i);
			if (r->valid)
				is_int(ms, r->sec * 1000 + r->nsec / 1000000,
					"row %zu: to the same ms", i);
		}
	}
}

/* the checked-in table is what time-table.py writes today */
static void test_table_is_python(void)
{
	char cmd[1024], path[512];
	mmp_buf want = MMP_BUF_INIT, got = MMP_BUF_INIT;

	if (system("/usr/bin/python3 -c 'import calendar, datetime' "
	    ">/dev/null 2>&1") != 0) {
		skip(1, "no /usr/bin/python3");
		return;
	}
	snprintf(path, sizeof(path), "%s/time-table.h", tap_tmpdir());
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s/test/unit/"
		"time-table.py' >'%s'", src_dir(), path);
	if (system(cmd) != 0 || mmp_file_read(&got, path, 1 << 20) < 0) {
		ok(0, "time-table.py runs");
		goto done;
	}
	snprintf(path, sizeof(path), "%s/test/unit/time-table.h", src_dir());
	if (mmp_file_read(&want, path, 1 << 20) < 0) {
		ok(0, "read %s", path);
		goto done;
	}
	ok(got.size == want.size && !memcmp(got.ptr, want.ptr, got.size),
		"time-table.h is what Python computes now");
done:
	mmp_buf_dispose(&want);
	mmp_buf_dispose(&got);
}

/* the length bounds the parse: the bytes after it are never read */
static void test_length(void)
{
	mmp_time_stamp t;
	const char *s = "2026-12-05T10:00:00Zjunk";

	is_int(mmp_time_parse(&t, s, 20, 0), 0, "a prefix by its length");
	is_int(t.sec, 1796464800, "its value");
	is_int(mmp_time_parse(&t, s, 19, 0), MMP_EINVALID,
		"one byte short: no zone");
	is_int(mmp_time_parse(&t, s, 0, MMP_TIME_DATE), MMP_EINVALID,
		"length 0");
	is_int(mmp_time_parse(&t, NULL, 0, 0), MMP_EINVALID, "NULL");
	is_int(mmp_time_parse_str(&t, NULL, 0), MMP_EINVALID, "NULL string");
	is_int(mmp_time_parse_str(&t, "2026-12-05T10:00:00.5Z", 0), 0,
		"a NUL-ended string");
	is_int(t.nsec, 500000000, "its fraction");
}

/* a very long input: a long fraction is still one (its first nine
 * digits kept); long garbage is refused without reading past it */
static void test_long(void)
{
	enum { N = 1 << 20 };
	mmp_time_stamp t;
	char *s = malloc(N + 32);

	memcpy(s, "2026-12-05T10:00:00.", 20);
	memset(s + 20, '9', N);
	memcpy(s + 20 + N, "Z", 1);
	is_int(mmp_time_parse(&t, s, 21 + N, 0), 0,
		"a fraction of a million digits");
	is_int(t.sec, 1796464800, "its seconds");
	is_int(t.nsec, 999999999, "nine digits kept, none rounded up");
	is_int(mmp_time_parse(&t, s, 20 + N, 0), MMP_EINVALID,
		"the same without its zone");
	memset(s + 19, 'x', N);
	is_int(mmp_time_parse(&t, s, 19 + N, MMP_TIME_ZONE_OPTIONAL),
		MMP_EINVALID, "a million bytes of garbage after a time");
	free(s);
}

static void test_civil(void)
{
	int64_t t;

	is_int(mmp_time_from_civil(&t, 1994, 11, 6, 8, 49, 37), 0,
		"a civil time");
	is_int(t, 784111777, "its value");
	is_int(mmp_time_from_civil(&t, 2026, 2, 29, 0, 0, 0), MMP_EINVALID,
		"Feb 29 in a common year");
	is_int(t, 0, "zeroed");
	is_int(mmp_time_from_civil(&t, 2026, 2, 31, 0, 0, 0), MMP_EINVALID,
		"Feb 31");
	is_int(mmp_time_from_civil(&t, 2026, 1, 1, 24, 0, 0), MMP_EINVALID,
		"hour 24");
	is_int(mmp_time_from_civil(&t, 10000, 1, 1, 0, 0, 0), MMP_EINVALID,
		"year 10000");
	is_int(mmp_time_from_civil(&t, 2026, 1, 1, -1, 0, 0), MMP_EINVALID,
		"a negative hour");
}

/* milliseconds: the fraction truncated, before the epoch too */
static void test_ms(void)
{
	mmp_time_stamp t;

	mmp_time_parse_str(&t, "2026-12-05T10:00:00.1239Z", 0);
	is_int(mmp_time_stamp_ms(&t), 1796464800123LL, "ms of .1239");
	mmp_time_parse_str(&t, "1969-12-31T23:59:59.5Z", 0);
	is_int(mmp_time_stamp_ms(&t), -500, "ms half a second before");
}

/* what mmp_time_iso8601 writes, this parser reads back */
static void test_round_trip(void)
{
	static const int64_t ms[] = {
		0, 1000, 951782400000LL, 1796464800000LL, 253402300799000LL,
		-86400000LL, -62135596800000LL /* 0001-01-01 */,
		-30610224000000LL /* 0999-12-31 */,
	};
	mmp_time_stamp t;
	char out[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ms); i++) {
		mmp_time_iso8601(out, ms[i]);
		is_int(mmp_time_parse_str(&t, out, 0), 0, "'%s' reads back",
			out);
		is_int(mmp_time_stamp_ms(&t), ms[i], "'%s' to its ms", out);
	}
	/* whole seconds round down, before 1970 as after */
	mmp_time_iso8601(out, -500);
	is_str(out, "1969-12-31T23:59:59Z", "half a second before 1970");
	mmp_time_iso8601(out, 1500);
	is_str(out, "1970-01-01T00:00:01Z", "a second and a half after");
}

int main(void)
{
	test_table();
	test_callers();
	test_table_is_python();
	test_length();
	test_long();
	test_civil();
	test_ms();
	test_round_trip();
	return done_testing();
}
