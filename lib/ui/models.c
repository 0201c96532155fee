/* SPDX-License-Identifier: MIT */
/* models.c: the registry: models, versions, lineage, approvals, audit */
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

static void audit_verdict(struct ui_ctx *c)
{
	int64_t rows = 0;
	int err = mmp_registry_audit_verify(c->store, &rows);

	mmp_buf_puts(c->out, "<p id=\"audit-verdict\" class=\"");
	if (err == 0) {
		mmp_buf_printf(c->out, "verdict-ok\">Audit log: %lld "
			"row%s, the hash chain is intact.</p>",
			(long long)rows, rows == 1 ? "" : "s");
	} else {
		mmp_buf_puts(c->out, "error\" role=\"alert\">Audit log: ");
		ui_h(c->out, mmp_error_last()->message);
		mmp_buf_puts(c->out, "</p>");
	}
	mmp_buf_puts(c->out, "\n");
}

static void model_href(mmp_buf *b, const char *name)
{
	mmp_buf u = MMP_BUF_INIT;

	mmp_buf_puts(&u, "/models/");
	ui_u(&u, name);
	ui_h(b, u.ptr);
	mmp_buf_dispose(&u);
}

static void aliases(mmp_buf *b, const mmp_model_version *v)
{
	size_t i;

	for (i = 0; i < v->aliases_nr; i++) {
		mmp_buf_puts(b, i ? ", @" : "@");
		ui_h(b, v->aliases[i]);
	}
}

static void models_list(struct ui_ctx *c)
{
	mmp_registered_model_list *l = NULL;
	mmp_buf *b = c->out;
	size_t i, j;

	if (mmp_registry_list(&l, c->store) < 0) {
		ui_error(c, 500, "%s", mmp_error_last()->message);
		return;
	}
	ui_page_begin(c, "Models", 0);
	mmp_buf_puts(b, "<h1>Registered models</h1>");
	audit_verdict(c);
	mmp_buf_puts(b, "<table id=\"models\"><caption>Models and where their "
		"versions stand</caption><thead><tr><th scope=\"col\">Model"
		"</th><th scope=\"col\">Versions</th><th scope=\"col\">"
		"Production</th><th scope=\"col\">Staging</th>"
		"<th scope=\"col\">Aliases</th><th scope=\"col\">Updated</th>"
		"</tr></thead><tbody>");
	for (i = 0; i < l->count; i++) {
		const mmp_registered_model *m = l->items[i];
		int64_t prod = 0, stag = 0;
		mmp_buf al = MMP_BUF_INIT;

		for (j = 0; j < m->versions_nr; j++) {
			const mmp_model_version *v = m->versions[j];
			if (v->stage == MMP_STAGE_PRODUCTION)
				prod = v->version;
			if (v->stage == MMP_STAGE_STAGING)
				stag = v->version;
			if (v->aliases_nr) {
				if (al.size)
					mmp_buf_puts(&al, ", ");
				aliases(&al, v);
				mmp_buf_printf(&al, " \xe2\x86\x92 v%lld",
					(long long)v->version);
			}
		}
		mmp_buf_puts(b, "<tr><th scope=\"row\"><a href=\"");
		model_href(b, m->name);
		mmp_buf_puts(b, "\">");
		ui_h(b, m->name);
		mmp_buf_printf(b, "</a></th><td class=\"num\">%zu</td>",
			m->versions_nr);
		if (prod)
			mmp_buf_printf(b, "<td>v%lld</td>", (long long)prod);
		else
			mmp_buf_puts(b, "<td>-</td>");
		if (stag)
			mmp_buf_printf(b, "<td>v%lld</td>", (long long)stag);
		else
			mmp_buf_puts(b, "<td>-</td>");
		mmp_buf_puts(b, "<td>");
		ui_h(b, al.ptr);
		mmp_buf_puts(b, "</td><td>");
		ui_time(b, m->last_updated_time);
		mmp_buf_puts(b, "</td></tr>\n");
		mmp_buf_dispose(&al);
	}
	if (!l->count)
		mmp_buf_puts(b, "<tr><td colspan=\"6\">No registered models."
			"</td></tr>");
	mmp_buf_puts(b, "</tbody></table>");
	ui_page_end(c);
	mmp_registered_model_list_free(l);
}

static void versions_table(mmp_buf *b, const mmp_registered_model *m)
{
	size_t i;

	mmp_buf_puts(b, "<table id=\"versions\"><caption>Versions</caption>"
		"<thead><tr><th scope=\"col\">Version</th><th scope=\"col\">"
		"Stage</th><th scope=\"col\">Aliases</th><th scope=\"col\">"
		"Latest decision</th><th scope=\"col\">Run</th>"
		"<th scope=\"col\">Registered</th><th scope=\"col\">By</th>"
		"</tr></thead><tbody>");
	for (i = m->versions_nr; i-- > 0; ) {
		const mmp_model_version *v = m->versions[i];

		mmp_buf_printf(b, "<tr><th scope=\"row\">v%lld</th><td>%s"
			"</td><td>", (long long)v->version,
			mmp_stage_name(v->stage));
		aliases(b, v);
		mmp_buf_printf(b, "</td><td>%s</td><td><a href=\"/runs/%s\">"
			"%.8s</a></td><td>", v->approval ?
			mmp_decision_name(v->approval->decision) : "-",
			v->run_id, v->run_id);
		ui_time(b, v->creation_time);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, v->user_id);
		mmp_buf_puts(b, "</td></tr>\n");
	}
	mmp_buf_puts(b, "</tbody></table>\n");
}

/* version -> run -> data -> recipe -> commit, one row per version */
static void lineage_table(struct ui_ctx *c, const mmp_registered_model *m)
{
	mmp_buf *b = c->out;
	size_t i, j;

	mmp_buf_puts(b, "<section aria-labelledby=\"lineage\"><h2 "
		"id=\"lineage\">Lineage</h2><table id=\"lineage-table\">"
		"<caption>Version \xe2\x86\x92 run \xe2\x86\x92 data "
		"\xe2\x86\x92 recipe \xe2\x86\x92 commit</caption><thead>"
		"<tr>"
		"<th scope=\"col\">Version</th><th scope=\"col\">Run</th>"
		"<th scope=\"col\">Data</th><th scope=\"col\">Recipe</th>"
		"<th scope=\"col\">Commit</th></tr></thead><tbody>");
	for (i = m->versions_nr; i-- > 0; ) {
		const mmp_model_version *v = m->versions[i];
		mmp_model_lineage *l = NULL;
		mmp_buf ref = MMP_BUF_INIT;

		mmp_buf_printf(&ref, "%s/%lld", m->name, (long long)v->version);
		mmp_buf_printf(b, "<tr><th scope=\"row\">v%lld</th>",
			(long long)v->version);
		if (mmp_registry_lineage(&l, c->store, ref.ptr) < 0) {
			mmp_buf_puts(b, "<td colspan=\"4\">");
			ui_h(b, mmp_error_last()->message);
			mmp_buf_puts(b, "</td></tr>");
			mmp_buf_dispose(&ref);
			continue;
		}
		mmp_buf_printf(b, "<td><a href=\"/runs/%s\">", v->run_id);
		ui_h(b, l->run && l->run->name ? l->run->name : v->run_id);
		mmp_buf_puts(b, "</a></td><td>");
		for (j = 0; l->run && j < l->run->datasets_nr; j++) {
			const mmp_dataset_input *d = &l->run->datasets[j];
			if (j)
				mmp_buf_puts(b, "<br>");
			ui_h(b, d->name);
			mmp_buf_puts(b, " <code class=\"digest\">");
			ui_h(b, d->digest);
			mmp_buf_puts(b, "</code>");
		}
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, l->recipe_path);
		if (l->recipe_sha256) {
			mmp_buf_puts(b, " <code class=\"digest\">");
			ui_hn(b, l->recipe_sha256, strnlen(l->recipe_sha256,
				12));
			mmp_buf_puts(b, "</code>");
		}
		mmp_buf_puts(b, "</td><td>");
		if (l->git_commit) {
			mmp_buf_puts(b, "<code>");
			ui_hn(b, l->git_commit, strnlen(l->git_commit, 12));
			mmp_buf_puts(b, "</code>");
			ui_h(b, l->git_dirty == 1 ? " (with uncommitted "
				"changes)" : "");
		} else {
			mmp_buf_puts(b, "not recorded");
		}
		mmp_buf_puts(b, "</td></tr>\n");
		mmp_model_lineage_free(l);
		mmp_buf_dispose(&ref);
	}
	mmp_buf_puts(b, "</tbody></table></section>\n");
}

static void approvals_table(struct ui_ctx *c, const char *name)
{
	mmp_approval_list *l = NULL;
	mmp_buf *b = c->out;
	size_t i;

	if (mmp_registry_approvals(&l, c->store, name, 0) < 0)
		return;
	mmp_buf_puts(b, "<section aria-labelledby=\"approvals\"><h2 "
		"id=\"approvals\">Approvals</h2><table id=\"approvals-table\">"
		"<caption>Decisions, newest first, with their evidence"
		"</caption><thead><tr><th scope=\"col\">When</th>"
		"<th scope=\"col\">Version</th><th scope=\"col\">Decision</th>"
		"<th scope=\"col\">By</th><th scope=\"col\">Reason</th>"
		"<th scope=\"col\">Evidence</th></tr></thead><tbody>");
	for (i = l->count; i-- > 0; ) {
		const mmp_approval *a = l->items[i];

		mmp_buf_puts(b, "<tr><td>");
		ui_time(b, a->time);
		mmp_buf_printf(b, "</td><td>v%lld</td><td>%s</td><td>",
			(long long)a->version, mmp_decision_name(a->decision));
		ui_h(b, a->actor);
		mmp_buf_puts(b, a->manual ? " (by hand)" : " (policy)");
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, a->reason);
		if (a->notes) {
			mmp_buf_puts(b, "<br>");
			ui_h(b, a->notes);
		}
		mmp_buf_puts(b, "</td><td>");
		if (a->evidence && *a->evidence) {
			mmp_buf_puts(b, "<details><summary>Evidence</summary>"
				"<pre tabindex=\"0\"><code>");
			ui_h(b, a->evidence);
			mmp_buf_puts(b, "</code></pre></details>");
		}
		mmp_buf_puts(b, "</td></tr>\n");
	}
	if (!l->count)
		mmp_buf_puts(b, "<tr><td colspan=\"6\">No decisions yet.</td>"
			"</tr>");
	mmp_buf_puts(b, "</tbody></table></section>\n");
	mmp_approval_list_free(l);
}

static void audit_table(struct ui_ctx *c, const char *name)
{
	mmp_audit_list *l = NULL;
	mmp_buf *b = c->out;
	size_t i;

	if (mmp_registry_audit(&l, c->store, name, 0, 0) < 0)
		return;
	mmp_buf_puts(b, "<section aria-labelledby=\"audit\"><h2 "
		"id=\"audit\">Audit log</h2>");
	audit_verdict(c);
	mmp_buf_puts(b, "<table id=\"audit-table\"><caption>Every change, "
		"oldest first</caption><thead><tr><th scope=\"col\">#</th>"
		"<th scope=\"col\">When</th><th scope=\"col\">Who</th>"
		"<th scope=\"col\">Action</th><th scope=\"col\">Version</th>"
		"<th scope=\"col\">What</th><th scope=\"col\">Before</th>"
		"<th scope=\"col\">After</th><th scope=\"col\">Hash</th>"
		"</tr></thead><tbody>");
	for (i = 0; i < l->count; i++) {
		const mmp_audit_entry *e = &l->items[i];

		mmp_buf_printf(b, "<tr><td class=\"num\">%lld</td><td>",
			(long long)e->seq);
		ui_time(b, e->time);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, e->actor);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, e->action);
		mmp_buf_puts(b, "</td><td>");
		if (e->version)
			mmp_buf_printf(b, "v%lld", (long long)e->version);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, e->subject);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, e->before);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, e->after);
		mmp_buf_printf(b, "</td><td><code class=\"digest\">%.12s</code>"
			"</td></tr>\n", e->hash);
	}
	mmp_buf_puts(b, "</tbody></table></section>\n");
	mmp_audit_list_free(l);
}

void ui_page_models(struct ui_ctx *c, const char *rest)
{
	mmp_registered_model *m = NULL;
	mmp_buf *b = c->out;

	if (!*rest) {
		models_list(c);
		return;
	}
	if (strchr(rest, '/') ||
	    mmp_registry_model_get(&m, c->store, rest) < 0) {
		ui_error(c, 404, "no model '%s'", rest);
		return;
	}
	ui_page_begin(c, m->name, 0);
	mmp_buf_puts(b, "<p><a href=\"/models\">Models</a></p><h1 "
		"id=\"model-name\">");
	ui_h(b, m->name);
	mmp_buf_puts(b, "</h1>");
	if (m->description && *m->description) {
		mmp_buf_puts(b, "<p>");
		ui_h(b, m->description);
		mmp_buf_puts(b, "</p>");
	}
	versions_table(b, m);
	lineage_table(c, m);
	approvals_table(c, m->name);
	audit_table(c, m->name);
	ui_page_end(c);
	mmp_registered_model_free(m);
}
