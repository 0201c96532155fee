/* SPDX-License-Identifier: MIT */
/* ui.c: mmp ui: serve the read-only web UI until signalled */
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cmd.h"
#include "listen.h"
#include "mmp/store.h"
#include "mmp/ui.h"

#define DRAIN_SECONDS 10

extern char **environ;

static const char *const ui_usage[] = {
	"mmp ui [--host <addr>] [--port <port>] [--token-file <file>]",
	"    [--threads <n>] [--log-file <file>] [--open]",
	NULL
};

/* open `url` in the desktop's browser; the token never reaches a log */
static void open_browser(const char *url)
{
	char *argv[] = { (char *)"xdg-open", (char *)url, NULL };
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ)) {
		warning("cannot open a browser (no xdg-open); open the "
			"address above by hand");
		return;
	}
	if (waitpid(pid, &st, 0) == pid && (!WIFEXITED(st) ||
	    WEXITSTATUS(st)))
		warning("xdg-open failed; open the address above by hand");
}

static int read_token_for_url(mmp_buf *out, const char *file)
{
	mmp_buf b = MMP_BUF_INIT;
	FILE *f = fopen(file, "r");
	char line[4096];
	size_t n;

	if (!f)
		return -1;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	mmp_buf_puts(&b, line);
	memset(line, 0, sizeof(line));
	mmp_buf_put(out, b.ptr, b.size);
	memset(b.ptr, 0, b.size);
	mmp_buf_dispose(&b);
	return 0;
}

static int ui_quiesce(void *ui)
{
	return mmp_ui_quiesce(ui);
}

static unsigned int ui_inflight(void *ui)
{
	return mmp_ui_inflight(ui);
}

int cmd_ui(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *host = NULL, *token_file = NULL, *log_file = NULL;
	int port = INT_MIN, threads = 0, open_it = 0;
	const struct option opts[] = {
		OPT_STRING(0, "host", &host, "<addr>",
			"address to listen on (ui.host, 127.0.0.1)"),
		OPT_INTEGER(0, "port", &port, "<port>",
			"port to listen on (ui.port, 5050; 0: any free)"),
		OPT_STRING(0, "token-file", &token_file, "<file>",
			"require the token in <file> (needed off loopback)"),
		OPT_INTEGER(0, "threads", &threads, "<n>",
			"worker threads and store connections (2)"),
		OPT_STRING(0, "log-file", &log_file, "<file>",
			"append the access log here instead of stderr"),
		OPT_BOOL(0, "open", &open_it,
			"open the UI in the desktop's browser"),
		OPT_END()
	};
	mmp_ui_options o = MMP_UI_OPTIONS_INIT;
	mmp_buf db = MMP_BUF_INIT, url = MMP_BUF_INIT, what = MMP_BUF_INIT;
	mmp_serve_stop *stop = NULL;
	mmp_ui *ui = NULL;
	FILE *log;
	int err, ret = EXIT_FAIL;

	argc = parse_options(argc, argv, opts, ui_usage, 0);
	if (argc)
		usage_msg_opt("ui takes no arguments", ui_usage, opts);
	listen_check_options(port, threads, 64, ui_usage, opts);
	listen_address(ctx, "ui", &host, &port, 5050);
	if (mmp_store_locate(&db, ctx->store_path) < 0)
		die("%s", mmp_error_last()->message);

	log = listen_log_open(log_file);
	o.db_path = db.ptr;
	o.host = host;
	o.port = port;
	o.token_file = token_file;
	o.threads = threads;
	o.log = listen_log_line;
	o.payload = log;

	/* signals go to the wait below, never to the workers */
	if (mmp_serve_stop_new(&stop) < 0) {
		error_lib("cannot serve the UI");
		goto done;
	}
	if ((err = mmp_ui_start(&ui, &o)) < 0) {
		listen_start_failed(err, "the UI", host, port);
		goto done;
	}
	mmp_serve_url(&url, host, mmp_ui_port(ui));
	mmp_buf_putc(&url, '/');
	mmp_buf_printf(&what, "the UI of %s", db.ptr);
	listen_ready(what.ptr, url.ptr, token_file ? " (add ?token=<the "
		"token in the token file>)" : NULL);
	if (open_it) {
		if (token_file) {
			mmp_buf_puts(&url, "?token=");
			read_token_for_url(&url, token_file);
		}
		open_browser(url.ptr);
		memset(url.ptr, 0, url.size);
	}
	ret = listen_until_signalled(stop, DRAIN_SECONDS, ui_quiesce,
		ui_inflight, ui);
done:
	mmp_ui_free(ui);
	mmp_serve_stop_free(stop);
	mmp_buf_dispose(&db);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&what);
	listen_log_close(log);
	return ret;
}
