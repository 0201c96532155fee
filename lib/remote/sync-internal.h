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
};

#endif
