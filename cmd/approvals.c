/* SPDX-License-Identifier: MIT */
/* approvals.c: mmp approvals list: decisions, and what waits for a
 * human */
#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const approvals_usage[] = {
	"mmp approvals list [<model>] [--pending] [--json]",
	NULL
};

static int approvals_list(int argc, const char **argv,
	struct mmp_ctx *ctx)
{
	int pending = 0, json = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "pending", &pending,
			"only versions whose decision is NEEDS_REVIEW"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_approval_list *l = NULL;
	size_t i;

	argc = parse_options(argc, argv, opts, approvals_usage, 0);
	if (argc > 1)
		usage_msg_opt("'mmp approvals list' takes at most one model",
			approvals_usage, opts);
	if (mmp_registry_approvals(&l, ctx_store(ctx), argc ? argv[0] : NULL,
			pending) < 0)
		return error_lib("cannot list approvals");
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "approvals");

		for (i = 0; i < l->count; i++)
			cJSON_AddItemToArray(arr,
				reg_approval_json(l->items[i]));
		json_print(doc);
	} else if (l->count) {
		struct table t;
		const char *h[] = { "MODEL", "VERSION", "DECISION", "BY",
			"TIME", "REASON" };

		table_init(&t, 6, h);
		for (i = 0; i < l->count; i++) {
			const mmp_approval *a = l->items[i];
			char when[32];

			reg_fmt_time(when, a->time);
			table_addf(&t, 0, "%s", a->name);
			table_addf(&t, 1, "v%lld", (long long)a->version);
			table_addf(&t, 2, "%s", mmp_decision_name(a->decision));
			table_addf(&t, 3, "%s", a->actor);
			table_addf(&t, 4, "%s", when);
			table_addf(&t, 5, "%s", a->reason);
		}
		table_print(&t, stdout, ctx);
		table_release(&t);
	}
	mmp_approval_list_free(l);
	return 0;
}

int cmd_approvals(int argc, const char **argv, struct mmp_ctx *ctx)
{
	static const struct mmp_subcmd subs[] = {
		{ "list", approvals_list },
		{ NULL, NULL }
	};
	const struct option opts[] = { OPT_END() };

	return run_subcommand(argc, argv, ctx, subs, approvals_usage, opts);
}
