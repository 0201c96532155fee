/* SPDX-License-Identifier: MIT */
/* config.c: mmp config list / get: the effective configuration */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mmp/config.h"
#include "mmp/url.h"
#include "output.h"

static const char *const config_usage[] = {
	"mmp config [--env <name>] list [--show-origin] [--json]",
	"mmp config [--env <name>] get [--show-origin] [--json] <key>",
	NULL
};

static const char *const config_list_usage[] = {
	"mmp config [--env <name>] list [--show-origin] [--json]",
	NULL
};

static const char *const config_get_usage[] = {
	"mmp config [--env <name>] get [--show-origin] [--json] <key>",
	NULL
};

static int show_origin, json;

/* the value of `e` as a typed JSON item */
/* credentials in a URL value (or in its origin) are never shown; the
 * human output escapes the result with tsafe() too */
static const char *redacted(mmp_buf *b, const char *text)
{
	mmp_buf_clear(b);
	mmp_url_redact(b, text);
	return b->ptr;
}

static cJSON *json_value(const mmp_config_entry *e)
{
	cJSON *arr;
	size_t i;

	if (!e->is_set)
		return cJSON_CreateNull();
	switch (e->type) {
	case MMP_CONFIG_INT:
	case MMP_CONFIG_SIZE:
	case MMP_CONFIG_FLOAT:
		return cJSON_CreateNumber(strtod(e->value, NULL));
	case MMP_CONFIG_BOOL:
		return cJSON_CreateBool(!strcmp(e->value, "true"));
	case MMP_CONFIG_STRLIST:
	case MMP_CONFIG_INTLIST:
		arr = cJSON_CreateArray();
		for (i = 0; i < e->nitems; i++)
			cJSON_AddItemToArray(arr,
				e->type == MMP_CONFIG_INTLIST ?
				cJSON_CreateNumber(strtod(e->items[i], NULL)) :
				cJSON_CreateString(e->items[i]));
		return arr;
	default: {
		mmp_buf b = MMP_BUF_INIT;
		cJSON *v = cJSON_CreateString(redacted(&b, e->value));
		mmp_buf_dispose(&b);
		return v;
	}
	}
}

static cJSON *json_entry(const mmp_config_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	mmp_buf b = MMP_BUF_INIT;

	cJSON_AddStringToObject(o, "key", e->key);
	cJSON_AddItemToObject(o, "value", json_value(e));
	cJSON_AddStringToObject(o, "type", mmp_config_type_name(e->type));
	cJSON_AddStringToObject(o, "origin", redacted(&b, e->origin));
	mmp_buf_dispose(&b);
	cJSON_AddStringToObject(o, "doc", e->doc);
	return o;
}

/* `mmp config get`: the value, after the origin with --show-origin */
static void print_value(const mmp_config_entry *e)
{
	mmp_buf b = MMP_BUF_INIT;

	if (show_origin)
		printf("%s\t", tsafe(redacted(&b, e->origin)));
	printf("%s\n", tsafe(redacted(&b, e->value)));
	mmp_buf_dispose(&b);
}

static void print_entry(const mmp_config_entry *e)
{
	mmp_buf b = MMP_BUF_INIT;

	if (show_origin)
		printf("%s\t", tsafe(redacted(&b, e->origin)));
	printf("%s=%s\n", e->key, tsafe(redacted(&b, e->value)));
	mmp_buf_dispose(&b);
}

/* --env is accepted after the sub-command too */
#define OPT_ENV(ctx) OPT_STRING(0, "env", &(ctx)->env, "<name>", \
	"use configs/<name>.yaml (default: $MMP_ENV)")

static int config_list(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = {
		OPT_ENV(ctx),
		OPT_BOOL(0, "show-origin", &show_origin,
			"show where each value comes from"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_config *cfg;
	size_t i, n;

	argc = parse_options(argc, argv, opts, config_list_usage, 0);
	if (argc)
		usage_msg_opt("'mmp config list' takes no arguments",
			config_list_usage, opts);
	cfg = ctx_config(ctx);
	n = mmp_config_entry_count(cfg);
	if (json) {
		cJSON *doc = json_doc_new(), *arr;
		const char *env = mmp_config_env(cfg);

		cJSON_AddStringToObject(doc, "project_dir",
			mmp_config_project_dir(cfg));
		if (env)
			cJSON_AddStringToObject(doc, "env", env);
		else
			cJSON_AddNullToObject(doc, "env");
		arr = cJSON_AddArrayToObject(doc, "entries");
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr,
				json_entry(mmp_config_entry_at(cfg, i)));
		json_print(doc);
		return 0;
	}
	for (i = 0; i < n; i++)
		print_entry(mmp_config_entry_at(cfg, i));
	return 0;
}

static int config_get(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = {
		OPT_ENV(ctx),
		OPT_BOOL(0, "show-origin", &show_origin,
			"show where the value comes from"),
		OPT__JSON(&json),
		OPT_END()
	};
	const mmp_config_entry *e;

	argc = parse_options(argc, argv, opts, config_get_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp config get' takes one key",
			config_get_usage, opts);
	if (mmp_config_lookup(&e, ctx_config(ctx), argv[0]) < 0) {
		error("%s", mmp_error_last()->message);
		return EXIT_FAIL;
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *o = json_entry(e), *it;

		/* the entry's fields at the top level of the document */
		while ((it = o->child)) {
			cJSON_DetachItemViaPointer(o, it);
			cJSON_AddItemToObject(doc, it->string, it);
		}
		cJSON_Delete(o);
		json_print(doc);
		return e->is_set ? 0 : EXIT_FAIL;
	}
	if (!e->is_set)
		return EXIT_FAIL;
	print_value(e);
	return 0;
}

int cmd_config(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = { OPT_ENV(ctx), OPT_END() };
	static const struct mmp_subcmd subs[] = {
		{ "get", config_get },
		{ "list", config_list },
		{ NULL, NULL }
	};

	return run_subcommand(argc, argv, ctx, subs, config_usage, opts);
}
