/* SPDX-License-Identifier: MIT */
/* init.c: mmp init [<dir>]: create a store and example files */
#include "cmd.h"
#include "output.h"
#include "mmp/project.h"

static const char *const init_usage[] = {
	"mmp init [--json] [-q] [<dir>]",
	NULL
};

int cmd_init(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_END()
	};
	mmp_project_init_result r;
	const char *dir;

	argc = parse_options(argc, argv, opts, init_usage, 0);
	if (argc > 1)
		usage_msg_opt("too many arguments", init_usage, opts);
	/* the store goes to <dir>/.mmp: a --store elsewhere would be
	 * ignored, and every later command run with it would miss it */
	if (ctx->store_path)
		usage_msg_opt("'mmp init' creates <dir>/.mmp; give the "
			"directory, not --store", init_usage, opts);
	dir = argc ? argv[0] : ".";
	if (mmp_project_init(&r, dir) < 0)
		return error("%s", mmp_error_last()->message) ? EXIT_FAIL : 0;
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "store", r.store_path);
		cJSON_AddNumberToObject(doc, "files_written",
			(double)r.files_written);
		cJSON_AddNumberToObject(doc, "files_kept", (double)r.files_kept);
		json_print(doc);
	} else if (ctx->verbosity >= 0) {
		printf("Initialized empty mmp store in %s\n",
			tsafe(r.store_path));
		if (r.files_written)
			printf("wrote %zu example files (configs/, recipes/); "
				"try: mmp train --recipe "
				"recipes/breast-cancer.yaml\n", r.files_written);
	}
	mmp_project_init_result_release(&r);
	return 0;
}
