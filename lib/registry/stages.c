/* SPDX-License-Identifier: MIT */
/* stages.c: promote between stages, aliases, and deleting versions,
 * each in one transaction with its audit rows */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"

/* the approval rule of a promotion; 0 when allowed */
static int approval_rule(mmp_store *s, const char *name, int64_t version,
	mmp_stage stage, int *needs_override)
{
	mmp_approval *a = NULL;
	int err;

	*needs_override = 0;
	if (stage != MMP_STAGE_PRODUCTION && stage != MMP_STAGE_STAGING)
		return 0;
	if ((err = mmp_store__reg_latest_approval(s, name, version, &a)) < 0)
		return err;
	if (a && a->decision == MMP_DECISION_REJECTED)
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"cannot promote %s version %lld to %s: it was "
			"REJECTED (%s)", name, (long long)version,
			mmp_stage_name(stage), a->reason);
	else if (stage == MMP_STAGE_PRODUCTION &&
	    (!a || a->decision != MMP_DECISION_APPROVED))
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"cannot promote %s version %lld to Production: %s; "
			"run 'mmp approve %s v%lld'", name,
			(long long)version, a ? "its decision is NEEDS_REVIEW"
			: "it has no approval decision", name,
			(long long)version);
	if (err < 0)
		*needs_override = 1;
	mmp_approval_free(a);
	return err;
}

int mmp_registry_promote(mmp_promote_result *out, mmp_store *s,
	const char *name, int64_t version, mmp_stage stage,
	const mmp_promote_options *o)
{
	mmp_promote_options def = MMP_PROMOTE_OPTIONS_INIT;
	mmp_buf notes = MMP_BUF_INIT;
	char id[33];
	char *source = NULL;
	const char *actor;
	int64_t prev = 0;
	int err, override = 0;

	memset(out, 0, sizeof(*out));
	if (!o)
		o = &def;
	if (o->version != MMP_PROMOTE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown mmp_promote_options version %u", o->version);
	if ((unsigned)stage > MMP_STAGE_ARCHIVED)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"unknown stage %d", (int)stage);
	if (o->force && (!o->actor || !*o->actor || !o->notes ||
	    !*o->notes))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"forcing a promotion needs who (--by) and why "
			"(--notes)");
	actor = mmp_registry__actor(o->actor);
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;

	if ((err = mmp_store__reg_begin(s)) < 0)
		return err;
	if ((err = mmp_registry__version_brief(s, name, version, id,
			&out->from, &source)) < 0)
		goto fail;
	if (out->from == stage)
		goto commit;
	if ((err = approval_rule(s, name, version, stage, &override)) < 0) {
		if (!o->force)
			goto fail;
		mmp_error_clear();
		err = 0;
		out->forced = 1;
	}
	if (stage == MMP_STAGE_PRODUCTION) {
		if ((err = mmp_registry__stage_version(s, name,
				MMP_STAGE_PRODUCTION, &prev)) < 0)
			goto fail;
		if (prev) {
			mmp_stage to = o->keep_previous ?
				MMP_STAGE_STAGING : MMP_STAGE_ARCHIVED;

			mmp_buf_printf(&notes, "replaced by version %lld",
				(long long)version);
			if ((err = mmp_registry__set_stage(s, name, prev,
					to)) < 0 ||
			    (err = mmp_store__reg_audit_add(s, actor,
					to == MMP_STAGE_ARCHIVED ? "archive" :
					"promote", name, prev, "stage",
					"Production", mmp_stage_name(to),
					notes.ptr)) < 0)
				goto fail;
			out->previous = prev;
			out->previous_to = to;
		}
	}
	if ((err = mmp_registry__set_stage(s, name, version, stage)) < 0 ||
	    (err = mmp_store__reg_audit_add(s, actor, out->forced ?
			"override" : stage == MMP_STAGE_ARCHIVED ? "archive" :
			"promote", name, version, "stage",
			mmp_stage_name(out->from), mmp_stage_name(stage),
			o->notes)) < 0)
		goto fail;
	out->changed = 1;
commit:
	if ((err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	goto done;
fail:
	mmp_store__reg_rollback(s);
	memset(out, 0, sizeof(*out));
done:
	MMP_UNUSED(override);
	free(source);
	mmp_buf_dispose(&notes);
	return err;
}

static void version_text(char out[32], int64_t v)
{
	if (v)
		snprintf(out, 32, "v%lld", (long long)v);
	else
		out[0] = '\0';
}

static int alias_change(int64_t *out_previous, mmp_store *s,
	const char *name, const char *alias, int64_t version,
	const char *actor)
{
	mmp_buf subject = MMP_BUF_INIT;
	char before[32], after[32];
	int64_t prev = 0;
	int err;

	if (out_previous)
		*out_previous = 0;
	actor = mmp_registry__actor(actor);
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;
	if ((err = mmp_store__reg_begin(s)) < 0)
		return err;
	if (version && (err = mmp_registry__version_must_exist(s, name,
			version)) < 0)
		goto fail;
	if ((err = mmp_store__reg_alias_version(s, name, alias, &prev)) < 0)
		goto fail;
	if (!version && !prev) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"model '%s' has no alias '%s'", name, alias);
		goto fail;
	}
	if (prev != version) {
		version_text(before, prev);
		version_text(after, version);
		mmp_buf_printf(&subject, "alias %s", alias);
		if ((err = mmp_store__reg_alias_put(s, name, alias,
				version)) < 0 ||
		    (err = mmp_store__reg_audit_add(s, actor, "alias", name,
				version ? version : prev, subject.ptr,
				*before ? before : NULL,
				*after ? after : NULL, NULL)) < 0)
			goto fail;
	}
	if ((err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	if (out_previous)
		*out_previous = prev;
	goto done;
fail:
	mmp_store__reg_rollback(s);
done:
	mmp_buf_dispose(&subject);
	return err;
}

int mmp_registry_alias_set(int64_t *out_previous, mmp_store *s,
	const char *name, const char *alias, int64_t version,
	const char *actor)
{
	int err;

	if (out_previous)
		*out_previous = 0;
	if ((err = mmp_registry__check_alias(alias)) < 0)
		return err;
	if (version <= 0)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"invalid version %lld", (long long)version);
	return alias_change(out_previous, s, name, alias, version, actor);
}

int mmp_registry_alias_delete(int64_t *out_previous, mmp_store *s,
	const char *name, const char *alias, const char *actor)
{
	if (!alias || !*alias)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_REGISTRY,
			"the alias is empty");
	return alias_change(out_previous, s, name, alias, 0, actor);
}

int mmp_registry_version_delete(mmp_store *s, const char *name,
	int64_t version, int force, const char *actor)
{
	mmp_model_version *v = NULL;
	mmp_buf before = MMP_BUF_INIT, what = MMP_BUF_INIT;
	size_t i;
	int err;

	actor = mmp_registry__actor(actor);
	if ((err = mmp_registry__check_actor(actor)) < 0 ||
	    (err = mmp_registry__check_name(name)) < 0 ||
	    (err = mmp_registry__model_must_exist(s, name)) < 0)
		return err;
	if ((err = mmp_store__reg_begin(s)) < 0)
		return err;
	if ((err = mmp_store__reg_version_load(s, name, version,
		mmp_registry__stage_of, &v)) < 0)
		goto fail;
	mmp_buf_puts(&before, mmp_stage_name(v->stage));
	if (v->stage == MMP_STAGE_STAGING || v->stage == MMP_STAGE_PRODUCTION)
		mmp_buf_printf(&what, "it is in %s", mmp_stage_name(v->stage));
	for (i = 0; i < v->aliases_nr; i++)
		mmp_buf_printf(&before, "%s%s", i ? ", " : "; aliases: ",
			v->aliases[i]);
	if (v->aliases_nr) {
		mmp_buf_printf(&what, "%s %s ", what.size ? " and holds" :
			"it holds", v->aliases_nr > 1 ? "the aliases" :
			"the alias");
		for (i = 0; i < v->aliases_nr; i++)
			mmp_buf_printf(&what, "%s'%s'", i ? ", " : "",
				v->aliases[i]);
	}
	if (what.size && !force) {
		err = mmp_error_ret(MMP_ECONFLICT, MMP_ERROR_REGISTRY,
			"cannot delete %s version %lld: %s (use --force)",
			name, (long long)version, what.ptr);
		goto fail;
	}
	if ((err = mmp_store__reg_version_remove(s, name, version)) < 0 ||
	    (err = mmp_store__reg_audit_add(s, actor, "delete", name,
			version, "version", before.ptr, NULL,
			force && what.size ? "forced" : NULL)) < 0 ||
	    (err = mmp_store__reg_commit(s)) < 0)
		goto fail;
	goto done;
fail:
	mmp_store__reg_rollback(s);
done:
	mmp_model_version_free(v);
	mmp_buf_dispose(&before);
	mmp_buf_dispose(&what);
	return err;
}
