/* SPDX-License-Identifier: MIT */
/* t-rows-digest.c: the rows digest of chunks read one after another is
 * the digest of the frame of all of them, whatever the chunk size; only
 * the entity columns asked for count; no chunk, no digest */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/data.h"

static const char data[] =
	"id,x,c,y\n"
	"a,1.5,red,no\n"
	"b,NA,blue,yes\n"
	"c,2.25,,no\n"
	"d,-3,red,yes\n"
	"e,0,green,no\n"
	"f,7.125,blue,yes\n"
	"g,1e10,red,no\n";

static char path[512], header[512];
static mmp_category_table *colours, *classes;

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* the spec: x, c, the target y, and the entity id unless `no_id` */
static void spec_of(mmp_csv_spec *spec, mmp_csv_column *cols, int no_id)
{
	mmp_csv_spec init = MMP_CSV_SPEC_INIT;
	size_t n = 0;

	cols[n++] = (mmp_csv_column){ "x", MMP_CSV_NUMERIC, NULL };
	cols[n++] = (mmp_csv_column){ "c", MMP_CSV_CATEGORICAL, colours };
	cols[n++] = (mmp_csv_column){ "y", MMP_CSV_TARGET, classes };
	if (!no_id)
		cols[n++] = (mmp_csv_column){ "id", MMP_CSV_ENTITY, NULL };
	*spec = init;
	spec->columns = cols;
	spec->ncolumns = n;
	spec->others = MMP_CSV_SKIP;
	spec->task = MMP_TASK_BINARY;
	spec->allow_empty = 1;
}

/* the digest of the file loaded whole */
static void whole(char out[65], int no_id)
{
	mmp_csv_column cols[4];
	mmp_csv_spec spec;
	mmp_frame *f = NULL;

	out[0] = '\0';
	spec_of(&spec, cols, no_id);
	if (mmp_csv_load(&f, path, &spec, NULL) < 0) {
		diag("load: %s", mmp_error_last()->message);
		return;
	}
	mmp_frame_rows_digest(f, out);
	mmp_frame_free(f);
}

/* the digest of `p` read in chunks of `rows`, counting `ne` entities;
 * returns what mmp_rows_digest_final() returns */
static int chunked(char out[65], const char *p, size_t rows, size_t ne)
{
	mmp_csv_column cols[4];
	mmp_csv_spec spec;
	mmp_csv_reader *r = NULL;
	mmp_rows_digest *d = NULL;
	mmp_frame *f;
	int err;

	out[0] = '\0';
	spec_of(&spec, cols, 0);
	if ((err = mmp_csv_reader_open(&r, p, &spec, NULL)) < 0)
		return err;
	mmp_rows_digest_new(&d, ne);
	while ((err = mmp_csv_reader_next(&f, r, rows)) == 0) {
		err = mmp_rows_digest_add(d, f);
		mmp_frame_free(f);
		if (err < 0)
			break;
	}
	if (err == MMP_ITEROVER)
		err = mmp_rows_digest_final(d, out);
	mmp_rows_digest_free(d);
	mmp_csv_reader_free(r);
	return err;
}

int main(void)
{
	static const char *const c[] = { "red", "green", "blue" };
	static const char *const y[] = { "no", "yes" };
	static const size_t sizes[] = { 1, 3, 7, 100 };
	char all[65], no_id[65], got[65];
	size_t i;

	snprintf(path, sizeof(path), "%s/rows.csv", tap_tmpdir());
	snprintf(header, sizeof(header), "%s/header.csv", tap_tmpdir());
	write_file(path, data);
	write_file(header, "id,x,c,y\n");
	mmp_category_table_new(&colours, c, 3);
	mmp_category_table_new(&classes, y, 2);

	whole(all, 0);
	whole(no_id, 1);
	is_int((long long)strlen(all), 64, "the frame's digest");
	ok(strcmp(all, no_id) != 0, "the entity column changes it");
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		is_int(chunked(got, path, sizes[i], 1), 0,
			"chunks of %zu rows", sizes[i]);
		is_str(got, all, "the same digest as the whole frame");
	}
	is_int(chunked(got, path, 3, 0), 0, "no entity column counted");
	is_str(got, no_id, "the digest of the frame without it");
	is_int(chunked(got, header, 3, 1), MMP_ENOTFOUND,
		"a file of no rows: no digest");
	is_str(got, "", "and nothing written");
	mmp_category_table_free(colours);
	mmp_category_table_free(classes);
	return done_testing();
}
