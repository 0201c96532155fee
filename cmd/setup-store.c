/* SPDX-License-Identifier: MIT */
/* setup-store.c: find and open the store for commands that need it */
#include "cmd.h"
#include "mmp/store.h"

static mmp_store *open_store(struct mmp_ctx *ctx, unsigned int flags)
{
	mmp_buf path = MMP_BUF_INIT;
	int err;

	if (ctx->store)
		return ctx->store;
	err = mmp_store_locate(&path, ctx->store_path);
	if (err < 0) {
		mmp_buf_dispose(&path);
		die("%s", mmp_error_last()->message);
	}
	err = mmp_store_open(&ctx->store, path.ptr, flags);
	mmp_buf_dispose(&path);
	if (err < 0)
		die("%s", mmp_error_last()->message);
	return ctx->store;
}

mmp_store *ctx_store(struct mmp_ctx *ctx)
{
	return open_store(ctx, 0);
}

/* for commands that only read: a read-only store is fine */
mmp_store *ctx_store_read(struct mmp_ctx *ctx)
{
	return open_store(ctx, MMP_STORE_READ);
}

void ctx_release_store(struct mmp_ctx *ctx)
{
	mmp_store_free(ctx->store);
	ctx->store = NULL;
}
