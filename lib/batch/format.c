/* SPDX-License-Identifier: MIT */
/* format.c: float32 text as serve-api writes it, CSV and JSON fields */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch-internal.h"

/* the slow path: mmp_fmt_float() itself */
static size_t fmt_ref(char out[32], float v)
{
	mmp_fmt_float(out, v);
	return strlen(out);
}

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * Round the 9 significant digits `d` (exponent *x) to `p` digits into
 * `r`. Returns -1 when the digits after p are exactly 5 then zeros:
 * the 9 digits cannot tell which way the exact value rounds.
 */
static int round_digits(const char *d, int p, char *r, int *x)
{
	int i, up;

	memcpy(r, d, (size_t)p);
	if (d[p] < '5') {
		up = 0;
	} else if (d[p] > '5') {
		up = 1;
	} else {
		for (up = 0, i = p + 1; i < 9; i++)
			if (d[i] != '0')
				up = 1;
		if (!up)
			return -1;
	}
	if (!up)
		return 0;
	for (i = p - 1; i >= 0; i--) {
		if (r[i] != '9') {
			r[i]++;
			return 0;
		}
		r[i] = '0';
	}
	r[0] = '1';
	(*x)++;
	return 0;
}

/*
 * Whether the decimal r[0..p) x 10^(x-p+1) reads back as `v` (> 0):
 * 1 yes, 0 no, -1 when it cannot be decided without strtof. The
 * double is correctly rounded (exact integer and power of ten, one
 * operation); rounding it to float is then exact unless it lies on a
 * midpoint between two floats.
 */
static int reads_back(const char *r, int p, int x, float v)
{
	int k = x - p + 1, i;
	double n = 0, d;
	float f, g;

	if (k > 22 || k < -22)
		return -1;
	for (i = 0; i < p; i++)
		n = n * 10 + (r[i] - '0');
	d = k >= 0 ? n * pow10_exact[k] : n / pow10_exact[-k];
	f = (float)d;
	if ((double)f != d) {
		g = nextafterf(f, d > (double)f ? INFINITY : 0.0f);
		if (((double)f + (double)g) * 0.5 == d)
			return -1;
	}
	return f == v;
}

/* `r[0..p)` x 10^x as mmp_fmt_float() writes it: %.<p>g, but in fixed
 * notation for exponents from -4 to 15 */
static size_t emit(char *out, int neg, const char *r, int p, int x)
{
	char *o = out;
	int last = p - 1, i;

	while (last > 0 && r[last] == '0')
		last--;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= 16) {
		int ax = x < 0 ? -x : x;

		*o++ = r[0];
		if (last > 0) {
			*o++ = '.';
			for (i = 1; i <= last; i++)
				*o++ = r[i];
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		if (ax >= 100)
			*o++ = (char)('0' + ax / 100);
		*o++ = (char)('0' + ax / 10 % 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		for (i = 0; i <= x; i++)
			*o++ = i < p ? r[i] : '0';
		if (last > x) {
			*o++ = '.';
			for (i = x + 1; i <= last; i++)
				*o++ = r[i];
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -x - 1; i++)
			*o++ = '0';
		for (i = 0; i <= last; i++)
			*o++ = r[i];
	}
	*o = '\0';
	return (size_t)(o - out);
}

size_t mmp_batch__fmt_float(char out[32], float v)
{
	char e9[32], d[10], r[10];
	float av = fabsf(v);
	int x, p, rx, ok;

	if (!(av >= FLT_MIN) || isinf(v))
		return fmt_ref(out, v);
	/* nine correctly rounded digits: "d.dddddddde+XX" */
	snprintf(e9, sizeof(e9), "%.8e", (double)av);
	d[0] = e9[0];
	memcpy(d + 1, e9 + 2, 8);
	d[9] = '\0';
	x = atoi(e9 + 11);
	for (p = 1; p <= 8; p++) {
		rx = x;
		if (round_digits(d, p, r, &rx) < 0)
			return fmt_ref(out, v);
		ok = reads_back(r, p, rx, av);
		if (ok < 0)
			return fmt_ref(out, v);
		if (ok)
			return emit(out, v < 0, r, p, rx);
	}
	return emit(out, v < 0, d, 9, x);
}

void mmp_batch__csv_field(mmp_buf *out, const char *s)
{
	const char *p;

	if (!strpbrk(s, ",\"\r\n")) {
		mmp_buf_puts(out, s);
		return;
	}
	mmp_buf_putc(out, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			mmp_buf_putc(out, '"');
		mmp_buf_putc(out, *p);
	}
	mmp_buf_putc(out, '"');
}

