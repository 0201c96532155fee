/* SPDX-License-Identifier: MIT */
/* pg-load.c: open libpq on first use and resolve its functions */
#define MMP_LAZY_LOADER
#include "pg-load.h"
#include "data-internal.h"

static int pq_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_PQ_RESOLVE(f) \
	if (!(mmp_pq__api.f = (__typeof__(mmp_pq__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_PQ_FUNCS(MMP_PQ_RESOLVE)
#undef MMP_PQ_RESOLVE
	return 0;
}

struct mmp_pq_api mmp_pq__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_PQ, MMP_PACKAGE_PQ, "MMP_LIB_PQ",
		"libpq", MMP_ERROR_DATA, pq_resolve, NULL),
};

int mmp_data__pq_load(void)
{
	return mmp_lazy_load(&mmp_pq__api.lazy);
}
