/* SPDX-License-Identifier: MIT */
/* progress.h: a throttled progress line on stderr (terminals only) */
#ifndef CMD_progress_h__
#define CMD_progress_h__

#include <stdint.h>

struct progress;

/* start a meter titled `title`; the caller decided it should show */
struct progress *progress_start(const char *title);
/* change the title (a new stage) and redraw; the same title is a no-op */
void progress_title(struct progress *p, const char *title);
/* n of total done (total 0: unknown), with an extra text; drawn only
 * when the line changes, at most 10 times a second (the last of a
 * known total always) */
void progress_update(struct progress *p, uint64_t n, uint64_t total,
	const char *text);
/* `done` of `total` bytes (total 0: unknown), as "27%  12.0/44.6 MB";
 * drawn as progress_update() draws */
void progress_bytes(struct progress *p, uint64_t done, uint64_t total);
/* erase the line and free the meter; accepts NULL */
void progress_stop(struct progress **p);

#endif
