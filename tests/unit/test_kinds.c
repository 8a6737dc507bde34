// SPDX-License-Identifier: MIT
/*
 * The kind descriptor (common/kinds.def): its rows agree with libfou's kinds,
 * every kind is in the usage text and in the "type" message, each row's
 * default port and id word are what `link add` uses, each UDP overlay's
 * codec round-trips.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "cmd_int.h"

static int parse(const char *line, struct cmd_req *cmd, char *err, size_t errlen)
{
	char buf[512], *argv[64];
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = cmd_split(buf, argv, 64);
	assert_true(n >= 0);
	return cmd_parse(n, argv, cmd, err, errlen);
}

/* libfou keeps its own names (it does not depend on common/): they must agree. */
static void test_l3_rows_match_libfou(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fk_kind *r = &fk_kinds[i];
		const struct fou_kind_ops *k;

		if (r->l2 != FK_L2_NONE)
			continue;
		k = fou_kind(r->tnl);
		assert_non_null(k);
		assert_string_equal(k->name, r->name);
		assert_int_equal(k->family, r->family);
		assert_int_equal(k->inner, r->inner);
		assert_int_equal(k->gre, !!(r->flags & FK_GRE));
		assert_ptr_equal(fk_by_tnl(r->tnl), r);
		n++;
	}
	assert_int_equal(n, FOU_KIND__MAX);
}

static void test_lookups(void **state)
{
	(void)state;
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fk_kind *r = &fk_kinds[i];

		assert_ptr_equal(fk_by_name(r->name), r);
		if (r->l2 != FK_L2_NONE)
			assert_ptr_equal(fk_by_l2(r->l2), r);
		assert_non_null(r->syntax);
	}
	assert_null(fk_by_name("bogus"));
	assert_null(fk_by_l2(FK_L2_NONE));
	assert_null(fk_by_l2(FK_L2__MAX));
}

static bool in_usage(const char *fmt, const char *name)
{
	char w[64];

	snprintf(w, sizeof(w), fmt, name);
	return strstr(cmd_usage, w) != NULL;
}

/* A new row must reach the usage text and the list "type" prints. */
static void test_every_kind_is_named(void **state)
{
	struct cmd_req cmd;
	char err[256], word[32];

	(void)state;
	assert_int_equal(parse("link add name x type bogus", &cmd, err, sizeof(err)), -EINVAL);
	for (size_t i = 0; i < fk_nkinds; i++) {
		const char *n = fk_kinds[i].name;

		snprintf(word, sizeof(word), " %s", n);
		assert_non_null(strstr(err, word));
		if (!in_usage("type %s ", n) && !in_usage("{ %s ", n) && !in_usage("| %s ", n))
			fail_msg("kind \"%s\" is not in the usage text", n);
	}
}

/*
 * Each L2 kind's id word and default port come from its row: every L2 kind
 * takes remote and local, so one line serves a row added later too.
 */
static void test_l2_rows_drive_the_grammar(void **state)
{
	struct cmd_req cmd;
	char line[256], err[256];

	(void)state;
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fk_kind *r = &fk_kinds[i];

		if (!r->id_word)
			continue;
		snprintf(line, sizeof(line), "link add name x type %s %s 5 remote 10.0.0.2 local 10.0.0.1",
			 r->name, r->id_word);
		if (parse(line, &cmd, err, sizeof(err)))
			fail_msg("%s: %s", line, err);
		assert_int_equal(cmd.link.l2.kind, r->l2);
		assert_int_equal(cmd.link.l2.dstport, r->dstport);
		assert_true(cmd.link.l2.vni == 5 || cmd.link.l2.key == 5);
		assert_true(fk_takes(r, r->id_word));
	}
	assert_int_equal(fk_by_name("vxlan")->dstport, FOU_PORT_VXLAN);
	assert_int_equal(fk_by_name("geneve")->dstport, FOU_PORT_GENEVE);
	assert_true(fk_by_name("stt")->flags & FK_ID64);
	/* gretap's fleet identifier is its 32-bit GRE key; the others' a 24-bit VNI. */
	assert_true(fk_by_name("gretap")->flags & FK_ID32);
	assert_false(fk_by_name("nvgre")->flags & FK_ID32);
	assert_false(fk_by_name("vxlan")->flags & FK_ID32);
	assert_false(fk_takes(fk_by_name("geneve"), "group"));
}

/*
 * Every UDP overlay's codec, as the daemon uses it: the header it pushes is
 * hlen bytes and pulls back to the identifier and the frame; a datagram
 * too short for the header and an Ethernet header is refused.
 */
static void test_udp_codecs_round_trip(void **state)
{
	uint8_t mem[128];
	int n = 0;

	(void)state;
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fou_l2_codec *c = fk_kinds[i].udp;
		struct fou_buf b = { mem, sizeof(mem), 64, 40 };
		uint32_t id = 0;

		if (!c)
			continue;
		memset(mem, 0x5a, sizeof(mem));
		assert_int_equal(c->push(&b, 0x123456, NULL, 0), 0);
		assert_int_equal(b.len, 40 + c->hlen);
		assert_int_equal(c->pull(&b, &id), 0);
		assert_int_equal(id, 0x123456);
		assert_int_equal(b.off, 64);
		assert_int_equal(b.len, 40);
		assert_int_equal(c->push(&b, 7, NULL, 0), 0);
		b.len = c->hlen + FOU_ETH_HLEN - 1;
		assert_true(c->pull(&b, &id) < 0);
		assert_true(c->wrong_id != FOU_OK);
		n++;
	}
	assert_true(n >= 2);
}

/* w as a whole word of text, or [no]W for w = noW (stt's "[ [no]learning ]"). */
static bool has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	char alt[64];

	for (const char *t = strstr(text, w); t; t = strstr(t + 1, w)) {
		bool start = t == text || !(isalnum((unsigned char)t[-1]) || t[-1] == '_');
		bool end = !(isalnum((unsigned char)t[n]) || t[n] == '_');

		if (start && end)
			return true;
	}
	snprintf(alt, sizeof(alt), "[no]%s", w + 2);
	return !strncmp(w, "no", 2) && strstr(text, alt);
}

static void check_words(const struct fk_kind *r, const char *usage, const struct kw *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *w = t[i].word ? t[i].word : r->id_word;

		if (!has_word(usage, w))
			fail_msg("type %s: \"%s\" is one of its words but not in its usage lines", r->name, w);
	}
}

/*
 * An L2 row's usage lines (a string of the row, or the IP tunnels' for
 * gretap) name every word its syntax takes, so that `link add help` cannot
 * drift from the grammar, and begin with its type word.
 */
static void test_usage_lines_name_every_word(void **state)
{
	char head[64];

	(void)state;
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fk_kind *r = &fk_kinds[i];
		const char *u = r->usage && *r->usage ? r->usage : cmd_usage;

		if (r->l2 == FK_L2_NONE)
			continue;
		snprintf(head, sizeof(head), "type %s ", r->name);
		if (u != cmd_usage)
			assert_non_null(strstr(u, head));
		check_words(r, u, r->syntax->kws, r->syntax->nkws);
		if (r->syntax->extra)
			check_words(r, u, r->syntax->extra, r->syntax->nextra);
	}
	/* The lines a row without words of its own takes (cmd_int.h). */
	check_words(&(struct fk_kind){ .name = "x", .id_word = "id" }, FK_USAGE_UDP_L2("x"),
		    cmd_syn_udp_l2.kws, cmd_syn_udp_l2.nkws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l3_rows_match_libfou),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_every_kind_is_named),
		cmocka_unit_test(test_l2_rows_drive_the_grammar),
		cmocka_unit_test(test_udp_codecs_round_trip),
		cmocka_unit_test(test_usage_lines_name_every_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
