/* SPDX-License-Identifier: MIT */
/* serve-reload.h: serve-api --reload-interval: follow a models:/
 * reference on the tracking server and swap in the version it moves to */
#ifndef CMD_serve_reload_h__
#define CMD_serve_reload_h__

#include <stdio.h>

#include "mmp/pull.h"
#include "mmp/serve.h"

struct serve_reload;

/* What the reload thread needs; strings are copied. */
struct serve_reload_options {
	mmp_server *srv;
	const char *uri;            /* models:/NAME@ALIAS, /STAGE, /latest */
	const char *tracking_uri;
	const char *store_path;     /* the store the versions are pulled to */
	const char *schema;         /* --schema for every version; NULL */
	unsigned int interval;      /* seconds between polls */
	int64_t version;            /* the local version served now */
	/* monitoring of each new version: store, window, flush and id
	 * field as the first was monitored (profile and version are the
	 * new one's); NULL: none */
	const mmp_serve_monitor_options *monitor;
	FILE *log;
};

/*
 * Start polling: every `interval` seconds the reference is resolved on
 * the tracking server; a version it moved to is pulled into the store,
 * verified, loaded and swapped in without dropping a request. A poll
 * that fails leaves the served version in place; the log says so once
 * per change of state. 0, or -1 with the error set.
 */
int serve_reload_start(struct serve_reload **out,
	const struct serve_reload_options *o);

/* stop the thread (waiting for a poll in progress) and free */
void serve_reload_stop(struct serve_reload *r);

#endif
