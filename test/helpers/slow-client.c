/* SPDX-License-Identifier: MIT */
/* slow-client.c: test helper: a bounded flood of slow HTTP clients
 *
 *   slow-client PORT SRCADDR COUNT SECONDS INTERVAL_MS
 *       open COUNT connections to 127.0.0.1:PORT from the local address
 *       SRCADDR (e.g. 127.0.0.2, so that the flood has an address of its
 *       own), send a request line, then one header line per connection
 *       every INTERVAL_MS milliseconds, never ending the head. After
 *       SECONDS seconds close everything and print
 *           opened N        connections that connected
 *           refused N       closed by the server within 1500 ms
 *           cut N           closed by the server later
 *           held N          still open at the end
 *           cut_ms MIN MAX  when the cut ones were closed (ms after
 *                           their connect; 0 0 when none)
 *       Exits 0, or 2 on a setup error. It stops by itself: nothing is
 *       left running.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
	int fd;
	double opened, closed;    /* seconds; closed 0: open */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(int port, const char *src)
{
	struct sockaddr_in sa, from;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0) {
		fprintf(stderr, "slow-client: cannot bind %s: %s\n", src,
			strerror(errno));
		exit(2);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the server closed the connection (EOF, reset, or a write that
 * fails) */
static int gone(int fd, const char *line)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[512];

	if (line && send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
		return 1;
	if (poll(&p, 1, 0) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0 && !(n < 0 && errno == EAGAIN))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct client *cl;
	struct rlimit rl;
	int port, count, seconds, interval, i, opened = 0;
	int refused = 0, cut = 0, held = 0;
	double start, end, min = 0, max = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: slow-client PORT SRCADDR COUNT "
			"SECONDS INTERVAL_MS\n");
		return 2;
	}
	port = atoi(argv[1]);
	count = atoi(argv[3]);
	seconds = atoi(argv[4]);
	interval = atoi(argv[5]);
	if (count < 1 || count > 4000 || seconds < 1 || seconds > 120 ||
	    interval < 10) {
		fprintf(stderr, "slow-client: COUNT 1-4000, SECONDS 1-120, "
			"INTERVAL_MS >= 10\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)count + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)count + 16 ?
			rl.rlim_max : (rlim_t)count + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	cl = calloc((size_t)count, sizeof(*cl));
	if (!cl)
		return 2;
	start = now();
	end = start + seconds;
	for (i = 0; i < count && now() < end; i++) {
		cl[i].fd = dial(port, argv[2]);
		cl[i].opened = now();
		if (cl[i].fd < 0)
			continue;
		opened++;
		if (gone(cl[i].fd, "POST /predict HTTP/1.1\r\nHost: slow\r\n"))
			cl[i].closed = now();
	}
	count = i;
	while (now() < end) {
		usleep((useconds_t)interval * 1000);
		for (i = 0; i < count; i++) {
			if (cl[i].fd < 0 || cl[i].closed)
				continue;
			if (gone(cl[i].fd, "X-Slow: a\r\n"))
				cl[i].closed = now();
		}
	}
	for (i = 0; i < count; i++) {
		double ms;

		if (cl[i].fd < 0)
			continue;
		/* a refusal may show only now: the server closed at once */
		if (!cl[i].closed && gone(cl[i].fd, NULL))
			cl[i].closed = now();
		close(cl[i].fd);
		if (!cl[i].closed) {
			held++;
			continue;
		}
		ms = (cl[i].closed - cl[i].opened) * 1e3;
		if (ms < 1500) {
			refused++;
			continue;
		}
		cut++;
		if (!min || ms < min)
			min = ms;
		if (ms > max)
			max = ms;
	}
	printf("opened %d\nrefused %d\ncut %d\nheld %d\ncut_ms %.0f %.0f\n",
		opened, refused, cut, held, min, max);
	free(cl);
	return 0;
}
