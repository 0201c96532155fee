/* SPDX-License-Identifier: MIT */
/* sync-registry.c: push registered models, versions, stages, aliases
 * and approval decisions, after the runs they come from */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/registry.h"
#include "store/sync-internal.h"
#include "sync-internal.h"

/* MLflow 2.x refuses longer model version tag values */
#define MAX_VERSION_TAG_VALUE 5000

struct vtags {
	mmp_kv *kv;   /* strings owned */
	size_t nr, alloc;
};

static void vtag(struct vtags *t, const char *key, const char *value)
{
	if (!value || strlen(value) > MAX_VERSION_TAG_VALUE)
		return;
	MMP_ALLOC_GROW(t->kv, t->nr + 1, t->alloc);
	t->kv[t->nr].key = mmp__strdup(key);
	t->kv[t->nr++].value = mmp__strdup(value);
}

static void vtags_release(struct vtags *t)
{
	mmp_store__sync_kv_free(t->kv, t->nr);
	memset(t, 0, sizeof(*t));
}

/* the version's tags, its local number and its latest decision */
static void version_tags(struct vtags *t, const mmp_model_version *v)
{
	const mmp_approval *a = v->approval;
	char num[32];
	size_t i;

	snprintf(num, sizeof(num), "%lld", (long long)v->version);
	vtag(t, "mmp.registry.version", num);
	/* the server stamps its own creation time: keep ours (ms) */
	snprintf(num, sizeof(num), "%lld", (long long)v->creation_time);
	vtag(t, "mmp.registered_at", num);
	for (i = 0; i < v->tags_nr; i++)
		if (strcmp(v->tags[i].key, "mmp.registry.version") &&
		    strcmp(v->tags[i].key, "mmp.registered_at") &&
		    strncmp(v->tags[i].key, "mmp.approval.", 13))
			vtag(t, v->tags[i].key, v->tags[i].value);
	if (!a)
		return;
	vtag(t, "mmp.approval.decision", mmp_decision_name(a->decision));
	vtag(t, "mmp.approval.reason", a->reason);
	vtag(t, "mmp.approval.actor", a->actor);
	vtag(t, "mmp.approval.manual", a->manual ? "true" : "false");
	snprintf(num, sizeof(num), "%lld", (long long)a->time);
	vtag(t, "mmp.approval.time", num);
	if (a->notes)
		vtag(t, "mmp.approval.notes", a->notes);
	if (a->policy)
		vtag(t, "mmp.approval.policy", a->policy);
	if (a->evidence)
		vtag(t, "mmp.approval.evidence", a->evidence);
}

static void version_digest(char out[65], const mmp_model_version *v,
	const struct vtags *t)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	size_t i;

	mmp_sha256_init(&c);
	mmp_sha256_update(&c, v->description ? v->description : "",
		strlen(v->description ? v->description : "") + 1);
	for (i = 0; i < t->nr; i++) {
		mmp_sha256_update(&c, t->kv[i].key, strlen(t->kv[i].key) + 1);
		mmp_sha256_update(&c, t->kv[i].value,
			strlen(t->kv[i].value) + 1);
	}
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out, d);
}

/* mlflow-artifacts:/.../artifacts + the model dir below the run's */
static int remote_source(mmp_buf *out, struct mmp_sync__push *p,
	const mmp_model_version *v, const char *remote_artifact_uri)
{
	mmp_run *r = NULL;
	const char *rest = "model";
	size_t n;
	int err;

	if ((err = mmp_run_get(&r, p->s, v->run_id)) < 0)
		return err;
	n = strlen(r->artifact_uri);
	if (!strncmp(v->source, r->artifact_uri, n) && v->source[n] == '/')
		rest = v->source + n + 1;
	mmp_buf_clear(out);
	mmp_buf_printf(out, "%s/%s", remote_artifact_uri, rest);
	mmp_run_free(r);
	return 0;
}

/* create the version on the server, or find the one a killed push made */
static int create_version(char **out, struct mmp_sync__push *p,
	const mmp_model_version *v, int known, const struct vtags *t)
{
	struct mmp_store__sync_run rs;
	mmp_buf source = MMP_BUF_INIT;
	int err;

	*out = NULL;
	if ((err = mmp_store__sync_run_get(&rs, p->s, p->remote,
	    v->run_id)) < 0)
		goto done;
	if (!rs.remote_run_id || !rs.remote_artifact_uri) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"its run %s is not on the server (deleted?)",
			v->run_id);
		goto done;
	}
	if (known) {
		err = mmp_mlflow__version_find(out, &p->m, v->name,
			v->version);
		if (!err)
			goto done;
		if (err != MMP_ENOTFOUND)
			goto done;
		mmp_error_clear();
	}
	if ((err = remote_source(&source, p, v, rs.remote_artifact_uri)) < 0)
		goto done;
	if ((err = mmp_store__sync_version_creating(p->s, p->remote, v->name,
	    v->version)) < 0)
		goto done;
	if ((err = mmp_mlflow__version_create(out, &p->m, v->name,
	    source.ptr, rs.remote_run_id, v->description, t->kv,
	    t->nr)) < 0)
		goto done;
	p->out->sent.versions++;
	p->out->sent.version_tags += t->nr;
done:
	mmp_buf_dispose(&source);
	mmp_store__sync_run_release(&rs);
	return err;
}

static int vt_has(const mmp_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return 1;
	return 0;
}

static void version_subject(char out[300], const mmp_model_version *v)
{
	snprintf(out, 300, "%s/%lld", v->name, (long long)v->version);
}

/* delete on the server the version tags it has that are gone here */
static int remove_version_tags(struct mmp_sync__push *p,
	const mmp_model_version *v, const char *rv, const struct vtags *t)
{
	mmp_kv *sent = NULL;
	char subject[300];
	size_t n = 0, i;
	int err = 0;

	if (p->remote < 0)
		return 0;
	version_subject(subject, v);
	if ((err = mmp_store__sync_sent_list(&sent, &n, p->s, p->remote,
	    "version.tag", subject)) < 0)
		return err;
	for (i = 0; i < n && !err; i++) {
		if (vt_has(t->kv, t->nr, sent[i].key))
			continue;
		p->out->sent.tags_removed++;
		if (p->dry)
			continue;
		if ((err = mmp_mlflow__version_delete_tag(&p->m, v->name, rv,
		    sent[i].key)) == 0)
			err = mmp_store__sync_sent_set(p->s, p->remote,
				"version.tag", subject, sent[i].key, NULL, 1);
	}
	mmp_store__sync_kv_free(sent, n);
	return err;
}

static int record_version_tags(struct mmp_sync__push *p,
	const mmp_model_version *v, const struct vtags *t)
{
	char subject[300];
	size_t i;
	int err;

	version_subject(subject, v);
	for (i = 0; i < t->nr; i++)
		if ((err = mmp_store__sync_sent_set(p->s, p->remote,
		    "version.tag", subject, t->kv[i].key, "", 0)) < 0)
			return err;
	return 0;
}

/* the model's description and own tags, as they are here */
static int push_model_info(struct mmp_sync__push *p,
	const mmp_registered_model *m, int created)
{
	const char *desc = m->description ? m->description : "";
	mmp_kv *sent = NULL;
	char *v = NULL;
	size_t n = 0, i;
	int err, found = 0;

	if (p->remote >= 0 && (err = mmp_store__sync_sent_get(&v, &found,
	    p->s, p->remote, "model.description", m->name, NULL)) < 0)
		return err;
	/* a model created now got its description with it */
	if (created) {
		found = 1;
		free(v);
		v = mmp__strdup(desc);
		if (!p->dry && (err = mmp_store__sync_sent_set(p->s,
		    p->remote, "model.description", m->name, NULL, desc,
		    0)) < 0)
			goto done;
	}
	if (!found ? *desc != '\0' : strcmp(v ? v : "", desc)) {
		p->out->sent.model_updates++;
		if (!p->dry && ((err = mmp_mlflow__model_update(&p->m, m->name,
		    desc)) < 0 || (err = mmp_store__sync_sent_set(p->s,
		    p->remote, "model.description", m->name, NULL, desc,
		    0)) < 0))
			goto done;
	}
	if (p->remote >= 0 && (err = mmp_store__sync_sent_list(&sent, &n,
	    p->s, p->remote, "model.tag", m->name)) < 0)
		goto done;
	for (i = 0; i < m->tags_nr; i++) {
		size_t k;
		for (k = 0; k < n; k++)
			if (!strcmp(sent[k].key, m->tags[i].key))
				break;
		if (k < n && !strcmp(sent[k].value, m->tags[i].value))
			continue;
		p->out->sent.model_updates++;
		if (!p->dry && ((err = mmp_mlflow__model_tag(&p->m, m->name,
		    m->tags[i].key, m->tags[i].value)) < 0 ||
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "model.tag", m->name, m->tags[i].key, m->tags[i].value,
		    0)) < 0))
			goto done;
	}
	for (i = 0; i < n; i++) {
		if (vt_has(m->tags, m->tags_nr, sent[i].key))
			continue;
		p->out->sent.tags_removed++;
		if (!p->dry && ((err = mmp_mlflow__model_tag(&p->m, m->name,
		    sent[i].key, NULL)) < 0 ||
		    (err = mmp_store__sync_sent_set(p->s, p->remote,
		    "model.tag", m->name, sent[i].key, NULL, 1)) < 0))
			goto done;
	}
	err = 0;
done:
	free(v);
	mmp_store__sync_kv_free(sent, n);
	return err;
}

static int push_version(char **remote_version, struct mmp_sync__push *p,
	const mmp_model_version *v)
{
	struct mmp_store__sync_version vs;
	struct vtags t = { NULL, 0, 0 };
	const char *stage = mmp_stage_name(v->stage), *sent_stage;
	char digest[65], *rv = NULL;
	size_t i;
	int err = 0, created = 0;

	memset(&vs, 0, sizeof(vs));
	*remote_version = NULL;
	version_tags(&t, v);
	version_digest(digest, v, &t);
	if (p->remote >= 0 && (err = mmp_store__sync_version_get(&vs, p->s,
	    p->remote, v->name, v->version)) < 0)
		goto done;
	if (!vs.remote_version) {
		if (p->dry) {
			p->out->sent.versions++;
			p->out->sent.version_tags += t.nr;
			p->out->sent.stages += v->stage != MMP_STAGE_NONE;
			goto done;
		}
		if ((err = create_version(&rv, p, v, vs.known, &t)) < 0)
			goto done;
		if ((err = mmp_store__sync_version_created(p->s, p->remote,
		    v->name, v->version, rv)) < 0 ||
		    (err = mmp_store__sync_version_digest(p->s, p->remote,
		    v->name, v->version, digest)) < 0)
			goto done;
		if ((err = record_version_tags(p, v, &t)) < 0)
			goto done;
		created = 1;
	} else {
		rv = mmp__strdup(vs.remote_version);
	}
	if (!created && (!vs.digest || strcmp(vs.digest, digest))) {
		p->out->sent.version_tags += t.nr;
		if ((err = remove_version_tags(p, v, rv, &t)) < 0)
			goto done;
		if (!p->dry) {
			if ((err = mmp_mlflow__version_update(&p->m, v->name,
			    rv, v->description)) < 0)
				goto done;
			for (i = 0; i < t.nr; i++)
				if ((err = mmp_mlflow__version_set_tag(&p->m,
				    v->name, rv, t.kv[i].key,
				    t.kv[i].value)) < 0)
					goto done;
			if ((err = mmp_store__sync_version_digest(p->s,
			    p->remote, v->name, v->version, digest)) < 0 ||
			    (err = record_version_tags(p, v, &t)) < 0)
				goto done;
		}
	}
	sent_stage = created || !vs.stage_sent ? "None" : vs.stage_sent;
	if (strcmp(sent_stage, stage)) {
		p->out->sent.stages++;
		if (!p->dry) {
			if ((err = mmp_mlflow__version_stage(&p->m, v->name, rv,
			    stage, v->stage == MMP_STAGE_PRODUCTION)) < 0)
				goto done;
			if ((err = mmp_store__sync_version_stage(p->s,
			    p->remote, v->name, v->version, stage)) < 0)
				goto done;
		}
	}
	*remote_version = rv;
	rv = NULL;
done:
	if (err < 0)
		mmp_error_prefix("model '%s' v%lld", v->name,
			(long long)v->version);
	free(rv);
	vtags_release(&t);
	mmp_store__sync_version_release(&vs);
	return err;
}

/* aliases: set the ones that moved, delete the ones that went away */
static int push_aliases(struct mmp_sync__push *p,
	const mmp_registered_model *m, char **remote_versions)
{
	char **sent = NULL;
	int64_t *sent_v = NULL;
	size_t nsent = 0, i, j, k;
	int err = 0, want;

	if (p->remote >= 0 && (err = mmp_store__sync_aliases(&sent, &sent_v,
	    &nsent, p->s, p->remote, m->name)) < 0)
		return err;
	for (i = 0; i < m->versions_nr && !err; i++) {
		const mmp_model_version *v = m->versions[i];
		for (j = 0; j < v->aliases_nr && !err; j++) {
			for (k = 0; k < nsent; k++)
				if (!strcmp(sent[k], v->aliases[j]))
					break;
			if (k < nsent && sent_v[k] == v->version)
				continue;
			p->out->sent.aliases++;
			if (p->dry)
				continue;
			if ((err = mmp_mlflow__alias(&p->m, m->name,
			    v->aliases[j], remote_versions[i])) < 0 ||
			    (err = mmp_store__sync_alias_set(p->s, p->remote,
			    m->name, v->aliases[j], v->version)) < 0)
				mmp_error_prefix("alias '%s'", v->aliases[j]);
		}
	}
	for (k = 0; k < nsent && !err; k++) {
		want = 0;
		for (i = 0; i < m->versions_nr; i++)
			for (j = 0; j < m->versions[i]->aliases_nr; j++)
				if (!strcmp(m->versions[i]->aliases[j],
				    sent[k]))
					want = 1;
		if (want)
			continue;
		p->out->sent.aliases++;
		if (p->dry)
			continue;
		if ((err = mmp_mlflow__alias(&p->m, m->name, sent[k],
		    NULL)) < 0 ||
		    (err = mmp_store__sync_alias_set(p->s, p->remote,
		    m->name, sent[k], 0)) < 0)
			mmp_error_prefix("alias '%s'", sent[k]);
	}
	for (k = 0; k < nsent; k++)
		free(sent[k]);
	free(sent);
	free(sent_v);
	return err;
}

static int push_model(struct mmp_sync__push *p, const mmp_registered_model *m)
{
	char **rvs;
	size_t i;
	int err = 0, known = 0;

	if (p->remote >= 0 && (err = mmp_store__sync_model_known(&known,
	    p->s, p->remote, m->name)) < 0)
		return err;
	if (!known) {
		p->out->sent.models++;
		if (!p->dry && ((err = mmp_mlflow__model_create(&p->m,
		    m->name, m->description)) < 0 ||
		    (err = mmp_store__sync_model_set(p->s, p->remote,
		    m->name)) < 0))
			return err;
	}
	if ((err = push_model_info(p, m, !known)) < 0)
		return err;
	rvs = mmp__calloc(m->versions_nr ? m->versions_nr : 1,
		sizeof(*rvs));
	for (i = 0; i < m->versions_nr && !err; i++)
		err = push_version(&rvs[i], p, m->versions[i]);
	if (!err)
		err = push_aliases(p, m, rvs);
	for (i = 0; i < m->versions_nr; i++)
		free(rvs[i]);
	free(rvs);
	if (!err && !p->dry)
		err = mmp_sync__emit(p, NULL, NULL, "model", m->name);
	return err;
}

int mmp_sync__registry(struct mmp_sync__push *p)
{
	mmp_registered_model_list *l = NULL;
	size_t i;
	int err;

	if ((err = mmp_registry_list(&l, p->s)) < 0)
		return err;
	for (i = 0; i < l->count && !err; i++)
		err = push_model(p, l->items[i]);
	mmp_registered_model_list_free(l);
	return err;
}
