/* SPDX-License-Identifier: MIT */
/* xgb-load.c: open libxgboost on first use and resolve its functions */
#define MMP_LAZY_LOADER
#include "xgb-load.h"
#include "util/util.h"

static int xgb_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_XGB_RESOLVE(f) \
	if (!(mmp_xgb__api.f = (__typeof__(mmp_xgb__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_XGB_FUNCS(MMP_XGB_RESOLVE)
#undef MMP_XGB_RESOLVE
	return 0;
}

static int xgb_setup(void)
{
	if (mmp_xgb__api.XGBRegisterLogCallback(mmp_model__xgb_log) != 0)
		return mmp_error_set(MMP_ERROR_XGB,
			"cannot register the xgboost log callback: %s",
			mmp_xgb__api.XGBGetLastError());
	return 0;
}

struct mmp_xgb_api mmp_xgb__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_XGBOOST, MMP_PACKAGE_XGBOOST,
		"MMP_LIB_XGBOOST", "XGBoost", MMP_ERROR_XGB, xgb_resolve,
		xgb_setup),
};

int mmp_model__xgb_load(void)
{
	return mmp_lazy_load(&mmp_xgb__api.lazy);
}
