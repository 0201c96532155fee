/* SPDX-License-Identifier: MIT */
/* registry-common.c: what the registry commands share */
#include <string.h>
#include <time.h>

#include "registry-common.h"
#include "output.h"

void reg_fmt_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "-");
}

int reg_parse_version(int64_t *out, const char *text)
{
	if (mmp_registry_parse_version(out, text) < 0)
		return error("%s", mmp_error_last()->message);
	return 0;
}

int reg_parse_time(int64_t *out, const char *text, const char *opt)
{
	if (mmp_registry_parse_time(out, text) < 0)
		return error("option '%s': %s", opt,
			mmp_error_last()->message);
	return 0;
}

int reg_error(const char *what)
{
	if (what)
		return error_lib("%s", what);
	error("%s", mmp_error_last()->message);
	return EXIT_FAIL;
}

int reg_decision_exit(mmp_decision d)
{
	switch (d) {
	case MMP_DECISION_APPROVED: return EXIT_OK;
	case MMP_DECISION_NEEDS_REVIEW: return EXIT_NEEDS_REVIEW;
	case MMP_DECISION_REJECTED: return EXIT_REJECTED;
	case MMP_DECISION_NONE: break;
	}
	return EXIT_FAIL;
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *reg_approval_json(const mmp_approval *a)
{
	cJSON *o = cJSON_CreateObject(), *ev;
	char when[32];

	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddNumberToObject(o, "version", (double)a->version);
	cJSON_AddStringToObject(o, "decision",
		mmp_decision_name(a->decision));
	cJSON_AddStringToObject(o, "reason", a->reason);
	cJSON_AddStringToObject(o, "actor", a->actor);
	cJSON_AddBoolToObject(o, "manual", a->manual);
	add_str_or_null(o, "notes", a->notes);
	add_str_or_null(o, "policy", a->policy);
	cJSON_AddNumberToObject(o, "time", (double)a->time);
	reg_fmt_time(when, a->time);
	cJSON_AddStringToObject(o, "time_iso", when);
	ev = a->evidence ? cJSON_Parse(a->evidence) : NULL;
	if (ev)
		cJSON_AddItemToObject(o, "evidence", ev);
	else
		cJSON_AddNullToObject(o, "evidence");
	return o;
}

cJSON *reg_version_json(const mmp_model_version *v)
{
	cJSON *o = cJSON_CreateObject(), *a, *t;
	size_t i;

	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddNumberToObject(o, "version", (double)v->version);
	cJSON_AddStringToObject(o, "stage", mmp_stage_name(v->stage));
	a = cJSON_AddArrayToObject(o, "aliases");
	for (i = 0; i < v->aliases_nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v->aliases[i]));
	cJSON_AddStringToObject(o, "run_id", v->run_id);
	cJSON_AddStringToObject(o, "source", v->source);
	cJSON_AddStringToObject(o, "model_dir", v->model_dir);
	cJSON_AddStringToObject(o, "status", v->status);
	cJSON_AddStringToObject(o, "description", v->description);
	cJSON_AddStringToObject(o, "user_id", v->user_id);
	cJSON_AddNumberToObject(o, "creation_time", (double)v->creation_time);
	cJSON_AddNumberToObject(o, "last_updated_time",
		(double)v->last_updated_time);
	t = cJSON_AddObjectToObject(o, "tags");
	for (i = 0; i < v->tags_nr; i++)
		cJSON_AddStringToObject(t, v->tags[i].key, v->tags[i].value);
	if (v->approval)
		cJSON_AddItemToObject(o, "approval",
			reg_approval_json(v->approval));
	else
		cJSON_AddNullToObject(o, "approval");
	return o;
}

int reg_pull_uri(struct mmp_ctx *ctx, const char *uri, mmp_buf *ref)
{
	mmp_pull_options o = MMP_PULL_OPTIONS_INIT;
	mmp_http_options http = MMP_HTTP_OPTIONS_INIT;
	mmp_pull_result r;

	if (!(o.tracking_uri = ctx_tracking_uri(ctx, NULL)))
		return EXIT_FAIL;
	mmp_http_options_from_env(&http);
	o.http = &http;
	if (mmp_models_pull(&r, ctx_store(ctx), uri, &o) < 0) {
		mmp_pull_result_release(&r);
		return error_lib("cannot pull '%s'", uri);
	}
	if (!r.already)
		info(ctx, "pulled %s version %s from %s as %s version %lld",
			tsafe(r.name), tsafe(r.remote_version), tsafe(r.remote),
			tsafe(r.local_name), (long long)r.local_version);
	mmp_buf_printf(ref, "%s@v%lld", r.local_name,
		(long long)r.local_version);
	mmp_pull_result_release(&r);
	return 0;
}
