/* SPDX-License-Identifier: MIT */
/* chart.c: charts as SVG drawn on the server; LTTB downsampling */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

#define W 720
#define H 300
#define ML 72   /* left margin: the y tick labels */
#define MR 16
#define MT 16
#define MB 44   /* bottom: the x tick labels and the axis label */
#define NCOLORS 10

size_t ui_lttb(const double *x, const double *y, size_t n, size_t max,
	size_t *idx)
{
	double every;
	size_t a = 0, k = 0, i;

	if (n <= max || max < 3) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		return n;
	}
	every = (double)(n - 2) / (double)(max - 2);
	idx[k++] = 0;
	for (i = 0; i < max - 2; i++) {
		size_t ns = (size_t)((double)(i + 1) * every) + 1;
		size_t ne = (size_t)((double)(i + 2) * every) + 1;
		size_t rs = (size_t)((double)i * every) + 1;
		size_t re = ns, j, best = rs;
		double ax = 0, ay = 0, area = -1;

		if (ne > n)
			ne = n;
		for (j = ns; j < ne; j++) {
			ax += x[j];
			ay += y[j];
		}
		if (ne > ns) {
			ax /= (double)(ne - ns);
			ay /= (double)(ne - ns);
		} else {
			ax = x[n - 1];
			ay = y[n - 1];
		}
		for (j = rs; j < re && j < n - 1; j++) {
			double t = fabs((x[a] - ax) * (y[j] - y[a]) -
				(x[a] - x[j]) * (ay - y[a]));
			if (t > area) {
				area = t;
				best = j;
			}
		}
		idx[k++] = best;
		a = best;
	}
	idx[k++] = n - 1;
	return k;
}

/* a round step giving about `count` ticks over [lo, hi] */
static double nice_step(double lo, double hi, int count)
{
	double raw = (hi - lo) / count, mag, f;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void pad_range(double *lo, double *hi)
{
	if (!isfinite(*lo) || !isfinite(*hi)) {
		*lo = 0;
		*hi = 1;
	} else if (*lo == *hi) {
		double d = fabs(*lo) > 0 ? fabs(*lo) * 0.05 : 0.5;
		*lo -= d;
		*hi += d;
	}
}

static void figure_begin(mmp_buf *b, const char *id, const char *title,
	int h)
{
	mmp_buf_printf(b, "<figure class=\"chart\" id=\"%s\">"
		"<svg viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-labelledby=\"%s-t\"", id, W, h, id);
	(void)title;
}

static void svg_title(mmp_buf *b, const char *id, const char *title)
{
	mmp_buf_printf(b, "><title id=\"%s-t\">", id);
	ui_h(b, title);
	mmp_buf_puts(b, "</title>");
}

void ui_line_chart(mmp_buf *b, const char *id, const char *title,
	const char *xlabel, const struct ui_series *s, size_t ns)
{
	double x0 = DBL_MAX, x1 = -DBL_MAX, y0 = DBL_MAX, y1 = -DBL_MAX;
	double step, t, sx, sy;
	size_t i, j, k, maxn = 0;
	size_t *idx;
	double *fx, *fy;

	for (i = 0; i < ns; i++) {
		if (s[i].n > maxn)
			maxn = s[i].n;
		for (j = 0; j < s[i].n; j++) {
			if (!isfinite(s[i].x[j]) || !isfinite(s[i].y[j]))
				continue;
			x0 = fmin(x0, s[i].x[j]);
			x1 = fmax(x1, s[i].x[j]);
			y0 = fmin(y0, s[i].y[j]);
			y1 = fmax(y1, s[i].y[j]);
		}
	}
	pad_range(&x0, &x1);
	pad_range(&y0, &y1);
	sx = (W - ML - MR) / (x1 - x0);
	sy = (H - MT - MB) / (y1 - y0);
	figure_begin(b, id, title, H);
	/* a step axis can be zoomed: the pages take ?from=&to= steps */
	if (!strcmp(xlabel, "step"))
		mmp_buf_printf(b, " data-x0=\"%.17g\" data-x1=\"%.17g\" "
			"data-left=\"%d\" data-width=\"%d\"", x0, x1, ML,
			W - ML - MR);
	svg_title(b, id, title);

	/* axes, ticks and grid */
	mmp_buf_printf(b, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" "
		"x2=\"%d\" y2=\"%d\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		"y2=\"%d\"/>", ML, MT, ML, H - MB, ML, H - MB, W - MR, H - MB);
	step = nice_step(y0, y1, 5);
	for (t = ceil(y0 / step) * step; t <= y1 + step * 1e-9; t += step) {
		double py = H - MB - (t - y0) * sy;
		mmp_buf_printf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" "
			"x2=\"%d\" y2=\"%.1f\"/><text x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">", ML, py, W - MR, py, ML - 6,
			py + 4);
		ui_num(b, fabs(t) < step * 1e-9 ? 0 : t);
		mmp_buf_puts(b, "</text>");
	}
	step = nice_step(x0, x1, 6);
	for (t = ceil(x0 / step) * step; t <= x1 + step * 1e-9; t += step) {
		double px = ML + (t - x0) * sx;
		mmp_buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%d\"/><text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">", px, H - MB, px, H - MB + 5,
			px, H - MB + 18);
		ui_num(b, fabs(t) < step * 1e-9 ? 0 : t);
		mmp_buf_puts(b, "</text>");
	}
	mmp_buf_printf(b, "<text class=\"label\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"middle\">", ML + (W - ML - MR) / 2, H - 6);
	ui_h(b, xlabel);
	mmp_buf_puts(b, "</text></g>");

	idx = mmp__calloc(maxn ? maxn : 1, sizeof(*idx));
	fx = mmp__calloc(maxn ? maxn : 1, sizeof(*fx));
	fy = mmp__calloc(maxn ? maxn : 1, sizeof(*fy));
	for (i = 0; i < ns; i++) {
		size_t n = 0, m;

		for (j = 0; j < s[i].n; j++)
			if (isfinite(s[i].x[j]) && isfinite(s[i].y[j])) {
				fx[n] = s[i].x[j];
				fy[n++] = s[i].y[j];
			}
		m = ui_lttb(fx, fy, n, UI_MAX_POINTS, idx);
		mmp_buf_printf(b, "<g class=\"series s%zu%s%s\" "
			"data-points=\"%zu\"><title>", i % NCOLORS,
			s[i].cls ? " " : "", s[i].cls ? s[i].cls : "", m);
		ui_h(b, s[i].name);
		mmp_buf_puts(b, "</title>");
		if (s[i].dots) {
			for (k = 0; k < m; k++)
				mmp_buf_printf(b, "<circle cx=\"%.1f\" "
					"cy=\"%.1f\" r=\"3\"/>",
					ML + (fx[idx[k]] - x0) * sx,
					H - MB - (fy[idx[k]] - y0) * sy);
		} else if (m) {
			mmp_buf_puts(b, "<polyline points=\"");
			for (k = 0; k < m; k++)
				mmp_buf_printf(b, "%s%.1f,%.1f", k ? " " : "",
					ML + (fx[idx[k]] - x0) * sx,
					H - MB - (fy[idx[k]] - y0) * sy);
			mmp_buf_puts(b, "\"/>");
		}
		mmp_buf_puts(b, "</g>");
	}
	free(idx);
	free(fx);
	free(fy);
	mmp_buf_puts(b, "</svg><figcaption>");
	ui_h(b, title);
	if (ns > 1) {
		mmp_buf_puts(b, "<ul class=\"legend\">");
		for (i = 0; i < ns; i++) {
			mmp_buf_printf(b, "<li><span class=\"sw s%zu%s%s\" "
				"aria-hidden=\"true\"></span>", i % NCOLORS,
				s[i].cls ? " " : "", s[i].cls ? s[i].cls : "");
			ui_h(b, s[i].name);
			mmp_buf_puts(b, "</li>");
		}
		mmp_buf_puts(b, "</ul>");
	}
	mmp_buf_puts(b, "</figcaption></figure>\n");
}

void ui_bar_chart(mmp_buf *b, const char *id, const char *title,
	const char *const *labels, const double *v, size_t n)
{
	double vmax = 0;
	int h = MT + 8 + (int)n * 20, lw = 200;
	size_t i;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > vmax)
			vmax = v[i];
	if (!(vmax > 0))
		vmax = 1;
	figure_begin(b, id, title, h);
	svg_title(b, id, title);
	mmp_buf_puts(b, "<g class=\"bars\">");
	for (i = 0; i < n; i++) {
		double len = isfinite(v[i]) && v[i] > 0 ?
			v[i] / vmax * (W - lw - 90) : 0;
		int y = MT + (int)i * 20;

		mmp_buf_printf(b, "<text class=\"axis\" x=\"%d\" y=\"%d\" "
			"text-anchor=\"end\">", lw - 6, y + 13);
		ui_h(b, labels[i]);
		mmp_buf_printf(b, "</text><rect class=\"bar\" x=\"%d\" "
			"y=\"%d\" width=\"%.1f\" height=\"15\"><title>", lw, y,
			len);
		ui_h(b, labels[i]);
		mmp_buf_puts(b, ": ");
		ui_num(b, v[i]);
		mmp_buf_printf(b, "</title></rect><text class=\"axis\" "
			"x=\"%.1f\" y=\"%d\">", lw + len + 4, y + 13);
		ui_num(b, v[i]);
		mmp_buf_puts(b, "</text>");
	}
	mmp_buf_puts(b, "</g></svg><figcaption>");
	ui_h(b, title);
	mmp_buf_puts(b, "</figcaption></figure>\n");
}

void ui_heatmap(mmp_buf *b, const char *id, const char *title,
	const char *const *labels, const double *m, size_t k)
{
	double vmax = 0;
	size_t i, j;

	for (i = 0; i < k * k; i++)
		if (m[i] > vmax)
			vmax = m[i];
	mmp_buf_printf(b, "<table class=\"heat\" id=\"%s\"><caption>", id);
	ui_h(b, title);
	mmp_buf_printf(b, "</caption><thead><tr><td></td><th scope=\"col\" "
		"colspan=\"%zu\">Predicted</th></tr><tr><th scope=\"col\">"
		"Actual</th>", k);
	for (j = 0; j < k; j++) {
		mmp_buf_puts(b, "<th scope=\"col\">");
		ui_h(b, labels[j]);
		mmp_buf_puts(b, "</th>");
	}
	mmp_buf_puts(b, "</tr></thead><tbody>");
	for (i = 0; i < k; i++) {
		mmp_buf_puts(b, "<tr><th scope=\"row\">");
		ui_h(b, labels[i]);
		mmp_buf_puts(b, "</th>");
		for (j = 0; j < k; j++) {
			double v = m[i * k + j];
			int q = vmax > 0 ? (int)floor(v / vmax * 9 + 0.5) : 0;
			mmp_buf_printf(b, "<td class=\"q%d%s\">", q,
				i == j ? " diag" : "");
			ui_num(b, v);
			mmp_buf_puts(b, "</td>");
		}
		mmp_buf_puts(b, "</tr>");
	}
	mmp_buf_puts(b, "</tbody></table>\n");
}

void ui_parallel(mmp_buf *b, const char *id, const char *title,
	const char *const *axes, size_t naxes, const double *v, size_t nrows,
	const char *const *rownames)
{
	double *lo = mmp__calloc(naxes ? naxes : 1, sizeof(*lo));
	double *hi = mmp__calloc(naxes ? naxes : 1, sizeof(*hi));
	double gap = naxes > 1 ? (double)(W - 2 * ML) / (double)(naxes - 1) :
		0;
	int top = MT + 22, bottom = H - MB;
	size_t a, r;

	for (a = 0; a < naxes; a++) {
		lo[a] = DBL_MAX;
		hi[a] = -DBL_MAX;
		for (r = 0; r < nrows; r++) {
			double x = v[r * naxes + a];
			if (isfinite(x)) {
				lo[a] = fmin(lo[a], x);
				hi[a] = fmax(hi[a], x);
			}
		}
		pad_range(&lo[a], &hi[a]);
	}
	figure_begin(b, id, title, H);
	svg_title(b, id, title);
	mmp_buf_puts(b, "<g class=\"axis\">");
	for (a = 0; a < naxes; a++) {
		double x = ML + gap * (double)a;
		mmp_buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%d\"/><text class=\"label\" x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">", x, top, x, bottom, x,
			MT + 8);
		ui_h(b, axes[a]);
		mmp_buf_printf(b, "</text><text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">", x, top - 2);
		ui_num(b, hi[a]);
		mmp_buf_printf(b, "</text><text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">", x, bottom + 14);
		ui_num(b, lo[a]);
		mmp_buf_puts(b, "</text>");
	}
	mmp_buf_puts(b, "</g>");
	for (r = 0; r < nrows; r++) {
		int open = 0;

		mmp_buf_printf(b, "<g class=\"series s%zu\"><title>",
			r % NCOLORS);
		ui_h(b, rownames[r]);
		mmp_buf_puts(b, "</title>");
		for (a = 0; a < naxes; a++) {
			double x = v[r * naxes + a];
			double py;

			if (!isfinite(x)) {
				if (open)
					mmp_buf_puts(b, "\"/>");
				open = 0;
				continue;
			}
			py = bottom - (x - lo[a]) / (hi[a] - lo[a]) *
				(bottom - top);
			mmp_buf_puts(b, open ? " " : "<polyline points=\"");
			mmp_buf_printf(b, "%.1f,%.1f", ML + gap * (double)a,
				py);
			open = 1;
		}
		if (open)
			mmp_buf_puts(b, "\"/>");
		mmp_buf_puts(b, "</g>");
	}
	mmp_buf_puts(b, "</svg><figcaption>");
	ui_h(b, title);
	mmp_buf_puts(b, "</figcaption></figure>\n");
	free(lo);
	free(hi);
}
