/* SPDX-License-Identifier: MIT */
/* setup.c: sub-command dispatch and releasing what commands set up */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"

/* run sub-command `name` with the arguments argv[0..argc-1] */
static int run_default(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *name)
{
	const char **args = calloc((size_t)argc + 2, sizeof(*args));
	const struct mmp_subcmd *s;
	int ret;

	if (!args)
		die("out of memory");
	for (s = subs; strcmp(s->name, name); s++)
		;
	args[0] = name;
	memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
	ret = s->fn(argc + 1, args, ctx);
	free(args);
	return ret;
}

int run_subcommand(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *const *usagestr,
	const struct option *opts)
{
	return run_subcommand_default(argc, argv, ctx, subs, NULL, usagestr,
		opts);
}

int run_subcommand_default(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *dflt,
	const char *const *usagestr, const struct option *opts)
{
	const struct mmp_subcmd *s;
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	argc = parse_options(argc, argv, opts, usagestr,
		PARSE_OPT_STOP_AT_NON_OPTION |
		(dflt ? PARSE_OPT_KEEP_UNKNOWN : 0));
	/* "mmp models" and "mmp models --json" are "mmp models list" */
	if (dflt && (!argc || argv[0][0] == '-'))
		return run_default(argc, argv, ctx, subs, dflt);
	if (!argc) {
		error("a sub-command is required");
		usage_with_options(usagestr, opts);
	}
	for (s = subs; s->name; s++)
		if (!strcmp(s->name, argv[0]))
			return s->fn(argc, argv, ctx);
	for (s = subs; s->name; s++) {
		size_t d = mmp_str_distance(argv[0], s->name);
		if (d < best_d) {
			best_d = d;
			best = s->name;
		}
	}
	if (best && best_d <= strlen(argv[0]) / 2 + 1)
		error("unknown sub-command '%s'; did you mean '%s'?", argv[0],
			best);
	else
		error("unknown sub-command '%s'", argv[0]);
	usage_with_options(usagestr, opts);
}

void ctx_release(struct mmp_ctx *ctx)
{
	ctx_release_store(ctx);
	ctx_release_config(ctx);
}
