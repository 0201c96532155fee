/* SPDX-License-Identifier: MIT */
/* help.c: mmp help [<command> [<sub-command>]], mmp version */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"

void print_main_usage(FILE *out);

static const char *const help_usage[] = {
	"mmp help [<command> [<sub-command>]]",
	"mmp help --commands",
	NULL
};

int cmd_help(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int list = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "commands", &list,
			"list the command names, one per line"),
		OPT_END()
	};
	const struct mmp_cmd *cmd;
	const char *sub[8];
	size_t c;
	int n, i;

	argc = parse_options(argc, argv, opts, help_usage, 0);
	if (list) {
		if (argc)
			usage_with_options(help_usage, opts);
		for (c = 0; c < mmp_commands_nr; c++)
			puts(mmp_commands[c].name);
		return 0;
	}
	if (!argc) {
		print_main_usage(stdout);
		return 0;
	}
	cmd = find_command(argv[0]);
	if (!cmd) {
		fprintf(stderr, "mmp: '%s' is not an mmp command. See "
			"'mmp --help'.\n", argv[0]);
		return EXIT_FAIL;
	}
	if (argc > 6)
		usage_with_options(help_usage, opts);
	/* the command prints its own usage for -h and exits 0 */
	for (n = 0, i = 0; i < argc; i++)
		sub[n++] = argv[i];
	sub[n++] = "-h";
	sub[n] = NULL;
	return cmd->fn(n, sub, ctx);
}

static const char *const version_usage[] = {
	"mmp version [--json]",
	NULL
};

int cmd_version(int argc, const char **argv, struct mmp_ctx *ctx)
{
	int json = 0;
	const struct option opts[] = { OPT__JSON(&json), OPT_END() };
	mmp_dep_version deps[16];
	size_t n, i;

	(void)ctx;
	argc = parse_options(argc, argv, opts, version_usage, 0);
	if (argc)
		usage_with_options(version_usage, opts);
	n = mmp_dep_versions(deps, 16);
	if (json) {
		cJSON *doc = json_doc_new(), *libs;
		cJSON_AddStringToObject(doc, "version", mmp_version());
		libs = cJSON_AddObjectToObject(doc, "libraries");
		for (i = 0; i < n && i < 16; i++)
			cJSON_AddStringToObject(libs, deps[i].name,
				deps[i].version);
		json_print(doc);
		return 0;
	}
	printf("mmp version %s\n", mmp_version());
	for (i = 0; i < n && i < 16; i++)
		printf("%s %s\n", deps[i].name, deps[i].version);
	return 0;
}
