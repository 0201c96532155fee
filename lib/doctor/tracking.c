/* SPDX-License-Identifier: MIT */
/* tracking.c: the tracking-server and artifact-store checks */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "mmp/remote.h"
#include "mmp/url.h"
#include "doctor-internal.h"

#define API "/api/2.0/mlflow"

static long timeout_of(const mmp_doctor_options *o)
{
	return o->timeout_ms > 0 ? o->timeout_ms : DOCTOR_TIMEOUT_MS;
}

static int new_client(mmp_http_client **c, const char *url,
	const mmp_doctor_options *o)
{
	mmp_http_options ho = MMP_HTTP_OPTIONS_INIT;

	mmp_http_options_from_env(&ho);
	ho.connect_timeout_ms = timeout_of(o);
	ho.timeout_ms = timeout_of(o);
	ho.max_body = 1 << 20;
	return mmp_http_client_new(c, url, &ho);
}

/* which credential variables are set; values are never shown */
static void credential_details(mmp_doctor_result *r)
{
	static const char *const vars[] = { "MLFLOW_TRACKING_USERNAME",
		"MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		mmp_doctor__detail(r, "%s is %s", vars[i],
			v && *v ? "set" : "not set");
	}
}

static void first_line(mmp_buf *out, const mmp_http_response *resp)
{
	const char *p = resp->body.ptr;
	size_t n;

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	n = strcspn(p, "\r\n");
	if (n > 160)
		n = 160;
	mmp_buf_put(out, p, n);
}

/*
 * Explain a probe's failure. Returns 1 when the result is final (the
 * other probes would only repeat it), 0 to go on.
 */
static int explain_transport(mmp_doctor_result *r,
	const mmp_http_response *resp, const char *url, const char *what,
	const mmp_doctor_options *o)
{
	mmp_buf s = MMP_BUF_INIT;

	mmp_buf_printf(&s, "%s %s: %s", what, url, resp->error ?
		resp->error : mmp_http_transport_name(resp->transport));
	switch (resp->transport) {
	case MMP_HTTP_ETLS:
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "TLS failed: use "
			"http:// if the server speaks plain HTTP; otherwise "
			"point MLFLOW_TRACKING_SERVER_CERT_PATH at the CA "
			"bundle that signed its certificate (or set "
			"MLFLOW_TRACKING_INSECURE_TLS=true to skip "
			"verification, for testing only)");
		break;
	case MMP_HTTP_ETIMEOUT:
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the server "
			"accepted the connection but sent no answer within "
			"%ld ms: it may be overloaded, stuck, or not an HTTP "
			"server; check its log", timeout_of(o));
		break;
	case MMP_HTTP_EEMPTY:
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the server "
			"closed "
			"the connection without an HTTP answer: it may expect "
			"TLS (use https://) or not be an HTTP server at all");
		break;
	default:
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "check that the "
			"tracking server runs and that tracking.uri is right");
		break;
	}
	mmp_doctor__detail(r, "%s", s.ptr);
	mmp_buf_dispose(&s);
	return 1;
}

static int explain_http(mmp_doctor_result *r, const mmp_http_response *resp,
	const char *url, const char *host, int port, const char *what,
	int is_api)
{
	mmp_buf s = MMP_BUF_INIT, text = MMP_BUF_INIT;
	int final = 1;

	first_line(&text, resp);
	switch (resp->klass) {
	case MMP_HTTP_CLASS_OK:
		final = 0;
		break;
	case MMP_HTTP_CLASS_AUTH:
		mmp_buf_printf(&s, "http 401 from %s: the server wants "
			"credentials%s%s", what, resp->www_authenticate ?
			" (" : "", resp->www_authenticate ?
			resp->www_authenticate : "");
		if (resp->www_authenticate)
			mmp_buf_putc(&s, ')');
		credential_details(r);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "mmp reads "
			"MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD "
			"(HTTP basic auth) or MLFLOW_TRACKING_TOKEN (bearer "
			"token): export them with your MLflow credentials; if "
			"they are set, the server rejected them");
		break;
	case MMP_HTTP_CLASS_AIRPLAY:
		mmp_buf_printf(&s, "http 403 from %s with %s: this looks like "
			"macOS AirPlay Receiver, not MLflow", what,
			resp->server ? resp->server : "an empty body");
		mmp_doctor__detail(r, "how to tell: curl -si %s shows 403, an "
			"empty body and a 'Server: AirTunes/...' header; "
			"MLflow answers 200 'OK' on /health", url);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "turn off AirPlay "
			"Receiver (System Settings > General > AirDrop & "
			"Handoff) or run MLflow on another port (mlflow server "
			"--port 5001) and set tracking.uri to "
			"http://%s:5001", host);
		break;
	case MMP_HTTP_CLASS_HOST_POLICY:
		mmp_buf_printf(&s, "http 403 from %s: '%s': the server rejects "
			"the Host header '%s:%d' (MLflow 3.x DNS-rebinding "
			"protection)", what, text.ptr, host, port);
		mmp_doctor__detail(r, "how to tell: the 403 body is plain text "
			"naming the Host header, while /health and /version "
			"still answer 200");
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start the server "
			"with --allowed-hosts '%s,%s:%d' (or set "
			"MLFLOW_SERVER_ALLOWED_HOSTS)%s", host, host, port,
			strcmp(host, "localhost") && strcmp(host, "127.0.0.1") ?
			", or connect through 127.0.0.1 or localhost, which "
			"MLflow allows by default" : "");
		break;
	case MMP_HTTP_CLASS_PERMISSION:
		mmp_buf_printf(&s, "http 403 from %s: permission denied%s%s",
			what, resp->message ? ": " : "", resp->message ?
			resp->message : "");
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the credentials "
			"were accepted but this user may not use the "
			"experiment: ask an MLflow admin to grant READ/EDIT "
			"permission, or use another account in "
			"MLFLOW_TRACKING_USERNAME");
		break;
	case MMP_HTTP_CLASS_FORBIDDEN:
		if (text.size)
			mmp_buf_printf(&s, "http 403 from %s with a non-JSON "
				"body: '%s'", what, text.ptr);
		else
			mmp_buf_printf(&s, "http 403 from %s with an empty "
				"body", what);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "something in "
			"front of MLflow (a proxy or gateway) refused the "
			"request: check its access rules, or connect to MLflow "
			"directly");
		break;
	case MMP_HTTP_CLASS_WRONG_BASE:
		if (!is_api) {
			mmp_doctor__detail(r, "%s answered http %ld", what,
				resp->status);
			final = 0;
			break;
		}
		mmp_buf_printf(&s, "http %ld (HTML) from %s: no MLflow API at "
			"this base URL", resp->status, what);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "put the path "
			"prefix the server is mounted under into tracking.uri "
			"(for example http://%s:%d/mlflow)", host, port);
		break;
	case MMP_HTTP_CLASS_API_ERROR:
		if (is_api && resp->error_code &&
		    !strcmp(resp->error_code, "RESOURCE_DOES_NOT_EXIST")) {
			final = 0;
			break;
		}
		mmp_buf_printf(&s, "http %ld from %s: %s: %s", resp->status,
			what, resp->error_code, resp->message ?
			resp->message : "");
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "see the tracking "
			"server's log for this error");
		break;
	default:
		mmp_buf_printf(&s, "http %ld from %s: '%s'", resp->status,
			what, text.ptr);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "see the tracking "
			"server's log; a 5xx is a server-side failure");
		break;
	}
	if (s.size)
		mmp_doctor__detail(r, "%s", s.ptr);
	mmp_buf_dispose(&s);
	mmp_buf_dispose(&text);
	return final;
}

static void check_version(mmp_doctor_result *r, const char *body)
{
	int major = 0, minor = 0, patch = 0;
	mmp_buf s = MMP_BUF_INIT;
	const char *p = body;

	while (*p == ' ' || *p == '\n' || *p == '"')
		p++;
	if (sscanf(p, "%d.%d.%d", &major, &minor, &patch) < 2) {
		mmp_doctor__detail(r, "server version: unknown ('%.40s')", p);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, "the server's /version "
			"is not an MLflow version", "check that tracking.uri "
			"points at an MLflow tracking server");
		return;
	}
	mmp_doctor__detail(r, "server version: MLflow %d.%d.%d; mmp speaks "
		"the 2.x REST API (tested against 2.10)", major, minor, patch);
	if (major < 2 || (major == 2 && minor < 3)) {
		mmp_buf_printf(&s, "MLflow %d.%d.%d is too old for mmp: model "
			"aliases need 2.3 or newer", major, minor, patch);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "upgrade the "
			"tracking server to MLflow 2.10 or newer (pip install "
			"'mlflow>=2.10')");
		mmp_doctor__detail(r, "%s", s.ptr);
	} else if (major == 2 && minor < 10) {
		mmp_buf_printf(&s, "version skew: server MLflow %d.%d.%d is "
			"older than the 2.10 protocol mmp is tested against",
			major, minor, patch);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "upgrade the "
			"tracking server to MLflow 2.10 or newer (pip install "
			"'mlflow>=2.10')");
		mmp_doctor__detail(r, "%s", s.ptr);
	} else if (major > 2) {
		mmp_buf_printf(&s, "version skew: server MLflow %d.%d.%d is a "
			"newer major version than the 2.x protocol mmp speaks",
			major, minor, patch);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "MLflow %d keeps "
			"the /api/2.0 REST API, but check 'mmp sync' against a "
			"test experiment first; MLflow %d.x also checks the "
			"Host header (--allowed-hosts)", major, major);
		mmp_doctor__detail(r, "%s", s.ptr);
	}
	mmp_buf_dispose(&s);
}

/* resolve and connect; 0 when a TCP connection could be made */
static int probe_tcp(mmp_doctor_result *r, const mmp_http_url *u,
	const mmp_doctor_options *o)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16], addr[INET6_ADDRSTRLEN] = "";
	mmp_buf s = MMP_BUF_INIT;
	int rc, fd = -1, err = 0, ret = -1;
	double t0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", u->port);
	rc = getaddrinfo(u->host, portstr, &hints, &res);
	if (rc) {
		mmp_buf_printf(&s, "cannot resolve '%s': %s", u->host,
			gai_strerror(rc));
		mmp_doctor__detail(r, "dns: %s", s.ptr);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "check the host "
			"name in tracking.uri; inside Docker Compose use the "
			"service name, from the host use localhost");
		goto done;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)ai->ai_addr)->
				sin_addr :
			(const void *)&((struct sockaddr_in6 *)ai->ai_addr)->
				sin6_addr;
		inet_ntop(ai->ai_family, a, addr, sizeof(addr));
		break;
	}
	mmp_doctor__detail(r, "dns: %s resolves to %s", u->host, addr);
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		t0 = mmp_time_mono();
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
		} else if (errno != EINPROGRESS) {
			err = errno;
		} else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			rc = poll(&pfd, 1, (int)timeout_of(o));
			if (rc == 0)
				err = ETIMEDOUT;
			else if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR,
				 &err, &len) < 0)
				err = errno;
		}
		close(fd);
		if (!err) {
			mmp_doctor__detail(r, "tcp: connected to %s port %d in "
				"%.1f ms", addr, u->port,
				(mmp_time_mono() - t0) * 1000.0);
			ret = 0;
			goto done;
		}
		if (err != ECONNREFUSED)
			break;
	}
	if (err == ECONNREFUSED) {
		mmp_buf_printf(&s, "connection refused by %s port %d: nothing "
			"listens there", addr, u->port);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start the "
			"tracking server (mlflow server --host 127.0.0.1 "
			"--port "
			"%d), or fix the port in tracking.uri; a server in a "
			"container must listen on 0.0.0.0 and have the port "
			"published (docker run -p %d:%d)", u->port, u->port,
			u->port);
	} else if (err == ETIMEDOUT) {
		mmp_buf_printf(&s, "connection to %s port %d timed out after "
			"%ld ms", addr, u->port, timeout_of(o));
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "a firewall drops "
			"the packets or the host is down: check security "
			"groups and firewalls between here and %s", u->host);
	} else {
		mmp_buf_printf(&s, "cannot connect to %s port %d: %s", addr,
			u->port, strerror(err));
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "check the "
			"network route to %s", u->host);
	}
	mmp_doctor__detail(r, "tcp: %s", s.ptr);
done:
	if (res)
		freeaddrinfo(res);
	mmp_buf_dispose(&s);
	return ret;
}

/* try base + "/mlflow" when the API is not at the base */
static void guess_prefix(mmp_doctor_result *r, const char *base,
	const char *api_path, const mmp_doctor_options *o)
{
	mmp_http_client *c = NULL;
	mmp_http_response resp;
	mmp_buf url = MMP_BUF_INIT;

	mmp_http_response_init(&resp);
	mmp_buf_printf(&url, "%s/mlflow", base);
	if (new_client(&c, url.ptr, o) == 0 &&
	    mmp_http_get(&resp, c, api_path) == 0 &&
	    (resp.klass == MMP_HTTP_CLASS_OK ||
	     resp.klass == MMP_HTTP_CLASS_API_ERROR)) {
		mmp_doctor__detail(r, "the MLflow API answers under %s",
			url.ptr);
		free(r->fix);
		r->fix = NULL;
		mmp_buf_clear(&url);
		mmp_buf_printf(&url, "set tracking.uri (or "
			"MLFLOW_TRACKING_URI) to %s/mlflow", base);
		r->fix = mmp_buf_detach(&url);
	}
	mmp_error_clear();
	mmp_http_response_release(&resp);
	mmp_http_client_free(c);
	mmp_buf_dispose(&url);
}

static void api_path(mmp_buf *out, const char *experiment)
{
	mmp_buf_puts(out, API "/experiments/get-by-name?experiment_name=");
	mmp_http_escape(out, experiment);
}

void mmp_doctor__check_tracking(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	const char *exp = o->experiment_name ? o->experiment_name : "Default";
	mmp_http_client *c = NULL;
	mmp_http_response resp;
	mmp_http_url u;
	mmp_buf path = MMP_BUF_INIT, url = MMP_BUF_INIT, shown = MMP_BUF_INIT;
	const char *probes[3];
	int i;

	MMP_UNUSED(p);
	mmp_http_response_init(&resp);
	memset(&u, 0, sizeof(u));
	if (!o->tracking_uri || !*o->tracking_uri) {
		mmp_doctor__summary(r, "no tracking server configured (runs "
			"stay in the local store)");
		return;
	}
	mmp_buf_clear(&shown);
	mmp_url_redact(&shown, o->tracking_uri);
	mmp_doctor__detail(r, "tracking uri: %s%s%s%s", shown.ptr,
		o->tracking_uri_origin ? " (from " : "",
		o->tracking_uri_origin ? o->tracking_uri_origin : "",
		o->tracking_uri_origin ? ")" : "");
	if (mmp_http_url_parse(&u, o->tracking_uri) < 0) {
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, mmp_error_last()->message,
			"set tracking.uri or MLFLOW_TRACKING_URI to an http:// "
			"or https:// URL such as http://127.0.0.1:5000");
		mmp_error_clear();
		goto done;
	}
	if (probe_tcp(r, &u, o) < 0)
		goto done;
	if (new_client(&c, o->tracking_uri, o) < 0) {
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, mmp_error_last()->message,
			NULL);
		goto done;
	}
	api_path(&path, exp);
	probes[0] = "/health";
	probes[1] = "/version";
	probes[2] = path.ptr;
	for (i = 0; i < 3; i++) {
		const char *what = i == 2 ? API "/experiments/get-by-name" :
			probes[i];

		mmp_buf_clear(&url);
		mmp_buf_printf(&url, "%s%s", mmp_http_client_base(c),
			probes[i]);
		if (mmp_http_get(&resp, c, probes[i]) < 0) {
			mmp_error_clear();
			explain_transport(r, &resp, url.ptr, what, o);
			goto done;
		}
		mmp_doctor__detail(r, "GET %s: http %ld in %.1f ms", what,
			resp.status, resp.total_ms);
		if (explain_http(r, &resp, url.ptr, u.host, u.port, what,
		    i == 2)) {
			if (resp.klass == MMP_HTTP_CLASS_WRONG_BASE)
				guess_prefix(r, mmp_http_client_base(c),
					path.ptr, o);
			goto done;
		}
		if (i == 1 && resp.klass == MMP_HTTP_CLASS_OK)
			check_version(r, resp.body.ptr);
		if (i == 2 && resp.klass == MMP_HTTP_CLASS_OK)
			mmp_doctor__detail(r, "experiment '%s' exists", exp);
		else if (i == 2)
			mmp_doctor__detail(r, "experiment '%s' does not exist "
				"yet; mmp sync creates it", exp);
	}
	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, "MLflow at %s answers /health, /version "
			"and the REST API", mmp_http_client_base(c));
done:
	mmp_http_response_release(&resp);
	mmp_http_client_free(c);
	mmp_http_url_release(&u);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&shown);
}

/* ---------------------------------------------------------------- */

static void check_local_dir(mmp_doctor_result *r, const char *dir,
	const char *what, int server_side)
{
	mmp_buf s = MMP_BUF_INIT;

	if (!mmp_path_is_dir(dir)) {
		if (server_side) {
			mmp_buf_printf(&s, "%s '%s' is a path on the server's "
				"filesystem that does not exist here: this "
				"client cannot write artifacts there", what,
				dir);
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start "
				"the tracking server with artifact proxying "
				"(mlflow server --serve-artifacts "
				"--artifacts-destination <dir or s3://...>) so "
				"experiments get mlflow-artifacts:/ locations; "
				"experiments created before keep their old "
				"location, so create a new experiment");
		} else {
			mmp_buf_printf(&s, "%s '%s' does not exist", what, dir);
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "create "
				"it (mkdir -p '%s') or fix the "
				"configuration", dir);
		}
	} else if (mmp_doctor__write_probe(dir) < 0) {
		mmp_buf_printf(&s, "%s '%s' is not writable: %s", what, dir,
			mmp_error_last()->message);
		mmp_error_clear();
		if (server_side)
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start "
				"the tracking server with artifact proxying "
				"(mlflow server --serve-artifacts) so this "
				"client uploads through the server, or make "
				"'%s' writable for this user", dir);
		else
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "make it "
				"writable (chmod u+w '%s') or move the store "
				"to a writable place", dir);
	} else {
		mmp_buf_printf(&s, "%s '%s': a temporary file was written, "
			"read back and removed", what, dir);
		if (!r->summary)
			mmp_doctor__summary(r, "%s", s.ptr);
	}
	mmp_doctor__detail(r, "%s", s.ptr);
	mmp_buf_dispose(&s);
}

/* the experiment's artifact_location from the server, or NULL */
static char *fetch_location(mmp_doctor_result *r, mmp_http_client *c,
	const char *exp, char **exp_id)
{
	mmp_http_response resp;
	mmp_buf path = MMP_BUF_INIT;
	char *loc = NULL;
	cJSON *doc = NULL, *e;
	int tries;

	mmp_http_response_init(&resp);
	api_path(&path, exp);
	for (tries = 0; tries < 2; tries++) {
		if (mmp_http_get(&resp, c, path.ptr) < 0) {
			mmp_error_clear();
			break;
		}
		if (resp.klass == MMP_HTTP_CLASS_OK)
			break;
		if (tries || !resp.error_code ||
		    strcmp(resp.error_code, "RESOURCE_DOES_NOT_EXIST"))
			break;
		mmp_doctor__detail(r, "experiment '%s' does not exist yet; "
			"looking at the Default experiment (id 0), whose "
			"location new experiments follow", exp);
		mmp_buf_clear(&path);
		mmp_buf_puts(&path, API "/experiments/get?experiment_id=0");
	}
	if (resp.klass == MMP_HTTP_CLASS_OK &&
	    (doc = cJSON_ParseWithLength(resp.body.ptr, resp.body.size))) {
		e = cJSON_GetObjectItemCaseSensitive(doc, "experiment");
		cJSON *v = cJSON_GetObjectItemCaseSensitive(e,
			"artifact_location");
		cJSON *id = cJSON_GetObjectItemCaseSensitive(e,
			"experiment_id");
		if (cJSON_IsString(v))
			loc = mmp__strdup(v->valuestring);
		if (cJSON_IsString(id))
			*exp_id = mmp__strdup(id->valuestring);
	}
	if (!loc)
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, "cannot read the "
			"experiment's artifact location from the tracking "
			"server", "fix the tracking check first");
	cJSON_Delete(doc);
	mmp_http_response_release(&resp);
	mmp_buf_dispose(&path);
	return loc;
}

static void check_proxy(mmp_doctor_result *r, mmp_http_client *c,
	const char *loc, const char *exp_id)
{
	mmp_http_response resp;
	mmp_buf path = MMP_BUF_INIT, s = MMP_BUF_INIT;

	mmp_http_response_init(&resp);
	mmp_buf_puts(&path, "/api/2.0/mlflow-artifacts/artifacts?path=");
	mmp_http_escape(&path, exp_id ? exp_id : "0");
	if (mmp_http_get(&resp, c, path.ptr) < 0) {
		mmp_error_clear();
	} else if (resp.klass == MMP_HTTP_CLASS_OK) {
		mmp_buf_printf(&s, "artifact_location '%s' is proxied by the "
			"tracking server (mlflow-artifacts:), and the proxy "
			"answers", loc);
		mmp_doctor__summary(r, "%s", s.ptr);
	} else {
		mmp_buf_printf(&s, "artifact_location '%s' needs the artifact "
			"proxy, but it answers http %ld", loc, resp.status);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start the "
			"tracking server with --serve-artifacts");
	}
	if (s.size)
		mmp_doctor__detail(r, "%s", s.ptr);
	mmp_http_response_release(&resp);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&s);
}

void mmp_doctor__check_artifacts(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	const char *exp = o->experiment_name ? o->experiment_name : "Default";
	mmp_http_client *c = NULL;
	mmp_http_url u;
	char *loc = NULL, *exp_id = NULL;
	mmp_buf s = MMP_BUF_INIT;

	MMP_UNUSED(p);
	memset(&u, 0, sizeof(u));
	if (!o->tracking_uri || !*o->tracking_uri ||
	    mmp_http_url_parse(&u, o->tracking_uri) < 0) {
		mmp_error_clear();
		mmp_doctor__summary(r, "no tracking server configured: "
			"artifacts stay in the local store");
		goto done;
	}
	if (new_client(&c, o->tracking_uri, o) < 0) {
		mmp_error_clear();
		goto done;
	}
	if (!(loc = fetch_location(r, c, exp, &exp_id)))
		goto done;
	mmp_doctor__detail(r, "experiment artifact_location: %s", loc);
	if (mmp_str_starts_with(loc, "mlflow-artifacts:")) {
		check_proxy(r, c, loc, exp_id);
	} else if (mmp_str_starts_with(loc, "file://")) {
		check_local_dir(r, loc + 7, "artifact_location", 1);
	} else if (loc[0] == '/') {
		check_local_dir(r, loc, "artifact_location", 1);
	} else if (mmp_str_starts_with(loc, "s3://")) {
		mmp_doctor__check_bucket(r, loc);
	} else {
		mmp_buf_printf(&s, "artifact_location '%s' is storage the "
			"client must write directly; mmp uploads artifacts "
			"only through the tracking server or to S3", loc);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "start the "
			"tracking server with --serve-artifacts "
			"--artifacts-destination '%s' so clients upload "
			"through it (mlflow-artifacts:/)", loc);
	}
done:
	free(loc);
	free(exp_id);
	mmp_http_client_free(c);
	mmp_http_url_release(&u);
	mmp_buf_dispose(&s);
}
