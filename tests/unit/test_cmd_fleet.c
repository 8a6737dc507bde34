// SPDX-License-Identifier: MIT
/*
 * The fleet grammar: `fleet etcd`, `fleet node`, `fleet show` and the
 * `fleet` word of vxlan; every error quotes the word it is about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "cmd.h"
#include "save.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int parse(const char *line, struct cmd_req *cmd, char *err, size_t errlen)
{
	static char buf[1024];
	char *argv[64];
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = cmd_split(buf, argv, 64);
	assert_true(n >= 0);
	return cmd_parse(n, argv, cmd, err, errlen);
}

static void test_etcd_defaults(void **state)
{
	static struct cmd_req c;
	char err[256];

	(void)state;
	assert_int_equal(parse("fleet etcd http://192.0.2.9:2379", &c, err, sizeof(err)), 0);
	assert_int_equal(c.obj, CMD_OBJ_FLEET);
	assert_int_equal(c.op, CMD_OP_ETCD);
	assert_int_equal(c.fleet.nendpoints, 1);
	assert_string_equal(c.fleet.endpoint[0], "http://192.0.2.9:2379");
	assert_string_equal(c.fleet.prefix, "/foud");
	assert_int_equal(c.fleet.ttl, 10);
	assert_string_equal(c.fleet.cacert, "");
	assert_string_equal(c.fleet.cert, "");
}

static void test_etcd_words(void **state)
{
	static struct cmd_req c;
	char err[256];

	(void)state;
	assert_int_equal(parse("fleet etcd http://a:1/,https://b:2,http://[2001:db8::1]:3 prefix "
			       "/x/y ttl 2 cacert /ca.pem cert /c.pem key /k.pem user foud password-file /pw",
			       &c, err,
			       sizeof(err)), 0);
	assert_int_equal(c.fleet.nendpoints, 3);
	assert_string_equal(c.fleet.endpoint[0], "http://a:1");	/* the slash goes */
	assert_string_equal(c.fleet.endpoint[1], "https://b:2");
	assert_string_equal(c.fleet.endpoint[2], "http://[2001:db8::1]:3");
	assert_string_equal(c.fleet.prefix, "/x/y");
	assert_int_equal(c.fleet.ttl, 2);
	assert_string_equal(c.fleet.cacert, "/ca.pem");
	assert_string_equal(c.fleet.cert, "/c.pem");
	assert_string_equal(c.fleet.key, "/k.pem");
	assert_string_equal(c.fleet.user, "foud");
	assert_string_equal(c.fleet.password_file, "/pw");
}

static void test_node(void **state)
{
	static struct cmd_req c;
	char err[256];

	(void)state;
	assert_int_equal(parse("fleet node host-1.a_b address 2001:db8::7", &c, err, sizeof(err)), 0);
	assert_int_equal(c.op, CMD_OP_NODE);
	assert_string_equal(c.fleet.node, "host-1.a_b");
	assert_int_equal(c.fleet.address.family, AF_INET6);
	assert_int_equal(c.fleet.address2.family, 0);
	/* One address of each family: the second for IPv6-underlay devices. */
	assert_int_equal(parse("fleet node h1 address 192.0.2.1 address 2001:db8::1", &c, err,
			       sizeof(err)), 0);
	assert_int_equal(c.fleet.address.family, AF_INET);
	assert_int_equal(c.fleet.address2.family, AF_INET6);
	assert_int_equal(parse("fleet show", &c, err, sizeof(err)), 0);
	assert_int_equal(c.op, CMD_OP_SHOW);
}

static void test_vxlan_fleet(void **state)
{
	static struct cmd_req c;
	char err[256];

	(void)state;
	assert_int_equal(parse("link add name vx0 type vxlan id 42 local 192.0.2.1 fleet", &c, err,
			       sizeof(err)), 0);
	assert_true(c.link.l2.fleet);
	assert_int_equal(c.link.l2.remote.family, 0);
	assert_int_equal(parse("link add name vx0 type vxlan id 42 local 192.0.2.1", &c, err,
			       sizeof(err)), 0);
	assert_false(c.link.l2.fleet);
	assert_int_equal(parse("link add name g0 type geneve id 7 local 192.0.2.1 fleet", &c, err,
			       sizeof(err)), 0);
	assert_true(c.link.l2.fleet);
	assert_int_equal(c.link.l2.vni, 7);
	assert_int_equal(c.link.l2.remote.family, 0);
	assert_int_equal(parse("link add name n0 type nvgre vsid 9 local 2001:db8::1 fleet", &c, err,
			       sizeof(err)), 0);
	assert_true(c.link.l2.fleet);
	assert_int_equal(c.link.tnl.kind, FOU_KIND_IP6GRE);
	assert_int_equal(c.link.tnl.ikey, 9u << 8);
	assert_int_equal(parse("link add name t0 type gretap local 2001:db8::1 fleet", &c, err,
			       sizeof(err)), 0);
	assert_true(c.link.l2.fleet);
	assert_int_equal(c.link.tnl.kind, FOU_KIND_IP6GRE);
	assert_int_equal(c.link.l2.remote.family, 0);
}

struct bad {
	const char *line;
	const char *quoted;	/* must appear in the message */
};

static const struct bad bad[] = {
	{ "fleet", "COMMAND" },
	{ "fleet join", "\"join\"" },
	{ "fleet etcd", "\"ENDPOINT\" is missing" },
	{ "fleet etcd 192.0.2.1:2379", "\"192.0.2.1:2379\"" },
	{ "fleet etcd http://a:1,ftp://b:2", "\"ftp://b:2\"" },
	{ "fleet etcd http://a:1,", "\"\"" },
	{ "fleet etcd http://", "\"http://\"" },
	{ "fleet etcd http://a:1 prefix foud", "\"foud\" for \"prefix\"" },
	{ "fleet etcd http://a:1 prefix /foud/", "\"/foud/\" for \"prefix\"" },
	{ "fleet etcd http://a:1 ttl 0", "\"0\" for \"ttl\"" },
	{ "fleet etcd http://a:1 ttl 10s", "\"10s\" for \"ttl\"" },
	{ "fleet etcd http://a:1 ttl 2 ttl 3", "duplicate \"ttl\"" },
	{ "fleet etcd http://a:1 cert /c.pem", "\"key\" is missing" },
	{ "fleet etcd http://a:1 key /k.pem", "\"cert\" is missing" },
	{ "fleet etcd http://a:1 user root", "\"password-file\" is missing" },
	{ "fleet etcd http://a:1 password-file /pw", "\"user\" is missing" },
	{ "fleet etcd http://a:1 user a\"b password-file /pw", "\"a\"b\" for \"user\"" },
	{ "fleet etcd http://a:1 password pw", "\"password\" is not a keyword of \"fleet etcd\"" },
	{ "fleet etcd http://a:1,http://b:1,http://c:1,http://d:1,http://e:1,http://f:1,"
	  "http://g:1,http://h:1,http://i:1", "\"http://i:1\"" },
	{ "fleet node", "\"NAME\" is missing" },
	{ "fleet node a/b address 192.0.2.1", "\"a/b\" for \"NAME\"" },
	{ "fleet node h1", "\"address\" is missing" },
	{ "fleet node h1 address 224.0.0.1", "\"224.0.0.1\" for \"address\"" },
	{ "fleet node h1 address 192.0.2.1 address 192.0.2.2",
	  "\"192.0.2.2\" for \"address\": expected a unicast IPv4 or IPv6 address, at most one of each family" },
	{ "fleet node h1 address 192.0.2.1 address 2001:db8::1 address 2001:db8::2", "\"2001:db8::2\" for \"address\"" },
	{ "fleet node h1 address 192.0.2.1 ttl 2", "\"ttl\" is not a keyword of \"fleet node\"" },
	{ "fleet show all", "\"all\" is not a keyword of \"fleet show\"" },
	{ "link add name vx0 type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 fleet",
	  "\"fleet\" conflicts with \"remote\"" },
	{ "link add name vx0 type vxlan id 42 local 192.0.2.1 group 239.1.1.1 dev eth0 fleet",
	  "\"fleet\" conflicts with \"group\"" },
	{ "link add name g0 type geneve id 42 remote 192.0.2.2 local 192.0.2.1 fleet",
	  "\"fleet\" conflicts with \"remote\"" },
	{ "link add name g0 type geneve id 42 fleet", "\"local\" is missing (type \"geneve\" with \"fleet\"" },
	{ "link add name g0 type geneve id 42 local 192.0.2.1", "\"remote\" is missing" },
	{ "link add name n0 type nvgre vsid 42 remote 192.0.2.2 local 192.0.2.1 fleet",
	  "\"fleet\" conflicts with \"remote\"" },
	{ "link add name n0 type nvgre vsid 42 fleet", "\"local\" is missing (type \"nvgre\" with \"fleet\"" },
	{ "link add name t0 type gretap remote 192.0.2.2 local 192.0.2.1 fleet",
	  "\"fleet\" conflicts with \"remote\"" },
	{ "link add name t0 type gretap fleet", "\"local\" is missing" },
	{ "link add name t0 type gre local 192.0.2.1 fleet", "\"fleet\" on type \"gre\" needs \"prefix ADDR/LEN\"" },
	{ "link add name t0 type gre local 192.0.2.1 prefix 10.0.0.0/8", "\"prefix\" needs \"fleet\"" },
	{ "link add name t0 type ipip local 192.0.2.1 fleet prefix 10.1.2.0/16",
	  "invalid value \"10.1.2.0/16\" for \"prefix\"" },
	{ "link add name t0 type ipip local 192.0.2.1 fleet prefix 10.1.2.0/33", "\"10.1.2.0/33\"" },
	{ "link add name t0 type ipip local 192.0.2.1 fleet prefix 10.1.2.0", "\"10.1.2.0\"" },
	{ "link add name t0 type ipip local 192.0.2.1 fleet prefix 2001:db8::/64",
	  "\"prefix\" 2001:db8::/64 is IPv6 but type \"ipip\" does not carry it" },
	{ "link add name t0 type sit local 192.0.2.1 fleet prefix 10.0.0.0/8",
	  "\"prefix\" 10.0.0.0/8 is IPv4 but type \"sit\" does not carry it" },
	{ "link add name t0 type ipip local 192.0.2.1 remote 192.0.2.2 fleet prefix 10.0.0.0/8",
	  "\"fleet\" conflicts with \"remote\"" },
	{ "link add name t0 type gretap local 192.0.2.1 fleet prefix 10.0.0.0/8",
	  "\"prefix\" is not a keyword of" },
	{ "link add name t0 type ipip local 192.0.2.1", "\"remote\" is missing" },
};

static void test_errors(void **state)
{
	static struct cmd_req c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (parse(bad[i].line, &c, err, sizeof(err)) != -EINVAL ||
		    !strstr(err, bad[i].quoted))
			fail_msg("%s: got \"%s\", wanted %s", bad[i].line, err, bad[i].quoted);
	}
}

static void test_usage(void **state)
{
	(void)state;
	assert_non_null(strstr(cmd_usage, "fouctl fleet etcd ENDPOINT[,ENDPOINT...]"));
	assert_non_null(strstr(cmd_usage, "fouctl fleet node NAME address ADDR [ address ADDR ]"));
	assert_non_null(strstr(cmd_usage, "[ user NAME password-file FILE ]"));
	assert_non_null(strstr(cmd_usage, "fouctl fleet show"));
	assert_non_null(strstr(cmd_usage, "| fleet }"));
	assert_non_null(strstr(cmd_usage, "[ fleet prefix ADDR/LEN ] (instead of remote)"));
}

/* What fouctl save writes parses back to the same words. */
static void test_save_round_trip(void **state)
{
	static const char *const lines[] = {
		"fleet etcd http://a:1,https://b:2 prefix /x ttl 3 cacert /ca cert /c key /k user u password-file /pw",
		"fleet etcd http://192.0.2.9:2379",
		"fleet node h-1 address 2001:db8::1",
		"fleet node h-2 address 192.0.2.1 address 2001:db8::1",
		"link add name vx0 type vxlan id 42 local 192.0.2.1 fleet",
		"link add name g0 type geneve id 7 local 192.0.2.1 fleet",
		"link add name n0 type nvgre vsid 9 local 192.0.2.1 fleet",
		"link add name t0 type gretap local 192.0.2.1 key 5 fleet",
		"link add name fl0 type ipip local 192.0.2.1 encap fou encap-sport auto encap-dport 5555 fleet prefix 10.244.1.0/24",
		"link add name fl1 type gre local 192.0.2.1 fleet prefix 2001:db8:1::/48",
		"link add name fl2 type ip6tnl local 2001:db8::1 encap gue encap-dport 6080 fleet prefix 10.9.0.0/16",
	};
	static struct cmd_req a, b;
	char err[256], buf[CMD_SAVE_LINE * 2];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		assert_int_equal(parse(lines[i], &a, err, sizeof(err)), 0);
		if (a.obj == CMD_OBJ_FLEET)
			assert_true(cmd_save_fleet(&a.fleet, a.op, buf, sizeof(buf)) > 0);
		else
			assert_true(cmd_save_link(&a.link, buf, sizeof(buf)) > 0);
		if (parse(buf, &b, err, sizeof(err)))
			fail_msg("%s: saved as %s: %s", lines[i], buf, err);
		assert_memory_equal(&a.fleet, &b.fleet, sizeof(a.fleet));
		assert_int_equal(a.link.l2.fleet, b.link.l2.fleet);
		assert_memory_equal(&a.link.l2, &b.link.l2, sizeof(a.link.l2));
		assert_memory_equal(&a.link.fleet_pfx, &b.link.fleet_pfx, sizeof(a.link.fleet_pfx));
		assert_int_equal(a.link.fleet_plen, b.link.fleet_plen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etcd_defaults),
		cmocka_unit_test(test_etcd_words),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_vxlan_fleet),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_save_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
