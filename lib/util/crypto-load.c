/* SPDX-License-Identifier: MIT */
/* crypto-load.c: open libcrypto on first use and resolve its functions */
#define MMP_LAZY_LOADER
#include <stdio.h>

#include "crypto-load.h"
#include "util.h"

static int crypto_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_CRYPTO_RESOLVE(f) \
	if (!(mmp_crypto__api.f = (__typeof__(mmp_crypto__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_CRYPTO_FUNCS(MMP_CRYPTO_RESOLVE)
#undef MMP_CRYPTO_RESOLVE
	return 0;
}

struct mmp_crypto_api mmp_crypto__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_CRYPTO, MMP_PACKAGE_CRYPTO,
		"MMP_LIB_CRYPTO", "libcrypto", MMP_ERROR_OS, crypto_resolve,
		NULL),
};

int mmp_crypto__load(void)
{
	return mmp_lazy_load(&mmp_crypto__api.lazy);
}

int mmp_crypto__version(char *out, size_t outlen)
{
	if (mmp_crypto__load() < 0)
		return -1;
	snprintf(out, outlen, "%s",
		mmp_crypto__api.OpenSSL_version(OPENSSL_VERSION_STRING));
	return 0;
}
