/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-sim-demo - two axip instances on the simulated link, step by step:
 * gratuitous ARP, ARP resolution, ping, UDP echo (small and fragmented).
 * Prints what happened with the counters that show it; exits 0 only if
 * every step worked.
 *
 *   axip-sim-demo [--loss PCT] [--seed N] [--pcap FILE]
 */
#include "sim.h"
#include "cli_opt.h"
#include "stack_internal.h"
#include "ipv4.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)
#define MAX_TRIES 20       /* pings */
#define MAX_UDP_TRIES 100  /* UDP sends of one datagram */
#define FRAG_TIMEOUT_MS 1000

static int failures;

static void step_result(int ok, const char *what)
{
	printf("  => %s: %s\n\n", what, ok ? "OK" : "FAILED");
	if (!ok)
		failures++;
}

static const char *ip_str(uint32_t a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 255),
	        (unsigned)(a >> 8 & 255), (unsigned)(a & 255));
	return buf;
}

static double us(axip_time_ns t)
{
	return (double)t / 1000.0;
}

/* ---- what the wire shows: an RX observer printing ARP and ICMP ---- */

struct watch {
	int verbose;
	uint32_t arp_announce, echo_replies;
	uint16_t reply_seq;
	axip_time_ns reply_time;
};

static void rx_watch(void *arg, uint32_t to, const uint8_t *f, uint32_t len, axip_time_ns t)
{
	struct watch *w = arg;
	char a[16], b[16];
	if (len >= 42 && load_be16(f + 12) == ETH_TYPE_ARP) {
		uint16_t op = load_be16(f + 14 + ARP_OFF_OP);
		uint32_t spa = load_be32(f + 14 + ARP_OFF_SPA), tpa = load_be32(f + 14 + ARP_OFF_TPA);
		if (op == ARP_OP_REQUEST && spa == tpa) {
			w->arp_announce++;
			printf("  [%9.1f us] host %u hears: ARP announcement %s is-at %02x:%02x:%02x:%02x:%02x:%02x\n",
			       us(t), (unsigned)to, ip_str(spa, a), f[22], f[23], f[24], f[25], f[26], f[27]);
		} else if (op == ARP_OP_REQUEST) {
			printf("  [%9.1f us] host %u hears: ARP who-has %s tell %s\n", us(t), (unsigned)to,
			       ip_str(tpa, a), ip_str(spa, b));
		} else if (op == ARP_OP_REPLY) {
			printf("  [%9.1f us] host %u hears: ARP reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x\n",
			       us(t), (unsigned)to, ip_str(spa, a), f[22], f[23], f[24], f[25], f[26], f[27]);
		}
	} else if (len >= 42 && load_be16(f + 12) == ETH_TYPE_IPV4 && f[23] == IP_PROTO_ICMP) {
		uint32_t ihl = (uint32_t)(f[14] & 15) * 4;
		const uint8_t *ic = f + 14 + ihl;
		if (14 + ihl + 8 > len)
			return;
		printf("  [%9.1f us] host %u hears: ICMP %s from %s seq %u\n", us(t), (unsigned)to,
		       ic[0] == ICMP_ECHO_REQUEST ? "echo request" :
		       ic[0] == ICMP_ECHO_REPLY ? "echo reply" : "message",
		       ip_str(load_be32(f + 26), a), (unsigned)load_be16(ic + 6));
		if (ic[0] == ICMP_ECHO_REPLY && to == 0) {
			w->echo_replies++;
			w->reply_seq = load_be16(ic + 6);
			w->reply_time = t;
		}
	} else if (w->verbose && len >= 34 && load_be16(f + 12) == ETH_TYPE_IPV4) {
		uint16_t frag = load_be16(f + 20);
		printf("  [%9.1f us] host %u hears: IPv4 %s -> %s proto %u, %u bytes%s\n", us(t),
		       (unsigned)to, ip_str(load_be32(f + 26), a), ip_str(load_be32(f + 30), b),
		       (unsigned)f[23], (unsigned)len,
		       (frag & (IP_FLAG_MF | IP_FRAG_MASK)) ? " (fragment)" : "");
	}
}

/* ---- ping: an ICMP echo request sent through host 0's IPv4 layer ---- */

static int ping(struct sim *sim, struct watch *w, uint16_t seq)
{
	struct axip_stack *s0 = sim_stack(sim, 0);
	struct axip_pkt *p = axip_pkt_alloc(s0, AXIP_PKT_HEADROOM);
	uint8_t *ic;
	uint32_t i;
	uint16_t c;
	axip_time_ns t0 = sim_now(sim);
	int rc;
	if (!p)
		return 0;
	ic = p->data;
	ic[0] = ICMP_ECHO_REQUEST;
	ic[1] = 0;
	store_be16(ic + 2, 0);
	store_be16(ic + 4, 0xa51b);
	store_be16(ic + 6, seq);
	for (i = 0; i < 56; i++)
		ic[8 + i] = (uint8_t)i;
	c = sim_ref_csum(ic, 64, 0);
	store_be16(ic + 2, c);
	p->len = 64;
	p->tailroom -= 64;
	printf("  host 0 sends ICMP echo request seq %u to 10.0.0.2\n", (unsigned)seq);
	rc = ipv4_output(s0, p, 0, H1, IP_PROTO_ICMP, 0);
	if (rc != AXIP_OK) {
		printf("  ipv4_output: %s\n", axip_strerror(rc));
		return 0;
	}
	axip_flush(s0);
	w->echo_replies = 0;
	/* ARP may need its 1 s retry when a frame is lost */
	sim_run(sim, AXIP_MS(1500));
	if (w->echo_replies && w->reply_seq == seq) {
		printf("  echo reply seq %u after %.1f us\n", (unsigned)seq, us(w->reply_time - t0));
		return 1;
	}
	printf("  no reply to seq %u\n", (unsigned)seq);
	return 0;
}

/* ---- UDP echo ---- */

struct client {
	struct axip_stack *s;
	const uint8_t *expect;
	uint32_t len;
	int done;
};

static void client_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	struct client *c = arg;
	static uint8_t got[65536];
	uint32_t len = axip_pkt_chain_len(p);
	uint32_t segs = 0;
	struct axip_pkt *q;
	char a[16];
	(void)sock;
	for (q = p; q; q = q->sg_next)
		segs++;
	axip_pkt_copy_out(p, 0, got, len);
	printf("  host 0 port %u receives %u bytes from %s:%u (%u buffer%s)\n", (unsigned)m->dst_port,
	       (unsigned)len, ip_str(m->src_addr, a), (unsigned)m->src_port, (unsigned)segs,
	       segs == 1 ? "" : "s, reassembled zero-copy");
	if (len == c->len && memcmp(got, c->expect, len) == 0)
		c->done = 1;
	axip_pkt_free(c->s, p);
}

static void echo_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	char a[16];
	(void)arg;
	printf("  host 1 port 7 echoes %u bytes back to %s:%u\n", (unsigned)axip_pkt_chain_len(p),
	       ip_str(m->src_addr, a), (unsigned)m->src_port);
	axip_udp_send_pkt(sock, m->src_addr, m->src_port, p);
}

static int client_done(void *arg)
{
	return ((struct client *)arg)->done;
}

static int udp_echo(struct sim *sim, struct axip_udp *cu, struct client *c, uint32_t len)
{
	static uint8_t buf[65536];
	uint32_t i, t;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + len);
	c->expect = buf;
	c->len = len;
	c->done = 0;
	for (t = 0; t < MAX_UDP_TRIES && !c->done; t++) {
		int rc;
		printf("  host 0 sends %u bytes to 10.0.0.2:7%s\n", (unsigned)len, t ? " (retry)" : "");
		rc = axip_udp_sendto(cu, H1, 7, buf, len);
		if (rc != AXIP_OK) {
			printf("  sendto: %s\n", axip_strerror(rc));
			return 0;
		}
		/* the first try may wait for ARP and its 1 s retry */
		sim_run_until(sim, client_done, c, t == 0 ? AXIP_MS(1500) : AXIP_MS(200));
	}
	return c->done;
}

/* ---- counters ---- */

struct ctr_row {
	const char *name;
	uint64_t v[2];
};

struct ctr_table {
	struct ctr_row rows[256];
	uint32_t n, host;
};

static void collect(const char *name, axip_u64 value, void *arg)
{
	struct ctr_table *t = arg;
	uint32_t i;
	for (i = 0; i < t->n; i++)
		if (t->rows[i].name == name || strcmp(t->rows[i].name, name) == 0)
			break;
	if (i == t->n) {
		if (t->n == 256)
			return;
		t->rows[t->n].name = name;
		t->rows[t->n].v[0] = t->rows[t->n].v[1] = 0;
		t->n++;
	}
	t->rows[i].v[t->host] = value;
}

static void print_counters(struct sim *sim)
{
	struct ctr_table t;
	uint32_t i;
	memset(&t, 0, sizeof(t));
	for (t.host = 0; t.host < 2; t.host++)
		axip_counters_foreach(sim_stack(sim, t.host), collect, &t);
	printf("  %-26s %12s %12s\n", "counter (non-zero)", "host 0", "host 1");
	for (i = 0; i < t.n; i++)
		if (t.rows[i].v[0] || t.rows[i].v[1])
			printf("  %-26s %12llu %12llu\n", t.rows[i].name, (unsigned long long)t.rows[i].v[0],
			       (unsigned long long)t.rows[i].v[1]);
}

/* Datagrams that lost a fragment give their reassembly slot back after
 * 1 s instead of 30 s, so retries under loss find free slots. */
static void demo_cfg(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->frag_timeout_ns = AXIP_MS(FRAG_TIMEOUT_MS);
}

static void usage(const char *prog)
{
	printf("usage: %s [--loss PCT] [--seed N] [--pcap FILE] [--verbose] | --version\n"
	       "Two axip instances on a simulated Ethernet link: gratuitous ARP, ARP\n"
	       "resolution, ping, UDP echo (small and fragmented). Exits 0 only if\n"
	       "every step worked.\n"
	       "  --loss PCT   drop PCT %% of frames (0..50, default 0)\n"
	       "  --seed N     seed of the simulation's random choices (default 1)\n"
	       "  --pcap FILE  write every frame on the wire to FILE\n"
	       "  --verbose    also print every IPv4 frame delivered\n",
	       prog);
}

int main(int argc, char **argv)
{
	struct sim_params p;
	struct sim *sim;
	struct watch w;
	struct axip_neigh ne;
	struct axip_udp *cu, *eu;
	struct client c;
	const char *pcap = NULL;
	uint32_t loss = 0, b0, b1;
	int i, ok;
	uint16_t seq;

	memset(&p, 0, sizeof(p));
	memset(&w, 0, sizeof(w));
	p.seed = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			cli_version("axip-sim-demo");
			return 0;
		} else if (!strcmp(argv[i], "--loss") && i + 1 < argc) {
			loss = (uint32_t)cli_uint_arg("axip-sim-demo", "loss percentage (0..50)", argv[++i], 0, 50);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			p.seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
			pcap = argv[++i];
		} else if (!strcmp(argv[i], "--verbose")) {
			w.verbose = 1;
		} else {
			fprintf(stderr, "axip-sim-demo: %s '%s' (see --help)\n",
			        argv[i][0] == '-' ? "unrecognized option or missing value" : "unexpected argument",
			        argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	p.impair.drop_ppm = loss * 10000u;
	p.cfg_hook = demo_cfg;

	printf("axip simulated-link demo: seed %llu, loss %u %%, one-way delay 10 us, "
	       "reassembly timeout %u ms\n",
	       (unsigned long long)p.seed, (unsigned)loss, (unsigned)FRAG_TIMEOUT_MS);
	printf("  host 0: 02:00:00:00:00:01 10.0.0.1/24    host 1: 02:00:00:00:00:02 10.0.0.2/24\n\n");
	sim = sim_new(&p);
	sim_set_rx_tap(sim, rx_watch, &w);
	if (pcap && sim_pcap_open(sim, pcap) != 0) {
		fprintf(stderr, "cannot open %s\n", pcap);
		return 2;
	}

	printf("1. Gratuitous ARP: each host announces its address at start (RFC 5227)\n");
	sim_run(sim, AXIP_MS(1));
	printf("  arp_tx_request: host 0 %llu, host 1 %llu\n",
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->arp_tx_request,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->arp_tx_request);
	step_result(axip_counters(sim_stack(sim, 0))->arp_tx_request >= 1 &&
	                axip_counters(sim_stack(sim, 1))->arp_tx_request >= 1 &&
	                (loss > 0 || w.arp_announce == 2),
	            "gratuitous ARP");
	b0 = sim_bufs_in_use(sim, 0);
	b1 = sim_bufs_in_use(sim, 1);

	printf("2. ARP resolution and ping: host 0 pings 10.0.0.2, resolving it first (RFC 826, RFC 792)\n");
	printf("  host 0 neighbour 10.0.0.2 before: %s\n",
	       axip_neigh_get(sim_stack(sim, 0), H1, &ne) == AXIP_OK ? "known" : "unknown");
	ok = 0;
	for (seq = 1; seq <= MAX_TRIES && !ok; seq++)
		ok = ping(sim, &w, seq);
	if (axip_neigh_get(sim_stack(sim, 0), H1, &ne) == AXIP_OK) {
		printf("  host 0 neighbour 10.0.0.2 after: %02x:%02x:%02x:%02x:%02x:%02x (%s)\n", ne.mac[0],
		       ne.mac[1], ne.mac[2], ne.mac[3], ne.mac[4], ne.mac[5],
		       ne.state == AXIP_NEIGH_REACHABLE ? "reachable" : "not reachable");
	} else {
		printf("  host 0 neighbour 10.0.0.2 after: unknown\n");
		ok = 0;
	}
	printf("  host 0: arp_tx_request %llu arp_rx_reply %llu | host 1: arp_rx_request %llu "
	       "arp_tx_reply %llu icmp_rx_echo %llu icmp_tx_echo_reply %llu\n",
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->arp_tx_request,
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->arp_rx_reply,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->arp_rx_request,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->arp_tx_reply,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->icmp_rx_echo,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->icmp_tx_echo_reply);
	step_result(ok && axip_counters(sim_stack(sim, 0))->arp_rx_reply >= 1, "ARP resolution and ping");

	printf("3. UDP echo: host 1 echoes on port 7, host 0 sends from port 5000 (RFC 768)\n");
	memset(&c, 0, sizeof(c));
	c.s = sim_stack(sim, 0);
	if (axip_udp_open(sim_stack(sim, 0), 0, 5000, client_cb, &c, &cu) != AXIP_OK ||
	    axip_udp_open(sim_stack(sim, 1), 0, 7, echo_cb, NULL, &eu) != AXIP_OK) {
		printf("  cannot open UDP sockets\n");
		return 1;
	}
	ok = udp_echo(sim, cu, &c, 32);
	printf("  udp_tx: host 0 %llu, host 1 %llu; udp_rx: host 0 %llu, host 1 %llu\n",
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->udp_tx,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->udp_tx,
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->udp_rx,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->udp_rx);
	step_result(ok, "small UDP echo");

	printf("4. Fragmented UDP echo: 8000 bytes over a 1500-byte MTU (RFC 791 fragmentation)\n");
	ok = udp_echo(sim, cu, &c, 8000);
	printf("  ip_frag_tx: host 0 %llu, host 1 %llu; ip_frag_reassembled: host 0 %llu, host 1 %llu\n",
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->ip_frag_tx,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->ip_frag_tx,
	       (unsigned long long)axip_counters(sim_stack(sim, 0))->ip_frag_reassembled,
	       (unsigned long long)axip_counters(sim_stack(sim, 1))->ip_frag_reassembled);
	step_result(ok && axip_counters(sim_stack(sim, 1))->ip_frag_reassembled >= 1 &&
	                axip_counters(sim_stack(sim, 0))->ip_frag_reassembled >= 1,
	            "fragmented UDP echo");

	printf("5. Clean-up: sockets closed, timers run out, every buffer returned\n");
	axip_udp_close(cu);
	axip_udp_close(eu);
	/* incomplete reassemblies (lost fragments) time out */
	sim_run(sim, AXIP_MS(FRAG_TIMEOUT_MS) + AXIP_SEC(1));
	printf("  buffers in use: host 0 %u (baseline %u), host 1 %u (baseline %u)\n",
	       (unsigned)sim_bufs_in_use(sim, 0), (unsigned)b0, (unsigned)sim_bufs_in_use(sim, 1),
	       (unsigned)b1);
	step_result(sim_bufs_in_use(sim, 0) == b0 && sim_bufs_in_use(sim, 1) == b1, "buffers returned");

	{
		struct sim_stats st;
		sim_get_stats(sim, &st);
		printf("Wire: %llu frames sent, %llu delivered, %llu dropped; virtual time %.3f s\n",
		       (unsigned long long)st.frames_tx, (unsigned long long)st.frames_delivered,
		       (unsigned long long)st.dropped, (double)sim_now(sim) / 1e9);
	}
	print_counters(sim);
	sim_free(sim);
	printf("\n%s\n", failures ? "SOME STEPS FAILED" : "ALL STEPS OK");
	return failures ? 1 : 0;
}
