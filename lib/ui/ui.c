/* SPDX-License-Identifier: MIT */
/* ui.c: the web UI's server: token, store connections, dispatch */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

#define TOKEN_FILE_MAX 4096
#define TOKEN_COOKIE "mmp_ui_token"

/* every page: no script but ours, no style but ours, nothing remote */
static const char csp[] = "default-src 'none'; script-src 'self'; "
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !*host || !strcmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

static int read_token(mmp_ui *ui, const char *path)
{
	mmp_buf b = MMP_BUF_INIT;
	size_t i, start = 0;
	int err;

	if ((err = mmp_file_read(&b, path, TOKEN_FILE_MAX)) < 0) {
		mmp_error_prefix("cannot read the token file");
		mmp_buf_dispose(&b);
		return err == MMP_ENOTFOUND ? MMP_EINVALID : err;
	}
	mmp_buf_rtrim(&b);
	while (start < b.size && (b.ptr[start] == ' ' ||
	    b.ptr[start] == '\t' || b.ptr[start] == '\n' ||
	    b.ptr[start] == '\r'))
		start++;
	err = 0;
	for (i = start; i < b.size && !err; i++)
		if ((unsigned char)b.ptr[i] <= ' ' || b.ptr[i] == ';' ||
		    b.ptr[i] == ',' || (unsigned char)b.ptr[i] >= 0x7f)
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"token file '%s' must hold one token of "
				"printable ASCII on one line (no ';' or ',')",
				path);
	if (!err && start == b.size)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"token file '%s' is empty", path);
	if (!err) {
		ui->token = mmp__strdup(b.ptr + start);
		ui->token_len = strlen(ui->token);
	}
	memset(b.ptr, 0, b.size);
	mmp_buf_dispose(&b);
	return err;
}

/* compare in time independent of where they differ */
static int token_equal(const mmp_ui *ui, const char *t)
{
	size_t n, i;
	unsigned char d;

	if (!t)
		return 0;
	n = strlen(t);
	d = n != ui->token_len;
	for (i = 0; i < ui->token_len; i++)
		d |= (unsigned char)ui->token[i] ^
			(unsigned char)(i < n ? t[i] : 0);
	return d == 0;
}

/* 303 to the request's path, without its query (the token) */
static void redirect_path(struct ui_ctx *c)
{
	const char *p = mmp_serve_request_path(c->req);
	mmp_buf loc = MMP_BUF_INIT;

	/* the decoded path again as a URL: escape all but '/' */
	for (; *p; p++) {
		if (*p == '/') {
			mmp_buf_putc(&loc, '/');
		} else {
			char one[2] = { *p, 0 };
			ui_u(&loc, one);
		}
	}
	mmp_serve_reply_header(c->resp, "Location", loc.size ? loc.ptr : "/");
	mmp_buf_dispose(&loc);
	c->resp->status = 303;
}

/* 0: allowed; 1: answered (a redirect setting the cookie, or 401) */
static int check_token(struct ui_ctx *c)
{
	const char *auth, *q;
	mmp_buf v = MMP_BUF_INIT;

	if (!c->ui->token)
		return 0;
	auth = mmp_serve_request_header(c->req, "Authorization");
	if (auth && !strncmp(auth, "Bearer ", 7) &&
	    token_equal(c->ui, auth + 7))
		return 0;
	q = mmp_serve_request_query(c->req, "token");
	if (q && token_equal(c->ui, q)) {
		/* keep it in a cookie and take it out of the address bar */
		mmp_buf_printf(&v, "%s=%s; Path=/; HttpOnly; "
			"SameSite=Strict", TOKEN_COOKIE, c->ui->token);
		mmp_serve_reply_header(c->resp, "Set-Cookie", v.ptr);
		mmp_buf_dispose(&v);
		redirect_path(c);
		return 1;
	}
	if (token_equal(c->ui, mmp_serve_request_cookie(c->req,
	    TOKEN_COOKIE)))
		return 0;
	mmp_serve_reply_header(c->resp, "WWW-Authenticate", "Bearer");
	ui_error(c, 401, q ? "the token is wrong" : "this UI needs a token: "
		"open the address that 'mmp ui' printed, with its "
		"'?token=...', or send 'Authorization: Bearer <token>'");
	return 1;
}

static void asset(struct ui_ctx *c, const char *type, const char *start,
	const char *end)
{
	c->resp->content_type = type;
	mmp_buf_put(c->out, start, (size_t)(end - start));
	mmp_serve_reply_header(c->resp, "Cache-Control", "max-age=300");
}

static struct ui_slot *slot_take(mmp_ui *ui)
{
	size_t i;

	for (i = 0; i < ui->nslots; i++)
		if (pthread_mutex_trylock(&ui->slots[i].mu) == 0)
			return &ui->slots[i];
	pthread_mutex_lock(&ui->slots[0].mu);
	return &ui->slots[0];
}

static void dispatch(struct ui_ctx *c)
{
	const char *path = mmp_serve_request_path(c->req);
	const char *method = mmp_serve_request_method(c->req);
	struct ui_slot *slot;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		mmp_serve_reply_header(c->resp, "Allow", "GET, HEAD");
		ui_error(c, 405, "the UI only reads: method '%s' is not "
			"allowed", method);
		return;
	}
	if (check_token(c))
		return;
	if (!strcmp(path, "/static/ui.css")) {
		asset(c, "text/css; charset=utf-8", ui_css_start, ui_css_end);
		return;
	}
	if (!strcmp(path, "/static/ui.js")) {
		asset(c, "text/javascript; charset=utf-8", ui_js_start,
			ui_js_end);
		return;
	}
	slot = slot_take(c->ui);
	c->store = slot->store;
	if (!strcmp(path, "/") || !strcmp(path, "/runs"))
		ui_page_runs(c);
	else if (!strncmp(path, "/runs/", 6))
		ui_page_run(c, path + 6);
	else if (!strcmp(path, "/compare"))
		ui_page_compare(c);
	else if (!strcmp(path, "/models"))
		ui_page_models(c, "");
	else if (!strncmp(path, "/models/", 8))
		ui_page_models(c, path + 8);
	else if (!strcmp(path, "/studies"))
		ui_page_studies(c, "");
	else if (!strncmp(path, "/studies/", 9))
		ui_page_studies(c, path + 9);
	else
		ui_error(c, 404, "no page '%s'", path);
	c->store = NULL;
	pthread_mutex_unlock(&slot->mu);
}

static void handle(const mmp_serve_request *req, mmp_serve_reply *resp,
	void *payload)
{
	struct ui_ctx c;

	c.ui = payload;
	c.store = NULL;
	c.req = req;
	c.resp = resp;
	c.out = &resp->body;
	resp->content_type = "text/html; charset=utf-8";
	dispatch(&c);
	/* the message is on the page; a worker keeps no error between
	 * requests (nor at its exit) */
	mmp_error_clear();
	mmp_serve_reply_header(resp, "Content-Security-Policy", csp);
	mmp_serve_reply_header(resp, "X-Content-Type-Options", "nosniff");
	mmp_serve_reply_header(resp, "X-Frame-Options", "DENY");
	mmp_serve_reply_header(resp, "Referrer-Policy", "no-referrer");
	mmp_serve_reply_header(resp, "Cross-Origin-Resource-Policy",
		"same-origin");
	if (!mmp_str_starts_with(mmp_serve_request_path(req), "/static/"))
		mmp_serve_reply_header(resp, "Cache-Control", "no-store");
}

int mmp_ui_start(mmp_ui **out, const mmp_ui_options *o)
{
	mmp_serve_options so;
	mmp_ui *ui;
	mmp_buf root = MMP_BUF_INIT;
	char *real;
	size_t i;
	int err;

	*out = NULL;
	if (!o || o->version != MMP_UI_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unknown ui options version %u", o ? o->version : 0);
	if (!o->db_path)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"the UI needs a store");
	if (o->threads < 0 || o->threads > 64)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"thread count %d is out of range (0-64)", o->threads);
	if (!is_loopback(o->host) && !o->token_file)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"serving on '%s', which is not a loopback address, "
			"needs a token file (--token-file)", o->host);
	ui = mmp__calloc(1, sizeof(*ui));
	if (o->token_file && (err = read_token(ui, o->token_file)) < 0)
		goto fail;
	ui->nslots = o->threads ? (size_t)o->threads : 2;
	ui->slots = mmp__calloc(ui->nslots, sizeof(*ui->slots));
	for (i = 0; i < ui->nslots; i++) {
		pthread_mutex_init(&ui->slots[i].mu, NULL);
		if ((err = mmp_store_open(&ui->slots[i].store, o->db_path,
		    MMP_STORE_READONLY | MMP_STORE_NO_REAP)) < 0)
			goto fail;
	}
	mmp_path_join(&root, mmp_store_dir(ui->slots[0].store), "artifacts");
	real = realpath(root.ptr, NULL);
	ui->artifact_root = real ? mmp__strdup(real) : mmp__strdup(root.ptr);
	free(real);
	mmp_buf_dispose(&root);

	mmp_serve_options_init(&so, MMP_SERVE_OPTIONS_VERSION);
	so.host = o->host;
	so.port = o->port;
	so.threads = (int)ui->nslots;
	so.max_body = 64 << 10;
	so.log = o->log;
	so.payload = o->payload;
	if ((err = mmp_server_start_handler(&ui->server, &so, handle,
	    ui)) < 0)
		goto fail;
	*out = ui;
	return 0;
fail:
	mmp_ui_free(ui);
	return err;
}

int mmp_ui_port(const mmp_ui *ui)
{
	return mmp_server_port(ui->server);
}

int mmp_ui_quiesce(mmp_ui *ui)
{
	return mmp_server_quiesce(ui->server);
}

unsigned int mmp_ui_inflight(const mmp_ui *ui)
{
	return mmp_server_inflight(ui->server);
}

void mmp_ui_free(mmp_ui *ui)
{
	size_t i;

	if (!ui)
		return;
	mmp_server_free(ui->server);
	for (i = 0; i < ui->nslots; i++) {
		mmp_store_free(ui->slots[i].store);
		pthread_mutex_destroy(&ui->slots[i].mu);
	}
	free(ui->slots);
	if (ui->token)
		memset(ui->token, 0, ui->token_len);
	free(ui->token);
	free(ui->artifact_root);
	free(ui);
}
