// SPDX-License-Identifier: MIT
/*
 * systemd-networkd .netdev files as fouctl commands (fouctl import).
 *
 * A file is read as networkd 252 reads it: [Section] lines, Key=Value with
 * blanks around both stripped, whole-line '#' and ';' comments, the last
 * assignment of a key wins and an empty value resets it. Kind= is found
 * first, because it decides which section the file may have. Each key of
 * that section goes through one table to a value parser and a slot; the
 * kind's emitter (netdev_emit.c) then writes the fouctl words from the
 * slots. Those words are checked by cmd_parse(): import writes the
 * grammar, it never parses it. Both report through netdev_say.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cmd.h"
#include "ctl.h"
#include "netdev_int.h"

/* ---- values: 0 or -EINVAL ------------------------------------------------ */

/* Decimal digits only, as systemd's safe_atou for these keys. */
static int nd_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int nd_text(struct nd_val *v, const char *s)
{
	if (strlen(s) >= sizeof(v->text))
		return -EINVAL;
	strcpy(v->text, s);
	return 0;
}

static int p_any(struct nd_val *v, const char *s)
{
	(void)v;
	(void)s;
	return 0;
}

/* As the kernel's dev_valid_name(). */
static int p_name(struct nd_val *v, const char *s)
{
	size_t n = strlen(s);

	if (n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/: \t"))
		return -EINVAL;
	return nd_text(v, s);
}

static int p_bool(struct nd_val *v, const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			v->num = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

static int p_addr(struct nd_val *v, const char *s)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		v->num = AF_INET;
	else if (inet_pton(AF_INET6, s, a) == 1)
		v->num = AF_INET6;
	else
		return -EINVAL;
	return nd_text(v, s);
}

static int p_port(struct nd_val *v, const char *s)
{
	return nd_ulong(s, 1, 65535, &v->num);
}

/* FOUSourcePort=0: the stack picks, foud's "encap-sport auto". */
static int p_port0(struct nd_val *v, const char *s)
{
	return nd_ulong(s, 0, 65535, &v->num);
}

static int p_u8(struct nd_val *v, const char *s)
{
	return nd_ulong(s, 0, 255, &v->num);
}

static int p_u32(struct nd_val *v, const char *s)
{
	return nd_ulong(s, 0, UINT32_MAX, &v->num);
}

static int p_vni(struct nd_val *v, const char *s)
{
	return nd_ulong(s, 0, 0xffffff, &v->num);
}

static int p_ttl_l2(struct nd_val *v, const char *s)
{
	if (strcmp(s, "inherit"))
		return p_u8(v, s);
	v->num = ND_INHERIT;
	return 0;
}

/* A number, or a dotted quad read as a big-endian number (1.2.3.4 = 0x01020304). */
static int p_key(struct nd_val *v, const char *s)
{
	struct in_addr in;

	if (!strchr(s, '.'))
		return p_u32(v, s);
	if (inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	v->num = ntohl(in.s_addr);
	return 0;
}

/* MTUBytes=: bytes, or K, M, G of 1024. */
static int p_size(struct nd_val *v, const char *s)
{
	static const char units[] = "KMG";
	char num[24];
	size_t n = strlen(s);
	const char *u;
	int shift = 0;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	u = strchr(units, s[n - 1]);
	if (u && *u) {
		shift = 10 * (int)(u - units + 1);
		n--;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (nd_ulong(num, 1, 65535, &v->num) || (v->num << shift) > 65535 ||
	    (v->num << shift) < 68)
		return -EINVAL;
	v->num <<= shift;
	return 0;
}

/* FDBAgeingSec=: a time span, seconds by default. */
static int p_time(struct nd_val *v, const char *s)
{
	static const struct { const char *u; unsigned long mul; } units[] = {
		{ "", 1 }, { "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
		{ "h", 3600 }, { "hr", 3600 }, { "d", 86400 },
	};
	char num[24];
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(s + n, units[i].u))
			continue;
		if (nd_ulong(num, 0, UINT32_MAX / units[i].mul, &v->num))
			return -EINVAL;
		v->num *= units[i].mul;
		return 0;
	}
	return -EINVAL;
}

/* PortRange=LOW-HIGH, kept as LOW << 16 | HIGH. */
static int p_range(struct nd_val *v, const char *s)
{
	const char *dash = strchr(s, '-');
	unsigned long lo, hi;
	char num[8];

	if (!dash || dash - s >= (long)sizeof(num))
		return -EINVAL;
	memcpy(num, s, (size_t)(dash - s));
	num[dash - s] = '\0';
	if (nd_ulong(num, 1, 65535, &lo) || nd_ulong(dash + 1, 1, 65535, &hi) || lo > hi)
		return -EINVAL;
	v->num = lo << 16 | hi;
	return 0;
}

/* Encapsulation=: 0 FooOverUDP (direct), 1 GenericUDPEncapsulation (GUE). */
static int p_encap(struct nd_val *v, const char *s)
{
	if (strcmp(s, "FooOverUDP") && strcmp(s, "GenericUDPEncapsulation"))
		return -EINVAL;
	v->num = !strcmp(s, "GenericUDPEncapsulation");
	return 0;
}

/* foud's ip6tnl carries IPv4 and IPv6 (mode any); every mode is accepted. */
static int p_mode(struct nd_val *v, const char *s)
{
	if (strcmp(s, "ip6ip6") && strcmp(s, "ipip6") && strcmp(s, "any"))
		return -EINVAL;
	return nd_text(v, s);
}

/* Protocol=: 1-255 or a name, written as its number. */
static int p_proto(struct nd_val *v, const char *s)
{
	static const struct { const char *name; int num; } names[] = {
		{ "ipip", 4 }, { "ipv6", 41 }, { "gre", 47 },
	};
	struct protoent *pe;

	if (isdigit((unsigned char)s[0]))
		return nd_ulong(s, 1, 255, &v->num);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcasecmp(s, names[i].name)) {
			v->num = (unsigned long)names[i].num;
			return 0;
		}
	}
	pe = getprotobyname(s);
	if (!pe || pe->p_proto < 1 || pe->p_proto > 255)
		return -EINVAL;
	v->num = (unsigned long)pe->p_proto;
	return 0;
}

/* ---- the keys ---------------------------------------------------------------- */

/* A kind of value: its parser, and what a message says it must look like. */
struct nd_type {
	int (*parse)(struct nd_val *v, const char *s);
	const char *expect;
};

#define T(name, p, x)	static const struct nd_type name = { p, x }
T(t_any, p_any, "");
T(t_name, p_name, "an interface name of 1-15 characters");
T(t_mtu, p_size, "a size 68-65535, or with K, M or G");
T(t_addr, p_addr, "an IPv4 or IPv6 address (foud has no \"any\" or address of a link type)");
T(t_bool, p_bool, "a boolean (yes, no, true, false, on, off, 1, 0)");
T(t_u8, p_u8, "a number 0-255");
T(t_u32, p_u32, "a number 0-4294967295");
T(t_key, p_key, "a number 0-4294967295 or a dotted quad");
T(t_port, p_port, "a port 1-65535");
T(t_port0, p_port0, "a port 0-65535");
T(t_range, p_range, "LOW-HIGH, two ports 1-65535");
T(t_encap, p_encap, "FooOverUDP or GenericUDPEncapsulation");
T(t_mode, p_mode, "ip6ip6, ipip6 or any");
T(t_proto, p_proto, "a protocol number 1-255 or a name (ipip, ipv6, gre)");
T(t_vni, p_vni, "a number 0-16777215");
T(t_ttl, p_ttl_l2, "a number 0-255 or inherit");
T(t_time, p_time, "a time span (300, 5min, 1h)");
#undef T

/* The sections a key is in, one bit each of enum nd_sect. */
#define IN_NETDEV	(1u << SEC_NETDEV)
#define IN_TUNNEL	(1u << SEC_TUNNEL)
#define IN_FOU		(1u << SEC_FOU)
#define IN_VXLAN	(1u << SEC_VXLAN)
#define IN_GENEVE	(1u << SEC_GENEVE)
#define IN_UDP		(IN_VXLAN | IN_GENEVE)

struct nd_key {
	unsigned int sects;		/* IN_* */
	const char *key;
	int slot;			/* enum nd_slot */
	const struct nd_type *type;
};

#define K(in, k, slot, t)	{ in, k, slot, &t }
#define IGN(in, k)		K(in, k, S_IGNORE, t_any)
#define NO(in, k)		K(in, k, S_REFUSE, t_bool)
/* networkd's two spellings of a checksum key (...Checksum..., ...CheckSum...). */
#define K2(in, k, k2, slot, t)	K(in, k, slot, t), K(in, k2, slot, t)

static const struct nd_key keys[] = {
	K(IN_NETDEV, "Name", S_NAME, t_name),
	K(IN_NETDEV, "Kind", S_KIND, t_any),
	K(IN_NETDEV, "MTUBytes", S_MTU, t_mtu),
	K(IN_NETDEV, "Description", S_NOP, t_any),
	IGN(IN_NETDEV, "MACAddress"),

	/* A key of several sections with one meaning: one row. */
	K(IN_TUNNEL | IN_FOU | IN_VXLAN, "Local", S_LOCAL, t_addr),
	K(IN_TUNNEL | IN_UDP, "Remote", S_REMOTE, t_addr),
	K(IN_TUNNEL | IN_UDP, "TOS", S_TOS, t_u8),
	K(IN_TUNNEL | IN_FOU, "Encapsulation", S_ENCAP, t_encap),
	K(IN_TUNNEL | IN_VXLAN, "Independent", S_NOP, t_bool),
	K(IN_UDP, "Id", S_VNI, t_vni),

	K(IN_TUNNEL, "TTL", S_TTL, t_u8),
	K(IN_TUNNEL, "DiscoverPathMTU", S_PMTU, t_bool),
	K(IN_TUNNEL, "Key", S_KEY, t_key),
	K(IN_TUNNEL, "InputKey", S_IKEY, t_key),
	K(IN_TUNNEL, "OutputKey", S_OKEY, t_key),
	K(IN_TUNNEL, "SerializeTunneledPackets", S_SEQ, t_bool),
	K(IN_TUNNEL, "FooOverUDP", S_FOU, t_bool),
	K(IN_TUNNEL, "FOUDestinationPort", S_FOU_DPORT, t_port),
	K(IN_TUNNEL, "FOUSourcePort", S_FOU_SPORT, t_port0),
	K(IN_TUNNEL, "Mode", S_MODE, t_mode),
	NO(IN_TUNNEL, "External"),
	NO(IN_TUNNEL, "ISATAP"),
	IGN(IN_TUNNEL, "AssignToLoopback"), IGN(IN_TUNNEL, "AllowLocalRemote"),
	IGN(IN_TUNNEL, "IPv6FlowLabel"), IGN(IN_TUNNEL, "CopyDSCP"),
	IGN(IN_TUNNEL, "EncapsulationLimit"), IGN(IN_TUNNEL, "IPv6RapidDeploymentPrefix"),
	IGN(IN_TUNNEL, "ERSPANVersion"), IGN(IN_TUNNEL, "ERSPANIndex"),
	IGN(IN_TUNNEL, "ERSPANDirection"), IGN(IN_TUNNEL, "ERSPANHardwareId"),

	K(IN_FOU, "Port", S_PORT, t_port),
	K(IN_FOU, "Protocol", S_PROTO, t_proto),
	K(IN_FOU, "Peer", S_PEER, t_addr),
	K(IN_FOU, "PeerPort", S_PEER_PORT, t_port),

	/* What [VXLAN] and [GENEVE] share: the outer header of a UDP L2 overlay. */
	K(IN_UDP, "TTL", S_TTL, t_ttl),
	K(IN_UDP, "DestinationPort", S_DSTPORT, t_port),
	IGN(IN_UDP, "FlowLabel"), IGN(IN_UDP, "IPDoNotFragment"),

	K(IN_VXLAN, "VNI", S_VNI, t_vni),
	K(IN_VXLAN, "Group", S_GROUP, t_addr),
	K(IN_VXLAN, "MacLearning", S_LEARN, t_bool),
	K(IN_VXLAN, "FDBAgeingSec", S_AGEING, t_time),
	K(IN_VXLAN, "MaximumFDBEntries", S_MAXADDR, t_u32),
	K2(IN_VXLAN, "UDPChecksum", "UDPCheckSum", S_UDPCSUM, t_bool),
	K2(IN_VXLAN, "UDP6ZeroChecksumTx", "UDP6ZeroCheckSumTx", S_ZCSUMTX, t_bool),
	K2(IN_VXLAN, "UDP6ZeroChecksumRx", "UDP6ZeroCheckSumRx", S_ZCSUMRX, t_bool),
	K(IN_VXLAN, "PortRange", S_SRCPORT, t_range),
	NO(IN_VXLAN, "GroupPolicyExtension"), NO(IN_VXLAN, "GenericProtocolExtension"),
	NO(IN_VXLAN, "RemoteChecksumTx"), NO(IN_VXLAN, "RemoteChecksumRx"),
	IGN(IN_VXLAN, "ReduceARPProxy"), IGN(IN_VXLAN, "ARPProxy"),
	IGN(IN_VXLAN, "L2MissNotification"), IGN(IN_VXLAN, "L3MissNotification"),
	IGN(IN_VXLAN, "RouteShortCircuit"),

	IGN(IN_GENEVE, "UDPChecksum"),
	K2(IN_GENEVE, "UDP6ZeroChecksumTx", "UDP6ZeroCheckSumTx", S_IGNORE, t_any),
	K2(IN_GENEVE, "UDP6ZeroChecksumRx", "UDP6ZeroCheckSumRx", S_IGNORE, t_any),
};

static const struct nd_key *key_find(enum nd_sect s, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((keys[i].sects & 1u << s) && !strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static int sect_find(const char *name)
{
	for (int i = 0; i < SEC__MAX; i++)
		if (!strcmp(nd_sect_names[i], name))
			return i;
	return -1;
}

/* ---- reading --------------------------------------------------------------------- */

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int asg_add(struct nd_ctx *c, unsigned long line, const char *sect, char *l, char *eq)
{
	size_t ns = strlen(sect) + 1, nk, nv;
	struct nd_asg **grown, *a;
	char *key, *val;

	*eq = '\0';
	key = strip(l);
	val = strip(eq + 1);
	nk = strlen(key) + 1;
	nv = strlen(val) + 1;
	a = malloc(sizeof(*a) + ns + nk + nv);
	grown = realloc(c->asg, (c->nasg + 1) * sizeof(*c->asg));
	if (!a || !grown) {
		free(a);
		if (grown)
			c->asg = grown;
		nd_say(c, line, "out of memory");
		return -ENOMEM;
	}
	c->asg = grown;
	a->line = line;
	a->sect = memcpy(a->buf, sect, ns);
	a->key = memcpy(a->buf + ns, key, nk);
	a->val = memcpy(a->buf + ns + nk, val, nv);
	c->asg[c->nasg++] = a;
	return 0;
}

/* One line: a section header, Key=Value, or a comment. sect is the current section. */
static int load_line(struct nd_ctx *c, unsigned long no, char *raw, char *sect, size_t sectlen)
{
	char *l = strip(raw), *eq;
	size_t n = strlen(l);

	if (!*l || *l == '#' || *l == ';')
		return 0;
	if (*l == '[') {
		if (l[n - 1] != ']' || n - 2 >= sectlen) {
			nd_say(c, no, "invalid section header \"%s\", file not applied", l);
			return -EINVAL;
		}
		memcpy(sect, l + 1, n - 2);
		sect[n - 2] = '\0';
		return 0;
	}
	eq = strchr(l, '=');
	if (!eq || !*sect) {
		nd_say(c, no, "%s, skipped", eq ? "assignment outside of a section" :
		       "neither [Section] nor Key=Value");
		return 0;
	}
	return asg_add(c, no, sect, l, eq);
}

static int load(struct nd_ctx *c, FILE *f)
{
	char sect[64] = "", *line = NULL;
	unsigned long no = 0;
	size_t cap = 0;
	int ret = 0;

	while (!ret && getline(&line, &cap, f) >= 0)
		ret = load_line(c, ++no, line, sect, sizeof(sect));
	if (!ret && ferror(f)) {
		nd_say(c, 0, "read error");
		ret = -EIO;
	}
	free(line);
	return ret;
}

/* Kind= decides the sections: found first, as networkd does. */
static int find_kind(struct nd_ctx *c)
{
	const struct nd_asg *kind = NULL;

	for (size_t i = 0; i < c->nasg; i++)
		if (!strcmp(c->asg[i]->sect, "NetDev") && !strcmp(c->asg[i]->key, "Kind"))
			kind = *c->asg[i]->val ? c->asg[i] : NULL;
	if (!kind)
		return nd_missing(c, SEC_NETDEV, "Kind", "networkd and foud need it");
	c->nf->line = kind->line;
	c->kind = nd_kind_find(kind->val);
	if (c->kind) {
		c->nf->fou_port = c->kind->sect == SEC_FOU;
		return 0;
	}
	nd_say(c, kind->line, "Kind=%s: foud does not do this kind (it does %s), file not applied",
	       kind->val, nd_kinds_list);
	return -EINVAL;
}

/* One Key=Value: a slot, a warning, or a refusal (the rest is still read and said). */
static void assign(struct nd_ctx *c, const struct nd_key *k, const struct nd_asg *a)
{
	struct nd_val v = { .line = a->line };

	if (!*a->val) {
		if (k->slot < S__MAX)
			memset(&c->v[k->slot], 0, sizeof(c->v[k->slot]));
		return;
	}
	if (k->type->parse(&v, a->val)) {
		nd_say(c, a->line, "invalid value \"%s\" for [%s] %s=: expected %s", a->val,
		       a->sect, a->key, k->type->expect);
		c->bad = true;
	} else if (k->slot == S_IGNORE) {
		nd_say(c, a->line, "[%s] %s= is not used by foud, ignored", a->sect, a->key);
	} else if (k->slot == S_REFUSE && v.num) {
		nd_say(c, a->line, "[%s] %s=%s: foud does not do this", a->sect, a->key, a->val);
		c->bad = true;
	} else if (k->slot < S__MAX) {
		c->v[k->slot] = v;
	}
}

static void assign_all(struct nd_ctx *c)
{
	for (size_t i = 0; i < c->nasg; i++) {
		const struct nd_asg *a = c->asg[i];
		int s = sect_find(a->sect);
		const struct nd_key *k = NULL;

		if (s == SEC_NETDEV || s == (int)c->kind->sect)
			k = key_find((enum nd_sect)s, a->key);
		if (k)
			assign(c, k, a);
		else
			nd_say(c, a->line, "unknown key [%s] %s, skipped", a->sect, a->key);
	}
}

/* The words go through foud's own parser: what it refuses is never sent. */
static int check(struct nd_ctx *c)
{
	char line[NETDEV_CMD_MAX], err[256], *argv[CTL_MAX_ARGS + 1];
	struct cmd_req *cmd = malloc(sizeof(*cmd));
	int n, ret;

	if (!cmd)
		return -ENOMEM;
	memcpy(line, c->nf->cmd, sizeof(line));
	n = cmd_split(line, argv, CTL_MAX_ARGS);
	ret = n > 0 ? cmd_parse(n, argv, cmd, err, sizeof(err)) : -EINVAL;
	if (ret)
		nd_say(c, 0, "foud refuses \"%s\": %s, file not applied", c->nf->cmd,
		       n > 0 ? err : "no words");
	free(cmd);
	return ret;
}

static int convert(struct nd_ctx *c, FILE *f)
{
	int ret = load(c, f);

	if (!ret)
		ret = find_kind(c);
	if (ret)
		return ret;
	assign_all(c);
	if (c->bad) {
		nd_say(c, 0, "file not applied");
		return -EINVAL;
	}
	if (c->kind->sect != SEC_FOU && !nd_set(c, S_NAME))
		return nd_missing(c, SEC_NETDEV, "Name", "networkd and foud need it");
	ret = c->kind->emit(c);
	if (!ret && c->full) {
		nd_say(c, 0, "the command is longer than %d bytes, file not applied",
		       NETDEV_CMD_MAX - 1);
		ret = -E2BIG;
	}
	return ret ? ret : check(c);
}

int netdev_read(FILE *f, const char *path, struct netdev_file *nf, FILE *err)
{
	struct nd_ctx c = { .path = path, .err = err, .nf = nf };
	int ret;

	memset(nf, 0, sizeof(*nf));
	nf->path = path;
	ret = convert(&c, f);
	for (size_t i = 0; i < c.nasg; i++)
		free(c.asg[i]);
	free(c.asg);
	if (ret) {
		nf->cmd[0] = '\0';
		return -EINVAL;
	}
	return 0;
}
