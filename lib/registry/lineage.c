/* SPDX-License-Identifier: MIT */
/* lineage.c: where a model version came from, and exporting it as a
 * self-contained directory */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "registry-internal.h"

static const char *tag_of(const mmp_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->tags_nr; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return NULL;
}

int mmp_registry_lineage(mmp_model_lineage **out, mmp_store *s,
	const char *ref)
{
	mmp_model_lineage *l = mmp__calloc(1, sizeof(*l));
	const char *dirty;
	int err;

	*out = NULL;
	if ((err = mmp_registry_version_lookup(&l->version, s, ref)) < 0 ||
	    (err = mmp_run_get(&l->run, s, l->version->run_id)) < 0) {
		mmp_model_lineage_free(l);
		return err;
	}
	l->recipe_path = tag_of(l->run, "mmp.recipe.path");
	l->recipe_sha256 = tag_of(l->run, "mmp.recipe.sha256");
	l->git_commit = tag_of(l->run, "mlflow.source.git.commit");
	l->git_branch = tag_of(l->run, "mlflow.source.git.branch");
	dirty = tag_of(l->run, "mmp.git.dirty");
	l->git_dirty = !dirty ? -1 : !strcmp(dirty, "true") ||
		!strcmp(dirty, "1") ? 1 : 0;
	*out = l;
	return 0;
}

void mmp_model_lineage_free(mmp_model_lineage *l)
{
	if (!l)
		return;
	mmp_model_version_free(l->version);
	mmp_run_free(l->run);
	free(l);
}

/* --- export --- */

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, outfd, err = 0;
	ssize_t n;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return mmp_error_set_os("cannot open '%s'", from);
	outfd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		mode & 0777);
	if (outfd < 0) {
		err = mmp_error_set_os("cannot create '%s'", to);
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		ssize_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = mmp_error_set_os("cannot read '%s'", from);
			break;
		}
		while (off < n) {
			ssize_t w = write(outfd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err = mmp_error_set_os("cannot write '%s'", to);
				break;
			}
			off += w;
		}
		if (err)
			break;
	}
	if (!err && fsync(outfd) < 0)
		err = mmp_error_set_os("cannot sync '%s'", to);
	if (close(outfd) < 0 && !err)
		err = mmp_error_set_os("cannot close '%s'", to);
	close(in);
	return err ? MMP_ERROR : 0;
}

static int copy_tree(const char *from, const char *to)
{
	DIR *d;
	struct dirent *de;
	mmp_buf a = MMP_BUF_INIT, b = MMP_BUF_INIT;
	struct stat st;
	int err = 0;

	if (mkdir(to, 0777) < 0 && errno != EEXIST)
		return mmp_error_set_os("cannot create '%s'", to);
	if (!(d = opendir(from)))
		return mmp_error_set_os("cannot open '%s'", from);
	while (!err && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		mmp_buf_clear(&a);
		mmp_buf_clear(&b);
		mmp_path_join(&a, from, de->d_name);
		mmp_path_join(&b, to, de->d_name);
		if (lstat(a.ptr, &st) < 0)
			err = mmp_error_set_os("cannot stat '%s'", a.ptr);
		else if (S_ISDIR(st.st_mode))
			err = copy_tree(a.ptr, b.ptr);
		else if (S_ISREG(st.st_mode))
			err = copy_file(a.ptr, b.ptr, st.st_mode);
	}
	closedir(d);
	mmp_buf_dispose(&a);
	mmp_buf_dispose(&b);
	return err < 0 ? err : err ? MMP_ERROR : 0;
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

static cJSON *registry_json(const mmp_model_lineage *l)
{
	const mmp_model_version *v = l->version;
	const mmp_run *r = l->run;
	cJSON *o = cJSON_CreateObject(), *a, *lin, *ds;
	size_t i;

	cJSON_AddNumberToObject(o, "schema_version", 1);
	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddNumberToObject(o, "version", (double)v->version);
	cJSON_AddStringToObject(o, "stage", mmp_stage_name(v->stage));
	a = cJSON_AddArrayToObject(o, "aliases");
	for (i = 0; i < v->aliases_nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v->aliases[i]));
	cJSON_AddStringToObject(o, "description", v->description);
	cJSON_AddNumberToObject(o, "creation_time", (double)v->creation_time);
	if (v->approval) {
		cJSON *ap = cJSON_AddObjectToObject(o, "approval");
		cJSON *ev = cJSON_Parse(v->approval->evidence);

		cJSON_AddStringToObject(ap, "decision",
			mmp_decision_name(v->approval->decision));
		cJSON_AddStringToObject(ap, "reason", v->approval->reason);
		cJSON_AddStringToObject(ap, "actor", v->approval->actor);
		cJSON_AddNumberToObject(ap, "time",
			(double)v->approval->time);
		if (ev)
			cJSON_AddItemToObject(ap, "evidence", ev);
	} else {
		cJSON_AddNullToObject(o, "approval");
	}
	lin = cJSON_AddObjectToObject(o, "lineage");
	cJSON_AddStringToObject(lin, "run_id", r->run_id);
	cJSON_AddStringToObject(lin, "run_name", r->name);
	cJSON_AddStringToObject(lin, "experiment", r->experiment_name);
	if (l->recipe_sha256)
		cJSON_AddStringToObject(lin, "recipe_sha256",
			l->recipe_sha256);
	else
		cJSON_AddNullToObject(lin, "recipe_sha256");
	if (l->git_commit)
		cJSON_AddStringToObject(lin, "git_commit", l->git_commit);
	else
		cJSON_AddNullToObject(lin, "git_commit");
	if (l->git_dirty < 0)
		cJSON_AddNullToObject(lin, "git_dirty");
	else
		cJSON_AddBoolToObject(lin, "git_dirty", l->git_dirty);
	ds = cJSON_AddArrayToObject(lin, "datasets");
	for (i = 0; i < r->datasets_nr; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "name", r->datasets[i].name);
		cJSON_AddStringToObject(d, "digest", r->datasets[i].digest);
		if (r->datasets[i].context)
			cJSON_AddStringToObject(d, "context",
				r->datasets[i].context);
		cJSON_AddItemToArray(ds, d);
	}
	return o;
}

int mmp_registry_export(mmp_store *s, const char *ref, const char *dir)
{
	mmp_model_lineage *l = NULL;
	mmp_buf tmp = MMP_BUF_INIT, path = MMP_BUF_INIT;
	mmp_buf target = MMP_BUF_INIT, parent = MMP_BUF_INIT;
	mmp_model_ref mr;
	char rnd[33];
	cJSON *doc = NULL;
	char *text = NULL;
	int err, existed;

	if (!dir || !*dir)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no export directory given");
	/* "out/" names the directory out: the temporary one goes beside
	 * it, and missing parents are created */
	mmp_buf_puts(&target, dir);
	while (target.size > 1 && target.ptr[target.size - 1] == '/')
		mmp_buf_truncate(&target, target.size - 1);
	dir = target.ptr;
	mmp_path_dirname(&parent, dir);
	if ((err = mmp_mkdir_p(parent.ptr, 0777)) < 0)
		goto out;
	existed = mmp_path_exists(dir);
	if (existed && (!mmp_path_is_dir(dir) || !dir_is_empty(dir))) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_REGISTRY,
			"'%s' exists and is not an empty directory", dir);
		goto out;
	}
	if ((err = mmp_registry_resolve(&mr, s, ref)) < 0)
		goto out;
	if ((err = mmp_registry_verify_model(s, mr.run_id, mr.model_dir,
	    NULL)) < 0)
		goto done;
	if ((err = mmp_registry_lineage(&l, s, ref)) < 0)
		goto done;
	if ((err = mmp_uuid_hex(rnd)) < 0)
		goto done;
	mmp_buf_printf(&tmp, "%s.tmp-%.8s", dir, rnd);
	if ((err = copy_tree(mr.model_dir, tmp.ptr)) < 0)
		goto fail;
	doc = registry_json(l);
	text = mmp_json_print(doc, 1);
	mmp_path_join(&path, tmp.ptr, "registry.json");
	{
		mmp_buf body = MMP_BUF_INIT;

		mmp_buf_puts(&body, text);
		mmp_buf_putc(&body, '\n');
		err = mmp_file_write_atomic(path.ptr, body.ptr, body.size);
		mmp_buf_dispose(&body);
	}
	if (err < 0)
		goto fail;
	if (existed && rmdir(dir) < 0) {
		err = mmp_error_set_os("cannot replace '%s'", dir);
		goto fail;
	}
	if (rename(tmp.ptr, dir) < 0) {
		err = mmp_error_set_os("cannot move the export to '%s'", dir);
		goto fail;
	}
	goto done;
fail:
	mmp_rm_rf(tmp.ptr);
done:
	if (text)
		free(text);
	cJSON_Delete(doc);
	mmp_model_lineage_free(l);
	mmp_model_ref_release(&mr);
	mmp_buf_dispose(&tmp);
	mmp_buf_dispose(&path);
out:
	mmp_buf_dispose(&target);
	mmp_buf_dispose(&parent);
	return err;
}
