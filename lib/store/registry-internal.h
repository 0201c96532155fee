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
/* the highest version in `stage` */
int mmp_store__reg_stage_version(mmp_store *s, const char *name,
	mmp_stage stage, int64_t *out);
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
	int64_t version, char run_id[33], mmp_stage *stage, char **source);

#endif
