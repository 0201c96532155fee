/* SPDX-License-Identifier: MIT */
/* t-batch.c: unit tests of the batch number format and mmp_batch_run() */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/batch.h"
#include "batch/batch-internal.h"

static int same_text(float v)
{
	char a[32], b[32];
	size_t n = mmp_batch__fmt_float(a, v);

	mmp_fmt_float(b, v);
	if (!strcmp(a, b) && n == strlen(b))
		return 1;
	diag("%a: batch '%s' (%zu), mmp_fmt_float '%s'", (double)v, a, n,
		b);
	return 0;
}

static void test_fmt_float(void)
{
	static const float special[] = { 0.0f, -0.0f, 1.0f, -1.0f, 0.5f,
		0.1f, 0.2f, 0.3f, 1e-5f, 1e-4f, 9.9999e-5f, 100000.0f,
		123456.0f, 1234567.0f, 12345678.0f, 16777216.0f, 1e10f, 1e22f,
		1e23f, 3e-23f, 1e-38f, FLT_MIN, FLT_MAX, -FLT_MAX, 1e-45f,
		1.5e-40f, 0.999999940f, 0.99999994f, 1.00000012f, 150.0f,
		152.5f, 2.5f, 1234567.5f, 0.021706048f, 0.97829396f };
	uint64_t st = 42;
	size_t i, bad = 0;
	char out[32];

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		bad += !same_text(special[i]);
	for (i = 0; i < 1500000 && bad < 10; i++) {
		uint32_t u;
		float v;

		st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		u = (uint32_t)(st >> 32);
		switch (i % 4) {
		case 0:
			v = (float)((double)(st >> 11) / 9007199254740992.0);
			break;
		case 1:
			v = (float)(int)(u % 2000000) / 64.0f;
			break;
		case 2:
			v = (float)(int)(u % 100000) * 1000.0f;
			break;
		default:
			memcpy(&v, &u, sizeof(v));
			break;
		}
		bad += !same_text(v);
	}
	is_int((long long)bad, 0, "1.5M floats format exactly as "
		"mmp_fmt_float()");
	mmp_batch__fmt_float(out, NAN);
	is_str(out, "NaN", "NaN");
	mmp_batch__fmt_float(out, -INFINITY);
	is_str(out, "-Infinity", "-Infinity");
	mmp_batch__fmt_float(out, 0.1f);
	is_str(out, "0.1", "0.1f is 0.1");
	mmp_batch__fmt_float(out, 1e-5f);
	is_str(out, "1e-05", "1e-05 in exponent form, as %%g");
	mmp_batch__fmt_float(out, 16777216.0f);
	is_str(out, "16777216", "2^24 in full");
}

static void test_fields(void)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_batch__csv_field(&b, "plain");
	mmp_buf_putc(&b, '|');
	mmp_batch__csv_field(&b, "a,b");
	mmp_buf_putc(&b, '|');
	mmp_batch__csv_field(&b, "say \"hi\"");
	mmp_buf_putc(&b, '|');
	mmp_batch__csv_field(&b, "two\nlines");
	mmp_buf_putc(&b, '|');
	mmp_batch__csv_field(&b, "");
	is_str(b.ptr, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|",
		"CSV fields are quoted only when needed, quotes doubled");
	mmp_buf_clear(&b);
	mmp_buf_put_json_string(&b, "a\"b\\c\nd\te\001");
	is_str(b.ptr, "\"a\\\"b\\\\c\\nd\\te\\u0001\"",
		"JSON strings escape quotes, backslashes, controls");
	mmp_buf_dispose(&b);
}

static void test_options(void)
{
	mmp_batch_options o;
	mmp_batch_format f;

	is_int(mmp_batch_options_init(&o, MMP_BATCH_OPTIONS_VERSION), 0,
		"options init");
	is_int(o.chunk_rows, 0, "default chunk is chosen by the library");
	is_int(o.on_error, MMP_CSV_BAD_ROWS_FAIL, "bad rows fail by default");
	is_int(mmp_batch_options_init(&o, 99), MMP_EINVALID,
		"unknown options version");
	is_int(mmp_batch_format_parse(&f, "jsonl"), 0, "jsonl parses");
	is_int(f, MMP_BATCH_JSONL, "as MMP_BATCH_JSONL");
	is_int(mmp_batch_format_parse(&f, "parquet"), MMP_EINVALID,
		"an unknown format is refused");
	is_str(mmp_error_last()->message, "unknown output format 'parquet' "
		"(use csv or jsonl)", "naming the word");
}

#define NROWS 1000

/* a binary model on x0 (numeric) and colour (categorical) */
static mmp_model *train_model(void)
{
	static const char *const colours[] = { "blue", "green", "red" };
	const char *names[] = { "x0", "colour" };
	mmp_feature_kind kinds[] = { MMP_FEATURE_NUMERIC,
		MMP_FEATURE_CATEGORICAL };
	mmp_model_param p[] = { { "max_depth", "3" }, { "seed", "0" } };
	mmp_model_train_options o;
	mmp_model_schema *s = NULL;
	mmp_model *m = NULL;
	float x[NROWS * 2], y[NROWS];
	size_t i;

	for (i = 0; i < NROWS; i++) {
		x[2 * i] = (float)(i % 97) / 10.0f;
		x[2 * i + 1] = (float)(i % 3);
		y[i] = (float)((i % 97) > 40 || i % 3 == 2);
	}
	mmp_model_schema_new(&s, MMP_TASK_BINARY, "label");
	mmp_model_schema_add_feature(s, "x0", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0);
	mmp_model_schema_add_feature(s, "colour", MMP_FEATURE_CATEGORICAL,
		MMP_COLUMN_STRING, colours, 3);
	mmp_model_schema_add_class(s, "no");
	mmp_model_schema_add_class(s, "yes");
	mmp_model_schema_add_entity(s, "id");
	mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o.task = MMP_TASK_BINARY;
	o.train_x = x;
	o.train_y = y;
	o.train_rows = NROWS;
	o.ncols = 2;
	o.feature_names = names;
	o.feature_kinds = kinds;
	o.params = p;
	o.nparams = 2;
	o.num_boost_round = 10;
	o.nthread = 1;
	o.schema = s;
	if (mmp_model_train(&m, &o, NULL) < 0)
		diag("train: %s", mmp_error_last()->message);
	mmp_model_schema_free(s);
	return m;
}

static char *slurp(const char *path)
{
	mmp_buf b = MMP_BUF_INIT;
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mmp_buf_put(&b, chunk, n);
	fclose(f);
	return mmp_buf_detach(&b);
}

static void test_run(void)
{
	static const char *const colours[] = { "blue", "green", "red",
		"purple" };
	mmp_model *m = train_model();
	mmp_buf in = MMP_BUF_INIT, out = MMP_BUF_INIT, want = MMP_BUF_INIT;
	mmp_batch_options o = MMP_BATCH_OPTIONS_INIT;
	mmp_batch_result r;
	float x[2 * NROWS], y[NROWS];
	unsigned int threads;
	FILE *f;
	size_t i;
	char *got;

	ok(m != NULL, "a model to predict with");
	if (!m)
		return;
	mmp_buf_printf(&in, "%s/in.csv", tap_tmpdir());
	mmp_buf_printf(&out, "%s/out.csv", tap_tmpdir());
	f = fopen(in.ptr, "w");
	fprintf(f, "colour,extra,x0,id\n");
	for (i = 0; i < NROWS; i++) {
		x[2 * i] = (float)(i % 89) / 9.0f;
		x[2 * i + 1] = i % 4 == 3 ? NAN : (float)(i % 4);
		fprintf(f, "%s,%zu,%.9g,r%zu\n", colours[i % 4], i,
			(double)x[2 * i], i);
	}
	fclose(f);
	mmp_model_set_nthread(m, 1);
	is_int(mmp_model_predict(m, x, NROWS, 2, y), 0, "library predicts");
	mmp_buf_puts(&want, "id,prediction,no,yes\n");
	for (i = 0; i < NROWS; i++) {
		char p0[32], p1[32];

		mmp_fmt_float(p0, 1.0f - y[i]);
		mmp_fmt_float(p1, y[i]);
		mmp_buf_printf(&want, "r%zu,%s,%s,%s\n", i, y[i] > 0.5f ?
			"yes" : "no", p0, p1);
	}
	o.input = in.ptr;
	o.output = out.ptr;
	o.proba = 1;
	o.chunk_rows = 37;
	for (threads = 1; threads <= 4; threads += 3) {
		o.nthreads = threads;
		is_int(mmp_batch_run(&r, m, &o), 0, "%u thread(s): the job "
			"runs", threads);
		got = slurp(out.ptr);
		is_str(got, want.ptr, "%u thread(s): every row equals "
			"mmp_model_predict() with mmp_fmt_float()", threads);
		free(got);
		is_int((long long)r.rows_in, NROWS, "rows in");
		is_int((long long)r.rows_out, NROWS, "rows out");
		is_int((long long)r.unseen, NROWS / 4, "purple is unseen");
		is_int((long long)r.nunseen_features, 1, "in one feature");
		is_str(r.unseen_features[0].feature, "colour", "colour");
		is_int((long long)strlen(r.digest), 64, "a sha256 digest");
		is_str(r.run_id, "", "no store: no run");
		is_int((long long)strlen(r.rows_digest), 64,
			"a rows digest by default");
		mmp_batch_result_release(&r);
	}

	/* nothing records the rows digest: not made, the same output */
	memset(&r, 0xff, sizeof(r));
	o.skip_rows_digest = 1;
	is_int(mmp_batch_run(&r, m, &o), 0, "a job without the rows digest");
	got = slurp(out.ptr);
	is_str(got, want.ptr, "writes the same predictions");
	free(got);
	is_str(r.rows_digest, "", "and no rows digest");
	is_int((long long)strlen(r.digest), 64, "but the file's sha256");
	is_int((long long)r.rows_out, NROWS, "every row out");
	mmp_batch_result_release(&r);
	o.skip_rows_digest = 0;

	o.evaluate = 1;
	is_int(mmp_batch_run(&r, m, &o), MMP_ENOTFOUND,
		"evaluate without a target column");
	ok(strstr(mmp_error_last()->message, "unknown column 'label'") !=
		NULL, "naming the target: %s", mmp_error_last()->message);
	mmp_batch_result_release(&r);
	o.evaluate = 0;

	o.chunk_rows = (size_t)1 << 30;
	is_int(mmp_batch_run(&r, m, &o), MMP_EINVALID, "a huge chunk");
	mmp_batch_result_release(&r);
	o.chunk_rows = 0;
	o.output = in.ptr;
	is_int(mmp_batch_run(&r, m, &o), MMP_EINVALID, "output == input");
	mmp_batch_result_release(&r);
	mmp_model_free(m);
	mmp_buf_dispose(&in);
	mmp_buf_dispose(&out);
	mmp_buf_dispose(&want);
}

int main(void)
{
	if (mmp_global_init() < 0)
		return 1;
	test_fmt_float();
	test_fields();
	test_options();
	test_run();
	mmp_global_shutdown();
	return done_testing();
}
