/* SPDX-License-Identifier: MIT */
/*
 * etcd's v3 JSON gateway over libcurl's multi interface, driven by foud's
 * event loop (etcd.c): requests never block the loop.
 */
#ifndef FOUD_ETCD_H
#define FOUD_ETCD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"

struct foud;
struct foud_etcd;
struct foud_etcd_req;

/*
 * A streamed reply's messages, one JSON object each (a watch's, a
 * keepalive's); false stops the stream (its done then reports -ECANCELED).
 */
typedef bool (*foud_etcd_msg_fn)(void *arg, json_t *msg);
/*
 * The end of a request: 0 and, for a unary call, its reply; or -errno and
 * why (unreachable, HTTP status, etcd's message). Called once, outside
 * libcurl's callbacks: it may start or cancel requests.
 */
typedef void (*foud_etcd_done_fn)(void *arg, int err, json_t *reply, const char *why);

struct foud_etcd *foud_etcd_new(struct foud *d, const struct cmd_fleet_cfg *cfg);
void foud_etcd_free(struct foud_etcd *e);
/*
 * POSTs body (a reference is taken) to the endpoint in use + path; msg NULL:
 * a unary call. Returns the request, or NULL when it could not start (done
 * is not called then).
 */
struct foud_etcd_req *foud_etcd_call(struct foud_etcd *e, const char *path, json_t *body,
				     foud_etcd_msg_fn msg, foud_etcd_done_fn done, void *arg);
/* Ends a request without calling its done. */
void foud_etcd_cancel(struct foud_etcd *e, struct foud_etcd_req *r);
/* The token of etcd's authentication, sent with every request from now on; 0 or -EINVAL. */
int foud_etcd_token(struct foud_etcd *e, const char *token);
/* The endpoint in use; foud_etcd_next moves to the next one (after a failure). */
const char *foud_etcd_endpoint(const struct foud_etcd *e);
void foud_etcd_next(struct foud_etcd *e);

/* etcd's bytes fields: standard base64. NULL when out of memory or not base64. */
char *foud_etcd_b64(const char *s, size_t n);
char *foud_etcd_unb64(const char *s, size_t *n);
/* An int64 etcd sends as a string ("12"), or a number; false if neither. */
bool foud_etcd_int(const json_t *v, long long *out);

#endif /* FOUD_ETCD_H */
