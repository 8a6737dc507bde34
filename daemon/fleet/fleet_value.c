/* SPDX-License-Identifier: MIT */
/*
 * What a fleet's node publishes, checked whole: a JSON object with its
 * name (its key's), a unicast address, and at most FLEET_DEVS devices of
 * an L2 kind, a VNI and at most FLEET_MACS unicast MACs. Nothing here
 * trusts the value: every member's type, range and count is checked.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fleet_value.h"
#include "fou/pfx.h"

void fleet_mac_str(const uint8_t *m, char s[18])
{
	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
			 &b[5], &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* Multicast and zero are not a host's: they would steal the flood list. */
	return (mac[0] & 1) || !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) ? -EINVAL : 0;
}

/* A node's underlay address: unicast, not the wildcard. */
static int parse_addr(const char *s, struct fou_addr *a)
{
	static const uint8_t zero[16];
	size_t n;

	if (!s || fou_addr_parse(s, a))
		return -EINVAL;
	n = a->family == AF_INET ? 4 : 16;
	if (!memcmp(a->a, zero, n))
		return -EINVAL;
	return a->family == AF_INET ? (a->a[0] >= 224 ? -EINVAL : 0) : (a->a[0] == 0xff ? -EINVAL : 0);
}

/* "address2": absent, or a unicast address of the other family than "address". */
static int parse_addr2(json_t *j, struct fleet_value *v)
{
	if (!j)
		return 0;
	if (parse_addr(json_string_value(j), &v->addr2) || v->addr2.family == v->addr.family)
		return -EINVAL;
	return 0;
}

const struct fou_addr *fleet_value_addr(const struct fleet_value *v, int family)
{
	if (v->addr.family == family)
		return &v->addr;
	return v->addr2.family == family ? &v->addr2 : NULL;
}

static const char *const encap_names[] = {
	[FOU_ENCAP_NONE] = "none", [FOU_ENCAP_FOU] = "fou", [FOU_ENCAP_GUE] = "gue",
};

const char *fleet_encap_name(enum fou_encap e)
{
	return (unsigned int)e < sizeof(encap_names) / sizeof(encap_names[0]) &&
	       encap_names[e] ? encap_names[e] : "?";
}

int fleet_encap_lookup(const char *s)
{
	for (unsigned int i = 0; i < sizeof(encap_names) / sizeof(encap_names[0]); i++)
		if (s && encap_names[i] && !strcmp(s, encap_names[i]))
			return (int)i;
	return -EINVAL;
}

/*
 * An L3 device: {"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.1.0/24"};
 * the prefix of what the kind carries, the port given with an encapsulation.
 */
static int parse_l3_dev(json_t *j, const struct fk_kind *k, struct fleet_dev *v, char *why,
			size_t n)
{
	json_t *port = json_object_get(j, "port");
	int e = fleet_encap_lookup(json_string_value(json_object_get(j, "encap")));
	int inner;

	v->kind = FK_L2_NONE;
	v->tnl = k->tnl;
	if (fou_pfx_parse(json_string_value(json_object_get(j, "prefix")), &v->pfx, &v->plen)) {
		snprintf(why, n, "a %s device without a prefix ADDR/LEN", k->name);
		return -EINVAL;
	}
	inner = v->pfx.family == AF_INET ? FOU_INNER_V4 : FOU_INNER_V6;
	if (e < 0 || !(k->inner & inner) || (e != FOU_ENCAP_NONE && (!json_is_integer(port) ||
	    json_integer_value(port) < 1 || json_integer_value(port) > 65535))) {
		snprintf(why, n, "a %s device with a bad encap, port or prefix family", k->name);
		return -EINVAL;
	}
	v->encap = (enum fou_encap)e;
	v->port = e == FOU_ENCAP_NONE ? 0 : (uint16_t)json_integer_value(port);
	return 0;
}

/* One published device: {"kind":"vxlan","vni":N,"macs":[...]}; GRE-TAP's "vni" is its 32-bit key. */
static int parse_dev(json_t *j, struct fleet_dev *v, char *why, size_t n)
{
	const struct fk_kind *k = fk_by_name(json_string_value(json_object_get(j, "kind")) ?: "");
	json_t *vni = json_object_get(j, "vni"), *macs = json_object_get(j, "macs"), *m;
	json_int_t max = k && k->flags & FK_ID32 ? 0xffffffff : 0xffffff;
	size_t i;

	if (k && fk_l3(k->l2))
		return parse_l3_dev(j, k, v, why, n);
	if (!k || fk_l3(k->l2) || !json_is_integer(vni) ||
	    json_integer_value(vni) < 0 || json_integer_value(vni) > max) {
		snprintf(why, n, "a device without an L2 kind and a VNI 0-16777215");
		return -EINVAL;
	}
	v->kind = k->l2;
	v->vni = (uint32_t)json_integer_value(vni);
	if (macs && (!json_is_array(macs) || json_array_size(macs) > FLEET_MACS)) {
		snprintf(why, n, "\"macs\" is not an array of at most %d", FLEET_MACS);
		return -EINVAL;
	}
	json_array_foreach(macs, i, m) {
		if (parse_mac(json_string_value(m), v->mac[i])) {
			snprintf(why, n, "bad MAC address \"%s\"", json_string_value(m) ?: "?");
			return -EINVAL;
		}
	}
	v->nmacs = (unsigned int)json_array_size(macs);
	return 0;
}

/* A whole value into tmp; why says what is wrong with it. */
int fleet_value_parse(const char *name, const char *val, size_t len, struct fleet_value *tmp,
		      char *why, size_t n)
{
	/* Longer than the most a good value can be: not even parsed. */
	json_t *j = len <= FLEET_VALUE_MAX ? json_loadb(val, len, 0, NULL) : NULL, *devs = NULL, *dv;
	const char *s;
	int ret = -EINVAL;
	size_t i;

	s = json_string_value(json_object_get(j, "name"));
	if (len > FLEET_VALUE_MAX)
		snprintf(why, n, "longer than %d bytes", FLEET_VALUE_MAX);
	else if (!json_is_object(j))
		snprintf(why, n, "not a JSON object");
	else if (!s || strcmp(s, name))
		snprintf(why, n, "\"name\" is not the key's");
	else if (parse_addr(json_string_value(json_object_get(j, "address")), &tmp->addr))
		snprintf(why, n, "bad address");
	else if (parse_addr2(json_object_get(j, "address2"), tmp))
		snprintf(why, n, "bad address2 (an address of the other family)");
	else if ((devs = json_object_get(j, "devices")) &&
		 (!json_is_array(devs) || json_array_size(devs) > FLEET_DEVS))
		snprintf(why, n, "\"devices\" is not an array of at most %d", FLEET_DEVS);
	else
		ret = 0;
	json_array_foreach(ret ? NULL : devs, i, dv)
		if ((ret = parse_dev(dv, &tmp->dev[i], why, n)))
			break;
	if (!ret)
		tmp->ndevs = (unsigned int)json_array_size(devs);
	json_decref(j);
	return ret;
}
