/* SPDX-License-Identifier: MIT */
/* t-data-number.c: number and timestamp parsing against strtod */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp/data.h"

static uint64_t state = 12345;

static uint64_t rnd(void)
{
	uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* parse s both ways; true when the doubles are bitwise equal */
static int same(const char *s)
{
	double a = 0, b = strtod(s, NULL);

	if (mmp_parse_number(&a, s, strlen(s)) < 0)
		return 0;
	if (isnan(a) && isnan(b))
		return 1;
	return !memcmp(&a, &b, sizeof(a));
}

static void test_edges(void)
{
	static const char *const cases[] = {
		"0", "-0", "+0", "0.0", "-0.0", "1", "-1", "0.1", "0.2", "0.3",
		"1.5", ".5", "5.", "007", "1e0", "1E5", "1e+5", "1e-5",
		"123456789012345678", "1234567890123456789",
		"12345678901234567890", "123456789012345678901234567890",
		"9007199254740992", "9007199254740993", "9007199254740995",
		"18446744073709551615", "18446744073709551616",
		"1e22", "1e23", "1e-22", "1e-23", "3e37", "9e-38",
		"4.9406564584124654e-324", "4.9e-324",
		"2.4703282292062327e-324",
		"2.4703282292062328e-324", "2.2250738585072011e-308",
		"2.2250738585072014e-308", "1.7976931348623157e308",
		"1.7976931348623158e308", "1e308", "1e-400", "1e400",
		"-1e400", "0.1000000000000000055511151231257827",
		"0.30000000000000004", "3.141592653589793238462643383279",
		"2.718281828459045", "1.00000000000000011102230246251565",
		"0.000001", "123.456e-7", "1.401298464324817e-45",
		"3.4028234663852886e38", "3.4028235677973366e38",
		"inf", "-inf", "Infinity", "-INFINITY", "nan", "NaN",
		"00000000000000000000000000001", "0.00000000000000000000001",
		"1000000000000000000000000", "1e0000000000000000000000001",
		"7.038531e-26", "8.589973e9", "1.448997445238699",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(same(cases[i]), "'%s' parses as strtod does", cases[i]);
}

static void test_random(void)
{
	static const char *const fmts[] = {
		"%.17g", "%.16g", "%.15g", "%.9g", "%.6f", "%.3e", "%.20e",
		"%.25g", "%.1f", "%.12f",
	};
	char s[128];
	size_t i, bad = 0, badf = 0, n = 0;

	for (i = 0; i < 200000; i++) {
		uint64_t bits = rnd();
		double v;
		const char *fmt = fmts[rnd() % (sizeof(fmts) / sizeof(*fmts))];
		switch (i % 4) {
		case 0:  /* any finite double, subnormals included */
			memcpy(&v, &bits, sizeof(v));
			if (!isfinite(v))
				continue;
			break;
		case 1:  /* everyday magnitudes */
			v = (double)(int64_t)(bits >> 11) / 9007199254740992.0 *
				pow(10, (int)(rnd() % 12) - 4);
			break;
		case 2:  /* subnormal doubles */
			bits &= UINT64_C(0x800fffffffffffff);
			memcpy(&v, &bits, sizeof(v));
			break;
		default: /* short decimals as CSV writers print them */
			v = (double)(int64_t)(bits % 2000000001) / 1e5 - 1e4;
			fmt = "%.5f";
			break;
		}
		snprintf(s, sizeof(s), fmt, v);
		n++;
		if (!same(s)) {
			if (bad++ < 5)
				diag("differs from strtod: %s", s);
		} else {
			double d = 0;
			mmp_parse_number(&d, s, strlen(s));
			if ((float)d != (float)strtod(s, NULL))
				badf++;
		}
	}
	is_int(bad, 0, "%zu random numbers parse as strtod does", n);
	is_int(badf, 0, "and give the same float32");
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"", "-", "+", ".", "e1", "1e", "1e+", "1.2.3", "0x10", " 1",
		"1 ", "1,5", "abc", "--1", "1e5x", "infx", "nana", "1_000",
	};
	size_t i;
	double d;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(mmp_parse_number(&d, bad[i], strlen(bad[i])),
			MMP_EINVALID, "'%s' is not a number", bad[i]);
	/* the length bounds the parse: no NUL needed */
	is_int(mmp_parse_number(&d, "12345", 3), 0, "prefix parse");
	is_double(d, 123, 0, "only the given bytes");
}

static void test_timestamps(void)
{
	static const struct {
		const char *s;
		double want;
	} good[] = {
		{ "1970-01-01", 0 },
		{ "2000-02-29", 951782400 },
		{ "2024-03-01T00:00:00Z", 1709251200 },
		{ "2024-03-01 01:02:03", 1709254923 },
		{ "2024-03-01T01:02", 1709254920 },
		{ "2024-03-01T01:02:03.25", 1709254923.25 },
		{ "2024-03-01T01:02:03+0100", 1709254923 - 3600 },
		{ "2024-03-01T01:02:03-05:30", 1709254923 + 19800 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "1600000000", 1600000000 },
		{ "-5.5", -5.5 },
		{ "2024-03-01T01:02:03,75z", 1709254923.75 },
		{ "2024-03-01t01:02+01", 1709254920 - 3600 },
		{ "2024-03-01T01:02:03.123456789-23:59",
			1709254923.123456789 + 86340 },
		{ "2016-12-31T23:59:60Z", 1483228800 },
	};
	static const char *const bad[] = {
		"2023-02-29", "2024-13-01", "2024-00-10", "2024-1-1",
		"2024-01-01T25:00", "2024-01-01T10:60", "2024-01-01T",
		"01/02/2024",
		"2024-01-01Z", "2024-01-01T10:00+", "yesterday",
		/* an offset's colon needs its minutes */
		"2024-01-01T10:00+01:", "2024-01-01T10:00:00+01:",
		"2024-01-01T10:00+24:00", "2024-01-01T10:00:00.",
		"2024-01-01T10:00.5",
	};
	size_t i;
	double d;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = -12345;
		is_int(mmp_parse_timestamp(&d, good[i].s, strlen(good[i].s)),
			0, "timestamp '%s'", good[i].s);
		is_double(d, good[i].want, 1e-6, "value of '%s'", good[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(mmp_parse_timestamp(&d, bad[i], strlen(bad[i])),
			MMP_EINVALID, "'%s' is not a timestamp", bad[i]);
}

/* values read through a CSV load equal (float)strtod, both columns */
static void test_csv_values(void)
{
	static const char *const fmts[] = {
		"%.17g", "%.9g", "%.6f", "%.3e", "%.25g", "%.5f", "%g",
	};
	char path[512], s[2][128];
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_frame *f = NULL;
	size_t i, bad = 0, n = 20000;
	float *want = malloc(2 * n * sizeof(float));
	FILE *fp;

	snprintf(path, sizeof(path), "%s/v.csv", tap_tmpdir());
	fp = fopen(path, "w");
	fputs("a,b\n", fp);
	for (i = 0; i < n; i++) {
		int k;
		for (k = 0; k < 2; k++) {
			uint64_t bits = rnd();
			double v;
			memcpy(&v, &bits, sizeof(v));
			/* within float range: beyond it is refused */
			if (!isfinite(v) || fabs(v) > 1e38 || i % 3)
				v = (double)(int64_t)(bits >> 11) /
					9007199254740992.0 *
					pow(10, (int)(rnd() % 16) - 8);
			const char *fmt =
				fmts[rnd() % (sizeof(fmts) / sizeof(*fmts))];
			snprintf(s[k], sizeof(s[k]), fmt, v);
			want[2 * i + k] = (float)strtod(s[k], NULL);
		}
		fprintf(fp, i % 2 ? "%s,%s\n" : "%s,%s\r\n", s[0], s[1]);
	}
	fclose(fp);
	spec.others = MMP_CSV_FEATURE;
	is_int(mmp_csv_load(&f, path, &spec, NULL), 0, "load random values");
	for (i = 0; f && i < 2 * n; i++)
		if (memcmp(&mmp_frame_features(f)[i], &want[i], sizeof(float)))
			bad++;
	is_int(bad, 0, "CSV values equal (float)strtod");
	mmp_frame_free(f);
	free(want);
}

/* what a model can read: finite and within float32 */
static void test_in_range(void)
{
	ok(mmp_number_in_range(0), "0 is in range");
	ok(mmp_number_in_range(-1.5e10), "-1.5e10 is in range");
	ok(mmp_number_in_range(FLT_MAX), "FLT_MAX is in range");
	ok(mmp_number_in_range(-FLT_MAX), "-FLT_MAX is in range");
	ok(mmp_number_in_range(3.4028235e38), "3.4028235e38 (FLT_MAX in 8 "
		"digits) rounds to FLT_MAX: in range");
	ok(!mmp_number_in_range(0x1.ffffffp127), "the midpoint to 2^128 "
		"rounds to an infinity: out of range");
	ok(!mmp_number_in_range(1e39), "1e39 is out of range");
	ok(!mmp_number_in_range(-1e39), "-1e39 is out of range");
	ok(!mmp_number_in_range(INFINITY), "inf is out of range");
	ok(!mmp_number_in_range(-INFINITY), "-inf is out of range");
	ok(!mmp_number_in_range(NAN), "NaN is not in range");
	ok(MMP_NUMBER_MAX == FLT_MAX, "MMP_NUMBER_MAX is FLT_MAX");
}

int main(void)
{
	test_edges();
	test_random();
	test_invalid();
	test_timestamps();
	test_csv_values();
	test_in_range();
	return done_testing();
}
