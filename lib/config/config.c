/* SPDX-License-Identifier: MIT */
/* config.c: the registry of configuration keys and the layered loader */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp/url.h"
#include "config-internal.h"

/* the largest configuration file read */
#define CONFIG_MAX_BYTES (1024 * 1024)

static const char *const push_values[] = { "never", "auto", NULL };
static const char *const progress_values[] = {
	"auto", "always", "never", NULL
};
static const char *const level_values[] = {
	"error", "warning", "info", "debug", NULL
};
static const char *const level_aliases[] = { "warn", "warning", NULL };

#define R_MIN MMP_SKEY_MIN
#define R_BOTH (MMP_SKEY_MIN | MMP_SKEY_MAX)

/* every configuration key, sorted by path */
static const struct mmp_skey registry[] = {
	{ "data.delimiter", MMP_CONFIG_CHAR, 0, ",", 0, 0, NULL, NULL,
	  "field delimiter of CSV data files" },
	{ "data.na_values", MMP_CONFIG_STRLIST, 0, "[\"\", NA, NaN, null]",
	  0, 0, NULL, NULL, "cell texts read as missing values" },
	{ "doctor.ports", MMP_CONFIG_INTLIST, R_BOTH, "[5000, 8000]", 1, 65535,
	  NULL, NULL, "TCP ports mmp doctor checks are free" },
	{ "experiment.name", MMP_CONFIG_STRING, 0, "Default", 0, 0, NULL, NULL,
	  "experiment of runs whose recipe names none" },
	{ "log.level", MMP_CONFIG_ENUM, 0, "info", 0, 0, level_values,
	  level_aliases, "least severe log level written: error, warning, "
	  "info or debug" },
	{ "serve.host", MMP_CONFIG_STRING, 0, "127.0.0.1", 0, 0, NULL, NULL,
	  "address mmp serve-api binds to" },
	{ "serve.max_body", MMP_CONFIG_SIZE, R_BOTH, "8MiB", 1,
	  1024.0 * 1024 * 1024, NULL, NULL,
	  "largest request body serve-api accepts, in bytes" },
	{ "serve.max_per_client", MMP_CONFIG_INT, R_BOTH, "64", 1, 65535,
	  NULL, NULL, "connections serve-api keeps open at once from one "
	  "client address" },
	{ "serve.monitor.enabled", MMP_CONFIG_BOOL, 0, "true", 0, 0, NULL,
	  NULL, "profile live requests when the model has profile.json" },
	{ "serve.monitor.flush_interval", MMP_CONFIG_INT, R_BOTH, "60", 1,
	  86400, NULL, NULL,
	  "seconds between writes of the live profiles to the store" },
	{ "serve.monitor.id_field", MMP_CONFIG_STRING, 0, "", 0, 0, NULL, NULL,
	  "request field naming the entity a prediction is logged under" },
	{ "serve.monitor.window", MMP_CONFIG_INT, R_BOTH, "3600", 60, 604800,
	  NULL, NULL, "seconds of one live profile window" },
	{ "serve.port", MMP_CONFIG_INT, R_BOTH, "8000", 0, 65535, NULL, NULL,
	  "TCP port mmp serve-api listens on (0: any free port)" },
	{ "serve.request_timeout", MMP_CONFIG_INT, R_BOTH, "30", 1, 86400,
	  NULL, NULL, "seconds serve-api gives a request to arrive whole" },
	{ "serve.threads", MMP_CONFIG_INT, R_BOTH, "0", 0, 1024, NULL, NULL,
	  "worker threads of serve-api (0: one per core)" },
	{ "store.busy_timeout_ms", MMP_CONFIG_INT, R_BOTH, "10000", 0,
	  86400000, NULL, NULL,
	  "how long to wait for a locked store, in milliseconds" },
	{ "tracking.push", MMP_CONFIG_ENUM, 0, "never", 0, 0, push_values, NULL,
	  "push runs to the tracking server: never or auto (after each run)" },
	{ "tracking.uri", MMP_CONFIG_STRING, 0, NULL, 0, 0, NULL, NULL,
	  "MLflow tracking server URI (also $MLFLOW_TRACKING_URI)" },
	{ "train.progress", MMP_CONFIG_ENUM, 0, "auto", 0, 0, progress_values,
	  NULL, "progress meter of train and tune: auto, always or never" },
	{ "train.threads", MMP_CONFIG_INT, R_BOTH, "0", 0, 1024, NULL, NULL,
	  "XGBoost threads for training (0: all cores)" },
};

#define NKEYS ARRAY_SIZE(registry)

struct value {
	char *text;
	char *origin;
	char **items;
	size_t nitems;
	bool is_set;
};

struct mmp_config {
	char *project_dir;
	char *env;
	struct value values[NKEYS];
	mmp_config_entry entries[NKEYS];
};

const char *mmp_config_type_name(mmp_config_type t)
{
	switch (t) {
	case MMP_CONFIG_STRING: return "string";
	case MMP_CONFIG_INT: return "int";
	case MMP_CONFIG_FLOAT: return "float";
	case MMP_CONFIG_BOOL: return "bool";
	case MMP_CONFIG_ENUM: return "enum";
	case MMP_CONFIG_SIZE: return "size";
	case MMP_CONFIG_CHAR: return "char";
	case MMP_CONFIG_STRLIST: return "list of strings";
	case MMP_CONFIG_INTLIST: return "list of integers";
	}
	return "unknown";
}

int mmp_config_options_init(mmp_config_options *o, unsigned int version)
{
	mmp_config_options init = MMP_CONFIG_OPTIONS_INIT;

	if (version != MMP_CONFIG_OPTIONS_VERSION)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"unsupported configuration options version %u",
			version);
	*o = init;
	return 0;
}

static void value_release(struct value *v)
{
	size_t i;

	for (i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	free(v->text);
	free(v->origin);
	memset(v, 0, sizeof(*v));
}

/* take over the converted value `cv` as the value of key `idx` */
static void set_value(mmp_config *cfg, size_t idx, struct mmp_cvalue *cv,
	const char *origin)
{
	struct value *v = &cfg->values[idx];

	value_release(v);
	v->text = cv->text;
	v->items = cv->items;
	v->nitems = cv->nitems;
	v->origin = mmp__strdup(origin);
	v->is_set = true;
	memset(cv, 0, sizeof(*cv));
}

static size_t key_index(const struct mmp_skey *k)
{
	return (size_t)(k - registry);
}

/* --- file layers --- */

struct file_layer {
	mmp_config *cfg;
	const char *display;
};

static void file_value(void *payload, const struct mmp_skey *k,
	const mmp_ynode *n, struct mmp_cvalue *v)
{
	struct file_layer *fl = payload;
	mmp_buf origin = MMP_BUF_INIT;

	mmp_buf_printf(&origin, "file:%s:%d", fl->display, n->key_line);
	set_value(fl->cfg, key_index(k), v, origin.ptr);
	mmp_buf_dispose(&origin);
}

/*
 * Apply the file at `path`, named `display` in messages. A missing file
 * is skipped unless `must_exist`. Problems go to `diags`; returns 0, or
 * MMP_ERROR for an unreadable file (last error set).
 */
static int apply_file(mmp_config *cfg, const char *path, const char *display,
	bool must_exist, const char *env, mmp_diag_list *diags)
{
	mmp_buf text = MMP_BUF_INIT;
	mmp_ynode *root = NULL;
	struct file_layer fl = { cfg, display };
	int error;

	error = mmp_file_read(&text, path, CONFIG_MAX_BYTES);
	if (error == MMP_ENOTFOUND) {
		mmp_error_clear();
		if (must_exist)
			mmp_config__diag_add(diags, display, 0, 0, NULL,
				"no configuration file for environment '%s'",
				env);
		error = 0;
		goto done;
	}
	if (error < 0) {
		if (error == MMP_EINVALID) {
			mmp_config__diag_add(diags, display, 0, 0, NULL, "%s",
				mmp_error_last()->message);
			error = 0;
		}
		goto done;
	}
	if (mmp_config__yaml_load(&root, display, text.ptr, text.size,
	    MMP_YAML_INTERPOLATE, diags) < 0)
		goto done;
	mmp_config__validate(root, registry, NKEYS, diags, file_value, &fl);

done:
	mmp_config__ynode_free(root);
	mmp_buf_dispose(&text);
	return error;
}

/* --- environment and command-line layers --- */

/* convert a value given as text (env, -c) for key k and set it */
static void apply_text(mmp_config *cfg, const struct mmp_skey *k,
	const char *text, const char *where, const char *origin,
	mmp_diag_list *diags)
{
	mmp_ynode *n = NULL;
	struct mmp_cvalue cv;
	mmp_buf why = MMP_BUF_INIT;

	if (mmp_config__yaml_value(&n, where, text, diags) < 0)
		return;
	if (n->type == MMP_YNODE_SCALAR && n->is_null &&
	    k->type != MMP_CONFIG_STRING)
		goto done;   /* empty: leave the weaker layers' value */
	if (n->is_null) {
		free(n->value);
		n->value = mmp__strdup("");
	}
	if (mmp_config__convert(&cv, k, n, &why) < 0)
		mmp_config__diag_add(diags, where, 0, 0, k->path, "%s",
			why.ptr);
	else
		set_value(cfg, key_index(k), &cv, origin);
done:
	mmp_buf_dispose(&why);
	mmp_config__ynode_free(n);
}

/* MMP_SERVE_PORT for serve.port */
static void env_name(mmp_buf *out, const char *key)
{
	mmp_buf_clear(out);
	mmp_buf_puts(out, "MMP_");
	for (; *key; key++)
		mmp_buf_putc(out, *key == '.' ? '_' :
			toupper((unsigned char)*key));
}

static void apply_environment(mmp_config *cfg, mmp_diag_list *diags)
{
	mmp_buf name = MMP_BUF_INIT, where = MMP_BUF_INIT;
	const char *v;
	size_t i;

	v = getenv("MLFLOW_TRACKING_URI");
	if (v && *v)
		apply_text(cfg, mmp_config__skey_find(registry, NKEYS,
			"tracking.uri"), v, "env:MLFLOW_TRACKING_URI",
			"env:MLFLOW_TRACKING_URI", diags);
	for (i = 0; i < NKEYS; i++) {
		env_name(&name, registry[i].path);
		v = getenv(name.ptr);
		if (!v)
			continue;
		mmp_buf_clear(&where);
		mmp_buf_printf(&where, "env:%s", name.ptr);
		apply_text(cfg, &registry[i], v, where.ptr, where.ptr, diags);
	}
	mmp_buf_dispose(&name);
	mmp_buf_dispose(&where);
}

static void unknown_key(mmp_diag_list *diags, const char *where,
	const char *key)
{
	const char *names[NKEYS];
	const char *best;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		names[i] = registry[i].path;
	best = mmp_str_closest(key, names, NKEYS);
	if (best)
		mmp_config__diag_add(diags, where, 0, 0, NULL,
			"unknown key '%s'; did you mean '%s'?", key, best);
	else
		mmp_config__diag_add(diags, where, 0, 0, NULL,
			"unknown key '%s'", key);
}

static void apply_override(mmp_config *cfg, const char *ov,
	mmp_diag_list *diags)
{
	mmp_buf where = MMP_BUF_INIT, origin = MMP_BUF_INIT;
	const char *eq = strchr(ov, '=');
	const struct mmp_skey *k;
	char *key;

	mmp_buf_printf(&where, "-c %s", ov);
	/* the origin is shown (doctor, config --show-origin): no secrets */
	mmp_buf_puts(&origin, "command line: -c ");
	mmp_url_redact(&origin, ov);
	if (!eq || eq == ov) {
		mmp_config__diag_add(diags, where.ptr, 0, 0, NULL,
			"expected <key>=<value>");
		goto done;
	}
	key = mmp__strndup(ov, (size_t)(eq - ov));
	k = mmp_config__skey_find(registry, NKEYS, key);
	if (!k)
		unknown_key(diags, where.ptr, key);
	else
		apply_text(cfg, k, eq + 1, where.ptr, origin.ptr, diags);
	free(key);
done:
	mmp_buf_dispose(&where);
	mmp_buf_dispose(&origin);
}

/* --- the project directory --- */

static bool basename_is(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, name);
}

/*
 * The project of a store given as the database file (.mmp/mmp.db), the
 * .mmp directory, or the directory holding .mmp: the directory that
 * holds .mmp (or the database's directory when it is not called .mmp).
 */
static void project_from_store(mmp_buf *out, const char *abs)
{
	mmp_buf dir = MMP_BUF_INIT;

	if (mmp_path_is_dir(abs)) {
		if (basename_is(abs, ".mmp"))
			mmp_path_dirname(out, abs);
		else
			mmp_buf_puts(out, abs);
		return;
	}
	mmp_path_dirname(&dir, abs);
	if (basename_is(dir.ptr, ".mmp"))
		mmp_path_dirname(out, dir.ptr);
	else
		mmp_buf_puts(out, dir.ptr);
	mmp_buf_dispose(&dir);
}

static int find_project_dir(mmp_buf *out, const mmp_config_options *o)
{
	const char *store = o->store_path;
	mmp_buf abs = MMP_BUF_INIT, probe = MMP_BUF_INIT;
	int error = 0;

	if (o->project_dir)
		return mmp_path_absolute(out, o->project_dir);
	if (!store || !*store)
		store = getenv("MMP_STORE");
	if (store && *store) {
		if ((error = mmp_path_absolute(&abs, store)) < 0)
			goto done;
		project_from_store(out, abs.ptr);
		goto done;
	}
	if ((error = mmp_path_absolute(&abs, ".")) < 0)
		goto done;
	for (;;) {
		mmp_buf_clear(&probe);
		mmp_path_join(&probe, abs.ptr, ".mmp");
		if (mmp_path_is_dir(probe.ptr)) {
			mmp_buf_puts(out, abs.ptr);
			goto done;
		}
		if (!strcmp(abs.ptr, "/"))
			break;
		mmp_buf_clear(&probe);
		mmp_path_dirname(&probe, abs.ptr);
		mmp_buf_clear(&abs);
		mmp_buf_puts(&abs, probe.ptr);
	}
	error = mmp_path_absolute(out, ".");
done:
	mmp_buf_dispose(&abs);
	mmp_buf_dispose(&probe);
	return error;
}

static bool valid_env_name(const char *s)
{
	const char *p;

	if (!*s || *s == '.' || *s == '-')
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.')
			return false;
	return true;
}

static void user_config_path(mmp_buf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		mmp_buf_printf(out, "%s/mmp/config.yaml", xdg);
	else if (home && *home)
		mmp_buf_printf(out, "%s/.config/mmp/config.yaml", home);
}

static void set_defaults(mmp_config *cfg, mmp_diag_list *diags)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		mmp_ynode *n = NULL;
		struct mmp_cvalue cv;
		mmp_buf why = MMP_BUF_INIT;

		if (!registry[i].def)
			continue;
		if (mmp_config__yaml_value(&n, "default", registry[i].def,
		    diags) == 0 && mmp_config__convert(&cv, &registry[i], n,
		    &why) == 0)
			set_value(cfg, i, &cv, "default");
		else
			mmp_config__diag_add(diags, "default", 0, 0,
				registry[i].path, "%s", why.ptr);
		mmp_config__ynode_free(n);
		mmp_buf_dispose(&why);
	}
}

static void fill_entries(mmp_config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		struct value *v = &cfg->values[i];
		mmp_config_entry *e = &cfg->entries[i];

		if (!v->is_set) {
			v->text = mmp__strdup("");
			v->origin = mmp__strdup("default");
		}
		e->key = registry[i].path;
		e->type = (mmp_config_type)registry[i].type;
		e->value = v->text;
		e->origin = v->origin;
		e->doc = registry[i].doc;
		e->items = (const char *const *)v->items;
		e->nitems = v->nitems;
		e->is_set = v->is_set;
	}
}

int mmp_config_load(mmp_config **out, mmp_diag_list **diags_out,
	const mmp_config_options *opts)
{
	mmp_config_options defaults = MMP_CONFIG_OPTIONS_INIT;
	const mmp_config_options *o = opts ? opts : &defaults;
	mmp_diag_list *diags = mmp_config__diags_new();
	mmp_buf dir = MMP_BUF_INIT, path = MMP_BUF_INIT, disp = MMP_BUF_INIT;
	const char *env = o->env, *nosys = getenv("MMP_CONFIG_NOSYSTEM");
	mmp_config *cfg = NULL;
	size_t i;
	int error;

	*out = NULL;
	if (diags_out)
		*diags_out = NULL;
	if (o->version != MMP_CONFIG_OPTIONS_VERSION) {
		error = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"unsupported configuration options version %u",
			o->version);
		goto done;
	}
	if (!env)
		env = getenv("MMP_ENV");
	if (env && !*env)
		env = NULL;
	if ((error = find_project_dir(&dir, o)) < 0)
		goto done;

	cfg = mmp__calloc(1, sizeof(*cfg));
	cfg->project_dir = mmp__strdup(dir.ptr);
	cfg->env = mmp__strdup_or_null(env);
	set_defaults(cfg, diags);

	if (!o->no_system && !(nosys && *nosys)) {
		user_config_path(&path);
		if (path.size && (error = apply_file(cfg, path.ptr, path.ptr,
		    false, NULL, diags)) < 0)
			goto done;
	}
	mmp_buf_clear(&path);
	mmp_path_join(&path, dir.ptr, "configs/base.yaml");
	if ((error = apply_file(cfg, path.ptr, "configs/base.yaml", false,
	    NULL, diags)) < 0)
		goto done;
	if (env && !valid_env_name(env)) {
		mmp_config__diag_add(diags, NULL, 0, 0, NULL,
			"invalid environment name '%s'", env);
	} else if (env) {
		mmp_buf_printf(&disp, "configs/%s.yaml", env);
		mmp_buf_clear(&path);
		mmp_path_join(&path, dir.ptr, disp.ptr);
		if ((error = apply_file(cfg, path.ptr, disp.ptr, true, env,
		    diags)) < 0)
			goto done;
	}
	apply_environment(cfg, diags);
	for (i = 0; i < o->noverrides; i++)
		apply_override(cfg, o->overrides[i], diags);
	fill_entries(cfg);

	if (diags->nr) {
		error = mmp_config__diags_error(diags, MMP_ERROR_CONFIG);
		if (diags_out) {
			*diags_out = diags;
			diags = NULL;
		}
		goto done;
	}
	*out = cfg;
	cfg = NULL;
	error = 0;

done:
	mmp_config_free(cfg);
	mmp_diag_list_free(diags);
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&disp);
	return error;
}

void mmp_config_free(mmp_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < NKEYS; i++)
		value_release(&cfg->values[i]);
	free(cfg->project_dir);
	free(cfg->env);
	free(cfg);
}

const char *mmp_config_project_dir(const mmp_config *cfg)
{
	return cfg->project_dir;
}

const char *mmp_config_env(const mmp_config *cfg)
{
	return cfg->env;
}

int mmp_config_lookup(const mmp_config_entry **out, const mmp_config *cfg,
	const char *key)
{
	const char *names[NKEYS];
	const char *best;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (!strcmp(registry[i].path, key)) {
			*out = &cfg->entries[i];
			return 0;
		}
		names[i] = registry[i].path;
	}
	best = mmp_str_closest(key, names, NKEYS);
	if (best)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
			"unknown configuration key '%s'; did you mean '%s'?",
			key, best);
	return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
		"unknown configuration key '%s'", key);
}

int mmp_config_get_string(const char **out, const mmp_config *cfg,
	const char *key)
{
	const mmp_config_entry *e;
	int error;

	if ((error = mmp_config_lookup(&e, cfg, key)) < 0)
		return error;
	*out = e->value;
	return 0;
}

static int typed_entry(const mmp_config_entry **out, const mmp_config *cfg,
	const char *key, mmp_config_type a, mmp_config_type b)
{
	const mmp_config_entry *e;
	int error;

	if ((error = mmp_config_lookup(&e, cfg, key)) < 0)
		return error;
	if (e->type != a && e->type != b)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"configuration key '%s' is a %s", key,
			mmp_config_type_name(e->type));
	if (!e->is_set)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"configuration key '%s' has no value", key);
	*out = e;
	return 0;
}

int mmp_config_get_int(int64_t *out, const mmp_config *cfg, const char *key)
{
	const mmp_config_entry *e = NULL;
	int error;

	if ((error = typed_entry(&e, cfg, key, MMP_CONFIG_INT,
	    MMP_CONFIG_SIZE)) < 0)
		return error;
	return mmp_parse_int64(e->value, out);
}

int mmp_config_get_double(double *out, const mmp_config *cfg,
	const char *key)
{
	const mmp_config_entry *e = NULL;
	int error;

	if ((error = typed_entry(&e, cfg, key, MMP_CONFIG_FLOAT,
	    MMP_CONFIG_INT)) < 0)
		return error;
	return mmp_parse_double(e->value, out);
}

int mmp_config_get_bool(bool *out, const mmp_config *cfg, const char *key)
{
	const mmp_config_entry *e = NULL;
	int error;

	if ((error = typed_entry(&e, cfg, key, MMP_CONFIG_BOOL,
	    MMP_CONFIG_BOOL)) < 0)
		return error;
	*out = !strcmp(e->value, "true");
	return 0;
}

int mmp_config_get_list(const char *const **items, size_t *n,
	const mmp_config *cfg, const char *key)
{
	const mmp_config_entry *e = NULL;
	int error;

	if ((error = typed_entry(&e, cfg, key, MMP_CONFIG_STRLIST,
	    MMP_CONFIG_INTLIST)) < 0)
		return error;
	*items = e->items;
	*n = e->nitems;
	return 0;
}

size_t mmp_config_entry_count(const mmp_config *cfg)
{
	(void)cfg;
	return NKEYS;
}

const mmp_config_entry *mmp_config_entry_at(const mmp_config *cfg,
	size_t i)
{
	return i < NKEYS ? &cfg->entries[i] : NULL;
}
