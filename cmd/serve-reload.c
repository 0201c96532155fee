/* SPDX-License-Identifier: MIT */
/* serve-reload.c: serve-api --reload-interval: a thread that follows a
 * models:/ reference on the tracking server and swaps in the version it
 * moves to */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "output.h"
#include "serve-reload.h"
#include "mmp/model.h"
#include "mmp/registry.h"
#include "mmp/store.h"

struct serve_reload {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	mmp_server *srv;
	char *uri, *tracking_uri, *store_path, *schema;
	unsigned int interval;
	int64_t version;          /* served */
	int64_t refused;          /* a version that would not load */
	int failing;              /* the last poll failed */
	int monitor;              /* monitor each new version */
	mmp_serve_monitor_options mo;
	char *mo_store, *mo_id, *mo_model;
	mmp_http_options http;
	FILE *log;
};

static char *dup_or_null(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		die("out of memory");
	return d;
}

/* one "* ..." line in the server's log, the error's text made safe */
static void say(struct serve_reload *r, const char *fmt, const char *what)
{
	mmp_buf esc = MMP_BUF_INIT, uri = MMP_BUF_INIT;

	term_escape(&esc, what ? what : "");
	term_escape(&uri, r->uri);
	flockfile(r->log);
	fputs("* ", r->log);
	fprintf(r->log, fmt, uri.ptr, (long long)r->version, esc.ptr);
	putc('\n', r->log);
	funlockfile(r->log);
	fflush(r->log);
	mmp_buf_dispose(&esc);
	mmp_buf_dispose(&uri);
}

/* load the pulled version and swap it in; 0 or -1 with the error set */
static int swap_in(struct serve_reload *r, mmp_store *st,
	const mmp_pull_result *p)
{
	mmp_serve_model_info info = MMP_SERVE_MODEL_INFO_INIT;
	mmp_serve_monitor_options mo = r->mo;
	mmp_buf profile = MMP_BUF_INIT;
	mmp_model *m = NULL;
	char ver[32];
	struct stat sb;
	int err;

	if ((err = mmp_registry_verify_model(st, p->run_id, p->model_dir,
	    NULL)) < 0 ||
	    (err = mmp_model_load_dir_schema(&m, p->model_dir,
	    r->schema)) < 0 ||
	    (err = mmp_model_set_nthread(m, 1)) < 0)
		goto done;
	snprintf(ver, sizeof(ver), "%lld", (long long)p->local_version);
	info.name = p->local_name;
	info.model_version = ver;
	info.run_id = p->run_id;
	mmp_buf_printf(&profile, "%s/profile.json", p->model_dir);
	mo.profile_path = profile.ptr;
	mo.model_version = p->local_version;
	if ((err = mmp_server_swap_model(r->srv, m, &info, r->monitor &&
	    stat(profile.ptr, &sb) == 0 ? &mo : NULL)) < 0)
		goto done;
	m = NULL;
done:
	mmp_model_free(m);
	mmp_buf_dispose(&profile);
	return err;
}

/* one poll: resolve, pull when the reference moved, swap */
static void poll_once(struct serve_reload *r, mmp_store *st)
{
	mmp_pull_options o = MMP_PULL_OPTIONS_INIT;
	mmp_pull_result p;
	char msg[64];

	memset(&p, 0, sizeof(p));
	o.tracking_uri = r->tracking_uri;
	o.http = &r->http;
	o.max_attempts = 2;
	mmp_error_clear();
	if (mmp_models_pull(&p, st, r->uri, &o) < 0) {
		if (!r->failing)
			say(r, "cannot follow %1$s: %3$s; still serving "
				"version %2$lld", mmp_error_last()->message);
		r->failing = 1;
		goto done;
	}
	if (r->failing)
		say(r, "%1$s can be followed again (serving version "
			"%2$lld)", NULL);
	r->failing = 0;
	if (p.local_version == r->version || p.local_version == r->refused)
		goto done;
	snprintf(msg, sizeof(msg), "%lld", (long long)p.local_version);
	say(r, "%1$s moved: swapping version %2$lld for version %3$s", msg);
	if (swap_in(r, st, &p) < 0) {
		r->refused = p.local_version;
		say(r, "cannot serve the version %1$s moved to: %3$s; "
			"still serving version %2$lld",
			mmp_error_last()->message);
		goto done;
	}
	r->version = p.local_version;
done:
	mmp_pull_result_release(&p);
	mmp_error_clear();
}

static void *run(void *arg)
{
	struct serve_reload *r = arg;
	mmp_store *st = NULL;
	struct timespec until;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += r->interval;
		while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock,
		    &until) != ETIMEDOUT)
			;
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->lock);
		/* a connection of this thread's own */
		if (!st && mmp_store_open(&st, r->store_path, 0) < 0) {
			if (!r->failing)
				say(r, "cannot follow %1$s: %3$s; still "
					"serving version %2$lld",
					mmp_error_last()->message);
			r->failing = 1;
			st = NULL;
		} else {
			poll_once(r, st);
		}
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	mmp_store_free(st);
	return NULL;
}

static void reload_free(struct serve_reload *r)
{
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	free(r->uri);
	free(r->tracking_uri);
	free(r->store_path);
	free(r->schema);
	free(r->mo_store);
	free(r->mo_id);
	free(r->mo_model);
	free(r);
}

int serve_reload_start(struct serve_reload **out,
	const struct serve_reload_options *o)
{
	struct serve_reload *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		die("out of memory");
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->srv = o->srv;
	r->uri = dup_or_null(o->uri);
	r->tracking_uri = dup_or_null(o->tracking_uri);
	r->store_path = dup_or_null(o->store_path);
	r->schema = dup_or_null(o->schema);
	r->interval = o->interval;
	r->version = o->version;
	r->log = o->log;
	mmp_http_options_init(&r->http, MMP_HTTP_OPTIONS_VERSION);
	mmp_http_options_from_env(&r->http);
	if (o->monitor) {
		r->monitor = 1;
		r->mo = *o->monitor;
		r->mo.store_path = r->mo_store = dup_or_null(
			o->monitor->store_path);
		r->mo.id_field = r->mo_id = dup_or_null(o->monitor->id_field);
		r->mo.model = r->mo_model = dup_or_null(o->monitor->model);
		r->mo.profile_path = NULL;
	}
	if ((err = pthread_create(&r->thread, NULL, run, r)) != 0) {
		reload_free(r);
		return error("cannot start the reload thread: %s",
			strerror(err));
	}
	*out = r;
	return 0;
}

void serve_reload_stop(struct serve_reload *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	reload_free(r);
}
