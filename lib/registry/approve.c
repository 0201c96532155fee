/* SPDX-License-Identifier: MIT */
/* approve.c: evaluate an approval policy against a version and the
 * current Production version, and record decisions with evidence */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "registry-internal.h"
#include "config/config-internal.h"

#define RECIPE_MAX_BYTES (1024 * 1024)

struct verdict {
	mmp_decision decision;
	mmp_buf reason;
	cJSON *evidence;
};

static int metric_of(const mmp_run *r, const char *key, double *out)
{
	size_t i;

	for (i = 0; r && i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key)) {
			*out = r->metrics[i].value;
			return isfinite(*out) ? 1 : 0;
		}
	return 0;
}

static void add_num(cJSON *o, const char *key, int has, double v)
{
	if (has)
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void check_thresholds(struct verdict *vd,
	const mmp_approval_policy *p, const mmp_run *run)
{
	cJSON *arr = cJSON_AddArrayToObject(vd->evidence, "thresholds");
	size_t i, failed = 0;

	for (i = 0; i < p->th_nr; i++) {
		const struct mmp_registry__threshold *t = &p->th[i];
		cJSON *o = cJSON_CreateObject();
		double v = 0;
		int has = metric_of(run, t->metric, &v), pass = has;
		const char *why = NULL;

		if (has && t->has_min && v < t->min) {
			pass = 0;
			why = "<";
		}
		if (has && t->has_max && v > t->max) {
			pass = 0;
			why = ">";
		}
		cJSON_AddStringToObject(o, "metric", t->metric);
		if (t->has_min)
			cJSON_AddNumberToObject(o, "min", t->min);
		if (t->has_max)
			cJSON_AddNumberToObject(o, "max", t->max);
		add_num(o, "value", has, v);
		cJSON_AddBoolToObject(o, "passed", pass);
		cJSON_AddItemToArray(arr, o);
		if (pass)
			continue;
		mmp_buf_puts(&vd->reason, failed++ ? "; " :
			"failed thresholds: ");
		if (!has)
			mmp_buf_printf(&vd->reason, "%s was not logged by the "
				"run", t->metric);
		else
			mmp_buf_printf(&vd->reason, "%s %.6g %s %s %.6g",
				t->metric, v, why, *why == '<' ? "min" : "max",
				*why == '<' ? t->min : t->max);
	}
	if (failed)
		vd->decision = MMP_DECISION_REJECTED;
}

static void compare(struct verdict *vd, const mmp_approval_policy *p,
	const mmp_run *run, const mmp_model_version *base,
	const mmp_run *base_run)
{
	cJSON *c;
	double v = 0, b = 0, imp;
	int has_v, has_b;
	const char *outcome;

	if (!p->cmp_metric) {
		cJSON_AddNullToObject(vd->evidence, "comparison");
		mmp_buf_puts(&vd->reason, base ? "every threshold passed; the "
			"policy has no comparison" : "every threshold passed");
		vd->decision = MMP_DECISION_APPROVED;
		return;
	}
	c = cJSON_AddObjectToObject(vd->evidence, "comparison");
	cJSON_AddStringToObject(c, "metric", p->cmp_metric);
	cJSON_AddStringToObject(c, "direction", p->direction > 0 ?
		"maximize" : "minimize");
	cJSON_AddNumberToObject(c, "min_improvement", p->min_improvement);
	add_num(c, "max_degradation", p->has_max_degradation,
		p->max_degradation);
	has_v = metric_of(run, p->cmp_metric, &v);
	add_num(c, "value", has_v, v);
	if (!base) {
		cJSON_AddNullToObject(c, "baseline_version");
		cJSON_AddNullToObject(c, "baseline");
		cJSON_AddNullToObject(c, "improvement");
		cJSON_AddStringToObject(c, "outcome", "no_baseline");
		mmp_buf_puts(&vd->reason, "every threshold passed; no "
			"Production version to compare with");
		vd->decision = MMP_DECISION_APPROVED;
		return;
	}
	cJSON_AddNumberToObject(c, "baseline_version", (double)base->version);
	cJSON_AddStringToObject(c, "baseline_run_id", base->run_id);
	has_b = metric_of(base_run, p->cmp_metric, &b);
	add_num(c, "baseline", has_b, b);
	if (!has_v || !has_b) {
		cJSON_AddNullToObject(c, "improvement");
		cJSON_AddStringToObject(c, "outcome", "missing_metric");
		mmp_buf_printf(&vd->reason, "cannot compare %s with "
			"Production version %lld: %s has no value",
			p->cmp_metric, (long long)base->version,
			!has_v ? "this version" : "the Production version");
		vd->decision = MMP_DECISION_NEEDS_REVIEW;
		return;
	}
	imp = p->direction > 0 ? v - b : b - v;
	cJSON_AddNumberToObject(c, "improvement", imp);
	if (imp >= p->min_improvement) {
		outcome = "improved";
		vd->decision = MMP_DECISION_APPROVED;
		mmp_buf_printf(&vd->reason, "%s improves on Production version "
			"%lld by %.6g (%.6g vs %.6g; min_improvement %.6g)",
			p->cmp_metric, (long long)base->version, imp, v, b,
			p->min_improvement);
	} else if (p->has_max_degradation && -imp <= p->max_degradation) {
		outcome = "within_tolerance";
		vd->decision = MMP_DECISION_APPROVED;
		mmp_buf_printf(&vd->reason, "%s changes by %.6g against "
			"Production version %lld (%.6g vs %.6g), within "
			"max_degradation %.6g", p->cmp_metric, imp,
			(long long)base->version, v, b, p->max_degradation);
	} else {
		outcome = "degraded";
		vd->decision = MMP_DECISION_NEEDS_REVIEW;
		if (imp >= 0)
			mmp_buf_printf(&vd->reason, "%s improves on Production "
				"version %lld by only %.6g (%.6g vs %.6g), "
				"less than min_improvement %.6g", p->cmp_metric,
				(long long)base->version, imp, v, b,
				p->min_improvement);
		else if (p->has_max_degradation)
			mmp_buf_printf(&vd->reason, "%s degrades from "
				"Production version %lld by %.6g (%.6g vs "
				"%.6g), more than max_degradation %.6g",
				p->cmp_metric, (long long)base->version, -imp,
				v, b, p->max_degradation);
		else
			mmp_buf_printf(&vd->reason, "%s degrades from "
				"Production version %lld by %.6g (%.6g vs "
				"%.6g) and the policy has no max_degradation",
				p->cmp_metric, (long long)base->version, -imp,
				v, b);
	}
	cJSON_AddStringToObject(c, "outcome", outcome);
}

/* does the run's recipe snapshot have an approval: section? */
static int recipe_has_policy(const char *path)
{
	mmp_buf text = MMP_BUF_INIT;
	mmp_diag_list *d = mmp_config__diags_new();
	mmp_ynode *doc = NULL;
	int has = 0;

	if (mmp_path_exists(path) &&
	    mmp_file_read(&text, path, RECIPE_MAX_BYTES) == 0 &&
	    mmp_config__yaml_load(&doc, path, text.ptr, text.size, 0, d) == 0)
		has = doc->type == MMP_YNODE_MAP &&
			mmp_config__ynode_get(doc, "approval") != NULL;
	mmp_config__ynode_free(doc);
	mmp_diag_list_free(d);
	mmp_buf_dispose(&text);
	mmp_error_clear();
	return has;
}

/* --policy, else <project>/configs/approval.yaml, else the recipe's */
static int find_policy(mmp_approval_policy **out, mmp_diag_list **diags,
	mmp_store *s, const mmp_approve_options *o,
	const mmp_model_version *v)
{
	mmp_buf path = MMP_BUF_INIT, project = MMP_BUF_INIT;
	mmp_run *r = NULL;
	const char *dir = mmp_store_dir(s);
	int err;

	if (o->policy_path) {
		err = mmp_approval_policy_load(out, diags, o->policy_path);
		goto done;
	}
	if (mmp_str_ends_with(dir, "/.mmp")) {
		mmp_path_dirname(&project, dir);
		mmp_path_join(&path, project.ptr, "configs/approval.yaml");
		if (mmp_path_exists(path.ptr)) {
			err = mmp_approval_policy_load(out, diags, path.ptr);
			goto done;
		}
	}
	if ((err = mmp_run_get(&r, s, v->run_id)) < 0)
		goto done;
	mmp_buf_clear(&path);
	mmp_path_join(&path, dir, r->artifact_uri);
	mmp_buf_puts(&path, "/recipe.yaml");
	if (recipe_has_policy(path.ptr)) {
		err = mmp_approval_policy_load(out, diags, path.ptr);
		goto done;
	}
	err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
		"no approval policy for %s version %lld: give --policy, or "
		"write configs/approval.yaml or an 'approval:' section in the "
		"recipe", v->name, (long long)v->version);
done:
	mmp_run_free(r);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&project);
	return err;
}

static int evaluate(struct verdict *vd, mmp_store *s,
	const mmp_approval_policy *p, const mmp_model_version *v)
{
	mmp_run *run = NULL, *base_run = NULL;
	mmp_model_version *base = NULL;
	int64_t prod = 0;
	int err;

	if ((err = mmp_run_get(&run, s, v->run_id)) < 0)
		goto done;
	cJSON_AddStringToObject(vd->evidence, "policy", p->origin);
	cJSON_AddStringToObject(vd->evidence, "run_id", v->run_id);
	check_thresholds(vd, p, run);
	if (vd->decision == MMP_DECISION_REJECTED)
		goto done;
	if ((err = mmp_store__reg_stage_version(s, v->name,
			MMP_STAGE_PRODUCTION, &prod)) < 0)
		goto done;
	if (prod && prod != v->version) {
		if ((err = mmp_store__reg_version_load(s, v->name, prod,
				&base)) < 0 ||
		    (err = mmp_run_get(&base_run, s, base->run_id)) < 0)
			goto done;
	}
	compare(vd, p, run, base, base_run);
done:
	mmp_run_free(run);
	mmp_run_free(base_run);
	mmp_model_version_free(base);
	return err;
}

/* may `now` follow `prev`? final decisions only repeat */
static int check_conflict(const mmp_model_version *v,
	const mmp_approval *prev, mmp_decision now, int manual)
{
	char when[32];

	if (manual && now == MMP_DECISION_APPROVED &&
	    (!prev || prev->decision == MMP_DECISION_NONE))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"%s version %lld has no decision to review: run "
			"'mmp approve %s v%lld' first", v->name,
			(long long)v->version, v->name,
			(long long)v->version);
	if (!prev || prev->decision == MMP_DECISION_NEEDS_REVIEW ||
	    prev->decision == now)
		return 0;
	mmp_time_iso8601(when, prev->time);
	return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
		"%s version %lld was already %s by %s at %s; a conflicting "
		"%s decision is refused", v->name, (long long)v->version,
		mmp_decision_name(prev->decision), prev->actor, when,
		mmp_decision_name(now));
}

int mmp_registry_approve(mmp_approval **out, mmp_diag_list **diags,
	mmp_store *s, const char *name, int64_t version,
	const mmp_approve_options *o)
{
	mmp_approve_options def = MMP_APPROVE_OPTIONS_INIT;
	mmp_approval_policy *own = NULL;
	const mmp_approval_policy *p = NULL;
	mmp_model_version *v = NULL;
	mmp_approval *prev = NULL, *a = NULL;
	struct verdict vd;
	const char *actor;
	char *json = NULL;
	int err, manual;

	*out = NULL;
	if (diags)
		*diags = NULL;
	memset(&vd, 0, sizeof(vd));
	mmp_buf_init(&vd.reason, 0);
	if (!o)
		o = &def;
	if (o->version != MMP_APPROVE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown mmp_approve_options version %u", o->version);
	manual = o->manual != MMP_DECISION_NONE;
	if (manual && o->manual != MMP_DECISION_APPROVED &&
	    o->manual != MMP_DECISION_REJECTED)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"a manual decision is APPROVED or REJECTED");
	if (manual && (!o->actor || !*o->actor))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"a manual decision needs who makes it (--by)");
	if (o->manual == MMP_DECISION_REJECTED && (!o->notes || !*o->notes))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"a rejection needs the reason (--notes)");
	actor = mmp_registry__actor(o->actor);
	if ((err = mmp_registry_version_get(&v, s, name, version)) < 0)
		goto done;
	if (!manual) {
		p = o->policy;
		if (!p && (err = find_policy(&own, diags, s, o, v)) < 0)
			goto done;
		if (!p)
			p = own;
	}

	if ((err = mmp_store__reg_begin(s)) < 0)
		goto done;
	if ((err = mmp_store__reg_latest_approval(s, name, version,
			&prev)) < 0)
		goto fail;
	vd.evidence = cJSON_CreateObject();
	if (manual) {
		vd.decision = o->manual;
		cJSON_AddBoolToObject(vd.evidence, "manual", 1);
		if (prev) {
			cJSON *pj = cJSON_AddObjectToObject(vd.evidence,
				"previous");
			cJSON_AddNumberToObject(pj, "id", (double)prev->id);
			cJSON_AddStringToObject(pj, "decision",
				mmp_decision_name(prev->decision));
			cJSON_AddStringToObject(pj, "reason", prev->reason);
		}
		mmp_buf_printf(&vd.reason, "%s by %s", vd.decision ==
			MMP_DECISION_APPROVED ? "approved" : "rejected",
			actor);
		if (o->notes && *o->notes)
			mmp_buf_printf(&vd.reason, ": %s", o->notes);
	} else {
		cJSON_AddBoolToObject(vd.evidence, "manual", 0);
		if ((err = evaluate(&vd, s, p, v)) < 0)
			goto fail;
	}
	if ((err = check_conflict(v, prev, vd.decision, manual)) < 0)
		goto fail;
	json = cJSON_PrintUnformatted(vd.evidence);
	a = mmp__calloc(1, sizeof(*a));
	a->name = mmp__strdup(name);
	a->version = version;
	a->decision = vd.decision;
	a->reason = mmp_buf_detach(&vd.reason);
	a->actor = mmp__strdup(actor);
	a->manual = manual;
	a->notes = mmp__strdup_or_null(o->notes);
	a->policy = p ? mmp__strdup(p->origin) : NULL;
	a->evidence = mmp__strdup(json ? json : "{}");
	if ((err = mmp_store__reg_approval_add(s, a)) < 0 ||
	    (err = mmp_store__reg_audit_add(s, actor, o->manual ==
			MMP_DECISION_REJECTED ? "reject" : "approve", name,
			version, "decision", prev ?
			mmp_decision_name(prev->decision) : NULL,
			mmp_decision_name(vd.decision), a->reason)) < 0 ||
	    (err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	*out = a;
	a = NULL;
	goto done;
fail:
	mmp_store__reg_rollback(s);
done:
	if (json)
		cJSON_free(json);
	cJSON_Delete(vd.evidence);
	mmp_buf_dispose(&vd.reason);
	mmp_approval_free(a);
	mmp_approval_free(prev);
	mmp_model_version_free(v);
	mmp_approval_policy_free(own);
	return err;
}
