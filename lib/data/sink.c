/* SPDX-License-Identifier: MIT */
/* sink.c: a database source exported as CSV text, and CSV rows written
 * into a database table (the writer chosen by scheme) */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data-internal.h"

#define FLUSH_BYTES ((size_t)1 << 20)

void mmp_data__pause_before_commit(void)
{
	const char *flag = getenv("MMP_TEST_PAUSE_BEFORE_COMMIT");
	int fd, i;

	if (!flag || !*flag)
		return;
	fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 600 && !access(flag, F_OK); i++)
		usleep(100000);
}

struct export {
	int fd;
	mmp_buf out;
	size_t n;
};

static int flush_out(struct export *x)
{
	size_t done = 0;

	while (done < x->out.size) {
		ssize_t w = write(x->fd, x->out.ptr + done,
			x->out.size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return mmp_error_set_os("cannot write the exported "
				"rows");
		done += (size_t)w;
	}
	mmp_buf_clear(&x->out);
	return 0;
}

/* one CSV field: quoted when it holds a delimiter, quote or line end,
 * or is empty text (an empty unquoted field is a NULL) */
static void put_field(mmp_buf *out, const char *v, size_t len, bool null)
{
	size_t i;

	if (null)
		return;
	if (len && !memchr(v, ',', len) && !memchr(v, '"', len) &&
	    !memchr(v, '\n', len) && !memchr(v, '\r', len)) {
		mmp_buf_put(out, v, len);
		return;
	}
	mmp_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		if (v[i] == '"')
			mmp_buf_putc(out, '"');
		mmp_buf_putc(out, v[i]);
	}
	mmp_buf_putc(out, '"');
}

static int on_head(void *payload, const char *const *names,
	const mmp_csv_type *types, size_t n)
{
	struct export *x = payload;
	size_t i;

	(void)types;
	x->n = n;
	for (i = 0; i < n; i++) {
		if (i)
			mmp_buf_putc(&x->out, ',');
		put_field(&x->out, names[i], strlen(names[i]), false);
	}
	mmp_buf_putc(&x->out, '\n');
	return 0;
}

static int on_row(void *payload, const char *const *vals,
	const size_t *lens)
{
	struct export *x = payload;
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (i)
			mmp_buf_putc(&x->out, ',');
		put_field(&x->out, vals[i] ? vals[i] : "", lens[i], !vals[i]);
	}
	mmp_buf_putc(&x->out, '\n');
	return x->out.size >= FLUSH_BYTES ? flush_out(x) : 0;
}

int mmp_source_export_csv(mmp_source_info *info, const mmp_source *src,
	int fd)
{
	const struct mmp_data__reader *rd;
	struct export x = { fd, MMP_BUF_INIT, 0 };
	mmp_source_info local = { 0 };
	mmp_buf loc = MMP_BUF_INIT;
	int err;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (!src || src->version != MMP_SOURCE_VERSION || !src->location)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no database source given");
	if ((err = mmp_data__database_reader(&rd, src)) < 0)
		goto done;
	if (!rd->scan) {
		mmp_source_redact(&loc, src->location);
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"%s: this mmp cannot stream %s rows", loc.ptr,
			mmp_source_kind_name(rd->kind));
		goto done;
	}
	if ((err = rd->scan(info, src, on_head, on_row, &x)) == 0)
		err = flush_out(&x);
done:
	mmp_buf_dispose(&x.out);
	mmp_buf_dispose(&loc);
	mmp_source_info_release(&local);
	return err;
}

/* a load and an export from one reading of the rows */
struct tee {
	struct export x;
	struct mmp_data__builder *b;
	const mmp_csv_spec *spec;
	const char *name;
};

static int tee_head(void *payload, const char *const *names,
	const mmp_csv_type *types, size_t n)
{
	struct tee *t = payload;
	int err;

	if ((err = mmp_data__builder_new(&t->b, t->name, names, types, n,
	    t->spec)) < 0)
		return err;
	return on_head(&t->x, names, types, n);
}

static int tee_row(void *payload, const char *const *vals,
	const size_t *lens)
{
	struct tee *t = payload;
	int err;

	if ((err = mmp_data__builder_add(t->b, vals, lens)) < 0)
		return err;
	return on_row(&t->x, vals, lens);
}

int mmp_source_load_export(mmp_frame **out, mmp_source_info *info,
	const mmp_source *src, const mmp_csv_spec *spec, int fd)
{
	const struct mmp_data__reader *rd;
	struct tee t = { { fd, MMP_BUF_INIT, 0 }, NULL, spec, NULL };
	mmp_source_info local = { 0 };
	mmp_buf loc = MMP_BUF_INIT;
	char digest[65];
	int err;

	*out = NULL;
	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (!src || src->version != MMP_SOURCE_VERSION || !src->location)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no database source given");
	mmp_source_redact(&loc, src->location);
	t.name = loc.ptr;
	if ((err = mmp_data__database_reader(&rd, src)) < 0)
		goto done;
	if (!rd->scan) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"%s: this mmp cannot stream %s rows", loc.ptr,
			mmp_source_kind_name(rd->kind));
		goto done;
	}
	if ((err = rd->scan(info, src, tee_head, tee_row, &t)) < 0 ||
	    (err = flush_out(&t.x)) < 0 ||
	    (err = mmp_data__builder_finish(t.b, out,
	    spec && spec->allow_empty)) < 0)
		goto done;
	mmp_frame_rows_digest(*out, digest);
	mmp_data__frame_set_digest(*out, digest);
done:
	mmp_data__builder_free(t.b);
	mmp_buf_dispose(&t.x.out);
	mmp_buf_dispose(&loc);
	mmp_source_info_release(&local);
	return err;
}

/* a plain integer that reads back as the same text: "-"?, then "0" or
 * up to 18 digits without a leading zero (so an id "007" stays text) */
static bool plain_integer(const char *v, size_t len)
{
	size_t i = v[0] == '-';

	if (i >= len || len - i > 18 || (v[i] == '0' && len - i > 1))
		return false;
	for (; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static size_t digits(const char *v, size_t i, size_t len)
{
	size_t n = 0;

	while (i + n < len && v[i + n] >= '0' && v[i + n] <= '9')
		n++;
	return n;
}

/* a decimal number in the form every SQL database reads: "-"?, an
 * integer part without a leading zero (or none before '.'), a fraction,
 * an exponent */
static bool plain_number(const char *v, size_t len)
{
	size_t i = v[0] == '-', n;

	n = digits(v, i, len);
	if (n > 1 && v[i] == '0')
		return false;
	i += n;
	if (i < len && v[i] == '.') {
		size_t f = digits(v, i + 1, len);
		if (!f)
			return false;
		n += f;
		i += 1 + f;
	}
	if (!n)
		return false;
	if (i < len && (v[i] == 'e' || v[i] == 'E')) {
		i++;
		if (i < len && (v[i] == '+' || v[i] == '-'))
			i++;
		n = digits(v, i, len);
		if (!n)
			return false;
		i += n;
	}
	return i == len;
}

int mmp_data__open_rows(mmp_csv_reader **r, mmp_csv_header **h,
	const char *csv)
{
	static const char *const no_na[] = { NULL };
	mmp_csv_options co = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_column *cols;
	size_t i, n;
	int err;

	*r = NULL;
	co.na_values = no_na;
	if (!*h && (err = mmp_csv_header_read(h, csv, &co)) < 0)
		return err;
	n = mmp_csv_header_count(*h);
	cols = mmp__calloc(n + 1, sizeof(*cols));
	for (i = 0; i < n; i++) {
		cols[i].name = mmp_csv_header_name(*h, i);
		cols[i].role = MMP_CSV_ENTITY;
	}
	spec.columns = cols;
	spec.ncolumns = n;
	spec.allow_empty = 1;
	err = mmp_csv_reader_open(r, csv, &spec, &co);
	free(cols);
	return err;
}

int mmp_data__column_types(mmp_csv_type **out, const char *csv,
	const char *const *numeric, size_t nnumeric)
{
	mmp_csv_header *h = NULL;
	mmp_csv_reader *r = NULL;
	mmp_csv_type *t = NULL;
	mmp_frame *f = NULL;
	bool *seen = NULL, *forced = NULL;
	size_t i, k, n;
	int err;

	*out = NULL;
	if ((err = mmp_data__open_rows(&r, &h, csv)) < 0)
		goto done;
	n = mmp_csv_header_count(h);
	t = mmp__calloc(n + 1, sizeof(*t));
	seen = mmp__calloc(n + 1, sizeof(*seen));
	forced = mmp__calloc(n + 1, sizeof(*forced));
	for (k = 0; k < n; k++) {
		t[k] = MMP_CSV_TYPE_INTEGER;
		for (i = 0; i < nnumeric; i++)
			if (!strcmp(mmp_csv_header_name(h, k), numeric[i]))
				forced[k] = true;
		if (forced[k])
			t[k] = MMP_CSV_TYPE_NUMBER;
	}
	while ((err = mmp_csv_reader_next(&f, r, 8192)) == 0) {
		for (i = 0; i < mmp_frame_nrows(f); i++)
			for (k = 0; k < n; k++) {
				const char *v = mmp_frame_entity(f, k, i);
				size_t len = strlen(v);
				if (!len || forced[k] ||
				    t[k] == MMP_CSV_TYPE_STRING)
					continue;
				seen[k] = true;
				if (t[k] == MMP_CSV_TYPE_INTEGER &&
				    !plain_integer(v, len))
					t[k] = MMP_CSV_TYPE_NUMBER;
				if (t[k] == MMP_CSV_TYPE_NUMBER &&
				    !plain_number(v, len))
					t[k] = MMP_CSV_TYPE_STRING;
			}
		mmp_frame_free(f);
		f = NULL;
	}
	if (err != MMP_ITEROVER)
		goto done;
	err = 0;
	/* a column with no value at all is text */
	for (k = 0; k < n; k++)
		if (!forced[k] && !seen[k])
			t[k] = MMP_CSV_TYPE_STRING;
	*out = t;
	t = NULL;
done:
	free(t);
	free(seen);
	free(forced);
	mmp_csv_reader_free(r);
	mmp_csv_header_free(h);
	return err;
}

int mmp_sink_write_csv(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, mmp_sink_mode mode)
{
	mmp_buf loc = MMP_BUF_INIT;
	int err;

	if (mode != MMP_SINK_REPLACE && mode != MMP_SINK_APPEND)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown write mode %d", (int)mode);
	switch (mmp_source_kind_of(location)) {
	case MMP_SOURCE_SQLITE:
		return mmp_data__sqlite_write(location, csv, numeric,
			nnumeric, mode == MMP_SINK_APPEND);
	case MMP_SOURCE_POSTGRESQL:
		return mmp_data__pg_write(location, csv, numeric, nnumeric,
			mode == MMP_SINK_APPEND);
	default:
		mmp_source_redact(&loc, location);
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_DATA,
			"%s: this mmp cannot write %s tables", loc.ptr,
			mmp_source_kind_name(mmp_source_kind_of(location)));
		mmp_buf_dispose(&loc);
		return err;
	}
}
