/* SPDX-License-Identifier: MIT */
/* git2-load.h: libgit2, opened on first use (see util/lazy.h) */
#ifndef LIB_gitinfo_git2_load_h__
#define LIB_gitinfo_git2_load_h__

#include <git2.h>

#include "util/lazy.h"

/*
 * Every function of the library this part calls. To call another
 * one, add it to the list and give it its redirect below, in the
 * same order (a call missing here fails to link):
 *	X(git_status_list_new) \
 *	#define git_status_list_new MMP_GIT2(git_status_list_new)
 */
#define MMP_GIT2_FUNCS(X) \
	X(git_buf_dispose) \
	X(git_config_free) \
	X(git_config_get_string_buf) \
	X(git_diff_free) \
	X(git_diff_get_delta) \
	X(git_diff_num_deltas) \
	X(git_diff_tree_to_workdir_with_index) \
	X(git_error_clear) \
	X(git_error_last) \
	X(git_libgit2_init) \
	X(git_libgit2_shutdown) \
	X(git_libgit2_version) \
	X(git_object_free) \
	X(git_odb_hashfile) \
	X(git_oid_fromstr) \
	X(git_oid_tostr) \
	X(git_reference_free) \
	X(git_reference_is_branch) \
	X(git_reference_lookup) \
	X(git_reference_shorthand) \
	X(git_reference_symbolic_target) \
	X(git_reference_target) \
	X(git_repository_config_snapshot) \
	X(git_repository_free) \
	X(git_repository_head) \
	X(git_repository_is_bare) \
	X(git_repository_open_ext) \
	X(git_repository_workdir) \
	X(git_revparse_single)

struct mmp_git2_api {
	struct mmp_lazy lazy;
#define MMP_GIT2_MEMBER(f) __typeof__(f) *f;
	MMP_GIT2_FUNCS(MMP_GIT2_MEMBER)
#undef MMP_GIT2_MEMBER
};
extern struct mmp_git2_api mmp_git2__api;

/* open libgit2 and initialise it, once; 0, or -1 with the error
 * "cannot load libgit2.so.1.5: ...; install ..." */
int mmp_gitinfo__load(void);

#ifndef MMP_LAZY_LOADER
#define MMP_GIT2(f) MMP_LAZY_FN(mmp_git2__api, f)
#define git_buf_dispose MMP_GIT2(git_buf_dispose)
#define git_config_free MMP_GIT2(git_config_free)
#define git_config_get_string_buf MMP_GIT2(git_config_get_string_buf)
#define git_diff_free MMP_GIT2(git_diff_free)
#define git_diff_get_delta MMP_GIT2(git_diff_get_delta)
#define git_diff_num_deltas MMP_GIT2(git_diff_num_deltas)
#define git_diff_tree_to_workdir_with_index \
	MMP_GIT2(git_diff_tree_to_workdir_with_index)
#define git_error_clear MMP_GIT2(git_error_clear)
#define git_error_last MMP_GIT2(git_error_last)
#define git_libgit2_init MMP_GIT2(git_libgit2_init)
#define git_libgit2_shutdown MMP_GIT2(git_libgit2_shutdown)
#define git_libgit2_version MMP_GIT2(git_libgit2_version)
#define git_object_free MMP_GIT2(git_object_free)
#define git_odb_hashfile MMP_GIT2(git_odb_hashfile)
#define git_oid_fromstr MMP_GIT2(git_oid_fromstr)
#define git_oid_tostr MMP_GIT2(git_oid_tostr)
#define git_reference_free MMP_GIT2(git_reference_free)
#define git_reference_is_branch MMP_GIT2(git_reference_is_branch)
#define git_reference_lookup MMP_GIT2(git_reference_lookup)
#define git_reference_shorthand MMP_GIT2(git_reference_shorthand)
#define git_reference_symbolic_target MMP_GIT2(git_reference_symbolic_target)
#define git_reference_target MMP_GIT2(git_reference_target)
#define git_repository_config_snapshot MMP_GIT2(git_repository_config_snapshot)
#define git_repository_free MMP_GIT2(git_repository_free)
#define git_repository_head MMP_GIT2(git_repository_head)
#define git_repository_is_bare MMP_GIT2(git_repository_is_bare)
#define git_repository_open_ext MMP_GIT2(git_repository_open_ext)
#define git_repository_workdir MMP_GIT2(git_repository_workdir)
#define git_revparse_single MMP_GIT2(git_revparse_single)
#endif

#endif
