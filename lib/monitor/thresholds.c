/* SPDX-License-Identifier: MIT */
/* thresholds.c: configs/monitor.yaml, validated with file:line:column */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor-internal.h"
#include "config/config-internal.h"

#define THRESHOLDS_MAX_BYTES (1024 * 1024)
#define NONNEG MMP_SKEY_MIN

static const struct mmp_skey schema[] = {
	{ "degradation.alert", MMP_CONFIG_FLOAT, NONNEG, "0.05", 0, 0, NULL,
	  NULL, "a live metric this far past its interval alerts" },
	{ "degradation.warn", MMP_CONFIG_FLOAT, NONNEG, "0", 0, 0, NULL, NULL,
	  "a live metric this far past its interval warns" },
	{ "js.alert", MMP_CONFIG_FLOAT, NONNEG, "0.1", 0, 0, NULL, NULL,
	  "Jensen-Shannon divergence of a categorical feature that alerts" },
	{ "js.warn", MMP_CONFIG_FLOAT, NONNEG, "0.05", 0, 0, NULL, NULL,
	  "Jensen-Shannon divergence of a categorical feature that warns" },
	{ "ks.alert", MMP_CONFIG_FLOAT, NONNEG, "0.2", 0, 0, NULL, NULL,
	  "binned KS statistic of a numeric feature that alerts" },
	{ "ks.warn", MMP_CONFIG_FLOAT, NONNEG, "0.1", 0, 0, NULL, NULL,
	  "binned KS statistic of a numeric feature that warns" },
	{ "min_rows", MMP_CONFIG_INT, NONNEG, "100", 0, 0, NULL, NULL,
	  "fewer live (or labelled) rows get no verdict" },
	{ "missing_rate.alert", MMP_CONFIG_FLOAT, NONNEG, "0.1", 0, 0, NULL,
	  NULL, "change of a feature's missing rate that alerts" },
	{ "missing_rate.warn", MMP_CONFIG_FLOAT, NONNEG, "0.05", 0, 0, NULL,
	  NULL, "change of a feature's missing rate that warns" },
	{ "prediction_psi.alert", MMP_CONFIG_FLOAT, NONNEG, "0.25", 0, 0, NULL,
	  NULL, "PSI of a prediction output that alerts" },
	{ "prediction_psi.warn", MMP_CONFIG_FLOAT, NONNEG, "0.1", 0, 0, NULL,
	  NULL, "PSI of a prediction output that warns" },
	{ "psi.alert", MMP_CONFIG_FLOAT, NONNEG, "0.25", 0, 0, NULL, NULL,
	  "PSI of a feature that alerts" },
	{ "psi.warn", MMP_CONFIG_FLOAT, NONNEG, "0.1", 0, 0, NULL, NULL,
	  "PSI of a feature that warns" },
	{ "unseen_share.alert", MMP_CONFIG_FLOAT, NONNEG, "0.05", 0, 0, NULL,
	  NULL, "share of unseen categories that alerts" },
	{ "unseen_share.warn", MMP_CONFIG_FLOAT, NONNEG, "0.01", 0, 0, NULL,
	  NULL, "share of unseen categories that warns" },
};

#define NKEYS ARRAY_SIZE(schema)

/* where each key's value goes */
static double *slot(mmp_monitor_thresholds *t, size_t i)
{
	double *slots[NKEYS] = {
		&t->degradation.alert, &t->degradation.warn, &t->js.alert,
		&t->js.warn, &t->ks.alert, &t->ks.warn, NULL,
		&t->missing_rate.alert, &t->missing_rate.warn,
		&t->prediction_psi.alert, &t->prediction_psi.warn,
		&t->psi.alert, &t->psi.warn, &t->unseen_share.alert,
		&t->unseen_share.warn
	};

	return slots[i];
}

struct found {
	mmp_monitor_thresholds *t;
	const mmp_ynode *node[NKEYS];
};

static void set(mmp_monitor_thresholds *t, size_t i, const char *text)
{
	double *d = slot(t, i);
	int64_t v;

	if (d)
		mmp_parse_double(text, d);
	else if (!mmp_parse_int64(text, &v))
		t->min_rows = v;
}

void mmp_monitor_thresholds_default(mmp_monitor_thresholds *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NKEYS; i++)
		set(t, i, schema[i].def);
	snprintf(t->origin, sizeof(t->origin), "defaults");
}

static void on_value(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct found *f = payload;
	size_t i = (size_t)(k - schema);

	f->node[i] = n;
	set(f->t, i, v->text);
}

/* every warn must come at or below its alert */
static void check_pairs(struct found *f, mmp_diag_list *diags)
{
	size_t i;

	for (i = 0; i + 1 < NKEYS; i++) {
		const char *a = schema[i].path, *dot = strrchr(a, '.');
		size_t stem = dot ? (size_t)(dot - a) : 0;

		if (!dot || strcmp(dot, ".alert") ||
		    strncmp(schema[i + 1].path, a, stem) ||
		    strcmp(schema[i + 1].path + stem, ".warn"))
			continue;
		if (*slot(f->t, i + 1) > *slot(f->t, i))
			mmp_config__diag_node(diags, f->node[i] ?
				f->node[i] : f->node[i + 1], false, a,
				"the alert level (%g) is below the warn "
				"level (%g)", *slot(f->t, i),
				*slot(f->t, i + 1));
	}
}

int mmp_monitor_thresholds_load(mmp_monitor_thresholds *out,
	mmp_diag_list **diags_out, const char *path)
{
	mmp_diag_list *diags = NULL;
	mmp_ynode *doc = NULL;
	mmp_buf text = MMP_BUF_INIT;
	struct found f;
	int err;

	mmp_monitor_thresholds_default(out);
	if (diags_out)
		*diags_out = NULL;
	if (!mmp_path_exists(path))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
			"no thresholds file '%s'", path);
	if ((err = mmp_file_read(&text, path, THRESHOLDS_MAX_BYTES)) < 0) {
		mmp_error_prefix("cannot read thresholds '%s'", path);
		goto done;
	}
	diags = mmp_config__diags_new();
	memset(&f, 0, sizeof(f));
	f.t = out;
	if (mmp_config__yaml_load(&doc, path, text.ptr, text.size, 0,
	    diags) < 0)
		goto invalid;
	if (doc->type != MMP_YNODE_MAP) {
		mmp_config__diag_node(diags, doc, false, "", "expected a "
			"mapping of thresholds, got %s",
			mmp_config__ynode_kind(doc));
		goto invalid;
	}
	mmp_config__validate(doc, schema, NKEYS, diags, on_value, &f);
	if (!mmp_diag_list_count(diags))
		check_pairs(&f, diags);
	if (mmp_diag_list_count(diags))
		goto invalid;
	snprintf(out->origin, sizeof(out->origin), "%s", path);
	err = 0;
	goto done;
invalid:
	err = mmp_config__diags_error(diags, MMP_ERROR_CONFIG);
	if (diags_out) {
		*diags_out = diags;
		diags = NULL;
	}
done:
	mmp_config__ynode_free(doc);
	mmp_diag_list_free(diags);
	mmp_buf_dispose(&text);
	return err;
}
