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

/*
 * Reading date-times: one parser for every ISO 8601 / RFC 3339 stamp mmp
 * reads (credential expirations, audit filters, the time column of data
 * sets). With no flags it takes exactly RFC 3339's date-time (section
 * 5.6):
 *
 *   YYYY-MM-DD "T" hh:mm:ss [ "." 1*DIGIT ] ( "Z" | ("+"/"-") hh:mm )
 *
 * - 'T' and 'Z' may be lower case (RFC 3339 5.6, NOTE).
 * - The year has four digits, 0000 to 9999, proleptic Gregorian; the
 *   month 01-12; the day exists in that month (Feb 29 only in a leap
 *   year).
 * - hh is 00-23 (no ISO 8601 "24:00"), mm 00-59, ss 00-60: a leap second
 *   is taken where it is written and counted, as POSIX time counts it,
 *   as the first second of the next minute (no table of leap seconds is
 *   kept, so :60 is not checked against one).
 * - The fraction has any number of digits; it is kept to the nanosecond
 *   and the digits past the ninth are dropped.
 * - An offset is what RFC 3339's grammar allows, hh 00-23 and mm 00-59,
 *   so +-23:59 at most (wider than any zone in use, -12:00 to +14:00,
 *   which the grammar does not bound); "-00:00" is UTC.
 * - The whole of [s, s + len) is read: no leading or trailing bytes, no
 *   blanks, a NUL inside is a bad byte.
 *
 * Each flag admits one form more, or (the last two) one form less, for
 * the callers that receive it.
 */
enum {
	MMP_TIME_DATE = 1 << 0,         /* "2026-12-05" alone: its midnight,
					   UTC (no zone may follow it) */
	MMP_TIME_SPACE = 1 << 1,        /* ' ' in place of 'T' */
	MMP_TIME_NO_SECONDS = 1 << 2,   /* "10:00" for "10:00:00" (then no
					   fraction) */
	MMP_TIME_ZONE_OPTIONAL = 1 << 3, /* no zone: the time is UTC */
	MMP_TIME_UTC_WORD = 1 << 4,     /* "UTC" in place of "Z", as older
					   AWS SSO caches write it */
	MMP_TIME_BASIC_OFFSET = 1 << 5, /* ISO 8601's "+0100" and "+01" */
	MMP_TIME_COMMA = 1 << 6,        /* ',' before the fraction (ISO 8601) */
	MMP_TIME_NO_FRACTION = 1 << 7,  /* refuse a fraction */
	MMP_TIME_ZULU = 1 << 8,         /* refuse numeric offsets: only "Z" */
};

typedef struct {
	int64_t sec;    /* seconds since 1970-01-01T00:00:00Z */
	int32_t nsec;   /* 0 to 999999999, after sec */
} mmp_time_stamp;

/*
 * Parse the `len` bytes at `s` (NUL not needed) as above. 0 with *out
 * set, or MMP_EINVALID with *out zeroed; sets no error, so a caller
 * names the field and the file in its own message.
 */
int mmp_time_parse(mmp_time_stamp *out, const char *s, size_t len,
	unsigned flags);
/* mmp_time_parse() over a NUL-ended string */
int mmp_time_parse_str(mmp_time_stamp *out, const char *s, unsigned flags);
/* a stamp as milliseconds since the epoch, the fraction truncated
 * toward the past */
int64_t mmp_time_stamp_ms(const mmp_time_stamp *t);

/*
 * Seconds since the epoch of a UTC calendar time, with the same checks
 * as mmp_time_parse (year 0-9999, the day in its month, hh 00-23, mm
 * 00-59, ss 00-60); 0 or MMP_EINVALID. For the formats that are not
 * ISO 8601 (HTTP dates).
 */
int mmp_time_from_civil(int64_t *out, int year, int month, int day,
	int hour, int min, int sec);

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
