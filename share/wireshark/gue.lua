-- SPDX-License-Identifier: MIT
--
-- Generic UDP Encapsulation (draft-ietf-intarea-gue-09) for Wireshark and
-- tshark, as Linux and foud speak it:
--
--   0                   1                   2                   3
--  |Ver|C|  Hlen   | Proto/ctype   |             Flags               |
--  [ extension fields, in flag order ][ Linux private flags ][ surplus ]
--
--  * Variant 0: the header above. Hlen counts 32-bit words after the first.
--  * Variant 1: no header; the UDP payload is an IPv4 or IPv6 packet.
--  * Flags of draft-ietf-intarea-gue-extensions-06: G 0x8000, SEC 0x7000,
--    F 0x0800, T 0x0400, R 0x0200, K 0x0100, N 0x0080, A 0x0040.
--  * Linux's GUE_FLAG_PRIV 0x0001 (unassigned in -06): a private flags word
--    whose bit 0x80000000 (GUE_PFLAG_REMCSUM) adds remote checksum offload,
--    be16 start and be16 offset, both from the start of the GUE payload.
--    Extensions come first, then the private word (Linux knows no other
--    flag, so there it is always the word after the base header).
--  * Control messages (C=1): the ctype, then the payload as data.
--  * Data: the payload goes to Wireshark's dissector of the IP protocol
--    (IPv4 4, TCP 6 for transports over UDP with no inner IP header, UDP 17,
--    IPv6 41, GRE 47, others through the "ip.proto" table).
--
-- Load it with `tshark -X lua_script:gue.lua` or copy it to
-- ~/.local/lib/wireshark/plugins/. UDP ports: preference gue.ports.

local gue = Proto("gue", "Generic UDP Encapsulation")

local DEFAULT_PORTS = "6080"
local BASE_LEN = 4

local ipprotos = {
	[0] = "HOPOPT", [1] = "ICMP", [2] = "IGMP", [4] = "IPv4", [6] = "TCP",
	[17] = "UDP", [41] = "IPv6", [47] = "GRE", [50] = "ESP", [51] = "AH",
	[58] = "ICMPv6", [59] = "No next header", [132] = "SCTP",
	[137] = "MPLS-in-IP", [143] = "Ethernet",
}
local ctypes = { [0] = "Needs more context", [255] = "Experimental" }
local variants = { [0] = "GUE header", [1] = "Direct IP", [2] = "Reserved", [3] = "Reserved" }
local sec_sizes = { [1] = 8, [2] = 16, [3] = 32, [4] = 40 }
local sec_names = {
	[0] = "None", [1] = "64-bit cookie", [2] = "128-bit cookie",
	[3] = "256-bit cookie", [4] = "HMAC", [5] = "Reserved", [6] = "Reserved",
	[7] = "Reserved",
}
local transforms = { [0] = "Reserved", [1] = "DTLS" }

local F_G, F_F, F_T, F_R = 0x8000, 0x0800, 0x0400, 0x0200
local F_K, F_N, F_A, F_P = 0x0100, 0x0080, 0x0040, 0x0001
local F_UNKNOWN = 0x003E
local PF_REMCSUM = 0x80000000

local f = gue.fields
f.version = ProtoField.uint8("gue.version", "Version", base.DEC, variants, 0xC0)
f.c = ProtoField.bool("gue.c", "Control", 8, { "Control message", "Data message" }, 0x20)
f.hlen = ProtoField.uint8("gue.hlen", "Header length (words)", base.DEC, nil, 0x1F)
f.proto = ProtoField.uint8("gue.proto", "Protocol", base.DEC, ipprotos)
f.ctype = ProtoField.uint8("gue.ctype", "Control type", base.DEC, ctypes)
f.flags = ProtoField.uint16("gue.flags", "Flags", base.HEX)
f.flag_g = ProtoField.bool("gue.flags.g", "Group identifier", 16, nil, F_G)
f.flag_sec = ProtoField.uint16("gue.flags.sec", "Security", base.DEC, sec_names, 0x7000)
f.flag_f = ProtoField.bool("gue.flags.f", "Fragmentation", 16, nil, F_F)
f.flag_t = ProtoField.bool("gue.flags.t", "Payload transform", 16, nil, F_T)
f.flag_r = ProtoField.bool("gue.flags.r", "Remote checksum offload", 16, nil, F_R)
f.flag_k = ProtoField.bool("gue.flags.k", "Checksum", 16, nil, F_K)
f.flag_n = ProtoField.bool("gue.flags.n", "NAT address checksum", 16, nil, F_N)
f.flag_a = ProtoField.bool("gue.flags.a", "Alternate checksum", 16, nil, F_A)
f.flag_unknown = ProtoField.uint16("gue.flags.unknown", "Unassigned flags", base.HEX, nil, F_UNKNOWN)
f.flag_p = ProtoField.bool("gue.flags.p", "Private flags (Linux)", 16, nil, F_P)
f.group = ProtoField.uint32("gue.group", "Group identifier", base.HEX)
f.sec = ProtoField.bytes("gue.sec", "Security cookie")
f.sec_keyid = ProtoField.uint32("gue.sec.key_id", "HMAC key ID", base.HEX)
f.sec_offset = ProtoField.uint16("gue.sec.payload_offset", "HMAC payload offset", base.DEC)
f.sec_length = ProtoField.uint16("gue.sec.payload_length", "HMAC payload length", base.DEC)
f.sec_hmac = ProtoField.bytes("gue.sec.hmac", "HMAC")
f.frag_offset = ProtoField.uint16("gue.frag.offset", "Fragment offset (8-byte units)", base.DEC, nil, 0xFFF8)
f.frag_res = ProtoField.uint16("gue.frag.reserved", "Reserved", base.HEX, nil, 0x0006)
f.frag_m = ProtoField.bool("gue.frag.m", "More fragments", 16, nil, 0x0001)
f.frag_proto = ProtoField.uint8("gue.frag.orig_proto", "Original protocol", base.DEC, ipprotos)
f.frag_id = ProtoField.uint64("gue.frag.id", "Identification", base.HEX)
f.xform_type = ProtoField.uint8("gue.transform.type", "Transform type", base.DEC, transforms)
f.xform_proto = ProtoField.uint8("gue.transform.proto", "Transformed protocol/ctype", base.DEC, ipprotos)
f.xform_info = ProtoField.uint16("gue.transform.info", "Transform info", base.HEX)
f.remcsum_start = ProtoField.uint16("gue.remcsum.start", "Checksum start", base.DEC)
f.remcsum_offset = ProtoField.uint16("gue.remcsum.offset", "Checksum offset", base.DEC)
f.csum = ProtoField.uint16("gue.csum", "Checksum", base.HEX)
f.csum_coverage = ProtoField.uint16("gue.csum.coverage", "Payload coverage", base.DEC)
f.nac = ProtoField.uint16("gue.nac", "NAT address checksum", base.HEX)
f.nac_res = ProtoField.uint16("gue.nac.reserved", "Reserved", base.HEX)
f.acsum_res = ProtoField.uint16("gue.altcsum.reserved", "Reserved", base.HEX)
f.acsum_coverage = ProtoField.uint16("gue.altcsum.coverage", "Payload coverage", base.DEC)
f.acsum = ProtoField.uint32("gue.altcsum.crc32c", "CRC-32C", base.HEX)
f.pflags = ProtoField.uint32("gue.pflags", "Private flags", base.HEX)
f.pflag_remcsum = ProtoField.bool("gue.pflags.remcsum", "Remote checksum offload", 32, nil, PF_REMCSUM)
f.pflag_unknown = ProtoField.uint32("gue.pflags.unknown", "Unknown private flags", base.HEX, nil, 0x7FFFFFFF)
f.surplus = ProtoField.bytes("gue.surplus", "Surplus space")
f.tou_sid_src = ProtoField.uint64("gue.tou.sid.src", "TOU source session id", base.HEX)
f.tou_sid_dst = ProtoField.uint64("gue.tou.sid.dst", "TOU destination session id", base.HEX)
f.exid = ProtoField.uint32("gue.exid", "Experiment ID", base.HEX)

local function malformed(abbr, text)
	return ProtoExpert.new(abbr, text, expert.group.MALFORMED, expert.severity.ERROR)
end
local function warning(abbr, text)
	return ProtoExpert.new(abbr, text, expert.group.PROTOCOL, expert.severity.WARN)
end
local e_hlen = malformed("gue.hlen.past_end", "Hlen runs past the end of the packet")
local e_short = malformed("gue.hlen.short", "Hlen is too small for the flagged fields")
local e_version = malformed("gue.version.unknown", "Unknown GUE variant")
local e_ipver = malformed("gue.version.not_ip", "Variant 1 payload is neither IPv4 nor IPv6")
local e_remcsum = malformed("gue.remcsum.bad", "Checksum start/offset outside the payload")
local e_short_pkt = malformed("gue.short", "Shorter than a GUE header")
local e_flags = warning("gue.flags.unknown.set", "Unassigned flags set (a receiver drops this)")
local e_pflags = warning("gue.pflags.unknown.set", "Unknown private flags set (Linux drops this)")
local e_sec = warning("gue.sec.reserved", "Reserved security type")
gue.experts = { e_hlen, e_short, e_version, e_ipver, e_flags, e_pflags, e_sec, e_remcsum, e_short_pkt }

gue.prefs.ports = Pref.range("UDP ports", DEFAULT_PORTS,
	"UDP ports on which to decode GUE (comma-separated, ranges with -)", 65535)

-- Dissectors of the payload, looked up once; a missing one is nil, not an error.
local function dissector(name)
	local ok, d = pcall(Dissector.get, name)
	return ok and d or nil
end
local next_dissector = {
	[4] = dissector("ip"), [6] = dissector("tcp"), [17] = dissector("udp"),
	[41] = dissector("ipv6"), [47] = dissector("gre"),
}
local data_dissector = dissector("data")
local dtls_dissector = dissector("dtls")
local ip_proto_table = DissectorTable.get("ip.proto")

-- A malformed inner packet is the inner dissector's to report (it marks the
-- tree); its exception must not end this dissection as a Lua error.
local function call(d, tvb, pinfo, tree)
	pcall(d.call, d, tvb, pinfo, tree)
end

-- The "ip.proto" table's dissector; false when none took the payload (some,
-- as ICMP's, want an IP header and decline).
local function call_table(proto, tvb, pinfo, tree)
	local ok, n = pcall(ip_proto_table.try, ip_proto_table, proto, tvb, pinfo, tree)
	return not ok or (tonumber(n) or 0) > 0
end

local function bit(v, mask)
	return math.floor(v / mask) % 2 == 1
end

-- A decoder of fixed fields: { field name, offset, length } each.
local function layout(l)
	return function(r, t)
		for _, x in ipairs(l) do
			t:add(f[x[1]], r(x[2], x[3]))
		end
	end
end
local hmac_field = layout({ { "sec_keyid", 0, 4 }, { "sec_offset", 4, 2 }, { "sec_length", 6, 2 },
			    { "sec_hmac", 8, 32 } })
local xform_field = layout({ { "xform_type", 0, 1 }, { "xform_proto", 1, 1 }, { "xform_info", 2, 2 } })
local rco_field = layout({ { "remcsum_start", 0, 2 }, { "remcsum_offset", 2, 2 } })
local csum_field = layout({ { "csum", 0, 2 }, { "csum_coverage", 2, 2 } })
local nac_field = layout({ { "nac", 0, 2 }, { "nac_res", 2, 2 } })
local acsum_field = layout({ { "acsum_res", 0, 2 }, { "acsum_coverage", 2, 2 }, { "acsum", 4, 4 } })
local frag_bits = layout({ { "frag_offset", 0, 2 }, { "frag_res", 0, 2 }, { "frag_m", 0, 2 },
			   { "frag_proto", 2, 1 } })

local function sec_field(r, t)
	if r:len() == 40 then
		hmac_field(r, t)
	else
		t:add(f.sec, r)
	end
end

-- The 40-bit identification: a uint64 field given its value.
local function frag_field(r, t)
	frag_bits(r, t)
	t:add(f.frag_id, r(3, 5), r(3, 5):uint64())
end

local function tou_sid(field)
	return function(r, t) t:add(field, r, r:uint64()) end
end

-- Extension fields present, in flag order: { tree text, size, decoder }.
-- TOU (proto 6, draft-herbert-transports-over-udp-01 §3.1) gives the K and N
-- bits to its session ids S and D, 8 bytes each.
local function extensions(flags, tou)
	local l = {}
	local sec = math.floor(flags / 0x1000) % 8
	if bit(flags, F_G) then l[#l + 1] = { "Group identifier", 4, function(r, t) t:add(f.group, r) end } end
	if sec ~= 0 then l[#l + 1] = { "Security", sec_sizes[sec] or 0, sec_field } end
	if bit(flags, F_F) then l[#l + 1] = { "Fragmentation", 8, frag_field } end
	if bit(flags, F_T) then l[#l + 1] = { "Payload transform", 4, xform_field } end
	if bit(flags, F_R) then l[#l + 1] = { "Remote checksum offload", 4, rco_field } end
	if tou then
		if bit(flags, F_K) then l[#l + 1] = { "TOU source session id (S)", 8, tou_sid(f.tou_sid_src) } end
		if bit(flags, F_N) then l[#l + 1] = { "TOU destination session id (D)", 8, tou_sid(f.tou_sid_dst) } end
	else
		if bit(flags, F_K) then l[#l + 1] = { "Checksum", 4, csum_field } end
		if bit(flags, F_N) then l[#l + 1] = { "NAT address checksum", 4, nac_field } end
	end
	if bit(flags, F_A) then l[#l + 1] = { "Alternate checksum", 8, acsum_field } end
	return l
end

local function add_flags(tvb, t)
	local flags = tvb(2, 2):uint()
	local ft = t:add(f.flags, tvb(2, 2))
	for _, k in ipairs({ "flag_g", "flag_sec", "flag_f", "flag_t", "flag_r", "flag_k",
			     "flag_n", "flag_a", "flag_unknown", "flag_p" }) do
		ft:add(f[k], tvb(2, 2))
	end
	if flags % 0x40 - flags % 2 ~= 0 then
		ft:add_proto_expert_info(e_flags)
	end
	local sec = math.floor(flags / 0x1000) % 8
	if sec > 4 then
		ft:add_proto_expert_info(e_sec)
	end
	return flags
end

-- Linux's private flags word and its remote checksum offload field.
-- Returns the bytes used, or nil when Hlen is too short for them.
local function private_fields(tvb, off, hend, t)
	if off + 4 > hend then
		return nil
	end
	local pflags = tvb(off, 4):uint()
	local pt = t:add(f.pflags, tvb(off, 4))
	pt:add(f.pflag_remcsum, tvb(off, 4))
	pt:add(f.pflag_unknown, tvb(off, 4))
	if pflags % PF_REMCSUM ~= 0 then
		pt:add_proto_expert_info(e_pflags)
	end
	if pflags < PF_REMCSUM then
		return 4
	end
	if off + 8 > hend then
		return nil
	end
	local rt = t:add(tvb(off + 4, 4), "Remote checksum offload (Linux private)")
	rco_field(tvb(off + 4, 4), rt)
	local plen = tvb:reported_length_remaining(hend)
	local start, offset = tvb(off + 4, 2):uint(), tvb(off + 6, 2):uint()
	if offset < start or offset + 2 > plen then
		rt:add_proto_expert_info(e_remcsum)
	end
	return 8
end

-- The optional fields from byte 4 to hend; false when Hlen is too small.
local function options(tvb, flags, hend, t, tou)
	local off = BASE_LEN
	for _, e in ipairs(extensions(flags, tou)) do
		if e[2] == 0 or off + e[2] > hend then
			return false
		end
		e[3](tvb(off, e[2]), t:add(tvb(off, e[2]), e[1]))
		off = off + e[2]
	end
	if bit(flags, F_P) then
		local n = private_fields(tvb, off, hend, t)
		if not n then
			return false
		end
		off = off + n
	end
	if off < hend then
		t:add(f.surplus, tvb(off, hend - off))
	end
	return true
end

local function payload_data(tvb, off, pinfo, tree)
	if off < tvb:len() and data_dissector then
		call(data_dissector, tvb(off):tvb(), pinfo, tree)
	end
end

-- A fragment other than a whole first one cannot be parsed alone.
local function is_fragment(tvb, flags)
	if not bit(flags, F_F) then
		return false
	end
	local off = BASE_LEN + (bit(flags, F_G) and 4 or 0)
	off = off + (sec_sizes[math.floor(flags / 0x1000) % 8] or 0)
	local w = tvb(off, 2):uint()
	return w % 2 == 1 or math.floor(w / 8) ~= 0
end

-- The payload-transform word's type, when the flags have one (T); else nil.
local function xform_type(tvb, flags, hend)
	if not bit(flags, F_T) then
		return nil
	end
	local off = BASE_LEN + (bit(flags, F_G) and 4 or 0)
	off = off + (sec_sizes[math.floor(flags / 0x1000) % 8] or 0) + (bit(flags, F_F) and 8 or 0)
	return off < hend and tvb(off, 1):uint() or nil
end

local function payload(tvb, hend, proto, flags, pinfo, tree)
	if hend >= tvb:len() then
		return
	end
	-- TOU over DTLS (foud's tou peers with dtls): DTLS records follow.
	if xform_type(tvb, flags, hend) == 1 and dtls_dissector and not is_fragment(tvb, flags) then
		return call(dtls_dissector, tvb(hend):tvb(), pinfo, tree)
	end
	if proto == 59 or bit(flags, F_T) or is_fragment(tvb, flags) then
		pinfo.cols.info:set(string.format("GUE proto %u, not parsed (fragment, transform or none)", proto))
		return payload_data(tvb, hend, pinfo, tree)
	end
	local d = next_dissector[proto]
	local sub = tvb(hend):tvb()
	if d then
		call(d, sub, pinfo, tree)
	elseif not call_table(proto, sub, pinfo, tree) then
		payload_data(tvb, hend, pinfo, tree)
	end
end

local function variant1(tvb, pinfo, tree, t)
	local ipv = math.floor(tvb(0, 1):uint() / 16)
	t:set_text("Generic UDP Encapsulation, variant 1 (direct IP)")
	local d = (ipv == 4 and next_dissector[4]) or (ipv == 6 and next_dissector[41]) or nil
	if not d then
		t:add_proto_expert_info(e_ipver)
		payload_data(tvb, 0, pinfo, tree)
		return
	end
	call(d, tvb, pinfo, tree)
end

local function control(tvb, hend, ctype, pinfo, tree)
	pinfo.cols.info:set(string.format("GUE control message, ctype %u", ctype))
	if ctype == 255 and tvb:len() >= hend + 4 then
		tree:add(f.exid, tvb(hend, 4))
	end
	payload_data(tvb, hend, pinfo, tree)
end

local function variant0(tvb, pinfo, tree, t, b0)
	local len = tvb:len()
	local ctl = bit(b0, 0x20)
	local hend = BASE_LEN + (b0 % 32) * 4
	local proto = tvb(1, 1):uint()
	t:add(f.c, tvb(0, 1))
	local hi = t:add(f.hlen, tvb(0, 1))
	hi:append_text(string.format(" (%u bytes of options)", hend - BASE_LEN))
	t:add(ctl and f.ctype or f.proto, tvb(1, 1))
	local flags = add_flags(tvb, t)
	local what = string.format("%s %u", ctl and "control, ctype" or "proto", proto)
	t:append_text(string.format(", %s, Hlen %u", what, b0 % 32))
	pinfo.cols.info:set("GUE " .. what)
	if hend > tvb:reported_len() then
		hi:add_proto_expert_info(e_hlen)
		pinfo.cols.info:set(string.format("GUE Hlen %u words, past the end of the packet", (b0 % 32)))
		return len
	end
	if hend > len then
		return len	-- captured short: nothing more to show
	end
	t:set_len(hend)
	if not options(tvb, flags, hend, t, proto == 6 and not ctl) then
		hi:add_proto_expert_info(e_short)
		return len
	end
	if ctl then
		control(tvb, hend, proto, pinfo, tree)
	else
		payload(tvb, hend, proto, flags, pinfo, tree)
	end
	return len
end

function gue.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 1 then
		return 0
	end
	pinfo.cols.protocol:set("GUE")
	local b0 = tvb(0, 1):uint()
	local ver = math.floor(b0 / 64)
	local t = tree:add(gue, tvb(0, math.min(len, BASE_LEN)))
	local vi = t:add(f.version, tvb(0, 1))
	if ver == 1 then
		variant1(tvb, pinfo, tree, t)
		return len
	end
	if ver ~= 0 then
		vi:add_proto_expert_info(e_version)
		t:append_text(string.format(", unknown variant %u", ver))
		pinfo.cols.info:set(string.format("GUE unknown variant %u", ver))
		payload_data(tvb, 0, pinfo, tree)
		return len
	end
	if tvb:reported_len() < BASE_LEN or len < BASE_LEN then
		t:add_proto_expert_info(e_short_pkt)
		return len
	end
	return variant0(tvb, pinfo, tree, t, b0)
end

-- Registration on the ports of the preference, moved when it changes.
local udp_table = DissectorTable.get("udp.port")
local registered = nil

local function register_ports()
	if registered and registered ~= "" then
		udp_table:remove(registered, gue)
	end
	registered = gue.prefs.ports
	if registered and registered ~= "" then
		udp_table:add(registered, gue)
	end
end

function gue.prefs_changed()
	if registered ~= gue.prefs.ports then
		register_ports()
	end
end

udp_table:add_for_decode_as(gue)
register_ports()
