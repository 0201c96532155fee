/* SPDX-License-Identifier: MIT */
/*
 * sync-model.c: what MLflow users see of a pushed run beyond its data:
 * the dataset inputs (runs/log-inputs), the models logged on it (the
 * mlflow.log-model.history tag through runs/log-model), and MLmodel
 * files that name the server's run rather than the local one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/model-internal.h"
#include "remote-internal.h"
#include "store/sync-internal.h"
#include "sync-internal.h"

/* MLflow keeps a dataset digest in 36 characters */
#define MAX_DIGEST 36
#define MAX_MLMODEL ((size_t)1 << 20)

void mmp_sync__mlmodel_for_server(mmp_buf *out, const char *text,
	size_t len, const char *remote_run_id)
{
	const char *p = text, *end = text + len, *nl;
	int done = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		if (!done && (size_t)(nl - p) >= 7 &&
		    !memcmp(p, "run_id:", 7)) {
			mmp_buf_printf(out, "run_id: %s\n", remote_run_id);
			done = 1;
		} else {
			mmp_buf_put(out, p, (size_t)(nl - p));
		}
		p = nl;
	}
	if (!done) {
		if (out->size && out->ptr[out->size - 1] != '\n')
			mmp_buf_putc(out, '\n');
		mmp_buf_printf(out, "run_id: %s\n", remote_run_id);
	}
}

static char *sha_hex(const char *text)
{
	mmp_sha256_ctx c;
	unsigned char d[32];
	char hex[65];

	mmp_sha256_init(&c);
	mmp_sha256_update(&c, text, strlen(text));
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(hex, d);
	return mmp__strdup(hex);
}

static cJSON *dataset_input(const mmp_dataset_input *d)
{
	cJSON *in = cJSON_CreateObject(), *ds, *tags, *t, *o;
	char digest[MAX_DIGEST + 1];
	char *text;

	tags = cJSON_AddArrayToObject(in, "tags");
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "key", "mlflow.data.context");
	cJSON_AddStringToObject(t, "value", d->context && *d->context ?
		d->context : "input");
	cJSON_AddItemToArray(tags, t);
	ds = cJSON_AddObjectToObject(in, "dataset");
	cJSON_AddStringToObject(ds, "name", d->name);
	snprintf(digest, sizeof(digest), "%s", d->digest);
	cJSON_AddStringToObject(ds, "digest", digest);
	cJSON_AddStringToObject(ds, "source_type",
		d->source_type && *d->source_type ? d->source_type : "local");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "uri", d->source ? d->source : d->name);
	text = mmp_json_print(o, 0);
	cJSON_AddStringToObject(ds, "source", text);
	free(text);
	cJSON_Delete(o);
	if (d->schema)
		cJSON_AddStringToObject(ds, "schema", d->schema);
	if (d->rows >= 0) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "num_rows", (double)d->rows);
		if (d->columns >= 0)
			cJSON_AddNumberToObject(o, "num_elements",
				(double)d->rows * (double)d->columns);
		text = mmp_json_print(o, 0);
		cJSON_AddStringToObject(ds, "profile", text);
		free(text);
		cJSON_Delete(o);
	}
	return in;
}

int mmp_sync__log_inputs(struct mmp_sync__push *p, const mmp_run *r,
	const char *remote_run_id)
{
	cJSON *list;
	char *hex = NULL, *text = NULL, *sent = NULL;
	size_t i;
	int err, found = 0;

	if (!r->datasets_nr)
		return 0;
	list = cJSON_CreateArray();
	for (i = 0; i < r->datasets_nr; i++)
		cJSON_AddItemToArray(list, dataset_input(&r->datasets[i]));
	text = mmp_json_print(list, 0);
	hex = sha_hex(text);
	if ((err = mmp_store__sync_sent_get(&sent, &found, p->s, p->remote,
	    "run.inputs", r->run_id, NULL)) < 0)
		goto done;
	if (found && sent && !strcmp(sent, hex))
		goto done;
	/* MLflow keeps one input per dataset and run: sending again after
	 * an interrupted push adds nothing */
	if ((err = mmp_mlflow__log_inputs(&p->m, remote_run_id, list)) < 0)
		goto done;
	err = mmp_store__sync_sent_set(p->s, p->remote, "run.inputs",
		r->run_id, NULL, hex, 0);
done:
	free(hex);
	free(sent);
	free(text);
	cJSON_Delete(list);
	return err;
}

/* the entry MLflow appends to mlflow.log-model.history for a model */
static cJSON *history_entry(const cJSON *mlmodel, const char *artifact_path,
	const char *remote_run_id)
{
	static const char *const keys[] = { "utc_time_created",
		"model_uuid" };
	cJSON *e = cJSON_CreateObject(), *fl, *f, *copy;
	const cJSON *v, *c;
	size_t i;

	cJSON_AddStringToObject(e, "run_id", remote_run_id);
	cJSON_AddStringToObject(e, "artifact_path", artifact_path);
	for (i = 0; i < 2; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(mlmodel, keys[i])))
			cJSON_AddItemToObject(e, keys[i],
				cJSON_Duplicate(v, 1));
	fl = cJSON_AddObjectToObject(e, "flavors");
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(mlmodel,
	    "flavors")) {
		if (!cJSON_IsObject(f)) {
			cJSON_AddItemToObject(fl, f->string,
				cJSON_Duplicate(f, 1));
			continue;
		}
		copy = cJSON_CreateObject();
		cJSON_ArrayForEach(c, f)
			if (strcmp(c->string, "config"))
				cJSON_AddItemToObject(copy, c->string,
					cJSON_Duplicate(c, 1));
		cJSON_AddItemToObject(fl, f->string, copy);
	}
	return e;
}

/*
 * The history on the server already lists this model (a push that
 * stopped after runs/log-model and before recording it): the same
 * artifact path and creation time, and model_uuid when there is one.
 */
static int history_has(const char *history, const cJSON *entry)
{
	static const char *const keys[] = { "artifact_path",
		"utc_time_created", "model_uuid" };
	cJSON *h = history ? cJSON_Parse(history) : NULL, *e;
	int has = 0, same;
	size_t i;

	cJSON_ArrayForEach(e, h) {
		for (i = 0, same = 1; i < 3 && same; i++) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(
				entry, keys[i]);
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(e,
				keys[i]);
			if (!a && !b)
				continue;
			same = cJSON_IsString(a) && cJSON_IsString(b) &&
				!strcmp(a->valuestring, b->valuestring);
		}
		has |= same;
	}
	cJSON_Delete(h);
	return has;
}

int mmp_sync__log_model(struct mmp_sync__push *p, const mmp_run *r,
	const char *remote_run_id, const char *rel_path, const char *file)
{
	mmp_buf text = MMP_BUF_INIT, server = MMP_BUF_INIT;
	mmp_buf apath = MMP_BUF_INIT;
	cJSON *ml = NULL, *entry = NULL;
	const cJSON *uuid;
	char *sent = NULL, *hist = NULL, *json = NULL, *id = NULL;
	int err, found = 0;

	mmp_path_dirname(&apath, rel_path);
	if (!strcmp(apath.ptr, "."))
		mmp_buf_clear(&apath);
	if ((err = mmp_file_read(&text, file, MAX_MLMODEL)) < 0)
		goto done;
	mmp_sync__mlmodel_for_server(&server, text.ptr, text.size,
		remote_run_id);
	if ((err = mmp_model__mlmodel_json(&ml, file, server.ptr,
	    server.size)) < 0)
		goto done;
	/* what MLflow needs to list a model; a file without it is only
	 * an artifact */
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ml, "flavors")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ml,
	    "utc_time_created")))
		goto done;
	entry = history_entry(ml, apath.ptr, remote_run_id);
	/* the model's identity: its uuid, else the text of its entry */
	uuid = cJSON_GetObjectItemCaseSensitive(ml, "model_uuid");
	if (cJSON_IsString(uuid)) {
		id = mmp__strdup(uuid->valuestring);
	} else {
		cJSON *c = cJSON_Duplicate(entry, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "run_id");
		json = mmp_json_print(c, 0);
		cJSON_Delete(c);
		id = sha_hex(json);
		free(json);
		json = NULL;
	}
	if ((err = mmp_store__sync_sent_get(&sent, &found, p->s, p->remote,
	    "run.model", r->run_id, apath.ptr)) < 0)
		goto done;
	if (found && sent && !strcmp(sent, id))
		goto done;
	if ((err = mmp_mlflow__run_tag(&hist, &p->m, remote_run_id,
	    "mlflow.log-model.history")) < 0)
		goto done;
	if (!history_has(hist, entry)) {
		json = mmp_json_print(entry, 0);
		if ((err = mmp_mlflow__log_model(&p->m, remote_run_id,
		    json)) < 0)
			goto done;
	}
	err = mmp_store__sync_sent_set(p->s, p->remote, "run.model",
		r->run_id, apath.ptr, id, 0);
done:
	if (err < 0)
		mmp_error_prefix("model '%s'", rel_path);
	free(sent);
	free(hist);
	free(json);
	free(id);
	cJSON_Delete(entry);
	cJSON_Delete(ml);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&server);
	mmp_buf_dispose(&apath);
	return err;
}
