/* SPDX-License-Identifier: MIT */
/* remote.h: an HTTP client for MLflow servers that classifies failures */
#ifndef INCLUDE_mmp_remote_h__
#define INCLUDE_mmp_remote_h__

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "buf.h"

MMP_BEGIN_DECL

/** An HTTP client bound to one base URL; reuses its connection. */
typedef struct mmp_http_client mmp_http_client;

/** Why a request got no HTTP response, or MMP_HTTP_RESPONSE. */
typedef enum {
	MMP_HTTP_RESPONSE = 0,  /**< a response arrived; see the status */
	MMP_HTTP_EDNS,          /**< the host name does not resolve */
	MMP_HTTP_EREFUSED,      /**< connection refused: nothing listens */
	MMP_HTTP_ETIMEOUT,      /**< connect or transfer timed out */
	MMP_HTTP_ETLS,          /**< TLS handshake or certificate failure */
	MMP_HTTP_ECONNECT,      /**< other connect failure (unreachable) */
	MMP_HTTP_EEMPTY,        /**< the server closed without answering */
	MMP_HTTP_ETOOBIG,       /**< the body exceeded max_body */
	MMP_HTTP_EOTHER         /**< any other transport failure */
} mmp_http_transport;

/** What kind of answer a response is, from its status and body. */
typedef enum {
	MMP_HTTP_CLASS_NONE = 0,     /**< no response (transport failure) */
	MMP_HTTP_CLASS_OK,           /**< 2xx */
	MMP_HTTP_CLASS_AUTH,         /**< 401: credentials missing or wrong */
	MMP_HTTP_CLASS_AIRPLAY,      /**< 403 with Server: AirTunes (or an
					  empty body, on macOS) */
	MMP_HTTP_CLASS_HOST_POLICY,  /**< 403 text naming the Host header */
	MMP_HTTP_CLASS_PERMISSION,   /**< 403 JSON or "Permission denied" */
	MMP_HTTP_CLASS_FORBIDDEN,    /**< any other non-JSON 403 */
	MMP_HTTP_CLASS_WRONG_BASE,   /**< 404/405 non-JSON: no such route */
	MMP_HTTP_CLASS_API_ERROR,    /**< a JSON {"error_code","message"} */
	MMP_HTTP_CLASS_SERVER_ERROR, /**< 5xx without a JSON error body */
	MMP_HTTP_CLASS_OTHER         /**< any other status */
} mmp_http_class;

/** Client settings. NULL options mean the defaults. */
typedef struct {
	unsigned int version;
	long connect_timeout_ms;  /**< 0: 5000 */
	long timeout_ms;          /**< whole request; 0: 30000 */
	size_t max_body;          /**< response cap in bytes; 0: 64 MiB */
	const char *username;     /**< HTTP basic auth user, or NULL */
	const char *password;     /**< HTTP basic auth password, or NULL */
	const char *token;        /**< bearer token, or NULL */
	int insecure;             /**< skip TLS certificate verification */
	const char *ca_bundle;    /**< CA file for TLS, or NULL */
} mmp_http_options;

#define MMP_HTTP_OPTIONS_VERSION 1
#define MMP_HTTP_OPTIONS_INIT { MMP_HTTP_OPTIONS_VERSION, 0, 0, 0, \
	NULL, NULL, NULL, 0, NULL }

/** Fill `opts` with the defaults. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_http_options_init(mmp_http_options *opts,
	unsigned int version);

/**
 * Take credentials and TLS settings from the environment variables the
 * MLflow client reads: MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD,
 * MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_INSECURE_TLS ("true") and
 * MLFLOW_TRACKING_SERVER_CERT_PATH. The strings are borrowed from the
 * environment; unset variables leave the fields as they are.
 */
MMP_EXTERN(void) mmp_http_options_from_env(mmp_http_options *opts);

/** The result of one request. Initialise with mmp_http_response_init(). */
typedef struct {
	int transport;          /**< mmp_http_transport */
	int klass;              /**< mmp_http_class */
	long status;            /**< HTTP status, 0 without a response */
	mmp_buf body;           /**< the response body (bounded) */
	char *content_type;     /**< Content-Type header or NULL */
	char *server;           /**< Server header or NULL */
	char *www_authenticate; /**< WWW-Authenticate header or NULL */
	char *error_code;       /**< "error_code" of a JSON error body */
	char *message;          /**< "message" of a JSON error body */
	char *error;            /**< transport failure text, or NULL */
	int is_json;            /**< the body is a JSON object or array */
	double total_ms;        /**< time of the whole request */
	double connect_ms;      /**< time until the TCP connect finished */
} mmp_http_response;

/** Set `r` up empty; pair with mmp_http_response_release(). */
MMP_EXTERN(void) mmp_http_response_init(mmp_http_response *r);
/** Free what `r` holds and set it up empty again. */
MMP_EXTERN(void) mmp_http_response_release(mmp_http_response *r);

/**
 * Make a client for `base_url` ("http://host:port[/prefix]"). The
 * options are copied. The caller owns `*out` and frees it with
 * mmp_http_client_free(). Errors: MMP_EINVALID for a malformed URL or
 * a scheme other than http or https, MMP_ERROR when libcurl fails.
 */
MMP_EXTERN(int) mmp_http_client_new(mmp_http_client **out,
	const char *base_url, const mmp_http_options *opts);
/** Free the client; accepts NULL. */
MMP_EXTERN(void) mmp_http_client_free(mmp_http_client *c);
/** The base URL without a trailing '/', borrowed from the client. */
MMP_EXTERN(const char *) mmp_http_client_base(const mmp_http_client *c);

/**
 * Send `method` to base + `path` (path starts with '/' and holds any
 * query string, already escaped) with an optional body of `len` bytes
 * and its `content_type` (NULL: none). Redirects are not followed.
 * `resp` must have been initialised; it is released and filled.
 * Returns 0 when any HTTP response arrived, whatever its status; the
 * class says what it means. On a transport failure returns MMP_ENET,
 * with resp->transport and resp->error set and the last error saying
 * which URL failed and why. MMP_EINVALID for bad arguments.
 */
MMP_EXTERN(int) mmp_http_request(mmp_http_response *resp,
	mmp_http_client *c, const char *method, const char *path,
	const char *content_type, const void *body, size_t len);

/**
 * mmp_http_request() with the contents of the regular file `file_path`
 * as the body, streamed from disk (for artifact uploads: `method` PUT).
 * Errors as mmp_http_request(), plus MMP_ERROR (class OS) when the file
 * cannot be opened or read and MMP_EINVALID when it is not a regular
 * file.
 */
MMP_EXTERN(int) mmp_http_request_file(mmp_http_response *resp,
	mmp_http_client *c, const char *method, const char *path,
	const char *content_type, const char *file_path);

/**
 * GET `path` with a 2xx body written to `sink` as it arrives (at most
 * `max` bytes; more fails with resp->transport MMP_HTTP_ETOOBIG);
 * `*written` gets the bytes written. Any other status keeps its body in
 * resp->body for mmp_http_response_error(). Instead of a whole-request
 * timeout, a transfer stalled for the timeout fails. Errors as
 * mmp_http_request(), plus MMP_ERROR (class OS) when writing fails.
 */
MMP_EXTERN(int) mmp_http_get_to_file(mmp_http_response *resp,
	uint64_t *written, mmp_http_client *c, const char *path, FILE *sink,
	uint64_t max);

/** mmp_http_request() with GET and no body. */
MMP_EXTERN(int) mmp_http_get(mmp_http_response *resp, mmp_http_client *c,
	const char *path);

/**
 * Turn a response that is not 2xx into the last error and a code:
 * MMP_ENET for a transport failure or an HTTP-level refusal (401, 403,
 * a wrong route, 5xx), MMP_ENOTFOUND for RESOURCE_DOES_NOT_EXIST,
 * MMP_EEXISTS for RESOURCE_ALREADY_EXISTS, MMP_EINVALID for
 * INVALID_PARAMETER_VALUE. The message starts with `what` and names
 * the status and the server's text (credentials are never included).
 * Returns 0 for a 2xx response.
 */
MMP_EXTERN(int) mmp_http_response_error(const mmp_http_response *r,
	const char *what);

/** A short name: "dns", "refused", "timeout", "tls", ... */
MMP_EXTERN(const char *) mmp_http_transport_name(int transport);
/** A short name: "ok", "auth", "airplay", "host-policy", ... */
MMP_EXTERN(const char *) mmp_http_class_name(int klass);

/** Append `s` percent-encoded for a query string or path segment. */
MMP_EXTERN(void) mmp_http_escape(mmp_buf *out, const char *s);

/** The parts of an http(s) URL. */
typedef struct {
	char *scheme;  /**< "http" or "https" */
	char *host;    /**< without IPv6 brackets */
	int port;      /**< explicit, else 80 or 443 */
	char *path;    /**< "" or "/prefix", no trailing '/' */
} mmp_http_url;

/**
 * Split `url` into `out` (caller releases with mmp_http_url_release()).
 * Errors: MMP_EINVALID naming the URL when it is malformed or its
 * scheme is not http or https.
 */
MMP_EXTERN(int) mmp_http_url_parse(mmp_http_url *out, const char *url);
MMP_EXTERN(void) mmp_http_url_release(mmp_http_url *u);

MMP_END_DECL

#endif
