/* SPDX-License-Identifier: MIT */
/* schema.c: the store's schema as a list of forward migrations */
#include "store-internal.h"

/*
 * migrations[i] takes a store from user_version i to i + 1. They run in
 * order under BEGIN EXCLUSIVE, each followed by PRAGMA user_version.
 * Never edit a step once released: add a new one at the end.
 */
const struct mmp_store__migration mmp_store__migrations[] = {
	{ "tracking: experiments, runs, params, metrics, tags, datasets, "
	  "artifacts",
	"PRAGMA application_id = 1836871793;\n"  /* "mmp1" */
	"CREATE TABLE experiments (\n"
	"  experiment_id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  artifact_location TEXT NOT NULL,\n"
	"  lifecycle_stage TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK (lifecycle_stage IN ('active', 'deleted')),\n"
	"  creation_time INTEGER NOT NULL,\n"
	"  last_update_time INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE experiment_tags (\n"
	"  experiment_id INTEGER NOT NULL\n"
	"    REFERENCES experiments ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  PRIMARY KEY (experiment_id, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE runs (\n"
	"  run_uuid TEXT PRIMARY KEY CHECK (length(run_uuid) = 32),\n"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments,\n"
	"  name TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED',\n"
	"    'FINISHED', 'FAILED', 'KILLED')),\n"
	"  start_time INTEGER NOT NULL,\n"
	"  end_time INTEGER,\n"
	"  user_id TEXT NOT NULL DEFAULT '',\n"
	"  source_name TEXT NOT NULL DEFAULT '',\n"
	"  source_type TEXT NOT NULL DEFAULT 'LOCAL',\n"
	"  artifact_uri TEXT NOT NULL,\n"
	"  lifecycle_stage TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK (lifecycle_stage IN ('active', 'deleted')),\n"
	"  parent_run_id TEXT REFERENCES runs (run_uuid),\n"
	"  kind TEXT NOT NULL DEFAULT 'train',\n"
	"  pid INTEGER,\n"
	"  pid_start INTEGER,\n"
	"  hostname TEXT,\n"
	"  heartbeat_time INTEGER\n"
	");\n"
	"CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time);\n"
	"CREATE INDEX runs_by_start ON runs (start_time);\n"
	"CREATE INDEX runs_running ON runs (status) WHERE status = 'RUNNING';\n"
	"CREATE INDEX runs_by_name ON runs (name);\n"
	"CREATE TABLE params (\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  PRIMARY KEY (run_uuid, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX params_by_key ON params (key, value);\n"
	/* NaN cannot be stored as a REAL: value is NULL and is_nan 1 */
	"CREATE TABLE metrics (\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value REAL,\n"
	"  is_nan INTEGER NOT NULL DEFAULT 0,\n"
	"  step INTEGER NOT NULL DEFAULT 0,\n"
	"  timestamp INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX metrics_by_run_key ON metrics\n"
	"  (run_uuid, key, step, timestamp);\n"
	"CREATE TABLE latest_metrics (\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value REAL,\n"
	"  is_nan INTEGER NOT NULL DEFAULT 0,\n"
	"  step INTEGER NOT NULL,\n"
	"  timestamp INTEGER NOT NULL,\n"
	"  PRIMARY KEY (run_uuid, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);\n"
	"CREATE TABLE tags (\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  PRIMARY KEY (run_uuid, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX tags_by_key ON tags (key, value);\n"
	"CREATE TABLE dataset_inputs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  digest TEXT NOT NULL,\n"
	"  source TEXT,\n"
	"  source_type TEXT,\n"
	"  num_rows INTEGER,\n"
	"  num_columns INTEGER,\n"
	"  schema TEXT,\n"
	"  context TEXT NOT NULL DEFAULT '',\n"
	"  UNIQUE (run_uuid, name, digest, context)\n"
	");\n"
	"CREATE TABLE artifacts (\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  path TEXT NOT NULL,\n"
	"  size INTEGER NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  PRIMARY KEY (run_uuid, path)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO experiments (experiment_id, name, artifact_location,\n"
	"  creation_time, last_update_time)\n"
	"  VALUES (0, 'Default', 'artifacts/0',\n"
	"    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),\n"
	"    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));\n"
	},
	/* each later concern keeps its SQL in its own schema-<name>.c */
	{ "registry: registered models, versions, aliases, approvals, audit "
	  "log", mmp_store__sql_registry },
	{ "tuning: studies and trials", mmp_store__sql_tune },
	{ "sync: remote ids and push state", mmp_store__sql_sync },
	{ "sync: names, lifecycles and tags sent", mmp_store__sql_sync_sent },
	{ "monitoring: live profile windows, prediction log",
	  mmp_store__sql_monitor },
	{ "sync: runs mirrored from a tracking server",
	  mmp_store__sql_sync_mirror },
	{ "monitoring: the prediction log without its by-time index",
	  mmp_store__sql_monitor_log_indexes },
	{ "sync: histories and artifact lists of mirrored runs",
	  mmp_store__sql_sync_mirror_content },
	{ "tuning: percentile, successive halving and threshold pruners",
	  mmp_store__sql_tune_pruners },
};

const size_t mmp_store__migrations_nr = ARRAY_SIZE(mmp_store__migrations);
