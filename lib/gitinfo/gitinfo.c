/* SPDX-License-Identifier: MIT */
/* gitinfo.c: git lineage through libgit2 (the only libgit2 user) */
#include <stdlib.h>
#include <string.h>

#include "git2-load.h"
#include "mmp/gitinfo.h"
#include "util/util.h"

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return mmp_error_set(MMP_ERROR_GIT, "%s: %s", what,
		e && e->message ? e->message : "unknown libgit2 error");
}

static int read_diff(mmp_gitinfo *out, git_repository *repo)
{
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	mmp_sha256_ctx c;
	unsigned char digest[32];
	int err = 0;

	if (out->commit[0]) {
		if (git_revparse_single(&head, repo, "HEAD^{tree}") < 0)
			return git_fail("cannot read HEAD's tree");
		tree = (git_tree *)head;
	}
	opts.flags = GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_workdir_with_index(&diff, repo, tree, &opts) < 0) {
		err = git_fail("cannot diff the work tree");
		goto done;
	}
	out->changed_files = git_diff_num_deltas(diff);
	out->dirty = out->changed_files > 0;
	if (out->dirty) {
		/*
		 * The digest covers each changed path with the ids of its
		 * old and new content (the work tree file hashed as a blob),
		 * so it changes exactly when the uncommitted change does.
		 */
		size_t i;

		mmp_sha256_init(&c);
		for (i = 0; i < out->changed_files; i++) {
			const git_diff_delta *d = git_diff_get_delta(diff, i);
			git_oid new_id = d->new_file.id;
			char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
			mmp_buf line = MMP_BUF_INIT;

			if (d->status != GIT_DELTA_DELETED &&
			    !(d->new_file.flags & GIT_DIFF_FLAG_VALID_ID)) {
				mmp_buf full = MMP_BUF_INIT;
				mmp_path_join(&full, git_repository_workdir(repo),
					d->new_file.path);
				if (git_odb_hashfile(&new_id, full.ptr,
						GIT_OBJECT_BLOB) < 0)
					git_oid_fromstr(&new_id, "0000000000000"
						"000000000000000000000000000");
				mmp_buf_dispose(&full);
			}
			git_oid_tostr(a, sizeof(a), &d->old_file.id);
			git_oid_tostr(b, sizeof(b), &new_id);
			mmp_buf_printf(&line, "%d %s %s %s %s\n", d->status, a,
				b, d->old_file.path ? d->old_file.path : "",
				d->new_file.path ? d->new_file.path : "");
			mmp_sha256_update(&c, line.ptr, line.size);
			mmp_buf_dispose(&line);
		}
		mmp_sha256_final(&c, digest);
		mmp_sha256_hex(out->diff_sha256, digest);
	}
done:
	git_diff_free(diff);
	git_object_free(head);
	return err;
}

int mmp_gitinfo_read(mmp_gitinfo *out, const char *path)
{
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_config *cfg = NULL;
	git_buf url = GIT_BUF_INIT;
	const git_oid *oid;
	const char *wd;
	int err = 0, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmp_gitinfo__load()) < 0)
		return rc;
	rc = git_repository_open_ext(&repo, path, 0, NULL);
	if (rc == GIT_ENOTFOUND)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_GIT,
			"'%s' is not in a git repository", path);
	if (rc < 0)
		return git_fail("cannot open the git repository");
	if (git_repository_is_bare(repo)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_GIT,
			"'%s' is in a bare git repository", path);
		goto done;
	}
	wd = git_repository_workdir(repo);
	out->workdir = mmp__strdup(wd ? wd : "");

	rc = git_repository_head(&ref, repo);
	if (rc == 0) {
		oid = git_reference_target(ref);
		if (oid)
			git_oid_tostr(out->commit, sizeof(out->commit), oid);
		if (git_reference_is_branch(ref))
			out->branch = mmp__strdup(git_reference_shorthand(ref));
	} else if (rc == GIT_EUNBORNBRANCH) {
		git_reference *h = NULL;
		if (git_reference_lookup(&h, repo, "HEAD") == 0 &&
		    git_reference_symbolic_target(h)) {
			const char *t = git_reference_symbolic_target(h);
			if (mmp_str_starts_with(t, "refs/heads/"))
				t += strlen("refs/heads/");
			out->branch = mmp__strdup(t);
		}
		git_reference_free(h);
	} else if (rc != GIT_ENOTFOUND) {
		err = git_fail("cannot resolve HEAD");
		goto done;
	}

	/* read the URL from the configuration: git_remote_lookup() in
	 * libgit2 1.5 leaks its insteadOf pattern matches */
	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_string_buf(&url, cfg, "remote.origin.url") == 0) {
		out->repo_url = mmp__strdup(url.ptr);
		mmp_url_strip_credentials(out->repo_url);
	}
	git_buf_dispose(&url);
	git_config_free(cfg);
	git_error_clear();

	err = read_diff(out, repo);
done:
	git_reference_free(ref);
	git_repository_free(repo);
	if (err)
		mmp_gitinfo_release(out);
	return err;
}

void mmp_gitinfo_release(mmp_gitinfo *info)
{
	free(info->branch);
	free(info->repo_url);
	free(info->workdir);
	memset(info, 0, sizeof(*info));
}
