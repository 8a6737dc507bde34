/* SPDX-License-Identifier: MIT */
/*
 * TOU with DTLS (draft-herbert-transports-over-udp §5): the GUE header of a
 * DTLS-protected TOU datagram and the DTLS 1.2 record headers behind it.
 * Pure codec; the DTLS itself is OpenSSL's, driven by foud (tou_dtls.c).
 *
 *   GUE  ver 0, C 0, Hlen 1, proto/ctype 59, flags T (0x0400, -06's bit)
 *   word Type 1 (DTLS) | Payload type 6 (TCP) | Info 0
 *   then one or more DTLS records (a handshake flight), or exactly one
 *   application-data record holding one TCP segment.
 */
#ifndef FOU_TOU_DTLS_H
#define FOU_TOU_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

#define FOU_GUE_FLAG_T		0x0400	/* payload transform (gue-extensions-06 §6) */
#define FOU_GUE_PROTO_NONE	59	/* IPv6-NoNxt: the real protocol is in the word */
#define FOU_TRANSFORM_DTLS	1
#define FOU_TOU_DTLS_HLEN	(FOU_GUE_HLEN + 4)	/* GUE + payload-transform word */

#define FOU_DTLS_REC_HLEN	13	/* type, version, epoch, sequence(48), length */
#define FOU_DTLS_CT_ALERT	21
#define FOU_DTLS_CT_HANDSHAKE	22
#define FOU_DTLS_CT_APPDATA	23
/* An AEAD record's growth: header, explicit nonce (GCM), tag. */
#define FOU_DTLS_OVERHEAD	(FOU_DTLS_REC_HLEN + 8 + 16)

/* Prepends the GUE header and the DTLS transform word for protocol 6. */
int fou_tou_dtls_push(struct fou_buf *b);
/* Strips them; anything else (plain TOU among it) is -FOU_DROP_DTLS. */
int fou_tou_dtls_pull(struct fou_buf *b);
/* The length of the whole record at p (header included), or 0 if it runs past len. */
size_t fou_dtls_rec_len(const uint8_t *p, size_t len);
/* The record's content type and epoch. */
static inline uint8_t fou_dtls_rec_type(const uint8_t *p)
{
	return p[0];
}
static inline uint16_t fou_dtls_rec_epoch(const uint8_t *p)
{
	return fou_get16(p + 3);
}
/* Whether the record at p (length checked) is an epoch-0 ClientHello, with a cookie or not. */
bool fou_dtls_client_hello(const uint8_t *p, size_t len);

#endif
