// SPDX-License-Identifier: MIT
/*
 * The fouctl grammar: good commands give the right struct, with every
 * default checked; every kind of error quotes the word it is about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "cmd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXW 64

/* Splits a copy of line and parses it; the words live in *buf. */
static int parse_line(const char *line, char buf[512], struct cmd_req *cmd,
		      char *err, size_t errlen)
{
	char *argv[MAXW];
	int n;

	snprintf(buf, 512, "%s", line);
	n = cmd_split(buf, argv, MAXW);
	assert_true(n >= 0);
	return cmd_parse(n, argv, cmd, err, errlen);
}

static void assert_addr(const struct fou_addr *a, const char *s)
{
	struct fou_addr want = { 0 };

	if (s) {
		want.family = strchr(s, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(want.family, s, want.a), 1);
	}
	assert_int_equal(a->family, want.family);
	assert_memory_equal(a->a, want.a, sizeof(want.a));
}

/* ---- fou ----------------------------------------------------------------- */

struct fou_case {
	const char *line;
	enum cmd_op op;
	uint16_t port;
	int family;
	enum fou_encap type;
	uint8_t ipproto;
	const char *local, *peer;
	uint16_t peer_port;
};

static const struct fou_case fou_good[] = {
	{ "fou add port 5555 ipproto 4", CMD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 4 },
	{ "fou add port 5555 ipproto ipip", CMD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 4 },
	{ "fou add port 1 ipproto gre", CMD_OP_ADD, 1, AF_INET, FOU_ENCAP_FOU, 47 },
	{ "fou add port 65535 ipproto ipv6", CMD_OP_ADD, 65535, AF_INET, FOU_ENCAP_FOU, 41 },
	{ "fou add port 6080 gue", CMD_OP_ADD, 6080, AF_INET, FOU_ENCAP_GUE, 0 },
	{ "fou add gue port 6080 -6", CMD_OP_ADD, 6080, AF_INET6, FOU_ENCAP_GUE, 0 },
	{ "fouctl fou add port 5555 ipproto 47 local 192.0.2.1 # comment",
	  CMD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 47, "192.0.2.1" },
	{ "fou add port 5555 ipproto ipencap", CMD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 4 },
	{ "fou add port 5555 ipproto 041", CMD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 41 },
	{ "fou add port 5555 gue local 2001:db8::1 peer 2001:db8::2 peer_port 7 -6",
	  CMD_OP_ADD, 5555, AF_INET6, FOU_ENCAP_GUE, 0, "2001:db8::1", "2001:db8::2", 7 },
	{ "fou add peer_port 9 peer 192.0.2.9 port 5 ipproto 4",
	  CMD_OP_ADD, 5, AF_INET, FOU_ENCAP_FOU, 4, NULL, "192.0.2.9", 9 },
	{ "fou del port 5555", CMD_OP_DEL, 5555, AF_INET, FOU_ENCAP_NONE, 0 },
	{ "fou delete port 5555 gue", CMD_OP_DEL, 5555, AF_INET, FOU_ENCAP_GUE, 0 },
	{ "fou show", CMD_OP_SHOW, 0, 0, FOU_ENCAP_NONE, 0 },
};

static void test_fou_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fou_good); i++) {
		const struct fou_case *c = &fou_good[i];
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.obj, CMD_OBJ_FOU);
		assert_int_equal(cmd.op, c->op);
		assert_int_equal(cmd.port.port, c->port);
		assert_int_equal(cmd.port.family, c->family);
		assert_int_equal(cmd.port.type, c->type);
		assert_int_equal(cmd.port.ipproto, c->ipproto);
		assert_addr(&cmd.port.local, c->local);
		assert_addr(&cmd.port.peer, c->peer);
		assert_int_equal(cmd.port.peer_port, c->peer_port);
	}
}

/* ---- link add --------------------------------------------------------------- */

#define V4 "remote 192.0.2.2 local 192.0.2.1"
#define V6 "remote 2001:db8::2 local 2001:db8::1"
#define CS6 FOU_ENCAP_F_CSUM6
#define GK FOU_GRE_KEY
#define GC FOU_GRE_CSUM
#define GS FOU_GRE_SEQ

struct link_case {
	const char *line;
	enum fou_kind kind;
	enum fou_encap encap;
	uint16_t sport, dport, eflags;
	uint16_t gi, go;
	uint32_t ik, ok;
	uint8_t ttl, tos;
	bool tos_inherit, pmtudisc;
	uint32_t mtu;
};

static const struct link_case link_good[] = {
	/* defaults of each kind */
	{ "link add name t type ipip " V4, FOU_KIND_IPIP, FOU_ENCAP_NONE,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, false, true, 0 },
	{ "link add name t type sit " V4, FOU_KIND_SIT, FOU_ENCAP_NONE,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, false, true, 0 },
	{ "link add name t type gre " V4, FOU_KIND_GRE, FOU_ENCAP_NONE,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, false, true, 0 },
	{ "link add name t type ip6tnl " V6, FOU_KIND_IP6TNL, FOU_ENCAP_NONE,
	  0, 0, CS6, 0, 0, 0, 0, 64, 0, false, true, 0 },
	{ "link add name t type ip6gre " V6, FOU_KIND_IP6GRE, FOU_ENCAP_NONE,
	  0, 0, CS6, 0, 0, 0, 0, 64, 0, false, true, 0 },
	/* the canonical FOU pair */
	{ "link add name tun1 type ipip " V4 " ttl 225 encap fou encap-sport auto encap-dport 5555",
	  FOU_KIND_IPIP, FOU_ENCAP_FOU, 0, 5555, 0, 0, 0, 0, 0, 225, 0, false, true, 0 },
	{ "link add type sit " V4 " name s encap gue encap-sport 4000 encap-dport 6080 "
	  "encap-csum encap-remcsum tos 1c mtu 1400",
	  FOU_KIND_SIT, FOU_ENCAP_GUE, 4000, 6080,
	  FOU_ENCAP_F_CSUM | FOU_ENCAP_F_REMCSUM, 0, 0, 0, 0, 0, 0x1c, false, true, 1400 },
	{ "link add name g type gre " V4 " key 42 csum seq",
	  FOU_KIND_GRE, FOU_ENCAP_NONE, 0, 0, 0, GK | GC | GS, GK | GC | GS, 42, 42,
	  0, 0, false, true, 0 },
	{ "link add name g type gre " V4 " ikey 1.2.3.4 okey 0x10 icsum oseq",
	  FOU_KIND_GRE, FOU_ENCAP_NONE, 0, 0, 0, GK | GC, GK | GS, 0x01020304, 16,
	  0, 0, false, true, 0 },
	{ "link add name g type ip6gre " V6 " hoplimit 3 tos inherit noencap-udp6-csum "
	  "nopmtudisc mtu 68", FOU_KIND_IP6GRE, FOU_ENCAP_NONE, 0, 0, 0, 0, 0, 0, 0,
	  3, 0, true, false, 68 },
	{ "link add name t type ip6tnl " V6 " ttl inherit encap fou encap-dport 5555 "
	  "encap-csum", FOU_KIND_IP6TNL, FOU_ENCAP_FOU, 0, 5555,
	  FOU_ENCAP_F_CSUM | CS6, 0, 0, 0, 0, 0, 0, false, true, 0 },
	{ "link add name t type ipip " V4 " nopmtudisc ttl 0 noencap noencap-remcsum",
	  FOU_KIND_IPIP, FOU_ENCAP_NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false, 0 },
	{ "link add name t type ipip " V4 " encap none encap-udp6-csum mtu 65535",
	  FOU_KIND_IPIP, FOU_ENCAP_NONE, 0, 0, CS6, 0, 0, 0, 0, 0, 0, false, true, 65535 },
};

static void check_link(const struct link_case *c, const struct cmd_req *cmd)
{
	const struct fou_tnl *t = &cmd->link.tnl;

	assert_int_equal(cmd->obj, CMD_OBJ_LINK);
	assert_int_equal(cmd->op, CMD_OP_ADD);
	assert_int_equal(t->kind, c->kind);
	assert_int_equal(t->encap, c->encap);
	assert_int_equal(t->encap_sport, c->sport);
	assert_int_equal(t->encap_dport, c->dport);
	assert_int_equal(t->encap_flags, c->eflags);
	assert_int_equal(t->gre_iflags, c->gi);
	assert_int_equal(t->gre_oflags, c->go);
	assert_int_equal(t->ikey, c->ik);
	assert_int_equal(t->okey, c->ok);
	assert_int_equal(t->ttl, c->ttl);
	assert_int_equal(t->tos, c->tos);
	assert_int_equal(t->tos_inherit, c->tos_inherit);
	assert_int_equal(t->pmtudisc, c->pmtudisc);
	assert_int_equal(t->port_min, 0);
	assert_int_equal(t->port_max, 0);
	assert_int_equal(cmd->link.mtu, c->mtu);
	assert_string_equal(cmd->name, cmd->link.name);
}

static void test_link_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(link_good); i++) {
		const struct link_case *c = &link_good[i];
		bool v6 = c->kind == FOU_KIND_IP6TNL || c->kind == FOU_KIND_IP6GRE;
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		check_link(c, &cmd);
		assert_addr(&cmd.link.tnl.remote, v6 ? "2001:db8::2" : "192.0.2.2");
		assert_addr(&cmd.link.tnl.local, v6 ? "2001:db8::1" : "192.0.2.1");
	}
}

static void test_link_key(void **state)
{
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("link add name t type ipip " V4 " encap gue encap-dport 1 "
				    "encap-key /etc/foud/t.key encap-key-next /etc/foud/t.next",
				    buf, &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.link.key_file[0], "/etc/foud/t.key");
	assert_string_equal(cmd.link.key_file[1], "/etc/foud/t.next");
	assert_true(cmd.link.tnl.encap_flags & FOU_ENCAP_F_AUTH);
	assert_int_equal(parse_line("link rekey dev t", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, CMD_OP_REKEY);
	assert_string_equal(cmd.name, "t");
	assert_int_equal(parse_line("tou add peer 192.0.2.2 key /etc/foud/p.key", buf, &cmd,
				    err, sizeof(err)), 0);
	assert_string_equal(cmd.tou.key_file[0], "/etc/foud/p.key");
	/* After "dtls", "key" is the certificate's. */
	assert_int_equal(parse_line("tou add peer 192.0.2.2 port 7 dtls cert /c key /k cacert /ca "
				    "rekey-bytes 5", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.tou.dtls.mode, CMD_DTLS_CERT);
	assert_string_equal(cmd.tou.dtls.key, "/k");
	assert_string_equal(cmd.tou.key_file[0], "");
	assert_int_equal(cmd.tou.dtls.rekey_bytes, 5);
	assert_int_equal(cmd.tou.dtls.rekey_time, CMD_DTLS_REKEY_TIME);
	assert_int_equal(cmd.tou.port, 7);
	assert_string_equal(cmd.tou.dtls.name, "");
	assert_int_equal(parse_line("tou add peer 192.0.2.2 dtls cert /c key /k cacert /ca "
				    "name b.example", buf, &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.tou.dtls.name, "b.example");
}

static void test_link_name(void **state)
{
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("link add name abcdefghijklmno type ipip " V4, buf,
				    &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.link.name, "abcdefghijklmno");
}

/* As `ip link add`: the name first without "name", or after "dev". */
static void test_link_name_habits(void **state)
{
	static const char *const good[] = {
		"link add t1 type ipip " V4,
		"link add dev t1 type ipip " V4,
		"link add t1 type vxlan id 42 local 192.0.2.1 group 239.1.1.1 dev va",
		"link add dev t1 type vxlan id 42 local 192.0.2.1 group 239.1.1.1 dev va",
	};
	static const struct { const char *line, *msg; } bad[] = {
		{ "link add t1 name t2 type ipip " V4, "duplicate \"name\"" },
		{ "link add dev", "\"dev\" needs a value" },
		{ "link add name t1 type ipip " V4 " t2", "\"t2\" is not a keyword of \"link add\"" },
		{ "link add a/b type ipip " V4,
		  "invalid value \"a/b\" for \"name\": expected 1-15 characters without \"/\", \":\" or blanks" },
	};
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (parse_line(good[i], buf, &cmd, err, sizeof(err)))
			print_error("%s: %s\n", good[i], err);
		assert_int_equal(parse_line(good[i], buf, &cmd, err, sizeof(err)), 0);
		assert_string_equal(cmd.link.name, "t1");
		assert_string_equal(cmd.name, "t1");
	}
	assert_string_equal(cmd.link.l2.dev, "va");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_line(bad[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].msg);
	}
}

/* metrics listen: IPv4, [IPv6], unix:PATH as sockaddrs; every bad form quoted. */
static void test_metrics_listen(void **state)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "metrics listen", "\"ADDR:PORT\" is missing after \"metrics listen\"" },
		{ "metrics listen 127.0.0.1", "\"127.0.0.1\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH" },
		{ "metrics listen 127.0.0.1:0", "\"127.0.0.1:0\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH" },
		{ "metrics listen ::1:9100", "\"::1:9100\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH" },
		{ "metrics listen localhost:9100", "\"localhost:9100\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH" },
		{ "metrics listen unix:", "\"unix:\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH" },
		{ "metrics listen 127.0.0.1:9100 x", "\"x\" is not a keyword of \"metrics listen\"" },
		{ "metrics show", "\"show\" is not a command of \"metrics\": expected listen" },
	};
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;
	const struct sockaddr_un *un;
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("metrics listen 127.0.0.1:9100", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.obj, CMD_OBJ_METRICS);
	assert_int_equal(cmd.op, CMD_OP_LISTEN);
	s4 = (const struct sockaddr_in *)&cmd.metrics.addr;
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 9100);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(cmd.metrics.len, sizeof(*s4));
	assert_string_equal(cmd.metrics.spec, "127.0.0.1:9100");
	assert_int_equal(parse_line("metrics listen [::1]:65535", buf, &cmd, err, sizeof(err)), 0);
	s6 = (const struct sockaddr_in6 *)&cmd.metrics.addr;
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 65535);
	assert_int_equal(s6->sin6_addr.s6_addr[15], 1);
	assert_int_equal(parse_line("metrics listen unix:/run/m.sock", buf, &cmd, err, sizeof(err)), 0);
	un = (const struct sockaddr_un *)&cmd.metrics.addr;
	assert_int_equal(un->sun_family, AF_UNIX);
	assert_string_equal(un->sun_path, "/run/m.sock");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_line(bad[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].msg);
	}
}

/* capture DEV: the device right after the object, then its words in any order. */
static void test_capture(void **state)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "capture", "\"DEV\" is missing after \"capture\"" },
		{ "capture t1 -c 0", "invalid value \"0\" for \"-c\": expected a number 1 or more" },
		{ "capture t1 inner outer", "duplicate \"outer\"" },
		{ "capture t1 -w", "\"-w\" needs a value" },
		{ "capture t1 side", "\"side\" is not a keyword of \"capture\"" },
	};
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("capture t1", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.obj, CMD_OBJ_CAPTURE);
	assert_string_equal(cmd.name, "t1");
	assert_false(cmd.capture.outer);
	assert_int_equal(cmd.capture.count, 0);
	assert_null(cmd.capture.file);
	assert_int_equal(cmd.capture.fd, -1);
	assert_int_equal(parse_line("capture x1 -w - outer -c 12", buf, &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.name, "x1");
	assert_true(cmd.capture.outer);
	assert_int_equal(cmd.capture.count, 12);
	assert_string_equal(cmd.capture.file, "-");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_line(bad[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].msg);
	}
}

/* L3 kinds leave the L2 part all zero (FK_L2_NONE). */
static void test_link_l3_no_l2(void **state)
{
	static const struct cmd_l2_cfg zero;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(link_good); i++) {
		struct cmd_req cmd;
		char buf[512], err[256];

		assert_int_equal(parse_line(link_good[i].line, buf, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.link.l2.kind, FK_L2_NONE);
		assert_memory_equal(&cmd.link.l2, &zero, sizeof(zero));
	}
}

/* ---- link add: L2 kinds ------------------------------------------------------ */

#define VX "link add name vx0 type vxlan id 42 local 192.0.2.1 "
#define NOCS 0x1	/* noudpcsum */
#define NOLEARN 0x2	/* nolearning */
#define Z6TX 0x4
#define Z6RX 0x8
#define TOSI 0x10	/* tos inherit */
#define TTLI 0x20	/* ttl inherit */
#define GN "link add name g type geneve id 1 remote 192.0.2.2 geneve_opts "

struct l2_case {
	const char *line;
	enum fk_l2_kind kind;
	uint32_t vni;
	uint64_t key;
	const char *local, *remote, *group, *dev;
	uint16_t dstport, smin, smax;
	uint8_t ttl, tos;
	unsigned int flags;	/* the non-default booleans */
	uint32_t ageing, maxaddress, mtu;
};

static const struct l2_case l2_good[] = {
	/* neither remote nor group: the flood list comes from `fdb append`, as in Linux */
	{ VX, FK_L2_VXLAN, 42, 0, "192.0.2.1", NULL, NULL, "",
	  4789, 0, 0, 0, 0, 0, 300, 0, 0 },
	/* defaults */
	{ VX "remote 192.0.2.2", FK_L2_VXLAN, 42, 0, "192.0.2.1", "192.0.2.2", NULL, "",
	  4789, 0, 0, 0, 0, 0, 300, 0, 0 },
	{ "link add name g type geneve id 7 remote 192.0.2.2", FK_L2_GENEVE, 7, 0,
	  NULL, "192.0.2.2", NULL, "", 6081, 0, 0, 0, 0, 0, 300, 0, 0 },
	{ "link add name s type stt key 0xfedcba9876543210 " V4, FK_L2_STT, 0,
	  0xfedcba9876543210ull, "192.0.2.1", "192.0.2.2", NULL, "", 7471, 0, 0, 0, 0, 0,
	  300, 0, 0 },
	{ "link add name s type stt key 18446744073709551615 " V6, FK_L2_STT, 0,
	  UINT64_MAX, "2001:db8::1", "2001:db8::2", NULL, "", 7471, 0, 0, 0, 0, 0, 300, 0, 0 },
	{ "link add name s type stt key 010 " V4, FK_L2_STT, 0, 10, "192.0.2.1",
	  "192.0.2.2", NULL, "", 7471, 0, 0, 0, 0, 0, 300, 0, 0 },
	/* the forwarding-table words stt shares with vxlan */
	{ "link add name s type stt key 1 nolearning ageing 60 maxaddress 32 mtu 9000 " V4,
	  FK_L2_STT, 0, 1, "192.0.2.1", "192.0.2.2", NULL, "", 7471, 0, 0, 0, 0, NOLEARN,
	  60, 32, 9000 },
	/* every vxlan word, in any order */
	{ VX "remote 192.0.2.2 dstport 8472 srcport 1000 2000 ttl 10 tos 1c nolearning "
	  "ageing 0 maxaddress 100 noudpcsum mtu 1450", FK_L2_VXLAN, 42, 0, "192.0.2.1",
	  "192.0.2.2", NULL, "", 8472, 1000, 2000, 10, 0x1c, NOCS | NOLEARN, 0, 100, 1450 },
	{ "link add udpcsum learning ageing 4294967295 tos inherit srcport 5 5 id 16777215 "
	  "hoplimit auto type vxlan remote 192.0.2.2 local 192.0.2.1 name v",
	  FK_L2_VXLAN, 16777215, 0, "192.0.2.1", "192.0.2.2", NULL, "", 4789, 5, 5, 0, 0,
	  TOSI, 4294967295u, 0, 0 },
	{ "link add name v type vxlan id 0 group 239.1.1.1 dev veth0 local 192.0.2.1 "
	  "ttl inherit", FK_L2_VXLAN, 0, 0, "192.0.2.1", NULL, "239.1.1.1", "veth0",
	  4789, 0, 0, 0, 0, TTLI, 300, 0, 0 },
	{ "link add name g type geneve id 3 remote 192.0.2.2 hoplimit inherit tos inherit",
	  FK_L2_GENEVE, 3, 0, NULL, "192.0.2.2", NULL, "", 6081, 0, 0, 0, 0, TTLI | TOSI,
	  300, 0, 0 },
	{ "link add name n type nvgre vsid 3 " V4 " ttl inherit", FK_L2_NVGRE, 3, 0,
	  "192.0.2.1", "192.0.2.2", NULL, "", 0, 0, 0, 0, 0, TTLI, 300, 0, 0 },
	{ "link add name s type stt key 1 " V4 " ttl inherit", FK_L2_STT, 0, 1,
	  "192.0.2.1", "192.0.2.2", NULL, "", 7471, 0, 0, 0, 0, TTLI, 300, 0, 0 },
	{ "link add name v type vxlan id 0x10 group ff05::1 dev eth0 local 2001:db8::1 "
	  "udp6zerocsumtx udp6zerocsumrx ttl 255", FK_L2_VXLAN, 16, 0, "2001:db8::1", NULL,
	  "ff05::1", "eth0", 4789, 0, 0, 255, 0, Z6TX | Z6RX, 300, 0, 0 },
	{ "link add name v type vxlan id 1 " V6 " noudp6zerocsumtx noudp6zerocsumrx",
	  FK_L2_VXLAN, 1, 0, "2001:db8::1", "2001:db8::2", NULL, "", 4789, 0, 0, 0, 0, 0,
	  300, 0, 0 },
	{ "link add name g type geneve id 16777215 " V6 " dstport 6082 ttl 1 tos 0 mtu 9000",
	  FK_L2_GENEVE, 16777215, 0, "2001:db8::1", "2001:db8::2", NULL, "", 6082, 0, 0, 1,
	  0, 0, 300, 0, 9000 },
	{ "link add name g type geneve id 9 remote 192.0.2.2 nolearning ageing 5 maxaddress 8",
	  FK_L2_GENEVE, 9, 0, NULL, "192.0.2.2", NULL, "", 6081, 0, 0, 0, 0, NOLEARN, 5, 8,
	  0 },
};

static void check_l2(const struct l2_case *c, const struct cmd_req *cmd)
{
	const struct cmd_l2_cfg *l = &cmd->link.l2;

	assert_int_equal(l->kind, c->kind);
	assert_int_equal(l->vni, c->vni);
	assert_true(l->key == c->key);
	assert_addr(&l->local, c->local);
	assert_addr(&l->remote, c->remote);
	assert_addr(&l->group, c->group);
	assert_string_equal(l->dev, c->dev);
	assert_int_equal(l->dstport, c->dstport);
	assert_int_equal(l->srcport_min, c->smin);
	assert_int_equal(l->srcport_max, c->smax);
	assert_int_equal(l->ttl, c->ttl);
	assert_int_equal(l->ttl_inherit, !!(c->flags & TTLI));
	assert_int_equal(l->tos, c->tos);
	assert_int_equal(l->tos_inherit, !!(c->flags & TOSI));
	assert_int_equal(l->geneve_opts_len, 0);
	assert_int_equal(l->learning, !(c->flags & NOLEARN));
	assert_int_equal(l->ageing, c->ageing);
	assert_int_equal(l->maxaddress, c->maxaddress);
	assert_int_equal(l->udpcsum, !(c->flags & NOCS));
	assert_int_equal(l->udp6zerocsumtx, !!(c->flags & Z6TX));
	assert_int_equal(l->udp6zerocsumrx, !!(c->flags & Z6RX));
	assert_int_equal(cmd->link.mtu, c->mtu);
}

static void test_l2_good(void **state)
{
	static const struct fou_tnl zero;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(l2_good); i++) {
		const struct l2_case *c = &l2_good[i];
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.obj, CMD_OBJ_LINK);
		assert_int_equal(cmd.op, CMD_OP_ADD);
		assert_string_equal(cmd.name, cmd.link.name);
		check_l2(c, &cmd);
		/* vxlan, geneve and stt have no GRE carrier; nvgre's has the L2 words */
		if (c->kind != FK_L2_NVGRE)
			assert_memory_equal(&cmd.link.tnl, &zero, sizeof(zero));
	}
}

/* geneve_opts: the TLVs as they go on the wire, in the order given. */
static void test_geneve_opts(void **state)
{
	static const struct { const char *opts; size_t len; const char *wire; } c[] = {
		{ "0102:80:00112233", 8, "\x01\x02\x80\x01\x00\x11\x22\x33" },
		{ "0x0102:0x7F:aAbBcCdDeEfF0011,ffff:0:01020304", 20,
		  "\x01\x02\x7f\x02\xaa\xbb\xcc\xdd\xee\xff\x00\x11"
		  "\xff\xff\x00\x01\x01\x02\x03\x04" },
		{ "1:1:00000000,1:1:00000000", 16,
		  "\x00\x01\x01\x01\0\0\0\0\x00\x01\x01\x01\0\0\0\0" },
	};
	/* 4 + 124 and 4 + 120 bytes: Opt Len 63 words, the most there is; then 4 more. */
	static char big[2 * 4 + 8 + 248 + 1 + 8 + 240 + 1 + 32];
	char *argv[] = { "link", "add", "name", "g", "type", "geneve", "id", "1", "remote",
			 "192.0.2.2", "geneve_opts", big };
	struct cmd_req cmd;
	char buf[512], line[256], err[512];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(line, sizeof(line), GN "%s", c[i].opts);
		assert_int_equal(parse_line(line, buf, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.link.l2.geneve_opts_len, c[i].len);
		assert_memory_equal(cmd.link.l2.geneve_opts, c[i].wire, c[i].len);
	}
	strcpy(big, "0102:03:");
	for (i = 0; i < 124; i++)
		strcat(big, "ab");
	strcat(big, ",0104:84:");
	for (i = 0; i < 120; i++)
		strcat(big, "cd");
	assert_int_equal(cmd_parse(ARRAY_SIZE(argv), argv, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.link.l2.geneve_opts_len, 252);
	assert_memory_equal(cmd.link.l2.geneve_opts, "\x01\x02\x03\x1f\xab", 5);
	assert_memory_equal(cmd.link.l2.geneve_opts + 128, "\x01\x04\x84\x1e\xcd", 5);
	assert_int_equal(cmd.link.l2.geneve_opts[251], 0xcd);
	/* One word more is one too many: the option that overflows is named. */
	strcat(big, ",1:1:00000000");
	assert_int_equal(cmd_parse(ARRAY_SIZE(argv), argv, &cmd, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid value \"1:1:00000000\" for \"geneve_opts\""));
	/* An option's data is at most 31 words (124 bytes). */
	strcpy(big, "0102:03:");
	for (i = 0; i < 128; i++)
		strcat(big, "ab");
	assert_int_equal(cmd_parse(ARRAY_SIZE(argv), argv, &cmd, err, sizeof(err)), -EINVAL);
}

/* nvgre and gretap: the L2 part, and link.tnl as gre/ip6gre would have it. */
struct carrier_case {
	const char *line;
	enum fk_l2_kind l2kind;
	uint32_t vni;
	struct link_case t;	/* line unused */
};

static const struct carrier_case carriers[] = {
	{ "link add name nv0 type nvgre vsid 5000 " V4, FK_L2_NVGRE, 5000,
	  { NULL, FOU_KIND_GRE, FOU_ENCAP_NONE, 0, 0, 0, GK, GK, 5000 << 8, 5000 << 8,
	    0, 0, false, true, 0 } },
	{ "link add name nv0 type nvgre vsid 0xfffffe " V6 " ttl 9 tos 10 mtu 1400",
	  FK_L2_NVGRE, 0xfffffe, { NULL, FOU_KIND_IP6GRE, FOU_ENCAP_NONE, 0, 0, CS6, GK, GK,
	  0xfffffe00, 0xfffffe00, 9, 0x10, false, true, 1400 } },
	{ "link add name nv0 type nvgre vsid 0 " V6, FK_L2_NVGRE, 0,
	  { NULL, FOU_KIND_IP6GRE, FOU_ENCAP_NONE, 0, 0, CS6, GK, GK, 0, 0, 64, 0, false,
	    true, 0 } },
	{ "link add name gt0 type gretap " V4, FK_L2_GRETAP, 0,
	  { NULL, FOU_KIND_GRE, FOU_ENCAP_NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, true, 0 } },
	{ "link add name gt0 type gretap " V4 " key 7 csum encap fou encap-dport 5555 ttl 3",
	  FK_L2_GRETAP, 0, { NULL, FOU_KIND_GRE, FOU_ENCAP_FOU, 0, 5555, 0, GK | GC, GK | GC,
	  7, 7, 3, 0, false, true, 0 } },
	{ "link add name gt0 type gretap " V6 " encap gue encap-dport 6080 tos inherit",
	  FK_L2_GRETAP, 0, { NULL, FOU_KIND_IP6GRE, FOU_ENCAP_GUE, 0, 6080, CS6, 0, 0, 0, 0,
	  64, 0, true, true, 0 } },
};

static void test_l2_carriers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(carriers); i++) {
		const struct carrier_case *c = &carriers[i];
		bool v6 = c->t.kind == FOU_KIND_IP6GRE;
		const char *loc = v6 ? "2001:db8::1" : "192.0.2.1";
		const char *rem = v6 ? "2001:db8::2" : "192.0.2.2";
		const struct cmd_l2_cfg *l;
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		check_link(&c->t, &cmd);
		assert_addr(&cmd.link.tnl.local, loc);
		assert_addr(&cmd.link.tnl.remote, rem);
		l = &cmd.link.l2;
		assert_int_equal(l->kind, c->l2kind);
		assert_int_equal(l->vni, c->vni);
		assert_addr(&l->local, loc);
		assert_addr(&l->remote, rem);
		assert_int_equal(l->tos_inherit, c->t.tos_inherit);
		/* As Linux, gretap's ttl 0 (IPv4's default) is inherit; nvgre says inherit itself. */
		assert_int_equal(l->ttl_inherit, c->l2kind == FK_L2_GRETAP && !c->t.ttl);
		assert_int_equal(l->dstport, 0);
		assert_true(l->learning);
		assert_int_equal(l->ageing, 300);
		assert_false(l->noflowid);
	}
}

/* The forwarding-table words of gretap and nvgre, and nvgre's noflowid. */
static void test_l2_carrier_fdb(void **state)
{
	static const struct {
		const char *line;
		bool learning, noflowid;
		uint32_t ageing, maxaddress;
	} cases[] = {
		{ "link add name g type gretap " V4 " key 5 nolearning ageing 10 maxaddress 32",
		  false, false, 10, 32 },
		{ "link add name g type gretap maxaddress 7 " V4 " encap fou encap-dport 5555",
		  true, false, 300, 7 },
		{ "link add name n type nvgre vsid 9 " V4 " noflowid maxaddress 4 ageing 0",
		  true, true, 0, 4 },
		{ "link add name n type nvgre vsid 9 " V4 " flowid learning", true, false, 300, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(cases[i].line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", cases[i].line, err);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.link.l2.learning, cases[i].learning);
		assert_int_equal(cmd.link.l2.noflowid, cases[i].noflowid);
		assert_int_equal(cmd.link.l2.ageing, cases[i].ageing);
		assert_int_equal(cmd.link.l2.maxaddress, cases[i].maxaddress);
	}
}

/* gretap and nvgre: a multicast remote is a group joined on dev; the L3 kinds refuse one. */
static void test_gre_group(void **state)
{
	static const char *lines[] = {
		"link add name g type gretap remote 239.1.1.1 local 192.0.2.1 dev eth0 key 5",
		"link add name n type nvgre vsid 9 remote 239.1.1.1 local 192.0.2.1 dev eth0",
	};
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		assert_int_equal(parse_line(lines[i], buf, &cmd, err, sizeof(err)), 0);
		assert_addr(&cmd.link.l2.group, "239.1.1.1");
		assert_int_equal(cmd.link.l2.remote.family, 0);
		assert_string_equal(cmd.link.l2.dev, "eth0");
	}
	assert_int_equal(parse_line("link add name g type gre remote 239.1.1.1 local 192.0.2.1",
				    buf, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"remote\" 239.1.1.1: a multicast remote is not supported for "
			    "type \"gre\" (gretap and nvgre join one with dev)");
}

/* A wrong "type" names itself and lists every kind, from the descriptor's rows. */
static void test_type_wrong(void **state)
{
	struct cmd_req cmd;
	char buf[512], err[256], kinds[128], want[256];

	(void)state;
	fk_names(kinds, sizeof(kinds));
	assert_non_null(strstr(kinds, "ipip"));
	assert_non_null(strstr(kinds, "vxlan"));
	snprintf(want, sizeof(want), "invalid value \"bogus\" for \"type\": expected %s", kinds);
	assert_int_equal(parse_line("link add name t type bogus remote 192.0.2.2 local 192.0.2.1",
				    buf, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

/* "type" is found wherever it is, and a value spelt "type" is only a value. */
static void test_l2_prescan(void **state)
{
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("link add name type type vxlan id 1 remote 192.0.2.2 "
				    "local 192.0.2.1", buf, &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.link.name, "type");
	assert_int_equal(cmd.link.l2.kind, FK_L2_VXLAN);
	assert_int_equal(parse_line("link add id 1 remote 192.0.2.2 srcport 1 2 local 192.0.2.1 "
				    "name type type vxlan", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.link.l2.srcport_max, 2);
	assert_int_equal(parse_line("link add name t type vxlan id 1 remote 192.0.2.2 "
				    "local 192.0.2.1 dev", buf, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"dev\" needs a value");
	assert_int_equal(parse_line(VX "remote 192.0.2.2 srcport 1", buf, &cmd, err,
				    sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"srcport\" needs two values");
}

/* ---- fdb ------------------------------------------------------------------------ */

struct fdb_case {
	const char *line;
	enum cmd_op op;
	uint8_t mac[6];
	const char *dev, *dst;
};

static const struct fdb_case fdb_good[] = {
	{ "fdb add 02:00:5e:00:53:01 dev vx0 dst 192.0.2.2", CMD_OP_ADD,
	  { 2, 0, 0x5e, 0, 0x53, 1 }, "vx0", "192.0.2.2" },
	{ "fdb add AA:bb:Cc:dD:ee:FF dst 2001:db8::2 dev vx0", CMD_OP_ADD,
	  { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }, "vx0", "2001:db8::2" },
	{ "fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.3", CMD_OP_APPEND,
	  { 0 }, "vx0", "192.0.2.3" },
	{ "fdb append 0:0:0:0:0:0 dev vx0 dst 192.0.2.3", CMD_OP_APPEND,
	  { 0 }, "vx0", "192.0.2.3" },
	{ "fdb add 00:00:00:00:00:00 dev vx0 dst 192.0.2.3", CMD_OP_ADD,
	  { 0 }, "vx0", "192.0.2.3" },
	{ "fdb del 02:00:5e:00:53:01 dev vx0", CMD_OP_DEL,
	  { 2, 0, 0x5e, 0, 0x53, 1 }, "vx0", NULL },
	{ "fdb delete 00:00:00:00:00:00 dev vx0 dst 192.0.2.3", CMD_OP_DEL,
	  { 0 }, "vx0", "192.0.2.3" },
	{ "fdb show", CMD_OP_SHOW, { 0 }, "", NULL },
	{ "fdb list dev vx0", CMD_OP_SHOW, { 0 }, "vx0", NULL },
};

static void test_fdb_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fdb_good); i++) {
		const struct fdb_case *c = &fdb_good[i];
		struct cmd_req cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.obj, CMD_OBJ_FDB);
		assert_int_equal(cmd.op, c->op);
		assert_memory_equal(cmd.fdb.mac, c->mac, 6);
		assert_string_equal(cmd.fdb.dev, c->dev);
		assert_addr(&cmd.fdb.dst, c->dst);
	}
}

/* ---- link del / show ------------------------------------------------------ */

struct target_case {
	const char *line;
	enum cmd_op op;
	const char *name;
};

static const struct target_case targets[] = {
	{ "link del tun1", CMD_OP_DEL, "tun1" },
	{ "link del dev tun1", CMD_OP_DEL, "tun1" },
	{ "link del name tun1", CMD_OP_DEL, "tun1" },
	{ "link delete tun1", CMD_OP_DEL, "tun1" },
	{ "link show", CMD_OP_SHOW, "" },
	{ "link show tun1", CMD_OP_SHOW, "tun1" },
	{ "link show dev tun1", CMD_OP_SHOW, "tun1" },
	{ "link list", CMD_OP_SHOW, "" },
};

static void test_link_target(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		struct cmd_req cmd;
		char buf[512], err[256];

		assert_int_equal(parse_line(targets[i].line, buf, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.obj, CMD_OBJ_LINK);
		assert_int_equal(cmd.op, targets[i].op);
		assert_string_equal(cmd.name, targets[i].name);
	}
}

/* ---- errors: each names its word ------------------------------------------- */

struct err_case {
	const char *line;
	const char *word;	/* must appear quoted in the message */
};

static const struct err_case errs[] = {
	{ "", "OBJECT" },
	{ "route add", "route" },
	{ "fou", "COMMAND" },
	{ "fou frob", "frob" },
	{ "link addd", "addd" },
	{ "fou show all", "all" },
	{ "fou add ipproto 4", "port" },
	{ "fou add port 5555", "ipproto" },
	{ "fou add port 5555 gue ipproto 4", "gue" },
	{ "fou add port 0 gue", "0" },
	{ "fou add port 70000 gue", "70000" },
	{ "fou add port 5555x gue", "5555x" },
	{ "link add name t type ipip remote 192.0.2.2 local 192.0.2.1 datapath fast", "fast" },
	{ "link add name t type ipip remote 192.0.2.2 local 192.0.2.1 datapath", "datapath" },
	{ "link add name t type ipip remote 192.0.2.2 local 192.0.2.1 datapath bpf "
	  "datapath userspace", "datapath" },
	{ "fou add port -1 gue", "-1" },
	{ "fou add port 5555 ipproto 0", "0" },
	{ "fou add port 5555 ipproto 256", "256" },
	{ "fou add port 5555 ipproto nosuchproto", "nosuchproto" },
	{ "fou add port 5555 ipproto 6", "6" },
	{ "fou add port 5555 ipproto tcp", "tcp" },
	{ "fou add port 5555 ipproto 255", "255" },
	{ "fou del port 5555 ipproto 17", "17" },
	{ "fou add port 5555 gue peer 192.0.2.1", "peer_port" },
	{ "fou add port 5555 gue peer_port 9", "peer" },
	{ "fou add port 5555 gue local 2001:db8::1", "local" },
	{ "fou add port 5555 gue local 192.0.2.1 -6", "local" },
	{ "fou add port 5555 gue peer ::1 peer_port 1", "peer" },
	{ "fou add port 5555 gue local nohost", "nohost" },
	{ "fou add port 5555 gue gue", "gue" },
	{ "fou add port 5555 gue dev eth0", "dev" },
	{ "fou add port 5555 gue port", "port" },
	{ "link add type ipip " V4, "name" },
	{ "link add name t " V4, "type" },
	{ "link add name t type ipip local 192.0.2.1", "remote" },
	{ "link add name t type ipip remote 192.0.2.1", "local" },
	{ "link add name t type vxlan " V4, "vxlan" },
	{ "link add name t type ipip " V4 " bogus", "bogus" },
	{ "link add name t type ipip " V4 " ttl 1 ttl 2", "ttl" },
	{ "link add name t type ipip " V4 " ttl 1 hoplimit 2", "hoplimit" },
	{ "link add name t type ipip " V4 " ttl 256", "256" },
	{ "link add name t type ipip " V4 " ttl", "ttl" },
	{ "link add name t type ipip " V4 " tos 100", "100" },
	{ "link add name t type ipip " V4 " mtu 67", "67" },
	{ "link add name t type ipip " V4 " mtu 65536", "65536" },
	{ "link add name t type ipip " V4 " key 1", "key" },
	{ "link add name t type sit " V4 " okey 1", "okey" },
	{ "link add name t type ip6tnl " V6 " csum", "csum" },
	{ "link add name t type ipip " V4 " iseq", "iseq" },
	{ "link add name t type gre " V4 " key 1 ikey 2", "ikey" },
	{ "link add name t type gre " V4 " key 4294967296", "4294967296" },
	{ "link add name t type gre " V4 " key 1.2.3", "1.2.3" },
	{ "link add name t type ipip remote 2001:db8::1 local 192.0.2.1", "2001:db8::1" },
	{ "link add name t type ipip remote 192.0.2.1 local 2001:db8::1", "local" },
	{ "link add name t type ip6gre " V4, "remote" },
	{ "link add name t type ip6gre remote 2001:db8::1 local 192.0.2.7", "192.0.2.7" },
	{ "link add name t type ipip remote bad local 192.0.2.1", "bad" },
	{ "link add name t type ipip " V4 " encap fou", "encap-dport" },
	{ "link add name t type ipip " V4 " encap gue encap-sport auto", "encap-dport" },
	{ "link add name t type ipip " V4 " encap udp", "udp" },
	{ "link add name t type ipip " V4 " encap fou encap-dport 70000", "70000" },
	{ "link add name t type ipip " V4 " encap fou encap-dport 0", "0" },
	{ "link add name t type ipip " V4 " encap-sport manual", "manual" },
	{ "link add name t type ipip " V4 " encap fou noencap", "noencap" },
	{ "link add name t type ipip " V4 " encap-csum noencap-csum", "noencap-csum" },
	{ "link add name t type ipip " V4 " encap fou encap-dport 1 encap-remcsum",
	  "encap-remcsum" },
	{ "link add name t type ipip " V4 " ttl 64 nopmtudisc", "nopmtudisc" },
	{ "link add name t type ipip " V4 " encap gue encap-dport 1 encap-key k", "k" },
	{ "link add name t type ipip " V4 " encap fou encap-dport 1 encap-key /k", "encap-key" },
	{ "link add name t type ipip " V4 " encap gue encap-dport 1 encap-key-next /k",
	  "encap-key-next" },
	{ "link add name t type ipip " V4 " encap gue encap-dport 1 encap-key /k encap-remcsum",
	  "encap-remcsum" },
	{ "link add name t type ipip " V4 " encap gue encap-dport 1 encap-key /k encap-key /j",
	  "encap-key" },
	{ "link add name g type gretap " V4 " encap gue encap-dport 1 encap-key /k", "encap-key" },
	{ "link rekey", "NAME" },
	{ "link rekey t extra", "extra" },
	{ "link add name a/b type ipip " V4, "a/b" },
	{ "link add name abcdefghijklmnop type ipip " V4, "abcdefghijklmnop" },
	{ "link add name . type ipip " V4, "." },
	{ "link add name .. type ipip " V4, ".." },
	{ "link add name t dev x type ipip " V4, "dev" },
	{ "link del", "NAME" },
	{ "link del dev", "dev" },
	{ "link del a/b", "a/b" },
	{ "link del tun1 tun2", "tun2" },
	{ "link show tun1 extra", "extra" },
	/* vxlan */
	{ "link add name t type vxlan remote 192.0.2.2 local 192.0.2.1", "id" },
	{ "link add type vxlan id 1 " V4, "name" },
	{ "link add name t type vxlan id 1 remote 192.0.2.2", "local" },
	{ VX "remote 192.0.2.2 group 239.1.1.1 dev eth0", "group" },
	{ VX "group 239.1.1.1", "dev" },
	{ VX "remote 192.0.2.2 dev eth0", "dev" },
	{ VX "group 192.0.2.9 dev eth0", "192.0.2.9" },
	{ VX "group 2001:db8::9 dev eth0", "2001:db8::9" },
	{ VX "remote 239.1.1.1", "239.1.1.1" },
	{ "link add name t type vxlan id 1 remote 192.0.2.2 local 224.0.0.1", "224.0.0.1" },
	{ VX "remote 192.0.2.2 srcport 2000 1000", "srcport" },
	{ VX "remote 192.0.2.2 srcport 0 1000", "0" },
	{ VX "remote 192.0.2.2 srcport 1000 65536", "65536" },
	{ VX "remote 192.0.2.2 srcport 1000", "srcport" },
	{ VX "remote 2001:db8::2", "local" },
	{ VX "group ff02::1 dev eth0", "group" },
	{ "link add name t type vxlan id 16777216 " V4, "16777216" },
	{ "link add name t type vxlan id -1 " V4, "-1" },
	{ "link add name t type vxlan id 1 id 2 " V4, "id" },
	{ VX "remote 192.0.2.2 ttl 0", "0" },
	{ VX "remote 192.0.2.2 ttl 256", "256" },
	{ VX "remote 192.0.2.2 tos 100", "100" },
	{ VX "remote 192.0.2.2 dstport 0", "0" },
	{ VX "remote 192.0.2.2 ageing -1", "-1" },
	{ VX "remote 192.0.2.2 ageing 4294967296", "4294967296" },
	{ VX "remote 192.0.2.2 maxaddress x", "x" },
	{ VX "remote 192.0.2.2 learning nolearning", "nolearning" },
	{ VX "remote 192.0.2.2 udpcsum noudpcsum", "noudpcsum" },
	{ VX "remote 192.0.2.2 dev a/b", "a/b" },
	{ VX "remote 192.0.2.2 key 1", "key" },
	{ VX "remote 192.0.2.2 encap fou", "encap" },
	{ VX "remote 192.0.2.2 vsid 1", "vsid" },
	{ VX "remote 192.0.2.2 bogus", "link add type vxlan" },
	/* geneve */
	{ "link add name g type geneve remote 192.0.2.2", "id" },
	{ "link add name g type geneve id 1", "remote" },
	{ "link add name g type geneve id 1 remote 192.0.2.2 local 2001:db8::1", "local" },
	{ "link add name g type geneve id 1 remote 192.0.2.2 udp6zerocsumtx", "udp6zerocsumtx" },
	{ "link add name g type geneve id 1 remote 192.0.2.2 learning nolearning", "nolearning" },
	{ "link add name g type geneve id 1 remote 192.0.2.2 group 239.1.1.1", "group" },
	{ "link add name g type geneve id 1 remote ff02::1", "ff02::1" },
	{ GN "0102:80:001122", "0102:80:001122" },
	{ GN "0102:80:00112233,0102:01:0011", "0102:01:0011" },
	{ GN "0102:80:00112233,ffff:ff:0011223g", "ffff:ff:0011223g" },
	{ GN "10000:01:00112233", "10000:01:00112233" },
	{ GN "0102:100:00112233", "0102:100:00112233" },
	{ GN "0102:80", "0102:80" },
	{ GN "0102:80:", "0102:80:" },
	{ GN ":80:00112233", ":80:00112233" },
	{ GN "0102::00112233", "0102::00112233" },
	{ GN "0x:80:00112233", "0x:80:00112233" },
	{ GN "0102:80:0x112233", "0102:80:0x112233" },
	{ GN "0102:80:00112233:44556677", "0102:80:00112233:44556677" },
	{ GN "0102:80:00112233,", "0102:80:00112233," },
	{ GN ",0102:80:00112233", ",0102:80:00112233" },
	{ GN "0102:80:00112233 geneve_opts 0102:80:00112233", "geneve_opts" },
	{ GN "-102:80:00112233", "-102:80:00112233" },
	{ GN "0102:80:0011 2233", "0102:80:0011" },
	{ GN, "geneve_opts" },
	{ VX "remote 192.0.2.2 geneve_opts 0102:80:00112233", "geneve_opts" },
	{ "link add name n type nvgre vsid 1 " V4 " geneve_opts 0102:80:00112233",
	  "geneve_opts" },
	/* nvgre */
	{ "link add name n type nvgre " V4, "vsid" },
	{ "link add name n type nvgre vsid 1 remote 192.0.2.2", "local" },
	{ "link add name n type nvgre vsid 1 local 192.0.2.1", "remote" },
	{ "link add name n type nvgre vsid 0x1000000 " V4, "0x1000000" },
	{ "link add name n type nvgre vsid 1 " V4 " key 1", "key" },
	{ "link add name n type nvgre vsid 1 remote 192.0.2.2 local 2001:db8::1", "local" },
	{ "link add name n type nvgre vsid 1 " V4 " dstport 1", "dstport" },
	{ "link add name n type nvgre vsid 1 " V4 " flowid noflowid", "noflowid" },
	{ "link add name n type nvgre vsid 1 " V4 " udpcsum", "udpcsum" },
	/* gretap */
	{ "link add name g type gretap remote 192.0.2.2", "local" },
	{ "link add name g type gretap remote 2001:db8::2 local 192.0.2.1", "local" },
	{ "link add name g type gretap " V4 " id 1", "id" },
	{ "link add name g type gretap " V4 " encap fou", "encap-dport" },
	{ "link add name g type gretap " V4 " ttl 1 nopmtudisc", "nopmtudisc" },
	{ "link add name g type gretap " V4 " encap gue encap-dport 6080 encap-remcsum",
	  "encap-remcsum" },
	{ "link add name g type gretap " V4 " learning nolearning", "nolearning" },
	{ "link add name g type gretap " V4 " maxaddress -1", "-1" },
	{ "link add name g type gretap remote 239.1.1.1 local 192.0.2.1", "dev" },
	{ "link add name g type gretap " V4 " dev eth0", "dev" },
	{ "link add name n type nvgre vsid 9 remote 239.1.1.1 local 192.0.2.1", "dev" },
	{ "link add name n type nvgre vsid 9 " V4 " dev eth0", "dev" },
	{ "link add name t type ip6gre remote ff05::1 local 2001:db8::1", "remote" },
	{ "link add name t type ipip remote 224.0.0.9 local 192.0.2.1", "remote" },
	{ "link add name g type gre " V4 " maxaddress 5", "maxaddress" },
	{ "link add name g type ipip " V4 " learning", "learning" },
	/* stt */
	{ "link add name s type stt " V4, "key" },
	{ "link add name s type stt key 1 remote 192.0.2.2", "local" },
	{ "link add name s type stt key 1 " V4 " dstport 7471", "dstport" },
	{ "link add name s type stt key 1 " V4 " udpcsum", "udpcsum" },
	{ "link add name s type stt key 18446744073709551616 " V4, "18446744073709551616" },
	{ "link add name s type stt key 0x " V4, "0x" },
	{ "link add name s type stt key -1 " V4, "-1" },
	{ "link add name s type stt key 0xg " V4, "0xg" },
	{ "link add name s type stt key 0x0x1 " V4, "0x0x1" },
	{ "link add name s type stt key 1x " V4, "1x" },
	{ "link add name s type stt key 1 " V4 " dstport 7471", "dstport" },
	{ "link add name s type stt key 1 " V4 " ikey 1", "ikey" },
	{ "link add name t type vxlann " V4, "vxlann" },
	/* fdb */
	{ "fdb frob", "frob" },
	{ "fdb flush", "flush" },
	{ "fdb add", "LLADDR" },
	{ "fdb add 02:00:5e:00:53:01 dev vx0", "dst" },
	{ "fdb add 02:00:5e:00:53:01 dst 192.0.2.2", "dev" },
	{ "fdb append 02:00:5e:00:53:01 dev vx0 dst 192.0.2.2", "02:00:5e:00:53:01" },
	{ "fdb append 00:00:00:00:00:00 dev vx0", "dst" },
	{ "fdb del 02:00:5e:00:53:01", "dev" },
	{ "fdb add 02:00:5e:00:53 dev vx0 dst 192.0.2.2", "02:00:5e:00:53" },
	{ "fdb add 02:00:5e:00:53:01:02 dev vx0 dst 192.0.2.2", "02:00:5e:00:53:01:02" },
	{ "fdb add 02:00:5e:00:53:xx dev vx0 dst 192.0.2.2", "02:00:5e:00:53:xx" },
	{ "fdb add 002:00:5e:00:53:01 dev vx0 dst 192.0.2.2", "002:00:5e:00:53:01" },
	{ "fdb add 02-00-5e-00-53-01 dev vx0 dst 192.0.2.2", "02-00-5e-00-53-01" },
	{ "fdb add 02:00:5e:00:53:01: dev vx0 dst 192.0.2.2", "02:00:5e:00:53:01:" },
	{ "fdb add dev vx0 dst 192.0.2.2", "dev" },
	{ "fdb add 02:00:5e:00:53:01 dev vx0 dst nohost", "nohost" },
	{ "fdb add 02:00:5e:00:53:01 dev a/b dst 192.0.2.2", "a/b" },
	{ "fdb add 02:00:5e:00:53:01 dev vx0 dev vx1 dst 192.0.2.2", "dev" },
	{ "fdb add 02:00:5e:00:53:01 dev vx0 dst 192.0.2.2 self", "self" },
	{ "fdb show dst 192.0.2.2", "dst" },
	{ "fdb show vx0", "vx0" },
	{ "fdb show dev", "dev" },
	/* tou */
	{ "tou help", "help" },		/* fouctl answers it; foud never runs it */
	{ "tou flush", "flush" },
	{ "tou add", "peer" },
	{ "tou add port 6080", "peer" },
	{ "tou add peer 192.0.2.300", "192.0.2.300" },
	{ "tou add peer 224.0.0.1", "224.0.0.1" },
	{ "tou add peer 192.0.2.2 port 0", "0" },
	{ "tou add peer 192.0.2.2 key rel/k", "rel/k" },
	{ "tou add peer 192.0.2.2 key-next /k", "key-next" },
	{ "tou add peer 192.0.2.2 dtls", "psk" },
	{ "tou add peer 192.0.2.2 dtls psk rel/k", "rel/k" },
	{ "tou add peer 192.0.2.2 dtls psk /k key /k", "key" },
	{ "tou add peer 192.0.2.2 dtls cert /c key /k", "cacert" },
	{ "tou add peer 192.0.2.2 dtls psk /k port 1", "port" },
	{ "tou add peer 192.0.2.2 dtls psk /k rekey-time 0", "0" },
	{ "tou add peer 192.0.2.2 key /k dtls psk /k", "key" },
	{ "tou del peer 192.0.2.2 dtls psk /k", "dtls" },
	{ "tou add peer 192.0.2.2 dtls psk /k name b.example", "name" },
	{ "tou add peer 192.0.2.2 dtls cert /c key /k cacert /ca name b_x", "b_x" },
	{ "tou add peer 192.0.2.2 dtls cert /c key /k cacert /ca name .b", ".b" },
	{ "tou add peer 192.0.2.2 port 70000", "70000" },
	{ "tou add peer 192.0.2.2 peer 192.0.2.3", "peer" },
	{ "tou add peer 192.0.2.2 local 2001:db8::1", "2001:db8::1" },
	{ "tou add peer 192.0.2.2 dev tou1", "dev" },
	{ "tou del peer 192.0.2.2 port 6080", "port" },
	{ "tou show peer 192.0.2.2", "peer" },
};

/* A protocol the receive side cannot demultiplex is refused, and the message says which it can. */
static void test_fou_ipproto_unsupported(void **state)
{
	static const char *lines[] = {
		"fou add port 5555 ipproto 6", "fou add port 5555 ipproto udp",
		"fou add port 5555 ipproto 1", "fou add port 5555 ipproto 94",
	};
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		assert_int_equal(parse_line(lines[i], buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "\"ipproto\""));
		assert_non_null(strstr(err, "4 (ipip), 41 (ipv6) or 47 (gre)"));
		assert_non_null(strstr(err, "\"gue\""));
	}
}

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		struct cmd_req cmd;
		char buf[512], err[256], want[128];
		int ret = parse_line(errs[i].line, buf, &cmd, err, sizeof(err));

		snprintf(want, sizeof(want), "\"%s\"", errs[i].word);
		if (ret != -EINVAL || !strstr(err, want))
			print_error("\"%s\" -> %d \"%s\", wanted %s\n", errs[i].line, ret,
				    err, want);
		assert_int_equal(ret, -EINVAL);
		assert_non_null(strstr(err, want));
		assert_null(strchr(err, '\n'));
	}
}

static void test_error_messages(void **state)
{
	static const struct { const char *line, *msg; } m[] = {
		{ "link add name t type ipip " V4 " bogus",
		  "\"bogus\" is not a keyword of \"link add\"" },
		{ "link add name t type ipip " V4 " encap fou encap-dport 70000",
		  "invalid value \"70000\" for \"encap-dport\": expected a port 1-65535" },
		{ "link add name t type ipip local 192.0.2.1", "\"remote\" is missing" },
		{ "link add name t type ipip " V4 " ttl 1 ttl 2", "duplicate \"ttl\"" },
		{ GN "0102:80:00112233,0102:01:001122",
		  "invalid value \"0102:01:001122\" for \"geneve_opts\": expected "
		  "CLASS:TYPE:DATA[,CLASS:TYPE:DATA...] in hexadecimal: CLASS 0-ffff, "
		  "TYPE 0-ff, DATA 4-124 bytes in multiples of 4, at most 252 bytes in all" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		struct cmd_req cmd;
		char buf[512], err[256];

		assert_int_equal(parse_line(m[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, m[i].msg);
	}
}

/* The object error lists what exists; err may be NULL or tiny. */
static void test_error_edges(void **state)
{
	char *argv[] = { "route", "add", NULL };
	struct cmd_req cmd;
	char err[256], tiny[4];

	(void)state;
	assert_int_equal(cmd_parse(2, argv, &cmd, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "fou"));
	assert_non_null(strstr(err, "link"));
	assert_non_null(strstr(err, "fdb"));
	assert_int_equal(cmd_parse(2, argv, &cmd, NULL, 0), -EINVAL);
	assert_int_equal(cmd_parse(2, argv, &cmd, tiny, sizeof(tiny)), -EINVAL);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(cmd_parse(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
}

/* ---- split ----------------------------------------------------------------- */

struct split_case {
	const char *line;
	int n;
	const char *words[6];
};

static const struct split_case splits[] = {
	{ "", 0 },
	{ "\n", 0 },
	{ "   \t  \n", 0 },
	{ "# only a comment", 0 },
	{ "   # indented comment\n", 0 },
	{ "fouctl", 0 },
	{ "fouctl # nothing", 0 },
	{ "fou show", 2, { "fou", "show" } },
	{ "fouctl fou show\n", 2, { "fou", "show" } },
	{ "\tlink  show\ttun1 \r\n", 3, { "link", "show", "tun1" } },
	{ "link show tun1 # trailing", 3, { "link", "show", "tun1" } },
	{ "link show tun1#glued", 3, { "link", "show", "tun1" } },
	{ "link fouctl", 2, { "link", "fouctl" } },
	{ "a b c d e", 5, { "a", "b", "c", "d", "e" } },
};

static void test_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(splits); i++) {
		char buf[128], *argv[6];
		int n;

		snprintf(buf, sizeof(buf), "%s", splits[i].line);
		n = cmd_split(buf, argv, 6);
		assert_int_equal(n, splits[i].n);
		for (int j = 0; j < n; j++)
			assert_string_equal(argv[j], splits[i].words[j]);
		if (n < 6)
			assert_null(argv[n]);
	}
}

static void test_split_too_many(void **state)
{
	char buf[64], *argv[3];

	(void)state;
	snprintf(buf, sizeof(buf), "a b c d");
	assert_int_equal(cmd_split(buf, argv, 3), -E2BIG);
	/* the dropped "fouctl" does not count against max */
	snprintf(buf, sizeof(buf), "fouctl a b c");
	assert_int_equal(cmd_split(buf, argv, 3), 3);
}

static void test_tou_good(void **state)
{
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("tou add peer 192.0.2.2", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.obj, CMD_OBJ_TOU);
	assert_int_equal(cmd.op, CMD_OP_ADD);
	assert_addr(&cmd.tou.peer, "192.0.2.2");
	assert_addr(&cmd.tou.local, NULL);
	assert_int_equal(cmd.tou.port, 6080);
	assert_int_equal(parse_line("tou add local 2001:db8::1 port 7000 peer 2001:db8::2",
				    buf, &cmd, err, sizeof(err)), 0);
	assert_addr(&cmd.tou.peer, "2001:db8::2");
	assert_addr(&cmd.tou.local, "2001:db8::1");
	assert_int_equal(cmd.tou.port, 7000);
	assert_int_equal(parse_line("tou delete peer 192.0.2.2", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, CMD_OP_DEL);
	assert_addr(&cmd.tou.peer, "192.0.2.2");
	assert_int_equal(parse_line("tou list", buf, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.obj, CMD_OBJ_TOU);
	assert_int_equal(cmd.op, CMD_OP_SHOW);
}

/* The datapath word: each value, and the default when it is not said. */
static void test_datapath(void **state)
{
	static const struct { const char *w; enum cmd_datapath dp; } c[] = {
		{ "", CMD_DP_DEFAULT }, { " datapath auto", CMD_DP_AUTO },
		{ " datapath bpf", CMD_DP_BPF }, { " datapath userspace", CMD_DP_USERSPACE },
	};
	char line[256], err[256], *argv[64];
	struct cmd_req cmd;
	int argc;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(line, sizeof(line), "link add name t type ipip remote 192.0.2.2 "
			 "local 192.0.2.1 encap fou encap-dport 5555%s", c[i].w);
		argc = cmd_split(line, argv, 64);
		assert_int_equal(cmd_parse(argc, argv, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.link.datapath, c[i].dp);
	}
	assert_int_equal(cmd_datapath_lookup("bpf"), CMD_DP_BPF);
	assert_int_equal(cmd_datapath_lookup("BPF"), -EINVAL);
}

/*
 * Objects and commands abbreviate as iproute2's matches(): any prefix, the
 * first entry in ip's order wins; keywords stay exact.
 */
static void test_abbrev(void **state)
{
	static const struct { const char *line; enum cmd_obj obj; enum cmd_op op; } c[] = {
		{ "l sh", CMD_OBJ_LINK, CMD_OP_SHOW },
		{ "li lst", CMD_OBJ_LINK, CMD_OP_SHOW },
		{ "lin list", CMD_OBJ_LINK, CMD_OP_SHOW },
		{ "link", CMD_OBJ_LINK, CMD_OP_SHOW },	/* ip link alone: show */
		{ "l l", CMD_OBJ_LINK, CMD_OP_SHOW },		/* "l": lst, before list */
		{ "l d t1", CMD_OBJ_LINK, CMD_OP_DEL },
		{ "link del t1", CMD_OBJ_LINK, CMD_OP_DEL },
		{ "l a t1 type ipip remote 192.0.2.2 local 192.0.2.1", CMD_OBJ_LINK, CMD_OP_ADD },
		{ "f a port 5555 gue", CMD_OBJ_FOU, CMD_OP_ADD },
		{ "fo d port 5555", CMD_OBJ_FOU, CMD_OP_DEL },
		{ "f s", CMD_OBJ_FOU, CMD_OP_SHOW },
		{ "fd a 00:11:22:33:44:55 dev vx0 dst 192.0.2.2", CMD_OBJ_FDB, CMD_OP_ADD },
		{ "fdb ap 00:00:00:00:00:00 dev vx0 dst 192.0.2.2", CMD_OBJ_FDB, CMD_OP_APPEND },
		{ "fdb", CMD_OBJ_FDB, CMD_OP_SHOW },
		{ "fdb sh dev vx0", CMD_OBJ_FDB, CMD_OP_SHOW },
		{ "fdb s", CMD_OBJ_FDB, CMD_OP_SHOW },	/* bridge fdb has no set */
		{ "t s", CMD_OBJ_TOU, CMD_OP_SHOW },
		{ "m", CMD_OBJ_MONITOR, CMD_OP_MON_ALL },
		{ "l s t1 mtu 1400", CMD_OBJ_LINK, CMD_OP_SET },	/* ip link s: set, never show */
		{ "l ch t1 mtu 1400", CMD_OBJ_LINK, CMD_OP_SET },
		{ "reload", CMD_OBJ_RELOAD, CMD_OP_RUN },
		{ "flush", CMD_OBJ_FLUSH, CMD_OP_RUN },
		{ "mon l", CMD_OBJ_MONITOR, CMD_OP_MON_LINK },
		{ "monitor fdb", CMD_OBJ_MONITOR, CMD_OP_MON_FDB },
		{ "monitor t", CMD_OBJ_MONITOR, CMD_OP_MON_TOU },
	};
	static const struct { const char *line, *msg; } bad[] = {
		/* ip's places kept: what foud lacks is refused by name */
		{ "link rep", "\"rep\" is \"link replace\", which foud does not have" },
		{ "fdb g", "\"g\" is \"fdb get\"" },
		/* whole commands are whole words */
		{ "fl", "\"fl\" is not an object" },
		{ "sav", "\"sav\" is not an object" },
		{ "fdb f", "\"f\" is \"fdb flush\"" },
		{ "links show", "\"links\" is not an object" },
		{ "link showx", "\"showx\" is not a command of \"link\"" },
		/* keywords stay exact */
		{ "link add t1 ty ipip remote 192.0.2.2 local 192.0.2.1",
		  "\"ty\" is not a keyword of \"link add\"" },
		{ "monitor link x", "\"x\" is not a keyword of \"monitor link\"" },
		{ "help", "\"help\" is answered by fouctl" },
	};
	struct cmd_req cmd;
	char buf[512], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		if (parse_line(c[i].line, buf, &cmd, err, sizeof(err)))
			print_error("\"%s\": %s\n", c[i].line, err);
		assert_int_equal(parse_line(c[i].line, buf, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.obj, c[i].obj);
		assert_int_equal(cmd.op, c[i].op);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_line(bad[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].msg))
			print_error("\"%s\": %s\n", bad[i].line, err);
		assert_non_null(strstr(err, bad[i].msg));
	}
}

/* Runs cmd_help on line; returns what it printed, "" if it said no. */
static const char *help_of(const char *line, char out[8192])
{
	char buf[512], *argv[MAXW];
	FILE *f;
	int n;

	memset(out, 0, 8192);	/* fmemopen need not write a NUL when nothing is written */
	f = fmemopen(out, 8192, "w");
	assert_non_null(f);
	snprintf(buf, sizeof(buf), "%s", line);
	n = cmd_split(buf, argv, MAXW);
	cmd_help(n, argv, f);
	fclose(f);
	return out;
}

/* help at every level prints the usage lines of that object, from the usage text. */
static void test_help(void **state)
{
	char out[8192];

	(void)state;
	assert_string_equal(help_of("link show", out), "");
	assert_string_equal(help_of("link", out), "");
	help_of("help", out);
	assert_true(!strncmp(out, "Usage: fouctl [ OPTIONS ]", 25));
	assert_non_null(strstr(out, "fouctl tou del peer ADDR"));
	help_of("h", out);
	assert_non_null(strstr(out, "fouctl monitor"));
	help_of("link help", out);
	assert_true(!strncmp(out, "Usage: fouctl link add name NAME type", 37));
	assert_non_null(strstr(out, "        [ datapath { auto | bpf | userspace } ]\n"));
	assert_non_null(strstr(out, "fouctl link show"));
	assert_null(strstr(out, "fouctl fou"));
	assert_null(strstr(out, "fouctl fdb"));
	help_of("l add help", out);
	assert_non_null(strstr(out, "fouctl link del"));
	help_of("fdb he", out);
	assert_true(!strncmp(out, "Usage: fouctl fdb { add | append }", 34));
	assert_null(strstr(out, "fouctl link"));
	help_of("reload help", out);
	assert_string_equal(out, "Usage: fouctl reload\n");
	help_of("flush help", out);
	assert_string_equal(out, "Usage: fouctl flush\n");
	help_of("mon help", out);
	assert_string_equal(out, "Usage: fouctl monitor [ all | link | fdb | tou ]\n");
}

static void test_usage(void **state)
{
	static const char *const words[] = {
		"fou add", "ipproto", "gue", "peer_port", "-6", "fou del", "fou show",
		"link add", "ip6gre", "encap-sport", "encap-udp6-csum", "noencap-remcsum",
		"link del", "link show", "gretap", "vxlan", "group", "srcport",
		"nolearning", "ageing", "maxaddress", "noudpcsum", "udp6zerocsumrx", "geneve",
		"nvgre", "vsid", "noflowid", "stt", "geneve_opts CLASS:TYPE:DATA", "fdb { add | append }", "fdb del", "fdb show",
		"tou add peer", "tou del peer", "tou show",
		"datapath { auto | bpf | userspace }", "encap-key FILE", "encap-key-next FILE",
		"link rekey",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		assert_non_null(strstr(cmd_usage, words[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fou_good),
		cmocka_unit_test(test_link_good),
		cmocka_unit_test(test_link_name),
		cmocka_unit_test(test_type_wrong),
		cmocka_unit_test(test_link_name_habits),
		cmocka_unit_test(test_metrics_listen),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_link_l3_no_l2),
		cmocka_unit_test(test_l2_good),
		cmocka_unit_test(test_l2_carriers),
		cmocka_unit_test(test_geneve_opts),
		cmocka_unit_test(test_l2_carrier_fdb),
		cmocka_unit_test(test_l2_prescan),
		cmocka_unit_test(test_fdb_good),
		cmocka_unit_test(test_link_target),
		cmocka_unit_test(test_fou_ipproto_unsupported),
		cmocka_unit_test(test_gre_group),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_edges),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_tou_good),
		cmocka_unit_test(test_datapath),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_link_key),
		cmocka_unit_test(test_abbrev),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
