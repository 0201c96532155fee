/* SPDX-License-Identifier: MIT */
/* number.c: correctly rounded decimal numbers and ISO 8601 timestamps */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data-internal.h"

/* powers of ten exactly representable as doubles */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static inline int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool word_eq(const char *s, size_t len, const char *word)
{
	size_t i;

	if (strlen(word) != len)
		return false;
	for (i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != word[i])
			return false;
	return true;
}

/* strtod in the C locale over a copy of the bytes: the exact fallback */
static int slow_path(double *out, const char *s, size_t len)
{
	char local[128], *tmp = local, *end;
	double v;
	int ret = 0;

	if (len >= sizeof(local))
		tmp = mmp__malloc(len + 1);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	pthread_once(&c_locale_once, c_locale_init);
	errno = 0;
	v = c_locale ? strtod_l(tmp, &end, c_locale) : strtod(tmp, &end);
	if (end != tmp + len)
		ret = MMP_EINVALID;
	else
		*out = v;
	if (tmp != local)
		free(tmp);
	return ret;
}

int mmp_parse_number(double *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	uint64_t w = 0;
	int ndig = 0;
	int64_t e10 = 0;
	bool neg = false, any = false, inexact = false;
	double v;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if (end - p <= 19) {
		/* at most 19 digits: w cannot overflow, no digit counting */
		const char *q = p, *f;
		for (; p < end && (unsigned)(*p - '0') < 10; p++)
			w = w * 10 + (unsigned)(*p - '0');
		any = p > q;
		if (p < end && *p == '.') {
			f = ++p;
			for (; p < end && (unsigned)(*p - '0') < 10; p++)
				w = w * 10 + (unsigned)(*p - '0');
			e10 = -(int64_t)(p - f);
			any = any || p > f;
		}
	} else {
		for (; p < end && (unsigned)(*p - '0') < 10; p++) {
			unsigned d = (unsigned)(*p - '0');
			any = true;
			if (ndig < 19) {
				w = w * 10 + d;
				ndig += w != 0;
			} else {
				e10++;
				inexact = true;
			}
		}
		if (p < end && *p == '.') {
			for (p++; p < end && (unsigned)(*p - '0') < 10; p++) {
				unsigned d = (unsigned)(*p - '0');
				any = true;
				if (ndig < 19) {
					w = w * 10 + d;
					ndig += w != 0;
					e10--;
				} else {
					inexact = true;
				}
			}
		}
	}
	if (!any) {
		const char *q = s + (s < end && (*s == '-' || *s == '+'));
		size_t n = (size_t)(end - q);
		if (word_eq(q, n, "inf") || word_eq(q, n, "infinity")) {
			*out = neg ? -INFINITY : INFINITY;
			return 0;
		}
		if (word_eq(q, n, "nan")) {
			*out = NAN;
			return 0;
		}
		return MMP_EINVALID;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false, edig = false;
		int64_t x = 0;
		p++;
		if (p < end && (*p == '-' || *p == '+')) {
			eneg = *p == '-';
			p++;
		}
		for (; p < end && (unsigned)(*p - '0') < 10; p++) {
			edig = true;
			if (x < 100000000)
				x = x * 10 + (*p - '0');
		}
		if (!edig)
			return MMP_EINVALID;
		e10 += eneg ? -x : x;
	}
	if (p != end)
		return MMP_EINVALID;
	if (inexact)
		return slow_path(out, s, len);
	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (w > (UINT64_C(1) << 53))
		return slow_path(out, s, len);
	/* Clinger's fast path: one correctly rounded operation */
	if (e10 == 0) {
		v = (double)w;
	} else if (e10 > 0 && e10 <= 22) {
		v = (double)w * pow10_exact[e10];
	} else if (e10 < 0 && e10 >= -22) {
		v = (double)w / pow10_exact[-e10];
	} else if (e10 > 22 && e10 <= 22 + 15) {
		/* move spare powers into the mantissa while it stays exact */
		uint64_t m = w;
		int64_t k = e10;
		while (k > 22) {
			if (m > (UINT64_C(1) << 53) / 10)
				return slow_path(out, s, len);
			m *= 10;
			k--;
		}
		v = (double)m * pow10_exact[k];
	} else {
		return slow_path(out, s, len);
	}
	*out = neg ? -v : v;
	return 0;
}

bool mmp_data__parse_i64(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *end = s + len;
	bool neg = false;
	uint64_t v = 0, lim;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if (p == end)
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (d > 9 || v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (out)
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* --- timestamps --- */

/*
 * The time column takes what data sets hold, on top of the RFC 3339
 * date-time of mmp_time_parse(): a bare number (seconds since the epoch,
 * as any number reads), a date alone, ' ' for 'T', no seconds, no zone
 * (UTC), ISO 8601's ',' before the fraction and "+0100" or "+01"
 * offsets. The fraction is kept to the nanosecond.
 */
int mmp_parse_timestamp(double *out, const char *s, size_t len)
{
	mmp_time_stamp t;
	double v;

	if (mmp_parse_number(&v, s, len) == 0) {
		*out = v;
		return 0;
	}
	if (mmp_time_parse(&t, s, len, MMP_TIME_DATE | MMP_TIME_SPACE |
	    MMP_TIME_NO_SECONDS | MMP_TIME_ZONE_OPTIONAL |
	    MMP_TIME_BASIC_OFFSET | MMP_TIME_COMMA) < 0)
		return MMP_EINVALID;
	*out = (double)t.sec + (double)t.nsec / 1e9;
	return 0;
}

/*
 * In range when the value rounds to a finite float: below the midpoint
 * between FLT_MAX and 2^128 (0x1.ffffffp127); at or above it, rounding
 * gives an infinity. So "3.4028235e38", FLT_MAX printed with 8 digits,
 * is in range.
 */
int mmp_number_in_range(double v)
{
	return isfinite(v) && fabs(v) < 0x1.ffffffp127;
}
