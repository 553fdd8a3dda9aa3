/* icmp.c - placeholder until the ICMP module lands */
#include "icmp.h"
void icmp_carve(struct axip_stack *s, struct carve *c) { (void)s; (void)c; }
void icmp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip) { (void)ip; axip_pkt_free(s, p); }
void icmp_send_error(struct axip_stack *s, const struct axip_pkt *orig, const struct ipv4_rx_info *ip, axip_u8 type, axip_u8 code, axip_u16 mtu) { (void)s; (void)orig; (void)ip; (void)type; (void)code; (void)mtu; }
