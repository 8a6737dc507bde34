// SPDX-License-Identifier: MIT
/*
 * Twin IP tunnels (common/cmd_twin.c): the pairs Linux refuses with EEXIST
 * and the pairs it accepts, kind by kind, as `link add` lines parse them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd_int.h"
#include "cmd_twin.h"

static void link_of(const char *words, struct cmd_link_cfg *out)
{
	static struct cmd_req cmd;
	char buf[512], err[256], *argv[64];
	int n;

	snprintf(buf, sizeof(buf), "link add name x %s", words);
	n = cmd_split(buf, argv, 64);
	assert_true(n > 0);
	if (cmd_parse(n, argv, &cmd, err, sizeof(err)))
		fail_msg("%s: %s", words, err);
	*out = cmd.link;
}

/* Whether the two lines are twins, checked both ways and against the hash. */
static bool twins(const char *a, const char *b)
{
	struct cmd_link_cfg x, y;
	bool t;

	link_of(a, &x);
	link_of(b, &y);
	t = cmd_link_twin(&x, &y);
	assert_int_equal(t, cmd_link_twin(&y, &x));
	if (t)
		assert_int_equal(cmd_link_twin_hash(&x), cmd_link_twin_hash(&y));
	return t;
}

#define V4 "remote 192.0.2.2 local 192.0.2.1"
#define V6 "remote 2001:db8::2 local 2001:db8::1"

static void test_encap_port_does_not_tell_apart(void **state)
{
	(void)state;
	assert_true(twins("type ipip " V4 " encap fou encap-dport 5555",
			  "type ipip " V4 " encap gue encap-dport 6080"));
	assert_true(twins("type sit " V4, "type sit " V4 " encap fou encap-dport 5555"));
	assert_true(twins("type ip6tnl " V6, "type ip6tnl " V6 " ttl 9"));
	assert_true(twins("type gretap " V4 " key 3", "type gretap " V4 " key 3 encap fou encap-dport 5555"));
}

static void test_addresses_and_kind_tell_apart(void **state)
{
	(void)state;
	assert_false(twins("type ipip " V4, "type ipip remote 192.0.2.3 local 192.0.2.1"));
	assert_false(twins("type ipip " V4, "type ipip remote 192.0.2.2 local 192.0.2.3"));
	assert_false(twins("type ipip " V4, "type sit " V4));	/* one table per kind */
	assert_false(twins("type gre " V4, "type gretap " V4));
	assert_false(twins("type ip6gre " V6, "type ip6tnl " V6));
}

static void test_gre_keys(void **state)
{
	(void)state;
	assert_true(twins("type gre " V4 " key 5", "type gre " V4 " ikey 5 okey 9"));
	assert_false(twins("type gre " V4 " key 5", "type gre " V4 " key 6"));
	/* the receive key only: okey is the peer's business */
	assert_true(twins("type gre " V4 " okey 5", "type gre " V4 " okey 6"));
	/* IPv4: the key flag counts, so key 0 and no key differ (ip_tunnel_key_match) */
	assert_false(twins("type gre " V4, "type gre " V4 " key 0"));
	/* IPv6: only the value (ip6gre_tunnel_find), no key is key 0 */
	assert_true(twins("type ip6gre " V6, "type ip6gre " V6 " key 0"));
	assert_false(twins("type ip6gre " V6 " key 1", "type ip6gre " V6 " key 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_port_does_not_tell_apart),
		cmocka_unit_test(test_addresses_and_kind_tell_apart),
		cmocka_unit_test(test_gre_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
