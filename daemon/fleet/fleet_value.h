/* SPDX-License-Identifier: MIT */
/* A fleet node's published value (fleet_value.c): parsed and checked, no daemon needed. */
#ifndef FOUD_FLEET_VALUE_H
#define FOUD_FLEET_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

#define FLEET_DEVS		8	/* devices a node may publish */
#define FLEET_MACS		64	/* MACs per device */
#define FLEET_VALUE_MAX		65536	/* bytes: 8 devices of 64 MACs take under 12 000 */

/* What a node publishes for one device. */
struct fleet_dev {
	enum fk_l2_kind kind;
	uint32_t vni;
	unsigned int nmacs;
	uint8_t mac[FLEET_MACS][6];
};

struct fleet_value {
	struct fou_addr addr;
	unsigned int ndevs;
	struct fleet_dev dev[FLEET_DEVS];
};

/* The value of node name (len bytes, not NUL-terminated) into out; -EINVAL and why if malformed. */
int fleet_value_parse(const char *name, const char *val, size_t len, struct fleet_value *out,
		      char *why, size_t n);
void fleet_mac_str(const uint8_t *m, char s[18]);

#endif /* FOUD_FLEET_VALUE_H */
