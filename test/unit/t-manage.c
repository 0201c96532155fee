/* SPDX-License-Identifier: MIT */
/* t-manage.c: unique run names, run and experiment changes, gc */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/store.h"

static char db[512];

static int start(mmp_store *s, const char *exp, const char *name,
	int unique, char id[33])
{
	mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;

	o.experiment = exp;
	o.run_name = name;
	o.unique_name = unique;
	return mmp_run_start(s, &o, id);
}

static char *name_of(mmp_store *s, const char *id)
{
	mmp_run *r = NULL;
	char *n;

	if (mmp_run_get(&r, s, id) < 0)
		return NULL;
	n = strdup(r->name);
	mmp_run_free(r);
	return n;
}

static const char *tag_of(mmp_store *s, const char *id, const char *key,
	char buf[64])
{
	mmp_run *r = NULL;
	const char *v = NULL;
	size_t i;

	if (mmp_run_get(&r, s, id) < 0)
		return NULL;
	for (i = 0; i < r->tags_nr; i++)
		if (!strcmp(r->tags[i].key, key)) {
			snprintf(buf, 64, "%s", r->tags[i].value);
			v = buf;
		}
	mmp_run_free(r);
	return v;
}

int main(void)
{
	mmp_store *s = NULL;
	char a[33], b[33], c[33], live[33], buf[64];
	mmp_kv set[] = { { "team", "ml" }, { "note", "x=y" } };
	const char *unset_missing[] = { "nope" };
	const char *unset_team[] = { "team" };
	mmp_gc_result g;
	mmp_experiment_list *l = NULL;
	int changed = -1;
	int64_t n = -1, id = -1;
	char *nm;

	snprintf(db, sizeof(db), "%s/s/.mmp/mmp.db", tap_tmpdir());
	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0)
		return diag("%s", mmp_error_last()->message), 1;

	/* unique names, taken in the transaction that records the run */
	is_int(start(s, "e", "n", 1, a), 0, "first run");
	is_int(start(s, "e", "n", 1, b), 0, "second run, same name");
	is_int(start(s, "f", "n", 1, c), 0, "third run, other experiment");
	nm = name_of(s, a);
	is_str(nm, "n", "the first keeps the name");
	free(nm);
	nm = name_of(s, b);
	is_str(nm, "n-2", "the second gets -2");
	free(nm);
	nm = name_of(s, c);
	is_str(nm, "n-3", "names are unique across experiments too");
	free(nm);
	is_str(tag_of(s, b, "mlflow.runName", buf), "n-2", "the tag follows");
	is_int(mmp_run_end(s, a, "FINISHED", NULL), 0, "end a");
	is_int(mmp_run_end(s, b, "FINISHED", NULL), 0, "end b");
	is_int(mmp_run_end(s, c, "FINISHED", NULL), 0, "end c");
	is_int(start(s, "e", "busy", 0, live), 0, "a running run");

	/* nothing touches a RUNNING run */
	is_int(mmp_run_delete(&changed, s, live), MMP_ECONFLICT,
		"delete refuses a RUNNING run");
	is_int(mmp_run_edit_tags(s, live, set, 1, NULL, 0), MMP_ECONFLICT,
		"tags too");
	is_int(mmp_run_rename(s, live, "other"), MMP_ECONFLICT, "rename too");

	/* tags: all or nothing */
	is_int(mmp_run_edit_tags(s, a, set, 2, unset_missing, 1),
		MMP_ENOTFOUND, "unsetting a missing tag fails");
	ok(tag_of(s, a, "team", buf) == NULL, "and sets nothing");
	is_int(mmp_run_edit_tags(s, a, set, 2, NULL, 0), 0, "set two tags");
	is_str(tag_of(s, a, "note", buf), "x=y", "a value with '='");
	is_int(mmp_run_edit_tags(s, a, NULL, 0, unset_team, 1), 0, "unset");
	ok(tag_of(s, a, "team", buf) == NULL, "gone");
	set[0].key = "mlflow.runName";
	is_int(mmp_run_edit_tags(s, a, set, 1, NULL, 0), MMP_EINVALID,
		"mlflow.runName is the run's name");

	/* rename keeps names unique */
	is_int(mmp_run_rename(s, a, "n-2"), MMP_EEXISTS, "a taken name");
	is_int(mmp_run_rename(s, a, "first"), 0, "a free name");
	is_str(tag_of(s, a, "mlflow.runName", buf), "first", "tag renamed");

	/* soft delete, restore, gc */
	is_int(mmp_run_delete(&changed, s, a), 0, "delete");
	is_int(changed, 1, "changed");
	is_int(mmp_run_delete(&changed, s, a), 0, "delete again");
	is_int(changed, 0, "no change");
	is_int(mmp_run_restore(&changed, s, a), 0, "restore");
	is_int(changed, 1, "changed back");
	is_int(mmp_run_delete(&changed, s, a), 0, "delete for gc");
	is_int(mmp_store_gc(&g, s, 1), 0, "gc dry run");
	is_int((long long)g.removed, 1, "would remove one run");
	mmp_gc_result_release(&g);
	nm = name_of(s, a);
	ok(nm != NULL, "still there after the dry run");
	free(nm);
	is_int(mmp_store_gc(&g, s, 0), 0, "gc");
	is_int((long long)g.removed, 1, "removed one run");
	mmp_gc_result_release(&g);
	ok(name_of(s, a) == NULL, "gone for good");
	mmp_error_clear();

	/* experiments */
	is_int(mmp_experiment_create(&id, s, "new"), 0, "create");
	is_int(mmp_experiment_create(&id, s, "new"), MMP_EEXISTS, "twice");
	is_int(mmp_experiment_rename(s, "new", "e"), MMP_EEXISTS,
		"rename onto a taken name");
	is_int(mmp_experiment_delete(&n, s, "Default"), MMP_ECONFLICT,
		"Default stays");
	is_int(mmp_experiment_delete(&n, s, "e"), MMP_ECONFLICT,
		"not with a RUNNING run");
	is_int(mmp_run_end(s, live, "FINISHED", NULL), 0, "end it");
	is_int(mmp_experiment_delete(&n, s, "e"), 0, "delete e");
	is_int(n, 2, "with its two runs");
	is_int(start(s, "e", NULL, 0, live), MMP_ECONFLICT,
		"no new run in a deleted experiment");
	is_int(mmp_experiments_list(&l, s, 0), 0, "list");
	is_int((long long)l->count, 3, "Default, f, new");
	mmp_experiment_list_free(l);
	is_int(mmp_experiment_restore(&n, s, "e"), 0, "restore e");
	is_int(n, 2, "and its runs");

	mmp_store_free(s);
	return done_testing();
}
