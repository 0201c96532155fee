/* SPDX-License-Identifier: MIT */
/* data.h: data sources (CSV files, databases) loaded into typed frames,
 * and category tables */
#ifndef INCLUDE_mmp_data_h__
#define INCLUDE_mmp_data_h__

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "buf.h"
#include "types.h"

MMP_BEGIN_DECL

/*
 * A path ending in ".gz" or ".zst" is decompressed as it is read (gzip
 * or zstd; several members or frames read as one stream); its digest is
 * of the file's own bytes. A truncated, empty or corrupt compressed
 * file fails with MMP_EINVALID naming the file.
 *
 * The CSV dialect: a header row, then one record per row. RFC 4180
 * quoting ("" is a quote inside a quoted field; delimiters and line
 * breaks may appear inside quoted fields), LF or CRLF line ends, an
 * optional UTF-8 byte order mark, blank lines skipped. Quoting is
 * strict: a quote may only open a field and must be followed by the
 * delimiter or the end of the row when it closes one. Numbers are
 * decimal ("1", "-2.5e-3", "inf"); spaces around a number are allowed.
 * A value is missing when it equals one of the missing-value spellings
 * (quoted or not) or is only blanks.
 */

/** 1 when `path` is read through decompression (by its suffix), else 0. */
MMP_EXTERN(int) mmp_csv_is_compressed(const char *path);

/** How a bad row is handled by the streaming reader. */
typedef enum {
	MMP_CSV_BAD_ROWS_FAIL = 0, /**< the read fails naming file and line */
	MMP_CSV_BAD_ROWS_SKIP      /**< the row is dropped and reported */
} mmp_csv_bad_rows;

/** Options of every CSV call. NULL options mean these defaults. */
typedef struct {
	unsigned int version;
	/** field separator, ',' by default ('\t', ';', '|' ...) */
	char delimiter;
	/**
	 * Missing-value spellings, NULL-terminated; NULL means the default
	 * set: "", "NA", "N/A", "NaN", "nan", "null", "NULL". An empty
	 * field is always missing.
	 */
	const char *const *na_values;
	/** worker threads of mmp_csv_load(); 0 means the online cores */
	unsigned int nthreads;
	/** data rows the type sniff looks at; 0 means 10000 */
	size_t sniff_rows;
	/** bad rows in mmp_csv_reader_next(): fail (default) or skip */
	mmp_csv_bad_rows bad_rows;
	/**
	 * mmp_csv_load(): called after each block is parsed with the bytes
	 * read so far and the size of the file (0 when unknown: standard
	 * input, a pipe). NULL: no calls.
	 */
	void (*progress)(uint64_t done, uint64_t total, void *payload);
	void *payload;
} mmp_csv_options;

#define MMP_CSV_OPTIONS_VERSION 1
#define MMP_CSV_OPTIONS_INIT \
	{ MMP_CSV_OPTIONS_VERSION, ',', NULL, 0, 0, MMP_CSV_BAD_ROWS_FAIL }

/** Fill `opts` with the defaults. Returns 0, or MMP_EINVALID. */
MMP_EXTERN(int) mmp_csv_options_init(mmp_csv_options *opts,
	unsigned int version);

/** What the sniff saw in a column. */
typedef enum {
	MMP_CSV_TYPE_EMPTY = 0, /**< only missing values in the sample */
	MMP_CSV_TYPE_INTEGER,   /**< every value a decimal int64 */
	MMP_CSV_TYPE_NUMBER,    /**< every value a number */
	MMP_CSV_TYPE_STRING     /**< some value is not a number */
} mmp_csv_type;

/** The header row and the sniffed type of each column. */
typedef struct mmp_csv_header mmp_csv_header;

/**
 * Read the header of `path` ("-" for standard input) and infer each
 * column's type from the first `opts->sniff_rows` data rows (10000 by
 * default; fewer when they do not fit in the first 16 MiB). Only the
 * start of the file is read (standard input is consumed). The caller owns `*out`
 * and frees it with mmp_csv_header_free().
 * Errors: MMP_ENOTFOUND (no such file), MMP_ERROR (cannot read),
 * MMP_EINVALID (empty file, malformed CSV, duplicate column names).
 */
MMP_EXTERN(int) mmp_csv_sniff(mmp_csv_header **out, const char *path,
	const mmp_csv_options *opts);
/**
 * Read only the header row of `path`: the column names, every type
 * MMP_CSV_TYPE_EMPTY and no row sniffed. The caller owns `*out`
 * (mmp_csv_header_free()). Errors: as mmp_csv_sniff().
 */
MMP_EXTERN(int) mmp_csv_header_read(mmp_csv_header **out, const char *path,
	const mmp_csv_options *opts);
MMP_EXTERN(size_t) mmp_csv_header_count(const mmp_csv_header *h);
/** The name of column `i` (borrowed), NULL when out of range. */
MMP_EXTERN(const char *) mmp_csv_header_name(const mmp_csv_header *h,
	size_t i);
MMP_EXTERN(mmp_csv_type) mmp_csv_header_type(const mmp_csv_header *h,
	size_t i);
/** The index of column `name`, or -1. */
MMP_EXTERN(long) mmp_csv_header_find(const mmp_csv_header *h,
	const char *name);
/** How many data rows the sniff looked at. */
MMP_EXTERN(size_t) mmp_csv_header_sniffed(const mmp_csv_header *h);
MMP_EXTERN(void) mmp_csv_header_free(mmp_csv_header *h);

/**
 * A category table: K distinct strings coded 0..K-1. Tables built by
 * mmp_csv_load() are in sorted order (bytewise for strings, numeric for
 * integer class labels); tables built from saved strings keep the order
 * given. Immutable once built, so one table may be shared by threads.
 */
typedef struct mmp_category_table mmp_category_table;

/**
 * Build a table coding strings[i] as i. The strings are copied.
 * Errors: MMP_EINVALID (a duplicate string; a NULL string).
 */
MMP_EXTERN(int) mmp_category_table_new(mmp_category_table **out,
	const char *const *strings, size_t n);
/**
 * Build a table from a JSON array of strings, as written by
 * mmp_category_table_to_json(). Errors: MMP_EINVALID (not an array of
 * strings, duplicates).
 */
MMP_EXTERN(int) mmp_category_table_from_json(mmp_category_table **out,
	const char *json);
/** Append the table as a compact JSON array of strings to `out`. */
MMP_EXTERN(void) mmp_category_table_to_json(mmp_buf *out,
	const mmp_category_table *t);
MMP_EXTERN(size_t) mmp_category_table_count(const mmp_category_table *t);
/** The string of `code` (borrowed), NULL when out of range. */
MMP_EXTERN(const char *) mmp_category_table_string(
	const mmp_category_table *t, size_t code);
/** The code of the `len` bytes at `s`, or -1 when not in the table. */
MMP_EXTERN(long) mmp_category_table_find(const mmp_category_table *t,
	const char *s, size_t len);
MMP_EXTERN(void) mmp_category_table_free(mmp_category_table *t);

/** The role a column plays in a load. */
typedef enum {
	MMP_CSV_SKIP = 0,       /**< not read (only delimited) */
	MMP_CSV_FEATURE,        /**< numeric or categorical, as sniffed */
	MMP_CSV_NUMERIC,        /**< numeric feature, float32 */
	MMP_CSV_CATEGORICAL,    /**< string feature coded as float32 */
	MMP_CSV_TARGET,         /**< the label; see mmp_csv_spec.task */
	MMP_CSV_ENTITY,         /**< passed through as exact text */
	MMP_CSV_TIMESTAMP       /**< ISO 8601 or a number, as a double */
} mmp_csv_role;

/** One column named by the caller. */
typedef struct {
	const char *name;
	mmp_csv_role role;
	/**
	 * For a categorical feature or a classification target: the saved
	 * table to code against (predicting). Unseen feature values become
	 * NaN and are counted; an unseen class label is a bad row. NULL
	 * collects a new sorted table (mmp_csv_load() only).
	 */
	const mmp_category_table *categories;
} mmp_csv_column;

/**
 * Which columns to read and how. The order in the file is irrelevant.
 * A column is named once, except that a column named with another role
 * may be named again, later, as MMP_CSV_ENTITY: it is read as before
 * and its text is also passed through as an entity column.
 */
typedef struct {
	unsigned int version;
	const mmp_csv_column *columns;
	size_t ncolumns;
	/** role of the columns not named: MMP_CSV_SKIP or MMP_CSV_FEATURE */
	mmp_csv_role others;
	/** how a MMP_CSV_TARGET column is read: a number for
	 * MMP_TASK_REGRESSION, class labels otherwise */
	mmp_task task;
	/** nonzero: a file with a header and no data rows loads as 0 rows */
	int allow_empty;
} mmp_csv_spec;

#define MMP_CSV_SPEC_VERSION 1
#define MMP_CSV_SPEC_INIT \
	{ MMP_CSV_SPEC_VERSION, NULL, 0, MMP_CSV_SKIP, MMP_TASK_REGRESSION, 0 }

/**
 * Loaded rows. Features form one row-major float32 matrix (NaN for a
 * missing value), ordered as the named features of the spec, then the
 * other columns in file order. Categorical codes are small integers
 * stored as floats. Everything returned by the getters is borrowed and
 * lives as long as the frame.
 */
typedef struct mmp_frame mmp_frame;

MMP_EXTERN(size_t) mmp_frame_nrows(const mmp_frame *f);
MMP_EXTERN(size_t) mmp_frame_nfeatures(const mmp_frame *f);
/** nrows x nfeatures floats, row-major; NULL when either is 0 */
MMP_EXTERN(const float *) mmp_frame_features(const mmp_frame *f);
/**
 * Hand the feature matrix over to the caller (release with free()); the
 * frame then has no matrix. Saves a copy for a caller that keeps it.
 */
MMP_EXTERN(float *) mmp_frame_detach_features(mmp_frame *f);
MMP_EXTERN(const char *) mmp_frame_feature_name(const mmp_frame *f,
	size_t j);
MMP_EXTERN(mmp_feature_kind) mmp_frame_feature_kind(const mmp_frame *f,
	size_t j);
/** The category table of feature j (NULL for a numeric one). */
MMP_EXTERN(const mmp_category_table *) mmp_frame_categories(
	const mmp_frame *f, size_t j);
/** Values of feature j not in its saved table (coded NaN), this frame. */
MMP_EXTERN(uint64_t) mmp_frame_unseen(const mmp_frame *f, size_t j);

/** The target column's name, NULL when the spec has no target. */
MMP_EXTERN(const char *) mmp_frame_target_name(const mmp_frame *f);
/** Target values (regression) or class codes, float32; or NULL. */
MMP_EXTERN(const float *) mmp_frame_target(const mmp_frame *f);
/** The same as doubles (regression values unrounded); or NULL. */
MMP_EXTERN(const double *) mmp_frame_target_f64(const mmp_frame *f);
/** The class table of a classification target; NULL otherwise. */
MMP_EXTERN(const mmp_category_table *) mmp_frame_classes(
	const mmp_frame *f);
/**
 * Give the classes of a classification target the order of `labels`
 * (the same labels as the frame's class table, in any order): the
 * class table becomes `labels` and every row's code is rewritten.
 * Returns 0, or MMP_EINVALID when the frame has no classes or the
 * labels are not a permutation of them.
 */
MMP_EXTERN(int) mmp_frame_reorder_classes(mmp_frame *f,
	const char *const *labels, size_t n);

MMP_EXTERN(size_t) mmp_frame_nentities(const mmp_frame *f);
MMP_EXTERN(const char *) mmp_frame_entity_name(const mmp_frame *f,
	size_t e);
/** Entity column e of `row`, exactly as in the file (after unquoting). */
MMP_EXTERN(const char *) mmp_frame_entity(const mmp_frame *f, size_t e,
	size_t row);
/** The timestamp column's name, or NULL. */
MMP_EXTERN(const char *) mmp_frame_timestamp_name(const mmp_frame *f);
/**
 * Timestamps as doubles: seconds since 1970-01-01T00:00:00Z for ISO
 * 8601 dates and datetimes (offsets applied; no offset means UTC), the
 * number itself for numeric values, NaN when missing. Or NULL.
 */
MMP_EXTERN(const double *) mmp_frame_timestamps(const mmp_frame *f);
/** Source line of each row (streamed chunks only; NULL for a load). */
MMP_EXTERN(const int64_t *) mmp_frame_lines(const mmp_frame *f);
/** Rows skipped in this chunk (streaming with MMP_CSV_BAD_ROWS_SKIP). */
MMP_EXTERN(size_t) mmp_frame_nskipped(const mmp_frame *f);
/** The line and reason of skipped row i (borrowed); -1 when none. */
MMP_EXTERN(int64_t) mmp_frame_skipped(const mmp_frame *f, size_t i,
	const char **reason);
/**
 * The digest of the frame's data as hex (load only): for a CSV file the
 * sha256 of the whole file, read in the same pass; for a database
 * source the rows digest (mmp_frame_rows_digest()).
 */
MMP_EXTERN(const char *) mmp_frame_digest(const mmp_frame *f);
/**
 * The digest of the rows of `f` as loaded, in hex (`out` needs 65
 * bytes). The same rows and columns give the same digest whatever
 * their source (a CSV file, PostgreSQL, SQLite); a changed value, row,
 * row order, column name or role changes it. It is the sha256 of this
 * encoding, where a u32 is 4 bytes little-endian, a string its byte
 * length as a u32 then its bytes, and a table its count as a u32 then
 * its strings in code order:
 *   - "mmp-rows/1"; the feature count (u32); per feature in matrix
 *     order its name, then "n" (numeric) or "c" and its categories;
 *   - with a target: "t", its name, then "r" (regression) or "c" and
 *     its class table;
 *   - the entity count (u32) and each entity name; with a time column
 *     "s" and its name;
 *   - the row count as a u32 pair (high, low);
 *   - per row: each feature as a little-endian float32 (a category as
 *     its code), the target as a float64 (a class as its code), the
 *     time as a float64 (seconds since the epoch), every NaN as the
 *     quiet NaN (0x7fc00000, 0x7ff8000000000000); then each entity
 *     text as a string.
 * Call it before mmp_frame_detach_features().
 */
MMP_EXTERN(void) mmp_frame_rows_digest(const mmp_frame *f, char out[65]);

/**
 * The rows digest of rows read in chunks (mmp_csv_reader_next()): the
 * digest mmp_frame_rows_digest() gives the frame of all of them, in the
 * order added. Only the first `nentities` entity columns of the chunks
 * count (the others, such as columns a job only carries through, are
 * left out). The rows wait in an unlinked temporary file in $TMPDIR
 * (or /tmp) until the count that comes before them is known. Free with
 * mmp_rows_digest_free().
 */
typedef struct mmp_rows_digest mmp_rows_digest;
MMP_EXTERN(int) mmp_rows_digest_new(mmp_rows_digest **out,
	size_t nentities);
/** Add the rows of the next chunk. Errors: MMP_ERROR (temporary file). */
MMP_EXTERN(int) mmp_rows_digest_add(mmp_rows_digest *d, const mmp_frame *f);
/**
 * The digest of every row added, as hex, once. MMP_ENOTFOUND when no
 * chunk was added (no columns to name); MMP_ERROR on a read failure.
 */
MMP_EXTERN(int) mmp_rows_digest_final(mmp_rows_digest *d, char out[65]);
MMP_EXTERN(void) mmp_rows_digest_free(mmp_rows_digest *d);
MMP_EXTERN(void) mmp_frame_free(mmp_frame *f);

/**
 * Load the whole of `path` ("-" for standard input), reading it once in
 * blocks and parsing blocks with `opts->nthreads` threads. Types come
 * from a sniff of the first rows; a later value that does not fit a
 * numeric column fails the load. Categorical features and class labels
 * without a saved table are coded in sorted order, identically
 * whatever the thread count. The caller owns `*out` (mmp_frame_free()).
 * Errors, all naming the file and where possible line and column:
 * MMP_ENOTFOUND (no such file; a named column not in the header, with
 * a suggestion), MMP_ERROR (read failure), MMP_EINVALID (empty file,
 * no data rows unless allowed, ragged row, bad quoting, a value of the
 * wrong type, a missing target, duplicate columns, a bad spec).
 */
MMP_EXTERN(int) mmp_csv_load(mmp_frame **out, const char *path,
	const mmp_csv_spec *spec, const mmp_csv_options *opts);

/** A streaming reader with a fixed schema. */
typedef struct mmp_csv_reader mmp_csv_reader;

/**
 * Open `path` ("-" for standard input; nothing is seeked or mapped) for
 * chunked reads with a fixed schema: every feature must be named as
 * MMP_CSV_NUMERIC or MMP_CSV_CATEGORICAL (with its saved table) and
 * `spec->others` must be MMP_CSV_SKIP; a classification target needs
 * its saved class table. Memory stays bounded by the chunk size.
 * The caller owns `*out` (mmp_csv_reader_free()).
 * Errors: as mmp_csv_load(); MMP_EINVALID for a spec that is not fixed.
 */
MMP_EXTERN(int) mmp_csv_reader_open(mmp_csv_reader **out, const char *path,
	const mmp_csv_spec *spec, const mmp_csv_options *opts);
/**
 * Read up to `max_rows` rows into a new frame (owned by the caller) with
 * the line of each row. Returns MMP_ITEROVER at the end of the data
 * (and `*out` NULL). With MMP_CSV_BAD_ROWS_FAIL a bad row fails the read
 * with MMP_EINVALID naming file, line and reason; with SKIP it is left
 * out and listed in the chunk (mmp_frame_skipped()). An unterminated
 * quote always fails. Errors: MMP_EINVALID, MMP_ERROR (read failure).
 */
MMP_EXTERN(int) mmp_csv_reader_next(mmp_frame **out, mmp_csv_reader *r,
	size_t max_rows);
/** Features of the schema, in matrix order. */
MMP_EXTERN(size_t) mmp_csv_reader_nfeatures(const mmp_csv_reader *r);
MMP_EXTERN(const char *) mmp_csv_reader_feature_name(
	const mmp_csv_reader *r, size_t j);
/** Unseen categories of feature j over all chunks read so far. */
MMP_EXTERN(uint64_t) mmp_csv_reader_unseen(const mmp_csv_reader *r,
	size_t j);
/** Rows returned and rows skipped so far. */
MMP_EXTERN(uint64_t) mmp_csv_reader_rows(const mmp_csv_reader *r);
MMP_EXTERN(uint64_t) mmp_csv_reader_skipped(const mmp_csv_reader *r);
/** sha256 hex of the input once the end was reached, else NULL. */
MMP_EXTERN(const char *) mmp_csv_reader_digest(const mmp_csv_reader *r);
MMP_EXTERN(void) mmp_csv_reader_free(mmp_csv_reader *r);

/*
 * Data sources. A source names where rows come from:
 *
 *   a file path (or "-")         a CSV file, read by mmp_csv_load()
 *   postgresql://... (or         a PostgreSQL query or table, through
 *   postgres://...)              libpq (connection string as libpq's)
 *   sqlite:///path/to/file.db    an SQLite file, read-only
 *
 * Every reader fills the same frame the CSV reader fills, with the same
 * spec (roles, named columns, categories, target, time column) and the
 * same typing: a database column's type comes from the server instead
 * of a sniff (integers, floats, numerics and booleans are numbers,
 * booleans 0/1; text is categorical; dates and timestamps are text as
 * ISO 8601, read by mmp_parse_timestamp() for the time column). A SQL
 * NULL, and a text value that is empty or only blanks, is a missing
 * value; missing-value spellings (mmp_csv_options.na_values) apply to
 * CSV only. Readers only read: they never record runs.
 */

/** The kind of a source, from its location. */
typedef enum {
	MMP_SOURCE_FILE = 0,     /**< a CSV file: any location without a
				      scheme below */
	MMP_SOURCE_POSTGRESQL,   /**< postgresql:// or postgres:// */
	MMP_SOURCE_SQLITE        /**< sqlite:// */
} mmp_source_kind;

/** Where to read rows. NULL strings are absent. */
typedef struct {
	unsigned int version;
	/** a file path, "-", or a database URI (see above) */
	const char *location;
	/** databases: the SQL whose result rows are read */
	const char *query;
	/** databases: "name" or "schema.name", read whole; each part is
	 * quoted as an identifier. Exactly one of query and table. */
	const char *table;
} mmp_source;

#define MMP_SOURCE_VERSION 1
#define MMP_SOURCE_INIT { MMP_SOURCE_VERSION, NULL, NULL, NULL }

/** The kind of source `location` names (MMP_SOURCE_FILE for NULL). */
MMP_EXTERN(mmp_source_kind) mmp_source_kind_of(const char *location);
/** "csv", "postgresql" or "sqlite". */
MMP_EXTERN(const char *) mmp_source_kind_name(mmp_source_kind k);

/**
 * Append `location` to `out` without credentials: a database URI loses
 * its password (and any password=... parameter), so does any other
 * URL ("https://user:pw@host/..."); a file path is appended unchanged.
 * Safe to print, log and store.
 */
MMP_EXTERN(void) mmp_source_redact(mmp_buf *out, const char *location);

/**
 * 0 when `location` (NULL too) is a file path or a database URI mmp
 * reads. MMP_EINVALID, with an error naming the scheme and the redacted
 * location, for another URL ("https://...", "s3://..."), which would
 * otherwise be taken for a relative path holding its credentials.
 */
MMP_EXTERN(int) mmp_source_check_location(const char *location);

/** What a load learned about its source, for lineage. */
typedef struct {
	char *location;        /**< redacted (mmp_source_redact()) */
	char *query;           /**< the SQL that ran; NULL for files */
	char *server_version;  /**< e.g. "PostgreSQL 16.4"; NULL for files */
	uint64_t rows;         /**< data rows read */
} mmp_source_info;

/** Free the strings of `info` and zero it; accepts a zeroed struct. */
MMP_EXTERN(void) mmp_source_info_release(mmp_source_info *info);

/**
 * Load every row of `src` into `*out` (owned by the caller), as
 * mmp_csv_load() does for a file: `spec` says which columns play which
 * role; `opts` gives the CSV dialect and threads (databases use only
 * its progress callback, called with the rows read so far and 0).
 * With `info` not NULL it is filled (release it with
 * mmp_source_info_release(), also after an error).
 * Errors: as mmp_csv_load(); for databases MMP_ENET (cannot connect:
 * host unreachable, authentication failed), MMP_EINVALID (bad SQL, an
 * empty result, a column of an unsupported type, named with its type),
 * MMP_ENOTFOUND (no reader for the scheme in this build). No message
 * ever holds a password.
 */
MMP_EXTERN(int) mmp_source_load(mmp_frame **out, mmp_source_info *info,
	const mmp_source *src, const mmp_csv_spec *spec,
	const mmp_csv_options *opts);

/** What mmp_source_check() found; release with
 * mmp_source_check_release(). */
typedef struct {
	int reached;           /**< the server answered */
	int authenticated;     /**< the connection (login) succeeded */
	int parsed;            /**< EXPLAIN of the query succeeded */
	char *location;        /**< redacted (mmp_source_redact()) */
	char *server_version;  /**< e.g. "PostgreSQL 16.4", or NULL */
	char *error;           /**< the first failure (no password), or
				    NULL when every step passed */
} mmp_source_check_result;

/**
 * Check a database source without reading its rows: whether the server
 * answers, whether the login succeeds, its version, and whether EXPLAIN
 * of the query (or of the table's SELECT) succeeds. Returns 0 with the
 * steps in `out` (a failed step is not an error), MMP_EINVALID for a
 * file source, MMP_ENOTFOUND when the reader of the scheme cannot check.
 */
MMP_EXTERN(int) mmp_source_check(mmp_source_check_result *out,
	const mmp_source *src);
MMP_EXTERN(void) mmp_source_check_release(mmp_source_check_result *r);

/**
 * The columns of `src` and their types, without reading its rows: the
 * sniffed header of a CSV file (mmp_csv_sniff()), the described result
 * of a database query. Free with mmp_csv_header_free().
 * Errors: as mmp_source_load().
 */
MMP_EXTERN(int) mmp_source_header(mmp_csv_header **out,
	const mmp_source *src, const mmp_csv_options *opts);

/**
 * Stream every row of the database source `src` into `fd` as CSV: a
 * header row, then one row per result row, RFC 4180 quoting, numbers as
 * the shortest text that reads back exactly, SQL NULL as an empty
 * unquoted field and empty text as "". Memory stays bounded whatever
 * the rows. `info` as for mmp_source_load() (NULL: not wanted).
 * Errors: as mmp_source_load(); MMP_ENOTFOUND when the source's reader
 * cannot stream; MMP_ERROR (cannot write `fd`).
 */
MMP_EXTERN(int) mmp_source_export_csv(mmp_source_info *info,
	const mmp_source *src, int fd);

/**
 * mmp_source_load() and mmp_source_export_csv() of a database source
 * from one reading of its rows: the frame and the CSV text written to
 * `fd` hold the same rows in the same order, whatever the query's order
 * or a concurrent change. The frame has the rows digest. Errors: as
 * both.
 */
MMP_EXTERN(int) mmp_source_load_export(mmp_frame **out,
	mmp_source_info *info, const mmp_source *src,
	const mmp_csv_spec *spec, int fd);

/** How rows go into a table. */
typedef enum {
	MMP_SINK_REPLACE = 0,  /**< a new table renamed over the old one */
	MMP_SINK_APPEND        /**< added to the table (created if none) */
} mmp_sink_mode;

/**
 * Write the rows of the CSV file `csv` (a header row; as mmp writes
 * predictions) into the table named by `location`,
 * sqlite:///path/to/file.db?table=NAME or
 * postgresql://[user@]host[:port]/db/[schema.]table[?params] (the last
 * path segment, percent-decoded; no schema: the session's current one),
 * in one transaction: readers see the old rows or all the new ones,
 * never a part. REPLACE fills a new table (PostgreSQL: by COPY) and
 * renames it over the old one, dropped, before the commit; APPEND needs
 * an existing table to have the same columns in the same order. The
 * columns named in `numeric` are numbers (REAL, double precision); a
 * new table types every other column by its values: integers (INTEGER,
 * bigint) when each is a plain integer (no leading zero, at most 18
 * digits), numbers when each is a plain decimal number, else text. An
 * empty field is NULL. Identifiers are quoted; values
 * are bound or sent by COPY, never spliced into SQL.
 * Errors: MMP_EINVALID (no table named, different columns, a name too
 * long, bad SQL, a server refusal), MMP_ENET (cannot connect or log
 * in), MMP_ELOCKED (the SQLite database stayed locked), MMP_ENOTFOUND
 * (a scheme this mmp cannot write), MMP_ERROR. No message holds a
 * password.
 */
MMP_EXTERN(int) mmp_sink_write_csv(const char *location, const char *csv,
	const char *const *numeric, size_t nnumeric, mmp_sink_mode mode);

/**
 * Parse the decimal number in the `len` bytes at `s` (no blanks) to the
 * correctly rounded double. Returns 0, or MMP_EINVALID when it is not a
 * number. Exposed for tests and for callers reading numbers elsewhere.
 */
MMP_EXTERN(int) mmp_parse_number(double *out, const char *s, size_t len);
/**
 * 1 when `v` is a number a model can read: finite and within the range
 * of a 32-bit float (at most MMP_NUMBER_MAX in magnitude), else 0 (an
 * infinity, a NaN, or a value such as 1e39 that would become one).
 * The one definition of "out of range" for data, training and serving.
 */
MMP_EXTERN(int) mmp_number_in_range(double v);
/** The largest magnitude mmp_number_in_range() accepts (FLT_MAX). */
#define MMP_NUMBER_MAX 3.40282346638528859811704183484516925e+38
/**
 * Parse an ISO 8601 date ("2024-03-01"), datetime ("2024-03-01T12:30",
 * "2024-03-01 12:30:45.25Z", "...+02:00") or a number, as a timestamp
 * (see mmp_frame_timestamps()). Returns 0 or MMP_EINVALID.
 */
MMP_EXTERN(int) mmp_parse_timestamp(double *out, const char *s,
	size_t len);

MMP_END_DECL

#endif
