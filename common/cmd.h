/* SPDX-License-Identifier: MIT */
/*
 * The command grammar shared by fouctl (which checks words before it
 * connects) and foud (which parses what arrives on the control socket and
 * what its -c file says). One parser, so both name the same wrong word.
 */
#ifndef CMD_H
#define CMD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fou/fou.h"
#include "kinds.h"

enum cmd_obj {
	CMD_OBJ_FOU,
	CMD_OBJ_LINK,
	CMD_OBJ_FDB,
	CMD_OBJ_TOU,
	CMD_OBJ_FLEET,
	CMD_OBJ_METRICS,
	CMD_OBJ_CAPTURE,
	CMD_OBJ_MONITOR,	/* a control client that stays for events (event.c) */
	CMD_OBJ_RELOAD,	/* reload, save, flush: no command word */
	CMD_OBJ_SAVE,
	CMD_OBJ_FLUSH,
	CMD_OBJ__MAX
};

enum cmd_op {
	CMD_OP_ADD,
	CMD_OP_DEL,
	CMD_OP_SHOW,
	CMD_OP_APPEND,		/* fdb append */
	CMD_OP_REKEY,		/* link rekey: re-read the key files */
	CMD_OP_ETCD,		/* fleet etcd */
	CMD_OP_NODE,		/* fleet node */
	CMD_OP_SET,		/* link set / link change */
	CMD_OP_RUN,		/* the whole command is the object's word */
	CMD_OP_LISTEN,		/* metrics listen */
	CMD_OP_MON_ALL,	/* monitor [ all ]; the MON_ ops in FOUD_EVG_ order (daemon/core/event.h) */
	CMD_OP_MON_LINK,
	CMD_OP_MON_FDB,
	CMD_OP_MON_TOU,
	CMD_OP_HELP,		/* fouctl answers it; foud refuses it */
	CMD_OP__MAX
};

/* Geneve's Opt Len: 6 bits of 4-byte words. */
#define CMD_GENEVE_OPTS_MAX	252

/*
 * `link add name NAME type vxlan id VNI { remote ADDR | group MCADDR dev IF }
 *  local ADDR [ dstport PORT ] [ srcport MIN MAX ] [ ttl N ] [ tos T | inherit ]
 *  [ [no]learning ] [ ageing SECONDS ] [ maxaddress N ] [ [no]udpcsum ]
 *  [ udp6zerocsumtx ] [ udp6zerocsumrx ] [ mtu N ]`, and the other L2 kinds.
 * For nvgre and gretap the parser also fills link.tnl (kind FOU_KIND_GRE or
 * FOU_KIND_IP6GRE by family, key, encap words) so that the GRE machinery
 * can carry them.
 */
struct cmd_l2_cfg {
	enum fk_l2_kind kind;
	uint32_t vni;			/* vxlan/geneve id, nvgre vsid (24 bits) */
	uint64_t key;			/* stt context id */
	struct fou_addr local;		/* family 0: not given (geneve may omit it) */
	struct fou_addr remote;		/* family 0: not given */
	struct fou_addr group;		/* multicast group, family 0: none */
	char dev[IFNAMSIZ];		/* the group's device */
	uint16_t dstport;		/* default: the kind's row (kinds.c) */
	uint16_t srcport_min, srcport_max;	/* 0 0: ip_local_port_range */
	uint8_t ttl;			/* 0: 64 (1 towards a group) */
	bool ttl_inherit;		/* the inner packet's TTL (gretap: ttl 0, as Linux) */
	uint8_t tos;
	bool tos_inherit;
	bool learning;			/* default on */
	uint32_t ageing;		/* seconds, default 300; 0 = never */
	uint32_t maxaddress;		/* 0 = unlimited */
	bool udpcsum;			/* IPv4 UDP checksum, default on */
	bool udp6zerocsumtx, udp6zerocsumrx;
	bool noflowid;			/* nvgre: FlowID 0, for peers that match the whole key */
	bool gso;			/* stt: whole frames to the kernel's TSO by AF_PACKET (stt.c) */
	/* geneve_opts: the options sent on every packet, as on the wire (TLVs). */
	uint8_t geneve_opts[CMD_GENEVE_OPTS_MAX];
	uint8_t geneve_opts_len;
	bool fleet;			/* flood and MAC entries come from the fleet (fleet.c) */
	uint8_t mac[6];			/* `address`; all zero: the kernel's random one */
};

/* `fou add port PORT { ipproto PROTO | gue } [ local ADDR ] [ peer ADDR peer_port PORT ] [ -6 ]` */
struct cmd_port_cfg {
	uint16_t port;
	int family;			/* AF_INET, or AF_INET6 with -6 */
	enum fou_encap type;		/* FOU_ENCAP_FOU (ipproto) or FOU_ENCAP_GUE */
	uint8_t ipproto;		/* FOU only; 1..255 */
	struct fou_addr local;		/* family 0: any */
	struct fou_addr peer;		/* family 0: any */
	uint16_t peer_port;		/* given iff peer is */
};

/* `datapath { auto | bpf | userspace }` on link add, and foud -D. */
enum cmd_datapath {
	CMD_DP_DEFAULT,		/* foud's default (foud -D, else auto) */
	CMD_DP_AUTO,			/* BPF when possible, else userspace */
	CMD_DP_BPF,			/* BPF or an error */
	CMD_DP_USERSPACE,
	CMD_DP__MAX
};

/* The datapath word, or -EINVAL; and back. */
int cmd_datapath_lookup(const char *name);
const char *cmd_datapath_name(enum cmd_datapath dp);

/* `link add name NAME type KIND ...` */
#define CMD_KEY_PATH_MAX	256

struct cmd_link_cfg {
	char name[IFNAMSIZ];
	struct fou_tnl tnl;
	/* encap-key, encap-key-next: absolute paths ("" = none); foud reads them */
	char key_file[2][CMD_KEY_PATH_MAX];
	uint32_t mtu;			/* 0: underlay MTU minus overhead */
	enum cmd_datapath datapath;
	struct cmd_l2_cfg l2;		/* kind FK_L2_NONE for L3 links */
	/* `fleet prefix P` (L3 kinds): a multipoint device routing the fleet's prefixes (fleet_l3.c) */
	struct fou_addr fleet_pfx;	/* family 0: not a fleet's */
	uint8_t fleet_plen;
};

/* `fdb { add | append | del } LLADDR dev NAME dst ADDR`, `fdb show [ dev NAME ]` */
struct cmd_fdb_cfg {
	uint8_t mac[6];
	char dev[IFNAMSIZ];		/* "" in fdb show: every device */
	struct fou_addr dst;
};

/*
 * `tou add peer ADDR [ port PORT ] [ local ADDR ]`, `tou del peer ADDR`: TCP to
 * peer through the TOU device goes as UDP/GUE(6)/TCP to peer's port PORT.
 */
#define CMD_TOU_PORT		FOU_PORT_GUE	/* TOU is GUE on the wire */
#define CMD_TOU_MARK		0x746f75	/* "tou": the fwmark libtou puts on sockets */
#define CMD_TOU_TABLE		0x746f75	/* the routing table of the TOU peers */

/*
 * `dtls { psk FILE | cert FILE key FILE cacert FILE } [ rekey-bytes N ]
 * [ rekey-time SECONDS ]`, the last words of `tou add`: DTLS between the peers.
 */
enum { CMD_DTLS_NONE, CMD_DTLS_PSK, CMD_DTLS_CERT };
#define CMD_DTLS_REKEY_BYTES	(1ull << 30)	/* a new session after this many bytes */
#define CMD_DTLS_REKEY_TIME	600		/* or this many seconds */

struct cmd_tou_dtls {
	uint8_t mode;				/* CMD_DTLS_* */
	char psk[CMD_KEY_PATH_MAX];		/* 64 hex digits, as a key file */
	char cert[CMD_KEY_PATH_MAX], key[CMD_KEY_PATH_MAX], cacert[CMD_KEY_PATH_MAX];
	char name[254];				/* the peer certificate's; "": the peer's address */
	uint64_t rekey_bytes;
	uint32_t rekey_time;
};

struct cmd_tou_cfg {
	struct fou_addr peer;
	struct fou_addr local;		/* family 0: whatever the kernel picks */
	uint16_t port;			/* ours and the peer's */
	char key_file[2][CMD_KEY_PATH_MAX];	/* key, key-next: "" = none */
	struct cmd_tou_dtls dtls;
	bool remcsum;			/* GUE remote checksum offload on every segment */
};

/*
 * `fleet etcd ENDPOINT[,ENDPOINT...] [ prefix PATH ] [ ttl SECONDS ]
 *  [ cacert FILE ] [ cert FILE key FILE ] [ user NAME password-file FILE ]`,
 * `fleet node NAME address ADDR [ address ADDR ]` (at most one per family).
 */
#define CMD_FLEET_ENDPOINTS	8
#define CMD_FLEET_URL_MAX	128
#define CMD_FLEET_PATH_MAX	256
#define CMD_FLEET_NAME_MAX	64	/* with its NUL */
#define CMD_FLEET_TTL		10	/* seconds, the default */
#define CMD_FLEET_PREFIX	"/foud"

struct cmd_fleet_cfg {
	char endpoint[CMD_FLEET_ENDPOINTS][CMD_FLEET_URL_MAX];
	unsigned int nendpoints;
	char prefix[CMD_FLEET_PATH_MAX];	/* keys under PREFIX/nodes/ */
	uint32_t ttl;
	char cacert[CMD_FLEET_PATH_MAX], cert[CMD_FLEET_PATH_MAX], key[CMD_FLEET_PATH_MAX];
	char user[CMD_FLEET_NAME_MAX];		/* etcd's authentication; "": none */
	char password_file[CMD_FLEET_PATH_MAX];	/* its first line is the password */
	char node[CMD_FLEET_NAME_MAX];		/* fleet node: this host's name */
	struct fou_addr address;		/* ... and underlay address */
	struct fou_addr address2;		/* of the other family (IPv6-underlay fleets); 0: none */
};

/* A node's name: 1-63 of [A-Za-z0-9._-] (it is the last part of its etcd key). */
bool cmd_fleet_name_ok(const char *s);
/* `metrics listen { ADDR:PORT | [ADDR6]:PORT | unix:PATH }` and foud --metrics */
struct cmd_metrics_cfg {
	struct sockaddr_storage addr;	/* AF_INET, AF_INET6 or AF_UNIX */
	socklen_t len;
	char spec[112];			/* as given, for messages */
};

/* Parses one listen address, numeric only; 0 or -EINVAL. */
int cmd_metrics_addr(const char *s, struct cmd_metrics_cfg *c);

/*
 * `capture DEV [ inner | outer ] [ -c COUNT ] [ -w FILE | - ]`: pcap of what
 * DEV sends and receives, to a pipe fouctl passes with the request (fd).
 */
struct cmd_capture_cfg {
	bool outer;
	uint64_t count;			/* 0: until the reader goes */
	const char *file;		/* -w: fouctl's; NULL or "-": standard output */
	int fd;				/* the pipe, set by foud's control socket; -1: none */
};

struct cmd_req {
	enum cmd_obj obj;
	enum cmd_op op;
	char name[IFNAMSIZ];		/* link del NAME, link show [NAME] ("" = all) */
	struct cmd_port_cfg port;	/* fou add/del */
	struct cmd_link_cfg link;	/* link add */
	struct cmd_fdb_cfg fdb;	/* fdb add/append/del/show */
	struct cmd_tou_cfg tou;	/* tou add/del */
	struct cmd_fleet_cfg fleet;	/* fleet etcd/node */
	/* link set NAME WORDS: the words, in the parsed argv (valid while it is) */
	char *const *set_argv;
	int set_argc;
	struct cmd_metrics_cfg metrics;	/* metrics listen */
	struct cmd_capture_cfg capture;	/* capture DEV (name: DEV) */
};

/*
 * Parses the words after the program name ("fou", "add", "port", "5555",
 * ...). On error, writes into err a one-line message that quotes the
 * offending word (or names the missing one) and returns -EINVAL.
 */
int cmd_parse(int argc, char *const argv[], struct cmd_req *cmd,
		   char *err, size_t errlen);

/*
 * Splits a config or batch line into words in place: blanks separate, '#'
 * starts a comment. A leading "fouctl" word is dropped. Returns the word
 * count, or -E2BIG if more than max.
 */
int cmd_split(char *line, char *argv[], int max);

/*
 * `help`, `OBJECT help` or `OBJECT COMMAND help` (objects and commands
 * abbreviated as the parser takes them): prints the usage lines of that
 * object (all of them for `help`) to f and returns true; false when argv
 * asks for no help.
 */
bool cmd_help(int argc, char *const argv[], FILE *f);

/* The usage text (the same as the SYNOPSIS of fouctl.8). */
extern const char cmd_usage[];

#endif /* CMD_H */
