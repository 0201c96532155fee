/* SPDX-License-Identifier: MIT */
/* dockerfile.c: a container build context that serves one model version */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry-internal.h"

#define BINARY_MAX (512u << 20)
#define PORT 8000
#define TOKEN_PATH "/run/secrets/mmp-token"

/*
 * The image runs the mmp binary that wrote the context, so its base is
 * the Debian release mmp is built on, and the packages are the ones that
 * hold the binary's shared libraries there (their own dependencies come
 * with them). curl is for the HEALTHCHECK, ca-certificates for HTTPS.
 */
static const char base_image[] = "debian:bookworm-slim";
static const char *const packages[] = {
	"ca-certificates", "curl", "libcjson1", "libcurl4", "libgit2-1.5",
	"libmicrohttpd12", "libsqlite3-0", "libssl3", "libxgboost0",
	"libyaml-0-2", NULL
};

/* 1 when /etc/os-release says Debian 12 */
static int host_is_bookworm(void)
{
	mmp_buf b = MMP_BUF_INIT;
	int yes = 0;

	if (mmp_file_read(&b, "/etc/os-release", 65536) == 0)
		yes = strstr(b.ptr, "\nVERSION_CODENAME=bookworm") != NULL &&
			(strstr(b.ptr, "\nID=debian") != NULL ||
			 !strncmp(b.ptr, "ID=debian", 9));
	mmp_error_clear();
	mmp_buf_dispose(&b);
	return yes;
}

static void dockerfile_text(mmp_buf *out, const mmp_model_ref *mr)
{
	size_t i;

	mmp_buf_printf(out,
		"# Serves model '%s' version %lld (%s, run %s) with mmp\n"
		"# serve-api; written by 'mmp models dockerfile'. How to "
		"build and run\n# it: README.md.\n"
		"FROM %s\n\n"
		"RUN apt-get update \\\n"
		" && apt-get install -y --no-install-recommends \\\n",
		mr->name, (long long)mr->version, mmp_stage_name(mr->stage),
		mr->run_id, base_image);
	for (i = 0; packages[i]; i++)
		mmp_buf_printf(out, "      %s%s\n", packages[i],
			" \\");
	mmp_buf_puts(out, " && rm -rf /var/lib/apt/lists/*\n\n");
	mmp_buf_puts(out,
		"# no root at run time: a system user without a home or a "
		"shell\n"
		"RUN useradd --system --uid 10001 --user-group "
		"--home-dir /nonexistent \\\n"
		"      --shell /usr/sbin/nologin mmp\n\n"
		"COPY mmp /usr/local/bin/mmp\n"
		"COPY model /srv/model\n\n");
	mmp_buf_printf(out,
		"LABEL org.opencontainers.image.title=\"%s\" \\\n"
		"      io.mmp.model.name=\"%s\" \\\n"
		"      io.mmp.model.version=\"%lld\" \\\n"
		"      io.mmp.model.run_id=\"%s\"\n\n",
		mr->name, mr->name, (long long)mr->version, mr->run_id);
	mmp_buf_printf(out,
		"USER mmp\n"
		"EXPOSE %d\n"
		"HEALTHCHECK --interval=30s --timeout=3s --start-period=10s "
		"--retries=3 \\\n"
		"  CMD curl -fsS http://127.0.0.1:%d/health || exit 1\n"
		"# the bearer token is a file mounted at run time, never part "
		"of the image\n"
		"CMD [\"mmp\", \"serve-api\", \"--model-dir\", \"/srv/model\", "
		"\"--host\", \"0.0.0.0\", \"--port\", \"%d\", "
		"\"--token-file\", \"" TOKEN_PATH "\"]\n",
		PORT, PORT, PORT);
}

static void readme_text(mmp_buf *out, const mmp_model_ref *mr)
{
	mmp_buf_printf(out,
		"# %s version %lld, served by mmp\n\n"
		"This directory is a container build context written by\n"
		"`mmp models dockerfile`: the model (`model/`, an MLflow "
		"model\ndirectory with `registry.json`), the `mmp` binary "
		"and a\n`Dockerfile` on `%s` with the Debian packages of "
		"its\nlibraries. The container runs as the unprivileged user "
		"`mmp`.\n\n"
		"Build:\n\n"
		"    docker build -t %s:v%lld .\n\n"
		"Run it with a bearer token kept outside the image (every "
		"route but\n`/health` and `/ping` then needs "
		"`Authorization: Bearer <token>`):\n\n"
		"    head -c 32 /dev/urandom | base64 >token\n"
		"    docker run -d --name %s -p 127.0.0.1:%d:%d \\\n"
		"        -v \"$PWD/token:" TOKEN_PATH ":ro\" %s:v%lld\n\n"
		"The container listens on all its interfaces (`--host "
		"0.0.0.0`)\nso that Docker can forward the port; `-p "
		"127.0.0.1:...` keeps it\nreachable from this host only. "
		"Docker marks the container\nunhealthy when `GET /health` "
		"fails (HEALTHCHECK).\n\n"
		"Check it:\n\n"
		"    curl -s localhost:%d/health\n"
		"    curl -s localhost:%d/openapi.json -H \"Authorization: "
		"Bearer $(cat token)\"\n\n"
		"Predict with `POST /predict` (one JSON record or a list) or "
		"MLflow's\n`POST /invocations`, with `Content-Type: "
		"application/json` and the\nfields of `model/MLmodel`'s "
		"signature; see mmp-serve-api(1).\n\n"
		"The same command runs without a container:\n\n"
		"    ./mmp serve-api --model-dir model --port %d "
		"--token-file token\n",
		mr->name, (long long)mr->version, base_image, mr->name,
		(long long)mr->version, mr->name, PORT, PORT, mr->name,
		(long long)mr->version, PORT, PORT, PORT);
}

static int write_file(mmp_buf *path, const char *dir, const char *name,
	const char *data, size_t len, mode_t mode)
{
	int err;

	mmp_buf_clear(path);
	mmp_path_join(path, dir, name);
	if ((err = mmp_file_write_atomic(path->ptr, data, len)) < 0)
		return err;
	if (chmod(path->ptr, mode) < 0)
		return mmp_error_set_os("cannot chmod '%s'", path->ptr),
			MMP_ERROR;
	return 0;
}

int mmp_registry_dockerfile(mmp_dockerfile_result *out, mmp_store *s,
	const char *ref, const char *dir, const char *binary)
{
	mmp_buf path = MMP_BUF_INIT, text = MMP_BUF_INIT, bin = MMP_BUF_INIT;
	mmp_model_ref mr;
	int err;

	memset(&mr, 0, sizeof(mr));
	memset(out, 0, sizeof(*out));
	if (!dir || !*dir)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_INVALID,
			"no directory given");
	if ((err = mmp_registry_resolve(&mr, s, ref)) < 0)
		goto done;
	/* the model goes first: it refuses a directory holding files */
	mmp_path_join(&path, dir, "model");
	if (mmp_path_exists(dir) && !mmp_path_is_dir(dir)) {
		err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_REGISTRY,
			"'%s' exists and is not a directory", dir);
		goto done;
	}
	if (mmp_path_is_dir(dir)) {
		mmp_buf probe = MMP_BUF_INIT;
		int busy = 0;
		const char *names[] = { "Dockerfile", "README.md", "mmp",
			"model", NULL };
		size_t i;
		for (i = 0; names[i]; i++) {
			mmp_buf_clear(&probe);
			mmp_path_join(&probe, dir, names[i]);
			busy |= mmp_path_exists(probe.ptr);
		}
		mmp_buf_dispose(&probe);
		if (busy) {
			err = mmp_error_ret(MMP_EEXISTS, MMP_ERROR_REGISTRY,
				"'%s' already holds a build context", dir);
			goto done;
		}
	}
	if ((err = mmp_registry_export(s, ref, path.ptr)) < 0)
		goto done;
	if ((err = mmp_file_read(&bin, binary ? binary : "/proc/self/exe",
			BINARY_MAX)) < 0) {
		mmp_error_prefix("cannot copy the mmp binary");
		goto done;
	}
	if ((err = write_file(&path, dir, "mmp", bin.ptr, bin.size,
			0755)) < 0)
		goto done;
	dockerfile_text(&text, &mr);
	if ((err = write_file(&path, dir, "Dockerfile", text.ptr, text.size,
			0644)) < 0)
		goto done;
	mmp_buf_clear(&text);
	readme_text(&text, &mr);
	if ((err = write_file(&path, dir, "README.md", text.ptr, text.size,
			0644)) < 0)
		goto done;
	out->name = mmp__strdup(mr.name);
	out->version = mr.version;
	out->stage = mr.stage;
	out->port = PORT;
	out->base_image = base_image;
	out->host_matches = host_is_bookworm();
done:
	mmp_model_ref_release(&mr);
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&text);
	mmp_buf_dispose(&bin);
	return err;
}

void mmp_dockerfile_result_release(mmp_dockerfile_result *r)
{
	if (!r)
		return;
	free(r->name);
	memset(r, 0, sizeof(*r));
}
