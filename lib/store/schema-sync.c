/* SPDX-License-Identifier: MIT */
/* schema-sync.c: the store's tables for what was pushed to a remote
 * tracking server, with the remote ids */
#include "store-internal.h"

/*
 * One row per tracking server (its URI without credentials); every other
 * table is keyed by it, so a second server gets everything again. A row
 * of sync_runs with remote_run_id NULL is a runs/create that may have
 * reached the server; metrics_inflight is the last metric row of a
 * log-batch that may have reached it. Both are checked with the server
 * before anything is sent again.
 */
const char mmp_store__sql_sync[] =
	"CREATE TABLE sync_remotes (\n"
	"  remote_id INTEGER PRIMARY KEY,\n"
	"  uri TEXT NOT NULL UNIQUE,\n"
	"  created_time INTEGER NOT NULL,\n"
	"  last_push_time INTEGER,\n"
	"  last_attempt_time INTEGER,\n"
	"  last_error TEXT,\n"
	"  last_error_class TEXT,\n"
	"  last_error_time INTEGER\n"
	");\n"
	"CREATE TABLE sync_experiments (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  experiment_id INTEGER NOT NULL\n"
	"    REFERENCES experiments ON DELETE CASCADE,\n"
	"  remote_experiment_id TEXT NOT NULL,\n"
	"  PRIMARY KEY (remote_id, experiment_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sync_runs (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  remote_run_id TEXT,\n"
	"  remote_artifact_uri TEXT,\n"
	"  create_time INTEGER NOT NULL,\n"
	"  params_sent INTEGER NOT NULL DEFAULT 0,\n"
	"  tags_digest TEXT,\n"
	"  metrics_rowid INTEGER NOT NULL DEFAULT 0,\n"
	"  metrics_inflight INTEGER,\n"
	"  status_sent TEXT,\n"
	"  PRIMARY KEY (remote_id, run_uuid)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sync_artifacts (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  path TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  PRIMARY KEY (remote_id, run_uuid, path)\n"
	") WITHOUT ROWID;\n"
	/* the registry: digest covers what set-tag/update can change */
	"CREATE TABLE sync_models (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  PRIMARY KEY (remote_id, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sync_versions (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL,\n"
	"  remote_version TEXT,\n"
	"  digest TEXT,\n"
	"  stage_sent TEXT,\n"
	"  PRIMARY KEY (remote_id, name, version)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sync_aliases (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  alias TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL,\n"
	"  PRIMARY KEY (remote_id, name, alias)\n"
	") WITHOUT ROWID;\n";

/*
 * What a push sent that a later change can undo, as (kind, subject,
 * key) -> value: "run.tag" (run id, tag key), "run.name" and
 * "run.lifecycle" (run id), "exp.name" and "exp.lifecycle" (experiment
 * id), "model.description" and "model.tag" (model name, tag key),
 * "version.tag" ("<name>/<version>", tag key). A tag that is gone
 * locally but was sent is deleted on the server; a name or lifecycle
 * that differs is updated.
 */
const char mmp_store__sql_sync_sent[] =
	"CREATE TABLE sync_sent (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL,\n"
	"  key TEXT NOT NULL DEFAULT '',\n"
	"  value TEXT,\n"
	"  PRIMARY KEY (remote_id, kind, subject, key)\n"
	") WITHOUT ROWID;\n";

/*
 * Runs mirrored from a tracking server: `origin` is the server's URI
 * without credentials and `remote_run_id` the run's id there; a local
 * run has neither. `mirror_digest` summarises what the server last
 * listed for the run, so an unchanged run costs no further request.
 * sync_pull keeps, per server and remote experiment, the page a pull
 * reached, so an interrupted pull goes on from there.
 */
const char mmp_store__sql_sync_mirror[] =
	"ALTER TABLE runs ADD COLUMN origin TEXT;\n"
	"ALTER TABLE runs ADD COLUMN remote_run_id TEXT;\n"
	"ALTER TABLE runs ADD COLUMN mirror_digest TEXT;\n"
	"CREATE UNIQUE INDEX runs_by_origin ON runs (origin, remote_run_id)\n"
	"  WHERE origin IS NOT NULL;\n"
	"CREATE TABLE sync_pull (\n"
	"  remote_id INTEGER NOT NULL\n"
	"    REFERENCES sync_remotes ON DELETE CASCADE,\n"
	"  remote_experiment_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  page_token TEXT,\n"
	"  last_pull_time INTEGER,\n"
	"  PRIMARY KEY (remote_id, remote_experiment_id)\n"
	") WITHOUT ROWID;\n";

/*
 * What a pull learnt of a mirrored run beyond its listing:
 * `mirror_content` summarises its metric histories and artifact list, so
 * a run read again (still running there, or a full pull) is written only
 * when they changed; `mirror_artifacts_error` says why its artifact list
 * could not be read (NULL: it was), so the next pull reads it again.
 */
const char mmp_store__sql_sync_mirror_content[] =
	"ALTER TABLE runs ADD COLUMN mirror_content TEXT;\n"
	"ALTER TABLE runs ADD COLUMN mirror_artifacts_error TEXT;\n";
