/* SPDX-License-Identifier: MIT */
/* predict.c: time mmp_model_predict() with mmp's compiled trees against
 * XGBoost's predictor (mmp_model_set_predictor()) on one model
 * directory: batches on the same threads and single-row calls,
 * interleaved rounds, medians. Built and run by predict.sh.
 *
 *   predict MODEL_DIR ROWS THREADS ROUNDS */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmp.h"
#include "mmp/model.h"

#define SINGLE_CALLS 20000
#define MAX_ROUNDS 15

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void fail(const char *what)
{
	fprintf(stderr, "predict: %s: %s\n", what, mmp_error_last()->message);
	exit(1);
}

static mmp_model *load(const char *dir, int threads, mmp_predictor p)
{
	mmp_model *m = NULL;

	if (mmp_model_load_dir(&m, dir) < 0)
		fail("cannot load the model");
	if (mmp_model_set_predictor(m, p) < 0)
		fail("cannot choose the predictor");
	if (mmp_model_set_nthread(m, threads) < 0)
		fail("cannot set the threads");
	return m;
}

int main(int argc, char **argv)
{
	double bx[MAX_ROUNDS], bm[MAX_ROUNDS], sx[MAX_ROUNDS], sm[MAX_ROUNDS];
	size_t nrows, nf, i, k;
	int threads, rounds, r;
	uint64_t st = 7;
	mmp_model *mx, *mm, *ox, *om;
	mmp_buf what = MMP_BUF_INIT;
	float *x, *a, *b;
	double t;

	if (argc != 5) {
		fprintf(stderr, "usage: predict MODEL_DIR ROWS THREADS "
			"ROUNDS\n");
		return 129;
	}
	nrows = strtoul(argv[2], NULL, 10);
	threads = atoi(argv[3]);
	rounds = atoi(argv[4]);
	if (rounds < 1 || rounds > MAX_ROUNDS || nrows < SINGLE_CALLS)
		return 129;
	mmp_global_init();
	/* batches on THREADS threads; single rows on one, as serve-api
	 * and batch-inference's workers call it */
	mx = load(argv[1], threads, MMP_PREDICTOR_XGBOOST);
	mm = load(argv[1], threads, MMP_PREDICTOR_MMP);
	ox = load(argv[1], 1, MMP_PREDICTOR_XGBOOST);
	om = load(argv[1], 1, MMP_PREDICTOR_MMP);
	mmp_model_predictor_describe(&what, mm);
	nf = mmp_model_nfeatures(mm);
	x = malloc(nrows * nf * sizeof(float));
	a = malloc(nrows * sizeof(float));
	b = malloc(nrows * sizeof(float));
	for (i = 0; i < nrows * nf; i++) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (st >> 33) % 100 == 0 ? NAN :
			(float)((double)((st >> 33) % 100000) / 50000.0 - 1.0);
	}
	/* the same answers first */
	if (mmp_model_predict(mx, x, nrows, nf, a) < 0)
		fail("xgboost");
	if (mmp_model_predict(mm, x, nrows, nf, b) < 0)
		fail("mmp");
	if (memcmp(a, b, nrows * sizeof(float))) {
		fprintf(stderr, "predict: the predictions differ\n");
		return 1;
	}
	for (k = 0; k < SINGLE_CALLS; k++)
		if (mmp_model_predict(om, x + k * nf, 1, nf, b + k) < 0 ||
		    memcmp(a + k, b + k, sizeof(float)))
			fail("single row");
	for (r = 0; r < rounds; r++) {
		t = now();
		mmp_model_predict(mx, x, nrows, nf, a);
		bx[r] = now() - t;
		t = now();
		mmp_model_predict(mm, x, nrows, nf, b);
		bm[r] = now() - t;
		t = now();
		for (k = 0; k < SINGLE_CALLS; k++)
			mmp_model_predict(ox, x + k * nf, 1, nf, a + k);
		sx[r] = (now() - t) / SINGLE_CALLS;
		t = now();
		for (k = 0; k < SINGLE_CALLS; k++)
			mmp_model_predict(om, x + k * nf, 1, nf, b + k);
		sm[r] = (now() - t) / SINGLE_CALLS;
	}
	printf("model: %s, %zu features; %zu rows, %d thread(s), "
		"%d interleaved rounds, medians\n", what.ptr, nf, nrows,
		threads, rounds);
	{
		double tx = median(bx, rounds), tm = median(bm, rounds);
		double ux = median(sx, rounds), um = median(sm, rounds);

		printf("batch, %d thread(s): xgboost %.3f s (%.3f us/row)   "
			"mmp %.3f s (%.3f us/row)   mmp/xgboost time %.3f "
			"(%.2fx faster)\n", threads, tx,
			tx / (double)nrows * 1e6, tm,
			tm / (double)nrows * 1e6, tm / tx, tx / tm);
		printf("single row, 1 thread: xgboost %.2f us/call   mmp "
			"%.3f us/call   mmp/xgboost time %.4f (%.1fx "
			"faster)\n", ux * 1e6, um * 1e6, um / ux, ux / um);
	}
	free(x);
	free(a);
	free(b);
	mmp_buf_dispose(&what);
	mmp_model_free(mx);
	mmp_model_free(mm);
	mmp_model_free(ox);
	mmp_model_free(om);
	mmp_global_shutdown();
	return 0;
}
