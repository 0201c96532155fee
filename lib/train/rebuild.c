/* SPDX-License-Identifier: MIT */
/* rebuild.c: the test rows of a recorded train run, rebuilt exactly from
 * its recipe snapshot, its recorded split and its data (a file, or a
 * database query re-read) */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "util/util.h"
#include "dataset.h"
#include "rebuild.h"

#define OVERRIDES_TAG "mmp.recipe.overrides"

static const char *kv_get(const mmp_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static const mmp_dataset_input *training_data(const mmp_run *run)
{
	size_t i;

	for (i = 0; i < run->datasets_nr; i++)
		if (!strcmp(run->datasets[i].context, "training"))
			return &run->datasets[i];
	return NULL;
}

static int has_artifact(const mmp_run *run, const char *path)
{
	size_t i;

	for (i = 0; i < run->artifacts_nr; i++)
		if (!strcmp(run->artifacts[i].path, path))
			return 1;
	return 0;
}

/* the params that decide the test rows, as recorded by mmp train */
static const char *const split_params[] = {
	"split.method", "split.test_size", "split.seed"
};

int mmp_train__can_rebuild(const mmp_run *run, mmp_buf *why)
{
	const mmp_dataset_input *d = training_data(run);
	size_t i;

	if (strcmp(run->kind, "train")) {
		mmp_buf_printf(why, "run %.8s is a %s run, not a train run",
			run->run_id, run->kind);
		return 0;
	}
	if (strcmp(run->status, "FINISHED")) {
		mmp_buf_printf(why, "run %.8s is %s", run->run_id,
			run->status);
		return 0;
	}
	if (!d || !d->source || !*d->source) {
		mmp_buf_printf(why, "run %.8s records no training data file",
			run->run_id);
		return 0;
	}
	if (!has_artifact(run, "recipe.yaml")) {
		mmp_buf_printf(why, "run %.8s has no recipe snapshot "
			"(recipe.yaml)", run->run_id);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(split_params); i++)
		if (!kv_get(run->params, run->params_nr, split_params[i])) {
			mmp_buf_printf(why, "run %.8s records no param '%s'",
				run->run_id, split_params[i]);
			return 0;
		}
	return 1;
}

/* the run's --set overrides, then its recorded split params */
static int collect_overrides(char ***out, size_t *n, const mmp_run *run)
{
	const char *tag = kv_get(run->tags, run->tags_nr, OVERRIDES_TAG);
	static const char *const keys[][2] = {
		{ "split.method", "data.split.method" },
		{ "split.test_size", "data.split.test_size" },
		{ "split.validation_size", "data.split.validation_size" },
		{ "split.seed", "data.split.seed" },
		{ "split.stratify", "data.split.stratify" },
	};
	cJSON *arr = NULL, *it;
	char **v;
	size_t cap = ARRAY_SIZE(keys), i;
	mmp_buf b = MMP_BUF_INIT;

	*out = NULL;
	*n = 0;
	if (tag) {
		arr = cJSON_Parse(tag);
		if (!cJSON_IsArray(arr)) {
			cJSON_Delete(arr);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_STORE,
				"run %.8s: tag %s is not a JSON array",
				run->run_id, OVERRIDES_TAG);
		}
		cap += (size_t)cJSON_GetArraySize(arr);
	}
	v = mmp__calloc(cap + 1, sizeof(*v));
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			continue;
		v[(*n)++] = mmp__strdup(it->valuestring);
	}
	cJSON_Delete(arr);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *val = kv_get(run->params, run->params_nr,
			keys[i][0]);

		if (!val)
			continue;
		mmp_buf_clear(&b);
		mmp_buf_printf(&b, "%s=%s", keys[i][1], val);
		v[(*n)++] = mmp_buf_detach(&b);
	}
	mmp_buf_dispose(&b);
	*out = v;
	return 0;
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int load_snapshot(mmp_train_rebuilt *out, mmp_store *s,
	const mmp_run *run, const mmp_config *config)
{
	mmp_recipe_options ro = MMP_RECIPE_OPTIONS_INIT;
	mmp_buf path = MMP_BUF_INIT;
	char **ov = NULL;
	size_t nov = 0;
	int err;

	if ((err = collect_overrides(&ov, &nov, run)) < 0)
		return err;
	mmp_path_join(&path, mmp_store_dir(s), run->artifact_uri);
	mmp_buf_puts(&path, "/recipe.yaml");
	ro.overrides = (const char *const *)ov;
	ro.noverrides = nov;
	ro.config = config;
	err = mmp_recipe_load(&out->recipe, NULL, path.ptr, &ro);
	if (err < 0)
		mmp_error_prefix("cannot read the recipe snapshot of run %.8s",
			run->run_id);
	free_strings(ov, nov);
	mmp_buf_dispose(&path);
	return err;
}

/* a new temporary file in $TMPDIR (or /tmp) for a database's rows */
static int temp_csv(mmp_train_rebuilt *out, int *fd)
{
	const char *dir = getenv("TMPDIR");
	mmp_buf p = MMP_BUF_INIT;

	if (!dir || !*dir)
		dir = "/tmp";
	mmp_buf_printf(&p, "%s/mmp-rows-XXXXXX", dir);
	*fd = mkostemp(p.ptr, O_CLOEXEC);
	if (*fd < 0) {
		int err = mmp_error_set_os("cannot create a temporary file "
			"in '%s'", dir);
		mmp_buf_dispose(&p);
		return err;
	}
	out->rows_csv = mmp_buf_detach(&p);
	return 0;
}

/*
 * A database source is read again through the recipe snapshot's source
 * (its ${VAR}s expanded now, so the password is never recorded); the
 * rows must have the rows digest training recorded. The rows read are
 * also kept as CSV, so that models score exactly these rows.
 */
static int rebuild_database(mmp_train_rebuilt *out, mmp_frame **f,
	mmp_store *s, const mmp_run *run, const mmp_config *config,
	const mmp_dataset_input *d)
{
	const char *loc;
	int fd, err;

	if ((err = load_snapshot(out, s, run, config)) < 0)
		return err;
	loc = out->recipe->data.source_abs;
	out->data_path = mmp__strdup(out->recipe->data.source_shown);
	if (mmp_source_kind_of(loc) == MMP_SOURCE_FILE)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"run %.8s read '%s', but its recipe names the file "
			"'%s'", run->run_id, d->source, loc);
	if ((err = temp_csv(out, &fd)) < 0)
		return err;
	err = mmp_train__load_data_export(f, out->recipe, loc, fd);
	if (close(fd) < 0 && !err)
		err = mmp_error_set_os("cannot write '%s'", out->rows_csv);
	if (err < 0) {
		mmp_error_prefix("cannot rebuild the test rows of run %.8s",
			run->run_id);
		return err;
	}
	mmp_frame_rows_digest(*f, out->digest);
	if (strcmp(out->digest, d->digest))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_DATA,
			"the rows of '%s' changed since run %.8s was trained "
			"on them (rows digest %.12s then, %.12s now)",
			out->data_path, run->run_id, d->digest, out->digest);
	return 0;
}

int mmp_train__rebuild(mmp_train_rebuilt *out, mmp_store *s,
	const mmp_run *run, const mmp_config *config)
{
	const mmp_dataset_input *d = training_data(run);
	const char *want;
	mmp_frame *f = NULL;
	mmp_buf why = MMP_BUF_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	if (!mmp_train__can_rebuild(run, &why)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"cannot rebuild the test rows: %s", why.ptr);
		mmp_buf_dispose(&why);
		return err;
	}
	mmp_buf_dispose(&why);
	if (mmp_source_kind_of(d->source) != MMP_SOURCE_FILE) {
		err = rebuild_database(out, &f, s, run, config, d);
		goto split;
	}
	out->data_path = mmp__strdup(d->source);
	if (!mmp_path_exists(out->data_path))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"the data file '%s' of run %.8s no longer exists",
			out->data_path, run->run_id);
	/* a changed file is refused before it is parsed */
	if ((err = mmp_sha256_file(out->digest, out->data_path)) < 0)
		return err;
	if (strcmp(out->digest, d->digest))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_DATA,
			"the data file '%s' changed since run %.8s was trained "
			"on it (sha256 %.12s then, %.12s now)", out->data_path,
			run->run_id, d->digest, out->digest);
	if ((err = load_snapshot(out, s, run, config)) < 0)
		return err;
	if ((err = mmp_train__load_data(&f, NULL, out->recipe,
			out->data_path, 0)) < 0) {
		mmp_error_prefix("cannot rebuild the test rows of run %.8s",
			run->run_id);
		return err;
	}
	if (strcmp(mmp_frame_digest(f), d->digest))
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_DATA,
			"the data file '%s' changed while it was read",
			out->data_path);
split:
	if (!err) {
		out->rows = mmp_frame_nrows(f);
		if ((err = mmp_split_rows(&out->split, out->recipe, f)) < 0)
			mmp_error_prefix("cannot rebuild the test rows of "
				"run %.8s", run->run_id);
	}
	if (!err && (want = kv_get(run->params, run->params_nr,
			"split.test_sha256")) &&
	    strcmp(want, out->split.test_sha256))
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_DATA,
			"the rebuilt test rows of run %.8s are not the ones "
			"it was tested on (sha256 %.12s, recorded %.12s)",
			run->run_id, out->split.test_sha256, want);
	mmp_frame_free(f);
	return err;
}

void mmp_train__rebuilt_release(mmp_train_rebuilt *b)
{
	if (b->rows_csv)
		unlink(b->rows_csv);
	free(b->rows_csv);
	mmp_split_release(&b->split);
	free(b->data_path);
	mmp_recipe_free(b->recipe);
	memset(b, 0, sizeof(*b));
}
