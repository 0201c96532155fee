/* SPDX-License-Identifier: MIT */
/* http-guard.c: a deadline for whole requests on a libmicrohttpd daemon */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "http-guard.h"
#include "util/util.h"

/* how often the watchdog looks: deadlines hold to within this */
#define TICK_NS 100000000L

/* one open connection, from the daemon's STARTED to its CLOSED */
struct guard_conn {
	struct guard_conn *prev, *next;
	struct http_guard *g;
	MHD_socket fd;
	double deadline;          /* mmp_time_mono(); 0: being answered */
	int cut;                  /* shut down past its deadline */
	char addr[64];
};

struct http_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int stop;
	unsigned int timeout;
	struct guard_conn list;   /* sentinel of a circular list */
	http_guard_log_cb log;
	void *payload;
};

void mmp_http__client_addr(char *out, size_t outlen, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, outlen, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			out, (socklen_t)outlen);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			&((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			(socklen_t)outlen);
}

/*
 * The daemon calls CLOSED before it closes the socket, and the entry
 * leaves the list under the lock then: the watchdog, which shuts sockets
 * down only under the lock, never touches a descriptor already reused.
 */
static void *watchdog(void *arg)
{
	struct http_guard *g = arg;
	struct guard_conn *c;
	struct timespec ts;
	double now;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		now = mmp_time_mono();
		for (c = g->list.next; c != &g->list; c = c->next) {
			if (!c->deadline || c->cut || now < c->deadline)
				continue;
			shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
			if (g->log)
				g->log(c->addr, g->timeout, g->payload);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += TICK_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int mmp_http__guard_new(struct http_guard **out, unsigned int timeout,
	http_guard_log_cb log, void *payload)
{
	struct http_guard *g = mmp__calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	g->timeout = timeout;
	g->log = log;
	g->payload = payload;
	g->list.next = g->list.prev = &g->list;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&g->thread, NULL, watchdog, g))) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_OS, "cannot start "
			"the request deadline thread: %s", strerror(rc));
	}
	*out = g;
	return 0;
}

void mmp_http__guard_free(struct http_guard *g)
{
	struct guard_conn *c, *next;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	/* a daemon stopped first has closed every connection already */
	for (c = g->list.next; c != &g->list; c = next) {
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void mmp_http__guard_notify(void *cls, struct MHD_Connection *mc,
	void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct http_guard *g = cls;
	struct guard_conn *c;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(mc,
			MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci)
			return;
		c = mmp__calloc(1, sizeof(*c));
		c->g = g;
		c->fd = ci->connect_fd;
		mmp_http__client_addr(c->addr, sizeof(c->addr), mc);
		pthread_mutex_lock(&g->lock);
		c->deadline = mmp_time_mono() + g->timeout;
		c->next = &g->list;
		c->prev = g->list.prev;
		g->list.prev->next = c;
		g->list.prev = c;
		pthread_mutex_unlock(&g->lock);
		*socket_context = c;
		return;
	}
	c = *socket_context;
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
	*socket_context = NULL;
}

static void set_deadline(struct MHD_Connection *mc, int start)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct guard_conn *c = ci ? ci->socket_context : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&c->g->lock);
	c->deadline = start ? mmp_time_mono() + c->g->timeout : 0;
	pthread_mutex_unlock(&c->g->lock);
}

void mmp_http__guard_received(struct MHD_Connection *c)
{
	set_deadline(c, 0);
}

void mmp_http__guard_answered(struct MHD_Connection *c)
{
	set_deadline(c, 1);
}
