/* SPDX-License-Identifier: MIT */
/* study.c: mmp tune: a session of a study: the data and folds, workers
 * that claim trials, sample, train with pruning and record everything */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmp/data.h"
#include "mmp/model.h"
#include "mmp/recipe.h"
#include "mmp/store.h"
#include "mmp/train.h"
#include "model/model-internal.h"
#include "store/tune-internal.h"
#include "train/dataset.h"
#include "train/run-params.h"
#include "train/split.h"
#include "tune-internal.h"

/* how long an idle worker sleeps before it asks the store again */
#define WAIT_MS 25
/* how often a waiting worker looks for trials whose process died */
#define DEAD_CHECK_S 2.0
#define HEARTBEAT_S 5.0

/* one train/validation pair of matrices */
struct fold {
	float *tx, *ty, *vx, *vy;
	size_t ntrain, nvalid;
};

/*
 * XGBoost's matrices of one fold, built once and reused by every trial
 * whose params shape the same matrices (a quantised training matrix
 * holds the bins of one max_bin); shared by every worker when XGBoost
 * builds nothing in them lazily, else owned by one worker.
 */
struct fold_data {
	size_t fold;
	const void *owner;          /* NULL: shared */
	mmp_model_data *d;
	size_t refs;                /* trainings using it now */
	uint64_t last_use;
};

/* kept per fold before the least recently used unused ones go */
#define FOLD_DATA_PER_FOLD 4

struct session {
	const mmp_tune_options *o;
	mmp_tune_result *out;
	mmp_store *store;
	const mmp_recipe *recipe;
	struct mmp_recipe__tune spec;
	mmp_study *study;           /* the header */
	const char *experiment;
	char parent[33];
	int64_t target;

	/* data, read-only once the workers start */
	mmp_frame *frame;
	size_t nfeatures, nclasses;
	const char **names;
	mmp_feature_kind *kinds;
	struct fold *folds;
	size_t nfolds;
	int64_t nrounds;            /* num_boost_round: steps per fold */
	int nthread;                /* XGBoost threads of each worker */
	int budget;                 /* XGBoost threads in all */

	/* fold matrices, under data_lock */
	pthread_mutex_t data_lock;
	struct fold_data *fdata;
	size_t nfdata, afdata;
	uint64_t uses;

	/* shared, under lock */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	mmp_study *cache;           /* final trials 0..cached-1 */
	int64_t cached;
	/* successive halving: the rung values of trials 0..rungs_upto-1 */
	struct mmp_tune__rungs rungs;
	int64_t rungs_upto;
	/* the trials training now, by number; a worker waiting for an
	 * older trial, or out of trials, lends its threads to these */
	int64_t *training;
	size_t ntraining;
	size_t done, total;
	double best_value;
	int64_t best_number;
	double trial_seconds;
	int stop;                   /* the callback asked to stop */
	int err;                    /* the first store error */
	char *errmsg;
	double t0;
};

struct trial {
	struct session *S;
	mmp_store *store;
	const void *worker;
	int64_t number;
	double *x;                  /* internal values */
	mmp_trial_param *params;
	char run_id[33];
	/* pruning */
	const double **curves;
	size_t *ncurve, ncurves, ncomplete;
	struct mmp_tune__pstate ps;
	bool metric_known, maximize;
	char metric[64];            /* XGBoost's tracked metric */
	double *steps;
	size_t nsteps;
	size_t fold;
	bool pruned, stopped;
	double last_beat;
};

/* ---- data ---- */

static int load_data(struct session *S)
{
	return mmp_train__load_data(&S->frame, NULL, S->recipe,
		S->recipe->data.source_abs, 0);
}

static int check_classes(struct session *S)
{
	const mmp_category_table *t = mmp_frame_classes(S->frame);
	size_t k = t ? mmp_category_table_count(t) : 0;

	S->nclasses = k;
	if (S->recipe->task == MMP_TASK_REGRESSION)
		return 0;
	if ((S->recipe->task == MMP_TASK_BINARY && k != 2) || k < 2)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: %s needs %s classes in column '%s', found %zu",
			S->recipe->data.source_shown,
			mmp_task_name(S->recipe->task),
			S->recipe->task == MMP_TASK_BINARY ? "2" :
			"at least 2", S->recipe->data.target_column, k);
	return 0;
}

/* copy the rows `idx` of x/y into fresh matrices */
static void gather(float **ox, float **oy, const float *x, const float *y,
	const size_t *idx, size_t n, size_t nf)
{
	size_t i;

	*ox = mmp__calloc(n * nf > 0 ? n * nf : 1, sizeof(float));
	*oy = mmp__calloc(n ? n : 1, sizeof(float));
	for (i = 0; i < n; i++) {
		memcpy(*ox + i * nf, x + idx[i] * nf, nf * sizeof(float));
		(*oy)[i] = y[idx[i]];
	}
}

/* two ascending index lists into one */
static void merge(size_t *out, const size_t *a, size_t na, const size_t *b,
	size_t nb)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na || j < nb)
		out[k++] = j >= nb || (i < na && a[i] < b[j]) ? a[i++] : b[j++];
}

static int make_folds(struct session *S)
{
	const mmp_recipe *r = S->recipe;
	const float *x = mmp_frame_features(S->frame);
	const float *y = mmp_frame_target(S->frame);
	size_t nf = S->nfeatures, i, k;
	mmp_split sp;
	int err;

	/* the split mmp train makes: trials choose on the validation rows
	 * (or on folds of train+validation) and never see the test rows */
	if ((err = mmp_split_rows(&sp, r, S->frame)) < 0)
		return err;
	if (!S->spec.cv_folds) {
		S->nfolds = 1;
		S->folds = mmp__calloc(1, sizeof(*S->folds));
		gather(&S->folds[0].tx, &S->folds[0].ty, x, y, sp.train,
			sp.ntrain, nf);
		gather(&S->folds[0].vx, &S->folds[0].vy, x, y, sp.valid,
			sp.nvalid, nf);
		S->folds[0].ntrain = sp.ntrain;
		S->folds[0].nvalid = sp.nvalid;
	} else {
		/* k folds of train+validation; the test rows stay unseen */
		size_t m = sp.ntrain + sp.nvalid;

		if (r->split.method == MMP_SPLIT_TIME) {
			mmp_tune_result *o = S->out;

			o->warnings = mmp__realloc(o->warnings,
				(o->nwarnings + 1) * sizeof(*o->warnings));
			o->warnings[o->nwarnings++] = mmp__strdup(
				"tune.cv_folds deals the train and validation "
				"rows into folds at random, not by time: each "
				"trial learns from rows later than some it is "
				"scored on, so trial values can be better than "
				"a time split's (set tune.cv_folds: 0 to choose "
				"on the validation rows)");
		}
		size_t *pool = mmp__calloc(m ? m : 1, sizeof(size_t));
		float *codes = mmp__calloc(m ? m : 1, sizeof(float));
		int *fold = mmp__calloc(m ? m : 1, sizeof(int));
		size_t *ti = mmp__calloc(m ? m : 1, sizeof(size_t));
		size_t *vi = mmp__calloc(m ? m : 1, sizeof(size_t));

		k = (size_t)S->spec.cv_folds;
		if (m < k) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%zu training rows cannot make %zu folds", m,
				k);
			free(pool);
			free(codes);
			free(fold);
			free(ti);
			free(vi);
			mmp_split_release(&sp);
			return err;
		}
		/* in file order, so folds do not depend on the set a row
		 * came from */
		merge(pool, sp.train, sp.ntrain, sp.valid, sp.nvalid);
		for (i = 0; i < m; i++)
			codes[i] = y[pool[i]];
		mmp_tune__folds(fold, m, (int)k, r->task ==
			MMP_TASK_REGRESSION ? NULL : codes, S->nclasses,
			mmp_rng_derive((uint64_t)S->spec.seed, UINT64_MAX));
		S->nfolds = k;
		S->folds = mmp__calloc(k, sizeof(*S->folds));
		for (k = 0; k < S->nfolds; k++) {
			size_t nt = 0, nv = 0;
			for (i = 0; i < m; i++) {
				if ((size_t)fold[i] == k)
					vi[nv++] = pool[i];
				else
					ti[nt++] = pool[i];
			}
			gather(&S->folds[k].tx, &S->folds[k].ty, x, y, ti, nt,
				nf);
			gather(&S->folds[k].vx, &S->folds[k].vy, x, y, vi, nv,
				nf);
			S->folds[k].ntrain = nt;
			S->folds[k].nvalid = nv;
		}
		free(pool);
		free(codes);
		free(fold);
		free(ti);
		free(vi);
	}
	mmp_split_release(&sp);
	return 0;
}

static int prepare_data(struct session *S)
{
	size_t i;
	int err;

	if ((err = load_data(S)) < 0)
		return err;
	if ((err = check_classes(S)) < 0)
		return err;
	S->nfeatures = mmp_frame_nfeatures(S->frame);
	if (!S->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no feature columns left to train on",
			S->recipe->data.source_shown);
	S->names = mmp__calloc(S->nfeatures, sizeof(*S->names));
	S->kinds = mmp__calloc(S->nfeatures, sizeof(*S->kinds));
	for (i = 0; i < S->nfeatures; i++) {
		S->names[i] = mmp_frame_feature_name(S->frame, i);
		S->kinds[i] = mmp_frame_feature_kind(S->frame, i);
	}
	return make_folds(S);
}

/* ---- shared state ---- */

static void session_fail(struct session *S, int err)
{
	pthread_mutex_lock(&S->lock);
	if (!S->err) {
		S->err = err;
		S->errmsg = mmp__strdup(mmp_error_last()->message);
	}
	S->stop = 1;
	pthread_cond_broadcast(&S->changed);
	pthread_mutex_unlock(&S->lock);
}

/* call the progress callback; the caller holds the lock */
static void emit_locked(struct session *S, mmp_tune_event *e)
{
	e->done = S->done;
	e->total = S->total;
	e->best_value = S->best_value;
	e->best_number = S->best_number;
	e->elapsed = mmp_time_mono() - S->t0;
	e->eta = NAN;
	if (S->done && S->total > S->done) {
		size_t jobs = S->out->jobs ? S->out->jobs : 1;
		e->eta = S->trial_seconds / (double)S->done *
			(double)(S->total - S->done) / (double)jobs;
	}
	if (S->o->progress && S->o->progress(e, S->o->payload))
		S->stop = 1;
}

/* make sure the cache holds every final trial numbered below `upto` */
static int fill_cache(struct session *S, mmp_store *store, int64_t upto)
{
	int err = 0;

	if (upto <= S->cached)
		return 0;
	err = mmp_store__trials_read(store, S->cache, S->cached, upto - 1,
		0, 1);
	if (!err) {
		/* trials below `upto` are all final: they are dense now */
		if ((int64_t)S->cache->ntrials != upto)
			return mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
				"study '%s' lost trials below %lld",
				S->study->name, (long long)upto);
		S->cached = upto;
	}
	return err;
}

/* ---- one trial ---- */

/* the recipe's params with the sampled ones in place, plus seed and
 * num_class as mmp train adds them */
static mmp_model_param *trial_params(struct trial *T, size_t *np,
	char *seed, char *ncls)
{
	struct session *S = T->S;
	const mmp_recipe *r = S->recipe;
	size_t n = 0, i, j;
	mmp_model_param *p = mmp__calloc(r->model.n_params +
		S->spec.nparams + 2, sizeof(*p));

	for (i = 0; i < r->model.n_params; i++) {
		const char *key =
			mmp_recipe__param_canonical(r->model.params[i].key);

		for (j = 0; j < S->spec.nparams; j++)
			if (!strcmp(key, mmp_recipe__param_canonical(
			    S->spec.params[j].name)))
				break;
		if (j == S->spec.nparams)
			p[n++] = (mmp_model_param){ r->model.params[i].key,
				r->model.params[i].value };
	}
	for (j = 0; j < S->spec.nparams; j++)
		p[n++] = (mmp_model_param){ T->params[j].name,
			T->params[j].value };
	if (!mmp_recipe_param_get(r, "seed") &&
	    !mmp_recipe_param_get(r, "random_state")) {
		snprintf(seed, 32, "%lld", (long long)r->split.seed);
		p[n++] = (mmp_model_param){ "seed", seed };
	}
	if (r->task == MMP_TASK_MULTICLASS &&
	    !mmp_recipe_param_get(r, "num_class")) {
		snprintf(ncls, 32, "%zu", S->nclasses);
		p[n++] = (mmp_model_param){ "num_class", ncls };
	}
	*np = n;
	return p;
}

/* the direction early stopping takes, so the pruner agrees with it */
static bool metric_up(const char *m)
{
	return mmp_model__metric_maximize(m);
}

static int on_round(const mmp_model_progress *p, void *payload)
{
	struct trial *T = payload;
	struct session *S = T->S;
	mmp_tune_event e = { .stage = MMP_TUNE_ROUND };
	size_t step = T->fold * (size_t)S->nrounds + (size_t)p->round;
	double now = mmp_time_mono(), v = p->valid_value;
	struct mmp_tune__seen seen;
	bool prune;
	int stop;

	if (!T->metric_known) {
		T->metric_known = true;
		T->maximize = p->metric && metric_up(p->metric);
		snprintf(T->metric, sizeof(T->metric), "%s",
			p->metric ? p->metric : "metric");
	}
	if (step < T->nsteps)
		T->steps[step] = v;
	if (now - T->last_beat > HEARTBEAT_S) {
		T->last_beat = now;
		mmp_run_heartbeat(T->store, T->run_id);
		mmp_store__trial_heartbeat(T->store, S->study->id, T->number);
		mmp_error_clear();
	}
	pthread_mutex_lock(&S->lock);
	e.number = T->number;
	emit_locked(S, &e);
	stop = S->stop;
	pthread_mutex_unlock(&S->lock);
	if (stop) {
		T->stopped = true;
		return 1;
	}
	if (S->spec.pruner == MMP_TUNE_PRUNE_NONE)
		return 0;
	memset(&seen, 0, sizeof(seen));
	seen.curves = T->curves;
	seen.ncurve = T->ncurve;
	seen.ncurves = T->ncurves;
	seen.ncomplete = T->ncomplete;
	seen.upto = T->number - S->study->max_parallel;
	if (S->spec.pruner == MMP_TUNE_PRUNE_HALVING) {
		/* another worker's sample() may grow the rungs */
		pthread_mutex_lock(&S->lock);
		seen.rungs = &S->rungs;
		prune = mmp_tune__prune(&S->spec, &seen, &T->ps,
			(int64_t)step, v, T->maximize, NULL, T->number);
		pthread_mutex_unlock(&S->lock);
	} else {
		prune = mmp_tune__prune(&S->spec, &seen, &T->ps,
			(int64_t)step, v, T->maximize, NULL, T->number);
	}
	if (prune) {
		T->pruned = true;
		return 1;
	}
	return 0;
}

/* choose the params of trial T->number from the trials W older */
static int sample(struct trial *T, double *sampler_seconds)
{
	struct session *S = T->S;
	struct mmp_tune__obs *obs;
	size_t i, j, n = 0, np = S->spec.nparams;
	int64_t upto = T->number - S->study->max_parallel + 1;
	double **xs, t;
	mmp_buf b = MMP_BUF_INIT;
	int err;

	if (upto < 0)
		upto = 0;
	pthread_mutex_lock(&S->lock);
	if ((err = fill_cache(S, T->store, upto)) < 0) {
		pthread_mutex_unlock(&S->lock);
		return err;
	}
	obs = mmp__calloc((size_t)upto + 1, sizeof(*obs));
	xs = mmp__calloc((size_t)upto + 1, sizeof(*xs));
	T->curves = mmp__calloc((size_t)upto + 1, sizeof(*T->curves));
	T->ncurve = mmp__calloc((size_t)upto + 1, sizeof(*T->ncurve));
	for (i = 0; i < (size_t)upto; i++) {
		const mmp_trial *h = &S->cache->trials[i];
		struct mmp_tune__obs *o;

		if (h->state != MMP_TRIAL_COMPLETE &&
		    h->state != MMP_TRIAL_PRUNED)
			continue;
		if (h->nparams != np)
			continue;
		o = &obs[n];
		xs[n] = mmp__calloc(np ? np : 1, sizeof(double));
		for (j = 0; j < np; j++)
			xs[n][j] = h->params[j].internal;
		o->number = h->number;
		o->state = h->state;
		o->value = h->value;
		o->x = xs[n];
		o->last_step = -1;
		o->last_value = NAN;
		if (h->state == MMP_TRIAL_PRUNED) {
			for (j = h->nsteps; j > 0; j--)
				if (!isnan(h->steps[j - 1]))
					break;
			if (j > 0) {
				o->last_step = (int64_t)j - 1;
				o->last_value = h->steps[j - 1];
			}
			o->last_maximize = T->maximize;
		} else {
			T->curves[T->ncurves] = h->steps;
			T->ncurve[T->ncurves++] = h->nsteps;
			T->ncomplete++;
		}
		n++;
	}
	/* the rung values of the trials it sees, each replayed against
	 * the trials that one saw, in number order */
	for (; S->rungs_upto < upto; S->rungs_upto++) {
		const mmp_trial *h = &S->cache->trials[S->rungs_upto];

		if ((h->state == MMP_TRIAL_COMPLETE ||
		    h->state == MMP_TRIAL_PRUNED) && h->nparams == np)
			mmp_tune__rungs_replay(&S->rungs, &S->spec,
				h->number, S->study->max_parallel, h->steps,
				h->nsteps, T->maximize);
	}
	pthread_mutex_unlock(&S->lock);

	t = mmp_time_mono();
	mmp_tune__sample(T->x, &S->spec, obs, n, T->number);
	*sampler_seconds += mmp_time_mono() - t;
	for (j = 0; j < np; j++) {
		mmp_buf_clear(&b);
		mmp_tune__format(&b, &S->spec.params[j], T->x[j]);
		T->params[j].name = S->spec.params[j].name;
		T->params[j].value = mmp__strdup(b.ptr);
		T->params[j].internal = T->x[j];
	}
	for (i = 0; i < n; i++)
		free(xs[i]);
	free(xs);
	free(obs);
	mmp_buf_dispose(&b);
	return 0;
}

/* the pruned-trial order needs the intermediate metric's direction: it
 * is XGBoost's (auc, map, ndcg up; the rest down), known from the
 * recipe's eval_metric or the objective's default */
static bool intermediate_up(const mmp_recipe *r)
{
	const char *m = mmp_recipe_param_get(r, "eval_metric");
	const char *last;

	if (!m)
		return false;
	last = strrchr(m, ',');
	last = last ? last + 1 : m;
	while (*last == ' ' || *last == '[')
		last++;
	return metric_up(last);
}

static int start_run(struct trial *T)
{
	struct session *S = T->S;
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	mmp_buf name = MMP_BUF_INIT;
	mmp_kv *kv;
	mmp_model_param *p;
	char seed[32], ncls[32], num[32], rounds[32], esr[32], folds[32];
	mmp_buf joined = MMP_BUF_INIT;
	size_t np, n;
	int err;

	mmp_buf_printf(&name, "%s-trial-%lld", S->study->name,
		(long long)T->number);
	so.experiment = S->experiment;
	so.run_name = name.ptr;
	so.source_name = S->recipe->path;
	so.kind = "trial";
	so.parent_run_id = S->parent;
	err = mmp_run_start(T->store, &so, T->run_id);
	mmp_buf_dispose(&name);
	if (err < 0)
		return err;
	p = trial_params(T, &np, seed, ncls);
	kv = mmp__calloc(np + 4, sizeof(*kv));
	n = mmp_train__run_params(kv, &joined, p, np);
	snprintf(rounds, sizeof(rounds), "%lld",
		(long long)S->recipe->model.num_boost_round);
	snprintf(esr, sizeof(esr), "%lld",
		(long long)S->recipe->model.early_stopping_rounds);
	snprintf(folds, sizeof(folds), "%lld", (long long)S->spec.cv_folds);
	kv[n++] = (mmp_kv){ "num_boost_round", rounds };
	kv[n++] = (mmp_kv){ "early_stopping_rounds", esr };
	kv[n++] = (mmp_kv){ "tune.cv_folds", folds };
	err = mmp_run_log_params(T->store, T->run_id, kv, n);
	mmp_buf_dispose(&joined);
	free(kv);
	free(p);
	if (err < 0)
		return err;
	snprintf(num, sizeof(num), "%lld", (long long)T->number);
	{
		mmp_kv tags[] = {
			{ "mmp.tune.study", S->study->name },
			{ "mmp.tune.trial", num },
			{ "mmp.recipe.path", S->recipe->path },
			{ "mmp.recipe.sha256", S->recipe->sha256 },
		};
		err = mmp_run_set_tags(T->store, T->run_id, tags,
			ARRAY_SIZE(tags));
	}
	if (err < 0)
		return err;
	return mmp_store__trial_begin(T->store, S->study->id, T->number,
		T->run_id, T->params, S->spec.nparams);
}

/* drop unused fold matrices, least recently used first, down to the
 * cap; the caller holds data_lock */
static void trim_fold_data(struct session *S)
{
	size_t cap = FOLD_DATA_PER_FOLD * S->nfolds, i, old;

	while (S->nfdata >= cap) {
		old = S->nfdata;
		for (i = 0; i < S->nfdata; i++)
			if (!S->fdata[i].refs && (old == S->nfdata ||
			    S->fdata[i].last_use < S->fdata[old].last_use))
				old = i;
		if (old == S->nfdata)
			return;
		mmp_model_data_free(S->fdata[old].d);
		S->fdata[old] = S->fdata[--S->nfdata];
	}
}

/* the matrices of fold `k` for the options `mo`: reused, else built */
static int fold_data_get(struct trial *T, size_t k,
	const mmp_model_train_options *mo, struct fold_data **out)
{
	struct session *S = T->S;
	struct fold_data *e;
	mmp_model_data *d;
	size_t i;
	int err;

	pthread_mutex_lock(&S->data_lock);
	for (i = 0; i < S->nfdata; i++) {
		e = &S->fdata[i];
		if (e->fold == k && (!e->owner || e->owner == T->worker) &&
		    mmp_model_data_fits(e->d, mo)) {
			e->refs++;
			e->last_use = ++S->uses;
			*out = e;
			pthread_mutex_unlock(&S->data_lock);
			return 0;
		}
	}
	/* built under the lock: another worker wanting the same fold
	 * waits for it rather than building it twice */
	if ((err = mmp_model_data_new(&d, mo)) < 0) {
		pthread_mutex_unlock(&S->data_lock);
		return err;
	}
	trim_fold_data(S);
	MMP_ALLOC_GROW(S->fdata, S->nfdata + 1, S->afdata);
	e = &S->fdata[S->nfdata++];
	e->fold = k;
	e->owner = mmp_model_data_shareable(d) ? NULL : T->worker;
	e->d = d;
	e->refs = 1;
	e->last_use = ++S->uses;
	*out = e;
	pthread_mutex_unlock(&S->data_lock);
	return 0;
}

static void fold_data_put(struct session *S, struct fold_data *e)
{
	pthread_mutex_lock(&S->data_lock);
	e->refs--;
	pthread_mutex_unlock(&S->data_lock);
}

/* ---- threads ---- */

/*
 * The threads trial `number` trains its next round on: the budget
 * shared among the trials training now, the oldest first getting one
 * more of what does not divide. While a worker waits for an older
 * trial to end, or has no trial left, its threads go to the others:
 * a round later the trials still training use every core. The caller
 * holds the lock.
 */
static int threads_of_locked(const struct session *S, int64_t number)
{
	size_t n = S->ntraining ? S->ntraining : 1, rank = 0, i;
	int share = S->budget / (int)n, extra = S->budget % (int)n;

	for (i = 0; i < S->ntraining; i++)
		if (S->training[i] < number)
			rank++;
	share += (int)rank < extra;
	return share > 0 ? share : 1;
}

static int round_threads(void *payload)
{
	struct trial *T = payload;
	int n;

	pthread_mutex_lock(&T->S->lock);
	n = threads_of_locked(T->S, T->number);
	pthread_mutex_unlock(&T->S->lock);
	return n;
}

/* trial T starts (on = 1) or stops (0) training; returns its threads */
static int training_mark(struct trial *T, int on)
{
	struct session *S = T->S;
	size_t i;
	int n = 0;

	pthread_mutex_lock(&S->lock);
	if (on) {
		S->training[S->ntraining++] = T->number;
		n = threads_of_locked(S, T->number);
	} else {
		for (i = 0; i < S->ntraining; i++)
			if (S->training[i] == T->number)
				break;
		if (i < S->ntraining)
			S->training[i] = S->training[--S->ntraining];
	}
	pthread_mutex_unlock(&S->lock);
	return n;
}

/* train every fold; the value is the mean of the folds' metric */
static int objective(struct trial *T, double *value, double *best_iter,
	char **why)
{
	struct session *S = T->S;
	mmp_model_param *p;
	char seed[32], ncls[32];
	size_t np, k;
	double sum = 0, iters = 0;
	int err = 0, threads;

	p = trial_params(T, &np, seed, ncls);
	threads = training_mark(T, 1);
	for (k = 0; k < S->nfolds; k++) {
		mmp_model_train_options mo = MMP_MODEL_TRAIN_OPTIONS_INIT;
		mmp_model_train_result tr = MMP_MODEL_TRAIN_RESULT_INIT;
		struct fold *f = &S->folds[k];
		struct fold_data *fd = NULL;
		mmp_model *m = NULL;
		mmp_metric_list ml;
		float *scores;
		double v;

		T->fold = k;
		mo.task = S->recipe->task;
		mo.num_class = S->recipe->task == MMP_TASK_MULTICLASS ?
			S->nclasses : 0;
		mo.train_x = f->tx;
		mo.train_y = f->ty;
		mo.train_rows = f->ntrain;
		mo.valid_x = f->vx;
		mo.valid_y = f->vy;
		mo.valid_rows = f->nvalid;
		mo.ncols = S->nfeatures;
		mo.feature_names = S->names;
		mo.feature_kinds = S->kinds;
		mo.params = p;
		mo.nparams = np;
		mo.num_boost_round = (int)S->nrounds;
		mo.early_stopping_rounds =
			(int)S->recipe->model.early_stopping_rounds;
		mo.nthread = threads;
		mo.round_threads = round_threads;
		mo.progress = on_round;
		mo.payload = T;
		/* the trial's value and the pruner read the holdout only */
		mo.holdout_only = 1;
		/* and the scores of the kept trees on them come from
		 * XGBoost's prediction cache, not a second prediction */
		scores = mmp__calloc(f->nvalid * (mo.num_class ?
			mo.num_class : 1) + 1, sizeof(float));
		mo.holdout_scores = scores;
		if ((err = fold_data_get(T, k, &mo, &fd)) < 0) {
			free(scores);
			break;
		}
		mo.data = fd->d;
		err = mmp_model_train(&m, &mo, &tr);
		fold_data_put(S, fd);
		if (!err && tr.holdout_scored)
			err = mmp_metrics_compute(&ml, mo.task, mo.num_class,
				f->vy, scores, f->nvalid);
		else if (!err)
			err = mmp_model_evaluate(&ml, m, f->vx, f->nvalid,
				S->nfeatures, f->vy);
		free(scores);
		if (!err && (err = mmp_metrics_get(&v, &ml,
		    S->spec.metric)) == 0) {
			sum += v;
			iters += tr.best_iteration;
		}
		mmp_model_train_result_release(&tr);
		mmp_model_free(m);
		if (err < 0)
			break;
	}
	training_mark(T, 0);
	free(p);
	if (err == MMP_EINTERRUPTED && (T->pruned || T->stopped))
		return err;
	if (err < 0) {
		*why = mmp__strdup(mmp_error_last()->message);
		mmp_error_clear();
		return MMP_ERROR;
	}
	*value = sum / (double)S->nfolds;
	*best_iter = iters / (double)S->nfolds;
	return 0;
}

/* record the end of the trial and of its run in one transaction */
static int finish(struct trial *T, mmp_trial_state state, double value,
	double best_iter, const char *error, int retry, double secs)
{
	struct session *S = T->S;
	mmp_run_metric *rows;
	mmp_buf key = MMP_BUF_INIT;
	const char *status;
	size_t n = 0, i;
	int64_t now = mmp_time_ms();
	int err;

	rows = mmp__calloc(T->nsteps + 3, sizeof(*rows));
	if (state == MMP_TRIAL_COMPLETE) {
		rows[n++] = (mmp_run_metric){ S->spec.metric, value, 0, now };
		rows[n++] = (mmp_run_metric){ "cv_mean_best_iteration", best_iter, 0,
			now };
	}
	mmp_buf_printf(&key, "valid-%s", T->metric[0] ? T->metric :
		"metric");
	for (i = 0; i < T->nsteps; i++)
		if (!isnan(T->steps[i]))
			rows[n++] = (mmp_run_metric){ key.ptr, T->steps[i],
				(int64_t)i, now };
	status = state == MMP_TRIAL_FAIL ? (retry ? "KILLED" : "FAILED") :
		"FINISHED";
	if ((err = mmp_store__tune_begin(T->store)) < 0)
		goto done;
	if (T->run_id[0]) {
		mmp_kv tag = { "mmp.tune.state", mmp_trial_state_name(state) };
		if ((n && (err = mmp_run_log_metrics(T->store, T->run_id,
				rows, n)) < 0) ||
		    (err = mmp_run_set_tags(T->store, T->run_id, &tag,
				1)) < 0 ||
		    (err = mmp_run_end(T->store, T->run_id, status,
				error)) < 0)
			goto rollback;
	}
	if ((err = mmp_store__trial_end(T->store, S->study->id, T->number,
			state, value, error, retry, secs, T->steps,
			T->nsteps)) < 0)
		goto rollback;
	err = mmp_store__tune_commit(T->store);
	goto done;
rollback:
	mmp_store__tune_rollback(T->store);
done:
	mmp_buf_dispose(&key);
	free(rows);
	return err;
}

static void trial_release(struct trial *T)
{
	size_t j;

	for (j = 0; T->params && j < T->S->spec.nparams; j++)
		free(T->params[j].value);
	free(T->params);
	free(T->x);
	free(T->curves);
	free(T->ncurve);
	free(T->steps);
}

static int run_trial(struct session *S, mmp_store *store,
	const void *worker, int64_t number, double *sampler_seconds)
{
	struct trial T;
	mmp_tune_event e = { .stage = MMP_TUNE_TRIAL_START };
	mmp_trial_state state = MMP_TRIAL_COMPLETE;
	double value = NAN, iters = 0, t0 = mmp_time_mono(), secs;
	char *why = NULL;
	int err, retry = 0;
	size_t i;

	memset(&T, 0, sizeof(T));
	T.S = S;
	T.store = store;
	T.worker = worker;
	T.number = number;
	mmp_tune__pstate_init(&T.ps);
	T.last_beat = t0;
	T.maximize = intermediate_up(S->recipe);
	T.x = mmp__calloc(S->spec.nparams + 1, sizeof(double));
	T.params = mmp__calloc(S->spec.nparams + 1, sizeof(*T.params));
	T.nsteps = S->nfolds * (size_t)S->nrounds;
	T.steps = mmp__calloc(T.nsteps + 1, sizeof(double));
	for (i = 0; i < T.nsteps; i++)
		T.steps[i] = NAN;

	if ((err = sample(&T, sampler_seconds)) < 0 ||
	    (err = start_run(&T)) < 0)
		goto done;
	pthread_mutex_lock(&S->lock);
	e.number = number;
	emit_locked(S, &e);
	pthread_mutex_unlock(&S->lock);

	err = objective(&T, &value, &iters, &why);
	if (err == MMP_EINTERRUPTED && T.pruned) {
		state = MMP_TRIAL_PRUNED;
		value = NAN;
	} else if (err == MMP_EINTERRUPTED) {
		/* stopped by the user: --resume runs it again */
		state = MMP_TRIAL_FAIL;
		retry = 1;
		why = mmp__strdup("the session was interrupted");
	} else if (err < 0) {
		state = MMP_TRIAL_FAIL;
	}
	secs = mmp_time_mono() - t0;
	err = finish(&T, state, value, iters, why, retry, secs);
	if (err < 0)
		goto done;

	pthread_mutex_lock(&S->lock);
	if (!retry) {
		S->done++;
		S->out->ran++;
		S->trial_seconds += secs;
	}
	if (state == MMP_TRIAL_COMPLETE && !isnan(value) &&
	    (S->best_number < 0 || (S->spec.maximize ? value > S->best_value
	    : value < S->best_value))) {
		S->best_value = value;
		S->best_number = number;
	}
	e.stage = MMP_TUNE_TRIAL_END;
	e.state = state;
	e.value = value;
	if (!retry)
		emit_locked(S, &e);
	pthread_cond_broadcast(&S->changed);
	pthread_mutex_unlock(&S->lock);
done:
	free(why);
	trial_release(&T);
	return err;
}

/* ---- workers ---- */

struct worker {
	struct session *S;
	mmp_store *store;          /* NULL: open our own */
	double sampler_seconds, wait_seconds;
	size_t retried;
};

static void wait_a_bit(struct session *S)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAIT_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&S->lock);
	if (!S->stop)
		pthread_cond_timedwait(&S->changed, &S->lock, &ts);
	pthread_mutex_unlock(&S->lock);
}

static void *worker_main(void *arg)
{
	struct worker *W = arg;
	struct session *S = W->S;
	mmp_store *store = W->store;
	double deadline = S->spec.timeout > 0 ? S->t0 + S->spec.timeout : 0;
	double last_dead = mmp_time_mono();
	int err = 0, stop;

	if (!store) {
		err = mmp_store_open(&store, mmp_store_path(S->store),
			MMP_STORE_NO_REAP);
		if (err < 0) {
			session_fail(S, err);
			return NULL;
		}
		mmp_store_set_busy_timeout(store, 60000);
	}
	for (;;) {
		int64_t number = 0;
		int retried = 0, rc;

		pthread_mutex_lock(&S->lock);
		stop = S->stop;
		pthread_mutex_unlock(&S->lock);
		if (stop || (deadline > 0 && mmp_time_mono() >= deadline))
			break;
		rc = mmp_store__trial_claim(store, S->study->id, S->target,
			S->study->max_parallel, &number, &retried);
		if (rc < 0) {
			err = rc;
			break;
		}
		if (rc == MMP_STORE_CLAIM_NONE)
			break;
		if (rc == MMP_STORE_CLAIM_WAIT) {
			double t = mmp_time_mono();
			size_t dead = 0;
			wait_a_bit(S);
			W->wait_seconds += mmp_time_mono() - t;
			if (mmp_time_mono() - last_dead > DEAD_CHECK_S) {
				last_dead = mmp_time_mono();
				mmp_store_reap_dead_runs(store, NULL);
				mmp_error_clear();
				if ((err = mmp_store__trials_fail_dead(store,
				    S->study->id, &dead)) < 0)
					break;
			}
			continue;
		}
		if (retried)
			W->retried++;
		if ((err = run_trial(S, store, W, number,
				&W->sampler_seconds)) < 0)
			break;
	}
	if (err < 0)
		session_fail(S, err);
	if (!W->store) {
		mmp_store_free(store);
		/* the thread's last error dies with it */
		mmp_error_clear();
	}
	return NULL;
}

static int run_workers(struct session *S, size_t jobs)
{
	struct worker *w = mmp__calloc(jobs, sizeof(*w));
	pthread_t *th = mmp__calloc(jobs, sizeof(*th));
	size_t i, started = 0;
	int err = 0;

	for (i = 0; i < jobs; i++)
		w[i].S = S;
	if (jobs == 1) {
		w[0].store = S->store;
		worker_main(&w[0]);
	} else {
		for (i = 0; i < jobs; i++) {
			if (pthread_create(&th[i], NULL, worker_main, &w[i])) {
				err = mmp_error_set_os("cannot start a worker");
				session_fail(S, err);
				break;
			}
			started++;
		}
		for (i = 0; i < started; i++)
			pthread_join(th[i], NULL);
	}
	for (i = 0; i < jobs; i++) {
		S->out->sampler_seconds += w[i].sampler_seconds;
		S->out->wait_seconds += w[i].wait_seconds;
		S->out->retried += w[i].retried;
	}
	free(w);
	free(th);
	return err;
}

/* ---- the session ---- */

static const char *pick_experiment(const mmp_tune_options *o,
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

/* find, create or extend the study */
static int open_study(struct session *S, const char *name,
	const char *space)
{
	const mmp_tune_options *o = S->o;
	struct mmp_store__study_new n;
	int64_t id, add;
	int err;

	err = mmp_store__study_read(S->store, name, &S->study);
	if (err == MMP_ENOTFOUND && !o->resume) {
		mmp_error_clear();
		memset(&n, 0, sizeof(n));
		n.name = name;
		n.recipe_path = S->recipe->path;
		n.recipe_name = S->recipe->name;
		n.metric = S->spec.metric;
		n.maximize = S->spec.maximize;
		n.sampler = S->spec.sampler == MMP_TUNE_RANDOM ? "random" :
			"tpe";
		n.pruner = S->spec.pruner_name;
		n.seed = S->spec.seed;
		n.max_parallel = S->spec.max_parallel;
		n.target = o->trials > 0 ? o->trials : S->spec.trials;
		n.space = space;
		n.dataset_digest = mmp_frame_digest(S->frame);
		err = mmp_store__study_create(S->store, &n, &id);
		if (err == MMP_EEXISTS) {
			/* another process created it meanwhile */
			mmp_error_clear();
			return open_study(S, name, space);
		}
		if (err < 0)
			return err;
		S->out->created = 1;
		return mmp_store__study_read(S->store, name, &S->study);
	}
	if (err == MMP_ENOTFOUND)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_STORE,
			"no study '%s' to resume", name);
	if (err < 0)
		return err;
	if (strcmp(S->study->space, space))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"study '%s' was made with other settings, search "
			"space or recipe values; give a new --study name "
			"(see 'mmp tune show %s')", name, name);
	if (strcmp(S->study->dataset_digest, mmp_frame_digest(S->frame)))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_STORE,
			"study '%s' was made on other data (sha256 %.12s, "
			"now %.12s); give a new --study name", name,
			S->study->dataset_digest, mmp_frame_digest(S->frame));
	if (o->resume)
		return 0;
	add = o->trials > 0 ? o->trials : S->spec.trials;
	if ((err = mmp_store__study_add_target(S->store, S->study->id,
			add)) < 0)
		return err;
	S->study->target += add;
	return 0;
}

static int start_parent(struct session *S, size_t jobs)
{
	mmp_run_start_options so = MMP_RUN_START_OPTIONS_INIT;
	char seed[32], w[32], j[32], folds[32];
	int err;

	so.experiment = S->experiment;
	so.run_name = S->study->name;
	so.source_name = S->recipe->path;
	so.kind = "tune";
	so.unique_name = 1;
	if ((err = mmp_run_start(S->store, &so, S->parent)) < 0)
		return err;
	memcpy(S->out->run_id, S->parent, 33);
	snprintf(seed, sizeof(seed), "%lld", (long long)S->spec.seed);
	snprintf(w, sizeof(w), "%lld", (long long)S->study->max_parallel);
	snprintf(j, sizeof(j), "%zu", jobs);
	snprintf(folds, sizeof(folds), "%lld", (long long)S->spec.cv_folds);
	{
		mmp_kv params[] = {
			{ "tune.study", S->study->name },
			{ "tune.metric", S->spec.metric },
			{ "tune.direction", S->spec.maximize ? "maximize" :
			  "minimize" },
			{ "tune.sampler", S->study->sampler },
			{ "tune.pruner", S->study->pruner },
			{ "tune.cv_folds", folds },
			{ "tune.seed", seed },
			{ "tune.max_parallel", w },
			{ "tune.jobs", j },
		};
		mmp_kv tags[] = {
			{ "mmp.tune.study", S->study->name },
			{ "mmp.recipe.path", S->recipe->path },
			{ "mmp.recipe.name", S->recipe->name },
			{ "mmp.recipe.sha256", S->recipe->sha256 },
			{ "mmp.task", mmp_task_name(S->recipe->task) },
		};
		if ((err = mmp_run_log_params(S->store, S->parent, params,
				ARRAY_SIZE(params))) < 0)
			return err;
		return mmp_run_set_tags(S->store, S->parent, tags,
			ARRAY_SIZE(tags));
	}
}

static int end_parent(struct session *S, int err)
{
	const mmp_study *st = S->out->study;
	mmp_run_metric m[6];
	mmp_buf best = MMP_BUF_INIT;
	char num[32];
	size_t n = 0, i;
	int64_t now = mmp_time_ms();
	int e2 = 0;

	if (st) {
		m[n++] = (mmp_run_metric){ "trials_complete",
			(double)st->ncomplete, 0, now };
		m[n++] = (mmp_run_metric){ "trials_pruned",
			(double)st->npruned, 0, now };
		m[n++] = (mmp_run_metric){ "trials_failed", (double)st->nfail,
			0, now };
		m[n++] = (mmp_run_metric){ "trials_session",
			(double)S->out->ran, 0, now };
		if (st->best >= 0) {
			const mmp_trial *t = &st->trials[st->best];
			m[n++] = (mmp_run_metric){ "best_value", t->value, 0,
				now };
			snprintf(num, sizeof(num), "%lld",
				(long long)t->number);
			for (i = 0; i < t->nparams; i++)
				mmp_buf_printf(&best, "%s%s=%s", i ? " " : "",
					t->params[i].name, t->params[i].value);
		}
		e2 = mmp_run_log_metrics(S->store, S->parent, m, n);
		if (!e2 && st->best >= 0) {
			mmp_kv tags[] = {
				{ "mmp.tune.best_trial", num },
				{ "mmp.tune.best_params", best.ptr },
			};
			e2 = mmp_run_set_tags(S->store, S->parent, tags, 2);
		}
	}
	if (!e2)
		e2 = mmp_run_end(S->store, S->parent, err == 0 ? "FINISHED" :
			err == MMP_EINTERRUPTED ? "KILLED" : "FAILED",
			err < 0 ? mmp_error_last()->message : NULL);
	mmp_buf_dispose(&best);
	return e2;
}

static int retrain(struct session *S)
{
	const mmp_study *st = S->out->study;
	const mmp_trial *t = &st->trials[st->best];
	mmp_train_options to = MMP_TRAIN_OPTIONS_INIT;
	mmp_train_result tr;
	mmp_buf name = MMP_BUF_INIT;
	size_t nset = S->o->noverrides;
	mmp_buf *sets = mmp__calloc(t->nparams + 1, sizeof(*sets));
	const char **ov = mmp__calloc(nset + t->nparams + 1, sizeof(*ov));
	char num[32];
	size_t i;
	int err;

	/* the recipe the trials ran: the session's --set, then the best
	 * trial's draws */
	for (i = 0; i < nset; i++)
		ov[i] = S->o->overrides[i];
	for (i = 0; i < t->nparams; i++) {
		mmp_buf_init(&sets[i], 0);
		mmp_buf_printf(&sets[i], "model.params.%s=%s",
			t->params[i].name, t->params[i].value);
		ov[nset + i] = sets[i].ptr;
	}
	mmp_buf_printf(&name, "%s-best", st->name);
	to.recipe_path = S->recipe->path;
	to.overrides = ov;
	to.noverrides = nset + t->nparams;
	to.experiment = S->experiment;
	to.run_name = name.ptr;
	to.unique_name = 1;     /* every --retrain session trains one */
	to.nthread = S->o->nthread;
	to.config = S->o->config;
	err = mmp_train(&tr, NULL, S->store, &to);
	if (tr.recorded) {
		mmp_kv tags[] = {
			{ "mmp.tune.study", st->name },
			{ "mmp.tune.trial", num },
		};
		snprintf(num, sizeof(num), "%lld", (long long)t->number);
		memcpy(S->out->retrain_run_id, tr.run_id, 33);
		if (!err)
			err = mmp_run_set_tags(S->store, tr.run_id, tags, 2);
	}
	mmp_train_result_release(&tr);
	for (i = 0; i < t->nparams; i++)
		mmp_buf_dispose(&sets[i]);
	free(sets);
	free(ov);
	mmp_buf_dispose(&name);
	return err;
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

size_t mmp_tune__default_jobs(double cells, int budget, int64_t max_parallel)
{
	if (cells > MMP_TUNE__SMALL_CELLS || budget < 2 || max_parallel < 2)
		return 1;
	return (int64_t)budget < max_parallel ? (size_t)budget :
		(size_t)max_parallel;
}

/* the most cells a trial's training matrix has */
static double train_cells(const struct session *S)
{
	double most = 0;
	size_t k;

	for (k = 0; k < S->nfolds; k++)
		if ((double)S->folds[k].ntrain * (double)S->nfeatures > most)
			most = (double)S->folds[k].ntrain *
				(double)S->nfeatures;
	return most;
}

static void session_release(struct session *S)
{
	size_t k;

	for (k = 0; k < S->nfdata; k++)
		mmp_model_data_free(S->fdata[k].d);
	free(S->fdata);
	for (k = 0; k < S->nfolds; k++) {
		free(S->folds[k].tx);
		free(S->folds[k].ty);
		free(S->folds[k].vx);
		free(S->folds[k].vy);
	}
	free(S->folds);
	free((void *)S->names);
	free(S->kinds);
	mmp_frame_free(S->frame);
	mmp_study_free(S->cache);
	mmp_tune__rungs_release(&S->rungs);
	free(S->training);
	mmp_study_free(S->study);
	mmp_recipe__tune_release(&S->spec);
	free(S->errmsg);
}

/* count the trials the study still owes: target minus the final ones */
static int owed(struct session *S, size_t *out)
{
	mmp_study *all = mmp__calloc(1, sizeof(*all));
	size_t i, fin = 0;
	int err;

	all->id = S->study->id;
	err = mmp_store__trials_read(S->store, all, 0, INT64_MAX, 0, 0);
	for (i = 0; !err && i < all->ntrials; i++)
		if (all->trials[i].number < S->target)
			fin++;
	*out = (size_t)S->target > fin ? (size_t)S->target - fin : 0;
	mmp_study_free(all);
	return err;
}

int mmp_tune_run(mmp_tune_result *out, mmp_diag_list **diags,
	mmp_store *store, const mmp_tune_options *o)
{
	mmp_recipe_options ro = MMP_RECIPE_OPTIONS_INIT;
	mmp_recipe *recipe = NULL;
	mmp_buf space = MMP_BUF_INIT;
	struct session S;
	size_t jobs, dead = 0;
	int err, e2, started = 0;

	memset(out, 0, sizeof(*out));
	memset(&S, 0, sizeof(S));
	if (diags)
		*diags = NULL;
	if (!o || o->version != MMP_TUNE_OPTIONS_VERSION || !o->recipe_path ||
	    o->jobs < 0 || o->trials < 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid tuning options");
	S.t0 = mmp_time_mono();
	S.o = o;
	S.out = out;
	S.store = store;
	S.best_value = NAN;
	S.best_number = -1;
	pthread_mutex_init(&S.lock, NULL);
	pthread_mutex_init(&S.data_lock, NULL);
	pthread_cond_init(&S.changed, NULL);

	ro.config = o->config;
	ro.overrides = o->overrides;
	ro.noverrides = o->noverrides;
	if ((err = mmp_recipe_load(&recipe, diags, o->recipe_path, &ro)) < 0)
		goto done;
	S.recipe = recipe;
	if ((err = mmp_tune__spec_load(&S.spec, diags, recipe, o->overrides,
			o->noverrides)) < 0)
		goto done;
	if (o->timeout >= 0)
		S.spec.timeout = o->timeout;
	if (o->seed >= 0)
		S.spec.seed = o->seed;
	mmp_tune__spec_text(&space, &S.spec, recipe);
	S.experiment = pick_experiment(o, recipe);
	S.nrounds = recipe->model.num_boost_round;
	if ((err = prepare_data(&S)) < 0)
		goto done;
	if ((err = open_study(&S, o->study ? o->study : recipe->name,
			space.ptr)) < 0)
		goto done;
	S.target = S.study->target;
	S.cache = mmp__calloc(1, sizeof(*S.cache));
	S.cache->id = S.study->id;
	if ((err = mmp_store__trials_fail_dead(store, S.study->id,
			&dead)) < 0)
		goto done;
	if ((err = owed(&S, &S.total)) < 0)
		goto done;

	S.budget = o->nthread > 0 ? o->nthread : cores();
	jobs = o->jobs > 0 ? (size_t)o->jobs : mmp_tune__default_jobs(
		train_cells(&S), S.budget, S.study->max_parallel);
	if (jobs > (size_t)S.study->max_parallel)
		jobs = (size_t)S.study->max_parallel;
	if (jobs > S.total && S.total)
		jobs = S.total;
	out->jobs = jobs;
	S.nthread = S.budget / (int)jobs;
	if (S.nthread < 1)
		S.nthread = 1;
	out->nthread_per_job = S.nthread;
	S.training = mmp__calloc(jobs, sizeof(*S.training));

	if ((err = start_parent(&S, jobs)) < 0)
		goto done;
	started = 1;
	{
		mmp_tune_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.stage = MMP_TUNE_SESSION_START;
		ev.number = -1;
		ev.value = NAN;
		ev.space = S.study->space;
		ev.default_space = S.spec.default_space;
		pthread_mutex_lock(&S.lock);
		emit_locked(&S, &ev);
		pthread_mutex_unlock(&S.lock);
	}
	if (S.total && !S.stop)
		run_workers(&S, jobs);
	if (S.err) {
		err = S.err;
		mmp_error_set(MMP_ERROR_STORE, "%s", S.errmsg);
	} else if (S.stop) {
		err = mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_INVALID,
			"tuning was interrupted");
	}
done:
	if (S.study) {
		/* keep the first error's message across the bookkeeping */
		char *msg = err < 0 ? mmp__strdup(mmp_error_last()->message) :
			NULL;
		int klass = mmp_error_last()->klass;

		e2 = mmp_study_get(&out->study, store, S.study->name, 0);
		if (e2 < 0 && !err)
			err = e2;
		if (started) {
			if (msg)
				mmp_error_set(klass, "%s", msg);
			e2 = end_parent(&S, err);
			if (e2 < 0 && !err)
				err = e2;
		}
		if (!err && o->retrain && out->study && out->study->best >= 0)
			err = retrain(&S);
		if (msg)
			mmp_error_set(klass, "%s", msg);
		free(msg);
	}
	out->seconds = mmp_time_mono() - S.t0;
	session_release(&S);
	mmp_buf_dispose(&space);
	mmp_recipe_free(recipe);
	pthread_mutex_destroy(&S.lock);
	pthread_mutex_destroy(&S.data_lock);
	pthread_cond_destroy(&S.changed);
	return err;
}

void mmp_tune_result_release(mmp_tune_result *r)
{
	size_t i;

	mmp_study_free(r->study);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
