/* SPDX-License-Identifier: MIT */
/* model.c: the served model: name lookup, category tables, labels */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve-internal.h"

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int add_slot(struct serve_model *sm, const char *name,
	enum field_kind kind, size_t index)
{
	size_t mask = sm->nslots - 1, i = hash_name(name) & mask;

	while (sm->slots[i].name) {
		if (!strcmp(sm->slots[i].name, name))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
				"the model schema names '%s' twice", name);
		i = (i + 1) & mask;
	}
	sm->slots[i].name = name;
	sm->slots[i].kind = kind;
	sm->slots[i].index = index;
	sm->names[sm->nnames++] = name;
	return 0;
}

const struct field_slot *mmp_serve__lookup(const struct serve_model *sm,
	const char *name)
{
	size_t mask = sm->nslots - 1, i = hash_name(name) & mask;

	while (sm->slots[i].name) {
		if (!strcmp(sm->slots[i].name, name))
			return &sm->slots[i];
		i = (i + 1) & mask;
	}
	return NULL;
}

static int cmp_cat(const void *a, const void *b)
{
	return strcmp(((const struct cat_code *)a)->value,
		((const struct cat_code *)b)->value);
}

static char *json_literal(const char *s)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_put_json_string(&b, s);
	return mmp_buf_detach(&b);
}

static int build_labels(struct serve_model *sm)
{
	const mmp_model_schema *sc = sm->schema;
	size_t i;

	if (sm->task == MMP_TASK_REGRESSION)
		return 0;
	sm->nlabels = sm->task == MMP_TASK_BINARY ? 2 : sm->noutputs;
	if (sc->nclasses && sc->nclasses != sm->nlabels)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model schema lists %zu classes, the model "
			"predicts %zu", sc->nclasses, sm->nlabels);
	sm->labels_json = mmp__calloc(sm->nlabels, sizeof(char *));
	for (i = 0; i < sm->nlabels; i++) {
		char num[32];

		snprintf(num, sizeof(num), "%zu", i);
		sm->labels_json[i] = json_literal(sc->nclasses ?
			sc->classes[i] : num);
	}
	return 0;
}

/* a column of the loader's frame: assigning a name it has already
 * replaces that column's values and keeps its place, as pandas does */
static void pycol_add(struct serve_model *sm, const char *name, long src)
{
	mmp_buf b = MMP_BUF_INIT;
	size_t i;

	mmp_serve__put_py_json(&b, name);
	mmp_buf_puts(&b, ": ");
	for (i = 0; i < sm->npycols; i++) {
		if (!strcmp(sm->pycols[i].key, b.ptr)) {
			sm->pycols[i].src = src;
			mmp_buf_dispose(&b);
			return;
		}
	}
	sm->pycols[sm->npycols].key = mmp_buf_detach(&b);
	sm->pycols[sm->npycols++].src = src;
}

/*
 * The columns of mmp_pyfunc.predict()'s frame when MLflow's scoring
 * server calls it: the schema's entity columns are not among them, as
 * the server keeps only the signature's inputs (the features) and so
 * never passes them to the loader. Then "prediction" and, for
 * classification, one probability per class in the schema's order.
 */
static void build_pycols(struct serve_model *sm)
{
	const mmp_model_schema *sc = sm->schema;
	size_t i;

	sm->pycols = mmp__calloc(sm->nlabels + 1, sizeof(*sm->pycols));
	pycol_add(sm, "prediction", PYCOL_PREDICTION);
	if (sm->task == MMP_TASK_REGRESSION)
		return;
	sm->labels_py = mmp__calloc(sm->nlabels, sizeof(char *));
	for (i = 0; i < sm->nlabels; i++) {
		mmp_buf b = MMP_BUF_INIT;

		mmp_serve__put_py_json(&b, sc->classes[i]);
		sm->labels_py[i] = mmp_buf_detach(&b);
		pycol_add(sm, sc->classes[i], (long)i);
	}
}

int mmp_serve__model_new(struct serve_model **out, const mmp_model *m,
	const mmp_serve_model_info *info)
{
	const mmp_model_schema *sc = mmp_model_schema_of(m);
	struct serve_model *sm;
	mmp_buf b = MMP_BUF_INIT;
	size_t i, j, n;
	int error = 0;

	*out = NULL;
	if (!sc)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model has no schema to validate requests with");
	if (sc->nfeatures != mmp_model_nfeatures(m))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"the model schema lists %zu features, the model "
			"expects %zu", sc->nfeatures, mmp_model_nfeatures(m));
	sm = mmp__calloc(1, sizeof(*sm));
	sm->model = m;
	sm->schema = sc;
	sm->task = mmp_model_task_of(m);
	sm->nfeatures = sc->nfeatures;
	sm->noutputs = mmp_model_noutputs(m);
	n = sc->nfeatures + sc->nentities + 1;
	for (sm->nslots = 16; sm->nslots < 2 * n; sm->nslots *= 2)
		;
	sm->slots = mmp__calloc(sm->nslots, sizeof(*sm->slots));
	sm->names = mmp__calloc(n, sizeof(char *));
	sm->cats = mmp__calloc(sc->nfeatures, sizeof(*sm->cats));
	for (i = 0; i < sc->nfeatures; i++) {
		const mmp_model_feature *f = &sc->features[i];

		if ((error = add_slot(sm, f->name, FIELD_FEATURE, i)) < 0)
			goto done;
		if (f->kind != MMP_FEATURE_CATEGORICAL)
			continue;
		sm->cats[i] = mmp__calloc(f->ncategories + 1,
			sizeof(struct cat_code));
		for (j = 0; j < f->ncategories; j++) {
			sm->cats[i][j].value = f->categories[j];
			sm->cats[i][j].code = (float)j;
		}
		qsort(sm->cats[i], f->ncategories, sizeof(struct cat_code),
			cmp_cat);
	}
	for (i = 0; i < sc->nentities; i++)
		if ((error = add_slot(sm, sc->entities[i], FIELD_ENTITY, i)) < 0)
			goto done;
	if (sc->target && *sc->target &&
	    !mmp_serve__lookup(sm, sc->target))
		add_slot(sm, sc->target, FIELD_TARGET, 0);
	if ((error = build_labels(sm)) < 0)
		goto done;
	if (mmp_model_pyfunc_loader(m) &&
	    !strcmp(mmp_model_pyfunc_loader(m), "mmp_pyfunc") &&
	    (sm->task == MMP_TASK_REGRESSION || sc->nclasses == sm->nlabels))
		build_pycols(sm);

	sm->name = mmp__strdup(info && info->name ? info->name : "model");
	if (info && info->run_id) {
		sm->run_id = mmp__strdup(info->run_id);
	} else if (mmp_model_run_id(m)) {
		sm->run_id = mmp__strdup(mmp_model_run_id(m));
	} else {
		mmp_error_clear();
		sm->run_id = mmp__strdup("");
	}
	sm->version = mmp__strdup_or_null(info ? info->model_version : NULL);
	mmp_buf_clear(&b);
	mmp_buf_puts(&b, "\"model_version\":");
	mmp_buf_put_json_string(&b, sm->version ? sm->version : sm->run_id);
	sm->version_json = mmp_buf_detach(&b);
	sm->openapi = mmp_serve__openapi(sm, &sm->openapi_len);
done:
	mmp_buf_dispose(&b);
	if (error < 0) {
		mmp_serve__model_free(sm);
		return error;
	}
	*out = sm;
	return 0;
}

void mmp_serve__model_free(struct serve_model *sm)
{
	size_t i;

	if (!sm)
		return;
	mmp_serve__live_free(atomic_load(&sm->live));
	mmp_model_free(sm->owned);
	if (sm->cats)
		for (i = 0; i < sm->nfeatures; i++)
			free(sm->cats[i]);
	free(sm->cats);
	if (sm->labels_json)
		for (i = 0; i < sm->nlabels; i++)
			free(sm->labels_json[i]);
	free(sm->labels_json);
	if (sm->labels_py)
		for (i = 0; i < sm->nlabels; i++)
			free(sm->labels_py[i]);
	free(sm->labels_py);
	for (i = 0; i < sm->npycols; i++)
		free(sm->pycols[i].key);
	free(sm->pycols);
	free(sm->slots);
	free(sm->names);
	free(sm->name);
	free(sm->version);
	free(sm->run_id);
	free(sm->version_json);
	free(sm->openapi);
	free(sm);
}
