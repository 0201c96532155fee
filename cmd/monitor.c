/* SPDX-License-Identifier: MIT */
/* monitor.c: mmp monitor: drift and degradation of a model version; the
 * exit code says ok, warn or alert */
#include <math.h>
#include <time.h>

#include "cmd.h"
#include "output.h"

static const char *const monitor_usage[] = {
	"mmp monitor <model>@<ref> [--since <duration> | --input <file>] "
	"[--labels <file>] [--thresholds <file>] [--no-record] [--json]",
	NULL
};

static void print_diags(const mmp_diag_list *d)
{
	size_t i, n = mmp_diag_list_count(d);

	for (i = 0; i < n; i++)
		error("%s", mmp_diag_list_get(d, i)->message);
}

static cJSON *drift_json(const mmp_drift_feature *f, mmp_monitor_status s)
{
	cJSON *o = cJSON_CreateObject(), *u;
	size_t i;

	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "kind", f->kind == MMP_FEATURE_NUMERIC ?
		"numeric" : "categorical");
	cJSON_AddStringToObject(o, "status", mmp_monitor_status_name(s));
	cJSON_AddNumberToObject(o, "ref_count", (double)f->ref_count);
	cJSON_AddNumberToObject(o, "live_count", (double)f->live_count);
	json_add_number(o, "psi", f->psi);
	if (f->kind == MMP_FEATURE_NUMERIC) {
		json_add_number(o, "ks", f->ks);
		json_add_number(o, "ks_pvalue", f->ks_pvalue);
	} else {
		json_add_number(o, "js", f->js);
		json_add_number(o, "chi2", f->chi2);
		json_add_number(o, "chi2_df", f->chi2_df);
		json_add_number(o, "chi2_pvalue", f->chi2_pvalue);
		cJSON_AddNumberToObject(o, "unseen", (double)f->unseen);
		json_add_number(o, "unseen_share", f->unseen_share);
		u = cJSON_AddArrayToObject(o, "unseen_values");
		for (i = 0; i < f->nunseen_values; i++) {
			cJSON *v = cJSON_CreateObject();

			cJSON_AddStringToObject(v, "value",
				f->unseen_values[i]);
			cJSON_AddNumberToObject(v, "count",
				(double)f->unseen_counts[i]);
			cJSON_AddItemToArray(u, v);
		}
	}
	json_add_number(o, "missing_ref", f->missing_ref);
	json_add_number(o, "missing_live", f->missing_live);
	return o;
}

static void print_json(const mmp_monitor_result *r, int live)
{
	cJSON *doc = json_doc_new(), *a;
	size_t i;

	cJSON_AddStringToObject(doc, "model", r->model);
	cJSON_AddNumberToObject(doc, "version", (double)r->version);
	cJSON_AddStringToObject(doc, "status",
		mmp_monitor_status_name(r->status));
	if (r->run_id[0])
		cJSON_AddStringToObject(doc, "run_id", r->run_id);
	else
		cJSON_AddNullToObject(doc, "run_id");
	cJSON_AddStringToObject(doc, "source", live ? "live" : "input");
	if (live)
		cJSON_AddNumberToObject(doc, "windows", (double)r->windows);
	cJSON_AddNumberToObject(doc, "ref_rows", (double)r->drift.ref_rows);
	cJSON_AddNumberToObject(doc, "rows", (double)r->drift.live_rows);
	cJSON_AddBoolToObject(doc, "enough_rows", r->enough_rows);
	cJSON_AddNumberToObject(doc, "drifted_features", (double)r->drifted);
	cJSON_AddStringToObject(doc, "thresholds", r->thresholds.origin);
	a = cJSON_AddArrayToObject(doc, "features");
	for (i = 0; i < r->drift.nfeatures; i++)
		cJSON_AddItemToArray(a, drift_json(&r->drift.features[i],
			r->feature_status[i]));
	a = cJSON_AddArrayToObject(doc, "predictions");
	for (i = 0; i < r->drift.npred; i++)
		cJSON_AddItemToArray(a, drift_json(&r->drift.pred[i],
			r->pred_status[i]));
	cJSON_AddNumberToObject(doc, "labelled_rows", (double)r->labelled);
	a = cJSON_AddArrayToObject(doc, "metrics");
	for (i = 0; i < r->nmetrics; i++) {
		const mmp_monitor_metric *m = &r->metrics[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", m->name);
		json_add_number(o, "live", m->live);
		json_add_number(o, "test", m->test);
		if (isnan(m->ci_low)) {
			cJSON_AddNullToObject(o, "ci_low");
			cJSON_AddNullToObject(o, "ci_high");
		} else {
			json_add_number(o, "ci_low", m->ci_low);
			json_add_number(o, "ci_high", m->ci_high);
		}
		json_add_number(o, "worse_by", m->worse_by);
		cJSON_AddStringToObject(o, "status",
			mmp_monitor_status_name(m->status));
		cJSON_AddItemToArray(a, o);
	}
	json_print(doc);
}

static void add_drift_row(struct table *t, const mmp_drift_feature *f,
	mmp_monitor_status s)
{
	size_t i;

	table_addf(t, 0, "%s", f->name);
	table_addf(t, 1, "%.4f", f->psi);
	if (f->kind == MMP_FEATURE_NUMERIC)
		table_addf(t, 2, "ks %.4f", f->ks);
	else
		table_addf(t, 2, "js %.4f", f->js);
	table_addf(t, 3, "%.3f -> %.3f", f->missing_ref, f->missing_live);
	if (f->kind == MMP_FEATURE_CATEGORICAL && f->unseen) {
		mmp_buf b = MMP_BUF_INIT;

		mmp_buf_printf(&b, "%lld", (long long)f->unseen);
		for (i = 0; i < f->nunseen_values; i++)
			mmp_buf_printf(&b, "%s%s", i ? ", " : " (",
				f->unseen_values[i]);
		if (f->nunseen_values)
			mmp_buf_putc(&b, ')');
		table_addf(t, 4, "%s", b.ptr);
		mmp_buf_dispose(&b);
	} else {
		table_addf(t, 4, "-");
	}
	table_addf(t, 5, "%s", mmp_monitor_status_name(s));
}

static void print_human(const mmp_monitor_result *r, int live,
	struct mmp_ctx *ctx)
{
	static const char *heads[] = { "FEATURE", "PSI", "KS/JS",
		"MISSING", "UNSEEN", "STATUS" };
	static const char *mheads[] = { "METRIC", "LIVE", "TEST",
		"INTERVAL", "STATUS" };
	struct table t;
	size_t i;

	printf("%s version %lld: %s\n", tsafe(r->model),
		(long long)r->version, mmp_monitor_status_name(r->status));
	if (live)
		printf("%lld live windows: ", (long long)r->windows);
	printf("%lld rows against %lld training rows; %zu of %zu features "
		"drifted\n", (long long)r->drift.live_rows,
		(long long)r->drift.ref_rows, r->drifted, r->drift.nfeatures);
	if (!r->enough_rows)
		printf("fewer than %lld rows: no verdict (min_rows)\n",
			(long long)r->thresholds.min_rows);
	table_init(&t, 6, heads);
	for (i = 0; i < r->drift.nfeatures; i++)
		add_drift_row(&t, &r->drift.features[i], r->feature_status[i]);
	for (i = 0; i < r->drift.npred; i++)
		add_drift_row(&t, &r->drift.pred[i], r->pred_status[i]);
	putchar('\n');
	table_print(&t, stdout, ctx);
	table_release(&t);
	if (r->nmetrics) {
		printf("\n%lld labelled rows\n", (long long)r->labelled);
		table_init(&t, 5, mheads);
		for (i = 0; i < r->nmetrics; i++) {
			const mmp_monitor_metric *m = &r->metrics[i];

			table_addf(&t, 0, "%s", m->name);
			table_addf(&t, 1, "%.4f", m->live);
			table_addf(&t, 2, "%.4f", m->test);
			if (isnan(m->ci_low))
				table_addf(&t, 3, "-");
			else
				table_addf(&t, 3, "[%.4f, %.4f]", m->ci_low,
					m->ci_high);
			table_addf(&t, 4, "%s",
				mmp_monitor_status_name(m->status));
		}
		table_print(&t, stdout, ctx);
		table_release(&t);
	}
	if (r->run_id[0])
		printf("\nrecorded as run %s\n", r->run_id);
}

int cmd_monitor(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *input = NULL, *labels = NULL, *thresholds = NULL;
	const char *since = NULL;
	int json = 0, record = 1;
	const struct option opts[] = {
		OPT_STRING(0, "since", &since, "<duration>",
			"the live profiles of the last 30m, 24h, 7d... "
			"(default: every one recorded)"),
		OPT_STRING(0, "input", &input, "<file>",
			"a CSV of the rows the model sees now, instead of "
			"the live profiles"),
		OPT_STRING(0, "labels", &labels, "<file>",
			"a CSV of outcomes: the model's entity column and "
			"its target"),
		OPT_STRING(0, "thresholds", &thresholds, "<file>",
			"the thresholds (default: configs/monitor.yaml, else "
			"built-in)"),
		OPT_BOOL(0, "record", &record,
			"record the check as a run of kind monitor (default)"),
		OPT__JSON(&json),
		OPT_END()
	};
	mmp_monitor_options o = MMP_MONITOR_OPTIONS_INIT;
	mmp_monitor_result r = MMP_MONITOR_RESULT_INIT;
	mmp_diag_list *diags = NULL;
	int ret;

	argc = parse_options(argc, argv, opts, monitor_usage, 0);
	if (argc != 1)
		usage_msg_opt("'mmp monitor' takes one model reference",
			monitor_usage, opts);
	if (input && since)
		usage_msg_opt("'--since' and '--input' cannot be combined",
			monitor_usage, opts);
	if (since && mmp_monitor_parse_since(&o.since_ms, since,
	    (int64_t)time(NULL) * 1000) < 0) {
		error_lib("option '--since'");
		return EXIT_USAGE;
	}
	o.input = input;
	o.labels = labels;
	o.thresholds = thresholds;
	o.record = record;
	if (mmp_monitor_check(&r, &diags, ctx_store(ctx), argv[0], &o) < 0) {
		if (mmp_diag_list_count(diags))
			print_diags(diags);
		else
			error_lib("cannot monitor '%s'", argv[0]);
		mmp_diag_list_free(diags);
		mmp_monitor_result_release(&r);
		return EXIT_FAIL;
	}
	if (json)
		print_json(&r, !input);
	else
		print_human(&r, !input, ctx);
	ret = (int)r.status;
	mmp_monitor_result_release(&r);
	return ret;
}
