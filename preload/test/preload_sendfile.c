/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preload_sendfile ADDR PORT FILE: sendfile() on a TCP socket, run under
 * axip-run by test/net/preload_sendfile.sh. It connects to ADDR:PORT and
 * sends FILE from byte 1000 to its end in three ways, checking each return
 * value and offset as Linux defines them:
 *  1. blocking, with an offset pointer: 2 MiB from 1000; *offset moves, the
 *     file position does not;
 *  2. non-blocking, offset NULL: the rest from the file position, waiting
 *     in poll() on EAGAIN; the file position moves by each return value;
 *  3. at the end of the file sendfile returns 0, count 0 returns 0, and a
 *     closed input descriptor is EBADF.
 * Then it shuts down writing. Prints "sent N" and exits 0, or names the
 * check that failed and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST 1000
#define PART1 (2u << 20)

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "preload_sendfile: %s (errno %d %s)\n", what, errno, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct stat st;
	off_t off = FIRST, pos;
	long long sent = 0;
	ssize_t n;
	int s, f, nb = 0;
	if (argc != 4) {
		fprintf(stderr, "usage: preload_sendfile ADDR PORT FILE\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	check(inet_pton(AF_INET, argv[1], &a.sin_addr) == 1, "address");
	f = open(argv[3], O_RDONLY);
	check(f >= 0 && fstat(f, &st) == 0, "open file");
	check(st.st_size > FIRST + PART1 + 65536, "file too small");
	s = socket(AF_INET, SOCK_STREAM, 0);
	check(s >= 0, "socket");
	check(connect(s, (struct sockaddr *)&a, sizeof a) == 0, "connect");

	/* 1: blocking, offset pointer */
	n = sendfile(s, f, &off, PART1);
	check(n == (ssize_t)PART1, "blocking sendfile did not send the whole count");
	check(off == FIRST + (off_t)PART1, "offset did not move by the count");
	check(lseek(f, 0, SEEK_CUR) == 0, "file position moved with an offset pointer");
	sent += n;

	/* 2: non-blocking, from the file position */
	check(lseek(f, off, SEEK_SET) == off, "lseek");
	check(fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == 0, "O_NONBLOCK");
	for (pos = off; pos < st.st_size;) {
		n = sendfile(s, f, NULL, (size_t)(st.st_size - pos));
		if (n < 0) {
			struct pollfd p = { .fd = s, .events = POLLOUT };
			check(errno == EAGAIN, "non-blocking sendfile error other than EAGAIN");
			nb++;
			check(poll(&p, 1, 10000) == 1 && (p.revents & POLLOUT), "poll for POLLOUT");
			continue;
		}
		check(n > 0, "non-blocking sendfile returned 0 before the end of the file");
		pos += n;
		sent += n;
		check(lseek(f, 0, SEEK_CUR) == pos, "file position did not move by the return value");
	}

	/* 3: end of file, count 0, bad input */
	check(sendfile(s, f, NULL, 4096) == 0, "sendfile at the end of the file did not return 0");
	off = 0;
	check(sendfile(s, f, &off, 0) == 0 && off == 0, "count 0");
	close(f);
	check(sendfile(s, f, NULL, 10) == -1 && errno == EBADF, "closed input: EBADF expected");

	check(fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK) == 0, "blocking again");
	check(shutdown(s, SHUT_WR) == 0, "shutdown");
	{
		char c;
		check(read(s, &c, 1) == 0, "peer's end of stream");
	}
	close(s);
	printf("sent %lld (EAGAIN %d times)\n", sent, nb);
	return 0;
}
