/* SPDX-License-Identifier: MIT */
/* ports.c: the ports and bind checks: who holds a port, on which address */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "doctor-internal.h"

#define MAX_PORTS 64

#ifdef __APPLE__
#define ON_MACOS 1
#else
#define ON_MACOS 0
#endif

static const char airplay_detail[] =
	"port 5000 is where macOS runs the AirPlay Receiver (process "
	"ControlCenter): it answers every HTTP request with 403 and an "
	"empty body, so an MLflow client talking to port 5000 sees 403 "
	"instead of MLflow";
static const char airplay_fix[] =
	"on macOS turn off System Settings > General > AirDrop & Handoff > "
	"AirPlay Receiver, or run the server on another port "
	"(mlflow server --port 5001) and point tracking.uri at it";

/* when /proc cannot be read: can this process bind the port? */
static int bind_free(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* "python3 (pid 42) on 127.0.0.1, ::1" for the listeners of one port */
static void describe(mmp_buf *out, const mmp_doctor__listener *ls, size_t n)
{
	size_t i, j;

	mmp_doctor__describe_owner(out, &ls[0]);
	mmp_buf_puts(out, " on ");
	for (i = 0; i < n; i++) {
		int dup = 0;

		for (j = 0; j < i; j++)
			if (!strcmp(ls[j].addr, ls[i].addr))
				dup = 1;
		if (dup)
			continue;
		if (i)
			mmp_buf_puts(out, ", ");
		mmp_buf_puts(out, ls[i].addr);
	}
}

void mmp_doctor__check_ports(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	mmp_doctor__port ports[MAX_PORTS];
	mmp_buf free_list = MMP_BUF_INIT, line = MMP_BUF_INIT;
	size_t n = mmp_doctor__ports(ports, MAX_PORTS, o), i;

	MMP_UNUSED(p);
	for (i = 0; i < n; i++) {
		mmp_doctor__listener *ls = NULL;
		size_t nl = 0;
		int port = ports[i].port;

		mmp_buf_clear(&line);
		if (mmp_doctor__listeners(&ls, &nl, port) < 0) {
			int f = bind_free(port);

			mmp_error_clear();
			if (f == 1 || !ports[i].must_be_free) {
				mmp_doctor__detail(r, "port %d (%s): %s", port,
					ports[i].why, f == 1 ? "free" :
					"in use (/proc/net/tcp unreadable)");
				if (f == 1)
					mmp_buf_printf(&free_list, "%s%d",
						free_list.size ? ", " : "",
						port);
				continue;
			}
			mmp_buf_printf(&line, "port %d (%s) is taken (the "
				"process is unknown: /proc/net/tcp cannot be "
				"read)", port, ports[i].why);
			mmp_doctor__detail(r, "%s", line.ptr);
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, line.ptr,
				"stop what holds port %d, or choose another "
				"port", port);
			continue;
		}
		if (!nl) {
			if (ports[i].must_be_free) {
				mmp_doctor__detail(r, "port %d (%s): free",
					port, ports[i].why);
				mmp_buf_printf(&free_list, "%s%d",
					free_list.size ? ", " : "", port);
			} else {
				mmp_buf_printf(&line, "nothing listens on port "
					"%d of the tracking server", port);
				mmp_doctor__detail(r, "port %d (%s): nothing "
					"listens", port, ports[i].why);
				mmp_doctor__raise(r, MMP_DOCTOR_WARN, line.ptr,
					"start the tracking server (mlflow "
					"server --host 127.0.0.1 --port %d), "
					"or "
					"fix the port in tracking.uri", port);
			}
			free(ls);
			continue;
		}
		mmp_buf_printf(&line, "port %d (%s) ", port, ports[i].why);
		mmp_buf_puts(&line, ports[i].must_be_free ? "is taken by " :
			"is served by ");
		describe(&line, ls, nl);
		mmp_doctor__detail(r, "%s", line.ptr);
		if (port == 5000 && ON_MACOS)
			mmp_doctor__detail(r, "%s", airplay_detail);
		/* 5000 is checked by default for macOS's AirPlay Receiver;
		 * elsewhere a listener there (often MLflow) is information,
		 * unless mmp itself was told to use the port */
		if (port == 5000 && !ON_MACOS && ports[i].must_be_free &&
		    !strcmp(ports[i].why, "doctor.ports")) {
			mmp_doctor__detail(r, "port 5000 is only checked for "
				"macOS's AirPlay Receiver; nothing in the "
				"configuration binds it");
		} else if (ports[i].must_be_free) {
			mmp_buf fix = MMP_BUF_INIT;

			if (ls[0].pid)
				mmp_buf_printf(&fix, "stop %s (kill %ld) or ",
					ls[0].comm[0] ? ls[0].comm : "it",
					(long)ls[0].pid);
			mmp_buf_printf(&fix, "use another port: mmp serve-api "
				"--port <n>, or serve.port in the config");
			if (port == 5000 && ON_MACOS)
				mmp_buf_printf(&fix, "; %s", airplay_fix);
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, line.ptr, "%s",
				fix.ptr);
			mmp_buf_dispose(&fix);
		}
		free(ls);
	}
	if (r->status == MMP_DOCTOR_OK) {
		const char *served = NULL;

		for (i = 0; i < r->details_nr; i++)
			if (strstr(r->details[i], "is served by"))
				served = r->details[i];
		if (!n)
			mmp_doctor__summary(r, "no ports configured");
		else if (free_list.size && served)
			mmp_doctor__summary(r, "free: %s; %s", free_list.ptr,
				served);
		else if (free_list.size)
			mmp_doctor__summary(r, "free: %s", free_list.ptr);
		else
			mmp_doctor__summary(r, "%s", r->details[0]);
	}
	mmp_buf_dispose(&free_list);
	mmp_buf_dispose(&line);
}

void mmp_doctor__check_bind(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	mmp_doctor__port ports[MAX_PORTS];
	size_t n = mmp_doctor__ports(ports, MAX_PORTS, o), i, j;
	int container = mmp_doctor__in_container(), listening = 0;
	mmp_buf line = MMP_BUF_INIT, who = MMP_BUF_INIT;

	MMP_UNUSED(p);
	if (container)
		mmp_doctor__detail(r, "running inside a container: a server "
			"here must listen on 0.0.0.0 and have its port "
			"published to be reachable from the host");
	for (i = 0; i < n; i++) {
		mmp_doctor__listener *ls = NULL;
		size_t nl = 0;
		int loop = 0, any = 0, other = 0;
		int port = ports[i].port;

		if (mmp_doctor__listeners(&ls, &nl, port) < 0) {
			mmp_error_clear();
			mmp_doctor__raise(r, MMP_DOCTOR_WARN, "cannot read "
				"/proc/net/tcp to see the bind addresses",
				"run mmp doctor where /proc is mounted");
			break;
		}
		if (!nl) {
			free(ls);
			continue;
		}
		listening = 1;
		for (j = 0; j < nl; j++) {
			if (mmp_doctor__addr_is_loopback(ls[j].addr))
				loop = 1;
			else if (mmp_doctor__addr_is_any(ls[j].addr))
				any = 1;
			else
				other = 1;
		}
		mmp_buf_clear(&who);
		mmp_doctor__describe_owner(&who, &ls[0]);
		mmp_buf_clear(&line);
		if (any) {
			mmp_buf_printf(&line, "port %d: %s listens on %s (all "
				"interfaces): reachable from every network "
				"this host is on", port, who.ptr,
				strchr(ls[0].addr, ':') ? "::" : "0.0.0.0");
			mmp_doctor__detail(r, "%s", line.ptr);
			mmp_doctor__raise(r, MMP_DOCTOR_WARN, line.ptr,
				"unless other hosts must reach it, bind "
				"127.0.0.1 (mmp serve-api --host 127.0.0.1, "
				"mlflow server --host 127.0.0.1); otherwise "
				"allow only trusted sources with a firewall "
				"and put authentication in front of it");
		} else if (loop && !other) {
			mmp_buf_printf(&line, "port %d: %s listens on %s only: "
				"unreachable from other hosts%s", port, who.ptr,
				ls[0].addr, container ? " and from outside "
					"this "
				"container" : " and from outside a container");
			mmp_doctor__detail(r, "%s", line.ptr);
			mmp_doctor__raise(r, MMP_DOCTOR_WARN, line.ptr,
				"if others must reach it, start it with --host "
				"0.0.0.0 (mmp serve-api --host 0.0.0.0, mlflow "
				"server --host 0.0.0.0) and publish the port "
				"(docker run -p %d:%d)", port, port);
		} else {
			mmp_doctor__detail(r, "port %d: %s listens on %s", port,
				who.ptr, ls[0].addr);
		}
		free(ls);
	}
	if (r->status == MMP_DOCTOR_OK && !r->summary) {
		if (!listening) {
			mmp_buf_clear(&line);
			for (i = 0; i < n; i++)
				mmp_buf_printf(&line, "%s%d", i ? ", " : "",
					ports[i].port);
			mmp_doctor__summary(r, "no server listens on the "
				"checked ports (%s)", n ? line.ptr : "none");
		} else {
			mmp_doctor__summary(r, "servers listen on specific "
				"addresses");
		}
	}
	mmp_buf_dispose(&line);
	mmp_buf_dispose(&who);
}
