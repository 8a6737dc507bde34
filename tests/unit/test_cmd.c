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
#include <cmocka.h>

#include "cmd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXW 64

/* Splits a copy of line and parses it; the words live in *buf. */
static int parse_line(const char *line, char buf[512], struct foud_cmd *cmd,
		      char *err, size_t errlen)
{
	char *argv[MAXW];
	int n;

	snprintf(buf, 512, "%s", line);
	n = foud_cmd_split(buf, argv, MAXW);
	assert_true(n >= 0);
	return foud_cmd_parse(n, argv, cmd, err, errlen);
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
	enum foud_op op;
	uint16_t port;
	int family;
	enum fou_encap type;
	uint8_t ipproto;
	const char *local, *peer;
	uint16_t peer_port;
};

static const struct fou_case fou_good[] = {
	{ "fou add port 5555 ipproto 4", FOUD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 4 },
	{ "fou add port 5555 ipproto ipip", FOUD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 4 },
	{ "fou add port 1 ipproto gre", FOUD_OP_ADD, 1, AF_INET, FOU_ENCAP_FOU, 47 },
	{ "fou add port 65535 ipproto ipv6", FOUD_OP_ADD, 65535, AF_INET, FOU_ENCAP_FOU, 41 },
	{ "fou add port 6080 gue", FOUD_OP_ADD, 6080, AF_INET, FOU_ENCAP_GUE, 0 },
	{ "fou add gue port 6080 -6", FOUD_OP_ADD, 6080, AF_INET6, FOU_ENCAP_GUE, 0 },
	{ "fouctl fou add port 5555 ipproto 255 local 192.0.2.1 # comment",
	  FOUD_OP_ADD, 5555, AF_INET, FOU_ENCAP_FOU, 255, "192.0.2.1" },
	{ "fou add port 5555 gue local 2001:db8::1 peer 2001:db8::2 peer_port 7 -6",
	  FOUD_OP_ADD, 5555, AF_INET6, FOU_ENCAP_GUE, 0, "2001:db8::1", "2001:db8::2", 7 },
	{ "fou add peer_port 9 peer 192.0.2.9 port 5 ipproto 4",
	  FOUD_OP_ADD, 5, AF_INET, FOU_ENCAP_FOU, 4, NULL, "192.0.2.9", 9 },
	{ "fou del port 5555", FOUD_OP_DEL, 5555, AF_INET, FOU_ENCAP_NONE, 0 },
	{ "fou delete port 5555 gue", FOUD_OP_DEL, 5555, AF_INET, FOU_ENCAP_GUE, 0 },
	{ "fou show", FOUD_OP_SHOW, 0, 0, FOU_ENCAP_NONE, 0 },
};

static void test_fou_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fou_good); i++) {
		const struct fou_case *c = &fou_good[i];
		struct foud_cmd cmd;
		char buf[512], err[256];
		int ret = parse_line(c->line, buf, &cmd, err, sizeof(err));

		if (ret)
			print_error("%s: %s\n", c->line, err);
		assert_int_equal(ret, 0);
		assert_int_equal(cmd.obj, FOUD_OBJ_FOU);
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

static void check_link(const struct link_case *c, const struct foud_cmd *cmd)
{
	const struct fou_tnl *t = &cmd->link.tnl;

	assert_int_equal(cmd->obj, FOUD_OBJ_LINK);
	assert_int_equal(cmd->op, FOUD_OP_ADD);
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
		struct foud_cmd cmd;
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

static void test_link_name(void **state)
{
	struct foud_cmd cmd;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(parse_line("link add name abcdefghijklmno type ipip " V4, buf,
				    &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.link.name, "abcdefghijklmno");
}

/* ---- link del / show ------------------------------------------------------ */

struct target_case {
	const char *line;
	enum foud_op op;
	const char *name;
};

static const struct target_case targets[] = {
	{ "link del tun1", FOUD_OP_DEL, "tun1" },
	{ "link del dev tun1", FOUD_OP_DEL, "tun1" },
	{ "link del name tun1", FOUD_OP_DEL, "tun1" },
	{ "link delete tun1", FOUD_OP_DEL, "tun1" },
	{ "link show", FOUD_OP_SHOW, "" },
	{ "link show tun1", FOUD_OP_SHOW, "tun1" },
	{ "link show dev tun1", FOUD_OP_SHOW, "tun1" },
	{ "link list", FOUD_OP_SHOW, "" },
};

static void test_link_target(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		struct foud_cmd cmd;
		char buf[512], err[256];

		assert_int_equal(parse_line(targets[i].line, buf, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.obj, FOUD_OBJ_LINK);
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
	{ "fdb add", "fdb" },
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
	{ "fou add port -1 gue", "-1" },
	{ "fou add port 5555 ipproto 0", "0" },
	{ "fou add port 5555 ipproto 256", "256" },
	{ "fou add port 5555 ipproto nosuchproto", "nosuchproto" },
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
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		struct foud_cmd cmd;
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
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		struct foud_cmd cmd;
		char buf[512], err[256];

		assert_int_equal(parse_line(m[i].line, buf, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, m[i].msg);
	}
}

/* The object error lists what exists; err may be NULL or tiny. */
static void test_error_edges(void **state)
{
	char *argv[] = { "fdb", "add", NULL };
	struct foud_cmd cmd;
	char err[256], tiny[4];

	(void)state;
	assert_int_equal(foud_cmd_parse(2, argv, &cmd, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "fou"));
	assert_non_null(strstr(err, "link"));
	assert_int_equal(foud_cmd_parse(2, argv, &cmd, NULL, 0), -EINVAL);
	assert_int_equal(foud_cmd_parse(2, argv, &cmd, tiny, sizeof(tiny)), -EINVAL);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(foud_cmd_parse(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
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
		n = foud_cmd_split(buf, argv, 6);
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
	assert_int_equal(foud_cmd_split(buf, argv, 3), -E2BIG);
	/* the dropped "fouctl" does not count against max */
	snprintf(buf, sizeof(buf), "fouctl a b c");
	assert_int_equal(foud_cmd_split(buf, argv, 3), 3);
}

static void test_usage(void **state)
{
	static const char *const words[] = {
		"fou add", "ipproto", "gue", "peer_port", "-6", "fou del", "fou show",
		"link add", "ip6gre", "encap-sport", "encap-udp6-csum", "noencap-remcsum",
		"link del", "link show",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		assert_non_null(strstr(foud_cmd_usage, words[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fou_good),
		cmocka_unit_test(test_link_good),
		cmocka_unit_test(test_link_name),
		cmocka_unit_test(test_link_target),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_edges),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
