/* SPDX-License-Identifier: MIT */
/* register.c: a run's model becomes the next version of a model */
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"

/* the run must have ended FINISHED and hold a model directory */
static int check_run(mmp_store *s, const mmp_run *r, mmp_buf *source)
{
	mmp_buf dir = MMP_BUF_INIT, mlmodel = MMP_BUF_INIT;
	size_t i;
	int has = 0, err = 0;

	if (r->origin)
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"run '%s' is a read-only mirror of run '%s' of %s: "
			"its model is not in this store; register it there, "
			"then 'mmp models pull' the version", r->run_id,
			r->remote_run_id, r->origin);
	if (strcmp(r->status, "FINISHED"))
		return mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"run '%s' is %s%s: only a FINISHED run can be "
			"registered", r->run_id, r->status,
			r->dead ? " (dead)" : "");
	for (i = 0; i < r->artifacts_nr; i++)
		if (!strcmp(r->artifacts[i].path, "model/MLmodel"))
			has = 1;
	mmp_path_join(&dir, mmp_store_dir(s), r->artifact_uri);
	mmp_buf_puts(&dir, "/model");
	mmp_path_join(&mlmodel, dir.ptr, "MLmodel");
	if (!has || !mmp_path_exists(mlmodel.ptr)) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"run '%s' has no model: no 'model/MLmodel' among its "
			"artifacts", r->run_id);
		goto done;
	}
	mmp_buf_printf(source, "%s/model", r->artifact_uri);
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&mlmodel);
	return err;
}

int mmp_registry_register(int64_t *out_version, mmp_store *s,
	const char *run, const char *name, const mmp_register_options *o)
{
	mmp_register_options def = MMP_REGISTER_OPTIONS_INIT;
	mmp_buf source = MMP_BUF_INIT, notes = MMP_BUF_INIT;
	mmp_run *r = NULL;
	const char *actor;
	char id[33];
	int64_t v = 0;
	size_t i;
	int err;

	*out_version = 0;
	if (!o)
		o = &def;
	if (o->version != MMP_REGISTER_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown mmp_register_options version %u",
			o->version);
	actor = mmp_registry__actor(o->actor);
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = mmp_registry__check_name(name)) < 0)
		return err;
	for (i = 0; i < o->tags_nr; i++)
		if (o->tags[i].key && (err = mmp_str_check_name(
				"version tag key", o->tags[i].key)) < 0)
			return err;
	for (i = 0; i < o->tags_nr; i++)
		if (!o->tags[i].key || !*o->tags[i].key ||
		    strlen(o->tags[i].key) > MMP_REGISTRY_NAME_MAX ||
		    !o->tags[i].value || strlen(o->tags[i].value) > 5000)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"invalid version tag '%s': the key must be 1 "
				"to %d characters and the value at most 5000",
				o->tags[i].key ? o->tags[i].key : "",
				MMP_REGISTRY_NAME_MAX);
	if ((err = mmp_run_resolve(s, run, id)) < 0 ||
	    (err = mmp_run_get(&r, s, id)) < 0 ||
	    (err = check_run(s, r, &source)) < 0)
		goto done;

	if ((err = mmp_store__reg_begin(s)) < 0)
		goto done;
	mmp_buf_printf(&notes, "run %s", id);
	if ((err = mmp_store__reg_version_create(s, name, id, source.ptr,
			o->description, actor, &v)) < 0)
		goto fail;
	for (i = 0; i < o->tags_nr; i++)
		if ((err = mmp_store__reg_version_tag(s, name, v,
				o->tags[i].key, o->tags[i].value)) < 0)
			goto fail;
	if ((err = mmp_store__reg_audit_add(s, actor, "register", name, v,
			"version", NULL, mmp_stage_name(MMP_STAGE_NONE),
			notes.ptr)) < 0 ||
	    (err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	*out_version = v;
	goto done;
fail:
	mmp_store__reg_rollback(s);
done:
	mmp_run_free(r);
	mmp_buf_dispose(&source);
	mmp_buf_dispose(&notes);
	return err;
}
