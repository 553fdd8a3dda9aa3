/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/axip.h - everything an embedder needs: include this one header.
 */
#ifndef AXIP_AXIP_H
#define AXIP_AXIP_H

#include "types.h"
#include "pkt.h"
#include "env.h"
#include "counters.h"
#include "stack.h"
#include "ipv6.h"
#include "udp.h"
#include "tcp.h"
#include "sock.h"

#endif
