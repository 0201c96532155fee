/* SPDX-License-Identifier: MIT */
/* mmp.h: the public API of libmmp; include this one header */
#ifndef INCLUDE_mmp_h__
#define INCLUDE_mmp_h__

#include "mmp/common.h"
#include "mmp/errors.h"
#include "mmp/buf.h"
#include "mmp/version.h"
#include "mmp/types.h"

#endif
