/* SPDX-License-Identifier: MIT */
/* registry-internal.h: helpers shared by the files of lib/registry */
#ifndef LIB_registry_registry_internal_h__
#define LIB_registry_registry_internal_h__

#include "mmp/registry.h"
#include "store/registry-internal.h"
#include "util/util.h"

#define MMP_REGISTRY_NAME_MAX 250

/* what a reference names (resolve.c) */
enum mmp_registry__ref_kind {
	MMP_REF_VERSION,
	MMP_REF_STAGE,
	MMP_REF_ALIAS,
	MMP_REF_LATEST
};

struct mmp_registry__ref {
	char *name;
	enum mmp_registry__ref_kind kind;
	int64_t version;   /* VERSION */
	mmp_stage stage;   /* STAGE */
	char *alias;       /* ALIAS */
};

/* split "M@x" or "M/N" into `out` (release it); MMP_EINVALID */
int mmp_registry__ref_parse(struct mmp_registry__ref *out, const char *ref);
void mmp_registry__ref_release(struct mmp_registry__ref *r);
/* the version a parsed reference names now; MMP_ENOTFOUND */
int mmp_registry__ref_version(int64_t *out, mmp_store *s,
	const struct mmp_registry__ref *r);
/* check a model name; MMP_EINVALID naming it */
int mmp_registry__check_name(const char *name);
/* check an alias name: syntax and reserved names; MMP_EINVALID */
int mmp_registry__check_alias(const char *alias);
/* MMP_ENOTFOUND "no model 'x'" (with a suggestion) unless it exists */
int mmp_registry__model_must_exist(mmp_store *s, const char *name);
/* "v3" or "3" to 3; MMP_EINVALID otherwise */
int mmp_registry__parse_version(int64_t *out, const char *text);
/*
 * The store keeps a stage as its name: these give and take mmp_stage.
 * An unknown stored name reads as None.
 */
mmp_stage mmp_registry__stage_of(const char *name);
int mmp_registry__version_brief(mmp_store *s, const char *name,
	int64_t version, char run_id[33], mmp_stage *stage, char **source);
int mmp_registry__stage_version(mmp_store *s, const char *name,
	mmp_stage stage, int64_t *out);
int mmp_registry__set_stage(mmp_store *s, const char *name,
	int64_t version, mmp_stage stage);
/* the absolute model directory of a version's source */
void mmp_registry__model_dir(mmp_buf *out, mmp_store *s,
	const char *source);

/* --- policies (policy.c) --- */

struct mmp_registry__threshold {
	char *metric;
	int has_min, has_max;
	double min, max;
	/* bounds on the run's recorded interval, <metric>_ci_low/_high */
	int has_min_ci_low, has_max_ci_high;
	double min_ci_low, max_ci_high;
};

struct mmp_approval_policy {
	char *origin;                 /* the file, for the evidence */
	struct mmp_registry__threshold *th;
	size_t th_nr;
	char *cmp_metric;             /* NULL: no comparison */
	int direction;                /* +1 maximize, -1 minimize */
	double min_improvement;       /* default 0 */
	int has_max_degradation;      /* unset: no tolerance rule */
	double max_degradation;
	double confidence;            /* of the paired interval: 0.95 */
	unsigned int resamples;       /* bootstrap samples: 1000 */
	uint64_t seed;                /* of the samples: 0 */
	mmp_decision otherwise;       /* gain not shown: NEEDS_REVIEW */
};

/* +1 when higher is better for this metric name, -1 when lower is */
int mmp_registry__metric_direction(const char *metric);

/* who makes a change: `given`, else $MMP_USER, else the OS user */
const char *mmp_registry__actor(const char *given);
/* the actor is valid UTF-8 without control characters (MMP_EINVALID) */
int mmp_registry__check_actor(const char *actor);
/* the model must exist and the version too; MMP_ENOTFOUND */
int mmp_registry__version_must_exist(mmp_store *s, const char *name,
	int64_t version);

#endif
