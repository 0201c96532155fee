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

static bool digits(const char **pp, const char *end, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	if (end - p < n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (d > 9)
			return false;
		v = v * 10 + (int)d;
	}
	*pp = p + n;
	*out = v;
	return true;
}

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

int mmp_parse_timestamp(double *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	double frac = 0, v;
	int64_t off = 0;

	if (mmp_parse_number(&v, s, len) == 0) {
		*out = v;
		return 0;
	}
	if (!digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
	    !digits(&p, end, 2, &mo) || p == end || *p++ != '-' ||
	    !digits(&p, end, 2, &d))
		return MMP_EINVALID;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return MMP_EINVALID;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (!digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
		    !digits(&p, end, 2, &mi))
			return MMP_EINVALID;
		if (p < end && *p == ':') {
			p++;
			if (!digits(&p, end, 2, &sec))
				return MMP_EINVALID;
			if (p < end && (*p == '.' || *p == ',')) {
				double scale = 0.1;
				const char *q = ++p;
				for (; p < end && (unsigned)(*p - '0') < 10;
				     p++, scale /= 10)
					frac += (*p - '0') * scale;
				if (p == q)
					return MMP_EINVALID;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return MMP_EINVALID;
		if (p < end && (*p == 'Z' || *p == 'z')) {
			p++;
		} else if (p < end && (*p == '+' || *p == '-')) {
			int sign = *p++ == '-' ? -1 : 1;
			if (!digits(&p, end, 2, &oh))
				return MMP_EINVALID;
			if (p < end && *p == ':')
				p++;
			if (p < end && !digits(&p, end, 2, &om))
				return MMP_EINVALID;
			if (oh > 23 || om > 59)
				return MMP_EINVALID;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (p != end)
		return MMP_EINVALID;
	*out = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
		mi * 60 + sec - off) + frac;
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
