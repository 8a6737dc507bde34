/* SPDX-License-Identifier: MIT */
/* A fleet node's published value (fleet_value.c): parsed and checked, no daemon needed. */
#ifndef FOUD_FLEET_VALUE_H
#define FOUD_FLEET_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

#define FLEET_DEVS		16	/* devices a node may publish */
#define FLEET_MACS		64	/* MACs per device */
#define FLEET_VALUE_MAX		65536	/* bytes: 16 devices of 64 MACs take under 24 000 */

/* What a node publishes for one device. */
struct fleet_dev {
	enum fk_l2_kind kind;		/* FK_L2_NONE: an L3 device (fleet prefix) */
	uint32_t vni;
	unsigned int nmacs;
	uint8_t mac[FLEET_MACS][6];
	/* An L3 device: its kind and encapsulation (ours must be the same) and prefix. */
	enum fou_kind tnl;
	enum fou_encap encap;
	uint16_t port;			/* encap-dport; 0 with encap none */
	struct fou_addr pfx;
	uint8_t plen;
};

struct fleet_value {
	struct fou_addr addr;
	struct fou_addr addr2;		/* "address2", of the other family; 0: none */
	unsigned int ndevs;
	struct fleet_dev dev[FLEET_DEVS];
};

/* The value of node name (len bytes, not NUL-terminated) into out; -EINVAL and why if malformed. */
int fleet_value_parse(const char *name, const char *val, size_t len, struct fleet_value *out,
		      char *why, size_t n);
void fleet_mac_str(const uint8_t *m, char s[18]);
/* The node's address of family, or NULL. */
const struct fou_addr *fleet_value_addr(const struct fleet_value *v, int family);
/* An encapsulation's word (none, fou, gue) and back (-EINVAL). */
const char *fleet_encap_name(enum fou_encap e);
int fleet_encap_lookup(const char *s);

#endif /* FOUD_FLEET_VALUE_H */
