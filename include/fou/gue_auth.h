/* SPDX-License-Identifier: MIT */
/*
 * Authenticated GUE: the HMAC form of the security extension of
 * draft-ietf-intarea-gue-extensions-06 §4 (SEC = 100, a 40-byte field),
 * followed by a 64-bit sequence number in the surplus space, which the
 * HMAC covers. Layout and choices: README, "Authenticated GUE".
 */
#ifndef FOU_GUE_AUTH_H
#define FOU_GUE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

#define FOU_GUE_FLAG_SEC_MASK	0x7000	/* the 3-bit SEC field of the flags */
#define FOU_GUE_FLAG_SEC_HMAC	0x4000	/* SEC = 100: the 40-byte HMAC form */
#define FOU_GUE_SEC_HMAC_LEN	40	/* key id, payload offset and length, HMAC */
#define FOU_GUE_AUTH_SEQ_LEN	8
/* What authentication adds to the 4-byte base header (Hlen 12). */
#define FOU_GUE_AUTH_LEN	(FOU_GUE_SEC_HMAC_LEN + FOU_GUE_AUTH_SEQ_LEN)
#define FOU_GUE_AUTH_KEYLEN	32	/* HMAC-SHA256 key */
#define FOU_GUE_AUTH_MACLEN	32	/* HMAC-SHA256, untruncated (the draft's 256 bits) */
#define FOU_GUE_AUTH_KEYS	2	/* the sending key and one more accepted */

/* Replay window: 1024 bits, as RFC 6479 / WireGuard keep it. */
#define FOU_REPLAY_WORDS	16
#define FOU_REPLAY_WINDOW	((FOU_REPLAY_WORDS - 1) * 64)	/* seqs surely tracked */

struct evp_mac_ctx_st;

/* Not for concurrent use: the HMAC state keyed once is re-used for every datagram. */
struct fou_gue_key {
	uint32_t id;			/* derived from the secret: fou_gue_key_init() */
	struct evp_mac_ctx_st *mac;	/* OpenSSL's HMAC-SHA256 with the secret set */
};

/* A tunnel's keys: key[0] sends, every key present receives. */
struct fou_gue_keys {
	struct fou_gue_key key[FOU_GUE_AUTH_KEYS];
	unsigned int n;
};

struct fou_replay {
	uint64_t top;			/* highest sequence accepted */
	uint64_t bits[FOU_REPLAY_WORDS];
	bool any;			/* something was accepted */
};

/*
 * One line of 64 hex digits (a final newline allowed, nothing else) into
 * 32 bytes. 0 or -EINVAL.
 */
int fou_gue_key_parse(const char *text, size_t len, uint8_t out[FOU_GUE_AUTH_KEYLEN]);
/*
 * Keys k with the secret and sets its id, the first 32 bits of
 * HMAC(secret, "foud gue key id"). 0 or -ENOMEM/-EIO; fou_gue_key_clear()
 * frees what it holds.
 */
int fou_gue_key_init(struct fou_gue_key *k, const uint8_t secret[FOU_GUE_AUTH_KEYLEN]);
void fou_gue_key_clear(struct fou_gue_key *k);

/*
 * Prepends the authenticated GUE header (52 bytes: base, security field,
 * sequence) to the payload in b and signs header and payload with k.
 */
int fou_gue_auth_push(struct fou_buf *b, uint8_t proto, const struct fou_gue_key *k,
		      uint64_t seq);
/*
 * Signs the GUE header (variant 0, no SEC) at the front of b: the security
 * field goes after its first word, the fields it had (TOU's session ids)
 * after that, then the sequence; Hlen grows by 12 words.
 */
int fou_gue_auth_sign(struct fou_buf *b, const struct fou_gue_key *k, uint64_t seq);
/*
 * Checks an authenticated GUE datagram (the UDP payload in b): the form
 * (flags: SEC = 100 and any of allow, whose fields follow the security
 * field), a known key id, the HMAC (constant time). On success *seq is its
 * sequence, for the caller's window, and b holds the first word without
 * SEC, the allowed fields, the payload. -FOU_DROP_AUTH: b is unchanged but
 * for the zeroed HMAC field.
 */
int fou_gue_auth_open(struct fou_buf *b, const struct fou_gue_keys *ks, uint16_t allow,
		      uint64_t *seq);
/*
 * fou_gue_auth_open() with no other flag allowed, then the sequence
 * against r, which only a datagram passing all of that updates. On success
 * b holds a plain 4-byte GUE header and the payload, for fou_gue_pull().
 * Errors: -FOU_DROP_AUTH (no or bad authentication), -FOU_DROP_REPLAY.
 */
int fou_gue_auth_pull(struct fou_buf *b, const struct fou_gue_keys *ks, struct fou_replay *r);
/* Whether a UDP payload claims the security extension (variant 0, SEC set). */
bool fou_gue_has_sec(const struct fou_buf *b);

/*
 * A window that has seen every sequence up to floor: what a restarted
 * receiver starts from (its floor persisted), so that only later ones pass.
 */
void fou_replay_floor(struct fou_replay *r, uint64_t floor);
/* The window alone: true (and recorded) when seq is new and not too old. */
bool fou_replay_update(struct fou_replay *r, uint64_t seq);

#endif /* FOU_GUE_AUTH_H */
