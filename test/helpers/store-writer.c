/* SPDX-License-Identifier: MIT */
/* store-writer.c: drive the store API from shell tests (seed, stress, hang) */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/store.h"

static const char *usage_text =
	"usage: store-writer <db> <command> [<args>] [: <command> ...]\n"
	"  (\"@\" stands for the run started last)\n"
	"  create [exclusive]                 create the store\n"
	"  open [ro]                          open; print the schema version\n"
	"  start [--experiment E] [--name N] [--kind K] [--parent P]\n"
	"        [--start MS] [--user U] [--source S] [--unique 1]\n"
	"                                     print the run id\n"
	"  param <run> <k>=<v>...             log params\n"
	"  metric <run> <k>=<v>[@step[@ts]]... log metrics (nan, inf ok)\n"
	"  tag <run> <k>=<v>...               set tags\n"
	"  dataset <run> <name> <digest> <rows> <cols> <context> [<schema>]\n"
	"  artifact <run> <path> <size> <sha256>\n"
	"  end <run> <status> [<message>]     end a run\n"
	"  heartbeat <run>                    record a heartbeat\n"
	"  artifact-dir <run> | tmpdir <run>  print (and create) the dir\n"
	"  resolve <prefix>                   print the full id\n"
	"  reap                               print how many runs were reaped\n"
	"  hang [start options]               start a run, make a tmp dir,\n"
	"                                     print both, wait to be killed\n"
	"  stress <runs> <params> <metrics>   start, log and end runs\n";

static const char *code_name(int code)
{
	switch (code) {
	case MMP_ENOTFOUND: return "ENOTFOUND";
	case MMP_EEXISTS: return "EEXISTS";
	case MMP_EINVALID: return "EINVALID";
	case MMP_ECONFLICT: return "ECONFLICT";
	case MMP_EAMBIGUOUS: return "EAMBIGUOUS";
	case MMP_ELOCKED: return "ELOCKED";
	case MMP_EVERSION: return "EVERSION";
	default: return "ERROR";
	}
}

static int fail(int code)
{
	fprintf(stderr, "store-writer: %s: %s\n", code_name(code),
		mmp_error_last()->message);
	return 1;
}

static void split_kv(char *arg, mmp_kv *kv)
{
	char *eq = strchr(arg, '=');

	if (!eq) {
		fprintf(stderr, "store-writer: expected <key>=<value>: '%s'\n",
			arg);
		exit(2);
	}
	*eq = '\0';
	kv->key = arg;
	kv->value = eq + 1;
}

static double parse_value(const char *s)
{
	if (!strcmp(s, "nan"))
		return NAN;
	if (!strcmp(s, "inf"))
		return INFINITY;
	if (!strcmp(s, "-inf"))
		return -INFINITY;
	return strtod(s, NULL);
}

static int parse_start(int argc, char **argv, mmp_run_start_options *o)
{
	int i;

	for (i = 0; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--experiment"))
			o->experiment = v;
		else if (!strcmp(k, "--name"))
			o->run_name = v;
		else if (!strcmp(k, "--kind"))
			o->kind = v;
		else if (!strcmp(k, "--parent"))
			o->parent_run_id = v;
		else if (!strcmp(k, "--start"))
			o->start_time = strtoll(v, NULL, 10);
		else if (!strcmp(k, "--user"))
			o->user = v;
		else if (!strcmp(k, "--source"))
			o->source_name = v;
		else if (!strcmp(k, "--unique"))
			o->unique_name = atoi(v);
		else
			return -1;
	}
	return i == argc ? 0 : -1;
}

static int stress(mmp_store *s, int runs, int params, int metrics)
{
	char id[33], key[32], val[32];
	int r, i, err;

	for (r = 0; r < runs; r++) {
		mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
		mmp_kv kv[64];
		mmp_run_metric m[64];
		char keys[64][16], vals[64][24];

		o.experiment = "stress";
		if ((err = mmp_run_start(s, &o, id)) < 0)
			return fail(err);
		for (i = 0; i < params && i < 64; i++) {
			snprintf(keys[i], sizeof(keys[i]), "p%d", i);
			snprintf(vals[i], sizeof(vals[i]), "%d-%d", r, i);
			kv[i].key = keys[i];
			kv[i].value = vals[i];
		}
		if ((err = mmp_run_log_params(s, id, kv, (size_t)i)) < 0)
			return fail(err);
		for (i = 0; i < metrics; i++) {
			snprintf(key, sizeof(key), "m%d", i % 4);
			m[0].key = key;
			m[0].value = r + i * 0.5;
			m[0].step = i;
			m[0].timestamp = 0;
			if ((err = mmp_run_log_metrics(s, id, m, 1)) < 0)
				return fail(err);
		}
		snprintf(val, sizeof(val), "%d", getpid());
		kv[0].key = "writer";
		kv[0].value = val;
		if ((err = mmp_run_set_tags(s, id, kv, 1)) < 0 ||
		    (err = mmp_run_end(s, id, "FINISHED", NULL)) < 0)
			return fail(err);
		printf("%s\n", id);
	}
	return 0;
}

static int run(mmp_store *s, const char *cmd, int argc, char **argv,
	char *last)
{
	char id[33];
	int err = 0, i;

	if (!strcmp(cmd, "open")) {
		printf("%d\n", mmp_store_schema_version(s));
	} else if (!strcmp(cmd, "start") || !strcmp(cmd, "hang")) {
		mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
		mmp_buf tmp = MMP_BUF_INIT;
		if (parse_start(argc, argv, &o) < 0) {
			fputs(usage_text, stderr);
			return 2;
		}
		if ((err = mmp_run_start(s, &o, id)) < 0)
			return fail(err);
		memcpy(last, id, 33);
		if (!strcmp(cmd, "start")) {
			printf("%s\n", id);
			return 0;
		}
		if ((err = mmp_run_tmp_dir(&tmp, s, id)) < 0)
			return fail(err);
		printf("%s %s\n", id, tmp.ptr);
		fflush(stdout);
		mmp_buf_dispose(&tmp);
		for (;;)
			pause();
	} else if (!strcmp(cmd, "param") || !strcmp(cmd, "tag")) {
		mmp_kv kv[64];
		if (argc < 1 || argc > 65)
			return 2;
		for (i = 1; i < argc; i++)
			split_kv(argv[i], &kv[i - 1]);
		err = !strcmp(cmd, "param")
			? mmp_run_log_params(s, argv[0], kv, (size_t)argc - 1)
			: mmp_run_set_tags(s, argv[0], kv, (size_t)argc - 1);
	} else if (!strcmp(cmd, "metric")) {
		mmp_run_metric m[64];
		mmp_kv kv;
		if (argc < 1 || argc > 65)
			return 2;
		for (i = 1; i < argc; i++) {
			char *at;
			split_kv(argv[i], &kv);
			m[i - 1].key = kv.key;
			m[i - 1].step = 0;
			m[i - 1].timestamp = 0;
			if ((at = strchr(kv.value, '@'))) {
				char *at2;
				*at = '\0';
				m[i - 1].step = strtoll(at + 1, NULL, 10);
				if ((at2 = strchr(at + 1, '@')))
					m[i - 1].timestamp =
						strtoll(at2 + 1, NULL, 10);
			}
			m[i - 1].value = parse_value(kv.value);
		}
		err = mmp_run_log_metrics(s, argv[0], m, (size_t)argc - 1);
	} else if (!strcmp(cmd, "dataset") && (argc == 6 || argc == 7)) {
		mmp_dataset_input d;
		memset(&d, 0, sizeof(d));
		d.name = argv[1];
		d.digest = argv[2];
		d.source = "data/train.csv";
		d.source_type = "local";
		d.rows = strtoll(argv[3], NULL, 10);
		d.columns = strtoll(argv[4], NULL, 10);
		d.context = argv[5];
		d.schema = argc == 7 ? argv[6] : NULL;
		err = mmp_run_log_dataset(s, argv[0], &d);
	} else if (!strcmp(cmd, "artifact") && argc == 4) {
		mmp_artifact a;
		a.path = argv[1];
		a.size = strtoll(argv[2], NULL, 10);
		a.sha256 = argv[3];
		err = mmp_run_log_artifacts(s, argv[0], &a, 1);
	} else if (!strcmp(cmd, "end") && (argc == 2 || argc == 3)) {
		err = mmp_run_end(s, argv[0], argv[1], argc == 3 ? argv[2]
			: NULL);
	} else if (!strcmp(cmd, "heartbeat") && argc == 1) {
		err = mmp_run_heartbeat(s, argv[0]);
	} else if ((!strcmp(cmd, "artifact-dir") || !strcmp(cmd, "tmpdir"))
		   && argc == 1) {
		mmp_buf b = MMP_BUF_INIT;
		err = !strcmp(cmd, "tmpdir") ? mmp_run_tmp_dir(&b, s, argv[0])
			: mmp_run_artifact_dir(&b, s, argv[0]);
		if (!err)
			printf("%s\n", b.ptr);
		mmp_buf_dispose(&b);
	} else if (!strcmp(cmd, "resolve") && argc == 1) {
		if (!(err = mmp_run_resolve(s, argv[0], id)))
			printf("%s\n", id);
	} else if (!strcmp(cmd, "reap") && argc == 0) {
		size_t n;
		if (!(err = mmp_store_reap_dead_runs(s, &n)))
			printf("%zu\n", n);
	} else if (!strcmp(cmd, "stress") && argc == 3) {
		return stress(s, atoi(argv[0]), atoi(argv[1]), atoi(argv[2]));
	} else {
		fputs(usage_text, stderr);
		return 2;
	}
	return err < 0 ? fail(err) : 0;
}

int main(int argc, char **argv)
{
	mmp_store *s = NULL;
	unsigned int flags = 0;
	char last[33] = "";
	int err, ret = 0, i, j;

	if (argc < 3) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!strcmp(argv[2], "create")) {
		flags = MMP_STORE_CREATE;
		if (argc > 3 && !strcmp(argv[3], "exclusive"))
			flags |= MMP_STORE_EXCLUSIVE;
	} else if (!strcmp(argv[2], "open") && argc > 3 &&
		   !strcmp(argv[3], "ro")) {
		flags = MMP_STORE_READONLY;
		argc--;
	} else if (!strcmp(argv[2], "reap")) {
		flags = MMP_STORE_NO_REAP;
	}
	if ((err = mmp_store_open(&s, argv[1], flags)) < 0)
		return fail(err);
	if (!strcmp(argv[2], "create")) {
		mmp_store_free(s);
		return 0;
	}
	/* commands separated by ":", "@" is the run started last */
	for (i = 2; i < argc && !ret; i = j + 1) {
		for (j = i; j < argc && strcmp(argv[j], ":"); j++)
			if (!strcmp(argv[j], "@"))
				argv[j] = last;
		argv[j < argc ? j : argc] = NULL;
		ret = run(s, argv[i], j - i - 1, argv + i + 1, last);
	}
	mmp_store_free(s);
	return ret;
}
