/* SPDX-License-Identifier: MIT */
/* doctor-internal.h: what the doctor's checks share inside libmmp */
#ifndef LIB_doctor_doctor_internal_h__
#define LIB_doctor_doctor_internal_h__

#include <netinet/in.h>
#include <sys/types.h>

#include "mmp/config.h"
#include "mmp/doctor.h"
#include "mmp/recipe.h"
#include "util/util.h"

#define DOCTOR_TIMEOUT_MS 3000

/* a project's recipe as one doctor run read it */
typedef struct {
	char *file;              /* the recipe file, under recipes/ */
	mmp_recipe *recipe;      /* NULL when it does not load */
	mmp_diag_list *diags;    /* what is wrong with it, or NULL */
	char *error;             /* why it does not load, or NULL */
} mmp_doctor__recipe;

/*
 * What the checks of one run share: the project's configuration and its
 * recipes, each read once, by the first check that asks for them
 * (mmp_doctor__project_config, mmp_doctor__project_recipes), and freed
 * at the end of the run (mmp_doctor__project_release).
 */
typedef struct {
	const mmp_doctor_options *o;
	int config_read, recipes_read;
	mmp_config *config;      /* NULL when it does not load */
	mmp_diag_list *diags;    /* what is wrong with the config, or NULL */
	char *error;             /* why it does not load, or NULL */
	mmp_doctor__recipe *recipes;   /* sorted by file name */
	size_t nrecipes;
} mmp_doctor__project;

#define MMP_DOCTOR__PROJECT_INIT { NULL, 0, 0, NULL, NULL, NULL, NULL, 0 }

/* the configuration of o->config_options; NULL when it does not load
 * (p->error and p->diags say why) */
const mmp_config *mmp_doctor__project_config(mmp_doctor__project *p);
/* the YAML files of the project's recipes/, each loaded with the
 * project's configuration (none when that does not load) */
size_t mmp_doctor__project_recipes(const mmp_doctor__recipe **out,
	mmp_doctor__project *p);
void mmp_doctor__project_release(mmp_doctor__project *p);

/* one check: fill `r` (name and status are set up already) */
typedef void (*mmp_doctor__fn)(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);

/*
 * Raise the result's status to `status` when that is worse than the
 * current one, taking `summary` (and `fix`, may be NULL) with it; an
 * equal status keeps the first summary. The fix is formatted from
 * `fix_fmt` and the arguments after it.
 */
void mmp_doctor__raise(mmp_doctor_result *r, int status, const char *summary,
	const char *fix_fmt, ...) MMP_FORMAT_PRINTF(4, 5);
void mmp_doctor__summary(mmp_doctor_result *r, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);
void mmp_doctor__detail(mmp_doctor_result *r, const char *fmt, ...)
	MMP_FORMAT_PRINTF(2, 3);

/* a listening TCP socket, from /proc/net/tcp and tcp6 */
typedef struct {
	int port;
	int family;              /* AF_INET or AF_INET6 */
	char addr[INET6_ADDRSTRLEN];
	unsigned long inode;
	pid_t pid;               /* 0 when not found (another user's) */
	char comm[64];           /* "" when unknown */
} mmp_doctor__listener;

/*
 * Every listening TCP socket on `port` (0: all) with its owning process
 * where /proc shows it. Returns 0 or MMP_ENOTFOUND when /proc/net/tcp
 * cannot be read; the caller frees *out.
 */
int mmp_doctor__listeners(mmp_doctor__listener **out, size_t *n, int port);
/* 1 for 127.0.0.0/8, ::1 and ::ffff:127.x; 0 otherwise */
int mmp_doctor__addr_is_loopback(const char *addr);
/* 1 for 0.0.0.0 and :: */
int mmp_doctor__addr_is_any(const char *addr);
/* "python3 (pid 42)", or "a process of another user" */
void mmp_doctor__describe_owner(mmp_buf *out, const mmp_doctor__listener *l);
/* 1 when running inside a container (Docker, Podman, Kubernetes) */
int mmp_doctor__in_container(void);
/* the ports the doctor looks at, deduplicated, with why each one */
typedef struct {
	int port;
	const char *why;   /* "--port", "serve.port", "tracking.uri", ... */
	int must_be_free;  /* mmp wants to bind it (not a server's port) */
} mmp_doctor__port;
size_t mmp_doctor__ports(mmp_doctor__port *out, size_t max,
	const mmp_doctor_options *o);
/* a temp-file write/read/unlink round trip in dir; 0 or an error */
int mmp_doctor__write_probe(const char *dir);

void mmp_doctor__check_toolchain(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_store(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_config(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_ports(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_bind(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_tracking(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_artifacts(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
/* an s3:// artifact location (bucket.c): reachable, credentials
 * accepted, writable, and this clock against the server's */
void mmp_doctor__check_bucket(mmp_doctor_result *r, const char *loc);
void mmp_doctor__check_databases(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);
void mmp_doctor__check_serve(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p);

#endif
