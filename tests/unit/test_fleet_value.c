// SPDX-License-Identifier: MIT
/*
 * What fleet nodes publish in etcd, as foud checks it: good values give the
 * address, devices and MACs; every malformed one is refused with why, and
 * nothing of it is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "fleet_value.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DEV(x) "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"devices\":[" x "]}"

static int parse(const char *name, const char *val, struct fleet_value *v, char *why, size_t n)
{
	memset(v, 0, sizeof(*v));
	why[0] = '\0';
	return fleet_value_parse(name, val, strlen(val), v, why, n);
}

/* A node's address of each family, for the devices of that underlay. */
static void test_addr2(void **state)
{
	static struct fleet_value v;
	char why[160];

	(void)state;
	assert_int_equal(parse("h1", "{\"name\":\"h1\",\"address\":\"192.0.2.1\","
			       "\"address2\":\"2001:db8::1\"}", &v, why, sizeof(why)), 0);
	assert_ptr_equal(fleet_value_addr(&v, AF_INET), &v.addr);
	assert_ptr_equal(fleet_value_addr(&v, AF_INET6), &v.addr2);
	assert_int_equal(v.addr2.a[15], 1);
}

static void test_good(void **state)
{
	static struct fleet_value v;
	char why[160], m[18];

	(void)state;
	assert_int_equal(parse("h1", "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"devices\":["
			       "{\"name\":\"vx0\",\"kind\":\"vxlan\",\"vni\":42,\"macs\":"
			       "[\"02:00:00:00:00:01\",\"0a:bb:cc:dd:ee:ff\"]},"
			       "{\"kind\":\"geneve\",\"vni\":16777215},"
			       "{\"kind\":\"gretap\",\"vni\":4294967295}]}", &v, why, sizeof(why)), 0);
	assert_int_equal(v.addr.family, AF_INET);
	assert_int_equal(v.addr2.family, 0);
	assert_null(fleet_value_addr(&v, AF_INET6));
	assert_int_equal(v.ndevs, 3);
	assert_int_equal(v.dev[2].kind, FK_L2_GRETAP);
	assert_int_equal(v.dev[2].vni, 4294967295u);
	assert_int_equal(v.dev[0].kind, FK_L2_VXLAN);
	assert_int_equal(v.dev[0].vni, 42);
	assert_int_equal(v.dev[0].nmacs, 2);
	fleet_mac_str(v.dev[0].mac[1], m);
	assert_string_equal(m, "0a:bb:cc:dd:ee:ff");
	assert_int_equal(v.dev[1].kind, FK_L2_GENEVE);
	assert_int_equal(v.dev[1].vni, 16777215);
	assert_int_equal(v.dev[1].nmacs, 0);
	/* L3: kind, encapsulation, port and prefix. */
	assert_int_equal(parse("h1", DEV("{\"name\":\"fl0\",\"kind\":\"ipip\",\"encap\":\"fou\","
					 "\"port\":5555,\"prefix\":\"10.244.1.0/24\"},"
					 "{\"kind\":\"ip6gre\",\"encap\":\"none\",\"prefix\":\"2001:db8::/32\"}"),
			       &v, why, sizeof(why)), 0);
	assert_int_equal(v.ndevs, 2);
	assert_int_equal(v.dev[0].kind, FK_L2_NONE);
	assert_int_equal(v.dev[0].tnl, FOU_KIND_IPIP);
	assert_int_equal(v.dev[0].encap, FOU_ENCAP_FOU);
	assert_int_equal(v.dev[0].port, 5555);
	assert_int_equal(v.dev[0].plen, 24);
	assert_int_equal(v.dev[0].pfx.a[2], 1);
	assert_int_equal(v.dev[1].tnl, FOU_KIND_IP6GRE);
	assert_int_equal(v.dev[1].port, 0);
	assert_int_equal(v.dev[1].pfx.family, AF_INET6);
	/* No devices: a member that carries nothing (yet). */
	assert_int_equal(parse("h2", "{\"name\":\"h2\",\"address\":\"2001:db8::2\"}", &v, why,
			       sizeof(why)), 0);
	assert_int_equal(v.addr.family, AF_INET6);
	assert_int_equal(v.ndevs, 0);
}

struct bad {
	const char *val;
	const char *why;
};


static const struct bad bad[] = {
	{ "", "not a JSON object" },
	{ "[1,2]", "not a JSON object" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.1\"", "not a JSON object" },
	{ "{\"address\":\"192.0.2.1\"}", "\"name\" is not the key's" },
	{ "{\"name\":\"h2\",\"address\":\"192.0.2.1\"}", "\"name\" is not the key's" },
	{ "{\"name\":7,\"address\":\"192.0.2.1\"}", "\"name\" is not the key's" },
	{ "{\"name\":\"h1\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.300\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"0.0.0.0\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"::\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"239.1.1.1\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"ff02::1\"}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":[\"192.0.2.1\"]}", "bad address" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"devices\":{}}", "\"devices\" is not an array" },
	{ DEV("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}"), "\"devices\" is not an array of at most 16" },
	{ DEV("{\"kind\":\"ipip\",\"vni\":1}"), "a ipip device without a prefix ADDR/LEN" },
	{ DEV("{\"kind\":\"ipip\",\"encap\":\"fou\",\"port\":5555,\"prefix\":\"10.1.1.1/24\"}"),
	  "a ipip device without a prefix" },
	{ DEV("{\"kind\":\"ipip\",\"encap\":\"fou\",\"port\":5555,\"prefix\":\"2001:db8::/64\"}"),
	  "a ipip device with a bad encap, port or prefix family" },
	{ DEV("{\"kind\":\"gre\",\"encap\":\"vxlan\",\"prefix\":\"10.1.0.0/16\"}"),
	  "a gre device with a bad encap" },
	{ DEV("{\"kind\":\"gre\",\"encap\":\"gue\",\"port\":70000,\"prefix\":\"10.1.0.0/16\"}"),
	  "a gre device with a bad encap, port" },
	{ DEV("{\"kind\":\"nope\",\"vni\":1}"), "a device without an L2 kind" },
	{ DEV("{\"vni\":1}"), "a device without an L2 kind" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"address2\":\"192.0.2.2\"}", "bad address2" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"address2\":\"ff02::1\"}", "bad address2" },
	{ "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"address2\":7}", "bad address2" },
	{ DEV("{\"kind\":\"vxlan\"}"), "VNI 0-16777215" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":\"42\"}"), "VNI 0-16777215" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":16777216}"), "VNI 0-16777215" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":-1}"), "VNI 0-16777215" },
	{ DEV("{\"kind\":\"gretap\",\"vni\":4294967296}"), "VNI 0-16777215" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":\"02:00:00:00:00:01\"}"), "\"macs\" is not an array" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"02:00:00:00:00\"]}"), "bad MAC address \"02:00:00:00:00\"" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"02:00:00:00:00:01x\"]}"), "bad MAC address" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"2:0:0:0:0:1\"]}"), "bad MAC address" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"ff:ff:ff:ff:ff:ff\"]}"), "bad MAC address" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"01:00:5e:00:00:01\"]}"), "bad MAC address" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[\"00:00:00:00:00:00\"]}"), "bad MAC address" },
	{ DEV("{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[5]}"), "bad MAC address \"?\"" },
};

static void test_bad(void **state)
{
	static struct fleet_value v;
	char why[160];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse("h1", bad[i].val, &v, why, sizeof(why)) != -EINVAL ||
		    !strstr(why, bad[i].why))
			fail_msg("%s: got \"%s\", wanted %s", bad[i].val, why, bad[i].why);
}

/* 65 MACs on one device: one too many. */
static void test_too_many_macs(void **state)
{
	static struct fleet_value v;
	char val[4096], why[160];
	size_t n;

	(void)state;
	n = (size_t)snprintf(val, sizeof(val), "{\"name\":\"h1\",\"address\":\"192.0.2.1\",\"devices\":"
			     "[{\"kind\":\"vxlan\",\"vni\":1,\"macs\":[");
	for (int i = 0; i < FLEET_MACS + 1; i++)
		n += (size_t)snprintf(val + n, sizeof(val) - n, "%s\"02:00:00:00:00:%02x\"",
				      i ? "," : "", i + 1);
	snprintf(val + n, sizeof(val) - n, "]}]}");
	assert_int_equal(parse("h1", val, &v, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "at most 64"));
	/* Too long to be a good value, whatever it holds. */
	assert_int_equal(fleet_value_parse("h1", val, FLEET_VALUE_MAX + 1, &v, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "longer than 65536 bytes"));
	/* The value's bytes count, not a NUL: a value cut short is not JSON. */
	assert_int_equal(fleet_value_parse("h1", "{\"name\":\"h1\"}", 5, &v, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_addr2),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many_macs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
