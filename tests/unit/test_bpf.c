// SPDX-License-Identifier: MIT
/*
 * foud's TC programs run on known packets through BPF_PROG_TEST_RUN, in a
 * private network namespace: transmit must produce exactly what libfou's
 * fou_tnl_encap() produces (so, what the kernel sends), receive must take
 * only fully valid packets from a configured peer and port and leave every
 * other one untouched for the next program and foud's userspace path
 * (TC_ACT_UNSPEC).
 * Needs root and a kernel with BPF; otherwise every test is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fou/fou.h"
#include "../../bpf/foud_bpf.h"

extern const unsigned char foud_bpf_obj[], foud_bpf_obj_end[];
void foud_bpf_obj_reason(const char *log, char *out, size_t len);

#define PORT	5555
#define SPORT	4242

static struct {
	struct bpf_object *obj;
	int eg, in, tnl, rx, port, ours, ours_proto, stats, pstats, ncpu;
	int tun_ifindex;
	bool ok;
} g;

static const uint8_t LOCAL4[4] = { 192, 0, 2, 1 }, REMOTE4[4] = { 192, 0, 2, 2 };
static const uint8_t OTHER4[4] = { 192, 0, 2, 9 };

/* 10.1.0.1 -> 10.1.0.2, tos 0xb9, DF, ttl 33, UDP 1000 -> 2000 "hello". */
static size_t mk_inner4(uint8_t *p)
{
	static const uint8_t h[] = {
		0x45, 0xb9, 0x00, 0x21, 0x00, 0x01, 0x40, 0x00, 0x21, 0x11, 0, 0,
		10, 1, 0, 1, 10, 1, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0d, 0, 0, 'h', 'e', 'l', 'l', 'o',
	};

	memcpy(p, h, sizeof(h));
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
	return sizeof(h);
}

static int map(const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(g.obj, name));
}

static int prog(const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(g.obj, name));
}

static int open_tun(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "bpft0");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return (int)if_nametoindex("bpft0");
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		return 0;
	libbpf_set_print(NULL);
	g.obj = bpf_object__open_mem(foud_bpf_obj, (size_t)(foud_bpf_obj_end - foud_bpf_obj), NULL);
	if (!g.obj || bpf_object__load(g.obj))
		return 0;
	g.eg = prog("foud_egress");
	g.in = prog("foud_ingress");
	g.tnl = map("foud_tnl");
	g.rx = map("foud_rx");
	g.port = map("foud_port");
	g.ours = map("foud_ours");
	g.ours_proto = map("foud_ours_proto");
	g.stats = map("foud_stats");
	g.pstats = map("foud_pstats");
	g.ncpu = libbpf_num_possible_cpus();
	g.tun_ifindex = open_tun();
	g.ok = g.tun_ifindex > 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g.obj)
		bpf_object__close(g.obj);
	return 0;
}

#define NEED_BPF() do { if (!g.ok) skip(); } while (0)

/* Configuration of one ipip/fou tunnel on the TUN, keyed as foud keys it. */
static void tnl_set(uint8_t encap, uint8_t flags, uint32_t okey, uint16_t sport)
{
	struct foud_bpf_tnl c = {
		.flags = flags, .encap = encap, .inner = FOUD_BPF_INNER_V4 | FOUD_BPF_INNER_V6,
		.okey = okey, .sport = sport, .dport = PORT, .port_min = 32768, .port_max = 60999,
		.mtu_limit = 1472, .oif = 1,
	};
	struct foud_bpf_stats *zero = calloc((size_t)g.ncpu, sizeof(*zero));
	uint32_t key = (uint32_t)g.tun_ifindex;

	memcpy(c.local, LOCAL4, 4);
	memcpy(c.remote, REMOTE4, 4);
	assert_int_equal(bpf_map_update_elem(g.tnl, &key, &c, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(g.stats, &key, zero, BPF_ANY), 0);
	free(zero);
}

static struct foud_bpf_stats stats_sum(void)
{
	struct foud_bpf_stats *v = calloc((size_t)g.ncpu, sizeof(*v)), s = { 0 };
	uint32_t key = (uint32_t)g.tun_ifindex;
	int i;

	assert_int_equal(bpf_map_lookup_elem(g.stats, &key, v), 0);
	for (i = 0; i < g.ncpu; i++) {
		s.rx_packets += v[i].rx_packets;
		s.rx_bytes += v[i].rx_bytes;
		s.tx_packets += v[i].tx_packets;
		s.tx_bytes += v[i].tx_bytes;
		s.tx_drop_loop += v[i].tx_drop_loop;
		s.tx_drop_inner += v[i].tx_drop_inner;
		s.tx_drop_no_route += v[i].tx_drop_no_route;
		s.rx_drop_link_down += v[i].rx_drop_link_down;
	}
	free(v);
	return s;
}

/* Runs a program on pkt; out gets the packet it leaves. Returns its verdict. */
static int run(int fd, const uint8_t *pkt, size_t len, uint8_t *out, uint32_t *outlen,
	       int ifindex)
{
	struct __sk_buff ctx = { .ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = *outlen, .repeat = 1);

	if (ifindex > 1) {
		o.ctx_in = &ctx;
		o.ctx_size_in = sizeof(ctx);
	}
	assert_int_equal(bpf_prog_test_run_opts(fd, &o), 0);
	*outlen = o.data_size_out;
	return (int)o.retval;
}

/* Ethernet header (to us: zero MAC on lo) in front of an IP packet. */
static size_t eth(uint8_t *p, uint16_t type)
{
	memset(p, 0, 14);
	fou_put16(p + 12, type);
	return 14;
}

/* ---- transmit ----------------------------------------------------------- */

/* What libfou builds for the same tunnel: the reference bytes. */
static size_t ref_encap(uint8_t *buf, size_t cap, enum fou_kind k, enum fou_encap e,
			uint16_t oflags, uint32_t okey, uint8_t **start)
{
	struct fou_tnl t = {
		.kind = k, .encap = e, .encap_sport = SPORT, .encap_dport = PORT,
		.port_min = 32768, .port_max = 60999, .gre_oflags = oflags, .okey = okey,
	};
	struct fou_tnl_tx tx = { 0 };
	struct fou_buf b = { .head = buf, .cap = cap, .off = 128 };

	t.local.family = t.remote.family = AF_INET;
	memcpy(t.local.a, LOCAL4, 4);
	memcpy(t.remote.a, REMOTE4, 4);
	b.len = mk_inner4(buf + b.off);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, NULL), 0);
	*start = fou_buf_data(&b);
	return b.len;
}

static void tx_case(uint8_t encap, uint8_t flags, enum fou_kind k, enum fou_encap e,
		    uint16_t oflags)
{
	uint8_t in[128], out[256], ref[512], *r;
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP), rlen;
	struct foud_bpf_stats s;

	n += mk_inner4(in + n);
	tnl_set(encap, flags, 77, SPORT);
	rlen = ref_encap(ref, sizeof(ref), k, e, oflags, 77, &r);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_REDIRECT);
	/* Ethernet for bpf_redirect_neigh to fill, then exactly libfou's packet. */
	assert_int_equal(outlen, 14 + rlen);
	assert_int_equal(fou_get16(out + 12), FOU_ETH_P_IP);
	assert_memory_equal(out + 14, r, rlen);
	s = stats_sum();
	assert_int_equal(s.tx_packets, 1);
	assert_int_equal(s.tx_bytes, n - 14);
}

static void test_tx_ipip_fou(void **state)
{
	(void)state;
	NEED_BPF();
	tx_case(FOUD_BPF_ENCAP_FOU, 0, FOU_KIND_IPIP, FOU_ENCAP_FOU, 0);
}

static void test_tx_gre_key_gue(void **state)
{
	(void)state;
	NEED_BPF();
	tx_case(FOUD_BPF_ENCAP_GUE, FOUD_BPF_F_GRE | FOUD_BPF_F_GRE_KEY, FOU_KIND_GRE,
		FOU_ENCAP_GUE, FOU_GRE_KEY);
}

static void test_tx_gre_none(void **state)
{
	(void)state;
	NEED_BPF();
	tx_case(FOUD_BPF_ENCAP_NONE, FOUD_BPF_F_GRE, FOU_KIND_GRE, FOU_ENCAP_NONE, 0);
}

static void test_tx_sport_auto_in_range(void **state)
{
	uint8_t in[128], out[256];
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP);
	uint16_t sport;

	(void)state;
	NEED_BPF();
	n += mk_inner4(in + n);
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, 0);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_REDIRECT);
	sport = fou_get16(out + 14 + 20);
	assert_true(sport >= 32768 && sport < 60999);
}

/* A packet for the tunnel's own remote would loop: dropped, counted. */
static void test_tx_loop_dropped(void **state)
{
	uint8_t in[128], out[256];
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP);

	(void)state;
	NEED_BPF();
	n += mk_inner4(in + n);
	memcpy(in + 14 + 16, REMOTE4, 4);
	fou_put16(in + 14 + 10, 0);
	fou_put16(in + 14 + 10, fou_csum_fold(fou_csum_add(0, in + 14, 20)));
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, SPORT);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_SHOT);
	assert_int_equal(stats_sum().tx_drop_loop, 1);
	assert_int_equal(stats_sum().tx_packets, 0);
}

/* Too big for the path and not GSO: left to foud, which sends the ICMP error. */
static void test_tx_too_big_to_userspace(void **state)
{
	uint8_t in[1600], out[1700];
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP);

	(void)state;
	NEED_BPF();
	mk_inner4(in + n);
	memset(in + n + 33, 'x', 1500 - 33);
	fou_put16(in + n + 2, 1500);
	fou_put16(in + n + 10, 0);
	fou_put16(in + n + 10, fou_csum_fold(fou_csum_add(0, in + n, 20)));
	n += 1500;
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, SPORT);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_UNSPEC);
	assert_int_equal(outlen, n);
	assert_memory_equal(out, in, n);
	assert_int_equal(stats_sum().tx_packets, 0);
}

/* Changes the tunnel's device and flags as foud does when the route moves. */
static void tnl_route(uint32_t oif, uint8_t flags)
{
	struct foud_bpf_tnl c;
	uint32_t key = (uint32_t)g.tun_ifindex;

	assert_int_equal(bpf_map_lookup_elem(g.tnl, &key, &c), 0);
	c.oif = oif;
	c.flags |= flags;
	assert_int_equal(bpf_map_update_elem(g.tnl, &key, &c, BPF_EXIST), 0);
}

/* No route to the remote: dropped and counted, not sent to a stale device. */
static void test_tx_no_route(void **state)
{
	uint8_t in[128], out[256];
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP);

	(void)state;
	NEED_BPF();
	n += mk_inner4(in + n);
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, SPORT);
	tnl_route(0, 0);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_SHOT);
	assert_int_equal(stats_sum().tx_drop_no_route, 1);
	assert_int_equal(stats_sum().tx_packets, 0);
}

/* A route through a device BPF cannot send on: every packet goes to foud untouched. */
static void test_tx_userspace_flag(void **state)
{
	uint8_t in[128], out[256];
	uint32_t outlen = sizeof(out);
	size_t n = eth(in, FOU_ETH_P_IP);

	(void)state;
	NEED_BPF();
	n += mk_inner4(in + n);
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, SPORT);
	tnl_route(0, FOUD_BPF_F_USERSPACE);
	assert_int_equal(run(g.eg, in, n, out, &outlen, g.tun_ifindex), TC_ACT_UNSPEC);
	assert_int_equal(outlen, n);
	assert_memory_equal(out, in, n);
	assert_int_equal(stats_sum().tx_packets + stats_sum().tx_drop_no_route, 0);
}

/* ---- receive ------------------------------------------------------------ */

/* A receive point of foud's in the programs' maps, as daemon/bpf/bpf.c puts it (on) or takes it out. */
static void ours_set(const struct foud_bpf_ourskey *k, bool on)
{
	uint32_t proto = k->proto;
	uint8_t v = on;

	if (on)
		assert_int_equal(bpf_map_update_elem(g.ours, k, &v, BPF_ANY), 0);
	else
		bpf_map_delete_elem(g.ours, k);
	assert_int_equal(bpf_map_update_elem(g.ours_proto, &proto, &v, BPF_ANY), 0);
}

static void rx_setup(bool gue, bool gre_key, uint32_t ikey)
{
	struct foud_bpf_rxkey k = { .proto = gre_key ? FOU_PROTO_GRE : FOU_PROTO_IPIP, .udp = 1,
				    .has_key = gre_key, .key = ikey };
	struct foud_bpf_rxval v = { .ifindex = (uint32_t)g.tun_ifindex,
				    .inner = FOUD_BPF_INNER_V4 | FOUD_BPF_INNER_V6 };
	struct foud_bpf_portkey pk = { .port = PORT };
	struct foud_bpf_port p = { .gue = gue, .ipproto = FOU_PROTO_IPIP };
	struct foud_bpf_pstats *zero = calloc((size_t)g.ncpu, sizeof(*zero));
	struct foud_bpf_ourskey ours = { .proto = FOU_PROTO_UDP, .port = PORT };
	struct foud_bpf_rxkey next;

	while (bpf_map_get_next_key(g.rx, NULL, &next) == 0)
		bpf_map_delete_elem(g.rx, &next);
	memcpy(k.remote, REMOTE4, 4);
	memcpy(k.local, LOCAL4, 4);
	assert_int_equal(bpf_map_update_elem(g.rx, &k, &v, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(g.port, &pk, &p, BPF_ANY), 0);
	ours_set(&ours, true);
	assert_int_equal(bpf_map_update_elem(g.pstats, &pk, zero, BPF_ANY), 0);
	free(zero);
	tnl_set(FOUD_BPF_ENCAP_FOU, 0, 0, SPORT);
}

/* An IPIP/FOU packet from the remote to us, as the kernel's fou sends it; csum: with encap-csum. */
static size_t mk_rx_sum(uint8_t *p, const uint8_t *src, uint16_t dport, bool csum)
{
	uint8_t buf[256];
	struct fou_buf b = { .head = buf, .cap = sizeof(buf), .off = 128 };
	struct fou_addr s = { AF_INET }, d = { AF_INET };
	struct fou_ip_params ip = { .proto = FOU_PROTO_UDP, .ttl = 64, .df = true };
	size_t n = eth(p, FOU_ETH_P_IP);

	memcpy(s.a, src, 4);
	memcpy(d.a, LOCAL4, 4);
	ip.src = s;
	ip.dst = d;
	b.len = mk_inner4(buf + b.off);
	assert_int_equal(fou_udp_push(&b, 40000, dport, &s, &d, csum), 0);
	assert_int_equal(fou_ip_push(&b, &ip), 0);
	memcpy(p + n, fou_buf_data(&b), b.len);
	return n + b.len;
}

static size_t mk_rx(uint8_t *p, const uint8_t *src, uint16_t dport)
{
	return mk_rx_sum(p, src, dport, false);
}

static void rx_expect_ok(const uint8_t *pkt, size_t n)
{
	uint8_t out[512];
	uint32_t outlen = sizeof(out);

	assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_UNSPEC);
	assert_int_equal(outlen, n);
	assert_memory_equal(out, pkt, n);
	assert_int_equal(stats_sum().rx_packets, 0);
}

static void test_rx_fou_valid(void **state)
{
	uint8_t pkt[256], out[256], inner[64];
	uint32_t outlen = sizeof(out);
	size_t n, ilen;
	struct foud_bpf_stats s;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	ilen = mk_inner4(inner);
	assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_REDIRECT);
	/* The Ethernet header stays for the redirect to strip; then the inner packet. */
	assert_int_equal(outlen, 14 + ilen);
	assert_memory_equal(out + 14, inner, ilen);
	s = stats_sum();
	assert_int_equal(s.rx_packets, 1);
	assert_int_equal(s.rx_bytes, ilen);
}

/*
 * A checksum nothing verified: the program sums it. Right: decapsulated;
 * a payload changed after it: foud's socket (the kernel drops it); the
 * pseudo-header's sum alone (what a sender leaves pending): foud's.
 */
static void test_rx_udp_csum_summed(void **state)
{
	uint8_t pkt[256], bad[256], out[256];
	uint32_t outlen = sizeof(out);
	struct fou_addr s = { AF_INET }, d = { AF_INET };
	uint32_t psum;
	size_t n, u, w;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx_sum(pkt, REMOTE4, PORT, true);	/* test runs hand the programs CHECKSUM_NONE skbs */
	u = 14 + 20;
	assert_int_not_equal(fou_get16(pkt + u + 6), 0);
	memcpy(bad, pkt, n);
	bad[n - 1] ^= 0x01;
	rx_expect_ok(bad, n);
	memcpy(s.a, REMOTE4, 4);
	memcpy(d.a, LOCAL4, 4);
	/* the field holds the pseudo-header's sum, and a payload word makes the bytes sum right */
	memcpy(bad, pkt, n);
	psum = fou_csum_pseudo(&s, &d, FOU_PROTO_UDP, (uint32_t)(n - u));
	w = u + ((n - u - 2) & ~(size_t)1);
	fou_put16(bad + u + 6, (uint16_t)~fou_csum_fold(psum));
	fou_put16(bad + w, 0);
	fou_put16(bad + w, fou_csum_fold(fou_csum_add(psum, bad + u, n - u)));
	assert_int_equal(fou_csum_fold(fou_csum_add(psum, bad + u, n - u)), 0);
	rx_expect_ok(bad, n);
	assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_REDIRECT);
	assert_int_equal(stats_sum().rx_packets, 1);
}

/* The tunnel device is down: the packet is dropped and counted, once, as link_down. */
static void test_rx_link_down(void **state)
{
	uint8_t pkt[256], out[256];
	uint32_t outlen = sizeof(out);
	struct foud_bpf_rxkey k = { .proto = FOU_PROTO_IPIP, .udp = 1 };
	struct foud_bpf_rxval v;
	struct foud_bpf_stats s;
	size_t n;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	memcpy(k.remote, REMOTE4, 4);
	memcpy(k.local, LOCAL4, 4);
	assert_int_equal(bpf_map_lookup_elem(g.rx, &k, &v), 0);
	v.flags |= FOUD_BPF_RX_DOWN;
	assert_int_equal(bpf_map_update_elem(g.rx, &k, &v, BPF_EXIST), 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_SHOT);
	s = stats_sum();
	assert_int_equal(s.rx_drop_link_down, 1);
	assert_int_equal(s.rx_packets, 0);
	/* Not a packet for this tunnel: still foud's to judge, not counted here. */
	rx_expect_ok(pkt, mk_rx(pkt, OTHER4, PORT));
	assert_int_equal(stats_sum().rx_drop_link_down, 1);
}

static void test_rx_truncated(void **state)
{
	uint8_t pkt[256];
	size_t n;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	rx_expect_ok(pkt, n - 3);		/* IP total length past the end */
	rx_expect_ok(pkt, 14 + 20 + 4);		/* UDP header cut */
	rx_expect_ok(pkt, 14 + 20);		/* UDP header missing */
}

static void test_rx_bad_lengths(void **state)
{
	uint8_t pkt[256];
	size_t n;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	fou_put16(pkt + 14 + 24, (uint16_t)(fou_get16(pkt + 14 + 24) + 1));	/* UDP length */
	rx_expect_ok(pkt, n);
	n = mk_rx(pkt, REMOTE4, PORT);
	fou_put16(pkt + 14 + 28 + 2, 0x30);	/* inner total length, checksum now wrong too */
	rx_expect_ok(pkt, n);
	n = mk_rx(pkt, REMOTE4, PORT);
	pkt[14 + 10] ^= 1;			/* outer header checksum */
	rx_expect_ok(pkt, n);
}

static void test_rx_wrong_peer(void **state)
{
	uint8_t pkt[256];

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	rx_expect_ok(pkt, mk_rx(pkt, OTHER4, PORT));
}

static void test_rx_wrong_port(void **state)
{
	uint8_t pkt[256];

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	rx_expect_ok(pkt, mk_rx(pkt, REMOTE4, PORT + 1));
}

/* mk_rx's inner IPv4 header with another protocol and flags, checksum redone. */
static void rx_inner_set(uint8_t *pkt, uint8_t proto, uint16_t frag)
{
	uint8_t *h = pkt + 14 + 20 + 8;

	h[9] = proto;
	fou_put16(h + 6, frag);
	fou_put16(h + 10, 0);
	fou_put16(h + 10, fou_csum_fold(fou_csum_add(0, h, 20)));
}

/* Whether the program takes pkt (redirects it into the tunnel). */
static bool rx_taken(const uint8_t *pkt, size_t n)
{
	uint8_t out[512];
	uint32_t outlen = sizeof(out);

	return run(g.in, pkt, n, out, &outlen, 0) == TC_ACT_REDIRECT;
}

/*
 * An inner packet for one of foud's receive points (a UDP or TCP port, a
 * raw protocol) would nest: foud has it, and drops it.
 */
static void test_rx_nested(void **state)
{
	static const struct foud_bpf_ourskey keys[] = {
		{ .proto = FOU_PROTO_UDP, .port = 2000 },
		{ .proto = FOU_PROTO_TCP, .port = 2000 },
		{ .proto = FOU_PROTO_IPIP },
	};
	uint8_t pkt[256];
	size_t n, i;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		n = mk_rx(pkt, REMOTE4, PORT);
		rx_inner_set(pkt, keys[i].proto, FOU_IP_DF);
		assert_true(rx_taken(pkt, n));
		rx_setup(false, false, 0);
		ours_set(&keys[i], true);
		rx_expect_ok(pkt, n);
		ours_set(&keys[i], false);
		rx_setup(false, false, 0);
		assert_true(rx_taken(pkt, n));
	}
}

/* A protocol whose ports did not all fit the map: every packet of it is foud's to judge. */
static void test_rx_ours_full(void **state)
{
	uint32_t proto = FOU_PROTO_UDP;
	uint8_t pkt[256], all = FOUD_BPF_OURS_ALL;
	size_t n;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	assert_true(rx_taken(pkt, n));
	rx_setup(false, false, 0);
	assert_int_equal(bpf_map_update_elem(g.ours_proto, &proto, &all, BPF_ANY), 0);
	rx_expect_ok(pkt, n);
	rx_setup(false, false, 0);
}

/* A fragment (first or later) could be part of a nested packet: foud judges it. */
static void test_rx_fragment(void **state)
{
	uint8_t pkt[256];
	size_t n;

	(void)state;
	NEED_BPF();
	rx_setup(false, false, 0);
	n = mk_rx(pkt, REMOTE4, PORT);
	rx_inner_set(pkt, FOU_PROTO_TCP, FOU_IP_MF);
	rx_expect_ok(pkt, n);
	rx_inner_set(pkt, FOU_PROTO_ICMP, 1);
	rx_expect_ok(pkt, n);
}

/* GUE: variant 0 without flags is ours; a flag (RCO, say) is foud's. */
static void test_rx_gue(void **state)
{
	uint8_t pkt[256], out[256], buf[256];
	uint32_t outlen = sizeof(out);
	struct fou_buf b = { .head = buf, .cap = sizeof(buf), .off = 128 };
	struct fou_addr s = { AF_INET }, d = { AF_INET };
	struct fou_ip_params ip = { .proto = FOU_PROTO_UDP, .ttl = 64 };
	size_t n = eth(pkt, FOU_ETH_P_IP);

	(void)state;
	NEED_BPF();
	rx_setup(true, false, 0);
	memcpy(s.a, REMOTE4, 4);
	memcpy(d.a, LOCAL4, 4);
	ip.src = s;
	ip.dst = d;
	b.len = mk_inner4(buf + b.off);
	assert_int_equal(fou_gue_push(&b, FOU_PROTO_IPIP, NULL), 0);
	assert_int_equal(fou_udp_push(&b, 40000, PORT, &s, &d, false), 0);
	assert_int_equal(fou_ip_push(&b, &ip), 0);
	memcpy(pkt + n, fou_buf_data(&b), b.len);
	n += b.len;
	assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_REDIRECT);
	assert_int_equal(outlen, n - 32);
	pkt[14 + 28 + 3] = 1;			/* the P flag */
	rx_setup(true, false, 0);
	rx_expect_ok(pkt, n);
}

/* GRE over FOU: the tunnel's key is taken, another key or none is foud's. */
static void test_rx_gre_key(void **state)
{
	uint8_t pkt[256], out[256], buf[256];
	struct fou_addr s = { AF_INET }, d = { AF_INET };
	struct fou_ip_params ip = { .proto = FOU_PROTO_UDP, .ttl = 64 };
	struct foud_bpf_portkey pk = { .port = PORT };
	struct foud_bpf_port p = { .ipproto = FOU_PROTO_GRE };
	struct fou_gre gr = { .flags = FOU_GRE_KEY, .proto = FOU_ETH_P_IP, .key = 7 };
	uint32_t key, outlen;
	size_t n;

	(void)state;
	NEED_BPF();
	memcpy(s.a, REMOTE4, 4);
	memcpy(d.a, LOCAL4, 4);
	ip.src = s;
	ip.dst = d;
	for (key = 6; key <= 7; key++) {
		struct fou_buf b = { .head = buf, .cap = sizeof(buf), .off = 128 };

		rx_setup(false, true, 7);
		assert_int_equal(bpf_map_update_elem(g.port, &pk, &p, BPF_ANY), 0);
		gr.key = key;
		b.len = mk_inner4(buf + b.off);
		assert_int_equal(fou_gre_push(&b, &gr), 0);
		assert_int_equal(fou_udp_push(&b, 40000, PORT, &s, &d, false), 0);
		assert_int_equal(fou_ip_push(&b, &ip), 0);
		n = eth(pkt, FOU_ETH_P_IP);
		memcpy(pkt + n, fou_buf_data(&b), b.len);
		n += b.len;
		outlen = sizeof(out);
		if (key == 7) {
			assert_int_equal(run(g.in, pkt, n, out, &outlen, 0), TC_ACT_REDIRECT);
			assert_int_equal(outlen, n - 36);
		} else {
			rx_expect_ok(pkt, n);
		}
	}
}

/* What foud says of a refusal: the verifier's last line but its statistics (6.1's log, cap_copy's). */
static void test_verifier_reason(void **state)
{
	static const char log[] =
		"3031: (85) call bpf_skb_load_bytes#26\n"
		"invalid access to memory, mem_size=4120 off=24 size=0\n"
		"R3 min value is outside of the allowed memory range\n"
		"processed 4272 insns (limit 1000000) max_states_per_insn 4 total_states 120\n"
		"verification time 1234 usec\n\n";
	char out[96];

	(void)state;
	foud_bpf_obj_reason(log, out, sizeof(out));
	assert_string_equal(out, "R3 min value is outside of the allowed memory range");
	foud_bpf_obj_reason("processed 1 insns\n", out, sizeof(out));
	assert_string_equal(out, "");
	foud_bpf_obj_reason("", out, sizeof(out));
	assert_string_equal(out, "");
	foud_bpf_obj_reason("Unreleased reference id=58 alloc_insn=1885", out, 12);
	assert_string_equal(out, "Unreleased ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_ipip_fou),
		cmocka_unit_test(test_tx_gre_key_gue),
		cmocka_unit_test(test_tx_gre_none),
		cmocka_unit_test(test_tx_sport_auto_in_range),
		cmocka_unit_test(test_tx_loop_dropped),
		cmocka_unit_test(test_tx_too_big_to_userspace),
		cmocka_unit_test(test_tx_no_route),
		cmocka_unit_test(test_tx_userspace_flag),
		cmocka_unit_test(test_rx_fou_valid),
		cmocka_unit_test(test_rx_udp_csum_summed),
		cmocka_unit_test(test_rx_link_down),
		cmocka_unit_test(test_rx_truncated),
		cmocka_unit_test(test_rx_bad_lengths),
		cmocka_unit_test(test_rx_wrong_peer),
		cmocka_unit_test(test_rx_wrong_port),
		cmocka_unit_test(test_rx_nested),
		cmocka_unit_test(test_rx_fragment),
		cmocka_unit_test(test_rx_ours_full),
		cmocka_unit_test(test_rx_gue),
		cmocka_unit_test(test_rx_gre_key),
		cmocka_unit_test(test_verifier_reason),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
