/* SPDX-License-Identifier: MIT */
/* listen.h: what mmp serve-api and mmp ui share about listening: the
 * address and the access log, starting, the ready line, and stopping */
#ifndef CMD_listen_h__
#define CMD_listen_h__

#include <stdio.h>

#include "cmd.h"
#include "mmp/serve.h"

/*
 * --host and --port, else <section>.host and <section>.port of the
 * configuration, else NULL (the library's 127.0.0.1) and `def_port`.
 * A port given as a flag was checked by listen_check_options().
 */
void listen_address(struct mmp_ctx *ctx, const char *section,
	const char **host, int *port, int def_port);

/* --port (INT_MIN: not given) and --threads (INT_MIN: not given) in
 * range, else a usage error */
void listen_check_options(int port, int threads, int max_threads,
	const char *const *usage, const struct option *opts);

/* --log-file opened to append, line by line (dies naming it); NULL:
 * stderr */
FILE *listen_log_open(const char *file);
void listen_log_close(FILE *log);
/* the access log callback; `payload` is the FILE */
void listen_log_line(const char *line, void *payload);

/* a failed start of `what` ("the UI", "model churn"): a port in use is
 * fatal (the message names who holds it); returns EXIT_FAIL otherwise */
int listen_start_failed(int err, const char *what, const char *host,
	int port);

/* "serving <what> on <url><note>" on stderr, when the server is ready */
void listen_ready(const char *what, const char *url, const char *note);

/*
 * Wait for SIGINT or SIGTERM, then stop accepting and let the requests
 * in flight finish, at most `max_seconds`; a second signal exits at
 * once. Returns EXIT_OK, or EXIT_FAIL when the server could not stop
 * accepting.
 */
int listen_until_signalled(mmp_serve_stop *stop, unsigned int max_seconds,
	int (*quiesce)(void *server), unsigned int (*inflight)(void *server),
	void *server);

#endif
