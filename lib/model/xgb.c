/* SPDX-License-Identifier: MIT */
/* xgb.c: XGBoost training with early stopping and in-place prediction */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "forest.h"
#include "xgb-internal.h"

/* ---- logging and errors ------------------------------------------- */

/* XGBoost logs on the thread that calls it; training captures the
 * lines it needs (the unknown-parameter warning) here */
static _Thread_local mmp_buf *log_capture;

void mmp_model__xgb_log(const char *msg)
{
	/* log lines are never shown to users; errors come back through
	 * XGBGetLastError() */
	if (log_capture) {
		mmp_buf_puts(log_capture, msg);
		mmp_buf_putc(log_capture, '\n');
	}
}

/* proxy matrices for in-place prediction: one per concurrent caller,
 * kept in a pool rather than per thread, since XGBoost cannot free a
 * matrix cleanly from a thread-exit destructor */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static DMatrixHandle *pool;
static size_t pool_nr, pool_alloc;

static DMatrixHandle proxy_acquire(void)
{
	DMatrixHandle p = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_nr)
		p = pool[--pool_nr];
	pthread_mutex_unlock(&pool_lock);
	if (!p && XGProxyDMatrixCreate(&p) != 0)
		p = NULL;
	return p;
}

static void proxy_release(DMatrixHandle p)
{
	if (!p)
		return;
	pthread_mutex_lock(&pool_lock);
	MMP_ALLOC_GROW(pool, pool_nr + 1, pool_alloc);
	pool[pool_nr++] = p;
	pthread_mutex_unlock(&pool_lock);
}

void mmp_model__global_shutdown(void)
{
	size_t i;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < pool_nr; i++)
		XGDMatrixFree(pool[i]);
	free(pool);
	pool = NULL;
	pool_nr = pool_alloc = 0;
	pthread_mutex_unlock(&pool_lock);
}

int mmp_model__xgb_version(char *out, size_t outlen)
{
	int a, b, c;

	if (mmp_model__xgb_load() < 0)
		return -1;
	XGBoostVersion(&a, &b, &c);
	snprintf(out, outlen, "%d.%d.%d", a, b, c);
	return 0;
}

/* "[18:44:34] ./src/x.cc:26: Unknown objective" -> "Unknown objective" */
static void clean_xgb_message(mmp_buf *out, const char *msg)
{
	const char *p = msg, *end, *q;

	if (!p)
		p = "unknown error";
	if (*p == '[' && (q = strstr(p, "] ")) && q - p < 16)
		p = q + 2;
	q = strstr(p, ".cc:");
	end = strchr(p, '\n');
	if (q && (!end || q < end) && !memchr(p, ' ', (size_t)(q - p))) {
		q += 4;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q[0] == ':' && q[1] == ' ')
			p = q + 2;
	}
	end = strchr(p, '\n');
	mmp_buf_put(out, p, end ? (size_t)(end - p) : strlen(p));
	mmp_buf_rtrim(out);
}

int mmp_model__xgb_error(int code, const char *what)
{
	mmp_buf b = MMP_BUF_INIT;

	clean_xgb_message(&b, XGBGetLastError());
	mmp_error_set(MMP_ERROR_XGB, "%s: %s", what, b.ptr);
	mmp_buf_dispose(&b);
	return code;
}

/* ---- model basics -------------------------------------------------- */

mmp_model *mmp_model__new(void)
{
	mmp_model *m = mmp__calloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void mmp_model_free(mmp_model *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	if (m->booster)
		XGBoosterFree(m->booster);
	free(m->objective);
	free(m->run_id);
	free(m->pyfunc_loader);
	mmp_forest__free(m->forest);
	free(m->predictor_why);
	mmp_model_schema_free(m->schema);
	free(m);
}

size_t mmp_model_noutputs(const mmp_model *m)
{
	return m->noutputs;
}

size_t mmp_model_nfeatures(const mmp_model *m)
{
	return m->nfeatures;
}

mmp_task mmp_model_task_of(const mmp_model *m)
{
	return m->task;
}

int mmp_model_best_iteration(const mmp_model *m)
{
	return m->best_iteration;
}

const mmp_model_schema *mmp_model_schema_of(const mmp_model *m)
{
	return m->schema;
}

int mmp_model_set_schema(mmp_model *m, const mmp_model_schema *s)
{
	mmp_model_schema *copy = NULL;
	int error;

	if (s->nfeatures != m->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"schema has %zu features but the model has %zu",
			s->nfeatures, m->nfeatures);
	if ((error = mmp_model_schema_dup(&copy, s)) < 0)
		return error;
	mmp_model_schema_free(m->schema);
	m->schema = copy;
	m->task = s->task;
	return 0;
}

int mmp_model_attr(mmp_buf *out, const mmp_model *m, const char *key)
{
	const char *v = NULL;
	int ok = 0;

	if (XGBoosterGetAttr(m->booster, key, &v, &ok) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read a model attribute");
	if (!ok || !v)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
			"model has no attribute '%s'", key);
	mmp_buf_puts(out, v);
	return 0;
}

static const char *json_str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

int mmp_model__refresh(mmp_model *m)
{
	bst_ulong len = 0, nf = 0;
	const char *cfg = NULL, *obj, *nc, *v = NULL, *gbm;
	cJSON *root = NULL, *learner;
	int64_t n;
	int ok = 0, rounds = 0, error = 0;

	if (XGBoosterSaveJsonConfig(m->booster, &len, &cfg) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read the model configuration");
	root = cJSON_ParseWithLength(cfg, len);
	learner = cJSON_GetObjectItemCaseSensitive(root, "learner");
	obj = json_str(learner, "objective", "name");
	nc = json_str(learner, "learner_model_param", "num_class");
	if (!obj || !nc || mmp_parse_int64(nc, &n) < 0 || n < 0) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"model configuration has no objective");
		goto done;
	}
	gbm = json_str(learner, "gradient_booster", "name");
	m->linear = gbm && !strcmp(gbm, "gblinear");
	free(m->objective);
	m->objective = mmp__strdup(obj);
	m->num_class = (size_t)n;
	m->noutputs = !strcmp(obj, "multi:softprob") && n > 1 ?
		(size_t)n : 1;
	if (mmp_str_starts_with(obj, "multi:"))
		m->task = MMP_TASK_MULTICLASS;
	else if (mmp_str_starts_with(obj, "binary:"))
		m->task = MMP_TASK_BINARY;
	else
		m->task = MMP_TASK_REGRESSION;
	if (m->schema)
		m->task = m->schema->task;
	if (XGBoosterGetNumFeature(m->booster, &nf) != 0 ||
	    XGBoosterBoostedRounds(m->booster, &rounds) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot read the model shape");
		goto done;
	}
	m->nfeatures = (size_t)nf;
	m->best_iteration = rounds - 1;
	if (XGBoosterGetAttr(m->booster, "best_iteration", &v, &ok) == 0 &&
	    ok && v && mmp_parse_int64(v, &n) == 0 && n >= 0 && n < rounds)
		m->best_iteration = (int)n;
done:
	cJSON_Delete(root);
	return error;
}

/* the booster kind from the configuration: "gbtree", "dart", "gblinear" */
static int booster_kind(mmp_buf *out, BoosterHandle b)
{
	bst_ulong len = 0;
	const char *cfg = NULL, *name;
	cJSON *root;

	if (XGBoosterSaveJsonConfig(b, &len, &cfg) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read the model configuration");
	root = cJSON_ParseWithLength(cfg, len);
	name = json_str(cJSON_GetObjectItemCaseSensitive(root, "learner"),
		"gradient_booster", "name");
	mmp_buf_puts(out, name ? name : "");
	cJSON_Delete(root);
	return 0;
}

/*
 * Keep only the rounds up to the best iteration. XGBoost's Python
 * Booster.predict, MLflow's pyfunc and every other reader of the model
 * file use all the trees it holds, so the trees kept must be the trees
 * evaluated. The sliced booster names its last round as best_iteration
 * (XGBoost drops it and best_score when slicing and keeps the other
 * attributes, best_ntree_limit included), so a reader that honours
 * the attribute cuts nothing more. A linear booster has no rounds to
 * cut: XGBoost predicts with all of its weights whatever the range.
 */
int mmp_model__cut_to_best(mmp_model *m)
{
	BoosterHandle sliced = NULL;
	mmp_buf kind = MMP_BUF_INIT, score = MMP_BUF_INIT;
	const char *v = NULL;
	char num[32];
	int rounds = 0, ok = 0, error = 0;

	if (XGBoosterBoostedRounds(m->booster, &rounds) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read the model shape");
	if (m->best_iteration < 0 || m->best_iteration + 1 >= rounds)
		return 0;
	if ((error = booster_kind(&kind, m->booster)) < 0)
		goto done;
	if (!strcmp(kind.ptr, "gblinear"))
		goto done;
	if (XGBoosterGetAttr(m->booster, "best_score", &v, &ok) == 0 &&
	    ok && v)
		mmp_buf_puts(&score, v);
	if (XGBoosterSlice(m->booster, 0, m->best_iteration + 1, 1,
	    &sliced) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot cut the model to its best iteration");
		goto done;
	}
	snprintf(num, sizeof(num), "%d", m->best_iteration);
	if (XGBoosterSetAttr(sliced, "best_iteration", num) != 0 ||
	    (score.size &&
	     XGBoosterSetAttr(sliced, "best_score", score.ptr) != 0)) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot set the model attributes");
		XGBoosterFree(sliced);
		goto done;
	}
	XGBoosterFree(m->booster);
	m->booster = sliced;
	/* a new booster configures itself at its first prediction */
	atomic_store_explicit(&m->warmed, 0, memory_order_release);
	error = mmp_model__refresh(m);
done:
	mmp_buf_dispose(&kind);
	mmp_buf_dispose(&score);
	return error;
}

/* ---- training ------------------------------------------------------ */

int mmp_model_train_options_init(mmp_model_train_options *o, unsigned int version)
{
	mmp_model_train_options init = MMP_MODEL_TRAIN_OPTIONS_INIT;

	if (version != MMP_MODEL_TRAIN_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported train options version %u", version);
	*o = init;
	return 0;
}

void mmp_model_train_result_release(mmp_model_train_result *r)
{
	size_t i;
	mmp_model_train_result init = MMP_MODEL_TRAIN_RESULT_INIT;

	if (!r)
		return;
	for (i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].train);
		free(r->metrics[i].valid);
	}
	free(r->metrics);
	*r = init;
}

static const char *find_param(const mmp_model_train_options *o, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < o->nparams; i++)
		if (o->params[i].key && !strcmp(o->params[i].key, key))
			v = o->params[i].value;
	return v;
}

/*
 * The threads training uses: the caller's count, else a recipe's
 * nthread parameter (0 here: XGBoost reads it), else one thread for
 * small data, where OpenMP's per-round wake-ups cost more than the
 * work they split (breast cancer trains 5x faster on one thread), else
 * every core.
 */
#define SMALL_DATA_CELLS 1000000
static int train_threads(const mmp_model_train_options *o)
{
	if (o->nthread > 0)
		return o->nthread;
	if (find_param(o, "nthread"))
		return 0;
	if ((double)o->train_rows * (double)o->ncols < SMALL_DATA_CELLS)
		return 1;
	return 0;
}

/* evaluation after training predicts on the threads training used */
static int prediction_threads(const mmp_model_train_options *o)
{
	const char *v = find_param(o, "nthread");
	int64_t n;

	if (o->nthread > 0 || !v)
		return train_threads(o);
	return mmp_parse_int64(v, &n) == 0 && n > 0 && n <= 1024 ?
		(int)n : 0;
}

static int objective_fits(mmp_task task, const char *obj)
{
	switch (task) {
	case MMP_TASK_BINARY:
		return mmp_str_starts_with(obj, "binary:");
	case MMP_TASK_MULTICLASS:
		return mmp_str_starts_with(obj, "multi:");
	case MMP_TASK_REGRESSION:
		return mmp_str_starts_with(obj, "reg:") ||
			mmp_str_starts_with(obj, "count:");
	}
	return 0;
}

static int check_labels(const float *y, size_t n, const char *set,
	const mmp_model_train_options *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		float v = y[i];

		if (isnan(v) || isinf(v))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s label at row %zu is not a number", set,
				i + 1);
		if (o->task == MMP_TASK_BINARY && v != 0.0f && v != 1.0f)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s label at row %zu is %g; a binary task "
				"needs 0 or 1", set, i + 1, (double)v);
		if (o->task == MMP_TASK_MULTICLASS &&
		    (v < 0 || v != floorf(v) || v >= (float)o->num_class))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s label at row %zu is %g; expected a class "
				"code from 0 to %zu", set, i + 1, (double)v,
				o->num_class - 1);
	}
	return 0;
}

static int check_options(const mmp_model_train_options *o)
{
	const char *obj, *nc;
	int64_t n;
	size_t i;
	int error;

	if (!o || o->version != MMP_MODEL_TRAIN_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported train options version");
	if (!mmp_model_task_name(o->task))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown task %d", (int)o->task);
	if (!o->train_x || !o->train_y || !o->train_rows)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no training rows");
	if (!o->ncols || !o->feature_names)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no feature columns");
	if (o->ncols > UINT32_MAX || o->train_rows > INT64_MAX / o->ncols)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"training matrix is too large");
	for (i = 0; i < o->ncols; i++)
		if (!o->feature_names[i] || !*o->feature_names[i])
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"feature %zu has no name", i + 1);
	if (o->valid_rows && (!o->valid_x || !o->valid_y))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"holdout rows given without their data");
	if (o->num_boost_round <= 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"num_boost_round must be positive, got %d",
			o->num_boost_round);
	if (o->early_stopping_rounds < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"early_stopping_rounds must not be negative, got %d",
			o->early_stopping_rounds);
	if (o->early_stopping_rounds && !o->valid_rows)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"early stopping needs holdout rows");
	if (o->task == MMP_TASK_MULTICLASS && o->num_class < 2)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a multiclass task needs num_class >= 2, got %zu",
			o->num_class);
	for (i = 0; i < o->nparams; i++)
		if (!o->params[i].key || !*o->params[i].key ||
		    !o->params[i].value)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"xgboost parameter %zu has no name or value",
				i + 1);
	obj = find_param(o, "objective");
	if (obj && !objective_fits(o->task, obj))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"objective '%s' does not fit a %s task", obj,
			mmp_model_task_name(o->task));
	nc = find_param(o, "num_class");
	if (nc && o->task == MMP_TASK_MULTICLASS &&
	    (mmp_parse_int64(nc, &n) < 0 || n != (int64_t)o->num_class))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"num_class '%s' differs from the %zu classes in the "
			"data", nc, o->num_class);
	if (o->schema && o->schema->nfeatures != o->ncols)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"schema has %zu features but the data has %zu",
			o->schema->nfeatures, o->ncols);
	if ((error = check_labels(o->train_y, o->train_rows, "training",
	    o)) < 0)
		return error;
	if (o->valid_rows && (error = check_labels(o->valid_y,
	    o->valid_rows, "holdout", o)) < 0)
		return error;
	return 0;
}

/* the rows a quantile matrix reads: one batch, the caller's matrix */
struct batch_iter {
	DMatrixHandle proxy;
	const float *x, *y;
	size_t rows, cols;
	int done, failed;
};

static void batch_reset(DataIterHandle h)
{
	((struct batch_iter *)h)->done = 0;
}

static int batch_next(DataIterHandle h)
{
	struct batch_iter *it = h;
	char ai[160];

	if (it->done)
		return 0;
	snprintf(ai, sizeof(ai), "{\"data\":[%" PRIuPTR ",true],\"shape\":"
		"[%zu,%zu],\"typestr\":\"<f4\",\"version\":3}",
		(uintptr_t)it->x, it->rows, it->cols);
	if (XGProxyDMatrixSetDataDense(it->proxy, ai) != 0 ||
	    XGDMatrixSetFloatInfo(it->proxy, "label", it->y,
	    (bst_ulong)it->rows) != 0) {
		it->failed = 1;
		return 0;
	}
	it->done = 1;
	return 1;
}

/*
 * With tree_method hist and numeric features, the training rows go
 * straight into XGBoost's quantised form (a quantile matrix) instead of
 * a sparse copy plus a histogram index built from it: the same model,
 * byte for byte, at a fraction of the memory.
 */
static int use_quantile(const mmp_model_train_options *o)
{
	const char *tm = find_param(o, "tree_method");
	size_t i;

	if (!tm || strcmp(tm, "hist"))
		return 0;
	for (i = 0; o->feature_kinds && i < o->ncols; i++)
		if (o->feature_kinds[i] == MMP_FEATURE_CATEGORICAL)
			return 0;
	return 1;
}

static int make_quantile(DMatrixHandle *out, const float *x, const float *y,
	size_t rows, const mmp_model_train_options *o)
{
	struct batch_iter it = { NULL, x, y, rows, o->ncols, 0, 0 };
	const char *max_bin = find_param(o, "max_bin");
	char config[96];
	int rc;

	snprintf(config, sizeof(config), "{\"missing\":NaN,\"nthread\":%d,"
		"\"max_bin\":%s}", train_threads(o), max_bin ? max_bin : "256");
	if (XGProxyDMatrixCreate(&it.proxy) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot build the xgboost matrix");
	rc = XGQuantileDMatrixCreateFromCallback(&it, it.proxy, NULL,
		batch_reset, batch_next, config, out);
	XGDMatrixFree(it.proxy);
	if (rc != 0 || it.failed)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot build the xgboost matrix");
	return 0;
}

static int make_dmatrix(DMatrixHandle *out, const float *x, const float *y,
	size_t rows, const mmp_model_train_options *o, const char **types,
	int quantile)
{
	DMatrixHandle d = NULL;
	int error;

	if (quantile) {
		if ((error = make_quantile(&d, x, y, rows, o)) < 0)
			return error;
	} else if (XGDMatrixCreateFromMat_omp(x, (bst_ulong)rows,
	    (bst_ulong)o->ncols, NAN, &d, train_threads(o)) != 0) {
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot build the xgboost matrix");
	}
	if ((!quantile && XGDMatrixSetFloatInfo(d, "label", y,
	    (bst_ulong)rows) != 0) ||
	    XGDMatrixSetStrFeatureInfo(d, "feature_name",
	    (const char **)o->feature_names, (bst_ulong)o->ncols) != 0 ||
	    XGDMatrixSetStrFeatureInfo(d, "feature_type", types,
	    (bst_ulong)o->ncols) != 0) {
		XGDMatrixFree(d);
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot set the xgboost matrix labels and features");
	}
	*out = d;
	return 0;
}

static int set_param(BoosterHandle b, const char *k, const char *v)
{
	if (XGBoosterSetParam(b, k, v) != 0)
		return mmp_model__xgb_error(MMP_EINVALID,
			"xgboost rejected a parameter");
	return 0;
}

static int set_params(BoosterHandle b, const mmp_model_train_options *o)
{
	const char *v;
	char num[32];
	size_t i;
	int error;

	if ((error = set_param(b, "validate_parameters", "1")) < 0)
		return error;
	if (!find_param(o, "objective")) {
		const char *def = o->task == MMP_TASK_BINARY ?
			"binary:logistic" : o->task == MMP_TASK_MULTICLASS ?
			"multi:softprob" : "reg:squarederror";

		if ((error = set_param(b, "objective", def)) < 0)
			return error;
	}
	if (o->task == MMP_TASK_MULTICLASS && !find_param(o, "num_class")) {
		snprintf(num, sizeof(num), "%zu", o->num_class);
		if ((error = set_param(b, "num_class", num)) < 0)
			return error;
	}
	for (i = 0; i < o->nparams; i++)
		if ((error = set_param(b, o->params[i].key,
		    o->params[i].value)) < 0)
			return error;
	/* mmp never shows XGBoost's log, but needs its warnings to reject
	 * unknown parameters: keep them on */
	v = find_param(o, "verbosity");
	if (v && !strcmp(v, "0") &&
	    (error = set_param(b, "verbosity", "1")) < 0)
		return error;
	if (o->nthread <= 0 && find_param(o, "nthread"))
		return 0;
	snprintf(num, sizeof(num), "%d", train_threads(o));
	return set_param(b, "nthread", num);
}

/* turn the validate_parameters warning into an error naming them */
static int check_unused(const mmp_buf *log)
{
	const char *p = strstr(log->ptr, "Parameters: {"), *q;
	mmp_buf names = MMP_BUF_INIT;
	int error;

	if (!p || !strstr(p, "are not used"))
		return 0;
	p += strlen("Parameters: {");
	q = strchr(p, '}');
	mmp_buf_put(&names, p, q ? (size_t)(q - p) : strlen(p));
	mmp_buf_rtrim(&names);
	while (names.size && names.ptr[0] == ' ') {
		memmove(names.ptr, names.ptr + 1, names.size);
		names.size--;
	}
	error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_XGB,
		"unknown xgboost parameters: %s", names.ptr);
	mmp_buf_dispose(&names);
	return error;
}

int mmp_model__metric_maximize(const char *metric)
{
	static const char *const max_metrics[] = {
		"auc", "aucpr", "pre", "map", "ndcg"
	};
	size_t i, n;

	for (i = 0; metric && i < ARRAY_SIZE(max_metrics); i++) {
		n = strlen(max_metrics[i]);
		/* "map@3", "ndcg-", "ndcg@5-"; not "mape" */
		if (!strncmp(metric, max_metrics[i], n) &&
		    (metric[n] == '\0' || metric[n] == '@' ||
		     !strcmp(metric + n, "-")))
			return 1;
	}
	return 0;
}

typedef struct {
	mmp_model_train_result *r;
	size_t alloc;             /* rounds allocated per series */
} history;

static int series_index(history *h, const char *name, size_t len, int add)
{
	mmp_model_train_result *r = h->r;
	size_t i;

	for (i = 0; i < r->nmetrics; i++)
		if (strlen(r->metrics[i].name) == len &&
		    !memcmp(r->metrics[i].name, name, len))
			return (int)i;
	if (!add)
		return -1;
	r->metrics = mmp__reallocarray(r->metrics, r->nmetrics + 1,
		sizeof(*r->metrics));
	r->metrics[r->nmetrics].name = mmp__strndup(name, len);
	r->metrics[r->nmetrics].train = mmp__calloc(h->alloc, sizeof(double));
	r->metrics[r->nmetrics].valid = mmp__calloc(h->alloc, sizeof(double));
	for (i = 0; i < h->alloc; i++) {
		r->metrics[r->nmetrics].train[i] = NAN;
		r->metrics[r->nmetrics].valid[i] = NAN;
	}
	return (int)r->nmetrics++;
}

/* parse "[i]\ttrain-logloss:0.5\tvalid-logloss:0.6" for round `round` */
static int parse_eval(history *h, const char *s, int round)
{
	const char *p = s, *tab, *colon, *dash;
	int idx;

	while ((tab = strchr(p, '\t')) != NULL) {
		const char *tok = tab + 1, *end = strchr(tok, '\t');
		double v;
		char *vend;
		int valid;

		if (!end)
			end = tok + strlen(tok);
		p = end;
		dash = memchr(tok, '-', (size_t)(end - tok));
		colon = NULL;
		for (const char *c = tok; c < end; c++)
			if (*c == ':')
				colon = c;
		if (!dash || !colon || colon < dash)
			continue;
		if ((size_t)(dash - tok) == 5 && !memcmp(tok, "train", 5))
			valid = 0;
		else if ((size_t)(dash - tok) == 5 && !memcmp(tok, "valid", 5))
			valid = 1;
		else
			continue;
		v = strtod(colon + 1, &vend);
		if (vend == colon + 1)
			continue;
		idx = series_index(h, dash + 1, (size_t)(colon - dash - 1),
			round == 0);
		if (idx < 0)
			continue;
		if (valid)
			h->r->metrics[idx].valid[round] = v;
		else
			h->r->metrics[idx].train[round] = v;
	}
	if (!h->r->nmetrics)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_XGB,
			"cannot parse the xgboost evaluation '%s'", s);
	return 0;
}

static int set_attr_num(BoosterHandle b, const char *k, double v, int isint)
{
	char num[32];

	if (isint)
		snprintf(num, sizeof(num), "%lld", (long long)v);
	else
		mmp_fmt_double(num, v);
	if (XGBoosterSetAttr(b, k, num) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot set a model attribute");
	return 0;
}

/* each row's k margins to class probabilities, as multi:softprob
 * gives them: in double from the row's largest margin, then float32 */
static void softmax_rows(float *out, size_t nrows, size_t k)
{
	size_t i, j;

	for (i = 0; i < nrows; i++) {
		float *r = out + i * k, mx = r[0];
		double sum = 0;

		for (j = 1; j < k; j++)
			if (r[j] > mx)
				mx = r[j];
		for (j = 0; j < k; j++)
			sum += exp((double)r[j] - mx);
		for (j = 0; j < k; j++)
			r[j] = (float)(exp((double)r[j] - mx) / sum);
	}
}

/*
 * The holdout scores of the trees trained so far into o->holdout_scores,
 * as mmp_model_predict_scores() computes them. The round's evaluation
 * has just brought XGBoost's prediction cache of the holdout matrix up
 * to date, so XGBoost copies it (and applies the objective's transform)
 * instead of walking the trees again: its float sums are those of a
 * prediction from scratch, added tree by tree in the same order.
 * 1 when filled, 0 when the output has an unexpected shape, or an error.
 */
static int holdout_snapshot(BoosterHandle b, DMatrixHandle valid,
	const mmp_model_train_options *o)
{
	const char *obj = find_param(o, "objective");
	size_t k = o->task == MMP_TASK_MULTICLASS ? o->num_class : 1, i;
	int margin = obj && (!strcmp(obj, "multi:softmax") ||
		!strcmp(obj, "binary:logitraw"));
	const bst_ulong *shape = NULL;
	bst_ulong dim = 0, total = 1;
	const float *res = NULL;
	float *out = o->holdout_scores;
	char cfg[160];

	snprintf(cfg, sizeof(cfg), "{\"type\":%d,\"training\":false,"
		"\"iteration_begin\":0,\"iteration_end\":0,"
		"\"strict_shape\":false}", margin);
	if (XGBoosterPredictFromDMatrix(b, valid, cfg, &shape, &dim,
	    &res) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read the holdout predictions");
	for (i = 0; i < dim; i++)
		total *= shape[i];
	if (total != (bst_ulong)(o->valid_rows * k))
		return 0;
	memcpy(out, res, o->valid_rows * k * sizeof(float));
	/* the transforms mmp_model_predict_scores() applies to margins */
	if (obj && !strcmp(obj, "binary:logitraw")) {
		for (i = 0; i < o->valid_rows; i++)
			out[i] = (float)(1.0 / (1.0 + exp(-(double)out[i])));
	} else if (margin) {
		softmax_rows(out, o->valid_rows, k);
	}
	return 1;
}

/* ---- matrices built once, trained on many times -------------------- */

struct mmp_model_data {
	DMatrixHandle dm[2];
	size_t ntrain, nvalid, ncols;
	int quantile;
	char *max_bin;            /* quantile: the max_bin param, or NULL */
};

static const char **feature_types(const mmp_model_train_options *o)
{
	const char **types = mmp__calloc(o->ncols, sizeof(*types));
	size_t i;

	for (i = 0; i < o->ncols; i++)
		types[i] = o->feature_kinds &&
			o->feature_kinds[i] == MMP_FEATURE_CATEGORICAL ?
			"c" : "q";
	return types;
}

static int build_matrices(DMatrixHandle dm[2], const mmp_model_train_options *o,
	const char **types, int quantile)
{
	int error;

	if ((error = make_dmatrix(&dm[0], o->train_x, o->train_y,
	    o->train_rows, o, types, quantile)) < 0)
		return error;
	if (o->valid_rows && (error = make_dmatrix(&dm[1], o->valid_x,
	    o->valid_y, o->valid_rows, o, types, 0)) < 0) {
		XGDMatrixFree(dm[0]);
		dm[0] = NULL;
		return error;
	}
	return 0;
}

int mmp_model_data_new(mmp_model_data **out, const mmp_model_train_options *o)
{
	mmp_model_data *d;
	const char **types;
	const char *mb;
	int error;

	*out = NULL;
	if ((error = check_options(o)) < 0 ||
	    (error = mmp_model__xgb_load()) < 0)
		return error;
	d = mmp__calloc(1, sizeof(*d));
	d->quantile = use_quantile(o);
	d->ntrain = o->train_rows;
	d->nvalid = o->valid_rows;
	d->ncols = o->ncols;
	mb = find_param(o, "max_bin");
	d->max_bin = mb ? mmp__strdup(mb) : NULL;
	types = feature_types(o);
	error = build_matrices(d->dm, o, types, d->quantile);
	free(types);
	if (error < 0) {
		mmp_model_data_free(d);
		return error;
	}
	*out = d;
	return 0;
}

int mmp_model_data_fits(const mmp_model_data *d,
	const mmp_model_train_options *o)
{
	const char *mb;

	if (!d || !o || d->ncols != o->ncols || d->ntrain != o->train_rows ||
	    d->nvalid != o->valid_rows || d->quantile != use_quantile(o))
		return 0;
	/* a quantised matrix holds the bins of one max_bin; a plain one
	 * lets XGBoost rebuild its index when max_bin changes */
	if (!d->quantile)
		return 1;
	mb = find_param(o, "max_bin");
	return (!mb && !d->max_bin) || (mb && d->max_bin &&
		!strcmp(mb, d->max_bin));
}

int mmp_model_data_shareable(const mmp_model_data *d)
{
	return d && d->quantile;
}

void mmp_model_data_free(mmp_model_data *d)
{
	if (!d)
		return;
	if (d->dm[0])
		XGDMatrixFree(d->dm[0]);
	if (d->dm[1])
		XGDMatrixFree(d->dm[1]);
	free(d->max_bin);
	free(d);
}

int mmp_model_train(mmp_model **out, const mmp_model_train_options *o,
	mmp_model_train_result *result)
{
	DMatrixHandle dm[2] = { NULL, NULL }, *eval_dm;
	const char *names[2] = { "train", "valid" }, **eval_names;
	const char **types = NULL;
	mmp_model *m = NULL;
	mmp_model_train_result res = MMP_MODEL_TRAIN_RESULT_INIT;
	history h;
	mmp_buf log = MMP_BUF_INIT;
	bst_ulong ndm, neval;
	double start, best = NAN;
	int error, round, best_round = 0, since_best = 0, track = -1;
	int threads, snap;
	char num[32];

	*out = NULL;
	if ((error = check_options(o)) < 0 ||
	    (error = mmp_model__xgb_load()) < 0)
		return error;
	if (o->data && !mmp_model_data_fits(o->data, o))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the prebuilt matrices do not fit these rows or "
			"params (rows, columns, tree_method, max_bin)");
	h.r = &res;
	h.alloc = (size_t)o->num_boost_round;
	types = feature_types(o);
	if (o->data) {
		dm[0] = o->data->dm[0];
		dm[1] = o->data->dm[1];
	} else if ((error = build_matrices(dm, o, types,
	    use_quantile(o))) < 0) {
		goto done;
	}
	ndm = o->valid_rows ? 2 : 1;
	/* holdout only: evaluate the one matrix, under its own name */
	eval_dm = dm;
	eval_names = names;
	neval = ndm;
	if (o->holdout_only && o->valid_rows) {
		eval_dm = &dm[1];
		eval_names = &names[1];
		neval = 1;
	}
	if (o->inputs_built)
		o->inputs_built(o->payload);
	m = mmp_model__new();
	if (XGBoosterCreate(dm, ndm, &m->booster) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot create the booster");
		goto done;
	}
	if (XGBoosterSetStrFeatureInfo(m->booster, "feature_name",
	    (const char **)o->feature_names, (bst_ulong)o->ncols) != 0 ||
	    XGBoosterSetStrFeatureInfo(m->booster, "feature_type", types,
	    (bst_ulong)o->ncols) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot set the booster features");
		goto done;
	}
	if ((error = set_params(m->booster, o)) < 0)
		goto done;
	threads = train_threads(o);
	/* the holdout scores come from the prediction cache, for trees:
	 * a linear booster keeps its last weights, dart drops trees */
	snap = o->holdout_scores && o->valid_rows &&
		(!find_param(o, "booster") ||
		 !strcmp(find_param(o, "booster"), "gbtree"));
	if (o->schema && (error = mmp_model_schema_dup(&m->schema,
	    o->schema)) < 0)
		goto done;

	/* XGBoost keeps the log callback per thread */
	XGBRegisterLogCallback(mmp_model__xgb_log);
	start = mmp_time_mono();
	for (round = 0; round < o->num_boost_round; round++) {
		const char *ev = NULL;
		mmp_model_progress p;
		double score;
		int rc, want;

		/* a live booster takes a new nthread at its next round */
		want = o->round_threads ? o->round_threads(o->payload) : 0;
		if (want > 0 && want != threads) {
			snprintf(num, sizeof(num), "%d", want);
			if ((error = set_param(m->booster, "nthread", num)) < 0)
				goto done;
			threads = want;
		}
		log_capture = round == 0 ? &log : NULL;
		rc = XGBoosterUpdateOneIter(m->booster, round, dm[0]);
		log_capture = NULL;
		if (rc != 0) {
			error = mmp_model__xgb_error(round == 0 ? MMP_EINVALID :
				MMP_ERROR, "xgboost training failed");
			goto done;
		}
		if (round == 0 && (error = check_unused(&log)) < 0)
			goto done;
		if (XGBoosterEvalOneIter(m->booster, round, eval_dm,
		    eval_names, neval, &ev) != 0) {
			error = mmp_model__xgb_error(MMP_ERROR,
				"xgboost evaluation failed");
			goto done;
		}
		if ((error = parse_eval(&h, ev, round)) < 0)
			goto done;
		if (round == 0) {
			track = (int)res.nmetrics - 1;
			if (o->early_stopping_metric) {
				track = series_index(&h,
					o->early_stopping_metric,
					strlen(o->early_stopping_metric), 0);
				if (track < 0) {
					error = mmp_error_ret(MMP_EINVALID,
						MMP_ERROR_INVALID,
						"early stopping metric '%s' is "
						"not evaluated",
						o->early_stopping_metric);
					goto done;
				}
			}
			res.stop_metric = (size_t)track;
		}
		res.nrounds = round + 1;
		score = o->valid_rows ? res.metrics[track].valid[round] :
			res.metrics[track].train[round];
		if (round == 0 || (mmp_model__metric_maximize(
		    res.metrics[track].name) ? score > best : score < best)) {
			best = score;
			best_round = round;
			since_best = 0;
			if (snap && o->early_stopping_rounds &&
			    (snap = holdout_snapshot(m->booster, dm[1],
			    o)) < 0) {
				error = snap;
				goto done;
			}
		} else {
			since_best++;
		}
		if (o->progress) {
			p.round = round;
			p.num_boost_round = o->num_boost_round;
			p.metric = res.metrics[track].name;
			p.train_value = res.metrics[track].train[round];
			p.valid_value = res.metrics[track].valid[round];
			p.best_iteration = o->early_stopping_rounds ?
				best_round : round;
			p.best_score = o->early_stopping_rounds ? best :
				score;
			p.elapsed = mmp_time_mono() - start;
			if (o->progress(&p, o->payload)) {
				error = mmp_error_ret(MMP_EINTERRUPTED,
					MMP_ERROR_MODEL, "training "
					"interrupted at round %d", round);
				goto done;
			}
		}
		if (o->early_stopping_rounds &&
		    since_best >= o->early_stopping_rounds) {
			res.stopped_early = 1;
			break;
		}
	}
	res.seconds = mmp_time_mono() - start;
	if (snap && !o->early_stopping_rounds &&
	    (snap = holdout_snapshot(m->booster, dm[1], o)) < 0) {
		error = snap;
		goto done;
	}
	res.holdout_scored = snap;
	if (o->early_stopping_rounds) {
		res.best_iteration = best_round;
		res.best_score = best;
		if ((error = set_attr_num(m->booster, "best_iteration",
		    best_round, 1)) < 0 ||
		    (error = set_attr_num(m->booster, "best_score", best,
		    0)) < 0 ||
		    (error = set_attr_num(m->booster, "best_ntree_limit",
		    best_round + 1, 1)) < 0)
			goto done;
	} else {
		res.best_iteration = res.nrounds - 1;
		res.best_score = o->valid_rows ?
			res.metrics[track].valid[res.nrounds - 1] : NAN;
	}
	if ((error = mmp_model__refresh(m)) < 0 ||
	    (error = mmp_model__cut_to_best(m)) < 0)
		goto done;
	m->nthread = prediction_threads(o);
	if ((error = mmp_model__compile(m)) < 0)
		goto done;
	*out = m;
	m = NULL;
	if (result) {
		*result = res;
		res.metrics = NULL;
		res.nmetrics = 0;
	}
done:
	log_capture = NULL;
	mmp_buf_dispose(&log);
	mmp_model_train_result_release(&res);
	mmp_model_free(m);
	if (dm[0] && !o->data)
		XGDMatrixFree(dm[0]);
	if (dm[1] && !o->data)
		XGDMatrixFree(dm[1]);
	free(types);
	return error;
}

/* ---- prediction ---------------------------------------------------- */

static int check_cols(const mmp_model *m, size_t ncols)
{
	if (ncols != m->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"model expects %zu features, got %zu", m->nfeatures,
			ncols);
	return 0;
}

/*
 * XGBoost's prediction of `rows` into `out` through its in-place path,
 * or for a linear booster (which has none) through a matrix. 0, -1 for
 * an XGBoost error, or how many values came back when they were not
 * nrows * per_row.
 */
static bst_ulong xgb_predict(const mmp_model *m, const float *rows,
	size_t nrows, size_t ncols, int type, float *out, size_t per_row,
	int *rc)
{
	char iface[160], cfg[200];
	const bst_ulong *shape = NULL;
	bst_ulong dim = 0, total = 1, i;
	const float *res = NULL;
	DMatrixHandle d = NULL;

	if (m->linear) {
		/* a linear model predicts with all its weights: no range */
		snprintf(cfg, sizeof(cfg), "{\"type\":%d,\"training\":false,"
			"\"iteration_begin\":0,\"iteration_end\":0,"
			"\"strict_shape\":false}", type);
		*rc = XGDMatrixCreateFromMat_omp(rows, (bst_ulong)nrows,
			(bst_ulong)ncols, NAN, &d, nrows < 4096 ? 1 :
			m->nthread);
		if (*rc == 0)
			*rc = XGBoosterPredictFromDMatrix(m->booster, d, cfg,
				&shape, &dim, &res);
	} else {
		snprintf(iface, sizeof(iface), "{\"data\":[%" PRIuPTR
			",true],\"shape\":[%zu,%zu],\"typestr\":\"<f4\","
			"\"version\":3}", (uintptr_t)rows, nrows, ncols);
		snprintf(cfg, sizeof(cfg), "{\"type\":%d,\"training\":false,"
			"\"iteration_begin\":0,\"iteration_end\":%d,"
			"\"strict_shape\":false,\"missing\":NaN,"
			"\"cache_id\":0}", type, m->best_iteration >= 0 ?
			m->best_iteration + 1 : 0);
		d = proxy_acquire();
		*rc = XGBoosterPredictFromDense(m->booster, iface, cfg, d,
			&shape, &dim, &res);
		proxy_release(d);
		d = NULL;
	}
	if (*rc == 0) {
		for (i = 0; i < dim; i++)
			total *= shape[i];
		/* the result lives in a buffer of this booster and thread */
		if (total == (bst_ulong)(nrows * per_row))
			memcpy(out, res, nrows * per_row * sizeof(float));
	}
	if (d)
		XGDMatrixFree(d);
	return *rc == 0 ? total : 0;
}

static int predict_raw(const mmp_model *m, const float *rows, size_t nrows,
	size_t ncols, int type, float *out, size_t per_row)
{
	mmp_model *mm = (mmp_model *)m;
	bst_ulong total;
	int rc = 0, error, locked = 0;

	if ((error = check_cols(m, ncols)) < 0 || !nrows)
		return error;
	/* XGBoost configures itself at its first prediction, which is
	 * not safe beside another; a linear booster predicts through
	 * XGBoost's matrix cache, which is not either */
	if (m->linear || !atomic_load_explicit(&mm->warmed,
	    memory_order_acquire)) {
		pthread_mutex_lock(&mm->lock);
		locked = 1;
	}
	total = xgb_predict(m, rows, nrows, ncols, type, out, per_row, &rc);
	if (locked && rc == 0)
		atomic_store_explicit(&mm->warmed, 1, memory_order_release);
	if (locked)
		pthread_mutex_unlock(&mm->lock);
	if (rc != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"xgboost prediction failed");
	if (total != (bst_ulong)(nrows * per_row))
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_XGB,
			"xgboost returned %llu values for %zu rows",
			(unsigned long long)total, nrows);
	return 0;
}

/* ---- the predictor ------------------------------------------------- */

/*
 * Compile `m`'s trees into `*out`. 0 with `*out` NULL and the reason in
 * `why` when mmp's predictor cannot serve this model (a feature it does
 * not handle, or trees that disagree with the booster's shape); < 0
 * with the error set when compiling itself failed.
 */
static int compile_forest(const mmp_model *m, mmp_forest **out,
	mmp_buf *why)
{
	mmp_forest *f = NULL;
	int err;

	*out = NULL;
	if ((err = mmp_forest__from_model(&f, m, why)) < 0 || !f)
		return err;
	if (mmp_forest__nfeatures(f) != m->nfeatures ||
	    mmp_forest__noutputs(f, 0) != m->noutputs) {
		mmp_buf_printf(why, "compiled trees have %zu features and "
			"%zu outputs, the booster %zu and %zu",
			mmp_forest__nfeatures(f), mmp_forest__noutputs(f, 0),
			m->nfeatures, m->noutputs);
		mmp_forest__free(f);
		return 0;
	}
	*out = f;
	return 0;
}

int mmp_model__compile(mmp_model *m)
{
	const char *env = getenv("MMP_PREDICTOR");

	mmp_forest__free(m->forest);
	m->forest = NULL;
	free(m->predictor_why);
	m->predictor_why = NULL;
	atomic_store_explicit(&m->compiled, 0, memory_order_relaxed);
	if (env && *env && strcmp(env, "mmp")) {
		if (strcmp(env, "xgboost"))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"MMP_PREDICTOR is '%s'; expected 'mmp' or "
				"'xgboost'", env);
		m->predictor_why = mmp__strdup("MMP_PREDICTOR=xgboost");
		atomic_store_explicit(&m->compiled, 1, memory_order_relaxed);
	}
	return 0;
}

/*
 * Compile the trees now if no one has: the first prediction (or
 * question about the predictor) pays for it, once, while other threads
 * wanting the model wait. A failure leaves XGBoost predicting, with
 * the reason.
 */
static void ensure_compiled(const mmp_model *cm)
{
	mmp_model *m = (mmp_model *)cm;
	mmp_buf why = MMP_BUF_INIT;
	mmp_forest *f = NULL;

	if (atomic_load_explicit(&m->compiled, memory_order_acquire))
		return;
	pthread_mutex_lock(&m->lock);
	if (atomic_load_explicit(&m->compiled, memory_order_relaxed))
		goto done;
	if (compile_forest(m, &f, &why) < 0) {
		/* XGBoost read the model, so it can still predict */
		mmp_buf_clear(&why);
		mmp_buf_printf(&why, "cannot compile the trees: %s",
			mmp_error_last()->message);
		mmp_error_clear();
	}
	if (f)
		m->forest = f;
	else
		m->predictor_why = mmp_buf_detach(&why);
	atomic_store_explicit(&m->compiled, 1, memory_order_release);
done:
	pthread_mutex_unlock(&m->lock);
	mmp_buf_dispose(&why);
}

mmp_predictor mmp_model_predictor(const mmp_model *m, const char **why)
{
	ensure_compiled(m);
	if (why)
		*why = m->forest ? NULL : m->predictor_why;
	return m->forest ? MMP_PREDICTOR_MMP : MMP_PREDICTOR_XGBOOST;
}

void mmp_model_predictor_describe(mmp_buf *out, const mmp_model *m)
{
	size_t n;

	ensure_compiled(m);
	if (!m->forest) {
		mmp_buf_printf(out, "xgboost (%s)", m->predictor_why &&
			*m->predictor_why ? m->predictor_why : "chosen");
		return;
	}
	n = mmp_forest__ntrees(m->forest);
	mmp_buf_printf(out, "mmp forest, %zu tree%s", n, n == 1 ? "" : "s");
}

int mmp_model_set_predictor(mmp_model *m, mmp_predictor p)
{
	mmp_forest *f = NULL;
	mmp_buf why = MMP_BUF_INIT;
	int error;

	if (p == MMP_PREDICTOR_XGBOOST) {
		mmp_forest__free(m->forest);
		m->forest = NULL;
		free(m->predictor_why);
		m->predictor_why = mmp__strdup("chosen");
		atomic_store_explicit(&m->compiled, 1, memory_order_release);
		return 0;
	}
	if (p != MMP_PREDICTOR_MMP)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown predictor %d", (int)p);
	if (m->forest)
		return 0;
	if ((error = compile_forest(m, &f, &why)) < 0)
		goto done;
	if (!f) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"mmp's predictor cannot predict with this model: %s",
			why.ptr);
		goto done;
	}
	m->forest = f;
	free(m->predictor_why);
	m->predictor_why = NULL;
	atomic_store_explicit(&m->compiled, 1, memory_order_release);
done:
	mmp_buf_dispose(&why);
	return error;
}

/* XGBoost's output (type 0) or margins (type 1) from the compiled
 * trees when there are some */
static int predict_any(const mmp_model *m, const float *rows, size_t nrows,
	size_t ncols, int type, float *out, size_t per_row)
{
	int error;

	ensure_compiled(m);
	if (!m->forest)
		return predict_raw(m, rows, nrows, ncols, type, out, per_row);
	if ((error = check_cols(m, ncols)) < 0 || !nrows)
		return error;
	return mmp_forest__predict(m->forest, rows, nrows, out, type == 1,
		m->nthread);
}

int mmp_model_predict(const mmp_model *m, const float *rows, size_t nrows,
	size_t ncols, float *out)
{
	return predict_any(m, rows, nrows, ncols, 0, out, m->noutputs);
}

int mmp_model_predict_scores(const mmp_model *m, const float *rows,
	size_t nrows, size_t ncols, float *out)
{
	size_t i, k = m->num_class;
	int error;

	if (m->task == MMP_TASK_MULTICLASS &&
	    !strcmp(m->objective, "multi:softmax")) {
		if ((error = predict_any(m, rows, nrows, ncols, 1, out,
		    k)) < 0)
			return error;
		softmax_rows(out, nrows, k);
		return 0;
	}
	if ((error = mmp_model_predict(m, rows, nrows, ncols, out)) < 0)
		return error;
	if (!strcmp(m->objective, "binary:logitraw"))
		for (i = 0; i < nrows; i++)
			out[i] = (float)(1.0 / (1.0 + exp(-(double)out[i])));
	return 0;
}

int mmp_model_evaluate(mmp_metric_list *out, const mmp_model *m,
	const float *rows, size_t nrows, size_t ncols, const float *y_true)
{
	size_t per = m->task == MMP_TASK_MULTICLASS ? m->num_class : 1;
	float *scores;
	int error;

	if (!nrows)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no rows to evaluate");
	scores = mmp__calloc(nrows * (per ? per : 1), sizeof(float));
	error = mmp_model_predict_scores(m, rows, nrows, ncols, scores);
	if (!error)
		error = mmp_metrics_compute(out, m->task, m->num_class,
			y_true, scores, nrows);
	free(scores);
	return error;
}

int mmp_model_set_nthread(mmp_model *m, int nthread)
{
	char num[32];

	XGBRegisterLogCallback(mmp_model__xgb_log);
	m->nthread = nthread < 0 ? 0 : nthread;
	snprintf(num, sizeof(num), "%d", m->nthread);
	if (XGBoosterSetParam(m->booster, "nthread", num) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot set the prediction threads");
	/* XGBoost configures itself again at its next prediction, which
	 * then runs alone (predict_raw) */
	atomic_store_explicit(&m->warmed, 0, memory_order_release);
	return 0;
}

int mmp_model_importance(double *out, size_t nfeatures, const mmp_model *m)
{
	bst_ulong n = 0, dim = 0, i;
	const char **names = NULL, **fnames = NULL;
	const bst_ulong *shape = NULL;
	const float *scores = NULL;
	bst_ulong nf = 0;
	size_t j;
	char fallback[32];

	for (j = 0; j < nfeatures; j++)
		out[j] = 0;
	if (nfeatures != m->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"model has %zu features, not %zu", m->nfeatures,
			nfeatures);
	/* a linear booster has weights, no splits to gain from */
	if (m->linear)
		return 0;
	if (XGBoosterFeatureScore(m->booster,
	    "{\"importance_type\":\"gain\",\"feature_map\":\"\"}", &n,
	    &names, &dim, &shape, &scores) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot compute feature importance");
	if (dim != 1)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_XGB,
			"unexpected importance shape");
	/* names come back as the booster's feature names (or "f<i>");
	 * map them to column order; copy the scores before the next call
	 * on this booster overwrites them */
	{
		double *tmp = mmp__calloc(n ? n : 1, sizeof(double));
		char **tnames = mmp__calloc(n ? n : 1, sizeof(char *));
		int rc;

		for (i = 0; i < n; i++) {
			tmp[i] = scores[i];
			tnames[i] = mmp__strdup(names[i]);
		}
		rc = XGBoosterGetStrFeatureInfo(m->booster, "feature_name",
			&nf, &fnames);
		for (i = 0; i < n; i++) {
			for (j = 0; j < nfeatures; j++) {
				const char *fn = fallback;

				if (rc == 0 && nf == nfeatures)
					fn = fnames[j];
				else
					snprintf(fallback, sizeof(fallback),
						"f%zu", j);
				if (!strcmp(fn, tnames[i])) {
					out[j] = tmp[i];
					break;
				}
			}
			free(tnames[i]);
		}
		free(tnames);
		free(tmp);
		if (rc != 0)
			return mmp_model__xgb_error(MMP_ERROR,
				"cannot read the feature names");
	}
	return 0;
}

const char *mmp_model_run_id(const mmp_model *m)
{
	return m->run_id;
}

const char *mmp_model_pyfunc_loader(const mmp_model *m)
{
	return m->pyfunc_loader;
}
