/* SPDX-License-Identifier: MIT */
/* ui.h: the read-only web UI over the store behind `mmp ui` */
#ifndef INCLUDE_mmp_ui_h__
#define INCLUDE_mmp_ui_h__

#include "common.h"
#include "serve.h"

MMP_BEGIN_DECL

/**
 * A running web UI: HTML pages of the runs, one run, comparisons,
 * studies and the registry of one store, with charts drawn on the
 * server as SVG. It only reads the store (opened read-only, one
 * connection per worker); it never trains, predicts or writes.
 */
typedef struct mmp_ui mmp_ui;

/** How to run the UI; MMP_UI_OPTIONS_INIT for the defaults. */
typedef struct {
	unsigned int version;
	const char *db_path;      /**< the store's mmp.db (required) */
	const char *host;         /**< NULL: "127.0.0.1" */
	int port;                 /**< 0: any free port */
	/** a file holding the token every page requires; required when
	 * `host` is not a loopback address */
	const char *token_file;
	int threads;              /**< workers (and store connections); 0: 2 */
	mmp_serve_log_cb log;     /**< the access log; NULL: none */
	void *payload;            /**< passed to `log` */
} mmp_ui_options;

#define MMP_UI_OPTIONS_VERSION 1
#define MMP_UI_OPTIONS_INIT { MMP_UI_OPTIONS_VERSION, NULL, NULL, 5050, \
	NULL, 0, NULL, NULL }

/**
 * Open the store read-only and start serving into `*out` (stop and free
 * with mmp_ui_free()). Returns 0; MMP_EINVALID for a bad option, an
 * unreadable or empty token file, or a non-loopback `host` without a
 * token file; MMP_EEXISTS when the port is taken; the errors of
 * mmp_store_open() for the store; MMP_ERROR.
 */
MMP_EXTERN(int) mmp_ui_start(mmp_ui **out, const mmp_ui_options *o);

/** The port the UI listens on. */
MMP_EXTERN(int) mmp_ui_port(const mmp_ui *ui);

/** Stop accepting connections; requests in flight are answered. */
MMP_EXTERN(int) mmp_ui_quiesce(mmp_ui *ui);

/** The number of requests received and not yet answered. */
MMP_EXTERN(unsigned int) mmp_ui_inflight(const mmp_ui *ui);

/** Stop serving, close the store and free; accepts NULL. */
MMP_EXTERN(void) mmp_ui_free(mmp_ui *ui);

MMP_END_DECL

#endif
