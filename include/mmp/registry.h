/* SPDX-License-Identifier: MIT */
/* registry.h: the model registry: versions, stages, aliases, approvals,
 * lineage and the audit log */
#ifndef INCLUDE_mmp_registry_h__
#define INCLUDE_mmp_registry_h__

#include "common.h"
#include "types.h"
#include "config.h"
#include "store.h"

MMP_BEGIN_DECL

/**
 * @file mmp/registry.h
 *
 * MLflow's registry concepts in the store: a registered model (a name)
 * has versions 1, 2, 3... each pointing at the model directory of one
 * run (`<artifact dir of the run>/model`), with a stage (None, Staging,
 * Production, Archived), aliases, tags and a description. At most one
 * version of a model is in Production.
 *
 * Everywhere a model is named, a reference picks one version:
 *
 *   churn@Production   the version in that stage (case-insensitive:
 *   churn@staging      @production, @STAGING...); for Staging, Archived
 *                      and None, which may hold several versions, the
 *                      highest one
 *   churn@champion     the version the alias points at
 *   churn@latest       the highest version
 *   churn@v3, churn/3  version 3 (both spellings are accepted)
 *
 * Model names are 1 to 250 characters of letters, digits, '_', '-' and
 * '.', starting with a letter or a digit; aliases the same, except that
 * `latest`, `v<digits>` and the stage names are reserved.
 *
 * Unless said otherwise every function returns 0 or a negative
 * mmp_error_code with the details in mmp_error_last().
 */

/** The stage of a model version (MLflow's current_stage). */
typedef enum {
	MMP_STAGE_NONE = 0,
	MMP_STAGE_STAGING,
	MMP_STAGE_PRODUCTION,
	MMP_STAGE_ARCHIVED
} mmp_stage;

/** The canonical name of a stage: "None", "Staging", "Production"... */
MMP_EXTERN(const char *) mmp_stage_name(mmp_stage stage);

/**
 * Parse a stage name, case-insensitively ("production", "STAGING").
 * MMP_EINVALID for anything else; the message lists the valid stages
 * and suggests the closest one.
 */
MMP_EXTERN(int) mmp_stage_parse(mmp_stage *out, const char *name);

/** One resolved model version; release with mmp_model_ref_release(). */
typedef struct {
	char *name;          /**< the registered model */
	int64_t version;     /**< 1, 2, 3... */
	char run_id[33];     /**< the source run */
	mmp_stage stage;     /**< its stage now */
	char *model_dir;     /**< absolute path of the model directory */
} mmp_model_ref;

/**
 * Resolve a model reference (see above) into `out`, which the caller
 * releases with mmp_model_ref_release() (also after a failure).
 * The model directory must exist.
 *
 * Errors: MMP_EINVALID for a malformed reference ("churn" alone, an
 * empty name, "churn@"); MMP_ENOTFOUND naming what is missing: "no
 * model 'churn'" (with a suggestion when a name is close), "model
 * 'churn' has no version in stage Production", "model 'churn' has no
 * alias 'champion'", "model 'churn' has no version 7", or a missing
 * model directory.
 */
MMP_EXTERN(int) mmp_registry_resolve(mmp_model_ref *out, mmp_store *s,
	const char *ref);

/** Free the contents of `r` and zero it. Accepts a zeroed ref. */
MMP_EXTERN(void) mmp_model_ref_release(mmp_model_ref *r);

/* --- who makes a change --- */

/*
 * Every change takes an `actor`: NULL means $MMP_USER, else the login
 * name of the process's user. It is recorded in the audit log.
 */

/* --- registering --- */

/** Options of mmp_registry_register(); MMP_REGISTER_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	const char *description;  /**< of the version; may be NULL */
	const mmp_kv *tags;       /**< version tags; may be NULL */
	size_t tags_nr;
	const char *actor;        /**< NULL: $MMP_USER, else the OS user */
} mmp_register_options;

#define MMP_REGISTER_OPTIONS_VERSION 1
#define MMP_REGISTER_OPTIONS_INIT { MMP_REGISTER_OPTIONS_VERSION, NULL, \
	NULL, 0, NULL }

/**
 * Register the model of run `run` (an id, a unique prefix or a unique
 * run name) as the next version of model `name`, creating the model
 * when it is new; `*out_version` gets the number (1, 2, 3... never
 * reused, even after a delete). The version points at the run's
 * `model` artifact directory, in stage None. One transaction with its
 * audit row: concurrent registers get distinct numbers.
 *
 * Errors: MMP_EINVALID (bad model name, bad tag key), MMP_ENOTFOUND (no
 * such run), MMP_EAMBIGUOUS (run prefix), MMP_ECONFLICT (the run is
 * not FINISHED, e.g. FAILED or still RUNNING, or has no model).
 */
MMP_EXTERN(int) mmp_registry_register(int64_t *out_version, mmp_store *s,
	const char *run, const char *name, const mmp_register_options *o);

/* --- reading --- */

/** An approval decision. */
typedef enum {
	MMP_DECISION_NONE = 0,       /**< no decision yet */
	MMP_DECISION_APPROVED,
	MMP_DECISION_NEEDS_REVIEW,
	MMP_DECISION_REJECTED
} mmp_decision;

/** "APPROVED", "NEEDS_REVIEW", "REJECTED" or "NONE". */
MMP_EXTERN(const char *) mmp_decision_name(mmp_decision d);

/** One recorded decision; every string is owned by it. */
typedef struct {
	int64_t id;
	char *name;
	int64_t version;
	mmp_decision decision;
	char *reason;        /**< one line */
	char *actor;         /**< who decided ("policy" runs record the
				  user who ran them) */
	int manual;          /**< a human's decision (--by) */
	char *notes;         /**< may be NULL */
	char *policy;        /**< the policy's file, or NULL */
	char *evidence;      /**< JSON object: thresholds, values, baseline */
	int64_t time;        /**< ms since the epoch */
} mmp_approval;

/** Free an approval and its strings. Accepts NULL. */
MMP_EXTERN(void) mmp_approval_free(mmp_approval *a);

/** One model version; every string is owned by it. */
typedef struct {
	char *name;
	int64_t version;
	int64_t creation_time;      /**< ms since the epoch */
	int64_t last_updated_time;
	char *description;
	char *user_id;              /**< who registered it */
	mmp_stage stage;
	char *source;               /**< model dir, relative to the store */
	char *model_dir;            /**< the same, absolute */
	char run_id[33];
	char *status;               /**< "READY" */
	char **aliases;             /**< sorted */
	size_t aliases_nr;
	mmp_kv *tags;               /**< sorted by key */
	size_t tags_nr;
	mmp_approval *approval;     /**< the latest decision, or NULL */
} mmp_model_version;

/** Free a version. Accepts NULL. */
MMP_EXTERN(void) mmp_model_version_free(mmp_model_version *v);

/** A registered model and its versions (ascending); owned. */
typedef struct {
	char *name;
	char *description;
	int64_t creation_time;
	int64_t last_updated_time;
	int64_t last_version;       /**< the highest number ever given */
	mmp_model_version **versions;
	size_t versions_nr;
	mmp_kv *tags;               /**< the model's own, sorted by key */
	size_t tags_nr;
} mmp_registered_model;

/** Free a model and its versions. Accepts NULL. */
MMP_EXTERN(void) mmp_registered_model_free(mmp_registered_model *m);

/** Every registered model; free with mmp_registered_model_list_free(). */
typedef struct {
	mmp_registered_model **items;   /**< sorted by name */
	size_t count;
} mmp_registered_model_list;

/** All models with their versions. The caller owns `*out`. */
MMP_EXTERN(int) mmp_registry_list(mmp_registered_model_list **out,
	mmp_store *s);

/** Free a list. Accepts NULL. */
MMP_EXTERN(void) mmp_registered_model_list_free(
	mmp_registered_model_list *l);

/**
 * Model `name` with its versions. The caller owns `*out`.
 * MMP_ENOTFOUND "no model 'x'" (with a suggestion when one is close).
 */
MMP_EXTERN(int) mmp_registry_model_get(mmp_registered_model **out,
	mmp_store *s, const char *name);

/**
 * The version a reference names (see the top of this file; a plain
 * number or "v3" is accepted when `name` is given separately through
 * mmp_registry_version_get()). The caller owns `*out`. Errors as
 * mmp_registry_resolve(), without the model directory check.
 */
MMP_EXTERN(int) mmp_registry_version_lookup(mmp_model_version **out,
	mmp_store *s, const char *ref);

/** Version `version` of model `name`; MMP_ENOTFOUND naming what. */
MMP_EXTERN(int) mmp_registry_version_get(mmp_model_version **out,
	mmp_store *s, const char *name, int64_t version);

/**
 * Parse a version argument, "3" or "v3", into `*out`. MMP_EINVALID for
 * anything else (0, negative, junk).
 */
MMP_EXTERN(int) mmp_registry_parse_version(int64_t *out, const char *text);

/* --- stages and aliases --- */

/** Options of mmp_registry_promote(); MMP_PROMOTE_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	const char *actor;     /**< NULL: $MMP_USER, else the OS user */
	const char *notes;     /**< kept in the audit row; may be NULL */
	int force;             /**< skip the approval rule (audited as an
				    override); needs `actor` and `notes` */
	int keep_previous;     /**< the previous Production version goes to
				    Staging instead of Archived */
} mmp_promote_options;

#define MMP_PROMOTE_OPTIONS_VERSION 1
#define MMP_PROMOTE_OPTIONS_INIT { MMP_PROMOTE_OPTIONS_VERSION, NULL, NULL, \
	0, 0 }

/** What mmp_registry_promote() did. */
typedef struct {
	mmp_stage from;             /**< the version's stage before */
	int changed;                /**< 0: it was in that stage already */
	int forced;                 /**< the approval rule was overridden */
	int64_t previous;           /**< the former Production version that
					 moved, or 0 */
	mmp_stage previous_to;      /**< where it went */
} mmp_promote_result;

/**
 * Move version `version` of `name` to `stage`, in one transaction with
 * its audit rows. Staging and Production refuse a version whose latest
 * decision is REJECTED; Production also needs an APPROVED decision.
 * `force` (with an actor and notes) overrides both and is audited as
 * an override. Promoting to Production moves the previous Production
 * version to Archived (or Staging with `keep_previous`) in the same
 * transaction, so there is never more than one.
 *
 * Errors: MMP_ENOTFOUND (model, version), MMP_ECONFLICT (the approval
 * rule; the message says which decision is missing or which was
 * made), MMP_EINVALID (force without actor or notes), MMP_ELOCKED.
 */
MMP_EXTERN(int) mmp_registry_promote(mmp_promote_result *out, mmp_store *s,
	const char *name, int64_t version, mmp_stage stage,
	const mmp_promote_options *o);

/**
 * Point alias `alias` of `name` at `version` (moving it when it points
 * elsewhere); `*out_previous` (may be NULL) gets the version it pointed
 * at before, or 0. MMP_EINVALID for a malformed or reserved alias
 * (latest, v<N>, a stage name), MMP_ENOTFOUND for the model or version.
 */
MMP_EXTERN(int) mmp_registry_alias_set(int64_t *out_previous, mmp_store *s,
	const char *name, const char *alias, int64_t version,
	const char *actor);

/**
 * Remove alias `alias` of `name`; `*out_previous` (may be NULL) gets the
 * version it pointed at. MMP_ENOTFOUND when there is no such alias.
 */
MMP_EXTERN(int) mmp_registry_alias_delete(int64_t *out_previous,
	mmp_store *s, const char *name, const char *alias, const char *actor);

/**
 * Delete version `version` of `name` (its tags, aliases and decisions;
 * the audit log keeps its history). Refused with MMP_ECONFLICT while it
 * is in Staging or Production or holds an alias, unless `force`.
 */
MMP_EXTERN(int) mmp_registry_version_delete(mmp_store *s, const char *name,
	int64_t version, int force, const char *actor);

/* --- approval --- */

/** A parsed approval policy; free with mmp_approval_policy_free(). */
typedef struct mmp_approval_policy mmp_approval_policy;

/**
 * Parse a policy from YAML `text` (`len` bytes); `origin` names it in
 * messages. The policy is the document itself or, when the document
 * has an `approval:` key (a recipe), that section:
 *
 *   thresholds:            # every metric must pass: REJECTED otherwise
 *     accuracy: {min: 0.75}
 *     logloss: {max: 0.35}
 *     roc_auc: {min_ci_low: 0.9}   # the run's roc_auc_ci_low
 *   comparison:            # against the current Production version
 *     metric: roc_auc
 *     direction: maximize  # or minimize; default from the metric
 *     min_improvement: 0.005
 *     max_degradation: 0.01
 *     confidence: 0.95     # of the paired bootstrap interval
 *     bootstrap: 1000      # samples (100 to 100000)
 *     seed: 0
 *     otherwise: needs_review   # or rejected
 *
 * MMP_EINVALID with every problem ("file:line:column: key: text", with
 * "did you mean" for misspelt keys) in `*diags` when `diags` is not
 * NULL (free it with mmp_diag_list_free()).
 */
MMP_EXTERN(int) mmp_approval_policy_parse(mmp_approval_policy **out,
	mmp_diag_list **diags, const char *text, size_t len,
	const char *origin);

/** Read and parse a policy file; MMP_ENOTFOUND when it is missing. */
MMP_EXTERN(int) mmp_approval_policy_load(mmp_approval_policy **out,
	mmp_diag_list **diags, const char *path);

/** Free a policy. Accepts NULL. */
MMP_EXTERN(void) mmp_approval_policy_free(mmp_approval_policy *p);

/** Options of mmp_registry_approve(); MMP_APPROVE_OPTIONS_INIT. */
typedef struct {
	unsigned int version;
	const char *policy_path;   /**< NULL: <project>/configs/approval.yaml,
					else the run's recipe `approval:` */
	const mmp_approval_policy *policy;  /**< wins over policy_path */
	mmp_decision manual;       /**< NONE: evaluate the policy;
					APPROVED or REJECTED: a human's
					decision (needs `actor`) */
	const char *actor;         /**< NULL: $MMP_USER, else the OS user */
	const char *notes;         /**< required for a manual REJECTED */
	/** a labelled CSV to compare on, every row of it; NULL: the
	 * candidate's test rows, rebuilt */
	const char *data_path;
	/** the defaults training had (CSV delimiter, missing values) for
	 * rebuilding the test rows; may be NULL */
	const mmp_config *config;
} mmp_approve_options;

#define MMP_APPROVE_OPTIONS_VERSION 1
#define MMP_APPROVE_OPTIONS_INIT { MMP_APPROVE_OPTIONS_VERSION, NULL, NULL, \
	MMP_DECISION_NONE, NULL, NULL, NULL, NULL }

/**
 * Decide on version `version` of `name` and record the decision, its
 * reason and its evidence with an audit row, in one transaction. The
 * caller owns `*out` (mmp_approval_free()).
 *
 * With a policy: a metric failing a threshold (or not logged) gives
 * REJECTED; otherwise, with no Production version to compare with,
 * APPROVED. With one, both models are scored on the same rows: the
 * candidate run's test rows, rebuilt from its recipe snapshot, split
 * and data file (mmp train records them), or every row of
 * `o->data_path`. A paired bootstrap of the rows gives the difference
 * of the comparison metric and its interval at `confidence`: APPROVED
 * when the interval's lower end is above min_improvement (default 0)
 * or, with max_degradation set, above -max_degradation; otherwise the
 * policy's `otherwise` decision (NEEDS_REVIEW by default, or
 * REJECTED). A candidate whose test rows cannot be rebuilt (a run not
 * trained by mmp train) needs review. Without a comparison section:
 * APPROVED. The evidence holds both values, the difference, its
 * interval and the rows (file, sha256, count, split).
 *
 * A decision that follows an earlier one on the same version records
 * the earlier one under "previous" in the evidence, with "changes":
 * what differs (policy, Production version, thresholds, rows, outcome).
 *
 * A manual APPROVED is for a version with no decision or NEEDS_REVIEW;
 * a manual REJECTED needs notes.
 *
 * Nothing is recorded on an error: MMP_ENOTFOUND (model, version, no
 * policy anywhere, the candidate's data file is gone), MMP_EINVALID (a
 * bad policy: `*diags` as mmp_approval_policy_parse(); a manual
 * decision without actor or notes; a comparison metric the task does
 * not compute), MMP_ECONFLICT (the candidate's data file changed since
 * it was trained; the two models predict different things; a decision
 * that contradicts a final one: approving a REJECTED version or
 * rejecting an APPROVED one), or the errors of loading and scoring
 * the models.
 */
MMP_EXTERN(int) mmp_registry_approve(mmp_approval **out,
	mmp_diag_list **diags, mmp_store *s, const char *name,
	int64_t version, const mmp_approve_options *o);

/** Decisions found by mmp_registry_approvals(). */
typedef struct {
	mmp_approval **items;
	size_t count;
} mmp_approval_list;

/**
 * Recorded decisions, oldest first, of model `name` (NULL: all). With
 * `pending_only`, only the latest decision of each version and only
 * when it is NEEDS_REVIEW: what waits for a human.
 */
MMP_EXTERN(int) mmp_registry_approvals(mmp_approval_list **out,
	mmp_store *s, const char *name, int pending_only);

/** Free a list. Accepts NULL. */
MMP_EXTERN(void) mmp_approval_list_free(mmp_approval_list *l);

/* --- lineage and export --- */

/** Where a version came from; every string is owned (NULL: unknown). */
typedef struct {
	mmp_model_version *version;
	mmp_run *run;                /**< the source run, with details */
	const char *recipe_path;     /**< borrowed from run's tags */
	const char *recipe_sha256;
	const char *git_commit;
	const char *git_branch;
	int git_dirty;               /**< 1, 0, or -1 when unknown */
} mmp_model_lineage;

/**
 * The lineage of the version `ref` names: version, run, dataset
 * digests (run->datasets), recipe hash, git commit and dirty flag.
 * The caller owns `*out`. Errors as mmp_registry_version_lookup().
 */
MMP_EXTERN(int) mmp_registry_lineage(mmp_model_lineage **out, mmp_store *s,
	const char *ref);

/** Free a lineage. Accepts NULL. */
MMP_EXTERN(void) mmp_model_lineage_free(mmp_model_lineage *l);

/**
 * Write a self-contained copy of the version `ref` names to directory
 * `dir` (which must not exist, or be empty): the model directory's
 * files plus `registry.json` (name, version, stage, aliases, latest
 * approval, lineage). Written beside `dir` and renamed into place.
 * MMP_EEXISTS when `dir` holds files; errors as
 * mmp_registry_resolve().
 */
MMP_EXTERN(int) mmp_registry_export(mmp_store *s, const char *ref,
	const char *dir);

/* --- descriptions and tags after registration --- */

/**
 * Set the description of model `name` (`version` 0) or of one of its
 * versions; an empty `text` clears it. Newlines and tabs are kept; other
 * control characters are MMP_EINVALID. Audited as "describe" with the
 * old and the new text, in the same transaction. MMP_ENOTFOUND.
 */
MMP_EXTERN(int) mmp_registry_describe(mmp_store *s, const char *name,
	int64_t version, const char *text, const char *actor);

/**
 * Set `nset` tags and remove the tags `unset` of model `name`
 * (`version` 0) or of one of its versions, in one transaction, each
 * change audited as "tag" (subject "tag <key>", before and after).
 * Keys are 1 to 250 characters without control characters, values at
 * most 5000 bytes (MMP_EINVALID). Removing a tag that is not there is
 * MMP_ENOTFOUND and nothing changes.
 */
MMP_EXTERN(int) mmp_registry_tags_edit(mmp_store *s, const char *name,
	int64_t version, const mmp_kv *set, size_t nset,
	const char *const *unset, size_t nunset, const char *actor);

/**
 * Check the model directory `model_dir` of run `run_id` against the
 * sha256 recorded for each of its files when the run logged them (the
 * run's artifacts under "model/"), before anything loads it: serve-api,
 * batch-inference and mmp_registry_export() call this. The number of
 * files checked goes to `*out_checked` (may be NULL); 0 for a run that
 * recorded none.
 *
 * Returns 0; MMP_EINVALID when a recorded file is missing or its
 * content changed (the message names the file and both digests);
 * MMP_ENOTFOUND for an unknown run; MMP_ERROR when a file cannot be
 * read.
 */
MMP_EXTERN(int) mmp_registry_verify_model(mmp_store *s, const char *run_id,
	const char *model_dir, size_t *out_checked);

/** What mmp_registry_dockerfile() wrote. */
typedef struct {
	char *name;              /**< the model */
	int64_t version;
	mmp_stage stage;
	int port;                /**< EXPOSEd and served */
	const char *base_image;  /**< static, "debian:bookworm-slim" */
	int host_matches;        /**< this host runs that Debian release, so
				      the copied binary finds its libraries */
} mmp_dockerfile_result;

/**
 * Write a container build context for the version `ref` names into
 * `dir` (created when missing; MMP_EEXISTS when it already holds a
 * Dockerfile, README.md, mmp or model): `model/` as
 * mmp_registry_export() writes it, a copy of the mmp executable
 * `binary` (NULL: this process's), a `Dockerfile` (Debian slim base,
 * the runtime libraries from Debian, a non-root user, EXPOSE, a
 * HEALTHCHECK on /health, and `mmp serve-api --model-dir /srv/model
 * --host 0.0.0.0 --token-file /run/secrets/mmp-token`) and a README.md
 * saying how to build and run it. Release `out` with
 * mmp_dockerfile_result_release(). Errors as mmp_registry_export().
 */
MMP_EXTERN(int) mmp_registry_dockerfile(mmp_dockerfile_result *out,
	mmp_store *s, const char *ref, const char *dir, const char *binary);

/** Free what a result holds. Accepts a zeroed one. */
MMP_EXTERN(void) mmp_dockerfile_result_release(mmp_dockerfile_result *r);

/* --- the audit log --- */

/** One audit row; strings owned by it (NULL when empty). */
typedef struct {
	int64_t seq;          /**< 1, 2, 3... */
	int64_t time;         /**< ms since the epoch */
	char *actor;
	char *action;         /**< register, approve, reject, promote,
				   archive, override, alias, delete,
				   describe, tag */
	char *name;
	int64_t version;      /**< 0 when none */
	char *subject;        /**< "stage", "alias champion", "decision",
				   "version" */
	char *before;
	char *after;
	char *notes;
	char prev_hash[65];
	char hash[65];
} mmp_audit_entry;

/** Audit rows found by mmp_registry_audit(). */
typedef struct {
	mmp_audit_entry *items;
	size_t count;
} mmp_audit_list;

/**
 * The audit rows of model `name` (NULL: all) with `since` <= time <
 * `until` (0: unbounded), oldest first. The caller owns `*out`.
 */
MMP_EXTERN(int) mmp_registry_audit(mmp_audit_list **out, mmp_store *s,
	const char *name, int64_t since, int64_t until);

/** Free a list. Accepts NULL. */
MMP_EXTERN(void) mmp_audit_list_free(mmp_audit_list *l);

/**
 * Check the hash chain of the whole audit log: each row's hash against
 * its contents and its predecessor, and the last row against the head.
 * `*out_rows` (may be NULL) gets the number of rows checked. An edited,
 * inserted or deleted row gives MMP_ECONFLICT naming the first bad row.
 */
MMP_EXTERN(int) mmp_registry_audit_verify(mmp_store *s, int64_t *out_rows);

/** The stages and aliases of a model at one moment. */
typedef struct {
	int64_t versions[4];     /**< per mmp_stage: the highest version in
				      it then, or 0 (NONE: unused) */
	char **aliases;          /**< "champion" ... */
	int64_t *alias_versions;
	size_t aliases_nr;
} mmp_registry_state;

/**
 * Replay the audit log of model `name` up to `time` (inclusive) and say
 * which version was in each stage and what each alias named then.
 * Release with mmp_registry_state_release(). MMP_ENOTFOUND when the
 * log has no row of `name` at or before `time`.
 */
MMP_EXTERN(int) mmp_registry_state_at(mmp_registry_state *out,
	mmp_store *s, const char *name, int64_t time);

/** Free the contents of a state. Accepts a zeroed one. */
MMP_EXTERN(void) mmp_registry_state_release(mmp_registry_state *st);

/**
 * Parse a time for --since/--until/--at: "2026-11-23",
 * "2026-11-23T18:34:52Z", "2026-11-23 18:34:52" (UTC), or ms since the
 * epoch. A bare date means its first millisecond. MMP_EINVALID.
 */
MMP_EXTERN(int) mmp_registry_parse_time(int64_t *out_ms, const char *text);

MMP_END_DECL

#endif
