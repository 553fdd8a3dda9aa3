/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp.c - the attachment: options, privileges, interface discovery, worker
 * placement on CPUs, workers, the loop's building blocks, the worker loop,
 * stopping, logging and counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/capability.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include "xdp_internal.h"
#include "util.h"

#define XDP_HEADROOM 256u /* XDP_PACKET_HEADROOM: the kernel writes frames after it */
#define AXIP_MTU_MAX 9216u /* largest axip_config.mtu */
#define RESERVED_PORTS "/proc/sys/net/ipv4/ip_local_reserved_ports"

void axip_xdp_opts_defaults(struct axip_xdp_opts *o)
{
	unsigned i;
	memset(o, 0, sizeof *o);
	o->n_queues = 1;
	for (i = 0; i < AXIP_XDP_MAX_WORKERS; i++)
		o->cores[i] = AXIP_XDP_CORE_AUTO;
	o->mode = AXIP_XDP_MODE_AUTO;
	o->frame_size = 2048;
	o->tx_copy_max = AXIP_XDP_TX_COPY_MAX_DEFAULT;
	o->poll_budget_us = AXIP_XDP_POLL_BUDGET_US_DEFAULT;
	o->tx_csum = AXIP_XDP_CSUM_SW;
	o->n_frames = 8192;
	o->ring_size = 2048;
	o->batch = 64;
	o->dedicated_prefix = 24;
	o->dedicated_prefix6 = 64;
	o->port_lo = 61000;
	o->port_hi = 61999;
	axip_config_defaults(&o->stack_cfg);
}

void xdp_log(const struct axip_xdp_opts *o, enum axip_xdp_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (!o || !o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->log(o->log_ctx, level, msg);
}

/* A CPU set as a list of ranges ("0-3,6"). */
static void cpu_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int c = 0;
	buf[0] = 0;
	while (c < CPU_SETSIZE && used + 1 < len) {
		int end;
		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		for (end = c; end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, set); end++) {
		}
		used += (size_t)snprintf(buf + used, len - used, end > c ? "%s%d-%d" : "%s%d",
		                         used ? "," : "", c, end);
		c = end + 1;
	}
}

/*
 * Resolve cores[] against the CPUs the calling thread may run on (inherited
 * from the process: taskset, cgroup cpusets): AXIP_XDP_CORE_AUTO is the i-th
 * of them, wrapping; an explicit CPU must be one of them.
 */
static int place_workers(const struct axip_xdp_opts *o, int *core, char *err, size_t errlen)
{
	cpu_set_t allowed;
	int cpus[CPU_SETSIZE], n = 0, c;
	unsigned i;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return xerr(err, errlen, "cannot read the CPUs this process may run on: %s",
		            strerror(errno)), -errno;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	for (i = 0; i < o->n_queues; i++) {
		c = o->cores[i];
		if (c == AXIP_XDP_CORE_AUTO) {
			c = n ? cpus[i % (unsigned)n] : -1; /* n is at least 1 */
		} else if (c < -1 || c >= CPU_SETSIZE) {
			return xerr(err, errlen, "cores[%u] is %d, not a CPU number", i, c), -EINVAL;
		} else if (c >= 0 && !CPU_ISSET(c, &allowed)) {
			char list[256];
			cpu_list(&allowed, list, sizeof list);
			return xerr(err, errlen, "worker %u: CPU %d (cores[%u]) is not among the CPUs "
			            "this process may run on: %s", i, c, i, list), -EINVAL;
		}
		core[i] = c;
	}
	return 0;
}

static int pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

static int has_addr6(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) != 0;
}

static int check_opts(const struct axip_xdp_opts *o, char *err, size_t errlen)
{
	if (!o->ifname || !o->ifname[0])
		return xerr(err, errlen, "no interface given"), -EINVAL;
	if (o->n_queues < 1 || o->n_queues > AXIP_XDP_MAX_WORKERS)
		return xerr(err, errlen, "queues must be 1..%d", AXIP_XDP_MAX_WORKERS), -EINVAL;
	if (o->frame_size != 2048 && o->frame_size != 4096)
		return xerr(err, errlen, "frame size must be 2048 or 4096"), -EINVAL;
	if (!pow2(o->ring_size) || o->ring_size < 64 || o->ring_size > 16384)
		return xerr(err, errlen, "ring size must be a power of two in 64..16384"), -EINVAL;
	if (!pow2(o->n_frames) || o->n_frames < 2 * o->ring_size)
		return xerr(err, errlen, "UMEM frames must be a power of two >= 2 x ring size"), -EINVAL;
	if (o->batch < 1 || o->batch > o->ring_size)
		return xerr(err, errlen, "batch must be 1..ring size"), -EINVAL;
	if (o->port_lo > o->port_hi || (o->port_hi && o->port_lo < 1024) ||
	    (o->port_hi && (unsigned)(o->port_hi - o->port_lo + 1) < o->n_queues))
		return xerr(err, errlen, "bad reserved port range %u-%u", o->port_lo, o->port_hi), -EINVAL;
	if (o->tx_csum != AXIP_XDP_CSUM_SW && o->tx_csum != AXIP_XDP_CSUM_META &&
	    o->tx_csum != AXIP_XDP_CSUM_META_SW)
		return xerr(err, errlen, "bad transmit checksum mode %d", (int)o->tx_csum), -EINVAL;
	if (o->tx_copy_max > o->frame_size)
		return xerr(err, errlen, "copy threshold above the frame size"), -EINVAL;
	if (o->dedicated_addr && (o->dedicated_prefix < 1 || o->dedicated_prefix > 32))
		return xerr(err, errlen, "bad prefix length /%u", o->dedicated_prefix), -EINVAL;
	if (has_addr6(o->dedicated_addr6)) {
		const uint8_t *a = o->dedicated_addr6;
		if (o->no_ip6)
			return xerr(err, errlen, "a dedicated IPv6 address with IPv6 off"), -EINVAL;
		/* a unicast address of global (or unique local) scope */
		if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		    (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) && a[15] == 1))
			return xerr(err, errlen, "the dedicated IPv6 address must be a global unicast "
			            "one (not multicast, link-local or loopback)"), -EINVAL;
		if (o->dedicated_prefix6 < 1 || o->dedicated_prefix6 > 128)
			return xerr(err, errlen, "bad IPv6 prefix length /%u", o->dedicated_prefix6),
			       -EINVAL;
	}
	return 0;
}

/* AF_XDP needs CAP_NET_RAW, attaching XDP CAP_NET_ADMIN, loading BPF
 * CAP_BPF (or CAP_SYS_ADMIN on older kernels). */
static int check_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t eff;
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return 0; /* cannot tell: let the operations themselves fail */
	eff = (uint64_t)d[1].effective << 32 | d[0].effective;
#define HAS(c) ((eff >> (c)) & 1u)
	if (!HAS(CAP_NET_ADMIN) || !HAS(CAP_NET_RAW) || !(HAS(CAP_BPF) || HAS(CAP_SYS_ADMIN))) {
		xerr(err, errlen, "insufficient privileges (missing%s%s%s): run as root or with "
		     "CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF", HAS(CAP_NET_ADMIN) ? "" : " CAP_NET_ADMIN",
		     HAS(CAP_NET_RAW) ? "" : " CAP_NET_RAW",
		     HAS(CAP_BPF) || HAS(CAP_SYS_ADMIN) ? "" : " CAP_BPF");
		return -EPERM;
	}
#undef HAS
	return 0;
}

/* Keep the kernel from choosing axip's ports for its own connections. */
static int reserve_ports(struct axip_xdp *x, char *err, size_t errlen)
{
	char buf[sizeof x->saved_reserved_ports + 32];
	ssize_t n;
	int fd = open(RESERVED_PORTS, O_RDWR | O_CLOEXEC);
	if (!x->o.port_hi)
		return 0;
	if (fd < 0)
		return xerr(err, errlen, "cannot open %s: %s", RESERVED_PORTS, strerror(errno)), -errno;
	n = read(fd, x->saved_reserved_ports, sizeof x->saved_reserved_ports - 1);
	if (n < 0)
		n = 0;
	x->saved_reserved_ports[n] = 0;
	while (n > 0 && (x->saved_reserved_ports[n - 1] == '\n'))
		x->saved_reserved_ports[--n] = 0;
	snprintf(buf, sizeof buf, "%s%s%u-%u\n", x->saved_reserved_ports, n ? "," : "",
	         x->o.port_lo, x->o.port_hi);
	if (pwrite(fd, buf, strlen(buf), 0) < 0) {
		int e = errno;
		close(fd);
		return xerr(err, errlen, "cannot reserve ports in %s: %s", RESERVED_PORTS, strerror(e)), -e;
	}
	close(fd);
	x->reserved_ports_set = 1;
	return 0;
}

static void unreserve_ports(struct axip_xdp *x)
{
	int fd;
	if (!x->reserved_ports_set)
		return;
	fd = open(RESERVED_PORTS, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[sizeof x->saved_reserved_ports + 1];
		snprintf(buf, sizeof buf, "%s\n", x->saved_reserved_ports[0] ? x->saved_reserved_ports : "");
		if (write(fd, buf, strlen(buf)) < 0) {
			/* best effort: the range stays reserved, which only limits the kernel */
		}
		close(fd);
	}
	x->reserved_ports_set = 0;
}

axip_time_ns axip_xdp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (axip_time_ns)ts.tv_sec * 1000000000ull + (axip_time_ns)ts.tv_nsec;
}

/* The kernel's usable global IPv6 addresses as the core takes them. */
static unsigned kernel_addrs6(const struct nl_addrs6 *a6, struct axip_ifaddr6 *out)
{
	unsigned i, n = a6->n < AXIP_MAX_ADDRS6 ? a6->n : AXIP_MAX_ADDRS6;
	for (i = 0; i < n; i++) {
		memcpy(out[i].addr, a6->a[i].addr, 16);
		out[i].prefix_len = a6->a[i].prefix_len;
	}
	return n;
}

/* IPv6 part of a worker's configuration (docs/ipv6.md, "On AF_XDP"). The
 * link-local address is the kernel's in both modes: in shared mode it is the
 * kernel's to begin with; with a dedicated address the core's own would be
 * the same EUI-64 one, which the kernel already owns. */
static void ip6_config(const struct axip_xdp *x, struct axip_config *cfg)
{
	cfg->ip6_enable = 1;
	if (x->ifi.a6.has_linklocal)
		memcpy(cfg->ip6_linklocal, x->ifi.a6.linklocal, 16);
	if (x->shared6) {
		cfg->n_addrs6 = kernel_addrs6(&x->ifi.a6, cfg->addrs6);
		memcpy(cfg->gateway6, x->ifi.gateway6, 16);
		cfg->nd6_dad_transmits = 0; /* the kernel ran DAD on its addresses */
	} else {
		cfg->n_addrs6 = 1;
		memcpy(cfg->addrs6[0].addr, x->o.dedicated_addr6, 16);
		cfg->addrs6[0].prefix_len = x->o.dedicated_prefix6;
	}
}

/* The steering program's IPv6 addresses: the dedicated one, or the
 * kernel's link-local and global ones. */
static void steer_addrs6(const struct axip_xdp *x, const struct nl_addrs6 *a6,
                         struct axip_steer_cfg *sc)
{
	unsigned i;
	sc->n_addrs6 = 0;
	memset(sc->addrs6, 0, sizeof sc->addrs6);
	sc->flags &= ~AXIP_STEER_F_DEDICATED6;
	if (!x->ip6)
		return;
	if (!x->shared6) {
		memcpy(sc->addrs6[0], x->o.dedicated_addr6, 16);
		sc->n_addrs6 = 1;
		sc->flags |= AXIP_STEER_F_DEDICATED6;
		return;
	}
	if (a6->has_linklocal)
		memcpy(sc->addrs6[sc->n_addrs6++], a6->linklocal, 16);
	for (i = 0; i < a6->n && sc->n_addrs6 < AXIP_STEER_MAX_ADDRS6 && i < AXIP_MAX_ADDRS6; i++)
		memcpy(sc->addrs6[sc->n_addrs6++], a6->a[i].addr, 16);
}

void addrs6_follow(struct axip_xdp_worker *w)
{
	struct axip_xdp *x = w->x;
	struct nl_addrs6 a6;
	struct axip_ifaddr6 list[AXIP_MAX_ADDRS6];
	unsigned n;
	if (!x->shared6 || nl_get_addrs6(x->ifi.ifindex, &a6) != 0)
		return;
	n = kernel_addrs6(&a6, list);
	if (axip_ip6_addrs_set(w->stack, list, n) == AXIP_OK)
		w->ctr.addr6_updates++;
	/* every worker sees the event; the program's map is one */
	pthread_mutex_lock(&x->steer_lock);
	{
		struct axip_steer_cfg sc = x->steer_cfg;
		a6.has_linklocal = x->ifi.a6.has_linklocal; /* the core keeps its link-local one */
		memcpy(a6.linklocal, x->ifi.a6.linklocal, 16);
		steer_addrs6(x, &a6, &sc);
		if (memcmp(&sc, &x->steer_cfg, sizeof sc) && steer_set_cfg(&x->steer, &sc) == 0)
			x->steer_cfg = sc;
	}
	pthread_mutex_unlock(&x->steer_lock);
}

static int worker_open(struct axip_xdp *x, unsigned i, char *err, size_t errlen)
{
	struct axip_xdp_worker *w = calloc(1, sizeof *w);
	struct axip_config cfg = x->o.stack_cfg;
	axip_size size;
	int rc;
	if (!w)
		return -ENOMEM;
	x->w[i] = w;
	w->x = x;
	w->idx = i;
	w->queue = i;
	w->core = x->core[i];
	w->ev_fd = -1;
	w->nl_fd = -1;
	w->xsk_fd = -1;
	rc = axsk_worker_open(w, err, errlen);
	if (rc)
		return rc;
	if (!w->sg && x->ifi.mtu + 14u + XDP_HEADROOM > w->frame_size)
		return xerr(err, errlen, "MTU %u of %s does not fit a %u-byte UMEM frame and "
		            "multi-buffer frames are off", x->ifi.mtu, x->o.ifname, w->frame_size),
		       -EMSGSIZE;
	w->rx_meta = x->steer.rx_hash;
	rc = steer_set_xsk(&x->steer, w->queue, w->xsk_fd);
	if (rc)
		return xerr(err, errlen, "cannot register the socket of queue %u: %s", w->queue,
		            strerror(-rc)), rc;

	memcpy(cfg.mac, x->ifi.mac, 6);
	cfg.n_addrs = 1;
	cfg.addrs[0].addr = x->addr;
	cfg.addrs[0].prefix_len = x->prefix;
	cfg.gateway = x->o.dedicated_addr ? cfg.gateway : x->ifi.gateway;
	cfg.mtu = x->ifi.mtu;
	if (x->ip6)
		ip6_config(x, &cfg);
	/* shared mode: the kernel owns the address and announces it */
	cfg.arp_gratuitous = x->o.dedicated_addr ? cfg.arp_gratuitous : 0;
	if (x->o.port_hi) {
		/* each worker takes its own slice of the reserved range, so the
		 * owner of a reply's destination port is known from the port */
		cfg.tcp_ephemeral_lo = (axip_u16)(x->o.port_lo + i * x->port_span);
		cfg.tcp_ephemeral_hi = (axip_u16)(cfg.tcp_ephemeral_lo + x->port_span - 1);
	}
	if (getrandom(cfg.secret, sizeof cfg.secret, 0) != (ssize_t)sizeof cfg.secret)
		return xerr(err, errlen, "getrandom: %s", strerror(errno)), -errno;
	w->env.ops = &axsk_env_ops;
	w->env.ctx = w;
	w->env.caps = x->o.trusted_csum ? AXIP_CAP_TRUSTED_CSUM : 0;
	if (w->sg && !x->o.tx_copy) {
		/* the core attaches payload by reference; env_tx sends the chain
		 * as one multi-buffer packet */
		w->env.caps |= AXIP_CAP_SG;
		w->env.sg_max = w->sg_max;
	}
	if (w->tx_meta_len)
		w->env.caps |= AXIP_CAP_TX_L4_CSUM;
	rc = axip_mem_size(&cfg, &size);
	if (rc != AXIP_OK)
		return xerr(err, errlen, "stack configuration rejected: %s", axip_strerror(rc)), -EINVAL;
	w->stack_mem = aligned_alloc(64, (size + 63) & ~(axip_size)63);
	if (!w->stack_mem)
		return -ENOMEM;
	rc = axip_init(w->stack_mem, size, &cfg, &w->env, axip_xdp_now(), &w->stack);
	if (rc != AXIP_OK)
		return xerr(err, errlen, "stack init: %s", axip_strerror(rc)), -EINVAL;
	w->ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ev_fd < 0)
		return -errno;
	if (x->shared4 || x->shared6) {
		rc = neigh_worker_open(w);
		if (rc)
			return xerr(err, errlen, "netlink neighbour events: %s", strerror(-rc)), rc;
		neigh_seed(w);
	}
	return 0;
}

static void worker_close(struct axip_xdp_worker *w)
{
	if (!w)
		return;
	neigh_worker_close(w);
	frag_worker_close(w);
	if (w->ev_fd >= 0)
		close(w->ev_fd);
	axsk_worker_close(w);
	free(w->stack_mem);
	free(w);
}

/* IPv6 on when asked for a dedicated address, or in shared mode when the
 * interface has an IPv6 address and an MTU that carries IPv6 (RFC 8200 5). */
static int choose_ip6(struct axip_xdp *x, char *err, size_t errlen)
{
	const struct axip_xdp_opts *o = &x->o;
	if (o->no_ip6)
		return 0;
	if (has_addr6(o->dedicated_addr6)) {
		if (x->ifi.mtu < 1280)
			return xerr(err, errlen, "MTU %u of %s is below IPv6's minimum of 1280", x->ifi.mtu,
			            o->ifname), -EMSGSIZE;
		x->ip6 = 1;
		return 0;
	}
	if (!x->ifi.a6.has_linklocal && !x->ifi.a6.n)
		return 0;
	if (x->ifi.mtu < 1280) {
		xdp_log(o, AXIP_XDP_LOG_INFO, "MTU %u of %s is below IPv6's minimum: IPv4 only",
		        x->ifi.mtu, o->ifname);
		return 0;
	}
	if (x->ifi.a6.n > AXIP_MAX_ADDRS6 || x->ifi.a6.dropped)
		xdp_log(o, AXIP_XDP_LOG_WARN, "%s has more than %u global IPv6 addresses: axip serves "
		        "the first %u", o->ifname, AXIP_MAX_ADDRS6, AXIP_MAX_ADDRS6);
	x->ip6 = 1;
	x->shared6 = 1;
	return 0;
}

int axip_xdp_open(const struct axip_xdp_opts *o, struct axip_xdp **out, char *err, size_t errlen)
{
	struct axip_xdp *x;
	struct axip_steer_cfg sc;
	unsigned i;
	int rc;

	if (err && errlen)
		err[0] = 0;
	*out = NULL;
	rc = check_opts(o, err, errlen);
	if (rc)
		return rc;
	rc = check_privileges(err, errlen);
	if (rc)
		return rc;
	x = calloc(1, sizeof *x);
	if (!x)
		return -ENOMEM;
	x->o = *o;
	x->frag_fd4 = x->frag_fd6 = -1;
	x->n_workers = o->n_queues;
	pthread_mutex_init(&x->steer_lock, NULL);
	x->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->stop_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = place_workers(o, x->core, err, errlen);
	if (rc)
		goto fail;
	rc = nl_get_ifinfo(o->ifname, &x->ifi, err, errlen);
	if (rc)
		goto fail;
	x->xsk_feat_rc = nl_get_xsk_features(x->ifi.ifindex, &x->xsk_feat);
	if (o->tx_csum == AXIP_XDP_CSUM_META && !x->xsk_feat_rc &&
	    !(x->xsk_feat & NL_XSK_TX_CHECKSUM))
		xdp_log(&x->o, AXIP_XDP_LOG_WARN, "%s reports no xsk tx-checksum: with tx_csum "
		        "AXIP_XDP_CSUM_META a zero-copy driver would not fill the sum; copy mode hands "
		        "it on partial", o->ifname);
	x->addr = o->dedicated_addr ? o->dedicated_addr : x->ifi.addr;
	x->prefix = o->dedicated_addr ? o->dedicated_prefix : x->ifi.prefix_len;
	if (!x->addr) {
		xerr(err, errlen, "interface %s has no IPv4 address (give a dedicated address)", o->ifname);
		rc = -EADDRNOTAVAIL;
		goto fail;
	}
	if (o->no_sg && x->ifi.mtu + 14u + XDP_HEADROOM > o->frame_size) {
		xerr(err, errlen, "MTU %u of %s does not fit a %u-byte UMEM frame (multi-buffer "
		     "frames are off)", x->ifi.mtu, o->ifname, o->frame_size);
		rc = -EMSGSIZE;
		goto fail;
	}
	if (x->ifi.mtu > AXIP_MTU_MAX) {
		xerr(err, errlen, "MTU %u of %s is above axip's limit of %u", x->ifi.mtu, o->ifname,
		     AXIP_MTU_MAX);
		rc = -EMSGSIZE;
		goto fail;
	}
	x->shared4 = !o->dedicated_addr;
	rc = choose_ip6(x, err, errlen);
	if (rc)
		goto fail;
	memset(&sc, 0, sizeof sc);
	sc.addr_be = htonl(x->addr);
	sc.flags = o->dedicated_addr ? AXIP_STEER_F_DEDICATED : 0;
	sc.range_lo = o->port_lo;
	sc.range_hi = o->port_hi;
	steer_addrs6(x, &x->ifi.a6, &sc);
	rc = steer_attach(&x->steer, x->ifi.ifindex, o->ifname, o->mode, &sc, !o->no_rx_hash,
	                  &x->o, err, errlen);
	if (rc)
		goto fail;
	x->steer_cfg = sc;
	x->attached = 1;
	frag_open(x); /* without its sockets, kernel fragments held here are dropped (counted) */
	rc = reserve_ports(x, err, errlen);
	if (rc)
		goto fail;
	if (o->pcap_path) {
		x->pcap = pcap_out_open(o->pcap_path, err, errlen);
		if (!x->pcap) {
			rc = -EIO;
			goto fail;
		}
	}
	x->port_span = o->port_hi ? (uint32_t)(o->port_hi - o->port_lo + 1) / x->n_workers : 1;
	for (i = 0; i < x->n_workers; i++) {
		rc = worker_open(x, i, err, errlen);
		if (rc)
			goto fail;
	}
	if (x->n_workers > 1) {
		/* a slot holds the longest frame (a jumbo frame spans several UMEM frames) */
		unsigned j;
		x->handoff_slot = x->ifi.mtu + 18u > o->frame_size ? (x->ifi.mtu + 18u + 63u) & ~63u
		                                                    : o->frame_size;
		for (i = 0; i < x->n_workers; i++)
			for (j = 0; j < x->n_workers; j++)
				if (i != j && !(x->ring[i][j] = handoff_new(256, x->handoff_slot))) {
					rc = -ENOMEM;
					goto fail;
				}
	}
	*out = x;
	return 0;
fail:
	if (err && errlen && !err[0])
		xerr(err, errlen, "%s", strerror(rc < 0 ? -rc : rc));
	axip_xdp_close(x);
	return rc < 0 ? rc : -rc;
}

void axip_xdp_close(struct axip_xdp *x)
{
	unsigned i, j;
	if (!x)
		return;
	/* detach first: nothing may be redirected to sockets being closed */
	if (x->attached)
		steer_detach(&x->steer);
	for (i = 0; i < x->n_workers; i++)
		worker_close(x->w[i]);
	for (i = 0; i < x->n_workers; i++)
		for (j = 0; j < x->n_workers; j++)
			axip_spsc_free(x->ring[i][j]);
	unreserve_ports(x);
	frag_close(x);
	pcap_out_close(x->pcap);
	if (x->stop_fd >= 0)
		close(x->stop_fd);
	pthread_mutex_destroy(&x->steer_lock);
	free(x);
}

int axip_xdp_detach_stale(const char *ifname, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname), rc;
	if (err && errlen)
		err[0] = 0;
	if (!ifindex)
		return xerr(err, errlen, "no interface named '%s' in this network namespace", ifname),
		       -ENODEV;
	rc = check_privileges(err, errlen);
	if (rc)
		return rc;
	return steer_remove_all(ifindex, err, errlen);
}

int axip_xdp_add_rule(struct axip_xdp *x, uint8_t proto, uint16_t port)
{
	return steer_add_rule(&x->steer, 4, proto, port);
}

int axip_xdp_del_rule(struct axip_xdp *x, uint8_t proto, uint16_t port)
{
	return steer_del_rule(&x->steer, 4, proto, port);
}

int axip_xdp_add_rule6(struct axip_xdp *x, uint8_t proto, uint16_t port)
{
	return steer_add_rule(&x->steer, 6, proto, port);
}

int axip_xdp_del_rule6(struct axip_xdp *x, uint8_t proto, uint16_t port)
{
	return steer_del_rule(&x->steer, 6, proto, port);
}

unsigned axip_xdp_n_workers(const struct axip_xdp *x) { return x->n_workers; }
struct axip_xdp_worker *axip_xdp_worker(struct axip_xdp *x, unsigned i)
{
	return i < x->n_workers ? x->w[i] : NULL;
}
struct axip_stack *axip_xdp_worker_stack(struct axip_xdp_worker *w) { return w->stack; }
unsigned axip_xdp_worker_index(const struct axip_xdp_worker *w) { return w->idx; }
struct axip_xdp *axip_xdp_worker_parent(struct axip_xdp_worker *w) { return w->x; }
uint32_t axip_xdp_addr(const struct axip_xdp *x) { return x->addr; }
int axip_xdp_ip6(const struct axip_xdp *x) { return x->ip6; }
const char *axip_xdp_ifname(const struct axip_xdp *x) { return x->o.ifname; }
const char *axip_xdp_mode_name(const struct axip_xdp *x)
{
	return x->steer.attach_mode == XDP_MODE_SKB ? "generic" : "native";
}
int axip_xdp_uses_dispatcher(const struct axip_xdp *x) { return x->steer.dispatcher; }
int axip_xdp_worker_core(const struct axip_xdp_worker *w) { return w->core; }

int axip_xdp_worker_pin(const struct axip_xdp_worker *w)
{
	cpu_set_t set;
	if (w->core < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(w->core, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void axip_xdp_describe(const struct axip_xdp *x, char *buf, size_t len)
{
	const struct axip_xdp_worker *w = x->w[0];
	static const char *const csum[] = { "sw", "tx-metadata", "tx-metadata+kernel-sw" };
	char copy[48];
	const char *dev_csum = x->xsk_feat_rc ? "unknown" :
	                       x->xsk_feat & NL_XSK_TX_CHECKSUM ? "yes" : "no";
	if (x->o.tx_copy || !w || !w->sg)
		snprintf(copy, sizeof copy, "tx payload always copied");
	else
		snprintf(copy, sizeof copy, "tx zero copy above %u bytes", x->o.tx_copy_max);
	snprintf(buf, len, "multi-buffer %s, %s, tx checksum %s (device xsk tx-checksum: %s), "
	         "rx hash %s", w && w->sg ? "on" : "off", copy,
	         w && w->tx_meta_len ? csum[x->o.tx_csum] : "sw", dev_csum,
	         x->steer.rx_hash ? "on" : "off");
}

/* ---- loop building blocks ---- */

axip_time_ns axip_xdp_poll_timers(struct axip_xdp_worker *w, axip_time_ns now)
{
	axip_time_ns next = axip_poll(w->stack, now);
	if (w->n_neigh_pending || w->n_neigh6_pending)
		neigh_resolve_pending(w);
	return next;
}

void axip_xdp_flush(struct axip_xdp_worker *w)
{
	axip_flush(w->stack);
	axsk_kick(w);
	axsk_reclaim(w);
}

void axip_xdp_worker_busy(struct axip_xdp_worker *w, axip_time_ns now)
{
	w->spin_until = now + w->spin_ns;
}

void axip_xdp_wake(struct axip_xdp_worker *w)
{
	uint64_t one = 1;
	if (write(w->ev_fd, &one, sizeof one) < 0) {
		/* counter saturated: the worker is awake anyway */
	}
}

int axip_xdp_worker_wait_fds(const struct axip_xdp_worker *w, int fds[3])
{
	int n = 0;
	fds[n++] = w->xsk_fd;
	fds[n++] = w->ev_fd;
	if (w->nl_fd >= 0)
		fds[n++] = w->nl_fd;
	return n;
}

void axip_xdp_worker_wait_done(struct axip_xdp_worker *w)
{
	uint64_t v;
	if (read(w->ev_fd, &v, sizeof v) < 0) {
		/* nothing pending */
	}
	if (w->nl_fd >= 0)
		neigh_events(w);
}

void axip_xdp_wait(struct axip_xdp_worker *w, axip_time_ns deadline)
{
	struct pollfd pfd[3];
	axip_time_ns now;
	int timeout, n = 2;
	if (w->x->o.busy_poll) {
		/* drive the socket's NAPI context from this thread */
		if (xsk_ring_prod__needs_wakeup(&w->fq))
			(void)recvfrom(w->xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return;
	}
	if (xsk_cons_nb_avail(&w->rx, 1) || atomic_load(&w->x->stop))
		return;
	if (w->x->n_workers > 1) {
		unsigned k;
		for (k = 0; k < w->x->n_workers; k++)
			if (k != w->idx && !axip_spsc_empty(w->x->ring[k][w->idx]))
				return;
	}
	now = axip_xdp_now();
	if (deadline <= now)
		return;
	if (now < w->spin_until) {
		/* adaptive polling: traffic was seen within the budget, the next
		 * frame is likely close; the caller's next round looks again.
		 * sched_yield lets a thread waiting for this CPU (a client on the
		 * same core) run meanwhile: on the development VM it halved the
		 * spinning server's CPU time and its p99 with the client on its
		 * core, and cost nothing measurable on another core. */
		if (xsk_ring_prod__needs_wakeup(&w->fq))
			(void)recvfrom(w->xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		w->ctr.poll_spins++;
		sched_yield();
		return;
	}
	w->ctr.poll_sleeps++;
	if (deadline == (axip_time_ns)~0ull)
		timeout = -1;
	else if ((deadline - now) / 1000000u >= INT_MAX)
		timeout = INT_MAX;
	else
		timeout = (int)((deadline - now + 999999u) / 1000000u);
	pfd[0].fd = w->xsk_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = w->ev_fd;
	pfd[1].events = POLLIN;
	if (w->nl_fd >= 0) {
		pfd[2].fd = w->nl_fd;
		pfd[2].events = POLLIN;
		n = 3;
	}
	if (poll(pfd, (nfds_t)n, timeout) <= 0)
		return;
	if (pfd[1].revents & POLLIN) {
		uint64_t v;
		if (read(w->ev_fd, &v, sizeof v) < 0) {
			/* spurious: nothing to consume */
		}
	}
	if (n == 3 && (pfd[2].revents & POLLIN))
		neigh_events(w);
}

/* ---- counters ---- */

static void print_core_ctr(const char *name, axip_u64 v, void *arg)
{
	if (v)
		fprintf(arg, "  %-28s %llu\n", name, (unsigned long long)v);
}

void axip_xdp_worker_print_counters(struct axip_xdp_worker *w, FILE *f)
{
	struct xdp_statistics st;
	socklen_t len = sizeof st;
	flockfile(f);
	fprintf(f, "worker %u (queue %u, core %d):\n", w->idx, w->queue, w->core);
	axip_counters_foreach(w->stack, print_core_ctr, f);
#define AXIP_XDP_PRINT(n) if (w->ctr.n) fprintf(f, "  xdp_%-24s %llu\n", #n, (unsigned long long)w->ctr.n);
	AXIP_XDP_COUNTERS(AXIP_XDP_PRINT)
#undef AXIP_XDP_PRINT
	memset(&st, 0, sizeof st);
	if (getsockopt(w->xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &len) == 0) {
		if (st.rx_dropped) fprintf(f, "  xsk_rx_dropped               %llu\n", (unsigned long long)st.rx_dropped);
		if (st.rx_invalid_descs) fprintf(f, "  xsk_rx_invalid_descs         %llu\n", (unsigned long long)st.rx_invalid_descs);
		if (st.tx_invalid_descs) fprintf(f, "  xsk_tx_invalid_descs         %llu\n", (unsigned long long)st.tx_invalid_descs);
		if (st.rx_ring_full) fprintf(f, "  xsk_rx_ring_full             %llu\n", (unsigned long long)st.rx_ring_full);
		if (st.rx_fill_ring_empty_descs) fprintf(f, "  xsk_rx_fill_ring_empty       %llu\n", (unsigned long long)st.rx_fill_ring_empty_descs);
	}
	fprintf(f, "  umem_frames_free             %u/%u\n", w->n_free, w->n_frames);
	funlockfile(f);
}

static const char *const stat_names[AXIP_STEER_ST_COUNT] = {
	"rule_hit", "range_hit", "addr_hit", "arp_hit", "no_xsk_passed",
	"pass_l2", "pass_l3", "pass_no_rule", "no_rx_hash", "nd_hit", "pass_frag",
	"frag_first_axip", "frag_first_kernel", "frag_later_axip", "frag_later_kernel",
	"frag_early", "frag_via",
};

void axip_xdp_print_steering(struct axip_xdp *x, FILE *f)
{
	unsigned i;
	flockfile(f);
	fprintf(f, "xdp steering on %s (%s mode%s):\n", x->o.ifname, axip_xdp_mode_name(x),
	        x->steer.dispatcher ? ", libxdp dispatcher" : "");
	for (i = 0; i < AXIP_STEER_ST_COUNT; i++)
		fprintf(f, "  %-28s %llu\n", stat_names[i],
		        (unsigned long long)steer_percpu_sum(x->steer.fd_stats, i));
	for (i = 0; i < AXIP_STEER_MAX_RULES; i++) {
		char name[16]; /* tcp/80 for IPv4, tcp6/80 for IPv6 */
		if (!x->steer.slot[i].used)
			continue;
		snprintf(name, sizeof name, "%s%s/%u",
		         x->steer.slot[i].proto == IPPROTO_TCP ? "tcp" : "udp",
		         x->steer.slot[i].family == 6 ? "6" : "", x->steer.slot[i].port);
		fprintf(f, "  rule %-9s hits           %llu\n", name,
		        (unsigned long long)steer_percpu_sum(x->steer.fd_rule_hits, i));
	}
	funlockfile(f);
}

void axip_xdp_print_counters(struct axip_xdp *x, FILE *f)
{
	unsigned i;
	for (i = 0; i < x->n_workers; i++)
		axip_xdp_worker_print_counters(x->w[i], f);
	axip_xdp_print_steering(x, f);
}

/* ---- the worker loop and stopping ---- */

void axip_xdp_worker_loop(struct axip_xdp_worker *w, const struct axip_xdp_loop *l)
{
	static const struct axip_xdp_loop none;
	axip_time_ns next_tick;
	if (!l)
		l = &none;
	axip_xdp_flush(w);
	next_tick = axip_xdp_now() + l->tick_ns;
	while (!atomic_load(&w->x->stop)) {
		axip_time_ns now = axip_xdp_now(), next;
		unsigned got = axip_xdp_rx_batch(w, now);
		int did = l->poll ? l->poll(w, now, l->arg) : 0;
		if (did) {
			axip_xdp_flush(w);
			w->spin_until = now + w->spin_ns;
		}
		chan_flush_all(w);
		next = axip_xdp_poll_timers(w, now);
		if (l->tick && l->tick_ns) {
			if (now >= next_tick) {
				l->tick(w, now, l->arg);
				axip_xdp_flush(w);
				next_tick = now + l->tick_ns;
			}
			if (next_tick < next)
				next = next_tick;
		}
		chan_flush_all(w);
		if (!got && !did)
			axip_xdp_wait(w, next);
	}
	axip_xdp_flush(w);
}

void axip_xdp_stop(struct axip_xdp *x)
{
	uint64_t one = 1;
	unsigned i;
	if (atomic_exchange(&x->stop, 1))
		return;
	for (i = 0; i < x->n_workers; i++)
		axip_xdp_wake(x->w[i]);
	if (write(x->stop_fd, &one, sizeof one) < 0) {
		/* cannot fail below the counter's limit */
	}
}

int axip_xdp_stopped(const struct axip_xdp *x)
{
	return atomic_load(&x->stop);
}

int axip_xdp_stop_fd(const struct axip_xdp *x)
{
	return x->stop_fd;
}
