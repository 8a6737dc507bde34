/* SPDX-License-Identifier: MIT */
/*
 * The command dispatcher: one parsed command (from the control socket,
 * ctl.c, or a line of the configuration file, reload.c) to the module that
 * does it. The commands of the file's own layer (reload, flush) are
 * registered by it at start (foud_reload_register), not named here, so
 * that this file sits below both of its callers.
 */
#include <errno.h>
#include <stdio.h>

#include "capture.h"
#include "foud.h"
#include "metrics.h"

static int exec_fou_add(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_port_add(d, &cmd->port, err, errlen);
}

static int exec_fou_del(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_port_del(d, &cmd->port, err, errlen);
}

static int exec_fou_show(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	struct foud_pr p;

	(void)cmd;
	(void)err;
	(void)errlen;
	foud_pr_init(&p, out, flags);
	foud_show_ports(d, &p);
	return 0;
}

static int exec_link_add(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_dev_add(d, &cmd->link, err, errlen);
}

static int exec_link_del(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_dev_del(d, cmd->name, err, errlen);
}

static int exec_link_rekey(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			   struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_gue_auth_rekey(d, cmd->name, err, errlen);
}

static int exec_link_show(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			  struct foud_out *out, char *err, size_t errlen)
{
	struct foud_pr p;

	foud_pr_init(&p, out, flags);
	return foud_show_links(d, cmd->name, &p, err, errlen);
}

static int exec_fdb(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
		    struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_fdb_exec(d, cmd, err, errlen);
}

static int exec_fdb_show(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	struct foud_pr p;

	foud_pr_init(&p, out, flags);
	return foud_fdb_show(d, cmd, &p, err, errlen);
}

static int exec_tou_add(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tou_add(d, &cmd->tou, err, errlen);
}

static int exec_tou_del(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tou_del(d, &cmd->tou, err, errlen);
}

static int exec_tou_show(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	struct foud_pr p;

	(void)cmd;
	(void)err;
	(void)errlen;
	foud_pr_init(&p, out, flags);
	foud_tou_show(d, &p);
	return 0;
}

static int exec_fleet(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
		      struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_fleet_exec(d, cmd, err, errlen);
}

static int exec_fleet_show(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			   struct foud_out *out, char *err, size_t errlen)
{
	struct foud_pr p;

	(void)cmd;
	(void)err;
	(void)errlen;
	foud_pr_init(&p, out, flags);
	foud_fleet_show(d, &p);
	return 0;
}

static int exec_metrics_listen(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			       struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_metrics_listen(d, &cmd->metrics, err, errlen);
}

/* Internal only (reload: the file's metrics line is gone); the grammar has no metrics del. */
static int exec_metrics_del(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			    struct foud_out *out, char *err, size_t errlen)
{
	(void)cmd;
	(void)flags;
	(void)out;
	(void)err;
	(void)errlen;
	foud_metrics_stop(d);
	return 0;
}

static int exec_capture(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_cap_start(d, cmd->name, &cmd->capture, err, errlen);
}

/* Filled at build time, but for the entries registered at start (foud_exec_register). */
static foud_exec_fn exec_table[CMD_OBJ__MAX][CMD_OP__MAX] = {
	[CMD_OBJ_FOU] = {
		[CMD_OP_ADD] = exec_fou_add,
		[CMD_OP_DEL] = exec_fou_del,
		[CMD_OP_SHOW] = exec_fou_show,
	},
	[CMD_OBJ_LINK] = {
		[CMD_OP_ADD] = exec_link_add,
		[CMD_OP_DEL] = exec_link_del,
		[CMD_OP_SHOW] = exec_link_show,
		[CMD_OP_REKEY] = exec_link_rekey,
		[CMD_OP_SET] = foud_exec_link_set,
	},
	[CMD_OBJ_FDB] = {
		[CMD_OP_ADD] = exec_fdb,
		[CMD_OP_APPEND] = exec_fdb,
		[CMD_OP_DEL] = exec_fdb,
		[CMD_OP_SHOW] = exec_fdb_show,
	},
	[CMD_OBJ_TOU] = {
		[CMD_OP_ADD] = exec_tou_add,
		[CMD_OP_DEL] = exec_tou_del,
		[CMD_OP_SHOW] = exec_tou_show,
	},
	[CMD_OBJ_FLEET] = {
		[CMD_OP_ETCD] = exec_fleet,
		[CMD_OP_NODE] = exec_fleet,
		[CMD_OP_DEL] = exec_fleet,	/* reload: a line the file no longer has */
		[CMD_OP_SHOW] = exec_fleet_show,
	},
	[CMD_OBJ_METRICS] = {
		[CMD_OP_LISTEN] = exec_metrics_listen,
		[CMD_OP_DEL] = exec_metrics_del,
	},
	[CMD_OBJ_CAPTURE] = {
		[CMD_OP_RUN] = exec_capture,
	},
	[CMD_OBJ_SAVE] = { [CMD_OP_RUN] = foud_exec_save },
};

int foud_exec(struct foud *d, const struct cmd_req *cmd, uint32_t flags,
	      struct foud_out *out, char *err, size_t errlen)
{
	foud_exec_fn fn = NULL;

	if ((unsigned int)cmd->obj < CMD_OBJ__MAX && (unsigned int)cmd->op < CMD_OP__MAX)
		fn = exec_table[cmd->obj][cmd->op];
	if (!fn) {
		snprintf(err, errlen, "command not supported");
		return -EOPNOTSUPP;
	}
	return fn(d, cmd, flags, out, err, errlen);
}

void foud_exec_register(enum cmd_obj obj, enum cmd_op op, foud_exec_fn fn)
{
	if ((unsigned int)obj < CMD_OBJ__MAX && (unsigned int)op < CMD_OP__MAX)
		exec_table[obj][op] = fn;
}
