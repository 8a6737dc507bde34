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

/* Filled at build time, but for the entries registered at start (foud_exec_register). */
static struct exec_op exec_table[CMD_OBJ__MAX][CMD_OP__MAX] = {
	[CMD_OBJ_FOU] = {
		[CMD_OP_ADD] = { .act = fou_add },
		[CMD_OP_DEL] = { .act = fou_del },
		[CMD_OP_SHOW] = { .show_all = foud_show_ports },
	},
	[CMD_OBJ_LINK] = {
		[CMD_OP_ADD] = { .act = link_add },
		[CMD_OP_DEL] = { .act = link_del },
		[CMD_OP_SHOW] = { .show = link_show },
		[CMD_OP_REKEY] = { .act = link_rekey },
		[CMD_OP_SET] = { .act = foud_link_set },
	},
	[CMD_OBJ_FDB] = {
		[CMD_OP_ADD] = { .act = foud_fdb_exec },
		[CMD_OP_APPEND] = { .act = foud_fdb_exec },
		[CMD_OP_DEL] = { .act = foud_fdb_exec },
		[CMD_OP_SHOW] = { .show = foud_fdb_show },
	},
	[CMD_OBJ_TOU] = {
		[CMD_OP_ADD] = { .act = tou_add },
		[CMD_OP_DEL] = { .act = tou_del },
		[CMD_OP_SHOW] = { .show_all = foud_tou_show },
	},
	[CMD_OBJ_FLEET] = {
		[CMD_OP_ETCD] = { .act = foud_fleet_exec },
		[CMD_OP_NODE] = { .act = foud_fleet_exec },
		[CMD_OP_DEL] = { .act = foud_fleet_exec },	/* reload: a line the file no longer has */
		[CMD_OP_SHOW] = { .show_all = foud_fleet_show },
	},
	[CMD_OBJ_METRICS] = {
		[CMD_OP_LISTEN] = { .act = metrics_listen },
		[CMD_OP_DEL] = { .act = metrics_del },
	},
	[CMD_OBJ_CAPTURE] = { [CMD_OP_RUN] = { .act = capture } },
	[CMD_OBJ_SAVE] = { [CMD_OP_RUN] = { .write = foud_save } },
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
