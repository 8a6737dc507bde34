/* SPDX-License-Identifier: MIT */
/*
 * The configuration file: read whole and checked before anything changes,
 * applied at start, and re-applied as a difference on reload (SIGHUP,
 * `fouctl reload`). foud remembers what the file declared; a reload removes
 * what the file no longer declares, leaves what is unchanged untouched,
 * changes a link in place when its kind stays (conf.c), and adds the rest.
 * What fouctl made at run time and the file never declared is left alone,
 * as networkd leaves the links it did not create.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cmd_twin.h"
#include "ctl.h"
#include "foud.h"
#include "metrics.h"
#include "save.h"

/* One command the file declares, and its line. */
struct conf_ent {
	struct cmd_req cmd;
	unsigned int line;
};

/* v[i] in the index of what is declared, by its object (conf_same_object). */
struct conf_key {
	struct fou_hnode node;
	size_t i;
};

struct foud_conf {
	struct conf_ent *v;
	size_t n, cap;
	struct fou_htab idx;	/* 100 000 lines: a lookup each, not a walk each */
	struct fou_htab twins;	/* its IP tunnels by what Linux tells them apart by */
};

static void conf_unindex_one(struct fou_htab *h)
{
	struct fou_hnode *n;

	for (size_t i = 0; h->b && i <= h->mask; i++)
		while ((n = h->b[i])) {
			fou_htab_del(h, n);
			free(n);
		}
	fou_htab_free(h);
}

static void conf_unindex(struct foud_conf *c)
{
	conf_unindex_one(&c->idx);
	conf_unindex_one(&c->twins);
}

static void conf_free(struct foud_conf *c)
{
	if (!c)
		return;
	conf_unindex(c);
	free(c->v);
	free(c);
}

/* The line that makes what cmd declares; "" if it cannot be written. */
static const char *conf_line(const struct cmd_req *cmd, char *buf, size_t len)
{
	int ret = -EINVAL;

	switch (cmd->obj) {
	case CMD_OBJ_FOU: ret = cmd_save_port(&cmd->port, buf, len); break;
	case CMD_OBJ_LINK: ret = cmd_save_link(&cmd->link, buf, len); break;
	case CMD_OBJ_FDB: ret = cmd_save_fdb(&cmd->fdb, buf, len); break;
	case CMD_OBJ_TOU: ret = cmd_save_tou(&cmd->tou, buf, len); break;
	case CMD_OBJ_FLEET: ret = cmd_save_fleet(&cmd->fleet, cmd->op, buf, len); break;
	default: break;
	}
	if (ret < 0)
		buf[0] = '\0';
	return buf;
}

/* Whether x and y declare the same object (a link by its name, a TOU peer by its address). */
static bool conf_same_object(const struct cmd_req *x, const struct cmd_req *y)
{
	char a[CMD_SAVE_LINE], b[CMD_SAVE_LINE];

	if (x->obj != y->obj)
		return false;
	if (x->obj == CMD_OBJ_LINK)
		return !strcmp(x->link.name, y->link.name);
	if (x->obj == CMD_OBJ_TOU)
		return fou_addr_eq(&x->tou.peer, &y->tou.peer);
	if (x->obj == CMD_OBJ_FLEET)
		return x->op == y->op;	/* one fleet etcd, one fleet node */
	return !strcmp(conf_line(x, a, sizeof(a)), conf_line(y, b, sizeof(b)));
}

/* Equal for the same object, as conf_same_object() judges it. */
static uint32_t conf_key_hash(const struct cmd_req *cmd)
{
	char line[CMD_SAVE_LINE];

	switch (cmd->obj) {
	case CMD_OBJ_LINK: return fou_hash_str(cmd->link.name, cmd->obj);
	case CMD_OBJ_TOU: return fou_addr_hash(&cmd->tou.peer, cmd->obj);
	case CMD_OBJ_FLEET: return fou_hash_words((const uint32_t[]){ cmd->op }, 1, cmd->obj);
	default: return fou_hash_str(conf_line(cmd, line, sizeof(line)), cmd->obj);
	}
}

static int conf_index_in(struct fou_htab *h, size_t i, uint32_t hash)
{
	struct conf_key *k = malloc(sizeof(*k));

	if (!k || fou_htab_add(h, &k->node, hash)) {
		free(k);
		return -ENOMEM;
	}
	k->i = i;
	return 0;
}

static int conf_index(struct foud_conf *c, size_t i)
{
	const struct cmd_req *cmd = &c->v[i].cmd;

	if (conf_index_in(&c->idx, i, conf_key_hash(cmd)))
		return -ENOMEM;
	if (cmd->obj != CMD_OBJ_LINK || !cmd_link_twinnable(&cmd->link))
		return 0;
	return conf_index_in(&c->twins, i, cmd_link_twin_hash(&cmd->link));
}

static int conf_push(struct foud_conf *c, const struct cmd_req *cmd, unsigned int line)
{
	size_t cap = c->cap ? c->cap * 2 : 16;
	struct conf_ent *v = c->v;

	if (c->n == c->cap) {
		v = reallocarray(c->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	v[c->n].cmd = *cmd;
	v[c->n].cmd.set_argv = NULL;
	v[c->n].line = line;
	return conf_index(c, c->n++);
}

/* The entry declaring cmd's object, or NULL. */
static const struct conf_ent *conf_find(const struct foud_conf *c, const struct cmd_req *cmd)
{
	struct fou_hnode *n;
	const struct conf_ent *e;

	for (n = fou_htab_first(&c->idx, conf_key_hash(cmd)); n; n = fou_htab_next(n)) {
		e = &c->v[((struct conf_key *)n)->i];
		if (conf_same_object(&e->cmd, cmd))
			return e;
	}
	return NULL;
}

/* The earlier link of the file Linux would take cmd's for (cmd_twin.c), or NULL. */
static const struct conf_ent *conf_twin(const struct foud_conf *c, const struct cmd_req *cmd)
{
	struct fou_hnode *n;
	const struct conf_ent *e;

	if (cmd->obj != CMD_OBJ_LINK || !cmd_link_twinnable(&cmd->link))
		return NULL;
	for (n = fou_htab_first(&c->twins, cmd_link_twin_hash(&cmd->link)); n;
	     n = fou_htab_next(n)) {
		e = &c->v[((struct conf_key *)n)->i];
		if (cmd_link_twin(&e->cmd.link, &cmd->link))
			return e;
	}
	return NULL;
}

/* Whether del (a `... del` line of the file) undoes e, an earlier line. */
static bool conf_undoes(const struct cmd_req *del, const struct cmd_req *e)
{
	const struct cmd_port_cfg *p = &del->port, *q = &e->port;

	if (del->obj != e->obj)
		return false;
	switch (e->obj) {
	case CMD_OBJ_LINK:
		return !strcmp(del->name, e->link.name);
	case CMD_OBJ_FOU:
		return p->port == q->port && p->family == q->family &&
		       (p->type == FOU_ENCAP_NONE || p->type == q->type);
	case CMD_OBJ_FDB:
		return !strcmp(del->fdb.dev, e->fdb.dev) &&
		       !memcmp(del->fdb.mac, e->fdb.mac, sizeof(e->fdb.mac)) &&
		       (!del->fdb.dst.family || fou_addr_eq(&del->fdb.dst, &e->fdb.dst));
	case CMD_OBJ_TOU:
		return fou_addr_eq(&del->tou.peer, &e->tou.peer);
	default:
		return false;
	}
}

static int conf_drop(struct foud_conf *c, const struct cmd_req *del)
{
	size_t i = 0, j = 0;

	for (; i < c->n; i++)
		if (!conf_undoes(del, &c->v[i].cmd))
			c->v[j++] = c->v[i];
	if (c->n == j)
		return 0;
	/* Entries moved: the index again (a `del` line in a file is rare). */
	c->n = j;
	conf_unindex(c);
	for (i = 0; i < c->n; i++)
		if (conf_index(c, i))
			return -ENOMEM;
	return 0;
}

/* One parsed line into c: what it declares, or what it undoes; word: its command word. */
static int conf_take(struct foud_conf *c, const struct cmd_req *cmd, const char *word,
		     unsigned int line, char *err, size_t errlen)
{
	const struct conf_ent *e;

	if (cmd->op == CMD_OP_SHOW)
		return 0;
	if (cmd->op == CMD_OP_DEL) {
		if (!conf_drop(c, cmd))
			return 0;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (cmd->op != CMD_OP_ADD && cmd->op != CMD_OP_APPEND && cmd->op != CMD_OP_LISTEN &&
	    cmd->obj != CMD_OBJ_FLEET) {
		snprintf(err, errlen, "\"%s\" has no place in a configuration file", word);
		return -EINVAL;
	}
	e = conf_find(c, cmd);
	if (e) {
		snprintf(err, errlen, "already declared on line %u", e->line);
		return -EEXIST;
	}
	e = conf_twin(c, cmd);
	if (e) {
		snprintf(err, errlen, "link \"%s\" (line %u) has this %s already: File exists",
			 e->cmd.link.name, e->line, cmd_link_twin_what(&cmd->link));
		return -EEXIST;
	}
	return conf_push(c, cmd, line);
}

static int conf_parse_line(struct foud_conf *c, char *line, unsigned int lineno,
			   char *err, size_t errlen)
{
	static struct cmd_req cmd;	/* large; one thread */
	char *argv[CTL_MAX_ARGS];
	int argc = cmd_split(line, argv, CTL_MAX_ARGS);

	if (argc <= 0)
		return argc;
	if (cmd_parse(argc, argv, &cmd, err, errlen))
		return -EINVAL;
	/* the word to name: the object alone (reload, link), else the command */
	return conf_take(c, &cmd, cmd.op == CMD_OP_RUN || argc < 2 ? argv[0] : argv[1], lineno,
			 err, errlen);
}

/* Reads and checks the whole file; errors say FILE:LINE. */
static int conf_read(const char *path, struct foud_conf **out, char *err, size_t errlen)
{
	char line[4096], why[512] = "";
	struct foud_conf *c = calloc(1, sizeof(*c));
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f || !c) {
		ret = c ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto out;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			ret = -E2BIG;
		else
			ret = conf_parse_line(c, line, lineno, why, sizeof(why));
	}
	if (ret)
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why[0] ? why : strerror(-ret));
out:
	if (f)
		fclose(f);
	if (ret)
		conf_free(c);
	*out = ret ? NULL : c;
	return ret;
}

int foud_conf_check(const char *path, char *err, size_t errlen)
{
	struct foud_conf *c;
	int ret = conf_read(path, &c, err, errlen);

	conf_free(c);
	return ret;
}

/* ---- applying the difference ---------------------------------------------- */

static int conf_exec(struct foud *d, const struct cmd_req *cmd, enum cmd_op op,
		     char *err, size_t errlen)
{
	static struct cmd_req c;	/* large; one thread */
	struct foud_out out = { 0 };
	int ret;

	c = *cmd;
	c.op = op;
	ret = foud_exec(d, &c, 0, &out, err, errlen);
	foud_out_free(&out);
	return ret;
}

static bool conf_has(const struct foud_conf *c, const struct cmd_req *cmd)
{
	return c && conf_find(c, cmd);
}

/* What old declared and nw does not, last first (fdb entries before their link). */
static void conf_remove(struct foud *d, const struct foud_conf *old, const struct foud_conf *nw)
{
	char err[256];

	for (size_t i = old ? old->n : 0; i-- > 0;) {
		const struct cmd_req *o = &old->v[i].cmd;

		if (conf_has(nw, o))
			continue;
		/* Already gone (with its link, or by hand) is no error. */
		if (conf_exec(d, o, CMD_OP_DEL, err, sizeof(err)) == 0 && o->obj == CMD_OBJ_LINK)
			foud_log(LOG_INFO, "link %s removed (no longer in the file)", o->name);
	}
}

static bool link_same_kind(const struct cmd_link_cfg *a, const struct cmd_link_cfg *b)
{
	if (a->l2.kind != b->l2.kind)
		return false;
	return !fk_l3(a->l2.kind) || a->tnl.kind == b->tnl.kind;
}

/* A declared link: left alone when unchanged, changed in place, or made again as another kind. */
static int conf_link(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_dev_find(d, cmd->link.name);

	if (!t)
		return conf_exec(d, cmd, CMD_OP_ADD, err, errlen);
	/* Unchanged: only its key files are read again (a rollover's step, gue_auth.c). */
	if (foud_link_same(&t->cfg, &cmd->link))
		return t->auth ? foud_gue_auth_rekey(d, t->name, err, errlen) : 0;
	if (link_same_kind(&t->cfg, &cmd->link))
		return foud_link_change(d, t, &cmd->link, err, errlen);
	foud_log(LOG_INFO, "link %s: another type: made again", t->name);
	foud_dev_del(d, t->name, err, errlen);
	return conf_exec(d, cmd, CMD_OP_ADD, err, errlen);
}

static const struct foud_tou_peer *tou_running(const struct foud *d, const struct fou_addr *a)
{
	const struct foud_tou_peer *p;

	if (d->tou)
		TAILQ_FOREACH(p, &d->tou->peers, entry)
			if (fou_addr_eq(&p->cfg.peer, a))
				return p;
	return NULL;
}

static int conf_tou(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	const struct foud_tou_peer *p = tou_running(d, &cmd->tou.peer);
	char a[CMD_SAVE_LINE], b[CMD_SAVE_LINE];

	/* Unchanged: only its key files are read again, as a link's (DTLS's: a new session). */
	if (p && cmd_save_tou(&p->cfg, a, sizeof(a)) > 0 &&
	    cmd_save_tou(&cmd->tou, b, sizeof(b)) > 0 && !strcmp(a, b))
		return p->auth ? foud_gue_auth_reload(p->auth, err, errlen) :
		       p->dtls ? foud_tou_dtls_reload(p->dtls, err, errlen) : 0;
	if (p)
		conf_exec(d, cmd, CMD_OP_DEL, err, errlen);
	return conf_exec(d, cmd, CMD_OP_ADD, err, errlen);
}

static int conf_one(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	int ret;

	switch (cmd->obj) {
	case CMD_OBJ_LINK:
		return conf_link(d, cmd, err, errlen);
	case CMD_OBJ_TOU:
		return conf_tou(d, cmd, err, errlen);
	case CMD_OBJ_METRICS:
		return foud_metrics_reconf(d, &cmd->metrics, err, errlen);
	default:
		/* A port or fdb entry that is there already is unchanged. */
		ret = conf_exec(d, cmd, cmd->op, err, errlen);
		return ret == -EEXIST ? 0 : ret;
	}
}

/* Applies nw over old; every failure is logged, the first one is returned (FILE:LINE). */
static int conf_apply(struct foud *d, const char *path, const struct foud_conf *old,
		      const struct foud_conf *nw, char *err, size_t errlen)
{
	char why[256];
	int ret, first = 0;

	conf_remove(d, old, nw);
	for (size_t i = 0; i < nw->n; i++) {
		why[0] = '\0';
		ret = conf_one(d, &nw->v[i].cmd, why, sizeof(why));
		if (!ret)
			continue;
		foud_log(LOG_ERR, "%s:%u: %s", path, nw->v[i].line, why[0] ? why : strerror(-ret));
		if (!first) {
			first = ret;
			snprintf(err, errlen, "%s:%u: %s", path, nw->v[i].line,
				 why[0] ? why : strerror(-ret));
		}
	}
	return first;
}

/* ---- start, reload, readiness --------------------------------------------- */

void foud_conf_forget(struct foud *d)
{
	conf_free(d->conf);
	d->conf = NULL;
}

static int conf_load_apply(struct foud *d, char *err, size_t errlen)
{
	struct foud_conf *nw;
	int ret = conf_read(d->conf_path, &nw, err, errlen);

	if (ret)
		return ret;	/* nothing changed */
	ret = conf_apply(d, d->conf_path, d->conf, nw, err, errlen);
	conf_free(d->conf);
	d->conf = nw;
	return ret;
}

int foud_conf_start(struct foud *d, const char *path, bool apply, char *err, size_t errlen)
{
	d->conf_path = path;
	return apply ? conf_load_apply(d, err, errlen) : 0;
}

/* Tells a supervisor (systemd's Type=notify, $NOTIFY_SOCKET) that the configuration is applied. */
void foud_notify_ready(const struct foud *d, const char *note)
{
	const struct foud_tunnel *t;
	const struct foud_port *p;
	unsigned int ndev = d->tou ? 1 : 0, nport = 0;

	FOUD_DEV_FOREACH(t, d)
		ndev++;
	TAILQ_FOREACH(p, &d->ports, entry)
		nport++;
	sd_notifyf(0, "READY=1\nSTATUS=%u devices, %u ports%s%s\nMAINPID=%lu", ndev, nport,
		   note ? "; " : "", note ? note : "", (unsigned long)getpid());
}

static unsigned long long mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
}

int foud_reload(struct foud *d, char *err, size_t errlen)
{
	char note[320];
	int ret;

	if (!d->conf_path) {
		snprintf(err, errlen, "foud has no configuration file to reload");
		return -ENOENT;
	}
	/* systemd 253 and later want the time with RELOADING=1. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s", mono_usec(),
		   d->conf_path);
	ret = conf_load_apply(d, err, errlen);
	if (ret)
		foud_log(LOG_ERR, "reload: %s", err);
	else
		foud_log(LOG_NOTICE, "reloaded %s", d->conf_path);
	snprintf(note, sizeof(note), "reload failed: %s", err);
	foud_notify_ready(d, ret ? note : NULL);
	return ret;
}

static void reload_hup(struct foud *d)
{
	char err[512];

	foud_log(LOG_NOTICE, "SIGHUP: reloading %s", d->conf_path ? d->conf_path : "(none)");
	foud_reload(d, err, sizeof(err));
}

static int exec_reload(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	(void)cmd;
	return foud_reload(d, err, errlen);
}

/* Flush forgets what the file declared too: a reload after it adds it all again. */
static int exec_flush(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	(void)cmd;
	(void)err;
	(void)errlen;
	foud_flush(d);
	foud_conf_forget(d);
	return 0;
}

void foud_reload_register(struct foud *d)
{
	foud_exec_register(CMD_OBJ_RELOAD, CMD_OP_RUN, exec_reload);
	foud_exec_register(CMD_OBJ_FLUSH, CMD_OP_RUN, exec_flush);
	d->on_hup = reload_hup;
}
