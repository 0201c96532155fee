/* SPDX-License-Identifier: MIT */
/* curl-load.h: libcurl, opened on first use (see util/lazy.h) */
#ifndef LIB_remote_curl_load_h__
#define LIB_remote_curl_load_h__

#include <curl/curl.h>

#include "util/lazy.h"

/*
 * Every function of the library this part calls. To call another
 * one, add it to the list and give it its redirect below, in the
 * same order (a call missing here fails to link):
 *	X(curl_easy_escape) \
 *	#define curl_easy_escape MMP_CURL(curl_easy_escape)
 */
#define MMP_CURL_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_free) \
	X(curl_global_cleanup) \
	X(curl_global_init) \
	X(curl_slist_append) \
	X(curl_slist_free_all) \
	X(curl_url) \
	X(curl_url_cleanup) \
	X(curl_url_get) \
	X(curl_url_set) \
	X(curl_version_info)

struct mmp_curl_api {
	struct mmp_lazy lazy;
#define MMP_CURL_MEMBER(f) __typeof__(f) *f;
	MMP_CURL_FUNCS(MMP_CURL_MEMBER)
#undef MMP_CURL_MEMBER
};
extern struct mmp_curl_api mmp_curl__api;

/* open libcurl and run curl_global_init(), once; 0, or -1 with the
 * error "cannot load libcurl.so.4: ...; install ..." */
int mmp_remote__curl_load(void);
/* the MMP_HTTP_E* class of a failed transfer (http.c) */
int mmp_remote__transport_of(CURLcode rc, long os_errno);

/* curl.h checks the types of curl_easy_setopt() and curl_easy_getinfo()
 * arguments with macros of those names, which call the real symbols */
#ifndef MMP_LAZY_LOADER
#undef curl_easy_setopt
#undef curl_easy_getinfo
#endif

#ifndef MMP_LAZY_LOADER
#define MMP_CURL(f) MMP_LAZY_FN(mmp_curl__api, f)
#define curl_easy_cleanup MMP_CURL(curl_easy_cleanup)
#define curl_easy_getinfo MMP_CURL(curl_easy_getinfo)
#define curl_easy_init MMP_CURL(curl_easy_init)
#define curl_easy_perform MMP_CURL(curl_easy_perform)
#define curl_easy_reset MMP_CURL(curl_easy_reset)
#define curl_easy_setopt MMP_CURL(curl_easy_setopt)
#define curl_easy_strerror MMP_CURL(curl_easy_strerror)
#define curl_free MMP_CURL(curl_free)
#define curl_global_cleanup MMP_CURL(curl_global_cleanup)
#define curl_global_init MMP_CURL(curl_global_init)
#define curl_slist_append MMP_CURL(curl_slist_append)
#define curl_slist_free_all MMP_CURL(curl_slist_free_all)
#define curl_url MMP_CURL(curl_url)
#define curl_url_cleanup MMP_CURL(curl_url_cleanup)
#define curl_url_get MMP_CURL(curl_url_get)
#define curl_url_set MMP_CURL(curl_url_set)
#define curl_version_info MMP_CURL(curl_version_info)
#endif

#endif
