/* SPDX-License-Identifier: MIT */
/* s3-internal.h: the S3 client's parsers (s3-parse.c) and addressing,
 * for its tests and fuzzing */
#ifndef LIB_remote_s3_internal_h__
#define LIB_remote_s3_internal_h__

#include <stdint.h>

#include "mmp/buf.h"
#include "mmp/s3.h"

/*
 * The keys of `profile` in a shared credentials file's text (`file`
 * names it in messages). 0 with `*id` and `*secret` set (`*token` when
 * the profile has one; all owned, wipe before freeing); MMP_ENOTFOUND
 * when the profile is not there; MMP_EINVALID naming the file and line
 * for a line that is neither a section, a comment nor key = value, and
 * naming the profile when it lacks one of the two keys. No value is
 * ever part of a message.
 */
int mmp_s3__credentials_parse(char **id, char **secret, char **token,
	const char *text, size_t len, const char *file, const char *profile);

/*
 * One ListObjectsV2 page: the objects appended to `*out` (growing
 * `*alloc`), keys with their first `strip` bytes cut (the listed
 * prefix; keys not starting with it are skipped), `*truncated` and
 * `*next` (the continuation token, owned, or NULL). MMP_ENET for a body
 * that is not a listing.
 */
int mmp_s3__list_parse(mmp_s3_object **out, size_t *n, size_t *alloc,
	int *truncated, char **next, const char *xml, size_t len,
	const char *strip);

/* Code and Message of an S3 <Error> body (owned, NULL when absent),
 * control characters replaced by '?' */
void mmp_s3__error_parse(char **code, char **message, const char *xml,
	size_t len);

/* the value of the first <tag>...</tag> at or after `*pos`, entities
 * decoded, into `out`; `*pos` moves past it. 0, or -1 when none */
int mmp_s3__xml_next(mmp_buf *out, const char **pos, const char *end,
	const char *tag);

/* an RFC 7231 date ("Sun, 06 Nov 1994 08:49:37 GMT") as seconds since
 * the epoch, or 0 when it is not one */
int64_t mmp_s3__http_date(const char *s);

/* `key` percent-encoded as S3 signs it: every byte but A-Z a-z 0-9
 * - _ . ~ and the '/' between segments */
void mmp_s3__escape_key(mmp_buf *out, const char *key);

/* the first `s` in [p, end), or NULL */
const char *mmp_s3__find(const char *p, const char *end, const char *s);
/* `s` without the double quotes around it (an ETag), cut to `cap` */
void mmp_s3__strip_quotes(char *dst, size_t cap, const char *s);

/* the URL of `key` (NULL: the bucket) with `query` (NULL: none) */
void mmp_s3__url(mmp_buf *out, const mmp_s3 *s, const char *key,
	const char *query);

#endif
