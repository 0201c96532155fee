/* SPDX-License-Identifier: MIT */
/*
 * pull.c: `mmp models pull models:/NAME@ALIAS`: a registry version of an
 * MLflow server resolved, downloaded through the artifact proxy or from
 * S3, checked, then recorded in the store as a local run and a local
 * model version
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "mmp/pull.h"
#include "mmp/registry.h"
#include "remote-internal.h"

#define API "/api/2.0/mlflow"
#define ARTIFACTS_API "/api/2.0/mlflow-artifacts/artifacts"
#define MAX_FILES 10000
#define MAX_DEPTH 32
#define PULL_EXPERIMENT "mmp-pulled"

enum ref_kind { REF_VERSION, REF_STAGE, REF_ALIAS, REF_LATEST };

struct ref {
	enum ref_kind kind;
	char *name;
	char *what;       /* the version, stage or alias */
};

struct file {
	char *path;       /* below the model root */
	uint64_t size;
};

struct pull {
	mmp_store *s;
	const mmp_pull_options *o;
	mmp_pull_result *out;
	struct mmp_mlflow m;
	struct file *files;
	size_t nfiles, afiles;
	int s3;           /* the root is an s3:// URI, not a proxy path */
};

void mmp_pull_result_release(mmp_pull_result *r)
{
	if (!r)
		return;
	free(r->remote);
	free(r->name);
	free(r->remote_version);
	free(r->remote_run_id);
	free(r->source);
	free(r->local_name);
	free(r->run_id);
	free(r->model_dir);
	memset(r, 0, sizeof(*r));
}

static void ref_release(struct ref *r)
{
	free(r->name);
	free(r->what);
	memset(r, 0, sizeof(*r));
}

static const char *const stage_names[] = { "None", "Staging", "Production",
	"Archived" };

static int parse_ref(struct ref *r, const char *uri)
{
	static const char scheme[] = "models:/";
	const char *p, *at, *slash;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (strncmp(uri, scheme, strlen(scheme)))
		goto bad;
	p = uri + strlen(scheme);
	if ((at = strrchr(p, '@')) && !strchr(at, '/')) {
		r->kind = REF_ALIAS;
		r->name = mmp__strndup(p, (size_t)(at - p));
		r->what = mmp__strdup(at + 1);
	} else if ((slash = strchr(p, '/'))) {
		r->name = mmp__strndup(p, (size_t)(slash - p));
		r->what = mmp__strdup(slash + 1);
		if (*r->what && strspn(r->what, "0123456789") ==
		    strlen(r->what)) {
			r->kind = REF_VERSION;
		} else if (!strcasecmp(r->what, "latest")) {
			r->kind = REF_LATEST;
		} else {
			for (i = 0; i < 4; i++)
				if (!strcasecmp(r->what, stage_names[i]))
					break;
			if (i == 4) {
				ref_release(r);
				return mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_INVALID, "'%s': '%s' is "
					"neither a version number nor a stage "
					"(None, Staging, Production, "
					"Archived) nor latest", uri,
					slash + 1);
			}
			free(r->what);
			r->what = mmp__strdup(stage_names[i]);
			r->kind = REF_STAGE;
		}
	} else {
		goto bad;
	}
	if (!*r->name || !*r->what || strchr(r->what, '/') ||
	    strchr(r->name, '/'))
		goto bad;
	for (p = uri; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			goto bad;
	return 0;
bad:
	ref_release(r);
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
		"'%s' is not a registry model URI: expected "
		"models:/<name>/<version>, models:/<name>/<stage>, "
		"models:/<name>/latest or models:/<name>@<alias>", uri);
}

/* the model_version object the reference names (owned by *doc) */
static int resolve(const cJSON **out, cJSON **doc, struct pull *p,
	const struct ref *r)
{
	mmp_buf path = MMP_BUF_INIT;
	cJSON *body = NULL, *it;
	const cJSON *best = NULL;
	long long bestv = -1;
	int err;

	*out = NULL;
	*doc = NULL;
	switch (r->kind) {
	case REF_ALIAS:
		mmp_buf_puts(&path, API "/registered-models/alias?name=");
		mmp_http_escape(&path, r->name);
		mmp_buf_puts(&path, "&alias=");
		mmp_http_escape(&path, r->what);
		err = mmp_mlflow__call(doc, &p->m, "GET", path.ptr, NULL,
			"look up the alias");
		break;
	case REF_VERSION:
		mmp_buf_puts(&path, API "/model-versions/get?name=");
		mmp_http_escape(&path, r->name);
		mmp_buf_puts(&path, "&version=");
		mmp_http_escape(&path, r->what);
		err = mmp_mlflow__call(doc, &p->m, "GET", path.ptr, NULL,
			"look up the version");
		break;
	default:
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "name", r->name);
		if (r->kind == REF_STAGE)
			cJSON_AddItemToArray(cJSON_AddArrayToObject(body,
				"stages"), cJSON_CreateString(r->what));
		err = mmp_mlflow__call(doc, &p->m, "POST",
			API "/registered-models/get-latest-versions", body,
			"look up the latest versions");
		break;
	}
	if (err < 0)
		goto done;
	if (r->kind == REF_ALIAS || r->kind == REF_VERSION) {
		best = cJSON_GetObjectItemCaseSensitive(*doc, "model_version");
	} else {
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(*doc,
		    "model_versions")) {
			const char *v = mmp_mlflow__str(it, "version");
			long long n = v ? strtoll(v, NULL, 10) : -1;
			if (n > bestv) {
				bestv = n;
				best = it;
			}
		}
		if (!best) {
			err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_HTTP,
				"model '%s' has no version%s%s", r->name,
				r->kind == REF_STAGE ? " in stage " : "",
				r->kind == REF_STAGE ? r->what : "");
			goto done;
		}
	}
	if (!cJSON_IsObject(best) || !mmp_mlflow__str(best, "version")) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "the server's "
			"answer names no model version");
		goto done;
	}
	*out = best;
done:
	cJSON_Delete(body);
	mmp_buf_dispose(&path);
	return err;
}

/* an artifact URI mmp can read: behind the proxy, or in S3 */
static int readable(const char *uri)
{
	return !strncmp(uri, "mlflow-artifacts:", 17) ||
		!strncmp(uri, "s3://", 5);
}

/* the version's files as a path below mlflow-artifacts:/, or as an
 * s3:// URI (p->s3 set) */
static int artifact_root(mmp_buf *root, struct pull *p, const char *name,
	const char *version)
{
	static const char proxied[] = "mlflow-artifacts:";
	mmp_buf path = MMP_BUF_INIT;
	cJSON *doc = NULL;
	const char *uri, *run_uri, *rest;
	int err;

	mmp_buf_puts(&path, API "/model-versions/get-download-uri?name=");
	mmp_http_escape(&path, name);
	mmp_buf_puts(&path, "&version=");
	mmp_http_escape(&path, version);
	if ((err = mmp_mlflow__call(&doc, &p->m, "GET", path.ptr, NULL,
	    "ask where the version's files are")) < 0)
		goto done;
	if (!(uri = mmp_mlflow__str(doc, "artifact_uri"))) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
			"get-download-uri: no artifact_uri in the answer");
		goto done;
	}
	p->out->source = mmp__strdup(uri);
	/* runs:/<run>/<path>: below that run's artifact root */
	if (!strncmp(uri, "runs:/", 6)) {
		const char *run = uri + 6, *sl = strchr(run, '/');
		char *id = mmp__strndup(run, sl ? (size_t)(sl - run) :
			strlen(run));
		cJSON *rd = NULL;
		mmp_buf_clear(&path);
		mmp_buf_puts(&path, API "/runs/get?run_id=");
		mmp_http_escape(&path, id);
		free(id);
		err = mmp_mlflow__call(&rd, &p->m, "GET", path.ptr, NULL,
			"look up the version's run");
		run_uri = err < 0 ? NULL : mmp_mlflow__str(
			cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(rd, "run"), "info"),
			"artifact_uri");
		if (!err && !run_uri)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"runs/get: no artifact_uri in the answer");
		if (!err && !readable(run_uri))
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
				"version %s of '%s' is stored at '%s', "
				"which mmp reaches only through the server's "
				"artifact proxy (mlflow server "
				"--serve-artifacts) or in S3", version, name,
				run_uri);
		if (!err && !strncmp(run_uri, "s3://", 5)) {
			p->s3 = 1;
			mmp_buf_puts(root, run_uri);
			while (root->size && root->ptr[root->size - 1] == '/')
				mmp_buf_truncate(root, root->size - 1);
			if (sl && sl[1])
				mmp_buf_printf(root, "/%s", sl + 1);
		} else if (!err) {
			rest = run_uri + strlen(proxied);
			while (*rest == '/')
				rest++;
			mmp_buf_puts(root, rest);
			if (sl && sl[1])
				mmp_buf_printf(root, "/%s", sl + 1);
		}
		cJSON_Delete(rd);
		goto done;
	}
	if (!readable(uri)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"version %s of '%s' is stored at '%s', which mmp "
			"reaches only through the server's artifact proxy "
			"(mlflow server --serve-artifacts) or in S3", version,
			name, uri);
		goto done;
	}
	if (!strncmp(uri, "s3://", 5)) {
		p->s3 = 1;
		mmp_buf_puts(root, uri);
		goto done;
	}
	rest = uri + strlen(proxied);
	while (*rest == '/')
		rest++;
	mmp_buf_puts(root, rest);
done:
	while (root->size && root->ptr[root->size - 1] == '/')
		mmp_buf_truncate(root, root->size - 1);
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	return err;
}

/* a path segment the server listed: a plain name, nothing to escape by */
static int safe_name(const char *s)
{
	const unsigned char *c;

	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '/' || *c == '\\')
			return 0;
	return 1;
}

static void escape_path(mmp_buf *out, const char *path)
{
	const char *s = path;

	while (*s) {
		size_t n = strcspn(s, "/");
		char *seg = mmp__strndup(s, n);
		mmp_buf_putc(out, '/');
		mmp_http_escape(out, seg);
		free(seg);
		s += n;
		while (*s == '/')
			s++;
	}
}

/* every object below the s3:// root into p->files */
static int list_s3(struct pull *p, const char *root)
{
	mmp_buf key = MMP_BUF_INIT;
	mmp_s3_object *o = NULL;
	mmp_s3 *s3;
	size_t n = 0, i;
	int err;

	if ((err = mmp_mlflow__s3(&s3, &key, &p->m, root, NULL)) < 0)
		goto done;
	err = mmp_s3_list(&o, &n, s3, key.ptr, MAX_FILES);
	mmp_mlflow__s3_account(&p->m, err < 0);
	if (err == MMP_EINVALID)
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"the model has more than %d files", MAX_FILES);
	if (err < 0)
		goto done;
	for (i = 0; i < n; i++) {
		const char *k = o[i].key;
		int depth = 0;

		/* "dir/" placeholders some tools leave: no file */
		if (!*k || (k[strlen(k) - 1] == '/' && !o[i].size))
			continue;

		/* each segment a plain name, as from the proxy's listing */
		while (*k) {
			size_t len = strcspn(k, "/");
			char *seg = mmp__strndup(k, len);
			int safe = safe_name(seg);

			free(seg);
			if (!safe || ++depth > MAX_DEPTH) {
				err = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_HTTP, "the bucket holds an "
					"unsafe file name below '%s'", root);
				goto done;
			}
			k += len;
			if (*k == '/')
				k++;
		}
		MMP_ALLOC_GROW(p->files, p->nfiles + 1, p->afiles);
		p->files[p->nfiles].path = mmp__strdup(o[i].key);
		p->files[p->nfiles++].size = o[i].size;
	}
done:
	mmp_s3_objects_free(o, n);
	mmp_buf_dispose(&key);
	return err;
}

/* list `rel` below the root (recursively) into p->files */
static int list_dir(struct pull *p, const char *root, const char *rel,
	int depth)
{
	mmp_buf path = MMP_BUF_INIT, full = MMP_BUF_INIT;
	mmp_buf child = MMP_BUF_INIT;
	cJSON *doc = NULL, *it;
	int err;

	if (depth > MAX_DEPTH)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
			"the model's files nest more than %d directories "
			"deep", MAX_DEPTH);
	mmp_buf_puts(&full, root);
	if (*rel)
		mmp_buf_printf(&full, "/%s", rel);
	mmp_buf_puts(&path, ARTIFACTS_API "?path=");
	mmp_http_escape(&path, full.ptr);
	if ((err = mmp_mlflow__call(&doc, &p->m, "GET", path.ptr, NULL,
	    "list the model's files")) < 0)
		goto done;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc,
	    "files")) {
		const char *name = mmp_mlflow__str(it, "path");
		const cJSON *dir = cJSON_GetObjectItemCaseSensitive(it,
			"is_dir");
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(it,
			"file_size");
		const char *base;

		if (!name || !*name) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"the file listing of '%s' has an entry "
				"without a path", full.ptr);
			goto done;
		}
		/* relative to the listed directory; some servers give
		 * the path from the root: keep the last segment */
		base = strrchr(name, '/');
		base = base ? base + 1 : name;
		if (!safe_name(base)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
				"the server lists an unsafe file name in "
				"'%s'", full.ptr);
			goto done;
		}
		mmp_buf_clear(&child);
		if (*rel)
			mmp_buf_printf(&child, "%s/", rel);
		mmp_buf_puts(&child, base);
		if (cJSON_IsTrue(dir)) {
			if ((err = list_dir(p, root, child.ptr,
			    depth + 1)) < 0)
				goto done;
			continue;
		}
		if (!cJSON_IsNumber(size) || size->valuedouble < 0 ||
		    size->valuedouble > 1e15) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"the server lists no size for '%s': mmp "
				"cannot check its download", child.ptr);
			goto done;
		}
		if (p->nfiles >= MAX_FILES) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_HTTP,
				"the model has more than %d files",
				MAX_FILES);
			goto done;
		}
		MMP_ALLOC_GROW(p->files, p->nfiles + 1, p->afiles);
		p->files[p->nfiles].path = mmp_buf_detach(&child);
		p->files[p->nfiles++].size = (uint64_t)size->valuedouble;
	}
done:
	cJSON_Delete(doc);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&full);
	mmp_buf_dispose(&child);
	return err;
}

/* one file of an s3:// root, its size checked (and its MD5 ETag) */
static int download_s3(struct pull *p, const char *root, const char *dir,
	const struct file *f)
{
	mmp_buf key = MMP_BUF_INIT, file = MMP_BUF_INIT;
	mmp_buf parent = MMP_BUF_INIT;
	mmp_s3 *s3;
	uint64_t got = 0;
	int err;

	if ((err = mmp_mlflow__s3(&s3, &key, &p->m, root, f->path)) < 0)
		goto done;
	mmp_path_join(&file, dir, f->path);
	mmp_path_dirname(&parent, file.ptr);
	if ((err = mmp_mkdir_p(parent.ptr, 0777)) < 0)
		goto done;
	err = mmp_s3_get_file(s3, key.ptr, file.ptr, f->size, &got);
	mmp_mlflow__s3_account(&p->m, err < 0);
	if (!err && got != f->size)
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "download of "
			"'%s' is truncated: %llu of the %llu bytes the bucket "
			"lists", f->path, (unsigned long long)got,
			(unsigned long long)f->size);
	if (!err) {
		p->out->files++;
		p->out->bytes += got;
	}
done:
	mmp_buf_dispose(&key);
	mmp_buf_dispose(&file);
	mmp_buf_dispose(&parent);
	return err;
}

static int download(struct pull *p, const char *root, const char *dir)
{
	mmp_buf url = MMP_BUF_INIT, file = MMP_BUF_INIT, what = MMP_BUF_INIT;
	mmp_buf parent = MMP_BUF_INIT;
	uint64_t got;
	size_t i;
	int err = 0;

	for (i = 0; i < p->nfiles && !err; i++) {
		const struct file *f = &p->files[i];
		if (p->s3) {
			err = download_s3(p, root, dir, f);
			continue;
		}
		mmp_buf_clear(&url);
		mmp_buf_clear(&file);
		mmp_buf_clear(&what);
		mmp_buf_clear(&parent);
		mmp_buf_puts(&url, ARTIFACTS_API);
		escape_path(&url, root);
		escape_path(&url, f->path);
		mmp_path_join(&file, dir, f->path);
		mmp_path_dirname(&parent, file.ptr);
		if ((err = mmp_mkdir_p(parent.ptr, 0777)) < 0)
			break;
		mmp_buf_printf(&what, "download '%s'", f->path);
		err = mmp_mlflow__download(&p->m, url.ptr, file.ptr, f->size,
			&got, what.ptr);
		if (!err && got != f->size)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"download of '%s' is truncated: %llu of the "
				"%llu bytes the server lists", f->path,
				(unsigned long long)got,
				(unsigned long long)f->size);
		if (!err) {
			p->out->files++;
			p->out->bytes += got;
		}
	}
	mmp_buf_dispose(&url);
	mmp_buf_dispose(&file);
	mmp_buf_dispose(&what);
	mmp_buf_dispose(&parent);
	return err;
}

/* a version of `local` pulled before from the same place */
static int find_pulled(struct pull *p, const char *local,
	const char *version)
{
	mmp_registered_model *rm = NULL;
	size_t i, j;
	int err, hits;

	err = mmp_registry_model_get(&rm, p->s, local);
	if (err == MMP_ENOTFOUND) {
		mmp_error_clear();
		return 0;
	}
	if (err < 0)
		return err;
	for (i = 0; i < rm->versions_nr; i++) {
		const mmp_model_version *v = rm->versions[i];
		for (j = hits = 0; j < v->tags_nr; j++) {
			const char *k = v->tags[j].key, *val = v->tags[j].value;
			hits += (!strcmp(k, "mmp.remote.server") &&
				!strcmp(val, p->out->remote)) ||
				(!strcmp(k, "mmp.remote.name") &&
				!strcmp(val, p->out->name)) ||
				(!strcmp(k, "mmp.remote.version") &&
				!strcmp(val, version));
		}
		if (hits == 3 && v->model_dir &&
		    mmp_path_is_dir(v->model_dir)) {
			p->out->already = 1;
			p->out->local_version = v->version;
			p->out->run_id = mmp__strdup(v->run_id);
			p->out->model_dir = mmp__strdup(v->model_dir);
			break;
		}
	}
	mmp_registered_model_free(rm);
	return 0;
}

/* record the downloaded files as a pull run and the next local version */
static int record(struct pull *p, const char *tmp, const char *version)
{
	mmp_run_start_options ro = MMP_RUN_START_OPTIONS_INIT;
	mmp_register_options rg = MMP_REGISTER_OPTIONS_INIT;
	mmp_buf name = MMP_BUF_INIT, src = MMP_BUF_INIT, dir = MMP_BUF_INIT;
	mmp_buf rel = MMP_BUF_INIT, file = MMP_BUF_INIT;
	mmp_artifact *arts = NULL;
	char **shas = NULL, id[33];
	mmp_kv tags[5];
	size_t i, ntags = 0;
	int err, started = 0, changed;

	mmp_buf_printf(&src, "models:/%s/%s", p->out->name, version);
	mmp_buf_printf(&name, "pull-%s-v%s", p->out->name, version);
	ro.experiment = PULL_EXPERIMENT;
	ro.run_name = name.ptr;
	ro.kind = "pull";
	ro.source_name = src.ptr;
	ro.source_type = "REMOTE";
	ro.user = p->o->actor;
	if ((err = mmp_run_start(p->s, &ro, id)) < 0)
		goto done;
	started = 1;
	tags[ntags].key = "mmp.remote.server";
	tags[ntags++].value = p->out->remote;
	tags[ntags].key = "mmp.remote.name";
	tags[ntags++].value = p->out->name;
	tags[ntags].key = "mmp.remote.version";
	tags[ntags++].value = version;
	tags[ntags].key = "mmp.remote.source";
	tags[ntags++].value = p->out->source;
	if (p->out->remote_run_id) {
		tags[ntags].key = "mmp.remote.run_id";
		tags[ntags++].value = p->out->remote_run_id;
	}
	if ((err = mmp_run_set_tags(p->s, id, tags, ntags)) < 0)
		goto done;
	/* the checked files become the run's model directory at once */
	if ((err = mmp_run_artifact_dir(&dir, p->s, id)) < 0 ||
	    (err = mmp_mkdir_p(dir.ptr, 0777)) < 0)
		goto done;
	mmp_path_join(&file, dir.ptr, "model");
	if (rename(tmp, file.ptr) < 0) {
		err = mmp_error_set_os("cannot move the model into '%s'",
			file.ptr);
		goto done;
	}
	arts = mmp__calloc(p->nfiles ? p->nfiles : 1, sizeof(*arts));
	shas = mmp__calloc(p->nfiles ? p->nfiles : 1, sizeof(*shas));
	for (i = 0; i < p->nfiles; i++) {
		mmp_buf_clear(&rel);
		mmp_buf_printf(&rel, "model/%s", p->files[i].path);
		mmp_buf_clear(&file);
		mmp_path_join(&file, dir.ptr, rel.ptr);
		shas[i] = mmp__malloc(65);
		if ((err = mmp_sha256_file(shas[i], file.ptr)) < 0)
			goto done;
		arts[i].path = mmp__strdup(rel.ptr);
		arts[i].size = (int64_t)p->files[i].size;
		arts[i].sha256 = shas[i];
	}
	if ((err = mmp_run_log_artifacts(p->s, id, arts, p->nfiles)) < 0 ||
	    (err = mmp_run_end(p->s, id, "FINISHED", NULL)) < 0)
		goto done;
	started = 0;
	rg.tags = tags;
	rg.tags_nr = ntags;
	rg.actor = p->o->actor;
	if ((err = mmp_registry_register(&p->out->local_version, p->s, id,
	    p->out->local_name, &rg)) < 0)
		goto done;
	p->out->run_id = mmp__strdup(id);
	mmp_buf_clear(&file);
	mmp_path_join(&file, dir.ptr, "model");
	p->out->model_dir = mmp__strdup(file.ptr);
done:
	if (err < 0 && started) {
		/* nothing half-made stays behind: the files go, and the
		 * run is marked failed and deleted */
		mmp_buf_clear(&file);
		mmp_path_join(&file, dir.ptr, "model");
		if (dir.size)
			mmp_rm_rf(file.ptr);
		mmp_error_prefix("cannot record the pulled model");
		{
			mmp_error saved = *mmp_error_last();
			char *msg = mmp__strdup(saved.message);
			int klass = saved.klass;
			mmp_run_end(p->s, id, "FAILED", msg);
			mmp_run_delete(&changed, p->s, id);
			mmp_error_set(klass, "%s", msg);
			free(msg);
		}
	}
	for (i = 0; arts && i < p->nfiles; i++) {
		free((char *)arts[i].path);
		free(shas[i]);
	}
	free(arts);
	free(shas);
	mmp_buf_dispose(&name);
	mmp_buf_dispose(&src);
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&rel);
	mmp_buf_dispose(&file);
	return err;
}

int mmp_models_pull(mmp_pull_result *out, mmp_store *s, const char *uri,
	const mmp_pull_options *o)
{
	struct pull p;
	struct ref r;
	mmp_buf clean = MMP_BUF_INIT, root = MMP_BUF_INIT, tmp = MMP_BUF_INIT;
	char *user = NULL, *pass = NULL;
	cJSON *doc = NULL;
	const cJSON *mv;
	const char *local;
	size_t i;
	int err, has_mlmodel = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	if (!o || o->version != MMP_PULL_OPTIONS_VERSION || !uri)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"missing or unsupported pull options");
	if (!o->tracking_uri || !*o->tracking_uri)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no tracking server to pull from");
	if ((err = parse_ref(&r, uri)) < 0)
		return err;
	p.s = s;
	p.o = o;
	p.out = out;
	if ((err = mmp_remote__clean_uri(&clean, &user, &pass,
	    o->tracking_uri)) < 0)
		goto done;
	out->remote = mmp_buf_detach(&clean);
	out->name = mmp__strdup(r.name);
	local = o->local_name ? o->local_name : r.name;
	out->local_name = mmp__strdup(local);
	if ((err = mmp_mlflow__open(&p.m, o->tracking_uri, o->http)) < 0)
		goto done;
	if (o->max_attempts > 0)
		p.m.max_attempts = o->max_attempts;
	if (o->backoff_ms > 0)
		p.m.backoff_ms = o->backoff_ms;

	if ((err = resolve(&mv, &doc, &p, &r)) < 0)
		goto done;
	out->remote_version = mmp__strdup(mmp_mlflow__str(mv, "version"));
	out->remote_run_id = mmp__strdup_or_null(mmp_mlflow__str(mv,
		"run_id"));
	if (out->remote_run_id && !*out->remote_run_id) {
		free(out->remote_run_id);
		out->remote_run_id = NULL;
	}
	if ((err = find_pulled(&p, local, out->remote_version)) < 0 ||
	    out->already)
		goto done;
	if ((err = artifact_root(&root, &p, r.name,
	    out->remote_version)) < 0 ||
	    (err = p.s3 ? list_s3(&p, root.ptr) :
	    list_dir(&p, root.ptr, "", 0)) < 0)
		goto done;
	for (i = 0; i < p.nfiles; i++)
		if (!strcmp(p.files[i].path, "MLmodel"))
			has_mlmodel = 1;
	if (!has_mlmodel) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_MODEL,
			"version %s of '%s' is not an MLflow model: no MLmodel "
			"file at '%s'", out->remote_version, r.name,
			out->source);
		goto done;
	}
	mmp_path_join(&tmp, mmp_store_dir(s), "tmp");
	if ((err = mmp_mkdir_p(tmp.ptr, 0777)) < 0)
		goto done;
	mmp_buf_puts(&tmp, "/pull-XXXXXX");
	if (!mkdtemp(tmp.ptr)) {
		err = mmp_error_set_os("cannot create a directory in '%s'",
			mmp_store_dir(s));
		goto done;
	}
	if ((err = download(&p, root.ptr, tmp.ptr)) < 0 ||
	    (err = record(&p, tmp.ptr, out->remote_version)) < 0)
		mmp_rm_rf(tmp.ptr);
done:
	out->requests = p.m.requests;
	mmp_mlflow__close(&p.m);
	for (i = 0; i < p.nfiles; i++)
		free(p.files[i].path);
	free(p.files);
	cJSON_Delete(doc);
	ref_release(&r);
	if (user)
		memset(user, 0, strlen(user));
	if (pass)
		memset(pass, 0, strlen(pass));
	free(user);
	free(pass);
	mmp_buf_dispose(&clean);
	mmp_buf_dispose(&root);
	mmp_buf_dispose(&tmp);
	return err;
}
