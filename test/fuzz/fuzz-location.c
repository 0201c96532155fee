/* SPDX-License-Identifier: MIT */
/* fuzz-location.c: libFuzzer harness for data source and output
 * locations: redaction, the SQLite file and table of an sqlite: URI,
 * and the connection and table of a postgresql:// output */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/data-internal.h"
#include "data/pg-target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmp_data__pg_target t;
	mmp_buf b = MMP_BUF_INIT;
	char *text = malloc(size + 1), *table = NULL;
	int immutable;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mmp_source_kind_of(text);
	mmp_source_redact(&b, text);
	mmp_buf_clear(&b);
	mmp_data__sqlite_location(&b, &immutable, &table, text);
	free(table);
	mmp_data__pg_target_parse(&t, text);
	mmp_data__pg_target_release(&t);
	mmp_error_clear();
	mmp_buf_dispose(&b);
	free(text);
	return 0;
}
