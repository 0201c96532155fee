/* SPDX-License-Identifier: MIT */
/* schema-tune.c: the store's tables for hyperparameter studies and trials */
#include "store-internal.h"

/*
 * A study (Optuna's concept) owns dense trial numbers 0, 1, 2...; each
 * trial row is claimed RUNNING by one worker process (pid, its start
 * time, host, heartbeat: how a dead owner is recognised), then ends
 * COMPLETE (value), PRUNED or FAIL. A FAIL with retry = 1 lost its
 * process and is run again under the same number. Params keep the value
 * given to XGBoost and the sampler's internal number (the choice index
 * for categorical ones); trial_values are the intermediate values the
 * pruner compares, by step. NaN is stored as NULL.
 */
const char mmp_store__sql_tune[] =
	"CREATE TABLE studies (\n"
	"  study_id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  recipe_path TEXT NOT NULL,\n"
	"  recipe_name TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  direction TEXT NOT NULL\n"
	"    CHECK (direction IN ('minimize', 'maximize')),\n"
	"  sampler TEXT NOT NULL CHECK (sampler IN ('tpe', 'random')),\n"
	"  pruner TEXT NOT NULL CHECK (pruner IN ('median', 'none')),\n"
	"  seed INTEGER NOT NULL,\n"
	"  max_parallel INTEGER NOT NULL CHECK (max_parallel >= 1),\n"
	"  n_trials INTEGER NOT NULL CHECK (n_trials >= 0),\n"
	"  space TEXT NOT NULL,\n"
	"  dataset_digest TEXT NOT NULL,\n"
	"  creation_time INTEGER NOT NULL,\n"
	"  last_update_time INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE trials (\n"
	"  study_id INTEGER NOT NULL REFERENCES studies ON DELETE CASCADE,\n"
	"  number INTEGER NOT NULL CHECK (number >= 0),\n"
	"  state TEXT NOT NULL\n"
	"    CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')),\n"
	"  value REAL,\n"
	"  run_uuid TEXT REFERENCES runs (run_uuid),\n"
	"  attempts INTEGER NOT NULL DEFAULT 1,\n"
	"  retry INTEGER NOT NULL DEFAULT 0,\n"
	"  error TEXT,\n"
	"  start_time INTEGER NOT NULL,\n"
	"  end_time INTEGER,\n"
	"  duration REAL,\n"
	"  pid INTEGER,\n"
	"  pid_start INTEGER,\n"
	"  hostname TEXT,\n"
	"  heartbeat_time INTEGER,\n"
	"  PRIMARY KEY (study_id, number)\n"
	");\n"
	"CREATE INDEX trials_running ON trials (study_id)\n"
	"  WHERE state = 'RUNNING';\n"
	"CREATE TABLE trial_params (\n"
	"  study_id INTEGER NOT NULL,\n"
	"  number INTEGER NOT NULL,\n"
	"  idx INTEGER NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  internal REAL NOT NULL,\n"
	"  PRIMARY KEY (study_id, number, idx),\n"
	"  FOREIGN KEY (study_id, number) REFERENCES trials ON DELETE CASCADE\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE trial_values (\n"
	"  study_id INTEGER NOT NULL,\n"
	"  number INTEGER NOT NULL,\n"
	"  step INTEGER NOT NULL CHECK (step >= 0),\n"
	"  value REAL,\n"
	"  PRIMARY KEY (study_id, number, step),\n"
	"  FOREIGN KEY (study_id, number) REFERENCES trials ON DELETE CASCADE\n"
	") WITHOUT ROWID;\n";

/*
 * Pruners beyond median: the CHECK on studies.pruner widens. SQLite
 * cannot alter a CHECK, so the table is rebuilt (migrations run before
 * foreign keys are switched on, so dropping it leaves the trials be).
 */
const char mmp_store__sql_tune_pruners[] =
	"CREATE TABLE studies_new (\n"
	"  study_id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  recipe_path TEXT NOT NULL,\n"
	"  recipe_name TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  direction TEXT NOT NULL\n"
	"    CHECK (direction IN ('minimize', 'maximize')),\n"
	"  sampler TEXT NOT NULL CHECK (sampler IN ('tpe', 'random')),\n"
	"  pruner TEXT NOT NULL CHECK (pruner IN ('median', 'percentile',\n"
	"    'successive_halving', 'threshold', 'none')),\n"
	"  seed INTEGER NOT NULL,\n"
	"  max_parallel INTEGER NOT NULL CHECK (max_parallel >= 1),\n"
	"  n_trials INTEGER NOT NULL CHECK (n_trials >= 0),\n"
	"  space TEXT NOT NULL,\n"
	"  dataset_digest TEXT NOT NULL,\n"
	"  creation_time INTEGER NOT NULL,\n"
	"  last_update_time INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO studies_new SELECT study_id, name, recipe_path,\n"
	"  recipe_name, metric, direction, sampler, pruner, seed,\n"
	"  max_parallel, n_trials, space, dataset_digest, creation_time,\n"
	"  last_update_time FROM studies;\n"
	"DROP TABLE studies;\n"
	"ALTER TABLE studies_new RENAME TO studies;\n";
