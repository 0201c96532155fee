/* SPDX-License-Identifier: MIT */
/* http-guard.h: a deadline for whole requests on a libmicrohttpd daemon */
#ifndef LIB_serve_http_guard_h__
#define LIB_serve_http_guard_h__

#include "mhd-load.h"

/*
 * libmicrohttpd's connection timeout is an idle timeout: it starts again
 * with every byte, so a client that sends one header line every few
 * seconds holds its connection for ever. A guard gives every connection
 * a deadline instead: a whole request (head and body) must have arrived
 * within `timeout` seconds of the connection opening, or of the answer to
 * the previous request on it. A watchdog thread shuts down the socket of
 * a connection past its deadline; the daemon then closes it as if the
 * client had gone.
 *
 * Any server on libmicrohttpd can use one:
 *   - start the guard before the daemon and pass
 *     MHD_OPTION_NOTIFY_CONNECTION, mmp_http__guard_notify, guard;
 *   - in the access handler, call mmp_http__guard_received() once the
 *     request is complete (the call with no more upload data);
 *   - in the request-completed callback, call mmp_http__guard_answered();
 *   - stop the daemon, then free the guard.
 */
struct http_guard;

/* called (from the watchdog) for each connection cut, with the client
 * address as text */
typedef void (*http_guard_log_cb)(const char *addr, unsigned int timeout,
	void *payload);

/* 0, or MMP_ERROR (the thread cannot start) */
int mmp_http__guard_new(struct http_guard **out, unsigned int timeout,
	http_guard_log_cb log, void *payload);
void mmp_http__guard_free(struct http_guard *g);

void mmp_http__guard_notify(void *cls, struct MHD_Connection *c,
	void **socket_context, enum MHD_ConnectionNotificationCode code);
void mmp_http__guard_received(struct MHD_Connection *c);
void mmp_http__guard_answered(struct MHD_Connection *c);

/* the client address of `c` as text ("-" when unknown) */
void mmp_http__client_addr(char *out, size_t outlen,
	struct MHD_Connection *c);

#endif
