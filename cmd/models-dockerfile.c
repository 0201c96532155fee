/* SPDX-License-Identifier: MIT */
/* models-dockerfile.c: mmp models dockerfile: a container build context */
#include "cmd.h"
#include "output.h"
#include "models-annotate.h"
#include "registry-common.h"

static const char *const dockerfile_usage[] = {
	"mmp models dockerfile <model>@<ref> <dir> [--json]",
	NULL
};

int models_dockerfile(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_dockerfile_result r;

	argc = parse_options(argc, argv, opts, dockerfile_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp models dockerfile' takes a model "
			"reference and a directory", dockerfile_usage, opts);
	if (mmp_registry_dockerfile(&r, ctx_store(ctx), argv[0], argv[1],
			NULL) < 0)
		return reg_error("cannot write the build context");
	if (!r.host_matches)
		warning("the image is %s, but this host is not Debian 12: "
			"build mmp on Debian 12 for the copied binary to find "
			"its libraries", r.base_image);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "name", r.name);
		cJSON_AddNumberToObject(doc, "version", (double)r.version);
		cJSON_AddStringToObject(doc, "stage", mmp_stage_name(r.stage));
		cJSON_AddStringToObject(doc, "dir", argv[1]);
		cJSON_AddStringToObject(doc, "base_image", r.base_image);
		cJSON_AddNumberToObject(doc, "port", r.port);
		json_print(doc);
	} else {
		info(ctx, "wrote a build context for %s version %lld to '%s'; "
			"see %s/README.md", r.name, (long long)r.version,
			argv[1], argv[1]);
	}
	mmp_dockerfile_result_release(&r);
	return 0;
}
