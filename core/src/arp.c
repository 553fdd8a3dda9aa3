/* arp.c - placeholder until the ARP module lands */
#include "arp.h"
void arp_carve(struct axip_stack *s, struct carve *c) { (void)s; (void)c; }
void arp_input(struct axip_stack *s, struct axip_pkt *p) { axip_pkt_free(s, p); }
void arp_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 nexthop) { (void)nexthop; axip_pkt_free(s, p); }
void arp_announce(struct axip_stack *s) { (void)s; }
int axip_neigh_set(struct axip_stack *s, axip_u32 addr, const axip_u8 mac[6], int is_static) { (void)s; (void)addr; (void)mac; (void)is_static; return AXIP_E_NOMEM; }
int axip_neigh_get(struct axip_stack *s, axip_u32 addr, struct axip_neigh *out) { (void)s; (void)addr; (void)out; return AXIP_E_NOTFOUND; }
axip_u32 axip_neigh_list(struct axip_stack *s, struct axip_neigh *out, axip_u32 max) { (void)s; (void)out; (void)max; return 0; }
