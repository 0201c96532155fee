/* SPDX-License-Identifier: MIT */
/* dataset.c: a recipe's data interface as a CSV load */
#include <stdlib.h>

#include "util/util.h"
#include "dataset.h"

int mmp_train__load_data(mmp_frame **out, mmp_csv_header **header,
	const mmp_recipe *r, const char *path, unsigned int nthreads)
{
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_column *cols;
	const char **na = NULL;
	size_t n = 0, i;
	int err = 0;

	*out = NULL;
	co.delimiter = r->data.delimiter ? r->data.delimiter : ',';
	if (r->data.n_na_values) {
		na = mmp__calloc(r->data.n_na_values + 1, sizeof(*na));
		for (i = 0; i < r->data.n_na_values; i++)
			na[i] = r->data.na_values[i];
		co.na_values = na;
	}
	co.nthreads = nthreads;

	cols = mmp__calloc(2 + r->data.n_entity_columns +
		r->data.n_feature_columns, sizeof(*cols));
	cols[n++] = (mmp_csv_column){ r->data.target_column, MMP_CSV_TARGET,
		NULL };
	for (i = 0; i < r->data.n_entity_columns; i++)
		cols[n++] = (mmp_csv_column){ r->data.entity_columns[i],
			MMP_CSV_ENTITY, NULL };
	if (r->data.timestamp_column)
		cols[n++] = (mmp_csv_column){ r->data.timestamp_column,
			MMP_CSV_TIMESTAMP, NULL };
	for (i = 0; i < r->data.n_feature_columns; i++)
		cols[n++] = (mmp_csv_column){ r->data.feature_columns[i],
			MMP_CSV_FEATURE, NULL };
	spec.columns = cols;
	spec.ncolumns = n;
	spec.others = r->data.n_feature_columns ? MMP_CSV_SKIP
		: MMP_CSV_FEATURE;
	spec.task = r->task;

	if (header)
		err = mmp_csv_sniff(header, path, &co);
	if (!err)
		err = mmp_csv_load(out, path, &spec, &co);
	free(cols);
	free(na);
	return err;
}
