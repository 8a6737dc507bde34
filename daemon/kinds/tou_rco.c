/* SPDX-License-Identifier: MIT */
/*
 * TOU datagrams with remote checksum offload (`remcsum` at the sender),
 * received as port.c receives the IP tunnels' RCO: under an outer UDP
 * checksum the kernel verified (csum.c's socket pair), the TCP checksum
 * goes to tou0 partial, so neither foud nor the stack sums the payload;
 * under a zero one nothing would vouch for the payload, so it is refused
 * (foud and Linux always send RCO with a checksum). A kernel that cannot
 * tell them apart (no pair) leaves foud completing it, as before.
 */
#include "tou_rco.h"

int foud_tou_rx_decap(struct foud *d, const struct foud_tou_peer *p, struct fou_buf *b,
		      const struct fou_tou_info *info, const struct foud_rxmeta *m)
{
	if (m->verified)
		return fou_tou_decap_partial(b, info, &d->rx_partial);
	if (p->sock->pair.vev.fd >= 0 && fou_gue_has_rco(b))
		return -FOU_DROP_REMCSUM_NOCSUM;
	return fou_tou_decap(b, info);
}

/* A partial checksum cannot be checked; the verified outer one stood for it. */
bool foud_tou_rx_csum_ok(const struct foud *d, const struct fou_buf *b,
			 const struct fou_tou_info *info)
{
	return d->rx_partial || fou_tou_csum_ok(b, info);
}
