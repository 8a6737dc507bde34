#!/usr/bin/env bash
# Writes the seed corpora fuzz/corpus/<target>/ from the packets the Linux
# kernel sent (tests/unit/kernel_vectors.h) and from hand-made commands.
# Deterministic: file names are the seed's purpose, contents depend only on
# the vectors, so re-running it changes nothing unless the vectors change.
set -u
cd "$(dirname "$0")/.."
exec python3 - tests/unit/kernel_vectors.h fuzz/corpus <<'PY'
import os, re, shutil, struct, sys

hdr, out = sys.argv[1], sys.argv[2]
src = open(hdr).read()
vec = {}
for name, body in re.findall(r'static const uint8_t kv_(\w+)\[\] = \{(.*?)\};', src, re.S):
    vec[name] = bytes(int(x, 16) for x in re.findall(r'0x([0-9a-fA-F]{2})', body))
defs = {k.lower(): int(v) for k, v in re.findall(r'#define KV_(\w+) (\d+)', src)}

targets = ['gue', 'gre', 'ip', 'rx', 'gso', 'gro', 'icmp', 'flowhash', 'ctl', 'conf', 'tou', 'gue_auth']
for t in targets:
    shutil.rmtree(os.path.join(out, t), ignore_errors=True)
    os.makedirs(os.path.join(out, t))

def put(t, name, data):
    with open(os.path.join(out, t, name), 'wb') as f:
        f.write(data)

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

# rx selector byte (see fuzz_rx.c): encap, fou ipproto, underlay, GRE flags and key.
FOU, GUE = 0, 1
P4, P41, P47 = 0 << 1, 1 << 1, 2 << 1
V6 = 8
CSUM, KEY, SEQ, KEY7 = 0x10, 0x20, 0x40, 0x80
rxcfg = {
    'ipip_fou': FOU | P4, 'ipip_gue': GUE, 'ipip_gue_remcsum': GUE,
    'gre_fou_key_csum_seq': FOU | P47 | CSUM | KEY | SEQ,
    'gre_gue_key_remcsum': GUE | KEY | KEY7, 'sit_fou': FOU | P41,
    'ip6tnl_fou_ipip6': FOU | P4 | V6, 'ip6tnl_fou_ip6ip6': FOU | P41 | V6,
    'ip6gre_gue': GUE | V6,
}

inner = {}
for name, pkt in vec.items():
    if name.endswith('_inner_full'):
        continue
    v6 = pkt[0] >> 4 == 6
    hl = 40 if v6 else 20
    tos = ((pkt[0] & 0xf) << 4 | pkt[1] >> 4) if v6 else pkt[1]
    udp = pkt[hl + 8:]
    ioff = defs[name + '_inner_off']
    inner[name] = vec.get(name + '_inner_full', pkt[ioff:])
    put('ip', 'outer-' + name, pkt)
    put('ip', 'inner-' + name, inner[name])
    put('rx', name, bytes([rxcfg[name], tos, 0]) + udp)
    # The same with outer CE (RFC 6040 paths), an unknown source, a wildcard local.
    put('rx', name + '-ce', bytes([rxcfg[name], tos | 3, 0]) + udp)
    put('rx', name + '-unknown-peer', bytes([rxcfg[name], tos, 1]) + udp)
    put('rx', name + '-any-local', bytes([rxcfg[name], tos, 2]) + udp)
    if rxcfg[name] & GUE:
        put('gue', name, udp)
    if name + '_gre_off' in defs:
        put('gre', name, pkt[defs[name + '_gre_off']:])
    put('icmp', name, struct.pack('!IH', 1400, 1500) + inner[name])
    put('icmp', 'small-cap-' + name, struct.pack('!IH', 1280, 60) + pkt)
    put('flowhash', name, struct.pack('!IHH', 0x12345678, 32768, 61000) + inner[name])

# GUE variant 1 (direct IP) and a GUE header with every option bit and Hlen.
put('gue', 'v1-ipv4', inner['ipip_gue'])
put('gue', 'v1-ipv6', inner['sit_fou'])
put('gue', 'hlen-max', bytes([0x1f, 4, 0, 1]) + b'\x80\0\0\0' + b'\0\x14\0\x24' + bytes(116) + inner['ipip_gue'])
# Authenticated GUE's form with a wrong HMAC, and a bare inner packet.
put('gue_auth', 'sec-hmac', bytes([12, 4, 0x40, 0]) + bytes(4) + struct.pack('!HH', 0, len(inner['ipip_gue'])) + bytes(40) + inner['ipip_gue'])
put('gue_auth', 'inner', inner['ipip_gue'])
put('rx', 'gue-v1-direct', bytes([GUE, 0, 0]) + inner['ipip_gue'])
# A GRE header with none, each, and all of the options.
for flags, n in ((0, 'plain'), (0x2000, 'key'), (0x1000, 'seq'), (0x8000, 'csum')):
    h = struct.pack('!HH', flags, 0x0800) + (b'\0\0\0\0' if flags else b'')
    if flags == 0x8000:
        h = struct.pack('!HHHH', flags, 0x0800, csum(h[:4] + b'\0\0\0\0' + inner['ipip_fou']), 0)
    put('gre', n, h + inner['ipip_fou'])
    put('rx', 'gre-fou-' + n, bytes([FOU | P47 | (KEY if flags == 0x2000 else 0) |
                                     (SEQ if flags == 0x1000 else 0) |
                                     (CSUM if flags == 0x8000 else 0), 0, 0]) + h + inner['ipip_fou'])

# TCP super-packets for GSO: the kernel's SYN (IPv4, 40-byte TCP header with
# options) carrying 3000 bytes, and the same TCP segment over IPv6.
syn = inner['ipip_gue_remcsum']
ihl = (syn[0] & 0xf) * 4
tcp = bytearray(syn[ihl:])
tcp[13] = 0x18                      # ACK|PSH, not SYN
payload = bytes((i * 7) & 0xff for i in range(3000))
ip4 = bytearray(syn[:ihl])
struct.pack_into('!H', ip4, 2, ihl + len(tcp) + len(payload))
struct.pack_into('!H', ip4, 10, 0)
struct.pack_into('!H', ip4, 10, csum(bytes(ip4)))
doff = (tcp[12] >> 4) * 4
def vnet(gso_type, hdr_len, gso_size, start):
    return struct.pack('<BBHHHH', 1, gso_type, hdr_len, gso_size, start, 16)
put('gso', 'tcpv4', vnet(1, ihl + doff, 1448, ihl) + bytes(ip4) + bytes(tcp) + payload)
put('gso', 'tcpv4-mss1', vnet(1, ihl + doff, 1, ihl) + bytes(ip4) + bytes(tcp) + payload[:100])
put('gso', 'tcpv4-ecn', vnet(0x81, ihl + doff, 536, ihl) + bytes(ip4) + bytes(tcp) + payload)
put('gso', 'tcpv4-header-only', vnet(1, ihl + doff, 1448, ihl) +
    bytes(syn[:ihl]) + bytes(tcp))
ip6 = bytearray(40)
ip6[0] = 0x60
struct.pack_into('!H', ip6, 4, len(tcp) + len(payload))
ip6[6], ip6[7] = 6, 64
ip6[8:24] = bytes.fromhex('20010db8010300000000000000000002')
ip6[24:40] = bytes.fromhex('20010db8010300000000000000000001')
put('gso', 'tcpv6', vnet(4, 40 + doff, 1428, 40) + bytes(ip6) + bytes(tcp) + payload)
put('gso', 'none', vnet(0, 0, 0, 0) + inner['ipip_fou'])
put('flowhash', 'tcpv6', struct.pack('!IHH', 1, 1024, 65535) + bytes(ip6) + bytes(tcp))
put('icmp', 'tcpv6-big', struct.pack('!IH', 1280, 2000) + bytes(ip6) + bytes(tcp) + payload)

# Trains of TCP segments for GRO (fuzz_gro.c: cap byte, then 2-byte length
# records): one flow's consecutive ACK segments with valid checksums, the
# last with PSH, over IPv4 (DF, and without DF with incrementing IDs) and
# IPv6, with and without the timestamp option; and a train broken midway.
def tcp_seg(v6, seq, payload, flags=0x10, ts=True, df=True, ident=0, ack=5000):
    opts = b'\x01\x01\x08\x0a' + struct.pack('!II', 123456, 77) if ts else b''
    th = bytearray(struct.pack('!HHIIBBHHH', 40000, 5201, seq, ack, (20 + len(opts)) // 4 << 4,
                               flags, 502, 0, 0) + opts)
    l4 = bytes(th) + payload
    if v6:
        src = bytes.fromhex('20010db8000300000000000000000002')
        dst = bytes.fromhex('20010db8000300000000000000000001')
        ph = src + dst + struct.pack('!IxxxB', len(l4), 6)
        ip = struct.pack('!IHBB', 0x60000000, len(l4), 6, 64) + src + dst
    else:
        src, dst = bytes([10, 1, 0, 2]), bytes([10, 1, 0, 1])
        ph = src + dst + struct.pack('!BBH', 0, 6, len(l4))
        ip = bytearray(struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ident,
                                   0x4000 if df else 0, 64, 6, 0, src, dst))
        struct.pack_into('!H', ip, 10, csum(bytes(ip)))
        ip = bytes(ip)
    struct.pack_into('!H', th, 16, csum(ph + bytes(th) + payload))
    return ip + bytes(th) + payload

def train(v6, n, mss, ts=True, df=True, psh_last=True, cap=0xff):
    out, seq = bytes([cap]), 1
    for i in range(n):
        last = i == n - 1
        pl = bytes((seq + j) & 0xff for j in range(mss if not last else mss // 2))
        p = tcp_seg(v6, seq, pl, 0x18 if last and psh_last else 0x10, ts, df, 100 + i)
        out += struct.pack('!H', len(p)) + p
        seq += len(pl)
    return out

put('gro', 'v4-ts', train(False, 5, 1448))
put('gro', 'v4-nots-nodf', train(False, 4, 1000, ts=False, df=False))
put('gro', 'v6-ts', train(True, 5, 1428))
put('gro', 'v4-small-cap', train(False, 3, 500, cap=10))
put('gro', 'v4-many', train(False, 70, 100, psh_last=False))
broken = train(False, 3, 700)
put('gro', 'v4-then-v6', broken + train(True, 3, 700)[1:])
put('gro', 'not-tcp', bytes([0xff]) + struct.pack('!H', len(inner['ipip_fou'])) + inner['ipip_fou'] +
    struct.pack('!H', len(syn)) + syn)

# Commands, as fouctl and a -c file would say them.
cmds = [
    'fou add port 5555 ipproto 4',
    'fou add port 6080 gue',
    'fou add port 5555 ipproto 41 -6',
    'fou add port 5556 ipproto 47 local 192.0.2.1 peer 192.0.2.2 peer_port 4500',
    'fou add port 6080 gue local 2001:db8::1 peer 2001:db8::2 peer_port 6080 -6',
    'fou del port 5555',
    'fou del port 5555 ipproto 4 -6',
    'fou show',
    'link add name tun1 type ipip remote 192.0.2.2 local 192.0.2.1 ttl 225 encap fou encap-sport auto encap-dport 5555',
    'link add name g1 type gre remote 192.0.2.2 local 192.0.2.1 key 42 csum seq encap fou encap-sport auto encap-dport 5557',
    'link add name g2 type gre remote 192.0.2.2 local 192.0.2.1 ikey 1 okey 2 ttl inherit tos inherit encap gue encap-sport 4000 encap-dport 6080 encap-csum encap-remcsum',
    'link add name s1 type sit remote 192.0.2.2 local 192.0.2.1 mtu 1400 nopmtudisc encap none',
    'link add name p1 type ip6tnl remote 2001:db8::2 local 2001:db8::1 encap fou encap-sport auto encap-dport 5559 encap-udp6-csum',
    'link add name p2 type ip6gre remote 2001:db8::2 local 2001:db8::1 key 7 tos 0x10 pmtudisc encap gue encap-sport auto encap-dport 5560 noencap-udp6-csum noencap-remcsum noencap-csum',
    'link del tun1',
    'link show',
    'link show tun1',
    'link add name x type vxlan id 1 remote 192.0.2.2',
    'fou add port 70000 ipproto 4',
    'link add name tun1 type ipip remote 192.0.2.2',
    'tou add peer 192.0.2.2 port 6080 local 192.0.2.1',
    'tou del peer 2001:db8::2',
    'tou show',
    'metrics listen 127.0.0.1:9100',
    'metrics listen [::1]:9100',
    'metrics listen unix:/run/foud/metrics.sock',
    'capture tun1 outer -c 5 -w -',
]
for i, c in enumerate(cmds):
    words = c.split()
    body = b''.join(w.encode() + b'\0' for w in words)
    flags = (1, 2, 4, 8, 0)[i % 5]
    put('ctl', '%02d' % i, struct.pack('=IIII', 0x464f5532, flags, len(words), len(body)) + body)
    put('conf', '%02d' % i, (c + '\n').encode())
put('conf', 'file', ('# a whole file\n\nfouctl fou add port 5555 ipproto 4\n' +
                     '\n'.join(cmds[:15]) + '  # trailing comment\n\t \n').encode())
put('ctl', 'empty', struct.pack('=IIII', 0x464f5532, 0, 0, 0))
# TOU (fuzz_tou.c): UDP payloads, GUE proto 6 and a TCP segment whose checksum
# leaves the addresses out, and inner packets for the sending side.
for name, v6 in (('v4', False), ('v6', True)):
    pkt = tcp_seg(v6, 1000, bytes(range(100)))
    ihl = 40 if v6 else 20
    seg = bytearray(pkt[ihl:])
    struct.pack_into('!H', seg, 16, 0)
    struct.pack_into('!H', seg, 16, csum(struct.pack('!HH', 6, len(seg)) + bytes(seg)))
    put('tou', 'wire-' + name, bytes([0, 6, 0, 0]) + bytes(seg))
    put('tou', 'inner-' + name, pkt)
    # Session ids (lib/tou_session.c): S (0x0100), S and D, D (0x0080), 64 bits each.
    sid = bytes(range(1, 9))
    put('tou', 'sid-s-' + name, bytes([2, 6, 1, 0]) + sid + bytes(seg))
    put('tou', 'sid-sd-' + name, bytes([4, 6, 1, 0x80]) + sid + sid[::-1] + bytes(seg))
    put('tou', 'sid-d-' + name, bytes([2, 6, 0, 0x80]) + sid + bytes(seg))
put('tou', 'udp-in-gue', bytes([0, 17, 0, 0]) + struct.pack('!HHHH', 40000, 53, 10, 0) + b'hi')
total = sum(len(os.listdir(os.path.join(out, t))) for t in targets)
print('seeds: %d files in %s/{%s}' % (total, out, ','.join(targets)))
PY
