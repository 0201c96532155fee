/* SPDX-License-Identifier: MIT */
/* table.c: every mmp command, in alphabetical order */
#include <string.h>

#include "cmd.h"
#include "output.h"

const struct mmp_cmd mmp_commands[] = {
	{ "alias", cmd_alias, NEED_STORE,
	  "point a model's alias at a version, or remove it" },
	{ "approvals", cmd_approvals, NEED_STORE,
	  "list approval decisions and what waits for review" },
	{ "approve", cmd_approve, NEED_STORE,
	  "decide on a model version by policy or by hand" },
	{ "audit", cmd_audit, NEED_STORE,
	  "show and verify the registry's audit log" },
	{ "batch-inference", cmd_batch_inference,
	  USE_XGBOOST | LOAD_XGBOOST,
	  "predict every row of a file or database table, any size" },
	{ "completion", cmd_completion, 0,
	  "print the bash or zsh completion script" },
	{ "config", cmd_config, 0, "show the effective configuration" },
	{ "doctor", cmd_doctor, 0, "check the environment and say how to fix it" },
	{ "experiments", cmd_experiments, NEED_STORE,
	  "list, create, rename, delete and restore experiments" },
	{ "gc", cmd_gc, NEED_STORE,
	  "remove deleted runs and experiments for good" },
	{ "help", cmd_help, 0, "show help for mmp or one of its commands" },
	{ "init", cmd_init, 0, "create a store and example configs and recipes" },
	{ "models", cmd_models, NEED_STORE,
	  "list, show, trace, compare, delete, export and pull models" },
	{ "monitor", cmd_monitor, NEED_STORE | USE_XGBOOST,
	  "check a model version for data drift and degradation" },
	{ "promote", cmd_promote, NEED_STORE,
	  "move a model version to a stage, or give it an alias" },
	{ "register", cmd_register, NEED_STORE,
	  "register a run's model as a new model version" },
	{ "runs", cmd_runs, NEED_STORE, "list, show, compare, annotate and delete runs" },
	{ "serve-api", cmd_serve_api, LOAD_XGBOOST | LOAD_HTTPD,
	  "serve a model over HTTP: /predict and MLflow's /invocations" },
	{ "sync", cmd_sync, NEED_STORE | LOAD_CURL,
	  "push to an MLflow server, and mirror its runs" },
	{ "train", cmd_train,
	  NEED_STORE | USE_XGBOOST | LOAD_XGBOOST | LOAD_GIT,
	  "train a model from a recipe, evaluate it and record the run" },
	{ "tune", cmd_tune, NEED_STORE | USE_XGBOOST | LOAD_XGBOOST,
	  "search hyperparameters: TPE, pruning, parallel trials" },
	{ "ui", cmd_ui, LOAD_HTTPD,
	  "browse runs, curves, studies and models in a web browser" },
	{ "version", cmd_version, 0, "print the versions of mmp and its libraries" },
};

const size_t mmp_commands_nr = sizeof(mmp_commands) / sizeof(mmp_commands[0]);

const struct mmp_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < mmp_commands_nr; i++)
		if (!strcmp(mmp_commands[i].name, name))
			return &mmp_commands[i];
	return NULL;
}

/* commands a user may have meant by `name`: the one a name is the
 * start of ("serve" for "serve-api"), else the nearest by edit distance */
void suggest_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i, len = strlen(name);

	for (i = 0; len && !best && i < mmp_commands_nr; i++)
		if (!strncmp(mmp_commands[i].name, name, len))
			best = mmp_commands[i].name;
	for (i = 0; !best && i < mmp_commands_nr; i++) {
		size_t d = mmp_str_distance(name, mmp_commands[i].name);
		if (d < best_d)
			best_d = d;
	}
	for (i = 0; !best && i < mmp_commands_nr; i++)
		if (mmp_str_distance(name, mmp_commands[i].name) == best_d &&
		    best_d <= len / 2 + 1)
			best = mmp_commands[i].name;
	if (best)
		fprintf(stderr, "\nThe most similar command is\n\t%s\n", best);
}
