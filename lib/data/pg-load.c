/* SPDX-License-Identifier: MIT */
/* pg-load.c: open libpq on first use and resolve its functions */
#define MMP_LAZY_LOADER
#include <stdio.h>

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

int mmp_data__pq_version(char *out, size_t outlen)
{
	int v;

	if (mmp_data__pq_load() < 0)
		return -1;
	/* 150010 is 15.10; before 10, 90624 was 9.6.24 */
	v = mmp_pq__api.PQlibVersion();
	if (v >= 100000)
		snprintf(out, outlen, "%d.%d", v / 10000, v % 10000);
	else
		snprintf(out, outlen, "%d.%d.%d", v / 10000, v / 100 % 100,
			v % 100);
	return 0;
}
