/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_epoll.c - readiness: the events of one socket, poll over a few
 * descriptors, and interest sets (epoll).
 *
 * An interest set keeps a ready list. sock_wake() (called whenever a
 * socket's state may have changed) puts each of the socket's entries whose
 * interest matches its current events on its set's list; epoll_wait takes
 * entries from the front, re-checks their events and reports them.
 * Level-triggered entries go back to the tail while still ready (they leave
 * lazily, at the first wait that finds them idle); edge-triggered and
 * one-shot entries leave at once. A wait therefore costs O(entries on the
 * list), never O(entries in the set).
 */
#include "sock.h"
#include "wire.h"

int axip_sock_events(struct axip_stack *s, int fd)
{
	struct sock *sk = sock_get(s, fd);
	if (!sk)
		return -AXIP_EBADF;
	switch (sk->kind) {
	case SK_TCP: return (int)sock_tcp_events(s, sk);
	case SK_UDP: return (int)sock_udp_events(s, sk);
	default: return axip_epoll_ready(s, fd) ? (int)AXIP_EV_IN : 0;
	}
}

static axip_u32 events_of(struct axip_stack *s, const struct sock *sk)
{
	return sk->kind == SK_TCP ? sock_tcp_events(s, sk) : sock_udp_events(s, sk);
}

/* What an entry would report now: its interest plus ERR and HUP (always reported). */
static axip_u32 item_events(struct axip_stack *s, const struct sock_item *it)
{
	const struct sock *sk = &s->sock->socks[it->fd];
	return events_of(s, sk) & ((it->events & 0xffffu) | AXIP_EV_ERR | AXIP_EV_HUP);
}

static void ready_push(struct sock *ep, struct sock_item *it)
{
	it->on_ready = 1;
	it->rnext = AXIP_NULL;
	it->rprev = ep->ready_tail;
	if (ep->ready_tail)
		ep->ready_tail->rnext = it;
	else
		ep->ready_head = it;
	ep->ready_tail = it;
	ep->ready_len++;
}

static void ready_unlink(struct sock *ep, struct sock_item *it)
{
	if (!it->on_ready)
		return;
	if (it->rprev)
		it->rprev->rnext = it->rnext;
	else
		ep->ready_head = it->rnext;
	if (it->rnext)
		it->rnext->rprev = it->rprev;
	else
		ep->ready_tail = it->rprev;
	it->rnext = it->rprev = AXIP_NULL;
	it->on_ready = 0;
	ep->ready_len--;
}

void sock_wake(struct axip_stack *s, struct sock *sk)
{
	struct sock_table *t = s->sock;
	struct sock_item *it;

	for (it = sk->items; it; it = it->snext) {
		if (it->disarmed || it->on_ready || item_events(s, it) == 0)
			continue;
		ready_push(&t->socks[it->epfd], it);
	}
	if (t->notify)
		t->notify(t->notify_arg, sk->fd);
}

/* ---- poll ---- */

int axip_sock_poll(struct axip_stack *s, struct axip_pollfd *fds, axip_u32 n)
{
	axip_u32 i;
	int ready = 0;
	for (i = 0; i < n; i++) {
		struct sock *sk = sock_get(s, fds[i].fd);
		axip_u32 ev;
		if (fds[i].fd < 0) {
			fds[i].revents = 0; /* POSIX: a negative descriptor is ignored */
			continue;
		}
		if (!sk)
			ev = AXIP_EV_NVAL;
		else if (sk->kind == SK_EPOLL)
			ev = axip_epoll_ready(s, fds[i].fd) ? AXIP_EV_IN : 0u;
		else
			ev = events_of(s, sk) & ((axip_u32)fds[i].events | AXIP_EV_ERR | AXIP_EV_HUP);
		fds[i].revents = (axip_u16)(ev & 0xffffu);
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* ---- interest sets ---- */

int axip_epoll_create(struct axip_stack *s)
{
	struct sock *ep = sock_alloc(s, SK_EPOLL);
	if (!ep)
		return -AXIP_EMFILE;
	ep->ready_head = ep->ready_tail = AXIP_NULL;
	ep->ready_len = 0;
	return ep->fd;
}

static struct sock_item *find_item(struct sock *sk, int epfd)
{
	struct sock_item *it;
	for (it = sk->items; it; it = it->snext)
		if (it->epfd == epfd)
			return it;
	return AXIP_NULL;
}

static void item_free(struct axip_stack *s, struct sock_item *it)
{
	it->rnext = s->sock->item_free;
	s->sock->item_free = it;
}

/* Unlink `it` from its socket's entry list. */
static void item_detach(struct sock *sk, struct sock_item *it)
{
	struct sock_item **pp;
	for (pp = &sk->items; *pp; pp = &(*pp)->snext) {
		if (*pp == it) {
			*pp = it->snext;
			return;
		}
	}
}

int axip_epoll_ctl(struct axip_stack *s, int epfd, int op, int fd,
                   const struct axip_epoll_event *ev)
{
	struct sock *ep = sock_get(s, epfd);
	struct sock *sk = sock_get(s, fd);
	struct sock_item *it;

	if (!ep || !sk)
		return -AXIP_EBADF;
	if (ep->kind != SK_EPOLL || sk->kind == SK_EPOLL || epfd == fd)
		return -AXIP_EINVAL;
	if (op != AXIP_EPOLL_CTL_DEL && !ev)
		return -AXIP_EFAULT;
	it = find_item(sk, epfd);
	switch (op) {
	case AXIP_EPOLL_CTL_ADD:
		if (it)
			return -AXIP_EEXIST;
		it = s->sock->item_free;
		if (!it) {
			CTR_INC(s, sock_epoll_items_full);
			return -AXIP_ENOMEM;
		}
		s->sock->item_free = it->rnext;
		mem_zero(it, sizeof(*it));
		it->fd = fd;
		it->epfd = epfd;
		it->snext = sk->items;
		sk->items = it;
		break;
	case AXIP_EPOLL_CTL_MOD:
		if (!it)
			return -AXIP_ENOENT;
		ready_unlink(ep, it);
		break;
	case AXIP_EPOLL_CTL_DEL:
		if (!it)
			return -AXIP_ENOENT;
		ready_unlink(ep, it);
		item_detach(sk, it);
		item_free(s, it);
		return 0;
	default:
		return -AXIP_EINVAL;
	}
	it->events = ev->events;
	it->data = ev->data;
	it->disarmed = 0;
	/* report what is already true (epoll does, for level and edge alike) */
	if (item_events(s, it))
		ready_push(ep, it);
	return 0;
}

int axip_epoll_wait(struct axip_stack *s, int epfd, struct axip_epoll_event *events, int max)
{
	struct sock *ep = sock_get(s, epfd);
	axip_u32 budget;
	int n = 0;

	if (!ep)
		return -AXIP_EBADF;
	if (ep->kind != SK_EPOLL || max <= 0)
		return -AXIP_EINVAL;
	if (!events)
		return -AXIP_EFAULT;
	/* each entry listed now is looked at once; re-listed ones wait for the next call */
	budget = ep->ready_len;
	while (budget-- > 0 && n < max && ep->ready_head) {
		struct sock_item *it = ep->ready_head;
		axip_u32 got = item_events(s, it);
		ready_unlink(ep, it);
		if (got == 0)
			continue; /* no longer ready: it returns with the next change */
		events[n].events = got;
		events[n].data = it->data;
		n++;
		if (it->events & AXIP_EV_ONESHOT)
			it->disarmed = 1;
		else if (!(it->events & AXIP_EV_ET))
			ready_push(ep, it); /* level-triggered: still listed while ready */
	}
	return n;
}

int axip_epoll_ready(struct axip_stack *s, int epfd)
{
	struct sock *ep = sock_get(s, epfd);
	struct sock_item *it;
	if (!ep || ep->kind != SK_EPOLL)
		return 0;
	/* entries found idle leave the list, as a wait would drop them */
	while ((it = ep->ready_head) != AXIP_NULL) {
		if (item_events(s, it))
			return 1;
		ready_unlink(ep, it);
	}
	return 0;
}

void sock_epoll_forget(struct axip_stack *s, struct sock *sk)
{
	while (sk->items) {
		struct sock_item *it = sk->items;
		sk->items = it->snext;
		ready_unlink(&s->sock->socks[it->epfd], it);
		item_free(s, it);
	}
}

void sock_epoll_close(struct axip_stack *s, struct sock *ep)
{
	struct sock_table *t = s->sock;
	axip_u32 i;
	/* entries hang off their sockets: find this set's (closing a set is rare) */
	for (i = 0; i < t->n; i++) {
		struct sock *sk = &t->socks[i];
		struct sock_item *it;
		if (sk->kind == SK_FREE || sk->kind == SK_EPOLL)
			continue;
		it = find_item(sk, ep->fd);
		if (it) {
			ready_unlink(ep, it);
			item_detach(sk, it);
			item_free(s, it);
		}
	}
}
