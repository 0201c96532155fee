/* SPDX-License-Identifier: MIT */
/* port.c: which process listens on a TCP port, from /proc */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve-internal.h"

/* the inode of a socket listening on `port` in one /proc/net file */
static int listen_inode(unsigned long *inode, const char *file, int port)
{
	FILE *f = fopen(file, "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int lport, state;
		unsigned long ino;

		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x "
		    "%x %*s %*s %*s %*d %*d %lu", &lport, &state, &ino) != 3)
			continue;
		if ((int)lport == port && state == 0x0A && ino) {
			*inode = ino;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static int pid_has_socket(const char *pid, const char *want)
{
	mmp_buf dir = MMP_BUF_INIT, link = MMP_BUF_INIT;
	struct dirent *de;
	DIR *d;
	char target[64];
	int found = 0;

	mmp_buf_printf(&dir, "/proc/%s/fd", pid);
	d = opendir(dir.ptr);
	while (d && !found && (de = readdir(d))) {
		ssize_t n;

		mmp_buf_clear(&link);
		mmp_buf_printf(&link, "%s/%s", dir.ptr, de->d_name);
		n = readlink(link.ptr, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = !strcmp(target, want);
	}
	if (d)
		closedir(d);
	mmp_buf_dispose(&dir);
	mmp_buf_dispose(&link);
	return found;
}

int mmp_serve__port_holder(int *pid, mmp_buf *comm, int port)
{
	unsigned long inode = 0;
	struct dirent *de;
	char want[64];
	DIR *d;
	int found = 0;

	if (!listen_inode(&inode, "/proc/net/tcp", port) &&
	    !listen_inode(&inode, "/proc/net/tcp6", port))
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_OS,
			"no visible process listens on port %d", port);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir("/proc");
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (pid_has_socket(de->d_name, want)) {
			mmp_buf path = MMP_BUF_INIT, name = MMP_BUF_INIT;

			found = 1;
			*pid = atoi(de->d_name);
			mmp_buf_printf(&path, "/proc/%s/comm", de->d_name);
			if (mmp_file_read(&name, path.ptr, 4096) == 0) {
				mmp_buf_rtrim(&name);
				mmp_buf_puts(comm, name.ptr);
			} else {
				mmp_error_clear();
			}
			mmp_buf_dispose(&path);
			mmp_buf_dispose(&name);
		}
	}
	if (d)
		closedir(d);
	if (!found)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_OS,
			"the process listening on port %d is not visible",
			port);
	return 0;
}

int mmp_serve_port_holder(int *pid, mmp_buf *comm, int port)
{
	return mmp_serve__port_holder(pid, comm, port);
}
