/* SPDX-License-Identifier: MIT */
/* tune.h: mmp tune: hyperparameter studies (TPE or random search,
 * pruning, parallel trials) recorded in the store and resumable */
#ifndef INCLUDE_mmp_tune_h__
#define INCLUDE_mmp_tune_h__

#include "common.h"
#include "types.h"
#include "config.h"

MMP_BEGIN_DECL

/**
 * @file mmp/tune.h
 *
 * A study searches the recipe's `tune.params` space for the XGBoost
 * parameters that give the best `tune.metric` under k-fold (stratified
 * for classification) cross-validation of the recipe's training rows,
 * or on the recipe's validation set when `tune.cv_folds` is 0. Each trial is a
 * child run (kind "trial") of one parent run (kind "tune") per session.
 *
 * Reproducibility rule. Trial n draws its randomness from
 * mmp_rng_derive(seed, n) and learns only from the trials numbered
 * n - W and below, where W is the study's `tune.max_parallel`: a worker
 * starts trial n only when those are all finished, and the pruner of
 * trial n compares with the same trials. So the same seed
 * gives the same params (and, XGBoost being deterministic, the same
 * values) whatever --jobs is, and whether or not the study was killed
 * and resumed; --jobs above W runs at most W trials at once.
 */

/** The state of a trial, as Optuna's TrialState. */
typedef enum {
	MMP_TRIAL_RUNNING = 0,
	MMP_TRIAL_COMPLETE,
	MMP_TRIAL_PRUNED,
	MMP_TRIAL_FAIL
} mmp_trial_state;

/** "RUNNING", "COMPLETE", "PRUNED", "FAIL" (static strings). */
MMP_EXTERN(const char *) mmp_trial_state_name(mmp_trial_state s);

/** One sampled parameter of a trial; strings owned by the trial. */
typedef struct {
	char *name;          /**< the XGBoost parameter */
	char *value;         /**< as given to XGBoost: "6", "0.031", "hist" */
	double internal;     /**< the number, or the index of the choice */
} mmp_trial_param;

/** One trial as stored; everything is owned by its study. */
typedef struct {
	int64_t number;          /**< 0-based, dense */
	mmp_trial_state state;
	double value;            /**< the objective; NaN unless COMPLETE */
	mmp_trial_param *params; /**< in search-space order */
	size_t nparams;
	/** intermediate values by step (fold * num_boost_round + round);
	 * NaN where nothing was reported */
	double *steps;
	size_t nsteps;
	char run_id[33];         /**< the child run, "" when none */
	int64_t start_time;      /**< ms since the epoch */
	int64_t end_time;        /**< ms; 0 while running */
	double duration;         /**< seconds; 0 while running */
	int attempts;            /**< > 1 after a retry */
	int retry;               /**< FAIL because its process died */
	char *error;             /**< why it failed, or NULL */
} mmp_trial;

/** A study and its trials; free with mmp_study_free(). */
typedef struct {
	int64_t id;
	char *name;
	char *recipe_path;
	char *recipe_name;
	char *metric;            /**< "roc_auc", "rmse", ... */
	int maximize;            /**< the direction */
	char *sampler;           /**< "tpe" or "random" */
	char *pruner;            /**< "median", "percentile",
				      "successive_halving", "threshold" or
				      "none" */
	int64_t seed;
	int64_t max_parallel;    /**< W of the reproducibility rule */
	int64_t target;          /**< the number of trials the study asks for */
	char *space;             /**< the settings and the search space, text */
	char dataset_digest[65];
	int64_t creation_time;   /**< ms */
	mmp_trial *trials;       /**< by number */
	size_t ntrials;
	long best;               /**< index of the best COMPLETE trial, or -1 */
	size_t ncomplete, npruned, nfail, nrunning;
	/**
	 * Parameter importance, one per parameter of the space in order:
	 * the share of the variance of the COMPLETE trials' values that
	 * the parameter explains on its own (the correlation ratio eta^2
	 * over its values grouped into at most 4 equal-count bins, or its
	 * choices), normalised to sum to 1; all 0 with fewer than 3
	 * complete trials or values that do not vary.
	 */
	char **param_names;
	double *importance;
	size_t nparams;
} mmp_study;

/** What happened; passed to the progress callback. */
typedef enum {
	MMP_TUNE_TRIAL_START = 1, /**< a trial got its params */
	MMP_TUNE_ROUND,           /**< a boosting round of some trial ended */
	MMP_TUNE_TRIAL_END,       /**< a trial finished (any state) */
	MMP_TUNE_SESSION_START    /**< before the first trial: `space` */
} mmp_tune_stage;

/** Borrowed for the duration of the callback. */
typedef struct {
	mmp_tune_stage stage;
	int64_t number;          /**< the trial */
	mmp_trial_state state;   /**< TRIAL_END: how it ended */
	double value;            /**< TRIAL_END: its value (NaN: none) */
	size_t done;             /**< trials this session finished */
	size_t total;            /**< trials this session will run */
	double best_value;       /**< the study's best so far (NaN: none) */
	int64_t best_number;     /**< -1: none */
	double elapsed;          /**< seconds since the session started */
	double eta;              /**< estimated seconds left (NaN: unknown) */
	const char *space;       /**< SESSION_START: the study's settings and
				      search space, as text; else NULL */
	int default_space;       /**< SESSION_START: the recipe names no
				      tune.params, mmp's default space */
} mmp_tune_event;

/**
 * Called from the worker threads, one call at a time. Return non-zero
 * to stop the session: running trials end FAIL (to be retried by
 * --resume) and mmp_tune_run() returns MMP_EINTERRUPTED.
 */
typedef int (*mmp_tune_event_cb)(const mmp_tune_event *e, void *payload);

/** How to run a session. Strings are borrowed for the call. */
typedef struct {
	unsigned int version;
	const char *recipe_path;   /**< required; its `tune` section */
	const char *study;         /**< NULL: the recipe's name */
	int64_t trials;            /**< 0: tune.trials; how many to add */
	int jobs;                  /**< trials at once; 0: one per thread
					of nthread (at most W) on small
					data, else 1 */
	int resume;                /**< finish an existing study only */
	int retrain;               /**< train the best params with mmp_train */
	int nthread;               /**< XGBoost threads in all; 0: cores */
	double timeout;            /**< seconds; < 0: tune.timeout */
	const char *experiment;    /**< NULL: as mmp train chooses */
	const mmp_config *config;  /**< may be NULL */
	mmp_tune_event_cb progress;
	void *payload;
	const char *const *overrides;  /**< "path=value", as mmp_train's;
					    tune.* paths apply too */
	size_t noverrides;
	int64_t seed;              /**< the sampler's seed; < 0: tune.seed */
} mmp_tune_options;

#define MMP_TUNE_OPTIONS_VERSION 1
#define MMP_TUNE_OPTIONS_INIT { MMP_TUNE_OPTIONS_VERSION, NULL, NULL, 0, \
	0, 0, 0, 0, -1.0, NULL, NULL, NULL, NULL, NULL, 0, -1 }

/** What a session did. Release with mmp_tune_result_release(). */
typedef struct {
	mmp_study *study;        /**< the whole study afterwards (or NULL) */
	char run_id[33];         /**< the session's parent run, "" if none */
	int created;             /**< the session created the study */
	size_t ran;              /**< trials this session finished */
	size_t retried;          /**< of which retries of dead trials */
	size_t jobs;             /**< workers used (after the W cap) */
	int nthread_per_job;     /**< XGBoost threads of each worker while
				      all train at once */
	char retrain_run_id[33]; /**< "" unless --retrain trained one */
	double seconds;          /**< wall time of the session */
	double sampler_seconds;  /**< time spent choosing params */
	double wait_seconds;     /**< workers idle, waiting for older trials */
	char **warnings;         /**< things a reviewer should know */
	size_t nwarnings;
} mmp_tune_result;

/**
 * Run a session of the study `o->study` over the recipe: create it
 * (target tune.trials, or o->trials), or extend it by that many trials,
 * or with `resume` only finish the trials it still owes. Trials left
 * RUNNING by a process that died are marked FAIL and run again under
 * the same number first. Runs `jobs` workers in threads, each with its
 * own store handle. The nthread XGBoost threads are shared among the
 * trials training at the time (the oldest gets what does not divide):
 * a worker waiting for an older trial, or with no trial left, hands its
 * threads to the trials still training from their next round on.
 *
 * A recipe without `tune.params` searches mmp's default space (see
 * mmp-tune(1)). A recipe whose `tune` section is invalid gives
 * MMP_EINVALID with every problem in `*diags` (when not NULL; free it
 * with mmp_diag_list_free()), located file:line:column. Returns 0;
 * MMP_ENOTFOUND (--resume of an unknown study; data file missing);
 * MMP_ECONFLICT (the study exists with another search space, metric,
 * seed or dataset); MMP_EINTERRUPTED (the callback stopped it);
 * MMP_ELOCKED, MMP_ERROR (store or XGBoost failures). `out` is filled
 * as far as the session got in every case.
 */
MMP_EXTERN(int) mmp_tune_run(mmp_tune_result *out, mmp_diag_list **diags,
	mmp_store *store, const mmp_tune_options *o);

/** Free the contents of `r`; accepts a zeroed result. */
MMP_EXTERN(void) mmp_tune_result_release(mmp_tune_result *r);

/**
 * Read the study `name` with all its trials (and their intermediate
 * values when `with_steps`) into `*out` (free with mmp_study_free()).
 * MMP_ENOTFOUND when there is no such study (the message suggests a
 * close name).
 */
MMP_EXTERN(int) mmp_study_get(mmp_study **out, mmp_store *s,
	const char *name, int with_steps);

/** The names of every study, oldest first, into `*out` (a NULL-ended
 * array; free with mmp_study_names_free()). */
MMP_EXTERN(int) mmp_study_names(char ***out, size_t *count, mmp_store *s);

/** Free a list from mmp_study_names(); accepts NULL. */
MMP_EXTERN(void) mmp_study_names_free(char **names);

/** Free a study; accepts NULL. */
MMP_EXTERN(void) mmp_study_free(mmp_study *st);

MMP_END_DECL

#endif
