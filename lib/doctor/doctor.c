/* SPDX-License-Identifier: MIT */
/* doctor.c: the list of checks, running them, the report and its results */
#include <stdlib.h>
#include <string.h>

#include "mmp/config.h"
#include "doctor-internal.h"

struct mmp_doctor_report {
	mmp_doctor_result *results;
	size_t nr;
};

static const struct {
	const char *name;
	mmp_doctor__fn fn;
} checks[] = {
	{ "toolchain", mmp_doctor__check_toolchain },
	{ "store", mmp_doctor__check_store },
	{ "config", mmp_doctor__check_config },
	{ "ports", mmp_doctor__check_ports },
	{ "bind", mmp_doctor__check_bind },
	{ "tracking", mmp_doctor__check_tracking },
	{ "artifacts", mmp_doctor__check_artifacts },
	{ "serve", mmp_doctor__check_serve },
	{ "databases", mmp_doctor__check_databases },
};

static const char *const check_names[] = {
	"toolchain", "store", "config", "ports", "bind", "tracking",
	"artifacts", "serve", "databases", NULL
};

int mmp_doctor_options_init(mmp_doctor_options *o, unsigned int version)
{
	mmp_doctor_options init = MMP_DOCTOR_OPTIONS_INIT;

	if (version != MMP_DOCTOR_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"unsupported doctor options version %u", version);
	*o = init;
	return 0;
}

size_t mmp_doctor_checks(const char *const **out)
{
	*out = check_names;
	return ARRAY_SIZE(checks);
}

int mmp_doctor_check_exists(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(checks); i++)
		if (!strcmp(checks[i].name, name))
			return 1;
	return 0;
}

static void vset(char **dst, const char *fmt, va_list ap)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_buf_vprintf(&b, fmt, ap);
	free(*dst);
	*dst = mmp_buf_detach(&b);
}

void mmp_doctor__raise(mmp_doctor_result *r, int status, const char *summary,
	const char *fix_fmt, ...)
{
	va_list ap;

	if (status <= r->status && r->summary)
		return;
	if (status < r->status)
		return;
	r->status = status;
	free(r->summary);
	r->summary = mmp__strdup(summary);
	free(r->fix);
	r->fix = NULL;
	if (fix_fmt) {
		va_start(ap, fix_fmt);
		vset(&r->fix, fix_fmt, ap);
		va_end(ap);
	}
}

void mmp_doctor__summary(mmp_doctor_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(&r->summary, fmt, ap);
	va_end(ap);
}

void mmp_doctor__detail(mmp_doctor_result *r, const char *fmt, ...)
{
	mmp_buf b = MMP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->details = mmp__reallocarray(r->details, r->details_nr + 1,
		sizeof(*r->details));
	r->details[r->details_nr++] = mmp_buf_detach(&b);
}

/* take what the caller left unset from the configuration */
static void fill_from_config(mmp_doctor_options *o, const mmp_config *cfg,
	int **ports)
{
	const mmp_config_entry *e;
	const char *const *items;
	int64_t v;
	size_t n, i;

	if (!o->serve_port && mmp_config_get_int(&v, cfg, "serve.port") == 0)
		o->serve_port = (int)v;
	if (!o->default_ports &&
	    mmp_config_get_list(&items, &n, cfg, "doctor.ports") == 0) {
		*ports = mmp__calloc(n ? n : 1, sizeof(int));
		for (i = 0; i < n; i++)
			if (mmp_parse_int64(items[i], &v) == 0)
				(*ports)[o->default_ports_nr++] = (int)v;
		o->default_ports = *ports;
	}
	if (!o->tracking_uri &&
	    mmp_config_lookup(&e, cfg, "tracking.uri") == 0 && e->is_set &&
	    *e->value) {
		o->tracking_uri = e->value;
		o->tracking_uri_origin = e->origin;
	}
	if (!o->experiment_name &&
	    mmp_config_lookup(&e, cfg, "experiment.name") == 0 &&
	    e->is_set && *e->value)
		o->experiment_name = e->value;
	mmp_error_clear();
}

int mmp_doctor_run(mmp_doctor_report **out, const mmp_doctor_options *opts,
	const char *const *only, size_t only_nr)
{
	mmp_doctor_options eff;
	mmp_doctor_report *rep;
	mmp_doctor__project proj = MMP_DOCTOR__PROJECT_INIT;
	int *ports = NULL;
	size_t i, j;

	*out = NULL;
	for (j = 0; j < only_nr; j++)
		if (!mmp_doctor_check_exists(only[j]))
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
				"unknown check '%s'", only[j] ? only[j] : "");
	if (opts)
		eff = *opts;
	else
		mmp_doctor_options_init(&eff, MMP_DOCTOR_OPTIONS_VERSION);
	proj.o = &eff;
	if (!eff.config)
		eff.config = mmp_doctor__project_config(&proj);
	if (eff.config)
		fill_from_config(&eff, eff.config, &ports);
	opts = &eff;
	rep = mmp__calloc(1, sizeof(*rep));
	rep->results = mmp__calloc(ARRAY_SIZE(checks),
		sizeof(*rep->results));
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		mmp_doctor_result *r;
		int wanted = !only_nr;

		for (j = 0; j < only_nr; j++)
			if (!strcmp(only[j], checks[i].name))
				wanted = 1;
		if (!wanted)
			continue;
		r = &rep->results[rep->nr++];
		r->name = checks[i].name;
		r->status = MMP_DOCTOR_OK;
		checks[i].fn(r, opts, &proj);
		if (!r->summary)
			r->summary = mmp__strdup("ok");
		if (r->status == MMP_DOCTOR_OK) {
			free(r->fix);
			r->fix = NULL;
		}
	}
	mmp_error_clear();
	mmp_doctor__project_release(&proj);
	free(ports);
	*out = rep;
	return 0;
}

size_t mmp_doctor_report_count(const mmp_doctor_report *r)
{
	return r ? r->nr : 0;
}

const mmp_doctor_result *mmp_doctor_report_get(const mmp_doctor_report *r,
	size_t i)
{
	return r && i < r->nr ? &r->results[i] : NULL;
}

int mmp_doctor_report_status(const mmp_doctor_report *r)
{
	int worst = MMP_DOCTOR_OK;
	size_t i;

	for (i = 0; r && i < r->nr; i++)
		if (r->results[i].status > worst)
			worst = r->results[i].status;
	return worst;
}

void mmp_doctor_report_free(mmp_doctor_report *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->nr; i++) {
		mmp_doctor_result *res = &r->results[i];
		free(res->summary);
		for (j = 0; j < res->details_nr; j++)
			free(res->details[j]);
		free(res->details);
		free(res->fix);
	}
	free(r->results);
	free(r);
}

const char *mmp_doctor_status_name(int status)
{
	switch (status) {
	case MMP_DOCTOR_OK:
		return "ok";
	case MMP_DOCTOR_WARN:
		return "warn";
	default:
		return "fail";
	}
}
