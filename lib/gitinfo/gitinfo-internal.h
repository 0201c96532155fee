/* SPDX-License-Identifier: MIT */
/* gitinfo-internal.h: what lib/gitinfo offers the rest of libmmp */
#ifndef LIB_gitinfo_gitinfo_internal_h__
#define LIB_gitinfo_gitinfo_internal_h__

#include <stddef.h>

/* open libgit2 (once); 0, or -1 with the error set */
int mmp_gitinfo__load(void);
/* the libgit2 version as "1.5.1", loading it; -1 with the error set
 * when it cannot be loaded */
int mmp_gitinfo__version(char *out, size_t outlen);
/* git_libgit2_shutdown() when libgit2 was loaded */
void mmp_gitinfo__shutdown(void);

#endif
