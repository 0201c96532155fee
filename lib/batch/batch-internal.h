/* SPDX-License-Identifier: MIT */
/* batch-internal.h: number and row formatting shared by lib/batch */
#ifndef LIB_batch_batch_internal_h__
#define LIB_batch_batch_internal_h__

#include <stddef.h>

#include "mmp/batch.h"
#include "util/util.h"

/*
 * Exactly the text of mmp_fmt_float() (the first of %.1g ... %.8g that
 * reads back as `v`, else %.9g; "NaN", "Infinity", "-Infinity"), with
 * one snprintf instead of up to nine snprintf + strtof pairs. Returns
 * the length written to `out`.
 */
size_t mmp_batch__fmt_float(char out[32], float v);

/* append `s` as one CSV field (quoted when it holds ',', '"', CR, LF) */
void mmp_batch__csv_field(mmp_buf *out, const char *s);

/* append `s` as a JSON string literal */

#endif
