/* SPDX-License-Identifier: MIT */
/* doctor.c: mmp doctor: check the environment and say how to fix it */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "mmp/config.h"
#include "mmp/doctor.h"

static const char *const doctor_usage[] = {
	"mmp doctor [--port <p>]... [--tracking-uri <uri>] [--serve-url <url>]",
	"           [--json] [--check <name>]...",
	NULL
};

/* the check name closest to `word`, or NULL when none is close */
static const char *closest_check(const char *word, const char *const *names,
	size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;

	for (i = 0; i < n; i++) {
		size_t d = mmp_str_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= 3 && best_d < strlen(word) ? best : NULL;
}

static void print_lines(const char *indent, const char *label,
	const char *text)
{
	const char *p = text;
	mmp_buf line = MMP_BUF_INIT;

	while (*p) {
		size_t n = strcspn(p, "\n");
		char *seg = strndup(p, n);

		if (!seg)
			die("out of memory");
		/* a fix can quote what a server answered: escape it */
		mmp_buf_clear(&line);
		term_escape(&line, seg);
		free(seg);
		printf("%s%s%s\n", indent, label, line.ptr ? line.ptr : "");
		label = p == text && *label ? "     " : label;
		p += n;
		if (*p)
			p++;
	}
	mmp_buf_dispose(&line);
}

static void print_human(const mmp_doctor_report *rep, struct mmp_ctx *ctx)
{
	size_t n = mmp_doctor_report_count(rep), i, j;

	for (i = 0; i < n; i++) {
		const mmp_doctor_result *r = mmp_doctor_report_get(rep, i);
		const char *col = r->status == MMP_DOCTOR_OK ? COLOR_GREEN :
			r->status == MMP_DOCTOR_WARN ? COLOR_YELLOW : COLOR_RED;

		printf("%s%-4s%s  %-9s  %s\n", color(ctx, col),
			mmp_doctor_status_name(r->status),
			color(ctx, COLOR_RESET), r->name, tsafe(r->summary));
		if (r->status != MMP_DOCTOR_OK || ctx->verbosity > 0)
			for (j = 0; j < r->details_nr; j++)
				printf("      %s- "
					"%s%s\n", color(ctx, COLOR_DIM),
					tsafe(r->details[j]),
					color(ctx, COLOR_RESET));
		if (r->fix)
			print_lines("      ", "fix: ", r->fix);
	}
}

static void print_json(const mmp_doctor_report *rep)
{
	cJSON *doc = json_doc_new(), *checks;
	size_t n = mmp_doctor_report_count(rep), i, j;

	cJSON_AddBoolToObject(doc, "ok",
		mmp_doctor_report_status(rep) != MMP_DOCTOR_FAIL);
	checks = cJSON_AddArrayToObject(doc, "checks");
	for (i = 0; i < n; i++) {
		const mmp_doctor_result *r = mmp_doctor_report_get(rep, i);
		cJSON *c = cJSON_CreateObject(), *d;

		cJSON_AddStringToObject(c, "name", r->name);
		cJSON_AddStringToObject(c, "status",
			mmp_doctor_status_name(r->status));
		cJSON_AddStringToObject(c, "summary", r->summary);
		d = cJSON_AddArrayToObject(c, "details");
		for (j = 0; j < r->details_nr; j++)
			cJSON_AddItemToArray(d,
				cJSON_CreateString(r->details[j]));
		if (r->fix)
			cJSON_AddStringToObject(c, "fix", r->fix);
		else
			cJSON_AddNullToObject(c, "fix");
		cJSON_AddItemToArray(checks, c);
	}
	json_print(doc);
}

int cmd_doctor(int argc, const char **argv, struct mmp_ctx *ctx)
{
	struct string_list port_args = STRING_LIST_INIT;
	struct string_list only = STRING_LIST_INIT;
	const char *tracking_uri = NULL, *serve_url = NULL;
	int json = 0, ret = EXIT_OK, *ports = NULL;
	const struct option opts[] = {
		OPT_STRING_LIST(0, "port", &port_args, "p",
			"also check this port (repeatable)"),
		OPT_STRING(0, "tracking-uri", &tracking_uri, "uri",
			"the MLflow tracking server to probe"),
		OPT_STRING(0, "serve-url", &serve_url, "url",
			"a running mmp serve-api to probe"),
		OPT__JSON(&json),
		OPT__VERBOSITY(&ctx->verbosity),
		OPT_STRING_LIST(0, "check", &only, "name",
			"run only this check (repeatable)"),
		OPT_END()
	};
	mmp_doctor_options o = MMP_DOCTOR_OPTIONS_INIT;
	mmp_config_options co = MMP_CONFIG_OPTIONS_INIT;
	mmp_doctor_report *rep = NULL;
	const char *const *names;
	size_t i, nnames;

	argc = parse_options(argc, argv, opts, doctor_usage, 0);
	if (argc)
		usage_msg_opt("mmp doctor takes no arguments", doctor_usage,
			opts);
	nnames = mmp_doctor_checks(&names);
	for (i = 0; i < only.nr; i++) {
		const char *best;
		char msg[256];

		if (mmp_doctor_check_exists(only.items[i]))
			continue;
		best = closest_check(only.items[i], names, nnames);
		if (best)
			snprintf(msg, sizeof(msg), "unknown check '%s'; did "
				"you mean '%s'?", only.items[i], best);
		else
			snprintf(msg, sizeof(msg), "unknown check '%s'",
				only.items[i]);
		usage_msg_opt(msg, doctor_usage, opts);
	}
	ports = calloc(port_args.nr ? port_args.nr : 1, sizeof(*ports));
	if (!ports)
		die("out of memory");
	for (i = 0; i < port_args.nr; i++) {
		char *end;
		long p = strtol(port_args.items[i], &end, 10);

		if (!*port_args.items[i] || *end || p < 1 || p > 65535) {
			char msg[256];

			snprintf(msg, sizeof(msg), "option '--port' expects a "
				"port number 1-65535, got '%s'",
				port_args.items[i]);
			free(ports);
			usage_msg_opt(msg, doctor_usage, opts);
		}
		ports[i] = (int)p;
	}
	o.ports = ports;
	o.ports_nr = port_args.nr;
	if (tracking_uri) {
		o.tracking_uri = tracking_uri;
		o.tracking_uri_origin = "--tracking-uri";
	}
	o.serve_url = serve_url;
	o.store_path = ctx->store_path;
	co.store_path = ctx->store_path;
	co.env = ctx->env;
	co.overrides = ctx->config_overrides.items;
	co.noverrides = ctx->config_overrides.nr;
	o.config_options = &co;

	if (mmp_doctor_run(&rep, &o, only.items, only.nr) < 0) {
		ret = error_lib("doctor");
		goto done;
	}
	if (json)
		print_json(rep);
	else
		print_human(rep, ctx);
	if (mmp_doctor_report_status(rep) == MMP_DOCTOR_FAIL)
		ret = EXIT_FAIL;
done:
	mmp_doctor_report_free(rep);
	free(ports);
	string_list_release(&port_args);
	string_list_release(&only);
	return ret;
}
