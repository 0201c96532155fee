/* SPDX-License-Identifier: MIT */
/* promote.c: mmp promote: move a version to a stage, or give it an
 * alias */
#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const promote_usage[] = {
	"mmp promote <model> <version> <stage> [--keep-previous] [--by <name>]",
	"    [--force --by <name> --notes <text>] [--json]",
	"mmp promote <model> <version> --alias <name> [--by <name>] [--json]",
	NULL
};

static int promote_alias(const char *name, int64_t version,
	const char *alias, const char *by, int json, struct mmp_ctx *ctx)
{
	int64_t prev = 0;

	if (mmp_registry_alias_set(&prev, ctx_store(ctx), name, alias,
			version, by) < 0)
		return error_lib("cannot point %s@%s at version %lld", name,
			alias, (long long)version);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "name", name);
		cJSON_AddStringToObject(doc, "alias", alias);
		cJSON_AddNumberToObject(doc, "version", (double)version);
		if (prev)
			cJSON_AddNumberToObject(doc, "previous", (double)prev);
		else
			cJSON_AddNullToObject(doc, "previous");
		json_print(doc);
	} else if (prev && prev != version) {
		printf("%s@%s: version %lld -> %lld\n", name, alias,
			(long long)prev, (long long)version);
	} else {
		printf("%s@%s: version %lld\n", name, alias,
			(long long)version);
	}
	return 0;
}

int cmd_promote(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *by = NULL, *notes = NULL, *alias = NULL;
	int force = 0, keep = 0, json = 0;
	const struct option opts[] = {
		OPT_STRING(0, "alias", &alias, "<name>",
			"point an alias at the version instead"),
		OPT_BOOL(0, "keep-previous", &keep,
			"move the previous Production version to Staging, "
			"not Archived"),
		OPT_BOOL(0, "force", &force,
			"override the approval rule (audited)"),
		OPT_STRING(0, "by", &by, "<name>",
			"who promotes ($MMP_USER, else the OS user)"),
		OPT_STRING(0, "notes", &notes, "<text>", "why"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_promote_options o = MMP_PROMOTE_OPTIONS_INIT;
	mmp_promote_result r;
	int64_t version;
	mmp_stage stage;

	argc = parse_options(argc, argv, opts, promote_usage, 0);
	if (alias ? argc != 2 : argc != 3)
		usage_msg_opt(alias ? "'mmp promote --alias' takes a model "
			"and a version" : "'mmp promote' takes a model, a "
			"version and a stage", promote_usage, opts);
	if (force && (!by || !notes))
		usage_msg_opt("'--force' needs '--by' and '--notes'",
			promote_usage, opts);
	if (reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	if (alias)
		return promote_alias(argv[0], version, alias, by, json, ctx);
	if (mmp_stage_parse(&stage, argv[2]) < 0) {
		error("%s", mmp_error_last()->message);
		return EXIT_USAGE;
	}
	o.actor = by;
	o.notes = notes;
	o.force = force;
	o.keep_previous = keep;
	if (mmp_registry_promote(&r, ctx_store(ctx), argv[0], version, stage,
			&o) < 0)
		return reg_error(NULL);
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddStringToObject(doc, "name", argv[0]);
		cJSON_AddNumberToObject(doc, "version", (double)version);
		cJSON_AddStringToObject(doc, "from", mmp_stage_name(r.from));
		cJSON_AddStringToObject(doc, "stage", mmp_stage_name(stage));
		cJSON_AddBoolToObject(doc, "changed", r.changed);
		cJSON_AddBoolToObject(doc, "forced", r.forced);
		if (r.previous) {
			cJSON *p = cJSON_AddObjectToObject(doc, "previous");
			cJSON_AddNumberToObject(p, "version",
				(double)r.previous);
			cJSON_AddStringToObject(p, "stage",
				mmp_stage_name(r.previous_to));
		} else {
			cJSON_AddNullToObject(doc, "previous");
		}
		json_print(doc);
		return 0;
	}
	if (!r.changed) {
		printf("%s version %lld is already in %s\n", argv[0],
			(long long)version, mmp_stage_name(stage));
		return 0;
	}
	printf("%s version %lld: %s -> %s%s\n", argv[0], (long long)version,
		mmp_stage_name(r.from), mmp_stage_name(stage),
		r.forced ? " (forced)" : "");
	if (r.previous)
		printf("%s version %lld: Production -> %s\n", argv[0],
			(long long)r.previous, mmp_stage_name(r.previous_to));
	return 0;
}
