/* SPDX-License-Identifier: MIT */
/* audit.c: mmp audit: the registry's append-only log, its hash chain,
 * and what was where at a given time */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const audit_usage[] = {
	"mmp audit [<model>] [--since <time>] [--until <time>]",
	"    [--columns <list>] [--json]",
	"mmp audit <model> --at <time> [--json]",
	"mmp audit verify [--json]",
	NULL
};

static void add_opt_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int verify(struct mmp_ctx *ctx, int json)
{
	int64_t rows = 0;
	int err = mmp_registry_audit_verify(ctx_store_read(ctx), &rows);

	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddBoolToObject(doc, "ok", err == 0);
		cJSON_AddNumberToObject(doc, "rows", (double)rows);
		add_opt_str(doc, "error", err < 0 ?
			mmp_error_last()->message : NULL);
		json_print(doc);
	}
	if (err < 0) {
		if (!json)
			error("the audit log does not verify: %s",
				mmp_error_last()->message);
		return EXIT_FAIL;
	}
	if (!json)
		printf("audit log ok: %lld rows, hash chain intact\n",
			(long long)rows);
	return 0;
}

static int state_at(struct mmp_ctx *ctx, const char *name, int64_t at,
	int json)
{
	mmp_registry_state st;
	char when[32];
	size_t i;
	int k;

	if (mmp_registry_state_at(&st, ctx_store_read(ctx), name, at) < 0)
		return error_lib("cannot replay the audit log of '%s'", name);
	reg_fmt_time(when, at);
	if (json) {
		cJSON *doc = json_doc_new(), *stages, *aliases;

		cJSON_AddStringToObject(doc, "name", name);
		cJSON_AddNumberToObject(doc, "at", (double)at);
		stages = cJSON_AddObjectToObject(doc, "stages");
		for (k = MMP_STAGE_STAGING; k <= MMP_STAGE_ARCHIVED; k++) {
			if (st.versions[k])
				cJSON_AddNumberToObject(stages,
					mmp_stage_name((mmp_stage)k),
					(double)st.versions[k]);
			else
				cJSON_AddNullToObject(stages,
					mmp_stage_name((mmp_stage)k));
		}
		aliases = cJSON_AddObjectToObject(doc, "aliases");
		for (i = 0; i < st.aliases_nr; i++)
			cJSON_AddNumberToObject(aliases, st.aliases[i],
				(double)st.alias_versions[i]);
		json_print(doc);
	} else {
		printf("%s at %s:\n", tsafe(name), when);
		for (k = MMP_STAGE_STAGING; k <= MMP_STAGE_ARCHIVED; k++) {
			if (st.versions[k])
				printf("  %-10s v%lld\n",
					mmp_stage_name((mmp_stage)k),
					(long long)st.versions[k]);
			else
				printf("  %-10s -\n",
					mmp_stage_name((mmp_stage)k));
		}
		for (i = 0; i < st.aliases_nr; i++)
			printf("  @%-9s v%lld\n", st.aliases[i],
				(long long)st.alias_versions[i]);
	}
	mmp_registry_state_release(&st);
	return 0;
}

static cJSON *entry_json(const mmp_audit_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	char when[32];

	cJSON_AddNumberToObject(o, "seq", (double)e->seq);
	cJSON_AddNumberToObject(o, "time", (double)e->time);
	reg_fmt_time(when, e->time);
	cJSON_AddStringToObject(o, "time_iso", when);
	cJSON_AddStringToObject(o, "actor", e->actor);
	cJSON_AddStringToObject(o, "action", e->action);
	cJSON_AddStringToObject(o, "name", e->name);
	if (e->version)
		cJSON_AddNumberToObject(o, "version", (double)e->version);
	else
		cJSON_AddNullToObject(o, "version");
	cJSON_AddStringToObject(o, "subject", e->subject ? e->subject : "");
	add_opt_str(o, "before", e->before);
	add_opt_str(o, "after", e->after);
	add_opt_str(o, "notes", e->notes);
	cJSON_AddStringToObject(o, "prev_hash", e->prev_hash);
	cJSON_AddStringToObject(o, "hash", e->hash);
	return o;
}

int cmd_audit(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *since = NULL, *until = NULL, *at = NULL, *columns = NULL;
	const char *h[] = { "SEQ", "TIME", "ACTOR", "ACTION", "MODEL",
		"SUBJECT", "CHANGE", "NOTES" };
	struct table t;
	int json = 0;
	const struct option opts[] = {
		OPT_STRING(0, "since", &since, "<time>",
			"rows at or after this time"),
		OPT_STRING(0, "until", &until, "<time>",
			"rows before this time"),
		OPT_STRING(0, "at", &at, "<time>",
			"the stages and aliases of <model> at this time"),
		OPT_STRING(0, "columns", &columns, "<list>", COLUMNS_HELP),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_audit_list *l = NULL;
	int64_t t_since = 0, t_until = 0, t_at = 0;
	size_t i;

	argc = parse_options(argc, argv, opts, audit_usage, 0);
	if (argc > 1)
		usage_msg_opt("'mmp audit' takes at most one model",
			audit_usage, opts);
	if (argc == 1 && !strcmp(argv[0], "verify")) {
		if (since || until || at)
			usage_msg_opt("'mmp audit verify' takes only --json",
				audit_usage, opts);
		return verify(ctx, json);
	}
	if (since && reg_parse_time(&t_since, since, "--since") < 0)
		return EXIT_USAGE;
	if (until && reg_parse_time(&t_until, until, "--until") < 0)
		return EXIT_USAGE;
	if (at) {
		if (argc != 1 || since || until)
			usage_msg_opt("'--at' takes one model and no "
				"'--since' or '--until'", audit_usage, opts);
		if (reg_parse_time(&t_at, at, "--at") < 0)
			return EXIT_USAGE;
		return state_at(ctx, argv[0], t_at, json);
	}
	table_init(&t, 8, h);
	{
		static const size_t keep[] = { 0, 1, 3 };  /* SEQ, TIME, ACTION */
		table_keep(&t, keep, 3);
	}
	if (table_select(&t, columns) < 0) {
		table_release(&t);
		return EXIT_USAGE;
	}
	if (mmp_registry_audit(&l, ctx_store_read(ctx), argc ? argv[0] : NULL,
			t_since, t_until) < 0) {
		table_release(&t);
		return error_lib("cannot read the audit log");
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "entries");
		for (i = 0; i < l->count; i++)
			cJSON_AddItemToArray(arr, entry_json(&l->items[i]));
		json_print(doc);
	} else if (l->count) {
		for (i = 0; i < l->count; i++) {
			const mmp_audit_entry *e = &l->items[i];
			char when[32];

			reg_fmt_time(when, e->time);
			table_addf(&t, 0, "%lld", (long long)e->seq);
			table_addf(&t, 1, "%s", when);
			table_addf(&t, 2, "%s", e->actor);
			table_addf(&t, 3, "%s", e->action);
			if (e->version)
				table_addf(&t, 4, "%s v%lld", e->name,
					(long long)e->version);
			else
				table_addf(&t, 4, "%s", e->name);
			table_addf(&t, 5, "%s", e->subject ? e->subject : "");
			table_addf(&t, 6, "%s -> %s",
				e->before ? e->before : "-",
				e->after ? e->after : "-");
			table_addf(&t, 7, "%s", e->notes ? e->notes : "");
		}
		table_print(&t, stdout, ctx);
	}
	table_release(&t);
	mmp_audit_list_free(l);
	return 0;
}
