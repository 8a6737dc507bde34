/* SPDX-License-Identifier: MIT */
/*
 * TOU session ids (tou_session.c): what tou.c calls on its send and receive
 * paths. A session is one TCP connection to or from a TOU peer, named by a
 * 64-bit id each side picks at random for what it receives.
 */
#ifndef FOUD_TOU_SESSION_H
#define FOUD_TOU_SESSION_H

#include "foud.h"
#include "rx.h"

struct foud_tou_sess;

/*
 * Send: the session of the TCP packet pkt (ip parsed) towards p, made for
 * a SYN; NULL: it goes without ids (no session, or a SYN retransmitted
 * plain for a peer that may not know them).
 */
struct foud_tou_sess *foud_tou_sess_tx(struct foud *d, struct foud_tou_peer *p,
				       const uint8_t *pkt, const struct fou_ip *ip);
/* After fou_tou_encap(): the ids this session's state calls for. */
int foud_tou_sess_push(struct foud_tou_sess *s, struct fou_buf *b);
/* Where the session's datagrams go: the address and port last learned. */
struct sockaddr_storage *foud_tou_sess_dst(struct foud_tou_sess *s, socklen_t *len);

/* Receive: whether a datagram carries session ids (S or D). */
bool foud_tou_sess_is(const struct fou_buf *b);
/*
 * A datagram with ids, from m, on the TOU socket sock; apeer is the peer
 * its source address names (NULL: none). Looks the session up by its D
 * id (or, S alone, by apeer and the connection), authenticates it with
 * the peer's key, learns the peer's address and port, and leaves b the
 * TCP packet with the IP header of the session's connection. *pp: the
 * peer, once known. *proven: D matched (not S alone). 0 or -FOU_DROP_*.
 */
int foud_tou_sess_rx(struct foud *d, struct foud_tou_sock *sock, struct foud_tou_peer *apeer,
		     struct fou_buf *b, const struct foud_rxmeta *m, struct foud_tou_peer **pp,
		     bool *proven);
/*
 * A plain datagram from p carrying TCP packet b (IP header rebuilt): a
 * session of ours still waiting for the peer's id is answered without
 * one, so the peer does not use them; the connection goes on plain.
 */
void foud_tou_sess_plain(struct foud *d, const struct foud_tou_peer *p, const struct fou_buf *b);

void foud_tou_sess_forget(struct foud *d, const struct foud_tou_peer *p);
void foud_tou_sess_free_all(struct foud *d);
void foud_tou_sess_show(struct foud *d, struct foud_pr *pr);

#endif
