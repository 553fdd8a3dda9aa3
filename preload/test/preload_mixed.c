/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preload_mixed - one epoll set and one poll array mixing a kernel Unix
 * socket, a pipe and TCP sockets (axip's when run under axip-run).
 *
 *   preload_mixed PORT [PEER_ADDR PEER_PORT]
 *
 * Listens on 0.0.0.0:PORT and prints "listening". Phase 1 (epoll): the pipe
 * and the Unix socket pair each get a message, the listener a connection;
 * once all three were seen and the connection sent a line L1, it answers
 * "epoll:L1 pipe=P unix=U". Phase 2 (poll): the pipe and the Unix socket get
 * a message again; poll() on the connection, the pipe and the Unix socket
 * until all three are readable (the client's line L2), then it answers
 * "poll:L2 pipe=P unix=U". Phase 3 (with PEER): a non-blocking TCP socket
 * is put into the epoll set before connect() to the peer (an echo server),
 * as nginx does for upstreams; it must report EPOLLOUT when connected, and
 * the echo of "mixed-connect" must come back through epoll. The accepted
 * descriptor is checked too (check_accepted, and its number is free after
 * close), and first, before "listening", epoll sets holding an axip UDP
 * socket that a pipe joins directly, through a dup of the epoll descriptor
 * and from a forked child (kset_phase, prints "kset ok"). Exits 0; any
 * failure exits 1 with a message.
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
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "preload_mixed: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void rd(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);
	if (n <= 0)
		die("read");
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
}

/*
 * An accepted connection's descriptor: a socket whose number stays taken
 * (open() gets another one) and whose O_NONBLOCK is its own, through
 * F_GETFL/F_SETFL and FIONBIO (under axip-run all accepted descriptors
 * share one placeholder file description); left blocking, as accepted.
 */
static void check_accepted(int cfd)
{
	struct stat st;
	int fl, on = 1, nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || nul == cfd)
		die("open gave the accepted descriptor's number");
	close(nul);
	if (fstat(cfd, &st) || !S_ISSOCK(st.st_mode))
		die("accepted descriptor is not a socket");
	if ((fl = fcntl(cfd, F_GETFL)) < 0 || (fl & O_NONBLOCK))
		die("accepted descriptor: O_NONBLOCK set");
	if (fcntl(cfd, F_SETFL, fl | O_NONBLOCK) || !(fcntl(cfd, F_GETFL) & O_NONBLOCK))
		die("F_SETFL O_NONBLOCK not kept");
	if (fcntl(cfd, F_SETFL, fl) || (fcntl(cfd, F_GETFL) & O_NONBLOCK))
		die("F_SETFL blocking not kept");
	if (ioctl(cfd, FIONBIO, &on) || !(fcntl(cfd, F_GETFL) & O_NONBLOCK))
		die("FIONBIO 1 not kept");
	on = 0;
	if (ioctl(cfd, FIONBIO, &on) || (fcntl(cfd, F_GETFL) & O_NONBLOCK))
		die("FIONBIO 0 not kept");
}

/* epoll_wait(ep, 0) must report both the always-writable UDP socket u
 * and the readable pipe end r. */
static void want_two(int ep, int u, int r, const char *what)
{
	struct epoll_event evs[4];
	int n = epoll_wait(ep, evs, 4, 0), i, seen = 0;
	for (i = 0; i < n; i++)
		seen |= evs[i].data.fd == u ? 1 : evs[i].data.fd == r ? 2 : 4;
	if (n != 2 || seen != 3) {
		fprintf(stderr, "preload_mixed: %s: %d events (mask %d), expected the socket and the pipe\n",
		        what, n, seen);
		exit(1);
	}
}

/* A set of its own for each way a kernel descriptor can join an epoll set
 * that held only axip sockets: the shim skips asking the kernel set while
 * it knows that set empty, so it must notice each of them. */
static void kset_phase(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLOUT };
	int u = socket(AF_INET, SOCK_DGRAM, 0), p[2], ep, ep2, st, i;
	pid_t pid;
	a.sin_port = htons((unsigned short)port);
	if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof a) || pipe(p) || write(p[1], "k", 1) != 1)
		die("kset setup");
	for (i = 0; i < 3; i++) {
		struct epoll_event pe = { .events = EPOLLIN };
		if ((ep = epoll_create1(0)) < 0)
			die("epoll_create1");
		ev.data.fd = u;
		pe.data.fd = p[0];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) || epoll_wait(ep, &ev, 1, 0) != 1)
			die("kset: UDP socket not writable");
		ev.events = EPOLLOUT;
		if (i == 0) { /* directly */
			if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &pe))
				die("kset: add pipe");
			want_two(ep, u, p[0], "kset direct");
		} else if (i == 1) { /* through a copy of the epoll descriptor */
			if ((ep2 = dup(ep)) < 0 || epoll_ctl(ep2, EPOLL_CTL_ADD, p[0], &pe))
				die("kset: dup/add pipe");
			want_two(ep, u, p[0], "kset dup");
			close(ep2);
		} else { /* by a forked child */
			if ((pid = fork()) < 0)
				die("fork");
			if (pid == 0)
				_exit(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &pe) ? 1 : 0);
			if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
				die("kset: child add pipe");
			want_two(ep, u, p[0], "kset fork");
		}
		close(ep);
	}
	close(p[0]);
	close(p[1]);
	close(u);
	printf("kset ok\n");
	fflush(stdout);
}

/* Phase 3: registered in epoll before connect, as nginx's upstreams. */
static void connect_phase(int ep, const char *addr, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET }, evs[4];
	char buf[64];
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), n, i, sent = 0;
	a.sin_port = htons((unsigned short)atoi(port));
	if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		die("client socket");
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl client");
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 || errno != EINPROGRESS)
		die("non-blocking connect did not return EINPROGRESS");
	while (got < 13) {
		n = epoll_wait(ep, evs, 4, 20000);
		if (n <= 0)
			die(n ? "epoll_wait client" : "epoll_wait client timed out");
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd != fd)
				continue;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				die("client: EPOLLERR/EPOLLHUP");
			if ((evs[i].events & EPOLLOUT) && !sent) {
				int err = -1;
				socklen_t l = sizeof err;
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) || err)
					die("client: SO_ERROR");
				if (write(fd, "mixed-connect", 13) != 13)
					die("client write");
				sent = 1;
			}
			if (evs[i].events & EPOLLIN) {
				ssize_t r;
				while ((r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
					got += (size_t)r;
				if (r == 0 && got < 13)
					die("client: end of stream early");
			}
		}
	}
	buf[got] = 0;
	if (strcmp(buf, "mixed-connect"))
		die("client: wrong echo");
	printf("connect:%s\n", buf);
	fflush(stdout);
	close(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev, evs[8];
	char line[256], pmsg[64] = "", umsg[64] = "", out[700];
	int lfd, cfd = -1, ep, pfd[2], sp[2], one = 1, i, n, got = 0;
	if (argc != 2 && argc != 4)
		return fprintf(stderr, "usage: preload_mixed PORT [PEER_ADDR PEER_PORT]\n"), 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 8))
		die("bind/listen");
	if (pipe(pfd) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		die("pipe/socketpair");
	kset_phase(atoi(argv[1]) + 1);
	printf("listening\n");
	fflush(stdout);

	/* phase 1: epoll */
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll_ctl listener");
	ev.data.fd = pfd[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0], &ev))
		die("epoll_ctl pipe");
	ev.data.fd = sp[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sp[0], &ev))
		die("epoll_ctl unix");
	if (write(pfd[1], "p1", 2) != 2 || write(sp[1], "u1", 2) != 2)
		die("write pipe/unix");
	while (got != 15) {
		n = epoll_wait(ep, evs, 8, 20000);
		if (n <= 0)
			die(n ? "epoll_wait" : "epoll_wait timed out");
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lfd) {
				if ((cfd = accept(lfd, NULL, NULL)) < 0)
					die("accept");
				check_accepted(cfd);
				ev.data.fd = cfd;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev))
					die("epoll_ctl conn");
				if (epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL))
					die("epoll_ctl del listener");
				got |= 1;
			} else if (fd == pfd[0]) {
				rd(fd, pmsg, sizeof pmsg);
				got |= 2;
			} else if (fd == sp[0]) {
				rd(fd, umsg, sizeof umsg);
				got |= 4;
			} else if (fd == cfd) {
				rd(fd, line, sizeof line);
				got |= 8;
				if (epoll_ctl(ep, EPOLL_CTL_DEL, cfd, NULL))
					die("epoll_ctl del conn");
			}
		}
	}
	n = snprintf(out, sizeof out, "epoll:%s pipe=%s unix=%s\n", line, pmsg, umsg);
	if (write(cfd, out, (size_t)n) != n)
		die("write conn");

	/* phase 2: poll */
	if (write(pfd[1], "p2", 2) != 2 || write(sp[1], "u2", 2) != 2)
		die("write pipe/unix");
	got = 0;
	while (got != 7) {
		struct pollfd p[3] = { { cfd, POLLIN, 0 }, { pfd[0], POLLIN, 0 }, { sp[0], POLLIN, 0 } };
		n = poll(p, 3, 20000);
		if (n <= 0)
			die(n ? "poll" : "poll timed out");
		if (p[0].revents & POLLIN) {
			rd(cfd, line, sizeof line);
			got |= 1;
		}
		if (p[1].revents & POLLIN) {
			rd(pfd[0], pmsg, sizeof pmsg);
			got |= 2;
		}
		if (p[2].revents & POLLIN) {
			rd(sp[0], umsg, sizeof umsg);
			got |= 4;
		}
		if ((p[0].revents | p[1].revents | p[2].revents) & (POLLERR | POLLNVAL))
			die("poll revents");
	}
	n = snprintf(out, sizeof out, "poll:%s pipe=%s unix=%s\n", line, pmsg, umsg);
	if (write(cfd, out, (size_t)n) != n)
		die("write conn");
	if (close(cfd) || fcntl(cfd, F_GETFD) != -1 || errno != EBADF)
		die("close of the accepted descriptor did not free its number");
	close(lfd);
	if (argc == 4)
		connect_phase(ep, argv[2], argv[3]);
	close(ep);
	return 0;
}
