/* SPDX-License-Identifier: MIT */
/* errors.h: the thread-local last error of libmmp */
#ifndef INCLUDE_mmp_errors_h__
#define INCLUDE_mmp_errors_h__

#include "common.h"

MMP_BEGIN_DECL

/** Which subsystem an error came from. */
typedef enum {
	MMP_ERROR_NONE = 0,
	MMP_ERROR_OS,
	MMP_ERROR_NOMEMORY,
	MMP_ERROR_STORE,
	MMP_ERROR_YAML,
	MMP_ERROR_DATA,
	MMP_ERROR_XGB,
	MMP_ERROR_GIT,
	MMP_ERROR_NET,
	MMP_ERROR_HTTP,
	MMP_ERROR_CONFIG,
	MMP_ERROR_RECIPE,
	MMP_ERROR_INVALID,
	MMP_ERROR_REGISTRY,
	MMP_ERROR_MODEL
} mmp_error_class;

/** The details of the last failure on this thread. */
typedef struct {
	char *message;  /**< lowercase, no final period; never NULL */
	int klass;      /**< one of mmp_error_class */
} mmp_error;

/**
 * The last error set on the calling thread. Never NULL (a "no error"
 * record when nothing failed); owned by libmmp, never freed by the
 * caller, valid until the next libmmp call on this thread.
 */
MMP_EXTERN(const mmp_error *) mmp_error_last(void);

/** Forget the last error of the calling thread. */
MMP_EXTERN(void) mmp_error_clear(void);

/** A short name for an error class ("store", "yaml", ...). */
MMP_EXTERN(const char *) mmp_error_class_name(int klass);

MMP_END_DECL

#endif
