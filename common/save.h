/* SPDX-License-Identifier: MIT */
/*
 * The running configuration back in the file grammar (fouctl save), and
 * `link set`'s words merged into a link's configuration. Each printer
 * writes one command line, ending in '\n', that the grammar parses back
 * into the same struct (tests/unit/test_save.c).
 */
#ifndef CMD_SAVE_H
#define CMD_SAVE_H

#include <stddef.h>

#include "cmd.h"

#define CMD_SAVE_LINE	1024	/* enough for the longest link (252 bytes of geneve_opts) */

/* The length written, or -ENOSPC when buf is too small. */
int cmd_save_port(const struct cmd_port_cfg *c, char *buf, size_t len);
int cmd_save_link(const struct cmd_link_cfg *c, char *buf, size_t len);
int cmd_save_fdb(const struct cmd_fdb_cfg *c, char *buf, size_t len);
int cmd_save_tou(const struct cmd_tou_cfg *c, char *buf, size_t len);
/* `fleet etcd ...` (op CMD_OP_ETCD) or `fleet node ...` (CMD_OP_NODE); cmd_fleet.c. */
int cmd_save_fleet(const struct cmd_fleet_cfg *c, enum cmd_op op, char *buf, size_t len);

/*
 * `link set NAME WORDS`: old's words, those on the same setting as one of
 * WORDS replaced by them, parsed as `link add` into *out. Errors (a word the
 * kind has not, name or type) name the word; -EINVAL.
 */
int cmd_link_merge(const struct cmd_link_cfg *old, int argc, char *const argv[],
			struct cmd_link_cfg *out, char *err, size_t errlen);

#endif /* CMD_SAVE_H */
