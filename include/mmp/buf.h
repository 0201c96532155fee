/* SPDX-License-Identifier: MIT */
/* buf.h: a growable, always NUL-terminated byte buffer */
#ifndef INCLUDE_mmp_buf_h__
#define INCLUDE_mmp_buf_h__

#include <stdarg.h>
#include "common.h"

MMP_BEGIN_DECL

/**
 * A string buffer in the manner of git's strbuf. `ptr` is never NULL
 * and always NUL-terminated; `size` is the length without the NUL.
 * Initialise with MMP_BUF_INIT, release with mmp_buf_dispose().
 * Allocation failure aborts the process (like git's xmalloc).
 */
typedef struct {
	char *ptr;
	size_t asize;
	size_t size;
} mmp_buf;

extern MMP_EXTERN(char) mmp_buf__initbuf[];
#define MMP_BUF_INIT { mmp_buf__initbuf, 0, 0 }

MMP_EXTERN(void) mmp_buf_init(mmp_buf *b, size_t hint);
/** Make room for at least `extra` more bytes. */
MMP_EXTERN(void) mmp_buf_grow(mmp_buf *b, size_t extra);
MMP_EXTERN(void) mmp_buf_put(mmp_buf *b, const void *data, size_t len);
MMP_EXTERN(void) mmp_buf_puts(mmp_buf *b, const char *s);
MMP_EXTERN(void) mmp_buf_putc(mmp_buf *b, int c);
MMP_EXTERN(void) mmp_buf_printf(mmp_buf *b, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);
MMP_EXTERN(void) mmp_buf_vprintf(mmp_buf *b, const char *fmt, va_list ap);
/** Set the length to `len` (<= size), keeping the allocation. */
MMP_EXTERN(void) mmp_buf_truncate(mmp_buf *b, size_t len);
/** Empty the buffer, keeping the allocation. */
MMP_EXTERN(void) mmp_buf_clear(mmp_buf *b);
/** Free the contents and re-initialise. Accepts a never-used buffer. */
MMP_EXTERN(void) mmp_buf_dispose(mmp_buf *b);
/** Hand the string over to the caller (free() it); the buffer is reset. */
MMP_EXTERN(char *) mmp_buf_detach(mmp_buf *b);
/**
 * Append `s` as a JSON string: quoted, with '"', '\\' and control
 * characters escaped (UTF-8 passes through as it is).
 */
MMP_EXTERN(void) mmp_buf_put_json_string(mmp_buf *b, const char *s);
/** Remove trailing whitespace. */
MMP_EXTERN(void) mmp_buf_rtrim(mmp_buf *b);

/**
 * The shortest decimal text that reads back as exactly `v` ("0.1",
 * "1e+300"); NaN and infinities as MLflow writes them: "NaN",
 * "Infinity", "-Infinity". `out` needs 32 bytes.
 */
MMP_EXTERN(void) mmp_fmt_double(char out[32], double v);
/** The same for a float32 value (at most 9 significant digits). */
MMP_EXTERN(void) mmp_fmt_float(char out[32], float v);

struct cJSON;
/**
 * Append the JSON text of a cJSON value, compact or (`pretty`) in
 * cJSON's formatted layout, with every number as the shortest text that
 * reads back as the same double (cJSON's own printer rounds to 15
 * digits): -0.0 keeps its sign, NaN and infinities are null. Every JSON
 * text mmp writes goes through here. Returns 0, or MMP_EINVALID for an
 * invalid item (nothing is appended then).
 */
MMP_EXTERN(int) mmp_buf_put_json(mmp_buf *b, const struct cJSON *item,
	int pretty);
/** The same as a string to free(); NULL for an invalid item. */
MMP_EXTERN(char *) mmp_json_print(const struct cJSON *item, int pretty);

/**
 * The length of the valid UTF-8 sequence at `p` (1 to 4 bytes), or 0
 * when the bytes there are not one (overlong, surrogate, past U+10FFFF,
 * a bad continuation byte). A NUL is a sequence of 1.
 */
MMP_EXTERN(size_t) mmp_utf8_seq_len(const unsigned char *p);

/**
 * Whether `s` is fit for a name or an identity: valid UTF-8 without
 * control characters (C0, DEL, C1). 0, or MMP_EINVALID with the error
 * "the <what> holds a control character (byte N)" or "... invalid
 * UTF-8 (byte N)" set; the text itself is not repeated. Commands call
 * it on options as they parse them, so a bad name fails before any work.
 */
MMP_EXTERN(int) mmp_str_check_name(const char *what, const char *s);

/**
 * The Levenshtein distance between `a` and `b` in bytes, for "did you
 * mean" suggestions.
 */
MMP_EXTERN(size_t) mmp_str_distance(const char *a, const char *b);

MMP_END_DECL

#endif
