/* SPDX-License-Identifier: MIT */
/* foud's private header: the daemon's objects, prototypes grouped by file. */
#ifndef FOUD_H
#define FOUD_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "fou/fou.h"
#include "fou/gro.h"
#include "fou/htab.h"
#include "fou/l2.h"
#include "buf.h"
#include "cmd.h"

#define FOUD_BATCH	64		/* packets per recvmmsg/sendmmsg */
#define FOUD_HEADROOM	256		/* room to prepend outer headers in place */
#define FOUD_PKT_MAX	65535
#define FOUD_FDB_MAX	1000000		/* forwarding entries over all L2 devices (README) */
#define FOUD_BUF_SIZE	(FOUD_HEADROOM + FOU_VNET_HLEN + FOUD_PKT_MAX + 1)

struct foud;
struct foud_l2;
struct foud_l2port;
struct foud_txq;
struct foud_stt;
struct foud_bpf;
struct foud_bpf_attach;
struct foud_follow;
struct foud_ours;
struct foud_ctlsrv;
struct foud_events;
struct foud_pr;
struct foud_gue_auth;
struct fou_pfx;
struct foud_rxmeta;
struct foud_fleet;
struct foud_metrics;
struct foud_conf;

/* A growable text buffer for control replies (out.c). */
struct foud_out {
	struct cmn_buf buf;	/* no bound: replies go out in frames, of any size (common/ctl.h) */
	bool failed;		/* out of memory: the reply says so */
};

/* One readable descriptor in the event loop. */
struct foud_ev {
	int fd;
	void (*fn)(struct foud *d, struct foud_ev *ev);
};

typedef void foud_ev_fn(struct foud *d, struct foud_ev *ev);

/*
 * A kind's shared receive port (VXLAN/Geneve, TOU): a socket pair (csum.c),
 * inside its class's object, on its class's list.
 */
struct foud_csum_port {
	TAILQ_ENTRY(foud_csum_port) entry;
	struct foud_ev ev;
	struct foud_ev vev;		/* its verified socket (fd -1: none) */
	int family;
	uint16_t port;
	struct fou_addr local;
	const char *owner;		/* the kind that holds it: no other may */
	unsigned int users;		/* the devices or peers on it */
};

TAILQ_HEAD(foud_csum_ports, foud_csum_port);

/* A class of shared receive ports: its object's size, where its pair is, its readers. */
struct foud_csum_class {
	size_t size, off;
	foud_ev_fn *fn, *vfn;
};

#define FOUD_TIMERS	8		/* periodic functions (loop.c) */

/* A function the loop calls every period_ms. */
struct foud_timer {
	void (*fn)(struct foud *d, void *arg);	/* NULL: a free slot */
	void *arg;
	unsigned int period_ms;
	uint64_t due;
};

struct foud_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_drop[FOU_DROP__MAX];
	uint64_t tx_drop[FOU_DROP__MAX];
};

/* A receive socket that UDP GSO may send from, registered by its owner (tx.c). */
struct foud_txshare {
	struct foud_txshare *next;
	int fd;
	int family;
	struct fou_addr local;		/* bound to; family 0: the wildcard */
	uint16_t port;
};

/* A receive port: `fou add port ...`. */
struct foud_port {
	TAILQ_ENTRY(foud_port) entry;
	struct cmd_port_cfg cfg;
	struct foud_ev ev;
	struct foud_stats st;
	uint64_t sock_drops;		/* the kernel's drops at this socket (SO_RXQ_OVFL) */
	struct foud_txshare share;	/* its socket, for UDP GSO sends from its port */
	struct foud_ev vev;		/* its verified socket (fd -1: none), csum.c */
	uint64_t vsock_drops;		/* the kernel's drops there */
	uint64_t csum_trusted;		/* datagrams whose outer checksum vouched */
	uint64_t rco_partial;		/* of those, RCO left partial: the payload not summed */
};

#define FOUD_TXSOCKS	8		/* UDP GSO sockets (source ports) per tunnel */

/* A UDP socket bound to one source port, for UDP GSO sends (uso.c). */
struct foud_txsock {
	int fd;				/* -1: free */
	uint16_t sport;
	bool owned;			/* false: a receive port's socket, not ours to close */
	uint64_t used;
};

struct foud_tunnel;

/* A receive port of a device class, as metrics counts it (VXLAN, Geneve, GRE-TAP over FOU/GUE). */
struct foud_port_info {
	const char *kind;
	int family;
	uint16_t port;
	const struct fou_addr *local;	/* family 0: any */
	const struct foud_stats *st;
	uint64_t sock_drops;
};

/*
 * What a class of devices does (tunnel.c, overlay.c, stt.c each define one; the
 * registry, dev.c, calls them). Before open, the registry sets t->ev.fn to
 * readable and t->tnl from the configuration; open makes the device and its
 * receive points and undoes itself on failure; close undoes the rest after
 * the registry closed the device.
 */
struct foud_dev_ops {
	unsigned int flags;		/* FOUD_DEV_F_* */
	int (*open)(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
		    char *err, size_t errlen);
	void (*close)(struct foud *d, struct foud_tunnel *t);
	/* The device (t->ev) has packets to send. */
	void (*readable)(struct foud *d, struct foud_ev *ev);
	/*
	 * A packet of the shared receive path (a FOU/GUE port, a raw socket),
	 * pulled up to its GRE or inner header: false when not this class's.
	 * NULL: the class has receive points of its own only.
	 */
	bool (*input)(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
		      struct foud_stats *src_stats);
	/* `link show`: the linkinfo; with -d what follows it. */
	void (*show)(const struct foud_tunnel *t, struct foud_pr *p);
	void (*show_details)(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p);
	/* `fou show`: the class's own receive ports; NULL: none. */
	void (*show_ports)(struct foud *d, struct foud_pr *p);
	/* Metrics: each of the class's own receive ports; NULL: none. */
	void (*port_each)(struct foud *d, void (*fn)(void *arg, const struct foud_port_info *i),
			  void *arg);
	/* Metrics: the device's forwarding table; NULL: it has none. */
	const struct fou_fdb *(*fdb)(const struct foud_tunnel *t);
	/* An L2 device's peers are about to be rebuilt (done false), then were; NULL: no matter. */
	void (*peers)(struct foud *d, struct foud_tunnel *t, bool done);
};

/*
 * A kind's table: its required ops named by the convention <kind>_open,
 * <kind>_close, <kind>_readable and <kind>_show, then the optional ones as
 * designated initializers.
 */
#define FOUD_DEV_OPS(kind)	.open = kind##_open, .close = kind##_close, \
				.readable = kind##_readable, .show = kind##_show

/* Follows the route to its remote (follow.c: path MTU, underlay device) and may take the BPF path. */
#define FOUD_DEV_F_ROUTE	0x1
/* May take the L2 BPF path (bpf_l2.c): the UDP overlays. */
#define FOUD_DEV_F_L2BPF	0x2

/* A device: `link add name ...`. */
struct foud_tunnel {
	TAILQ_ENTRY(foud_tunnel) entry;
	struct fou_hnode by_name, by_ifindex;	/* the registry's lookups (dev.c) */
	struct fou_hnode by_twin;	/* IP tunnels by what Linux tells them apart by (dev.c) */
	struct fou_hnode rx_node, rx_peer;	/* its class's receive lookups (tunnel_hash.c, overlay.c) */
	const struct foud_dev_ops *ops;	/* its class */
	char name[IFNAMSIZ];
	struct fou_tnl tnl;
	struct fou_tnl_tx tx;
	struct fou_tnl_rx rx;
	struct foud_ev ev;		/* the TUN descriptor */
	struct cmd_link_cfg cfg;	/* as given (link add, link set, the file): fouctl save */
	int ifindex;
	uint32_t mtu;			/* device MTU */
	uint32_t path_mtu;		/* underlay MTU towards remote */
	bool mtu_auto;			/* the device MTU follows path_mtu (no `mtu N`, not set by hand) */
	int ul_ifindex;			/* the route's device towards remote; 0: no route (follow.c) */
	bool dev_up;			/* the device is up, as foud last heard (follow.c) */
	bool offload;			/* TUN offloads (TSO, CSUM) enabled */
	bool tap;			/* a TAP device (Ethernet frames), else TUN (foud_dev_open_tun) */
	struct sockaddr_storage dst;	/* remote, for the raw send socket */
	struct sockaddr_storage udp_dst; /* remote and encap-dport, for UDP sends */
	socklen_t dst_len;
	struct foud_l2 *l2;		/* the L2 classes' state (overlay.c), theirs alone to read */
	struct foud_txsock txs[FOUD_TXSOCKS];
	uint64_t txs_clock;
	bool gso_off;			/* the kernel refused UDP GSO on this path (uso.c) */
	bool gso_refused;		/* ... at least once: logged */
	unsigned int gso_retry;		/* super-packets sent the slow way since */
	uint64_t gso_fallback;		/* super-packets sent segment by segment instead */
	struct foud_stats st;
	uint64_t csum_trusted;		/* inner packets delivered as verified: the outer sum vouched (gro.c) */
	uint64_t qlen_ask;		/* ms: its TUN queue's length not asked about before (tun.c) */
	struct foud_bpf_attach *bpf_egress;	/* non-NULL: on the BPF data path (bpf.c) */
	int bpf_oif;			/* its underlay device, where foud_ingress is attached; 0: none */
	char dp_why[128];		/* why the userspace path, when it is */
	struct foud_gue_auth *auth;	/* encap-key: keys and replay window (gue_auth.c) */
	/* fleet prefix: the fleet's prefixes and nodes (fleet_l3.c builds it, tunnel.c reads) */
	struct fou_pfx *mp;
};

/* A raw IP socket receiving plain (encap none) tunnel traffic. */
struct foud_raw {
	struct foud_ev ev;
	int family;
	uint8_t proto;
	unsigned int users;
};

#define FOUD_GRO_SLOTS	8		/* super-packets being built at once (gro.c) */

struct foud_flow_key {
	struct fou_addr src, dst;
	uint16_t sport, dport;
};

struct foud_gro_slot {
	struct foud_tunnel *t;		/* NULL: free */
	struct fou_gro g;
	struct foud_flow_key key;
	uint8_t *buf;			/* virtio header + [Ethernet header] + super-packet */
	size_t l2len;			/* 14 for a TAP device, 0 for TUN */
	unsigned int nseg;
	uint64_t bytes;
	unsigned int age;
	bool verified;			/* every segment under a verified outer checksum */
	uint16_t partial;		/* first segment's TCP checksum left partial: its start, else 0 */
	/* buf's bytes, then later segments' payloads where they were received (fou_gro_refs()) */
	struct iovec iov[FOU_GRO_MAX_SEGS];
};

#define FOUD_USO_SEGS	64		/* datagrams per UDP GSO send (kernels before 6.x: 64) */

/* A UDP GSO train (uso.c): datagrams end to end in d->sendbuf, all seg bytes but the last. */
struct foud_train {
	size_t len;
	uint16_t seg;
	unsigned int nseg;
	uint64_t inner_bytes;
	int err;			/* -FOU_DROP_* of a segment that could not be made */
	uint32_t inner[FOUD_USO_SEGS];	/* inner length of each datagram, for the counters */
};

/* How each segment of a train is wrapped. */
struct foud_uso_enc {
	int family;
	const uint8_t *l2hdr;		/* copied in front of every segment (a TAP frame's */
	size_t l2len;			/* Ethernet header), or none */
	size_t hlen;			/* encapsulation bytes push() writes in front of that */
	int (*push)(struct fou_buf *b, void *arg);
	void *arg;
};

/* Where a train goes, and with which outer IP fields. */
struct foud_uso_to {
	const struct sockaddr_storage *addr;
	socklen_t addrlen;
	const struct fou_addr *local;	/* source address */
	int ifindex;			/* a multicast group's device, else 0 */
	uint8_t tos, ttl;		/* ttl 0: the socket's own */
};

/* Where trains go: to(arg, i, to) sets the i-th of n destinations and its TOS and TTL. */
struct foud_uso_dests {
	size_t n;
	void (*to)(void *arg, size_t i, struct foud_uso_to *to);
	void *arg;
};

/* A batch of packet buffers, reused by every path (one thread). */
struct foud_batch {
	struct fou_buf buf[FOUD_BATCH];
	uint8_t *mem;
};

/* Transports over UDP (tou.c): UDP sockets by family and port, peers, the device. */
struct foud_tou_sock {
	struct foud_csum_port pair;	/* its family, port and users too */
};

/* A TCP connection foud carried towards a TOU peer (its 4-tuple; the peer's address is the peer's). */
struct foud_tou_conn {
	uint8_t local[16];
	uint16_t lport, rport;
	bool used;
};

#define FOUD_TOU_CONNS	32	/* remembered per peer, a hash slot each */

struct foud_tou_peer {
	TAILQ_ENTRY(foud_tou_peer) entry;
	struct fou_hnode by_addr;	/* in foud_tou's peer_tab */
	struct cmd_tou_cfg cfg;
	struct fou_addr src;		/* local, or the source the kernel picks towards peer */
	struct foud_tou_sock *sock;
	struct sockaddr_storage dst;	/* the peer's address and port as last heard */
	socklen_t dst_len;
	uint16_t cur_port;
	bool rx_seen;
	uint64_t rebinds;		/* times its port changed (a NAT rebinding) */
	uint64_t sess_moves;		/* its sessions' moves to another address or port */
	uint64_t rco_partial;		/* datagrams whose RCO went to tou0 partial, unsummed */
	uint64_t tx_ms, rebind_ms;	/* last send to it, last port change */
	struct foud_tou_conn conn[FOUD_TOU_CONNS];
	struct foud_stats st;
	struct foud_gue_auth *auth;	/* `key FILE`: authenticated GUE (gue_auth.c) */
	struct foud_tou_dtls *dtls;	/* `dtls ...`: its DTLS sessions (tou_dtls.c) */
	uint32_t mtu;			/* inside tou0, on its route: what its path leaves */
};

TAILQ_HEAD(foud_tou_peers, foud_tou_peer);

struct foud_tou {
	struct foud_tunnel dev;		/* tou0: its descriptor, MTU and counters */
	struct foud_tou_peers peers;
	struct fou_htab peer_tab;	/* the same peers by address: a lookup per packet */
	struct fou_addr_hlast peer_last;	/* the last address looked up there */
	struct foud_csum_ports socks;
	bool rule[2];			/* fwmark rule in place for IPv4, IPv6 */
	struct foud_tou_sessions *sess;	/* session ids (tou_session.c), NULL before the first */
};

TAILQ_HEAD(foud_tunnels, foud_tunnel);
TAILQ_HEAD(foud_ports, foud_port);

/*
 * What the io layer hands up, registered at start (main.c), so that io names
 * no module above it. NULL: nobody takes it.
 */
struct foud_upcalls {
	/* A decapsulated packet of the shared receive path (port.c, raw.c) to the devices. */
	void (*input)(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
		      struct foud_stats *src_stats);
	/* A GUE datagram at a port before its pull: as foud_gue_auth_rx returns. */
	int (*gue_rx)(struct foud *d, struct fou_buf *b, const struct foud_rxmeta *m);
	/* The receive ports changed (port.c): the BPF programs' list of them. */
	void (*ports_changed)(struct foud *d);
};

/*
 * The io layer's capture points: set by capture.c while a capture runs,
 * NULL otherwise, so that without one each costs the test of a pointer.
 */
struct foud_io_cap {
	/* Written to or read from a TUN/TAP (tun.c): p after the virtio header. */
	void (*packet)(int tun_fd, const uint8_t *p, size_t len);
	/* A UDP GSO train sent for device tun_fd on socket fd (uso.c). */
	void (*train)(int tun_fd, int fd, const struct foud_uso_to *to, const uint8_t *p,
		      size_t len, size_t seg);
	/* A datagram received on fd (rx.c); fd -1: the read is done. */
	void (*rx_dgram)(int fd, const struct fou_buf *s, const struct foud_rxmeta *m);
};
extern const struct foud_io_cap *foud_io_cap;	/* tun.c */

struct foud {
	int epfd;
	struct foud_upcalls up;
	struct foud_ev ctl;		/* the listening control socket */
	struct foud_timer timers[FOUD_TIMERS];
	struct foud_ctlsrv *ctlsrv;	/* its clients and their deadlines (ctl.c) */
	char sock_path[108];
	struct foud_tunnels tunnels;
	struct fou_htab dev_names, dev_ifindex;	/* the same devices by name and ifindex (dev.c) */
	struct fou_htab dev_twins;	/* the IP tunnels by kind, addresses, key (cmd_twin.h) */
	struct fou_htab tnl_rx;		/* L3 tunnels by remote and GRE key (tunnel_hash.c) */
	struct fou_htab tnl_peers;	/* ... by remote alone */
	struct fou_addr_hlast tnl_last;	/* the last remote hashed on receive (tunnel_hash.c) */
	struct fou_htab l2_ids;		/* L2 devices by receive key (l2_hash.c) */
	struct fou_htab l2_remotes;	/* GRE-TAP and NVGRE by remote (l2_hash.c) */
	struct foud_ports ports;
	struct foud_csum_ports l2ports;	/* in struct foud_l2port (overlay.c) */
	struct foud_txq *l2q;		/* the overlays' send queue (overlay.c) */
	bool l2_ageing;			/* forwarding tables age (l2dev.c) */
	struct foud_stt *stt;		/* while an STT device exists (stt.c) */
	struct foud_tou *tou;		/* NULL without TOU peers */
	int raw_tx4, raw_tx6;
	struct foud_txshare *txshared;	/* receive sockets UDP GSO may send from (tx.c) */
	struct foud_raw raw[6];		/* {v4,v6} x {4,41,47} */
	struct foud_stats unmatched;	/* raw-path drops that reach no tunnel */
	struct foud_batch rxb, txb;
	uint8_t *scratch;		/* one TUN read: virtio header + packet */
	uint8_t *sendbuf;		/* one UDP GSO send */
	struct foud_train train;
	struct foud_gro_slot gro[FOUD_GRO_SLOTS];
	unsigned int gro_clock;
	/*
	 * While a datagram is handed on: the kernel verified its non-zero UDP
	 * checksum, which covers every inner packet in it (port.c, csum.c; l2.c,
	 * tou.c), or foud verified STT's outer TCP checksums (stt.c).
	 */
	bool rx_verified;
	/*
	 * And its inner TCP checksum is left partial (GUE RCO, fou_gue_pull_partial()):
	 * the TUN write says where it is instead of foud summing the payload (gro.c).
	 */
	bool rx_partial;
	uint32_t hash_seed;
	struct fou_fdb_budget fdb_budget;	/* entries of every L2 device: FOUD_FDB_MAX */
	bool offload;			/* TUN TSO/CSUM, UDP GRO and GSO; foud -O clears it */
	bool udp_gso;			/* cleared when the kernel refuses UDP_SEGMENT */
	bool verbose;
	enum cmd_datapath datapath;	/* default of link add (foud -D) */
	struct foud_bpf *bpf;		/* loaded programs and maps, NULL when unused */
	struct foud_follow *follow;	/* rtnetlink watch (follow.c), NULL if it failed */
	struct foud_ours *ours;		/* every receive point (ours.c) */
	struct foud_fleet *fleet;	/* NULL until a fleet command (fleet.c) */
	struct foud_metrics *metrics;	/* the HTTP server of /metrics, NULL: off (metrics.c) */
	struct foud_events *events;	/* fouctl monitor's clients (event.c), NULL: none yet */
	bool keep;			/* stopping: devices and pinned programs stay */
	volatile int stop;
	volatile int hup;		/* SIGHUP seen, not yet handled: a reload */
	void (*on_hup)(struct foud *d);	/* what the loop runs for it (reload.c registers) */
	const char *conf_path;		/* the file reload reads (-c, $FOUD_CONFIG or the default) */
	struct foud_conf *conf;		/* what it declared when last applied (reload.c) */
};

/* log.c */
void *foud_zalloc(size_t n, char *err, size_t errlen);
void foud_log_init(bool foreground, bool verbose);
void foud_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs a dropped packet at most a few times a second per reason. */
void foud_log_drop(const char *where, int reason, const struct fou_addr *src);

/* loop.c */
int foud_loop_add(struct foud *d, struct foud_ev *ev);
void foud_loop_del(struct foud *d, struct foud_ev *ev);
/* Which events of ev the loop waits for (EPOLLIN, EPOLLOUT, or 0: none for now). */
int foud_loop_set(struct foud *d, struct foud_ev *ev, uint32_t events);
int foud_loop_run(struct foud *d);
/* Calls fn(d, arg) every period_ms (no better than a few ms) until foud_timer_del; 0 or -ENOSPC. */
int foud_timer_add(struct foud *d, unsigned int period_ms, void (*fn)(struct foud *d, void *arg),
		   void *arg);
void foud_timer_del(struct foud *d, void (*fn)(struct foud *d, void *arg), void *arg);
/* Milliseconds of the coarse monotonic clock, as the timers count them. */
uint64_t foud_now_ms(void);
int foud_batch_init(struct foud_batch *b);
void foud_batch_free(struct foud_batch *b);
void foud_batch_reset(struct foud_batch *b, size_t headroom);
bool foud_batch_holds(const struct foud_batch *b, const void *p);

/* tun.c */
int foud_tun_open(const char *name, bool tap, bool offload, bool *offload_on, int *ifindex);
/*
 * The next foud_tun_open of name returns fd (offloads as they are) instead
 * of a new device: a link changed in place keeps its device (conf.c).
 * foud_tun_unkeep closes it if no open took it.
 */
void foud_tun_keep(int fd, const char *name, bool offload_on);
void foud_tun_unkeep(void);
int foud_tun_set_mtu(const char *name, uint32_t mtu);
/* Closes a device's descriptor: the device goes (in a batch: reap.c), unless foud stops (d->keep). */
void foud_tun_close(struct foud *d, int fd);
int foud_tun_set_up(const char *name);
int foud_tun_write(int fd, struct fou_buf *b);
int foud_tun_write_csum(int fd, struct fou_buf *b, bool valid);
int foud_tun_write_vnet(int fd, struct fou_buf *b, const struct fou_vnet_hdr *vh);
int foud_tun_write_raw(int fd, const void *p, size_t len);
int foud_tun_writev(int fd, const struct iovec *iov, int n);
/*
 * One packet read from a device: its virtio header, parsed, and the packet
 * after it (len bytes in d->scratch, which one may change in place).
 */
typedef int (*foud_tun_one_fn)(struct foud *d, void *ctx, struct fou_vnet_hdr *vh,
			       uint8_t *pkt, size_t len);
/*
 * Reads t's device until it is empty or a few batches were read: each packet
 * to one, whose -FOU_DROP_* (or the virtio header's) is counted in t->st.
 * The caller sends what one queued.
 */
void foud_tun_drain(struct foud *d, struct foud_tunnel *t, foud_tun_one_fn one, void *ctx);
uint32_t foud_path_mtu(const struct fou_addr *remote);
/* A device's MTU and whether it is up (IFF_UP), or -errno. */
int foud_dev_mtu(const char *name);
int foud_dev_up(const char *name);

/* sock.c */
int foud_udp_open(const struct cmd_port_cfg *cfg, bool gro);
int foud_udp_open_grouped(const struct cmd_port_cfg *cfg, bool gro,
			  int (*prebind)(int fd, int family));
/* A receive port's sockets: the unsure one, and in *vfd the verified one or -1 (csum.c). */
int foud_csum_open(const struct cmd_port_cfg *cfg, bool gro, int *vfd);
/*
 * The object of class c on list whose port is cfg's (family, port, local),
 * with one user more; else a new zeroed one, its pair open on cfg, both
 * watched and one of foud's receive points (ours.c), with one user. NULL
 * with the reason in err, also when another owner holds the port.
 */
void *foud_csum_port_get(struct foud *d, struct foud_csum_ports *list,
			 const struct foud_csum_class *c, const char *owner,
			 const struct cmd_port_cfg *cfg, char *err, size_t errlen);
/* One user fewer. The last closes the pair and unlinks it: true, the caller frees the object. */
bool foud_csum_port_put(struct foud *d, struct foud_csum_ports *list, struct foud_csum_port *cp);
/* A pair's sockets closed (csum.c). */
void foud_csum_unwatch(struct foud *d, struct foud_ev *ev, struct foud_ev *vev);
/* Inside a port's "foud" object of -s: its csum_trusted. */
void foud_csum_show(struct foud_pr *p, const struct foud_port *fp);
uint64_t foud_sock_drops(int fd, uint64_t seen);
socklen_t foud_sockaddr(struct sockaddr_storage *ss, const struct fou_addr *a, int family,
			uint16_t port);
int foud_raw_tx_open(int family);
void foud_sock_mc_noloop(int s, int family);
int foud_raw_rx_open(int family, uint8_t proto);
void foud_local_port_range(uint16_t *min, uint16_t *max);

/* port.c */
int foud_port_add(struct foud *d, const struct cmd_port_cfg *cfg, char *err, size_t errlen);
int foud_port_del(struct foud *d, const struct cmd_port_cfg *cfg, char *err, size_t errlen);
void foud_port_free_all(struct foud *d);

/* dev.c: the registry of devices; it reaches a device's class only through its ops */
int foud_dev_add(struct foud *d, const struct cmd_link_cfg *cfg, char *err, size_t errlen);
int foud_dev_del(struct foud *d, const char *name, char *err, size_t errlen);
struct foud_tunnel *foud_dev_find(struct foud *d, const char *name);
struct foud_tunnel *foud_dev_by_ifindex(struct foud *d, int ifindex);
/* Frees t but keeps its device: returns the TUN/TAP descriptor, now the caller's. */
int foud_dev_detach(struct foud *d, struct foud_tunnel *t);
/* Creates t's TUN (or TAP) device as t->ev.fd, for a class's open. */
int foud_dev_open_tun(struct foud *d, struct foud_tunnel *t, bool tap, char *err, size_t errlen);
/* The device whose TUN or TAP descriptor ev is. */
struct foud_tunnel *foud_dev_of(struct foud_ev *ev);
const char *foud_dev_kind_name(const struct foud_tunnel *t);
/* Its forwarding table (metrics), or NULL. */
const struct fou_fdb *foud_dev_fdb(const struct foud_tunnel *t);
#define FOUD_DEV_FOREACH(t, d)	TAILQ_FOREACH(t, &(d)->tunnels, entry)
/* Hands a decapsulated-so-far packet (after UDP/encap, at the GRE or inner header) to its device. */
void foud_dev_input(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
		    struct foud_stats *src_stats);
/* `fou show`: every class's own receive ports. */
void foud_dev_show_ports(struct foud *d, struct foud_pr *p);
/* Metrics: every class's own receive ports. */
void foud_dev_port_each(struct foud *d, void (*fn)(void *arg, const struct foud_port_info *i),
			void *arg);
/* A class of devices, at start (main.c): the registry names none. */
void foud_dev_class(enum fk_dev dev, const struct foud_dev_ops *ops);
void foud_dev_free_all(struct foud *d);

/* gue_auth.c: authenticated GUE on the IP tunnels and TOU peers */
struct foud_gue_auth *foud_gue_auth_new(const char paths[2][CMD_KEY_PATH_MAX], char *err,
				       size_t errlen);
void foud_gue_auth_free(struct foud_gue_auth *a);
/* Both files read again; if either fails, the keys stay as they were. */
int foud_gue_auth_reload(struct foud_gue_auth *a, char *err, size_t errlen);
/* Replaces the plain 4-byte GUE header at b's front with the signed one. */
/* A sender's next sequence: seq, or the clock's nanoseconds if they are ahead. */
uint64_t foud_gue_auth_seq(uint64_t seq);
int foud_gue_auth_sign_plain(struct foud_gue_auth *a, struct fou_buf *b);
/*
 * A TOU peer's datagram: fou_gue_auth_pull() with a's keys, window and floor
 * (foud_gue_auth_tou_open()): 0, -FOU_DROP_AUTH or -FOU_DROP_REPLAY; an auth
 * drop counted by the key id it claims.
 */
int foud_gue_auth_check(struct foud_gue_auth *a, struct fou_buf *b);
/* The same, fou_gue_auth_open() and the floor: the caller keeps the window (a TOU session's). */
int foud_gue_auth_verify(struct foud_gue_auth *a, struct fou_buf *b, uint16_t allow,
			 uint64_t *seq);
/* A TOU peer's replay floor across restarts, as a tunnel's: read at add, written at close. */
int foud_gue_auth_tou_open(struct foud_gue_auth *a, const struct fou_addr *peer, char *err,
			   size_t errlen);
void foud_gue_auth_tou_close(struct foud_gue_auth *a);
/* The file and the key id it sends with. */
const char *foud_gue_auth_file(const struct foud_gue_auth *a);
uint32_t foud_gue_auth_id(const struct foud_gue_auth *a);
int foud_gue_auth_open(struct foud_tunnel *t, const struct cmd_link_cfg *cfg, char *err,
		       size_t errlen);
void foud_gue_auth_close(struct foud_tunnel *t);
int foud_gue_auth_rekey(struct foud *d, const char *name, char *err, size_t errlen);
/*
 * A GUE datagram at a port, before anything else: verified and stripped to a
 * plain GUE header when its source is a keyed tunnel's remote (0); dropped
 * and counted on that tunnel (1); -FOU_DROP_AUTH for the port when it claims
 * the security extension and no keyed tunnel has that remote.
 */
int foud_gue_auth_rx(struct foud *d, struct fou_buf *b, const struct foud_rxmeta *m);
/* A keyed tunnel's auth drops by the key id they claimed: its keys', and any other. */
#define FOUD_GUE_AUTH_IDS	4
struct foud_gue_auth_drops {
	uint32_t id[FOUD_GUE_AUTH_IDS];
	uint64_t count[FOUD_GUE_AUTH_IDS];
	unsigned int n;
	uint64_t unknown;
};
const struct foud_gue_auth_drops *foud_gue_auth_drops(const struct foud_tunnel *t);
/* The same for a keyed TOU peer; NULL for one without a key. */
const struct foud_gue_auth_drops *foud_gue_auth_tou_drops(const struct foud_tou_peer *p);
void foud_gue_auth_show(const struct foud_tunnel *t, struct foud_pr *p);
/* A key file's 32-byte secret (mode 0600 or stricter, 64 hex digits). */
int foud_key_file_read(const char *path, uint8_t secret[32], char *err, size_t errlen);
/* 0 when the file at path is private to root or foud, as a key file must be. */
int foud_key_file_private(const char *path, char *err, size_t errlen);

/*
 * tou_dtls.c: TOU over DTLS 1.2 with a peer (`tou add peer ... dtls ...`).
 * seal turns b's plain GUE(6)/TCP into GUE(59, T)/record (-FOU_DROP_DTLS
 * without a session); open turns a datagram from the peer's port sport back
 * into GUE(6)/TCP (0), takes a handshake datagram (1), or drops (-FOU_DROP_DTLS).
 */
struct foud_tou_dtls;
int foud_tou_dtls_new(struct foud *d, struct foud_tou_peer *p, char *err, size_t errlen);
void foud_tou_dtls_free(struct foud *d, struct foud_tou_peer *p);
int foud_tou_dtls_seal(struct foud_tou_peer *p, struct fou_buf *b);
int foud_tou_dtls_open(struct foud_tou_peer *p, struct fou_buf *b, uint16_t sport);
/* What DTLS adds to a datagram to the peer: the transform word and a record's growth. */
unsigned int foud_tou_dtls_overhead(const struct foud_tou_peer *p);
void foud_tou_dtls_show(const struct foud_tou_peer *p, struct foud_pr *pr);
/* For metrics: its state (as tou show says it), handshakes done and failed; NULL: no dtls. */
const char *foud_tou_dtls_counts(const struct foud_tou_peer *p, uint64_t *ok, uint64_t *failed);
/* The files read again and a new session made with them; on error nothing changes. */
int foud_tou_dtls_reload(struct foud_tou_dtls *t, char *err, size_t errlen);

/* tunnel.c: L3 tunnels */
extern const struct foud_dev_ops foud_tunnel_ops;
/* Why an L3 tunnel's packets go through userspace, or NULL (they go by BPF). */
const char *foud_tunnel_why(const struct foud_tunnel *t);

/* pkt.c: super-packets to the kernel's TCP segmentation on the underlay (AF_PACKET). */
struct foud_pkt_path {
	struct fou_addr dst;
	uint64_t until_ms;	/* asked again after */
	int ifindex;		/* 0: no usable next hop now */
	uint8_t eth[14];	/* the Ethernet header to it */
};
int foud_pkt_open(void);
int foud_pkt_path(int fd, struct foud_pkt_path *p, const struct fou_addr *dst, uint64_t now_ms);
int foud_pkt_send(int fd, struct foud_pkt_path *p, struct fou_buf *b,
		  const struct fou_vnet_hdr *vh);

/* tx.c */
bool foud_send_counted(int fd, struct mmsghdr *mm, const uint32_t *inner_len, int n,
		       struct foud_stats *st);
/* The FOU_DROP_* a refused send counts under: queue_full, no_route or tx_error. */
int foud_send_reason(int err);
/* The raw socket that sends a family's outer packets, opened on first use. */
int foud_raw_tx(struct foud *d, int family);
/* Appends one control message of len bytes at *c; returns where its data goes. */
void *foud_cmsg_put(struct cmsghdr **c, int lvl, int type, size_t len);
/* A UDP send's source address (and a group's device), TOS, TTL; the GSO segment size if seg. */
size_t foud_tx_control(uint8_t *buf, const struct foud_uso_to *to, uint16_t seg);
/* Outer packets for one sendmmsg: the caller sets each one's address (and control). */
struct foud_txq {
	struct mmsghdr mm[FOUD_BATCH];
	struct iovec iov[FOUD_BATCH];
	struct sockaddr_storage to[FOUD_BATCH];
	uint8_t ctl[FOUD_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	uint32_t inner_len[FOUD_BATCH];
	int n;
};
/* Queues b's packet (inner_len bytes of it the tunnel's payload); returns its slot. */
int foud_txq_add(struct foud_txq *q, const struct fou_buf *b, uint32_t inner_len);
/* Sends and empties q, counted in st; true when the kernel said EMSGSIZE. */
bool foud_txq_send(struct foud_txq *q, int fd, struct foud_stats *st);
/*
 * Receive sockets that sends may use (s->fd bound to s->local:s->port);
 * the owner unshares one, and has uso.c forget it, before closing it.
 */
void foud_tx_share(struct foud *d, struct foud_txshare *s);
void foud_tx_unshare(struct foud *d, struct foud_txshare *s);
/* The registered socket bound to this family, local address and port, or -1. */
int foud_tx_shared(const struct foud *d, int family, const struct fou_addr *local, uint16_t port);

/* gro.c */
int foud_gro_init(struct foud *d);
void foud_gro_fini(struct foud *d);
/*
 * kept: b lies where it was received and its receive path writes nothing in
 * front of a received packet, so later segments may be referenced where
 * they are (TOU and STT build headers there: they pass false).
 */
void foud_gro_input(struct foud *d, struct foud_tunnel *t, struct fou_buf *b, size_t l2len,
		    bool kept);
/* The same for an IP packet (no Ethernet) whose header ip the caller parsed (fou_tnl_decap_ip()). */
void foud_gro_input_ip(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		       const struct fou_ip *ip);
void foud_gro_flush(struct foud *d);
void foud_gro_forget(struct foud *d, const struct foud_tunnel *t);

/* uso.c */
void foud_uso_init(struct foud_tunnel *t);
void foud_uso_close(struct foud_tunnel *t);
void foud_uso_forget(struct foud *d, int fd);
void foud_uso_probe(struct foud *d);
/*
 * Sends g's segments, wrapped as e says, as UDP GSO trains from local:sport,
 * each train to every destination of ds; drops counted on t. Returns 1,
 * nothing sent, when UDP GSO cannot be used now: the caller segments.
 */
int foud_uso_xmit(struct foud *d, struct foud_tunnel *t, struct fou_gso *g,
		  const struct foud_uso_enc *e, const struct fou_addr *local, uint16_t sport,
		  bool df, const struct foud_uso_dests *ds);
/*
 * Sends tr (datagrams in d->sendbuf) as one UDP GSO send from to->local:sport
 * with DF, counted on t, without a capture record; a socket for sport is
 * opened only if may_open. Returns 1, nothing sent, when UDP GSO cannot be
 * used now or sport has no socket.
 */
int foud_uso_send_train(struct foud *d, struct foud_tunnel *t, const struct foud_train *tr,
			const struct foud_uso_to *to, uint16_t sport, bool may_open);

/*
 * train.c: sends and empties q, prepared outer packets for the raw socket
 * raw; runs of datagrams of one outer header and size go as UDP GSO trains.
 * True when the kernel said EMSGSIZE.
 */
bool foud_train_send(struct foud *d, struct foud_tunnel *t, struct foud_txq *q, int raw);
/* The TUN's gso_max_size that makes a super-packet one train, or 0 if the default does. */
uint32_t foud_uso_gso_max_size(int family, uint32_t mtu, size_t hlen);
/* Sets it on t's device when t sends with UDP GSO. */
void foud_uso_fit_device(struct foud *d, struct foud_tunnel *t);

/* overlay.c: the UDP and GRE L2 overlays */
extern const struct foud_dev_ops foud_overlay_ops;

/*
 * l2dev.c: what every L2 device shares, called by its classes (overlay.c,
 * stt.c): the TAP device, the forwarding table and its commands, the
 * peers, learning, the linkinfo's common words.
 */
/* The L2 half of t from cfg: its configuration (local picked if omitted), outer TOS and TTL. */
int foud_l2_new(struct foud_tunnel *t, const struct cmd_link_cfg *cfg, char *err, size_t errlen);
/* t's TAP, its MTU (cfg's, else mtu0, else the path's less the overhead), address, table. */
int foud_l2_tap(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
		uint32_t mtu0, char *err, size_t errlen);
/* The send socket of t's family and the TAP watched: the last step of an open. */
int foud_l2_ready(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen);
/* Frees the L2 half (after the class freed its own parts). */
void foud_l2_free(struct foud_tunnel *t);
/* A link show's linkinfo: the common words around kind(t, p), the class's own. */
void foud_l2_show(const struct foud_tunnel *t, struct foud_pr *p, uint64_t id,
		  void (*kind)(const struct foud_tunnel *t, struct foud_pr *p));
/* Its forwarding table (the classes' fdb op). */
const struct fou_fdb *foud_l2_fdb(const struct foud_tunnel *t);
/* -d: what an L2 device shows after its linkinfo. */
void foud_l2_show_details(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p);
/* The ops every L2 kind shares, in its FOUD_DEV_OPS table. */
#define FOUD_L2_DEV_OPS		.show_details = foud_l2_show_details, .fdb = foud_l2_fdb
/* GRE-TAP and NVGRE (ip -j: "link": null). */
bool foud_l2_gre(const struct foud_tunnel *t);
int foud_fdb_exec(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen);
int foud_fdb_show(struct foud *d, const struct cmd_req *cmd, struct foud_pr *p, char *err,
		  size_t errlen);
const struct cmd_l2_cfg *cmd_l2_cfg(const struct foud_tunnel *t);
/* overlay.c: the UDP socket an overlay receives on (VXLAN, Geneve), or -1. */
/* t's static entries and fdb-added flood destinations, up to max in out; returns how many there are. */
size_t foud_l2_static(const struct foud_tunnel *t, struct cmd_fdb_cfg *out, size_t max);
bool foud_l2_peer_ok(const struct foud_tunnel *t, const struct fou_addr *src);
size_t foud_l2_dests(const struct foud_tunnel *t, const uint8_t *frame, const struct fou_addr **dst);
void foud_l2_outer(const struct foud_tunnel *t, const uint8_t *frame, size_t len,
		   uint8_t *tos, uint8_t *ttl);
int foud_l2_rx_learn(struct foud *d, struct foud_tunnel *t, const uint8_t *eth, size_t len,
		     const struct fou_addr *src);

/* stt.c: STT devices */
extern const struct foud_dev_ops foud_stt_ops;

/* tou.c */
int foud_tou_add(struct foud *d, const struct cmd_tou_cfg *cfg, char *err, size_t errlen);
int foud_tou_del(struct foud *d, const struct cmd_tou_cfg *cfg, char *err, size_t errlen);
void foud_tou_free_all(struct foud *d);
void foud_tou_show(struct foud *d, struct foud_pr *p);

/* tunnel_hash.c: the L3 tunnels a received packet may be for, by hash (tunnel.c's) */
int foud_tnl_index(struct foud *d, struct foud_tunnel *t);
void foud_tnl_unindex(struct foud *d, struct foud_tunnel *t);
/* The first tunnel, in the order added, that fou_tnl_match() says takes rx; NULL: none. */
struct foud_tunnel *foud_tnl_lookup(struct foud *d, const struct fou_rx *rx);
/* The first L3 tunnel whose remote is src and that ok (NULL: any) accepts. */
struct foud_tunnel *foud_tnl_peer(struct foud *d, const struct fou_addr *src,
				  bool (*ok)(const struct foud_tunnel *t, const void *arg),
				  const void *arg);

/* reap.c: devices deleted in batches, one RTM_DELLINK by group */
#define FOUD_GROUP_GOING	0x666f7564	/* "foud": devices on their way out */
int foud_reap_later(struct foud *d, int fd);
void foud_reap_flush(struct foud *d);
void foud_reap_fini(struct foud *d);
/* Whether ifindex is a device foud deleted and the batch has not yet removed. */
bool foud_reap_going(int ifindex);

/* rtnl.c: policy routing without ip(8); 0 or -errno */
int foud_rtnl_rule(bool add, int family, uint32_t mark, uint32_t table, uint32_t prio);
int foud_rtnl_route(bool add, const struct fou_addr *dst, const struct fou_addr *src,
		    int ifindex, uint32_t table, uint32_t mtu);
int foud_rtnl_addr(bool add, int ifindex, const struct fou_addr *a);
int foud_rtnl_addr_dev(const struct fou_addr *a);
int foud_rtnl_gso_max_size(int ifindex, uint32_t size);
/* The device of the route to dst now (`ip route get`), or -errno. */
int foud_rtnl_route_oif(const struct fou_addr *dst);
int foud_rtnl_nexthop(const struct fou_addr *dst, int *ifindex, uint8_t mac[6]);
/* The protocol of the fleet's routes (`ip route show proto 241`): only those are foud's to sweep. */
#define FOUD_RTPROT 241
/* A fleet's prefix on an L3 fleet device, via its node (fleet_l3.c); 0 or -errno. */
int foud_rtnl_prefix(bool add, int ifindex, const struct fou_addr *pfx, uint8_t plen,
		     const struct fou_addr *nh);
/* Each route of proto FOUD_RTPROT in the main table of family (nh: its gateway, or none); 0 or -errno. */
int foud_rtnl_prefixes(int family, void (*fn)(int ifindex, const struct fou_addr *pfx,
					      uint8_t plen, const struct fou_addr *nh, void *ctx),
		       void *ctx);
struct nlmsghdr;
int foud_rtnl_link_alias(int ifindex, const char *alias);
int foud_rtnl_link_group(int ifindex, uint32_t group);
int foud_rtnl_link_del(int ifindex, uint32_t group);
int foud_rtnl_link_retire(int ifindex, const char *name, uint32_t group);
int foud_rtnl_links(const char *name, void (*fn)(const struct nlmsghdr *h, void *ctx), void *ctx);

/* follow.c: tunnels follow route, link and MTU changes (rtnetlink) */
int foud_follow_init(struct foud *d);
void foud_follow_fini(struct foud *d);
/* A tunnel's remote changed by other means than a route (fleet_l3.c): every tunnel is looked at again. */
void foud_follow_poke(struct foud *d);

/* bpf.c */
/* Puts t on the BPF path when dp (or foud's default) allows; errors only for datapath bpf. */
int foud_bpf_tunnel_add(struct foud *d, struct foud_tunnel *t, enum cmd_datapath dp,
			char *err, size_t errlen);
void foud_bpf_tunnel_del(struct foud *d, struct foud_tunnel *t);
/* The ring the programs copy captured packets to (-1: none), and who is captured how (capture.c). */
int foud_bpf_cap_ring(const struct foud *d);
int foud_bpf_cap_set(struct foud *d, int ifindex, uint8_t how);
/* A fleet's device (fleet_l3.c): its BPF maps from table old to nw (bpf_mp.c). */
void foud_bpf_mp_sync(struct foud *d, struct foud_tunnel *t, const struct fou_pfx *old,
		      const struct fou_pfx *nw);
/* Its prefixes whose node the programs leave to userspace (behind another device than the underlay). */
unsigned int foud_bpf_mp_userspace(const struct foud *d, const struct foud_tunnel *t);
/* Moves t's programs to t->ul_ifindex and t->path_mtu after they changed. */
void foud_bpf_tunnel_follow(struct foud *d, struct foud_tunnel *t);
/* Whether t's device is up: while down, the receive program drops as link_down. */
void foud_bpf_tunnel_link(struct foud *d, struct foud_tunnel *t, bool up);
/* Adds the programs' counters of t (or of port p) to s. */
void foud_bpf_tunnel_stats(struct foud *d, const struct foud_tunnel *t, struct foud_stats *s);
void foud_bpf_port_stats(struct foud *d, const struct foud_port *p, struct foud_stats *s);
void foud_bpf_tunnel_stats_only(struct foud *d, const struct foud_tunnel *t,
				struct foud_stats *s);
/* Mirrors foud's receive ports into the programs' maps. */
void foud_bpf_ports_changed(struct foud *d);
void foud_bpf_fini(struct foud *d);
/* After the configuration: removes what a stopped foud left that this one did not take over. */
void foud_bpf_settle(struct foud *d);

/* persist.c: devices that outlive foud */
int foud_persist_claim(const char *name, bool tap);
void foud_persist_mark(int fd, const char *name, int ifindex);
void foud_persist_drop(int fd);
int foud_persist_sweep(void);
const char *foud_persist_refused(void);

/* bpf_pin.c: the BPF data path outliving foud */
struct bpf_object;
bool foud_pin_init(const char *sock, bool create);
bool foud_pin_on(void);
void foud_pin_off(void);
int foud_pin_maps(struct bpf_object *obj);
void foud_pin_drop_maps(void);
int foud_pin_link_take(int ifindex, bool ingress, int prog);
void foud_pin_link(int link, int ifindex, bool ingress);
void foud_pin_unlink(int ifindex, bool ingress);
void foud_pin_sweep(int eg, int in);
uint32_t foud_bpf_prog_id(int fd);
/* A map of the loaded object by name, or -ENOENT (b NULL: none loaded). */
/* bpf_obj.c: the loaded object (bpf.c sets it), its maps by name; -ENOENT without b. */
struct bpf_object;
extern struct bpf_object *foud_bpf_object;
int foud_bpf_map_fd(const struct foud_bpf *b, const char *name);
/* The embedded object opened as foud loads it; log (or NULL): a refusal's verifier log. */
struct bpf_object *foud_bpf_obj_open(char *log, size_t len);
/* The verifier's reason in a refusal's log, one line ("" if none). */
void foud_bpf_obj_reason(const char *log, char *out, size_t len);

/*
 * bpf_l2.c: VXLAN devices on the kernel data path. l2dev.c mirrors every
 * change of a device's forwarding table and peers into the maps through
 * foud_bpf_fdb_set (one MAC) and foud_bpf_l2_peers; foud_bpf_fdb_seen
 * brings the programs' receive times in before ageing (removing from the
 * map what is about to age out) and `fdb show`. Each does nothing off the
 * BPF path.
 */
struct foud_bpf_tnl;
const char *foud_bpf_l2_inexpressible(const struct foud_tunnel *t);
const char *foud_bpf_l2_slower(const struct foud_tunnel *t);
int foud_bpf_l2_oif(const struct foud_tunnel *t);
void foud_bpf_l2_cfg(const struct foud_tunnel *t, struct foud_bpf_tnl *c);
int foud_bpf_l2_add(const struct foud *d, struct foud_bpf *b, const struct foud_tunnel *t,
		    uint32_t rxflags);
void foud_bpf_l2_del(struct foud_bpf *b, const struct foud_tunnel *t);
void foud_bpf_l2_link(struct foud_bpf *b, const struct foud_tunnel *t, bool up);
void foud_bpf_fdb_set(struct foud *d, const struct foud_tunnel *t, const uint8_t *mac);
void foud_bpf_fdb_seen(struct foud *d, struct foud_tunnel *t, bool due);
void foud_bpf_l2_peers(struct foud *d, const struct foud_tunnel *t);
void foud_bpf_l2_port_gro(struct foud *d, const struct foud_tunnel *t);
void foud_bpf_l2_show_punts(const struct foud_tunnel *t, struct foud_pr *p);

/* raw.c */
int foud_raw_get(struct foud *d, int family, uint8_t proto);
void foud_raw_put(struct foud *d, int family, uint8_t proto);
struct foud_rxmeta;
int foud_raw_outer_v4(struct fou_buf *b, struct foud_rxmeta *m);

/* ours.c: every receive point, one table (never nest; the BPF programs' map) */
struct foud_rp {
	uint8_t proto;			/* FOU_PROTO_UDP or _TCP with a port; a raw protocol */
	uint16_t port;			/* 0 for a raw protocol */
	unsigned int users;
};
int foud_ours_init(struct foud *d);
void foud_ours_fini(struct foud *d);
/* Adds a user of a receive point (port ignored for raw protocols); 0 or -ENOMEM. */
int foud_ours_add(struct foud *d, uint8_t proto, uint16_t port);
void foud_ours_del(struct foud *d, uint8_t proto, uint16_t port);
/* Whether a packet of proto (to port, for UDP and TCP) would reach one of foud's receive points. */
bool foud_ours_has(const struct foud *d, uint8_t proto, uint16_t port);
size_t foud_ours_list(const struct foud *d, const struct foud_rp **rp);
/* fn (or none: NULL) is called after every change, to mirror the table elsewhere. */
void foud_ours_watch(struct foud *d, void (*fn)(struct foud *d));
/* Never nest: a decapsulated packet (Ethernet frame with l2) for a receive point, or unjudgeable. */
bool foud_nested(const struct foud *d, const uint8_t *p, size_t len, bool l2);

/* fleet.c: membership and forwarding entries from etcd */
int foud_fleet_exec(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen);
void foud_fleet_show(struct foud *d, struct foud_pr *p);
void foud_fleet_free(struct foud *d);
/* fouctl save: the fleet etcd and fleet node lines. */
void foud_fleet_save(struct foud *d, struct foud_out *out);
/* Whether the entry f of device t is one the fleet put there. */
bool foud_fleet_owns(const struct foud *d, const struct foud_tunnel *t, const struct cmd_fdb_cfg *f);

/* ctl.c */
/* Listens on path; err says why not (a file that is not a socket, a live foud). */
int foud_ctl_open(struct foud *d, const char *path, char *err, size_t errlen);
void foud_ctl_close(struct foud *d);

/* exec.c: the command dispatcher */
/* A command that acts, without output: 0 or -errno with err set. */
typedef int (*foud_exec_act)(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen);
/* Executes one parsed command; output to out, error text to err. */
int foud_exec(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
	      struct foud_out *out, char *err, size_t errlen);
/* A command of a layer above the dispatcher (reload.c's reload and flush). */
void foud_exec_register(enum cmd_obj obj, enum cmd_op op, foud_exec_act fn);

/* conf.c: link set, save, flush */
bool foud_link_same(const struct cmd_link_cfg *a, const struct cmd_link_cfg *b);
/* Rebuilds t as nc says on the same device (ifindex, addresses, routes, counters, static fdb kept). */
int foud_link_change(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *nc,
		     char *err, size_t errlen);
/* link set: the words of cmd merged into the link's configuration, changed in place. */
int foud_link_set(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen);
/* fouctl save: everything foud made, in the file's grammar. */
void foud_save(struct foud *d, struct foud_out *out);
/* Removes every device, port and TOU peer (and with the devices their BPF programs and fdb). */
void foud_flush(struct foud *d);

/* reload.c: the configuration file, applied at start and as a difference on reload */
int foud_conf_check(const char *path, char *err, size_t errlen);
/* Remembers path for reload; applies it when apply. Errors say FILE:LINE. */
int foud_conf_start(struct foud *d, const char *path, bool apply, char *err, size_t errlen);
void foud_conf_forget(struct foud *d);
/* READY=1 and STATUS= (with note, if any) to a supervisor. */
void foud_notify_ready(const struct foud *d, const char *note);
/* RELOADING=1, the file's difference applied, READY=1; a file with an error changes nothing. */
int foud_reload(struct foud *d, char *err, size_t errlen);
/* Registers the file's commands (reload, flush) with exec.c and SIGHUP with the loop. */
void foud_reload_register(struct foud *d);

/* out.c */
void foud_out_printf(struct foud_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void foud_out_vprintf(struct foud_out *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void foud_out_free(struct foud_out *o);

/*
 * print.c: the one writer of every show. Each call writes one fact: in JSON
 * mode (CTL_F_JSON) its member, key and value; in text mode the value
 * through fmt, or nothing where fmt is NULL. foud_pr_text is text only.
 * key is NULL only for an element of an array. A value's conversion in fmt:
 * %s for str, %u (or %x) for uint, %llu for u64, %lld for s64; foud_pr_null's
 * fmt gets the key as %s. The outermost value ends with a newline in JSON.
 */
struct foud_pr {
	struct foud_out *o;
	uint32_t flags;		/* FOUD_CTL_F_*: JSON, stats, details */
	unsigned int depth;	/* JSON objects and arrays open */
	uint32_t more;		/* bit n: level n has a member: the next one needs a comma */
};

void foud_pr_init(struct foud_pr *p, struct foud_out *o, uint32_t flags);
bool foud_pr_json(const struct foud_pr *p);
void foud_pr_open_object(struct foud_pr *p, const char *key);
void foud_pr_close_object(struct foud_pr *p);
void foud_pr_open_array(struct foud_pr *p, const char *key);
void foud_pr_close_array(struct foud_pr *p);
void foud_pr_text(struct foud_pr *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void foud_pr_nl(struct foud_pr *p);
void foud_pr_str(struct foud_pr *p, const char *key, const char *fmt, const char *v);
void foud_pr_uint(struct foud_pr *p, const char *key, const char *fmt, unsigned int v);
void foud_pr_u64(struct foud_pr *p, const char *key, const char *fmt, uint64_t v);
void foud_pr_s64(struct foud_pr *p, const char *key, const char *fmt, long long v);
/* JSON true or false; text on or off as they stand (either may be NULL). */
void foud_pr_bool(struct foud_pr *p, const char *key, const char *on, const char *off, bool v);
void foud_pr_null(struct foud_pr *p, const char *key, const char *fmt);

/* show.c: fou show, link show */
void foud_show_ports(struct foud *d, struct foud_pr *p);
int foud_show_links(struct foud *d, const char *name, struct foud_pr *p, char *err,
		    size_t errlen);

/* showdev.c: the words the classes' shows share */
/* -s: the counters (stats64, drops); a port's also its socket's drops (seen: as of its last read). */
void foud_show_stats(struct foud_pr *p, const struct foud_stats *s);
void foud_show_port_stats(struct foud_pr *p, const struct foud_stats *s, uint64_t sock_drops,
			  const struct foud_port *fp);
void foud_show_stats64(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all);
void foud_show_drops(struct foud_pr *p, const char *key, const char *label, const uint64_t *v);
void foud_show_drop_dirs(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all);
void foud_show_family(struct foud_pr *p, int family);
/* Parts that L3 and L2 links share: tos, and GRE's keys, checksums and sequence numbers. */
void foud_show_tos(struct foud_pr *p, bool inherit, uint8_t tos);
void foud_show_gre(struct foud_pr *p, const struct fou_tnl *n);
void foud_show_encap(struct foud_pr *p, const struct fou_tnl *n, bool own_line);
/* -d: UDP GSO's state and fallbacks of a userspace-path device. */
void foud_show_gso(const struct foud *d, const struct foud_tunnel *t, struct foud_pr *p);
/* -d -s on a BPF tunnel: what the programs counted, and dropped themselves (JSON only). */
void foud_show_bpf_stats(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p);

/* iflink.c: the device as `ip -j link show` has it, around linkinfo (JSON only) */
struct foud_iflink;
struct foud_iflink *foud_iflink_get(const char *name);
void foud_iflink_free(struct foud_iflink *il);
void foud_iflink_head(const struct foud_iflink *il, const struct foud_tunnel *t,
		      struct foud_pr *p, bool details);
void foud_iflink_tail(const struct foud_iflink *il, struct foud_pr *p);

#endif /* FOUD_H */
