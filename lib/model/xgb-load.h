/* SPDX-License-Identifier: MIT */
/* xgb-load.h: libxgboost, opened on first use (see util/lazy.h) */
#ifndef LIB_model_xgb_load_h__
#define LIB_model_xgb_load_h__

#include <xgboost/c_api.h>

#include "util/lazy.h"

/*
 * Every XGBoost function lib/model calls. To call another one, add it
 * here and give it its redirect below, in the same order:
 *	X(XGBoosterDumpModel) \
 *	#define XGBoosterDumpModel MMP_XGB(XGBoosterDumpModel)
 * A call missing here fails to link.
 */
#define MMP_XGB_FUNCS(X) \
	X(XGBGetLastError) \
	X(XGBRegisterLogCallback) \
	X(XGBoostVersion) \
	X(XGBoosterBoostedRounds) \
	X(XGBoosterCreate) \
	X(XGBoosterEvalOneIter) \
	X(XGBoosterFeatureScore) \
	X(XGBoosterFree) \
	X(XGBoosterGetAttr) \
	X(XGBoosterGetNumFeature) \
	X(XGBoosterGetStrFeatureInfo) \
	X(XGBoosterLoadModelFromBuffer) \
	X(XGBoosterPredictFromDMatrix) \
	X(XGBoosterPredictFromDense) \
	X(XGBoosterSaveJsonConfig) \
	X(XGBoosterSaveModelToBuffer) \
	X(XGBoosterSetAttr) \
	X(XGBoosterSetParam) \
	X(XGBoosterSetStrFeatureInfo) \
	X(XGBoosterSlice) \
	X(XGBoosterUpdateOneIter) \
	X(XGDMatrixCreateFromMat_omp) \
	X(XGDMatrixFree) \
	X(XGDMatrixSetFloatInfo) \
	X(XGDMatrixSetStrFeatureInfo) \
	X(XGProxyDMatrixCreate) \
	X(XGProxyDMatrixSetDataDense) \
	X(XGQuantileDMatrixCreateFromCallback)

struct mmp_xgb_api {
	struct mmp_lazy lazy;
#define MMP_XGB_MEMBER(f) __typeof__(f) *f;
	MMP_XGB_FUNCS(MMP_XGB_MEMBER)
#undef MMP_XGB_MEMBER
};
extern struct mmp_xgb_api mmp_xgb__api;

/* open libxgboost and register mmp's log callback, once; 0, or -1 with
 * the error "cannot load libxgboost.so.0: ...; install ..." */
int mmp_model__xgb_load(void);

/* XGBoost's log lines: the callback xgb.c registers on each thread */
void mmp_model__xgb_log(const char *msg);

#ifndef MMP_LAZY_LOADER
#define MMP_XGB(f) MMP_LAZY_FN(mmp_xgb__api, f)
#define XGBGetLastError MMP_XGB(XGBGetLastError)
#define XGBRegisterLogCallback MMP_XGB(XGBRegisterLogCallback)
#define XGBoostVersion MMP_XGB(XGBoostVersion)
#define XGBoosterBoostedRounds MMP_XGB(XGBoosterBoostedRounds)
#define XGBoosterCreate MMP_XGB(XGBoosterCreate)
#define XGBoosterEvalOneIter MMP_XGB(XGBoosterEvalOneIter)
#define XGBoosterFeatureScore MMP_XGB(XGBoosterFeatureScore)
#define XGBoosterFree MMP_XGB(XGBoosterFree)
#define XGBoosterGetAttr MMP_XGB(XGBoosterGetAttr)
#define XGBoosterGetNumFeature MMP_XGB(XGBoosterGetNumFeature)
#define XGBoosterGetStrFeatureInfo MMP_XGB(XGBoosterGetStrFeatureInfo)
#define XGBoosterLoadModelFromBuffer MMP_XGB(XGBoosterLoadModelFromBuffer)
#define XGBoosterPredictFromDMatrix MMP_XGB(XGBoosterPredictFromDMatrix)
#define XGBoosterPredictFromDense MMP_XGB(XGBoosterPredictFromDense)
#define XGBoosterSaveJsonConfig MMP_XGB(XGBoosterSaveJsonConfig)
#define XGBoosterSaveModelToBuffer MMP_XGB(XGBoosterSaveModelToBuffer)
#define XGBoosterSetAttr MMP_XGB(XGBoosterSetAttr)
#define XGBoosterSetParam MMP_XGB(XGBoosterSetParam)
#define XGBoosterSetStrFeatureInfo MMP_XGB(XGBoosterSetStrFeatureInfo)
#define XGBoosterSlice MMP_XGB(XGBoosterSlice)
#define XGBoosterUpdateOneIter MMP_XGB(XGBoosterUpdateOneIter)
#define XGDMatrixCreateFromMat_omp MMP_XGB(XGDMatrixCreateFromMat_omp)
#define XGDMatrixFree MMP_XGB(XGDMatrixFree)
#define XGDMatrixSetFloatInfo MMP_XGB(XGDMatrixSetFloatInfo)
#define XGDMatrixSetStrFeatureInfo MMP_XGB(XGDMatrixSetStrFeatureInfo)
#define XGProxyDMatrixCreate MMP_XGB(XGProxyDMatrixCreate)
#define XGProxyDMatrixSetDataDense MMP_XGB(XGProxyDMatrixSetDataDense)
#define XGQuantileDMatrixCreateFromCallback \
	MMP_XGB(XGQuantileDMatrixCreateFromCallback)
#endif

#endif
