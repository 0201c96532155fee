/* SPDX-License-Identifier: MIT */
/* request.c: what a request handler can read of a request, and answer */
#include <string.h>

#include "mhd-load.h"

#include "serve-internal.h"

const char *mmp_serve_request_method(const mmp_serve_request *r)
{
	return r->method;
}

const char *mmp_serve_request_path(const mmp_serve_request *r)
{
	return r->path;
}

const char *mmp_serve_request_header(const mmp_serve_request *r,
	const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *mmp_serve_request_query(const mmp_serve_request *r,
	const char *key)
{
	const char *v;

	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key,
	    strlen(key), &v, NULL) != MHD_YES)
		return NULL;
	return v ? v : "";
}

struct query_all {
	const char *key;
	const char **out;
	size_t max, n;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
	const char *key, const char *value)
{
	struct query_all *q = cls;

	(void)kind;
	if (key && !strcmp(key, q->key)) {
		if (q->n < q->max)
			q->out[q->n] = value ? value : "";
		q->n++;
	}
	return MHD_YES;
}

size_t mmp_serve_request_query_all(const mmp_serve_request *r,
	const char *key, const char **out, size_t max)
{
	struct query_all q = { key, out, max, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &q);
	return q.n;
}

const char *mmp_serve_request_cookie(const mmp_serve_request *r,
	const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void mmp_serve_reply_header(mmp_serve_reply *resp, const char *name,
	const char *value)
{
	mmp_buf_put(&resp->headers, name, strlen(name) + 1);
	mmp_buf_put(&resp->headers, value, strlen(value) + 1);
}
