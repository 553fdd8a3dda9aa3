/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_options.c - TCP option parsing and emission: MSS (RFC 9293 3.2),
 * window scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018).
 */
#include "tcp_internal.h"
#include "wire.h"

#define OPT_EOL 0u
#define OPT_NOP 1u
#define OPT_MSS 2u
#define OPT_WS 3u
#define OPT_SACK_OK 4u
#define OPT_SACK 5u
#define OPT_TS 8u

void tcp_opts_parse(struct axip_stack *s, const axip_u8 *p, axip_u32 len, int syn,
                    struct tcp_opts *o)
{
	axip_u32 i = 0;
	o->have = 0;
	o->nsack = 0;
	while (i < len) {
		axip_u8 kind = p[i];
		axip_u32 olen;
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 3.1: every other option has a length byte; a length
		 * below 2 or past the header ends parsing (RFC 9293 3.2 MUST be
		 * robust against illegal option lengths) */
		if (i + 1u >= len || p[i + 1] < 2u || i + p[i + 1] > len) {
			o->have |= TCPO_BAD;
			CTR_INC(s, tcp_rx_bad_opt);
			break;
		}
		olen = p[i + 1];
		switch (kind) {
		case OPT_MSS:
			/* only meaningful on SYN (RFC 9293 3.7.1) */
			if (olen == 4u && syn) {
				o->mss = load_be16(p + i + 2);
				o->have |= TCPO_MSS;
			}
			break;
		case OPT_WS:
			if (olen == 3u && syn) {
				o->ws = p[i + 2];
				o->have |= TCPO_WS;
			}
			break;
		case OPT_SACK_OK:
			if (olen == 2u && syn)
				o->have |= TCPO_SACK_OK;
			break;
		case OPT_SACK:
			if (olen >= 10u && ((olen - 2u) & 7u) == 0) {
				axip_u32 n = (olen - 2u) >> 3, k;
				for (k = 0; k < n && o->nsack < 4u; k++) {
					o->sack[o->nsack][0] = load_be32(p + i + 2 + 8u * k);
					o->sack[o->nsack][1] = load_be32(p + i + 6 + 8u * k);
					o->nsack++;
				}
			}
			break;
		case OPT_TS:
			if (olen == 10u) {
				o->tsval = load_be32(p + i + 2);
				o->tsecr = load_be32(p + i + 6);
				o->have |= TCPO_TS;
			}
			break;
		default:
			break; /* unknown options are skipped by length */
		}
		i += olen;
	}
}

static axip_u32 put_ts(axip_u8 *p, axip_u32 tsval, axip_u32 tsecr)
{
	p[0] = OPT_TS;
	p[1] = 10;
	store_be32(p + 2, tsval);
	store_be32(p + 6, tsecr);
	return 10;
}

axip_u32 tcp_opts_syn(axip_u8 *p, axip_u16 mss, int ws_on, axip_u8 ws, int sack_ok, int ts_on,
                      axip_u32 tsval, axip_u32 tsecr)
{
	axip_u32 n = 0;
	p[n++] = OPT_MSS;
	p[n++] = 4;
	store_be16(p + n, mss);
	n += 2;
	if (ts_on) {
		if (sack_ok) {
			p[n++] = OPT_SACK_OK;
			p[n++] = 2;
		} else {
			p[n++] = OPT_NOP;
			p[n++] = OPT_NOP;
		}
		n += put_ts(p + n, tsval, tsecr);
	} else if (sack_ok) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_SACK_OK;
		p[n++] = 2;
	}
	if (ws_on) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_WS;
		p[n++] = 3;
		p[n++] = ws;
	}
	return n;
}

axip_u32 tcp_opts_data(axip_u8 *p, int ts_on, axip_u32 tsval, axip_u32 tsecr,
                       const struct tcp_range *sack, axip_u32 nsack)
{
	axip_u32 n = 0, k;
	if (ts_on) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		n += put_ts(p + n, tsval, tsecr);
	}
	if (nsack) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_SACK;
		p[n++] = (axip_u8)(2u + 8u * nsack);
		for (k = 0; k < nsack; k++) {
			store_be32(p + n, sack[k].start);
			store_be32(p + n + 4, sack[k].end);
			n += 8;
		}
	}
	return n;
}

axip_u32 tcp_opts_len(const struct axip_tcp *c, axip_u32 nsack)
{
	axip_u32 n = (c->flags & TF_TS) ? 12u : 0;
	if (nsack)
		n += 4u + 8u * nsack;
	return n;
}
