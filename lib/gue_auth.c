// SPDX-License-Identifier: MIT
/*
 * Authenticated GUE (draft-ietf-intarea-gue-extensions-06 §4.4, HMAC form):
 *
 *   0                   1                   2                   3
 *  |0|0| Hlen = 12 | Proto/ctype   |G|SEC=100|  other flags 0      |
 *  |                        Key identifier                         |
 *  |        Payload offset = 0     |        Payload length         |
 *  |                   HMAC-SHA256 (32 bytes) ...                  |
 *  |             Sequence number (64 bits, surplus space)          |
 *
 * The HMAC covers the whole GUE header (its own field zero) and payload;
 * OpenSSL computes it (EVP_MAC, keyed once per key), CRYPTO_memcmp() compares it.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "fou/gue_auth.h"

#define SEC_OFF		FOU_GUE_HLEN			/* the security field */
#define MAC_OFF		(SEC_OFF + 8)			/* its HMAC */
#define SEQ_OFF		(SEC_OFF + FOU_GUE_SEC_HMAC_LEN)
#define AUTH_HLEN	(FOU_GUE_HLEN + FOU_GUE_AUTH_LEN)

static const char keyid_label[] = "foud gue key id";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fou_gue_key_parse(const char *text, size_t len, uint8_t out[FOU_GUE_AUTH_KEYLEN])
{
	size_t i;
	int hi, lo;

	if (len == 2 * FOU_GUE_AUTH_KEYLEN + 1 && text[len - 1] == '\n')
		len--;
	if (len != 2 * FOU_GUE_AUTH_KEYLEN)
		return -EINVAL;
	for (i = 0; i < FOU_GUE_AUTH_KEYLEN; i++) {
		hi = hexval(text[2 * i]);
		lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* HMAC_Init_ex() semantics: no key re-uses the one set, without hashing it again. */
static int mac(const struct fou_gue_key *k, const uint8_t *p, size_t len,
	       uint8_t out[FOU_GUE_AUTH_MACLEN])
{
	size_t n = 0;

	if (!EVP_MAC_init(k->mac, NULL, 0, NULL) || !EVP_MAC_update(k->mac, p, len) ||
	    !EVP_MAC_final(k->mac, out, &n, FOU_GUE_AUTH_MACLEN) || n != FOU_GUE_AUTH_MACLEN)
		return -EIO;
	return 0;
}

static int key_set(struct fou_gue_key *k, const uint8_t secret[FOU_GUE_AUTH_KEYLEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);

	k->mac = m ? EVP_MAC_CTX_new(m) : NULL;
	EVP_MAC_free(m);
	if (!k->mac)
		return -ENOMEM;
	return EVP_MAC_init(k->mac, secret, FOU_GUE_AUTH_KEYLEN, params) ? 0 : -EIO;
}

int fou_gue_key_init(struct fou_gue_key *k, const uint8_t secret[FOU_GUE_AUTH_KEYLEN])
{
	uint8_t m[FOU_GUE_AUTH_MACLEN];
	int err;

	err = key_set(k, secret);
	if (!err)
		err = mac(k, (const uint8_t *)keyid_label, sizeof(keyid_label) - 1, m);
	if (!err)
		k->id = fou_get32(m);
	else
		fou_gue_key_clear(k);
	OPENSSL_cleanse(m, sizeof(m));
	return err;
}

void fou_gue_key_clear(struct fou_gue_key *k)
{
	EVP_MAC_CTX_free(k->mac);
	k->mac = NULL;
	k->id = 0;
}

/*
 * The security field goes after the first word, the sequence after the
 * fields that were there (the S and D of TOU sessions): surplus space.
 */
int fou_gue_auth_sign(struct fou_buf *b, const struct fou_gue_key *k, uint64_t seq)
{
	uint8_t *old = fou_buf_data(b), *h;
	size_t ext, plen;

	if (b->len < FOU_GUE_HLEN || old[0] >> 5 || (fou_get16(old + 2) & FOU_GUE_FLAG_SEC_MASK))
		return -FOU_DROP_AUTH;
	ext = (size_t)old[0] << 2;
	if (FOU_GUE_HLEN + ext > b->len || (FOU_GUE_AUTH_LEN + ext) / 4 > 0x1f)
		return -FOU_DROP_AUTH;
	plen = b->len - FOU_GUE_HLEN - ext;
	if (plen > 0xffff)
		return -FOU_DROP_MTU;
	h = fou_buf_push(b, FOU_GUE_AUTH_LEN);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	memmove(h, old, FOU_GUE_HLEN);
	memmove(h + SEQ_OFF, old + FOU_GUE_HLEN, ext);
	h[0] = (uint8_t)((FOU_GUE_AUTH_LEN + ext) / 4);	/* ver 0, C 0 */
	fou_put16(h + 2, fou_get16(h + 2) | FOU_GUE_FLAG_SEC_HMAC);
	fou_put32(h + SEC_OFF, k->id);
	fou_put16(h + SEC_OFF + 4, 0);		/* the payload from its start ... */
	fou_put16(h + SEC_OFF + 6, (uint16_t)plen);	/* ... to its end */
	memset(h + MAC_OFF, 0, FOU_GUE_AUTH_MACLEN);
	fou_put32(h + SEQ_OFF + ext, (uint32_t)(seq >> 32));
	fou_put32(h + SEQ_OFF + ext + 4, (uint32_t)seq);
	return mac(k, h, b->len, h + MAC_OFF) ? -FOU_DROP_AUTH : 0;
}

int fou_gue_auth_push(struct fou_buf *b, uint8_t proto, const struct fou_gue_key *k,
		      uint64_t seq)
{
	int err = fou_gue_push(b, proto, NULL);

	return err ? err : fou_gue_auth_sign(b, k, seq);
}

bool fou_gue_has_sec(const struct fou_buf *b)
{
	const uint8_t *h = fou_buf_data(b);

	return b->len >= FOU_GUE_HLEN && (h[0] >> 6) == 0 &&
	       (fou_get16(h + 2) & FOU_GUE_FLAG_SEC_MASK);
}

/*
 * Exactly the form fou_gue_auth_sign() writes: nothing else is authenticated.
 * Flags in allow may add fields (ext bytes) between the security field and
 * the sequence; their own parsers check them, once authenticated.
 */
static int auth_form(const uint8_t *h, size_t len, uint16_t allow, size_t *ext)
{
	uint16_t flags;

	if (len < AUTH_HLEN || h[0] >> 5 || h[1] == 0 || (size_t)h[0] * 4 < FOU_GUE_AUTH_LEN)
		return -FOU_DROP_AUTH;
	*ext = (size_t)h[0] * 4 - FOU_GUE_AUTH_LEN;
	flags = fou_get16(h + 2);
	if ((flags & ~allow) != FOU_GUE_FLAG_SEC_HMAC || (!allow && *ext) || AUTH_HLEN + *ext > len)
		return -FOU_DROP_AUTH;
	if (fou_get16(h + SEC_OFF + 4) != 0 || fou_get16(h + SEC_OFF + 6) != len - AUTH_HLEN - *ext)
		return -FOU_DROP_AUTH;
	return 0;
}

static const struct fou_gue_key *key_by_id(const struct fou_gue_keys *ks, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < ks->n && i < FOU_GUE_AUTH_KEYS; i++)
		if (ks->key[i].id == id)
			return &ks->key[i];
	return NULL;
}

/* Computes over the header with its HMAC field zero, then puts the field back. */
static int auth_verify(uint8_t *h, size_t len, const struct fou_gue_key *k)
{
	uint8_t got[FOU_GUE_AUTH_MACLEN], want[FOU_GUE_AUTH_MACLEN];
	int err;

	memcpy(got, h + MAC_OFF, sizeof(got));
	memset(h + MAC_OFF, 0, sizeof(got));
	err = mac(k, h, len, want);
	memcpy(h + MAC_OFF, got, sizeof(got));
	if (!err && CRYPTO_memcmp(got, want, sizeof(want)) != 0)
		err = -FOU_DROP_AUTH;
	return err ? -FOU_DROP_AUTH : 0;
}

int fou_gue_auth_open(struct fou_buf *b, const struct fou_gue_keys *ks, uint16_t allow,
		      uint64_t *seq)
{
	uint8_t *h = fou_buf_data(b), w0[FOU_GUE_HLEN];
	const struct fou_gue_key *k;
	size_t ext;
	int err;

	err = auth_form(h, b->len, allow, &ext);
	if (err)
		return err;
	k = key_by_id(ks, fou_get32(h + SEC_OFF));
	if (!k)
		return -FOU_DROP_AUTH;
	err = auth_verify(h, b->len, k);
	if (err)
		return err;
	*seq = (uint64_t)fou_get32(h + SEQ_OFF + ext) << 32 | fou_get32(h + SEQ_OFF + ext + 4);
	/* What remains: the first word without SEC, then the fields that followed it. */
	memcpy(w0, h, sizeof(w0));
	memmove(h + AUTH_HLEN, h + SEQ_OFF, ext);
	h = fou_buf_pull(b, FOU_GUE_AUTH_LEN);
	memcpy(h, w0, sizeof(w0));
	h[0] = (uint8_t)(ext / 4);
	fou_put16(h + 2, fou_get16(w0 + 2) & ~FOU_GUE_FLAG_SEC_MASK);
	return 0;
}

int fou_gue_auth_pull(struct fou_buf *b, const struct fou_gue_keys *ks, struct fou_replay *r)
{
	uint64_t seq;
	int err = fou_gue_auth_open(b, ks, 0, &seq);

	if (!err && !fou_replay_update(r, seq))
		err = -FOU_DROP_REPLAY;
	return err;
}

/* ---- replay window (RFC 6479: a ring of words, the newest at top) ------- */

static void replay_advance(struct fou_replay *r, uint64_t seq)
{
	uint64_t cur = r->top / 64, to = seq / 64, i;

	if (to - cur >= FOU_REPLAY_WORDS) {
		memset(r->bits, 0, sizeof(r->bits));
	} else {
		for (i = cur + 1; i <= to; i++)
			r->bits[i % FOU_REPLAY_WORDS] = 0;
	}
	r->top = seq;
}

void fou_replay_floor(struct fou_replay *r, uint64_t floor)
{
	unsigned int b = floor % 64;

	/* Seen: all up to floor; its word's bits above it are the next ones, not seen. */
	memset(r->bits, 0xff, sizeof(r->bits));
	r->bits[(floor / 64) % FOU_REPLAY_WORDS] = b == 63 ? ~0ull : (1ull << (b + 1)) - 1;
	r->top = floor;
	r->any = true;
}

bool fou_replay_update(struct fou_replay *r, uint64_t seq)
{
	uint64_t *w, bit;

	if (!r->any) {
		memset(r->bits, 0, sizeof(r->bits));
		r->top = seq;
		r->any = true;
	} else if (seq > r->top) {
		replay_advance(r, seq);
	} else if (r->top - seq >= FOU_REPLAY_WINDOW) {
		return false;
	}
	w = &r->bits[(seq / 64) % FOU_REPLAY_WORDS];
	bit = 1ull << (seq % 64);
	if (*w & bit)
		return false;
	*w |= bit;
	return true;
}
