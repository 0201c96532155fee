/* SPDX-License-Identifier: MIT */
/* common.h: export macro, return codes and basic types shared by libmmp */
#ifndef INCLUDE_mmp_common_h__
#define INCLUDE_mmp_common_h__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
# define MMP_BEGIN_DECL extern "C" {
# define MMP_END_DECL }
#else
# define MMP_BEGIN_DECL
# define MMP_END_DECL
#endif

/** Marks a function that is part of the public libmmp API. */
#define MMP_EXTERN(type) __attribute__((visibility("default"))) type

#ifdef __GNUC__
# define MMP_FORMAT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
# define MMP_FORMAT_PRINTF(a, b)
#endif

MMP_BEGIN_DECL

/**
 * Return codes of every libmmp call that can fail. Zero is success,
 * anything negative is a failure; details are in mmp_error_last().
 * A code is never renumbered.
 */
typedef enum {
	MMP_OK = 0,
	MMP_ERROR = -1,           /**< generic failure */
	MMP_ENOTFOUND = -3,       /**< the thing asked for does not exist */
	MMP_EEXISTS = -4,         /**< the thing to create exists already */
	MMP_EINVALID = -5,        /**< invalid input: recipe, config, data, argument */
	MMP_ECONFLICT = -6,       /**< a rule forbids it (stage, approval, param rewrite) */
	MMP_ENET = -7,            /**< network or remote server failure */
	MMP_EINTERRUPTED = -8,    /**< interrupted by a signal or a callback */
	MMP_EAMBIGUOUS = -9,      /**< an abbreviation matches several things */
	MMP_ELOCKED = -10,        /**< the store stayed locked past the busy timeout */
	MMP_EVERSION = -11,       /**< the store or file is from a newer mmp */
	MMP_ITEROVER = -31        /**< an iteration has no more items */
} mmp_error_code;

MMP_END_DECL

#endif
