/* SPDX-License-Identifier: MIT */
/* fs.c: bounded reads, atomic writes and directory helpers */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int mmp_file_read(mmp_buf *out, const char *path, size_t max_bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		int code = errno == ENOENT ? MMP_ENOTFOUND : MMP_ERROR;
		mmp_error_set_os("cannot open '%s'", path);
		return code;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_OS,
			"'%s' is a directory", path);
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && max_bytes &&
	    (uint64_t)st.st_size > max_bytes) {
		close(fd);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_OS,
			"'%s' is too large (%lld bytes, limit %zu)", path,
			(long long)st.st_size, max_bytes);
	}
	for (;;) {
		mmp_buf_grow(out, 65536);
		n = read(fd, out->ptr + out->size, out->asize - out->size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mmp_error_set_os("cannot read '%s'", path);
			close(fd);
			return MMP_ERROR;
		}
		if (n == 0)
			break;
		out->size += (size_t)n;
		out->ptr[out->size] = '\0';
		if (max_bytes && out->size > max_bytes) {
			close(fd);
			return mmp_error_ret(MMP_EINVALID, MMP_ERROR_OS,
				"'%s' is too large (limit %zu bytes)", path,
				max_bytes);
		}
	}
	close(fd);
	return 0;
}

int mmp_file_write_atomic(const char *path, const void *data, size_t len)
{
	mmp_buf tmp = MMP_BUF_INIT;
	const char *p = data;
	int fd, err = 0;

	mmp_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = mmp_error_set_os("cannot create '%s'", tmp.ptr);
		goto done;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = mmp_error_set_os("cannot write '%s'", tmp.ptr);
			close(fd);
			unlink(tmp.ptr);
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		err = mmp_error_set_os("cannot write '%s'", tmp.ptr);
		unlink(tmp.ptr);
		goto done;
	}
	if (rename(tmp.ptr, path) < 0) {
		err = mmp_error_set_os("cannot rename '%s' to '%s'", tmp.ptr,
			path);
		unlink(tmp.ptr);
	}
done:
	mmp_buf_dispose(&tmp);
	return err;
}

int mmp_mkdir_p(const char *path, mode_t mode)
{
	char *p = mmp__strdup(path), *s;
	int err = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				err = mmp_error_set_os("cannot create '%s'", p);
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!err && !mmp_path_is_dir(path))
		err = mmp_error_set(MMP_ERROR_OS, "'%s' is not a directory",
			path);
	free(p);
	return err;
}

int mmp_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	mmp_buf sub = MMP_BUF_INIT;
	int err = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
			: mmp_error_set_os("cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return mmp_error_set_os("cannot remove '%s'", path);
		return 0;
	}
	if (!(d = opendir(path)))
		return mmp_error_set_os("cannot open '%s'", path);
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		mmp_buf_clear(&sub);
		mmp_path_join(&sub, path, e->d_name);
		err = mmp_rm_rf(sub.ptr);
	}
	closedir(d);
	mmp_buf_dispose(&sub);
	if (!err && rmdir(path) < 0)
		err = mmp_error_set_os("cannot remove '%s'", path);
	return err;
}

bool mmp_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool mmp_path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void mmp_path_join(mmp_buf *out, const char *a, const char *b)
{
	if (b[0] == '/' || !a[0]) {
		mmp_buf_puts(out, b);
		return;
	}
	mmp_buf_puts(out, a);
	if (out->size && out->ptr[out->size - 1] != '/')
		mmp_buf_putc(out, '/');
	mmp_buf_puts(out, b);
}

void mmp_path_dirname(mmp_buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		mmp_buf_putc(out, '.');
	else if (slash == path)
		mmp_buf_putc(out, '/');
	else
		mmp_buf_put(out, path, (size_t)(slash - path));
}

int mmp_path_absolute(mmp_buf *out, const char *path)
{
	mmp_buf raw = MMP_BUF_INIT;
	const char *s;

	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return mmp_error_set_os("cannot get the working directory");
		mmp_path_join(&raw, cwd, path);
	} else {
		mmp_buf_puts(&raw, path);
	}
	/* normalise ".", ".." and repeated slashes */
	mmp_buf_clear(out);
	for (s = raw.ptr; *s; ) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *last = memrchr(out->ptr, '/', out->size);
			mmp_buf_truncate(out, last ? (size_t)(last - out->ptr) : 0);
		} else {
			mmp_buf_putc(out, '/');
			mmp_buf_put(out, s, n);
		}
		s = e;
	}
	if (!out->size)
		mmp_buf_putc(out, '/');
	mmp_buf_dispose(&raw);
	return 0;
}
