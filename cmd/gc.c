/* SPDX-License-Identifier: MIT */
/* gc.c: mmp gc: remove deleted runs and experiments for good */
#include "cmd.h"
#include "output.h"
#include "mmp/store.h"

static const char *const gc_usage[] = {
	"mmp gc [--dry-run] [--json]",
	NULL
};

static void print_json(const mmp_gc_result *r,
	const mmp_monitor_prune_result *m, int dry)
{
	cJSON *doc = json_doc_new(), *arr, *mon;
	size_t i;

	cJSON_AddBoolToObject(doc, "dry_run", dry);
	cJSON_AddNumberToObject(doc, "removed", (double)r->removed);
	cJSON_AddNumberToObject(doc, "refused", (double)r->refused);
	cJSON_AddNumberToObject(doc, "bytes", (double)r->bytes);
	arr = cJSON_AddArrayToObject(doc, "runs");
	for (i = 0; i < r->runs_nr; i++) {
		const mmp_gc_run *g = &r->runs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "run_id", g->run_id);
		cJSON_AddStringToObject(o, "run_name", g->name);
		cJSON_AddStringToObject(o, "experiment_name", g->experiment);
		cJSON_AddNumberToObject(o, "bytes", (double)g->bytes);
		cJSON_AddBoolToObject(o, "removed", !g->refused);
		if (g->refused)
			cJSON_AddStringToObject(o, "reason", g->refused);
		else
			cJSON_AddNullToObject(o, "reason");
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(doc, "experiments");
	for (i = 0; i < r->experiments_nr; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "experiment_id",
			(double)r->experiments[i].id);
		cJSON_AddStringToObject(o, "name", r->experiments[i].name);
		cJSON_AddBoolToObject(o, "removed",
			!r->experiments[i].refused);
		cJSON_AddItemToArray(arr, o);
	}
	mon = cJSON_AddObjectToObject(doc, "monitoring");
	cJSON_AddNumberToObject(mon, "windows", (double)m->windows);
	cJSON_AddNumberToObject(mon, "predictions", (double)m->predictions);
	json_print(doc);
}

int cmd_gc(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int dry = 0, json = 0;
	const struct option opts[] = {
		OPT_BOOL('n', "dry-run", &dry,
			"say what would be removed; change nothing"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_gc_result r;
	mmp_monitor_prune_result m;
	size_t i;

	argc = parse_options(argc, argv, opts, gc_usage, 0);
	if (argc)
		usage_msg_opt("'mmp gc' takes no arguments", gc_usage, opts);
	if (mmp_store_gc(&r, ctx_store(ctx), dry) < 0)
		return error_lib("cannot collect deleted runs");
	if (mmp_store_monitor_prune(&m, ctx_store(ctx), dry) < 0) {
		mmp_gc_result_release(&r);
		return error_lib("cannot prune monitoring data");
	}
	if (json) {
		print_json(&r, &m, dry);
	} else {
		for (i = 0; i < r.runs_nr; i++) {
			const mmp_gc_run *g = &r.runs[i];
			if (g->refused)
				warning("keeping deleted run %.8s (%s): %s",
					g->run_id, g->name, g->refused);
			else
				printf("%s run %.8s (%s)\n", dry ?
					"would remove" : "removed", g->run_id,
					tsafe(g->name));
		}
		for (i = 0; i < r.experiments_nr; i++)
			if (!r.experiments[i].refused)
				printf("%s experiment '%s'\n", dry ?
					"would remove" : "removed",
					tsafe(r.experiments[i].name));
		info(ctx, "%s %zu run%s (%lld bytes of artifacts), kept %zu",
			dry ? "would remove" : "removed", r.removed,
			r.removed == 1 ? "" : "s", (long long)r.bytes,
			r.refused);
		if (m.windows || m.predictions)
			info(ctx, "%s %lld monitoring window%s and %lld "
				"logged prediction%s past their retention",
				dry ? "would remove" : "removed",
				(long long)m.windows, m.windows == 1 ? "" : "s",
				(long long)m.predictions,
				m.predictions == 1 ? "" : "s");
	}
	mmp_gc_result_release(&r);
	return 0;
}
