/* ipv4.c - placeholder until the IPv4 module lands */
#include "ipv4.h"
void ipv4_carve(struct axip_stack *s, struct carve *c) { (void)s; (void)c; }
void ipv4_input(struct axip_stack *s, struct axip_pkt *p) { axip_pkt_free(s, p); }
int ipv4_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 src, axip_u32 dst, axip_u8 proto, axip_u32 flags) { (void)src; (void)dst; (void)proto; (void)flags; axip_pkt_free(s, p); return AXIP_E_UNREACH; }
int ipv4_route(const struct axip_stack *s, axip_u32 dst, axip_u32 *nexthop, axip_u32 *src) { (void)s; (void)dst; (void)nexthop; (void)src; return AXIP_E_UNREACH; }
int ipv4_is_local(const struct axip_stack *s, axip_u32 addr) { (void)s; (void)addr; return 0; }
int ipv4_is_broadcast(const struct axip_stack *s, axip_u32 addr) { (void)s; (void)addr; return 0; }
