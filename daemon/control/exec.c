/* SPDX-License-Identifier: MIT */
/*
 * The command dispatcher: one parsed command (from the control socket,
 * ctl.c, or a line of the configuration file, reload.c) to the module that
 * does it. The commands of the file's own layer (reload, flush) are
 * registered by it at start (foud_reload_register), not named here, so
 * that this file sits below both of its callers.
 *
 * A command acts (no output), shows (through print.c, text or JSON as the
 * request's flags say) or writes its output itself (save).
 */
#include <errno.h>
#include <stdio.h>

#include "capture.h"
#include "foud.h"
#include "metrics.h"

typedef int (*exec_show_fn)(struct foud *d, const struct cmd_req *cmd, struct foud_pr *p,
			    char *err, size_t errlen);

struct exec_op {
	foud_exec_act act;
	exec_show_fn show;
	void (*show_all)(struct foud *d, struct foud_pr *p);	/* every object of its kind */
	void (*write)(struct foud *d, struct foud_out *out);
};

/*
 * The grammar's request to each handler's own argument: one template, so an
 * adapter is a line. ACT(name, fn, arg) defines name(d, cmd, err, errlen)
 * returning fn(d, arg, err, errlen).
 */
#define ACT(name, fn, arg)                                                              \
	static int name(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen) \
	{                                                                               \
		return fn(d, arg, err, errlen);                                         \
	}

ACT(fou_add, foud_port_add, &cmd->port)
ACT(fou_del, foud_port_del, &cmd->port)
ACT(link_add, foud_dev_add, &cmd->link)
ACT(link_del, foud_dev_del, cmd->name)
ACT(link_rekey, foud_gue_auth_rekey, cmd->name)
ACT(tou_add, foud_tou_add, &cmd->tou)
ACT(tou_del, foud_tou_del, &cmd->tou)
ACT(metrics_listen, foud_metrics_listen, &cmd->metrics)

/* Internal only (reload: the file's metrics line is gone); the grammar has no metrics del. */
static int metrics_del(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	(void)cmd;
	(void)err;
	(void)errlen;
	foud_metrics_stop(d);
	return 0;
}

static int capture(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	return foud_cap_start(d, cmd->name, &cmd->capture, err, errlen);
}

static int link_show(struct foud *d, const struct cmd_req *cmd, struct foud_pr *p, char *err,
		     size_t errlen)
{
	return foud_show_links(d, cmd->name, p, err, errlen);
}

/*
 * An object's commands, one cell each: ACTS(op, fn) acts, SHOWS(op, fn) shows
 * one object or all (SHOWS_ALL), WRITES writes its own output.
 */
#define ACTS(op, fn)		[CMD_OP_##op] = { .act = fn }
#define SHOWS(fn)		[CMD_OP_SHOW] = { .show = fn }
#define SHOWS_ALL(fn)		[CMD_OP_SHOW] = { .show_all = fn }
#define WRITES(op, fn)		[CMD_OP_##op] = { .write = fn }

/* Filled at build time, but for the entries registered at start (foud_exec_register). */
static struct exec_op exec_table[CMD_OBJ__MAX][CMD_OP__MAX] = {
	[CMD_OBJ_FOU] = { ACTS(ADD, fou_add), ACTS(DEL, fou_del), SHOWS_ALL(foud_show_ports) },
	[CMD_OBJ_LINK] = { ACTS(ADD, link_add), ACTS(DEL, link_del), SHOWS(link_show),
			   ACTS(REKEY, link_rekey), ACTS(SET, foud_link_set) },
	[CMD_OBJ_FDB] = { ACTS(ADD, foud_fdb_exec), ACTS(APPEND, foud_fdb_exec),
			  ACTS(DEL, foud_fdb_exec), SHOWS(foud_fdb_show) },
	[CMD_OBJ_TOU] = { ACTS(ADD, tou_add), ACTS(DEL, tou_del), SHOWS_ALL(foud_tou_show) },
	/* DEL: reload, a line the file no longer has */
	[CMD_OBJ_FLEET] = { ACTS(ETCD, foud_fleet_exec), ACTS(NODE, foud_fleet_exec),
			    ACTS(DEL, foud_fleet_exec), SHOWS_ALL(foud_fleet_show) },
	[CMD_OBJ_METRICS] = { ACTS(LISTEN, metrics_listen), ACTS(DEL, metrics_del) },
	[CMD_OBJ_CAPTURE] = { ACTS(RUN, capture) },
	[CMD_OBJ_SAVE] = { WRITES(RUN, foud_save) },
};

int foud_exec(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
	      struct foud_out *out, char *err, size_t errlen)
{
	const struct exec_op *op = NULL;
	struct foud_pr p;

	if ((unsigned int)cmd->obj < CMD_OBJ__MAX && (unsigned int)cmd->op < CMD_OP__MAX)
		op = &exec_table[cmd->obj][cmd->op];
	if (op && op->act)
		return op->act(d, cmd, err, errlen);
	if (op && (op->show || op->show_all)) {
		foud_pr_init(&p, out, flags);
		if (op->show)
			return op->show(d, cmd, &p, err, errlen);
		op->show_all(d, &p);
		return 0;
	}
	if (op && op->write) {
		op->write(d, out);
		return 0;
	}
	snprintf(err, errlen, "command not supported");
	return -EOPNOTSUPP;
}

void foud_exec_register(enum cmd_obj obj, enum cmd_op op, foud_exec_act fn)
{
	if ((unsigned int)obj < CMD_OBJ__MAX && (unsigned int)op < CMD_OP__MAX)
		exec_table[obj][op] = (struct exec_op){ .act = fn };
}
