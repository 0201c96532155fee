/* SPDX-License-Identifier: MIT */
/* fake-tracking.c: a loopback-only MLflow 2.x REST server for the tests
 *
 * usage: fake-tracking [--port <n>] [--mode <mode>] [--max-seconds <n>]
 *        [--user <u> --password <p>] [--prefix <path>]
 *        [--artifact-location <path>] [--allowed-hosts <h,...>]
 *        [--experiment <name>] [--server-version <v>] [--log <file>]
 *        [--delay-ms <n>] [--fail-first <n> [--fail-status <code>]]
 *        [--stall-after <route>:<n>] [--short-downloads <n>]
 *        [--page-size <n>]
 *
 * It keeps experiments, runs, metrics, artifacts and the model registry in
 * memory and answers as MLflow 2.10.2 does (see MLFLOW-REST.md): JSON
 * shapes, status codes, error bodies, Flask's HTML 404/405. The modes
 * reproduce what goes wrong in the field:
 *   healthy          the full API
 *   airplay          403, empty body, Server: AirTunes (macOS port 5000)
 *   hostcheck        MLflow 3.x host check: 403 text/plain unless the Host
 *                    header names one of --allowed-hosts (default: none, so
 *                    that loopback tests see the rejection MLflow gives a
 *                    host name missing from its list)
 *   basicauth        401 text/html + WWW-Authenticate unless --user and
 *                    --password are sent with HTTP basic auth
 *   permission       403 JSON PERMISSION_DENIED on the API
 *   prefix           the whole server lives under --prefix (default
 *                    /mlflow); elsewhere Flask's HTML 404
 *   artifacts-local  no artifact proxying: experiments report a
 *                    server-side artifact_location (default
 *                    /mlflow/artifacts) and mlflow-artifacts answers 503;
 *                    --artifact-location s3://BUCKET/PREFIX gives them
 *                    s3://BUCKET/PREFIX/<id>, as `mlflow server
 *                    --default-artifact-root s3://BUCKET/PREFIX
 *                    --no-serve-artifacts` does, for clients that write
 *                    the bucket themselves
 *   oldversion       GET /version says 2.3.0
 *   denied           403 text/plain "Permission denied" on the API (the
 *                    basic-auth app's answer to a user without rights)
 *   forbidden        403 with an empty body from any other server (a
 *                    proxy's refusal: not AirPlay)
 * --log FILE appends one line per request: "<method> <url>", then
 * " auth=<Authorization header>" when one was sent, and for log-batch
 * " params=<n> metrics=<n> tags=<n>". --delay-ms answers every API
 * request that much later (a slow server). --fail-first answers the first
 * <n> API requests with --fail-status (default 503; 429 and 5xx as an
 * HTML page, others as MLflow JSON). --stall-after runs/log-batch:2
 * applies the second log-batch, then holds the answer back for 60
 * seconds (a reply lost in the network). GET /__fake/state dumps every
 * experiment, run (with the full metric history), model and artifact.
 * POST /__fake/gc removes deleted runs for good, as `mlflow gc` does.
 * POST /__fake/fail {"route": "artifacts/list", "run_id": ID, "status":
 * 403|500|<4xx>, "times": N} makes that route refuse requests naming that
 * run (any run without run_id) N times (-1: until told otherwise; 0
 * clears the rule) as the server would: 403 as the basic-auth app's
 * text/plain "Permission denied" (a user without rights to it), 500 as
 * Flask's HTML page for an exception (an artifact store the server
 * cannot read), any other as MLflow JSON.
 * --short-downloads N answers every artifact download with its last N
 * bytes left out, as a complete 200 (a proxy that cut the file).
 * --page-size N makes runs/search, experiments/search and
 * metrics/get-history answer at most N items a page, with
 * next_page_token (base64 of {"offset": n}, as MLflow's) when more
 * follow; get-history also pages by its own max_results, as MLflow 2.x
 * does, and without either answers the whole history at once.
 * --port 0 picks a free port; the first line on stdout is "port=NNNNN".
 * Binds 127.0.0.1 only; exits 0 on SIGTERM or SIGINT and after
 * --max-seconds (default 60).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "mmp/buf.h"

#define MAX_BODY ((size_t)64 << 20)
#define BASE64_TABLE \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

enum mode {
	M_HEALTHY, M_AIRPLAY, M_HOSTCHECK, M_BASICAUTH, M_PERMISSION,
	M_PREFIX, M_ARTIFACTS_LOCAL, M_OLDVERSION, M_DENIED, M_FORBIDDEN
};
static const char *const mode_names[] = {
	"healthy", "airplay", "hostcheck", "basicauth", "permission",
	"prefix", "artifacts-local", "oldversion", "denied", "forbidden"
};
#define NMODES (sizeof(mode_names) / sizeof(mode_names[0]))

struct artifact {
	char *path;
	unsigned char *data;
	size_t len;
};

static struct {
	enum mode mode;
	const char *user, *password, *prefix, *artloc, *version;
	const char *allowed_hosts;
	FILE *log;
	cJSON *experiments;  /* array of experiment objects */
	int next_exp;
	cJSON *runs;         /* array of {"info","data":{"tags","params"}} */
	cJSON *history;      /* object: run_id -> array of metrics */
	cJSON *models;       /* array of {"rm","versions","aliases"} */
	struct artifact *arts;
	size_t nart, aart;
	long delay_ms;
	long fail_first, fail_status;
	char stall_route[128];
	long stall_n, stall_seen;
	long short_downloads;
	long page_size;
	struct fail_rule {
		char route[64];
		char run_id[128];   /* "": any run */
		long status, times;
	} fails[16];
	size_t nfails;
} S;

/* requests run on one thread per connection; the state has one lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("fake-tracking: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- */
/* one request */

struct req {
	char *body;
	size_t len, alloc;
	int too_big;
};

struct ctx {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;     /* after the prefix, /ajax-api mapped */
	cJSON *in;            /* JSON body (POST/PATCH/DELETE), or NULL */
	struct req *req;
	int stall;            /* hold the answer back (--stall-after) */
	char scratch[8][64];  /* numbers given where strings are expected */
	int nscratch;
	/* the answer */
	unsigned int status;
	cJSON *out;
};

static enum MHD_Result send_raw(struct MHD_Connection *c, unsigned int status,
	const char *ctype, const void *body, size_t len,
	const char *h1, const char *v1)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
		MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (h1)
		MHD_add_response_header(r, h1, v1);
	MHD_add_response_header(r, "Server", S.mode == M_AIRPLAY ?
		"AirTunes/695.5.1" : "gunicorn");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c,
	unsigned int status, const char *ctype, const char *text)
{
	return send_raw(c, status, ctype, text, strlen(text), NULL, NULL);
}

static enum MHD_Result send_html_404(struct MHD_Connection *c)
{
	return send_text(c, 404, "text/html; charset=utf-8",
		"<!doctype html>\n<html lang=en>\n<title>404 Not "
		"Found</title>\n"
		"<h1>Not Found</h1>\n<p>The requested URL was not found on the "
		"server. If you entered the URL manually please check your "
		"spelling and try again.</p>\n");
}

static enum MHD_Result send_html_405(struct MHD_Connection *c)
{
	return send_text(c, 405, "text/html; charset=utf-8",
		"<!doctype html>\n<html lang=en>\n<title>405 Method Not "
		"Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method "
		"is not allowed for the requested URL.</p>\n");
}

static enum MHD_Result send_json(struct MHD_Connection *c,
	unsigned int status, cJSON *doc)
{
	char *text = mmp_json_print(doc, 1);
	enum MHD_Result ret;

	ret = send_text(c, status, "application/json", text);
	free(text);
	return ret;
}

/* set an MLflow error answer; returns NULL for `return err(...)` */
static cJSON *err(struct ctx *x, unsigned int status, const char *code,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static cJSON *err(struct ctx *x, unsigned int status, const char *code,
	const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_Delete(x->out);
	x->out = cJSON_CreateObject();
	cJSON_AddStringToObject(x->out, "error_code", code);
	cJSON_AddStringToObject(x->out, "message", msg);
	x->status = status;
	return NULL;
}

#define INVALID "INVALID_PARAMETER_VALUE"
#define NOT_FOUND "RESOURCE_DOES_NOT_EXIST"

static cJSON *missing(struct ctx *x, const char *name)
{
	return err(x, 400, INVALID, "Missing value for required parameter "
		"'%s'. See the API docs for more information about request "
		"parameters.", name);
}

/* an argument: the query string for GET, the JSON body otherwise;
 * numbers are accepted where strings are expected */
static const char *arg(struct ctx *x, const char *name)
{
	cJSON *v;

	if (!x->in)
		return MHD_lookup_connection_value(x->conn,
			MHD_GET_ARGUMENT_KIND, name);
	v = cJSON_GetObjectItemCaseSensitive(x->in, name);
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v) && x->nscratch < 8) {
		char *s = x->scratch[x->nscratch++];
		snprintf(s, 64, "%.17g", v->valuedouble);
		return s;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	return NULL;
}

static int arg_bool(struct ctx *x, const char *name)
{
	const char *v = arg(x, name);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

static int arg_int(struct ctx *x, const char *name, long long *out)
{
	const char *v = arg(x, name);
	char *end;

	if (!v || !*v)
		return 0;
	*out = strtoll(v, &end, 10);
	return !*end || *end == '.';
}

static cJSON *arg_array(struct ctx *x, const char *name)
{
	cJSON *v = x->in ? cJSON_GetObjectItemCaseSensitive(x->in, name) :
		NULL;

	return cJSON_IsArray(v) ? v : NULL;
}

static const char *jstr(const cJSON *o, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *wrap(const char *key, cJSON *item)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, key, item);
	return o;
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

static void set_num(cJSON *o, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddNumberToObject(o, key, v);
}

/* {"key","value"} lists: set or replace key */
static void kv_set(cJSON *list, const char *key, const char *value)
{
	cJSON *it, *kv;

	cJSON_ArrayForEach(it, list) {
		const char *k = jstr(it, "key");
		if (k && !strcmp(k, key)) {
			set_str(it, "value", value);
			return;
		}
	}
	kv = cJSON_CreateObject();
	cJSON_AddStringToObject(kv, "key", key);
	cJSON_AddStringToObject(kv, "value", value);
	cJSON_AddItemToArray(list, kv);
}

static const char *kv_get(const cJSON *list, const char *key)
{
	cJSON *it;

	cJSON_ArrayForEach(it, list) {
		const char *k = jstr(it, "key");
		if (k && !strcmp(k, key))
			return jstr(it, "value");
	}
	return NULL;
}

static cJSON *copy_tags(struct ctx *x, const char *name)
{
	cJSON *in = arg_array(x, name), *out = cJSON_CreateArray(), *it;

	cJSON_ArrayForEach(it, in) {
		const char *k = jstr(it, "key"), *v = jstr(it, "value");
		if (k)
			kv_set(out, k, v ? v : "");
	}
	return out;
}

/* ---------------------------------------------------------------- */
/* experiments */

static cJSON *new_experiment(const char *name, const char *loc,
	cJSON *tags)
{
	cJSON *e = cJSON_CreateObject();
	char id[32], where[4096];
	long long t = now_ms();

	snprintf(id, sizeof(id), "%d", S.next_exp++);
	if (loc && *loc)
		snprintf(where, sizeof(where), "%s", loc);
	else if (S.mode == M_ARTIFACTS_LOCAL)
		snprintf(where, sizeof(where), "%s/%s", S.artloc, id);
	else
		snprintf(where, sizeof(where), "mlflow-artifacts:/%s", id);
	cJSON_AddStringToObject(e, "experiment_id", id);
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddStringToObject(e, "artifact_location", where);
	cJSON_AddStringToObject(e, "lifecycle_stage", "active");
	cJSON_AddNumberToObject(e, "last_update_time", (double)t);
	cJSON_AddNumberToObject(e, "creation_time", (double)t);
	cJSON_AddItemToObject(e, "tags", tags ? tags : cJSON_CreateArray());
	cJSON_AddItemToArray(S.experiments, e);
	return e;
}

static cJSON *find_by(cJSON *list, const char *field, const char *v)
{
	cJSON *it;

	if (!v)
		return NULL;
	cJSON_ArrayForEach(it, list) {
		const char *f = jstr(it, field);
		if (f && !strcmp(f, v))
			return it;
	}
	return NULL;
}

static cJSON *render_experiment(const cJSON *e)
{
	cJSON *o = cJSON_Duplicate(e, 1);

	if (!cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")))
		cJSON_DeleteItemFromObject(o, "tags");
	return o;
}

static cJSON *h_exp_get_by_name(struct ctx *x)
{
	const char *name = arg(x, "experiment_name");
	cJSON *e;

	if (!name)
		return missing(x, "experiment_name");
	e = find_by(S.experiments, "name", name);
	if (!e)
		return err(x, 404, NOT_FOUND,
			"Could not find experiment with name '%s'", name);
	return wrap("experiment", render_experiment(e));
}

static cJSON *h_exp_get(struct ctx *x)
{
	const char *id = arg(x, "experiment_id");
	cJSON *e;

	if (!id)
		return missing(x, "experiment_id");
	e = find_by(S.experiments, "experiment_id", id);
	if (!e)
		return err(x, 404, NOT_FOUND, "No Experiment with id=%s exists",
			id);
	return wrap("experiment", render_experiment(e));
}

static cJSON *exp_or_404(struct ctx *x)
{
	const char *id = arg(x, "experiment_id");
	cJSON *e;

	if (!id) {
		missing(x, "experiment_id");
		return NULL;
	}
	e = find_by(S.experiments, "experiment_id", id);
	if (!e)
		err(x, 404, NOT_FOUND, "No Experiment with id=%s exists", id);
	return e;
}

/* experiments/update {"experiment_id", "new_name"} -> {} */
static cJSON *h_exp_update(struct ctx *x)
{
	const char *name = arg(x, "new_name"), *st;
	cJSON *e = exp_or_404(x), *other;

	if (!e)
		return NULL;
	if (!name || !*name)
		return missing(x, "new_name");
	st = jstr(e, "lifecycle_stage");
	if (st && strcmp(st, "active"))
		return err(x, 400, "INVALID_STATE", "Cannot rename a "
			"non-active experiment.");
	other = find_by(S.experiments, "name", name);
	if (other && other != e)
		return err(x, 400, "RESOURCE_ALREADY_EXISTS", "Experiment("
			"name=%s) already exists. Error: (sqlite3."
			"IntegrityError) UNIQUE constraint failed: "
			"experiments.name", name);
	set_str(e, "name", name);
	set_num(e, "last_update_time", (double)now_ms());
	return cJSON_CreateObject();
}

/* experiments/delete and /restore: the experiment and its runs */
static cJSON *exp_lifecycle(struct ctx *x, const char *stage)
{
	const char *id;
	cJSON *e = exp_or_404(x), *it;

	if (!e)
		return NULL;
	id = jstr(e, "experiment_id");
	if (!strcmp(stage, "deleted") && !strcmp(id, "0"))
		return err(x, 400, INVALID, "Cannot delete the default "
			"experiment '0'. This is an internally reserved "
			"experiment.");
	set_str(e, "lifecycle_stage", stage);
	set_num(e, "last_update_time", (double)now_ms());
	cJSON_ArrayForEach(it, S.runs) {
		cJSON *info = cJSON_GetObjectItem(it, "info");
		const char *ex = jstr(info, "experiment_id");
		if (ex && !strcmp(ex, id))
			set_str(info, "lifecycle_stage", stage);
	}
	return cJSON_CreateObject();
}

static cJSON *h_exp_delete(struct ctx *x)
{
	return exp_lifecycle(x, "deleted");
}

static cJSON *h_exp_restore(struct ctx *x)
{
	return exp_lifecycle(x, "active");
}

static cJSON *h_exp_create(struct ctx *x)
{
	const char *name = arg(x, "name");
	cJSON *e, *o;

	if (!name || !*name)
		return missing(x, "name");
	if (find_by(S.experiments, "name", name))
		return err(x, 400, "RESOURCE_ALREADY_EXISTS",
			"Experiment(name=%s) already exists. Error: "
			"(sqlite3.IntegrityError) UNIQUE constraint failed: "
			"experiments.name", name);
	e = new_experiment(name, arg(x, "artifact_location"),
		copy_tags(x, "tags"));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "experiment_id",
		jstr(e, "experiment_id"));
	return o;
}

/* "name = 'x'" (or "name='x'", double quotes too); NULL: no filter */
static int parse_name_filter(const char *filter, const char *field,
	char *out, size_t outsz)
{
	const char *p = filter;
	size_t n = strlen(field), len;
	char q;

	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, field, n))
		return -1;
	p += n;
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '=')
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	q = *p++;
	if (q != '\'' && q != '"')
		return -1;
	len = strcspn(p, q == '\'' ? "'" : "\"");
	if (p[len] != q || len >= outsz)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	p += len + 1;
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -1 : 0;
}

static void b64(char *out, size_t outsz, const char *in);
static long unb64_offset(const char *tok);

/* the page token of MLflow's offset paging */
static void offset_token(char *out, size_t outsz, long long offset)
{
	char js[64];

	snprintf(js, sizeof(js), "{\"offset\": %lld}", offset);
	b64(out, outsz, js);
}

static cJSON *h_exp_search(struct ctx *x)
{
	const char *filter = arg(x, "filter"), *tok = arg(x, "page_token");
	const char *view = arg(x, "view_type");
	char name[1024];
	long long max = 1000, seen = 0;
	long offset = 0;
	cJSON *list = cJSON_CreateArray(), *it, *out;

	arg_int(x, "max_results", &max);
	if (S.page_size > 0 && max > S.page_size)
		max = S.page_size;
	if (filter && *filter &&
	    parse_name_filter(filter, "name", name, sizeof(name)) < 0) {
		cJSON_Delete(list);
		return err(x, 400, INVALID, "Invalid filter '%s'", filter);
	}
	if (tok && *tok && (offset = unb64_offset(tok)) < 0) {
		cJSON_Delete(list);
		return err(x, 400, INVALID, "Invalid page token, could not "
			"base64-decode");
	}
	out = cJSON_CreateObject();
	cJSON_ArrayForEach(it, S.experiments) {
		const char *stage = jstr(it, "lifecycle_stage");
		if (filter && *filter && strcmp(jstr(it, "name"), name))
			continue;
		if ((!view || !strcmp(view, "ACTIVE_ONLY")) &&
		    strcmp(stage, "active"))
			continue;
		if (view && !strcmp(view, "DELETED_ONLY") &&
		    !strcmp(stage, "active"))
			continue;
		if (seen++ < offset)
			continue;
		if (cJSON_GetArraySize(list) >= max) {
			char enc[128];
			offset_token(enc, sizeof(enc), offset + max);
			cJSON_AddStringToObject(out, "next_page_token", enc);
			break;
		}
		cJSON_AddItemToArray(list, render_experiment(it));
	}
	cJSON_AddItemToObject(out, "experiments", list);
	return out;
}

/* ---------------------------------------------------------------- */
/* runs */

static void random_hex(char out[33])
{
	unsigned char b[16];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static cJSON *find_run(const char *id)
{
	cJSON *it;

	if (!id)
		return NULL;
	cJSON_ArrayForEach(it, S.runs) {
		const char *r = jstr(cJSON_GetObjectItem(it, "info"), "run_id");
		if (!strcmp(r, id))
			return it;
	}
	return NULL;
}

static cJSON *metric_json(const cJSON *m)
{
	return cJSON_Duplicate(m, 1);
}

/* the latest value per key: max step, then max timestamp */
static cJSON *latest_metrics(const char *run_id)
{
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(S.history, run_id);
	cJSON *out = cJSON_CreateArray(), *it, *cur;

	cJSON_ArrayForEach(it, hist) {
		const char *key = jstr(it, "key");
		double step = cJSON_GetObjectItem(it, "step")->valuedouble;
		double ts = cJSON_GetObjectItem(it, "timestamp")->valuedouble;
		int i = 0, found = -1;

		cJSON_ArrayForEach(cur, out) {
			if (!strcmp(jstr(cur, "key"), key))
				found = i;
			i++;
		}
		if (found < 0) {
			cJSON_AddItemToArray(out, metric_json(it));
			continue;
		}
		cur = cJSON_GetArrayItem(out, found);
		if (step > cJSON_GetObjectItem(cur, "step")->valuedouble ||
		    (step == cJSON_GetObjectItem(cur, "step")->valuedouble &&
		     ts >= cJSON_GetObjectItem(cur, "timestamp")->valuedouble))
			cJSON_ReplaceItemInArray(out, found, metric_json(it));
	}
	return out;
}

static cJSON *render_run(const cJSON *run, int with_inputs)
{
	cJSON *o = cJSON_CreateObject(), *data = cJSON_CreateObject();
	const cJSON *d = cJSON_GetObjectItem(run, "data");
	const char *id = jstr(cJSON_GetObjectItem(run, "info"), "run_id");
	cJSON *metrics = latest_metrics(id);
	const char *names[] = { "params", "tags" };
	size_t i;

	cJSON_AddItemToObject(o, "info",
		cJSON_Duplicate(cJSON_GetObjectItem(run, "info"), 1));
	if (cJSON_GetArraySize(metrics))
		cJSON_AddItemToObject(data, "metrics", metrics);
	else
		cJSON_Delete(metrics);
	for (i = 0; i < 2; i++) {
		cJSON *l = cJSON_GetObjectItem(d, names[i]);
		if (cJSON_GetArraySize(l))
			cJSON_AddItemToObject(data, names[i],
				cJSON_Duplicate(l, 1));
	}
	cJSON_AddItemToObject(o, "data", data);
	if (with_inputs) {
		cJSON *in = cJSON_CreateObject();
		const cJSON *l = cJSON_GetObjectItem(run, "inputs");
		if (cJSON_GetArraySize(l))
			cJSON_AddItemToObject(in, "dataset_inputs",
				cJSON_Duplicate(l, 1));
		cJSON_AddItemToObject(o, "inputs", in);
	}
	return o;
}

static cJSON *h_run_create(struct ctx *x)
{
	static const char *const adj[] = { "illustrious", "bold", "calm",
		"gentle", "vivid", "sneaky" };
	static const char *const noun[] = { "fawn", "owl", "trout", "lynx",
		"mole", "crab" };
	const char *exp_id = arg(x, "experiment_id");
	const char *run_name = arg(x, "run_name"), *user = arg(x, "user_id");
	cJSON *exp, *run, *info, *data, *tags;
	char id[33], uri[4200], gen[64];
	long long start;

	if (!exp_id)
		exp_id = "0";
	exp = find_by(S.experiments, "experiment_id", exp_id);
	if (!exp)
		return err(x, 404, NOT_FOUND, "No Experiment with id=%s exists",
			exp_id);
	tags = copy_tags(x, "tags");
	if (!run_name || !*run_name)
		run_name = kv_get(tags, "mlflow.runName");
	if (!run_name || !*run_name) {
		unsigned r = (unsigned)rand();
		snprintf(gen, sizeof(gen), "%s-%s-%u", adj[r % 6],
			noun[(r / 6) % 6], r % 1000);
		run_name = gen;
	}
	if (!kv_get(tags, "mlflow.runName"))
		kv_set(tags, "mlflow.runName", run_name);
	if (!arg_int(x, "start_time", &start))
		start = now_ms();
	random_hex(id);
	snprintf(uri, sizeof(uri), "%s/%s/artifacts",
		jstr(exp, "artifact_location"), id);
	info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "run_uuid", id);
	cJSON_AddStringToObject(info, "experiment_id", exp_id);
	cJSON_AddStringToObject(info, "run_name", run_name);
	cJSON_AddStringToObject(info, "user_id", user ? user : "");
	cJSON_AddStringToObject(info, "status", "RUNNING");
	cJSON_AddNumberToObject(info, "start_time", (double)start);
	cJSON_AddStringToObject(info, "artifact_uri", uri);
	cJSON_AddStringToObject(info, "lifecycle_stage", "active");
	cJSON_AddStringToObject(info, "run_id", id);
	data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "tags", tags);
	cJSON_AddItemToObject(data, "params", cJSON_CreateArray());
	run = cJSON_CreateObject();
	cJSON_AddItemToObject(run, "info", info);
	cJSON_AddItemToObject(run, "data", data);
	cJSON_AddItemToArray(S.runs, run);
	cJSON_AddItemToObject(S.history, id, cJSON_CreateArray());
	return wrap("run", render_run(run, 0));
}

static cJSON *run_or_404(struct ctx *x, const char **idp)
{
	const char *id = arg(x, "run_id");
	cJSON *run;

	if (!id)
		id = arg(x, "run_uuid");
	*idp = id;
	if (!id) {
		missing(x, "run_id");
		return NULL;
	}
	run = find_run(id);
	if (!run)
		err(x, 404, NOT_FOUND, "Run with id=%s not found", id);
	return run;
}

static int valid_key(const char *k)
{
	const unsigned char *p;

	if (!k || !*k)
		return 0;
	for (p = (const unsigned char *)k; *p; p++)
		if (!isalnum(*p) && !strchr("_-. /", *p))
			return 0;
	return 1;
}

static cJSON *bad_key(struct ctx *x, const char *what, const char *k)
{
	return err(x, 400, INVALID, "Invalid %s name: '%s'. Names may only "
		"contain alphanumerics, underscores (_), dashes (-), periods "
		"(.), spaces ( ), and slashes (/).", what, k ? k : "");
}

/* a metric's number: NaN comes back as the string "NaN" */
static cJSON *metric_value(const cJSON *v)
{
	if (cJSON_IsNumber(v)) {
		if (isnan(v->valuedouble))
			return cJSON_CreateString("NaN");
		return cJSON_CreateNumber(v->valuedouble);
	}
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "NaN"))
			return cJSON_CreateString("NaN");
		if (!strcmp(v->valuestring, "Infinity"))
			return cJSON_CreateNumber(1.7976931348623157e308);
		if (!strcmp(v->valuestring, "-Infinity"))
			return cJSON_CreateNumber(-1.7976931348623157e308);
		/* MLflow 2.10.2 stores other strings as 0.0, timestamp 0 */
		return NULL;
	}
	return cJSON_CreateNumber(0);
}

static double num_of(const cJSON *v, double def)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v) && *v->valuestring)
		return strtod(v->valuestring, NULL);
	return def;
}

/* validate everything, then apply: MLflow applies a batch all or none */
static cJSON *log_batch(struct ctx *x, const char *run_id, cJSON *run,
	cJSON *params, cJSON *metrics, cJSON *tags)
{
	int np = cJSON_GetArraySize(params), nm = cJSON_GetArraySize(metrics);
	int nt = cJSON_GetArraySize(tags);
	cJSON *it, *it2, *plist, *tlist, *hist;
	const char *info_status;

	if (nm > 1000)
		return err(x, 400, INVALID, "A batch logging request can "
			"contain at most 1000 metrics. Got %d metrics. Please "
			"split up metrics across multiple requests and try "
			"again.", nm);
	if (np > 100)
		return err(x, 400, INVALID, "A batch logging request can "
			"contain at most 100 params. Got %d params. Please "
			"split up params across multiple requests and try "
			"again.", np);
	if (nt > 100)
		return err(x, 400, INVALID, "A batch logging request can "
			"contain at most 100 tags. Got %d tags. Please split "
			"up tags across multiple requests and try again.", nt);
	if (np + nm + nt > 1000)
		return err(x, 400, INVALID, "The total number of metrics, "
			"params, and tags in a batch logging request cannot "
			"exceed 1000. Got %d metrics, %d params, and %d tags. "
			"Please split up the request and try again.",
			nm, np, nt);
	info_status = jstr(cJSON_GetObjectItem(run, "info"),
		"lifecycle_stage");
	if (info_status && strcmp(info_status, "active"))
		return err(x, 400, INVALID, "The run %s must be in the "
			"'active' state. Current state is %s.", run_id,
			info_status);
	cJSON_ArrayForEach(it, params) {
		const char *k = jstr(it, "key");
		if (!valid_key(k))
			return bad_key(x, "parameter", k);
		if (!jstr(it, "value") && !cJSON_IsNumber(
		    cJSON_GetObjectItem(it, "value")))
			return missing(x, "value");
	}
	cJSON_ArrayForEach(it, params) {
		cJSON_ArrayForEach(it2, params) {
			if (it2 == it)
				break;
			if (!strcmp(jstr(it, "key"), jstr(it2, "key")))
				return err(x, 400, INVALID, "Duplicate "
					"parameter keys have been submitted: "
					"['%s']. Please ensure the request "
					"contains only one param value per "
					"param key.", jstr(it, "key"));
		}
	}
	cJSON_ArrayForEach(it, metrics) {
		const char *k = jstr(it, "key");
		if (!valid_key(k))
			return bad_key(x, "metric", k);
		if (!cJSON_GetObjectItem(it, "timestamp")) {
			char *t = mmp_json_print(metrics, 0);
			err(x, 400, INVALID, "Invalid value %s for parameter "
				"'metrics' supplied. Hint: Value was of type "
				"'list'. See the API docs for more information "
				"about request parameters.", t);
			free(t);
			return NULL;
		}
	}
	cJSON_ArrayForEach(it, tags)
		if (!valid_key(jstr(it, "key")))
			return bad_key(x, "tag", jstr(it, "key"));
	plist = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "data"),
		"params");
	cJSON_ArrayForEach(it, params) {
		const char *k = jstr(it, "key"), *old = kv_get(plist, k);
		char num[64];
		const char *v = jstr(it, "value");
		if (!v) {
			snprintf(num, sizeof(num), "%.17g",
				cJSON_GetObjectItem(it, "value")->valuedouble);
			v = num;
		}
		if (old && strcmp(old, v))
			return err(x, 400, INVALID, "Changing param values is "
				"not allowed. Params were already logged="
				"'[{'key': '%s', 'old_value': '%s', "
				"'new_value': '%s'}]' for run ID='%s'.",
				k, old, v, run_id);
	}
	/* apply */
	cJSON_ArrayForEach(it, params) {
		char num[64];
		const char *v = jstr(it, "value");
		if (!v) {
			snprintf(num, sizeof(num), "%.17g",
				cJSON_GetObjectItem(it, "value")->valuedouble);
			v = num;
		}
		kv_set(plist, jstr(it, "key"), v);
	}
	hist = cJSON_GetObjectItemCaseSensitive(S.history, run_id);
	cJSON_ArrayForEach(it, metrics) {
		cJSON *m = cJSON_CreateObject();
		cJSON *val = metric_value(cJSON_GetObjectItem(it, "value"));
		double ts = num_of(cJSON_GetObjectItem(it, "timestamp"), 0);
		cJSON_AddStringToObject(m, "key", jstr(it, "key"));
		if (!val) {
			val = cJSON_CreateNumber(0);
			ts = 0;
		}
		cJSON_AddItemToObject(m, "value", val);
		cJSON_AddNumberToObject(m, "timestamp", ts);
		cJSON_AddNumberToObject(m, "step",
			num_of(cJSON_GetObjectItem(it, "step"), 0));
		cJSON_AddItemToArray(hist, m);
	}
	tlist = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "data"), "tags");
	cJSON_ArrayForEach(it, tags) {
		const char *v = jstr(it, "value");
		kv_set(tlist, jstr(it, "key"), v ? v : "");
	}
	return cJSON_CreateObject();
}

static cJSON *h_log_batch(struct ctx *x)
{
	const char *id;
	cJSON *run = run_or_404(x, &id);

	if (!run)
		return NULL;
	return log_batch(x, id, run, arg_array(x, "params"),
		arg_array(x, "metrics"), arg_array(x, "tags"));
}

/* log-parameter, log-metric, set-tag: a batch of one */
static cJSON *single(struct ctx *x, const char *which)
{
	const char *id;
	cJSON *run = run_or_404(x, &id), *one, *list, *ret;
	const char *fields[] = { "key", "value", "timestamp", "step" };
	size_t i;

	if (!run)
		return NULL;
	if (!arg(x, "key"))
		return missing(x, "key");
	if (!cJSON_GetObjectItem(x->in, "value"))
		return missing(x, "value");
	one = cJSON_CreateObject();
	for (i = 0; i < 4; i++) {
		cJSON *v = cJSON_GetObjectItem(x->in, fields[i]);
		if (v)
			cJSON_AddItemToObject(one, fields[i],
				cJSON_Duplicate(v, 1));
	}
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, one);
	if (!strcmp(which, "param"))
		ret = log_batch(x, id, run, list, NULL, NULL);
	else if (!strcmp(which, "metric"))
		ret = log_batch(x, id, run, NULL, list, NULL);
	else
		ret = log_batch(x, id, run, NULL, NULL, list);
	cJSON_Delete(list);
	return ret;
}

static cJSON *h_log_param(struct ctx *x) { return single(x, "param"); }
static cJSON *h_log_metric(struct ctx *x) { return single(x, "metric"); }
static cJSON *h_set_tag(struct ctx *x) { return single(x, "tag"); }

/* MLflow's _check_run_is_active: changes need an active run */
static int run_is_active(struct ctx *x, const char *id, const cJSON *run)
{
	const char *st = jstr(cJSON_GetObjectItem(run, "info"),
		"lifecycle_stage");

	if (!st || !strcmp(st, "active"))
		return 1;
	err(x, 400, INVALID, "The run %s must be in the 'active' state. "
		"Current state is %s.", id, st);
	return 0;
}

/* runs/delete and runs/restore: {"run_id"} -> {} */
static cJSON *run_lifecycle(struct ctx *x, const char *stage)
{
	const char *id;
	cJSON *run = run_or_404(x, &id);

	if (!run)
		return NULL;
	set_str(cJSON_GetObjectItem(run, "info"), "lifecycle_stage", stage);
	return cJSON_CreateObject();
}

static cJSON *h_run_delete(struct ctx *x)
{
	return run_lifecycle(x, "deleted");
}

static cJSON *h_run_restore(struct ctx *x)
{
	return run_lifecycle(x, "active");
}

/* runs/delete-tag {"run_id", "key"}: a missing tag is 404, as MLflow */
static cJSON *h_run_delete_tag(struct ctx *x)
{
	const char *id, *key = arg(x, "key");
	cJSON *run = run_or_404(x, &id), *tags, *it;
	int i = 0;

	if (!run)
		return NULL;
	if (!key)
		return missing(x, "key");
	if (!run_is_active(x, id, run))
		return NULL;
	tags = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "data"), "tags");
	cJSON_ArrayForEach(it, tags) {
		const char *k = jstr(it, "key");
		if (k && !strcmp(k, key)) {
			cJSON_DeleteItemFromArray(tags, i);
			return cJSON_CreateObject();
		}
		i++;
	}
	return err(x, 404, NOT_FOUND, "No tag with name: %s in run with "
		"id %s", key, id);
}

static cJSON *h_run_update(struct ctx *x)
{
	static const char *const ok[] = { "RUNNING", "SCHEDULED", "FINISHED",
		"FAILED", "KILLED" };
	const char *id, *status = arg(x, "status"), *name = arg(x, "run_name");
	cJSON *run = run_or_404(x, &id), *info;
	long long end;
	size_t i;

	if (!run)
		return NULL;
	info = cJSON_GetObjectItem(run, "info");
	if (!run_is_active(x, id, run))
		return NULL;
	for (i = 0; status && i < 5; i++)
		if (!strcmp(status, ok[i]))
			set_str(info, "status", status);
	if (arg_int(x, "end_time", &end))
		set_num(info, "end_time", (double)end);
	if (name && *name) {
		set_str(info, "run_name", name);
		kv_set(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "data"),
			"tags"), "mlflow.runName", name);
	}
	return wrap("run_info", cJSON_Duplicate(info, 1));
}

static cJSON *h_run_get(struct ctx *x)
{
	const char *id;
	cJSON *run = run_or_404(x, &id);

	return run ? wrap("run", render_run(run, 1)) : NULL;
}

static cJSON *h_metric_history(struct ctx *x)
{
	const char *id, *key = arg(x, "metric_key");
	const char *tok = arg(x, "page_token");
	cJSON *run = run_or_404(x, &id), *out, *list, *it;
	long long max = 0, seen = 0;
	long offset = 0;

	if (!run)
		return NULL;
	if (!key)
		return missing(x, "metric_key");
	arg_int(x, "max_results", &max);
	if (max < 0)
		return err(x, 400, INVALID, "Invalid value %lld for parameter "
			"'max_results' supplied.", max);
	if (S.page_size > 0 && (!max || max > S.page_size))
		max = S.page_size;
	if (tok && *tok && (offset = unb64_offset(tok)) < 0)
		return err(x, 400, INVALID, "Invalid page token, could not "
			"base64-decode");
	out = cJSON_CreateObject();
	list = cJSON_CreateArray();
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(S.history, id)) {
		if (strcmp(jstr(it, "key"), key) || seen++ < offset)
			continue;
		if (max && cJSON_GetArraySize(list) >= max) {
			char enc[128];
			offset_token(enc, sizeof(enc), offset + max);
			cJSON_AddStringToObject(out, "next_page_token", enc);
			break;
		}
		cJSON_AddItemToArray(list, metric_json(it));
	}
	cJSON_AddItemToObject(out, "metrics", list);
	return out;
}

/* runs/search filters: clauses joined by "and" */
struct clause {
	char kind;        /* 'p'arams 'm'etrics 't'ags 'a'ttributes */
	char key[256];
	char op[3];
	char sval[1024];
	double nval;
	int is_num;
};

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int parse_clause(const char **pp, struct clause *c)
{
	const char *p = skip_ws(*pp), *dot;
	size_t n;

	memset(c, 0, sizeof(*c));
	n = strcspn(p, " \t=<>!");
	dot = memchr(p, '.', n);
	if (!dot) {
		c->kind = 'a';
		snprintf(c->key, sizeof(c->key), "%.*s", (int)n, p);
	} else {
		size_t pre = (size_t)(dot - p);
		if (!strncmp(p, "params", pre) || !strncmp(p, "param", pre))
			c->kind = 'p';
		else if (!strncmp(p, "metrics", pre) ||
			 !strncmp(p, "metric", pre))
			c->kind = 'm';
		else if (!strncmp(p, "tags", pre) || !strncmp(p, "tag", pre))
			c->kind = 't';
		else if (!strncmp(p, "attributes", pre) ||
			 !strncmp(p, "attribute", pre))
			c->kind = 'a';
		else
			return -1;
		snprintf(c->key, sizeof(c->key), "%.*s", (int)(n - pre - 1),
			dot + 1);
	}
	if (!*c->key || n >= 256)
		return -1;
	p = skip_ws(p + n);
	n = strspn(p, "=<>!");
	if (n < 1 || n > 2)
		return -1;
	memcpy(c->op, p, n);
	if (strcmp(c->op, "=") && strcmp(c->op, "!=") && strcmp(c->op, "<") &&
	    strcmp(c->op, "<=") && strcmp(c->op, ">") && strcmp(c->op, ">="))
		return -1;
	p = skip_ws(p + n);
	if (*p == '\'' || *p == '"') {
		char q = *p++;
		n = strcspn(p, q == '\'' ? "'" : "\"");
		if (p[n] != q || n >= sizeof(c->sval))
			return -1;
		memcpy(c->sval, p, n);
		p += n + 1;
		if (c->kind == 'm' || (strcmp(c->op, "=") &&
		    strcmp(c->op, "!=")))
			return -1;
	} else {
		char *end;
		c->nval = strtod(p, &end);
		if (end == p || c->kind != 'm')
			return -1;
		c->is_num = 1;
		p = end;
	}
	*pp = p;
	return 0;
}

static int cmp_num(double a, const char *op, double b)
{
	if (!strcmp(op, "="))
		return a == b;
	if (!strcmp(op, "!="))
		return a != b;
	if (!strcmp(op, "<"))
		return a < b;
	if (!strcmp(op, "<="))
		return a <= b;
	if (!strcmp(op, ">"))
		return a > b;
	return a >= b;
}

static int run_matches(const cJSON *r, const struct clause *c, size_t n)
{
	const cJSON *info = cJSON_GetObjectItem(r, "info");
	const cJSON *data = cJSON_GetObjectItem(r, "data");
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = NULL;
		if (c[i].kind == 'm') {
			cJSON *m = find_by(cJSON_GetObjectItem(data, "metrics"),
				"key", c[i].key), *val;
			if (!m)
				return 0;
			val = cJSON_GetObjectItem(m, "value");
			if (!cJSON_IsNumber(val) ||
			    !cmp_num(val->valuedouble, c[i].op, c[i].nval))
				return 0;
			continue;
		}
		if (c[i].kind == 'p')
			v = kv_get(cJSON_GetObjectItem(data, "params"),
				c[i].key);
		else if (c[i].kind == 't')
			v = kv_get(cJSON_GetObjectItem(data, "tags"), c[i].key);
		else
			v = jstr(info, c[i].key);
		if (!v)
			return 0;
		if ((!strcmp(c[i].op, "=")) != !strcmp(v, c[i].sval))
			return 0;
	}
	return 1;
}

static void b64(char *out, size_t outsz, const char *in)
{
	size_t n = strlen(in), i, o = 0;

	for (i = 0; i < n && o + 5 < outsz; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = BASE64_TABLE[(v >> 18) & 63];
		out[o++] = BASE64_TABLE[(v >> 12) & 63];
		out[o++] = i + 1 < n ? BASE64_TABLE[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? BASE64_TABLE[v & 63] : '=';
	}
	out[o] = '\0';
}

static long unb64_offset(const char *tok)
{
	char dec[256];
	size_t i, o = 0, n = strlen(tok);
	unsigned v = 0;
	int bits = 0;
	const char *p;

	for (i = 0; i < n && o + 1 < sizeof(dec); i++) {
		const char *pos = strchr(BASE64_TABLE, tok[i]);
		if (tok[i] == '=' || !pos)
			break;
		v = (v << 6) | (unsigned)(pos - BASE64_TABLE);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dec[o++] = (char)((v >> bits) & 255);
		}
	}
	dec[o] = '\0';
	p = strstr(dec, "\"offset\":");
	return p ? strtol(p + 9, NULL, 10) : -1;
}

static double run_sort_key(const cJSON *r, const char *key, int *has)
{
	const cJSON *info = cJSON_GetObjectItem(r, "info"), *v;

	*has = 1;
	if (!strncmp(key, "metrics.", 8)) {
		cJSON *m = find_by(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "data"), "metrics"), "key",
			key + 8);
		v = m ? cJSON_GetObjectItem(m, "value") : NULL;
	} else {
		if (!strncmp(key, "attributes.", 11))
			key += 11;
		v = cJSON_GetObjectItem(info, key);
	}
	if (!cJSON_IsNumber(v)) {
		*has = 0;
		return 0;
	}
	return v->valuedouble;
}

static cJSON *h_run_search(struct ctx *x)
{
	cJSON *ids = arg_array(x, "experiment_ids"), *order, *all, *it, *out;
	const char *filter = arg(x, "filter"), *view = arg(x, "run_view_type");
	const char *tok = arg(x, "page_token");
	struct clause cl[16];
	size_t ncl = 0, i, j, n;
	long long max = 1000;
	long offset = 0;
	char okey[256] = "start_time";
	int desc = 1;
	cJSON **v;

	arg_int(x, "max_results", &max);
	if (max < 1 || max > 50000)
		return err(x, 400, INVALID, "Invalid value %lld for parameter "
			"'max_results' supplied.", max);
	if (S.page_size > 0 && max > S.page_size)
		max = S.page_size;
	if (filter && *skip_ws(filter)) {
		const char *p = filter;
		for (;;) {
			const char *start = skip_ws(p);
			if (ncl == 16 || parse_clause(&p, &cl[ncl]) < 0)
				return err(x, 400, INVALID, "Invalid clause(s) "
					"in filter string: '%s'", start);
			ncl++;
			p = skip_ws(p);
			if (!*p)
				break;
			if (strncasecmp(p, "and", 3) ||
			    !isspace((unsigned char)p[3]))
				return err(x, 400, INVALID, "Invalid clause(s) "
					"in filter string: '%s'", p);
			p += 3;
		}
	}
	order = arg_array(x, "order_by");
	if (cJSON_GetArraySize(order) > 0) {
		const char *o = cJSON_GetArrayItem(order, 0)->valuestring;
		size_t k;
		if (!o)
			return err(x, 400, INVALID, "Invalid order_by clause");
		k = strcspn(o, " ");
		snprintf(okey, sizeof(okey), "%.*s", (int)k, o);
		desc = strstr(o + k, "DESC") || strstr(o + k, "desc");
	}
	if (tok && *tok && (offset = unb64_offset(tok)) < 0)
		return err(x, 400, INVALID, "Invalid page token, could not "
			"base64-decode");
	all = cJSON_CreateArray();
	cJSON_ArrayForEach(it, S.runs) {
		const cJSON *info = cJSON_GetObjectItem(it, "info");
		const char *eid = jstr(info, "experiment_id");
		const char *stage = jstr(info, "lifecycle_stage");
		cJSON *e, *rendered;
		int in = !ids;
		cJSON_ArrayForEach(e, ids) {
			char num[32];
			const char *s = e->valuestring;
			if (cJSON_IsNumber(e)) {
				snprintf(num, sizeof(num), "%d", e->valueint);
				s = num;
			}
			if (s && !strcmp(s, eid))
				in = 1;
		}
		if (!in)
			continue;
		if ((!view || !strcmp(view, "ACTIVE_ONLY")) &&
		    strcmp(stage, "active"))
			continue;
		if (view && !strcmp(view, "DELETED_ONLY") &&
		    !strcmp(stage, "active"))
			continue;
		rendered = render_run(it, 1);
		if (!run_matches(rendered, cl, ncl)) {
			cJSON_Delete(rendered);
			continue;
		}
		cJSON_AddItemToArray(all, rendered);
	}
	n = (size_t)cJSON_GetArraySize(all);
	v = xmalloc(sizeof(*v) * (n ? n : 1));
	for (i = 0; i < n; i++)
		v[i] = cJSON_GetArrayItem(all, (int)i);
	for (i = 1; i < n; i++) {   /* stable insertion sort */
		cJSON *cur = v[i];
		int hc, hp;
		double kc = run_sort_key(cur, okey, &hc);
		for (j = i; j > 0; j--) {
			double kp = run_sort_key(v[j - 1], okey, &hp);
			int before = hc && (!hp || (desc ? kc > kp : kc < kp));
			if (!before)
				break;
			v[j] = v[j - 1];
		}
		v[j] = cur;
	}
	out = cJSON_CreateObject();
	{
		cJSON *runs = cJSON_CreateArray();
		for (i = (size_t)offset; i < n && i < (size_t)offset +
		     (size_t)max; i++)
			cJSON_AddItemToArray(runs, cJSON_Duplicate(v[i], 1));
		cJSON_AddItemToObject(out, "runs", runs);
		if ((size_t)offset + (size_t)max < n) {
			char js[64], enc[128];
			snprintf(js, sizeof(js), "{\"offset\": %lld}",
				(long long)offset + max);
			b64(enc, sizeof(enc), js);
			cJSON_AddStringToObject(out, "next_page_token", enc);
		}
	}
	free(v);
	cJSON_Delete(all);
	return out;
}

static cJSON *h_log_model(struct ctx *x)
{
	const char *id, *mj = arg(x, "model_json");
	const char *need[] = { "artifact_path", "flavors", "utc_time_created",
		"run_id" };
	cJSON *run = run_or_404(x, &id), *model, *hist, *tags;
	const char *old;
	char *text;
	size_t i;

	if (!run)
		return NULL;
	if (!mj)
		return missing(x, "model_json");
	model = cJSON_Parse(mj);
	if (!cJSON_IsObject(model)) {
		cJSON_Delete(model);
		return err(x, 400, INVALID, "Malformed model info. \n = %s\n"
			"is not a valid JSON.", mj);
	}
	for (i = 0; i < 4; i++)
		if (!cJSON_GetObjectItem(model, need[i])) {
			cJSON_Delete(model);
			return err(x, 400, INVALID, "Model json is missing "
				"mandatory fields: {'%s'}", need[i]);
		}
	tags = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "data"), "tags");
	old = kv_get(tags, "mlflow.log-model.history");
	hist = old ? cJSON_Parse(old) : NULL;
	if (!cJSON_IsArray(hist)) {
		cJSON_Delete(hist);
		hist = cJSON_CreateArray();
	}
	cJSON_AddItemToArray(hist, model);
	text = mmp_json_print(hist, 0);
	kv_set(tags, "mlflow.log-model.history", text);
	free(text);
	cJSON_Delete(hist);
	return cJSON_CreateObject();
}

/*
 * runs/log-inputs: {"run_id", "datasets": [{"tags": [{"key","value"}],
 * "dataset": {"name","digest","source_type","source","schema",
 * "profile"}}]}. A dataset is one per (name, digest); logging it to the
 * same run again adds nothing. MLflow's column limits apply (a digest
 * holds 36 characters, a profile 16384).
 */
static cJSON *h_log_inputs(struct ctx *x)
{
	static const char *const need[] = { "name", "digest", "source_type",
		"source" };
	const char *id;
	cJSON *run = run_or_404(x, &id), *list, *it, *in;
	size_t i;

	if (!run)
		return NULL;
	list = arg_array(x, "datasets");
	cJSON_ArrayForEach(it, list) {
		const cJSON *d = cJSON_GetObjectItem(it, "dataset");
		if (!cJSON_IsObject(d))
			return missing(x, "dataset");
		for (i = 0; i < 4; i++)
			if (!cJSON_IsString(cJSON_GetObjectItem(d, need[i])))
				return missing(x, need[i]);
		if (strlen(jstr(d, "name")) > 500)
			return err(x, 400, INVALID, "Dataset name '%s' exceeds "
				"the maximum length of 500", jstr(d, "name"));
		if (strlen(jstr(d, "digest")) > 36)
			return err(x, 400, INVALID, "Dataset digest '%s' "
				"exceeds the maximum length of 36",
				jstr(d, "digest"));
		if (jstr(d, "profile") && strlen(jstr(d, "profile")) > 16384)
			return err(x, 400, INVALID, "Dataset profile exceeds "
				"the maximum length of 16384");
		for (i = 0; i < 2; i++) {
			const char *f = i ? "profile" : "schema";
			const cJSON *v = cJSON_GetObjectItem(d, f);
			if (v && !cJSON_IsString(v))
				return err(x, 400, INVALID, "Invalid value "
					"for parameter '%s' supplied: must be "
					"a string", f);
		}
	}
	in = cJSON_GetObjectItem(run, "inputs");
	if (!in)
		in = cJSON_AddArrayToObject(run, "inputs");
	cJSON_ArrayForEach(it, list) {
		const cJSON *d = cJSON_GetObjectItem(it, "dataset"), *o;
		int have = 0;
		cJSON_ArrayForEach(o, in) {
			const cJSON *od = cJSON_GetObjectItem(o, "dataset");
			if (!strcmp(jstr(od, "name"), jstr(d, "name")) &&
			    !strcmp(jstr(od, "digest"), jstr(d, "digest")))
				have = 1;
		}
		if (!have)
			cJSON_AddItemToArray(in, cJSON_Duplicate(it, 1));
	}
	return cJSON_CreateObject();
}

/* ---------------------------------------------------------------- */
/* artifacts, proxied: stored in memory under "<exp>/<run>/artifacts/.." */

static struct artifact *find_art(const char *path)
{
	size_t i;

	for (i = 0; i < S.nart; i++)
		if (!strcmp(S.arts[i].path, path))
			return &S.arts[i];
	return NULL;
}

static int bad_path(const char *p)
{
	const char *s = p;

	if (*p == '/')
		return 1;
	while (*s) {
		size_t n = strcspn(s, "/");
		if ((n == 2 && !strncmp(s, "..", 2)) || (n == 1 && *s == '.'))
			return 1;
		s += n;
		if (*s)
			s++;
	}
	return 0;
}

static void put_art(const char *path, const char *data, size_t len)
{
	struct artifact *a = find_art(path);

	if (!a) {
		if (S.nart == S.aart) {
			S.aart = S.aart ? 2 * S.aart : 16;
			S.arts = realloc(S.arts, S.aart * sizeof(*S.arts));
			if (!S.arts)
				abort();
		}
		a = &S.arts[S.nart++];
		a->path = xstrdup(path);
		a->data = NULL;
	}
	free(a->data);
	a->data = xmalloc(len);
	memcpy(a->data, data, len);
	a->len = len;
}

/* the files and directories right under `dir` ("" for the root);
 * `rel_base` is prefixed to each path in the answer */
static cJSON *list_dir(const char *dir, const char *rel_base)
{
	cJSON *files = cJSON_CreateArray(), *it;
	size_t dl = strlen(dir), i;

	for (i = 0; i < S.nart; i++) {
		const char *p = S.arts[i].path, *rest, *slash;
		char name[4096];
		int is_dir, seen = 0;

		if (dl) {
			if (strncmp(p, dir, dl) || p[dl] != '/')
				continue;
			rest = p + dl + 1;
		} else {
			rest = p;
		}
		slash = strchr(rest, '/');
		is_dir = slash != NULL;
		snprintf(name, sizeof(name), "%s%.*s", rel_base,
			(int)(slash ? (size_t)(slash - rest) : strlen(rest)),
			rest);
		cJSON_ArrayForEach(it, files)
			if (!strcmp(jstr(it, "path"), name))
				seen = 1;
		if (seen)
			continue;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "path", name);
		cJSON_AddBoolToObject(it, "is_dir", is_dir);
		if (!is_dir)
			cJSON_AddNumberToObject(it, "file_size",
				(double)S.arts[i].len);
		cJSON_AddItemToArray(files, it);
	}
	return files;
}

static enum MHD_Result send_artifact(struct MHD_Connection *c,
	const struct artifact *a)
{
	const char *base = strrchr(a->path, '/');
	char disp[1024];

	size_t len = a->len;

	snprintf(disp, sizeof(disp), "attachment; filename=%s",
		base ? base + 1 : a->path);
	len -= (size_t)S.short_downloads < len ? (size_t)S.short_downloads :
		len;
	return send_raw(c, 200, "application/octet-stream", a->data, len,
		"Content-Disposition", disp);
}

/* the storage prefix of a run: its artifact_uri without the scheme */
static const char *run_root(const cJSON *run)
{
	const char *uri = jstr(cJSON_GetObjectItem(run, "info"),
		"artifact_uri");

	if (!strncmp(uri, "mlflow-artifacts:/", 18))
		return uri + 18;
	return NULL;
}

static enum MHD_Result serve_proxied(struct ctx *x, const char *rest)
{
	cJSON *out;

	if (S.mode == M_ARTIFACTS_LOCAL)
		return send_text(x->conn, 503, "text/html; charset=utf-8",
			"Endpoint: /api/2.0/mlflow-artifacts/artifacts "
			"disabled due to the mlflow server running with "
			"`--no-serve-artifacts`. To enable artifacts server "
			"functionality, run `mlflow server` with "
			"`--serve-artifacts`");
	if (!*rest) {   /* listing */
		const char *p = MHD_lookup_connection_value(x->conn,
			MHD_GET_ARGUMENT_KIND, "path");
		if (strcmp(x->method, "GET"))
			return send_html_405(x->conn);
		if (p && bad_path(p)) {
			err(x, 400, INVALID, "Invalid path");
			return send_json(x->conn, x->status, x->out);
		}
		out = wrap("files", list_dir(p ? p : "", ""));
		x->out = out;
		x->status = 200;
		return send_json(x->conn, 200, out);
	}
	rest++;
	if (bad_path(rest)) {
		err(x, 400, INVALID, "Invalid path");
		return send_json(x->conn, x->status, x->out);
	}
	if (!strcmp(x->method, "PUT")) {
		put_art(rest, x->req->body ? x->req->body : "", x->req->len);
		x->out = cJSON_CreateObject();
		return send_json(x->conn, 200, x->out);
	}
	if (!strcmp(x->method, "GET")) {
		const struct artifact *a = find_art(rest);
		if (!a) {
			err(x, 500, "INTERNAL_ERROR", "The following failures "
				"occurred while downloading one or more "
				"artifacts from ./mlartifacts:\n##### File %s "
				"#####\n[Errno 2] No such file or directory: "
				"'./mlartifacts/%s'", rest, rest);
			return send_json(x->conn, x->status, x->out);
		}
		return send_artifact(x->conn, a);
	}
	return send_html_405(x->conn);
}

static cJSON *h_artifacts_list(struct ctx *x)
{
	const char *id, *path = arg(x, "path"), *root;
	cJSON *run = run_or_404(x, &id), *o;
	char dir[4096], base[4096];

	if (!run)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "root_uri", jstr(cJSON_GetObjectItem(run,
		"info"), "artifact_uri"));
	root = run_root(run);
	if (path && bad_path(path)) {
		cJSON_Delete(o);
		return err(x, 400, INVALID, "Invalid path");
	}
	if (root) {
		cJSON *files;
		snprintf(dir, sizeof(dir), "%s%s%s", root,
			path && *path ? "/" : "", path ? path : "");
		snprintf(base, sizeof(base), "%s%s", path ? path : "",
			path && *path ? "/" : "");
		files = list_dir(dir, base);
		if (cJSON_GetArraySize(files))
			cJSON_AddItemToObject(o, "files", files);
		else
			cJSON_Delete(files);
	}
	return o;
}

static enum MHD_Result serve_get_artifact(struct ctx *x)
{
	const char *id = MHD_lookup_connection_value(x->conn,
		MHD_GET_ARGUMENT_KIND, "run_id");
	const char *path = MHD_lookup_connection_value(x->conn,
		MHD_GET_ARGUMENT_KIND, "path");
	cJSON *run = find_run(id);
	const struct artifact *a = NULL;
	char full[4096];

	if (run && path && run_root(run) && !bad_path(path)) {
		snprintf(full, sizeof(full), "%s/%s", run_root(run), path);
		a = find_art(full);
	}
	if (!a)
		return send_text(x->conn, 500, "text/html; charset=utf-8",
			"<!doctype html>\n<html lang=en>\n<title>500 Internal "
			"Server Error</title>\n<h1>Internal Server Error</h1>\n"
			"<p>The server encountered an internal error and was "
			"unable to complete your request. Either the server is "
			"overloaded or there is an error in the "
			"application.</p>\n");
	return send_artifact(x->conn, a);
}

/* ---------------------------------------------------------------- */
/* model registry */

static const char *const stages[] = { "None", "Staging", "Production",
	"Archived" };

static cJSON *find_model(const char *name)
{
	cJSON *it;

	if (!name)
		return NULL;
	cJSON_ArrayForEach(it, S.models)
		if (!strcmp(jstr(cJSON_GetObjectItem(it, "rm"), "name"), name))
			return it;
	return NULL;
}

static cJSON *model_or_404(struct ctx *x, const char **namep)
{
	const char *name = arg(x, "name");
	cJSON *m;

	*namep = name;
	if (!name || !*name) {
		missing(x, "name");
		return NULL;
	}
	m = find_model(name);
	if (!m)
		err(x, 404, NOT_FOUND, "Registered Model with name=%s not "
			"found",
			name);
	return m;
}

static cJSON *version_or_404(struct ctx *x, cJSON **modelp)
{
	const char *name, *ver;
	cJSON *m = model_or_404(x, &name), *v;

	*modelp = m;
	if (!m)
		return NULL;
	ver = arg(x, "version");
	if (!ver)
		return missing(x, "version");
	v = find_by(cJSON_GetObjectItem(m, "versions"), "version", ver);
	if (!v)
		err(x, 404, NOT_FOUND, "Model Version (name=%s, version=%s) "
			"not found", name, ver);
	return v;
}

static void touch(cJSON *model, cJSON *version)
{
	double t = (double)now_ms();

	set_num(cJSON_GetObjectItem(model, "rm"), "last_updated_timestamp", t);
	if (version)
		set_num(version, "last_updated_timestamp", t);
}

static cJSON *render_version(const cJSON *model, const cJSON *v,
	int with_aliases)
{
	cJSON *o = cJSON_Duplicate(v, 1), *al = cJSON_CreateArray(), *it;
	const char *ver = jstr(v, "version");

	if (!cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")))
		cJSON_DeleteItemFromObject(o, "tags");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(model, "aliases"))
		if (!strcmp(jstr(it, "version"), ver))
			cJSON_AddItemToArray(al,
				cJSON_CreateString(jstr(it, "alias")));
	if (with_aliases && cJSON_GetArraySize(al))
		cJSON_AddItemToObject(o, "aliases", al);
	else
		cJSON_Delete(al);
	return o;
}

/* the latest version in each stage, in version order */
static cJSON *latest_versions(const cJSON *model, const cJSON *want)
{
	cJSON *out = cJSON_CreateArray(), *it, *best[4] = { 0 };
	size_t s;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(model, "versions")) {
		const char *st = jstr(it, "current_stage");
		for (s = 0; s < 4; s++)
			if (!strcmp(st, stages[s]))
				best[s] = it;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(model, "versions")) {
		for (s = 0; s < 4; s++) {
			cJSON *w;
			int wanted = !want || !cJSON_GetArraySize(want);
			if (best[s] != it)
				continue;
			cJSON_ArrayForEach(w, want)
				if (cJSON_IsString(w) &&
				    !strcasecmp(w->valuestring, stages[s]))
					wanted = 1;
			if (wanted)
				cJSON_AddItemToArray(out,
					render_version(model, it, 0));
		}
	}
	return out;
}

static cJSON *render_model(const cJSON *m)
{
	cJSON *o = cJSON_Duplicate(cJSON_GetObjectItem(m, "rm"), 1);
	cJSON *lv = latest_versions(m, NULL);

	if (cJSON_GetArraySize(lv))
		cJSON_AddItemToObject(o, "latest_versions", lv);
	else
		cJSON_Delete(lv);
	if (!cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")))
		cJSON_DeleteItemFromObject(o, "tags");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(m, "aliases")))
		cJSON_AddItemToObject(o, "aliases", cJSON_Duplicate(
			cJSON_GetObjectItem(m, "aliases"), 1));
	return o;
}

static cJSON *h_rm_create(struct ctx *x)
{
	const char *name = arg(x, "name"), *desc = arg(x, "description");
	cJSON *m, *rm, *o;
	double t = (double)now_ms();

	if (!name || !*name)
		return missing(x, "name");
	if (find_model(name))
		return err(x, 400, "RESOURCE_ALREADY_EXISTS",
			"Registered Model (name=%s) already exists. Error: "
			"(sqlite3.IntegrityError) UNIQUE constraint failed: "
			"registered_models.name", name);
	rm = cJSON_CreateObject();
	cJSON_AddStringToObject(rm, "name", name);
	cJSON_AddNumberToObject(rm, "creation_timestamp", t);
	cJSON_AddNumberToObject(rm, "last_updated_timestamp", t);
	if (desc)
		cJSON_AddStringToObject(rm, "description", desc);
	cJSON_AddItemToObject(rm, "tags", copy_tags(x, "tags"));
	m = cJSON_CreateObject();
	cJSON_AddItemToObject(m, "rm", rm);
	cJSON_AddItemToObject(m, "versions", cJSON_CreateArray());
	cJSON_AddItemToObject(m, "aliases", cJSON_CreateArray());
	cJSON_AddItemToArray(S.models, m);
	o = cJSON_Duplicate(rm, 1);
	if (!cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")))
		cJSON_DeleteItemFromObject(o, "tags");
	return wrap("registered_model", o);
}

static cJSON *h_rm_get(struct ctx *x)
{
	const char *name;
	cJSON *m = model_or_404(x, &name);

	return m ? wrap("registered_model", render_model(m)) : NULL;
}

static cJSON *h_rm_search(struct ctx *x)
{
	const char *filter = arg(x, "filter");
	char pat[1024] = "";
	int like = 0;
	long long max = 100;
	cJSON *out = cJSON_CreateArray(), *it;

	arg_int(x, "max_results", &max);
	if (filter && *skip_ws(filter)) {
		const char *p = skip_ws(filter);
		if (!strncasecmp(p, "name", 4) &&
		    (p = skip_ws(p + 4)) && !strncasecmp(p, "like", 4)) {
			char q;
			size_t n;
			p = skip_ws(p + 4);
			q = *p++;
			n = strcspn(p, "'\"");
			if ((q != '\'' && q != '"') || p[n] != q ||
			    n >= sizeof(pat)) {
				cJSON_Delete(out);
				return err(x, 400, INVALID, "Invalid filter "
					"'%s'", filter);
			}
			memcpy(pat, p, n);
			pat[n] = '\0';
			like = 1;
		} else if (parse_name_filter(filter, "name", pat,
			   sizeof(pat)) < 0) {
			cJSON_Delete(out);
			return err(x, 400, INVALID, "Invalid filter '%s'",
				filter);
		}
	}
	cJSON_ArrayForEach(it, S.models) {
		const char *name = jstr(cJSON_GetObjectItem(it, "rm"), "name");
		if (*pat) {
			if (like) {
				size_t n = strcspn(pat, "%");
				if (strncmp(name, pat, n) ||
				    (!pat[n] && name[n]))
					continue;
			} else if (strcmp(name, pat)) {
				continue;
			}
		}
		if (cJSON_GetArraySize(out) >= max)
			break;
		cJSON_AddItemToArray(out, render_model(it));
	}
	return wrap("registered_models", out);
}

static cJSON *h_rm_set_tag(struct ctx *x)
{
	const char *name, *key = arg(x, "key"), *value = arg(x, "value");
	cJSON *m = model_or_404(x, &name);

	if (!m)
		return NULL;
	if (!key)
		return missing(x, "key");
	if (!valid_key(key))
		return bad_key(x, "tag", key);
	kv_set(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "rm"), "tags"),
		key, value ? value : "");
	touch(m, NULL);
	return cJSON_CreateObject();
}

/* registered-models/delete-tag (DELETE, JSON body): silent when absent */
static cJSON *h_rm_delete_tag(struct ctx *x)
{
	const char *name, *key = arg(x, "key");
	cJSON *m = model_or_404(x, &name), *tags, *it;
	int i = 0;

	if (!m)
		return NULL;
	if (!key)
		return missing(x, "key");
	tags = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "rm"), "tags");
	cJSON_ArrayForEach(it, tags) {
		const char *k = jstr(it, "key");
		if (k && !strcmp(k, key)) {
			cJSON_DeleteItemFromArray(tags, i);
			break;
		}
		i++;
	}
	touch(m, NULL);
	return cJSON_CreateObject();
}

/* registered-models/update (PATCH) {"name", "description"} */
static cJSON *h_rm_update(struct ctx *x)
{
	const char *name, *desc = arg(x, "description");
	cJSON *m = model_or_404(x, &name);

	if (!m)
		return NULL;
	if (desc)
		set_str(cJSON_GetObjectItem(m, "rm"), "description", desc);
	touch(m, NULL);
	return wrap("registered_model", render_model(m));
}

static cJSON *h_rm_latest(struct ctx *x)
{
	const char *name;
	cJSON *m = model_or_404(x, &name), *want = arg_array(x, "stages");
	cJSON *tmp = NULL, *out;

	if (!m)
		return NULL;
	if (!x->in) {
		const char *s = MHD_lookup_connection_value(x->conn,
			MHD_GET_ARGUMENT_KIND, "stages");
		if (s) {
			tmp = cJSON_CreateArray();
			cJSON_AddItemToArray(tmp, cJSON_CreateString(s));
			want = tmp;
		}
	}
	out = wrap("model_versions", latest_versions(m, want));
	cJSON_Delete(tmp);
	return out;
}

static int alias_reserved(struct ctx *x, const char *alias)
{
	const char *p;

	if (!strcasecmp(alias, "latest")) {
		err(x, 400, INVALID, "'latest' alias name (case insensitive) "
			"is reserved.");
		return 1;
	}
	if ((alias[0] == 'v' || alias[0] == 'V') && alias[1]) {
		for (p = alias + 1; isdigit((unsigned char)*p); p++)
			;
		if (!*p) {
			err(x, 400, INVALID, "Version alias name '%s' is "
				"reserved.", alias);
			return 1;
		}
	}
	return 0;
}

static cJSON *h_alias(struct ctx *x)
{
	const char *name, *alias = arg(x, "alias"), *ver;
	cJSON *m = model_or_404(x, &name), *aliases, *it, *v;
	int i = 0;

	if (!m)
		return NULL;
	if (!alias || !*alias)
		return missing(x, "alias");
	aliases = cJSON_GetObjectItem(m, "aliases");
	if (!strcmp(x->method, "GET")) {
		cJSON_ArrayForEach(it, aliases)
			if (!strcmp(jstr(it, "alias"), alias))
				break;
		if (!it)
			return err(x, 404, NOT_FOUND, "Registered model alias "
				"%s not found.", alias);
		v = find_by(cJSON_GetObjectItem(m, "versions"), "version",
			jstr(it, "version"));
		return wrap("model_version", render_version(m, v, 1));
	}
	cJSON_ArrayForEach(it, aliases) {
		if (!strcmp(jstr(it, "alias"), alias))
			break;
		i++;
	}
	if (!strcmp(x->method, "DELETE")) {
		if (it)
			cJSON_DeleteItemFromArray(aliases, i);
		touch(m, NULL);
		return cJSON_CreateObject();
	}
	if (alias_reserved(x, alias))
		return NULL;
	ver = arg(x, "version");
	if (!ver)
		return missing(x, "version");
	if (!find_by(cJSON_GetObjectItem(m, "versions"), "version", ver))
		return err(x, 404, NOT_FOUND, "Model Version (name=%s, "
			"version=%s) not found", name, ver);
	if (it) {
		set_str(it, "version", ver);
	} else {
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "alias", alias);
		cJSON_AddStringToObject(it, "version", ver);
		cJSON_AddItemToArray(aliases, it);
	}
	touch(m, NULL);
	return cJSON_CreateObject();
}

static cJSON *h_mv_create(struct ctx *x)
{
	const char *name, *source = arg(x, "source");
	const char *run_id = arg(x, "run_id"), *desc = arg(x, "description");
	cJSON *m = model_or_404(x, &name), *versions, *v;
	double t = (double)now_ms();
	char num[32];

	if (!m)
		return NULL;
	if (!source || !*source)
		return missing(x, "source");
	if (source[0] == '/' || !strncmp(source, "file:", 5) ||
	    source[0] == '.') {
		cJSON *run = find_run(run_id);
		const char *uri = run ? jstr(cJSON_GetObjectItem(run, "info"),
			"artifact_uri") : NULL;
		if (!uri || strncmp(source, uri, strlen(uri)))
			return err(x, 400, INVALID, "Invalid model version "
				"source: '%s'. To use a local path as a model "
				"version source, the run_id request parameter "
				"has to be specified and the local path has to "
				"be contained within the artifact directory of "
				"the run specified by the run_id.", source);
	}
	versions = cJSON_GetObjectItem(m, "versions");
	snprintf(num, sizeof(num), "%d", cJSON_GetArraySize(versions) + 1);
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "name", name);
	cJSON_AddStringToObject(v, "version", num);
	cJSON_AddNumberToObject(v, "creation_timestamp", t);
	cJSON_AddNumberToObject(v, "last_updated_timestamp", t);
	cJSON_AddStringToObject(v, "current_stage", "None");
	if (desc)
		cJSON_AddStringToObject(v, "description", desc);
	cJSON_AddStringToObject(v, "source", source);
	if (run_id)
		cJSON_AddStringToObject(v, "run_id", run_id);
	cJSON_AddStringToObject(v, "status", "READY");
	cJSON_AddItemToObject(v, "tags", copy_tags(x, "tags"));
	cJSON_AddStringToObject(v, "run_link", "");
	cJSON_AddItemToArray(versions, v);
	touch(m, NULL);
	return wrap("model_version", render_version(m, v, 1));
}

static cJSON *h_mv_get(struct ctx *x)
{
	cJSON *m, *v = version_or_404(x, &m);

	return v ? wrap("model_version", render_version(m, v, 1)) : NULL;
}

static cJSON *h_mv_transition(struct ctx *x)
{
	const char *stage = arg(x, "stage");
	cJSON *m, *v = version_or_404(x, &m), *it;
	size_t s;

	if (!v)
		return NULL;
	if (!stage)
		return missing(x, "stage");
	for (s = 0; s < 4; s++)
		if (!strcasecmp(stage, stages[s]))
			break;
	if (s == 4)
		return err(x, 400, INVALID, "Invalid Model Version stage: %s. "
			"Value must be one of None, Staging, Production, "
			"Archived.", stage);
	if (arg_bool(x, "archive_existing_versions") && (s == 1 || s == 2)) {
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "versions"))
			if (it != v && !strcmp(jstr(it, "current_stage"),
			    stages[s])) {
				set_str(it, "current_stage", "Archived");
				touch(m, it);
			}
	}
	set_str(v, "current_stage", stages[s]);
	touch(m, v);
	return wrap("model_version", render_version(m, v, 1));
}

static cJSON *h_mv_update(struct ctx *x)
{
	const char *desc = arg(x, "description");
	cJSON *m, *v = version_or_404(x, &m);

	if (!v)
		return NULL;
	if (desc)
		set_str(v, "description", desc);
	touch(m, v);
	return wrap("model_version", render_version(m, v, 1));
}

static cJSON *h_mv_set_tag(struct ctx *x)
{
	const char *key = arg(x, "key"), *value = arg(x, "value");
	cJSON *m, *v = version_or_404(x, &m);

	if (!v)
		return NULL;
	if (!key)
		return missing(x, "key");
	if (!valid_key(key))
		return bad_key(x, "tag", key);
	kv_set(cJSON_GetObjectItem(v, "tags"), key, value ? value : "");
	touch(m, v);
	return cJSON_CreateObject();
}

/* model-versions/delete-tag (DELETE, JSON body) */
static cJSON *h_mv_delete_tag(struct ctx *x)
{
	const char *key = arg(x, "key");
	cJSON *m, *v = version_or_404(x, &m), *tags, *it;
	int i = 0;

	if (!v)
		return NULL;
	if (!key)
		return missing(x, "key");
	tags = cJSON_GetObjectItem(v, "tags");
	cJSON_ArrayForEach(it, tags) {
		const char *k = jstr(it, "key");
		if (k && !strcmp(k, key)) {
			cJSON_DeleteItemFromArray(tags, i);
			break;
		}
		i++;
	}
	touch(m, v);
	return cJSON_CreateObject();
}

static cJSON *h_mv_search(struct ctx *x)
{
	const char *filter = arg(x, "filter");
	char val[1024] = "";
	const char *field = NULL;
	cJSON *out = cJSON_CreateArray(), *m, *v;

	if (filter && *skip_ws(filter)) {
		if (!parse_name_filter(filter, "name", val, sizeof(val)))
			field = "name";
		else if (!parse_name_filter(filter, "run_id", val,
			 sizeof(val)))
			field = "run_id";
		else {
			cJSON_Delete(out);
			return err(x, 400, INVALID, "Invalid filter '%s'",
				filter);
		}
	}
	cJSON_ArrayForEach(m, S.models)
		cJSON_ArrayForEach(v, cJSON_GetObjectItem(m, "versions")) {
			const char *f = field ? jstr(v, field) : NULL;
			if (field && (!f || strcmp(f, val)))
				continue;
			cJSON_AddItemToArray(out, render_version(m, v, 1));
		}
	return wrap("model_versions", out);
}

static cJSON *h_mv_download_uri(struct ctx *x)
{
	cJSON *m, *v = version_or_404(x, &m), *o;

	if (!v)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "artifact_uri", jstr(v, "source"));
	return o;
}

/* ---------------------------------------------------------------- */
/* routing */

struct route {
	const char *method;
	const char *name;   /* after /api/2.0/mlflow/ */
	cJSON *(*fn)(struct ctx *x);
};

static const struct route routes[] = {
	{ "GET", "experiments/get-by-name", h_exp_get_by_name },
	{ "GET", "experiments/get", h_exp_get },
	{ "POST", "experiments/create", h_exp_create },
	{ "POST", "experiments/update", h_exp_update },
	{ "POST", "experiments/delete", h_exp_delete },
	{ "POST", "experiments/restore", h_exp_restore },
	{ "POST", "experiments/search", h_exp_search },
	{ "GET", "experiments/search", h_exp_search },
	{ "POST", "runs/create", h_run_create },
	{ "POST", "runs/log-batch", h_log_batch },
	{ "POST", "runs/log-parameter", h_log_param },
	{ "POST", "runs/log-metric", h_log_metric },
	{ "POST", "runs/set-tag", h_set_tag },
	{ "POST", "runs/update", h_run_update },
	{ "POST", "runs/delete", h_run_delete },
	{ "POST", "runs/restore", h_run_restore },
	{ "POST", "runs/delete-tag", h_run_delete_tag },
	{ "GET", "runs/get", h_run_get },
	{ "POST", "runs/search", h_run_search },
	{ "POST", "runs/log-model", h_log_model },
	{ "POST", "runs/log-inputs", h_log_inputs },
	{ "GET", "metrics/get-history", h_metric_history },
	{ "GET", "artifacts/list", h_artifacts_list },
	{ "POST", "registered-models/create", h_rm_create },
	{ "GET", "registered-models/get", h_rm_get },
	{ "GET", "registered-models/search", h_rm_search },
	{ "POST", "registered-models/set-tag", h_rm_set_tag },
	{ "DELETE", "registered-models/delete-tag", h_rm_delete_tag },
	{ "PATCH", "registered-models/update", h_rm_update },
	{ "POST", "registered-models/get-latest-versions", h_rm_latest },
	{ "GET", "registered-models/get-latest-versions", h_rm_latest },
	{ "POST", "registered-models/alias", h_alias },
	{ "GET", "registered-models/alias", h_alias },
	{ "DELETE", "registered-models/alias", h_alias },
	{ "POST", "model-versions/create", h_mv_create },
	{ "GET", "model-versions/get", h_mv_get },
	{ "POST", "model-versions/transition-stage", h_mv_transition },
	{ "PATCH", "model-versions/update", h_mv_update },
	{ "POST", "model-versions/set-tag", h_mv_set_tag },
	{ "DELETE", "model-versions/delete-tag", h_mv_delete_tag },
	{ "GET", "model-versions/search", h_mv_search },
	{ "GET", "model-versions/get-download-uri", h_mv_download_uri },
};

/* everything the server holds, for the tests */
static enum MHD_Result serve_state(struct ctx *x)
{
	cJSON *o = cJSON_CreateObject(), *runs, *arts, *it;
	size_t i;

	cJSON_AddItemToObject(o, "experiments",
		cJSON_Duplicate(S.experiments, 1));
	runs = cJSON_AddArrayToObject(o, "runs");
	cJSON_ArrayForEach(it, S.runs) {
		cJSON *r = cJSON_Duplicate(it, 1);
		const char *id = jstr(cJSON_GetObjectItem(it, "info"),
			"run_id");
		cJSON_AddItemToObject(r, "history", cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(S.history, id), 1));
		cJSON_AddItemToArray(runs, r);
	}
	cJSON_AddItemToObject(o, "models", cJSON_Duplicate(S.models, 1));
	arts = cJSON_AddArrayToObject(o, "artifacts");
	for (i = 0; i < S.nart; i++) {
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "path", S.arts[i].path);
		cJSON_AddNumberToObject(it, "size", (double)S.arts[i].len);
		cJSON_AddItemToArray(arts, it);
	}
	x->out = o;
	return send_json(x->conn, 200, o);
}

/* POST /__fake/fail: set, replace or clear a refusal of a route */
static enum MHD_Result serve_fail(struct ctx *x)
{
	cJSON *in = cJSON_ParseWithLength(x->req->body ? x->req->body : "",
		x->req->len);
	const char *route = jstr(in, "route"), *run = jstr(in, "run_id");
	const cJSON *st = cJSON_GetObjectItem(in, "status");
	const cJSON *times = cJSON_GetObjectItem(in, "times");
	struct fail_rule *f = NULL;
	size_t i;

	if (!route || !*route || strlen(route) >= sizeof(f->route) ||
	    (run && strlen(run) >= sizeof(f->run_id)) ||
	    !cJSON_IsNumber(times) || (times->valueint &&
	    (!cJSON_IsNumber(st) || st->valueint < 400 ||
	    st->valueint > 599))) {
		cJSON_Delete(in);
		return send_text(x->conn, 400, "text/plain", "bad rule");
	}
	for (i = 0; i < S.nfails; i++)
		if (!strcmp(S.fails[i].route, route) &&
		    !strcmp(S.fails[i].run_id, run ? run : ""))
			f = &S.fails[i];
	if (!f && S.nfails < sizeof(S.fails) / sizeof(S.fails[0]))
		f = &S.fails[S.nfails++];
	if (!f) {
		cJSON_Delete(in);
		return send_text(x->conn, 400, "text/plain", "too many rules");
	}
	snprintf(f->route, sizeof(f->route), "%s", route);
	snprintf(f->run_id, sizeof(f->run_id), "%s", run ? run : "");
	f->status = times->valueint ? st->valueint : 0;
	f->times = times->valueint;
	cJSON_Delete(in);
	x->out = cJSON_CreateObject();
	return send_json(x->conn, 200, x->out);
}

/* a refusal set with /__fake/fail for this request, or NULL */
static struct fail_rule *fail_rule_of(struct ctx *x, const char *name)
{
	const char *run;
	size_t i;

	for (i = 0; i < S.nfails; i++) {
		struct fail_rule *f = &S.fails[i];
		if (!f->times || strcmp(f->route, name))
			continue;
		run = arg(x, "run_id");
		if (f->run_id[0] && (!run || strcmp(run, f->run_id)))
			continue;
		if (f->times > 0)
			f->times--;
		return f;
	}
	return NULL;
}

/* `mlflow gc`: deleted runs, their history and artifacts gone for good */
static enum MHD_Result serve_gc(struct ctx *x)
{
	cJSON *o = cJSON_CreateObject();
	int i, removed = 0;

	for (i = cJSON_GetArraySize(S.runs) - 1; i >= 0; i--) {
		cJSON *info = cJSON_GetObjectItem(cJSON_GetArrayItem(S.runs, i),
			"info");
		const char *id = jstr(info, "run_id");
		size_t j, k;

		if (strcmp(jstr(info, "lifecycle_stage"), "deleted"))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(S.history, id);
		for (j = k = 0; j < S.nart; j++) {
			if (strstr(S.arts[j].path, id)) {
				free(S.arts[j].path);
				free(S.arts[j].data);
				continue;
			}
			S.arts[k++] = S.arts[j];
		}
		S.nart = k;
		cJSON_DeleteItemFromArray(S.runs, i);
		removed++;
	}
	cJSON_AddNumberToObject(o, "removed", removed);
	x->out = o;
	return send_json(x->conn, 200, o);
}

static void log_request(struct ctx *x, const char *method, const char *url)
{
	const char *auth = MHD_lookup_connection_value(x->conn,
		MHD_HEADER_KIND, "Authorization");
	cJSON *in;

	fprintf(S.log, "%s %s", method, url);
	if (auth)
		fprintf(S.log, " auth=%s", auth);
	if (strstr(url, "/runs/log-batch") && x->req->body) {
		in = cJSON_ParseWithLength(x->req->body, x->req->len);
		fprintf(S.log, " params=%d metrics=%d tags=%d",
			cJSON_GetArraySize(cJSON_GetObjectItem(in, "params")),
			cJSON_GetArraySize(cJSON_GetObjectItem(in, "metrics")),
			cJSON_GetArraySize(cJSON_GetObjectItem(in, "tags")));
		cJSON_Delete(in);
	}
	fputc('\n', S.log);
	fflush(S.log);
}

static void sleep_ms(long ms)
{
	struct timespec t = { 0, 20 * 1000 * 1000 };

	for (; ms > 0 && !stop; ms -= 20)
		nanosleep(&t, NULL);
}

static enum MHD_Result serve_api(struct ctx *x, const char *name)
{
	const struct route *r = NULL;
	int name_seen = 0;
	size_t i;
	const char *ct;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].name, name))
			continue;
		name_seen = 1;
		if (!strcmp(routes[i].method, x->method))
			r = &routes[i];
	}
	if (!r)
		return name_seen ? send_html_405(x->conn) :
			send_html_404(x->conn);
	if (S.mode == M_PERMISSION) {
		err(x, 403, "PERMISSION_DENIED", "Permission denied");
		return send_json(x->conn, x->status, x->out);
	}
	if (S.mode == M_DENIED)
		return send_text(x->conn, 403, "text/plain; charset=utf-8",
			"Permission denied");
	if (S.stall_route[0] && !strcmp(S.stall_route, name) &&
	    ++S.stall_seen == S.stall_n)
		x->stall = 1;
	if (strcmp(x->method, "GET")) {
		ct = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND,
			"Content-Type");
		if (!ct || strncasecmp(ct, "application/json", 16)) {
			err(x, 400, INVALID, "Bad Request. Content-Type must "
				"be one of ['application/json'].");
			return send_json(x->conn, x->status, x->out);
		}
		x->in = cJSON_ParseWithLength(x->req->body ? x->req->body : "",
			x->req->len);
		if (!cJSON_IsObject(x->in)) {
			cJSON_Delete(x->in);
			x->in = cJSON_CreateObject();
		}
	}
	x->status = 200;
	x->out = NULL;
	{
		const struct fail_rule *f = fail_rule_of(x, name);
		cJSON *res;

		if (f && f->status == 403)
			return send_text(x->conn, 403,
				"text/plain; charset=utf-8",
				"Permission denied");
		if (f && f->status == 500)
			return send_text(x->conn, 500,
				"text/html; charset=utf-8", "<!doctype html>\n"
				"<html lang=en>\n<title>500 Internal Server "
				"Error</title>\n<h1>Internal Server Error</h1>"
				"\n<p>The server encountered an internal error "
				"and was unable to complete your request. "
				"Either the server is overloaded or there is an "
				"error in the application.</p>\n");
		if (f) {
			err(x, (unsigned int)f->status, INVALID, "injected "
				"failure");
			return send_json(x->conn, x->status, x->out);
		}
		res = r->fn(x);
		if (res) {
			cJSON_Delete(x->out);
			x->out = res;
			x->status = 200;
		}
	}
	if (!x->out) {
		err(x, 500, "INTERNAL_ERROR", "no answer");
	}
	return send_json(x->conn, x->status, x->out);
}

static int host_allowed(struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		"Host");
	const char *p;
	size_t hl;

	if (!host || !S.allowed_hosts)
		return 0;
	hl = strlen(host);
	for (p = S.allowed_hosts; *p;) {
		size_t n = strcspn(p, ",");
		if (n && ((n == hl && !strncmp(p, host, n)) ||
		    (hl > n && !strncmp(p, host, n) && host[n] == ':')))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static int auth_ok(struct MHD_Connection *c)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	int ok = user && pass && S.user && S.password &&
		!strcmp(user, S.user) && !strcmp(pass, S.password);

	MHD_free(user);
	MHD_free(pass);
	return ok;
}

static enum MHD_Result dispatch(struct ctx *x, const char *url)
{
	const char *path = url;
	size_t pl;

	if (S.mode == M_AIRPLAY || S.mode == M_FORBIDDEN)
		return send_raw(x->conn, 403, NULL, "", 0, NULL, NULL);
	if (S.mode == M_PREFIX) {
		pl = strlen(S.prefix);
		if (strncmp(path, S.prefix, pl) ||
		    (path[pl] && path[pl] != '/'))
			return send_html_404(x->conn);
		path += pl;
		if (!*path)
			path = "/";
	}
	if (S.mode == M_HOSTCHECK && strcmp(path, "/health") &&
	    strcmp(path, "/version") && !host_allowed(x->conn))
		return send_text(x->conn, 403, "text/plain",
			"Invalid Host header - possible DNS rebinding attack "
			"detected");
	if (S.mode == M_BASICAUTH && strncmp(path, "/health", 7) &&
	    strncmp(path, "/static", 7) && !auth_ok(x->conn))
		return send_raw(x->conn, 401, "text/html; charset=utf-8",
			"You are not authenticated. Please see https://"
			"www.mlflow.org/docs/latest/auth/index.html#"
			"authenticating-to-mlflow on how to authenticate.",
			strlen("You are not authenticated. Please see https://"
			"www.mlflow.org/docs/latest/auth/index.html#"
			"authenticating-to-mlflow on how to authenticate."),
			"WWW-Authenticate", "Basic realm=\"mlflow\"");
	if (!strcmp(path, "/__fake/state"))
		return serve_state(x);
	if (!strcmp(path, "/__fake/gc"))
		return serve_gc(x);
	if (!strcmp(path, "/__fake/fail"))
		return strcmp(x->method, "POST") ? send_html_405(x->conn) :
			serve_fail(x);
	if (S.fail_first > 0 && strncmp(path, "/health", 7) &&
	    strcmp(path, "/version")) {
		S.fail_first--;
		if (S.fail_status == 429 || S.fail_status >= 500)
			return send_text(x->conn, (unsigned int)S.fail_status,
				"text/html; charset=utf-8", "<!doctype html>\n"
				"<html lang=en>\n<title>Unavailable</title>\n"
				"<h1>Try again later</h1>\n");
		err(x, (unsigned int)S.fail_status, INVALID, "injected "
			"failure");
		return send_json(x->conn, x->status, x->out);
	}
	if (!strcmp(path, "/health"))
		return strcmp(x->method, "GET") ? send_html_405(x->conn) :
			send_text(x->conn, 200, "text/html; charset=utf-8",
				"OK");
	if (!strcmp(path, "/version"))
		return strcmp(x->method, "GET") ? send_html_405(x->conn) :
			send_text(x->conn, 200, "text/html; charset=utf-8",
				S.version);
	if (!strcmp(path, "/get-artifact"))
		return strcmp(x->method, "GET") ? send_html_405(x->conn) :
			serve_get_artifact(x);
	if (!strncmp(path, "/ajax-api/2.0/", 14))
		path += 9;      /* "/ajax-api/2.0/x" -> "/api/2.0/x" */
	if (!strncmp(path, "/api/2.0/mlflow-artifacts/artifacts", 35) &&
	    (path[35] == '\0' || path[35] == '/'))
		return serve_proxied(x, path + 35);
	if (!strncmp(path, "/api/2.0/mlflow/", 16))
		return serve_api(x, path + 16);
	return send_html_404(x->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload, size_t *upload_size, void **con_cls)
{
	struct req *rq = *con_cls;
	struct ctx x;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > MAX_BODY) {
			rq->too_big = 1;
		} else {
			if (rq->len + *upload_size + 1 > rq->alloc) {
				rq->alloc = 2 * (rq->len + *upload_size) + 1;
				rq->body = realloc(rq->body, rq->alloc);
				if (!rq->body)
					abort();
			}
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (S.delay_ms)
		sleep_ms(S.delay_ms);
	pthread_mutex_lock(&lock);
	memset(&x, 0, sizeof(x));
	x.conn = c;
	x.method = method;
	x.req = rq;
	if (S.log)
		log_request(&x, method, url);
	if (rq->too_big) {
		pthread_mutex_unlock(&lock);
		return send_text(c, 413, "text/html; charset=utf-8",
			"<!doctype html>\n<html lang=en>\n<title>413 Request "
			"Entity Too Large</title>\n<h1>Request Entity Too "
			"Large</h1>\n");
	}
	ret = dispatch(&x, url);
	cJSON_Delete(x.in);
	cJSON_Delete(x.out);
	pthread_mutex_unlock(&lock);
	if (x.stall)
		sleep_ms(60 * 1000);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

/* ---------------------------------------------------------------- */

static void usage(void)
{
	fputs("usage: fake-tracking [--port <n>] [--mode <mode>] "
		"[--max-seconds <n>]\n"
		"       [--user <u> --password <p>] [--prefix <path>]\n"
		"       [--artifact-location <path>] [--allowed-hosts "
		"<h,...>]\n       [--experiment <name>] [--server-version <v>] "
		"[--log <file>]\n"
		"       [--delay-ms <n>] [--fail-first <n> [--fail-status "
		"<code>]]\n       [--stall-after <route>:<n>] "
		"[--short-downloads <n>]\n       [--page-size <n>]\n"
		"modes: healthy airplay hostcheck basicauth permission prefix "
		"artifacts-local oldversion denied forbidden\n", stderr);
	exit(129);
}

static long num_arg(const char *opt, const char *v, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || !*v || n < 0 || n > max) {
		fprintf(stderr, "fake-tracking: bad value '%s' for %s\n", v,
			opt);
		exit(129);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	socklen_t salen = sizeof(sa);
	long port = 0, max_seconds = 60;
	const char *log_path = NULL, *experiment = NULL;
	const char *version = NULL;
	struct sigaction act;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	double deadline;
	size_t i;
	int a;

	S.prefix = "/mlflow";
	S.artloc = "/mlflow/artifacts";
	S.fail_status = 503;
	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			usage();
		if (!v)
			usage();
		a++;
		if (!strcmp(o, "--port"))
			port = num_arg(o, v, 65535);
		else if (!strcmp(o, "--max-seconds"))
			max_seconds = num_arg(o, v, 86400);
		else if (!strcmp(o, "--mode")) {
			for (i = 0; i < NMODES; i++)
				if (!strcmp(v, mode_names[i]))
					break;
			if (i == NMODES) {
				fprintf(stderr, "fake-tracking: unknown mode "
					"'%s'\n", v);
				usage();
			}
			S.mode = (enum mode)i;
		} else if (!strcmp(o, "--user"))
			S.user = v;
		else if (!strcmp(o, "--password"))
			S.password = v;
		else if (!strcmp(o, "--prefix"))
			S.prefix = v;
		else if (!strcmp(o, "--artifact-location"))
			S.artloc = v;
		else if (!strcmp(o, "--allowed-hosts"))
			S.allowed_hosts = v;
		else if (!strcmp(o, "--experiment"))
			experiment = v;
		else if (!strcmp(o, "--server-version"))
			version = v;
		else if (!strcmp(o, "--log"))
			log_path = v;
		else if (!strcmp(o, "--delay-ms"))
			S.delay_ms = num_arg(o, v, 60000);
		else if (!strcmp(o, "--fail-first"))
			S.fail_first = num_arg(o, v, 1000000);
		else if (!strcmp(o, "--fail-status"))
			S.fail_status = num_arg(o, v, 599);
		else if (!strcmp(o, "--page-size"))
			S.page_size = num_arg(o, v, 1000000);
		else if (!strcmp(o, "--short-downloads"))
			S.short_downloads = num_arg(o, v, 1000000);
		else if (!strcmp(o, "--stall-after")) {
			const char *colon = strrchr(v, ':');
			if (!colon || colon == v || (size_t)(colon - v) >=
			    sizeof(S.stall_route))
				usage();
			snprintf(S.stall_route, sizeof(S.stall_route), "%.*s",
				(int)(colon - v), v);
			if (!strncmp(S.stall_route, "/api/2.0/mlflow/", 16))
				memmove(S.stall_route, S.stall_route + 16,
					strlen(S.stall_route + 16) + 1);
			S.stall_n = num_arg(o, colon + 1, 1000000);
		}
		else
			usage();
	}
	if (S.mode == M_PREFIX && (S.prefix[0] != '/' || !S.prefix[1])) {
		fprintf(stderr, "fake-tracking: --prefix must look like "
			"/name\n");
		return 129;
	}
	S.version = version ? version : S.mode == M_OLDVERSION ? "2.3.0" :
		S.mode == M_HOSTCHECK ? "3.1.0" : "2.10.2";
	if (log_path && !(S.log = fopen(log_path, "a"))) {
		fprintf(stderr, "fake-tracking: cannot open '%s': %s\n",
			log_path, strerror(errno));
		return 1;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	S.experiments = cJSON_CreateArray();
	S.runs = cJSON_CreateArray();
	S.history = cJSON_CreateObject();
	S.models = cJSON_CreateArray();
	new_experiment("Default", NULL, NULL);
	if (experiment)
		new_experiment(experiment, NULL, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL,
		NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fake-tracking: cannot listen on "
			"127.0.0.1:%ld\n", port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&sa,
	    &salen) < 0) {
		fprintf(stderr, "fake-tracking: cannot read the port\n");
		MHD_stop_daemon(d);
		return 1;
	}
	printf("port=%u\n", ntohs(sa.sin_port));
	fflush(stdout);

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	deadline = (double)time(NULL) + (double)max_seconds;
	while (!stop && (double)time(NULL) < deadline)
		nanosleep(&tick, NULL);

	MHD_stop_daemon(d);
	cJSON_Delete(S.experiments);
	cJSON_Delete(S.runs);
	cJSON_Delete(S.history);
	cJSON_Delete(S.models);
	for (i = 0; i < S.nart; i++) {
		free(S.arts[i].path);
		free(S.arts[i].data);
	}
	free(S.arts);
	if (S.log)
		fclose(S.log);
	return 0;
}
