/* SPDX-License-Identifier: MIT */
/*
 * fouctl import: a systemd-networkd .netdev file as one fouctl command.
 * Pure (streams in, text out), so the unit tests can run it; the command
 * is checked with cmd_parse(), the one parser of the fouctl grammar.
 */
#ifndef CMD_NETDEV_H
#define CMD_NETDEV_H

#include <stdbool.h>
#include <stdio.h>

#define NETDEV_CMD_MAX	512

struct netdev_file {
	const char *path;		/* as messages name it */
	unsigned long line;		/* of Kind=, for what foud says about the file */
	bool fou_port;			/* Kind=fou: applied before the tunnels */
	char cmd[NETDEV_CMD_MAX];	/* the fouctl words, "" when refused */
};

/*
 * Reads one .netdev from f. Unknown sections and keys, and keys foud does
 * not use, are reported on err ("PATH:LINE: ...") and skipped. Returns 0
 * with the command in nf->cmd, or -EINVAL when the file is refused (a kind
 * foud does not do, an invalid value, a missing key; said on err).
 */
int netdev_read(FILE *f, const char *path, struct netdev_file *nf, FILE *err);

#endif /* CMD_NETDEV_H */
