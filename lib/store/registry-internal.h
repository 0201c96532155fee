/* SPDX-License-Identifier: MIT */
/* registry-internal.h: the store side of the model registry, for
 * lib/registry (no SQLite types here) */
#ifndef LIB_store_registry_internal_h__
#define LIB_store_registry_internal_h__

#include "mmp/store.h"
#include "mmp/registry.h"
#include "util/util.h"

/* --- lookups (registry.c); a version of 0 means "none" --- */

/* 1 when the model exists, 0 when not, or a negative error */
int mmp_store__reg_model_exists(mmp_store *s, const char *name);
/* every model name, sorted; free each and the array */
int mmp_store__reg_model_names(mmp_store *s, char ***out, size_t *out_nr);
/*
 * Stages are kept as the text lib/registry gives (its names), never
 * interpreted here; a stored text reads back through the caller's
 * `decode` where a record holds the stage as an mmp_stage
 */
#define MMP_STORE_STAGE_MAX 32
typedef mmp_stage (*mmp_store__stage_decode)(const char *text);

/* the highest version in `stage` */
int mmp_store__reg_stage_version(mmp_store *s, const char *name,
	const char *stage, int64_t *out);
/* the version `alias` points at */
int mmp_store__reg_alias_version(mmp_store *s, const char *name,
	const char *alias, int64_t *out);
/* the highest existing version */
int mmp_store__reg_latest_version(mmp_store *s, const char *name,
	int64_t *out);
/* every alias of the model, sorted by name; free each and the array */
int mmp_store__reg_alias_names(mmp_store *s, const char *name,
	char ***out, size_t *out_nr);
/* the run id, stage and source (relative path) of a version; ENOTFOUND */
int mmp_store__reg_version_brief(mmp_store *s, const char *name,
	int64_t version, char run_id[33], char stage[MMP_STORE_STAGE_MAX],
	char **source);

/* --- full records (registry.c) --- */

/* a version with aliases, tags and its latest decision; ENOTFOUND */
int mmp_store__reg_version_load(mmp_store *s, const char *name,
	int64_t version, mmp_store__stage_decode decode,
	mmp_model_version **out);
/* a model with every version; ENOTFOUND "no model" without suggestion */
int mmp_store__reg_model_load(mmp_store *s, const char *name,
	mmp_store__stage_decode decode, mmp_registered_model **out);
/* the latest decision of a version, or *out NULL */
int mmp_store__reg_latest_approval(mmp_store *s, const char *name,
	int64_t version, mmp_approval **out);
/* decisions of `name` (NULL: all); pending: latest and NEEDS_REVIEW */
int mmp_store__reg_approvals(mmp_store *s, const char *name, int pending,
	mmp_approval_list *out);
/* audit rows of `name` (NULL: all) in [since, until) (0: unbounded) */
int mmp_store__reg_audit_list(mmp_store *s, const char *name,
	int64_t since, int64_t until, mmp_audit_list *out);
/* walk the chain; MMP_ECONFLICT naming the first bad row */
int mmp_store__reg_audit_verify(mmp_store *s, int64_t *out_rows);

/* --- changes (registry-write.c); call inside begin/commit --- */

int mmp_store__reg_begin(mmp_store *s);
int mmp_store__reg_commit(mmp_store *s);
void mmp_store__reg_rollback(mmp_store *s);

/* create the model if missing and the next version; *out its number */
int mmp_store__reg_version_create(mmp_store *s, const char *name,
	const char *run_id, const char *source, const char *description,
	const char *user, int64_t *out);
int mmp_store__reg_version_tag(mmp_store *s, const char *name,
	int64_t version, const char *key, const char *value);
int mmp_store__reg_set_stage(mmp_store *s, const char *name,
	int64_t version, const char *stage);
/* version 0 removes the alias */
int mmp_store__reg_alias_put(mmp_store *s, const char *name,
	const char *alias, int64_t version);
int mmp_store__reg_version_remove(mmp_store *s, const char *name,
	int64_t version);
/* insert a decision (id and time are set) */
int mmp_store__reg_approval_add(mmp_store *s, mmp_approval *a);
/* --- after registration (registry-annotate.c); version 0: the model --- */

/* set the description; *old gets the one it replaces (caller frees) */
int mmp_store__reg_description(mmp_store *s, const char *name,
	int64_t version, const char *text, char **old);
/* a tag's value, or *out NULL when it has none */
int mmp_store__reg_tag_get(mmp_store *s, const char *name, int64_t version,
	const char *key, char **out);
/* set a tag; value NULL removes it */
int mmp_store__reg_tag_put(mmp_store *s, const char *name, int64_t version,
	const char *key, const char *value);
/* the model's own tags, sorted by key; free keys, values and array */
int mmp_store__reg_model_tags(mmp_store *s, const char *name, mmp_kv **out,
	size_t *out_nr);

/* append one audit row, chained to the previous one */
int mmp_store__reg_audit_add(mmp_store *s, const char *actor,
	const char *action, const char *name, int64_t version,
	const char *subject, const char *before, const char *after,
	const char *notes);
/* the last row's seq and hash as recorded in the head */
int mmp_store__reg_audit_head(mmp_store *s, int64_t *seq, char hash[65]);
/* the hash of an audit row's contents chained to prev_hash */
void mmp_store__reg_audit_hash(char out[65], const mmp_audit_entry *e);

#endif
