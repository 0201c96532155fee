/* SPDX-License-Identifier: MIT */
/* t-source.c: data sources: schemes, redaction, the dispatch to the CSV
 * reader, and the frame builder every database reader fills */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp/data.h"
#include "mmp/errors.h"
#include "data/data-internal.h"

static void test_kinds(void)
{
	is_int(mmp_source_kind_of("data/x.csv"), MMP_SOURCE_FILE, "a path");
	is_int(mmp_source_kind_of(NULL), MMP_SOURCE_FILE, "NULL is a file");
	is_int(mmp_source_kind_of("postgresql://u@h/db"),
		MMP_SOURCE_POSTGRESQL, "postgresql://");
	is_int(mmp_source_kind_of("POSTGRES://h/db"), MMP_SOURCE_POSTGRESQL,
		"postgres://, any case");
	is_int(mmp_source_kind_of("sqlite:///tmp/a.db"), MMP_SOURCE_SQLITE,
		"sqlite://");
	is_int(mmp_source_kind_of("postgresqlx://h"), MMP_SOURCE_FILE,
		"a longer scheme is not postgresql");
	is_str(mmp_source_kind_name(MMP_SOURCE_POSTGRESQL), "postgresql",
		"kind name");
}

static void redacts(const char *in, const char *want)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_source_redact(&b, in);
	is_str(b.ptr, want, "redact %s", want);
	mmp_buf_dispose(&b);
}

static void test_redact(void)
{
	redacts("postgresql://alice:s3cr%40t@db.example:5432/shop",
		"postgresql://alice@db.example:5432/shop");
	redacts("postgresql://alice@db/shop", "postgresql://alice@db/shop");
	redacts("postgresql://:pw@db/shop", "postgresql://@db/shop");
	redacts("postgresql://a:b@c@db/shop", "postgresql://a@db/shop");
	redacts("postgresql:///shop?host=/tmp&password=hunter2&sslmode=require",
		"postgresql:///shop?host=/tmp&sslmode=require");
	redacts("postgres://db/shop?PASSWORD=x", "postgres://db/shop");
	redacts("postgresql://db/shop?passwordx=1",
		"postgresql://db/shop?passwordx=1");
	redacts("sqlite:///var/a.db", "sqlite:///var/a.db");
	redacts("data/pass:word@x.csv", "data/pass:word@x.csv");
	/* a URL of another scheme is not a path: it loses its password */
	redacts("https://bob:pw@host/x.csv?password=x&a=1",
		"https://bob@host/x.csv?a=1");
	redacts("s3://AKID:secret@bucket/k.csv", "s3://AKID@bucket/k.csv");
	redacts("a://b:c@d", "a://b:c@d");   /* a one-letter scheme: a path */
}

static void test_check_location(void)
{
	is_int(mmp_source_check_location(NULL), 0, "no location is fine");
	is_int(mmp_source_check_location("data/x.csv"), 0, "a path");
	is_int(mmp_source_check_location("weird:name.csv"), 0,
		"a colon in a path");
	is_int(mmp_source_check_location("sqlite:///a.db"), 0, "sqlite");
	is_int(mmp_source_check_location("postgresql://u:p@h/d"), 0,
		"postgresql");
	is_int(mmp_source_check_location("https://u:pw@h/x.csv"),
		MMP_EINVALID, "https is refused");
	is_str(mmp_error_last()->message, "'https://u@h/x.csv': mmp does "
		"not read https:// locations; give a file path, "
		"sqlite:<path> or postgresql://...", "named without the "
		"password");
	is_int(mmp_source_check_location("S3+x.y-z://k"), MMP_EINVALID,
		"any scheme");
}

static void test_csv_dispatch(void)
{
	char path[512];
	mmp_source src = MMP_SOURCE_INIT;
	mmp_source_info info = { 0 };
	mmp_csv_column cols[] = { { "y", MMP_CSV_TARGET, NULL } };
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_header *h = NULL;
	mmp_frame *f = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/a.csv", tap_tmpdir());
	fp = fopen(path, "w");
	fputs("x,c,y\n1,b,2.5\n3,a,4\n", fp);
	fclose(fp);
	spec.columns = cols;
	spec.ncolumns = 1;
	spec.others = MMP_CSV_FEATURE;
	src.location = path;
	is_int(mmp_source_load(&f, &info, &src, &spec, NULL), 0,
		"a CSV source loads");
	is_int(mmp_frame_nrows(f), 2, "its rows");
	is_int(info.rows, 2, "info counts them");
	is_str(info.location, path, "info names the file");
	ok(!info.query && !info.server_version, "no query or server");
	is_int(mmp_frame_feature_kind(f, 1), MMP_FEATURE_CATEGORICAL,
		"a text column is categorical");
	mmp_frame_free(f);
	mmp_source_info_release(&info);
	is_int(mmp_source_header(&h, &src, NULL), 0, "its header");
	is_int(mmp_csv_header_count(h), 3, "three columns");
	is_int(mmp_csv_header_type(h, 0), MMP_CSV_TYPE_INTEGER, "sniffed");
	mmp_csv_header_free(h);

	src.query = "SELECT 1";
	is_int(mmp_source_load(&f, &info, &src, &spec, NULL), MMP_EINVALID,
		"a query on a file is refused");
	ok(strstr(mmp_error_last()->message, "needs a database source") !=
		NULL, "saying why: %s", mmp_error_last()->message);
	ok(!f, "no frame");
	mmp_source_info_release(&info);
}

/* a builder fed as a database reader feeds it */
static void test_builder(void)
{
	static const char *const names[] = { "id", "amount", "flag", "city",
		"at", "label" };
	static const mmp_csv_type types[] = { MMP_CSV_TYPE_INTEGER,
		MMP_CSV_TYPE_NUMBER, MMP_CSV_TYPE_INTEGER, MMP_CSV_TYPE_STRING,
		MMP_CSV_TYPE_STRING, MMP_CSV_TYPE_STRING };
	const char *rows[][6] = {
		{ "7", "1.5", "1", "Paris", "2024-01-02 00:00:00+00", "yes" },
		{ "8", NULL, "0", NULL, "2024-01-01", "no" },
		{ "9", "-2e3", NULL, "Oslo", NULL, "yes" },
		{ "10", "4", "1", "NA", "2024-01-03T12:00:00Z", "no" },
	};
	mmp_csv_column cols[] = {
		{ "label", MMP_CSV_TARGET, NULL },
		{ "id", MMP_CSV_ENTITY, NULL },
		{ "at", MMP_CSV_TIMESTAMP, NULL },
	};
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	struct mmp_data__builder *b = NULL;
	const mmp_category_table *t;
	const float *x;
	mmp_frame *f = NULL;
	size_t lens[6], i, j;
	int err = 0;

	spec.columns = cols;
	spec.ncolumns = 3;
	spec.others = MMP_CSV_FEATURE;
	spec.task = MMP_TASK_BINARY;
	is_int(mmp_data__builder_new(&b, "postgresql://db/x", names, types,
		6, &spec), 0, "a builder");
	for (i = 0; i < 4 && !err; i++) {
		for (j = 0; j < 6; j++)
			lens[j] = rows[i][j] ? strlen(rows[i][j]) : 0;
		err = mmp_data__builder_add(b, rows[i], lens);
	}
	is_int(err, 0, "four rows added");
	is_int(mmp_data__builder_rows(b), 4, "counted");
	is_int(mmp_data__builder_finish(b, &f, false), 0, "a frame");
	mmp_data__builder_free(b);
	is_int(mmp_frame_nrows(f), 4, "4 rows");
	is_int(mmp_frame_nfeatures(f), 3, "amount, flag, city");
	is_str(mmp_frame_feature_name(f, 2), "city", "in result order");
	x = mmp_frame_features(f);
	is_double(x[0], 1.5, 0, "a number");
	ok(isnan(x[3]), "NULL is missing in a numeric column");
	ok(isnan(x[3 * 2 + 1]), "NULL is missing in a 0/1 column");
	t = mmp_frame_categories(f, 2);
	is_int(mmp_category_table_count(t), 3,
		"categories: NA is a value in a database, NULL is not");
	is_str(mmp_category_table_string(t, 0), "NA", "sorted bytewise");
	is_double(x[2], 2, 0, "Paris is code 2");
	ok(isnan(x[3 + 2]), "NULL text is missing");
	is_str(mmp_frame_entity(f, 0, 3), "10", "entity text");
	is_double(mmp_frame_timestamps(f)[0], 1704153600, 0,
		"timestamp with an offset");
	is_double(mmp_frame_timestamps(f)[1], 1704067200, 0, "a date");
	ok(isnan(mmp_frame_timestamps(f)[2]), "NULL time is missing");
	is_str(mmp_category_table_string(mmp_frame_classes(f), 1), "yes",
		"class labels collected");
	mmp_frame_free(f);

	/* errors name the source, the row and the column */
	is_int(mmp_data__builder_new(&b, "postgresql://db/x", names, types,
		6, &spec), 0, "another builder");
	for (j = 0; j < 6; j++)
		lens[j] = rows[0][j] ? strlen(rows[0][j]) : 0;
	mmp_data__builder_add(b, rows[0], lens);
	rows[1][5] = NULL;
	lens[5] = 0;
	for (j = 0; j < 5; j++)
		lens[j] = rows[1][j] ? strlen(rows[1][j]) : 0;
	is_int(mmp_data__builder_add(b, rows[1], lens), MMP_EINVALID,
		"a NULL target is refused");
	is_str(mmp_error_last()->message, "postgresql://db/x: row 2: missing "
		"value in target column 'label'", "naming row and column");
	mmp_data__builder_free(b);

	is_int(mmp_data__builder_new(&b, "src", names, types, 6, &spec), 0,
		"a third builder");
	is_int(mmp_data__builder_finish(b, &f, false), MMP_EINVALID,
		"no rows is an error");
	is_str(mmp_error_last()->message, "src: no data rows", "so it says");
	mmp_data__builder_free(b);
	is_int(mmp_data__builder_new(&b, "src", names, types, 6, &spec), 0,
		"a fourth builder");
	is_int(mmp_data__builder_finish(b, &f, true), 0, "allowed empty");
	is_int(mmp_frame_nrows(f), 0, "0 rows");
	mmp_frame_free(f);
	mmp_data__builder_free(b);

	cols[0].name = "nope";
	is_int(mmp_data__builder_new(&b, "src", names, types, 6, &spec),
		MMP_ENOTFOUND, "an unknown column");
	is_str(mmp_error_last()->message, "src: unknown column 'nope'",
		"named");
}

/* many rows cross the batch boundary and keep their order */
static void test_builder_batches(void)
{
	static const char *const names[] = { "v", "y" };
	static const mmp_csv_type types[] = { MMP_CSV_TYPE_INTEGER,
		MMP_CSV_TYPE_NUMBER };
	mmp_csv_column cols[] = { { "y", MMP_CSV_TARGET, NULL } };
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	struct mmp_data__builder *b = NULL;
	mmp_frame *f = NULL;
	char v[32], y[32];
	const char *vals[2] = { v, y };
	size_t lens[2], i, bad = 0;

	spec.columns = cols;
	spec.ncolumns = 1;
	spec.others = MMP_CSV_FEATURE;
	mmp_data__builder_new(&b, "src", names, types, 2, &spec);
	for (i = 0; i < 10000; i++) {
		lens[0] = (size_t)snprintf(v, sizeof(v), "%zu", i);
		lens[1] = (size_t)snprintf(y, sizeof(y), "%zu.5", i);
		mmp_data__builder_add(b, vals, lens);
	}
	is_int(mmp_data__builder_finish(b, &f, false), 0, "10000 rows");
	for (i = 0; i < 10000; i++)
		if (mmp_frame_features(f)[i] != (float)i ||
		    mmp_frame_target_f64(f)[i] != (double)i + 0.5)
			bad++;
	is_int(bad, 0, "every row in order");
	mmp_frame_free(f);
	mmp_data__builder_free(b);
}

int main(void)
{
	test_kinds();
	test_redact();
	test_check_location();
	test_csv_dispatch();
	test_builder();
	test_builder_batches();
	return done_testing();
}
