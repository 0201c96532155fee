/* SPDX-License-Identifier: MIT */
/* sync-pull.c: mirror the runs of an MLflow server into the store, page
 * by page, resumably */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/sync.h"
#include "remote-internal.h"
#include "store/mirror-internal.h"
#include "store/sync-internal.h"

#define API "/api/2.0/mlflow"
#define MAX_ARTIFACTS 100000
#define MAX_DEPTH 32
#define MAX_PAGES 1000000

struct pull {
	mmp_store *s;
	const mmp_sync_pull_options *o;
	mmp_sync_pull_result *out;
	struct mmp_mlflow m;
	int64_t remote;          /* the store's id of the server; -1: none */
	int list_failed;         /* an artifact listing failed: try the
				    others once each */
	size_t unknown_alloc;
};

/* one remote experiment to pull */
struct rexp {
	char *id;
	char *name;
};

/* what one run of a listing holds, borrowed from the page's JSON */
struct rrun {
	const char *id, *name, *status, *user, *stage;
	int64_t start_time, end_time;
	mmp_kv *params, *tags;
	size_t nparams, ntags;
	const cJSON *metrics;    /* the latest values: their keys */
	char digest[65];
};

void mmp_sync_pull_result_release(mmp_sync_pull_result *r)
{
	size_t i;

	if (!r)
		return;
	free(r->remote);
	for (i = 0; i < r->experiments_nr; i++) {
		free(r->experiments[i].name);
		free(r->experiments[i].remote_id);
	}
	free(r->experiments);
	free(r->error_class);
	for (i = 0; i < r->unknown_nr; i++) {
		free(r->unknown[i].experiment);
		free(r->unknown[i].remote_run_id);
		free(r->unknown[i].run_id);
		free(r->unknown[i].name);
		free(r->unknown[i].error);
		free(r->unknown[i].error_class);
	}
	free(r->unknown);
	memset(r, 0, sizeof(*r));
}

static int emit(struct pull *p, const char *what, const char *detail,
	const char *remote_run)
{
	mmp_sync_event e;

	if (!p->o->progress)
		return 0;
	e.run_id = NULL;
	e.remote_run_id = remote_run;
	e.what = what;
	e.detail = detail;
	if (p->o->progress(&e, p->o->payload))
		return mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_NET,
			"pull interrupted");
	return 0;
}

static int bad_answer(const char *what, const char *field)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
		"%s: the server's answer has no valid '%s'", what, field);
}

/* a JSON number (or a numeric string: MLflow is lenient) as int64 */
static int64_t num_of(const cJSON *o, const char *key, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v) && *v->valuestring)
		return strtoll(v->valuestring, NULL, 10);
	return def;
}

/* ---- experiments ---- */

static void rexp_add(struct rexp **l, size_t *n, size_t *alloc,
	const char *id, const char *name)
{
	MMP_ALLOC_GROW(*l, *n + 1, *alloc);
	(*l)[*n].id = mmp__strdup(id);
	(*l)[(*n)++].name = mmp__strdup(name);
}

static int experiments_named(struct rexp **l, size_t *n, struct pull *p)
{
	mmp_buf path = MMP_BUF_INIT, what = MMP_BUF_INIT;
	size_t i, alloc = 0;
	int err = 0;

	for (i = 0; i < p->o->experiments_nr && !err; i++) {
		const char *name = p->o->experiments[i];
		const cJSON *e;
		cJSON *doc = NULL;
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(p->o->experiments[j], name))
				break;
		if (j < i)
			continue;
		mmp_buf_clear(&path);
		mmp_buf_clear(&what);
		mmp_buf_puts(&path, API "/experiments/get-by-name"
			"?experiment_name=");
		mmp_http_escape(&path, name);
		mmp_buf_printf(&what, "look up experiment '%s'", name);
		err = mmp_mlflow__call(&doc, &p->m, "GET", path.ptr, NULL,
			what.ptr);
		if (err == MMP_ENOTFOUND) {
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_NET,
				"the server has no experiment '%s'", name);
			free(p->m.fail_class);
			p->m.fail_class = mmp__strdup("not-found");
		}
		if (!err) {
			e = cJSON_GetObjectItemCaseSensitive(doc,
				"experiment");
			if (!mmp_mlflow__str(e, "experiment_id"))
				err = bad_answer(what.ptr, "experiment_id");
			else
				rexp_add(l, n, &alloc,
					mmp_mlflow__str(e, "experiment_id"),
					name);
		}
		cJSON_Delete(doc);
	}
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&what);
	return err;
}

static int experiments_all(struct rexp **l, size_t *n, struct pull *p)
{
	cJSON *doc = NULL, *body, *it;
	char *token = NULL;
	size_t alloc = 0, pages = 0;
	int err;

	do {
		const char *next;

		body = cJSON_CreateObject();
		cJSON_AddNumberToObject(body, "max_results", 1000);
		cJSON_AddStringToObject(body, "view_type", "ACTIVE_ONLY");
		if (token)
			cJSON_AddStringToObject(body, "page_token", token);
		cJSON_Delete(doc);
		doc = NULL;
		err = mmp_mlflow__call(&doc, &p->m, "POST",
			API "/experiments/search", body,
			"list the experiments");
		cJSON_Delete(body);
		if (err < 0)
			break;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc,
		    "experiments")) {
			const char *id = mmp_mlflow__str(it, "experiment_id");
			const char *name = mmp_mlflow__str(it, "name");
			if (!id || !name) {
				err = bad_answer("list the experiments",
					"experiment_id");
				goto done;
			}
			rexp_add(l, n, &alloc, id, name);
		}
		next = mmp_mlflow__str(doc, "next_page_token");
		free(token);
		token = next && *next ? mmp__strdup(next) : NULL;
	} while (token && ++pages < MAX_PAGES);
done:
	free(token);
	cJSON_Delete(doc);
	return err;
}

/* the remote ids an experiment's listing held */
struct seen {
	char **ids;
	size_t n, alloc;
};

static void seen_release(struct seen *sn)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		free(sn->ids[i]);
	free(sn->ids);
	memset(sn, 0, sizeof(*sn));
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- one run of a listing ---- */

static void kv_free(mmp_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const mmp_kv *)a)->key, ((const mmp_kv *)b)->key);
}

/* a {"key","value"} list, sorted by key, strings owned */
static int kv_list(mmp_kv **out, size_t *n, const cJSON *list,
	const char *what)
{
	const cJSON *it;
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	cJSON_ArrayForEach(it, list) {
		const char *k = mmp_mlflow__str(it, "key");
		const char *v = mmp_mlflow__str(it, "value");
		if (!k || !*k) {
			kv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return bad_answer(what, "key");
		}
		MMP_ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[*n].key = mmp__strdup(k);
		(*out)[(*n)++].value = mmp__strdup(v ? v : "");
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), kv_cmp);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rrun_release(struct rrun *r)
{
	kv_free(r->params, r->nparams);
	kv_free(r->tags, r->ntags);
	memset(r, 0, sizeof(*r));
}

static void hash_str(mmp_sha256_ctx *c, const char *s)
{
	s = s ? s : "";
	mmp_sha256_update(c, s, strlen(s) + 1);
}

static void hash_kv(mmp_sha256_ctx *c, const char *what, const mmp_kv *kv,
	size_t n)
{
	size_t i;

	hash_str(c, what);
	for (i = 0; i < n; i++) {
		hash_str(c, kv[i].key);
		hash_str(c, kv[i].value);
	}
}

/* the latest metrics, by key, each as "key value step timestamp" */
static void hash_metrics(mmp_sha256_ctx *c, const cJSON *metrics)
{
	const cJSON *it;
	char **rows = NULL;
	size_t n = 0, alloc = 0, i;

	cJSON_ArrayForEach(it, metrics) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
		mmp_buf b = MMP_BUF_INIT;
		char num[40];

		if (cJSON_IsNumber(v))
			snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		else
			snprintf(num, sizeof(num), "%.30s",
				cJSON_IsString(v) ? v->valuestring : "?");
		mmp_buf_printf(&b, "%s %s %lld %lld",
			mmp_mlflow__str(it, "key") ? mmp_mlflow__str(it, "key")
			: "", num, (long long)num_of(it, "step", 0),
			(long long)num_of(it, "timestamp", 0));
		MMP_ALLOC_GROW(rows, n + 1, alloc);
		rows[n++] = mmp_buf_detach(&b);
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), str_cmp);
	hash_str(c, "metrics");
	for (i = 0; i < n; i++) {
		hash_str(c, rows[i]);
		free(rows[i]);
	}
	free(rows);
}

static int rrun_parse(struct rrun *r, const cJSON *run, const char *exp)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(run, "info");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(run, "data");
	static const char *const statuses[] = { "RUNNING", "SCHEDULED",
		"FINISHED", "FAILED", "KILLED", NULL };
	static const char what[] = "list the runs";
	mmp_sha256_ctx c;
	unsigned char d[32];
	char num[64];
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->id = mmp_mlflow__str(info, "run_id");
	if (!r->id)
		r->id = mmp_mlflow__str(info, "run_uuid");
	if (!r->id || !*r->id || strlen(r->id) > 256)
		return bad_answer(what, "run_id");
	r->name = mmp_mlflow__str(info, "run_name");
	r->status = mmp_mlflow__str(info, "status");
	for (i = 0; statuses[i]; i++)
		if (r->status && !strcmp(r->status, statuses[i]))
			break;
	if (!statuses[i])
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"%s: run %s has the unknown status '%s'", what, r->id,
			r->status ? r->status : "");
	r->user = mmp_mlflow__str(info, "user_id");
	r->stage = mmp_mlflow__str(info, "lifecycle_stage");
	if (!r->stage || (strcmp(r->stage, "active") &&
	    strcmp(r->stage, "deleted")))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"%s: run %s has the unknown lifecycle stage '%s'",
			what, r->id, r->stage ? r->stage : "");
	r->start_time = num_of(info, "start_time", 0);
	r->end_time = num_of(info, "end_time", 0);
	if ((err = kv_list(&r->params, &r->nparams,
	    cJSON_GetObjectItemCaseSensitive(data, "params"), what)) < 0 ||
	    (err = kv_list(&r->tags, &r->ntags,
	    cJSON_GetObjectItemCaseSensitive(data, "tags"), what)) < 0)
		return err;
	if (!r->name || !*r->name)
		for (i = 0; i < r->ntags; i++)
			if (!strcmp(r->tags[i].key, "mlflow.runName"))
				r->name = r->tags[i].value;
	r->metrics = cJSON_GetObjectItemCaseSensitive(data, "metrics");

	/* what the listing says, independent of the order of its lists */
	mmp_sha256_init(&c);
	hash_str(&c, "mmp.pull.1");
	hash_str(&c, r->id);
	hash_str(&c, r->name);
	hash_str(&c, r->status);
	hash_str(&c, r->user);
	hash_str(&c, r->stage);
	hash_str(&c, mmp_mlflow__str(info, "experiment_id"));
	hash_str(&c, exp);   /* a renamed experiment moves its runs */
	snprintf(num, sizeof(num), "%lld %lld", (long long)r->start_time,
		(long long)r->end_time);
	hash_str(&c, num);
	hash_kv(&c, "params", r->params, r->nparams);
	hash_kv(&c, "tags", r->tags, r->ntags);
	hash_metrics(&c, r->metrics);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(r->digest, d);
	return 0;
}

static const char *tag_value(const struct rrun *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return NULL;
}

/* ---- the artifact list of a run, by walking artifacts/list ---- */

struct alist {
	mmp_artifact *a;
	size_t n, alloc;
};

static void alist_release(struct alist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free((char *)l->a[i].path);
	free(l->a);
	memset(l, 0, sizeof(*l));
}

static int list_artifacts(struct alist *l, struct pull *p, const char *run,
	const char *dir, int depth)
{
	mmp_buf path = MMP_BUF_INIT;
	cJSON *doc = NULL;
	const cJSON *it;
	int err;

	if (depth > MAX_DEPTH)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"the artifacts of run %s nest deeper than %d "
			"directories", run, MAX_DEPTH);
	mmp_buf_puts(&path, API "/artifacts/list?run_id=");
	mmp_http_escape(&path, run);
	if (*dir) {
		mmp_buf_puts(&path, "&path=");
		mmp_http_escape(&path, dir);
	}
	err = mmp_mlflow__call(&doc, &p->m, "GET", path.ptr, NULL,
		"list the artifacts");
	if (err < 0)
		goto done;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc,
	    "files")) {
		const char *rel = mmp_mlflow__str(it, "path");
		const cJSON *isdir = cJSON_GetObjectItemCaseSensitive(it,
			"is_dir");
		size_t dl = strlen(dir);

		/* paths are relative to the run's root and below `dir` */
		if (!rel || !*rel || *rel == '/' || strstr(rel, "..") ||
		    (dl && (strncmp(rel, dir, dl) || rel[dl] != '/'))) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
				"list the artifacts of run %s: the server "
				"lists '%s' under '%s'", run, rel ? rel : "",
				dir);
			goto done;
		}
		if (cJSON_IsTrue(isdir)) {
			if ((err = list_artifacts(l, p, run, rel,
			    depth + 1)) < 0)
				goto done;
			continue;
		}
		if (l->n >= MAX_ARTIFACTS) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
				"run %s has more than %d artifact files", run,
				MAX_ARTIFACTS);
			goto done;
		}
		MMP_ALLOC_GROW(l->a, l->n + 1, l->alloc);
		l->a[l->n].path = mmp__strdup(rel);
		l->a[l->n].size = num_of(it, "file_size", 0);
		l->a[l->n++].sha256 = NULL;
	}
done:
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	return err;
}

/* ---- mirroring one run ---- */

static void hash_history(mmp_sha256_ctx *c, const mmp_run_metric *m,
	size_t n)
{
	char row[160];
	size_t i;

	hash_str(c, "history");
	for (i = 0; i < n; i++) {
		hash_str(c, m[i].key);
		if (isnan(m[i].value))
			snprintf(row, sizeof(row), "nan %lld %lld",
				(long long)m[i].step,
				(long long)m[i].timestamp);
		else
			snprintf(row, sizeof(row), "%.17g %lld %lld",
				m[i].value, (long long)m[i].step,
				(long long)m[i].timestamp);
		hash_str(c, row);
	}
}

/* the artifact list, or that it is unknown (its cause left out: the
 * same refusal worded otherwise is no change of the run) */
static void hash_artifacts(mmp_sha256_ctx *c, const struct alist *l,
	int unknown)
{
	char num[32];
	size_t i;

	hash_str(c, unknown ? "artifacts unknown" : "artifacts");
	for (i = 0; !unknown && i < l->n; i++) {
		hash_str(c, l->a[i].path);
		snprintf(num, sizeof(num), "%lld", (long long)l->a[i].size);
		hash_str(c, num);
	}
}

/*
 * List the run's artifacts; a refusal by the server (an HTTP answer, or
 * a listing that cannot be right) leaves the list unknown, with its
 * cause in `*cause` (owned) and `*klass`; a lost server, an
 * interruption or a local failure is an error.
 */
static int list_or_unknown(struct alist *l, char **cause, char **klass,
	struct pull *p, const char *run)
{
	int saved = p->m.max_attempts, err;

	*cause = *klass = NULL;
	if (p->list_failed)
		p->m.max_attempts = 1;
	p->m.answered = 0;
	err = list_artifacts(l, p, run, "", 0);
	p->m.max_attempts = saved;
	if (err >= 0)
		return 0;
	if (err != MMP_EINVALID && !p->m.answered)
		return err;
	alist_release(l);
	*cause = mmp__strdup(mmp_error_last()->message);
	*klass = mmp__strdup(err == MMP_EINVALID && !p->m.answered ?
		"bad-answer" : p->m.fail_class ? p->m.fail_class :
		"api-error");
	free(p->m.fail_class);
	p->m.fail_class = NULL;
	mmp_error_clear();
	p->list_failed = 1;
	return 0;
}

static void add_unknown(struct pull *p, const struct rexp *e,
	const struct rrun *r, char **cause, char **klass)
{
	mmp_sync_pull_result *o = p->out;
	mmp_sync_pull_unknown *u;
	char id[33];

	MMP_ALLOC_GROW(o->unknown, o->unknown_nr + 1, p->unknown_alloc);
	u = &o->unknown[o->unknown_nr++];
	mmp_store__mirror_id(id, o->remote, r->id);
	u->experiment = mmp__strdup(e->name);
	u->remote_run_id = mmp__strdup(r->id);
	u->run_id = mmp__strdup(id);
	u->name = r->name ? mmp__strdup(r->name) : NULL;
	u->error = *cause;
	u->error_class = *klass;
	*cause = *klass = NULL;
}

/*
 * Read the run whole (every history, the artifact list) and write it,
 * unless only its content could have changed (`old` has the listing's
 * digest) and it did not.
 */
static int mirror(struct pull *p, mmp_sync_pull_experiment *ex,
	const struct rexp *e, const struct rrun *r,
	const struct mmp_store__mirror_state *old)
{
	struct mmp_store__mirror_run m;
	mmp_run_metric *all = NULL;
	struct alist arts = { NULL, 0, 0 };
	size_t n = 0, alloc = 0, i;
	const cJSON *it;
	char *cause = NULL, *klass = NULL, content[65];
	unsigned char d[32];
	mmp_sha256_ctx c;
	int err = 0, created = 0;

	cJSON_ArrayForEach(it, r->metrics) {
		mmp_run_metric *h = NULL;
		size_t nh = 0;
		const char *key = mmp_mlflow__str(it, "key");

		if (!key || !*key) {
			err = bad_answer("list the runs", "metrics");
			goto done;
		}
		if ((err = mmp_mlflow__metric_history(&h, &nh, &p->m, r->id,
		    key)) < 0)
			goto done;
		for (i = 0; i < nh; i++) {
			MMP_ALLOC_GROW(all, n + 1, alloc);
			all[n++] = h[i];
		}
		free(h);   /* the keys moved into `all` */
	}
	if ((err = list_or_unknown(&arts, &cause, &klass, p, r->id)) < 0)
		goto done;
	mmp_sha256_init(&c);
	hash_str(&c, "mmp.pull.content.1");
	hash_history(&c, all, n);
	hash_artifacts(&c, &arts, cause != NULL);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(content, d);
	ex->runs_artifacts_unknown += cause != NULL;
	if (old->found && old->digest && !strcmp(old->digest, r->digest) &&
	    old->content && !strcmp(old->content, content)) {
		ex->runs_unchanged++;
		goto done;
	}
	memset(&m, 0, sizeof(m));
	m.origin = p->out->remote;
	m.remote_run_id = r->id;
	m.experiment = e->name;
	m.name = r->name;
	m.status = r->status;
	m.user_id = r->user;
	m.lifecycle_stage = r->stage;
	m.start_time = r->start_time;
	m.end_time = r->end_time;
	m.digest = r->digest;
	m.params = r->params;
	m.params_nr = r->nparams;
	m.tags = r->tags;
	m.tags_nr = r->ntags;
	m.metrics = all;
	m.metrics_nr = n;
	m.artifacts = arts.a;
	m.artifacts_nr = arts.n;
	m.content = content;
	m.artifacts_error = cause;
	if ((err = mmp_store__mirror_put(p->s, &m, &created)) < 0)
		goto done;
	if (created)
		ex->runs_new++;
	else
		ex->runs_updated++;
	ex->runs_deleted += !strcmp(r->stage, "deleted");
	ex->params += r->nparams;
	ex->tags += r->ntags;
	ex->metrics += n;
	ex->artifacts += arts.n;
	err = emit(p, "run", r->name, r->id);
done:
	if (cause && err >= 0)
		add_unknown(p, e, r, &cause, &klass);
	free(cause);
	free(klass);
	mmp_mlflow__history_free(all, n);
	alist_release(&arts);
	return err;
}

static int one_run(struct pull *p, mmp_sync_pull_experiment *ex,
	const struct rexp *e, const cJSON *run, struct seen *sn)
{
	struct mmp_store__mirror_state old;
	struct rrun r;
	int err, own = 0, same, again;

	memset(&old, 0, sizeof(old));
	if ((err = rrun_parse(&r, run, e->name)) < 0)
		goto done;
	ex->runs_seen++;
	MMP_ALLOC_GROW(sn->ids, sn->n + 1, sn->alloc);
	sn->ids[sn->n++] = mmp__strdup(r.id);
	if ((err = mmp_store__mirror_is_local(&own, p->s, p->remote, r.id,
	    tag_value(&r, "mmp.run_id"))) < 0)
		goto done;
	if (own) {
		ex->runs_own++;
		goto done;
	}
	if ((err = mmp_store__mirror_state_get(&old, p->s, p->out->remote,
	    r.id)) < 0)
		goto done;
	same = old.found && old.digest && !strcmp(old.digest, r.digest);
	/* what the listing cannot show: values logged at older steps,
	 * artifacts; a run still running there may still get them */
	again = same && (p->o->full || old.artifacts_error ||
		(!strcmp(r.status, "RUNNING") &&
		 !strcmp(r.stage, "active")));
	if (same && !again) {
		ex->runs_unchanged++;
		goto done;
	}
	/* a run deleted there before it was ever mirrored stays away */
	if (!old.found && !strcmp(r.stage, "deleted"))
		goto done;
	if (again)
		ex->runs_reread++;
	if (p->o->dry_run) {
		if (again)
			ex->runs_unchanged++;
		else if (old.found)
			ex->runs_updated++;
		else
			ex->runs_new++;
		ex->runs_deleted += !again && !strcmp(r.stage, "deleted");
		goto done;
	}
	err = mirror(p, ex, e, &r, &old);
done:
	mmp_store__mirror_state_release(&old);
	rrun_release(&r);
	return err;
}

/*
 * The mirrored runs of the experiment its listing did not hold: a page
 * may have shifted under the offsets while it was read, so each is asked
 * for, and only one the server does not have is marked deleted.
 */
static int find_gone(struct pull *p, mmp_sync_pull_experiment *ex,
	const struct rexp *e, struct seen *sn)
{
	mmp_buf path = MMP_BUF_INIT;
	char **unseen = NULL;
	size_t n = 0, i;
	int err;

	if (sn->n > 1)
		qsort(sn->ids, sn->n, sizeof(*sn->ids), cmp_id);
	if ((err = mmp_store__mirror_unseen(&unseen, &n, p->s,
	    p->out->remote, e->name, sn->ids, sn->n)) < 0)
		return err;
	for (i = 0; i < n && !err; i++) {
		cJSON *doc = NULL;

		mmp_buf_clear(&path);
		mmp_buf_puts(&path, API "/runs/get?run_id=");
		mmp_http_escape(&path, unseen[i]);
		err = mmp_mlflow__call(&doc, &p->m, "GET", path.ptr, NULL,
			"look up a run the listing left out");
		cJSON_Delete(doc);
		if (err != MMP_ENOTFOUND)
			continue;   /* there after all (or a failure) */
		mmp_error_clear();
		free(p->m.fail_class);
		p->m.fail_class = NULL;
		err = p->o->dry_run ? 0 : mmp_store__mirror_gone(p->s,
			p->out->remote, unseen[i]);
		ex->runs_gone++;
	}
	for (i = 0; i < n; i++)
		free(unseen[i]);
	free(unseen);
	mmp_buf_dispose(&path);
	return err;
}

/* ---- one experiment, page by page ---- */

static int pull_experiment(struct pull *p, mmp_sync_pull_experiment *ex,
	const struct rexp *e)
{
	cJSON *doc = NULL, *body;
	const cJSON *it;
	char *token = NULL;
	struct seen sn = { NULL, 0, 0 };
	mmp_buf what = MMP_BUF_INIT;
	size_t page = p->o->page_size ? p->o->page_size : 1000;
	int err = 0;

	ex->name = mmp__strdup(e->name);
	ex->remote_id = mmp__strdup(e->id);
	if (!p->o->dry_run && !p->o->full &&
	    (err = mmp_store__pull_page_get(&token, p->s, p->remote,
	    e->id)) < 0)
		return err;
	ex->resumed = token != NULL;
	mmp_buf_printf(&what, "list the runs of experiment '%s'", e->name);
	for (;;) {
		const char *next;

		body = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body,
			"experiment_ids"), cJSON_CreateString(e->id));
		cJSON_AddStringToObject(body, "run_view_type", "ALL");
		cJSON_AddNumberToObject(body, "max_results", (double)page);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "order_by"),
			cJSON_CreateString("attributes.start_time ASC"));
		if (token)
			cJSON_AddStringToObject(body, "page_token", token);
		cJSON_Delete(doc);
		doc = NULL;
		err = mmp_mlflow__call(&doc, &p->m, "POST", API "/runs/search",
			body, what.ptr);
		cJSON_Delete(body);
		if (err < 0)
			break;
		ex->pages++;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc,
		    "runs"))
			if ((err = one_run(p, ex, e, it, &sn)) < 0)
				goto done;
		next = mmp_mlflow__str(doc, "next_page_token");
		free(token);
		token = next && *next ? mmp__strdup(next) : NULL;
		/* every run of the page is in: the next pull starts after
		 * it, or, at the end, from the first page again */
		if (!p->o->dry_run && (err = mmp_store__pull_page_set(p->s,
		    p->remote, e->id, e->name, token)) < 0)
			break;
		if (!token) {
			/* read whole: what it no longer lists is gone */
			if (ex->resumed)
				break;
			err = find_gone(p, ex, e, &sn);
			break;
		}
		if (ex->pages >= MAX_PAGES) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"%s: the server keeps sending pages", what.ptr);
			break;
		}
		if ((err = emit(p, "page", e->name, NULL)) < 0)
			break;
	}
done:
	free(token);
	cJSON_Delete(doc);
	seen_release(&sn);
	mmp_buf_dispose(&what);
	return err;
}

static void add_up(mmp_sync_pull_experiment *t,
	const mmp_sync_pull_experiment *e)
{
	t->pages += e->pages;
	t->runs_seen += e->runs_seen;
	t->runs_new += e->runs_new;
	t->runs_updated += e->runs_updated;
	t->runs_unchanged += e->runs_unchanged;
	t->runs_deleted += e->runs_deleted;
	t->runs_own += e->runs_own;
	t->runs_gone += e->runs_gone;
	t->params += e->params;
	t->tags += e->tags;
	t->metrics += e->metrics;
	t->artifacts += e->artifacts;
	t->runs_reread += e->runs_reread;
	t->runs_artifacts_unknown += e->runs_artifacts_unknown;
	t->resumed |= e->resumed;
}

int mmp_sync_pull(mmp_sync_pull_result *out, mmp_store *s,
	const mmp_sync_pull_options *o)
{
	struct pull p;
	struct rexp *ex = NULL;
	mmp_buf clean = MMP_BUF_INIT;
	char *user = NULL, *pass = NULL;
	size_t nex = 0, i;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (!o || o->version != MMP_SYNC_PULL_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"missing or unsupported pull options");
	if (!o->tracking_uri || !*o->tracking_uri)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no tracking server to pull from");
	p.s = s;
	p.o = o;
	p.out = out;
	p.remote = -1;
	err = mmp_remote__clean_uri(&clean, &user, &pass, o->tracking_uri);
	if (user)
		memset(user, 0, strlen(user));
	if (pass)
		memset(pass, 0, strlen(pass));
	free(user);
	free(pass);
	if (err < 0)
		goto done;
	out->remote = mmp_buf_detach(&clean);
	if ((err = mmp_mlflow__open(&p.m, o->tracking_uri, o->http)) < 0)
		goto done;
	p.m.reading = 1;
	if (o->max_attempts > 0)
		p.m.max_attempts = o->max_attempts;
	if (o->backoff_ms > 0)
		p.m.backoff_ms = o->backoff_ms;
	/* every experiment is known before the store is written */
	err = o->experiments_nr ? experiments_named(&ex, &nex, &p) :
		experiments_all(&ex, &nex, &p);
	if (err < 0)
		goto done;
	err = mmp_store__sync_remote(s, out->remote, !o->dry_run, &p.remote);
	if (err == MMP_ENOTFOUND && o->dry_run) {
		mmp_error_clear();
		p.remote = -1;
		err = 0;
	}
	if (err < 0)
		goto done;
	out->experiments = mmp__calloc(nex ? nex : 1,
		sizeof(*out->experiments));
	for (i = 0; i < nex && !err; i++) {
		err = pull_experiment(&p, &out->experiments[i], &ex[i]);
		out->experiments_nr++;
		add_up(&out->total, &out->experiments[i]);
	}
done:
	if (err < 0)
		out->error_class = mmp__strdup(p.m.fail_class ?
			p.m.fail_class : err == MMP_EINTERRUPTED ?
			"interrupted" : "local");
	out->requests = p.m.requests;
	out->retries = p.m.retries;
	mmp_mlflow__close(&p.m);
	for (i = 0; i < nex; i++) {
		free(ex[i].id);
		free(ex[i].name);
	}
	free(ex);
	mmp_buf_dispose(&clean);
	return err;
}
