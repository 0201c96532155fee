/* SPDX-License-Identifier: MIT */
/* setup-config.c: load the layered configuration for commands */
#include "cmd.h"

mmp_config *ctx_config(struct mmp_ctx *ctx)
{
	if (!ctx->config)
		die("the configuration is not available in this build");
	return ctx->config;
}

void ctx_release_config(struct mmp_ctx *ctx)
{
	ctx->config = NULL;
}
