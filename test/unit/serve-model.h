/* SPDX-License-Identifier: MIT */
/* serve-model.h: the model the serving unit tests (t-serve,
 * t-serve-live) serve: y = 1 when x > 0 or the colour is blue */
#ifndef TEST_serve_model_h__
#define TEST_serve_model_h__

#include <string.h>

#include "mmp.h"
#include "mmp/model.h"
#include "tap.h"

#define SERVE_ROWS 400

static const char *const serve_colours[] = { "red", "green", "blue" };

/*
 * Train it on SERVE_ROWS rows of x (numeric) and colour (red, green,
 * blue), with an entity column id and the classes neg and pos: 10 trees
 * of depth 3, one thread. The rows, x then the colour's code, go to
 * `x_out` (2 * SERVE_ROWS floats; may be NULL). NULL when training
 * fails (said in a diagnostic).
 */
static inline mmp_model *serve_model_train(float *x_out)
{
	static const char *const names[] = { "x", "colour" };
	static const mmp_feature_kind kinds[] = {
		MMP_FEATURE_NUMERIC, MMP_FEATURE_CATEGORICAL
	};
	mmp_model_param p[] = { { "max_depth", "3" },
		{ "tree_method", "hist" } };
	mmp_model_schema *s = NULL;
	mmp_model_train_options o;
	mmp_model *m = NULL;
	float x[SERVE_ROWS * 2], y[SERVE_ROWS];
	int i;

	mmp_model_schema_new(&s, MMP_TASK_BINARY, "y");
	mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0);
	mmp_model_schema_add_feature(s, "colour", MMP_FEATURE_CATEGORICAL,
		MMP_COLUMN_STRING, serve_colours, 3);
	mmp_model_schema_add_class(s, "neg");
	mmp_model_schema_add_class(s, "pos");
	mmp_model_schema_add_entity(s, "id");
	for (i = 0; i < SERVE_ROWS; i++) {
		x[i * 2] = (float)((i * 37) % 200 - 100) / 50.0f;
		x[i * 2 + 1] = (float)(i % 3);
		y[i] = x[i * 2] > 0 || i % 3 == 2;
	}
	mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o.task = MMP_TASK_BINARY;
	o.train_x = x;
	o.train_y = y;
	o.train_rows = SERVE_ROWS;
	o.ncols = 2;
	o.feature_names = names;
	o.feature_kinds = kinds;
	o.params = p;
	o.nparams = 2;
	o.num_boost_round = 10;
	o.nthread = 1;
	o.schema = s;
	if (mmp_model_train(&m, &o, NULL) < 0)
		diag("%s", mmp_error_last()->message);
	mmp_model_schema_free(s);
	if (m)
		mmp_model_set_nthread(m, 1);
	if (x_out)
		memcpy(x_out, x, sizeof(x));
	return m;
}

#endif
