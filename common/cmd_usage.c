// SPDX-License-Identifier: MIT
/*
 * The usage text (fouctl -h, `OBJECT help`: cmd.c's help_object picks its
 * lines). The L2 kinds' lines are their rows' in kinds.def, so a kind's
 * words are described next to the rest of it.
 */
#include "cmd_int.h"

const char cmd_usage[] =
"fouctl [ OPTIONS ] OBJECT { COMMAND | help } [ ARGS ]\n"
"fouctl [ -force ] -b[atch] FILE\n"
"OPTIONS := { -S SOCKET | -n[etns] NAME | -j[son] | -p[retty] | -s[tatistics]\n"
"        | -d[etails] | -br[ief] | -o[neline] | -V[ersion] | -h[elp] }\n"
"OBJECT := { link | fou | fdb | tou | monitor | reload | save | flush }\n"
"\n"
"fouctl fou add port PORT { ipproto PROTO | gue } [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou del port PORT [ ipproto PROTO | gue ] [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou show\n"
"\n"
"fouctl link add name NAME type { ipip | sit | gre | ip6tnl | ip6gre | gretap }\n"
"        remote ADDR local ADDR [ { ttl | hoplimit } { N | inherit } ]\n"
"        [ tos { T | inherit } ] [ key K | ikey K | okey K ]\n"
"        [ csum | icsum | ocsum ] [ seq | iseq | oseq ] [ mtu N ]\n"
"        [ pmtudisc | nopmtudisc ] [ noencap | encap { fou | gue | none } ]\n"
"        [ encap-sport { auto | PORT } ] [ encap-dport PORT ]\n"
"        [ encap-csum | noencap-csum ] [ encap-udp6-csum | noencap-udp6-csum ]\n"
"        [ encap-remcsum | noencap-remcsum ]\n"
"        [ encap-key FILE [ encap-key-next FILE ] ]\n"
"        [ datapath { auto | bpf | userspace } ]\n"
"        gretap also: [ learning | nolearning ] [ ageing SECONDS ] [ maxaddress N ]\n"
"        [ dev IF ] (with a multicast remote) [ fleet ] (instead of remote)\n"
/* The L2 kinds' lines, from their rows: the UDP overlays first. */
#define FK_UDP(ID, n, idw, port, fl, syn, codec, usage) usage
#include "kinds.def"
#define FK_L2(ID, n, k, idw, port, fl, dv, syn, usage) usage
#include "kinds.def"
"fouctl link del [ dev | name ] NAME\n"
"fouctl link rekey [ dev | name ] NAME\n"
"fouctl link show [ [ dev ] NAME ]\n"
"fouctl link { set | change } [ dev ] NAME WORDS...\n"
"\n"
"fouctl fdb { add | append } LLADDR dev NAME dst ADDR\n"
"fouctl fdb del LLADDR dev NAME [ dst ADDR ]\n"
"fouctl fdb show [ dev NAME ]\n"
"\n"
"fouctl tou add peer ADDR [ port PORT ] [ local ADDR ] [ key FILE [ key-next FILE ] ]\n"
"fouctl tou del peer ADDR\n"
"fouctl tou show\n"
"\n"
"fouctl fleet etcd ENDPOINT[,ENDPOINT...] [ prefix PATH ] [ ttl SECONDS ]\n"
"        [ cacert FILE ] [ cert FILE key FILE ] [ user NAME password-file FILE ]\n"
"fouctl fleet node NAME address ADDR\n"
"fouctl fleet show\n"
"fouctl monitor [ all | link | fdb | tou ]\n"
"\n"
"fouctl reload\n"
"fouctl save\n"
"fouctl flush\n"
"\n"
"fouctl metrics listen { ADDR:PORT | [ADDR6]:PORT | unix:PATH }\n"
"\n"
"fouctl capture DEV [ inner | outer ] [ -c COUNT ] [ -w FILE | - ]\n";
