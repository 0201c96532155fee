/* SPDX-License-Identifier: MIT */
/* batch.c: stream a CSV through a model in chunks, in order, atomically */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch-internal.h"
#include "mmp/monitor.h"
#include "mmp/store.h"

#define DEFAULT_CHUNK_ROWS 16384
#define MAX_CHUNK_ROWS ((size_t)1 << 24)
#define MAX_THREADS 256
#define HEARTBEAT_SECONDS 30.0

enum job_state { JOB_FREE = 0, JOB_QUEUED, JOB_DONE };

/* one chunk on its way from the reader to the output */
struct job {
	enum job_state state;
	mmp_frame *frame;
	float *y, *scores;
	size_t ycap, scap;
	mmp_buf text;
	int error;              /* < 0: prediction failed */
	int error_klass;
	char *error_msg;
};

struct batch {
	mmp_model *m;
	const mmp_model_schema *sc;
	const mmp_batch_options *o;
	mmp_task task;
	size_t nf, noutputs, nlabels, nscores;
	char **label_csv, **label_json;
	const char **ents;      /* entity columns present, spec order */
	size_t nents;
	mmp_category_table **tables;

	/* the ring of chunks and the predicting threads */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job *jobs;
	size_t njobs;
	uint64_t next_read, next_take, next_write;
	int stop;
	pthread_t *threads;
	size_t nthreads;

	/* output */
	int fd;
	char *out_name;         /* for messages */
	char *tmp_path;         /* NULL for standard output */
	bool out_db;            /* the output is a database table */
	/* input */
	const char *in_path;    /* the CSV read: o->input, or the export */
	char *in_tmp;           /* the exported rows of a database input */
	mmp_rows_digest *rows;  /* the digest of the rows read */
	char *in_name;          /* o->input without credentials */
	char *out_label;        /* o->output without credentials */

	/* evaluation: the target and the scores of every row */
	float *ytrue, *yscore;
	size_t neval, ntrue_alloc, nscore_alloc;

	/* drift: the input's profile, predictions logged by id */
	mmp_profile *ref, *live;
	long id_ent;            /* the id's entity column; -1: none */
	char source[64];        /* "batch:<run id>" */
	mmp_buf model_name;     /* what windows and the log name */
	mmp_prediction_log_item *items;
	size_t items_alloc;
	int64_t started_ms;
};

int mmp_batch_format_parse(mmp_batch_format *out, const char *s)
{
	if (s && !strcmp(s, "csv")) {
		*out = MMP_BATCH_CSV;
		return 0;
	}
	if (s && !strcmp(s, "jsonl")) {
		*out = MMP_BATCH_JSONL;
		return 0;
	}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"unknown output format '%s' (use csv or jsonl)", s ? s : "");
}

int mmp_batch_options_init(mmp_batch_options *o, unsigned int version)
{
	mmp_batch_options def = MMP_BATCH_OPTIONS_INIT;

	if (version != MMP_BATCH_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown batch options version %u", version);
	*o = def;
	return 0;
}

void mmp_batch_result_release(mmp_batch_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nskips; i++)
		free(r->skips[i].reason);
	free(r->skips);
	for (i = 0; i < r->nunseen_features; i++)
		free(r->unseen_features[i].feature);
	free(r->unseen_features);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* formatting one chunk                                                */

static void put_num(mmp_buf *out, float v, int json)
{
	char num[32];
	size_t n = mmp_batch__fmt_float(num, v);

	if (json && !isfinite(v)) {
		mmp_buf_putc(out, '"');
		mmp_buf_put(out, num, n);
		mmp_buf_putc(out, '"');
		return;
	}
	mmp_buf_put(out, num, n);
}

static size_t predicted_class(const struct batch *b, const float *y)
{
	size_t k, best = 0;

	if (b->task == MMP_TASK_BINARY)
		return y[0] > 0.5f;
	for (k = 1; k < b->nlabels; k++)
		if (y[k] > y[best])
			best = k;
	return best;
}

static void format_csv(const struct batch *b, const mmp_frame *f,
	const float *y, mmp_buf *out)
{
	size_t n = mmp_frame_nrows(f), i, e, k;
	int proba = b->o->proba;

	for (i = 0; i < n; i++, y += b->noutputs) {
		for (e = 0; e < b->nents; e++) {
			mmp_batch__csv_field(out, mmp_frame_entity(f, e, i));
			mmp_buf_putc(out, ',');
		}
		if (b->task == MMP_TASK_REGRESSION) {
			put_num(out, y[0], 0);
			mmp_buf_putc(out, '\n');
			continue;
		}
		mmp_buf_puts(out, b->label_csv[predicted_class(b, y)]);
		if (proba && b->task == MMP_TASK_BINARY) {
			mmp_buf_putc(out, ',');
			put_num(out, 1.0f - y[0], 0);
			mmp_buf_putc(out, ',');
			put_num(out, y[0], 0);
		} else if (proba) {
			for (k = 0; k < b->nlabels; k++) {
				mmp_buf_putc(out, ',');
				put_num(out, y[k], 0);
			}
		}
		mmp_buf_putc(out, '\n');
	}
}

static void format_jsonl(const struct batch *b, const mmp_frame *f,
	const float *y, mmp_buf *out)
{
	size_t n = mmp_frame_nrows(f), i, e, k;
	int proba = b->o->proba;

	for (i = 0; i < n; i++, y += b->noutputs) {
		mmp_buf_putc(out, '{');
		for (e = 0; e < b->nents; e++) {
			mmp_buf_put_json_string(out, b->ents[e]);
			mmp_buf_putc(out, ':');
			mmp_buf_put_json_string(out, mmp_frame_entity(f, e, i));
			mmp_buf_putc(out, ',');
		}
		mmp_buf_puts(out, "\"prediction\":");
		if (b->task == MMP_TASK_REGRESSION) {
			put_num(out, y[0], 1);
			mmp_buf_puts(out, "}\n");
			continue;
		}
		mmp_buf_puts(out, b->label_json[predicted_class(b, y)]);
		if (proba) {
			mmp_buf_puts(out, ",\"probabilities\":{");
			for (k = 0; k < b->nlabels; k++) {
				if (k)
					mmp_buf_putc(out, ',');
				mmp_buf_puts(out, b->label_json[k]);
				mmp_buf_putc(out, ':');
				if (b->task == MMP_TASK_BINARY)
					put_num(out, k ? y[0] : 1.0f - y[0],
						1);
				else
					put_num(out, y[k], 1);
			}
			mmp_buf_putc(out, '}');
		}
		mmp_buf_puts(out, "}\n");
	}
}

static void header_row(const struct batch *b, mmp_buf *out)
{
	size_t e, k;

	if (b->o->format != MMP_BATCH_CSV)
		return;
	for (e = 0; e < b->nents; e++) {
		mmp_batch__csv_field(out, b->ents[e]);
		mmp_buf_putc(out, ',');
	}
	mmp_buf_puts(out, "prediction");
	for (k = 0; b->o->proba && k < b->nlabels; k++) {
		mmp_buf_putc(out, ',');
		mmp_buf_puts(out, b->label_csv[k]);
	}
	mmp_buf_putc(out, '\n');
}

/* predict and format one chunk; runs on any thread */
static void process(struct batch *b, struct job *j)
{
	size_t n = mmp_frame_nrows(j->frame);
	const float *x = mmp_frame_features(j->frame);
	int err;

	mmp_buf_clear(&j->text);
	if (!n)
		return;
	if (n * b->noutputs > j->ycap) {
		j->ycap = n * b->noutputs;
		j->y = mmp__reallocarray(j->y, j->ycap, sizeof(float));
	}
	err = mmp_model_predict(b->m, x, n, b->nf, j->y);
	if (!err && b->o->evaluate) {
		if (n * b->nscores > j->scap) {
			j->scap = n * b->nscores;
			j->scores = mmp__reallocarray(j->scores, j->scap,
				sizeof(float));
		}
		err = mmp_model_predict_scores(b->m, x, n, b->nf, j->scores);
	}
	if (err < 0) {
		j->error = err;
		j->error_klass = mmp_error_last()->klass;
		j->error_msg = mmp__strdup(mmp_error_last()->message);
		return;
	}
	if (b->o->format == MMP_BATCH_JSONL)
		format_jsonl(b, j->frame, j->y, &j->text);
	else
		format_csv(b, j->frame, j->y, &j->text);
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	struct job *j;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && b->next_take == b->next_read)
			pthread_cond_wait(&b->work, &b->mu);
		if (b->stop)
			break;
		j = &b->jobs[b->next_take++ % b->njobs];
		pthread_mutex_unlock(&b->mu);
		process(b, j);
		pthread_mutex_lock(&b->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static int write_all(struct batch *b, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(b->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mmp_error_set_os("cannot write '%s'",
				b->out_name);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* a new temporary CSV file in $TMPDIR (or /tmp), open for writing */
static int temp_csv(char **path, int *fd, const char *what)
{
	const char *dir = getenv("TMPDIR");
	mmp_buf p = MMP_BUF_INIT;

	if (!dir || !*dir)
		dir = "/tmp";
	mmp_buf_printf(&p, "%s/mmp-batch-%s-XXXXXX", dir, what);
	*fd = mkostemp(p.ptr, O_CLOEXEC);
	if (*fd < 0) {
		int err = mmp_error_set_os("cannot create a temporary file "
			"in '%s'", dir);
		mmp_buf_dispose(&p);
		return err;
	}
	*path = mmp_buf_detach(&p);
	return 0;
}

static int open_output(struct batch *b, const char *path)
{
	mmp_buf dir = MMP_BUF_INIT, tmp = MMP_BUF_INIT;
	const char *base = strrchr(path, '/');
	char id[33];
	int error = 0;

	if (!strcmp(path, "-")) {
		b->fd = STDOUT_FILENO;
		b->out_name = mmp__strdup("<stdout>");
		return 0;
	}
	if (b->out_db) {
		b->out_name = mmp__strdup(b->out_label);
		return temp_csv(&b->tmp_path, &b->fd, "output");
	}
	b->out_name = mmp__strdup(path);
	base = base ? base + 1 : path;
	if (!*base || mmp_path_is_dir(path))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"output '%s' is a directory", path);
	mmp_path_dirname(&dir, path);
	if ((error = mmp_uuid_hex(id)) < 0)
		goto done;
	id[12] = '\0';
	mmp_path_join(&tmp, dir.ptr, ".");
	mmp_buf_printf(&tmp, "%s.tmp-%s", base, id);
	b->fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (b->fd < 0) {
		mmp_buf shown = MMP_BUF_INIT;

		mmp_source_redact(&shown, path);
		error = mmp_error_set_os("cannot create the output '%s'",
			shown.ptr);
		mmp_buf_dispose(&shown);
		goto done;
	}
	b->tmp_path = mmp_buf_detach(&tmp);
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&tmp);
	return error;
}

/* make the output complete: flush, fsync and rename into place */
/* the predictions into the output table: numbers as REAL, text TEXT */
static int write_table(struct batch *b)
{
	const char **num = mmp__calloc(b->nlabels + 2, sizeof(*num));
	char (*idx)[32] = mmp__calloc(b->nlabels + 1, sizeof(*idx));
	size_t n = 0, k;
	int error;

	if (b->task == MMP_TASK_REGRESSION)
		num[n++] = "prediction";
	for (k = 0; b->o->proba && k < b->nlabels; k++) {
		snprintf(idx[k], sizeof(idx[k]), "%zu", k);
		num[n++] = b->sc->nclasses ? b->sc->classes[k] : idx[k];
	}
	error = mmp_sink_write_csv(b->o->output, b->tmp_path, num, n,
		b->o->mode);
	free(num);
	free(idx);
	return error;
}

static int finish_output(struct batch *b)
{
	int error = 0;

	if (!b->tmp_path)
		return 0;
	if (fsync(b->fd) < 0)
		error = mmp_error_set_os("cannot write '%s'", b->out_name);
	if (close(b->fd) < 0 && !error)
		error = mmp_error_set_os("cannot write '%s'", b->out_name);
	b->fd = -1;
	if (!error && b->out_db)
		error = write_table(b);
	else if (!error && rename(b->tmp_path, b->o->output) < 0)
		error = mmp_error_set_os("cannot rename '%s' to '%s'",
			b->tmp_path, b->o->output);
	if (error || b->out_db)
		unlink(b->tmp_path);
	free(b->tmp_path);
	b->tmp_path = NULL;
	return error;
}

static void discard_output(struct batch *b)
{
	if (b->tmp_path) {
		if (b->fd >= 0)
			close(b->fd);
		unlink(b->tmp_path);
		free(b->tmp_path);
		b->tmp_path = NULL;
		b->fd = -1;
	}
}

/* ------------------------------------------------------------------ */
/* setup                                                               */

static int build_labels(struct batch *b)
{
	size_t i;

	if (b->task == MMP_TASK_REGRESSION) {
		b->nscores = 1;
		return 0;
	}
	b->nlabels = b->task == MMP_TASK_BINARY ? 2 : b->noutputs;
	b->nscores = b->task == MMP_TASK_BINARY ? 1 : b->nlabels;
	if (b->nlabels < 2 || (b->sc->nclasses &&
	    b->sc->nclasses != b->nlabels))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model schema lists %zu classes, the model "
			"predicts %zu", b->sc->nclasses, b->nlabels);
	b->label_csv = mmp__calloc(b->nlabels, sizeof(char *));
	b->label_json = mmp__calloc(b->nlabels, sizeof(char *));
	for (i = 0; i < b->nlabels; i++) {
		mmp_buf t = MMP_BUF_INIT;
		char num[32];

		snprintf(num, sizeof(num), "%zu", i);
		mmp_batch__csv_field(&t, b->sc->nclasses ? b->sc->classes[i]
			: num);
		b->label_csv[i] = mmp_buf_detach(&t);
		mmp_buf_put_json_string(&t, b->sc->nclasses ? b->sc->classes[i]
			: num);
		b->label_json[i] = mmp_buf_detach(&t);
	}
	return 0;
}

/*
 * Which entity columns the input has, from the header of a regular file
 * (compressed or not). Standard input and other streams cannot be read
 * twice: there every entity column must be present.
 */
static void find_entities(struct batch *b, const mmp_csv_options *copts)
{
	mmp_csv_header *h = NULL;
	struct stat st;
	size_t i;

	b->ents = mmp__calloc(b->sc->nentities + 1, sizeof(char *));
	if (!b->sc->nentities)
		return;
	/* a header that cannot be read fails the reader, with its reason */
	if (strcmp(b->in_path, "-") && !stat(b->in_path, &st) &&
	    S_ISREG(st.st_mode) &&
	    mmp_csv_header_read(&h, b->in_path, copts) < 0)
		mmp_error_clear();
	for (i = 0; i < b->sc->nentities; i++) {
		const char *e = b->sc->entities[i];

		if (!h || mmp_csv_header_find(h, e) >= 0)
			b->ents[b->nents++] = e;
	}
	mmp_csv_header_free(h);
}

/* whether `name` is a column the output writes itself */
static int output_column(const struct batch *b, const char *name)
{
	size_t k;
	char num[32];

	if (!strcmp(name, "prediction"))
		return 1;
	if (!b->o->proba)
		return 0;
	if (b->o->format == MMP_BATCH_JSONL)
		return !strcmp(name, "probabilities");
	for (k = 0; k < b->nlabels; k++) {
		snprintf(num, sizeof(num), "%zu", k);
		if (!strcmp(name, b->sc->nclasses ? b->sc->classes[k] : num))
			return 1;
	}
	return 0;
}

/* the kept columns, after the entity columns the output has already */
static int add_keeps(struct batch *b)
{
	const mmp_batch_options *o = b->o;
	size_t i, k, nents = b->nents;

	if (!o->nkeep)
		return 0;
	b->ents = mmp__reallocarray(b->ents, nents + o->nkeep + 1,
		sizeof(*b->ents));
	for (i = 0; i < o->nkeep; i++) {
		const char *c = o->keep[i];
		int have = 0;

		if (!c || !*c)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"a kept column needs a name");
		for (k = 0; k < i; k++)
			if (!strcmp(c, o->keep[k]))
				return mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "column '%s' is "
					"kept twice", c);
		if (output_column(b, c))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"cannot keep column '%s': the output has a "
				"column of that name", c);
		for (k = 0; k < nents; k++)
			have |= !strcmp(c, b->ents[k]);
		if (!have)
			b->ents[b->nents++] = c;
	}
	return 0;
}

static int open_reader(struct batch *b, mmp_csv_reader **r,
	const mmp_csv_options *copts)
{
	const mmp_model_schema *sc = b->sc;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_column *cols;
	mmp_category_table *classes = NULL;
	size_t i, n = 0;
	int error = 0;

	cols = mmp__calloc(sc->nfeatures + b->nents + 2, sizeof(*cols));
	b->tables = mmp__calloc(sc->nfeatures + 1, sizeof(*b->tables));
	for (i = 0; i < sc->nfeatures; i++) {
		const mmp_model_feature *f = &sc->features[i];

		cols[n].name = f->name;
		cols[n].role = MMP_CSV_NUMERIC;
		if (f->kind == MMP_FEATURE_CATEGORICAL) {
			error = mmp_category_table_new(&b->tables[i],
				(const char *const *)f->categories,
				f->ncategories);
			if (error < 0) {
				mmp_error_prefix("the categories of feature "
					"'%s'", f->name);
				goto done;
			}
			cols[n].role = MMP_CSV_CATEGORICAL;
			cols[n].categories = b->tables[i];
		}
		n++;
	}
	if (b->o->evaluate) {
		if (!sc->target || !*sc->target) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"the model names no target column to "
				"evaluate against");
			goto done;
		}
		if (b->task != MMP_TASK_REGRESSION && sc->nclasses &&
		    (error = mmp_category_table_new(&classes,
		    (const char *const *)sc->classes, sc->nclasses)) < 0)
			goto done;
		cols[n].name = sc->target;
		cols[n].role = MMP_CSV_TARGET;
		cols[n++].categories = classes;
		b->tables[sc->nfeatures] = classes;
	}
	/* after the columns they may also be read as (see mmp_csv_spec) */
	for (i = 0; i < b->nents; i++) {
		cols[n].name = b->ents[i];
		cols[n++].role = MMP_CSV_ENTITY;
		if (b->o->id_column && !strcmp(b->o->id_column, b->ents[i]))
			b->id_ent = (long)i;
	}
	/* an id column that is not copied to the output: read after them */
	if (b->o->id_column && b->id_ent < 0) {
		cols[n].name = b->o->id_column;
		cols[n++].role = MMP_CSV_ENTITY;
		b->id_ent = (long)b->nents;
	}
	spec.columns = cols;
	spec.ncolumns = n;
	spec.others = MMP_CSV_SKIP;
	spec.task = b->task;
	spec.allow_empty = 1;
	error = mmp_csv_reader_open(r, b->in_path, &spec, copts);
done:
	free(cols);
	return error;
}

/* estimated data rows of a regular file from the lines in its start */
static uint64_t estimate_rows(const char *path)
{
	char *buf;
	struct stat st;
	ssize_t n;
	uint64_t lines = 0, est;
	int fd;

	if (!strcmp(path, "-") || mmp_csv_is_compressed(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !st.st_size) {
		close(fd);
		return 0;
	}
	buf = mmp__malloc((size_t)1 << 20);
	n = pread(fd, buf, (size_t)1 << 20, 0);
	close(fd);
	if (n > 0) {
		const char *p = buf, *end = buf + n;

		while ((p = memchr(p, '\n', (size_t)(end - p)))) {
			lines++;
			p++;
		}
	}
	free(buf);
	if (!lines || n <= 0)
		return 0;
	est = (uint64_t)((double)st.st_size * (double)lines / (double)n);
	return est > 1 ? est - 1 : 1;
}

/* ------------------------------------------------------------------ */
/* the job                                                             */

static void keep_skips(mmp_batch_result *res, const mmp_frame *f)
{
	size_t i, n = mmp_frame_nskipped(f);
	const char *reason;

	for (i = 0; i < n && res->nskips < MMP_BATCH_MAX_SKIPS; i++) {
		int64_t line = mmp_frame_skipped(f, i, &reason);

		if (!res->skips)
			res->skips = mmp__calloc(MMP_BATCH_MAX_SKIPS,
				sizeof(*res->skips));
		res->skips[res->nskips].line = line;
		res->skips[res->nskips++].reason = mmp__strdup(reason
			? reason : "");
	}
}

static void keep_targets(struct batch *b, const mmp_frame *f)
{
	size_t n = mmp_frame_nrows(f);
	const float *t = mmp_frame_target(f);

	if (!b->o->evaluate || !n || !t)
		return;
	MMP_ALLOC_GROW(b->ytrue, b->neval + n, b->ntrue_alloc);
	memcpy(b->ytrue + b->neval, t, n * sizeof(float));
	b->neval += n;
}

static void keep_scores(struct batch *b, const struct job *j, size_t *at)
{
	size_t n = mmp_frame_nrows(j->frame) * b->nscores;

	if (!b->o->evaluate || !n)
		return;
	MMP_ALLOC_GROW(b->yscore, *at + n, b->nscore_alloc);
	memcpy(b->yscore + *at, j->scores, n * sizeof(float));
	*at += n;
}

/*
 * The reference profile, when the model directory has one (recorded
 * jobs only). A profile that does not fit the model is an error.
 */
static int open_profile(struct batch *b)
{
	const mmp_batch_options *o = b->o;
	mmp_buf path = MMP_BUF_INIT, text = MMP_BUF_INIT;
	const char *base;
	size_t len;
	int error = 0;

	if (o->model_name)
		mmp_buf_puts(&b->model_name, o->model_name);
	else if (o->model_run_id)
		mmp_buf_puts(&b->model_name, o->model_run_id);
	if (!o->model_dir)
		goto done;
	if (!b->model_name.size) {
		/* the directory's name, as serve-api names it */
		len = strlen(o->model_dir);
		while (len > 1 && o->model_dir[len - 1] == '/')
			len--;
		base = memrchr(o->model_dir, '/', len);
		base = base && base + 1 < o->model_dir + len ? base + 1 :
			o->model_dir;
		mmp_buf_put(&b->model_name, base,
			len - (size_t)(base - o->model_dir));
	}
	mmp_path_join(&path, o->model_dir, "profile.json");
	if (!mmp_path_exists(path.ptr))
		goto done;
	if ((error = mmp_file_read(&text, path.ptr, 64u << 20)) < 0 ||
	    (error = mmp_profile_from_json(&b->ref, text.ptr, text.size,
	    path.ptr)) < 0)
		goto done;
	if (mmp_profile_nfeatures(b->ref) != b->nf ||
	    mmp_profile_npred(b->ref) != b->noutputs) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' profiles %zu features and %zu outputs, the "
			"model has %zu and %zu", path.ptr,
			mmp_profile_nfeatures(b->ref),
			mmp_profile_npred(b->ref), b->nf, b->noutputs);
		goto done;
	}
	error = mmp_profile_live_new(&b->live, b->ref);
done:
	if (!b->model_name.size)
		mmp_buf_puts(&b->model_name, "model");
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&text);
	return error;
}

/* profile chunk j and log its predictions by id */
static int monitor_chunk(struct batch *b, const struct job *j,
	mmp_batch_result *res)
{
	const mmp_frame *f = j->frame;
	const float *x = mmp_frame_features(f);
	size_t n = mmp_frame_nrows(f), i, k = 0;
	int error;

	if (b->live)
		for (i = 0; i < n; i++)
			mmp_profile_add(b->live, x + i * b->nf,
				j->y + i * b->noutputs);
	if (b->id_ent < 0 || !n)
		return 0;
	MMP_ALLOC_GROW(b->items, n, b->items_alloc);
	for (i = 0; i < n; i++) {
		const char *id = mmp_frame_entity(f, (size_t)b->id_ent, i);
		size_t len = id ? strlen(id) : 0;

		if (!len)
			continue;
		if (len > 256)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"'%s': an id in column '%s' is %zu bytes "
				"long (at most 256)", b->in_name,
				b->o->id_column, len);
		b->items[k].source = b->source;
		b->items[k].entity_id = id;
		b->items[k].ts_ms = 0;
		b->items[k].pred = j->y + i * b->noutputs;
		b->items[k++].npred = b->noutputs;
	}
	if ((error = mmp_store_prediction_log_put_many(b->o->store,
	    b->model_name.ptr, b->o->model_version, b->items, k)) < 0)
		return error;
	res->logged += k;
	return 0;
}

/* the input's profile as one window spanning the job */
static int record_window(struct batch *b, mmp_batch_result *res)
{
	mmp_monitor_window w;
	mmp_buf json = MMP_BUF_INIT;
	int error;

	memset(&w, 0, sizeof(w));
	if ((error = mmp_profile_to_json(b->live, &json)) < 0)
		return error;
	w.model = b->model_name.ptr;
	w.version = b->o->model_version;
	w.source = b->source;
	w.instance = "";
	w.start_ms = b->started_ms;
	w.end_ms = mmp_time_ms();
	if (w.end_ms < w.start_ms)
		w.end_ms = w.start_ms;
	w.rows = mmp_profile_rows(b->live);
	w.profile = json.ptr;
	error = mmp_store_monitor_window_put(b->o->store, &w);
	mmp_buf_dispose(&json);
	if (!error)
		res->profiled = 1;
	return error;
}

/* write job j (done) to the output and free its slot */
static int drain_one(struct batch *b, struct job *j, mmp_batch_result *res,
	size_t *scores_at)
{
	int error = 0;

	if (j->error < 0) {
		error = mmp_error_ret(j->error, j->error_klass, "%s",
			j->error_msg);
	} else {
		error = write_all(b, j->text.ptr, j->text.size);
		if (!error) {
			res->rows_out += mmp_frame_nrows(j->frame);
			keep_scores(b, j, scores_at);
			error = monitor_chunk(b, j, res);
		}
	}
	mmp_frame_free(j->frame);
	j->frame = NULL;
	free(j->error_msg);
	j->error_msg = NULL;
	j->error = 0;
	j->state = JOB_FREE;
	return error;
}

/* write every finished chunk in order; with `wait`, at least one */
static int drain(struct batch *b, mmp_batch_result *res, size_t *scores_at,
	int wait)
{
	int error = 0;

	for (;;) {
		struct job *j;
		int ready;

		pthread_mutex_lock(&b->mu);
		if (b->next_write == b->next_read) {
			pthread_mutex_unlock(&b->mu);
			return 0;
		}
		j = &b->jobs[b->next_write % b->njobs];
		while (wait && j->state != JOB_DONE)
			pthread_cond_wait(&b->done, &b->mu);
		ready = j->state == JOB_DONE;
		pthread_mutex_unlock(&b->mu);
		if (!ready)
			return 0;
		wait = 0;
		error = drain_one(b, j, res, scores_at);
		b->next_write++;
		if (error < 0)
			return error;
	}
}

static int report(struct batch *b, const mmp_batch_result *res,
	uint64_t est, double t0)
{
	mmp_batch_progress p;

	if (!b->o->progress)
		return 0;
	p.rows_in = res->rows_out + res->skipped;
	p.rows_out = res->rows_out;
	p.skipped = res->skipped;
	p.est_rows = est;
	p.elapsed = mmp_time_mono() - t0;
	if (b->o->progress(&p, b->o->payload))
		return mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_OS,
			"interrupted after %llu rows",
			(unsigned long long)p.rows_in);
	return 0;
}

static void start_threads(struct batch *b, unsigned int n)
{
	size_t i;

	b->njobs = n > 1 ? 2 * (size_t)n + 1 : 1;
	b->jobs = mmp__calloc(b->njobs, sizeof(*b->jobs));
	for (i = 0; i < b->njobs; i++)
		mmp_buf_init(&b->jobs[i].text, 0);
	if (n <= 1)
		return;
	b->threads = mmp__calloc(n, sizeof(*b->threads));
	for (i = 0; i < n; i++) {
		if (pthread_create(&b->threads[i], NULL, worker, b))
			break;
		b->nthreads++;
	}
}

static void stop_threads(struct batch *b)
{
	size_t i;

	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->mu);
	for (i = 0; i < b->nthreads; i++)
		pthread_join(b->threads[i], NULL);
	b->nthreads = 0;
}

static int stream(struct batch *b, mmp_csv_reader *r, mmp_batch_result *res,
	double t0)
{
	size_t chunk = b->o->chunk_rows ? b->o->chunk_rows
		: DEFAULT_CHUNK_ROWS, scores_at = 0;
	uint64_t est = estimate_rows(b->in_path);
	double beat = mmp_time_mono();
	mmp_buf head = MMP_BUF_INIT;
	int error;

	header_row(b, &head);
	error = write_all(b, head.ptr, head.size);
	mmp_buf_dispose(&head);
	while (!error) {
		mmp_frame *f = NULL;
		struct job *j;

		if ((error = report(b, res, est, t0)) < 0)
			break;
		if (b->o->store && mmp_time_mono() - beat >
		    HEARTBEAT_SECONDS) {
			beat = mmp_time_mono();
			mmp_run_heartbeat(b->o->store, res->run_id);
		}
		error = mmp_csv_reader_next(&f, r, chunk);
		if (error == MMP_ITEROVER) {
			error = 0;
			break;
		}
		if (error < 0)
			break;
		res->skipped += mmp_frame_nskipped(f);
		keep_skips(res, f);
		keep_targets(b, f);
		if (b->rows && (error = mmp_rows_digest_add(b->rows, f)) < 0) {
			mmp_frame_free(f);
			break;
		}
		/* a free slot for the chunk: write the oldest when full */
		if (b->next_read - b->next_write == b->njobs &&
		    (error = drain(b, res, &scores_at, 1)) < 0) {
			mmp_frame_free(f);
			break;
		}
		j = &b->jobs[b->next_read % b->njobs];
		j->frame = f;
		if (!b->nthreads) {
			process(b, j);
			j->state = JOB_DONE;
			b->next_read++;
		} else {
			pthread_mutex_lock(&b->mu);
			j->state = JOB_QUEUED;
			b->next_read++;
			pthread_cond_signal(&b->work);
			pthread_mutex_unlock(&b->mu);
		}
		error = drain(b, res, &scores_at, 0);
	}
	while (!error && b->next_write != b->next_read)
		error = drain(b, res, &scores_at, 1);
	if (!error)
		error = report(b, res, est, t0);
	return error;
}

/* ------------------------------------------------------------------ */
/* the run record                                                      */

static int start_run(struct batch *b, mmp_batch_result *res)
{
	const mmp_batch_options *o = b->o;
	mmp_run_start_options ro = MMP_RUN_START_OPTIONS_INIT;
	mmp_buf own = MMP_BUF_INIT, keep = MMP_BUF_INIT;
	char chunk[32], threads[32], version[32];
	mmp_kv kv[16];
	size_t n = 0, i;
	int error;

	ro.experiment = o->experiment;
	ro.run_name = o->run_name;
	ro.source_name = b->in_name;
	ro.kind = "batch-inference";
	if ((error = mmp_run_start(o->store, &ro, res->run_id)) < 0)
		return error;
	snprintf(chunk, sizeof(chunk), "%zu", o->chunk_rows ? o->chunk_rows
		: DEFAULT_CHUNK_ROWS);
	snprintf(threads, sizeof(threads), "%u", o->nthreads);
	if (o->model_run_id)
		kv[n++] = (mmp_kv){ "model.run_id", o->model_run_id };
	else if (!mmp_model_attr(&own, b->m, "mmp_run_id") && own.size)
		kv[n++] = (mmp_kv){ "model.run_id", own.ptr };
	if (o->model_name)
		kv[n++] = (mmp_kv){ "model.name", o->model_name };
	if (o->model_version > 0) {
		snprintf(version, sizeof(version), "%lld",
			(long long)o->model_version);
		kv[n++] = (mmp_kv){ "model.version", version };
	}
	if (o->model_dir)
		kv[n++] = (mmp_kv){ "model.dir", o->model_dir };
	kv[n++] = (mmp_kv){ "input", b->in_name };
	if (o->query)
		kv[n++] = (mmp_kv){ "query", o->query };
	if (o->table)
		kv[n++] = (mmp_kv){ "table", o->table };
	kv[n++] = (mmp_kv){ "output", b->out_label };
	if (b->out_db)
		kv[n++] = (mmp_kv){ "mode", o->mode == MMP_SINK_APPEND ?
			"append" : "replace" };
	kv[n++] = (mmp_kv){ "format", o->format == MMP_BATCH_JSONL ? "jsonl"
		: "csv" };
	kv[n++] = (mmp_kv){ "chunk_rows", chunk };
	kv[n++] = (mmp_kv){ "threads", threads };
	kv[n++] = (mmp_kv){ "proba", o->proba ? "true" : "false" };
	kv[n++] = (mmp_kv){ "evaluate", o->evaluate ? "true" : "false" };
	kv[n++] = (mmp_kv){ "on_error", o->on_error == MMP_CSV_BAD_ROWS_SKIP
		? "skip" : "fail" };
	for (i = 0; i < o->nkeep; i++) {
		if (i)
			mmp_buf_putc(&keep, ',');
		mmp_buf_puts(&keep, o->keep[i]);
	}
	if (o->nkeep)
		kv[n++] = (mmp_kv){ "keep", keep.ptr };
	error = mmp_run_log_params(o->store, res->run_id, kv, n);
	mmp_buf_dispose(&own);
	mmp_buf_dispose(&keep);
	if (error < 0)
		mmp_run_end(o->store, res->run_id, "FAILED",
			mmp_error_last()->message);
	return error;
}

static int record_end(struct batch *b, mmp_batch_result *res)
{
	const mmp_batch_options *o = b->o;
	mmp_run_metric mt[6 + MMP_METRICS_MAX];
	mmp_dataset_input d = { 0 };
	const char *base;
	size_t n = 0, i;
	int error;

	mt[n++] = (mmp_run_metric){ "rows_in", (double)res->rows_in, 0, 0 };
	mt[n++] = (mmp_run_metric){ "rows_out", (double)res->rows_out, 0, 0 };
	mt[n++] = (mmp_run_metric){ "rows_skipped", (double)res->skipped, 0,
		0 };
	mt[n++] = (mmp_run_metric){ "unseen_categories", (double)res->unseen,
		0, 0 };
	mt[n++] = (mmp_run_metric){ "seconds", res->seconds, 0, 0 };
	mt[n++] = (mmp_run_metric){ "rows_per_second", res->rows_per_sec, 0,
		0 };
	for (i = 0; res->evaluated && i < res->metrics.count; i++)
		mt[n++] = (mmp_run_metric){ res->metrics.items[i].name,
			res->metrics.items[i].value, 0, 0 };
	if ((error = mmp_run_log_metrics(o->store, res->run_id, mt, n)) < 0)
		return error;
	base = b->in_tmp ? NULL : strrchr(o->input, '/');
	d.name = !strcmp(o->input, "-") ? "<stdin>" : base ? base + 1
		: b->in_name;
	d.digest = res->digest;
	d.source = b->in_name;
	d.source_type = b->in_tmp ? mmp_source_kind_name(
		mmp_source_kind_of(o->input)) : "local";
	d.rows = (int64_t)res->rows_in;
	d.columns = (int64_t)(res->nfeatures + res->nentities);
	d.context = "inference";
	if ((error = mmp_run_log_dataset(o->store, res->run_id, &d)) < 0)
		return error;
	if (res->rows_digest[0] && (error = mmp_run_set_tags(o->store,
	    res->run_id, &(mmp_kv){ "mmp.data.rows_digest",
	    res->rows_digest }, 1)) < 0)
		return error;
	if (b->live && (error = record_window(b, res)) < 0)
		return error;
	return mmp_run_end(o->store, res->run_id, "FINISHED", NULL);
}

/* end the run after `err`, keeping the job's error as the last error */
static void record_failure(struct batch *b, mmp_batch_result *res, int err)
{
	const mmp_error *e = mmp_error_last();
	char *msg = mmp__strdup(e->message);
	int klass = e->klass;

	/* the output was not delivered: its predictions are not logged */
	if (res->logged &&
	    mmp_store_prediction_log_forget(b->o->store, b->source, NULL) == 0)
		res->logged = 0;
	mmp_run_end(b->o->store, res->run_id, err == MMP_EINTERRUPTED ?
		"KILLED" : "FAILED", msg);
	mmp_error_set(klass, "%s", msg);
	free(msg);
}

/* ------------------------------------------------------------------ */

static void batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->njobs; i++) {
		mmp_frame_free(b->jobs[i].frame);
		free(b->jobs[i].y);
		free(b->jobs[i].scores);
		free(b->jobs[i].error_msg);
		mmp_buf_dispose(&b->jobs[i].text);
	}
	free(b->jobs);
	free(b->threads);
	for (i = 0; i < b->nlabels; i++) {
		free(b->label_csv ? b->label_csv[i] : NULL);
		free(b->label_json ? b->label_json[i] : NULL);
	}
	free(b->label_csv);
	free(b->label_json);
	for (i = 0; b->tables && i <= b->nf; i++)
		mmp_category_table_free(b->tables[i]);
	free(b->tables);
	free(b->ents);
	free(b->out_name);
	if (b->in_tmp)
		unlink(b->in_tmp);
	free(b->in_tmp);
	mmp_rows_digest_free(b->rows);
	free(b->in_name);
	free(b->out_label);
	free(b->ytrue);
	free(b->yscore);
	mmp_profile_free(b->ref);
	mmp_profile_free(b->live);
	mmp_buf_dispose(&b->model_name);
	free(b->items);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->done);
}

static int check_options(const mmp_batch_options *o)
{
	if (!o || o->version != MMP_BATCH_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown batch options version %u",
			o ? o->version : 0);
	if (!o->input || !*o->input)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no input file given");
	if (!o->output || !*o->output)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no output file given");
	if (o->format != MMP_BATCH_CSV && o->format != MMP_BATCH_JSONL)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown output format %d", (int)o->format);
	if (o->chunk_rows > MAX_CHUNK_ROWS)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"chunk of %zu rows is too large (at most %zu)",
			o->chunk_rows, MAX_CHUNK_ROWS);
	if (o->nthreads > MAX_THREADS)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%u threads are too many (at most %d)", o->nthreads,
			MAX_THREADS);
	if (mmp_source_check_location(o->input) < 0 ||
	    mmp_source_check_location(o->output) < 0)
		return MMP_EINVALID;
	if (strcmp(o->input, "-") && !strcmp(o->input, o->output)) {
		mmp_buf shown = MMP_BUF_INIT;

		mmp_source_redact(&shown, o->output);
		mmp_error_set(MMP_ERROR_INVALID, "the output '%s' is the "
			"input", shown.ptr);
		mmp_buf_dispose(&shown);
		return MMP_EINVALID;
	}
	if (o->id_column && !*o->id_column)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the id column name is empty");
	if (o->id_column && !o->store)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"logging predictions by '%s' needs a store to log "
			"them in", o->id_column);
	if ((o->query || o->table) &&
	    mmp_source_kind_of(o->input) == MMP_SOURCE_FILE)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a %s needs a database input (sqlite:// or "
			"postgresql://), not a file", o->query ? "query" :
			"table");
	if (mmp_source_kind_of(o->output) != MMP_SOURCE_FILE &&
	    o->format != MMP_BATCH_CSV)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a database output takes the csv format");
	if (o->mode == MMP_SINK_APPEND &&
	    mmp_source_kind_of(o->output) == MMP_SOURCE_FILE)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"appending needs a database output");
	return 0;
}

/* stream the rows of a database input into a temporary CSV to read */
static int export_input(struct batch *b, mmp_csv_options *copts)
{
	/* a database has no missing-value spellings: only NULL and "" */
	static const char *const no_na[] = { NULL };
	mmp_source src = MMP_SOURCE_INIT;
	mmp_source_info info = { 0 };
	int fd, error;

	src.location = b->o->input;
	src.query = b->o->query;
	src.table = b->o->table;
	if ((error = temp_csv(&b->in_tmp, &fd, "input")) < 0)
		return error;
	error = mmp_source_export_csv(&info, &src, fd);
	if (close(fd) < 0 && !error)
		error = mmp_error_set_os("cannot write '%s'", b->in_tmp);
	/* nothing to score is a mistake (a table replaced by nothing) */
	if (!error && !info.rows)
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: the %s returned no rows", b->in_name,
			b->o->table ? "table" : "query");
	mmp_source_info_release(&info);
	copts->na_values = no_na;
	copts->delimiter = ',';
	b->in_path = b->in_tmp;
	return error;
}

/*
 * An error about the exported rows names the temporary file and its
 * line: name the database and the row instead.
 */
static void name_rows(const struct batch *b)
{
	const mmp_error *e = mmp_error_last();
	size_t n = b->in_tmp ? strlen(b->in_tmp) : 0;
	const char *m, *rest;
	long long line;
	char *end;

	if (!n || !e || !e->message || strncmp(e->message, b->in_tmp, n))
		return;
	m = e->message + n;
	if (*m != ':') {
		rest = mmp__strdup(m);
		mmp_error_set(e->klass, "%s%s", b->in_name, rest);
		free((char *)rest);
		return;
	}
	line = strtoll(m + 1, &end, 10);
	if (end == m + 1) {
		rest = mmp__strdup(m);
		mmp_error_set(e->klass, "%s%s", b->in_name, rest);
	} else {
		/* "LINE:FIELD: what": the column is named in `what` */
		if (end[0] == ':' && end[1] >= '0' && end[1] <= '9') {
			const char *f = end + 1;
			while (*f >= '0' && *f <= '9')
				f++;
			if (*f == ':')
				end = (char *)f;
		}
		rest = mmp__strdup(end);
		mmp_error_set(e->klass, "%s: row %lld%s", b->in_name,
			line - 1, rest);
	}
	free((char *)rest);
}

int mmp_batch_run(mmp_batch_result *out, mmp_model *m,
	const mmp_batch_options *o)
{
	mmp_csv_options copts = MMP_CSV_OPTIONS_INIT;
	mmp_csv_reader *r = NULL;
	struct batch b;
	double t0 = mmp_time_mono();
	unsigned int nthreads;
	int error, recording = 0;
	size_t i, ualloc = 0;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.fd = -1;
	b.id_ent = -1;
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.work, NULL);
	pthread_cond_init(&b.done, NULL);
	b.o = o;
	b.m = m;
	if ((error = check_options(o)) < 0)
		goto done;
	b.in_path = o->input;
	{
		mmp_buf t = MMP_BUF_INIT;

		mmp_source_redact(&t, o->input);
		b.in_name = mmp_buf_detach(&t);
		mmp_source_redact(&t, o->output);
		b.out_label = mmp_buf_detach(&t);
	}
	b.out_db = mmp_source_kind_of(o->output) != MMP_SOURCE_FILE;
	if (!m || !(b.sc = mmp_model_schema_of(m))) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model has no schema to read its columns with");
		goto done;
	}
	b.task = mmp_model_task_of(m);
	b.nf = b.sc->nfeatures;
	b.noutputs = mmp_model_noutputs(m);
	if (b.nf != mmp_model_nfeatures(m)) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model schema lists %zu features, the model "
			"expects %zu", b.nf, mmp_model_nfeatures(m));
		goto done;
	}
	if ((error = build_labels(&b)) < 0)
		goto done;
	copts.bad_rows = o->on_error;
	if (o->delimiter)
		copts.delimiter = o->delimiter;
	if (mmp_source_kind_of(o->input) != MMP_SOURCE_FILE &&
	    (error = export_input(&b, &copts)) < 0)
		goto done;
	find_entities(&b, &copts);
	/* the model's entity columns count, the kept ones do not; the
	 * digest is made only when it is recorded or asked for */
	if (o->store || !o->skip_rows_digest)
		mmp_rows_digest_new(&b.rows, b.nents);
	if ((error = add_keeps(&b)) < 0 ||
	    (error = open_reader(&b, &r, &copts)) < 0)
		goto done;
	out->nfeatures = b.nf;
	out->nentities = b.nents;
	if ((error = open_output(&b, o->output)) < 0)
		goto done;
	if ((error = mmp_model_set_nthread(m, 1)) < 0)
		goto done;
	if (o->store && (error = open_profile(&b)) < 0)
		goto done;
	if (o->store) {
		b.started_ms = mmp_time_ms();
		if ((error = start_run(&b, out)) < 0)
			goto done;
		recording = 1;
		snprintf(b.source, sizeof(b.source), "batch:%s", out->run_id);
	}
	nthreads = o->nthreads;
	if (!nthreads) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = cores > 0 ? (unsigned int)cores : 1;
	}
	start_threads(&b, nthreads);
	error = stream(&b, r, out, t0);
	stop_threads(&b);

	out->rows_in = out->rows_out + out->skipped;
	for (i = 0; i < mmp_csv_reader_nfeatures(r); i++) {
		uint64_t u = mmp_csv_reader_unseen(r, i);

		if (!u)
			continue;
		MMP_ALLOC_GROW(out->unseen_features,
			out->nunseen_features + 1, ualloc);
		out->unseen_features[out->nunseen_features].feature =
			mmp__strdup(mmp_csv_reader_feature_name(r, i));
		out->unseen_features[out->nunseen_features++].count = u;
		out->unseen += u;
	}
	if (!error && b.rows) {
		int derr = mmp_rows_digest_final(b.rows, out->rows_digest);

		if (derr == MMP_ENOTFOUND)
			mmp_error_clear();      /* no rows: no digest */
		else if (derr < 0)
			error = derr;
	}
	/* a database's rows have no file: their digest is that of the
	 * rows, as training records it (not the temporary export's) */
	if (b.in_tmp)
		memcpy(out->digest, out->rows_digest, 65);
	else if (mmp_csv_reader_digest(r))
		memcpy(out->digest, mmp_csv_reader_digest(r), 65);
	if (!error && o->evaluate && b.neval) {
		error = mmp_metrics_compute(&out->metrics, b.task,
			b.nlabels, b.ytrue, b.yscore, b.neval);
		if (error < 0)
			mmp_error_prefix("cannot evaluate the batch");
		else
			out->evaluated = 1;
	}
	if (!error)
		error = finish_output(&b);
	out->seconds = mmp_time_mono() - t0;
	out->rows_per_sec = out->seconds > 0 ?
		(double)out->rows_in / out->seconds : 0;
	if (error < 0)
		name_rows(&b);
	if (recording && !error)
		error = record_end(&b, out);
	else if (recording)
		record_failure(&b, out, error);
done:
	if (error < 0) {
		name_rows(&b);
		discard_output(&b);
	}
	mmp_csv_reader_free(r);
	batch_release(&b);
	return error;
}
