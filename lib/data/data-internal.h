/* SPDX-License-Identifier: MIT */
/* data-internal.h: shared internals of the CSV reader (lib/data) */
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

#endif
