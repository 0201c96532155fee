/* SPDX-License-Identifier: MIT */
/* rows-digest.c: the canonical digest of rows, whatever their source:
 * of a loaded frame at once, or of chunks read one after another */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data-internal.h"

/* rows encoded at a time before they are hashed or spilled */
#define BLOCK_ROWS 1024

static void put_u32(mmp_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
		(unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	mmp_buf_put(b, x, 4);
}

static void put_str(mmp_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u32(b, (uint32_t)n);
	mmp_buf_put(b, s ? s : "", n);
}

static void put_table(mmp_buf *b, const mmp_category_table *t)
{
	size_t i, n = mmp_category_table_count(t);

	put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		put_str(b, mmp_category_table_string(t, i));
}

/* the columns of `f`, its first `ne` entity columns among them */
static void put_shape(mmp_buf *b, const mmp_frame *f, size_t ne)
{
	size_t nf = mmp_frame_nfeatures(f), j;

	mmp_buf_put(b, "mmp-rows/1", 10);
	put_u32(b, (uint32_t)nf);
	for (j = 0; j < nf; j++) {
		put_str(b, mmp_frame_feature_name(f, j));
		if (mmp_frame_feature_kind(f, j) == MMP_FEATURE_CATEGORICAL) {
			mmp_buf_putc(b, 'c');
			put_table(b, mmp_frame_categories(f, j));
		} else {
			mmp_buf_putc(b, 'n');
		}
	}
	if (mmp_frame_target_f64(f)) {
		mmp_buf_putc(b, 't');
		put_str(b, mmp_frame_target_name(f));
		if (mmp_frame_classes(f)) {
			mmp_buf_putc(b, 'c');
			put_table(b, mmp_frame_classes(f));
		} else {
			mmp_buf_putc(b, 'r');
		}
	}
	put_u32(b, (uint32_t)ne);
	for (j = 0; j < ne; j++)
		put_str(b, mmp_frame_entity_name(f, j));
	if (mmp_frame_timestamps(f)) {
		mmp_buf_putc(b, 's');
		put_str(b, mmp_frame_timestamp_name(f));
	}
}

static void put_count(mmp_buf *b, uint64_t n)
{
	put_u32(b, (uint32_t)(n >> 32));
	put_u32(b, (uint32_t)n);
}

/* little-endian bytes of a float/double, every NaN spelled one way */
static unsigned char *le32(unsigned char *p, float v)
{
	uint32_t u;

	if (isnan(v))
		u = UINT32_C(0x7fc00000);
	else
		memcpy(&u, &v, 4);
	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
	p[2] = (unsigned char)(u >> 16);
	p[3] = (unsigned char)(u >> 24);
	return p + 4;
}

static unsigned char *le64(unsigned char *p, double v)
{
	uint64_t u;
	int k;

	if (isnan(v))
		u = UINT64_C(0x7ff8000000000000);
	else
		memcpy(&u, &v, 8);
	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(u >> (8 * k));
	return p + 8;
}

/*
 * n floats as little-endian bytes, every NaN spelled one way: a copy
 * and a fix-up where the host is little-endian
 */
static unsigned char *le32s(unsigned char *p, const float *x, size_t n)
{
	size_t i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, x, n * 4);
	for (i = 0; i < n; i++)
		if (isnan(x[i]))
			le32(p + i * 4, x[i]);
	return p + n * 4;
#else
	for (i = 0; i < n; i++)
		p = le32(p, x[i]);
	return p;
#endif
}

/* rows [from, to) of `f` */
static void put_rows(mmp_buf *b, const mmp_frame *f, size_t ne,
	size_t from, size_t to)
{
	const float *x = mmp_frame_features(f);
	const double *y = mmp_frame_target_f64(f);
	const double *ts = mmp_frame_timestamps(f);
	size_t nf = mmp_frame_nfeatures(f), r, j;
	size_t fixed = nf * 4 + (y ? 8 : 0) + (ts ? 8 : 0);
	unsigned char *p;

	if (!y && !ts && !ne) {
		/* features only: the block is one run of floats */
		mmp_buf_grow(b, (to - from) * fixed);
		le32s((unsigned char *)b->ptr + b->size, x + from * nf,
			(to - from) * nf);
		b->size += (to - from) * fixed;
		b->ptr[b->size] = '\0';
		return;
	}
	for (r = from; r < to; r++) {
		mmp_buf_grow(b, fixed);
		p = le32s((unsigned char *)b->ptr + b->size, x + r * nf, nf);
		if (y)
			p = le64(p, y[r]);
		if (ts)
			p = le64(p, ts[r]);
		b->size += fixed;
		b->ptr[b->size] = '\0';
		for (j = 0; j < ne; j++)
			put_str(b, mmp_frame_entity(f, j, r));
	}
}

static void hash_buf(mmp_sha256_ctx *c, mmp_buf *b)
{
	mmp_sha256_update(c, b->ptr, b->size);
	mmp_buf_clear(b);
}

void mmp_frame_rows_digest(const mmp_frame *f, char out[65])
{
	size_t n = mmp_frame_nrows(f), ne = mmp_frame_nentities(f), r;
	mmp_buf b = MMP_BUF_INIT;
	mmp_sha256_ctx c;
	unsigned char d[32];

	mmp_sha256_init(&c);
	put_shape(&b, f, ne);
	put_count(&b, n);
	hash_buf(&c, &b);
	for (r = 0; r < n; r += BLOCK_ROWS) {
		put_rows(&b, f, ne, r, r + BLOCK_ROWS < n ? r + BLOCK_ROWS : n);
		hash_buf(&c, &b);
	}
	mmp_buf_dispose(&b);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out, d);
}

/* ------------------------------------------------------------------ */
/* rows in chunks                                                      */

/*
 * The row count comes before the rows in the encoding, and is known
 * only at the end: the rows wait, encoded, in an unlinked temporary
 * file, and are hashed after the count.
 */
struct mmp_rows_digest {
	size_t nentities;
	int have_shape;
	mmp_buf shape;
	uint64_t rows;
	int fd;                  /* the encoded rows; -1 before the first */
	mmp_buf block;
};

int mmp_rows_digest_new(mmp_rows_digest **out, size_t nentities)
{
	mmp_rows_digest *d = mmp__calloc(1, sizeof(*d));

	d->nentities = nentities;
	d->fd = -1;
	*out = d;
	return 0;
}

static int spill_open(mmp_rows_digest *d)
{
	const char *dir = getenv("TMPDIR");
	mmp_buf p = MMP_BUF_INIT;
	int err = 0;

	if (!dir || !*dir)
		dir = "/tmp";
	mmp_buf_printf(&p, "%s/mmp-rows-XXXXXX", dir);
	d->fd = mkostemp(p.ptr, O_CLOEXEC);
	if (d->fd < 0)
		err = mmp_error_set_os("cannot create a temporary file in "
			"'%s' for the rows digest", dir);
	else
		unlink(p.ptr);
	mmp_buf_dispose(&p);
	return err;
}

static int spill(mmp_rows_digest *d)
{
	const char *p = d->block.ptr;
	size_t left = d->block.size;

	while (left) {
		ssize_t w = write(d->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return mmp_error_set_os("cannot write the rows to "
				"digest to a temporary file");
		p += w;
		left -= (size_t)w;
	}
	mmp_buf_clear(&d->block);
	return 0;
}

int mmp_rows_digest_add(mmp_rows_digest *d, const mmp_frame *f)
{
	size_t n = mmp_frame_nrows(f), ne = mmp_frame_nentities(f), r;
	int err;

	if (ne > d->nentities)
		ne = d->nentities;
	if (!d->have_shape) {
		if (d->fd < 0 && (err = spill_open(d)) < 0)
			return err;
		d->nentities = ne;
		put_shape(&d->shape, f, ne);
		d->have_shape = 1;
	}
	for (r = 0; r < n; r += BLOCK_ROWS) {
		put_rows(&d->block, f, ne, r,
			r + BLOCK_ROWS < n ? r + BLOCK_ROWS : n);
		if ((err = spill(d)) < 0)
			return err;
	}
	d->rows += n;
	return 0;
}

int mmp_rows_digest_final(mmp_rows_digest *d, char out[65])
{
	mmp_sha256_ctx c;
	unsigned char h[32];
	char buf[65536];
	ssize_t got;

	out[0] = '\0';
	if (!d->have_shape)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"no rows came to digest");
	if (lseek(d->fd, 0, SEEK_SET) < 0)
		return mmp_error_set_os("cannot read back the rows to digest");
	mmp_sha256_init(&c);
	put_count(&d->shape, d->rows);
	hash_buf(&c, &d->shape);
	while ((got = read(d->fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			mmp_sha256_release(&c);
			return mmp_error_set_os("cannot read back the rows to "
				"digest");
		}
		mmp_sha256_update(&c, buf, (size_t)got);
	}
	mmp_sha256_final(&c, h);
	mmp_sha256_hex(out, h);
	d->have_shape = 0;
	return 0;
}

void mmp_rows_digest_free(mmp_rows_digest *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	mmp_buf_dispose(&d->shape);
	mmp_buf_dispose(&d->block);
	free(d);
}
