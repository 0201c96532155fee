/* SPDX-License-Identifier: MIT */
/* fuzz-filter.c: libFuzzer harness for the run filter and order-by compiler */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the input as a filter string (compiled to SQL with its bound values),
 * and as an order-by clause */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmp_filter__sql q = MMP_FILTER_SQL_INIT;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mmp_filter__compile(&q, text);
	mmp_filter__order_by(&q, text);
	mmp_filter__sql_release(&q);
	free(text);
	return 0;
}
