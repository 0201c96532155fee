/* SPDX-License-Identifier: MIT */
/* csv.c: CSV sniffing, the parallel whole-file load and the stream reader */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data-internal.h"

#define BLOCK_SIZE ((size_t)16 << 20)   /* load: most bytes per read block */
#define BLOCK_MIN ((size_t)4 << 20)     /* load: least bytes per read block */
#define STREAM_SIZE ((size_t)1 << 20)   /* reader: initial buffer */
#define MAX_ROW ((size_t)256 << 20)     /* longest row accepted */
#define SNIFF_ROWS 10000
#define MAX_THREADS 64
#define SEG_SIZE ((size_t)1 << 20)      /* load: bytes per run of rows */
#define MAX_SEGS 64
#define CAT_MISSING UINT32_MAX

static const char *const default_na[] = {
	"", "NA", "N/A", "NaN", "nan", "null", "NULL", NULL,
};

int mmp_csv_options_init(mmp_csv_options *opts, unsigned int version)
{
	mmp_csv_options def = MMP_CSV_OPTIONS_INIT;

	if (version != MMP_CSV_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported csv options version %u", version);
	*opts = def;
	return 0;
}

/* refuse option and spec structs from a newer mmp */
int mmp_data__check_versions(const mmp_csv_options *o,
	const mmp_csv_spec *sp)
{
	if (o->version != MMP_CSV_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported csv options version %u", o->version);
	if (sp && sp->version != MMP_CSV_SPEC_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported csv spec version %u", sp->version);
	return 0;
}

/* ------------------------------------------------------------------ */
/* input: a file or standard input, hashed as it is read               */

struct src {
	char *name;
	int fd;
	bool is_stdin;
	bool eof;
	off_t size;             /* of the data in a regular file, else -1 */
	off_t file_size;        /* of a regular file, else -1 */
	struct mmp_data__dec *dec;  /* a compressed file, else NULL */
	mmp_sha256_ctx sha;
	/* read without hashing: what is read stays at the start of buf,
	 * for the caller to hash (a whole load hashes its first block
	 * while the rows are parsed, not before) */
	bool hold;
	char *buf;              /* buf[len] is always a NUL sentinel */
	size_t len, cap;
};

static int src_open(struct src *s, const char *path)
{
	enum mmp_data__codec codec;
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->size = -1;
	s->file_size = -1;
	mmp_sha256_init(&s->sha);
	if (!path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"no input file given");
	s->is_stdin = !strcmp(path, "-");
	s->name = mmp__strdup(s->is_stdin ? "<stdin>" : path);
	if (s->is_stdin) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			int code = errno == ENOENT ? MMP_ENOTFOUND : MMP_ERROR;
			mmp_buf shown = MMP_BUF_INIT;

			mmp_source_redact(&shown, path);
			mmp_error_set_os("cannot open '%s'", shown.ptr);
			mmp_buf_dispose(&shown);
			return code;
		}
		if (!fstat(s->fd, &st) && S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return mmp_error_set_os("cannot read '%s'", path);
		}
		if (S_ISREG(st.st_mode))
			s->size = s->file_size = st.st_size;
	}
	codec = mmp_data__codec_of(s->is_stdin ? NULL : path);
	if (codec != MMP_DATA_CODEC_NONE) {
		/* the size of the data is not known until it is read */
		s->size = -1;
		return mmp_data__dec_open(&s->dec, codec, s->fd, s->name,
			&s->sha);
	}
	return 0;
}

static void src_close(struct src *s)
{
	mmp_data__dec_free(s->dec);
	s->dec = NULL;
	mmp_sha256_release(&s->sha);
	if (s->fd >= 0 && !s->is_stdin)
		close(s->fd);
	s->fd = -1;
	free(s->name);
	free(s->buf);
	s->name = NULL;
	s->buf = NULL;
}

/* read into buf[*len..cap) until full or EOF; hash what was read */
static int src_read(struct src *s, char *buf, size_t *len, size_t cap)
{
	while (*len < cap && !s->eof) {
		ssize_t n;

		if (s->dec) {
			size_t got;
			int error = mmp_data__dec_read(s->dec, buf + *len,
				cap - *len, &got);
			if (error < 0)
				return error;
			s->eof = !got;
			*len += got;
			continue;
		}
		n = read(s->fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mmp_error_set_os("cannot read '%s'", s->name);
		if (n == 0) {
			s->eof = true;
			break;
		}
		if (!s->hold)
			mmp_sha256_update(&s->sha, buf + *len, (size_t)n);
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return 0;
}

/*
 * Fault in the pages of [p, p + n), about to be written, in one call
 * instead of one page fault each: a load writes every byte of its
 * matrix once, into fresh pages, and a fault per page cost more than
 * the copy. Without MADV_POPULATE_WRITE (Linux 5.14) or when it fails,
 * the writes fault the pages in as before.
 */
static void prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a;

	if (n < ((size_t)64 << 10) || page <= 0 || (page & (page - 1)))
		return;
	a = (uintptr_t)p & ~(uintptr_t)(page - 1);
	(void)madvise((void *)a, (uintptr_t)p + n - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

/* make s->buf hold at least `want` bytes of room, then fill it */
static int src_fill(struct src *s, size_t want)
{
	if (!s->buf || want > s->cap) {
		s->buf = mmp__realloc(s->buf, want + 1);
		s->cap = want;
		prefault(s->buf + s->len, s->cap - s->len);
	}
	return src_read(s, s->buf, &s->len, s->cap);
}

/* the first read block: the whole of a small regular file, else BLOCK_SIZE */
static size_t first_block(const struct src *s)
{
	if (s->size >= 0 && (uint64_t)s->size < BLOCK_SIZE)
		return (size_t)s->size + 1;
	return BLOCK_SIZE;
}

/* bytes of the file read so far (the compressed ones when compressed) */
static uint64_t src_progress(const struct src *s, uint64_t parsed)
{
	return s->dec ? mmp_data__dec_consumed(s->dec) : parsed;
}

static void src_digest(struct src *s, char out[65])
{
	unsigned char d[32];

	mmp_sha256_final(&s->sha, d);
	mmp_sha256_hex(out, d);
}

/* ------------------------------------------------------------------ */
/* the dialect part of a plan                                          */

int mmp_data__plan_dialect(struct mmp_data__plan *p, const char *name,
	const mmp_csv_options *o)
{
	const char *const *na = o->na_values ? o->na_values : default_na;
	size_t i;

	p->name = name;
	p->delim = o->delimiter ? o->delimiter : ',';
	if (p->delim == '"' || p->delim == '\n' || p->delim == '\r')
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"invalid delimiter '%c'", p->delim);
	memset(p->special, 0, sizeof(p->special));
	p->special[(unsigned char)p->delim] = 1;
	p->special['\n'] = p->special['\r'] = p->special['"'] = 1;
	p->special[0] = 1;
	for (p->nna = 0; na[p->nna]; p->nna++)
		;
	p->na = mmp__calloc(p->nna + 1, sizeof(*p->na));
	p->na_len = mmp__calloc(p->nna + 1, sizeof(*p->na_len));
	for (i = 0; i < p->nna; i++) {
		double d;
		p->na[i] = mmp__strdup(na[i]);
		p->na_len[i] = strlen(na[i]);
		if (p->na_len[i] < 64)
			p->na_lens |= UINT64_C(1) << p->na_len[i];
		if (!mmp_parse_number(&d, na[i], p->na_len[i]) && !isnan(d))
			p->na_numeric = true;
	}
	p->skip_bad = o->bad_rows == MMP_CSV_BAD_ROWS_SKIP;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the header row and the type sniff                                   */

struct mmp_csv_header {
	size_t n;
	char **names;
	mmp_csv_type *types;
	size_t sniffed;
	int64_t lines;          /* line breaks in the header (and blanks) */
	size_t data_off;        /* offset of the first data row */
	double row_bytes;       /* mean bytes per sniffed row */
};

size_t mmp_csv_header_count(const mmp_csv_header *h)
{
	return h ? h->n : 0;
}

const char *mmp_csv_header_name(const mmp_csv_header *h, size_t i)
{
	return h && i < h->n ? h->names[i] : NULL;
}

mmp_csv_type mmp_csv_header_type(const mmp_csv_header *h, size_t i)
{
	return h && i < h->n ? h->types[i] : MMP_CSV_TYPE_EMPTY;
}

long mmp_csv_header_find(const mmp_csv_header *h, const char *name)
{
	size_t i;

	for (i = 0; h && name && i < h->n; i++)
		if (!strcmp(h->names[i], name))
			return (long)i;
	return -1;
}

size_t mmp_csv_header_sniffed(const mmp_csv_header *h)
{
	return h ? h->sniffed : 0;
}

void mmp_csv_header_free(mmp_csv_header *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		free(h->names[i]);
	free(h->names);
	free(h->types);
	free(h);
}

mmp_csv_header *mmp_data__header_new(const char *const *names,
	const mmp_csv_type *types, size_t n)
{
	mmp_csv_header *h = mmp__calloc(1, sizeof(*h));
	size_t i;

	h->n = n;
	h->names = mmp__calloc(n + 1, sizeof(*h->names));
	h->types = mmp__calloc(n + 1, sizeof(*h->types));
	for (i = 0; i < n; i++) {
		h->names[i] = mmp__strdup(names[i]);
		h->types[i] = types[i];
	}
	return h;
}

/*
 * Parse the header from s->buf (reading more while the row is not
 * complete) into *out; `p` has the dialect.
 */
static int read_header(mmp_csv_header **out, struct src *s,
	struct mmp_data__plan *p)
{
	struct mmp_data__seg seg;
	mmp_csv_header *h = NULL;
	size_t off = 0, nf = 0, i, j;
	int64_t nl = 0, lines = 0;
	int r, error = 0;

	*out = NULL;
	mmp_data__seg_init(&seg, p);
	if ((error = src_fill(s, s->cap ? s->cap : STREAM_SIZE)) < 0)
		goto done;
	if (s->len >= 3 && !memcmp(s->buf, "\xef\xbb\xbf", 3))
		off = 3;
	for (;;) {
		const char *q = s->buf + off;
		seg.end = s->buf + s->len;
		seg.at_eof = s->eof;
		if (q >= seg.end && s->eof) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s: file is empty", s->name);
			goto done;
		}
		r = q < seg.end ? mmp_data__tokenize(&seg, &q, &nf, &nl) : 0;
		if (r == 0) {
			if (s->cap >= MAX_ROW) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_DATA, "%s:%lld: header row "
					"is too long", s->name,
					(long long)lines + 1);
				goto done;
			}
			if ((error = src_fill(s, s->cap * 2)) < 0)
				goto done;
			continue;
		}
		if (r < 0) {
			seg.err = MMP_EINVALID;
			seg.err_line = 0;
			error = mmp_data__seg_error(&seg, lines + 1);
			goto done;
		}
		if (nf >= seg.fcap) {
			/* more fields than room: widen and read it again */
			free(seg.fields);
			seg.fcap = nf + 1;
			seg.fields = mmp__calloc(seg.fcap, sizeof(*seg.fields));
			continue;
		}
		if (nf == 1 && !seg.fields[0].len && !seg.fields[0].quoted) {
			lines += nl;
			off = (size_t)(q - s->buf);
			continue;
		}
		h = mmp__calloc(1, sizeof(*h));
		h->n = nf;
		h->names = mmp__calloc(nf, sizeof(*h->names));
		h->types = mmp__calloc(nf, sizeof(*h->types));
		for (i = 0; i < nf; i++)
			h->names[i] = mmp__strndup(
				mmp_data__fptr(&seg, &seg.fields[i]),
				seg.fields[i].len);
		for (i = 0; i < nf; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(h->names[i], h->names[j])) {
					error = mmp_error_ret(MMP_EINVALID,
						MMP_ERROR_DATA, "%s:%lld:%zu: "
						"duplicate column name '%s'",
						s->name, (long long)lines + 1,
						i + 1, h->names[i]);
					goto done;
				}
		h->lines = lines + nl;
		h->data_off = (size_t)(q - s->buf);
		break;
	}
done:
	mmp_data__seg_release(&seg);
	if (error < 0)
		mmp_csv_header_free(h);
	else
		*out = h;
	return error;
}

/* infer column types from the rows already in s->buf */
static int sniff_rows(mmp_csv_header *h, struct src *s,
	struct mmp_data__plan *p, size_t max_rows)
{
	struct mmp_data__seg seg;
	const char *q = s->buf + h->data_off, *q0 = q;
	bool *seen = mmp__calloc(h->n + 1, sizeof(*seen));
	bool *notint = mmp__calloc(h->n + 1, sizeof(*notint));
	bool *notnum = mmp__calloc(h->n + 1, sizeof(*notnum));
	int64_t line = h->lines, nl;
	size_t nf, i;
	int error = 0, r;

	p->ncols = h->n;
	mmp_data__seg_init(&seg, p);
	seg.end = s->buf + s->len;
	seg.at_eof = s->eof;
	while (h->sniffed < max_rows && q < seg.end) {
		r = mmp_data__tokenize(&seg, &q, &nf, &nl);
		if (r == 0)
			break;
		if (r < 0) {
			seg.err = MMP_EINVALID;
			seg.err_line = line;
			error = mmp_data__seg_error(&seg, 1);
			goto done;
		}
		line += nl;
		if (nf == 1 && !seg.fields[0].len && !seg.fields[0].quoted)
			continue;
		if (nf != h->n) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
				"%s:%lld: expected %zu fields, got %zu",
				s->name, (long long)(line - nl + 1), h->n, nf);
			goto done;
		}
		for (i = 0; i < nf; i++) {
			const char *v = mmp_data__fptr(&seg, &seg.fields[i]);
			size_t len = seg.fields[i].len;
			double d;
			if (notnum[i] || mmp_data__is_na(p, v, len))
				continue;
			seen[i] = true;
			while (len && (*v == ' ' || *v == '\t')) {
				v++;
				len--;
			}
			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (!notint[i] && !mmp_data__parse_i64(v, len, NULL))
				notint[i] = true;
			if (notint[i] && mmp_parse_number(&d, v, len) < 0)
				notnum[i] = true;
		}
		h->sniffed++;
	}
	for (i = 0; i < h->n; i++)
		h->types[i] = notnum[i] ? MMP_CSV_TYPE_STRING :
			!seen[i] ? MMP_CSV_TYPE_EMPTY :
			notint[i] ? MMP_CSV_TYPE_NUMBER : MMP_CSV_TYPE_INTEGER;
	h->row_bytes = h->sniffed ? (double)(q - q0) / (double)h->sniffed : 0;
done:
	p->ncols = 0;
	mmp_data__seg_release(&seg);
	free(seen);
	free(notint);
	free(notnum);
	return error;
}

/* read the header and, when `rows`, sniff the types of the first rows */
static int sniff(mmp_csv_header **out, const char *path,
	const mmp_csv_options *opts, bool rows)
{
	mmp_csv_options def = MMP_CSV_OPTIONS_INIT;
	struct mmp_data__plan p = { 0 };
	struct src s;
	mmp_csv_header *h = NULL;
	int error;

	*out = NULL;
	if (!opts)
		opts = &def;
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if ((error = mmp_data__check_versions(opts, NULL)) < 0 ||
	    (error = src_open(&s, path)) < 0)
		goto done;
	if ((error = mmp_data__plan_dialect(&p, s.name, opts)) < 0)
		goto done;
	s.cap = rows ? first_block(&s) : STREAM_SIZE;
	if ((error = read_header(&h, &s, &p)) < 0 || !rows)
		goto done;
	error = sniff_rows(h, &s, &p, opts->sniff_rows ? opts->sniff_rows :
		SNIFF_ROWS);
done:
	mmp_data__plan_release(&p);
	src_close(&s);
	if (error < 0)
		mmp_csv_header_free(h);
	else
		*out = h;
	return error;
}

int mmp_csv_sniff(mmp_csv_header **out, const char *path,
	const mmp_csv_options *opts)
{
	return sniff(out, path, opts, true);
}

int mmp_csv_header_read(mmp_csv_header **out, const char *path,
	const mmp_csv_options *opts)
{
	return sniff(out, path, opts, false);
}

/* ------------------------------------------------------------------ */
/* the plan: which file column goes where                              */

static const char *role_name(mmp_csv_role r)
{
	switch (r) {
	case MMP_CSV_SKIP: return "skip";
	case MMP_CSV_FEATURE: return "feature";
	case MMP_CSV_NUMERIC: return "numeric";
	case MMP_CSV_CATEGORICAL: return "categorical";
	case MMP_CSV_TARGET: return "target";
	case MMP_CSV_ENTITY: return "entity";
	case MMP_CSV_TIMESTAMP: return "timestamp";
	}
	return "unknown";
}

static void add_feature(struct mmp_data__plan *p, size_t c, bool cat,
	const mmp_category_table *table)
{
	struct mmp_data__col *col = &p->cols[c];
	size_t j = p->nfeat++;

	p->feat_names[j] = mmp__strdup(p->colnames[c]);
	p->kinds[j] = cat ? MMP_FEATURE_CATEGORICAL : MMP_FEATURE_NUMERIC;
	p->fixed[j] = table;
	col->slot = j;
	if (!cat) {
		col->op = OP_NUM;
	} else if (table) {
		col->op = OP_CAT_FIXED;
	} else {
		col->op = OP_CAT_COLLECT;
		col->dict = p->ncollect;
		p->collect_feat[p->ncollect++] = j;
	}
}

int mmp_data__build_plan(struct mmp_data__plan *p, const mmp_csv_header *h,
	const mmp_csv_spec *spec, bool streaming)
{
	size_t i, c, n = h->n;
	bool *named = mmp__calloc(n + 1, sizeof(*named));
	int error = 0;

	p->ncols = n;
	p->colnames = mmp__calloc(n, sizeof(*p->colnames));
	for (c = 0; c < n; c++)
		p->colnames[c] = mmp__strdup(h->names[c]);
	p->cols = mmp__calloc(n, sizeof(*p->cols));
	p->feat_names = mmp__calloc(n + 1, sizeof(*p->feat_names));
	p->kinds = mmp__calloc(n + 1, sizeof(*p->kinds));
	p->fixed = mmp__calloc(n + 1, sizeof(*p->fixed));
	p->collect_feat = mmp__calloc(n + 1, sizeof(*p->collect_feat));
	p->ent_names = mmp__calloc(n + 1, sizeof(*p->ent_names));
	p->task = spec->task;
	if (spec->others != MMP_CSV_SKIP && spec->others != MMP_CSV_FEATURE) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"other columns can only be skipped or features, "
			"not '%s'", role_name(spec->others));
		goto done;
	}
	if (streaming && spec->others != MMP_CSV_SKIP) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a streaming read needs every feature named");
		goto done;
	}
	for (i = 0; i < spec->ncolumns; i++) {
		const mmp_csv_column *sc = &spec->columns[i];
		long found = mmp_csv_header_find(h, sc->name);
		struct mmp_data__col *col;
		if (!sc->name) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"column %zu of the spec has no name", i + 1);
			goto done;
		}
		if (found < 0) {
			const char *near = mmp_str_closest(sc->name,
				(const char *const *)h->names, h->n);
			if (near)
				error = mmp_error_ret(MMP_ENOTFOUND,
					MMP_ERROR_DATA, "%s: unknown column "
					"'%s'; did you mean '%s'?", p->name,
					sc->name, near);
			else
				error = mmp_error_ret(MMP_ENOTFOUND,
					MMP_ERROR_DATA, "%s: unknown column "
					"'%s'", p->name, sc->name);
			goto done;
		}
		c = (size_t)found;
		col = &p->cols[c];
		if (named[c] && sc->role == MMP_CSV_ENTITY &&
		    col->op != OP_ENTITY && !col->keep) {
			/* read as before, and its text passed through too */
			if (col->op == OP_SKIP) {
				col->op = OP_ENTITY;
				col->slot = p->nent;
			} else {
				col->keep = p->nent + 1;
			}
			p->ent_names[p->nent++] = mmp__strdup(sc->name);
			continue;
		}
		if (named[c]) {
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"column '%s' is named twice", sc->name);
			goto done;
		}
		named[c] = true;
		switch (sc->role) {
		case MMP_CSV_SKIP:
			break;
		case MMP_CSV_FEATURE:
			if (streaming) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "column '%s': a "
					"streaming read needs the feature "
					"kind", sc->name);
				goto done;
			}
			add_feature(p, c, sc->categories ||
				h->types[c] == MMP_CSV_TYPE_STRING,
				sc->categories);
			break;
		case MMP_CSV_NUMERIC:
			add_feature(p, c, false, NULL);
			break;
		case MMP_CSV_CATEGORICAL:
			if (streaming && !sc->categories) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "column '%s': a "
					"streaming read needs its category "
					"table", sc->name);
				goto done;
			}
			add_feature(p, c, true, sc->categories);
			break;
		case MMP_CSV_TARGET:
			if (p->target_name) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "two target "
					"columns: '%s' and '%s'",
					p->target_name, sc->name);
				goto done;
			}
			p->target_name = mmp__strdup(sc->name);
			if (spec->task == MMP_TASK_REGRESSION) {
				col->op = OP_Y_NUM;
			} else if (sc->categories) {
				col->op = OP_Y_FIXED;
				col->table = sc->categories;
				p->y_table = sc->categories;
			} else if (streaming) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "column '%s': a "
					"streaming read needs the class list",
					sc->name);
				goto done;
			} else {
				col->op = OP_Y_COLLECT;
			}
			p->y_op = col->op;
			break;
		case MMP_CSV_ENTITY:
			col->op = OP_ENTITY;
			col->slot = p->nent;
			p->ent_names[p->nent++] = mmp__strdup(sc->name);
			break;
		case MMP_CSV_TIMESTAMP:
			if (p->time_name) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "two timestamp "
					"columns: '%s' and '%s'",
					p->time_name, sc->name);
				goto done;
			}
			p->time_name = mmp__strdup(sc->name);
			col->op = OP_TIME;
			break;
		default:
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"column '%s': unknown role %d", sc->name,
				(int)sc->role);
			goto done;
		}
		if (col->op == OP_CAT_FIXED)
			col->table = sc->categories;
	}
	if (spec->others == MMP_CSV_FEATURE)
		for (c = 0; c < n; c++)
			if (!named[c])
				add_feature(p, c,
					h->types[c] == MMP_CSV_TYPE_STRING,
					NULL);
done:
	free(named);
	return error;
}

/* ------------------------------------------------------------------ */
/* frames                                                              */

struct mmp_frame {
	size_t nrows, ralloc, nfeat;
	float *x;
	char **feat_names;
	mmp_feature_kind *kinds;
	const mmp_category_table **tables;
	mmp_category_table **owned;
	uint64_t *unseen;
	char *target_name;
	int y_op;
	float *y;
	double *y64;
	uint32_t *yid;
	const mmp_category_table *classes;
	mmp_category_table *classes_owned;
	size_t nent;
	char **ent_names;
	char *ea;
	size_t ealen, eaalloc;
	size_t *eoff;
	char *time_name;
	double *ts;
	int64_t *lines;
	struct mmp_data__skip *skips;
	size_t nskips, skalloc;
	char digest[65];
};

static char **dup_names(char **names, size_t n)
{
	char **out = mmp__calloc(n + 1, sizeof(*out));
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = mmp__strdup(names[i]);
	return out;
}

mmp_frame *mmp_data__frame_new(const struct mmp_data__plan *p)
{
	mmp_frame *f = mmp__calloc(1, sizeof(*f));
	size_t j;

	f->nfeat = p->nfeat;
	f->feat_names = dup_names(p->feat_names, p->nfeat);
	f->kinds = mmp__calloc(p->nfeat + 1, sizeof(*f->kinds));
	f->tables = mmp__calloc(p->nfeat + 1, sizeof(*f->tables));
	f->owned = mmp__calloc(p->nfeat + 1, sizeof(*f->owned));
	f->unseen = mmp__calloc(p->nfeat + 1, sizeof(*f->unseen));
	for (j = 0; j < p->nfeat; j++) {
		f->kinds[j] = p->kinds[j];
		f->tables[j] = p->fixed[j];
	}
	f->target_name = mmp__strdup_or_null(p->target_name);
	f->y_op = p->y_op;
	f->classes = p->y_table;
	f->nent = p->nent;
	f->ent_names = dup_names(p->ent_names, p->nent);
	f->time_name = mmp__strdup_or_null(p->time_name);
	return f;
}

static void frame_reserve(mmp_frame *f, size_t rows, bool lines)
{
	if (rows <= f->ralloc)
		return;
	if (f->nfeat)
		f->x = mmp__reallocarray(f->x, rows * f->nfeat, sizeof(*f->x));
	if (f->y_op) {
		f->y64 = mmp__reallocarray(f->y64, rows, sizeof(*f->y64));
		if (f->y_op == OP_Y_COLLECT)
			f->yid = mmp__reallocarray(f->yid, rows,
				sizeof(*f->yid));
	}
	if (f->time_name)
		f->ts = mmp__reallocarray(f->ts, rows, sizeof(*f->ts));
	if (f->nent)
		f->eoff = mmp__reallocarray(f->eoff, rows * f->nent,
			sizeof(*f->eoff));
	if (lines)
		f->lines = mmp__reallocarray(f->lines, rows,
			sizeof(*f->lines));
	f->ralloc = rows;
}

void mmp_frame_free(mmp_frame *f)
{
	size_t i;

	if (!f)
		return;
	free(f->x);
	for (i = 0; i < f->nfeat; i++) {
		free(f->feat_names[i]);
		mmp_category_table_free(f->owned[i]);
	}
	free(f->feat_names);
	free(f->kinds);
	free(f->tables);
	free(f->owned);
	free(f->unseen);
	free(f->target_name);
	free(f->y);
	free(f->y64);
	free(f->yid);
	mmp_category_table_free(f->classes_owned);
	for (i = 0; i < f->nent; i++)
		free(f->ent_names[i]);
	free(f->ent_names);
	free(f->ea);
	free(f->eoff);
	free(f->time_name);
	free(f->ts);
	free(f->lines);
	for (i = 0; i < f->nskips; i++)
		free(f->skips[i].reason);
	free(f->skips);
	free(f);
}

/* append the rows of a parsed segment whose first line is `base` */
void mmp_data__frame_merge(mmp_frame *f, struct mmp_data__collect *g,
	const struct mmp_data__seg *s, int64_t base)
{
	const struct mmp_data__plan *p = s->plan;
	size_t r0 = f->nrows, n = s->nrows, i, r, k;

	if (r0 + n > f->ralloc) {
		size_t want = f->ralloc + f->ralloc / 2;
		frame_reserve(f, want > r0 + n ? want : r0 + n,
			p->want_lines);
	}
	if (f->nfeat && n) {
		prefault(f->x + r0 * f->nfeat, n * f->nfeat * sizeof(*f->x));
		memcpy(f->x + r0 * f->nfeat, s->x,
			n * f->nfeat * sizeof(*f->x));
	}
	for (k = 0; g && k < p->ncollect; k++) {
		const mmp_data__dict *ld = &s->dicts[k];
		uint32_t *map = mmp__calloc(ld->n + 1, sizeof(*map));
		size_t j = p->collect_feat[k];
		for (i = 0; i < ld->n; i++)
			map[i] = mmp_data__dict_intern(&g->feat[k],
				mmp_data__dict_str(ld, i), ld->len[i]);
		for (r = r0; r < r0 + n; r++) {
			float *cell = &f->x[r * f->nfeat + j];
			uint32_t bits;
			memcpy(&bits, cell, sizeof(bits));
			if (bits != CAT_MISSING)
				bits = map[bits];
			memcpy(cell, &bits, sizeof(bits));
		}
		free(map);
	}
	if (f->y_op == OP_Y_NUM && n) {
		memcpy(f->y64 + r0, s->y, n * sizeof(*s->y));
	} else if (f->y_op == OP_Y_FIXED) {
		for (i = 0; i < n; i++)
			f->y64[r0 + i] = s->yid[i];
	} else if (f->y_op == OP_Y_COLLECT && g) {
		uint32_t *map = mmp__calloc(s->ydict.n + 1, sizeof(*map));
		for (i = 0; i < s->ydict.n; i++)
			map[i] = mmp_data__dict_intern(&g->y,
				mmp_data__dict_str(&s->ydict, i),
				s->ydict.len[i]);
		for (i = 0; i < n; i++)
			f->yid[r0 + i] = map[s->yid[i]];
		free(map);
	}
	if (f->time_name && n)
		memcpy(f->ts + r0, s->ts, n * sizeof(*s->ts));
	if (f->nent && n) {
		MMP_ALLOC_GROW(f->ea, f->ealen + s->ealen, f->eaalloc);
		memcpy(f->ea + f->ealen, s->ea, s->ealen);
		for (i = 0; i < n * f->nent; i++)
			f->eoff[r0 * f->nent + i] = s->eoff[i] + f->ealen;
		f->ealen += s->ealen;
	}
	if (p->want_lines)
		for (i = 0; i < n; i++)
			f->lines[r0 + i] = base + s->lines[i];
	for (i = 0; i < f->nfeat; i++)
		f->unseen[i] += s->unseen[i];
	for (i = 0; i < s->nskips; i++) {
		MMP_ALLOC_GROW(f->skips, f->nskips + 1, f->skalloc);
		f->skips[f->nskips].line = base + s->skips[i].line;
		f->skips[f->nskips++].reason =
			mmp__strdup(s->skips[i].reason);
	}
	f->nrows += n;
}

/* the float32 target from the doubles or codes */
void mmp_data__frame_finish_target(mmp_frame *f)
{
	size_t i;

	if (!f->y_op)
		return;
	f->y = mmp__calloc(f->nrows + 1, sizeof(*f->y));
	prefault(f->y, f->nrows * sizeof(*f->y));
	for (i = 0; i < f->nrows; i++)
		f->y[i] = (float)f->y64[i];
}

/* ------------------------------------------------------------------ */
/* the whole-file load                                                 */

/* the runs of rows of one block, claimed by the threads one at a time */
struct pool {
	struct mmp_data__seg segs[MAX_SEGS];
	unsigned nseg;
	atomic_uint next;
};

/* append the parsed runs of a pool in order; the first error wins */
static int pool_merge(struct pool *pl, mmp_frame *f, struct mmp_data__collect *g,
	int64_t *line)
{
	unsigned k;

	for (k = 0; k < pl->nseg; k++) {
		struct mmp_data__seg *sg = &pl->segs[k];
		if (sg->err)
			return mmp_data__seg_error(sg, *line);
		mmp_data__frame_merge(f, g, sg, *line);
		*line += sg->nlines;
	}
	pl->nseg = 0;
	return 0;
}

/* the first error of a parsed pool, as pool_merge() would give it */
static int pool_error(const struct pool *pl, int64_t line)
{
	unsigned k;

	for (k = 0; k < pl->nseg; k++) {
		if (pl->segs[k].err)
			return mmp_data__seg_error(&pl->segs[k], line);
		line += pl->segs[k].nlines;
	}
	return 0;
}

static void *pool_work(void *arg)
{
	struct pool *pl = arg;
	unsigned k;

	while ((k = atomic_fetch_add(&pl->next, 1)) < pl->nseg)
		mmp_data__seg_parse(&pl->segs[k]);
	return NULL;
}

/* what the first thread of a block does besides parsing */
struct merge_job {
	struct pool *prev, *cur;
	mmp_frame *f;
	struct mmp_data__collect *g;
	int64_t *line;
};

/* append the runs of the previous block, free of errors, then parse */
static void *merge_work(void *arg)
{
	struct merge_job *j = arg;

	(void)pool_merge(j->prev, j->f, j->g, j->line);
	return pool_work(j->cur);
}

/* the parity of the quotes in [p, p + n) */
static unsigned quote_parity(const char *p, size_t n)
{
	const char *e = p + n;
	unsigned par = 0;

	while ((p = memchr(p, '"', (size_t)(e - p)))) {
		par ^= 1;
		p++;
	}
	return par;
}

/*
 * The offset just past the last line break outside quotes in
 * [pos, len), or pos when none. `pos` starts a row, so outside quotes.
 * Exact because quoting is strict: every quote opens, closes or is
 * doubled inside a quoted field. `quotes`: whether [pos, len) has any
 * (without, no byte is inside quotes and no scan counts them).
 */
static size_t last_boundary(const char *b, size_t pos, size_t len,
	bool quotes)
{
	unsigned total = quotes ? quote_parity(b + pos, len - pos) : 0;
	unsigned after = 0;
	size_t i;

	for (i = len; i > pos; i--) {
		char c = b[i - 1];
		if (c == '"')
			after ^= 1;
		else if (c == '\n' && !(total ^ after))
			return i;
	}
	return pos;
}

/* the first row boundary at or after `target`; `from` starts a row;
 * `quotes` as for last_boundary() */
static size_t next_boundary(const char *b, size_t from, size_t target,
	size_t cut, bool quotes)
{
	unsigned par = quotes ? quote_parity(b + from, target - from) : 0;
	size_t i;

	for (i = target; i < cut; i++) {
		if (b[i] == '"')
			par ^= 1;
		else if (b[i] == '\n' && !par)
			return i + 1;
	}
	return cut;
}

/* how a block is shared out: its whole rows in runs */
struct split {
	size_t cut;             /* the end of its last whole row */
	unsigned nseg;
	size_t bounds[MAX_SEGS + 1];
};

/*
 * Split [pos, len) of a block into runs of rows for the threads: up to
 * `cut`, the end of the last whole row (all of it at the end of the
 * data); cut == pos when no row is whole.
 */
static void split_block(struct split *sp, const char *blk, size_t pos,
	size_t len, bool eof)
{
	/* one scan for quotes: most files have none, and then the
	 * boundaries need not count them */
	bool quotes = memchr(blk + pos, '"', len - pos) != NULL;
	size_t cut = eof ? len : last_boundary(blk, pos, len, quotes), k;
	unsigned nseg = (unsigned)((cut - pos) / SEG_SIZE) + 1;

	if (nseg > MAX_SEGS)
		nseg = MAX_SEGS;
	sp->cut = cut;
	sp->nseg = nseg;
	sp->bounds[0] = pos;
	for (k = 1; k < nseg; k++) {
		size_t t = pos + (cut - pos) / nseg * k;
		if (t < sp->bounds[k - 1])
			t = sp->bounds[k - 1];
		sp->bounds[k] = next_boundary(blk, sp->bounds[k - 1], t, cut,
			quotes);
	}
	sp->bounds[nseg] = cut;
}

/*
 * The read blocks after the first in a load on `nthreads` threads: two
 * runs of rows per thread, from BLOCK_MIN to BLOCK_SIZE. Smaller blocks
 * mean fewer pages to fault in and to hold (three blocks are live at
 * once) and a shorter last block (parsed once the whole file is read);
 * more threads need more runs to share.
 */
static size_t block_size(unsigned nthreads)
{
	size_t b = (size_t)nthreads * 2 * SEG_SIZE;

	return b < BLOCK_MIN ? BLOCK_MIN : b > BLOCK_SIZE ? BLOCK_SIZE : b;
}

static unsigned thread_count(const mmp_csv_options *o)
{
	long n = o->nthreads;

	if (!n)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* sort the collected dictionaries and turn ids into float codes */
void mmp_data__finish_collect(mmp_frame *f, const struct mmp_data__plan *p,
	struct mmp_data__collect *g)
{
	size_t k, r, i;

	for (k = 0; k < p->ncollect; k++) {
		size_t j = p->collect_feat[k];
		uint32_t *map;
		f->owned[j] = mmp_data__dict_sorted(&g->feat[k], false, &map);
		f->tables[j] = f->owned[j];
		for (r = 0; r < f->nrows; r++) {
			float *cell = &f->x[r * f->nfeat + j];
			uint32_t bits;
			memcpy(&bits, cell, sizeof(bits));
			*cell = bits == CAT_MISSING ? NAN : (float)map[bits];
		}
		free(map);
	}
	if (f->y_op == OP_Y_COLLECT) {
		uint32_t *map;
		f->classes_owned = mmp_data__dict_sorted(&g->y, true, &map);
		f->classes = f->classes_owned;
		prefault(f->y64, f->nrows * sizeof(*f->y64));
		for (i = 0; i < f->nrows; i++)
			f->y64[i] = map[f->yid[i]];
		free(map);
		free(f->yid);
		f->yid = NULL;
	}
}

void mmp_data__frame_end(mmp_frame *f, const struct mmp_data__plan *p,
	struct mmp_data__collect *g, const char *digest)
{
	mmp_data__finish_collect(f, p, g);
	mmp_data__frame_finish_target(f);
	if (f->nfeat && f->nrows)
		f->x = mmp__realloc(f->x, f->nrows * f->nfeat * sizeof(*f->x));
	snprintf(f->digest, sizeof(f->digest), "%s", digest ? digest : "");
}

void mmp_data__frame_set_digest(mmp_frame *f, const char *digest)
{
	snprintf(f->digest, sizeof(f->digest), "%s", digest);
}

size_t mmp_data__frame_rows(const mmp_frame *f)
{
	return f->nrows;
}

int mmp_csv_load(mmp_frame **out, const char *path,
	const mmp_csv_spec *spec, const mmp_csv_options *opts)
{
	mmp_csv_options def = MMP_CSV_OPTIONS_INIT;
	mmp_csv_spec defspec = MMP_CSV_SPEC_INIT;
	struct mmp_data__plan p = { 0 };
	struct mmp_data__collect g = { 0 };
	struct pool *pools[2] = { NULL, NULL }, *pool;
	struct split sp, nsp;   /* of this block and of the next */
	bool have_nsp = false;
	struct merge_job job;
	pthread_t th[MAX_THREADS];
	unsigned nth = 0;
	mmp_csv_header *h = NULL;
	mmp_frame *f = NULL;
	struct src s;
	char *blk = NULL, *next = NULL, *spare = NULL;
	size_t pos, len, cap, i, k, block, held = 0;
	uint64_t done = 0;   /* bytes of the file parsed so far */
	char digest[65];
	unsigned nthreads;
	int64_t line;
	int error, cur = 0;

	*out = NULL;
	if (!opts)
		opts = &def;
	if (!spec)
		spec = &defspec;
	nthreads = thread_count(opts);
	block = block_size(nthreads);
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if ((error = mmp_data__check_versions(opts, spec)) < 0 ||
	    (error = src_open(&s, path)) < 0)
		goto done;
	if ((error = mmp_data__plan_dialect(&p, s.name, opts)) < 0)
		goto done;
	/* the first block gives the header and the sniff sample, as
	 * mmp_csv_sniff() reads them: the same rows decide the types.
	 * It is hashed once its rows are being parsed (a compressed
	 * file's bytes are hashed as they are decompressed). */
	s.cap = first_block(&s);
	s.hold = !s.dec;
	if ((error = read_header(&h, &s, &p)) < 0 ||
	    (error = sniff_rows(h, &s, &p, opts->sniff_rows ?
		    opts->sniff_rows : SNIFF_ROWS)) < 0 ||
	    (error = mmp_data__build_plan(&p, h, spec, false)) < 0)
		goto done;
	f = mmp_data__frame_new(&p);
	g.n = p.ncollect;
	g.feat = mmp__calloc(g.n + 1, sizeof(*g.feat));
	if (s.size > 0 && h->row_bytes > 0)
		frame_reserve(f, (size_t)((double)s.size / h->row_bytes *
			1.02) + 1024, false);
	else
		frame_reserve(f, 65536, false);
	for (i = 0; i < 2; i++) {
		pools[i] = mmp__calloc(1, sizeof(*pools[i]));
		for (k = 0; k < MAX_SEGS; k++)
			mmp_data__seg_init(&pools[i]->segs[k], &p);
	}

	blk = s.buf;
	len = s.len;
	cap = s.cap;
	s.buf = NULL;
	if (s.hold)
		held = len;
	s.hold = false;
	pos = h->data_off;
	line = h->lines + 1;
	for (;;) {
		bool eof = s.eof;
		size_t nlen = 0, ncap = block;

		/* split while the previous block was parsed, or now */
		if (have_nsp)
			sp = nsp;
		else
			split_block(&sp, blk, pos, len, eof);
		have_nsp = false;
		if (sp.cut == pos && !eof) {
			/* no whole row in the block: make it bigger */
			if ((error = pool_merge(pools[!cur], f, &g,
				    &line)) < 0)
				goto done;
			/* the bytes held come first in the digest */
			mmp_sha256_update(&s.sha, blk, held);
			held = 0;
			if (cap >= MAX_ROW) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_DATA, "%s:%lld: row is too "
					"long", s.name, (long long)line);
				goto done;
			}
			cap *= 2;
			blk = mmp__realloc(blk, cap + 1);
			if ((error = src_read(&s, blk, &len, cap)) < 0)
				goto done;
			continue;
		}
		/* the first error of the previous block stops the load */
		if ((error = pool_error(pools[!cur], line)) < 0)
			goto done;
		pool = pools[cur];
		for (k = 0; k < sp.nseg; k++) {
			struct mmp_data__seg *sg = &pool->segs[k];
			mmp_data__seg_reset(sg);
			sg->p = blk + sp.bounds[k];
			sg->end = blk + sp.bounds[k + 1];
			sg->at_eof = true;
			sg->max_rows = 0;
		}
		pool->nseg = sp.nseg;
		atomic_store(&pool->next, 0);
		/*
		 * The first thread appends the rows of the previous block
		 * to the frame, then parses; this one hashes the first
		 * block, reads and splits the next, then parses: the
		 * reading thread does no more than its share.
		 */
		job.prev = pools[!cur];
		job.cur = pool;
		job.f = f;
		job.g = &g;
		job.line = &line;
		for (nth = 0; nth + 1 < nthreads && nth < sp.nseg; nth++)
			if (pthread_create(&th[nth], NULL, nth ? pool_work :
				    merge_work, nth ? (void *)pool :
				    (void *)&job))
				break;
		if (!nth)
			(void)pool_merge(pools[!cur], f, &g, &line);
		mmp_sha256_update(&s.sha, blk, held);
		held = 0;
		if (!eof) {
			size_t cut = sp.cut;
			if (len - cut >= ncap / 2)
				ncap = (len - cut) * 2;
			if (spare && ncap == block) {
				next = spare;
				spare = NULL;
			} else {
				next = mmp__malloc(ncap + 1);
			}
			nlen = len - cut;
			memcpy(next, blk + cut, nlen);
			error = src_read(&s, next, &nlen, ncap);
			if (error == 0) {
				split_block(&nsp, next, 0, nlen, s.eof);
				have_nsp = true;
			}
		}
		pool_work(pool);
		while (nth)
			pthread_join(th[--nth], NULL);
		if (error < 0)
			goto done;
		done += sp.cut;
		if (opts->progress)
			opts->progress(src_progress(&s, done),
				s.file_size > 0 ? (uint64_t)s.file_size : 0,
				opts->payload);
		cur = !cur;
		if (cap == block && !spare)
			spare = blk;
		else
			free(blk);
		blk = next;
		next = NULL;
		if (eof)
			break;
		len = nlen;
		cap = ncap;
		pos = 0;
	}
	if ((error = pool_merge(pools[!cur], f, &g, &line)) < 0)
		goto done;
	if (!f->nrows && !spec->allow_empty) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_DATA,
			"%s: no data rows", s.name);
		goto done;
	}
	src_digest(&s, digest);
	mmp_data__frame_end(f, &p, &g, digest);
done:
	for (i = 0; i < 2; i++) {
		if (!pools[i])
			continue;
		for (k = 0; k < MAX_SEGS; k++)
			mmp_data__seg_release(&pools[i]->segs[k]);
		free(pools[i]);
	}
	free(blk);
	free(next);
	free(spare);
	for (k = 0; k < g.n; k++)
		mmp_data__dict_release(&g.feat[k]);
	free(g.feat);
	mmp_data__dict_release(&g.y);
	mmp_csv_header_free(h);
	mmp_data__plan_release(&p);
	src_close(&s);
	if (error < 0)
		mmp_frame_free(f);
	else
		*out = f;
	return error;
}

/* ------------------------------------------------------------------ */
/* the streaming reader                                                */

struct mmp_csv_reader {
	struct src src;
	struct mmp_data__plan plan;
	struct mmp_data__seg seg;
	size_t pos;             /* first unread byte of src.buf */
	int64_t line;           /* line of src.buf + pos */
	uint64_t *unseen;
	uint64_t rows, skipped;
	bool done;
	char digest[65];
};

int mmp_csv_reader_open(mmp_csv_reader **out, const char *path,
	const mmp_csv_spec *spec, const mmp_csv_options *opts)
{
	mmp_csv_options def = MMP_CSV_OPTIONS_INIT;
	mmp_csv_header *h = NULL;
	mmp_csv_reader *r;
	int error;

	*out = NULL;
	if (!opts)
		opts = &def;
	if (!spec)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a streaming read needs a spec");
	r = mmp__calloc(1, sizeof(*r));
	r->src.fd = -1;
	if ((error = mmp_data__check_versions(opts, spec)) < 0 ||
	    (error = src_open(&r->src, path)) < 0)
		goto done;
	if ((error = mmp_data__plan_dialect(&r->plan, r->src.name, opts)) < 0)
		goto done;
	r->src.cap = STREAM_SIZE;
	if ((error = read_header(&h, &r->src, &r->plan)) < 0 ||
	    (error = mmp_data__build_plan(&r->plan, h, spec, true)) < 0)
		goto done;
	r->plan.want_lines = true;
	mmp_data__seg_init(&r->seg, &r->plan);
	r->unseen = mmp__calloc(r->plan.nfeat + 1, sizeof(*r->unseen));
	r->pos = h->data_off;
	r->line = h->lines + 1;
done:
	mmp_csv_header_free(h);
	if (error < 0)
		mmp_csv_reader_free(r);
	else
		*out = r;
	return error;
}

int mmp_csv_reader_next(mmp_frame **out, mmp_csv_reader *r, size_t max_rows)
{
	struct src *s = &r->src;
	mmp_frame *f;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!max_rows)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a chunk needs at least one row");
	if (r->done)
		return MMP_ITEROVER;
	f = mmp_data__frame_new(&r->plan);
	frame_reserve(f, max_rows < 4096 ? max_rows : 4096, true);
	while (f->nrows < max_rows) {
		struct mmp_data__seg *sg = &r->seg;
		mmp_data__seg_reset(sg);
		sg->p = s->buf + r->pos;
		sg->end = s->buf + s->len;
		sg->at_eof = s->eof;
		sg->max_rows = max_rows - f->nrows;
		mmp_data__seg_parse(sg);
		if (sg->err) {
			error = mmp_data__seg_error(sg, r->line);
			r->done = true;
			goto done;
		}
		mmp_data__frame_merge(f, NULL, sg, r->line);
		r->pos += sg->consumed;
		r->line += sg->nlines;
		if (f->nrows >= max_rows)
			break;
		if (r->pos == s->len && s->eof)
			break;
		if (!sg->need_more && r->pos < s->len)
			continue;
		/* keep the unread tail, then read more */
		memmove(s->buf, s->buf + r->pos, s->len - r->pos);
		s->len -= r->pos;
		r->pos = 0;
		if (s->len == s->cap) {
			if (s->cap >= MAX_ROW) {
				error = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_DATA, "%s:%lld: row is too "
					"long", s->name, (long long)r->line);
				r->done = true;
				goto done;
			}
			error = src_fill(s, s->cap * 2);
		} else {
			error = src_read(s, s->buf, &s->len, s->cap);
		}
		if (error < 0) {
			r->done = true;
			goto done;
		}
	}
	if (r->pos == s->len && s->eof && !r->done) {
		r->done = true;
		src_digest(s, r->digest);
	}
	for (i = 0; i < f->nfeat; i++)
		r->unseen[i] += f->unseen[i];
	r->rows += f->nrows;
	r->skipped += f->nskips;
	if (!f->nrows && !f->nskips) {
		mmp_frame_free(f);
		return MMP_ITEROVER;
	}
	mmp_data__frame_finish_target(f);
	*out = f;
	return 0;
done:
	mmp_frame_free(f);
	return error;
}

size_t mmp_csv_reader_nfeatures(const mmp_csv_reader *r)
{
	return r ? r->plan.nfeat : 0;
}

const char *mmp_csv_reader_feature_name(const mmp_csv_reader *r, size_t j)
{
	return r && j < r->plan.nfeat ? r->plan.feat_names[j] : NULL;
}

uint64_t mmp_csv_reader_unseen(const mmp_csv_reader *r, size_t j)
{
	return r && j < r->plan.nfeat ? r->unseen[j] : 0;
}

uint64_t mmp_csv_reader_rows(const mmp_csv_reader *r)
{
	return r ? r->rows : 0;
}

uint64_t mmp_csv_reader_skipped(const mmp_csv_reader *r)
{
	return r ? r->skipped : 0;
}

const char *mmp_csv_reader_digest(const mmp_csv_reader *r)
{
	return r && r->digest[0] ? r->digest : NULL;
}

void mmp_csv_reader_free(mmp_csv_reader *r)
{
	if (!r)
		return;
	mmp_data__seg_release(&r->seg);
	mmp_data__plan_release(&r->plan);
	src_close(&r->src);
	free(r->unseen);
	free(r);
}

/* ------------------------------------------------------------------ */
/* frame getters                                                       */

size_t mmp_frame_nrows(const mmp_frame *f)
{
	return f ? f->nrows : 0;
}

size_t mmp_frame_nfeatures(const mmp_frame *f)
{
	return f ? f->nfeat : 0;
}

const float *mmp_frame_features(const mmp_frame *f)
{
	return f && f->nrows && f->nfeat ? f->x : NULL;
}

float *mmp_frame_detach_features(mmp_frame *f)
{
	float *x;

	if (!f || !f->nrows || !f->nfeat)
		return NULL;
	x = f->x;
	f->x = NULL;
	return x;
}

const char *mmp_frame_feature_name(const mmp_frame *f, size_t j)
{
	return f && j < f->nfeat ? f->feat_names[j] : NULL;
}

mmp_feature_kind mmp_frame_feature_kind(const mmp_frame *f, size_t j)
{
	return f && j < f->nfeat ? f->kinds[j] : MMP_FEATURE_NUMERIC;
}

const mmp_category_table *mmp_frame_categories(const mmp_frame *f,
	size_t j)
{
	return f && j < f->nfeat ? f->tables[j] : NULL;
}

uint64_t mmp_frame_unseen(const mmp_frame *f, size_t j)
{
	return f && j < f->nfeat ? f->unseen[j] : 0;
}

const char *mmp_frame_target_name(const mmp_frame *f)
{
	return f ? f->target_name : NULL;
}

const float *mmp_frame_target(const mmp_frame *f)
{
	return f && f->y_op ? f->y : NULL;
}

const double *mmp_frame_target_f64(const mmp_frame *f)
{
	return f && f->y_op ? f->y64 : NULL;
}

const mmp_category_table *mmp_frame_classes(const mmp_frame *f)
{
	return f && f->y_op && f->y_op != OP_Y_NUM ? f->classes : NULL;
}

size_t mmp_frame_nentities(const mmp_frame *f)
{
	return f ? f->nent : 0;
}

const char *mmp_frame_entity_name(const mmp_frame *f, size_t e)
{
	return f && e < f->nent ? f->ent_names[e] : NULL;
}

const char *mmp_frame_entity(const mmp_frame *f, size_t e, size_t row)
{
	if (!f || e >= f->nent || row >= f->nrows)
		return NULL;
	return f->ea + f->eoff[row * f->nent + e];
}

const char *mmp_frame_timestamp_name(const mmp_frame *f)
{
	return f ? f->time_name : NULL;
}

const double *mmp_frame_timestamps(const mmp_frame *f)
{
	return f && f->time_name ? f->ts : NULL;
}

const int64_t *mmp_frame_lines(const mmp_frame *f)
{
	return f ? f->lines : NULL;
}

size_t mmp_frame_nskipped(const mmp_frame *f)
{
	return f ? f->nskips : 0;
}

int64_t mmp_frame_skipped(const mmp_frame *f, size_t i, const char **reason)
{
	if (!f || i >= f->nskips) {
		if (reason)
			*reason = NULL;
		return -1;
	}
	if (reason)
		*reason = f->skips[i].reason;
	return f->skips[i].line;
}

const char *mmp_frame_digest(const mmp_frame *f)
{
	return f && f->digest[0] ? f->digest : NULL;
}

int mmp_frame_reorder_classes(mmp_frame *f, const char *const *labels,
	size_t n)
{
	mmp_category_table *t = NULL;
	size_t *map, i, k;
	int err;

	if (!f || !f->classes || !f->y || !f->y64)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the frame has no class column to reorder");
	k = mmp_category_table_count(f->classes);
	if (n != k)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%zu labels given for %zu classes", n, k);
	if ((err = mmp_category_table_new(&t, labels, n)) < 0)
		return err;
	map = mmp__calloc(k ? k : 1, sizeof(*map));
	for (i = 0; i < k; i++) {
		const char *s = mmp_category_table_string(f->classes, i);
		long c = mmp_category_table_find(t, s, strlen(s));

		if (c < 0) {
			free(map);
			mmp_category_table_free(t);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"label '%s' is missing from the new order", s);
		}
		map[i] = (size_t)c;
	}
	for (i = 0; i < f->nrows; i++) {
		if (isnan(f->y64[i]))
			continue;
		f->y64[i] = (double)map[(size_t)f->y64[i]];
		f->y[i] = (float)f->y64[i];
	}
	free(map);
	mmp_category_table_free(f->classes_owned);
	f->classes_owned = t;
	f->classes = t;
	return 0;
}
