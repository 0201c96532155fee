/* SPDX-License-Identifier: MIT */
/* s3-internal.h: the S3 client's parsers (s3-parse.c) and addressing,
 * for its tests and fuzzing */
#ifndef LIB_remote_s3_internal_h__
#define LIB_remote_s3_internal_h__

#include <stddef.h>
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

struct curl_slist;
/* append a header made from a format to *h (unchanged when curl is out
 * of memory), wiping the formatted text: headers may carry tokens */
void mmp_s3__add_header(struct curl_slist **h, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

/* the first `s` in [p, end), or NULL */
const char *mmp_s3__find(const char *p, const char *end, const char *s);
/* `s` without the double quotes around it (an ETag), cut to `cap` */
void mmp_s3__strip_quotes(char *dst, size_t cap, const char *s);

/* the URL of `key` (NULL: the bucket) with `query` (NULL: none) */
void mmp_s3__url(mmp_buf *out, const mmp_s3 *s, const char *key,
	const char *query);

/*
 * The AWS shared config and credentials files (INI): one entry per
 * section header (key NULL) and per `key = value`, in file order.
 * Section names have their blanks squeezed ("profile dev"); keys are
 * lower case; a nested block ("s3 =" then indented "key = v" lines)
 * gives keys "s3.key". Values are owned and wiped on release.
 */
typedef struct {
	char *section;
	char *key;
	char *value;
	int line;
} mmp_s3__ini_entry;

typedef struct {
	mmp_s3__ini_entry *e;
	size_t n, alloc;
	char *file;
} mmp_s3__ini;

#define MMP_S3__INI_INIT { NULL, 0, 0, NULL }

/*
 * Parse `text` (`file` names it in messages). MMP_EINVALID naming the
 * file and line for a line that is neither a section header, a comment,
 * key = value nor a nested key, a NUL byte, or a key before any section.
 * No value is ever part of a message. `out` is released on failure.
 */
int mmp_s3__ini_parse(mmp_s3__ini *out, const char *text, size_t len,
	const char *file);
void mmp_s3__ini_release(mmp_s3__ini *ini);
/* whether the section is there */
int mmp_s3__ini_has(const mmp_s3__ini *ini, const char *section);
/* the last `key` of `section`, or NULL (values may be "") */
const mmp_s3__ini_entry *mmp_s3__ini_get(const mmp_s3__ini *ini,
	const char *section, const char *key);

/* an ISO 8601 time ("2026-12-05T10:00:00Z"; fractions, offsets and the
 * "UTC" suffix SSO caches write allowed) as seconds since the epoch,
 * or -1 */
int64_t mmp_s3__iso8601(const char *s);

/*
 * Split a command line the way a POSIX shell splits words, without
 * running a shell: blanks separate words, '...' is literal, "..." keeps
 * blanks and takes \ " \$ \` escapes, a backslash outside quotes
 * escapes the next character. No expansion of any kind. `*argv` (NULL
 * ended) and its strings are owned: mmp_s3__argv_free(). MMP_EINVALID
 * for an unclosed quote or an empty command.
 */
int mmp_s3__split_command(char ***argv, const char *cmd);
void mmp_s3__argv_free(char **argv);

/* temporary or long-term credentials and where they came from */
typedef struct {
	char *id, *secret, *token;  /* owned, wiped */
	int64_t expires;            /* seconds since the epoch; 0: never */
	char *source;
} mmp_s3__creds;

void mmp_s3__creds_release(mmp_s3__creds *c);

/*
 * Credentials in the JSON AWS tools hand out, `what` naming the source
 * in messages: with `process` set, a credential_process answer
 * (Version 1, AccessKeyId, SecretAccessKey, [SessionToken],
 * [Expiration]); else a container or instance metadata answer
 * (AccessKeyId, SecretAccessKey, Token, Expiration, and Code when
 * given must be "Success"). MMP_EINVALID naming the field; no value
 * is ever part of a message.
 */
int mmp_s3__creds_json(mmp_s3__creds *out, const char *json, size_t len,
	int process, const char *what);

/*
 * The <Credentials> of an STS AssumeRole or AssumeRoleWithWebIdentity
 * answer. MMP_ENET when there are none (an ErrorResponse's Code and
 * Message, without control characters, are in the message).
 */
int mmp_s3__sts_parse(mmp_s3__creds *out, const char *xml, size_t len,
	const char *what);

/*
 * The roleCredentials of an IAM Identity Center (SSO) GetRoleCredentials
 * answer (expiration in milliseconds).
 */
int mmp_s3__sso_parse(mmp_s3__creds *out, const char *json, size_t len,
	const char *what);

/*
 * Credentials and region the way the AWS CLI finds them (s3-creds.c):
 * `profile` and `credentials_file` (NULL: from the environment) as in
 * mmp_s3_options. `*region` gets AWS_REGION, AWS_DEFAULT_REGION, the
 * profile's region or, without MLFLOW_S3_ENDPOINT_URL, the EC2
 * instance's (owned, NULL when none). MMP_ENOTFOUND when no
 * source has credentials; MMP_EINVALID for a broken file or profile;
 * MMP_ENET when a source that is configured does not answer or refuses.
 */
int mmp_s3__creds_load(mmp_s3__creds *out, char **region,
	const char *profile, const char *credentials_file);

/* the region alone, in the same order (the config file is read only
 * when AWS_REGION is unset, the instance metadata only after it) */
int mmp_s3__region_load(char **region, const char *profile);

#endif
