/* SPDX-License-Identifier: MIT */
/* run.c: one run: facts, lineage, data, recipe, charts, artifacts */
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mmp/sync.h"
#include "ui-internal.h"

#define RECIPE_MAX (256u << 10)
#define JSON_MAX (4u << 20)
#define TOP_FEATURES 30

static const char *tag(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->tags_nr; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return NULL;
}

static const mmp_artifact *artifact(const mmp_run *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->artifacts_nr; i++)
		if (!strcmp(r->artifacts[i].path, path))
			return &r->artifacts[i];
	return NULL;
}

/*
 * Open the artifact `rel` of run `r` for reading: it must be a recorded
 * artifact, and the file must resolve (symlinks followed) to a regular
 * file inside the store's artifact root. -1 (errno-free) when not.
 */
static int open_artifact(struct ui_ctx *c, const mmp_run *r,
	const char *rel, uint64_t *size, int *status, mmp_buf *why)
{
	mmp_buf p = MMP_BUF_INIT;
	size_t rootlen = strlen(c->ui->artifact_root);
	struct stat st;
	char *real = NULL;
	int fd = -1;

	*status = 404;
	if (!artifact(r, rel)) {
		mmp_buf_printf(why, "run '%s' has no artifact '%s'",
			r->run_id, rel);
		return -1;
	}
	mmp_path_join(&p, mmp_store_dir(c->store), r->artifact_uri);
	mmp_buf_putc(&p, '/');
	mmp_buf_puts(&p, rel);
	real = realpath(p.ptr, NULL);
	if (!real) {
		mmp_buf_printf(why, "the file of artifact '%s' is missing",
			rel);
		goto done;
	}
	if (strncmp(real, c->ui->artifact_root, rootlen) ||
	    real[rootlen] != '/') {
		*status = 403;
		mmp_buf_printf(why, "artifact '%s' points outside the "
			"artifact root", rel);
		goto done;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*status = 403;
		mmp_buf_printf(why, "artifact '%s' is not a regular file",
			rel);
		if (fd >= 0)
			close(fd);
		fd = -1;
		goto done;
	}
	*size = (uint64_t)st.st_size;
	*status = 200;
done:
	free(real);
	mmp_buf_dispose(&p);
	return fd;
}

/* read a small artifact whole into `out`; 0 or -1 */
static int read_artifact(struct ui_ctx *c, const mmp_run *r,
	const char *rel, size_t max, mmp_buf *out)
{
	mmp_buf why = MMP_BUF_INIT;
	uint64_t size = 0;
	int status, fd = open_artifact(c, r, rel, &size, &status, &why);
	char tmp[8192];
	ssize_t n;

	mmp_buf_dispose(&why);
	if (fd < 0)
		return -1;
	if (size > max) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) > 0 && out->size <= max)
		mmp_buf_put(out, tmp, (size_t)n);
	close(fd);
	return n < 0 || out->size > max ? -1 : 0;
}

static int text_type(const char *path)
{
	static const char *const ext[] = {
		".json", ".yaml", ".yml", ".txt", ".csv", ".md", ".py",
		".log", ".toml", ".cfg",
	};
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	if (!strcmp(base, "MLmodel"))
		return 1;
	for (i = 0; i < ARRAY_SIZE(ext); i++)
		if (mmp_str_ends_with(base, ext[i]))
			return 1;
	return 0;
}

/* 1 when a path has an empty, "." or ".." part (a final '/' is fine) */
static int bad_path(const char *rel)
{
	const char *p = rel, *e;
	size_t n;

	if (!*rel)
		return 0;
	for (;;) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (!e && !n)
			return 0;
		if (!n || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* GET /runs/<id>/artifacts/<path>: the file, or a listing of a folder */
static void artifact_get(struct ui_ctx *c, const mmp_run *r,
	const char *rel)
{
	mmp_buf why = MMP_BUF_INIT, disp = MMP_BUF_INIT;
	const char *p, *base;
	uint64_t size = 0;
	size_t i, shown = 0, len = strlen(rel);
	int status, fd;

	if (bad_path(rel)) {
		ui_error(c, 400, "bad artifact path '%s': no empty, '.' or "
			"'..' parts", rel);
		return;
	}
	if (strchr(rel, '\\')) {
		ui_error(c, 400, "bad artifact path '%s'", rel);
		return;
	}
	if (!len || rel[len - 1] == '/') {
		/* a folder: the recorded artifacts below it */
		ui_page_begin(c, rel, 0);
		mmp_buf_printf(c->out, "<p><a href=\"/runs/%s\">Run ",
			r->run_id);
		ui_h(c->out, r->name);
		mmp_buf_puts(c->out, "</a></p><h1>Artifacts in ");
		ui_h(c->out, rel);
		mmp_buf_puts(c->out, "</h1><table class=\"artifacts\"><thead>"
			"<tr><th scope=\"col\">Path</th><th scope=\"col\">"
			"Size</th></tr></thead><tbody>");
		for (i = 0; i < r->artifacts_nr; i++) {
			const mmp_artifact *a = &r->artifacts[i];
			if (!mmp_str_starts_with(a->path, rel))
				continue;
			mmp_buf_printf(c->out, "<tr><td><a href=\"/runs/%s/"
				"artifacts/", r->run_id);
			ui_h(c->out, a->path);
			mmp_buf_puts(c->out, "\">");
			ui_h(c->out, a->path + len);
			mmp_buf_puts(c->out, "</a></td><td class=\"num\">");
			ui_size(c->out, a->size);
			mmp_buf_puts(c->out, "</td></tr>");
			shown++;
		}
		mmp_buf_puts(c->out, "</tbody></table>");
		ui_page_end(c);
		if (!shown)
			ui_error(c, 404, "run '%s' has no artifacts in '%s'",
				r->run_id, rel);
		return;
	}
	fd = open_artifact(c, r, rel, &size, &status, &why);
	if (fd < 0) {
		ui_error(c, status, "%s", why.ptr);
		mmp_buf_dispose(&why);
		return;
	}
	c->resp->fd = fd;
	c->resp->fd_size = size;
	base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (text_type(rel)) {
		c->resp->content_type = "text/plain; charset=utf-8";
		mmp_buf_puts(&disp, "inline");
	} else {
		c->resp->content_type = "application/octet-stream";
		mmp_buf_puts(&disp, "attachment");
	}
	/* a filename only when it needs no quoting */
	for (p = base; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			break;
	if (!*p && *base)
		mmp_buf_printf(&disp, "; filename=\"%s\"", base);
	mmp_serve_reply_header(c->resp, "Content-Disposition", disp.ptr);
	mmp_serve_reply_header(c->resp, "Content-Security-Policy",
		"sandbox");
	mmp_buf_dispose(&disp);
	mmp_buf_dispose(&why);
}

static void dl_item(mmp_buf *b, const char *term, const char *text)
{
	if (!text || !*text)
		return;
	mmp_buf_printf(b, "<dt>%s</dt><dd>", term);
	ui_h(b, text);
	mmp_buf_puts(b, "</dd>");
}

static void facts(mmp_buf *b, const mmp_run *r)
{
	mmp_buf_printf(b, "<dl class=\"facts\"><dt>Run id</dt><dd><code>%s"
		"</code></dd><dt>Status</dt><dd><span class=\"status %s\">"
		"%s</span></dd>", r->run_id, r->dead ? "DEAD" : r->status,
		r->dead ? "DEAD (its process is gone)" : r->status);
	if (r->origin) {
		mmp_buf_puts(b, "<dt>Origin</dt><dd><span class=\"badge "
			"remote\">remote</span> <span id=\"origin\">");
		ui_h(b, r->origin);
		mmp_buf_puts(b, "</span>, run <code id=\"remote-run-id\">");
		ui_h(b, r->remote_run_id);
		mmp_buf_puts(b, "</code></dd>");
	}
	dl_item(b, "Experiment", r->experiment_name);
	dl_item(b, "Kind", r->kind);
	dl_item(b, "User", r->user_id);
	mmp_buf_puts(b, "<dt>Start</dt><dd>");
	ui_time(b, r->start_time);
	mmp_buf_puts(b, "</dd>");
	if (r->end_time) {
		mmp_buf_puts(b, "<dt>End</dt><dd>");
		ui_time(b, r->end_time);
		mmp_buf_puts(b, "</dd><dt>Duration</dt><dd>");
		ui_duration(b, r->end_time - r->start_time);
		mmp_buf_puts(b, "</dd>");
	}
	dl_item(b, "Source", r->source_name);
	if (r->parent_run_id)
		mmp_buf_printf(b, "<dt>Parent run</dt><dd><a href=\"/runs/%s\">"
			"%.8s</a></dd>", r->parent_run_id, r->parent_run_id);
	dl_item(b, "Host", r->hostname);
	dl_item(b, "Error", tag(r, "mmp.error"));
	mmp_buf_puts(b, "</dl>\n");
}

static void lineage(mmp_buf *b, const mmp_run *r)
{
	const char *commit = tag(r, "mlflow.source.git.commit");

	mmp_buf_puts(b, "<section aria-labelledby=\"lineage\"><h2 "
		"id=\"lineage\">Lineage</h2><dl class=\"facts\">");
	dl_item(b, "Git commit", commit);
	dl_item(b, "Branch", tag(r, "mlflow.source.git.branch"));
	dl_item(b, "Repository", tag(r, "mlflow.source.git.repoURL"));
	dl_item(b, "Uncommitted changes", tag(r, "mmp.git.dirty"));
	dl_item(b, "Recipe", tag(r, "mmp.recipe.path"));
	dl_item(b, "Recipe sha256", tag(r, "mmp.recipe.sha256"));
	dl_item(b, "Seed", tag(r, "mmp.seed"));
	dl_item(b, "mmp", tag(r, "mmp.version"));
	dl_item(b, "XGBoost", tag(r, "mmp.xgboost.version"));
	if (!commit)
		mmp_buf_printf(b, "<dt>Git</dt><dd id=\"git-none\">not recorded "
			"(%s)</dd>", r->origin ? "the server's run names no "
			"commit" : "not run in a git repository");
	mmp_buf_puts(b, "</dl></section>\n");
}

static void datasets(mmp_buf *b, const mmp_run *r)
{
	size_t i;

	mmp_buf_puts(b, "<section aria-labelledby=\"data\"><h2 id=\"data\">"
		"Data</h2><table class=\"datasets\"><thead><tr>"
		"<th scope=\"col\">Name</th><th scope=\"col\">Context</th>"
		"<th scope=\"col\">Digest</th><th scope=\"col\">Rows</th>"
		"<th scope=\"col\">Columns</th><th scope=\"col\">Source</th>"
		"</tr></thead><tbody>");
	for (i = 0; i < r->datasets_nr; i++) {
		const mmp_dataset_input *d = &r->datasets[i];
		mmp_buf_puts(b, "<tr><td>");
		ui_h(b, d->name);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, d->context);
		mmp_buf_puts(b, "</td><td><code class=\"digest\">");
		ui_h(b, d->digest);
		mmp_buf_puts(b, "</code></td><td class=\"num\">");
		if (d->rows >= 0)
			mmp_buf_printf(b, "%lld", (long long)d->rows);
		mmp_buf_puts(b, "</td><td class=\"num\">");
		if (d->columns >= 0)
			mmp_buf_printf(b, "%lld", (long long)d->columns);
		mmp_buf_puts(b, "</td><td>");
		ui_h(b, d->source);
		mmp_buf_puts(b, "</td></tr>");
	}
	if (!r->datasets_nr)
		mmp_buf_puts(b, "<tr><td colspan=\"6\">none recorded</td>"
			"</tr>");
	mmp_buf_puts(b, "</tbody></table></section>\n");
}

static const mmp_run_metric *metric_of(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->metrics_nr; i++)
		if (!strcmp(r->metrics[i].key, key))
			return &r->metrics[i];
	return NULL;
}

/* "<m>_ci_low" of a metric <m> the run has: shown in <m>'s row */
static int is_interval_of(const mmp_run *r, const char *key)
{
	const char *suffix[] = { "_ci_low", "_ci_high" };
	size_t i, n = strlen(key), k;
	int found = 0;

	for (i = 0; i < 2; i++) {
		k = strlen(suffix[i]);
		if (n > k && !strcmp(key + n - k, suffix[i])) {
			char *base = mmp__strndup(key, n - k);
			found = metric_of(r, base) != NULL;
			free(base);
		}
	}
	return found;
}

static void metrics_table(mmp_buf *b, const mmp_run *r)
{
	mmp_buf key = MMP_BUF_INIT;
	size_t i, shown = 0;

	mmp_buf_puts(b, "<table class=\"kv\" id=\"metrics\"><caption>"
		"Metrics (latest value)</caption><thead><tr><th scope=\"col\">"
		"Key</th><th scope=\"col\">Value</th><th scope=\"col\">"
		"Interval</th><th scope=\"col\">Step</th></tr></thead>"
		"<tbody>");
	for (i = 0; i < r->metrics_nr; i++) {
		const mmp_run_metric *lo, *hi;

		if (is_interval_of(r, r->metrics[i].key))
			continue;
		mmp_buf_clear(&key);
		mmp_buf_printf(&key, "%s_ci_low", r->metrics[i].key);
		lo = metric_of(r, key.ptr);
		mmp_buf_clear(&key);
		mmp_buf_printf(&key, "%s_ci_high", r->metrics[i].key);
		hi = metric_of(r, key.ptr);
		mmp_buf_puts(b, "<tr><th scope=\"row\">");
		ui_h(b, r->metrics[i].key);
		mmp_buf_puts(b, "</th><td class=\"num\">");
		ui_num(b, r->metrics[i].value);
		mmp_buf_puts(b, "</td><td class=\"num\">");
		if (lo && hi) {
			mmp_buf_putc(b, '[');
			ui_num(b, lo->value);
			mmp_buf_puts(b, ", ");
			ui_num(b, hi->value);
			mmp_buf_putc(b, ']');
		}
		mmp_buf_printf(b, "</td><td class=\"num\">%lld</td></tr>",
			(long long)r->metrics[i].step);
		shown++;
	}
	if (!shown)
		mmp_buf_puts(b, "<tr><td colspan=\"4\">none</td></tr>");
	mmp_buf_puts(b, "</tbody></table>\n");
	mmp_buf_dispose(&key);
}

static void confusion(struct ui_ctx *c, const mmp_run *r)
{
	mmp_buf js = MMP_BUF_INIT;
	cJSON *doc = NULL, *labels, *matrix, *row, *v;
	const char **names = NULL;
	double *m = NULL;
	size_t k, i, j;

	if (read_artifact(c, r, "confusion_matrix.json", JSON_MAX, &js) < 0 ||
	    !(doc = cJSON_ParseWithLength(js.ptr, js.size)))
		goto done;
	labels = cJSON_GetObjectItemCaseSensitive(doc, "labels");
	matrix = cJSON_GetObjectItemCaseSensitive(doc, "matrix");
	k = (size_t)cJSON_GetArraySize(labels);
	if (!cJSON_IsArray(labels) || !cJSON_IsArray(matrix) || !k ||
	    k > 100 || (size_t)cJSON_GetArraySize(matrix) != k)
		goto done;
	names = mmp__calloc(k, sizeof(*names));
	m = mmp__calloc(k * k, sizeof(*m));
	for (i = 0; i < k; i++) {
		v = cJSON_GetArrayItem(labels, (int)i);
		names[i] = cJSON_IsString(v) ? v->valuestring : "?";
		row = cJSON_GetArrayItem(matrix, (int)i);
		if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != k)
			goto done;
		for (j = 0; j < k; j++) {
			v = cJSON_GetArrayItem(row, (int)j);
			m[i * k + j] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
		}
	}
	mmp_buf_puts(c->out, "<section aria-labelledby=\"cm\"><h2 id=\"cm\">"
		"Confusion matrix</h2>");
	ui_heatmap(c->out, "confusion", "Confusion matrix on the test rows",
		names, m, k);
	mmp_buf_puts(c->out, "</section>\n");
done:
	free(names);
	free(m);
	cJSON_Delete(doc);
	mmp_buf_dispose(&js);
}

struct feat {
	const char *name;
	double gain;
};

static int by_gain(const void *a, const void *b)
{
	const struct feat *x = a, *y = b;

	if (x->gain != y->gain)
		return x->gain < y->gain ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void importance(struct ui_ctx *c, const mmp_run *r)
{
	mmp_buf js = MMP_BUF_INIT;
	cJSON *doc = NULL, *fs, *f;
	struct feat *v = NULL;
	const char **names = NULL;
	double *gains = NULL;
	size_t n = 0, i;

	if (read_artifact(c, r, "feature_importance.json", JSON_MAX,
	    &js) < 0 || !(doc = cJSON_ParseWithLength(js.ptr, js.size)))
		goto done;
	fs = cJSON_GetObjectItemCaseSensitive(doc, "features");
	if (!cJSON_IsArray(fs) || !cJSON_GetArraySize(fs))
		goto done;
	v = mmp__calloc((size_t)cJSON_GetArraySize(fs), sizeof(*v));
	cJSON_ArrayForEach(f, fs) {
		cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
		cJSON *g = cJSON_GetObjectItemCaseSensitive(f, "gain");
		if (!cJSON_IsString(nm) || !cJSON_IsNumber(g))
			continue;
		v[n].name = nm->valuestring;
		v[n++].gain = g->valuedouble;
	}
	if (!n)
		goto done;
	qsort(v, n, sizeof(*v), by_gain);
	if (n > TOP_FEATURES)
		n = TOP_FEATURES;
	names = mmp__calloc(n, sizeof(*names));
	gains = mmp__calloc(n, sizeof(*gains));
	for (i = 0; i < n; i++) {
		names[i] = v[i].name;
		gains[i] = v[i].gain;
	}
	mmp_buf_puts(c->out, "<section aria-labelledby=\"fi\"><h2 id=\"fi\">"
		"Feature importance</h2>");
	ui_bar_chart(c->out, "importance", "Feature importance (gain), "
		"largest first", names, gains, n);
	mmp_buf_puts(c->out, "</section>\n");
done:
	free(v);
	free(names);
	free(gains);
	cJSON_Delete(doc);
	mmp_buf_dispose(&js);
}

static void recipe(struct ui_ctx *c, const mmp_run *r)
{
	mmp_buf text = MMP_BUF_INIT;

	if (read_artifact(c, r, "recipe.yaml", RECIPE_MAX, &text) < 0)
		goto done;
	mmp_buf_printf(c->out, "<section aria-labelledby=\"recipe\"><h2 "
		"id=\"recipe\">Recipe snapshot</h2><p><a href=\"/runs/%s/"
		"artifacts/recipe.yaml\">recipe.yaml</a></p><pre "
		"class=\"recipe\" tabindex=\"0\"><code>", r->run_id);
	ui_hn(c->out, text.ptr, text.size);
	mmp_buf_puts(c->out, "</code></pre></section>\n");
done:
	mmp_buf_dispose(&text);
}

static void artifacts(mmp_buf *b, const mmp_run *r)
{
	size_t i;

	mmp_buf_puts(b, "<section aria-labelledby=\"arts\"><h2 id=\"arts\">"
		"Artifacts</h2>");
	if (r->origin)
		mmp_buf_puts(b, "<p class=\"note\">The files stay on the "
			"server: the mirror lists their paths and sizes.</p>");
	if (r->artifacts_unknown) {
		mmp_buf_puts(b, "<p class=\"note warn\" id=\"artifacts-unknown\">"
			"The server refused the artifact list at the last pull, "
			"so it may be incomplete; the next pull reads it again: ");
		ui_h(b, r->artifacts_unknown);
		mmp_buf_puts(b, "</p>");
	}
	mmp_buf_puts(b, "<table class=\"artifacts\" id=\"artifacts\">"
		"<thead><tr><th scope=\"col\">Path</th><th scope=\"col\">Size"
		"</th><th scope=\"col\">sha256</th></tr></thead><tbody>");
	for (i = 0; i < r->artifacts_nr; i++) {
		const mmp_artifact *a = &r->artifacts[i];
		const char *slash = strrchr(a->path, '/');

		mmp_buf_puts(b, "<tr><td>");
		if (r->origin) {
			/* nothing to open here: the path, as text */
			ui_h(b, a->path);
			mmp_buf_puts(b, "</td><td class=\"num\">");
			ui_size(b, a->size);
			mmp_buf_puts(b, "</td><td></td></tr>");
			continue;
		}
		if (slash) {
			mmp_buf_printf(b, "<a href=\"/runs/%s/artifacts/",
				r->run_id);
			ui_hn(b, a->path, (size_t)(slash - a->path) + 1);
			mmp_buf_puts(b, "\">");
			ui_hn(b, a->path, (size_t)(slash - a->path) + 1);
			mmp_buf_puts(b, "</a>");
		}
		mmp_buf_printf(b, "<a href=\"/runs/%s/artifacts/", r->run_id);
		ui_h(b, a->path);
		mmp_buf_puts(b, "\">");
		ui_h(b, slash ? slash + 1 : a->path);
		mmp_buf_puts(b, "</a></td><td class=\"num\">");
		ui_size(b, a->size);
		mmp_buf_puts(b, "</td><td><code class=\"digest\">");
		ui_hn(b, a->sha256, 12);
		mmp_buf_puts(b, "</code></td></tr>");
	}
	if (!r->artifacts_nr)
		mmp_buf_puts(b, "<tr><td colspan=\"3\">none</td></tr>");
	mmp_buf_puts(b, "</tbody></table></section>\n");
}

static int64_t query_i64(const mmp_serve_request *req, const char *key,
	int64_t def)
{
	const char *v = mmp_serve_request_query(req, key);
	int64_t n;

	return v && *v && mmp_parse_int64(v, &n) == 0 ? n : def;
}

/*
 * A mirrored run RUNNING on its server: say that this is its status at
 * the last pull, and when that was, since the page does not refresh.
 */
static void mirror_running(struct ui_ctx *c, const mmp_run *r)
{
	int64_t when;
	mmp_buf *b = c->out;

	mmp_buf_puts(b, "<p class=\"note mirror\" id=\"mirror-running\" "
		"role=\"note\">It was RUNNING on the server at the last pull");
	if (mmp_sync_last_pull_time(&when, c->store, r->origin) < 0) {
		mmp_buf_puts(b, " (when that was cannot be read: ");
		ui_h(b, mmp_error_last()->message);
		mmp_buf_puts(b, ")");
		mmp_error_clear();
	} else if (when > 0) {
		mmp_buf_puts(b, "; the last complete pull from there was at "
			"<span id=\"last-pull\">");
		ui_time(b, when);
		mmp_buf_puts(b, "</span> UTC");
	} else {
		mmp_buf_puts(b, "; no pull from there has completed yet");
	}
	mmp_buf_puts(b, ". This page does not refresh itself: <code>mmp "
		"sync --pull</code> reads the run again.</p>");
}

void ui_page_run(struct ui_ctx *c, const char *rest)
{
	const char *slash = strchr(rest, '/');
	size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
	char *arg = mmp__strndup(rest, idlen);
	char id[33];
	mmp_run *r = NULL;
	mmp_buf *b = c->out;
	int live;

	if (!*arg || mmp_run_resolve(c->store, arg, id) < 0 ||
	    mmp_run_get(&r, c->store, id) < 0) {
		ui_error(c, 404, "no run '%s'", arg);
		goto done;
	}
	if (slash) {
		if (mmp_str_starts_with(slash, "/artifacts/"))
			artifact_get(c, r, slash + 11);
		else if (!strcmp(slash, "/artifacts"))
			artifact_get(c, r, "");
		else
			ui_error(c, 404, "no page '%s'",
				mmp_serve_request_path(c->req));
		goto done;
	}
	/* a mirror changes only with the next pull: nothing to refresh */
	live = !strcmp(r->status, "RUNNING") && !r->dead && !r->origin;
	ui_page_begin(c, r->name && *r->name ? r->name : r->run_id, live);
	mmp_buf_puts(b, "<h1 id=\"run-name\">");
	ui_h(b, r->name && *r->name ? r->name : r->run_id);
	mmp_buf_puts(b, "</h1>");
	if (r->origin) {
		mmp_buf_puts(b, "<p class=\"note mirror\" id=\"mirror-note\" "
			"role=\"note\">A read-only mirror of run <code>");
		ui_h(b, r->remote_run_id);
		mmp_buf_puts(b, "</code> of ");
		ui_h(b, r->origin);
		mmp_buf_puts(b, ": it changes there, and here with <code>mmp "
			"sync --pull</code>.</p>");
		if (!strcmp(r->status, "RUNNING"))
			mirror_running(c, r);
	}
	facts(b, r);
	mmp_buf_puts(b, "<section aria-labelledby=\"values\"><h2 "
		"id=\"values\">Metrics and parameters</h2><div "
		"class=\"cols\">");
	metrics_table(b, r);
	ui_kv_table(b, "Parameters", r->params, r->params_nr);
	mmp_buf_puts(b, "</div></section>\n");
	ui_run_curves(c, r, query_i64(c->req, "from", INT64_MIN),
		query_i64(c->req, "to", INT64_MAX));
	confusion(c, r);
	importance(c, r);
	lineage(b, r);
	datasets(b, r);
	recipe(c, r);
	artifacts(b, r);
	mmp_buf_puts(b, "<section aria-labelledby=\"tags\"><h2 id=\"tags\">"
		"Tags</h2>");
	ui_kv_table(b, "Tags", r->tags, r->tags_nr);
	mmp_buf_puts(b, "</section>");
	ui_page_end(c);
done:
	mmp_run_free(r);
	free(arg);
}
