/* SPDX-License-Identifier: MIT */
/*
 * STT devices (draft-davie-stt-08), the class foud_stt_ops: overlay.c's TAP,
 * forwarding table and flooding, with STT's own I/O. An STT frame (18-byte header + inner
 * Ethernet frame, up to 64 KiB, a TSO super-frame from the TAP included)
 * is cut into TCP-like segments that fit the path MTU: by the kernel's TSO
 * or GSO from one super-packet (io/pkt.c), else here, each segment sent on
 * the raw IP socket; segments arrive on a raw IPPROTO_TCP socket per family, with
 * a classic BPF filter for destination port 7471, and are reassembled in
 * one bounded table shared by every device (the device is known only from
 * the context ID in the frame's first bytes).
 *
 * No kernel socket owns port 7471, so the host's TCP would answer every
 * segment with a reset. foud installs the nftables table `inet foud_stt`
 * while an STT device exists: in prerouting, segments for a local address
 * and port 7471 are marked "other host", which raw sockets still receive
 * and TCP silently discards (tcp_v4_rcv/tcp_v6_rcv take PACKET_HOST only;
 * the port is matched before the FIB lookup, which every other packet of
 * the host would otherwise pay);
 * in output, any reset from port 7471 that still appears is dropped and
 * counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "ctl.h"
#include "fou/l2.h"
#include "foud.h"
#include "foud_l2.h"
#include "rx.h"
#include "stt_peers.h"

#define STT_SLOTS	64	/* frames in reassembly: 64 x 64 KiB, OVS's 4 MB threshold */
#define STT_TIMEOUT_MS	2000	/* a frame's segments leave back to back; OVS waited 30 s */
#define STT_L4OFF_MAX	255	/* the L4 offset field is one byte */
#define STT_TCP_CSUM	16
#define STT_UDP_CSUM	6
/* STT cuts frames to the path itself: OVS's STT device MTU, 65535 - TCP, STT, IPv4, Ethernet. */
#define STT_MTU		(65535 - FOU_STT_TCP_HLEN - FOU_STT_HLEN - FOU_IPV4_HLEN - FOU_ETH_HLEN)
#define STT_MTU_MAX	(65535 - FOU_STT_HLEN - FOU_ETH_HLEN - 4)	/* room for an 802.1Q tag */

/* Room before the frame for a whole super-packet's headers (pkt.c). */
#define STT_ROOM	(FOU_VNET_HLEN + FOU_ETH_HLEN + FOU_IPV6_HLEN + FOU_STT_TCP_HLEN)
#define STT_PATHS	8	/* next hops remembered for super-packets */

#define STR_(x)		#x
#define STR(x)		STR_(x)

static const char nft_add[] =
	"add table inet foud_stt\n"
	"delete table inet foud_stt\n"
	"table inet foud_stt {\n"
	"	chain prerouting {\n"
	"		type filter hook prerouting priority -300; policy accept;\n"
	"		tcp dport " STR(FOU_PORT_STT) " fib daddr type local notrack meta pkttype set other\n"
	"	}\n"
	"	chain output {\n"
	"		type filter hook output priority 0; policy accept;\n"
	"		tcp sport " STR(FOU_PORT_STT) " tcp flags & rst == rst counter drop\n"
	"	}\n"
	"}\n";
static const char nft_del[] = "add table inet foud_stt\ndelete table inet foud_stt\n";

/* State shared by every STT device. */
struct foud_stt {
	struct foud_ev ev[2];		/* raw TCP receive sockets: IPv4, IPv6 */
	unsigned int users[2];
	unsigned int devices;
	bool nft;			/* our nftables table is installed */
	struct fou_stt_reasm reasm;
	struct foud_stt_peers peers;	/* who may send segments (stt_peers.c) */
	void *mem;
	uint32_t frame_id;
	uint16_t ip_id;
	struct foud_stats st;		/* segments and frames that reach no device */
	/* One sendmmsg of segments for one device, in d->txb. */
	struct foud_tunnel *txt;
	struct foud_txq q;		/* segments of txt's frames; inner lengths 0: counted as frames */
	int pkt;			/* AF_PACKET socket for super-packets, or -errno */
	struct foud_pkt_path path[STT_PATHS];
	unsigned int path_next;
	uint8_t out[STT_ROOM + FOU_STT_MAX_FRAME];	/* the STT frame being sent, at STT_ROOM */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int fam_idx(int family)
{
	return family == AF_INET6;
}

/* ---- nftables ----------------------------------------------------------- */

/* Feeds script to `nft -f -`; 0 when nft exits 0. */
static int stt_nft(const char *script)
{
	static char *const argv[] = { "nft", "-f", "-", NULL };
	size_t len = strlen(script);
	int pfd[2], status, null;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(pfd[0], 0);
		if (null >= 0)
			dup2(null, 1);
		execvp("nft", argv);
		execv("/usr/sbin/nft", argv);
		_exit(127);
	}
	close(pfd[0]);
	if (write(pfd[1], script, len) != (ssize_t)len)
		foud_log(LOG_WARNING, "stt: cannot write to nft: %s", strerror(errno));
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* ---- receive ------------------------------------------------------------ */

/*
 * Destination port 7471 only, so foud does not wake for the host's other
 * TCP traffic. An IPv4 raw socket's filter sees the IP header, an IPv6
 * one starts at the TCP header.
 */
static int stt_filter(int fd, int family)
{
	struct sock_filter v4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FOU_PORT_STT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FOU_PORT_STT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {
		.len = family == AF_INET ? 5 : 4,
		.filter = family == AF_INET ? v4 : v6,
	};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ? -errno : 0;
}

/* STT devices in l2_hash.c's index: by the context ID's low 32 bits. */
static int stt_index(struct foud *d, struct foud_tunnel *t)
{
	return foud_l2_key_index(d, t, &foud_stt_ops, (uint32_t)cmd_l2_cfg(t)->key);
}

/* The STT device for a context ID on a local address: a hash, not a walk. */
static struct foud_tunnel *stt_find(struct foud *d, uint64_t ctx, const struct fou_addr *dst)
{
	struct foud_tunnel *t = NULL;

	while ((t = foud_l2_key_next(d, &foud_stt_ops, (uint32_t)ctx, t))) {
		const struct cmd_l2_cfg *c = cmd_l2_cfg(t);

		if (c->key == ctx && fou_addr_eq(&c->local, dst))
			return t;
	}
	return NULL;
}

/* Only when the index could not take some device's peers (out of memory). */
static bool stt_peer_walk(struct foud *d, const struct fou_addr *src, const struct fou_addr *dst)
{
	struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, d) {
		const struct cmd_l2_cfg *c = t->ops == &foud_stt_ops ? cmd_l2_cfg(t) : NULL;

		if (c && fou_addr_eq(&c->local, dst) && foud_l2_peer_ok(t, src))
			return true;
	}
	return false;
}

/* Before a segment takes reassembly memory: is its source a peer of some STT device? */
static bool stt_peer_known(struct foud *d, const struct fou_addr *src, const struct fou_addr *dst)
{
	const struct foud_stt_peers *p = &d->stt->peers;

	return foud_stt_peers_has(p, src, dst) || (p->partial && stt_peer_walk(d, src, dst));
}

static void stt_rx_count(struct foud_tunnel *t, int ret, size_t len)
{
	if (ret) {
		t->st.rx_drop[-ret]++;
		return;
	}
	t->st.rx_packets++;
	t->st.rx_bytes += len;
}

/* A super-frame without offloads on the TAP: cut here, each segment written whole. */
static void stt_deliver_sw(struct foud *d, struct foud_tunnel *t, const struct fou_vnet_hdr *vh,
			   const uint8_t *frame, size_t len)
{
	uint8_t *seg = d->sendbuf;
	struct fou_vnet_hdr ip = *vh;
	struct fou_gso g;
	size_t n;
	int ret;

	ip.csum_start = (uint16_t)(vh->csum_start - FOU_ETH_HLEN);
	ret = fou_gso_init(&g, &ip, frame + FOU_ETH_HLEN, len - FOU_ETH_HLEN);
	if (ret) {
		t->st.rx_drop[-ret]++;
		return;
	}
	memset(seg, 0, FOU_VNET_HLEN);
	memcpy(seg + FOU_VNET_HLEN, frame, FOU_ETH_HLEN);
	while ((ret = fou_gso_next(&g, seg + FOU_VNET_HLEN + FOU_ETH_HLEN,
				   FOUD_PKT_MAX - FOU_VNET_HLEN - FOU_ETH_HLEN, &n)) > 0)
		stt_rx_count(t, foud_tun_write_raw(t->ev.fd, seg, FOU_VNET_HLEN + FOU_ETH_HLEN + n),
			     FOU_ETH_HLEN + n);
	if (ret < 0)
		t->st.rx_drop[-ret]++;
}

/*
 * A TCP super-frame (P and an MSS) goes to the TAP in one write with a GSO
 * virtio header, as the sender's TAP gave it; its checksum field already
 * holds the pseudo-header sum.
 */
static void stt_deliver_gso(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
			    const struct fou_stt *h, size_t l4_off)
{
	const uint8_t *f = fou_buf_data(b);
	struct fou_vnet_hdr vh = {
		.flags = FOU_VNET_F_NEEDS_CSUM,
		.gso_type = h->flags & FOU_STT_F_IPV4 ? FOU_VNET_GSO_TCPV4 : FOU_VNET_GSO_TCPV6,
		.gso_size = h->mss,
		.csum_start = (uint16_t)l4_off,
		.csum_offset = STT_TCP_CSUM,
	};
	size_t len = b->len;
	uint8_t *p;

	vh.hdr_len = (uint16_t)(l4_off + (size_t)(f[l4_off + 12] >> 4) * 4);
	if (l4_off < FOU_ETH_HLEN || vh.hdr_len > len || vh.hdr_len < l4_off + FOU_STT_TCP_HLEN) {
		t->st.rx_drop[FOU_DROP_STT_FLAGS]++;
		return;
	}
	if (!d->offload) {
		stt_deliver_sw(d, t, &vh, f, len);
		return;
	}
	p = fou_buf_push(b, FOU_VNET_HLEN);
	fou_vnet_put(p, &vh);
	stt_rx_count(t, foud_tun_write_raw(t->ev.fd, p, b->len), len);
}

/* An 802.1Q tag from the STT header goes back into the frame (4 bytes of headroom). */
static int stt_vlan_insert(struct fou_buf *b, uint16_t tci)
{
	uint8_t *p = fou_buf_push(b, 4);

	if (!p)
		return -FOU_DROP_TOO_SHORT;
	memmove(p, p + 4, 2 * FOU_ETH_ALEN);
	fou_put16(p + 12, FOU_ETH_P_8021Q);
	fou_put16(p + 14, tci & (uint16_t)~FOU_STT_TCI_VALID);
	return 0;
}

/*
 * A frame's segments, for an outer capture: held by capture.c until the
 * frame is whole and names its device (the context is in its first bytes).
 */
struct stt_capkey {
	struct fou_addr src, dst;
	uint32_t id;
	uint16_t sport;
};

static void stt_capkey(struct stt_capkey *k, const struct foud_rxmeta *m,
		       const struct fou_stt_seg *seg)
{
	size_t alen = m->src.family == AF_INET6 ? 16 : 4;

	/* Compared whole: only the address bytes in use, the rest zero. */
	memset(k, 0, sizeof(*k));
	k->src.family = k->dst.family = m->src.family;
	memcpy(k->src.a, m->src.a, alen);
	memcpy(k->dst.a, m->dst.a, alen);
	k->id = seg->id;
	k->sport = seg->sport;
}

/*
 * Every segment's TCP checksum, which covers the frame, was verified
 * (fou_stt_tcp_pull()): the inner packet is not summed again.
 */
static void stt_deliver(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	d->rx_verified = true;
	foud_gro_input(d, t, b, FOU_ETH_HLEN, false);
	d->rx_verified = false;
}

/* A whole STT frame; a drop before a device is known is the caller's to count. */
static int stt_frame_input(struct foud *d, const struct fou_stt_frame *fr,
			   const struct fou_addr *src, const struct fou_addr *dst,
			   const struct stt_capkey *k)
{
	struct fou_buf b = { .head = (uint8_t *)fr->data, .cap = fr->len, .len = fr->len };
	struct foud_tunnel *t;
	size_t l4_off;
	struct fou_stt h;
	int ret;

	ret = fou_stt_pull(&b, &h);
	t = ret ? NULL : stt_find(d, h.context, dst);
	foud_cap_rx_claim(t ? t->ev.fd : -1, k, sizeof(*k));
	if (ret)
		return ret;
	if (!t)
		return -FOU_DROP_NO_TUNNEL;
	l4_off = h.l4_off;
	ret = foud_l2_peer_ok(t, src) ? 0 : -FOU_DROP_UNKNOWN_PEER;
	/* RFC 6040 with the outer ECN of all segments (CE if any was), before the tag goes in. */
	if (!ret)
		ret = fou_l2_ecn_decap(fou_buf_data(&b), b.len, fr->tos);
	if (!ret && (h.tci & FOU_STT_TCI_VALID)) {
		ret = stt_vlan_insert(&b, h.tci);
		l4_off += 4;
	}
	if (!ret)
		ret = foud_l2_rx_learn(d, t, fou_buf_data(&b), b.len, src);
	if (ret) {
		t->st.rx_drop[-ret]++;
		foud_log_drop(t->name, -ret, src);
		return 0;
	}
	if ((h.flags & FOU_STT_F_CSUM_PARTIAL) && h.mss)
		stt_deliver_gso(d, t, &b, &h, l4_off);
	else
		stt_deliver(d, t, &b);
	return 0;
}

static int stt_rx_one(struct foud *d, struct foud_stt *s, struct fou_buf *b,
		      struct foud_rxmeta *m, int family)
{
	struct fou_stt_frame fr;
	struct fou_stt_seg seg;
	struct stt_capkey k;
	uint64_t evicted;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	if (family == AF_INET && (ret = foud_raw_outer_v4(b, m)))
		return ret;
	/*
	 * A raw socket cannot say whether the kernel left the checksum partial
	 * (segments it merged by GRO, or cut from a GSO packet and passed on
	 * over a veth): that form is accepted too.
	 */
	ret = fou_stt_tcp_pull_gro(b, &m->src, &m->dst, &seg, true);
	if (ret)
		return ret;
	if (seg.dport != FOU_PORT_STT)
		return -FOU_DROP_NO_TUNNEL;
	if (!stt_peer_known(d, &m->src, &m->dst))
		return -FOU_DROP_UNKNOWN_PEER;
	stt_capkey(&k, m, &seg);
	foud_cap_rx_hold(&k, sizeof(k));
	evicted = s->reasm.evicted;
	ret = fou_stt_reasm_add(&s->reasm, &m->src, &m->dst, &seg, fou_buf_data(b), b->len,
				m->tos, now_ms(), &fr);
	/* A frame pushed out to make room is lost: counted where refused segments are. */
	s->st.rx_drop[FOU_DROP_STT_REASM] += s->reasm.evicted - evicted;
	if (ret <= 0)
		return ret;
	return stt_frame_input(d, &fr, &m->src, &m->dst, &k);
}

static int stt_rx_v4(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	return stt_rx_one(d, ctx, b, m, AF_INET);
}

static int stt_rx_v6(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	return stt_rx_one(d, ctx, b, m, AF_INET6);
}

static void stt_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_stt *s = d->stt;
	const struct foud_rxpt rp = {
		.name = "stt", .count = &s->st, .drops = &s->st,
		.one = ev == &s->ev[1] ? stt_rx_v6 : stt_rx_v4, .ctx = s,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* ---- transmit ----------------------------------------------------------- */

static void stt_flush(struct foud *d)
{
	struct foud_stt *s = d->stt;
	struct foud_tunnel *t;
	struct foud_stats st = { 0 };
	size_t i;

	if (!s || !s->q.n)
		return;
	t = s->txt;
	/* Frames were counted when queued; failed segments count as drops. */
	foud_cap_txq(t->ev.fd, &s->q);
	if (foud_txq_send(&s->q, foud_raw_tx(d, cmd_l2_cfg(t)->local.family), &st))
		t->path_mtu = foud_path_mtu(&cmd_l2_cfg(t)->remote);
	for (i = 0; i < FOU_DROP__MAX; i++)
		t->st.tx_drop[i] += st.tx_drop[i];
}

static void stt_queue(struct foud *d, struct foud_stt *s, struct fou_buf *b,
		      const struct fou_addr *dst)
{
	int i = foud_txq_add(&s->q, b, 0);

	s->q.mm[i].msg_hdr.msg_name = &s->q.to[i];
	s->q.mm[i].msg_hdr.msg_namelen = foud_sockaddr(&s->q.to[i], dst, dst->family, 0);
	if (s->q.n == FOUD_BATCH)
		stt_flush(d);
}

/* The remembered next hop toward dst, asked again when stale; NULL when there is none now. */
static struct foud_pkt_path *stt_path(struct foud_stt *s, const struct fou_addr *dst)
{
	struct foud_pkt_path *p = NULL;
	size_t i;

	for (i = 0; i < STT_PATHS && !p; i++)
		if (fou_addr_eq(&s->path[i].dst, dst))
			p = &s->path[i];
	if (!p)
		p = &s->path[s->path_next++ % STT_PATHS];
	return foud_pkt_path(s->pkt, p, dst, now_ms()) ? NULL : p;
}

/*
 * The whole STT frame at s->out + STT_ROOM as one TCP super-packet, for the
 * kernel to cut into segments of mss bytes: what leaves is what
 * fou_stt_tx_next() would have made (seq = length << 16 | offset, PSH on the
 * last, IP IDs counting up). Nonzero: the caller cuts it itself.
 */
static int stt_send_gso(struct foud_stt *s, const struct fou_stt_flow *f,
			struct fou_ip_params *ip, size_t flen, size_t mss)
{
	size_t iphl = f->src.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	struct fou_buf b = { .head = s->out, .cap = sizeof(s->out), .off = STT_ROOM, .len = flen };
	struct fou_vnet_hdr vh = {
		.flags = FOU_VNET_F_NEEDS_CSUM,
		.gso_type = f->src.family == AF_INET6 ? FOU_VNET_GSO_TCPV6 : FOU_VNET_GSO_TCPV4,
		.hdr_len = (uint16_t)(FOU_ETH_HLEN + iphl + FOU_STT_TCP_HLEN),
		.gso_size = (uint16_t)mss,
		.csum_start = (uint16_t)(FOU_ETH_HLEN + iphl),
		.csum_offset = STT_TCP_CSUM,
	};
	struct foud_pkt_path *p;
	int ret;

	if (s->pkt < 0 || flen <= mss || flen + FOU_STT_TCP_HLEN + (iphl == FOU_IPV4_HLEN ? iphl : 0) > 65535 ||
	    !(p = stt_path(s, &f->dst)))
		return -EAGAIN;
	ip->id = s->ip_id;
	ret = fou_stt_tcp_push_gso(&b, f);
	if (!ret)
		ret = fou_ip_push(&b, ip);
	if (!ret)
		ret = foud_pkt_send(s->pkt, p, &b, &vh);
	if (!ret)
		s->ip_id = (uint16_t)(s->ip_id + (flen + mss - 1) / mss);
	return ret;
}

/* Cuts the STT frame at s->out + STT_ROOM into segments for dst and queues them. */
static int stt_send(struct foud *d, struct foud_tunnel *t, const struct fou_addr *dst,
		    size_t flen, uint16_t sport, uint8_t tos, uint8_t ttl)
{
	struct foud_stt *s = d->stt;
	const struct cmd_l2_cfg *c = cmd_l2_cfg(t);
	size_t iphl = c->local.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	struct fou_stt_flow f = {
		.src = c->local, .dst = *dst, .sport = sport, .dport = FOU_PORT_STT,
		.id = ++s->frame_id,
	};
	struct fou_ip_params ip = {
		.src = c->local, .dst = *dst, .proto = FOU_PROTO_TCP, .tos = tos,
		.ttl = ttl, .df = true, .flowlabel = sport,
	};
	struct fou_stt_tx tx;
	struct fou_buf *b;
	int ret;

	if (t->path_mtu <= iphl + FOU_STT_TCP_HLEN)
		return -FOU_DROP_MTU;
	/*
	 * Only with `gso` (AF_PACKET passes by netfilter's output hook, IPsec
	 * policies and mark routing: an operator asks for it), in order with the
	 * segments already queued, and only with offloads on
	 * (-O: foud cuts), and while no outer capture runs on the device: it
	 * records the segments foud sends.
	 */
	if (c->gso && d->offload && !foud_cap_outer(t->ev.fd)) {
		stt_flush(d);
		if (!stt_send_gso(s, &f, &ip, flen, t->path_mtu - iphl - FOU_STT_TCP_HLEN))
			return 0;
	}
	ret = fou_stt_tx_init(&tx, &f, s->out + STT_ROOM, flen, t->path_mtu - iphl - FOU_STT_TCP_HLEN);
	if (ret)
		return ret;
	if (s->q.n && s->txt != t)
		stt_flush(d);
	s->txt = t;
	for (;;) {
		b = &d->txb.buf[s->q.n];
		b->off = FOUD_HEADROOM;
		ret = fou_stt_tx_next(&tx, b);
		if (ret <= 0)
			break;
		ip.id = s->ip_id++;
		ret = fou_ip_push(b, &ip);
		if (ret)
			break;
		stt_queue(d, s, b, dst);
	}
	return ret;
}

/*
 * The STT offload fields for a frame from the TAP. A TCP super-frame is
 * sent whole with P and its MSS (the receiver's TAP cuts it, or the
 * receiver does); a partial checksum travels as P; anything STT cannot
 * describe (ECN with TSO, draft 3.1; an L4 offset over 255; UDP
 * fragmentation) returns 1: the caller cuts it first.
 */
static int stt_offload(const struct fou_vnet_hdr *vh, uint8_t *frame, size_t len,
		       struct fou_stt *h)
{
	uint8_t gso = vh->gso_type;
	bool v4 = len > FOU_ETH_HLEN && (frame[FOU_ETH_HLEN] >> 4) == 4;

	if (gso != FOU_VNET_GSO_NONE) {
		if ((gso != FOU_VNET_GSO_TCPV4 && gso != FOU_VNET_GSO_TCPV6) ||
		    vh->csum_start > STT_L4OFF_MAX || len + FOU_STT_HLEN > FOU_STT_MAX_FRAME ||
		    !vh->gso_size)
			return 1;
		h->flags = FOU_STT_F_CSUM_PARTIAL | FOU_STT_F_TCP |
			   (gso == FOU_VNET_GSO_TCPV4 ? FOU_STT_F_IPV4 : 0);
		h->l4_off = (uint8_t)vh->csum_start;
		h->mss = vh->gso_size;
		return 0;
	}
	if (!(vh->flags & FOU_VNET_F_NEEDS_CSUM))
		return 0;
	if (vh->csum_start <= STT_L4OFF_MAX &&
	    (vh->csum_offset == STT_TCP_CSUM || vh->csum_offset == STT_UDP_CSUM) &&
	    (size_t)vh->csum_start + vh->csum_offset + 2 <= len) {
		h->flags = FOU_STT_F_CSUM_PARTIAL | (v4 ? FOU_STT_F_IPV4 : 0) |
			   (vh->csum_offset == STT_TCP_CSUM ? FOU_STT_F_TCP : 0);
		h->l4_off = (uint8_t)vh->csum_start;
		return 0;
	}
	return fou_csum_complete(frame, len, vh->csum_start, vh->csum_offset);
}

/* One frame (offloads described by h) to its destinations. */
static int stt_xmit_frame(struct foud *d, struct foud_tunnel *t, const uint8_t *frame,
			  size_t len, struct fou_stt *h)
{
	struct foud_stt *s = d->stt;
	const struct fou_addr *dst;
	struct fou_buf b;
	uint8_t tos, ttl;
	uint16_t sport;
	size_t i, n;
	int ret;

	if (len < FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (len + FOU_STT_HLEN > FOU_STT_MAX_FRAME)
		return -FOU_DROP_MTU;
	n = foud_l2_dests(t, frame, &dst);
	if (!n)
		return -FOU_DROP_NO_TUNNEL;
	foud_l2_outer(t, frame, len, &tos, &ttl);
	sport = fou_l2_sport(frame, len, d->hash_seed, 1, 65535);
	h->context = cmd_l2_cfg(t)->key;
	memcpy(s->out + STT_ROOM + FOU_STT_HLEN, frame, len);
	b = (struct fou_buf){ .head = s->out, .cap = sizeof(s->out), .off = STT_ROOM + FOU_STT_HLEN,
			      .len = len };
	ret = fou_stt_push(&b, h);
	for (i = 0; !ret && i < n; i++) {
		ret = stt_send(d, t, &dst[i], b.len, sport, tos, ttl);
		if (!ret) {
			t->st.tx_packets++;
			t->st.tx_bytes += len;
		}
	}
	return ret;
}

/* A super-frame STT cannot carry whole: cut as on a TUN, each segment its own frame. */
static int stt_xmit_sw(struct foud *d, struct foud_tunnel *t, const struct fou_vnet_hdr *vh,
		       const uint8_t *frame, size_t len, uint16_t tci)
{
	uint8_t *seg = d->sendbuf;
	struct fou_vnet_hdr ip = *vh;
	struct fou_stt h;
	struct fou_gso g;
	size_t n;
	int ret;

	if (vh->csum_start < FOU_ETH_HLEN)
		return -FOU_DROP_BAD_GSO;
	ip.csum_start = (uint16_t)(vh->csum_start - FOU_ETH_HLEN);
	ret = fou_gso_init(&g, &ip, frame + FOU_ETH_HLEN, len - FOU_ETH_HLEN);
	if (ret)
		return ret;
	memcpy(seg, frame, FOU_ETH_HLEN);
	while ((ret = fou_gso_next(&g, seg + FOU_ETH_HLEN, FOUD_PKT_MAX - FOU_ETH_HLEN, &n)) > 0) {
		memset(&h, 0, sizeof(h));
		h.tci = tci;
		ret = stt_xmit_frame(d, t, seg, n + FOU_ETH_HLEN, &h);
		if (ret)
			t->st.tx_drop[-ret]++;
	}
	return ret;
}

/*
 * A frame read from an STT device's TAP. An 802.1Q-tagged frame travels
 * untagged with the tag in the STT header (draft 3.1). foud_tun_drain's
 * callback; ctx is the device.
 */
static int stt_xmit(struct foud *d, void *ctx, struct fou_vnet_hdr *vh, uint8_t *frame, size_t len)
{
	struct foud_tunnel *t = ctx;
	struct fou_vnet_hdr v = *vh;
	struct fou_stt h = { 0 };
	int ret;

	if (len < FOU_ETH_HLEN + 4)
		return len < FOU_ETH_HLEN ? -FOU_DROP_TOO_SHORT : stt_xmit_frame(d, t, frame, len, &h);
	if (fou_get16(frame + 12) == FOU_ETH_P_8021Q && (!(v.flags & FOU_VNET_F_NEEDS_CSUM) ||
							v.csum_start >= FOU_ETH_HLEN + 4)) {
		h.tci = fou_get16(frame + 14) | FOU_STT_TCI_VALID;
		memmove(frame + 4, frame, 2 * FOU_ETH_ALEN);
		frame += 4;
		len -= 4;
		if (v.flags & FOU_VNET_F_NEEDS_CSUM)
			v.csum_start = (uint16_t)(v.csum_start - 4);
	}
	ret = stt_offload(&v, frame, len, &h);
	if (ret > 0)
		return stt_xmit_sw(d, t, &v, frame, len, h.tci);
	if (ret)
		return ret;
	return stt_xmit_frame(d, t, frame, len, &h);
}

/* Frames from the TAP; their segments leave in batches, the last one here. */
static void stt_dev_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_tunnel *t = foud_dev_of(ev);

	foud_tun_drain(d, t, stt_xmit, t);
	stt_flush(d);
}

/* ---- devices ------------------------------------------------------------ */

static int stt_sock_get(struct foud *d, struct foud_stt *s, int family)
{
	struct foud_ev *ev = &s->ev[fam_idx(family)];
	int fd, ret;

	if (s->users[fam_idx(family)]++)
		return 0;
	fd = foud_raw_rx_open(family, FOU_PROTO_TCP);
	ret = fd < 0 ? fd : stt_filter(fd, family);
	if (!ret) {
		ev->fd = fd;
		ev->fn = stt_readable;
		ret = foud_loop_add(d, ev);
		if (!ret && (ret = foud_ours_add(d, FOU_PROTO_TCP, FOU_PORT_STT)))
			foud_loop_del(d, ev);
	}
	if (ret) {
		if (fd >= 0)
			close(fd);
		ev->fd = -1;
		s->users[fam_idx(family)]--;
	}
	return ret;
}

static void stt_sock_put(struct foud *d, struct foud_stt *s, int family)
{
	struct foud_ev *ev = &s->ev[fam_idx(family)];

	if (!s->users[fam_idx(family)] || --s->users[fam_idx(family)])
		return;
	foud_loop_del(d, ev);
	close(ev->fd);
	ev->fd = -1;
	foud_ours_del(d, FOU_PROTO_TCP, FOU_PORT_STT);
}

/* Half-reassembled frames time out; no better than a second is needed. */
static void stt_expire(struct foud *d, void *arg)
{
	struct foud_stt *s = arg;

	(void)d;
	fou_stt_reasm_expire(&s->reasm, now_ms());
}

static void stt_free(struct foud *d)
{
	struct foud_stt *s = d->stt;

	if (s->nft && stt_nft(nft_del))
		foud_log(LOG_WARNING, "stt: cannot remove the nftables table inet foud_stt");
	foud_timer_del(d, stt_expire, s);
	foud_stt_peers_free(&s->peers);
	if (s->pkt >= 0)
		close(s->pkt);
	free(s->mem);
	free(s);
	d->stt = NULL;
}

static int stt_alloc(struct foud *d)
{
	struct foud_stt *s = calloc(1, sizeof(*d->stt));
	size_t size = fou_stt_reasm_size(STT_SLOTS);

	if (!s)
		return -ENOMEM;
	s->ev[0].fd = s->ev[1].fd = -1;
	s->peers.seed = d->hash_seed;
	/* Without it (no CAP_NET_RAW), frames are cut here as with -O. */
	s->pkt = d->offload ? foud_pkt_open() : -EOPNOTSUPP;
	s->mem = malloc(size);
	if (!s->mem || fou_stt_reasm_init(&s->reasm, s->mem, size, STT_TIMEOUT_MS) ||
	    foud_timer_add(d, 1000, stt_expire, s)) {
		if (s->pkt >= 0)
			close(s->pkt);
		free(s->mem);
		free(s);
		return -ENOMEM;
	}
	d->stt = s;
	return 0;
}

/* A new STT device takes the shared receive socket of its family, and the nftables table. */
static int stt_get(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen)
{
	int family = cmd_l2_cfg(t)->local.family;
	int ret;

	if (!d->stt && stt_alloc(d)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = stt_sock_get(d, d->stt, family);
	if (ret) {
		snprintf(err, errlen, "cannot open the STT receive socket: %s", strerror(-ret));
		if (!d->stt->devices)
			stt_free(d);
		return ret;
	}
	if (!d->stt->devices++) {
		d->stt->nft = stt_nft(nft_add) == 0;
		if (!d->stt->nft)
			foud_log(LOG_WARNING, "stt: cannot install the nftables table inet foud_stt "
				 "(is nft installed?): the host's TCP will answer STT with resets");
	}
	return 0;
}

static void stt_put(struct foud *d, struct foud_tunnel *t)
{
	struct foud_stt *s = d->stt;

	if (!s)
		return;
	if (s->txt == t) {
		s->q.n = 0;
		s->txt = NULL;
	}
	stt_sock_put(d, s, cmd_l2_cfg(t)->local.family);
	if (!--s->devices)
		stt_free(d);
}

/* `fou show`: the STT receive path, with the reassembly table's figures. */
static void stt_show_ports(struct foud *d, struct foud_pr *p)
{
	const struct foud_stt *s = d->stt;
	const struct fou_stt_reasm *r;

	if (!s)
		return;
	r = &s->reasm;
	foud_pr_open_object(p, NULL);
	foud_pr_uint(p, "port", "port %u", FOU_PORT_STT);
	foud_pr_null(p, "stt", " %s");
	foud_pr_bool(p, "nftables", NULL, " (no nftables table)", s->nft);
	foud_pr_nl(p);
	if (p->flags & CTL_F_STATS) {
		foud_pr_open_object(p, "foud");	/* as every port's counters */
		foud_pr_open_object(p, "reasm");
		foud_pr_u64(p, "slots", NULL, r->nslots);
		foud_pr_u64(p, "busy", "    reassembly: %llu", fou_stt_reasm_busy(r));
		foud_pr_text(p, " of %zu slots busy", r->nslots);
		foud_pr_u64(p, "bytes", " (%llu bytes)", fou_stt_reasm_size(STT_SLOTS));
		foud_pr_uint(p, "timeout_ms", " timeout %u ms", r->timeout_ms);
		foud_pr_u64(p, "timedout", " timedout %llu", r->timedout);
		foud_pr_u64(p, "evicted", " evicted %llu", r->evicted);
		foud_pr_u64(p, "dups", " dups %llu", r->dups);
		foud_pr_u64(p, "bad", " bad %llu\n", r->bad);
		foud_pr_close_object(p);
		foud_show_stats(p, &s->st);
		foud_pr_close_object(p);
	}
	foud_pr_close_object(p);
}

/* Undoes stt_dev_open from the point it reached; held: it took the shared state. */
static void stt_dev_undo(struct foud *d, struct foud_tunnel *t, bool held)
{
	foud_loop_del(d, &t->ev);
	if (t->ev.fd >= 0)
		foud_tun_close(d, t->ev.fd);
	foud_l2_id_unindex(d, t);
	if (held) {
		foud_stt_peers_del(&d->stt->peers, t);
		stt_put(d, t);
	}
	foud_l2_free(t);
}

static int stt_dev_open(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
			char *err, size_t errlen)
{
	int ret;

	if (cfg->mtu > STT_MTU_MAX) {
		snprintf(err, errlen, "mtu %u is too big for stt (at most %u)", cfg->mtu,
			 STT_MTU_MAX);
		return -EINVAL;
	}
	ret = foud_l2_new(t, cfg, err, errlen);
	if (!ret)
		ret = foud_l2_tap(d, t, cfg, STT_MTU, err, errlen);
	if (!ret)
		ret = stt_get(d, t, err, errlen);
	if (!ret && (stt_index(d, t) || foud_stt_peers_add(&d->stt->peers, t))) {
		stt_put(d, t);
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	if (ret) {
		stt_dev_undo(d, t, false);
		return ret;
	}
	ret = foud_l2_ready(d, t, err, errlen);
	if (!ret)
		ret = foud_bpf_tunnel_add(d, t, cfg->datapath, err, errlen);
	if (ret)
		stt_dev_undo(d, t, true);
	return ret;
}

static void stt_dev_close(struct foud *d, struct foud_tunnel *t)
{
	foud_l2_id_unindex(d, t);
	foud_stt_peers_del(&d->stt->peers, t);
	stt_put(d, t);
	foud_l2_free(t);
}

/* l2dev.c rebuilds t's peers (fdb add or del): out of the index before, back in after. */
static void stt_peers_change(struct foud *d, struct foud_tunnel *t, bool done)
{
	struct foud_stt_peers *p = &d->stt->peers;

	if (!done)
		foud_stt_peers_del(p, t);
	else if (foud_stt_peers_add(p, t))
		p->partial = true;
}

/* STT's own words in the linkinfo: its TCP port. */
static void stt_show_kind(const struct foud_tunnel *t, struct foud_pr *p)
{
	foud_pr_uint(p, "port", NULL, FOU_PORT_STT);
	foud_pr_bool(p, "gso", " gso", " nogso", cmd_l2_cfg(t)->gso);
}

static void stt_dev_show(const struct foud_tunnel *t, struct foud_pr *p)
{
	foud_l2_show(t, p, cmd_l2_cfg(t)->key, stt_show_kind);
}

const struct foud_dev_ops foud_stt_ops = {
	FOUD_DEV_OPS(stt_dev),
	FOUD_L2_DEV_OPS,
	.show_ports = stt_show_ports,
	.peers = stt_peers_change,
};
