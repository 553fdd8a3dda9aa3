/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-sock-echo IFNAME [PORT] - a TCP echo server written like a POSIX one,
 * on axip's sockets (<axip/sock.h>) and the blocking helpers of
 * <axip/xdp.h>, for net_sock_wait: the stack runs in the calling thread
 * while it blocks. One worker, one thread, no runner.
 *
 *   - axip_xdp_sock_wait with a timeout on the listener before any client
 *     (must time out: "sock_wait: timed out after N ms");
 *   - axip_xdp_epoll_wait (no timeout) for the listener and every
 *     connection, level-triggered;
 *   - a reply the send buffer does not take at once: axip_xdp_sock_wait for
 *     AXIP_EV_OUT, then the rest;
 *   - SIGTERM/SIGINT call axip_xdp_stop() (async-signal-safe): the wait
 *     returns -AXIP_EINTR ("stopped"), counters go to stderr, exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <axip/xdp.h>

static struct axip_xdp *X;

static void on_signal(int sig)
{
	(void)sig;
	axip_xdp_stop(X);
}

static void log_stderr(void *ctx, enum axip_xdp_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "axip: %s%s\n", level == AXIP_XDP_LOG_WARN ? "warning: " : "", msg);
}

/* Echo what is readable on c; 1 when the connection is done (closed here). */
static int echo(struct axip_xdp_worker *w, int c)
{
	struct axip_stack *s = axip_xdp_worker_stack(w);
	static unsigned char buf[16384];
	for (;;) {
		int n = axip_recv(s, c, buf, sizeof buf, 0), off = 0;
		if (n == -AXIP_EAGAIN)
			return 0;
		if (n <= 0)
			break; /* end of stream or error */
		while (off < n) {
			int k = axip_send(s, c, buf + off, (axip_size)(n - off), 0);
			if (k == -AXIP_EAGAIN) {
				int ev = axip_xdp_sock_wait(w, c, AXIP_EV_OUT, 10000);
				if (ev <= 0 || (ev & (AXIP_EV_ERR | AXIP_EV_HUP)))
					goto done;
				continue;
			}
			if (k < 0)
				goto done;
			off += k;
		}
	}
done:
	axip_close(s, c);
	return 1;
}

int main(int argc, char **argv)
{
	struct axip_xdp_opts o;
	struct axip_xdp_worker *w;
	struct axip_stack *s;
	struct axip_sockaddr a = { .family = AXIP_AF_INET };
	struct axip_epoll_event ev[64], add = { .events = AXIP_EV_IN, .data = 0 };
	axip_time_ns t0;
	char err[256];
	int l, ep, n, i, rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: axip-sock-echo IFNAME [PORT]\n");
		return 2;
	}
	a.port = (axip_u16)(argc > 2 ? atoi(argv[2]) : 7);
	axip_xdp_opts_defaults(&o);
	o.ifname = argv[1];
	o.log = log_stderr;
	if (axip_xdp_open(&o, &X, err, sizeof err) != 0) {
		fprintf(stderr, "axip-sock-echo: %s\n", err);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	w = axip_xdp_worker(X, 0);
	s = axip_xdp_worker_stack(w);
	l = axip_socket(s, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	ep = axip_epoll_create(s);
	add.data = (axip_u64)l;
	if (l < 0 || ep < 0 || axip_bind(s, l, &a) < 0 || axip_listen(s, l, 64) < 0 ||
	    axip_epoll_ctl(s, ep, AXIP_EPOLL_CTL_ADD, l, &add) < 0 ||
	    axip_xdp_add_rule(X, IPPROTO_TCP, a.port) != 0) {
		fprintf(stderr, "axip-sock-echo: cannot listen on TCP port %u\n", a.port);
		axip_xdp_close(X);
		return 1;
	}
	/* nobody connects before the program says it is attached */
	t0 = axip_xdp_now();
	n = axip_xdp_sock_wait(w, l, AXIP_EV_IN, 200);
	fprintf(stderr, n == 0 ? "sock_wait: timed out after %llu ms\n" : "sock_wait: %llu ms, %d\n",
	        (unsigned long long)((axip_xdp_now() - t0) / 1000000u), n);
	fprintf(stderr, "axip-sock-echo: attached to %s, echoing TCP port %u\n", o.ifname, a.port);
	for (;;) {
		n = axip_xdp_epoll_wait(w, ep, ev, 64, -1);
		if (n == -AXIP_EINTR) {
			fprintf(stderr, "stopped\n");
			break;
		}
		if (n < 0) {
			fprintf(stderr, "axip-sock-echo: epoll: error %d\n", -n);
			rc = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = (int)ev[i].data;
			if (fd == l) {
				int c;
				while ((c = axip_accept(s, l, NULL)) >= 0) {
					struct axip_epoll_event ce = { .events = AXIP_EV_IN, .data = (axip_u64)c };
					if (axip_epoll_ctl(s, ep, AXIP_EPOLL_CTL_ADD, c, &ce) < 0)
						axip_close(s, c);
				}
			} else {
				echo(w, fd); /* closing removes it from the set */
			}
		}
	}
	axip_xdp_print_counters(X, stderr);
	axip_xdp_close(X);
	return rc;
}
