/* SPDX-License-Identifier: MIT */
/* approve.c: evaluate an approval policy against a version and the
 * current Production version, and record decisions with evidence */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "mmp/batch.h"
#include "mmp/bootstrap.h"
#include "mmp/model.h"
#include "registry-internal.h"
#include "config/config-internal.h"
#include "mmp/data.h"
#include "train/rebuild.h"

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

/* is `v` (when the run logged `key`) within `bound`? else say why */
static int bound_ok(struct verdict *vd, size_t *failed, const char *key,
	int has, double v, const char *name, double bound, int is_min)
{
	if (has && (is_min ? v >= bound : v <= bound))
		return 1;
	mmp_buf_puts(&vd->reason, (*failed)++ ? "; " : "failed thresholds: ");
	if (!has)
		mmp_buf_printf(&vd->reason, "%s was not logged by the run%s",
			key, strstr(name, "_ci_") ?
			" (its evaluation had no bootstrap)" : "");
	else
		mmp_buf_printf(&vd->reason, "%s %.6g %s %s %.6g", key, v,
			is_min ? "<" : ">", name, bound);
	return 0;
}

static void check_thresholds(struct verdict *vd,
	const mmp_approval_policy *p, const mmp_run *run)
{
	cJSON *arr = cJSON_AddArrayToObject(vd->evidence, "thresholds");
	mmp_buf key = MMP_BUF_INIT;
	size_t i, failed = 0;

	for (i = 0; i < p->th_nr; i++) {
		const struct mmp_registry__threshold *t = &p->th[i];
		cJSON *o = cJSON_CreateObject();
		double v = 0;
		int pass = 1, has;

		cJSON_AddStringToObject(o, "metric", t->metric);
		if (t->has_min)
			cJSON_AddNumberToObject(o, "min", t->min);
		if (t->has_max)
			cJSON_AddNumberToObject(o, "max", t->max);
		if (t->has_min_ci_low)
			cJSON_AddNumberToObject(o, "min_ci_low", t->min_ci_low);
		if (t->has_max_ci_high)
			cJSON_AddNumberToObject(o, "max_ci_high",
				t->max_ci_high);
		if (t->has_min || t->has_max) {
			has = metric_of(run, t->metric, &v);
			add_num(o, "value", has, v);
			if (!has)
				pass = bound_ok(vd, &failed, t->metric, 0, 0,
					"min", 0, 1);
			if (has && t->has_min)
				pass &= bound_ok(vd, &failed, t->metric, 1, v,
					"min", t->min, 1);
			if (has && t->has_max)
				pass &= bound_ok(vd, &failed, t->metric, 1, v,
					"max", t->max, 0);
		}
		if (t->has_min_ci_low) {
			mmp_buf_clear(&key);
			mmp_buf_printf(&key, "%s_ci_low", t->metric);
			has = metric_of(run, key.ptr, &v);
			add_num(o, "ci_low", has, v);
			pass &= bound_ok(vd, &failed, key.ptr, has, v,
				"min_ci_low", t->min_ci_low, 1);
		}
		if (t->has_max_ci_high) {
			mmp_buf_clear(&key);
			mmp_buf_printf(&key, "%s_ci_high", t->metric);
			has = metric_of(run, key.ptr, &v);
			add_num(o, "ci_high", has, v);
			pass &= bound_ok(vd, &failed, key.ptr, has, v,
				"max_ci_high", t->max_ci_high, 0);
		}
		cJSON_AddBoolToObject(o, "passed", pass);
		cJSON_AddItemToArray(arr, o);
	}
	mmp_buf_dispose(&key);
	if (failed)
		vd->decision = MMP_DECISION_REJECTED;
}

/* what the comparison works on; released by inputs_release() */
struct inputs {
	mmp_store *s;
	const mmp_approve_options *o;
	const mmp_approval_policy *p;
	const mmp_model_version *v, *base;
	const mmp_run *run, *base_run;
	mmp_train_rebuilt rb;          /* the candidate's test rows */
	mmp_batch_scores a, b;         /* candidate, baseline */
	mmp_model *ma, *mb;
	const char *file;
	mmp_task task;
	size_t nclasses;
	long long seen;                /* test rows the baseline trained
					  on; -1: unknown */
};

static void inputs_release(struct inputs *in)
{
	mmp_train__rebuilt_release(&in->rb);
	mmp_batch_scores_release(&in->a);
	mmp_batch_scores_release(&in->b);
	mmp_model_free(in->ma);
	mmp_model_free(in->mb);
}

/* score the CSV `path`; messages name the rows by `file` */
static int score(mmp_batch_scores *out, mmp_model **m,
	const mmp_model_version *v, const char *path, const char *file,
	const mmp_batch_score_options *so)
{
	int err;

	if ((err = mmp_model_load_dir(m, v->model_dir)) < 0 ||
	    (err = mmp_batch_score(out, *m, path, so)) < 0)
		mmp_error_prefix("cannot score %s version %lld on '%s'",
			v->name, (long long)v->version, file);
	return err;
}

/*
 * Put the baseline's scores and labels in the candidate's class order:
 * both models must predict the same target with the same labels, and
 * read the same label on every row.
 */
static int align(struct inputs *in)
{
	const mmp_model_schema *sa = mmp_model_schema_of(in->ma);
	const mmp_model_schema *sb = mmp_model_schema_of(in->mb);
	size_t k = sa->nclasses, i, j, *map;
	float *tmp;

	if (mmp_model_task_of(in->mb) != in->task || strcmp(sa->target,
			sb->target) || sb->nclasses != k)
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"%s version %lld and Production version %lld do not "
			"predict the same thing (%s '%s' with %zu classes, %s "
			"'%s' with %zu)", in->v->name,
			(long long)in->v->version, (long long)in->base->version,
			mmp_model_task_name(in->task), sa->target, k,
			mmp_model_task_name(mmp_model_task_of(in->mb)),
			sb->target, sb->nclasses);
	map = mmp__calloc(k ? k : 1, sizeof(*map));
	for (j = 0; j < k; j++) {
		for (i = 0; i < k && strcmp(sa->classes[i], sb->classes[j]);
		     i++)
			;
		if (i == k) {
			free(map);
			return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
				"Production version %lld predicts class '%s', "
				"which %s version %lld does not know",
				(long long)in->base->version, sb->classes[j],
				in->v->name, (long long)in->v->version);
		}
		map[j] = i;
	}
	for (i = 0; k && i < in->b.n; i++)
		in->b.y[i] = (float)map[(size_t)in->b.y[i]];
	if (in->task == MMP_TASK_BINARY && k == 2 && map[1] == 0)
		for (i = 0; i < in->b.n; i++)
			in->b.scores[i] = 1.0f - in->b.scores[i];
	if (in->task == MMP_TASK_MULTICLASS && k) {
		tmp = mmp__calloc(in->b.n * k, sizeof(float));
		for (i = 0; i < in->b.n; i++)
			for (j = 0; j < k; j++)
				tmp[i * k + map[j]] = in->b.scores[i * k + j];
		free(in->b.scores);
		in->b.scores = tmp;
	}
	free(map);
	if (in->a.n != in->b.n || memcmp(in->a.y, in->b.y,
			in->a.n * sizeof(float)))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"the two models read different labels from '%s'",
			in->file);
	in->nclasses = k;
	return 0;
}

/* how many of `a` (ascending) are in `b` or `c` (ascending) */
static size_t count_in(const size_t *a, size_t na, const size_t *b,
	size_t nb, const size_t *c, size_t nc)
{
	size_t i, j = 0, k = 0, n = 0;

	for (i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		while (k < nc && c[k] < a[i])
			k++;
		n += (j < nb && b[j] == a[i]) || (k < nc && c[k] == a[i]);
	}
	return n;
}

/*
 * When Production was trained on the same data file, how many of the
 * candidate's test rows it trained on (train or validation rows): its
 * scores there are optimistic, which only makes the comparison
 * stricter for the candidate, but the evidence says so.
 */
static void baseline_overlap(struct inputs *in, cJSON *rows)
{
	mmp_train_rebuilt brb;
	mmp_buf why = MMP_BUF_INIT;
	const mmp_split *t = &in->rb.split;

	in->seen = -1;
	memset(&brb, 0, sizeof(brb));
	if (in->base_run && mmp_train__can_rebuild(in->base_run, &why) &&
	    mmp_train__rebuild(&brb, in->s, in->base_run,
			in->o->config) == 0 &&
	    !strcmp(brb.digest, in->rb.digest))
		in->seen = (long long)count_in(t->test, t->ntest,
			brb.split.train, brb.split.ntrain, brb.split.valid,
			brb.split.nvalid);
	mmp_error_clear();
	mmp_train__rebuilt_release(&brb);
	mmp_buf_dispose(&why);
	if (in->seen >= 0)
		cJSON_AddNumberToObject(rows, "baseline_trained_on",
			(double)in->seen);
	else
		cJSON_AddNullToObject(rows, "baseline_trained_on");
}

/* the rows: the candidate's rebuilt test rows, or every row of --data */
static int pick_rows(struct inputs *in, cJSON *c, mmp_buf *why)
{
	/* a database's exported rows: only an empty field is missing */
	static const char *const no_na[] = { NULL };
	mmp_batch_score_options so = MMP_BATCH_SCORE_OPTIONS_INIT;
	cJSON *rows = cJSON_AddObjectToObject(c, "rows");
	const char *path;
	int err;

	if (in->o->data_path) {
		in->file = path = in->o->data_path;
		cJSON_AddStringToObject(rows, "source", "data");
	} else {
		if (!mmp_train__can_rebuild(in->run, why))
			return 1;
		if ((err = mmp_train__rebuild(&in->rb, in->s, in->run,
				in->o->config)) < 0) {
			if (err == MMP_ECONFLICT || err == MMP_ENOTFOUND)
				mmp_error_prefix("cannot compare %s version "
					"%lld on its test rows; give --data "
					"with a labelled file to compare on",
					in->v->name, (long long)in->v->version);
			return err;
		}
		in->file = path = in->rb.data_path;
		so.rows = in->rb.split.test;
		so.nrows = in->rb.split.ntest;
		so.delimiter = in->rb.recipe->data.delimiter;
		if (in->rb.recipe->data.n_na_values)
			so.na_values = in->rb.recipe->data.na_values;
		if (in->rb.rows_csv) {
			/* a database's rows, as read and checked against
			 * the recorded digest */
			path = in->rb.rows_csv;
			so.delimiter = ',';
			so.na_values = no_na;
		}
		cJSON_AddStringToObject(rows, "source", "test");
	}
	if ((err = score(&in->a, &in->ma, in->v, path, in->file, &so)) < 0 ||
	    (err = score(&in->b, &in->mb, in->base, path, in->file,
	    &so)) < 0)
		return err;
	in->task = mmp_model_task_of(in->ma);
	if ((err = align(in)) < 0)
		return err;
	if (!in->a.n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"'%s' has no rows to compare on", in->file);
	cJSON_AddStringToObject(rows, "file", in->file);
	cJSON_AddStringToObject(rows, "sha256", in->a.digest);
	if (in->rb.rows_csv)
		cJSON_AddStringToObject(rows, "rows_digest", in->rb.digest);
	cJSON_AddNumberToObject(rows, "count", (double)in->a.n);
	cJSON_AddNumberToObject(rows, "file_rows", (double)in->a.rows_in);
	if (so.rows) {
		const mmp_recipe *r = in->rb.recipe;
		cJSON *sp = cJSON_AddObjectToObject(rows, "split");

		cJSON_AddStringToObject(rows, "rows_sha256",
			in->rb.split.test_sha256);
		cJSON_AddStringToObject(rows, "run_id", in->run->run_id);
		cJSON_AddStringToObject(sp, "method",
			r->split.method == MMP_SPLIT_TIME ? "time" : "random");
		cJSON_AddNumberToObject(sp, "test_size", r->split.test_size);
		cJSON_AddNumberToObject(sp, "seed", (double)r->split.seed);
		cJSON_AddBoolToObject(sp, "stratify", r->split.stratify);
		baseline_overlap(in, rows);
	}
	return 0;
}

static void comparison_head(cJSON *c, const mmp_approval_policy *p,
	const mmp_run *run, const mmp_run *base_run)
{
	cJSON *rec;
	double v = 0;
	int has;

	cJSON_AddStringToObject(c, "metric", p->cmp_metric);
	cJSON_AddStringToObject(c, "direction", p->direction > 0 ?
		"maximize" : "minimize");
	cJSON_AddNumberToObject(c, "min_improvement", p->min_improvement);
	add_num(c, "max_degradation", p->has_max_degradation,
		p->max_degradation);
	cJSON_AddNumberToObject(c, "confidence", p->confidence);
	cJSON_AddNumberToObject(c, "resamples", p->resamples);
	cJSON_AddNumberToObject(c, "seed", (double)p->seed);
	cJSON_AddStringToObject(c, "otherwise", p->otherwise ==
		MMP_DECISION_REJECTED ? "rejected" : "needs_review");
	/* what the runs recorded, for reference: not what is compared */
	rec = cJSON_AddObjectToObject(c, "recorded");
	has = metric_of(run, p->cmp_metric, &v);
	add_num(rec, "value", has, v);
	has = base_run && metric_of(base_run, p->cmp_metric, &v);
	add_num(rec, "baseline", has, v);
}

static int compare(struct verdict *vd, struct inputs *in)
{
	const mmp_approval_policy *p = in->p;
	mmp_bootstrap_options bo = MMP_BOOTSTRAP_OPTIONS_INIT;
	mmp_metric_paired_list pl;
	const mmp_metric_paired *m;
	mmp_buf why = MMP_BUF_INIT;
	long long bv = in->base ? (long long)in->base->version : 0;
	double lo, hi, imp, floor_;
	const char *outcome;
	cJSON *c;
	int err;

	if (!p->cmp_metric) {
		cJSON_AddNullToObject(vd->evidence, "comparison");
		mmp_buf_puts(&vd->reason, in->base ? "every threshold passed; "
			"the policy has no comparison" :
			"every threshold passed");
		vd->decision = MMP_DECISION_APPROVED;
		return 0;
	}
	c = cJSON_AddObjectToObject(vd->evidence, "comparison");
	comparison_head(c, p, in->run, in->base_run);
	if (!in->base) {
		cJSON_AddNullToObject(c, "baseline_version");
		cJSON_AddNullToObject(c, "baseline");
		cJSON_AddNullToObject(c, "improvement");
		cJSON_AddStringToObject(c, "outcome", "no_baseline");
		mmp_buf_puts(&vd->reason, "every threshold passed; no "
			"Production version to compare with");
		vd->decision = MMP_DECISION_APPROVED;
		return 0;
	}
	cJSON_AddNumberToObject(c, "baseline_version", (double)bv);
	cJSON_AddStringToObject(c, "baseline_run_id", in->base->run_id);
	if ((err = pick_rows(in, c, &why)) != 0) {
		if (err > 0) {
			cJSON_AddStringToObject(c, "outcome",
				"not_comparable");
			mmp_buf_printf(&vd->reason, "cannot compare %s with "
				"Production version %lld on the same rows: %s; "
				"give --data with a labelled file, or decide "
				"with --by", p->cmp_metric, bv, why.ptr);
			vd->decision = MMP_DECISION_NEEDS_REVIEW;
			err = 0;
		}
		mmp_buf_dispose(&why);
		return err;
	}
	mmp_buf_dispose(&why);
	bo.resamples = p->resamples;
	bo.confidence = p->confidence;
	bo.seed = p->seed;
	if ((err = mmp_metrics_bootstrap_paired(&pl, in->task, in->nclasses,
			in->a.y, in->a.scores, in->b.scores, in->a.n, &bo)) < 0)
		return err;
	if (!(m = mmp_metric_paired_get(&pl, p->cmp_metric)))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"%s: comparison metric '%s' is not computed for %s "
			"models", p->origin, p->cmp_metric,
			mmp_model_task_name(in->task));
	imp = p->direction > 0 ? m->diff : -m->diff;
	lo = p->direction > 0 ? m->diff_low : -m->diff_high;
	hi = p->direction > 0 ? m->diff_high : -m->diff_low;
	add_num(c, "value", isfinite(m->a), m->a);
	add_num(c, "baseline", isfinite(m->b), m->b);
	add_num(c, "difference", isfinite(m->diff), m->diff);
	add_num(c, "difference_low", isfinite(m->diff_low), m->diff_low);
	add_num(c, "difference_high", isfinite(m->diff_high), m->diff_high);
	add_num(c, "improvement", isfinite(imp), imp);
	add_num(c, "improvement_low", isfinite(lo), lo);
	add_num(c, "improvement_high", isfinite(hi), hi);
	cJSON_AddNumberToObject(c, "valid_samples", m->valid);
	floor_ = p->has_max_degradation ? -p->max_degradation : 0;
	if (!isfinite(lo) || !isfinite(hi) || !isfinite(imp)) {
		outcome = "not_comparable";
		vd->decision = MMP_DECISION_NEEDS_REVIEW;
		mmp_buf_printf(&vd->reason, "cannot compare %s with Production "
			"version %lld: it is undefined on the %zu rows",
			p->cmp_metric, bv, in->a.n);
	} else if (lo > p->min_improvement) {
		outcome = "improved";
		vd->decision = MMP_DECISION_APPROVED;
		mmp_buf_printf(&vd->reason, "%s improves on Production version "
			"%lld by %.4g (%g%% interval %.4g to %.4g over %zu "
			"rows; %.6g vs %.6g), above min_improvement %.6g",
			p->cmp_metric, bv, imp, 100 * p->confidence, lo, hi,
			in->a.n, m->a, m->b, p->min_improvement);
	} else {
		int ok = p->has_max_degradation && lo > floor_;

		outcome = ok ? "within_tolerance" : hi < floor_ ? "degraded" :
			"inconclusive";
		vd->decision = ok ? MMP_DECISION_APPROVED : p->otherwise;
		mmp_buf_printf(&vd->reason, "%s changes by %+.4g against "
			"Production version %lld (%g%% interval %+.4g to %+.4g "
			"over %zu rows; %.6g vs %.6g): ", p->cmp_metric, imp,
			bv, 100 * p->confidence, lo, hi, in->a.n, m->a, m->b);
		if (ok)
			mmp_buf_printf(&vd->reason, "within max_degradation "
				"%.6g", p->max_degradation);
		else if (hi < floor_ && p->has_max_degradation)
			mmp_buf_printf(&vd->reason, "worse beyond "
				"max_degradation %.6g", p->max_degradation);
		else if (hi < floor_)
			mmp_buf_puts(&vd->reason, "worse, and the policy has "
				"no max_degradation");
		else
			mmp_buf_printf(&vd->reason, "no gain shown above "
				"min_improvement %.6g%s", p->min_improvement,
				p->has_max_degradation ? ", nor a change "
				"within max_degradation" : "");
	}
	if (in->seen > 0)
		mmp_buf_printf(&vd->reason, "; %lld of the rows were among "
			"Production version %lld's training rows", in->seen,
			bv);
	cJSON_AddStringToObject(c, "outcome", outcome);
	return 0;
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
	const mmp_approval_policy *p, const mmp_model_version *v,
	const mmp_approve_options *o)
{
	struct inputs in;
	mmp_run *run = NULL, *base_run = NULL;
	mmp_model_version *base = NULL;
	int64_t prod = 0;
	int err;

	memset(&in, 0, sizeof(in));
	in.seen = -1;
	if ((err = mmp_run_get(&run, s, v->run_id)) < 0)
		goto done;
	cJSON_AddStringToObject(vd->evidence, "policy", p->origin);
	cJSON_AddStringToObject(vd->evidence, "run_id", v->run_id);
	check_thresholds(vd, p, run);
	if (vd->decision == MMP_DECISION_REJECTED)
		goto done;
	if ((err = mmp_registry__stage_version(s, v->name,
			MMP_STAGE_PRODUCTION, &prod)) < 0)
		goto done;
	if (prod && prod != v->version) {
		if ((err = mmp_store__reg_version_load(s, v->name, prod,
				mmp_registry__stage_of, &base)) < 0 ||
		    (err = mmp_run_get(&base_run, s, base->run_id)) < 0)
			goto done;
	}
	in.s = s;
	in.o = o;
	in.p = p;
	in.v = v;
	in.base = base;
	in.run = run;
	in.base_run = base_run;
	err = compare(vd, &in);
done:
	inputs_release(&in);
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
		"%s version %lld was already %s by %s at %s (%s); a "
		"conflicting %s decision is refused", v->name,
		(long long)v->version, mmp_decision_name(prev->decision),
		prev->actor, when, prev->reason, mmp_decision_name(now));
}

/* --- what changed since the previous decision --- */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int jnum(const cJSON *o, const char *key, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(it))
		return 0;
	*out = it->valuedouble;
	return 1;
}

static void change(cJSON *arr, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

static void change(cJSON *arr, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(arr, cJSON_CreateString(b.ptr));
	mmp_buf_dispose(&b);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* thresholds whose outcome changed, and new ones */
static void threshold_changes(cJSON *arr, const cJSON *was,
	const cJSON *now)
{
	const cJSON *t, *u;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(now, "thresholds")) {
		const char *m = jstr(t, "metric");
		int pass = cJSON_IsTrue(cJSON_GetObjectItem(t, "passed"));
		int found = 0;

		cJSON_ArrayForEach(u, cJSON_GetObjectItem(was, "thresholds"))
			if (m && same_str(m, jstr(u, "metric"))) {
				found = 1;
				if (pass != cJSON_IsTrue(cJSON_GetObjectItem(u,
						"passed")))
					change(arr, "threshold %s %s now", m,
						pass ? "passes" : "fails");
			}
		if (!found && m)
			change(arr, "threshold %s is new", m);
	}
}

static void comparison_changes(cJSON *arr, const cJSON *was,
	const cJSON *now)
{
	const cJSON *cw = cJSON_GetObjectItem(was, "comparison");
	const cJSON *cn = cJSON_GetObjectItem(now, "comparison");
	const cJSON *rw = cJSON_GetObjectItem(cw, "rows");
	const cJSON *rn = cJSON_GetObjectItem(cn, "rows");
	double a = 0, b = 0;
	int ha, hb;

	if (!cJSON_IsObject(cw) || !cJSON_IsObject(cn)) {
		if (cJSON_IsObject(cw) != cJSON_IsObject(cn))
			change(arr, "the policy %s a comparison now",
				cJSON_IsObject(cn) ? "has" : "has no");
		return;
	}
	ha = jnum(cw, "baseline_version", &a);
	hb = jnum(cn, "baseline_version", &b);
	if (ha != hb || a != b) {
		if (!hb)
			change(arr, "no version is in Production now (it was "
				"version %.0f)", a);
		else if (!ha)
			change(arr, "version %.0f is in Production now (none "
				"was)", b);
		else
			change(arr, "Production is version %.0f now (it was "
				"version %.0f)", b, a);
	}
	if (!same_str(jstr(cw, "metric"), jstr(cn, "metric")))
		change(arr, "the comparison metric is %s now (it was %s)",
			jstr(cn, "metric") ? jstr(cn, "metric") : "none",
			jstr(cw, "metric") ? jstr(cw, "metric") : "none");
	if (cJSON_IsObject(rn) && (!cJSON_IsObject(rw) ||
	    !same_str(jstr(rw, "sha256"), jstr(rn, "sha256")) ||
	    !same_str(jstr(rw, "rows_sha256"), jstr(rn, "rows_sha256"))))
		change(arr, "the models were compared on other rows: %s of "
			"'%s'", same_str(jstr(rn, "source"), "data") ?
			"every row" : "the test rows", jstr(rn, "file"));
	if (!same_str(jstr(cw, "outcome"), jstr(cn, "outcome")))
		change(arr, "the comparison is %s now (it was %s)",
			jstr(cn, "outcome") ? jstr(cn, "outcome") : "none",
			jstr(cw, "outcome") ? jstr(cw, "outcome") : "none");
}

/*
 * Record the earlier decision under "previous" in the evidence, with
 * what differs now when the decision is not the same.
 */
static void explain_previous(cJSON *ev, const mmp_approval *prev,
	mmp_decision now, int manual)
{
	cJSON *pj = cJSON_AddObjectToObject(ev, "previous"), *arr;
	cJSON *was = prev->evidence ? cJSON_Parse(prev->evidence) : NULL;
	char when[32];

	mmp_time_iso8601(when, prev->time);
	cJSON_AddNumberToObject(pj, "id", (double)prev->id);
	cJSON_AddStringToObject(pj, "decision",
		mmp_decision_name(prev->decision));
	cJSON_AddStringToObject(pj, "reason", prev->reason);
	cJSON_AddStringToObject(pj, "actor", prev->actor);
	cJSON_AddBoolToObject(pj, "manual", prev->manual);
	cJSON_AddStringToObject(pj, "time_iso", when);
	cJSON_AddBoolToObject(pj, "same", prev->decision == now);
	arr = cJSON_AddArrayToObject(pj, "changes");
	if (manual)
		change(arr, "a person decides now, over the %s",
			prev->manual ? "earlier person's decision" :
			"policy's decision");
	else if (prev->manual)
		change(arr, "the policy decides now; a person decided before");
	if (!manual && !prev->manual) {
		if (!same_str(jstr(was, "policy"), jstr(ev, "policy")))
			change(arr, "the policy is '%s' now (it was '%s')",
				jstr(ev, "policy"), jstr(was, "policy") ?
				jstr(was, "policy") : "none");
		threshold_changes(arr, was, ev);
		comparison_changes(arr, was, ev);
	}
	if (prev->decision != now && !cJSON_GetArraySize(arr))
		change(arr, "the same inputs gave another decision");
	cJSON_Delete(was);
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
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = mmp_registry_version_get(&v, s, name, version)) < 0)
		goto done;
	if (!manual) {
		p = o->policy;
		if (!p && (err = find_policy(&own, diags, s, o, v)) < 0)
			goto done;
		if (!p)
			p = own;
	}

	vd.evidence = cJSON_CreateObject();
	cJSON_AddBoolToObject(vd.evidence, "manual", manual);
	if (manual) {
		vd.decision = o->manual;
		mmp_buf_printf(&vd.reason, "%s by %s", vd.decision ==
			MMP_DECISION_APPROVED ? "approved" : "rejected",
			actor);
		if (o->notes && *o->notes)
			mmp_buf_printf(&vd.reason, ": %s", o->notes);
	} else if ((err = evaluate(&vd, s, p, v, o)) < 0) {
		/* scoring takes a while: it is done before the registry
		 * is locked, and a failure records nothing */
		goto done;
	}

	if ((err = mmp_store__reg_begin(s)) < 0)
		goto done;
	if ((err = mmp_store__reg_latest_approval(s, name, version,
			&prev)) < 0)
		goto fail;
	if (prev)
		explain_previous(vd.evidence, prev, vd.decision, manual);
	if ((err = check_conflict(v, prev, vd.decision, manual)) < 0)
		goto fail;
	json = mmp_json_print(vd.evidence, 0);
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
		free(json);
	cJSON_Delete(vd.evidence);
	mmp_buf_dispose(&vd.reason);
	mmp_approval_free(a);
	mmp_approval_free(prev);
	mmp_model_version_free(v);
	mmp_approval_policy_free(own);
	return err;
}
