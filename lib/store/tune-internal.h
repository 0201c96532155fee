/* SPDX-License-Identifier: MIT */
/* tune-internal.h: the store's SQL for studies and trials, for lib/tune */
#ifndef LIB_store_tune_internal_h__
#define LIB_store_tune_internal_h__

#include "mmp/store.h"
#include "mmp/tune.h"

/* what a new study records */
struct mmp_store__study_new {
	const char *name;
	const char *recipe_path;
	const char *recipe_name;
	const char *metric;
	int maximize;
	const char *sampler;       /* "tpe" or "random" */
	const char *pruner;        /* "median" or "none" */
	int64_t seed;
	int64_t max_parallel;
	int64_t target;
	const char *space;
	const char *dataset_digest;
};

/* create a study; MMP_EEXISTS when the name is taken */
int mmp_store__study_create(mmp_store *s,
	const struct mmp_store__study_new *n, int64_t *out_id);
/* the study `name` without its trials; MMP_ENOTFOUND */
int mmp_store__study_read(mmp_store *s, const char *name, mmp_study **out);
/* ask for `add` more trials */
int mmp_store__study_add_target(mmp_store *s, int64_t study, int64_t add);
/*
 * Append the trials numbered lo..hi (inclusive) that are in a final
 * state (or every state with `all`) to st->trials, with their params
 * and, with `with_steps`, their intermediate values.
 */
int mmp_store__trials_read(mmp_store *s, mmp_study *st, int64_t lo,
	int64_t hi, int all, int with_steps);

enum {
	MMP_STORE_CLAIM_OK = 0,    /* *number is this process's now */
	MMP_STORE_CLAIM_WAIT,      /* the next one needs older trials first */
	MMP_STORE_CLAIM_NONE       /* nothing left to claim */
};
/*
 * Claim the lowest trial number below `target` that nobody has, or
 * whose process died (FAIL, retry), provided no trial numbered
 * number - window or lower is still RUNNING. Returns a MMP_STORE_CLAIM_
 * value or a negative error; `*retried` says it was a retry.
 */
int mmp_store__trial_claim(mmp_store *s, int64_t study, int64_t target,
	int64_t window, int64_t *number, int *retried);
/* record the params and the child run of a claimed trial */
int mmp_store__trial_begin(mmp_store *s, int64_t study, int64_t number,
	const char *run_id, const mmp_trial_param *params, size_t n);
/* keep a long trial alive for other hosts */
int mmp_store__trial_heartbeat(mmp_store *s, int64_t study, int64_t number);
/*
 * End a trial: its state, value (NaN: none), error (or NULL), retry
 * flag, duration and intermediate values (NaN stored as NULL).
 */
int mmp_store__trial_end(mmp_store *s, int64_t study, int64_t number,
	mmp_trial_state state, double value, const char *error, int retry,
	double duration, const double *steps, size_t nsteps);
/* mark RUNNING trials whose process is gone FAIL with retry = 1 */
int mmp_store__trials_fail_dead(mmp_store *s, int64_t study, size_t *count);
/*
 * A transaction around several calls (these and mmp_run_* ones, which
 * nest inside it), without SQLite outside lib/store/.
 */
int mmp_store__tune_begin(mmp_store *s);
int mmp_store__tune_commit(mmp_store *s);
void mmp_store__tune_rollback(mmp_store *s);
/* every study name, oldest first, NULL-ended */
int mmp_store__study_names(mmp_store *s, char ***out, size_t *count);

#endif
