/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * httpd_files.h - static files under a document root (hosted: POSIX calls).
 */
#ifndef AXIP_HTTPD_FILES_H
#define AXIP_HTTPD_FILES_H

#include <axip/types.h>

struct httpd_file {
	int fd;
	axip_u64 size;
	const char *type;  /* Content-Type, from the file name extension */
};

/* Open the document root directory; returns a descriptor or -1 (errno set). */
int httpd_docroot_open(const char *dir);

/*
 * Open `path` (decoded, starting with '/', without ".." segments: see
 * http_target_to_path()) below the document root `root_fd`. A directory
 * serves its index.html. Returns 0 with f filled (the caller closes f->fd),
 * or the HTTP status to answer: 404 (missing, not a regular file, or a path
 * that would leave the root through a symbolic link), 403 (permission
 * denied) or 500.
 */
int httpd_file_open(int root_fd, const char *path, struct httpd_file *f);

/* Read exactly n bytes at offset off. Returns 0, or -1 on an error or a
 * file that shrank. */
int httpd_file_read(const struct httpd_file *f, axip_u8 *dst, axip_u32 n, axip_u64 off);

/* Content-Type for a file name (by its extension; application/octet-stream
 * when unknown). */
const char *httpd_content_type(const char *name);

#endif
