/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim_frames.c - frame builders and a reference checksum for crafted-input tests.
 */
#include "sim.h"
#include <stdlib.h>
#include <string.h>

uint16_t sim_ref_csum(const void *data, size_t len, uint32_t initial)
{
	const uint8_t *p = data;
	uint64_t sum = initial;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t sim_build_ipv4(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                        uint32_t src, uint32_t dst, uint8_t proto, const void *l4, uint32_t l4_len)
{
	uint8_t *ip = out + 14;
	uint32_t tot = 20 + l4_len;
	uint16_t c;
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	out[12] = 0x08;
	out[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = (uint8_t)(src >> 24); ip[13] = (uint8_t)(src >> 16); ip[14] = (uint8_t)(src >> 8); ip[15] = (uint8_t)src;
	ip[16] = (uint8_t)(dst >> 24); ip[17] = (uint8_t)(dst >> 16); ip[18] = (uint8_t)(dst >> 8); ip[19] = (uint8_t)dst;
	c = sim_ref_csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	if (l4_len)
		memcpy(ip + 20, l4, l4_len);
	return 14 + tot;
}

uint32_t sim_build_tcp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                       uint32_t src, uint32_t dst, const struct sim_tcp_seg *seg)
{
	uint32_t hl = 20 + ((seg->optlen + 3) & ~3u), tlen = hl + seg->len, pseudo, n;
	uint8_t *tcp = calloc(1, tlen);
	uint16_t c;
	tcp[0] = (uint8_t)(seg->sport >> 8);
	tcp[1] = (uint8_t)seg->sport;
	tcp[2] = (uint8_t)(seg->dport >> 8);
	tcp[3] = (uint8_t)seg->dport;
	tcp[4] = (uint8_t)(seg->seq >> 24); tcp[5] = (uint8_t)(seg->seq >> 16);
	tcp[6] = (uint8_t)(seg->seq >> 8); tcp[7] = (uint8_t)seg->seq;
	tcp[8] = (uint8_t)(seg->ack >> 24); tcp[9] = (uint8_t)(seg->ack >> 16);
	tcp[10] = (uint8_t)(seg->ack >> 8); tcp[11] = (uint8_t)seg->ack;
	tcp[12] = (uint8_t)((hl / 4) << 4);
	tcp[13] = seg->flags;
	tcp[14] = (uint8_t)(seg->win >> 8);
	tcp[15] = (uint8_t)seg->win;
	if (seg->optlen)
		memcpy(tcp + 20, seg->opts, seg->optlen);
	if (seg->len)
		memcpy(tcp + hl, seg->payload, seg->len);
	/* RFC 9293 3.1 pseudo-header: src, dst, zero, protocol, TCP length */
	pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + tlen;
	c = sim_ref_csum(tcp, tlen, pseudo);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
	n = sim_build_ipv4(out, dst_mac, src_mac, src, dst, 6, tcp, tlen);
	free(tcp);
	return n;
}

void sim_host_mac(uint32_t host, uint8_t mac[6])
{
	memset(mac, 0, 6);
	mac[0] = 0x02;
	mac[5] = (uint8_t)(host + 1);
}

uint32_t sim_host_ip(uint32_t host)
{
	return AXIP_IP4(10, 0, 0, host + 1);
}

uint32_t sim_build_icmp_echo(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                             uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
                             const void *payload, uint32_t len)
{
	uint8_t *icmp = malloc(8 + len);
	uint16_t c;
	uint32_t n;
	icmp[0] = 8;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	icmp[4] = (uint8_t)(id >> 8);
	icmp[5] = (uint8_t)id;
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	if (len)
		memcpy(icmp + 8, payload, len);
	c = sim_ref_csum(icmp, 8 + len, 0);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	n = sim_build_ipv4(out, dst_mac, src_mac, src, dst, 1, icmp, 8 + len);
	free(icmp);
	return n;
}

uint32_t sim_build_udp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                       uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                       const void *payload, uint32_t len, int with_csum)
{
	uint8_t *udp = malloc(8 + len);
	uint32_t ulen = 8 + len, pseudo, n;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	if (len)
		memcpy(udp + 8, payload, len);
	if (with_csum) {
		uint16_t c;
		/* RFC 768 pseudo-header: src, dst, zero, protocol, UDP length */
		pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + ulen;
		c = sim_ref_csum(udp, ulen, pseudo);
		if (c == 0)
			c = 0xffff;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
	n = sim_build_ipv4(out, dst_mac, src_mac, src, dst, 17, udp, ulen);
	free(udp);
	return n;
}
