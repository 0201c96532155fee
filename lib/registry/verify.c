/* SPDX-License-Identifier: MIT */
/* verify.c: a model directory against the checksums recorded in training */
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"

#define MODEL_PREFIX "model/"

int mmp_registry_verify_model(mmp_store *s, const char *run_id,
	const char *model_dir, size_t *out_checked)
{
	mmp_run *run = NULL;
	mmp_buf file = MMP_BUF_INIT;
	char sha[65];
	size_t i, n = strlen(MODEL_PREFIX), checked = 0;
	int err;

	if (out_checked)
		*out_checked = 0;
	if ((err = mmp_run_get(&run, s, run_id)) < 0)
		return err;
	for (i = 0; i < run->artifacts_nr; i++) {
		const mmp_artifact *a = &run->artifacts[i];

		if (strncmp(a->path, MODEL_PREFIX, n))
			continue;
		mmp_buf_clear(&file);
		mmp_path_join(&file, model_dir, a->path + n);
		if (!mmp_path_exists(file.ptr)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"model file '%s' is missing (run %s recorded "
				"it with sha256 %.12s)", file.ptr, run_id,
				a->sha256);
			goto done;
		}
		if ((err = mmp_sha256_file(sha, file.ptr)) < 0) {
			mmp_error_prefix("cannot check model file '%s'",
				file.ptr);
			goto done;
		}
		if (strcmp(sha, a->sha256)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"model file '%s' changed since run %s trained "
				"it (sha256 %.12s, recorded %.12s); refusing "
				"to use it", file.ptr, run_id, sha, a->sha256);
			goto done;
		}
		checked++;
	}
	if (out_checked)
		*out_checked = checked;
done:
	mmp_buf_dispose(&file);
	mmp_run_free(run);
	return err;
}
