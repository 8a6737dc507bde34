// SPDX-License-Identifier: MIT
/*
 * The fouctl grammar: `OBJECT COMMAND [ keyword [ value ] ]...`, with the
 * words of iproute2's `ip fou` and `ip link` for the tunnel kinds foud has.
 *
 * Keywords match exactly (strcmp, never prefixes), so a word can not change
 * meaning when a keyword is added later; objects and commands abbreviate
 * as in iproute2 (below). Every object, command and keyword
 * lives in a table; one loop (cmd_kw_run, cmd_kw.c) walks the words, so duplicates, missing
 * values and bad values are reported the same way everywhere. Checks that
 * depend on more than one word (families, kinds, encap-dport) run once all
 * words are in, so the order of the words never matters.
 *
 * The objects live in files of their own (cmd_fou.c, cmd_link*.c, cmd_fdb.c,
 * cmd_tou.c, ...), the value parsers they share in cmd_value.c, the keyword
 * loop and the splitting of lines in cmd_kw.c (below all of them); this one
 * has the usage text (the L2 kinds' lines are their rows' in kinds.def), the
 * dispatcher and help. The kinds of link are kinds.def's rows.
 *
 * These files must not call libfou: the CLI links it only for fou_addr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

const char cmd_usage[] =
"fouctl [ OPTIONS ] OBJECT { COMMAND | help } [ ARGS ]\n"
"fouctl [ -force ] -b[atch] FILE\n"
"OPTIONS := { -S SOCKET | -n[etns] NAME | -j[son] | -p[retty] | -s[tatistics]\n"
"        | -d[etails] | -br[ief] | -o[neline] | -V[ersion] | -h[elp] }\n"
"OBJECT := { link | fou | fdb | tou | monitor | reload | save | flush }\n"
"\n"
"fouctl fou add port PORT { ipproto PROTO | gue } [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou del port PORT [ ipproto PROTO | gue ] [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou show\n"
"\n"
"fouctl link add name NAME type { ipip | sit | gre | ip6tnl | ip6gre | gretap }\n"
"        remote ADDR local ADDR [ { ttl | hoplimit } { N | inherit } ]\n"
"        [ tos { T | inherit } ] [ key K | ikey K | okey K ]\n"
"        [ csum | icsum | ocsum ] [ seq | iseq | oseq ] [ mtu N ]\n"
"        [ pmtudisc | nopmtudisc ] [ noencap | encap { fou | gue | none } ]\n"
"        [ encap-sport { auto | PORT } ] [ encap-dport PORT ]\n"
"        [ encap-csum | noencap-csum ] [ encap-udp6-csum | noencap-udp6-csum ]\n"
"        [ encap-remcsum | noencap-remcsum ]\n"
"        [ encap-key FILE [ encap-key-next FILE ] ]\n"
"        [ datapath { auto | bpf | userspace } ]\n"
"        the others also: [ fleet prefix ADDR/LEN ] (instead of remote)\n"
"        gretap also: [ learning | nolearning ] [ ageing SECONDS ] [ maxaddress N ] [ address LLADDR ]\n"
"        [ dev IF ] (with a multicast remote) [ fleet ] (instead of remote)\n"
/* The L2 kinds' lines, from their rows: the UDP overlays first. */
#define FK_UDP(ID, n, idw, port, fl, syn, codec, usage) usage
#include "kinds.def"
#define FK_L2(ID, n, k, idw, port, fl, dv, syn, usage) usage
#include "kinds.def"
"fouctl link del [ dev | name ] NAME\n"
"fouctl link rekey [ dev | name ] NAME\n"
"fouctl link show [ [ dev ] NAME ]\n"
"fouctl link { set | change } [ dev ] NAME WORDS...\n"
"\n"
"fouctl fdb { add | append } LLADDR dev NAME dst ADDR\n"
"fouctl fdb del LLADDR dev NAME [ dst ADDR ]\n"
"fouctl fdb show [ dev NAME ]\n"
"\n"
"fouctl tou add peer ADDR [ port PORT ] [ local ADDR ] [ key FILE [ key-next FILE ] ]\n"
"        [ remcsum ]\n"
"        [ dtls { psk FILE | cert FILE key FILE cacert FILE [ name NAME ] } [ rekey-bytes N ]\n"
"        [ rekey-time SECONDS ] ]\n""fouctl tou del peer ADDR\n"
"fouctl tou show\n"
"\n"
"fouctl fleet etcd ENDPOINT[,ENDPOINT...] [ prefix PATH ] [ ttl SECONDS ]\n"
"        [ cacert FILE ] [ cert FILE key FILE ] [ user NAME password-file FILE ]\n"
"fouctl fleet node NAME address ADDR [ address ADDR ] (one per family)\n"
"fouctl fleet show\n"
"fouctl monitor [ all | link | fdb | tou ]\n"
"\n"
"fouctl reload\n"
"fouctl save\n"
"fouctl flush\n"
"\n"
"fouctl metrics listen { ADDR:PORT | [ADDR6]:PORT | unix:PATH }\n"
"\n"
"fouctl capture DEV [ inner | outer ] [ -c COUNT ] [ -w FILE | - ]\n";

/* ---- objects and commands -------------------------------------------------- */

/*
 * Objects and commands abbreviate as iproute2's matches() lets them: a word
 * is any non-empty prefix of an entry, and the first entry of the table it
 * prefixes wins. The tables keep iproute2's order, with the commands foud
 * does not have (parse NULL) in their places, so that `link s` is refused
 * as `set` rather than taken as `show` where ip would set.
 */
static bool cmd_matches(const char *w, const char *word)
{
	size_t n = strlen(w);

	return n && n <= strlen(word) && !strncmp(w, word, n);
}

struct op_ent {
	const char *word;
	enum cmd_op op;
	int (*parse)(struct pctx *p);
};

struct obj_ent {
	const char *word;
	enum cmd_obj obj;
	const struct op_ent *ops;
	size_t nops;
	const char *expect;
	int dflt;		/* the op of the object alone (ip link: show), or -1 */
};

#define OP_NONE(w)	{ w, CMD_OP__MAX, NULL }
/* The words for show: ip link's and bridge fdb's three, and fou's and fleet's two. */
#define OP_LIST(fn)	{ "show", CMD_OP_SHOW, fn }, { "list", CMD_OP_SHOW, fn }
#define OP_SHOW(fn)	OP_LIST(fn), { "lst", CMD_OP_SHOW, fn }
/* add and delete parsed by one function (fou's and tou's: the same words either way) */
#define OP_ADDDEL(fn)	{ "add", CMD_OP_ADD, fn }, { "delete", CMD_OP_DEL, fn }

/* ip fou */
static const struct op_ent fou_ops[] = {
	OP_ADDDEL(cmd_fou_addel),
	OP_LIST(cmd_no_args),
};

/* ip link */
static const struct op_ent link_ops[] = {
	{ "add", CMD_OP_ADD, cmd_link_add },
	{ "set", CMD_OP_SET, cmd_link_set },
	{ "change", CMD_OP_SET, cmd_link_set },
	OP_NONE("replace"),
	{ "delete", CMD_OP_DEL, cmd_link_del },
	OP_SHOW(cmd_link_show),
	{ "rekey", CMD_OP_REKEY, cmd_link_del },
};

/* bridge fdb */
static const struct op_ent fdb_ops[] = {
	{ "add", CMD_OP_ADD, cmd_fdb_entry },
	{ "append", CMD_OP_APPEND, cmd_fdb_entry },
	OP_NONE("replace"),
	{ "delete", CMD_OP_DEL, cmd_fdb_entry },
	OP_NONE("get"),
	OP_SHOW(cmd_fdb_show),
	OP_NONE("flush"),
};

/* foud's own, in ip's pattern */
static const struct op_ent tou_ops[] = {
	OP_ADDDEL(cmd_tou_addel),
	OP_SHOW(cmd_no_args),
};

/* bridge monitor, ip monitor: what to watch (the command word is optional) */
static const struct op_ent monitor_ops[] = {
	{ "all", CMD_OP_MON_ALL, cmd_no_args },
	{ "link", CMD_OP_MON_LINK, cmd_no_args },
	{ "fdb", CMD_OP_MON_FDB, cmd_no_args },
	{ "tou", CMD_OP_MON_TOU, cmd_no_args },
};

static const struct op_ent metrics_ops[] = {
	{ "listen", CMD_OP_LISTEN, cmd_metrics_listen },
};

/* No command word: the device follows the object. */
static const struct op_ent capture_ops[] = {
	{ NULL, CMD_OP_RUN, cmd_capture },
};

static const struct op_ent fleet_ops[] = {
	{ "etcd", CMD_OP_ETCD, cmd_fleet_etcd },
	{ "node", CMD_OP_NODE, cmd_fleet_node },
	OP_LIST(cmd_no_args),
};

/* Objects that are the whole command: no command word follows. */
static const struct op_ent reload_ops[] = { { NULL, CMD_OP_RUN, cmd_no_args } };
static const struct op_ent save_ops[] = { { NULL, CMD_OP_RUN, cmd_no_args } };
static const struct op_ent flush_ops[] = { { NULL, CMD_OP_RUN, cmd_no_args } };

/*
 * ip's order: link before fou, then bridge's fdb, then foud's own. reload,
 * save and flush (whole commands, flush destructive) match whole words only.
 */
static const struct obj_ent objs[] = {
	{ "link", CMD_OBJ_LINK, link_ops, ARRAY_SIZE(link_ops),
	  "add, set, change, delete, rekey or show", 5 },
	{ "fou", CMD_OBJ_FOU, fou_ops, ARRAY_SIZE(fou_ops), "add, delete or show", -1 },
	{ "fdb", CMD_OBJ_FDB, fdb_ops, ARRAY_SIZE(fdb_ops), "add, append, delete or show", 5 },
	{ "tou", CMD_OBJ_TOU, tou_ops, ARRAY_SIZE(tou_ops), "add, delete or show", 2 },
	{ "fleet", CMD_OBJ_FLEET, fleet_ops, ARRAY_SIZE(fleet_ops), "etcd, node or show", -1 },
	{ "monitor", CMD_OBJ_MONITOR, monitor_ops, ARRAY_SIZE(monitor_ops),
	  "all, link, fdb or tou", 0 },
	{ "metrics", CMD_OBJ_METRICS, metrics_ops, ARRAY_SIZE(metrics_ops), "listen", -1 },
	{ "capture", CMD_OBJ_CAPTURE, capture_ops, ARRAY_SIZE(capture_ops), "a device", 0 },
	{ "reload", CMD_OBJ_RELOAD, reload_ops, 1, "", 0 },
	{ "save", CMD_OBJ_SAVE, save_ops, 1, "", 0 },
	{ "flush", CMD_OBJ_FLUSH, flush_ops, 1, "", 0 },
	{ "help", CMD_OBJ__MAX, NULL, 0, NULL, -1 },
};

#define OBJ_EXPECT "link, fou, fdb, tou, fleet, monitor, metrics, capture, reload, save or flush"

/* An object that is the whole command (reload, save, flush; capture DEV ...). */
static bool obj_whole(const struct obj_ent *o)
{
	return o->ops && !o->ops[0].word;
}

static const struct obj_ent *obj_find(const char *w)
{
	/* fleet whole too: "fl" must name neither it nor flush. */
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
		if (obj_whole(&objs[i]) || objs[i].obj == CMD_OBJ_FLEET ? !strcmp(w, objs[i].word) :
		    cmd_matches(w, objs[i].word))
			return &objs[i];
	return NULL;
}

/* Every object with command words takes help too, after its own words (so "h" is help only where no word of its own begins so). */
static const struct op_ent op_help = { "help", CMD_OP_HELP, NULL };

static const struct op_ent *op_find(const struct obj_ent *o, const char *w)
{
	for (size_t i = 0; i < o->nops; i++)
		if (o->ops[i].word && cmd_matches(w, o->ops[i].word))
			return &o->ops[i];
	return cmd_matches(w, op_help.word) ? &op_help : NULL;
}

/*
 * The command word, from p->argv[1]; without one, the object's default as
 * in ip (link: show); none for a whole command. Sets where the words go on.
 */
static int parse_op(struct pctx *p, const struct obj_ent *o, const struct op_ent **opp)
{
	const char *w = p->argv[0];

	p->i = 1;
	if (obj_whole(o) || (p->argc < 2 && o->dflt >= 0)) {
		*opp = &o->ops[o->dflt];
		return 0;
	}
	if (p->argc < 2)
		return cmd_perr(p, "\"COMMAND\" is missing after \"%s\": expected %s", w,
				o->expect);
	*opp = op_find(o, p->argv[1]);
	if (!*opp)
		return cmd_perr(p, "\"%s\" is not a command of \"%s\": expected %s",
				p->argv[1], o->word, o->expect);
	if ((*opp)->op == CMD_OP_HELP)
		return cmd_perr(p, "\"%s\" is answered by fouctl, not foud", p->argv[1]);
	if (!(*opp)->parse)
		return cmd_perr(p, "\"%s\" is \"%s %s\", which foud does not have: expected %s",
				p->argv[1], o->word, (*opp)->word, o->expect);
	p->i = 2;
	return 0;
}

/* The command word of each op in messages ("not a keyword of \"link set\""); none: the object's alone. */
static const char *const op_words[CMD_OP__MAX] = {
	[CMD_OP_ADD] = "add", [CMD_OP_DEL] = "del", [CMD_OP_SHOW] = "show",
	[CMD_OP_APPEND] = "append", [CMD_OP_REKEY] = "rekey", [CMD_OP_ETCD] = "etcd",
	[CMD_OP_NODE] = "node", [CMD_OP_SET] = "set", [CMD_OP_LISTEN] = "listen",
	[CMD_OP_MON_LINK] = "link", [CMD_OP_MON_FDB] = "fdb", [CMD_OP_MON_TOU] = "tou",
};

/* Where the words go on, for messages: "link set", "monitor", "capture". */
static const char *op_where(struct pctx *p, const struct obj_ent *o, enum cmd_op op)
{
	const char *w = op_words[op];

	snprintf(p->where_buf, sizeof(p->where_buf), "%s%s%s", o->word, w ? " " : "", w ? w : "");
	return p->where_buf;
}

static int parse_obj_op(struct pctx *p, const struct op_ent **opp)
{
	const struct obj_ent *o;
	int ret;

	if (p->argc < 1)
		return cmd_perr(p, "\"OBJECT\" is missing: expected " OBJ_EXPECT);
	o = obj_find(p->argv[0]);
	if (!o)
		return cmd_perr(p, "\"%s\" is not an object: expected " OBJ_EXPECT, p->argv[0]);
	if (!o->ops)
		return cmd_perr(p, "\"%s\" is answered by fouctl, not foud", p->argv[0]);
	ret = parse_op(p, o, opp);
	if (ret)
		return ret;
	p->cmd->obj = o->obj;
	p->cmd->op = (*opp)->op;
	p->where = op_where(p, o, (*opp)->op);
	return 0;
}

/* ---- help: the lines of the usage text about the object asked for ---------- */

/* Prints the usage lines "fouctl WORD ..." and the indented lines after them. */
static void help_object(FILE *f, const char *word)
{
	const char *s = cmd_usage;
	size_t n = strlen(word);
	bool on = false;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s + 1) : strlen(s);

		if (!strncmp(s, "fouctl ", 7))
			on = !strncmp(s + 7, word, n) && (s[7 + n] == ' ' || s[7 + n] == '\n');
		else if (s[0] != ' ')
			on = false;
		if (on)
			fwrite(s, 1, len, f);
		s += len;
	}
}

/* `OBJECT help`, or the word help where a keyword would be (`ip link add help`). */
static bool help_asked(const struct obj_ent *o, int argc, char *const argv[])
{
	const struct op_ent *op;

	if (argc < 2)
		return false;
	if (obj_whole(o))
		return !strcmp(argv[1], "help");
	op = op_find(o, argv[1]);
	return (op && op->op == CMD_OP_HELP) || (argc > 2 && !strcmp(argv[2], "help"));
}

bool cmd_help(int argc, char *const argv[], FILE *f)
{
	const struct obj_ent *o = argc > 0 ? obj_find(argv[0]) : NULL;

	if (!o)
		return false;
	if (!o->ops) {
		fprintf(f, "Usage: %s", cmd_usage);
		return true;
	}
	if (!help_asked(o, argc, argv))
		return false;
	fputs("Usage: ", f);
	help_object(f, o->word);
	return true;
}

int cmd_parse(int argc, char *const argv[], struct cmd_req *cmd,
		   char *err, size_t errlen)
{
	struct pctx p = {
		.argv = argv, .argc = argc, .cmd = cmd, .err = err, .errlen = errlen,
	};
	const struct op_ent *op = NULL;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (argc < 0 || (argc > 0 && !argv))
		return cmd_perr(&p, "no words to parse");
	ret = parse_obj_op(&p, &op);
	if (!ret)
		ret = op->parse(&p);
	return ret;
}
