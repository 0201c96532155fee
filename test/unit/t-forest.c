/* SPDX-License-Identifier: MIT */
/* t-forest.c: mmp's tree predictor against XGBoost, bit for bit */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "tap.h"
#include "mmp.h"
#include "model/forest.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static float unif(void)
{
	return (float)(rnd() % 1000000) / 1000000.0f;
}

/* XGBoost's prediction: value (type 0) or margin (type 1) */
static int xgb_predict(BoosterHandle b, const float *x, size_t nrows,
	size_t ncols, int type, const float **res, size_t *len)
{
	char iface[200], cfg[200];
	const bst_ulong *shape;
	bst_ulong dim, d, total = 1;

	snprintf(iface, sizeof(iface), "{\"data\":[%" PRIuPTR ",true],"
		"\"shape\":[%zu,%zu],\"typestr\":\"<f4\",\"version\":3}",
		(uintptr_t)x, nrows, ncols);
	snprintf(cfg, sizeof(cfg), "{\"type\":%d,\"training\":false,"
		"\"iteration_begin\":0,\"iteration_end\":0,"
		"\"strict_shape\":false,\"missing\":NaN,\"cache_id\":0}", type);
	if (XGBoosterPredictFromDense(b, iface, cfg, NULL, &shape, &dim,
	    res) != 0) {
		diag("xgboost: %s", XGBGetLastError());
		return -1;
	}
	for (d = 0; d < dim; d++)
		total *= shape[d];
	*len = (size_t)total;
	return 0;
}

/* every float of mmp's prediction equals XGBoost's, bit for bit:
 * values and margins, one thread and several */
static int same_as_xgb(BoosterHandle b, const mmp_forest *f,
	const float *x, size_t nrows, size_t ncols, const char *what)
{
	int margin, nt, good = 1;

	for (margin = 0; margin <= 1; margin++) {
		const float *want;
		size_t len, per = mmp_forest__noutputs(f, margin), i;
		float *got;

		if (xgb_predict(b, x, nrows, ncols, margin, &want, &len)) {
			ok(0, "%s: xgboost predicts", what);
			return 0;
		}
		if (len != nrows * per) {
			ok(0, "%s: %zu outputs, xgboost %zu", what,
				nrows * per, len);
			return 0;
		}
		got = calloc(len, sizeof(float));
		for (nt = 1; nt <= 3; nt += 2) {
			memset(got, 0xff, len * sizeof(float));
			if (mmp_forest__predict(f, x, nrows, got, margin, nt))
				good = 0;
			if (memcmp(got, want, len * sizeof(float))) {
				for (i = 0; i < len; i++)
					if (memcmp(&got[i], &want[i], 4))
						break;
				diag("%s margin=%d threads=%d: [%zu] "
					"%.9g (%08" PRIx32 ") != xgboost "
					"%.9g", what, margin, nt, i,
					got[i], ((uint32_t *)got)[i],
					want[i]);
				good = 0;
			}
		}
		free(got);
	}
	return good;
}

typedef struct {
	const char *objective;
	int nclass;
	int label;          /* 0 any, 1 binary, 2 count, 3 positive, 4 class */
	const char *base_score;
} objspec;

static const objspec objectives[] = {
	{ "reg:squarederror", 0, 0, NULL },
	{ "reg:squarederror", 0, 0, "-3.75" },
	{ "reg:squaredlogerror", 0, 3, NULL },
	{ "reg:pseudohubererror", 0, 0, NULL },
	{ "reg:absoluteerror", 0, 0, NULL },
	{ "reg:logistic", 0, 1, NULL },
	{ "binary:logistic", 0, 1, NULL },
	{ "binary:logistic", 0, 1, "0.3" },
	{ "binary:logitraw", 0, 1, "0.8" },
	{ "binary:hinge", 0, 1, NULL },
	{ "count:poisson", 0, 2, NULL },
	{ "count:poisson", 0, 2, "2.5" },
	{ "reg:gamma", 0, 3, NULL },
	{ "reg:tweedie", 0, 3, "1.7" },
	{ "survival:cox", 0, 3, NULL },
	{ "rank:pairwise", 0, 2, NULL },
	{ "multi:softprob", 3, 4, NULL },
	{ "multi:softprob", 5, 4, NULL },
	{ "multi:softmax", 4, 4, NULL },
};

/* an awkward cell: NaN, infinities, extremes, denormals, -0 */
static float odd_value(void)
{
	static const float odd[] = { NAN, INFINITY, -INFINITY, FLT_MAX,
		-FLT_MAX, FLT_MIN, 1e-45f, -0.0f, 0.0f, 1e30f, -1e30f };

	return odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
}

/* a category code as a user may send it: seen, unseen, negative,
 * fractional, huge */
static float odd_code(int ncat)
{
	static const float odd[] = { -1.0f, -0.5f, 0.5f, 1.5f, 31.0f, 32.0f,
		33.0f, 63.0f, 64.0f, 100.0f, 1e9f, 16777216.0f, NAN,
		INFINITY, -INFINITY };

	if (rnd() % 2)
		return (float)(rnd() % (unsigned)(ncat + 3));
	return odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
}

static float label_for(const objspec *o, const float *x, size_t ncols)
{
	float s = 0;
	size_t j;

	for (j = 0; j < ncols; j++)
		if (!isnan(x[j]))
			s += (j % 2 ? -1.0f : 1.0f) * fminf(fmaxf(x[j], -50),
				50);
	s += unif() - 0.5f;
	switch (o->label) {
	case 1:
		return s > 0;
	case 2:
		return (float)(fabsf(s) < 20 ? (int)fabsf(s) : 20);
	case 3:
		return 0.1f + fabsf(s);
	case 4:
		return (float)((unsigned)fabsf(s * 3) % (unsigned)o->nclass);
	default:
		return s;
	}
}

static void set(BoosterHandle b, const char *k, const char *v)
{
	if (XGBoosterSetParam(b, k, v) != 0)
		diag("param %s: %s", k, XGBGetLastError());
}

/* train one random booster and compare on fresh, awkward rows */
static void random_case(int n, const objspec *o)
{
	size_t ncols = 3 + rnd() % 8, ntrain = 200 + rnd() % 300, ntest = 700;
	size_t i, j, ncat = rnd() % 3;
	int depth = 1 + (int)(rnd() % 8), rounds = 1 + (int)(rnd() % 25);
	int cat_max = 2 + (int)(rnd() % 40), r;
	float *x = calloc(ntrain * ncols, sizeof(float));
	float *y = calloc(ntrain, sizeof(float));
	float *t = calloc(ntest * ncols, sizeof(float));
	const char **types = calloc(ncols, sizeof(char *));
	char what[160], num[32];
	DMatrixHandle dm;
	BoosterHandle b;
	mmp_forest *f = NULL;
	mmp_buf why = MMP_BUF_INIT;

	for (j = 0; j < ncols; j++)
		types[j] = j < ncat ? "c" : "q";
	for (i = 0; i < ntrain; i++) {
		for (j = 0; j < ncols; j++) {
			float *c = &x[i * ncols + j];

			if (rnd() % 10 == 0)
				*c = NAN;
			else if (j < ncat)
				*c = (float)(rnd() % (unsigned)cat_max);
			else
				*c = (unif() - 0.5f) * (j % 3 ? 10.0f :
					1000.0f);
		}
		y[i] = label_for(o, &x[i * ncols], ncols);
	}
	for (i = 0; i < ntest; i++)
		for (j = 0; j < ncols; j++) {
			float *c = &t[i * ncols + j];

			if (j < ncat)
				*c = odd_code(cat_max);
			else if (i < ntrain && rnd() % 2)
				*c = x[i * ncols + j];
			else if (rnd() % 8 == 0)
				*c = odd_value();
			else
				*c = (unif() - 0.5f) * 20.0f;
		}
	XGDMatrixCreateFromMat(x, ntrain, ncols, NAN, &dm);
	XGDMatrixSetFloatInfo(dm, "label", y, ntrain);
	XGDMatrixSetStrFeatureInfo(dm, "feature_type", types, ncols);
	XGBoosterCreate(&dm, 1, &b);
	set(b, "objective", o->objective);
	set(b, "tree_method", "hist");
	set(b, "nthread", "1");
	set(b, "verbosity", "0");
	snprintf(num, sizeof(num), "%d", depth);
	set(b, "max_depth", num);
	snprintf(num, sizeof(num), "%d", 1 + (int)(rnd() % 8));
	set(b, "max_cat_to_onehot", num);
	set(b, "eta", rnd() % 2 ? "0.3" : "1.7");
	if (o->nclass) {
		snprintf(num, sizeof(num), "%d", o->nclass);
		set(b, "num_class", num);
	}
	if (o->base_score)
		set(b, "base_score", o->base_score);
	if (rnd() % 3 == 0)
		set(b, "num_parallel_tree", "2");
	for (r = 0; r < rounds; r++)
		if (XGBoosterUpdateOneIter(b, r, dm) != 0) {
			diag("train: %s", XGBGetLastError());
			break;
		}
	snprintf(what, sizeof(what), "random %d: %s, %zu cols (%zu "
		"categorical), depth %d, %d rounds", n, o->objective, ncols,
		ncat, depth, rounds);
	if (mmp_forest__from_booster(&f, b, 0, &why) < 0 || !f) {
		ok(0, "%s: compiles (%s%s)", what, why.ptr,
			mmp_error_last()->message);
	} else {
		ok(same_as_xgb(b, f, t, ntest, ncols, what), "%s", what);
		/* one row at a time: the serving path */
		ok(same_as_xgb(b, f, t + 5 * ncols, 1, ncols, what),
			"%s: one row", what);
	}
	mmp_forest__free(f);
	mmp_buf_dispose(&why);
	XGBoosterFree(b);
	XGDMatrixFree(dm);
	free(x);
	free(y);
	free(t);
	free(types);
}

/* a booster trained with `booster` as its kind is refused, with why */
static void refuses(const char *booster, const char *objective,
	const char *reason)
{
	float x[40], y[20];
	DMatrixHandle dm;
	BoosterHandle b;
	mmp_forest *f = (mmp_forest *)1;
	mmp_buf why = MMP_BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < 40; i++)
		x[i] = (float)(i % 7);
	for (i = 0; i < 20; i++)
		y[i] = (float)(i % 2);
	XGDMatrixCreateFromMat(x, 20, 2, NAN, &dm);
	XGDMatrixSetFloatInfo(dm, "label", y, 20);
	XGBoosterCreate(&dm, 1, &b);
	set(b, "booster", booster);
	set(b, "objective", objective);
	set(b, "verbosity", "0");
	if (!strcmp(objective, "survival:aft")) {
		XGDMatrixSetFloatInfo(dm, "label_lower_bound", y, 20);
		XGDMatrixSetFloatInfo(dm, "label_upper_bound", y, 20);
		for (i = 0; i < 20; i++)
			y[i] += 1;
	}
	XGBoosterUpdateOneIter(b, 0, dm);
	rc = mmp_forest__from_booster(&f, b, 0, &why);
	ok(rc == 0 && f == NULL, "%s/%s: not compiled", booster, objective);
	is_str(why.ptr, reason, "%s/%s: the reason", booster, objective);
	mmp_buf_dispose(&why);
	XGBoosterFree(b);
	XGDMatrixFree(dm);
}

static void bad_json(const char *json, const char *msg)
{
	mmp_forest *f = NULL;
	int rc = mmp_forest__from_json(&f, json, strlen(json), 0, NULL);

	ok(rc == MMP_EINVALID && !f, "bad model rejected: %s", msg);
	is_str(mmp_error_last()->message, msg, "message: %s", msg);
}

#define TREE(l, r, s, c, d) "{\"left_children\":" l ",\"right_children\":" \
	r ",\"split_indices\":" s ",\"split_conditions\":" c \
	",\"default_left\":" d "}"
#define MODEL(trees, info) "{\"learner\":{\"gradient_booster\":{" \
	"\"name\":\"gbtree\",\"model\":{\"trees\":[" trees "]," \
	"\"tree_info\":" info "}},\"objective\":{\"name\":" \
	"\"reg:squarederror\"},\"learner_model_param\":{\"base_score\":" \
	"\"5E-1\",\"num_class\":\"0\",\"num_feature\":\"2\"}}}"

int main(void)
{
	size_t i;
	int n = 0, rep;

	mmp_global_init();
	XGBSetGlobalConfig("{\"verbosity\":0}");
	for (rep = 0; rep < 4; rep++)
		for (i = 0; i < sizeof(objectives) / sizeof(objectives[0]);
		    i++)
			random_case(n++, &objectives[i]);

	refuses("gblinear", "reg:squarederror",
		"booster 'gblinear' is not handled");
	refuses("dart", "binary:logistic", "booster 'dart' is not handled");
	refuses("gbtree", "survival:aft",
		"objective 'survival:aft' is not handled");

	bad_json("{", "bad tree model: not JSON");
	bad_json(MODEL(TREE("[1,-1]", "[2,-1]", "[0,0]", "[0.5,1]", "[0,0]"),
		"[0]"), "bad tree model: tree 0: child index out of range");
	bad_json(MODEL(TREE("[1,-1,-1]", "[2,-1,-1]", "[5,0,0]",
		"[0.5,1,2]", "[0,0,0]"), "[0]"),
		"bad tree model: tree 0: split feature out of range");
	bad_json(MODEL(TREE("[1,1,-1]", "[2,2,-1]", "[0,0,0]",
		"[0.5,1,2]", "[0,0,0]"), "[0]"),
		"bad tree model: tree 0: a node is reached twice");
	bad_json(MODEL(TREE("[-1]", "[-1]", "[0]", "[0.5]", "[0,1]"),
		"[0]"), "bad tree model: tree 0: default_left");
	bad_json(MODEL(TREE("[-1]", "[-1]", "[0]", "[0.5]", "[0]"),
		"[3]"), "bad tree model: tree 0: tree_info");
	bad_json(MODEL(TREE("[-1]", "[-1]", "[0]", "[0.5]", "[0]"),
		"[0,0]"), "bad tree model: trees and tree_info differ");
	{
		/* a hand-made stump: x0 < 0.5 → 1, else 2, NaN → 2 */
		const char *json = MODEL(TREE("[1,-1,-1]", "[2,-1,-1]",
			"[0,0,0]", "[0.5,1,2]", "[0,0,0]"), "[0]");
		float rows[6] = { 0.25f, 0, 0.5f, 0, NAN, 0 }, out[3];
		mmp_forest *f = NULL;

		ok(mmp_forest__from_json(&f, json, strlen(json), 0, NULL) == 0
			&& f, "a stump compiles");
		if (f) {
			mmp_forest__predict(f, rows, 3, out, 0, 1);
			ok(out[0] == 1.5f && out[1] == 2.5f && out[2] == 2.5f,
				"the stump predicts base + leaf: %g %g %g",
				out[0], out[1], out[2]);
		}
		mmp_forest__free(f);
	}
	mmp_global_shutdown();
	return done_testing();
}
