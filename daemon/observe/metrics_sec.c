/* SPDX-License-Identifier: MIT */
/*
 * Metrics of the secured transports: DTLS handshakes and state per TOU
 * peer, and a keyed tunnel's or TOU peer's auth drops by the key id they
 * claimed (its keys' ids, or "unknown": bounded, whatever a sender puts in
 * the field).
 * Replay drops are foud_device_drops_total{reason="replay"}.
 */
#include <stdio.h>
#include <string.h>

#include "foud.h"
#include "metrics.h"

static const char *const dtls_states[] = {
	"idle", "handshaking", "established", "rekeying", "failed",
};

static void peer_label(const struct foud_tou_peer *p, char *buf, size_t len)
{
	char a[64];

	fou_addr_str(&p->cfg.peer, a, sizeof(a));
	foud_metrics_esc(a, buf, len);
}

static void dtls_handshakes(struct foud *d, struct foud_out *o)
{
	const struct foud_tou_peer *p;
	uint64_t ok, failed;
	char l[130];

	foud_metrics_head(o, "foud_tou_peer_dtls_handshakes_total", "counter",
			  "DTLS handshakes with the TOU peer, by result (ok or failed).");
	TAILQ_FOREACH(p, &d->tou->peers, entry) {
		if (!foud_tou_dtls_counts(p, &ok, &failed))
			continue;
		peer_label(p, l, sizeof(l));
		foud_out_printf(o, "foud_tou_peer_dtls_handshakes_total{peer=\"%s\",result=\"ok\"} "
				"%llu\n", l, (unsigned long long)ok);
		foud_out_printf(o, "foud_tou_peer_dtls_handshakes_total{peer=\"%s\","
				"result=\"failed\"} %llu\n", l, (unsigned long long)failed);
	}
}

/* A state set: 1 for the peer's state, 0 for the others. */
static void dtls_state(struct foud *d, struct foud_out *o)
{
	const struct foud_tou_peer *p;
	const char *now;
	uint64_t ok, failed;
	char l[130];
	size_t i;

	foud_metrics_head(o, "foud_tou_peer_dtls_state", "gauge",
			  "1 for the TOU peer's DTLS state (as tou show says it), 0 for the others.");
	TAILQ_FOREACH(p, &d->tou->peers, entry) {
		now = foud_tou_dtls_counts(p, &ok, &failed);
		if (!now)
			continue;
		peer_label(p, l, sizeof(l));
		for (i = 0; i < sizeof(dtls_states) / sizeof(dtls_states[0]); i++)
			foud_out_printf(o, "foud_tou_peer_dtls_state{peer=\"%s\",state=\"%s\"} %d\n",
					l, dtls_states[i], !strcmp(now, dtls_states[i]));
	}
}

static void auth_drops(struct foud *d, struct foud_out *o)
{
	const struct foud_gue_auth_drops *dr;
	const struct foud_tunnel *t;
	char n[2 * IFNAMSIZ + 1];
	unsigned int i;

	foud_metrics_head(o, "foud_device_auth_drops_total", "counter",
			  "GUE datagrams refused as auth, by the key id they claimed.");
	TAILQ_FOREACH(t, &d->tunnels, entry) {
		dr = foud_gue_auth_drops(t);
		if (!dr)
			continue;
		foud_metrics_esc(t->name, n, sizeof(n));
		for (i = 0; i < dr->n; i++)
			foud_out_printf(o, "foud_device_auth_drops_total{device=\"%s\",key_id=\"%08x\"} "
					"%llu\n", n, dr->id[i], (unsigned long long)dr->count[i]);
		foud_out_printf(o, "foud_device_auth_drops_total{device=\"%s\",key_id=\"unknown\"} "
				"%llu\n", n, (unsigned long long)dr->unknown);
	}
}

/* The same for keyed TOU peers, by peer address. */
static void tou_auth_drops(struct foud *d, struct foud_out *o)
{
	const struct foud_gue_auth_drops *dr;
	const struct foud_tou_peer *p;
	unsigned int i;
	char l[130];

	foud_metrics_head(o, "foud_tou_peer_auth_drops_total", "counter",
			  "TOU datagrams from the peer refused as auth, by the key id they claimed.");
	TAILQ_FOREACH(p, &d->tou->peers, entry) {
		dr = foud_gue_auth_tou_drops(p);
		if (!dr)
			continue;
		peer_label(p, l, sizeof(l));
		for (i = 0; i < dr->n; i++)
			foud_out_printf(o, "foud_tou_peer_auth_drops_total{peer=\"%s\",key_id=\"%08x\"} "
					"%llu\n", l, dr->id[i], (unsigned long long)dr->count[i]);
		foud_out_printf(o, "foud_tou_peer_auth_drops_total{peer=\"%s\",key_id=\"unknown\"} "
				"%llu\n", l, (unsigned long long)dr->unknown);
	}
}

void foud_metrics_sec_write(struct foud *d, struct foud_out *o)
{
	if (d->tou) {
		dtls_handshakes(d, o);
		dtls_state(d, o);
		tou_auth_drops(d, o);
	}
	auth_drops(d, o);
}
