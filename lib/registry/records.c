/* SPDX-License-Identifier: MIT */
/* records.c: reading the registry, and freeing what it hands out */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry-internal.h"

const char *mmp_decision_name(mmp_decision d)
{
	switch (d) {
	case MMP_DECISION_APPROVED: return "APPROVED";
	case MMP_DECISION_NEEDS_REVIEW: return "NEEDS_REVIEW";
	case MMP_DECISION_REJECTED: return "REJECTED";
	case MMP_DECISION_NONE: break;
	}
	return "NONE";
}

const char *mmp_registry__actor(const char *given)
{
	const char *u;
	struct passwd *pw;

	if (given && *given)
		return given;
	u = getenv("MMP_USER");
	if (u && *u)
		return u;
	pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	u = getenv("USER");
	return u && *u ? u : "unknown";
}

int mmp_registry__check_actor(const char *actor)
{
	return mmp_str_check_name("user name (--by or MMP_USER)", actor);
}

int mmp_registry_parse_version(int64_t *out, const char *text)
{
	return mmp_registry__parse_version(out, text);
}

int mmp_registry__version_must_exist(mmp_store *s, const char *name,
	int64_t version)
{
	char id[33];
	char *source = NULL;
	mmp_stage st;
	int err;

	if ((err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;
	err = mmp_registry__version_brief(s, name, version, id, &st,
		&source);
	free(source);
	return err;
}

void mmp_approval_free(mmp_approval *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->reason);
	free(a->actor);
	free(a->notes);
	free(a->policy);
	free(a->evidence);
	free(a);
}

void mmp_model_version_free(mmp_model_version *v)
{
	size_t i;

	if (!v)
		return;
	free(v->name);
	free(v->description);
	free(v->user_id);
	free(v->source);
	free(v->model_dir);
	free(v->status);
	for (i = 0; i < v->aliases_nr; i++)
		free(v->aliases[i]);
	free(v->aliases);
	for (i = 0; i < v->tags_nr; i++) {
		free((char *)v->tags[i].key);
		free((char *)v->tags[i].value);
	}
	free(v->tags);
	mmp_approval_free(v->approval);
	free(v);
}

void mmp_registered_model_free(mmp_registered_model *m)
{
	size_t i;

	if (!m)
		return;
	free(m->name);
	free(m->description);
	for (i = 0; i < m->versions_nr; i++)
		mmp_model_version_free(m->versions[i]);
	free(m->versions);
	for (i = 0; i < m->tags_nr; i++) {
		free((char *)m->tags[i].key);
		free((char *)m->tags[i].value);
	}
	free(m->tags);
	free(m);
}

void mmp_registered_model_list_free(mmp_registered_model_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		mmp_registered_model_free(l->items[i]);
	free(l->items);
	free(l);
}

void mmp_approval_list_free(mmp_approval_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		mmp_approval_free(l->items[i]);
	free(l->items);
	free(l);
}

int mmp_registry_model_get(mmp_registered_model **out, mmp_store *s,
	const char *name)
{
	int err;

	*out = NULL;
	if ((err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;
	return mmp_store__reg_model_load(s, name, mmp_registry__stage_of,
		out);
}

int mmp_registry_list(mmp_registered_model_list **out, mmp_store *s)
{
	mmp_registered_model_list *l = mmp__calloc(1, sizeof(*l));
	char **names = NULL;
	size_t nr = 0, i;
	int err;

	*out = NULL;
	if ((err = mmp_store__reg_model_names(s, &names, &nr)) < 0)
		goto done;
	l->items = mmp__calloc(nr ? nr : 1, sizeof(*l->items));
	for (i = 0; i < nr; i++) {
		if ((err = mmp_store__reg_model_load(s, names[i],
				mmp_registry__stage_of,
				&l->items[l->count])) < 0)
			goto done;
		l->count++;
	}
done:
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	if (err < 0)
		mmp_registered_model_list_free(l);
	else
		*out = l;
	return err;
}

int mmp_registry_version_get(mmp_model_version **out, mmp_store *s,
	const char *name, int64_t version)
{
	int err;

	*out = NULL;
	if ((err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;
	return mmp_store__reg_version_load(s, name, version,
		mmp_registry__stage_of, out);
}

int mmp_registry_version_lookup(mmp_model_version **out, mmp_store *s,
	const char *ref)
{
	struct mmp_registry__ref r;
	int64_t version;
	int err;

	*out = NULL;
	if ((err = mmp_registry__ref_parse(&r, ref)) < 0)
		return err;
	if ((err = mmp_registry__ref_version(&version, s, &r)) == 0)
		err = mmp_store__reg_version_load(s, r.name, version,
			mmp_registry__stage_of, out);
	mmp_registry__ref_release(&r);
	return err;
}

int mmp_registry_approvals(mmp_approval_list **out, mmp_store *s,
	const char *name, int pending_only)
{
	mmp_approval_list *l = mmp__calloc(1, sizeof(*l));
	int err = 0;

	*out = NULL;
	if (name && ((err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0))
		goto done;
	err = mmp_store__reg_approvals(s, name, pending_only, l);
done:
	if (err < 0)
		mmp_approval_list_free(l);
	else
		*out = l;
	return err;
}
