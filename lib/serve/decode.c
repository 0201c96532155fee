/* SPDX-License-Identifier: MIT */
/* decode.c: request values into model rows, with every problem listed */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/data.h"
#include "serve-internal.h"

/* a value past what a model reads (a JSON 1e999, a CSV "inf") */
static void out_of_range(const struct serve_model *sm, size_t f,
	const char *shown, long row, struct serve_problems *p)
{
	mmp_serve__problem(p, row, sm->schema->features[f].name,
		"%s is out of range (a number is at most %.9g in magnitude)",
		shown, MMP_NUMBER_MAX);
}

void mmp_serve__problem(struct serve_problems *p, long row,
	const char *field, const char *fmt, ...)
{
	mmp_buf msg = MMP_BUF_INIT, name = MMP_BUF_INIT, raw = MMP_BUF_INIT;
	va_list ap;

	p->count++;
	if (p->count > SERVE_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	mmp_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	/* both may quote what the client sent: valid UTF-8 only, and at
	 * most 64 bytes of a field name the client made up */
	mmp_serve__utf8(&msg, raw.ptr, 0);
	if (mmp_serve__utf8(&name, field, 64))
		mmp_buf_puts(&name, "...");
	field = name.ptr;
	if (p->json.size)
		mmp_buf_putc(&p->json, ',');
	mmp_buf_putc(&p->json, '{');
	if (row >= 0)
		mmp_buf_printf(&p->json, "\"row\":%ld,", row);
	mmp_buf_puts(&p->json, "\"field\":");
	mmp_buf_put_json_string(&p->json, field);
	mmp_buf_puts(&p->json, ",\"problem\":");
	mmp_buf_put_json_string(&p->json, msg.ptr);
	mmp_buf_putc(&p->json, '}');
	if (p->text.size)
		mmp_buf_puts(&p->text, "; ");
	if (row >= 0)
		mmp_buf_printf(&p->text, "row %ld ", row);
	mmp_buf_printf(&p->text, "'%s': %s", field, msg.ptr);
	mmp_buf_dispose(&msg);
	mmp_buf_dispose(&name);
	mmp_buf_dispose(&raw);
}

/* a short, quoted rendering of a JSON value for a problem message */
static void describe(mmp_buf *out, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		/* at most 40 bytes, whole characters */
		if (mmp_serve__put_text(out, v->valuestring, 40))
			mmp_buf_puts(out, "...");
	} else if (cJSON_IsBool(v)) {
		mmp_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsArray(v)) {
		mmp_buf_puts(out, "an array");
	} else if (cJSON_IsObject(v)) {
		mmp_buf_puts(out, "an object");
	} else if (cJSON_IsNumber(v)) {
		char num[32];

		mmp_fmt_double(num, v->valuedouble);
		mmp_buf_puts(out, num);
	} else {
		mmp_buf_puts(out, "null");
	}
}

int mmp_serve__category(const struct serve_model *sm, size_t f,
	const char *value, float *out)
{
	size_t lo = 0, hi = sm->schema->features[f].ncategories;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(value, sm->cats[f][mid].value);

		if (!c) {
			*out = sm->cats[f][mid].code;
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/*
 * A value the model has no category for: a problem, and for the live
 * profiles (the request is refused, but the data did arrive) the cell
 * is marked unseen and the value kept among the request's first
 * distinct ones.
 */
static void unknown_category(const struct serve_model *sm, size_t f,
	const char *value, const char *shown, long row, float *out,
	struct serve_problems *p)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	mmp_buf known = MMP_BUF_INIT;
	struct serve_unseen *u;
	size_t i, n;

	*out = MMP_PROFILE_UNSEEN_CODE;
	p->unseen++;
	/* at most MMP_PROFILE_UNSEEN_LEN bytes, whole characters */
	n = strlen(value);
	if (n > MMP_PROFILE_UNSEEN_LEN) {
		n = MMP_PROFILE_UNSEEN_LEN;
		while (n && ((unsigned char)value[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < p->nunseen_values; i++) {
		u = &p->unseen_values[i];
		if (u->feature == f && strlen(u->value) == n &&
		    !memcmp(u->value, value, n)) {
			u->count++;
			break;
		}
	}
	if (i == p->nunseen_values && i < SERVE_UNSEEN_MAX) {
		u = &p->unseen_values[p->nunseen_values++];
		u->feature = f;
		u->count = 1;
		memcpy(u->value, value, n);
		u->value[n] = '\0';
	}
	for (i = 0; i < feat->ncategories && i < 10; i++) {
		if (i)
			mmp_buf_puts(&known, ", ");
		mmp_buf_put_json_string(&known, feat->categories[i]);
	}
	if (feat->ncategories > 10)
		mmp_buf_printf(&known, " and %zu more",
			feat->ncategories - 10);
	mmp_serve__problem(p, row, feat->name,
		"unknown category %s (known: %s)", shown, known.ptr);
	mmp_buf_dispose(&known);
}

void mmp_serve__decode_json(const struct serve_model *sm, size_t f,
	const cJSON *v, long row, float *out, struct serve_problems *p)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	mmp_buf shown = MMP_BUF_INIT;

	*out = NAN;
	if (!v || cJSON_IsNull(v))
		return;
	if (feat->kind == MMP_FEATURE_CATEGORICAL) {
		char num[32];
		const char *s = NULL;

		if (cJSON_IsString(v)) {
			s = v->valuestring;
		} else if (cJSON_IsNumber(v)) {
			mmp_fmt_double(num, v->valuedouble);
			s = num;
		}
		if (s && mmp_serve__category(sm, f, s, out))
			return;
		describe(&shown, v);
		if (s)
			unknown_category(sm, f, s, shown.ptr, row, out, p);
		else
			mmp_serve__problem(p, row, feat->name,
				"expected a category (a string), got %s",
				shown.ptr);
		mmp_buf_dispose(&shown);
		return;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!mmp_number_in_range(d)) {
			describe(&shown, v);
			out_of_range(sm, f, shown.ptr, row, p);
			mmp_buf_dispose(&shown);
			return;
		}
		if (feat->type == MMP_COLUMN_LONG && d != floor(d)) {
			describe(&shown, v);
			mmp_serve__problem(p, row, feat->name,
				"expected an integer, got %s", shown.ptr);
			mmp_buf_dispose(&shown);
			return;
		}
		*out = (float)d;
		return;
	}
	describe(&shown, v);
	mmp_serve__problem(p, row, feat->name, "expected %s, got %s",
		feat->type == MMP_COLUMN_LONG ? "an integer" : "a number",
		shown.ptr);
	mmp_buf_dispose(&shown);
}

void mmp_serve__decode_text(const struct serve_model *sm, size_t f,
	const char *text, long row, float *out, struct serve_problems *p)
{
	const mmp_model_feature *feat = &sm->schema->features[f];
	mmp_buf shown = MMP_BUF_INIT;
	double d;

	*out = NAN;
	if (!*text)
		return;
	if (feat->kind == MMP_FEATURE_CATEGORICAL) {
		if (mmp_serve__category(sm, f, text, out))
			return;
		if (mmp_serve__put_text(&shown, text, 40))
			mmp_buf_puts(&shown, "...");
		unknown_category(sm, f, text, shown.ptr, row, out, p);
		mmp_buf_dispose(&shown);
		return;
	}
	if (!strcmp(text, "NaN") || !strcmp(text, "nan") ||
	    !strcmp(text, "NA"))
		return;
	/* strtod's reading, and past it the exact one, which takes 1e999
	 * as the infinity it rounds to */
	if (mmp_parse_double(text, &d) == 0 ||
	    mmp_parse_number(&d, text, strlen(text)) == 0) {
		if (mmp_number_in_range(d) &&
		    (feat->type != MMP_COLUMN_LONG || d == floor(d))) {
			*out = (float)d;
			return;
		}
	}
	mmp_error_clear();
	if (mmp_serve__put_text(&shown, text, 40))
		mmp_buf_puts(&shown, "...");
	if (mmp_parse_number(&d, text, strlen(text)) == 0 &&
	    !isnan(d) && !mmp_number_in_range(d)) {
		out_of_range(sm, f, shown.ptr, row, p);
		mmp_buf_dispose(&shown);
		return;
	}
	mmp_serve__problem(p, row, feat->name, "expected %s, got %s",
		feat->type == MMP_COLUMN_LONG ? "an integer" : "a number",
		shown.ptr);
	mmp_buf_dispose(&shown);
}

void mmp_serve__rows_release(struct serve_rows *r)
{
	free(r->x);
	free(r->entities);
	mmp_buf_dispose(&r->problems.json);
	mmp_buf_dispose(&r->problems.text);
	memset(r, 0, sizeof(*r));
}

static void decode_record(const struct serve_model *sm, const cJSON *rec,
	long row, float *x, const cJSON **ents, unsigned char *seen,
	struct serve_problems *p)
{
	const mmp_model_schema *sc = sm->schema;
	const cJSON *it;
	size_t f;

	memset(seen, 0, sm->nfeatures + sc->nentities);
	cJSON_ArrayForEach(it, rec) {
		const struct field_slot *slot;
		const char *best;

		slot = mmp_serve__lookup(sm, it->string);
		if (!slot) {
			/* a suggestion costs an edit distance per schema
			 * name: only for problems still listed, and names
			 * of a sensible length */
			best = p->count < SERVE_PROBLEMS_MAX &&
				strlen(it->string) <= 256 ?
				mmp_str_closest(it->string, sm->names,
				sm->nnames) : NULL;
			if (best)
				mmp_serve__problem(p, row, it->string,
					"unknown field (did you mean '%s'?)",
					best);
			else
				mmp_serve__problem(p, row, it->string,
					"unknown field");
			continue;
		}
		if (slot->kind == FIELD_TARGET) {
			mmp_serve__problem(p, row, it->string,
				"the target column is predicted, not sent");
			continue;
		}
		if (slot->kind == FIELD_ENTITY) {
			if (seen[sm->nfeatures + slot->index]++)
				mmp_serve__problem(p, row, it->string,
					"duplicate field");
			if (ents)
				ents[slot->index] = it;
			continue;
		}
		if (seen[slot->index]++) {
			mmp_serve__problem(p, row, it->string,
				"duplicate field");
			continue;
		}
		mmp_serve__decode_json(sm, slot->index, it, row,
			&x[slot->index], p);
	}
	for (f = 0; f < sm->nfeatures; f++)
		if (!seen[f])
			mmp_serve__problem(p, row, sc->features[f].name,
				"missing (send null for a missing value)");
}

void mmp_serve__decode_records(const struct serve_model *sm,
	const cJSON *records, struct serve_rows *rows)
{
	size_t nent = sm->schema->nentities, n, i;
	unsigned char *seen;
	const cJSON *rec;
	int single = cJSON_IsObject(records);

	n = single ? 1 : (size_t)cJSON_GetArraySize(records);
	rows->nrows = n;
	rows->x = mmp__reallocarray(NULL, n ? n * sm->nfeatures : 1,
		sizeof(float));
	rows->entities = nent ? mmp__calloc(n * nent, sizeof(cJSON *)) : NULL;
	seen = mmp__malloc(sm->nfeatures + nent + 1);
	i = 0;
	if (single) {
		decode_record(sm, records, -1, rows->x, rows->entities, seen,
			&rows->problems);
	} else {
		cJSON_ArrayForEach(rec, records) {
			if (!cJSON_IsObject(rec)) {
				mmp_buf shown = MMP_BUF_INIT;

				describe(&shown, rec);
				mmp_serve__problem(&rows->problems, (long)i, "",
					"expected an object of fields, got %s",
					shown.ptr);
				mmp_buf_dispose(&shown);
			} else {
				decode_record(sm, rec, (long)i,
					rows->x + i * sm->nfeatures,
					nent ? rows->entities + i * nent : NULL,
					seen, &rows->problems);
			}
			i++;
		}
	}
	free(seen);
}
