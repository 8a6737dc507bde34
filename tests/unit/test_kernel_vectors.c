// SPDX-License-Identifier: MIT
/*
 * libfou against packets the Linux kernel itself sent (kernel_vectors.h,
 * captured by tests/interop/capture-vectors.sh from a Debian kernel under
 * qemu). For every vector:
 *
 *   decap  parse the outer IP, skip UDP, the encap ops' pull, fou_rx_kind,
 *          fou_tnl_match and fou_tnl_decap with the tunnel as the kernel's
 *          peer would have it (local and remote swapped); the inner packet
 *          must come out byte for byte (with RCO applied for GUE remcsum).
 *   encap  fou_tnl_encap of the inner packet with the kernel's own tunnel
 *          parameters must give the kernel's bytes exactly.
 *
 * Fields the kernel chose at random and that the test therefore feeds in:
 *   - the UDP source port (encap-sport auto hashes the flow with a per-boot
 *     random seed): the tunnel's encap_sport is set to the kernel's port;
 *   - the outer IPv4 identification (iptunnel_xmit's __ip_select_ident, a
 *     keyed hash): st.ip_id is set to the kernel's ID (libfou sends ip_id,
 *     then increments);
 *   - the IPv6 flow label: the guest ran with net.ipv6.auto_flowlabels=0,
 *     so it is 0; libfou derives it from the flow hash, and hash 0 gives 0.
 * The GRE sequence number is not random: the kernel's first is 1, and
 * libfou, like __gre_xmit, increments st.oseq before use, so st.oseq is the
 * kernel's seq - 1. Nothing is masked.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"
#include "kernel_vectors.h"

#define K4_LOCAL "192.0.2.2"	/* the kernel (guest) */
#define K4_REMOTE "192.0.2.1"	/* the capturing host */
#define K6_LOCAL "2001:db8:1::2"
#define K6_REMOTE "2001:db8:1::1"

struct kv {
	const char *name;
	const uint8_t *pkt;
	size_t len;
	size_t inner_off;
	const uint8_t *inner_full;	/* decap result when RCO rewrote it; else NULL */
	enum fou_kind kind;
	enum fou_encap encap;
	int family;			/* underlay */
	uint16_t dport;
	uint8_t port_proto;		/* the receive port's ipproto (fou) */
	uint16_t encap_flags;
	uint16_t gre_flags;		/* same in both directions */
	uint32_t key;
	uint8_t ttl;			/* 0: inherit */
	bool pmtudisc;
	uint16_t sport;
	uint16_t ip_id;
	uint32_t gre_seq;
	bool partial;			/* inner TCP checksum left partial (RCO) */
	struct fou_remcsum pc;		/* from the inner packet start */
};

#define V(n) .name = #n, .pkt = kv_##n, .len = sizeof(kv_##n)

static const struct kv vectors[] = {
	{
		V(ipip_fou), .inner_off = KV_IPIP_FOU_INNER_OFF,
		.kind = FOU_KIND_IPIP, .encap = FOU_ENCAP_FOU, .family = AF_INET,
		.dport = 5555, .port_proto = 4, .pmtudisc = true,
		.sport = KV_IPIP_FOU_SPORT, .ip_id = KV_IPIP_FOU_IP_ID,
	},
	{
		V(ipip_gue), .inner_off = KV_IPIP_GUE_INNER_OFF,
		.kind = FOU_KIND_IPIP, .encap = FOU_ENCAP_GUE, .family = AF_INET,
		.dport = 5556, .pmtudisc = true,
		.sport = KV_IPIP_GUE_SPORT, .ip_id = KV_IPIP_GUE_IP_ID,
	},
	{
		V(ipip_gue_remcsum), .inner_off = KV_IPIP_GUE_REMCSUM_INNER_OFF,
		.inner_full = kv_ipip_gue_remcsum_inner_full,
		.kind = FOU_KIND_IPIP, .encap = FOU_ENCAP_GUE, .family = AF_INET,
		.dport = 5556, .encap_flags = FOU_ENCAP_F_CSUM | FOU_ENCAP_F_REMCSUM,
		.pmtudisc = true,
		.sport = KV_IPIP_GUE_REMCSUM_SPORT, .ip_id = KV_IPIP_GUE_REMCSUM_IP_ID,
		.partial = true,
		.pc = { KV_IPIP_GUE_REMCSUM_REMCSUM_START, KV_IPIP_GUE_REMCSUM_REMCSUM_OFFSET },
	},
	{
		V(gre_fou_key_csum_seq), .inner_off = KV_GRE_FOU_KEY_CSUM_SEQ_INNER_OFF,
		.kind = FOU_KIND_GRE, .encap = FOU_ENCAP_FOU, .family = AF_INET,
		.dport = 5557, .port_proto = 47,
		.gre_flags = FOU_GRE_KEY | FOU_GRE_CSUM | FOU_GRE_SEQ, .key = 42,
		.pmtudisc = true,
		.sport = KV_GRE_FOU_KEY_CSUM_SEQ_SPORT, .ip_id = KV_GRE_FOU_KEY_CSUM_SEQ_IP_ID,
		.gre_seq = KV_GRE_FOU_KEY_CSUM_SEQ_GRE_SEQ,
	},
	{
		V(gre_gue_key_remcsum), .inner_off = KV_GRE_GUE_KEY_REMCSUM_INNER_OFF,
		.inner_full = kv_gre_gue_key_remcsum_inner_full,
		.kind = FOU_KIND_GRE, .encap = FOU_ENCAP_GUE, .family = AF_INET,
		.dport = 5556, .encap_flags = FOU_ENCAP_F_CSUM | FOU_ENCAP_F_REMCSUM,
		.gre_flags = FOU_GRE_KEY, .key = 7, .pmtudisc = true,
		.sport = KV_GRE_GUE_KEY_REMCSUM_SPORT, .ip_id = KV_GRE_GUE_KEY_REMCSUM_IP_ID,
		.partial = true,
		/* The GUE offsets count the 8-byte GRE header; ours start at the inner IP. */
		.pc = { KV_GRE_GUE_KEY_REMCSUM_REMCSUM_START - 8,
			KV_GRE_GUE_KEY_REMCSUM_REMCSUM_OFFSET - 8 },
	},
	{
		V(sit_fou), .inner_off = KV_SIT_FOU_INNER_OFF,
		.kind = FOU_KIND_SIT, .encap = FOU_ENCAP_FOU, .family = AF_INET,
		.dport = 5558, .port_proto = 41, .pmtudisc = true,
		.sport = KV_SIT_FOU_SPORT, .ip_id = KV_SIT_FOU_IP_ID,
	},
	{
		V(ip6tnl_fou_ipip6), .inner_off = KV_IP6TNL_FOU_IPIP6_INNER_OFF,
		.kind = FOU_KIND_IP6TNL, .encap = FOU_ENCAP_FOU, .family = AF_INET6,
		.dport = 5559, .port_proto = 4, .encap_flags = FOU_ENCAP_F_CSUM6,
		.ttl = 64, .sport = KV_IP6TNL_FOU_IPIP6_SPORT,
	},
	{
		V(ip6tnl_fou_ip6ip6), .inner_off = KV_IP6TNL_FOU_IP6IP6_INNER_OFF,
		.kind = FOU_KIND_IP6TNL, .encap = FOU_ENCAP_FOU, .family = AF_INET6,
		.dport = 5561, .port_proto = 41, .encap_flags = FOU_ENCAP_F_CSUM6,
		.ttl = 64, .sport = KV_IP6TNL_FOU_IP6IP6_SPORT,
	},
	{
		V(ip6gre_gue), .inner_off = KV_IP6GRE_GUE_INNER_OFF,
		.kind = FOU_KIND_IP6GRE, .encap = FOU_ENCAP_GUE, .family = AF_INET6,
		.dport = 5560, .encap_flags = FOU_ENCAP_F_CSUM6,
		.ttl = 64, .sport = KV_IP6GRE_GUE_SPORT,
	},
};

/* The tunnel as the kernel had it (reverse = false) or as its peer has it. */
static void mk_tnl(const struct kv *v, bool reverse, struct fou_tnl *t)
{
	const char *l = v->family == AF_INET ? K4_LOCAL : K6_LOCAL;
	const char *r = v->family == AF_INET ? K4_REMOTE : K6_REMOTE;

	*t = (struct fou_tnl){
		.kind = v->kind, .encap = v->encap, .encap_flags = v->encap_flags,
		.encap_sport = v->sport, .encap_dport = v->dport,
		.port_min = 32768, .port_max = 61000,	/* the kernel's default port range */
		.gre_oflags = v->gre_flags, .gre_iflags = v->gre_flags,
		.okey = v->key, .ikey = v->key, .ttl = v->ttl, .pmtudisc = v->pmtudisc,
	};
	assert_int_equal(fou_addr_parse(reverse ? r : l, &t->local), 0);
	assert_int_equal(fou_addr_parse(reverse ? l : r, &t->remote), 0);
}

static const uint8_t *want_inner(const struct kv *v)
{
	return v->inner_full ? v->inner_full : v->pkt + v->inner_off;
}

/* Names the header field at byte off of the kernel's packet, for failures. */
static const char *field_name(const struct kv *v, size_t off, char *buf, size_t len)
{
	static const char *const ip4[20] = {
		"ipv4 version/ihl", "ipv4 tos", "ipv4 tot_len", "ipv4 tot_len", "ipv4 id",
		"ipv4 id", "ipv4 frag_off (DF)", "ipv4 frag_off", "ipv4 ttl", "ipv4 protocol",
		"ipv4 header checksum", "ipv4 header checksum", "ipv4 saddr", "ipv4 saddr",
		"ipv4 saddr", "ipv4 saddr", "ipv4 daddr", "ipv4 daddr", "ipv4 daddr", "ipv4 daddr",
	};
	static const char *const udp[8] = {
		"udp source", "udp source", "udp dest", "udp dest",
		"udp len", "udp len", "udp check", "udp check",
	};
	size_t hl = v->family == AF_INET ? 20 : 40;

	if (off < hl) {
		if (v->family == AF_INET)
			snprintf(buf, len, "outer %s", ip4[off]);
		else
			snprintf(buf, len, "outer ipv6 %s", off < 4 ? "version/tclass/flowlabel" :
				 off < 6 ? "payload_len" : off == 6 ? "nexthdr" :
				 off == 7 ? "hop_limit" : off < 24 ? "saddr" : "daddr");
	} else if (off < hl + 8) {
		snprintf(buf, len, "%s", udp[off - hl]);
	} else if (off < v->inner_off) {
		snprintf(buf, len, "encapsulation header (GUE/GRE) byte %zu", off - hl - 8);
	} else {
		snprintf(buf, len, "inner packet byte %zu", off - v->inner_off);
	}
	return buf;
}

static void expect_bytes(const struct kv *v, const char *what, const uint8_t *got,
			 size_t got_len, const uint8_t *want, size_t want_len, size_t base)
{
	char name[96];
	size_t i;

	if (got_len == want_len && memcmp(got, want, want_len) == 0)
		return;
	print_error("%s %s: length %zu, kernel %zu\n", v->name, what, got_len, want_len);
	for (i = 0; i < got_len && i < want_len; i++)
		if (got[i] != want[i])
			print_error("  byte %zu (%s): got 0x%02x, kernel 0x%02x\n", i,
				    field_name(v, i + base, name, sizeof(name)), got[i], want[i]);
	fail_msg("%s %s differs from the kernel's bytes", v->name, what);
}

static uint8_t store[2048];

static void test_decap(void **state)
{
	const struct kv *v = *state;
	struct fou_buf b = { store, sizeof(store), 256, v->len };
	struct fou_tnl t;
	struct fou_tnl_rx rst = { 0 };
	struct fou_rx rx;
	struct fou_ip ip;
	const struct fou_encap_ops *e = fou_encap(v->encap);
	uint8_t proto = 0;
	size_t inner_len = v->len - v->inner_off;

	memset(store, 0xa5, sizeof(store));
	memcpy(fou_buf_data(&b), v->pkt, v->len);
	mk_tnl(v, true, &t);

	assert_int_equal(fou_ip_parse(fou_buf_data(&b), b.len, &ip), 0);
	assert_int_equal(ip.family, v->family);
	assert_int_equal(ip.proto, FOU_PROTO_UDP);
	assert_true(fou_addr_eq(&ip.src, &t.remote));
	assert_true(fou_addr_eq(&ip.dst, &t.local));
	assert_int_equal(ip.tot_len, v->len);
	assert_non_null(fou_buf_pull(&b, ip.hlen));
	assert_int_equal(fou_get16(fou_buf_data(&b) + 2), v->dport);
	assert_non_null(fou_buf_pull(&b, FOU_UDP_HLEN));

	assert_non_null(e);
	assert_int_equal(e->pull(&b, v->port_proto, &proto), 0);

	memset(&rx, 0, sizeof(rx));
	rx.src = ip.src;
	rx.dst = ip.dst;
	rx.tos = ip.tos;
	rx.proto = proto;
	assert_int_equal(rx.proto, fou_kind(v->kind)->gre ? FOU_PROTO_GRE :
			 (v->pkt[v->inner_off] >> 4) == 4 ? FOU_PROTO_IPIP : FOU_PROTO_IPV6);
	assert_int_equal(fou_rx_kind(&b, &rx), 0);
	if (v->gre_flags) {
		assert_int_equal(rx.gre.flags & (FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ),
				 v->gre_flags);
		assert_int_equal(rx.gre.key, v->key);
		if (v->gre_flags & FOU_GRE_SEQ)
			assert_int_equal(rx.gre.seq, v->gre_seq);
	}
	assert_true(fou_tnl_match(&t, &rx));
	assert_int_equal(fou_tnl_decap(&b, &t, &rst, &rx), 0);
	expect_bytes(v, "decapsulated inner packet", fou_buf_data(&b), b.len,
		     want_inner(v), inner_len, v->inner_off);

	/* The kernel's own view of the tunnel must not take its own packets. */
	mk_tnl(v, false, &t);
	assert_false(fou_tnl_match(&t, &rx));
}

static void test_encap(void **state)
{
	const struct kv *v = *state;
	size_t inner_len = v->len - v->inner_off;
	struct fou_buf b = { store, sizeof(store), 256, inner_len };
	struct fou_tnl t;
	struct fou_tnl_tx st = { 0 };
	int err;

	memset(store, 0xa5, sizeof(store));
	/* The inner packet as the kernel handed it to the tunnel (RCO: still partial). */
	memcpy(fou_buf_data(&b), v->pkt + v->inner_off, inner_len);
	mk_tnl(v, false, &t);
	st.ip_id = v->ip_id;
	st.oseq = v->gre_seq ? v->gre_seq - 1 : 0;
	assert_true(fou_tnl_overhead(&t) == v->inner_off);

	err = fou_tnl_encap(&b, &t, &st, 0, v->partial ? &v->pc : NULL);
	if (err)
		fail_msg("%s: fou_tnl_encap returned %d (%s)", v->name, err, fou_drop_name(-err));
	expect_bytes(v, "encapsulation", fou_buf_data(&b), b.len, v->pkt, v->len, 0);
	if (v->family == AF_INET)
		assert_int_equal(st.ip_id, (uint16_t)(v->ip_id + 1));
	if (v->gre_flags & FOU_GRE_SEQ)
		assert_int_equal(st.oseq, v->gre_seq);
}

/* Without RCO, a partial inner checksum is completed: the peer sees the full one. */
static void test_partial_completed(void **state)
{
	const struct kv *v = &vectors[2];	/* ipip_gue_remcsum */
	size_t inner_len = v->len - v->inner_off;
	struct fou_buf b = { store, sizeof(store), 256, inner_len };
	struct fou_tnl t;
	struct fou_tnl_tx st = { 0 };

	(void)state;
	memcpy(fou_buf_data(&b), v->pkt + v->inner_off, inner_len);
	mk_tnl(v, false, &t);
	t.encap_flags = 0;
	assert_int_equal(fou_tnl_encap(&b, &t, &st, 0, &v->pc), 0);
	assert_int_equal(b.len, 20 + 8 + 4 + inner_len);
	assert_memory_equal(fou_buf_data(&b) + 32, v->inner_full, inner_len);
}

#define T(i, n) \
	{ "decap_" #n, test_decap, NULL, NULL, (void *)&vectors[i] }, \
	{ "encap_" #n, test_encap, NULL, NULL, (void *)&vectors[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(0, ipip_fou), T(1, ipip_gue), T(2, ipip_gue_remcsum),
		T(3, gre_fou_key_csum_seq), T(4, gre_gue_key_remcsum), T(5, sit_fou),
		T(6, ip6tnl_fou_ipip6), T(7, ip6tnl_fou_ip6ip6), T(8, ip6gre_gue),
		cmocka_unit_test(test_partial_completed),
	};

	_Static_assert(sizeof(vectors) / sizeof(vectors[0]) == 9, "one T() per vector");
	return cmocka_run_group_tests_name("kernel_vectors (" KV_KERNEL ")", tests, NULL, NULL);
}
