/* SPDX-License-Identifier: MIT */
/* predict.c: time mmp's compiled trees against XGBoost's predictor on
 * one model directory: batches on the same threads and single-row calls,
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
#include "model/forest.h"

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

int main(int argc, char **argv)
{
	double bx[MAX_ROUNDS], bm[MAX_ROUNDS], sx[MAX_ROUNDS], sm[MAX_ROUNDS];
	size_t nrows, nf, i, k;
	int threads, rounds, r;
	uint64_t st = 7;
	mmp_model *m = NULL;
	mmp_forest *f = NULL;
	mmp_buf why = MMP_BUF_INIT;
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
	if (mmp_model_load_dir(&m, argv[1]) < 0)
		fail("cannot load the model");
	if (mmp_model_set_nthread(m, threads) < 0)
		fail("cannot set the threads");
	if (mmp_forest__from_model(&f, m, &why) < 0 || !f) {
		fprintf(stderr, "predict: not compiled: %s\n", why.ptr);
		return 1;
	}
	/* the reference: XGBoost's own predictor */
	if (mmp_model_set_predictor(m, MMP_PREDICTOR_XGBOOST) < 0) {
		fprintf(stderr, "%s\n", mmp_error_last()->message);
		return 1;
	}
	nf = mmp_model_nfeatures(m);
	x = malloc(nrows * nf * sizeof(float));
	a = malloc(nrows * sizeof(float));
	b = malloc(nrows * sizeof(float));
	for (i = 0; i < nrows * nf; i++) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (st >> 33) % 100 == 0 ? NAN :
			(float)((double)((st >> 33) % 100000) / 50000.0 - 1.0);
	}
	/* the same answers first */
	if (mmp_model_predict(m, x, nrows, nf, a) < 0)
		fail("xgboost");
	if (mmp_forest__predict(f, x, nrows, b, 0, threads) < 0)
		fail("mmp");
	if (memcmp(a, b, nrows * sizeof(float))) {
		fprintf(stderr, "predict: the predictions differ\n");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		t = now();
		mmp_model_predict(m, x, nrows, nf, a);
		bx[r] = now() - t;
		t = now();
		mmp_forest__predict(f, x, nrows, b, 0, threads);
		bm[r] = now() - t;
		t = now();
		for (k = 0; k < SINGLE_CALLS; k++)
			mmp_model_predict(m, x + k * nf, 1, nf, a + k);
		sx[r] = (now() - t) / SINGLE_CALLS;
		t = now();
		for (k = 0; k < SINGLE_CALLS; k++)
			mmp_forest__predict(f, x + k * nf, 1, b + k, 0, 1);
		sm[r] = (now() - t) / SINGLE_CALLS;
	}
	printf("model: %zu trees, %zu features; %zu rows, %d thread(s), "
		"%d interleaved rounds, medians\n", mmp_forest__ntrees(f), nf,
		nrows, threads, rounds);
	{
		double mx = median(bx, rounds), mm = median(bm, rounds);
		double ox = median(sx, rounds), om = median(sm, rounds);

		printf("batch:      xgboost %.3f s (%.3f us/row)   mmp %.3f s "
			"(%.3f us/row)   mmp/xgboost time %.3f (%.2fx faster)\n",
			mx, mx / (double)nrows * 1e6, mm,
			mm / (double)nrows * 1e6, mm / mx, mx / mm);
		printf("single row: xgboost %.2f us/call   mmp %.3f us/call   "
			"mmp/xgboost time %.4f (%.1fx faster)\n", ox * 1e6,
			om * 1e6, om / ox, ox / om);
	}
	free(x);
	free(a);
	free(b);
	mmp_buf_dispose(&why);
	mmp_forest__free(f);
	mmp_model_free(m);
	mmp_global_shutdown();
	return 0;
}
