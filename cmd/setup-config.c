/* SPDX-License-Identifier: MIT */
/* setup-config.c: load the layered configuration for commands */
#include <stdlib.h>

#include "cmd.h"
#include "mmp/config.h"
#include "mmp/store.h"

mmp_config *ctx_config(struct mmp_ctx *ctx)
{
	mmp_config_options o = MMP_CONFIG_OPTIONS_INIT;
	mmp_diag_list *diags = NULL;
	mmp_buf db = MMP_BUF_INIT;
	size_t i, n;
	int ret;

	if (ctx->config)
		return ctx->config;
	/* configs/ lives beside the store's .mmp directory, if any */
	if (mmp_store_locate(&db, ctx->store_path) == 0)
		o.store_path = db.ptr;
	else {
		mmp_error_clear();
		o.store_path = ctx->store_path;
	}
	o.env = ctx->env;
	o.overrides = ctx->config_overrides.items;
	o.noverrides = ctx->config_overrides.nr;
	ret = mmp_config_load(&ctx->config, &diags, &o);
	mmp_buf_dispose(&db);
	if (!ret)
		return ctx->config;
	if (ret != MMP_EINVALID || !diags)
		die_lib("cannot load the configuration");
	/* the user's input is wrong: every problem, then exit 1 */
	n = mmp_diag_list_count(diags);
	for (i = 0; i < n; i++)
		error("%s", mmp_diag_list_get(diags, i)->message);
	mmp_diag_list_free(diags);
	exit(EXIT_FAIL);
}

void ctx_release_config(struct mmp_ctx *ctx)
{
	mmp_config_free(ctx->config);
	ctx->config = NULL;
}
