/* SPDX-License-Identifier: MIT */
/* models-annotate.c: mmp models describe/tag: text and tags of models and
 * versions after registration */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "models-annotate.h"
#include "registry-common.h"

static const char *const describe_usage[] = {
	"mmp models describe <model> [<version>] <text> [--by <name>]",
	NULL
};

static const char *const tag_usage[] = {
	"mmp models tag <model> [<version>] [<key>=<value>...] "
	"[--unset <key>]...",
	"    [--by <name>]",
	NULL
};

static const char *where(char buf[64], int64_t version)
{
	if (version)
		snprintf(buf, 64, "version %lld", (long long)version);
	else
		snprintf(buf, 64, "model");
	return buf;
}

int models_describe(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *by = NULL;
	const struct option opts[] = {
		OPT_STRING(0, "by", &by, "<name>",
			"who changes it ($MMP_USER, else the OS user)"),
		OPT_END()
	};
	int64_t version = 0;
	char w[64];

	argc = parse_options(argc, argv, opts, describe_usage, 0);
	if (argc < 2 || argc > 3)
		usage_msg_opt("'mmp models describe' takes a model, maybe a "
			"version, and a text", describe_usage, opts);
	if (argc == 3 && reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	if (mmp_registry_describe(ctx_store(ctx), argv[0], version,
			argv[argc - 1], by) < 0)
		return reg_error("cannot describe");
	info(ctx, "%s %s: description %s", argv[0],
		where(w, version), *argv[argc - 1] ? "set" :
		"removed");
	return 0;
}

int models_tag(int argc, const char **argv, struct mmp_ctx *ctx)
{
	struct string_list unset = STRING_LIST_INIT;
	const char *by = NULL;
	const struct option opts[] = {
		OPT_STRING_LIST(0, "unset", &unset, "<key>",
			"remove this tag (repeatable)"),
		OPT_STRING(0, "by", &by, "<name>",
			"who changes it ($MMP_USER, else the OS user)"),
		OPT_END()
	};
	int64_t version = 0;
	mmp_kv *kv = NULL;
	char **keys = NULL, w[64];
	int i, first = 1, n, ret = 0;

	argc = parse_options(argc, argv, opts, tag_usage, 0);
	if (argc < 1)
		usage_msg_opt("'mmp models tag' needs a model", tag_usage,
			opts);
	/* a second argument without '=' is the version */
	if (argc > 1 && !strchr(argv[1], '=')) {
		if (reg_parse_version(&version, argv[1]) < 0) {
			string_list_release(&unset);
			return EXIT_USAGE;
		}
		first = 2;
	}
	n = argc - first;
	if (n <= 0 && !unset.nr)
		usage_msg_opt("'mmp models tag' needs <key>=<value> or "
			"--unset", tag_usage, opts);
	kv = calloc((size_t)(n > 0 ? n : 1), sizeof(*kv));
	keys = calloc((size_t)(n > 0 ? n : 1), sizeof(*keys));
	if (!kv || !keys)
		die("out of memory");
	for (i = 0; i < n; i++) {
		const char *a = argv[first + i], *eq = strchr(a, '=');
		if (!eq || eq == a) {
			error("'%s' is not <key>=<value>", a);
			ret = EXIT_USAGE;
			goto done;
		}
		keys[i] = strndup(a, (size_t)(eq - a));
		if (!keys[i])
			die("out of memory");
		kv[i].key = keys[i];
		kv[i].value = eq + 1;
	}
	if (mmp_registry_tags_edit(ctx_store(ctx), argv[0], version, kv,
			(size_t)(n > 0 ? n : 0), unset.items, unset.nr,
			by) < 0) {
		ret = reg_error("cannot change tags");
		goto done;
	}
	info(ctx, "%s %s: %d tag%s set, %zu removed", argv[0],
		where(w, version), n > 0 ? n : 0, n == 1 ? "" : "s",
		unset.nr);
done:
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(kv);
	string_list_release(&unset);
	return ret;
}
