/* SPDX-License-Identifier: MIT */
/* serve.h: the HTTP prediction server behind `mmp serve-api` */
#ifndef INCLUDE_mmp_serve_h__
#define INCLUDE_mmp_serve_h__

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "buf.h"
#include "store.h"

MMP_BEGIN_DECL

#ifndef INCLUDE_mmp_model_h__
/* the same handle as in model.h, which this header does not need */
typedef struct mmp_model mmp_model;
#endif

/**
 * A running prediction server: a libmicrohttpd epoll thread pool bound
 * to one address, answering /health, /ping, /version, /predict,
 * /invocations (MLflow's scoring protocol), /openapi.json, /docs and
 * /metrics. It answers 503 until a model is set.
 */
typedef struct mmp_server mmp_server;

/**
 * Receives one line (no newline) for the access log or a server
 * diagnostic. Called from the worker threads, possibly at the same
 * time; the line is valid only during the call.
 */
typedef void (*mmp_serve_log_cb)(const char *line, void *payload);

/** How to run the server. */
typedef struct {
	unsigned int version;
	const char *host;         /**< address to bind; NULL: "127.0.0.1" */
	int port;                 /**< 0: any free port (see mmp_server_port) */
	int threads;              /**< worker threads; 0: one per core */
	size_t max_body;          /**< request body limit; 0: 8 MiB */
	/** a file holding the bearer token every route but /health and
	 * /ping requires; NULL: no authentication */
	const char *token_file;
	unsigned int timeout;     /**< idle connection seconds; 0: 30 */
	unsigned int max_connections; /**< 0: 1024 */
	mmp_serve_log_cb log;     /**< NULL: no access log */
	void *payload;            /**< passed to `log` */
	/** seconds for a whole request (head and body) to arrive, counted
	 * from the connection opening or the previous answer on it; a
	 * connection past it is closed. 0: 30; at most 86400 */
	unsigned int request_timeout;
	/** connections open at once from one client address (more are
	 * closed as they come); 0: 64 */
	unsigned int max_per_client;
} mmp_serve_options;

#define MMP_SERVE_OPTIONS_VERSION 1
#define MMP_SERVE_OPTIONS_INIT { MMP_SERVE_OPTIONS_VERSION, NULL, 8000, 0, \
	0, NULL, 0, 0, NULL, NULL, 0, 0 }

/** Fill `o` with the defaults of `version`. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_serve_options_init(mmp_serve_options *o,
	unsigned int version);

/** What /health, /version, /metrics and /predict say about the model. */
typedef struct {
	unsigned int version;
	const char *name;          /**< e.g. "churn" or the directory name */
	const char *model_version; /**< registry version; NULL: none */
	const char *run_id;        /**< NULL: the model's mmp_run_id */
} mmp_serve_model_info;

#define MMP_SERVE_MODEL_INFO_VERSION 1
#define MMP_SERVE_MODEL_INFO_INIT { MMP_SERVE_MODEL_INFO_VERSION, NULL, \
	NULL, NULL }

/**
 * Bind the address and start serving into `*out` (stop and free with
 * mmp_server_free()). Until mmp_server_set_model() is called, /health
 * and the prediction routes answer 503. The token file is read once.
 *
 * Returns 0; MMP_EEXISTS when the port is in use (the message names
 * the port, the address and, when /proc shows it, the process holding
 * it); MMP_EINVALID for a bad host, port, option or an empty or
 * unreadable token file (named); MMP_ERROR when the socket or the
 * server cannot be set up.
 */
MMP_EXTERN(int) mmp_server_start(mmp_server **out,
	const mmp_serve_options *o);

/**
 * Serve `m` from now on. The model is borrowed and must outlive the
 * server; it is shared read-only by the workers, so call
 * mmp_model_set_nthread(m, 1) first. It needs a schema. `info` (may be
 * NULL) is copied. Returns 0, MMP_EINVALID (no schema, or a model is
 * already set).
 */
MMP_EXTERN(int) mmp_server_set_model(mmp_server *s, const mmp_model *m,
	const mmp_serve_model_info *info);

/**
 * Load the model directory `dir` (as mmp_model_load_dir()), prepare it
 * for shared prediction (one XGBoost thread per request) and serve it;
 * the server owns the model from then on. `info` as for
 * mmp_server_set_model(). Returns 0, MMP_ENOTFOUND (no such directory
 * or model file, named), MMP_EINVALID (a corrupt model or schema, a
 * model without a schema, or a model already set), MMP_ERROR.
 */
MMP_EXTERN(int) mmp_server_load_model(mmp_server *s, const char *dir,
	const mmp_serve_model_info *info);

/**
 * Append what predicts for the served model to `out`, as
 * mmp_model_predictor_describe() says it ("mmp forest, 100 trees").
 * Returns 0, or MMP_ENOTFOUND when no model is served yet.
 */
MMP_EXTERN(int) mmp_server_describe_predictor(mmp_buf *out,
	const mmp_server *s);

/** Live drift monitoring of the served model. */
typedef struct {
	unsigned int version;
	/** the store's database file (mmp_store_path()) the windows and
	 * logged predictions go to; required. The server opens its own
	 * handle, used by its monitoring thread only. */
	const char *store_path;
	/** the reference profile, profile.json of the model directory;
	 * required */
	const char *profile_path;
	unsigned int window;          /**< seconds per window; 0: 3600 */
	unsigned int flush_interval;  /**< seconds between saves of the
	                                   open window; 0: 60 */
	/** the entity column (of the model's schema) whose value logs each
	 * prediction by id; NULL: predictions are not logged */
	const char *id_field;
	size_t log_queue;             /**< predictions waiting to be
	                                   written, at most; 0: 16384 */
	/** the name windows are stored under; NULL: the model's name */
	const char *model;
	int64_t model_version;        /**< registry version; 0: none */
	/** NULL: the store's defaults (MMP_MONITOR_RETENTION_INIT) */
	const mmp_monitor_retention *retention;
} mmp_serve_monitor_options;

#define MMP_SERVE_MONITOR_OPTIONS_VERSION 1
#define MMP_SERVE_MONITOR_OPTIONS_INIT { \
	MMP_SERVE_MONITOR_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, 0, NULL, \
	0, NULL }

/**
 * Profile every row the server predicts from now on, against the
 * reference profile: each worker thread counts into a live profile of
 * its own (fixed memory, the reference's bins), and a background thread
 * saves the open window to the store every `flush_interval` seconds and
 * when it closes, and writes the logged predictions (a bounded queue:
 * what does not fit is dropped and counted). /metrics shows the drift
 * of the current window per feature and per prediction output.
 * mmp_server_free() saves what is left (after the workers stopped).
 * Call after the model is set. Returns 0; MMP_ENOTFOUND when the
 * profile file does not exist; MMP_EINVALID for a profile that does
 * not fit the model, an id field that is not an entity column, or
 * monitoring already on; store errors as mmp_store_open().
 */
MMP_EXTERN(int) mmp_server_monitor(mmp_server *s,
	const mmp_serve_monitor_options *o);

/**
 * Serve `m` in place of the model served now, without dropping a
 * request: a request that started on the old model is answered by it,
 * and the old model is freed (with the model the server owned) once the
 * last such request is answered; this call waits for that. The server
 * owns `m` from then on: call mmp_model_set_nthread(m, 1) first; `info`
 * (may be NULL) is copied. When `monitor` is given, the new model's
 * drift is monitored with those options, as mmp_server_monitor() does;
 * when that fails the log says why and the model is served unmonitored.
 * The old model's monitor saves its last rows as it is freed.
 * Call from one thread at a time. Returns 0, or MMP_EINVALID (no model
 * served yet, or `m` has no schema; `m` is then not taken).
 */
MMP_EXTERN(int) mmp_server_swap_model(mmp_server *s, mmp_model *m,
	const mmp_serve_model_info *info,
	const mmp_serve_monitor_options *monitor);

/** The port the server listens on (useful after port 0). */
MMP_EXTERN(int) mmp_server_port(const mmp_server *s);

/**
 * Stop accepting connections (the listening socket is closed);
 * requests already received are still answered, with
 * "Connection: close". Returns 0 or MMP_ERROR.
 */
MMP_EXTERN(int) mmp_server_quiesce(mmp_server *s);

/** The number of requests received and not yet answered. */
MMP_EXTERN(unsigned int) mmp_server_inflight(const mmp_server *s);

/** Stop the workers, close every connection and free; accepts NULL. */
MMP_EXTERN(void) mmp_server_free(mmp_server *s);

/**
 * How a server run from the command line stops: SIGINT or SIGTERM,
 * waited for in one thread (mmp serve-api and mmp ui share it).
 */
typedef struct mmp_serve_stop mmp_serve_stop;

/**
 * Block SIGINT and SIGTERM in the calling thread, so that the threads it
 * starts after (a server's workers) inherit the mask and only
 * mmp_serve_stop_wait() sees them, and ignore SIGPIPE (a client gone is
 * a failed write). Call it before starting the server; free with
 * mmp_serve_stop_free(). Returns 0 or MMP_ERROR.
 */
MMP_EXTERN(int) mmp_serve_stop_new(mmp_serve_stop **out);

/** Wait up to `ms` ms (-1: until one comes) for SIGINT or SIGTERM;
 * returns the signal, or 0 when none came in time. */
MMP_EXTERN(int) mmp_serve_stop_wait(mmp_serve_stop *s, long ms);

MMP_EXTERN(void) mmp_serve_stop_free(mmp_serve_stop *s);

/** How mmp_serve_drain() ended. */
typedef enum {
	MMP_SERVE_DRAIN_IDLE,         /**< no request in flight */
	MMP_SERVE_DRAIN_TIMEOUT,      /**< requests still in flight */
	MMP_SERVE_DRAIN_INTERRUPTED   /**< a second signal came */
} mmp_serve_drain_end;

typedef struct {
	mmp_serve_drain_end how;
	unsigned int inflight;        /**< requests in flight at the end */
} mmp_serve_drain_result;

/**
 * Drain a server after its stop signal: `quiesce(server)` (it stops
 * accepting connections), then wait until no request has been in flight
 * for 100 ms (a keep-alive client may still send one on an open
 * connection), for at most `max_seconds`, or until another SIGINT or
 * SIGTERM comes. `out` says which, and what was still in flight.
 * Returns 0, or MMP_ERROR when `quiesce` failed (its error).
 */
MMP_EXTERN(int) mmp_serve_drain(mmp_serve_drain_result *out,
	mmp_serve_stop *s, unsigned int max_seconds,
	int (*quiesce)(void *server), unsigned int (*inflight)(void *server),
	void *server);

/**
 * Append the URL a server listening on `host` (NULL or "": 127.0.0.1)
 * and `port` is reached at: "http://127.0.0.1:8000", "http://[::1]:8000".
 */
MMP_EXTERN(void) mmp_serve_url(mmp_buf *out, const char *host, int port);

/**
 * A request as a handler of mmp_server_start_handler() sees it; valid
 * only during the handler call.
 */
typedef struct mmp_serve_request mmp_serve_request;

/** The request method ("GET", "HEAD", ...). */
MMP_EXTERN(const char *) mmp_serve_request_method(const mmp_serve_request *r);

/** The path, percent-decoded, without the query string. */
MMP_EXTERN(const char *) mmp_serve_request_path(const mmp_serve_request *r);

/** A request header by name (any case), or NULL. */
MMP_EXTERN(const char *) mmp_serve_request_header(const mmp_serve_request *r,
	const char *name);

/**
 * The first value of query argument `key` (decoded), or NULL; an
 * argument given without "=" reads as "".
 */
MMP_EXTERN(const char *) mmp_serve_request_query(const mmp_serve_request *r,
	const char *key);

/**
 * Every value of query argument `key` in order ("?run=a&run=b"): up to
 * `max` borrowed pointers in `out`. Returns how many there are in all
 * (which may be more than `max`).
 */
MMP_EXTERN(size_t) mmp_serve_request_query_all(const mmp_serve_request *r,
	const char *key, const char **out, size_t max);

/** A cookie's value by name, or NULL. */
MMP_EXTERN(const char *) mmp_serve_request_cookie(const mmp_serve_request *r,
	const char *name);

/** What a handler answers. The server frees what it holds. */
typedef struct {
	int status;                /**< 200 unless set */
	const char *content_type;  /**< a static string; NULL: text/plain */
	mmp_buf body;              /**< the body, unless `fd` is set */
	int fd;                    /**< >= 0: send this open file instead of
	                                `body` and close it */
	uint64_t fd_size;          /**< the bytes of `fd` to send */
	mmp_buf headers;           /**< more headers: name NUL value NUL... */
} mmp_serve_reply;

/** Add a header ("Name", "value") to `resp`. */
MMP_EXTERN(void) mmp_serve_reply_header(mmp_serve_reply *resp,
	const char *name, const char *value);

/**
 * Answers one request; called from the worker threads, possibly at the
 * same time.
 */
typedef void (*mmp_serve_handler)(const mmp_serve_request *req,
	mmp_serve_reply *resp, void *payload);

/**
 * As mmp_server_start(), but every request (whatever its method and
 * path) goes to `handler` instead of the prediction routes. The
 * options' `token_file` is not used (the handler decides); the request
 * body is still bounded by `max_body` and the access log is the same.
 */
MMP_EXTERN(int) mmp_server_start_handler(mmp_server **out,
	const mmp_serve_options *o, mmp_serve_handler handler, void *payload);

/**
 * Find the process listening on TCP `port` (any local address) through
 * /proc/net/tcp, /proc/net/tcp6 and /proc/<pid>/fd. On success `*pid`
 * is set and the command name is appended to `comm`. Returns 0, or
 * MMP_ENOTFOUND when no listener is visible (another user's process,
 * or no /proc).
 */
MMP_EXTERN(int) mmp_serve_port_holder(int *pid, mmp_buf *comm, int port);

MMP_END_DECL

#endif
