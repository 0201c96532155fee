/* SPDX-License-Identifier: MIT */
/* fuzz-recipe.c: libFuzzer harness for the recipe and layered config loader */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/config.h"
#include "mmp/recipe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char project[256], config_path[300], recipe_path[300];

static void remove_project(void)
{
	char sub[300];

	unlink(config_path);
	unlink(recipe_path);
	snprintf(sub, sizeof(sub), "%s/configs", project);
	rmdir(sub);
	rmdir(project);
}

/* a scratch project: configs/base.yaml and r.yaml receive each input */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char sub[300];

	(void)argc;
	(void)argv;
	snprintf(project, sizeof(project), "%s/mmp-fuzz-recipe.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(project))
		abort();
	snprintf(sub, sizeof(sub), "%s/configs", project);
	mkdir(sub, 0777);
	snprintf(config_path, sizeof(config_path), "%s/base.yaml", sub);
	snprintf(recipe_path, sizeof(recipe_path), "%s/r.yaml", project);
	setenv("MMP_CONFIG_NOSYSTEM", "1", 1);
	atexit(remove_project);
	return 0;
}

static int put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* the input as the project's base configuration, then as a recipe read
 * with that configuration (when it loaded) */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mmp_config_options co = MMP_CONFIG_OPTIONS_INIT;
	mmp_recipe_options ro = MMP_RECIPE_OPTIONS_INIT;
	mmp_config *cfg = NULL;
	mmp_recipe *r = NULL;
	mmp_diag_list *diags = NULL;

	if (put(config_path, data, size) < 0 || put(recipe_path, data, size) < 0)
		return 0;
	co.project_dir = project;
	co.no_system = true;
	mmp_config_load(&cfg, &diags, &co);
	mmp_diag_list_free(diags);
	diags = NULL;
	unlink(config_path);
	ro.config = cfg;
	if (mmp_recipe_load(&r, &diags, recipe_path, &ro) == 0)
		mmp_recipe_free(r);
	mmp_diag_list_free(diags);
	mmp_config_free(cfg);
	return 0;
}
