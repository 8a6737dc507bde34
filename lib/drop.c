// SPDX-License-Identifier: MIT
/* Names of drop reasons, as counters and JSON show them. */
#include "fou/fou.h"

static const char *const drop_names[FOU_DROP__MAX] = {
	[FOU_OK]		= "ok",
	[FOU_DROP_TOO_SHORT]	= "too_short",
	[FOU_DROP_BAD_IP]	= "bad_ip",
	[FOU_DROP_BAD_CSUM]	= "bad_csum",
	[FOU_DROP_GUE_VERSION]	= "gue_version",
	[FOU_DROP_GUE_FLAGS]	= "gue_flags",
	[FOU_DROP_GUE_HLEN]	= "gue_hlen",
	[FOU_DROP_GUE_CONTROL]	= "gue_control",
	[FOU_DROP_GUE_PROTO]	= "gue_proto",
	[FOU_DROP_REMCSUM]	= "remcsum",
	[FOU_DROP_REMCSUM_NOCSUM] = "remcsum_nocsum",
	[FOU_DROP_GRE_VERSION]	= "gre_version",
	[FOU_DROP_GRE_FLAGS]	= "gre_flags",
	[FOU_DROP_GRE_CSUM]	= "gre_csum",
	[FOU_DROP_GRE_KEY]	= "gre_key",
	[FOU_DROP_GRE_SEQ]	= "gre_seq",
	[FOU_DROP_GRE_PROTO]	= "gre_proto",
	[FOU_DROP_UNKNOWN_PEER]	= "unknown_peer",
	[FOU_DROP_NO_TUNNEL]	= "no_tunnel",
	[FOU_DROP_INNER_PROTO]	= "inner_proto",
	[FOU_DROP_ECN]		= "ecn",
	[FOU_DROP_NESTED]	= "nested",
	[FOU_DROP_LOOP]		= "loop",
	[FOU_DROP_MTU]		= "mtu",
	[FOU_DROP_BAD_GSO]	= "bad_gso",
	[FOU_DROP_QUEUE_FULL]	= "queue_full",
	[FOU_DROP_TX_ERROR]	= "tx_error",
	[FOU_DROP_LINK_DOWN]	= "link_down",
	[FOU_DROP_VXLAN_FLAGS]	= "vxlan_flags",
	[FOU_DROP_GENEVE_VERSION] = "geneve_version",
	[FOU_DROP_GENEVE_PROTO]	= "geneve_proto",
	[FOU_DROP_GENEVE_OAM]	= "geneve_oam",
	[FOU_DROP_GENEVE_CRITICAL] = "geneve_critical",
	[FOU_DROP_STT_VERSION]	= "stt_version",
	[FOU_DROP_STT_TCP]	= "stt_tcp",
	[FOU_DROP_STT_REASM]	= "stt_reasm",
	[FOU_DROP_WRONG_VNI]	= "wrong_vni",
	[FOU_DROP_WRONG_VSID]	= "wrong_vsid",
	[FOU_DROP_BAD_SRC_MAC]	= "bad_src_mac",
	[FOU_DROP_FDB_FULL]	= "fdb_full",
	[FOU_DROP_FDB_STATIC]	= "fdb_static",
	[FOU_DROP_STT_FLAGS]	= "stt_flags",
	[FOU_DROP_TOU_PROTO]	= "tou_proto",
	[FOU_DROP_NO_ROUTE]	= "no_route",
	[FOU_DROP_TOU_REBIND]	= "tou_rebind",
	[FOU_DROP_AUTH]		= "auth",
	[FOU_DROP_REPLAY]	= "replay",
	[FOU_DROP_INNER_CSUM]	= "inner_csum",
	[FOU_DROP_TOU_SESSION]	= "tou_session",
	[FOU_DROP_DTLS]		= "dtls",
};

const char *fou_drop_name(int reason)
{
	/* Accept -FOU_DROP_* as well, since that is what functions return. */
	if (reason < 0)
		reason = -reason;
	if (reason >= FOU_DROP__MAX || !drop_names[reason])
		return "unknown";
	return drop_names[reason];
}
