/* SPDX-License-Identifier: MIT */
/* audit.c: reading and verifying the audit log, replaying it to a
 * moment, and the times the commands accept */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int digits(const char *p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int mmp_registry_parse_time(int64_t *out_ms, const char *text)
{
	struct tm tm;
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	time_t t;

	*out_ms = 0;
	if (!p || !*p)
		goto bad;
	if (strlen(p) > 10 && !strchr(p, '-') &&
	    mmp_parse_int64(p, out_ms) == 0 && *out_ms > 0)
		return 0;
	if (strlen(p) < 10 || digits(p, 4, &y) || p[4] != '-' ||
	    digits(p + 5, 2, &mo) || p[7] != '-' || digits(p + 8, 2, &d))
		goto bad;
	p += 10;
	if (*p == 'T' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' ||
		    digits(p + 4, 2, &mi))
			goto bad;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec))
				goto bad;
			p += 3;
		}
		if (*p == 'Z')
			p++;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		goto bad;
	*out_ms = (int64_t)t * 1000;
	return 0;
bad:
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"invalid time '%s': expected 2026-11-23, "
		"2026-11-23T18:34:52Z or milliseconds since the epoch",
		text ? text : "");
}
