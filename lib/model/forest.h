/* SPDX-License-Identifier: MIT */
/* forest.h: mmp's own predictor for XGBoost tree ensembles (lib/model) */
#ifndef LIB_model_forest_h__
#define LIB_model_forest_h__

#include <stddef.h>

#include "mmp/buf.h"
#include "mmp/model.h"

/*
 * A booster's trees compiled at load into one flat array of 12-byte
 * nodes (children adjacent, depth-first from each root), categorical
 * splits as bitsets, plus the base margin, the tree groups and the
 * objective's output transform. Predictions are bit-identical to
 * XGBoost 1.7's CPU predictor: float32 sums from the base margin in
 * tree order, the same missing-value directions and category rules.
 * Read-only once built: safe to share between threads.
 */
typedef struct mmp_forest mmp_forest;

/*
 * Compile XGBoost's JSON model text (`len` bytes, as saved with
 * {"format":"json"}), keeping the trees of the first `nrounds` rounds
 * (0: all). Returns 0 with `*out` set, or 0 with `*out` NULL and the
 * reason appended to `why` (may be NULL) when the model uses something
 * this predictor does not handle (gblinear, dart, an objective it does
 * not know): the caller then predicts with XGBoost. MMP_EINVALID for
 * text that is not a well-formed tree model.
 */
int mmp_forest__from_json(mmp_forest **out, const char *json, size_t len,
	int nrounds, mmp_buf *why);

/*
 * The same from XGBoost's Universal Binary JSON model (as saved with
 * {"format":"ubj"}): the exact float32 bits, and much faster to read.
 */
int mmp_forest__from_ubjson(mmp_forest **out, const void *data, size_t len,
	int nrounds, mmp_buf *why);

/*
 * The same from a live booster (a BoosterHandle): saves it to UBJSON in
 * memory and compiles it. Not safe while another thread changes the
 * booster. Returns as mmp_forest__from_json(), or MMP_ERROR when
 * XGBoost cannot save the model.
 */
int mmp_forest__from_booster(mmp_forest **out, void *booster, int nrounds,
	mmp_buf *why);

/*
 * The same for a model of mmp's (its trees up to best_iteration), which
 * must not change while this runs.
 */
int mmp_forest__from_model(mmp_forest **out, const mmp_model *m,
	mmp_buf *why);

/* up to `max` thresholds of numeric splits on `feature`, into `out`;
 * returns how many (tests walk every boundary with them) */
size_t mmp_forest__split_values(const mmp_forest *f, size_t feature,
	float *out, size_t max);

/* floats per row of mmp_forest__predict(): num_class for
 * multi:softprob (and for margins of any multiclass model), else 1 */
size_t mmp_forest__noutputs(const mmp_forest *f, int margin);

size_t mmp_forest__nfeatures(const mmp_forest *f);
size_t mmp_forest__ntrees(const mmp_forest *f);

/*
 * Predict `nrows` dense row-major rows of mmp_forest__nfeatures()
 * floats (NaN = missing) into `out` (nrows * noutputs floats). With
 * `margin` non-zero: the raw sums, no output transform. `nthread` > 1
 * splits large inputs between that many threads (0: one per core).
 * Returns 0, or MMP_ERROR when a thread cannot be started.
 */
int mmp_forest__predict(const mmp_forest *f, const float *rows,
	size_t nrows, float *out, int margin, int nthread);

void mmp_forest__free(mmp_forest *f);

#endif
