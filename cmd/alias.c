/* SPDX-License-Identifier: MIT */
/* alias.c: mmp alias: point a model's alias at a version, or remove it */
#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const alias_usage[] = {
	"mmp alias <model> <alias> <version> [--by <name>] [--json]",
	"mmp alias <model> <alias> --delete [--by <name>] [--json]",
	NULL
};

int cmd_alias(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *by = NULL;
	int del = 0, json = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "delete", &del, "remove the alias"),
		OPT_STRING(0, "by", &by, "<name>",
			"who changes it ($MMP_USER, else the OS user)"),
		OPT__JSON(&json),
		OPT_END()
	};
	int64_t version = 0, prev = 0;
	int err;

	argc = parse_options(argc, argv, opts, alias_usage, 0);
	if (del ? argc != 2 : argc != 3)
		usage_msg_opt(del ? "'mmp alias --delete' takes a model and "
			"an alias" : "'mmp alias' takes a model, an alias and "
			"a version", alias_usage, opts);
	if (!del && reg_parse_version(&version, argv[2]) < 0)
		return EXIT_USAGE;
	if (del)
		err = mmp_registry_alias_delete(&prev, ctx_store(ctx),
			argv[0], argv[1], by);
	else
		err = mmp_registry_alias_set(&prev, ctx_store(ctx), argv[0],
			argv[1], version, by);
	if (err < 0)
		return error_lib(del ? "cannot delete alias %s@%s" :
			"cannot set alias %s@%s", argv[0], argv[1]);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "name", argv[0]);
		cJSON_AddStringToObject(doc, "alias", argv[1]);
		if (version)
			cJSON_AddNumberToObject(doc, "version",
				(double)version);
		else
			cJSON_AddNullToObject(doc, "version");
		if (prev)
			cJSON_AddNumberToObject(doc, "previous", (double)prev);
		else
			cJSON_AddNullToObject(doc, "previous");
		json_print(doc);
	} else if (del) {
		printf("deleted %s@%s (was version %lld)\n", argv[0], argv[1],
			(long long)prev);
	} else if (prev && prev != version) {
		printf("%s@%s: version %lld -> %lld\n", argv[0], argv[1],
			(long long)prev, (long long)version);
	} else {
		printf("%s@%s: version %lld\n", argv[0], argv[1],
			(long long)version);
	}
	return 0;
}
