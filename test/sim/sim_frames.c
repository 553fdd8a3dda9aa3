/*
 * sim_frames.c - frame builders and a reference checksum for crafted-input tests.
 */
#include "sim.h"
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
