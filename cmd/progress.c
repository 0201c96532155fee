/* SPDX-License-Identifier: MIT */
/* progress.c: a progress line on stderr, redrawn when it changes and at
 * most 10 times a second, with rate and ETA */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "progress.h"

struct progress {
	char title[64];
	char line[256];   /* the text drawn last after the title */
	double start, last;
	int drawn;
	int updated;    /* an update was drawn since the title changed */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *progress_start(const char *title)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (!p)
		die("out of memory");
	snprintf(p->title, sizeof(p->title), "%s", title);
	p->start = p->last = now();
	return p;
}

static void draw(struct progress *p, const char *text)
{
	snprintf(p->line, sizeof(p->line), "%s", text);
	fprintf(stderr, "\r\033[K%s: %s", p->title, text);
	fflush(stderr);
	p->drawn = 1;
}

void progress_title(struct progress *p, const char *title)
{
	if (!p || !strcmp(p->title, title))
		return;   /* the same stage goes on */
	snprintf(p->title, sizeof(p->title), "%s", title);
	p->start = now();
	p->updated = 0;
	draw(p, "");
}

/* draw `line` unless it is unchanged, or too soon after the last one
 * (the last of a known total is always drawn) */
static void submit(struct progress *p, double t, const char *line, int last)
{
	if (p->updated && t - p->last < 0.1 && !last)
		return;
	if (p->updated && !strcmp(line, p->line))
		return;   /* nothing changed: no redraw */
	p->last = t;
	p->updated = 1;
	draw(p, line);
}

void progress_update(struct progress *p, uint64_t n, uint64_t total,
	const char *text)
{
	double t = now(), el;
	char line[256];

	if (!p)
		return;
	el = t - p->start;
	if (total && n && n <= total && el > 0) {
		double eta = el / (double)n * (double)(total - n);
		snprintf(line, sizeof(line), "%3d%%  %s  %.1f/s  eta %.0fs",
			(int)(100.0 * (double)n / (double)total), text,
			(double)n / el, eta);
	} else {
		snprintf(line, sizeof(line), "%s", text);
	}
	submit(p, t, line, total && n == total);
}

void progress_bytes(struct progress *p, uint64_t done, uint64_t total)
{
	const double mb = 1024.0 * 1024.0;
	double t = now(), el;
	char line[256];

	if (!p)
		return;
	el = t - p->start;
	if (total && done <= total)
		snprintf(line, sizeof(line), "%3d%%  %.1f/%.1f MB",
			(int)(100.0 * (double)done / (double)total),
			(double)done / mb, (double)total / mb);
	else
		snprintf(line, sizeof(line), "%.1f MB", (double)done / mb);
	if (el > 0) {
		size_t n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "  %.1f MB/s",
			(double)done / mb / el);
	}
	submit(p, t, line, total && done == total);
}

void progress_stop(struct progress **pp)
{
	struct progress *p = *pp;

	if (!p)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	free(p);
	*pp = NULL;
}
