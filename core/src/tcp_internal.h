/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_internal.h - what the TCP files (tcp*.c) share among themselves
 * (RFC 9293): the connection and listener structs, module state, and the
 * calls between the files, each section under the name of the file that
 * defines it. Other modules include tcp.h only.
 *
 * struct axip_tcp is one connection (the public handle), struct
 * axip_tcp_listener one passive endpoint. Both come from pools carved at
 * init; nothing is allocated afterwards. Connections are found through a
 * hash of the full 4-tuple, listeners through a hash of the local port.
 *
 * Both families share the one connection table and the one listener table
 * (RFC 9293 3.10 applies to either; RFC 8200 8.1 changes only the
 * pseudo-header). The address representation keeps IPv4 as it was:
 *
 *   - laddr/raddr stay 32-bit IPv4 addresses in host order, and an IPv4
 *     lookup compares ports and these two words as before, then the family
 *     byte (one more compare, reached only on a full match). No IPv4 path
 *     copies or compares 16-byte addresses.
 *   - An IPv6 connection keeps its addresses in laddr6/raddr6 (16 bytes,
 *     network order, at the cold end of the struct) and in laddr/raddr a
 *     32-bit fold of each (tcp_addr6_fold: the xor of its four words), so
 *     that an IPv6 lookup rejects a chain neighbour with the same cheap
 *     compares and reads the 16-byte arrays only on a likely match. A fold
 *     can equal an IPv4 address: the family byte tells them apart.
 *   - The bucket hash, ISN, timestamp offset, port offset and SYN cookie of
 *     an IPv6 tuple are keyed hashes of its full 16-byte addresses
 *     (tcp_isn.h), never of the folds.
 *
 * Families are separate name spaces, like IPV6_V6ONLY sockets: an IPv6
 * listener on :: does not receive IPv4 segments, and an IPv4 and an IPv6
 * listener may share a port.
 */
#ifndef AXIP_TCP_INTERNAL_H
#define AXIP_TCP_INTERNAL_H

#include "tcp.h"
#include "tcp_cc.h"
#include "util.h"
#include "wire.h"
#include "../include/axip/tcp.h"

/* Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4). */
#define SEQ_LT(a, b) ((axip_i32)((axip_u32)(a) - (axip_u32)(b)) < 0)
#define SEQ_LEQ(a, b) ((axip_i32)((axip_u32)(a) - (axip_u32)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

#define TCP_SACK_RANGES 16u   /* send-side scoreboard ranges */
#define TCP_RSACK_BLOCKS 4u   /* receive-side SACK blocks remembered (RFC 2018 4) */
#define TCP_DUPTHRESH 3u      /* RFC 5681 / RFC 6675 DupThresh */
#define TCP_MSS_DEFAULT 536u  /* RFC 9293 3.7.1: peer sent no MSS option */
#define TCP_MSS_MIN 536u      /* floor for ICMP-lowered MSS (RFC 1191 / RFC 791 576 bytes) */
#define TCP_MAX_WS 14u        /* RFC 7323 2.3 */
#define TCP_TS_SHIFT 20u      /* timestamp clock: 2^20 ns (~1 ms) per tick */
#define TCP_TLP_MAX_ACK_DELAY_NS 200000000ull /* RFC 8985 7.2 WCDelAckT: 200 ms */
#define TCP_PAWS_IDLE_NS (24ull * 24u * 3600u * 1000000000ull) /* RFC 7323 5.5: 24 days */

/* Parsed options of one segment (tcp_options.c). */
#define TCPO_MSS 1u
#define TCPO_WS 2u
#define TCPO_SACK_OK 4u
#define TCPO_TS 8u
#define TCPO_BAD 16u

struct tcp_opts {
	axip_u32 have;          /* TCPO_* */
	axip_u16 mss;
	axip_u8 ws;
	axip_u8 nsack;
	axip_u32 tsval, tsecr;
	axip_u32 sack[4][2];    /* [start, end) */
};

/* One received segment after parsing (tcp_input.c). */
struct tcp_seg {
	axip_u16 sport, dport;
	axip_u32 seq, ack;
	axip_u32 len;           /* payload bytes */
	axip_u32 hlen;          /* header bytes incl. options */
	axip_u32 wnd;           /* raw window field */
	axip_u8 flags;
	struct tcp_opts o;
};

struct tcp_range {
	axip_u32 start, end;
};

/* Bytes [s, e) shares with range r. */
static inline axip_u32 tcp_range_overlap(const struct tcp_range *r, axip_u32 s, axip_u32 e)
{
	axip_u32 a = SEQ_GT(r->start, s) ? r->start : s;
	axip_u32 b = SEQ_LT(r->end, e) ? r->end : e;
	return SEQ_LT(a, b) ? b - a : 0;
}

/* Connection flags. */
#define TF_TS 0x1u            /* timestamps negotiated (RFC 7323) */
#define TF_SACK 0x2u          /* SACK permitted both ways (RFC 2018) */
#define TF_WS 0x4u            /* window scaling negotiated */
#define TF_NODELAY 0x8u       /* Nagle off */
#define TF_CORK 0x10u         /* AXIP_TCP_MORE: hold partial segments */
#define TF_KEEPALIVE 0x20u
#define TF_APP_CLOSED 0x40u   /* axip_tcp_close called: no more recv */
#define TF_SHUT_WR 0x80u      /* FIN queued after the data */
#define TF_FIN_ACKED 0x100u
#define TF_FIN_RCVD 0x200u
#define TF_RECOVERY 0x400u    /* fast recovery (RFC 6675 or RFC 6582) */
#define TF_DEAD 0x800u        /* released; memory freed when the last hold goes */
#define TF_SYN_RTX 0x1000u    /* SYN retransmitted (RFC 6298 5.7) */
#define TF_ACK_NOW 0x2000u
#define TF_RTT_TIMING 0x4000u /* rtt_seq/rtt_at time one segment (Karn) */
#define TF_ACCEPTED 0x10000u  /* the application owns the handle */
#define TF_RACK_SET 0x20000u  /* RACK.xmit_ts / end_seq / rtt hold a delivery (RFC 8985 6.2) */
#define TF_RACK_REORD 0x40000u /* RACK.reordering_seen */
#define TF_RACK_DSRND 0x80000u /* RACK.dsack_round is set */
#define TF_TLP 0x100000u      /* a loss probe is outstanding: TLP.end_seq (RFC 8985 7) */
#define TF_TLP_RTX 0x200000u  /* TLP.is_retrans */
#define TF_DSACK_TX 0x400000u /* receive side: report `dsack` in the next ACK (RFC 2883) */
#define TF_RTO_REC 0x800000u  /* the recovery is the one after a timeout (RFC 8985 6.3) */
#define TF_PUSH 0x1000000u    /* uncorked: the next output sends a partial tail past Nagle */

/*
 * Application events. Segment and timer processing never calls the
 * application: it raises events (tcp_event), which are delivered when the
 * processing ends (tcp_frame_end -> tcp_deliver_events), in this order.
 * Raised outside processing (an API call ending a connection), they are
 * delivered at once.
 */
#define TEV_CONNECTED 0x1u    /* active open completed */
#define TEV_SENT 0x2u         /* ev_sent bytes acknowledged */
#define TEV_RECV 0x4u         /* ev_rcv: in-order data */
#define TEV_PEER_CLOSED 0x8u  /* FIN received */
#define TEV_CLOSED 0x10u      /* the handle ends with ev_err: last */

/* What t_rtx currently times. */
enum tcp_rtx_kind { RTX_NONE = 0, RTX_RTO, RTX_PERSIST, RTX_WAIT };
/* What t_rack currently times (RFC 8985 8: the reordering timer or the
 * loss probe; the RTO deadline in t_rtx stays armed beneath either). */
enum tcp_rack_kind { RACK_T_NONE = 0, RACK_T_REO, RACK_T_TLP };

/*
 * Send-queue buffers carry RACK's per-segment state (RFC 8985 6.1) in
 * pkt->cb while queued. A segment may cover parts of two buffers and a
 * buffer parts of several segments, so a buffer keeps bounds on when its
 * bytes not yet delivered were last sent: the oldest and the newest of
 * those transmissions, as a time (ns >> TCP_RACK_TS_SHIFT, wrapping) and a
 * transmission number, and where the newest one started.
 */
#define SQ_MAX_START(p) ((p)->cb[0])
#define SQ_TS_MIN(p) ((p)->cb[1])
#define SQ_TS_MAX(p) ((p)->cb[2])
#define SQ_ORD_MIN(p) ((p)->cb[3])
#define SQ_ORD_MAX(p) ((p)->cb[4])   /* 0: never sent */
#define SQ_FLAGS(p) ((p)->cb[5])
#define SQF_RTX 1u            /* bytes of it were retransmitted: RTT samples are ambiguous */
#define SQF_LOST 2u           /* RACK marked its unSACKed bytes lost; not all resent yet */
#define SQF_APPEND 4u         /* written by axip_tcp_write: more may be appended */
#define SQF_MAX_RTX 8u        /* the newest send was a retransmission */
#define TCP_RACK_TS_SHIFT 10u /* RACK clock: 1.024 us per tick, wraps after 73 minutes */

/*
 * The network-layer ends of a segment or connection, either family: `local`
 * is our address, `remote` the peer's. Built by tcp_input / tcp6_input for
 * a received segment no connection has (local = its destination), from a
 * connection (tcp_conn_ip) and by the active opens.
 */
struct tcp_ip {
	axip_u8 family;               /* 4 or 6 */
	axip_u32 local, remote;       /* IPv4, host order */
	const axip_u8 *local6, *remote6; /* IPv6, 16 bytes, network order (family 6 only) */
};

/* The 32-bit stand-in of an IPv6 address in laddr/raddr (see the top). */
static inline axip_u32 tcp_addr6_fold(const axip_u8 *a)
{
	return load_be32(a) ^ load_be32(a + 4) ^ load_be32(a + 8) ^ load_be32(a + 12);
}

struct axip_tcp_listener;

struct axip_tcp {
	struct axip_timer timer;      /* first member: the timer callback casts back */
	struct axip_stack *s;
	struct axip_tcp *hnext;       /* hash chain, or the pool free list */
	struct axip_tcp *lnext, *lprev; /* listener's embryonic list, or the TIME_WAIT FIFO */
	struct axip_tcp_listener *listener; /* SYN-RECEIVED from a listener, not yet accepted */
	const struct axip_tcp_callbacks *cb;
	void *arg;
	axip_u32 laddr, raddr;        /* IPv4 (host order); IPv6: tcp_addr6_fold of laddr6/raddr6 */
	axip_u16 lport, rport;
	axip_u8 family;               /* 4 or 6 */
	axip_u8 state;                /* enum axip_tcp_state_id */
	axip_u8 hold;                 /* core frames using the connection: memory stays */
	axip_u8 busy;                 /* core frames processing it: events wait (tcp_event) */
	axip_u8 ev;                   /* TEV_*: events for the application not yet delivered */
	axip_u8 snd_ws, rcv_ws;       /* window shifts (RFC 7323 2) */
	axip_u32 flags;               /* TF_* */
	axip_u32 hash;                /* bucket index */
	axip_u32 flow_slot;           /* flow_cache index + 1 that points here, 0 = none */

	/* send sequence space (RFC 9293 3.3.1) */
	axip_u32 iss, snd_una, snd_nxt, snd_max;
	axip_u32 snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	axip_u32 sndbuf, sndq_len;    /* queued data bytes from snd_una (SYN/FIN excluded) */
	struct axip_pkt *sq_head, *sq_tail;
	struct axip_pkt *sq_cur;      /* cursor: a queue buffer ... */
	axip_u32 sq_cur_off;          /* ... and its first byte's offset from snd_una */
	axip_u32 mss_clamp;           /* MSS from the peer's option / PMTU, header bytes excluded */
	axip_u32 mss;                 /* payload per full segment (fixed options deducted) */
	axip_u32 rcv_mss;             /* MSS we announced */

	/* receive sequence space */
	axip_u32 irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
	axip_u32 rcvbuf, rcv_held;    /* delivered, not yet axip_tcp_recved() */
	axip_u32 rcv_unacked;         /* bytes received since the last ACK sent */
	axip_u32 rcv_seg;             /* largest payload received: the peer's full segment */
	struct axip_pkt *ooo_head;    /* out-of-order queue (tcp_reass.c) */
	axip_u32 ooo_bytes, ooo_segs;
	struct tcp_range rsack[TCP_RSACK_BLOCKS];
	axip_u32 n_rsack;

	/* timestamps (RFC 7323) */
	axip_u32 ts_recent, ts_offset, last_ack_sent;
	axip_time_ns ts_recent_at;

	/* RTT and RTO (RFC 6298), microseconds */
	axip_u32 srtt_us, rttvar_us;
	axip_time_ns rto;             /* current RTO before backoff */
	axip_time_ns last_rcv;        /* keepalive idle measurement */
	axip_u32 rtt_seq;
	axip_time_ns rtt_at;
	axip_u32 backoff, retries;    /* RTO backoff shift; unanswered timeouts/probes */

	/* timers, absolute ns, 0 = off; one struct axip_timer covers them all */
	axip_time_ns t_rtx, t_delack, t_keep;
	axip_u8 rtx_kind;
	axip_u8 keep_sent;            /* keepalive probes unanswered */
	axip_u8 dupacks;
	axip_u8 cc_id;

	/* congestion control and loss recovery */
	struct tcp_cc_state cc;
	const struct tcp_cc_ops *cc_ops;
	const struct tcp_cc_ops *cc_priv_owner; /* whose private state cc.priv holds (tcp_cc_switch) */
	axip_u32 recover;             /* RFC 6582 recover / RFC 6675 RecoveryPoint */
	axip_u32 high_rxt;            /* RFC 6675 HighRxt */
	axip_u32 inflate;             /* NewReno window inflation, bytes */
	axip_time_ns last_send;       /* RFC 5681 4.1 idle detection */
	struct tcp_range sacked[TCP_SACK_RANGES]; /* sorted, disjoint, above snd_una */
	axip_u32 n_sacked;

	/* RACK-TLP (RFC 8985), SACK connections only; RACK clock ticks
	 * (TCP_RACK_TS_SHIFT). RACK.end_seq, the RFC's tie-breaker for equal
	 * times, is replaced by the transmission number. */
	axip_time_ns t_rack;          /* reordering timer or PTO deadline (ns), 0 = off */
	axip_u32 rack_xmit_ts;        /* RACK.xmit_ts */
	axip_u32 rack_ord;            /* transmission number of RACK.xmit_ts's data */
	axip_u32 rack_rtt;            /* RACK.rtt */
	axip_u32 rack_min_rtt;        /* RACK.min_RTT (lowest unambiguous sample), 0 = none */
	axip_u32 tx_ord;              /* transmissions numbered from 1 (wrapping) */
	axip_u32 rack_fack;           /* RACK.fack: highest sequence delivered */
	axip_u32 rack_dsack_round;    /* RACK.dsack_round (TF_RACK_DSRND) */
	axip_u32 tlp_end_seq;         /* TLP.end_seq (TF_TLP) */
	axip_u32 tlp_una, tlp_max;    /* snd_una / snd_max when the PTO was last armed */
	axip_u8 rack_reo_mult;        /* RACK.reo_wnd_mult */
	axip_u8 rack_reo_persist;     /* RACK.reo_wnd_persist */
	axip_u8 rack_kind;            /* enum tcp_rack_kind */
	struct tcp_range dsack;       /* receive side: duplicate to report (TF_DSACK_TX) */

	struct axip_tcp_opts opts;
	int soft_err;

	/* what the pending events carry (TEV_*) */
	int ev_err;                   /* TEV_CLOSED: the error reported */
	axip_u32 ev_sent;             /* TEV_SENT: bytes acknowledged */
	axip_u32 ev_rcv_len;          /* TEV_RECV: bytes of ev_rcv */
	struct axip_pkt *ev_rcv;      /* TEV_RECV: in-order data (sg chain) */

	/* statistics (axip_tcp_get_info) */
	axip_u64 bytes_sent, bytes_acked, bytes_received, segs_out, segs_in;
	axip_u32 n_retrans, n_rto, n_fast;

	/* IPv6 addresses (family 6): network order */
	axip_u8 laddr6[16], raddr6[16];
};

struct axip_tcp_listener {
	struct axip_stack *s;
	struct axip_tcp_listener *next; /* hash chain or free list */
	axip_u32 addr;                 /* IPv4, host order, 0 = any; IPv6: fold of addr6 */
	axip_u16 port;
	axip_u8 family;                /* 4 or 6 */
	axip_u8 in_use;
	axip_u8 cookies;               /* has answered SYNs with cookies */
	axip_u32 backlog, syn_count;
	axip_tcp_accept_fn accept;
	void *arg;
	struct axip_tcp_opts opts;
	struct axip_tcp *embryo;       /* SYN-RECEIVED connections (lnext/lprev) */
	axip_u8 addr6[16];             /* IPv6 (family 6), all zero = any */
};

struct tcp_state {
	struct axip_tcp *conns;
	struct axip_tcp *free;
	axip_u32 n_free;
	struct axip_tcp **hash;
	axip_u32 hash_mask;
	/* Connections by the NIC's RX hash (same size and mask as hash):
	 * a hit skips hashing the tuple; a miss falls back to hash. */
	struct axip_tcp **flow_cache;
	struct axip_tcp_listener *listeners;
	struct axip_tcp_listener *lfree;
	struct axip_tcp_listener **lhash;
	axip_u32 lhash_mask;
	struct axip_tcp *tw_head, *tw_tail; /* TIME_WAIT connections, oldest first */
	axip_u32 next_ephemeral;            /* RFC 6056 algorithm 3 */
	axip_u32 ooo_bytes, ooo_segs, ooo_segs_max;
	axip_time_ns chack_start;           /* RFC 5961 7: challenge ACK rate window */
	axip_u32 chack_count;
};

/* ---- tcp.c: tables, pool and life cycle ---- */
/* IPv4 tuple (host order). */
struct axip_tcp *tcp_lookup(struct axip_stack *s, axip_u32 laddr, axip_u16 lport,
                            axip_u32 raddr, axip_u16 rport);
/* IPv6 tuple (16-byte addresses). */
struct axip_tcp *tcp_lookup6(struct axip_stack *s, const axip_u8 *laddr, axip_u16 lport,
                             const axip_u8 *raddr, axip_u16 rport);
/* The tuple of ip (local, remote) and the ports, either family. */
struct axip_tcp *tcp_lookup_ip(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                               axip_u16 rport);
/* tcp_lookup for a received segment: rx_hash (the NIC's, 0 if none) picks
 * a flow-cache slot first. */
struct axip_tcp *tcp_lookup_rx(struct axip_stack *s, axip_u32 rx_hash, axip_u32 laddr,
                               axip_u16 lport, axip_u32 raddr, axip_u16 rport);
/* The same for an IPv6 tuple. */
struct axip_tcp *tcp_lookup_rx6(struct axip_stack *s, axip_u32 rx_hash, const axip_u8 *laddr,
                                axip_u16 lport, const axip_u8 *raddr, axip_u16 rport);
/* Listener for IPv4 addr:port: exact address, else the wildcard. */
struct axip_tcp_listener *tcp_listener_lookup(struct axip_stack *s, axip_u32 addr, axip_u16 port);
/* Listener for IPv6 addr:port: exact address, else the wildcard (::). */
struct axip_tcp_listener *tcp_listener_lookup6(struct axip_stack *s, const axip_u8 *addr,
                                               axip_u16 port);
/* Listener for ip->local:port, either family. */
struct axip_tcp_listener *tcp_listener_lookup_ip(struct axip_stack *s, const struct tcp_ip *ip,
                                                 axip_u16 port);
/* A fresh connection in CLOSED state for the tuple (ip->local:lport,
 * ip->remote:rport), hashed; NULL when the pool is full. */
struct axip_tcp *tcp_conn_new(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                              axip_u16 rport, const struct axip_tcp_opts *o);
/* The ends of c as a struct tcp_ip (pointers into c). */
void tcp_conn_ip(const struct axip_tcp *c, struct tcp_ip *ip);
/* Set MSS/window parameters once the peer's SYN options are known. */
void tcp_conn_negotiate(struct axip_tcp *c, const struct tcp_opts *o);
/* Connection reached ESTABLISHED: initialise congestion control. */
void tcp_conn_start_cc(struct axip_tcp *c);
/* Final teardown: report `err` to the application (if it owns the handle),
 * drop queues, unhash, and free the memory once no core frame holds it. */
void tcp_conn_drop(struct axip_tcp *c, int err);
/* Enter TIME_WAIT (RFC 9293 3.10.7.4) and report a graceful close. */
void tcp_enter_time_wait(struct axip_tcp *c);
/* Return the memory of an ended connection to the pool (the last hold went). */
void tcp_conn_free(struct axip_tcp *c);
static inline void tcp_hold(struct axip_tcp *c) { c->hold++; }
/* Drop a hold; the memory of an ended connection is freed with the last. */
static inline void tcp_unhold(struct axip_tcp *c)
{
	if (--c->hold == 0 && (c->flags & TF_DEAD))
		tcp_conn_free(c);
}
/* Call the application for the pending events (TEV_* order). */
void tcp_deliver_events(struct axip_tcp *c);
/* Queue events for the application; delivered at once outside processing. */
static inline void tcp_event(struct axip_tcp *c, axip_u8 ev)
{
	c->ev |= ev;
	if (!c->busy)
		tcp_deliver_events(c);
}
/* A core frame (a segment, a timer) starts processing c: c stays in memory
 * until tcp_unhold, and events wait for tcp_frame_end. */
static inline void tcp_frame_begin(struct axip_tcp *c)
{
	c->hold++;
	c->busy++;
}
/* The processing is through: the one delivery point of its events. */
static inline void tcp_frame_end(struct axip_tcp *c)
{
	if (--c->busy == 0 && c->ev)
		tcp_deliver_events(c);
}
/* Listener hand-off at the end of a passive open; returns 0 if accepted. */
int tcp_accept(struct axip_tcp *c);
/* Window shift for a receive buffer of rcvbuf bytes (RFC 7323 2.3). */
axip_u8 tcp_choose_ws(axip_u32 rcvbuf);

/* ---- tcp_sndq.c: the send queue (data from snd_una on) ---- */
/* Append buffer p; `flags` SQF_APPEND for one axip_tcp_write may fill further. */
void tcp_sndq_append(struct axip_tcp *c, struct axip_pkt *p, axip_u32 flags);
/* Free send-queue bytes acknowledged: `n` data bytes from the head. */
void tcp_sndq_drop(struct axip_tcp *c, axip_u32 n);
/* Send-queue buffer holding data offset `off` (from snd_una), its first
 * byte's offset within the buffer in *boff; NULL past the queue. */
struct axip_pkt *tcp_sndq_seek(struct axip_tcp *c, axip_u32 off, axip_u32 *boff);

/* ---- tcp_output.c ---- */
void tcp_output(struct axip_tcp *c);
/* Send [seq, seq+len) of the send queue; the FIN rides along when the
 * segment ends the stream after shutdown. Returns the sequence space sent
 * (payload, possibly cut short by buffer room, plus 1 for a FIN), 0 if none. */
axip_u32 tcp_send_seg(struct axip_tcp *c, axip_u32 seq, axip_u32 len);
/* Send from snd_nxt and advance it; returns 1 if a segment went out. */
int tcp_send_from_nxt(struct axip_tcp *c, axip_u32 len);
void tcp_send_keepalive(struct axip_tcp *c);
/* Persist timer expiry: zero-window probe or SWS override (RFC 9293 3.8.6). */
void tcp_persist_probe(struct axip_tcp *c);
void tcp_send_ack(struct axip_tcp *c);
void tcp_send_syn(struct axip_tcp *c);
void tcp_send_rst_conn(struct axip_tcp *c);
/* RFC 9293 3.10.7.1 reply to a segment nobody owns. */
void tcp_send_rst_reply(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                        axip_u16 rport, const struct tcp_seg *g);
/* Stateless SYN-ACK carrying a cookie (RFC 4987 3.6). */
void tcp_send_cookie_synack(struct axip_stack *s, struct axip_tcp_listener *l,
                            const struct tcp_ip *ip, axip_u16 rport, const struct tcp_seg *g);
/* Window value for an outgoing segment; moves rcv_adv (never backwards). */
axip_u32 tcp_rcv_wnd_field(struct axip_tcp *c);
/* Application released receive space: ACK if the window grew enough. */
void tcp_window_update(struct axip_tcp *c);
axip_u32 tcp_ts_now(const struct axip_stack *s);
/* The MSS we announce for a family: MTU - 40 (IPv4) or MTU - 60 (IPv6). */
axip_u32 tcp_our_mss(const struct axip_stack *s, axip_u8 family);
/* Payload a segment sent now may carry. */
axip_u32 tcp_seg_max(const struct axip_tcp *c);

/* ---- tcp_timer.c ---- */
void tcp_timer_fire(struct axip_stack *s, struct axip_timer *t);
/* Re-arm the connection's wheel timer to the earliest of its deadlines. */
void tcp_timer_update(struct axip_tcp *c);
void tcp_rto_arm(struct axip_tcp *c);
void tcp_rto_stop(struct axip_tcp *c);
void tcp_delack_arm(struct axip_tcp *c);
void tcp_keepalive_reset(struct axip_tcp *c);
void tcp_rtt_sample(struct axip_tcp *c, axip_u32 rtt_us);
/* RTO including backoff, clamped to cfg.tcp_rto_max_ns. */
axip_time_ns tcp_rto_ns(const struct axip_tcp *c);
/* Nanoseconds to microseconds without 64-bit division (exact below 4.29 s). */
axip_u32 tcp_ns_to_us(axip_time_ns ns);

/* ---- tcp_rack.c (RFC 8985; SACK connections) ---- */
/* [seq, seq+len) of the queue went out now; `rtx` when below snd_max. */
void tcp_rack_sent(struct axip_tcp *c, axip_u32 seq, axip_u32 len, int rtx);
/* [s, e) (>= snd_una) was newly acknowledged or SACKed by an ACK with options `o`. */
void tcp_rack_delivered(struct axip_tcp *c, axip_u32 s, axip_u32 e, const struct tcp_opts *o);
/* The ACK carried a D-SACK (RFC 8985 6.2 step 4). */
void tcp_rack_dsack(struct axip_tcp *c);
/* Mark what RACK finds lost and (re)arm the reordering timer; returns the
 * buffers newly marked. */
axip_u32 tcp_rack_detect(struct axip_tcp *c);
/* Fast or timeout recovery ended (reo_wnd_persist, RFC 8985 6.2 step 4). */
void tcp_rack_recovery_end(struct axip_tcp *c);
/* Timeout: every outstanding byte is lost (RFC 8985 6.3); probes end. */
void tcp_rack_rto(struct axip_tcp *c);
/* Is any unSACKed byte marked lost? */
int tcp_rack_any_lost(const struct axip_tcp *c);
/* RFC 6675 4 NextSeg rule 1 with RACK's marks: the first lost unSACKed byte
 * at or above high_rxt in *seq, its run of at most `limit` bytes ending at *end. */
int tcp_rack_next_lost(struct axip_tcp *c, axip_u32 limit, axip_u32 *seq, axip_u32 *end);
/* RFC 6675 4 SetPipe() with RACK's marks. */
axip_u32 tcp_rack_pipe(const struct axip_tcp *c);
/* Loss probe bookkeeping for an ACK (RFC 8985 7.4). */
void tcp_tlp_on_ack(struct axip_tcp *c, axip_u32 ack, axip_u32 acked, int dsack, axip_u32 newly);
/* Arm or keep the PTO after sending or an ACK (RFC 8985 7.2). */
void tcp_tlp_schedule(struct axip_tcp *c);
/* t_rack expired. */
void tcp_rack_timer(struct axip_tcp *c);

/* ---- tcp_options.c ---- */
void tcp_opts_parse(struct axip_stack *s, const axip_u8 *p, axip_u32 len, int syn,
                    struct tcp_opts *o);
/* Options for a SYN or SYN-ACK; returns bytes written (<= 40, multiple of 4). */
axip_u32 tcp_opts_syn(axip_u8 *p, axip_u16 mss, int ws_on, axip_u8 ws, int sack_ok, int ts_on,
                      axip_u32 tsval, axip_u32 tsecr);
/* Options for a synchronized segment: timestamps and up to `nsack` SACK blocks. */
axip_u32 tcp_opts_data(axip_u8 *p, int ts_on, axip_u32 tsval, axip_u32 tsecr,
                       const struct tcp_range *sack, axip_u32 nsack);
/* Option bytes a synchronized segment of this connection carries. */
axip_u32 tcp_opts_len(const struct axip_tcp *c, axip_u32 nsack);

/* ---- tcp_reass.c ---- */
/* Queue an out-of-order segment (payload `p`, FIN flag); consumes p. */
void tcp_reass_insert(struct axip_tcp *c, struct axip_pkt *p, axip_u32 seq, axip_u32 len, int fin);
/* Take the queued data that continues at rcv_nxt: returns it as one sg
 * chain (bytes in *bytes) without advancing rcv_nxt; *fin is set when a
 * queued FIN became in order. */
struct axip_pkt *tcp_reass_pop(struct axip_tcp *c, axip_u32 *bytes, int *fin);
void tcp_reass_flush(struct axip_tcp *c);
/* Drop n bytes from the front of an sg chain, releasing emptied buffers;
 * returns the new head (NULL when nothing is left). */
struct axip_pkt *tcp_pkt_pull(struct axip_stack *s, struct axip_pkt *p, axip_u32 n);

/* ---- tcp_sack.c: the send-side SACK scoreboard (RFC 2018, RFC 6675 2) ---- */
/* Record the peer's SACK blocks; returns bytes newly SACKed. */
axip_u32 tcp_sack_update(struct axip_tcp *c, const struct tcp_opts *o);
/* Drop scoreboard ranges below snd_una. */
void tcp_sack_trim(struct axip_tcp *c);
void tcp_sack_clear(struct axip_tcp *c);
/* If seq is SACKed, the end of its range, else seq. */
axip_u32 tcp_sack_skip(const struct axip_tcp *c, axip_u32 seq);
/* Newly acknowledged [s, e): RACK notes the parts not SACKed before. */
void tcp_sack_note_acked(struct axip_tcp *c, axip_u32 s, axip_u32 e, const struct tcp_opts *o);

/* ---- tcp_recovery.c: loss recovery (RFC 6675 with RACK, RFC 6582) ---- */
/* RFC 6675 / RFC 6582 reaction to an ACK; `acked` new bytes, `dup` a
 * duplicate, `lost` buffers RACK newly marked lost. */
void tcp_recovery_on_ack(struct axip_tcp *c, axip_u32 acked, int dup, axip_u32 lost);
/* Enter fast recovery (RFC 6675 5 / RFC 6582 3.2) unless already in it. */
void tcp_enter_recovery(struct axip_tcp *c);
/* Retransmit from seq, at most to end and one segment; 1 if sent. */
int tcp_recovery_retransmit(struct axip_tcp *c, axip_u32 seq, axip_u32 end);
/* RFC 6675 5: send during SACK recovery while cwnd - pipe allows. */
void tcp_recovery_output(struct axip_tcp *c);

/* ---- tcp_sack_rcv.c: the receive-side SACK blocks (RFC 2018 4, RFC 2883) ---- */
/* Remember the block around [start, end) first (RFC 2018 4). */
void tcp_rsack_note(struct axip_tcp *c, axip_u32 start, axip_u32 end);
/* Drop blocks at or below rcv_nxt. */
void tcp_rsack_trim(struct axip_tcp *c);
/* [start, end) arrived twice; the next ACK reports it first (RFC 2883 4),
 * followed by the usual blocks. */
void tcp_rsack_dsack(struct axip_tcp *c, axip_u32 start, axip_u32 end);

/* ---- tcp_input.c ---- */
/* RFC 5961 7: send a challenge ACK unless the per-second budget is spent. */
void tcp_challenge_ack(struct axip_tcp *c);
/* An ICMP or ICMPv6 error about a live connection c (quoting sequence
 * number seq, checked here): lower the MSS to `mss` when mss is non-zero
 * (path MTU, RFC 1191 / RFC 8201), a hard error `hard` (1) while
 * connecting, else a soft error. */
void tcp_conn_icmp(struct axip_tcp *c, axip_u32 seq, axip_u32 mss, int hard);
/* Lower the connection's MSS (header bytes excluded) to mss: 1 if it was
 * larger (counted tcp_pmtu_update), else 0 and nothing changes. */
int tcp_mss_lower(struct axip_tcp *c, axip_u32 mss);

#endif
