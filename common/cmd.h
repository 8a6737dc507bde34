/* SPDX-License-Identifier: MIT */
/*
 * The command grammar shared by fouctl (which checks words before it
 * connects) and foud (which parses what arrives on the control socket and
 * what its -c file says). One parser, so both name the same wrong word.
 */
#ifndef FOUD_CMD_H
#define FOUD_CMD_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

enum foud_obj {
	FOUD_OBJ_FOU,
	FOUD_OBJ_LINK,
	FOUD_OBJ__MAX
};

enum foud_op {
	FOUD_OP_ADD,
	FOUD_OP_DEL,
	FOUD_OP_SHOW
};

/* `fou add port PORT { ipproto PROTO | gue } [ local ADDR ] [ peer ADDR peer_port PORT ] [ -6 ]` */
struct foud_port_cfg {
	uint16_t port;
	int family;			/* AF_INET, or AF_INET6 with -6 */
	enum fou_encap type;		/* FOU_ENCAP_FOU (ipproto) or FOU_ENCAP_GUE */
	uint8_t ipproto;		/* FOU only; 1..255 */
	struct fou_addr local;		/* family 0: any */
	struct fou_addr peer;		/* family 0: any */
	uint16_t peer_port;		/* given iff peer is */
};

/* `link add name NAME type KIND ...` */
struct foud_link_cfg {
	char name[IFNAMSIZ];
	struct fou_tnl tnl;
	uint32_t mtu;			/* 0: underlay MTU minus overhead */
};

struct foud_cmd {
	enum foud_obj obj;
	enum foud_op op;
	char name[IFNAMSIZ];		/* link del NAME, link show [NAME] ("" = all) */
	struct foud_port_cfg port;	/* fou add/del */
	struct foud_link_cfg link;	/* link add */
};

/*
 * Parses the words after the program name ("fou", "add", "port", "5555",
 * ...). On error, writes into err a one-line message that quotes the
 * offending word (or names the missing one) and returns -EINVAL.
 */
int foud_cmd_parse(int argc, char *const argv[], struct foud_cmd *cmd,
		   char *err, size_t errlen);

/*
 * Splits a config or batch line into words in place: blanks separate, '#'
 * starts a comment. A leading "fouctl" word is dropped. Returns the word
 * count, or -E2BIG if more than max.
 */
int foud_cmd_split(char *line, char *argv[], int max);

/* The usage text (the same as the SYNOPSIS of fouctl.8). */
extern const char foud_cmd_usage[];

#endif /* FOUD_CMD_H */
