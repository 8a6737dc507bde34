/* SPDX-License-Identifier: MIT */
#ifndef CMD_TWIN_H
#define CMD_TWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd.h"

/*
 * Twin IP tunnels (cmd_twin.c): whether Linux would take a and b for one
 * tunnel and refuse the second `ip link add` with EEXIST. Only the IP
 * tunnel kinds (ipip, sit, gre, ip6tnl, ip6gre, gretap) with a remote.
 */
bool cmd_link_twin(const struct cmd_link_cfg *a, const struct cmd_link_cfg *b);
/* Whether cmd_link_twin() can hold for cfg at all. */
bool cmd_link_twinnable(const struct cmd_link_cfg *cfg);
/* What makes two of cfg's kind twins, for a message: "type, local and remote", ... */
const char *cmd_link_twin_what(const struct cmd_link_cfg *cfg);
/* Equal for twins (cmd_link_twinnable ones), for a table of them. */
uint32_t cmd_link_twin_hash(const struct cmd_link_cfg *cfg);

#endif /* CMD_TWIN_H */
