/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * httpd_files.c - static files under a document root.
 */
#define _GNU_SOURCE
#include "httpd_files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int httpd_docroot_open(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* openat2(RESOLVE_BENEATH) keeps symbolic links from leading outside the
 * root; kernels without openat2 (before 5.6) get a plain openat, which the
 * lexical ".." check of the path already confines except for links. */
static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how;
	long fd;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return (int)fd;
}

static int errno_status(int e)
{
	switch (e) {
	case ENOENT: case ENOTDIR: case ENAMETOOLONG: case ELOOP: case EXDEV:
		return 404;
	case EACCES: case EPERM:
		return 403;
	default:
		return 500;
	}
}

int httpd_file_open(int root_fd, const char *path, struct httpd_file *f)
{
	const char *rel = path[1] ? path + 1 : ".";
	const char *name = path;
	struct stat st;
	int fd = open_beneath(root_fd, rel);

	if (fd < 0)
		return errno_status(errno);
	if (fstat(fd, &st) != 0)
		goto fail_errno;
	if (S_ISDIR(st.st_mode)) {
		int idx = open_beneath(fd, "index.html");
		close(fd);
		if (idx < 0)
			return errno_status(errno);
		fd = idx;
		name = "index.html";
		if (fstat(fd, &st) != 0)
			goto fail_errno;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return 404;
	}
	f->fd = fd;
	f->size = (axip_u64)st.st_size;
	f->type = httpd_content_type(name);
	return 0;
fail_errno:
	{
		int e = errno;
		close(fd);
		return errno_status(e);
	}
}

int httpd_file_read(const struct httpd_file *f, axip_u8 *dst, axip_u32 n, axip_u64 off)
{
	while (n > 0) {
		ssize_t r = pread(f->fd, dst, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		dst += r;
		n -= (axip_u32)r;
		off += (axip_u64)r;
	}
	return 0;
}

const char *httpd_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
		{"txt", "text/plain; charset=utf-8"}, {"css", "text/css"},
		{"js", "text/javascript"}, {"mjs", "text/javascript"},
		{"json", "application/json"}, {"xml", "application/xml"},
		{"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
		{"gif", "image/gif"}, {"svg", "image/svg+xml"}, {"ico", "image/x-icon"},
		{"webp", "image/webp"}, {"pdf", "application/pdf"}, {"wasm", "application/wasm"},
		{"woff2", "font/woff2"}, {"mp4", "video/mp4"}, {"gz", "application/gzip"},
	};
	const char *dot = strrchr(name, '.');
	unsigned i;
	if (dot && !strchr(dot, '/'))
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}
