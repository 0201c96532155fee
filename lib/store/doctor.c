/* SPDX-License-Identifier: MIT */
/* doctor.c: read-only health figures of a store for mmp doctor */
#include <stdio.h>
#include <string.h>

#include "mmp/doctor.h"
#include "store-internal.h"

static int pragma_text(mmp_store *s, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = mmp_store__prepare_once(s, &st, sql)) < 0)
		return err;
	rc = mmp_store__step(s, st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, n, "%s", t ? (const char *)t : "");
	} else if (rc < 0) {
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int mmp_store_health_get(mmp_store_health *out, mmp_store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t now = mmp_time_ms();
	int rc, err = 0;
	char *p;

	memset(out, 0, sizeof(*out));
	out->schema_version = mmp_store_schema_version(s);
	out->schema_supported = mmp_store_schema_version_supported();
	if ((err = pragma_text(s, "PRAGMA integrity_check(1)", out->integrity,
	    sizeof(out->integrity))) < 0)
		return err;
	for (p = out->integrity; *p; p++)   /* one line for messages */
		if (*p == '\n')
			*p = ' ';
	if ((err = pragma_text(s, "PRAGMA journal_mode", out->journal_mode,
	    sizeof(out->journal_mode))) < 0)
		return err;
	if ((err = mmp_store__prepare_once(s, &st, "SELECT status, pid, "
	    "pid_start, hostname, heartbeat_time FROM runs")) < 0)
		return err;
	while ((rc = mmp_store__step(s, st)) == SQLITE_ROW) {
		const unsigned char *host = sqlite3_column_text(st, 3);

		out->runs++;
		if (strcmp((const char *)sqlite3_column_text(st, 0),
		    "RUNNING"))
			continue;
		out->running++;
		if (mmp_store__run_is_dead(s, sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), host ? (const char *)host :
		    "", sqlite3_column_int64(st, 4), now))
			out->dead++;
	}
	if (rc < 0)
		err = rc;
	sqlite3_finalize(st);
	return err;
}
