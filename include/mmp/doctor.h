/* SPDX-License-Identifier: MIT */
/* doctor.h: environment checks that explain what is wrong and how to fix it */
#ifndef INCLUDE_mmp_doctor_h__
#define INCLUDE_mmp_doctor_h__

#include "common.h"
#include "types.h"
#include "config.h"

MMP_BEGIN_DECL

/**
 * @file mmp/doctor.h
 *
 * Each check inspects one part of the environment (the toolchain, the
 * store, the configuration, ports, bind addresses, the tracking server,
 * the artifact store, a running serve-api) and gives one result: a
 * status, a one-line summary, detail lines and, unless the status is ok,
 * the concrete fix. Checks never print and never change anything but a
 * temporary file they remove again. Network probes use loopback or the
 * configured hosts only, each bounded by a timeout.
 */

/** How a check came out; ordered from good to bad. */
typedef enum {
	MMP_DOCTOR_OK = 0,
	MMP_DOCTOR_WARN = 1,
	MMP_DOCTOR_FAIL = 2
} mmp_doctor_status;

/** One check's result; owned by the report it belongs to. */
typedef struct {
	const char *name;     /**< the check: "ports", "tracking", ... */
	int status;           /**< mmp_doctor_status */
	char *summary;        /**< one line: what was found */
	char **details;       /**< more lines, in order */
	size_t details_nr;
	char *fix;            /**< the fix (may hold '\n'); NULL when ok */
} mmp_doctor_result;

/** What to check. NULL options mean the defaults (everything unset). */
typedef struct {
	unsigned int version;
	/** extra ports to check (--port), in order */
	const int *ports;
	size_t ports_nr;
	/** ports checked by default (doctor.ports); NULL: 5000 and 8000 */
	const int *default_ports;
	size_t default_ports_nr;
	/** serve.port, or 0 */
	int serve_port;
	/** the tracking server URI, or NULL when none is configured */
	const char *tracking_uri;
	/** where tracking_uri came from ("--tracking-uri", ...), or NULL */
	const char *tracking_uri_origin;
	/** experiment.name for the API probe; NULL: "Default" */
	const char *experiment_name;
	/** a running serve-api to probe (--serve-url), or NULL */
	const char *serve_url;
	/** the store to inspect: --store or NULL to locate it */
	const char *store_path;
	/** the loaded configuration, or NULL to load it here */
	const mmp_config *config;
	/** how to load the configuration (config check); NULL: defaults */
	const mmp_config_options *config_options;
	/** the project directory holding configs/ and recipes/; NULL: "." */
	const char *project_dir;
	/** per network probe, in ms; 0: 3000 */
	long timeout_ms;
} mmp_doctor_options;

#define MMP_DOCTOR_OPTIONS_VERSION 1
#define MMP_DOCTOR_OPTIONS_INIT { MMP_DOCTOR_OPTIONS_VERSION }

/** Fill `o` with the defaults. Returns 0 or MMP_EINVALID. */
MMP_EXTERN(int) mmp_doctor_options_init(mmp_doctor_options *o,
	unsigned int version);

/** The results of one doctor run. */
typedef struct mmp_doctor_report mmp_doctor_report;

/**
 * The names of every check in the order they run, NULL-terminated;
 * static storage. Returns how many there are.
 */
MMP_EXTERN(size_t) mmp_doctor_checks(const char *const **out);

/** 1 when `name` is a check, else 0. */
MMP_EXTERN(int) mmp_doctor_check_exists(const char *name);

/**
 * Run the checks named in `only` (`only_nr` names), or every check when
 * `only_nr` is 0, in the canonical order, each at most once. The caller
 * owns `*out` and frees it with mmp_doctor_report_free(). A failing
 * check is a result, not an error: the return is 0 unless the
 * arguments are wrong (MMP_EINVALID for an unknown check name, which
 * the message quotes).
 */
MMP_EXTERN(int) mmp_doctor_run(mmp_doctor_report **out,
	const mmp_doctor_options *opts, const char *const *only,
	size_t only_nr);

/** How many results the report holds. */
MMP_EXTERN(size_t) mmp_doctor_report_count(const mmp_doctor_report *r);

/** The i-th result, borrowed from the report; NULL when out of range. */
MMP_EXTERN(const mmp_doctor_result *) mmp_doctor_report_get(
	const mmp_doctor_report *r, size_t i);

/** The worst status in the report. */
MMP_EXTERN(int) mmp_doctor_report_status(const mmp_doctor_report *r);

/** Free the report and its results; accepts NULL. */
MMP_EXTERN(void) mmp_doctor_report_free(mmp_doctor_report *r);

/** What mmp_store_health() found in a store. */
typedef struct {
	int schema_version;       /**< PRAGMA user_version of the file */
	int schema_supported;     /**< the newest this build knows */
	char integrity[256];      /**< "ok" or the first problem found */
	char journal_mode[16];    /**< "wal", "delete", ... */
	int64_t runs;             /**< all runs */
	int64_t running;          /**< runs with status RUNNING */
	int64_t dead;             /**< RUNNING runs whose process is gone */
} mmp_store_health;

/**
 * Inspect an open store without changing it: schema version, PRAGMA
 * integrity_check, the journal mode, and RUNNING runs left by dead
 * processes. Returns 0 or a negative code (MMP_ERROR, MMP_ELOCKED)
 * with the SQLite message.
 */
MMP_EXTERN(int) mmp_store_health_get(mmp_store_health *out, mmp_store *s);

/** "ok", "warn" or "fail". */
MMP_EXTERN(const char *) mmp_doctor_status_name(int status);

MMP_END_DECL

#endif
