/* SPDX-License-Identifier: MIT */
/* git2-load.c: open libgit2 on first use and resolve its functions */
#include <stdio.h>

#define MMP_LAZY_LOADER
#include "git2-load.h"
#include "gitinfo-internal.h"
#include "util/util.h"

static int git2_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_GIT2_RESOLVE(f) \
	if (!(mmp_git2__api.f = (__typeof__(mmp_git2__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_GIT2_FUNCS(MMP_GIT2_RESOLVE)
#undef MMP_GIT2_RESOLVE
	return 0;
}

static int git2_setup(void)
{
	if (mmp_git2__api.git_libgit2_init() < 0)
		return mmp_error_set(MMP_ERROR_GIT,
			"cannot initialise libgit2");
	return 0;
}

struct mmp_git2_api mmp_git2__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_GIT2, MMP_PACKAGE_GIT2,
		"MMP_LIB_GIT2", "libgit2", MMP_ERROR_GIT, git2_resolve,
		git2_setup),
};

int mmp_gitinfo__load(void)
{
	return mmp_lazy_load(&mmp_git2__api.lazy);
}

int mmp_gitinfo__version(char *out, size_t outlen)
{
	int a, b, c;

	if (mmp_gitinfo__load() < 0)
		return -1;
	mmp_git2__api.git_libgit2_version(&a, &b, &c);
	snprintf(out, outlen, "%d.%d.%d", a, b, c);
	return 0;
}

void mmp_gitinfo__shutdown(void)
{
	if (mmp_lazy_ready(&mmp_git2__api.lazy))
		mmp_git2__api.git_libgit2_shutdown();
}
