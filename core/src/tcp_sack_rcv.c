/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_sack_rcv.c - the receive side of SACK: the blocks this end reports
 * (RFC 2018 4: the one holding the newest segment first), kept in
 * c->rsack by the out-of-order queue (tcp_reass.c) and input, and the
 * duplicate reported once in front of them (D-SACK, RFC 2883). The ACK
 * builder (tcp_output.c fill_hdr) writes them.
 */
#include "tcp_internal.h"

void tcp_rsack_note(struct axip_tcp *c, axip_u32 start, axip_u32 end)
{
	axip_u32 i, n = 0;
	struct tcp_range keep[TCP_RSACK_BLOCKS];
	for (i = 0; i < c->n_rsack; i++) {
		/* blocks now inside the new one are reported through it */
		if (SEQ_GEQ(c->rsack[i].start, start) && SEQ_LEQ(c->rsack[i].end, end))
			continue;
		if (SEQ_LT(c->rsack[i].start, end) && SEQ_GT(c->rsack[i].end, start))
			continue;
		if (n < TCP_RSACK_BLOCKS - 1u)
			keep[n++] = c->rsack[i];
	}
	c->rsack[0].start = start;
	c->rsack[0].end = end;
	for (i = 0; i < n; i++)
		c->rsack[i + 1u] = keep[i];
	c->n_rsack = n + 1u;
}

void tcp_rsack_dsack(struct axip_tcp *c, axip_u32 start, axip_u32 end)
{
	if (!(c->flags & TF_SACK))
		return;
	c->dsack.start = start;
	c->dsack.end = end;
	c->flags |= TF_DSACK_TX;
}

void tcp_rsack_trim(struct axip_tcp *c)
{
	axip_u32 i, n = 0;
	for (i = 0; i < c->n_rsack; i++) {
		if (SEQ_LEQ(c->rsack[i].end, c->rcv_nxt))
			continue;
		c->rsack[n] = c->rsack[i];
		if (SEQ_LT(c->rsack[n].start, c->rcv_nxt))
			c->rsack[n].start = c->rcv_nxt;
		n++;
	}
	c->n_rsack = n;
}
