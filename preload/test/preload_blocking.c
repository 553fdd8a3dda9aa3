/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preload_blocking - blocking socket calls and signals, as Linux runs them
 * (test/net/preload_blocking.sh runs it under axip-run).
 *
 * Listens on argv[1] and serves one connection in three phases, printing
 * one line per phase (the test compares them):
 *   1. recv(MSG_WAITALL) of 100000 bytes while SIGALRM (SA_RESTART) fires
 *      every 20 ms: all of it in one call, the handler having run
 *      ("waitall 100000 restarted");
 *   2. a blocking recv while SIGALRM fires without SA_RESTART: -1 EINTR
 *      ("eintr ok"); then the 5 bytes the client sends next;
 *   3. recv(MSG_WAITALL) of 1000 bytes when the client sends 500 and
 *      shuts its side: 500 ("short 500");
 *   4. a UDP socket on argv[1] + 1 in an epoll set: epoll_pwait2 times out
 *      after 50 ms with nothing there, then wakes for the client's three
 *      datagrams, recvmmsg takes them, sendmmsg answers them ("mmsg 3").
 * Exits 1 with a message on the first surprise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void die(const char *what)
{
	fprintf(stderr, "preload_blocking: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void alarm_every(int ms, int restart)
{
	struct sigaction sa;
	struct itimerval it = { { 0, ms * 1000 }, { 0, ms * 1000 } };
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &it, NULL) != 0)
		die("sigaction/setitimer");
}

static void alarm_off(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void udp_phase(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	struct sockaddr_in from[3];
	struct mmsghdr m[3];
	struct iovec io[3];
	char buf[3][256];
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct timespec t50 = { 0, 50 * 1000000L }, t5 = { 5, 0 };
	int u, ep, got = 0, k, r;
	double t0;
	if ((u = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || bind(u, (struct sockaddr *)&a, sizeof a) != 0)
		die("udp socket");
	if ((ep = epoll_create1(0)) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) != 0)
		die("epoll");
	t0 = now_ms();
	if ((r = epoll_pwait2(ep, &out, 1, &t50, NULL)) != 0)
		die(r < 0 ? "epoll_pwait2" : "epoll_pwait2 reported an empty socket");
	if (now_ms() - t0 < 45)
		die("epoll_pwait2 returned before its 50 ms");
	printf("udp ready\n");
	fflush(stdout);
	while (got < 3) {
		if ((r = epoll_pwait2(ep, &out, 1, &t5, NULL)) != 1)
			die("epoll_pwait2 did not wake for the datagrams");
		for (k = 0; k < 3; k++) {
			io[k] = (struct iovec){ buf[k], sizeof buf[k] };
			memset(&m[k], 0, sizeof m[k]);
			m[k].msg_hdr.msg_iov = &io[k];
			m[k].msg_hdr.msg_iovlen = 1;
			m[k].msg_hdr.msg_name = &from[k];
			m[k].msg_hdr.msg_namelen = sizeof from[k];
		}
		r = recvmmsg(u, m, (unsigned)(3 - got), MSG_WAITFORONE, NULL);
		if (r <= 0)
			die("recvmmsg");
		for (k = 0; k < r; k++) {
			io[k].iov_len = m[k].msg_len;
			m[k].msg_hdr.msg_iovlen = 1;
		}
		if (sendmmsg(u, m, (unsigned)r, 0) != r)
			die("sendmmsg");
		got += r;
	}
	printf("mmsg %d\n", got);
	fflush(stdout);
	close(ep);
	close(u);
}

int main(int argc, char **argv)
{
	static char buf[100000];
	struct sockaddr_in a = { .sin_family = AF_INET };
	int l, c, one = 1;
	ssize_t n;
	if (argc != 2) {
		fprintf(stderr, "usage: preload_blocking PORT\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4) != 0)
		die("listen");
	printf("serving\n");
	fflush(stdout);
	alarm_every(20, 1);
	/* the alarm keeps firing while accept and recv wait: SA_RESTART */
	if ((c = accept(l, NULL, NULL)) < 0)
		die("accept with SA_RESTART");
	n = recv(c, buf, sizeof buf, MSG_WAITALL);
	alarm_off();
	if (n != (ssize_t)sizeof buf)
		die(n < 0 ? "recv MSG_WAITALL" : "recv MSG_WAITALL returned short");
	printf("waitall %zd %s\n", n, alarms ? "restarted" : "no-signal");
	fflush(stdout);
	if (send(c, "1", 1, 0) != 1)
		die("send");

	alarm_every(200, 0);
	n = recv(c, buf, sizeof buf, 0);
	alarm_off();
	if (n >= 0 || errno != EINTR)
		die("recv without SA_RESTART did not fail with EINTR");
	printf("eintr ok\n");
	fflush(stdout);
	if (send(c, "2", 1, 0) != 1)
		die("send");
	n = recv(c, buf, 5, MSG_WAITALL);
	if (n != 5 || memcmp(buf, "after", 5) != 0)
		die("recv after EINTR");

	if (send(c, "3", 1, 0) != 1)
		die("send");
	n = recv(c, buf, 1000, MSG_WAITALL);
	printf("short %zd\n", n);
	fflush(stdout);
	close(c);
	close(l);
	udp_phase(atoi(argv[1]) + 1);
	return 0;
}
