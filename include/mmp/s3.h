/* SPDX-License-Identifier: MIT */
/* s3.h: objects in S3 or MinIO, requests signed with AWS Signature V4 */
#ifndef INCLUDE_mmp_s3_h__
#define INCLUDE_mmp_s3_h__

#include <stdint.h>

#include "common.h"

MMP_BEGIN_DECL

/**
 * @file mmp/s3.h
 *
 * A client bound to one `s3://BUCKET[/PREFIX]` location, as MLflow
 * servers without --serve-artifacts hand out for artifacts. Keys given
 * to the calls are relative to PREFIX.
 *
 * Where: the endpoint is `MLFLOW_S3_ENDPOINT_URL` (MinIO and other
 * S3-compatible servers, addressed path-style: ENDPOINT/BUCKET/KEY),
 * else AWS (virtual-host style: https://BUCKET.s3.REGION.amazonaws.com/,
 * path-style for bucket names that are not DNS labels). The region is
 * `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1.
 * `MLFLOW_S3_IGNORE_TLS=true` skips certificate checks and `AWS_CA_BUNDLE`
 * names a CA file.
 *
 * Credentials: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
 * `AWS_SESSION_TOKEN`), else the profile `AWS_PROFILE` (default
 * "default") of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`,
 * default ~/.aws/credentials). The secret and the token are kept only in
 * memory, wiped when the client is freed, and never part of a message.
 *
 * Every request is retried with backoff on connection failures, 5xx and
 * SlowDown. Uploads carry their SHA-256 as x-amz-content-sha256 and
 * their MD5 as Content-MD5, so the server rejects bytes that changed on
 * the way, and the ETag it answers is compared with the MD5 (objects
 * encrypted with SSE-KMS or SSE-C have other ETags and are not
 * compared). Files larger than the part size go up as a multipart
 * upload, aborted on failure.
 */

/** A client for one bucket and prefix. */
typedef struct mmp_s3 mmp_s3;

/** How to reach the bucket. Strings are borrowed for mmp_s3_open(). */
typedef struct {
	unsigned int version;
	const char *endpoint;          /**< NULL: $MLFLOW_S3_ENDPOINT_URL,
					    else AWS */
	const char *region;            /**< NULL: from the environment */
	const char *access_key_id;     /**< with the secret; NULL: from
					    the environment or the file */
	const char *secret_access_key;
	const char *session_token;     /**< NULL: none */
	const char *profile;           /**< NULL: $AWS_PROFILE or default */
	const char *credentials_file;  /**< NULL: see above */
	uint64_t part_size;            /**< 0: $MMP_S3_PART_SIZE, else
					    8 MiB; larger files go in parts */
	int max_attempts;              /**< per request; 0: 4 */
	long backoff_ms;               /**< first retry wait; 0: 200 */
	long connect_timeout_ms;       /**< 0: 5000 */
	long timeout_ms;               /**< stall limit; 0: 30000 */
} mmp_s3_options;

#define MMP_S3_OPTIONS_VERSION 1
#define MMP_S3_OPTIONS_INIT { MMP_S3_OPTIONS_VERSION, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0 }

/** One object of a listing. */
typedef struct {
	char *key;       /**< relative to the listed prefix */
	uint64_t size;
	char etag[80];   /**< without quotes; "" when none */
} mmp_s3_object;

/** What the client has done, for reports. */
typedef struct {
	uint64_t requests;   /**< HTTP requests, retries included */
	uint64_t retries;
	uint64_t multipart;  /**< files sent as multipart uploads */
	uint64_t parts;      /**< parts sent */
	long last_status;    /**< HTTP status of the last answer, or 0 */
	int64_t server_date; /**< the last answer's Date (s since the
				  epoch), or 0 */
	const char *last_code; /**< the last S3 error code, or NULL */
	uint64_t refreshes;  /**< temporary credentials renewed */
	int64_t credentials_expire; /**< when the credentials in use
					 expire (s since the epoch), or 0 */
} mmp_s3_stats;

/**
 * Split `uri` ("s3://BUCKET[/KEY]") into its bucket and key (both
 * owned by the caller; the key is "" when none, without a leading or
 * trailing '/'). MMP_EINVALID naming the URI when it is not one.
 */
MMP_EXTERN(int) mmp_s3_uri_split(char **bucket, char **key,
	const char *uri);

/**
 * Open a client for `uri` ("s3://BUCKET[/PREFIX]"). The caller frees
 * `*out` with mmp_s3_free(). No request is sent. Errors: MMP_EINVALID
 * for a malformed URI or endpoint, a credentials file that cannot be
 * parsed (naming its file and line) or a profile without both keys;
 * MMP_ENOTFOUND when no credentials are found anywhere (the message
 * says where to put them); MMP_ERROR when libcurl cannot be loaded or
 * is older than 7.75 (no SigV4).
 */
MMP_EXTERN(int) mmp_s3_open(mmp_s3 **out, const char *uri,
	const mmp_s3_options *opts);
/** Free the client and wipe its secrets; accepts NULL. */
MMP_EXTERN(void) mmp_s3_free(mmp_s3 *s);

/** "s3://BUCKET/PREFIX", borrowed from the client. */
MMP_EXTERN(const char *) mmp_s3_location(const mmp_s3 *s);
/** The endpoint's base URL ("https://s3.us-east-1.amazonaws.com" or the
 * configured one), borrowed. */
MMP_EXTERN(const char *) mmp_s3_endpoint(const mmp_s3 *s);
/** Where the credentials came from ("AWS_ACCESS_KEY_ID", "profile
 * 'default' in /home/u/.aws/credentials", "options"), borrowed. */
MMP_EXTERN(const char *) mmp_s3_credentials_source(const mmp_s3 *s);
/** The counters and the last answer; pointers borrowed until the next
 * call on the client. */
MMP_EXTERN(void) mmp_s3_stats_get(const mmp_s3 *s, mmp_s3_stats *out);

/**
 * Upload the regular file `file` as `key`: one PUT, or a multipart
 * upload when it is larger than the part size. Errors: MMP_ERROR (class
 * OS) when the file cannot be read; MMP_ENET when the server refuses or
 * cannot be reached (the message names the fix: credentials, clock,
 * bucket, endpoint) or stored other bytes; MMP_ENOTFOUND when the
 * bucket does not exist.
 */
MMP_EXTERN(int) mmp_s3_put_file(mmp_s3 *s, const char *key,
	const char *file);
/** The same with `len` bytes from memory (always one PUT). */
MMP_EXTERN(int) mmp_s3_put_data(mmp_s3 *s, const char *key,
	const void *data, size_t len);

/**
 * Download `key` into `file` (created or truncated; removed again on
 * failure), at most `max` bytes. `*written` (may be NULL) gets its
 * size. The length is checked against Content-Length and the bytes
 * against an MD5 ETag. Errors: MMP_ENOTFOUND for a missing key or
 * bucket, MMP_ENET otherwise (also for an object larger than `max`),
 * MMP_ERROR (class OS) when the file cannot be written.
 */
MMP_EXTERN(int) mmp_s3_get_file(mmp_s3 *s, const char *key,
	const char *file, uint64_t max, uint64_t *written);

/** HEAD of `key`: its size and ETag into `*out` (key left NULL).
 * MMP_ENOTFOUND when it does not exist. */
MMP_EXTERN(int) mmp_s3_head(mmp_s3_object *out, mmp_s3 *s,
	const char *key);

/**
 * One ListObjectsV2 request for at most one key below the prefix: the
 * endpoint answers, the signature and key id are accepted, the bucket
 * exists and may be listed. Errors as the other calls; the stats say
 * what answered (last_status, last_code, server_date).
 */
MMP_EXTERN(int) mmp_s3_ping(mmp_s3 *s);

/** Delete `key` (deleting a missing key succeeds, as in S3). */
MMP_EXTERN(int) mmp_s3_delete(mmp_s3 *s, const char *key);

/**
 * Every object below `dir` (relative to the client's prefix; "" for all
 * of it), through as many ListObjectsV2 pages as needed, at most `max`
 * objects (more is MMP_EINVALID). Keys come back relative to `dir`.
 * The array is owned by the caller: mmp_s3_objects_free().
 */
MMP_EXTERN(int) mmp_s3_list(mmp_s3_object **out, size_t *n, mmp_s3 *s,
	const char *dir, size_t max);
MMP_EXTERN(void) mmp_s3_objects_free(mmp_s3_object *o, size_t n);

MMP_END_DECL

#endif
