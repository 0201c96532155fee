/* SPDX-License-Identifier: MIT */
/* schema-tune.c: the store's tables for hyperparameter studies and their trials */
#include "store-internal.h"

const char mmp_store__sql_tune[] =
	"CREATE TABLE tune_reserved (id INTEGER PRIMARY KEY);\n";
