/* SPDX-License-Identifier: MIT */
/* schema.c: the model schema (features, classes, entities) and its JSON */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mmp/model.h"
#include "util/util.h"

#define SCHEMA_FORMAT_VERSION 1

static const char *const kind_names[] = { "numeric", "categorical" };
static const char *const type_names[] = { "double", "long", "string" };

int mmp_model_schema_new(mmp_model_schema **out, mmp_task task,
	const char *target)
{
	mmp_model_schema *s;

	*out = NULL;
	if (!mmp_model_task_name(task))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown task %d", (int)task);
	if (!target || !*target)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"schema needs a target column");
	s = mmp__calloc(1, sizeof(*s));
	s->task = task;
	s->target = mmp__strdup(target);
	*out = s;
	return 0;
}

static char **strs_dup(const char *const *v, size_t n)
{
	char **r;
	size_t i;

	if (!n)
		return NULL;
	r = mmp__calloc(n, sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = mmp__strdup(v[i]);
	return r;
}

static void strs_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n && v; i++)
		free(v[i]);
	free(v);
}

static int has_name(const mmp_model_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfeatures; i++)
		if (!strcmp(s->features[i].name, name))
			return 1;
	for (i = 0; i < s->nentities; i++)
		if (!strcmp(s->entities[i], name))
			return 1;
	return 0;
}

int mmp_model_schema_add_feature(mmp_model_schema *s, const char *name,
	mmp_feature_kind kind, mmp_column_type type,
	const char *const *categories, size_t ncategories)
{
	mmp_model_feature *f;
	size_t i;

	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"feature %zu has no name", s->nfeatures + 1);
	if (has_name(s, name) || !strcmp(name, s->target))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"column '%s' appears twice in the schema", name);
	if ((unsigned)kind > MMP_FEATURE_CATEGORICAL ||
	    (unsigned)type > MMP_COLUMN_STRING)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"feature '%s' has an unknown kind or type", name);
	if (kind == MMP_FEATURE_NUMERIC && ncategories)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"numeric feature '%s' cannot have categories", name);
	for (i = 0; i < ncategories; i++)
		if (!categories[i])
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"feature '%s': category %zu is missing",
				name, i);
	s->features = mmp__reallocarray(s->features, s->nfeatures + 1,
		sizeof(*s->features));
	f = &s->features[s->nfeatures++];
	f->name = mmp__strdup(name);
	f->kind = kind;
	f->type = type;
	f->categories = strs_dup(categories, ncategories);
	f->ncategories = ncategories;
	return 0;
}

int mmp_model_schema_add_class(mmp_model_schema *s, const char *label)
{
	if (!label || !*label)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"class %zu has an empty label", s->nclasses);
	s->classes = mmp__reallocarray(s->classes, s->nclasses + 1,
		sizeof(*s->classes));
	s->classes[s->nclasses++] = mmp__strdup(label);
	return 0;
}

int mmp_model_schema_add_entity(mmp_model_schema *s, const char *name)
{
	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"entity column %zu has no name", s->nentities + 1);
	if (has_name(s, name) || !strcmp(name, s->target))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"column '%s' appears twice in the schema", name);
	s->entities = mmp__reallocarray(s->entities, s->nentities + 1,
		sizeof(*s->entities));
	s->entities[s->nentities++] = mmp__strdup(name);
	return 0;
}

int mmp_model_schema_dup(mmp_model_schema **out, const mmp_model_schema *s)
{
	mmp_model_schema *c = mmp__calloc(1, sizeof(*c));
	size_t i;

	c->task = s->task;
	c->target = mmp__strdup(s->target);
	c->classes = strs_dup((const char *const *)s->classes, s->nclasses);
	c->nclasses = s->nclasses;
	c->entities = strs_dup((const char *const *)s->entities,
		s->nentities);
	c->nentities = s->nentities;
	if (s->nfeatures)
		c->features = mmp__calloc(s->nfeatures, sizeof(*c->features));
	for (i = 0; i < s->nfeatures; i++) {
		const mmp_model_feature *f = &s->features[i];

		c->features[i].name = mmp__strdup(f->name);
		c->features[i].kind = f->kind;
		c->features[i].type = f->type;
		c->features[i].categories = strs_dup(
			(const char *const *)f->categories, f->ncategories);
		c->features[i].ncategories = f->ncategories;
	}
	c->nfeatures = s->nfeatures;
	*out = c;
	return 0;
}

void mmp_model_schema_free(mmp_model_schema *s)
{
	size_t i;

	if (!s)
		return;
	free(s->target);
	strs_free(s->classes, s->nclasses);
	strs_free(s->entities, s->nentities);
	for (i = 0; i < s->nfeatures; i++) {
		free(s->features[i].name);
		strs_free(s->features[i].categories,
			s->features[i].ncategories);
	}
	free(s->features);
	free(s);
}

static cJSON *str_array(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

int mmp_model_schema_to_json(mmp_buf *out, const mmp_model_schema *s)
{
	cJSON *root = cJSON_CreateObject(), *feats, *f;
	char *text;
	size_t i;

	cJSON_AddNumberToObject(root, "format_version", SCHEMA_FORMAT_VERSION);
	cJSON_AddStringToObject(root, "task", mmp_model_task_name(s->task));
	cJSON_AddStringToObject(root, "target", s->target);
	cJSON_AddItemToObject(root, "classes",
		str_array(s->classes, s->nclasses));
	feats = cJSON_AddArrayToObject(root, "features");
	for (i = 0; i < s->nfeatures; i++) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "name", s->features[i].name);
		cJSON_AddStringToObject(f, "kind",
			kind_names[s->features[i].kind]);
		cJSON_AddStringToObject(f, "type",
			type_names[s->features[i].type]);
		if (s->features[i].kind == MMP_FEATURE_CATEGORICAL)
			cJSON_AddItemToObject(f, "categories",
				str_array(s->features[i].categories,
				s->features[i].ncategories));
		cJSON_AddItemToArray(feats, f);
	}
	cJSON_AddItemToObject(root, "entity_columns",
		str_array(s->entities, s->nentities));
	cJSON_AddStringToObject(root, "missing", "NaN");
	text = mmp_json_print(root, 1);
	cJSON_Delete(root);
	if (!text)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_NOMEMORY,
			"cannot format the model schema");
	mmp_buf_puts(out, text);
	mmp_buf_putc(out, '\n');
	free(text);
	return 0;
}

static int bad(const char *origin, const char *field, const char *what)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
		"%s: field '%s' %s", origin, field, what);
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* read an array of strings into a freshly allocated vector */
static int read_strs(char ***out, size_t *nout, const cJSON *a,
	const char *origin, const char *field)
{
	const cJSON *it;
	size_t n = 0, i = 0;
	char **v;

	*out = NULL;
	*nout = 0;
	if (!cJSON_IsArray(a))
		return bad(origin, field, "must be an array of strings");
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it))
			return bad(origin, field,
				"must be an array of strings");
		n++;
	}
	if (!n)
		return 0;
	v = mmp__calloc(n, sizeof(*v));
	cJSON_ArrayForEach(it, a)
		v[i++] = mmp__strdup(it->valuestring);
	*out = v;
	*nout = n;
	return 0;
}

static int read_feature(mmp_model_schema *s, const cJSON *f, size_t i,
	const char *origin)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(f, "kind");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(f, "type");
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(f, "categories");
	char field[64], **cv = NULL;
	size_t ncv = 0;
	int k, t, error;

	snprintf(field, sizeof(field), "features[%zu]", i);
	if (!cJSON_IsObject(f))
		return bad(origin, field, "must be an object");
	snprintf(field, sizeof(field), "features[%zu].name", i);
	if (!cJSON_IsString(name) || !*name->valuestring)
		return bad(origin, field, "must be a non-empty string");
	snprintf(field, sizeof(field), "features[%zu].kind", i);
	k = lookup(kind_names, ARRAY_SIZE(kind_names),
		cJSON_IsString(kind) ? kind->valuestring : NULL);
	if (k < 0)
		return bad(origin, field,
			"must be 'numeric' or 'categorical'");
	snprintf(field, sizeof(field), "features[%zu].type", i);
	t = lookup(type_names, ARRAY_SIZE(type_names),
		cJSON_IsString(type) ? type->valuestring : NULL);
	if (t < 0)
		return bad(origin, field,
			"must be 'double', 'long' or 'string'");
	if (k == MMP_FEATURE_CATEGORICAL) {
		snprintf(field, sizeof(field), "features[%zu].categories", i);
		if ((error = read_strs(&cv, &ncv, cats, origin, field)) < 0)
			return error;
	}
	error = mmp_model_schema_add_feature(s, name->valuestring,
		(mmp_feature_kind)k, (mmp_column_type)t,
		(const char *const *)cv, ncv);
	if (error < 0)
		mmp_error_prefix("%s", origin);
	strs_free(cv, ncv);
	return error;
}

int mmp_model_schema_from_json(mmp_model_schema **out, const char *text,
	size_t len, const char *origin)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *ver, *task, *target, *feats, *f;
	mmp_model_schema *s = NULL;
	mmp_task t;
	size_t i = 0;
	int error = 0;

	*out = NULL;
	if (!root || !cJSON_IsObject(root)) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: not a JSON object", origin);
		goto done;
	}
	ver = cJSON_GetObjectItemCaseSensitive(root, "format_version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble < 1) {
		error = bad(origin, "format_version",
			"must be a positive number");
		goto done;
	}
	if (ver->valuedouble > SCHEMA_FORMAT_VERSION) {
		error = mmp_error_ret(MMP_EVERSION, MMP_ERROR_MODEL,
			"%s: schema format %g is newer than this mmp (%d)",
			origin, ver->valuedouble, SCHEMA_FORMAT_VERSION);
		goto done;
	}
	task = cJSON_GetObjectItemCaseSensitive(root, "task");
	if (!cJSON_IsString(task) ||
	    mmp_model_task_parse(&t, task->valuestring) < 0) {
		error = bad(origin, "task",
			"must be 'binary', 'multiclass' or 'regression'");
		goto done;
	}
	target = cJSON_GetObjectItemCaseSensitive(root, "target");
	if (!cJSON_IsString(target) || !*target->valuestring) {
		error = bad(origin, "target", "must be a non-empty string");
		goto done;
	}
	if ((error = mmp_model_schema_new(&s, t, target->valuestring)) < 0)
		goto done;
	if ((error = read_strs(&s->classes, &s->nclasses,
	    cJSON_GetObjectItemCaseSensitive(root, "classes"), origin,
	    "classes")) < 0)
		goto done;
	if ((error = read_strs(&s->entities, &s->nentities,
	    cJSON_GetObjectItemCaseSensitive(root, "entity_columns"), origin,
	    "entity_columns")) < 0)
		goto done;
	feats = cJSON_GetObjectItemCaseSensitive(root, "features");
	if (!cJSON_IsArray(feats) || !cJSON_GetArraySize(feats)) {
		error = bad(origin, "features", "must be a non-empty array");
		goto done;
	}
	cJSON_ArrayForEach(f, feats)
		if ((error = read_feature(s, f, i++, origin)) < 0)
			goto done;
	if (t != MMP_TASK_REGRESSION && s->nclasses < 2) {
		error = bad(origin, "classes",
			"must list at least 2 classes for classification");
		goto done;
	}
	*out = s;
	s = NULL;
done:
	mmp_model_schema_free(s);
	cJSON_Delete(root);
	return error;
}
