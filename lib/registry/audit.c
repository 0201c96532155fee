/* SPDX-License-Identifier: MIT */
/* audit.c: reading and verifying the audit log, replaying it to a
 * moment, and the times the commands accept */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry-internal.h"

int mmp_registry_audit(mmp_audit_list **out, mmp_store *s,
	const char *name, int64_t since, int64_t until)
{
	mmp_audit_list *l = mmp__calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (name && (err = mmp_registry__check_name(name)) < 0)
		goto done;
	err = mmp_store__reg_audit_list(s, name, since, until, l);
done:
	if (err < 0)
		mmp_audit_list_free(l);
	else
		*out = l;
	return err;
}

void mmp_audit_list_free(mmp_audit_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		mmp_audit_entry *e = &l->items[i];
		free(e->actor);
		free(e->action);
		free(e->name);
		free(e->subject);
		free(e->before);
		free(e->after);
		free(e->notes);
	}
	free(l->items);
	free(l);
}

int mmp_registry_audit_verify(mmp_store *s, int64_t *out_rows)
{
	return mmp_store__reg_audit_verify(s, out_rows);
}

/* --- replay --- */

struct vstate {
	int64_t version;
	mmp_stage stage;
};

static struct vstate *find_v(struct vstate *v, size_t n, int64_t version)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].version == version)
			return &v[i];
	return NULL;
}

static void alias_put(mmp_registry_state *st, const char *alias,
	int64_t version)
{
	size_t i;

	for (i = 0; i < st->aliases_nr; i++)
		if (!strcmp(st->aliases[i], alias))
			break;
	if (i == st->aliases_nr) {
		if (!version)
			return;
		st->aliases = mmp__reallocarray(st->aliases, i + 1,
			sizeof(*st->aliases));
		st->alias_versions = mmp__reallocarray(st->alias_versions,
			i + 1, sizeof(*st->alias_versions));
		st->aliases[i] = mmp__strdup(alias);
		st->aliases_nr++;
	}
	if (version) {
		st->alias_versions[i] = version;
		return;
	}
	free(st->aliases[i]);
	memmove(&st->aliases[i], &st->aliases[i + 1],
		(st->aliases_nr - i - 1) * sizeof(*st->aliases));
	memmove(&st->alias_versions[i], &st->alias_versions[i + 1],
		(st->aliases_nr - i - 1) * sizeof(*st->alias_versions));
	st->aliases_nr--;
}

static void drop_aliases_of(mmp_registry_state *st, int64_t version)
{
	size_t i = 0;

	while (i < st->aliases_nr) {
		if (st->alias_versions[i] == version)
			alias_put(st, st->aliases[i], 0);
		else
			i++;
	}
}

int mmp_registry_state_at(mmp_registry_state *out, mmp_store *s,
	const char *name, int64_t time)
{
	mmp_audit_list *l = NULL;
	struct vstate *v = NULL;
	size_t nr = 0, alloc = 0, i;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mmp_registry_audit(&l, s, name, 0, time + 1)) < 0)
		return err;
	if (!l->count) {
		char when[32];

		mmp_time_iso8601(when, time);
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_REGISTRY,
			"the audit log has nothing on model '%s' at or before "
			"%s", name, when);
		goto done;
	}
	for (i = 0; i < l->count; i++) {
		const mmp_audit_entry *e = &l->items[i];
		struct vstate *x = find_v(v, nr, e->version);
		mmp_stage stage;

		if (!strcmp(e->action, "register") && !x) {
			MMP_ALLOC_GROW(v, nr + 1, alloc);
			v[nr].version = e->version;
			v[nr++].stage = MMP_STAGE_NONE;
		} else if (!strcmp(e->action, "delete") && x) {
			*x = v[--nr];
			drop_aliases_of(out, e->version);
		} else if (x && e->subject && !strcmp(e->subject, "stage") &&
		    e->after && mmp_stage_parse(&stage, e->after) == 0) {
			x->stage = stage;
		} else if (e->subject && !strncmp(e->subject, "alias ", 6)) {
			int64_t to = 0;

			if (e->after)
				mmp_registry__parse_version(&to, e->after);
			alias_put(out, e->subject + 6, to);
		}
	}
	mmp_error_clear();
	for (i = 0; i < nr; i++)
		if (v[i].stage != MMP_STAGE_NONE &&
		    v[i].version > out->versions[v[i].stage])
			out->versions[v[i].stage] = v[i].version;
done:
	if (err < 0)
		mmp_registry_state_release(out);
	free(v);
	mmp_audit_list_free(l);
	return err;
}

void mmp_registry_state_release(mmp_registry_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->aliases_nr; i++)
		free(st->aliases[i]);
	free(st->aliases);
	free(st->alias_versions);
	memset(st, 0, sizeof(*st));
}

/* --- times --- */

/*
 * --since/--until/--at: milliseconds since the epoch (more than ten
 * digits, so a date is never read as a number), or a date, or a date
 * and time as `mmp audit` prints it ("2026-11-23T18:34:52Z"), with ' '
 * for 'T', the seconds and the 'Z' optional (UTC). No fractions and no
 * numeric offsets: the forms the help names, read by the one ISO 8601
 * parser, which also refuses a day past the end of its month.
 */
int mmp_registry_parse_time(int64_t *out_ms, const char *text)
{
	mmp_time_stamp t;

	*out_ms = 0;
	if (!text || !*text)
		goto bad;
	if (strlen(text) > 10 && !strchr(text, '-') &&
	    mmp_parse_int64(text, out_ms) == 0 && *out_ms > 0)
		return 0;
	*out_ms = 0;
	if (mmp_time_parse_str(&t, text, MMP_TIME_DATE | MMP_TIME_SPACE |
	    MMP_TIME_NO_SECONDS | MMP_TIME_ZONE_OPTIONAL |
	    MMP_TIME_NO_FRACTION | MMP_TIME_ZULU) < 0)
		goto bad;
	*out_ms = mmp_time_stamp_ms(&t);
	return 0;
bad:
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"invalid time '%s': expected 2026-11-23, "
		"2026-11-23T18:34:52Z or milliseconds since the epoch",
		text ? text : "");
}
