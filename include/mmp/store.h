/* SPDX-License-Identifier: MIT */
/* store.h: the run store: experiments, runs, params, metrics, queries */
#ifndef INCLUDE_mmp_store_h__
#define INCLUDE_mmp_store_h__

#include "common.h"
#include "buf.h"
#include "types.h"

MMP_BEGIN_DECL

/**
 * @file mmp/store.h
 *
 * One SQLite file (`mmp.db`, WAL mode) in a store directory, normally
 * `.mmp/`, holding MLflow's tracking concepts: experiments, runs, their
 * params, metrics, tags, dataset inputs and artifacts. Artifacts live in
 * `<store dir>/artifacts/`, temporary artifact directories in
 * `<store dir>/tmp/`.
 *
 * Unless said otherwise every function returns 0 or a negative
 * mmp_error_code, with the details in mmp_error_last(). A store that
 * stays locked by other writers past the busy timeout gives MMP_ELOCKED.
 * An mmp_store handle must not be used by two threads at once.
 */

/** Open flags of mmp_store_open(). */
#define MMP_STORE_CREATE    (1u << 0) /**< create the directory and file */
#define MMP_STORE_EXCLUSIVE (1u << 1) /**< with CREATE: fail if it exists */
#define MMP_STORE_READONLY  (1u << 2) /**< never write (no migration) */
#define MMP_STORE_NO_REAP   (1u << 3) /**< do not reap dead runs on open */
/**
 * The caller only reads: when the store cannot be written (a read-only
 * directory or mount, a store shipped in an image), open it READONLY
 * instead of failing; a store in a directory nobody can write is read
 * as immutable (no locks, no -wal or -shm files).
 */
#define MMP_STORE_READ      (1u << 4)

/** A run left RUNNING on another host is dead after this long silent. */
#define MMP_RUN_HEARTBEAT_TIMEOUT_MS (15 * 60 * 1000)

/** A key and a value; the strings are borrowed (or owned by a result). */
typedef struct {
	const char *key;
	const char *value;
} mmp_kv;

/** One metric value. NaN and +-Inf are stored and read back as such. */
typedef struct {
	const char *key;
	double value;
	int64_t step;
	int64_t timestamp;  /**< ms since the epoch; 0 = now when logging */
} mmp_run_metric;

/** A dataset a run used, as MLflow's dataset inputs. */
typedef struct {
	const char *name;         /**< required */
	const char *digest;       /**< required, e.g. a sha256 prefix */
	const char *source;       /**< e.g. the file path; may be NULL */
	const char *source_type;  /**< e.g. "local"; may be NULL */
	int64_t rows;             /**< -1 when unknown */
	int64_t columns;          /**< -1 when unknown */
	const char *schema;       /**< JSON text; may be NULL */
	const char *context;      /**< "training", "validation"; may be NULL */
} mmp_dataset_input;

/** A file of a run's artifacts, by its path below the artifact dir. */
typedef struct {
	const char *path;    /**< relative, no "..", no leading '/' */
	int64_t size;
	const char *sha256;  /**< 64 hex digits */
} mmp_artifact;

/**
 * Find the store's database file and put its absolute path in `out`.
 * `explicit_path` (from --store) wins, else $MMP_STORE, else the
 * nearest `.mmp/` directory walking up from the working directory. A
 * path may name the db file, a directory holding `mmp.db`, or a
 * directory holding `.mmp/`.
 *
 * Returns MMP_ENOTFOUND when no store exists there (the message says so
 * and suggests `mmp init`); with an explicit path or $MMP_STORE, `out`
 * then still holds the path a new store would get.
 */
MMP_EXTERN(int) mmp_store_locate(mmp_buf *out, const char *explicit_path);

/**
 * Open the store whose database file is `db_path`; the caller owns
 * `*out` and frees it with mmp_store_free(). Migrates an older schema
 * forward (under an exclusive lock) and, unless READONLY or NO_REAP,
 * reaps dead runs (mmp_store_reap_dead_runs()).
 *
 * Errors: MMP_ENOTFOUND (no such file and no CREATE), MMP_EEXISTS
 * (CREATE | EXCLUSIVE and the file exists), MMP_EVERSION (the schema is
 * newer than this mmp; nothing was written), MMP_EINVALID (not an mmp
 * store: not SQLite, or a database of something else), MMP_ELOCKED,
 * MMP_ERROR (unwritable directory, damaged file, I/O, or an empty
 * database file next to the artifacts of runs: a lost store).
 */
MMP_EXTERN(int) mmp_store_open(mmp_store **out, const char *db_path,
	unsigned int flags);

/** Close the store and free the handle. Accepts NULL. */
MMP_EXTERN(void) mmp_store_free(mmp_store *s);

/** The absolute path of the database file; borrowed from `s`. */
MMP_EXTERN(const char *) mmp_store_path(const mmp_store *s);

/** The store directory (holding mmp.db, artifacts/, tmp/); borrowed. */
MMP_EXTERN(const char *) mmp_store_dir(const mmp_store *s);

/** The schema version of the open store (PRAGMA user_version). */
MMP_EXTERN(int) mmp_store_schema_version(const mmp_store *s);

/** The newest schema version this build of mmp knows. */
MMP_EXTERN(int) mmp_store_schema_version_supported(void);

/** How long to wait for other writers, in ms (default 10000). */
MMP_EXTERN(void) mmp_store_set_busy_timeout(mmp_store *s, int ms);

/**
 * Find the experiment `name` or create it; `*out_id` gets its id.
 * MMP_EINVALID for an empty or over-long name.
 */
MMP_EXTERN(int) mmp_experiment_ensure(mmp_store *s, const char *name,
	int64_t *out_id);

/** Options of mmp_run_start(); initialise with MMP_RUN_START_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	const char *experiment;     /**< NULL: "Default"; created if missing */
	const char *run_name;       /**< NULL: "run-<first 8 id digits>" */
	const char *user;           /**< NULL: $USER, else the login name */
	const char *source_name;    /**< e.g. the recipe path; may be NULL */
	const char *source_type;    /**< NULL: "LOCAL" */
	const char *kind;           /**< NULL: "train" ("tune", ...) */
	const char *parent_run_id;  /**< id or unique prefix; may be NULL */
	int64_t start_time;         /**< ms; 0 = now */
	int unique_name;            /**< when another run of the store has
					 `run_name`, add "-2", "-3"... */
} mmp_run_start_options;

#define MMP_RUN_START_OPTIONS_VERSION 1
#define MMP_RUN_START_OPTIONS_INIT { MMP_RUN_START_OPTIONS_VERSION, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }

/**
 * Start a RUNNING run and write its 32-hex id to `out_run_id`. Records
 * this process's pid and host and a first heartbeat, and MLflow's tags
 * mlflow.runName, mlflow.user, mlflow.source.name, mlflow.source.type
 * (and mlflow.parentRunId). `o` may be NULL for defaults. With
 * `unique_name`, the name is checked and taken in the same transaction,
 * so two runs started at once never share it.
 * MMP_ENOTFOUND for an unknown parent run, MMP_EINVALID for bad names.
 */
MMP_EXTERN(int) mmp_run_start(mmp_store *s, const mmp_run_start_options *o,
	char out_run_id[33]);

/**
 * Log `n` params in one transaction. Params are write-once: logging the
 * same value again is fine; a different value is MMP_ECONFLICT naming
 * the key, the old and the new value, and nothing is written. Keys are
 * at most 250 characters of letters, digits, '_', '-', '.', ' ' and
 * '/'; values at most 6000 bytes (MMP_EINVALID otherwise). `run` must
 * be a full id: MMP_ENOTFOUND when no such run exists.
 */
MMP_EXTERN(int) mmp_run_log_params(mmp_store *s, const char *run,
	const mmp_kv *kv, size_t n);

/**
 * Log `n` metric values in one transaction and update each key's latest
 * value (the highest step, then the latest timestamp, as MLflow).
 * A timestamp of 0 means now. MMP_EINVALID for a bad key.
 */
MMP_EXTERN(int) mmp_run_log_metrics(mmp_store *s, const char *run,
	const mmp_run_metric *m, size_t n);

/** Set (overwrite) `n` tags in one transaction; values up to 8000 bytes. */
MMP_EXTERN(int) mmp_run_set_tags(mmp_store *s, const char *run,
	const mmp_kv *kv, size_t n);

/**
 * Record a dataset input. Logging the same (name, digest, context)
 * again updates its other fields. MMP_EINVALID without a name or digest,
 * or when `schema` is not a JSON object or array.
 */
MMP_EXTERN(int) mmp_run_log_dataset(mmp_store *s, const char *run,
	const mmp_dataset_input *d);

/**
 * Record `n` artifact files (path, size, sha256) in one transaction; a
 * path logged again is overwritten. MMP_EINVALID for an absolute path,
 * a ".." component or a malformed sha256.
 */
MMP_EXTERN(int) mmp_run_log_artifacts(mmp_store *s, const char *run,
	const mmp_artifact *a, size_t n);

/** Record that the run's process is alive now. */
MMP_EXTERN(int) mmp_run_heartbeat(mmp_store *s, const char *run);

/**
 * End a run: `status` is "FINISHED", "FAILED" or "KILLED" (MMP_EINVALID
 * otherwise). A non-NULL `error_message` is kept as the tag mmp.error.
 * MMP_ECONFLICT when the run has already ended.
 */
MMP_EXTERN(int) mmp_run_end(mmp_store *s, const char *run,
	const char *status, const char *error_message);

/**
 * Put the run's artifact directory in `out` and create it:
 * `<store dir>/artifacts/<experiment id>/<run id>/artifacts`.
 */
MMP_EXTERN(int) mmp_run_artifact_dir(mmp_buf *out, mmp_store *s,
	const char *run);

/**
 * Create a fresh private directory `<store dir>/tmp/<run id>-<random>`
 * for partial artifacts and put its path in `out`. The caller moves its
 * contents away or removes it; a dead run's leftovers are removed by
 * the reaper.
 */
MMP_EXTERN(int) mmp_run_tmp_dir(mmp_buf *out, mmp_store *s, const char *run);

/**
 * Resolve a run id, a unique id prefix of at least 4 hex digits (as git
 * abbreviations), or a unique run name, into the full id in `out`.
 * MMP_EAMBIGUOUS (the message lists the candidates), MMP_ENOTFOUND,
 * MMP_EINVALID (too short).
 */
MMP_EXTERN(int) mmp_run_resolve(mmp_store *s, const char *prefix,
	char out[33]);

/** A run as read back from the store; every string is owned by it. */
typedef struct {
	char run_id[33];
	int64_t experiment_id;
	char *experiment_name;
	char *name;
	char *status;            /**< RUNNING, FINISHED, FAILED, KILLED... */
	int dead;                /**< RUNNING but its process is gone */
	int64_t start_time;      /**< ms since the epoch */
	int64_t end_time;        /**< ms; 0 while it has not ended */
	char *user_id;
	char *source_name;
	char *source_type;
	char *artifact_uri;      /**< relative to the store directory */
	char *lifecycle_stage;   /**< "active" or "deleted" */
	char *parent_run_id;     /**< NULL when none */
	char *kind;              /**< "train", "tune", ... */
	int64_t pid;             /**< 0 when unknown */
	char *hostname;
	int64_t heartbeat_time;  /**< ms; 0 when none */

	mmp_kv *params;          /**< sorted by key */
	size_t params_nr;
	mmp_run_metric *metrics;     /**< latest value per key, sorted by key */
	size_t metrics_nr;
	mmp_kv *tags;            /**< sorted by key */
	size_t tags_nr;
	mmp_dataset_input *datasets;
	size_t datasets_nr;
	mmp_artifact *artifacts; /**< sorted by path */
	size_t artifacts_nr;

	/** for a run mirrored from a tracking server (`mmp sync --pull`):
	 * the server's URI without credentials; NULL for a run of this
	 * store. A mirrored run is read-only here. */
	char *origin;
	char *remote_run_id;     /**< its id on that server, or NULL */
	char *artifacts_unknown; /**< a mirrored run whose artifact list
				      the server refused: why (`artifacts`
				      is then what an earlier pull read);
				      NULL when the list is known */
} mmp_run;

/**
 * Read the full record of run `run_id` (a full id: resolve prefixes
 * with mmp_run_resolve()). The caller owns `*out`: mmp_run_free().
 * MMP_ENOTFOUND when there is no such run.
 */
MMP_EXTERN(int) mmp_run_get(mmp_run **out, mmp_store *s, const char *run_id);

/** Free a run and everything it holds. Accepts NULL. */
MMP_EXTERN(void) mmp_run_free(mmp_run *r);

/** Runs found by mmp_runs_search(); free with mmp_run_list_free(). */
typedef struct {
	mmp_run **runs;
	size_t count;
} mmp_run_list;

/** What mmp_runs_search() looks for; MMP_RUN_QUERY_INIT for defaults. */
typedef struct {
	unsigned int version;
	const char *const *experiments;  /**< names; NULL or none: all */
	size_t experiments_nr;
	const char *filter;              /**< MLflow filter; may be NULL */
	const char *const *order_by;     /**< e.g. "metrics.auc DESC" */
	size_t order_by_nr;              /**< none: start_time DESC */
	size_t max_results;              /**< 0: no limit */
	int include_deleted;             /**< also deleted runs */
	const char *const *kinds;        /**< run kinds; NULL or none: all */
	size_t kinds_nr;
	int origin;                      /**< MMP_RUNS_ALL, MMP_RUNS_LOCAL
					      or MMP_RUNS_REMOTE */
} mmp_run_query;

/** Which runs by where they come from (mmp_run_query.origin). */
#define MMP_RUNS_ALL    0  /**< this store's runs and mirrored ones */
#define MMP_RUNS_LOCAL  1  /**< only this store's own runs */
#define MMP_RUNS_REMOTE 2  /**< only runs mirrored from a server */

#define MMP_RUN_QUERY_VERSION 1
#define MMP_RUN_QUERY_INIT { MMP_RUN_QUERY_VERSION, NULL, 0, NULL, NULL, 0, \
	0, 0, NULL, 0, MMP_RUNS_ALL }

/**
 * Search runs with MLflow's filter language (plus OR and parentheses):
 *   metrics.auc > 0.9 and params.max_depth = '6' and
 *   attributes.status = 'FINISHED'
 * and order them by MLflow order-by clauses ("metrics.auc DESC",
 * "params.x", "attributes.start_time ASC"). The caller owns `*out`.
 *
 * MMP_EINVALID for a syntax error in the filter or an order-by key (the
 * message gives the column and the offending token); MMP_ENOTFOUND for
 * an unknown experiment name (with a suggestion when one is close).
 */
MMP_EXTERN(int) mmp_runs_search(mmp_run_list **out, mmp_store *s,
	const mmp_run_query *q);

/**
 * One page of mmp_runs_search(): the runs `offset` to `offset + limit`
 * (`limit` 0: all the rest) in the query's order, and in `*total` how
 * many runs match the query on every page. `q->max_results` is ignored.
 * The runs carry params, latest metrics and tags, not datasets or
 * artifacts (mmp_run_get() has those). The caller owns `*out`. Errors
 * as mmp_runs_search().
 */
MMP_EXTERN(int) mmp_runs_search_page(mmp_run_list **out, size_t *total,
	mmp_store *s, const mmp_run_query *q, size_t offset, size_t limit);

/** Free a run list. Accepts NULL. */
MMP_EXTERN(void) mmp_run_list_free(mmp_run_list *l);

/**
 * Check a filter string without running it: 0 or MMP_EINVALID with the
 * column and token in the message.
 */
MMP_EXTERN(int) mmp_filter_check(const char *filter);

/** The values of one metric; free with mmp_metric_history_free(). */
typedef struct {
	mmp_run_metric *items;   /**< keys owned by the list */
	size_t count;
} mmp_metric_history;

/**
 * Every logged value of metric `key` of run `run`, by step, then
 * timestamp, then logging order. The caller owns `*out`. MMP_ENOTFOUND
 * when the run has no such metric (with a suggestion when one is close).
 */
MMP_EXTERN(int) mmp_run_metric_history(mmp_metric_history **out, mmp_store *s,
	const char *run, const char *key);

/** Free a metric list. Accepts NULL. */
MMP_EXTERN(void) mmp_metric_history_free(mmp_metric_history *l);

/**
 * Mark every dead run FAILED: a RUNNING run whose pid no longer lives on
 * this host, or, from another host, whose heartbeat is older than
 * MMP_RUN_HEARTBEAT_TIMEOUT_MS. Its end_time becomes the last heartbeat,
 * its tag mmp.error "process <pid> on <host> died", and its
 * `<store dir>/tmp/<run id>*` directories are removed. `out_count` (may
 * be NULL) gets how many runs were reaped.
 */
MMP_EXTERN(int) mmp_store_reap_dead_runs(mmp_store *s, size_t *out_count);

/* --- a user's changes to ended runs (none touches a RUNNING run) --- */

/**
 * Delete run `run` (a full id) softly, as MLflow: its lifecycle_stage
 * becomes "deleted", so searches leave it out unless they include
 * deleted runs; everything it holds stays until mmp_store_gc().
 * `*out_changed` (may be NULL) is 0 when it was deleted already.
 * MMP_ENOTFOUND, MMP_ECONFLICT when the run is RUNNING.
 */
MMP_EXTERN(int) mmp_run_delete(int *out_changed, mmp_store *s,
	const char *run);

/**
 * Undo mmp_run_delete(). MMP_ECONFLICT when the run is RUNNING or its
 * experiment is deleted (restore that first).
 */
MMP_EXTERN(int) mmp_run_restore(int *out_changed, mmp_store *s,
	const char *run);

/**
 * Set `nset` tags and remove the tags `unset` of an ended run, in one
 * transaction. Keys as mmp_run_log_params(); values up to 8000 bytes.
 * mlflow.runName, mlflow.parentRunId and mmp.run_id follow the run and
 * are refused (MMP_EINVALID). Removing a tag the run lacks is
 * MMP_ENOTFOUND and nothing is written. MMP_ECONFLICT when RUNNING.
 */
MMP_EXTERN(int) mmp_run_edit_tags(mmp_store *s, const char *run,
	const mmp_kv *set, size_t nset, const char *const *unset,
	size_t nunset);

/**
 * Rename an ended run (its name and the tag mlflow.runName). A name
 * another run already has is MMP_EEXISTS, since it would make the name
 * ambiguous. MMP_EINVALID for an empty name or a control character,
 * MMP_ECONFLICT when RUNNING.
 */
MMP_EXTERN(int) mmp_run_rename(mmp_store *s, const char *run,
	const char *name);

/** A deleted run as mmp_store_gc() saw it; strings owned. */
typedef struct {
	char run_id[33];
	char *name;
	char *experiment;
	int64_t experiment_id;
	char *artifact_uri;   /**< relative to the store directory */
	int64_t bytes;        /**< its recorded artifact bytes */
	char *refused;        /**< why it stays, or NULL: removed */
} mmp_gc_run;

/** A deleted experiment as mmp_store_gc() saw it. */
typedef struct {
	int64_t id;
	char *name;
	int refused;          /**< some of its runs stay */
} mmp_gc_experiment;

/** What mmp_store_gc() removed (or, dry, would remove). */
typedef struct {
	mmp_gc_run *runs;               /**< every deleted run, by start */
	size_t runs_nr;
	mmp_gc_experiment *experiments; /**< every deleted experiment */
	size_t experiments_nr;
	size_t removed;                 /**< runs removed */
	size_t refused;                 /**< runs kept, with a reason */
	int64_t bytes;                  /**< artifact bytes freed */
} mmp_gc_result;

/**
 * Remove every deleted run for good: its rows (params, metrics, tags,
 * datasets, artifacts, push state) and its artifact directory, and
 * every deleted experiment none of whose runs stays. A run a model
 * version was registered from stays (the registry needs its model), as
 * does a run with a child run that is not deleted; `refused` says why.
 * Tuning trials of a removed run keep their numbers without the run.
 * With `dry_run` nothing changes. Release `out` with
 * mmp_gc_result_release().
 */
MMP_EXTERN(int) mmp_store_gc(mmp_gc_result *out, mmp_store *s,
	int dry_run);

/** Free what a gc result holds. Accepts a zeroed one. */
MMP_EXTERN(void) mmp_gc_result_release(mmp_gc_result *r);

/* --- experiments --- */

/** An experiment as listed; strings owned by the list. */
typedef struct {
	int64_t id;
	char *name;
	char *lifecycle_stage;     /**< "active" or "deleted" */
	char *artifact_location;   /**< relative to the store directory */
	int64_t creation_time;     /**< ms since the epoch */
	int64_t last_update_time;
	int64_t runs;              /**< runs not deleted */
	int64_t deleted_runs;
} mmp_experiment;

/** Experiments, by name; free with mmp_experiment_list_free(). */
typedef struct {
	mmp_experiment *items;
	size_t count;
} mmp_experiment_list;

/** Every experiment (with `include_deleted`, deleted ones too). */
MMP_EXTERN(int) mmp_experiments_list(mmp_experiment_list **out,
	mmp_store *s, int include_deleted);

/** Free a list. Accepts NULL. */
MMP_EXTERN(void) mmp_experiment_list_free(mmp_experiment_list *l);

/**
 * Find experiment `name` (or, when no experiment has that name and it
 * is a number, the experiment of that id); `*out` gets its id.
 * MMP_ENOTFOUND (with a suggestion when a name is close).
 */
MMP_EXTERN(int) mmp_experiment_find(int64_t *out, mmp_store *s,
	const char *name);

/** Create experiment `name`. MMP_EEXISTS, MMP_EINVALID. */
MMP_EXTERN(int) mmp_experiment_create(int64_t *out_id, mmp_store *s,
	const char *name);

/**
 * Rename experiment `name` to `new_name`. MMP_ENOTFOUND, MMP_EEXISTS
 * when another experiment has the new name, MMP_EINVALID.
 */
MMP_EXTERN(int) mmp_experiment_rename(mmp_store *s, const char *name,
	const char *new_name);

/**
 * Delete experiment `name` softly, and its runs with it, as MLflow.
 * `*out_runs` (may be NULL) gets how many runs were deleted. Refused
 * with MMP_ECONFLICT for the Default experiment and while one of its
 * runs is RUNNING. A deleted experiment takes no new runs.
 */
MMP_EXTERN(int) mmp_experiment_delete(int64_t *out_runs, mmp_store *s,
	const char *name);

/**
 * Restore a deleted experiment and, as MLflow, every run of it.
 * `*out_runs` (may be NULL) gets how many runs were restored.
 */
MMP_EXTERN(int) mmp_experiment_restore(int64_t *out_runs, mmp_store *s,
	const char *name);

/* --- drift monitoring: live profile windows and the prediction log --- */

/**
 * One time window of one model's live profile, as serve-api and
 * batch-inference record it. `profile` is the JSON of the live
 * profile (mmp_profile_to_json() of include/mmp/monitor.h); the store
 * keeps it as given. A window is keyed by (model, version, source,
 * instance, start_ms): writing the same key again replaces the window
 * (a server saves its open window on a timer, each time with every row
 * seen so far), so a restarted or second server (another `instance`)
 * appends windows of its own.
 */
typedef struct {
	int64_t id;               /**< read back only: the row's id */
	const char *model;        /**< the model's name; required */
	int64_t version;          /**< registry version; 0: none */
	const char *source;       /**< "serve" or "batch:<run id>" */
	const char *instance;     /**< who wrote it (host:pid:start); may
	                               be NULL (empty) */
	int64_t start_ms;         /**< ms since the epoch, inclusive */
	int64_t end_ms;           /**< exclusive; >= start_ms */
	int64_t rows;             /**< rows (records) profiled, >= 0 */
	const char *profile;      /**< the profile's JSON text; required */
	int64_t written_ms;       /**< read back only: when last written */
} mmp_monitor_window;

/**
 * How long monitoring data is kept. A value <= 0 means "no limit" for
 * that bound. Windows older than `window_days` (by end_ms), logged
 * predictions older than `log_days` (by their time) and all but the
 * newest `log_rows` logged predictions are removed when either is
 * written and by mmp_store_monitor_prune() (`mmp gc`).
 */
typedef struct {
	int window_days;          /**< default 90 */
	int log_days;             /**< default 30 */
	int64_t log_rows;         /**< default 10000000 */
} mmp_monitor_retention;

#define MMP_MONITOR_RETENTION_INIT { 90, 30, 10000000 }

/** Use `r` (copied) for this handle's pruning on write and gc. */
MMP_EXTERN(void) mmp_store_set_monitor_retention(mmp_store *s,
	const mmp_monitor_retention *r);

/**
 * Record (or replace, same key) one window. MMP_EINVALID names the bad
 * field (an empty model or source, end before start, negative rows, an
 * empty profile, a source other than "serve" or "batch:..."). Prunes
 * old windows by the retention in force.
 */
MMP_EXTERN(int) mmp_store_monitor_window_put(mmp_store *s,
	const mmp_monitor_window *w);

/** Called for each window read; a non-zero return stops the reading
 * and is returned by the reader. Everything is borrowed for the call. */
typedef int (*mmp_monitor_window_cb)(const mmp_monitor_window *w,
	void *payload);

/**
 * Every window of `model` (`version` 0: every version) that ends after
 * `since_ms` (0: all), oldest first (by start, then id). `source` NULL
 * means any source; "batch:" (with nothing after the colon) any batch
 * job. Returns 0, the callback's non-zero value, or an error.
 */
MMP_EXTERN(int) mmp_store_monitor_windows(mmp_store *s, const char *model,
	int64_t version, const char *source, int64_t since_ms,
	mmp_monitor_window_cb cb, void *payload);

/** One logged prediction. */
typedef struct {
	int64_t id;               /**< read back only: increasing with time
	                               of writing */
	const char *model;        /**< read back only (put_many takes the
	                               model as an argument) */
	int64_t version;          /**< read back only, as model */
	const char *source;       /**< "serve" or "batch:<run id>" */
	const char *entity_id;    /**< 1 to 256 bytes, no NUL */
	int64_t ts_ms;            /**< when predicted; 0: now */
	const float *pred;        /**< npred scores (class probabilities,
	                               or one score or value) */
	size_t npred;             /**< 1 to 4096 */
} mmp_prediction_log_item;

/**
 * Log `n` predictions of `model` version `version` (0: none) in one
 * transaction: all or none. The scores are kept exactly (float32).
 * MMP_EINVALID names the item and field at fault. Prunes by the
 * retention in force.
 */
MMP_EXTERN(int) mmp_store_prediction_log_put_many(mmp_store *s,
	const char *model, int64_t version,
	const mmp_prediction_log_item *items, size_t n);

/** One prediction: mmp_store_prediction_log_put_many() with n = 1. */
MMP_EXTERN(int) mmp_store_prediction_log_put(mmp_store *s, const char *model,
	int64_t version, const char *source, const char *entity_id,
	int64_t ts_ms, const float *pred, size_t npred);

/**
 * Remove every prediction logged with `source` (a batch job that failed
 * after logging some: its output was never delivered). `*out_removed`
 * (may be NULL) gets how many.
 */
MMP_EXTERN(int) mmp_store_prediction_log_forget(mmp_store *s,
	const char *source, int64_t *out_removed);

/** Which logged predictions to read. */
typedef struct {
	unsigned int version;
	const char *model;        /**< required */
	int64_t model_version;    /**< 0: every version */
	/** these entity ids only (each may have several predictions);
	 * NULL: every id */
	const char *const *ids;
	size_t ids_nr;
	int64_t since_ms;         /**< ts_ms >= since_ms; 0: no bound */
	int64_t until_ms;         /**< ts_ms < until_ms; 0: no bound */
} mmp_prediction_log_query;

#define MMP_PREDICTION_LOG_QUERY_VERSION 1
#define MMP_PREDICTION_LOG_QUERY_INIT { MMP_PREDICTION_LOG_QUERY_VERSION, \
	NULL, 0, NULL, 0, 0, 0 }

/** Called for each logged prediction read; as mmp_monitor_window_cb. */
typedef int (*mmp_prediction_log_cb)(const mmp_prediction_log_item *it,
	void *payload);

/**
 * The logged predictions `q` selects: with ids, in the order of `ids`
 * and for each by time; otherwise by time (then id). Returns 0, the
 * callback's non-zero value, or an error.
 */
MMP_EXTERN(int) mmp_store_prediction_log_get(mmp_store *s,
	const mmp_prediction_log_query *q, mmp_prediction_log_cb cb,
	void *payload);

/** What mmp_store_monitor_prune() removed (or, dry, would remove). */
typedef struct {
	int64_t windows;          /**< windows past window_days */
	int64_t predictions;      /**< logged predictions past the bounds */
} mmp_monitor_prune_result;

/**
 * Apply the retention in force now: remove windows and logged
 * predictions past it (`mmp gc`). With `dry_run` nothing changes and
 * `out` says what would go.
 */
MMP_EXTERN(int) mmp_store_monitor_prune(mmp_monitor_prune_result *out,
	mmp_store *s, int dry_run);

MMP_END_DECL

#endif
