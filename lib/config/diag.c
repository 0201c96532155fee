/* SPDX-License-Identifier: MIT */
/* diag.c: lists of located problems found in configs and recipes */
#include <stdarg.h>
#include <stdlib.h>

#include "config-internal.h"

mmp_diag_list *mmp_config__diags_new(void)
{
	return mmp__calloc(1, sizeof(mmp_diag_list));
}

void mmp_config__diag_add(mmp_diag_list *l, const char *file, int line,
	int col, const char *key, const char *fmt, ...)
{
	mmp_buf text = MMP_BUF_INIT, msg = MMP_BUF_INIT;
	mmp_diag *d;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (file && line > 0)
		mmp_buf_printf(&msg, "%s:%d:%d: ", file, line, col);
	else if (file)
		mmp_buf_printf(&msg, "%s: ", file);
	if (key && *key)
		mmp_buf_printf(&msg, "%s: ", key);
	mmp_buf_puts(&msg, text.ptr);

	MMP_ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	d = &l->items[l->nr++];
	d->file = mmp__strdup_or_null(file);
	d->line = file ? line : 0;
	d->column = file ? col : 0;
	d->key = mmp__strdup(key ? key : "");
	d->text = mmp_buf_detach(&text);
	d->message = mmp_buf_detach(&msg);
}

int mmp_config__diags_error(const mmp_diag_list *l, int klass)
{
	if (!l || !l->nr)
		return mmp_error_ret(MMP_EINVALID, klass, "invalid input");
	if (l->nr == 1)
		return mmp_error_ret(MMP_EINVALID, klass, "%s",
			l->items[0].message);
	return mmp_error_ret(MMP_EINVALID, klass, "%s (and %zu more error%s)",
		l->items[0].message, l->nr - 1, l->nr == 2 ? "" : "s");
}

size_t mmp_diag_list_count(const mmp_diag_list *l)
{
	return l ? l->nr : 0;
}

const mmp_diag *mmp_diag_list_get(const mmp_diag_list *l, size_t i)
{
	if (!l || i >= l->nr)
		return NULL;
	return &l->items[i];
}

void mmp_diag_list_free(mmp_diag_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++) {
		free((char *)l->items[i].file);
		free((char *)l->items[i].key);
		free((char *)l->items[i].text);
		free((char *)l->items[i].message);
	}
	free(l->items);
	free(l);
}
