/* SPDX-License-Identifier: MIT */
/* error.c: the thread-local last error */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static _Thread_local mmp_error last_error;
static _Thread_local char *last_message;
static char no_error[] = "no error";

const mmp_error *mmp_error_last(void)
{
	if (!last_message) {
		last_error.message = no_error;
		last_error.klass = MMP_ERROR_NONE;
	}
	return &last_error;
}

void mmp_error_clear(void)
{
	free(last_message);
	last_message = NULL;
	last_error.message = no_error;
	last_error.klass = MMP_ERROR_NONE;
}

int mmp_error_setv(int klass, const char *fmt, va_list ap)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_vprintf(&b, fmt, ap);
	free(last_message);
	last_message = mmp_buf_detach(&b);
	last_error.message = last_message;
	last_error.klass = klass;
	return MMP_ERROR;
}

int mmp_error_set(int klass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmp_error_setv(klass, fmt, ap);
	va_end(ap);
	return MMP_ERROR;
}

int mmp_error_ret(int code, int klass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmp_error_setv(klass, fmt, ap);
	va_end(ap);
	return code;
}

int mmp_error_set_os(const char *fmt, ...)
{
	int err = errno;
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mmp_buf_printf(&b, ": %s", strerror(err));
	free(last_message);
	last_message = mmp_buf_detach(&b);
	last_error.message = last_message;
	last_error.klass = MMP_ERROR_OS;
	errno = err;
	return MMP_ERROR;
}

void mmp_error_prefix(const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mmp_buf_printf(&b, ": %s", mmp_error_last()->message);
	free(last_message);
	last_message = mmp_buf_detach(&b);
	last_error.message = last_message;
}

const char *mmp_error_class_name(int klass)
{
	static const char *const names[] = {
		"none", "os", "nomemory", "store", "yaml", "data", "xgboost",
		"git", "net", "http", "config", "recipe", "invalid",
		"registry", "model",
	};
	if (klass < 0 || (size_t)klass >= ARRAY_SIZE(names))
		return "unknown";
	return names[klass];
}
