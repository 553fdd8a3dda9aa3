/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc.c - the table of congestion control algorithms (TCP_CC_ALGORITHMS
 * in tcp_cc.h) and the switch between them.
 */
#include "tcp_cc.h"
#include "wire.h"

struct tcp_cc_entry {
	axip_u32 id;                 /* enum axip_tcp_cc */
	const struct tcp_cc_ops *ops;
};

#define TCP_CC_ENTRY(id, ops) {id, &ops},
static const struct tcp_cc_entry tcp_cc_table[] = {TCP_CC_ALGORITHMS(TCP_CC_ENTRY)};
#undef TCP_CC_ENTRY

const struct tcp_cc_ops *tcp_cc_get(axip_u32 id)
{
	axip_u32 i;
	for (i = 0; i < sizeof(tcp_cc_table) / sizeof(tcp_cc_table[0]); i++)
		if (tcp_cc_table[i].id == id)
			return tcp_cc_table[i].ops;
	return AXIP_NULL;
}

void tcp_cc_switch(struct tcp_cc_state *cc, const struct tcp_cc_ops **priv_owner,
                   const struct tcp_cc_ops *to)
{
	/* what another algorithm kept there means nothing to this one */
	if (to->priv_size && *priv_owner != to) {
		mem_zero(cc->priv, sizeof(cc->priv));
		*priv_owner = to;
	}
	if (to->on_switch)
		to->on_switch(cc);
}
