/* SPDX-License-Identifier: MIT */
/* sha256.c: SHA-256 (FIPS 180-4) for dataset and recipe digests */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>

#include "util.h"

#if defined(__x86_64__) || defined(__i386__)
# include <immintrin.h>
# define HAVE_SHANI 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t st[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			(w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			(w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

static void compress_portable(uint32_t st[8], const unsigned char *p,
	size_t nblocks)
{
	for (; nblocks; nblocks--, p += 64)
		compress(st, p);
}

#ifdef HAVE_SHANI
/* the SHA extensions (SHA-NI): four rounds per pair of instructions */
__attribute__((target("sha,sse4.1")))
static void compress_shani(uint32_t st[8], const unsigned char *p,
	size_t nblocks)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
		0x0405060700010203ULL);
	__m128i s0, s1, tmp, msg, abef, cdgh, w[4];
	int i;

	tmp = _mm_loadu_si128((const __m128i *)&st[0]);
	s1 = _mm_loadu_si128((const __m128i *)&st[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);         /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);           /* EFGH */
	s0 = _mm_alignr_epi8(tmp, s1, 8);           /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);        /* CDGH */
	for (; nblocks; nblocks--, p += 64) {
		abef = s0;
		cdgh = s1;
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
					(const __m128i *)(p + 16 * i)), swap);
			} else {
				/* W[t] from W[t-16], W[t-15], W[t-7], W[t-2] */
				__m128i x = _mm_sha256msg1_epu32(w[i & 3],
					w[(i + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(
					w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(x,
					w[(i + 3) & 3]);
			}
			msg = _mm_add_epi32(w[i & 3],
				_mm_loadu_si128((const __m128i *)&K[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
			msg = _mm_shuffle_epi32(msg, 0x0E);
			s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);          /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);           /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);        /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);           /* HGFE */
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}
#endif

/*
 * The block function, chosen once: SHA-NI when the CPU has it, unless
 * MMP_SHA256_IMPL=portable asks for the portable code (to compare them).
 */
static void (*compress_blocks)(uint32_t st[8], const unsigned char *p,
	size_t nblocks);
static pthread_once_t pick_once = PTHREAD_ONCE_INIT;

static void pick_impl(void)
{
	const char *want = getenv("MMP_SHA256_IMPL");

	compress_blocks = compress_portable;
#ifdef HAVE_SHANI
	__builtin_cpu_init();
	if ((!want || strcmp(want, "portable")) &&
	    __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1"))
		compress_blocks = compress_shani;
#else
	MMP_UNUSED(want);
#endif
}

void mmp_sha256_init(mmp_sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	pthread_once(&pick_once, pick_impl);
	memcpy(c->state, iv, sizeof(iv));
	c->count = 0;
	c->fill = 0;
}

void mmp_sha256_update(mmp_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->count += len;
	if (c->fill) {
		size_t n = 64 - c->fill < len ? 64 - c->fill : len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < 64)
			return;
		compress_blocks(c->state, c->block, 1);
		c->fill = 0;
	}
	if (len >= 64) {
		compress_blocks(c->state, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy(c->block, p, len);
	c->fill = len;
}

void mmp_sha256_final(mmp_sha256_ctx *c, unsigned char out[32])
{
	uint64_t bits = c->count * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = c->fill < 56 ? 56 - c->fill : 120 - c->fill;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	mmp_sha256_update(c, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->state[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->state[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->state[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->state[i];
	}
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
