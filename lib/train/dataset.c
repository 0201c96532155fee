/* SPDX-License-Identifier: MIT */
/* dataset.c: a recipe's data interface as a load of its source */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "dataset.h"

static int is_positive_word(const char *s)
{
	return !strcmp(s, "1") || !strcasecmp(s, "true") ||
		!strcasecmp(s, "yes");
}

int mmp_train__positive_class(mmp_frame *f, const mmp_recipe *r,
	const char *path)
{
	const mmp_category_table *t = mmp_frame_classes(f);
	const char *a, *b, *pos = NULL, *order[2];

	if (r->task != MMP_TASK_BINARY || !t ||
	    mmp_category_table_count(t) != 2)
		return 0;
	a = mmp_category_table_string(t, 0);
	b = mmp_category_table_string(t, 1);
	if (r->data.positive_class) {
		if (strcmp(r->data.positive_class, a) &&
		    strcmp(r->data.positive_class, b))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s: data.interface.positive_class '%s' is not "
				"a label of column '%s', which holds '%s' and "
				"'%s'", path, r->data.positive_class,
				r->data.target_column, a, b);
		pos = r->data.positive_class;
	} else if (is_positive_word(a) != is_positive_word(b)) {
		pos = is_positive_word(a) ? a : b;
	} else {
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: which label of column '%s' is the positive class, "
			"'%s' or '%s'? set data.interface.positive_class",
			path, r->data.target_column, a, b);
	}
	if (pos == b || !strcmp(pos, b))
		return 0;
	order[0] = b;
	order[1] = a;
	return mmp_frame_reorder_classes(f, order, 2);
}

static void csv_options(mmp_csv_options *co, const char ***na,
	const mmp_recipe *r, unsigned int nthreads)
{
	size_t i;

	co->delimiter = r->data.delimiter ? r->data.delimiter : ',';
	*na = NULL;
	if (r->data.n_na_values) {
		*na = mmp__calloc(r->data.n_na_values + 1, sizeof(**na));
		for (i = 0; i < r->data.n_na_values; i++)
			(*na)[i] = r->data.na_values[i];
		co->na_values = *na;
	}
	co->nthreads = nthreads;
}

void mmp_train__source(mmp_source *src, const mmp_recipe *r,
	const char *path)
{
	mmp_source def = MMP_SOURCE_INIT;

	*src = def;
	src->location = path;
	/* a CSV file given instead of a database source has no query */
	if (mmp_source_kind_of(path) != MMP_SOURCE_FILE) {
		src->query = r->data.query;
		src->table = r->data.table;
	}
}

static int check_column(const mmp_csv_header *h, const char *path,
	const char *key, const char *name)
{
	const char **names;
	const char *near;
	size_t n = mmp_csv_header_count(h), i;

	if (mmp_csv_header_find(h, name) >= 0)
		return 0;
	names = mmp__calloc(n ? n : 1, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = mmp_csv_header_name(h, i);
	near = mmp_str_closest(name, names, n);
	if (near)
		mmp_error_set(MMP_ERROR_RECIPE, "%s: unknown column '%s' (%s); "
			"did you mean '%s'?", path, name, key, near);
	else
		mmp_error_set(MMP_ERROR_RECIPE, "%s: unknown column '%s' (%s)",
			path, name, key);
	free(names);
	return MMP_EINVALID;
}

int mmp_train__check_header(const mmp_recipe *r, const char *location)
{
	mmp_buf shown = MMP_BUF_INIT;
	const char *path;
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_header *h = NULL;
	mmp_source src;
	const char **na;
	long t;
	size_t i;
	int err;

	csv_options(&co, &na, r, 1);
	mmp_train__source(&src, r, location);
	mmp_source_redact(&shown, location);
	path = shown.ptr;
	err = mmp_source_header(&h, &src, &co);
	free(na);
	if (err < 0) {
		/* unreadable data is the run's failure, not the recipe's */
		mmp_error_clear();
		mmp_buf_dispose(&shown);
		return 0;
	}
	err = check_column(h, path, "data.interface.target_column",
		r->data.target_column);
	for (i = 0; !err && i < r->data.n_entity_columns; i++)
		err = check_column(h, path, "data.interface.entity_columns",
			r->data.entity_columns[i]);
	if (!err && r->data.timestamp_column)
		err = check_column(h, path, "data.interface.timestamp_column",
			r->data.timestamp_column);
	for (i = 0; !err && i < r->data.n_feature_columns; i++)
		err = check_column(h, path, "data.interface.feature_columns",
			r->data.feature_columns[i]);
	t = mmp_csv_header_find(h, r->data.target_column);
	if (!err && r->task == MMP_TASK_REGRESSION && t >= 0 &&
	    mmp_csv_header_type(h, (size_t)t) == MMP_CSV_TYPE_STRING)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_RECIPE,
			"%s: target column '%s' holds text, but a regression "
			"task predicts numbers; for labels use task: "
			"binary_classification (two labels) or "
			"multiclass_classification (more)", path,
			r->data.target_column);
	mmp_csv_header_free(h);
	mmp_buf_dispose(&shown);
	return err;
}

static int load(mmp_frame **out, mmp_csv_header **header,
	mmp_source_info *info, const mmp_recipe *r, const char *path,
	unsigned int nthreads,
	void (*progress)(uint64_t done, uint64_t total, void *payload),
	void *payload, int fd);

int mmp_train__load_data(mmp_frame **out, mmp_csv_header **header,
	const mmp_recipe *r, const char *path, unsigned int nthreads)
{
	return mmp_train__load_data_progress(out, header, NULL, r, path,
		nthreads, NULL, NULL);
}

int mmp_train__load_data_progress(mmp_frame **out, mmp_csv_header **header,
	mmp_source_info *info, const mmp_recipe *r, const char *path,
	unsigned int nthreads,
	void (*progress)(uint64_t done, uint64_t total, void *payload),
	void *payload)
{
	return load(out, header, info, r, path, nthreads, progress, payload,
		-1);
}

int mmp_train__load_data_export(mmp_frame **out, const mmp_recipe *r,
	const char *location, int fd)
{
	return load(out, NULL, NULL, r, location, 0, NULL, NULL, fd);
}

/* fd >= 0: a database's rows also go there as CSV, from one reading */
static int load(mmp_frame **out, mmp_csv_header **header,
	mmp_source_info *info, const mmp_recipe *r, const char *path,
	unsigned int nthreads,
	void (*progress)(uint64_t done, uint64_t total, void *payload),
	void *payload, int fd)
{
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_column *cols;
	mmp_source src;
	const char **na = NULL;
	size_t n = 0, i;
	int err = 0;

	*out = NULL;
	csv_options(&co, &na, r, nthreads);
	co.progress = progress;
	co.payload = payload;

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

	mmp_train__source(&src, r, path);
	if (header)
		err = mmp_source_header(header, &src, &co);
	if (!err && fd >= 0)
		err = mmp_source_load_export(out, info, &src, &spec, fd);
	else if (!err)
		err = mmp_source_load(out, info, &src, &spec, &co);
	if (!err) {
		mmp_buf shown = MMP_BUF_INIT;
		mmp_source_redact(&shown, path);
		err = mmp_train__positive_class(*out, r, shown.ptr);
		mmp_buf_dispose(&shown);
	}
	free(cols);
	free(na);
	return err;
}
