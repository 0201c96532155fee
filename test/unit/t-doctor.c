/* SPDX-License-Identifier: MIT */
/* t-doctor.c: the HTTP client's URL handling and failure classes, store
 * health figures, and the doctor's store check on real store files */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "tap.h"
#include "mmp.h"
#include "mmp/doctor.h"
#include "mmp/remote.h"
#include "mmp/store.h"

static void test_url(void)
{
	mmp_http_url u;
	mmp_buf b = MMP_BUF_INIT;

	is_int(mmp_http_url_parse(&u, "http://[::1]:5000/mlflow/"), 0,
		"ipv6 url parses");
	is_str(u.scheme, "http", "scheme");
	is_str(u.host, "::1", "host without brackets");
	is_int(u.port, 5000, "explicit port");
	is_str(u.path, "/mlflow", "path without the trailing slash");
	mmp_http_url_release(&u);
	is_int(mmp_http_url_parse(&u, "HTTPS://Example.org"), 0, "https");
	is_str(u.scheme, "https", "scheme lowercased");
	is_int(u.port, 443, "https default port");
	is_str(u.path, "", "empty path");
	mmp_http_url_release(&u);
	is_int(mmp_http_url_parse(&u, "ftp://host/x"), MMP_EINVALID,
		"ftp is rejected");
	ok(strstr(mmp_error_last()->message, "unsupported scheme 'ftp'") !=
		NULL, "the message names the scheme: %s",
		mmp_error_last()->message);
	is_int(mmp_http_url_parse(&u, "not a url"), MMP_EINVALID,
		"garbage is rejected");
	ok(strstr(mmp_error_last()->message, "'not a url'") != NULL,
		"the message quotes the url");
	mmp_http_escape(&b, "mmp demo/ä&=");
	is_str(b.ptr, "mmp%20demo%2F%C3%A4%26%3D", "escaping");
	mmp_buf_dispose(&b);
	is_str(mmp_http_transport_name(MMP_HTTP_EREFUSED), "refused", "name");
	is_str(mmp_http_class_name(MMP_HTTP_CLASS_HOST_POLICY),
		"host-policy", "class name");
	is_str(mmp_http_class_name(999), "unknown", "out of range");
}

/* a loopback port nothing listens on */
static int closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_refused(void)
{
	mmp_http_client *c = NULL;
	mmp_http_response r;
	mmp_http_options o = MMP_HTTP_OPTIONS_INIT;
	char url[64];

	o.password = "hunter2";
	o.username = "alice";
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	mmp_http_response_init(&r);
	is_int(mmp_http_client_new(&c, url, &o), 0, "client");
	is_int(mmp_http_get(&r, c, "/health"), MMP_ENET, "refused: ENET");
	is_int(r.transport, MMP_HTTP_EREFUSED, "classified as refused");
	is_int(r.klass, MMP_HTTP_CLASS_NONE, "no response class");
	is_int(r.status, 0, "no status");
	ok(strstr(mmp_error_last()->message, "/health") != NULL,
		"the error names the url: %s", mmp_error_last()->message);
	ok(!strstr(mmp_error_last()->message, "hunter2"),
		"the password is not in the message");
	is_int(mmp_http_response_error(&r, "probe"), MMP_ENET,
		"response_error: ENET");
	ok(strstr(mmp_error_last()->message, "(refused)") != NULL,
		"response_error names the class: %s",
		mmp_error_last()->message);
	is_int(mmp_http_get(&r, c, "relative"), MMP_EINVALID,
		"a path must start with /");
	mmp_http_response_release(&r);
	mmp_http_client_free(c);
	mmp_http_client_free(NULL);
}

static void set_pid(const char *db, long pid)
{
	sqlite3 *h;
	char sql[128];

	snprintf(sql, sizeof(sql), "UPDATE runs SET pid = %ld", pid);
	if (sqlite3_open(db, &h) == SQLITE_OK)
		sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
}

static long dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (long)p;
}

static const mmp_doctor_result *store_check(mmp_doctor_report **rep,
	const char *db)
{
	mmp_doctor_options o = MMP_DOCTOR_OPTIONS_INIT;
	const char *only[] = { "store" };

	o.store_path = db;
	if (mmp_doctor_run(rep, &o, only, 1) < 0)
		return NULL;
	return mmp_doctor_report_get(*rep, 0);
}

static void test_store(void)
{
	char db[4096], run[33];
	mmp_store *s = NULL;
	mmp_store_health h;
	mmp_doctor_report *rep = NULL;
	const mmp_doctor_result *res;
	FILE *f;
	int i;

	snprintf(db, sizeof(db), "%s/.mmp/mmp.db", tap_tmpdir());
	is_int(mmp_store_open(&s, db, MMP_STORE_CREATE), 0, "create store");
	is_int(mmp_run_start(s, NULL, run), 0, "start a run");
	is_int(mmp_store_health_get(&h, s), 0, "health");
	is_str(h.integrity, "ok", "integrity ok");
	is_str(h.journal_mode, "wal", "wal mode");
	is_int(h.schema_version, h.schema_supported, "schema current");
	is_int(h.runs, 1, "one run");
	is_int(h.running, 1, "running");
	is_int(h.dead, 0, "this process is alive");
	mmp_store_free(s);

	res = store_check(&rep, db);
	ok(res && res->status == MMP_DOCTOR_OK, "store check ok: %s",
		res ? res->summary : "none");
	ok(res && strstr(res->summary, "integrity ok, wal, 1 runs"),
		"summary: %s", res ? res->summary : "");
	mmp_doctor_report_free(rep);

	set_pid(db, dead_pid());
	res = store_check(&rep, db);
	ok(res && res->status == MMP_DOCTOR_WARN, "a dead run warns");
	is_str(res ? res->summary : "", "1 run stuck in RUNNING from "
		"processes that died", "summary names the dead run");
	ok(res && res->fix && strstr(res->fix, "marks them FAILED"), "fix");
	mmp_doctor_report_free(rep);

	/* damage the pages after the header */
	f = fopen(db, "r+b");
	ok(f != NULL, "open the file to damage it");
	if (f) {
		fseek(f, 4096, SEEK_SET);
		for (i = 0; i < 8192; i++)
			fputc(0x5a, f);
		fclose(f);
	}
	res = store_check(&rep, db);
	ok(res && res->status == MMP_DOCTOR_FAIL, "a damaged store fails: %s",
		res ? res->summary : "");
	ok(res && res->fix && (strstr(res->fix, ".recover") ||
		strstr(res->fix, "backup")), "the fix says how to recover");
	mmp_doctor_report_free(rep);
}

static void test_run_api(void)
{
	mmp_doctor_report *rep = NULL;
	const char *const *names;
	const char *bad[] = { "nope" };
	size_t n = mmp_doctor_checks(&names);

	is_int(n, 9, "nine checks");
	is_str(names[0], "toolchain", "first check");
	ok(names[n] == NULL, "NULL-terminated");
	ok(mmp_doctor_check_exists("ports") && !mmp_doctor_check_exists("x"),
		"check_exists");
	is_int(mmp_doctor_run(&rep, NULL, bad, 1), MMP_EINVALID,
		"unknown check");
	ok(strstr(mmp_error_last()->message, "unknown check 'nope'") != NULL,
		"message quotes the name");
	ok(rep == NULL, "no report on error");
	is_int(mmp_doctor_report_count(NULL), 0, "count(NULL)");
	mmp_doctor_report_free(NULL);
	is_str(mmp_doctor_status_name(MMP_DOCTOR_WARN), "warn", "status");
}

int main(void)
{
	mmp_global_init();
	test_url();
	test_refused();
	test_store();
	test_run_api();
	mmp_global_shutdown();
	return done_testing();
}
