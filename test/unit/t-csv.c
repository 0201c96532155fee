/* SPDX-License-Identifier: MIT */
/* t-csv.c: the CSV reader: dialect, roles, types, errors, threads, digest */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tap.h"
#include "mmp/data.h"
#include "mmp/errors.h"
#include "util/util.h"

#ifndef FIXTURES
# define FIXTURES "test/fixtures/csv"
#endif

static char path_buf[4][512];
static int path_i;

/* write `text` to a file in the scratch directory; returns its path */
static const char *put(const char *name, const char *text)
{
	char *p = path_buf[path_i++ % 4];
	FILE *f;

	snprintf(p, 512, "%s/%s", tap_tmpdir(), name);
	f = fopen(p, "wb");
	if (!f || fwrite(text, 1, strlen(text), f) != strlen(text)) {
		perror(p);
		exit(1);
	}
	fclose(f);
	return p;
}

static const char *tmp(const char *name)
{
	char *p = path_buf[path_i++ % 4];

	snprintf(p, 512, "%s/%s", tap_tmpdir(), name);
	return p;
}

/* the message of a failed load, "" when it loaded */
static char errbuf[1024];

static mmp_frame *load(const char *path, const mmp_csv_column *cols,
	size_t n, mmp_csv_role others, mmp_task task,
	const mmp_csv_options *o)
{
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_frame *f = NULL;

	spec.columns = cols;
	spec.ncolumns = n;
	spec.others = others;
	spec.task = task;
	errbuf[0] = '\0';
	if (mmp_csv_load(&f, path, &spec, o) < 0)
		snprintf(errbuf, sizeof(errbuf), "%s",
			mmp_error_last()->message);
	return f;
}

static float X(const mmp_frame *f, size_t r, size_t j)
{
	return mmp_frame_features(f)[r * mmp_frame_nfeatures(f) + j];
}

static void test_dialect(void)
{
	static const mmp_csv_column cols[] = {
		{ "id", MMP_CSV_ENTITY, NULL },
		{ "note", MMP_CSV_ENTITY, NULL },
		{ "x", MMP_CSV_NUMERIC, NULL },
	};
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	const char *p;
	mmp_frame *f;

	p = put("q.csv", "\xef\xbb\xbfid,note,x\r\n"
		"1,\"a, b\",1.5\r\n"
		"\r\n"
		"2,\"say \"\"hi\"\"\",NA\r\n"
		"3,\"two\nlines\",\"-2.25e1\"\r\n"
		"4,,N/A\r\n"
		"5,plain, 7 \r\n"
		"6,\"\",null");
	f = load(p, cols, 3, MMP_CSV_SKIP, MMP_TASK_REGRESSION, NULL);
	is_str(errbuf, "", "quoted CRLF file with BOM loads");
	is_int(mmp_frame_nrows(f), 6, "blank line skipped, last row "
		"without a newline kept");
	is_str(mmp_frame_entity_name(f, 0), "id", "BOM not part of name");
	is_str(mmp_frame_entity(f, 1, 0), "a, b", "delimiter in quotes");
	is_str(mmp_frame_entity(f, 1, 1), "say \"hi\"", "doubled quotes");
	is_str(mmp_frame_entity(f, 1, 2), "two\nlines", "newline in quotes");
	is_str(mmp_frame_entity(f, 1, 3), "", "empty entity");
	is_str(mmp_frame_entity(f, 1, 5), "", "empty quoted entity");
	is_double(X(f, 0, 0), 1.5, 0, "number");
	ok(isnan(X(f, 1, 0)), "NA is missing");
	is_double(X(f, 2, 0), -22.5, 0, "quoted number with exponent");
	ok(isnan(X(f, 3, 0)), "N/A is missing");
	is_double(X(f, 4, 0), 7, 0, "blanks around a number");
	ok(isnan(X(f, 5, 0)), "null is missing");
	mmp_frame_free(f);

	p = put("semi.csv", "a;b\n1,5;x\n2;y\n");
	o.delimiter = ';';
	{
		static const mmp_csv_column c2[] = {
			{ "a", MMP_CSV_ENTITY, NULL },
			{ "b", MMP_CSV_CATEGORICAL, NULL },
		};
		f = load(p, c2, 2, MMP_CSV_SKIP, MMP_TASK_REGRESSION, &o);
		is_str(errbuf, "", "semicolon delimiter");
		is_str(mmp_frame_entity(f, 0, 0), "1,5", "comma is data");
		mmp_frame_free(f);
	}
	p = put("tab.csv", "a\tb\n1\t2\n3\t\n");
	o.delimiter = '\t';
	f = load(p, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o);
	is_int(mmp_frame_nfeatures(f), 2, "tab delimiter: two features");
	is_double(X(f, 0, 1), 2, 0, "tab separated value");
	ok(isnan(X(f, 1, 1)), "empty last field is missing");
	mmp_frame_free(f);

	/* every default missing spelling, and a custom list */
	p = put("na.csv", "x\n\nNA\nN/A\nNaN\nnan\nnull\nNULL\n\"\"\n-999\n");
	f = load(p, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, NULL);
	is_int(mmp_frame_nrows(f), 8, "blank line skipped, 8 values");
	{
		size_t i, n = 0;
		for (i = 0; i < 7; i++)
			n += isnan(X(f, i, 0));
		is_int(n, 7, "every default missing spelling is NaN");
		is_double(X(f, 7, 0), -999, 0, "-999 is a number by default");
	}
	mmp_frame_free(f);
	{
		static const char *const na[] = { "-999", "NA", NULL };
		static const mmp_csv_column cx[] = {
			{ "x", MMP_CSV_NUMERIC, NULL },
		};
		mmp_csv_options o2 = MMP_CSV_OPTIONS_INIT;
		o2.na_values = na;
		p = put("na2.csv", "x\n-999\n1\nNA\n");
		f = load(p, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION,
			&o2);
		ok(isnan(X(f, 0, 0)) && X(f, 1, 0) == 1 && isnan(X(f, 2, 0)),
			"custom missing spellings, numeric one included");
		mmp_frame_free(f);
		p = put("na3.csv", "x\n1\nnull\n");
		f = load(p, cx, 1, MMP_CSV_SKIP, MMP_TASK_REGRESSION, &o2);
		ok(strstr(errbuf, ":3:1: column 'x': expected a number, "
			"got 'null'") != NULL,
			"custom list replaces the default one: %s", errbuf);
		mmp_frame_free(f);
	}
}

static void test_sniff(void)
{
	mmp_csv_header *h = NULL;
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	const char *p = put("sniff.csv", "i,n,s,e,m\n1,1.5,a,,1\n-2,3,b,NA,"
		"2\n3,4,1,,x\n");

	is_int(mmp_csv_sniff(&h, p, NULL), 0, "sniff");
	is_int(mmp_csv_header_count(h), 5, "five columns");
	is_int(mmp_csv_header_type(h, 0), MMP_CSV_TYPE_INTEGER, "integer");
	is_int(mmp_csv_header_type(h, 1), MMP_CSV_TYPE_NUMBER, "number");
	is_int(mmp_csv_header_type(h, 2), MMP_CSV_TYPE_STRING, "string");
	is_int(mmp_csv_header_type(h, 3), MMP_CSV_TYPE_EMPTY, "all missing");
	is_int(mmp_csv_header_type(h, 4), MMP_CSV_TYPE_STRING, "late string");
	is_int(mmp_csv_header_find(h, "s"), 2, "find by name");
	is_int(mmp_csv_header_find(h, "zz"), -1, "find unknown");
	is_int(mmp_csv_header_sniffed(h), 3, "three rows sniffed");
	mmp_csv_header_free(h);
	o.sniff_rows = 2;
	is_int(mmp_csv_sniff(&h, p, &o), 0, "sniff two rows");
	is_int(mmp_csv_header_type(h, 4), MMP_CSV_TYPE_INTEGER,
		"only the sample decides");
	mmp_csv_header_free(h);

	/* a string beyond the sample in a numeric column is an error */
	{
		mmp_buf b = MMP_BUF_INIT;
		mmp_frame *f;
		int i;
		mmp_buf_puts(&b, "a,b\n");
		for (i = 0; i < 30; i++)
			mmp_buf_printf(&b, "%d,%d\n", i, i);
		mmp_buf_puts(&b, "7,abc\n");
		p = put("late.csv", b.ptr);
		mmp_buf_dispose(&b);
		f = load(p, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o);
		ok(!f, "value after the sample fails the load");
		ok(mmp_str_ends_with(errbuf, "late.csv:32:2: column 'b': "
			"expected a number, got 'abc'"), "message: %s", errbuf);
	}
}

static void test_roles(void)
{
	static const mmp_csv_column cols[] = {
		{ "sex", MMP_CSV_CATEGORICAL, NULL },
		{ "species", MMP_CSV_TARGET, NULL },
		{ "year", MMP_CSV_SKIP, NULL },
	};
	mmp_frame *f;
	const mmp_category_table *t;
	size_t j;

	f = load(FIXTURES "/penguins.csv", cols, 3, MMP_CSV_FEATURE,
		MMP_TASK_MULTICLASS, NULL);
	is_str(errbuf, "", "penguins load");
	is_int(mmp_frame_nrows(f), 344, "344 penguins");
	is_int(mmp_frame_nfeatures(f), 6, "sex + 5 other columns");
	is_str(mmp_frame_feature_name(f, 0), "sex", "named feature first");
	is_str(mmp_frame_feature_name(f, 1), "island", "then file order");
	is_str(mmp_frame_feature_name(f, 5), "body_mass_g", "last feature");
	is_int(mmp_frame_feature_kind(f, 1), MMP_FEATURE_CATEGORICAL,
		"string column sniffed as categorical");
	is_int(mmp_frame_feature_kind(f, 2), MMP_FEATURE_NUMERIC, "numeric");
	t = mmp_frame_categories(f, 0);
	is_int(mmp_category_table_count(t), 2, "two sexes");
	is_str(mmp_category_table_string(t, 0), "female", "sorted: female");
	is_str(mmp_category_table_string(t, 1), "male", "sorted: male");
	is_double(X(f, 0, 0), 1, 0, "first penguin is male -> 1");
	ok(isnan(X(f, 3, 0)), "NA sex is NaN");
	t = mmp_frame_categories(f, 1);
	is_str(mmp_category_table_string(t, 0), "Biscoe", "islands sorted");
	is_double(X(f, 0, 1), 2, 0, "Torgersen -> 2");
	ok(isnan(X(f, 3, 2)), "NA bill length is NaN");
	is_double(X(f, 0, 2), 39.1f, 0, "float32 of 39.1");
	t = mmp_frame_classes(f);
	is_int(mmp_category_table_count(t), 3, "three species");
	is_str(mmp_category_table_string(t, 2), "Gentoo", "species sorted");
	is_double(mmp_frame_target(f)[0], 0, 0, "Adelie -> 0");
	is_double(mmp_frame_target(f)[343], 1, 0, "Chinstrap -> 1");
	for (j = 0; j < 6; j++)
		if (mmp_frame_unseen(f, j))
			break;
	is_int(j, 6, "nothing unseen while training");
	ok(mmp_frame_lines(f) == NULL, "a load keeps no line numbers");
	mmp_frame_free(f);
}

static void test_exact(void)
{
	static const mmp_csv_column cols[] = {
		{ "id", MMP_CSV_ENTITY, NULL },
		{ "y", MMP_CSV_TARGET, NULL },
		{ "t", MMP_CSV_TIMESTAMP, NULL },
	};
	const char *p = put("ex.csv", "id,y,t,v\n"
		"12345678901234567890,10,2024-03-01,0.1\n"
		"007,2,2024-03-01T12:30:00Z,1e-45\n"
		"\"1,2\",-1,2024-03-01 12:30:15.5+02:00,3.4028235e38\n"
		"x,2,1700000000.5,-3.4028235e38\n"
		"y,10,NA,16777217\n");
	const mmp_category_table *c;
	const double *ts;
	mmp_frame *f = load(p, cols, 3, MMP_CSV_FEATURE,
		MMP_TASK_MULTICLASS, NULL);

	is_str(errbuf, "", "load with entity, int target, timestamp");
	is_str(mmp_frame_entity(f, 0, 0), "12345678901234567890",
		"big integer id kept exactly");
	is_str(mmp_frame_entity(f, 0, 1), "007", "leading zeros kept");
	is_str(mmp_frame_entity(f, 0, 2), "1,2", "quoted id unquoted");
	c = mmp_frame_classes(f);
	is_int(mmp_category_table_count(c), 3, "three integer classes");
	is_str(mmp_category_table_string(c, 0), "-1", "sorted numerically");
	is_str(mmp_category_table_string(c, 1), "2", "2 before 10");
	is_str(mmp_category_table_string(c, 2), "10", "10 last");
	is_double(mmp_frame_target(f)[0], 2, 0, "10 -> code 2");
	is_double(mmp_frame_target_f64(f)[2], 0, 0, "-1 -> code 0");
	ts = mmp_frame_timestamps(f);
	is_str(mmp_frame_timestamp_name(f), "t", "timestamp name");
	is_double(ts[0], 1709251200, 0, "date at midnight UTC");
	is_double(ts[1], 1709296200, 0, "datetime Z");
	is_double(ts[2], 1709296215.5 - 7200, 1e-6, "offset applied");
	is_double(ts[3], 1700000000.5, 0, "numeric timestamp");
	ok(isnan(ts[4]), "missing timestamp is NaN");
	is_double(X(f, 0, 0), 0.1f, 0, "0.1 as float32");
	is_double(X(f, 1, 0), 1e-45f, 0, "float32 subnormal");
	is_double(X(f, 2, 0), 3.4028235e38f, 0, "largest float32");
	is_double(X(f, 3, 0), -3.4028235e38f, 0, "most negative float32");
	is_double(X(f, 4, 0), 16777216.0f, 0, "2^24+1 rounds to even");
	mmp_frame_free(f);

	/* string labels sort bytewise; regression keeps doubles */
	p = put("lab.csv", "y,x\nb,1\nB,2\na,3\n");
	{
		static const mmp_csv_column c1[] = {
			{ "y", MMP_CSV_TARGET, NULL },
		};
		f = load(p, c1, 1, MMP_CSV_FEATURE, MMP_TASK_MULTICLASS,
			NULL);
		c = mmp_frame_classes(f);
		is_str(mmp_category_table_string(c, 0), "B", "bytewise: B");
		is_str(mmp_category_table_string(c, 2), "b", "bytewise: b");
		mmp_frame_free(f);
		p = put("reg.csv", "y,x\n0.1,1\n2,2\n");
		f = load(p, c1, 1, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, NULL);
		is_double(mmp_frame_target_f64(f)[0], 0.1, 0, "double target");
		is_double(mmp_frame_target(f)[0], 0.1f, 0, "float target");
		ok(mmp_frame_classes(f) == NULL, "no classes in regression");
		mmp_frame_free(f);
	}
}

static void test_tables(void)
{
	static const char *const strs[] = { "red", "gr\"een", "blue" };
	static const char *const dup[] = { "a", "a" };
	mmp_category_table *t = NULL, *t2 = NULL;
	mmp_buf b = MMP_BUF_INIT;

	is_int(mmp_category_table_new(&t, strs, 3), 0, "table from strings");
	is_int(mmp_category_table_find(t, "blue", 4), 2, "order kept");
	is_int(mmp_category_table_find(t, "pink", 4), -1, "unknown");
	mmp_category_table_to_json(&b, t);
	is_str(b.ptr, "[\"red\",\"gr\\\"een\",\"blue\"]", "to JSON");
	is_int(mmp_category_table_from_json(&t2, b.ptr), 0, "from JSON");
	is_str(mmp_category_table_string(t2, 1), "gr\"een", "round trip");
	is_int(mmp_category_table_count(t2), 3, "three");
	mmp_category_table_free(t2);
	is_int(mmp_category_table_new(&t2, dup, 2), MMP_EINVALID,
		"duplicates refused");
	is_str(mmp_error_last()->message, "duplicate category 'a'",
		"duplicate message");
	is_int(mmp_category_table_from_json(&t2, "[1]"), MMP_EINVALID,
		"non-string refused");
	is_int(mmp_category_table_from_json(&t2, "{"), MMP_EINVALID,
		"bad JSON refused");
	mmp_category_table_free(t);
	mmp_buf_dispose(&b);
}

/* predicting with saved tables: unseen values counted */
static void test_fixed_tables(void)
{
	static const char *const colors[] = { "red", "blue" };
	static const char *const classes[] = { "no", "yes" };
	mmp_category_table *tc, *ty;
	mmp_csv_column cols[] = {
		{ "color", MMP_CSV_CATEGORICAL, NULL },
		{ "y", MMP_CSV_TARGET, NULL },
	};
	const char *p = put("pred.csv", "color,y\nblue,yes\npink,no\nred,no\n"
		",yes\npink,yes\n");
	mmp_frame *f;

	mmp_category_table_new(&tc, colors, 2);
	mmp_category_table_new(&ty, classes, 2);
	cols[0].categories = tc;
	cols[1].categories = ty;
	f = load(p, cols, 2, MMP_CSV_SKIP, MMP_TASK_MULTICLASS, NULL);
	is_str(errbuf, "", "load with saved tables");
	is_double(X(f, 0, 0), 1, 0, "blue -> saved code 1");
	ok(isnan(X(f, 1, 0)), "unseen pink -> NaN");
	ok(isnan(X(f, 3, 0)), "missing -> NaN");
	is_int(mmp_frame_unseen(f, 0), 2, "two unseen values counted");
	ok(mmp_frame_categories(f, 0) == tc, "the saved table is used");
	is_double(mmp_frame_target(f)[0], 1, 0, "yes -> 1");
	mmp_frame_free(f);
	p = put("pred2.csv", "color,y\nred,maybe\n");
	f = load(p, cols, 2, MMP_CSV_SKIP, MMP_TASK_MULTICLASS, NULL);
	ok(mmp_str_ends_with(errbuf, "pred2.csv:2:2: column 'y': unknown "
		"class label 'maybe'"), "unknown class: %s", errbuf);
	mmp_category_table_free(tc);
	mmp_category_table_free(ty);
}

struct bad {
	const char *name, *text, *want;
	mmp_csv_role others;
	int target;
};

static void test_errors(void)
{
	static const struct bad bad[] = {
		{ "empty.csv", "", "%s: file is empty", MMP_CSV_FEATURE, 0 },
		{ "bom.csv", "\xef\xbb\xbf", "%s: file is empty",
			MMP_CSV_FEATURE, 0 },
		{ "hdr.csv", "a,b\n", "%s: no data rows", MMP_CSV_FEATURE, 0 },
		{ "rag.csv", "a,b\n1,2\n3\n", "%s:3: expected 2 fields, got 1",
			MMP_CSV_FEATURE, 0 },
		{ "rag2.csv", "a,b\n1,2\n3,4,5\n",
			"%s:3: expected 2 fields, got 3", MMP_CSV_FEATURE, 0 },
		{ "unt.csv", "a,b\n1,2\n3,\"abc\n4,5\n",
			"%s:3:2: unterminated quoted field", MMP_CSV_FEATURE,
			0 },
		{ "stray.csv", "a,b\n1,2\n3,ab\"c\n",
			"%s:3:2: unexpected '\"' in unquoted field",
			MMP_CSV_FEATURE, 0 },
		{ "after.csv", "a,b\n1,\"x\"y\n",
			"%s:2:2: unexpected 'y' after closing quote",
			MMP_CSV_FEATURE, 0 },
		{ "dup.csv", "a,b,a\n1,2,3\n",
			"%s:1:3: duplicate column name 'a'", MMP_CSV_FEATURE,
			0 },
		{ "nan.csv", "a,b\n1,2\n2,3\n\"x\ny\",4\n5,abc\n",
			"%s:6:2: column 'b': expected a number, got 'abc'",
			MMP_CSV_SKIP, 2 },
		{ "ymiss.csv", "a,b\n1,2\n2,NA\n",
			"%s:3: missing value in target column 'b'",
			MMP_CSV_SKIP, 2 },
		{ "hdry.csv", "a,b\n", "%s: no data rows", MMP_CSV_SKIP, 2 },
		{ "inf.csv", "a,b\n1,2\ninf,3\n", "%s:3:1: column 'a': 'inf' "
			"is out of range (a number is at most "
			"3.40282347e+38 in magnitude)", MMP_CSV_FEATURE, 0 },
		{ "big.csv", "a,b\n1,2\n3,-1e39\n", "%s:3:2: column 'b': "
			"'-1e39' is out of range (a number is at most "
			"3.40282347e+38 in magnitude)", MMP_CSV_FEATURE, 0 },
		{ "yinf.csv", "a,b\nx,1\ny,-Infinity\n", "%s:3:2: column 'b': "
			"'-Infinity' is out of range (a number is at most "
			"3.40282347e+38 in magnitude)", MMP_CSV_SKIP, 2 },
		{ "ynan.csv", "a,b\nx,1\ny,nan\n",
			"%s:3: missing value in target column 'b'",
			MMP_CSV_SKIP, 2 },
		{ "ts.csv", "a,b\n2024-02-30,1\n",
			"%s:2:1: column 'a': expected a timestamp, got "
			"'2024-02-30'", MMP_CSV_SKIP, 3 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *p = put(bad[i].name, bad[i].text);
		mmp_csv_column cols[2] = {
			{ "b", bad[i].target == 2 ? MMP_CSV_TARGET :
				MMP_CSV_NUMERIC, NULL },
			{ "a", bad[i].target == 3 ? MMP_CSV_TIMESTAMP :
				bad[i].target == 2 ? MMP_CSV_ENTITY :
				MMP_CSV_NUMERIC, NULL },
		};
		char want[512];
		mmp_frame *f;
		unsigned th;
		snprintf(want, sizeof(want), bad[i].want, p);
		for (th = 1; th <= 2; th++) {
			mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
			o.nthreads = th;
			f = load(p, cols, bad[i].target ? 2 : 0, bad[i].others,
				MMP_TASK_REGRESSION, &o);
			ok(!f && !strcmp(errbuf, want),
				"%s (%u threads): %s", bad[i].name, th, errbuf);
			if (strcmp(errbuf, want))
				diag("expected: %s", want);
			mmp_frame_free(f);
		}
	}
	/* the target is the only column: rows without features */
	{
		const char *p = put("yonly.csv", "y\n1.5\n-2\n");
		mmp_csv_column c[] = { { "y", MMP_CSV_TARGET, NULL } };
		unsigned th;
		for (th = 1; th <= 2; th++) {
			mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
			mmp_frame *f;
			o.nthreads = th;
			f = load(p, c, 1, MMP_CSV_SKIP, MMP_TASK_REGRESSION,
				&o);
			is_str(errbuf, "", "target-only file loads (%u "
				"threads)", th);
			is_int(f ? mmp_frame_nrows(f) : 0, 2, "two rows");
			is_int(f ? mmp_frame_nfeatures(f) : 9, 0,
				"no features");
			is_double(f ? mmp_frame_target(f)[1] : 0, -2, 0,
				"target read");
			mmp_frame_free(f);
		}
	}
	/* unknown columns, with and without a suggestion */
	{
		const char *p = put("u.csv", "age,income\n1,2\n");
		mmp_csv_column c1[] = { { "agee", MMP_CSV_NUMERIC, NULL } };
		mmp_csv_column c2[] = { { "zzzzzz", MMP_CSV_NUMERIC, NULL } };
		mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
		mmp_frame *f = NULL;
		char want[600];
		spec.columns = c1;
		spec.ncolumns = 1;
		is_int(mmp_csv_load(&f, p, &spec, NULL), MMP_ENOTFOUND,
			"unknown column -> ENOTFOUND");
		snprintf(want, sizeof(want), "%s: unknown column 'agee'; "
			"did you mean 'age'?", p);
		is_str(mmp_error_last()->message, want, "did you mean");
		spec.columns = c2;
		mmp_csv_load(&f, p, &spec, NULL);
		snprintf(want, sizeof(want), "%s: unknown column 'zzzzzz'", p);
		is_str(mmp_error_last()->message, want, "no close name");
		is_int(mmp_csv_load(&f, tmp("none.csv"), NULL, NULL),
			MMP_ENOTFOUND, "missing file -> ENOTFOUND");
		ok(mmp_str_starts_with(mmp_error_last()->message,
			"cannot open '"), "missing file named: %s",
			mmp_error_last()->message);
	}
	/* structs from a newer mmp are refused */
	{
		mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
		mmp_frame *f = NULL;
		o.version = 99;
		is_int(mmp_csv_load(&f, put("v.csv", "a\n1\n"), NULL, &o),
			MMP_EINVALID, "unknown options version");
		is_str(mmp_error_last()->message,
			"unsupported csv options version 99", "version message");
		is_int(mmp_csv_options_init(&o, 1), 0, "options init");
		is_int(o.delimiter, ',', "default delimiter");
	}
	/* header only is fine when allowed */
	{
		mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
		mmp_frame *f = NULL;
		spec.others = MMP_CSV_FEATURE;
		spec.allow_empty = 1;
		is_int(mmp_csv_load(&f, put("h.csv", "a,b\n"), &spec, NULL), 0,
			"header only allowed");
		is_int(mmp_frame_nrows(f), 0, "zero rows");
		ok(mmp_frame_features(f) == NULL, "no matrix");
		mmp_frame_free(f);
	}
}

/* a file spanning several read blocks, with quotes at block edges */
static const char *big_file(void)
{
	static char path[512];
	FILE *fp;
	unsigned long long st = 7;
	int r;

	snprintf(path, sizeof(path), "%s/big.csv", tap_tmpdir());
	fp = fopen(path, "w");
	fputs("id,cat,\"x\",y,t\n", fp);
	for (r = 0; r < 400000; r++) {
		st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		fprintf(fp, "%d,%s,%.6f,%d,\"2024-01-%02d\"\n", r,
			(st >> 33) % 7 == 0 ? "\"multi\nline, cat\"" :
			(st >> 33) % 7 == 1 ? "NA" :
			(st >> 33) % 7 == 2 ? "\"q\"\"uote\"" : "plain",
			(double)(int64_t)(st >> 20) / 1e6 - 4e6,
			(int)((st >> 40) % 3), (int)((st >> 45) % 28) + 1);
	}
	fclose(fp);
	return path;
}

static void test_threads(const char *big)
{
	static const mmp_csv_column cols[] = {
		{ "id", MMP_CSV_ENTITY, NULL },
		{ "y", MMP_CSV_TARGET, NULL },
		{ "t", MMP_CSV_TIMESTAMP, NULL },
	};
	mmp_csv_options o1 = MMP_CSV_OPTIONS_INIT, o2 = MMP_CSV_OPTIONS_INIT;
	mmp_frame *a, *b;
	size_t n, i, bad = 0;
	char cmd[600], want[65] = "";
	FILE *pp;

	o1.nthreads = 1;
	o2.nthreads = 3;
	a = load(big, cols, 3, MMP_CSV_FEATURE, MMP_TASK_MULTICLASS, &o1);
	is_str(errbuf, "", "big file, one thread");
	b = load(big, cols, 3, MMP_CSV_FEATURE, MMP_TASK_MULTICLASS, &o2);
	is_str(errbuf, "", "big file, three threads");
	n = mmp_frame_nrows(a);
	is_int(n, 400000, "all rows");
	is_int(mmp_frame_nrows(b), n, "same row count");
	ok(!memcmp(mmp_frame_features(a), mmp_frame_features(b),
		n * 2 * sizeof(float)), "identical feature matrices");
	ok(!memcmp(mmp_frame_target(a), mmp_frame_target(b),
		n * sizeof(float)), "identical targets");
	ok(!memcmp(mmp_frame_timestamps(a), mmp_frame_timestamps(b),
		n * sizeof(double)), "identical timestamps");
	for (i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%zu", i);
		bad += strcmp(mmp_frame_entity(a, 0, i), id) ||
			strcmp(mmp_frame_entity(b, 0, i), id);
	}
	is_int(bad, 0, "entities in file order");
	{
		const mmp_category_table *t = mmp_frame_categories(b, 0);
		is_int(mmp_category_table_count(t), 3, "three categories");
		is_str(mmp_category_table_string(t, 0), "multi\nline, cat",
			"quoted category with newline");
		is_str(mmp_category_table_string(t, 2), "q\"uote",
			"sorted codes");
	}
	/* the digest read in the same pass equals sha256sum's */
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", big);
	if ((pp = popen(cmd, "r"))) {
		if (fscanf(pp, "%64s", want) != 1)
			want[0] = '\0';
		pclose(pp);
	}
	is_str(mmp_frame_digest(a), want, "digest equals sha256sum");
	is_str(mmp_frame_digest(b), want, "same digest with threads");
	mmp_frame_free(a);
	mmp_frame_free(b);
}

/* sha256sum's digest of a file, "" when it cannot run */
static void sha256sum(char want[65], const char *path)
{
	char cmd[600];
	FILE *pp;

	want[0] = '\0';
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	if ((pp = popen(cmd, "r"))) {
		if (fscanf(pp, "%64s", want) != 1)
			want[0] = '\0';
		pclose(pp);
	}
}

/*
 * The digest is of every byte in file order however the load reads and
 * hashes them: a file without quotes split into many blocks and runs,
 * a first row longer than the first block, a file of one block.
 */
static void test_digest_blocks(void)
{
	static const mmp_csv_column skip_s[] = {
		{ "s", MMP_CSV_SKIP, NULL },
	};
	const char *path = tmp("noquote.csv");
	mmp_csv_options o1 = MMP_CSV_OPTIONS_INIT, o2 = MMP_CSV_OPTIONS_INIT;
	mmp_frame *a, *b;
	size_t n = 1200000, r, bad = 0, big = ((size_t)17 << 20);
	char want[65];
	FILE *fp = fopen(path, "w");
	char *row;

	fputs("i,x,y\n", fp);
	for (r = 0; r < n; r++)
		fprintf(fp, "%zu,%zu.5,-%zu\n", r, r % 1000, r % 7);
	fclose(fp);
	o1.nthreads = 1;
	o2.nthreads = 2;
	a = load(path, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o1);
	is_str(errbuf, "", "20 MB without quotes, one thread");
	b = load(path, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o2);
	is_str(errbuf, "", "and two threads");
	is_int(a ? mmp_frame_nrows(a) : 0, n, "every row");
	is_int(b ? mmp_frame_nrows(b) : 0, n, "every row with threads");
	for (r = 0; a && b && r < n; r++)
		bad += X(a, r, 0) != (float)r ||
			X(a, r, 1) != (float)(r % 1000) + 0.5f ||
			X(a, r, 2) != -(float)(r % 7) ||
			memcmp(mmp_frame_features(a) + 3 * r,
				mmp_frame_features(b) + 3 * r, 3 * sizeof(float));
	is_int(bad, 0, "each row in order, the same with threads");
	sha256sum(want, path);
	ok(strlen(want) == 64, "sha256sum ran");
	is_str(a ? mmp_frame_digest(a) : "", want, "digest, one thread");
	is_str(b ? mmp_frame_digest(b) : "", want, "digest, two threads");
	mmp_frame_free(a);
	mmp_frame_free(b);

	/* a bad value blocks into the file names its line, however many
	 * threads parse (the rows before it were merged by another) */
	fp = fopen(path, "w");
	fputs("i,x,y\n", fp);
	for (r = 0; r < n; r++)
		fprintf(fp, "%zu,%s,-%zu\n", r, r == 1000000 ? "bad" : "1.5",
			r % 7);
	fclose(fp);
	for (r = 1; r <= 3; r++) {
		mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
		char msg[600];
		o.nthreads = (unsigned)r;
		a = load(path, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION,
			&o);
		snprintf(msg, sizeof(msg), "%s:1000002:2: column 'x': "
			"expected a number, got 'bad'", path);
		ok(a == NULL, "a bad value fails the load (%zu threads)", r);
		is_str(errbuf, msg, "the error names its line and field");
		mmp_frame_free(a);
	}

	/* a first data row longer than the first block read */
	path = tmp("longrow.csv");
	row = malloc(big);
	memset(row, 'x', big);
	fp = fopen(path, "w");
	fputs("s,v\n\"", fp);
	fwrite(row, 1, big, fp);
	fputs("\",1\nz,2\n", fp);
	fclose(fp);
	free(row);
	a = load(path, skip_s, 1, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o2);
	is_str(errbuf, "", "a 17 MiB row loads");
	is_int(a ? mmp_frame_nrows(a) : 0, 2, "both rows");
	is_double(a ? X(a, 1, 0) : 0, 2, 0, "the row after it");
	sha256sum(want, path);
	is_str(a ? mmp_frame_digest(a) : "", want, "digest after the long "
		"row");
	mmp_frame_free(a);
	unlink(path);

	/* a file read in one block */
	path = put("one.csv", "a,b\n1,2\n3,4\n");
	a = load(path, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, &o2);
	sha256sum(want, path);
	is_str(a ? mmp_frame_digest(a) : "", want, "digest of one block");
	mmp_frame_free(a);
	unlink(tmp("noquote.csv"));
}

struct progress_calls {
	uint64_t done[64], total[64];
	size_t n;
};

static void on_progress(uint64_t done, uint64_t total, void *payload)
{
	struct progress_calls *c = payload;

	if (c->n < 64) {
		c->done[c->n] = done;
		c->total[c->n] = total;
	}
	c->n++;
}

/* mmp_csv_load() reports the bytes parsed after each block */
static void test_progress(const char *big)
{
	static const mmp_csv_column cols[] = {
		{ "y", MMP_CSV_TARGET, NULL },
	};
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	struct progress_calls c = { { 0 }, { 0 }, 0 };
	struct stat st;
	mmp_frame *f;
	size_t i, rising = 1, same_total = 1;

	ok(stat(big, &st) == 0, "stat the big file");
	o.progress = on_progress;
	o.payload = &c;
	f = load(big, cols, 1, MMP_CSV_SKIP, MMP_TASK_MULTICLASS, &o);
	is_str(errbuf, "", "big file with a progress callback");
	ok(c.n >= 2 && c.n <= 64, "one call per block: %zu", c.n);
	for (i = 1; i < c.n && i < 64; i++) {
		rising &= c.done[i] > c.done[i - 1];
		same_total &= c.total[i] == c.total[0];
	}
	ok(rising, "the bytes parsed only grow");
	ok(same_total, "the total does not change");
	is_int(c.total[0], (int64_t)st.st_size, "the total is the file size");
	is_int(c.done[c.n - 1], (int64_t)st.st_size,
		"the last call has read it all");
	ok(c.done[0] < (uint64_t)st.st_size, "the first call is partial");
	mmp_frame_free(f);
}

static void test_stream(const char *big)
{
	static const char *const cats[] = { "plain", "NA", "q\"uote" };
	mmp_category_table *t;
	mmp_csv_column cols[] = {
		{ "x", MMP_CSV_NUMERIC, NULL },
		{ "cat", MMP_CSV_CATEGORICAL, NULL },
		{ "id", MMP_CSV_ENTITY, NULL },
	};
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	mmp_csv_reader *r = NULL;
	mmp_frame *f = NULL, *all;
	uint64_t rows = 0, unseen = 0;
	size_t chunks = 0, bad = 0, i;
	int64_t last = 0;
	int rc;

	mmp_category_table_new(&t, cats, 3);
	cols[1].categories = t;
	spec.columns = cols;
	spec.ncolumns = 3;
	all = load(big, cols, 3, MMP_CSV_SKIP, MMP_TASK_REGRESSION, NULL);
	is_int(mmp_csv_reader_open(&r, big, &spec, &o), 0, "open stream");
	is_int(mmp_csv_reader_nfeatures(r), 2, "two features");
	is_str(mmp_csv_reader_feature_name(r, 1), "cat", "feature order");
	while ((rc = mmp_csv_reader_next(&f, r, 9973)) == 0) {
		size_t n = mmp_frame_nrows(f);
		const int64_t *ln = mmp_frame_lines(f);
		chunks++;
		if (n > 9973 || (n < 9973 && rows + n != 400000))
			bad++;
		for (i = 0; i < n; i++) {
			char id[32];
			snprintf(id, sizeof(id), "%llu",
				(unsigned long long)(rows + i));
			if (strcmp(mmp_frame_entity(f, 0, i), id) ||
			    ln[i] <= last ||
			    memcmp(mmp_frame_features(f) + i * 2,
				mmp_frame_features(all) + (rows + i) * 2,
				2 * sizeof(float)))
				bad++;
			last = ln[i];
		}
		unseen += mmp_frame_unseen(f, 1);
		rows += n;
		mmp_frame_free(f);
	}
	is_int(rc, MMP_ITEROVER, "ends with ITEROVER");
	is_int(rows, 400000, "every row streamed");
	is_int(chunks, 41, "chunks of 9973 rows");
	is_int(bad, 0, "chunks match the whole-file load, lines increase");
	ok(unseen > 0 && unseen == mmp_csv_reader_unseen(r, 1),
		"unseen multi-line category counted: %llu",
		(unsigned long long)unseen);
	ok(mmp_csv_reader_digest(r) != NULL &&
		!strcmp(mmp_csv_reader_digest(r), mmp_frame_digest(all)),
		"stream digest equals load digest");
	is_int(mmp_csv_reader_next(&f, r, 10), MMP_ITEROVER, "still over");
	mmp_csv_reader_free(r);
	mmp_frame_free(all);
	mmp_category_table_free(t);
}

static void test_stream_bad(void)
{
	mmp_csv_column cols[] = {
		{ "x", MMP_CSV_NUMERIC, NULL },
		{ "y", MMP_CSV_TARGET, NULL },
	};
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	mmp_csv_reader *r = NULL;
	mmp_frame *f = NULL;
	const char *reason, *p = put("sb.csv", "x,y\n1,2\nabc,3\n4\n\"a\nb\","
		"6\n7,8\n9,NA\n10,11\n");
	const int64_t *ln;
	char want[600];

	spec.columns = cols;
	spec.ncolumns = 2;
	is_int(mmp_csv_reader_open(&r, p, &spec, &o), 0, "open (fail mode)");
	is_int(mmp_csv_reader_next(&f, r, 100), MMP_EINVALID, "bad row fails");
	snprintf(want, sizeof(want), "%s:3:1: column 'x': expected a number, "
		"got 'abc'", p);
	is_str(mmp_error_last()->message, want, "fail names file and line");
	mmp_csv_reader_free(r);

	o.bad_rows = MMP_CSV_BAD_ROWS_SKIP;
	is_int(mmp_csv_reader_open(&r, p, &spec, &o), 0, "open (skip mode)");
	is_int(mmp_csv_reader_next(&f, r, 2), 0, "first chunk");
	is_int(mmp_frame_nrows(f), 2, "two good rows");
	ln = mmp_frame_lines(f);
	ok(ln[0] == 2 && ln[1] == 7, "source lines 2 and 7");
	is_double(mmp_frame_features(f)[1], 7, 0, "row after a multi-line "
		"bad row");
	is_int(mmp_frame_nskipped(f), 3, "three rows skipped");
	is_int(mmp_frame_skipped(f, 0, &reason), 3, "line 3 skipped");
	is_str(reason, "column 'x': expected a number, got 'abc'", "reason");
	is_int(mmp_frame_skipped(f, 1, &reason), 4, "line 4 skipped");
	is_str(reason, "expected 2 fields, got 1", "ragged reason");
	is_int(mmp_frame_skipped(f, 2, &reason), 5, "line 5 skipped");
	is_str(reason, "column 'x': expected a number, got 'a\nb'",
		"multi-line value reason");
	mmp_frame_free(f);
	is_int(mmp_csv_reader_next(&f, r, 2), 0, "second chunk");
	is_int(mmp_frame_nrows(f), 1, "one row");
	is_int(mmp_frame_lines(f)[0], 9, "at line 9");
	is_int(mmp_frame_skipped(f, 0, &reason), 8, "line 8 skipped");
	is_str(reason, "missing value in target column 'y'", "target reason");
	is_double(mmp_frame_target(f)[0], 11, 0, "target read");
	mmp_frame_free(f);
	is_int(mmp_csv_reader_next(&f, r, 2), MMP_ITEROVER, "end");
	is_int(mmp_csv_reader_rows(r), 3, "3 rows");
	is_int(mmp_csv_reader_skipped(r), 4, "4 skipped");
	mmp_csv_reader_free(r);

	/* a fixed schema is required */
	spec.others = MMP_CSV_FEATURE;
	is_int(mmp_csv_reader_open(&r, p, &spec, &o), MMP_EINVALID,
		"streaming needs every feature named");
	spec.others = MMP_CSV_SKIP;
	cols[0].role = MMP_CSV_CATEGORICAL;
	is_int(mmp_csv_reader_open(&r, p, &spec, &o), MMP_EINVALID,
		"streaming categorical needs its table");
	is_str(mmp_error_last()->message, "column 'x': a streaming read "
		"needs its category table", "message");
}

/* "-" reads standard input: a pipe, so nothing can seek */
static void test_stdin(void)
{
	mmp_csv_column cols[] = { { "b", MMP_CSV_NUMERIC, NULL } };
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_reader *r = NULL;
	mmp_frame *f = NULL;
	int fds[2], saved = dup(0), n = 0, st;
	pid_t pid;
	double sum = 0;

	if (pipe(fds) < 0) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		FILE *w = fdopen(fds[1], "w");
		int i;
		close(fds[0]);
		fputs("a,b\n", w);
		for (i = 0; i < 200000; i++)
			fprintf(w, "%d,%d.5\n", i, i % 10);
		fclose(w);
		_exit(0);
	}
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	spec.columns = cols;
	spec.ncolumns = 1;
	is_int(mmp_csv_reader_open(&r, "-", &spec, NULL), 0, "open stdin");
	while (mmp_csv_reader_next(&f, r, 50000) == 0) {
		size_t i;
		for (i = 0; i < mmp_frame_nrows(f); i++)
			sum += mmp_frame_features(f)[i];
		n += (int)mmp_frame_nrows(f);
		mmp_frame_free(f);
	}
	is_int(n, 200000, "all rows from the pipe");
	is_double(sum, 200000 * 5.0, 0, "values from the pipe");
	ok(mmp_csv_reader_digest(r) != NULL, "pipe digest");
	mmp_csv_reader_free(r);
	waitpid(pid, &st, 0);

	/* a whole-file load from a pipe */
	if (pipe(fds) < 0) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		FILE *w = fdopen(fds[1], "w");
		int i;
		close(fds[0]);
		fputs("a,b\n", w);
		for (i = 0; i < 1500000; i++)
			fprintf(w, "%d,%d.25\n", i, i % 4);
		fclose(w);
		_exit(0);
	}
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	f = load("-", cols, 1, MMP_CSV_SKIP, MMP_TASK_REGRESSION, NULL);
	is_str(errbuf, "", "load from a pipe");
	is_int(mmp_frame_nrows(f), 1500000, "every row of the pipe");
	is_double(mmp_frame_features(f)[1499999], 3.25, 0, "last value");
	ok(mmp_frame_digest(f) != NULL, "digest of the pipe");
	mmp_frame_free(f);
	waitpid(pid, &st, 0);
	dup2(saved, 0);
	close(saved);
}

/*
 * Plain decimals take the parser's inline path: every value, signed or
 * not, in any column (the last one ends at a line break, CRLF too),
 * must be bit for bit strtod's double rounded to float32.
 */
static void test_fast_numbers(void)
{
	static const char *const fixed[] = {
		"-0", "+0", "0", "-0.0", "-0.00000", "+1.5", "-1.5", "1.",
		"-1.", ".5", "-.5", "+.5", "007", "-007.250", "16777217",
		"-16777217", "9007199254740993", "-9007199254740993",
		"1234567890123456789", "-1234567890123456789",
		"0.1000000000000000055511151231257827", "-2.5e-3",
		"3.4028235e38", "-3.4028235e38", "0.0000000000000000000001",
	};
	enum { ROWS = 6000, COLS = 5 };
	size_t cap = (size_t)ROWS * COLS * 48 + 64, len = 0;
	char *text = malloc(cap);
	char (*val)[48] = malloc(sizeof(*val) * ROWS * COLS);
	uint64_t st = 99;
	size_t r, c, bad = 0, badsign = 0;
	const char *p;
	mmp_frame *f;

	len += (size_t)snprintf(text, cap, "a,b,c,d,e\n");
	for (r = 0; r < ROWS; r++) {
		for (c = 0; c < COLS; c++) {
			char *v = val[r * COLS + c];
			uint64_t z = (st += UINT64_C(0x9e3779b97f4a7c15));
			double x;
			z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
			z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
			z ^= z >> 31;
			x = (double)(int64_t)(z >> 11) / 9007199254740992.0 *
				pow(10, (int)(z % 9) - 2);
			x = z & 1 ? -x : x;
			switch (z >> 8 & 7) {
			case 0:
				snprintf(v, 48, "%s", fixed[(z >> 16) %
					ARRAY_SIZE(fixed)]);
				break;
			case 1:
				snprintf(v, 48, "%.0f", x);
				break;
			case 2:
				snprintf(v, 48, "%.17g", x);
				break;
			case 3:
				snprintf(v, 48, "%+.3f", x);
				break;
			default:
				snprintf(v, 48, "%.5f", x);
				break;
			}
			len += (size_t)snprintf(text + len, cap - len, "%s%s",
				v, c + 1 < COLS ? "," : r % 3 ? "\n" : "\r\n");
		}
	}
	p = put("fast.csv", text);
	f = load(p, NULL, 0, MMP_CSV_FEATURE, MMP_TASK_REGRESSION, NULL);
	is_str(errbuf, "", "plain decimals load");
	is_int(f ? mmp_frame_nrows(f) : 0, ROWS, "every row read");
	for (r = 0; f && r < ROWS; r++) {
		for (c = 0; c < COLS; c++) {
			float want = (float)strtod(val[r * COLS + c], NULL);
			float got = X(f, r, c);
			if (memcmp(&want, &got, sizeof(got))) {
				if (bad++ < 5)
					diag("'%s': got %a, want %a",
						val[r * COLS + c], got, want);
			}
			badsign += (signbit(want) != 0) != (signbit(got) != 0);
		}
	}
	is_int(bad, 0, "each value is strtod's, rounded to float32");
	is_int(badsign, 0, "and has its sign, -0 included");
	mmp_frame_free(f);
	free(val);
	free(text);
}

/* both sha256 block functions give the digests sha256sum gives */
/* known answers, and the same digest however the input is cut */
static void test_sha(void)
{
	static const size_t cuts[] = { 1, 3, 63, 64, 65, 127, 1000, 4096 };
	unsigned char *data = malloc(5000), d[32];
	char hex[65], one[65];
	size_t i, k, off, bad = 0;

	for (i = 0; i < 5000; i++)
		data[i] = (unsigned char)(i * 131 + (i >> 7));
	for (i = 0; i <= 5000; i += 37) {
		mmp_sha256_buf_hex(one, data, i);
		for (k = 0; k < ARRAY_SIZE(cuts); k++) {
			mmp_sha256_ctx c;
			mmp_sha256_init(&c);
			for (off = 0; off < i; off += cuts[k])
				mmp_sha256_update(&c, data + off,
					i - off < cuts[k] ? i - off : cuts[k]);
			mmp_sha256_final(&c, d);
			mmp_sha256_hex(hex, d);
			bad += strcmp(hex, one) != 0;
		}
	}
	ok(!bad, "pieced and one-shot digests agree (%zu differ)", bad);
	mmp_sha256_buf_hex(hex, "abc", 3);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
		"61f20015ad", "sha256('abc')");
	mmp_sha256_buf_hex(hex, "", 0);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4959"
		"91b7852b855", "sha256('')");
	mmp_sha256_buf_hex(hex, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlm"
		"nomnopnopq", 56);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		"19db06c1", "sha256 of the two-block FIPS 180-2 message");
	free(data);
}

int main(void)
{
	const char *big;

	test_dialect();
	test_sniff();
	test_roles();
	test_exact();
	test_fast_numbers();
	test_tables();
	test_fixed_tables();
	test_errors();
	big = big_file();
	test_threads(big);
	test_digest_blocks();
	test_progress(big);
	test_stream(big);
	test_stream_bad();
	test_stdin();
	test_sha();
	return done_testing();
}
