/* SPDX-License-Identifier: MIT */
/* t-serve-stop.c: how a server run from the command line stops: the
 * signals waited for, a drain that ends idle, on its time limit or on a
 * second signal; and the URL of an address */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/serve.h"

/* a server whose requests in flight go down by one per poll */
struct fake {
	int quiesced;
	int fail;
	unsigned int inflight;
	int stuck;
};

static int fake_quiesce(void *p)
{
	struct fake *f = p;

	f->quiesced++;
	return f->fail ? -1 : 0;
}

static unsigned int fake_inflight(void *p)
{
	struct fake *f = p;

	if (f->inflight && !f->stuck)
		return f->inflight--;
	return f->inflight;
}

static void url_is(const char *host, int port, const char *want)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_serve_url(&b, host, port);
	is_str(b.ptr, want, "the URL of %s port %d", host ? host : "NULL",
		port);
	mmp_buf_dispose(&b);
}

int main(void)
{
	mmp_serve_stop *s = NULL;
	mmp_serve_drain_result d;
	struct fake f;

	url_is(NULL, 8000, "http://127.0.0.1:8000");
	url_is("", 5050, "http://127.0.0.1:5050");
	url_is("0.0.0.0", 1, "http://0.0.0.0:1");
	url_is("::1", 8000, "http://[::1]:8000");
	url_is("localhost", 80, "http://localhost:80");

	is_int(mmp_serve_stop_new(&s), 0, "SIGINT and SIGTERM are blocked");
	if (!s)
		return done_testing();
	is_int(mmp_serve_stop_wait(s, 0), 0, "no signal yet");
	raise(SIGTERM);
	is_int(mmp_serve_stop_wait(s, 1000), SIGTERM,
		"a SIGTERM is waited for, not delivered");
	raise(SIGPIPE);
	ok(1, "SIGPIPE is ignored");

	memset(&f, 0, sizeof(f));
	f.inflight = 3;
	is_int(mmp_serve_drain(&d, s, 10, fake_quiesce, fake_inflight, &f),
		0, "drain three requests");
	is_int(f.quiesced, 1, "it stopped accepting first");
	is_int(d.how, MMP_SERVE_DRAIN_IDLE, "and ended idle");
	is_int(d.inflight, 0, "with none in flight");

	memset(&f, 0, sizeof(f));
	f.inflight = 2;
	f.stuck = 1;
	is_int(mmp_serve_drain(&d, s, 0, fake_quiesce, fake_inflight, &f),
		0, "drain requests that never end, no time given");
	is_int(d.how, MMP_SERVE_DRAIN_TIMEOUT, "it gives up");
	is_int(d.inflight, 2, "saying how many are left");

	memset(&f, 0, sizeof(f));
	f.inflight = 1;
	f.stuck = 1;
	raise(SIGINT);
	is_int(mmp_serve_drain(&d, s, 10, fake_quiesce, fake_inflight, &f),
		0, "a second signal while draining");
	is_int(d.how, MMP_SERVE_DRAIN_INTERRUPTED, "ends it at once");
	is_int(d.inflight, 1, "with what is in flight");

	memset(&f, 0, sizeof(f));
	f.fail = 1;
	is_int(mmp_serve_drain(&d, s, 10, fake_quiesce, fake_inflight, &f),
		MMP_ERROR, "a server that cannot stop accepting");
	mmp_serve_stop_free(s);
	return done_testing();
}
