/* SPDX-License-Identifier: MIT */
/* registry.h: the model registry: versions, stages, aliases, approvals,
 * lineage and the audit log */
#ifndef INCLUDE_mmp_registry_h__
#define INCLUDE_mmp_registry_h__

#include "common.h"
#include "types.h"

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

MMP_END_DECL

#endif
