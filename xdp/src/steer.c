/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * steer.c - attach/detach of the embedded XDP steering program and its rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "steer.h"
#include "util.h"

/* generated at build time from bpf/axip_steer.bpf.c (bpf/embed.cmake) */
extern const unsigned char axip_steer_obj[];
extern const unsigned int axip_steer_obj_len;
/* the same with the receive-hash kfunc, loaded bound to the device */
extern const unsigned char axip_steer_hash_obj[];
extern const unsigned int axip_steer_hash_obj_len;

#define BPF_FS_MAGIC_ 0xcafe4a11
#define BPF_F_XDP_DEV_BOUND_ONLY_ (1u << 6) /* linux/bpf.h of 6.3+ */
#define BPFFS_DIR "/sys/fs/bpf"

/*
 * libxdp and libbpf print through process-wide functions (stderr by
 * default). While this file calls them for an attachment, their messages go
 * to the attachment's log instead (axip_xdp_opts.verbose decides which, none
 * by default), and the previous functions are put back afterwards.
 */
static _Thread_local const struct axip_xdp_opts *print_to;

static int forward(int level, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;
	if (!print_to || !print_to->log || print_to->verbose < (level == AXIP_XDP_LOG_DEBUG ? 2 : 1))
		return 0;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	if (n)
		print_to->log(print_to->log_ctx, (enum axip_xdp_log_level)level, msg);
	return 0;
}

static int forward_libxdp(enum libxdp_print_level l, const char *fmt, va_list ap)
{
	return forward(l == LIBXDP_WARN ? AXIP_XDP_LOG_WARN :
	               l == LIBXDP_INFO ? AXIP_XDP_LOG_INFO : AXIP_XDP_LOG_DEBUG, fmt, ap);
}

static int forward_libbpf(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	return forward(l == LIBBPF_WARN ? AXIP_XDP_LOG_WARN :
	               l == LIBBPF_INFO ? AXIP_XDP_LOG_INFO : AXIP_XDP_LOG_DEBUG, fmt, ap);
}

struct print_scope {
	libxdp_print_fn_t xdp;
	libbpf_print_fn_t bpf;
};

static void print_begin(struct print_scope *p, const struct axip_xdp_opts *o)
{
	print_to = o;
	p->xdp = libxdp_set_print(forward_libxdp);
	p->bpf = libbpf_set_print(forward_libbpf);
}

static void print_end(const struct print_scope *p)
{
	libxdp_set_print(p->xdp);
	libbpf_set_print(p->bpf);
	print_to = NULL;
}

/*
 * libxdp's dispatcher keeps its component programs pinned in bpffs. It is
 * not mounted at boot here, and `ip netns exec` gives each command a fresh
 * mount namespace, so mount it when missing. Failure only means no
 * dispatcher: libxdp then attaches the program directly.
 */
static int ensure_bpffs(void)
{
	struct statfs st;
	if (statfs(BPFFS_DIR, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC_)
		return 1;
	if (mount("bpf", BPFFS_DIR, "bpf", 0, "mode=0700") == 0)
		return 1;
	return 0;
}

/* One lock per (network namespace, interface): held by the attached process,
 * released by the kernel when it dies, so a program found on the interface
 * while the lock is free is stale. */
static int take_lock(int ifindex, char *err, size_t errlen)
{
	struct stat ns;
	char path[128], pid[32];
	int fd, n;
	if (stat("/proc/self/ns/net", &ns) != 0)
		ns.st_ino = 0;
	mkdir("/run/axip", 0700);
	snprintf(path, sizeof path, "/run/axip/xdp-%lu-%d.lock", (unsigned long)ns.st_ino, ifindex);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		xerr(err, errlen, "cannot open lock file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = (int)pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		xerr(err, errlen, "interface is already served by a running axip process (pid %s)",
		     pid[0] ? pid : "?");
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* the pid is only informative */
	}
	return fd;
}

static int is_axip_prog(const struct xdp_program *p)
{
	const char *name = xdp_program__name(p);
	return name && strcmp(name, AXIP_STEER_PROG_NAME) == 0;
}

static int remove_all(int ifindex, char *err, size_t errlen)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int removed = 0, rc;

	ensure_bpffs();
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!mp || libxdp_get_error(mp))
		return 1; /* nothing attached */
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && is_axip_prog(p)) {
			rc = xdp_multiprog__detach(mp);
			if (rc) {
				xerr(err, errlen, "detaching program id %u: %s", xdp_program__id(p),
				     strerror(-rc));
				xdp_multiprog__close(mp);
				return rc;
			}
			removed = 1;
		}
	} else {
		enum xdp_attach_mode m = xdp_multiprog__attach_mode(mp);
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
			if (!is_axip_prog(p))
				continue;
			rc = xdp_program__detach(p, ifindex, m, 0);
			if (rc) {
				xerr(err, errlen, "detaching program id %u from the dispatcher: %s",
				     xdp_program__id(p), strerror(-rc));
				xdp_multiprog__close(mp);
				return rc;
			}
			removed = 1;
		}
	}
	xdp_multiprog__close(mp);
	return removed ? 0 : 1;
}

int steer_remove_all(int ifindex, char *err, size_t errlen)
{
	struct print_scope ps;
	int rc;
	print_begin(&ps, NULL);
	rc = remove_all(ifindex, err, errlen);
	print_end(&ps);
	return rc;
}

/*
 * A program attached without libxdp's dispatcher (ip link ... xdp obj, or a
 * loader that fell back to a direct attach) owns the interface's only XDP
 * slot: the kernel refuses a second one in any mode (EBUSY). Name it, so the
 * refusal says what holds the interface; it stays attached.
 */
static int check_foreign(int ifindex, const char *ifname, char *err, size_t errlen)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int rc = 0;
	if (!mp || libxdp_get_error(mp))
		return 0;
	p = xdp_multiprog__is_legacy(mp) ? xdp_multiprog__main_prog(mp) : NULL;
	if (p && !is_axip_prog(p)) {
		const char *name = xdp_program__name(p);
		int generic = xdp_multiprog__attach_mode(mp) == XDP_MODE_SKB;
		xerr(err, errlen,
		     "%s already has XDP program '%s' (id %u, %s mode) attached without libxdp's "
		     "dispatcher; axip cannot share the interface with it and leaves it in place "
		     "(remove it with: ip link set dev %s %s off)",
		     ifname, name ? name : "?", xdp_program__id(p), generic ? "generic" : "native",
		     ifname, generic ? "xdpgeneric" : "xdp");
		rc = -EBUSY;
	}
	xdp_multiprog__close(mp);
	return rc;
}

static int find_map(struct steer *s, const char *name, char *err, size_t errlen)
{
	int fd = bpf_object__find_map_fd_by_name(xdp_program__bpf_obj(s->prog), name);
	if (fd < 0)
		xerr(err, errlen, "steering program has no map %s", name);
	return fd;
}

static void detach(struct steer *s);

static int set_cfg(struct steer *s, const struct axip_steer_cfg *cfg)
{
	struct axip_steer_cfg c;
	__u32 zero = 0;
	if (cfg->n_addrs6 > AXIP_STEER_MAX_ADDRS6)
		return -EINVAL;
	c = *cfg;
	c.flags &= ~AXIP_STEER_F_RX_HASH;
	if (s->rx_hash)
		c.flags |= AXIP_STEER_F_RX_HASH;
	if (bpf_map_update_elem(s->fd_cfg, &zero, &c, BPF_ANY) != 0)
		return -errno;
	return 0;
}

static int attach(struct steer *s, int ifindex, const char *ifname, enum axip_xdp_mode mode,
                  const struct axip_steer_cfg *cfg, int rx_hash, const struct axip_xdp_opts *o,
                  char *err, size_t errlen)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = AXIP_STEER_PROG_NAME);
	struct bpf_object *obj;
	struct xdp_program *prog;
	int rc;

	memset(s, 0, sizeof *s);
	s->ifindex = ifindex;
	s->lock_fd = -1;
	s->o = o;

	rc = take_lock(ifindex, err, errlen);
	if (rc < 0)
		return rc;
	s->lock_fd = rc;

	ensure_bpffs();
	rc = remove_all(ifindex, err, errlen);
	if (rc < 0)
		goto fail;
	if (rc == 0)
		xdp_log(s->o, AXIP_XDP_LOG_INFO, "removed a stale axip XDP program from %s", ifname);
	rc = check_foreign(ifindex, ifname, err, errlen);
	if (rc)
		goto fail;

	s->rx_hash = rx_hash;
load:
	if (s->rx_hash)
		obj = bpf_object__open_mem(axip_steer_hash_obj, axip_steer_hash_obj_len, &oo);
	else
		obj = bpf_object__open_mem(axip_steer_obj, axip_steer_obj_len, &oo);
	if (!obj || libbpf_get_error(obj)) {
		xerr(err, errlen, "cannot open the embedded XDP program");
		rc = -EINVAL;
		goto fail;
	}
	if (s->rx_hash) {
		/* the RX metadata kfuncs reach the driver only in a program bound
		 * to the device; such a program cannot go through the dispatcher */
		struct bpf_program *bp = bpf_object__find_program_by_name(obj, AXIP_STEER_PROG_NAME);
		if (bp) {
			bpf_program__set_ifindex(bp, (__u32)ifindex);
			bpf_program__set_flags(bp, bpf_program__flags(bp) | BPF_F_XDP_DEV_BOUND_ONLY_);
		}
	}
	{
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .obj = obj, .prog_name = AXIP_STEER_PROG_NAME);
		prog = xdp_program__create(&xo);
	}
	rc = (int)libxdp_get_error(prog);
	if (!prog || rc) {
		bpf_object__close(obj);
		xerr(err, errlen, "cannot create the XDP program: %s", strerror(rc ? -rc : EINVAL));
		rc = rc ? rc : -EINVAL;
		goto fail;
	}
	s->prog = prog;
	s->obj = obj;

	rc = -EOPNOTSUPP;
	if (mode != AXIP_XDP_MODE_GENERIC) {
		rc = xdp_program__attach(prog, ifindex, XDP_MODE_NATIVE, 0);
		s->attach_mode = XDP_MODE_NATIVE;
	}
	if (rc && mode != AXIP_XDP_MODE_NATIVE) {
		rc = xdp_program__attach(prog, ifindex, XDP_MODE_SKB, 0);
		s->attach_mode = XDP_MODE_SKB;
	}
	if (rc && s->rx_hash) {
		/* a kernel without device-bound programs (before 6.3): load
		 * again unbound, without the receive hash */
		xdp_program__close(prog);
		bpf_object__close(obj);
		s->prog = NULL;
		s->obj = NULL;
		s->rx_hash = 0;
		s->rx_hash_refused = 1;
		goto load;
	}
	if (rc) {
		char msg[128];
		libxdp_strerror(rc, msg, sizeof msg);
		xerr(err, errlen, "XDP attach to %s failed: %s", ifname, msg);
		xdp_program__close(prog);
		bpf_object__close(obj);
		s->prog = NULL;
		s->obj = NULL;
		goto fail;
	}
	{
		struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
		s->dispatcher = mp && !libxdp_get_error(mp) && !xdp_multiprog__is_legacy(mp);
		if (mp && !libxdp_get_error(mp))
			xdp_multiprog__close(mp);
	}

	if ((s->fd_xsks = find_map(s, "xsks", err, errlen)) < 0 ||
	    (s->fd_cfg = find_map(s, "cfg", err, errlen)) < 0 ||
	    (s->fd_rules = find_map(s, "rules", err, errlen)) < 0 ||
	    (s->fd_rule_hits = find_map(s, "rule_hits", err, errlen)) < 0 ||
	    (s->fd_stats = find_map(s, "stats", err, errlen)) < 0 ||
	    (s->fd_frags = find_map(s, "frags", err, errlen)) < 0) {
		rc = -ENOENT;
		detach(s);
		return rc;
	}
	rc = set_cfg(s, cfg);
	if (rc) {
		xerr(err, errlen, "cannot configure the steering program: %s", strerror(-rc));
		detach(s);
		return rc;
	}
	return 0;
fail:
	close(s->lock_fd);
	s->lock_fd = -1;
	return rc;
}

static void detach(struct steer *s)
{
	if (s->prog) {
		xdp_program__detach(s->prog, s->ifindex, (enum xdp_attach_mode)s->attach_mode, 0);
		xdp_program__close(s->prog);
		s->prog = NULL;
	}
	if (s->obj) {
		bpf_object__close(s->obj);
		s->obj = NULL;
	}
	if (s->lock_fd >= 0) {
		close(s->lock_fd);
		s->lock_fd = -1;
	}
}

int steer_attach(struct steer *s, int ifindex, const char *ifname, enum axip_xdp_mode mode,
                 const struct axip_steer_cfg *cfg, int rx_hash, const struct axip_xdp_opts *o,
                 char *err, size_t errlen)
{
	struct print_scope ps;
	int rc;
	print_begin(&ps, o);
	rc = attach(s, ifindex, ifname, mode, cfg, rx_hash, o, err, errlen);
	print_end(&ps);
	return rc;
}

void steer_detach(struct steer *s)
{
	struct print_scope ps;
	print_begin(&ps, s->o);
	detach(s);
	print_end(&ps);
}

int steer_set_xsk(struct steer *s, uint32_t queue, int xsk_fd)
{
	__u32 v = (__u32)xsk_fd;
	if (bpf_map_update_elem(s->fd_xsks, &queue, &v, BPF_ANY) != 0)
		return -errno;
	return 0;
}

int steer_set_cfg(struct steer *s, const struct axip_steer_cfg *cfg)
{
	return set_cfg(s, cfg);
}

static int rule_slot(const struct steer *s, uint8_t family, uint8_t proto, uint16_t port)
{
	unsigned i;
	for (i = 0; i < AXIP_STEER_MAX_RULES; i++)
		if (s->slot[i].used && s->slot[i].family == family && s->slot[i].proto == proto &&
		    s->slot[i].port == port)
			return (int)i;
	return -1;
}

static void rule_key(struct axip_steer_rule *key, uint8_t family, uint8_t proto, uint16_t port)
{
	memset(key, 0, sizeof *key);
	key->family = family;
	key->proto = proto;
	key->port = port;
}

int steer_add_rule(struct steer *s, uint8_t family, uint8_t proto, uint16_t port)
{
	struct axip_steer_rule key;
	__u32 i, freeslot = AXIP_STEER_MAX_RULES;
	if (family != 4 && family != 6)
		return -EINVAL;
	if (rule_slot(s, family, proto, port) >= 0)
		return 0;
	for (i = 0; i < AXIP_STEER_MAX_RULES && freeslot == AXIP_STEER_MAX_RULES; i++)
		if (!s->slot[i].used)
			freeslot = i;
	if (freeslot == AXIP_STEER_MAX_RULES)
		return -ENOSPC;
	rule_key(&key, family, proto, port);
	if (bpf_map_update_elem(s->fd_rules, &key, &freeslot, BPF_NOEXIST) != 0)
		return -errno;
	s->slot[freeslot].family = family;
	s->slot[freeslot].proto = proto;
	s->slot[freeslot].port = port;
	s->slot[freeslot].used = 1;
	return 0;
}

int steer_del_rule(struct steer *s, uint8_t family, uint8_t proto, uint16_t port)
{
	struct axip_steer_rule key;
	int i = rule_slot(s, family, proto, port);
	if (i < 0)
		return -ENOENT;
	s->slot[i].used = 0;
	rule_key(&key, family, proto, port);
	return bpf_map_delete_elem(s->fd_rules, &key) == 0 ? 0 : -errno;
}

uint64_t steer_percpu_sum(int fd, uint32_t idx)
{
	int n = libbpf_num_possible_cpus(), i;
	uint64_t sum = 0, *v;
	if (n <= 0)
		return 0;
	v = calloc((size_t)n, sizeof *v);
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(fd, &idx, v) == 0)
		for (i = 0; i < n; i++)
			sum += v[i];
	free(v);
	return sum;
}
