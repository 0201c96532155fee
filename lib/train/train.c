/* SPDX-License-Identifier: MIT */
/* train.c: mmp train: recipe -> data -> split -> XGBoost -> evaluation ->
 * artifacts, all recorded as one run */
#include <errno.h>
#include <dirent.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmp/data.h"
#include "mmp/gitinfo.h"
#include "mmp/model.h"
#include "mmp/monitor.h"
#include "mmp/recipe.h"
#include "mmp/store.h"
#include "mmp/train.h"
#include "mmp/version.h"
#include "model/model-internal.h"
#include "util/util.h"
#include "dataset.h"
#include "run-params.h"
#include "split.h"
#include "tune/tune-internal.h"

/* everything one training run holds; freed by job_release() */
struct job {
	const mmp_train_options *o;
	mmp_train_result *out;
	mmp_store *store;
	const mmp_recipe *recipe;
	const char *location;     /* the data, credentials and all */
	mmp_csv_header *header;
	mmp_source_info source;   /* what the load learned of its source */
	char rows_digest[65];     /* mmp_frame_rows_digest() of the data */
	mmp_frame *frame;
	float *x;              /* test rows, validation rows, train rows */
	float *y;              /* the same order */
	mmp_split split;
	mmp_model_schema *schema;
	mmp_profile *profile;  /* training rows' features, test predictions */
	mmp_model *model;
	mmp_model_train_result tr;
	mmp_buf tmp_dir;
	double t0, last_heartbeat;
	int stopped;
};

static int emit(struct job *j, const mmp_train_event *e)
{
	if (j->o->progress && j->o->progress(e, j->o->payload)) {
		j->stopped = 1;
		return mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_INVALID,
			"training was interrupted");
	}
	return 0;
}

static int emit_stage(struct job *j, mmp_train_stage stage)
{
	mmp_train_event e = { .stage = stage };

	e.elapsed = mmp_time_mono() - j->t0;
	return emit(j, &e);
}

static const char *user_name(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u && *u)
		return u;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

/* ---- tags: who, where from, which source ---- */

static int record_tags(struct job *j)
{
	const mmp_recipe *r = j->recipe;
	mmp_gitinfo git;
	mmp_kv tags[24];
	char seed[32], ver[32];
	size_t n = 0;
	int err, has_git;
	size_t i;
	mmp_buf sets = MMP_BUF_INIT;

	snprintf(seed, sizeof(seed), "%lld", (long long)r->split.seed);
	tags[n++] = (mmp_kv){ "mlflow.runName", j->out->run_name };
	tags[n++] = (mmp_kv){ "mlflow.user", user_name() };
	tags[n++] = (mmp_kv){ "mlflow.source.name", r->path };
	tags[n++] = (mmp_kv){ "mlflow.source.type", "LOCAL" };
	tags[n++] = (mmp_kv){ "mmp.recipe.path", r->path };
	tags[n++] = (mmp_kv){ "mmp.recipe.name", r->name };
	tags[n++] = (mmp_kv){ "mmp.recipe.sha256", r->sha256 };
	tags[n++] = (mmp_kv){ "mmp.task", mmp_task_name(r->task) };
	tags[n++] = (mmp_kv){ "mmp.version", mmp_version() };
	tags[n++] = (mmp_kv){ "mmp.seed", seed };
	/* only XGBoost's version: the others would be opened for it */
	if (mmp_model__xgb_version(ver, sizeof(ver)) == 0)
		tags[n++] = (mmp_kv){ "mmp.xgboost.version", ver };
	else
		mmp_error_clear();
	/* the --set overrides, so that the recipe the run used can be
	 * rebuilt from its snapshot (see rebuild.c) */
	if (j->o->noverrides) {
		mmp_buf_putc(&sets, '[');
		for (i = 0; i < j->o->noverrides; i++) {
			mmp_buf_puts(&sets, i ? "," : "");
			mmp_buf_put_json_string(&sets, j->o->overrides[i]);
		}
		mmp_buf_putc(&sets, ']');
		tags[n++] = (mmp_kv){ "mmp.recipe.overrides", sets.ptr };
	}

	err = mmp_gitinfo_read(&git, r->path);
	has_git = err == 0;
	if (err == MMP_ENOTFOUND)
		err = 0;
	mmp_error_clear();
	if (err < 0) {
		mmp_buf_dispose(&sets);
		return err;
	}
	if (has_git) {
		if (git.commit[0])
			tags[n++] = (mmp_kv){ "mlflow.source.git.commit",
				git.commit };
		if (git.branch)
			tags[n++] = (mmp_kv){ "mlflow.source.git.branch",
				git.branch };
		if (git.repo_url)
			tags[n++] = (mmp_kv){ "mlflow.source.git.repoURL",
				git.repo_url };
		tags[n++] = (mmp_kv){ "mmp.git.dirty",
			git.dirty ? "true" : "false" };
		if (git.dirty)
			tags[n++] = (mmp_kv){ "mmp.git.diff_sha256",
				git.diff_sha256 };
	}
	err = mmp_run_set_tags(j->store, j->out->run_id, tags, n);
	if (has_git)
		mmp_gitinfo_release(&git);
	mmp_buf_dispose(&sets);
	return err;
}

/* ---- data ---- */

/* LOAD events as the data is parsed, with the bytes read */
static void on_load(uint64_t done, uint64_t total, void *payload)
{
	struct job *j = payload;
	mmp_train_event e = { .stage = MMP_TRAIN_LOAD };

	if (j->stopped || !j->o->progress)
		return;
	e.bytes_done = done;
	e.bytes_total = total;
	e.elapsed = mmp_time_mono() - j->t0;
	if (j->o->progress(&e, j->o->payload))
		j->stopped = 1;   /* the load finishes; the run stops after it */
}

static int load_data(struct job *j)
{
	int err = mmp_train__load_data_progress(&j->frame, &j->header,
		&j->source, j->recipe, j->location,
		j->o->nthread > 0 ? (unsigned int)j->o->nthread : 0,
		on_load, j);

	if (!err && j->stopped)
		err = mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_INVALID,
			"training was interrupted");
	return err;
}

static int check_classes(struct job *j)
{
	const mmp_category_table *t = mmp_frame_classes(j->frame);
	size_t k = t ? mmp_category_table_count(t) : 0, i;
	mmp_buf list = MMP_BUF_INIT;
	int err = 0;

	if (j->recipe->task == MMP_TASK_REGRESSION)
		return 0;
	for (i = 0; i < k && i < 8; i++)
		mmp_buf_printf(&list, "%s'%s'", i ? ", " : "",
			mmp_category_table_string(t, i));
	if (k > 8)
		mmp_buf_puts(&list, ", ...");
	if (j->recipe->task == MMP_TASK_BINARY && k != 2)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: binary_classification needs 2 classes in column "
			"'%s', found %zu: %s", j->out->data_path,
			j->recipe->data.target_column, k, list.ptr);
	else if (j->recipe->task == MMP_TASK_MULTICLASS && k < 2)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: multiclass_classification needs at least 2 "
			"classes in column '%s', found %zu", j->out->data_path,
			j->recipe->data.target_column, k);
	mmp_buf_dispose(&list);
	return err;
}

static void add_warning(struct job *j, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

static void add_warning(struct job *j, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	j->out->warnings = mmp__realloc(j->out->warnings,
		(j->out->nwarnings + 1) * sizeof(char *));
	j->out->warnings[j->out->nwarnings++] = mmp_buf_detach(&b);
	mmp_buf_dispose(&b);
}

/* fewer rows than this in a set make its numbers mostly noise */
#define MIN_SET_ROWS 20

static void check_set(struct job *j, const char *what, const size_t *idx,
	size_t n)
{
	const float *y = mmp_frame_target(j->frame);
	size_t k = j->out->nclasses, i, c, seen = 0;
	unsigned char *has;

	if (n < MIN_SET_ROWS)
		add_warning(j, "the %s set has only %zu rows; its metrics "
			"are mostly noise (use more data, or set "
			"evaluation.cv_folds)", what, n);
	if (j->recipe->task == MMP_TASK_REGRESSION || k < 2)
		return;
	has = mmp__calloc(k, 1);
	for (i = 0; i < n; i++)
		has[(size_t)y[idx[i]]] = 1;
	for (c = 0; c < k; c++)
		seen += has[c];
	for (c = 0; c < k && seen < k; c++)
		if (!has[c]) {
			add_warning(j, "the %s set has no row of class '%s'; "
				"metrics that need every class are undefined",
				what, j->out->classes[c]);
			break;
		}
	free(has);
}

static int do_split(struct job *j)
{
	int err = mmp_split_rows(&j->split, j->recipe, j->frame);

	if (err < 0)
		return err;
	check_set(j, "train", j->split.train, j->split.ntrain);
	check_set(j, "validation", j->split.valid, j->split.nvalid);
	check_set(j, "test", j->split.test, j->split.ntest);
	return 0;
}

/*
 * Order the rows test, validation, train, in place: only the test and
 * validation rows are copied aside. Once XGBoost has built its
 * matrices, the training rows are cut off (shrink_inputs()) unless a
 * refit or cross-validation needs them again, so the peak stays near
 * one feature matrix plus XGBoost's own copy.
 */
static void partition(struct job *j)
{
	size_t nf = j->out->nfeatures, i, row = sizeof(float) * nf;
	size_t ntest = j->split.ntest, nvalid = j->split.nvalid;
	size_t ntrain = j->split.ntrain, head = ntest + nvalid;
	const float *yt = mmp_frame_target(j->frame);
	float *hold, *x = j->x;

	j->y = mmp__calloc(ntrain + head, sizeof(float));
	hold = mmp__calloc(head ? head * nf : 1, sizeof(float));
	for (i = 0; i < ntest; i++) {
		memcpy(hold + i * nf, x + j->split.test[i] * nf, row);
		j->y[i] = yt[j->split.test[i]];
	}
	for (i = 0; i < nvalid; i++) {
		memcpy(hold + (ntest + i) * nf, x + j->split.valid[i] * nf,
			row);
		j->y[ntest + i] = yt[j->split.valid[i]];
	}
	/* the train list ascends, so moving rows towards the end from the
	 * last one never overwrites a row still to be moved */
	for (i = ntrain; i-- > 0;) {
		if (j->split.train[i] != head + i)
			memmove(x + (head + i) * nf,
				x + j->split.train[i] * nf, row);
		j->y[head + i] = yt[j->split.train[i]];
	}
	memcpy(x, hold, head * row);
	free(hold);
}

/* XGBoost has its copy: keep only the test rows, for evaluation */
static void shrink_inputs(void *payload)
{
	struct job *j = payload;
	size_t keep = j->split.ntest ? j->split.ntest : 1;

	j->x = mmp__realloc(j->x, keep * j->out->nfeatures * sizeof(float));
	j->y = mmp__realloc(j->y, keep * sizeof(float));
}

static mmp_column_type column_type(struct job *j, const char *name)
{
	long c = mmp_csv_header_find(j->header, name);

	switch (c < 0 ? MMP_CSV_TYPE_NUMBER
		: mmp_csv_header_type(j->header, (size_t)c)) {
	case MMP_CSV_TYPE_INTEGER:
		return MMP_COLUMN_LONG;
	case MMP_CSV_TYPE_STRING:
		return MMP_COLUMN_STRING;
	default:
		return MMP_COLUMN_DOUBLE;
	}
}

/* whether feature `col` of the loaded rows has a missing value */
static int has_missing(const mmp_frame *f, size_t col)
{
	const float *x = mmp_frame_features(f);
	size_t n = mmp_frame_nrows(f), k = mmp_frame_nfeatures(f), i;

	for (i = 0; x && i < n; i++)
		if (isnan(x[i * k + col]))
			return 1;
	return 0;
}

static int build_schema(struct job *j)
{
	const mmp_frame *f = j->frame;
	const mmp_category_table *t;
	size_t i, c;
	int err;

	err = mmp_model_schema_new(&j->schema, j->recipe->task,
		j->recipe->data.target_column);
	for (i = 0; !err && i < j->out->nfeatures; i++) {
		const char **cats = NULL;
		size_t ncats = 0;
		mmp_feature_kind kind = mmp_frame_feature_kind(f, i);
		mmp_column_type type;

		if (kind == MMP_FEATURE_CATEGORICAL) {
			t = mmp_frame_categories(f, i);
			ncats = mmp_category_table_count(t);
			cats = mmp__calloc(ncats ? ncats : 1, sizeof(*cats));
			for (c = 0; c < ncats; c++)
				cats[c] = mmp_category_table_string(t, c);
			type = MMP_COLUMN_STRING;
		} else {
			type = column_type(j, mmp_frame_feature_name(f, i));
			/* pandas reads integers with gaps as float64, and
			 * MLflow will not take those for a "long" column */
			if (type == MMP_COLUMN_LONG && has_missing(f, i))
				type = MMP_COLUMN_DOUBLE;
		}
		err = mmp_model_schema_add_feature(j->schema,
			mmp_frame_feature_name(f, i), kind, type, cats, ncats);
		free(cats);
	}
	for (i = 0; !err && i < j->out->nclasses; i++)
		err = mmp_model_schema_add_class(j->schema, j->out->classes[i]);
	for (i = 0; !err && i < mmp_frame_nentities(f); i++)
		err = mmp_model_schema_add_entity(j->schema,
			mmp_frame_entity_name(f, i));
	return err;
}

/* ---- params ---- */

static int record_params(struct job *j, const mmp_model_param *p, size_t np)
{
	const mmp_recipe *r = j->recipe;
	mmp_kv *kv = mmp__calloc(np + 24, sizeof(*kv));
	char rounds[32], esr[32], ts[32], vs[32], seed[32], boot[32];
	char cv[32], ntr[32], nva[32], nte[32];
	mmp_buf joined = MMP_BUF_INIT;
	size_t n;
	int err;

	n = mmp_train__run_params(kv, &joined, p, np);
	snprintf(rounds, sizeof(rounds), "%lld",
		(long long)r->model.num_boost_round);
	snprintf(esr, sizeof(esr), "%lld",
		(long long)r->model.early_stopping_rounds);
	mmp_fmt_double(ts, r->split.test_size);
	mmp_fmt_double(vs, r->split.validation_size);
	snprintf(seed, sizeof(seed), "%lld", (long long)r->split.seed);
	snprintf(boot, sizeof(boot), "%lld",
		(long long)r->evaluation.bootstrap);
	snprintf(cv, sizeof(cv), "%lld", (long long)r->evaluation.cv_folds);
	snprintf(ntr, sizeof(ntr), "%zu", j->split.ntrain);
	snprintf(nva, sizeof(nva), "%zu", j->split.nvalid);
	snprintf(nte, sizeof(nte), "%zu", j->split.ntest);
	kv[n++] = (mmp_kv){ "num_boost_round", rounds };
	kv[n++] = (mmp_kv){ "early_stopping_rounds", esr };
	kv[n++] = (mmp_kv){ "split.method",
		r->split.method == MMP_SPLIT_TIME ? "time" : "random" };
	kv[n++] = (mmp_kv){ "split.test_size", ts };
	kv[n++] = (mmp_kv){ "split.validation_size", vs };
	kv[n++] = (mmp_kv){ "split.seed", seed };
	if (r->task != MMP_TASK_REGRESSION)
		kv[n++] = (mmp_kv){ "split.stratify",
			r->split.stratify ? "true" : "false" };
	if (r->task == MMP_TASK_BINARY && j->out->nclasses == 2)
		kv[n++] = (mmp_kv){ "data.positive_class", j->out->classes[1] };
	if (r->split.method == MMP_SPLIT_TIME)
		kv[n++] = (mmp_kv){ "split.timestamp_column",
			r->data.timestamp_column };
	kv[n++] = (mmp_kv){ "split.train_rows", ntr };
	kv[n++] = (mmp_kv){ "split.validation_rows", nva };
	kv[n++] = (mmp_kv){ "split.test_rows", nte };
	kv[n++] = (mmp_kv){ "split.train_sha256", j->split.train_sha256 };
	kv[n++] = (mmp_kv){ "split.validation_sha256",
		j->split.valid_sha256 };
	kv[n++] = (mmp_kv){ "split.test_sha256", j->split.test_sha256 };
	kv[n++] = (mmp_kv){ "model.refit", r->model.refit ? "true" : "false" };
	kv[n++] = (mmp_kv){ "evaluation.bootstrap", boot };
	kv[n++] = (mmp_kv){ "evaluation.cv_folds", cv };
	err = mmp_run_log_params(j->store, j->out->run_id, kv, n);
	mmp_buf_dispose(&joined);
	free(kv);
	return err;
}

/* the recipe's params, plus seed, num_class when the recipe has none */
static mmp_model_param *model_params(struct job *j, size_t *np,
	char *seed, size_t seedsz, char *ncls, size_t nclssz)
{
	const mmp_recipe *r = j->recipe;
	mmp_model_param *p = mmp__calloc(r->model.n_params + 2, sizeof(*p));
	size_t n = 0, i;

	for (i = 0; i < r->model.n_params; i++)
		p[n++] = (mmp_model_param){ r->model.params[i].key,
			r->model.params[i].value };
	if (!mmp_recipe_param_get(r, "seed") &&
	    !mmp_recipe_param_get(r, "random_state")) {
		snprintf(seed, seedsz, "%lld", (long long)r->split.seed);
		p[n++] = (mmp_model_param){ "seed", seed };
	}
	if (r->task == MMP_TASK_MULTICLASS &&
	    !mmp_recipe_param_get(r, "num_class")) {
		snprintf(ncls, nclssz, "%zu", j->out->nclasses);
		p[n++] = (mmp_model_param){ "num_class", ncls };
	}
	*np = n;
	return p;
}

static int on_round(const mmp_model_progress *p, void *payload)
{
	struct job *j = payload;
	mmp_train_event e = { .stage = MMP_TRAIN_BOOST };
	double now = mmp_time_mono();

	if (now - j->last_heartbeat > 5.0) {
		j->last_heartbeat = now;
		mmp_run_heartbeat(j->store, j->out->run_id);
		mmp_error_clear();
	}
	e.round = p->round;
	e.num_boost_round = p->num_boost_round;
	e.metric = p->metric;
	e.train_value = p->train_value;
	e.valid_value = p->valid_value;
	e.best_iteration = p->best_iteration;
	e.elapsed = p->elapsed;
	return emit(j, &e) < 0;
}

static void gather(float *ox, float *oy, const float *x, const float *y,
	const size_t *idx, size_t n, size_t nf)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(ox + i * nf, x + idx[i] * nf, nf * sizeof(float));
		oy[i] = y[idx[i]];
	}
}

/*
 * evaluation.cv_folds: k folds of train+validation, each trained for
 * the rounds chosen on validation (no early stopping, so no fold
 * chooses anything) and scored on its held-out fold. Each recipe
 * metric's fold values are recorded as "cv_<metric>" (step = fold),
 * with "cv_<metric>_mean" and "cv_<metric>_std".
 */
static int cross_validate(struct job *j, mmp_model_train_options *mo)
{
	const mmp_recipe *r = j->recipe;
	mmp_train_result *o = j->out;
	size_t k = (size_t)r->evaluation.cv_folds, nf = o->nfeatures;
	size_t m = j->split.nvalid + j->split.ntrain, nm, i, f, c;
	size_t per = r->task == MMP_TASK_MULTICLASS ? o->nclasses : 1;
	const float *x = j->x + j->split.ntest * nf;
	const float *y = j->y + j->split.ntest;
	int stratified = r->task != MMP_TASK_REGRESSION && r->split.stratify;
	int *fold = NULL;
	size_t *ti = NULL, *vi = NULL;
	float *tx = NULL, *ty = NULL, *vx = NULL, *vy = NULL, *sc = NULL;
	double *vals = NULL;
	const char **names = NULL;
	mmp_run_metric *rows = NULL;
	mmp_buf *keys = NULL;
	int64_t now = mmp_time_ms();
	size_t nrows = 0, nkeys = 0;
	int err = 0;

	if (m < k)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%zu train and validation rows cannot make %zu folds "
			"(evaluation.cv_folds)", m, k);
	if (r->split.method == MMP_SPLIT_TIME)
		add_warning(j, "evaluation.cv_folds deals the train and "
			"validation rows into folds at random, not by time: "
			"each fold's model learns from rows later than some it "
			"is scored on, so the cv_ figures can be better than a "
			"time split's");
	nm = r->evaluation.n_metrics;
	fold = mmp__calloc(m, sizeof(*fold));
	ti = mmp__calloc(m, sizeof(*ti));
	vi = mmp__calloc(m, sizeof(*vi));
	tx = mmp__calloc(m * nf, sizeof(float));
	ty = mmp__calloc(m, sizeof(float));
	vx = mmp__calloc(m * nf, sizeof(float));
	vy = mmp__calloc(m, sizeof(float));
	sc = mmp__calloc(m * per, sizeof(float));
	vals = mmp__calloc(k * (nm ? nm : 1), sizeof(double));
	names = mmp__calloc(nm ? nm : 1, sizeof(*names));
	mmp_tune__folds(fold, m, (int)k, stratified ? y : NULL,
		stratified ? o->nclasses : 0,
		mmp_rng_derive((uint64_t)r->split.seed, 3));
	mo->valid_x = NULL;
	mo->valid_y = NULL;
	mo->valid_rows = 0;
	mo->early_stopping_rounds = 0;
	mo->num_boost_round = o->best_iteration + 1;
	mo->inputs_built = NULL;
	mo->progress = NULL;
	for (f = 0; !err && f < k; f++) {
		mmp_model_train_result fr = MMP_MODEL_TRAIN_RESULT_INIT;
		mmp_model *model = NULL;
		mmp_metric_list l;
		size_t nt = 0, nv = 0;

		for (i = 0; i < m; i++) {
			if ((size_t)fold[i] == f)
				vi[nv++] = i;
			else
				ti[nt++] = i;
		}
		gather(tx, ty, x, y, ti, nt, nf);
		gather(vx, vy, x, y, vi, nv, nf);
		mo->train_x = tx;
		mo->train_y = ty;
		mo->train_rows = nt;
		err = mmp_model_train(&model, mo, &fr);
		if (!err)
			err = mmp_model_predict_scores(model, vx, nv, nf, sc);
		if (!err)
			err = mmp_metrics_compute(&l, r->task, o->nclasses, vy,
				sc, nv);
		for (i = 0; !err && i < nm; i++) {
			for (c = 0; c < l.count && strcmp(l.items[c].name,
					r->evaluation.metrics[i]); c++)
				;
			if (c == l.count) {
				err = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_MODEL, "metric '%s' is not "
					"computed for %s",
					r->evaluation.metrics[i],
					mmp_task_name(r->task));
				break;
			}
			/* the list's names are static, the recipe's not */
			names[i] = l.items[c].name;
			vals[f * nm + i] = l.items[c].value;
		}
		mmp_model_free(model);
		mmp_model_train_result_release(&fr);
		if (!err && emit_stage(j, MMP_TRAIN_EVALUATE) < 0)
			err = MMP_EINTERRUPTED;
	}
	if (err)
		goto done;

	o->cv_folds = (int)k;
	o->cv_rounds = o->best_iteration + 1;
	rows = mmp__calloc(nm * (k + 2), sizeof(*rows));
	keys = mmp__calloc(3 * nm, sizeof(*keys));
	for (i = 0; i < nm; i++) {
		const char *name = names[i];
		double mean = 0, var = 0;

		for (f = 0; f < k; f++)
			mean += vals[f * nm + i];
		mean /= (double)k;
		for (f = 0; f < k; f++)
			var += (vals[f * nm + i] - mean) *
				(vals[f * nm + i] - mean);
		o->cv_mean.items[o->cv_mean.count++] =
			(mmp_metric){ name, mean };
		o->cv_std.items[o->cv_std.count++] =
			(mmp_metric){ name, sqrt(var / (double)k) };
		mmp_buf_init(&keys[nkeys], 0);
		mmp_buf_printf(&keys[nkeys], "cv_%s", name);
		for (f = 0; f < k; f++)
			rows[nrows++] = (mmp_run_metric){ keys[nkeys].ptr,
				vals[f * nm + i], (int64_t)f, now };
		nkeys++;
		mmp_buf_init(&keys[nkeys], 0);
		mmp_buf_printf(&keys[nkeys], "cv_%s_mean", name);
		rows[nrows++] = (mmp_run_metric){ keys[nkeys++].ptr, mean, 0,
			now };
		mmp_buf_init(&keys[nkeys], 0);
		mmp_buf_printf(&keys[nkeys], "cv_%s_std", name);
		rows[nrows++] = (mmp_run_metric){ keys[nkeys++].ptr,
			sqrt(var / (double)k), 0, now };
	}
	err = mmp_run_log_metrics(j->store, o->run_id, rows, nrows);
done:
	while (nkeys)
		mmp_buf_dispose(&keys[--nkeys]);
	free(keys);
	free(rows);
	free(fold);
	free(ti);
	free(vi);
	free(tx);
	free(ty);
	free(vx);
	free(vy);
	free(sc);
	free(vals);
	free(names);
	return err;
}

static int train_model(struct job *j)
{
	const mmp_recipe *r = j->recipe;
	mmp_model_train_options mo = MMP_MODEL_TRAIN_OPTIONS_INIT;
	const char **names;
	mmp_feature_kind *kinds;
	mmp_model_param *params;
	char seed[32], ncls[32];
	size_t np, nf = j->out->nfeatures, i, head;
	int err;

	params = model_params(j, &np, seed, sizeof(seed), ncls, sizeof(ncls));
	if ((err = record_params(j, params, np)) < 0) {
		free(params);
		return err;
	}
	names = mmp__calloc(nf, sizeof(*names));
	kinds = mmp__calloc(nf, sizeof(*kinds));
	for (i = 0; i < nf; i++) {
		names[i] = mmp_frame_feature_name(j->frame, i);
		kinds[i] = mmp_frame_feature_kind(j->frame, i);
	}
	mo.task = r->task;
	mo.num_class = r->task == MMP_TASK_MULTICLASS ? j->out->nclasses : 0;
	head = j->split.ntest + j->split.nvalid;
	mo.train_x = j->x + head * nf;
	mo.train_y = j->y + head;
	mo.train_rows = j->split.ntrain;
	mo.valid_x = j->x + j->split.ntest * nf;
	mo.valid_y = j->y + j->split.ntest;
	mo.valid_rows = j->split.nvalid;
	if (!r->model.refit && !r->evaluation.cv_folds)
		mo.inputs_built = shrink_inputs;
	mo.ncols = nf;
	mo.feature_names = names;
	mo.feature_kinds = kinds;
	mo.params = params;
	mo.nparams = np;
	mo.num_boost_round = (int)r->model.num_boost_round;
	mo.early_stopping_rounds = (int)r->model.early_stopping_rounds;
	mo.nthread = j->o->nthread;
	mo.schema = j->schema;
	mo.progress = on_round;
	mo.payload = j;
	err = mmp_model_train(&j->model, &mo, &j->tr);
	if (!err) {
		j->out->nrounds = j->tr.nrounds;
		j->out->best_iteration = j->tr.best_iteration;
		j->out->stopped_early = j->tr.stopped_early;
	}
	if (!err && r->model.refit) {
		/* the rounds chosen on validation, now on train+validation,
		 * with nothing left to stop on */
		mmp_model_train_result rr = MMP_MODEL_TRAIN_RESULT_INIT;
		mmp_model *refit = NULL;

		mo.train_x = j->x + j->split.ntest * nf;
		mo.train_y = j->y + j->split.ntest;
		mo.train_rows = j->split.nvalid + j->split.ntrain;
		mo.valid_x = NULL;
		mo.valid_y = NULL;
		mo.valid_rows = 0;
		mo.early_stopping_rounds = 0;
		mo.num_boost_round = j->tr.best_iteration + 1;
		mo.inputs_built = NULL;
		err = mmp_model_train(&refit, &mo, &rr);
		if (!err) {
			mmp_model_free(j->model);
			j->model = refit;
			j->out->refit = 1;
			j->out->refit_rounds = rr.nrounds;
		}
		mmp_model_train_result_release(&rr);
	}
	if (!err && r->evaluation.cv_folds)
		err = cross_validate(j, &mo);
	if (err == MMP_EINTERRUPTED)
		j->stopped = 1;
	free(names);
	free(kinds);
	free(params);
	return err < 0 ? err : 0;
}

/* per-round history as metrics "train-<m>" and "valid-<m>", step = round */
static int record_history(struct job *j)
{
	size_t per = 2 * j->tr.nmetrics, n = 0, m;
	mmp_run_metric *rows;
	mmp_buf *keys;
	int64_t now = mmp_time_ms();
	int round, err;

	if (!per || !j->tr.nrounds)
		return 0;
	rows = mmp__calloc(per * (size_t)j->tr.nrounds, sizeof(*rows));
	keys = mmp__calloc(per, sizeof(*keys));
	for (m = 0; m < j->tr.nmetrics; m++) {
		mmp_buf_init(&keys[2 * m], 0);
		mmp_buf_init(&keys[2 * m + 1], 0);
		mmp_buf_printf(&keys[2 * m], "train-%s", j->tr.metrics[m].name);
		mmp_buf_printf(&keys[2 * m + 1], "valid-%s",
			j->tr.metrics[m].name);
	}
	for (round = 0; round < j->tr.nrounds; round++)
		for (m = 0; m < j->tr.nmetrics; m++) {
			rows[n++] = (mmp_run_metric){ keys[2 * m].ptr,
				j->tr.metrics[m].train[round], round, now };
			if (j->split.nvalid)
				rows[n++] = (mmp_run_metric){ keys[2 * m + 1].ptr,
					j->tr.metrics[m].valid[round], round,
					now };
		}
	err = mmp_run_log_metrics(j->store, j->out->run_id, rows, n);
	for (m = 0; m < per; m++)
		mmp_buf_dispose(&keys[m]);
	free(keys);
	free(rows);
	return err;
}

/* ---- evaluation ---- */

/* the metrics of one evaluation as rows for the store, with their
 * interval ends under "<metric>_ci_low" and "<metric>_ci_high" */
struct metric_rows {
	mmp_run_metric rows[3 * MMP_METRICS_MAX + 4];
	mmp_buf keys[2 * MMP_METRICS_MAX];
	size_t n, nkeys;
	int64_t now;
};

static void add_row(struct metric_rows *m, const char *name,
	const char *suffix, double v)
{
	const char *key = name;

	if (suffix) {
		mmp_buf_init(&m->keys[m->nkeys], 0);
		mmp_buf_printf(&m->keys[m->nkeys], "%s%s", name, suffix);
		key = m->keys[m->nkeys++].ptr;
	}
	m->rows[m->n++] = (mmp_run_metric){ key, v, 0, m->now };
}

/* report computed metric c (and its interval) */
static void keep_metric(struct job *j, struct metric_rows *m,
	const mmp_metric_list *all, const mmp_metric_ci_list *ci, size_t c)
{
	mmp_train_result *o = j->out;

	if (o->metrics.count >= MMP_METRICS_MAX)
		return;
	o->metrics.items[o->metrics.count++] = all->items[c];
	add_row(m, all->items[c].name, NULL, all->items[c].value);
	if (!ci->count)
		return;
	o->ci.items[o->ci.count++] = ci->items[c];
	add_row(m, ci->items[c].name, "_ci_low", ci->items[c].low);
	add_row(m, ci->items[c].name, "_ci_high", ci->items[c].high);
}

static int evaluate(struct job *j)
{
	const mmp_recipe *r = j->recipe;
	size_t nf = j->out->nfeatures, k = j->out->nclasses, i;
	size_t per = r->task == MMP_TASK_MULTICLASS ? k : 1;
	const float *tx = j->x;
	const float *ty = j->y;
	mmp_metric_list all;
	mmp_metric_ci_list ci;
	mmp_bootstrap_options bo = MMP_BOOTSTRAP_OPTIONS_INIT;
	struct metric_rows *m = mmp__calloc(1, sizeof(*m));
	float *scores;
	int err;

	m->now = mmp_time_ms();
	/* one prediction of the test rows serves the metrics, their
	 * intervals and the matrix */
	scores = mmp__calloc(j->split.ntest * per, sizeof(float));
	err = mmp_model_predict_scores(j->model, tx, j->split.ntest, nf,
		scores);
	if (!err)
		err = mmp_metrics_compute(&all, r->task, k, ty, scores,
			j->split.ntest);
	memset(&ci, 0, sizeof(ci));
	if (!err && r->evaluation.bootstrap > 0) {
		bo.resamples = (unsigned int)r->evaluation.bootstrap;
		bo.seed = mmp_rng_derive((uint64_t)r->split.seed, 2);
		err = mmp_metrics_bootstrap(&ci, r->task, k, ty, scores,
			j->split.ntest, &bo);
	}
	if (!err && k >= 2) {
		j->out->confusion = mmp__calloc(k * k, sizeof(uint64_t));
		err = mmp_confusion_matrix(j->out->confusion, k, r->task, ty,
			scores, j->split.ntest);
	}
	/* the reference predictions are held-out ones: on the rows a model
	 * learnt from they are sharper than on any new rows */
	if (!err && j->split.ntest)
		err = mmp_profile_set_predictions(j->profile, j->schema, scores,
			j->split.ntest, per);
	free(scores);
	if (err < 0)
		goto done;

	/* keep the metrics the recipe asks for, in its order */
	j->out->metrics.count = 0;
	for (i = 0; i < r->evaluation.n_metrics; i++) {
		const char *name = r->evaluation.metrics[i];
		size_t c;

		/* the computed list's names are static; the recipe's are not
		 * kept past this call */
		for (c = 0; c < all.count && strcmp(all.items[c].name, name);
		     c++)
			;
		if (c == all.count) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"metric '%s' is not computed for %s", name,
				mmp_task_name(r->task));
			goto done;
		}
		keep_metric(j, m, &all, &ci, c);
		if (strcmp(name, "logloss") || r->task != MMP_TASK_MULTICLASS)
			continue;
		/* and its share from each class, by class code */
		for (c = 0; c < all.count; c++)
			if (!strncmp(all.items[c].name, "logloss_class_", 14))
				keep_metric(j, m, &all, &ci, c);
	}
	j->out->ci.resamples = ci.resamples;
	j->out->ci.confidence = ci.confidence;
	add_row(m, "best_iteration", NULL, (double)j->out->best_iteration);
	add_row(m, "stopped_round", NULL, (double)j->out->nrounds);
	if (j->out->refit)
		add_row(m, "refit_rounds", NULL, (double)j->out->refit_rounds);
	if ((err = mmp_run_log_metrics(j->store, j->out->run_id, m->rows,
			m->n)) < 0)
		goto done;
	j->out->importance = mmp__calloc(nf ? nf : 1, sizeof(double));
	err = mmp_model_importance(j->out->importance, nf, j->model);
done:
	while (m->nkeys)
		mmp_buf_dispose(&m->keys[--m->nkeys]);
	free(m);
	return err;
}

/* ---- artifacts ---- */

static void json_num(mmp_buf *b, double v)
{
	char s[32];

	if (!isfinite(v)) {
		mmp_buf_puts(b, "null");
		return;
	}
	mmp_fmt_double(s, v);
	mmp_buf_puts(b, s);
}

static int write_json(const char *dir, const char *name, mmp_buf *b)
{
	mmp_buf path = MMP_BUF_INIT;
	int err;

	mmp_buf_putc(b, '\n');
	mmp_path_join(&path, dir, name);
	err = mmp_file_write_atomic(path.ptr, b->ptr, b->size);
	mmp_buf_dispose(&path);
	return err;
}

static int write_reports(struct job *j, const char *dir)
{
	mmp_train_result *o = j->out;
	mmp_buf b = MMP_BUF_INIT;
	size_t i, c;
	int err;

	mmp_buf_puts(&b, "{\"metrics\":{");
	for (i = 0; i < o->metrics.count; i++) {
		mmp_buf_puts(&b, i ? "," : "");
		mmp_buf_put_json_string(&b, o->metrics.items[i].name);
		mmp_buf_putc(&b, ':');
		json_num(&b, o->metrics.items[i].value);
	}
	mmp_buf_puts(&b, "}");
	if (o->ci.count) {
		mmp_buf_printf(&b, ",\"bootstrap\":{\"resamples\":%u,"
			"\"confidence\":", o->ci.resamples);
		json_num(&b, o->ci.confidence);
		mmp_buf_puts(&b, ",\"intervals\":{");
		for (i = 0; i < o->ci.count; i++) {
			mmp_buf_puts(&b, i ? "," : "");
			mmp_buf_put_json_string(&b, o->ci.items[i].name);
			mmp_buf_puts(&b, ":[");
			json_num(&b, o->ci.items[i].low);
			mmp_buf_putc(&b, ',');
			json_num(&b, o->ci.items[i].high);
			mmp_buf_putc(&b, ']');
		}
		mmp_buf_puts(&b, "}}");
	}
	mmp_buf_printf(&b, ",\"best_iteration\":%d,\"rounds\":%d,"
		"\"refit_rounds\":%d,\"train_rows\":%zu,"
		"\"validation_rows\":%zu,\"test_rows\":%zu}",
		o->best_iteration, o->nrounds, o->refit ? o->refit_rounds : 0,
		o->train_rows, o->valid_rows, o->test_rows);
	if ((err = write_json(dir, "metrics.json", &b)) < 0)
		goto done;

	if (o->confusion) {
		mmp_buf_clear(&b);
		mmp_buf_puts(&b, "{\"labels\":[");
		for (i = 0; i < o->nclasses; i++) {
			mmp_buf_puts(&b, i ? "," : "");
			mmp_buf_put_json_string(&b, o->classes[i]);
		}
		mmp_buf_puts(&b, "],\"matrix\":[");
		for (i = 0; i < o->nclasses; i++) {
			mmp_buf_puts(&b, i ? ",[" : "[");
			for (c = 0; c < o->nclasses; c++)
				mmp_buf_printf(&b, "%s%llu", c ? "," : "",
					(unsigned long long)
					o->confusion[i * o->nclasses + c]);
			mmp_buf_putc(&b, ']');
		}
		mmp_buf_puts(&b, "]}");
		if ((err = write_json(dir, "confusion_matrix.json", &b)) < 0)
			goto done;
	}

	mmp_buf_clear(&b);
	mmp_buf_puts(&b, "{\"importance_type\":\"gain\",\"features\":[");
	for (i = 0; i < o->nfeatures; i++) {
		mmp_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
		mmp_buf_put_json_string(&b, o->features[i]);
		mmp_buf_puts(&b, ",\"gain\":");
		json_num(&b, o->importance[i]);
		mmp_buf_putc(&b, '}');
	}
	mmp_buf_puts(&b, "]}");
	err = write_json(dir, "feature_importance.json", &b);
done:
	mmp_buf_dispose(&b);
	return err;
}

/* collect every file below dir with its size and sha256 */
struct artifact_list {
	mmp_artifact *items;
	size_t nr, alloc;
};

static int list_files(struct artifact_list *l, const char *root,
	const char *rel)
{
	mmp_buf dirpath = MMP_BUF_INIT, sub = MMP_BUF_INIT;
	DIR *d;
	struct dirent *e;
	int err = 0;

	mmp_path_join(&dirpath, root, rel);
	if (!(d = opendir(dirpath.ptr))) {
		err = mmp_error_set_os("cannot list '%s'", dirpath.ptr);
		goto done;
	}
	while (!err && (e = readdir(d))) {
		struct stat st;
		mmp_buf full = MMP_BUF_INIT;

		if (e->d_name[0] == '.')
			continue;
		mmp_buf_clear(&sub);
		if (*rel)
			mmp_buf_printf(&sub, "%s/", rel);
		mmp_buf_puts(&sub, e->d_name);
		mmp_path_join(&full, root, sub.ptr);
		if (stat(full.ptr, &st) < 0) {
			err = mmp_error_set_os("cannot stat '%s'", full.ptr);
		} else if (S_ISDIR(st.st_mode)) {
			err = list_files(l, root, sub.ptr);
		} else {
			char hex[65];
			MMP_ALLOC_GROW(l->items, l->nr + 1, l->alloc);
			if (!(err = mmp_sha256_file(hex, full.ptr))) {
				l->items[l->nr].path = mmp__strdup(sub.ptr);
				l->items[l->nr].size = st.st_size;
				l->items[l->nr++].sha256 = mmp__strdup(hex);
			}
		}
		mmp_buf_dispose(&full);
	}
	closedir(d);
done:
	mmp_buf_dispose(&dirpath);
	mmp_buf_dispose(&sub);
	return err;
}

static int cmp_artifact(const void *a, const void *b)
{
	return strcmp(((const mmp_artifact *)a)->path,
		((const mmp_artifact *)b)->path);
}

/* profile.json in the model directory: the reference drift checks
 * compare live rows with */
static int save_profile(struct job *j, const char *model_dir)
{
	mmp_buf path = MMP_BUF_INIT, text = MMP_BUF_INIT;
	int err;

	mmp_path_join(&path, model_dir, "profile.json");
	mmp_profile_to_json(j->profile, &text);
	err = mmp_file_write_atomic(path.ptr, text.ptr, text.size);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&text);
	return err;
}

static int save_artifacts(struct job *j)
{
	mmp_model_dir_info info = MMP_MODEL_DIR_INFO_INIT;
	mmp_buf path = MMP_BUF_INIT, final = MMP_BUF_INIT;
	struct artifact_list l = { NULL, 0, 0 };
	size_t i;
	int err;

	if ((err = mmp_run_tmp_dir(&j->tmp_dir, j->store, j->out->run_id)))
		goto done;
	mmp_path_join(&path, j->tmp_dir.ptr, "model");
	info.run_id = j->out->run_id;
	if ((err = mmp_model_save_dir(j->model, path.ptr, &info)) < 0)
		goto done;
	if ((err = save_profile(j, path.ptr)) < 0)
		goto done;
	mmp_buf_clear(&path);
	mmp_path_join(&path, j->tmp_dir.ptr, "recipe.yaml");
	if ((err = mmp_file_write_atomic(path.ptr, j->recipe->raw,
			j->recipe->raw_len)) < 0)
		goto done;
	if ((err = write_reports(j, j->tmp_dir.ptr)) < 0)
		goto done;
	if ((err = list_files(&l, j->tmp_dir.ptr, "")) < 0)
		goto done;
	qsort(l.items, l.nr, sizeof(*l.items), cmp_artifact);

	/* the whole directory appears at once, or not at all */
	if ((err = mmp_run_artifact_dir(&final, j->store, j->out->run_id)))
		goto done;
	mmp_buf_clear(&path);
	mmp_path_dirname(&path, final.ptr);
	if ((err = mmp_mkdir_p(path.ptr, 0777)) < 0)
		goto done;
	if (rename(j->tmp_dir.ptr, final.ptr) < 0) {
		err = mmp_error_set_os("cannot move the artifacts to '%s'",
			final.ptr);
		goto done;
	}
	mmp_buf_clear(&j->tmp_dir);
	j->out->artifact_dir = mmp__strdup(final.ptr);
	mmp_buf_clear(&path);
	mmp_path_join(&path, final.ptr, "model");
	j->out->model_dir = mmp__strdup(path.ptr);
	err = mmp_run_log_artifacts(j->store, j->out->run_id, l.items, l.nr);
done:
	for (i = 0; i < l.nr; i++) {
		free((char *)l.items[i].path);
		free((char *)l.items[i].sha256);
	}
	free(l.items);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&final);
	return err;
}

static int record_dataset(struct job *j)
{
	mmp_dataset_input d = { 0 };
	mmp_buf schema = MMP_BUF_INIT, name = MMP_BUF_INIT;
	const char *base = strrchr(j->out->data_path, '/');
	size_t i;
	int err;

	mmp_buf_puts(&schema, "{\"mlflow_colspec\":[");
	for (i = 0; i < j->schema->nfeatures; i++) {
		static const char *const types[] = { "double", "long",
			"string" };
		mmp_buf_printf(&schema, "%s{\"type\":\"%s\",\"name\":",
			i ? "," : "", types[j->schema->features[i].type]);
		mmp_buf_put_json_string(&schema, j->schema->features[i].name);
		mmp_buf_putc(&schema, '}');
	}
	mmp_buf_puts(&schema, "]}");
	if (mmp_source_kind_of(j->location) != MMP_SOURCE_FILE)
		mmp_buf_printf(&name, "%s:%s", mmp_source_kind_name(
			mmp_source_kind_of(j->location)),
			j->recipe->data.table && !j->o->data_path ?
			j->recipe->data.table : "query");
	else
		mmp_buf_puts(&name, base ? base + 1 : j->out->data_path);
	d.name = name.ptr;
	d.digest = j->out->dataset_digest;
	d.source = j->out->data_path;
	d.source_type = mmp_source_kind_of(j->location) == MMP_SOURCE_FILE ?
		"local" : mmp_source_kind_name(mmp_source_kind_of(j->location));
	d.rows = (int64_t)j->out->rows;
	d.columns = (int64_t)mmp_csv_header_count(j->header);
	d.schema = schema.ptr;
	d.context = "training";
	err = mmp_run_log_dataset(j->store, j->out->run_id, &d);
	mmp_buf_dispose(&schema);
	mmp_buf_dispose(&name);
	return err;
}

/*
 * Where the rows came from, as tags: the source without credentials,
 * its kind, the query that ran and the server (databases), how many
 * rows, and the rows digest, which is the same for the same rows from
 * any source (mmp_frame_rows_digest()).
 */
static int record_source(struct job *j)
{
	mmp_source_kind k = mmp_source_kind_of(j->location);
	const mmp_source_info *si = &j->source;
	char rows[32];
	mmp_kv tags[6];
	size_t n = 0;

	snprintf(rows, sizeof(rows), "%zu", j->out->rows);
	tags[n++] = (mmp_kv){ "mmp.data.source", j->out->data_path };
	tags[n++] = (mmp_kv){ "mmp.data.kind", mmp_source_kind_name(k) };
	tags[n++] = (mmp_kv){ "mmp.data.rows", rows };
	tags[n++] = (mmp_kv){ "mmp.data.rows_digest", j->rows_digest };
	if (si->query)
		tags[n++] = (mmp_kv){ "mmp.data.query", si->query };
	if (si->server_version)
		tags[n++] = (mmp_kv){ "mmp.data.server_version",
			si->server_version };
	return mmp_run_set_tags(j->store, j->out->run_id, tags, n);
}

/* ---- the run ---- */

static int pipeline(struct job *j)
{
	mmp_train_result *o = j->out;
	const mmp_category_table *classes;
	double t;
	size_t i, skip;
	int err;

	if ((err = record_tags(j)) < 0)
		return err;

	t = mmp_time_mono();
	if ((err = emit_stage(j, MMP_TRAIN_LOAD)) < 0)
		return err;
	if ((err = load_data(j)) < 0)
		return err;
	o->rows = mmp_frame_nrows(j->frame);
	o->nfeatures = mmp_frame_nfeatures(j->frame);
	snprintf(o->dataset_digest, sizeof(o->dataset_digest), "%s",
		mmp_frame_digest(j->frame));
	mmp_frame_rows_digest(j->frame, j->rows_digest);
	if ((err = record_source(j)) < 0)
		return err;
	if (!o->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no feature columns left to train on",
			o->data_path);
	o->features = mmp__calloc(o->nfeatures, sizeof(char *));
	for (i = 0; i < o->nfeatures; i++)
		o->features[i] = mmp__strdup(mmp_frame_feature_name(j->frame,
			i));
	classes = mmp_frame_classes(j->frame);
	if (classes) {
		o->nclasses = mmp_category_table_count(classes);
		o->classes = mmp__calloc(o->nclasses ? o->nclasses : 1,
			sizeof(char *));
		for (i = 0; i < o->nclasses; i++)
			o->classes[i] = mmp__strdup(
				mmp_category_table_string(classes, i));
	}
	if ((err = check_classes(j)) < 0)
		return err;
	if ((err = build_schema(j)) < 0)
		return err;
	if ((err = record_dataset(j)) < 0)
		return err;
	if ((err = do_split(j)) < 0)
		return err;
	o->train_rows = j->split.ntrain;
	o->valid_rows = j->split.nvalid;
	o->test_rows = j->split.ntest;
	memcpy(o->train_sha256, j->split.train_sha256, 65);
	memcpy(o->valid_sha256, j->split.valid_sha256, 65);
	memcpy(o->test_sha256, j->split.test_sha256, 65);
	j->x = mmp_frame_detach_features(j->frame);
	partition(j);
	/* before XGBoost's copy lets the training rows go: the rows the
	 * saved model learnt from, the validation rows too when refit */
	skip = j->split.ntest + (j->recipe->model.refit ? 0 : j->split.nvalid);
	if ((err = mmp_profile_build(&j->profile, j->schema,
	    j->x + skip * o->nfeatures,
	    j->split.ntest + j->split.nvalid + j->split.ntrain - skip,
	    NULL, 0)) < 0)
		return err;
	o->load_seconds = mmp_time_mono() - t;

	t = mmp_time_mono();
	if ((err = train_model(j)) < 0)
		return err;
	o->train_seconds = mmp_time_mono() - t;
	if ((err = record_history(j)) < 0)
		return err;

	t = mmp_time_mono();
	if ((err = emit_stage(j, MMP_TRAIN_EVALUATE)) < 0)
		return err;
	if ((err = evaluate(j)) < 0)
		return err;
	o->eval_seconds = mmp_time_mono() - t;

	t = mmp_time_mono();
	if ((err = emit_stage(j, MMP_TRAIN_SAVE)) < 0)
		return err;
	if ((err = save_artifacts(j)) < 0)
		return err;
	o->save_seconds = mmp_time_mono() - t;
	return 0;
}

static void default_run_name(mmp_buf *out, const char *recipe_name)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	mmp_buf_printf(out, "%s-%s", recipe_name, stamp);
}

/* the name the store gave the run (a suffix when it was taken) */
static int take_run_name(mmp_train_result *out, mmp_store *store)
{
	mmp_run *r;
	int err;

	if ((err = mmp_run_get(&r, store, out->run_id)) < 0)
		return err;
	free(out->run_name);
	out->run_name = mmp__strdup(r->name);
	mmp_run_free(r);
	return 0;
}

static const char *pick_experiment(const mmp_train_options *o,
	const mmp_recipe *r)
{
	const char *name = NULL;

	if (o->experiment)
		return o->experiment;
	if (r->experiment)
		return r->experiment;
	if (o->config && !mmp_config_get_string(&name, o->config,
			"experiment.name") && name && *name)
		return name;
	mmp_error_clear();
	return "Default";
}

/* where the data is (*location) and how it is shown and recorded:
 * without credentials (out->data_path) */
static int resolve_data_path(mmp_train_result *out, char **location,
	const mmp_recipe *r, const char *override)
{
	mmp_buf abs = MMP_BUF_INIT, shown = MMP_BUF_INIT;
	int err = 0;

	if ((err = mmp_source_check_location(override)) < 0)
		return err;
	if (!override)
		*location = mmp__strdup(r->data.source_abs);
	else if (mmp_source_kind_of(override) != MMP_SOURCE_FILE)
		*location = mmp__strdup(override);
	else if (!(err = mmp_path_absolute(&abs, override)))
		*location = mmp_buf_detach(&abs);
	mmp_buf_dispose(&abs);
	if (err < 0)
		return err;
	mmp_source_redact(&shown, *location);
	out->data_path = mmp_buf_detach(&shown);
	return 0;
}

static void job_release(struct job *j)
{
	if (j->tmp_dir.size)
		mmp_rm_rf(j->tmp_dir.ptr);
	mmp_buf_dispose(&j->tmp_dir);
	mmp_model_free(j->model);
	mmp_model_train_result_release(&j->tr);
	mmp_model_schema_free(j->schema);
	mmp_profile_free(j->profile);
	mmp_split_release(&j->split);
	free(j->x);
	free(j->y);
	mmp_frame_free(j->frame);
	mmp_csv_header_free(j->header);
	mmp_source_info_release(&j->source);
}

int mmp_train(mmp_train_result *out, mmp_diag_list **diags,
	mmp_store *store, const mmp_train_options *o)
{
	mmp_recipe_options ro = MMP_RECIPE_OPTIONS_INIT;
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	mmp_recipe *recipe = NULL;
	mmp_buf name = MMP_BUF_INIT;
	char *location = NULL;
	struct job j;
	double t0 = mmp_time_mono();
	int err, end_err;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	if (diags)
		*diags = NULL;
	if (!o || o->version != MMP_TRAIN_OPTIONS_VERSION || !o->recipe_path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid training options");

	ro.overrides = o->overrides;
	ro.noverrides = o->noverrides;
	ro.config = o->config;
	if ((err = mmp_recipe_load(&recipe, diags, o->recipe_path, &ro)) < 0)
		return err;
	out->task = recipe->task;
	out->target = mmp__strdup(recipe->data.target_column);
	out->experiment = mmp__strdup(pick_experiment(o, recipe));
	if (o->run_name)
		mmp_buf_puts(&name, o->run_name);
	else
		default_run_name(&name, recipe->name);
	out->run_name = mmp_buf_detach(&name);
	if ((err = resolve_data_path(out, &location, recipe,
		    o->data_path)) < 0)
		goto done;
	if ((err = mmp_train__check_header(recipe, location)) < 0)
		goto done;

	so.experiment = out->experiment;
	so.run_name = out->run_name;
	so.source_name = recipe->path;
	so.kind = "train";
	so.unique_name = !o->run_name || o->unique_name;
	if ((err = mmp_run_start(store, &so, out->run_id)) < 0)
		goto done;
	out->recorded = 1;
	err = so.unique_name ? take_run_name(out, store) : 0;

	j.o = o;
	j.out = out;
	j.store = store;
	j.recipe = recipe;
	j.location = location;
	j.t0 = t0;
	j.last_heartbeat = t0;
	mmp_buf_init(&j.tmp_dir, 0);
	if (!err)
		err = pipeline(&j);
	if (err < 0) {
		out->status = mmp__strdup(j.stopped ? "KILLED" : "FAILED");
		out->error = mmp__strdup(mmp_error_last()->message);
	} else {
		out->status = mmp__strdup("FINISHED");
	}
	job_release(&j);
	end_err = mmp_run_end(store, out->run_id, out->status, out->error);
	if (!err && end_err < 0)
		err = end_err;
	else if (err < 0 && end_err == 0)
		mmp_error_set(MMP_ERROR_MODEL, "%s", out->error);
done:
	out->total_seconds = mmp_time_mono() - t0;
	free(location);
	mmp_recipe_free(recipe);
	return err;
}

void mmp_train_result_release(mmp_train_result *r)
{
	size_t i;

	free(r->run_name);
	free(r->experiment);
	free(r->status);
	free(r->error);
	free(r->target);
	free(r->data_path);
	for (i = 0; i < r->nclasses; i++)
		free(r->classes[i]);
	free(r->classes);
	free(r->confusion);
	for (i = 0; i < r->nfeatures && r->features; i++)
		free(r->features[i]);
	free(r->features);
	free(r->importance);
	free(r->artifact_dir);
	free(r->model_dir);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
