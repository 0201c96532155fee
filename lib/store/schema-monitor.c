/* SPDX-License-Identifier: MIT */
/* schema-monitor.c: the store's tables for drift monitoring: live
 * profile windows and predictions logged by entity id */
#include "store-internal.h"

/*
 * monitor_windows holds one row per time window of a model's live
 * profile, written by a server (source 'serve') or a batch job
 * ('batch:<run id>'); `instance` tells two servers, or a server and its
 * restart, apart, and a window is rewritten in place while it is open.
 * The model is a name (and a registry version, 0 for a model served
 * from a directory), not a reference: monitoring data outlives neither
 * its retention nor, through gc, anything else.
 *
 * prediction_log keeps predictions by entity id so that labels known
 * later can be joined to them; `pred` is the scores as little-endian
 * IEEE 754 float32, 4 bytes each. Its rowid only grows (rows are
 * removed oldest first), which bounds the row count cheaply.
 */
const char mmp_store__sql_monitor[] =
	"CREATE TABLE monitor_windows (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  model TEXT NOT NULL CHECK (length(model) > 0),\n"
	"  version INTEGER NOT NULL CHECK (version >= 0),\n"
	"  source TEXT NOT NULL CHECK (source = 'serve' OR\n"
	"    source LIKE 'batch:_%'),\n"
	"  instance TEXT NOT NULL DEFAULT '',\n"
	"  start_ms INTEGER NOT NULL,\n"
	"  end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),\n"
	"  rows INTEGER NOT NULL CHECK (rows >= 0),\n"
	"  profile TEXT NOT NULL,\n"
	"  written_ms INTEGER NOT NULL,\n"
	"  UNIQUE (model, version, source, instance, start_ms)\n"
	");\n"
	"CREATE INDEX monitor_windows_by_model ON monitor_windows\n"
	"  (model, version, end_ms);\n"
	"CREATE INDEX monitor_windows_by_end ON monitor_windows (end_ms);\n"
	"CREATE TABLE prediction_log (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  model TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL CHECK (version >= 0),\n"
	"  source TEXT NOT NULL,\n"
	"  entity_id TEXT NOT NULL\n"
	"    CHECK (length(entity_id) BETWEEN 1 AND 256),\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  pred BLOB NOT NULL CHECK (length(pred) % 4 = 0)\n"
	");\n"
	"CREATE INDEX prediction_log_by_entity ON prediction_log\n"
	"  (model, entity_id, ts_ms);\n"
	"CREATE INDEX prediction_log_by_time ON prediction_log\n"
	"  (model, ts_ms);\n"
	"CREATE INDEX prediction_log_by_age ON prediction_log (ts_ms);\n";

/*
 * Every logged prediction writes the table and each of its indexes, so
 * an index no query needs is paid for on the serving path. The queries
 * on prediction_log (t-monitor-store checks their plans): lookups by
 * model and entity id (mmp monitor's label join) use by_entity, pruning
 * by age uses by_age and by row count the rowid, forgetting a failed
 * batch job's predictions scans. by_time served one read alone: a
 * model's predictions in time order, which mmp itself never runs; it
 * now finds the model's rows through by_entity and sorts them.
 */
const char mmp_store__sql_monitor_log_indexes[] =
	"DROP INDEX prediction_log_by_time;\n";
