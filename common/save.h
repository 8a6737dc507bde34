/* SPDX-License-Identifier: MIT */
/*
 * The running configuration back in the file grammar (fouctl save), and
 * `link set`'s words merged into a link's configuration. Each printer
 * writes one command line, ending in '\n', that the grammar parses back
 * into the same struct (tests/unit/test_save.c).
 */
#ifndef FOUD_SAVE_H
#define FOUD_SAVE_H

#include <stddef.h>

#include "cmd.h"

#define FOUD_SAVE_LINE	1024	/* enough for the longest link (252 bytes of geneve_opts) */

/* The length written, or -ENOSPC when buf is too small. */
int foud_save_port(const struct foud_port_cfg *c, char *buf, size_t len);
int foud_save_link(const struct foud_link_cfg *c, char *buf, size_t len);
int foud_save_fdb(const struct foud_fdb_cfg *c, char *buf, size_t len);
int foud_save_tou(const struct foud_tou_cfg *c, char *buf, size_t len);
/* `fleet etcd ...` (op FOUD_OP_ETCD) or `fleet node ...` (FOUD_OP_NODE); cmd_fleet.c. */
int foud_save_fleet(const struct foud_fleet_cfg *c, enum foud_op op, char *buf, size_t len);

/*
 * `link set NAME WORDS`: old's words, those on the same setting as one of
 * WORDS replaced by them, parsed as `link add` into *out. Errors (a word the
 * kind has not, name or type) name the word; -EINVAL.
 */
int foud_cmd_link_merge(const struct foud_link_cfg *old, int argc, char *const argv[],
			struct foud_link_cfg *out, char *err, size_t errlen);

#endif /* FOUD_SAVE_H */
