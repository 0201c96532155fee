/* SPDX-License-Identifier: MIT */
/* mlmodel.c: an MLmodel file (YAML) as a JSON object */
#include <string.h>

#include <cjson/cJSON.h>

#include "config/config-internal.h"
#include "model-internal.h"
#include "util/util.h"

/* a plain scalar as YAML's core schema reads it; quoted ones are text */
static cJSON *scalar(const mmp_ynode *n)
{
	double d;

	if (n->quoted)
		return cJSON_CreateString(n->value ? n->value : "");
	if (n->is_null)
		return cJSON_CreateNull();
	if (!strcmp(n->value, "true") || !strcmp(n->value, "True"))
		return cJSON_CreateTrue();
	if (!strcmp(n->value, "false") || !strcmp(n->value, "False"))
		return cJSON_CreateFalse();
	if (strspn(n->value, "0123456789+-.eE") == strlen(n->value) &&
	    mmp_parse_double(n->value, &d) == 0)
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(n->value);
}

static cJSON *to_json(const mmp_ynode *n)
{
	cJSON *o;
	size_t i;

	switch (n->type) {
	case MMP_YNODE_MAP:
		o = cJSON_CreateObject();
		for (i = 0; i < n->nr; i++)
			cJSON_AddItemToObject(o, n->keys[i],
				to_json(n->kids[i]));
		return o;
	case MMP_YNODE_SEQ:
		o = cJSON_CreateArray();
		for (i = 0; i < n->nr; i++)
			cJSON_AddItemToArray(o, to_json(n->kids[i]));
		return o;
	default:
		return scalar(n);
	}
}

int mmp_model__mlmodel_json(cJSON **out, const char *origin,
	const char *text, size_t len)
{
	mmp_diag_list *d = mmp_config__diags_new();
	mmp_ynode *doc = NULL;
	int err;

	*out = NULL;
	if (mmp_config__yaml_load(&doc, origin, text, len, 0, d) < 0 ||
	    mmp_diag_list_count(d)) {
		err = mmp_config__diags_error(d, MMP_ERROR_MODEL);
		goto done;
	}
	if (doc->type != MMP_YNODE_MAP) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"%s: not an MLmodel file: expected a mapping, got %s",
			origin, mmp_config__ynode_kind(doc));
		goto done;
	}
	*out = to_json(doc);
	err = 0;
done:
	mmp_config__ynode_free(doc);
	mmp_diag_list_free(d);
	return err;
}

char *mmp_model__mlmodel_loader(const cJSON *ml)
{
	const cJSON *pf = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(ml, "flavors"),
		"python_function");
	const cJSON *lm = cJSON_GetObjectItemCaseSensitive(pf,
		"loader_module");

	return cJSON_IsString(lm) && *lm->valuestring ?
		mmp__strdup(lm->valuestring) : NULL;
}
