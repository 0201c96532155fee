/* SPDX-License-Identifier: MIT */
/* t-config.c: layered configuration: defaults, files, env, -c, errors */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/config.h"
#include "util/util.h"
#include "tap.h"

static char proj[512];

static void write_file(const char *rel, const char *text)
{
	mmp_buf path = MMP_BUF_INIT, dir = MMP_BUF_INIT;

	mmp_path_join(&path, proj, rel);
	mmp_path_dirname(&dir, path.ptr);
	mmp_mkdir_p(dir.ptr, 0755);
	if (mmp_file_write_atomic(path.ptr, text, strlen(text)) < 0)
		diag("cannot write %s: %s", path.ptr,
			mmp_error_last()->message);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&dir);
}

static void remove_file(const char *rel)
{
	mmp_buf path = MMP_BUF_INIT;

	mmp_path_join(&path, proj, rel);
	unlink(path.ptr);
	mmp_buf_dispose(&path);
}

/* load with the project dir, an env and overrides; diags kept */
static int load(mmp_config **cfg, mmp_diag_list **diags, const char *env,
	const char *const *ov, size_t nov)
{
	mmp_config_options o = MMP_CONFIG_OPTIONS_INIT;

	o.project_dir = proj;
	o.env = env;
	o.overrides = ov;
	o.noverrides = nov;
	o.no_system = true;
	return mmp_config_load(cfg, diags, &o);
}

static const char *value(const mmp_config *cfg, const char *key)
{
	const char *v = NULL;

	if (mmp_config_get_string(&v, cfg, key) < 0)
		return "(error)";
	return v;
}

static const char *origin(const mmp_config *cfg, const char *key)
{
	const mmp_config_entry *e;

	if (mmp_config_lookup(&e, cfg, key) < 0)
		return "(error)";
	return e->origin;
}

static const char *diag_at(const mmp_diag_list *d, size_t i)
{
	const mmp_diag *x = mmp_diag_list_get(d, i);

	return x ? x->message : "(none)";
}

static void test_defaults(void)
{
	mmp_config *cfg = NULL;
	const char *const *items;
	const mmp_config_entry *e;
	const char *s;
	int64_t i = 0;
	size_t n = 0, k;
	bool sorted = true;

	is_int(load(&cfg, NULL, NULL, NULL, 0), 0, "defaults load");
	if (!cfg)
		return;
	is_str(value(cfg, "experiment.name"), "Default", "experiment.name");
	is_str(origin(cfg, "experiment.name"), "default", "default origin");
	is_int(mmp_config_get_int(&i, cfg, "serve.port"), 0, "get_int");
	is_int(i, 8000, "serve.port is 8000");
	mmp_config_get_int(&i, cfg, "serve.max_body");
	is_int(i, 8 * 1024 * 1024, "serve.max_body is 8 MiB");
	is_str(value(cfg, "serve.host"), "127.0.0.1", "serve.host");
	is_str(value(cfg, "tracking.push"), "never", "tracking.push");
	is_str(value(cfg, "store.busy_timeout_ms"), "10000", "busy timeout");
	is_int(mmp_config_get_list(&items, &n, cfg, "doctor.ports"), 0,
		"doctor.ports is a list");
	is_int((long long)n, 2, "two ports");
	if (n == 2) {
		is_str(items[0], "5000", "first port");
		is_str(items[1], "8000", "second port");
	}
	is_str(value(cfg, "doctor.ports"), "[5000, 8000]", "list text");
	is_str(value(cfg, "data.na_values"), "[\"\", NA, \"NaN\", \"null\"]",
		"na_values text");
	is_str(value(cfg, "tracking.uri"), "", "tracking.uri unset");
	is_int(mmp_config_get_int(&i, cfg, "tracking.uri"), MMP_EINVALID,
		"get_int on a string key");
	is_int(mmp_config_lookup(&e, cfg, "serve.prot"), MMP_ENOTFOUND,
		"unknown key");
	is_str(mmp_error_last()->message, "unknown configuration key "
		"'serve.prot'; did you mean 'serve.port'?", "did you mean");
	is_int(mmp_config_get_string(&s, cfg, "nope"), MMP_ENOTFOUND,
		"get_string of an unknown key");
	n = mmp_config_entry_count(cfg);
	ok(n >= 14, "at least 14 keys (%zu)", n);
	for (k = 1; k < n; k++)
		if (strcmp(mmp_config_entry_at(cfg, k - 1)->key,
		    mmp_config_entry_at(cfg, k)->key) >= 0)
			sorted = false;
	ok(sorted, "entries sorted by key");
	ok(mmp_config_entry_at(cfg, n) == NULL, "entry past the end is NULL");
	ok(mmp_config_project_dir(cfg) && !strcmp(
		mmp_config_project_dir(cfg), proj), "project dir kept");
	mmp_config_free(cfg);
	mmp_config_free(NULL);
}

static void test_layers(void)
{
	const char *ov[] = { "serve.threads=3", "serve.threads=5",
		"doctor.ports=[5001, 5002]" };
	mmp_config *cfg = NULL;
	bool b;

	write_file("configs/base.yaml",
		"# base\n"
		"serve:\n"
		"  port: 9000\n"
		"  host: base-host\n"
		"  threads: 1\n"
		"experiment:\n"
		"  name: churn\n"
		"log:\n"
		"  level: warn\n");
	write_file("configs/dev.yaml",
		"serve:\n"
		"  host: dev-host\n"
		"  max_body: 1MiB\n");
	setenv("MMP_SERVE_PORT", "9100", 1);
	setenv("MMP_NOT_A_KEY", "whatever", 1);
	is_int(load(&cfg, NULL, "dev", ov, 3), 0, "layers load");
	unsetenv("MMP_SERVE_PORT");
	unsetenv("MMP_NOT_A_KEY");
	if (!cfg)
		return;
	is_str(value(cfg, "experiment.name"), "churn", "base value");
	is_str(origin(cfg, "experiment.name"), "file:configs/base.yaml:7",
		"base origin with line");
	is_str(value(cfg, "serve.host"), "dev-host", "env file wins");
	is_str(origin(cfg, "serve.host"), "file:configs/dev.yaml:2",
		"env file origin");
	is_str(value(cfg, "serve.max_body"), "1048576", "size unit");
	is_str(value(cfg, "serve.port"), "9100", "MMP_* wins over files");
	is_str(origin(cfg, "serve.port"), "env:MMP_SERVE_PORT", "env origin");
	is_str(value(cfg, "serve.threads"), "5", "last -c wins");
	is_str(origin(cfg, "serve.threads"),
		"command line: -c serve.threads=5", "-c origin");
	is_str(value(cfg, "doctor.ports"), "[5001, 5002]", "-c list value");
	is_str(value(cfg, "log.level"), "warning", "enum alias");
	is_str(mmp_config_env(cfg), "dev", "env kept");
	is_int(mmp_config_get_bool(&b, cfg, "serve.port"), MMP_EINVALID,
		"get_bool of an int key");
	mmp_config_free(cfg);

	/* $MMP_ENV picks the overlay when no env is given */
	setenv("MMP_ENV", "dev", 1);
	is_int(load(&cfg, NULL, NULL, NULL, 0), 0, "MMP_ENV load");
	unsetenv("MMP_ENV");
	if (cfg)
		is_str(value(cfg, "serve.host"), "dev-host", "MMP_ENV used");
	mmp_config_free(cfg);
	remove_file("configs/dev.yaml");
}

static void test_tracking_env(void)
{
	mmp_config *cfg = NULL;

	write_file("configs/base.yaml", "tracking:\n  uri: http://file\n");
	setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000", 1);
	load(&cfg, NULL, NULL, NULL, 0);
	if (cfg) {
		is_str(value(cfg, "tracking.uri"), "http://mlflow:5000",
			"MLFLOW_TRACKING_URI over files");
		is_str(origin(cfg, "tracking.uri"), "env:MLFLOW_TRACKING_URI",
			"its origin");
	}
	mmp_config_free(cfg);
	cfg = NULL;
	setenv("MMP_TRACKING_URI", "http://mmp", 1);
	load(&cfg, NULL, NULL, NULL, 0);
	if (cfg)
		is_str(value(cfg, "tracking.uri"), "http://mmp",
			"MMP_TRACKING_URI over MLFLOW_TRACKING_URI");
	mmp_config_free(cfg);
	unsetenv("MMP_TRACKING_URI");
	unsetenv("MLFLOW_TRACKING_URI");
}

static void test_user_layer(void)
{
	char xdg[600];
	mmp_config *cfg = NULL;
	mmp_config_options o = MMP_CONFIG_OPTIONS_INIT;
	mmp_buf path = MMP_BUF_INIT, want = MMP_BUF_INIT;

	snprintf(xdg, sizeof(xdg), "%s/xdg", proj);
	mmp_path_join(&path, xdg, "mmp");
	mmp_mkdir_p(path.ptr, 0755);
	mmp_buf_puts(&path, "/config.yaml");
	mmp_file_write_atomic(path.ptr, "serve:\n  port: 7000\n  host: u\n",
		30);
	write_file("configs/base.yaml", "serve:\n  host: b\n");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("MMP_CONFIG_NOSYSTEM");
	o.project_dir = proj;
	is_int(mmp_config_load(&cfg, NULL, &o), 0, "user layer load");
	if (cfg) {
		is_str(value(cfg, "serve.port"), "7000", "user file read");
		mmp_buf_printf(&want, "file:%s:2", path.ptr);
		is_str(origin(cfg, "serve.port"), want.ptr, "user origin");
		is_str(value(cfg, "serve.host"), "b", "base over user file");
	}
	mmp_config_free(cfg);
	cfg = NULL;
	setenv("MMP_CONFIG_NOSYSTEM", "1", 1);
	mmp_config_load(&cfg, NULL, &o);
	if (cfg)
		is_str(value(cfg, "serve.port"), "8000",
			"MMP_CONFIG_NOSYSTEM skips the user file");
	mmp_config_free(cfg);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&want);
}

static void test_file_errors(void)
{
	mmp_config *cfg = NULL;
	mmp_diag_list *d = NULL;
	const mmp_diag *x;

	write_file("configs/base.yaml",
		"serve:\n"
		"  prot: 9000\n"
		"  port: abc\n"
		"  host: ${MMP_T_UNDEFINED}\n"
		"  threads: 1\n"
		"  threads: 2\n"
		"servr:\n"
		"  x: 1\n"
		"doctor:\n"
		"  ports: [80, 70000]\n"
		"data:\n"
		"  delimiter: ';;'\n"
		"tracking:\n"
		"  push: sometimes\n");
	is_int(load(&cfg, &d, NULL, NULL, 0), MMP_EINVALID, "bad file fails");
	ok(cfg == NULL, "no config on failure");
	is_int((long long)mmp_diag_list_count(d), 8, "all problems collected");
	is_str(diag_at(d, 0), "configs/base.yaml:4:9: serve.host: undefined "
		"variable 'MMP_T_UNDEFINED' (set it, or write "
		"${MMP_T_UNDEFINED:-default})", "undefined variable");
	is_str(diag_at(d, 1), "configs/base.yaml:6:3: serve.threads: "
		"duplicate key 'threads' (first at line 5)", "duplicate key");
	is_str(diag_at(d, 2), "configs/base.yaml:2:3: serve: unknown key "
		"'prot'; did you mean 'port'?", "unknown nested key");
	is_str(diag_at(d, 3), "configs/base.yaml:3:9: serve.port: expected "
		"an integer between 0 and 65535, got 'abc'", "bad int");
	is_str(diag_at(d, 4), "configs/base.yaml:7:1: unknown key 'servr'; "
		"did you mean 'serve'?", "unknown section");
	is_str(diag_at(d, 5), "configs/base.yaml:10:10: doctor.ports: "
		"expected an integer between 1 and 65535, got '70000'",
		"list item out of range");
	is_str(diag_at(d, 6), "configs/base.yaml:12:14: data.delimiter: "
		"expected a single character, got ';;'", "bad char");
	is_str(diag_at(d, 7), "configs/base.yaml:14:9: tracking.push: "
		"expected one of never, auto, got 'sometimes'", "bad enum");
	x = mmp_diag_list_get(d, 3);
	if (x) {
		is_str(x->file, "configs/base.yaml", "diag file");
		is_int(x->line, 3, "diag line");
		is_int(x->column, 9, "diag column");
		is_str(x->key, "serve.port", "diag key");
	}
	ok(mmp_diag_list_get(d, 8) == NULL, "diag past the end is NULL");
	ok(mmp_error_last()->klass == MMP_ERROR_CONFIG, "config error class");
	ok(mmp_str_ends_with(mmp_error_last()->message,
		"(and 7 more errors)"), "last error counts the others: %s",
		mmp_error_last()->message);
	ok(mmp_str_starts_with(mmp_error_last()->message, diag_at(d, 0)),
		"last error starts with the first problem");
	mmp_diag_list_free(d);
	mmp_diag_list_free(NULL);

	d = NULL;
	write_file("configs/base.yaml", "serve:\n  port: 1\n host: x\n");
	is_int(load(&cfg, &d, NULL, NULL, 0), MMP_EINVALID, "malformed YAML");
	is_str(diag_at(d, 0), "configs/base.yaml:3:2: did not find expected "
		"key; check the indentation of line 3 and the lines above it: "
		"the keys of one mapping start in the same column, with "
		"spaces, and a ':' is followed by a space",
		"libyaml problem with its mark and the usual cause");
	mmp_diag_list_free(d);

	d = NULL;
	write_file("configs/base.yaml", "base: &a\n  x: 1\nother: *a\n");
	load(&cfg, &d, NULL, NULL, 0);
	is_str(diag_at(d, 0), "configs/base.yaml:1:7: base: anchors are not "
		"supported ('&a')", "anchors rejected");
	is_str(diag_at(d, 1), "configs/base.yaml:3:8: other: aliases are not "
		"supported ('*a')", "aliases rejected");
	mmp_diag_list_free(d);

	d = NULL;
	write_file("configs/base.yaml", "- a\n- b\n");
	load(&cfg, &d, NULL, NULL, 0);
	is_str(diag_at(d, 0), "configs/base.yaml:1:1: expected a mapping at "
		"the top level, got a list", "top level must be a mapping");
	mmp_diag_list_free(d);

	d = NULL;
	write_file("configs/base.yaml", "a: 1\n---\nb: 2\n");
	load(&cfg, &d, NULL, NULL, 0);
	is_str(diag_at(d, 0), "configs/base.yaml:2:1: only one YAML document "
		"is allowed", "one document");
	mmp_diag_list_free(d);
}

static void test_interpolation(void)
{
	mmp_config *cfg = NULL;

	write_file("configs/base.yaml",
		"serve:\n"
		"  host: ${MMP_T_HOST:-localhost}\n"
		"  port: ${MMP_T_PORT}\n"
		"experiment:\n"
		"  name: \"cost $$5 ${MMP_T_EMPTY:-none} [${MMP_T_EMPTY}]\"\n"
		"tracking:\n"
		"  uri: $HOME-is-literal\n");
	setenv("MMP_T_PORT", "8123", 1);
	setenv("MMP_T_EMPTY", "", 1);
	is_int(load(&cfg, NULL, NULL, NULL, 0), 0, "interpolated file loads");
	unsetenv("MMP_T_PORT");
	unsetenv("MMP_T_EMPTY");
	if (!cfg)
		return;
	is_str(value(cfg, "serve.host"), "localhost", "${VAR:-default}");
	is_str(value(cfg, "serve.port"), "8123", "${VAR} then typed");
	is_str(value(cfg, "experiment.name"), "cost $5 none []",
		"$$ escapes; empty takes the default; ${VAR} set but empty");
	is_str(value(cfg, "tracking.uri"), "$HOME-is-literal",
		"a bare $NAME is literal");
	mmp_config_free(cfg);
}

static void test_override_errors(void)
{
	const char *ov[] = { "serv.port=1", "serve.port", "serve.port=abc",
		"doctor.ports=[1, x]", "log.level=[a" };
	mmp_config *cfg = NULL;
	mmp_diag_list *d = NULL;

	write_file("configs/base.yaml", "");
	setenv("MMP_SERVE_THREADS", "many", 1);
	is_int(load(&cfg, &d, NULL, ov, 5), MMP_EINVALID, "bad overrides");
	unsetenv("MMP_SERVE_THREADS");
	is_int((long long)mmp_diag_list_count(d), 6, "six problems");
	is_str(diag_at(d, 0), "env:MMP_SERVE_THREADS: serve.threads: expected "
		"an integer between 0 and 1024, got 'many'", "bad env value");
	is_str(diag_at(d, 1), "-c serv.port=1: unknown key 'serv.port'; did "
		"you mean 'serve.port'?", "-c unknown key");
	is_str(diag_at(d, 2), "-c serve.port: expected <key>=<value>",
		"-c without =");
	is_str(diag_at(d, 3), "-c serve.port=abc: serve.port: expected an "
		"integer between 0 and 65535, got 'abc'", "-c bad value");
	is_str(diag_at(d, 4), "-c doctor.ports=[1, x]: doctor.ports: expected "
		"an integer between 1 and 65535, got 'x'", "-c bad list item");
	ok(mmp_str_starts_with(diag_at(d, 5), "-c log.level=[a: cannot parse "
		"the value '[a': "), "-c malformed value: %s", diag_at(d, 5));
	mmp_diag_list_free(d);
}

static void test_env_errors(void)
{
	mmp_config *cfg = NULL;
	mmp_diag_list *d = NULL;

	is_int(load(&cfg, &d, "staging", NULL, 0), MMP_EINVALID,
		"missing env file fails");
	is_str(diag_at(d, 0), "configs/staging.yaml: no configuration file "
		"for environment 'staging'", "names the file and env");
	mmp_diag_list_free(d);
	d = NULL;
	is_int(load(&cfg, &d, "../etc", NULL, 0), MMP_EINVALID,
		"env with a slash fails");
	is_str(diag_at(d, 0), "invalid environment name '../etc'",
		"invalid env name");
	mmp_diag_list_free(d);
}

static void test_project_dir(void)
{
	mmp_config_options o = MMP_CONFIG_OPTIONS_INIT;
	mmp_config *cfg = NULL;
	mmp_buf store = MMP_BUF_INIT, sub = MMP_BUF_INIT;
	char cwd[1024];

	write_file(".mmp/mmp.db", "");
	write_file("configs/base.yaml", "serve:\n  port: 4242\n");
	mmp_path_join(&store, proj, ".mmp/mmp.db");
	o.store_path = store.ptr;
	o.no_system = true;
	is_int(mmp_config_load(&cfg, NULL, &o), 0, "load by store path");
	if (cfg) {
		is_str(mmp_config_project_dir(cfg), proj,
			"project is the parent of .mmp");
		is_str(value(cfg, "serve.port"), "4242", "its configs read");
	}
	mmp_config_free(cfg);
	cfg = NULL;

	/* found by walking up from a subdirectory */
	mmp_path_join(&sub, proj, "a/b");
	mmp_mkdir_p(sub.ptr, 0755);
	if (getcwd(cwd, sizeof(cwd)) && chdir(sub.ptr) == 0) {
		o.store_path = NULL;
		is_int(mmp_config_load(&cfg, NULL, &o), 0, "load from subdir");
		if (cfg)
			is_str(mmp_config_project_dir(cfg), proj,
				"walked up to the .mmp directory");
		mmp_config_free(cfg);
		if (chdir(cwd) < 0)
			diag("cannot return to %s", cwd);
	}
	mmp_buf_dispose(&store);
	mmp_buf_dispose(&sub);
}

static void test_options(void)
{
	mmp_config_options o;
	mmp_config *cfg = NULL;

	is_int(mmp_config_options_init(&o, MMP_CONFIG_OPTIONS_VERSION), 0,
		"options init");
	is_int((long long)o.noverrides, 0, "no overrides");
	is_int(mmp_config_options_init(&o, 99), MMP_EINVALID, "bad version");
	o.version = 99;
	is_int(mmp_config_load(&cfg, NULL, &o), MMP_EINVALID,
		"load refuses a bad version");
	is_str(mmp_config_type_name(MMP_CONFIG_INTLIST), "list of integers",
		"type name");
}

int main(void)
{
	mmp_buf p = MMP_BUF_INIT;

	unsetenv("MMP_ENV");
	unsetenv("MMP_STORE");
	setenv("MMP_CONFIG_NOSYSTEM", "1", 1);
	mmp_path_absolute(&p, tap_tmpdir());
	snprintf(proj, sizeof(proj), "%s/proj", p.ptr);
	mmp_buf_dispose(&p);
	mmp_mkdir_p(proj, 0755);

	test_defaults();
	test_layers();
	test_tracking_env();
	test_user_layer();
	test_file_errors();
	test_interpolation();
	test_override_errors();
	test_env_errors();
	test_project_dir();
	test_options();
	return done_testing();
}
