/* SPDX-License-Identifier: MIT */
/* s3-creds.c: AWS credentials and region where the AWS CLI finds them:
 * the environment, a web identity token, the profile (assumed role,
 * SSO, static keys, credential_process), container and instance
 * metadata */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "curl-load.h"

#include "mmp/remote.h"
#include "mmp/version.h"
#include "util/util.h"
#include "s3-internal.h"

extern char **environ;

#define MAX_FILE ((size_t)1 << 20)
#define MAX_ANSWER ((size_t)1 << 20)
#define MAX_PROCESS_OUT ((size_t)64 << 10)
#define MAX_TOKEN ((size_t)64 << 10)
#define MAX_DEPTH 8
#define PROCESS_TIMEOUT_S 60
#define IMDS_MS 1000L
#define ECS_MS 2000L
#define MFA_WAIT_MS (5 * 60 * 1000)
/* the AWS CLI takes a cached role with less time left as expired */
#define CLI_CACHE_WINDOW_S 900

struct ctx {
	const char *profile;       /* the profile asked for */
	const char *profile_from;  /* "AWS_PROFILE", or NULL */
	char *cred_file, *conf_file;
	mmp_s3__ini cred, conf;
	int cred_loaded, conf_loaded;
	char *region;              /* for STS and SSO */
	mmp_buf tried;             /* what was looked at, for the message */
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void wipe_buf(mmp_buf *b)
{
	if (b->size)
		memset(b->ptr, 0, b->size);
	mmp_buf_dispose(b);
}

/* ---------------------------------------------------------------- */
/* the files */

static int load_ini(mmp_s3__ini *ini, int *loaded, const char *file)
{
	mmp_buf text = MMP_BUF_INIT;
	int err;

	if (*loaded)
		return 0;
	*loaded = 1;
	memset(ini, 0, sizeof(*ini));
	if (!mmp_path_exists(file))
		return 0;
	if ((err = mmp_file_read(&text, file, MAX_FILE)) < 0)
		return err;
	err = mmp_s3__ini_parse(ini, text.ptr, text.size, file);
	wipe_buf(&text);
	return err;
}

static int need_conf(struct ctx *c)
{
	return load_ini(&c->conf, &c->conf_loaded, c->conf_file);
}

static int need_cred(struct ctx *c)
{
	return load_ini(&c->cred, &c->cred_loaded, c->cred_file);
}

/* the section of profile `name` in the config file ([default] or
 * [profile default], [profile NAME]) */
static void conf_section(mmp_buf *out, const struct ctx *c,
	const char *name)
{
	mmp_buf_clear(out);
	if (!strcmp(name, "default") && !mmp_s3__ini_has(&c->conf,
	    "profile default"))
		mmp_buf_puts(out, "default");
	else
		mmp_buf_printf(out, "profile %s", name);
}

/* in the credentials file: [NAME], or [profile NAME] */
static void cred_section(mmp_buf *out, const struct ctx *c,
	const char *name)
{
	mmp_buf_clear(out);
	if (!mmp_s3__ini_has(&c->cred, name)) {
		mmp_buf_printf(out, "profile %s", name);
		if (mmp_s3__ini_has(&c->cred, out->ptr))
			return;
		mmp_buf_clear(out);
	}
	mmp_buf_puts(out, name);
}

/* a non-empty value of key in section `s` of one file */
static const char *ini_value(const mmp_s3__ini *ini, const mmp_buf *s,
	const char *key)
{
	const mmp_s3__ini_entry *e = mmp_s3__ini_get(ini, s->ptr, key);

	return e && *e->value ? e->value : NULL;
}

static const char *conf_get(const struct ctx *c, const char *name,
	const char *key)
{
	mmp_buf s = MMP_BUF_INIT;
	const char *v;

	conf_section(&s, c, name);
	v = ini_value(&c->conf, &s, key);
	mmp_buf_dispose(&s);
	return v;
}

static const char *cred_get(const struct ctx *c, const char *name,
	const char *key)
{
	mmp_buf s = MMP_BUF_INIT;
	const char *v;

	cred_section(&s, c, name);
	v = ini_value(&c->cred, &s, key);
	mmp_buf_dispose(&s);
	return v;
}

/* a key of the profile: the credentials file first, then the config */
static const char *prof_get(const struct ctx *c, const char *name,
	const char *key)
{
	const char *v = cred_get(c, name, key);

	return v ? v : conf_get(c, name, key);
}

static int profile_exists(const struct ctx *c, const char *name)
{
	mmp_buf s = MMP_BUF_INIT;
	int has;

	conf_section(&s, c, name);
	has = mmp_s3__ini_has(&c->conf, s.ptr);
	cred_section(&s, c, name);
	has |= mmp_s3__ini_has(&c->cred, s.ptr);
	mmp_buf_dispose(&s);
	return has;
}

static void set_source(mmp_s3__creds *out, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

static void set_source(mmp_s3__creds *out, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(out->source);
	out->source = mmp_buf_detach(&b);
}

static void creds_set(mmp_s3__creds *out, const char *id,
	const char *secret, const char *token)
{
	out->id = mmp__strdup(id);
	out->secret = mmp__strdup(secret);
	out->token = token && *token ? mmp__strdup(token) : NULL;
	out->expires = 0;
}

/* static keys of `name` in one file: 0, 1 when it has none */
static int static_keys(mmp_s3__creds *out, const struct ctx *c,
	const char *name, int cred)
{
	const char *file = cred ? c->cred_file : c->conf_file;
	const char *id, *secret, *token;

	if (cred) {
		id = cred_get(c, name, "aws_access_key_id");
		secret = cred_get(c, name, "aws_secret_access_key");
		token = cred_get(c, name, "aws_session_token");
	} else {
		id = conf_get(c, name, "aws_access_key_id");
		secret = conf_get(c, name, "aws_secret_access_key");
		token = conf_get(c, name, "aws_session_token");
	}
	if (!id && !secret)
		return 1;
	if (!id || !secret)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"profile '%s' needs both aws_access_key_id and "
			"aws_secret_access_key", file, name);
	creds_set(out, id, secret, token);
	set_source(out, "profile '%s' in %s", name, file);
	return 0;
}

/* ---------------------------------------------------------------- */
/* HTTP for the metadata services, STS and SSO */

struct fetch {
	long status;
	mmp_buf body;
	int too_big;
	char *error;    /* the transport failure, or NULL */
};

static size_t fetch_body(char *data, size_t size, size_t nmemb,
	void *payload)
{
	struct fetch *f = payload;
	size_t len = size * nmemb;

	if (f->body.size + len > MAX_ANSWER) {
		f->too_big = 1;
		return 0;
	}
	mmp_buf_put(&f->body, data, len);
	return len;
}

static void fetch_release(struct fetch *f)
{
	wipe_buf(&f->body);
	free(f->error);
	memset(f, 0, sizeof(*f));
}

/*
 * One request. 0 when an answer came (f->status, f->body); -1 with
 * f->error when none did. With `signer`, signed with SigV4 for
 * `sigv4` ("aws:amz:REGION:sts").
 */
static int fetch(struct fetch *f, const char *method, const char *url,
	const struct curl_slist *hdrs, const char *body, const char *sigv4,
	const mmp_s3__creds *signer, long connect_ms, long timeout_ms)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *h = NULL, *l;
	CURL *e;
	CURLcode rc;
	const char *ca = env_nonempty("AWS_CA_BUNDLE");

	memset(f, 0, sizeof(*f));
	mmp_buf_init(&f->body, 0);
	if (mmp_remote__curl_load() < 0) {
		f->error = mmp__strdup(mmp_error_last()->message);
		mmp_error_clear();
		return -1;
	}
	if (!(e = curl_easy_init())) {
		f->error = mmp__strdup("cannot create a libcurl handle");
		return -1;
	}
	for (l = (struct curl_slist *)hdrs; l; l = l->next) {
		struct curl_slist *n = curl_slist_append(h, l->data);
		if (n)
			h = n;
	}
	if (signer && signer->token) {
		mmp_buf t = MMP_BUF_INIT;
		struct curl_slist *n;

		mmp_buf_printf(&t, "x-amz-security-token: %s", signer->token);
		if ((n = curl_slist_append(h, t.ptr)))
			h = n;
		wipe_buf(&t);
	}
	errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "169.254.169.254,169.254.170.2,"
		"169.254.170.23,127.0.0.1,localhost,::1,fd00:ec2::254");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mmp/" MMP_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	if (ca)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca);
	if (h)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (signer) {
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(e, CURLOPT_USERNAME, signer->id);
		curl_easy_setopt(e, CURLOPT_PASSWORD, signer->secret);
	}
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)(body ? strlen(body) : 0));
		if (strcmp(method, "POST"))
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &f->status);
	} else {
		f->error = mmp__strdup(f->too_big ? "the answer is larger "
			"than 1 MiB" : errbuf[0] ? errbuf :
			curl_easy_strerror(rc));
	}
	curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
	curl_easy_cleanup(e);
	for (l = h; l; l = l->next)
		memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(h);
	return rc == CURLE_OK ? 0 : -1;
}


static void free_headers(struct curl_slist *h)
{
	struct curl_slist *l;

	for (l = h; l; l = l->next)
		memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(h);
}

/* an endpoint override: the service's variable, else AWS_ENDPOINT_URL;
 * `*from` names the variable */
static const char *endpoint_env(const char *service_var, const char **from)
{
	const char *v;

	if ((v = env_nonempty(service_var))) {
		*from = service_var;
		return v;
	}
	*from = "AWS_ENDPOINT_URL";
	return env_nonempty("AWS_ENDPOINT_URL");
}

/* a small file (a token): its text without trailing blanks */
static int read_token(mmp_buf *out, const char *file, const char *what)
{
	int err;

	if ((err = mmp_file_read(out, file, MAX_TOKEN)) < 0) {
		mmp_error_prefix("%s", what);
		return err;
	}
	while (out->size && isspace((unsigned char)out->ptr[out->size - 1]))
		mmp_buf_truncate(out, out->size - 1);
	if (!out->size)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"'%s' is empty", what, file);
	return 0;
}

/* ---------------------------------------------------------------- */
/* STS */

static void form_add(mmp_buf *b, const char *k, const char *v)
{
	if (b->size)
		mmp_buf_putc(b, '&');
	mmp_buf_printf(b, "%s=", k);
	mmp_http_escape(b, v);
}

/* POST `form` to STS (signed by `signer` unless NULL) and take the
 * Credentials of the answer */
static int sts_call(struct ctx *c, mmp_s3__creds *out, const char *form,
	const mmp_s3__creds *signer, const char *what)
{
	struct curl_slist *h = NULL;
	struct fetch f;
	mmp_buf url = MMP_BUF_INIT, sig = MMP_BUF_INIT, w = MMP_BUF_INIT;
	const char *from, *ep = endpoint_env("AWS_ENDPOINT_URL_STS", &from);
	const char *region = c->region ? c->region : "us-east-1";
	int err;

	if (ep) {
		size_t n = strlen(ep);
		while (n && ep[n - 1] == '/')
			n--;
		mmp_buf_put(&url, ep, n);
		mmp_buf_putc(&url, '/');
	} else {
		mmp_buf_printf(&url, "https://sts.%s.amazonaws.com/", region);
	}
	mmp_buf_printf(&sig, "aws:amz:%s:sts", region);
	mmp_s3__add_header(&h, "Content-Type: application/x-www-form-urlencoded");
	mmp_s3__add_header(&h, "Accept: application/xml");
	mmp_buf_printf(&w, "%s (STS at %s)", what, url.ptr);
	if (fetch(&f, "POST", url.ptr, h, form, sig.ptr, signer, 5000L,
	    30000L) < 0) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: no answer: "
			"%s%s%s", w.ptr, f.error, ep ? "; check " : "",
			ep ? from : "");
		goto done;
	}
	err = mmp_s3__sts_parse(out, f.body.ptr, f.body.size, w.ptr);
	if (err < 0 && f.status != 200)
		mmp_error_prefix("http %ld", f.status);
done:
	fetch_release(&f);
	free_headers(h);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&sig);
	mmp_buf_dispose(&w);
	return err;
}

static void session_name(mmp_buf *out, const char *given)
{
	mmp_buf_clear(out);
	if (given)
		mmp_buf_puts(out, given);
	else
		mmp_buf_printf(out, "mmp-session-%lld",
			(long long)time(NULL));
}

/* AssumeRoleWithWebIdentity (unsigned) */
static int web_identity(struct ctx *c, mmp_s3__creds *out,
	const char *token_file, const char *role, const char *session,
	const char *origin)
{
	mmp_buf tok = MMP_BUF_INIT, form = MMP_BUF_INIT, name = MMP_BUF_INIT;
	mmp_buf what = MMP_BUF_INIT;
	int err;

	mmp_buf_printf(&what, "web identity for role %s (%s)", role, origin);
	if ((err = read_token(&tok, token_file, what.ptr)) < 0)
		goto done;
	session_name(&name, session);
	form_add(&form, "Action", "AssumeRoleWithWebIdentity");
	form_add(&form, "RoleArn", role);
	form_add(&form, "RoleSessionName", name.ptr);
	form_add(&form, "Version", "2011-06-15");
	form_add(&form, "WebIdentityToken", tok.ptr);
	if ((err = sts_call(c, out, form.ptr, NULL, what.ptr)) == 0)
		set_source(out, "role %s through a web identity token in %s "
			"(%s)", role, token_file, origin);
done:
	wipe_buf(&tok);
	wipe_buf(&form);
	mmp_buf_dispose(&name);
	mmp_buf_dispose(&what);
	return err;
}

/* ---------------------------------------------------------------- */
/* credential_process */

static long process_timeout_s(void)
{
	const char *v = env_nonempty("MMP_CREDENTIAL_PROCESS_TIMEOUT");
	int64_t n;

	if (v && mmp_parse_int64(v, &n) == 0 && n > 0 && n <= 3600)
		return (long)n;
	return PROCESS_TIMEOUT_S;
}

static int run_process(struct ctx *c, mmp_s3__creds *out, const char *name,
	const char *cmd, const char *file)
{
	mmp_buf what = MMP_BUF_INIT, text = MMP_BUF_INIT;
	posix_spawn_file_actions_t fa;
	char **argv = NULL;
	int fds[2] = { -1, -1 }, st = 0, err = 0, killed = 0;
	pid_t pid = -1;
	int64_t deadline;
	long limit = process_timeout_s();

	(void)c;
	mmp_buf_printf(&what, "credential_process of profile '%s' in %s",
		name, file);
	if ((err = mmp_s3__split_command(&argv, cmd)) < 0) {
		mmp_error_prefix("%s", what.ptr);
		goto done;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		err = mmp_error_set_os("%s: cannot make a pipe", what.ptr);
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	fds[1] = -1;
	if (err) {
		errno = err;
		err = mmp_error_set_os("%s: cannot run '%s'", what.ptr,
			argv[0]);
		pid = -1;
		goto done;
	}
	deadline = mmp_time_ms() + limit * 1000;
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		int64_t left = deadline - mmp_time_ms();
		char buf[4096];
		ssize_t n;
		int r;

		if (left <= 0) {
			killed = 1;
			break;
		}
		r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = mmp_error_set_os("%s: cannot wait for it",
				what.ptr);
			break;
		}
		if (!r)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (text.size + (size_t)n > MAX_PROCESS_OUT) {
			memset(buf, 0, sizeof(buf));
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s: it wrote more than %zu KiB", what.ptr,
				MAX_PROCESS_OUT >> 10);
			break;
		}
		mmp_buf_put(&text, buf, (size_t)n);
		memset(buf, 0, (size_t)n);
	}
	if (killed || err < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (killed) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_CONFIG, "%s: no answer "
			"within %ld s, stopped "
			"(MMP_CREDENTIAL_PROCESS_TIMEOUT)", what.ptr, limit);
		goto done;
	}
	if (err < 0)
		goto done;
	if (WIFSIGNALED(st)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"killed by signal %d", what.ptr, WTERMSIG(st));
		goto done;
	}
	if (WEXITSTATUS(st)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: exit "
			"status %d", what.ptr, WEXITSTATUS(st));
		goto done;
	}
	if ((err = mmp_s3__creds_json(out, text.ptr ? text.ptr : "",
	    text.size, 1, what.ptr)) == 0)
		set_source(out, "%s", what.ptr);
done:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	mmp_s3__argv_free(argv);
	wipe_buf(&text);
	mmp_buf_dispose(&what);
	return err;
}

/* ---------------------------------------------------------------- */
/* container and instance metadata */

/* AWS_CONTAINER_CREDENTIALS_FULL_URI may name https anywhere, or http
 * on loopback or the container endpoints only */
static int full_uri_allowed(const char *uri)
{
	static const char *hosts[] = {
		"127.", "localhost", "[::1]", "169.254.170.2",
		"169.254.170.23", "[fd00:ec2::23]",
	};
	const char *h, *end;
	size_t i, n;

	if (!strncmp(uri, "https://", 8))
		return 1;
	if (strncmp(uri, "http://", 7))
		return 0;
	h = uri + 7;
	if (strchr(h, '@') && strchr(h, '@') < h + strcspn(h, "/"))
		return 0;
	end = h + strcspn(h, "/?#");
	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		n = strlen(hosts[i]);
		if ((size_t)(end - h) < n || strncmp(h, hosts[i], n))
			continue;
		if (hosts[i][n - 1] == '.') {
			/* 127.0.0.0/8: digits and dots up to the port */
			const char *p = h + n;
			while (p < end && (isdigit((unsigned char)*p) ||
			    *p == '.'))
				p++;
			if (p == end || *p == ':')
				return 1;
			continue;
		}
		if (h + n == end || h[n] == ':')
			return 1;
	}
	return 0;
}

/* 0 with credentials, 1 when no container endpoint is configured */
static int from_ecs(mmp_s3__creds *out)
{
	const char *rel =
		env_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tf =
		env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *var = rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" :
		"AWS_CONTAINER_CREDENTIALS_FULL_URI";
	mmp_buf url = MMP_BUF_INIT, tok = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct curl_slist *h = NULL;
	struct fetch f;
	int err = 0, attempt;

	memset(&f, 0, sizeof(f));
	if (!rel && !full)
		return 1;
	if (rel) {
		mmp_buf_printf(&url, "http://169.254.170.2%s%s",
			*rel == '/' ? "" : "/", rel);
	} else {
		if (!full_uri_allowed(full))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"AWS_CONTAINER_CREDENTIALS_FULL_URI must be "
				"https, or http on a loopback address or the "
				"container endpoint");
		mmp_buf_puts(&url, full);
	}
	mmp_buf_printf(&what, "container credentials (%s)", var);
	if (tf) {
		if ((err = read_token(&tok, tf, what.ptr)) < 0)
			goto done;
	} else if (env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		mmp_buf_puts(&tok, getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	}
	if (tok.size) {
		size_t i;
		for (i = 0; i < tok.size; i++)
			if ((unsigned char)tok.ptr[i] < 0x20) {
				err = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_CONFIG, "%s: the "
					"authorization token holds a control "
					"character", what.ptr);
				goto done;
			}
		mmp_s3__add_header(&h, "Authorization: %s", tok.ptr);
	}
	mmp_s3__add_header(&h, "Accept: application/json");
	for (attempt = 1; attempt <= 2; attempt++) {
		fetch_release(&f);
		if (fetch(&f, "GET", url.ptr, h, NULL, NULL, NULL, ECS_MS,
		    ECS_MS) == 0 && f.status < 500)
			break;
	}
	if (f.error) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: no answer: "
			"%s", what.ptr, f.error);
		goto done;
	}
	if (f.status != 200) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: http %ld%s",
			what.ptr, f.status, f.status == 401 ||
			f.status == 403 ? ": the authorization token "
			"(AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]) was "
			"refused" : "");
		goto done;
	}
	if ((err = mmp_s3__creds_json(out, f.body.ptr ? f.body.ptr : "",
	    f.body.size, 0, what.ptr)) == 0)
		set_source(out, "%s", what.ptr);
	else
		err = MMP_ENET;
done:
	fetch_release(&f);
	free_headers(h);
	wipe_buf(&tok);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&what);
	return err;
}

static int imds_disabled(void)
{
	const char *v = env_nonempty("AWS_EC2_METADATA_DISABLED");

	return v && !strcasecmp(v, "true");
}

/* a session with the instance metadata service */
struct imds {
	mmp_buf base;            /* the endpoint, without a trailing '/' */
	struct curl_slist *h;    /* the IMDSv2 token header; NULL: IMDSv1 */
	mmp_buf tok;
};

static void imds_release(struct imds *m)
{
	free_headers(m->h);
	m->h = NULL;
	wipe_buf(&m->tok);
	mmp_buf_dispose(&m->base);
}

/*
 * 0 with a session: a token from PUT /latest/api/token, or none when
 * the service answers 403, 404 or 405 there (IMDSv1, as the SDKs fall
 * back to); 1 when instance metadata is off or does not answer (`why`
 * says so). One attempt, IMDS_MS to connect and to answer.
 */
static int imds_open(struct imds *m, mmp_buf *why)
{
	const char *ep = env_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	mmp_buf url = MMP_BUF_INIT;
	struct curl_slist *h = NULL;
	struct fetch f;
	size_t n;
	int err = 1;

	memset(m, 0, sizeof(*m));
	mmp_buf_init(&m->base, 0);
	mmp_buf_init(&m->tok, 0);
	memset(&f, 0, sizeof(f));
	if (imds_disabled()) {
		mmp_buf_puts(why, "instance metadata is off "
			"(AWS_EC2_METADATA_DISABLED)");
		return 1;
	}
	if (!ep)
		ep = "http://169.254.169.254";
	n = strlen(ep);
	while (n && ep[n - 1] == '/')
		n--;
	mmp_buf_put(&m->base, ep, n);
	mmp_buf_printf(&url, "%s/latest/api/token", m->base.ptr);
	mmp_s3__add_header(&h, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	if (fetch(&f, "PUT", url.ptr, h, NULL, NULL, NULL, IMDS_MS,
	    IMDS_MS) < 0) {
		mmp_buf_printf(why, "no instance metadata at %s (%s)",
			m->base.ptr, f.error);
		goto done;
	}
	if (f.status == 200 && f.body.size && f.body.size < 1024) {
		mmp_buf_put(&m->tok, f.body.ptr, f.body.size);
		mmp_s3__add_header(&m->h, "X-aws-ec2-metadata-token: %s",
			m->tok.ptr);
	} else if (f.status != 403 && f.status != 404 && f.status != 405) {
		mmp_buf_printf(why, "the instance metadata at %s refused a "
			"session token (http %ld)", m->base.ptr, f.status);
		goto done;
	}
	err = 0;
done:
	fetch_release(&f);
	free_headers(h);
	mmp_buf_dispose(&url);
	if (err)
		imds_release(m);
	return err;
}

/* 0 with credentials, 1 when there is no instance metadata with a
 * role (`why` says so) */
static int from_imds(mmp_s3__creds *out, mmp_buf *why)
{
	struct imds m;
	mmp_buf url = MMP_BUF_INIT, role = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct fetch f;
	size_t n;
	int err;

	memset(&f, 0, sizeof(f));
	if ((err = imds_open(&m, why)) != 0)
		return err;
	err = 1;
	mmp_buf_printf(&what, "EC2 instance metadata at %s", m.base.ptr);
	mmp_buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/",
		m.base.ptr);
	/* as the SDKs do, an answer that names no role is no credentials
	 * here, not an error: the chain ends with the reason */
	if (fetch(&f, "GET", url.ptr, m.h, NULL, NULL, NULL, IMDS_MS,
	    IMDS_MS) < 0) {
		mmp_buf_printf(why, "%s does not answer (%s)", what.ptr,
			f.error);
		goto done;
	}
	if (f.status == 404) {
		mmp_buf_printf(why, "the instance at %s has no IAM role",
			m.base.ptr);
		goto done;
	}
	if (f.status != 200) {
		mmp_buf_printf(why, "%s answers http %ld for the role name",
			what.ptr, f.status);
		goto done;
	}
	n = f.body.size ? strcspn(f.body.ptr, "\r\n") : 0;
	mmp_buf_put(&role, f.body.ptr, n);
	if (!n || n > 128 || strspn(role.ptr, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") != n) {
		mmp_buf_printf(why, "%s names no valid role", what.ptr);
		goto done;
	}
	fetch_release(&f);
	mmp_buf_puts(&url, role.ptr);
	if (fetch(&f, "GET", url.ptr, m.h, NULL, NULL, NULL, IMDS_MS,
	    IMDS_MS) < 0 || f.status != 200) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: the "
			"credentials of role %s: %s%ld", what.ptr, role.ptr,
			f.error ? f.error : "http ", f.error ? 0L : f.status);
		goto done;
	}
	if ((err = mmp_s3__creds_json(out, f.body.ptr, f.body.size, 0,
	    what.ptr)) == 0)
		set_source(out, "EC2 instance metadata (role %s)", role.ptr);
	else
		err = MMP_ENET;
done:
	fetch_release(&f);
	imds_release(&m);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&role);
	mmp_buf_dispose(&what);
	return err;
}

/*
 * The instance's region from its metadata (placement/region), or NULL
 * when there is none to be had: the region falls back to its default,
 * so no failure here is an error (as the AWS CLI's lookup).
 */
static char *imds_region(void)
{
	struct imds m;
	mmp_buf url = MMP_BUF_INIT, why = MMP_BUF_INIT;
	struct fetch f;
	char *region = NULL;

	memset(&f, 0, sizeof(f));
	if (imds_open(&m, &why) != 0) {
		mmp_buf_dispose(&why);
		return NULL;
	}
	mmp_buf_printf(&url, "%s/latest/meta-data/placement/region",
		m.base.ptr);
	if (fetch(&f, "GET", url.ptr, m.h, NULL, NULL, NULL, IMDS_MS,
	    IMDS_MS) == 0 && f.status == 200 && f.body.size &&
	    f.body.size <= 60 && strspn(f.body.ptr,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == f.body.size)
		region = mmp__strdup(f.body.ptr);
	fetch_release(&f);
	imds_release(&m);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&why);
	return region;
}

/* ---------------------------------------------------------------- */
/* SSO */

static int from_sso(struct ctx *c, mmp_s3__creds *out, const char *name)
{
	const char *session = prof_get(c, name, "sso_session");
	const char *start, *sregion, *account, *role, *from;
	const char *ep = endpoint_env("AWS_ENDPOINT_URL_SSO", &from);
	const char *home = env_nonempty("HOME");
	mmp_buf sec = MMP_BUF_INIT, file = MMP_BUF_INIT, text = MMP_BUF_INIT;
	mmp_buf url = MMP_BUF_INIT, what = MMP_BUF_INIT;
	struct curl_slist *h = NULL;
	struct fetch f;
	char hex[41];
	cJSON *o = NULL;
	const cJSON *at, *ex;
	int64_t expires;
	int err = 0;

	memset(&f, 0, sizeof(f));
	mmp_buf_printf(&what, "SSO for profile '%s'", name);
	if (session) {
		mmp_buf_printf(&sec, "sso-session %s", session);
		if (!mmp_s3__ini_has(&c->conf, sec.ptr)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s: profile '%s' names sso_session '%s', "
				"which has no [sso-session %s] section",
				c->conf_file, name, session, session);
			goto done;
		}
		start = mmp_s3__ini_get(&c->conf, sec.ptr, "sso_start_url") ?
			mmp_s3__ini_get(&c->conf, sec.ptr,
			"sso_start_url")->value : NULL;
		sregion = mmp_s3__ini_get(&c->conf, sec.ptr, "sso_region") ?
			mmp_s3__ini_get(&c->conf, sec.ptr,
			"sso_region")->value : NULL;
	} else {
		start = prof_get(c, name, "sso_start_url");
		sregion = prof_get(c, name, "sso_region");
	}
	account = prof_get(c, name, "sso_account_id");
	role = prof_get(c, name, "sso_role_name");
	if (!start || !*start || !sregion || !*sregion || !account || !role) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"profile '%s' needs sso_start_url, sso_region (in it "
			"or its sso_session), sso_account_id and "
			"sso_role_name", c->conf_file, name);
		goto done;
	}
	if (strspn(sregion, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(sregion)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"profile '%s': sso_region '%s' is not a region",
			c->conf_file, name, sregion);
		goto done;
	}
	mmp_sha1_buf_hex(hex, session ? session : start,
		strlen(session ? session : start));
	mmp_path_join(&file, home ? home : ".", ".aws/sso/cache/");
	mmp_buf_printf(&file, "%s.json", hex);
	if (!mmp_path_exists(file.ptr)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG, "%s: no "
			"SSO token (%s): run aws sso login --profile %s",
			what.ptr, file.ptr, name);
		goto done;
	}
	if ((err = mmp_file_read(&text, file.ptr, MAX_TOKEN)) < 0)
		goto done;
	o = cJSON_ParseWithLength(text.ptr, text.size);
	at = o ? cJSON_GetObjectItemCaseSensitive(o, "accessToken") : NULL;
	ex = o ? cJSON_GetObjectItemCaseSensitive(o, "expiresAt") : NULL;
	if (!cJSON_IsString(at) || !*at->valuestring || !cJSON_IsString(ex) ||
	    (expires = mmp_s3__iso8601(ex->valuestring)) <= 0) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: %s "
			"needs accessToken and expiresAt (ISO 8601): run aws "
			"sso login --profile %s", what.ptr, file.ptr, name);
		goto done;
	}
	if (expires <= (int64_t)time(NULL)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: the "
			"SSO token expired at %s: run aws sso login --profile "
			"%s", what.ptr, ex->valuestring, name);
		goto done;
	}
	if (strpbrk(at->valuestring, "\r\n")) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: the "
			"SSO token in %s holds a line break", what.ptr,
			file.ptr);
		goto done;
	}
	if (ep) {
		size_t n = strlen(ep);
		while (n && ep[n - 1] == '/')
			n--;
		mmp_buf_put(&url, ep, n);
	} else {
		mmp_buf_printf(&url, "https://portal.sso.%s.amazonaws.com",
			sregion);
	}
	mmp_buf_puts(&url, "/federation/credentials?account_id=");
	mmp_http_escape(&url, account);
	mmp_buf_puts(&url, "&role_name=");
	mmp_http_escape(&url, role);
	mmp_s3__add_header(&h, "x-amz-sso_bearer_token: %s", at->valuestring);
	mmp_s3__add_header(&h, "Accept: application/json");
	if (fetch(&f, "GET", url.ptr, h, NULL, NULL, NULL, 5000L,
	    30000L) < 0) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_NET, "%s: no answer "
			"from the SSO portal: %s", what.ptr, f.error);
		goto done;
	}
	if (f.status == 401 || f.status == 403) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: http %ld: "
			"the SSO portal refused the token or the role %s in "
			"account %s: run aws sso login --profile %s",
			what.ptr, f.status, role, account, name);
		goto done;
	}
	if (f.status != 200) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: http %ld "
			"from the SSO portal", what.ptr, f.status);
		goto done;
	}
	if ((err = mmp_s3__sso_parse(out, f.body.ptr, f.body.size,
	    what.ptr)) == 0)
		set_source(out, "SSO (profile '%s', account %s, role %s)",
			name, account, role);
done:
	if (o) {
		at = cJSON_GetObjectItemCaseSensitive(o, "accessToken");
		if (cJSON_IsString(at))
			memset(at->valuestring, 0, strlen(at->valuestring));
		cJSON_Delete(o);
	}
	fetch_release(&f);
	free_headers(h);
	wipe_buf(&text);
	mmp_buf_dispose(&sec);
	mmp_buf_dispose(&file);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&what);
	return err;
}

/* ---------------------------------------------------------------- */
/* profiles */

static int from_profile(struct ctx *c, mmp_s3__creds *out, const char *name,
	int depth);

static int from_env_keys(mmp_s3__creds *out)
{
	const char *id = env_nonempty("AWS_ACCESS_KEY_ID");
	const char *secret = env_nonempty("AWS_SECRET_ACCESS_KEY");

	if (id && secret) {
		creds_set(out, id, secret, env_nonempty("AWS_SESSION_TOKEN"));
		set_source(out, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
		return 0;
	}
	if (id)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY "
			"is not: set both");
	return 1;
}

/* the credentials a role is assumed with */
static int role_source(struct ctx *c, mmp_s3__creds *src, const char *name,
	int depth)
{
	const char *sp = prof_get(c, name, "source_profile");
	const char *cs = prof_get(c, name, "credential_source");
	mmp_buf why = MMP_BUF_INIT;
	int err;

	if (sp && cs)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile "
			"'%s' has both source_profile and credential_source: "
			"keep one", name);
	if (sp) {
		if (depth >= MAX_DEPTH)
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"profile '%s': source_profile goes round in a "
				"circle or deeper than %d profiles", name,
				MAX_DEPTH);
		if (!profile_exists(c, sp))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"profile '%s' names source_profile '%s', which "
				"is in neither %s nor %s", name, sp,
				c->cred_file, c->conf_file);
		/* a profile that is its own source uses its static keys */
		if (!strcmp(sp, name)) {
			if ((err = static_keys(src, c, sp, 1)) == 1)
				err = static_keys(src, c, sp, 0);
		} else {
			err = from_profile(c, src, sp, depth + 1);
		}
		if (err == 1)
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
				"profile '%s' names source_profile '%s', which "
				"has no credentials", name, sp);
		return err;
	}
	if (!cs)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile "
			"'%s' has role_arn but neither source_profile, "
			"credential_source nor web_identity_token_file", name);
	if (!strcmp(cs, "Environment")) {
		if ((err = from_env_keys(src)) == 1)
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
				"profile '%s': credential_source Environment, "
				"but AWS_ACCESS_KEY_ID and "
				"AWS_SECRET_ACCESS_KEY are not set", name);
		return err;
	}
	if (!strcmp(cs, "EcsContainer")) {
		if ((err = from_ecs(src)) == 1)
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
				"profile '%s': credential_source EcsContainer, "
				"but neither AWS_CONTAINER_CREDENTIALS_"
				"RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_"
				"FULL_URI is set", name);
		return err;
	}
	if (!strcmp(cs, "Ec2InstanceMetadata")) {
		if ((err = from_imds(src, &why)) == 1)
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
				"profile '%s': credential_source "
				"Ec2InstanceMetadata, but %s", name, why.ptr);
		mmp_buf_dispose(&why);
		return err;
	}
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile '%s': "
		"credential_source must be Environment, Ec2InstanceMetadata "
		"or EcsContainer, not '%s'", name, cs);
}

/* ---------------------------------------------------------------- */
/* MFA: the AWS CLI's role cache, and the code typed on the terminal */

/* what AWS takes in a SerialNumber (a device's serial or its ARN), and
 * in the other AssumeRole arguments a cache key is made of */
static int aws_id_valid(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=/:,.@-") == n;
}

/*
 * The file the AWS CLI caches this role's credentials in: its name is
 * the SHA-1 of the AssumeRole arguments as JSON with sorted keys
 * (Python's json.dumps(sort_keys=True): ", " and ": " separators, the
 * duration as a number; the session name only when the profile sets
 * one). The arguments are checked to be what AWS accepts, so none needs
 * escaping. 1 when the arguments cannot be a key of that cache.
 */
static int cli_cache_file(mmp_buf *out, const char *role,
	const char *serial, const char *ext, const char *dur,
	const char *session)
{
	const char *home = env_nonempty("HOME");
	mmp_buf args = MMP_BUF_INIT;
	char hex[41];
	int64_t d = 0;

	if (!aws_id_valid(role, 20, 2048) || (ext && !aws_id_valid(ext, 2,
	    1224)) || (session && !aws_id_valid(session, 2, 64)) ||
	    (dur && mmp_parse_int64(dur, &d) < 0))
		return 1;
	mmp_buf_puts(&args, "{");
	if (dur)
		mmp_buf_printf(&args, "\"DurationSeconds\": %lld, ",
			(long long)d);
	if (ext)
		mmp_buf_printf(&args, "\"ExternalId\": \"%s\", ", ext);
	mmp_buf_printf(&args, "\"RoleArn\": \"%s\", ", role);
	if (session)
		mmp_buf_printf(&args, "\"RoleSessionName\": \"%s\", ", session);
	mmp_buf_printf(&args, "\"SerialNumber\": \"%s\"}", serial);
	mmp_sha1_buf_hex(hex, args.ptr, args.size);
	mmp_buf_dispose(&args);
	mmp_buf_clear(out);
	mmp_path_join(out, home ? home : ".", ".aws/cli/cache/");
	mmp_buf_printf(out, "%s.json", hex);
	return 0;
}

static int no_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * 0 with the credentials the AWS CLI cached for this role (after asking
 * for the MFA code itself), valid for more than its 15-minute window;
 * 1 when there are none to use: no file, one that this user does not
 * own or that others may write, unreadable or expired ones. mmp reads
 * the cache, never writes it: it stores no secret.
 */
static int from_cli_cache(mmp_s3__creds *out, const char *name,
	const char *role, const char *serial, const char *ext,
	const char *dur, const char *session)
{
	mmp_buf file = MMP_BUF_INIT, text = MMP_BUF_INIT;
	const cJSON *cr, *id, *secret, *token, *exp;
	cJSON *o = NULL;
	struct stat st;
	int64_t expires;
	int err = 1;

	if (cli_cache_file(&file, role, serial, ext, dur, session))
		goto done;
	if (lstat(file.ptr, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_size > (off_t)MAX_TOKEN)
		goto done;
	if (mmp_file_read(&text, file.ptr, MAX_TOKEN) < 0) {
		mmp_error_clear();
		goto done;
	}
	o = cJSON_ParseWithLength(text.ptr, text.size);
	cr = o ? cJSON_GetObjectItemCaseSensitive(o, "Credentials") : NULL;
	id = cJSON_GetObjectItemCaseSensitive(cr, "AccessKeyId");
	secret = cJSON_GetObjectItemCaseSensitive(cr, "SecretAccessKey");
	token = cJSON_GetObjectItemCaseSensitive(cr, "SessionToken");
	exp = cJSON_GetObjectItemCaseSensitive(cr, "Expiration");
	if (!cJSON_IsString(id) || !cJSON_IsString(secret) ||
	    !cJSON_IsString(token) || !cJSON_IsString(exp) ||
	    !*id->valuestring || !*secret->valuestring ||
	    !*token->valuestring || !no_control(id->valuestring) ||
	    !no_control(secret->valuestring) ||
	    !no_control(token->valuestring) ||
	    (expires = mmp_s3__iso8601(exp->valuestring)) <= 0 ||
	    expires - (int64_t)time(NULL) < CLI_CACHE_WINDOW_S)
		goto done;
	creds_set(out, id->valuestring, secret->valuestring,
		token->valuestring);
	out->expires = expires;
	set_source(out, "role %s (profile '%s', MFA, from the AWS CLI's "
		"cache %s)", role, name, file.ptr);
	err = 0;
done:
	if (o) {
		secret = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(o, "Credentials"),
			"SecretAccessKey");
		if (cJSON_IsString(secret))
			memset(secret->valuestring, 0,
				strlen(secret->valuestring));
		cJSON_Delete(o);
	}
	wipe_buf(&text);
	mmp_buf_dispose(&file);
	return err;
}

static int mfa_refused(const char *name, const char *serial,
	const char *why)
{
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile '%s' "
		"asks for an MFA code (mfa_serial %s), and %s: run aws sts "
		"get-caller-identity --profile %s on a terminal first (the "
		"AWS CLI caches the role's credentials in ~/.aws/cli/cache/, "
		"which mmp reads while they are valid), or set "
		"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
		"AWS_SESSION_TOKEN from aws sts get-session-token "
		"--serial-number %s --token-code CODE", name, serial, why,
		name, serial);
}

/*
 * The MFA code for `serial`, typed on the terminal (/dev/tty, when
 * standard input and error are terminals) as the AWS CLI asks it: the
 * prompt is all that shows; six digits, Enter to end; backspace and
 * Ctrl-U edit, Ctrl-C or Ctrl-D cancel; 5 minutes at most.
 */
static int mfa_code(char code[7], const char *name, const char *serial)
{
	struct termios old, raw;
	mmp_buf prompt = MMP_BUF_INIT;
	struct pollfd p;
	size_t n = 0;
	char buf[16], ch;
	int fd, err = 0, bad = 0, done = 0;

	memset(code, 0, 7);
	memset(buf, 0, sizeof(buf));
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return mfa_refused(name, serial, "there is no terminal to "
			"type it on");
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return mfa_refused(name, serial, "the terminal cannot be "
			"opened");
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return mfa_refused(name, serial, "the terminal cannot be "
			"read without echo");
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0) {
		close(fd);
		return mfa_refused(name, serial, "the terminal cannot be "
			"read without echo");
	}
	mmp_buf_printf(&prompt, "Enter MFA code for %s: ", serial);
	if (write(fd, prompt.ptr, prompt.size) != (ssize_t)prompt.size)
		err = mmp_error_ret(MMP_ERROR, MMP_ERROR_OS, "cannot write "
			"the MFA prompt to the terminal: %s", strerror(errno));
	p.fd = fd;
	p.events = POLLIN;
	while (!err && !done) {
		int r = poll(&p, 1, MFA_WAIT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			err = mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_CONFIG,
				"no MFA code typed within %d minutes",
				MFA_WAIT_MS / 60000);
			break;
		}
		if (r < 0 || read(fd, &ch, 1) != 1) {
			err = mmp_error_ret(MMP_EINTERRUPTED, MMP_ERROR_CONFIG,
				"the terminal closed before the MFA code was "
				"typed");
			break;
		}
		if (ch == '\r' || ch == '\n')
			done = 1;
		else if (ch == 3 || ch == 4)
			err = mmp_error_ret(MMP_EINTERRUPTED,
				MMP_ERROR_CONFIG, "the MFA code for profile "
				"'%s' was cancelled", name);
		else if (ch == 0x7f || ch == 8)
			n -= n > 0;
		else if (ch == 0x15)
			n = 0;
		else if (n < sizeof(buf) - 1)
			buf[n++] = ch;
		else
			bad = 1;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) != 1) {
		/* the code is read: a lost line break is only cosmetic */
	}
	close(fd);
	buf[n] = '\0';
	if (!err && (bad || n != 6 || strspn(buf, "0123456789") != 6))
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "the MFA "
			"code for profile '%s' must be the 6 digits the device "
			"shows", name);
	if (!err)
		memcpy(code, buf, 6);
	memset(buf, 0, sizeof(buf));
	mmp_buf_dispose(&prompt);
	return err;
}

static int assume_role(struct ctx *c, mmp_s3__creds *out, const char *name,
	const char *role, int depth)
{
	const char *wif = prof_get(c, name, "web_identity_token_file");
	const char *ext = prof_get(c, name, "external_id");
	const char *dur = prof_get(c, name, "duration_seconds");
	const char *mfa = prof_get(c, name, "mfa_serial");
	mmp_s3__creds src;
	mmp_buf form = MMP_BUF_INIT, sname = MMP_BUF_INIT;
	mmp_buf what = MMP_BUF_INIT, origin = MMP_BUF_INIT;
	char code[7] = "";
	int64_t d;
	int err;

	memset(&src, 0, sizeof(src));
	if (wif) {
		mmp_buf_printf(&origin, "profile '%s'", name);
		err = web_identity(c, out, wif, role, prof_get(c, name,
			"role_session_name"), origin.ptr);
		goto done;
	}
	if (dur && (mmp_parse_int64(dur, &d) < 0 || d < 900 || d > 43200)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile "
			"'%s': duration_seconds must be 900 to 43200", name);
		goto done;
	}
	if (mfa && !aws_id_valid(mfa, 9, 256)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "profile "
			"'%s': mfa_serial must be an MFA device's serial "
			"number or ARN (9 to 256 of A-Z a-z 0-9 _+=/:,.@-)",
			name);
		goto done;
	}
	/* what the AWS CLI assumed with the code typed there */
	if (mfa && (err = from_cli_cache(out, name, role, mfa, ext, dur,
	    prof_get(c, name, "role_session_name"))) != 1)
		goto done;
	if ((err = role_source(c, &src, name, depth)) < 0)
		goto done;
	if (mfa && (err = mfa_code(code, name, mfa)) < 0)
		goto done;
	session_name(&sname, prof_get(c, name, "role_session_name"));
	form_add(&form, "Action", "AssumeRole");
	if (dur)
		form_add(&form, "DurationSeconds", dur);
	if (ext)
		form_add(&form, "ExternalId", ext);
	form_add(&form, "RoleArn", role);
	form_add(&form, "RoleSessionName", sname.ptr);
	if (mfa) {
		form_add(&form, "SerialNumber", mfa);
		form_add(&form, "TokenCode", code);
	}
	form_add(&form, "Version", "2011-06-15");
	mmp_buf_printf(&what, "assume role %s for profile '%s' with %s%s",
		role, name, src.source, mfa ? " and an MFA code" : "");
	if ((err = sts_call(c, out, form.ptr, &src, what.ptr)) == 0)
		set_source(out, "role %s (profile '%s', assumed with %s%s)",
			role, name, src.source, mfa ? " and an MFA code" : "");
done:
	memset(code, 0, sizeof(code));
	wipe_buf(&form);
	mmp_s3__creds_release(&src);
	mmp_buf_dispose(&sname);
	mmp_buf_dispose(&what);
	mmp_buf_dispose(&origin);
	return err;
}

/* 0 with credentials; 1 when the profile configures none; <0 errors */
static int from_profile(struct ctx *c, mmp_s3__creds *out, const char *name,
	int depth)
{
	const char *role = prof_get(c, name, "role_arn");
	const char *proc;
	int err;

	if (role)
		return assume_role(c, out, name, role, depth);
	if (prof_get(c, name, "sso_session") ||
	    prof_get(c, name, "sso_start_url") ||
	    prof_get(c, name, "sso_account_id"))
		return from_sso(c, out, name);
	if ((err = static_keys(out, c, name, 1)) != 1)
		return err;
	if ((proc = prof_get(c, name, "credential_process")))
		return run_process(c, out, name, proc, cred_get(c, name,
			"credential_process") ? c->cred_file : c->conf_file);
	return static_keys(out, c, name, 0);
}

static void ctx_init(struct ctx *c, const char *profile,
	const char *credentials_file)
{
	const char *home = env_nonempty("HOME");
	mmp_buf b = MMP_BUF_INIT;

	memset(c, 0, sizeof(*c));
	mmp_buf_init(&c->tried, 0);
	c->profile = profile;
	if (!c->profile && (c->profile = env_nonempty("AWS_PROFILE")))
		c->profile_from = "AWS_PROFILE";
	if (!c->profile && (c->profile = env_nonempty("AWS_DEFAULT_PROFILE")))
		c->profile_from = "AWS_DEFAULT_PROFILE";
	if (profile)
		c->profile_from = "options";
	if (!c->profile)
		c->profile = "default";
	if (credentials_file)
		c->cred_file = mmp__strdup(credentials_file);
	else if (env_nonempty("AWS_SHARED_CREDENTIALS_FILE"))
		c->cred_file = mmp__strdup(getenv(
			"AWS_SHARED_CREDENTIALS_FILE"));
	else {
		mmp_path_join(&b, home ? home : ".", ".aws/credentials");
		c->cred_file = mmp_buf_detach(&b);
	}
	if (env_nonempty("AWS_CONFIG_FILE")) {
		c->conf_file = mmp__strdup(getenv("AWS_CONFIG_FILE"));
	} else {
		mmp_path_join(&b, home ? home : ".", ".aws/config");
		c->conf_file = mmp_buf_detach(&b);
	}
	mmp_buf_dispose(&b);
}

static void ctx_release(struct ctx *c)
{
	mmp_s3__ini_release(&c->cred);
	mmp_s3__ini_release(&c->conf);
	free(c->cred_file);
	free(c->conf_file);
	free(c->region);
	mmp_buf_dispose(&c->tried);
}

/*
 * AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then, for AWS
 * itself (no MLFLOW_S3_ENDPOINT_URL), the instance's region from its
 * metadata, as the AWS CLI version 2 asks it; else none (us-east-1).
 */
static int ctx_region(struct ctx *c)
{
	const char *v = env_nonempty("AWS_REGION");
	int err;

	if (!v)
		v = env_nonempty("AWS_DEFAULT_REGION");
	if (!v) {
		if ((err = need_conf(c)) < 0)
			return err;
		v = conf_get(c, c->profile, "region");
	}
	if (v)
		c->region = mmp__strdup(v);
	else if (!env_nonempty("MLFLOW_S3_ENDPOINT_URL"))
		c->region = imds_region();
	return 0;
}

int mmp_s3__region_load(char **region, const char *profile)
{
	struct ctx c;
	int err;

	*region = NULL;
	ctx_init(&c, profile, NULL);
	if ((err = ctx_region(&c)) == 0) {
		*region = c.region;
		c.region = NULL;
	}
	ctx_release(&c);
	return err;
}

int mmp_s3__creds_load(mmp_s3__creds *out, char **region,
	const char *profile, const char *credentials_file)
{
	struct ctx c;
	mmp_buf why = MMP_BUF_INIT;
	const char *wif, *role;
	int err;

	memset(out, 0, sizeof(*out));
	*region = NULL;
	ctx_init(&c, profile, credentials_file);
	if ((err = ctx_region(&c)) < 0)
		goto done;
	/* the environment's keys, unless the caller names a profile (as
	 * the AWS CLI's --profile does; AWS_PROFILE does not) */
	if (!profile && (err = from_env_keys(out)) != 1)
		goto done;
	/* a web identity token (EKS service accounts) */
	wif = env_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE");
	role = env_nonempty("AWS_ROLE_ARN");
	if (wif && role) {
		err = web_identity(&c, out, wif, role,
			env_nonempty("AWS_ROLE_SESSION_NAME"),
			"AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN");
		goto done;
	}
	/* the profile */
	if ((err = need_cred(&c)) < 0 || (err = need_conf(&c)) < 0)
		goto done;
	if (!profile_exists(&c, c.profile)) {
		if (c.profile_from) {
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
				"no AWS credentials: profile '%s' (%s) is in "
				"neither %s nor %s", c.profile,
				c.profile_from, c.cred_file, c.conf_file);
			goto done;
		}
	} else if ((err = from_profile(&c, out, c.profile, 0)) != 1) {
		goto done;
	}
	/* the container, then the instance */
	if ((err = from_ecs(out)) != 1)
		goto done;
	if ((err = from_imds(out, &why)) != 1)
		goto done;
	err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG, "no AWS "
		"credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
		"or write them under [%s] in %s (or a role, SSO or "
		"credential_process profile in %s); %s", c.profile, c.cred_file,
		c.conf_file, why.ptr);
done:
	if (err == 0) {
		*region = c.region;
		c.region = NULL;
	} else {
		mmp_s3__creds_release(out);
	}
	mmp_buf_dispose(&why);
	ctx_release(&c);
	return err;
}
