/* SPDX-License-Identifier: MIT */
/* decompress.c: streaming gzip (zlib) and zstd decompression of inputs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "data-internal.h"

#define IN_SIZE ((size_t)256 << 10)   /* compressed bytes per read */

struct mmp_data__dec {
	enum mmp_data__codec codec;
	int fd;
	const char *name;       /* borrowed from the caller */
	mmp_sha256_ctx *sha;    /* borrowed: the compressed bytes are hashed */
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof;            /* the file has no more bytes */
	bool done;              /* the data ended cleanly */
	bool in_stream;         /* inside a gzip member or zstd frame */
	uint64_t consumed;      /* compressed bytes read from the file */
	uint64_t produced;      /* decompressed bytes handed out */
	z_stream z;
	bool z_init;
	ZSTD_DStream *zs;
};

int mmp_data__zlib_version(char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", zlibVersion());
	return 0;
}

int mmp_data__zstd_version(char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", ZSTD_versionString());
	return 0;
}

enum mmp_data__codec mmp_data__codec_of(const char *path)
{
	if (!path)
		return MMP_DATA_CODEC_NONE;
	if (mmp_str_ends_with(path, ".gz"))
		return MMP_DATA_CODEC_GZIP;
	if (mmp_str_ends_with(path, ".zst"))
		return MMP_DATA_CODEC_ZSTD;
	return MMP_DATA_CODEC_NONE;
}

int mmp_csv_is_compressed(const char *path)
{
	return mmp_data__codec_of(path) != MMP_DATA_CODEC_NONE;
}

static const char *codec_name(enum mmp_data__codec c)
{
	return c == MMP_DATA_CODEC_GZIP ? "gzip" : "zstd";
}

int mmp_data__dec_open(struct mmp_data__dec **out,
	enum mmp_data__codec codec, int fd, const char *name,
	mmp_sha256_ctx *sha)
{
	struct mmp_data__dec *d = mmp__calloc(1, sizeof(*d));

	*out = NULL;
	d->codec = codec;
	d->fd = fd;
	d->name = name;
	d->sha = sha;
	d->in = mmp__malloc(IN_SIZE);
	if (codec == MMP_DATA_CODEC_GZIP) {
		/* 15 + 16: the largest window, gzip wrapper only */
		if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
			free(d->in);
			free(d);
			return mmp_error_ret(MMP_ERROR, MMP_ERROR_DATA,
				"cannot start gzip decompression of '%s'",
				name);
		}
		d->z_init = true;
	} else {
		d->zs = ZSTD_createDStream();
		if (!d->zs || ZSTD_isError(ZSTD_initDStream(d->zs))) {
			ZSTD_freeDStream(d->zs);
			free(d->in);
			free(d);
			return mmp_error_ret(MMP_ERROR, MMP_ERROR_DATA,
				"cannot start zstd decompression of '%s'",
				name);
		}
	}
	*out = d;
	return 0;
}

void mmp_data__dec_free(struct mmp_data__dec *d)
{
	if (!d)
		return;
	if (d->z_init)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	free(d->in);
	free(d);
}

uint64_t mmp_data__dec_consumed(const struct mmp_data__dec *d)
{
	return d ? d->consumed : 0;
}

/* refill the input buffer once it is used up; hash what was read */
static int fill_input(struct mmp_data__dec *d)
{
	ssize_t n;

	if (d->in_pos < d->in_len || d->in_eof)
		return 0;
	d->in_pos = d->in_len = 0;
	do
		n = read(d->fd, d->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mmp_error_set_os("cannot read '%s'", d->name);
	if (n == 0) {
		d->in_eof = true;
		return 0;
	}
	mmp_sha256_update(d->sha, d->in, (size_t)n);
	d->in_len = (size_t)n;
	d->consumed += (uint64_t)n;
	return 0;
}

static int truncated(const struct mmp_data__dec *d)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
		"'%s': truncated %s data: the file ends inside a compressed "
		"stream (after %llu bytes of data)", d->name,
		codec_name(d->codec), (unsigned long long)d->produced);
}

static int corrupt(const struct mmp_data__dec *d, const char *why)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
		"'%s': corrupt %s data after %llu bytes of data: %s",
		d->name, codec_name(d->codec),
		(unsigned long long)d->produced, why);
}

/* one step of gzip: inflate into out[*n..cap) */
static int gzip_step(struct mmp_data__dec *d, char *out, size_t cap,
	size_t *n)
{
	int ret;

	d->z.next_in = d->in + d->in_pos;
	d->z.avail_in = (uInt)(d->in_len - d->in_pos);
	d->z.next_out = (unsigned char *)out + *n;
	d->z.avail_out = (uInt)(cap - *n > UINT32_MAX ? UINT32_MAX :
		cap - *n);
	ret = inflate(&d->z, Z_NO_FLUSH);
	*n = (size_t)((char *)d->z.next_out - out);
	d->in_pos = (size_t)(d->z.next_in - d->in);
	switch (ret) {
	case Z_OK:
	case Z_BUF_ERROR:       /* no progress possible: needs input */
		d->in_stream = true;
		return 0;
	case Z_STREAM_END:
		/* a gzip file may hold several members back to back */
		d->in_stream = false;
		if (inflateReset(&d->z) != Z_OK)
			return corrupt(d, "cannot restart the stream");
		return 0;
	case Z_MEM_ERROR:
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_DATA,
			"'%s': out of memory decompressing", d->name);
	default:
		return corrupt(d, d->z.msg ? d->z.msg : "invalid data");
	}
}

/* one step of zstd: decompress into out[*n..cap) */
static int zstd_step(struct mmp_data__dec *d, char *out, size_t cap,
	size_t *n)
{
	ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
	ZSTD_outBuffer ob = { out, cap, *n };
	size_t ret = ZSTD_decompressStream(d->zs, &ob, &in);

	if (ZSTD_isError(ret))
		return corrupt(d, ZSTD_getErrorName(ret));
	*n = ob.pos;
	d->in_pos = in.pos;
	/* 0: a frame is complete and everything in it was flushed */
	d->in_stream = ret != 0;
	return 0;
}

int mmp_data__dec_read(struct mmp_data__dec *d, char *out, size_t cap,
	size_t *n)
{
	int error;

	*n = 0;
	while (*n < cap && !d->done) {
		size_t before = *n, in_before;

		if ((error = fill_input(d)) < 0)
			return error;
		if (d->in_pos == d->in_len && d->in_eof) {
			/*
			 * The end of the file: clean between streams, but
			 * an empty file or one cut inside a stream is not
			 * compressed data.
			 */
			if (d->in_stream || !d->consumed)
				return truncated(d);
			d->done = true;
			break;
		}
		in_before = d->in_pos;
		error = d->codec == MMP_DATA_CODEC_GZIP ?
			gzip_step(d, out, cap, n) : zstd_step(d, out, cap, n);
		if (error < 0)
			return error;
		d->produced += *n - before;
		if (*n > before)
			break;  /* hand out what there is; read again later */
		if (d->in_pos == in_before && d->in_pos < d->in_len)
			return corrupt(d, "the decompressor makes no progress");
	}
	return 0;
}
