/* SPDX-License-Identifier: MIT */
/* str.c: string helpers: prefixes, edit distance, strict number parsing */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool mmp_str_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool mmp_str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !memcmp(s + a - b, suffix, b);
}

size_t mmp_str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, d;

	row = mmp__calloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

const char *mmp_str_closest(const char *word, const char *const *cands,
	size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, best_p = 0, i, limit;

	limit = strlen(word) / 3 + 2;
	for (i = 0; i < n; i++) {
		size_t d, p;
		if (!cands[i])
			continue;
		d = mmp_str_distance(word, cands[i]);
		if (mmp_str_starts_with(cands[i], word) && strlen(word) >= 2)
			d = d < 1 ? d : 1;
		/* on a tie, the candidate sharing the longer start wins */
		p = common_prefix(word, cands[i]);
		if (d < best_d || (d == best_d && p > best_p)) {
			best_d = d;
			best_p = p;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

int mmp_parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return MMP_EINVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return MMP_EINVALID;
	*out = v;
	return 0;
}

int mmp_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return MMP_EINVALID;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s || (errno == ERANGE && isinf(v)))
		return MMP_EINVALID;
	*out = v;
	return 0;
}

/*
 * Rewrite "d.ddde+XX" in fixed notation when -4 <= XX < 16, with the
 * same significant digits (zeros after them, not the binary value's
 * further digits): 8.113053e+14 becomes 811305300000000.
 */
static void to_fixed(char out[32])
{
	char digits[24], fixed[40], *o = fixed;
	const char *p = out, *e = strchr(out, 'e');
	int neg = *p == '-', nd = 0, x, i;

	if (neg)
		p++;
	for (; p < e; p++)
		if (*p >= '0' && *p <= '9' && nd < 23)
			digits[nd++] = *p;
	x = atoi(e + 1);
	if (x < -4 || x >= 16 || !nd)
		return;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		*o++ = '-';
	if (x >= 0) {
		for (i = 0; i <= x; i++)
			*o++ = i < nd ? digits[i] : '0';
		if (nd > x + 1) {
			*o++ = '.';
			for (i = x + 1; i < nd; i++)
				*o++ = digits[i];
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -x - 1; i++)
			*o++ = '0';
		for (i = 0; i < nd; i++)
			*o++ = digits[i];
	}
	*o = '\0';
	/* at most a sign, 16 integer digits or "0." and 4 zeros, and 23
	 * digits: always shorter than out */
	if ((size_t)(o - fixed) < 32)
		memcpy(out, fixed, (size_t)(o - fixed) + 1);
}

/*
 * The shortest "%.<p>g" text that reads back as v, written in fixed
 * notation where Python's repr would be (1e-4 <= |v| < 1e16): 200,
 * not 2e+02.
 */
static void shortest(char out[32], double v, int is_float)
{
	int prec, maxprec = is_float ? 9 : 17;

	if (isnan(v)) {
		snprintf(out, 32, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, 32, v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 1; prec < maxprec; prec++) {
		snprintf(out, 32, "%.*g", prec, v);
		if (is_float ? strtof(out, NULL) == (float)v
		    : strtod(out, NULL) == v)
			break;
	}
	if (prec == maxprec)
		snprintf(out, 32, "%.*g", prec, v);
	if (strchr(out, 'e'))
		to_fixed(out);
}

void mmp_fmt_double(char out[32], double v)
{
	shortest(out, v, 0);
}

void mmp_fmt_float(char out[32], float v)
{
	shortest(out, (double)v, 1);
}

size_t mmp_utf8_seq_len(const unsigned char *p)
{
	unsigned long c;
	size_t n, i;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	c = *p & (0x7fu >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

int mmp_str_check_name(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = mmp_utf8_seq_len(p);
		size_t at = (size_t)(p - (const unsigned char *)s) + 1;
		if (!n)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the %s holds invalid UTF-8 (byte %zu)", what,
				at);
		if (*p < 0x20 || *p == 0x7f ||
		    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the %s holds a control character (byte %zu)",
				what, at);
		p += n;
	}
	return 0;
}
