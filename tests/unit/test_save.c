// SPDX-License-Identifier: MIT
/*
 * fouctl save: every kind's line, parsed, printed and parsed again, gives
 * the same struct; link set's merge changes the words given and nothing
 * else, and refuses what cannot change in place, naming the word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "cmd.h"
#include "save.h"

#define MAXW 128

/* The words stay until the next call: link set's cmd points to them. */
static int parse(const char *line, struct cmd_req *cmd, char *err)
{
	static char buf[CMD_SAVE_LINE], *argv[MAXW];
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = cmd_split(buf, argv, MAXW);
	assert_true(n > 0);
	return cmd_parse(n, argv, cmd, err, 256);
}

static int save(const struct cmd_req *c, char *buf)
{
	switch (c->obj) {
	case CMD_OBJ_FOU: return cmd_save_port(&c->port, buf, CMD_SAVE_LINE);
	case CMD_OBJ_LINK: return cmd_save_link(&c->link, buf, CMD_SAVE_LINE);
	case CMD_OBJ_FDB: return cmd_save_fdb(&c->fdb, buf, CMD_SAVE_LINE);
	case CMD_OBJ_TOU: return cmd_save_tou(&c->tou, buf, CMD_SAVE_LINE);
	default: return -EINVAL;
	}
}

/* parse -> print -> parse: the same struct, and printing again the same line. */
static void round_trip(const char *line)
{
	struct cmd_req a, b;
	char err[256], s1[CMD_SAVE_LINE], s2[CMD_SAVE_LINE];

	if (parse(line, &a, err))
		fail_msg("%s: %s", line, err);
	assert_true(save(&a, s1) > 0);
	if (parse(s1, &b, err))
		fail_msg("%s -> %s: %s", line, s1, err);
	assert_true(save(&b, s2) > 0);
	assert_string_equal(s1, s2);
	assert_int_equal(a.obj, b.obj);
	assert_memory_equal(&a.port, &b.port, sizeof(a.port));
	assert_memory_equal(&a.link, &b.link, sizeof(a.link));
	assert_memory_equal(&a.fdb, &b.fdb, sizeof(a.fdb));
	assert_memory_equal(&a.tou, &b.tou, sizeof(a.tou));
}

static const char *const lines[] = {
	"fou add port 5555 ipproto 4",
	"fou add port 5556 gue local 10.0.0.1 peer 10.0.0.2 peer_port 6000",
	"fou add port 5557 ipproto 41 -6 local fd00::1",
	"link add name t1 type ipip remote 10.0.0.2 local 10.0.0.1 encap fou encap-sport auto "
	"encap-dport 5555",
	"link add name t2 type sit remote 10.0.0.2 local 10.0.0.1 ttl 9 tos 10 encap gue "
	"encap-sport 4000 encap-dport 5555 encap-csum encap-remcsum mtu 1400",
	"link add name t3 type gre remote 10.0.0.2 local 10.0.0.1 ikey 1 okey 2 csum oseq "
	"nopmtudisc ttl inherit tos inherit datapath userspace",
	"link add name t4 type ip6tnl remote fd00::2 local fd00::1 encap fou encap-dport 9 "
	"noencap-udp6-csum",
	"link add name t5 type ip6gre remote fd00::2 local fd00::1 key 1.2.3.4 hoplimit 3",
	"link add name t6 type ipip remote 10.0.0.2 local 10.0.0.1 encap none datapath bpf",
	"link add name g1 type gretap remote 10.0.0.2 local 10.0.0.1 key 7 nolearning ageing 20 "
	"maxaddress 5",
	"link add name g2 type gretap remote 239.1.1.1 local 10.0.0.1 dev eth0 encap gue "
	"encap-dport 6080",
	"link add name g3 type gretap remote fd00::2 local fd00::1",
	"link add name v1 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1",
	"link add name v2 type vxlan id 43 group 239.1.1.1 dev eth0 local 10.0.0.1 dstport 8472 "
	"srcport 1000 2000 ttl inherit tos 1 noudpcsum udp6zerocsumtx maxaddress 9 mtu 1300",
	"link add name v3 type vxlan id 44 local fd00::1 ttl auto udp6zerocsumrx",
	"link add name n1 type nvgre vsid 5 remote 10.0.0.2 local 10.0.0.1 noflowid ttl 4",
	"link add name n2 type nvgre vsid 6 remote 239.2.2.2 dev eth0 local 10.0.0.1",
	"link add name e1 type geneve id 7 remote 10.0.0.2 geneve_opts 102:80:00010002,"
	"ffff:1:0000000100000002 dstport 7000",
	"link add name e2 type geneve id 8 remote fd00::2 local fd00::1 ttl 200 tos inherit",
	"link add name e3 type geneve id 9 remote 10.0.0.2 noudpcsum datapath userspace",
	"link add name v4 type vxlan id 45 remote 10.0.0.2 local 10.0.0.1 noudpcsum datapath bpf",
	"link add name s1 type stt key 18446744073709551615 remote 10.0.0.2 local 10.0.0.1 "
	"nolearning",
	"fdb append 00:00:00:00:00:00 dev v3 dst fd00::9",
	"fdb add 02:00:00:00:00:01 dev v1 dst 10.0.0.7",
	"tou add peer 10.0.0.2",
	"tou add peer fd00::2 port 7777 local fd00::1",
	"link add name k1 type gre remote 10.0.0.2 local 10.0.0.1 encap gue encap-dport 5555 "
	"encap-key /etc/foud/k1.key encap-key-next /etc/foud/k1.next",
	"link add name k2 type ipip remote 10.0.0.2 local 10.0.0.1 encap gue encap-dport 5555 "
	"encap-key /etc/foud/k2.key",
	"tou add peer 10.0.0.3 key /etc/foud/tou.key",
	"tou add peer 10.0.0.4 key /etc/foud/tou.key key-next /etc/foud/tou.next",
	"tou add peer 10.0.0.5 dtls psk /etc/foud/tou.psk",
	"tou add peer 10.0.0.6 dtls cert /c.pem key /c.key cacert /ca.pem rekey-bytes 1000 rekey-time 5",
	"tou add peer 10.0.0.7 dtls cert /c.pem key /c.key cacert /ca.pem name b.example",
};

static void test_save_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		round_trip(lines[i]);
}

/* Defaults are written out: a saved line keeps its meaning. */
static void test_save_words(void **state)
{
	struct cmd_req c;
	char err[256], s[CMD_SAVE_LINE];

	(void)state;
	assert_int_equal(parse("link add name v1 type vxlan id 42 remote 10.0.0.2 "
			       "local 10.0.0.1", &c, err), 0);
	assert_true(save(&c, s) > 0);
	assert_string_equal(s, "link add name v1 type vxlan id 42 remote 10.0.0.2 "
			    "local 10.0.0.1 dstport 4789 ttl auto tos 0 learning ageing 300 "
			    "maxaddress 0 udpcsum noudp6zerocsumtx noudp6zerocsumrx\n");
}

static int merge(const char *base, const char *words, struct cmd_link_cfg *out, char *err)
{
	struct cmd_req c;
	char buf[256], *argv[MAXW];
	int n;

	assert_int_equal(parse(base, &c, err), 0);
	snprintf(buf, sizeof(buf), "%s", words);
	n = cmd_split(buf, argv, MAXW);
	return cmd_link_merge(&c.link, n, argv, out, err, 256);
}

static void test_merge(void **state)
{
	const char *t1 = "link add name t1 type gre remote 10.0.0.2 local 10.0.0.1 key 5 "
			 "encap fou encap-dport 5555 mtu 1400";
	struct cmd_link_cfg o;
	struct cmd_req want;
	char err[256];

	(void)state;
	assert_int_equal(merge(t1, "ttl 7 encap-dport 6000 key 9", &o, err), 0);
	assert_int_equal(parse("link add name t1 type gre remote 10.0.0.2 local 10.0.0.1 key 9 "
			       "encap fou encap-dport 6000 mtu 1400 ttl 7", &want, err), 0);
	assert_memory_equal(&o, &want.link, sizeof(o));
	assert_int_equal(merge(t1, "okey 3 remote 10.0.0.9", &o, err), 0);
	assert_int_equal(o.tnl.okey, 3);
	assert_int_equal(o.tnl.ikey, 5);
	assert_int_equal(o.tnl.remote.a[3], 9);
	assert_int_equal(merge(t1, "type ipip", &o, err), -EINVAL);
	assert_non_null(strstr(err, "\"type\" cannot be changed in place"));
	assert_int_equal(merge(t1, "learning", &o, err), -EINVAL);
	assert_non_null(strstr(err, "\"learning\""));
	assert_int_equal(merge(t1, "ttl 300", &o, err), -EINVAL);
	assert_non_null(strstr(err, "\"300\""));
	assert_int_equal(merge("link add name v1 type vxlan id 1 remote 10.0.0.2 local 10.0.0.1",
			       "ageing 10 nolearning maxaddress 3 id 2", &o, err), 0);
	assert_int_equal(o.l2.ageing, 10);
	assert_false(o.l2.learning);
	assert_int_equal(o.l2.maxaddress, 3);
	assert_int_equal(o.l2.vni, 2);
}

/* fouctl's own check: a link word, no name or type, values present. */
static void test_link_set_grammar(void **state)
{
	struct cmd_req c;
	char err[256];

	(void)state;
	assert_int_equal(parse("link set t1 ttl 7 encap-dport 6000", &c, err), 0);
	assert_int_equal(c.op, CMD_OP_SET);
	assert_string_equal(c.name, "t1");
	assert_int_equal(c.set_argc, 4);
	assert_string_equal(c.set_argv[0], "ttl");
	assert_int_equal(parse("link change dev t1 mtu 1300", &c, err), 0);
	assert_string_equal(c.name, "t1");
	assert_int_equal(parse("link set t1", &c, err), -EINVAL);
	assert_non_null(strstr(err, "nothing to change"));
	assert_int_equal(parse("link set t1 colour red", &c, err), -EINVAL);
	assert_non_null(strstr(err, "\"colour\""));
	assert_int_equal(parse("link set t1 name t2", &c, err), -EINVAL);
	assert_non_null(strstr(err, "\"name\""));
	assert_int_equal(parse("link set t1 ttl", &c, err), -EINVAL);
	assert_non_null(strstr(err, "\"ttl\" needs a value"));
	assert_int_equal(parse("reload", &c, err), 0);
	assert_int_equal(c.obj, CMD_OBJ_RELOAD);
	assert_int_equal(parse("save now", &c, err), -EINVAL);
	assert_non_null(strstr(err, "\"now\""));
	assert_int_equal(parse("flush", &c, err), 0);
	assert_int_equal(c.obj, CMD_OBJ_FLUSH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_round_trip),
		cmocka_unit_test(test_save_words),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_link_set_grammar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
