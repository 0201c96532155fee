/* SPDX-License-Identifier: MIT */
/* project.c: the store and config checks: the files a project is made of */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "mmp/config.h"
#include "mmp/data.h"
#include "mmp/monitor.h"
#include "mmp/recipe.h"
#include "mmp/registry.h"
#include "mmp/store.h"
#include "mmp/url.h"
#include "doctor-internal.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static void check_disk(mmp_doctor_result *r, const char *dir)
{
	struct statvfs sv;
	double avail;
	mmp_buf s = MMP_BUF_INIT;

	if (statvfs(dir, &sv) < 0) {
		mmp_doctor__detail(r, "free disk space: unknown for '%s'", dir);
		return;
	}
	avail = (double)sv.f_bavail * (double)sv.f_frsize;
	mmp_doctor__detail(r, "free disk space: %.2f GiB in '%s'",
		avail / GIB, dir);
	if (avail < 100.0 * 1024 * 1024) {
		mmp_buf_printf(&s, "only %.0f MiB free where the store lives",
			avail / (1024 * 1024));
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "free disk space "
			"in '%s': SQLite and model artifacts need room", dir);
	} else if (avail < GIB) {
		mmp_buf_printf(&s, "less than 1 GiB free where the store lives "
			"(%.0f MiB)", avail / (1024 * 1024));
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "free disk space "
			"in '%s'", dir);
	}
	mmp_buf_dispose(&s);
}

static void check_writable(mmp_doctor_result *r, const char *dir,
	const char *what)
{
	mmp_buf s = MMP_BUF_INIT;

	if (!mmp_path_is_dir(dir))
		return;
	if (mmp_doctor__write_probe(dir) < 0) {
		mmp_buf_printf(&s, "%s '%s' is not writable: %s", what, dir,
			mmp_error_last()->message);
		mmp_error_clear();
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "make it "
			"writable for this user (chmod u+w '%s') or use a "
			"store in a writable place (--store, MMP_STORE)", dir);
		mmp_doctor__detail(r, "%s", s.ptr);
	} else {
		mmp_doctor__detail(r, "%s '%s' is writable (a temporary file "
			"was written, read back and removed)", what, dir);
	}
	mmp_buf_dispose(&s);
}

void mmp_doctor__check_store(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	mmp_buf path = MMP_BUF_INIT, s = MMP_BUF_INIT, art = MMP_BUF_INIT;
	mmp_store *st = NULL;
	mmp_store_health h;
	const char *dir;
	int err;

	MMP_UNUSED(p);
	if ((err = mmp_store_locate(&path, o->store_path)) < 0) {
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, mmp_error_last()->message,
			"run 'mmp init' in the project directory, or point "
			"--store or MMP_STORE at an existing store");
		mmp_error_clear();
		goto done;
	}
	mmp_doctor__detail(r, "store: %s", path.ptr);
	err = mmp_store_open(&st, path.ptr, MMP_STORE_READONLY |
		MMP_STORE_NO_REAP);
	if (err < 0) {
		mmp_buf_printf(&s, "cannot open the store '%s': %s", path.ptr,
			mmp_error_last()->message);
		mmp_error_clear();
		if (err == MMP_EVERSION)
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the "
				"store "
				"was written by a newer mmp: upgrade mmp");
		else if (err == MMP_ELOCKED)
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "another "
				"process holds the store locked: wait for it, "
				"or find it with fuser '%s'", path.ptr);
		else
			mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the file "
				"is damaged or not an mmp store: restore it "
				"from a backup, salvage it with sqlite3 '%s' "
				".recover, "
				"or move it away and run 'mmp init'", path.ptr);
		goto done;
	}
	dir = mmp_store_dir(st);
	if ((err = mmp_store_health_get(&h, st)) < 0) {
		mmp_buf_printf(&s, "cannot read the store '%s': %s", path.ptr,
			mmp_error_last()->message);
		mmp_error_clear();
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "the file is "
			"damaged: restore it from a backup or salvage it with "
			"sqlite3 '%s' .recover", path.ptr);
		goto done;
	}
	mmp_doctor__detail(r, "schema version %d (this mmp: %d)",
		h.schema_version, h.schema_supported);
	mmp_doctor__detail(r, "integrity_check: %s", h.integrity);
	mmp_doctor__detail(r, "journal mode: %s", h.journal_mode);
	mmp_doctor__detail(r, "runs: %lld, running: %lld, from dead "
		"processes: %lld", (long long)h.runs, (long long)h.running,
		(long long)h.dead);
	if (strcmp(h.integrity, "ok")) {
		mmp_buf_printf(&s, "integrity_check of '%s' failed: %s",
			path.ptr, h.integrity);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, "restore the "
			"store from a backup, or salvage it with sqlite3 '%s' "
			".recover", path.ptr);
	}
	if (h.schema_version < h.schema_supported) {
		mmp_buf_clear(&s);
		mmp_buf_printf(&s, "schema version %d is older than this mmp's "
			"%d", h.schema_version, h.schema_supported);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "the next mmp "
			"command that writes to the store migrates it");
	}
	if (strcmp(h.journal_mode, "wal")) {
		mmp_buf_clear(&s);
		mmp_buf_printf(&s, "journal mode is %s, not wal: readers and "
			"the writer block each other", h.journal_mode);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "sqlite3 '%s' "
			"'PRAGMA journal_mode=WAL' (mmp sets it whenever it "
			"opens the store for writing)", path.ptr);
	}
	if (h.dead) {
		mmp_buf_clear(&s);
		mmp_buf_printf(&s, "%lld run%s stuck in RUNNING from processes "
			"that died", (long long)h.dead, h.dead == 1 ? "" : "s");
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "the next mmp "
			"command that writes to the store marks them FAILED");
	}
	check_writable(r, dir, "store directory");
	mmp_path_join(&art, dir, "artifacts");
	check_writable(r, art.ptr, "artifact directory");
	check_disk(r, dir);
	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, "%s: schema %d, integrity ok, wal, "
			"%lld runs", path.ptr, h.schema_version,
			(long long)h.runs);
done:
	mmp_store_free(st);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&s);
	mmp_buf_dispose(&art);
}

static void report_diags(mmp_doctor_result *r, mmp_diag_list *diags,
	const char *what, const char *fix)
{
	size_t i, n = mmp_diag_list_count(diags);

	for (i = 0; i < n; i++)
		mmp_doctor__detail(r, "%s", mmp_diag_list_get(diags, i)->
			message);
	if (n)
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL,
			mmp_diag_list_get(diags, 0)->message, "%s", fix);
	else
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, what, "%s", fix);
}

static void config_options(mmp_config_options *co,
	const mmp_doctor_options *o);

static int yaml_name(const char *name)
{
	return name[0] != '.' && (mmp_str_ends_with(name, ".yaml") ||
		mmp_str_ends_with(name, ".yml"));
}

/* the sorted YAML files of `dir`; the caller frees each and the array */
static size_t list_yaml(char ***out, const char *dir)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), i;
	size_t k = 0;

	*out = NULL;
	if (n < 0)
		return 0;
	*out = mmp__calloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		if (yaml_name(ents[i]->d_name))
			(*out)[k++] = mmp__strdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return k;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void mmp_doctor__check_config(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	const mmp_config *cfg = mmp_doctor__project_config(p);
	const mmp_doctor__recipe *recs;
	mmp_config_options co, eo;
	mmp_config *envcfg = NULL;
	mmp_diag_list *diags = NULL;
	mmp_buf dir = MMP_BUF_INIT, file = MMP_BUF_INIT;
	char **names = NULL;
	size_t n, i, nconf = 0, nrec = 0;
	const char *env;

	if (!cfg) {
		report_diags(r, p->diags, p->error, "correct the value at the "
			"file and line named above (mmp help config lists the "
			"keys)");
		return;
	}
	config_options(&co, o);
	env = mmp_config_env(cfg);
	mmp_doctor__detail(r, "project: %s%s%s", mmp_config_project_dir(cfg),
		env ? ", environment " : "", env ? env : "");
	n = mmp_config_entry_count(cfg);
	for (i = 0; i < n; i++) {
		const mmp_config_entry *e = mmp_config_entry_at(cfg, i);
		if (e->is_set) {
			mmp_buf origin = MMP_BUF_INIT;
			mmp_buf_clear(&file);
			mmp_url_redact(&file, e->value);
			mmp_url_redact(&origin, e->origin);
			mmp_doctor__detail(r, "%s = %s (%s)", e->key, file.ptr,
				origin.ptr);
			mmp_buf_dispose(&origin);
		}
	}
	/* every configs/<env>.yaml, not only the one in use */
	mmp_path_join(&dir, mmp_config_project_dir(cfg), "configs");
	n = list_yaml(&names, dir.ptr);
	for (i = 0; i < n; i++) {
		size_t len = strcspn(names[i], ".");
		char *name = mmp__strndup(names[i], len);

		nconf++;
		if (!strcmp(name, "approval")) {
			/* the approval policy, not an environment overlay */
			mmp_approval_policy *pol = NULL;

			mmp_buf_clear(&file);
			mmp_path_join(&file, dir.ptr, names[i]);
			if (mmp_approval_policy_load(&pol, &diags,
			    file.ptr) < 0) {
				report_diags(r, diags,
					mmp_error_last()->message,
					"correct the policy at the file and "
					"line named above (see mmp-approve(1))");
				mmp_error_clear();
				mmp_diag_list_free(diags);
				diags = NULL;
			}
			mmp_approval_policy_free(pol);
		} else if (!strcmp(name, "monitor")) {
			/* mmp monitor's thresholds, not an overlay either */
			mmp_monitor_thresholds t;

			mmp_buf_clear(&file);
			mmp_path_join(&file, dir.ptr, names[i]);
			if (mmp_monitor_thresholds_load(&t, &diags,
			    file.ptr) < 0) {
				report_diags(r, diags,
					mmp_error_last()->message,
					"correct the threshold at the file and "
					"line named above (see mmp-monitor(1))");
				mmp_error_clear();
				mmp_diag_list_free(diags);
				diags = NULL;
			}
		} else if (strcmp(name, "base") &&
		    (!env || strcmp(name, env))) {
			eo = co;
			eo.env = name;
			if (mmp_config_load(&envcfg, &diags, &eo) < 0) {
				report_diags(r, diags,
					mmp_error_last()->message,
					"correct the value at the file and "
					"line named above");
				mmp_error_clear();
				mmp_diag_list_free(diags);
				diags = NULL;
			}
			mmp_config_free(envcfg);
			envcfg = NULL;
		}
		free(name);
	}
	free_list(names, n);
	n = mmp_doctor__project_recipes(&recs, p);
	for (i = 0; i < n; i++) {
		nrec++;
		if (!recs[i].recipe)
			report_diags(r, recs[i].diags, recs[i].error,
				"correct the recipe at the file and line named "
				"above");
		else
			mmp_doctor__detail(r, "recipe %s: valid",
				recs[i].file);
	}
	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, "%zu config file%s and %zu recipe%s "
			"valid%s%s", nconf, nconf == 1 ? "" : "s", nrec,
			nrec == 1 ? "" : "s", env ? "; environment " : "",
			env ? env : "");
	mmp_diag_list_free(diags);
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&file);
}

/* one recipe's database: reachable, login, version, EXPLAIN */
static void check_database(mmp_doctor_result *r, const char *file,
	const mmp_recipe *rec)
{
	mmp_source src = MMP_SOURCE_INIT;
	mmp_source_check_result c;
	mmp_buf s = MMP_BUF_INIT;

	src.location = rec->data.source_abs;
	src.query = rec->data.query;
	src.table = rec->data.table;
	if (mmp_source_check(&c, &src) < 0) {
		mmp_buf_printf(&s, "recipe %s: %s", file,
			mmp_error_last()->message);
		mmp_error_clear();
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, s.ptr, "this mmp cannot "
			"check %s sources", mmp_source_kind_name(
			mmp_source_kind_of(src.location)));
		mmp_doctor__detail(r, "%s", s.ptr);
		mmp_buf_dispose(&s);
		return;
	}
	if (mmp_source_kind_of(src.location) == MMP_SOURCE_SQLITE)
		mmp_doctor__detail(r, "recipe %s: %s: %s, %s%s%s", file,
			c.location, c.reached ? "opens read-only" :
			"does not open", c.parsed ? "the query compiles" :
			"the query is not checked", c.server_version ? ", " :
			"", c.server_version ? c.server_version : "");
	else
		mmp_doctor__detail(r, "recipe %s: %s: %s, %s, %s%s%s", file,
			c.location, c.reached ? "reachable" : "unreachable",
			c.authenticated ? "logged in" : "no login",
			c.parsed ? "the query parses (EXPLAIN)" : "the query "
			"is not checked", c.server_version ? ", " : "",
			c.server_version ? c.server_version : "");
	if (c.error) {
		mmp_buf_printf(&s, "recipe %s: %s: %s", file, c.location,
			c.error);
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, s.ptr, !c.reached &&
			mmp_source_kind_of(src.location) == MMP_SOURCE_SQLITE ?
			"check the path in data.source (sqlite:///absolute or "
			"sqlite:relative to the working directory)" :
			!c.reached ?
			"check the host and port of data.source, and that the "
			"server accepts connections from here" :
			!c.authenticated ? "check the user and the password "
			"(PGPASSWORD, ~/.pgpass or a ${VAR} in data.source) "
			"and the database name" : "correct data.query or "
			"data.table of the recipe");
		mmp_doctor__detail(r, "%s", s.ptr);
	}
	mmp_buf_dispose(&s);
	mmp_source_check_release(&c);
}

void mmp_doctor__check_databases(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	const mmp_doctor__recipe *recs;
	size_t n, i, ndb = 0;

	MMP_UNUSED(o);
	if (!mmp_doctor__project_config(p)) {
		/* the config check reports it */
		mmp_doctor__summary(r, "no configuration to find recipes by");
		return;
	}
	n = mmp_doctor__project_recipes(&recs, p);
	for (i = 0; i < n; i++) {
		/* one that does not load: the config check reports it */
		if (recs[i].recipe && mmp_source_kind_of(
		    recs[i].recipe->data.source_abs) != MMP_SOURCE_FILE) {
			ndb++;
			check_database(r, recs[i].file, recs[i].recipe);
		}
	}
	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, ndb ? "%zu database source%s "
			"reachable, logged in, queries parse" :
			"no recipe reads a database", ndb, ndb == 1 ? "" : "s");
}

/* --- the project's configuration and recipes, read once per run --- */

static void config_options(mmp_config_options *co,
	const mmp_doctor_options *o)
{
	mmp_config_options init = MMP_CONFIG_OPTIONS_INIT;

	*co = o->config_options ? *o->config_options : init;
	if (!co->project_dir)
		co->project_dir = o->project_dir;
	if (!co->store_path)
		co->store_path = o->store_path;
}

const mmp_config *mmp_doctor__project_config(mmp_doctor__project *p)
{
	mmp_config_options co;

	if (p->config_read)
		return p->config;
	p->config_read = 1;
	config_options(&co, p->o);
	if (mmp_config_load(&p->config, &p->diags, &co) < 0) {
		p->error = mmp__strdup(mmp_error_last()->message);
		mmp_error_clear();
	}
	return p->config;
}

size_t mmp_doctor__project_recipes(const mmp_doctor__recipe **out,
	mmp_doctor__project *p)
{
	mmp_buf dir = MMP_BUF_INIT, file = MMP_BUF_INIT;
	char **names = NULL;
	size_t n, i;

	if (!p->recipes_read && mmp_doctor__project_config(p)) {
		p->recipes_read = 1;
		mmp_path_join(&dir, mmp_config_project_dir(p->config),
			"recipes");
		n = list_yaml(&names, dir.ptr);
		p->recipes = mmp__calloc(n ? n : 1, sizeof(*p->recipes));
		for (i = 0; i < n; i++) {
			mmp_recipe_options ro = MMP_RECIPE_OPTIONS_INIT;
			mmp_doctor__recipe *d = &p->recipes[i];

			ro.config = p->config;
			mmp_path_join(&file, dir.ptr, names[i]);
			d->file = mmp_buf_detach(&file);
			if (mmp_recipe_load(&d->recipe, &d->diags, d->file,
			    &ro) < 0) {
				d->error = mmp__strdup(
					mmp_error_last()->message);
				mmp_error_clear();
			}
		}
		p->nrecipes = n;
		free_list(names, n);
		mmp_buf_dispose(&dir);
	}
	*out = p->recipes;
	return p->nrecipes;
}

void mmp_doctor__project_release(mmp_doctor__project *p)
{
	mmp_doctor__project init = MMP_DOCTOR__PROJECT_INIT;
	size_t i;

	for (i = 0; i < p->nrecipes; i++) {
		free(p->recipes[i].file);
		mmp_recipe_free(p->recipes[i].recipe);
		mmp_diag_list_free(p->recipes[i].diags);
		free(p->recipes[i].error);
	}
	free(p->recipes);
	mmp_config_free(p->config);
	mmp_diag_list_free(p->diags);
	free(p->error);
	*p = init;
}
