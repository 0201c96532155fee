/* SPDX-License-Identifier: MIT */
/* approve.c: mmp approve: evaluate the approval policy or record a
 * human's decision; the exit code says which */
#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const approve_usage[] = {
	"mmp approve <model> <version> [--policy <file>] [--data <file>] "
	"[--json]",
	"mmp approve <model> <version> --by <name> [--notes <text>] [--json]",
	"mmp approve <model> <version> --reject --by <name> --notes <text> "
	"[--json]",
	NULL
};

static void print_diags(const mmp_diag_list *d)
{
	size_t i, n = mmp_diag_list_count(d);

	for (i = 0; i < n; i++)
		error("%s", mmp_diag_list_get(d, i)->message);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return v ? v : "-";
}

/* an earlier decision of the version: what it was, what differs now */
static void print_previous(const mmp_approval *a)
{
	cJSON *ev = a->evidence ? cJSON_Parse(a->evidence) : NULL;
	const cJSON *p = cJSON_GetObjectItem(ev, "previous"), *c;
	const char *sep = "";

	if (cJSON_IsObject(p)) {
		printf("earlier: %s by %s at %s: %s\n", str_of(p, "decision"),
			tsafe(str_of(p, "actor")), str_of(p, "time_iso"),
			tsafe(str_of(p, "reason")));
		if (cJSON_IsTrue(cJSON_GetObjectItem(p, "same"))) {
			printf("the decision is the same\n");
		} else if (cJSON_GetArraySize(cJSON_GetObjectItem(p,
				"changes"))) {
			printf("it differs because ");
			cJSON_ArrayForEach(c, cJSON_GetObjectItem(p,
					"changes")) {
				printf("%s%s", sep, cJSON_IsString(c) ?
					tsafe(c->valuestring) : "-");
				sep = "; ";
			}
			putchar('\n');
		}
	}
	cJSON_Delete(ev);
}

int cmd_approve(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *policy = NULL, *by = NULL, *notes = NULL, *data = NULL;
	int reject = 0, json = 0;
	const struct option opts[] = {
		OPT_STRING(0, "policy", &policy, "<file>",
			"the policy (default: configs/approval.yaml, else the "
			"recipe's approval: section)"),
		OPT_STRING(0, "data", &data, "<file>",
			"compare with Production on every row of this "
			"labelled CSV (default: the version's test rows)"),
		OPT_STRING(0, "by", &by, "<name>",
			"record a human's decision instead of the policy's"),
		OPT_STRING(0, "notes", &notes, "<text>",
			"why (required with --reject)"),
		OPT_BOOL(0, "reject", &reject, "reject the version"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_approve_options o = MMP_APPROVE_OPTIONS_INIT;
	mmp_diag_list *diags = NULL;
	mmp_approval *a = NULL;
	int64_t version;
	int ret;

	argc = parse_options(argc, argv, opts, approve_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp approve' takes a model and a version",
			approve_usage, opts);
	if (reject && (!by || !notes))
		usage_msg_opt("'--reject' needs '--by' and '--notes'",
			approve_usage, opts);
	if (policy && by)
		usage_msg_opt("'--policy' and '--by' cannot be combined",
			approve_usage, opts);
	if (notes && !by)
		usage_msg_opt("'--notes' goes with '--by'", approve_usage,
			opts);
	if (data && by)
		usage_msg_opt("'--data' and '--by' cannot be combined",
			approve_usage, opts);
	if (reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	o.policy_path = policy;
	o.data_path = data;
	if (!by)
		o.config = ctx_config(ctx);
	o.actor = by;
	o.notes = notes;
	if (by)
		o.manual = reject ? MMP_DECISION_REJECTED :
			MMP_DECISION_APPROVED;
	if (mmp_registry_approve(&a, &diags, ctx_store(ctx), argv[0],
			version, &o) < 0) {
		if (mmp_diag_list_count(diags))
			print_diags(diags);
		else
			error_lib("cannot approve %s version %lld", argv[0],
				(long long)version);
		mmp_diag_list_free(diags);
		return EXIT_FAIL;
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON_AddItemToObject(doc, "approval", reg_approval_json(a));
		json_print(doc);
	} else {
		printf("%s version %lld: %s\n%s\n", tsafe(a->name),
			(long long)a->version, mmp_decision_name(a->decision),
			tsafe(a->reason));
		print_previous(a);
	}
	ret = reg_decision_exit(a->decision);
	mmp_approval_free(a);
	return ret;
}
