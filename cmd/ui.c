/* SPDX-License-Identifier: MIT */
/* ui.c: mmp ui: serve the read-only web UI until signalled */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "mmp/config.h"
#include "mmp/store.h"
#include "mmp/ui.h"

#define DRAIN_SECONDS 10

extern char **environ;

static const char *const ui_usage[] = {
	"mmp ui [--host <addr>] [--port <port>] [--token-file <file>]",
	"    [--threads <n>] [--log-file <file>] [--open]",
	NULL
};

static void log_to_file(const char *line, void *payload)
{
	FILE *f = payload;

	flockfile(f);
	fputs(line, f);
	putc('\n', f);
	funlockfile(f);
}

static int wait_signal(const sigset_t *set, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	int sig;

	for (;;) {
		sig = ms < 0 ? sigwaitinfo(set, NULL) :
			sigtimedwait(set, NULL, &ts);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
	}
}

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
	mmp_config *cfg;
	mmp_buf db = MMP_BUF_INIT, url = MMP_BUF_INIT;
	mmp_ui *ui = NULL;
	FILE *log = stderr;
	const char *s;
	int64_t v;
	sigset_t set;
	int err, ret = EXIT_FAIL, n, idle;

	argc = parse_options(argc, argv, opts, ui_usage, 0);
	if (argc)
		usage_msg_opt("ui takes no arguments", ui_usage, opts);
	if (port != INT_MIN && (port < 0 || port > 65535))
		usage_msg_opt("--port must be between 0 and 65535", ui_usage,
			opts);
	if (threads < 0 || threads > 64)
		usage_msg_opt("--threads must be between 0 and 64", ui_usage,
			opts);
	cfg = ctx_config(ctx);
	if (!host && mmp_config_get_string(&s, cfg, "ui.host") == 0 && *s)
		host = s;
	if (port == INT_MIN)
		port = mmp_config_get_int(&v, cfg, "ui.port") == 0 &&
			v >= 0 && v <= 65535 ? (int)v : 5050;
	mmp_error_clear();
	if (mmp_store_locate(&db, ctx->store_path) < 0)
		die("%s", mmp_error_last()->message);

	if (log_file) {
		log = fopen(log_file, "a");
		if (!log)
			die("cannot open log file '%s': %s", log_file,
				strerror(errno));
		setvbuf(log, NULL, _IOLBF, 0);
	}
	o.db_path = db.ptr;
	o.host = host;
	o.port = port;
	o.token_file = token_file;
	o.threads = threads;
	o.log = log_to_file;
	o.payload = log;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = mmp_ui_start(&ui, &o);
	if (err == MMP_EEXISTS)
		die("%s", mmp_error_last()->message);
	if (err < 0) {
		error_lib("cannot serve the UI on %s port %d",
			host ? host : "127.0.0.1", port);
		goto done;
	}
	mmp_buf_printf(&url, strchr(host ? host : "", ':') ?
		"http://[%s]:%d/" : "http://%s:%d/", host ? host : "127.0.0.1",
		mmp_ui_port(ui));
	fprintf(stderr, "serving the UI of %s on %s%s\n", db.ptr, url.ptr,
		token_file ? " (add ?token=<the token in the token file>)" :
		"");
	fflush(stderr);
	if (open_it) {
		if (token_file) {
			mmp_buf_puts(&url, "?token=");
			read_token_for_url(&url, token_file);
		}
		open_browser(url.ptr);
		memset(url.ptr, 0, url.size);
	}

	wait_signal(&set, -1);
	if (mmp_ui_quiesce(ui) < 0) {
		error_lib("cannot stop accepting connections");
		goto done;
	}
	for (n = 0, idle = 0; idle < 5 && n < DRAIN_SECONDS * 50; n++) {
		idle = mmp_ui_inflight(ui) ? 0 : idle + 1;
		if (wait_signal(&set, 20)) {
			fprintf(stderr, "fatal: interrupted again; exiting at "
				"once\n");
			fflush(stderr);
			_exit(EXIT_FAIL);
		}
	}
	ret = EXIT_OK;
done:
	mmp_ui_free(ui);
	mmp_buf_dispose(&db);
	mmp_buf_dispose(&url);
	if (log != stderr)
		fclose(log);
	return ret;
}
