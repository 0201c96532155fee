/* SPDX-License-Identifier: MIT */
/* registry-run.c: record a run with chosen metrics and a minimal model
 * directory, for the registry tests:
 *   registry-run <db> <FINISHED|FAILED|KILLED|RUNNING> [--no-model]
 *       [<metric>=<value>]...
 * prints the run id */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "util/util.h"

static int fail(const char *what)
{
	fprintf(stderr, "registry-run: %s: %s\n", what,
		mmp_error_last()->message);
	return 1;
}

int main(int argc, char **argv)
{
	mmp_run_start_options o = MMP_RUN_START_OPTIONS_INIT;
	mmp_buf dir = MMP_BUF_INIT, file = MMP_BUF_INIT;
	mmp_store *s = NULL;
	mmp_artifact art;
	char id[33], sha[65];
	static const char mlmodel[] = "flavors:\n  xgboost: {}\n";
	int i, model = 1, ret = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: registry-run <db> <status> "
			"[--no-model] [<metric>=<value>]...\n");
		return 129;
	}
	if (mmp_store_open(&s, argv[1], 0) < 0)
		return fail("open");
	o.experiment = "registry";
	if (mmp_run_start(s, &o, id) < 0) {
		fail("start");
		goto done;
	}
	for (i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		mmp_run_metric m = { NULL, 0, 0, 0 };

		if (!strcmp(argv[i], "--no-model")) {
			model = 0;
			continue;
		}
		if (!eq || mmp_parse_double(eq + 1, &m.value) < 0) {
			fprintf(stderr, "registry-run: bad metric '%s'\n",
				argv[i]);
			goto done;
		}
		*eq = '\0';
		m.key = argv[i];
		if (mmp_run_log_metrics(s, id, &m, 1) < 0) {
			fail("metric");
			goto done;
		}
	}
	if (model) {
		if (mmp_run_artifact_dir(&dir, s, id) < 0) {
			fail("artifact dir");
			goto done;
		}
		mmp_buf_puts(&dir, "/model");
		mmp_path_join(&file, dir.ptr, "MLmodel");
		if (mmp_mkdir_p(dir.ptr, 0777) < 0 ||
		    mmp_file_write_atomic(file.ptr, mlmodel,
			sizeof(mlmodel) - 1) < 0) {
			fail("model");
			goto done;
		}
		mmp_sha256_buf_hex(sha, mlmodel, sizeof(mlmodel) - 1);
		art.path = "model/MLmodel";
		art.size = (int64_t)(sizeof(mlmodel) - 1);
		art.sha256 = sha;
		if (mmp_run_log_artifacts(s, id, &art, 1) < 0) {
			fail("artifact");
			goto done;
		}
	}
	if (strcmp(argv[2], "RUNNING") &&
	    mmp_run_end(s, id, argv[2], NULL) < 0) {
		fail("end");
		goto done;
	}
	printf("%s\n", id);
	ret = 0;
done:
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&file);
	mmp_store_free(s);
	return ret;
}
