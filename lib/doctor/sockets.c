/* SPDX-License-Identifier: MIT */
/* sockets.c: listening sockets and their processes, from /proc */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "mmp/remote.h"
#include "doctor-internal.h"

#define TCP_LISTEN 0x0A

static int parse_addr(char *out, size_t outsz, int family, const char *hex)
{
	if (family == AF_INET) {
		struct in_addr a;
		unsigned int v;

		if (strlen(hex) != 8 || sscanf(hex, "%8X", &v) != 1)
			return -1;
		a.s_addr = v;   /* /proc prints the word in host order */
		return inet_ntop(AF_INET, &a, out, (socklen_t)outsz) ? 0 : -1;
	} else {
		struct in6_addr a;
		unsigned int w;
		char word[9];
		int i;

		if (strlen(hex) != 32)
			return -1;
		for (i = 0; i < 4; i++) {
			memcpy(word, hex + 8 * i, 8);
			word[8] = '\0';
			if (sscanf(word, "%8X", &w) != 1)
				return -1;
			memcpy(&a.s6_addr[4 * i], &w, 4);
		}
		return inet_ntop(AF_INET6, &a, out, (socklen_t)outsz) ? 0 : -1;
	}
}

static int read_table(mmp_doctor__listener **out, size_t *n, size_t *alloc,
	const char *path, int family, int port)
{
	FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {   /* the header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned int lport, st;
		unsigned long inode;
		char *colon;
		mmp_doctor__listener *l;

		if (sscanf(line, " %*d: %63s %63s %X %*s %*s %*s %*u %*u %lu",
			   local, remote, &st, &inode) != 4)
			continue;
		if (st != TCP_LISTEN)
			continue;
		colon = strchr(local, ':');
		if (!colon || sscanf(colon + 1, "%X", &lport) != 1)
			continue;
		*colon = '\0';
		if (port && (int)lport != port)
			continue;
		MMP_ALLOC_GROW(*out, *n + 1, *alloc);
		l = &(*out)[*n];
		memset(l, 0, sizeof(*l));
		if (parse_addr(l->addr, sizeof(l->addr), family, local) < 0)
			continue;
		l->port = (int)lport;
		l->family = family;
		l->inode = inode;
		(*n)++;
	}
	fclose(f);
	return 0;
}

static void read_comm(char *out, size_t outsz, long pid)
{
	char path[64];
	mmp_buf b = MMP_BUF_INIT;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (mmp_file_read(&b, path, 256) < 0) {
		mmp_error_clear();
		return;
	}
	mmp_buf_rtrim(&b);
	snprintf(out, outsz, "%s", b.ptr);
	mmp_buf_dispose(&b);
}

/* map socket inodes to processes through /proc/<pid>/fd links */
static void find_owners(mmp_doctor__listener *ls, size_t n)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *fd;
	size_t i, left = n;

	if (!proc)
		return;
	while (left && (p = readdir(proc))) {
		char dir[64], *end;
		long pid = strtol(p->d_name, &end, 10);

		if (p->d_name[0] < '0' || p->d_name[0] > '9' || *end ||
		    pid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
		if (!(fds = opendir(dir)))
			continue;
		while (left && (fd = readdir(fds))) {
			char link[600], target[64];
			unsigned long inode;
			ssize_t len;

			if (fd->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, fd->d_name);
			len = readlink(link, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (sscanf(target, "socket:[%lu]", &inode) != 1)
				continue;
			for (i = 0; i < n; i++) {
				if (ls[i].inode != inode || ls[i].pid)
					continue;
				ls[i].pid = (pid_t)pid;
				read_comm(ls[i].comm, sizeof(ls[i].comm), pid);
				left--;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

int mmp_doctor__listeners(mmp_doctor__listener **out, size_t *n, int port)
{
	size_t alloc = 0;
	int r4, r6;

	*out = NULL;
	*n = 0;
	r4 = read_table(out, n, &alloc, "/proc/net/tcp", AF_INET, port);
	r6 = read_table(out, n, &alloc, "/proc/net/tcp6", AF_INET6, port);
	if (r4 < 0 && r6 < 0)
		return mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_OS,
			"cannot read '/proc/net/tcp': %s", strerror(errno));
	if (*n)
		find_owners(*out, *n);
	return 0;
}

int mmp_doctor__addr_is_loopback(const char *addr)
{
	return mmp_str_starts_with(addr, "127.") || !strcmp(addr, "::1") ||
		mmp_str_starts_with(addr, "::ffff:127.");
}

int mmp_doctor__addr_is_any(const char *addr)
{
	return !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::");
}

void mmp_doctor__describe_owner(mmp_buf *out, const mmp_doctor__listener *l)
{
	if (l->pid)
		mmp_buf_printf(out, "%s (pid %ld)", l->comm[0] ? l->comm :
			"unknown", (long)l->pid);
	else
		mmp_buf_puts(out, "a process this user cannot see "
			"(another user's, or another container's)");
}

int mmp_doctor__in_container(void)
{
	mmp_buf b = MMP_BUF_INIT;
	int yes = 0;

	if (mmp_path_exists("/.dockerenv") ||
	    mmp_path_exists("/run/.containerenv"))
		return 1;
	if (mmp_file_read(&b, "/proc/1/cgroup", 1 << 16) == 0)
		yes = strstr(b.ptr, "docker") || strstr(b.ptr, "kubepods") ||
			strstr(b.ptr, "containerd") || strstr(b.ptr, "libpod");
	else
		mmp_error_clear();
	mmp_buf_dispose(&b);
	return yes;
}

static void add_port(mmp_doctor__port *out, size_t max, size_t *n, int port,
	const char *why, int must_be_free)
{
	size_t i;

	if (port <= 0 || port > 65535)
		return;
	for (i = 0; i < *n; i++)
		if (out[i].port == port) {
			if (must_be_free && !out[i].must_be_free) {
				out[i].must_be_free = 1;
				out[i].why = why;
			}
			return;
		}
	if (*n >= max)
		return;
	out[*n].port = port;
	out[*n].why = why;
	out[*n].must_be_free = must_be_free;
	(*n)++;
}

static int host_is_local(const char *host)
{
	return !strcmp(host, "localhost") || !strcmp(host, "0.0.0.0") ||
		mmp_doctor__addr_is_loopback(host) || !strcmp(host, "::");
}

size_t mmp_doctor__ports(mmp_doctor__port *out, size_t max,
	const mmp_doctor_options *o)
{
	static const int defaults[] = { 5000, 8000 };
	const int *dp = o->default_ports ? o->default_ports : defaults;
	size_t dn = o->default_ports ? o->default_ports_nr : 2, i, n = 0;

	for (i = 0; i < o->ports_nr; i++)
		add_port(out, max, &n, o->ports[i], "--port", 1);
	add_port(out, max, &n, o->serve_port, "serve.port", 1);
	if (o->tracking_uri) {
		mmp_http_url u;

		if (mmp_http_url_parse(&u, o->tracking_uri) == 0) {
			if (host_is_local(u.host))
				add_port(out, max, &n, u.port, "tracking.uri",
					0);
			mmp_http_url_release(&u);
		} else {
			mmp_error_clear();
		}
	}
	for (i = 0; i < dn; i++)
		add_port(out, max, &n, dp[i], "doctor.ports", 1);
	return n;
}

int mmp_doctor__write_probe(const char *dir)
{
	static const char data[] = "mmp doctor write probe\n";
	mmp_buf path = MMP_BUF_INIT, back = MMP_BUF_INIT;
	int fd, error = 0;

	mmp_path_join(&path, dir, ".mmp-doctor-XXXXXX");
	fd = mkstemp(path.ptr);
	if (fd < 0) {
		error = mmp_error_set_os("cannot create a file in '%s'", dir);
		goto done;
	}
	if (write(fd, data, sizeof(data) - 1) != (ssize_t)(sizeof(data) - 1)) {
		error = mmp_error_set_os("cannot write to '%s'", path.ptr);
		close(fd);
		unlink(path.ptr);
		goto done;
	}
	if (close(fd) < 0) {
		error = mmp_error_set_os("cannot write to '%s'", path.ptr);
		unlink(path.ptr);
		goto done;
	}
	error = mmp_file_read(&back, path.ptr, 4096);
	if (!error && (back.size != sizeof(data) - 1 ||
	    memcmp(back.ptr, data, back.size)))
		error = mmp_error_set(MMP_ERROR_OS, "'%s' read back different "
			"bytes than were written", path.ptr);
	if (unlink(path.ptr) < 0 && !error)
		error = mmp_error_set_os("cannot remove '%s'", path.ptr);
done:
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&back);
	return error;
}
