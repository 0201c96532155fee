/* SPDX-License-Identifier: MIT */
/* crypto-load.h: libcrypto, opened on first use (see lazy.h) */
#ifndef LIB_util_crypto_load_h__
#define LIB_util_crypto_load_h__

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lazy.h"

/*
 * Every function of the library this part calls. To call another
 * one, add it to the list and give it its redirect below, in the
 * same order (a call missing here fails to link):
 *	X(EVP_MD_free) \
 *	#define EVP_MD_free MMP_CRYPTO(EVP_MD_free)
 */
#define MMP_CRYPTO_FUNCS(X) \
	X(EVP_DigestFinal_ex) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_fetch) \
	X(OpenSSL_version)

struct mmp_crypto_api {
	struct mmp_lazy lazy;
#define MMP_CRYPTO_MEMBER(f) __typeof__(f) *f;
	MMP_CRYPTO_FUNCS(MMP_CRYPTO_MEMBER)
#undef MMP_CRYPTO_MEMBER
};
extern struct mmp_crypto_api mmp_crypto__api;

/* open libcrypto, once; 0, or -1 with the error
 * "cannot load libcrypto.so.3: ...; install ..." */
int mmp_crypto__load(void);
/* its version ("3.0.15"), opening it; -1 when it cannot be */
int mmp_crypto__version(char *out, size_t outlen);

#ifndef MMP_LAZY_LOADER
#define MMP_CRYPTO(f) MMP_LAZY_FN(mmp_crypto__api, f)
#define EVP_DigestFinal_ex MMP_CRYPTO(EVP_DigestFinal_ex)
#define EVP_DigestInit_ex MMP_CRYPTO(EVP_DigestInit_ex)
#define EVP_DigestUpdate MMP_CRYPTO(EVP_DigestUpdate)
#define EVP_MD_CTX_free MMP_CRYPTO(EVP_MD_CTX_free)
#define EVP_MD_CTX_new MMP_CRYPTO(EVP_MD_CTX_new)
#define EVP_MD_fetch MMP_CRYPTO(EVP_MD_fetch)
#endif

#endif
