/* SPDX-License-Identifier: MIT */
/* mhd-load.c: open libmicrohttpd on first use, resolve its functions */
#include <stdio.h>

#define MMP_LAZY_LOADER
#include "mhd-load.h"
#include "serve-internal.h"

static int mhd_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_MHD_RESOLVE(f) \
	if (!(mmp_mhd__api.f = (__typeof__(mmp_mhd__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_MHD_FUNCS(MMP_MHD_RESOLVE)
#undef MMP_MHD_RESOLVE
	return 0;
}

struct mmp_mhd_api mmp_mhd__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_MHD, MMP_PACKAGE_MHD,
		"MMP_LIB_MICROHTTPD", "libmicrohttpd", MMP_ERROR_HTTP,
		mhd_resolve, NULL),
};

int mmp_serve__mhd_load(void)
{
	return mmp_lazy_load(&mmp_mhd__api.lazy);
}

int mmp_serve__mhd_version(char *out, size_t outlen)
{
	if (mmp_serve__mhd_load() < 0)
		return -1;
	snprintf(out, outlen, "%s", mmp_mhd__api.MHD_get_version());
	return 0;
}
