/* SPDX-License-Identifier: MIT */
/* time.c: wall clock, monotonic clock, ISO 8601 stamps, ids */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int64_t mmp_time_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double mmp_time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mmp_time_iso8601(char out[32], int64_t ms)
{
	/* whole seconds rounded down, so that a time before 1970 is not a
	 * second late; the year in four digits, so that it reads back */
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;

	/* 32 bytes hold any year a time_t of milliseconds reaches */
	if (!gmtime_r(&t, &tm) || snprintf(out, 32,
	    "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec) < 0)
		snprintf(out, 32, "?");
}

/* --- reading date-times (the rules are in util.h) --- */

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int md[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

int mmp_time_from_civil(int64_t *out, int y, int mo, int d, int h, int mi,
	int s)
{
	*out = 0;
	if (y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 60)
		return MMP_EINVALID;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* n decimal digits at *pp, within end */
static bool digits(const char **pp, const char *end, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	if (end - p < n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned dg = (unsigned)(p[i] - '0');

		if (dg > 9)
			return false;
		v = v * 10 + (int)dg;
	}
	*pp = p + n;
	*out = v;
	return true;
}

/* the byte c at *pp, within end */
static bool lit(const char **pp, const char *end, char c)
{
	if (*pp == end || **pp != c)
		return false;
	(*pp)++;
	return true;
}

/* the fraction's digits at *pp (the sign already read): at least one,
 * kept to the nanosecond */
static bool fraction(const char **pp, const char *end, int32_t *ns)
{
	const char *p = *pp, *q = p;
	int32_t v = 0;
	int n = 0;

	for (; p < end && (unsigned)(*p - '0') <= 9; p++) {
		if (n < 9) {
			v = v * 10 + (*p - '0');
			n++;
		}
	}
	if (p == q)
		return false;
	for (; n < 9; n++)
		v *= 10;
	*ns = v;
	*pp = p;
	return true;
}

/* the zone at *pp: Z, UTC, an offset in seconds east of UTC (*off), or
 * nothing; false when what is there is not allowed */
static bool zone(const char **pp, const char *end, unsigned flags,
	int64_t *off)
{
	const char *p = *pp;
	int sign, oh, om = 0;

	*off = 0;
	if (p == end)
		return flags & MMP_TIME_ZONE_OPTIONAL;
	if (*p == 'Z' || *p == 'z') {
		*pp = p + 1;
		return true;
	}
	if ((flags & MMP_TIME_UTC_WORD) && end - p >= 3 &&
	    !memcmp(p, "UTC", 3)) {
		*pp = p + 3;
		return true;
	}
	if ((*p != '+' && *p != '-') || (flags & MMP_TIME_ZULU))
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if (!digits(&p, end, 2, &oh))
		return false;
	if (lit(&p, end, ':')) {
		if (!digits(&p, end, 2, &om))
			return false;
	} else if (!(flags & MMP_TIME_BASIC_OFFSET)) {
		return false;
	} else if (p < end && !digits(&p, end, 2, &om)) {
		return false;
	}
	if (oh > 23 || om > 59)
		return false;
	*off = sign * (oh * 3600 + om * 60);
	*pp = p;
	return true;
}

int mmp_time_parse(mmp_time_stamp *out, const char *s, size_t len,
	unsigned flags)
{
	const char *p = s, *end;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int32_t ns = 0;
	int64_t off = 0, t;

	out->sec = 0;
	out->nsec = 0;
	if (!s)
		return MMP_EINVALID;
	end = s + len;
	if (!digits(&p, end, 4, &y) || !lit(&p, end, '-') ||
	    !digits(&p, end, 2, &mo) || !lit(&p, end, '-') ||
	    !digits(&p, end, 2, &d))
		return MMP_EINVALID;
	if (p == end && !(flags & MMP_TIME_DATE))
		return MMP_EINVALID;
	if (p < end) {
		if (!lit(&p, end, 'T') && !lit(&p, end, 't') &&
		    !((flags & MMP_TIME_SPACE) && lit(&p, end, ' ')))
			return MMP_EINVALID;
		if (!digits(&p, end, 2, &h) || !lit(&p, end, ':') ||
		    !digits(&p, end, 2, &mi))
			return MMP_EINVALID;
		if (lit(&p, end, ':')) {
			if (!digits(&p, end, 2, &sec))
				return MMP_EINVALID;
			if (lit(&p, end, '.') ||
			    ((flags & MMP_TIME_COMMA) && lit(&p, end, ','))) {
				if ((flags & MMP_TIME_NO_FRACTION) ||
				    !fraction(&p, end, &ns))
					return MMP_EINVALID;
			}
		} else if (!(flags & MMP_TIME_NO_SECONDS)) {
			return MMP_EINVALID;
		}
		if (!zone(&p, end, flags, &off))
			return MMP_EINVALID;
	}
	if (p != end || mmp_time_from_civil(&t, y, mo, d, h, mi, sec) < 0)
		return MMP_EINVALID;
	out->sec = t - off;
	out->nsec = ns;
	return 0;
}

int mmp_time_parse_str(mmp_time_stamp *out, const char *s, unsigned flags)
{
	if (!s) {
		out->sec = 0;
		out->nsec = 0;
		return MMP_EINVALID;
	}
	return mmp_time_parse(out, s, strlen(s), flags);
}

int64_t mmp_time_stamp_ms(const mmp_time_stamp *t)
{
	return t->sec * 1000 + t->nsec / 1000000;
}

int mmp_uuid_hex(char out[33])
{
	unsigned char r[16];
	size_t got = 0;
	int i;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mmp_error_set_os("cannot get random bytes");
		got += (size_t)n;
	}
	/* RFC 4122 version 4 layout, as MLflow's uuid4().hex */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}
