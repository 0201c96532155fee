/* SPDX-License-Identifier: MIT */
/* sync-internal.h: the store's push state, for lib/remote/sync.c */
#ifndef LIB_store_sync_internal_h__
#define LIB_store_sync_internal_h__

#include "mmp/store.h"

/*
 * What has been pushed to which tracking server. A remote is identified
 * by its URI without credentials; `remote` below is its row id. Every
 * setter is one statement (or one transaction) so that a process killed
 * between two calls leaves a state the next push can resume from.
 */

/* the id of the remote `uri`; created when `create`, else MMP_ENOTFOUND */
int mmp_store__sync_remote(mmp_store *s, const char *uri, int create,
	int64_t *out);

/* record the end of a push: success when `error` is NULL */
int mmp_store__sync_remote_result(mmp_store *s, int64_t remote,
	const char *error_class, const char *error);

/* the last push time, error, its class and time of a remote (owned) */
struct mmp_store__sync_remote_info {
	int64_t last_push_time;     /* 0: never complete */
	int64_t last_attempt_time;  /* 0: never tried */
	char *last_error;           /* NULL after a success */
	char *last_error_class;
	int64_t last_error_time;
	int pushed;                 /* a push was tried, or left state:
				       not only pulls */
};
int mmp_store__sync_remote_info(struct mmp_store__sync_remote_info *out,
	mmp_store *s, int64_t remote);
void mmp_store__sync_remote_info_release(
	struct mmp_store__sync_remote_info *i);

/* the remote id of a local experiment: MMP_ENOTFOUND when not pushed */
int mmp_store__sync_experiment_get(char **out, mmp_store *s, int64_t remote,
	int64_t experiment_id);
int mmp_store__sync_experiment_set(mmp_store *s, int64_t remote,
	int64_t experiment_id, const char *remote_id);
/* the tags of a local experiment (owned; free with ..._kv_free) */
int mmp_store__sync_experiment_tags(mmp_kv **out, size_t *n, mmp_store *s,
	int64_t experiment_id);
void mmp_store__sync_kv_free(mmp_kv *kv, size_t n);

/* the push state of one run; strings owned */
struct mmp_store__sync_run {
	int known;                 /* a state row exists */
	char *remote_run_id;       /* NULL: not created (or in flight) */
	char *remote_artifact_uri;
	int64_t params_sent;
	char *tags_digest;
	int64_t metrics_rowid;     /* metric rows up to here were sent */
	int64_t metrics_inflight;  /* 0, or the end of a batch in flight */
	char *status_sent;
};
int mmp_store__sync_run_get(struct mmp_store__sync_run *out, mmp_store *s,
	int64_t remote, const char *run);
void mmp_store__sync_run_release(struct mmp_store__sync_run *r);

/* the ended, active runs (oldest first), or only `only` when not NULL */
int mmp_store__sync_runs_ended(char (**out)[33], size_t *n, mmp_store *s,
	const char *only);

/* how many runs are still RUNNING (or SCHEDULED) */
int mmp_store__sync_runs_running(size_t *out, mmp_store *s);

/* mark a runs/create as about to be sent (the row exists from now on) */
int mmp_store__sync_run_creating(mmp_store *s, int64_t remote,
	const char *run);
int mmp_store__sync_run_created(mmp_store *s, int64_t remote,
	const char *run, const char *remote_run_id, const char *artifact_uri);
int mmp_store__sync_run_params_sent(mmp_store *s, int64_t remote,
	const char *run, int64_t n);
int mmp_store__sync_run_tags_sent(mmp_store *s, int64_t remote,
	const char *run, const char *digest);
/* rowid > 0: a batch ending at rowid is in flight; 0: none */
int mmp_store__sync_run_metrics_inflight(mmp_store *s, int64_t remote,
	const char *run, int64_t rowid);
/* metric rows up to rowid arrived; clears the in-flight mark */
int mmp_store__sync_run_metrics_sent(mmp_store *s, int64_t remote,
	const char *run, int64_t rowid);
int mmp_store__sync_run_status_sent(mmp_store *s, int64_t remote,
	const char *run, const char *status);

/* metric rows of a run in logging order; keys owned */
struct mmp_store__sync_metric {
	int64_t rowid;
	char *key;
	double value;    /* NaN and +-Inf as logged */
	int64_t step;
	int64_t timestamp;
};
/* at most `limit` rows with rowid in (after, upto] (upto 0: no bound) */
int mmp_store__sync_metrics(struct mmp_store__sync_metric **out, size_t *n,
	mmp_store *s, const char *run, int64_t after, int64_t upto,
	size_t limit);
void mmp_store__sync_metrics_free(struct mmp_store__sync_metric *m,
	size_t n);
/* how many metric rows of `run` come after rowid `after` */
int mmp_store__sync_metrics_count(int64_t *out, mmp_store *s,
	const char *run, int64_t after);

/* was this artifact (path, sha256) of the run sent to the remote? */
int mmp_store__sync_artifact_is_sent(int *out, mmp_store *s, int64_t remote,
	const char *run, const char *path, const char *sha256);
int mmp_store__sync_artifact_sent(mmp_store *s, int64_t remote,
	const char *run, const char *path, const char *sha256);

/* --- what a later change can undo (sync-sent.c) --- */

/* the value sent for (kind, subject, key); *found 0 when none was */
int mmp_store__sync_sent_get(char **out, int *found, mmp_store *s,
	int64_t remote, const char *kind, const char *subject,
	const char *key);
/* record a value sent, or with `forget` drop the record */
int mmp_store__sync_sent_set(mmp_store *s, int64_t remote, const char *kind,
	const char *subject, const char *key, const char *value, int forget);
/* every (key, value) sent of (kind, subject), by key; owned, free with
 * mmp_store__sync_kv_free() */
int mmp_store__sync_sent_list(mmp_kv **out, size_t *n, mmp_store *s,
	int64_t remote, const char *kind, const char *subject);
/* ended runs deleted here that exist on the remote (oldest first) */
int mmp_store__sync_runs_deleted(char (**out)[33], size_t *n, mmp_store *s,
	int64_t remote);
/* the local and remote ids of every experiment pushed to the remote */
int mmp_store__sync_experiments_pushed(int64_t **ids, char ***remote_ids,
	size_t *n, mmp_store *s, int64_t remote);
/* forget everything sent about `subject` (a run removed for good) */
int mmp_store__sync_forget_subject(mmp_store *s, const char *subject);

/* --- the registry (sync-registry.c) --- */

/* has model `name` been created on the remote? */
int mmp_store__sync_model_known(int *out, mmp_store *s, int64_t remote,
	const char *name);
int mmp_store__sync_model_set(mmp_store *s, int64_t remote,
	const char *name);

/* the push state of a model version; strings owned */
struct mmp_store__sync_version {
	int known;              /* a row exists */
	char *remote_version;   /* NULL: not created (or in flight) */
	char *digest;           /* description and tags sent */
	char *stage_sent;
};
int mmp_store__sync_version_get(struct mmp_store__sync_version *out,
	mmp_store *s, int64_t remote, const char *name, int64_t version);
void mmp_store__sync_version_release(struct mmp_store__sync_version *v);
/* the row exists from now on (a create may be in flight) */
int mmp_store__sync_version_creating(mmp_store *s, int64_t remote,
	const char *name, int64_t version);
int mmp_store__sync_version_created(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *remote_version);
int mmp_store__sync_version_digest(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *digest);
int mmp_store__sync_version_stage(mmp_store *s, int64_t remote,
	const char *name, int64_t version, const char *stage);

/* the aliases of `name` sent to the remote: parallel arrays, owned */
int mmp_store__sync_aliases(char ***aliases, int64_t **versions, size_t *n,
	mmp_store *s, int64_t remote, const char *name);
/* version 0 forgets the alias */
int mmp_store__sync_alias_set(mmp_store *s, int64_t remote,
	const char *name, const char *alias, int64_t version);

#endif
