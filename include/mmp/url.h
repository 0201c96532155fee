/* SPDX-License-Identifier: MIT */
/* url.h: keep credentials embedded in URLs out of output, logs and the store */
#ifndef INCLUDE_mmp_url_h__
#define INCLUDE_mmp_url_h__

#include "common.h"
#include "buf.h"

MMP_BEGIN_DECL

/** Remove "user:password@" from a URL, in place. */
MMP_EXTERN(void) mmp_url_strip_credentials(char *url);

/**
 * Append `text` to `out` with a URL's user and password replaced by
 * three stars, so that a user sees that credentials are set but never
 * what they are. Text that is not such a URL is appended as it is.
 */
MMP_EXTERN(void) mmp_url_redact(mmp_buf *out, const char *text);

MMP_END_DECL

#endif
