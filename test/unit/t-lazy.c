/* SPDX-License-Identifier: MIT */
/* t-lazy.c: libraries opened on first use: concurrent first use, a
 * missing library's error, and what still works without it */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/url.h"
#include "tap.h"

#define NTHREADS 8
#define PRESENT (MMP_LIBRARY_XGBOOST | MMP_LIBRARY_GIT | MMP_LIBRARY_HTTPD | \
	MMP_LIBRARY_CRYPTO)

static pthread_barrier_t start;

static void *load_all(void *arg)
{
	int *rc = arg;

	pthread_barrier_wait(&start);
	*rc = mmp_library_load(PRESENT);
	return NULL;
}

static const char *version_of(const mmp_dep_version *v, size_t n,
	const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].version;
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	int rc[NTHREADS], i, ok_all = 1;
	const char *prefix = "cannot load libmmp-test-missing.so.9: ";
	const mmp_error *e;
	char *first;
	mmp_dep_version deps[16];
	size_t n;
	mmp_buf b = MMP_BUF_INIT;

	/* read when libcurl is first needed, which is below */
	setenv("MMP_LIB_CURL", "libmmp-test-missing.so.9", 1);

	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, load_all, &rc[i]);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ok_all &= rc[i] == 0;
	}
	ok(ok_all, "%d threads open XGBoost, libgit2, libmicrohttpd and "
		"libcrypto at once", NTHREADS);
	pthread_barrier_destroy(&start);
	is_int(mmp_library_load(PRESENT), 0, "a second load is a no-op");

	is_int(mmp_library_load(MMP_LIBRARY_CURL), MMP_ERROR,
		"a missing libcurl fails to load");
	e = mmp_error_last();
	is_int(e->klass, MMP_ERROR_NET, "as a network-class error");
	ok(!strncmp(e->message, prefix, strlen(prefix)),
		"the message names the file: %s", e->message);
	ok(strstr(e->message, "cannot open shared object file") != NULL,
		"and the loader's reason");
	ok(strstr(e->message, "; install ") != NULL, "and what to install");
	first = strdup(e->message);
	mmp_error_clear();
	is_int(mmp_library_load(MMP_LIBRARY_CURL | MMP_LIBRARY_XGBOOST),
		MMP_ERROR, "it fails again, without retrying");
	is_str(mmp_error_last()->message, first, "with the same message");
	free(first);

	/* libcurl parses URLs for credentials: without it, a URL that may
	 * hold some is hidden rather than printed */
	mmp_url_redact(&b, "uri=http://bob:PW@host:5000/x");
	is_str(b.ptr, "uri=http://***@host:5000/x",
		"credentials are hidden without libcurl");
	mmp_buf_clear(&b);
	mmp_url_redact(&b, "no url here");
	is_str(b.ptr, "no url here", "plain text is left alone");
	mmp_buf_dispose(&b);

	n = mmp_dep_versions(deps, 16);
	is_int((int)n, 11, "eleven libraries are listed");
	is_str(version_of(deps, n, "libcurl"), "",
		"a missing library has an empty version");
	ok(version_of(deps, n, "xgboost") && *version_of(deps, n, "xgboost"),
		"XGBoost has its version");
	ok(version_of(deps, n, "libgit2") && *version_of(deps, n, "libgit2"),
		"libgit2 has its version");
	ok(version_of(deps, n, "libmicrohttpd") &&
		*version_of(deps, n, "libmicrohttpd"),
		"libmicrohttpd has its version");
	ok(version_of(deps, n, "libpq") && *version_of(deps, n, "libpq"),
		"libpq has its version");
	ok(version_of(deps, n, "libzstd") && *version_of(deps, n, "libzstd"),
		"libzstd has its version");
	mmp_global_shutdown();
	return done_testing();
}
