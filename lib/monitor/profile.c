/* SPDX-License-Identifier: MIT */
/* profile.c: reference and live profiles of features and predictions */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "monitor-internal.h"

#define PROFILE_FORMAT_VERSION 1
/* rows the quantile edges are taken from, at most */
#define EDGE_SAMPLE_MAX 200000
/* the most rows a profile file may claim per column: 2^53 */
#define COUNT_MAX ((int64_t)1 << 53)

typedef struct {
	char value[MMP_PROFILE_UNSEEN_LEN + 1];
	int64_t count;
} unseen_slot;

typedef struct {
	char *name;
	mmp_feature_kind kind;
	size_t nbins;             /* numeric: nedges + 1; else categories */
	double *edges;            /* numeric: nbins - 1, increasing */
	char **categories;        /* categorical: nbins */
	int64_t *counts;          /* nbins */
	int64_t missing;
	int64_t unseen;           /* categorical */
	double min, max, sum;     /* numeric, non-missing; min > max: none */
	size_t nslots;
	unseen_slot slots[MMP_PROFILE_UNSEEN_MAX];
} column;

struct mmp_profile {
	int64_t rows;
	size_t nfeatures;
	size_t npred;
	column *cols;             /* nfeatures, then npred */
};

static void column_zero(column *c)
{
	memset(c->counts, 0, c->nbins * sizeof(*c->counts));
	c->missing = 0;
	c->unseen = 0;
	c->min = INFINITY;
	c->max = -INFINITY;
	c->sum = 0;
	c->nslots = 0;
}

static void column_release(column *c)
{
	size_t i;

	free(c->name);
	free(c->edges);
	for (i = 0; c->categories && i < c->nbins; i++)
		free(c->categories[i]);
	free(c->categories);
	free(c->counts);
}

void mmp_profile_free(mmp_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nfeatures + p->npred; i++)
		column_release(&p->cols[i]);
	free(p->cols);
	free(p);
}

static mmp_profile *profile_alloc(size_t nfeatures, size_t npred)
{
	mmp_profile *p = mmp__calloc(1, sizeof(*p));

	p->nfeatures = nfeatures;
	p->npred = npred;
	p->cols = mmp__calloc(nfeatures + npred ? nfeatures + npred : 1,
		sizeof(*p->cols));
	return p;
}

/* the bin of v: the number of edges below it */
static size_t bin_of(const column *c, double v)
{
	size_t lo = 0, hi = c->nbins - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->edges[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int valid_code(const column *c, float v)
{
	return v >= 0 && (double)v < (double)c->nbins && v == floorf(v);
}

static void column_add(column *c, float v)
{
	if (isnan(v)) {
		c->missing++;
		return;
	}
	if (c->kind == MMP_FEATURE_CATEGORICAL) {
		if (valid_code(c, v))
			c->counts[(size_t)v]++;
		else
			c->unseen++;
		return;
	}
	c->counts[bin_of(c, v)]++;
	if (v < c->min)
		c->min = v;
	if (v > c->max)
		c->max = v;
	c->sum += v;
}

void mmp_profile_add(mmp_profile *p, const float *row, const float *pred)
{
	size_t i;

	p->rows++;
	for (i = 0; row && i < p->nfeatures; i++)
		column_add(&p->cols[i], row[i]);
	for (i = 0; pred && i < p->npred; i++)
		column_add(&p->cols[p->nfeatures + i], pred[i]);
}

/* copy at most MMP_PROFILE_UNSEEN_LEN bytes, not splitting a UTF-8
 * sequence */
static void copy_value(char *dst, const char *s)
{
	size_t n = strlen(s);

	if (n > MMP_PROFILE_UNSEEN_LEN) {
		n = MMP_PROFILE_UNSEEN_LEN;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* space-saving: count `n` more of `value` in the bounded list */
static void slots_add(column *c, const char *value, int64_t n)
{
	char key[MMP_PROFILE_UNSEEN_LEN + 1];
	size_t i, min = 0;

	copy_value(key, value);
	for (i = 0; i < c->nslots; i++) {
		if (!strcmp(c->slots[i].value, key)) {
			c->slots[i].count += n;
			return;
		}
		if (c->slots[i].count < c->slots[min].count)
			min = i;
	}
	if (c->nslots < MMP_PROFILE_UNSEEN_MAX) {
		memcpy(c->slots[c->nslots].value, key, sizeof(key));
		c->slots[c->nslots++].count = n;
		return;
	}
	memcpy(c->slots[min].value, key, sizeof(key));
	c->slots[min].count += n;
}

void mmp_profile_add_unseen(mmp_profile *p, size_t feature,
	const char *value)
{
	column *c;

	if (!value || feature >= p->nfeatures)
		return;
	c = &p->cols[feature];
	if (c->kind == MMP_FEATURE_CATEGORICAL)
		slots_add(c, value, 1);
}

void mmp_profile_reset(mmp_profile *p)
{
	size_t i;

	p->rows = 0;
	for (i = 0; i < p->nfeatures + p->npred; i++)
		column_zero(&p->cols[i]);
}

int64_t mmp_profile_rows(const mmp_profile *p)
{
	return p->rows;
}

size_t mmp_profile_nfeatures(const mmp_profile *p)
{
	return p->nfeatures;
}

size_t mmp_profile_npred(const mmp_profile *p)
{
	return p->npred;
}

const char *mmp_profile_feature_name(const mmp_profile *p, size_t i)
{
	return i < p->nfeatures ? p->cols[i].name : NULL;
}

/* --- building the reference --- */

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/*
 * Quantile edges of column `col` of `rows` (stride `ncols`): the values
 * at ranks ceil(k n / B) for k = 1..B-1 of an even-stride sample, with
 * duplicates and non-finite values dropped.
 */
static void numeric_edges(column *c, const float *rows, size_t nrows,
	size_t ncols, size_t col)
{
	size_t step = nrows > EDGE_SAMPLE_MAX ?
		(nrows + EDGE_SAMPLE_MAX - 1) / EDGE_SAMPLE_MAX : 1;
	float *v = mmp__malloc((nrows / step + 1) * sizeof(*v));
	size_t n = 0, i, k, ne = 0;

	for (i = 0; i < nrows; i += step) {
		float x = rows[i * ncols + col];

		if (isfinite(x))
			v[n++] = x;
	}
	c->edges = mmp__calloc(MMP_PROFILE_BINS, sizeof(*c->edges));
	if (n) {
		qsort(v, n, sizeof(*v), cmp_float);
		for (k = 1; k < MMP_PROFILE_BINS; k++) {
			size_t r = (k * n + MMP_PROFILE_BINS - 1) /
				MMP_PROFILE_BINS;
			double e = v[r ? r - 1 : 0];

			if (!ne || e > c->edges[ne - 1])
				c->edges[ne++] = e;
		}
	}
	free(v);
	c->nbins = ne + 1;
	c->counts = mmp__calloc(c->nbins, sizeof(*c->counts));
}

static char *pred_name(const mmp_model_schema *s, size_t npred, size_t i)
{
	mmp_buf b = MMP_BUF_INIT;

	if (npred == 1)
		return mmp__strdup("prediction");
	if (s->task == MMP_TASK_MULTICLASS && npred == s->nclasses)
		mmp_buf_printf(&b, "prediction:%s", s->classes[i]);
	else
		mmp_buf_printf(&b, "prediction:%zu", i);
	return mmp_buf_detach(&b);
}

int mmp_profile_build(mmp_profile **out, const mmp_model_schema *schema,
	const float *rows, size_t nrows, const float *pred, size_t npred)
{
	mmp_profile *p;
	size_t nf, i, j;

	*out = NULL;
	if (!schema || !schema->nfeatures)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a profile needs at least one feature");
	if (!nrows || !rows)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a profile needs at least one row");
	if (!pred)
		npred = 0;
	nf = schema->nfeatures;
	p = profile_alloc(nf, npred);
	for (i = 0; i < nf; i++) {
		const mmp_model_feature *f = &schema->features[i];
		column *c = &p->cols[i];

		c->name = mmp__strdup(f->name);
		c->kind = f->kind;
		if (f->kind == MMP_FEATURE_CATEGORICAL) {
			c->nbins = f->ncategories;
			c->categories = mmp__calloc(c->nbins ? c->nbins : 1,
				sizeof(*c->categories));
			for (j = 0; j < c->nbins; j++)
				c->categories[j] =
					mmp__strdup(f->categories[j]);
			c->counts = mmp__calloc(c->nbins ? c->nbins : 1,
				sizeof(*c->counts));
		} else {
			numeric_edges(c, rows, nrows, nf, i);
		}
		column_zero(c);
	}
	for (i = 0; i < npred; i++) {
		column *c = &p->cols[nf + i];

		c->name = pred_name(schema, npred, i);
		c->kind = MMP_FEATURE_NUMERIC;
		numeric_edges(c, pred, nrows, npred, i);
		column_zero(c);
	}
	for (i = 0; i < nrows; i++)
		mmp_profile_add(p, rows + i * nf,
			pred ? pred + i * npred : NULL);
	*out = p;
	return 0;
}

int mmp_profile_set_predictions(mmp_profile *p,
	const mmp_model_schema *schema, const float *pred, size_t nrows,
	size_t npred)
{
	column *cols;
	size_t i, r;

	if (!pred || !nrows || !npred)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"a prediction profile needs rows and outputs");
	for (i = 0; i < p->npred; i++)
		column_release(&p->cols[p->nfeatures + i]);
	cols = mmp__reallocarray(p->cols, p->nfeatures + npred,
		sizeof(*cols));
	memset(cols + p->nfeatures, 0, npred * sizeof(*cols));
	p->cols = cols;
	p->npred = npred;
	for (i = 0; i < npred; i++) {
		column *c = &p->cols[p->nfeatures + i];

		c->name = pred_name(schema, npred, i);
		c->kind = MMP_FEATURE_NUMERIC;
		numeric_edges(c, pred, nrows, npred, i);
		column_zero(c);
		for (r = 0; r < nrows; r++)
			column_add(c, pred[r * npred + i]);
	}
	return 0;
}

/* --- live profiles, merging --- */

static void column_copy_shape(column *dst, const column *src)
{
	size_t i;

	dst->name = mmp__strdup(src->name);
	dst->kind = src->kind;
	dst->nbins = src->nbins;
	if (src->edges) {
		dst->edges = mmp__calloc(src->nbins, sizeof(*dst->edges));
		memcpy(dst->edges, src->edges,
			(src->nbins - 1) * sizeof(*dst->edges));
	}
	if (src->categories) {
		dst->categories = mmp__calloc(src->nbins ? src->nbins : 1,
			sizeof(*dst->categories));
		for (i = 0; i < src->nbins; i++)
			dst->categories[i] = mmp__strdup(src->categories[i]);
	}
	dst->counts = mmp__calloc(src->nbins ? src->nbins : 1,
		sizeof(*dst->counts));
	column_zero(dst);
}

int mmp_profile_live_new(mmp_profile **out, const mmp_profile *ref)
{
	mmp_profile *p = profile_alloc(ref->nfeatures, ref->npred);
	size_t i;

	for (i = 0; i < ref->nfeatures + ref->npred; i++)
		column_copy_shape(&p->cols[i], &ref->cols[i]);
	*out = p;
	return 0;
}

static int same_shape(const mmp_profile *a, const mmp_profile *b)
{
	size_t i, j;

	if (a->nfeatures != b->nfeatures || a->npred != b->npred)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the profiles differ: %zu features and %zu "
			"predictions against %zu and %zu", a->nfeatures,
			a->npred, b->nfeatures, b->npred);
	for (i = 0; i < a->nfeatures + a->npred; i++) {
		const column *x = &a->cols[i], *y = &b->cols[i];
		int same = x->kind == y->kind && x->nbins == y->nbins &&
			!strcmp(x->name, y->name);

		for (j = 0; same && x->edges && j + 1 < x->nbins; j++)
			same = x->edges[j] == y->edges[j];
		for (j = 0; same && x->categories && j < x->nbins; j++)
			same = !strcmp(x->categories[j], y->categories[j]);
		if (!same)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"the profiles differ at '%s': not built "
				"from the same reference", x->name);
	}
	return 0;
}

static int cmp_slot(const void *a, const void *b)
{
	const unseen_slot *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void slots_merge(column *into, const column *from)
{
	unseen_slot all[2 * MMP_PROFILE_UNSEEN_MAX];
	size_t n = into->nslots, i, j;

	memcpy(all, into->slots, n * sizeof(*all));
	for (i = 0; i < from->nslots; i++) {
		for (j = 0; j < n; j++)
			if (!strcmp(all[j].value, from->slots[i].value))
				break;
		if (j < n)
			all[j].count += from->slots[i].count;
		else
			all[n++] = from->slots[i];
	}
	qsort(all, n, sizeof(*all), cmp_slot);
	if (n > MMP_PROFILE_UNSEEN_MAX)
		n = MMP_PROFILE_UNSEEN_MAX;
	memcpy(into->slots, all, n * sizeof(*all));
	into->nslots = n;
}

int mmp_profile_merge(mmp_profile *into, const mmp_profile *from)
{
	size_t i, j;
	int error;

	if ((error = same_shape(into, from)) < 0)
		return error;
	into->rows += from->rows;
	for (i = 0; i < into->nfeatures + into->npred; i++) {
		column *a = &into->cols[i];
		const column *b = &from->cols[i];

		for (j = 0; j < a->nbins; j++)
			a->counts[j] += b->counts[j];
		a->missing += b->missing;
		a->unseen += b->unseen;
		a->sum += b->sum;
		if (b->min < a->min)
			a->min = b->min;
		if (b->max > a->max)
			a->max = b->max;
		slots_merge(a, b);
	}
	return 0;
}

/* --- JSON --- */

static void put_double(mmp_buf *b, double v)
{
	if (isfinite(v))
		mmp_buf_printf(b, "%.17g", v);
	else
		mmp_buf_puts(b, "null");
}

static int64_t column_count(const column *c)
{
	int64_t n = c->unseen;
	size_t i;

	for (i = 0; i < c->nbins; i++)
		n += c->counts[i];
	return n;
}

static void column_json(mmp_buf *b, const column *c)
{
	size_t i;
	int64_t n = column_count(c);

	mmp_buf_puts(b, "{\"name\":");
	mmp_buf_put_json_string(b, c->name);
	mmp_buf_printf(b, ",\"kind\":\"%s\"", c->kind == MMP_FEATURE_NUMERIC ?
		"numeric" : "categorical");
	if (c->kind == MMP_FEATURE_NUMERIC) {
		mmp_buf_puts(b, ",\"edges\":[");
		for (i = 0; i + 1 < c->nbins; i++) {
			if (i)
				mmp_buf_putc(b, ',');
			put_double(b, c->edges[i]);
		}
		mmp_buf_putc(b, ']');
	} else {
		mmp_buf_puts(b, ",\"categories\":[");
		for (i = 0; i < c->nbins; i++) {
			if (i)
				mmp_buf_putc(b, ',');
			mmp_buf_put_json_string(b, c->categories[i]);
		}
		mmp_buf_putc(b, ']');
	}
	mmp_buf_puts(b, ",\"counts\":[");
	for (i = 0; i < c->nbins; i++)
		mmp_buf_printf(b, "%s%lld", i ? "," : "",
			(long long)c->counts[i]);
	mmp_buf_printf(b, "],\"count\":%lld,\"missing\":%lld", (long long)n,
		(long long)c->missing);
	if (c->kind == MMP_FEATURE_NUMERIC) {
		mmp_buf_puts(b, ",\"min\":");
		put_double(b, n ? c->min : NAN);
		mmp_buf_puts(b, ",\"max\":");
		put_double(b, n ? c->max : NAN);
		mmp_buf_puts(b, ",\"mean\":");
		put_double(b, n ? c->sum / (double)n : NAN);
		mmp_buf_puts(b, ",\"sum\":");
		put_double(b, c->sum);
	} else {
		unseen_slot s[MMP_PROFILE_UNSEEN_MAX];

		memcpy(s, c->slots, c->nslots * sizeof(*s));
		qsort(s, c->nslots, sizeof(*s), cmp_slot);
		mmp_buf_printf(b, ",\"unseen\":%lld,\"unseen_values\":[",
			(long long)c->unseen);
		for (i = 0; i < c->nslots; i++) {
			mmp_buf_puts(b, i ? ",{\"value\":" : "{\"value\":");
			mmp_buf_put_json_string(b, s[i].value);
			mmp_buf_printf(b, ",\"count\":%lld}",
				(long long)s[i].count);
		}
		mmp_buf_putc(b, ']');
	}
	mmp_buf_putc(b, '}');
}

int mmp_profile_to_json(const mmp_profile *p, mmp_buf *out)
{
	size_t i;

	mmp_buf_printf(out, "{\"format_version\":%d,\"rows\":%lld,"
		"\"features\":[", PROFILE_FORMAT_VERSION, (long long)p->rows);
	for (i = 0; i < p->nfeatures; i++) {
		if (i)
			mmp_buf_putc(out, ',');
		column_json(out, &p->cols[i]);
	}
	mmp_buf_puts(out, "],\"predictions\":[");
	for (i = 0; i < p->npred; i++) {
		if (i)
			mmp_buf_putc(out, ',');
		column_json(out, &p->cols[p->nfeatures + i]);
	}
	mmp_buf_puts(out, "]}\n");
	return 0;
}

typedef struct {
	const char *origin;
	const char *section;      /* "features" or "predictions" */
	size_t index;
} where;

static int bad(const where *w, const char *field, const char *what)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"%s: %s[%zu].%s: %s", w->origin, w->section, w->index, field,
		what);
}

/* a whole non-negative number below 2^53 */
static int get_count(int64_t *out, const cJSON *j)
{
	if (!cJSON_IsNumber(j) || j->valuedouble < 0 ||
	    j->valuedouble > (double)COUNT_MAX ||
	    j->valuedouble != floor(j->valuedouble))
		return -1;
	*out = (int64_t)j->valuedouble;
	return 0;
}

static int read_counts(column *c, const cJSON *arr, const where *w)
{
	const cJSON *e;
	size_t i = 0;
	int64_t total = 0;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != c->nbins)
		return bad(w, "counts", c->kind == MMP_FEATURE_NUMERIC ?
			"must be an array of one more number than edges" :
			"must be an array of one number per category");
	c->counts = mmp__calloc(c->nbins ? c->nbins : 1, sizeof(*c->counts));
	cJSON_ArrayForEach(e, arr) {
		if (get_count(&c->counts[i], e) < 0)
			return bad(w, "counts", "must hold whole numbers >= 0");
		/* totals stay far from overflowing once merged */
		if ((total += c->counts[i++]) > COUNT_MAX)
			return bad(w, "counts", "add up to too many rows");
	}
	return 0;
}

static int read_double(double *out, const cJSON *o, const char *key,
	const where *w)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNull(j) || !j) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(j))
		return bad(w, key, "must be a number or null");
	*out = j->valuedouble;
	return 0;
}

static int read_numeric(column *c, const cJSON *o, const where *w)
{
	const cJSON *edges = cJSON_GetObjectItemCaseSensitive(o, "edges"), *e;
	double mn, mx;
	size_t i = 0;
	int error;

	if (!cJSON_IsArray(edges) ||
	    cJSON_GetArraySize(edges) >= MMP_PROFILE_BINS)
		return bad(w, "edges", "must be an array of fewer than 20 "
			"numbers");
	c->nbins = (size_t)cJSON_GetArraySize(edges) + 1;
	c->edges = mmp__calloc(c->nbins, sizeof(*c->edges));
	cJSON_ArrayForEach(e, edges) {
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) ||
		    (i && e->valuedouble <= c->edges[i - 1]))
			return bad(w, "edges", "must be increasing numbers");
		c->edges[i++] = e->valuedouble;
	}
	if ((error = read_counts(c, cJSON_GetObjectItemCaseSensitive(o,
	    "counts"), w)) < 0)
		return error;
	if ((error = read_double(&mn, o, "min", w)) < 0 ||
	    (error = read_double(&mx, o, "max", w)) < 0 ||
	    (error = read_double(&c->sum, o, "sum", w)) < 0)
		return error;
	c->min = isnan(mn) ? INFINITY : mn;
	c->max = isnan(mx) ? -INFINITY : mx;
	if (isnan(c->sum))
		c->sum = 0;
	return 0;
}

static int read_categorical(column *c, const cJSON *o, const where *w)
{
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(o, "categories");
	const cJSON *vals, *e;
	size_t i = 0;
	int error;

	if (!cJSON_IsArray(cats))
		return bad(w, "categories", "must be an array of strings");
	c->nbins = (size_t)cJSON_GetArraySize(cats);
	c->categories = mmp__calloc(c->nbins ? c->nbins : 1,
		sizeof(*c->categories));
	cJSON_ArrayForEach(e, cats) {
		if (!cJSON_IsString(e))
			return bad(w, "categories", "must be an array of "
				"strings");
		c->categories[i++] = mmp__strdup(e->valuestring);
	}
	if ((error = read_counts(c, cJSON_GetObjectItemCaseSensitive(o,
	    "counts"), w)) < 0)
		return error;
	if (get_count(&c->unseen, cJSON_GetObjectItemCaseSensitive(o,
	    "unseen")) < 0)
		return bad(w, "unseen", "must be a whole number >= 0");
	vals = cJSON_GetObjectItemCaseSensitive(o, "unseen_values");
	if (!vals)
		return 0;
	if (!cJSON_IsArray(vals) ||
	    cJSON_GetArraySize(vals) > MMP_PROFILE_UNSEEN_MAX)
		return bad(w, "unseen_values", "must be an array of at most "
			"8 objects");
	cJSON_ArrayForEach(e, vals) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "value");
		int64_t n;

		if (!cJSON_IsString(v) || get_count(&n,
		    cJSON_GetObjectItemCaseSensitive(e, "count")) < 0)
			return bad(w, "unseen_values", "each needs a string "
				"'value' and a whole 'count'");
		copy_value(c->slots[c->nslots].value, v->valuestring);
		c->slots[c->nslots++].count = n;
	}
	return 0;
}

static int read_column(column *c, const cJSON *o, const where *w)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");

	if (!cJSON_IsObject(o))
		return bad(w, "name", "the entry must be an object");
	if (!cJSON_IsString(name) || !*name->valuestring)
		return bad(w, "name", "must be a non-empty string");
	c->name = mmp__strdup(name->valuestring);
	if (get_count(&c->missing, cJSON_GetObjectItemCaseSensitive(o,
	    "missing")) < 0)
		return bad(w, "missing", "must be a whole number >= 0");
	if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "numeric")) {
		c->kind = MMP_FEATURE_NUMERIC;
		return read_numeric(c, o, w);
	}
	if (cJSON_IsString(kind) &&
	    !strcmp(kind->valuestring, "categorical")) {
		c->kind = MMP_FEATURE_CATEGORICAL;
		return read_categorical(c, o, w);
	}
	return bad(w, "kind", "must be 'numeric' or 'categorical'");
}

int mmp_profile_from_json(mmp_profile **out, const char *json, size_t len,
	const char *origin)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *ver, *rows, *feats, *preds, *e;
	mmp_profile *p = NULL;
	where w = { origin ? origin : "profile", "features", 0 };
	size_t i;
	int error = 0;

	*out = NULL;
	if (!cJSON_IsObject(root)) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: not a JSON object", w.origin);
		goto done;
	}
	ver = cJSON_GetObjectItemCaseSensitive(root, "format_version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble < 1) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: format_version: must be a positive number",
			w.origin);
		goto done;
	}
	if (ver->valuedouble > PROFILE_FORMAT_VERSION) {
		error = mmp_error_ret(MMP_EVERSION, MMP_ERROR_INVALID,
			"%s: profile format %g is newer than this mmp (%d)",
			w.origin, ver->valuedouble, PROFILE_FORMAT_VERSION);
		goto done;
	}
	feats = cJSON_GetObjectItemCaseSensitive(root, "features");
	preds = cJSON_GetObjectItemCaseSensitive(root, "predictions");
	if (!cJSON_IsArray(feats) || !cJSON_GetArraySize(feats)) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: features: must be a non-empty array", w.origin);
		goto done;
	}
	if (preds && !cJSON_IsArray(preds)) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: predictions: must be an array", w.origin);
		goto done;
	}
	p = profile_alloc((size_t)cJSON_GetArraySize(feats),
		preds ? (size_t)cJSON_GetArraySize(preds) : 0);
	rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	if (get_count(&p->rows, rows) < 0) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"%s: rows: must be a whole number >= 0", w.origin);
		goto done;
	}
	i = 0;
	cJSON_ArrayForEach(e, feats) {
		w.index = i;
		if ((error = read_column(&p->cols[i++], e, &w)) < 0)
			goto done;
	}
	w.section = "predictions";
	cJSON_ArrayForEach(e, preds) {
		w.index = i - p->nfeatures;
		if ((error = read_column(&p->cols[i++], e, &w)) < 0)
			goto done;
		if (p->cols[i - 1].kind != MMP_FEATURE_NUMERIC) {
			error = bad(&w, "kind", "must be 'numeric'");
			goto done;
		}
	}
	*out = p;
	p = NULL;
done:
	mmp_profile_free(p);
	cJSON_Delete(root);
	return error;
}

/* --- drift --- */

static void drift_release(mmp_drift_feature *d)
{
	size_t i;

	free(d->name);
	for (i = 0; i < d->nunseen_values; i++)
		free(d->unseen_values[i]);
	free(d->unseen_values);
	free(d->unseen_counts);
}

void mmp_drift_report_release(mmp_drift_report *r)
{
	size_t i;

	for (i = 0; i < r->nfeatures; i++)
		drift_release(&r->features[i]);
	for (i = 0; i < r->npred; i++)
		drift_release(&r->pred[i]);
	free(r->features);
	free(r->pred);
	memset(r, 0, sizeof(*r));
}

static double rate(int64_t part, int64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : 0;
}

static void drift_column(mmp_drift_feature *d, const column *r,
	const column *l)
{
	size_t n = r->nbins + 1, i;
	double *ref = mmp__calloc(n, sizeof(*ref));
	double *live = mmp__calloc(n, sizeof(*live));

	d->name = mmp__strdup(r->name);
	d->kind = r->kind;
	d->ref_count = column_count(r);
	d->live_count = column_count(l);
	d->missing_ref = rate(r->missing, r->missing + d->ref_count);
	d->missing_live = rate(l->missing, l->missing + d->live_count);
	for (i = 0; i < r->nbins; i++) {
		ref[i] = (double)r->counts[i];
		live[i] = (double)l->counts[i];
	}
	d->ks = d->ks_pvalue = d->js = d->chi2 = d->chi2_pvalue = NAN;
	d->chi2_df = NAN;
	d->unseen_share = 0;
	if (r->kind == MMP_FEATURE_NUMERIC) {
		/* PSI on the deciles: adjacent bins in pairs (in place, as
		 * pair i/2 is written after bins i and i+1 are read) */
		double pref[MMP_PROFILE_BINS], plive[MMP_PROFILE_BINS];
		size_t np = (r->nbins + 1) / 2;

		for (i = 0; i < np; i++) {
			pref[i] = ref[2 * i] + (2 * i + 1 < r->nbins ?
				ref[2 * i + 1] : 0);
			plive[i] = live[2 * i] + (2 * i + 1 < r->nbins ?
				live[2 * i + 1] : 0);
		}
		d->psi = mmp_stat_psi(pref, plive, np);
		d->ks = mmp_stat_ks(ref, live, r->nbins);
		d->ks_pvalue = d->live_count && d->ref_count ?
			mmp_stat_ks_pvalue(d->ks, (double)d->ref_count,
				(double)d->live_count) : 1;
	} else {
		ref[r->nbins] = (double)r->unseen;
		live[r->nbins] = (double)l->unseen;
		d->psi = mmp_stat_psi(ref, live, n);
		d->js = mmp_stat_js(ref, live, n);
		d->chi2 = mmp_stat_chi2(ref, live, r->nbins, &d->chi2_df,
			&d->chi2_pvalue);
		d->unseen = l->unseen;
		d->unseen_share = rate(l->unseen, d->live_count);
		if (l->nslots) {
			unseen_slot s[MMP_PROFILE_UNSEEN_MAX];

			memcpy(s, l->slots, l->nslots * sizeof(*s));
			qsort(s, l->nslots, sizeof(*s), cmp_slot);
			d->nunseen_values = l->nslots;
			d->unseen_values = mmp__calloc(l->nslots,
				sizeof(*d->unseen_values));
			d->unseen_counts = mmp__calloc(l->nslots,
				sizeof(*d->unseen_counts));
			for (i = 0; i < l->nslots; i++) {
				d->unseen_values[i] = mmp__strdup(s[i].value);
				d->unseen_counts[i] = s[i].count;
			}
		}
	}
	free(ref);
	free(live);
}

int mmp_profile_compare(const mmp_profile *ref, const mmp_profile *live,
	mmp_drift_report *out)
{
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = same_shape(ref, live)) < 0)
		return error;
	out->ref_rows = ref->rows;
	out->live_rows = live->rows;
	out->nfeatures = ref->nfeatures;
	out->npred = ref->npred;
	out->features = mmp__calloc(ref->nfeatures ? ref->nfeatures : 1,
		sizeof(*out->features));
	out->pred = mmp__calloc(ref->npred ? ref->npred : 1,
		sizeof(*out->pred));
	for (i = 0; i < ref->nfeatures; i++)
		drift_column(&out->features[i], &ref->cols[i],
			&live->cols[i]);
	for (i = 0; i < ref->npred; i++)
		drift_column(&out->pred[i], &ref->cols[ref->nfeatures + i],
			&live->cols[ref->nfeatures + i]);
	return 0;
}
