/* SPDX-License-Identifier: MIT */
/* registry-common.h: what the registry commands share: arguments,
 * JSON forms of versions and decisions, times */
#ifndef CMD_registry_common_h__
#define CMD_registry_common_h__

#include <cjson/cJSON.h>

#include "cmd.h"
#include "mmp/registry.h"

/* "2026-11-23T18:34:52Z", or "-" for 0 */
void reg_fmt_time(char out[32], int64_t ms);
/* parse "3" or "v3"; prints the error and returns -1 */
int reg_parse_version(int64_t *out, const char *text);
/* parse a --since/--until/--at time; prints the error, returns -1 */
int reg_parse_time(int64_t *out, const char *text, const char *opt);
cJSON *reg_approval_json(const mmp_approval *a);
cJSON *reg_version_json(const mmp_model_version *v);
/* print the lib error of a registry call; the exit code for it */
int reg_error(const char *what);
/* the exit code of a decision: 0 approved, 2 needs review, 3 rejected */
int reg_decision_exit(mmp_decision d);

/*
 * A models:/ URI given where a model is expected: pull that version from
 * the tracking server (tracking.uri, MLFLOW_TRACKING_URI) into the store,
 * unless it is there already, and put the local reference "<name>@v<N>"
 * in `ref`. 0, or EXIT_FAIL after printing the error.
 */
int reg_pull_uri(struct mmp_ctx *ctx, const char *uri, mmp_buf *ref);

#endif
