/* SPDX-License-Identifier: MIT */
/* setup.c: sub-command dispatch and releasing what commands set up */
#include <string.h>

#include "cmd.h"
#include "output.h"

int run_subcommand(int argc, const char **argv, struct mmp_ctx *ctx,
	const struct mmp_subcmd *subs, const char *const *usagestr,
	const struct option *opts)
{
	const struct mmp_subcmd *s;
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	argc = parse_options(argc, argv, opts, usagestr,
		PARSE_OPT_STOP_AT_NON_OPTION);
	if (!argc) {
		error("a sub-command is required");
		usage_with_options(usagestr, opts);
	}
	for (s = subs; s->name; s++)
		if (!strcmp(s->name, argv[0]))
			return s->fn(argc, argv, ctx);
	for (s = subs; s->name; s++) {
		size_t d = cmd_distance(argv[0], s->name);
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
