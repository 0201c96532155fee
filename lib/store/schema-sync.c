/* SPDX-License-Identifier: MIT */
/* schema-sync.c: the store's tables for what was pushed to a remote tracking server, with the remote ids */
#include "store-internal.h"

const char mmp_store__sql_sync[] =
	"CREATE TABLE sync_reserved (id INTEGER PRIMARY KEY);\n";
