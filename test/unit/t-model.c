/* SPDX-License-Identifier: MIT */
/* t-model.c: XGBoost training, early stopping, prediction, model directory */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmp/errors.h"
#include "mmp/model.h"
#include "mmp/version.h"
#include "model/model-internal.h"
#include "model/xgb-internal.h"
#include "tap.h"

#define RUN_ID "0123456789abcdef0123456789abcdef"
#define UUID "fedcba9876543210fedcba9876543210"
#define CREATED_MS 1795453900123LL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
	size_t nrows, ncols;
	float *x, *y;                 /* all rows */
	float *tx, *ty, *vx, *vy;     /* train / holdout split */
	size_t ntrain, nvalid;
	char **names;
} dataset;

static char fixtures[512];

/* a trivial loader for the purely numeric fixtures: header, then numbers,
 * target in the last column; every fifth row goes to the holdout */
static int load_csv(dataset *d, const char *name)
{
	char path[1024], line[8192];
	FILE *f;
	size_t cap = 0, i, t = 0, v = 0;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	if (!(f = fopen(path, "r")))
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line, *c; p; p = c ? c + 1 : NULL) {
		c = strchr(p, ',');
		if (c)
			*c = '\0';
		d->names = realloc(d->names, (d->ncols + 1) * sizeof(char *));
		d->names[d->ncols++] = strdup(p);
	}
	d->ncols--;          /* the target */
	free(d->names[d->ncols]);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (d->nrows == cap) {
			cap = cap ? cap * 2 : 256;
			d->x = realloc(d->x, cap * d->ncols * sizeof(float));
			d->y = realloc(d->y, cap * sizeof(float));
		}
		for (i = 0; i <= d->ncols; i++) {
			float val = strtof(p, &end);

			if (i < d->ncols)
				d->x[d->nrows * d->ncols + i] = val;
			else
				d->y[d->nrows] = val;
			p = end + 1;
		}
		d->nrows++;
	}
	fclose(f);
	d->nvalid = d->nrows / 5;
	d->ntrain = d->nrows - d->nvalid;
	d->tx = malloc(d->ntrain * d->ncols * sizeof(float));
	d->ty = malloc(d->ntrain * sizeof(float));
	d->vx = malloc(d->nvalid * d->ncols * sizeof(float));
	d->vy = malloc(d->nvalid * sizeof(float));
	for (i = 0; i < d->nrows; i++) {
		if (i % 5 == 4 && v < d->nvalid) {
			memcpy(d->vx + v * d->ncols, d->x + i * d->ncols,
				d->ncols * sizeof(float));
			d->vy[v++] = d->y[i];
		} else {
			memcpy(d->tx + t * d->ncols, d->x + i * d->ncols,
				d->ncols * sizeof(float));
			d->ty[t++] = d->y[i];
		}
	}
	return 0;
}

static void dataset_free(dataset *d)
{
	size_t i;

	for (i = 0; i < d->ncols; i++)
		free(d->names[i]);
	free(d->names);
	free(d->x);
	free(d->y);
	free(d->tx);
	free(d->ty);
	free(d->vx);
	free(d->vy);
}

static void base_options(mmp_model_train_options *o, const dataset *d,
	mmp_task task)
{
	mmp_model_train_options_init(o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o->task = task;
	o->train_x = d->tx;
	o->train_y = d->ty;
	o->train_rows = d->ntrain;
	o->valid_x = d->vx;
	o->valid_y = d->vy;
	o->valid_rows = d->nvalid;
	o->ncols = d->ncols;
	o->feature_names = (const char *const *)d->names;
	o->nthread = 2;
}

static mmp_model_schema *numeric_schema(const dataset *d,
	mmp_task task)
{
	mmp_model_schema *s = NULL;
	size_t i;

	mmp_model_schema_new(&s, task, "target");
	for (i = 0; i < d->ncols; i++)
		mmp_model_schema_add_feature(s, d->names[i],
			MMP_FEATURE_NUMERIC, MMP_COLUMN_DOUBLE, NULL, 0);
	if (task == MMP_TASK_BINARY) {
		mmp_model_schema_add_class(s, "0");
		mmp_model_schema_add_class(s, "1");
	}
	return s;
}

static char *read_all(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap * 2 + 65536;
			buf = realloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int same_file(const char *a, const char *b, const char *name)
{
	size_t la = 0, lb = 0;
	char *x = read_all(a, name, &la), *y = read_all(b, name, &lb);
	int same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

static void save_info(mmp_model_dir_info *info)
{
	mmp_model_dir_info init = MMP_MODEL_DIR_INFO_INIT;

	*info = init;
	info->run_id = RUN_ID;
	info->model_uuid = UUID;
	info->created_ms = CREATED_MS;
}

static char *tmp_path(const char *name)
{
	static char buf[8][1024];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 1024, "%s/%s", tap_tmpdir(), name);
	return p;
}

/* ---- binary training with early stopping --------------------------- */

typedef struct {
	int calls, last_round, stop_at;
	double last_elapsed;
	int elapsed_monotonic;
} progress_log;

static int on_round(const mmp_model_progress *p, void *payload)
{
	progress_log *l = payload;

	if (p->round != l->calls || p->elapsed < l->last_elapsed)
		l->elapsed_monotonic = 0;
	l->calls++;
	l->last_round = p->round;
	l->last_elapsed = p->elapsed;
	return l->stop_at >= 0 && p->round == l->stop_at;
}

static const mmp_model_param bin_params[] = {
	{ "objective", "binary:logistic" }, { "max_depth", "3" },
	{ "eta", "0.3" }, { "seed", "0" }, { "tree_method", "hist" }
};

static mmp_model *test_binary(const dataset *d)
{
	mmp_model_train_options o;
	mmp_model_train_result r = MMP_MODEL_TRAIN_RESULT_INIT;
	mmp_model_schema *s = numeric_schema(d, MMP_TASK_BINARY);
	mmp_model *m = NULL;
	progress_log log = { 0, -1, -1, 0, 1 };
	mmp_buf attr = MMP_BUF_INIT;
	mmp_metric_list ml;
	char want[32];
	int i, later_better = 0, best_is_min = 1;
	double acc = 0, auc = 0;

	base_options(&o, d, MMP_TASK_BINARY);
	o.params = bin_params;
	o.nparams = ARRAY_LEN(bin_params);
	o.num_boost_round = 300;
	o.early_stopping_rounds = 10;
	o.schema = s;
	o.progress = on_round;
	o.payload = &log;
	is_int(mmp_model_train(&m, &o, &r), 0, "binary training succeeds");
	if (!m) {
		diag("%s", mmp_error_last()->message);
		mmp_model_schema_free(s);
		return NULL;
	}
	ok(r.stopped_early, "early stopping ended training");
	is_int(r.nrounds, r.best_iteration + 11,
		"stopped 10 rounds after the best one (best %d)",
		r.best_iteration);
	ok(r.nrounds < 300, "fewer rounds than num_boost_round");
	is_int((long long)r.nmetrics, 1, "one eval metric");
	is_str(r.metrics[0].name, "logloss", "binary:logistic -> logloss");
	is_int((long long)r.stop_metric, 0, "tracks logloss");
	for (i = 0; i < r.nrounds; i++) {
		double bestv = r.metrics[0].valid[r.best_iteration];

		if (r.metrics[0].valid[i] < bestv)
			best_is_min = 0;
		if (i > r.best_iteration && r.metrics[0].valid[i] < bestv)
			later_better = 1;
	}
	ok(best_is_min && !later_better, "best iteration has the lowest "
		"holdout logloss");
	is_double(r.best_score, r.metrics[0].valid[r.best_iteration], 0,
		"best_score is that round's holdout value");
	ok(r.metrics[0].train[0] > r.metrics[0].train[r.nrounds - 1],
		"training logloss falls");
	is_int(log.calls, r.nrounds, "callback once per round");
	ok(log.elapsed_monotonic, "callback rounds in order, time grows");
	is_int(mmp_model_best_iteration(m), r.best_iteration,
		"model predicts up to best_iteration");
	snprintf(want, sizeof(want), "%d", r.best_iteration);
	is_int(mmp_model_attr(&attr, m, "best_iteration"), 0,
		"best_iteration attribute set");
	is_str(attr.ptr, want, "best_iteration attribute value");
	mmp_buf_clear(&attr);
	snprintf(want, sizeof(want), "%d", r.best_iteration + 1);
	mmp_model_attr(&attr, m, "best_ntree_limit");
	is_str(attr.ptr, want, "best_ntree_limit attribute value");
	mmp_buf_clear(&attr);
	is_int(mmp_model_attr(&attr, m, "best_score"), 0, "best_score set");
	is_double(strtod(attr.ptr, NULL), r.best_score, 0,
		"best_score attribute reads back exactly");
	mmp_buf_dispose(&attr);
	is_int((long long)mmp_model_noutputs(m), 1, "one output per row");
	is_int((long long)mmp_model_nfeatures(m), 30, "30 features");
	is_int(mmp_model_task_of(m), MMP_TASK_BINARY, "binary task");
	is_int(mmp_model_evaluate(&ml, m, d->vx, d->nvalid, d->ncols, d->vy),
		0, "evaluate on the holdout");
	mmp_metrics_get(&acc, &ml, "accuracy");
	mmp_metrics_get(&auc, &ml, "roc_auc");
	ok(acc > 0.9, "holdout accuracy %.4f > 0.9", acc);
	ok(auc > 0.95, "holdout roc_auc %.4f > 0.95", auc);
	mmp_model_train_result_release(&r);
	ok(r.metrics == NULL && r.nmetrics == 0, "result released");
	mmp_model_schema_free(s);
	return m;
}

/* ---- determinism --------------------------------------------------- */

/* round_threads: 1 thread, then 2 from round 3, back to 1 from round
 * 7, then 0 (keep); counts its calls */
static int switch_threads(void *payload)
{
	int *calls = payload, n = (*calls)++;

	return n < 3 ? 1 : n < 7 ? 2 : n < 9 ? 1 : 0;
}

static mmp_model *train_sampled(const dataset *d, int nthread,
	int *switched)
{
	static const mmp_model_param p[] = {
		{ "max_depth", "4" }, { "eta", "0.2" }, { "subsample", "0.8" },
		{ "colsample_bytree", "0.8" }, { "seed", "7" },
		{ "tree_method", "hist" }, { "eval_metric", "logloss" },
		{ "eval_metric", "auc" }
	};
	mmp_model_train_options o;
	mmp_model_schema *s = numeric_schema(d, MMP_TASK_BINARY);
	mmp_model_train_result r = MMP_MODEL_TRAIN_RESULT_INIT;
	mmp_model *m = NULL;

	base_options(&o, d, MMP_TASK_BINARY);
	o.params = p;
	o.nparams = ARRAY_LEN(p);
	o.num_boost_round = 40;
	o.early_stopping_rounds = 5;
	o.nthread = nthread;
	o.schema = s;
	if (switched) {
		*switched = 0;
		o.round_threads = switch_threads;
		o.payload = switched;
	}
	if (mmp_model_train(&m, &o, &r) < 0)
		diag("%s", mmp_error_last()->message);
	else if (switched)
		is_int(*switched, r.nrounds,
			"round_threads is asked once per round");
	else if (nthread == 1) {
		is_int((long long)r.nmetrics, 2, "two eval metrics kept");
		is_str(r.metrics[1].name, "auc", "auc evaluated second");
		is_int((long long)r.stop_metric, 1,
			"early stopping tracks the last metric (auc)");
	}
	mmp_model_train_result_release(&r);
	mmp_model_schema_free(s);
	return m;
}

static void test_determinism(const dataset *d)
{
	mmp_model *a = train_sampled(d, 1, NULL), *b = train_sampled(d, 1,
		NULL);
	mmp_model *c = train_sampled(d, 2, NULL), *e;
	mmp_model_dir_info info;
	int calls = 0;

	e = train_sampled(d, 1, &calls);
	save_info(&info);
	ok(a && b && c && e, "four sampled trainings");
	if (!a || !b || !c || !e)
		goto done;
	ok(calls > 9, "the threads changed three times (%d rounds)", calls);
	is_int(mmp_model_save_dir(a, tmp_path("det-a"), &info), 0, "save a");
	is_int(mmp_model_save_dir(b, tmp_path("det-b"), &info), 0, "save b");
	is_int(mmp_model_save_dir(c, tmp_path("det-c"), &info), 0, "save c");
	ok(same_file(tmp_path("det-a"), tmp_path("det-b"), "model.ubj"),
		"same data, params and seed: byte-identical model.ubj");
	ok(same_file(tmp_path("det-a"), tmp_path("det-c"), "model.ubj"),
		"nthread 1 and 2: byte-identical model.ubj");
	is_int(mmp_model_save_dir(e, tmp_path("det-e"), &info), 0, "save e");
	ok(same_file(tmp_path("det-a"), tmp_path("det-e"), "model.ubj"),
		"threads changed between rounds: byte-identical model.ubj");
	ok(same_file(tmp_path("det-a"), tmp_path("det-b"), "MLmodel"),
		"and identical MLmodel");
done:
	mmp_model_free(a);
	mmp_model_free(b);
	mmp_model_free(c);
	mmp_model_free(e);
}

/* ---- holdout scores from the prediction cache ---------------------- */

/* train with holdout_scores; they must be the kept model's scores, bit
 * for bit, or not filled at all for a booster without rounds to keep */
static void cached_case(const dataset *d, mmp_task task, const float *ty,
	const float *vy, size_t k, const mmp_model_param *p, size_t np,
	int esr, int want_scored, const char *what)
{
	mmp_model_train_options o;
	mmp_model_train_result r = MMP_MODEL_TRAIN_RESULT_INIT;
	mmp_model *m = NULL;
	size_t per = task == MMP_TASK_MULTICLASS ? k : 1;
	float *cached = calloc(d->nvalid * per, sizeof(float));
	float *fresh = calloc(d->nvalid * per, sizeof(float));

	base_options(&o, d, task);
	o.train_y = ty;
	o.valid_y = vy;
	o.num_class = task == MMP_TASK_MULTICLASS ? k : 0;
	o.params = p;
	o.nparams = np;
	o.num_boost_round = 40;
	o.early_stopping_rounds = esr;
	o.holdout_scores = cached;
	if (mmp_model_train(&m, &o, &r) < 0) {
		ok(0, "%s: trains (%s)", what, mmp_error_last()->message);
		goto done;
	}
	is_int(r.holdout_scored, want_scored, "%s: holdout scored %d (best "
		"round %d of %d)", what, want_scored, r.best_iteration,
		r.nrounds);
	if (!want_scored)
		goto done;
	is_int(mmp_model_predict_scores(m, d->vx, d->nvalid, d->ncols,
		fresh), 0, "%s: predicted again", what);
	ok(!memcmp(cached, fresh, d->nvalid * per * sizeof(float)),
		"%s: the cached scores are the kept model's, bit for bit",
		what);
done:
	mmp_model_train_result_release(&r);
	mmp_model_free(m);
	free(cached);
	free(fresh);
}

static void test_cached_scores(const dataset *d)
{
	static const mmp_model_param early[] = {
		{ "objective", "binary:logistic" }, { "max_depth", "4" },
		{ "eta", "0.6" }, { "subsample", "0.8" },
		{ "tree_method", "hist" }
	};
	static const mmp_model_param raw[] = {
		{ "objective", "binary:logitraw" }, { "max_depth", "2" },
		{ "eta", "0.1" }, { "tree_method", "hist" }
	};
	static const mmp_model_param linear[] = {
		{ "objective", "binary:logistic" }, { "booster", "gblinear" }
	};
	static const mmp_model_param prob[] = {
		{ "objective", "multi:softprob" }, { "max_depth", "3" },
		{ "eta", "0.5" }, { "tree_method", "hist" }
	};
	static const mmp_model_param max[] = {
		{ "objective", "multi:softmax" }, { "max_depth", "3" },
		{ "eta", "0.5" }, { "tree_method", "approx" }
	};
	float *ty = calloc(d->ntrain, sizeof(float));
	float *vy = calloc(d->nvalid, sizeof(float));
	size_t i;

	cached_case(d, MMP_TASK_BINARY, d->ty, d->vy, 2, early,
		ARRAY_LEN(early), 3, 1, "binary, stopped early");
	cached_case(d, MMP_TASK_BINARY, d->ty, d->vy, 2, raw, ARRAY_LEN(raw),
		0, 1, "logitraw, every round kept");
	cached_case(d, MMP_TASK_BINARY, d->ty, d->vy, 2, linear,
		ARRAY_LEN(linear), 5, 0, "gblinear");
	/* three classes: the first feature's tertiles */
	for (i = 0; i < d->ntrain; i++)
		ty[i] = d->tx[i * d->ncols] < 12.0f ? 0 :
			d->tx[i * d->ncols] < 15.0f ? 1 : 2;
	for (i = 0; i < d->nvalid; i++)
		vy[i] = d->vx[i * d->ncols] < 12.0f ? 0 :
			d->vx[i * d->ncols] < 15.0f ? 1 : 2;
	cached_case(d, MMP_TASK_MULTICLASS, ty, vy, 3, prob, ARRAY_LEN(prob),
		4, 1, "softprob");
	cached_case(d, MMP_TASK_MULTICLASS, ty, vy, 3, max, ARRAY_LEN(max),
		4, 1, "softmax");
	free(ty);
	free(vy);
}

/* ---- errors -------------------------------------------------------- */

static int train_err(const dataset *d, const mmp_model_param *p, size_t n,
	const char *want, const char *what)
{
	mmp_model_train_options o;
	mmp_model *m = NULL;
	int rc;

	base_options(&o, d, MMP_TASK_BINARY);
	o.params = p;
	o.nparams = n;
	o.num_boost_round = 3;
	rc = mmp_model_train(&m, &o, NULL);
	ok(m == NULL, "%s: no model", what);
	is_str(mmp_error_last()->message, want, "%s: message", what);
	return rc;
}

typedef struct {
	const dataset *d;
	int rc;
	char msg[256];
} thread_train;

static void *train_in_thread(void *arg)
{
	static const mmp_model_param p[] = { { "colsample_bytre", "0.5" } };
	thread_train *t = arg;
	mmp_model_train_options o;
	mmp_model *m = NULL;

	base_options(&o, t->d, MMP_TASK_BINARY);
	o.params = p;
	o.nparams = 1;
	o.num_boost_round = 2;
	t->rc = mmp_model_train(&m, &o, NULL);
	snprintf(t->msg, sizeof(t->msg), "%s", mmp_error_last()->message);
	mmp_model_free(m);
	mmp_error_clear();      /* the last error is per thread */
	return NULL;
}

static void test_errors(const dataset *d)
{
	static const mmp_model_param unknown[] = {
		{ "max_dpth", "3" }, { "eta", "0.1" },
		{ "colsample_bytre", "1" }
	};
	static const mmp_model_param quiet[] = {
		{ "verbosity", "0" }, { "max_dpth", "3" }
	};
	static const mmp_model_param badval[] = { { "max_depth", "abc" } };
	static const mmp_model_param badeta[] = { { "eta", "-1" } };
	static const mmp_model_param badobj[] = {
		{ "objective", "binary:foo" }
	};
	static const mmp_model_param regobj[] = {
		{ "objective", "reg:squarederror" }
	};
	static const mmp_model_param badmetric[] = { { "eval_metric", "foo" } };
	static const mmp_model_param noval[] = { { "max_depth", NULL } };
	mmp_model_train_options o;
	mmp_model *m = NULL;
	progress_log log = { 0, -1, 3, 0, 1 };
	thread_train tt;
	pthread_t th;
	float *y;

	is_int(train_err(d, unknown, 3, "unknown xgboost parameters: "
		"\"colsample_bytre\", \"max_dpth\"", "unknown parameters"),
		MMP_EINVALID, "unknown parameters are invalid");
	is_int(train_err(d, quiet, 2, "unknown xgboost parameters: "
		"\"max_dpth\"", "verbosity 0"), MMP_EINVALID,
		"unknown parameters caught with verbosity 0 too");
	is_int(train_err(d, badval, 1, "xgboost training failed: Invalid "
		"Parameter format for max_depth expect int but value='abc'",
		"max_depth=abc"), MMP_EINVALID, "bad value is invalid");
	is_int(train_err(d, badeta, 1, "xgboost training failed: value -1 "
		"for Parameter learning_rate should be greater equal to 0",
		"eta=-1"), MMP_EINVALID, "negative eta is invalid");
	is_int(train_err(d, badobj, 1, "xgboost training failed: Unknown "
		"objective function: `binary:foo`", "binary:foo"),
		MMP_EINVALID, "unknown objective is invalid");
	is_int(train_err(d, regobj, 1, "objective 'reg:squarederror' does "
		"not fit a binary task", "objective vs task"), MMP_EINVALID,
		"objective of another task is invalid");
	is_int(train_err(d, badmetric, 1, "xgboost training failed: Unknown "
		"metric function foo", "eval_metric=foo"), MMP_EINVALID,
		"unknown eval metric is invalid");
	is_int(train_err(d, noval, 1, "xgboost parameter 1 has no name or "
		"value", "NULL value"), MMP_EINVALID, "NULL value is invalid");

	/* the log callback is per thread in XGBoost: check another thread */
	tt.d = d;
	pthread_create(&th, NULL, train_in_thread, &tt);
	pthread_join(th, NULL);
	is_int(tt.rc, MMP_EINVALID, "unknown parameter caught off the main "
		"thread");
	is_str(tt.msg, "unknown xgboost parameters: \"colsample_bytre\"",
		"names it there too");

	base_options(&o, d, MMP_TASK_BINARY);
	o.num_boost_round = 50;
	o.progress = on_round;
	o.payload = &log;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINTERRUPTED,
		"callback stops training");
	is_str(mmp_error_last()->message, "training interrupted at round 3",
		"interrupt message names the round");
	is_int(log.calls, 4, "no round after the interrupt");
	ok(m == NULL, "no model after an interrupt");

	base_options(&o, d, MMP_TASK_BINARY);
	o.valid_rows = 0;
	o.early_stopping_rounds = 5;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID,
		"early stopping without holdout");
	is_str(mmp_error_last()->message, "early stopping needs holdout rows",
		"message");
	base_options(&o, d, MMP_TASK_BINARY);
	o.num_boost_round = 0;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID, "0 rounds");
	is_str(mmp_error_last()->message,
		"num_boost_round must be positive, got 0", "message");
	base_options(&o, d, MMP_TASK_BINARY);
	o.early_stopping_rounds = 3;
	o.early_stopping_metric = "auc";
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID,
		"early stopping metric not evaluated");
	is_str(mmp_error_last()->message,
		"early stopping metric 'auc' is not evaluated", "message");
	base_options(&o, d, MMP_TASK_MULTICLASS);
	o.num_class = 1;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID, "num_class 1");
	is_str(mmp_error_last()->message, "a multiclass task needs "
		"num_class >= 2, got 1", "message");
	base_options(&o, d, MMP_TASK_BINARY);
	o.version = 99;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID, "bad version");

	y = malloc(d->ntrain * sizeof(float));
	memcpy(y, d->ty, d->ntrain * sizeof(float));
	y[6] = 2;
	base_options(&o, d, MMP_TASK_BINARY);
	o.train_y = y;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID, "label 2");
	is_str(mmp_error_last()->message, "training label at row 7 is 2; a "
		"binary task needs 0 or 1", "names the row");
	y[6] = NAN;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID, "NaN label");
	is_str(mmp_error_last()->message,
		"training label at row 7 is not a number", "names the row");
	free(y);
}

/* ---- multiclass with a categorical feature ------------------------- */

static uint32_t rng_state = 12345;

static double rnd(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (rng_state >> 8) / 16777216.0;
}

typedef struct {
	float *x, *y;
	size_t n;
} synth;

/* columns: x (numeric), colour (categorical codes 0..3), const (unused);
 * class = x-tercile shifted by colour */
static void make_synth(synth *s, size_t n)
{
	size_t i;

	s->n = n;
	s->x = malloc(n * 3 * sizeof(float));
	s->y = malloc(n * sizeof(float));
	for (i = 0; i < n; i++) {
		double x = rnd();
		int colour = (int)(rnd() * 4), cls = (int)(x * 3);

		if (colour == 3)
			cls = (cls + 1) % 3;
		s->x[i * 3] = (float)x;
		s->x[i * 3 + 1] = (float)colour;
		s->x[i * 3 + 2] = 1.0f;
		if (i % 17 == 3)
			s->x[i * 3] = NAN;   /* some missing cells */
		s->y[i] = (float)cls;
	}
}

static const char *const colours[] = { "blue", "green", "red", "yellow" };
static const char *const synth_names[] = { "x", "colour", "const" };
static const mmp_feature_kind synth_kinds[] = {
	MMP_FEATURE_NUMERIC, MMP_FEATURE_CATEGORICAL, MMP_FEATURE_NUMERIC
};

static mmp_model_schema *synth_schema(void)
{
	mmp_model_schema *s = NULL;

	mmp_model_schema_new(&s, MMP_TASK_MULTICLASS, "label");
	mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0);
	mmp_model_schema_add_feature(s, "colour", MMP_FEATURE_CATEGORICAL,
		MMP_COLUMN_STRING, colours, 4);
	mmp_model_schema_add_feature(s, "const", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_LONG, NULL, 0);
	mmp_model_schema_add_class(s, "low");
	mmp_model_schema_add_class(s, "mid");
	mmp_model_schema_add_class(s, "high");
	mmp_model_schema_add_entity(s, "id");
	return s;
}

static mmp_model *train_synth(const synth *tr, const synth *va,
	const char *objective)
{
	mmp_model_param p[3] = {
		{ "tree_method", "hist" }, { "max_depth", "4" },
		{ "objective", objective }
	};
	mmp_model_train_options o;
	mmp_model_schema *s = synth_schema();
	mmp_model *m = NULL;

	mmp_model_train_options_init(&o, MMP_MODEL_TRAIN_OPTIONS_VERSION);
	o.task = MMP_TASK_MULTICLASS;
	o.num_class = 3;
	o.train_x = tr->x;
	o.train_y = tr->y;
	o.train_rows = tr->n;
	o.valid_x = va->x;
	o.valid_y = va->y;
	o.valid_rows = va->n;
	o.ncols = 3;
	o.feature_names = synth_names;
	o.feature_kinds = synth_kinds;
	o.params = p;
	o.nparams = 3;
	o.num_boost_round = 30;
	o.nthread = 1;
	o.schema = s;
	if (mmp_model_train(&m, &o, NULL) < 0)
		diag("%s", mmp_error_last()->message);
	mmp_model_schema_free(s);
	return m;
}

static void test_multiclass(void)
{
	synth tr, va;
	mmp_model *m, *sm, *l = NULL;
	mmp_metric_list ml;
	float *p, *p2;
	double acc = 0, imp[3];
	size_t i, bad = 0;
	char *text;
	const mmp_model_schema *ls;

	make_synth(&tr, 900);
	make_synth(&va, 300);
	m = train_synth(&tr, &va, "multi:softprob");
	ok(m != NULL, "multiclass training with a categorical feature");
	if (!m)
		goto done;
	is_int((long long)mmp_model_noutputs(m), 3, "softprob: 3 outputs");
	p = calloc(va.n * 3, sizeof(float));
	p2 = calloc(va.n * 3, sizeof(float));
	is_int(mmp_model_predict(m, va.x, va.n, 3, p), 0, "predict");
	for (i = 0; i < va.n; i++)
		if (fabs(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2] - 1) > 1e-5)
			bad++;
	is_int((long long)bad, 0, "probabilities sum to 1");
	is_int(mmp_model_evaluate(&ml, m, va.x, va.n, 3, va.y), 0,
		"evaluate");
	mmp_metrics_get(&acc, &ml, "accuracy");
	ok(acc > 0.9, "holdout accuracy %.3f > 0.9 (needs the category)",
		acc);
	is_str(ml.items[1].name, "precision_macro", "multiclass metric set");
	is_int(mmp_model_importance(imp, 3, m), 0, "importance");
	ok(imp[0] > 0 && imp[1] > 0, "used features have gain (%g, %g)",
		imp[0], imp[1]);
	is_double(imp[2], 0, 0, "a feature no tree uses has 0");
	is_int(mmp_model_importance(imp, 2, m), MMP_EINVALID,
		"importance with the wrong count");

	is_int(mmp_model_save_dir(m, tmp_path("multi"), &(mmp_model_dir_info){
		MMP_MODEL_DIR_INFO_VERSION, RUN_ID, UUID, CREATED_MS, NULL,
		NULL, NULL }), 0, "save multiclass model");
	text = read_all(tmp_path("multi"), "MLmodel", NULL);
	ok(text && strstr(text, "  outputs: '[{\"type\": \"string\", "
		"\"name\": \"prediction\", \"required\": true}, "
		"{\"type\": \"float\", \"name\": \"low\", "
		"\"required\": true}, {\"type\": \"float\", \"name\": "
		"\"mid\", \"required\": true}, {\"type\": \"float\", "
		"\"name\": \"high\", \"required\": true}]'"),
		"MLmodel outputs: the label, then each class probability");
	ok(text && strstr(text, "  inputs: '[{\"type\": \"double\", \"name\": "
		"\"x\", \"required\": true}, {\"type\": \"string\", \"name\": "
		"\"colour\", \"required\": true}, "
		"{\"type\": \"long\", \"name\": "
		"\"const\", \"required\": true}]'"),
		"MLmodel inputs carry the column types, no entity, no target");
	free(text);
	text = read_all(tmp_path("multi"), "code/mmp_pyfunc.py", NULL);
	ok(text && strstr(text, "def _load_pyfunc(data_path):"),
		"the pyfunc loader module is in code/");
	free(text);
	is_int(mmp_model_load_dir(&l, tmp_path("multi")), 0, "load it");
	if (l) {
		mmp_model_predict(l, va.x, va.n, 3, p2);
		ok(!memcmp(p, p2, va.n * 3 * sizeof(float)),
			"loaded model predicts the same bits");
		ls = mmp_model_schema_of(l);
		is_int((long long)ls->features[1].ncategories, 4,
			"categories saved");
		is_str(ls->features[1].categories[3], "yellow",
			"category order kept");
		is_int(ls->features[1].kind, MMP_FEATURE_CATEGORICAL, "kind");
		is_str(ls->classes[2], "high", "class labels kept");
		is_str(ls->entities[0], "id", "entity columns kept");
		is_str(ls->target, "label", "target kept");
		is_int(mmp_model_task_of(l), MMP_TASK_MULTICLASS, "task");
	}
	mmp_model_free(l);

	sm = train_synth(&tr, &va, "multi:softmax");
	ok(sm != NULL, "multi:softmax training");
	if (sm) {
		is_int((long long)mmp_model_noutputs(sm), 1,
			"softmax: one output (the class)");
		mmp_model_predict(sm, va.x, 1, 3, p2);
		ok(p2[0] == 0 || p2[0] == 1 || p2[0] == 2, "a class code");
		is_int(mmp_model_predict_scores(sm, va.x, va.n, 3, p2), 0,
			"scores from softmax");
		ok(fabs(p2[0] + p2[1] + p2[2] - 1) < 1e-5,
			"softmax scores are probabilities");
	}
	mmp_model_free(sm);
	free(p);
	free(p2);
	mmp_model_free(m);
done:
	free(tr.x);
	free(tr.y);
	free(va.x);
	free(va.y);
}

/* ---- regression ----------------------------------------------------- */

static void test_regression(void)
{
	static const mmp_model_param p[] = {
		{ "max_depth", "2" }, { "eta", "0.1" }
	};
	dataset d;
	mmp_model_train_options o;
	mmp_model_train_result r = MMP_MODEL_TRAIN_RESULT_INIT;
	mmp_model *m = NULL;
	mmp_metric_list ml;
	double r2 = 0;

	if (load_csv(&d, "diabetes.csv") < 0) {
		ok(0, "load diabetes.csv");
		return;
	}
	base_options(&o, &d, MMP_TASK_REGRESSION);
	o.params = p;
	o.nparams = 2;
	o.num_boost_round = 200;
	o.early_stopping_rounds = 15;
	is_int(mmp_model_train(&m, &o, &r), 0, "regression training");
	if (m) {
		is_str(r.metrics[0].name, "rmse", "default metric rmse");
		is_int(mmp_model_task_of(m), MMP_TASK_REGRESSION,
			"task from the objective without a schema");
		mmp_model_evaluate(&ml, m, d.vx, d.nvalid, d.ncols, d.vy);
		is_str(ml.items[0].name, "rmse", "regression metrics");
		mmp_metrics_get(&r2, &ml, "r2");
		ok(r2 > 0.2, "holdout r2 %.3f > 0.2", r2);
		is_int(mmp_model_save_dir(m, tmp_path("noschema"),
			&(mmp_model_dir_info)MMP_MODEL_DIR_INFO_INIT),
			MMP_EINVALID, "no schema: cannot save");
		is_str(mmp_error_last()->message,
			"model has no schema to save", "message");
	}
	mmp_model_train_result_release(&r);
	mmp_model_free(m);
	dataset_free(&d);
}

/* ---- model directory ------------------------------------------------ */

/* the loaded model predicts with mmp's compiled trees; XGBoost, when
 * chosen or asked for in the environment, gives the same bits */
static void test_predictor(mmp_model *l, const dataset *d, const char *dir,
	const float *want)
{
	float *got = calloc(d->nrows, sizeof(float));
	mmp_buf what = MMP_BUF_INIT;
	mmp_model *x = NULL;
	const char *why = "unset";

	is_int(mmp_model_predictor(l, &why), MMP_PREDICTOR_MMP,
		"a loaded gbtree model predicts with mmp's trees");
	ok(why == NULL, "no reason for mmp's predictor");
	mmp_model_predictor_describe(&what, l);
	ok(!strncmp(what.ptr, "mmp forest, ", 12) &&
		strstr(what.ptr, " trees"), "described: %s", what.ptr);
	is_int(mmp_model_set_predictor(l, MMP_PREDICTOR_XGBOOST), 0,
		"choose XGBoost");
	is_int(mmp_model_predictor(l, &why), MMP_PREDICTOR_XGBOOST,
		"XGBoost predicts");
	is_str(why, "chosen", "the reason");
	mmp_model_predict(l, d->x, d->nrows, d->ncols, got);
	ok(!memcmp(want, got, d->nrows * sizeof(float)),
		"XGBoost's predictions have the same bits");
	mmp_buf_clear(&what);
	mmp_model_predictor_describe(&what, l);
	is_str(what.ptr, "xgboost (chosen)", "described");
	is_int(mmp_model_set_predictor(l, MMP_PREDICTOR_MMP), 0,
		"back to mmp's trees");
	is_int(mmp_model_predictor(l, NULL), MMP_PREDICTOR_MMP, "compiled");
	is_int(mmp_model_set_predictor(l, (mmp_predictor)7), MMP_EINVALID,
		"an unknown predictor");

	setenv("MMP_PREDICTOR", "xgboost", 1);
	is_int(mmp_model_load_dir(&x, dir), 0, "load with MMP_PREDICTOR");
	if (x) {
		is_int(mmp_model_predictor(x, &why), MMP_PREDICTOR_XGBOOST,
			"MMP_PREDICTOR=xgboost: XGBoost predicts");
		is_str(why, "MMP_PREDICTOR=xgboost", "the reason names it");
		mmp_model_predict(x, d->x, d->nrows, d->ncols, got);
		ok(!memcmp(want, got, d->nrows * sizeof(float)),
			"same bits through MMP_PREDICTOR");
		mmp_model_free(x);
		x = NULL;
	}
	setenv("MMP_PREDICTOR", "quick", 1);
	is_int(mmp_model_load_dir(&x, dir), MMP_EINVALID,
		"a bad MMP_PREDICTOR");
	is_str(mmp_error_last()->message, "MMP_PREDICTOR is 'quick'; "
		"expected 'mmp' or 'xgboost'", "message");
	ok(x == NULL, "no model");
	unsetenv("MMP_PREDICTOR");
	mmp_buf_dispose(&what);
	free(got);
}

static void test_dir(mmp_model *m, const dataset *d)
{
	mmp_model_dir_info info;
	mmp_model *l = NULL;
	mmp_buf want = MMP_BUF_INIT, attr = MMP_BUF_INIT;
	const char *dir = tmp_path("bin-model");
	char *text;
	float *a, *b;
	size_t i;

	save_info(&info);
	is_int(mmp_model_save_dir(m, dir, &info), 0, "save the model dir");
	mmp_buf_puts(&want, "artifact_path: model\nflavors:\n"
		"  python_function:\n    code: code\n    data: model.ubj\n"
		"    env:\n"
		"      conda: conda.yaml\n      virtualenv: python_env.yaml\n"
		"    loader_module: mmp_pyfunc\n"
		"    python_version: 3.11.2\n  xgboost:\n    code: null\n"
		"    data: model.ubj\n    model_class: xgboost.core.Booster\n"
		"    model_format: ubj\n    xgb_version: 1.7.4\n"
		"mlflow_version: 2.10.2\nmodel_uuid: " UUID "\nrun_id: "
		RUN_ID "\nsignature:\n  inputs: '[");
	for (i = 0; i < d->ncols; i++)
		mmp_buf_printf(&want, "%s{\"type\": \"double\", \"name\": "
			"\"%s\", \"required\": true}", i ? ", " : "",
			d->names[i]);
	mmp_buf_puts(&want, "]'\n  outputs: '[{\"type\": \"string\", "
		"\"name\": \"prediction\", \"required\": true}, "
		"{\"type\": \"float\", \"name\": \"0\", \"required\": true}, "
		"{\"type\": \"float\", \"name\": \"1\", \"required\": true}]'\n"
		"  params: null\n"
		"utc_time_created: '2026-11-23 17:11:40.123000'\n");
	text = read_all(dir, "MLmodel", NULL);
	is_str(text, want.ptr, "MLmodel content");
	free(text);
	text = read_all(dir, "conda.yaml", NULL);
	is_str(text, "channels:\n- conda-forge\ndependencies:\n"
		"- python=3.11.2\n- pip<=23.0.1\n- pip:\n  - mlflow==2.10.2\n"
		"  - xgboost==1.7.4\nname: mlflow-env\n", "conda.yaml");
	free(text);
	text = read_all(dir, "python_env.yaml", NULL);
	is_str(text, "python: 3.11.2\nbuild_dependencies:\n- pip==23.0.1\n"
		"- setuptools==66.1.1\n- wheel==0.38.4\ndependencies:\n"
		"- -r requirements.txt\n", "python_env.yaml");
	free(text);
	text = read_all(dir, "requirements.txt", NULL);
	is_str(text, "mlflow==2.10.2\nxgboost==1.7.4\n", "requirements.txt");
	free(text);
	text = read_all(dir, "mmp-schema.json", NULL);
	ok(text && strstr(text, "\"task\":\t\"binary\"") &&
		strstr(text, "\"classes\":\t[\"0\", \"1\"]"),
		"mmp-schema.json has the task and classes");
	free(text);

	is_int(mmp_model_load_dir(&l, dir), 0, "load the model dir");
	if (!l) {
		diag("%s", mmp_error_last()->message);
		goto done;
	}
	a = calloc(d->nrows, sizeof(float));
	b = calloc(d->nrows, sizeof(float));
	mmp_model_predict(m, d->x, d->nrows, d->ncols, a);
	is_int(mmp_model_predict(l, d->x, d->nrows, d->ncols, b), 0,
		"predict with the loaded model");
	ok(!memcmp(a, b, d->nrows * sizeof(float)),
		"save/load round trip: identical predictions");
	is_int(mmp_model_best_iteration(l), mmp_model_best_iteration(m),
		"best_iteration survives");
	is_int(mmp_model_attr(&attr, l, "mmp_run_id"), MMP_ENOTFOUND,
		"no run id in the model file: it must not depend on the run");
	is_str(mmp_model_run_id(l), RUN_ID, "the run id comes from MLmodel");
	is_int(mmp_model_predict(l, d->x, 1, 29, b), MMP_EINVALID,
		"wrong column count");
	is_str(mmp_error_last()->message, "model expects 30 features, got 29",
		"message");
	is_int(mmp_model_predict(l, d->x, 0, 30, b), 0, "zero rows: fine");
	is_int(mmp_model_set_nthread(l, 1), 0, "set prediction threads");
	mmp_model_predict(l, d->x, d->nrows, d->ncols, b);
	ok(!memcmp(a, b, d->nrows * sizeof(float)), "nthread 1 same bits");
	is_int(mmp_model_attr(&attr, l, "nope"), MMP_ENOTFOUND, "no attr");
	test_predictor(l, d, dir, a);
	free(a);
	free(b);
done:
	mmp_buf_dispose(&want);
	mmp_buf_dispose(&attr);
	mmp_model_free(l);
}

/* ---- prediction from many threads ---------------------------------- */

typedef struct {
	const mmp_model *m;
	const dataset *d;
	const float *want;
	size_t mismatches;
	int errors;
} pred_job;

static void *predict_rows(void *arg)
{
	pred_job *j = arg;
	float out[8];
	size_t i, k, rep;

	for (rep = 0; rep < 20; rep++) {
		for (i = 0; i < j->d->nrows; i++) {
			if (mmp_model_predict(j->m, j->d->x + i * j->d->ncols,
			    1, j->d->ncols, out) < 0)
				j->errors++;
			else if (out[0] != j->want[i])
				j->mismatches++;
		}
		for (i = 0; i + 7 <= j->d->nrows; i += 7) {
			mmp_model_predict(j->m, j->d->x + i * j->d->ncols, 7,
				j->d->ncols, out);
			for (k = 0; k < 7; k++)
				if (out[k] != j->want[i + k])
					j->mismatches++;
		}
	}
	return NULL;
}

/*
 * Four threads predict with one model; `cold`: from a model that has
 * not predicted yet, so that the first calls race to compile the trees
 * (or, with XGBoost, to its first configuration), which must happen
 * once and before any of them predicts.
 */
static void test_threads(const dataset *d, int cold, const char *predictor)
{
	mmp_model *m = NULL, *w = NULL;
	pthread_t th[4];
	pred_job jobs[4];
	float *want;
	size_t i, mism = 0;
	int errs = 0;

	if (predictor)
		setenv("MMP_PREDICTOR", predictor, 1);
	if (mmp_model_load_dir(&m, tmp_path("bin-model")) < 0 ||
	    mmp_model_load_dir(&w, tmp_path("bin-model")) < 0) {
		ok(0, "load for threads: %s", mmp_error_last()->message);
		unsetenv("MMP_PREDICTOR");
		mmp_model_free(m);
		return;
	}
	unsetenv("MMP_PREDICTOR");
	mmp_model_set_nthread(m, 1);
	want = calloc(d->nrows, sizeof(float));
	mmp_model_predict(w, d->x, d->nrows, d->ncols, want);
	if (!cold)
		mmp_model_predict(m, d->x, d->nrows, d->ncols, want);
	for (i = 0; i < 4; i++) {
		jobs[i] = (pred_job){ m, d, want, 0, 0 };
		pthread_create(&th[i], NULL, predict_rows, &jobs[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		mism += jobs[i].mismatches;
		errs += jobs[i].errors;
	}
	is_int(errs, 0, "4 threads x %zu predictions: no error",
		d->nrows * 20 * 2);
	is_int((long long)mism, 0, "4 threads on one %smodel%s%s: same bits "
		"as serial", cold ? "fresh " : "", predictor ? ", " : "",
		predictor ? predictor : "");
	free(want);
	mmp_model_free(m);
	mmp_model_free(w);
}

/* loading, training and choosing threads compile no trees: the first
 * prediction does, once */
static void test_lazy(const dataset *d)
{
	mmp_model *m = NULL, *t = NULL;
	mmp_model_train_options o;
	float out[2];

	if (mmp_model_load_dir(&m, tmp_path("bin-model")) < 0) {
		ok(0, "load for lazy: %s", mmp_error_last()->message);
		return;
	}
	ok(!m->forest && !atomic_load(&m->compiled),
		"a loaded model has no compiled trees yet");
	is_int(mmp_model_set_nthread(m, 1), 0, "set its threads");
	ok(!m->forest && !atomic_load(&m->warmed),
		"still none, and XGBoost has not predicted");
	is_int(mmp_model_predict(m, d->x, 2, d->ncols, out), 0, "predict");
	ok(m->forest && atomic_load(&m->compiled) &&
		!atomic_load(&m->warmed),
		"the first prediction compiled the trees; XGBoost idle");
	mmp_model_free(m);

	base_options(&o, d, MMP_TASK_BINARY);
	o.num_boost_round = 5;
	is_int(mmp_model_train(&t, &o, NULL), 0, "train");
	if (t) {
		ok(!t->forest && !atomic_load(&t->compiled),
			"a trained model has no compiled trees yet");
		is_int(mmp_model_predictor(t, NULL), MMP_PREDICTOR_MMP,
			"asking for the predictor compiles them");
		ok(t->forest != NULL, "compiled");
	}
	mmp_model_free(t);
}

/* ---- XGBoost's Python package reads the same model ------------------ */

static void test_python(const dataset *d)
{
	mmp_model *m = NULL;
	char cmd[4096];
	float *p;
	FILE *f;
	int rc;

	if (system("/usr/bin/python3 -c 'import numpy, xgboost' "
	    ">/dev/null 2>&1") != 0) {
		skip(2, "python3 cannot import xgboost");
		return;
	}
	if (mmp_model_load_dir(&m, tmp_path("bin-model")) < 0) {
		ok(0, "load: %s", mmp_error_last()->message);
		return;
	}
	p = calloc(d->nrows, sizeof(float));
	mmp_model_predict(m, d->x, d->nrows, d->ncols, p);
	f = fopen(tmp_path("rows.f32"), "wb");
	fwrite(d->x, sizeof(float), d->nrows * d->ncols, f);
	fclose(f);
	f = fopen(tmp_path("preds.f32"), "wb");
	fwrite(p, sizeof(float), d->nrows, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "OMP_NUM_THREADS=1 /usr/bin/python3 "
		"%s/check-predict.py %s/model.ubj %s %zu %zu %s %s >%s 2>&1",
		fixtures, tmp_path("bin-model"), tmp_path("rows.f32"),
		d->nrows, d->ncols, tmp_path("preds.f32"), RUN_ID,
		tmp_path("py.out"));
	rc = system(cmd);
	{
		char *out = read_all(tap_tmpdir(), "py.out", NULL);

		is_int(rc, 0, "python xgboost loads model.ubj, names, "
			"attributes");
		is_str(out, "identical\n", "python predictions match mmp's "
			"to the last bit");
		free(out);
	}
	free(p);
	mmp_model_free(m);
}

/* ---- a model file holding rounds past its best iteration ----------- */

static void test_recut(const dataset *d)
{
	mmp_model *bin = NULL, *m = NULL;
	mmp_model_dir_info info;
	char cmd[4096];
	float *want, *got;
	FILE *f;
	int rc;

	if (system("/usr/bin/python3 -c 'import numpy, xgboost' "
	    ">/dev/null 2>&1") != 0) {
		skip(8, "python3 cannot import xgboost");
		return;
	}
	snprintf(cmd, sizeof(cmd), "OMP_NUM_THREADS=1 /usr/bin/python3 "
		"%s/make-uncut.py %s %s %zu %zu %s >%s 2>&1", fixtures,
		tmp_path("bin-model"), tmp_path("rows.f32"), d->nrows,
		d->ncols, tmp_path("uncut"), tmp_path("uncut.out"));
	rc = system(cmd);
	is_int(rc, 0, "python adds 20 rounds past best_iteration");
	if (rc || mmp_model_load_dir(&bin, tmp_path("bin-model")) < 0) {
		skip(7, "no uncut model");
		return;
	}
	want = calloc(d->nrows, sizeof(float));
	got = calloc(d->nrows, sizeof(float));
	mmp_model_predict(bin, d->x, d->nrows, d->ncols, want);
	is_int(mmp_model_load_dir(&m, tmp_path("uncut")), 0,
		"load a model holding more rounds than it uses");
	if (!m)
		goto done;
	is_int(mmp_model_best_iteration(m), mmp_model_best_iteration(bin),
		"best_iteration read from the file");
	mmp_model_predict(m, d->x, d->nrows, d->ncols, got);
	ok(!memcmp(want, got, d->nrows * sizeof(float)),
		"it predicts with the rounds up to best_iteration only");
	save_info(&info);
	is_int(mmp_model_save_dir(m, tmp_path("recut"), &info), 0,
		"save it again");
	mmp_model_predict(m, d->x, d->nrows, d->ncols, got);
	ok(!memcmp(want, got, d->nrows * sizeof(float)),
		"the cut model predicts the same bits");
	f = fopen(tmp_path("recut.f32"), "wb");
	fwrite(got, sizeof(float), d->nrows, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "OMP_NUM_THREADS=1 /usr/bin/python3 "
		"%s/check-predict.py %s/model.ubj %s %zu %zu %s %s >%s 2>&1",
		fixtures, tmp_path("recut"), tmp_path("rows.f32"), d->nrows,
		d->ncols, tmp_path("recut.f32"), RUN_ID,
		tmp_path("recut.out"));
	rc = system(cmd);
	{
		char *out = read_all(tap_tmpdir(), "recut.out", NULL);

		is_int(rc, 0, "the saved file keeps rounds 0..best_iteration");
		is_str(out, "identical\n", "python on all its trees gives "
			"mmp's predictions");
		free(out);
	}
done:
	free(want);
	free(got);
	mmp_model_free(m);
	mmp_model_free(bin);
}

/* ---- schema and load errors ---------------------------------------- */

static void schema_err(const char *json, int code, const char *want,
	const char *what)
{
	mmp_model_schema *s = NULL;

	is_int(mmp_model_schema_from_json(&s, json, strlen(json), "x.json"),
		code, "%s: code", what);
	is_str(mmp_error_last()->message, want, "%s: message", what);
	ok(s == NULL, "%s: no schema", what);
}

static void test_schema(void)
{
	mmp_model_schema *s = synth_schema(), *r = NULL;
	mmp_buf b = MMP_BUF_INIT, b2 = MMP_BUF_INIT;
	const char *cats[] = { "a" };

	mmp_model_schema_to_json(&b, s);
	is_int(mmp_model_schema_from_json(&r, b.ptr, b.size, "x.json"), 0,
		"schema JSON round trip");
	if (r)
		mmp_model_schema_to_json(&b2, r);
	is_str(b2.ptr, b.ptr, "round trip is exact");
	mmp_model_schema_free(r);
	is_int(mmp_model_schema_add_feature(s, "x", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, NULL, 0), MMP_EINVALID, "duplicate feature");
	is_str(mmp_error_last()->message,
		"column 'x' appears twice in the schema", "message");
	is_int(mmp_model_schema_add_entity(s, "label"), MMP_EINVALID,
		"entity named like the target");
	is_int(mmp_model_schema_add_feature(s, "y", MMP_FEATURE_NUMERIC,
		MMP_COLUMN_DOUBLE, cats, 1), MMP_EINVALID,
		"numeric feature with categories");
	is_str(mmp_error_last()->message,
		"numeric feature 'y' cannot have categories", "message");
	is_int(mmp_model_schema_add_class(s, ""), MMP_EINVALID, "empty class");
	is_int(mmp_model_schema_new(&r, MMP_TASK_BINARY, ""), MMP_EINVALID,
		"schema without target");
	mmp_model_schema_free(s);
	mmp_buf_dispose(&b);
	mmp_buf_dispose(&b2);

	schema_err("{", MMP_EINVALID, "x.json: not a JSON object", "not JSON");
	schema_err("{\"format_version\": 2, \"task\": \"binary\"}",
		MMP_EVERSION, "x.json: schema format 2 is newer than this "
		"mmp (1)", "newer format");
	schema_err("{\"format_version\": 1, \"task\": \"ranking\", "
		"\"target\": \"t\"}", MMP_EINVALID, "x.json: field 'task' "
		"must be 'binary', 'multiclass' or 'regression'", "bad task");
	schema_err("{\"format_version\": 1, \"task\": \"regression\", "
		"\"target\": \"t\", \"classes\": [], \"entity_columns\": [], "
		"\"features\": []}", MMP_EINVALID,
		"x.json: field 'features' must be a non-empty array",
		"no features");
	schema_err("{\"format_version\": 1, \"task\": \"regression\", "
		"\"target\": \"t\", \"classes\": [], \"entity_columns\": [], "
		"\"features\": [{\"name\": \"a\", \"kind\": \"text\", "
		"\"type\": \"double\"}]}", MMP_EINVALID,
		"x.json: field 'features[0].kind' must be 'numeric' or "
		"'categorical'", "bad kind");
	schema_err("{\"format_version\": 1, \"task\": \"regression\", "
		"\"target\": \"t\", \"classes\": [], \"entity_columns\": [], "
		"\"features\": [{\"name\": \"a\", \"kind\": \"categorical\", "
		"\"type\": \"string\", \"categories\": [1]}]}", MMP_EINVALID,
		"x.json: field 'features[0].categories' must be an array of "
		"strings", "bad categories");
	schema_err("{\"format_version\": 1, \"task\": \"binary\", "
		"\"target\": \"t\", \"classes\": [\"a\"], "
		"\"entity_columns\": [], \"features\": [{\"name\": \"a\", "
		"\"kind\": \"numeric\", \"type\": \"double\"}]}", MMP_EINVALID,
		"x.json: field 'classes' must list at least 2 classes for "
		"classification", "one class");
	schema_err("{\"format_version\": 1, \"task\": \"regression\", "
		"\"target\": \"t\", \"classes\": [], \"entity_columns\": 3, "
		"\"features\": []}", MMP_EINVALID, "x.json: field "
		"'entity_columns' must be an array of strings", "bad entities");
}

static void test_load_errors(void)
{
	mmp_model *m = NULL;
	char want[2048];
	const char *dir = tmp_path("broken");
	FILE *f;

	is_int(mmp_model_load_dir(&m, tmp_path("nope")), MMP_ENOTFOUND,
		"missing directory");
	snprintf(want, sizeof(want), "model directory '%s' does not exist",
		tmp_path("nope"));
	is_str(mmp_error_last()->message, want, "names the directory");
	mkdir(dir, 0777);
	is_int(mmp_model_load_dir(&m, dir), MMP_ENOTFOUND, "no schema file");
	snprintf(want, sizeof(want), "cannot open '%s/mmp-schema.json': No "
		"such file or directory", dir);
	is_str(mmp_error_last()->message, want, "names the schema file");
	{
		char cmd[2048];

		snprintf(cmd, sizeof(cmd), "cp %s/mmp-schema.json %s/",
			tmp_path("bin-model"), dir);
		system(cmd);
	}
	is_int(mmp_model_load_dir(&m, dir), MMP_ENOTFOUND, "no model.ubj");
	f = fopen(tmp_path("broken/model.ubj"), "wb");
	fputs("{not a model", f);
	fclose(f);
	is_int(mmp_model_load_dir(&m, dir), MMP_EINVALID, "corrupt model");
	snprintf(want, sizeof(want), "cannot load the model '%s/model.ubj': ",
		dir);
	ok(!strncmp(mmp_error_last()->message, want, strlen(want)) &&
		!strchr(mmp_error_last()->message, '\n'),
		"names the file, one line: %s", mmp_error_last()->message);
	f = fopen(tmp_path("broken/model.ubj"), "wb");
	fclose(f);
	is_int(mmp_model_load_dir(&m, dir), MMP_EINVALID, "empty model");
	snprintf(want, sizeof(want), "cannot load the model '%s/model.ubj': "
		"file is empty", dir);
	is_str(mmp_error_last()->message, want, "empty model message");
	{
		char cmd[2048];

		snprintf(cmd, sizeof(cmd), "cp %s/model.ubj %s/ && "
			"cp %s/mmp-schema.json %s/", tmp_path("multi"), dir,
			tmp_path("bin-model"), dir);
		system(cmd);
	}
	is_int(mmp_model_load_dir(&m, dir), MMP_EINVALID,
		"model and schema disagree");
	snprintf(want, sizeof(want), "'%s/model.ubj' has 3 features but the "
		"schema lists 30", dir);
	is_str(mmp_error_last()->message, want, "names the mismatch");
	ok(m == NULL, "no model on errors");
}

/* ---- matrices built once, trained on many times --------------------- */

static const mmp_model_param prebuilt_params[] = {
	{ "objective", "binary:logistic" }, { "max_depth", "4" },
	{ "eta", "0.2" }, { "subsample", "0.7" },
	{ "colsample_bytree", "0.8" }, { "seed", "3" },
	{ "tree_method", "hist" }, { "max_bin", "64" }
};

typedef struct {
	const dataset *d;
	const mmp_model_data *data;
	const mmp_model_param *params;
	size_t nparams;
	float *pred;                  /* nvalid predictions */
	mmp_model_train_result r;
	int rc;
} prebuilt_job;

static void *train_prebuilt(void *arg)
{
	prebuilt_job *j = arg;
	mmp_model_train_options o;
	mmp_model *m = NULL;

	base_options(&o, j->d, MMP_TASK_BINARY);
	o.params = j->params;
	o.nparams = j->nparams;
	o.num_boost_round = 40;
	o.early_stopping_rounds = 5;
	o.nthread = 1;
	o.data = j->data;
	o.holdout_only = j->data != NULL;
	j->rc = mmp_model_train(&m, &o, &j->r);
	j->pred = calloc(j->d->nvalid, sizeof(float));
	if (!j->rc)
		j->rc = mmp_model_predict(m, j->d->vx, j->d->nvalid,
			j->d->ncols, j->pred);
	mmp_model_free(m);
	return NULL;
}

static void prebuilt_release(prebuilt_job *j)
{
	free(j->pred);
	mmp_model_train_result_release(&j->r);
}

static int same_series(const prebuilt_job *a, const prebuilt_job *b)
{
	int i;

	if (a->r.nrounds != b->r.nrounds ||
	    a->r.best_iteration != b->r.best_iteration)
		return 0;
	for (i = 0; i < a->r.nrounds; i++)
		if (a->r.metrics[0].valid[i] != b->r.metrics[0].valid[i])
			return 0;
	return 1;
}

static void test_prebuilt(const dataset *d)
{
	static const mmp_model_param approx[] = {
		{ "objective", "binary:logistic" }, { "max_depth", "3" },
		{ "seed", "3" }, { "tree_method", "approx" }
	};
	prebuilt_job fresh = { d, NULL, prebuilt_params,
		ARRAY_LEN(prebuilt_params), NULL, MMP_MODEL_TRAIN_RESULT_INIT,
		0 };
	prebuilt_job reuse[3];
	mmp_model_train_options o;
	mmp_model_param other[ARRAY_LEN(prebuilt_params)];
	mmp_model_data *data = NULL, *plain = NULL;
	mmp_model *m = NULL;
	pthread_t th[2];
	int i, nan_train = 1;

	base_options(&o, d, MMP_TASK_BINARY);
	o.params = prebuilt_params;
	o.nparams = ARRAY_LEN(prebuilt_params);
	o.nthread = 1;
	is_int(mmp_model_data_new(&data, &o), 0, "prebuilt matrices");
	ok(mmp_model_data_shareable(data), "hist + numeric: shareable");
	ok(mmp_model_data_fits(data, &o), "they fit their own options");
	memcpy(other, prebuilt_params, sizeof(other));
	other[7].value = "32";
	o.params = other;
	ok(!mmp_model_data_fits(data, &o), "not another max_bin");
	o.nparams = ARRAY_LEN(prebuilt_params) - 1;
	ok(!mmp_model_data_fits(data, &o), "not the default max_bin");
	o.params = approx;
	o.nparams = ARRAY_LEN(approx);
	ok(!mmp_model_data_fits(data, &o), "not tree_method approx");
	o.params = prebuilt_params;
	o.nparams = ARRAY_LEN(prebuilt_params);
	o.train_rows--;
	ok(!mmp_model_data_fits(data, &o), "not other rows");
	o.train_rows++;
	o.params = other;
	o.data = data;
	is_int(mmp_model_train(&m, &o, NULL), MMP_EINVALID,
		"training on matrices that do not fit fails");
	ok(strstr(mmp_error_last()->message, "max_bin") != NULL,
		"and names max_bin: %s", mmp_error_last()->message);
	ok(m == NULL, "no model");

	train_prebuilt(&fresh);
	is_int(fresh.rc, 0, "trained on fresh matrices");
	for (i = 0; i < 3; i++) {
		prebuilt_job j = { d, data, prebuilt_params,
			ARRAY_LEN(prebuilt_params), NULL,
			MMP_MODEL_TRAIN_RESULT_INIT, 0 };
		reuse[i] = j;
	}
	train_prebuilt(&reuse[0]);
	is_int(reuse[0].rc, 0, "trained on the prebuilt matrices");
	/* two trainings at once on the same shared matrices */
	pthread_create(&th[0], NULL, train_prebuilt, &reuse[1]);
	pthread_create(&th[1], NULL, train_prebuilt, &reuse[2]);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	for (i = 0; i < 3; i++) {
		ok(reuse[i].rc == 0 && !memcmp(reuse[i].pred, fresh.pred,
			d->nvalid * sizeof(float)), "reuse %d: the same "
			"predictions, bit for bit", i);
		ok(same_series(&reuse[i], &fresh), "reuse %d: the same "
			"holdout values every round and best iteration", i);
	}
	for (i = 0; i < reuse[0].r.nrounds; i++)
		if (!isnan(reuse[0].r.metrics[0].train[i]))
			nan_train = 0;
	ok(nan_train, "holdout only: no training values");
	ok(!isnan(fresh.r.metrics[0].train[0]), "both sets by default");
	for (i = 0; i < 3; i++)
		prebuilt_release(&reuse[i]);
	prebuilt_release(&fresh);

	/* a plain matrix: XGBoost builds its index lazily, per thread */
	o.params = approx;
	o.nparams = ARRAY_LEN(approx);
	o.data = NULL;
	is_int(mmp_model_data_new(&plain, &o), 0, "plain matrices");
	ok(!mmp_model_data_shareable(plain), "approx: not shareable");
	{
		prebuilt_job a = { d, NULL, approx, ARRAY_LEN(approx), NULL,
			MMP_MODEL_TRAIN_RESULT_INIT, 0 };
		prebuilt_job b = { d, plain, approx, ARRAY_LEN(approx), NULL,
			MMP_MODEL_TRAIN_RESULT_INIT, 0 };

		train_prebuilt(&a);
		train_prebuilt(&b);
		ok(!a.rc && !b.rc && !memcmp(a.pred, b.pred,
			d->nvalid * sizeof(float)) && same_series(&a, &b),
			"approx: the same model on plain prebuilt matrices");
		prebuilt_release(&a);
		prebuilt_release(&b);
	}
	mmp_model_data_free(plain);
	o.train_rows = 0;
	is_int(mmp_model_data_new(&plain, &o), MMP_EINVALID,
		"no training rows: rejected");
	ok(plain == NULL, "and nothing built");
	mmp_model_data_free(data);
	mmp_model_data_free(NULL);
}

/* the direction early stopping and the tune pruner both take */
static void test_metric_direction(void)
{
	static const char *const up[] = {
		"auc", "aucpr", "pre", "pre@5", "map", "map-", "map@3",
		"map@3-", "ndcg", "ndcg-", "ndcg@10-"
	};
	static const char *const down[] = {
		"logloss", "mlogloss", "rmse", "mae", "mape", "error",
		"error@0.7", "merror", "auc2", "premium", "mapx"
	};
	size_t i;

	for (i = 0; i < sizeof(up) / sizeof(*up); i++)
		ok(mmp_model__metric_maximize(up[i]), "%s is maximised", up[i]);
	for (i = 0; i < sizeof(down) / sizeof(*down); i++)
		ok(!mmp_model__metric_maximize(down[i]), "%s is minimised",
			down[i]);
}

int main(int argc, char **argv)
{
	dataset d;
	mmp_model *m;
	const char *src = getenv("MMP_SRC_DIR");

	(void)argc;
	(void)argv;
	snprintf(fixtures, sizeof(fixtures), "%s/test/fixtures/model",
		src ? src : ".");
	mmp_global_init();
	test_metric_direction();
	if (load_csv(&d, "breast_cancer.csv") < 0) {
		ok(0, "load %s/breast_cancer.csv", fixtures);
		return done_testing();
	}
	is_int((long long)d.nrows, 569, "569 fixture rows");
	/* first: building matrices is the first XGBoost call of a tuning
	 * session, so it must open the library itself */
	test_prebuilt(&d);
	m = test_binary(&d);
	if (m) {
		test_dir(m, &d);
		test_threads(&d, 0, NULL);
		test_threads(&d, 1, NULL);
		test_threads(&d, 1, "xgboost");
		test_lazy(&d);
		test_python(&d);
		test_recut(&d);
	}
	test_determinism(&d);
	test_cached_scores(&d);
	test_errors(&d);
	test_multiclass();
	if (m)
		test_load_errors();
	test_regression();
	test_schema();
	mmp_model_free(m);
	dataset_free(&d);
	mmp_global_shutdown();
	return done_testing();
}
