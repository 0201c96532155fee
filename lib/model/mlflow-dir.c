/* SPDX-License-Identifier: MIT */
/*
 * mlflow-dir.c: a model directory written by MLflow's Python xgboost
 * flavor (mlflow.xgboost.log_model / save_model): an MLmodel naming the
 * booster file (model.xgb, model.json or model.ubj) and, when the model
 * was logged with one, a signature. mmp serves it like its own: the
 * schema comes from the signature's columns and types, else from the
 * feature names kept in the booster, else from a schema the caller
 * gives.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "xgb-internal.h"

#define MLMODEL_MAX ((size_t)1 << 20)
#define MODEL_MAX ((size_t)4 << 30)

/* "xgboost, python_function" for messages */
static void flavor_list(mmp_buf *out, const cJSON *flavors)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, flavors)
		mmp_buf_printf(out, "%s%s", out->size ? ", " : "", f->string);
	if (!out->size)
		mmp_buf_puts(out, "none");
}

/* the data file of the xgboost flavor, checked to stay in `dir` */
static int booster_file(mmp_buf *out, const char *dir, const char *origin,
	const cJSON *ml)
{
	const cJSON *flavors = cJSON_GetObjectItemCaseSensitive(ml, "flavors");
	const cJSON *xgb = cJSON_GetObjectItemCaseSensitive(flavors,
		"xgboost");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(xgb, "data");
	mmp_buf names = MMP_BUF_INIT;
	const char *d;
	int err;

	if (!cJSON_IsObject(xgb)) {
		flavor_list(&names, flavors);
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: flavors %s: mmp serves the xgboost flavor only "
			"(a booster saved by mlflow.xgboost)", origin,
			names.ptr);
		mmp_buf_dispose(&names);
		return err;
	}
	if (!cJSON_IsString(data) || !*(d = data->valuestring))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: the xgboost flavor names no data file", origin);
	if (d[0] == '/' || strstr(d, "..") || strchr(d, '\\'))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: the xgboost data file '%s' is not inside the "
			"model directory", origin, d);
	mmp_path_join(out, dir, d);
	if (!mmp_path_exists(out->ptr))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
			"%s: the xgboost flavor's data file '%s' does not "
			"exist", origin, out->ptr);
	return 0;
}

/* an MLflow column type as mmp's; MMP_EINVALID for what it cannot take */
static int column_type(mmp_column_type *out, const char *type,
	size_t at, const char *name, const char *origin)
{
	static const char *const dbl[] = { "double", "float", "boolean" };
	static const char *const lng[] = { "long", "integer" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dbl); i++)
		if (!strcmp(type, dbl[i])) {
			*out = MMP_COLUMN_DOUBLE;
			return 0;
		}
	for (i = 0; i < ARRAY_SIZE(lng); i++)
		if (!strcmp(type, lng[i])) {
			*out = MMP_COLUMN_LONG;
			return 0;
		}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
		"%s: input %zu ('%s'): type '%s': mmp serves numeric inputs "
		"(double, float, long, integer, boolean) only", origin, at,
		name, type);
}

/* the schema from parsed MLflow column specs: [{"type", "name"}, ...] */
static int schema_from_colspec(mmp_model_schema *s, const cJSON *cols,
	const char *origin)
{
	const cJSON *c;
	mmp_column_type t = MMP_COLUMN_DOUBLE;
	size_t at = 1;
	int err;

	if (!cJSON_IsArray(cols) || !cJSON_GetArraySize(cols))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: the inputs are not a JSON list of columns",
			origin);
	cJSON_ArrayForEach(c, cols) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
		if (!cJSON_IsObject(c))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"%s: input %zu is not an object with \"type\" "
				"and \"name\"", origin, at);
		if (!cJSON_IsString(type))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"%s: input %zu: field \"type\" is missing or "
				"not a string", origin, at);
		if (!strcmp(type->valuestring, "tensor"))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"%s: input %zu is a tensor: mmp serves "
				"models with named columns", origin, at);
		if (!cJSON_IsString(name) || !*name->valuestring)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"%s: input %zu: field \"name\" is missing or "
				"empty: mmp serves models with named columns",
				origin, at);
		if ((err = column_type(&t, type->valuestring, at,
		    name->valuestring, origin)) < 0)
			return err;
		if ((err = mmp_model_schema_add_feature(s, name->valuestring,
		    MMP_FEATURE_NUMERIC, t, NULL, 0)) < 0) {
			mmp_error_prefix("%s: input %zu", origin, at);
			return err;
		}
		at++;
	}
	return 0;
}

/* parse JSON text; a syntax error names origin:LINE:COLUMN */
static int parse_json(cJSON **out, const char *text, size_t len,
	const char *origin)
{
	const char *end = NULL;
	size_t line = 1, col = 1, i, at;

	*out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (*out)
		return 0;
	at = end && end >= text ? (size_t)(end - text) : 0;
	for (i = 0; i < at && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
		"%s:%zu:%zu: malformed JSON%s", origin, line, col,
		len ? "" : ": the file is empty");
}

static int schema_from_signature(mmp_model_schema *s, const cJSON *sig,
	const char *origin)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(sig, "inputs");
	mmp_buf where = MMP_BUF_INIT;
	cJSON *cols = NULL;
	int err;

	mmp_buf_printf(&where, "%s: signature", origin);
	if (!cJSON_IsString(in) || !(cols = cJSON_Parse(in->valuestring)))
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: the inputs are not a JSON list of columns",
			where.ptr);
	else
		err = schema_from_colspec(s, cols, where.ptr);
	cJSON_Delete(cols);
	mmp_buf_dispose(&where);
	return err;
}

/* the feature names the booster keeps (trained from a DataFrame) */
static int schema_from_booster(mmp_model_schema *s, mmp_model *m,
	const char *origin)
{
	const char **names = NULL, **types = NULL;
	bst_ulong n = 0, nt = 0, i;
	int err;

	if (XGBoosterGetStrFeatureInfo(m->booster, "feature_name", &n,
	    &names) != 0)
		return mmp_model__xgb_error(MMP_ERROR,
			"cannot read the booster's feature names");
	if (!n)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: no signature, and the booster keeps no feature "
			"names: log the model with a signature, or give "
			"its inputs with --schema FILE", origin);
	if (XGBoosterGetStrFeatureInfo(m->booster, "feature_type", &nt,
	    &types) != 0)
		nt = 0;
	for (i = 0; i < n; i++) {
		if (i < nt && types[i] && !strcmp(types[i], "c"))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"%s: feature '%s' is categorical and there is "
				"no signature with its categories: log the "
				"model with a signature, or give its inputs "
				"with --schema FILE", origin, names[i]);
		if ((err = mmp_model_schema_add_feature(s, names[i],
		    MMP_FEATURE_NUMERIC, i < nt && types[i] &&
		    !strcmp(types[i], "int") ? MMP_COLUMN_LONG :
		    MMP_COLUMN_DOUBLE, NULL, 0)) < 0)
			return err;
	}
	return 0;
}

static int classes(mmp_model_schema *s, const mmp_model *m)
{
	char num[32];
	size_t i, k = m->task == MMP_TASK_BINARY ? 2 :
		m->task == MMP_TASK_MULTICLASS ? m->num_class : 0;
	int err;

	for (i = 0; i < k; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		if ((err = mmp_model_schema_add_class(s, num)) < 0)
			return err;
	}
	return 0;
}

int mmp_model__load_mlflow_dir(mmp_model *m, const char *dir,
	const char *schema_text, size_t schema_len, const char *schema_origin)
{
	mmp_buf path = MMP_BUF_INIT, text = MMP_BUF_INIT, file = MMP_BUF_INIT;
	mmp_model_schema *s = NULL;
	cJSON *ml = NULL;
	const cJSON *sig;
	int err;

	mmp_path_join(&path, dir, "MLmodel");
	if ((err = mmp_file_read(&text, path.ptr, MLMODEL_MAX)) < 0 ||
	    (err = mmp_model__mlmodel_json(&ml, path.ptr, text.ptr,
	    text.size)) < 0 ||
	    (err = booster_file(&file, dir, path.ptr, ml)) < 0)
		goto done;
	if (XGBoosterCreate(NULL, 0, &m->booster) != 0) {
		err = mmp_model__xgb_error(MMP_ERROR,
			"cannot create a booster");
		goto done;
	}
	/* XGBoost tells JSON, UBJSON and its old binary format apart by
	 * their first bytes */
	mmp_buf_clear(&text);
	if ((err = mmp_file_read(&text, file.ptr, MODEL_MAX)) < 0)
		goto done;
	if (!text.size || XGBoosterLoadModelFromBuffer(m->booster, text.ptr,
	    (bst_ulong)text.size) != 0) {
		mmp_buf msg = MMP_BUF_INIT;
		mmp_buf_printf(&msg, "cannot load the model '%s'", file.ptr);
		err = text.size ? mmp_model__xgb_error(MMP_EINVALID,
			msg.ptr) : mmp_error_ret(MMP_EINVALID,
			MMP_ERROR_MODEL, "%s: file is empty", msg.ptr);
		mmp_buf_dispose(&msg);
		goto done;
	}
	if ((err = mmp_model__refresh(m)) < 0)
		goto done;
	if (schema_text) {
		err = mmp_model__schema_from_text(&s, m->task,
			m->task == MMP_TASK_BINARY ? 2 : m->num_class,
			schema_text, schema_len, schema_origin);
	} else {
		if ((err = mmp_model_schema_new(&s, m->task, "target")) < 0)
			goto done;
		sig = cJSON_GetObjectItemCaseSensitive(ml, "signature");
		err = cJSON_IsObject(sig) ? schema_from_signature(s, sig,
			path.ptr) : schema_from_booster(s, m, path.ptr);
		if (!err)
			err = classes(s, m);
	}
	if (err < 0)
		goto done;
	if (s->nfeatures != m->nfeatures) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' has %zu features but the %s lists %zu",
			file.ptr, m->nfeatures, schema_text ? "schema" :
			cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ml,
			"signature")) ? "signature" : "booster", s->nfeatures);
		goto done;
	}
	s->task = m->task;
	m->schema = s;
	s = NULL;
	{
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(ml,
			"run_id");
		if (cJSON_IsString(rid) && *rid->valuestring)
			m->run_id = mmp__strdup(rid->valuestring);
	}
	m->pyfunc_loader = mmp_model__mlmodel_loader(ml);
done:
	mmp_model_schema_free(s);
	cJSON_Delete(ml);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&file);
	return err;
}

int mmp_model__schema_from_text(mmp_model_schema **out, mmp_task task,
	size_t nclasses, const char *text, size_t len, const char *origin)
{
	mmp_model_schema *s = NULL;
	cJSON *cols = NULL;
	char num[32];
	size_t i;
	int err;

	*out = NULL;
	if ((err = parse_json(&cols, text, len, origin)) < 0)
		return err;
	if (!cJSON_IsArray(cols)) {
		cJSON_Delete(cols);
		return mmp_model_schema_from_json(out, text, len, origin);
	}
	if ((err = mmp_model_schema_new(&s, task, "target")) < 0 ||
	    (err = schema_from_colspec(s, cols, origin)) < 0)
		goto done;
	for (i = 0; i < nclasses; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		if ((err = mmp_model_schema_add_class(s, num)) < 0)
			goto done;
	}
	*out = s;
	s = NULL;
done:
	cJSON_Delete(cols);
	mmp_model_schema_free(s);
	return err;
}
