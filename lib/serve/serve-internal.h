/* SPDX-License-Identifier: MIT */
/* serve-internal.h: shared internals of lib/serve (libmicrohttpd, cJSON) */
#ifndef LIB_serve_serve_internal_h__
#define LIB_serve_serve_internal_h__

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "mmp/model.h"
#include "mmp/monitor.h"
#include "mmp/serve.h"
#include "util/util.h"

/* the routes, for dispatch and the metrics labels */
enum serve_route {
	ROUTE_HEALTH,
	ROUTE_PING,
	ROUTE_VERSION,
	ROUTE_PREDICT,
	ROUTE_INVOCATIONS,
	ROUTE_OPENAPI,
	ROUTE_DOCS,
	ROUTE_METRICS,
	ROUTE_OTHER,
	ROUTE__COUNT
};

#define PYCOL_PREDICTION (-1L)

/* the statuses the server answers, for the metrics labels */
#define SERVE_NSTATUS 14
#define SERVE_NBUCKETS 14

struct serve_metrics {
	_Atomic uint64_t requests[ROUTE__COUNT][SERVE_NSTATUS];
	_Atomic uint64_t buckets[ROUTE__COUNT][SERVE_NBUCKETS];
	_Atomic uint64_t latency_us[ROUTE__COUNT];
	_Atomic uint64_t rows;            /* rows predicted */
	_Atomic uint64_t rows_rejected;   /* rows in 4xx prediction requests */
	_Atomic uint64_t timeouts;        /* connections past their deadline */
};

/* what the request decoder finds for one name */
enum field_kind { FIELD_FEATURE = 1, FIELD_ENTITY, FIELD_TARGET };

struct field_slot {
	const char *name;        /* borrowed from the schema; NULL: empty */
	enum field_kind kind;
	size_t index;            /* feature or entity index */
};

/* a category value and its code, sorted by value for bsearch */
struct cat_code {
	const char *value;
	float code;
};

/* the model as served: immutable once published */
struct serve_model {
	const mmp_model *model;
	const mmp_model_schema *schema;
	mmp_task task;
	size_t nfeatures;
	size_t noutputs;
	size_t nlabels;          /* class labels (2 for binary) */
	char **labels_json;      /* JSON string literals of the labels */
	/*
	 * /invocations for a directory mmp wrote answers what its loader
	 * (mmp_pyfunc.py) returns: a record per row of these columns, in
	 * this order, as Python's json writes them. `src` is
	 * PYCOL_PREDICTION or a class index; `key` holds the key literal
	 * and ": ". npycols 0: the xgboost flavor's bare numbers.
	 */
	struct pycol { char *key; long src; } *pycols;
	size_t npycols;
	char **labels_py;        /* the labels as Python's json writes them */
	struct field_slot *slots;
	size_t nslots;           /* a power of two */
	struct cat_code **cats;  /* per feature; NULL for numeric */
	const char **names;      /* every input name, for "did you mean" */
	size_t nnames;
	char *name, *version, *run_id;
	char *version_json;      /* "model_version":"..." */
	char *openapi;
	size_t openapi_len;
	/* requests using this model now (mmp_serve__model_acquire()) */
	atomic_uint refs;
	mmp_model *owned;        /* freed with it; NULL: borrowed */
	/* its drift monitor (mmp_server_monitor); NULL: none */
	struct serve_live *_Atomic live;
};

struct mmp_server {
	struct MHD_Daemon *daemon;
	struct http_guard *guard;
	int listen_fd;
	int port;
	char *host;
	size_t max_body;
	char *token;
	size_t token_len;
	mmp_serve_log_cb log;
	void *payload;
	pid_t pid;
	double started;          /* mmp_time_mono() */
	/* the model served; read through mmp_serve__model_acquire(), which
	 * holds `swap_lock` only to count the request in */
	struct serve_model *model;
	pthread_mutex_t swap_lock;
	atomic_int quiescing;
	atomic_uint inflight;
	struct serve_metrics metrics;
	unsigned int nthreads;
	mmp_serve_handler handler; /* NULL: the prediction routes */
	void *handler_payload;
};

/* what a request handler sees (request.c) */
struct mmp_serve_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
};

/* one decoded request, independent of the HTTP library */
struct serve_request {
	const char *method;
	const char *path;
	const char *content_type;   /* NULL: none */
	const char *authorization;  /* NULL: none */
	const char *body;
	size_t len;
};

struct serve_response {
	int status;
	const char *content_type;
	mmp_buf body;
	const char *allow;          /* 405: the Allow header */
	int auth_challenge;         /* 401: WWW-Authenticate: Bearer */
	size_t rows;                /* rows predicted */
};

#define SERVE_RESPONSE_INIT { 200, "application/json", MMP_BUF_INIT, \
	NULL, 0, 0 }

/* routes.c: answer one request (any thread) */
enum serve_route mmp_serve__route(const char *path);
void mmp_serve__handle(mmp_server *s, const struct serve_request *req,
	enum serve_route route, struct serve_response *resp);
/* {"error": {"code": N, "message": "..."}} into resp */
void mmp_serve__error(struct serve_response *resp, int status,
	const char *fmt, ...) MMP_FORMAT_PRINTF(3, 4);

/* model.c: build and free the served model */
int mmp_serve__model_new(struct serve_model **out, const mmp_model *m,
	const mmp_serve_model_info *info);
void mmp_serve__model_free(struct serve_model *sm);
const struct field_slot *mmp_serve__lookup(const struct serve_model *sm,
	const char *name);
/* the model served now, counted as in use until released; NULL when
 * none is set yet */
struct serve_model *mmp_serve__model_acquire(mmp_server *s);
void mmp_serve__model_release(struct serve_model *sm);

/* decode.c: request bodies into a float matrix */
#define SERVE_UNSEEN_MAX 8
/* an unknown category of a refused request, for the live profiles */
struct serve_unseen {
	size_t feature;
	size_t count;
	char value[MMP_PROFILE_UNSEEN_LEN + 1];
};
struct serve_problems {
	mmp_buf json;            /* comma-separated {"row":..} objects */
	mmp_buf text;            /* "; "-separated, for MLflow messages */
	size_t count;
	/* how many of them are unknown categories (their cells hold
	 * MMP_PROFILE_UNSEEN_CODE), and the first distinct values */
	size_t unseen;
	struct serve_unseen unseen_values[SERVE_UNSEEN_MAX];
	size_t nunseen_values;
};
#define SERVE_PROBLEMS_MAX 100
#define SERVE_PROBLEMS_INIT { MMP_BUF_INIT, MMP_BUF_INIT, 0 }

struct serve_rows {
	float *x;                /* nrows * nfeatures */
	size_t nrows, alloc;
	const cJSON **entities;  /* nrows * nentities, borrowed; may be NULL */
	size_t ent_alloc;
	struct serve_problems problems;
};
#define SERVE_ROWS_INIT { NULL, 0, 0, NULL, 0, SERVE_PROBLEMS_INIT }

void mmp_serve__rows_release(struct serve_rows *r);
/* add one problem; `row` < 0 means the request as a whole */
void mmp_serve__problem(struct serve_problems *p, long row,
	const char *field, const char *fmt, ...) MMP_FORMAT_PRINTF(4, 5);
/* decode one JSON value of feature `f` into *out (problems recorded) */
void mmp_serve__decode_json(const struct serve_model *sm, size_t f,
	const cJSON *v, long row, float *out, struct serve_problems *p);
/* decode one text cell (CSV) of feature `f` into *out */
void mmp_serve__decode_text(const struct serve_model *sm, size_t f,
	const char *text, long row, float *out, struct serve_problems *p);
/* the code of category `value` of feature `f` into *out: 1, or 0 when
 * the model has not seen it */
int mmp_serve__category(const struct serve_model *sm, size_t f,
	const char *value, float *out);
/* /predict records: strict (missing, unknown, target fields rejected) */
void mmp_serve__decode_records(const struct serve_model *sm,
	const cJSON *records, struct serve_rows *rows);
/* a float the shortest way that reads back as the same float */
/* a JSON string literal */

/* mlflow.c: POST /invocations */
void mmp_serve__invocations(mmp_server *s, const struct serve_model *sm,
	const struct serve_request *req, struct serve_response *resp);

/* metrics.c */
void mmp_serve__metrics_record(struct serve_metrics *m,
	enum serve_route route, int status, double seconds);
void mmp_serve__metrics_render(mmp_server *s, const struct serve_model *sm,
	mmp_buf *out);
const char *mmp_serve__route_name(enum serve_route route);
/* make a log line safe for a terminal, in place: control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 become '?' */
void mmp_serve__log_scrub(char *line);

/*
 * live.c: live profiles and the prediction log (mmp_server_monitor).
 * A serve_live belongs to the serve_model it was made for (its features,
 * outputs, entity columns, version and reference profile) and reads it
 * on every request: a server that swaps its model must swap its
 * serve_live with it, and free the old one (which saves its last
 * window) only once no request can still be using either.
 */
struct serve_live;
int mmp_serve__live_new(struct serve_live **out, mmp_server *srv,
	const struct serve_model *sm, const mmp_serve_monitor_options *o,
	size_t nthreads);
/* count `nrows` predicted rows (x, their outputs y, the entity values
 * when decoded); any worker thread */
void mmp_serve__live_add(struct serve_live *l, const float *x,
	size_t nrows, const float *y, const cJSON *const *ents);
/* count the rows of a request refused only for unknown categories
 * (rows->problems.unseen == count): their features, no prediction */
void mmp_serve__live_refused(struct serve_live *l,
	const struct serve_rows *rows);
/* the monitoring gauges; `l` may be NULL (monitoring off) */
void mmp_serve__live_metrics(struct serve_live *l, mmp_buf *out);
/* save what is left and stop; accepts NULL */
void mmp_serve__live_free(struct serve_live *l);
/* a Prometheus label value, escaped */
void mmp_serve__label_value(mmp_buf *out, const char *s);

/* openapi.c */
char *mmp_serve__openapi(const struct serve_model *sm, size_t *len);
extern const char mmp_serve__docs_html[];

/* text.c: client text (a field name, a value, a path) echoed in an
 * answer. Append at most `max` bytes of `s` (0: all), cut on a character
 * boundary, every byte that is not well-formed UTF-8 as U+FFFD; returns 1
 * when it was cut. put_text appends that as a JSON string literal (control
 * characters escaped). */
int mmp_serve__utf8(mmp_buf *out, const char *s, size_t max);
int mmp_serve__put_text(mmp_buf *out, const char *s, size_t max);
/* `s` as a JSON string literal the way Python's json.dumps writes it
 * (ensure_ascii: every character outside printable ASCII as \uXXXX,
 * lowercase, with surrogate pairs; a byte that is not UTF-8 as \ufffd) */
void mmp_serve__put_py_json(mmp_buf *out, const char *s);

/* port.c */
int mmp_serve__port_holder(int *pid, mmp_buf *comm, int port);

/* mhd-load.c: open libmicrohttpd (once), and its version as "0.9.75";
 * 0, or -1 with the error set when it cannot be loaded */
int mmp_serve__mhd_load(void);
int mmp_serve__mhd_version(char *out, size_t outlen);

#endif
