/* SPDX-License-Identifier: MIT */
/* modeldir.c: the model directory, an MLflow model with the xgboost flavor */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "model-internal.h"
#include "xgb-internal.h"

#define MODEL_FILE "model.ubj"
#define SCHEMA_FILE "mmp-schema.json"
#define CODE_DIR "code"
#define LOADER_MODULE "mmp_pyfunc"
#define MODEL_MAX_BYTES ((size_t)4 << 30)
#define SCHEMA_MAX_BYTES ((size_t)256 << 20)

/* the environment MLflow records; Debian bookworm's versions */
#define DEFAULT_MLFLOW_VERSION "2.10.2"
#define DEFAULT_PYTHON_VERSION "3.11.2"
#define PIP_VERSION "23.0.1"
#define SETUPTOOLS_VERSION "66.1.1"
#define WHEEL_VERSION "0.38.4"

static void json_string(mmp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	mmp_buf_putc(out, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			mmp_buf_puts(out, "\\\"");
			break;
		case '\\':
			mmp_buf_puts(out, "\\\\");
			break;
		case '\n':
			mmp_buf_puts(out, "\\n");
			break;
		case '\r':
			mmp_buf_puts(out, "\\r");
			break;
		case '\t':
			mmp_buf_puts(out, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				mmp_buf_printf(out, "\\u%04x", *p);
			else
				mmp_buf_putc(out, *p);
		}
	}
	mmp_buf_putc(out, '"');
}

/* a YAML single-quoted scalar: quotes doubled, nothing else escaped */
static void yaml_quoted(mmp_buf *out, const char *s)
{
	mmp_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			mmp_buf_putc(out, '\'');
		mmp_buf_putc(out, *s);
	}
	mmp_buf_putc(out, '\'');
}

static const char *const column_types[] = { "double", "long", "string" };

/* the MLflow signature, as mlflow.models.ModelSignature.to_dict() */
static void signature(mmp_buf *out, const mmp_model *m)
{
	const mmp_model_schema *s = m->schema;
	mmp_buf in = MMP_BUF_INIT, outs = MMP_BUF_INIT;
	size_t i;

	mmp_buf_putc(&in, '[');
	for (i = 0; i < s->nfeatures; i++) {
		if (i)
			mmp_buf_puts(&in, ", ");
		/* a category is matched as text, whatever it looks like */
		mmp_buf_printf(&in, "{\"type\": \"%s\", \"name\": ",
			s->features[i].kind == MMP_FEATURE_CATEGORICAL ?
			"string" : column_types[s->features[i].type]);
		json_string(&in, s->features[i].name);
		mmp_buf_puts(&in, ", \"required\": true}");
	}
	mmp_buf_putc(&in, ']');
	/* what the pyfunc loader returns: see mmp_pyfunc.py */
	mmp_buf_printf(&outs, "[{\"type\": \"%s\", \"name\": "
		"\"prediction\", \"required\": true}",
		s->task == MMP_TASK_REGRESSION ? "float" : "string");
	for (i = 0; s->task != MMP_TASK_REGRESSION && i < s->nclasses &&
	    (s->task == MMP_TASK_BINARY || m->noutputs > 1); i++) {
		mmp_buf_puts(&outs, ", {\"type\": \"float\", \"name\": ");
		json_string(&outs, s->classes[i]);
		mmp_buf_puts(&outs, ", \"required\": true}");
	}
	mmp_buf_putc(&outs, ']');
	mmp_buf_puts(out, "signature:\n  inputs: ");
	yaml_quoted(out, in.ptr);
	mmp_buf_puts(out, "\n  outputs: ");
	yaml_quoted(out, outs.ptr);
	mmp_buf_puts(out, "\n  params: null\n");
	mmp_buf_dispose(&in);
	mmp_buf_dispose(&outs);
}

static void utc_created(char out[80], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 80, "%04d-%02d-%02d %02d:%02d:%02d.%06d",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (int)(ms % 1000) * 1000);
}

static int write_file(const char *dir, const char *name, const void *data,
	size_t len)
{
	mmp_buf path = MMP_BUF_INIT;
	int error;

	mmp_path_join(&path, dir, name);
	error = mmp_file_write_atomic(path.ptr, data, len);
	mmp_buf_dispose(&path);
	return error;
}

static int is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i > 0 && i <= 64;
}

static int write_env_files(const char *dir, const char *py,
	const char *mlflow, const char *xgb)
{
	mmp_buf b = MMP_BUF_INIT;
	int error;

	mmp_buf_printf(&b, "channels:\n- conda-forge\ndependencies:\n"
		"- python=%s\n- pip<=%s\n- pip:\n  - mlflow==%s\n"
		"  - xgboost==%s\nname: mlflow-env\n", py, PIP_VERSION,
		mlflow, xgb);
	if ((error = write_file(dir, "conda.yaml", b.ptr, b.size)) < 0)
		goto done;
	mmp_buf_clear(&b);
	mmp_buf_printf(&b, "python: %s\nbuild_dependencies:\n- pip==%s\n"
		"- setuptools==%s\n- wheel==%s\ndependencies:\n"
		"- -r requirements.txt\n", py, PIP_VERSION,
		SETUPTOOLS_VERSION, WHEEL_VERSION);
	if ((error = write_file(dir, "python_env.yaml", b.ptr, b.size)) < 0)
		goto done;
	mmp_buf_clear(&b);
	mmp_buf_printf(&b, "mlflow==%s\nxgboost==%s\n", mlflow, xgb);
	error = write_file(dir, "requirements.txt", b.ptr, b.size);
done:
	mmp_buf_dispose(&b);
	return error;
}

int mmp_model_save_dir(mmp_model *m, const char *dir,
	const mmp_model_dir_info *info)
{
	mmp_buf b = MMP_BUF_INIT;
	const char *mlflow, *py, *ubj = NULL, *v = NULL, *py_src;
	size_t py_len = 0;
	char xgb[32], uuid[33], created[80], num[32];
	bst_ulong ubj_len = 0;
	int error, ok = 0;

	if (!info || info->version != MMP_MODEL_DIR_INFO_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported model directory info version");
	if (!m->schema)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"model has no schema to save");
	if (!info->run_id || !is_hex_id(info->run_id))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"run id '%s' is not a hexadecimal id",
			info->run_id ? info->run_id : "");
	if (info->model_uuid && !is_hex_id(info->model_uuid))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"model uuid '%s' is not a hexadecimal id",
			info->model_uuid);
	mlflow = info->mlflow_version ? info->mlflow_version :
		DEFAULT_MLFLOW_VERSION;
	py = info->python_version ? info->python_version :
		DEFAULT_PYTHON_VERSION;
	mmp_model__xgb_version(xgb, sizeof(xgb));
	if (info->model_uuid)
		snprintf(uuid, sizeof(uuid), "%s", info->model_uuid);
	else if ((error = mmp_uuid_hex(uuid)) < 0)
		return error;
	utc_created(created, info->created_ms ? info->created_ms :
		mmp_time_ms());
	if ((error = mmp_mkdir_p(dir, 0777)) < 0)
		return error;

	/*
	 * model.ubj holds exactly the trees mmp predicts with, and the
	 * best iteration (its last round) as an attribute. The run id
	 * stays out of it (it is in MLmodel): the same data, params and
	 * seed must give a byte-identical model file, whatever the run.
	 */
	if ((error = mmp_model__cut_to_best(m)) < 0)
		goto done;
	snprintf(num, sizeof(num), "%d", m->best_iteration);
	if (XGBoosterGetAttr(m->booster, "best_iteration", &v, &ok) != 0 ||
	    (!ok && XGBoosterSetAttr(m->booster, "best_iteration", num) != 0)) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot set the model attributes");
		goto done;
	}
	if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\":\"ubj\"}",
	    &ubj_len, &ubj) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot serialise the model");
		goto done;
	}
	if ((error = write_file(dir, MODEL_FILE, ubj, ubj_len)) < 0)
		goto done;

	if ((error = mmp_model_schema_to_json(&b, m->schema)) < 0 ||
	    (error = write_file(dir, SCHEMA_FILE, b.ptr, b.size)) < 0)
		goto done;
	mmp_buf_clear(&b);

	/*
	 * MLflow's pyfunc puts <dir>/code on sys.path, imports the loader
	 * module and calls its _load_pyfunc(<dir>/model.ubj): mmp's own
	 * loader applies the schema's category codes, which MLflow's
	 * xgboost flavor knows nothing of.
	 */
	mmp_path_join(&b, dir, CODE_DIR);
	if ((error = mmp_mkdir_p(b.ptr, 0777)) < 0)
		goto done;
	mmp_buf_clear(&b);
	py_src = mmp_model__pyfunc_source(&py_len);
	if ((error = write_file(dir, CODE_DIR "/" LOADER_MODULE ".py", py_src,
	    py_len)) < 0)
		goto done;

	mmp_buf_printf(&b, "artifact_path: %s\nflavors:\n"
		"  python_function:\n    code: " CODE_DIR "\n"
		"    data: " MODEL_FILE "\n    env:\n"
		"      conda: conda.yaml\n      virtualenv: python_env.yaml\n"
		"    loader_module: " LOADER_MODULE "\n"
		"    python_version: %s\n"
		"  xgboost:\n    code: null\n    data: " MODEL_FILE "\n"
		"    model_class: xgboost.core.Booster\n"
		"    model_format: ubj\n    xgb_version: %s\n"
		"mlflow_version: %s\nmodel_uuid: %s\nrun_id: %s\n",
		info->artifact_path ? info->artifact_path : "model", py, xgb,
		mlflow, uuid, info->run_id);
	signature(&b, m);
	mmp_buf_printf(&b, "utc_time_created: '%s'\n", created);
	if ((error = write_file(dir, "MLmodel", b.ptr, b.size)) < 0)
		goto done;
	error = write_env_files(dir, py, mlflow, xgb);
done:
	mmp_buf_dispose(&b);
	return error;
}

/* the "run_id: <32 hex>" line of an MLmodel file, or NULL */
static char *mlmodel_run_id(const char *text)
{
	const char *p = text;

	while (p && *p) {
		if (mmp_str_starts_with(p, "run_id: ") &&
		    strspn(p + 8, "0123456789abcdef") == 32)
			return mmp__strndup(p + 8, 32);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int mmp_model_load_dir_schema(mmp_model **out, const char *dir,
	const char *schema_file)
{
	mmp_buf text = MMP_BUF_INIT, path = MMP_BUF_INIT;
	mmp_model_schema *s = NULL;
	mmp_model *m = NULL;
	int err;

	*out = NULL;
	if (!schema_file)
		return mmp_model_load_dir(out, dir);
	if ((err = mmp_model__xgb_load()) < 0)
		return err;
	if ((err = mmp_file_read(&text, schema_file, SCHEMA_MAX_BYTES)) < 0)
		goto done;
	mmp_path_join(&path, dir, SCHEMA_FILE);
	if (mmp_path_exists(path.ptr)) {
		/* mmp's own directory: the given schema replaces its own */
		if ((err = mmp_model_load_dir(&m, dir)) < 0 ||
		    (err = mmp_model__schema_from_text(&s, m->task,
		    m->task == MMP_TASK_BINARY ? 2 : m->num_class, text.ptr,
		    text.size, schema_file)) < 0 ||
		    (err = mmp_model_set_schema(m, s)) < 0)
			goto done;
	} else {
		m = mmp__calloc(1, sizeof(*m));
		if ((err = mmp_model__load_mlflow_dir(m, dir, text.ptr,
		    text.size, schema_file)) < 0 ||
		    (err = mmp_model__compile(m)) < 0 ||
		    (err = mmp_model_set_nthread(m, 0)) < 0)
			goto done;
	}
	*out = m;
	m = NULL;
done:
	mmp_model_free(m);
	mmp_model_schema_free(s);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&path);
	return err;
}

int mmp_model_load_dir(mmp_model **out, const char *dir)
{
	mmp_buf path = MMP_BUF_INIT, data = MMP_BUF_INIT;
	mmp_model *m = NULL;
	int error;

	*out = NULL;
	if (!mmp_path_is_dir(dir))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_MODEL,
			"model directory '%s' does not exist", dir);
	if ((error = mmp_model__xgb_load()) < 0)
		return error;
	m = mmp_model__new();
	mmp_path_join(&path, dir, SCHEMA_FILE);
	/* no mmp schema but an MLmodel: a model MLflow's Python client
	 * logged with its xgboost flavor */
	if (!mmp_path_exists(path.ptr)) {
		mmp_buf_clear(&path);
		mmp_path_join(&path, dir, "MLmodel");
		if (mmp_path_exists(path.ptr)) {
			if ((error = mmp_model__load_mlflow_dir(m, dir,
			    NULL, 0, NULL)) < 0 ||
			    (error = mmp_model__compile(m)) < 0 ||
			    (error = mmp_model_set_nthread(m, 0)) < 0)
				goto done;
			*out = m;
			m = NULL;
			goto done;
		}
		mmp_buf_clear(&path);
		mmp_path_join(&path, dir, SCHEMA_FILE);
	}
	if ((error = mmp_file_read(&data, path.ptr, SCHEMA_MAX_BYTES)) < 0)
		goto done;
	if ((error = mmp_model_schema_from_json(&m->schema, data.ptr,
	    data.size, path.ptr)) < 0)
		goto done;
	mmp_buf_clear(&data);
	mmp_buf_clear(&path);
	mmp_path_join(&path, dir, MODEL_FILE);
	if ((error = mmp_file_read(&data, path.ptr, MODEL_MAX_BYTES)) < 0)
		goto done;
	if (XGBoosterCreate(NULL, 0, &m->booster) != 0) {
		error = mmp_model__xgb_error(MMP_ERROR,
			"cannot create a booster");
		goto done;
	}
	if (!data.size || XGBoosterLoadModelFromBuffer(m->booster, data.ptr,
	    (bst_ulong)data.size) != 0) {
		mmp_buf msg = MMP_BUF_INIT;

		mmp_buf_printf(&msg, "cannot load the model '%s'", path.ptr);
		error = data.size ? mmp_model__xgb_error(MMP_EINVALID,
			msg.ptr) : mmp_error_ret(MMP_EINVALID,
			MMP_ERROR_MODEL, "%s: file is empty", msg.ptr);
		mmp_buf_dispose(&msg);
		goto done;
	}
	if ((error = mmp_model__refresh(m)) < 0)
		goto done;
	if (m->schema->nfeatures != m->nfeatures) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' has %zu features but the schema lists %zu",
			path.ptr, m->nfeatures, m->schema->nfeatures);
		goto done;
	}
	if (m->task == MMP_TASK_MULTICLASS &&
	    m->schema->nclasses != m->num_class) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"'%s' has %zu classes but the schema lists %zu",
			path.ptr, m->num_class, m->schema->nclasses);
		goto done;
	}
	mmp_buf_clear(&data);
	mmp_buf_clear(&path);
	mmp_path_join(&path, dir, "MLmodel");
	if (mmp_file_read(&data, path.ptr, SCHEMA_MAX_BYTES) == 0) {
		cJSON *ml = NULL;

		m->run_id = mlmodel_run_id(data.ptr);
		/* an MLmodel that does not read leaves the model as it
		 * was: served, with no loader to answer like */
		if (mmp_model__mlmodel_json(&ml, path.ptr, data.ptr,
		    data.size) == 0)
			m->pyfunc_loader = mmp_model__mlmodel_loader(ml);
		cJSON_Delete(ml);
	}
	mmp_error_clear();
	if ((error = mmp_model__compile(m)) < 0 ||
	    (error = mmp_model_set_nthread(m, 0)) < 0)
		goto done;
	*out = m;
	m = NULL;
done:
	mmp_model_free(m);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&data);
	return error;
}
