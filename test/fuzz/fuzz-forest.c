/* SPDX-License-Identifier: MIT */
/* fuzz-forest.c: libFuzzer harness for the tree compiler's model readers
 * (XGBoost JSON and UBJSON) and prediction with what they accept */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "model/forest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks the reader (even: UBJSON, odd: JSON) and the
 * rounds kept (byte / 2 % 4, 0: all); the rest is the model. A model
 * that compiles predicts rows of NaNs, extremes and category codes,
 * with and without the output transform, one row and a block.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const float cells[] = { NAN, 0.0f, -1.0f, 1.0f, 3.0f,
		1e38f, -INFINITY, INFINITY, 0.5f, 70.0f };
	mmp_buf why = MMP_BUF_INIT;
	mmp_forest *f = NULL;
	size_t nf, per, i, nrows = 70;
	float *x, *out;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		rc = mmp_forest__from_json(&f, (const char *)data + 1,
			size - 1, data[0] / 2 % 4, &why);
	else
		rc = mmp_forest__from_ubjson(&f, data + 1, size - 1,
			data[0] / 2 % 4, &why);
	mmp_buf_dispose(&why);
	mmp_error_clear();
	if (rc < 0 || !f)
		return 0;
	nf = mmp_forest__nfeatures(f);
	per = mmp_forest__noutputs(f, 1);
	if (nf > 4096 || per > 4096) {
		mmp_forest__free(f);
		return 0;
	}
	x = calloc(nrows * (nf ? nf : 1), sizeof(float));
	out = calloc(nrows * per, sizeof(float));
	for (i = 0; i < nrows * nf; i++)
		x[i] = cells[(i * 7 + i / 3) % (sizeof(cells) /
			sizeof(cells[0]))];
	mmp_forest__predict(f, x, 1, out, 0, 1);
	mmp_forest__predict(f, x, nrows, out, 0, 1);
	mmp_forest__predict(f, x, nrows, out, 1, 1);
	free(x);
	free(out);
	mmp_forest__free(f);
	return 0;
}
