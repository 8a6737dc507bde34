#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Regenerates tests/unit/kernel_vectors.h: boots the Debian kernel under qemu
# (scripts/kernel-peer.sh), configures one tunnel at a time in the guest,
# makes the guest send one packet through it (ping, ping6 or a TCP SYN from
# nc) and captures what leaves the guest on qtap0 in the test namespace.
# The header is committed; unit tests need no qemu.
#
#   tests/interop/capture-vectors.sh [OUTPUT]   (default tests/unit/kernel_vectors.h)
#
# Needs root, qemu-system-x86, tcpdump, python3 (formatting only).
set -u

OUT_ARG=${1:-}
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT=${OUT_ARG:-$FI_TOP/tests/unit/kernel_vectors.h}

fi_require tcpdump python3
fi_setup || exit 1
kp_prepare || exit 1

# Receive ports in the guest, so that its fou sockets exist as in a real peer;
# no flow labels, so that IPv6 outer headers are deterministic.
cat >"$FI_TMP/guest.sh" <<'EOF'
sysctl -qw net.ipv6.auto_flowlabels=0
ip fou add port 5555 ipproto 4
ip fou add port 5556 gue
ip fou add port 5557 ipproto 47
ip fou add port 5558 ipproto 41
ip fou add port 5559 ipproto 4 -6
ip fou add port 5560 gue -6
ip fou add port 5561 ipproto 41 -6
true
EOF
fi_boot "$FI_TMP/guest.sh" || { fi_log "guest did not boot"; exit 1; }
KVER=$(kp_exec uname -r)
KREL=$(kp_exec 'cat /proc/version' | cut -d' ' -f3)
fi_log "guest kernel $KVER ($KREL)"

: >"$FI_TMP/vectors.list"

# vec NAME ENCAP(fou|gue) KIND(ipip|gre|...) FAMILY(4|6) DPORT PRED(icmp|icmp6|syn) SETUP TRIGGER
# SETUP creates tunnel t1 and its address; TRIGGER sends the packet.
vec() {
	local name=$1 encap=$2 kind=$3 fam=$4 dport=$5 pred=$6 setup=$7 trigger=$8
	local src=192.0.2.2 pcap=$FI_TMP/$name.pcap i
	[[ $fam == 6 ]] && src=2001:db8:1::2
	fi_log "vector $name"
	kp_exec -t 20 "$setup" >"$FI_TMP/$name.setup" 2>&1 || {
		fi_log "setup of $name failed:"
		cat "$FI_TMP/$name.setup" >&2
		return 1
	}
	kp_exec "ip -d link show t1" >"$FI_TMP/$name.link"
	sleep 1 # let router solicitations and the like pass first
	ip netns exec "$FI_NS" timeout 15 tcpdump -i qtap0 -U -n -s 0 -c 10 -w "$pcap" \
		"src host $src and udp dst port $dport" 2>"$FI_TMP/$name.tcpdump" &
	local tpid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$FI_TMP/$name.tcpdump" && break
		sleep 0.1
	done
	kp_exec -t 20 "$trigger" >>"$FI_TMP/$name.setup" 2>&1
	sleep 1
	kill -INT "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	kp_exec "ip link del t1" >/dev/null
	printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "$encap" "$kind" "$fam" "$dport" "$pred" \
		"$setup" "$trigger" >>"$FI_TMP/vectors.list"
}

H4="remote 192.0.2.1 local 192.0.2.2"
H6="remote 2001:db8:1::1 local 2001:db8:1::2"
ok=0
vec ipip_fou fou ipip 4 5555 icmp \
	"ip link add name t1 type ipip $H4 encap fou encap-sport auto encap-dport 5555; ip addr add 10.1.0.2/30 dev t1; ip link set t1 up" \
	"ping -c 1 -W 1 10.1.0.1" || ok=1
vec ipip_gue gue ipip 4 5556 icmp \
	"ip link add name t1 type ipip $H4 encap gue encap-sport auto encap-dport 5556; ip addr add 10.1.0.2/30 dev t1; ip link set t1 up" \
	"ping -c 1 -W 1 10.1.0.1" || ok=1
vec ipip_gue_remcsum gue ipip 4 5556 syn \
	"ip link add name t1 type ipip $H4 encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum; ip addr add 10.1.0.2/30 dev t1; ip link set t1 up" \
	"nc -w 1 10.1.0.1 7777 </dev/null; true" || ok=1
vec gre_fou_key_csum_seq fou gre 4 5557 icmp \
	"ip link add name t1 type gre $H4 key 42 csum seq encap fou encap-sport auto encap-dport 5557; ip addr add 10.2.0.2/30 dev t1; ip link set t1 up" \
	"ping -c 1 -W 1 10.2.0.1" || ok=1
vec gre_gue_key_remcsum gue gre 4 5556 syn \
	"ip link add name t1 type gre $H4 key 7 encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum; ip addr add 10.2.0.2/30 dev t1; ip link set t1 up" \
	"nc -w 1 10.2.0.1 7777 </dev/null; true" || ok=1
vec sit_fou fou sit 4 5558 icmp6 \
	"ip link add name t1 type sit $H4 encap fou encap-sport auto encap-dport 5558; ip -6 addr add 2001:db8:100::2/64 dev t1 nodad; ip link set t1 up" \
	"ping6 -c 1 -W 1 2001:db8:100::1" || ok=1
vec ip6tnl_fou_ipip6 fou ip6tnl 6 5559 icmp \
	"ip -6 link add name t1 type ip6tnl mode ipip6 $H6 encaplimit none encap fou encap-sport auto encap-dport 5559; ip addr add 10.3.0.2/30 dev t1; ip link set t1 up" \
	"ping -c 1 -W 1 10.3.0.1" || ok=1
vec ip6tnl_fou_ip6ip6 fou ip6tnl 6 5561 icmp6 \
	"ip -6 link add name t1 type ip6tnl mode ip6ip6 $H6 encaplimit none encap fou encap-sport auto encap-dport 5561; ip -6 addr add 2001:db8:103::2/64 dev t1 nodad; ip link set t1 up" \
	"ping6 -c 1 -W 1 2001:db8:103::1" || ok=1
vec ip6gre_gue gue ip6gre 6 5560 icmp \
	"ip -6 link add name t1 type ip6gre $H6 encaplimit none encap gue encap-sport auto encap-dport 5560; ip addr add 10.4.0.2/30 dev t1; ip link set t1 up" \
	"ping -c 1 -W 1 10.4.0.1" || ok=1

if [[ -n ${KV_KEEP:-} ]]; then
	mkdir -p "$KV_KEEP" && cp "$FI_TMP"/*.pcap "$FI_TMP"/*.link "$FI_TMP"/vectors.list "$KV_KEEP"/
fi
python3 - "$FI_TMP" "$OUT" "$KVER" "$KREL" <<'PYEOF' || ok=1
import struct, sys, os

tmp, out, kver, krel = sys.argv[1:5]

def pcap_packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(e + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:
            et = struct.unpack('>H', pkt[12:14])[0]
            if et in (0x0800, 0x86dd):
                yield pkt[14:]

def csum(b, s=0):
    if len(b) % 2:
        b += b'\0'
    for i in range(0, len(b), 2):
        s += b[i] << 8 | b[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def outer(p):
    if p[0] >> 4 == 4:
        hl = (p[0] & 15) * 4
        tot = struct.unpack('>H', p[2:4])[0]
        return p[:tot], hl, p[9]
    tot = 40 + struct.unpack('>H', p[4:6])[0]
    return p[:tot], 40, p[6]

def inner_ok(inner, pred):
    if not inner:
        return False
    v = inner[0] >> 4
    if pred == 'icmp':
        return v == 4 and inner[9] == 1 and inner[(inner[0] & 15) * 4] == 8
    if pred == 'icmp6':
        return v == 6 and inner[6] == 58 and inner[40] == 128
    if pred == 'syn':
        if v != 4 or inner[9] != 6:
            return False
        t = (inner[0] & 15) * 4
        return inner[t + 13] & 0x12 == 0x02
    return False

def hexbytes(b, indent='\t'):
    lines = []
    for i in range(0, len(b), 12):
        lines.append(indent + ' '.join('0x%02x,' % x for x in b[i:i + 12]))
    return '\n'.join(lines)

vecs = []
for line in open(os.path.join(tmp, 'vectors.list')):
    name, encap, kind, fam, dport, pred, setup, trigger = line.rstrip('\n').split('|')
    pcap = os.path.join(tmp, name + '.pcap')
    found = None
    if os.path.exists(pcap):
        for p in pcap_packets(pcap):
            pkt, hl, proto = outer(p)
            if proto != 17:
                continue
            off = hl + 8
            if encap == 'gue':
                off += 4 + (pkt[off] & 0x1f) * 4
            goff = None
            if kind in ('gre', 'ip6gre'):
                goff = off
                fl = struct.unpack('>H', pkt[off:off + 2])[0]
                off += 4 + 4 * bool(fl & 0x8000) + 4 * bool(fl & 0x2000) + 4 * bool(fl & 0x1000)
            if inner_ok(pkt[off:], pred):
                found = (pkt, hl, off, goff)
                break
    if not found:
        sys.stderr.write('capture-vectors: no packet for %s\n' % name)
        sys.exit(1)
    vecs.append((name, encap, kind, fam, dport, pred, setup, trigger, found))

o = []
o.append('/* SPDX-License-Identifier: MIT */')
o.append('/*')
o.append(' * Packets captured from the Linux kernel, generated by')
o.append(' * tests/interop/capture-vectors.sh -- do not edit by hand.')
o.append(' *')
o.append(' * Peer: Debian kernel %s (%s) under qemu (TCG, virtio-net,' % (kver, krel))
o.append(' * vnet_hdr=off, so the guest computes every checksum itself). Guest eth0')
o.append(' * 192.0.2.2/24 and 2001:db8:1::2/64; the capturing host (qtap0) is')
o.append(' * 192.0.2.1 and 2001:db8:1::1. Guest sysctl net.ipv6.auto_flowlabels=0.')
o.append(' * Guest receive ports: fou 5555 ipproto 4, 5556 gue, 5557 ipproto 47,')
o.append(' * 5558 ipproto 41, 5559 ipproto 4 -6, 5560 gue -6, 5561 ipproto 41 -6.')
o.append(' * Each array is one packet as it left the guest, from the outer IP')
o.append(' * header on (Ethernet header removed). encap-sport auto hashes the inner')
o.append(' * flow with a per-boot random seed, so _SPORT is the port this kernel')
o.append(' * chose; _IP_ID the outer IPv4 identification it sent.')
o.append(' */')
o.append('#ifndef FOU_TEST_KERNEL_VECTORS_H')
o.append('#define FOU_TEST_KERNEL_VECTORS_H')
o.append('')
o.append('#include <stddef.h>')
o.append('#include <stdint.h>')
o.append('')
o.append('#define KV_KERNEL "%s"' % kver)
o.append('')
for (name, encap, kind, fam, dport, pred, setup, trigger, (pkt, hl, ioff, goff)) in vecs:
    N = name.upper()
    inner = pkt[ioff:]
    o.append('/*')
    o.append(' * kv_%s: %s over %s, IPv%s underlay, inner %s.' % (
        name, kind, encap, fam, {'icmp': 'ICMP echo request', 'icmp6': 'ICMPv6 echo request',
                                 'syn': 'TCP SYN'}[pred]))
    o.append(' * Kernel configuration (guest), then what `ip -d link show` said:')
    for cmd in setup.split('; '):
        o.append(' *   ' + cmd)
    for l in open(os.path.join(tmp, name + '.link')).read().split('\n'):
        l = l.strip()
        if l.startswith(('ipip ', 'gre ', 'sit ', 'ip6tnl ', 'ip6gre ')):
            words = l.split()
            while words:
                o.append(' *     ' + ' '.join(words[:9]))
                words = words[9:]
    o.append(' * Packet sent by: ' + trigger.split(' <')[0].split(';')[0])
    o.append(' */')
    o.append('static const uint8_t kv_%s[] = {' % name)
    o.append(hexbytes(pkt))
    o.append('};')
    o.append('#define KV_%s_INNER_OFF %d\t/* inner IP packet; length %d */' % (N, ioff, len(inner)))
    o.append('#define KV_%s_SPORT %d' % (N, struct.unpack('>H', pkt[hl:hl + 2])[0]))
    if fam == '4':
        o.append('#define KV_%s_IP_ID 0x%04x' % (N, struct.unpack('>H', pkt[4:6])[0]))
    if goff is not None:
        fl = struct.unpack('>H', pkt[goff:goff + 2])[0]
        o.append('#define KV_%s_GRE_OFF %d' % (N, goff))
        if fl & 0x1000:
            so = goff + 4 + 4 * bool(fl & 0x8000) + 4 * bool(fl & 0x2000)
            o.append('#define KV_%s_GRE_SEQ %d' % (N, struct.unpack('>I', pkt[so:so + 4])[0]))
    if encap == 'gue':
        g = hl + 8
        if pkt[g + 2:g + 4] == b'\x00\x01' and len(pkt) > g + 8 and pkt[g + 4] & 0x80:
            # Remote checksum offload: the inner checksum field holds the
            # pseudo-header sum; give the completed inner packet too.
            cs, co = struct.unpack('>HH', pkt[g + 8:g + 12])
            pay = g + 4 + (pkt[g] & 0x1f) * 4
            o.append('#define KV_%s_REMCSUM_START %d\t/* from the GUE payload */' % (N, cs))
            o.append('#define KV_%s_REMCSUM_OFFSET %d\t/* checksum field, from the GUE payload */' % (N, co))
            ip = pkt[ioff:]
            t = (ip[0] & 15) * 4
            tot = struct.unpack('>H', ip[2:4])[0]
            seg = bytearray(ip[t:tot])
            cfield = (pay + co) - ioff - t  # co: field position from the GUE payload
            seg[cfield:cfield + 2] = b'\0\0'
            ph = ip[12:20] + bytes([0, 6]) + struct.pack('>H', len(seg))
            c = (~csum(bytes(seg), csum(ph))) & 0xffff
            full = bytearray(ip)
            struct.pack_into('>H', full, t + cfield, c)
            o.append('/* kv_%s inner packet with its TCP checksum completed (RCO applied). */' % name)
            o.append('static const uint8_t kv_%s_inner_full[] = {' % name)
            o.append(hexbytes(bytes(full)))
            o.append('};')
    o.append('')
o.append('#endif /* FOU_TEST_KERNEL_VECTORS_H */')
with open(out + '.tmp', 'w') as f:
    f.write('\n'.join(o) + '\n')
os.rename(out + '.tmp', out)
print('wrote %s: %d vectors' % (out, len(vecs)))
PYEOF
if [[ $ok -ne 0 ]]; then
	fi_log "some vectors were not captured"
	exit 1
fi
exit 0
