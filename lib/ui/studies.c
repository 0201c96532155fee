/* SPDX-License-Identifier: MIT */
/* studies.c: tuning studies: history, importance, slices, trials */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

static void study_href(mmp_buf *b, const char *name)
{
	mmp_buf u = MMP_BUF_INIT;

	mmp_buf_puts(&u, "/studies/");
	ui_u(&u, name);
	ui_h(b, u.ptr);
	mmp_buf_dispose(&u);
}

static void studies_list(struct ui_ctx *c)
{
	char **names = NULL;
	size_t n = 0, i;
	mmp_buf *b = c->out;

	if (mmp_study_names(&names, &n, c->store) < 0) {
		ui_error(c, 500, "%s", mmp_error_last()->message);
		return;
	}
	ui_page_begin(c, "Studies", 0);
	mmp_buf_puts(b, "<h1>Tuning studies</h1><table id=\"studies\">"
		"<caption>Studies, oldest first</caption><thead><tr>"
		"<th scope=\"col\">Study</th><th scope=\"col\">Metric</th>"
		"<th scope=\"col\">Trials</th><th scope=\"col\">Complete</th>"
		"<th scope=\"col\">Pruned</th><th scope=\"col\">Failed</th>"
		"<th scope=\"col\">Best</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		mmp_study *st = NULL;

		if (mmp_study_get(&st, c->store, names[i], 0) < 0)
			continue;
		mmp_buf_puts(b, "<tr><th scope=\"row\"><a href=\"");
		study_href(b, st->name);
		mmp_buf_puts(b, "\">");
		ui_h(b, st->name);
		mmp_buf_puts(b, "</a></th><td>");
		ui_h(b, st->metric);
		mmp_buf_printf(b, " (%s)</td><td class=\"num\">%zu</td>"
			"<td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
			"<td class=\"num\">%zu</td><td class=\"num\">",
			st->maximize ? "max" : "min", st->ntrials,
			st->ncomplete, st->npruned, st->nfail);
		if (st->best >= 0)
			ui_num(b, st->trials[st->best].value);
		mmp_buf_puts(b, "</td></tr>\n");
		mmp_study_free(st);
	}
	if (!n)
		mmp_buf_puts(b, "<tr><td colspan=\"7\">No studies; run 'mmp "
			"tune'.</td></tr>");
	mmp_buf_puts(b, "</tbody></table>");
	ui_page_end(c);
	mmp_study_names_free(names);
}

/* the last value a pruned trial reported */
static double last_reported(const mmp_trial *t)
{
	size_t i;

	for (i = t->nsteps; i-- > 0; )
		if (isfinite(t->steps[i]))
			return t->steps[i];
	return NAN;
}

static void history(mmp_buf *b, const mmp_study *st)
{
	size_t n = st->ntrials, i, nc = 0, np = 0;
	double *cx = mmp__calloc(n + 1, sizeof(double));
	double *cy = mmp__calloc(n + 1, sizeof(double));
	double *bx = mmp__calloc(n + 1, sizeof(double));
	double *by = mmp__calloc(n + 1, sizeof(double));
	double *px = mmp__calloc(n + 1, sizeof(double));
	double *py = mmp__calloc(n + 1, sizeof(double));
	double best = NAN;
	struct ui_series s[3];
	size_t ns = 0;

	for (i = 0; i < n; i++) {
		const mmp_trial *t = &st->trials[i];

		if (t->state == MMP_TRIAL_COMPLETE && isfinite(t->value)) {
			cx[nc] = (double)t->number;
			cy[nc] = t->value;
			if (isnan(best) || (st->maximize ? t->value > best :
			    t->value < best))
				best = t->value;
			bx[nc] = (double)t->number;
			by[nc++] = best;
		} else if (t->state == MMP_TRIAL_PRUNED) {
			px[np] = (double)t->number;
			py[np++] = last_reported(t);
		}
	}
	memset(s, 0, sizeof(s));
	s[ns].name = "complete trials";
	s[ns].x = cx;
	s[ns].y = cy;
	s[ns].n = nc;
	s[ns++].dots = 1;
	s[ns].name = "running best";
	s[ns].x = bx;
	s[ns].y = by;
	s[ns].n = nc;
	s[ns++].cls = "best";
	if (np) {
		s[ns].name = "pruned trials (last reported value)";
		s[ns].x = px;
		s[ns].y = py;
		s[ns].n = np;
		s[ns].dots = 1;
		s[ns++].cls = "pruned";
	}
	mmp_buf_puts(b, "<section aria-labelledby=\"history\"><h2 "
		"id=\"history\">Optimisation history</h2>");
	ui_line_chart(b, "history-chart", "Objective by trial, with the "
		"running best", "trial", s, ns);
	mmp_buf_puts(b, "</section>\n");
	free(cx);
	free(cy);
	free(bx);
	free(by);
	free(px);
	free(py);
}

static void importance(mmp_buf *b, const mmp_study *st)
{
	if (!st->nparams)
		return;
	mmp_buf_puts(b, "<section aria-labelledby=\"pimp\"><h2 id=\"pimp\">"
		"Parameter importance</h2>");
	ui_bar_chart(b, "param-importance", "Share of the objective's "
		"variance each parameter explains alone",
		(const char *const *)st->param_names, st->importance,
		st->nparams);
	mmp_buf_puts(b, "</section>\n");
}

/* the objective against each parameter, complete trials only */
static void slices(mmp_buf *b, const mmp_study *st)
{
	size_t p, i, n;
	double *x = mmp__calloc(st->ntrials + 1, sizeof(double));
	double *y = mmp__calloc(st->ntrials + 1, sizeof(double));

	mmp_buf_puts(b, "<section aria-labelledby=\"slices\"><h2 "
		"id=\"slices\">Slices</h2>");
	for (p = 0; p < st->nparams; p++) {
		struct ui_series s;
		mmp_buf id = MMP_BUF_INIT, title = MMP_BUF_INIT;

		for (i = 0, n = 0; i < st->ntrials; i++) {
			const mmp_trial *t = &st->trials[i];
			if (t->state != MMP_TRIAL_COMPLETE || p >= t->nparams)
				continue;
			x[n] = t->params[p].internal;
			y[n++] = t->value;
		}
		memset(&s, 0, sizeof(s));
		s.name = st->param_names[p];
		s.x = x;
		s.y = y;
		s.n = n;
		s.dots = 1;
		mmp_buf_printf(&id, "slice-%zu", p);
		mmp_buf_printf(&title, "%s against %s", st->metric,
			st->param_names[p]);
		ui_line_chart(b, id.ptr, title.ptr, st->param_names[p], &s, 1);
		mmp_buf_dispose(&id);
		mmp_buf_dispose(&title);
	}
	mmp_buf_puts(b, "</section>\n");
	free(x);
	free(y);
}

static void trials_table(mmp_buf *b, const mmp_study *st)
{
	size_t i, p;

	mmp_buf_puts(b, "<section aria-labelledby=\"trials\"><h2 "
		"id=\"trials\">Trials</h2><div class=\"scroll\"><table "
		"id=\"trials-table\"><caption>Every trial</caption><thead><tr>"
		"<th scope=\"col\">#</th><th scope=\"col\">State</th>"
		"<th scope=\"col\">Value</th>");
	for (p = 0; p < st->nparams; p++) {
		mmp_buf_puts(b, "<th scope=\"col\">");
		ui_h(b, st->param_names[p]);
		mmp_buf_puts(b, "</th>");
	}
	mmp_buf_puts(b, "<th scope=\"col\">Seconds</th><th scope=\"col\">Run"
		"</th></tr></thead><tbody>");
	for (i = 0; i < st->ntrials; i++) {
		const mmp_trial *t = &st->trials[i];

		mmp_buf_printf(b, "<tr%s><th scope=\"row\">%lld</th><td>"
			"<span class=\"status %s\">%s</span></td><td "
			"class=\"num\">", (long)i == st->best ?
			" class=\"differs\"" : "", (long long)t->number,
			mmp_trial_state_name(t->state),
			mmp_trial_state_name(t->state));
		if (t->state == MMP_TRIAL_COMPLETE)
			ui_num(b, t->value);
		mmp_buf_puts(b, "</td>");
		for (p = 0; p < st->nparams; p++) {
			mmp_buf_puts(b, "<td>");
			if (p < t->nparams)
				ui_h(b, t->params[p].value);
			mmp_buf_puts(b, "</td>");
		}
		mmp_buf_printf(b, "<td class=\"num\">%.1f</td><td>",
			t->duration);
		if (*t->run_id)
			mmp_buf_printf(b, "<a href=\"/runs/%s\">%.8s</a>",
				t->run_id, t->run_id);
		mmp_buf_puts(b, "</td></tr>\n");
	}
	mmp_buf_puts(b, "</tbody></table></div></section>\n");
}

void ui_page_studies(struct ui_ctx *c, const char *rest)
{
	mmp_study *st = NULL;
	mmp_buf *b = c->out;

	if (!*rest) {
		studies_list(c);
		return;
	}
	if (mmp_study_get(&st, c->store, rest, 1) < 0) {
		ui_error(c, 404, "no study '%s'", rest);
		return;
	}
	ui_page_begin(c, st->name, st->nrunning > 0);
	mmp_buf_puts(b, "<p><a href=\"/studies\">Studies</a></p><h1 "
		"id=\"study-name\">");
	ui_h(b, st->name);
	mmp_buf_puts(b, "</h1><dl class=\"facts\"><dt>Objective</dt><dd>");
	ui_h(b, st->metric);
	mmp_buf_printf(b, " (%s)</dd><dt>Sampler</dt><dd>",
		st->maximize ? "maximise" : "minimise");
	ui_h(b, st->sampler);
	mmp_buf_puts(b, "</dd><dt>Pruner</dt><dd>");
	ui_h(b, st->pruner);
	mmp_buf_printf(b, "</dd><dt>Trials</dt><dd id=\"trial-counts\">%zu "
		"of %lld: %zu complete, %zu pruned, %zu failed, %zu running"
		"</dd><dt>Seed</dt><dd>%lld</dd><dt>Recipe</dt><dd>",
		st->ntrials, (long long)st->target, st->ncomplete, st->npruned,
		st->nfail, st->nrunning, (long long)st->seed);
	ui_h(b, st->recipe_path);
	mmp_buf_puts(b, "</dd><dt>Data digest</dt><dd><code "
		"class=\"digest\">");
	ui_h(b, st->dataset_digest);
	mmp_buf_puts(b, "</code></dd>");
	if (st->best >= 0) {
		const mmp_trial *t = &st->trials[st->best];
		mmp_buf_printf(b, "<dt>Best</dt><dd id=\"best\">trial %lld: ",
			(long long)t->number);
		ui_num(b, t->value);
		if (*t->run_id)
			mmp_buf_printf(b, " (<a href=\"/runs/%s\">run %.8s"
				"</a>)", t->run_id, t->run_id);
		mmp_buf_puts(b, "</dd>");
	}
	mmp_buf_puts(b, "</dl>\n");
	history(b, st);
	importance(b, st);
	slices(b, st);
	trials_table(b, st);
	ui_page_end(c);
	mmp_study_free(st);
}
