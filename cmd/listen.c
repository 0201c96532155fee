/* SPDX-License-Identifier: MIT */
/* listen.c: what mmp serve-api and mmp ui share about listening: the
 * address and the access log, starting, the ready line, and stopping */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "output.h"
#include "mmp/config.h"

void listen_address(struct mmp_ctx *ctx, const char *section,
	const char **host, int *port, int def_port)
{
	mmp_config *cfg = ctx_config(ctx);
	mmp_buf key = MMP_BUF_INIT;
	const char *s;
	int64_t v;

	mmp_buf_printf(&key, "%s.host", section);
	if (!*host && mmp_config_get_string(&s, cfg, key.ptr) == 0 && *s)
		*host = s;
	mmp_buf_clear(&key);
	mmp_buf_printf(&key, "%s.port", section);
	if (*port == INT_MIN)
		*port = mmp_config_get_int(&v, cfg, key.ptr) == 0 &&
			v >= 0 && v <= 65535 ? (int)v : def_port;
	mmp_error_clear();
	mmp_buf_dispose(&key);
}

void listen_check_options(int port, int threads, int max_threads,
	const char *const *usage, const struct option *opts)
{
	mmp_buf msg = MMP_BUF_INIT;

	if (port != INT_MIN && (port < 0 || port > 65535))
		usage_msg_opt("--port must be between 0 and 65535", usage,
			opts);
	if (threads != INT_MIN && (threads < 0 || threads > max_threads)) {
		mmp_buf_printf(&msg, "--threads must be between 0 and %d",
			max_threads);
		usage_msg_opt(msg.ptr, usage, opts);
	}
}

FILE *listen_log_open(const char *file)
{
	FILE *log;

	if (!file)
		return stderr;
	log = fopen(file, "a");
	if (!log)
		die("cannot open log file '%s': %s", file, strerror(errno));
	setvbuf(log, NULL, _IOLBF, 0);
	return log;
}

void listen_log_close(FILE *log)
{
	if (log && log != stderr)
		fclose(log);
}

void listen_log_line(const char *line, void *payload)
{
	FILE *f = payload;

	flockfile(f);
	fputs(line, f);
	putc('\n', f);
	funlockfile(f);
}

int listen_start_failed(int err, const char *what, const char *host,
	int port)
{
	if (err == MMP_EEXISTS)
		die("%s", mmp_error_last()->message);
	return error_lib("cannot serve %s on %s port %d", what,
		host && *host ? host : "127.0.0.1", port);
}

void listen_ready(const char *what, const char *url, const char *note)
{
	/* `what` names the model or the store: user data */
	fprintf(stderr, "serving %s on %s%s\n", tsafe(what), url,
		note ? note : "");
	fflush(stderr);
}

int listen_until_signalled(mmp_serve_stop *stop, unsigned int max_seconds,
	int (*quiesce)(void *server), unsigned int (*inflight)(void *server),
	void *server)
{
	mmp_serve_drain_result d;

	mmp_serve_stop_wait(stop, -1);
	fprintf(stderr, "shutting down: finishing %u request(s)\n",
		inflight(server));
	fflush(stderr);
	if (mmp_serve_drain(&d, stop, max_seconds, quiesce, inflight,
	    server) < 0)
		return error_lib("cannot stop accepting connections");
	if (d.how == MMP_SERVE_DRAIN_INTERRUPTED) {
		fprintf(stderr, "fatal: interrupted again; exiting at once "
			"with %u request(s) in flight\n", d.inflight);
		fflush(stderr);
		_exit(EXIT_FAIL);
	}
	if (d.how == MMP_SERVE_DRAIN_TIMEOUT)
		warning("%u request(s) still in flight after %u s; closing "
			"them", d.inflight, max_seconds);
	return EXIT_OK;
}
