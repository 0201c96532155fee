/* SPDX-License-Identifier: MIT */
/* score.c: a model's scores on chosen rows of a labelled file, read the
 * way batch inference reads its input */
#include <stdlib.h>
#include <string.h>

#include "batch-internal.h"

#define SCORE_CHUNK_ROWS 16384

void mmp_batch_scores_release(mmp_batch_scores *s)
{
	free(s->y);
	free(s->scores);
	memset(s, 0, sizeof(*s));
}

/* the reader's columns: every feature with its saved table, the target
 * with the model's classes; the tables are kept in `tables` */
static int open_reader(mmp_csv_reader **r, mmp_category_table **tables,
	const mmp_model_schema *sc, mmp_task task, const char *path,
	const mmp_csv_options *co)
{
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_column *cols;
	size_t i;
	int err = 0;

	cols = mmp__calloc(sc->nfeatures + 1, sizeof(*cols));
	for (i = 0; i < sc->nfeatures; i++) {
		const mmp_model_feature *f = &sc->features[i];

		cols[i].name = f->name;
		cols[i].role = MMP_CSV_NUMERIC;
		if (f->kind != MMP_FEATURE_CATEGORICAL)
			continue;
		if ((err = mmp_category_table_new(&tables[i],
				(const char *const *)f->categories,
				f->ncategories)) < 0) {
			mmp_error_prefix("the categories of feature '%s'",
				f->name);
			goto done;
		}
		cols[i].role = MMP_CSV_CATEGORICAL;
		cols[i].categories = tables[i];
	}
	if (task != MMP_TASK_REGRESSION && sc->nclasses &&
	    (err = mmp_category_table_new(&tables[sc->nfeatures],
			(const char *const *)sc->classes, sc->nclasses)) < 0)
		goto done;
	cols[i].name = sc->target;
	cols[i].role = MMP_CSV_TARGET;
	cols[i].categories = tables[sc->nfeatures];
	spec.columns = cols;
	spec.ncolumns = sc->nfeatures + 1;
	spec.others = MMP_CSV_SKIP;
	spec.task = task;
	spec.allow_empty = 1;
	err = mmp_csv_reader_open(r, path, &spec, co);
done:
	free(cols);
	return err;
}

static int check_options(const mmp_batch_score_options *o)
{
	size_t i;

	if (o->version != MMP_BATCH_SCORE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown batch score options version %u", o->version);
	for (i = 1; o->rows && i < o->nrows; i++)
		if (o->rows[i] <= o->rows[i - 1])
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the rows to score must ascend (row %zu "
				"follows row %zu)", o->rows[i],
				o->rows[i - 1]);
	return 0;
}

/* keep the rows of chunk `f` (data rows base..) that are asked for */
static int keep(mmp_batch_scores *out, const mmp_model *m,
	const mmp_batch_score_options *o, const mmp_frame *f, uint64_t base,
	size_t *next, size_t nf, float **x, size_t *xcap)
{
	size_t n = mmp_frame_nrows(f), k = 0, i, want;
	const float *fx = mmp_frame_features(f), *fy = mmp_frame_target(f);

	want = o->rows ? 0 : n;
	while (o->rows && *next + want < o->nrows &&
	       o->rows[*next + want] < base + n)
		want++;
	if (!want)
		return 0;
	if (want * nf > *xcap) {
		*xcap = want * nf;
		*x = mmp__reallocarray(*x, *xcap, sizeof(float));
	}
	out->y = mmp__reallocarray(out->y, out->n + want, sizeof(float));
	out->scores = mmp__reallocarray(out->scores,
		(out->n + want) * out->per, sizeof(float));
	for (k = 0; k < want; k++) {
		size_t row = o->rows ? (size_t)(o->rows[*next + k] - base) : k;

		memcpy(*x + k * nf, fx + row * nf, nf * sizeof(float));
		out->y[out->n + k] = fy[row];
	}
	*next += o->rows ? want : 0;
	i = out->n;
	out->n += want;
	return mmp_model_predict_scores(m, *x, want, nf,
		out->scores + i * out->per);
}

int mmp_batch_score(mmp_batch_scores *out, const mmp_model *m,
	const char *path, const mmp_batch_score_options *o)
{
	mmp_batch_score_options def = MMP_BATCH_SCORE_OPTIONS_INIT;
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	const mmp_model_schema *sc = m ? mmp_model_schema_of(m) : NULL;
	mmp_category_table **tables = NULL;
	mmp_csv_reader *r = NULL;
	mmp_task task;
	size_t nf, next = 0, xcap = 0, i;
	uint64_t base = 0;
	float *x = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!o)
		o = &def;
	if ((err = check_options(o)) < 0)
		return err;
	if (!sc || !sc->target || !*sc->target)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model has no schema naming its features and "
			"target");
	task = mmp_model_task_of(m);
	nf = sc->nfeatures;
	if (nf != mmp_model_nfeatures(m))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model schema lists %zu features, the model "
			"expects %zu", nf, mmp_model_nfeatures(m));
	out->per = task == MMP_TASK_MULTICLASS ? mmp_model_noutputs(m) : 1;
	if (o->delimiter)
		co.delimiter = o->delimiter;
	co.na_values = o->na_values;
	tables = mmp__calloc(nf + 1, sizeof(*tables));
	if ((err = open_reader(&r, tables, sc, task, path, &co)) < 0)
		goto done;
	for (;;) {
		mmp_frame *f = NULL;

		err = mmp_csv_reader_next(&f, r, SCORE_CHUNK_ROWS);
		if (err == MMP_ITEROVER) {
			err = 0;
			break;
		}
		if (err < 0)
			break;
		err = keep(out, m, o, f, base, &next, nf, &x, &xcap);
		base += mmp_frame_nrows(f);
		mmp_frame_free(f);
		if (err < 0)
			break;
	}
	out->rows_in = base;
	for (i = 0; i < mmp_csv_reader_nfeatures(r); i++)
		out->unseen += mmp_csv_reader_unseen(r, i);
	if (mmp_csv_reader_digest(r))
		memcpy(out->digest, mmp_csv_reader_digest(r), 65);
	if (!err && o->rows && next < o->nrows)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: row %zu was asked for, the file has %llu data "
			"rows", path, o->rows[next] + 1,
			(unsigned long long)base);
done:
	free(x);
	for (i = 0; tables && i <= nf; i++)
		mmp_category_table_free(tables[i]);
	free(tables);
	mmp_csv_reader_free(r);
	return err;
}
