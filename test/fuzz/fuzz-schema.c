/* SPDX-License-Identifier: MIT */
/* fuzz-schema.c: libFuzzer harness for a model's input schema as given
 * by --schema FILE or an MLmodel signature (MLflow column specs), or as
 * mmp-schema.json */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "model/xgb-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks the task (byte % 3) and the class count for a
 * multiclass one (byte / 3 % 8); the rest is the schema text. A schema
 * that parses is written as mmp-schema.json and read back: the copy has
 * the same features.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const mmp_task tasks[] = {
		MMP_TASK_BINARY, MMP_TASK_MULTICLASS, MMP_TASK_REGRESSION,
	};
	mmp_model_schema *s = NULL, *back = NULL;
	mmp_buf b = MMP_BUF_INIT;
	mmp_task task;
	size_t nclasses;

	if (!size)
		return 0;
	task = tasks[data[0] % 3];
	nclasses = task == MMP_TASK_BINARY ? 2 : task ==
		MMP_TASK_MULTICLASS ? 2 + data[0] / 3 % 8 : 0;
	if (mmp_model__schema_from_text(&s, task, nclasses,
	    (const char *)data + 1, size - 1, "fuzz") < 0) {
		mmp_error_clear();
		return 0;
	}
	if (mmp_model_schema_to_json(&b, s) < 0 ||
	    mmp_model__schema_from_text(&back, task, nclasses, b.ptr, b.size,
	    "again") < 0 || back->nfeatures != s->nfeatures)
		abort();
	mmp_model_schema_free(back);
	mmp_model_schema_free(s);
	mmp_buf_dispose(&b);
	mmp_error_clear();
	return 0;
}
