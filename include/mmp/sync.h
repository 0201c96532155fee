/* SPDX-License-Identifier: MIT */
/* sync.h: push runs, artifacts and registry changes to an MLflow server */
#ifndef INCLUDE_mmp_sync_h__
#define INCLUDE_mmp_sync_h__

#include "common.h"
#include "remote.h"
#include "store.h"

MMP_BEGIN_DECL

/**
 * @file mmp/sync.h
 *
 * The store remembers, per tracking server (its URI without
 * credentials), the remote id of every experiment, run and model
 * version it pushed and how much of each run was sent: params, tags,
 * metric rows, artifact files, the final status. A push picks up where
 * the last one stopped, so running it again after a failure or a kill
 * completes the work without creating anything twice. Only ended runs
 * (FINISHED, FAILED, KILLED) are pushed; running ones wait.
 *
 * Credentials come from mmp_http_options (normally
 * mmp_http_options_from_env()) or from the URI; they are never part of
 * a message, of the store, or of a result.
 */

/** How many things of each kind (sent, or pending). */
typedef struct {
	size_t experiments;     /**< experiments looked up or created */
	size_t runs;            /**< runs created (or to create) */
	size_t runs_completed;  /**< runs whose final status was sent */
	size_t params;
	size_t tags;            /**< run tags, dataset inputs included */
	size_t metrics;         /**< metric values (every step) */
	size_t artifacts;       /**< files uploaded */
	uint64_t artifact_bytes;
	size_t models;          /**< registered models */
	size_t versions;        /**< model versions */
	size_t stages;          /**< stage transitions */
	size_t aliases;
	size_t version_tags;    /**< version tags, approvals included */
	size_t lifecycle;       /**< runs and experiments deleted or
				     restored since they were pushed */
	size_t renames;         /**< runs and experiments renamed */
	size_t tags_removed;    /**< run, model and version tags removed */
	size_t model_updates;   /**< model descriptions and model tags */
} mmp_sync_counts;

/** What a push did (or, dry, would do). Release: mmp_sync_result_release(). */
typedef struct {
	char *remote;           /**< the URI without credentials */
	mmp_sync_counts sent;   /**< pushed, or pending with dry_run */
	size_t runs_seen;       /**< ended runs looked at */
	size_t runs_up_to_date; /**< of those, nothing left to send */
	size_t runs_running;    /**< not pushed until they end */
	size_t requests;        /**< HTTP requests, retries included */
	size_t retries;
	size_t log_batch_calls; /**< runs/log-batch requests */
	char *error_class;      /**< on failure: "refused", "auth", ... */
} mmp_sync_result;

/** One step of a push, for a progress display. */
typedef struct {
	const char *run_id;        /**< the local run */
	const char *remote_run_id; /**< its id on the server */
	const char *what;          /**< "run", "artifact", "model", ... */
	const char *detail;        /**< the artifact path, model name... */
} mmp_sync_event;

/** Return non-zero to stop the push (MMP_EINTERRUPTED). */
typedef int (*mmp_sync_event_cb)(const mmp_sync_event *e, void *payload);

/** How to push. Strings are borrowed for the call. */
typedef struct {
	unsigned int version;
	const char *tracking_uri;      /**< required: http(s)://host[:port] */
	const mmp_http_options *http;  /**< NULL: defaults + environment */
	int dry_run;                   /**< send nothing; count what is due */
	const char *run_id;            /**< only this run (full id), or NULL */
	int max_attempts;              /**< per request; 0: 5 */
	long backoff_ms;               /**< first retry wait; 0: 250 */
	mmp_sync_event_cb progress;
	void *payload;
} mmp_sync_options;

#define MMP_SYNC_OPTIONS_VERSION 1
#define MMP_SYNC_OPTIONS_INIT { MMP_SYNC_OPTIONS_VERSION, NULL, NULL, 0, \
	NULL, 0, 0, NULL, NULL }

/** Fill `o` with the defaults. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_sync_options_init(mmp_sync_options *o,
	unsigned int version);

/**
 * Push everything not yet on the server: experiments (looked up by
 * name, else created), runs (created with their start time, name, user
 * and tags, plus the tag mmp.run_id naming the local run), params, tags
 * and dataset inputs (as mmp.dataset.* tags), every metric value with
 * its step and timestamp (log-batch chunked at 1000 metrics / 100
 * params / 100 tags), the artifact files through the server's artifact
 * proxy, then the final status and end time; then the model registry.
 * Requests are retried with backoff on connection failures, 429 and
 * 5xx, never on other 4xx.
 *
 * `out` is always filled; release it with mmp_sync_result_release().
 * The outcome (success, or the error and its class) is recorded in the
 * store for mmp_sync_status_get(), except with dry_run, which sends
 * nothing and writes nothing.
 *
 * Errors: MMP_EINVALID (no or a malformed tracking URI, an unknown
 * run_id, a server that does not proxy artifacts, a request the server
 * refuses as invalid), MMP_ENET (transport failures and HTTP refusals:
 * 401, 403, a wrong base URL, 5xx after the retries; out->error_class
 * names which), MMP_ENOTFOUND / MMP_EEXISTS (the server's
 * RESOURCE_DOES_NOT_EXIST / RESOURCE_ALREADY_EXISTS where unexpected),
 * MMP_ERROR (an artifact file missing or changed on disk),
 * MMP_EINTERRUPTED (the callback stopped it), store errors.
 */
MMP_EXTERN(int) mmp_sync_push(mmp_sync_result *out, mmp_store *s,
	const mmp_sync_options *o);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_sync_result_release(mmp_sync_result *r);

/** What is pending for one server. Release: mmp_sync_status_release(). */
typedef struct {
	char *remote;              /**< the URI without credentials */
	int known;                 /**< something was pushed there before */
	mmp_sync_counts pending;   /**< still to send */
	size_t runs_ended;         /**< ended runs in the store */
	size_t runs_pending;       /**< of those, with anything to send */
	size_t runs_running;       /**< not pushed until they end */
	int64_t last_push_time;    /**< ms of the last complete push, or 0 */
	int64_t last_attempt_time; /**< ms of the last push, or 0 */
	char *last_error;          /**< the last push's error, or NULL */
	char *last_error_class;    /**< its class ("refused", ...), or NULL */
	int64_t last_error_time;
	/* what was pulled from there (mmp_sync_pull()) */
	int pulled;                /**< anything was pulled from there */
	int64_t last_pull_time;    /**< ms of the last pull that read an
				        experiment to its end, or 0 */
	size_t pull_experiments;   /**< remote experiments pulled */
	size_t pull_partway;       /**< of those, a pull stopped part-way
				        (the next goes on from there) */
	size_t runs_mirrored;      /**< runs mirrored from there */
	size_t runs_mirrored_deleted;  /**< of those, deleted there */
	size_t runs_artifacts_unknown; /**< of those, whose artifact list
					    could not be read */
} mmp_sync_status;

/**
 * Count what a push to `tracking_uri` would send, without any request,
 * and read the last push's outcome from the store; `known` is set only
 * when something was pushed there. Also count what was pulled from it. Errors: MMP_EINVALID
 * for a missing or malformed URI, store errors.
 */
MMP_EXTERN(int) mmp_sync_status_get(mmp_sync_status *out, mmp_store *s,
	const char *tracking_uri);

/** Free the contents of `st`; accepts a zeroed status. */
MMP_EXTERN(void) mmp_sync_status_release(mmp_sync_status *st);

/**
 * Only `last_pull_time` of mmp_sync_status_get(): the ms of the last
 * pull from `tracking_uri` that read an experiment to its end, 0 when
 * none did. Nothing is counted. Errors as mmp_sync_status_get().
 */
MMP_EXTERN(int) mmp_sync_last_pull_time(int64_t *out, mmp_store *s,
	const char *tracking_uri);

/* --- the other way: runs mirrored from the server --- */

/** What a pull did with the runs of one remote experiment. */
typedef struct {
	char *name;             /**< the experiment's name (local and remote) */
	char *remote_id;        /**< its id on the server */
	int resumed;            /**< went on from the page an interrupted
				     pull reached */
	size_t pages;           /**< runs/search pages read */
	size_t runs_seen;       /**< runs the server listed */
	size_t runs_new;        /**< mirrored for the first time */
	size_t runs_updated;    /**< changed on the server since */
	size_t runs_unchanged;  /**< the same as mirrored */
	size_t runs_deleted;    /**< of new and updated: deleted there */
	size_t runs_own;        /**< this store's runs pushed there: skipped */
	size_t runs_gone;       /**< mirrored, but listed no more (removed
				     there for good): marked deleted */
	size_t params;          /**< written (new and updated runs) */
	size_t tags;
	size_t metrics;         /**< metric values, every step */
	size_t artifacts;       /**< artifact files listed (not fetched) */
	size_t runs_reread;     /**< listed as mirrored, but read again in
				     full: running there, a full pull, or
				     an artifact list to read again */
	size_t runs_artifacts_unknown;  /**< whose artifact list could not
					     be read: mirrored without it */
} mmp_sync_pull_experiment;

/** A run mirrored without its artifact list: the server refused it. */
typedef struct {
	char *experiment;       /**< the experiment's name */
	char *remote_run_id;
	char *run_id;           /**< the local id of its mirror */
	char *name;             /**< the run's name, or NULL */
	char *error;            /**< why the list could not be read */
	char *error_class;      /**< "permission", "server-error", ... */
} mmp_sync_pull_unknown;

/** What a pull did. Release: mmp_sync_pull_result_release(). */
typedef struct {
	char *remote;           /**< the URI without credentials */
	mmp_sync_pull_experiment *experiments;
	size_t experiments_nr;
	mmp_sync_pull_experiment total;  /**< the sums (name NULL) */
	size_t requests;        /**< HTTP requests, retries included */
	size_t retries;
	char *error_class;      /**< on failure: "refused", "auth", ... */
	mmp_sync_pull_unknown *unknown;  /**< runs whose artifact list is
					      unknown, once each */
	size_t unknown_nr;
} mmp_sync_pull_result;

/** How to pull. Strings are borrowed for the call. */
typedef struct {
	unsigned int version;
	const char *tracking_uri;      /**< required: http(s)://host[:port] */
	const mmp_http_options *http;  /**< NULL: defaults + environment */
	const char *const *experiments; /**< names; none: every active one */
	size_t experiments_nr;
	int dry_run;                   /**< count; fetch no history, write
					    nothing */
	int max_attempts;              /**< per request; 0: 5 */
	long backoff_ms;               /**< first retry wait; 0: 250 */
	size_t page_size;              /**< runs per runs/search; 0: 1000 */
	mmp_sync_event_cb progress;    /**< what "page" and "run" events */
	void *payload;
	int full;                      /**< read every run again in full
					    (histories, artifact lists),
					    from the first page */
} mmp_sync_pull_options;

#define MMP_SYNC_PULL_OPTIONS_VERSION 1
#define MMP_SYNC_PULL_OPTIONS_INIT { MMP_SYNC_PULL_OPTIONS_VERSION, NULL, \
	NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, 0 }

/**
 * Mirror the runs of the server's experiments (`o->experiments`, else
 * every active one) into the store: each run with its name, status,
 * user, start and end time, lifecycle, params, tags, every metric value
 * (metrics/get-history, paged) and the list of its artifact files with
 * their sizes (not their bytes), into the local experiment of the same
 * name. A mirrored run records its origin (the URI without credentials)
 * and its remote id; it is read-only here. Runs pushed from this store
 * are recognised (by the push state and their mmp.run_id tag) and not
 * mirrored back.
 *
 * The runs are read page by page (runs/search, every lifecycle, oldest
 * first); a run whose listing (info, params, tags, latest metrics) is
 * what was mirrored costs no further request. Each run is written in
 * one transaction and the page reached is recorded after each page, so
 * an interrupted pull goes on from there and a second pull changes
 * nothing. A run deleted on the server is marked deleted here; so is,
 * after a pull that read an experiment from its first page to its last,
 * a mirrored run the server no longer lists.
 *
 * The listing carries only the latest value of each metric: a run still
 * RUNNING there is read again in full on every pull (written only when
 * its histories or artifact list changed), and `o->full` reads every
 * run again so, from the first page.
 *
 * A run whose artifact list the server refuses (an HTTP error, after the
 * retries, or a malformed listing) is mirrored without it: it is marked
 * so in the store, listed in out->unknown, and read again on the next
 * pull; the call still returns 0. After the first such failure the
 * listings of the pull are tried once each.
 *
 * Errors: MMP_EINVALID (no or a malformed URI, a malformed answer),
 * MMP_ENOTFOUND (an experiment the server does not have), MMP_ENET
 * (transport failures and HTTP refusals; out->error_class names which),
 * MMP_EINTERRUPTED (the callback stopped it), store errors. What was
 * written before the failure stays and is complete per run.
 */
MMP_EXTERN(int) mmp_sync_pull(mmp_sync_pull_result *out, mmp_store *s,
	const mmp_sync_pull_options *o);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_sync_pull_result_release(mmp_sync_pull_result *r);

MMP_END_DECL

#endif
