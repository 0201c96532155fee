/* SPDX-License-Identifier: MIT */
/* t-registry.c: the registry API: policies, times, register, approve,
 * promote, aliases, delete, lineage, the audit chain and replay */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/registry.h"

static char db[512];

static int parse_policy(const char *text, mmp_diag_list **d)
{
	mmp_approval_policy *p = NULL;
	int err = mmp_approval_policy_parse(&p, d, text, strlen(text),
		"p.yaml");

	mmp_approval_policy_free(p);
	return err;
}

static void test_policy(void)
{
	mmp_diag_list *d = NULL;

	is_int(parse_policy("thresholds:\n  accuracy: {min: 0.7}\n", &d), 0,
		"a threshold policy parses");
	ok(d == NULL, "no diagnostics");
	is_int(parse_policy("approval:\n  comparison: {metric: auc}\n", &d),
		0, "a recipe's approval: section parses");
	is_int(parse_policy("thresholds:\n  acc: {mim: 1}\n", &d),
		MMP_EINVALID, "a misspelt bound");
	is_int((long long)mmp_diag_list_count(d), 1, "one problem");
	is_str(mmp_diag_list_get(d, 0)->message, "p.yaml:2:9: "
		"thresholds.acc.mim: unknown key 'mim'; did you mean 'min'?",
		"located, with the key path and a suggestion");
	mmp_diag_list_free(d);
	is_int(parse_policy("comparison:\n  metric: auc\n  direction: up\n",
		&d), MMP_EINVALID, "a bad direction");
	is_str(mmp_diag_list_get(d, 0)->key, "comparison.direction",
		"the key of the problem");
	is_int(mmp_diag_list_get(d, 0)->line, 3, "its line");
	mmp_diag_list_free(d);
	is_int(parse_policy("- a\n", NULL), MMP_EINVALID, "a list");
	is_str(mmp_error_last()->message, "p.yaml:1:1: expected a mapping "
		"with thresholds and comparison, got a list", "says what");
	is_int(parse_policy("{}\n", NULL), MMP_EINVALID, "an empty policy");
	{
		mmp_approval_policy *p = NULL;

		is_int(mmp_approval_policy_load(&p, NULL, "/nonexistent"),
			MMP_ENOTFOUND, "a missing file");
		ok(p == NULL, "no policy");
	}
}

static void test_time(void)
{
	int64_t t;

	is_int(mmp_registry_parse_time(&t, "2026-01-01"), 0, "a date");
	is_int(t, 1767225600000LL, "its first millisecond, UTC");
	is_int(mmp_registry_parse_time(&t, "2026-01-01T00:00:05Z"), 0,
		"a time");
	is_int(t, 1767225605000LL, "seconds");
	is_int(mmp_registry_parse_time(&t, "2026-01-01 00:01"), 0,
		"minutes, space");
	is_int(t, 1767225660000LL, "60 s later");
	is_int(mmp_registry_parse_time(&t, "1767225600123"), 0, "ms");
	is_int(t, 1767225600123LL, "as given");
	is_int(mmp_registry_parse_time(&t, "2026-02-30x"), MMP_EINVALID,
		"junk");
	is_int(mmp_registry_parse_time(&t, "2026-13-01"), MMP_EINVALID,
		"month 13");
	is_int(mmp_registry_parse_time(&t, ""), MMP_EINVALID, "empty");
	/* a day past its month's end was moved into the next month */
	is_int(mmp_registry_parse_time(&t, "2026-02-30"), MMP_EINVALID,
		"Feb 30");
	is_int(t, 0, "and no time given");
	is_int(mmp_registry_parse_time(&t, "2025-02-29T10:00Z"),
		MMP_EINVALID, "Feb 29 in a common year");
	is_int(mmp_registry_parse_time(&t, "2028-02-29T10:00Z"), 0,
		"Feb 29 in a leap year");
	is_int(t, 1835431200000LL, "its value");
	is_int(mmp_registry_parse_time(&t, "2026-01-01T00:00:05.5Z"),
		MMP_EINVALID, "no fractions");
	is_int(mmp_registry_parse_time(&t, "2026-01-01T00:00:05+01:00"),
		MMP_EINVALID, "no offsets");
	is_int(mmp_registry_parse_time(&t, "2026-01-01T24:00"),
		MMP_EINVALID, "hour 24");
	is_int(mmp_registry_parse_time(&t, "2026-01-01T00:00:60Z"), 0,
		"a leap second");
	is_int(t, 1767225660000LL, "as the next minute");
	is_int(mmp_registry_parse_time(&t, "1767225600"), MMP_EINVALID,
		"ten digits are not milliseconds");
}

/* a FINISHED run with a model directory and one metric */
static int make_run(mmp_store *s, double acc, char id[33])
{
	mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
	mmp_run_metric m = { "accuracy", acc, 0, 0 };
	mmp_artifact a = { "model/MLmodel", 1, NULL };
	mmp_buf dir = MMP_BUF_INIT;
	char cmd[1200], sha[65] = "";
	FILE *f;
	int err = -1;

	memset(sha, 'a', 64);
	a.sha256 = sha;
	if (mmp_run_start(s, &o, id) < 0 ||
	    mmp_run_log_metrics(s, id, &m, 1) < 0 ||
	    mmp_run_artifact_dir(&dir, s, id) < 0)
		goto done;
	snprintf(cmd, sizeof(cmd), "%s/model", dir.ptr);
	mmp_buf_puts(&dir, "/model/MLmodel");
	{
		char mk[1300];
		snprintf(mk, sizeof(mk), "mkdir -p '%s'", cmd);
		if (system(mk) != 0)
			goto done;
	}
	if (!(f = fopen(dir.ptr, "w")))
		goto done;
	fputs("x\n", f);
	fclose(f);
	if (mmp_run_log_artifacts(s, id, &a, 1) < 0 ||
	    mmp_run_end(s, id, "FINISHED", NULL) < 0)
		goto done;
	err = 0;
done:
	mmp_buf_dispose(&dir);
	return err;
}

static void test_flow(void)
{
	mmp_store *s = NULL;
	mmp_approval_policy *p = NULL;
	mmp_approve_options ao = MMP_APPROVE_OPTIONS_INIT;
	mmp_promote_options po = MMP_PROMOTE_OPTIONS_INIT;
	mmp_promote_result pr;
	mmp_approval *a = NULL;
	mmp_registered_model *m = NULL;
	mmp_registered_model_list *l = NULL;
	mmp_model_lineage *lin = NULL;
	mmp_audit_list *au = NULL;
	mmp_approval_list *al = NULL;
	mmp_registry_state st;
	mmp_model_ref ref;
	char good[33], bad[33];
	static const char pol[] =
		"thresholds: {accuracy: {min: 0.5}}\n"
		"comparison: {metric: accuracy, max_degradation: 0.01}\n";
	int64_t v = 0, prev = -1, rows = 0;

	snprintf(db, sizeof(db), "%s/s/.mmp/mmp.db", tap_tmpdir());
	if (mmp_store_open(&s, db, MMP_STORE_CREATE) < 0 ||
	    make_run(s, 0.9, good) < 0 || make_run(s, 0.2, bad) < 0) {
		diag("%s", mmp_error_last()->message);
		ok(0, "set up");
		mmp_store_free(s);
		return;
	}
	is_int(mmp_registry_register(&v, s, good, "m", NULL), 0, "register");
	is_int(v, 1, "version 1");
	is_int(mmp_registry_register(&v, s, bad, "m", NULL), 0, "again");
	is_int(v, 2, "version 2");
	is_int(mmp_registry_register(&v, s, good, "bad name!", NULL),
		MMP_EINVALID, "a bad name");
	is_int(v, 0, "no version");

	is_int(mmp_approval_policy_parse(&p, NULL, pol, strlen(pol), "pol"),
		0, "policy");
	ao.policy = p;
	is_int(mmp_registry_approve(&a, NULL, s, "m", 1, &ao), 0, "approve");
	is_int(a ? (long long)a->decision : -1, MMP_DECISION_APPROVED,
		"approved");
	mmp_approval_free(a);
	is_int(mmp_registry_approve(&a, NULL, s, "m", 2, &ao), 0,
		"approve v2");
	is_int(a ? (long long)a->decision : -1, MMP_DECISION_REJECTED,
		"rejected");
	mmp_approval_free(a);
	a = NULL;

	is_int(mmp_registry_promote(&pr, s, "m", 2, MMP_STAGE_PRODUCTION,
		NULL), MMP_ECONFLICT, "a rejected version is not promoted");
	is_int(mmp_registry_promote(&pr, s, "m", 1, MMP_STAGE_PRODUCTION,
		NULL), 0, "promote v1");
	is_int(pr.changed, 1, "changed");
	po.force = 1;
	is_int(mmp_registry_promote(&pr, s, "m", 2, MMP_STAGE_PRODUCTION,
		&po), MMP_EINVALID, "force without who and why");
	po.actor = "ops";
	po.notes = "incident 7";
	is_int(mmp_registry_promote(&pr, s, "m", 2, MMP_STAGE_PRODUCTION,
		&po), 0, "forced");
	is_int(pr.forced, 1, "reported as forced");
	is_int(pr.previous, 1, "v1 moved");
	is_int(pr.previous_to, MMP_STAGE_ARCHIVED, "to Archived");

	is_int(mmp_registry_alias_set(&prev, s, "m", "champion", 1, NULL), 0,
		"alias");
	is_int(prev, 0, "a new alias");
	is_int(mmp_registry_resolve(&ref, s, "m@champion"), 0, "resolves");
	is_int(ref.version, 1, "to v1");
	mmp_model_ref_release(&ref);
	is_int(mmp_registry_version_delete(s, "m", 1, 0, NULL), MMP_ECONFLICT,
		"an aliased version stays");
	is_str(mmp_error_last()->message, "cannot delete m version 1: it "
		"holds the alias 'champion' (use --force)", "why");

	is_int(mmp_registry_model_get(&m, s, "m"), 0, "model");
	is_int(m ? (long long)m->versions_nr : 0, 2, "two versions");
	if (m && m->versions_nr == 2) {
		is_int(m->versions[0]->stage, MMP_STAGE_ARCHIVED, "v1");
		is_int(m->versions[1]->stage, MMP_STAGE_PRODUCTION, "v2");
		is_str(m->versions[0]->aliases_nr ?
			m->versions[0]->aliases[0] : "", "champion", "alias");
		is_str(m->versions[1]->approval ?
			mmp_decision_name(m->versions[1]->approval->decision) :
			"", "REJECTED", "latest decision");
	}
	mmp_registered_model_free(m);
	is_int(mmp_registry_list(&l, s), 0, "list");
	is_int(l ? (long long)l->count : 0, 1, "one model");
	mmp_registered_model_list_free(l);
	is_int(mmp_registry_approvals(&al, s, NULL, 1), 0, "pending");
	is_int(al ? (long long)al->count : -1, 0, "nothing pending");
	mmp_approval_list_free(al);

	is_int(mmp_registry_lineage(&lin, s, "m@Production"), 0, "lineage");
	is_str(lin ? lin->run->run_id : "", bad, "the source run");
	is_int(lin ? lin->git_dirty : 0, -1, "no git tags: unknown");
	mmp_model_lineage_free(lin);

	is_int(mmp_registry_audit(&au, s, "m", 0, 0), 0, "audit");
	is_int(au ? (long long)au->count : 0, 8, "eight rows");
	if (au && au->count == 8) {
		is_str(au->items[6].action, "override", "the override");
		is_str(au->items[6].notes, "incident 7", "its notes");
		is_str(au->items[5].action, "archive", "archived first");
	}
	is_int(mmp_registry_state_at(&st, s, "m",
		au && au->count ? au->items[au->count - 1].time : 0), 0,
		"replay");
	is_int(st.versions[MMP_STAGE_PRODUCTION], 2, "v2 in Production");
	is_int(st.aliases_nr, 1, "one alias");
	mmp_registry_state_release(&st);
	mmp_audit_list_free(au);
	is_int(mmp_registry_audit_verify(s, &rows), 0, "verify");
	is_int(rows, 8, "eight rows checked");

	mmp_approval_policy_free(p);
	mmp_store_free(s);
}

int main(void)
{
	test_policy();
	test_time();
	test_flow();
	return done_testing();
}
