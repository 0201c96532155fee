/* SPDX-License-Identifier: MIT */
/* s3.c: S3 and MinIO objects over libcurl, signed with AWS SigV4 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "curl-load.h"

#include "mmp/s3.h"
#include "mmp/url.h"
#include "mmp/version.h"
#include "util/util.h"
#include "remote-internal.h"
#include "s3-internal.h"

#define DEFAULT_PART ((uint64_t)8 << 20)
#define MIN_PART ((uint64_t)4096)
#define MAX_PARTS 10000
#define MAX_XML ((size_t)16 << 20)
#define MAX_CREDENTIALS ((size_t)1 << 20)
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct mmp_s3 {
	CURL *curl;
	char *bucket, *prefix, *location;
	char *endpoint;          /* scheme://host[:port][/path] */
	int path_style;
	char *region, *sigv4;
	mmp_s3__creds creds;
	char *profile, *cred_file;  /* how to find them again */
	int refreshable;
	uint64_t part_size;
	int max_attempts;
	long backoff_ms, connect_ms, timeout_ms;
	int insecure;
	char *ca_bundle;
	mmp_s3_stats stats;
	char *last_code;
	char errbuf[CURL_ERROR_SIZE];
};

/* one request: a body from memory or from a range of a file, or none */
struct req {
	const char *method;
	const char *key;          /* full key; NULL: the bucket */
	const char *query;        /* canonical (sorted, escaped) or NULL */
	const char *content_type;
	const char *data;
	size_t len;
	FILE *file;
	uint64_t off, flen;
	char sha256[65];          /* the payload's, hex */
	char md5_b64[32];         /* Content-MD5, or "" */
	FILE *sink;               /* a 2xx body goes here */
	uint64_t max;
};

struct resp {
	long status;
	int transport;            /* mmp_http_transport */
	char *error;              /* transport failure text */
	mmp_buf body;
	int too_big;
	char etag[80];
	int encrypted;            /* SSE-KMS or SSE-C: the ETag is no MD5 */
	int64_t date;
	uint64_t content_length;
	int has_length;
	char *code, *message;
	/* the transfer */
	const struct req *rq;
	uint64_t sent, sunk;
	int sink_failed;
	mmp_md5_ctx md5;
	int md5_on;
	CURL *curl;
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* ---------------------------------------------------------------- */
/* the client */

int mmp_s3_uri_split(char **bucket, char **key, const char *uri)
{
	const char *b, *slash;
	size_t n, i;

	*bucket = *key = NULL;
	if (!uri || strncmp(uri, "s3://", 5))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"'%s' is not an s3:// location", uri ? uri : "");
	b = uri + 5;
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	if (n < 3 || n > 63)
		goto bad;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '.' &&
		    b[i] != '-' && b[i] != '_')
			goto bad;
	for (i = 0; uri[i]; i++)
		if ((unsigned char)uri[i] < 0x20 || uri[i] == 0x7f)
			goto bad;
	*bucket = mmp__strndup(b, n);
	b = slash ? slash : b + n;
	while (*b == '/')
		b++;
	n = strlen(b);
	while (n && b[n - 1] == '/')
		n--;
	*key = mmp__strndup(b, n);
	return 0;
bad:
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID, "'%s' does not "
		"name an S3 bucket (s3://BUCKET/PATH, a bucket of 3 to 63 "
		"letters, digits, '.', '-')", uri);
}

/* a bucket name usable as a DNS label under TLS: virtual-host style */
static int dns_bucket(const char *b)
{
	const char *p;

	for (p = b; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    *p == '-'))
			return 0;
	return b[0] != '-';
}

/* the session token goes into a header: no line breaks */
static int check_token(const mmp_s3 *s)
{
	if (s->creds.token && strpbrk(s->creds.token, "\r\n"))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "the "
			"AWS session token (from %s) holds a line break",
			s->creds.source);
	return 0;
}

/* credentials from the options, else where the AWS CLI finds them;
 * `*region` gets the region the environment or profile names */
static int load_credentials(mmp_s3 *s, const mmp_s3_options *o,
	char **region)
{
	*region = NULL;
	if (o->access_key_id && o->secret_access_key) {
		s->creds.id = mmp__strdup(o->access_key_id);
		s->creds.secret = mmp__strdup(o->secret_access_key);
		s->creds.token = mmp__strdup_or_null(o->session_token);
		s->creds.source = mmp__strdup("options");
		return o->region ? 0 : mmp_s3__region_load(region,
			o->profile);
	}
	s->profile = mmp__strdup_or_null(o->profile);
	s->cred_file = mmp__strdup_or_null(o->credentials_file);
	s->refreshable = 1;
	return mmp_s3__creds_load(&s->creds, region, s->profile,
		s->cred_file);
}

/* temporary credentials are renewed this long before they expire */
#define REFRESH_AHEAD_S 300

/* new temporary credentials when these expire soon, or now (`force`:
 * the server refused the session token before its time) */
static int refresh_credentials(mmp_s3 *s, int force)
{
	mmp_s3__creds fresh;
	char *region = NULL;
	int err;

	if (!s->refreshable || !s->creds.expires || (!force &&
	    (int64_t)time(NULL) + REFRESH_AHEAD_S < s->creds.expires))
		return 0;
	err = mmp_s3__creds_load(&fresh, &region, s->profile, s->cred_file);
	free(region);
	if (err < 0) {
		mmp_error_prefix("cannot renew the AWS credentials from %s, "
			"which expire%s", s->creds.source,
			(int64_t)time(NULL) >= s->creds.expires ? "d" :
			" soon");
		return err;
	}
	mmp_s3__creds_release(&s->creds);
	s->creds = fresh;
	s->stats.refreshes++;
	return check_token(s);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = env_nonempty(name);
	int64_t n;

	if (v && mmp_parse_int64(v, &n) == 0 && n > 0)
		return (uint64_t)n;
	return dflt;
}

int mmp_s3_open(mmp_s3 **out, const char *uri, const mmp_s3_options *opts)
{
	mmp_s3_options o = MMP_S3_OPTIONS_INIT;
	mmp_s3 *s;
	mmp_http_url u;
	mmp_buf b = MMP_BUF_INIT;
	const char *ep, *v;
	char *region = NULL;
	int err;

	*out = NULL;
	if (opts) {
		if (opts->version != MMP_S3_OPTIONS_VERSION)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"unsupported s3 options version %u",
				opts->version);
		o = *opts;
	}
	if ((err = mmp_remote__curl_load()) < 0)
		return err;
	s = mmp__calloc(1, sizeof(*s));
	if ((err = mmp_s3_uri_split(&s->bucket, &s->prefix, uri)) < 0)
		goto fail;
	mmp_buf_printf(&b, "s3://%s%s%s", s->bucket, *s->prefix ? "/" : "",
		s->prefix);
	s->location = mmp_buf_detach(&b);
	if ((err = load_credentials(s, &o, &region)) < 0 ||
	    (err = check_token(s)) < 0)
		goto fail;
	s->region = mmp__strdup(o.region ? o.region : region ? region :
		"us-east-1");
	if (strlen(s->region) > 60 || strspn(s->region,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s->region)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "'%s' is "
			"not an AWS region (AWS_REGION, AWS_DEFAULT_REGION, "
			"the profile's region)", s->region);
		goto fail;
	}
	mmp_buf_printf(&b, "aws:amz:%s:s3", s->region);
	s->sigv4 = mmp_buf_detach(&b);
	ep = o.endpoint ? o.endpoint : env_nonempty("MLFLOW_S3_ENDPOINT_URL");
	if (ep) {
		size_t n;

		if ((err = mmp_http_url_parse(&u, ep)) < 0) {
			mmp_error_prefix("MLFLOW_S3_ENDPOINT_URL");
			goto fail;
		}
		mmp_http_url_release(&u);
		if (strchr(ep, '@') || strchr(ep, '?') || strchr(ep, '#')) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"MLFLOW_S3_ENDPOINT_URL must be "
				"http(s)://HOST[:PORT][/PATH], without "
				"credentials or a query");
			goto fail;
		}
		n = strlen(ep);
		while (n && ep[n - 1] == '/')
			n--;
		s->endpoint = mmp__strndup(ep, n);
		s->path_style = 1;
	} else if (dns_bucket(s->bucket)) {
		mmp_buf_printf(&b, "https://%s.s3.%s.amazonaws.com",
			s->bucket, s->region);
		s->endpoint = mmp_buf_detach(&b);
	} else {
		mmp_buf_printf(&b, "https://s3.%s.amazonaws.com", s->region);
		s->endpoint = mmp_buf_detach(&b);
		s->path_style = 1;
	}
	if ((v = env_nonempty("MLFLOW_S3_IGNORE_TLS")))
		s->insecure = !strcasecmp(v, "true") || !strcmp(v, "1");
	s->ca_bundle = mmp__strdup_or_null(env_nonempty("AWS_CA_BUNDLE"));
	s->part_size = o.part_size ? o.part_size :
		env_u64("MMP_S3_PART_SIZE", DEFAULT_PART);
	if (s->part_size < MIN_PART)
		s->part_size = MIN_PART;
	s->max_attempts = o.max_attempts > 0 ? o.max_attempts : 4;
	s->backoff_ms = o.backoff_ms > 0 ? o.backoff_ms : 200;
	s->connect_ms = o.connect_timeout_ms > 0 ? o.connect_timeout_ms :
		5000;
	s->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 30000;
	if (!(s->curl = curl_easy_init())) {
		err = mmp_error_set(MMP_ERROR_NET, "cannot create a libcurl "
			"handle");
		goto fail;
	}
	if (curl_easy_setopt(s->curl, CURLOPT_AWS_SIGV4, s->sigv4) !=
	    CURLE_OK) {
		err = mmp_error_set(MMP_ERROR_NET, "this libcurl (%s) cannot "
			"sign S3 requests: install libcurl 7.75 or newer",
			curl_version_info(CURLVERSION_NOW)->version);
		goto fail;
	}
	free(region);
	*out = s;
	return 0;
fail:
	free(region);
	mmp_buf_dispose(&b);
	mmp_s3_free(s);
	return err;
}

void mmp_s3_free(mmp_s3 *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->bucket);
	free(s->prefix);
	free(s->location);
	free(s->endpoint);
	free(s->region);
	free(s->sigv4);
	mmp_s3__creds_release(&s->creds);
	free(s->profile);
	free(s->cred_file);
	free(s->ca_bundle);
	free(s->last_code);
	free(s);
}

const char *mmp_s3_location(const mmp_s3 *s)
{
	return s->location;
}

const char *mmp_s3_endpoint(const mmp_s3 *s)
{
	return s->endpoint;
}

const char *mmp_s3_credentials_source(const mmp_s3 *s)
{
	return s->creds.source;
}

void mmp_s3_stats_get(const mmp_s3 *s, mmp_s3_stats *out)
{
	*out = s->stats;
	out->last_code = s->last_code;
	out->credentials_expire = s->creds.expires;
}

/* the key below the client's prefix */
static void full_key(mmp_buf *out, const mmp_s3 *s, const char *key)
{
	mmp_buf_clear(out);
	if (*s->prefix)
		mmp_buf_printf(out, "%s/", s->prefix);
	while (*key == '/')
		key++;
	mmp_buf_puts(out, key);
}

void mmp_s3__url(mmp_buf *out, const mmp_s3 *s, const char *key,
	const char *query)
{
	mmp_buf_clear(out);
	mmp_buf_puts(out, s->endpoint);
	if (s->path_style)
		mmp_buf_printf(out, "/%s", s->bucket);
	if (key) {
		mmp_buf_putc(out, '/');
		mmp_s3__escape_key(out, key);
	} else if (!s->path_style) {
		mmp_buf_putc(out, '/');
	}
	if (query)
		mmp_buf_printf(out, "?%s", query);
}

/* ---------------------------------------------------------------- */
/* one request */

static void resp_release(struct resp *r)
{
	free(r->error);
	free(r->code);
	free(r->message);
	mmp_buf_dispose(&r->body);
	if (r->md5_on)
		mmp_md5_release(&r->md5);
	memset(r, 0, sizeof(*r));
	mmp_buf_init(&r->body, 0);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *payload)
{
	struct resp *r = payload;
	size_t len = size * nmemb;
	long status = 0;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (r->rq->sink && status >= 200 && status < 300) {
		if (r->sunk + len > r->rq->max) {
			r->too_big = 1;
			return 0;
		}
		if (fwrite(data, 1, len, r->rq->sink) != len) {
			r->sink_failed = 1;
			return 0;
		}
		if (r->md5_on)
			mmp_md5_update(&r->md5, data, len);
		r->sunk += len;
		return len;
	}
	if (r->body.size + len > MAX_XML) {
		r->too_big = 1;
		return 0;
	}
	mmp_buf_put(&r->body, data, len);
	return len;
}

static int header_is(const char *data, size_t nlen, const char *name)
{
	return nlen == strlen(name) && !strncasecmp(data, name, nlen);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *payload)
{
	struct resp *r = payload;
	size_t len = size * nmemb, nlen;
	const char *colon;
	char val[128];
	size_t vl;
	const char *v;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		r->etag[0] = '\0';
		r->encrypted = 0;
		r->date = 0;
		r->has_length = 0;
		return len;
	}
	if (!(colon = memchr(data, ':', len)))
		return len;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	vl = len - nlen - 1;
	while (vl && isspace((unsigned char)*v)) {
		v++;
		vl--;
	}
	while (vl && isspace((unsigned char)v[vl - 1]))
		vl--;
	if (vl >= sizeof(val))
		vl = sizeof(val) - 1;
	memcpy(val, v, vl);
	val[vl] = '\0';
	if (header_is(data, nlen, "ETag")) {
		mmp_s3__strip_quotes(r->etag, sizeof(r->etag), val);
	} else if (header_is(data, nlen, "Date")) {
		r->date = mmp_s3__http_date(val);
	} else if (header_is(data, nlen, "Content-Length")) {
		int64_t n;
		if (mmp_parse_int64(val, &n) == 0 && n >= 0) {
			r->content_length = (uint64_t)n;
			r->has_length = 1;
		}
	} else if (header_is(data, nlen, "x-amz-server-side-encryption")) {
		if (strcasecmp(val, "AES256"))
			r->encrypted = 1;
	} else if (header_is(data, nlen, "x-amz-server-side-encryption-"
	    "customer-algorithm")) {
		r->encrypted = 1;
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *payload)
{
	struct resp *r = payload;
	const struct req *q = r->rq;
	size_t want = size * nmemb, n;

	if (q->file) {
		if (r->sent >= q->flen)
			return 0;
		if (want > q->flen - r->sent)
			want = (size_t)(q->flen - r->sent);
		n = fread(buf, 1, want, q->file);
		if (n == 0 && want)
			return CURL_READFUNC_ABORT;
	} else {
		if (r->sent >= q->len)
			return 0;
		n = want < q->len - r->sent ? want :
			(size_t)(q->len - r->sent);
		memcpy(buf, q->data + r->sent, n);
	}
	r->sent += n;
	return n;
}

/* a header from a format; the text is wiped once curl has its copy,
 * since a header may carry a token */
void mmp_s3__add_header(struct curl_slist **h, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	struct curl_slist *n;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if ((n = curl_slist_append(*h, b.ptr)))
		*h = n;
	memset(b.ptr, 0, b.size);
	mmp_buf_dispose(&b);
}

static void wipe_headers(struct curl_slist *h)
{
	struct curl_slist *l;

	for (l = h; l; l = l->next)
		memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(h);
}

/* one attempt; 0 when any answer came (r->status says which) */
static int perform(mmp_s3 *s, const struct req *q, struct resp *r)
{
	CURL *e = s->curl;
	struct curl_slist *hdrs = NULL;
	mmp_buf url = MMP_BUF_INIT;
	CURLcode rc;
	long os_errno = 0;
	uint64_t body_len = q->file ? q->flen : q->len;
	int err = 0;

	resp_release(r);
	r->rq = q;
	r->curl = e;
	r->transport = MMP_HTTP_RESPONSE;
	if (q->sink) {
		mmp_md5_init(&r->md5);
		r->md5_on = 1;
	}
	mmp_s3__url(&url, s, q->key, q->query);
	curl_easy_reset(e);
	s->errbuf[0] = '\0';
	s->stats.requests++;
	curl_easy_setopt(e, CURLOPT_URL, url.ptr);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		s->timeout_ms / 1000 > 0 ? s->timeout_ms / 1000 : 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mmp/" MMP_VERSION);
	curl_easy_setopt(e, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(e, CURLOPT_USERNAME, s->creds.id);
	curl_easy_setopt(e, CURLOPT_PASSWORD, s->creds.secret);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	if (s->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (s->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_bundle);
	/* every header added here is signed: add none that is not sent */
	mmp_s3__add_header(&hdrs, "x-amz-content-sha256: %s", q->sha256);
	if (q->md5_b64[0])
		mmp_s3__add_header(&hdrs, "Content-MD5: %s", q->md5_b64);
	if (q->content_type)
		mmp_s3__add_header(&hdrs, "Content-Type: %s", q->content_type);
	if (s->creds.token)
		mmp_s3__add_header(&hdrs, "x-amz-security-token: %s",
			s->creds.token);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (!strcmp(q->method, "GET")) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(q->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(q->method, "PUT")) {
		if (q->file && fseeko(q->file, (off_t)q->off, SEEK_SET) < 0) {
			err = mmp_error_set_os("cannot seek in a file to "
				"upload");
			goto done;
		}
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, r);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
			(curl_off_t)body_len);
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)q->len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->data ? q->data : "");
		if (strcmp(q->method, "POST"))
			curl_easy_setopt(e, CURLOPT_POST, 0L);
	}
	rc = curl_easy_perform(e);
	if (r->sink_failed) {
		err = mmp_error_set_os("cannot write a download");
		goto done;
	}
	if (q->file && ferror(q->file)) {
		err = mmp_error_set_os("cannot read a file to upload");
		goto done;
	}
	if (rc != CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
		r->transport = r->too_big ? MMP_HTTP_ETOOBIG :
			mmp_remote__transport_of(rc, os_errno);
		r->error = mmp__strdup(r->too_big ? "the answer is larger "
			"than expected" : s->errbuf[0] ? s->errbuf :
			curl_easy_strerror(rc));
		goto done;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	s->stats.last_status = r->status;
	if (r->date)
		s->stats.server_date = r->date;
	if (r->status < 200 || r->status >= 300 ||
	    (r->body.size && mmp_s3__find(r->body.ptr, r->body.ptr + r->body.size,
	    "<Error>")))
		mmp_s3__error_parse(&r->code, &r->message, r->body.ptr,
			r->body.size);
	free(s->last_code);
	s->last_code = mmp__strdup_or_null(r->code);
done:
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
	wipe_headers(hdrs);
	mmp_buf_dispose(&url);
	return err;
}

static int ok(const struct resp *r)
{
	return r->transport == MMP_HTTP_RESPONSE && r->status >= 200 &&
		r->status < 300 && !r->code;
}

static int retryable(const struct resp *r)
{
	if (r->transport != MMP_HTTP_RESPONSE)
		return r->transport != MMP_HTTP_EDNS &&
			r->transport != MMP_HTTP_ETLS &&
			r->transport != MMP_HTTP_ETOOBIG;
	if (r->status >= 500 || r->status == 429)
		return 1;
	/* a 200 carrying an <Error> (CompleteMultipartUpload), and
	 * requests the server gave up waiting for */
	return r->code && (!strcmp(r->code, "InternalError") ||
		!strcmp(r->code, "SlowDown") ||
		!strcmp(r->code, "RequestTimeout"));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* the last error for a failed answer: what, why, and the fix */
static int fail(mmp_s3 *s, const struct resp *r, const char *what,
	int attempts)
{
	mmp_buf m = MMP_BUF_INIT;
	const char *c = r->code;
	int code = MMP_ENET;

	mmp_buf_printf(&m, "%s: ", what);
	if (r->transport != MMP_HTTP_RESPONSE) {
		mmp_buf_printf(&m, "cannot reach %s: %s (%s)", s->endpoint,
			r->error ? r->error : "no answer",
			mmp_http_transport_name(r->transport));
		if (attempts > 1)
			mmp_buf_printf(&m, " after %d attempts", attempts);
		if (r->transport == MMP_HTTP_ETOOBIG)
			goto done;
		if (s->path_style && env_nonempty("MLFLOW_S3_ENDPOINT_URL"))
			mmp_buf_puts(&m, "; check MLFLOW_S3_ENDPOINT_URL and "
				"that the S3 server runs there");
		else if (r->transport == MMP_HTTP_ETLS)
			mmp_buf_puts(&m, "; check the certificate "
				"(AWS_CA_BUNDLE, MLFLOW_S3_IGNORE_TLS)");
		else
			mmp_buf_puts(&m, "; check the network route to the "
				"endpoint, or set MLFLOW_S3_ENDPOINT_URL");
		goto done;
	}
	mmp_buf_printf(&m, "http %ld", r->status);
	if (c)
		mmp_buf_printf(&m, " %s", c);
	if (r->message && *r->message) {
		mmp_buf_puts(&m, ": ");
		mmp_url_redact(&m, r->message);
	}
	if (attempts > 1)
		mmp_buf_printf(&m, " (after %d attempts)", attempts);
	if (!c && r->status == 404)
		c = "NoSuchKey";
	if (!c && r->status == 403)
		c = "AccessDenied";
	if (!c)
		goto done;
	if (!strcmp(c, "SignatureDoesNotMatch")) {
		mmp_buf_printf(&m, "; the secret access key does not belong "
			"to the access key id: fix the secret (from %s)",
			s->creds.source);
	} else if (!strcmp(c, "InvalidAccessKeyId")) {
		mmp_buf_printf(&m, "; the server does not know this access "
			"key id: fix the key pair (from %s) for %s",
			s->creds.source, s->endpoint);
	} else if (!strcmp(c, "RequestTimeTooSkewed")) {
		mmp_buf_puts(&m, "; this machine's clock is more than 15 "
			"minutes off, and signatures fail: sync it (timedatectl "
			"set-ntp true, or chronyc makestep)");
	} else if ((!strcmp(c, "InvalidToken") ||
	    !strcmp(c, "ExpiredToken") ||
	    !strcmp(c, "TokenRefreshRequired")) && s->refreshable &&
	    s->creds.expires) {
		mmp_buf_printf(&m, "; the session token (from %s) was refused "
			"again after it was renewed: check that source's "
			"credentials and this machine's clock",
			s->creds.source);
	} else if (!strcmp(c, "InvalidToken") ||
	    !strcmp(c, "ExpiredToken") || !strcmp(c, "TokenRefreshRequired")) {
		mmp_buf_printf(&m, "; the session token (from %s) is not "
			"valid or has expired: get new temporary credentials "
			"(AWS_SESSION_TOKEN)", s->creds.source);
	} else if (!strcmp(c, "AccessDenied") ||
	    !strcmp(c, "AllAccessDisabled")) {
		mmp_buf_printf(&m, "; the credentials (from %s) may not do "
			"this on bucket '%s': grant s3:GetObject, "
			"s3:PutObject, s3:DeleteObject and s3:ListBucket on "
			"%s", s->creds.source, s->bucket, s->location);
	} else if (!strcmp(c, "NoSuchBucket")) {
		code = MMP_ENOTFOUND;
		mmp_buf_printf(&m, "; bucket '%s' does not exist at %s: "
			"create it, or fix the artifact location (or "
			"MLFLOW_S3_ENDPOINT_URL)", s->bucket, s->endpoint);
	} else if (!strcmp(c, "NoSuchKey") || !strcmp(c, "NotFound")) {
		code = MMP_ENOTFOUND;
	} else if (!strcmp(c, "PermanentRedirect") ||
	    !strcmp(c, "AuthorizationHeaderMalformed") ||
	    !strcmp(c, "IllegalLocationConstraintException")) {
		mmp_buf_printf(&m, "; bucket '%s' is in another region than "
			"%s: set AWS_REGION to the bucket's region",
			s->bucket, s->region);
	} else if (!strcmp(c, "BadDigest") ||
	    !strcmp(c, "XAmzContentSHA256Mismatch")) {
		mmp_buf_puts(&m, "; the bytes changed on the way (a proxy "
			"or a file written meanwhile): try again");
	}
done:
	mmp_error_set(MMP_ERROR_NET, "%s", m.ptr);
	mmp_buf_dispose(&m);
	return code;
}

/* a request with retries; 0 for a 2xx without an <Error> */
static int call(mmp_s3 *s, const struct req *q, struct resp *r,
	const char *what)
{
	long wait = s->backoff_ms;
	int attempt, err, renewed = 0;

	for (attempt = 1;; attempt++) {
		if (q->sink && (fflush(q->sink) != 0 ||
		    ftruncate(fileno(q->sink), 0) < 0 ||
		    fseeko(q->sink, 0, SEEK_SET) < 0))
			return mmp_error_set_os("cannot rewind a download");
		if ((err = refresh_credentials(s, 0)) < 0 ||
		    (err = perform(s, q, r)) < 0)
			return err;
		if (ok(r))
			return 0;
		/* temporary credentials the server calls expired (a session
		 * revoked, a clock behind): renewed once, then tried again */
		if (!renewed && s->refreshable && s->creds.expires &&
		    r->code && (!strcmp(r->code, "ExpiredToken") ||
		    !strcmp(r->code, "InvalidToken") ||
		    !strcmp(r->code, "TokenRefreshRequired"))) {
			renewed = 1;
			if ((err = refresh_credentials(s, 1)) < 0)
				return err;
			continue;
		}
		if (!retryable(r) || attempt >= s->max_attempts)
			break;
		s->stats.retries++;
		sleep_ms(wait);
		wait = wait * 2 > 5000 ? 5000 : wait * 2;
	}
	return fail(s, r, what, attempt);
}

/* ---------------------------------------------------------------- */
/* objects */

static void hex_of(char *out, const unsigned char *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void base64_of(char *out, const unsigned char *d, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = t[d[i] >> 2];
		*out++ = t[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*out++ = t[((d[i + 1] & 15) << 2) | (d[i + 2] >> 6)];
		*out++ = t[d[i + 2] & 63];
	}
	if (i < n) {
		*out++ = t[d[i] >> 2];
		if (i + 1 < n) {
			*out++ = t[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
			*out++ = t[(d[i + 1] & 15) << 2];
		} else {
			*out++ = t[(d[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

/* the SHA-256 and MD5 of a body, for its headers; md5 gets the digest */
static void digest_mem(struct req *q, unsigned char md5[16])
{
	mmp_md5_ctx m;

	mmp_sha256_buf_hex(q->sha256, q->data ? q->data : "", q->len);
	mmp_md5_init(&m);
	mmp_md5_update(&m, q->data ? q->data : "", q->len);
	mmp_md5_final(&m, md5);
	base64_of(q->md5_b64, md5, 16);
}

static int digest_file(struct req *q, unsigned char md5[16])
{
	static const size_t bufsz = 1 << 16;
	unsigned char *buf, d[32];
	mmp_sha256_ctx sc;
	mmp_md5_ctx mc;
	uint64_t left = q->flen;
	int err = 0;

	if (fseeko(q->file, (off_t)q->off, SEEK_SET) < 0)
		return mmp_error_set_os("cannot seek in a file to upload");
	buf = mmp__malloc(bufsz);
	mmp_sha256_init(&sc);
	mmp_md5_init(&mc);
	while (left) {
		size_t want = left < bufsz ? (size_t)left : bufsz;
		size_t n = fread(buf, 1, want, q->file);
		if (n != want) {
			err = ferror(q->file) ?
				mmp_error_set_os("cannot read a file to "
					"upload") :
				mmp_error_ret(MMP_ERROR, MMP_ERROR_OS, "a "
					"file to upload shrank while it was "
					"read");
			break;
		}
		mmp_sha256_update(&sc, buf, n);
		mmp_md5_update(&mc, buf, n);
		left -= n;
	}
	free(buf);
	if (err) {
		mmp_sha256_release(&sc);
		mmp_md5_release(&mc);
		return err;
	}
	mmp_sha256_final(&sc, d);
	mmp_sha256_hex(q->sha256, d);
	mmp_md5_final(&mc, md5);
	base64_of(q->md5_b64, md5, 16);
	return 0;
}

/* the ETag the server answered against the MD5 of what was sent */
static int check_etag(const struct resp *r, const unsigned char md5[16],
	const char *what)
{
	char hex[33];

	hex_of(hex, md5, 16);
	if (r->encrypted || !r->etag[0] || strlen(r->etag) != 32)
		return 0;
	if (strcasecmp(r->etag, hex))
		return mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: the server "
			"stored other bytes than were sent (ETag %s, MD5 %s)",
			what, r->etag, hex);
	return 0;
}

static int put_single(mmp_s3 *s, const char *key, struct req *q,
	const char *what)
{
	struct resp r;
	unsigned char md5[16];
	int err;

	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	q->method = "PUT";
	q->key = key;
	if ((err = q->file ? digest_file(q, md5) : (digest_mem(q, md5), 0)) <
	    0)
		goto done;
	if ((err = call(s, q, &r, what)) == 0)
		err = check_etag(&r, md5, what);
done:
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	return err;
}

static void abort_upload(mmp_s3 *s, const char *key, const char *upload_id)
{
	struct req q;
	struct resp r;
	mmp_buf query = MMP_BUF_INIT;
	mmp_error saved = *mmp_error_last();
	char *msg = mmp__strdup(saved.message ? saved.message : "");
	int klass = saved.klass;

	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	mmp_buf_puts(&query, "uploadId=");
	mmp_http_escape(&query, upload_id);
	q.method = "DELETE";
	q.key = key;
	q.query = query.ptr;
	memcpy(q.sha256, EMPTY_SHA256, 65);
	call(s, &q, &r, "abort the multipart upload");
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&query);
	mmp_error_set(klass, "%s", msg);
	free(msg);
}

static int put_multipart(mmp_s3 *s, const char *key, FILE *f,
	uint64_t size, const char *what)
{
	struct req q;
	struct resp r;
	mmp_buf query = MMP_BUF_INIT, xml = MMP_BUF_INIT, v = MMP_BUF_INIT;
	mmp_buf step = MMP_BUF_INIT;
	char *upload_id = NULL;
	char (*etags)[80] = NULL;
	unsigned char md5[16];
	mmp_md5_ctx all;
	uint64_t part = s->part_size, off;
	size_t nparts, i;
	const char *p;
	int err;

	if ((size + part - 1) / part > MAX_PARTS)
		part = ((size + MAX_PARTS - 1) / MAX_PARTS + 0xfffff) &
			~(uint64_t)0xfffff;
	nparts = (size_t)((size + part - 1) / part);
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	mmp_md5_init(&all);

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.key = key;
	q.query = "uploads=";
	memcpy(q.sha256, EMPTY_SHA256, 65);
	mmp_buf_printf(&step, "%s: start a multipart upload", what);
	if ((err = call(s, &q, &r, step.ptr)) < 0)
		goto done;
	p = r.body.ptr;
	if (mmp_s3__xml_next(&v, &p, r.body.ptr + r.body.size,
	    "UploadId") < 0 || !v.size) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: the server "
			"started a multipart upload without an UploadId",
			what);
		goto done;
	}
	upload_id = mmp_buf_detach(&v);
	s->stats.multipart++;
	etags = mmp__calloc(nparts, sizeof(*etags));
	for (i = 0, off = 0; i < nparts; i++, off += part) {
		memset(&q, 0, sizeof(q));
		mmp_buf_clear(&query);
		mmp_buf_printf(&query, "partNumber=%zu&uploadId=", i + 1);
		mmp_http_escape(&query, upload_id);
		q.method = "PUT";
		q.key = key;
		q.query = query.ptr;
		q.file = f;
		q.off = off;
		q.flen = size - off < part ? size - off : part;
		if ((err = digest_file(&q, md5)) < 0)
			goto done;
		mmp_buf_clear(&step);
		mmp_buf_printf(&step, "%s: part %zu of %zu", what, i + 1,
			nparts);
		if ((err = call(s, &q, &r, step.ptr)) < 0 ||
		    (err = check_etag(&r, md5, step.ptr)) < 0)
			goto done;
		s->stats.parts++;
		mmp_md5_update(&all, md5, 16);
		if (r.etag[0])
			snprintf(etags[i], sizeof(etags[i]), "%s", r.etag);
		else
			hex_of(etags[i], md5, 16);
	}
	mmp_buf_puts(&xml, "<CompleteMultipartUpload>");
	for (i = 0; i < nparts; i++)
		mmp_buf_printf(&xml, "<Part><PartNumber>%zu</PartNumber>"
			"<ETag>\"%s\"</ETag></Part>", i + 1, etags[i]);
	mmp_buf_puts(&xml, "</CompleteMultipartUpload>");
	memset(&q, 0, sizeof(q));
	mmp_buf_clear(&query);
	mmp_buf_puts(&query, "uploadId=");
	mmp_http_escape(&query, upload_id);
	q.method = "POST";
	q.key = key;
	q.query = query.ptr;
	q.content_type = "application/xml";
	q.data = xml.ptr;
	q.len = xml.size;
	digest_mem(&q, md5);
	mmp_buf_clear(&step);
	mmp_buf_printf(&step, "%s: complete the multipart upload", what);
	if ((err = call(s, &q, &r, step.ptr)) < 0)
		goto done;
	/* the ETag of a multipart object: MD5 of the parts' MD5s, -N */
	{
		const char *end = r.body.ptr + r.body.size;
		char want[80], hex[33];
		unsigned char d[16];

		p = r.body.ptr;
		mmp_md5_final(&all, d);
		all.md = NULL;
		hex_of(hex, d, 16);
		snprintf(want, sizeof(want), "%s-%zu", hex, nparts);
		if (mmp_s3__xml_next(&v, &p, end, "ETag") == 0 &&
		    !r.encrypted) {
			char got[80];
			mmp_s3__strip_quotes(got, sizeof(got), v.ptr);
			if (strchr(got, '-') && strcasecmp(got, want)) {
				err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET,
					"%s: the server assembled other "
					"bytes than were sent (ETag %s, "
					"expected %s)", what, got, want);
				goto done;
			}
		}
	}
done:
	if (err < 0 && upload_id)
		abort_upload(s, key, upload_id);
	if (all.md)
		mmp_md5_release(&all);
	free(upload_id);
	free(etags);
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&query);
	mmp_buf_dispose(&xml);
	mmp_buf_dispose(&v);
	mmp_buf_dispose(&step);
	return err;
}

static void what_of(mmp_buf *out, const char *verb, const mmp_s3 *s,
	const char *key)
{
	mmp_buf_clear(out);
	mmp_buf_printf(out, "%s s3://%s/%s", verb, s->bucket, key);
}

int mmp_s3_put_file(mmp_s3 *s, const char *key, const char *file)
{
	mmp_buf k = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct stat sb;
	struct req q;
	FILE *f;
	int err;

	if (!(f = fopen(file, "rb")))
		return mmp_error_set_os("cannot open '%s'", file);
	if (fstat(fileno(f), &sb) < 0) {
		err = mmp_error_set_os("cannot stat '%s'", file);
		fclose(f);
		return err;
	}
	if (!S_ISREG(sb.st_mode)) {
		fclose(f);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_OS, "'%s' is not "
			"a regular file", file);
	}
	full_key(&k, s, key);
	what_of(&what, "upload to", s, k.ptr);
	if ((uint64_t)sb.st_size > s->part_size) {
		err = put_multipart(s, k.ptr, f, (uint64_t)sb.st_size,
			what.ptr);
	} else {
		memset(&q, 0, sizeof(q));
		q.file = f;
		q.flen = (uint64_t)sb.st_size;
		err = put_single(s, k.ptr, &q, what.ptr);
	}
	if (err < 0)
		mmp_error_prefix("'%s'", file);
	fclose(f);
	mmp_buf_dispose(&k);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_put_data(mmp_s3 *s, const char *key, const void *data,
	size_t len)
{
	mmp_buf k = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	int err;

	full_key(&k, s, key);
	what_of(&what, "upload to", s, k.ptr);
	memset(&q, 0, sizeof(q));
	q.data = data;
	q.len = len;
	err = put_single(s, k.ptr, &q, what.ptr);
	mmp_buf_dispose(&k);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_get_file(mmp_s3 *s, const char *key, const char *file,
	uint64_t max, uint64_t *written)
{
	mmp_buf k = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	struct resp r;
	unsigned char d[16];
	char hex[33];
	FILE *f;
	int err;

	if (written)
		*written = 0;
	if (!(f = fopen(file, "wb")))
		return mmp_error_set_os("cannot create '%s'", file);
	full_key(&k, s, key);
	what_of(&what, "download", s, k.ptr);
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	q.method = "GET";
	q.key = k.ptr;
	q.sink = f;
	q.max = max;
	memcpy(q.sha256, EMPTY_SHA256, 65);
	if ((err = call(s, &q, &r, what.ptr)) < 0) {
		if (r.transport == MMP_HTTP_ETOOBIG)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: "
				"larger than the %llu bytes expected",
				what.ptr, (unsigned long long)max);
		goto done;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		err = mmp_error_set_os("cannot write '%s'", file);
		goto done;
	}
	if (r.has_length && r.content_length != r.sunk) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: truncated: "
			"%llu of %llu bytes", what.ptr,
			(unsigned long long)r.sunk,
			(unsigned long long)r.content_length);
		goto done;
	}
	mmp_md5_final(&r.md5, d);
	r.md5_on = 0;
	hex_of(hex, d, 16);
	if (!r.encrypted && strlen(r.etag) == 32 && strcasecmp(r.etag, hex)) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: the bytes "
			"received do not match the object's ETag (%s, got MD5 "
			"%s)", what.ptr, r.etag, hex);
		goto done;
	}
	if (written)
		*written = r.sunk;
done:
	if (fclose(f) != 0 && !err)
		err = mmp_error_set_os("cannot write '%s'", file);
	if (err < 0)
		unlink(file);
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&k);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_head(mmp_s3_object *out, mmp_s3 *s, const char *key)
{
	mmp_buf k = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	struct resp r;
	int err;

	memset(out, 0, sizeof(*out));
	full_key(&k, s, key);
	what_of(&what, "look up", s, k.ptr);
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	q.method = "HEAD";
	q.key = k.ptr;
	memcpy(q.sha256, EMPTY_SHA256, 65);
	if ((err = call(s, &q, &r, what.ptr)) == 0) {
		out->size = r.content_length;
		snprintf(out->etag, sizeof(out->etag), "%s", r.etag);
	}
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&k);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_ping(mmp_s3 *s)
{
	mmp_buf pfx = MMP_BUF_INIT, query = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	struct resp r;
	int err;

	full_key(&pfx, s, "");
	mmp_buf_puts(&query, "list-type=2&max-keys=1&prefix=");
	mmp_http_escape(&query, pfx.ptr);
	mmp_buf_printf(&what, "list s3://%s/%s", s->bucket, pfx.ptr);
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	q.method = "GET";
	q.query = query.ptr;
	memcpy(q.sha256, EMPTY_SHA256, 65);
	err = call(s, &q, &r, what.ptr);
	if (!err && !mmp_s3__find(r.body.ptr, r.body.ptr + r.body.size,
	    "<ListBucketResult"))
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: the answer "
			"is not an S3 listing: is %s an S3 server?", what.ptr,
			s->endpoint);
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&pfx);
	mmp_buf_dispose(&query);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_delete(mmp_s3 *s, const char *key)
{
	mmp_buf k = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	struct resp r;
	int err;

	full_key(&k, s, key);
	what_of(&what, "delete", s, k.ptr);
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	q.method = "DELETE";
	q.key = k.ptr;
	memcpy(q.sha256, EMPTY_SHA256, 65);
	err = call(s, &q, &r, what.ptr);
	if (err == MMP_ENOTFOUND && r.code && !strcmp(r.code, "NoSuchKey")) {
		mmp_error_clear();
		err = 0;
	}
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&k);
	mmp_buf_dispose(&what);
	return err;
}

int mmp_s3_list(mmp_s3_object **out, size_t *n, mmp_s3 *s,
	const char *dir, size_t max)
{
	mmp_buf pfx = MMP_BUF_INIT, query = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct req q;
	struct resp r;
	size_t alloc = 0;
	char *next = NULL;
	int err = 0, truncated = 1, pages = 0;

	*out = NULL;
	*n = 0;
	full_key(&pfx, s, dir);
	while (pfx.size && pfx.ptr[pfx.size - 1] == '/')
		mmp_buf_truncate(&pfx, pfx.size - 1);
	if (pfx.size)
		mmp_buf_putc(&pfx, '/');
	mmp_buf_printf(&what, "list s3://%s/%s", s->bucket, pfx.ptr);
	memset(&r, 0, sizeof(r));
	mmp_buf_init(&r.body, 0);
	while (truncated && !err) {
		/* the query in canonical order: sorted, escaped */
		mmp_buf_clear(&query);
		if (next) {
			mmp_buf_puts(&query, "continuation-token=");
			mmp_http_escape(&query, next);
			mmp_buf_putc(&query, '&');
		}
		mmp_buf_puts(&query, "list-type=2&prefix=");
		mmp_http_escape(&query, pfx.ptr);
		free(next);
		next = NULL;
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.query = query.ptr;
		memcpy(q.sha256, EMPTY_SHA256, 65);
		if ((err = call(s, &q, &r, what.ptr)) < 0)
			break;
		if ((err = mmp_s3__list_parse(out, n, &alloc, &truncated,
		    &next, r.body.ptr, r.body.size, pfx.ptr)) < 0) {
			mmp_error_prefix("%s", what.ptr);
			break;
		}
		if (*n > max || ++pages > 100000)
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_NET,
				"%s: more than %zu objects", what.ptr, max);
	}
	free(next);
	if (err < 0) {
		mmp_s3_objects_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	resp_release(&r);
	mmp_buf_dispose(&r.body);
	mmp_buf_dispose(&pfx);
	mmp_buf_dispose(&query);
	mmp_buf_dispose(&what);
	return err;
}

void mmp_s3_objects_free(mmp_s3_object *o, size_t n)
{
	size_t i;

	for (i = 0; o && i < n; i++)
		free(o[i].key);
	free(o);
}
