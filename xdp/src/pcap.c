/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcap.c - a pcap file of what the stack receives and sends (tcpdump on the
 * interface cannot see frames the XDP program redirects). Classic libpcap
 * format, microsecond timestamps, LINKTYPE_ETHERNET; shared by all workers
 * under one mutex (a debugging aid, not a fast path).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "xdp_internal.h"
#include "util.h"

struct pcap_out {
	FILE *f;
	pthread_mutex_t lock;
	uint8_t buf[65536 + 64];
};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, usec, caplen, len;
};

struct pcap_out *pcap_out_open(const char *path, char *err, size_t errlen)
{
	struct pcap_file_hdr h = { 0xa1b2c3d4u, 2, 4, 0, 0, 65535, 1 };
	struct pcap_out *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->f = fopen(path, "wb");
	if (!p->f || fwrite(&h, sizeof h, 1, p->f) != 1) {
		xerr(err, errlen, "cannot write pcap file %s: %s", path, strerror(errno));
		if (p->f)
			fclose(p->f);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

static void write_locked(struct pcap_out *p, const uint8_t *data, uint32_t len)
{
	struct timeval tv;
	struct pcap_rec_hdr r;
	gettimeofday(&tv, NULL);
	r.sec = (uint32_t)tv.tv_sec;
	r.usec = (uint32_t)tv.tv_usec;
	r.len = len;
	r.caplen = len > 65535 ? 65535 : len;
	if (fwrite(&r, sizeof r, 1, p->f) != 1 || fwrite(data, 1, r.caplen, p->f) != r.caplen)
		clearerr(p->f); /* a full disk loses records, not the stack */
}

void pcap_out_write(struct pcap_out *p, const uint8_t *data, uint32_t len)
{
	pthread_mutex_lock(&p->lock);
	write_locked(p, data, len);
	pthread_mutex_unlock(&p->lock);
}

void pcap_out_write_pkt(struct pcap_out *p, const struct axip_pkt *pkt)
{
	uint32_t n;
	pthread_mutex_lock(&p->lock);
	n = axip_pkt_copy_out(pkt, 0, p->buf, sizeof p->buf);
	write_locked(p, p->buf, n);
	pthread_mutex_unlock(&p->lock);
}

void pcap_out_write_frames(struct pcap_out *p, const struct axip_rx_frame *f, uint32_t n)
{
	uint32_t i, len = 0;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < n; i++) {
		uint32_t k = f[i].len < sizeof p->buf - len ? f[i].len : (uint32_t)sizeof p->buf - len;
		memcpy(p->buf + len, f[i].data, k);
		len += k;
		if (!(f[i].flags & AXIP_RX_MORE)) {
			write_locked(p, p->buf, len);
			len = 0;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

void pcap_out_close(struct pcap_out *p)
{
	if (!p)
		return;
	fclose(p->f);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
