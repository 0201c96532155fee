/* SPDX-License-Identifier: MIT */
/* run-params.c: a model's XGBoost parameters as a run records them */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "run-params.h"

size_t mmp_train__run_params(mmp_kv *out, mmp_buf *text,
	const mmp_model_param *p, size_t n)
{
	size_t *off = mmp__calloc(n ? n : 1, sizeof(*off));
	size_t i, j, m = 0;

	for (i = 0; i < n; i++) {
		size_t repeats = 0;

		for (j = 0; j < i && strcmp(p[j].key, p[i].key); j++)
			;
		if (j < i)
			continue;
		for (j = i + 1; j < n; j++)
			repeats += !strcmp(p[j].key, p[i].key);
		out[m].key = p[i].key;
		out[m].value = p[i].value;
		off[m] = SIZE_MAX;
		if (repeats) {
			/* offsets, not pointers: the buffer may move */
			off[m] = text->size;
			mmp_buf_puts(text, p[i].value);
			for (j = i + 1; j < n; j++)
				if (!strcmp(p[j].key, p[i].key))
					mmp_buf_printf(text, ",%s", p[j].value);
			mmp_buf_putc(text, '\0');
		}
		m++;
	}
	for (j = 0; j < m; j++)
		if (off[j] != SIZE_MAX)
			out[j].value = text->ptr + off[j];
	free(off);
	return m;
}
