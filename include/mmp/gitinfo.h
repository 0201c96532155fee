/* SPDX-License-Identifier: MIT */
/* gitinfo.h: git lineage of a run: commit, branch, remote, dirty state */
#ifndef INCLUDE_mmp_gitinfo_h__
#define INCLUDE_mmp_gitinfo_h__

#include "common.h"
#include "url.h"

MMP_BEGIN_DECL

/** What a run records of the git repository it was started from. */
typedef struct {
	char commit[41];      /**< HEAD commit id, "" on an unborn branch */
	char *branch;         /**< short branch name, NULL when detached */
	char *repo_url;       /**< origin's URL with any credentials removed,
				   NULL without an origin */
	char *workdir;        /**< the repository's working directory */
	int dirty;            /**< tracked files differ from HEAD */
	size_t changed_files; /**< how many tracked files differ */
	char diff_sha256[65]; /**< sha256 of the patch HEAD -> work tree
				   (index included), "" when clean */
} mmp_gitinfo;

/**
 * Read the lineage of the repository containing `path` (a file or a
 * directory). Returns 0 and fills `out` (release it with
 * mmp_gitinfo_release()), MMP_ENOTFOUND when `path` is in no repository,
 * or another negative code with the error set.
 */
MMP_EXTERN(int) mmp_gitinfo_read(mmp_gitinfo *out, const char *path);

/** Free what mmp_gitinfo_read() allocated; safe on a zeroed struct. */
MMP_EXTERN(void) mmp_gitinfo_release(mmp_gitinfo *info);

MMP_END_DECL

#endif
