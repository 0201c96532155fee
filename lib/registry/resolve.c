/* SPDX-License-Identifier: MIT */
/* resolve.c: model references (M@Production, M@champion, M@v3, M/3,
 * M@latest) to one model version */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry-internal.h"

static const char *const stage_names[] = {
	"None", "Staging", "Production", "Archived"
};

const char *mmp_stage_name(mmp_stage stage)
{
	if ((size_t)stage >= ARRAY_SIZE(stage_names))
		return "None";
	return stage_names[stage];
}

int mmp_stage_parse(mmp_stage *out, const char *name)
{
	const char *close;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stage_names); i++)
		if (name && !strcasecmp(name, stage_names[i])) {
			*out = (mmp_stage)i;
			return 0;
		}
	close = name ? mmp_str_closest(name, stage_names,
		ARRAY_SIZE(stage_names)) : NULL;
	if (close)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"unknown stage '%s' (valid: Staging, Production, "
			"Archived, None); did you mean '%s'?",
			name ? name : "", close);
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
		"unknown stage '%s' (valid: Staging, Production, Archived, "
		"None)", name ? name : "");
}

mmp_stage mmp_registry__stage_of(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(stage_names); i++)
		if (!strcmp(name, stage_names[i]))
			return (mmp_stage)i;
	return MMP_STAGE_NONE;
}

int mmp_registry__version_brief(mmp_store *s, const char *name,
	int64_t version, char run_id[33], mmp_stage *stage, char **source)
{
	char text[MMP_STORE_STAGE_MAX];
	int err;

	err = mmp_store__reg_version_brief(s, name, version, run_id, text,
		source);
	if (err == 0)
		*stage = mmp_registry__stage_of(text);
	return err;
}

int mmp_registry__stage_version(mmp_store *s, const char *name,
	mmp_stage stage, int64_t *out)
{
	return mmp_store__reg_stage_version(s, name, mmp_stage_name(stage),
		out);
}

int mmp_registry__set_stage(mmp_store *s, const char *name,
	int64_t version, mmp_stage stage)
{
	return mmp_store__reg_set_stage(s, name, version,
		mmp_stage_name(stage));
}

static int valid_chars(const char *s)
{
	const char *p;

	if (!isalnum((unsigned char)*s))
		return 0;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
			return 0;
	return 1;
}

int mmp_registry__check_name(const char *name)
{
	if (!name || !*name)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the model name is empty");
	if (strlen(name) > MMP_REGISTRY_NAME_MAX)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the model name '%.40s...' is longer than %d "
			"characters", name, MMP_REGISTRY_NAME_MAX);
	if (!valid_chars(name))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid model name '%s': use letters, digits, '_', "
			"'-' and '.', starting with a letter or digit", name);
	return 0;
}

static int is_version_word(const char *s)
{
	if ((*s != 'v' && *s != 'V') || !s[1])
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int mmp_registry__check_alias(const char *alias)
{
	mmp_stage st;

	if (!alias || !*alias)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the alias is empty");
	if (strlen(alias) > MMP_REGISTRY_NAME_MAX || !valid_chars(alias) ||
	    strchr(alias, '.'))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid alias '%.60s': use up to %d letters, digits, "
			"'_' and '-', starting with a letter or digit",
			alias, MMP_REGISTRY_NAME_MAX);
	if (!strcasecmp(alias, "latest") || is_version_word(alias))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the alias '%s' is reserved ('latest' and 'v<number>' "
			"name versions)", alias);
	if (mmp_stage_parse(&st, alias) == 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the alias '%s' is reserved: it names the stage %s",
			alias, mmp_stage_name(st));
	mmp_error_clear();
	return 0;
}

int mmp_registry__parse_version(int64_t *out, const char *text)
{
	const char *p = text;

	if (p && (*p == 'v' || *p == 'V'))
		p++;
	if (!p || !*p || !isdigit((unsigned char)*p) ||
	    mmp_parse_int64(p, out) < 0 || *out <= 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid version '%s': expected a number such as 3 or "
			"v3", text ? text : "");
	return 0;
}

void mmp_registry__ref_release(struct mmp_registry__ref *r)
{
	free(r->name);
	free(r->alias);
	memset(r, 0, sizeof(*r));
}

int mmp_registry__ref_parse(struct mmp_registry__ref *out, const char *ref)
{
	const char *at, *slash, *sep;
	const char *rest;
	int err;

	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"empty model reference");
	at = strchr(ref, '@');
	slash = strchr(ref, '/');
	sep = at ? at : slash;
	if (!sep)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid model reference '%s': expected '%s@<stage>', "
			"'%s@<alias>', '%s@latest', '%s@v<N>' or '%s/<N>'",
			ref, ref, ref, ref, ref, ref);
	if (at && slash)
		sep = at < slash ? at : slash;
	out->name = mmp__strndup(ref, (size_t)(sep - ref));
	rest = sep + 1;
	if ((err = mmp_registry__check_name(out->name)) < 0)
		goto fail;
	if (!*rest || strchr(rest, '@') || strchr(rest, '/')) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid model reference '%s': nothing valid after "
			"'%c'", ref, *sep);
		goto fail;
	}
	if (*sep == '/') {
		out->kind = MMP_REF_VERSION;
		if ((err = mmp_registry__parse_version(&out->version,
				rest)) < 0 || *rest == 'v' || *rest == 'V') {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
				"invalid model reference '%s': expected a "
				"version number after '/'", ref);
			goto fail;
		}
		return 0;
	}
	if (!strcasecmp(rest, "latest")) {
		out->kind = MMP_REF_LATEST;
		return 0;
	}
	if (is_version_word(rest)) {
		out->kind = MMP_REF_VERSION;
		if ((err = mmp_registry__parse_version(&out->version,
				rest)) < 0)
			goto fail;
		return 0;
	}
	if (mmp_stage_parse(&out->stage, rest) == 0) {
		out->kind = MMP_REF_STAGE;
		return 0;
	}
	mmp_error_clear();
	out->kind = MMP_REF_ALIAS;
	out->alias = mmp__strdup(rest);
	return 0;
fail:
	mmp_registry__ref_release(out);
	return err;
}

int mmp_registry__model_must_exist(mmp_store *s, const char *name)
{
	char **names = NULL;
	size_t nr = 0, i;
	const char *close;
	int rc;

	if ((rc = mmp_store__reg_model_exists(s, name)) < 0)
		return rc;
	if (rc)
		return 0;
	if ((rc = mmp_store__reg_model_names(s, &names, &nr)) < 0)
		return rc;
	close = mmp_str_closest(name, (const char *const *)names, nr);
	if (close)
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"no model '%s'; did you mean '%s'?", name, close);
	else
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"no model '%s'", name);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* the error for a missing alias, listing the aliases there are */
static int no_alias(mmp_store *s, const char *name, const char *alias)
{
	char **names = NULL;
	size_t nr = 0, i;
	mmp_buf list = MMP_BUF_INIT;
	const char *close;
	int rc;

	if ((rc = mmp_store__reg_alias_names(s, name, &names, &nr)) < 0)
		return rc;
	close = mmp_str_closest(alias, (const char *const *)names, nr);
	for (i = 0; !close && i < ARRAY_SIZE(stage_names); i++)
		if (!strncasecmp(stage_names[i], alias, strlen(alias)))
			close = stage_names[i];
	if (!close)
		close = mmp_str_closest(alias, stage_names,
			ARRAY_SIZE(stage_names));
	for (i = 0; i < nr; i++)
		mmp_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	if (close)
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no alias or stage '%s'; did you mean "
			"'%s'?", name, alias, close);
	else if (nr)
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no alias or stage '%s' (aliases: %s; "
			"stages: Staging, Production, Archived, None)", name,
			alias, list.ptr);
	else
		rc = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no alias or stage '%s' (stages: "
			"Staging, Production, Archived, None)", name, alias);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	mmp_buf_dispose(&list);
	return rc;
}

int mmp_registry__ref_version(int64_t *out, mmp_store *s,
	const struct mmp_registry__ref *r)
{
	int err;

	*out = 0;
	if ((err = mmp_registry__model_must_exist(s, r->name)) < 0)
		return err;
	switch (r->kind) {
	case MMP_REF_VERSION: {
		char id[33];
		mmp_stage st;
		char *source = NULL;

		err = mmp_registry__version_brief(s, r->name, r->version, id,
			&st, &source);
		free(source);
		if (err < 0)
			return err;
		*out = r->version;
		return 0;
	}
	case MMP_REF_STAGE:
		if ((err = mmp_registry__stage_version(s, r->name, r->stage,
				out)) < 0)
			return err;
		if (!*out)
			return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
				"model '%s' has no version in stage %s",
				r->name, mmp_stage_name(r->stage));
		return 0;
	case MMP_REF_ALIAS:
		if ((err = mmp_store__reg_alias_version(s, r->name, r->alias,
				out)) < 0)
			return err;
		if (!*out)
			return no_alias(s, r->name, r->alias);
		return 0;
	case MMP_REF_LATEST:
		if ((err = mmp_store__reg_latest_version(s, r->name,
				out)) < 0)
			return err;
		if (!*out)
			return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
				"model '%s' has no versions", r->name);
		return 0;
	}
	return mmp_error_ret(MMP_ERROR, MMP_ERROR_REGISTRY,
		"bad model reference kind");
}

void mmp_registry__model_dir(mmp_buf *out, mmp_store *s,
	const char *source)
{
	mmp_buf_clear(out);
	mmp_path_join(out, mmp_store_dir(s), source);
}

int mmp_registry_resolve(mmp_model_ref *out, mmp_store *s, const char *ref)
{
	struct mmp_registry__ref r;
	mmp_buf dir = MMP_BUF_INIT;
	char *source = NULL;
	int64_t version;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mmp_registry__ref_parse(&r, ref)) < 0)
		return err;
	if ((err = mmp_registry__ref_version(&version, s, &r)) < 0)
		goto done;
	if ((err = mmp_registry__version_brief(s, r.name, version,
			out->run_id, &out->stage, &source)) < 0)
		goto done;
	mmp_registry__model_dir(&dir, s, source);
	if (!mmp_path_is_dir(dir.ptr)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"the model directory '%s' of %s version %lld is "
			"missing", dir.ptr, r.name, (long long)version);
		goto done;
	}
	out->name = r.name;
	r.name = NULL;
	out->version = version;
	out->model_dir = mmp_buf_detach(&dir);
done:
	free(source);
	mmp_buf_dispose(&dir);
	mmp_registry__ref_release(&r);
	return err;
}

void mmp_model_ref_release(mmp_model_ref *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->model_dir);
	memset(r, 0, sizeof(*r));
}
