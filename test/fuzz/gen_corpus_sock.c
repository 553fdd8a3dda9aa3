/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_corpus_sock.c - writes the seeds of fuzz_sock_calls:
 *   gen_corpus_sock OUTDIR  ->  OUTDIR/fuzz_sock_calls/seed-<name>
 * Each seed is a valid call sequence in the target's input format (see the
 * header comment of fuzz_sock_calls.c and its do_op()): a TCP echo exchange
 * with half-close, a refused connect, UDP echo and ICMP unreachable, a
 * listener the peer connects to, interest sets with level/edge/one-shot
 * entries, a lossy bulk transfer, a full table, options and zero copy.
 * Kept apart from gen_corpus.c (the other targets' seeds); check_seeds.sh
 * runs both.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	OP_SOCKET = 0, OP_BIND = 1, OP_LISTEN = 2, OP_ACCEPT = 3, OP_CONNECT = 4, OP_SEND = 5,
	OP_RECV = 7, OP_SHUTDOWN = 9, OP_CLOSE = 10, OP_OPT = 11, OP_ZC = 12, OP_EPOLL = 13,
	OP_POLL = 15, OP_PEER_CONNECT = 16, OP_TIME = 17
};
#define CHECK_ERR 0x80 /* also read SO_ERROR after the call */

/* dest(): port index (80, 81, 82, 7) */
enum { D_ECHO = 0, D_CLOSED = 1, D_FULL = 2, D_UDP = 3 };

struct seed {
	uint8_t b[8192];
	size_t n;
};

static void b1(struct seed *s, unsigned v)
{
	if (s->n >= sizeof(s->b)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	s->b[s->n++] = (uint8_t)v;
}

static void op3(struct seed *s, unsigned op, unsigned a, unsigned b)
{
	b1(s, op);
	b1(s, a);
	b1(s, b);
}

/* descriptor k (0-based) as pick_fd() decodes it */
#define FD(k) ((unsigned)(k) + 1u)

static void sock_stream(struct seed *s) { op3(s, OP_SOCKET, 0, 0); }
static void sock_dgram(struct seed *s) { op3(s, OP_SOCKET, 0, 1); }
static void tm(struct seed *s, unsigned code, unsigned ms) { op3(s, OP_TIME, 0, (code & 7) | ms << 3); }

static void send_(struct seed *s, unsigned fd, unsigned len, unsigned c)
{
	op3(s, OP_SEND, FD(fd), len >> 8);
	b1(s, len & 255);
	b1(s, c);
}

static void recv_(struct seed *s, unsigned fd, unsigned len64, unsigned x)
{
	op3(s, OP_RECV | CHECK_ERR, FD(fd), len64);
	b1(s, x);
}

/* interest-set operation `want` (0 create, 1 ADD, 2 MOD, 3 DEL, 4 wait) with
 * flag bits (mask index << 3, 0x20 ET, 0x40 ONESHOT) */
static void ep_op(struct seed *s, unsigned ep, unsigned want, unsigned bits, unsigned fd)
{
	unsigned sel;
	for (sel = 0; sel < 256; sel++)
		if (sel % 5 == want && (sel & 0x78) == bits)
			break;
	op3(s, OP_EPOLL, FD(ep), sel);
	b1(s, FD(fd));
}

static const char *outdir;

static void write_seed(const char *name, const struct seed *s)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof(path), "%s/fuzz_sock_calls", outdir);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/fuzz_sock_calls/seed-%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void start(struct seed *s, unsigned conf)
{
	s->n = 0;
	b1(s, conf);
}

int main(int argc, char **argv)
{
	struct seed s;
	int i;
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus_sock OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}

	/* TCP echo: connect, send, read the echo, half-close, EOF, close */
	start(&s, 0);
	sock_stream(&s);
	op3(&s, OP_CONNECT | CHECK_ERR, FD(0), D_ECHO);
	tm(&s, 2, 0);
	op3(&s, OP_CONNECT, FD(0), D_ECHO);
	send_(&s, 0, 3000, 0);
	send_(&s, 0, 100, 1);
	tm(&s, 2, 5);
	recv_(&s, 0, 20, 0x40);
	recv_(&s, 0, 200, 0);
	op3(&s, OP_SHUTDOWN, FD(0), 1);
	tm(&s, 3, 0);
	recv_(&s, 0, 10, 0);
	op3(&s, OP_CLOSE, FD(0), 0);
	write_seed("tcp_echo", &s);

	/* refused and unreachable connects, then a queue that fills */
	start(&s, 0);
	sock_stream(&s);
	op3(&s, OP_CONNECT, FD(0), D_CLOSED);
	tm(&s, 2, 0);
	recv_(&s, 0, 1, 0);
	sock_stream(&s);
	op3(&s, OP_CONNECT, FD(1), 6 << 3);
	op3(&s, OP_CONNECT, FD(1), (5 << 3) | D_ECHO);
	for (i = 0; i < 3; i++) {
		sock_stream(&s);
		op3(&s, OP_CONNECT, FD(2 + i), D_FULL);
	}
	tm(&s, 4, 0);
	tm(&s, 5, 0);
	op3(&s, OP_POLL, 0, 0);
	write_seed("tcp_refused_full", &s);

	/* UDP: sendto the echo, read it, connect to a closed port, ICMP error */
	start(&s, 0);
	sock_dgram(&s);
	send_(&s, 0, 500, 0x80 | (D_UDP << 1));
	send_(&s, 0, 4000, 0x80 | (D_UDP << 1));
	tm(&s, 2, 0);
	recv_(&s, 0, 20, 0);
	recv_(&s, 0, 0, 10 | 0x80);
	op3(&s, OP_CONNECT, FD(0), D_CLOSED);
	send_(&s, 0, 10, 0);
	tm(&s, 2, 0);
	recv_(&s, 0, 1, 0);
	op3(&s, OP_CONNECT, FD(0), 7 << 3 | 0x40); /* AF_UNSPEC */
	op3(&s, OP_ZC, FD(0), 0);
	b1(&s, 40);
	op3(&s, OP_ZC, FD(0), 2);
	b1(&s, D_UDP);
	tm(&s, 2, 0);
	op3(&s, OP_ZC, FD(0), 1);
	b1(&s, 0);
	write_seed("udp_echo_icmp", &s);

	/* host 0 listens; the peer connects; accept, exchange, listener close */
	start(&s, 0);
	sock_stream(&s);
	op3(&s, OP_BIND, FD(0), 1);
	op3(&s, OP_LISTEN, FD(0), 2);
	op3(&s, OP_PEER_CONNECT, 0, 0);
	op3(&s, OP_PEER_CONNECT, 0, 0);
	op3(&s, OP_PEER_CONNECT, 0, 1);
	tm(&s, 2, 0);
	op3(&s, OP_ACCEPT, FD(0), 1);
	send_(&s, 1, 1000, 0);
	tm(&s, 2, 0);
	recv_(&s, 1, 100, 0);
	op3(&s, OP_CLOSE, FD(0), 0);
	tm(&s, 2, 0);
	write_seed("listen_accept", &s);

	/* interest sets: level, edge and one-shot entries, MOD re-arms, DEL */
	start(&s, 0);
	op3(&s, OP_EPOLL, 0, 0); /* create: descriptor 0 */
	sock_stream(&s);
	sock_dgram(&s);
	op3(&s, OP_CONNECT, FD(1), D_ECHO);
	op3(&s, OP_CONNECT, FD(2), D_UDP);
	ep_op(&s, 0, 1, 3 << 3 | 0x20, 1);
	ep_op(&s, 0, 1, 0 << 3 | 0x40, 2);
	ep_op(&s, 0, 4, 0, 0);
	tm(&s, 2, 0);
	ep_op(&s, 0, 4, 0, 0);
	send_(&s, 1, 2000, 0);
	send_(&s, 2, 100, 0);
	tm(&s, 2, 0);
	ep_op(&s, 0, 4, 0, 0);
	ep_op(&s, 0, 2, 0 << 3 | 0x40, 2);
	ep_op(&s, 0, 4, 0, 0);
	ep_op(&s, 0, 3, 0, 1);
	ep_op(&s, 0, 4, 0, 0);
	op3(&s, OP_CLOSE, FD(2), 0);
	ep_op(&s, 0, 4, 0, 0);
	write_seed("epoll", &s);

	/* a lossy link (5%, reordering): a larger transfer both ways */
	start(&s, 2 | 4);
	sock_stream(&s);
	op3(&s, OP_CONNECT, FD(0), D_ECHO);
	tm(&s, 2, 0);
	for (i = 0; i < 40; i++) {
		send_(&s, 0, 8000, 0);
		tm(&s, 1, 1);
		recv_(&s, 0, 255, 0);
	}
	tm(&s, 4, 0);
	recv_(&s, 0, 255, 0);
	write_seed("lossy_bulk", &s);

	/* small configuration: the table and the interest entries run out */
	start(&s, 0x10);
	op3(&s, OP_EPOLL, 0, 0);
	for (i = 0; i < 10; i++)
		op3(&s, OP_SOCKET, 0, (unsigned)i & 1);
	for (i = 1; i < 8; i++)
		ep_op(&s, 0, 1, 1 << 3, (unsigned)i);
	ep_op(&s, 0, 4, 0, 0);
	op3(&s, OP_CLOSE, FD(3), 0);
	op3(&s, OP_CLOSE, FD(0), 0);
	write_seed("small_table", &s);

	/* options before and after connecting, peer that resets (mode 3) */
	start(&s, 3 << 5);
	sock_stream(&s);
	for (i = 0; i < 16; i++) {
		op3(&s, OP_OPT, FD(0), (unsigned)i);
		b1(&s, (unsigned)i * 3);
		op3(&s, OP_OPT, FD(0), (unsigned)i | 0x10);
		b1(&s, 0);
	}
	op3(&s, OP_CONNECT, FD(0), D_ECHO);
	tm(&s, 2, 0);
	send_(&s, 0, 100, 0);
	tm(&s, 2, 0);
	recv_(&s, 0, 1, 0);
	op3(&s, OP_OPT, FD(0), 11 | 0x10); /* TCP_INFO */
	b1(&s, 0);
	write_seed("options_reset", &s);
	return 0;
}
