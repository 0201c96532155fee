/* SPDX-License-Identifier: MIT */
/* mmp.h: the public API of libmmp; include this one header */
#ifndef INCLUDE_mmp_h__
#define INCLUDE_mmp_h__

#include "mmp/common.h"
#include "mmp/errors.h"
#include "mmp/buf.h"
#include "mmp/version.h"
#include "mmp/types.h"
#include "mmp/config.h"
#include "mmp/recipe.h"
#include "mmp/store.h"
#include "mmp/data.h"
#include "mmp/metrics.h"
#include "mmp/bootstrap.h"
#include "mmp/model.h"
#include "mmp/gitinfo.h"
#include "mmp/url.h"
#include "mmp/remote.h"
#include "mmp/doctor.h"
#include "mmp/serve.h"
#include "mmp/train.h"
#include "mmp/project.h"
#include "mmp/sync.h"
#include "mmp/pull.h"
#include "mmp/s3.h"
#include "mmp/tune.h"
#include "mmp/batch.h"
#include "mmp/registry.h"
#include "mmp/monitor.h"

#endif
