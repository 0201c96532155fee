/* SPDX-License-Identifier: MIT */
/* t-gitinfo.c: git lineage read through libgit2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/gitinfo.h"
#include "tap.h"

static int sh(const char *fmt, const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir);
	return system(cmd);
}

static void capture(char *out, size_t n, const char *fmt, const char *dir)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), fmt, dir);
	p = popen(cmd, "r");
	out[0] = '\0';
	if (p && fgets(out, (int)n, p))
		out[strcspn(out, "\n")] = '\0';
	if (p)
		pclose(p);
}

int main(void)
{
	char dir[512], head[64], url[600];
	mmp_gitinfo g, g2;
	const char *tmp = tap_tmpdir();

	plan(17);
	mmp_global_init();

	snprintf(dir, sizeof(dir), "%s/norepo", tmp);
	sh("mkdir -p %s", dir);
	is_int(mmp_gitinfo_read(&g, dir), MMP_ENOTFOUND,
		"a directory outside any repository is ENOTFOUND");

	snprintf(dir, sizeof(dir), "%s/repo", tmp);
	ok(sh("git init -q -b main %s && cd %s && echo a >f.txt && "
		"git add f.txt && git -c user.name=T -c user.email=t@e "
		"commit -q -m one && git remote add origin "
		"https://user:s3cret@example.com/team/proj.git && "
		"mkdir -p %s/sub", dir) == 0, "set up a repository");
	capture(head, sizeof(head), "git -C %s rev-parse HEAD", dir);

	is_int(mmp_gitinfo_read(&g, dir), 0, "read a clean repository");
	is_str(g.commit, head, "commit is HEAD");
	is_str(g.branch, "main", "branch name");
	is_str(g.repo_url, "https://example.com/team/proj.git",
		"credentials are stripped from the origin URL");
	is_int(g.dirty, 0, "clean work tree is not dirty");
	is_str(g.diff_sha256, "", "no diff digest when clean");
	mmp_gitinfo_release(&g);

	snprintf(url, sizeof(url), "%s/sub", dir);
	ok(sh("echo b >>%s/f.txt", dir) == 0, "modify a tracked file");
	is_int(mmp_gitinfo_read(&g, url), 0, "read from a subdirectory");
	is_int(g.dirty, 1, "modified tracked file makes it dirty");
	is_int((long long)g.changed_files, 1, "one changed file");
	is_int((long long)strlen(g.diff_sha256), 64, "diff digest is sha256");
	is_int(mmp_gitinfo_read(&g2, dir), 0, "read again");
	is_str(g2.diff_sha256, g.diff_sha256, "diff digest is stable");
	mmp_gitinfo_release(&g);
	mmp_gitinfo_release(&g2);

	sh("cd %s && git checkout -q --detach", dir);
	is_int(mmp_gitinfo_read(&g, dir), 0, "read a detached HEAD");
	ok(g.branch == NULL, "no branch when detached");
	mmp_gitinfo_release(&g);

	mmp_global_shutdown();
	return done_testing();
}
