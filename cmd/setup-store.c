/* SPDX-License-Identifier: MIT */
/* setup-store.c: find and open the store for commands that need it */
#include "cmd.h"

mmp_store *ctx_store(struct mmp_ctx *ctx)
{
	if (!ctx->store)
		die("the store is not available in this build");
	return ctx->store;
}

void ctx_release_store(struct mmp_ctx *ctx)
{
	ctx->store = NULL;
}
