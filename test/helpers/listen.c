/* SPDX-License-Identifier: MIT */
/* listen.c: hold a TCP port open for the tests: listen <addr> <port> [secs]
 *
 * Binds <addr> (IPv4 or IPv6) and <port> (0 picks a free one), listens,
 * prints "port=NNNNN" on stdout, and then only waits: it exits 0 on
 * SIGTERM or SIGINT and after <secs> seconds (default 60), so a test never
 * leaves it behind. It accepts no connections.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct sigaction act;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	long port, secs = 60;
	int fd, one = 1;
	time_t deadline;

	if (argc < 3 || argc > 4) {
		fputs("usage: listen <addr> <port> [<seconds>]\n", stderr);
		return 129;
	}
	port = strtol(argv[2], NULL, 10);
	if (argc == 4)
		secs = strtol(argv[3], NULL, 10);
	memset(&ss, 0, sizeof(ss));
	if (strchr(argv[1], ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, argv[1], &a->sin6_addr) != 1)
			goto bad;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, argv[1], &a->sin_addr) != 1)
			goto bad;
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("listen: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
		perror("listen: bind");
		return 1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror("listen: getsockname");
		return 1;
	}
	printf("port=%u\n", ntohs(ss.ss_family == AF_INET6 ?
		((struct sockaddr_in6 *)&ss)->sin6_port :
		((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	deadline = time(NULL) + secs;
	while (!stop && time(NULL) < deadline)
		nanosleep(&tick, NULL);
	close(fd);
	return 0;
bad:
	fprintf(stderr, "listen: bad address '%s'\n", argv[1]);
	return 129;
}
