/* SPDX-License-Identifier: MIT */
/* experiments.c: mmp experiments list/create/rename/delete/restore */
#include <time.h>

#include "cmd.h"
#include "output.h"
#include "mmp/store.h"

static const char *const experiments_usage[] = {
	"mmp experiments list [--all] [--json]",
	"mmp experiments create <name> [--json]",
	"mmp experiments rename <name> <new-name>",
	"mmp experiments delete <name>",
	"mmp experiments restore <name>",
	NULL
};

static const char *const list_usage[] = {
	"mmp experiments list [--all] [--json]",
	NULL
};

static const char *const create_usage[] = {
	"mmp experiments create <name> [--json]",
	NULL
};

static const char *const rename_usage[] = {
	"mmp experiments rename <name> <new-name>",
	NULL
};

static const char *const delete_usage[] = {
	"mmp experiments delete <name>",
	NULL
};

static const char *const restore_usage[] = {
	"mmp experiments restore <name>",
	NULL
};

static void fmt_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "-");
}

static int exp_list(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int all = 0, json = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "all", &all, "include deleted experiments"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_experiment_list *l;
	size_t i;

	argc = parse_options(argc, argv, opts, list_usage, 0);
	if (argc)
		usage_msg_opt("'mmp experiments list' takes no arguments",
			list_usage, opts);
	if (mmp_experiments_list(&l, ctx_store_read(ctx), all) < 0)
		return error_lib("cannot list experiments");
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "experiments");
		for (i = 0; i < l->count; i++) {
			const mmp_experiment *e = &l->items[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "experiment_id",
				(double)e->id);
			cJSON_AddStringToObject(o, "name", e->name);
			cJSON_AddStringToObject(o, "lifecycle_stage",
				e->lifecycle_stage);
			cJSON_AddStringToObject(o, "artifact_location",
				e->artifact_location);
			cJSON_AddNumberToObject(o, "creation_time",
				(double)e->creation_time);
			cJSON_AddNumberToObject(o, "last_update_time",
				(double)e->last_update_time);
			cJSON_AddNumberToObject(o, "runs", (double)e->runs);
			cJSON_AddNumberToObject(o, "deleted_runs",
				(double)e->deleted_runs);
			cJSON_AddItemToArray(arr, o);
		}
		json_print(doc);
	} else if (l->count) {
		const char *h[] = { "ID", "NAME", "RUNS", "DELETED RUNS",
			"CREATED", "STAGE" };
		struct table t;

		table_init(&t, all ? 6 : 5, h);
		t.right[2] = t.right[3] = 1;
		for (i = 0; i < l->count; i++) {
			const mmp_experiment *e = &l->items[i];
			char when[32];
			fmt_time(when, e->creation_time);
			table_addf(&t, 0, "%lld", (long long)e->id);
			table_addf(&t, 1, "%s", e->name);
			table_addf(&t, 2, "%lld", (long long)e->runs);
			table_addf(&t, 3, "%lld", (long long)e->deleted_runs);
			table_addf(&t, 4, "%s", when);
			if (all)
				table_addf(&t, 5, "%s", e->lifecycle_stage);
		}
		table_print(&t, stdout, ctx);
		table_release(&t);
	}
	mmp_experiment_list_free(l);
	return 0;
}

static int exp_create(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT_END()
	};
	int64_t id;

	argc = parse_options(argc, argv, opts, create_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp experiments create' takes one name",
			create_usage, opts);
	if (mmp_experiment_create(&id, ctx_store(ctx), argv[0]) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddNumberToObject(doc, "experiment_id", (double)id);
		cJSON_AddStringToObject(doc, "name", argv[0]);
		json_print(doc);
	} else {
		info(ctx, "created experiment '%s' (id %lld)", argv[0],
			(long long)id);
	}
	return 0;
}

static int exp_rename(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = { OPT_END() };

	argc = parse_options(argc, argv, opts, rename_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp experiments rename' takes a name and a "
			"new name", rename_usage, opts);
	if (mmp_experiment_rename(ctx_store(ctx), argv[0], argv[1]) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	info(ctx, "renamed experiment '%s' to '%s'", argv[0], argv[1]);
	return 0;
}

static int lifecycle(int argc, const char **argv, struct mmp_ctx *ctx,
	int deleted)
{
	const char *const *usage = deleted ? delete_usage : restore_usage;
	const struct option opts[] = { OPT_END() };
	int64_t n;
	int err;

	argc = parse_options(argc, argv, opts, usage, 0);
	if (argc != 1)
		usage_msg_opt(deleted ?
			"'mmp experiments delete' takes one name" :
			"'mmp experiments restore' takes one name",
			usage, opts);
	err = deleted ? mmp_experiment_delete(&n, ctx_store(ctx), argv[0]) :
		mmp_experiment_restore(&n, ctx_store(ctx), argv[0]);
	if (err < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	info(ctx, "%s experiment '%s' and %lld run%s",
		deleted ? "deleted" : "restored", argv[0], (long long)n,
		n == 1 ? "" : "s");
	return 0;
}

static int exp_delete(int argc, const char **argv, struct mmp_ctx *ctx)
{
	return lifecycle(argc, argv, ctx, 1);
}

static int exp_restore(int argc, const char **argv, struct mmp_ctx *ctx)
{
	return lifecycle(argc, argv, ctx, 0);
}

int cmd_experiments(int argc, const char **argv, struct mmp_ctx *ctx)
{
	static const struct mmp_subcmd subs[] = {
		{ "create", exp_create },
		{ "delete", exp_delete },
		{ "list", exp_list },
		{ "rename", exp_rename },
		{ "restore", exp_restore },
		{ NULL, NULL }
	};
	const struct option opts[] = { OPT_END() };

	return run_subcommand(argc, argv, ctx, subs, experiments_usage, opts);
}
