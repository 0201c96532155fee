/* SPDX-License-Identifier: MIT */
/* csv-parse.c: tokenize CSV rows and convert them by column role */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data-internal.h"

#define CAT_MISSING UINT32_MAX
#define SHOW_MAX 60

enum { TOK_FATAL = -2, TOK_BAD = -1, TOK_MORE = 0, TOK_ROW = 1 };

void mmp_data__plan_release(struct mmp_data__plan *p)
{
	size_t i;

	for (i = 0; i < p->nna; i++)
		free(p->na[i]);
	free(p->na);
	free(p->na_len);
	for (i = 0; i < p->ncols; i++)
		free(p->colnames[i]);
	free(p->colnames);
	free(p->cols);
	for (i = 0; i < p->nfeat; i++)
		free(p->feat_names[i]);
	free(p->feat_names);
	free(p->kinds);
	free(p->fixed);
	free(p->collect_feat);
	for (i = 0; i < p->nent; i++)
		free(p->ent_names[i]);
	free(p->ent_names);
	free(p->target_name);
	free(p->time_name);
	memset(p, 0, sizeof(*p));
}

void mmp_data__seg_init(struct mmp_data__seg *s,
	const struct mmp_data__plan *plan)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->plan = plan;
	mmp_buf_init(&s->err_msg, 0);
	s->dicts = mmp__calloc(plan->ncollect ? plan->ncollect : 1,
		sizeof(*s->dicts));
	for (i = 0; i < plan->ncollect; i++)
		mmp_data__dict_init(&s->dicts[i]);
	mmp_data__dict_init(&s->ydict);
	s->unseen = mmp__calloc(plan->nfeat ? plan->nfeat : 1,
		sizeof(*s->unseen));
	s->fcap = plan->ncols + 1;
	s->fields = mmp__calloc(s->fcap, sizeof(*s->fields));
}

/* forget the output, keeping allocations (dictionaries are emptied) */
void mmp_data__seg_reset(struct mmp_data__seg *s)
{
	size_t i;

	s->nrows = 0;
	s->ealen = 0;
	s->nlines = 0;
	s->consumed = 0;
	s->need_more = false;
	for (i = 0; i < s->nskips; i++)
		free(s->skips[i].reason);
	s->nskips = 0;
	s->err = 0;
	s->err_line = 0;
	s->err_field = 0;
	mmp_buf_clear(&s->err_msg);
	for (i = 0; i < s->plan->ncollect; i++) {
		mmp_data__dict_release(&s->dicts[i]);
		mmp_data__dict_init(&s->dicts[i]);
	}
	mmp_data__dict_release(&s->ydict);
	memset(s->unseen, 0, (s->plan->nfeat ? s->plan->nfeat : 1) *
		sizeof(*s->unseen));
}

void mmp_data__seg_release(struct mmp_data__seg *s)
{
	size_t i;

	if (!s->plan)
		return;
	mmp_data__seg_reset(s);
	free(s->x);
	free(s->y);
	free(s->yid);
	free(s->ts);
	free(s->lines);
	free(s->ea);
	free(s->eoff);
	for (i = 0; i < s->plan->ncollect; i++)
		mmp_data__dict_release(&s->dicts[i]);
	free(s->dicts);
	free(s->unseen);
	free(s->skips);
	mmp_buf_dispose(&s->err_msg);
	free(s->fields);
	free(s->scratch);
	memset(s, 0, sizeof(*s));
}

bool mmp_data__is_na(const struct mmp_data__plan *p, const char *v,
	size_t len)
{
	size_t i;

	if (len < 64 && (p->na_lens >> len & 1))
		for (i = 0; i < p->nna; i++)
			if (p->na_len[i] == len && !memcmp(p->na[i], v, len))
				return true;
	for (i = 0; i < len; i++)
		if (v[i] != ' ' && v[i] != '\t')
			return false;
	return true;
}

static void scratch_put(struct mmp_data__seg *s, const char *p, size_t n)
{
	MMP_ALLOC_GROW(s->scratch, s->slen + n, s->salloc);
	memcpy(s->scratch + s->slen, p, n);
	s->slen += n;
}

static size_t count_nl(const char *p, const char *end)
{
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

static void tok_error(struct mmp_data__seg *s, size_t field,
	const char *fmt, ...) MMP_FORMAT_PRINTF(3, 4);

static void tok_error(struct mmp_data__seg *s, size_t field,
	const char *fmt, ...)
{
	va_list ap;

	mmp_buf_clear(&s->err_msg);
	va_start(ap, fmt);
	mmp_buf_vprintf(&s->err_msg, fmt, ap);
	va_end(ap);
	s->err_field = field;
}

/* skip the rest of a bad row: to after the next line break */
static int resync(struct mmp_data__seg *s, const char **pp, int64_t *nl)
{
	const char *p = *pp, *e = s->end;
	const char *q = memchr(p, '\n', (size_t)(e - p));

	if (!q) {
		if (!s->at_eof)
			return TOK_MORE;
		*pp = e;
		return TOK_BAD;
	}
	*pp = q + 1;
	(*nl)++;
	return TOK_BAD;
}

int mmp_data__tokenize(struct mmp_data__seg *s, const char **pp,
	size_t *nfields, int64_t *nl)
{
	const struct mmp_data__plan *pl = s->plan;
	const unsigned char *special = pl->special;
	const char *p = *pp, *end = s->end;
	const char delim = pl->delim;
	size_t nf = 0;

	s->slen = 0;
	*nl = 0;
	for (;;) {
		struct mmp_data__field *f = &s->fields[nf < s->fcap - 1 ?
			nf : s->fcap - 1];
		if (p < end && *p == '"') {
			const char *q = p + 1, *c;
			bool esc = false;
			size_t soff = s->slen;
			for (;;) {
				c = memchr(q, '"', (size_t)(end - q));
				if (!c || (c + 1 == end && !s->at_eof)) {
					if (!s->at_eof)
						return TOK_MORE;
					tok_error(s, nf + 1,
						"unterminated quoted field");
					return TOK_FATAL;
				}
				if (c + 1 < end && c[1] == '"') {
					scratch_put(s, q, (size_t)(c + 1 - q));
					q = c + 2;
					esc = true;
					continue;
				}
				break;
			}
			*nl += (int64_t)count_nl(p + 1, c);
			if (esc) {
				scratch_put(s, q, (size_t)(c - q));
				f->ptr = NULL;
				f->soff = soff;
				f->len = s->slen - soff;
			} else {
				f->ptr = p + 1;
				f->len = (size_t)(c - p - 1);
			}
			f->quoted = true;
			p = c + 1;
			if (p < end && *p != delim && *p != '\n' &&
			    *p != '\r') {
				tok_error(s, nf + 1, "unexpected '%c' after "
					"closing quote", *p);
				return resync(s, pp, nl);
			}
		} else {
			const char *fs = p;
			for (;;) {
				while (!special[(unsigned char)*p])
					p++;
				if (*p == '\0' && p < end) {
					p++;
					continue;
				}
				break;
			}
			if (p < end && *p == '"') {
				tok_error(s, nf + 1, "unexpected '\"' in "
					"unquoted field");
				return resync(s, pp, nl);
			}
			f->ptr = fs;
			f->len = (size_t)(p - fs);
			f->quoted = false;
		}
		nf++;
		if (p >= end) {
			if (!s->at_eof)
				return TOK_MORE;
			break;
		}
		if (*p == delim) {
			p++;
			continue;
		}
		if (*p == '\r') {
			p++;
			if (p == end && !s->at_eof)
				return TOK_MORE;
			if (p < end && *p == '\n')
				p++;
		} else {
			p++;
		}
		(*nl)++;
		break;
	}
	*pp = p;
	*nfields = nf;
	return TOK_ROW;
}

static void show(mmp_buf *b, const char *v, size_t len)
{
	if (len > SHOW_MAX)
		mmp_buf_printf(b, "'%.*s...'", SHOW_MAX, v);
	else
		mmp_buf_printf(b, "'%.*s'", (int)len, v);
}

/* the feature slots of row r, NULL when there are no features */
static float *row_x(const struct mmp_data__seg *s, size_t r)
{
	return s->plan->nfeat ? s->x + r * s->plan->nfeat : NULL;
}

static void grow_rows(struct mmp_data__seg *s)
{
	const struct mmp_data__plan *pl = s->plan;
	size_t n = s->ralloc ? s->ralloc * 2 : 1024;

	if (s->max_rows && n > s->max_rows)
		n = s->max_rows;
	if (pl->nfeat)
		s->x = mmp__reallocarray(s->x, n * pl->nfeat, sizeof(*s->x));
	if (pl->y_op == OP_Y_NUM)
		s->y = mmp__reallocarray(s->y, n, sizeof(*s->y));
	else if (pl->y_op)
		s->yid = mmp__reallocarray(s->yid, n, sizeof(*s->yid));
	if (pl->time_name)
		s->ts = mmp__reallocarray(s->ts, n, sizeof(*s->ts));
	if (pl->want_lines)
		s->lines = mmp__reallocarray(s->lines, n, sizeof(*s->lines));
	if (pl->nent)
		s->eoff = mmp__reallocarray(s->eoff, n * pl->nent,
			sizeof(*s->eoff));
	s->ralloc = n;
}

static void trim(const char **v, size_t *len)
{
	while (*len && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*len)--;
	}
	while (*len && ((*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t'))
		(*len)--;
}

/* a number, or NaN when missing; <0 when neither */
static int number_or_na(const struct mmp_data__plan *pl, const char *v,
	size_t len, double *d)
{
	if (pl->na_numeric && mmp_data__is_na(pl, v, len)) {
		*d = NAN;
		return 0;
	}
	if (!mmp_parse_number(d, v, len))
		return 0;
	if (mmp_data__is_na(pl, v, len)) {
		*d = NAN;
		return 0;
	}
	trim(&v, &len);
	if (!len) {
		*d = NAN;
		return 0;
	}
	return mmp_parse_number(d, v, len);
}

/* the text of entity `slot` of row r */
static void put_entity(struct mmp_data__seg *s, size_t r, size_t slot,
	const char *v, size_t len)
{
	MMP_ALLOC_GROW(s->ea, s->ealen + len + 1, s->eaalloc);
	memcpy(s->ea + s->ealen, v, len);
	s->ea[s->ealen + len] = '\0';
	s->eoff[r * s->plan->nent + slot] = s->ealen;
	s->ealen += len + 1;
}

/* convert field c of row slot s->nrows; 0, or -1 with the error set */
static int convert_field(struct mmp_data__seg *s, size_t c, const char *v,
	size_t len, size_t *row_unseen, size_t *nunseen)
{
	const struct mmp_data__plan *pl = s->plan;
	const struct mmp_data__col *col = &pl->cols[c];
	size_t r = s->nrows;
	float *xrow = row_x(s, r);
	uint32_t bits;
	double d;
	long code;

	switch (col->op) {
	case OP_SKIP:
		break;
	case OP_NUM:
		if (number_or_na(pl, v, len, &d) < 0)
			goto not_number;
		if (!isnan(d) && !mmp_number_in_range(d))
			goto out_of_range;
		xrow[col->slot] = (float)d;
		break;
	case OP_CAT_COLLECT:
		if (mmp_data__is_na(pl, v, len))
			bits = CAT_MISSING;
		else
			bits = mmp_data__dict_intern(&s->dicts[col->dict], v,
				len);
		memcpy(&xrow[col->slot], &bits, sizeof(bits));
		break;
	case OP_CAT_FIXED:
		if (mmp_data__is_na(pl, v, len)) {
			xrow[col->slot] = NAN;
			break;
		}
		code = mmp_category_table_find(col->table, v, len);
		if (code < 0) {
			xrow[col->slot] = NAN;
			row_unseen[(*nunseen)++] = col->slot;
		} else {
			xrow[col->slot] = (float)code;
		}
		break;
	case OP_Y_NUM:
		if (mmp_data__is_na(pl, v, len))
			goto y_missing;
		if (number_or_na(pl, v, len, &d) < 0)
			goto not_number;
		if (isnan(d))
			goto y_missing;
		if (!mmp_number_in_range(d))
			goto out_of_range;
		s->y[r] = d;
		break;
	case OP_Y_COLLECT:
		if (mmp_data__is_na(pl, v, len))
			goto y_missing;
		s->yid[r] = mmp_data__dict_intern(&s->ydict, v, len);
		break;
	case OP_Y_FIXED: {
		int64_t iv;
		if (mmp_data__is_na(pl, v, len))
			goto y_missing;
		code = mmp_category_table_find(col->table, v, len);
		if (code < 0 && mmp_data__parse_i64(v, len, &iv)) {
			char num[32];
			int n = snprintf(num, sizeof(num), "%lld",
				(long long)iv);
			code = mmp_category_table_find(col->table, num,
				(size_t)n);
		}
		if (code < 0) {
			tok_error(s, c + 1, "column '%s': unknown class label ",
				pl->colnames[c]);
			show(&s->err_msg, v, len);
			return -1;
		}
		s->yid[r] = (uint32_t)code;
		break;
	}
	case OP_ENTITY:
		put_entity(s, r, col->slot, v, len);
		break;
	case OP_TIME:
		if (mmp_data__is_na(pl, v, len)) {
			s->ts[r] = NAN;
			break;
		}
		trim(&v, &len);
		if (mmp_parse_timestamp(&s->ts[r], v, len) < 0) {
			tok_error(s, c + 1, "column '%s': expected a "
				"timestamp, got ", pl->colnames[c]);
			show(&s->err_msg, v, len);
			return -1;
		}
		break;
	}
	if (col->keep)
		put_entity(s, r, col->keep - 1, v, len);
	return 0;
not_number:
	tok_error(s, c + 1, "column '%s': expected a number, got ",
		pl->colnames[c]);
	show(&s->err_msg, v, len);
	return -1;
out_of_range:
	/* the one definition of out of range: mmp_number_in_range() */
	tok_error(s, c + 1, "column '%s': ", pl->colnames[c]);
	show(&s->err_msg, v, len);
	mmp_buf_printf(&s->err_msg, " is out of range (a number is at most "
		"%.9g in magnitude)", MMP_NUMBER_MAX);
	return -1;
y_missing:
	tok_error(s, 0, "missing value in target column '%s'",
		pl->colnames[c]);
	return -1;
}

/* convert the tokenized row into row slot s->nrows; 0 or -1 */
static int convert_row(struct mmp_data__seg *s, size_t *row_unseen,
	size_t *nunseen)
{
	const struct mmp_data__plan *pl = s->plan;
	size_t c;

	*nunseen = 0;
	for (c = 0; c < pl->ncols; c++) {
		const struct mmp_data__field *f = &s->fields[c];
		if (pl->cols[c].op == OP_SKIP)
			continue;
		if (convert_field(s, c, mmp_data__fptr(s, f), f->len,
			    row_unseen, nunseen) < 0)
			return -1;
	}
	return 0;
}

int mmp_data__seg_add_record(struct mmp_data__seg *s,
	const char *const *vals, const size_t *lens)
{
	const struct mmp_data__plan *pl = s->plan;
	size_t row_unseen[64], *ru = row_unseen, nun = 0, c, ea0 = s->ealen;
	int err = 0;

	if (s->nrows == s->ralloc)
		grow_rows(s);
	if (pl->nfeat > ARRAY_SIZE(row_unseen))
		ru = mmp__calloc(pl->nfeat, sizeof(*ru));
	for (c = 0; c < pl->ncols && !err; c++) {
		if (pl->cols[c].op == OP_SKIP)
			continue;
		if (convert_field(s, c, vals[c] ? vals[c] : "",
			    vals[c] ? lens[c] : 0, ru, &nun) < 0)
			err = -1;
	}
	if (err) {
		s->ealen = ea0;
	} else {
		for (c = 0; c < nun; c++)
			s->unseen[ru[c]]++;
		s->nrows++;
	}
	if (ru != row_unseen)
		free(ru);
	return err;
}

static const double pow10_neg[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The optimistic path for a row without quotes: fields are converted
 * straight from the data, plain decimals parsed inline. Returns 1 when
 * the row was read (and *pp moved past it), 0 when the careful path
 * must read it (quotes, blank or ragged rows, errors, the end of the
 * data); nothing of a row given up is kept. Relies on the byte after
 * the data being a NUL sentinel, so digit loops need no bound.
 */
static int fast_row(struct mmp_data__seg *s, const char **pp,
	size_t *row_unseen, size_t *nunseen)
{
	const struct mmp_data__plan *pl = s->plan;
	const unsigned char *special = pl->special;
	const char *p = *pp, *end = s->end;
	const char delim = pl->delim;
	float *xrow = row_x(s, s->nrows);
	size_t c, ncols = pl->ncols;

	*nunseen = 0;
	for (c = 0; c < ncols; c++) {
		const struct mmp_data__col *col = &pl->cols[c];
		const char *fs = p;
		char term = c + 1 < ncols ? delim : '\n';

		if (col->op == OP_NUM && !pl->na_numeric && !col->keep) {
			const char *q = p + (*p == '-' || *p == '+'), *d0, *f;
			uint64_t w = 0;
			size_t nint, nfrac = 0;
			double d;
			for (d0 = q; (unsigned)(*q - '0') < 10; q++)
				w = w * 10 + (unsigned)(*q - '0');
			nint = (size_t)(q - d0);
			if (*q == '.') {
				for (f = ++q; (unsigned)(*q - '0') < 10; q++)
					w = w * 10 + (unsigned)(*q - '0');
				nfrac = (size_t)(q - f);
			}
			if ((*q == term || (*q == '\r' && term == '\n')) &&
			    nint + nfrac && nint + nfrac <= 19 &&
			    w <= (UINT64_C(1) << 53) && nfrac <= 22 &&
			    q < end) {
				float v;
				uint32_t bits;
				d = nfrac ? (double)w / pow10_neg[nfrac] :
					(double)w;
				/*
				 * The sign without a branch: in real data a
				 * minus is often as likely as not, and a
				 * mispredicted branch per value costs more
				 * than the rest of the conversion. v >= 0,
				 * so "-0" stays -0.0.
				 */
				v = (float)d;
				memcpy(&bits, &v, sizeof(bits));
				bits |= (uint32_t)(*p == '-') << 31;
				memcpy(&xrow[col->slot], &bits, sizeof(bits));
				p = q;
				goto next;
			}
		}
		while (!special[(unsigned char)*p])
			p++;
		if (p >= end || *p == '"' || *p == '\0')
			return 0;
		if (col->op != OP_SKIP &&
		    convert_field(s, c, fs, (size_t)(p - fs), row_unseen,
			    nunseen) < 0)
			return 0;
next:
		if (*p == term) {
			p++;
			continue;
		}
		if (term == '\n' && *p == '\r' && p + 1 < end && p[1] == '\n') {
			p += 2;
			continue;
		}
		return 0;
	}
	*pp = p;
	return 1;
}

/* a bad row: fail the segment, or record it and go on; true to stop */
static bool bad_row(struct mmp_data__seg *s, int64_t line, bool fatal)
{
	struct mmp_data__skip *sk;

	if (fatal || !s->plan->skip_bad) {
		s->err = MMP_EINVALID;
		s->err_line = line;
		return true;
	}
	MMP_ALLOC_GROW(s->skips, s->nskips + 1, s->skalloc);
	sk = &s->skips[s->nskips++];
	sk->line = line;
	sk->reason = mmp__strdup(s->err_msg.ptr);
	mmp_buf_clear(&s->err_msg);
	s->err_field = 0;
	return false;
}

void mmp_data__seg_parse(struct mmp_data__seg *s)
{
	const struct mmp_data__plan *pl = s->plan;
	const char *p = s->p, *start = s->p;
	size_t *row_unseen = mmp__calloc(pl->nfeat + 1, sizeof(size_t));

	while (!s->max_rows || s->nrows < s->max_rows) {
		const char *row = p;
		size_t nf = 0, nun, i, ea0 = s->ealen;
		int64_t nl = 0, line = s->nlines;
		int r;

		if (p >= s->end)
			break;
		if (s->nrows == s->ralloc)
			grow_rows(s);
		if (*p != '\n' && *p != '\r' &&
		    fast_row(s, &p, row_unseen, &nun)) {
			for (i = 0; i < nun; i++)
				s->unseen[row_unseen[i]]++;
			if (s->lines)
				s->lines[s->nrows] = line;
			s->nrows++;
			s->nlines++;
			continue;
		}
		s->ealen = ea0;
		r = mmp_data__tokenize(s, &p, &nf, &nl);
		if (r == TOK_MORE) {
			s->need_more = true;
			p = row;
			break;
		}
		s->nlines += nl;
		if (r < 0) {
			if (bad_row(s, line, r == TOK_FATAL))
				break;
			continue;
		}
		if (nf == 1 && !s->fields[0].len && !s->fields[0].quoted)
			continue;
		if (nf != pl->ncols) {
			tok_error(s, 0, "expected %zu fields, got %zu",
				pl->ncols, nf);
			if (bad_row(s, line, false))
				break;
			continue;
		}
		if (convert_row(s, row_unseen, &nun) < 0) {
			s->ealen = ea0;
			if (bad_row(s, line, false))
				break;
			continue;
		}
		for (i = 0; i < nun; i++)
			s->unseen[row_unseen[i]]++;
		if (s->lines)
			s->lines[s->nrows] = line;
		s->nrows++;
	}
	free(row_unseen);
	s->consumed = (size_t)(p - start);
}

int mmp_data__seg_error(const struct mmp_data__seg *s, int64_t base)
{
	const char *name = s->plan->name;
	long long line = (long long)(base + s->err_line);

	if (s->err_field)
		return mmp_error_ret(s->err, MMP_ERROR_DATA, "%s:%lld:%zu: %s",
			name, line, s->err_field, s->err_msg.ptr);
	return mmp_error_ret(s->err, MMP_ERROR_DATA, "%s:%lld: %s", name,
		line, s->err_msg.ptr);
}
