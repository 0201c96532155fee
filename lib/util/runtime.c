/* SPDX-License-Identifier: MIT */
/* runtime.c: global setup of the linked libraries and their versions */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <git2.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <yaml.h>

#include "mmp/version.h"
#include "model/model-internal.h"
#include "remote/remote-internal.h"
#include "util.h"

const char *mmp_version(void)
{
	return MMP_VERSION;
}

size_t mmp_dep_versions(mmp_dep_version *out, size_t max)
{
	mmp_dep_version v[7];
	int a, b, c;
	size_t i, n = 0;

	memset(v, 0, sizeof(v));
	v[n].name = "xgboost";
	mmp_model__xgb_version(v[n++].version, sizeof(v[0].version));
	v[n].name = "sqlite";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		sqlite3_libversion());
	git_libgit2_version(&a, &b, &c);
	v[n].name = "libgit2";
	snprintf(v[n++].version, sizeof(v[0].version), "%d.%d.%d", a, b, c);
	v[n].name = "libcurl";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		mmp_remote__curl_version());
	v[n].name = "libyaml";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		yaml_get_version_string());
	v[n].name = "cjson";
	snprintf(v[n++].version, sizeof(v[0].version), "%s", cJSON_Version());
	v[n].name = "libmicrohttpd";
	snprintf(v[n++].version, sizeof(v[0].version), "%s",
		MHD_get_version());
	for (i = 0; i < n && i < max; i++)
		out[i] = v[i];
	return n;
}

int mmp_global_init(void)
{
	if (git_libgit2_init() < 0)
		return mmp_error_set(MMP_ERROR_GIT, "cannot initialise libgit2");
	if (mmp_remote__global_init() < 0)
		return mmp_error_set(MMP_ERROR_NET, "cannot initialise libcurl");
	return mmp_model__global_init();
}

void mmp_global_shutdown(void)
{
	mmp_model__global_shutdown();
	mmp_remote__global_shutdown();
	git_libgit2_shutdown();
}
