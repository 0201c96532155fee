/* SPDX-License-Identifier: MIT */
/* mirror-internal.h: runs mirrored from a tracking server, for the pull */
#ifndef LIB_store_mirror_internal_h__
#define LIB_store_mirror_internal_h__

#include "mmp/store.h"

/*
 * A mirrored run belongs to an origin (a server's URI without
 * credentials) and has a remote id there. Its local id is derived from
 * both, so the same remote run always gets the same local id, in any
 * store. It is written whole, in one transaction, and is read-only for
 * everything else (mmp_store__run_is_mirror()).
 */

/* a run as the server holds it; strings borrowed */
struct mmp_store__mirror_run {
	const char *origin;
	const char *remote_run_id;
	const char *experiment;       /* the experiment's name */
	const char *name;
	const char *status;           /* RUNNING, FINISHED, ... */
	const char *user_id;
	const char *lifecycle_stage;  /* "active" or "deleted" */
	int64_t start_time;
	int64_t end_time;             /* 0: not ended */
	const char *digest;           /* what the server listed, summarised */
	const mmp_kv *params;
	size_t params_nr;
	const mmp_kv *tags;
	size_t tags_nr;
	const mmp_run_metric *metrics;   /* every value, as the server has
					    them */
	size_t metrics_nr;
	const mmp_artifact *artifacts;   /* sha256 may be NULL: unknown */
	size_t artifacts_nr;
	const char *content;          /* the histories and the artifact
					 list, summarised */
	const char *artifacts_error;  /* NULL: `artifacts` is the list;
					 else why it could not be read (the
					 list of an earlier pull stays) */
};

/* what the store holds of a mirrored run, to decide what to read again */
struct mmp_store__mirror_state {
	int found;               /* mirrored here */
	char *digest;            /* owned, NULL when unknown */
	char *content;
	char *artifacts_error;
};
void mmp_store__mirror_state_release(struct mmp_store__mirror_state *st);

/* the local id of remote run `remote_run_id` of `origin` */
void mmp_store__mirror_id(char out[33], const char *origin,
	const char *remote_run_id);

/* the digest stored with a mirrored run (owned), or NULL when the run is
 * not mirrored here */
int mmp_store__mirror_digest(char **out, mmp_store *s, const char *origin,
	const char *remote_run_id);

/* the state of remote run `remote_run_id` of `origin` (found 0 when it
 * is not mirrored here) */
int mmp_store__mirror_state_get(struct mmp_store__mirror_state *out,
	mmp_store *s, const char *origin, const char *remote_run_id);

/* write the run, replacing what was mirrored of it, in one transaction;
 * `*created` (may be NULL) is 1 when it was not mirrored before */
int mmp_store__mirror_put(mmp_store *s, const struct mmp_store__mirror_run *r,
	int *created);

/*
 * Is remote run `remote_run_id` one of this store's own runs pushed to
 * the server `remote` (sync state), or does its tag mmp.run_id
 * (`local_tag`, may be NULL) name a local run? `*out` 1 when so.
 */
int mmp_store__mirror_is_local(int *out, mmp_store *s, int64_t remote,
	const char *remote_run_id, const char *local_tag);

/*
 * The remote ids (owned, free each and the array) of the active runs of
 * `origin` in the local experiment `experiment` that are not among
 * `seen` (sorted by strcmp): runs the server did not list.
 */
int mmp_store__mirror_unseen(char ***out, size_t *n, mmp_store *s,
	const char *origin, const char *experiment, char *const *seen,
	size_t nseen);
/* mark a mirrored run deleted (the server removed it for good) */
int mmp_store__mirror_gone(mmp_store *s, const char *origin,
	const char *remote_run_id);

/* the page a pull of remote experiment `exp` reached (owned; NULL: start
 * from the first page) */
int mmp_store__pull_page_get(char **token, mmp_store *s, int64_t remote,
	const char *exp);
/* record the next page to read (NULL: the experiment was read to the
 * end, which also records the time) */
int mmp_store__pull_page_set(mmp_store *s, int64_t remote, const char *exp,
	const char *name, const char *token);

/* what the store mirrored of a server, for mmp sync status */
struct mmp_store__pull_info {
	int64_t last_pull_time;     /* ms of the last complete read of an
				       experiment, 0: never */
	size_t experiments;         /* remote experiments pulled */
	size_t experiments_partway; /* of those, a pull stopped part-way */
	size_t runs;                /* mirrored runs of the server */
	size_t runs_deleted;        /* of those, deleted there */
	size_t runs_artifacts_unknown;  /* whose artifact list is unknown */
};
/* `remote` < 0: nothing was pulled (only the runs are counted) */
int mmp_store__pull_info_get(struct mmp_store__pull_info *out, mmp_store *s,
	int64_t remote, const char *origin);

#endif
