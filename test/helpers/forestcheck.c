/* SPDX-License-Identifier: MIT */
/* forestcheck.c: test helper: predict a model directory's model with
 * XGBoost's predictor (mmp_model_set_predictor()) and with mmp's compiled trees on rows that
 * sit on every split boundary, and count the floats that differ in bits
 *
 *   forestcheck MODEL_DIR NROWS SEED
 *   forestcheck --csv MODEL_DIR NROWS SEED   (the rows as CSV, no check)
 *
 * prints {"rows":N,"outputs":N,"trees":N,"mismatches":N} */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/model.h"
#include "model/forest.h"

#define MAXSPLITS 4096

static uint64_t state;

static uint32_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 11);
}

static float numeric_cell(const float *splits, size_t n)
{
	static const float odd[] = { INFINITY, -INFINITY, FLT_MAX, -FLT_MAX,
		0.0f, -0.0f, 1e-45f };
	float t;

	switch (rnd() % 10) {
	case 0:
		return NAN;
	case 1:
		return odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
	default:
		if (!n)
			return (float)(rnd() % 2000) / 10.0f - 100.0f;
		t = splits[rnd() % n];
		switch (rnd() % 3) {
		case 0:
			return nextafterf(t, -INFINITY);
		case 1:
			return nextafterf(t, INFINITY);
		default:
			return t;
		}
	}
}

static float category_cell(size_t ncat)
{
	static const float odd[] = { NAN, -1.0f, 0.5f, 1e9f, INFINITY };

	if (rnd() % 5 == 0)
		return odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
	return (float)(rnd() % (ncat + 3));
}

/* the rows as a CSV file a user could send: numbers exact (9 digits),
 * NaN as an empty cell, infinities as the largest floats, integer
 * columns rounded, codes as category names, a code no category
 * has as a name the model never saw */
static void print_csv(const mmp_model_schema *s, const float *x,
	size_t nrows)
{
	size_t i, j, n = s->nfeatures;

	for (j = 0; j < n; j++)
		printf("%s%s", j ? "," : "", s->features[j].name);
	putchar('\n');
	for (i = 0; i < nrows; i++)
		for (j = 0; j < n; j++) {
			const mmp_model_feature *ft = &s->features[j];
			float v = x[i * n + j];

			if (j)
				putchar(',');
			if (isnan(v))
				;
			else if (ft->type == MMP_COLUMN_LONG) {
				/* integers only, as serve-api checks */
				if (fabsf(v) < 2147483647.0f)
					printf("%.0f", (double)rintf(v));
			} else if (ft->kind != MMP_FEATURE_CATEGORICAL)
				/* mmp reads no infinities from files */
				printf("%.9g", (double)(isinf(v) ? copysignf(
					FLT_MAX, v) : v));
			else if (v >= 0 && v < (float)ft->ncategories &&
			    v == floorf(v))
				printf("%s", ft->categories[(size_t)v]);
			else
				printf("unseen%g", (double)v);
			if (j == n - 1)
				putchar('\n');
		}
}

int main(int argc, char **argv)
{
	int csv = argc > 1 && !strcmp(argv[1], "--csv");
	const mmp_model_schema *schema;
	mmp_model *m = NULL;
	mmp_forest *f = NULL;
	mmp_buf why = MMP_BUF_INIT;
	size_t nrows, ncols, per, i, j, bad = 0, *nsplit;
	float *x, *want, *got, *splits;

	argc -= csv;
	argv += csv;
	if (argc != 4) {
		fprintf(stderr, "usage: forestcheck MODEL_DIR NROWS SEED\n");
		return 129;
	}
	nrows = strtoul(argv[2], NULL, 10);
	state = strtoull(argv[3], NULL, 10) * 2654435761u + 1;
	mmp_global_init();
	if (mmp_model_load_dir(&m, argv[1]) < 0 ||
	    mmp_forest__from_model(&f, m, &why) < 0 || (!f && !csv)) {
		fprintf(stderr, "forestcheck: %s%s\n", why.ptr,
			mmp_error_last()->message);
		return 1;
	}
	/* the reference: XGBoost's own predictor */
	if (mmp_model_set_predictor(m, MMP_PREDICTOR_XGBOOST) < 0) {
		fprintf(stderr, "%s\n", mmp_error_last()->message);
		return 1;
	}
	schema = mmp_model_schema_of(m);
	ncols = mmp_model_nfeatures(m);
	per = mmp_model_noutputs(m);
	if (f && per != mmp_forest__noutputs(f, 0)) {
		fprintf(stderr, "forestcheck: %zu outputs, xgboost %zu\n",
			mmp_forest__noutputs(f, 0), per);
		return 1;
	}
	splits = calloc(ncols * MAXSPLITS, sizeof(float));
	nsplit = calloc(ncols, sizeof(size_t));
	for (j = 0; j < ncols; j++)
		nsplit[j] = !f ? 0 : mmp_forest__split_values(f, j,
			splits + j * MAXSPLITS, MAXSPLITS);
	x = calloc(nrows * ncols, sizeof(float));
	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncols; j++) {
			const mmp_model_feature *ft = schema ?
				&schema->features[j] : NULL;

			x[i * ncols + j] = ft && ft->kind ==
				MMP_FEATURE_CATEGORICAL ?
				category_cell(ft->ncategories) :
				numeric_cell(splits + j * MAXSPLITS,
				nsplit[j]);
		}
	if (csv) {
		print_csv(schema, x, nrows);
		return 0;
	}
	want = calloc(nrows * per, sizeof(float));
	got = calloc(nrows * per, sizeof(float));
	if (mmp_model_predict(m, x, nrows, ncols, want) < 0 ||
	    mmp_forest__predict(f, x, nrows, got, 0, 2) < 0) {
		fprintf(stderr, "forestcheck: %s\n",
			mmp_error_last()->message);
		return 1;
	}
	/* the first rows again one and two at a time: the paths for a
	 * few rows differ from the batch's */
	for (i = 0; i + 3 <= nrows && i < 3000; i += 3) {
		float one[3 * 64];

		if (per > 64)
			break;
		if (mmp_forest__predict(f, x + i * ncols, 1, one, 0, 1) < 0 ||
		    mmp_forest__predict(f, x + (i + 1) * ncols, 2,
		    one + per, 0, 1) < 0)
			return 1;
		if (memcmp(one, want + i * per, 3 * per * sizeof(float)))
			bad++;
	}
	for (i = 0; i < nrows * per; i++)
		if (memcmp(&got[i], &want[i], sizeof(float))) {
			if (!bad)
				fprintf(stderr, "forestcheck: [%zu] %.9g != "
					"xgboost %.9g\n", i, got[i], want[i]);
			bad++;
		}
	printf("{\"rows\":%zu,\"outputs\":%zu,\"trees\":%zu,"
		"\"mismatches\":%zu}\n", nrows, per, mmp_forest__ntrees(f),
		bad);
	free(x);
	free(want);
	free(got);
	free(splits);
	free(nsplit);
	mmp_buf_dispose(&why);
	mmp_forest__free(f);
	mmp_model_free(m);
	mmp_global_shutdown();
	return 0;
}
