/* SPDX-License-Identifier: MIT */
/* policy.c: approval policies in YAML, validated with file:line:column
 * and "did you mean" like every other YAML input */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"
#include "config/config-internal.h"

#define POLICY_MAX_BYTES (1024 * 1024)

static const char *const direction_v[] = { "maximize", "minimize", NULL };
static const char *const otherwise_v[] = { "needs_review", "rejected",
	NULL };
static const char *const otherwise_aliases[] = {
	"review", "needs_review", "NEEDS_REVIEW", "needs_review", "reject",
	"rejected", "REJECTED", "rejected", NULL
};
static const char *const direction_aliases[] = {
	"max", "maximize", "higher", "maximize", "higher_is_better",
	"maximize", "min", "minimize", "lower", "minimize",
	"lower_is_better", "minimize", NULL
};

#define NONNEG MMP_SKEY_MIN

static const struct mmp_skey schema[] = {
	{ "description", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "what the policy is for" },
	{ "thresholds", MMP_SKEY_MAP, 0, NULL, 0, 0, NULL, NULL,
	  "metric: {min: x}, {max: x}, {min_ci_low: x} or {max_ci_high: x}; "
	  "every one must pass" },
	{ "comparison.metric", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "the metric compared with the Production version" },
	{ "comparison.direction", MMP_CONFIG_ENUM, 0, NULL, 0, 0, direction_v,
	  direction_aliases, "maximize or minimize" },
	{ "comparison.min_improvement", MMP_CONFIG_FLOAT, NONNEG, NULL, 0, 0,
	  NULL, NULL, "approve when better by at least this" },
	{ "comparison.max_degradation", MMP_CONFIG_FLOAT, NONNEG, NULL, 0, 0,
	  NULL, NULL, "approve when worse by no more than this" },
	{ "comparison.confidence", MMP_CONFIG_FLOAT, MMP_SKEY_MIN |
	  MMP_SKEY_MAX | MMP_SKEY_MIN_OPEN | MMP_SKEY_MAX_OPEN, "0.95", 0, 1,
	  NULL, NULL, "the confidence of the paired bootstrap interval" },
	{ "comparison.bootstrap", MMP_CONFIG_INT, MMP_SKEY_MIN |
	  MMP_SKEY_MAX, "1000", 100, 100000, NULL, NULL,
	  "bootstrap samples of the rows" },
	{ "comparison.seed", MMP_CONFIG_INT, MMP_SKEY_MIN, "0", 0, 0, NULL,
	  NULL, "the seed of the bootstrap samples" },
	{ "comparison.otherwise", MMP_CONFIG_ENUM, 0, "needs_review", 0, 0,
	  otherwise_v, otherwise_aliases,
	  "the decision when the gain is not shown: needs_review or rejected" },
};

#define NKEYS ARRAY_SIZE(schema)

struct found {
	const mmp_ynode *node[NKEYS];
	char *text[NKEYS];
};

static void on_value(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct found *f = payload;
	size_t i = (size_t)(k - schema);

	f->node[i] = n;
	free(f->text[i]);
	f->text[i] = v->text;
	v->text = NULL;
}

static size_t idx(const char *path)
{
	return (size_t)(mmp_config__skey_find(schema, NKEYS, path) - schema);
}

int mmp_registry__metric_direction(const char *m)
{
	static const char *const lower[] = {
		"logloss", "rmse", "mae", "mse", "mape", "error", "loss",
		"brier", "median_ae"
	};
	size_t i;

	if (!strncmp(m, "logloss_class_", 14))
		return -1;
	for (i = 0; i < ARRAY_SIZE(lower); i++)
		if (!strcmp(m, lower[i]) || mmp_str_ends_with(m, lower[i]))
			return -1;
	return 1;
}

static int bound(const mmp_ynode *n, const char *path, double *out,
	mmp_diag_list *diags)
{
	if (n->type != MMP_YNODE_SCALAR || n->is_null || n->quoted ||
	    mmp_parse_double(n->value, out) < 0 || !isfinite(*out)) {
		mmp_config__diag_node(diags, n, false, path,
			"expected a number, got %s%s%s%s",
			mmp_config__ynode_kind(n),
			n->type == MMP_YNODE_SCALAR ? " '" : "",
			n->type == MMP_YNODE_SCALAR && n->value ? n->value :
			"", n->type == MMP_YNODE_SCALAR ? "'" : "");
		return -1;
	}
	return 0;
}

static void parse_thresholds(mmp_approval_policy *p, const mmp_ynode *n,
	mmp_diag_list *diags)
{
	static const char *const keys[] = { "min", "max", "min_ci_low",
		"max_ci_high" };
	mmp_buf path = MMP_BUF_INIT;
	size_t i, j;

	if (n->type != MMP_YNODE_MAP) {
		mmp_config__diag_node(diags, n, false, "thresholds",
			"expected a mapping of metric names to {min: x} or "
			"{max: x}, got %s", mmp_config__ynode_kind(n));
		return;
	}
	p->th = mmp__calloc(n->nr ? n->nr : 1, sizeof(*p->th));
	for (i = 0; i < n->nr; i++) {
		const mmp_ynode *t = n->kids[i];
		struct mmp_registry__threshold th;

		memset(&th, 0, sizeof(th));
		mmp_buf_clear(&path);
		mmp_buf_printf(&path, "thresholds.%s", n->keys[i]);
		if (t->type != MMP_YNODE_MAP || !t->nr) {
			mmp_config__diag_node(diags, t, false, path.ptr,
				"expected {min: x}, {max: x}, {min_ci_low: x} "
				"or {max_ci_high: x}, got %s",
				mmp_config__ynode_kind(t));
			continue;
		}
		for (j = 0; j < t->nr; j++) {
			const char *k = t->keys[j], *best;
			mmp_buf kp = MMP_BUF_INIT;

			mmp_buf_printf(&kp, "%s.%s", path.ptr, k);
			if (!strcmp(k, "min")) {
				if (!bound(t->kids[j], kp.ptr, &th.min, diags))
					th.has_min = 1;
			} else if (!strcmp(k, "max")) {
				if (!bound(t->kids[j], kp.ptr, &th.max, diags))
					th.has_max = 1;
			} else if (!strcmp(k, "min_ci_low")) {
				if (!bound(t->kids[j], kp.ptr, &th.min_ci_low,
						diags))
					th.has_min_ci_low = 1;
			} else if (!strcmp(k, "max_ci_high")) {
				if (!bound(t->kids[j], kp.ptr, &th.max_ci_high,
						diags))
					th.has_max_ci_high = 1;
			} else if ((best = mmp_str_closest(k, keys, ARRAY_SIZE(keys)))) {
				mmp_config__diag_node(diags, t->kids[j], true,
					kp.ptr, "unknown key '%s'; did you "
					"mean '%s'?", k, best);
			} else {
				mmp_config__diag_node(diags, t->kids[j], true,
					kp.ptr, "unknown key '%s' (expected "
					"min, max, min_ci_low or max_ci_high)",
					k);
			}
			mmp_buf_dispose(&kp);
		}
		if (th.has_min && th.has_max && th.min > th.max) {
			mmp_config__diag_node(diags, t, false, path.ptr,
				"min %g is above max %g", th.min, th.max);
			continue;
		}
		if (!th.has_min && !th.has_max && !th.has_min_ci_low &&
		    !th.has_max_ci_high)
			continue;
		th.metric = mmp__strdup(n->keys[i]);
		p->th[p->th_nr++] = th;
	}
	mmp_buf_dispose(&path);
}

void mmp_approval_policy_free(mmp_approval_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->th_nr; i++)
		free(p->th[i].metric);
	free(p->th);
	free(p->cmp_metric);
	free(p->origin);
	free(p);
}

static void build(mmp_approval_policy *p, struct found *f,
	const mmp_ynode *root, mmp_diag_list *diags)
{
	const mmp_ynode *cmp = mmp_config__ynode_get(root, "comparison");
	const char *dir = f->text[idx("comparison.direction")];
	const char *mi = f->text[idx("comparison.min_improvement")];
	const char *md = f->text[idx("comparison.max_degradation")];
	const char *conf = f->text[idx("comparison.confidence")];
	const char *boot = f->text[idx("comparison.bootstrap")];
	const char *seed = f->text[idx("comparison.seed")];
	const char *oth = f->text[idx("comparison.otherwise")];
	int64_t iv;

	if (f->node[idx("thresholds")])
		parse_thresholds(p, f->node[idx("thresholds")], diags);
	p->cmp_metric = mmp__strdup_or_null(
		f->text[idx("comparison.metric")]);
	if (cmp && !p->cmp_metric && cmp->type == MMP_YNODE_MAP)
		mmp_config__diag_node(diags, cmp, true, "comparison",
			"'metric' is required: the metric compared with the "
			"Production version");
	if (p->cmp_metric)
		p->direction = dir ? (!strcmp(dir, "minimize") ? -1 : 1) :
			mmp_registry__metric_direction(p->cmp_metric);
	if (mi)
		mmp_parse_double(mi, &p->min_improvement);
	if (md && mmp_parse_double(md, &p->max_degradation) == 0)
		p->has_max_degradation = 1;
	p->confidence = 0.95;
	if (conf)
		mmp_parse_double(conf, &p->confidence);
	p->resamples = 1000;
	if (boot && mmp_parse_int64(boot, &iv) == 0)
		p->resamples = (unsigned int)iv;
	if (seed && mmp_parse_int64(seed, &iv) == 0)
		p->seed = (uint64_t)iv;
	p->otherwise = oth && !strcmp(oth, "rejected") ?
		MMP_DECISION_REJECTED : MMP_DECISION_NEEDS_REVIEW;
}

int mmp_approval_policy_parse(mmp_approval_policy **out,
	mmp_diag_list **diags_out, const char *text, size_t len,
	const char *origin)
{
	mmp_diag_list *diags = mmp_config__diags_new();
	mmp_approval_policy *p = NULL;
	mmp_ynode *doc = NULL;
	const mmp_ynode *root;
	struct found f;
	size_t i;
	int err;

	*out = NULL;
	if (diags_out)
		*diags_out = NULL;
	memset(&f, 0, sizeof(f));
	if (!origin)
		origin = "<policy>";
	if (mmp_config__yaml_load(&doc, origin, text, len, 0, diags) < 0)
		goto invalid;
	root = doc;
	if (doc->type == MMP_YNODE_MAP &&
	    mmp_config__ynode_get(doc, "approval"))
		root = mmp_config__ynode_get(doc, "approval");
	if (root->type != MMP_YNODE_MAP) {
		mmp_config__diag_node(diags, root, false, "",
			"expected a mapping with thresholds and comparison, "
			"got %s", mmp_config__ynode_kind(root));
		goto invalid;
	}
	mmp_config__validate(root, schema, NKEYS, diags, on_value, &f);
	p = mmp__calloc(1, sizeof(*p));
	p->origin = mmp__strdup(origin);
	build(p, &f, root, diags);
	if (!diags->nr && !p->th_nr && !p->cmp_metric)
		mmp_config__diag_node(diags, root, false, "", "the policy has "
			"no thresholds and no comparison: it would approve "
			"anything");
	if (diags->nr)
		goto invalid;
	*out = p;
	p = NULL;
	err = 0;
	goto done;
invalid:
	err = mmp_config__diags_error(diags, MMP_ERROR_CONFIG);
	if (diags_out) {
		*diags_out = diags;
		diags = NULL;
	}
done:
	for (i = 0; i < NKEYS; i++)
		free(f.text[i]);
	mmp_approval_policy_free(p);
	mmp_config__ynode_free(doc);
	mmp_diag_list_free(diags);
	return err;
}

int mmp_approval_policy_load(mmp_approval_policy **out,
	mmp_diag_list **diags, const char *path)
{
	mmp_buf text = MMP_BUF_INIT;
	int err;

	*out = NULL;
	if (diags)
		*diags = NULL;
	if (!mmp_path_exists(path))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
			"no approval policy '%s'", path);
	if ((err = mmp_file_read(&text, path, POLICY_MAX_BYTES)) < 0) {
		mmp_error_prefix("cannot read approval policy '%s'", path);
		goto done;
	}
	err = mmp_approval_policy_parse(out, diags, text.ptr, text.size,
		path);
done:
	mmp_buf_dispose(&text);
	return err;
}
