/* SPDX-License-Identifier: MIT */
/* data-internal.h: shared internals of lib/data: the CSV parser, the
 * frame builder every reader fills, and the reader interface */
#ifndef LIB_data_data_internal_h__
#define LIB_data_data_internal_h__

#include <stdbool.h>
#include <stdint.h>

#include "mmp/data.h"
#include "util/util.h"

/* --- string dictionary: distinct byte strings <-> dense ids --- */
typedef struct {
	char *arena;            /* NUL-terminated strings back to back */
	size_t alen, aalloc;
	size_t *off;            /* arena offset of id i */
	uint32_t *len;
	uint64_t *hash;
	size_t n, nalloc;
	uint32_t *slot;         /* open addressing: id + 1, 0 when empty */
	size_t mask;
} mmp_data__dict;

void mmp_data__dict_init(mmp_data__dict *d);
void mmp_data__dict_release(mmp_data__dict *d);
uint64_t mmp_data__hash(const char *s, size_t len);
/* the id of s, added when new */
uint32_t mmp_data__dict_intern(mmp_data__dict *d, const char *s, size_t len);
/* the id of s, or -1 */
long mmp_data__dict_find(const mmp_data__dict *d, const char *s, size_t len);
static inline const char *mmp_data__dict_str(const mmp_data__dict *d,
	size_t id)
{
	return d->arena + d->off[id];
}

struct mmp_category_table {
	mmp_data__dict d;
};

/*
 * Sort the strings of `d` (numerically when `numeric` and every string
 * is a decimal int64, else bytewise) into a new table; remap[id] gets
 * the code of id. Integer labels equal in value share one code, shown
 * in canonical decimal form.
 */
mmp_category_table *mmp_data__dict_sorted(const mmp_data__dict *d,
	bool numeric, uint32_t **remap);

/* --- compressed input (decompress.c: zlib and libzstd live there) --- */
enum mmp_data__codec {
	MMP_DATA_CODEC_NONE = 0,
	MMP_DATA_CODEC_GZIP,    /* "*.gz": one or more gzip members */
	MMP_DATA_CODEC_ZSTD     /* "*.zst": one or more zstd frames */
};
struct mmp_data__dec;

/* the versions of zlib and libzstd; 0 */
int mmp_data__zlib_version(char *out, size_t outlen);
int mmp_data__zstd_version(char *out, size_t outlen);

/* the codec of a path, by its suffix */
enum mmp_data__codec mmp_data__codec_of(const char *path);
/*
 * Decompress what is read from `fd` (not owned); every compressed byte
 * read is added to `sha`. `name` (for messages) and `sha` are borrowed
 * and must outlive the decoder.
 */
int mmp_data__dec_open(struct mmp_data__dec **out,
	enum mmp_data__codec codec, int fd, const char *name,
	mmp_sha256_ctx *sha);
/*
 * Decompress up to `cap` bytes into `out`; *n is 0 only at the clean end
 * of the data. A file cut inside a stream, an empty file or corrupt data
 * fail with MMP_EINVALID naming the file.
 */
int mmp_data__dec_read(struct mmp_data__dec *d, char *out, size_t cap,
	size_t *n);
/* compressed bytes read so far (for progress) */
uint64_t mmp_data__dec_consumed(const struct mmp_data__dec *d);
void mmp_data__dec_free(struct mmp_data__dec *d);

/* --- numbers --- */
/* strict int64: optional sign, decimal digits only */
bool mmp_data__parse_i64(const char *s, size_t len, int64_t *out);

/* --- the per-file-column plan --- */
enum mmp_data__op {
	OP_SKIP = 0,
	OP_NUM,           /* numeric feature */
	OP_CAT_COLLECT,   /* categorical feature, table collected */
	OP_CAT_FIXED,     /* categorical feature, saved table */
	OP_Y_NUM,         /* regression target */
	OP_Y_COLLECT,     /* class labels, table collected */
	OP_Y_FIXED,       /* class labels, saved table */
	OP_ENTITY,
	OP_TIME
};

struct mmp_data__col {
	int op;
	size_t slot;      /* feature or entity index */
	size_t dict;      /* collected dictionary of OP_CAT_COLLECT */
	const mmp_category_table *table;
	size_t keep;      /* entity slot + 1 of a column also kept as text */
};

struct mmp_data__plan {
	const char *name;         /* file name for messages */
	char delim;
	unsigned char special[256];
	char **na;                /* missing-value spellings */
	size_t *na_len;
	size_t nna;
	uint64_t na_lens;         /* bit n: some spelling has length n */
	bool na_numeric;          /* some spelling reads as a number */
	bool skip_bad;
	bool want_lines;
	size_t ncols;             /* columns in the file */
	char **colnames;
	struct mmp_data__col *cols;
	size_t nfeat;
	char **feat_names;
	mmp_feature_kind *kinds;
	const mmp_category_table **fixed;  /* per feature, or NULL */
	size_t ncollect;          /* collected dictionaries (features) */
	size_t *collect_feat;     /* feature index of each */
	size_t nent;
	char **ent_names;
	char *target_name;
	int task;
	int y_op;
	const mmp_category_table *y_table;
	char *time_name;
};

void mmp_data__plan_release(struct mmp_data__plan *p);

/* a field of the row being read: bytes in the data or in scratch */
struct mmp_data__field {
	const char *ptr;  /* NULL: at scratch + soff */
	size_t soff;
	size_t len;
	bool quoted;
};

struct mmp_data__skip {
	int64_t line;     /* relative while in a segment */
	char *reason;
};

/* the parse of one run of rows */
struct mmp_data__seg {
	const struct mmp_data__plan *plan;
	const char *p, *end;      /* input; end[0] readable (sentinel) */
	bool at_eof;
	size_t max_rows;
	/* output */
	size_t nrows, ralloc;
	float *x;
	double *y;
	uint32_t *yid;
	double *ts;
	int64_t *lines;           /* relative line of each row */
	char *ea;                 /* entity text */
	size_t ealen, eaalloc;
	size_t *eoff;
	mmp_data__dict *dicts;    /* plan->ncollect */
	mmp_data__dict ydict;
	uint64_t *unseen;         /* per feature */
	int64_t nlines;           /* line breaks consumed */
	size_t consumed;          /* bytes consumed */
	bool need_more;           /* stopped at an incomplete row */
	struct mmp_data__skip *skips;
	size_t nskips, skalloc;
	/* the first error: relative line, 1-based field (0: none) */
	int err;
	int64_t err_line;
	size_t err_field;
	mmp_buf err_msg;
	/* scratch */
	struct mmp_data__field *fields;
	size_t fcap;
	char *scratch;
	size_t slen, salloc;
};

void mmp_data__seg_init(struct mmp_data__seg *s,
	const struct mmp_data__plan *plan);
void mmp_data__seg_reset(struct mmp_data__seg *s);
void mmp_data__seg_release(struct mmp_data__seg *s);
/* parse rows of [s->p, s->end) until the end, max_rows, or an error */
void mmp_data__seg_parse(struct mmp_data__seg *s);
/* set the error of a failed segment whose first line is `base` */
int mmp_data__seg_error(const struct mmp_data__seg *s, int64_t base);

/* tokenize one row at *pp; returns 1 row, 0 incomplete, <0 error */
int mmp_data__tokenize(struct mmp_data__seg *s, const char **pp,
	size_t *nfields, int64_t *nl);
static inline const char *mmp_data__fptr(const struct mmp_data__seg *s,
	const struct mmp_data__field *f)
{
	return f->ptr ? f->ptr : s->scratch + f->soff;
}
bool mmp_data__is_na(const struct mmp_data__plan *p, const char *v,
	size_t len);

/* add the values of one record (not CSV text) as row slot s->nrows:
 * vals[c] NULL is a missing value; lens[c] its bytes. 0, or -1 with
 * s->err_msg and s->err_field set (the row is not added) */
int mmp_data__seg_add_record(struct mmp_data__seg *s,
	const char *const *vals, const size_t *lens);

/* --- what csv.c shares with the other readers --- */

/* global dictionaries of a load: collected features, class labels */
struct mmp_data__collect {
	mmp_data__dict *feat;
	mmp_data__dict y;
	size_t n;
};

int mmp_data__check_versions(const mmp_csv_options *o,
	const mmp_csv_spec *sp);
/* the dialect of a plan: delimiter, missing-value spellings, bad rows */
int mmp_data__plan_dialect(struct mmp_data__plan *p, const char *name,
	const mmp_csv_options *o);
/* a header from known names and types (no sniff) */
mmp_csv_header *mmp_data__header_new(const char *const *names,
	const mmp_csv_type *types, size_t n);
/* which column of `h` plays which role of `spec` (errors name p->name) */
int mmp_data__build_plan(struct mmp_data__plan *p, const mmp_csv_header *h,
	const mmp_csv_spec *spec, bool streaming);
mmp_frame *mmp_data__frame_new(const struct mmp_data__plan *p);
/* append the rows of segment s (g NULL: no collected dictionaries) */
void mmp_data__frame_merge(mmp_frame *f, struct mmp_data__collect *g,
	const struct mmp_data__seg *s, int64_t base);
void mmp_data__finish_collect(mmp_frame *f, const struct mmp_data__plan *p,
	struct mmp_data__collect *g);
void mmp_data__frame_finish_target(mmp_frame *f);
/* code the collected categories, fill the float target, trim the
 * matrix and set the frame's digest (hex, or NULL for none) */
void mmp_data__frame_end(mmp_frame *f, const struct mmp_data__plan *p,
	struct mmp_data__collect *g, const char *digest);
size_t mmp_data__frame_rows(const mmp_frame *f);
void mmp_data__frame_set_digest(mmp_frame *f, const char *digest);

/* --- the frame builder: how a reader of records fills a frame ---
 *
 * A database reader knows each column's name and type up front and
 * hands over rows as text values (SQL NULL as NULL). The builder
 * applies the spec exactly as a CSV load does (same conversions, same
 * messages, categories collected and sorted at the end) and keeps only
 * the frame and a small batch of rows, so memory is bounded by the
 * data, not by the reader.
 *
 *   mmp_data__builder_new(&b, name, names, types, n, spec);
 *   while (rows) mmp_data__builder_add(b, vals, lens);
 *   mmp_data__builder_finish(b, &frame, allow_empty);
 *   mmp_data__builder_free(b);
 */
struct mmp_data__builder;

/* `name` (already redacted) prefixes every message; types are
 * MMP_CSV_TYPE_STRING for text (categorical when a feature), otherwise
 * numeric */
int mmp_data__builder_new(struct mmp_data__builder **out, const char *name,
	const char *const *names, const mmp_csv_type *types, size_t n,
	const mmp_csv_spec *spec);
/* add one row of n values; an error names the row (1-based) and column */
int mmp_data__builder_add(struct mmp_data__builder *b,
	const char *const *vals, const size_t *lens);
/* whether column c (0-based) is read: a column the spec skips may be
 * of any type */
bool mmp_data__builder_reads(const struct mmp_data__builder *b, size_t c);
/* rows added so far */
uint64_t mmp_data__builder_rows(const struct mmp_data__builder *b);
/* the frame (owned by the caller); no rows is an error unless allowed */
int mmp_data__builder_finish(struct mmp_data__builder *b, mmp_frame **out,
	bool allow_empty);
void mmp_data__builder_free(struct mmp_data__builder *b);

/* --- the reader interface ---
 *
 * One reader per source scheme, each in its own file (pg.c for
 * PostgreSQL through libpq, sqlite for SQLite). mmp_source_load(),
 * mmp_source_header() and mmp_source_check() pick the reader from
 * mmp_source_kind_of(src->location) in the table of source.c; CSV files
 * (and what decompresses to CSV) go through csv.c instead. A reader:
 *   - checks the source (query xor table) and connects;
 *   - for `load`: streams the rows through a builder into a frame,
 *     fills `info` (redacted location, query that ran, server version,
 *     rows), and sets no digest (source.c computes the canonical one);
 *   - for `header`: the result's columns and types without the rows;
 *   - for `check` (optional): reachable, login, version, EXPLAIN;
 *   - maps each column's type to MMP_CSV_TYPE_*, refusing other types
 *     with MMP_EINVALID naming the column and its type;
 *   - never prints, never records anything, and never puts a password
 *     in a message (use mmp_source_redact() for the location).
 */
struct mmp_data__reader {
	mmp_source_kind kind;
	int (*load)(mmp_frame **out, mmp_source_info *info,
		const mmp_source *src, const mmp_csv_spec *spec,
		const mmp_csv_options *opts);
	int (*header)(mmp_csv_header **out, const mmp_source *src);
	/* mmp_source_check(); NULL when the reader cannot check */
	int (*check)(mmp_source_check_result *out, const mmp_source *src);
	/*
	 * Stream the rows without building a frame: `head` once with the
	 * columns, then `row` for each row (NULL values for SQL NULL); a
	 * callback's error stops the scan and is returned. Fills `info`
	 * as `load` does. NULL: this reader cannot stream.
	 */
	int (*scan)(mmp_source_info *info, const mmp_source *src,
		int (*head)(void *payload, const char *const *names,
			const mmp_csv_type *types, size_t n),
		int (*row)(void *payload, const char *const *vals,
			const size_t *lens),
		void *payload);
};

/* the reader of a database location after checking query and table */
int mmp_data__database_reader(const struct mmp_data__reader **out,
	const mmp_source *src);

extern const struct mmp_data__reader mmp_data__pg_reader;

/* sqlite.c: sqlite:///path/to/file.db and sqlite:relative/file.db */
extern const struct mmp_data__reader mmp_data__sqlite_reader;
/*
 * The file of an sqlite: location (percent-decoded), whether it asks for
 * immutable=1, and (when `table` is not NULL) its table=NAME parameter,
 * owned by the caller. Unknown parameters are an error.
 */
int mmp_data__sqlite_location(mmp_buf *path, int *immutable, char **table,
	const char *location);
/*
 * The test suite's hook (MMP_TEST_PAUSE_BEFORE_COMMIT=FILE): a writer
 * creates FILE just before its COMMIT and waits while FILE exists (at
 * most a minute), so a test can look at the table or kill the job then.
 */
void mmp_data__pause_before_commit(void);
/* append the `n` bytes at `s` with %XX escapes decoded */
void mmp_data__percent_decode(mmp_buf *out, const char *s, size_t n);
/* sink.c: a reader of every column of the CSV rows to write, as text
 * (only an empty field is empty); `*h` read first when NULL */
int mmp_data__open_rows(mmp_csv_reader **r, mmp_csv_header **h,
	const char *csv);
/*
 * The SQL type of each column of the CSV rows to write: NUMBER for the
 * columns named in `numeric`; otherwise INTEGER when every value is a
 * plain integer ("-"?, no leading zero, at most 18 digits, so an id
 * "007" stays text), NUMBER when every value is a plain decimal number,
 * else STRING (also when the column has no value). `*out` has one type
 * per column (free() it).
 */
int mmp_data__column_types(mmp_csv_type **out, const char *csv,
	const char *const *numeric, size_t nnumeric);
/* sqlite-write.c: the rows of a CSV file into a table, one transaction */
int mmp_data__sqlite_write(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, int append);
/* pg-write.c: the same into postgresql://.../db/schema.table */
int mmp_data__pg_write(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, int append);

#endif
