/* SPDX-License-Identifier: MIT */
/* register.c: mmp register: a run's model becomes a model version */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const register_usage[] = {
	"mmp register <run> --name <model> [--description <text>]",
	"    [--tag <key>=<value>]... [--by <name>] [--json]",
	NULL
};

int cmd_register(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *name = NULL, *desc = NULL, *by = NULL;
	struct string_list tags = STRING_LIST_INIT;
	int json = 0;
	const struct option opts[] = {
		OPT_STRING(0, "name", &name, "<model>",
			"the registered model (created when new)"),
		OPT_STRING(0, "description", &desc, "<text>",
			"a description of this version"),
		OPT_STRING_LIST(0, "tag", &tags, "<key>=<value>",
			"a version tag (repeatable)"),
		OPT_STRING(0, "by", &by, "<name>",
			"who registers it ($MMP_USER, else the OS user)"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_register_options o = MMP_REGISTER_OPTIONS_INIT;
	mmp_model_version *v = NULL;
	mmp_kv *kv = NULL;
	mmp_store *s;
	int64_t version;
	size_t i;
	int ret = EXIT_FAIL;

	argc = parse_options(argc, argv, opts, register_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp register' takes one run", register_usage,
			opts);
	if (!name)
		usage_msg_opt("option '--name' is required", register_usage,
			opts);
	kv = calloc(tags.nr ? tags.nr : 1, sizeof(*kv));
	if (!kv)
		die("out of memory");
	for (i = 0; i < tags.nr; i++) {
		const char *eq = strchr(tags.items[i], '=');

		if (!eq || eq == tags.items[i]) {
			error("option '--tag' expects <key>=<value>, got '%s'",
				tags.items[i]);
			free(kv);
			string_list_release(&tags);
			return EXIT_USAGE;
		}
		kv[i].key = strndup(tags.items[i],
			(size_t)(eq - tags.items[i]));
		kv[i].value = eq + 1;
	}
	o.description = desc;
	o.tags = kv;
	o.tags_nr = tags.nr;
	o.actor = by;
	s = ctx_store(ctx);
	if (mmp_registry_register(&version, s, argv[0], name, &o) < 0) {
		error_lib("cannot register run '%s' as '%s'", argv[0], name);
		goto done;
	}
	if (mmp_registry_version_get(&v, s, name, version) < 0) {
		error_lib("cannot read back %s version %lld", name,
			(long long)version);
		goto done;
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddItemToObject(doc, "model_version",
			reg_version_json(v));
		json_print(doc);
	} else if (ctx->verbosity >= 0) {
		printf("registered %s version %lld from run %.8s\n", name,
			(long long)version, v->run_id);
	}
	ret = EXIT_OK;
done:
	mmp_model_version_free(v);
	for (i = 0; i < tags.nr; i++)
		free((char *)kv[i].key);
	free(kv);
	string_list_release(&tags);
	return ret;
}
