/* SPDX-License-Identifier: MIT */
/* runs-manage.c: mmp runs delete/restore/tag/note/rename */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "runs-manage.h"
#include "mmp/store.h"

/* MLflow keeps a run's description in this tag */
#define NOTE_TAG "mlflow.note.content"

static const char *const delete_usage[] = {
	"mmp runs delete <run>... [--json]",
	NULL
};

static const char *const restore_usage[] = {
	"mmp runs restore <run>... [--json]",
	NULL
};

static const char *const tag_usage[] = {
	"mmp runs tag <run> [<key>=<value>...] [--unset <key>]...",
	NULL
};

static const char *const note_usage[] = {
	"mmp runs note <run> <text>",
	NULL
};

static const char *const rename_usage[] = {
	"mmp runs rename <run> <name>",
	NULL
};

static int resolve_arg(mmp_store *s, const char *arg, char out[33])
{
	if (!*arg) {
		error("a run must be given as an id, a prefix or a name, "
			"not an empty string");
		exit(EXIT_USAGE);
	}
	if (mmp_run_resolve(s, arg, out) < 0)
		return error("%s", mmp_error_last()->message), -1;
	return 0;
}

static int lifecycle(int argc, const char **argv, struct mmp_ctx *ctx,
	int deleted)
{
	const char *const *usage = deleted ? delete_usage : restore_usage;
	int json = 0, ret = 0, i, changed;
	const struct option opts[] = {
		OPT__JSON(&json),
		OPT_END()
	};
	char (*ids)[33];
	cJSON *doc = NULL, *arr = NULL;
	mmp_store *s;

	argc = parse_options(argc, argv, opts, usage, 0);
	if (argc < 1)
		usage_msg_opt(deleted ? "'mmp runs delete' needs a run" :
			"'mmp runs restore' needs a run", usage, opts);
	s = ctx_store(ctx);
	ids = calloc((size_t)argc, sizeof(*ids));
	if (!ids)
		die("out of memory");
	/* every argument must name a run before anything changes */
	for (i = 0; i < argc; i++)
		if (resolve_arg(s, argv[i], ids[i]) < 0) {
			free(ids);
			return EXIT_FAIL;
		}
	if (json) {
		doc = json_doc_new();
		arr = cJSON_AddArrayToObject(doc, "runs");
	}
	for (i = 0; i < argc; i++) {
		int err = deleted ? mmp_run_delete(&changed, s, ids[i]) :
			mmp_run_restore(&changed, s, ids[i]);
		if (err < 0) {
			error("%s", mmp_error_last()->message);
			ret = EXIT_FAIL;
			continue;
		}
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "run_id", ids[i]);
			cJSON_AddStringToObject(o, "lifecycle_stage",
				deleted ? "deleted" : "active");
			cJSON_AddBoolToObject(o, "changed", changed);
			cJSON_AddItemToArray(arr, o);
		} else if (changed) {
			info(ctx, "%s run %s", deleted ? "deleted" :
				"restored", ids[i]);
		} else {
			info(ctx, "run %s was %s already", ids[i],
				deleted ? "deleted" : "active");
		}
	}
	if (doc)
		json_print(doc);
	free(ids);
	return ret;
}

int runs_delete(int argc, const char **argv, struct mmp_ctx *ctx)
{
	return lifecycle(argc, argv, ctx, 1);
}

int runs_restore(int argc, const char **argv, struct mmp_ctx *ctx)
{
	return lifecycle(argc, argv, ctx, 0);
}

int runs_tag(int argc, const char **argv, struct mmp_ctx *ctx)
{
	struct string_list unset = STRING_LIST_INIT;
	const struct option opts[] = {
		OPT_STRING_LIST(0, "unset", &unset, "<key>",
			"remove this tag (repeatable)"),
		OPT_END()
	};
	mmp_kv *kv = NULL;
	char **keys = NULL;
	mmp_store *s;
	char id[33];
	int i, n, ret = 0;

	argc = parse_options(argc, argv, opts, tag_usage, 0);
	if (argc < 1)
		usage_msg_opt("'mmp runs tag' needs a run", tag_usage, opts);
	if (argc == 1 && !unset.nr)
		usage_msg_opt("'mmp runs tag' needs <key>=<value> or --unset",
			tag_usage, opts);
	n = argc - 1;
	kv = calloc((size_t)n + 1, sizeof(*kv));
	keys = calloc((size_t)n + 1, sizeof(*keys));
	if (!kv || !keys)
		die("out of memory");
	for (i = 0; i < n; i++) {
		const char *eq = strchr(argv[i + 1], '=');
		if (!eq || eq == argv[i + 1]) {
			error("'%s' is not <key>=<value>", argv[i + 1]);
			ret = EXIT_USAGE;
			goto done;
		}
		keys[i] = strndup(argv[i + 1], (size_t)(eq - argv[i + 1]));
		if (!keys[i])
			die("out of memory");
		kv[i].key = keys[i];
		kv[i].value = eq + 1;
	}
	s = ctx_store(ctx);
	if (resolve_arg(s, argv[0], id) < 0) {
		ret = EXIT_FAIL;
		goto done;
	}
	if (mmp_run_edit_tags(s, id, kv, (size_t)n, unset.items,
			unset.nr) < 0) {
		error("%s", mmp_error_last()->message);
		ret = EXIT_FAIL;
		goto done;
	}
	info(ctx, "run %s: %d tag%s set, %zu removed", id, n,
		n == 1 ? "" : "s", unset.nr);
done:
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(kv);
	string_list_release(&unset);
	return ret;
}

int runs_note(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = { OPT_END() };
	const char *unset[] = { NOTE_TAG };
	mmp_kv kv;
	mmp_store *s;
	char id[33];
	int err;

	argc = parse_options(argc, argv, opts, note_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp runs note' takes a run and a text",
			note_usage, opts);
	s = ctx_store(ctx);
	if (resolve_arg(s, argv[0], id) < 0)
		return EXIT_FAIL;
	kv.key = NOTE_TAG;
	kv.value = argv[1];
	/* an empty text removes the description */
	err = *argv[1] ? mmp_run_edit_tags(s, id, &kv, 1, NULL, 0) :
		mmp_run_edit_tags(s, id, NULL, 0, unset, 1);
	if (err == MMP_ENOTFOUND && !*argv[1]) {
		info(ctx, "run %s has no description", id);
		return 0;
	}
	if (err < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	info(ctx, "run %s: description %s", id, *argv[1] ? "set" :
		"removed");
	return 0;
}

int runs_rename(int argc, const char **argv, struct mmp_ctx *ctx)
{
	const struct option opts[] = { OPT_END() };
	mmp_store *s;
	char id[33];

	argc = parse_options(argc, argv, opts, rename_usage, 0);
	if (argc != 2)
		usage_msg_opt("'mmp runs rename' takes a run and a new name",
			rename_usage, opts);
	s = ctx_store(ctx);
	if (resolve_arg(s, argv[0], id) < 0)
		return EXIT_FAIL;
	if (mmp_run_rename(s, id, argv[1]) < 0)
		return error("%s", mmp_error_last()->message), EXIT_FAIL;
	info(ctx, "run %s is now named '%s'", id, argv[1]);
	return 0;
}
