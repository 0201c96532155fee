/* SPDX-License-Identifier: MIT */
/* monitor-internal.h: what the files of lib/monitor share */
#ifndef LIB_monitor_monitor_internal_h__
#define LIB_monitor_monitor_internal_h__

#include "mmp/monitor.h"
#include "util/util.h"

#endif
