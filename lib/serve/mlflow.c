/* SPDX-License-Identifier: MIT */
/* mlflow.c: POST /invocations, MLflow's scoring protocol (JSON and CSV) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmp/data.h"
#include "serve-internal.h"

static const char formats_msg[] = "{'instances', 'dataframe_records', "
	"'dataframe_split', 'inputs'}";

static void mlflow_error(struct serve_response *resp, const char *code,
	const char *fmt, ...) MMP_FORMAT_PRINTF(3, 4);

static void mlflow_error(struct serve_response *resp, const char *code,
	const char *fmt, ...)
{
	mmp_buf msg = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	resp->status = 400;
	resp->content_type = "application/json";
	mmp_buf_clear(&resp->body);
	mmp_buf_puts(&resp->body, "{\"error_code\": ");
	mmp_buf_put_json_string(&resp->body, code);
	mmp_buf_puts(&resp->body, ", \"message\": ");
	mmp_serve__put_text(&resp->body, msg.ptr, 0);
	mmp_buf_puts(&resp->body, "}");
	mmp_buf_dispose(&msg);
}

static const char *type_word(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return "list";
	if (cJSON_IsString(v))
		return "str";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsObject(v))
		return "dict";
	return "null";
}

/* Python's repr() of a str: quoted with ' unless it holds ' and no " */
static void py_repr(mmp_buf *out, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	mmp_buf_putc(out, q);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == (unsigned char)q)
			mmp_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			mmp_buf_puts(out, "\\n");
		else if (c == '\r')
			mmp_buf_puts(out, "\\r");
		else if (c == '\t')
			mmp_buf_puts(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			mmp_buf_printf(out, "\\x%02x", c);
		else
			mmp_buf_putc(out, (char)c);
	}
	mmp_buf_putc(out, q);
}

/* a copy of `s` without Python's surrounding whitespace, or NULL when
 * the text has a byte Python would not take (an embedded NUL cannot
 * occur in a cJSON string) */
static char *py_strip(const char *s)
{
	const char *ws = " \t\n\r\v\f";
	size_t n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n && strchr(ws, s[n - 1]))
		n--;
	return mmp__strndup(s, n);
}

/* the digits of a decimal literal with Python's single underscores
 * between digits, copied to `out` without them; the end of the run */
static const char *py_digits(const char *p, mmp_buf *out, int *ndigits)
{
	*ndigits = 0;
	while (*p >= '0' && *p <= '9') {
		mmp_buf_putc(out, *p++);
		(*ndigits)++;
		if (*p == '_' && p[1] >= '0' && p[1] <= '9')
			p++;
	}
	return p;
}

/* Python's float() of a string: 0, or -1 when it is not a number */
static int py_float(const char *text, double *out)
{
	char *s = py_strip(text);
	const char *p = s, *word;
	mmp_buf lit = MMP_BUF_INIT;
	int n1 = 0, n2 = 0, ne = 0, neg = 0, error = -1;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	word = p;
	if (!strcasecmp(word, "inf") || !strcasecmp(word, "infinity")) {
		*out = neg ? -INFINITY : INFINITY;
		error = 0;
		goto done;
	}
	if (!strcasecmp(word, "nan")) {
		*out = NAN;
		error = 0;
		goto done;
	}
	mmp_buf_putc(&lit, neg ? '-' : '+');
	p = py_digits(p, &lit, &n1);
	if (*p == '.') {
		mmp_buf_putc(&lit, *p++);
		p = py_digits(p, &lit, &n2);
	}
	if (!n1 && !n2)
		goto done;
	if (*p == 'e' || *p == 'E') {
		mmp_buf_putc(&lit, *p++);
		if (*p == '+' || *p == '-')
			mmp_buf_putc(&lit, *p++);
		p = py_digits(p, &lit, &ne);
		if (!ne)
			goto done;
	}
	if (*p)
		goto done;
	*out = strtod(lit.ptr, NULL);
	error = 0;
done:
	mmp_buf_dispose(&lit);
	free(s);
	return error;
}

/* Python's int() of a string into a 64-bit integer: 0, -1 when it is
 * not a decimal integer, -2 when it is one beyond 64 bits */
static int py_int(const char *text, double *out)
{
	char *s = py_strip(text), *end;
	const char *p = s;
	mmp_buf lit = MMP_BUF_INIT;
	int n = 0, neg = 0, error = -1;
	long long v;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	mmp_buf_putc(&lit, neg ? '-' : '+');
	p = py_digits(p, &lit, &n);
	if (!n || *p)
		goto done;
	errno = 0;
	v = strtoll(lit.ptr, &end, 10);
	if (errno == ERANGE) {
		error = -2;
		goto done;
	}
	*out = (double)v;
	error = 0;
done:
	mmp_buf_dispose(&lit);
	free(s);
	return error;
}

/*
 * How a JSON value becomes a column's type. MLflow's scoring server
 * casts the dataframe formats with pandas (Series.astype) and the
 * instances and inputs formats with numpy (numpy.array(..., dtype));
 * both call Python's float() and int(), and differ in what a null in
 * an integer column gives.
 */
enum cast { CAST_PANDAS, CAST_NUMPY };

/* why a value cannot be cast: Python's exception and its text */
struct why {
	const char *type;
	mmp_buf text;
	int range;               /* mmp's own refusal: beyond float32 */
};

static void why_set(struct why *w, const char *type, const char *fmt, ...)
	MMP_FORMAT_PRINTF(3, 4);

static void why_set(struct why *w, const char *type, const char *fmt, ...)
{
	va_list ap;

	w->type = type;
	mmp_buf_clear(&w->text);
	va_start(ap, fmt);
	mmp_buf_vprintf(&w->text, fmt, ap);
	va_end(ap);
}

/* Python's repr() of a double, which json.dumps writes for a float:
 * the shortest text that reads back, "3.0" for a whole number */
static void py_float_repr(char out[40], double v)
{
	size_t n;

	mmp_fmt_double(out, v);
	if (isnan(v) || isinf(v) || strpbrk(out, ".e"))
		return;
	n = strlen(out);
	memcpy(out + n, ".0", 3);
}

/*
 * The text of the numbers of a request body, for the numpy casts.
 * Python's json reads 3 as an int and 3.0 or 3e0 as a float, and numpy's
 * str() of them differs ("3", "3.0") where cJSON keeps one double.
 * Found on first use: the number literals of the text, in order, are
 * the number items of the tree in pre-order.
 */
struct numtext {
	const cJSON *root;
	const char *text;
	size_t len;              /* the bytes cJSON parsed */
	struct numlit {
		const cJSON *item;
		const char *at;
		size_t len;
	} *lits;
	size_t n, alloc;
	int built;               /* 1: lits found; -1: they did not pair */
};

#define NUMTEXT_INIT(root, text, len) { root, text, len, NULL, 0, 0, 0 }

static void numtext_items(struct numtext *nt, const cJSON *v)
{
	for (; v; v = v->next) {
		if (cJSON_IsNumber(v)) {
			MMP_ALLOC_GROW(nt->lits, nt->n + 1, nt->alloc);
			nt->lits[nt->n].item = v;
			nt->lits[nt->n++].at = NULL;
		}
		if (v->child)
			numtext_items(nt, v->child);
	}
}

static int cmp_numlit(const void *a, const void *b)
{
	const cJSON *x = ((const struct numlit *)a)->item;
	const cJSON *y = ((const struct numlit *)b)->item;

	return x < y ? -1 : x > y;
}

static void numtext_build(struct numtext *nt)
{
	const char *p = nt->text, *end = nt->text + nt->len, *start;
	size_t k = 0;

	nt->built = -1;
	numtext_items(nt, nt->root);
	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			p++;
			continue;
		}
		if (*p != '-' && (*p < '0' || *p > '9')) {
			p++;
			continue;
		}
		start = p;
		while (p < end && strchr("0123456789+-.eE", *p))
			p++;
		if (k == nt->n)
			return;
		nt->lits[k].at = start;
		nt->lits[k++].len = (size_t)(p - start);
	}
	if (k != nt->n)
		return;
	qsort(nt->lits, nt->n, sizeof(*nt->lits), cmp_numlit);
	nt->built = 1;
}

/* the literal of number item `v`, or NULL */
static const struct numlit *numtext_find(struct numtext *nt,
	const cJSON *v)
{
	struct numlit key = { v, NULL, 0 };

	if (!nt)
		return NULL;
	if (!nt->built)
		numtext_build(nt);
	if (nt->built < 0)
		return NULL;
	return bsearch(&key, nt->lits, nt->n, sizeof(*nt->lits),
		cmp_numlit);
}

/* Python's str() of the number json reads from literal `lit`: an int's
 * digits, or repr() of a float */
static void py_number_str(mmp_buf *out, const struct numlit *lit, double v)
{
	const char *p = lit->at, *end = lit->at + lit->len;
	char num[40];
	int neg = 0;

	if (!memchr(p, '.', lit->len) && !memchr(p, 'e', lit->len) &&
	    !memchr(p, 'E', lit->len)) {
		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		while (p + 1 < end && *p == '0')
			p++;
		if (neg && !(p + 1 == end && *p == '0'))
			mmp_buf_putc(out, '-');
		mmp_buf_put(out, p, (size_t)(end - p));
		return;
	}
	if (isinf(v)) {
		mmp_buf_puts(out, v > 0 ? "inf" : "-inf");
		return;
	}
	py_float_repr(num, v);
	mmp_buf_puts(out, num);
}

/*
 * The text a JSON value stands for as a category, into `out`; 0, or -1
 * when it stands for none (a missing value). The dataframe formats go
 * through pandas: mmp's pyfunc loader matches a number as its integer
 * when it is a whole one (_category_text), a boolean as "true" or
 * "false". instances and inputs go through numpy's str(): a JSON
 * integer as its digits, any other number as Python's repr() of the
 * float, "True", "False", and "None" for null.
 */
static int category_text(mmp_buf *out, const cJSON *v, enum cast how,
	struct numtext *nt)
{
	const struct numlit *lit;
	char num[40];
	double d;

	mmp_buf_clear(out);
	if (cJSON_IsString(v)) {
		mmp_buf_puts(out, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		mmp_buf_puts(out, how == CAST_PANDAS ? (cJSON_IsTrue(v) ?
			"true" : "false") : (cJSON_IsTrue(v) ? "True" :
			"False"));
	} else if (cJSON_IsNull(v) && how == CAST_NUMPY) {
		mmp_buf_puts(out, "None");
	} else if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (how == CAST_NUMPY && (lit = numtext_find(nt, v))) {
			py_number_str(out, lit, d);
		} else if (how == CAST_PANDAS && d == trunc(d) &&
		    fabs(d) < 0x1p63) {
			/* str(int(f)): every digit, as %.0f writes them */
			mmp_buf_printf(out, "%.0f", d == 0 ? 0.0 : d);
		} else if (isinf(d)) {
			mmp_buf_puts(out, d > 0 ? "inf" : "-inf");
		} else {
			py_float_repr(num, d);
			mmp_buf_puts(out, num);
		}
	} else {
		return -1;
	}
	return 0;
}

/*
 * One JSON value (NULL: absent) of feature `f` into *out (NaN: a
 * missing value). 0, or -1 with `why` set. A category the model has
 * not seen is a missing value, as mmp's pyfunc loader takes it.
 */
static int cast_json(const struct serve_model *sm, size_t f,
	const cJSON *v, enum cast how, struct numtext *nt, float *out,
	struct why *why)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	int lng = feat->type == MMP_COLUMN_LONG;
	char num[32];
	double d;
	int r;

	*out = NAN;
	if (feat->kind == MMP_FEATURE_CATEGORICAL) {
		/* numpy cannot make a column of a list and other values */
		if (how == CAST_NUMPY && cJSON_IsArray(v)) {
			why_set(why, "ValueError", "setting an array element "
				"with a sequence.");
			return -1;
		}
		if (v && category_text(&why->text, v, how, nt) == 0)
			mmp_serve__category(sm, f, why->text.ptr, out);
		mmp_buf_clear(&why->text);
		return 0;
	}
	if (!v || cJSON_IsNull(v)) {
		if (!lng)
			return 0;
		if (how == CAST_PANDAS)
			why_set(why, "IntCastingNaNError", "Cannot convert "
				"non-finite values (NA or inf) to integer");
		else
			why_set(why, "TypeError", "int() argument must be a "
				"string, a bytes-like object or a real number, "
				"not 'NoneType'");
		return -1;
	}
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v) ? 1.0f : 0.0f;
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		d = lng ? trunc(v->valuedouble) : v->valuedouble;
	} else if (cJSON_IsString(v)) {
		r = lng ? py_int(v->valuestring, &d) :
			py_float(v->valuestring, &d);
		if (r == -2) {
			why_set(why, "OverflowError", "Python int too large to "
				"convert to C long");
			return -1;
		}
		if (r < 0) {
			mmp_buf quoted = MMP_BUF_INIT;

			py_repr(&quoted, v->valuestring);
			if (lng)
				why_set(why, "ValueError", "invalid literal "
					"for int() with base 10: %s",
					quoted.ptr);
			else
				why_set(why, "ValueError", "could not convert "
					"string to float: %s", quoted.ptr);
			mmp_buf_dispose(&quoted);
			return -1;
		}
	} else if (cJSON_IsArray(v)) {
		why_set(why, "ValueError", "setting an array element with a "
			"sequence.");
		return -1;
	} else {
		if (lng)
			why_set(why, "TypeError", "int() argument must be a "
				"string, a bytes-like object or a real number, "
				"not 'dict'");
		else
			why_set(why, "TypeError", "float() argument must be a "
				"string or a real number, not 'dict'");
		return -1;
	}
	if (isnan(d))
		return 0;
	if (!mmp_number_in_range(d)) {
		mmp_fmt_double(num, d);
		why_set(why, NULL, "%s", num);
		if (cJSON_IsString(v)) {
			mmp_buf_clear(&why->text);
			mmp_buf_put_json_string(&why->text, v->valuestring);
		}
		why->range = 1;
		return -1;
	}
	*out = (float)d;
	return 0;
}

/* the answer to a value cast_json() refused */
static void cast_error(struct serve_response *resp,
	const struct serve_model *sm, size_t f, enum cast how,
	const struct why *why)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	mmp_buf ex = MMP_BUF_INIT;

	if (why->range) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Column "
			"'%s': %s is out of range (a number is at most %.9g "
			"in magnitude).", feat->name, why->text.ptr,
			MMP_NUMBER_MAX);
		return;
	}
	if (how == CAST_NUMPY) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. %s",
			why->text.ptr);
		return;
	}
	py_repr(&ex, why->text.ptr);
	mlflow_error(resp, "BAD_REQUEST", "Invalid input. Data is not "
		"compatible with model signature. Failed to convert column %s "
		"to type '%s'. Error: '%s(%s)'", feat->name,
		feat->type == MMP_COLUMN_LONG ? "int64" : "float64", why->type,
		ex.ptr);
	mmp_buf_dispose(&ex);
}

/*
 * The shape numpy finds in a JSON value it makes an array of (numpy's
 * PyArray_DiscoverDTypeAndShape): lists are dimensions, anything else a
 * scalar. Lists of different lengths, or lists beside scalars, make it
 * ragged, which no numeric or string array can hold: numpy then names
 * the dimensions it could use.
 */
#define ND_MAXDIMS 32

struct ndshape {
	int max;                 /* the dimensions usable so far */
	size_t shape[ND_MAXDIMS];
	int reached;             /* a scalar or an empty list was seen */
	int ragged;
};

/* numpy's update_shape(): `n` dimensions `dims` found at depth `curr` */
static int nd_update(struct ndshape *s, int curr, int n, const size_t *dims,
	int sequence)
{
	int ok = 0, reached = s->reached, i;

	if (curr + n > s->max) {
		ok = -1;
		n = s->max - curr;
	} else if (!sequence && s->max != curr + n) {
		s->max = curr + n;
		if (reached)
			ok = -1;
	}
	for (i = 0; i < n; i++) {
		if (!reached) {
			s->shape[curr + i] = dims[i];
		} else if (dims[i] != s->shape[curr + i]) {
			ok = -1;
			if (!sequence)
				s->max -= n - i;
			else
				s->max = curr;
			break;
		}
	}
	if (!sequence)
		s->reached = 1;
	return ok;
}

/* `v` at depth `curr`; returns the usable dimensions */
static int nd_walk(struct ndshape *s, const cJSON *v, int curr)
{
	const cJSON *it;
	size_t n;

	if (curr == s->max || !cJSON_IsArray(v)) {
		if (nd_update(s, curr, 0, NULL, 0) < 0 || cJSON_IsArray(v))
			s->ragged = 1;
		return s->max;
	}
	n = (size_t)cJSON_GetArraySize(v);
	if (nd_update(s, curr, 1, &n, 1) < 0) {
		s->ragged = 1;
		return s->max;
	}
	if (!n) {
		s->reached = 1;
		return curr + 1;
	}
	cJSON_ArrayForEach(it, v)
		s->max = nd_walk(s, it, curr + 1);
	return s->max;
}

static void nd_init(struct ndshape *s)
{
	memset(s, 0, sizeof(*s));
	s->max = ND_MAXDIMS;
}

/* numpy's ValueError for a ragged value, into `out` */
static void nd_ragged_text(mmp_buf *out, const struct ndshape *s)
{
	int i;

	mmp_buf_clear(out);
	if (s->max >= ND_MAXDIMS) {
		mmp_buf_printf(out, "setting an array element with a sequence. "
			"The requested array would exceed the maximum number "
			"of dimension of %d.", ND_MAXDIMS);
		return;
	}
	mmp_buf_printf(out, "setting an array element with a sequence. The "
		"requested array has an inhomogeneous shape after %d "
		"dimensions. The detected shape was (", s->max);
	for (i = 0; i < s->max; i++)
		mmp_buf_printf(out, "%s%zu", i ? ", " : "", s->shape[i]);
	mmp_buf_puts(out, s->max == 1 ? ",) + inhomogeneous part." :
		") + inhomogeneous part.");
}

/*
 * A list that is the value of feature `f` (one record's value, or a
 * whole column), cast as numpy.array(v, dtype) casts it: a ragged list
 * is refused, naming the column; otherwise every scalar in it is cast
 * (a string that is no number is refused as numpy refuses it). 0: an
 * array of more than one dimension, which MLflow then puts in a frame
 * as a column of lists.
 */
static int cast_nested(const struct serve_model *sm, size_t f,
	const cJSON *v, struct numtext *nt, struct why *why,
	struct serve_response *resp)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	struct ndshape s;
	const cJSON *it;
	float x;

	nd_init(&s);
	s.max = nd_walk(&s, v, 0);
	if (s.ragged) {
		nd_ragged_text(&why->text, &s);
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Column '%s': "
			"%s", feat->name, why->text.ptr);
		return -1;
	}
	if (feat->kind == MMP_FEATURE_CATEGORICAL)
		return 0;       /* numpy's str() takes any scalar */
	cJSON_ArrayForEach(it, v) {
		if (cJSON_IsArray(it)) {
			if (cast_nested(sm, f, it, nt, why, resp) < 0)
				return -1;
			continue;
		}
		/* mmp's float32 range is no concern of a list MLflow
		 * refuses anyway */
		if (cast_json(sm, f, it, CAST_NUMPY, nt, &x, why) < 0 &&
		    !why->range) {
			cast_error(resp, sm, f, CAST_NUMPY, why);
			return -1;
		}
		why->range = 0;
	}
	return 0;
}

/*
 * instances: a column made of the values records give for feature `f`
 * (records lacking it left out), as numpy.array(values) makes it
 * (parse_instances_data); 0, or -1 when they are ragged.
 */
static int instances_column(const struct serve_model *sm, size_t f,
	const cJSON *list, size_t n, struct why *why,
	struct serve_response *resp)
{
	const char *name = sm->schema->features[f].name;
	const cJSON *rec, *v;
	struct ndshape s;

	nd_init(&s);
	if (nd_update(&s, 0, 1, &n, 1) < 0)
		s.ragged = 1;
	else if (!n)
		return 0;
	cJSON_ArrayForEach(rec, list)
		if ((v = cJSON_GetObjectItemCaseSensitive(rec, name)))
			s.max = nd_walk(&s, v, 1);
	if (!s.ragged)
		return 0;
	nd_ragged_text(&why->text, &s);
	mlflow_error(resp, "BAD_REQUEST", "Invalid input. Column '%s': Ensure "
		"that the input is a valid JSON-formatted string.\nError: "
		"ValueError('%s')", name, why->text.ptr);
	return -1;
}

/* a column of lists in the frame MLflow builds: a numeric feature's is
 * refused (_enforce_mlflow_datatype), a category's values are unseen */
static int nested_refused(const struct serve_model *sm, size_t f,
	struct serve_response *resp)
{
	const mmp_model_feature *feat = &sm->schema->features[f];

	if (feat->kind == MMP_FEATURE_CATEGORICAL)
		return 0;
	mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to predict data: "
		"Failed to enforce schema of data: Incompatible input types "
		"for column %s. Can not safely convert object to %s.",
		feat->name, feat->type == MMP_COLUMN_LONG ? "int64" :
		"float64");
	return -1;
}

/*
 * The columns a request names: the input column of each feature, and
 * the first names that are no feature (listed when a feature is
 * missing, as MLflow lists them).
 */
#define EXTRA_MAX 20

struct columns {
	long *of;                /* per feature: its input column, or -1 */
	const char *extra[EXTRA_MAX];
	size_t nextra;
};

static void columns_init(struct columns *c, const struct serve_model *sm)
{
	size_t f;

	c->of = mmp__malloc((sm->nfeatures + 1) * sizeof(long));
	for (f = 0; f < sm->nfeatures; f++)
		c->of[f] = -1;
	c->nextra = 0;
}

/* input column `i` named `name`: its feature, or -1 */
static long columns_add(struct columns *c, const struct serve_model *sm,
	const char *name, long i)
{
	const struct field_slot *slot = mmp_serve__lookup(sm, name);
	size_t k;

	if (slot && slot->kind == FIELD_FEATURE) {
		if (c->of[slot->index] < 0)
			c->of[slot->index] = i;
		return (long)slot->index;
	}
	for (k = 0; k < c->nextra && k < EXTRA_MAX; k++)
		if (!strcmp(c->extra[k], name))
			return -1;
	if (c->nextra < EXTRA_MAX)
		c->extra[c->nextra] = name;
	c->nextra++;
	return -1;
}

/* MLflow's answer when features are missing: 400, naming them and the
 * columns given besides; 0 when none is */
static int columns_missing(const struct columns *c,
	const struct serve_model *sm, struct serve_response *resp)
{
	mmp_buf list = MMP_BUF_INIT, extra = MMP_BUF_INIT;
	size_t f, k;

	for (f = 0; f < sm->nfeatures; f++)
		if (c->of[f] < 0)
			mmp_buf_printf(&list, "%s'%s'", list.size ? ", " : "",
				sm->schema->features[f].name);
	if (!list.size)
		return 0;
	for (k = 0; k < c->nextra && k < EXTRA_MAX; k++)
		mmp_buf_printf(&extra, "%s'%s'", k ? ", " : "", c->extra[k]);
	if (c->nextra)
		mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to "
			"predict data: Model is missing inputs [%s]. Note that "
			"there were extra inputs: [%s%s]", list.ptr, extra.ptr,
			c->nextra > EXTRA_MAX ? ", ..." : "");
	else
		mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to "
			"predict data: Model is missing inputs [%s].",
			list.ptr);
	mmp_buf_dispose(&list);
	mmp_buf_dispose(&extra);
	return -1;
}

static void alloc_rows(struct serve_rows *rows, const struct serve_model *sm,
	size_t n)
{
	size_t f;

	rows->nrows = n;
	rows->x = mmp__reallocarray(NULL, n ? n * sm->nfeatures : 1,
		sizeof(float));
	for (f = 0; f < n * sm->nfeatures; f++)
		rows->x[f] = NAN;
}

/* every feature missing: what a positional list or a scalar gives,
 * once its values cast to the first feature's type */
static int all_missing(const struct serve_model *sm, const cJSON *v,
	struct numtext *nt, struct serve_response *resp)
{
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns c;
	const cJSON *it, *cell;
	float x;
	int error = -1;

	columns_init(&c, sm);
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsArray(it)) {
			if (sm->nfeatures && cast_json(sm, 0, it, CAST_NUMPY, nt,
			    &x, &why) < 0)
				goto fail;
			continue;
		}
		cJSON_ArrayForEach(cell, it)
			if (sm->nfeatures && cast_json(sm, 0, cell,
			    CAST_NUMPY, nt, &x, &why) < 0)
				goto fail;
	}
	if (!cJSON_IsArray(v) && sm->nfeatures &&
	    cast_json(sm, 0, v, CAST_NUMPY, nt, &x, &why) < 0)
		goto fail;
	columns_missing(&c, sm, resp);
	goto done;
fail:
	cast_error(resp, sm, 0, CAST_NUMPY, &why);
done:
	free(c.of);
	mmp_buf_dispose(&why.text);
	return error;
}

/* dataframe_records: a list of objects, cast column by column */
static int from_records(const struct serve_model *sm, const cJSON *list,
	struct serve_rows *rows, struct serve_response *resp)
{
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns c;
	const cJSON *rec, *it;
	size_t f, i = 0;
	int error = -1;

	columns_init(&c, sm);
	cJSON_ArrayForEach(rec, list) {
		if (!cJSON_IsObject(rec)) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Record %zu is a %s, expected a JSON object of "
				"column values.", i, type_word(rec));
			goto done;
		}
		cJSON_ArrayForEach(it, rec)
			columns_add(&c, sm, it->string, 0);
		i++;
	}
	alloc_rows(rows, sm, i);
	for (f = 0; f < sm->nfeatures; f++) {
		const char *name = sm->schema->features[f].name;

		if (c.of[f] < 0)
			continue;
		i = 0;
		cJSON_ArrayForEach(rec, list) {
			if (cast_json(sm, f, cJSON_GetObjectItemCaseSensitive(
			    rec, name), CAST_PANDAS, NULL,
			    &rows->x[i * sm->nfeatures + f], &why) < 0) {
				cast_error(resp, sm, f, CAST_PANDAS, &why);
				goto done;
			}
			i++;
		}
	}
	error = columns_missing(&c, sm, resp);
done:
	free(c.of);
	mmp_buf_dispose(&why.text);
	return error;
}

/* dataframe_split: {"columns": [...], "data": [[...], ...], "index"} */
static int from_split(const struct serve_model *sm, const cJSON *split,
	struct serve_rows *rows, struct serve_response *resp)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(split, "columns");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(split, "data");
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns c;
	mmp_buf keys = MMP_BUF_INIT;
	const cJSON *it, *row;
	size_t f, i, ncols = 0;
	int error = -1, bad = 0;

	columns_init(&c, sm);
	if (!cJSON_IsObject(split)) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Dataframe "
			"split format must be a dictionary. Got %s.",
			cJSON_IsArray(split) ? "list" : "another type");
		goto done;
	}
	cJSON_ArrayForEach(it, split) {
		bad |= strcmp(it->string, "columns") &&
			strcmp(it->string, "data") && strcmp(it->string,
			"index");
		mmp_buf_printf(&keys, "%s'%s'", keys.size ? ", " : "",
			it->string);
	}
	if (bad || !data) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Dataframe "
			"split format must have 'data' field and optionally "
			"'columns' and 'index' fields. Got {%s}.'", keys.ptr);
		goto done;
	}
	if (!cJSON_IsArray(data) || (cols && !cJSON_IsArray(cols))) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Provided "
			"dataframe_split field is not a valid dataframe "
			"representation in 'split' format. Error: 'the "
			"columns and the data must be lists'");
		goto done;
	}
	/* no "columns": pandas names them 0, 1, ... */
	if (cols) {
		cJSON_ArrayForEach(it, cols) {
			if (cJSON_IsString(it))
				columns_add(&c, sm, it->valuestring,
					(long)ncols);
			ncols++;
		}
	} else {
		row = cJSON_GetArrayItem(data, 0);
		ncols = cJSON_IsArray(row) ? (size_t)cJSON_GetArraySize(row) :
			1;
	}
	i = 0;
	cJSON_ArrayForEach(row, data) {
		size_t n = cJSON_IsArray(row) ?
			(size_t)cJSON_GetArraySize(row) : 1;

		if (n != ncols) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Provided dataframe_split field is not a valid "
				"dataframe representation in 'split' format. "
				"Error: '%zu columns passed, passed data had "
				"%zu columns'", ncols, n);
			goto done;
		}
		i++;
	}
	/* pandas casts the columns given before the model finds the
	 * missing ones: a bad value is named first */
	alloc_rows(rows, sm, i);
	for (f = 0; f < sm->nfeatures; f++) {
		if (c.of[f] < 0)
			continue;
		i = 0;
		cJSON_ArrayForEach(row, data) {
			it = cJSON_IsArray(row) ?
				cJSON_GetArrayItem(row, (int)c.of[f]) : row;
			if (cast_json(sm, f, it, CAST_PANDAS, NULL,
			    &rows->x[i * sm->nfeatures + f], &why) < 0) {
				cast_error(resp, sm, f, CAST_PANDAS, &why);
				error = -1;
				goto done;
			}
			i++;
		}
	}
	error = columns_missing(&c, sm, resp);
done:
	free(c.of);
	mmp_buf_dispose(&keys);
	mmp_buf_dispose(&why.text);
	return error;
}

/*
 * A dictionary of columns ("inputs", or "instances" given as one):
 * each value a list of values or one value, cast with numpy, in the
 * order given. Lists of different lengths: for "instances" MLflow
 * refuses them once it has cast them, for "inputs" pandas does as it
 * builds the frame. A column of lists (a list of equal-length lists)
 * becomes a column of lists in that frame: refused for a number,
 * categories it does not know for a category.
 */
static int from_columns(const struct serve_model *sm, const cJSON *obj,
	int instances, struct numtext *nt, struct serve_rows *rows,
	struct serve_response *resp)
{
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns c;
	unsigned char *nested = mmp__calloc(sm->nfeatures + 1, 1);
	const cJSON *it, *cell;
	size_t f = 0, i, n = 1, most = 0;
	long len = -1;
	int error = -1, ragged = 0;

	columns_init(&c, sm);
	cJSON_ArrayForEach(it, obj) {
		long fi = columns_add(&c, sm, it->string, 0);

		if (fi < 0 || !cJSON_IsArray(it))
			continue;
		if (len < 0)
			len = cJSON_GetArraySize(it);
		else if (len != cJSON_GetArraySize(it))
			ragged = 1;
		if ((size_t)cJSON_GetArraySize(it) > most)
			most = (size_t)cJSON_GetArraySize(it);
	}
	if (len >= 0)
		n = (size_t)len;
	/* numpy casts every column given, in the order given */
	alloc_rows(rows, sm, most > n ? most : n);
	rows->nrows = n;
	cJSON_ArrayForEach(it, obj) {
		const struct field_slot *slot =
			mmp_serve__lookup(sm, it->string);

		if (!slot || slot->kind != FIELD_FEATURE ||
		    c.of[slot->index] < 0 ||
		    cJSON_GetObjectItemCaseSensitive(obj, it->string) != it)
			continue;
		f = slot->index;
		if (!cJSON_IsArray(it)) {
			if (cast_json(sm, f, it, CAST_NUMPY, nt, &rows->x[f],
			    &why) < 0)
				goto fail;
			for (i = 1; i < n; i++)
				rows->x[i * sm->nfeatures + f] = rows->x[f];
			continue;
		}
		cJSON_ArrayForEach(cell, it)
			if (cJSON_IsArray(cell))
				nested[f] = 1;
		if (nested[f]) {
			if (cast_nested(sm, f, it, nt, &why, resp) < 0)
				goto done;
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(cell, it) {
			if (cast_json(sm, f, cell, CAST_NUMPY, nt,
			    &rows->x[i * sm->nfeatures + f], &why) < 0)
				goto fail;
			i++;
		}
	}
	if (ragged && instances) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. The length "
			"of values for each input/column name are not the "
			"same");
		goto done;
	}
	if (ragged) {
		mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to "
			"predict data: Failed to enforce schema of data: This "
			"model contains a column-based signature, which "
			"suggests a DataFrame input. There was an error "
			"casting the input data to a DataFrame: All arrays "
			"must be of the same length");
		goto done;
	}
	if (columns_missing(&c, sm, resp) < 0)
		goto done;
	for (f = 0; f < sm->nfeatures; f++)
		if (nested[f] && nested_refused(sm, f, resp) < 0)
			goto done;
	error = 0;
	goto done;
fail:
	cast_error(resp, sm, f, CAST_NUMPY, &why);
done:
	free(c.of);
	free(nested);
	mmp_buf_dispose(&why.text);
	return error;
}

/*
 * A list of objects in "instances" or "inputs", cast value by value
 * with numpy (a list as a whole: a ragged one is refused). "instances"
 * then turns them into columns, so a field some records lack makes
 * columns of different lengths, and a list beside other values a
 * ragged column; "inputs" gives them to pandas, which leaves the gaps
 * missing (and then cannot call an integer column with a gap an
 * integer column). A list in a numeric column is refused once the
 * frame is made; in a category it is a category no model has seen.
 */
static int from_objects(const struct serve_model *sm, const cJSON *list,
	int instances, struct numtext *nt, struct serve_rows *rows,
	struct serve_response *resp)
{
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns c;
	size_t *count = mmp__calloc(sm->nfeatures + 1, sizeof(size_t));
	size_t *order = mmp__calloc(sm->nfeatures + 1, sizeof(size_t));
	unsigned char *nested = mmp__calloc(sm->nfeatures + 1, 1);
	const cJSON *rec, *it;
	size_t f = 0, i = 0, n = 0, norder = 0;
	long expect = -1;
	int error = -1;

	columns_init(&c, sm);
	cJSON_ArrayForEach(rec, list) {
		if (!cJSON_IsObject(rec)) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Ensure that the input is a valid "
				"JSON-formatted string.\nError: "
				"AttributeError(\"'%s' object has no attribute "
				"'items'\")", cJSON_IsNumber(rec) ? "float" :
				cJSON_IsNull(rec) ? "NoneType" :
				type_word(rec));
			goto done;
		}
		n++;
	}
	alloc_rows(rows, sm, n);
	cJSON_ArrayForEach(rec, list) {
		cJSON_ArrayForEach(it, rec) {
			long fi = columns_add(&c, sm, it->string, 0);

			if (fi < 0 || cJSON_GetObjectItemCaseSensitive(rec,
			    it->string) != it)
				continue;
			f = (size_t)fi;
			if (!count[f])
				order[norder++] = f;
			if (cJSON_IsArray(it)) {
				if (cast_nested(sm, f, it, nt, &why, resp) < 0)
					goto done;
				nested[f] = 1;
				count[f]++;
				continue;
			}
			if (cast_json(sm, f, it, CAST_NUMPY, nt,
			    &rows->x[(instances ? count[f] : i) *
			    sm->nfeatures + f], &why) < 0)
				goto fail;
			count[f]++;
		}
		i++;
	}
	/* numpy makes each column of the records' values */
	for (i = 0; instances && i < norder; i++)
		if (nested[order[i]] && instances_column(sm, order[i], list,
		    count[order[i]], &why, resp) < 0)
			goto done;
	for (f = 0; f < sm->nfeatures; f++) {
		if (c.of[f] < 0)
			continue;
		if (instances && expect >= 0 && (size_t)expect != count[f]) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. The "
				"length of values for each input/column name "
				"are not the same");
			goto done;
		}
		expect = (long)count[f];
	}
	if (instances && expect >= 0)
		rows->nrows = (size_t)expect;
	if (columns_missing(&c, sm, resp) < 0)
		goto done;
	for (f = 0; f < sm->nfeatures; f++) {
		if (nested[f]) {
			if (nested_refused(sm, f, resp) < 0)
				goto done;
			continue;
		}
		if (instances || sm->schema->features[f].type !=
		    MMP_COLUMN_LONG || sm->schema->features[f].kind ==
		    MMP_FEATURE_CATEGORICAL || count[f] == n)
			continue;
		mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to "
			"predict data: Failed to enforce schema of data: "
			"Incompatible input types for column %s. Can not "
			"safely convert float64 to int64.",
			sm->schema->features[f].name);
		goto done;
	}
	error = 0;
	goto done;
fail:
	cast_error(resp, sm, f, CAST_NUMPY, &why);
done:
	free(c.of);
	free(count);
	free(order);
	free(nested);
	mmp_buf_dispose(&why.text);
	return error;
}

/* "instances" and "inputs" */
static int from_tensor(const struct serve_model *sm, const cJSON *v,
	int instances, struct numtext *nt, struct serve_rows *rows,
	struct serve_response *resp)
{
	const cJSON *it;
	int objects = 0, others = 0;

	if (cJSON_IsObject(v))
		return from_columns(sm, v, instances, nt, rows, resp);
	cJSON_ArrayForEach(it, v) {
		if (cJSON_IsObject(it))
			objects++;
		else
			others++;
	}
	/* a model of one column takes a plain list as that column */
	if (cJSON_IsArray(v) && !objects && others && sm->nfeatures == 1) {
		cJSON *col = cJSON_CreateObject();
		int error;

		cJSON_AddItemReferenceToObject(col,
			sm->schema->features[0].name, (cJSON *)v);
		error = from_columns(sm, col, instances, nt, rows, resp);
		cJSON_Delete(col);
		return error;
	}
	/* "instances" reads records when the first is one, "inputs" when
	 * all are */
	if (cJSON_IsArray(v) && (instances ?
	    cJSON_IsObject(cJSON_GetArrayItem(v, 0)) : objects && !others))
		return from_objects(sm, v, instances, nt, rows, resp);
	return all_missing(sm, v, nt, resp);
}

/* the index of the largest of `k` values, the first on a tie or NaN,
 * as numpy's argmax */
static size_t argmax(const float *v, size_t k)
{
	size_t i, best = 0;

	for (i = 0; i < k; i++) {
		if (isnan(v[i]))
			return i;
		if (v[i] > v[best])
			best = i;
	}
	return best;
}

/*
 * The answer of `mlflow models serve` for a directory mmp wrote: the
 * frame that mmp_pyfunc.predict() returns, as the scoring server writes
 * it (DataFrame.to_dict(orient="records"), then json.dump): a record per
 * row, the label as a string, every float32 widened to a double.
 */
static void put_records(const struct serve_model *sm, const float *y,
	size_t nrows, mmp_buf *out)
{
	size_t i, c, k = sm->noutputs;
	char num[40];

	mmp_buf_grow(out, 32 + nrows * 24 * sm->npycols);
	mmp_buf_puts(out, "{\"predictions\": [");
	for (i = 0; i < nrows; i++) {
		const float *row = y + i * k;

		mmp_buf_puts(out, i ? ", {" : "{");
		for (c = 0; c < sm->npycols; c++) {
			long src = sm->pycols[c].src;
			float v;

			if (c)
				mmp_buf_puts(out, ", ");
			mmp_buf_puts(out, sm->pycols[c].key);
			if (sm->task == MMP_TASK_REGRESSION) {
				v = row[0];
			} else if (src == PYCOL_PREDICTION) {
				mmp_buf_puts(out, sm->labels_py[
					sm->task == MMP_TASK_BINARY ?
					(row[0] > 0.5f ? 1 : 0) :
					argmax(row, k)]);
				continue;
			} else if (sm->task == MMP_TASK_BINARY) {
				/* 1 - p in float32, as the loader does */
				v = src ? row[0] : 1.0f - row[0];
			} else {
				v = row[src];
			}
			py_float_repr(num, (double)v);
			mmp_buf_puts(out, num);
		}
		mmp_buf_putc(out, '}');
	}
	mmp_buf_puts(out, "]}");
}

static void respond(const struct serve_model *sm,
	struct serve_rows *rows, struct serve_response *resp)
{
	struct serve_live *live;
	float *y;
	size_t i, k;
	char num[40];

	y = mmp__reallocarray(NULL, rows->nrows ?
		rows->nrows * sm->noutputs : 1, sizeof(float));
	if (rows->nrows && mmp_model_predict(sm->model, rows->x, rows->nrows,
	    sm->nfeatures, y) < 0) {
		resp->status = 500;
		mmp_buf_clear(&resp->body);
		mmp_buf_puts(&resp->body, "{\"error_code\": \"INTERNAL_ERROR\", "
			"\"message\": ");
		mmp_buf_put_json_string(&resp->body, mmp_error_last()->message);
		mmp_buf_puts(&resp->body, "}");
		free(y);
		return;
	}
	resp->rows = rows->nrows;
	live = atomic_load_explicit(&((struct serve_model *)sm)->live,
		memory_order_acquire);
	if (live)
		mmp_serve__live_add(live, rows->x, rows->nrows, y,
			rows->entities);
	if (sm->npycols) {
		put_records(sm, y, rows->nrows, &resp->body);
		free(y);
		return;
	}
	mmp_buf_grow(&resp->body, 32 + rows->nrows * 16 * sm->noutputs);
	mmp_buf_puts(&resp->body, "{\"predictions\": [");
	for (i = 0; i < rows->nrows; i++) {
		if (i)
			mmp_buf_puts(&resp->body, ", ");
		if (sm->task == MMP_TASK_MULTICLASS)
			mmp_buf_putc(&resp->body, '[');
		for (k = 0; k < sm->noutputs; k++) {
			float v = y[i * sm->noutputs + k];

			/* numpy's tolist() widens the float32 values to
			 * doubles, json writes their repr() */
			py_float_repr(num, (double)v);
			mmp_buf_printf(&resp->body, isnan(v) || isinf(v) ?
				"%s\"%s\"" : "%s%s", k ? ", " : "", num);
		}
		if (sm->task == MMP_TASK_MULTICLASS)
			mmp_buf_putc(&resp->body, ']');
	}
	mmp_buf_puts(&resp->body, "]}");
	free(y);
}

static int ctype_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct && !strncasecmp(ct, want, n) &&
		(ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void invocations_json(const struct serve_model *sm,
	const struct serve_request *req, struct serve_rows *rows,
	struct serve_response *resp, int *ok)
{
	static const char *const keys[] = { "instances", "dataframe_records",
		"dataframe_split", "inputs" };
	const cJSON *doc, *it, *input = NULL;
	const char *end = NULL, *which = NULL;
	mmp_buf fields = MMP_BUF_INIT;
	size_t k, nformats = 0;

	*ok = 0;
	doc = cJSON_ParseWithLengthOpts(req->body, req->len, &end, 0);
	if (!doc) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Ensure "
			"that input is a valid JSON formatted string. Error: "
			"malformed JSON at byte %zu",
			end && end >= req->body ?
			(size_t)(end - req->body) : 0);
		return;
	}
	if (!cJSON_IsObject(doc)) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. The input "
			"must be a JSON dictionary with exactly one of the "
			"input fields %s. Received a %s.", formats_msg,
			type_word(doc));
		goto done;
	}
	/* the scoring server keeps the input fields and "params" of the
	 * dictionary and drops any other key */
	cJSON_ArrayForEach(it, doc) {
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			if (strcmp(it->string, keys[k]))
				continue;
			nformats++;
			input = it;
			which = keys[k];
			mmp_buf_printf(&fields, "%s'%s'", fields.size ? ", " :
				"", it->string);
		}
	}
	if (nformats != 1) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. The input "
			"must be a JSON dictionary with exactly one of the "
			"input fields %s. Received dictionary with input "
			"fields: [%s]. IMPORTANT: The MLflow Model scoring "
			"protocol has changed in MLflow version 2.0. If you "
			"are seeing this error, you are likely using an "
			"outdated scoring request format.", formats_msg,
			fields.ptr);
		goto done;
	}
	if (!strcmp(which, "dataframe_split")) {
		*ok = from_split(sm, input, rows, resp) == 0;
	} else if (!strcmp(which, "dataframe_records")) {
		if (!cJSON_IsArray(input))
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Dataframe records format must be a list of "
				"records. Got %s.", cJSON_IsObject(input) ?
				"dictionary" : "another type");
		else
			*ok = from_records(sm, input, rows, resp) == 0;
	} else {
		struct numtext nt = NUMTEXT_INIT(doc, req->body,
			(size_t)(end - req->body));

		*ok = from_tensor(sm, input, !strcmp(which, "instances"),
			&nt, rows, resp) == 0;
		free(nt.lits);
	}
done:
	mmp_buf_dispose(&fields);
	cJSON_Delete((cJSON *)doc);
}

/*
 * CSV (RFC 4180): a header line naming the columns, then one line per
 * row; fields may be quoted with "" for a quote inside. Fields are
 * collected into one arena; `starts` holds their offsets and `rowend`
 * the field count at the end of each line.
 */
struct csv {
	mmp_buf arena;
	size_t *starts, nfields, alloc;
	size_t *rowend, nrows, ralloc;
};

static void csv_field(struct csv *c)
{
	mmp_buf_putc(&c->arena, '\0');
	MMP_ALLOC_GROW(c->starts, c->nfields + 1, c->alloc);
	c->starts[c->nfields++] = c->arena.size;
}

static int csv_parse(struct csv *c, const char *p, size_t len, mmp_buf *err)
{
	const char *end = p + len;
	size_t line = 1;

	MMP_ALLOC_GROW(c->starts, 1, c->alloc);
	c->starts[c->nfields++] = 0;
	while (p < end) {
		size_t start = line;
		int quoted = 0;

		if (*p == '"') {
			quoted = 1;
			p++;
			for (;;) {
				if (p >= end) {
					mmp_buf_printf(err, "CSV line %zu has "
						"an unterminated quote.", start);
					return -1;
				}
				if (*p == '"' && p + 1 < end && p[1] == '"') {
					mmp_buf_putc(&c->arena, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					if (*p == '\n')
						line++;
					mmp_buf_putc(&c->arena, *p++);
				}
			}
		}
		while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
			if (quoted) {
				mmp_buf_printf(err, "CSV line %zu has text "
					"after a closing quote.", line);
				return -1;
			}
			mmp_buf_putc(&c->arena, *p++);
		}
		if (p < end && *p == ',') {
			p++;
			csv_field(c);
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		csv_field(c);
		MMP_ALLOC_GROW(c->rowend, c->nrows + 1, c->ralloc);
		c->rowend[c->nrows++] = c->nfields - 1;
		line++;
	}
	return 0;
}

/* pandas' default missing-value spellings (read_csv na_values) */
static int csv_na(const char *t)
{
	static const char *const na[] = { "", "#N/A", "#N/A N/A", "#NA",
		"-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
		"<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(na); i++)
		if (!strcmp(t, na[i]))
			return 1;
	return 0;
}

/* pandas' booleans in a numeric column: 1, 0, or -1 for neither */
static int csv_bool(const char *t)
{
	if (!strcmp(t, "True") || !strcmp(t, "TRUE") || !strcmp(t, "true"))
		return 1;
	if (!strcmp(t, "False") || !strcmp(t, "FALSE") ||
	    !strcmp(t, "false"))
		return 0;
	return -1;
}

/*
 * One CSV cell of feature `f` (input column `col`) as read_csv reads it
 * with the signature's dtype: 0, or -1 with pandas' words in `why`.
 */
static int cast_cell(const struct serve_model *sm, size_t f, size_t col,
	const char *t, float *out, struct why *why)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	int lng = feat->type == MMP_COLUMN_LONG, b;
	mmp_buf quoted = MMP_BUF_INIT;
	double d;

	*out = NAN;
	if (feat->kind == MMP_FEATURE_CATEGORICAL) {
		if (!csv_na(t))
			mmp_serve__category(sm, f, t, out);
		return 0;
	}
	if (csv_na(t)) {
		if (!lng)
			return 0;
		why_set(why, "ValueError", "Integer column has NA values in "
			"column %zu", col);
		return -1;
	}
	if ((b = csv_bool(t)) >= 0) {
		*out = (float)b;
		return 0;
	}
	if (strchr(t, '_') || py_float(t, &d) < 0) {
		py_repr(&quoted, t);
		if (lng)
			why_set(why, "ValueError", "invalid literal for int() "
				"with base 10: %s", quoted.ptr);
		else
			why_set(why, "ValueError", "could not convert string "
				"to float: %s", quoted.ptr);
		mmp_buf_dispose(&quoted);
		return -1;
	}
	if (lng && d != floor(d)) {
		why_set(why, "ValueError", "cannot safely convert passed user "
			"dtype of int64 for float64 dtyped data in column %zu",
			col);
		return -1;
	}
	if (isnan(d))
		return 0;
	if (!mmp_number_in_range(d)) {
		mmp_buf_clear(&why->text);
		mmp_buf_put_json_string(&why->text, t);
		why->range = 1;
		return -1;
	}
	*out = (float)d;
	return 0;
}

/* a CSV body: header line, then rows, read as pandas' read_csv does
 * with the signature's types (blank lines skipped) */
static int from_csv(const struct serve_model *sm, const char *text,
	size_t len, struct serve_rows *rows, struct serve_response *resp)
{
	struct csv c = { MMP_BUF_INIT, NULL, 0, 0, NULL, 0, 0 };
	struct why why = { NULL, MMP_BUF_INIT, 0 };
	struct columns cols;
	mmp_buf err = MMP_BUF_INIT;
	size_t *keep = NULL, f, r, i, ncols, n = 0;
	int error = -1;

	columns_init(&cols, sm);
	if (csv_parse(&c, text, len, &err) < 0) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. %s",
			err.ptr);
		goto done;
	}
	/* the lines that are not blank */
	keep = mmp__reallocarray(NULL, c.nrows + 1, sizeof(size_t));
	for (r = 0; r < c.nrows; r++) {
		size_t first = r ? c.rowend[r - 1] : 0;

		if (c.rowend[r] - first == 1 &&
		    !c.arena.ptr[c.starts[first]])
			continue;
		keep[n++] = r;
	}
	if (!n) {
		mlflow_error(resp, "BAD_REQUEST", "Failed to parse input as a "
			"Pandas DataFrame. Ensure that the input is a valid "
			"CSV-formatted Pandas DataFrame produced using the "
			"`pandas.DataFrame.to_csv()` method. Error: 'No "
			"columns to parse from file'");
		goto done;
	}
	ncols = c.rowend[keep[0]] - (keep[0] ? c.rowend[keep[0] - 1] : 0);
	for (i = 0; i < ncols; i++)
		columns_add(&cols, sm, c.arena.ptr + c.starts[(keep[0] ?
			c.rowend[keep[0] - 1] : 0) + i], (long)i);
	for (r = 1; r < n; r++) {
		size_t first = c.rowend[keep[r] - 1];

		if (c.rowend[keep[r]] - first != ncols) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. CSV "
				"line %zu has %zu fields, the header has %zu.",
				keep[r] + 1, c.rowend[keep[r]] - first, ncols);
			goto done;
		}
	}
	alloc_rows(rows, sm, n - 1);
	/* read_csv converts column by column, in the file's order */
	for (i = 0; i < ncols; i++) {
		for (f = 0; f < sm->nfeatures; f++)
			if (cols.of[f] == (long)i)
				break;
		if (f == sm->nfeatures)
			continue;
		for (r = 1; r < n; r++) {
			const char *cell = c.arena.ptr +
				c.starts[c.rowend[keep[r] - 1] + i];

			if (cast_cell(sm, f, i, cell,
			    &rows->x[(r - 1) * sm->nfeatures + f], &why) < 0)
				goto fail;
		}
	}
	error = columns_missing(&cols, sm, resp);
	goto done;
fail:
	if (why.range)
		cast_error(resp, sm, f, CAST_NUMPY, &why);
	else
		mlflow_error(resp, "BAD_REQUEST", "Failed to parse input as a "
			"Pandas DataFrame. Ensure that the input is a valid "
			"CSV-formatted Pandas DataFrame produced using the "
			"`pandas.DataFrame.to_csv()` method. Error: '%s'",
			why.text.ptr);
done:
	free(cols.of);
	free(keep);
	mmp_buf_dispose(&c.arena);
	free(c.starts);
	free(c.rowend);
	mmp_buf_dispose(&err);
	mmp_buf_dispose(&why.text);
	return error;
}

static void text_answer(struct serve_response *resp, int status)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	mmp_buf_clear(&resp->body);
}

/*
 * The parameters of the content type, as the scoring server reads them:
 * a charset other than utf-8, or any other parameter, is a 415. Returns
 * 0 when they pass.
 */
static int ctype_params(const char *ct, struct serve_response *resp)
{
	mmp_buf other = MMP_BUF_INIT;
	const char *p = ct ? strchr(ct, ';') : NULL;
	int bad_charset = 0;

	while (p) {
		const char *start = p + 1 + strspn(p + 1, " \t"), *eq, *end;
		size_t klen;

		p = strchr(start, ';');
		end = p ? p : start + strlen(start);
		eq = memchr(start, '=', (size_t)(end - start));
		klen = (size_t)((eq ? eq : end) - start);
		while (klen && (start[klen - 1] == ' ' ||
		    start[klen - 1] == '\t'))
			klen--;
		if (klen == 7 && !strncmp(start, "charset", 7)) {
			const char *v = eq ? eq + 1 : end;
			size_t vlen = (size_t)(end - v);

			v += strspn(v, " \t");
			vlen = (size_t)(end - v);
			while (vlen && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			if (vlen != 5 || strncasecmp(v, "utf-8", 5))
				bad_charset = 1;
		} else {
			mmp_buf tmp = MMP_BUF_INIT;

			mmp_buf_put(&tmp, start, klen);
			if (other.size)
				mmp_buf_puts(&other, ", ");
			mmp_serve__utf8(&other, tmp.ptr, 64);
			mmp_buf_dispose(&tmp);
		}
	}
	if (bad_charset) {
		text_answer(resp, 415);
		mmp_buf_puts(&resp->body, "The scoring server only supports "
			"UTF-8");
	} else if (other.size) {
		text_answer(resp, 415);
		mmp_buf_printf(&resp->body, "Unrecognized content type "
			"parameters: %s. IMPORTANT: The MLflow Model scoring "
			"protocol has changed in MLflow version 2.0.",
			other.ptr);
	}
	bad_charset |= other.size > 0;
	mmp_buf_dispose(&other);
	return bad_charset ? -1 : 0;
}

void mmp_serve__invocations(mmp_server *s, const struct serve_model *sm,
	const struct serve_request *req, struct serve_response *resp)
{
	struct serve_rows rows = SERVE_ROWS_INIT;
	int ok = 0;

	if ((ctype_is(req->content_type, "application/json") ||
	    ctype_is(req->content_type, "text/csv")) &&
	    ctype_params(req->content_type, resp) < 0) {
		/* answered */
	} else if (ctype_is(req->content_type, "application/json")) {
		invocations_json(sm, req, &rows, resp, &ok);
	} else if (ctype_is(req->content_type, "text/csv")) {
		ok = from_csv(sm, req->body, req->len, &rows, resp) == 0;
	} else {
		resp->status = 415;
		resp->content_type = "text/plain; charset=utf-8";
		mmp_buf_puts(&resp->body, "This predictor only supports the "
			"following content types: Types: ['text/csv', "
			"'application/json']. Got '");
		mmp_serve__utf8(&resp->body, req->content_type ?
			req->content_type : "None", 0);
		mmp_buf_puts(&resp->body, "'.");
	}
	if (ok)
		respond(sm, &rows, resp);
	else if (rows.nrows)
		atomic_fetch_add_explicit(&s->metrics.rows_rejected,
			rows.nrows, memory_order_relaxed);
	mmp_serve__rows_release(&rows);
}

