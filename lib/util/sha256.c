/* SPDX-License-Identifier: MIT */
/* sha256.c: SHA-256 for dataset, recipe and audit digests, MD5 for S3,
 * SHA-1 for the AWS SSO token cache's file names (libcrypto) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto-load.h"
#include "util.h"

/*
 * libcrypto's only home in mmp, opened on the first digest (commands
 * that hash nothing do not load it). The digest is fetched once;
 * OpenSSL picks the fastest code for the CPU (SHA extensions, AVX2).
 */
static EVP_MD *sha256_md, *md5_md, *sha1_md;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void fetch_md(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

/*
 * libcrypto fails here only when it is not installed, without memory or
 * without its default provider: as the allocation wrappers do, say so
 * and abort
 */
static void crypto_die(const char *what)
{
	char msg[512];
	int len = snprintf(msg, sizeof(msg), "fatal: %s\n", what);

	if (len > 0 && write(2, msg, (size_t)len) < 0)
		abort();
	abort();
}

void mmp_sha256_init(mmp_sha256_ctx *c)
{
	if (mmp_crypto__load() < 0)
		crypto_die(mmp_error_last()->message);
	pthread_once(&md_once, fetch_md);
	c->md = EVP_MD_CTX_new();
	if (!sha256_md || !c->md || !EVP_DigestInit_ex(c->md, sha256_md, NULL))
		crypto_die("cannot set up SHA-256");
}

void mmp_sha256_update(mmp_sha256_ctx *c, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(c->md, data, len))
		crypto_die("SHA-256 update failed");
}

void mmp_sha256_final(mmp_sha256_ctx *c, unsigned char out[32])
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(c->md, out, &n) || n != 32)
		crypto_die("SHA-256 final failed");
	mmp_sha256_release(c);
}

void mmp_sha256_release(mmp_sha256_ctx *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

void mmp_md5_init(mmp_md5_ctx *c)
{
	if (mmp_crypto__load() < 0)
		crypto_die(mmp_error_last()->message);
	pthread_once(&md_once, fetch_md);
	c->md = EVP_MD_CTX_new();
	if (!md5_md || !c->md || !EVP_DigestInit_ex(c->md, md5_md, NULL))
		crypto_die("cannot set up MD5");
}

void mmp_md5_update(mmp_md5_ctx *c, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(c->md, data, len))
		crypto_die("MD5 update failed");
}

void mmp_md5_final(mmp_md5_ctx *c, unsigned char out[16])
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(c->md, out, &n) || n != 16)
		crypto_die("MD5 final failed");
	mmp_md5_release(c);
}

void mmp_md5_release(mmp_md5_ctx *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

void mmp_sha1_buf_hex(char out_hex[41], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[20];
	unsigned int n = 0;
	void *md;
	int i;

	if (mmp_crypto__load() < 0)
		crypto_die(mmp_error_last()->message);
	pthread_once(&md_once, fetch_md);
	md = EVP_MD_CTX_new();
	if (!sha1_md || !md || !EVP_DigestInit_ex(md, sha1_md, NULL) ||
	    (len && !EVP_DigestUpdate(md, data, len)) ||
	    !EVP_DigestFinal_ex(md, d, &n) || n != 20)
		crypto_die("SHA-1 failed");
	EVP_MD_CTX_free(md);
	for (i = 0; i < 20; i++) {
		out_hex[2 * i] = hex[d[i] >> 4];
		out_hex[2 * i + 1] = hex[d[i] & 15];
	}
	out_hex[40] = '\0';
}

void mmp_sha256_hex(char out[65], const unsigned char digest[32])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

void mmp_sha256_buf_hex(char out_hex[65], const void *data, size_t len)
{
	mmp_sha256_ctx c;
	unsigned char d[32];

	mmp_sha256_init(&c);
	mmp_sha256_update(&c, data, len);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out_hex, d);
}

int mmp_sha256_file(char out_hex[65], const char *path)
{
	static const size_t bufsz = 1 << 16;
	unsigned char *buf, d[32];
	mmp_sha256_ctx c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return mmp_error_set_os("cannot open '%s'", path);
	buf = mmp__malloc(bufsz);
	mmp_sha256_init(&c);
	while ((n = read(fd, buf, bufsz)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mmp_error_set_os("cannot read '%s'", path);
			mmp_sha256_release(&c);
			free(buf);
			close(fd);
			return MMP_ERROR;
		}
		mmp_sha256_update(&c, buf, (size_t)n);
	}
	close(fd);
	free(buf);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(out_hex, d);
	return 0;
}
