/* SPDX-License-Identifier: MIT */
/* curl-load.c: open libcurl on first use and resolve its functions */
#include <stdio.h>

#define MMP_LAZY_LOADER
#include "curl-load.h"
#include "remote-internal.h"

static int curl_resolve(struct mmp_lazy *l, void *h)
{
#define MMP_CURL_RESOLVE(f) \
	if (!(mmp_curl__api.f = (__typeof__(mmp_curl__api.f)) \
	    mmp_lazy_sym(l, h, #f))) \
		return -1;
	MMP_CURL_FUNCS(MMP_CURL_RESOLVE)
#undef MMP_CURL_RESOLVE
	return 0;
}

static int curl_setup(void)
{
	CURLcode rc = mmp_curl__api.curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK)
		return mmp_error_set(MMP_ERROR_NET,
			"cannot initialise libcurl: %s",
			mmp_curl__api.curl_easy_strerror(rc));
	return 0;
}

struct mmp_curl_api mmp_curl__api = {
	.lazy = MMP_LAZY_INIT(MMP_SONAME_CURL, MMP_PACKAGE_CURL,
		"MMP_LIB_CURL", "libcurl", MMP_ERROR_NET, curl_resolve,
		curl_setup),
};

int mmp_remote__curl_load(void)
{
	return mmp_lazy_load(&mmp_curl__api.lazy);
}

int mmp_remote__curl_version(char *out, size_t outlen)
{
	if (mmp_remote__curl_load() < 0)
		return -1;
	snprintf(out, outlen, "%s",
		mmp_curl__api.curl_version_info(CURLVERSION_NOW)->version);
	return 0;
}

void mmp_remote__curl_shutdown(void)
{
	if (mmp_lazy_ready(&mmp_curl__api.lazy))
		mmp_curl__api.curl_global_cleanup();
}
