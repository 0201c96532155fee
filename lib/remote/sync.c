/* SPDX-License-Identifier: MIT */
/* sync.c: what to push to an MLflow server, in what order, resumably */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/sync.h"
#include "remote-internal.h"
#include "store/mirror-internal.h"
#include "store/sync-internal.h"
#include "sync-internal.h"

int mmp_sync_options_init(mmp_sync_options *o, unsigned int version)
{
	mmp_sync_options init = MMP_SYNC_OPTIONS_INIT;

	if (version != MMP_SYNC_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported sync options version %u", version);
	*o = init;
	return 0;
}

void mmp_sync_result_release(mmp_sync_result *r)
{
	if (!r)
		return;
	free(r->remote);
	free(r->error_class);
	memset(r, 0, sizeof(*r));
}

void mmp_sync_status_release(mmp_sync_status *st)
{
	if (!st)
		return;
	free(st->remote);
	free(st->last_error);
	free(st->last_error_class);
	memset(st, 0, sizeof(*st));
}

/* ---- what one run still needs ---- */

struct run_plan {
	mmp_run *run;
	struct mmp_store__sync_run st;
	mmp_kv *tags;            /* everything to set, strings owned */
	size_t ntags;
	char digest[65];
	int need_create, need_params, need_tags, need_status;
	int need_lifecycle;      /* delete or restore it on the server */
	int need_rename;
	int deleted;             /* deleted here */
	mmp_kv *sent_tags;       /* the tag keys the server got */
	size_t nsent_tags;
	size_t tags_removed;     /* of those, gone here */
	int64_t metrics_pending;
	size_t artifacts_pending;
	uint64_t bytes_pending;
};

static void plan_release(struct run_plan *p)
{
	mmp_run_free(p->run);
	mmp_store__sync_run_release(&p->st);
	mmp_store__sync_kv_free(p->tags, p->ntags);
	mmp_store__sync_kv_free(p->sent_tags, p->nsent_tags);
	memset(p, 0, sizeof(*p));
}

static int has_key(const mmp_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return 1;
	return 0;
}

/* what changed here since the run was pushed: lifecycle, name, tags */
static int plan_changes(struct run_plan *p, mmp_store *s, int64_t remote,
	const char *id)
{
	char *v = NULL;
	size_t i;
	int found, err, sent_deleted;

	p->deleted = !strcmp(p->run->lifecycle_stage, "deleted");
	if (remote < 0 || !p->st.remote_run_id)
		return 0;
	if ((err = mmp_store__sync_sent_get(&v, &found, s, remote,
	    "run.lifecycle", id, NULL)) < 0)
		return err;
	sent_deleted = found && v && !strcmp(v, "deleted");
	free(v);
	p->need_lifecycle = sent_deleted != p->deleted;
	if ((err = mmp_store__sync_sent_get(&v, &found, s, remote,
	    "run.name", id, NULL)) < 0)
		return err;
	p->need_rename = found && v && strcmp(v, p->run->name);
	free(v);
	if ((err = mmp_store__sync_sent_list(&p->sent_tags, &p->nsent_tags,
	    s, remote, "run.tag", id)) < 0)
		return err;
	for (i = 0; i < p->nsent_tags; i++)
		if (!has_key(p->tags, p->ntags, p->sent_tags[i].key))
			p->tags_removed++;
	return 0;
}

static void add_tag(struct run_plan *p, size_t *alloc, const char *key,
	const char *value)
{
	MMP_ALLOC_GROW(p->tags, p->ntags + 1, *alloc);
	p->tags[p->ntags].key = mmp__strdup(key);
	p->tags[p->ntags++].value = mmp__strdup(value ? value : "");
}

/* a tag key part made of the characters MLflow allows */
static void key_part(mmp_buf *out, const char *s)
{
	for (; *s; s++)
		mmp_buf_putc(out, isalnum((unsigned char)*s) ||
			strchr("_-.", *s) ? *s : '_');
}

/* dataset inputs as tags: mmp.dataset.<context>[.<n>].<field> */
static void dataset_tags(struct run_plan *p, size_t *alloc)
{
	mmp_buf prefix = MMP_BUF_INIT, key = MMP_BUF_INIT;
	char num[32];
	size_t i, j, same;

	for (i = 0; i < p->run->datasets_nr; i++) {
		const mmp_dataset_input *d = &p->run->datasets[i];
		const char *ctx = d->context && *d->context ? d->context :
			"input";

		for (j = same = 0; j < i; j++) {
			const char *c = p->run->datasets[j].context;
			if (!strcmp(c && *c ? c : "input", ctx))
				same++;
		}
		mmp_buf_clear(&prefix);
		mmp_buf_puts(&prefix, "mmp.dataset.");
		key_part(&prefix, ctx);
		if (same)
			mmp_buf_printf(&prefix, ".%zu", same + 1);
#define DTAG(field, v) do { \
		mmp_buf_clear(&key); \
		mmp_buf_printf(&key, "%s.%s", prefix.ptr, field); \
		add_tag(p, alloc, key.ptr, v); \
	} while (0)
		DTAG("name", d->name);
		DTAG("digest", d->digest);
		if (d->source)
			DTAG("source", d->source);
		if (d->source_type)
			DTAG("source_type", d->source_type);
		if (d->rows >= 0) {
			snprintf(num, sizeof(num), "%lld", (long long)d->rows);
			DTAG("rows", num);
		}
		if (d->columns >= 0) {
			snprintf(num, sizeof(num), "%lld",
				(long long)d->columns);
			DTAG("columns", num);
		}
#undef DTAG
	}
	mmp_buf_dispose(&prefix);
	mmp_buf_dispose(&key);
}

static void tags_digest(struct run_plan *p)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	size_t i;

	mmp_sha256_init(&c);
	for (i = 0; i < p->ntags; i++) {
		mmp_sha256_update(&c, p->tags[i].key,
			strlen(p->tags[i].key) + 1);
		mmp_sha256_update(&c, p->tags[i].value,
			strlen(p->tags[i].value) + 1);
	}
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(p->digest, d);
}

/* the file of a run's artifact in the store */
static void artifact_file(mmp_buf *out, mmp_store *s, const mmp_run *r,
	const char *path)
{
	mmp_buf dir = MMP_BUF_INIT;

	mmp_path_join(&dir, mmp_store_dir(s), r->artifact_uri);
	mmp_buf_clear(out);
	mmp_path_join(out, dir.ptr, path);
	mmp_buf_dispose(&dir);
}

/* load run `id` and decide what it still needs; remote < 0: all */
static int plan_run(struct run_plan *p, mmp_store *s, int64_t remote,
	const char *id)
{
	size_t alloc = 0, i;
	int err, sent;

	memset(p, 0, sizeof(*p));
	if ((err = mmp_run_get(&p->run, s, id)) < 0)
		return err;
	if (remote >= 0 &&
	    (err = mmp_store__sync_run_get(&p->st, s, remote, id)) < 0)
		return err;
	add_tag(p, &alloc, "mmp.run_id", id);
	for (i = 0; i < p->run->tags_nr; i++)
		if (strcmp(p->run->tags[i].key, "mmp.run_id"))
			add_tag(p, &alloc, p->run->tags[i].key,
				p->run->tags[i].value);
	dataset_tags(p, &alloc);
	tags_digest(p);
	p->need_create = !p->st.remote_run_id;
	p->need_params = p->st.params_sent != (int64_t)p->run->params_nr;
	p->need_tags = !p->st.tags_digest ||
		strcmp(p->st.tags_digest, p->digest);
	p->need_status = !p->st.status_sent ||
		strcmp(p->st.status_sent, p->run->status);
	if ((err = plan_changes(p, s, remote, id)) < 0)
		return err;
	if ((err = mmp_store__sync_metrics_count(&p->metrics_pending, s, id,
	    p->st.metrics_rowid)) < 0)
		return err;
	for (i = 0; i < p->run->artifacts_nr; i++) {
		const mmp_artifact *a = &p->run->artifacts[i];
		sent = 0;
		if (remote >= 0 && (err = mmp_store__sync_artifact_is_sent(
		    &sent, s, remote, id, a->path, a->sha256)) < 0)
			return err;
		if (!sent) {
			p->artifacts_pending++;
			p->bytes_pending += (uint64_t)a->size;
		}
	}
	return 0;
}

static int plan_is_done(const struct run_plan *p)
{
	return !p->need_create && !p->need_params && !p->need_tags &&
		!p->need_status && !p->metrics_pending &&
		!p->artifacts_pending && !p->need_lifecycle &&
		!p->need_rename;
}

static void plan_count(mmp_sync_counts *c, const struct run_plan *p)
{
	c->runs += p->need_create;
	c->params += p->need_params ? p->run->params_nr : 0;
	c->tags += p->need_tags ? p->ntags : 0;
	c->metrics += (size_t)p->metrics_pending;
	c->artifacts += p->artifacts_pending;
	c->artifact_bytes += p->bytes_pending;
	c->runs_completed += p->need_status;
	c->lifecycle += p->need_lifecycle;
	c->renames += p->need_rename;
	c->tags_removed += p->need_tags ? p->tags_removed : 0;
}

/* ---- counting without the network ---- */

struct exp_seen {
	int64_t *ids;
	size_t nr, alloc;
};

static int exp_seen_add(struct exp_seen *e, int64_t id)
{
	size_t i;

	for (i = 0; i < e->nr; i++)
		if (e->ids[i] == id)
			return 0;
	MMP_ALLOC_GROW(e->ids, e->nr + 1, e->alloc);
	e->ids[e->nr++] = id;
	return 1;
}

/* the ended active runs (or `only`), then the deleted ones the remote
 * has, which it must see deleted */
static int run_ids(char (**ids)[33], size_t *n, mmp_store *s,
	int64_t remote, const char *only)
{
	char (*del)[33] = NULL;
	size_t nd = 0, i;
	int err;

	if ((err = mmp_store__sync_runs_ended(ids, n, s, only)) < 0)
		return err;
	if (remote < 0)
		return 0;
	if ((err = mmp_store__sync_runs_deleted(&del, &nd, s, remote)) < 0)
		return err;
	for (i = 0; i < nd; i++) {
		if (only && strcmp(only, del[i]))
			continue;
		*ids = mmp__reallocarray(*ids, *n + 1, sizeof(**ids));
		memcpy((*ids)[(*n)++], del[i], 33);
	}
	free(del);
	return 0;
}

/* the pending counts of every ended run (or `only`) for a remote */
static int count_pending(mmp_sync_counts *c, size_t *ended,
	size_t *pending, mmp_store *s, int64_t remote, const char *only)
{
	char (*ids)[33] = NULL;
	struct exp_seen seen = { NULL, 0, 0 };
	struct run_plan p;
	size_t n = 0, i;
	char *rid;
	int err;

	memset(c, 0, sizeof(*c));
	*ended = *pending = 0;
	if ((err = run_ids(&ids, &n, s, remote, only)) < 0)
		return err;
	for (i = 0; i < n; i++) {
		if ((err = plan_run(&p, s, remote, ids[i])) < 0) {
			plan_release(&p);
			goto done;
		}
		if (!plan_is_done(&p)) {
			(*pending)++;
			rid = NULL;
			if (remote < 0 || mmp_store__sync_experiment_get(&rid,
			    s, remote, p.run->experiment_id) < 0) {
				mmp_error_clear();
				c->experiments += exp_seen_add(&seen,
					p.run->experiment_id);
			}
			free(rid);
		}
		plan_count(c, &p);
		plan_release(&p);
	}
	*ended = n;
	err = 0;
done:
	free(seen.ids);
	free(ids);
	return err;
}

static int clean_remote(char **out, const char *uri)
{
	mmp_buf clean = MMP_BUF_INIT;
	char *user = NULL, *pass = NULL;
	int err;

	*out = NULL;
	if (!uri || !*uri)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"no tracking server: set tracking.uri or "
			"MLFLOW_TRACKING_URI");
	err = mmp_remote__clean_uri(&clean, &user, &pass, uri);
	if (pass)
		memset(pass, 0, strlen(pass));
	free(user);
	free(pass);
	if (err < 0) {
		mmp_buf_dispose(&clean);
		return err;
	}
	*out = mmp_buf_detach(&clean);
	return 0;
}

static int count_experiments(mmp_sync_counts *c, mmp_store *s,
	int64_t remote);

/*
 * Run one push step as a dry run into `r`: the step walks what it would
 * send and counts it, sending nothing.
 */
static int dry_push(mmp_store *s, int64_t remote,
	int (*step)(struct mmp_sync__push *), mmp_sync_result *r)
{
	struct mmp_sync__push p;
	mmp_sync_options o = MMP_SYNC_OPTIONS_INIT;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	p.s = s;
	p.o = &o;
	p.out = r;
	p.remote = remote;
	p.dry = 1;
	return step(&p);
}

/* add what the registry still needs to `c` */
static int count_registry(mmp_sync_counts *c, mmp_store *s, int64_t remote)
{
	mmp_sync_result r;
	int err = dry_push(s, remote, mmp_sync__registry, &r);

	c->models += r.sent.models;
	c->versions += r.sent.versions;
	c->stages += r.sent.stages;
	c->aliases += r.sent.aliases;
	c->version_tags += r.sent.version_tags;
	c->tags_removed += r.sent.tags_removed;
	c->model_updates += r.sent.model_updates;
	return err;
}

static int pull_status(mmp_sync_status *out, mmp_store *s, int64_t remote)
{
	struct mmp_store__pull_info pi;
	int err;

	if ((err = mmp_store__pull_info_get(&pi, s, remote, out->remote)) < 0)
		return err;
	out->pulled = pi.experiments > 0 || pi.runs > 0;
	out->last_pull_time = pi.last_pull_time;
	out->pull_experiments = pi.experiments;
	out->pull_partway = pi.experiments_partway;
	out->runs_mirrored = pi.runs;
	out->runs_mirrored_deleted = pi.runs_deleted;
	out->runs_artifacts_unknown = pi.runs_artifacts_unknown;
	return 0;
}

int mmp_sync_last_pull_time(int64_t *out, mmp_store *s,
	const char *tracking_uri)
{
	struct mmp_store__pull_info pi;
	char *remote_uri = NULL;
	int64_t remote = -1;
	int err;

	*out = 0;
	if ((err = clean_remote(&remote_uri, tracking_uri)) < 0)
		return err;
	err = mmp_store__sync_remote(s, remote_uri, 0, &remote);
	if (err == MMP_ENOTFOUND) {
		mmp_error_clear();
		err = 0;
	} else if (err == 0 && (err = mmp_store__pull_info_get(&pi, s,
	    remote, remote_uri)) == 0) {
		*out = pi.last_pull_time;
	}
	free(remote_uri);
	return err;
}

int mmp_sync_status_get(mmp_sync_status *out, mmp_store *s,
	const char *tracking_uri)
{
	struct mmp_store__sync_remote_info info;
	int64_t remote = -1;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = clean_remote(&out->remote, tracking_uri)) < 0)
		return err;
	err = mmp_store__sync_remote(s, out->remote, 0, &remote);
	if (err == MMP_ENOTFOUND) {
		mmp_error_clear();
		remote = -1;
	} else if (err < 0) {
		return err;
	}
	if ((err = pull_status(out, s, remote)) < 0)
		return err;
	if ((err = count_pending(&out->pending, &out->runs_ended,
	    &out->runs_pending, s, remote, NULL)) < 0)
		return err;
	if ((err = mmp_store__sync_runs_running(&out->runs_running, s)) < 0)
		return err;
	if ((err = count_experiments(&out->pending, s, remote)) < 0 ||
	    (err = count_registry(&out->pending, s, remote)) < 0)
		return err;
	if (remote < 0)
		return 0;
	if ((err = mmp_store__sync_remote_info(&info, s, remote)) < 0)
		return err;
	out->known = info.pushed;
	out->last_push_time = info.last_push_time;
	out->last_attempt_time = info.last_attempt_time;
	out->last_error_time = info.last_error_time;
	out->last_error = info.last_error;
	out->last_error_class = info.last_error_class;
	info.last_error = info.last_error_class = NULL;
	mmp_store__sync_remote_info_release(&info);
	return 0;
}

/* ---- pushing ---- */

int mmp_sync__emit(struct mmp_sync__push *p, const char *run,
	const char *remote_run, const char *what, const char *detail)
{
	mmp_sync_event e;

	if (!p->o->progress)
		return 0;
	e.run_id = run;
	e.remote_run_id = remote_run;
	e.what = what;
	e.detail = detail;
	if (p->o->progress(&e, p->o->payload))
		return mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_NET,
			"push interrupted");
	return 0;
}

static int record_experiment_name(struct mmp_sync__push *p, int64_t id,
	const char *name)
{
	char subject[32];

	snprintf(subject, sizeof(subject), "%lld", (long long)id);
	return mmp_store__sync_sent_set(p->s, p->remote, "exp.name", subject,
		NULL, name, 0);
}

/* the tag keys the server has now: exactly those of the plan */
static int record_tags(struct mmp_sync__push *p, struct run_plan *rp)
{
	const char *id = rp->run->run_id;
	size_t i;
	int err;

	for (i = 0; i < rp->nsent_tags; i++)
		if (!has_key(rp->tags, rp->ntags, rp->sent_tags[i].key) &&
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "run.tag", id, rp->sent_tags[i].key, NULL, 1)) < 0)
			return err;
	for (i = 0; i < rp->ntags; i++)
		if (!has_key(rp->sent_tags, rp->nsent_tags, rp->tags[i].key) &&
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "run.tag", id, rp->tags[i].key, "", 0)) < 0)
			return err;
	return 0;
}

static int ensure_experiment(char **out, struct mmp_sync__push *p,
	const mmp_run *r)
{
	mmp_kv *tags = NULL;
	size_t ntags = 0;
	int err;

	err = mmp_store__sync_experiment_get(out, p->s, p->remote,
		r->experiment_id);
	if (err != MMP_ENOTFOUND)
		return err;
	mmp_error_clear();
	if ((err = mmp_store__sync_experiment_tags(&tags, &ntags, p->s,
	    r->experiment_id)) < 0)
		return err;
	err = mmp_mlflow__experiment_ensure(out, &p->m, r->experiment_name,
		tags, ntags);
	mmp_store__sync_kv_free(tags, ntags);
	if (err < 0)
		return err;
	p->out->sent.experiments++;
	if ((err = mmp_store__sync_experiment_set(p->s, p->remote,
	    r->experiment_id, *out)) < 0)
		return err;
	return record_experiment_name(p, r->experiment_id,
		r->experiment_name);
}

static int create_run(struct mmp_sync__push *p, struct run_plan *rp,
	const char *exp_id)
{
	const char *id = rp->run->run_id;
	char *rid = NULL, *uri = NULL;
	size_t n;
	int err;

	/* a create that may have reached the server: find it first */
	if (rp->st.known) {
		err = mmp_mlflow__run_find(&rid, &uri, &p->m, exp_id, id);
		if (err == MMP_ENOTFOUND)
			mmp_error_clear();
		else if (err < 0)
			return err;
	}
	if (!rid) {
		if ((err = mmp_store__sync_run_creating(p->s, p->remote,
		    id)) < 0)
			return err;
		n = rp->ntags < MMP_MLFLOW_MAX_TAGS ? rp->ntags :
			MMP_MLFLOW_MAX_TAGS;
		if ((err = mmp_mlflow__run_create(&rid, &uri, &p->m, exp_id,
		    rp->run, rp->tags, n)) < 0)
			return err;
		p->out->sent.runs++;
		if (n == rp->ntags)
			p->out->sent.tags += n;
	} else {
		n = 0;
	}
	err = mmp_store__sync_run_created(p->s, p->remote, id, rid, uri);
	if (!err)
		err = mmp_store__sync_sent_set(p->s, p->remote, "run.name", id,
			NULL, rp->run->name, 0);
	if (!err && n == rp->ntags) {
		err = mmp_store__sync_run_tags_sent(p->s, p->remote, id,
			rp->digest);
		if (!err)
			err = record_tags(p, rp);
		rp->need_tags = 0;
	}
	free(rp->st.remote_run_id);
	free(rp->st.remote_artifact_uri);
	rp->st.remote_run_id = rid;
	rp->st.remote_artifact_uri = uri;
	return err;
}

static int same_value(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (isinf(a))
		return (a > 0 ? b : -b) >= 1.7976931348623157e308;
	return a == b;
}

/*
 * A batch of metric rows (after, upto] may have reached the server
 * before the push stopped: send only the values the server lacks.
 */
static int resend_inflight(struct mmp_sync__push *p, struct run_plan *rp)
{
	const char *id = rp->run->run_id, *rid = rp->st.remote_run_id;
	struct mmp_store__sync_metric *rows = NULL;
	mmp_run_metric *send = NULL, *hist = NULL;
	size_t n = 0, i, j, k, nsend = 0, nh = 0;
	char *used = NULL;
	int err;

	if ((err = mmp_store__sync_metrics(&rows, &n, p->s, id,
	    rp->st.metrics_rowid, rp->st.metrics_inflight,
	    MMP_MLFLOW_MAX_METRICS)) < 0)
		return err;
	send = mmp__calloc(n ? n : 1, sizeof(*send));
	for (i = 0; i < n; i++) {
		/* the history of each key once, at its first row */
		for (j = 0; j < i; j++)
			if (!strcmp(rows[j].key, rows[i].key))
				break;
		if (j < i)
			continue;
		mmp_mlflow__history_free(hist, nh);
		hist = NULL;
		free(used);
		used = NULL;
		if ((err = mmp_mlflow__metric_history(&hist, &nh, &p->m, rid,
		    rows[i].key)) < 0)
			goto done;
		used = mmp__calloc(nh ? nh : 1, 1);
		for (j = i; j < n; j++) {
			if (strcmp(rows[j].key, rows[i].key))
				continue;
			for (k = 0; k < nh; k++)
				if (!used[k] && hist[k].step == rows[j].step &&
				    hist[k].timestamp == rows[j].timestamp &&
				    same_value(rows[j].value, hist[k].value))
					break;
			if (k < nh) {
				used[k] = 1;
				continue;
			}
			send[nsend].key = rows[j].key;
			send[nsend].value = rows[j].value;
			send[nsend].step = rows[j].step;
			send[nsend++].timestamp = rows[j].timestamp;
		}
	}
	if (nsend) {
		if ((err = mmp_mlflow__log_metrics(&p->m, rid, send,
		    nsend)) < 0)
			goto done;
		p->out->log_batch_calls++;
	}
	p->out->sent.metrics += nsend;
	err = mmp_store__sync_run_metrics_sent(p->s, p->remote, id,
		rp->st.metrics_inflight);
	if (!err)
		rp->st.metrics_rowid = rp->st.metrics_inflight;
done:
	mmp_mlflow__history_free(hist, nh);
	free(used);
	free(send);
	mmp_store__sync_metrics_free(rows, n);
	return err;
}

static int push_metrics(struct mmp_sync__push *p, struct run_plan *rp)
{
	const char *id = rp->run->run_id, *rid = rp->st.remote_run_id;
	struct mmp_store__sync_metric *rows = NULL;
	mmp_run_metric *send = NULL;
	size_t n = 0, i;
	int64_t last;
	int err;

	if (rp->st.metrics_inflight > rp->st.metrics_rowid &&
	    (err = resend_inflight(p, rp)) < 0)
		return err;
	for (;;) {
		if ((err = mmp_store__sync_metrics(&rows, &n, p->s, id,
		    rp->st.metrics_rowid, 0, MMP_MLFLOW_MAX_METRICS)) < 0)
			return err;
		if (!n)
			break;
		send = mmp__reallocarray(send, n, sizeof(*send));
		for (i = 0; i < n; i++) {
			send[i].key = rows[i].key;
			send[i].value = rows[i].value;
			send[i].step = rows[i].step;
			send[i].timestamp = rows[i].timestamp;
		}
		last = rows[n - 1].rowid;
		if ((err = mmp_store__sync_run_metrics_inflight(p->s,
		    p->remote, id, last)) < 0)
			break;
		if ((err = mmp_mlflow__log_metrics(&p->m, rid, send, n)) < 0)
			break;
		p->out->log_batch_calls++;
		p->out->sent.metrics += n;
		if ((err = mmp_store__sync_run_metrics_sent(p->s, p->remote,
		    id, last)) < 0)
			break;
		rp->st.metrics_rowid = last;
		mmp_store__sync_metrics_free(rows, n);
		rows = NULL;
		n = 0;
	}
	mmp_store__sync_metrics_free(rows, n);
	free(send);
	return err;
}

static int is_mlmodel(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, "MLmodel");
}

/* the pushed copy of an MLmodel names the server's run, not ours */
static int put_mlmodel(struct mmp_sync__push *p, struct run_plan *rp,
	const char *rel_path, const char *file)
{
	mmp_buf text = MMP_BUF_INIT, copy = MMP_BUF_INIT;
	int err;

	if ((err = mmp_file_read(&text, file, (size_t)1 << 20)) == 0) {
		mmp_sync__mlmodel_for_server(&copy, text.ptr, text.size,
			rp->st.remote_run_id);
		err = mmp_mlflow__artifact_put_data(&p->m,
			rp->st.remote_artifact_uri, rel_path, copy.ptr,
			copy.size);
	}
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&copy);
	return err;
}

static int push_artifacts(struct mmp_sync__push *p, struct run_plan *rp)
{
	const mmp_run *r = rp->run;
	mmp_buf file = MMP_BUF_INIT;
	char sha[65];
	size_t i;
	int err = 0, sent;

	for (i = 0; i < r->artifacts_nr; i++) {
		const mmp_artifact *a = &r->artifacts[i];
		if ((err = mmp_store__sync_artifact_is_sent(&sent, p->s,
		    p->remote, r->run_id, a->path, a->sha256)) < 0)
			break;
		if (sent)
			continue;
		artifact_file(&file, p->s, r, a->path);
		if (mmp_sha256_file(sha, file.ptr) < 0) {
			mmp_error_prefix("artifact '%s' of run %s", a->path,
				r->run_id);
			err = MMP_ERROR;
			break;
		}
		if (strcmp(sha, a->sha256)) {
			err = mmp_error_ret(MMP_ERROR, MMP_ERROR_STORE,
				"artifact '%s' of run %s changed on disk since "
				"it was logged (sha256 %.12s, logged %.12s)",
				file.ptr, r->run_id, sha, a->sha256);
			break;
		}
		if (is_mlmodel(a->path))
			err = put_mlmodel(p, rp, a->path, file.ptr);
		else
			err = mmp_mlflow__artifact_put(&p->m,
				rp->st.remote_artifact_uri, a->path,
				file.ptr);
		if (err < 0)
			break;
		p->out->sent.artifacts++;
		p->out->sent.artifact_bytes += (uint64_t)a->size;
		if ((err = mmp_store__sync_artifact_sent(p->s, p->remote,
		    r->run_id, a->path, a->sha256)) < 0)
			break;
		if ((err = mmp_sync__emit(p, r->run_id, rp->st.remote_run_id,
		    "artifact", a->path)) < 0)
			break;
	}
	/* once every file is there, as MLflow's log_model does */
	for (i = 0; !err && i < r->artifacts_nr; i++) {
		if (!is_mlmodel(r->artifacts[i].path))
			continue;
		artifact_file(&file, p->s, r, r->artifacts[i].path);
		err = mmp_sync__log_model(p, r, rp->st.remote_run_id,
			r->artifacts[i].path, file.ptr);
	}
	mmp_buf_dispose(&file);
	return err;
}

static int push_run(struct mmp_sync__push *p, struct run_plan *rp)
{
	const mmp_run *r = rp->run;
	char *exp_id = NULL;
	int err;

	if ((err = ensure_experiment(&exp_id, p, r)) < 0)
		goto done;
	/* MLflow takes changes to active runs only: restore first */
	if (rp->need_lifecycle && !rp->deleted) {
		if ((err = mmp_mlflow__run_lifecycle(&p->m,
		    rp->st.remote_run_id, 0)) < 0 ||
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "run.lifecycle", r->run_id, NULL, "active", 0)) < 0)
			goto done;
		p->out->sent.lifecycle++;
	}
	if (rp->need_create && (err = create_run(p, rp, exp_id)) < 0)
		goto done;
	if (rp->need_params) {
		if ((err = mmp_mlflow__log_params(&p->m, rp->st.remote_run_id,
		    r->params, r->params_nr, &p->out->log_batch_calls)) < 0)
			goto done;
		p->out->sent.params += r->params_nr;
		if ((err = mmp_store__sync_run_params_sent(p->s, p->remote,
		    r->run_id, (int64_t)r->params_nr)) < 0)
			goto done;
	}
	if (rp->need_tags) {
		size_t i;
		for (i = 0; i < rp->nsent_tags; i++) {
			const char *k = rp->sent_tags[i].key;
			if (has_key(rp->tags, rp->ntags, k))
				continue;
			if ((err = mmp_mlflow__run_delete_tag(&p->m,
			    rp->st.remote_run_id, k)) < 0)
				goto done;
			p->out->sent.tags_removed++;
		}
		if ((err = mmp_mlflow__log_tags(&p->m, rp->st.remote_run_id,
		    rp->tags, rp->ntags, &p->out->log_batch_calls)) < 0)
			goto done;
		p->out->sent.tags += rp->ntags;
		if ((err = mmp_store__sync_run_tags_sent(p->s, p->remote,
		    r->run_id, rp->digest)) < 0 ||
		    (err = record_tags(p, rp)) < 0)
			goto done;
	}
	if (rp->need_rename) {
		if ((err = mmp_mlflow__run_rename(&p->m, rp->st.remote_run_id,
		    r->name)) < 0 ||
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "run.name", r->run_id, NULL, r->name, 0)) < 0)
			goto done;
		p->out->sent.renames++;
	}
	if ((err = mmp_sync__log_inputs(p, r, rp->st.remote_run_id)) < 0)
		goto done;
	if ((err = push_metrics(p, rp)) < 0)
		goto done;
	if ((err = push_artifacts(p, rp)) < 0)
		goto done;
	if (rp->need_status) {
		if ((err = mmp_mlflow__run_update(&p->m, rp->st.remote_run_id,
		    r->status, r->end_time)) < 0)
			goto done;
		p->out->sent.runs_completed++;
		if ((err = mmp_store__sync_run_status_sent(p->s, p->remote,
		    r->run_id, r->status)) < 0)
			goto done;
	}
	if (rp->need_lifecycle && rp->deleted) {
		if ((err = mmp_mlflow__run_lifecycle(&p->m,
		    rp->st.remote_run_id, 1)) < 0 ||
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "run.lifecycle", r->run_id, NULL, "deleted", 0)) < 0)
			goto done;
		p->out->sent.lifecycle++;
	}
	err = mmp_sync__emit(p, r->run_id, rp->st.remote_run_id, "run", r->name);
done:
	if (err < 0)
		mmp_error_prefix("run %s", r->run_id);
	free(exp_id);
	return err;
}

static int push_runs(struct mmp_sync__push *p)
{
	char (*ids)[33] = NULL;
	struct run_plan rp;
	size_t n = 0, i;
	int err;

	if ((err = run_ids(&ids, &n, p->s, p->remote, p->o->run_id)) < 0)
		return err;
	for (i = 0; i < n; i++) {
		if ((err = plan_run(&rp, p->s, p->remote, ids[i])) < 0) {
			plan_release(&rp);
			break;
		}
		p->out->runs_seen++;
		if (plan_is_done(&rp))
			p->out->runs_up_to_date++;
		else
			err = push_run(p, &rp);
		plan_release(&rp);
		if (err < 0)
			break;
	}
	free(ids);
	return err;
}

/* experiments renamed, deleted or restored since they were pushed;
 * first, so that a restored experiment takes its runs' changes */
static int push_experiments(struct mmp_sync__push *p)
{
	mmp_experiment_list *l = NULL;
	int64_t *ids = NULL;
	char **rids = NULL, *v = NULL, subject[32];
	size_t n = 0, i, j;
	int err, found, sent_deleted, deleted;

	if (p->remote < 0)
		return 0;
	if ((err = mmp_store__sync_experiments_pushed(&ids, &rids, &n, p->s,
	    p->remote)) < 0 ||
	    (err = mmp_experiments_list(&l, p->s, 1)) < 0)
		goto done;
	for (i = 0; i < n && !err; i++) {
		const mmp_experiment *e = NULL;
		for (j = 0; j < l->count; j++)
			if (l->items[j].id == ids[i])
				e = &l->items[j];
		if (!e)
			continue;
		snprintf(subject, sizeof(subject), "%lld", (long long)e->id);
		if ((err = mmp_store__sync_sent_get(&v, &found, p->s,
		    p->remote, "exp.lifecycle", subject, NULL)) < 0)
			break;
		sent_deleted = found && v && !strcmp(v, "deleted");
		free(v);
		v = NULL;
		deleted = !strcmp(e->lifecycle_stage, "deleted");
		/* a deleted experiment cannot be renamed: restore first */
		if (sent_deleted && !deleted) {
			p->out->sent.lifecycle++;
			if (!p->dry && ((err = mmp_mlflow__experiment_lifecycle(
			    &p->m, rids[i], 0)) < 0 ||
			    (err = mmp_store__sync_sent_set(p->s, p->remote,
			    "exp.lifecycle", subject, NULL, "active", 0)) < 0))
				break;
		}
		if ((err = mmp_store__sync_sent_get(&v, &found, p->s,
		    p->remote, "exp.name", subject, NULL)) < 0)
			break;
		if (found && v && strcmp(v, e->name)) {
			p->out->sent.renames++;
			if (!p->dry && ((err = mmp_mlflow__experiment_rename(
			    &p->m, rids[i], e->name)) < 0 ||
			    (err = record_experiment_name(p, e->id,
			    e->name)) < 0))
				break;
		}
		free(v);
		v = NULL;
		if (!sent_deleted && deleted) {
			p->out->sent.lifecycle++;
			if (!p->dry && ((err = mmp_mlflow__experiment_lifecycle(
			    &p->m, rids[i], 1)) < 0 ||
			    (err = mmp_store__sync_sent_set(p->s, p->remote,
			    "exp.lifecycle", subject, NULL, "deleted", 0)) < 0))
				break;
		}
		if (!p->dry)
			err = mmp_sync__emit(p, NULL, NULL, "experiment",
				e->name);
	}
	if (err < 0)
		mmp_error_prefix("experiment");
done:
	free(v);
	for (i = 0; i < n; i++)
		free(rids[i]);
	free(rids);
	free(ids);
	mmp_experiment_list_free(l);
	return err;
}

/* add what the experiments still need to `c` */
static int count_experiments(mmp_sync_counts *c, mmp_store *s,
	int64_t remote)
{
	mmp_sync_result r;
	int err = dry_push(s, remote, push_experiments, &r);

	c->lifecycle += r.sent.lifecycle;
	c->renames += r.sent.renames;
	return err;
}

/* was the deleted run `run` pushed to `uri`, so that its deletion is
 * the one thing left to send? */
static int deletion_to_send(mmp_store *s, const char *uri, const char *run)
{
	char (*del)[33] = NULL;
	size_t n = 0, i;
	int64_t remote;
	int err, found = 0;

	err = mmp_store__sync_remote(s, uri, 0, &remote);
	if (err == MMP_ENOTFOUND) {
		mmp_error_clear();
		return 0;
	}
	if (err < 0 ||
	    (err = mmp_store__sync_runs_deleted(&del, &n, s, remote)) < 0)
		return err;
	for (i = 0; i < n && !found; i++)
		found = !strcmp(del[i], run);
	free(del);
	return found;
}

static int check_run_option(mmp_store *s, const char *uri, const char *run)
{
	char (*ids)[33] = NULL;
	mmp_run *r = NULL;
	size_t n = 0;
	int err, deleted;

	if (!run)
		return 0;

	if ((err = mmp_run_get(&r, s, run)) < 0)
		return err;
	if (r->origin) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"run %s is a mirror of run %s of %s: only this "
			"store's own runs are pushed", run, r->remote_run_id,
			r->origin);
		mmp_run_free(r);
		return err;
	}
	deleted = r->lifecycle_stage &&
		!strcmp(r->lifecycle_stage, "deleted");
	mmp_run_free(r);
	if (deleted) {
		if ((err = deletion_to_send(s, uri, run)) < 0)
			return err;
		if (!err)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"run %s is deleted and was never pushed "
				"here: restore it with 'mmp runs restore %s' "
				"to push it", run, run);
		return 0;
	}
	if ((err = mmp_store__sync_runs_ended(&ids, &n, s, run)) < 0)
		return err;
	free(ids);
	if (!n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"run %s has not ended: only ended runs are pushed",
			run);
	return 0;
}

int mmp_sync_push(mmp_sync_result *out, mmp_store *s,
	const mmp_sync_options *o)
{
	struct mmp_sync__push p;
	size_t ended, pending;
	int err, rerr;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (!o || o->version != MMP_SYNC_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"missing or unsupported sync options");
	p.s = s;
	p.o = o;
	p.out = out;
	p.remote = -1;
	if ((err = clean_remote(&out->remote, o->tracking_uri)) < 0)
		return err;
	if ((err = check_run_option(s, out->remote, o->run_id)) < 0)
		return err;
	if ((err = mmp_store__sync_runs_running(&out->runs_running, s)) < 0)
		return err;
	if (o->dry_run) {
		err = mmp_store__sync_remote(s, out->remote, 0, &p.remote);
		if (err == MMP_ENOTFOUND) {
			mmp_error_clear();
			p.remote = -1;
		} else if (err < 0) {
			return err;
		}
		if ((err = count_pending(&out->sent, &ended, &pending, s,
		    p.remote, o->run_id)) < 0)
			return err;
		out->runs_seen = ended;
		out->runs_up_to_date = ended - pending;
		if (o->run_id)
			return 0;
		if ((err = count_experiments(&out->sent, s, p.remote)) < 0)
			return err;
		return count_registry(&out->sent, s, p.remote);
	}
	if ((err = mmp_mlflow__open(&p.m, o->tracking_uri, o->http)) < 0)
		return err;
	if (o->max_attempts > 0)
		p.m.max_attempts = o->max_attempts;
	if (o->backoff_ms > 0)
		p.m.backoff_ms = o->backoff_ms;
	if ((err = mmp_store__sync_remote(s, out->remote, 1, &p.remote)) < 0)
		goto done;
	err = o->run_id ? 0 : push_experiments(&p);
	if (!err)
		err = push_runs(&p);
	if (!err && !o->run_id)
		err = mmp_sync__registry(&p);
	if (err < 0) {
		mmp_buf msg = MMP_BUF_INIT;
		int klass = mmp_error_last()->klass;

		/* keep the error while recording it */
		mmp_buf_puts(&msg, mmp_error_last()->message);
		out->error_class = mmp__strdup(p.m.fail_class ?
			p.m.fail_class : err == MMP_EINTERRUPTED ?
			"interrupted" : "local");
		rerr = mmp_store__sync_remote_result(s, p.remote,
			out->error_class, msg.ptr);
		mmp_error_set(klass, "%s", msg.ptr);
		mmp_buf_dispose(&msg);
		MMP_UNUSED(rerr);
	} else {
		err = mmp_store__sync_remote_result(s, p.remote, NULL, NULL);
	}
done:
	out->requests = p.m.requests;
	out->retries = p.m.retries;
	mmp_mlflow__close(&p.m);
	return err;
}
