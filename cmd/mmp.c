/* SPDX-License-Identifier: MIT */
/* mmp.c: main: global options, command lookup, setup by flags, run */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"

static const char *const mmp_usage[] = {
	"mmp [-C <dir>] [--store <path>] [-c <key>=<value>] [-v | -q]",
	"    [--color[=<when>]] [--version] [-h] <command> [<args>]",
	NULL
};

static int show_version;
static const char *color_when;

static int parse_color(const struct option *opt, const char *arg, int unset)
{
	(void)opt;
	if (unset)
		arg = "never";
	else if (!arg)
		arg = "always";
	if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
		return error("option '--color' expects auto, always or never, "
			"got '%s'", arg);
	color_when = arg;
	return 0;
}

/* -C dirs are applied after a possible re-execution, which parses them
 * again from the original command line */
static struct string_list chdirs = STRING_LIST_INIT;

static int parse_chdir(const struct option *opt, const char *arg, int unset)
{
	(void)opt;
	(void)unset;
	string_list_append(&chdirs, arg);
	return 0;
}

static void apply_chdirs(void)
{
	size_t i;

	for (i = 0; i < chdirs.nr; i++)
		if (*chdirs.items[i] && chdir(chdirs.items[i]) < 0)
			die("cannot change to '%s': %s", chdirs.items[i],
				strerror(errno));
	string_list_release(&chdirs);
}

static void list_commands(FILE *out)
{
	size_t i;

	fprintf(out, "\nThese are the mmp commands:\n\n");
	for (i = 0; i < mmp_commands_nr; i++)
		fprintf(out, "   %-17s %s\n", mmp_commands[i].name,
			mmp_commands[i].summary);
	fprintf(out, "\nSee 'mmp help <command>' or 'man mmp-<command>' for "
		"the details of one command.\n");
}

void print_main_usage(FILE *out);
void print_main_usage(FILE *out)
{
	usage_print(out, mmp_usage, NULL);
	list_commands(out);
}

static int print_main_help(const struct option *opt, const char *arg,
	int unset)
{
	(void)opt;
	(void)arg;
	(void)unset;
	print_main_usage(stdout);
	exit(0);
}

static void unknown_command(const char *name)
{
	fprintf(stderr, "mmp: '%s' is not an mmp command. See 'mmp --help'.\n",
		tsafe(name));
	suggest_command(name);
	exit(EXIT_FAIL);
}

/*
 * libgomp reads OMP_WAIT_POLICY when it loads, with XGBoost: spinning
 * OpenMP threads make XGBoost several times slower on a busy machine.
 * XGBoost is opened on first use, after this, so commands that train
 * or predict ask for passive waits unless the user chose a policy.
 */
static void ensure_passive_openmp(void)
{
	if (getenv("OMP_WAIT_POLICY") || getenv("MMP_NO_REEXEC"))
		return;
	setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
}

/* whether the command's arguments ask for its usage (-h, --help) */
static int wants_help(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

/* open the libraries the command needs at once, before any work */
static void load_libraries(unsigned int flags)
{
	unsigned int libs = 0;

	if (flags & LOAD_XGBOOST)
		libs |= MMP_LIBRARY_XGBOOST;
	if (flags & LOAD_GIT)
		libs |= MMP_LIBRARY_GIT;
	if (flags & LOAD_CURL)
		libs |= MMP_LIBRARY_CURL;
	if (flags & LOAD_HTTPD)
		libs |= MMP_LIBRARY_HTTPD;
	/* they all record or check digests: a missing libcrypto would
	 * abort them half way */
	if (libs)
		libs |= MMP_LIBRARY_CRYPTO;
	if (libs && mmp_library_load(libs) < 0)
		die("%s", mmp_error_last()->message);
}

static int stdout_is_pipe_or_socket(void)
{
	struct stat st;

	return fstat(1, &st) == 0 &&
		(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

int main(int argc, char **argv)
{
	static struct mmp_ctx ctx;
	const struct option opts[] = {
		OPT_CALLBACK('C', NULL, NULL, "<dir>",
			"run as if mmp was started in <dir>", parse_chdir),
		OPT_STRING(0, "store", &ctx.store_path, "<path>",
			"use the store at <path> (or $MMP_STORE)"),
		OPT_STRING_LIST('c', NULL, &ctx.config_overrides,
			"<key>=<value>", "override a configuration value"),
		OPT__VERBOSITY(&ctx.verbosity),
		{ .type = OPTION_CALLBACK, .long_name = "color",
		  .argh = "<when>", .help = "colour: auto, always or never",
		  .flags = PARSE_OPT_OPTARG, .callback = parse_color },
		OPT_BOOL(0, "version", &show_version,
			"print mmp's version (mmp version: its libraries too)"),
		{ .type = OPTION_CALLBACK, .short_name = 'h', .long_name = "help",
		  .help = "show this help", .flags = PARSE_OPT_NONEG,
		  .callback = print_main_help },
		OPT_END()
	};
	const char **args;
	const struct mmp_cmd *cmd;
	int nargs, ret;

	ctx.progname = "mmp";
	/* parse a copy: argv must stay as given for a re-execution */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		die("out of memory");
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	nargs = parse_options(argc, args, opts, mmp_usage,
		PARSE_OPT_STOP_AT_NON_OPTION);
	if (!nargs || show_version || !find_command(args[0]))
		apply_chdirs();
	if (show_version) {
		/* only mmp's own: `mmp version` opens every library */
		free(args);
		printf("mmp version %s\n", mmp_version());
		if (fflush(stdout) || ferror(stdout))
			die("write failure on standard output: %s",
				strerror(errno));
		return 0;
	}
	if (!nargs) {
		print_main_usage(stdout);
		free(args);
		return EXIT_FAIL;
	}
	cmd = find_command(args[0]);
	if (!cmd) {
		const char *name = args[0];
		free(args);
		unknown_command(name);
	}
	if (cmd->flags & USE_XGBOOST)
		ensure_passive_openmp();
	apply_chdirs();

	output_setup_color(&ctx, color_when);
	if (!ctx.env)
		ctx.env = getenv("MMP_ENV");
	signal(SIGPIPE, SIG_DFL);
	if (mmp_global_init() < 0)
		die_lib("cannot initialise the libraries");
	/* not for -h: help needs no library */
	if (!wants_help(nargs, args))
		load_libraries(cmd->flags);

	parse_options_verbosity = &ctx.verbosity;
	ret = cmd->fn(nargs, args, &ctx);

	ctx_release(&ctx);
	string_list_release(&ctx.config_overrides);
	mmp_global_shutdown();
	free(args);

	if (!stdout_is_pipe_or_socket()) {
		if (fflush(stdout) || ferror(stdout))
			die("write failure on standard output: %s",
				strerror(errno));
	}
	if (fclose(stdout) && !ret)
		die("close failed on standard output: %s", strerror(errno));
	return ret;
}
