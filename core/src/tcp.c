/* tcp.c - placeholder until the TCP module lands */
#include "tcp.h"
void tcp_carve(struct axip_stack *s, struct carve *c) { (void)s; (void)c; }
void tcp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip) { (void)ip; axip_pkt_free(s, p); }
void tcp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e) { (void)s; (void)e; }
