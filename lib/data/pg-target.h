/* SPDX-License-Identifier: MIT */
/* pg-target.h: the table a postgresql:// output location names (no
 * libpq needed, so that the fuzzing harness reaches it) */
#ifndef LIB_data_pg_target_h__
#define LIB_data_pg_target_h__

/* what an output location names: where to connect, and the table */
struct mmp_data__pg_target {
	char *conninfo;         /* the location without the table */
	char *schema, *name;    /* schema NULL: the session's schema */
	char *label;            /* the redacted location, for messages */
};

/*
 * postgresql://[user@]host[:port]/db/schema.table[?params]: the last
 * segment of the path (percent-decoded, split at its first dot) names
 * the table; the rest is the connection, as libpq reads it. Errors:
 * MMP_EINVALID (no table, an empty or too long name, a NUL byte).
 * Release `t` with mmp_data__pg_target_release() also after an error.
 */
int mmp_data__pg_target_parse(struct mmp_data__pg_target *t,
	const char *location);
void mmp_data__pg_target_release(struct mmp_data__pg_target *t);

#endif
