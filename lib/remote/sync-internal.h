/* SPDX-License-Identifier: MIT */
/* sync-internal.h: the state of one push, shared by the sync files */
#ifndef LIB_remote_sync_internal_h__
#define LIB_remote_sync_internal_h__

#include "mmp/sync.h"
#include "remote-internal.h"

struct mmp_sync__push {
	mmp_store *s;
	const mmp_sync_options *o;
	mmp_sync_result *out;
	struct mmp_mlflow m;
	int64_t remote;     /* the store's id of the server; -1: none yet */
	int dry;            /* count in out->sent; no request, no write */
};

/* report a step to the progress callback: MMP_EINTERRUPTED to stop */
int mmp_sync__emit(struct mmp_sync__push *p, const char *run,
	const char *remote_run, const char *what, const char *detail);

/* sync-model.c */
/* an MLmodel file's text with its top-level run_id naming the server's run */
void mmp_sync__mlmodel_for_server(mmp_buf *out, const char *text,
	size_t len, const char *remote_run_id);
/* runs/log-inputs with the run's datasets, unless sent as they are */
int mmp_sync__log_inputs(struct mmp_sync__push *p, const mmp_run *r,
	const char *remote_run_id);
/* runs/log-model for the run's MLmodel artifact `rel_path` (local file
 * `file`), unless the server's history lists it already */
int mmp_sync__log_model(struct mmp_sync__push *p, const mmp_run *r,
	const char *remote_run_id, const char *rel_path, const char *file);

/* push (or, dry, count) the registry: models, versions, stages, aliases;
 * the runs of the versions must have been pushed */
int mmp_sync__registry(struct mmp_sync__push *p);

#endif
