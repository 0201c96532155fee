/* SPDX-License-Identifier: MIT */
/* remote-internal.h: MLflow REST calls with retries, for the push */
#ifndef LIB_remote_remote_internal_h__
#define LIB_remote_remote_internal_h__

#include <cjson/cJSON.h>

#include "mmp/remote.h"
#include "mmp/s3.h"
#include "mmp/store.h"
#include "util/util.h"

/* MLflow's limits per runs/log-batch request */
#define MMP_MLFLOW_MAX_METRICS 1000
#define MMP_MLFLOW_MAX_PARAMS 100
#define MMP_MLFLOW_MAX_TAGS 100

/* a connection to one MLflow server and what it cost */
struct mmp_mlflow {
	mmp_http_client *http;
	int max_attempts;      /* tries per request, >= 1 */
	long backoff_ms;       /* first wait before a retry */
	long backoff_max_ms;   /* longest wait */
	size_t requests;       /* HTTP requests sent, retries included */
	size_t retries;
	char *fail_class;      /* class of the last failure, or NULL */
	int answered;          /* the last failed request had an HTTP
				  answer (a refusal, not a lost server) */
	int reading;           /* the caller only reads: a refusal's hint
				  asks for the right to read */
	mmp_s3 *s3;            /* the bucket of s3:// artifact roots, once
				  one was used */
	size_t s3_requests, s3_retries;  /* of m->s3, counted already */
};

/*
 * Split `uri` into a base without credentials (`clean`) and the user
 * and password written in it (owned, NULL when none). MMP_EINVALID for
 * a malformed URI or a scheme other than http or https.
 */
int mmp_remote__clean_uri(mmp_buf *clean, char **user, char **password,
	const char *uri);

/* open libcurl and set it up (once); 0, or -1 with the error set */
int mmp_remote__curl_load(void);
/* the libcurl version as "7.88.1", loading it; -1 with the error set
 * when it cannot be loaded */
int mmp_remote__curl_version(char *out, size_t outlen);
/* curl_global_cleanup() when libcurl was loaded */
void mmp_remote__curl_shutdown(void);

/* connect to `uri` (credentials from `opts`, else from the URI) */
int mmp_mlflow__open(struct mmp_mlflow *m, const char *uri,
	const mmp_http_options *opts);
void mmp_mlflow__close(struct mmp_mlflow *m);

/*
 * One REST call, retried with backoff on connection failures, 429 and
 * 5xx; never on another 4xx. `body` (may be NULL) is sent as JSON.
 * On 2xx `*out` (when not NULL) gets the parsed answer (cJSON_Delete).
 * Errors as mmp_http_response_error(), the message starting with
 * `what`; m->fail_class names the failure (mmp_http_class_name() or
 * mmp_http_transport_name()).
 */
int mmp_mlflow__call(cJSON **out, struct mmp_mlflow *m, const char *method,
	const char *path, const cJSON *body, const char *what);

/*
 * GET `path` into the file `file` (created or truncated), at most `max`
 * bytes, retried like mmp_mlflow__call(); `*written` gets the bytes of
 * the last try. Errors as mmp_mlflow__call(), and MMP_ENET when the
 * server sends more than `max`.
 */
int mmp_mlflow__download(struct mmp_mlflow *m, const char *path,
	const char *file, uint64_t max, uint64_t *written, const char *what);

/*
 * The S3 client for the bucket of `uri` (s3://BUCKET/KEY), opened on
 * first use and kept in `m`, and the object key `uri` names below it
 * plus `rel` (may be NULL) into `key`. Errors as mmp_s3_open().
 */
int mmp_mlflow__s3(mmp_s3 **out, mmp_buf *key, struct mmp_mlflow *m,
	const char *uri, const char *rel);
/* add what m->s3 did since the last call to m's counters, and name the
 * failure class after an S3 error */
void mmp_mlflow__s3_account(struct mmp_mlflow *m, int failed);

/* a string field of an object, or NULL */
const char *mmp_mlflow__str(const cJSON *o, const char *key);

/* experiments/get-by-name, else experiments/create (id owned) */
int mmp_mlflow__experiment_ensure(char **out_id, struct mmp_mlflow *m,
	const char *name, const mmp_kv *tags, size_t ntags);

/* the run tagged mmp.run_id = `local_id` in the experiment, if any:
 * MMP_ENOTFOUND when there is none */
int mmp_mlflow__run_find(char **out_id, char **out_artifact_uri,
	struct mmp_mlflow *m, const char *experiment_id,
	const char *local_id);

/* runs/create; both strings owned by the caller */
int mmp_mlflow__run_create(char **out_id, char **out_artifact_uri,
	struct mmp_mlflow *m, const char *experiment_id, const mmp_run *r,
	const mmp_kv *tags, size_t ntags);

/* runs/log-batch of params or tags (not both), split at the limits;
 * `*calls` (may be NULL) is increased by the requests made */
int mmp_mlflow__log_params(struct mmp_mlflow *m, const char *run_id,
	const mmp_kv *kv, size_t n, size_t *calls);
int mmp_mlflow__log_tags(struct mmp_mlflow *m, const char *run_id,
	const mmp_kv *kv, size_t n, size_t *calls);

/* runs/log-batch of at most MMP_MLFLOW_MAX_METRICS metrics */
int mmp_mlflow__log_metrics(struct mmp_mlflow *m, const char *run_id,
	const mmp_run_metric *mv, size_t n);

/* metrics/get-history of one key (owned; mmp_mlflow__history_free) */
int mmp_mlflow__metric_history(mmp_run_metric **out, size_t *n,
	struct mmp_mlflow *m, const char *run_id, const char *key);
void mmp_mlflow__history_free(mmp_run_metric *h, size_t n);

/* runs/update with the final status and end time */
int mmp_mlflow__run_update(struct mmp_mlflow *m, const char *run_id,
	const char *status, int64_t end_time);

/*
 * PUT the file `file_path` to the proxied artifact store under the run
 * root `artifact_uri` (mlflow-artifacts:/<exp>/<run>/artifacts) as
 * `rel_path`, or straight into the bucket when the root is
 * s3://BUCKET/... (a server without --serve-artifacts; see mmp/s3.h).
 * MMP_EINVALID when the root is neither (the client cannot write it).
 */
int mmp_mlflow__artifact_put(struct mmp_mlflow *m, const char *artifact_uri,
	const char *rel_path, const char *file_path);
/* the same with the file's bytes in memory (a copy changed for the server) */
int mmp_mlflow__artifact_put_data(struct mmp_mlflow *m,
	const char *artifact_uri, const char *rel_path, const char *data,
	size_t len);
/* the value of tag `key` of remote run `run_id` (runs/get); NULL if unset */
int mmp_mlflow__run_tag(char **out, struct mmp_mlflow *m,
	const char *run_id, const char *key);
/* runs/log-model: appends `model_json` to mlflow.log-model.history */
int mmp_mlflow__log_model(struct mmp_mlflow *m, const char *run_id,
	const char *model_json);
/* runs/log-inputs with a JSON array of DatasetInput objects */
int mmp_mlflow__log_inputs(struct mmp_mlflow *m, const char *run_id,
	const cJSON *datasets);

/* registered-models/create; a model that exists already is fine */
int mmp_mlflow__model_create(struct mmp_mlflow *m, const char *name,
	const char *description);
/* the remote version of `name` tagged mmp.registry.version = local one:
 * MMP_ENOTFOUND when there is none */
int mmp_mlflow__version_find(char **out, struct mmp_mlflow *m,
	const char *name, int64_t local_version);
/* model-versions/create; `*out` gets the remote version number */
int mmp_mlflow__version_create(char **out, struct mmp_mlflow *m,
	const char *name, const char *source, const char *run_id,
	const char *description, const mmp_kv *tags, size_t ntags);
/* model-versions/update (PATCH) of the description */
int mmp_mlflow__version_update(struct mmp_mlflow *m, const char *name,
	const char *version, const char *description);
int mmp_mlflow__version_set_tag(struct mmp_mlflow *m, const char *name,
	const char *version, const char *key, const char *value);
/* model-versions/transition-stage */
int mmp_mlflow__version_stage(struct mmp_mlflow *m, const char *name,
	const char *version, const char *stage, int archive_existing);
/* set an alias to `version`, or delete it when `version` is NULL */
int mmp_mlflow__alias(struct mmp_mlflow *m, const char *name,
	const char *alias, const char *version);

/* --- changes after the fact (mlflow-manage.c) --- */

/* runs/delete or runs/restore */
int mmp_mlflow__run_lifecycle(struct mmp_mlflow *m, const char *run_id,
	int deleted);
/* runs/delete-tag */
int mmp_mlflow__run_delete_tag(struct mmp_mlflow *m, const char *run_id,
	const char *key);
/* runs/update of the run's name */
int mmp_mlflow__run_rename(struct mmp_mlflow *m, const char *run_id,
	const char *name);
/* experiments/update (new_name) */
int mmp_mlflow__experiment_rename(struct mmp_mlflow *m, const char *id,
	const char *name);
/* experiments/delete or experiments/restore */
int mmp_mlflow__experiment_lifecycle(struct mmp_mlflow *m, const char *id,
	int deleted);
/* registered-models/update (PATCH) of the description */
int mmp_mlflow__model_update(struct mmp_mlflow *m, const char *name,
	const char *description);
/* registered-models/set-tag, or delete-tag (DELETE) when value is NULL */
int mmp_mlflow__model_tag(struct mmp_mlflow *m, const char *name,
	const char *key, const char *value);
/* model-versions/delete-tag (DELETE) */
int mmp_mlflow__version_delete_tag(struct mmp_mlflow *m, const char *name,
	const char *version, const char *key);

#endif
