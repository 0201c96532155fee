/* SPDX-License-Identifier: MIT */
/* stop.c: how a server started from the command line stops: SIGINT or
 * SIGTERM waited for in one thread, then a drain of the requests in
 * flight; and the address it is reached at */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmp/serve.h"
#include "util/util.h"

struct mmp_serve_stop {
	sigset_t set;
};

int mmp_serve_stop_new(mmp_serve_stop **out)
{
	mmp_serve_stop *s = mmp__calloc(1, sizeof(*s));

	*out = NULL;
	sigemptyset(&s->set);
	sigaddset(&s->set, SIGINT);
	sigaddset(&s->set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &s->set, NULL)) {
		free(s);
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_OS, "cannot block "
			"SIGINT and SIGTERM");
	}
	signal(SIGPIPE, SIG_IGN);
	*out = s;
	return 0;
}

int mmp_serve_stop_wait(mmp_serve_stop *s, long ms)
{
	struct timespec ts;
	int sig;

	if (ms >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
	}
	for (;;) {
		sig = ms < 0 ? sigwaitinfo(&s->set, NULL) :
			sigtimedwait(&s->set, NULL, &ts);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
	}
}

void mmp_serve_stop_free(mmp_serve_stop *s)
{
	free(s);
}

/* idle polls of 20 ms in a row that end a drain: 100 ms without one */
#define IDLE_POLLS 5

int mmp_serve_drain(mmp_serve_drain_result *out, mmp_serve_stop *s,
	unsigned int max_seconds, int (*quiesce)(void *server),
	unsigned int (*inflight)(void *server), void *server)
{
	unsigned int polls = 0, max_polls = max_seconds * 50, n;
	int idle = 0;

	memset(out, 0, sizeof(*out));
	if (quiesce(server) < 0)
		return MMP_ERROR;
	while (idle < IDLE_POLLS) {
		n = inflight(server);
		idle = n ? 0 : idle + 1;
		out->inflight = n;
		if (n && polls >= max_polls) {
			out->how = MMP_SERVE_DRAIN_TIMEOUT;
			return 0;
		}
		if (mmp_serve_stop_wait(s, 20)) {
			out->how = MMP_SERVE_DRAIN_INTERRUPTED;
			return 0;
		}
		polls++;
	}
	out->how = MMP_SERVE_DRAIN_IDLE;
	return 0;
}

void mmp_serve_url(mmp_buf *out, const char *host, int port)
{
	if (!host || !*host)
		host = "127.0.0.1";
	mmp_buf_printf(out, strchr(host, ':') ? "http://[%s]:%d" :
		"http://%s:%d", host, port);
}
