// SPDX-License-Identifier: MIT
/*
 * Regressions drawn from the bugs the kernel's tunnel receive paths have
 * had, run at the codec level on the kernel's own packets
 * (kernel_vectors.h), each in a heap buffer of exactly its length, so that
 * a build with SANITIZE=1 turns any read or write past a header into a
 * failure:
 *
 *  - truncation at every byte of every header of a full ipip-over-GUE
 *    packet with remote checksum offload and of a gre-over-FOU packet with
 *    key, checksum and sequence number, through the whole receive pipeline
 *    (and through the outer IP parse, as the raw-socket path sees it): a
 *    negative drop reason every time, never a success (the class of
 *    CVE-2016-8645/CVE-2017-5897-style short-header reads);
 *  - GUE remote checksum offload with start/offset reversed, at and past the
 *    end (skb_remcsum_process bounds, cf. the 2016 fou/gue RCO fixes);
 *  - GUE proto 0, control messages, unknown variants;
 *  - GRE version != 0, routing, strict source route and recursion bits
 *    (RFC 2784 bits 1-5), which must drop, while bits 6-12 are ignored;
 *  - decapsulation only from the configured peer (CVE-2020-10136,
 *    CVE-2024-7596) and only with the configured GRE key.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"
#include "kernel_vectors.h"

/* Receiver's view: the kernel (192.0.2.2) sent to us (192.0.2.1). */
#define US4 "192.0.2.1"
#define PEER4 "192.0.2.2"

struct pkt {
	const char *name;
	const uint8_t *p;
	size_t len;
	enum fou_encap encap;
	uint8_t port_proto;
	enum fou_kind kind;
	uint16_t gre_flags;
	uint32_t key;
	size_t inner_off;
};

static const struct pkt ipip_gue_rco = {
	"ipip over gue with remcsum", kv_ipip_gue_remcsum, sizeof(kv_ipip_gue_remcsum),
	FOU_ENCAP_GUE, 0, FOU_KIND_IPIP, 0, 0, KV_IPIP_GUE_REMCSUM_INNER_OFF,
};

static const struct pkt gre_fou_kcs = {
	"gre over fou with key csum seq", kv_gre_fou_key_csum_seq,
	sizeof(kv_gre_fou_key_csum_seq), FOU_ENCAP_FOU, FOU_PROTO_GRE, FOU_KIND_GRE,
	FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ, 42, KV_GRE_FOU_KEY_CSUM_SEQ_INNER_OFF,
};

static void mk_tnl(const struct pkt *k, struct fou_tnl *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = k->kind;
	t->encap = k->encap;
	assert_int_equal(fou_addr_parse(US4, &t->local), 0);
	assert_int_equal(fou_addr_parse(PEER4, &t->remote), 0);
	t->encap_dport = 5555;
	t->port_min = 32768;
	t->port_max = 61000;
	t->gre_iflags = t->gre_oflags = k->gre_flags;
	t->ikey = t->okey = k->key;
	t->pmtudisc = true;
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

/* The whole receive as foud runs it on a UDP payload (daemon/io/port.c, tunnel.c). */
static int rx_payload(const struct pkt *k, const uint8_t *udp_payload, size_t len,
		      const char *src, struct fou_buf *out_inner, uint8_t **store)
{
	struct fou_tnl t;
	struct fou_tnl_rx st = { 0 };
	struct fou_rx rx;
	uint8_t *p = dup_exact(udp_payload, len);
	struct fou_buf b = { p, len, 0, len };
	int ret;

	*store = p;
	mk_tnl(k, &t);
	memset(&rx, 0, sizeof(rx));
	assert_int_equal(fou_addr_parse(src, &rx.src), 0);
	assert_int_equal(fou_addr_parse(US4, &rx.dst), 0);
	ret = fou_encap(k->encap)->pull(&b, k->port_proto, &rx.proto);
	if (ret)
		return ret;
	if (rx.proto != FOU_PROTO_IPIP && rx.proto != FOU_PROTO_IPV6 &&
	    rx.proto != FOU_PROTO_GRE)
		return -FOU_DROP_INNER_PROTO;
	ret = fou_rx_kind(&b, &rx);
	if (ret)
		return ret;
	if (!fou_tnl_match(&t, &rx))
		return fou_addr_eq(&rx.src, &t.remote) ? -FOU_DROP_NO_TUNNEL
						       : -FOU_DROP_UNKNOWN_PEER;
	ret = fou_tnl_decap(&b, &t, &st, &rx);
	if (out_inner)
		*out_inner = b;
	return ret;
}

static size_t udp_off(const struct pkt *k)
{
	return (size_t)(k->p[0] & 0xf) * 4 + FOU_UDP_HLEN;
}

static void assert_drop(int ret, const char *what, size_t at)
{
	if (ret < 0 && -ret < FOU_DROP__MAX)
		return;
	fail_msg("%s truncated to %zu bytes: returned %d, want a negative drop reason",
		 what, at, ret);
}

/* The untruncated packet goes through, so every failure below is the truncation's. */
static void full_packet_ok(const struct pkt *k)
{
	struct fou_buf in;
	uint8_t *store;
	size_t off = udp_off(k);
	int ret = rx_payload(k, k->p + off, k->len - off, PEER4, &in, &store);

	if (ret)
		fail_msg("%s: whole packet dropped: %s", k->name, fou_drop_name(-ret));
	assert_int_equal(in.len, k->len - k->inner_off);
	free(store);
}

static void truncate_every_byte(const struct pkt *k)
{
	size_t off = udp_off(k), n;
	struct fou_ip ip;
	int ret;

	full_packet_ok(k);
	/* What the UDP socket hands over: every length short of the whole payload. */
	for (n = 0; n < k->len - off; n++) {
		uint8_t *store;

		ret = rx_payload(k, k->p + off, n, PEER4, NULL, &store);
		free(store);
		assert_drop(ret, k->name, n);
	}
	/* The outer packet as a raw socket would see it, cut anywhere. */
	for (n = 0; n < k->len; n++) {
		uint8_t *p = dup_exact(k->p, n);

		ret = fou_ip_parse(p, n, &ip);
		free(p);
		assert_drop(ret, k->name, n);
	}
	/* The inner packet, cut: fou_ip_parse must refuse it before decap hands it on. */
	for (n = 0; n < k->len - k->inner_off; n++) {
		uint8_t *p = dup_exact(k->p + k->inner_off, n);

		ret = fou_ip_parse(p, n, &ip);
		free(p);
		assert_drop(ret, "inner packet", n);
	}
}

static void test_truncate_ipip_gue_remcsum(void **state)
{
	(void)state;
	truncate_every_byte(&ipip_gue_rco);
}

static void test_truncate_gre_fou_key_csum_seq(void **state)
{
	(void)state;
	truncate_every_byte(&gre_fou_kcs);
}

/* A copy of k's UDP payload, to be edited, with its length. */
static uint8_t *payload(const struct pkt *k, size_t *len)
{
	size_t off = udp_off(k);

	*len = k->len - off;
	return dup_exact(k->p + off, *len);
}

static int rx_edited(const struct pkt *k, const uint8_t *pl, size_t len)
{
	uint8_t *store;
	int ret = rx_payload(k, pl, len, PEER4, NULL, &store);

	free(store);
	return ret;
}

/* GUE payload of the RCO vector: 12-byte header, then the 60-byte inner SYN. */
#define RCO_HLEN 12
#define RCO_START 8
#define RCO_OFFSET 10

static int rco_with(uint16_t start, uint16_t offset)
{
	size_t len;
	uint8_t *pl = payload(&ipip_gue_rco, &len);
	int ret;

	fou_put16(pl + RCO_START, start);
	fou_put16(pl + RCO_OFFSET, offset);
	ret = rx_edited(&ipip_gue_rco, pl, len);
	free(pl);
	return ret;
}

static void test_remcsum_bounds(void **state)
{
	size_t l = sizeof(kv_ipip_gue_remcsum) - udp_off(&ipip_gue_rco) - RCO_HLEN;

	(void)state;
	assert_int_equal(l, 60);
	/* The kernel's own values go through. */
	assert_int_equal(rco_with(KV_IPIP_GUE_REMCSUM_REMCSUM_START,
				  KV_IPIP_GUE_REMCSUM_REMCSUM_OFFSET), 0);
	/* Reversed: the field before the range it would cover. */
	assert_int_equal(rco_with(36, 20), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with(21, 20), -FOU_DROP_REMCSUM);
	/* The 2-byte field past the end, by one byte and by far. */
	assert_int_equal(rco_with(20, (uint16_t)(l - 1)), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with(20, (uint16_t)l), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with(20, 0xffff), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with(20, 0xfffe), -FOU_DROP_REMCSUM);
	/* The start at and past the end. */
	assert_int_equal(rco_with((uint16_t)l, (uint16_t)l), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with((uint16_t)(l + 1), (uint16_t)(l + 1)), -FOU_DROP_REMCSUM);
	assert_int_equal(rco_with(0xffff, 0xffff), -FOU_DROP_REMCSUM);
	/* The last field that fits is written in place, inside the packet. */
	assert_int_equal(rco_with(20, (uint16_t)(l - 2)), 0);
	assert_int_equal(rco_with((uint16_t)(l - 2), (uint16_t)(l - 2)), 0);
}

static int gue_edit(void (*edit)(uint8_t *pl, size_t *len))
{
	size_t len;
	uint8_t *pl = payload(&ipip_gue_rco, &len);
	int ret;

	edit(pl, &len);
	ret = rx_edited(&ipip_gue_rco, pl, len);
	free(pl);
	return ret;
}

static void e_proto0(uint8_t *pl, size_t *len) { (void)len; pl[1] = 0; }
static void e_proto_udp(uint8_t *pl, size_t *len) { (void)len; pl[1] = FOU_PROTO_UDP; }
static void e_control(uint8_t *pl, size_t *len) { (void)len; pl[0] |= 0x20; }
static void e_variant2(uint8_t *pl, size_t *len) { (void)len; pl[0] = (uint8_t)(0x80 | (pl[0] & 0x3f)); }
static void e_variant3(uint8_t *pl, size_t *len) { (void)len; pl[0] |= 0xc0; }
static void e_flag(uint8_t *pl, size_t *len) { (void)len; pl[3] |= 0x02; }
static void e_pflag(uint8_t *pl, size_t *len) { (void)len; pl[4] |= 0x40; }
static void e_hlen_small(uint8_t *pl, size_t *len) { (void)len; pl[0] = (uint8_t)((pl[0] & ~0x1f) | 1); }
static void e_hlen_zero(uint8_t *pl, size_t *len) { (void)len; pl[0] &= (uint8_t)~0x1f; }
static void e_hlen_past(uint8_t *pl, size_t *len) { (void)len; pl[0] |= 0x1f; }
static void e_v1_bad_nibble(uint8_t *pl, size_t *len)
{
	/* Variant 1 with a version nibble that is neither 4 nor 6. */
	memmove(pl, pl + RCO_HLEN, *len - RCO_HLEN);
	*len -= RCO_HLEN;
	pl[0] = (uint8_t)(0x50 | (pl[0] & 0x0f));
}

static void test_gue_header(void **state)
{
	(void)state;
	assert_int_equal(gue_edit(e_proto0), -FOU_DROP_GUE_PROTO);
	assert_int_equal(gue_edit(e_proto_udp), -FOU_DROP_INNER_PROTO);
	assert_int_equal(gue_edit(e_control), -FOU_DROP_GUE_CONTROL);
	assert_int_equal(gue_edit(e_variant2), -FOU_DROP_GUE_VERSION);
	assert_int_equal(gue_edit(e_variant3), -FOU_DROP_GUE_VERSION);
	assert_int_equal(gue_edit(e_v1_bad_nibble), -FOU_DROP_GUE_VERSION);
	assert_int_equal(gue_edit(e_flag), -FOU_DROP_GUE_FLAGS);
	assert_int_equal(gue_edit(e_pflag), -FOU_DROP_GUE_FLAGS);
	assert_int_equal(gue_edit(e_hlen_small), -FOU_DROP_GUE_HLEN);
	assert_int_equal(gue_edit(e_hlen_zero), -FOU_DROP_GUE_HLEN);
	assert_int_equal(gue_edit(e_hlen_past), -FOU_DROP_TOO_SHORT);
}

/* The GRE vector with flags |= set and, when fix, its GRE checksum recomputed. */
static int gre_with(uint16_t set, bool fix)
{
	size_t len;
	uint8_t *pl = payload(&gre_fou_kcs, &len);
	int ret;

	fou_put16(pl, (uint16_t)(fou_get16(pl) | set));
	if (fix) {
		fou_put16(pl + 4, 0);
		fou_put16(pl + 4, fou_csum_fold(fou_csum_add(0, pl, len)));
	}
	ret = rx_edited(&gre_fou_kcs, pl, len);
	free(pl);
	return ret;
}

static void test_gre_flag_bits(void **state)
{
	uint16_t bit, v;

	(void)state;
	assert_int_equal(gre_with(0, false), 0);
	/* Version 1 (PPTP) to 7. */
	for (v = 1; v <= 7; v++) {
		assert_int_equal(gre_with(v, false), -FOU_DROP_GRE_VERSION);
		assert_int_equal(gre_with(v, true), -FOU_DROP_GRE_VERSION);
	}
	/* RFC 2784 bits 1, 4, 5: routing, strict source route, recursion. */
	assert_int_equal(gre_with(FOU_GRE_ROUTING, true), -FOU_DROP_GRE_FLAGS);
	assert_int_equal(gre_with(0x0800, true), -FOU_DROP_GRE_FLAGS);
	assert_int_equal(gre_with(0x0400, true), -FOU_DROP_GRE_FLAGS);
	assert_int_equal(gre_with(FOU_GRE_RESERVED0, false), -FOU_DROP_GRE_FLAGS);
	/* Bits 6-12 "MUST be ignored on receipt" (RFC 2784 2.2), as Linux does. */
	for (bit = 0x0200; bit >= 0x0008; bit >>= 1)
		assert_int_equal(gre_with(bit, true), 0);
	/* A flipped flag without the checksum fixed is a checksum error, not a pass. */
	assert_int_equal(gre_with(0x0008, false), -FOU_DROP_BAD_CSUM);
}

/* CVE-2020-10136 / CVE-2024-7596: nothing from a source that is no peer. */
static void test_unknown_peer(void **state)
{
	const struct pkt *k[] = { &ipip_gue_rco, &gre_fou_kcs };
	size_t i, off;
	uint8_t *store;

	(void)state;
	for (i = 0; i < 2; i++) {
		off = udp_off(k[i]);
		assert_int_equal(rx_payload(k[i], k[i]->p + off, k[i]->len - off, "192.0.2.3",
					    NULL, &store), -FOU_DROP_UNKNOWN_PEER);
		free(store);
		assert_int_equal(rx_payload(k[i], k[i]->p + off, k[i]->len - off, "0.0.0.0",
					    NULL, &store), -FOU_DROP_UNKNOWN_PEER);
		free(store);
	}
}

/* A GRE key that is not the tunnel's finds no tunnel, the packet is not taken. */
static void test_gre_wrong_key(void **state)
{
	size_t len;
	uint8_t *pl = payload(&gre_fou_kcs, &len);

	(void)state;
	fou_put32(pl + 8, 43);
	fou_put16(pl + 4, 0);
	fou_put16(pl + 4, fou_csum_fold(fou_csum_add(0, pl, len)));
	assert_int_equal(rx_edited(&gre_fou_kcs, pl, len), -FOU_DROP_NO_TUNNEL);
	free(pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_ipip_gue_remcsum),
		cmocka_unit_test(test_truncate_gre_fou_key_csum_seq),
		cmocka_unit_test(test_remcsum_bounds),
		cmocka_unit_test(test_gue_header),
		cmocka_unit_test(test_gre_flag_bits),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_gre_wrong_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
