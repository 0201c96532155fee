/* SPDX-License-Identifier: MIT */
/* check.c: a model version's drift and degradation on a file of rows,
 * judged by thresholds and recorded as a run of kind "monitor" */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor-internal.h"
#include "mmp/data.h"
#include "mmp/metrics.h"
#include "mmp/registry.h"
#include "mmp/store.h"
#include "registry/registry-internal.h"

#define CHUNK_ROWS 16384
#define PROFILE_MAX_BYTES (64 * 1024 * 1024)

/* the texts the CSV reader takes as missing by default */
static const char *const na_texts[] = {
	"", "NA", "N/A", "NaN", "nan", "null", "NULL"
};

const char *mmp_monitor_status_name(mmp_monitor_status s)
{
	switch (s) {
	case MMP_MONITOR_WARN:
		return "warn";
	case MMP_MONITOR_ALERT:
		return "alert";
	default:
		return "ok";
	}
}

void mmp_monitor_result_release(mmp_monitor_result *r)
{
	free(r->model);
	free(r->model_dir);
	mmp_drift_report_release(&r->drift);
	free(r->feature_status);
	free(r->pred_status);
	free(r->metrics);
	memset(r, 0, sizeof(*r));
}

/* one labelled entity */
struct label {
	char *id;
	float y;
	int64_t line;
};

struct check {
	const mmp_monitor_options *o;
	mmp_monitor_result *out;
	mmp_store *store;
	mmp_model_ref ref;
	mmp_model *model;
	const mmp_model_schema *sc;
	size_t nf, per;
	mmp_profile *refp, *live;
	mmp_category_table **tables;  /* per feature; NULL: numeric */
	/* labels, sorted by id, and the labelled rows met in the input */
	struct label *labels;
	size_t nlabels;
	float *ly, *lscores;
	size_t nl, lalloc;
	char *seen;                   /* per label: met in the log */
};

static int is_na(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(na_texts); i++)
		if (!strcmp(s, na_texts[i]))
			return 1;
	return 0;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->id,
		((const struct label *)b)->id);
}

/* the outcomes: an id column (the model's entity column, else the
 * file's first column) and the model's target column */
static int load_labels(struct check *c, const char *path)
{
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_category_table *classes = NULL;
	mmp_csv_header *h = NULL;
	mmp_csv_column cols[2];
	mmp_csv_reader *r = NULL;
	const char *idcol;
	size_t i, alloc = 0;
	int err;

	if (c->o->input && !c->sc->nentities)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"model '%s' names no entity column (the recipe's "
			"data.entity_columns): labels cannot be joined to "
			"the rows of the input", c->ref.name);
	if ((err = mmp_csv_sniff(&h, path, &co)) < 0)
		return err;
	idcol = c->sc->nentities && (c->o->input ||
		mmp_csv_header_find(h, c->sc->entities[0]) >= 0) ?
		c->sc->entities[0] : mmp_csv_header_name(h, 0);
	if (!strcmp(idcol, c->sc->target)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the first column is the target '%s', not an id",
			path, idcol);
		goto done;
	}
	if (c->sc->task != MMP_TASK_REGRESSION &&
	    (err = mmp_category_table_new(&classes,
	    (const char *const *)c->sc->classes, c->sc->nclasses)) < 0)
		return err;
	cols[0] = (mmp_csv_column){ idcol, MMP_CSV_ENTITY, NULL };
	cols[1] = (mmp_csv_column){ c->sc->target, MMP_CSV_TARGET, classes };
	spec.columns = cols;
	spec.ncolumns = 2;
	spec.task = c->sc->task;
	spec.allow_empty = 1;
	if ((err = mmp_csv_reader_open(&r, path, &spec, &co)) < 0)
		goto done;
	for (;;) {
		mmp_frame *f = NULL;
		size_t n;

		err = mmp_csv_reader_next(&f, r, CHUNK_ROWS);
		if (err == MMP_ITEROVER) {
			err = 0;
			break;
		}
		if (err < 0)
			goto done;
		n = mmp_frame_nrows(f);
		MMP_ALLOC_GROW(c->labels, c->nlabels + n, alloc);
		for (i = 0; i < n; i++) {
			struct label *l = &c->labels[c->nlabels++];

			l->id = mmp__strdup(mmp_frame_entity(f, 0, i));
			l->y = mmp_frame_target(f)[i];
			l->line = mmp_frame_lines(f) ? mmp_frame_lines(f)[i]
				: 0;
		}
		mmp_frame_free(f);
	}
	if (!c->nlabels) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no labelled rows", path);
		goto done;
	}
	qsort(c->labels, c->nlabels, sizeof(*c->labels), cmp_label);
	for (i = 1; i < c->nlabels; i++)
		if (!strcmp(c->labels[i].id, c->labels[i - 1].id)) {
			int64_t a = c->labels[i].line;
			int64_t b = c->labels[i - 1].line;

			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s:%lld: %s '%s' has an outcome already on "
				"line %lld", path, (long long)(a > b ? a : b),
				idcol, c->labels[i].id,
				(long long)(a > b ? b : a));
			goto done;
		}
done:
	mmp_csv_reader_free(r);
	mmp_category_table_free(classes);
	mmp_csv_header_free(h);
	return err;
}

static const struct label *find_label(const struct check *c,
	const char *id)
{
	struct label key = { (char *)id, 0, 0 };

	return bsearch(&key, c->labels, c->nlabels, sizeof(*c->labels),
		cmp_label);
}

/* where each model feature is in a chunk: numeric ones among the
 * frame's features, categorical ones among its entity (text) columns */
static int locate(const struct check *c, const mmp_frame *f, size_t *at,
	size_t *id_at)
{
	size_t i, j;

	for (i = 0; i < c->nf; i++) {
		const char *name = c->sc->features[i].name;
		int cat = c->tables[i] != NULL;
		size_t n = cat ? mmp_frame_nentities(f) :
			mmp_frame_nfeatures(f);

		for (j = 0; j < n; j++)
			if (!strcmp(name, cat ? mmp_frame_entity_name(f, j) :
			    mmp_frame_feature_name(f, j)))
				break;
		if (j == n)
			return mmp_error_ret(MMP_ERROR, MMP_ERROR_DATA,
				"feature '%s' is missing from a chunk", name);
		at[i] = j;
	}
	*id_at = (size_t)-1;
	for (j = 0; c->labels && j < mmp_frame_nentities(f); j++)
		if (!strcmp(mmp_frame_entity_name(f, j), c->sc->entities[0]))
			*id_at = j;
	return 0;
}

static int add_chunk(struct check *c, const mmp_frame *f, float **xbuf,
	float **pbuf, float **sbuf, size_t *cap)
{
	size_t n = mmp_frame_nrows(f), i, k, id_at = (size_t)-1;
	size_t *at = mmp__calloc(c->nf, sizeof(*at));
	const float *fx = mmp_frame_features(f);
	size_t fnf = mmp_frame_nfeatures(f);
	int err;

	if ((err = locate(c, f, at, &id_at)) < 0)
		goto done;
	if (n > *cap) {
		*cap = n;
		*xbuf = mmp__reallocarray(*xbuf, n * c->nf, sizeof(float));
		*pbuf = mmp__reallocarray(*pbuf, n * c->nf, sizeof(float));
		*sbuf = mmp__reallocarray(*sbuf, n * c->per, sizeof(float));
	}
	/* xbuf: what the model predicts on (unseen: missing); pbuf: what
	 * the profile counts (unseen marked as such) */
	for (i = 0; i < n; i++) {
		for (k = 0; k < c->nf; k++) {
			float *x = *xbuf + i * c->nf + k;
			float *p = *pbuf + i * c->nf + k;
			const char *s;
			long code;

			if (!c->tables[k]) {
				*x = *p = fx[i * fnf + at[k]];
				continue;
			}
			s = mmp_frame_entity(f, at[k], i);
			if (is_na(s)) {
				*x = *p = NAN;
				continue;
			}
			code = mmp_category_table_find(c->tables[k], s,
				strlen(s));
			*x = code < 0 ? NAN : (float)code;
			*p = code < 0 ? MMP_PROFILE_UNSEEN_CODE : (float)code;
		}
	}
	if ((err = mmp_model_predict_scores(c->model, *xbuf, n, c->nf,
	    *sbuf)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		mmp_profile_add(c->live, *pbuf + i * c->nf, *sbuf + i * c->per);
		for (k = 0; k < c->nf; k++)
			if ((*pbuf)[i * c->nf + k] == MMP_PROFILE_UNSEEN_CODE &&
			    c->tables[k])
				mmp_profile_add_unseen(c->live, k,
					mmp_frame_entity(f, at[k], i));
		if (id_at != (size_t)-1) {
			const struct label *l = find_label(c,
				mmp_frame_entity(f, id_at, i));

			if (!l)
				continue;
			MMP_ALLOC_GROW(c->ly, c->nl + 1, c->lalloc);
			c->lscores = mmp__reallocarray(c->lscores,
				c->lalloc * c->per, sizeof(float));
			c->ly[c->nl] = l->y;
			memcpy(c->lscores + c->nl * c->per, *sbuf + i * c->per,
				c->per * sizeof(float));
			c->nl++;
		}
	}
done:
	free(at);
	return err;
}

static int profile_input(struct check *c, const char *path)
{
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_column *cols = mmp__calloc(c->nf + 1, sizeof(*cols));
	mmp_csv_reader *r = NULL;
	float *x = NULL, *p = NULL, *sc = NULL;
	size_t i, n = 0, cap = 0;
	int err, id_is_feature = 0;

	for (i = 0; i < c->nf; i++) {
		cols[n].name = c->sc->features[i].name;
		cols[n++].role = c->tables[i] ? MMP_CSV_ENTITY :
			MMP_CSV_NUMERIC;
		if (c->labels && !strcmp(cols[i].name, c->sc->entities[0]))
			id_is_feature = 1;
	}
	if (c->labels && id_is_feature) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"entity column '%s' is also a feature",
			c->sc->entities[0]);
		goto done;
	}
	if (c->labels)
		cols[n++] = (mmp_csv_column){ c->sc->entities[0],
			MMP_CSV_ENTITY, NULL };
	spec.columns = cols;
	spec.ncolumns = n;
	spec.allow_empty = 1;
	if ((err = mmp_csv_reader_open(&r, path, &spec, &co)) < 0)
		goto done;
	for (;;) {
		mmp_frame *f = NULL;

		err = mmp_csv_reader_next(&f, r, CHUNK_ROWS);
		if (err == MMP_ITEROVER) {
			err = 0;
			break;
		}
		if (err < 0)
			break;
		err = add_chunk(c, f, &x, &p, &sc, &cap);
		mmp_frame_free(f);
		if (err < 0)
			break;
	}
done:
	free(x);
	free(p);
	free(sc);
	free(cols);
	mmp_csv_reader_free(r);
	return err;
}

/* --- the live windows and the prediction log --- */

int mmp_monitor_parse_since(int64_t *out, const char *text, int64_t now_ms)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = { { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 },
		{ 'd', 86400000 }, { 'w', 604800000 } };
	size_t len = text ? strlen(text) : 0, i;
	char num[32];
	int64_t n;

	for (i = 0; len >= 2 && len < sizeof(num) && i < ARRAY_SIZE(units);
	     i++) {
		if (text[len - 1] != units[i].unit)
			continue;
		memcpy(num, text, len - 1);
		num[len - 1] = '\0';
		if (mmp_parse_int64(num, &n) < 0 || n <= 0 ||
		    n > INT64_MAX / units[i].ms / 2)
			break;
		*out = now_ms - n * units[i].ms;
		return 0;
	}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"invalid duration '%s': expected a positive whole number and "
		"a unit, s, m, h, d or w (24h, 7d)", text ? text : "");
}

static int on_window(const mmp_monitor_window *w, void *payload)
{
	struct check *c = payload;
	mmp_profile *p = NULL;
	char origin[96];
	int err;

	snprintf(origin, sizeof(origin), "live window %lld",
		(long long)w->id);
	if ((err = mmp_profile_from_json(&p, w->profile, strlen(w->profile),
	    origin)) < 0)
		return err;
	if ((err = mmp_profile_merge(c->live, p)) < 0)
		mmp_error_prefix("%s (%s, from %s)", origin, w->source,
			w->instance && *w->instance ? w->instance : "-");
	mmp_profile_free(p);
	c->out->windows++;
	return err;
}

static int on_logged(const mmp_prediction_log_item *it, void *payload)
{
	struct check *c = payload;
	const struct label *l = find_label(c, it->entity_id);
	size_t i;

	if (!l)
		return 0;
	if (it->npred != c->per)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"a prediction logged for '%s' has %zu scores, the "
			"model gives %zu", it->entity_id, it->npred, c->per);
	i = (size_t)(l - c->labels);
	/* an id predicted several times: the latest prediction counts */
	if (!c->seen[i]) {
		c->seen[i] = 1;
		c->nl++;
	}
	c->ly[i] = l->y;
	memcpy(c->lscores + i * c->per, it->pred, c->per * sizeof(float));
	return 0;
}

/* the labelled predictions, in label order, packed to the front */
static int join_logged(struct check *c)
{
	mmp_prediction_log_query q = MMP_PREDICTION_LOG_QUERY_INIT;
	const char **ids = mmp__calloc(c->nlabels, sizeof(*ids));
	size_t i, n = 0;
	int err;

	for (i = 0; i < c->nlabels; i++)
		ids[i] = c->labels[i].id;
	c->seen = mmp__calloc(c->nlabels, 1);
	c->ly = mmp__calloc(c->nlabels, sizeof(*c->ly));
	c->lscores = mmp__calloc(c->nlabels * c->per, sizeof(*c->lscores));
	q.model = c->ref.name;
	q.model_version = c->ref.version;
	q.ids = ids;
	q.ids_nr = c->nlabels;
	q.since_ms = c->o->since_ms;
	err = mmp_store_prediction_log_get(c->store, &q, on_logged, c);
	free(ids);
	if (err < 0)
		return err;
	for (i = 0; i < c->nlabels; i++) {
		if (!c->seen[i])
			continue;
		c->ly[n] = c->ly[i];
		memmove(c->lscores + n * c->per, c->lscores + i * c->per,
			c->per * sizeof(float));
		n++;
	}
	return 0;
}

static int load_reference(struct check *c)
{
	mmp_buf path = MMP_BUF_INIT, text = MMP_BUF_INIT;
	int err;

	mmp_path_join(&path, c->ref.model_dir, "profile.json");
	if (!mmp_path_exists(path.ptr)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
			"%s version %lld has no profile.json: it was trained "
			"by an mmp without drift monitoring; retrain it to "
			"monitor it", c->ref.name, (long long)c->ref.version);
		goto done;
	}
	if ((err = mmp_file_read(&text, path.ptr, PROFILE_MAX_BYTES)) < 0)
		goto done;
	if ((err = mmp_profile_from_json(&c->refp, text.ptr, text.size,
	    path.ptr)) < 0)
		goto done;
	if (mmp_profile_nfeatures(c->refp) != c->nf ||
	    (mmp_profile_npred(c->refp) &&
	    mmp_profile_npred(c->refp) != c->per))
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: %zu features and %zu outputs, the model has %zu "
			"and %zu", path.ptr, mmp_profile_nfeatures(c->refp),
			mmp_profile_npred(c->refp), c->nf, c->per);
done:
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&text);
	return err;
}

static mmp_monitor_status judge(double v, const mmp_monitor_limit *l)
{
	if (isnan(v))
		return MMP_MONITOR_OK;
	if (v >= l->alert)
		return MMP_MONITOR_ALERT;
	if (v >= l->warn)
		return MMP_MONITOR_WARN;
	return MMP_MONITOR_OK;
}

static mmp_monitor_status worst(mmp_monitor_status a, mmp_monitor_status b)
{
	return a > b ? a : b;
}

static void judge_drift(struct check *c)
{
	mmp_monitor_result *out = c->out;
	const mmp_monitor_thresholds *t = &out->thresholds;
	const mmp_drift_report *d = &out->drift;
	size_t i;

	out->feature_status = mmp__calloc(d->nfeatures ? d->nfeatures : 1,
		sizeof(*out->feature_status));
	out->pred_status = mmp__calloc(d->npred ? d->npred : 1,
		sizeof(*out->pred_status));
	out->enough_rows = d->live_rows >= t->min_rows;
	if (!out->enough_rows)
		return;
	for (i = 0; i < d->nfeatures; i++) {
		const mmp_drift_feature *f = &d->features[i];
		mmp_monitor_status s = judge(f->psi, &t->psi);

		s = worst(s, judge(fabs(f->missing_live - f->missing_ref),
			&t->missing_rate));
		if (f->kind == MMP_FEATURE_NUMERIC) {
			s = worst(s, judge(f->ks, &t->ks));
		} else {
			s = worst(s, judge(f->js, &t->js));
			s = worst(s, judge(f->unseen_share, &t->unseen_share));
		}
		out->feature_status[i] = s;
		out->drifted += s != MMP_MONITOR_OK;
		out->status = worst(out->status, s);
	}
	for (i = 0; i < d->npred; i++) {
		out->pred_status[i] = judge(d->pred[i].psi, &t->prediction_psi);
		out->status = worst(out->status, out->pred_status[i]);
	}
}

static double run_metric(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key))
			return r->metrics[i].value;
	return NAN;
}

/* the live metrics against the version's test metrics and intervals */
static int judge_metrics(struct check *c)
{
	mmp_monitor_result *out = c->out;
	const mmp_monitor_limit *lim = &out->thresholds.degradation;
	mmp_metric_list all;
	mmp_run *run = NULL;
	mmp_buf key = MMP_BUF_INIT;
	size_t i;
	int err;

	out->labelled = (int64_t)c->nl;
	if (!c->nl)
		return 0;
	if ((err = mmp_metrics_compute(&all, c->sc->task, c->sc->nclasses,
	    c->ly, c->lscores, c->nl)) < 0)
		return err;
	if ((err = mmp_run_get(&run, c->store, c->ref.run_id)) < 0)
		return err;
	out->metrics = mmp__calloc(all.count ? all.count : 1,
		sizeof(*out->metrics));
	for (i = 0; i < all.count; i++) {
		mmp_monitor_metric *m = &out->metrics[out->nmetrics];
		int dir = mmp_registry__metric_direction(all.items[i].name);
		double worse_end, past;

		m->name = all.items[i].name;
		m->live = all.items[i].value;
		m->test = run_metric(run, m->name);
		/* only the metrics the version was tested on */
		if (isnan(m->test))
			continue;
		mmp_buf_clear(&key);
		mmp_buf_printf(&key, "%s_ci_low", m->name);
		m->ci_low = run_metric(run, key.ptr);
		mmp_buf_clear(&key);
		mmp_buf_printf(&key, "%s_ci_high", m->name);
		m->ci_high = run_metric(run, key.ptr);
		worse_end = dir > 0 ? m->ci_low : m->ci_high;
		if (isnan(worse_end))
			worse_end = m->test;
		past = dir > 0 ? worse_end - m->live : m->live - worse_end;
		m->worse_by = past > 0 ? past : 0;
		m->status = MMP_MONITOR_OK;
		if ((int64_t)c->nl >= out->thresholds.min_rows && past > 0) {
			if (past > lim->alert)
				m->status = MMP_MONITOR_ALERT;
			else if (past > lim->warn)
				m->status = MMP_MONITOR_WARN;
		}
		out->status = worst(out->status, m->status);
		out->nmetrics++;
	}
	mmp_buf_dispose(&key);
	mmp_run_free(run);
	return 0;
}

/* a metric key from a feature name: characters a key may not hold
 * become '_' */
static void metric_key(mmp_buf *b, const char *stat, const char *name)
{
	const unsigned char *p;

	mmp_buf_clear(b);
	mmp_buf_printf(b, "%s/", stat);
	for (p = (const unsigned char *)name; *p && b->size < 240; p++) {
		int okc = (*p >= 'a' && *p <= 'z') ||
			(*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("_-. /", *p);

		mmp_buf_putc(b, okc ? *p : '_');
	}
}

struct metrics_out {
	mmp_run_metric *items;
	mmp_buf *keys;
	size_t n, alloc;
};

static void put_metric(struct metrics_out *m, const char *stat,
	const char *name, double v)
{
	if (isnan(v))
		return;
	MMP_ALLOC_GROW(m->items, m->n + 1, m->alloc);
	m->keys = mmp__reallocarray(m->keys, m->alloc, sizeof(*m->keys));
	mmp_buf_init(&m->keys[m->n], 0);
	if (name)
		metric_key(&m->keys[m->n], stat, name);
	else
		mmp_buf_puts(&m->keys[m->n], stat);
	m->items[m->n] = (mmp_run_metric){ NULL, v, 0, 0 };
	m->n++;
}

static int record(struct check *c)
{
	mmp_monitor_result *out = c->out;
	const mmp_monitor_options *o = c->o;
	mmp_run_start_options ro = MMP_RUN_START_OPTIONS_INIT;
	struct metrics_out m = { NULL, NULL, 0, 0 };
	mmp_buf name = MMP_BUF_INIT;
	char version[32], since[32];
	mmp_kv kv[7];
	size_t n = 0, i;
	int err;

	mmp_buf_printf(&name, "monitor-%s-v%lld", c->ref.name,
		(long long)c->ref.version);
	ro.experiment = o->experiment;
	ro.run_name = name.ptr;
	ro.unique_name = 1;
	ro.source_name = o->input ? o->input : "live";
	ro.kind = "monitor";
	err = mmp_run_start(c->store, &ro, out->run_id);
	mmp_buf_dispose(&name);
	if (err < 0)
		return err;
	snprintf(version, sizeof(version), "%lld", (long long)c->ref.version);
	kv[n++] = (mmp_kv){ "model.name", c->ref.name };
	kv[n++] = (mmp_kv){ "model.version", version };
	kv[n++] = (mmp_kv){ "model.run_id", c->ref.run_id };
	if (o->input) {
		kv[n++] = (mmp_kv){ "input", o->input };
	} else {
		snprintf(since, sizeof(since), "%lld", (long long)o->since_ms);
		kv[n++] = (mmp_kv){ "since_ms", since };
	}
	if (o->labels)
		kv[n++] = (mmp_kv){ "labels", o->labels };
	kv[n++] = (mmp_kv){ "thresholds", out->thresholds.origin };
	if ((err = mmp_run_log_params(c->store, out->run_id, kv, n)) < 0)
		goto fail;
	put_metric(&m, "rows", NULL, (double)out->drift.live_rows);
	put_metric(&m, "drifted_features", NULL, (double)out->drifted);
	if (!o->input)
		put_metric(&m, "windows", NULL, (double)out->windows);
	put_metric(&m, "status", NULL, (double)out->status);
	if (o->labels)
		put_metric(&m, "labelled_rows", NULL, (double)out->labelled);
	for (i = 0; i < out->drift.nfeatures; i++) {
		const mmp_drift_feature *f = &out->drift.features[i];

		put_metric(&m, "psi", f->name, f->psi);
		put_metric(&m, "ks", f->name, f->ks);
		put_metric(&m, "js", f->name, f->js);
		put_metric(&m, "missing_change", f->name,
			f->missing_live - f->missing_ref);
		if (f->kind == MMP_FEATURE_CATEGORICAL)
			put_metric(&m, "unseen_share", f->name,
				f->unseen_share);
	}
	for (i = 0; i < out->drift.npred; i++)
		put_metric(&m, "prediction_psi", out->drift.pred[i].name,
			out->drift.pred[i].psi);
	for (i = 0; i < out->nmetrics; i++)
		put_metric(&m, "live", out->metrics[i].name,
			out->metrics[i].live);
	for (i = 0; i < m.n; i++)
		m.items[i].key = m.keys[i].ptr;
	err = mmp_run_log_metrics(c->store, out->run_id, m.items, m.n);
	for (i = 0; i < m.n; i++)
		mmp_buf_dispose(&m.keys[i]);
	free(m.keys);
	free(m.items);
	if (err < 0)
		goto fail;
	n = 0;
	kv[n++] = (mmp_kv){ "mmp.monitor.model", c->ref.name };
	kv[n++] = (mmp_kv){ "mmp.monitor.version", version };
	kv[n++] = (mmp_kv){ "mmp.monitor.status",
		mmp_monitor_status_name(out->status) };
	if ((err = mmp_run_set_tags(c->store, out->run_id, kv, n)) < 0)
		goto fail;
	return mmp_run_end(c->store, out->run_id, "FINISHED", NULL);
fail:
	{
		char *msg = mmp__strdup(mmp_error_last()->message);
		int klass = mmp_error_last()->klass;

		mmp_run_end(c->store, out->run_id, "FAILED", msg);
		mmp_error_set(klass, "%s", msg);
		free(msg);
	}
	return err;
}

/* --thresholds, else <project>/configs/monitor.yaml, else defaults */
static int find_thresholds(struct check *c, mmp_diag_list **diags)
{
	mmp_buf project = MMP_BUF_INIT, path = MMP_BUF_INIT;
	const char *dir = mmp_store_dir(c->store);
	int err = 0;

	mmp_monitor_thresholds_default(&c->out->thresholds);
	if (c->o->thresholds)
		return mmp_monitor_thresholds_load(&c->out->thresholds, diags,
			c->o->thresholds);
	if (mmp_str_ends_with(dir, "/.mmp")) {
		mmp_path_dirname(&project, dir);
		mmp_path_join(&path, project.ptr, "configs/monitor.yaml");
		if (mmp_path_exists(path.ptr))
			err = mmp_monitor_thresholds_load(&c->out->thresholds,
				diags, path.ptr);
	}
	mmp_buf_dispose(&project);
	mmp_buf_dispose(&path);
	return err;
}

static void check_release(struct check *c)
{
	size_t i;

	for (i = 0; c->tables && i < c->nf; i++)
		mmp_category_table_free(c->tables[i]);
	free(c->tables);
	mmp_profile_free(c->refp);
	mmp_profile_free(c->live);
	mmp_model_free(c->model);
	mmp_model_ref_release(&c->ref);
	for (i = 0; i < c->nlabels; i++)
		free(c->labels[i].id);
	free(c->labels);
	free(c->ly);
	free(c->lscores);
	free(c->seen);
}

int mmp_monitor_check(mmp_monitor_result *out, mmp_diag_list **diags,
	mmp_store *s, const char *ref, const mmp_monitor_options *o)
{
	struct check c;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (diags)
		*diags = NULL;
	if (!o || o->version != MMP_MONITOR_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown monitor options version");
	c.o = o;
	c.out = out;
	c.store = s;
	if ((err = find_thresholds(&c, diags)) < 0)
		goto done;
	if ((err = mmp_registry_resolve(&c.ref, s, ref)) < 0)
		goto done;
	out->model = mmp__strdup(c.ref.name);
	out->version = c.ref.version;
	out->model_dir = mmp__strdup(c.ref.model_dir);
	if ((err = mmp_model_load_dir(&c.model, c.ref.model_dir)) < 0)
		goto done;
	c.sc = mmp_model_schema_of(c.model);
	if (!c.sc) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model in '%s' has no schema", c.ref.model_dir);
		goto done;
	}
	c.nf = c.sc->nfeatures;
	c.per = mmp_model_task_of(c.model) == MMP_TASK_MULTICLASS ?
		mmp_model_noutputs(c.model) : 1;
	if ((err = load_reference(&c)) < 0)
		goto done;
	c.tables = mmp__calloc(c.nf, sizeof(*c.tables));
	for (i = 0; i < c.nf; i++)
		if (c.sc->features[i].kind == MMP_FEATURE_CATEGORICAL &&
		    (err = mmp_category_table_new(&c.tables[i],
		    (const char *const *)c.sc->features[i].categories,
		    c.sc->features[i].ncategories)) < 0)
			goto done;
	if (o->labels && (err = load_labels(&c, o->labels)) < 0)
		goto done;
	if ((err = mmp_profile_live_new(&c.live, c.refp)) < 0)
		goto done;
	if (o->input)
		err = profile_input(&c, o->input);
	else
		err = mmp_store_monitor_windows(s, c.ref.name, c.ref.version,
			NULL, o->since_ms, on_window, &c);
	if (err < 0)
		goto done;
	if (!o->input && c.labels && (err = join_logged(&c)) < 0)
		goto done;
	if ((err = mmp_profile_compare(c.refp, c.live, &out->drift)) < 0)
		goto done;
	judge_drift(&c);
	if ((err = judge_metrics(&c)) < 0)
		goto done;
	if (o->record)
		err = record(&c);
done:
	check_release(&c);
	return err;
}

int mmp_monitor_latest_status(mmp_monitor_latest *out, mmp_store *s,
	const char *model, int64_t version)
{
	static const char *const kinds[] = { "monitor" };
	mmp_run_query q = MMP_RUN_QUERY_INIT;
	mmp_run_list *l = NULL;
	mmp_buf filter = MMP_BUF_INIT;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	/* the model name is matched here, not in the filter: no quoting */
	mmp_buf_printf(&filter, "tags.`mmp.monitor.version` = '%lld'",
		(long long)version);
	q.filter = filter.ptr;
	q.kinds = kinds;
	q.kinds_nr = 1;
	err = mmp_runs_search(&l, s, &q);
	mmp_buf_dispose(&filter);
	if (err < 0)
		return err;
	err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
		"%s version %lld has no monitor check", model,
		(long long)version);
	for (i = 0; i < l->count; i++) {
		const mmp_run *r = l->runs[i];
		const char *m = NULL, *st = NULL;
		size_t t;

		for (t = 0; t < r->tags_nr; t++) {
			if (!strcmp(r->tags[t].key, "mmp.monitor.model"))
				m = r->tags[t].value;
			if (!strcmp(r->tags[t].key, "mmp.monitor.status"))
				st = r->tags[t].value;
		}
		if (!m || !st || strcmp(m, model))
			continue;
		memcpy(out->run_id, r->run_id, sizeof(out->run_id));
		out->time = r->start_time;
		out->status = !strcmp(st, "alert") ? MMP_MONITOR_ALERT :
			!strcmp(st, "warn") ? MMP_MONITOR_WARN :
			MMP_MONITOR_OK;
		mmp_error_clear();
		err = 0;
		break;
	}
	mmp_run_list_free(l);
	return err;
}
