/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * steer.h - the XDP steering program on one interface: attach through
 * libxdp (dispatcher when bpffs is available, direct otherwise), native mode
 * with generic fallback, rules and counters in its maps, stale-program
 * detection.
 */
#ifndef AXIP_XDP_STEER_H
#define AXIP_XDP_STEER_H

#include <stddef.h>
#include <stdint.h>
#include "../../bpf/axip_steer.h"
#include <axip/xdp.h>

struct xdp_program;
struct bpf_object;

struct steer {
	int ifindex;
	struct xdp_program *prog;
	struct bpf_object *obj;      /* ours: libxdp does not close an object it was given */
	int attach_mode;             /* enum xdp_attach_mode in effect */
	int dispatcher;              /* 1 if attached through libxdp's dispatcher */
	int rx_hash;                 /* device-bound: the program stores the receive hash */
	int rx_hash_refused;         /* the device-bound load failed: loaded without it */
	int fd_xsks, fd_cfg, fd_rules, fd_rule_hits, fd_stats;
	int fd_frags;                /* verdicts of fragmented datagrams (xdp/src/frag.c) */
	int lock_fd;                 /* flock held while attached */
	const struct axip_xdp_opts *o; /* where libxdp's and libbpf's messages go (log) */
	struct {
		uint16_t port;
		uint8_t proto;
		uint8_t family;          /* 4 or 6 */
		uint8_t used;
	} slot[AXIP_STEER_MAX_RULES];
};

/* Load and attach with `cfg`. A stale axip program on the interface is
 * replaced (logged through o); one owned by a live process is an error.
 * rx_hash: load the program bound to the device so it can store the
 * receive hash (s->rx_hash says whether that worked). libxdp's and libbpf's
 * messages go to o's log as o->verbose says, here and in steer_detach. */
int steer_attach(struct steer *s, int ifindex, const char *ifname, enum axip_xdp_mode mode,
                 const struct axip_steer_cfg *cfg, int rx_hash, const struct axip_xdp_opts *o,
                 char *err, size_t errlen);
void steer_detach(struct steer *s);
int steer_set_xsk(struct steer *s, uint32_t queue, int xsk_fd);
/* Rewrite the cfg map entry (the interface's addresses changed); the
 * receive-hash flag stays as the attachment found it. -EINVAL when
 * cfg->n_addrs6 is above AXIP_STEER_MAX_ADDRS6. */
int steer_set_cfg(struct steer *s, const struct axip_steer_cfg *cfg);
/* Steer (family 4 or 6, IPPROTO_TCP or IPPROTO_UDP, local port); -EINVAL
 * for another family, -ENOSPC when all AXIP_STEER_MAX_RULES slots are used. */
int steer_add_rule(struct steer *s, uint8_t family, uint8_t proto, uint16_t port);
int steer_del_rule(struct steer *s, uint8_t family, uint8_t proto, uint16_t port);
/* Sum of a per-CPU counter slot of map fd. */
uint64_t steer_percpu_sum(int fd, uint32_t idx);
/* Remove every axip program from ifindex; 0 removed, 1 none, <0 error. */
int steer_remove_all(int ifindex, char *err, size_t errlen);

#endif
