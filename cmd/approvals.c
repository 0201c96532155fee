/* SPDX-License-Identifier: MIT */
/* approvals.c: mmp approvals list/show: decisions, their evidence, and
 * what waits for a human */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "registry-common.h"

static const char *const approvals_usage[] = {
	"mmp approvals [list [<model>]] [--pending] [--columns <list>]",
	"    [--json]",
	"mmp approvals show <model> <version> [--all] [--json]",
	NULL
};

static const char *const list_usage[] = {
	"mmp approvals [list [<model>]] [--pending] [--columns <list>]",
	"    [--json]",
	NULL
};

static const char *const show_usage[] = {
	"mmp approvals show <model> <version> [--all] [--json]",
	NULL
};

static int approvals_list(int argc, const char **argv,
	struct mmp_ctx *ctx)
{
	int pending = 0, json = 0;
	const char *columns = NULL;
	const char *h[] = { "MODEL", "VERSION", "DECISION", "BY", "TIME",
		"REASON" };
	const struct option opts[] = {
		OPT_BOOL(0, "pending", &pending,
			"only versions whose decision is NEEDS_REVIEW"),
		OPT_STRING(0, "columns", &columns, "<list>", COLUMNS_HELP),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_approval_list *l = NULL;
	struct table t;
	size_t i;

	argc = parse_options(argc, argv, opts, list_usage, 0);
	if (argc > 1)
		usage_msg_opt("'mmp approvals list' takes at most one model",
			list_usage, opts);
	table_init(&t, 6, h);
	{
		static const size_t keep[] = { 1, 2, 4 };  /* VERSION, DECISION,
							      TIME */
		table_keep(&t, keep, 3);
	}
	if (table_select(&t, columns) < 0) {
		table_release(&t);
		return EXIT_USAGE;
	}
	if (mmp_registry_approvals(&l, ctx_store_read(ctx),
			argc ? argv[0] : NULL, pending) < 0) {
		table_release(&t);
		return error_lib("cannot list approvals");
	}
	if (json) {
		cJSON *doc = json_doc_new();
		cJSON *arr = cJSON_AddArrayToObject(doc, "approvals");

		for (i = 0; i < l->count; i++)
			cJSON_AddItemToArray(arr,
				reg_approval_json(l->items[i]));
		json_print(doc);
	} else if (l->count) {
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
	}
	table_release(&t);
	mmp_approval_list_free(l);
	return 0;
}

/* --- show --- */

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return v ? v : "-";
}

/* a number of the evidence with 4 decimals ("-" when null) */
static const char *jnum(char out[32], const cJSON *o, const char *key,
	int sign)
{
	const cJSON *it = cJSON_GetObjectItem(o, key);

	if (!cJSON_IsNumber(it))
		snprintf(out, 32, "-");
	else
		snprintf(out, 32, sign ? "%+.4f" : "%.4f", it->valuedouble);
	return out;
}

/* a number of the evidence, or `dflt` */
static double jd(const cJSON *o, const char *key, double dflt)
{
	const cJSON *it = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(it) ? it->valuedouble : dflt;
}

static void show_thresholds(const cJSON *ev)
{
	static const char *const bounds[][2] = {
		{ "min", "value" }, { "max", "value" },
		{ "min_ci_low", "ci_low" }, { "max_ci_high", "ci_high" },
	};
	const cJSON *t;
	char a[32], b[32];
	size_t i;

	if (!cJSON_GetArraySize(cJSON_GetObjectItem(ev, "thresholds")))
		return;
	printf("\nthresholds:\n");
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(ev, "thresholds")) {
		printf("  %-20s", tsafe(jstr(t, "metric")));
		for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
			if (cJSON_GetObjectItem(t, bounds[i][0]))
				printf(" %s %s (%s %s)", bounds[i][1],
					jnum(a, t, bounds[i][1], 0),
					bounds[i][0],
					jnum(b, t, bounds[i][0], 0));
		printf("  %s\n", cJSON_IsTrue(cJSON_GetObjectItem(t,
			"passed")) ? "passed" : "FAILED");
	}
}

static void show_comparison(const cJSON *ev)
{
	const cJSON *c = cJSON_GetObjectItem(ev, "comparison");
	const cJSON *rows = cJSON_GetObjectItem(c, "rows");
	const cJSON *sp = cJSON_GetObjectItem(rows, "split");
	char a[32], b[32], d[32];

	if (!cJSON_IsObject(c))
		return;
	printf("\ncomparison:\n");
	printf("  %-14s %s (%s)\n", "metric", tsafe(jstr(c, "metric")),
		jstr(c, "direction"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(c, "baseline_version")))
		printf("  %-14s version %.0f (run %.8s)\n", "Production",
			jd(c, "baseline_version", 0),
			jstr(c, "baseline_run_id"));
	else
		printf("  %-14s none\n", "Production");
	if (cJSON_IsObject(rows)) {
		printf("  %-14s %.0f %s of '%s' (sha256 %.12s)\n", "rows",
			jd(rows, "count", 0),
			!strcmp(jstr(rows, "source"), "test") ?
			"test rows" : "rows, all", tsafe(jstr(rows, "file")),
			jstr(rows, "sha256"));
		if (cJSON_IsObject(sp))
			printf("  %-14s %s, test_size %g, seed %.0f%s, of run "
				"%.8s\n", "split", jstr(sp, "method"),
				jd(sp, "test_size", 0), jd(sp, "seed", 0),
				cJSON_IsTrue(cJSON_GetObjectItem(sp,
				"stratify")) ? ", stratified" : "",
				jstr(rows, "run_id"));
	}
	if (cJSON_IsNumber(cJSON_GetObjectItem(c, "difference"))) {
		printf("  %-14s %s this version, %s Production\n",
			"values", jnum(a, c, "value", 0),
			jnum(b, c, "baseline", 0));
		printf("  %-14s %s (%.0f%% interval %s to %s, %.0f of %.0f "
			"samples)\n", "improvement",
			jnum(a, c, "improvement", 1),
			100 * jd(c, "confidence", 0),
			jnum(b, c, "improvement_low", 1),
			jnum(d, c, "improvement_high", 1),
			jd(c, "valid_samples", 0), jd(c, "resamples", 0));
	}
	printf("  %-14s min_improvement %s, max_degradation %s, otherwise "
		"%s\n", "rule", jnum(a, c, "min_improvement", 0),
		jnum(b, c, "max_degradation", 0), jstr(c, "otherwise"));
	printf("  %-14s %s\n", "outcome", jstr(c, "outcome"));
}

static void show_previous(const cJSON *ev)
{
	const cJSON *p = cJSON_GetObjectItem(ev, "previous"), *c;

	if (!cJSON_IsObject(p))
		return;
	printf("\nearlier decision:\n  %s by %s at %s: %s\n",
		jstr(p, "decision"), tsafe(jstr(p, "actor")),
		jstr(p, "time_iso"), tsafe(jstr(p, "reason")));
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(p, "changes"))
		if (cJSON_IsString(c))
			printf("  changed: %s\n", tsafe(c->valuestring));
}

static void show_one(const mmp_approval *a)
{
	cJSON *ev = a->evidence ? cJSON_Parse(a->evidence) : NULL;
	char when[32];

	reg_fmt_time(when, a->time);
	printf("%s version %lld: %s\n", tsafe(a->name), (long long)a->version,
		mmp_decision_name(a->decision));
	printf("  %-14s %s\n", "reason", tsafe(a->reason));
	printf("  %-14s %s%s\n", "by", tsafe(a->actor),
		a->manual ? " (by hand)" : "");
	printf("  %-14s %s\n", "time", when);
	if (a->policy)
		printf("  %-14s %s\n", "policy", tsafe(a->policy));
	if (a->notes)
		printf("  %-14s %s\n", "notes", tsafe(a->notes));
	show_thresholds(ev);
	show_comparison(ev);
	show_previous(ev);
	cJSON_Delete(ev);
}

static int approvals_show(int argc, const char **argv,
	struct mmp_ctx *ctx)
{
	int all = 0, json = 0, ret = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "all", &all,
			"every decision of the version, oldest first"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_model_version *v = NULL;
	mmp_approval_list *l = NULL;
	mmp_approval **items = NULL;
	size_t n = 0, i;
	int64_t version;

	argc = parse_options(argc, argv, opts, show_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp approvals show' takes a model and a "
			"version", show_usage, opts);
	if (reg_parse_version(&version, argv[1]) < 0)
		return EXIT_USAGE;
	if (mmp_registry_version_get(&v, ctx_store_read(ctx), argv[0],
			version) < 0)
		return reg_error(NULL);
	if (all) {
		if (mmp_registry_approvals(&l, ctx_store_read(ctx), argv[0],
				0) < 0) {
			ret = reg_error(NULL);
			goto done;
		}
		items = l->items;
		for (i = 0; i < l->count; i++)
			if (l->items[i]->version == version)
				items[n++] = l->items[i];
			else
				mmp_approval_free(l->items[i]);
		l->count = n;
	} else if (v->approval) {
		items = &v->approval;
		n = 1;
	}
	if (!n) {
		error("%s version %lld has no decision yet: run 'mmp approve "
			"%s v%lld'", argv[0], (long long)version, argv[0],
			(long long)version);
		ret = EXIT_FAIL;
		goto done;
	}
	if (json) {
		cJSON *doc = json_doc_new();

		if (all) {
			cJSON *arr = cJSON_AddArrayToObject(doc, "approvals");

			for (i = 0; i < n; i++)
				cJSON_AddItemToArray(arr,
					reg_approval_json(items[i]));
		} else {
			cJSON_AddItemToObject(doc, "approval",
				reg_approval_json(items[0]));
		}
		json_print(doc);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			show_one(items[i]);
		}
	}
done:
	mmp_approval_list_free(l);
	mmp_model_version_free(v);
	return ret;
}

int cmd_approvals(int argc, const char **argv, struct mmp_ctx *ctx)
{
	static const struct mmp_subcmd subs[] = {
		{ "list", approvals_list },
		{ "show", approvals_show },
		{ NULL, NULL }
	};
	const struct option opts[] = { OPT_END() };

	return run_subcommand_default(argc, argv, ctx, subs, "list",
		approvals_usage, opts);
}
