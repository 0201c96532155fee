/* SPDX-License-Identifier: MIT */
/* hammer.c: test helper: a loopback HTTP/1.1 load client with threads
 *
 *   hammer PORT THREADS REQUESTS PATH BODYFILE
 *       THREADS keep-alive connections each POST BODYFILE REQUESTS times
 *       (GET when BODYFILE is "-"); every answer must be 200 and the
 *       same bytes as the first one. Prints "sent N answered N
 *       refused N mismatched N truncated N" and exits 0 when every
 *       request was answered in full and matched, or refused: not
 *       connected, or the connection closed before a byte of the answer
 *       (an idle keep-alive connection closed by a stopping server).
 *       A truncated answer is a failure.
 *   hammer slow PORT PATH BODYFILE MS
 *       send the headers and half the body, wait MS milliseconds, send
 *       the rest; print the status line and exit 0 on a 200.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static const char *path;
static char *body;
static size_t body_len;
static int requests;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *first;
static size_t first_len;
static long sent, answered, refused, mismatched, truncated;

static int dial(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void head(char *out, size_t outlen)
{
	if (body)
		snprintf(out, outlen, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Content-Type: application/json\r\n"
			"Content-Length: %zu\r\n\r\n", path, body_len);
	else
		snprintf(out, outlen, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"\r\n", path);
}

/*
 * Read one response into `buf`: the status, whether the server closes,
 * and the body (Content-Length framing; the server always sends it).
 * Returns the status, 0 when the connection ended before any byte, -1
 * when it ended in the middle of the answer.
 */
static int read_response(int fd, char *buf, size_t cap, size_t *have,
	char **rbody, size_t *rlen, int *closing)
{
	char *end;
	size_t hlen, clen;
	const char *cl;

	for (;;) {
		ssize_t n;

		buf[*have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end) {
			hlen = (size_t)(end - buf) + 4;
			cl = strcasestr(buf, "\r\nContent-Length:");
			clen = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
			if (*have >= hlen + clen)
				break;
		}
		if (*have + 1 >= cap)
			return -1;
		n = read(fd, buf + *have, cap - 1 - *have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return *have ? -1 : 0;
		*have += (size_t)n;
	}
	*closing = strcasestr(buf, "\r\nConnection: close") &&
		strcasestr(buf, "\r\nConnection: close") < end;
	*rbody = end + 4;
	*rlen = clen;
	return atoi(buf + 9);
}

static void *worker(void *arg)
{
	static const size_t cap = 1 << 20;
	char *buf = malloc(cap), req[512];
	int fd = -1, i, closing = 0;

	(void)arg;
	head(req, sizeof(req));
	for (i = 0; i < requests; i++) {
		size_t have = 0, rlen;
		char *rbody;
		int status;

		if (fd < 0 || closing) {
			if (fd >= 0)
				close(fd);
			fd = dial();
			closing = 0;
			if (fd < 0) {
				pthread_mutex_lock(&lock);
				refused += requests - i;
				pthread_mutex_unlock(&lock);
				break;
			}
		}
		if (write_all(fd, req, strlen(req)) < 0 ||
		    (body && write_all(fd, body, body_len) < 0)) {
			close(fd);
			fd = -1;
			pthread_mutex_lock(&lock);
			refused++;
			pthread_mutex_unlock(&lock);
			continue;
		}
		status = read_response(fd, buf, cap, &have, &rbody, &rlen,
			&closing);
		pthread_mutex_lock(&lock);
		if (status < 0)
			truncated++;
		else if (!status)
			refused++;
		else
			sent++;
		if (status > 0) {
			answered++;
			if (!first) {
				first = malloc(rlen + 1);
				memcpy(first, rbody, rlen);
				first_len = rlen;
			}
			if (status != 200 || rlen != first_len ||
			    memcmp(rbody, first, rlen)) {
				if (!mismatched++)
					fprintf(stderr, "hammer: status %d: "
						"%.*s\n", status, (int)rlen,
						rbody);
			}
		}
		pthread_mutex_unlock(&lock);
		if (status <= 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *b;
	long n;

	if (!f) {
		perror(file);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int slow(char **argv)
{
	char req[512], buf[65536];
	size_t have = 0, rlen, half;
	char *rbody;
	int fd, status, closing;
	struct timespec ts;
	long ms = atol(argv[5]);

	port = atoi(argv[2]);
	path = argv[3];
	body = slurp(argv[4], &body_len);
	head(req, sizeof(req));
	half = body_len / 2;
	fd = dial();
	if (fd < 0 || write_all(fd, req, strlen(req)) < 0 ||
	    write_all(fd, body, half) < 0) {
		fprintf(stderr, "hammer: cannot send\n");
		return 1;
	}
	printf("half sent\n");
	fflush(stdout);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	if (write_all(fd, body + half, body_len - half) < 0) {
		fprintf(stderr, "hammer: cannot send the rest\n");
		return 1;
	}
	status = read_response(fd, buf, sizeof(buf), &have, &rbody, &rlen,
		&closing);
	printf("status %d\n%.*s\n", status, status > 0 ? (int)rlen : 0,
		status > 0 ? rbody : "");
	close(fd);
	free(body);
	return status == 200 ? 0 : 1;
}

int main(int argc, char **argv)
{
	pthread_t *t;
	int n, i;

	if (argc == 6 && !strcmp(argv[1], "slow"))
		return slow(argv);
	if (argc != 6) {
		fprintf(stderr, "usage: hammer PORT THREADS REQUESTS PATH "
			"BODYFILE | hammer slow PORT PATH BODYFILE MS\n");
		return 2;
	}
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	requests = atoi(argv[3]);
	path = argv[4];
	if (strcmp(argv[5], "-"))
		body = slurp(argv[5], &body_len);
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("sent %ld answered %ld refused %ld mismatched %ld truncated "
		"%ld\n", sent, answered, refused, mismatched, truncated);
	free(t);
	free(body);
	free(first);
	return sent == answered && !mismatched && !truncated && sent > 0 ?
		0 : 1;
}
