/* SPDX-License-Identifier: MIT */
/* types.h: the opaque handles of libmmp */
#ifndef INCLUDE_mmp_types_h__
#define INCLUDE_mmp_types_h__

#include "common.h"

MMP_BEGIN_DECL

/** An open store: one SQLite file plus its artifact root. */
typedef struct mmp_store mmp_store;
/** The effective, layered configuration with each value's origin. */
typedef struct mmp_config mmp_config;

MMP_END_DECL

#endif
