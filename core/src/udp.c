/* udp.c - placeholder until the UDP module lands */
#include "udp.h"
#include "../include/axip/udp.h"
void udp_carve(struct axip_stack *s, struct carve *c) { (void)s; (void)c; }
void udp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip) { (void)ip; axip_pkt_free(s, p); }
void udp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e) { (void)s; (void)e; }
