/* SPDX-License-Identifier: MIT */
/* runtime.c: libmmp as a whole: its version, the libraries it uses
 * and their versions, opening them ahead of use, and global set-up */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <yaml.h>

#include "mmp/version.h"
#include "data/data-internal.h"
#include "data/pg-load.h"
#include "gitinfo/gitinfo-internal.h"
#include "model/model-internal.h"
#include "remote/remote-internal.h"
#include "serve/serve-internal.h"
#include "util/crypto-load.h"
#include "util/util.h"

const char *mmp_version(void)
{
	return MMP_VERSION;
}

/* the version of a library opened on first use, or why it cannot be */
static void lazy_version(mmp_dep_version *v, const char *name,
	int (*get)(char *, size_t))
{
	v->name = name;
	if (get(v->version, sizeof(v->version)) < 0) {
		v->version[0] = '\0';
		mmp_error_clear();
	}
}

size_t mmp_dep_versions(mmp_dep_version *out, size_t max)
{
	mmp_dep_version v[11];
	size_t i, n = 0;

	memset(v, 0, sizeof(v));
	lazy_version(&v[n++], "xgboost", mmp_model__xgb_version);
	v[n].name = "sqlite";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		sqlite3_libversion());
	lazy_version(&v[n++], "libgit2", mmp_gitinfo__version);
	lazy_version(&v[n++], "libcurl", mmp_remote__curl_version);
	v[n].name = "libyaml";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		yaml_get_version_string());
	v[n].name = "cjson";
	snprintf(v[n++].version, sizeof(v[0].version), "%s", cJSON_Version());
	lazy_version(&v[n++], "libmicrohttpd", mmp_serve__mhd_version);
	lazy_version(&v[n++], "libpq", mmp_data__pq_version);
	lazy_version(&v[n++], "libcrypto", mmp_crypto__version);
	lazy_version(&v[n++], "zlib", mmp_data__zlib_version);
	lazy_version(&v[n++], "libzstd", mmp_data__zstd_version);
	for (i = 0; i < n && i < max; i++)
		out[i] = v[i];
	return n;
}

int mmp_library_load(unsigned int libs)
{
	if ((libs & MMP_LIBRARY_XGBOOST) && mmp_model__xgb_load() < 0)
		return MMP_ERROR;
	if ((libs & MMP_LIBRARY_GIT) && mmp_gitinfo__load() < 0)
		return MMP_ERROR;
	if ((libs & MMP_LIBRARY_CURL) && mmp_remote__curl_load() < 0)
		return MMP_ERROR;
	if ((libs & MMP_LIBRARY_HTTPD) && mmp_serve__mhd_load() < 0)
		return MMP_ERROR;
	if ((libs & MMP_LIBRARY_CRYPTO) && mmp_crypto__load() < 0)
		return MMP_ERROR;
	if ((libs & MMP_LIBRARY_PQ) && mmp_data__pq_load() < 0)
		return MMP_ERROR;
	return 0;
}

int mmp_global_init(void)
{
	/* the libraries set themselves up when they are first opened */
	return 0;
}

void mmp_global_shutdown(void)
{
	mmp_model__global_shutdown();
	mmp_remote__curl_shutdown();
	mmp_gitinfo__shutdown();
}
