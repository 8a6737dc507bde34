/* SPDX-License-Identifier: MIT */
/*
 * What the files of the grammar share: the parse state, the keyword loop
 * and the word parsers (cmd.c), and the link words every kind family uses
 * (cmd_link.c). Not for foud or fouctl: they see cmd.h only.
 */
#ifndef CMD_INT_H
#define CMD_INT_H

#include <stdbool.h>

#include "cmd.h"
#include "kinds.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct pctx {
	char *const *argv;
	int argc;
	int i;			/* next word */
	const char *where;	/* "link add", for "not a keyword of" */
	char where_buf[32];	/* "link add type vxlan" */
	uint32_t seen;		/* slots given so far */
	const char *gre_word;	/* first GRE-only word, checked against the kind */
	const char *ttl_word;	/* value of ttl/hoplimit as typed */
	const char *bad;	/* the bad one of several values, if not the first */
	char bad_buf[320];	/* the bad part of a value, when bad points here */
	char expect_buf[128];	/* the list of kinds, for a wrong "type" (cmd_link_type) */
	const struct fk_kind *lk;	/* link add: the kind "type" names */
	const struct kw *extra;		/* words a kind adds to a shared table (gretap's fdb) */
	size_t nextra;
	uint16_t eflags_set, eflags_clr;
	struct cmd_req *cmd;
	char *err;
	size_t errlen;
};

int __attribute__((format(printf, 2, 3))) cmd_perr(struct pctx *p, const char *fmt, ...);

/* ---- value parsers (cmd.c): 0 or -EINVAL, never a message ---------------- */

int cmd_parse_ulong(const char *s, int base, unsigned long min, unsigned long max,
		    unsigned long *out);
int cmd_parse_u16(const char *s, unsigned long min, uint16_t *out);
int cmd_parse_u8(const char *s, int base, uint8_t *out);
int cmd_parse_u32(const char *s, uint32_t *out);
int cmd_parse_vni(const char *s, uint32_t *out);
int cmd_parse_u64(const char *s, uint64_t *out);
int cmd_parse_mac(const char *s, uint8_t mac[6]);
int cmd_parse_tos(const char *s, uint8_t *tos, bool *inherit);
int cmd_parse_addr(const char *s, struct fou_addr *a);
int cmd_parse_unicast(const char *s, struct fou_addr *a);
int cmd_parse_key(const char *s, uint32_t *key);
int cmd_parse_name(const char *s, char name[IFNAMSIZ]);
/* A key file's absolute path: only the path, foud reads the file. */
int cmd_parse_key_file(const char *s, char path[CMD_KEY_PATH_MAX]);
unsigned int cmd_hex_val(char c);
bool cmd_addr_multicast(const struct fou_addr *a);
const char *cmd_family_name(int family);
/* "local" against "remote", "group" or "peer"; either may be absent. */
int cmd_same_family(struct pctx *p, const char *word, const struct fou_addr *a,
		    const char *ref_word, const struct fou_addr *ref);

struct name_val {
	const char *name;
	int val;
};

int cmd_nv_find(const struct name_val *t, size_t n, const char *s);
const char *cmd_nv_name(const struct name_val *t, size_t n, int val);

/* ---- the keyword loop (cmd.c) --------------------------------------------- */

#define KW_GRE	0x1	/* only for kinds with a GRE header */

struct kw {
	const char *word;	/* NULL: the kind's id_word (kinds.def) */
	uint32_t slots;		/* what it sets; a second word on a slot is a duplicate */
	uint8_t nval;		/* takes the next nval words as its value(s) */
	unsigned int flags;	/* KW_* */
	const char *expect;	/* what a value must look like; NULL: the setter wrote it in expect_buf */
	int (*set)(struct pctx *p, const char *val);
};

const struct kw *cmd_kw_find(const struct kw *t, size_t n, const char *w,
			     const struct fk_kind *k);
int cmd_kw_run(struct pctx *p, const struct kw *t, size_t n);
/* One keyword w of table entry k, its values at p->i: duplicates, count, setter. */
int cmd_kw_one(struct pctx *p, const struct kw *k, const char *w);
/* The positional word k->word at p->i, through k->set; missing is an error. */
int cmd_kw_pos(struct pctx *p, const struct kw *k);
/* The first required slot not given, by its keyword, or NULL. */
const char *cmd_kw_missing(const struct pctx *p, const struct kw *t, size_t n,
			   uint32_t required);

#define EXP_PORT	"a port 1-65535"
#define EXP_KEYFILE	"the absolute path of a key file (64 hex digits)"
#define EXP_ADDR	"an IPv4 or IPv6 address"
#define EXP_UADDR	"a unicast IPv4 or IPv6 address"
#define EXP_NAME	"1-15 characters without \"/\", \":\" or blanks"
#define EXP_TOS		"a hexadecimal number 0-ff or inherit"

/* ---- the objects' commands ------------------------------------------------ */

int cmd_no_args(struct pctx *p);
int cmd_fou_addel(struct pctx *p);		/* cmd_fou.c */
int cmd_link_add(struct pctx *p);		/* cmd_link.c */
int cmd_link_del(struct pctx *p);
int cmd_link_show(struct pctx *p);
int cmd_link_set(struct pctx *p);		/* cmd_set.c */
int cmd_fdb_entry(struct pctx *p);		/* cmd_fdb.c */
int cmd_fdb_show(struct pctx *p);
int cmd_tou_addel(struct pctx *p);		/* cmd_tou.c */
int cmd_fleet_etcd(struct pctx *p);		/* cmd_fleet.c */
int cmd_fleet_node(struct pctx *p);
int cmd_link_fleet(struct pctx *p, const char *v);
int cmd_metrics_listen(struct pctx *p);	/* cmd_metrics.c */
int cmd_capture(struct pctx *p);		/* cmd_capture.c */

/*
 * A parser's slots, one bit each of pctx.seen (a second word on a slot is a
 * duplicate), from one list: #define L(X) X(S_A) X(S_B) ..., then CMD_SLOTS(L)
 * makes S_A = 1u << 0, S_B = 1u << 1, ... so no two share a bit by mistake,
 * and refuses a list longer than kw.slots has bits.
 */
#define CMD_SLOT_BIT(s)		s##_BIT,
#define CMD_SLOT_MASK(s)	s = 1u << s##_BIT,
#define CMD_SLOTS(list)                                                                  \
	enum { list(CMD_SLOT_BIT) list##_N };                                             \
	_Static_assert(list##_N <= 32, #list ": more slots than struct kw's slots has bits"); \
	enum { list(CMD_SLOT_MASK) }

/* ---- link add: what the kind families share (cmd_link.c) ------------------ */

/* Slots of the link words; the L2 kinds share them where alike. */
#define LINK_SLOTS(X)                                                                  \
	X(LS_NAME) X(LS_TYPE) X(LS_REMOTE) X(LS_LOCAL) X(LS_TTL) X(LS_TOS) X(LS_IKEY)  \
	X(LS_OKEY) X(LS_ICSUM) X(LS_OCSUM) X(LS_ISEQ) X(LS_OSEQ) X(LS_MTU) X(LS_PMTU)  \
	X(LS_ENCAP) X(LS_SPORT) X(LS_DPORT) X(LS_ECSUM) X(LS_ECSUM6) X(LS_REMCSUM)     \
	X(LS_ID)	/* id, vsid, stt's key */                                      \
	X(LS_GROUP) X(LS_DEV) X(LS_DSTPORT) X(LS_SRCPORT) X(LS_LEARN) X(LS_AGEING)     \
	X(LS_MAXADDR) X(LS_UDPCSUM) X(LS_ZCSUMTX) X(LS_ZCSUMRX) X(LS_DATAPATH)
CMD_SLOTS(LINK_SLOTS);
enum {
	LS_FLOWID = LS_UDPCSUM,	/* nvgre's, which has no UDP */
	LS_GSO = LS_UDPCSUM,	/* stt's, which has no UDP either */
	LS_OPTS = LS_GROUP,	/* geneve's, which has no group */
	LS_EKEY = LS_ZCSUMTX,	/* the IP tunnels', which have no udp6zerocsum words */
	LS_EKEYNEXT = LS_ZCSUMRX,
};

/* The words of one kind (or of a family of kinds) after `link add`. */
struct cmd_link_syntax {
	const struct kw *kws;
	size_t nkws;
	uint32_t required;		/* slots; L3 kinds check their own */
	int (*finish)(struct pctx *p);
	const struct kw *extra;		/* after kws: gretap's forwarding-table words */
	size_t nextra;
};

#define KWS(t)	t, ARRAY_SIZE(t)

/* The kinds' words (cmd_link_l3.c, cmd_link_l2.c), which their rows in kinds.def name. */
extern const struct cmd_link_syntax cmd_syn_l3, cmd_syn_gretap, cmd_syn_vxlan,
	cmd_syn_nvgre, cmd_syn_geneve, cmd_syn_stt, cmd_syn_udp_l2;

/* The usage lines of a UDP overlay with cmd_syn_udp_l2's words, for its row. */
#define FK_USAGE_UDP_L2(name) \
"fouctl link add name NAME type " name " id VNI { remote ADDR [ local ADDR ] | fleet local ADDR }\n" \
"        [ dstport PORT ] [ { ttl | hoplimit } { N | inherit | auto } ]\n" \
"        [ tos { T | inherit } ] [ learning | nolearning ] [ ageing SECONDS ]\n" \
"        [ maxaddress N ] [ address LLADDR ] [ udpcsum | noudpcsum ] [ mtu N ]\n" \
"        [ datapath { auto | bpf | userspace } ]\n"

int cmd_link_name(struct pctx *p, const char *v);
int cmd_link_type(struct pctx *p, const char *v);
int cmd_link_mtu(struct pctx *p, const char *v);
int cmd_link_datapath(struct pctx *p, const char *v);
/* A word of any kind's tables, or NULL. */
const struct kw *cmd_link_kw_any(const char *w);

#define EXP_MTU		"a number 68-65535"

#define KW_NAME		{ "name", LS_NAME, 1, 0, EXP_NAME, cmd_link_name }
#define KW_TYPE		{ "type", LS_TYPE, 1, 0, NULL, cmd_link_type }
#define KW_MTU		{ "mtu", LS_MTU, 1, 0, EXP_MTU, cmd_link_mtu }

static inline struct fou_tnl *tnl(struct pctx *p)
{
	return &p->cmd->link.tnl;
}

static inline struct cmd_l2_cfg *l2(struct pctx *p)
{
	return &p->cmd->link.l2;
}

/* cmd_link_l3.c: the IP tunnel words, which gretap takes too. */
int cmd_l3_finish(struct pctx *p);
void cmd_l3_defaults(struct pctx *p);

/* cmd_link_l2.c: what gretap adds to them. */
#define CMD_GRETAP_NKWS	7
extern const struct kw cmd_gretap_kws[CMD_GRETAP_NKWS];
int cmd_gretap_finish(struct pctx *p);

#endif /* CMD_INT_H */
