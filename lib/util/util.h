/* SPDX-License-Identifier: MIT */
/* util.h: libmmp-internal helpers (allocation, errors, files, time, ids) */
#ifndef LIB_util_util_h__
#define LIB_util_util_h__

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "mmp/common.h"
#include "mmp/errors.h"
#include "mmp/buf.h"
#include "banned.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MMP_UNUSED(x) ((void)(x))

/* allocation: abort with a message on exhaustion, never return NULL */
void *mmp__malloc(size_t n);
void *mmp__calloc(size_t nmemb, size_t size);
void *mmp__realloc(void *p, size_t n);
void *mmp__reallocarray(void *p, size_t nmemb, size_t size);
char *mmp__strdup(const char *s);
char *mmp__strndup(const char *s, size_t n);
char *mmp__strdup_or_null(const char *s);

/* grow an array `x` of `nr` used / `alloc` allocated to hold `want` items */
#define MMP_ALLOC_GROW(x, want, alloc) do { \
	if ((size_t)(want) > (size_t)(alloc)) { \
		size_t n__ = (size_t)(alloc) < 8 ? 8 : (size_t)(alloc) * 2; \
		if (n__ < (size_t)(want)) n__ = (size_t)(want); \
		(x) = mmp__reallocarray((x), n__, sizeof(*(x))); \
		(alloc) = n__; \
	} \
} while (0)

/* errors: set the thread-local last error, return `code` for chaining */
int mmp_error_set(int klass, const char *fmt, ...) MMP_FORMAT_PRINTF(2, 3);
int mmp_error_setv(int klass, const char *fmt, va_list ap);
/* like mmp_error_set with ": strerror(errno)" appended; class OS */
int mmp_error_set_os(const char *fmt, ...) MMP_FORMAT_PRINTF(1, 2);
/* return `code` after setting the error: `return mmp_error_ret(MMP_EINVALID, ...)` */
int mmp_error_ret(int code, int klass, const char *fmt, ...)
	MMP_FORMAT_PRINTF(3, 4);
/* prefix the current error message with "<prefix>: " */
void mmp_error_prefix(const char *fmt, ...) MMP_FORMAT_PRINTF(1, 2);

/* open libcrypto (once; sha256.c's digests do it themselves); 0, or -1
 * with the error set */
int mmp_crypto__load(void);

/* time */
int64_t mmp_time_ms(void);        /* wall clock, ms since the epoch */
double mmp_time_mono(void);       /* monotonic seconds */
/* ISO 8601 UTC, "2026-11-23T18:34:52Z" (out needs 21 bytes) */
void mmp_time_iso8601(char out[32], int64_t ms);

/* a random 32-hex-digit id, as MLflow's run ids (out needs 33 bytes) */
int mmp_uuid_hex(char out[33]);

/* files */
int mmp_file_read(mmp_buf *out, const char *path, size_t max_bytes);
/* write via a temporary file in the same directory + fsync + rename */
int mmp_file_write_atomic(const char *path, const void *data, size_t len);
int mmp_mkdir_p(const char *path, mode_t mode);
int mmp_rm_rf(const char *path);
bool mmp_path_exists(const char *path);
bool mmp_path_is_dir(const char *path);
/* join a and b with one '/', unless b is absolute */
void mmp_path_join(mmp_buf *out, const char *a, const char *b);
/* the directory part of path ("." when none) */
void mmp_path_dirname(mmp_buf *out, const char *path);
/* an absolute, normalised form of path (needs not exist) */
int mmp_path_absolute(mmp_buf *out, const char *path);

/*
 * sha256, through libcrypto: init, update..., then final (which releases
 * the context); a context given up before final is released with
 * mmp_sha256_release()
 */
typedef struct {
	void *md;
} mmp_sha256_ctx;
void mmp_sha256_init(mmp_sha256_ctx *c);
void mmp_sha256_update(mmp_sha256_ctx *c, const void *data, size_t len);
void mmp_sha256_final(mmp_sha256_ctx *c, unsigned char out[32]);
void mmp_sha256_release(mmp_sha256_ctx *c);
void mmp_sha256_hex(char out[65], const unsigned char digest[32]);
int mmp_sha256_file(char out_hex[65], const char *path);
void mmp_sha256_buf_hex(char out_hex[65], const void *data, size_t len);

/* MD5, only where a protocol asks for it (S3's Content-MD5 and ETag);
 * the same life cycle as the sha256 context */
typedef struct {
	void *md;
} mmp_md5_ctx;
void mmp_md5_init(mmp_md5_ctx *c);
void mmp_md5_update(mmp_md5_ctx *c, const void *data, size_t len);
void mmp_md5_final(mmp_md5_ctx *c, unsigned char out[16]);
void mmp_md5_release(mmp_md5_ctx *c);

/* SHA-1 as hex, only where a format asks for it (the AWS SSO token
 * cache names its files after it) */
void mmp_sha1_buf_hex(char out_hex[41], const void *data, size_t len);

/* strings */
bool mmp_str_starts_with(const char *s, const char *prefix);
bool mmp_str_ends_with(const char *s, const char *suffix);
/* mmp_str_check_name(): public, in mmp/buf.h */
/* mmp_str_distance(): public, in mmp/buf.h */
/* the candidate closest to `word`, or NULL when none is close enough */
const char *mmp_str_closest(const char *word, const char *const *cands,
	size_t n);
/* strict number parsing: whole string, no trailing junk */
int mmp_parse_int64(const char *s, int64_t *out);
int mmp_parse_double(const char *s, double *out);

/* a seeded pseudo-random generator (xoshiro256**, seeded by splitmix64):
 * the same seed gives the same stream on every machine */
typedef struct {
	uint64_t s[4];
} mmp_rng;
void mmp_rng_seed(mmp_rng *r, uint64_t seed);
uint64_t mmp_rng_next(mmp_rng *r);
/* uniform in [0, 1) with 53 random bits */
double mmp_rng_uniform(mmp_rng *r);
/* uniform integer in [0, n), unbiased; n > 0 */
uint64_t mmp_rng_below(mmp_rng *r, uint64_t n);
/* a seed derived from (seed, stream), e.g. (study seed, trial number) */
uint64_t mmp_rng_derive(uint64_t seed, uint64_t stream);

#endif
