// SPDX-License-Identifier: MIT
/*
 * fouctl's own parts: options read as ip(8) reads its own (abbreviations,
 * ip's order, --x), and the -o and -br filters of foud's output.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl.h"
#include "fouctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXW 16

/* Splits line (after a program name) and reads its options; *o and *ind as they came out. */
static int opts_of(const char *line, struct opts *o, int *ind, char buf[256])
{
	char *argv[MAXW] = { "fouctl" };
	int argc = 1;

	snprintf(buf, 256, "%s", line);
	for (char *w = strtok(buf, " "); w && argc < MAXW - 1; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	return fouctl_opts(argc, argv, o, ind);
}

static void test_opts(void **state)
{
	struct opts o;
	char buf[256];
	int ind;

	(void)state;
	unsetenv("FOUD_SOCKET");
	assert_int_equal(opts_of("-br link show", &o, &ind, buf), -1);
	assert_true(o.brief);
	assert_null(o.batch);
	assert_int_equal(ind, 2);
	/* -b is -batch (before -brief in ip's order), and takes a value */
	assert_int_equal(opts_of("-b FILE", &o, &ind, buf), -1);
	assert_string_equal(o.batch, "FILE");
	assert_false(o.brief);
	assert_int_equal(opts_of("-fo -batch FILE", &o, &ind, buf), -1);
	assert_true(o.force);
	assert_int_equal(opts_of("--force --batch FILE", &o, &ind, buf), -1);
	assert_true(o.force);
	/* -f is ip's -family: refused, not taken as -force */
	assert_int_equal(opts_of("-f -b FILE", &o, &ind, buf), 1);
	assert_int_equal(opts_of("--json -p -s -d -o link show", &o, &ind, buf), -1);
	assert_int_equal(o.flags, CTL_F_JSON | CTL_F_PRETTY | CTL_F_STATS |
			 CTL_F_DETAILS);
	assert_true(o.oneline);
	assert_int_equal(opts_of("-statistics -details -j l", &o, &ind, buf), -1);
	assert_int_equal(o.flags, CTL_F_JSON | CTL_F_STATS | CTL_F_DETAILS);
	assert_int_equal(opts_of("-n ns1 -S /x link", &o, &ind, buf), -1);
	assert_string_equal(o.netns, "ns1");
	assert_string_equal(o.sock, "/x");
	assert_int_equal(ind, 5);
	assert_null(opts_of("-j link", &o, &ind, buf) == -1 ? o.sock : "set");
	/* -- ends the options; the first non-option word too (fou add ... -6 stays a word) */
	assert_int_equal(opts_of("-- -j", &o, &ind, buf), -1);
	assert_int_equal(ind, 2);
	assert_int_equal(o.flags, 0);
	assert_int_equal(opts_of("fou add port 1 gue -6", &o, &ind, buf), -1);
	assert_int_equal(ind, 1);
	/* errors: unknown, a value missing, no command */
	assert_int_equal(opts_of("-zz link", &o, &ind, buf), 1);
	assert_int_equal(opts_of("-S", &o, &ind, buf), 1);
	assert_int_equal(opts_of("-n", &o, &ind, buf), 1);
	assert_int_equal(opts_of("-j", &o, &ind, buf), 1);
	assert_int_equal(opts_of("-", &o, &ind, buf), 1);
	/* -V and -h answer and exit 0 */
	assert_int_equal(opts_of("-V", &o, &ind, buf), 0);
	assert_int_equal(opts_of("--version", &o, &ind, buf), 0);
	assert_int_equal(opts_of("-h", &o, &ind, buf), 0);
}

/* Runs text through -o's filter in chunks of n bytes. */
static void oneline_of(const char *text, size_t n, char out[512])
{
	struct oneline ol = { 0 };
	size_t len = strlen(text);
	FILE *f;

	memset(out, 0, 512);
	f = fmemopen(out, 512, "w");
	assert_non_null(f);
	for (size_t i = 0; i < len; i += n)
		fouctl_oneline_put(&ol, f, text + i, len - i < n ? len - i : n);
	fouctl_oneline_end(&ol, f);
	fclose(f);
}

static void test_oneline(void **state)
{
	static const char in[] = "t1: ipip remote 192.0.2.2 mtu 1480\n"
				 "    encap fou\n\tudp-gso on\nt2: gre\n    x\n";
	static const char want[] = "t1: ipip remote 192.0.2.2 mtu 1480\\    encap fou\\\tudp-gso on\n"
				   "t2: gre\\    x\n";
	char out[512];

	(void)state;
	for (size_t n = 1; n < sizeof(in); n++) {	/* whatever the chunks */
		oneline_of(in, n, out);
		assert_string_equal(out, want);
	}
	oneline_of("", 1, out);
	assert_string_equal(out, "");
}

static void test_brief(void **state)
{
	static const char json[] =
		"[{\"ifindex\":3,\"ifname\":\"t1\",\"linkinfo\":{\"info_kind\":\"ipip\"},\"state\":\"up\"},"
		"{\"ifname\":\"t2\",\"operstate\":\"DOWN\",\"address\":\"192.0.2.1\","
		"\"flags\":[\"POINTOPOINT\",\"NOARP\"],\"linkinfo\":{\"info_kind\":\"gre\"}},"
		"{\"ifname\":\"t3\"}]";
	char out[512] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fouctl_brief_links(json, strlen(json), f), 0);
	assert_int_equal(fouctl_brief_links("{\"ifname\":1}", 12, f), -EBADMSG);
	assert_int_equal(fouctl_brief_links("[{", 2, f), -EBADMSG);
	fclose(f);
	assert_string_equal(out,
		"t1               UP             ipip\n"
		"t2               DOWN           192.0.2.1 <POINTOPOINT,NOARP> gre\n"
		"t3               UNKNOWN        \n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_oneline),
		cmocka_unit_test(test_brief),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
