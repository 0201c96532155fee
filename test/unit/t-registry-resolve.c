/* SPDX-License-Identifier: MIT */
/* t-registry-resolve.c: model references to versions: stages, aliases,
 * version numbers, latest, and every way a reference can be wrong */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/registry.h"

static char db[512];
static char run_id[33];

/* registry rows written straight into the file: v1 Archived, v2
 * Production, v3 Staging, v4 None; alias champion -> v2 */
static int seed_rows(void)
{
	static const char fmt[] =
		"INSERT INTO registered_models VALUES"
		" ('churn', 1, 1, '', 4), ('churner', 1, 1, '', 0);"
		"INSERT INTO model_versions (name, version, creation_time,"
		" last_updated_time, current_stage, source, run_id) VALUES"
		" ('churn', 1, 1, 1, 'Archived', '%s', '%s'),"
		" ('churn', 2, 1, 1, 'Production', '%s', '%s'),"
		" ('churn', 3, 1, 1, 'Staging', '%s', '%s'),"
		" ('churn', 4, 1, 1, 'None', 'artifacts/gone', '%s');"
		"INSERT INTO registered_model_aliases VALUES"
		" ('churn', 'champion', 2);";
	char src[128], sql[2048];
	sqlite3 *h;
	int rc;

	snprintf(src, sizeof(src), "artifacts/0/%s/artifacts/model", run_id);
	snprintf(sql, sizeof(sql), fmt, src, run_id, src, run_id, src,
		run_id, run_id);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		diag("seed: %s", sqlite3_errmsg(h));
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

static void check_ok(mmp_store *s, const char *ref, long long version,
	mmp_stage stage)
{
	mmp_model_ref r;
	int err = mmp_registry_resolve(&r, s, ref);

	if (!is_int(err, 0, "%s resolves", ref))
		diag("%s", mmp_error_last()->message);
	is_int(r.version, version, "%s is version %lld", ref, version);
	is_str(mmp_stage_name(r.stage), mmp_stage_name(stage),
		"%s is in %s", ref, mmp_stage_name(stage));
	if (!err) {
		is_str(r.name, "churn", "%s names churn", ref);
		is_str(r.run_id, run_id, "%s has the source run", ref);
		ok(r.model_dir && r.model_dir[0] == '/' &&
			strstr(r.model_dir, "/artifacts/model"),
			"%s has an absolute model dir", ref);
	}
	mmp_model_ref_release(&r);
}

static void check_err(mmp_store *s, const char *ref, int code,
	const char *msg)
{
	mmp_model_ref r;

	is_int(mmp_registry_resolve(&r, s, ref), code, "%s fails", ref);
	is_str(mmp_error_last()->message, msg, "%s: message", ref);
	ok(r.name == NULL && r.model_dir == NULL, "%s: nothing returned",
		ref);
	mmp_model_ref_release(&r);
}

int main(void)
{
	mmp_store *s = NULL;
	mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
	mmp_buf dir = MMP_BUF_INIT;
	mmp_stage st;
	char msg[1024];

	snprintf(db, sizeof(db), "%s/.mmp/mmp.db", tap_tmpdir());
	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0) {
		diag("%s", mmp_error_last()->message);
		return 1;
	}
	o.run_name = "r";
	if (mmp_run_start(s, &o, run_id) < 0 ||
	    mmp_run_end(s, run_id, "FINISHED", NULL) < 0 ||
	    mmp_run_artifact_dir(&dir, s, run_id) < 0)
		return 1;
	mmp_buf_puts(&dir, "/model");
	{
		char cmd[1024];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir.ptr);
		if (system(cmd) != 0 || seed_rows() < 0)
			return 1;
	}

	is_int(mmp_stage_parse(&st, "pRoDuCtIoN"), 0, "stages parse "
		"case-insensitively");
	is_int(st, MMP_STAGE_PRODUCTION, "as Production");
	is_int(mmp_stage_parse(&st, "Prod"), MMP_EINVALID, "Prod is no stage");
	is_str(mmp_error_last()->message, "unknown stage 'Prod' (valid: "
		"Staging, Production, Archived, None); did you mean "
		"'Production'?", "the message lists the stages");

	check_ok(s, "churn@Production", 2, MMP_STAGE_PRODUCTION);
	check_ok(s, "churn@production", 2, MMP_STAGE_PRODUCTION);
	check_ok(s, "churn@STAGING", 3, MMP_STAGE_STAGING);
	check_ok(s, "churn@archived", 1, MMP_STAGE_ARCHIVED);
	check_ok(s, "churn@champion", 2, MMP_STAGE_PRODUCTION);
	check_ok(s, "churn@v3", 3, MMP_STAGE_STAGING);
	check_ok(s, "churn/1", 1, MMP_STAGE_ARCHIVED);

	snprintf(msg, sizeof(msg), "the model directory '%s/artifacts/gone' "
		"of churn version 4 is missing", mmp_store_dir(s));
	check_err(s, "churn@latest", MMP_ENOTFOUND, msg);
	check_err(s, "churn", MMP_EINVALID, "invalid model reference "
		"'churn': expected 'churn@<stage>', 'churn@<alias>', "
		"'churn@latest', 'churn@v<N>' or 'churn/<N>'");
	check_err(s, "", MMP_EINVALID, "empty model reference");
	check_err(s, "churn@", MMP_EINVALID, "invalid model reference "
		"'churn@': nothing valid after '@'");
	check_err(s, "churn/v3", MMP_EINVALID, "invalid model reference "
		"'churn/v3': expected a version number after '/'");
	check_err(s, "churn/0", MMP_EINVALID, "invalid model reference "
		"'churn/0': expected a version number after '/'");
	check_err(s, "@Production", MMP_EINVALID, "the model name is empty");
	check_err(s, "chrun@Production", MMP_ENOTFOUND,
		"no model 'chrun'; did you mean 'churn'?");
	check_err(s, "fraud@Production", MMP_ENOTFOUND, "no model 'fraud'");
	check_err(s, "churner@Production", MMP_ENOTFOUND,
		"model 'churner' has no version in stage Production");
	check_err(s, "churner@latest", MMP_ENOTFOUND,
		"model 'churner' has no versions");
	check_err(s, "churn@v9", MMP_ENOTFOUND,
		"model 'churn' has no version 9");
	check_err(s, "churn@champ", MMP_ENOTFOUND, "model 'churn' has no "
		"alias or stage 'champ'; did you mean 'champion'?");
	check_err(s, "churn@zzzzzzzzzz", MMP_ENOTFOUND, "model 'churn' has "
		"no alias or stage 'zzzzzzzzzz' (aliases: champion; stages: "
		"Staging, Production, Archived, None)");

	mmp_buf_dispose(&dir);
	mmp_store_free(s);
	return done_testing();
}
