/* SPDX-License-Identifier: MIT */
/* init.c: mmp init: the store and the example files of a new project */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp/project.h"
#include "mmp/store.h"
#include "util/util.h"
#include "project-internal.h"

/* write `len` bytes to a new file; 1 when it existed already */
static int write_new(const char *path, const char *data, size_t len)
{
	mmp_buf dir = MMP_BUF_INIT;
	int err;

	if (mmp_path_exists(path))
		return 1;
	mmp_path_dirname(&dir, path);
	err = mmp_mkdir_p(dir.ptr, 0777);
	mmp_buf_dispose(&dir);
	if (err < 0)
		return err;
	return mmp_file_write_atomic(path, data, len);
}

int mmp_project_init(mmp_project_init_result *out, const char *dir)
{
	mmp_buf abs = MMP_BUF_INIT, db = MMP_BUF_INIT, path = MMP_BUF_INIT;
	const struct mmp_example *e;
	mmp_store *store = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mmp_path_absolute(&abs, dir)) < 0)
		goto done;
	if ((err = mmp_mkdir_p(abs.ptr, 0777)) < 0)
		goto done;
	mmp_path_join(&db, abs.ptr, ".mmp/mmp.db");
	err = mmp_store_open(&store, db.ptr,
		MMP_STORE_CREATE | MMP_STORE_EXCLUSIVE);
	if (err == MMP_EEXISTS) {
		mmp_error_set(MMP_ERROR_STORE, "an mmp store already exists "
			"in '%s'", db.ptr);
		goto done;
	}
	if (err < 0)
		goto done;
	mmp_store_free(store);
	for (e = mmp_project__examples; e->path; e++) {
		mmp_buf_clear(&path);
		mmp_path_join(&path, abs.ptr, e->path);
		err = write_new(path.ptr, e->start, (size_t)(e->end - e->start));
		if (err < 0)
			goto done;
		if (err == 1)
			out->files_kept++;
		else
			out->files_written++;
		err = 0;
	}
	out->store_path = mmp_buf_detach(&db);
done:
	mmp_buf_dispose(&abs);
	mmp_buf_dispose(&db);
	mmp_buf_dispose(&path);
	return err;
}

void mmp_project_init_result_release(mmp_project_init_result *r)
{
	free(r->store_path);
	memset(r, 0, sizeof(*r));
}
