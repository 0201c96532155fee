/* SPDX-License-Identifier: MIT */
/* mlflow.c: POST /invocations, MLflow's scoring protocol (JSON and CSV) */
#include <stdio.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	return "null";
}

/* "['a', 'b']" of the features flagged in `missing` */
static void missing_inputs(struct serve_response *resp,
	const struct serve_model *sm, const unsigned char *missing)
{
	mmp_buf list = MMP_BUF_INIT;
	size_t f;

	for (f = 0; f < sm->nfeatures; f++) {
		if (!missing[f])
			continue;
		mmp_buf_printf(&list, "%s'%s'", list.size ? ", " : "",
			sm->schema->features[f].name);
	}
	mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to predict "
		"data: Model is missing inputs [%s].", list.ptr);
	mmp_buf_dispose(&list);
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

/* a list of objects; a field absent from every row is a missing input */
static int from_records(const struct serve_model *sm, const cJSON *list,
	struct serve_rows *rows, struct serve_response *resp)
{
	unsigned char *missing = mmp__malloc(sm->nfeatures + 1);
	const cJSON *rec;
	size_t f, i = 0, nmissing = 0;
	int error = -1;

	cJSON_ArrayForEach(rec, list) {
		if (!cJSON_IsObject(rec)) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Record %zu is a %s, expected a JSON object of "
				"column values.", i, type_word(rec));
			goto done;
		}
		i++;
	}
	alloc_rows(rows, sm, i);
	for (f = 0; f < sm->nfeatures; f++) {
		const char *name = sm->schema->features[f].name;

		missing[f] = 1;
		i = 0;
		cJSON_ArrayForEach(rec, list) {
			const cJSON *v =
				cJSON_GetObjectItemCaseSensitive(rec, name);

			if (v) {
				missing[f] = 0;
				mmp_serve__decode_json(sm, f, v, (long)i,
					&rows->x[i * sm->nfeatures + f],
					&rows->problems);
			}
			i++;
		}
		nmissing += missing[f];
	}
	if (nmissing && rows->nrows) {
		missing_inputs(resp, sm, missing);
		goto done;
	}
	error = 0;
done:
	free(missing);
	return error;
}

/* {"columns": [...], "data": [[...], ...]} (an "index" is ignored) */
static int from_split(const struct serve_model *sm, const cJSON *split,
	struct serve_rows *rows, struct serve_response *resp)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(split, "columns");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(split, "data");
	unsigned char *missing = mmp__calloc(sm->nfeatures + 1, 1);
	long *colof = mmp__malloc((sm->nfeatures + 1) * sizeof(long));
	const cJSON *c, *row, *v;
	size_t f, i, ncols = 0, nmissing = 0;
	int error = -1;

	if (!cJSON_IsObject(split) || !cJSON_IsArray(cols) ||
	    !cJSON_IsArray(data)) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
			"'dataframe_split' must be an object with a "
			"'columns' list and a 'data' list of rows.");
		goto done;
	}
	for (f = 0; f < sm->nfeatures; f++)
		colof[f] = -1;
	cJSON_ArrayForEach(c, cols) {
		const struct field_slot *slot;

		if (!cJSON_IsString(c)) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Column %zu of 'dataframe_split' is a %s, "
				"expected a name.", ncols, type_word(c));
			goto done;
		}
		slot = mmp_serve__lookup(sm, c->valuestring);
		if (slot && slot->kind == FIELD_FEATURE &&
		    colof[slot->index] < 0)
			colof[slot->index] = (long)ncols;
		ncols++;
	}
	for (f = 0; f < sm->nfeatures; f++)
		nmissing += missing[f] = colof[f] < 0;
	if (nmissing) {
		missing_inputs(resp, sm, missing);
		goto done;
	}
	alloc_rows(rows, sm, (size_t)cJSON_GetArraySize(data));
	i = 0;
	cJSON_ArrayForEach(row, data) {
		if (!cJSON_IsArray(row) ||
		    (size_t)cJSON_GetArraySize(row) != ncols) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Row %zu of 'dataframe_split.data' has %d "
				"values, expected %zu (one per column).", i,
				cJSON_IsArray(row) ? cJSON_GetArraySize(row)
				: 1, ncols);
			goto done;
		}
		for (f = 0; f < sm->nfeatures; f++) {
			v = cJSON_GetArrayItem(row, (int)colof[f]);
			mmp_serve__decode_json(sm, f, v, (long)i,
				&rows->x[i * sm->nfeatures + f],
				&rows->problems);
		}
		i++;
	}
	error = 0;
done:
	free(missing);
	free(colof);
	return error;
}

/* {"a": [1, 2], "b": [3, 4]} or {"a": 1, "b": 3}: one list per column */
static int from_columns(const struct serve_model *sm, const cJSON *obj,
	struct serve_rows *rows, struct serve_response *resp)
{
	unsigned char *missing = mmp__calloc(sm->nfeatures + 1, 1);
	const cJSON *v, *cell;
	size_t f, i, nmissing = 0;
	long n = -1;
	int error = -1;

	for (f = 0; f < sm->nfeatures; f++) {
		long len;

		v = cJSON_GetObjectItemCaseSensitive(obj,
			sm->schema->features[f].name);
		if (!v) {
			nmissing += missing[f] = 1;
			continue;
		}
		len = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -2;
		if (n == -1) {
			n = len;
		} else if (n != len) {
			mlflow_error(resp, "BAD_REQUEST", "Invalid input. "
				"Column '%s' has %s than the others: every "
				"column needs the same number of values.",
				sm->schema->features[f].name,
				len < n ? "fewer values" : "more values");
			goto done;
		}
	}
	if (nmissing) {
		missing_inputs(resp, sm, missing);
		goto done;
	}
	alloc_rows(rows, sm, n < 0 ? 1 : (size_t)n);
	for (f = 0; f < sm->nfeatures; f++) {
		v = cJSON_GetObjectItemCaseSensitive(obj,
			sm->schema->features[f].name);
		if (n < 0) {
			mmp_serve__decode_json(sm, f, v, 0, &rows->x[f],
				&rows->problems);
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(cell, v) {
			mmp_serve__decode_json(sm, f, cell, (long)i,
				&rows->x[i * sm->nfeatures + f],
				&rows->problems);
			i++;
		}
	}
	error = 0;
done:
	free(missing);
	return error;
}

/* "instances" and "inputs": records, a column dict or a positional list */
static int from_tensor(const struct serve_model *sm, const cJSON *v,
	struct serve_rows *rows, struct serve_response *resp)
{
	unsigned char *all;
	const cJSON *first;

	if (cJSON_IsObject(v))
		return from_columns(sm, v, rows, resp);
	if (!cJSON_IsArray(v)) {
		mlflow_error(resp, "BAD_REQUEST", "Invalid input. Expected "
			"a list of records or a dictionary of columns, got "
			"a %s.", type_word(v));
		return -1;
	}
	first = cJSON_GetArrayItem(v, 0);
	if (!first || cJSON_IsObject(first))
		return from_records(sm, v, rows, resp);
	all = mmp__malloc(sm->nfeatures + 1);
	memset(all, 1, sm->nfeatures + 1);
	missing_inputs(resp, sm, all);
	free(all);
	return -1;
}

static void respond(mmp_server *s, const struct serve_model *sm,
	struct serve_rows *rows, struct serve_response *resp)
{
	struct serve_live *live;
	float *y;
	size_t i, k;
	char num[32];

	if (rows->problems.count) {
		atomic_fetch_add_explicit(&s->metrics.rows_rejected,
			rows->nrows, memory_order_relaxed);
		mlflow_error(resp, "INVALID_PARAMETER_VALUE", "Failed to "
			"enforce schema of data: %s%s", rows->problems.text.ptr,
			rows->problems.count > SERVE_PROBLEMS_MAX ?
			" (and more)" : "");
		return;
	}
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
	live = atomic_load_explicit(&s->live, memory_order_acquire);
	if (live)
		mmp_serve__live_add(live, rows->x, rows->nrows, y,
			rows->entities);
	mmp_buf_grow(&resp->body, 32 + rows->nrows * 16 * sm->noutputs);
	mmp_buf_puts(&resp->body, "{\"predictions\": [");
	for (i = 0; i < rows->nrows; i++) {
		if (i)
			mmp_buf_puts(&resp->body, ", ");
		if (sm->task == MMP_TASK_MULTICLASS)
			mmp_buf_putc(&resp->body, '[');
		for (k = 0; k < sm->noutputs; k++) {
			float v = y[i * sm->noutputs + k];

			mmp_fmt_float(num, v);
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
	int bad = 0;

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
	cJSON_ArrayForEach(it, doc) {
		int known = !strcmp(it->string, "params");

		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			if (strcmp(it->string, keys[k]))
				continue;
			known = 1;
			nformats++;
			input = it;
			which = keys[k];
		}
		if (!known)
			bad = 1;
		mmp_buf_printf(&fields, "%s'%s'", fields.size ? ", " : "",
			it->string);
	}
	if (nformats != 1 || bad) {
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
				"'dataframe_records' must be a list of "
				"records, got a %s.", type_word(input));
		else
			*ok = from_records(sm, input, rows, resp) == 0;
	} else {
		*ok = from_tensor(sm, input, rows, resp) == 0;
	}
done:
	mmp_buf_dispose(&fields);
	cJSON_Delete((cJSON *)doc);
}

void mmp_serve__invocations(mmp_server *s, const struct serve_model *sm,
	const struct serve_request *req, struct serve_response *resp)
{
	struct serve_rows rows = SERVE_ROWS_INIT;
	mmp_buf err = MMP_BUF_INIT;
	int ok = 0;

	if (ctype_is(req->content_type, "application/json")) {
		invocations_json(sm, req, &rows, resp, &ok);
	} else if (ctype_is(req->content_type, "text/csv")) {
		if (mmp_serve__decode_csv(sm, req->body, req->len, &rows,
		    &err) < 0) {
			if (!strncmp(err.ptr, "Model is missing", 16))
				mlflow_error(resp, "INVALID_PARAMETER_VALUE",
					"Failed to predict data: %s", err.ptr);
			else
				mlflow_error(resp, "BAD_REQUEST", "Invalid "
					"input. %s", err.ptr);
		} else {
			ok = 1;
		}
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
		respond(s, sm, &rows, resp);
	mmp_buf_dispose(&err);
	mmp_serve__rows_release(&rows);
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

int mmp_serve__decode_csv(const struct serve_model *sm, const char *text,
	size_t len, struct serve_rows *rows, mmp_buf *err)
{
	struct csv c = { MMP_BUF_INIT, NULL, 0, 0, NULL, 0, 0 };
	long *colof = mmp__malloc((sm->nfeatures + 1) * sizeof(long));
	size_t f, r, i, ncols, nmissing = 0;
	int error = -1;

	if (csv_parse(&c, text, len, err) < 0)
		goto done;
	if (!c.nrows) {
		mmp_buf_puts(err, "The CSV body is empty: it needs a header "
			"line naming the columns.");
		goto done;
	}
	ncols = c.rowend[0];
	for (f = 0; f < sm->nfeatures; f++)
		colof[f] = -1;
	for (i = 0; i < ncols; i++) {
		const struct field_slot *slot =
			mmp_serve__lookup(sm, c.arena.ptr + c.starts[i]);

		if (slot && slot->kind == FIELD_FEATURE &&
		    colof[slot->index] < 0)
			colof[slot->index] = (long)i;
	}
	for (f = 0; f < sm->nfeatures; f++) {
		if (colof[f] >= 0)
			continue;
		mmp_buf_printf(err, "%s'%s'", nmissing++ ? ", " :
			"Model is missing inputs [",
			sm->schema->features[f].name);
	}
	if (nmissing) {
		mmp_buf_puts(err, "].");
		goto done;
	}
	alloc_rows(rows, sm, c.nrows - 1);
	for (r = 1; r < c.nrows; r++) {
		size_t first = c.rowend[r - 1], n = c.rowend[r] - first;

		if (n != ncols) {
			mmp_buf_printf(err, "CSV line %zu has %zu fields, the "
				"header has %zu.", r + 1, n, ncols);
			goto done;
		}
		for (f = 0; f < sm->nfeatures; f++)
			mmp_serve__decode_text(sm, f, c.arena.ptr +
				c.starts[first + (size_t)colof[f]],
				(long)(r - 1),
				&rows->x[(r - 1) * sm->nfeatures + f],
				&rows->problems);
	}
	error = 0;
done:
	mmp_buf_dispose(&c.arena);
	free(c.starts);
	free(c.rowend);
	free(colof);
	return error;
}
