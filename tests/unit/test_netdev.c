// SPDX-License-Identifier: MIT
/*
 * fouctl import: .netdev files in, the exact fouctl command out, for every
 * kind and key foud honours; the INI rules as networkd has them (last
 * assignment wins, an empty value resets, comments, Kind= anywhere); and
 * every refusal and warning naming FILE:LINE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "netdev.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct result {
	int ret;
	struct netdev_file nf;
	char err[4096];
};

/* Runs the importer on text as the file "t.netdev"; its messages land in r->err. */
static void import(const char *text, struct result *r)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *err = fmemopen(r->err, sizeof(r->err), "w");

	assert_non_null(in);
	assert_non_null(err);
	memset(r->err, 0, sizeof(r->err));
	r->ret = netdev_read(in, "t.netdev", &r->nf, err);
	fclose(err);
	fclose(in);
}

struct good {
	const char *text;
	const char *cmd;
	int fou_port;
};

#define TUN4	"[Tunnel]\nLocal=192.0.2.1\nRemote=192.0.2.2\n"
#define TUN6	"[Tunnel]\nLocal=2001:db8::1\nRemote=2001:db8::2\n"
#define R4	"remote 192.0.2.2 local 192.0.2.1"
#define R6	"remote 2001:db8::2 local 2001:db8::1"

static const struct good good[] = {
	/* systemd's own pair (systemd.netdev(5), test/test-network) */
	{ "[NetDev]\nName=fou-tun\nKind=fou\n\n[FooOverUDP]\nPort=5555\nProtocol=4\n",
	  "fou add port 5555 ipproto 4", 1 },
	{ "[NetDev]\nName=ipiptun\nKind=ipip\n" TUN4 "Independent=yes\nFooOverUDP=yes\n"
	  "FOUDestinationPort=5555\n",
	  "link add name ipiptun type ipip " R4 " encap fou encap-sport auto encap-dport 5555" },
	/* [FooOverUDP] */
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=6080\nEncapsulation=GenericUDPEncapsulation\n"
	  "Local=192.0.2.1\nPeer=192.0.2.2\nPeerPort=6081\n",
	  "fou add port 6080 gue local 192.0.2.1 peer 192.0.2.2 peer_port 6081", 1 },
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=1\nProtocol=gre\nEncapsulation=FooOverUDP\n",
	  "fou add port 1 ipproto 47", 1 },
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=5556\nProtocol=ipv6\nLocal=2001:db8::1\n",
	  "fou add port 5556 ipproto 41 local 2001:db8::1 -6", 1 },
	/* [Tunnel], by kind */
	{ "[NetDev]\nName=s\nKind=sit\nMTUBytes=1400\n" TUN4 "TTL=64\nTOS=16\nFooOverUDP=yes\n"
	  "FOUDestinationPort=5557\nFOUSourcePort=4000\n",
	  "link add name s type sit " R4 " ttl 64 tos 10 encap fou encap-sport 4000 "
	  "encap-dport 5557 mtu 1400" },
	{ "[NetDev]\nName=g\nKind=gre\n" TUN4 "Key=1.2.3.4\nSerializeTunneledPackets=yes\n"
	  "FooOverUDP=true\nEncapsulation=GenericUDPEncapsulation\nFOUDestinationPort=6080\n",
	  "link add name g type gre " R4 " key 16909060 seq encap gue encap-sport auto "
	  "encap-dport 6080" },
	{ "[NetDev]\nName=g\nKind=gre\n" TUN4 "InputKey=5\nOutputKey=6\n",
	  "link add name g type gre " R4 " ikey 5 okey 6" },
	{ "[NetDev]\nName=g\nKind=gre\n" TUN4 "Key=7\nOutputKey=8\n",
	  "link add name g type gre " R4 " ikey 7 okey 8" },
	{ "[NetDev]\nName=g\nKind=gre\n" TUN4 "Key=0\nDiscoverPathMTU=no\nTTL=0\n",
	  "link add name g type gre " R4 " ttl inherit nopmtudisc" },
	{ "[NetDev]\nName=gt\nKind=gretap\n" TUN4 "Key=9\nFooOverUDP=on\nFOUDestinationPort=5558\n",
	  "link add name gt type gretap " R4 " key 9 encap fou encap-sport auto encap-dport 5558" },
	{ "[NetDev]\nName=t6\nKind=ip6tnl\n" TUN6 "Mode=ip6ip6\nTTL=0\n",
	  "link add name t6 type ip6tnl " R6 " ttl inherit" },
	{ "[NetDev]\nName=t6\nKind=ip6tnl\n" TUN6 "Mode=any\n",
	  "link add name t6 type ip6tnl " R6 },
	{ "[NetDev]\nName=g6\nKind=ip6gre\n" TUN6 "Key=3\nTTL=32\n",
	  "link add name g6 type ip6gre " R6 " ttl 32 key 3" },
	{ "[NetDev]\nName=gt6\nKind=ip6gretap\n" TUN6 "SerializeTunneledPackets=1\n",
	  "link add name gt6 type gretap " R6 " seq" },
	/* [VXLAN]: networkd's defaults are the kernel's (port 8472, no UDP checksum) */
	{ "[NetDev]\nName=vx0\nKind=vxlan\n[VXLAN]\nVNI=42\nRemote=192.0.2.2\nLocal=192.0.2.1\n",
	  "link add name vx0 type vxlan id 42 " R4 " dstport 8472 noudpcsum" },
	{ "[NetDev]\nName=vx1\nKind=vxlan\nMTUBytes=1450\n[VXLAN]\nId=7\nLocal=2001:db8::1\n"
	  "DestinationPort=4789\nPortRange=1000-2000\nMacLearning=no\nFDBAgeingSec=5min\n"
	  "MaximumFDBEntries=100\nUDPCheckSum=yes\nUDP6ZeroChecksumTx=yes\n"
	  "UDP6ZeroCheckSumRx=yes\nTTL=0\nTOS=255\nIndependent=yes\n",
	  "link add name vx1 type vxlan id 7 local 2001:db8::1 dstport 4789 srcport 1000 2000 "
	  "nolearning ageing 300 maxaddress 100 udpcsum udp6zerocsumtx udp6zerocsumrx ttl auto "
	  "tos ff mtu 1450" },
	{ "[NetDev]\nName=vx2\nKind=vxlan\n[VXLAN]\nVNI=1\nLocal=192.0.2.1\nTTL=inherit\n"
	  "FDBAgeingSec=90\n",
	  "link add name vx2 type vxlan id 1 local 192.0.2.1 dstport 8472 ageing 90 noudpcsum "
	  "ttl inherit" },
	/* [GENEVE] */
	{ "[NetDev]\nName=gn0\nKind=geneve\n[GENEVE]\nId=7\nRemote=192.0.2.2\n",
	  "link add name gn0 type geneve id 7 remote 192.0.2.2" },
	{ "[NetDev]\nName=gn1\nKind=geneve\n[GENEVE]\nId=0\nRemote=2001:db8::2\n"
	  "DestinationPort=6082\nTTL=64\nTOS=8\n",
	  "link add name gn1 type geneve id 0 remote 2001:db8::2 dstport 6082 ttl 64 tos 8" },
};

/* Each file gives exactly its command, and nothing is said. */
static void expect_cmds(const struct good *t, size_t n)
{
	struct result r;

	for (size_t i = 0; i < n; i++) {
		import(t[i].text, &r);
		if (r.ret || strcmp(r.nf.cmd, t[i].cmd))
			fail_msg("case %zu: ret %d err \"%s\"\n got  \"%s\"\n want \"%s\"", i,
				 r.ret, r.err, r.nf.cmd, t[i].cmd);
		assert_int_equal(r.nf.fou_port, t[i].fou_port);
		assert_string_equal(r.err, "");
	}
}

static void test_kinds_and_keys(void **state)
{
	(void)state;
	expect_cmds(good, ARRAY_SIZE(good));
}

/* networkd's reading: comments, blanks, repeats, resets, sections in any order. */
static void test_ini(void **state)
{
	static const struct good ini[] = {
		/* the last assignment wins; sections may repeat */
		{ "[Tunnel]\nRemote=192.0.2.9\n[NetDev]\nName=a\n[Tunnel]\nRemote=192.0.2.2\n"
		  "Local=192.0.2.1\n[NetDev]\nKind=ipip\n",
		  "link add name a type ipip " R4 },
		/* an empty value resets to the default */
		{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "TTL=64\nTTL=\nFooOverUDP=yes\n"
		  "FooOverUDP=\nFOUDestinationPort=1\n",
		  "link add name a type ipip " R4 },
		{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "FooOverUDP=yes\nFOUDestinationPort=1\n"
		  "FOUSourcePort=4000\nFOUSourcePort=\n",
		  "link add name a type ipip " R4 " encap fou encap-sport auto encap-dport 1" },
		{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=1\nProtocol=4\n"
		  "Local=2001:db8::1\nLocal=\n",
		  "fou add port 1 ipproto 4", 1 },
		/* comments (# and ;, after blanks), blank lines, blanks around = */
		{ "# a comment\n; another\n\n  [NetDev]  \n Name = a \n\t# Kind=gre\nKind=ipip\n"
		  "[Tunnel]\n  ; Local=192.0.2.9\nLocal =192.0.2.1\nRemote= 192.0.2.2\r\n",
		  "link add name a type ipip " R4 },
		/* booleans as systemd spells them */
		{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "FooOverUDP=Y\nFOUDestinationPort=1\n"
		  "DiscoverPathMTU=TRUE\n",
		  "link add name a type ipip " R4 " encap fou encap-sport auto encap-dport 1" },
		{ "[NetDev]\nName=a\nKind=ipip\nMTUBytes=1K\n" TUN4 "FooOverUDP=off\n",
		  "link add name a type ipip " R4 " mtu 1024" },
	};

	(void)state;
	expect_cmds(ini, ARRAY_SIZE(ini));
}

struct msg {
	const char *text;
	const char *err;	/* the whole of what is said */
};

/* Said and skipped: the rest of the file still applies. */
static const struct msg warned[] = {
	{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "Bogus=1\n",
	  "t.netdev:7: unknown key [Tunnel] Bogus, skipped\n" },
	{ "[Match]\nHost=x\n[NetDev]\nName=a\nKind=ipip\n" TUN4,
	  "t.netdev:2: unknown key [Match] Host, skipped\n" },
	/* a section of another kind */
	{ "[NetDev]\nName=a\nKind=ipip\n[VXLAN]\nVNI=1\n" TUN4,
	  "t.netdev:5: unknown key [VXLAN] VNI, skipped\n" },
	{ "Name=a\n[NetDev]\nName=a\nKind=ipip\n" TUN4 "junk\n",
	  "t.netdev:1: assignment outside of a section, skipped\n"
	  "t.netdev:8: neither [Section] nor Key=Value, skipped\n" },
	{ "[NetDev]\nName=a\nKind=ipip\nMACAddress=02:00:00:00:00:01\n" TUN4 "Key=5\n",
	  "t.netdev:4: [NetDev] MACAddress= is not used by foud, ignored\n"
	  "t.netdev:8: [Tunnel] Key= is for the GRE kinds only, ignored\n" },
	{ "[NetDev]\nName=a\nKind=ip6tnl\n" TUN6 "Mode=ipip6\nFooOverUDP=yes\n",
	  "t.netdev:8: [Tunnel] FooOverUDP= is for ipip, sit, gre and gretap only, ignored\n" },
};

static void test_warnings(void **state)
{
	struct result r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(warned); i++) {
		import(warned[i].text, &r);
		if (r.ret)
			fail_msg("case %zu refused: %s", i, r.err);
		assert_string_equal(r.err, warned[i].err);
		assert_non_null(strstr(r.nf.cmd, "link add name a type "));
	}
}

/* Refused: nothing of the file is applied (no command), and it is said where. */
static const struct msg refused[] = {
	{ "[NetDev]\nName=bond0\nKind=bond\n[Bond]\nMode=802.3ad\n",
	  "t.netdev:3: Kind=bond: foud does not do this kind (it does fou, ipip, sit, gre, "
	  "gretap, ip6tnl, ip6gre, ip6gretap, vxlan, geneve), file not applied\n" },
	{ "[NetDev]\nName=wg0\nKind=wireguard\n",
	  "t.netdev:3: Kind=wireguard: foud does not do this kind (it does fou, ipip, sit, gre, "
	  "gretap, ip6tnl, ip6gre, ip6gretap, vxlan, geneve), file not applied\n" },
	{ "[NetDev]\nName=a\n",
	  "t.netdev: [NetDev] Kind= is missing (networkd and foud need it), file not applied\n" },
	{ "[NetDev]\nKind=ipip\n" TUN4,
	  "t.netdev: [NetDev] Name= is missing (networkd and foud need it), file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n[Tunnel]\nLocal=192.0.2.1\nRemote=300.1.1.1\nTTL=256\n",
	  "t.netdev:6: invalid value \"300.1.1.1\" for [Tunnel] Remote=: expected an IPv4 or "
	  "IPv6 address (foud has no \"any\" or address of a link type)\n"
	  "t.netdev:7: invalid value \"256\" for [Tunnel] TTL=: expected a number 0-255\n"
	  "t.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "FooOverUDP=maybe\n",
	  "t.netdev:7: invalid value \"maybe\" for [Tunnel] FooOverUDP=: expected a boolean "
	  "(yes, no, true, false, on, off, 1, 0)\nt.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n[Tunnel]\nLocal=any\nRemote=192.0.2.2\n",
	  "t.netdev:5: invalid value \"any\" for [Tunnel] Local=: expected an IPv4 or IPv6 "
	  "address (foud has no \"any\" or address of a link type)\nt.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n[Tunnel]\nRemote=192.0.2.2\n",
	  "t.netdev: [Tunnel] Local= is missing (foud needs the address), file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "FooOverUDP=yes\n",
	  "t.netdev: [Tunnel] FOUDestinationPort= is missing (FooOverUDP=yes needs it), file "
	  "not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n[Tunnel]\nLocal=192.0.2.1\nRemote=2001:db8::2\n",
	  "t.netdev:6: [Tunnel] Remote=2001:db8::2 is IPv6 but Kind=ipip needs IPv4, file not "
	  "applied\n" },
	{ "[NetDev]\nName=a\nKind=ip6tnl\n" TUN6,
	  "t.netdev: [Tunnel] Mode= is missing (networkd refuses an ip6tnl without it), file not "
	  "applied\n" },
	{ "[NetDev]\nName=a\nKind=vxlan\n[VXLAN]\nVNI=1\nLocal=192.0.2.1\nGroup=239.1.1.1\n",
	  "t.netdev:7: [VXLAN] Group=239.1.1.1: foud needs the group's device, which networkd "
	  "takes from a .network file; use fouctl link add ... group 239.1.1.1 dev IF, file not "
	  "applied\n" },
	{ "[NetDev]\nName=a\nKind=vxlan\n[VXLAN]\nVNI=1\nLocal=192.0.2.1\n"
	  "GroupPolicyExtension=yes\n",
	  "t.netdev:7: [VXLAN] GroupPolicyExtension=yes: foud does not do this\n"
	  "t.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=vxlan\n[VXLAN]\nVNI=16777216\n",
	  "t.netdev:5: invalid value \"16777216\" for [VXLAN] VNI=: expected a number "
	  "0-16777215\nt.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=vxlan\n[VXLAN]\nVNI=1\n",
	  "t.netdev: [VXLAN] Local= is missing (foud needs the address), file not applied\n" },
	{ "[NetDev]\nName=a\nKind=geneve\n[GENEVE]\nRemote=192.0.2.2\n",
	  "t.netdev: [GENEVE] Id= is missing (networkd and foud need it), file not applied\n" },
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=1\nEncapsulation=GenericUDPEncapsulation\n"
	  "Protocol=4\n",
	  "t.netdev:7: [FooOverUDP] Protocol= must be unset with "
	  "Encapsulation=GenericUDPEncapsulation, file not applied\n" },
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=1\nProtocol=4\nPeer=192.0.2.2\n",
	  "t.netdev: [FooOverUDP] PeerPort= is missing (Peer= and PeerPort= go together), file "
	  "not applied\n" },
	{ "[NetDev]\nName=f\nKind=fou\n[FooOverUDP]\nPort=0\nProtocol=4\n",
	  "t.netdev:5: invalid value \"0\" for [FooOverUDP] Port=: expected a port 1-65535\n"
	  "t.netdev: file not applied\n" },
	{ "[NetDev]\nName=a\nKind=ipip\n[Tunnel\n",
	  "t.netdev:4: invalid section header \"[Tunnel\", file not applied\n" },
	/* what foud's own parser refuses is never sent: a fixed TTL needs DF on IPv4 */
	{ "[NetDev]\nName=a\nKind=ipip\n" TUN4 "TTL=64\nDiscoverPathMTU=no\n",
	  "t.netdev: foud refuses \"link add name a type ipip " R4 " ttl 64 nopmtudisc\": "
	  "\"nopmtudisc\" conflicts with \"ttl 64\": use ttl inherit, file not applied\n" },
};

static void test_refused(void **state)
{
	struct result r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		import(refused[i].text, &r);
		if (r.ret != -EINVAL)
			fail_msg("case %zu accepted: \"%s\"", i, r.nf.cmd);
		assert_string_equal(r.nf.cmd, "");
		assert_string_equal(r.err, refused[i].err);
	}
}

/* The file's Kind= line is where foud's own answers about the file point. */
static void test_kind_line(void **state)
{
	struct result r;

	(void)state;
	import("# x\n[NetDev]\nName=a\n\nKind=ipip\n" TUN4, &r);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.nf.line, 5);
	assert_string_equal(r.nf.path, "t.netdev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_and_keys),
		cmocka_unit_test(test_ini),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_kind_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
