/* SPDX-License-Identifier: MIT */
/*
 * TOU session identifiers (draft-herbert-transports-over-udp-01 §3): the
 * GUE flags S (a 64-bit source session id follows) and D (a 64-bit
 * destination session id). Their fields come after the security field of
 * authenticated GUE and before any other (flag order of
 * draft-ietf-intarea-gue-extensions-06); README, "Transports over UDP".
 */
#ifndef FOU_TOU_SESSION_H
#define FOU_TOU_SESSION_H

#include <stdint.h>

#include "fou/fou.h"

#define FOU_TOU_FLAG_S		0x0100	/* header bit 23: source session id */
#define FOU_TOU_FLAG_D		0x0080	/* header bit 24: destination session id */
#define FOU_TOU_FLAGS_SID	(FOU_TOU_FLAG_S | FOU_TOU_FLAG_D)
#define FOU_TOU_SID_LEN		8
#define FOU_TOU_SIDS_MAX	(2 * FOU_TOU_SID_LEN)	/* what S and D add at most */

struct fou_tou_sid {
	uint16_t flags;		/* FOU_TOU_FLAG_S, _D, both, or 0 */
	uint64_t src, dst;	/* the sender's id, the receiver's */
};

/*
 * The S and D bits of a UDP payload that is GUE variant 0 (0 otherwise),
 * and their ids wherever they are (after an HMAC security field, too).
 * Unauthenticated: for the lookup that picks the key, nothing more.
 */
int fou_tou_sid_peek(const struct fou_buf *b, struct fou_tou_sid *id);
/*
 * Inserts id's fields right after the first word of the GUE header at the
 * front of b, setting its flags and Hlen. 0, or -FOU_DROP_TOO_SHORT (no
 * headroom), -FOU_DROP_GUE_HLEN (Hlen would overflow).
 */
int fou_tou_sid_push(struct fou_buf *b, const struct fou_tou_sid *id);
/*
 * The inverse: reads the S and D fields that follow the first word and
 * removes them, leaving the rest of the header for fou_gue_pull(). Without
 * S or D, id->flags is 0 and b unchanged. -FOU_DROP_TOO_SHORT,
 * -FOU_DROP_GUE_HLEN (fields past Hlen), -FOU_DROP_GUE_VERSION.
 */
int fou_tou_sid_pull(struct fou_buf *b, struct fou_tou_sid *id);

#endif /* FOU_TOU_SESSION_H */
