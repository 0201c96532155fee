/* SPDX-License-Identifier: MIT */
/* parse-options.c: the one argv parser every command uses */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

void string_list_append(struct string_list *l, const char *s)
{
	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 8;
		const char **items = realloc(l->items, n * sizeof(*items));
		if (!items)
			die("out of memory");
		l->items = items;
		l->alloc = n;
	}
	l->items[l->nr++] = s;
}

void string_list_release(struct string_list *l)
{
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

int parse_opt_verbose(const struct option *opt, const char *arg, int unset)
{
	(void)arg;
	(void)unset;
	(*(int *)opt->value)++;
	return 0;
}

int parse_opt_quiet(const struct option *opt, const char *arg, int unset)
{
	(void)arg;
	(void)unset;
	(*(int *)opt->value)--;
	return 0;
}

int *parse_options_verbosity;

/* -v, -q, --verbose and --quiet after any command that does not define
 * them: they change the verbosity main() set up (-1 if unhandled) */
static int implicit_verbosity(const char *name, size_t len, int c)
{
	int d = 0;

	if (name) {
		if (len == 7 && !strncmp(name, "verbose", 7))
			d = 1;
		else if (len == 5 && !strncmp(name, "quiet", 5))
			d = -1;
	} else {
		d = c == 'v' ? 1 : c == 'q' ? -1 : 0;
	}
	if (!d || !parse_options_verbosity)
		return -1;
	*parse_options_verbosity += d;
	return 0;
}

static int takes_arg(const struct option *o)
{
	switch (o->type) {
	case OPTION_STRING:
	case OPTION_INTEGER:
	case OPTION_INT64:
	case OPTION_DOUBLE:
	case OPTION_STRING_LIST:
		return 1;
	case OPTION_CALLBACK:
		return o->argh != NULL;
	default:
		return 0;
	}
}

static void opt_name(char *buf, size_t n, const struct option *o, int longform)
{
	if (longform || !o->short_name)
		snprintf(buf, n, "--%s", o->long_name);
	else
		snprintf(buf, n, "-%c", o->short_name);
}

/* returns 0, or -1 after printing an error */
static int apply(const struct option *o, const char *arg, int unset,
	int longform)
{
	char name[64];
	char *end;

	opt_name(name, sizeof(name), o, longform);
	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = unset ? 0 : 1;
		return 0;
	case OPTION_COUNTUP:
		*(int *)o->value = unset ? 0 : *(int *)o->value + 1;
		return 0;
	case OPTION_SET_INT:
		*(int *)o->value = unset ? 0 : (int)o->defval;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = unset ? NULL : arg;
		return 0;
	case OPTION_STRING_LIST:
		if (unset)
			((struct string_list *)o->value)->nr = 0;
		else
			string_list_append(o->value, arg);
		return 0;
	case OPTION_INTEGER: {
		long v;
		errno = 0;
		v = strtol(arg, &end, 10);
		if (!*arg || *end || errno || v < INT_MIN || v > INT_MAX)
			return error("option '%s' expects an integer, got '%s'",
				name, arg);
		*(int *)o->value = (int)v;
		return 0;
	}
	case OPTION_INT64: {
		long long v;
		errno = 0;
		v = strtoll(arg, &end, 10);
		if (!*arg || *end || errno)
			return error("option '%s' expects an integer, got '%s'",
				name, arg);
		*(int64_t *)o->value = v;
		return 0;
	}
	case OPTION_DOUBLE: {
		double v;
		errno = 0;
		v = strtod(arg, &end);
		if (!*arg || *end || errno || !isfinite(v))
			return error("option '%s' expects a number, got '%s'",
				name, arg);
		*(double *)o->value = v;
		return 0;
	}
	case OPTION_CALLBACK:
		return o->callback(o, arg, unset);
	default:
		return error("option '%s' is not usable", name);
	}
}

static const struct option *find_long(const struct option *opts,
	const char *name, size_t len, int *unset)
{
	const struct option *o;

	*unset = 0;
	for (o = opts; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	if (len > 3 && !strncmp(name, "no-", 3)) {
		for (o = opts; o->type != OPTION_END; o++)
			if (o->long_name && !(o->flags & PARSE_OPT_NONEG) &&
			    strlen(o->long_name) == len - 3 &&
			    !strncmp(o->long_name, name + 3, len - 3)) {
				*unset = 1;
				return o;
			}
	}
	return NULL;
}

static const struct option *find_short(const struct option *opts, int c)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/*
 * List mode (MMP_COMPLETION_LIST set, see completion.c): print the
 * options and the usage lines of the table the command would parse, and
 * exit. A table that stops at a sub-command lets it parse its own.
 */
static void list_words(const struct option *opts,
	const char *const *usagestr)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++) {
		const char *argh = takes_arg(o) ?
			(o->argh ? o->argh : "<value>") : "";

		if (o->type == OPTION_GROUP || (o->flags & PARSE_OPT_HIDDEN))
			continue;
		if (o->long_name)
			printf("opt\t--%s\t%s\n", o->long_name, argh);
		if (o->short_name)
			printf("opt\t-%c\t%s\n", o->short_name, argh);
		if (o->long_name && o->type == OPTION_BOOL &&
		    !(o->flags & PARSE_OPT_NONEG))
			printf("opt\t--no-%s\t\n", o->long_name);
	}
	for (; *usagestr && **usagestr; usagestr++)
		printf("%s\t%s\n", (**usagestr == ' ' || **usagestr == '\t') ?
			"more" : "usage", *usagestr);
	fflush(stdout);
	exit(0);
}

static int in_list_mode(int argc, const char **argv, int flags)
{
	static int mode = -1;
	int i;

	if (mode < 0)
		mode = getenv("MMP_COMPLETION_LIST") != NULL;
	if (!mode)
		return 0;
	if (flags & PARSE_OPT_STOP_AT_NON_OPTION)
		for (i = 1; i < argc; i++)
			if (argv[i][0] != '-' || !argv[i][1])
				return 0;
	return 1;
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int parse_options(int argc, const char **argv, const struct option *opts,
	const char *const *usagestr, int flags)
{
	int i, out = 0;

	if (in_list_mode(argc, argv, flags))
		list_words(opts, usagestr);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (arg[0] != '-' || !arg[1]) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION) {
				while (i < argc)
					argv[out++] = argv[i++];
				break;
			}
			argv[out++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++)
				argv[out++] = argv[i];
			break;
		}
		if (is_help(arg) && !find_short(opts, 'h')) {
			usage_print(stdout, usagestr, opts);
			exit(0);
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int unset;
			const struct option *o = find_long(opts, name, len,
				&unset);

			if (!o) {
				if (flags & PARSE_OPT_KEEP_UNKNOWN) {
					argv[out++] = arg;
					continue;
				}
				if (!eq && !implicit_verbosity(name, len, 0))
					continue;
				error("unknown option '%.*s'", (int)len, name);
				usage_with_options(usagestr, opts);
			}
			if (unset && eq) {
				error("option '--no-%s' takes no value",
					o->long_name);
				usage_with_options(usagestr, opts);
			}
			if (takes_arg(o) && !unset) {
				const char *val;
				if (eq) {
					val = eq + 1;
				} else if (o->flags & PARSE_OPT_OPTARG) {
					val = NULL;
				} else if (i + 1 < argc) {
					val = argv[++i];
				} else {
					error("option '--%s' requires a value",
						o->long_name);
					usage_with_options(usagestr, opts);
				}
				if (apply(o, val, 0, 1) < 0)
					usage_with_options(usagestr, opts);
			} else {
				if (eq && o->type != OPTION_CALLBACK) {
					error("option '--%s' takes no value",
						o->long_name);
					usage_with_options(usagestr, opts);
				}
				if (apply(o, eq ? eq + 1 : NULL, unset, 1) < 0)
					usage_with_options(usagestr, opts);
			}
			continue;
		}
		/* short options, possibly bundled: -vq, -xVALUE, -x VALUE */
		for (const char *p = arg + 1; *p; p++) {
			const struct option *o = find_short(opts, *p);

			if (!o) {
				int unset;
				if (flags & PARSE_OPT_KEEP_UNKNOWN) {
					argv[out++] = arg;
					break;
				}
				if (!implicit_verbosity(NULL, 0, *p))
					continue;
				if (p == arg + 1 && strlen(arg) > 2 &&
				    find_long(opts, arg + 1, strlen(arg + 1),
					      &unset))
					error("did you mean '-%s' (with two "
						"dashes)?", arg);
				else
					error("unknown switch '%c'", *p);
				usage_with_options(usagestr, opts);
			}
			if (takes_arg(o)) {
				const char *val;
				if (p[1])
					val = p + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					error("switch '%c' requires a value", *p);
					usage_with_options(usagestr, opts);
				}
				if (apply(o, val, 0, 0) < 0)
					usage_with_options(usagestr, opts);
				break;
			}
			if (apply(o, NULL, 0, 0) < 0)
				usage_with_options(usagestr, opts);
		}
	}
	argv[out] = NULL;
	return out;
}

void usage_print(FILE *out, const char *const *usagestr,
	const struct option *opts)
{
	const struct option *o;
	int first = 1;

	for (; *usagestr && **usagestr; usagestr++) {
		const char *lead = first ? "usage: " : "   or: ";
		if (!first && (**usagestr == ' ' || **usagestr == '\t'))
			lead = "       ";  /* continuation of the line above */
		fprintf(out, "%s%s\n", lead, *usagestr);
		first = 0;
	}
	/* text after an empty line in the usage array is a description */
	if (*usagestr) {
		fputc('\n', out);
		for (usagestr++; *usagestr; usagestr++)
			fprintf(out, "%s%s\n", **usagestr ? "    " : "",
				*usagestr);
	}
	if (!opts || opts->type == OPTION_END)
		return;
	fputc('\n', out);
	for (o = opts; o->type != OPTION_END; o++) {
		char left[96];
		int n = 0;

		if (o->flags & PARSE_OPT_HIDDEN)
			continue;
		if (o->type == OPTION_GROUP) {
			fprintf(out, "\n%s\n", o->help);
			continue;
		}
		if (o->short_name && o->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s",
				o->short_name, o->long_name);
		else if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c", o->short_name);
		else
			n = snprintf(left, sizeof(left), "--%s%s",
				(o->type == OPTION_BOOL &&
				 !(o->flags & PARSE_OPT_NONEG)) ? "[no-]" : "",
				o->long_name);
		if (takes_arg(o) && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n,
				(o->flags & PARSE_OPT_OPTARG) ? "[=%s]" : " %s",
				o->argh ? o->argh : "<value>");
		if (strlen(left) > 24)
			fprintf(out, "    %s\n%30s%s\n", left, "", o->help);
		else
			fprintf(out, "    %-24s  %s\n", left, o->help);
	}
}

void usage_with_options(const char *const *usagestr,
	const struct option *opts)
{
	usage_print(stderr, usagestr, opts);
	exit(129);
}

void usage_msg_opt(const char *msg, const char *const *usagestr,
	const struct option *opts)
{
	error("%s", msg);
	fputc('\n', stderr);
	usage_with_options(usagestr, opts);
}
