/* SPDX-License-Identifier: MIT */
/* mlflow-manage.c: MLflow REST calls that change what was pushed before:
 * lifecycle, names, descriptions and tags */
#include <stdlib.h>

#include "remote-internal.h"

#define API "/api/2.0/mlflow"

/* one POST/PATCH/DELETE of a JSON object of string fields */
static int send_fields(struct mmp_mlflow *m, const char *method,
	const char *path, const char *what, const char *const *kv)
{
	cJSON *body = cJSON_CreateObject();
	int err;

	for (; kv[0]; kv += 2)
		cJSON_AddStringToObject(body, kv[0], kv[1] ? kv[1] : "");
	err = mmp_mlflow__call(NULL, m, method, path, body, what);
	cJSON_Delete(body);
	return err;
}

int mmp_mlflow__run_lifecycle(struct mmp_mlflow *m, const char *run_id,
	int deleted)
{
	const char *kv[] = { "run_id", run_id, NULL };

	return send_fields(m, "POST", deleted ? API "/runs/delete" :
		API "/runs/restore", deleted ? "delete the run" :
		"restore the run", kv);
}

int mmp_mlflow__run_delete_tag(struct mmp_mlflow *m, const char *run_id,
	const char *key)
{
	const char *kv[] = { "run_id", run_id, "key", key, NULL };

	return send_fields(m, "POST", API "/runs/delete-tag",
		"delete a run tag", kv);
}

int mmp_mlflow__run_rename(struct mmp_mlflow *m, const char *run_id,
	const char *name)
{
	const char *kv[] = { "run_id", run_id, "run_name", name, NULL };

	return send_fields(m, "POST", API "/runs/update", "rename the run",
		kv);
}

int mmp_mlflow__experiment_rename(struct mmp_mlflow *m, const char *id,
	const char *name)
{
	const char *kv[] = { "experiment_id", id, "new_name", name, NULL };

	return send_fields(m, "POST", API "/experiments/update",
		"rename the experiment", kv);
}

int mmp_mlflow__experiment_lifecycle(struct mmp_mlflow *m, const char *id,
	int deleted)
{
	const char *kv[] = { "experiment_id", id, NULL };

	return send_fields(m, "POST", deleted ? API "/experiments/delete" :
		API "/experiments/restore", deleted ?
		"delete the experiment" : "restore the experiment", kv);
}

int mmp_mlflow__model_update(struct mmp_mlflow *m, const char *name,
	const char *description)
{
	const char *kv[] = { "name", name, "description", description, NULL };

	return send_fields(m, "PATCH", API "/registered-models/update",
		"update the registered model", kv);
}

int mmp_mlflow__model_tag(struct mmp_mlflow *m, const char *name,
	const char *key, const char *value)
{
	const char *set[] = { "name", name, "key", key, "value", value,
		NULL };
	const char *del[] = { "name", name, "key", key, NULL };

	/* DELETE takes a JSON body: MLflow ignores the query string */
	return value ? send_fields(m, "POST",
			API "/registered-models/set-tag",
			"set a registered model tag", set) :
		send_fields(m, "DELETE", API "/registered-models/delete-tag",
			"delete a registered model tag", del);
}

int mmp_mlflow__version_delete_tag(struct mmp_mlflow *m, const char *name,
	const char *version, const char *key)
{
	const char *kv[] = { "name", name, "version", version, "key", key,
		NULL };

	return send_fields(m, "DELETE", API "/model-versions/delete-tag",
		"delete a model version tag", kv);
}
