/* SPDX-License-Identifier: MIT */
/* live.c: live profiles of the rows a server predicts, per time window,
 * saved to the store by a background thread, and the prediction log */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmp/monitor.h"
#include "mmp/store.h"
#include "serve-internal.h"

/*
 * Each worker thread counts rows into a live profile of its own slot
 * (a mutex only the flusher and /metrics ever contend for, never a
 * store write); the flusher thread moves the slots' counts into the
 * open window's profile on a timer and saves it, rewriting the same
 * window row until the window closes. Logged predictions wait in a
 * ring of fixed slots allocated at the start; when it is full they are
 * dropped and counted. Memory is fixed once monitoring starts, whatever
 * the traffic: the profiles never grow, the ring never moves, and the
 * request path never allocates.
 */

#define DEFAULT_WINDOW 3600
#define DEFAULT_FLUSH 60
#define DEFAULT_QUEUE 16384
#define ENTITY_ID_MAX 256
/* how many logged predictions are written per transaction at most */
#define LOG_BATCH 4096

struct live_slot {
	pthread_mutex_t mu;
	mmp_profile *p;
} __attribute__((aligned(64)));

/* one queued prediction; its scores are in the ring's `preds` */
struct log_slot {
	int64_t ts;
	char id[ENTITY_ID_MAX + 1];
};

struct serve_live {
	uint64_t gen;                /* tells servers apart in a thread */
	mmp_server *srv;
	const struct serve_model *sm;
	mmp_profile *ref;
	size_t npred;
	long id_entity;              /* schema entity index; -1: no log */
	char *model;
	int64_t version;
	char instance[320];
	mmp_store *store;            /* the flusher's alone */
	int64_t window_ms, flush_ms;

	struct live_slot *slots;
	size_t nslots;
	atomic_size_t next_slot;

	pthread_mutex_t acc_mu;      /* the open window */
	mmp_profile *acc;
	int64_t win_start, win_end;
	char *pending;               /* a closed window not saved yet */
	int64_t pending_start, pending_end, pending_rows;

	pthread_mutex_t q_mu;        /* the log queue, a ring */
	struct log_slot *q;
	float *preds;                /* q_cap x npred */
	size_t q_cap, q_head, q_n;

	pthread_mutex_t mu;          /* the flusher's wake-up */
	pthread_cond_t cond;
	int stop, wake;
	pthread_t thread;
	int running;
	int failing;                 /* the last store write failed */

	_Atomic uint64_t rows;
	_Atomic uint64_t refused;    /* of them: refused, unknown categories */
	_Atomic uint64_t logged;
	_Atomic uint64_t dropped;
	_Atomic uint64_t windows;
	_Atomic uint64_t errors;
};

static atomic_uint_fast64_t live_gen = 1;

static int64_t align_down(int64_t t, int64_t w)
{
	return t - t % w;
}

static void live_log(struct serve_live *l, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

static void live_log(struct serve_live *l, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	if (!l->srv->log)
		return;
	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mmp_serve__log_scrub(b.ptr);
	l->srv->log(b.ptr, l->srv->payload);
	mmp_buf_dispose(&b);
}

/* this thread's slot: assigned round robin on first use */
static struct live_slot *my_slot(struct serve_live *l)
{
	static _Thread_local uint64_t gen;
	static _Thread_local size_t idx;

	if (gen != l->gen) {
		idx = atomic_fetch_add_explicit(&l->next_slot, 1,
			memory_order_relaxed) % l->nslots;
		gen = l->gen;
	}
	return &l->slots[idx];
}

/* the entity id of one row as text, or NULL: not logged */
static const char *entity_text(const cJSON *v, char num[32])
{
	if (cJSON_IsString(v) && v->valuestring[0] &&
	    strlen(v->valuestring) <= ENTITY_ID_MAX)
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		mmp_fmt_double(num, v->valuedouble);
		return num;
	}
	return NULL;
}

/* queue the predictions of rows with an id (one lock per request) */
static void enqueue(struct serve_live *l, const cJSON *const *ents,
	size_t nent, const float *y, size_t nrows)
{
	int64_t now = mmp_time_ms();
	uint64_t dropped = 0;
	size_t i, half;
	int wake;

	pthread_mutex_lock(&l->q_mu);
	half = l->q_n < l->q_cap / 2;
	for (i = 0; i < nrows; i++) {
		char num[32];
		const char *id = entity_text(ents[i * nent + l->id_entity],
			num);
		size_t at;

		if (!id)
			continue;
		if (l->q_n == l->q_cap) {
			dropped++;
			continue;
		}
		at = (l->q_head + l->q_n++) % l->q_cap;
		l->q[at].ts = now;
		snprintf(l->q[at].id, sizeof(l->q[at].id), "%s", id);
		memcpy(l->preds + at * l->npred, y + i * l->npred,
			l->npred * sizeof(float));
	}
	wake = half && l->q_n >= l->q_cap / 2;
	pthread_mutex_unlock(&l->q_mu);
	if (dropped)
		atomic_fetch_add_explicit(&l->dropped, dropped,
			memory_order_relaxed);
	if (wake) {
		/* half full: write now rather than at the next tick */
		pthread_mutex_lock(&l->mu);
		l->wake = 1;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->mu);
	}
}

void mmp_serve__live_add(struct serve_live *l, const float *x, size_t nrows,
	const float *y, const cJSON *const *ents)
{
	const struct serve_model *sm = l->sm;
	size_t nent = sm->schema->nentities, i;
	struct live_slot *slot;

	if (!nrows)
		return;
	slot = my_slot(l);
	pthread_mutex_lock(&slot->mu);
	for (i = 0; i < nrows; i++)
		mmp_profile_add(slot->p, x + i * sm->nfeatures,
			y + i * sm->noutputs);
	pthread_mutex_unlock(&slot->mu);
	atomic_fetch_add_explicit(&l->rows, nrows, memory_order_relaxed);
	if (l->id_entity >= 0 && ents)
		enqueue(l, ents, nent, y, nrows);
}

void mmp_serve__live_refused(struct serve_live *l,
	const struct serve_rows *rows)
{
	const struct serve_problems *p = &rows->problems;
	size_t nf = l->sm->nfeatures, i, k;
	struct live_slot *slot;

	if (!rows->nrows || !p->unseen || p->unseen != p->count)
		return;
	slot = my_slot(l);
	pthread_mutex_lock(&slot->mu);
	for (i = 0; i < rows->nrows; i++)
		mmp_profile_add(slot->p, rows->x + i * nf, NULL);
	for (i = 0; i < p->nunseen_values; i++)
		for (k = 0; k < p->unseen_values[i].count; k++)
			mmp_profile_add_unseen(slot->p,
				p->unseen_values[i].feature,
				p->unseen_values[i].value);
	pthread_mutex_unlock(&slot->mu);
	atomic_fetch_add_explicit(&l->rows, rows->nrows,
		memory_order_relaxed);
	atomic_fetch_add_explicit(&l->refused, rows->nrows,
		memory_order_relaxed);
}

/* --- the flusher --- */

static void store_failed(struct serve_live *l, const char *what)
{
	atomic_fetch_add_explicit(&l->errors, 1, memory_order_relaxed);
	/* said once until a write succeeds again */
	if (!l->failing)
		live_log(l, "* monitoring: cannot save %s: %s", what,
			mmp_error_last()->message);
	l->failing = 1;
	mmp_error_clear();
}

static int put_window(struct serve_live *l, int64_t start, int64_t end,
	int64_t rows, const char *json)
{
	mmp_monitor_window w;

	memset(&w, 0, sizeof(w));
	w.model = l->model;
	w.version = l->version;
	w.source = "serve";
	w.instance = l->instance;
	w.start_ms = start;
	w.end_ms = end;
	w.rows = rows;
	w.profile = json;
	if (mmp_store_monitor_window_put(l->store, &w) < 0) {
		store_failed(l, "the live profile window");
		return -1;
	}
	l->failing = 0;
	return 0;
}

/* move every slot's counts into `into` (acc_mu held) */
static void collect(struct serve_live *l, mmp_profile *into, int reset)
{
	size_t i;

	for (i = 0; i < l->nslots; i++) {
		pthread_mutex_lock(&l->slots[i].mu);
		mmp_profile_merge(into, l->slots[i].p);
		if (reset)
			mmp_profile_reset(l->slots[i].p);
		pthread_mutex_unlock(&l->slots[i].mu);
	}
}

static void flush_window(struct serve_live *l, int64_t now)
{
	mmp_buf json = MMP_BUF_INIT;
	int64_t start, end, rows;
	int closing;

	/* a closed window that could not be saved goes first */
	if (l->pending && put_window(l, l->pending_start, l->pending_end,
	    l->pending_rows, l->pending) == 0) {
		free(l->pending);
		l->pending = NULL;
		atomic_fetch_add_explicit(&l->windows, 1,
			memory_order_relaxed);
	}
	pthread_mutex_lock(&l->acc_mu);
	collect(l, l->acc, 1);
	rows = mmp_profile_rows(l->acc);
	start = l->win_start;
	closing = now >= l->win_end;
	end = closing ? l->win_end : now;
	if (rows)
		mmp_profile_to_json(l->acc, &json);
	if (closing) {
		mmp_profile_reset(l->acc);
		l->win_start = align_down(now, l->window_ms);
		l->win_end = l->win_start + l->window_ms;
	}
	pthread_mutex_unlock(&l->acc_mu);
	if (!rows)
		goto done;
	if (put_window(l, start, end, rows, json.ptr) == 0) {
		if (closing)
			atomic_fetch_add_explicit(&l->windows, 1,
				memory_order_relaxed);
	} else if (closing) {
		/* keep one closed window for the next try */
		free(l->pending);
		l->pending = mmp_buf_detach(&json);
		l->pending_start = start;
		l->pending_end = end;
		l->pending_rows = rows;
	}
done:
	mmp_buf_dispose(&json);
}

/*
 * Write what is queued now (not what keeps coming: windows are due
 * too). The slots being written stay counted in q_n, so no worker
 * reuses them until they are released.
 */
static void drain_log(struct serve_live *l)
{
	mmp_prediction_log_item *items;
	size_t n, i, left, head;

	pthread_mutex_lock(&l->q_mu);
	left = l->q_n;
	pthread_mutex_unlock(&l->q_mu);
	if (!left)
		return;
	items = mmp__calloc(LOG_BATCH, sizeof(*items));
	while (left) {
		pthread_mutex_lock(&l->q_mu);
		head = l->q_head;
		pthread_mutex_unlock(&l->q_mu);
		n = left < LOG_BATCH ? left : LOG_BATCH;
		/* up to the end of the ring: slots stay contiguous */
		if (head + n > l->q_cap)
			n = l->q_cap - head;
		for (i = 0; i < n; i++) {
			items[i].source = "serve";
			items[i].entity_id = l->q[head + i].id;
			items[i].ts_ms = l->q[head + i].ts;
			items[i].pred = l->preds + (head + i) * l->npred;
			items[i].npred = l->npred;
		}
		if (mmp_store_prediction_log_put_many(l->store, l->model,
		    l->version, items, n) < 0) {
			store_failed(l, "logged predictions");
			atomic_fetch_add_explicit(&l->dropped, n,
				memory_order_relaxed);
		} else {
			l->failing = 0;
			atomic_fetch_add_explicit(&l->logged, n,
				memory_order_relaxed);
		}
		pthread_mutex_lock(&l->q_mu);
		l->q_head = (l->q_head + n) % l->q_cap;
		l->q_n -= n;
		pthread_mutex_unlock(&l->q_mu);
		left -= n;
	}
	free(items);
}

static void deadline(struct timespec *ts, int64_t at_ms)
{
	int64_t wait = at_ms - mmp_time_ms();

	clock_gettime(CLOCK_REALTIME, ts);
	if (wait < 0)
		wait = 0;
	ts->tv_sec += (time_t)(wait / 1000);
	ts->tv_nsec += (long)(wait % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *flusher(void *arg)
{
	struct serve_live *l = arg;
	int64_t next_flush = mmp_time_ms() + l->flush_ms;
	int stop = 0;

	while (!stop) {
		struct timespec ts;
		int64_t at, now;

		pthread_mutex_lock(&l->acc_mu);
		at = l->win_end < next_flush ? l->win_end : next_flush;
		pthread_mutex_unlock(&l->acc_mu);
		deadline(&ts, at);
		pthread_mutex_lock(&l->mu);
		while (!l->stop && !l->wake &&
		    pthread_cond_timedwait(&l->cond, &l->mu, &ts) !=
		    ETIMEDOUT)
			;
		stop = l->stop;
		l->wake = 0;
		pthread_mutex_unlock(&l->mu);
		now = mmp_time_ms();
		if (stop || now >= at) {
			flush_window(l, now);
			next_flush = now + l->flush_ms;
		}
		drain_log(l);
	}
	return NULL;
}

/* --- setup, metrics, shutdown --- */

static int read_profile(mmp_profile **out, const char *path)
{
	mmp_buf text = MMP_BUF_INIT;
	int err;

	if (access(path, F_OK) < 0)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
			"no reference profile '%s'", path);
	if ((err = mmp_file_read(&text, path, 64u << 20)) < 0)
		return err;
	err = mmp_profile_from_json(out, text.ptr, text.size, path);
	mmp_buf_dispose(&text);
	return err;
}

static long find_entity(const mmp_model_schema *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->nentities; i++)
		if (!strcmp(sc->entities[i], name))
			return (long)i;
	return -1;
}

static int check_shape(const struct serve_model *sm, const mmp_profile *p,
	const char *path)
{
	size_t i;

	if (mmp_profile_nfeatures(p) != sm->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' profiles %zu features, the model has %zu", path,
			mmp_profile_nfeatures(p), sm->nfeatures);
	for (i = 0; i < sm->nfeatures; i++)
		if (strcmp(mmp_profile_feature_name(p, i),
		    sm->schema->features[i].name))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"'%s' profiles feature '%s' where the model "
				"has '%s'", path,
				mmp_profile_feature_name(p, i),
				sm->schema->features[i].name);
	if (mmp_profile_npred(p) != sm->noutputs)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' profiles %zu prediction outputs, the model "
			"has %zu", path, mmp_profile_npred(p), sm->noutputs);
	return 0;
}

void mmp_serve__live_free(struct serve_live *l)
{
	size_t i;

	if (!l)
		return;
	if (l->running) {
		/* the last rows, the open window and the queue are saved */
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
	}
	for (i = 0; l->slots && i < l->nslots; i++) {
		pthread_mutex_destroy(&l->slots[i].mu);
		mmp_profile_free(l->slots[i].p);
	}
	free(l->slots);
	free(l->q);
	free(l->preds);
	mmp_profile_free(l->acc);
	mmp_profile_free(l->ref);
	mmp_store_free(l->store);
	free(l->pending);
	free(l->model);
	pthread_mutex_destroy(&l->acc_mu);
	pthread_mutex_destroy(&l->q_mu);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cond);
	free(l);
}

int mmp_serve__live_new(struct serve_live **out, mmp_server *srv,
	const struct serve_model *sm, const mmp_serve_monitor_options *o,
	size_t nthreads)
{
	struct serve_live *l;
	char host[256] = "localhost";
	size_t i;
	int err;

	*out = NULL;
	if (!o->store_path || !*o->store_path || !o->profile_path ||
	    !*o->profile_path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"monitoring needs a store and a reference profile");
	l = mmp__calloc(1, sizeof(*l));
	l->gen = atomic_fetch_add(&live_gen, 1);
	l->srv = srv;
	l->sm = sm;
	l->id_entity = -1;
	pthread_mutex_init(&l->acc_mu, NULL);
	pthread_mutex_init(&l->q_mu, NULL);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cond, NULL);
	if ((err = read_profile(&l->ref, o->profile_path)) < 0 ||
	    (err = check_shape(sm, l->ref, o->profile_path)) < 0)
		goto fail;
	if (o->id_field && *o->id_field &&
	    (l->id_entity = find_entity(sm->schema, o->id_field)) < 0) {
		mmp_buf names = MMP_BUF_INIT;

		for (i = 0; i < sm->schema->nentities; i++)
			mmp_buf_printf(&names, "%s'%s'", i ? ", " : "",
				sm->schema->entities[i]);
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the id field '%s' is not an entity column of the "
			"model (%s%s)", o->id_field, names.size ?
			"its entity columns: " : "it has none",
			names.size ? names.ptr : "");
		mmp_buf_dispose(&names);
		goto fail;
	}
	l->npred = sm->noutputs;
	l->model = mmp__strdup(o->model ? o->model : sm->name);
	l->version = o->model_version;
	l->window_ms = (int64_t)(o->window ? o->window : DEFAULT_WINDOW) *
		1000;
	l->flush_ms = (int64_t)(o->flush_interval ? o->flush_interval :
		DEFAULT_FLUSH) * 1000;
	if (l->flush_ms > l->window_ms)
		l->flush_ms = l->window_ms;
	gethostname(host, sizeof(host) - 1);
	snprintf(l->instance, sizeof(l->instance), "%s:%ld:%lld", host,
		(long)getpid(), (long long)mmp_time_ms());
	if ((err = mmp_store_open(&l->store, o->store_path, 0)) < 0)
		goto fail;
	if (o->retention)
		mmp_store_set_monitor_retention(l->store, o->retention);

	/* one slot per worker, and spares for other threads */
	l->nslots = nthreads + 2;
	l->slots = mmp__calloc(l->nslots, sizeof(*l->slots));
	for (i = 0; i < l->nslots; i++) {
		pthread_mutex_init(&l->slots[i].mu, NULL);
		mmp_profile_live_new(&l->slots[i].p, l->ref);
	}
	mmp_profile_live_new(&l->acc, l->ref);
	l->win_start = mmp_time_ms();
	l->win_end = align_down(l->win_start, l->window_ms) + l->window_ms;
	if (l->id_entity >= 0) {
		l->q_cap = o->log_queue ? o->log_queue : DEFAULT_QUEUE;
		l->q = mmp__calloc(l->q_cap, sizeof(*l->q));
		l->preds = mmp__calloc(l->q_cap * l->npred, sizeof(float));
	}
	if (pthread_create(&l->thread, NULL, flusher, l)) {
		err = mmp_error_ret(MMP_ERROR, MMP_ERROR_OS,
			"cannot start the monitoring thread");
		goto fail;
	}
	l->running = 1;
	*out = l;
	return 0;
fail:
	mmp_serve__live_free(l);
	return err;
}

static void gauge_head(mmp_buf *out, const char *name, const char *help)
{
	mmp_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
		name);
}

static void stat_line(mmp_buf *out, const char *metric, const char *label,
	const char *name, double v)
{
	char num[32];

	if (v != v)
		return;
	mmp_fmt_double(num, v);
	mmp_buf_printf(out, "%s{%s=\"", metric, label);
	mmp_serve__label_value(out, name);
	mmp_buf_printf(out, "\"} %s\n", num);
}

void mmp_serve__live_metrics(struct serve_live *l, mmp_buf *out)
{
	mmp_drift_report rep = MMP_DRIFT_REPORT_INIT;
	mmp_profile *now = NULL;
	int64_t start;
	size_t i;

	mmp_buf_puts(out, "# HELP mmp_monitor_enabled Whether live drift "
		"monitoring is on (the model has a reference profile).\n"
		"# TYPE mmp_monitor_enabled gauge\n");
	mmp_buf_printf(out, "mmp_monitor_enabled %d\n", l != NULL);
	if (!l)
		return;
	mmp_profile_live_new(&now, l->ref);
	pthread_mutex_lock(&l->acc_mu);
	mmp_profile_merge(now, l->acc);
	collect(l, now, 0);
	start = l->win_start;
	pthread_mutex_unlock(&l->acc_mu);
	if (mmp_profile_compare(l->ref, now, &rep) < 0) {
		mmp_error_clear();
		mmp_profile_free(now);
		return;
	}
	gauge_head(out, "mmp_drift_psi", "Population stability index of a "
		"feature's values in the current window against the training "
		"reference.");
	for (i = 0; i < rep.nfeatures; i++)
		stat_line(out, "mmp_drift_psi", "feature",
			rep.features[i].name, rep.features[i].psi);
	gauge_head(out, "mmp_drift_ks", "Kolmogorov-Smirnov statistic "
		"(binned) of a numeric feature in the current window against "
		"the reference.");
	for (i = 0; i < rep.nfeatures; i++)
		stat_line(out, "mmp_drift_ks", "feature",
			rep.features[i].name, rep.features[i].ks);
	gauge_head(out, "mmp_drift_js", "Jensen-Shannon divergence (base 2) "
		"of a categorical feature in the current window against the "
		"reference.");
	for (i = 0; i < rep.nfeatures; i++)
		stat_line(out, "mmp_drift_js", "feature",
			rep.features[i].name, rep.features[i].js);
	gauge_head(out, "mmp_drift_missing_rate", "Share of missing values "
		"of a feature in the current window (unknown categories sent "
		"to /invocations count as missing).");
	for (i = 0; i < rep.nfeatures; i++)
		stat_line(out, "mmp_drift_missing_rate", "feature",
			rep.features[i].name, rep.features[i].missing_live);
	gauge_head(out, "mmp_drift_unseen_share", "Share of a categorical "
		"feature's non-missing values in the current window that the "
		"model has no category for: values of /predict requests "
		"refused only for them (/invocations reads them as missing).");
	for (i = 0; i < rep.nfeatures; i++)
		if (rep.features[i].kind == MMP_FEATURE_CATEGORICAL)
			stat_line(out, "mmp_drift_unseen_share", "feature",
				rep.features[i].name,
				rep.features[i].unseen_share);
	gauge_head(out, "mmp_prediction_drift_psi", "Population stability "
		"index of a prediction output in the current window against "
		"the reference.");
	for (i = 0; i < rep.npred; i++)
		stat_line(out, "mmp_prediction_drift_psi", "output",
			rep.pred[i].name, rep.pred[i].psi);
	gauge_head(out, "mmp_prediction_drift_ks", "Kolmogorov-Smirnov "
		"statistic (binned) of a prediction output in the current "
		"window against the reference.");
	for (i = 0; i < rep.npred; i++)
		stat_line(out, "mmp_prediction_drift_ks", "output",
			rep.pred[i].name, rep.pred[i].ks);
	mmp_buf_printf(out, "# HELP mmp_monitor_window_rows Rows in the "
		"current monitoring window.\n"
		"# TYPE mmp_monitor_window_rows gauge\n"
		"mmp_monitor_window_rows %lld\n"
		"# HELP mmp_monitor_window_start_seconds Start of the current "
		"monitoring window (Unix time).\n"
		"# TYPE mmp_monitor_window_start_seconds gauge\n"
		"mmp_monitor_window_start_seconds %.3f\n"
		"# HELP mmp_monitor_rows_total Rows counted into live "
		"profiles.\n"
		"# TYPE mmp_monitor_rows_total counter\n"
		"mmp_monitor_rows_total %llu\n"
		"# HELP mmp_monitor_refused_rows_total Rows of /predict "
		"requests refused only for categories the model does not "
		"know, counted into live profiles without predictions.\n"
		"# TYPE mmp_monitor_refused_rows_total counter\n"
		"mmp_monitor_refused_rows_total %llu\n"
		"# HELP mmp_monitor_windows_total Monitoring windows closed "
		"and saved to the store.\n"
		"# TYPE mmp_monitor_windows_total counter\n"
		"mmp_monitor_windows_total %llu\n"
		"# HELP mmp_monitor_store_errors_total Failed writes of "
		"windows or logged predictions to the store.\n"
		"# TYPE mmp_monitor_store_errors_total counter\n"
		"mmp_monitor_store_errors_total %llu\n"
		"# HELP mmp_prediction_log_written_total Predictions logged "
		"by entity id in the store.\n"
		"# TYPE mmp_prediction_log_written_total counter\n"
		"mmp_prediction_log_written_total %llu\n"
		"# HELP mmp_prediction_log_dropped_total Predictions not "
		"logged: the queue was full or the store failed.\n"
		"# TYPE mmp_prediction_log_dropped_total counter\n"
		"mmp_prediction_log_dropped_total %llu\n",
		(long long)mmp_profile_rows(now), (double)start / 1000.0,
		(unsigned long long)atomic_load(&l->rows),
		(unsigned long long)atomic_load(&l->refused),
		(unsigned long long)atomic_load(&l->windows),
		(unsigned long long)atomic_load(&l->errors),
		(unsigned long long)atomic_load(&l->logged),
		(unsigned long long)atomic_load(&l->dropped));
	mmp_drift_report_release(&rep);
	mmp_profile_free(now);
}
