/* tcp_cc.c - placeholder until congestion control lands */
#include "tcp_cc.h"
const struct tcp_cc_ops *tcp_cc_get(axip_u32 id) { (void)id; return AXIP_NULL; }
