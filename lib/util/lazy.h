/* SPDX-License-Identifier: MIT */
/* lazy.h: open a shared library on first use and resolve its functions */
#ifndef LIB_util_lazy_h__
#define LIB_util_lazy_h__

#include <pthread.h>
#include <stdatomic.h>

/*
 * mmp does not link libxgboost, libcurl, libgit2, libmicrohttpd or
 * libcrypto: loading them (and what they pull in: the C++ runtime, TLS,
 * Kerberos, LDAP) costs more than most commands do. The one part of lib/ that
 * uses a library has a loader, `<lib>-load.h` and `<lib>-load.c`,
 * which dlopen()s it by the SONAME found at build time the first time
 * it is needed, resolves every function that part calls and runs the
 * library's global setup once.
 *
 * The loader header lists the functions and redirects each name to
 * its resolved pointer, so call sites read as plain library calls.
 * A call to a function missing from the list is a link error, never a
 * silent eager load: the binary has no DT_NEEDED entry for the library.
 */

struct mmp_lazy {
	const char *soname;     /* "libxgboost.so.0", from the build */
	const char *package;    /* the Debian package shipping it, or "" */
	const char *env;        /* a variable naming another file to open */
	const char *what;       /* "XGBoost", for messages */
	int klass;              /* mmp_error_class of a failure */
	/* store every function's address from `handle`; 0 or -1 */
	int (*resolve)(struct mmp_lazy *l, void *handle);
	/* the library's global setup, run once after resolve; 0 or -1
	 * with the error set (may be NULL) */
	int (*setup)(void);

	/* state: set by mmp_lazy_load() */
	atomic_int state;       /* 0 not tried, 1 loaded, -1 failed */
	pthread_mutex_t lock;
	char *error;            /* why loading failed */
	const char *file;       /* what was opened: soname or $env */
};

#define MMP_LAZY_INIT(soname, package, env, what, klass, resolve, setup) \
	{ (soname), (package), (env), (what), (klass), (resolve), (setup), \
	  0, PTHREAD_MUTEX_INITIALIZER, NULL, NULL }

/*
 * Open the library once (thread-safe); later calls only check. Returns
 * 0, or -1 with the error set to "cannot load <soname>: <why>; install
 * <package>" (the same on every call after a failure).
 */
int mmp_lazy_load(struct mmp_lazy *l);

/* the address of `name` in `handle`, or NULL with l's failure recorded
 * (for a loader's resolve function) */
void *mmp_lazy_sym(struct mmp_lazy *l, void *handle, const char *name);

/* whether the library has been loaded (cheap) */
static inline int mmp_lazy_ready(struct mmp_lazy *l)
{
	return atomic_load_explicit(&l->state, memory_order_acquire) == 1;
}

/*
 * For a call whose part did not call mmp_lazy_load() first: load now,
 * and when that fails abort with the reason on stderr, as calling
 * through a NULL pointer is the only alternative. Parts load at their
 * entry points, so this is a bug when it aborts.
 */
void mmp_lazy_need(struct mmp_lazy *l);

/*
 * The call-site form of a function of loader `api`:
 *     #define XGBoosterFree MMP_LAZY_FN(mmp_xgb__api, XGBoosterFree)
 */
#define MMP_LAZY_FN(api, f) \
	(*(mmp_lazy_ready(&(api).lazy) ? (api).f : \
	   (mmp_lazy_need(&(api).lazy), (api).f)))

#endif
