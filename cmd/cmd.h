/* SPDX-License-Identifier: MIT */
/* cmd.h: the command table, the context every command gets, messages
 *
 * Adding a command:
 *  1. Write cmd/<name>.c with `int cmd_<name>(int argc, const char **argv,
 *     struct mmp_ctx *ctx)`: a static usage array whose lines match the man
 *     page SYNOPSIS, a static `struct option[]`, parse_options(), calls to
 *     the public mmp_* API, then printing. No SQL or XGBoost here.
 *  2. Add the prototype below and the row to table.c, in alphabetical order.
 *  3. Write man/mmp-<name>.1 with a SYNOPSIS identical to the -h output.
 *  4. Add test/tNNNN-<name>.sh, and unit tests for any new mmp_* call.
 *  5. If it prints data, give it --json with "schema_version": 1 and
 *     document the fields in the man page.
 * Shell completion needs nothing more: it reads the option table and the
 * usage lines (see completion.c); a placeholder such as <run>, <model>,
 * <version>, <stage> or <file> in a usage line gets its values.
 */
#ifndef CMD_cmd_h__
#define CMD_cmd_h__

#include <stdio.h>

#include "mmp.h"
#include "mmp/types.h"
#include "parse-options.h"

/* exit codes; documented in man/mmp.1 under EXIT STATUS */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_NEEDS_REVIEW = 2,  /* mmp approve: a human must decide;
				   mmp monitor: warn */
	EXIT_REJECTED = 3,      /* mmp approve: the version was rejected;
				   mmp monitor: alert */
	EXIT_PARTIAL = 2,       /* mmp sync --pull: done, but something
				   could not be read (said on stderr) */
	EXIT_FATAL = 128,
	EXIT_USAGE = 129,
	EXIT_INTERRUPTED = 130
};

/* what a command needs set up before it runs */
enum {
	NEED_STORE = 1 << 0,     /* open the store (create nothing) */
	USE_XGBOOST = 1 << 1,    /* trains or predicts: OpenMP passive waits */
	/* libraries to open before the command starts, so that a missing
	 * one stops it before any work ("fatal: cannot load ..."); the
	 * others open when a call first needs them */
	LOAD_XGBOOST = 1 << 2,
	LOAD_GIT = 1 << 3,
	LOAD_CURL = 1 << 4,
	LOAD_HTTPD = 1 << 5
};

struct mmp_ctx {
	const char *store_path;            /* --store, may be NULL */
	mmp_store *store;                  /* opened by ctx_store() */
	mmp_config *config;                /* loaded by ctx_config() */
	struct string_list config_overrides;  /* -c key=value, in order */
	const char *env;                   /* --env, else $MMP_ENV */
	int verbosity;                     /* -v / -q */
	int color_stdout, color_stderr;    /* resolved from --color */
	const char *progname;
};

typedef int (*cmd_fn)(int argc, const char **argv, struct mmp_ctx *ctx);

struct mmp_cmd {
	const char *name;
	cmd_fn fn;
	unsigned int flags;
	const char *summary;
};

extern const struct mmp_cmd mmp_commands[];
extern const size_t mmp_commands_nr;
const struct mmp_cmd *find_command(const char *name);
/* "The most similar command is ..." on stderr, when one is close */
void suggest_command(const char *name);

/* sub-commands of a command ("runs list"): one table per command */
struct mmp_subcmd {
	const char *name;
	cmd_fn fn;
};
/* dispatch argv[0] among `subs`; usage (exit 129) when none matches */
int run_subcommand(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *const *usagestr,
	const struct option *opts);
/* the same, but no sub-command, or an option first, runs `dflt`
 * ("mmp models" lists, as "git remote" does) */
int run_subcommand_default(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *dflt,
	const char *const *usagestr, const struct option *opts);

/* messages in git's form, on stderr */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "error: <what>: <mmp_error_last()>", returns EXIT_FAIL */
int error_lib(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fatal: <what>: <mmp_error_last()>", exits 128 */
void die_lib(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/*
 * A name given on the command line (`value` of option `opt`, NULL when
 * absent) that holds control characters or invalid UTF-8 is refused
 * before any work: "error: option '<opt>': the <what> holds ...", exit 1.
 */
void check_name_option(const char *opt, const char *what, const char *value);
/* informational line on stderr unless -q */
void info(struct mmp_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* lazily set up what a command needs; these die (128) on failure */
mmp_store *ctx_store(struct mmp_ctx *ctx);
/* the same for commands that only read: works on a read-only store */
mmp_store *ctx_store_read(struct mmp_ctx *ctx);
mmp_config *ctx_config(struct mmp_ctx *ctx);
/* --tracking-uri `given`, else tracking.uri (or $MLFLOW_TRACKING_URI);
 * NULL after an error saying how to set one */
const char *ctx_tracking_uri(struct mmp_ctx *ctx, const char *given);
void ctx_release(struct mmp_ctx *ctx);
void ctx_release_store(struct mmp_ctx *ctx);
void ctx_release_config(struct mmp_ctx *ctx);

/* the commands */
int cmd_alias(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_approvals(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_approve(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_audit(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_batch_inference(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_completion(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_config(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_doctor(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_experiments(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_gc(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_help(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_init(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_models(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_monitor(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_promote(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_register(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_runs(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_serve_api(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_sync(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_train(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_tune(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_ui(int argc, const char **argv, struct mmp_ctx *ctx);
int cmd_version(int argc, const char **argv, struct mmp_ctx *ctx);

#endif
