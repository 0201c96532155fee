/* SPDX-License-Identifier: MIT */
/* http.c: libmicrohttpd glue: socket, thread pool, bodies, access log */
#include <stdio.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mhd-load.h"

#include "http-guard.h"
#include "serve-internal.h"

#define DEFAULT_MAX_BODY (8u << 20)
#define DEFAULT_TIMEOUT 30u
#define DEFAULT_REQUEST_TIMEOUT 30u
#define DEFAULT_MAX_CONNECTIONS 1024u
#define DEFAULT_MAX_PER_CLIENT 64u
/*
 * libmicrohttpd answers a request head that does not fit its buffer with
 * a canned HTML 414 or 431 before any callback runs; 0.9.75 offers no
 * way to change those bodies. Its buffer is made much larger than the
 * limits mmp enforces itself, in JSON, so that only heads past
 * HEAD_BUFFER bytes ever see the library's answer.
 */
#define URI_MAX (8u << 10)
#define HEAD_MAX (32u << 10)
#define HEAD_BUFFER ((size_t)128u << 10)
#define TOKEN_FILE_MAX 4096

/* one request, from its first handler call to MHD's completion call */
struct conn_req {
	int started;              /* the access handler has seen it */
	size_t uri_len;           /* the request target as sent */
	double t0;
	enum serve_route route;
	mmp_buf body;
	size_t discarded;         /* bytes dropped past max_body */
	int too_large;
	int answered;
};

int mmp_serve_options_init(mmp_serve_options *o, unsigned int version)
{
	static const mmp_serve_options init = MMP_SERVE_OPTIONS_INIT;

	if (version != MMP_SERVE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown serve options version %u", version);
	*o = init;
	return 0;
}

static void log_line(mmp_server *s, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

void mmp_serve__log_scrub(char *line)
{
	unsigned char *r = (unsigned char *)line, *w = r;

	while (*r) {
		size_t n = mmp_utf8_seq_len(r);

		if (n == 1 && *r >= 0x20 && *r != 0x7f) {
			*w++ = *r++;
		} else if (n > 1 && !(n == 2 && r[0] == 0xc2 && r[1] < 0xa0)) {
			memmove(w, r, n);
			w += n;
			r += n;
		} else {
			/* a client's method, path or header, cut into an
			 * escape sequence, must not reach the terminal */
			*w++ = '?';
			r += n ? n : 1;
		}
	}
	*w = '\0';
}

static void log_line(mmp_server *s, const char *fmt, ...)
{
	char stamp[64], line[1024];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n;

	if (!s->log)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%ld:S %s.%03ld ", (long)s->pid,
		stamp, (long)(tv.tv_usec / 1000));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	mmp_serve__log_scrub(line);
	s->log(line, s->payload);
}

static void mhd_logger(void *cls, const char *fm, va_list ap)
{
	mmp_server *s = cls;
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_vprintf(&b, fm, ap);
	mmp_buf_rtrim(&b);
	log_line(s, "# %s", b.ptr);
	mmp_buf_dispose(&b);
}

/* a path safe to print: control bytes and quotes become '?' */
static void safe_path(char *out, size_t outlen, const char *path)
{
	size_t i;

	for (i = 0; path[i] && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)path[i];

		out[i] = c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c;
	}
	out[i] = '\0';
}

static void log_cut(const char *addr, unsigned int timeout, void *payload)
{
	mmp_server *s = payload;

	atomic_fetch_add_explicit(&s->metrics.timeouts, 1,
		memory_order_relaxed);
	log_line(s, "* closed the connection of %s: no whole request "
		"within %u s (see --request-timeout)", addr, timeout);
}

static enum MHD_Result answer(mmp_server *s, struct MHD_Connection *c,
	struct conn_req *r, const char *method, const char *url,
	struct serve_response *resp)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t len = resp->body.size;
	char *body = mmp_buf_detach(&resp->body);
	double dt;

	r->answered = 1;
	mr = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!mr) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
		resp->content_type);
	if (resp->allow)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW,
			resp->allow);
	if (resp->auth_challenge)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			"Bearer");
	if (atomic_load_explicit(&s->quiescing, memory_order_relaxed) ||
	    resp->status == 413 || resp->status == 414 ||
	    resp->status == 431)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION,
			"close");
	ret = MHD_queue_response(c, (unsigned int)resp->status, mr);
	MHD_destroy_response(mr);

	dt = mmp_time_mono() - r->t0;
	mmp_serve__metrics_record(&s->metrics, r->route, resp->status, dt);
	if (resp->rows)
		atomic_fetch_add_explicit(&s->metrics.rows, resp->rows,
			memory_order_relaxed);
	if (s->log) {
		char path[256], addr[64];

		safe_path(path, sizeof(path), url);
		mmp_http__client_addr(addr, sizeof(addr), c);
		log_line(s, "%s \"%s %s\" %d %zu %.3fms", addr, method, path,
			resp->status, len, dt * 1e3);
	}
	return ret;
}

/* answer with what a handler of mmp_server_start_handler() made */
static enum MHD_Result answer_handler(mmp_server *s,
	struct MHD_Connection *c, struct conn_req *r, const char *method,
	const char *url)
{
	struct mmp_serve_request req = { c, method, url };
	mmp_serve_reply resp = { 200, NULL, MMP_BUF_INIT, -1, 0,
		MMP_BUF_INIT };
	struct MHD_Response *mr;
	enum MHD_Result ret;
	uint64_t len;
	size_t i;
	double dt;

	r->answered = 1;
	s->handler(&req, &resp, s->handler_payload);
	if (resp.fd >= 0) {
		len = resp.fd_size;
		mr = MHD_create_response_from_fd64(len, resp.fd);
		if (!mr)
			close(resp.fd);
	} else {
		len = resp.body.size;
		mr = MHD_create_response_from_buffer(resp.body.size,
			resp.body.ptr, MHD_RESPMEM_MUST_COPY);
	}
	if (mr) {
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
			resp.content_type ? resp.content_type :
			"text/plain; charset=utf-8");
		for (i = 0; i < resp.headers.size;) {
			const char *name = resp.headers.ptr + i;
			const char *value = name + strlen(name) + 1;

			MHD_add_response_header(mr, name, value);
			i = (size_t)(value - resp.headers.ptr) +
				strlen(value) + 1;
		}
		if (atomic_load_explicit(&s->quiescing, memory_order_relaxed))
			MHD_add_response_header(mr,
				MHD_HTTP_HEADER_CONNECTION, "close");
		ret = MHD_queue_response(c, (unsigned int)resp.status, mr);
		MHD_destroy_response(mr);
	} else {
		ret = MHD_NO;
	}
	mmp_buf_dispose(&resp.body);
	mmp_buf_dispose(&resp.headers);

	dt = mmp_time_mono() - r->t0;
	mmp_serve__metrics_record(&s->metrics, r->route, resp.status, dt);
	if (s->log) {
		char path[256], addr[64];

		safe_path(path, sizeof(path), url);
		mmp_http__client_addr(addr, sizeof(addr), c);
		log_line(s, "%s \"%s %s\" %d %llu %.3fms", addr, method, path,
			resp.status, (unsigned long long)len, dt * 1e3);
	}
	return ret;
}

static enum MHD_Result too_large(mmp_server *s, struct MHD_Connection *c,
	struct conn_req *r, const char *method, const char *url)
{
	struct serve_response resp = SERVE_RESPONSE_INIT;
	enum MHD_Result ret;

	mmp_serve__error(&resp, 413, "the request body is larger than the "
		"limit of %zu bytes (see --max-body)", s->max_body);
	ret = answer(s, c, r, method, url, &resp);
	mmp_buf_dispose(&resp.body);
	return ret;
}

/* 414 or 431 for a request target or head past mmp's limits, or 0 */
static int head_too_large(struct serve_response *resp,
	struct MHD_Connection *c, const struct conn_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);

	if (r->uri_len > URI_MAX) {
		mmp_serve__error(resp, 414, "the request target is %zu bytes, "
			"longer than the limit of %u", r->uri_len, URI_MAX);
		return 1;
	}
	if (ci && ci->header_size > HEAD_MAX) {
		mmp_serve__error(resp, 431, "the request head is %zu bytes, "
			"larger than the limit of %u", ci->header_size,
			HEAD_MAX);
		return 1;
	}
	return 0;
}

/* a request's record starts when its request line is in (once per
 * request, before the headers), so that the raw target is measured */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_req *r = mmp__calloc(1, sizeof(*r));

	(void)cls;
	(void)c;
	mmp_buf_init(&r->body, 0);
	r->uri_len = strlen(uri);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	mmp_server *s = cls;
	struct conn_req *r = *con_cls;
	struct serve_request req;
	struct serve_response resp = SERVE_RESPONSE_INIT;
	enum MHD_Result ret;

	(void)version;
	if (!r)
		*con_cls = r = on_uri(NULL, url, c);
	if (!r->started) {
		const char *cl;

		r->started = 1;
		r->t0 = mmp_time_mono();
		r->route = mmp_serve__route(url);
		atomic_fetch_add_explicit(&s->inflight, 1,
			memory_order_relaxed);
		if (head_too_large(&resp, c, r)) {
			ret = answer(s, c, r, method, url, &resp);
			mmp_buf_dispose(&resp.body);
			return ret;
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->max_body)
			return too_large(s, c, r, method, url);
		return MHD_YES;
	}
	if (r->answered) {
		if (!*upload_data_size)
			mmp_http__guard_received(c);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->too_large &&
		    r->body.size + *upload_data_size > s->max_body) {
			r->too_large = 1;
			mmp_buf_dispose(&r->body);
		}
		if (r->too_large) {
			r->discarded += *upload_data_size;
			if (r->discarded > 4 * s->max_body)
				return MHD_NO;  /* close: it will not end */
		} else {
			mmp_buf_put(&r->body, upload_data, *upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* the whole request is in: its deadline no longer applies */
	mmp_http__guard_received(c);
	if (r->too_large)
		return too_large(s, c, r, method, url);
	if (s->handler)
		return answer_handler(s, c, r, method, url);
	req.method = method;
	req.path = url;
	req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_TYPE);
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_AUTHORIZATION);
	req.body = r->body.ptr;
	req.len = r->body.size;
	mmp_serve__handle(s, &req, r->route, &resp);
	ret = answer(s, c, r, method, url, &resp);
	mmp_buf_dispose(&resp.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c,
	void **con_cls, enum MHD_RequestTerminationCode toe)
{
	mmp_server *s = cls;
	struct conn_req *r = *con_cls;

	(void)toe;
	/* the next request on this connection has a deadline of its own */
	mmp_http__guard_answered(c);
	if (!r)
		return;
	mmp_buf_dispose(&r->body);
	if (r->started)
		atomic_fetch_sub_explicit(&s->inflight, 1,
			memory_order_release);
	free(r);
	*con_cls = NULL;
}

static int read_token(mmp_server *s, const char *path)
{
	mmp_buf b = MMP_BUF_INIT;
	size_t i, start = 0;
	int error;

	if ((error = mmp_file_read(&b, path, TOKEN_FILE_MAX)) < 0) {
		mmp_error_prefix("cannot read the token file");
		mmp_buf_dispose(&b);
		return error == MMP_ENOTFOUND ? MMP_EINVALID : error;
	}
	mmp_buf_rtrim(&b);
	while (start < b.size && (b.ptr[start] == ' ' ||
	    b.ptr[start] == '\t' || b.ptr[start] == '\n' ||
	    b.ptr[start] == '\r'))
		start++;
	for (i = start; i < b.size; i++) {
		if ((unsigned char)b.ptr[i] <= ' ') {
			mmp_buf_dispose(&b);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"token file '%s' must hold one token on one "
				"line", path);
		}
	}
	if (start == b.size) {
		mmp_buf_dispose(&b);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"token file '%s' is empty", path);
	}
	s->token = mmp__strdup(b.ptr + start);
	s->token_len = strlen(s->token);
	memset(b.ptr, 0, b.size);
	mmp_buf_dispose(&b);
	return 0;
}

static int bind_socket(mmp_server *s, const char *host, int port,
	int *family)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char portstr[16];
	int fd = -1, one = 1, rc, error = MMP_ERROR;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &ai);
	if (rc || !ai)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_NET,
			"cannot resolve host '%s': %s", host,
			gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
		SOCK_NONBLOCK, 0);
	if (fd < 0) {
		mmp_error_set_os("cannot create a socket for '%s'", host);
		goto done;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		int err = errno;

		if (err == EADDRINUSE) {
			mmp_buf comm = MMP_BUF_INIT;
			int pid = 0;

			if (mmp_serve__port_holder(&pid, &comm, port) == 0)
				mmp_error_set(MMP_ERROR_NET, "port %d on %s is "
					"already in use (held by pid %d '%s')",
					port, host, pid, comm.ptr);
			else
				mmp_error_set(MMP_ERROR_NET, "port %d on %s is "
					"already in use", port, host);
			mmp_buf_dispose(&comm);
			error = MMP_EEXISTS;
		} else if (err == EACCES) {
			mmp_error_set(MMP_ERROR_NET, "no permission to bind "
				"port %d on %s (ports below 1024 need "
				"privileges)", port, host);
			error = MMP_EINVALID;
		} else if (err == EADDRNOTAVAIL) {
			mmp_error_set(MMP_ERROR_NET, "address %s is not an "
				"address of this machine", host);
			error = MMP_EINVALID;
		} else {
			errno = err;
			mmp_error_set_os("cannot bind port %d on %s", port,
				host);
		}
		goto done;
	}
	if (listen(fd, 1024) < 0) {
		mmp_error_set_os("cannot listen on port %d on %s", port, host);
		goto done;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		s->port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	*family = ai->ai_family;
	s->listen_fd = fd;
	fd = -1;
	error = 0;
done:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return error;
}

int mmp_server_start(mmp_server **out, const mmp_serve_options *o)
{
	return mmp_server_start_handler(out, o, NULL, NULL);
}

int mmp_server_start_handler(mmp_server **out, const mmp_serve_options *o,
	mmp_serve_handler handler, void *payload)
{
	static const mmp_serve_options defaults = MMP_SERVE_OPTIONS_INIT;
	mmp_server *s;
	unsigned int flags, threads;
	int error, family = AF_INET;

	*out = NULL;
	if (!o)
		o = &defaults;
	if (o->version != MMP_SERVE_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown serve options version %u", o->version);
	if ((error = mmp_serve__mhd_load()) < 0)
		return error;
	if (o->port < 0 || o->port > 65535)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"port %d is out of range (0-65535)", o->port);
	if (o->threads < 0 || o->threads > 1024)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"thread count %d is out of range (0-1024)",
			o->threads);
	if (o->request_timeout > 86400)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"request timeout %u s is out of range (1-86400)",
			o->request_timeout);
	s = mmp__calloc(1, sizeof(*s));
	s->listen_fd = -1;
	s->host = mmp__strdup(o->host && *o->host ? o->host : "127.0.0.1");
	s->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	s->log = o->log;
	s->payload = o->payload;
	s->pid = getpid();
	s->started = mmp_time_mono();
	s->model = NULL;
	pthread_mutex_init(&s->swap_lock, NULL);
	atomic_init(&s->quiescing, 0);
	atomic_init(&s->inflight, 0);
	s->handler = handler;
	s->handler_payload = payload;
	if (o->token_file && !handler &&
	    (error = read_token(s, o->token_file)) < 0)
		goto fail;
	if ((error = bind_socket(s, s->host, o->port, &family)) < 0)
		goto fail;
	if ((error = mmp_http__guard_new(&s->guard, o->request_timeout ?
	    o->request_timeout : DEFAULT_REQUEST_TIMEOUT, log_cut, s)) < 0)
		goto fail;
	threads = o->threads ? (unsigned int)o->threads :
		(unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	s->nthreads = threads;
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
		MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT,
		o->timeout ? o->timeout : DEFAULT_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT,
		o->max_connections ? o->max_connections :
		DEFAULT_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		o->max_per_client ? o->max_per_client :
		DEFAULT_MAX_PER_CLIENT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, HEAD_BUFFER,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, mmp_http__guard_notify,
		s->guard,
		MHD_OPTION_END);
	if (!s->daemon) {
		error = mmp_error_ret(MMP_ERROR, MMP_ERROR_NET, "cannot start "
			"the HTTP server on %s port %d", s->host, s->port);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	mmp_server_free(s);
	return error;
}

struct serve_model *mmp_serve__model_acquire(mmp_server *s)
{
	struct serve_model *sm;

	pthread_mutex_lock(&s->swap_lock);
	sm = s->model;
	if (sm)
		atomic_fetch_add_explicit(&sm->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&s->swap_lock);
	return sm;
}

void mmp_serve__model_release(struct serve_model *sm)
{
	if (sm)
		atomic_fetch_sub_explicit(&sm->refs, 1, memory_order_release);
}

/* publish `sm` as the served model; returns the one it replaces */
static struct serve_model *publish(mmp_server *s, struct serve_model *sm)
{
	struct serve_model *old;

	pthread_mutex_lock(&s->swap_lock);
	old = s->model;
	s->model = sm;
	pthread_mutex_unlock(&s->swap_lock);
	return old;
}

static int has_model(mmp_server *s)
{
	int has;

	pthread_mutex_lock(&s->swap_lock);
	has = s->model != NULL;
	pthread_mutex_unlock(&s->swap_lock);
	return has;
}

/* the served form of `m`: not in use, not monitored */
static int model_new(struct serve_model **out, const mmp_model *m,
	const mmp_serve_model_info *info)
{
	int error;

	if ((error = mmp_serve__model_new(out, m, info)) < 0)
		return error;
	atomic_init(&(*out)->refs, 0);
	atomic_init(&(*out)->live, NULL);
	return 0;
}

int mmp_server_set_model(mmp_server *s, const mmp_model *m,
	const mmp_serve_model_info *info)
{
	struct serve_model *sm;
	int error;

	if (has_model(s))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the server already serves a model");
	if ((error = model_new(&sm, m, info)) < 0)
		return error;
	publish(s, sm);
	log_line(s, "* serving model '%s' (%s, %zu features)", sm->name,
		mmp_model_task_name(sm->task), sm->nfeatures);
	return 0;
}

int mmp_server_load_model(mmp_server *s, const char *dir,
	const mmp_serve_model_info *info)
{
	struct serve_model *sm;
	mmp_model *m = NULL;
	int error;

	if (has_model(s))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the server already serves a model");
	if ((error = mmp_model_load_dir(&m, dir)) < 0)
		return error;
	if ((error = mmp_model_set_nthread(m, 1)) < 0 ||
	    (error = model_new(&sm, m, info)) < 0) {
		mmp_model_free(m);
		return error;
	}
	sm->owned = m;
	publish(s, sm);
	log_line(s, "* serving model '%s' (%s, %zu features)", sm->name,
		mmp_model_task_name(sm->task), sm->nfeatures);
	return 0;
}

int mmp_server_swap_model(mmp_server *s, mmp_model *m,
	const mmp_serve_model_info *info,
	const mmp_serve_monitor_options *monitor)
{
	struct serve_model *sm, *old;
	struct serve_live *l = NULL;
	int error;

	if (!has_model(s))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the server serves no model to replace");
	if ((error = model_new(&sm, m, info)) < 0)
		return error;
	if (monitor) {
		if (monitor->version != MMP_SERVE_MONITOR_OPTIONS_VERSION)
			error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"unknown monitoring options version %u",
				monitor->version);
		else
			error = mmp_serve__live_new(&l, s, sm, monitor,
				s->nthreads);
		if (error < 0) {
			log_line(s, "* drift monitoring is off for model '%s' "
				"version %s: %s", sm->name, sm->version ?
				sm->version : "-", mmp_error_last()->message);
			mmp_error_clear();
			l = NULL;
		}
		atomic_store_explicit(&sm->live, l, memory_order_release);
	}
	sm->owned = m;
	old = publish(s, sm);
	log_line(s, "* serving model '%s' version %s (%s, %zu features) in "
		"place of version %s", sm->name, sm->version ? sm->version :
		"-", mmp_model_task_name(sm->task), sm->nfeatures,
		old && old->version ? old->version : "-");
	/* requests that started on the old model finish on it: free it
	 * once the last one is answered */
	while (atomic_load_explicit(&old->refs, memory_order_acquire)) {
		struct timespec ts = { 0, 5000000 };

		nanosleep(&ts, NULL);
	}
	mmp_serve__model_free(old);
	return 0;
}

int mmp_server_describe_predictor(mmp_buf *out, const mmp_server *s)
{
	struct serve_model *sm = mmp_serve__model_acquire((mmp_server *)s);

	if (!sm)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_INVALID,
			"no model is served");
	mmp_model_predictor_describe(out, sm->model);
	mmp_serve__model_release(sm);
	return 0;
}

int mmp_server_monitor(mmp_server *s, const mmp_serve_monitor_options *o)
{
	struct serve_model *sm;
	struct serve_live *l;
	int error = 0;

	if (!o || o->version != MMP_SERVE_MONITOR_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown monitoring options version %u",
			o ? o->version : 0);
	if (!(sm = mmp_serve__model_acquire(s)))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"monitoring needs the model set first");
	if (atomic_load(&sm->live))
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the server monitors its model already");
	else if ((error = mmp_serve__live_new(&l, s, sm, o,
	    s->nthreads)) == 0)
		atomic_store_explicit(&sm->live, l, memory_order_release);
	mmp_serve__model_release(sm);
	if (error < 0)
		return error;
	log_line(s, "* monitoring drift against '%s'%s%s", o->profile_path,
		o->id_field && *o->id_field ? ", logging predictions by " :
		"", o->id_field && *o->id_field ? o->id_field : "");
	return 0;
}

int mmp_server_port(const mmp_server *s)
{
	return s->port;
}

int mmp_server_quiesce(mmp_server *s)
{
	MHD_socket fd;

	if (atomic_exchange(&s->quiescing, 1))
		return 0;
	fd = MHD_quiesce_daemon(s->daemon);
	if (fd == MHD_INVALID_SOCKET)
		return mmp_error_ret(MMP_ERROR, MMP_ERROR_NET, "cannot stop "
			"accepting connections");
	close(fd);
	s->listen_fd = -1;
	log_line(s, "* stopped accepting connections, %u request(s) in "
		"flight", mmp_server_inflight(s));
	return 0;
}

unsigned int mmp_server_inflight(const mmp_server *s)
{
	return atomic_load_explicit(&((mmp_server *)s)->inflight,
		memory_order_acquire);
}

void mmp_server_free(mmp_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	mmp_http__guard_free(s->guard);
	/* the workers are gone: the last rows are saved with the model */
	mmp_serve__model_free(s->model);
	pthread_mutex_destroy(&s->swap_lock);
	if (s->token)
		memset(s->token, 0, s->token_len);
	free(s->token);
	free(s->host);
	free(s);
}
