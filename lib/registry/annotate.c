/* SPDX-License-Identifier: MIT */
/* annotate.c: descriptions and tags of models and versions, audited */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"

#define TAG_VALUE_MAX 5000
#define DESCRIPTION_MAX 65536

static int check_text(const char *what, const char *text, size_t max,
	int newlines)
{
	const char *p;

	if (strlen(text) > max)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the %s is longer than %zu bytes", what, max);
	for (p = text; *p; p++)
		if (((unsigned char)*p < 0x20 || *p == 0x7f) &&
		    !(newlines && (*p == '\n' || *p == '\t')))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"the %s holds a control character", what);
	return 0;
}

static int must_exist(mmp_store *s, const char *name, int64_t version)
{
	int err;

	if ((err = mmp_registry__check_name(name)) < 0)
		return err;
	return version ? mmp_registry__version_must_exist(s, name, version) :
		mmp_registry__model_must_exist(s, name);
}

int mmp_registry_describe(mmp_store *s, const char *name, int64_t version,
	const char *text, const char *actor)
{
	char *old = NULL;
	int err;

	if (!text)
		text = "";
	actor = mmp_registry__actor(actor);
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = check_text("description", text, DESCRIPTION_MAX, 1)) < 0)
		return err;
	if ((err = mmp_store__reg_begin(s)) < 0)
		return err;
	if ((err = must_exist(s, name, version)) < 0 ||
	    (err = mmp_store__reg_description(s, name, version, text,
			&old)) < 0)
		goto fail;
	if (old && !strcmp(old, text)) {
		free(old);
		return mmp_store__reg_commit(s);
	}
	if ((err = mmp_store__reg_audit_add(s, actor, "describe", name,
			version, "description", old && *old ? old : NULL,
			*text ? text : NULL, NULL)) < 0 ||
	    (err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	free(old);
	return 0;
fail:
	mmp_store__reg_rollback(s);
	free(old);
	return err;
}

static int change_tag(mmp_store *s, const char *name, int64_t version,
	const char *key, const char *value, const char *actor)
{
	mmp_buf subject = MMP_BUF_INIT;
	char *old = NULL;
	int err;

	if ((err = mmp_store__reg_tag_get(s, name, version, key, &old)) < 0)
		return err;
	if (!value && !old) {
		err = version ? mmp_error_ret(MMP_ENOTFOUND,
				MMP_ERROR_REGISTRY, "%s version %lld has no "
				"tag '%s'", name, (long long)version, key) :
			mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
				"model '%s' has no tag '%s'", name, key);
		goto done;
	}
	if (old && value && !strcmp(old, value))
		goto done;
	mmp_buf_printf(&subject, "tag %s", key);
	if ((err = mmp_store__reg_tag_put(s, name, version, key, value)) < 0)
		goto done;
	err = mmp_store__reg_audit_add(s, actor, "tag", name, version,
		subject.ptr, old, value, NULL);
done:
	free(old);
	mmp_buf_dispose(&subject);
	return err;
}

int mmp_registry_tags_edit(mmp_store *s, const char *name, int64_t version,
	const mmp_kv *set, size_t nset, const char *const *unset,
	size_t nunset, const char *actor)
{
	size_t i;
	int err;

	actor = mmp_registry__actor(actor);
	if ((err = mmp_registry__check_actor(actor)) < 0)
		return err;
	for (i = 0; i < nset + nunset; i++) {
		const char *key = i < nset ? set[i].key : unset[i - nset];
		if (!key || !*key || strlen(key) > MMP_REGISTRY_NAME_MAX)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"invalid tag key '%s': it must be 1 to %d "
				"characters", key ? key : "",
				MMP_REGISTRY_NAME_MAX);
		if ((err = mmp_str_check_name("tag key", key)) < 0)
			return err;
		if (i < nset && (!set[i].value || (err = check_text(
				"tag value", set[i].value, TAG_VALUE_MAX,
				1)) < 0))
			return set[i].value ? err : mmp_error_ret(
				MMP_EINVALID, MMP_ERROR_REGISTRY,
				"tag '%s' has no value", key);
	}
	if ((err = mmp_store__reg_begin(s)) < 0)
		return err;
	if ((err = must_exist(s, name, version)) < 0)
		goto fail;
	for (i = 0; i < nunset; i++)
		if ((err = change_tag(s, name, version, unset[i], NULL,
				actor)) < 0)
			goto fail;
	for (i = 0; i < nset; i++)
		if ((err = change_tag(s, name, version, set[i].key,
				set[i].value, actor)) < 0)
			goto fail;
	if ((err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	return 0;
fail:
	mmp_store__reg_rollback(s);
	return err;
}
