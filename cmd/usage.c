/* SPDX-License-Identifier: MIT */
/* usage.c: error, warning and fatal messages in git's form */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"

/*
 * Every message names things the user typed (files, models, values), so
 * it is written through term_escape(): a name holding a newline or an
 * escape sequence cannot forge a second message or drive the terminal.
 * A newline stays one only before an indented continuation line (a list
 * of candidates), which cannot pass for a message of its own.
 */
static void put_escaped(mmp_buf *out, char *text)
{
	char *nl;

	while ((nl = strchr(text, '\n'))) {
		*nl = '\0';
		term_escape(out, text);
		mmp_buf_puts(out, strncmp(nl + 1, "  ", 2) ? "\\n" : "\n");
		text = nl + 1;
	}
	term_escape(out, text);
}

static void vreport(const char *prefix, const char *fmt, va_list ap,
	const char *cause)
{
	mmp_buf raw = MMP_BUF_INIT, out = MMP_BUF_INIT;

	mmp_buf_vprintf(&raw, fmt, ap);
	if (cause) {
		mmp_buf_puts(&raw, ": ");
		mmp_buf_puts(&raw, cause);
	}
	mmp_buf_puts(&out, prefix);
	put_escaped(&out, raw.ptr);
	mmp_buf_putc(&out, '\n');
	fflush(stdout);
	fwrite(out.ptr, 1, out.size, stderr);
	mmp_buf_dispose(&raw);
	mmp_buf_dispose(&out);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_FATAL);
}

int error_lib(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, mmp_error_last()->message);
	va_end(ap);
	return EXIT_FAIL;
}

void die_lib(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, mmp_error_last()->message);
	va_end(ap);
	exit(EXIT_FATAL);
}

void check_name_option(const char *opt, const char *what, const char *value)
{
	if (value && mmp_str_check_name(what, value) < 0) {
		error_lib("option '%s'", opt);
		exit(EXIT_FAIL);
	}
}

void info(struct mmp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->verbosity < 0)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
}
