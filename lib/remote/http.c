/* SPDX-License-Identifier: MIT */
/* http.c: libcurl requests to MLflow servers, failures put in classes */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include "curl-load.h"

#include "mmp/remote.h"
#include "mmp/url.h"
#include "mmp/version.h"
#include "util/util.h"
#include "remote-internal.h"

#define DEFAULT_CONNECT_MS 5000
#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_MAX_BODY ((size_t)64 << 20)

struct mmp_http_client {
	CURL *curl;
	char *base;
	mmp_http_options opts;
	char *username, *password, *token, *ca_bundle;
	char errbuf[CURL_ERROR_SIZE];
};

struct xfer {
	mmp_http_response *resp;
	size_t max_body;
	int too_big;
	CURL *curl;
	FILE *sink;          /* a 2xx body goes here, not into resp->body */
	uint64_t sink_max;   /* at most this many bytes into the sink */
	uint64_t sunk;
	int sink_failed;     /* a write to the sink failed */
};

int mmp_http_options_init(mmp_http_options *opts, unsigned int version)
{
	mmp_http_options init = MMP_HTTP_OPTIONS_INIT;

	if (version != MMP_HTTP_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported http options version %u", version);
	*opts = init;
	return 0;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void mmp_http_options_from_env(mmp_http_options *opts)
{
	const char *v;

	if ((v = env_nonempty("MLFLOW_TRACKING_USERNAME")))
		opts->username = v;
	if ((v = env_nonempty("MLFLOW_TRACKING_PASSWORD")))
		opts->password = v;
	if ((v = env_nonempty("MLFLOW_TRACKING_TOKEN")))
		opts->token = v;
	if ((v = env_nonempty("MLFLOW_TRACKING_INSECURE_TLS")))
		opts->insecure = !strcasecmp(v, "true") || !strcmp(v, "1");
	if ((v = env_nonempty("MLFLOW_TRACKING_SERVER_CERT_PATH")))
		opts->ca_bundle = v;
}

void mmp_http_response_init(mmp_http_response *r)
{
	memset(r, 0, sizeof(*r));
	mmp_buf_init(&r->body, 0);
}

void mmp_http_response_release(mmp_http_response *r)
{
	if (!r)
		return;
	mmp_buf_dispose(&r->body);
	free(r->content_type);
	free(r->server);
	free(r->www_authenticate);
	free(r->error_code);
	free(r->message);
	free(r->error);
	mmp_http_response_init(r);
}

int mmp_http_url_parse(mmp_http_url *out, const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	mmp_buf shown = MMP_BUF_INIT;
	size_t n;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if ((error = mmp_remote__curl_load()) < 0)
		return error;
	if (!(u = curl_url()))
		return mmp_error_set(MMP_ERROR_NET, "cannot allocate a url");
	if (!url || !*url ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		mmp_url_redact(&shown, url ? url : "");
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_NET,
			"malformed url '%s'", shown.ptr);
		goto done;
	}
	if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) {
		mmp_url_redact(&shown, url);
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_NET,
			"unsupported scheme '%s' in url '%s': use http or "
			"https",
			scheme, shown.ptr);
		goto done;
	}
	out->scheme = mmp__strdup(scheme);
	for (n = 0; out->scheme[n]; n++)
		out->scheme[n] = (char)tolower((unsigned char)out->scheme[n]);
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		out->host = mmp__strndup(host + 1, n - 2);
	else
		out->host = mmp__strdup(host);
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK)
		out->port = atoi(port);
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		path = NULL;
	n = path ? strlen(path) : 0;
	while (n && path[n - 1] == '/')
		n--;
	out->path = mmp__strndup(path ? path : "", n);
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	mmp_buf_dispose(&shown);
	if (error < 0)
		mmp_http_url_release(out);
	return error;
}

void mmp_http_url_release(mmp_http_url *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

int mmp_http_client_new(mmp_http_client **out, const char *base_url,
	const mmp_http_options *opts)
{
	mmp_http_client *c;
	mmp_http_url url;
	mmp_buf clean = MMP_BUF_INIT;
	char *url_user = NULL, *url_pass = NULL;
	size_t n;
	int error;

	*out = NULL;
	if ((error = mmp_http_url_parse(&url, base_url)) < 0)
		return error;
	mmp_http_url_release(&url);
	c = mmp__calloc(1, sizeof(*c));
	if (opts)
		c->opts = *opts;
	else
		mmp_http_options_init(&c->opts, MMP_HTTP_OPTIONS_VERSION);
	/* credentials in the URL become options, so that the base URL
	 * that messages show never carries them */
	if ((error = mmp_remote__clean_uri(&clean, &url_user, &url_pass,
	    base_url)) < 0) {
		free(c);
		return error;
	}
	c->username = mmp__strdup_or_null(c->opts.username ? c->opts.username
		: url_user);
	c->password = mmp__strdup_or_null(c->opts.password ? c->opts.password
		: url_pass);
	wipe_free(url_user);
	wipe_free(url_pass);
	c->token = mmp__strdup_or_null(c->opts.token);
	c->ca_bundle = mmp__strdup_or_null(c->opts.ca_bundle);
	c->opts.username = c->opts.password = NULL;
	c->opts.token = c->opts.ca_bundle = NULL;
	if (!c->opts.connect_timeout_ms)
		c->opts.connect_timeout_ms = DEFAULT_CONNECT_MS;
	if (!c->opts.timeout_ms)
		c->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!c->opts.max_body)
		c->opts.max_body = DEFAULT_MAX_BODY;
	n = clean.size;
	while (n && clean.ptr[n - 1] == '/')
		n--;
	c->base = mmp__strndup(clean.ptr, n);
	mmp_buf_dispose(&clean);
	c->curl = curl_easy_init();
	if (!c->curl) {
		mmp_http_client_free(c);
		return mmp_error_set(MMP_ERROR_NET,
			"cannot create a libcurl handle");
	}
	*out = c;
	return 0;
}

void mmp_http_client_free(mmp_http_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->base);
	wipe_free(c->username);
	wipe_free(c->password);
	wipe_free(c->token);
	free(c->ca_bundle);
	free(c);
}

const char *mmp_http_client_base(const mmp_http_client *c)
{
	return c->base;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *payload)
{
	struct xfer *x = payload;
	size_t len = size * nmemb;
	long status = 0;

	if (x->sink) {
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (x->sunk + len > x->sink_max) {
				x->too_big = 1;
				return 0;
			}
			if (fwrite(data, 1, len, x->sink) != len) {
				x->sink_failed = 1;
				return 0;
			}
			x->sunk += len;
			return len;
		}
	}
	if (x->resp->body.size + len > x->max_body) {
		x->too_big = 1;
		return 0;
	}
	mmp_buf_put(&x->resp->body, data, len);
	return len;
}

static void set_header(char **dst, const char *v, size_t len)
{
	while (len && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	free(*dst);
	*dst = mmp__strndup(v, len);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *payload)
{
	struct xfer *x = payload;
	mmp_http_response *r = x->resp;
	size_t len = size * nmemb;
	const char *colon;
	size_t nlen;

	/* a new status line (after 100 Continue): forget earlier headers */
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		free(r->content_type);
		free(r->server);
		free(r->www_authenticate);
		r->content_type = r->server = r->www_authenticate = NULL;
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - data);
	colon++;
	if (nlen == 12 && !strncasecmp(data, "Content-Type", 12))
		set_header(&r->content_type, colon, len - nlen - 1);
	else if (nlen == 6 && !strncasecmp(data, "Server", 6))
		set_header(&r->server, colon, len - nlen - 1);
	else if (nlen == 16 && !strncasecmp(data, "WWW-Authenticate", 16))
		set_header(&r->www_authenticate, colon, len - nlen - 1);
	return len;
}

int mmp_remote__transport_of(CURLcode rc, long os_errno)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return MMP_HTTP_EDNS;
	case CURLE_COULDNT_CONNECT:
		return os_errno == ECONNREFUSED ? MMP_HTTP_EREFUSED :
			MMP_HTTP_ECONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return MMP_HTTP_ETIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_USE_SSL_FAILED:
		return MMP_HTTP_ETLS;
	case CURLE_GOT_NOTHING:
		return MMP_HTTP_EEMPTY;
	default:
		return MMP_HTTP_EOTHER;
	}
}

static int ascii_contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (!strncasecmp(hay + i, needle, m))
			return 1;
	return 0;
}

static void parse_json_body(mmp_http_response *r)
{
	cJSON *doc, *v;
	const char *p = r->body.ptr;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '{' && *p != '[')
		return;
	doc = cJSON_ParseWithLength(r->body.ptr, r->body.size);
	if (!doc)
		return;
	r->is_json = 1;
	v = cJSON_GetObjectItemCaseSensitive(doc, "error_code");
	if (cJSON_IsString(v))
		r->error_code = mmp__strdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(doc, "message");
	if (cJSON_IsString(v) && r->error_code)
		r->message = mmp__strdup(v->valuestring);
	cJSON_Delete(doc);
}

#ifdef __APPLE__
#define IS_MACOS 1
#else
#define IS_MACOS 0
#endif

static int classify(const mmp_http_response *r)
{
	const char *b = r->body.ptr;
	size_t n = r->body.size;
	int empty = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)b[i]))
			empty = 0;
	if (r->status >= 200 && r->status < 300)
		return MMP_HTTP_CLASS_OK;
	if (r->status == 401)
		return MMP_HTTP_CLASS_AUTH;
	if (r->status == 403) {
		if (r->server && ascii_contains(r->server, strlen(r->server),
		    "AirTunes"))
			return MMP_HTTP_CLASS_AIRPLAY;
		if (r->is_json)
			return MMP_HTTP_CLASS_PERMISSION;
		/* AirPlay Receiver holds port 5000 on macOS; elsewhere an
		 * empty 403 is some other server's refusal */
		if (empty && IS_MACOS)
			return MMP_HTTP_CLASS_AIRPLAY;
		if (ascii_contains(b, n, "host header") ||
		    ascii_contains(b, n, "dns rebinding"))
			return MMP_HTTP_CLASS_HOST_POLICY;
		if (ascii_contains(b, n, "permission denied"))
			return MMP_HTTP_CLASS_PERMISSION;
		return MMP_HTTP_CLASS_FORBIDDEN;
	}
	if (r->error_code)
		return MMP_HTTP_CLASS_API_ERROR;
	if (r->status == 404 || r->status == 405)
		return MMP_HTTP_CLASS_WRONG_BASE;
	if (r->status >= 500)
		return MMP_HTTP_CLASS_SERVER_ERROR;
	return MMP_HTTP_CLASS_OTHER;
}

static void add_auth(mmp_http_client *c, struct curl_slist **hdrs)
{
	if (c->token) {
		mmp_buf h = MMP_BUF_INIT;
		struct curl_slist *n;

		mmp_buf_printf(&h, "Authorization: Bearer %s", c->token);
		n = curl_slist_append(*hdrs, h.ptr);
		memset(h.ptr, 0, h.size);
		mmp_buf_dispose(&h);
		if (n)
			*hdrs = n;
	} else if (c->username) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD,
			c->password ? c->password : "");
	}
}

static size_t on_upload(char *buf, size_t size, size_t nmemb, void *payload)
{
	FILE *f = payload;
	size_t n = fread(buf, 1, size * nmemb, f);

	if (n == 0 && ferror(f))
		return CURL_READFUNC_ABORT;
	return n;
}

/* a request whose body is `body` or, when `upload` is set, that file */
static int perform_x(mmp_http_response *resp, mmp_http_client *c,
	const char *method, const char *path, const char *content_type,
	const void *body, size_t len, FILE *upload, struct xfer *sink);

static int perform(mmp_http_response *resp, mmp_http_client *c,
	const char *method, const char *path, const char *content_type,
	const void *body, size_t len, FILE *upload)
{
	return perform_x(resp, c, method, path, content_type, body, len,
		upload, NULL);
}

int mmp_http_get_to_file(mmp_http_response *resp, uint64_t *written,
	mmp_http_client *c, const char *path, FILE *sink, uint64_t max)
{
	struct xfer x;
	int err;

	memset(&x, 0, sizeof(x));
	x.sink = sink;
	x.sink_max = max;
	*written = 0;
	if (!sink)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"bad arguments to an http download");
	err = perform_x(resp, c, "GET", path, NULL, NULL, 0, NULL, &x);
	*written = x.sunk;
	return err;
}

static int perform_x(mmp_http_response *resp, mmp_http_client *c,
	const char *method, const char *path, const char *content_type,
	const void *body, size_t len, FILE *upload, struct xfer *sink)
{
	struct curl_slist *hdrs = NULL, *n;
	struct xfer x;
	mmp_buf url = MMP_BUF_INIT, h = MMP_BUF_INIT;
	CURL *e;
	CURLcode rc;
	long os_errno = 0;
	double t;
	int error = 0;

	if (!resp || !c || !method || !path || *path != '/')
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"bad arguments to an http request");
	mmp_http_response_release(resp);
	e = c->curl;
	curl_easy_reset(e);
	mmp_buf_printf(&url, "%s%s", c->base, path);
	if (sink)
		x = *sink;
	else
		memset(&x, 0, sizeof(x));
	x.resp = resp;
	x.max_body = c->opts.max_body;
	x.too_big = 0;
	x.curl = e;
	c->errbuf[0] = '\0';

	curl_easy_setopt(e, CURLOPT_URL, url.ptr);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		c->opts.connect_timeout_ms);
	if (x.sink) {
		/* a large file takes its time: fail on a stalled transfer
		 * (under 1 byte/s for the timeout), not on a slow one */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
			c->opts.timeout_ms / 1000 > 0 ?
			c->opts.timeout_ms / 1000 : 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->opts.timeout_ms);
	}
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mmp/" MMP_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (c->opts.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_bundle);
	add_auth(c, &hdrs);
	if (content_type) {
		mmp_buf_printf(&h, "Content-Type: %s", content_type);
		if ((n = curl_slist_append(hdrs, h.ptr)))
			hdrs = n;
	}
	if ((n = curl_slist_append(hdrs, "Expect:")))
		hdrs = n;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (upload) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(e, CURLOPT_READDATA, upload);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
			(curl_off_t)len);
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS,
			body ? (const char *)body : "");
	}

	rc = curl_easy_perform(e);
	if (curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &t) == CURLE_OK)
		resp->total_ms = t * 1000.0;
	if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME, &t) == CURLE_OK)
		resp->connect_ms = t * 1000.0;
	if (rc != CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
		resp->transport = x.too_big ? MMP_HTTP_ETOOBIG :
			mmp_remote__transport_of(rc, os_errno);
		if (x.sink_failed) {
			resp->transport = MMP_HTTP_RESPONSE;
			resp->klass = MMP_HTTP_CLASS_NONE;
			error = mmp_error_set_os("cannot write the body of "
				"%s", url.ptr);
			goto done;
		}
		if (x.too_big) {
			mmp_buf_clear(&h);
			mmp_buf_printf(&h, "response body larger than %zu "
				"bytes",
				c->opts.max_body);
			resp->error = mmp_buf_detach(&h);
		} else {
			resp->error = mmp__strdup(c->errbuf[0] ? c->errbuf :
				curl_easy_strerror(rc));
		}
		resp->klass = MMP_HTTP_CLASS_NONE;
		mmp_buf_clear(&resp->body);
		error = mmp_error_ret(MMP_ENET, MMP_ERROR_NET,
			"%s %s: %s", method, url.ptr, resp->error);
		goto done;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
	if (sink)
		sink->sunk = x.sunk;
	resp->transport = MMP_HTTP_RESPONSE;
	parse_json_body(resp);
	resp->klass = classify(resp);
done:
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
	curl_slist_free_all(hdrs);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&h);
	return error;
}

int mmp_http_request(mmp_http_response *resp, mmp_http_client *c,
	const char *method, const char *path, const char *content_type,
	const void *body, size_t len)
{
	return perform(resp, c, method, path, content_type, body, len, NULL);
}

int mmp_http_request_file(mmp_http_response *resp, mmp_http_client *c,
	const char *method, const char *path, const char *content_type,
	const char *file_path)
{
	struct stat sb;
	FILE *f;
	int error;

	if (!file_path || !method || !strcmp(method, "GET") ||
	    !strcmp(method, "HEAD"))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"bad arguments to an http upload");
	if (!(f = fopen(file_path, "rb")))
		return mmp_error_set_os("cannot open '%s'", file_path);
	if (fstat(fileno(f), &sb) < 0) {
		error = mmp_error_set_os("cannot stat '%s'", file_path);
		fclose(f);
		return error;
	}
	if (!S_ISREG(sb.st_mode)) {
		fclose(f);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_OS,
			"'%s' is not a regular file", file_path);
	}
	error = perform(resp, c, method, path, content_type, NULL,
		(size_t)sb.st_size, f);
	if (!error && ferror(f))
		error = mmp_error_set_os("cannot read '%s'", file_path);
	fclose(f);
	return error;
}

int mmp_http_get(mmp_http_response *resp, mmp_http_client *c,
	const char *path)
{
	return mmp_http_request(resp, c, "GET", path, NULL, NULL, 0);
}

/* the first line of a text body, trimmed and capped, for messages */
static void body_excerpt(mmp_buf *out, const mmp_http_response *r)
{
	const char *p = r->body.ptr, *end;
	size_t n;

	while (*p && isspace((unsigned char)*p))
		p++;
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n > 200)
		n = 200;
	mmp_buf_put(out, p, n);
	mmp_buf_rtrim(out);
}

int mmp_http_response_error(const mmp_http_response *r, const char *what)
{
	mmp_buf text = MMP_BUF_INIT;
	int code = MMP_ENET;

	if (r->transport != MMP_HTTP_RESPONSE) {
		code = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: %s (%s)",
			what, r->error ? r->error : "no response",
			mmp_http_transport_name(r->transport));
		return code;
	}
	if (r->klass == MMP_HTTP_CLASS_OK)
		return 0;
	if (r->error_code) {
		if (!strcmp(r->error_code, "RESOURCE_DOES_NOT_EXIST"))
			code = MMP_ENOTFOUND;
		else if (!strcmp(r->error_code, "RESOURCE_ALREADY_EXISTS"))
			code = MMP_EEXISTS;
		else if (!strcmp(r->error_code, "INVALID_PARAMETER_VALUE"))
			code = MMP_EINVALID;
		mmp_buf_printf(&text, "%s: %s", r->error_code,
			r->message ? r->message : "");
	} else {
		body_excerpt(&text, r);
		if (!text.size)
			mmp_buf_puts(&text, "empty body");
	}
	mmp_error_set(MMP_ERROR_HTTP, "%s: http %ld (%s): %s", what,
		r->status, mmp_http_class_name(r->klass), text.ptr);
	mmp_buf_dispose(&text);
	return code;
}

const char *mmp_http_transport_name(int transport)
{
	static const char *const names[] = {
		"response", "dns", "refused", "timeout", "tls", "connect",
		"empty-reply", "too-big", "other"
	};

	if (transport < 0 || (size_t)transport >= ARRAY_SIZE(names))
		return "unknown";
	return names[transport];
}

const char *mmp_http_class_name(int klass)
{
	static const char *const names[] = {
		"none", "ok", "auth", "airplay", "host-policy", "permission",
		"forbidden", "wrong-base-url", "api-error", "server-error",
		"other"
	};

	if (klass < 0 || (size_t)klass >= ARRAY_SIZE(names))
		return "unknown";
	return names[klass];
}

void mmp_http_escape(mmp_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~') {
			mmp_buf_putc(out, *p);
		} else {
			mmp_buf_putc(out, '%');
			mmp_buf_putc(out, hex[*p >> 4]);
			mmp_buf_putc(out, hex[*p & 15]);
		}
	}
}
