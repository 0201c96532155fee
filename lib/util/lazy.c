/* SPDX-License-Identifier: MIT */
/* lazy.c: open a shared library on first use and resolve its functions */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lazy.h"
#include "util.h"

/* dlerror() text without the file name it starts with, when it does */
static const char *dl_reason(const char *msg, const char *file)
{
	size_t n = strlen(file);

	if (!msg)
		return "unknown error";
	if (!strncmp(msg, file, n) && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

static void record_failure(struct mmp_lazy *l, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

static void record_failure(struct mmp_lazy *l, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	if (l->error)
		return;
	mmp_buf_printf(&b, "cannot load %s: ", l->file);
	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (l->package && *l->package)
		mmp_buf_printf(&b, "; install %s", l->package);
	else
		mmp_buf_printf(&b, "; install %s's shared library", l->what);
	l->error = mmp_buf_detach(&b);
}

void *mmp_lazy_sym(struct mmp_lazy *l, void *handle, const char *name)
{
	void *p;

	dlerror();
	p = dlsym(handle, name);
	if (!p)
		record_failure(l, "it has no function %s (too old?)", name);
	return p;
}

static const char *file_to_open(const struct mmp_lazy *l)
{
	const char *f = l->env ? secure_getenv(l->env) : NULL;

	return f && *f ? f : l->soname;
}

int mmp_lazy_load(struct mmp_lazy *l)
{
	int state = atomic_load_explicit(&l->state, memory_order_acquire);
	void *h;

	if (state == 0) {
		pthread_mutex_lock(&l->lock);
		state = atomic_load_explicit(&l->state, memory_order_relaxed);
		if (state == 0) {
			l->file = file_to_open(l);
			h = dlopen(l->file, RTLD_LAZY | RTLD_LOCAL);
			if (!h) {
				record_failure(l, "%s",
					dl_reason(dlerror(), l->file));
			} else if (l->resolve(l, h) < 0) {
				/* keep it open: a half-resolved table is
				 * never used, and unloading C++ is unsafe */
			} else if (l->setup && l->setup() < 0) {
				record_failure(l, "%s",
					mmp_error_last()->message);
			} else {
				state = 1;
			}
			if (state != 1)
				state = -1;
			atomic_store_explicit(&l->state, state,
				memory_order_release);
		}
		pthread_mutex_unlock(&l->lock);
	}
	if (state == 1)
		return 0;
	return mmp_error_set(l->klass, "%s", l->error);
}

void mmp_lazy_need(struct mmp_lazy *l)
{
	if (mmp_lazy_load(l) == 0)
		return;
	fprintf(stderr, "fatal: %s\n", l->error);
	abort();
}
