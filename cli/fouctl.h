/* SPDX-License-Identifier: MIT */
/* What fouctl's files share: the options, and the -br and -o output filters. */
#ifndef FOUCTL_H
#define FOUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct opts {
	const char *sock;	/* -S or $FOUD_SOCKET; NULL: the abstract socket, then the path */
	const char *batch;
	const char *netns;	/* -n: /run/netns/NAME */
	uint32_t flags;		/* FOUD_CTL_F_* sent to foud */
	bool brief;		/* -br: link show as one line per device */
	bool oneline;		/* -o: each record on one line */
	bool force;		/* -force: a batch goes on past a failed line */
};

/*
 * Reads the options as ip(8) does (each may be abbreviated as far as it stays
 * the first match in ip's order; "--x" is "-x"). Returns -1 to go on with the
 * words at argv[*ind], or the exit status (after -V or -h, or an error).
 */
int fouctl_opts(int argc, char *argv[], struct opts *o, int *ind);

/* -n NAME: into the network namespace /run/netns/NAME, as ip -n; 0 or 1 (said why). */
int fouctl_netns(const char *name);

/* -o: copies text to f, each newline that starts an indented line made "\". */
struct oneline {
	bool nl;		/* a newline held back until the next character */
};
void fouctl_oneline_put(struct oneline *ol, FILE *f, const char *p, size_t n);
void fouctl_oneline_end(struct oneline *ol, FILE *f);

/* -br: prints foud's `-j -d link show` reply (json, n bytes) one device a line; 0 or -EBADMSG. */
int fouctl_brief_links(const char *json, size_t n, FILE *f);

#endif /* FOUCTL_H */
