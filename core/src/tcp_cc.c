/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp_cc.c - congestion control algorithm by enum axip_tcp_cc. */
#include "tcp_cc.h"
#include "../include/axip/tcp.h"

const struct tcp_cc_ops *tcp_cc_get(axip_u32 id)
{
	switch (id) {
	case AXIP_TCP_CC_CUBIC:
		return &tcp_cc_cubic;
	case AXIP_TCP_CC_NEWRENO:
		return &tcp_cc_newreno;
	default:
		return AXIP_NULL;
	}
}
