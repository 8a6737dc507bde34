// SPDX-License-Identifier: MIT
/*
 * The wire form of TOU over DTLS: GUE proto/ctype 59 with the T flag and
 * its payload-transform word, then DTLS 1.2 records (RFC 6347 §4.1).
 */
#include "fou/tou_dtls.h"

#define DTLS_HS_CLIENT_HELLO	1

int fou_tou_dtls_push(struct fou_buf *b)
{
	uint8_t *h = fou_buf_push(b, FOU_TOU_DTLS_HLEN);

	if (!h)
		return -FOU_DROP_TOO_SHORT;
	h[0] = 1;			/* ver 0, C 0, Hlen 1 word */
	h[1] = FOU_GUE_PROTO_NONE;
	fou_put16(h + 2, FOU_GUE_FLAG_T);
	h[4] = FOU_TRANSFORM_DTLS;
	h[5] = FOU_PROTO_TCP;
	fou_put16(h + 6, 0);
	return 0;
}

/* Only the form we send: no other flag, no surplus, no control message. */
int fou_tou_dtls_pull(struct fou_buf *b)
{
	const uint8_t *h = fou_buf_data(b);

	if (b->len < FOU_TOU_DTLS_HLEN + FOU_DTLS_REC_HLEN)
		return -FOU_DROP_DTLS;
	if (h[0] != 1 || h[1] != FOU_GUE_PROTO_NONE || fou_get16(h + 2) != FOU_GUE_FLAG_T)
		return -FOU_DROP_DTLS;
	if (h[4] != FOU_TRANSFORM_DTLS || h[5] != FOU_PROTO_TCP)
		return -FOU_DROP_DTLS;
	fou_buf_pull(b, FOU_TOU_DTLS_HLEN);
	return 0;
}

size_t fou_dtls_rec_len(const uint8_t *p, size_t len)
{
	size_t n;

	if (len < FOU_DTLS_REC_HLEN)
		return 0;
	n = FOU_DTLS_REC_HLEN + fou_get16(p + 11);
	return n <= len ? n : 0;
}

/* Handshake header after the record's: msg_type(1), length(3), message_seq(2), ... */
bool fou_dtls_client_hello(const uint8_t *p, size_t len)
{
	return len > FOU_DTLS_REC_HLEN + 6 && p[0] == FOU_DTLS_CT_HANDSHAKE &&
	       fou_dtls_rec_epoch(p) == 0 && p[FOU_DTLS_REC_HLEN] == DTLS_HS_CLIENT_HELLO;
}
