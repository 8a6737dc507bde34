/* SPDX-License-Identifier: MIT */
/* Prometheus metrics: the HTTP server (metrics.c) and the text it serves (metrics_text.c). */
#ifndef FOUD_METRICS_H
#define FOUD_METRICS_H

#include "foud.h"

/* Serves /metrics on c's address (again the same: nothing); 0 or -errno with err set. */
int foud_metrics_listen(struct foud *d, const struct cmd_metrics_cfg *c, char *err,
			size_t errlen);
void foud_metrics_fini(struct foud *d);
/*
 * The configuration file's `metrics listen` at start and on reload: serves
 * c's address, moving from another one the file gave before; the address of
 * foud --metrics stays (an error if c differs). Stop: the line is gone.
 */
int foud_metrics_reconf(struct foud *d, const struct cmd_metrics_cfg *c, char *err,
			size_t errlen);
void foud_metrics_stop(struct foud *d);
/* fouctl save: the `metrics listen` line, unless foud --metrics gave the address. */
void foud_metrics_save(const struct foud *d, struct foud_out *out);
/* foud --metrics: the server the file does not own. */
int foud_metrics_pin(struct foud *d, const struct cmd_metrics_cfg *c, char *err, size_t errlen);
/* The text exposition format (version 0.0.4) of every counter foud has, into o. */
void foud_metrics_write(struct foud *d, struct foud_out *o);

/* Label value escaping and a family's HELP and TYPE lines (metrics_text.c). */
const char *foud_metrics_esc(const char *s, char *buf, size_t n);
void foud_metrics_head(struct foud_out *o, const char *name, const char *type,
		       const char *help);
/* DTLS of TOU peers and auth drops by key id of keyed tunnels (metrics_sec.c). */
void foud_metrics_sec_write(struct foud *d, struct foud_out *o);

#endif /* FOUD_METRICS_H */
