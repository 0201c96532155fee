/* SPDX-License-Identifier: MIT */
/* serve-api.c: mmp serve-api: serve a model over HTTP until signalled */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "listen.h"
#include "output.h"
#include "registry-common.h"
#include "serve-reload.h"
#include "mmp/config.h"
#include "mmp/registry.h"
#include "mmp/serve.h"
#include "mmp/store.h"

/* how long in-flight requests may take to finish after a signal */
#define DRAIN_SECONDS 30

static const char *const serve_api_usage[] = {
	"mmp serve-api (--model <name>@<stage|alias> | --run <run> |",
	"    --model-dir <dir>) [--schema <file>] [--host <addr>]",
	"    [--port <port>] [--threads <n>] [--max-body <bytes>]",
	"    [--request-timeout <seconds>] [--max-per-client <n>]",
	"    [--token-file <file>] [--log-file <file>]",
	"    [--reload-interval <seconds>]",
	NULL
};

/* "8388608", "512k", "8M", "8MiB", "1G" */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned long long mult = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1024;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024;
	else if (*end == 'g' || *end == 'G')
		mult = 1024 * 1024 * 1024;
	else if (*end)
		return -1;
	if (*end) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -1;
	}
	if (!v || v > (1ULL << 40) / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

/* flags win over configuration keys, which win over built-in defaults */
static void apply_config(struct mmp_ctx *ctx, mmp_serve_options *o,
	const char *host, int port, int threads, const char *max_body,
	int request_timeout, int max_per_client)
{
	mmp_config *cfg = ctx_config(ctx);
	int64_t v;

	listen_address(ctx, "serve", &host, &port, o->port);
	o->host = host;
	o->port = port;
	if (threads != INT_MIN)
		o->threads = threads;
	else if (mmp_config_get_int(&v, cfg, "serve.threads") == 0)
		o->threads = (int)v;
	if (max_body) {
		if (parse_size(max_body, &o->max_body) < 0)
			die("option '--max-body' expects a size in bytes "
				"(e.g. 1048576, 512k, 8MiB), got '%s'",
				max_body);
	} else if (mmp_config_get_int(&v, cfg, "serve.max_body") == 0 &&
	    v > 0) {
		if ((uint64_t)v > (1ULL << 40))
			die("serve.max_body is %lld bytes; the most is 1 TiB",
				(long long)v);
		o->max_body = (size_t)v;
	}
	if (request_timeout != INT_MIN)
		o->request_timeout = (unsigned int)request_timeout;
	else if (mmp_config_get_int(&v, cfg, "serve.request_timeout") == 0)
		o->request_timeout = (unsigned int)v;
	if (max_per_client != INT_MIN)
		o->max_per_client = (unsigned int)max_per_client;
	else if (mmp_config_get_int(&v, cfg, "serve.max_per_client") == 0)
		o->max_per_client = (unsigned int)v;
	mmp_error_clear();
}

/* the model directory to serve and a name for it */
static int locate_model(mmp_buf *path, mmp_buf *name, struct mmp_ctx *ctx,
	const char *model, const char *run, const char *dir, char mver[32],
	char mrun[33])
{
	char id[33];
	int err;

	if (model) {
		mmp_model_ref ref;
		mmp_buf pulled = MMP_BUF_INIT;

		/* a version of the tracking server's registry: into the
		 * store first, then served as any local version */
		if (!strncmp(model, "models:/", 8)) {
			if (reg_pull_uri(ctx, model, &pulled)) {
				mmp_buf_dispose(&pulled);
				return EXIT_FAIL;
			}
			err = mmp_registry_resolve(&ref, ctx_store(ctx),
				pulled.ptr);
			mmp_buf_dispose(&pulled);
		} else {
			err = mmp_registry_resolve(&ref, ctx_store(ctx),
				model);
		}
		if (err < 0) {
			mmp_model_ref_release(&ref);
			return error_lib("cannot find model '%s'", model);
		}
		mmp_buf_puts(path, ref.model_dir);
		mmp_buf_puts(name, ref.name);
		snprintf(mver, 32, "%lld", (long long)ref.version);
		snprintf(mrun, 33, "%s", ref.run_id);
		mmp_model_ref_release(&ref);
		if (mmp_registry_verify_model(ctx_store(ctx), mrun, path->ptr,
		    NULL) < 0)
			return error_lib("cannot serve model '%s'", model);
		return 0;
	}
	if (dir) {
		const char *end = dir + strlen(dir), *base;

		while (end > dir + 1 && end[-1] == '/')
			end--;
		mmp_buf_put(path, dir, (size_t)(end - dir));
		base = strrchr(path->ptr, '/');
		mmp_buf_puts(name, base && base[1] ? base + 1 : path->ptr);
		return 0;
	}
	if ((err = mmp_run_resolve(ctx_store(ctx), run, id)) < 0)
		return error_lib("cannot find run '%s'", run);
	if ((err = mmp_run_artifact_dir(path, ctx_store(ctx), id)) < 0)
		return error_lib("cannot find the artifacts of run '%s'", id);
	mmp_buf_puts(path, "/model");
	mmp_buf_puts(name, id);
	if (mmp_registry_verify_model(ctx_store(ctx), id, path->ptr, NULL) < 0)
		return error_lib("cannot serve the model of run '%s'", id);
	return 0;
}

/*
 * Drift monitoring: on when the model directory has profile.json, a
 * store can be found and serve.monitor.enabled is not false; each reason
 * it is off is said once in the log. A profile that does not fit the
 * model or an id field that is not an entity column stops the server.
 */
static int start_monitor(struct mmp_ctx *ctx, mmp_server *srv,
	const char *dir, const char *mver, FILE *log,
	mmp_serve_monitor_options *later, mmp_buf *store)
{
	mmp_config *cfg = ctx_config(ctx);
	mmp_serve_monitor_options mo = MMP_SERVE_MONITOR_OPTIONS_INIT;
	mmp_buf profile = MMP_BUF_INIT;
	const char *id = NULL;
	bool enabled = true;
	int64_t v;
	int err, ret = 0;

	if (mmp_config_get_bool(&enabled, cfg, "serve.monitor.enabled") == 0 &&
	    !enabled) {
		fprintf(log, "* drift monitoring is off "
			"(serve.monitor.enabled is false)\n");
		goto done;
	}
	mmp_buf_printf(&profile, "%s/profile.json", dir);
	if (mmp_store_locate(store, ctx->store_path) < 0) {
		fprintf(log, "* drift monitoring is off: no store to save "
			"live profiles in\n");
		goto done;
	}
	if (mmp_config_get_int(&v, cfg, "serve.monitor.window") == 0)
		mo.window = (unsigned int)v;
	if (mmp_config_get_int(&v, cfg, "serve.monitor.flush_interval") == 0)
		mo.flush_interval = (unsigned int)v;
	if (mmp_config_get_string(&id, cfg, "serve.monitor.id_field") == 0 &&
	    id && *id)
		mo.id_field = id;
	mmp_error_clear();
	mo.store_path = store->ptr;
	/* versions a reload brings are monitored the same way */
	*later = mo;
	mo.profile_path = profile.ptr;
	mo.model_version = *mver ? strtoll(mver, NULL, 10) : 0;
	err = mmp_server_monitor(srv, &mo);
	if (err == MMP_ENOTFOUND) {
		mmp_error_clear();
		fprintf(log, "* drift monitoring is off: the model directory "
			"has no profile.json\n");
	} else if (err < 0) {
		ret = error_lib("cannot monitor the model");
	}
done:
	mmp_buf_dispose(&profile);
	return ret;
}

/* 127.0.0.0/8, ::1 or localhost: only this machine can connect */
static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !*host || !strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return ntohl(a4.s_addr) >> 24 == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* a server others can reach, or a token others can read, is said */
static void exposure_warnings(const mmp_serve_options *o)
{
	struct stat st;

	if (!o->token_file && !is_loopback(o->host))
		warning("serving on %s without --token-file: anyone who can "
			"reach this address can use the model", o->host);
	if (o->token_file && stat(o->token_file, &st) == 0 &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		warning("token file '%s' can be read by other users (mode "
			"%04o); make it private with chmod 600",
			o->token_file, (unsigned int)(st.st_mode & 07777));
}

/* -v: which code predicts, before the ready line */
static void print_predictor(const mmp_server *srv)
{
	mmp_buf what = MMP_BUF_INIT, esc = MMP_BUF_INIT;

	if (mmp_server_describe_predictor(&what, srv) == 0) {
		term_escape(&esc, what.ptr);
		fprintf(stderr, "predictor: %s\n", esc.ptr);
	}
	mmp_buf_dispose(&what);
	mmp_buf_dispose(&esc);
}

static int server_quiesce(void *srv)
{
	return mmp_server_quiesce(srv);
}

static unsigned int server_inflight(void *srv)
{
	return mmp_server_inflight(srv);
}

/* models:/NAME/3: a reference that cannot move */
static int fixed_version(const char *uri)
{
	const char *last = strrchr(uri, '/');

	return !strchr(uri, '@') && last && last[1] &&
		strspn(last + 1, "0123456789") == strlen(last + 1);
}

int cmd_serve_api(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const char *run = NULL, *dir = NULL, *host = NULL, *max_body = NULL;
	const char *model = NULL, *schema = NULL;
	char mver[32] = "", mrun[33] = "";
	const char *token_file = NULL, *log_file = NULL;
	int port = INT_MIN, threads = INT_MIN;
	int request_timeout = INT_MIN, max_per_client = INT_MIN;
	int reload_interval = 0;
	const struct option opts[] = {
		OPT_STRING(0, "model", &model, "<name>@<stage|alias>",
			"serve a registered model version (churn@Production)"),
		OPT_STRING(0, "run", &run, "<run>",
			"serve the model of this run (id, prefix or name)"),
		OPT_STRING(0, "model-dir", &dir, "<dir>",
			"serve the model directory <dir>"),
		OPT_STRING(0, "schema", &schema, "<file>",
			"the model's inputs (MLflow column specs)"),
		OPT_STRING(0, "host", &host, "<addr>",
			"address to listen on (serve.host, 127.0.0.1)"),
		OPT_INTEGER(0, "port", &port, "<port>",
			"port to listen on (serve.port, 8000)"),
		OPT_INTEGER(0, "threads", &threads, "<n>",
			"worker threads (serve.threads, 0: one per core)"),
		OPT_STRING(0, "max-body", &max_body, "<bytes>",
			"largest request body (serve.max_body, 8MiB)"),
		OPT_INTEGER(0, "request-timeout", &request_timeout,
			"<seconds>", "close a connection whose request has not "
			"arrived whole in time (serve.request_timeout, 30)"),
		OPT_INTEGER(0, "max-per-client", &max_per_client, "<n>",
			"connections open at once from one address "
			"(serve.max_per_client, 64)"),
		OPT_STRING(0, "token-file", &token_file, "<file>",
			"require 'Authorization: Bearer' with this token"),
		OPT_STRING(0, "log-file", &log_file, "<file>",
			"append the access log here instead of stderr"),
		OPT_INTEGER(0, "reload-interval", &reload_interval,
			"<seconds>", "follow the models:/ reference on the "
			"tracking server, swapping in the version it moves to"),
		OPT_END()
	};
	mmp_serve_options o;
	mmp_serve_model_info info = MMP_SERVE_MODEL_INFO_INIT;
	mmp_server *srv = NULL;
	mmp_model *m = NULL;
	mmp_serve_monitor_options later = MMP_SERVE_MONITOR_OPTIONS_INIT;
	struct serve_reload *reload = NULL;
	mmp_buf name = MMP_BUF_INIT, path = MMP_BUF_INIT;
	mmp_buf store = MMP_BUF_INIT, url = MMP_BUF_INIT, what = MMP_BUF_INIT;
	mmp_serve_stop *stop = NULL;
	FILE *log = stderr;
	int err, ret = EXIT_FAIL;

	argc = parse_options(argc, argv, opts, serve_api_usage, 0);
	if (argc)
		usage_msg_opt("serve-api takes no arguments", serve_api_usage,
			opts);
	if (!!model + !!run + !!dir != 1)
		usage_msg_opt("give exactly one of --model, --run and "
			"--model-dir",
			serve_api_usage, opts);
	listen_check_options(port, threads, 1024, serve_api_usage, opts);
	if (request_timeout != INT_MIN &&
	    (request_timeout < 1 || request_timeout > 86400))
		usage_msg_opt("--request-timeout must be between 1 and 86400 "
			"seconds", serve_api_usage, opts);
	if (max_per_client != INT_MIN &&
	    (max_per_client < 1 || max_per_client > 65535))
		usage_msg_opt("--max-per-client must be between 1 and 65535",
			serve_api_usage, opts);
	if (reload_interval && (!model || strncmp(model, "models:/", 8)))
		usage_msg_opt("--reload-interval follows a models:/ reference "
			"of the tracking server: give --model models:/...",
			serve_api_usage, opts);
	if (reload_interval && fixed_version(model))
		usage_msg_opt("--reload-interval follows an alias, a stage or "
			"latest; a version number never moves",
			serve_api_usage, opts);
	if (reload_interval < 0 || reload_interval > 86400)
		usage_msg_opt("--reload-interval must be between 1 and 86400 "
			"seconds", serve_api_usage, opts);
	mmp_serve_options_init(&o, MMP_SERVE_OPTIONS_VERSION);
	apply_config(ctx, &o, host, port, threads, max_body,
		request_timeout, max_per_client);
	o.token_file = token_file;

	log = listen_log_open(log_file);
	o.log = listen_log_line;
	o.payload = log;

	/* signals go to the wait below, never to the workers */
	if (mmp_serve_stop_new(&stop) < 0) {
		error_lib("cannot serve");
		goto done;
	}

	/* find the model first: a wrong name opens no port */
	if (locate_model(&path, &name, ctx, model, run, dir, mver, mrun))
		goto done;
	exposure_warnings(&o);
	if ((err = mmp_server_start(&srv, &o)) < 0) {
		mmp_buf_printf(&what, "model %s", name.ptr);
		listen_start_failed(err, what.ptr, o.host, o.port);
		goto done;
	}
	info.name = name.ptr;
	if (*mver) {
		info.model_version = mver;
		info.run_id = mrun;
	}
	/* a given schema: load here, serve it borrowed until the end */
	if (schema && (mmp_model_load_dir_schema(&m, path.ptr, schema) < 0 ||
	    mmp_model_set_nthread(m, 1) < 0 ||
	    mmp_server_set_model(srv, m, &info) < 0)) {
		error_lib("cannot serve the model in '%s'", path.ptr);
		goto done;
	}
	if (!schema && mmp_server_load_model(srv, path.ptr, &info) < 0) {
		error_lib(run ? "run '%s' has no model to serve" :
			"cannot serve the model in '%s'", run ? name.ptr :
			path.ptr);
		goto done;
	}
	if (start_monitor(ctx, srv, path.ptr, mver, log, &later, &store))
		goto done;
	if (reload_interval) {
		struct serve_reload_options ro = { 0 };

		ro.srv = srv;
		ro.uri = model;
		ro.tracking_uri = ctx_tracking_uri(ctx, NULL);
		ro.store_path = mmp_store_path(ctx_store(ctx));
		ro.schema = schema;
		ro.interval = (unsigned int)reload_interval;
		ro.version = strtoll(mver, NULL, 10);
		ro.monitor = later.store_path ? &later : NULL;
		ro.log = log;
		if (!ro.tracking_uri || serve_reload_start(&reload, &ro) < 0)
			goto done;
		fprintf(log, "* following %s every %d s\n", model,
			reload_interval);
	}
	if (ctx->verbosity > 0)
		print_predictor(srv);
	mmp_serve_url(&url, o.host, mmp_server_port(srv));
	mmp_buf_printf(&what, "model %s", name.ptr);
	listen_ready(what.ptr, url.ptr, NULL);
	ret = listen_until_signalled(stop, DRAIN_SECONDS, server_quiesce,
		server_inflight, srv);
done:
	/* no swap once the workers stop */
	serve_reload_stop(reload);
	mmp_server_free(srv);
	mmp_model_free(m);
	mmp_serve_stop_free(stop);
	mmp_buf_dispose(&store);
	mmp_buf_dispose(&name);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&what);
	listen_log_close(log);
	return ret;
}
