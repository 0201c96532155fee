/* SPDX-License-Identifier: MIT */
/* parse-options.h: declarative option tables for mmp's commands */
#ifndef CMD_parse_options_h__
#define CMD_parse_options_h__

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* a list of strings borrowed from argv (or static); only the array is owned */
struct string_list {
	const char **items;
	size_t nr, alloc;
};
#define STRING_LIST_INIT { NULL, 0, 0 }
void string_list_append(struct string_list *l, const char *s);
void string_list_release(struct string_list *l);

enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOL,        /* int: 1, or 0 with --no- */
	OPTION_COUNTUP,     /* int: +1 each time */
	OPTION_SET_INT,     /* int: defval */
	OPTION_STRING,      /* const char * */
	OPTION_INTEGER,     /* int, strictly parsed */
	OPTION_INT64,       /* int64_t, strictly parsed */
	OPTION_DOUBLE,      /* double, strictly parsed */
	OPTION_STRING_LIST, /* struct string_list, appended */
	OPTION_CALLBACK
};

enum parse_opt_flags {
	PARSE_OPT_NONEG = 1,    /* no --no-<name> form */
	PARSE_OPT_HIDDEN = 2,   /* not shown in usage */
	PARSE_OPT_OPTARG = 4    /* the argument is optional (--x or --x=v) */
};

struct option;
/* return 0, or -1 after printing an error (usage follows, exit 129) */
typedef int parse_opt_cb(const struct option *opt, const char *arg, int unset);

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;
	const char *help;
	int flags;
	parse_opt_cb *callback;
	intptr_t defval;
};

#define OPT_END() { .type = OPTION_END }
#define OPT_GROUP(h) { .type = OPTION_GROUP, .help = (h) }
#define OPT_BOOL(s, l, v, h) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_SET_INT(s, l, v, h, i) \
	{ .type = OPTION_SET_INT, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h), .flags = PARSE_OPT_NONEG, .defval = (i) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_INTEGER(s, l, v, a, h) \
	{ .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_INT64(s, l, v, a, h) \
	{ .type = OPTION_INT64, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_DOUBLE(s, l, v, a, h) \
	{ .type = OPTION_DOUBLE, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_STRING_LIST(s, l, v, a, h) \
	{ .type = OPTION_STRING_LIST, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_CALLBACK(s, l, v, a, h, cb) \
	{ .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .callback = (cb) }
#define OPT__VERBOSITY(v) \
	{ .type = OPTION_CALLBACK, .short_name = 'v', .long_name = "verbose", \
	  .value = (v), .help = "be more verbose", .flags = PARSE_OPT_NONEG, \
	  .callback = parse_opt_verbose }, \
	{ .type = OPTION_CALLBACK, .short_name = 'q', .long_name = "quiet", \
	  .value = (v), .help = "be more quiet", .flags = PARSE_OPT_NONEG, \
	  .callback = parse_opt_quiet }
#define OPT__JSON(v) OPT_BOOL(0, "json", (v), "print one JSON document")

/*
 * Where -v/-q/--verbose/--quiet go when a command's table does not
 * define them (main() points it at the context's verbosity), so that
 * every command accepts them after its name.
 */
extern int *parse_options_verbosity;

int parse_opt_verbose(const struct option *opt, const char *arg, int unset);
int parse_opt_quiet(const struct option *opt, const char *arg, int unset);

enum parse_options_flags {
	PARSE_OPT_STOP_AT_NON_OPTION = 1,
	PARSE_OPT_KEEP_UNKNOWN = 2
};

/*
 * Parse argv[1..argc-1] against `opts`. Options may be mixed with
 * arguments; "--" ends the options. Returns the count of the arguments
 * left, moved to argv[0..]. -h/--help prints the usage on stdout and
 * exits 0; an unknown or malformed option prints an error and the usage
 * on stderr and exits 129.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
	const char *const *usagestr, int flags);

/* print the usage and the options to `out` */
void usage_print(FILE *out, const char *const *usagestr,
	const struct option *opts);
/* print the usage on stderr and exit 129 */
void usage_with_options(const char *const *usagestr,
	const struct option *opts) __attribute__((noreturn));
/* print "error: <msg>" and the usage on stderr, exit 129 */
void usage_msg_opt(const char *msg, const char *const *usagestr,
	const struct option *opts) __attribute__((noreturn));

#endif
