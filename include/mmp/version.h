/* SPDX-License-Identifier: MIT */
/* version.h: mmp's version, the linked libraries' versions, global setup */
#ifndef INCLUDE_mmp_version_h__
#define INCLUDE_mmp_version_h__

#include "common.h"

MMP_BEGIN_DECL

#define MMP_VERSION "0.1.0"
#define MMP_VERSION_MAJOR 0
#define MMP_VERSION_MINOR 1
#define MMP_VERSION_PATCH 0

/** mmp's version string, e.g. "0.1.0". */
MMP_EXTERN(const char *) mmp_version(void);

/** One linked library and the version found at run time. */
typedef struct {
	const char *name;     /**< "xgboost", "sqlite", ... */
	char version[64];     /**< as the library reports it */
} mmp_dep_version;

/**
 * Fill `out` with up to `max` linked libraries and their run-time
 * versions; returns how many there are (which may exceed `max`).
 */
MMP_EXTERN(size_t) mmp_dep_versions(mmp_dep_version *out, size_t max);

/**
 * Set up the libraries libmmp uses (libgit2, libcurl, XGBoost logging).
 * Call once at program start, before any thread is started; pair with
 * mmp_global_shutdown(). Returns 0 or a negative code.
 */
MMP_EXTERN(int) mmp_global_init(void);
MMP_EXTERN(void) mmp_global_shutdown(void);

MMP_END_DECL

#endif
