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

/** One library mmp uses and the version found at run time. */
typedef struct {
	const char *name;     /**< "xgboost", "sqlite", ... */
	char version[64];     /**< as the library reports it; empty when
				   it cannot be loaded */
} mmp_dep_version;

/**
 * Fill `out` with up to `max` libraries and their run-time versions;
 * returns how many there are (which may exceed `max`). This opens
 * every library libmmp opens on first use (see mmp_library_load());
 * one that cannot be opened has an empty version.
 */
MMP_EXTERN(size_t) mmp_dep_versions(mmp_dep_version *out, size_t max);

/**
 * The libraries libmmp opens only when a call needs them: XGBoost
 * (training, prediction), libgit2 (lineage), libcurl (MLflow, URL
 * checks), libmicrohttpd (serve-api, the UI) and libcrypto (SHA-256
 * digests). Each is looked up by the SONAME it had at build time; the
 * environment variables MMP_LIB_XGBOOST, MMP_LIB_GIT2, MMP_LIB_CURL,
 * MMP_LIB_MICROHTTPD and MMP_LIB_CRYPTO name another file to open
 * instead. A digest without libcrypto aborts with the reason on stderr
 * (digest functions cannot fail): load MMP_LIBRARY_CRYPTO first to get
 * an error instead.
 */
typedef enum {
	MMP_LIBRARY_XGBOOST = 1 << 0,
	MMP_LIBRARY_GIT = 1 << 1,
	MMP_LIBRARY_CURL = 1 << 2,
	MMP_LIBRARY_HTTPD = 1 << 3,
	MMP_LIBRARY_CRYPTO = 1 << 4,
	MMP_LIBRARY_PQ = 1 << 5
} mmp_library;

/**
 * Open the libraries in `libs` (mmp_library bits) now rather than at
 * their first use, so that a program can stop before doing any work
 * when one is missing. Thread-safe; each opens once. Returns 0, or
 * MMP_ERROR with the error "cannot load libxgboost.so.0: <reason>;
 * install <package>" for the first that cannot be opened (every later
 * call that needs it fails the same way).
 */
MMP_EXTERN(int) mmp_library_load(unsigned int libs);

/**
 * Kept for programs written for earlier versions: the libraries now
 * set themselves up when first opened, so this does nothing and
 * returns 0. mmp_global_shutdown() releases what was opened and set
 * up (libgit2, libcurl, XGBoost's prediction matrices); call it once,
 * after every other thread has stopped.
 */
MMP_EXTERN(int) mmp_global_init(void);
MMP_EXTERN(void) mmp_global_shutdown(void);

MMP_END_DECL

#endif
