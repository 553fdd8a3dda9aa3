/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proxy.c - axip connections used by a forked child (docs/preload.md,
 * "Processes: fork and exec").
 *
 * A child of fork() must never touch the parent's instance (it shares the
 * AF_XDP rings and the UMEM), yet servers that fork per connection after
 * accepting (socat's fork option, Python's ForkingTCPServer, inetd-style
 * servers) hand the accepted connection to the child. So at fork each
 * connected axip stream socket of the process gets a Unix stream socket
 * pair: in the child the descriptor number becomes one end (a plain kernel
 * socket the child's shim leaves alone), and the parent keeps the other end
 * and relays between it and the axip connection whenever it drives its
 * instance (pl_drive: its calls, its waits, which also wake for the relay's
 * sockets, and the timer thread).
 *
 * The relay holds a reference on the axip socket, so the connection lives
 * as long as either process holds it, as with a kernel socket shared over
 * fork. While the parent still has a descriptor for it, the parent is the
 * reader (received data stays for the parent's own calls) and the relay
 * only carries what the child writes; once the parent has closed its
 * descriptors, the relay also reads the connection for the child. End of
 * stream is relayed both ways (the child's shutdown or close as the
 * connection's FIN, the peer's FIN as end of stream on the child's socket);
 * when both directions are done, or the child is gone and the parent no
 * longer holds the socket, the relay releases it (pl_release: unsent data
 * still goes out).
 *
 * Bounds: PROXY_MAX relays per process, and none whose descriptors would
 * come within PROXY_FD_SPARE of RLIMIT_NOFILE (connections beyond are not
 * relayed: in the child they fail with EOPNOTSUPP as before, logged), one
 * PROXY_BUF buffer per direction (a direction stops reading while its
 * buffer waits for the other side).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "pl.h"

#define PROXY_MAX 256
#define PROXY_BUF 16384u
#define PROXY_FD_SPARE 64 /* descriptor numbers below RLIMIT_NOFILE relays leave free */

struct proxy {
	struct pl_obj *o;
	int fd;                 /* the program's descriptor number (in the child: our end) */
	int mine, theirs;       /* the parent's end, the child's end (until the fork is done) */
	int child_eof;          /* the child shut its sending side or exited */
	int net_eof;            /* the connection's peer sent FIN: relayed */
	uint32_t n_out, off_out; /* child -> connection, waiting for send buffer space */
	uint32_t n_in, off_in;   /* connection -> child, waiting for the child's socket */
	uint8_t out[PROXY_BUF], in[PROXY_BUF];
};

static struct proxy *relay[PROXY_MAX];
static unsigned n_relay;
static struct proxy *pending[PROXY_MAX]; /* made in fork_prepare, settled after the fork */
static unsigned n_pending;

static int connected(struct pl_obj *o)
{
	struct axip_sockaddr a;
	return o->kind == PL_SOCK && o->type == SOCK_STREAM && o->afd >= 0 &&
	       axip_getpeername(pl_stack(), o->afd, &a) == 0;
}

unsigned pl_proxy_prepare(void)
{
	int fd, sv[2];
	unsigned skipped = 0;
	struct rlimit rl;
	rlim_t fd_limit = 1024;
	n_pending = 0;
	if (!pl_stack() || pl_forked)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fd_limit = rl.rlim_cur;
	else if (rl.rlim_cur == RLIM_INFINITY)
		fd_limit = (rlim_t)PL_FD_MAX;
	for (fd = 0; fd < PL_FD_MAX; fd++) {
		struct pl_obj *o = pl_get(fd);
		struct proxy *p;
		unsigned i;
		if (!o || !connected(o))
			continue;
		for (i = 0; i < n_pending && pending[i]->o != o; i++)
			;
		if (i < n_pending)
			continue; /* a dup: the child's first number relays it */
		if (n_relay + n_pending >= PROXY_MAX || !(p = calloc(1, sizeof *p))) {
			skipped++;
			continue;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
			free(p);
			skipped++;
			continue;
		}
		/* keep PROXY_FD_SPARE numbers below the limit for the program */
		if ((rlim_t)sv[0] + PROXY_FD_SPARE >= fd_limit || (rlim_t)sv[1] + PROXY_FD_SPARE >= fd_limit) {
			REAL(close)(sv[0]);
			REAL(close)(sv[1]);
			free(p);
			skipped++;
			continue;
		}
		p->o = o;
		p->fd = fd;
		p->mine = sv[0];
		p->theirs = sv[1];
		pending[n_pending++] = p;
	}
	if (skipped)
		pl_log(0, "fork: %u connections not relayed to the child (limit %u, or descriptors "
		       "near RLIMIT_NOFILE): they fail there with EOPNOTSUPP", skipped, PROXY_MAX);
	return n_pending + skipped;
}

void pl_proxy_parent(void)
{
	unsigned i;
	for (i = 0; i < n_pending; i++) {
		struct proxy *p = pending[i];
		REAL(close)(p->theirs);
		p->theirs = -1;
		(void)REAL(fcntl)(p->mine, F_SETFL, O_NONBLOCK);
		p->o->refs++; /* the relay's own reference */
		relay[n_relay++] = p;
	}
	if (n_pending)
		pl_log(1, "fork: %u connection%s relayed to the child", n_pending, n_pending > 1 ? "s" : "");
	n_pending = 0;
}

void pl_proxy_child(void)
{
	unsigned i;
	int fd;
	/* the parent's relays are the parent's */
	for (i = 0; i < n_relay; i++) {
		REAL(close)(relay[i]->mine);
		free(relay[i]);
	}
	n_relay = 0;
	for (i = 0; i < n_pending; i++) {
		struct proxy *p = pending[i];
		/* every number naming the connection becomes the child's end */
		for (fd = 0; fd < PL_FD_MAX; fd++) {
			struct pl_obj *o = pl_get(fd);
			if (o != p->o)
				continue;
			if (REAL(dup2)(p->theirs, fd) == fd && pl_unset(fd))
				free(o); /* the parent's object: nothing of it is released here */
		}
		REAL(close)(p->theirs);
		REAL(close)(p->mine);
		free(p);
	}
	n_pending = 0;
}

/* Is o still named by a descriptor of the program (beyond the relay's reference)? */
static int parent_holds(const struct proxy *p)
{
	return p->o->refs > 1;
}

/* Move what it can one way and the other; 1 when the relay is finished. */
static int pump(struct proxy *p)
{
	struct axip_stack *s = pl_stack();
	ssize_t n;
	int rc;
	/* child -> connection */
	while (!p->child_eof || p->n_out) {
		if (!p->n_out) {
			n = REAL(read)(p->mine, p->out, sizeof p->out);
			if (n > 0) {
				p->n_out = (uint32_t)n;
				p->off_out = 0;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				p->child_eof = 1;
				if (!parent_holds(p))
					(void)axip_shutdown(s, p->o->afd, AXIP_SHUT_WR);
				break;
			} else {
				break;
			}
		}
		rc = axip_send(s, p->o->afd, p->out + p->off_out, p->n_out - p->off_out, 0);
		if (rc > 0) {
			p->off_out += (uint32_t)rc;
			if (p->off_out == p->n_out)
				p->n_out = 0;
			continue;
		}
		if (rc != -AXIP_EAGAIN && rc != -AXIP_ENOBUFS) {
			p->n_out = 0;
			p->child_eof = 1; /* the connection is gone: nothing more to send */
		}
		break;
	}
	/* connection -> child, once the parent gave the connection up */
	while (!parent_holds(p) && !p->net_eof) {
		if (!p->n_in) {
			rc = axip_recv(s, p->o->afd, p->in, sizeof p->in, 0);
			if (rc > 0) {
				p->n_in = (uint32_t)rc;
				p->off_in = 0;
			} else if (rc == -AXIP_EAGAIN) {
				break;
			} else {
				/* FIN (0) or an error: end of stream for the child */
				p->net_eof = 1;
				(void)REAL(shutdown)(p->mine, SHUT_WR);
				break;
			}
		}
		n = REAL(send)(p->mine, p->in + p->off_in, p->n_in - p->off_in, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p->off_in += (uint32_t)n;
			if (p->off_in == p->n_in)
				p->n_in = 0;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			/* the child closed its socket: what arrives has no reader */
			p->n_in = 0;
			p->net_eof = 1;
			p->child_eof = 1;
		}
		break;
	}
	if (parent_holds(p))
		return p->child_eof && !p->n_out; /* the child is done with it */
	return p->child_eof && !p->n_out && p->net_eof && !p->n_in;
}

void pl_proxy_pump(void)
{
	unsigned i = 0;
	while (i < n_relay) {
		struct proxy *p = relay[i];
		if (!pump(p)) {
			i++;
			continue;
		}
		REAL(close)(p->mine);
		if (--p->o->refs == 0)
			pl_release(p->o);
		free(p);
		relay[i] = relay[--n_relay];
	}
}

unsigned pl_proxy_fds(struct pollfd *out, unsigned max)
{
	unsigned i, k = 0;
	for (i = 0; i < n_relay && k < max; i++) {
		struct proxy *p = relay[i];
		short ev = 0;
		if (!p->child_eof && !p->n_out)
			ev |= POLLIN;
		if (p->n_in)
			ev |= POLLOUT;
		if (ev)
			out[k++] = (struct pollfd){ .fd = p->mine, .events = ev };
	}
	return k;
}

unsigned pl_proxy_count(void)
{
	return n_relay;
}
