/* SPDX-License-Identifier: MIT */
/* help.c: mmp help [<command> [<sub-command>]], mmp version */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"

void print_main_usage(FILE *out);

static const char *const help_usage[] = {
	"mmp help [<command> [<sub-command>]]",
	"mmp help <topic>",
	"mmp help --commands",
	"",
	"Topics: recipe (mmp-recipe(5)), config (mmp-config(5)),",
	"filter (mmp-filter(7)).",
	NULL
};

/* guides users look for by name; each opens its manual page */
static const struct {
	const char *name;
	int section;
} topics[] = {
	{ "config", 5 },
	{ "filter", 7 },
	{ "recipe", 5 },
};

void help_topics(const char ***names, size_t *n);
void help_topics(const char ***names, size_t *n)
{
	static const char *list[sizeof(topics) / sizeof(topics[0])];
	size_t i;

	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		list[i] = topics[i].name;
	*names = list;
	*n = i;
}

/* the page next to the binary: cmd/mmp in the source tree, or
 * <prefix>/bin/mmp after make install; 0 when neither has it */
static int find_page(mmp_buf *out, const char *page, int section)
{
	char exe[PATH_MAX], *slash;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len <= 0)
		return 0;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	mmp_buf_clear(out);
	mmp_buf_printf(out, "%s/../man/%s", exe, page);
	if (!access(out->ptr, R_OK))
		return 1;
	mmp_buf_clear(out);
	mmp_buf_printf(out, "%s/../share/man/man%d/%s", exe, section, page);
	return !access(out->ptr, R_OK);
}

/* exec man(1) on the topic's page; returns only on failure */
static int show_topic(size_t t)
{
	mmp_buf path = MMP_BUF_INIT, page = MMP_BUF_INIT;
	char sec[4];

	snprintf(sec, sizeof(sec), "%d", topics[t].section);
	mmp_buf_printf(&page, "mmp-%s.%d", topics[t].name, topics[t].section);
	fflush(stdout);
	if (find_page(&path, page.ptr, topics[t].section)) {
		execlp("man", "man", "-l", path.ptr, (char *)NULL);
		error("cannot run man for %s: %s", path.ptr, strerror(errno));
	} else {
		mmp_buf_clear(&page);
		mmp_buf_printf(&page, "mmp-%s", topics[t].name);
		execlp("man", "man", sec, page.ptr, (char *)NULL);
		error("cannot run man for %s(%s): %s", page.ptr, sec,
			strerror(errno));
	}
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&page);
	return EXIT_FAIL;
}

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
			usage_msg_opt("'mmp help --commands' takes no "
				"arguments", help_usage, opts);
		for (c = 0; c < mmp_commands_nr; c++)
			puts(mmp_commands[c].name);
		return 0;
	}
	if (!argc) {
		print_main_usage(stdout);
		return 0;
	}
	if (argc == 1)
		for (c = 0; c < sizeof(topics) / sizeof(topics[0]); c++)
			if (!strcmp(argv[0], topics[c].name))
				return show_topic(c);
	cmd = find_command(argv[0]);
	if (!cmd) {
		fprintf(stderr, "mmp: '%s' is not an mmp command or help "
			"topic. See 'mmp --help'.\n", tsafe(argv[0]));
		suggest_command(argv[0]);
		return EXIT_FAIL;
	}
	if (argc > 6)
		usage_msg_opt("too many arguments", help_usage, opts);
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
		usage_msg_opt("'mmp version' takes no arguments",
			version_usage, opts);
	n = mmp_dep_versions(deps, 16);
	if (json) {
		cJSON *doc = json_doc_new(), *libs;
		cJSON_AddStringToObject(doc, "version", mmp_version());
		libs = cJSON_AddObjectToObject(doc, "libraries");
		for (i = 0; i < n && i < 16; i++)
			if (*deps[i].version)
				cJSON_AddStringToObject(libs, deps[i].name,
					deps[i].version);
			else
				cJSON_AddNullToObject(libs, deps[i].name);
		json_print(doc);
		return 0;
	}
	printf("mmp version %s\n", mmp_version());
	for (i = 0; i < n && i < 16; i++)
		printf("%s %s\n", deps[i].name,
			*deps[i].version ? deps[i].version : "(not found)");
	return 0;
}
